#!/usr/bin/env bash
# Benchmark (not a test): the client's save and load against `docker save -o` and `docker load -i` on the same
# image of at least 500 MB (a 256 MiB random layer and a 256 MiB text layer), in one run, five rounds by default, alternating which goes first,
# medians compared as ratios; and the client's peak RSS. Targets: both ratios <= 1.10, peak RSS <= 160 MB.
# Usage: bench/save-load.sh [ROUNDS]   (needs root to start the engine when it is not running)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
rounds=${1:-5}
scripts/engine-up.sh
./mvnw -B -q test-compile -DskipTests
./mvnw -B -q dependency:build-classpath -Dmdep.outputFile=target/bench.classpath >/dev/null
cp="target/classes:target/test-classes:$(cat target/bench.classpath)"
heap=${BENCH_HEAP:--Xmx64m}

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
echo "image: $image, $((size / 1000000)) MB" >&2

probe() { java $heap -cp "$cp" com.mlreef.offline.testing.SaveLoadProbe "$@"; }

docker_save=(); ours_save=(); docker_load=(); ours_load=(); rss=(); stream_save=(); stream_load=()
time_docker_save() {
    rm -f "$work/docker.tar"; sync
    local t0 t1; t0=$(now); docker save -o "$work/docker.tar" "$image"; t1=$(now)
    docker_save+=("$(elapsed "$t0" "$t1")")
}
time_ours_save() {
    rm -f "$work/ours.tar"; sync
    local t0 t1 out; t0=$(now); out=$(probe save "$image" "$work/ours.tar"); t1=$(now)
    ours_save+=("$(elapsed "$t0" "$t1")")
    stream_save+=("$(echo "$out" | sed -n 's/^seconds=//p')")
    rss+=("$(echo "$out" | sed -n 's/^peak_rss_kb=//p')")
}
time_docker_load() {
    docker rmi "$image" >/dev/null; sync
    local t0 t1; t0=$(now); docker load -q -i "$work/docker.tar" >/dev/null; t1=$(now)
    docker_load+=("$(elapsed "$t0" "$t1")")
}
time_ours_load() {
    docker rmi "$image" >/dev/null; sync
    local t0 t1 out; t0=$(now); out=$(probe load "$work/ours.tar"); t1=$(now)
    ours_load+=("$(elapsed "$t0" "$t1")")
    stream_load+=("$(echo "$out" | sed -n 's/^seconds=//p')")
    rss+=("$(echo "$out" | sed -n 's/^peak_rss_kb=//p')")
}
# the machine is noisy and a write slows the next one: alternate which side goes first
for round in $(seq 1 "$rounds"); do
    if [ $((round % 2)) -eq 1 ]; then time_docker_save; time_ours_save; else time_ours_save; time_docker_save; fi
    cmp -s "$work/docker.tar" "$work/ours.tar" || { echo "the saved files differ" >&2; exit 1; }
    if [ $((round % 2)) -eq 1 ]; then time_docker_load; time_ours_load; else time_ours_load; time_docker_load; fi
    echo "round $round: save docker ${docker_save[-1]}s ours ${ours_save[-1]}s; load docker ${docker_load[-1]}s ours ${ours_load[-1]}s" >&2
done

ds=$(median "${docker_save[@]}"); os=$(median "${ours_save[@]}")
dl=$(median "${docker_load[@]}"); ol=$(median "${ours_load[@]}")
ss=$(median "${stream_save[@]}"); sl=$(median "${stream_load[@]}")
peak=$(printf '%s\n' "${rss[@]}" | sort -n | tail -1)
printf '\nmedians of %d rounds, %s image (JVM %s, times include JVM start)\n' "$rounds" "$((size / 1000000)) MB" "$heap"
printf '%-34s %8.2f s\n' "docker save -o" "$ds" "client save, whole JVM process" "$os" "client save, stream only" "$ss" \
    "docker load -i" "$dl" "client load, whole JVM process" "$ol" "client load, stream only" "$sl"
printf '%-34s %8s  (target <= 1.10)\n' "ratio save (process / docker)" "$(ratio "$os" "$ds")" \
    "ratio load (process / docker)" "$(ratio "$ol" "$dl")" \
    "ratio save (stream / docker)" "$(ratio "$ss" "$ds")" \
    "ratio load (stream / docker)" "$(ratio "$sl" "$dl")"
echo "(stream only: from the open connection to the last byte, without the JVM's start, about 0.5 s here;" \
    "the native executable starts in milliseconds)"
printf '%-34s %8d MB (target <= 160)\n' "client peak RSS" "$((peak / 1024))"
