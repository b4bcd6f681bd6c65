#!/usr/bin/env bash
# Benchmark (not a test): export and verify against the tools an operator would use otherwise, on the same image of
# about 800 MB (a 256 MiB random layer and a 512 MiB text layer; BENCH_TEXT_MIB sets the text), in one run, three
# rounds by default, alternating which goes first; medians of whole processes compared as ratios:
#   export, no compression / docker save -o                       aim <= 1.10
#   export zstd / docker save | zstd -3 -T0 > f                   aim <= 1.10
#   verify of one file / sha256sum of it                          aim <= 1.0
#   verify of a bundle of four files (200 MiB each) / sha256sum   aim <= 0.6
#   --help                                                        aim <= 30 ms
#   peak RSS of export and verify: uncompressed / zstd            aim <= 64 MB / <= 128 MB
# Also the command's own time ("exported in", "verified in") beside the process's, and the compressed sizes beside
# zstd -3 and gzip -1 of the same tar.
# Usage: bench/export.sh [ROUNDS]   MLREEF_OFFLINE=path/to/mlreef-offline measures that executable; else the native
# executable built with the kit (scripts/native-kit.sh), else the jar.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
rounds=${1:-3}
scripts/engine-up.sh
bench_tool

work=$(mktemp -d /var/tmp/mlro-bench.XXXXXX)
base=mlro-bench-base:1
image=mlro-bench-big:1
parts=(mlro-bench-part:1 mlro-bench-part:2 mlro-bench-part:3 mlro-bench-part:4)
cleanup() {
    docker rmi -f "$image" "${parts[@]}" "$base" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
bench_image "$base" "$image" "$work"
# four images of 200 MiB of their own each, for a bundle of four files that verify can hash side by side
for part in "${parts[@]}"; do
    mkdir -p "$work/part"
    # the part's name in the command: four equal commands would be one cached image
    printf 'FROM %s\nRUN echo %s > /part && head -c 209715200 /dev/urandom > /own.bin\n' "$base" "$part" \
        > "$work/part/Dockerfile"
    docker build -q -t "$part" "$work/part" >/dev/null
done
size=$(docker image inspect -f '{{.Size}}' "$image")
echo "image: $image, $((size / 1000000)) MB; tool: ${tool[*]}" >&2
printf 'name: bench\nservices:\n  big:\n    image: %s\n' "$image" > "$work/stack.yaml"
{
    printf 'name: bench4\nservices:\n'
    for i in 1 2 3 4; do printf '  part%s:\n    image: %s\n' "$i" "${parts[$((i - 1))]}"; done
} > "$work/stack4.yaml"

gnu_time=/usr/bin/time
[ -x "$gnu_time" ] || { echo "needs GNU time (apt-get install time) for the peak RSS" >&2; exit 1; }

declare -A process inner
add() { process[$1]="${process[$1]:-} $2"; inner[$1]="${inner[$1]:-} $3"; }

# run_tool NAME PATTERN ARGS...: times the tool; PATTERN picks its own time from stderr ("exported in 5.21 s")
run_tool() {
    local name=$1 pattern=$2; shift 2
    local t0 t1 own
    sync
    t0=$(now)
    "$gnu_time" -f 'peak_rss_kb=%M' "${tool[@]}" "$@" >/dev/null 2>"$work/err.txt"
    t1=$(now)
    own=$(sed -n "s/.*$pattern \([0-9.]*\) s.*/\1/p" "$work/err.txt" | tail -1)
    [ -n "$own" ] || { cat "$work/err.txt" >&2; echo "no '$pattern' time from $name" >&2; exit 1; }
    add "$name" "$(elapsed "$t0" "$t1")" "$own"
    grep '^peak_rss_kb=' "$work/err.txt" >> "$work/rss-${name#*_}.txt"
}
# timed NAME COMMAND...: a peer's whole process (a pipeline through sh -c)
timed() {
    local name=$1; shift
    local t0 t1; sync; t0=$(now); "$@"; t1=$(now)
    add "$name" "$(elapsed "$t0" "$t1")" "$(elapsed "$t0" "$t1")"
}
docker_save() { rm -f "$work/docker.tar"; timed docker_save docker save -o "$work/docker.tar" "$image"; }
docker_save_zstd() {
    rm -f "$work/docker.tar.zst"
    timed docker_save_zstd sh -c "docker save '$image' | zstd -q -3 -T0 > '$work/docker.tar.zst'"
}
export_as() {
    rm -rf "$work/bundle-$1"
    run_tool "export_$1" "exported in" export --no-pull -f "$work/stack.yaml" -o "$work/bundle-$1" --compress "$1"
}
sha_of() { timed "sha256sum_$1" sh -c "sha256sum $work/bundle-$1/images/* >/dev/null"; }
verify_of() { run_tool "verify_$1" "verified in" verify -d "$work/bundle-$1"; }

echo "== the bundle of four files" >&2
"${tool[@]}" export -q --no-pull -f "$work/stack4.yaml" -o "$work/bundle-four" >/dev/null
for round in $(seq 1 "$rounds"); do
    if [ $((round % 2)) -eq 1 ]; then docker_save; export_as none; else export_as none; docker_save; fi
    if [ $((round % 2)) -eq 1 ]; then docker_save_zstd; export_as zstd; else export_as zstd; docker_save_zstd; fi
    export_as gzip
    for c in none zstd four; do
        if [ $((round % 2)) -eq 1 ]; then sha_of $c; verify_of $c; else verify_of $c; sha_of $c; fi
    done
    echo "round $round: docker save ${process[docker_save]##* }s, export none ${process[export_none]##* }s;" \
        "docker save | zstd ${process[docker_save_zstd]##* }s, export zstd ${process[export_zstd]##* }s;" \
        "sha256sum ${process[sha256sum_none]##* }s, verify ${process[verify_none]##* }s" >&2
done

help_ms=()
for _ in $(seq 1 11); do
    t0=$(now); "${tool[@]}" --help >/dev/null; t1=$(now)
    help_ms+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", (b - a) * 1000}')")
done

m() { local -n table=$1; median ${table[$2]}; }
line() { # LABEL NAME BASE AIM
    printf '%-34s %7.2f s %7.2f s   %6s %6s   (aim <= %s)\n' "$1" "$(m process "$2")" "$(m inner "$2")" \
        "$(ratio "$(m process "$2")" "$(m process "$3")")" "$(ratio "$(m inner "$2")" "$(m process "$3")")" "$4"
}
peer() { printf '%-34s %7.2f s\n' "$1" "$(m process "$2")"; }
printf '\nmedians of %d rounds, %s MB image; %s\n' "$rounds" "$((size / 1000000))" "${tool[*]}"
printf '%-34s %9s %9s   %6s %6s\n' "" "process" "command" "ratio" "(cmd)"
peer "docker save -o" docker_save
line "export, no compression" export_none docker_save 1.10
peer "docker save | zstd -3 -T0 > f" docker_save_zstd
line "export zstd" export_zstd docker_save_zstd 1.10
line "export gzip (against docker save)" export_gzip docker_save "-"
peer "sha256sum (one tar)" sha256sum_none
line "verify (one tar)" verify_none sha256sum_none 1.0
peer "sha256sum (one zstd file)" sha256sum_zstd
line "verify (one zstd file)" verify_zstd sha256sum_zstd 1.0
peer "sha256sum (four files)" sha256sum_four
line "verify (four files)" verify_four sha256sum_four 0.6
printf '%-34s %7s ms (median of 11; aim <= 30 ms)\n' "--help" "$(median "${help_ms[@]}")"
printf '%-34s %7s MB (aim <= 64 MB)\n' "peak RSS, export/verify, plain" \
    "$(cat "$work/rss-none.txt" "$work/rss-four.txt" | peak_rss /dev/stdin)"
printf '%-34s %7s MB (aim <= 128 MB)\n' "peak RSS, export/verify, zstd" "$(peak_rss "$work/rss-zstd.txt")"
printf '%-34s %7s MB\n' "peak RSS, export gzip" "$(peak_rss "$work/rss-gzip.txt")"

echo "== sizes" >&2
tar_size=$(stat -c %s "$work/docker.tar")
zstd3=$(stat -c %s "$work/docker.tar.zst")
gzip1=$(gzip -1 -c "$work/docker.tar" | wc -c)
ours_zstd=$(stat -c %s "$work"/bundle-zstd/images/*)
ours_gzip=$(stat -c %s "$work"/bundle-gzip/images/*)
printf '\n%-32s %12d bytes\n' "docker save tar" "$tar_size"
printf '%-32s %12d bytes (%s of the tar)\n' "export zstd" "$ours_zstd" "$(ratio "$ours_zstd" "$tar_size")" \
    "zstd -3" "$zstd3" "$(ratio "$zstd3" "$tar_size")" \
    "export gzip" "$ours_gzip" "$(ratio "$ours_gzip" "$tar_size")" \
    "gzip -1" "$gzip1" "$(ratio "$gzip1" "$tar_size")"
