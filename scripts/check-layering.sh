#!/usr/bin/env bash
# Fails when a module includes a module it may not depend on (docs/architecture.md):
# data flows one way, collect -> store -> query -> api, and peers never include
# each other. Also fails on wall-clock reads or sleeps outside common/clock.cc
# (time is injected) and on third-party headers outside their one door.
set -euo pipefail
cd "$(dirname "$0")/../src"
declare -A allowed=(
  [common]=""
  [model]="common"
  [sql]="common"
  [dbconn]="common"
  [store]="common model"
  [collect]="common model sql dbconn"
  [anomaly]="common model"
  [pi]="common model store"
  [metrics]="common model store anomaly"
  [alarm]="common model store"
  [notify]="common model store"
  [dashboard]="common model store"
  [bucket]="common store"
  [advise]="common model sql dbconn"
  [loadgen]="common model sql dbconn"
  [analysis]="common model store pi metrics"
  [api]="common model pi metrics alarm notify dashboard bucket analysis"
  [config]="common model store collect dbconn api notify analysis"
  [web]="common api"
  [top]="common model collect"
  [app]="common model sql dbconn store collect advise anomaly pi metrics alarm notify dashboard bucket loadgen analysis api config web top"
  [testing]="common model sql dbconn"
)
fail=0
for mod in "${!allowed[@]}"; do
  [[ -d $mod ]] || continue
  while IFS= read -r line; do
    file=${line%%:*}
    dep=$(sed -E 's/.*#include "([a-z_]+)\/.*/\1/' <<<"$line")
    [[ $dep == "$mod" ]] && continue
    # Tests may build real lower-level parts (a store behind an API test).
    [[ $file == *_test.cc && $dep != app ]] && continue
    if [[ " ${allowed[$mod]} " != *" $dep "* ]]; then
      echo "layering: $file includes $dep/ (allowed for $mod/: ${allowed[$mod]:-none})"; fail=1
    fi
  done < <(grep -rnE '^#include "[a-z_]+/' "$mod" --include='*.h' --include='*.cc' || true)
done
while IFS= read -r hit; do
  echo "time must come from common/clock.h: $hit"; fail=1
done < <(grep -rnE 'std::chrono::(system|steady|high_resolution)_clock::now|sleep_for|[^_a-z]time\(nullptr\)' . \
           --include='*.cc' --include='*.h' | grep -v '^./common/clock.cc' | grep -v '^./testing/' | grep -v '_test.cc' || true)
door() {  # door HEADER-REGEX ALLOWED-DIR-REGEX
  while IFS= read -r hit; do echo "third-party door: $hit"; fail=1; done < <(
    grep -rnE "#include [<\"]($1)" . --include='*.h' --include='*.cc' | grep -vE "^\./($2)/" || true)
}
door 'libpq-fe.h' 'dbconn'
door 'mysql.h|errmsg.h|mysqld_error.h|mariadb/' 'dbconn'
door 'pg_query.h|xxhash.h' 'sql'
door 'sqlite3.h' 'store'
door 'httplib.h' 'api|testing'
door 'curl/' 'notify'
door 'yaml-cpp' 'config'
door 'CLI/' 'app'
door 'spdlog/' 'common'
door 'zstd.h' 'store'
door 'openssl/' 'bucket'
exit $fail
