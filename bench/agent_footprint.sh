#!/usr/bin/env bash
# agent_footprint.sh - simpul-agent side by side with prometheus-node-exporter and
# zabbix_agent2, in the same run, on loopback only (method of the shared baseline
# script 01_agent_footprint.sh). Measures RSS/PSS after SETTLE_S, CPU over IDLE_S,
# node_exporter CPU per scrape (SCRAPES scrapes back to back), simpul-agent CPU per report
# cycle (INTERVAL_S heartbeats to a local collector), then both in one PACED_S window:
# node_exporter scraped every INTERVAL_S beside the agent's cycles; heartbeat size
# gzipped, binary sizes.
# Needs: apt-get install prometheus-node-exporter zabbix-agent2 curl python3
set -euo pipefail
cd "$(dirname "$0")/.."
SETTLE_S="${SETTLE_S:-20}"; IDLE_S="${IDLE_S:-60}"; SCRAPES="${SCRAPES:-20}"; INTERVAL_S="${INTERVAL_S:-5}"; PACED_S="${PACED_S:-60}"
NE_PORT="${NE_PORT:-19100}"; ZBX_PORT="${ZBX_PORT:-10050}"; C_PORT="${C_PORT:-19812}"
[ "$IDLE_S" -le 600 ] && [ "$PACED_S" -le 600 ] && [ "$PACED_S" -ge "$INTERVAL_S" ] && [ "$SCRAPES" -le 500 ] || { echo "knobs out of bounds" >&2; exit 1; }
for b in prometheus-node-exporter zabbix_agent2 curl python3; do
  command -v "$b" >/dev/null || { echo "missing $b: apt-get install prometheus-node-exporter zabbix-agent2 curl python3" >&2; exit 1; }
done
W=$(mktemp -d /tmp/simpul-footprint.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$W"; }
trap cleanup EXIT INT TERM

cargo build --release --locked -q -p simpul-collector
B=$PWD/target/release
# AGENT_BIN: an agent binary to measure instead of this checkout's (before and after
# builds back to back on one collector build)
if [ -n "${AGENT_BIN:-}" ]; then
  SA_BIN=$(realpath "$AGENT_BIN")
else
  cargo build --profile agent --locked -q -p simpul-agent   # the size-optimised build that ships
  SA_BIN=$PWD/target/agent/simpul-agent
fi
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
pss() { awk '/^Pss:/ {print $2}' "/proc/$1/smaps_rollup"; }
cpu_ns() { local s=0 v; for t in /proc/"$1"/task/*/schedstat; do read -r v _ < "$t" || continue; s=$((s + v)); done; echo "$s"; }

cat > "$W/zabbix_agent2.conf" <<CONF
LogType=file
LogFile=$W/zabbix_agent2.log
PidFile=$W/zabbix_agent2.pid
ControlSocket=$W/zabbix_agent2.sock
Server=127.0.0.1
ServerActive=
ListenIP=127.0.0.1
ListenPort=$ZBX_PORT
Hostname=bench
Include=/etc/zabbix/zabbix_agent2.d/plugins.d/*.conf
CONF
sed -e "s|^metrics_auth = .*|metrics_auth = false|" -e "s|^listen = .*|listen = \"127.0.0.1:$C_PORT\"|" -e "s|^data_dir = .*|data_dir = \"$W/data\"|" config/collector.toml > "$W/collector.toml"
HOST=$(cat /proc/sys/kernel/hostname)
"$B/simpul-collector" agent add --config "$W/collector.toml" --agency diskominfo --host "$HOST" > "$W/token" 2>/dev/null
cat > "$W/agent.toml" <<CONF
collector_url = "http://127.0.0.1:$C_PORT"
token_file = "$W/token"
interval_secs = $INTERVAL_S
state_dir = "$W/agent-state"
CONF

echo "date_utc: $(date -u +%Y-%m-%dT%H:%M:%SZ)  host: $(uname -srm)  nproc: $(nproc)  loadavg: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "node_exporter: $(prometheus-node-exporter --version 2>&1 | head -1)"
echo "zabbix_agent2: $(zabbix_agent2 -V 2>&1 | head -1)"
for port in "$C_PORT" "$NE_PORT" "$ZBX_PORT"; do
  # a leftover server on a port would answer for the one this run starts
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "port $port is in use: stop what listens there or set C_PORT, NE_PORT, ZBX_PORT" >&2; exit 1; fi
done
"$B/simpul-collector" serve --config "$W/collector.toml" 2>"$W/collector.log" & CP=$!; PIDS+=($CP)
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$C_PORT/healthz" >/dev/null && break; sleep 0.1; done
kill -0 "$CP" 2>/dev/null || { echo "the collector did not start:" >&2; cat "$W/collector.log" >&2; exit 1; }
prometheus-node-exporter --web.listen-address="127.0.0.1:$NE_PORT" >"$W/ne.log" 2>&1 & NE=$!; PIDS+=($NE)
zabbix_agent2 -c "$W/zabbix_agent2.conf" >"$W/za.log" 2>&1 & ZA=$!; PIDS+=($ZA)
"$SA_BIN" run --config "$W/agent.toml" 2>"$W/agent.log" & SA=$!; PIDS+=($SA)
# the machine's floor: a C loop that only wakes every INTERVAL_S and reads /proc/stat
FL=""
if command -v cc >/dev/null; then
  cc -O2 -o "$W/wake_floor" bench/wake_floor.c && { "$W/wake_floor" "$INTERVAL_S" & FL=$!; PIDS+=($FL); }
fi
sleep "$SETTLE_S"

declare -A R
for n in NE ZA SA; do p=${!n}; R[${n}_rss]=$(rss "$p"); R[${n}_pss]=$(pss "$p"); R[${n}_cpu0]=$(cpu_ns "$p"); done
stored() { curl -s "http://127.0.0.1:$C_PORT/metrics" | awk '/^simpul_ingest_reports_stored_total/ {print $2}'; }
s0=$(stored)
fl0=0; [ -z "$FL" ] || fl0=$(cpu_ns "$FL")
sleep "$IDLE_S"
s1=$(stored)
for n in NE ZA SA; do p=${!n}; R[${n}_idle_ms]=$(awk -v a="${R[${n}_cpu0]}" -v b="$(cpu_ns "$p")" 'BEGIN{printf "%.1f",(b-a)/1e6}'); done
R[FL_wake_ms]="-"
[ -z "$FL" ] || R[FL_wake_ms]=$(awk -v a="$fl0" -v b="$(cpu_ns "$FL")" -v n="$((IDLE_S / INTERVAL_S))" 'BEGIN{printf "%.2f",(b-a)/1e6/n}')
cycles=$((s1 - s0))
R[SA_cycle_ms]=$(awk -v c="${R[SA_idle_ms]}" -v n="$cycles" 'BEGIN{printf "%.2f", (n>0)?c/n:0}')
c0=$(cpu_ns "$NE")
for _ in $(seq 1 "$SCRAPES"); do curl -s -o "$W/ne.prom" "http://127.0.0.1:$NE_PORT/metrics"; done
R[NE_scrape_ms]=$(awk -v a="$c0" -v b="$(cpu_ns "$NE")" -v n="$SCRAPES" 'BEGIN{printf "%.2f",(b-a)/1e6/n}')
# the same window for both, paced as they run: node_exporter scraped every INTERVAL_S
# (as Prometheus scrapes it) while the agent reports every INTERVAL_S; each wakes from
# the same idle between two, so each pays the same cold caches and TLB
PACED=$(( PACED_S / INTERVAL_S ))
n0=$(cpu_ns "$NE"); a0=$(cpu_ns "$SA"); s0=$(stored)
for _ in $(seq 1 "$PACED"); do curl -s -o "$W/ne.prom" "http://127.0.0.1:$NE_PORT/metrics"; sleep "$INTERVAL_S"; done
n1=$(cpu_ns "$NE"); a1=$(cpu_ns "$SA"); s1=$(stored)
R[NE_paced_ms]=$(awk -v a="$n0" -v b="$n1" -v n="$PACED" 'BEGIN{printf "%.2f",(b-a)/1e6/n}')
R[SA_paced_ms]=$(awk -v a="$a0" -v b="$a1" -v n="$((s1 - s0))" 'BEGIN{printf "%.2f",(n>0)?(b-a)/1e6/n:0}')
R[NE_rss_after]=$(rss "$NE"); R[SA_rss_after]=$(rss "$SA")
R[NE_gz]=$(curl -s --compressed -o /dev/null -w '%{size_download}' "http://127.0.0.1:$NE_PORT/metrics")
"$SA_BIN" once --config "$W/agent.toml" 2>/dev/null > "$W/once.json"
R[SA_hb_gz]=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); [r.pop(k,None) for k in ("inventory","software","certificates","lan")]; sys.stdout.write(json.dumps(r,separators=(",",":")))' "$W/once.json" | gzip -6 | wc -c)
R[SA_full_gz]=$(python3 -c 'import json,sys; sys.stdout.write(json.dumps(json.load(open(sys.argv[1])),separators=(",",":")))' "$W/once.json" | gzip -6 | wc -c)

printf '\n%-44s %14s %14s %14s %10s\n' "metric" "node_exporter" "zabbix_agent2" "simpul-agent" "simpul/NE"
row() { printf '%-44s %14s %14s %14s %10s\n' "$1" "$2" "$3" "$4" "$(awk -v a="$4" -v b="$2" 'BEGIN{ if (b+0>0) printf "%.2f", a/b; else print "-"}')"; }
row "RSS after ${SETTLE_S}s (KiB)" "${R[NE_rss]}" "${R[ZA_rss]}" "${R[SA_rss]}"
row "PSS after ${SETTLE_S}s (KiB)" "${R[NE_pss]}" "${R[ZA_pss]}" "${R[SA_pss]}"
row "RSS at end (KiB)" "${R[NE_rss_after]}" "-" "${R[SA_rss_after]}"
row "CPU over ${IDLE_S}s (ms)" "${R[NE_idle_ms]}" "${R[ZA_idle_ms]}" "${R[SA_idle_ms]}"
row "CPU per scrape back to back / per cycle (ms)" "${R[NE_scrape_ms]}" "-" "${R[SA_cycle_ms]}"
row "CPU per scrape / cycle, both every ${INTERVAL_S}s (ms)" "${R[NE_paced_ms]}" "-" "${R[SA_paced_ms]}"
row "payload gzipped (bytes): scrape / heartbeat" "${R[NE_gz]}" "-" "${R[SA_hb_gz]}"
row "binary size (bytes)" "$(stat -c %s "$(command -v prometheus-node-exporter)")" "$(stat -c %s "$(command -v zabbix_agent2)")" "$(stat -c %s "$SA_BIN")"
echo "floor: a C loop waking every ${INTERVAL_S}s to read /proc/stat (bench/wake_floor.c): ${R[FL_wake_ms]} ms of CPU per wake"
echo "simpul-agent report cycles in ${IDLE_S}s: $cycles (interval ${INTERVAL_S}s); first report (inventory and software list) gzipped: ${R[SA_full_gz]} bytes"
