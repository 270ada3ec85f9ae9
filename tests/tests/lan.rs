//! LAN discovery in a namespace LAN the test builds (tests/src/netlab.rs): the agent,
//! inside the scanner namespace, sweeps 10.250.0.0/24 and reads its neighbour table;
//! it finds exactly the 20 hosts plus the switch, names and MACs included; a host
//! taken off the LAN is gone from the next discovery and nothing else changes.

#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]

use std::collections::BTreeMap;
use std::path::Path;

use simpul_e2e::bin;
use simpul_e2e::netlab::{NetLab, MGMT_IP, SCANNER_IP};

/// The part of the lab's /22 the agent sweeps: all of its hosts, and few enough
/// addresses that the kernel's neighbour table (1,024 entries by default, shared by
/// every namespace) never fills; bench/sweep.sh measures the whole /22.
const SWEPT: &str = "10.250.0.0/24";

fn discover(lab: &NetLab, cfg: &Path, format: &str) -> String {
    let out = lab
        .command(&lab.ns("scan"), &bin("simpul-agent"))
        .args(["discover", "--config"])
        .arg(cfg)
        .args(["--format", format])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "discover failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn json(lab: &NetLab, cfg: &Path) -> serde_json::Value {
    serde_json::from_str(&discover(lab, cfg, "json")).unwrap()
}

/// device id → device, for the devices of `kind`.
fn of_type(d: &serde_json::Value, kind: &str) -> BTreeMap<String, serde_json::Value> {
    d["devices"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["type"] == kind)
        .map(|x| (x["id"].as_str().unwrap().to_owned(), x.clone()))
        .collect()
}

#[test]
fn discovery_finds_every_host_of_a_namespace_lan() {
    let Some(lab) = NetLab::up(20, true) else {
        return;
    };
    // names for two hosts; the lab's "DNS server" does not exist, so other lookups
    // fail fast inside the lab
    let scan = lab.ns("scan");
    lab.etc_file(
        &scan,
        "hosts",
        "127.0.0.1 localhost\n10.250.0.5 h05.lab\n10.250.0.250 switch.lab\n",
    );
    lab.etc_file(
        &scan,
        "resolv.conf",
        "nameserver 10.250.0.253\noptions timeout:1 attempts:1\n",
    );
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("agent.toml");
    std::fs::write(
        &cfg,
        format!(
            "hostname = \"opd-agent\"\n[discovery]\nsubnets = [\"{SWEPT}\"]\ntimeout_ms = 400\n"
        ),
    )
    .unwrap();

    let d = json(&lab, &cfg);
    assert_eq!(d["errors"], serde_json::json!([]), "{d}");
    assert_eq!(d["stats"]["targets"], 254);
    assert_eq!(
        d["stats"]["alive"], 21,
        "20 hosts and the switch: {}",
        d["stats"]
    );
    let hosts = of_type(&d, "host");
    assert_eq!(hosts.len(), 21, "{hosts:?}");
    let mut want: Vec<String> = (1..=20)
        .map(|i| format!("mac:{}", lab.mac(&lab.host(i))))
        .collect();
    for h in hosts.values() {
        assert_eq!(h["macs"].as_array().unwrap().len(), 1, "{h}");
        assert_eq!(h["sources"], serde_json::json!(["arp", "icmp"]), "{h}");
        assert_eq!(h["vendor"], "", "veth MACs are locally administered: {h}");
    }
    want.retain(|id| !hosts.contains_key(id));
    assert!(want.is_empty(), "hosts not found: {want:?}");
    let named: BTreeMap<&str, &str> = hosts
        .values()
        .filter(|h| h["name"] != "")
        .map(|h| {
            (
                h["addresses"][0].as_str().unwrap(),
                h["name"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        named,
        BTreeMap::from([("10.250.0.5", "h05.lab"), (MGMT_IP, "switch.lab")])
    );
    let me = of_type(&d, "server");
    let me = me.values().next().unwrap();
    assert_eq!(me["name"], "opd-agent");
    assert_eq!(me["addresses"], serde_json::json!([SCANNER_IP]));
    let seg = of_type(&d, "segment");
    assert_eq!(
        seg.keys().collect::<Vec<_>>(),
        [&format!("segment:{SWEPT}")]
    );
    let links = d["links"].as_array().unwrap();
    assert_eq!(links.len(), 22, "every device to the segment");
    assert!(links
        .iter()
        .all(|l| l["b"]["device"] == format!("segment:{SWEPT}")
            || l["a"]["device"] == format!("segment:{SWEPT}")));
    eprintln!(
        "discovered 21 devices of a /24 in {:.2} s (sweep {:.2} s)",
        d["stats"]["seconds"].as_f64().unwrap(),
        d["stats"]["sweep_seconds"].as_f64().unwrap()
    );

    // the same LAN: the same hash
    let again = json(&lab, &cfg);
    assert_eq!(again["hash"], d["hash"]);
    assert!(discover(&lab, &cfg, "dot").starts_with("graph \"opd-agent\" {"));

    // a host goes away: only it is gone (its neighbour entry stops being believed once
    // the scanner's short reachable time has passed)
    let gone = format!("mac:{}", lab.mac(&lab.host(7)));
    lab.take_down(7);
    std::thread::sleep(std::time::Duration::from_millis(2500));
    let after = json(&lab, &cfg);
    let left = of_type(&after, "host");
    assert_eq!(left.len(), 20, "{:?}", left.keys());
    assert!(!left.contains_key(&gone));
    assert_ne!(after["hash"], d["hash"]);
    for (id, h) in &hosts {
        if *id != gone {
            assert_eq!(left.get(id), Some(h), "unchanged: {id}");
        }
    }
    assert_eq!(after["links"].as_array().unwrap().len(), 21);
}
