#!/usr/bin/env bash
# The operator's life with the packages, in a throwaway root (throwaway-root.sh):
# install, check files and permissions, configure, enrol with a one-time code, report;
# spool while the collector is down; upgrade to a newer version; check that the config,
# the token, the spool and the database are kept and that the spooled reports arrive;
# purge. Prints "ok: ..." or "FAIL: ..." per check and "scenario: N failed" at the end.
set -u
port=$1
failed=0
ok() { echo "ok: $*"; }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
check() { # description, command...
  local d=$1; shift
  if "$@" >/tmp/check.out 2>&1; then ok "$d"; else fail "$d: $(head -c 2000 /tmp/check.out)"; fi
}
mode() { # path, expected "mode owner group"
  local got
  got=$(stat -c '%a %U %G' "$1" 2>&1)
  if [ "$got" = "$2" ]; then ok "$1 is $2"; else fail "$1: expected $2, got $got"; fi
}
wait_until() { # seconds, command...: polls every 0.1 s
  local n=$(($1 * 10)); shift
  while [ $n -gt 0 ]; do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; n=$((n - 1)); done
  return 1
}
collector_up() { curl -sf "http://127.0.0.1:$port/healthz"; }
start_collector() { # log file
  runuser -u simpul -- simpul-collector serve --config /etc/simpul/collector.toml >>"$1" 2>&1 &
  collector_pid=$!
  check "collector serves on 127.0.0.1:$port" wait_until 20 collector_up
}
stop() { kill -TERM "$1" 2>/dev/null; wait "$1" 2>/dev/null || true; }
# what systemd does for LoadCredential=token:/etc/simpul/agent.token
start_agent() { # log file
  mkdir -p /run/credentials/simpul-agent.service
  install -m 0400 -o simpul -g simpul /etc/simpul/agent.token /run/credentials/simpul-agent.service/token
  runuser -u simpul -- env SIMPUL_LOG=debug simpul-agent run --config /etc/simpul/agent.toml \
    --token-file /run/credentials/simpul-agent.service/token >>"$1" 2>&1 &
  agent_pid=$!
}
spool_size() { stat -c %s /var/lib/simpul/agent/spool 2>/dev/null || echo 0; }

export DEBIAN_FRONTEND=noninteractive
# a machine that already has the packages would make this an upgrade: start clean
dpkg --purge simpul-agent simpul-collector >/dev/null 2>&1 || true

echo "== install $(ls /debs/old | tr '\n' ' ')"
check "install the old packages" dpkg -i /debs/old/simpul-agent_*.deb /debs/old/simpul-collector_*.deb
check "system user simpul" sh -c 'getent passwd simpul | grep -q ":/var/lib/simpul:/usr/sbin/nologin$"'
mode /etc/simpul/agent.toml "640 root simpul"
mode /etc/simpul/collector.toml "640 root simpul"
mode /var/lib/simpul "750 simpul simpul"
mode /var/lib/simpul/agent "750 simpul simpul"
for b in simpul-agent simpul-agent-discover simpul-collector; do
  mode /usr/bin/$b "755 root root"
  check "$b --help" $b --help
done
check "agent.toml is a conffile" sh -c 'dpkg-query -W -f="\${Conffiles}" simpul-agent | grep -q " /etc/simpul/agent.toml "'
check "collector.toml is a conffile" sh -c 'dpkg-query -W -f="\${Conffiles}" simpul-collector | grep -q " /etc/simpul/collector.toml "'
check "agent unit enabled" sh -c '[ "$(systemctl is-enabled simpul-agent.service)" = enabled ]'
check "collector unit enabled" sh -c '[ "$(systemctl is-enabled simpul-collector.service)" = enabled ]'
check "units pass systemd-analyze verify" systemd-analyze verify \
  /lib/systemd/system/simpul-agent.service /lib/systemd/system/simpul-collector.service \
  /lib/systemd/system/simpul-collector-backup.service /lib/systemd/system/simpul-collector-backup.timer
check "the unenrolled agent is not started at boot (ConditionPathExists on its token)" \
  sh -c 'grep -q "^ConditionPathExists=/etc/simpul/agent.token$" /lib/systemd/system/simpul-agent.service && [ ! -e /etc/simpul/agent.token ]'
check "dashboards shipped" test -s /usr/share/simpul/dashboards/grafana/fleet-overview.json
check "alert rules shipped" test -s /usr/share/simpul/prometheus/rules/simpul-hosts.rules.yml

echo "== configure and enrol"
sed -i "s|^listen = .*|listen = \"127.0.0.1:$port\"|" /etc/simpul/collector.toml
sed -i "s|^collector_url = .*|collector_url = \"http://127.0.0.1:$port\"|; s|^interval_secs = .*|interval_secs = 1|; s|^# hostname = .*|hostname = \"pkg-host\"|" /etc/simpul/agent.toml
code=$(simpul-collector agent add --config /etc/simpul/collector.toml --agency dinkes --host pkg-host --enroll-code 2>/tmp/add.err)
check "agent add --enroll-code run as root" test -n "$code"
mode /var/lib/simpul/simpul.db "600 simpul simpul"
start_collector /out/collector-old.log
check "enrol with the code" simpul-agent enroll --config /etc/simpul/agent.toml --code "$code"
mode /etc/simpul/agent.token "600 root root"
check "re-running enroll is safe" simpul-agent enroll --config /etc/simpul/agent.toml --code "$code"
token_sum=$(sha256sum /etc/simpul/agent.token)
start_agent /out/agent-old.log
scrape=$(simpul-collector scrape-token add --config /etc/simpul/collector.toml --name pkg-test 2>/dev/null)
check "scrape-token add run as root" test -n "$scrape"
check "/metrics needs the scrape token" sh -c "[ \$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$port/metrics) = 401 ]"
check "the agent's reports are stored" wait_until 20 sh -c "[ \$(curl -sf -H 'Authorization: Bearer $scrape' http://127.0.0.1:$port/metrics | awk '/^simpul_ingest_reports_stored_total/ {s += \$2} END {print s + 0}') -ge 2 ]"
stop "$collector_pid"
size=$(spool_size)
check "the agent spools while the collector is down" wait_until 20 sh -c "[ \$(stat -c %s /var/lib/simpul/agent/spool) -gt $((size + 64)) ]"
stop "$agent_pid"
spooled=$(spool_size)
config_sum=$(sha256sum /etc/simpul/agent.toml /etc/simpul/collector.toml)

echo "== upgrade to $(ls /debs/new | tr '\n' ' ')"
check "install the new packages over the old" dpkg -i /debs/new/simpul-agent_*.deb /debs/new/simpul-collector_*.deb
check "new version installed" sh -c '[ "$(dpkg-query -W -f="\${Version}" simpul-agent)" = "$(dpkg-deb -f /debs/new/simpul-agent_*.deb Version)" ]'
check "edited configs kept" sh -c "[ \"\$(sha256sum /etc/simpul/agent.toml /etc/simpul/collector.toml)\" = \"$config_sum\" ]"
mode /etc/simpul/agent.toml "640 root simpul"
check "token kept" sh -c "[ \"\$(sha256sum /etc/simpul/agent.token)\" = \"$token_sum\" ]"
mode /etc/simpul/agent.token "600 root root"
check "spool kept ($spooled bytes)" sh -c "[ \$(stat -c %s /var/lib/simpul/agent/spool) -eq $spooled ]"
check "database kept" sh -c 'simpul-collector agent list --config /etc/simpul/collector.toml | grep -q pkg-host'
mode /var/lib/simpul/simpul.db "600 simpul simpul"
start_collector /out/collector-new.log
start_agent /out/agent-new.log
# drained (the spool holds only its 17-byte drop counter) after two new samples: the
# old spool and the new version's reports have all arrived
check "the spooled reports arrive after the upgrade" wait_until 30 sh -c \
  '[ $(grep -c "sampled sequence=" /out/agent-new.log) -ge 2 ] && [ $(stat -c %s /var/lib/simpul/agent/spool) -le 17 ]'
stop "$agent_pid"
stop "$collector_pid"
cp /var/lib/simpul/simpul.db* /out/

echo "== purge"
check "purge both packages" dpkg --purge simpul-agent simpul-collector
check "config and token gone" test ! -e /etc/simpul
check "state and database gone" test ! -e /var/lib/simpul

echo "scenario: $failed failed"
