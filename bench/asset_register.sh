#!/usr/bin/env bash
# asset_register.sh - the asset register with AGENCIES (100) agencies, one office agent
# each, whose LAN discovery found DEVICES (500) devices: 50,000 LAN devices, on loopback
# only (the devices are in the agents' reports; nothing is probed). Times the register's
# page, its CSV and JSON, a search and one agency's page RUNS (10) times with curl (time
# to first byte on loopback = server time). The issue's goal: the asset register page
# with 50,000 LAN devices under 300 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
AGENCIES="${AGENCIES:-100}"; DEVICES="${DEVICES:-500}"; RUNS="${RUNS:-10}"
PORT="${PORT:-19813}"
W=$(mktemp -d /tmp/simpul-assets.XXXXXX)
CPID=""
cleanup() { [ -n "$CPID" ] && kill "$CPID" 2>/dev/null; wait 2>/dev/null; [ -n "${KEEP:-}" ] && echo "kept: $W" || rm -rf "$W"; }
trap cleanup EXIT INT TERM

cargo build --release --locked -q -p simpul-collector
B=target/release
echo "date_utc: $(date -u +%Y-%m-%dT%H:%M:%SZ)  host: $(uname -srm)  nproc: $(nproc)  agencies: $AGENCIES  devices per agency: $DEVICES"
{
  echo "listen = \"127.0.0.1:$PORT\""
  echo "data_dir = \"$W/data\""
  echo "rate_limit_per_address = 0.0"
  echo "rate_limit_per_agent = 0.0"
  echo "max_body_bytes = 8388608"
  for i in $(seq -f %03g 1 "$AGENCIES"); do
    printf '[[agencies]]\nid = "opd-%s"\nname = "Perangkat Daerah %s"\n[[sites]]\nid = "kantor-%s"\nkind = "opd-office"\nagency = "opd-%s"\n' "$i" "$i" "$i" "$i"
  done
} > "$W/collector.toml"
"$B/simpul-collector" check-config "$W/collector.toml" >/dev/null
echo "bench admin password" | "$B/simpul-collector" user add bench --role admin --password-stdin --config "$W/collector.toml" 2>/dev/null
: > "$W/tokens"
for i in $(seq -f %03g 1 "$AGENCIES"); do
  t=$("$B/simpul-collector" agent add --agency "opd-$i" --host "srv-$i" --site "kantor-$i" --config "$W/collector.toml" 2>/dev/null)
  echo "$i $t" >> "$W/tokens"
done
"$B/simpul-collector" serve --config "$W/collector.toml" 2>"$W/collector.log" &
CPID=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done

# one report per agent: its inventory, and a LAN of DEVICES devices (its own machine
# among them, by MAC: the register lists it once)
python3 - "$W" "$DEVICES" <<'PY'
import json, sys, time
w, n = sys.argv[1], int(sys.argv[2])
for line in open(f"{w}/tokens"):
    i, token = line.split()
    agent = token[len("smp1_"):].rsplit("_", 1)[0]
    now = time.time()
    k = int(i)
    mac = lambda d: "02:%02x:%02x:00:%02x:%02x" % (k >> 8, k & 255, d >> 8, d & 255)
    devs = [{"id": "mac:" + mac(d), "type": "host", "name": f"pc-{k}-{d}", "vendor": "Dell Inc.",
             "addresses": [f"10.{k}.{d >> 8}.{d & 255}"], "macs": [mac(d)], "sources": ["arp", "icmp"]}
            for d in range(1, n + 1)]
    report = {"version": 1, "agent_id": agent, "host": {"hostname": f"srv-{i}", "machine_id": f"m{i}"},
        "sequence": 1, "sample_time_seconds": now, "interval_secs": 60, "agent_version": "bench",
        "health": {"cpu": {"usage_ratio": 0.1, "per_core_usage_ratio": [0.1]},
                   "load": {"load1": 0.1, "load5": 0.1, "load15": 0.1},
                   "memory": {"total_bytes": 8000, "available_bytes": 6000, "used_bytes": 2000},
                   "filesystems": [], "network": [], "processes": 10},
        "uptime": {"boot_time_seconds": int(now) - 1000, "uptime_seconds": 1000.0},
        "inventory": {"os": {"name": "Debian GNU/Linux", "version": "12", "pretty_name": "Debian GNU/Linux 12 (bookworm)",
                             "kernel": "6.1.0", "arch": "x86_64"},
                      "cpu": {"model": "Xeon", "sockets": 1, "cores": 8, "threads": 16}, "memory_bytes": 34359738368,
                      "system": {"vendor": "Dell Inc.", "product": "PowerEdge R640", "serial": f"SN{i}"},
                      "bios": {"vendor": "Dell Inc.", "version": "2.1", "date": "01/01/2024"}, "disks": [],
                      "interfaces": [{"name": "eth0", "mac": mac(1), "speed_mbps": 1000,
                                      "addresses": [{"address": f"10.{k}.0.1", "prefix_len": 16}]}]},
        "lan": {"subnets": [f"10.{k}.0.0/16"], "topology": {"devices": devs, "links": []}, "hash": "", "duration_seconds": 1.0}}
    open(f"{w}/report-{i}.json", "w").write(json.dumps(report))
PY
t0=$(date +%s.%N)
while read -r i token; do
  agent=$(curl -s -o /dev/null -w "%{http_code}" -H "authorization: Bearer $token" -H "content-type: application/json" --data-binary "@$W/report-$i.json" \
    "http://127.0.0.1:$PORT/api/v1/reports")
  [ "$agent" = 200 ] || { echo "report $i: HTTP $agent"; tail -5 "$W/collector.log"; exit 1; }
done < "$W/tokens"
echo "ingest: $AGENCIES reports with $DEVICES LAN devices each in $(echo "$(date +%s.%N) - $t0" | bc) s"

J="$W/jar"
curl -s -c "$J" -o /dev/null "http://127.0.0.1:$PORT/login"
LOGIN=$(awk '$6 == "simpul_login" {print $7}' "$J")
curl -s -b "$J" -c "$J" -o /dev/null --data-urlencode "name=bench" --data-urlencode "password=bench admin password" \
  --data-urlencode "login_csrf=$LOGIN" "http://127.0.0.1:$PORT/login"
printf '%-36s %8s %8s %8s %10s\n' page min_ms med_ms max_ms bytes
for p in /inventory "/inventory?agency=opd-001" "/inventory?q=pc-42-7" "/inventory?status=not_seen" /inventory.csv "/api/v1/assets"; do
  for _ in $(seq 1 "$RUNS"); do
    curl -s -b "$J" -o "$W/page" -w '%{http_code} %{time_starttransfer} %{size_download}\n' "http://127.0.0.1:$PORT$p"
  done | sort -k2 -g | awk -v p="$p" '
    $1 != 200 { bad = $1 }
    { t[NR] = $2; size = $3 }
    END { if (bad) { printf "%-36s HTTP %s\n", p, bad; exit }
          printf "%-36s %8.1f %8.1f %8.1f %10d\n", p, t[1]*1000, t[int((NR+1)/2)]*1000, t[NR]*1000, size }'
done
curl -s -b "$J" "http://127.0.0.1:$PORT/inventory" | grep -o '<strong>[0-9]*</strong> assets' | sed 's/<[^>]*>//g; s/^/register: /'
echo "collector_rss_kb: $(awk '/^VmRSS:/ {print $2}' /proc/$CPID/status)"
