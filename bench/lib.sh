# Shared by the benchmark scripts: the test image and the arithmetic. Source it; it defines functions only.

# bench_image BASE IMAGE WORK: builds IMAGE (a busybox base, a 256 MiB random layer, a 256 MiB text layer;
# 538 MB in all) unless the engine has it.
bench_image() {
    local base=$1 image=$2 work=$3
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
RUN yes 'mlreef offline benchmark: a line of text that compresses well' | head -c 268435456 > /text.txt
DOCKERFILE
    docker build -q -t "$image" "$work/ctx" >/dev/null
}

# bench_tool: sets the array tool to the command under test: $MLREEF_OFFLINE (the native executable) when set, else
# the jar, built first.
bench_tool() {
    if [ -n "${MLREEF_OFFLINE:-}" ]; then
        tool=("$MLREEF_OFFLINE")
    else
        ./mvnw -B -q package -DskipTests
        tool=(java -jar target/mlreef-offline.jar)
    fi
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", b - a}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", a / b}'; }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
