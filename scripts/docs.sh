#!/usr/bin/env bash
# Regenerates the command reference in docs/commands/ from the commands' own help (what CommandReferenceTest checks).
# Run it after adding or changing a command or an option, and commit docs/commands/. Extra arguments go to Maven.
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q test -Dtest=CommandReferenceTest -Dsurefire.failIfNoSpecifiedTests=false -Ddocs.write=true "$@"
echo "docs: docs/commands/ regenerated" >&2
