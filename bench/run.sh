#!/usr/bin/env bash
# Benchmark (not a test): run's load phase against `docker load -i` of the same tar, for a plain and a zstd bundle,
# each from an engine that lacks every layer of the image (so run sends the whole file and checks its sha256),
# and a second run with nothing to do against `docker load -i` of the same, present, image; on an image of at least
# 500 MB (a 256 MiB random and a 256 MiB text layer), three rounds by default, medians compared as ratios.
# Targets: load phase / docker load <= 1.05 (plain and zstd); second run / docker load of present images <= 0.25.
# The second run is printed three times: the whole process; run's own reported time without the JVM's start; and
# the engine calls alone (run -v: from each request to the end of its answer), what no build of the tool can shorten.
# Also the peak RSS of run while it loads (memory stays flat whatever the image size).
# Usage: bench/run.sh [ROUNDS]   MLREEF_OFFLINE=path/to/mlreef-offline to measure the native executable.
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

dl=(); dlp=(); ln=(); lz=(); r2=(); r2own=(); r2engine=()
gnu_time=/usr/bin/time
[ -x "$gnu_time" ] || gnu_time=
docker_load() {
    local t0 t1; sync; t0=$(now); docker load -q -i "$work/docker.tar" >/dev/null; t1=$(now); elapsed "$t0" "$t1"
}
# without_image: the engine lacks every layer of the image, as a fresh offline host does (so run sends and checks
# the whole file, as docker load reads it all)
without_image() {
    docker rmi "$image" >/dev/null
    docker rmi "$base" >/dev/null 2>&1 || true # tagged until the first load; its layer is the image's too
}
# run_load C: from an engine without the image, the time of run's load phase ("loaded ... in X s")
run_load() {
    "${tool[@]}" down -q --stack benchrun >/dev/null 2>&1 || true
    without_image; sync
    ${gnu_time:+"$gnu_time" -f peak_rss_kb=%M} "${tool[@]}" run -d "$work/bundle-$1" >/dev/null 2>"$work/err.txt" \
        || { cat "$work/err.txt" >&2; exit 1; }
    sed -n 's/^peak_rss_kb=//p' "$work/err.txt" >> "$work/rss.txt"
    if grep -q '^loaded .* layers' "$work/err.txt"; then
        echo "run sent the file in part: the engine still had some of its layers" >&2; exit 1
    fi
    sed -n 's/^loaded .* in \([0-9.]*\) s$/\1/p' "$work/err.txt"
}
for round in $(seq 1 "$rounds"); do
    "${tool[@]}" down -q --stack benchrun >/dev/null 2>&1 || true
    without_image
    dl+=("$(docker_load)")
    ln+=("$(run_load none)")
    lz+=("$(run_load zstd)")
    t0=$(now); "${tool[@]}" run -v -d "$work/bundle-none" >/dev/null 2>"$work/err.txt"; t1=$(now)
    grep -q "loaded " "$work/err.txt" && { echo "the second run loaded something" >&2; exit 1; }
    r2+=("$(elapsed "$t0" "$t1")")
    r2own+=("$(sed -n 's/^run done in \([0-9.]*\) s.*/\1/p' "$work/err.txt")")
    r2engine+=("$(sed -n 's/^engine: [0-9]* calls, \([0-9.]*\) s .*/\1/p' "$work/err.txt")")
    dlp+=("$(docker_load)")
    echo "round $round: docker load ${dl[-1]}s; run load none ${ln[-1]}s zstd ${lz[-1]}s;" \
        "second run ${r2[-1]}s (own ${r2own[-1]}s, engine ${r2engine[-1]}s); docker load, image present ${dlp[-1]}s" >&2
done

printf '\nmedians of %d rounds, %s MB image\n' "$rounds" "$((size / 1000000))"
m_dl=$(median "${dl[@]}"); m_dlp=$(median "${dlp[@]}")
printf '%-44s %7.2f s\n' "docker load -i (image absent)" "$m_dl"
printf '%-44s %7.2f s   ratio %s  (target <= 1.05)\n' \
    "run, load phase, plain bundle" "$(median "${ln[@]}")" "$(ratio "$(median "${ln[@]}")" "$m_dl")" \
    "run, load phase, zstd bundle" "$(median "${lz[@]}")" "$(ratio "$(median "${lz[@]}")" "$m_dl")"
printf '%-44s %7.2f s\n' "docker load -i (image present)" "$m_dlp"
printf '%-44s %7.2f s   ratio %s  (target <= 0.25)\n' \
    "second run, nothing to do (process)" "$(median "${r2[@]}")" "$(ratio "$(median "${r2[@]}")" "$m_dlp")" \
    "second run, nothing to do (own time)" "$(median "${r2own[@]}")" "$(ratio "$(median "${r2own[@]}")" "$m_dlp")" \
    "second run, nothing to do (engine calls)" "$(median "${r2engine[@]}")" "$(ratio "$(median "${r2engine[@]}")" "$m_dlp")"
if [ -s "$work/rss.txt" ]; then
    printf '%-44s %7d MB\n' "peak RSS of run (loading the image)" "$(sort -n "$work/rss.txt" | tail -1 | awk '{print int($1 / 1024)}')"
fi
