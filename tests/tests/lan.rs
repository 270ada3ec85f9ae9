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

use simpul_e2e::netlab::{NetLab, MGMT_IP, SCANNER_IP};
use simpul_e2e::{bin, run};

/// The part of the lab's /22 the agent sweeps: all of its hosts, and few enough
/// addresses that the kernel's neighbour table (1,024 entries by default, shared by
/// every namespace) never fills; bench/sweep.sh measures the whole /22.
const SWEPT: &str = "10.250.0.0/24";

fn json(lab: &NetLab, cfg: &Path) -> serde_json::Value {
    serde_json::from_slice(&lab.discover(cfg, "json").stdout).unwrap()
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
    assert_eq!(
        d["stats"]["arp_alive"], 21,
        "the ARP sweep found them too: {}",
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
    // no router here: every device hangs off the agent's host, whose ARP table has
    // it (issue 23: never a segment island)
    assert!(of_type(&d, "segment").is_empty(), "{d}");
    let me_id = me["id"].as_str().unwrap();
    let links = d["links"].as_array().unwrap();
    assert_eq!(links.len(), 21, "every device to the agent's host");
    assert!(links
        .iter()
        .all(|l| (l["b"]["device"] == me_id && l["b"]["port"] == "eth0")
            || (l["a"]["device"] == me_id && l["a"]["port"] == "eth0")));
    assert!(links.iter().all(|l| l["source"] == "arp"));
    eprintln!(
        "discovered 21 devices of a /24 in {:.2} s (sweep {:.2} s)",
        d["stats"]["seconds"].as_f64().unwrap(),
        d["stats"]["sweep_seconds"].as_f64().unwrap()
    );

    // the same LAN: the same hash
    let again = json(&lab, &cfg);
    assert_eq!(again["hash"], d["hash"]);
    let dot = String::from_utf8(lab.discover(&cfg, "dot").stdout).unwrap();
    assert!(dot.starts_with("graph \"opd-agent\" {"));

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
    assert_eq!(after["links"].as_array().unwrap().len(), 20);
}

#[test]
fn the_collector_keeps_every_version_of_an_agency_lan() {
    let Some(lab) = NetLab::up(6, false) else {
        return;
    };
    let scan = lab.ns("scan");
    let dir = tempfile::tempdir().unwrap();
    // the collector runs inside the scanner namespace, on its loopback
    let port = simpul_e2e::free_port();
    let base = format!("http://127.0.0.1:{port}");
    let ccfg = dir.path().join("collector.toml");
    std::fs::write(
        &ccfg,
        format!(
            "listen = \"127.0.0.1:{port}\"\ndata_dir = \"{}\"\n{}{}\n",
            dir.path().join("data").display(),
            simpul_e2e::LAN_EVERY_CHANGE,
            simpul_e2e::COLLECTOR_TOML
        ),
    )
    .unwrap();
    let cli = |args: &[&str]| {
        run(std::process::Command::new(bin("simpul-collector"))
            .args(args)
            .arg("--config")
            .arg(&ccfg))
        .trim()
        .to_owned()
    };
    let token = cli(&[
        "agent",
        "add",
        "--agency",
        "dinkes",
        "--host",
        "opd-agent",
        "--site",
        "kantor-dinkes",
    ]);
    let admin = cli(&["admin", "add", "--name", "Rina"]);
    // reading the API needs a reader too: the admin token serves
    let auth = format!("authorization: Bearer {admin}");
    let _collector = simpul_e2e::Proc::spawn(
        "simpul-collector",
        lab.command(&scan, &bin("simpul-collector"))
            .args(["serve", "--config"])
            .arg(&ccfg),
        dir.path().join("collector.log"),
    );
    simpul_e2e::wait_for("collector", std::time::Duration::from_secs(20), || {
        (lab.curl(&scan, &[&format!("{base}/healthz")]).0 == 200).then_some(())
    });
    // nothing yet: the duty check says the diagram is missing
    let (code, body) = lab.curl(&scan, &["-H", &auth, &format!("{base}/api/v1/lan")]);
    assert_eq!(code, 200, "{body}");
    assert!(
        body.contains(r#""agency":"dinkes","site":"","state":"missing""#),
        "{body}"
    );

    // an agent in the agency's office discovers every 60 s (the shortest interval);
    // each restart discovers at once
    let adir = dir.path().join("agent");
    std::fs::create_dir_all(&adir).unwrap();
    std::fs::write(adir.join("agent.token"), &token).unwrap();
    let acfg = adir.join("agent.toml");
    std::fs::write(
        &acfg,
        format!(
            "collector_url = \"{base}\"\ntoken_file = \"{}\"\ninterval_secs = 1\nretry_max_secs = 1\n\
             state_dir = \"{}\"\nhostname = \"opd-agent\"\n\
             [discovery]\nsubnets = [\"{SWEPT}\"]\ntimeout_ms = 300\nreverse_dns = false\ninterval_secs = 60\n\
             [[discovery.snmp]]\naddress = \"10.250.0.249\"\ncommunity = \"public\"\ntimeout_ms = 200\nretries = 0\n",
            adir.join("agent.token").display(),
            adir.join("state").display()
        ),
    )
    .unwrap();
    let start_agent = || {
        simpul_e2e::Proc::spawn(
            "simpul-agent",
            lab.command(&scan, &bin("simpul-agent"))
                .args(["run", "--config"])
                .arg(&acfg),
            adir.join("agent.log"),
        )
    };
    let versions =
        |n: usize| {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
            loop {
                let (code, body) = lab.curl(
                    &scan,
                    &[
                        "-H",
                        &auth,
                        &format!("{base}/api/v1/agencies/dinkes/lan/versions"),
                    ],
                );
                let v: serde_json::Value =
                    serde_json::from_str(&body).unwrap_or(serde_json::Value::Null);
                if code == 200 && v.as_array().is_some_and(|a| a.len() == n) {
                    break v;
                }
                assert!(
                std::time::Instant::now() < deadline,
                "waiting for {n} LAN versions; have ({code}): {body}\nnewest: {}\nagent log:\n{}",
                lab.curl(&scan, &["-H", &auth, &format!("{base}/api/v1/agencies/dinkes/lan")]).1,
                simpul_e2e::read(&adir.join("agent.log"))
            );
                std::thread::sleep(std::time::Duration::from_millis(200));
            }
        };
    let agent = start_agent();
    let v = versions(1);
    assert_eq!(v[0]["version"], 1);
    assert_eq!(v[0]["site"], "kantor-dinkes");
    assert_eq!(v[0]["devices"], 7, "6 hosts, the agent's host: {v}");
    let (code, body) = lab.curl(
        &scan,
        &["-H", &auth, &format!("{base}/api/v1/agencies/dinkes/lan")],
    );
    assert_eq!(code, 200);
    let cur: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(cur["topology"]["devices"].as_array().unwrap().len(), 7);
    // the SNMP device that does not exist: its failed poll, with the reason
    let polls = cur["snmp"].as_array().unwrap();
    assert_eq!(polls.len(), 1, "{cur}");
    assert_eq!(
        (&polls[0]["address"], &polls[0]["ok"]),
        (
            &serde_json::json!("10.250.0.249"),
            &serde_json::json!(false)
        )
    );
    assert!(
        polls[0]["error"]
            .as_str()
            .unwrap()
            .starts_with("SNMP 10.250.0.249: system: no answer"),
        "{cur}"
    );
    assert_eq!(cur["changes"], 0);
    let (code, dot) = lab.curl(
        &scan,
        &[
            "-H",
            &auth,
            &format!("{base}/api/v1/agencies/dinkes/lan.dot"),
        ],
    );
    assert_eq!(code, 200);
    assert!(dot.starts_with("graph \"dinkes kantor-dinkes\" {"), "{dot}");
    let (code, svg) = lab.curl(
        &scan,
        &[
            "-H",
            &auth,
            &format!("{base}/api/v1/agencies/dinkes/lan.svg"),
        ],
    );
    assert_eq!(code, 200);
    assert!(
        svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
        "{svg}"
    );
    assert!(svg.contains("<title>dinkes kantor-dinkes, version 1</title>"));
    for d in cur["topology"]["devices"].as_array().unwrap() {
        let id = d["id"].as_str().unwrap();
        assert!(svg.contains(&format!("data-id=\"{id}\"")), "{id} missing");
    }
    drop(agent);

    // the same LAN again: no new version, only a later last_seen
    let first_seen = v[0]["last_seen"].as_f64().unwrap();
    let agent = start_agent();
    simpul_e2e::wait_for("keep-alive", std::time::Duration::from_secs(30), || {
        let v = versions(1);
        (v[0]["last_seen"].as_f64()? > first_seen).then_some(())
    });
    drop(agent);

    // a host goes away: version 2, whose diff is exactly that host and its link
    let gone = format!("mac:{}", lab.mac(&lab.host(4)));
    lab.take_down(4);
    std::thread::sleep(std::time::Duration::from_millis(2500));
    let _agent = start_agent();
    let v = versions(2);
    assert_eq!(v[0]["version"], 2);
    assert_eq!(v[0]["changes"], 2, "{v}");
    let (_, body) = lab.curl(
        &scan,
        &[
            "-H",
            &auth,
            &format!("{base}/api/v1/agencies/dinkes/lan/versions/2"),
        ],
    );
    let two: serde_json::Value = serde_json::from_str(&body).unwrap();
    let d = &two["diff"];
    assert_eq!(d["devices_removed"].as_array().unwrap().len(), 1, "{d}");
    assert_eq!(d["devices_removed"][0]["id"], gone);
    assert_eq!(d["links_removed"].as_array().unwrap().len(), 1);
    let l = &d["links_removed"][0];
    assert!(l["a"]["device"] == gone || l["b"]["device"] == gone, "{d}");
    assert_eq!(d["devices_added"], serde_json::json!([]));
    let (_, body) = lab.curl(
        &scan,
        &[
            "-H",
            &auth,
            &format!("{base}/api/v1/agencies/dinkes/lan/diff?from=1&to=2"),
        ],
    );
    assert!(body.contains("\"changes\":2"), "{body}");
    // and in words: the host by its address, the agent's host by its name
    let diff: serde_json::Value = serde_json::from_str(&body).unwrap();
    let lines: Vec<&str> = diff["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["text"].as_str().unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{body}");
    assert!(lines[0].starts_with("− device 10.250.0."), "{lines:?}");
    assert!(lines[1].starts_with("− link "), "{lines:?}");
    assert!(
        lines[1].contains("opd-agent port eth0")
            && lines[1].contains(" 10.250.0.")
            && lines[1].ends_with(" (ARP)"),
        "{lines:?}"
    );
    assert!(!body.contains("\"text\":\"− link mac:"), "{body}");

    // Diskominfo acknowledges; bad requests are named
    let (_, duty) = lab.curl(&scan, &["-H", &auth, &format!("{base}/api/v1/lan")]);
    assert!(duty.contains(r#""unacknowledged_changes":2"#), "{duty}");
    let ack = format!("{base}/api/v1/agencies/dinkes/lan/versions/2/ack");
    assert_eq!(lab.curl(&scan, &["-X", "POST", &ack]).0, 401);
    let (code, body) = lab.curl(&scan, &["-X", "POST", "-H", &auth, &ack]);
    assert_eq!(code, 200, "{body}");
    let (_, duty) = lab.curl(&scan, &["-H", &auth, &format!("{base}/api/v1/lan")]);
    assert!(duty.contains(r#""unacknowledged_changes":0"#), "{duty}");
    for (url, code, needle) in [
        (
            "/api/v1/agencies/dinkes/lan/versions/9",
            404,
            "no LAN diagram version 9; its versions: 1–2",
        ),
        (
            "/api/v1/agencies/dinkes/lan/versions/0",
            404,
            "no LAN diagram version 0; its versions: 1–2",
        ),
        (
            "/api/v1/agencies/dinkes/lan.svg?version=3",
            404,
            "no LAN diagram version 3; its versions: 1–2",
        ),
        (
            "/api/v1/agencies/dinkes/lan.dot?version=3",
            404,
            "version 3",
        ),
        (
            "/api/v1/agencies/dinkes/lan/graph?version=-1",
            404,
            "version -1",
        ),
        (
            "/api/v1/agencies/dinkes/lan/diff?from=1&to=7",
            404,
            "no LAN diagram version 7; its versions: 1–2",
        ),
        (
            "/api/v1/agencies/dinkes/lan.svg?from=5",
            404,
            "no LAN diagram version 5",
        ),
        (
            "/api/v1/agencies/dinkes/lan.dot?from=1",
            400,
            "only lan.svg",
        ),
        (
            "/api/v1/agencies/dinkes/lan/versions/x",
            400,
            "must be a version number",
        ),
        ("/api/v1/agencies/dinkes/lan/diff", 400, "from"),
        (
            "/api/v1/agencies/dinkes/lan?site=gedung-b",
            404,
            "no LAN diagram for site",
        ),
        ("/api/v1/agencies/dinsos/lan", 404, "dinsos"),
        ("/api/v1/agencies/diskominfo/lan", 404, "no LAN diagram yet"),
    ] {
        let (got, body) = lab.curl(&scan, &["-H", &auth, &format!("{base}{url}")]);
        assert_eq!(got, code, "{url}: {body}");
        assert!(body.contains(needle), "{url}: {body}");
    }
    // the SNMP poll of the silent device waits out its timeouts, and the duty engine
    // evaluates on its own tick: on a loaded machine this took over 40 s once. The
    // device count is the newest version's: the agent keeps discovering, and on a
    // loaded machine a host that answered the first sweep late was missing from a later
    // one (6 devices, not 7, in one CI run)
    let mut seen = String::new();
    simpul_e2e::wait_for("LAN metrics", std::time::Duration::from_secs(90), || {
        let (_, newest) = lab.curl(
            &scan,
            &["-H", &auth, &format!("{base}/api/v1/agencies/dinkes/lan")],
        );
        let in_newest = serde_json::from_str::<serde_json::Value>(&newest)
            .ok()
            .and_then(|v| v["topology"]["devices"].as_array().map(Vec::len))
            .map(|n| n as f64);
        let (_, m) = lab.curl(&scan, &["-H", &auth, &format!("{base}/metrics")]);
        let devices = simpul_e2e::sample(
            &m,
            "simpul_lan_devices{agency=\"dinkes\",site=\"kantor-dinkes\"}",
        );
        let unacked = simpul_e2e::sample(
            &m,
            "simpul_lan_unacknowledged_changes{agency=\"dinkes\",site=\"kantor-dinkes\"}",
        );
        let snmp = simpul_e2e::sample(
            &m,
            "simpul_snmp_poll_success{agency=\"dinkes\",site=\"kantor-dinkes\",device=\"10.250.0.249\",name=\"\"}",
        );
        let now = format!(
            "devices {devices:?} (newest version: {in_newest:?}), unacknowledged {unacked:?}, snmp success {snmp:?}"
        );
        if now != seen {
            // the test's output on a failure tells which one never came
            eprintln!("LAN metrics: {now}");
            seen = now;
        }
        (devices.is_some()
            && devices == in_newest
            && devices >= Some(6.0)
            && unacked == Some(0.0)
            && snmp == Some(0.0))
        .then_some(())
    });
}

mod bilingual;

/// A report of the dinkes office agent: a switch, a device of unknown type, and the
/// `hosts` (`pc-07`, `pc-09`: at 10.20.0.7 on port Gi0/7, ...) under the switch.
fn office_lan(id: &str, seq: u64, hosts: &[&str]) -> serde_json::Value {
    use simpul_e2e::{lan, lan_device};
    let sw = "mac:02:00:00:00:00:01";
    let mut devices = vec![
        lan_device(sw, "switch", "sw-core"),
        lan_device("ip:10.20.0.250", "unknown", "printer-lt2"),
    ];
    let mut links = Vec::new();
    for h in hosts {
        let n: u32 = h[3..].parse().unwrap();
        let dev = format!("ip:10.20.0.{n}");
        devices.push(lan_device(&dev, "host", h));
        links.push(serde_json::json!({"a": {"device": dev, "port": ""},
            "b": {"device": sw, "port": format!("Gi0/{n}")}, "source": "fdb"}));
    }
    let mut r = simpul_e2e::report(id, "opd-agent", seq);
    r["lan"] = lan("10.20.0.0/24", devices);
    r["lan"]["topology"]["links"] = serde_json::json!(links);
    r
}

/// The LAN pages in Bahasa Indonesia and in English (issue 22): the agencies' diagram
/// states, an agency's diagram with its own words, its versions, a diff, a period, the
/// acknowledge form and its messages; bad parameters in the reader's language.
#[test]
fn the_lan_pages_in_both_languages() {
    use bilingual::{assert_english, assert_has, assert_indonesian, csrf, read, EN, ID};
    use simpul_e2e::curl::curl;
    let c = simpul_e2e::Collector::start("");
    let token = c.enrol("dinkes", "opd-agent", Some("kantor-dinkes"));
    let id = simpul_e2e::agent_id(&token);
    simpul_e2e::send(&c, &token, &office_lan(&id, 1, &["pc-07"]));
    simpul_e2e::send(&c, &token, &office_lan(&id, 2, &["pc-07", "pc-09"]));
    c.add_user("budi", &["--role", "admin"], "budi password 2026");
    c.add_user(
        "rina",
        &["--role", "agency", "--agency", "dinkes"],
        "rina password 2026",
    );
    let budi = simpul_e2e::curl::login(&c, "budi", "budi password 2026");
    let rina = simpul_e2e::curl::login(&c, "rina", "rina password 2026");

    // every agency's diagram (the duty states are computed every few seconds)
    let index = simpul_e2e::wait_for("the LAN duty", std::time::Duration::from_secs(20), || {
        let page = read(&c, &budi, ID, "/lan", 200);
        page.contains("kantor-dinkes").then_some(page)
    });
    assert_indonesian("/lan", &index);
    assert_has(
        "/lan",
        &index,
        &[
            "<h1>Diagram jaringan</h1>",
            "Terakhir diverifikasi",
            "Perubahan belum dikonfirmasi",
            ">baik<",
            ">tidak ada<",
            "yang lalu",
            ">belum pernah<",
        ],
    );
    let index = read(&c, &budi, EN, "/lan", 200);
    assert_english("/lan", &index);
    assert_has(
        "/lan",
        &index,
        &["LAN diagrams", "Unacknowledged changes", " ago"],
    );
    let a = curl(&c.url("/lan"), "GET", &[&rina, ID], "");
    assert_eq!(
        (a.status, a.location.as_deref()),
        (303, Some("/lan/dinkes"))
    );

    // the agency's diagram, in its own words
    let page = read(&c, &budi, ID, "/lan/dinkes", 200);
    assert_indonesian("/lan/dinkes", &page);
    assert_has(
        "/lan/dinkes",
        &page,
        &[
            "Diagram jaringan Dinas Kesehatan (dinkes)",
            "Versi 2 dari 2, ditemukan",
            "terakhir diverifikasi",
            "4 perangkat, 2 tautan.",
            "aria-label=\"Diagram jaringan: seret untuk menggeser",
            // the diagram's own words
            "Dinas Kesehatan — kantor-dinkes v2 — 4 perangkat, 2 tautan",
            ">tidak dikenal<",
            "alamat: ",
            "Konfirmasi perubahan hingga v2",
            ">belum dikonfirmasi<",
            "2 perubahan",
            ">pertama<",
            "Bandingkan v",
            "Tampilkan versi",
        ],
    );
    let page = read(&c, &budi, EN, "/lan/dinkes", 200);
    assert_english("/lan/dinkes", &page);
    assert_has(
        "/lan/dinkes",
        &page,
        &[
            "LAN of Dinas Kesehatan (dinkes)",
            "Version 2 of 2, discovered",
            "4 devices, 2 links.",
            "— 4 devices, 2 links",
            ">unknown<",
            "Acknowledge changes up to v2",
            ">unacknowledged<",
            "2 changes",
        ],
    );

    // what changed, and a period's versions
    let diff = "/lan/dinkes?site=kantor-dinkes&from=1&to=2";
    let page = read(&c, &budi, ID, diff, 200);
    assert_indonesian(diff, &page);
    assert_has(
        diff,
        &page,
        &[
            "Perubahan dari v1 ke v2: 2",
            "+ perangkat pc-09",
            // names and ports, not ids (issue 23)
            "+ tautan pc-09 — sw-core port Gi0/9 (FDB)",
        ],
    );
    assert!(!page.contains("mac:02:00:00:00:00:01 port"), "{page}");
    // the diff drawn on the diagram, the legend saying so
    assert!(page.contains("data-change=\"added\""), "{page}");
    assert_has(diff, &page, &[">ditambahkan<", ">dihapus<", ">Keterangan<"]);
    // a version the site does not keep: a 404 naming the versions there are, in the
    // reader's words; never silently the newest
    for (path, asked) in [
        ("/lan/dinkes?site=kantor-dinkes&version=9", "9"),
        ("/lan/dinkes?version=x", "x"),
        ("/lan/dinkes?from=0&to=2", "0"),
        ("/lan/dinkes?from=1&to=3", "3"),
        ("/lan/dinkes?to=1", "0"),
    ] {
        let page = read(&c, &budi, ID, path, 404);
        assert_has(
            path,
            &page,
            &[&format!(
                "tidak memiliki versi {asked}; versi yang ada: 1–2."
            )],
        );
        let page = read(&c, &budi, EN, path, 404);
        assert_has(
            path,
            &page,
            &[&format!("has no version {asked}; its versions: 1–2.")],
        );
    }
    // from alone: to the newest
    let page = read(&c, &budi, EN, "/lan/dinkes?from=1", 200);
    assert_has("from=1", &page, &["Changes from v1 to v2: 2"]);
    assert_has(
        diff,
        &read(&c, &budi, EN, diff, 200),
        &["+ device pc-09", "+ link "],
    );
    let (_, api) = simpul_e2e::get_json(&c.url("/api/v1/scorecard"));
    let year = api["period"].as_str().unwrap()[..4].to_owned();
    let path = format!("/lan/dinkes?site=kantor-dinkes&period={year}");
    let page = read(&c, &budi, ID, &path, 200);
    assert_indonesian(&path, &page);
    assert_has(
        &path,
        &page,
        &[
            &format!("Pada <strong>{year}</strong>: 2 versi ditemukan dengan 2 perubahan; 0 sudah dikonfirmasi, 1 memiliki perubahan yang belum dikonfirmasi."),
            "Diagram terakhir diverifikasi oleh penemuan jaringan pada",
        ],
    );
    let page = read(&c, &budi, ID, "/lan/dinkes?period=2019", 200);
    assert_has(
        "2019",
        &page,
        &[
            "0 versi ditemukan",
            "Tidak ada penemuan jaringan yang memverifikasi diagram pada periode ini.",
        ],
    );
    let page = read(&c, &budi, EN, &path, 200);
    assert_has(
        &path,
        &page,
        &["2 versions discovered with 2 changes; 0 acknowledged, 1 with changes not yet acknowledged."],
    );

    // acknowledging: only an administrator; the page then says so
    let form = read(&c, &rina, ID, "/lan/dinkes", 200);
    assert!(
        !form.contains("Konfirmasi perubahan hingga"),
        "no form for an agency"
    );
    let refused = curl(
        &c.url("/lan/dinkes/ack"),
        "POST",
        &[&rina, ID],
        &format!("csrf={}&site=kantor-dinkes&version=2", csrf(&form)),
    );
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert_indonesian("refused ack", &refused.body);
    assert_has(
        "refused ack",
        &refused.body,
        &["Hanya admin Diskominfo yang dapat mengonfirmasi perubahan jaringan."],
    );
    let form = read(&c, &budi, ID, "/lan/dinkes", 200);
    // a version the site does not have acknowledges nothing
    let missing = curl(
        &c.url("/lan/dinkes/ack"),
        "POST",
        &[&budi, ID],
        &format!("csrf={}&site=kantor-dinkes&version=9", csrf(&form)),
    );
    assert_eq!(missing.status, 404, "{}", missing.body);
    assert_has(
        "ack v9",
        &missing.body,
        &["tidak memiliki versi 9; versi yang ada: 1–2."],
    );
    let done = curl(
        &c.url("/lan/dinkes/ack"),
        "POST",
        &[&budi, ID],
        &format!("csrf={}&site=kantor-dinkes&version=2", csrf(&form)),
    );
    assert_eq!(done.status, 303, "{}", done.body);
    let to = done.location.unwrap();
    assert_eq!(to, "/lan/dinkes?site=kantor-dinkes&acked=2");
    let page = read(&c, &budi, ID, &to, 200);
    assert_indonesian(&to, &page);
    assert_has(
        &to,
        &page,
        &["Perubahan hingga v2 sudah dikonfirmasi.", "budi (web), "],
    );
    assert!(!page.contains(">belum dikonfirmasi<"), "{page}");
    assert!(!page.contains("Konfirmasi perubahan hingga"), "{page}");
    assert_has(
        &to,
        &read(&c, &budi, EN, &to, 200),
        &["Changes up to v2 acknowledged."],
    );

    // errors and an agency without a diagram, in the reader's language
    let bad = read(&c, &budi, ID, "/lan/dinkes?period=2026-13", 400);
    assert_indonesian("bad period", &bad);
    assert_has(
        "bad period",
        &bad,
        &["tidak dikenal: gunakan bulan TTTT-BB"],
    );
    let none = read(&c, &budi, ID, "/lan/dinsos", 404);
    assert_indonesian("/lan/dinsos", &none);
    assert_has(
        "/lan/dinsos",
        &none,
        &["Perangkat Daerah ini tidak ditemukan."],
    );
    assert_has(
        "/lan/dinsos",
        &read(&c, &budi, EN, "/lan/dinsos", 404),
        &["No agency here."],
    );
    read(&c, &rina, ID, "/lan/diskominfo", 404);
    let empty = read(&c, &budi, ID, "/lan/diskominfo", 200);
    assert_indonesian("/lan/diskominfo", &empty);
    assert_has(
        "/lan/diskominfo",
        &empty,
        &["Belum ada diagram jaringan yang ditemukan untuk Perangkat Daerah ini"],
    );
}
