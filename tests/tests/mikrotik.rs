//! MikroTik (issue 23), through the real components in a namespace LAN the test builds:
//! snmpsim serves a RouterOS router's MIKROTIK-MIB neighbour table (a recording written
//! to the published MIB, tests/fixtures/mikrotik/), and a host broadcasts MNDP frames
//! built to the published format, well-formed and malformed, to UDP 5678. The agent
//! (`run`, in the scanner namespace) polls the router with `profile = "routeros"` and
//! listens for MNDP; the collector's LAN API then has the neighbours as `mndp` links,
//! the heard devices with their identity, platform, version, board and interface, and
//! the malformed frames counted in the version's errors.
//!
//! scripts/test.sh installs snmpsim into a venv (`SIMPUL_SNMPSIM_VENV`, default
//! /var/tmp/simpul-snmpsim-venv).

#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use simpul_e2e::netlab::NetLab;
use simpul_e2e::{bin, run};

fn venv() -> PathBuf {
    std::env::var_os("SIMPUL_SNMPSIM_VENV").map_or_else(
        || PathBuf::from("/var/tmp/simpul-snmpsim-venv"),
        PathBuf::from,
    )
}

/// One MNDP TLV: type and length big-endian u16, then the value.
fn tlv(kind: u16, value: &[u8]) -> Vec<u8> {
    let mut v = kind.to_be_bytes().to_vec();
    v.extend_from_slice(&u16::try_from(value.len()).unwrap().to_be_bytes());
    v.extend_from_slice(value);
    v
}

/// A frame: the 4-byte header, then the TLVs.
fn frame(tlvs: &[(u16, Vec<u8>)]) -> Vec<u8> {
    let mut f = vec![0, 0, 0, 1];
    for (k, v) in tlvs {
        f.extend(tlv(*k, v));
    }
    f
}

fn mac(s: &str) -> Vec<u8> {
    s.split(':')
        .map(|b| u8::from_str_radix(b, 16).unwrap())
        .collect()
}

/// The frames the "LAN" broadcasts: three devices announcing themselves, a request,
/// and five malformed datagrams.
fn frames() -> (Vec<Vec<u8>>, usize) {
    let good = vec![
        // the router the gateway's neighbour table also lists (same MAC): its board
        // comes from here
        frame(&[
            (1, mac("4c:5e:0c:11:22:01")),
            (5, b"rb-lantai-2".to_vec()),
            (7, b"7.15.3 (stable)".to_vec()),
            (8, b"MikroTik".to_vec()),
            (10, 86_400u32.to_le_bytes().to_vec()),
            (11, b"H792-MXJ3".to_vec()),
            (12, b"RB5009UG+S+".to_vec()),
            (14, vec![1]),
            (16, b"ether1".to_vec()),
            (17, vec![10, 250, 0, 2]),
        ]),
        // a SwOS switch only this agent hears
        frame(&[
            (1, mac("4c:5e:0c:11:22:07")),
            (5, b"css326-lantai-3".to_vec()),
            (7, b"2.13".to_vec()),
            (8, b"MikroTik".to_vec()),
            (12, b"CSS326-24G-2S+".to_vec()),
            (16, b"Port5".to_vec()),
            (17, vec![10, 250, 0, 7]),
        ]),
        // the values the Elixir `mndp` README shows decoded from a real hAP ac²
        frame(&[
            (1, mac("74:4d:28:91:0d:2f")),
            (5, b"MikroTik".to_vec()),
            (7, b"7.15.3 (stable) 2024-07-24 10:39:01".to_vec()),
            (8, b"MikroTik".to_vec()),
            (10, 5596u32.to_le_bytes().to_vec()),
            (11, b"H792-MXJ3".to_vec()),
            (12, b"RBD52G-5HacD2HnD".to_vec()),
            (14, vec![1]),
            (
                15,
                "fe80::764d:28ff:fe91:d2f"
                    .parse::<std::net::Ipv6Addr>()
                    .unwrap()
                    .octets()
                    .to_vec(),
            ),
            (16, b"bridge/ether2".to_vec()),
            (17, vec![192, 168, 88, 1]),
        ]),
        // another MNDP client asking: no device, no error
        vec![0, 0, 0, 0],
    ];
    let mut past_end = frame(&[(5, b"rb".to_vec())]);
    past_end[7] = 200;
    let bad = vec![
        vec![],                                 // empty
        vec![0, 0],                             // shorter than the header
        vec![0, 0, 0, 0, 0, 5, 0],              // a TLV header cut short
        past_end,                               // a length past the end
        frame(&[(5, b"rb-\xff\xfe".to_vec())]), // not UTF-8
    ];
    let n = bad.len();
    (good.into_iter().chain(bad).collect(), n)
}

fn device<'a>(topology: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    topology["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == name)
        .unwrap_or_else(|| panic!("no device {name:?} in {topology:#}"))
}

/// The `mndp` links of `id`: (its port, the other end's name, the other end's port).
fn mndp_links(t: &serde_json::Value, id: &str) -> Vec<(String, String, String)> {
    let name = |dev: &serde_json::Value| {
        t["devices"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == *dev)
            .map_or_else(String::new, |d| d["name"].as_str().unwrap().to_owned())
    };
    let mut out: Vec<(String, String, String)> = t["links"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["source"] == "mndp")
        .filter_map(|l| {
            let s = |e: &serde_json::Value| e.as_str().unwrap().to_owned();
            if l["a"]["device"] == id {
                Some((
                    s(&l["a"]["port"]),
                    name(&l["b"]["device"]),
                    s(&l["b"]["port"]),
                ))
            } else if l["b"]["device"] == id {
                Some((
                    s(&l["b"]["port"]),
                    name(&l["a"]["device"]),
                    s(&l["a"]["port"]),
                ))
            } else {
                None
            }
        })
        .collect();
    out.sort();
    out
}

fn start_snmpsim(lab: &NetLab, d: &Path) -> Option<simpul_e2e::Proc> {
    let responder = venv().join("bin/snmpsim-command-responder");
    if !responder.is_file() {
        let why = format!(
            "{} is missing (scripts/test.sh installs snmpsim)",
            responder.display()
        );
        assert!(std::env::var_os("CI").is_none(), "{why}");
        eprintln!("skipped: {why}");
        return None;
    }
    let data = d.join("data");
    let cache = d.join("cache");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::create_dir_all(&cache).unwrap();
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/mikrotik/routeros-gw.snmprec");
    std::fs::copy(&fixture, data.join("routeros-gw.snmprec")).unwrap();
    // snmpsim drops root for `nobody`, which must read the data and write the cache
    assert!(Command::new("chown")
        .args(["nobody:nogroup"])
        .arg(&cache)
        .status()
        .unwrap()
        .success());
    for p in [d, data.as_path()] {
        std::fs::set_permissions(p, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    }
    Some(simpul_e2e::Proc::spawn(
        "snmpsim",
        lab.command(&lab.host(1), &responder)
            .arg(format!("--data-dir={}", data.display()))
            .arg(format!("--cache-dir={}", cache.display()))
            .args([
                "--agent-udpv4-endpoint=10.250.0.1:1161",
                "--process-user=nobody",
                "--process-group=nogroup",
            ])
            .stdin(Stdio::null()),
        d.join("snmpsim.log"),
    ))
}

#[test]
fn mikrotik_neighbours_and_mndp_devices_reach_the_collector() {
    let Some(lab) = NetLab::up(2, false) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let Some(_sim) = start_snmpsim(&lab, d) else {
        return;
    };
    let scan = lab.ns("scan");

    // a host of the LAN broadcasts the frames, again and again, until the test ends
    let (frames, malformed) = frames();
    let list = d.join("frames.txt");
    std::fs::write(
        &list,
        frames
            .iter()
            .map(|f| {
                let hex: String = f.iter().map(|b| format!("{b:02x}")).collect();
                format!("={hex}\n")
            })
            .collect::<String>(),
    )
    .unwrap();
    let _sender = simpul_e2e::Proc::spawn(
        "mndp-sender",
        lab.command(&lab.host(2), Path::new("python3"))
            .args([
                "-c",
                "import socket, sys, time\n\
             frames = [bytes.fromhex(l.strip()[1:]) for l in open(sys.argv[1])]\n\
             s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n\
             s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)\n\
             while True:\n    \
                 for f in frames:\n        \
                     s.sendto(f, ('10.250.3.255', 5678))\n    \
                 time.sleep(0.25)\n",
            ])
            .arg(&list),
        d.join("sender.log"),
    );

    // and a switch heard over IPv6 only (RouterOS also announces to the all-nodes group
    // ff02::1): IPv6 on for the sender's eth0 and the agent's (the lab keeps it off);
    // link-local only, no duplicate address detection to wait for
    for ns in [lab.host(2), scan.clone()] {
        run(lab.command(&ns, Path::new("sysctl")).args([
            "-qw",
            "net.ipv6.conf.eth0.accept_dad=0",
            "net.ipv6.conf.all.disable_ipv6=0",
            "net.ipv6.conf.eth0.disable_ipv6=0",
        ]));
    }
    let v6_frame = frame(&[
        (1, mac("4c:5e:0c:11:22:08")),
        (5, b"css610-ipv6".to_vec()),
        (7, b"2.17".to_vec()),
        (8, b"MikroTik".to_vec()),
        (12, b"CSS610-8G-2S+".to_vec()),
        (16, b"Port1".to_vec()),
    ]);
    let v6_hex: String = v6_frame.iter().map(|b| format!("{b:02x}")).collect();
    let _sender6 = simpul_e2e::Proc::spawn(
        "mndp-sender-ipv6",
        lab.command(&lab.host(2), Path::new("python3"))
            .args([
                "-c",
                "import socket, sys, time\n\
             frame = bytes.fromhex(sys.argv[1])\n\
             s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)\n\
             to = ('ff02::1', 5678, 0, socket.if_nametoindex('eth0'))\n\
             while True:\n    \
                 try:\n        \
                     s.sendto(frame, to)\n    \
                 except OSError as e:\n        \
                     print(e, flush=True)\n    \
                 time.sleep(0.25)\n",
            ])
            .arg(&v6_hex),
        d.join("sender6.log"),
    );

    // the collector, inside the scanner namespace, on its loopback
    let port = simpul_e2e::free_port();
    let base = format!("http://127.0.0.1:{port}");
    let ccfg = d.join("collector.toml");
    std::fs::write(
        &ccfg,
        format!(
            "listen = \"127.0.0.1:{port}\"\ndata_dir = \"{}\"\n{}{}\n",
            d.join("cdata").display(),
            simpul_e2e::LAN_EVERY_CHANGE,
            simpul_e2e::COLLECTOR_TOML
        ),
    )
    .unwrap();
    let cli = |args: &[&str]| {
        run(Command::new(bin("simpul-collector"))
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
    let auth = format!("authorization: Bearer {admin}");
    let _collector = simpul_e2e::Proc::spawn(
        "simpul-collector",
        lab.command(&scan, &bin("simpul-collector"))
            .args(["serve", "--config"])
            .arg(&ccfg),
        d.join("collector.log"),
    );
    simpul_e2e::wait_for("collector", Duration::from_secs(20), || {
        (lab.curl(&scan, &[&format!("{base}/healthz")]).0 == 200).then_some(())
    });

    // the agent: no subnet to sweep; the RouterOS router by SNMP (its profile's
    // defaults, fewer tables), and 4 s of MNDP listening
    let adir = d.join("agent");
    std::fs::create_dir_all(&adir).unwrap();
    std::fs::write(adir.join("agent.token"), &token).unwrap();
    let acfg = adir.join("agent.toml");
    std::fs::write(
        &acfg,
        format!(
            "collector_url = \"{base}\"\ntoken_file = \"{}\"\ninterval_secs = 1\nretry_max_secs = 1\n\
             state_dir = \"{}\"\nhostname = \"opd-agent\"\n\
             [discovery]\nreverse_dns = false\ninterval_secs = 60\nmndp_listen_secs = 4\n\
             [[discovery.snmp]]\naddress = \"10.250.0.1\"\nport = 1161\ncommunity = \"routeros-gw\"\n\
             profile = \"routeros\"\ntables = [\"system\", \"interfaces\", \"mikrotik\"]\n",
            adir.join("agent.token").display(),
            adir.join("state").display()
        ),
    )
    .unwrap();
    // snmpsim indexes its recordings before it answers: wait for a poll that works
    let t0 = Instant::now();
    loop {
        let out = lab
            .command(&scan, &bin("simpul-agent"))
            .args(["snmp-poll", "--tables", "system", "--config"])
            .arg(&acfg)
            .output()
            .unwrap();
        if out.status.success() {
            break;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(120),
            "snmpsim did not answer within 120 s: {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            simpul_e2e::read(&d.join("snmpsim.log"))
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    let _agent = simpul_e2e::Proc::spawn(
        "simpul-agent",
        lab.command(&scan, &bin("simpul-agent"))
            .args(["run", "--config"])
            .arg(&acfg),
        adir.join("agent.log"),
    );
    let deadline = Instant::now() + Duration::from_secs(90);
    let lan: serde_json::Value = loop {
        let (code, body) = lab.curl(
            &scan,
            &["-H", &auth, &format!("{base}/api/v1/agencies/dinkes/lan")],
        );
        if code == 200 {
            break serde_json::from_str(&body).unwrap();
        }
        assert!(
            Instant::now() < deadline,
            "no LAN version within 90 s ({code}): {body}\nagent log:\n{}",
            simpul_e2e::read(&adir.join("agent.log"))
        );
        std::thread::sleep(Duration::from_millis(300));
    };
    let t = &lan["topology"];

    // the router, polled with the routeros profile
    let polls = lan["snmp"].as_array().unwrap();
    assert_eq!(polls.len(), 1, "{lan:#}");
    assert_eq!(polls[0]["ok"], true, "{lan:#}");
    assert_eq!(polls[0]["name"], "gw-kantor");
    let gw = device(t, "gw-kantor");
    assert_eq!(gw["type"], "router", "{gw}");
    let gw_id = gw["id"].as_str().unwrap();

    // its neighbour table: one link per neighbour, on the Ethernet port that heard it
    // (not also on the bridge), the remote port unknown
    assert_eq!(
        mndp_links(t, gw_id),
        [
            ("ether2".into(), "rb-lantai-2".into(), String::new()),
            ("ether3".into(), "css326-gudang".into(), String::new()),
            ("ether4".into(), "sw-cisco-lt1".into(), String::new()),
        ],
        "{t:#}"
    );
    let rb = device(t, "rb-lantai-2");
    assert_eq!(rb["type"], "router");
    assert_eq!(rb["addresses"], serde_json::json!(["10.250.0.2"]));
    // the table gave platform, version and software id; the announcement the board
    assert_eq!(
        rb["system"],
        serde_json::json!({"platform": "MikroTik", "version": "7.15.3 (stable)",
                           "board": "RB5009UG+S+", "software_id": "H792-MXJ3"}),
        "{rb:#}"
    );
    assert_eq!(device(t, "css326-gudang")["system"]["version"], "2.13");
    assert_eq!(device(t, "sw-cisco-lt1")["type"], "unknown");

    // what only the agent heard: linked to its host, from the announcing interface
    let me = t["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "opd-agent")
        .unwrap();
    let mine = mndp_links(t, me["id"].as_str().unwrap());
    assert_eq!(
        mine,
        [
            ("eth0".into(), "MikroTik".into(), "bridge/ether2".into()),
            ("eth0".into(), "css326-lantai-3".into(), "Port5".into()),
            ("eth0".into(), "css610-ipv6".into(), "Port1".into()),
        ],
        "{t:#}"
    );
    let css6 = device(t, "css610-ipv6");
    assert_eq!(css6["type"], "switch", "{css6}");
    assert_eq!(css6["system"]["board"], "CSS610-8G-2S+", "{css6}");
    let css = device(t, "css326-lantai-3");
    assert_eq!(css["type"], "switch");
    assert_eq!(css["addresses"], serde_json::json!(["10.250.0.7"]));
    assert_eq!(
        css["system"],
        serde_json::json!({"platform": "MikroTik", "version": "2.13", "board": "CSS326-24G-2S+"})
    );
    let hap = device(t, "MikroTik");
    assert_eq!(
        hap["addresses"],
        serde_json::json!(["192.168.88.1", "fe80::764d:28ff:fe91:d2f"])
    );
    assert_eq!(hap["macs"], serde_json::json!(["74:4d:28:91:0d:2f"]));
    assert_eq!(hap["system"]["board"], "RBD52G-5HacD2HnD");
    assert!(
        hap["sources"].as_array().unwrap().contains(&"mndp".into()),
        "{hap}"
    );

    // the malformed frames: counted, with reasons, in the version's errors; nothing
    // crashed (the agent still runs)
    let errors = lan["errors"].to_string();
    let line = lan["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e.as_str())
        .find(|e| e.starts_with("MNDP: "))
        .unwrap_or_else(|| panic!("no MNDP error in {errors}"));
    let n: usize = line
        .trim_start_matches("MNDP: ")
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(n >= malformed, "{n} malformed, {malformed} a round: {line}");
    eprintln!(
        "{} devices, {} links ({} mndp); {line}",
        t["devices"].as_array().unwrap().len(),
        t["links"].as_array().unwrap().len(),
        t["links"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["source"] == "mndp")
            .count()
    );
    for reason in [
        "empty datagram",
        "shorter than the 4-byte header",
        "TLV header cut short",
        "runs past the end",
        "not UTF-8",
    ] {
        assert!(line.contains(reason), "{reason}: {line}");
    }
    assert!(line.contains("from 10.250.0.2: "), "{line}");

    // the diagram draws the MNDP links and says so in its legend
    let (code, svg) = lab.curl(
        &scan,
        &[
            "-H",
            &auth,
            &format!("{base}/api/v1/agencies/dinkes/lan.svg"),
        ],
    );
    assert_eq!(code, 200, "{svg}");
    assert!(svg.contains("class=\"link mndp\""), "{svg}");
    assert!(svg.contains("MNDP"), "{svg}");
}
