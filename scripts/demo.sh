#!/usr/bin/env bash
# The demo (README's main command): installs what is missing, builds, starts a
# small fleet of throwaway servers (a PostgreSQL 15 primary with the sample
# schema, its streaming replica, and a MariaDB 10.11), drives a mixed workload
# on the primary and the MariaDB (CPU-heavy joins, row-lock waits, sleeps),
# runs one `dbinsight serve` watching all three and prints where to look.
# Runs until Ctrl-C, or DEMO_SECONDS if set.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PORT=${DEMO_PORT:-8421}
BUILD=${BUILD_DIR:-$ROOT/build}

bash "$ROOT/scripts/setup.sh"
cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" --target dbinsight

WORK=$(mktemp -d /tmp/dbinsight-demo-XXXXXX)
chmod 755 "$WORK"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  "$ROOT/scripts/pg-throwaway.sh" stop "$WORK/pgr" >/dev/null 2>&1 || true
  "$ROOT/scripts/pg-throwaway.sh" stop "$WORK/pg" >/dev/null 2>&1 || true
  "$ROOT/scripts/mariadb-throwaway.sh" stop "$WORK/maria" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 0' INT TERM

eval "$("$ROOT/scripts/pg-throwaway.sh" start "$WORK/pg")"
export PGHOST PGPORT PGUSER PGDATABASE
psql -q -c "CREATE DATABASE testdb"
psql -q -d testdb -f "$ROOT/scripts/workload/schema.sql"
psql -q -d testdb -c "GRANT CONNECT ON DATABASE testdb TO $PG_MONITOR_USER"
REPLICA_PORT=$("$ROOT/scripts/pg-throwaway.sh" start-replica "$WORK/pgr" "$WORK/pg" | sed -n 's/^PGPORT=//p')
eval "$("$ROOT/scripts/mariadb-throwaway.sh" start "$WORK/maria")"
M() { mariadb --no-defaults -uroot --socket="$MYSQL_SOCKET" app "$@"; }
M < "$ROOT/scripts/workload/mariadb/schema.sql"

# Secrets in files next to the config (not in it, not in the environment), so
# `dbinsight top` and `dbinsight report` read the same config from another shell.
(umask 077; printf '%s\n' "$PG_MONITOR_PASSWORD" >"$WORK/pg.pw"; printf '%s\n' "$MYSQL_MONITOR_PASSWORD" >"$WORK/maria.pw")
cat > "$WORK/dbinsight.yaml" <<YAML
listen: 127.0.0.1:$PORT
store: $WORK/data
statements_interval: 10s
instances:
  - id: demo-pg
    engine: postgres
    dsn: "host=127.0.0.1 port=$PGPORT dbname=postgres user=$PG_MONITOR_USER"
    password_file: pg.pw
    vcpus: $(nproc)
    host_metrics: true
  - id: demo-pg-replica
    engine: postgres
    dsn: "host=127.0.0.1 port=$REPLICA_PORT dbname=postgres user=$PG_MONITOR_USER"
    password_file: pg.pw
    vcpus: $(nproc)
    host_metrics: true
    replica_of: demo-pg
  - id: demo-mariadb
    engine: mariadb
    dsn: "mysql://$MYSQL_MONITOR_USER@127.0.0.1:$MYSQL_PORT/"
    password_file: maria.pw
    vcpus: $(nproc)
    host_metrics: true
YAML
  "$BUILD/src/app/dbinsight" serve --config "$WORK/dbinsight.yaml" >"$WORK/dbinsight.log" 2>&1 &
PIDS+=($!)

W="$ROOT/scripts/workload"
pgbench -n -d testdb -c 6 -j 2 -T "${DEMO_SECONDS:-86400}" \
  -f "$W/join.sql@4" -f "$W/cross.sql@1" -f "$W/aggregate.sql@4" -f "$W/lock.sql@3" -f "$W/sleep.sql@2" \
  >"$WORK/pgbench.log" 2>&1 &
PIDS+=($!)
# MariaDB: each session replays one script forever (sleeps, a CPU-heavy join,
# short transactions that queue on one row lock).
for script in sleep cross lock lock lock; do
  (while :; do cat "$W/mariadb/$script.sql"; done | M >/dev/null 2>>"$WORK/mariadb-load.log") &
  PIDS+=($!)
done

for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-demo} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-demo}
export AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-us-east-1}
EP="--endpoint-url http://127.0.0.1:$PORT"
RID=$(aws rds describe-db-instances $EP --db-instance-identifier demo-pg --query "DBInstances[0].DbiResourceId" --output text)

cat <<TXT

dbinsight is watching a throwaway fleet under a mixed workload:
  demo-pg (PostgreSQL primary, port $PGPORT), demo-pg-replica (streaming replica, port $REPLICA_PORT),
  demo-mariadb (MariaDB, port $MYSQL_PORT).
  web UI       : http://127.0.0.1:$PORT/   (fleet overview; click an instance for its DB load)
  API endpoint : http://127.0.0.1:$PORT      health: curl http://127.0.0.1:$PORT/healthz
  incidents    : curl http://127.0.0.1:$PORT/incidents   (and http://127.0.0.1:$PORT/#/incidents)
  terminal view: $BUILD/src/app/dbinsight top --config $WORK/dbinsight.yaml --instance demo-pg
  resource id  : $RID (demo-pg)
  logs         : $WORK/dbinsight.log, $WORK/pgbench.log

Try, in another shell (any credentials work):
  export AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo AWS_DEFAULT_REGION=us-east-1
  aws rds describe-db-instances $EP --query "DBInstances[0].DbiResourceId"
  aws pi get-resource-metrics $EP --service-type RDS --identifier $RID \\
      --start-time \$(date -d '-5 min' +%s) --end-time \$(date +%s) --period-in-seconds 60 \\
      --metric-queries '[{"Metric":"db.load.avg","GroupBy":{"Group":"db.wait_event","Limit":5}}]'
  aws pi describe-dimension-keys $EP --service-type RDS --identifier $RID \\
      --start-time \$(date -d '-5 min' +%s) --end-time \$(date +%s) --metric db.load.avg \\
      --group-by '{"Group":"db.sql_tokenized","Limit":5}' --partition-by '{"Group":"db.wait_event"}' \\
      --additional-metrics db.load.max
  aws pi get-dimension-key-details $EP --service-type RDS --identifier $RID --group db.sql_tokenized \\
      --group-identifier <db.sql_tokenized.id from the call above>
  aws pi list-available-resource-dimensions $EP --service-type RDS --identifier $RID --metrics db.load
  aws pi list-available-resource-metrics $EP --service-type RDS --identifier $RID --metric-types db os
  aws pi get-resource-metrics $EP --service-type RDS --identifier $RID \\
      --start-time \$(date -d '-5 min' +%s) --end-time \$(date +%s) --period-in-seconds 60 \\
      --metric-queries '[{"Metric":"db.Transactions.xact_commit.avg"},{"Metric":"os.cpuUtilization.total.avg"}]'
  aws rds describe-db-instances $EP --query "DBInstances[].[DBInstanceIdentifier,Engine,TagList[0].Value]"
  (the MariaDB: --identifier \$(aws rds describe-db-instances $EP --db-instance-identifier demo-mariadb \\
      --query "DBInstances[0].DbiResourceId" --output text))
  aws cloudwatch describe-alarms $EP --alarm-name-prefix RDS- --query "MetricAlarms[].[AlarmName,StateValue]"
  aws pi create-performance-analysis-report $EP --service-type RDS --identifier $RID \\
      --start-time \$(date -d '-10 min' +%s) --end-time \$(date +%s)
  $BUILD/src/app/dbinsight report --config $WORK/dbinsight.yaml --instance demo-pg --from -10m --to now
      (root cause with lock chains and index advice; the same in the UI under Reports)
  aws lambda invoke $EP --function-name dbinsight-analyzer-demo-pg /dev/stdout

Press Ctrl-C to stop (everything started here is removed).
TXT
if [[ -n "${DEMO_SECONDS:-}" ]]; then sleep "$DEMO_SECONDS"; else wait "${PIDS[1]}"; fi
