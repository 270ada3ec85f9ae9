#!/usr/bin/env bash
# remote_write.sh - remote write of a 5,000-host fleet into a real VictoriaMetrics, on
# loopback only. Enrols AGENTS (5000) agents, starts VictoriaMetrics and the release
# collector with [[remote_write]] every INTERVAL (5s), drives SECONDS_RUN (30) of
# heartbeats, then reads the collector's remote-write counters and VictoriaMetrics'
# own ingest counter: samples/s sent and accepted, and the collector's CPU for it.
set -euo pipefail
cd "$(dirname "$0")/.."
AGENTS="${AGENTS:-5000}"; SECONDS_RUN="${SECONDS_RUN:-30}"; INTERVAL="${INTERVAL:-5s}"
PORT="${PORT:-19813}"; VM_PORT="${VM_PORT:-19814}"
W=$(mktemp -d /tmp/simpul-rw.XXXXXX)
CPID=""; VPID=""
cleanup() { for p in $CPID $VPID; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT INT TERM
command -v victoria-metrics >/dev/null || { echo "needs Debian's victoria-metrics" >&2; exit 1; }

cargo build --release --locked -q -p simpul-collector -p simpul-bench
B=target/release
echo "date_utc: $(date -u +%Y-%m-%dT%H:%M:%SZ)  host: $(uname -srm)  nproc: $(nproc)  agents: $AGENTS  interval: $INTERVAL"
victoria-metrics -storageDataPath="$W/vm" -httpListenAddr="127.0.0.1:$VM_PORT" -retentionPeriod=1 >"$W/vm.log" 2>&1 &
VPID=$!
sed -e "s|^listen = .*|listen = \"127.0.0.1:$PORT\"|" -e "s|^data_dir = .*|data_dir = \"$W/data\"|" \
    -e "s|^rate_limit_per_address = .*|rate_limit_per_address = 0.0|" \
    -e "s|^rate_limit_per_agent = .*|rate_limit_per_agent = 0.0|" config/collector.toml > "$W/collector.toml"
printf '\n[[remote_write]]\nurl = "http://127.0.0.1:%s/api/v1/write"\ninterval = "%s"\nmax_queue_samples = 20000000\n' "$VM_PORT" "$INTERVAL" >> "$W/collector.toml"
"$B/ingest-load" enrol --data-dir "$W/data" --agents "$AGENTS" >/dev/null
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$VM_PORT/health" >/dev/null && break; sleep 0.1; done
"$B/simpul-collector" serve --config "$W/collector.toml" 2>"$W/collector.log" &
CPID=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
T0=$(date +%s.%N)
CPU0=$(awk '{print $14 + $15}' /proc/$CPID/stat)
"$B/ingest-load" run --url "http://127.0.0.1:$PORT" --tokens "$W/data/bench-tokens.txt" --seconds "$SECONDS_RUN" --concurrency 64 | sed 's/^/ingest: /'
sleep 6
T1=$(date +%s.%N)
CPU1=$(awk '{print $14 + $15}' /proc/$CPID/stat)
M=$(curl -s "http://127.0.0.1:$PORT/metrics")
get() { echo "$M" | awk -v k="$1" 'index($0, k) == 1 {print $2}'; }
SENT=$(echo "$M" | awk '/^simpul_remote_write_samples_total\{.*result="sent"/ {print $2}')
FAILED=$(echo "$M" | awk '/^simpul_remote_write_samples_total\{.*result="failed"/ {print $2}')
DROPPED=$(echo "$M" | awk '/^simpul_remote_write_samples_total\{.*result="dropped"/ {print $2}')
QUEUED=$(echo "$M" | awk '/^simpul_remote_write_queue_samples\{/ {print $2}')
SERIES=$(echo "$M" | grep -vc '^#')
VM_ROWS=$(curl -s "http://127.0.0.1:$VM_PORT/metrics" | awk '/^vm_rows_inserted_total\{type="promremotewrite"\}/ {print $2}')
awk -v s="$SENT" -v f="$FAILED" -v d="$DROPPED" -v q="$QUEUED" -v n="$SERIES" -v v="$VM_ROWS" \
    -v t0="$T0" -v t1="$T1" -v c0="$CPU0" -v c1="$CPU1" -v hz="$(getconf CLK_TCK)" 'BEGIN {
  el = t1 - t0
  printf "series_per_batch: %d\nelapsed_s: %.1f\nsamples_sent: %d  failed: %d  dropped: %d  queued_at_end: %d\n", n, el, s, f, d, q
  printf "samples_sent_per_s: %.0f\nvictoria_metrics_rows_inserted: %d\n", s / el, v
  printf "collector_cpu_s: %.2f (ingest and remote write together)\n", (c1 - c0) / hz
}'
echo "collector_rss_kb: $(awk '/^VmRSS:/ {print $2}' /proc/$CPID/status)"
