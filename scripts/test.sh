#!/usr/bin/env bash
# README's test command: sets up what the tests need (a Docker Engine, busybox-static, a registry on 127.0.0.1:5000)
# and runs the unit tests on the JVM and the integration tests against the real engine and registry, with the engine
# required: an unreachable engine fails the build.
# Where the native-image kit is (scripts/native-kit.sh), the native executable is built with it and the integration
# tests run against it, as the GitHub workflow runs them against the static one; elsewhere, or with NATIVE=0, against
# the jar. Extra arguments go to Maven (for example -Dit.test=DoctorIT).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/engine-up.sh
kit=()
if [ "${NATIVE:-1}" != 0 ]; then
    status=0
    args=$(scripts/native-kit.sh) || status=$?
    case $status in
        0) mapfile -t kit <<< "$args"
           echo "test: integration tests against the native executable (target/mlreef-offline)" >&2 ;;
        3) echo "test: integration tests against the jar (target/mlreef-offline.jar)" >&2 ;;
        *) exit "$status" ;;
    esac
fi
./mvnw -B verify -Ddocker.required=true "${kit[@]}" "$@"
