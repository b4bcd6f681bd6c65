#!/usr/bin/env bash
# Benchmark (not a test): upgrades and shared bases, against `docker load -i`, on an image of at least 500 MB
# (a 256 MiB random and a 256 MiB text layer), three rounds by default, medians compared as ratios.
#  - upgrade: v2 adds one small layer to v1; with v1 in the engine, run's load phase of v2's differential bundle
#    (export --since v1) and of its full bundle, against `docker load -i` of the full v2 tar. Target <= 0.1.
#  - shared base: three images on the same 538 MB image, each with one small layer of its own; from an engine
#    without them, run's load phase of their bundle (one file each) against `docker load -i` of their three tars.
#    Target <= 0.75.
# Usage: bench/delta.sh [ROUNDS]   MLREEF_OFFLINE=path/to/mlreef-offline to measure the native executable.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
rounds=${1:-3}
scripts/engine-up.sh
bench_tool

work=$(mktemp -d /var/tmp/mlro-bench.XXXXXX)
base=mlro-bench-base:1
v1=mlro-bench-big:1
v2=mlro-bench-big:2
apps=(mlro-bench-app:a mlro-bench-app:b mlro-bench-app:c)
cleanup() {
    for s in benchup benchapps; do "${tool[@]}" down -q --stack "$s" >/dev/null 2>&1 || true; done
    docker rmi -f "${apps[@]}" "$v2" "$v1" "$base" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
bench_image "$base" "$v1" "$work"
mkdir -p "$work/v2" "$work/apps"
printf 'FROM %s\nRUN echo v2 > /v2.txt\n' "$v1" > "$work/v2/Dockerfile"
docker build -q -t "$v2" "$work/v2" >/dev/null
for app in "${apps[@]}"; do
    printf 'FROM %s\nRUN echo %s > /app.txt\n' "$v1" "$app" > "$work/apps/Dockerfile"
    docker build -q -t "$app" "$work/apps" >/dev/null
done
size=$(docker image inspect -f '{{.Size}}' "$v1")

service() { printf '  %s:\n    image: %s\n    command: ["/bin/busybox", "sleep", "100000"]\n' "$1" "$2"; }
{ echo "name: benchup"; echo "services:"; service big "$v1"; } > "$work/up-v1.yaml"
{ echo "name: benchup"; echo "services:"; service big "$v2"; } > "$work/up-v2.yaml"
{ echo "name: benchapps"; echo "services:"; for i in 0 1 2; do service "app$i" "${apps[$i]}"; done; } > "$work/apps.yaml"

echo "== bundles and docker save tars" >&2
"${tool[@]}" export -q --no-pull -f "$work/up-v1.yaml" -o "$work/v1-bundle" >/dev/null
"${tool[@]}" export -q --no-pull -f "$work/up-v2.yaml" -o "$work/v2-full" >/dev/null
"${tool[@]}" export -q --no-pull -f "$work/up-v2.yaml" -o "$work/v2-diff" --since "$work/v1-bundle" >/dev/null
"${tool[@]}" export -q --no-pull -f "$work/apps.yaml" -o "$work/apps-bundle" >/dev/null
docker save -o "$work/v2.tar" "$v2"
for i in 0 1 2; do docker save -o "$work/app$i.tar" "${apps[$i]}"; done
du -sb "$work/v2-full" "$work/v2-diff" "$work/apps-bundle" "$work/v2.tar" >&2

# load_phase STACK DIR: run -d DIR; prints the sum of its "loaded ... in X s" times
load_phase() {
    "${tool[@]}" run -d "$2" >/dev/null 2>"$work/err.txt" || { cat "$work/err.txt" >&2; exit 1; }
    grep -q '^loaded ' "$work/err.txt" || { echo "run -d $2 loaded nothing" >&2; exit 1; }
    sed -n 's/^loaded .* in \([0-9.]*\) s$/\1/p' "$work/err.txt" | awk '{t += $1} END {printf "%.3f", t}'
}
# gone STACK IMAGE...: the stack down and the images removed (their layers too, unless another image holds them)
gone() {
    local stack=$1; shift
    "${tool[@]}" down -q --stack "$stack" >/dev/null 2>&1 || true
    docker rmi "$@" >/dev/null 2>&1 || true
    sync
}
timed() { local t0 t1; t0=$(now); "$@" >/dev/null; t1=$(now); elapsed "$t0" "$t1"; }
load_three() { for i in 0 1 2; do docker load -q -i "$work/app$i.tar"; done; }

dv2=(); rdiff=(); rfull=(); d3=(); r3=()
for round in $(seq 1 "$rounds"); do
    # upgrade: v1 present, v2 absent before each measure
    gone benchapps "${apps[@]}"
    gone benchup "$v2"
    docker image inspect "$v1" >/dev/null 2>&1 || docker load -q -i "$work/v1-bundle/images/"*.tar >/dev/null
    dv2+=("$(timed docker load -q -i "$work/v2.tar")")
    gone benchup "$v2"
    rdiff+=("$(load_phase benchup "$work/v2-diff")")
    gone benchup "$v2"
    rfull+=("$(load_phase benchup "$work/v2-full")")
    # shared base: none of the images, nor their base, present
    gone benchup "$v2" "$v1"
    d3+=("$(timed load_three)")
    gone benchapps "${apps[@]}"
    r3+=("$(load_phase benchapps "$work/apps-bundle")")
    echo "round $round: upgrade: docker load v2 ${dv2[-1]}s, run differential ${rdiff[-1]}s, run full bundle" \
        "${rfull[-1]}s; shared base: docker load x3 ${d3[-1]}s, run ${r3[-1]}s" >&2
done

printf '\nmedians of %d rounds, %s MB base image\n' "$rounds" "$((size / 1000000))"
m_dv2=$(median "${dv2[@]}"); m_d3=$(median "${d3[@]}")
printf '%-52s %7.2f s\n' "docker load -i v2.tar (v1 present)" "$m_dv2"
printf '%-52s %7.2f s   ratio %s  (target <= 0.1)\n' \
    "run, load phase, differential v2 bundle" "$(median "${rdiff[@]}")" "$(ratio "$(median "${rdiff[@]}")" "$m_dv2")" \
    "run, load phase, full v2 bundle (delta load)" "$(median "${rfull[@]}")" "$(ratio "$(median "${rfull[@]}")" "$m_dv2")"
printf '%-52s %7.2f s\n' "docker load -i of three tars sharing the base" "$m_d3"
printf '%-52s %7.2f s   ratio %s  (target <= 0.75)\n' \
    "run, load phase, bundle of the three" "$(median "${r3[@]}")" "$(ratio "$(median "${r3[@]}")" "$m_d3")"
