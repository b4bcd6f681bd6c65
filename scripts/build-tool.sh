#!/usr/bin/env bash
# Builds mlreef-offline for the demo and the benchmarks and prints the command that runs it: the native executable
# (target/mlreef-offline) where the native-image kit is (scripts/native-kit.sh), else the jar
# (java -jar target/mlreef-offline.jar). Says on stderr which one it built.
#   read -ra tool <<< "$(scripts/build-tool.sh)"
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
args=$(scripts/native-kit.sh) || status=$?
if [ "$status" -eq 0 ]; then
    mapfile -t kit <<< "$args"
    echo "== building the native executable target/mlreef-offline with the kit" >&2
    ./mvnw -B -q package -DskipTests "${kit[@]}" >&2
    echo "target/mlreef-offline"
elif [ "$status" -eq 3 ]; then
    echo "== building target/mlreef-offline.jar (no native-image kit here)" >&2
    ./mvnw -B -q package -DskipTests >&2
    echo "java -jar target/mlreef-offline.jar"
else
    exit "$status"
fi
