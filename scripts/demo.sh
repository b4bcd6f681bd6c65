#!/usr/bin/env bash
# README's main-job command: on a fresh machine with no internet, starts a Docker Engine, builds mlreef-offline (the
# native executable where the native-image kit is, else the jar; it says which),
# makes a tiny demo stack from busybox (a web page that counts its visits in a volume), exports it into a bundle
# folder, verifies it, runs the stack from it (twice: the second run changes nothing) and shows its status.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/engine-up.sh
built=$(scripts/build-tool.sh)
read -ra tool <<< "$built"
echo "== the demo uses: ${tool[*]}" >&2
"${tool[@]}" --version

work=${DEMO_DIR:-target/demo}
port=${DEMO_PORT:-18080}
# a demo left running by an earlier run of this script goes first (its volume stays: the count goes on)
"${tool[@]}" down --stack demo -q >/dev/null 2>&1 || true
rm -rf "$work"
mkdir -p "$work/rootfs/bin" "$work/rootfs/www/cgi-bin" "$work/rootfs/data" "$work/ctx"
echo "== making the demo images from /bin/busybox (no internet needed)" >&2
cp /bin/busybox "$work/rootfs/bin/busybox"
for applet in sh httpd sleep echo cat printf; do ln -sf busybox "$work/rootfs/bin/$applet"; done
tar -C "$work/rootfs" -c . | docker import - mlreef-demo/base:1 >/dev/null
# the page: a CGI script that counts its visits in the volume mounted at /data
cat > "$work/ctx/count" <<'CGI'
#!/bin/sh
n=$(cat /data/count 2>/dev/null || echo 0)
n=$((n + 1))
echo "$n" > /data/count
printf 'Content-Type: text/html\r\n\r\n<h1>mlreef-offline demo</h1><p>This page was visited %s times.</p>\n' "$n"
CGI
cat > "$work/ctx/Dockerfile" <<'DOCKERFILE'
FROM mlreef-demo/base:1
COPY count /www/cgi-bin/count
RUN chmod 755 /www/cgi-bin/count && echo '<meta http-equiv="refresh" content="0; url=/cgi-bin/count">' > /www/index.html
CMD ["sh", "-c", "trap 'exit 0' TERM; httpd -p 8080 -h /www; echo 'demo web is ready'; while true; do sleep 1; done"]
DOCKERFILE
# its errors shown: a failed build stops the demo saying why
docker build -q -t mlreef-demo/web:1 "$work/ctx" >/dev/null
cat > "$work/demo.yaml" <<STACK
name: demo
services:
  web:
    image: mlreef-demo/web:1
    ports:
      - "$port:8080"
    volumes:
      - demo-data:/data
    restart: unless-stopped
    x-offline:
      ready: { log: "demo web is ready", timeout: 1m }
volumes:
  demo-data: {}
STACK

echo "== mlreef-offline export (the images are local: --no-pull)" >&2
"${tool[@]}" export --no-pull -f "$work/demo.yaml" -o "$work/bundle" --compress zstd
echo "== mlreef-offline verify" >&2
"${tool[@]}" verify -d "$work/bundle"
echo "== sha256sum -c SHA256SUMS (no mlreef-offline needed to check the files)" >&2
(cd "$work/bundle" && sha256sum -c SHA256SUMS)
echo "== the images leave the engine, as on an offline host that never had them" >&2
docker rmi mlreef-demo/web:1 >/dev/null
echo "== mlreef-offline run -d $work/bundle" >&2
"${tool[@]}" run -d "$work/bundle"
echo "== mlreef-offline run again: nothing to do" >&2
"${tool[@]}" run -d "$work/bundle"
echo "== mlreef-offline status -d $work/bundle" >&2
"${tool[@]}" status -d "$work/bundle"
page=$(wget -q -O - "http://localhost:$port/cgi-bin/count" 2>/dev/null || /bin/busybox wget -q -O - "http://localhost:$port/cgi-bin/count")
echo "== the page: $page" >&2
cat >&2 <<MSG

The demo runs: open http://localhost:$port/ (each visit is counted in the volume demo-data).
  ${tool[*]} logs --stack demo web          its log
  ${tool[*]} down --stack demo              remove it, keeping the volume (run -d $work/bundle brings it back)
  ${tool[*]} down --stack demo --volumes    remove it and its data (asks first)
The bundle is $work/bundle: carry it, with the native executable, to a host without internet.
MSG
