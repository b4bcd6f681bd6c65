#!/usr/bin/env bash
# Assembles the local native-image kit (../shared/native-toolchain, or $NATIVE_TOOLCHAIN) and prints, one per line,
# the Maven arguments that build target/mlreef-offline with it:
#   mapfile -t kit < <(scripts/native-kit.sh) && ./mvnw package "${kit[@]}"
# Exits 3, printing nothing, when there is no kit: the caller goes on with the jar.
# What the kit builds links the JDK's shared libraries in the kit's folder ($NATIVE_HOME, default
# /var/cache/mlreef-offline/native-home, readable by every user, as the tests run the executable as nobody too):
# it is for tests and benchmarks on this machine. The static executable that
# ships is built by .github/workflows/native.yml.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { echo "native-kit: $*" >&2; }

toolchain=${NATIVE_TOOLCHAIN:-../shared/native-toolchain}
if [ ! -x "$toolchain/assemble.sh" ]; then
    log "no native-image kit at $toolchain: the jar is used"
    exit 3
fi
home=${NATIVE_HOME:-/var/cache/mlreef-offline/native-home}
mkdir -p "$(dirname "$home")"
chmod 755 "$(dirname "$home")"
log "assembling native-image in $home"
if ! MVN="$PWD/mvnw" "$toolchain/assemble.sh" "$home" > "$home.log" 2>&1; then
    tail -30 "$home.log" >&2
    log "assembling the kit failed (log: $home.log)"
    exit 1
fi
# The kit has no libmanagement_ext, whose OperatingSystemImpl.initialize0 the REST client's Netty makes reachable
# (its reflection config names ManagementFactory); nothing here asks for the operating system's MXBean, so the
# symbol is defined as null for this link only (the shipped static build is made by the workflow, not with the kit).
printf '%s\n' -Dnative "-Dquarkus.native.graalvm-home=$home" -Dquarkus.native.container-build=false \
    "-Dquarkus.native.additional-build-args-append=-H:-StaticExecutable,-H:UseLibC=glibc,-H:NativeLinkerOption=-Wl\\,-rpath=$home/lib/svm/jdk-shim,-H:NativeLinkerOption=-Wl\\,--defsym=Java_com_sun_management_internal_OperatingSystemImpl_initialize0=0"
