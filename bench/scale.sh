#!/usr/bin/env bash
# scale.sh - a province-sized fleet against one collector on SQLite, with remote write
# into a real VictoriaMetrics, on loopback only. AGENTS (20000) simulated agents each
# report every INTERVAL (30) seconds, spread evenly, for SECONDS_RUN (120); prints
# reports/s, p99 ingest latency, the collector's CPU and RSS, and remote-write
# samples/s into VictoriaMetrics.
#
# The issue's full benchmark also runs 1 and 2 replicas on PostgreSQL: this version of
# the collector has no PostgreSQL store yet, so only the SQLite column is measured.
set -euo pipefail
cd "$(dirname "$0")/.."
AGENTS="${AGENTS:-20000}"; INTERVAL="${INTERVAL:-30}"; SECONDS_RUN="${SECONDS_RUN:-120}"
REMOTE_WRITE="${REMOTE_WRITE:-1}"   # 0: no [[remote_write]] (isolates its cost)
PORT="${PORT:-19815}"; VM_PORT="${VM_PORT:-19816}"
W=$(mktemp -d /tmp/simpul-scale.XXXXXX)
CPID=""; VPID=""
cleanup() { for p in $CPID $VPID; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT INT TERM
command -v victoria-metrics >/dev/null || { echo "needs Debian's victoria-metrics" >&2; exit 1; }

cargo build --release --locked -q -p simpul-collector -p simpul-bench
B=target/release
echo "date_utc: $(date -u +%Y-%m-%dT%H:%M:%SZ)  host: $(uname -srm)  nproc: $(nproc)  agents: $AGENTS every ${INTERVAL}s for ${SECONDS_RUN}s"
victoria-metrics -storageDataPath="$W/vm" -httpListenAddr="127.0.0.1:$VM_PORT" -retentionPeriod=1 >"$W/vm.log" 2>&1 &
VPID=$!
sed -e "s|^listen = .*|listen = \"127.0.0.1:$PORT\"|" -e "s|^data_dir = .*|data_dir = \"$W/data\"|" \
    -e "s|^rate_limit_per_address = .*|rate_limit_per_address = 0.0|" \
    -e "s|^rate_limit_per_agent = .*|rate_limit_per_agent = 0.0|" config/collector.toml > "$W/collector.toml"
[ "$REMOTE_WRITE" = 0 ] || printf '\n[[remote_write]]\nurl = "http://127.0.0.1:%s/api/v1/write"\ninterval = "30s"\nmax_queue_samples = 50000000\n' "$VM_PORT" >> "$W/collector.toml"
"$B/ingest-load" enrol --data-dir "$W/data" --agents "$AGENTS" >/dev/null
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$VM_PORT/health" >/dev/null && break; sleep 0.1; done
"$B/simpul-collector" serve --config "$W/collector.toml" 2>"$W/collector.log" &
CPID=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
VMCPU0=$(awk '{print $14 + $15}' /proc/$VPID/stat)
CPU0=$(awk '{print $14 + $15}' /proc/$CPID/stat); T0=$(date +%s.%N)
"$B/ingest-load" run --url "http://127.0.0.1:$PORT" --tokens "$W/data/bench-tokens.txt" \
  --seconds "$SECONDS_RUN" --concurrency 256 --interval "$INTERVAL" | sed 's/^/ingest: /'
CPU1=$(awk '{print $14 + $15}' /proc/$CPID/stat); T1=$(date +%s.%N)
VMCPU1=$(awk '{print $14 + $15}' /proc/$VPID/stat)
M=$(curl -s "http://127.0.0.1:$PORT/metrics")
SENT=$(echo "$M" | awk '/^simpul_remote_write_samples_total\{.*result="sent"/ {print $2}')
DROPPED=$(echo "$M" | awk '/^simpul_remote_write_samples_total\{.*result="dropped"/ {print $2}')
QUEUED=$(echo "$M" | awk '/^simpul_remote_write_queue_samples\{/ {print $2}')
awk -v c0="$CPU0" -v c1="$CPU1" -v v0="$VMCPU0" -v v1="$VMCPU1" -v t0="$T0" -v t1="$T1" -v hz="$(getconf CLK_TCK)" \
    -v s="$SENT" -v d="$DROPPED" -v q="$QUEUED" 'BEGIN {
  el = t1 - t0
  printf "collector_cpu: %.1f %% of one core\nvictoria_metrics_cpu: %.1f %% of one core\n", (c1 - c0) / hz / el * 100, (v1 - v0) / hz / el * 100
  printf "remote_write_samples_sent: %d (%.0f/s)  dropped: %d  queued_at_end: %d\n", s, s / el, d, q
}'
echo "collector_rss_kb: $(awk '/^VmRSS:/ {print $2}' /proc/$CPID/status)  hwm_kb: $(awk '/^VmHWM:/ {print $2}' /proc/$CPID/status)"
echo "database_bytes: $(du -cb "$W/data"/simpul.db* | tail -1 | cut -f1)"
