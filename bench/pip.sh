#!/usr/bin/env bash
# Benchmark (not a test): pip-serve against pypiserver, in one run, both serving the same folder of 500 generated
# wheels on loopback:
#   requests per second and p99 latency of the project list (/simple/) and of project pages (/simple/NAME/, all 500
#   in turn), from 8 concurrent connections for $BENCH_SECONDS (10) seconds each (wrk)     aim: >= 2x, lower p99
#   wall time of one pip download of 20 packages from each
#   peak RSS of each server on 500 and on 5,000 packages (with requests/s of pages there)  aim: flat
# pypiserver: first installed into a virtual environment (python3 -m venv) by pip, from the index pip is configured
# with; when that fails, from a source checkout named by PYPISERVER_SRC (run with PYTHONPATH; it needs Debian's
# python3-packaging and python3-defusedxml). The script says which. It runs with waitress, the server it chooses
# first. What these routes need (python3-venv, the Debian packages, wrk) is installed with apt when missing.
# Usage: bench/pip.sh    MLREEF_OFFLINE=path/to/mlreef-offline measures that executable; else the native
# executable built with the kit (scripts/native-kit.sh), else the jar.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
seconds=${BENCH_SECONDS:-10}
py=/usr/bin/python3

need=()
command -v wrk >/dev/null 2>&1 || need+=(wrk)
$py -m pip --version >/dev/null 2>&1 || need+=(python3-pip)
$py -c 'import venv, ensurepip' >/dev/null 2>&1 || need+=(python3-venv)          # pypiserver's first route
$py -c 'import packaging' >/dev/null 2>&1 || need+=(python3-packaging)              # its source checkout's
$py -c 'import defusedxml' >/dev/null 2>&1 || need+=(python3-defusedxml)
$py -c 'import waitress' >/dev/null 2>&1 || need+=(python3-waitress)
if [ "${#need[@]}" -gt 0 ]; then
    echo "== installing ${need[*]}" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
bench_tool

work=$(mktemp -d /var/tmp/mlro-bench-pip.XXXXXX)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

# make_packages N DIR: N pure-Python wheels, bench-pkg-0000 ... (each about 1 KB: the index's work, not the disk's)
make_packages() {
    $py - "$1" "$2" <<'PY'
import base64, hashlib, os, sys, zipfile
n, out = int(sys.argv[1]), sys.argv[2]
os.makedirs(out, exist_ok=True)
for i in range(n):
    name, version = f"bench_pkg_{i:04d}", "1.0"
    info = f"{name}-{version}.dist-info"
    files = {f"{name}.py": f"VALUE = {i}\n",
             f"{info}/METADATA": f"Metadata-Version: 2.1\nName: bench-pkg-{i:04d}\nVersion: {version}\nRequires-Python: >=3.7\n",
             f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: bench\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
    record = ""
    with zipfile.ZipFile(f"{out}/{name}-{version}-py3-none-any.whl", "w") as z:
        for path, text in files.items():
            data = text.encode()
            z.writestr(path, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record += f"{path},sha256={digest},{len(data)}\n"
        z.writestr(f"{info}/RECORD", record + f"{info}/RECORD,,\n")
PY
}

# pypiserver's command, in the array pypi, and options of its run command in pypi_run
pypi_run=()
find_pypiserver() {
    # first: a virtual environment, filled by pip from the index it is configured with
    echo "== pypiserver: python3 -m venv, then pip install pypiserver waitress" >&2
    if $py -m venv "$work/venv" >"$work/venv.log" 2>&1 \
            && "$work/venv/bin/pip" install -q --timeout 5 --retries 0 pypiserver waitress >>"$work/venv.log" 2>&1; then
        pypi=("$work/venv/bin/python" -m pypiserver)
        echo "== pypiserver $("$work/venv/bin/python" -m pypiserver --version) installed from the package registry" \
            "into a virtual environment" >&2
        return
    fi
    echo "== that failed: $(grep -v '^ *$' "$work/venv.log" | tail -1)" >&2
    if [ -n "${PYPISERVER_SRC:-}" ] && [ -d "$PYPISERVER_SRC/pypiserver" ]; then
        # --welcome: on Python 3.11 without importlib_resources (a dependency pip would install) it finds no default
        pypi=(env "PYTHONPATH=$PYPISERVER_SRC" $py -m pypiserver)
        pypi_run=(--welcome "$PYPISERVER_SRC/pypiserver/welcome.html")
        echo "== pypiserver from the source checkout $PYPISERVER_SRC instead, with" \
            "$($py -c 'import waitress' 2>/dev/null && echo waitress || echo "wsgiref (no waitress)")" >&2
    else
        echo "pypiserver could not be installed into a virtual environment, and PYPISERVER_SRC names no source" \
            "checkout: set it" >&2
        exit 2
    fi
}

# serve NAME PORT COMMAND...: starts a server under GNU time (peak RSS in $work/NAME.rss), waits for /simple/
serve() {
    local name=$1 port=$2
    shift 2
    /usr/bin/time -f 'peak_rss_kb=%M' -o "$work/$name.rss" "$@" >"$work/$name.out" 2>"$work/$name.log" &
    local timer=$!
    for _ in $(seq 1 300); do
        curl -sf -o /dev/null "http://127.0.0.1:$port/simple/" && break
        sleep 0.1
    done
    curl -sf -o /dev/null "http://127.0.0.1:$port/simple/" || { echo "$name did not answer:" >&2; tail "$work/$name.log" >&2; exit 1; }
    server_pid=$(pgrep -P "$timer" | head -1)
    pids+=("$server_pid")
}

# stop NAME: ends the server, prints its peak RSS in MB
stop() {
    kill "$server_pid" 2>/dev/null || true
    while kill -0 "$server_pid" 2>/dev/null; do sleep 0.1; done
    sleep 0.3
    peak_rss "$work/$1.rss"
}

# load PORT PATHS... -> "requests/s p99_ms": wrk, 2 threads, 8 connections, paths in turn
load() {
    local port=$1
    shift
    printf '%s\n' "$@" > "$work/paths"
    cat > "$work/paths.lua" <<LUA
local paths, i = {}, 0
for line in io.lines("$work/paths") do paths[#paths + 1] = line end
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
LUA
    wrk -t2 -c8 -d2s -s "$work/paths.lua" "http://127.0.0.1:$port" >/dev/null   # warm-up: hashes, caches
    wrk -t2 -c8 -d"${seconds}s" --latency -s "$work/paths.lua" "http://127.0.0.1:$port" > "$work/wrk.txt"
    if grep -q "Non-2xx" "$work/wrk.txt"; then
        echo "errors under load:" >&2; cat "$work/wrk.txt" >&2; exit 1
    fi
    local rps p99
    rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
    p99=$(awk '$1 == "99%" {v = $2; if (v ~ /us$/) {sub(/us/, "", v); v /= 1000} else if (v ~ /ms$/) sub(/ms/, "", v); else if (v ~ /s$/) {sub(/s/, "", v); v *= 1000}; print v}' "$work/wrk.txt")
    echo "$rps $p99"
}

# measure NAME PORT: the figures of one server, in the variables NAME_*
measure() {
    local name=$1 port=$2 pages=() start
    for i in $(seq 0 499); do pages+=("/simple/$(printf 'bench-pkg-%04d' "$i")/"); done
    read -r list_rps list_p99 < <(load "$port" /simple/)
    read -r page_rps page_p99 < <(load "$port" "${pages[@]}")
    local wanted=()
    for i in $(seq 100 119); do wanted+=("$(printf 'bench-pkg-%04d' "$i")"); done
    rm -rf "$work/dl-$name"
    start=$(now)
    PIP_CONFIG_FILE=/dev/null $py -m pip download -q --no-cache-dir --disable-pip-version-check --index-url "http://127.0.0.1:$port/simple/" \
        -d "$work/dl-$name" "${wanted[@]}"
    pip_s=$(elapsed "$start" "$(now)")
    [ "$(ls "$work/dl-$name" | wc -l)" -eq 20 ] || { echo "$name: pip download did not get 20 files" >&2; exit 1; }
    eval "${name}_list_rps=$list_rps ${name}_list_p99=$list_p99 ${name}_page_rps=$page_rps ${name}_page_p99=$page_p99 ${name}_pip=$pip_s"
}

echo "== generating 500 and 5,000 packages" >&2
make_packages 500 "$work/packages"
make_packages 5000 "$work/packages5000"
find_pypiserver

echo "== pip-serve" >&2
serve ours 18941 "${tool[@]}" pip-serve "$work/packages" -p 18941 --bind 127.0.0.1
measure ours 18941
ours_rss=$(stop ours)

echo "== pypiserver" >&2
serve pypi 18942 "${pypi[@]}" run "${pypi_run[@]}" -p 18942 -i 127.0.0.1 "$work/packages"
measure pypi 18942
pypi_rss=$(stop pypi)

# big NAME PORT COMMAND...: a server on the 5,000 packages: every 25th project page under load, then the list;
# sets NAME_rps and NAME_rss
big() {
    local name=$1 port=$2 pages=() rps
    shift 2
    serve "$name" "$port" "$@"
    for i in $(seq 0 25 4999); do pages+=("/simple/$(printf 'bench-pkg-%04d' "$i")/"); done
    read -r rps _ < <(load "$port" "${pages[@]}")
    curl -sf -o /dev/null "http://127.0.0.1:$port/simple/"
    eval "${name}_rps=$rps ${name}_rss=$(stop "$name")"
}

echo "== pip-serve on 5,000 packages" >&2
big ours5k 18943 "${tool[@]}" pip-serve "$work/packages5000" -p 18943 --bind 127.0.0.1
echo "== pypiserver on 5,000 packages" >&2
big pypi5k 18944 "${pypi[@]}" run "${pypi_run[@]}" -p 18944 -i 127.0.0.1 "$work/packages5000"

printf '\n%-46s %12s %12s %8s\n' "figure" "pip-serve" "pypiserver" "ratio"
row() { printf '%-46s %12s %12s %8s\n' "$1" "$2" "$3" "$(ratio "$2" "$3")"; }
row "project list, requests/s (aim ratio >= 2)" "$ours_list_rps" "$pypi_list_rps"
row "project list, p99 ms (aim < 1)" "$ours_list_p99" "$pypi_list_p99"
row "project pages, requests/s (aim ratio >= 2)" "$ours_page_rps" "$pypi_page_rps"
row "project pages, p99 ms (aim < 1)" "$ours_page_p99" "$pypi_page_p99"
row "pip download of 20 packages, s" "$ours_pip" "$pypi_pip"
row "peak RSS, MB (500 packages)" "$ours_rss" "$pypi_rss"
row "peak RSS, MB (5,000 packages; aim: flat)" "$ours5k_rss" "$pypi5k_rss"
row "project pages, requests/s (5,000 packages)" "$ours5k_rps" "$pypi5k_rps"
printf '%-46s %12s %12s\n' "peak RSS 5,000 / 500 packages" "$(ratio "$ours5k_rss" "$ours_rss")" \
    "$(ratio "$pypi5k_rss" "$pypi_rss")"
