# Shared by the benchmark scripts: the test image and the arithmetic. Source it; it defines functions only.

# bench_image BASE IMAGE WORK: builds IMAGE (a busybox base, a 256 MiB random layer, a text layer of $BENCH_TEXT_MIB
# MiB, 512 by default: about 810 MB in all) unless the engine has it.
bench_image() {
    local base=$1 image=$2 work=$3 text=$(( ${BENCH_TEXT_MIB:-512} << 20 ))
    if docker image inspect "$image" >/dev/null 2>&1; then
        return
    fi
    echo "== building $image" >&2
    mkdir -p "$work/rootfs/bin" "$work/rootfs/tmp" "$work/ctx"
    cp /bin/busybox "$work/rootfs/bin/busybox"
    for applet in sh head yes; do ln -sf busybox "$work/rootfs/bin/$applet"; done
    tar -C "$work/rootfs" -c . | docker import - "$base" >/dev/null
    cat > "$work/ctx/Dockerfile" <<DOCKERFILE
FROM $base
RUN head -c 268435456 /dev/urandom > /random.bin
RUN yes 'mlreef offline benchmark: a line of text that compresses well' | head -c $text > /text.txt
DOCKERFILE
    docker build -q -t "$image" "$work/ctx" >/dev/null
}

# bench_tool: sets the array tool to the command under test: $MLREEF_OFFLINE when set (an executable, or a command
# such as "java -jar target/mlreef-offline.jar"); else the native executable, built with the native-image kit when
# there is one, else the jar (scripts/build-tool.sh).
bench_tool() {
    if [ -n "${MLREEF_OFFLINE:-}" ]; then
        read -ra tool <<< "$MLREEF_OFFLINE"
    else
        local built
        built=$(scripts/build-tool.sh)
        read -ra tool <<< "$built"
    fi
    echo "== measuring: ${tool[*]}" >&2
}

# peak_rss FILE: the largest peak_rss_kb= line of FILE, in MB (GNU time's %M)
peak_rss() { sed -n 's/^peak_rss_kb=//p' "$1" | sort -n | tail -1 | awk '{print int($1 / 1024)}'; }

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", b - a}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a / b}'; }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
