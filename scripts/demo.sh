#!/usr/bin/env bash
# README's main-job command: on a fresh machine, starts a Docker Engine, builds mlreef-offline and runs its
# preflight ('doctor') against the engine. 'export' and 'run' of a demo stack join this script when they are built.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/engine-up.sh
echo "== building target/mlreef-offline.jar" >&2
./mvnw -B -q package -DskipTests
tool=(java -jar target/mlreef-offline.jar)
echo "== mlreef-offline --version" >&2
"${tool[@]}" --version
echo "== mlreef-offline doctor" >&2
status=0
"${tool[@]}" doctor || status=$?
cat >&2 <<MSG

Built: target/mlreef-offline.jar (java -jar target/mlreef-offline.jar --help).
doctor exited $status (0: nothing blocks a run; 1: see the lines marked fail).
MSG
exit "$status"
