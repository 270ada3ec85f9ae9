#!/usr/bin/env bash
# sla.sh - the month SLA report for AGENTS hosts (default 5,000) with 30 s heartbeats:
# ingest-load folds each host's ~89,000 heartbeats of October 2026 (two outages and a
# reboot each) into spans by the collector's own rule and stores them; then
# `simpul-collector sla report` is timed (RUNS times) and the database size printed.
set -euo pipefail
cd "$(dirname "$0")/.."
AGENTS="${AGENTS:-5000}"; RUNS="${RUNS:-5}"
[ "$AGENTS" -le 20000 ] && [ "$RUNS" -le 20 ] || { echo "knobs out of bounds" >&2; exit 1; }
W=$(mktemp -d /tmp/simpul-sla.XXXXXX)
trap 'rm -rf "$W"' EXIT
cargo build --release --locked -q -p simpul-collector -p simpul-bench
B=target/release
echo "date_utc: $(date -u +%Y-%m-%dT%H:%M:%SZ)  host: $(uname -srm)  nproc: $(nproc)"
sed -e "s|^data_dir = .*|data_dir = \"$W/data\"|" config/collector.toml > "$W/collector.toml"
"$B/ingest-load" enrol --data-dir "$W/data" --agents "$AGENTS"
# October 2026 in Asia/Jakarta: 2026-09-30T17:00:00Z .. 2026-10-31T17:00:00Z
"$B/ingest-load" spans --data-dir "$W/data" --from 1790787600 --to 1793466000
echo "database_bytes: $(stat -c %s "$W/data/simpul.db")  (raw heartbeats would be one reports row each)"
times=()
for _ in $(seq 1 "$RUNS"); do
  s=$(date +%s%N)
  "$B/simpul-collector" sla report --config "$W/collector.toml" --period 2026-10 --format json > "$W/report.json"
  e=$(date +%s%N)
  times+=($(( (e - s) / 1000000 )))
done
python3 - "$W/report.json" "${times[@]}" <<'PY'
import json, sys, statistics
r = json.load(open(sys.argv[1]))
t = sorted(int(x) for x in sys.argv[2:])
h = r["hosts"]
print(f"sla_report_ms: min {t[0]} median {statistics.median(t)} max {t[-1]} (n={len(t)}, whole CLI process)")
print(f"hosts: {len(h)}  breached: {sum(x['status'] == 'breached' for x in h)}  outages: {sum(x['outage_count'] for x in h)}")
x = h[0]
print(f"first host: availability {x['availability_ratio']:.6f} down {x['down_seconds']:.0f} s in {x['outage_count']} outages")
PY
