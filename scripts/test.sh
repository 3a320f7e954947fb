#!/usr/bin/env bash
# README's test command: installs what is missing, builds everything and runs
# every test (unit and integration: real PostgreSQL, both aws CLI and boto3
# generations) under CTest.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build}
bash "$ROOT/scripts/setup.sh"
cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$BUILD" -j "$(nproc)"
bash "$ROOT/scripts/check-layering.sh"
cd "$BUILD"
ctest --output-on-failure -j 2 "$@"
