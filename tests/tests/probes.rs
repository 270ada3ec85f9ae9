//! Link probes (issue 24, part 1) over a shaped namespace WAN (tests/src/wanlab.rs):
//! the real agent in the lab's core namespace probes a target 20 ms away (ICMP over
//! IPv4 and IPv6, and TCP connects to a listener there), a target 50 ms away with 5 %
//! loss, and an address nobody has; it reports to the harness's real collector on the
//! root namespace's loopback through a Unix socket (tests/tests/hostile/forward.rs).
//!
//! Asserted: each probe's median RTT over all its rounds is within max(2 ms, 5 %) of
//! the shaped delay; the lossy link's loss is within binomial bounds (4.5 standard
//! deviations) of 5 % over the rounds, the others lose nothing; the dead target's
//! rounds are all lost and the heartbeats keep their 1 s cadence; every round is stored
//! once and read back through `GET /api/v1/agents/{id}/probes`; with the collector
//! stopped for 8 s, the rounds of the outage arrive after it returns, with their own
//! start times, and no round of any probe is missing.
//!
//! The links (issue 24, part 2): an agent in each target namespace (the agencies'
//! routers) probes the core's end of its link, so each link is measured from both
//! ends; link 3 is the agency's own (its agent reports over another path) and is cut
//! for 90 s (45 rounds). Asserted: the routers' medians and loss as above; through
//! `GET /api/v1/links/{id}`: one outage on link 3, its start and end within one round
//! of the real cut, classified `link_down` with both ends' lost rounds as evidence,
//! while the agency's server has no downtime in its SLA; the collector's stop is no
//! link downtime (both ends spooled); a link measured from one end says so; a link
//! naming an unknown host and probe names the keys; the scorecard's WAN link duty, the
//! pages in a real browser and the metrics `simpul_link_*` carry it.

#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use simpul_e2e::netlab::{Servers, POLL};
use simpul_e2e::wanlab::{v4, v6, Shape, WanLab};
use simpul_e2e::{agent_id, bin, get_json, wait_for_every, Collector};

#[path = "hostile/forward.rs"]
mod forward;

mod browser;

use forward::{forward_to_collector, FORWARD_PY};

const SHAPER_PY: &str = include_str!("probes/shaper.py");

/// The port the agent reaches the collector on, on the core namespace's loopback.
const INSIDE_PORT: u16 = 9810;
/// The TCP listener's port on target 1.
const TCP_PORT: u16 = 7000;
/// Seconds between two rounds of every probe.
const ROUND_SECS: f64 = 2.0;

/// The links: the agency's, measured from both ends (the Pusat Data's agent and the
/// agency's); a branch measured from one end; one naming an unknown host and probe.
const LINKS_TOML: &str = r#"
[[sla_classes]]
id = "gold"
target_percent = 99.0

[[host_sla]]
agency = "dinkes"
host = "dinkes-gw"
sla = "gold"

[[links]]
id = "dinkes-wan"
name = "Dinkes - Pusat Data"
agency = "dinkes"
site = "kantor-dinkes"
a = { host = "pd-core", probe = "to-dinkes" }
b = { host = "dinkes-gw", probe = "to-pusat" }
sla_class = "gold"

[[links]]
id = "branch-wan"
agency = "dinkes"
a = { host = "pd-core", probe = "branch-50ms" }

[[links]]
id = "ghost"
agency = "dinkes"
a = { host = "nobody", probe = "x" }
b = { host = "pd-core", probe = "nope" }
"#;

/// Accepts and closes every connection on the address and port of its arguments.
const LISTENER_PY: &str = "import socket, sys\n\
s = socket.socket()\n\
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n\
s.bind((sys.argv[1], int(sys.argv[2])))\n\
s.listen(128)\n\
open(sys.argv[3], 'w').close()\n\
while True:\n    s.accept()[0].close()\n";

fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

/// Every stored round of `agent`, by probe name.
fn rounds(c: &Collector, agent: &str) -> BTreeMap<String, Vec<serde_json::Value>> {
    let (code, body) =
        get_json(&c.url(&format!("/api/v1/agents/{agent}/probes?from=0&limit=50000")));
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["truncated"], false);
    let mut out: BTreeMap<String, Vec<serde_json::Value>> = BTreeMap::new();
    for r in body["rounds"].as_array().unwrap() {
        out.entry(r["probe"].as_str().unwrap().to_owned())
            .or_default()
            .push(r.clone());
    }
    out
}

/// The median of every RTT of `rounds`, seconds.
fn pooled_median(rounds: &[serde_json::Value]) -> f64 {
    let mut all: Vec<f64> = rounds
        .iter()
        .flat_map(|r| r["rtt_seconds"].as_array().unwrap().clone())
        .map(|x| x.as_f64().unwrap())
        .collect();
    assert!(!all.is_empty(), "no answers at all");
    all.sort_by(f64::total_cmp);
    all[all.len() / 2]
}

/// (sent, received) over `rounds`.
fn counts(rounds: &[serde_json::Value]) -> (u64, u64) {
    rounds.iter().fold((0, 0), |(s, r), x| {
        (
            s + x["sent"].as_u64().unwrap(),
            r + x["received"].as_u64().unwrap(),
        )
    })
}

#[test]
fn probes_measure_a_shaped_wan_and_survive_a_collector_outage() {
    let Some(lab) = WanLab::up(
        &[
            Shape {
                delay_ms: 20,
                loss_percent: 0.0,
            },
            Shape {
                delay_ms: 50,
                loss_percent: 5.0,
            },
            // the agency's link, cut for a while
            Shape {
                delay_ms: 10,
                loss_percent: 0.0,
            },
        ],
        SHAPER_PY,
    ) else {
        return;
    };
    eprintln!("links shaped by {:?}", lab.shaper);
    let t_start = Instant::now();
    let mut servers = Servers::default();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let core = lab.ns("core");

    let mut c = Collector::start_full("", LINKS_TOML);
    let token = c.enrol("diskominfo", "pd-core", Some("pusat-data"));
    let agent = agent_id(&token);
    // the agencies' routers' agents, one in each target namespace, probing the core's
    // end of their link: (link, host, probe, token); link 3's is the agency's own
    let routers: Vec<(usize, &str, &str, String)> = vec![
        (
            1,
            "t1-gw",
            "to-core-20ms",
            c.enrol("diskominfo", "t1-gw", None),
        ),
        (
            2,
            "t2-gw",
            "to-core-50ms",
            c.enrol("diskominfo", "t2-gw", None),
        ),
        (
            3,
            "dinkes-gw",
            "to-pusat",
            c.enrol("dinkes", "dinkes-gw", Some("kantor-dinkes")),
        ),
    ];
    let sock = d.join("collector.sock");
    forward_to_collector(&sock, c.port);
    let fwd = d.join("forward.py");
    std::fs::write(&fwd, FORWARD_PY).unwrap();
    let listener = d.join("listener.py");
    std::fs::write(&listener, LISTENER_PY).unwrap();
    let spawn = |servers: &mut Servers, ns: &str, args: &[&str], log: &str| {
        let out = std::fs::File::create(d.join(log)).unwrap();
        let mut cmd = lab.command(ns, Path::new("python3"));
        cmd.args(args)
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out);
        servers.0.push(cmd.spawn().unwrap());
    };
    let (fwd_ready, tcp_ready) = (d.join("forward.ready"), d.join("listener.ready"));
    let router_ready: Vec<_> = (1..=3)
        .map(|i| d.join(format!("forward-t{i}.ready")))
        .collect();
    for (i, ready) in router_ready.iter().enumerate() {
        spawn(
            &mut servers,
            &lab.ns(&format!("t{}", i + 1)),
            &[
                fwd.to_str().unwrap(),
                &INSIDE_PORT.to_string(),
                sock.to_str().unwrap(),
                ready.to_str().unwrap(),
            ],
            &format!("forward-t{}.log", i + 1),
        );
    }
    spawn(
        &mut servers,
        &core,
        &[
            fwd.to_str().unwrap(),
            &INSIDE_PORT.to_string(),
            sock.to_str().unwrap(),
            fwd_ready.to_str().unwrap(),
        ],
        "forward.log",
    );
    spawn(
        &mut servers,
        &lab.ns("t1"),
        &[
            listener.to_str().unwrap(),
            &v4(1, 2),
            &TCP_PORT.to_string(),
            tcp_ready.to_str().unwrap(),
        ],
        "listener.log",
    );
    wait_for_every(
        "the forwarder and the listener",
        Duration::from_secs(15),
        POLL,
        || {
            (fwd_ready.exists() && tcp_ready.exists() && router_ready.iter().all(|r| r.exists()))
                .then_some(())
        },
    );

    // the agent: 1 s heartbeats, every probe a round of 20 (TCP: 10) every 2 s
    let adir = d.join("agent");
    std::fs::create_dir_all(&adir).unwrap();
    std::fs::write(adir.join("agent.token"), &token).unwrap();
    let probe = |name: &str, kind: &str, target: &str, count: u32| {
        format!(
            "[[probes]]\nname = \"{name}\"\nkind = \"{kind}\"\ntarget = \"{target}\"\ncount = {count}\ninterval_secs = {}\n",
            ROUND_SECS as u32
        )
    };
    let cfg = format!(
        "collector_url = \"http://127.0.0.1:{INSIDE_PORT}\"\ntoken_file = \"{}\"\n\
         interval_secs = 1\nretry_max_secs = 1\nstate_dir = \"{}\"\nhostname = \"pd-core\"\n{}{}{}{}{}{}",
        adir.join("agent.token").display(),
        adir.join("state").display(),
        probe("core-20ms", "icmp", &v4(1, 2), 20),
        probe("core-20ms-v6", "icmp", &v6(1, 2), 20),
        probe("core-tcp", "tcp", &format!("{}:{TCP_PORT}", v4(1, 2)), 10),
        probe("branch-50ms", "icmp", &v4(2, 2), 20),
        // nobody has this address: its neighbour resolution fails inside the lab
        probe("dead", "icmp", "10.251.2.9", 5),
        probe("to-dinkes", "icmp", &v4(3, 2), 20),
    );
    let acfg = adir.join("agent.toml");
    std::fs::write(&acfg, &cfg).unwrap();
    let check = lab
        .command(&core, &bin("simpul-agent"))
        .arg("check-config")
        .arg(&acfg)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let agent_proc = simpul_e2e::Proc::spawn(
        "simpul-agent",
        lab.command(&core, &bin("simpul-agent"))
            .args(["run", "--config"])
            .arg(&acfg)
            .env("SIMPUL_LOG", "info"),
        adir.join("agent.log"),
    );
    // the routers' agents, at the other ends, probing the Pusat Data's end
    let mut router_procs = Vec::new();
    for (i, host, probe_name, rtoken) in &routers {
        let gdir = d.join(format!("{host}-agent"));
        std::fs::create_dir_all(&gdir).unwrap();
        std::fs::write(gdir.join("agent.token"), rtoken).unwrap();
        let gcfg = gdir.join("agent.toml");
        std::fs::write(
            &gcfg,
            format!(
                "collector_url = \"http://127.0.0.1:{INSIDE_PORT}\"\ntoken_file = \"{}\"\n\
                 interval_secs = 1\nretry_max_secs = 1\nstate_dir = \"{}\"\nhostname = \"{host}\"\n{}",
                gdir.join("agent.token").display(),
                gdir.join("state").display(),
                probe(probe_name, "icmp", &v4(*i, 1), 20),
            ),
        )
        .unwrap();
        router_procs.push(simpul_e2e::Proc::spawn(
            "simpul-agent",
            lab.command(&lab.ns(&format!("t{i}")), &bin("simpul-agent"))
                .args(["run", "--config"])
                .arg(&gcfg)
                .env("SIMPUL_LOG", "info"),
            gdir.join("agent.log"),
        ));
    }
    let names = [
        "branch-50ms",
        "core-20ms",
        "core-20ms-v6",
        "core-tcp",
        "dead",
        "to-dinkes",
    ];
    let agent_ref = agent.as_str();
    let enough = |n: usize| {
        move |c: &Collector| {
            let r = rounds(c, agent_ref);
            names
                .iter()
                .all(|p| r.get(*p).is_some_and(|v| v.len() >= n))
                .then_some(r)
        }
    };
    {
        let have = enough(3);
        wait_for_every(
            "3 rounds of every probe",
            Duration::from_secs(30),
            POLL,
            || have(&c),
        );
    }

    // the collector goes away for 8 s: the agent spools
    c.stop();
    let t_stop = now();
    std::thread::sleep(Duration::from_secs(8));
    c.start_again();
    let t_back = now();
    let all = {
        let have = enough(16);
        wait_for_every(
            "16 rounds of every probe",
            Duration::from_secs(60),
            POLL,
            || have(&c),
        )
    };
    let tol = |delay: f64| (0.002f64).max(0.05 * delay);

    for (name, delay) in [
        ("core-20ms", 0.020),
        ("core-20ms-v6", 0.020),
        ("core-tcp", 0.020),
        ("branch-50ms", 0.050),
    ] {
        let r = &all[name];
        let median = pooled_median(r);
        let (sent, received) = counts(r);
        eprintln!(
            "{name}: {} rounds, median {:.2} ms (shaped {:.0} ms), {sent} sent, {received} received, loss {:.2} %",
            r.len(),
            median * 1e3,
            delay * 1e3,
            100.0 * (sent - received) as f64 / sent as f64
        );
        assert!(
            (median - delay).abs() <= tol(delay),
            "{name}: median {median} s not within {} s of {delay} s",
            tol(delay)
        );
        // every round's statistics are its RTT list's
        for x in r {
            let rtts: Vec<f64> = x["rtt_seconds"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect();
            assert_eq!(rtts.len() as u64, x["received"].as_u64().unwrap(), "{x}");
            if let (Some(first), Some(last)) = (rtts.first(), rtts.last()) {
                assert_eq!(x["rtt"]["min_seconds"].as_f64(), Some(*first), "{x}");
                assert_eq!(x["rtt"]["max_seconds"].as_f64(), Some(*last), "{x}");
            }
        }
    }
    // the same links measured from their other ends: the replies cross the shaper
    for (i, host, probe_name, rtoken) in &routers[..2] {
        let id = agent_id(rtoken);
        let r = wait_for_every(
            &format!("16 rounds of {host}'s probe"),
            Duration::from_secs(30),
            POLL,
            || {
                rounds(&c, &id)
                    .remove(*probe_name)
                    .filter(|r| r.len() >= 16)
            },
        );
        let delay = if *i == 1 { 0.020 } else { 0.050 };
        let median = pooled_median(&r);
        let (sent, received) = counts(&r);
        eprintln!(
            "{host} {probe_name}: {} rounds, median {:.2} ms (shaped {:.0} ms), loss {:.2} %",
            r.len(),
            median * 1e3,
            delay * 1e3,
            100.0 * (sent - received) as f64 / sent as f64
        );
        assert!(
            (median - delay).abs() <= tol(delay),
            "{host}: median {median} s not within {} s of {delay} s",
            tol(delay)
        );
        let (n, lost) = (sent as f64, (sent - received) as f64);
        let p = if *i == 1 { 0.0 } else { 0.05 };
        let sd = (n * p * (1.0 - p)).sqrt();
        assert!(
            (lost - n * p).abs() <= (4.5 * sd).max(n / 100.0),
            "{host}: {lost} of {n} lost, shaped {p}"
        );
    }

    // loss: none where none is shaped; on the lossy link within the binomial bounds
    for name in ["core-20ms", "core-20ms-v6", "core-tcp"] {
        let (sent, received) = counts(&all[name]);
        assert!(
            sent - received <= sent / 100,
            "{name}: {} of {sent} lost on a link without loss",
            sent - received
        );
    }
    let (sent, received) = counts(&all["branch-50ms"]);
    let (n, p) = (sent as f64, 0.05);
    let sd = (n * p * (1.0 - p)).sqrt();
    let lost = (sent - received) as f64;
    eprintln!(
        "branch-50ms: {lost} of {n} lost; binomial bounds [{:.1}, {:.1}]",
        (n * p - 4.5 * sd).max(0.0),
        n * p + 4.5 * sd
    );
    assert!(
        (lost - n * p).abs() <= 4.5 * sd,
        "{lost} of {n} lost: not within 4.5 standard deviations ({sd:.2}) of 5 %"
    );
    let dead = &all["dead"];
    assert!(
        dead.iter()
            .all(|r| r["received"] == 0 && r["loss_ratio"] == 1.0 && r["rtt"].is_null()),
        "{dead:?}"
    );

    // the outage: rounds that started while the collector was away arrived after it
    // came back, with their own start times; no round of any probe is missing
    for name in names {
        let r = &all[name];
        let starts: Vec<f64> = r
            .iter()
            .map(|x| x["start_time_seconds"].as_f64().unwrap())
            .collect();
        let during: Vec<&serde_json::Value> = r
            .iter()
            .filter(|x| {
                let s = x["start_time_seconds"].as_f64().unwrap();
                s > t_stop + 0.5 && s < t_back - 0.5
            })
            .collect();
        assert!(
            during.len() >= 3,
            "{name}: {} rounds during the outage",
            during.len()
        );
        for x in &during {
            assert!(
                x["received_at_seconds"].as_f64().unwrap() >= t_back - 1.0,
                "{name}: a round of the outage stored before the collector returned: {x}"
            );
        }
        for w in starts.windows(2) {
            assert!(
                w[1] - w[0] < ROUND_SECS * 1.5,
                "{name}: rounds missing between {} and {}",
                w[0],
                w[1]
            );
        }
    }
    // stored once each: the table holds what the API answers
    let total: usize = all.values().map(Vec::len).sum();
    let stored = c.count(&format!(
        "SELECT count(*) FROM probe_rounds WHERE agent_id = '{agent}'"
    ));
    assert_eq!(stored as usize, total);

    // a dead target never delayed a heartbeat: 1 s apart all along (spooled or not)
    let gap = c.count(&format!(
        "SELECT CAST(1000 * max(g) AS BIGINT) FROM (SELECT sample_time - lag(sample_time) \
         OVER (ORDER BY sample_time) AS g FROM reports WHERE agent_id = '{agent}') AS x"
    ));
    eprintln!("longest gap between heartbeats: {gap} ms");
    assert!(gap < 1500, "a heartbeat {gap} ms after the one before");

    // link 3 is cut for 90 s; both ends keep probing, the agency's agent keeps
    // heartbeating over another path (its forwarder)
    let t_cut = now();
    lab.cut(3);
    std::thread::sleep(Duration::from_secs(90));
    lab.mend(3);
    let t_mend = now();
    let link = |c: &Collector, id: &str| {
        let (code, body) = get_json(&c.url(&format!("/api/v1/links/{id}")));
        assert_eq!(code, 200, "{body}");
        body
    };
    let wan = wait_for_every(
        "link 3 up again, with rounds of both ends after the mend",
        Duration::from_secs(30),
        POLL,
        || {
            let l = link(&c, "dinkes-wan");
            let fresh = l["ends"].as_array().unwrap().iter().all(|e| {
                e["last_round"]["start_time_seconds"]
                    .as_f64()
                    .is_some_and(|t| t > t_mend + ROUND_SECS * 2.0)
            });
            (fresh && l["state"] == "up").then_some(l)
        },
    );
    let outages = wan["outages"].as_array().unwrap();
    eprintln!(
        "cut {t_cut:.1} .. {t_mend:.1}; outages: {}",
        serde_json::to_string_pretty(outages).unwrap()
    );
    assert_eq!(outages.len(), 1, "one outage: {outages:#?}");
    let o = &outages[0];
    let (o_start, o_end) = (
        o["start_seconds"].as_f64().unwrap(),
        o["end_seconds"].as_f64().unwrap(),
    );
    // within one round (and the part of a round the cut fell into) of the real cut
    let within = ROUND_SECS + 1.0;
    assert!(
        (o_start - t_cut).abs() <= within,
        "start {o_start} vs cut {t_cut}"
    );
    assert!(
        (o_end - t_mend).abs() <= within,
        "end {o_end} vs mend {t_mend}"
    );
    assert_eq!(o["classification"], "link_down", "{o}");
    assert_eq!(o["agency_agent_heartbeating"], true, "{o}");
    for e in o["evidence"].as_array().unwrap() {
        assert!(
            e["rounds_all_lost"].as_u64().unwrap() >= 3,
            "both ends saw it: {o}"
        );
    }
    assert_eq!(wan["one_sided"], false);
    let down = wan["down_seconds"].as_f64().unwrap();
    assert!((down - (o_end - o_start)).abs() < 1e-6, "{wan}");
    let ratio = wan["availability_ratio"].as_f64().unwrap();
    let up = wan["up_seconds"].as_f64().unwrap();
    assert!(
        ratio < 1.0 && (ratio - up / (up + down)).abs() < 1e-9,
        "availability is up / (up + down): {wan}"
    );
    assert_eq!(wan["sla_class"], "gold");
    assert!(wan["verdict"].is_string(), "{wan}");
    // the collector's own outage is no link outage: both ends spooled their rounds
    assert!(
        o_start > t_back || o_end < t_stop,
        "the collector's stop ({t_stop} .. {t_back}) became link downtime: {o}"
    );
    // the agency's server was not down while its link was
    let (code, sla) = get_json(&c.url("/api/v1/agencies/dinkes/sla"));
    assert_eq!(code, 200, "{sla}");
    let gw = sla["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["host"] == "dinkes-gw")
        .unwrap_or_else(|| panic!("{sla}"));
    assert_eq!(gw["down_seconds"], 0.0, "{gw}");
    assert_eq!(gw["outage_count"], 0, "{gw}");

    // the scorecard's WAN link duty: the agency's link is up again, within its budget
    let (code, sc) = get_json(&c.url("/api/v1/scorecard?agency=dinkes"));
    assert_eq!(code, 200, "{sc}");
    let wan_duty = sc["agencies"][0]["duties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["duty"] == "wan_link")
        .unwrap_or_else(|| panic!("{sc}"))
        .clone();
    assert_eq!(wan_duty["link"], "/links", "{wan_duty}");
    assert!(
        wan_duty["state"] == "ok" || wan_duty["state"] == "warning",
        "{wan_duty}"
    );

    // a link measured from one end says so; a link naming an unknown host or probe
    // names the key
    let branch = link(&c, "branch-wan");
    assert_eq!(branch["one_sided"], true);
    assert!(branch["outages"].as_array().unwrap().is_empty(), "{branch}");
    assert!(
        branch["state"] == "up" || branch["state"] == "degraded",
        "{branch}"
    );
    let ghost = link(&c, "ghost");
    assert_eq!(ghost["state"], "unknown");
    let problems = ghost["problems"].to_string();
    assert!(
        problems.contains("links[2].a.host = \\\"nobody\\\""),
        "{problems}"
    );
    assert!(
        problems.contains("links[2].b.probe = \\\"nope\\\"") && problems.contains("to-dinkes"),
        "{problems}"
    );
    let (code, _) = get_json(&c.url("/api/v1/links/nope"));
    assert_eq!(code, 404);
    let (code, list) = get_json(&c.url("/api/v1/links"));
    assert_eq!(code, 200);
    assert_eq!(list["links"].as_array().unwrap().len(), 3);

    // the pictures: the latency graph of each end and the intranet map, kept as
    // artifacts (target/link-artifacts/)
    let art = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/link-artifacts");
    std::fs::create_dir_all(&art).unwrap();
    for (url, file) in [
        (
            "/api/v1/links/dinkes-wan/latency.svg?range=3h&side=a",
            "latency-a-3h-id.svg",
        ),
        (
            "/api/v1/links/dinkes-wan/latency.svg?range=3h&side=b&lang=en",
            "latency-b-3h-en.svg",
        ),
        ("/api/v1/links/map.svg", "map-id.svg"),
        ("/api/v1/links/map.svg?lang=en", "map-en.svg"),
    ] {
        let (code, svg) = simpul_e2e::get(&c.url(url));
        assert_eq!(code, 200, "{url}: {svg}");
        roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{url}: not XML: {e}"));
        std::fs::write(art.join(file), &svg).unwrap();
    }
    let (_, map) = simpul_e2e::get(&c.url("/api/v1/links/map.svg"));
    assert!(map.contains("/agencies/dinkes/lan") && map.contains("/api/v1/links/dinkes-wan"));
    let (code, body) = simpul_e2e::get(&c.url("/api/v1/links/dinkes-wan/latency.svg?range=2w"));
    assert_eq!(code, 400, "{body}");
    assert!(
        body.contains("range") && body.contains("3h, 1d, 7d or 30d"),
        "{body}"
    );
    let (code, body) = simpul_e2e::get(&c.url("/api/v1/links/branch-wan/latency.svg?side=b"));
    assert_eq!(code, 400, "{body}");
    assert!(body.contains("one end"), "{body}");

    // the pages, in a real browser in both languages, at desktop and phone width
    // (screenshots wan-*.png in target/web-screenshots/)
    const ADMIN_PW: &str = "admin password 2026";
    c.add_user("budi", &["--role", "admin"], ADMIN_PW);
    let bdir = d.join("browser");
    std::fs::create_dir_all(&bdir).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        for lang in ["id-ID", "en-US"] {
            let b = browser::Browser::start_in(&bdir, lang).await;
            b.login(&c, "budi", ADMIN_PW).await;
            let short = &lang[..2];
            for (width, suffix) in [(1280, ""), (390, "-phone")] {
                b.client.set_window_size(width, 900).await.unwrap();
                for (path, name) in [("/links", "links"), ("/links/dinkes-wan", "link")] {
                    b.client.goto(&c.url(path)).await.unwrap();
                    let html = b.client.source().await.unwrap();
                    assert!(html.contains("<svg"), "{path}: no picture");
                    if short == "id" {
                        assert!(html.contains("Tautan WAN"), "{path} in Indonesian");
                        simpul_e2e::lang::assert_indonesian(path, &html);
                    } else {
                        assert!(html.contains("WAN link"), "{path} in English");
                    }
                    if path == "/links/dinkes-wan" {
                        let text = b.text().await;
                        let cut = if short == "id" {
                            "tautan putus"
                        } else {
                            "link down"
                        };
                        assert!(
                            text.contains(cut),
                            "{path}: the outage's classification in {text}"
                        );
                    }
                    let (scroll, inner) = b.widths().await;
                    assert!(
                        scroll <= inner + 1.0,
                        "{path} scrolls sideways at {width} px: {scroll} > {inner}"
                    );
                    b.shot(&format!("wan-{name}-{short}{suffix}")).await;
                }
            }
        }
    });

    // the metrics
    let m = wait_for_every("the link metrics", Duration::from_secs(20), POLL, || {
        let m = c.metrics();
        m.contains("simpul_link_up{agency=\"dinkes\",site=\"kantor-dinkes\",link=\"dinkes-wan\"} 1")
            .then_some(m)
    });
    for want in [
        "simpul_link_state{agency=\"dinkes\",site=\"\",link=\"ghost\",state=\"unknown\"} 1",
        "simpul_link_outages{agency=\"dinkes\",site=\"kantor-dinkes\",link=\"dinkes-wan\",period=\"current_month\"} 1",
        "simpul_link_rtt_seconds{agency=\"dinkes\",site=\"kantor-dinkes\",link=\"dinkes-wan\",side=\"b\",quantile=\"0.5\"}",
        "simpul_link_loss_ratio{agency=\"dinkes\",site=\"kantor-dinkes\",link=\"dinkes-wan\",side=\"a\"}",
    ] {
        assert!(m.contains(want), "{want} in\n{}", m.lines().filter(|l| l.contains("simpul_link")).collect::<Vec<_>>().join("\n"));
    }
    drop(router_procs);
    drop(agent_proc);
    drop(servers);
    eprintln!("took {:.1} s", t_start.elapsed().as_secs_f64());
}
