//! SNMP discovery against real servers in a namespace LAN the test builds: net-snmp's
//! snmpd on the bridge's management address ("the switch"), lldpd in every namespace
//! (the switch's lldpd serves LLDP-MIB to snmpd over AgentX). The agent, inside the
//! scanner namespace, polls the switch with SNMPv2c and SNMPv3 (SHA + AES) and finds
//! every host on its switch port by LLDP; a wrong v3 password, a dead address and a
//! device that answers garbage each give a clear error for that device only. A host
//! taken off the LAN is gone from the next discovery, with its link, and nothing else
//! changes.

#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use simpul_e2e::netlab::{lldp_neighbour_count, missing, NetLab, Servers, MGMT_IP, POLL};
use simpul_e2e::{bin, wait_for_every};

const V3_AUTH: &str = "authpass-7731";
const V3_PRIV: &str = "privpass-7731";

fn spawn(
    servers: &mut Servers,
    lab: &NetLab,
    ns: &str,
    program: &str,
    args: &[&str],
    env: &[(&str, &Path)],
) {
    let mut c = lab.command(ns, Path::new(program));
    c.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (k, v) in env {
        c.env(k, v);
    }
    servers.0.push(c.spawn().unwrap());
}

/// The lab's discovery, which logs no secret.
fn discover(lab: &NetLab, cfg: &Path) -> serde_json::Value {
    let out = lab.discover(cfg, "json");
    let stderr = String::from_utf8_lossy(&out.stderr);
    for secret in [V3_AUTH, V3_PRIV, "wrong-password", "public"] {
        assert!(!stderr.contains(secret), "a secret in the log: {stderr}");
    }
    serde_json::from_slice(&out.stdout).unwrap()
}

type LinkKey = (String, String, String, String, String);

fn links(d: &serde_json::Value) -> BTreeSet<LinkKey> {
    d["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let s = |v: &serde_json::Value| v.as_str().unwrap().to_owned();
            (
                s(&l["a"]["device"]),
                s(&l["a"]["port"]),
                s(&l["b"]["device"]),
                s(&l["b"]["port"]),
                s(&l["source"]),
            )
        })
        .collect()
}

fn devices(d: &serde_json::Value) -> BTreeMap<String, serde_json::Value> {
    d["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["id"].as_str().unwrap().to_owned(), x.clone()))
        .collect()
}

#[test]
fn snmp_and_lldp_put_every_host_on_its_switch_port() {
    if let Some(why) = missing(&["snmpd", "lldpd", "lldpcli", "python3"]) {
        assert!(std::env::var_os("CI").is_none(), "{why}");
        eprintln!("skipped: {why}");
        return;
    }
    let Some(lab) = NetLab::up(20, true) else {
        return;
    };
    let mut servers = Servers::default();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // lldpd's unprivileged side configures itself through its socket in here
    std::fs::set_permissions(d, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let lan = lab.ns("lan");
    let agentx = d.join("agentx.sock");
    std::fs::create_dir_all(d.join("persist")).unwrap();
    std::fs::write(
        d.join("snmpd.conf"),
        format!(
            "agentAddress udp:{MGMT_IP}:161\n\
             rocommunity public 10.250.0.0/22\n\
             sysName switch-lab\n\
             createUser simpul SHA \"{V3_AUTH}\" AES \"{V3_PRIV}\"\n\
             rouser simpul priv\n\
             master agentx\n\
             agentXSocket {}\n",
            agentx.display()
        ),
    )
    .unwrap();
    let conf = d.join("snmpd.conf");
    spawn(
        &mut servers,
        &lab,
        &lan,
        "snmpd",
        &[
            "-f",
            "-C",
            "-c",
            conf.to_str().unwrap(),
            "-m",
            "",
            "-I",
            "-smux,mteTrigger,mteTriggerConf",
            "-Lf",
            d.join("snmpd.log").to_str().unwrap(),
        ],
        &[("SNMP_PERSISTENT_DIR", &d.join("persist"))],
    );
    wait_for_every(
        "snmpd's AgentX socket",
        Duration::from_secs(15),
        POLL,
        || agentx.exists().then_some(()),
    );
    // lldpd's privilege-separation directory (systemd makes it on a booted system)
    std::fs::create_dir_all("/run/lldpd").unwrap();
    let mut lldpd = |ns: &str, name: &str, extra: &[&str]| {
        let conf = d.join(format!("lldpd-{name}.conf"));
        std::fs::write(
            &conf,
            format!("configure system hostname {name}\nconfigure lldp tx-interval 1\n"),
        )
        .unwrap();
        let sock = d.join(format!("lldpd-{name}.sock"));
        let mut args = vec![
            "-d",
            "-u",
            sock.to_str().unwrap(),
            "-O",
            conf.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        spawn(&mut servers, &lab, ns, "lldpd", &args, &[]);
        sock
    };
    let switch_sock = lldpd(&lan, "switch", &["-x", "-X", agentx.to_str().unwrap()]);
    for i in 1..=20 {
        lldpd(&lab.host(i), &format!("h{i:02}"), &[]);
    }
    lldpd(&lab.ns("scan"), "scan", &[]);
    wait_for_every(
        "21 LLDP neighbours of the switch",
        Duration::from_secs(45),
        POLL,
        || (lldp_neighbour_count(&switch_sock) == 21).then_some(()),
    );
    // h20 also runs a "device" that answers every SNMP request with garbage
    let ready = d.join("garbage.ready");
    spawn(
        &mut servers,
        &lab,
        &lab.host(20),
        "python3",
        &[
            "-c",
            "import socket\n\
             s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n\
             s.bind(('10.250.0.20', 161))\n\
             import sys; open(sys.argv[1], 'w').close()\n\
             while True:\n    \
                 d, a = s.recvfrom(65535)\n    \
                 s.sendto(b'\\x30\\x07\\x02\\x01\\x01\\x04\\x02\\xff\\xfe', a)\n",
            ready.to_str().unwrap(),
        ],
        &[],
    );
    wait_for_every(
        "the garbage responder",
        Duration::from_secs(15),
        POLL,
        || ready.exists().then_some(()),
    );

    let cfg = d.join("agent.toml");
    std::fs::write(
        &cfg,
        format!(
            r#"hostname = "opd-agent"
[discovery]
subnets = ["10.250.0.0/24"]
timeout_ms = 400
reverse_dns = false

[[discovery.snmp]]
address = "{MGMT_IP}"
community = "public"

[[discovery.snmp]]
address = "{MGMT_IP}"
version = "3"
user = "simpul"
auth_protocol = "SHA"
auth_password = "{V3_AUTH}"
priv_protocol = "AES"
priv_password = "{V3_PRIV}"

[[discovery.snmp]]
address = "{MGMT_IP}"
version = "3"
user = "simpul"
auth_protocol = "SHA"
auth_password = "wrong-password"
priv_protocol = "AES"
priv_password = "{V3_PRIV}"
timeout_ms = 500
retries = 0

[[discovery.snmp]]
address = "10.250.0.249"
community = "public"
timeout_ms = 300
retries = 0

[[discovery.snmp]]
address = "10.250.0.20"
community = "public"
timeout_ms = 300
retries = 0
"#
        ),
    )
    .unwrap();

    let first = discover(&lab, &cfg);
    let polls = first["snmp"].as_array().unwrap();
    assert_eq!(polls.len(), 5);
    for p in &polls[..2] {
        assert_eq!(p["ok"], true, "{p}");
        let dev = &p["device"];
        assert_eq!(dev["sys_name"], "switch-lab");
        assert_eq!(dev["lldp_remotes"].as_array().unwrap().len(), 21);
        // lo, br0, 21 bridge ports
        assert!(dev["interfaces"].as_array().unwrap().len() >= 23, "{dev}");
    }
    let errors: Vec<&str> = first["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert_eq!(errors.len(), 3, "{errors:#?}");
    assert!(
        errors[0].starts_with(&format!(
            "SNMP {MGMT_IP}: system: authentication failed for SNMPv3 user \"simpul\""
        )),
        "{}",
        errors[0]
    );
    assert!(
        errors[1].starts_with("SNMP 10.250.0.249: system: no answer"),
        "{}",
        errors[1]
    );
    assert!(
        errors[2].starts_with(
            "SNMP 10.250.0.20: system: the device answered, but not with valid SNMP replies"
        ),
        "{}",
        errors[2]
    );
    for e in &errors {
        assert!(!e.contains("wrong-password") && !e.contains(V3_PRIV), "{e}");
    }

    let devs = devices(&first);
    let switches: Vec<&serde_json::Value> =
        devs.values().filter(|x| x["type"] == "switch").collect();
    assert_eq!(switches.len(), 1, "{devs:#?}");
    let sw = switches[0];
    assert_eq!(sw["name"], "switch-lab");
    assert_eq!(sw["sources"], serde_json::json!(["arp", "icmp", "snmp"]));
    let sw_id = sw["id"].as_str().unwrap().to_owned();
    assert_eq!(devs.len(), 22, "20 hosts, the switch, this host: {devs:#?}");
    assert!(!devs.values().any(|x| x["type"] == "segment"));
    let me = devs.values().find(|x| x["type"] == "server").unwrap();
    let me_id = me["id"].as_str().unwrap().to_owned();
    let mut want: BTreeSet<LinkKey> = (1..=20)
        .map(|i| {
            let h = format!("mac:{}", lab.mac(&lab.host(i)));
            let mut l = (h, "eth0".to_owned(), sw_id.clone(), format!("p{i}"));
            if l.2 < l.0 {
                l = (l.2, l.3, l.0, l.1);
            }
            (l.0, l.1, l.2, l.3, "lldp".to_owned())
        })
        .collect();
    let mine = (
        me_id.clone(),
        "eth0".to_owned(),
        sw_id.clone(),
        "pscan".to_owned(),
    );
    want.insert(if mine.2 < mine.0 {
        (mine.2, mine.3, mine.0, mine.1, "lldp".to_owned())
    } else {
        (mine.0, mine.1, mine.2, mine.3, "lldp".to_owned())
    });
    assert_eq!(links(&first), want);
    for (id, x) in &devs {
        if x["type"] == "host" {
            assert_eq!(
                x["sources"],
                serde_json::json!(["arp", "icmp", "lldp"]),
                "{id}"
            );
            assert!(
                x["name"].as_str().unwrap().starts_with('h'),
                "LLDP sysName: {x}"
            );
        }
    }

    // host 7 leaves: the switch's port goes down, lldpd forgets it; only that host
    // and its link are gone
    let gone = format!("mac:{}", lab.mac(&lab.host(7)));
    lab.take_down(7);
    wait_for_every(
        "the switch forgets h07",
        Duration::from_secs(30),
        POLL,
        || (lldp_neighbour_count(&switch_sock) == 20).then_some(()),
    );
    std::thread::sleep(Duration::from_millis(2500));
    let second = discover(&lab, &cfg);
    let after = devices(&second);
    assert_eq!(
        devs.keys()
            .filter(|k| !after.contains_key(*k))
            .collect::<Vec<_>>(),
        [&gone]
    );
    assert!(after.keys().all(|k| devs.contains_key(k)));
    for (id, x) in &after {
        assert_eq!(Some(x), devs.get(id), "unchanged: {id}");
    }
    let removed: Vec<LinkKey> = links(&first).difference(&links(&second)).cloned().collect();
    assert_eq!(removed.len(), 1);
    assert!(removed[0].0 == gone || removed[0].2 == gone, "{removed:?}");
    assert!(links(&second).is_subset(&links(&first)));
    assert_ne!(first["hash"], second["hash"]);
    eprintln!(
        "SNMP polls: {}",
        polls
            .iter()
            .map(|p| format!("{} {:.3} s", p["address"], p["seconds"].as_f64().unwrap()))
            .collect::<Vec<_>>()
            .join(", ")
    );
}

/// Issue 20, finding 7: a device announcing a sysName with a TAB got every report with
/// a LAN discovery refused (422) and dropped by the agent, heartbeat included, so the
/// diagram froze. The agent now replaces the TAB where the name enters, and the
/// diagram is drawn with the device on it.
#[test]
fn control_character_in_an_snmp_sysname_does_not_blind_discovery() {
    if let Some(why) = missing(&["snmpd", "lldpd", "lldpcli", "python3"]) {
        assert!(std::env::var_os("CI").is_none(), "{why}");
        eprintln!("skipped: {why}");
        return;
    }
    let Some(lab) = NetLab::up(2, true) else {
        return;
    };
    let mut servers = Servers::default();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("persist")).unwrap();
    let conf = d.join("snmpd.conf");
    std::fs::write(
        &conf,
        format!(
            "agentAddress udp:{MGMT_IP}:161\n\
             rocommunity public 10.250.0.0/22\n\
             sysName core\tsw\n"
        ),
    )
    .unwrap();
    spawn(
        &mut servers,
        &lab,
        &lab.ns("lan"),
        "snmpd",
        &[
            "-f",
            "-C",
            "-c",
            conf.to_str().unwrap(),
            "-m",
            "",
            "-I",
            "-smux,mteTrigger,mteTriggerConf",
            "-Lf",
            d.join("snmpd.log").to_str().unwrap(),
        ],
        &[("SNMP_PERSISTENT_DIR", &d.join("persist"))],
    );
    let scan = lab.ns("scan");
    let discovery = format!(
        "[discovery]\nsubnets = [\"10.250.0.0/24\"]\ntimeout_ms = 400\nreverse_dns = false\n\
         interval_secs = 60\n\
         [[discovery.snmp]]\naddress = \"{MGMT_IP}\"\ncommunity = \"public\"\ntimeout_ms = 500\n"
    );
    let cfg = d.join("discover.toml");
    std::fs::write(&cfg, format!("hostname = \"opd-agent\"\n{discovery}")).unwrap();
    // the name as the agent reports it, once snmpd answers
    let name = wait_for_every("snmpd's sysName", Duration::from_secs(30), POLL, || {
        let found = discover(&lab, &cfg)["snmp"][0]["device"]["sys_name"].clone();
        let name = found.as_str().unwrap_or("").to_owned();
        (!name.is_empty()).then_some(name)
    });
    assert_eq!(name, "core\u{FFFD}sw", "the TAB is replaced");

    // an agent reporting to a collector (both in the scanner namespace, on its
    // loopback): the diagram is drawn with the device, and the heartbeats go on
    let port = simpul_e2e::free_port();
    let base = format!("http://127.0.0.1:{port}");
    let ccfg = d.join("collector.toml");
    std::fs::write(
        &ccfg,
        format!(
            "listen = \"127.0.0.1:{port}\"\ndata_dir = \"{}\"\n{}{}\n",
            d.join("data").display(),
            simpul_e2e::LAN_EVERY_CHANGE,
            simpul_e2e::COLLECTOR_TOML
        ),
    )
    .unwrap();
    let cli = |args: &[&str]| {
        let out = Command::new(bin("simpul-collector"))
            .args(args)
            .arg("--config")
            .arg(&ccfg)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    };
    let token = cli(&["agent", "add", "--agency", "dinkes", "--host", "opd-agent"]);
    let admin = cli(&["admin", "add", "--name", "Rina"]);
    let auth = format!("authorization: Bearer {admin}");
    let _collector = simpul_e2e::Proc::spawn(
        "simpul-collector",
        lab.command(&scan, &bin("simpul-collector"))
            .args(["serve", "--config"])
            .arg(&ccfg),
        d.join("collector.log"),
    );
    wait_for_every("the collector", Duration::from_secs(20), POLL, || {
        (lab.curl(&scan, &[&format!("{base}/healthz")]).0 == 200).then_some(())
    });
    let adir = d.join("agent");
    std::fs::create_dir_all(&adir).unwrap();
    std::fs::write(adir.join("agent.token"), &token).unwrap();
    let acfg = adir.join("agent.toml");
    std::fs::write(
        &acfg,
        format!(
            "collector_url = \"{base}\"\ntoken_file = \"{}\"\ninterval_secs = 1\nretry_max_secs = 1\n\
             state_dir = \"{}\"\nhostname = \"opd-agent\"\n{discovery}",
            adir.join("agent.token").display(),
            adir.join("state").display()
        ),
    )
    .unwrap();
    let _agent = simpul_e2e::Proc::spawn(
        "simpul-agent",
        lab.command(&scan, &bin("simpul-agent"))
            .args(["run", "--config"])
            .arg(&acfg),
        adir.join("agent.log"),
    );
    let lan = format!("{base}/api/v1/agencies/dinkes/lan");
    let mut body = String::new();
    let t0 = Instant::now();
    while !body.contains("core\u{FFFD}sw") {
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "no diagram with the device: {body}\nagent log:\n{}\ncollector log:\n{}",
            simpul_e2e::read(&adir.join("agent.log")),
            simpul_e2e::read(&d.join("collector.log"))
        );
        std::thread::sleep(Duration::from_millis(300));
        body = lab.curl(&scan, &["-H", &auth, &lan]).1;
    }
    // /metrics needs a bearer token: the admin's serves
    let (code, metrics) = lab.curl(&scan, &["-H", &auth, &format!("{base}/metrics")]);
    assert_eq!(code, 200);
    assert!(
        metrics.contains("simpul_ingest_requests_rejected_total{reason=\"invalid\"} 0"),
        "no report refused: {metrics}"
    );
}
