//! Issue 20, "Hostile LAN, curious users": a namespace LAN (tests/src/netlab.rs) whose
//! devices announce hostile names, and the whole path from the wire to every export.
//!
//! The lab: the "switch" (bridge management address) runs net-snmp's snmpd with a
//! hostile sysName, sysDescr, sysLocation and sysContact, and lldpd serving LLDP-MIB
//! over AgentX; three hosts run lldpd announcing hostile system names, descriptions
//! and port descriptions; a "printer" answers SNMP correctly from a MIB of hostile
//! strings (a 10 KB sysDescr, invalid UTF-8, noncharacters, bidi overrides, formula
//! prefixes, markup); another "switch" answers every SNMP request with a different
//! kind of malformed packet; the scanner's /etc/hosts gives two hosts markup- and
//! formula-shaped reverse names.
//!
//! The real agent (`simpul-agent run`, 1 s heartbeats) runs in the scanner namespace
//! and reports to the harness's real collector on the root namespace's loopback,
//! through a Unix socket (a forwarder on each side; no link joins the namespaces, so
//! traffic stays on the two loopbacks and inside the lab). Over two discovery rounds
//! (the second after a host renamed itself to another hostile name) it checks: no
//! heartbeat is lost and no report refused; the diagram holds the hostile devices with
//! sanitised names; the JSON parses, the SVG is well-formed XML without a script
//! element, the DOT renders with Graphviz with one node per device, no CSV cell is a
//! formula, and the HTML pages parse as HTML5 without a single error (exact errors:
//! noncharacters and control characters count) and carry no live markup; in a real
//! headless Chromium the LAN page opens no dialog (screenshot in
//! target/web-screenshots/).

#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use simpul_e2e::netlab::{
    lldp_neighbour_count, lldp_neighbours, missing, NetLab, Servers, MGMT_IP, POLL,
};
use simpul_e2e::{bin, get, run, wait_for_every, Collector};

#[path = "hostile/browser.rs"]
mod browser;
#[path = "hostile/checks.rs"]
mod checks;
#[path = "hostile/forward.rs"]
mod forward;

use checks::{html_errors, is_hostile_char, json_strings};
use forward::{forward_to_collector, FORWARD_PY};
use simpul_e2e::curl::{csv_rows, curl, is_formula, login};

/// The SNMP devices written in Python (see the file's docstring).
const SNMP_DEVICE_PY: &str = include_str!("hostile/snmp_device.py");

/// The malformed device's kinds of broken SNMP, one per port from `MALFORMED_PORT`
/// (see `malformed` in hostile/snmp_device.py).
const MALFORMED_KINDS: u16 = 13;
const MALFORMED_PORT: u16 = 16100;

/// The port the agent reaches the collector on, on the scanner namespace's loopback.
const INSIDE_PORT: u16 = 9810;

const ADMIN_PW: &str = "admin password 2026";

/// Hostile strings, as bytes (snmpd.conf and lldpd.conf take raw bytes on a line).
const SCRIPT: &str = "<script>alert(1)</script>";

fn spawn(servers: &mut Servers, lab: &NetLab, ns: &str, program: &str, args: &[&str], log: &Path) {
    let out = std::fs::File::create(log).unwrap();
    let mut c = lab.command(ns, Path::new(program));
    c.args(args)
        .stdin(Stdio::null())
        .stdout(out.try_clone().unwrap())
        .stderr(out);
    servers.0.push(c.spawn().unwrap());
}

/// The agent's config: discovery of the lab, the switch, the printer and the
/// malformed device polled by SNMP.
///
/// The malformed device is one Python thread answering 13 ports; on a loaded CI
/// machine a 300 ms timeout once took its late genErr (kind 7) for silence, so each
/// request waits 2 s (the kinds that never give a valid reply pay it once per
/// table walked; the polls run at once, and the test takes about 15 s longer).
fn agent_toml(adir: &Path) -> String {
    format!(
        "collector_url = \"http://127.0.0.1:{INSIDE_PORT}\"\ntoken_file = \"{}\"\n\
         interval_secs = 1\nretry_max_secs = 1\nstate_dir = \"{}\"\nhostname = \"opd-agent\"\n\
         [discovery]\nsubnets = [\"10.250.0.0/24\"]\ntimeout_ms = 400\ninterval_secs = 60\n\
         [[discovery.snmp]]\naddress = \"{MGMT_IP}\"\ncommunity = \"public\"\ntimeout_ms = 1000\n\
         [[discovery.snmp]]\naddress = \"10.250.0.4\"\ncommunity = \"public\"\ntimeout_ms = 1000\nretries = 0\n\
         {}",
        adir.join("agent.token").display(),
        adir.join("state").display(),
        (0..MALFORMED_KINDS)
            .map(|k| format!(
                "[[discovery.snmp]]\naddress = \"10.250.0.5\"\nport = {}\ncommunity = \"public\"\n\
                 timeout_ms = 2000\nretries = 0\ndeadline_secs = 20\nmax_rows = 5000\n",
                MALFORMED_PORT + k
            ))
            .collect::<String>()
    )
}

#[test]
fn a_hostile_lan_keeps_heartbeats_diagrams_and_every_export_safe() {
    if let Some(why) = missing(&[
        "snmpd", "lldpd", "lldpcli", "python3", "dot", "curl", "promtool",
    ]) {
        assert!(std::env::var_os("CI").is_none(), "{why}");
        eprintln!("skipped: {why}");
        return;
    }
    let t_start = Instant::now();
    let Some(lab) = NetLab::up(7, true) else {
        return;
    };
    let mut servers = Servers::default();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // lldpd's unprivileged side configures itself through its socket in here
    std::fs::set_permissions(d, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let lan = lab.ns("lan");
    let scan = lab.ns("scan");

    // the switch: snmpd with hostile system strings (raw bytes: TAB, ESC, invalid
    // UTF-8, a bidi override, a noncharacter), master of lldpd's LLDP-MIB
    let agentx = d.join("agentx.sock");
    std::fs::create_dir_all(d.join("persist")).unwrap();
    let mut conf = format!(
        "agentAddress udp:{MGMT_IP}:161\nrocommunity public 10.250.0.0/22\n\
         master agentx\nagentXSocket {}\n",
        agentx.display()
    )
    .into_bytes();
    conf.extend_from_slice(b"sysName core\tsw\x1b[31m");
    conf.extend_from_slice(SCRIPT.as_bytes());
    conf.extend_from_slice("\u{202E}lmth.exe\u{FFFF}\n".as_bytes());
    conf.extend_from_slice(b"sysDescr =HYPERLINK(\"http://evil.invalid/\",\"klik\") \xff\xfe\n");
    conf.extend_from_slice("sysLocation @SUM(1+1)*cmd|' /C calc'!A0 \u{202E}\n".as_bytes());
    conf.extend_from_slice(b"sysContact +cmd|' /C calc'!A0\x07\n");
    std::fs::write(d.join("snmpd.conf"), conf).unwrap();
    let snmpd_conf = d.join("snmpd.conf");
    let mut snmpd = lab.command(&lan, Path::new("snmpd"));
    snmpd
        .args(["-f", "-C", "-c"])
        .arg(&snmpd_conf)
        .args(["-m", "", "-I", "-smux,mteTrigger,mteTriggerConf", "-Lf"])
        .arg(d.join("snmpd.log"))
        .env("SNMP_PERSISTENT_DIR", d.join("persist"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    servers.0.push(snmpd.spawn().unwrap());
    wait_for_every(
        "snmpd's AgentX socket",
        Duration::from_secs(15),
        POLL,
        || agentx.exists().then_some(()),
    );

    // lldpd on the switch and on three hosts, with hostile names and port descriptions
    std::fs::create_dir_all("/run/lldpd").unwrap();
    let lldpd = |servers: &mut Servers, ns: &str, name: &str, conf: &[u8], extra: &[&str]| {
        let path = d.join(format!("lldpd-{name}.conf"));
        let mut text = b"configure lldp tx-interval 1\n".to_vec();
        text.extend_from_slice(conf);
        std::fs::write(&path, text).unwrap();
        let sock = d.join(format!("lldpd-{name}.sock"));
        let mut args = vec![
            "-d",
            "-u",
            sock.to_str().unwrap(),
            "-O",
            path.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        spawn(
            servers,
            &lab,
            ns,
            "lldpd",
            &args,
            &d.join(format!("lldpd-{name}.log")),
        );
        sock
    };
    let switch_sock = lldpd(
        &mut servers,
        &lan,
        "switch",
        b"configure system hostname lldp-switch\n",
        &["-x", "-X", agentx.to_str().unwrap()],
    );
    let h1_sock = lldpd(
        &mut servers,
        &lab.host(1),
        "h01",
        format!(
            "configure system hostname \"{SCRIPT}\"\n\
             configure system description \"=HYPERLINK(\\\"http://evil.invalid\\\")\"\n\
             configure ports eth0 lldp portdescription \"<img src=x onerror=alert(3)>\"\n"
        )
        .as_bytes(),
        &[],
    );
    let mut h2 = b"configure system hostname \"=cmd|' /C calc'!A0\"\n".to_vec();
    h2.extend_from_slice(b"configure ports eth0 lldp portdescription \"port\xff\xfe\t\x1b[2J\"\n");
    lldpd(&mut servers, &lab.host(2), "h02", &h2, &[]);
    let long = "L".repeat(200);
    lldpd(
        &mut servers,
        &lab.host(3),
        "h03",
        format!(
            "configure system hostname \"host\u{202E}gnp.exe\u{2066}{long}\"\n\
             configure ports eth0 lldp portdescription \"@SUM(1)\u{FFFE}\"\n"
        )
        .as_bytes(),
        &[],
    );
    lldpd(&mut servers, &scan, "scan", b"", &[]);

    // the printer (h04) answers from a hostile MIB; h05 answers malformed SNMP
    let py = d.join("snmp_device.py");
    std::fs::write(&py, SNMP_DEVICE_PY).unwrap();
    for (i, mode) in [(4, "hostile"), (5, "malformed")] {
        let ready = d.join(format!("{mode}.ready"));
        spawn(
            &mut servers,
            &lab,
            &lab.host(i),
            "python3",
            &[
                py.to_str().unwrap(),
                mode,
                &format!("10.250.0.{i}"),
                ready.to_str().unwrap(),
            ],
            &d.join(format!("{mode}.log")),
        );
        wait_for_every(
            &format!("the {mode} SNMP device"),
            Duration::from_secs(15),
            POLL,
            || ready.exists().then_some(()),
        );
    }
    // reverse names from the scanner's hosts file: markup, a formula, and `-inf`,
    // which Rust reads as a number and a spreadsheet as a formula (for hosts without
    // an LLDP name: a reverse name comes first)
    lab.etc_file(
        &scan,
        "hosts",
        "127.0.0.1 localhost\n10.250.0.5 <svg/onload=alert(4)>\n10.250.0.6 =1+2.lab\n10.250.0.7 -inf\n",
    );
    lab.etc_file(
        &scan,
        "resolv.conf",
        "nameserver 10.250.0.253\noptions timeout:1 attempts:1\n",
    );

    // the collector (harness, root namespace) and the forwarder into the scanner's
    // namespace
    let c = Collector::start("");
    let token = c.enrol("dinkes", "opd-agent", Some("kantor-dinkes"));
    let sock = d.join("collector.sock");
    forward_to_collector(&sock, c.port);
    let fwd = d.join("forward.py");
    std::fs::write(&fwd, FORWARD_PY).unwrap();
    let ready = d.join("forward.ready");
    spawn(
        &mut servers,
        &lab,
        &scan,
        "python3",
        &[
            fwd.to_str().unwrap(),
            &INSIDE_PORT.to_string(),
            sock.to_str().unwrap(),
            ready.to_str().unwrap(),
        ],
        &d.join("forward.log"),
    );
    wait_for_every("the forwarder", Duration::from_secs(15), POLL, || {
        ready.exists().then_some(())
    });

    wait_for_every(
        "the switch sees its 4 LLDP neighbours",
        Duration::from_secs(30),
        POLL,
        || (lldp_neighbour_count(&switch_sock) == 4).then_some(()),
    );

    // the agent: round 1 at start
    let adir = d.join("agent");
    std::fs::create_dir_all(&adir).unwrap();
    std::fs::write(adir.join("agent.token"), &token).unwrap();
    let acfg = adir.join("agent.toml");
    std::fs::write(&acfg, agent_toml(&adir)).unwrap();
    let start_agent = |n: u32| {
        simpul_e2e::Proc::spawn(
            "simpul-agent",
            lab.command(&scan, &bin("simpul-agent"))
                .args(["run", "--config"])
                .arg(&acfg)
                .env("SIMPUL_LOG", "info"),
            adir.join(format!("agent{n}.log")),
        )
    };
    let agent_logs = || {
        (1..=2)
            .map(|n| simpul_e2e::read(&adir.join(format!("agent{n}.log"))))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let lan_url = c.url("/api/v1/agencies/dinkes/lan");
    let versions_url = c.url("/api/v1/agencies/dinkes/lan/versions");
    let wait_versions = |n: usize| {
        let t0 = Instant::now();
        loop {
            let (code, body) = get(&versions_url);
            let v: serde_json::Value =
                serde_json::from_str(&body).unwrap_or(serde_json::Value::Null);
            if code == 200 && v.as_array().is_some_and(|a| a.len() == n) {
                return v;
            }
            assert!(
                t0.elapsed() < Duration::from_secs(60),
                "waiting for {n} LAN versions; have ({code}): {body}\nagent log:\n{}\ncollector log:\n{}",
                agent_logs(),
                c.log()
            );
            std::thread::sleep(Duration::from_millis(250));
        }
    };
    let mut agent = start_agent(1);
    wait_versions(1);
    let reports_1 = c.stored_reports();
    let (_, body) = get(&lan_url);
    let first: serde_json::Value = serde_json::from_str(&body).unwrap();
    check_diagram(&first, 1, &agent_logs());

    // round 2: h01 renames itself to another hostile name; the agent restarts (a
    // restart discovers at once), and the heartbeats go on across it
    run(Command::new("lldpcli").arg("-u").arg(&h1_sock).args([
        "configure",
        "system",
        "hostname",
        "\u{202E}=2+3<script>alert(5)</script>",
    ]));
    wait_for_every(
        "the switch learns h01's new name",
        Duration::from_secs(20),
        POLL,
        || {
            lldp_neighbours(&switch_sock)
                .contains("alert(5)")
                .then_some(())
        },
    );
    drop(agent);
    agent = start_agent(2);
    wait_versions(2);
    let (_, body) = get(&lan_url);
    let second: serde_json::Value = serde_json::from_str(&body).unwrap();
    check_diagram(&second, 2, &agent_logs());
    assert!(
        second.to_string().contains("alert(5)"),
        "the new name is in: {second}"
    );
    // heartbeats go on after the second discovery
    let reports_2 = c.stored_reports();
    assert!(reports_2 > reports_1, "{reports_2} > {reports_1}");
    wait_for_every("more heartbeats", Duration::from_secs(10), POLL, || {
        (c.stored_reports() >= reports_2 + 3).then_some(())
    });

    // every report was stored whole: nothing refused, the host is up
    let metrics = c.metrics();
    for (name, want) in [
        (
            "simpul_ingest_requests_rejected_total{reason=\"invalid\"}",
            0.0,
        ),
        ("simpul_ingest_sections_refused_total{section=\"lan\"}", 0.0),
    ] {
        let got = simpul_e2e::sample(&metrics, name).unwrap_or(0.0);
        assert!(got == want, "{name} = {got}\n{metrics}");
    }
    // the hostile names in metric labels: the exposition still parses
    assert!(
        metrics.contains("simpul_snmp_poll_success{agency=\"dinkes\""),
        "{metrics}"
    );
    simpul_e2e::promtool_check_metrics(&metrics);
    let logs = agent_logs();
    // what the agent logs for a refused report or section (daemon.rs, transport.rs);
    // not a bare "422", which a hash or a timing may contain
    for bad in [
        "HTTP 422",
        "collector rejected the reports",
        "report rejected",
        "refused a section",
    ] {
        assert!(!logs.contains(bad), "the agent log says {bad}:\n{logs}");
    }
    let (_, hosts) = get(&c.url("/api/v1/hosts"));
    let hosts: serde_json::Value = serde_json::from_str(&hosts).unwrap();
    let me = hosts
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["hostname"] == "opd-agent" || h["host"] == "opd-agent")
        .unwrap_or_else(|| panic!("opd-agent in {hosts}"));
    assert_eq!(me["up"], true, "{me}");

    check_exports(&c, &second, d);
    browser::in_a_browser(&c, d, "budi", ADMIN_PW);
    drop(agent);
    eprintln!(
        "hostile LAN: {} reports stored, 2 LAN versions, {:.1} s in all",
        c.stored_reports(),
        t_start.elapsed().as_secs_f64()
    );
}

/// The diagram holds every hostile device, with names that carry no hostile character;
/// `logs` (the agent's) go with a missing device.
fn check_diagram(cur: &serde_json::Value, version: u64, logs: &str) {
    let text = cur.to_string();
    let mut strings = Vec::new();
    json_strings(cur, &mut strings);
    for s in &strings {
        assert!(
            !s.chars().any(is_hostile_char),
            "{s:?} in version {version}: {text}"
        );
    }
    let devices = cur["topology"]["devices"].as_array().unwrap();
    let names: Vec<&str> = devices
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    // the LLDP hosts by their names, sanitised (the bidi override replaced)
    // and the reverse names from the hosts file, as they are
    let h01 = if version == 1 {
        SCRIPT
    } else {
        "\u{FFFD}=2+3<script>alert(5)</script>"
    };
    for needle in [
        h01,
        "=cmd|' /C calc'!A0",
        "host\u{FFFD}gnp.exe\u{FFFD}LLLL",
        "<svg/onload=alert(4)>",
        "=1+2.lab",
        "-inf",
    ] {
        assert!(
            names.iter().any(|n| n.starts_with(needle)),
            "no device named like {needle:?} in version {version}: {names:?}\nagent log:\n{logs}"
        );
    }
    for d in devices {
        assert!(d["name"].as_str().unwrap().len() <= 255, "{d}");
    }
    // the switch and the printer by SNMP, named readably: the TAB, the escape, the
    // bidi override, the noncharacter and the invalid UTF-8 each replaced
    for (addr, kind, name) in [
        (
            MGMT_IP,
            "switch",
            "core\u{FFFD}sw\u{FFFD}[31m<script>alert(1)</script>\u{FFFD}lmth.exe\u{FFFD}",
        ),
        (
            "10.250.0.4",
            "server",
            "printer\u{FFFD}\u{FFFD}<script>alert(1)</script>",
        ),
    ] {
        let dev = devices
            .iter()
            .find(|d| d["addresses"][0] == addr)
            .unwrap_or_else(|| panic!("{addr} in version {version}: {text}"));
        assert_eq!(dev["type"], kind, "{dev}");
        assert!(dev["sources"].to_string().contains("snmp"), "{dev}");
        assert_eq!(dev["name"], name, "{dev}");
    }
    // the polls: the switch and the printer answered, the malformed device did not,
    // with a reason in one clean line
    let polls = cur["snmp"].as_array().unwrap();
    let by = |a: &str| polls.iter().find(|p| p["address"] == a).unwrap();
    assert_eq!(by(MGMT_IP)["ok"], true, "{polls:?}");
    assert_eq!(by("10.250.0.4")["ok"], true, "{polls:?}");
    for bad in polls.iter().filter(|p| p["address"] == "10.250.0.5") {
        assert_eq!(bad["ok"], false, "{bad}");
        assert!(
            bad["error"]
                .as_str()
                .unwrap()
                .starts_with("SNMP 10.250.0.5"),
            "{bad}"
        );
    }
    let errors = cur["errors"].as_array().unwrap();
    if version == 1 {
        eprintln!("{} polls; errors:", polls.len());
        for e in errors {
            eprintln!("  {e}");
        }
    }
    assert_eq!(
        errors
            .iter()
            .filter(|e| e.as_str().unwrap().starts_with("SNMP 10.250.0.5"))
            .count(),
        usize::from(MALFORMED_KINDS),
        "one error per malformed device: {errors:#?}"
    );
    // each says what happened: only the silent one (kind 9) is "no answer"; kind
    // 12's walk grows its OID past 128 arcs, which the client refuses: the device
    // answers, but not that request
    for k in 0..MALFORMED_KINDS {
        let label = format!("SNMP 10.250.0.5:{}: ", MALFORMED_PORT + k);
        let e = errors
            .iter()
            .filter_map(|e| e.as_str())
            .find(|e| e.starts_with(&label))
            .unwrap_or_else(|| panic!("no error for {label}: {errors:#?}"));
        assert_eq!(e.contains("no answer"), k == 9, "kind {k}: {e}");
        // the table without end stops at max_rows, long before the deadline
        assert_eq!(
            e.contains("more than max_rows = 5000 rows"),
            k == 10,
            "kind {k}: {e}"
        );
    }
}

/// Every export of the newest diagram and every page is valid and safe.
fn check_exports(c: &Collector, cur: &serde_json::Value, dir: &Path) {
    let devices = cur["topology"]["devices"].as_array().unwrap().len();
    // SVG: well-formed XML, no script element, no event handler attribute
    let (code, svg) = get(&c.url("/api/v1/agencies/dinkes/lan.svg"));
    assert_eq!(code, 200, "{svg}");
    let doc = roxmltree::Document::parse(&svg)
        .unwrap_or_else(|e| panic!("lan.svg is not XML: {e}\n{svg}"));
    for n in doc.descendants().filter(roxmltree::Node::is_element) {
        let tag = n.tag_name().name().to_lowercase();
        assert!(
            !["script", "foreignobject", "img", "iframe"].contains(&tag.as_str()),
            "<{tag}> in lan.svg"
        );
        for a in n.attributes() {
            assert!(
                !a.name().to_lowercase().starts_with("on"),
                "event handler {} in lan.svg",
                a.name()
            );
        }
    }
    assert!(svg.contains("&lt;script&gt;"), "the name is there, escaped");

    // DOT: Graphviz reads it, one node per device
    let (code, dot) = get(&c.url("/api/v1/agencies/dinkes/lan.dot"));
    assert_eq!(code, 200, "{dot}");
    let dot_file = dir.join("lan.dot");
    std::fs::write(&dot_file, &dot).unwrap();
    let out = Command::new("dot")
        .arg("-Tplain")
        .arg(&dot_file)
        .output()
        .unwrap();
    assert!(
        out.status.success() && out.stderr.is_empty(),
        "dot: {}\n{dot}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plain = String::from_utf8_lossy(&out.stdout);
    let nodes = plain.lines().filter(|l| l.starts_with("node ")).count();
    assert_eq!(nodes, devices, "nodes in:\n{plain}\nfrom:\n{dot}");

    // the JSON exports parse
    for url in [
        "/api/v1/agencies/dinkes/lan",
        "/api/v1/agencies/dinkes/lan/graph",
        "/api/v1/agencies/dinkes/lan/versions/2",
        "/api/v1/agencies/dinkes/lan/diff?from=1&to=2",
        "/api/v1/lan",
        "/api/v1/hosts",
    ] {
        let (code, body) = get(&c.url(url));
        assert_eq!(code, 200, "{url}: {body}");
        let _: serde_json::Value =
            serde_json::from_str(&body).unwrap_or_else(|e| panic!("{url}: {e}\n{body}"));
    }

    // the web pages and CSVs of an admin's session
    c.add_user("budi", &["--role", "admin"], ADMIN_PW);
    let session = login(c, "budi", ADMIN_PW);
    let mut formula_cells = Vec::new();
    let mut csvs = 0;
    for url in [
        "/inventory.csv",
        "/scorecard.csv",
        "/sla.csv",
        "/backups.csv",
        "/api/v1/lan?format=csv",
        "/api/v1/sla?format=csv",
        "/api/v1/backups?format=csv",
    ] {
        let (code, body) = if url.starts_with("/api/") {
            get(&c.url(url))
        } else {
            let a = curl(&c.url(url), "GET", &[&session], "");
            (a.status, a.body)
        };
        assert_eq!(code, 200, "{url}: {body}");
        csvs += 1;
        for cell in csv_rows(&body).into_iter().flatten() {
            if is_formula(&cell) {
                formula_cells.push(format!("{url}: {cell:?}"));
            }
            assert!(
                !cell.chars().any(is_hostile_char),
                "{url}: a hostile character in {cell:?}"
            );
        }
    }
    assert!(
        formula_cells.is_empty(),
        "formula cells: {formula_cells:#?}"
    );
    let inventory = curl(&c.url("/inventory.csv"), "GET", &[&session], "").body;
    for needle in [
        "<script>alert(5)</script>",
        ",'=cmd|' /C calc'!A0,",
        ",'-inf,",
    ] {
        assert!(
            inventory.contains(needle),
            "the LAN devices are in the inventory: {inventory}"
        );
    }

    for page in [
        "/",
        "/lan",
        "/lan/dinkes",
        "/lan/dinkes?from=1&to=2",
        "/inventory",
        "/agencies/dinkes",
    ] {
        let a = curl(&c.url(page), "GET", &[&session], "");
        let (code, html) = (a.status, a.body);
        assert_eq!(code, 200, "{page}: {html}");
        let errors = html_errors(&html);
        assert!(
            errors.is_empty(),
            "{page} is not valid HTML5 or carries live markup: {errors:?}"
        );
        let lower = html.to_lowercase();
        for live in ["<script>alert", "<img src=x", "<svg/onload"] {
            assert!(!lower.contains(live), "{page} carries {live:?} unescaped");
        }
        // a page's own line breaks and indentation aside
        assert!(
            !html
                .chars()
                .any(|c| is_hostile_char(c) && !matches!(c, '\n' | '\t' | '\r')),
            "{page}: a hostile character"
        );
        assert!(!html.contains("core\tsw"), "{page}: the TAB came through");
        if page.starts_with("/lan/") || page == "/inventory" {
            assert!(
                html.contains("&lt;script&gt;alert(5)&lt;/script&gt;"),
                "{page} shows the hostile name as text"
            );
        }
    }
    eprintln!("{csvs} CSVs and 6 pages checked; {devices} devices in lan.dot and lan.svg");
}

/// The collector's own defences, without the agent's: a report as an agent from before
/// the wire-string rules would send it (bidi overrides, noncharacters, markup,
/// formulas, names of 255 bytes; no control characters, which the collector refuses)
/// is stored whole, and every export stays valid and safe.
#[test]
fn names_an_older_agent_reports_unsanitised_keep_every_export_valid() {
    let c = Collector::start("");
    let token = c.enrol("dinkes", "old-agent", Some("kantor-dinkes"));
    let id = simpul_e2e::agent_id(&token);
    let long = format!("{SCRIPT}{}", "é".repeat(115));
    let names = [
        "sw\u{202E}gnp.exe\u{2066}",
        "printer\u{FFFF}\u{FFFE}\u{FDD0}",
        SCRIPT,
        "=HYPERLINK(\"http://evil.invalid\")",
        "-inf",
        long.as_str(),
    ];
    let devices: Vec<_> = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            serde_json::json!({"id": format!("ip:10.20.0.{}", i + 1), "type": if i == 0 { "switch" } else { "host" },
                "name": n, "addresses": [format!("10.20.0.{}", i + 1)], "sources": ["icmp"]})
        })
        .collect();
    let links: Vec<_> = (2..=names.len())
        .map(|i| {
            serde_json::json!({"a": {"device": "ip:10.20.0.1", "port": format!("p{i}\u{FFFF}<b>")},
                "b": {"device": format!("ip:10.20.0.{i}"), "port": "eth0\u{202E}"}, "source": "lldp"})
        })
        .collect();
    let mut r = simpul_e2e::report(&id, "old-agent", 1);
    r["lan"] = serde_json::json!({"subnets": ["10.20.0.0/24"],
        "topology": {"devices": devices, "links": links}, "hash": "", "duration_seconds": 0.5,
        "errors": ["SNMP 10.20.0.9: \u{202E}<script>alert(9)</script>"]});
    let body = simpul_e2e::send(&c, &token, &r);
    assert!(!body.contains("refused"), "the LAN section is kept: {body}");

    let (code, svg) = get(&c.url("/api/v1/agencies/dinkes/lan.svg"));
    assert_eq!(code, 200, "{svg}");
    roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("lan.svg is not XML: {e}"));
    let (_, dot) = get(&c.url("/api/v1/agencies/dinkes/lan.dot"));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lan.dot"), &dot).unwrap();
    let plain = run(Command::new("dot")
        .arg("-Tplain")
        .arg(dir.path().join("lan.dot")));
    assert_eq!(
        plain.lines().filter(|l| l.starts_with("node ")).count(),
        names.len()
    );

    c.add_user("budi", &["--role", "admin"], ADMIN_PW);
    let session = login(&c, "budi", ADMIN_PW);
    for url in ["/inventory.csv", "/scorecard.csv"] {
        let a = curl(&c.url(url), "GET", &[&session], "");
        assert_eq!(a.status, 200, "{url}");
        let formulas: Vec<String> = csv_rows(&a.body)
            .into_iter()
            .flatten()
            .filter(|c| is_formula(c))
            .collect();
        assert!(formulas.is_empty(), "{url}: {formulas:?}");
    }
    for page in ["/", "/lan/dinkes", "/inventory"] {
        let a = curl(&c.url(page), "GET", &[&session], "");
        let (code, html) = (a.status, a.body);
        assert_eq!(code, 200, "{page}");
        let errors = html_errors(&html);
        assert!(errors.is_empty(), "{page}: {errors:?}");
        assert!(
            !html
                .chars()
                .any(|c| is_hostile_char(c) && !matches!(c, '\n' | '\t' | '\r')),
            "{page}: a bidi override or a noncharacter"
        );
        if page != "/" {
            assert!(
                html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
                "{page}"
            );
        }
    }
    let (_, body) = get(&c.url("/api/v1/agencies/dinkes/lan"));
    let cur: serde_json::Value = serde_json::from_str(&body).unwrap();
    let mut strings = Vec::new();
    json_strings(&cur, &mut strings);
    assert!(
        !strings.iter().any(|s| s.chars().any(is_hostile_char)),
        "{body}"
    );
    assert_eq!(
        cur["topology"]["links"].as_array().unwrap().len(),
        names.len() - 1
    );
}
