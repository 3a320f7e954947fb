#!/usr/bin/env bash
# Scores the anomaly detector on the NAB DEV set (docs/anomaly.md): runs
# `DBINSIGHT anomaly score` on every series in files.txt into a temp dir laid
# out as nab_score.py expects, then prints the NAB scores with the threshold
# optimised on these files (standard profile first). Builds nothing.
# Usage: bench/nab_eval.sh [DBINSIGHT_BINARY] [-- extra `anomaly score` flags]
# Env: NAB_DATA (default ../shared/data/nab), NAB_SCORE (../shared/tools/nab_score.py),
#      KEEP=1 keeps the output dir, PER_FILE=1 adds per-file rows.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/build/src/app/dbinsight}
shift || true
[[ ${1:-} == -- ]] && shift
data=${NAB_DATA:-$root/../shared/data/nab}
scorer=${NAB_SCORE:-$root/../shared/tools/nab_score.py}
[[ -x $bin ]] || { echo "nab_eval: no executable dbinsight at $bin" >&2; exit 2; }
[[ -f $data/files.txt ]] || { echo "nab_eval: no NAB data at $data" >&2; exit 2; }
out=$(mktemp -d /tmp/nab_eval.XXXXXX)
[[ -n ${KEEP:-} ]] || trap 'rm -rf "$out"' EXIT
start=$EPOCHREALTIME
while IFS= read -r key; do
  [[ -n $key ]] || continue
  mkdir -p "$out/$(dirname "$key")"
  "$bin" anomaly score --in "$data/$key" --out "$out/$key" "$@"
done <"$data/files.txt"
end=$EPOCHREALTIME
awk -v a="$start" -v b="$end" -v f="$(grep -c . "$data/files.txt")" \
  'BEGIN { printf "scored %d files in %.2f s\n", f, b - a }'
[[ -z ${KEEP:-} ]] || echo "detector output kept in $out"
python3 "$scorer" score --results "$out" --labels "$data/labels.json" --files "$data/files.txt" --data "$data" \
  --optimize --profile all ${PER_FILE:+--per-file} | grep -v '^  Totals'
