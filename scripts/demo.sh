#!/usr/bin/env bash
# README's main-job command: on a fresh machine with no internet, starts a Docker Engine, builds mlreef-offline,
# makes a tiny demo stack from busybox (a web server and a worker that share a base layer), exports it into a bundle
# folder, verifies the bundle (with mlreef-offline and with sha256sum) and runs the preflight ('doctor').
# 'run' of the bundle joins this script when it is built.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/engine-up.sh
echo "== building target/mlreef-offline.jar" >&2
./mvnw -B -q package -DskipTests
tool=(java -jar target/mlreef-offline.jar)
"${tool[@]}" --version

work=${DEMO_DIR:-target/demo}
rm -rf "$work"
mkdir -p "$work/rootfs/bin" "$work/rootfs/www" "$work/ctx"
echo "== making the demo images from /bin/busybox (no internet needed)" >&2
cp /bin/busybox "$work/rootfs/bin/busybox"
for applet in sh httpd sleep echo cat date; do ln -sf busybox "$work/rootfs/bin/$applet"; done
tar -C "$work/rootfs" -c . | docker import - mlreef-demo/base:1 >/dev/null
printf 'FROM mlreef-demo/base:1\nRUN echo "<h1>mlreef-offline demo</h1>" > /www/index.html\nCMD ["httpd", "-f", "-p", "8080", "-h", "/www"]\n' \
    > "$work/ctx/Dockerfile"
docker build -q -t mlreef-demo/web:1 "$work/ctx" >/dev/null
printf 'FROM mlreef-demo/base:1\nCMD ["sleep", "3600"]\n' > "$work/ctx/Dockerfile"
docker build -q -t mlreef-demo/worker:1 "$work/ctx" >/dev/null
cat > "$work/demo.yaml" <<'STACK'
name: demo
services:
  web:
    image: mlreef-demo/web:1
    ports:
      - "18080:8080"
    volumes:
      - demo-data:/data
    restart: unless-stopped
  worker:
    image: mlreef-demo/worker:1
volumes:
  demo-data: {}
STACK

echo "== mlreef-offline export (the images are local: --no-pull)" >&2
"${tool[@]}" export --no-pull -f "$work/demo.yaml" -o "$work/bundle" --compress zstd
echo "== mlreef-offline verify" >&2
"${tool[@]}" verify -d "$work/bundle"
echo "== sha256sum -c SHA256SUMS (no mlreef-offline needed to check the files)" >&2
(cd "$work/bundle" && sha256sum -c SHA256SUMS)
echo "== mlreef-offline doctor" >&2
status=0
"${tool[@]}" doctor || status=$?
cat >&2 <<MSG

Built: target/mlreef-offline.jar (java -jar target/mlreef-offline.jar --help).
Bundle: $work/bundle (bundle.json, SHA256SUMS, images/*.tar.zst); carry it to an offline host with the executable.
doctor exited $status (0: nothing blocks a run; 1: see the lines marked fail).
MSG
exit "$status"
