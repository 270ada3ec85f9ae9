#!/usr/bin/env bash
# reports.sh - the supervisor's pages and reports at scale, on loopback only: AGENCIES
# (100) agencies with AGENTS (5,000) hosts spread over them (an SLA class each, one
# backup obligation each), this month's availability folded into spans by the
# collector's own rule (two outages and a reboot per host), SECONDS_RUN of live
# heartbeats. Then, as a logged-in admin with curl (time to first byte = server time,
# RUNS times): the scorecard page, the year's scorecard workbook, the yearly report as
# XLSX, one agency's yearly PDF and the all-agencies yearly PDF (with its page count).
# The issue's goals: scorecard page under 100 ms, one agency's PDF under 2 s, the
# all-agencies PDF under 20 s, the XLSX under 5 s.
set -euo pipefail
cd "$(dirname "$0")/.."
AGENCIES="${AGENCIES:-100}"; AGENTS="${AGENTS:-5000}"; SECONDS_RUN="${SECONDS_RUN:-10}"; RUNS="${RUNS:-5}"
PORT="${PORT:-19814}"
W=$(mktemp -d /tmp/simpul-reports.XXXXXX)
CPID=""
cleanup() { [ -n "$CPID" ] && kill "$CPID" 2>/dev/null; wait 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT INT TERM

cargo build --release --locked -q -p simpul-collector -p simpul-bench
B=target/release
YEAR=$(TZ=Asia/Jakarta date +%Y); MONTH=$(TZ=Asia/Jakarta date +%m)
echo "date_utc: $(date -u +%Y-%m-%dT%H:%M:%SZ)  host: $(uname -srm)  nproc: $(nproc)  agencies: $AGENCIES  hosts: $AGENTS"
{
  sed -e "s|^listen = .*|listen = \"127.0.0.1:$PORT\"|" -e "s|^data_dir = .*|data_dir = \"$W/data\"|" \
      -e "s|^rate_limit_per_address = .*|rate_limit_per_address = 0.0|" \
      -e "s|^rate_limit_per_agent = .*|rate_limit_per_agent = 0.0|" \
      -e "s|^duty_interval = .*|duty_interval = \"5s\"|" config/collector.toml
  for i in $(seq -f %03g 1 "$AGENCIES"); do
    printf '\n[[agencies]]\nid = "opd-%s"\nname = "Perangkat Daerah %s"\nsla = "colocation-gold"\n' "$i" "$i"
    printf '\n[[backups]]\nid = "opd-%s-db"\nagency = "opd-%s"\ndataset = "Basis data layanan"\ninterval = "24h"\n' "$i" "$i"
  done
} > "$W/collector.toml"
if ! grep -q '^duty_interval = ' "$W/collector.toml"; then
  { echo 'duty_interval = "5s"'; cat "$W/collector.toml"; } > "$W/c" && mv "$W/c" "$W/collector.toml"
fi
"$B/simpul-collector" check-config "$W/collector.toml" >/dev/null
"$B/ingest-load" enrol --data-dir "$W/data" --agents "$AGENTS" --agencies "$AGENCIES" >/dev/null
FROM=$(TZ=Asia/Jakarta date -d "$YEAR-$MONTH-01 00:00" +%s)
"$B/ingest-load" spans --data-dir "$W/data" --from "$FROM" --to "$(date +%s)" | sed 's/^/spans: /'
echo "bench admin password" | "$B/simpul-collector" user add bench --role admin --password-stdin --config "$W/collector.toml" 2>/dev/null
"$B/simpul-collector" serve --config "$W/collector.toml" 2>"$W/collector.log" &
CPID=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
"$B/ingest-load" run --url "http://127.0.0.1:$PORT" --tokens "$W/data/bench-tokens.txt" --seconds "$SECONDS_RUN" --concurrency 64 | sed 's/^/ingest: /'
sleep 6   # a duty evaluation with every host live

J="$W/jar"
curl -s -c "$J" -o /dev/null "http://127.0.0.1:$PORT/login"
LOGIN=$(awk '$6 == "simpul_login" {print $7}' "$J")
curl -s -b "$J" -c "$J" -o /dev/null --data-urlencode "name=bench" --data-urlencode "password=bench admin password" \
  --data-urlencode "login_csrf=$LOGIN" "http://127.0.0.1:$PORT/login"
printf '%-40s %9s %9s %9s %10s\n' page min_ms med_ms max_ms bytes
for p in / "/api/v1/scorecard?period=$YEAR&format=xlsx" "/reports/$YEAR.xlsx" "/agencies/opd-001/reports/$YEAR.pdf" "/reports/$YEAR.pdf"; do
  n="$RUNS"; case "$p" in /reports/*.pdf) n=$(( RUNS < 3 ? RUNS : 3 ));; esac
  for _ in $(seq 1 "$n"); do
    curl -s -b "$J" -o "$W/out" -w '%{http_code} %{time_starttransfer} %{size_download}\n' "http://127.0.0.1:$PORT$p"
  done | sort -k2 -g | awk -v p="$p" '
    $1 != 200 { bad = $1 }
    { t[NR] = $2; size = $3 }
    END { if (bad) { printf "%-40s HTTP %s\n", p, bad; exit }
          printf "%-40s %9.1f %9.1f %9.1f %10d\n", p, t[1]*1000, t[int((NR+1)/2)]*1000, t[NR]*1000, size }'
  case "$p" in *.pdf) command -v pdfinfo >/dev/null && echo "  pages: $(pdfinfo "$W/out" | awk '/^Pages:/ {print $2}')";; esac
done
echo "collector_rss_kb: $(awk '/^VmRSS:/ {print $2}' /proc/$CPID/status)"
