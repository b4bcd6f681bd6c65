#!/usr/bin/env bash
# Installs (apt) and starts what the tests and the demo need, when absent:
# a Docker Engine on unix:///var/run/docker.sock, busybox-static, zstd, Debian's pip, and a registry on 127.0.0.1:5000.
# Idempotent: whatever already answers is left alone. Needs root (no init system is assumed).
set -euo pipefail

log() { echo "engine-up: $*" >&2; }

need_pkgs=()
# this script asks the engine and the registry whether they answer with curl
command -v curl >/dev/null 2>&1 || need_pkgs+=(curl)
command -v dockerd >/dev/null 2>&1 || need_pkgs+=(docker.io)
[ -x /bin/busybox ] && /bin/busybox --list 2>/dev/null | grep -qx httpd || need_pkgs+=(busybox-static)
command -v docker-registry >/dev/null 2>&1 || need_pkgs+=(docker-registry)
# the export tests read zstd bundles with the zstd tool, as a user without mlreef-offline would
command -v zstd >/dev/null 2>&1 || need_pkgs+=(zstd)
# the registry tests make certificates (TLS, and the token endpoint's signing key) with openssl
command -v openssl >/dev/null 2>&1 || need_pkgs+=(openssl)
# the package index tests use Debian's pip as the client, and build a source distribution with setuptools
/usr/bin/python3 -m pip --version >/dev/null 2>&1 || need_pkgs+=(python3-pip)
/usr/bin/python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need_pkgs+=(python3-venv)
/usr/bin/python3 -c 'import setuptools, wheel' >/dev/null 2>&1 || need_pkgs+=(python3-setuptools python3-wheel)
if [ "${#need_pkgs[@]}" -gt 0 ]; then
    log "installing ${need_pkgs[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi

sock=/var/run/docker.sock
if ! curl -sf --max-time 3 --unix-socket "$sock" http://localhost/_ping >/dev/null 2>&1; then
    # a dockerd killed without a clean shutdown leaves its pid file; the next one refuses to start
    if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
        log "removing stale /var/run/docker.pid"
        rm -f /var/run/docker.pid
    fi
    if [ -f /var/run/docker/containerd/containerd.pid ] && ! kill -0 "$(cat /var/run/docker/containerd/containerd.pid)" 2>/dev/null; then
        rm -f /var/run/docker/containerd/containerd.pid
    fi
    log "starting dockerd"
    setsid dockerd --host "unix://$sock" >/tmp/dockerd.log 2>&1 < /dev/null &
    for _ in $(seq 1 60); do
        curl -sf --max-time 2 --unix-socket "$sock" http://localhost/_ping >/dev/null 2>&1 && break
        sleep 0.5
    done
    if ! curl -sf --max-time 2 --unix-socket "$sock" http://localhost/_ping >/dev/null 2>&1; then
        log "dockerd did not answer _ping within 30 s; its log:"
        tail -50 /tmp/dockerd.log >&2
        exit 1
    fi
fi
log "Docker Engine $(curl -s --unix-socket "$sock" http://localhost/version | sed -n 's/.*"Version":"\([^"]*\)".*"ApiVersion".*/\1/p' | head -1) answers on $sock"

if ! curl -sf --max-time 3 http://127.0.0.1:5000/v2/ >/dev/null 2>&1; then
    regdir=/var/lib/mlreef-offline-test-registry
    mkdir -p "$regdir/data"
    cat > "$regdir/config.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $regdir/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:5000
YAML
    log "starting the registry on 127.0.0.1:5000"
    setsid docker-registry serve "$regdir/config.yml" >/tmp/registry.log 2>&1 < /dev/null &
    for _ in $(seq 1 40); do
        curl -sf --max-time 2 http://127.0.0.1:5000/v2/ >/dev/null 2>&1 && break
        sleep 0.25
    done
    if ! curl -sf --max-time 2 http://127.0.0.1:5000/v2/ >/dev/null 2>&1; then
        log "the registry did not answer within 10 s; its log:"
        tail -30 /tmp/registry.log >&2
        exit 1
    fi
fi
log "registry answers on 127.0.0.1:5000"
