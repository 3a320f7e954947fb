#!/usr/bin/env bash
# Sampler overhead: pgbench TPS on a throwaway cluster without dbinsight, with
# dbinsight sampling every 1 s, and every 100 ms, in one run. Rounds alternate
# the three modes so drift on a shared machine hits each alike. Because TPS on
# a small shared machine varies by several percent run to run, it also reports
# the direct cost: dbinsight's own CPU time and the server time of its
# sampling query (pg_stat_statements), as a share of the machine's CPU.
#   bench/sampler_overhead.sh [SECONDS_PER_RUN=30] [ROUNDS=3]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${DBINSIGHT_BIN:-$ROOT/build/src/app/dbinsight}
SECS=${1:-30}
ROUNDS=${2:-3}
WORK=$(mktemp -d /tmp/dbinsight-overhead-XXXXXX)
chmod 755 "$WORK"
cleanup() {
  [[ -n "${DPID:-}" ]] && kill "$DPID" 2>/dev/null || true
  "$ROOT/scripts/pg-throwaway.sh" stop "$WORK/pg" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
eval "$("$ROOT/scripts/pg-throwaway.sh" start "$WORK/pg")"
export PGHOST PGPORT PGUSER PGDATABASE
pgbench -i -s 10 -q >/dev/null 2>&1

start_dbinsight() {  # interval
  cat >"$WORK/cfg.yaml" <<YAML
listen: 127.0.0.1:0
store: $WORK/data-$1
sample_interval: $1
instances:
  - {id: bench-pg, engine: postgres, dsn: "host=127.0.0.1 port=$PGPORT dbname=postgres user=monitor password=$PG_MONITOR_PASSWORD", vcpus: 2}
YAML
  "$BIN" serve --config "$WORK/cfg.yaml" >"$WORK/dbinsight-$1.log" 2>&1 &
  DPID=$!
  until grep -q "sampling is live" "$WORK/dbinsight-$1.log"; do sleep 0.1; done
}
tps() { pgbench -n -c 4 -j 2 -T "$SECS" -M prepared 2>/dev/null | sed -n 's/^tps = \([0-9.]*\).*/\1/p'; }
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) * 1000 / hz}' "/proc/$1/stat"; }
server_ms() {
  psql -Atc "select coalesce(sum(total_exec_time), 0) from pg_stat_statements where query like 'SELECT pid, leader_pid%'"
}

declare -A total=([off]=0 [1s]=0 [100ms]=0)
for r in $(seq "$ROUNDS"); do
  for mode in off 1s 100ms; do
    psql -qAtc "select pg_stat_statements_reset()" >/dev/null
    [[ $mode != off ]] && start_dbinsight "$mode"
    c0=$([[ $mode != off ]] && cpu_ms "$DPID" || echo 0)
    t=$(tps)
    extra=""
    if [[ $mode != off ]]; then
      c1=$(cpu_ms "$DPID")
      s1=$(server_ms)
      extra=$(printf "; dbinsight CPU %.0f ms + server %.0f ms in %s s = %.3f%% of 2 cores" "$(echo "$c1 - $c0" | bc -l)" \
        "$s1" "$SECS" "$(echo "($c1 - $c0 + $s1) / ($SECS * 2000) * 100" | bc -l)")
      kill "$DPID"; wait "$DPID" 2>/dev/null || true; DPID=
    fi
    echo "round $r $mode: $t tps$extra"
    total[$mode]=$(echo "${total[$mode]} + $t" | bc -l)
  done
done
for mode in off 1s 100ms; do
  avg=$(echo "${total[$mode]} / $ROUNDS" | bc -l)
  printf "%-6s mean %.1f tps (%+.2f%% vs off)\n" "$mode" "$avg" "$(echo "($avg / (${total[off]} / $ROUNDS) - 1) * 100" | bc -l)"
done
