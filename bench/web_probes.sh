#!/usr/bin/env bash
# web_probes.sh - website probes (issue 26's performance figure): the collector probing
# 500 HTTPS sites every 60 s against Prometheus' blackbox_exporter (Debian's
# prometheus-blackbox-exporter, an http_2xx module that verifies TLS) probing the same
# 500 sites every 60 s, side by side in one run, on the same local server.
#
#   The sites: one nginx (Debian's) inside a network namespace this script creates (its
#   loopback only; no other interface, no route: nothing can leave it) serving SITES
#   (500) virtual hosts site001..site500.simpul-bench.test on 127.0.0.1:443, each with
#   its own certificate (SNI) and its own page of BODY_KB (32) KiB. The script makes a
#   private PKI with openssl, shaped like a public one: a root CA (RSA 4096, the only
#   thing both tools trust), an intermediate (RSA 2048) and one leaf certificate per site
#   (RSA 2048, 90 days, its host name as subjectAltName, serverAuth); nginx sends the
#   leaf and the intermediate. The leaves share one key (a client cannot tell; it spares
#   generating 500 keys). `.test` is reserved (RFC 6761): no name is ever resolved;
#   both tools are told to connect to 127.0.0.1 and send the site's name as Host and SNI.
#   HTTP/1.1 (no h2 on the server), no compression, no session resumption by either tool
#   (every probe is a full TCP + TLS handshake and a GET of the page).
#
#   History: the measured collector starts on a database that already holds
#   HISTORY_DAYS (30) of its own probes of the sites, one a minute each (21.6 million for
#   500 sites), each site down 5 minutes a day, written as schema 24 left them (raw
#   probes, no spans): its start runs migration 25, which builds the spans from them
#   (timed: the seconds until it answers /healthz), and the window then measures it with a
#   month behind it, whose availability it reads from the spans (each site's figure over
#   its current period is checked against the seeded downtime at the end).
#
#   Side by side, in the namespace, over the same window of ROUNDS (5) x 60 s:
#     simpul     a release simpul-collector (SQLite) with the 500 sites as [[websites]]
#                (50 agencies opd01..opd50 declared, 10 sites each; official_domains =
#                ["simpul-bench.test"]; ca_file = the root; address = "127.0.0.1"; the
#                defaults otherwise: website_probe_interval 60s, concurrency 32, timeout
#                10 s, redirects followed): it probes every site on each minute boundary,
#                stores the round (SQLite) and reads the sites' newest probes and
#                availability back for /metrics, all of which is counted.
#     idle       the same collector and config without [[websites]]: the baseline.
#     blackbox   prometheus-blackbox-exporter with module http_2xx_tls (prober http,
#                timeout 10s, fail_if_not_ssl, tls_config.ca_file = the root, ip4),
#                driven the way users run it: a Prometheus (Debian's) scraping
#                /probe?module=http_2xx_tls&target=https://127.0.0.1/&hostname=siteNNN...
#                for each of the 500 sites every 60 s (scrape_timeout 10s). The
#                `hostname` parameter is blackbox_exporter's way to probe a host name at a
#                given address (Host header and TLS server name), like Simpul's `address`.
#                Prometheus' own CPU is not counted (it is printed for information).
#     bb-idle    a second blackbox_exporter with the same config that nobody scrapes.
#   CPU: utime + stime of each process (/proc/PID/stat) at T0 and at each 60 s mark
#   until T1 (marks at :30 of a minute, so each holds one Simpul round, which starts on
#   the minute; Prometheus spreads its scrapes over the minute, 500 per minute). The
#   probing cost is simpul - idle (and blackbox - bb-idle), given as CPU seconds per
#   round and as % of one core at a 60 s interval. RSS: VmRSS of the four every second
#   through the window (median, max); VmHWM, RssAnon and RssFile at the end. Every probe
#   is checked: the collector's stored probes of the window (states, certificate
#   verdicts) and Prometheus' probe_success samples of the window. The machine's load
#   (loadavg, busy CPU from /proc/stat, rustc processes seen) is printed per round:
#   others' builds disturb the figures.
#
# Timing never fails the script; it exits non-zero only if it could not run.
# Needs root (a network namespace), ip, openssl, curl, python3, nginx,
# prometheus-blackbox-exporter and prometheus (installed with apt-get when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
SITES="${SITES:-500}"; ROUNDS="${ROUNDS:-5}"; BODY_KB="${BODY_KB:-32}"; SETTLE_S="${SETTLE_S:-75}"; HISTORY_DAYS="${HISTORY_DAYS:-30}"
INTERVAL=60; AGENCIES=50
if ! { [ "$SITES" -ge 1 ] && [ "$SITES" -le 999 ] && [ "$ROUNDS" -ge 1 ] && [ "$ROUNDS" -le 60 ] &&
  [ "$BODY_KB" -ge 1 ] && [ "$BODY_KB" -le 1024 ] && [ "$SETTLE_S" -ge 65 ] && [ "$SETTLE_S" -le 600 ] &&
  [ "$HISTORY_DAYS" -ge 0 ] && [ "$HISTORY_DAYS" -le 400 ]; }; then
  echo "knobs out of bounds (SITES 1..999, ROUNDS 1..60, BODY_KB 1..1024, SETTLE_S 65..600, HISTORY_DAYS 0..400)" >&2; exit 2
fi
[ "$(id -u)" = 0 ] || { echo "web_probes.sh needs root (a network namespace)" >&2; exit 1; }

# --- what it needs ----------------------------------------------------------------------
pkgs=()
command -v nginx >/dev/null || pkgs+=(nginx)
command -v prometheus-blackbox-exporter >/dev/null || pkgs+=(prometheus-blackbox-exporter)
command -v prometheus >/dev/null || pkgs+=(prometheus)
command -v openssl >/dev/null || pkgs+=(openssl)
command -v curl >/dev/null || pkgs+=(curl)
command -v ip >/dev/null || pkgs+=(iproute2)
[ -x /usr/bin/python3 ] || pkgs+=(python3)
if [ "${#pkgs[@]}" -gt 0 ]; then
  # their own services must not start: this script runs its own copies
  policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    policy=/usr/sbin/policy-rc.d; printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod 755 "$policy"
  fi
  rc=0
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null; } || rc=$?
  [ -z "$policy" ] || rm -f "$policy"
  [ "$rc" = 0 ] || { echo "apt-get install ${pkgs[*]} failed ($rc)" >&2; exit 1; }
fi
flock /tmp/simpul-cargo.lock cargo build --release --locked -q -p simpul-collector
C="$PWD/target/release/simpul-collector"
PY=/usr/bin/python3

NS="swp$$"
W=$(mktemp -d /tmp/simpul-web-probes.XXXXXX); chmod 755 "$W"   # nginx's workers run as nobody
cleanup() {
  exec 2>/dev/null
  for pid in $(ip netns pids "$NS"); do kill -9 "$pid" || true; done
  sleep 0.3
  ip netns del "$NS" || true
  rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ip netns add "$NS"
ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip -n "$NS" link set lo up
if [ "$(ip -n "$NS" -o link show | grep -vc ': lo:')" != 0 ] || [ -n "$(ip -n "$NS" route show)" ]; then
  echo "the namespace is not loopback-only" >&2; exit 1
fi
inns() { ip netns exec "$NS" "$@"; }   # foreground only: a backgrounded function is a subshell, $! not the program
# in the background: `ip netns exec` execs the program, so $! is the program

DOMAIN=simpul-bench.test
host_of() { printf 'site%03d.%s' "$1" "$DOMAIN"; }

# --- the PKI ---------------------------------------------------------------------------
K="$W/pki"; mkdir -p "$K/leaf"
openssl req -x509 -new -newkey rsa:4096 -nodes -keyout "$K/root.key" -out "$K/root.pem" -days 3650 -sha256 \
  -subj "/C=ID/O=Simpul bench/CN=Simpul bench root CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -new -newkey rsa:2048 -nodes -keyout "$K/int.key" -out "$K/int.csr" \
  -subj "/C=ID/O=Simpul bench/CN=Simpul bench intermediate R1" 2>/dev/null
printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n' > "$K/int.ext"
openssl x509 -req -in "$K/int.csr" -CA "$K/root.pem" -CAkey "$K/root.key" -set_serial 2 -days 1095 -sha256 \
  -extfile "$K/int.ext" -out "$K/int.pem" 2>/dev/null
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$K/leaf.key" 2>/dev/null
for i in $(seq 1 "$SITES"); do
  h=$(host_of "$i")
  printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:%s\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n' "$h" > "$K/leaf.ext"
  openssl req -new -key "$K/leaf.key" -subj "/CN=$h" 2>/dev/null |
    openssl x509 -req -CA "$K/int.pem" -CAkey "$K/int.key" -set_serial $((1000 + i)) -days 90 -sha256 \
      -extfile "$K/leaf.ext" -out "$K/leaf/$i.pem" 2>/dev/null
  cat "$K/int.pem" >> "$K/leaf/$i.pem"
done
openssl verify -CAfile "$K/root.pem" -untrusted "$K/int.pem" "$K/leaf/1.pem" >/dev/null

# --- the server ------------------------------------------------------------------------
N="$W/nginx"; mkdir -p "$N/logs" "$N/www"
"$PY" - "$SITES" "$BODY_KB" "$N/www" "$DOMAIN" <<'EOF'
import os, sys
sites, kb, root, domain = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
for i in range(1, sites + 1):
    d = os.path.join(root, "%03d" % i); os.mkdir(d)
    head = ("<!DOCTYPE html>\n<html lang=\"id\"><head><meta charset=\"utf-8\"><title>Situs %03d - OPD %02d</title></head>\n"
            "<body><h1>Situs resmi %03d.%s</h1>\n" % (i, (i - 1) % 50 + 1, i, domain))
    para = "<p>Berita dan layanan publik perangkat daerah, pengumuman, agenda kegiatan dan informasi publik.</p>\n"
    body = head
    while len(body) + len(para) + 16 <= kb * 1024:
        body += para
    body += "</body></html>\n"
    open(os.path.join(d, "index.html"), "w").write(body.ljust(kb * 1024 - 1) + "\n")
EOF
{
  printf 'worker_processes auto;\npid %s/nginx.pid;\nerror_log %s/logs/error.log warn;\n' "$N" "$N"
  printf 'events { worker_connections 4096; }\nhttp {\n  access_log off;\n  default_type text/html;\n'
  printf '  ssl_protocols TLSv1.2 TLSv1.3;\n  keepalive_timeout 5s;\n  server_names_hash_max_size 4096;\n'
  printf '  server { listen 127.0.0.1:443 ssl default_server; ssl_certificate %s; ssl_certificate_key %s; return 421; }\n' \
    "$K/leaf/1.pem" "$K/leaf.key"
  for i in $(seq 1 "$SITES"); do
    printf '  server { listen 127.0.0.1:443 ssl; server_name %s; ssl_certificate %s; ssl_certificate_key %s; root %s/www/%03d; }\n' \
      "$(host_of "$i")" "$K/leaf/$i.pem" "$K/leaf.key" "$N" "$i"
  done
  printf '}\n'
} > "$N/nginx.conf"
chmod -R a+rX "$N"
ip netns exec "$NS" nginx -p "$N" -e "$N/logs/error.log" -c "$N/nginx.conf" -g 'daemon off;' & NGINX=$!
for _ in $(seq 1 100); do
  inns curl -sf --cacert "$K/root.pem" --resolve "$(host_of "$SITES"):443:127.0.0.1" "https://$(host_of "$SITES")/" -o /dev/null && break
  sleep 0.1
done
inns curl -sf --cacert "$K/root.pem" --resolve "$(host_of 1):443:127.0.0.1" "https://$(host_of 1)/" -o /dev/null ||
  { echo "nginx does not serve the sites:" >&2; cat "$N/logs/error.log" >&2; exit 1; }

# --- the collectors --------------------------------------------------------------------
collector_toml() {  # name port with-sites
  { printf 'official_domains = ["%s"]\nwebsite_probe_interval = "%ss"\n' "$DOMAIN" "$INTERVAL"
    sed -e "s|^metrics_auth = .*|metrics_auth = false|" -e "s|^listen = .*|listen = \"127.0.0.1:$2\"|" \
        -e "s|^data_dir = .*|data_dir = \"$W/data-$1\"|" config/collector.toml
    for a in $(seq 1 $AGENCIES); do printf '\n[[agencies]]\nid = "opd%02d"\nname = "Perangkat Daerah %02d"\n' "$a" "$a"; done
    if [ "$3" = 1 ]; then
      for i in $(seq 1 "$SITES"); do
        printf '\n[[websites]]\nid = "site%03d"\nagency = "opd%02d"\nurl = "https://%s/"\nca_file = "%s"\naddress = "127.0.0.1"\n' \
          "$i" $(( (i - 1) % AGENCIES + 1 )) "$(host_of "$i")" "$K/root.pem"
      done
    fi
  } > "$W/$1.toml"
  "$C" check-config "$W/$1.toml" >/dev/null
}
collector_toml sites 19850 1
collector_toml idle 19851 0

# --- the history -------------------------------------------------------------------------
SEED_PROBES=0
if [ "$HISTORY_DAYS" -gt 0 ]; then
  # the schema, made by the collector itself (the idle config on the sites' data_dir)
  sed -e "s|127.0.0.1:19851|127.0.0.1:19852|" -e "s|data-idle|data-sites|" "$W/idle.toml" > "$W/seed.toml"
  ip netns exec "$NS" "$C" serve --config "$W/seed.toml" 2>"$W/seed.log" & SD=$!
  for _ in $(seq 1 300); do inns curl -sf http://127.0.0.1:19852/healthz >/dev/null && break; sleep 0.1; done
  kill "$SD"; wait "$SD" 2>/dev/null || true
  SEED_PROBES=$("$PY" - "$W/data-sites/simpul.db" "$SITES" "$HISTORY_DAYS" "$(date +%s)" <<'EOF2'
import sqlite3, sys, time
path, sites, days, now = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
t_to = now // 60 * 60 - 120          # the last probe two minutes ago
t_from = t_to - days * 86400
began = time.time()
db = sqlite3.connect(path)
# the database as schema 24 left it: raw probes, no spans
db.execute("DROP TABLE website_spans")
db.execute("PRAGMA user_version = 24")
# site i is down (a timeout) 5 minutes a day, from minute (7 i mod 1440) of the UTC day
db.execute("""
WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ?1),
     m(t) AS (SELECT ?2 UNION ALL SELECT t + 60 FROM m WHERE t + 60 <= ?3)
INSERT INTO website_checks (website, prober, started_at, state, status, total_seconds,
  cert_verdict, cert_not_after, reason)
SELECT printf('site%03d', s.i), 'collector', m.t + 0.25,
       CASE WHEN ((m.t / 60) % 1440 - (7 * s.i) % 1440 + 1440) % 1440 < 5 THEN 'timeout' ELSE 'up' END,
       CASE WHEN ((m.t / 60) % 1440 - (7 * s.i) % 1440 + 1440) % 1440 < 5 THEN NULL ELSE 200 END,
       0.02, 'valid', ?3 + 80 * 86400.0, ''
  FROM s, m ORDER BY s.i, m.t""", (sites, t_from, t_to))
db.commit()
n = db.execute("SELECT count(*) FROM website_checks").fetchone()[0]
print(n)
print(f"seeded {n} probes ({days} days of {sites} sites) in {time.time() - began:.0f} s", file=sys.stderr)
EOF2
)
fi

# --- blackbox_exporter and Prometheus -------------------------------------------------------
B="$W/blackbox"; mkdir -p "$B/prom"
printf 'modules:\n  http_2xx_tls:\n    prober: http\n    timeout: 10s\n    http:\n      preferred_ip_protocol: ip4\n      fail_if_not_ssl: true\n      tls_config:\n        ca_file: %s\n' \
  "$K/root.pem" > "$B/blackbox.yml"
{ printf 'global:\n  scrape_interval: %ss\n  scrape_timeout: 10s\n  evaluation_interval: %ss\n' "$INTERVAL" "$INTERVAL"
  printf 'scrape_configs:\n  - job_name: websites\n    metrics_path: /probe\n    params:\n      module: [http_2xx_tls]\n      target: ["https://127.0.0.1/"]\n'
  printf '    static_configs:\n      - targets:\n'
  for i in $(seq 1 "$SITES"); do printf '          - %s\n' "$(host_of "$i")"; done
  printf '    relabel_configs:\n      - source_labels: [__address__]\n        target_label: __param_hostname\n'
  printf '      - source_labels: [__address__]\n        target_label: instance\n'
  printf '      - target_label: __address__\n        replacement: 127.0.0.1:9115\n'
} > "$B/prometheus.yml"
BBX=prometheus-blackbox-exporter
ip netns exec "$NS" "$BBX" --config.file="$B/blackbox.yml" --web.listen-address=127.0.0.1:9116 >"$B/bb-idle.log" 2>&1 & BI=$!
for _ in $(seq 1 100); do inns curl -sf http://127.0.0.1:9116/metrics -o /dev/null && break; sleep 0.1; done
inns curl -sf "http://127.0.0.1:9116/probe?module=http_2xx_tls&target=https://127.0.0.1/&hostname=$(host_of 1)" > "$W/bb-check" ||
  { echo "blackbox_exporter does not answer:" >&2; cat "$B/bb-idle.log" >&2; exit 1; }
grep -q '^probe_success 1' "$W/bb-check" || { echo "blackbox_exporter's probe of $(host_of 1) failed:" >&2; cat "$W/bb-check" >&2; exit 1; }
# the module verifies: a name the server has no certificate for (it answers with site001's) fails
inns curl -sf "http://127.0.0.1:9116/probe?module=http_2xx_tls&target=https://127.0.0.1/&hostname=nosuch.$DOMAIN" > "$W/bb-check"
grep -q '^probe_success 0' "$W/bb-check" || { echo "blackbox_exporter did not refuse a certificate for another name" >&2; exit 1; }
# a fresh idle exporter: the check probes above ran in the other one
kill "$BI"; wait "$BI" 2>/dev/null || true
ip netns exec "$NS" "$BBX" --config.file="$B/blackbox.yml" --web.listen-address=127.0.0.1:9116 >"$B/bb-idle.log" 2>&1 & BI=$!
ip netns exec "$NS" "$BBX" --config.file="$B/blackbox.yml" --web.listen-address=127.0.0.1:9115 >"$B/bb.log" 2>&1 & BB=$!

START=$(date +%s)
ip netns exec "$NS" "$C" serve --config "$W/idle.toml" 2>"$W/idle.log" & SI=$!
ip netns exec "$NS" "$C" serve --config "$W/sites.toml" 2>"$W/sites.log" & SS=$!
ip netns exec "$NS" prometheus --config.file="$B/prometheus.yml" --storage.tsdb.path="$B/prom" --web.listen-address=127.0.0.1:9090 \
  >"$B/prometheus.log" 2>&1 & PR=$!
for port in 19851 19850; do   # the sites collector may be migrating its history
  for _ in $(seq 1 6000); do inns curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
done
READY_S=$(( $(date +%s) - START ))
echo "date_utc: $(date -u +%Y-%m-%dT%H:%M:%SZ)  host: $(uname -srm)  nproc: $(nproc)  commit: $(git rev-parse --short HEAD 2>/dev/null || echo "none (not a git checkout)")  loadavg: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "nginx: $(nginx -v 2>&1 | sed 's/.*: //')  blackbox_exporter: $("$BBX" --version 2>&1 | head -1 | awk '{print $3}')  prometheus: $(prometheus --version 2>&1 | head -1 | awk '{print $3}')  openssl: $(openssl version | awk '{print $2}')"
echo "sites: $SITES ($BODY_KB KiB pages, one certificate each)  interval: ${INTERVAL}s  rounds: $ROUNDS"
echo "history: $HISTORY_DAYS days, $SEED_PROBES probes stored before the start; the sites collector answered /healthz $READY_S s after its start (migration 25 included: $(grep -c 'applied database migration' "$W/sites.log" || true) migration applied)"

# --- the window --------------------------------------------------------------------------
# T0: the first :30 of a minute at least SETTLE_S after the start (both tools have done a
# first round by then); then a mark every 60 s
now=$(date +%s); T0=$(( ((START + SETTLE_S - 30 + 59) / 60) * 60 + 30 ))
[ "$T0" -gt "$now" ] || T0=$(( ((now - 30 + 59) / 60) * 60 + 30 ))
showlogs() { local f; for f in "$W"/*.log "$B"/*.log; do echo "== $f" >&2; tail -n 5 "$f" >&2; done; }
for p in $SS $SI $BB $BI $PR $NGINX; do kill -0 "$p" || { echo "a process exited before the window" >&2; showlogs; exit 1; }; done
for p in $SS $SI $BB $BI $PR $NGINX; do
  case "$(cat "/proc/$p/comm")" in simpul-collecto|prometheus-blac|prometheus|nginx) ;; *) echo "pid $p is not a measured program" >&2; exit 1;; esac
done
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
tree_ticks() { local s c; s=$(ticks "$1"); for c in $(pgrep -P "$1"); do s=$((s + $(ticks "$c"))); done; echo "$s"; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
mark() {  # one line: t, CPU ticks of each process, nginx workers, machine busy/total jiffies, loadavg
  echo "$(date +%s.%N) $(ticks "$SS") $(ticks "$SI") $(ticks "$BB") $(ticks "$BI") $(ticks "$PR") $(tree_ticks "$NGINX")" \
    "$(awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9}' /proc/stat) $(cut -d' ' -f1 /proc/loadavg)"
}
while [ "$(date +%s)" -lt "$T0" ]; do sleep 0.2; done
mark > "$W/marks"
( while sleep 1; do echo "$(rss_kb "$SS") $(rss_kb "$SI") $(rss_kb "$BB") $(rss_kb "$BI") $(pgrep -cx rustc || true) $(cut -d' ' -f1 /proc/loadavg)" >> "$W/rss"; done ) & RSSLOOP=$!
for r in $(seq 1 "$ROUNDS"); do
  while [ "$(date +%s)" -lt $((T0 + r * INTERVAL)) ]; do sleep 0.2; done
  mark >> "$W/marks"
done
kill "$RSSLOOP"; wait "$RSSLOOP" 2>/dev/null || true
T1=$((T0 + ROUNDS * INTERVAL))
for p in $SS $SI $BB $BI; do grep -E '^(VmHWM|VmRSS|RssAnon|RssFile):' "/proc/$p/status" | awk '{printf "%s ", $2}'; echo; done > "$W/status"
for p in $SS $SI $BB $BI $PR; do kill -0 "$p" || { echo "a process exited in the window" >&2; showlogs; exit 1; }; done

# what each tool found in the window
inns curl -sf "http://127.0.0.1:9090/api/v1/query" --data-urlencode "time=$T1" \
  --data-urlencode "query=sum(count_over_time(probe_success[$((ROUNDS * INTERVAL))s]))" > "$W/q-count.json"
inns curl -sf "http://127.0.0.1:9090/api/v1/query" --data-urlencode "time=$T1" \
  --data-urlencode "query=sum(sum_over_time(probe_success[$((ROUNDS * INTERVAL))s]))" > "$W/q-up.json"
inns curl -sf "http://127.0.0.1:9090/api/v1/query" --data-urlencode "time=$T1" \
  --data-urlencode "query=quantile(0.5, avg_over_time(probe_duration_seconds[$((ROUNDS * INTERVAL))s]))" > "$W/q-dur.json"
inns curl -sf "http://127.0.0.1:9090/api/v1/query" --data-urlencode "time=$T1" \
  --data-urlencode "query=count(probe_http_ssl == 1)" > "$W/q-ssl.json"
inns curl -sf "http://127.0.0.1:19850/metrics" > "$W/sites.metrics"

"$PY" - "$W" "$T0" "$T1" "$(getconf CLK_TCK)" "$SITES" "$INTERVAL" "$HISTORY_DAYS" <<'EOF'
import json, sqlite3, statistics, sys
w, t0, t1, hz, sites, interval = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
history = int(sys.argv[7])
marks = [l.split() for l in open(f"{w}/marks")]
names = ["simpul", "idle", "blackbox", "bb-idle", "prometheus", "nginx"]
def cpu(a, b, k):
    return (int(b[1 + k]) - int(a[1 + k])) / hz
rounds = len(marks) - 1
print("\nround\tseconds\tsimpul_s\tidle_s\tblackbox_s\tbb_idle_s\tprometheus_s\tnginx_s\tmachine_busy_%\tloadavg1")
for r in range(rounds):
    a, b = marks[r], marks[r + 1]
    busy = 100 * (int(b[7]) - int(a[7])) / max(1, int(b[8]) - int(a[8]))
    print("%d\t%.2f\t%s\t%.1f\t%s" % (r + 1, float(b[0]) - float(a[0]),
          "\t".join("%.2f" % cpu(a, b, k) for k in range(6)), busy, b[9]))
a, b = marks[0], marks[-1]
win = float(b[0]) - float(a[0])
tot = {n: cpu(a, b, k) for k, n in enumerate(names)}
busy = 100 * (int(b[7]) - int(a[7])) / max(1, int(b[8]) - int(a[8]))
rss = [[int(x) if x.isdigit() else 0 for x in l.split()[:5]] + [float(l.split()[5])] for l in open(f"{w}/rss") if len(l.split()) == 6]
st = [[int(x) for x in l.split()] for l in open(f"{w}/status")]   # VmHWM VmRSS RssAnon RssFile per process
loads = [r[5] for r in rss]
rustc_s = sum(1 for r in rss if r[4] > 0)
print(f"\nwindow {win:.1f} s ({rounds} rounds of {interval} s), {t0:.0f} .. {t1:.0f}; the whole machine "
      f"{busy:.0f} % busy (of {100 * __import__('os').cpu_count()} %), loadavg 1 min {min(loads):.2f} .. {max(loads):.2f} "
      f"(median {statistics.median(loads):.2f}); a rustc ran during {rustc_s} of {len(rss)} s")
net_s = tot["simpul"] - tot["idle"]
net_b = tot["blackbox"] - tot["bb-idle"]
pct = lambda s: 100 * s / win
print("\nCPU over the window, seconds and % of one core:")
for n in names:
    extra = " (not counted: it drives blackbox_exporter)" if n == "prometheus" else (" (the server, both tools' probes)" if n == "nginx" else "")
    print(f"  {n:11s} {tot[n]:8.2f} s  {pct(tot[n]):6.2f} %{extra}")
print(f"\nprobing cost ({sites} sites every {interval} s):")
print(f"  simpul   collector - idle collector   {net_s / rounds:6.2f} s per round  {pct(net_s):6.2f} % of one core   (goal: under 10 %)")
print(f"  blackbox exporter - idle exporter    {net_b / rounds:6.2f} s per round  {pct(net_b):6.2f} % of one core")
print(f"  ratio simpul / blackbox: {net_s / net_b:.2f} (net), {tot['simpul'] / tot['blackbox']:.2f} (whole processes)")
print(f"  per probe: simpul {1000 * net_s / (rounds * sites):.2f} ms, blackbox {1000 * net_b / (rounds * sites):.2f} ms of CPU")
med = lambda k: statistics.median(r[k] for r in rss)
mx = lambda k: max(r[k] for r in rss)
print("\nRSS over the window (KiB): median / max; VmHWM, RssAnon, RssFile at the end")
for k, n in enumerate(names[:4]):
    print(f"  {n:9s} {med(k):8.0f} / {mx(k):6d}   VmHWM {st[k][0]}  RssAnon {st[k][2]}  RssFile {st[k][3]}")
print(f"  simpul - idle: {med(0) - med(1):+.0f} KiB (medians); blackbox - bb-idle: {med(2) - med(3):+.0f} KiB; "
      f"ratio of the differences {(med(0) - med(1)) / max(1, med(2) - med(3)):.2f}, of the whole processes {med(0) / med(2):.2f}")
db = sqlite3.connect(f"file:{w}/data-sites/simpul.db?mode=ro", uri=True)
rows = db.execute("SELECT state, count(*), avg(total_seconds) FROM website_checks WHERE started_at >= ? AND started_at < ? GROUP BY state", (t0, t1)).fetchall()
totals = sorted(r[0] for r in db.execute("SELECT total_seconds FROM website_checks WHERE started_at >= ? AND started_at < ?", (t0, t1)))
certs = db.execute("SELECT cert_verdict, count(*) FROM website_checks WHERE started_at >= ? AND started_at < ? GROUP BY cert_verdict", (t0, t1)).fetchall()
n_simpul = sum(r[1] for r in rows)
print(f"\nsimpul's probes in the window: {n_simpul} (expected {rounds * sites}); states {dict((r[0], r[1]) for r in rows)}; "
      f"certificates {dict(certs)}; probe time median {1000 * totals[len(totals) // 2]:.1f} ms" if totals else "\nsimpul stored no probes in the window")
up_metric = sum(1 for l in open(f"{w}/sites.metrics") if l.startswith("simpul_website_up{") and l.rstrip().endswith(" 1"))
print(f"  simpul_website_up 1 at the end: {up_metric} of {sites}")
spans = db.execute("SELECT count(*), count(DISTINCT website), sum(probes) FROM website_spans").fetchone()
print(f"  spans: {spans[0]} rows for {spans[1]} sites, holding {spans[2]} probes")
ratios = {l.split('website="')[1].split('"')[0]: float(l.split()[-1])
          for l in open(f"{w}/sites.metrics") if l.startswith("simpul_website_availability_ratio{")}
if history and ratios:
    # over the current month: down 5 minutes of each whole UTC day seeded in it, so about
    # 1 - 5/1440 = 0.99653 (the day the history starts and today may hold less)
    vals = sorted(ratios.values())
    print(f"  simpul_website_availability_ratio over the current month: min {vals[0]:.5f}, median "
          f"{vals[len(vals) // 2]:.5f}, max {vals[-1]:.5f} of {len(vals)} sites (seeded: 5 min down a day, 1 - 5/1440 = 0.99653)")
val = lambda f: (json.load(open(f"{w}/{f}"))["data"]["result"] or [{"value": [0, "nan"]}])[0]["value"][1]
n_bb, up_bb = float(val("q-count.json")), float(val("q-up.json"))
print(f"blackbox's probes in the window (Prometheus' probe_success samples): {n_bb:.0f} (expected {rounds * sites}), "
      f"successful {up_bb:.0f}; probe_duration_seconds median of the sites' means {1000 * float(val('q-dur.json')):.1f} ms; "
      f"sites with probe_http_ssl 1: {val('q-ssl.json')}")
EOF
