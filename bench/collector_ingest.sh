#!/usr/bin/env bash
# collector_ingest.sh - collector ingest throughput and /metrics latency for a simulated
# fleet, on loopback only. Enrols AGENTS (5000) agents, starts the release collector,
# drives SECONDS (20) of gzip heartbeats from CONCURRENCY (64) connections, then times
# SCRAPES (10) scrapes of /metrics for the whole fleet and reads the collector's RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
AGENTS="${AGENTS:-5000}"; SECONDS_RUN="${SECONDS_RUN:-20}"; CONCURRENCY="${CONCURRENCY:-64}"; SCRAPES="${SCRAPES:-10}"
PORT="${PORT:-19811}"
W=$(mktemp -d /tmp/simpul-ingest.XXXXXX)
CPID=""
cleanup() { [ -n "$CPID" ] && kill "$CPID" 2>/dev/null; wait 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT INT TERM

cargo build --release --locked -q -p simpul-collector -p simpul-bench
B=target/release
echo "date_utc: $(date -u +%Y-%m-%dT%H:%M:%SZ)  host: $(uname -srm)  nproc: $(nproc)"
# 5,000 simulated agents share one loopback address: no rate limits in the load test
sed -e "s|^metrics_auth = .*|metrics_auth = false|" -e "s|^listen = .*|listen = \"127.0.0.1:$PORT\"|" -e "s|^data_dir = .*|data_dir = \"$W/data\"|" \
    -e "s|^rate_limit_per_address = .*|rate_limit_per_address = 0.0|" \
    -e "s|^rate_limit_per_agent = .*|rate_limit_per_agent = 0.0|" config/collector.toml > "$W/collector.toml"
grep -q "^rate_limit_per_address = 0.0" "$W/collector.toml" || { echo "config/collector.toml lost its rate_limit keys" >&2; exit 1; }
"$B/ingest-load" enrol --data-dir "$W/data" --agents "$AGENTS"
"$B/simpul-collector" check-config "$W/collector.toml" >/dev/null
"$B/simpul-collector" serve --config "$W/collector.toml" 2>"$W/collector.log" &
CPID=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
"$B/ingest-load" run --url "http://127.0.0.1:$PORT" --tokens "$W/data/bench-tokens.txt" --seconds "$SECONDS_RUN" --concurrency "$CONCURRENCY"
echo "collector_rss_kb_after_load: $(awk '/^VmRSS:/ {print $2}' /proc/$CPID/status)"
echo "collector_hwm_kb: $(awk '/^VmHWM:/ {print $2}' /proc/$CPID/status)"
for i in $(seq 1 "$SCRAPES"); do
  curl -s -o "$W/metrics.txt" -w '%{time_total}\n' "http://127.0.0.1:$PORT/metrics"
done | sort -g | awk '{a[NR]=$1} END {printf "metrics_scrape_ms: min %.1f median %.1f max %.1f (n=%d)\n", a[1]*1000, a[int((NR+1)/2)]*1000, a[NR]*1000, NR}'
echo "metrics_body_bytes: $(stat -c %s "$W/metrics.txt")  samples: $(grep -vc '^#' "$W/metrics.txt")  hosts_up: $(grep -c '^simpul_host_up{.*} 1$' "$W/metrics.txt")"
echo "database_bytes: $(du -cb "$W/data"/simpul.db* | tail -1 | cut -f1)"
