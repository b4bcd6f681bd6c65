#!/usr/bin/env bash
# Benchmark (not a test): run against `docker load`, on an image of about 800 MB (a 256 MiB random and a 512 MiB text
# layer), three rounds by default, medians of whole processes compared as ratios:
#   run from a plain bundle, image absent / docker load -i                   aim <= 1.05
#   run from a zstd bundle, image absent / zstd -dc f | docker load          aim <= 1.05
#   a second run, nothing to do / docker load -i of the present image       aim <= 0.25
#   peak RSS of run: plain / zstd                                           aim <= 64 MB / <= 128 MB
# "Image absent": the engine lacks every layer of the image, as a fresh offline host does, so run sends the whole
# file and checks its sha256. Beside the process: run's load phase alone ("loaded ... in X s"), and for the second
# run the engine calls alone (run -v), what no build of the tool can shorten.
# Usage: bench/run.sh [ROUNDS]   MLREEF_OFFLINE=path/to/mlreef-offline measures that executable; else the native
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
cleanup() {
    "${tool[@]}" down -q --stack benchrun >/dev/null 2>&1 || true
    docker rmi -f "$image" "$base" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
bench_image "$base" "$image" "$work"
size=$(docker image inspect -f '{{.Size}}' "$image")
cat > "$work/stack.yaml" <<STACK
name: benchrun
services:
  big:
    image: $image
    command: ["/bin/busybox", "sleep", "100000"]
STACK
echo "== bundles and the docker save tar" >&2
docker save -o "$work/docker.tar" "$image"
for c in none zstd; do
    "${tool[@]}" export -q --no-pull -f "$work/stack.yaml" -o "$work/bundle-$c" --compress "$c" >/dev/null
done

echo "== the zstd file of the docker save tar" >&2
zstd -q -3 -T0 -f "$work/docker.tar" -o "$work/docker.tar.zst"

dl=(); dlz=(); dlp=(); pn=(); pz=(); ln=(); lz=(); r2=(); r2engine=()
gnu_time=/usr/bin/time
[ -x "$gnu_time" ] || { echo "needs GNU time (apt-get install time) for the peak RSS" >&2; exit 1; }
timed() { local t0 t1; sync; t0=$(now); "$@" >/dev/null; t1=$(now); elapsed "$t0" "$t1"; }
# without_image: the engine lacks every layer of the image, as a fresh offline host does (so run sends and checks
# the whole file, as docker load reads it all)
without_image() {
    "${tool[@]}" down -q --stack benchrun >/dev/null 2>&1 || true
    docker rmi "$image" >/dev/null 2>&1 || true
    docker rmi "$base" >/dev/null 2>&1 || true # tagged until the first load; its layer is the image's too
}
# run_absent C: from an engine without the image, run's whole process, then its load phase ("loaded ... in X s")
run_absent() {
    without_image; sync
    local t0 t1; t0=$(now)
    "$gnu_time" -f peak_rss_kb=%M "${tool[@]}" run -d "$work/bundle-$1" >/dev/null 2>"$work/err.txt" \
        || { cat "$work/err.txt" >&2; exit 1; }
    t1=$(now)
    grep '^peak_rss_kb=' "$work/err.txt" >> "$work/rss-$1.txt"
    if grep -q '^loaded .* layers' "$work/err.txt"; then
        echo "run sent the file in part: the engine still had some of its layers" >&2; exit 1
    fi
    echo "$(elapsed "$t0" "$t1") $(sed -n 's/^loaded .* in \([0-9.]*\) s$/\1/p' "$work/err.txt")"
}
for round in $(seq 1 "$rounds"); do
    without_image
    dl+=("$(timed docker load -q -i "$work/docker.tar")")
    without_image
    dlz+=("$(timed sh -c "zstd -dc '$work/docker.tar.zst' | docker load -q")")
    read -r p l <<< "$(run_absent none)"; pn+=("$p"); ln+=("$l")
    read -r p l <<< "$(run_absent zstd)"; pz+=("$p"); lz+=("$l")
    t0=$(now); "${tool[@]}" run -v -d "$work/bundle-none" >/dev/null 2>"$work/err.txt"; t1=$(now)
    grep -q "loaded " "$work/err.txt" && { echo "the second run loaded something" >&2; exit 1; }
    r2+=("$(elapsed "$t0" "$t1")")
    r2engine+=("$(sed -n 's/^engine: [0-9]* calls, \([0-9.]*\) s .*/\1/p' "$work/err.txt")")
    dlp+=("$(timed docker load -q -i "$work/docker.tar")")
    echo "round $round: docker load ${dl[-1]}s, run plain ${pn[-1]}s (load ${ln[-1]}s);" \
        "zstd -dc | docker load ${dlz[-1]}s, run zstd ${pz[-1]}s (load ${lz[-1]}s);" \
        "second run ${r2[-1]}s (engine ${r2engine[-1]}s), docker load of the present image ${dlp[-1]}s" >&2
done

row() { printf '%-46s %7.2f s' "$1" "$2"; [ -z "${3:-}" ] || printf '   ratio %s  (aim <= %s)' "$(ratio "$2" "$3")" "$4"; echo; }
printf '\nmedians of %d rounds, %s MB image; %s\n' "$rounds" "$((size / 1000000))" "${tool[*]}"
m_dl=$(median "${dl[@]}"); m_dlz=$(median "${dlz[@]}"); m_dlp=$(median "${dlp[@]}")
row "docker load -i (image absent)" "$m_dl"
row "run, plain bundle (process)" "$(median "${pn[@]}")" "$m_dl" 1.05
row "run, plain bundle (load phase)" "$(median "${ln[@]}")" "$m_dl" 1.05
row "zstd -dc f | docker load (image absent)" "$m_dlz"
row "run, zstd bundle (process)" "$(median "${pz[@]}")" "$m_dlz" 1.05
row "run, zstd bundle (load phase)" "$(median "${lz[@]}")" "$m_dlz" 1.05
row "docker load -i (image present)" "$m_dlp"
row "second run, nothing to do (process)" "$(median "${r2[@]}")" "$m_dlp" 0.25
row "second run, nothing to do (engine calls)" "$(median "${r2engine[@]}")" "$m_dlp" 0.25
printf '%-46s %7s MB (aim <= 64 MB)\n' "peak RSS of run, plain bundle" "$(peak_rss "$work/rss-none.txt")"
printf '%-46s %7s MB (aim <= 128 MB)\n' "peak RSS of run, zstd bundle" "$(peak_rss "$work/rss-zstd.txt")"
