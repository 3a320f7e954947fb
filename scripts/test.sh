#!/usr/bin/env bash
# README's test command: installs what is missing, builds everything and runs
# every test (unit and integration: real PostgreSQL, both aws CLI and boto3
# generations) under CTest, then the unit tests again under ASan+UBSan.
# Extra arguments go to the first ctest (e.g. -L unit, -R store).
# DBI_SKIP_SANITIZE=1 skips the sanitizer pass (local iteration).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD_DIR:-$ROOT/build}
bash "$ROOT/scripts/setup.sh"
bash "$ROOT/scripts/check-layering.sh"
cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$BUILD" -j "$(nproc)"
(cd "$BUILD" && ctest --output-on-failure -j 2 "$@")
if [[ -z "${DBI_SKIP_SANITIZE:-}" ]]; then
  # Memory and UB errors in pure logic and the store show up here; the
  # real-server tests above already ran against the optimized build.
  cmake -S "$ROOT" -B "$BUILD-asan" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DDBINSIGHT_SANITIZE=ON
  cmake --build "$BUILD-asan" -j "$(nproc)"
  (cd "$BUILD-asan" && ctest --output-on-failure -j 2 -L unit)
fi
