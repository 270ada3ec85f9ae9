#!/usr/bin/env bash
# Builds Simpul and starts a collector on embedded SQLite together with a local agent
# reporting to it, on loopback only. Prints the URLs; Ctrl-C stops both.
#
# State (database, token, configs, logs) lives in ./.quickstart (override with
# SIMPUL_QUICKSTART_DIR); the port is 9810 (override with SIMPUL_PORT).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DIR="${SIMPUL_QUICKSTART_DIR:-$ROOT/.quickstart}"
PORT="${SIMPUL_PORT:-9810}"
BIN="$ROOT/target/release"

echo "== building (release)"
cargo build --release --locked -p simpul-collector
cargo build --profile agent --locked -p simpul-agent

mkdir -p "$DIR"
# the example config, on loopback, with the quick-start data directory
sed -e "s|^listen = .*|listen = \"127.0.0.1:$PORT\"|" \
    -e "s|^data_dir = .*|data_dir = \"$DIR/data\"|" \
    config/collector.toml > "$DIR/collector.toml"

HOST=$(cat /proc/sys/kernel/hostname)
if [ ! -s "$DIR/agent.token" ]; then
  "$BIN/simpul-collector" agent add --config "$DIR/collector.toml" \
    --agency diskominfo --host "$HOST" --site pusat-data > "$DIR/agent.token.tmp"
  mv "$DIR/agent.token.tmp" "$DIR/agent.token"
  chmod 600 "$DIR/agent.token"
fi
# a Diskominfo admin for the web pages and the JSON API: password and API token are
# generated once and kept (mode 600) in the quick-start directory
if [ ! -s "$DIR/admin.password" ]; then
  "$BIN/simpul-collector" user add admin --role admin --config "$DIR/collector.toml" \
    > "$DIR/admin.password.tmp" 2>/dev/null
  chmod 600 "$DIR/admin.password.tmp"
  mv "$DIR/admin.password.tmp" "$DIR/admin.password"
  "$BIN/simpul-collector" user token admin --config "$DIR/collector.toml" \
    > "$DIR/admin.api-token" 2>/dev/null
  chmod 600 "$DIR/admin.api-token"
fi
# /metrics needs a bearer token: a scrape token, as a Prometheus would use
if [ ! -s "$DIR/scrape.token" ]; then
  (umask 077 && "$BIN/simpul-collector" scrape-token add --name quickstart \
    --config "$DIR/collector.toml" > "$DIR/scrape.token" 2>/dev/null)
fi
cat > "$DIR/agent.toml" <<CONF
collector_url = "http://127.0.0.1:$PORT"
token_file = "$DIR/agent.token"
interval_secs = 30
hostname = "$HOST"
state_dir = "$DIR/agent-state"

# Simpul checks its own backups (obligation diskominfo-simpul of collector.toml)
[[backups]]
obligation = "diskominfo-simpul"
kind = "files"
path = "$DIR/backups/simpul-*Z.db"
CONF

PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

"$BIN/simpul-collector" serve --config "$DIR/collector.toml" 2>>"$DIR/collector.log" &
PIDS+=($!)
for _ in $(seq 1 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
  kill -0 "${PIDS[0]}" 2>/dev/null || { echo "collector failed to start; see $DIR/collector.log" >&2; tail -5 "$DIR/collector.log" >&2; exit 1; }
  sleep 0.1
done
# the collector's own database, copied while it serves (as simpul-collector-backup.timer
# does nightly on a packaged install)
"$BIN/simpul-collector" backup --config "$DIR/collector.toml" --out-dir "$DIR/backups" --keep 3 \
  >/dev/null 2>>"$DIR/collector.log"
"$ROOT/target/agent/simpul-agent" run --config "$DIR/agent.toml" 2>>"$DIR/agent.log" &
PIDS+=($!)

cat <<MSG

Simpul is running (collector + local agent for host "$HOST", agency diskominfo, site pusat-data).
  Web pages     : http://127.0.0.1:$PORT/   (user admin, password: $(cat "$DIR/admin.password"))
  Inventory API : http://127.0.0.1:$PORT/api/v1/hosts
  Host detail   : http://127.0.0.1:$PORT/api/v1/hosts/$HOST
  SLA (month)   : http://127.0.0.1:$PORT/api/v1/sla
  Backups       : http://127.0.0.1:$PORT/api/v1/backups
                  (the API needs a login: curl -H "Authorization: Bearer \$(cat $DIR/admin.api-token)" URL)
  Metrics       : http://127.0.0.1:$PORT/metrics
                  (Prometheus' scrape token: curl -H "Authorization: Bearer \$(cat $DIR/scrape.token)" URL)
  Health        : http://127.0.0.1:$PORT/healthz
  Logs          : $DIR/collector.log, $DIR/agent.log
The first report arrives within 3 seconds. Press Ctrl-C to stop.
MSG
wait -n "${PIDS[@]}"
echo "a process exited; see the logs in $DIR" >&2
exit 1
