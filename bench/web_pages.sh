#!/usr/bin/env bash
# web_pages.sh - server time of every web page with a large fleet, on loopback only.
# Enrols AGENTS (5000) agents, starts the release collector, lets every agent report
# (SECONDS_RUN of heartbeats), logs in as an admin and times each page RUNS (10) times
# with curl (time to first byte on loopback = server time). The issue's goal: every page
# under 200 ms with 5,000 hosts.
set -euo pipefail
cd "$(dirname "$0")/.."
AGENTS="${AGENTS:-5000}"; SECONDS_RUN="${SECONDS_RUN:-15}"; RUNS="${RUNS:-10}"
PORT="${PORT:-19812}"
W=$(mktemp -d /tmp/simpul-web.XXXXXX)
CPID=""
cleanup() { [ -n "$CPID" ] && kill "$CPID" 2>/dev/null; wait 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT INT TERM

cargo build --release --locked -q -p simpul-collector -p simpul-bench
B=target/release
echo "date_utc: $(date -u +%Y-%m-%dT%H:%M:%SZ)  host: $(uname -srm)  nproc: $(nproc)  agents: $AGENTS"
sed -e "s|^listen = .*|listen = \"127.0.0.1:$PORT\"|" -e "s|^data_dir = .*|data_dir = \"$W/data\"|" \
    -e "s|^rate_limit_per_address = .*|rate_limit_per_address = 0.0|" \
    -e "s|^rate_limit_per_agent = .*|rate_limit_per_agent = 0.0|" config/collector.toml > "$W/collector.toml"
"$B/ingest-load" enrol --data-dir "$W/data" --agents "$AGENTS" >/dev/null
echo "bench admin password" | "$B/simpul-collector" user add bench --role admin --password-stdin --config "$W/collector.toml" 2>/dev/null
"$B/simpul-collector" serve --config "$W/collector.toml" 2>"$W/collector.log" &
CPID=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
"$B/ingest-load" run --url "http://127.0.0.1:$PORT" --tokens "$W/data/bench-tokens.txt" --seconds "$SECONDS_RUN" --concurrency 64 | sed 's/^/ingest: /'
sleep 31   # the SLA, backup and LAN states are computed every 30 s

J="$W/jar"
curl -s -c "$J" -o /dev/null "http://127.0.0.1:$PORT/login"
LOGIN=$(awk '$6 == "simpul_login" {print $7}' "$J")
curl -s -b "$J" -c "$J" -o /dev/null --data-urlencode "name=bench" --data-urlencode "password=bench admin password" \
  --data-urlencode "login_csrf=$LOGIN" "http://127.0.0.1:$PORT/login"
HOST_ID=$(head -1 "$W/data/bench-tokens.txt" | cut -d' ' -f1)
printf '%-28s %8s %8s %8s %10s\n' page min_ms med_ms max_ms bytes
YEAR=$(date +%Y)
for p in / /scorecard.csv "/api/v1/scorecard" "/api/v1/scorecard?period=$YEAR&format=xlsx" /agencies/dinkes "/hosts/$HOST_ID" /sla /sla.csv /backups /inventory /inventory.csv /lan "/reports/$YEAR.pdf" "/reports/$YEAR.xlsx" "/agencies/dinkes/reports/$YEAR.pdf"; do
  for _ in $(seq 1 "$RUNS"); do
    curl -s -b "$J" -o "$W/page" -w '%{http_code} %{time_starttransfer} %{size_download}\n' "http://127.0.0.1:$PORT$p"
  done | sort -k2 -g | awk -v p="$p" '
    $1 != 200 { bad = $1 }
    { t[NR] = $2; size = $3 }
    END { if (bad) { printf "%-28s HTTP %s\n", p, bad; exit }
          printf "%-28s %8.1f %8.1f %8.1f %10d\n", p, t[1]*1000, t[int((NR+1)/2)]*1000, t[NR]*1000, size }'
done
echo "collector_rss_kb: $(awk '/^VmRSS:/ {print $2}' /proc/$CPID/status)"
