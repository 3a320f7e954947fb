#!/usr/bin/env bash
# Installs every Debian package dbinsight's build, tests and demo need. Idempotent; run as root.
set -euo pipefail
PKGS=(
  # build
  build-essential cmake ninja-build pkg-config
  # libraries (one door each: see docs/architecture.md)
  libpq-dev libmariadb-dev libpg-query-dev libsqlite3-dev libzstd-dev libcpp-httplib-dev nlohmann-json3-dev
  libyaml-cpp-dev libspdlog-dev libfmt-dev libcli11-dev libxxhash-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libcurl4-openssl-dev
  # real services and clients the tests and demo drive
  postgresql-15 postgresql-client-15 postgresql-contrib mariadb-server mariadb-client
  postgresql-15-hypopg  # hypothetical indexes in index advice (docs/analysis.md)
  postgresql-15-pg-qualstats  # recorded per-column selectivity in index advice (docs/analysis.md)
  awscli python3-boto3 curl bc python3-aiosmtpd
  # web UI tests (headless browser driven by playwright-core) and `dbinsight top` tests
  chromium tmux
  # benchmark baselines (bench/collector_overhead.sh)
  prometheus-postgres-exporter prometheus-mysqld-exporter
)
# The UI's build runs npm (web/package.json). Any Node.js 18+ with npm will do: take
# Debian's only when the machine has none (an installed nodesource build bundles npm).
command -v npm >/dev/null || PKGS+=(nodejs npm)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  # Never let a package's postinst start a system service on the host.
  [ -x /usr/sbin/policy-rc.d ] || { printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; }
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=600 "${missing[@]}"
fi
