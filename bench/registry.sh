#!/usr/bin/env bash
# Benchmark (not a test): the registry commands against skopeo, in one run, on a registry of its own (Debian's
# docker-registry on 127.0.0.1:5055, storage under the work folder, emptied before each push), three rounds by
# default alternating which goes first; medians of whole processes compared as ratios:
#   export --from-registry / skopeo copy docker://... docker-archive:...      aim <= 0.6
#   push / skopeo copy docker-archive:... docker://...                         aim <= 0.6
#   peak RSS of both tools at two image sizes (about 340 MB and 810 MB)        flat in image size
# Also, once: the engine's pull of what each pushed (push: uncompressed layers; skopeo: gzip), end to end.
# Export compares like with like (both write an uncompressed docker-archive: export --compress none). Push does
# not: skopeo gzips each layer and uploads that (about 270 MB of the 807 MB image, the random layer and a few MB of
# text), push uploads the bundle's uncompressed layers (all of it) and spends nothing compressing.
# The image is bench/lib.sh's (a 256 MiB random layer and a text layer); the registry holds it as docker push
# leaves it (gzip layers), as a registry on the internet does. push reads a bundle without compression, skopeo the
# docker save tar of the same image.
# Usage: bench/registry.sh [ROUNDS]   MLREEF_OFFLINE=path/to/mlreef-offline measures that executable; else the
# native executable built with the kit (scripts/native-kit.sh), else the jar.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
rounds=${1:-3}
scripts/engine-up.sh
if ! command -v skopeo >/dev/null 2>&1; then
    echo "== installing skopeo" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq skopeo >/dev/null
fi
gnu_time=/usr/bin/time
[ -x "$gnu_time" ] || { echo "needs GNU time (apt-get install time) for the peak RSS" >&2; exit 1; }
bench_tool

work=$(mktemp -d /var/tmp/mlro-bench-registry.XXXXXX)
reg=127.0.0.1:5055
base=mlro-bench-base:1
big=mlro-bench-big:1
small=mlro-bench-small:1
regpid=
stop_registry() {
    if [ -n "$regpid" ]; then kill "$regpid" 2>/dev/null || true; wait "$regpid" 2>/dev/null || true; regpid=; fi
}
# start_registry: an empty registry on $reg
start_registry() {
    stop_registry
    rm -rf "$work/registry"
    mkdir -p "$work/registry"
    printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: %s\n' \
        "$work/registry" "$reg" > "$work/registry.yml"
    docker-registry serve "$work/registry.yml" >>"$work/registry.log" 2>&1 &
    regpid=$!
    for _ in $(seq 1 40); do curl -sf --max-time 2 "http://$reg/v2/" >/dev/null && return; sleep 0.25; done
    cat "$work/registry.log" >&2
    echo "the benchmark's registry did not start on $reg" >&2
    exit 1
}
cleanup() {
    stop_registry
    docker rmi -f "$big" "$small" "$base" "$reg/src/big:1" "$reg/src/small:1" >/dev/null 2>&1 || true
    docker rmi -f "$reg/ours/library/mlro-bench-big:1" "$reg/skopeo/big:1" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
bench_image "$base" "$big" "$work"
BENCH_TEXT_MIB=64 bench_image "$base" "$small" "$work/s"
declare -A mb
for size in big small; do
    image=mlro-bench-$size:1
    mb[$size]=$(( $(docker image inspect -f '{{.Size}}' "$image") / 1000000 ))
    printf 'name: bench-%s\nservices:\n  app:\n    image: %s\n' "$size" "$image" > "$work/push-$size.yaml"
    printf 'name: bench-%s\nservices:\n  app:\n    image: %s/src/%s:1\n' "$size" "$reg" "$size" \
        > "$work/export-$size.yaml"
    echo "== bundle and docker save tar of $image (${mb[$size]} MB)" >&2
    "${tool[@]}" export -q --no-pull -f "$work/push-$size.yaml" -o "$work/bundle-$size" >/dev/null
    docker save -o "$work/$size.tar" "$image"
done

declare -A process
# timed NAME SIZE COMMAND...: the whole process under GNU time; its peak RSS kept per tool and size
timed() {
    local name=$1 size=$2; shift 2
    local t0 t1
    sync
    t0=$(now)
    "$gnu_time" -f 'peak_rss_kb=%M' "$@" >/dev/null 2>"$work/err.txt" || { cat "$work/err.txt" >&2; exit 1; }
    t1=$(now)
    [ "$size" = big ] && process[$name]="${process[$name]:-} $(elapsed "$t0" "$t1")"
    grep '^peak_rss_kb=' "$work/err.txt" >> "$work/rss-$name-$size.txt"
}
# both write the same kind of output: an uncompressed docker-archive (the gzip layers uncompressed on the way)
ours_export() {
    rm -rf "$work/exported"
    timed ours_export "$1" "${tool[@]}" export -q --from-registry --compress none -f "$work/export-$1.yaml" \
        -o "$work/exported"
}
skopeo_export() {
    rm -f "$work/skopeo.tar"
    timed skopeo_export "$1" skopeo copy -q --src-tls-verify=false "docker://$reg/src/$1:1" \
        "docker-archive:$work/skopeo.tar:$reg/src/$1:1"
}
ours_push() {
    start_registry
    timed ours_push "$1" "${tool[@]}" push -q -d "$work/bundle-$1" --registry "$reg/ours"
}
skopeo_push() {
    start_registry
    timed skopeo_push "$1" skopeo copy -q --dest-tls-verify=false "docker-archive:$work/$1.tar" \
        "docker://$reg/skopeo/$1:1"
}

echo "== export from the registry" >&2
start_registry
for size in big small; do
    docker tag "mlro-bench-$size:1" "$reg/src/$size:1"
    docker push -q "$reg/src/$size:1" >/dev/null
done
ours_export small
skopeo_export small
for round in $(seq 1 "$rounds"); do
    if [ $((round % 2)) -eq 1 ]; then skopeo_export big; ours_export big; else ours_export big; skopeo_export big; fi
    echo "round $round: skopeo ${process[skopeo_export]##* }s, export --from-registry ${process[ours_export]##* }s" >&2
done
echo "== push" >&2
ours_push small
skopeo_push small
for round in $(seq 1 "$rounds"); do
    if [ $((round % 2)) -eq 1 ]; then skopeo_push big; ours_push big; else ours_push big; skopeo_push big; fi
    echo "round $round: skopeo ${process[skopeo_push]##* }s, push ${process[ours_push]##* }s" >&2
done

echo "== the engine's pull of what each pushed" >&2
pull_time() { # REFERENCE: seconds for docker pull, the image absent before
    docker rmi -f "$big" "$reg/src/big:1" "$reg/ours/library/mlro-bench-big:1" "$reg/skopeo/big:1" >/dev/null 2>&1 \
        || true
    local t0 t1; t0=$(now); docker pull -q "$1" >/dev/null; t1=$(now)
    elapsed "$t0" "$t1"
}
ours_push big
ours_pull=$(pull_time "$reg/ours/library/mlro-bench-big:1")
skopeo_push big
skopeo_pull=$(pull_time "$reg/skopeo/big:1")

m() { median ${process[$1]}; }
rss() { peak_rss "$work/rss-$1-$2.txt"; }
line() { # LABEL OURS PEER AIM
    printf '%-44s %7.2f s %7.2f s   %6s   (aim <= %s)\n' "$1" "$(m "$2")" "$(m "$3")" \
        "$(ratio "$(m "$2")" "$(m "$3")")" "$4"
}
printf '\nmedians of %d rounds, %s MB image; %s; skopeo %s\n' "$rounds" "${mb[big]}" "${tool[*]}" \
    "$(skopeo --version | awk '{print $3}')"
printf '%-44s %9s %9s   %6s\n' "" "ours" "skopeo" "ratio"
line "export --from-registry / skopeo docker://->archive" ours_export skopeo_export 0.6
line "push / skopeo docker-archive:->docker://" ours_push skopeo_push 0.6
printf '\npeak RSS (MB) at %s MB / %s MB images\n' "${mb[small]}" "${mb[big]}"
printf '%-44s %6s / %-6s\n' "export --from-registry" "$(rss ours_export small)" "$(rss ours_export big)" \
    "skopeo copy docker:// -> docker-archive:" "$(rss skopeo_export small)" "$(rss skopeo_export big)" \
    "push" "$(rss ours_push small)" "$(rss ours_push big)" \
    "skopeo copy docker-archive: -> docker://" "$(rss skopeo_push small)" "$(rss skopeo_push big)"
printf '\ndocker pull of what push put (uncompressed layers): %s s; of what skopeo put (gzip): %s s\n' \
    "$ours_pull" "$skopeo_pull"
