#!/usr/bin/env bash
# web_pages.sh - server time of every web page with a large fleet, on loopback only.
# Enrols AGENTS (5000) agents, starts the release collector, lets every agent report
# (SECONDS_RUN of heartbeats), logs in as an admin and times each page RUNS (10) times
# with curl (time to first byte on loopback = server time). The issue's goal: every page
# under 200 ms with 5,000 hosts.
#
# BASELINE=<git ref> (e.g. the commit before a change) builds that version too (in a git
# worktree, its own target dir target/bench-baseline) and runs it side by side with this
# one: both collectors get the same fleet and heartbeats, and each page is fetched from
# the baseline, then from this version in English (Accept-Language: en), then in Bahasa
# Indonesia (Accept-Language: id), in turn, RUNS times. The last columns are this
# version's medians over the baseline's.
set -euo pipefail
cd "$(dirname "$0")/.."
AGENTS="${AGENTS:-5000}"; SECONDS_RUN="${SECONDS_RUN:-15}"; RUNS="${RUNS:-10}"
PORT="${PORT:-19812}"; BASE_PORT="${BASE_PORT:-19813}"; BASELINE="${BASELINE:-}"
W=$(mktemp -d /tmp/simpul-web.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$W"
}
trap cleanup EXIT INT TERM

cargo build --release --locked -q -p simpul-collector -p simpul-bench
B=target/release
if [ -n "$BASELINE" ]; then
  # kept between runs (target/ is not in the repository): the next run builds only
  # what changed
  BSRC="$PWD/target/bench-baseline-src"
  if [ -d "$BSRC" ]; then git -C "$BSRC" checkout -q --detach "$BASELINE"
  else git worktree add -q --detach "$BSRC" "$BASELINE"; fi
  BT="$PWD/target/bench-baseline"
  (cd "$BSRC" && CARGO_TARGET_DIR="$BT" cargo build --release --locked -q -p simpul-collector -p simpul-bench)
  BB="$BT/release"
fi
echo "date_utc: $(date -u +%Y-%m-%dT%H:%M:%SZ)  host: $(uname -srm)  nproc: $(nproc)  agents: $AGENTS  commit: $(git rev-parse --short HEAD)${BASELINE:+  baseline: $(git rev-parse --short "$BASELINE")}"

# start BIN_DIR NAME PORT CONFIG: a collector (the version's own example config) with
# AGENTS enrolled agents and their heartbeats
start() {
  local bin="$1" name="$2" port="$3" example="$4" d="$W/$2"
  mkdir -p "$d"
  sed -e "s|^listen = .*|listen = \"127.0.0.1:$port\"|" -e "s|^data_dir = .*|data_dir = \"$d/data\"|" \
      -e "s|^rate_limit_per_address = .*|rate_limit_per_address = 0.0|" \
      -e "s|^rate_limit_per_agent = .*|rate_limit_per_agent = 0.0|" "$example" > "$d/collector.toml"
  "$bin/ingest-load" enrol --data-dir "$d/data" --agents "$AGENTS" >/dev/null
  echo "bench admin password" | "$bin/simpul-collector" user add bench --role admin --password-stdin --config "$d/collector.toml" 2>/dev/null
  "$bin/simpul-collector" serve --config "$d/collector.toml" 2>"$d/collector.log" &
  PIDS+=($!)
  echo $! > "$d/pid"
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
  "$bin/ingest-load" run --url "http://127.0.0.1:$port" --tokens "$d/data/bench-tokens.txt" --seconds "$SECONDS_RUN" --concurrency 64 | sed "s/^/ingest ($name): /"
  local jar="$d/jar"
  curl -s -c "$jar" -o /dev/null "http://127.0.0.1:$port/login"
  local login
  login=$(awk '$6 == "simpul_login" {print $7}' "$jar")
  curl -s -b "$jar" -c "$jar" -o /dev/null --data-urlencode "name=bench" --data-urlencode "password=bench admin password" \
    --data-urlencode "login_csrf=$login" "http://127.0.0.1:$port/login"
}

start "$B" current "$PORT" config/collector.toml
[ -n "$BASELINE" ] && start "$BB" baseline "$BASE_PORT" "$BSRC/config/collector.toml"
sleep 31   # the SLA, backup and LAN states are computed every 30 s

YEAR=$(date +%Y)
# fetch NAME PORT LANG PATH: one timed fetch -> "code seconds bytes"; {host} in PATH is
# that collector's first enrolled agent
fetch() {
  local host path
  host=$(head -1 "$W/$1/data/bench-tokens.txt" | cut -d' ' -f1)
  path="${4//\{host\}/$host}"
  curl -s -b "$W/$1/jar" -H "Accept-Language: $3" -o /dev/null \
    -w '%{http_code} %{time_starttransfer} %{size_download}\n' "http://127.0.0.1:$2$path"
}
# the median (ms) and body of a file of "code seconds bytes" lines; "HTTP n" on an error
median() {
  sort -k2 -g "$1" | awk '$1 != 200 { bad = $1 } { t[NR] = $2; size = $3 }
    END { if (bad) { printf "HTTP %s", bad; exit } printf "%.1f %d", t[int((NR+1)/2)] * 1000, size }'
}
if [ -n "$BASELINE" ]; then
  printf '%-34s %9s %9s %9s %9s %9s %7s %7s\n' page base_ms en_ms id_ms en_bytes id_bytes en/base id/base
else
  printf '%-34s %9s %9s %9s %9s\n' page en_ms id_ms en_bytes id_bytes
fi
for p in / /scorecard.csv "/api/v1/scorecard" "/api/v1/scorecard?period=$YEAR&format=xlsx" /agencies/dinkes "/hosts/{host}" /sla /sla.csv /backups /inventory /inventory.csv /lan "/reports/$YEAR.pdf" "/reports/$YEAR.xlsx" "/agencies/dinkes/reports/$YEAR.pdf"; do
  : > "$W/t-base"; : > "$W/t-en"; : > "$W/t-id"
  for _ in $(seq 1 "$RUNS"); do
    [ -n "$BASELINE" ] && fetch baseline "$BASE_PORT" en "$p" >> "$W/t-base"
    fetch current "$PORT" en "$p" >> "$W/t-en"
    fetch current "$PORT" id "$p" >> "$W/t-id"
  done
  read -r en en_size <<< "$(median "$W/t-en")"
  read -r id id_size <<< "$(median "$W/t-id")"
  if [ -n "$BASELINE" ]; then
    read -r base _ <<< "$(median "$W/t-base")"
    printf '%-34s %9s %9s %9s %9s %9s %7s %7s\n' "$p" "$base" "$en" "$id" "$en_size" "$id_size" \
      "$(awk -v a="$en" -v b="$base" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')" \
      "$(awk -v a="$id" -v b="$base" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')"
  else
    printf '%-34s %9s %9s %9s %9s\n' "$p" "$en" "$id" "$en_size" "$id_size"
  fi
done
echo "collector_rss_kb: $(awk '/^VmRSS:/ {print $2}' "/proc/$(cat "$W/current/pid")/status")"
[ -n "$BASELINE" ] && echo "baseline_rss_kb: $(awk '/^VmRSS:/ {print $2}' "/proc/$(cat "$W/baseline/pid")/status")"
exit 0
