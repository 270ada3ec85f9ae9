//! SNMP polling of real devices' recordings: snmpsim (PyPI) serves five recordings
//! from snmpsim-data (HPE ProCurve, Cisco Nexus 5000, D-Link DES-3200, Juniper MX960,
//! Arista 7150S: switches and routers with LLDP neighbours, BRIDGE and Q-BRIDGE
//! forwarding tables, ARP tables) inside a namespace the test creates; the agent polls
//! each from another namespace and parses it without error, with the same counts of
//! interfaces, LLDP neighbours and forwarding entries as the recording itself.
//!
//! scripts/test.sh installs snmpsim into a venv (`SIMPUL_SNMPSIM_VENV`, default
//! /var/tmp/simpul-snmpsim-venv).

#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use simpul_e2e::bin;
use simpul_e2e::netlab::NetLab;

/// The recordings (path under snmpsim_data/data, without `.snmprec.bz2`).
const RECORDINGS: &[&str] = &[
    "network/switch/hpe-procurve-516733-b21",
    "network/switch/cisco-n5000",
    "network/switch/dlink-des3200",
    "network/router/juniper-mx960-13-3r9-13",
    "cloud/arista-dcs-7150s-52-cl",
];

fn venv() -> PathBuf {
    std::env::var_os("SIMPUL_SNMPSIM_VENV").map_or_else(
        || PathBuf::from("/var/tmp/simpul-snmpsim-venv"),
        PathBuf::from,
    )
}

/// What a recording says, counted from its text: `OID|TAG|VALUE` lines.
#[derive(Debug, Default, PartialEq)]
struct Counts {
    sys_name: String,
    interfaces: usize,
    lldp_neighbours: usize,
    fdb_entries: usize,
}

fn arcs(oid: &str) -> Vec<u32> {
    oid.split('.').filter_map(|a| a.parse().ok()).collect()
}

fn count(recording: &str) -> Counts {
    let mut ifs = BTreeSet::new();
    let mut lldp = BTreeSet::new();
    // (table, index) -> (port, status)
    type PortStatus = (Option<i64>, Option<i64>);
    let mut fdb: BTreeMap<(u8, Vec<u32>), PortStatus> = BTreeMap::new();
    let mut sys_name = String::new();
    for line in recording.lines() {
        let mut f = line.splitn(3, '|');
        let (Some(oid), Some(tag), Some(value)) = (f.next(), f.next(), f.next()) else {
            continue;
        };
        let a = arcs(oid);
        let int = || value.trim().parse::<i64>().ok();
        if oid == "1.3.6.1.2.1.1.5.0" {
            sys_name = if tag.ends_with('x') {
                (0..value.len() / 2)
                    .filter_map(|i| u8::from_str_radix(&value[2 * i..2 * i + 2], 16).ok())
                    .map(char::from)
                    .collect()
            } else {
                value.to_owned()
            };
        }
        if let Some(rest) = a.strip_prefix(&[1, 3, 6, 1, 2, 1, 2, 2, 1][..]) {
            if let [_, i] = rest {
                ifs.insert(*i);
            }
        } else if let Some(rest) = a.strip_prefix(&[1, 3, 6, 1, 2, 1, 31, 1, 1, 1][..]) {
            if let [_, i] = rest {
                ifs.insert(*i);
            }
        } else if let Some(rest) = a.strip_prefix(&[1, 0, 8802, 1, 1, 2, 1, 4, 1, 1][..]) {
            if let [_, t, p, i] = rest {
                lldp.insert((*t, *p, *i));
            }
        } else if let Some([col, idx @ ..]) = a.strip_prefix(&[1, 3, 6, 1, 2, 1, 17, 4, 3, 1][..]) {
            if idx.len() == 6 {
                let e = fdb.entry((1, idx.to_vec())).or_default();
                match col {
                    2 => e.0 = int(),
                    3 => e.1 = int(),
                    _ => {}
                }
            }
        } else if let Some([col, idx @ ..]) =
            a.strip_prefix(&[1, 3, 6, 1, 2, 1, 17, 7, 1, 2, 2, 1][..])
        {
            if idx.len() == 7 {
                let e = fdb.entry((2, idx.to_vec())).or_default();
                match col {
                    2 => e.0 = int(),
                    3 => e.1 = int(),
                    _ => {}
                }
            }
        }
    }
    // a MAC on a port (> 0), unless its status is invalid (2) or the switch's own (4)
    let fdb_entries = fdb
        .values()
        .filter(|(port, status)| port.is_some_and(|p| p > 0) && !matches!(status, Some(2 | 4)))
        .count();
    Counts {
        sys_name,
        interfaces: ifs.len(),
        lldp_neighbours: lldp.len(),
        fdb_entries,
    }
}

fn poll(lab: &NetLab, cfg: &Path, tables: Option<&str>) -> (bool, serde_json::Value) {
    let mut c = lab.command(&lab.ns("scan"), &bin("simpul-agent"));
    c.args(["snmp-poll", "--config"]).arg(cfg);
    if let Some(t) = tables {
        c.args(["--tables", t]);
    }
    let out = c.output().unwrap();
    (
        out.status.success(),
        serde_json::from_slice(&out.stdout).unwrap_or_default(),
    )
}

#[test]
fn recordings_of_real_devices_parse_with_the_recorded_counts() {
    let responder = venv().join("bin/snmpsim-command-responder");
    if !responder.is_file() {
        let why = format!(
            "{} is missing (scripts/test.sh installs snmpsim)",
            responder.display()
        );
        assert!(std::env::var_os("CI").is_none(), "{why}");
        eprintln!("skipped: {why}");
        return;
    }
    let Some(lab) = NetLab::up(1, false) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let data = d.join("data");
    let cache = d.join("cache");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::create_dir_all(&cache).unwrap();
    // snmpsim drops root for `nobody`, which must read the data and write the cache
    let ok = Command::new("chown")
        .args(["nobody:nogroup"])
        .arg(&cache)
        .status()
        .unwrap();
    assert!(ok.success());
    for p in [d, data.as_path()] {
        std::fs::set_permissions(p, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    }
    let out = Command::new(venv().join("bin/python"))
        .args([
            "-c",
            "import bz2, os, snmpsim_data, sys\n\
             src = os.path.join(os.path.dirname(snmpsim_data.__file__), 'data')\n\
             for r in sys.argv[2:]:\n    \
                 with bz2.open(os.path.join(src, r + '.snmprec.bz2'), 'rb') as f:\n        \
                     open(os.path.join(sys.argv[1], os.path.basename(r) + '.snmprec'), 'wb').write(f.read())\n",
        ])
        .arg(&data)
        .args(RECORDINGS)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let h = lab.host(1);
    let mut sim = lab
        .command(&h, &responder)
        .arg(format!("--data-dir={}", data.display()))
        .arg(format!("--cache-dir={}", cache.display()))
        .args([
            "--agent-udpv4-endpoint=10.250.0.1:1161",
            "--process-user=nobody",
            "--process-group=nogroup",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(d.join("snmpsim.log")).unwrap())
        .spawn()
        .unwrap();

    let communities: Vec<&str> = RECORDINGS
        .iter()
        .map(|r| r.rsplit('/').next().unwrap())
        .collect();
    let cfg = d.join("agent.toml");
    let mut text = String::from("[discovery]\n");
    for c in &communities {
        text += &format!(
            "[[discovery.snmp]]\naddress = \"10.250.0.1\"\nport = 1161\ncommunity = \"{c}\"\n\
             timeout_ms = 10000\nretries = 2\ndeadline_secs = 300\n"
        );
    }
    std::fs::write(&cfg, text).unwrap();
    // snmpsim indexes the recordings before it answers
    let t0 = Instant::now();
    while !poll(&lab, &cfg, Some("system")).0 {
        assert!(
            t0.elapsed() < Duration::from_secs(120),
            "snmpsim did not answer within 120 s: {}\n{}",
            poll(&lab, &cfg, Some("system")).1,
            std::fs::read_to_string(d.join("snmpsim.log")).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(500));
    }

    let (ok, polls) = poll(&lab, &cfg, None);
    let _ = sim.kill();
    let _ = sim.wait();
    assert!(ok, "{polls:#}");
    for (i, c) in communities.iter().enumerate() {
        let p = &polls[i];
        assert_eq!(p["ok"], true, "{c}: {p}");
        let dev = &p["device"];
        let text = std::fs::read_to_string(data.join(format!("{c}.snmprec"))).unwrap();
        let want = count(&text);
        let got = Counts {
            sys_name: dev["sys_name"].as_str().unwrap().to_owned(),
            interfaces: dev["interfaces"].as_array().unwrap().len(),
            lldp_neighbours: dev["lldp_remotes"].as_array().unwrap().len(),
            fdb_entries: dev["fdb"].as_array().unwrap().len(),
        };
        assert_eq!(got, want, "{c}");
        assert!(got.interfaces > 0, "{c}: {got:?}");
        eprintln!(
            "{c}: {got:?}, {} OIDs in {:.1} s",
            dev["oids"],
            p["seconds"].as_f64().unwrap()
        );
    }
    // between them, the recordings have LLDP neighbours and both kinds of FDB
    let total = |k: &str| -> usize {
        polls
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["device"][k].as_array().unwrap().len())
            .sum()
    };
    assert!(total("lldp_remotes") >= 20 && total("fdb") >= 500);
}
