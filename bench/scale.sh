#!/usr/bin/env bash
# scale.sh - a province-sized fleet on loopback: AGENTS (20000) simulated agents each
# report every INTERVAL (30) seconds, spread evenly, for SECONDS_RUN (120), against
#   STORE=sqlite                one collector on embedded SQLite (default), or
#   STORE=postgres REPLICAS=N   N collector replicas sharing one PostgreSQL (Debian's,
#                               started here in a temporary directory, durable defaults:
#                               fsync and synchronous commit on),
# with remote write into a real VictoriaMetrics (REMOTE_WRITE=0 leaves it out). Agent i
# always reports to replica i % N, as a load balancer hashing on the client would.
# Prints reports/s, p50/p99 ingest latency, CPU and RSS per replica, PostgreSQL's CPU
# (postmaster and its backends), and remote-write samples/s.
set -euo pipefail
cd "$(dirname "$0")/.."
AGENTS="${AGENTS:-20000}"; INTERVAL="${INTERVAL:-30}"; SECONDS_RUN="${SECONDS_RUN:-120}"
STORE="${STORE:-sqlite}"; REPLICAS="${REPLICAS:-1}"
REMOTE_WRITE="${REMOTE_WRITE:-1}"   # 0: no [[remote_write]] (isolates its cost)
DUTY_INTERVAL="${DUTY_INTERVAL:-30s}"   # how often the duties are evaluated (1h: isolates their cost)
PORT="${PORT:-19815}"; VM_PORT="${VM_PORT:-19816}"; PG_PORT="${PG_PORT:-19817}"
case "$STORE" in sqlite) [ "$REPLICAS" = 1 ] || { echo "SQLite has one collector: REPLICAS=1" >&2; exit 2; } ;;
  postgres) ;; *) echo "STORE must be sqlite or postgres" >&2; exit 2 ;; esac
W=$(mktemp -d /tmp/simpul-scale.XXXXXX); chmod 755 "$W"
CPIDS=(); VPID=""; PGBIN=""
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  for p in "${CPIDS[@]}" $VPID; do kill "$p" 2>/dev/null || true; done
  [ -z "$PGBIN" ] || as_pg "$PGBIN/pg_ctl" -D "$W/pg/data" -m fast -w stop >/dev/null 2>&1 || true
  wait 2>/dev/null || true; rm -rf "$W"
}
trap cleanup EXIT INT TERM
command -v victoria-metrics >/dev/null || { echo "needs Debian's victoria-metrics" >&2; exit 1; }
# utime + stime (clock ticks) of a process and its children
cpu_tree() { local t=0 p; for p in "$1" $(pgrep -P "$1" || true); do
  t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done; echo "$t"; }

cargo build --release --locked -q -p simpul-collector -p simpul-bench
B=target/release
echo "date_utc: $(date -u +%Y-%m-%dT%H:%M:%SZ)  host: $(uname -srm)  nproc: $(nproc)  store: $STORE  replicas: $REPLICAS  agents: $AGENTS every ${INTERVAL}s for ${SECONDS_RUN}s  remote_write: $REMOTE_WRITE  duty_interval: $DUTY_INTERVAL"
victoria-metrics -storageDataPath="$W/vm" -httpListenAddr="127.0.0.1:$VM_PORT" -retentionPeriod=1 >"$W/vm.log" 2>&1 &
VPID=$!
STORE_TOML=""; ENROL=(--data-dir "$W/data")
if [ "$STORE" = postgres ]; then
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  mkdir -p "$W/pg"; [ "$(id -u)" != 0 ] || chown postgres "$W/pg"
  as_pg "$PGBIN/initdb" -D "$W/pg/data" -U simpul --auth=trust -E UTF8 >/dev/null
  as_pg "$PGBIN/pg_ctl" -D "$W/pg/data" -l "$W/pg/log" -w start \
    -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $W/pg -c max_connections=200 -c shared_buffers=256MB" >/dev/null
  as_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U simpul simpul
  URL="postgres://simpul@127.0.0.1:$PG_PORT/simpul"
  STORE_TOML=$(printf '\n[store]\nkind = "postgres"\nurl = "%s"\n' "$URL")
  ENROL+=(--store-url "$URL")
fi
mkdir -p "$W/data"
"$B/ingest-load" enrol "${ENROL[@]}" --agents "$AGENTS" >/dev/null
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$VM_PORT/health" >/dev/null && break; sleep 0.1; done
URLS=""
for r in $(seq 1 "$REPLICAS"); do
  p=$((PORT + 10 * r))
  sed -e "s|^metrics_auth = .*|metrics_auth = false|" -e "s|^listen = .*|listen = \"127.0.0.1:$p\"|" -e "s|^data_dir = .*|data_dir = \"$W/data$r\"|" \
      -e "s|^rate_limit_per_address = .*|rate_limit_per_address = 0.0|" \
      -e "s|^rate_limit_per_agent = .*|rate_limit_per_agent = 0.0|" config/collector.toml > "$W/collector$r.toml"
  [ "$STORE" = postgres ] || sed -i "s|^data_dir = .*|data_dir = \"$W/data\"|" "$W/collector$r.toml"
  sed -i "1i duty_interval = \"$DUTY_INTERVAL\"" "$W/collector$r.toml"
  [ "$REMOTE_WRITE" = 0 ] || printf '\n[[remote_write]]\nurl = "http://127.0.0.1:%s/api/v1/write"\ninterval = "30s"\nmax_queue_samples = 50000000\n' "$VM_PORT" >> "$W/collector$r.toml"
  printf '%s\n' "$STORE_TOML" >> "$W/collector$r.toml"
  "$B/simpul-collector" serve --config "$W/collector$r.toml" 2>"$W/collector$r.log" &
  CPIDS+=($!)
  for _ in $(seq 1 200); do curl -sf "http://127.0.0.1:$p/healthz" >/dev/null && break; sleep 0.1; done
  URLS="${URLS:+$URLS,}http://127.0.0.1:$p"
done
PGPID=""; [ "$STORE" = sqlite ] || PGPID=$(head -1 "$W/pg/data/postmaster.pid")
declare -A CPU0
for p in "${CPIDS[@]}"; do CPU0[$p]=$(awk '{print $14 + $15}' "/proc/$p/stat"); done
VMCPU0=$(awk '{print $14 + $15}' /proc/$VPID/stat); PGCPU0=0; [ -z "$PGPID" ] || PGCPU0=$(cpu_tree "$PGPID")
T0=$(date +%s.%N)
"$B/ingest-load" run --url "$URLS" --tokens "$W/data/bench-tokens.txt" \
  --seconds "$SECONDS_RUN" --concurrency 256 --interval "$INTERVAL" | sed 's/^/ingest: /'
T1=$(date +%s.%N); HZ=$(getconf CLK_TCK)
VMCPU1=$(awk '{print $14 + $15}' /proc/$VPID/stat); PGCPU1=0; [ -z "$PGPID" ] || PGCPU1=$(cpu_tree "$PGPID")
r=0; SENT_ALL=0
for p in "${CPIDS[@]}"; do
  r=$((r + 1))
  c1=$(awk '{print $14 + $15}' "/proc/$p/stat")
  M=$(curl -s "http://127.0.0.1:$((PORT + 10 * r))/metrics")
  SENT=$(echo "$M" | awk '/^simpul_remote_write_samples_total\{.*result="sent"/ {print $2}')
  DROPPED=$(echo "$M" | awk '/^simpul_remote_write_samples_total\{.*result="dropped"/ {print $2}')
  LEADER=$(echo "$M" | awk '/^simpul_collector_leader / {print $2}')
  DUTY=$(echo "$M" | awk '/^simpul_duty_evaluation_seconds / {print $2}')
  # the collector's own view of ingest: the histogram bucket that holds its p99 (time
  # from the request's arrival to its answer, without the client or the network)
  SERVER_P99=$(echo "$M" | awk '/^simpul_ingest_duration_seconds_bucket/ {
      le = $1; sub(/.*le="/, "", le); sub(/".*/, "", le); n++; b[n] = le; c[n] = $2 }
    END { for (i = 1; i <= n; i++) if (c[i] >= 0.99 * c[n]) { print b[i]; exit } }')
  awk -v r="$r" -v c0="${CPU0[$p]}" -v c1="$c1" -v t0="$T0" -v t1="$T1" -v hz="$HZ" -v s="${SENT:-0}" -v d="${DROPPED:-0}" -v l="${LEADER:-1}" -v duty="${DUTY:-0}" -v sp99="${SERVER_P99:-?}" \
      -v rss="$(awk '/^VmRSS:/ {print $2}' /proc/$p/status)" -v hwm="$(awk '/^VmHWM:/ {print $2}' /proc/$p/status)" 'BEGIN {
    el = t1 - t0
    printf "replica_%d: leader=%d cpu=%.1f%% of one core  rss_mib=%.0f  hwm_mib=%.0f  remote_write_sent=%d (%.0f/s) dropped=%d  last_duty_evaluation_s=%.2f  server_ingest_p99_le_s=%s\n", r, l, (c1 - c0) / hz / el * 100, rss / 1024, hwm / 1024, s, s / el, d, duty, sp99 }'
  SENT_ALL=$((SENT_ALL + ${SENT:-0}))
done
awk -v v0="$VMCPU0" -v v1="$VMCPU1" -v p0="$PGCPU0" -v p1="$PGCPU1" -v t0="$T0" -v t1="$T1" -v hz="$HZ" -v s="$SENT_ALL" -v store="$STORE" 'BEGIN {
  el = t1 - t0
  if (store == "postgres") printf "postgresql_cpu: %.1f %% of one core\n", (p1 - p0) / hz / el * 100
  printf "victoria_metrics_cpu: %.1f %% of one core\nremote_write_samples_per_s: %.0f (all replicas)\n", (v1 - v0) / hz / el * 100, s / el
}'
if [ "$STORE" = sqlite ]; then
  echo "database_bytes: $(du -cb "$W/data"/simpul.db* | tail -1 | cut -f1)"
else
  echo "database_bytes: $(psql -At -h 127.0.0.1 -p "$PG_PORT" -U simpul simpul -c "SELECT pg_database_size('simpul')")"
fi
