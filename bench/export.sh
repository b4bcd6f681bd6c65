#!/usr/bin/env bash
# Benchmark (not a test): export and verify against `docker save -o` and `sha256sum` on the same image of at least
# 500 MB (a 256 MiB random layer and a 256 MiB text layer), in one run, three rounds by default, alternating which
# goes first; medians compared as ratios. Also the compressed sizes beside `zstd -3` and `gzip -1` of the same tar.
# Targets: export none / docker save <= 1.05, zstd <= 1.25, gzip <= 1.5; verify / sha256sum <= 1.1.
# Times are printed three times: the whole process; the command's own time as it reports it ("exported in", "verified
# in"), which leaves out the start of the JVM (about 0.8 s here; the native executable starts in milliseconds); and
# for export the save itself ("saved ... in"), from the engine's first byte to the synced file, which leaves out what
# a JVM spends loading classes for the stack file and the engine calls.
# Usage: bench/export.sh [ROUNDS]   MLREEF_OFFLINE=path/to/mlreef-offline to measure the native executable.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
rounds=${1:-3}
scripts/engine-up.sh
bench_tool

work=$(mktemp -d /var/tmp/mlro-bench.XXXXXX)
base=mlro-bench-base:1
image=mlro-bench-big:1
cleanup() {
    docker rmi -f "$image" "$base" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
bench_image "$base" "$image" "$work"
size=$(docker image inspect -f '{{.Size}}' "$image")
echo "image: $image, $((size / 1000000)) MB; tool: ${tool[*]}" >&2
printf 'name: bench\nservices:\n  big:\n    image: %s\n' "$image" > "$work/stack.yaml"

gnu_time=/usr/bin/time
[ -x "$gnu_time" ] || gnu_time=""

declare -A process inner stream
add() { process[$1]="${process[$1]:-} $2"; inner[$1]="${inner[$1]:-} $3"; stream[$1]="${stream[$1]:-} ${4:-$3}"; }
rss=()

# run_tool NAME PATTERN ARGS...: times the tool; PATTERN picks its own time from stderr ("exported in 5.21 s")
run_tool() {
    local name=$1 pattern=$2; shift 2
    local t0 t1 own
    sync
    t0=$(now)
    if [ -n "$gnu_time" ]; then
        "$gnu_time" -f 'peak_rss_kb=%M' "${tool[@]}" "$@" >/dev/null 2>"$work/err.txt"
    else
        "${tool[@]}" "$@" >/dev/null 2>"$work/err.txt"
    fi
    t1=$(now)
    own=$(sed -n "s/.*$pattern \([0-9.]*\) s.*/\1/p" "$work/err.txt" | tail -1)
    [ -n "$own" ] || { cat "$work/err.txt" >&2; echo "no '$pattern' time from $name" >&2; exit 1; }
    local saved; saved=$(sed -n 's/^saved .* in \([0-9.]*\) s$/\1/p' "$work/err.txt" | tail -1)
    add "$name" "$(elapsed "$t0" "$t1")" "$own" "$saved"
    local kb; kb=$(sed -n 's/^peak_rss_kb=//p' "$work/err.txt")
    [ -z "$kb" ] || rss+=("$kb")
}
docker_save() {
    rm -f "$work/docker.tar"; sync
    local t0 t1; t0=$(now); docker save -o "$work/docker.tar" "$image"; t1=$(now)
    add docker_save "$(elapsed "$t0" "$t1")" "$(elapsed "$t0" "$t1")"
}
export_as() {
    rm -rf "$work/bundle-$1"
    run_tool "export_$1" "exported in" export --no-pull -f "$work/stack.yaml" -o "$work/bundle-$1" --compress "$1"
}
sha_of() {
    local t0 t1; sync; t0=$(now); sha256sum "$work"/bundle-"$1"/images/* >/dev/null; t1=$(now)
    add "sha256sum_$1" "$(elapsed "$t0" "$t1")" "$(elapsed "$t0" "$t1")"
}

for round in $(seq 1 "$rounds"); do
    if [ $((round % 2)) -eq 1 ]; then docker_save; export_as none; else export_as none; docker_save; fi
    export_as zstd
    export_as gzip
    for c in none zstd; do
        if [ $((round % 2)) -eq 1 ]; then sha_of $c; run_tool "verify_$c" "verified in" verify -d "$work/bundle-$c"
        else run_tool "verify_$c" "verified in" verify -d "$work/bundle-$c"; sha_of $c; fi
    done
    echo "round $round: docker save ${process[docker_save]##* }s; export none ${process[export_none]##* }s" \
        "zstd ${process[export_zstd]##* }s gzip ${process[export_gzip]##* }s" >&2
done

m() { local -n table=$1; median ${table[$2]}; }
line() { # LABEL NAME BASE TARGET
    printf '%-26s %7.2f s %7.2f s %7.2f s   %6s %6s %6s  (target <= %s)\n' "$1" "$(m process "$2")" "$(m inner "$2")" \
        "$(m stream "$2")" "$(ratio "$(m process "$2")" "$(m process "$3")")" \
        "$(ratio "$(m inner "$2")" "$(m process "$3")")" "$(ratio "$(m stream "$2")" "$(m process "$3")")" "$4"
}
printf '\nmedians of %d rounds, %s MB image\n' "$rounds" "$((size / 1000000))"
printf '%-26s %9s %9s %9s   %6s %6s %6s\n' "" "process" "command" "stream" "ratio" "(cmd)" "(strm)"
printf '%-26s %7.2f s\n' "docker save -o" "$(m process docker_save)"
line "export none" export_none docker_save 1.05
line "export zstd" export_zstd docker_save 1.25
line "export gzip" export_gzip docker_save 1.50
printf '%-26s %7.2f s\n' "sha256sum (plain tar)" "$(m process sha256sum_none)"
line "verify (plain tar)" verify_none sha256sum_none 1.10
printf '%-26s %7.2f s\n' "sha256sum (zstd file)" "$(m process sha256sum_zstd)"
line "verify (zstd file)" verify_zstd sha256sum_zstd 1.10

echo "== sizes" >&2
tar_size=$(stat -c %s "$work/docker.tar")
zstd3=$(zstd -3 -T1 -c "$work/docker.tar" | wc -c)
gzip1=$(gzip -1 -c "$work/docker.tar" | wc -c)
ours_zstd=$(stat -c %s "$work"/bundle-zstd/images/*)
ours_gzip=$(stat -c %s "$work"/bundle-gzip/images/*)
printf '\n%-32s %12d bytes\n' "docker save tar" "$tar_size"
printf '%-32s %12d bytes (%s of the tar)\n' "export zstd" "$ours_zstd" "$(ratio "$ours_zstd" "$tar_size")" \
    "zstd -3" "$zstd3" "$(ratio "$zstd3" "$tar_size")" \
    "export gzip" "$ours_gzip" "$(ratio "$ours_gzip" "$tar_size")" \
    "gzip -1" "$gzip1" "$(ratio "$gzip1" "$tar_size")"
if [ ${#rss[@]} -gt 0 ]; then
    printf '%-32s %8d MB\n' "peak RSS of export/verify" "$(( $(printf '%s\n' "${rss[@]}" | sort -n | tail -1) / 1024 ))"
fi
