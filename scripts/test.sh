#!/usr/bin/env bash
# README's test command: sets up what the tests need (a Docker Engine, busybox-static, a registry on 127.0.0.1:5000)
# and runs the unit and integration tests with the engine required: an unreachable engine fails the build.
# Extra arguments go to Maven (for example -Dit.test=DoctorIT).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/engine-up.sh
./mvnw -B verify -Ddocker.required=true "$@"
