//! Interface traffic (issue 23) against real servers: net-snmp's snmpd is the router
//! of a namespace LAN (tests/src/netlab.rs: its bridge ports p1 and p2 are the
//! interfaces), iperf3 sends a UDP stream of a known size from h01 to h02 through it,
//! and the agent, in the scanner namespace, reads p1's and p2's counters every 2 s and
//! reports to the collector (in the root namespace, through a forwarder). A second
//! device, snmpsim serving a recording whose 32-bit ifInOctets grows by 300 MB a
//! second, wraps every 14 s.
//!
//! Checked: the bytes Simpul counts over the transfer match the kernel's counters of
//! the port within 2 %; restarting snmpd (sysUpTime back to 0) makes no spike; the
//! wrapping counter gives its rate within 2 %; the collector stopped for two minutes
//! leaves no gap in the stored samples (the agent spooled them); the metrics.

#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use simpul_e2e::netlab::{missing, NetLab, Servers, MGMT_IP};
use simpul_e2e::{bin, get_json, wait_for_every, Collector};

#[path = "hostile/forward.rs"]
mod forward;

use forward::{forward_to_collector, FORWARD_PY};

/// The port the agent reaches the collector on, on the scanner namespace's loopback.
const INSIDE_PORT: u16 = 9810;
/// The snmpsim device, on the scanner namespace's loopback.
const SIM_PORT: u16 = 1161;
/// The router's poll interval.
const EVERY: f64 = 2.0;
/// The wrapping device's growth, bytes a second (2.4 Gbit/s of its 10 Gbit/s).
const SIM_RATE: f64 = 300_000_000.0;

/// A device with one port whose 32-bit ifInOctets grows SIM_RATE a second and wraps
/// (snmpsim's numeric variation: `wrap` takes the value modulo 2^32 - 1), with no
/// ifXTable HC counters, so the agent reads the 32-bit ones.
const WRAP_SNMPREC: &str = "1.3.6.1.2.1.1.1.0|4|Test switch with 32-bit counters\n\
1.3.6.1.2.1.1.3.0|67:numeric|rate=100,initial=1000\n\
1.3.6.1.2.1.1.5.0|4|wrap-switch\n\
1.3.6.1.2.1.2.2.1.1.1|2|1\n\
1.3.6.1.2.1.2.2.1.2.1|4|port1\n\
1.3.6.1.2.1.2.2.1.3.1|2|6\n\
1.3.6.1.2.1.2.2.1.5.1|66|4294967295\n\
1.3.6.1.2.1.2.2.1.8.1|2|1\n\
1.3.6.1.2.1.2.2.1.10.1|65:numeric|rate=300000000,initial=0,wrap=1\n\
1.3.6.1.2.1.2.2.1.14.1|65|0\n\
1.3.6.1.2.1.2.2.1.16.1|65:numeric|rate=1000000,initial=0\n\
1.3.6.1.2.1.2.2.1.20.1|65|0\n\
1.3.6.1.2.1.31.1.1.1.1.1|4|port1\n\
1.3.6.1.2.1.31.1.1.1.15.1|66|10000\n";

fn snmpsim_venv() -> PathBuf {
    std::env::var_os("SIMPUL_SNMPSIM_VENV").map_or_else(
        || PathBuf::from("/var/tmp/simpul-snmpsim-venv"),
        PathBuf::from,
    )
}

fn now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

/// The kernel's byte counters (received, sent) of `dev` in namespace `ns`.
fn kernel_bytes(ns: &str, dev: &str) -> (u64, u64) {
    let out = Command::new("ip")
        .args(["-n", ns, "-s", "-j", "link", "show", dev])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let s = &v[0]["stats64"];
    (
        s["rx"]["bytes"].as_u64().unwrap(),
        s["tx"]["bytes"].as_u64().unwrap(),
    )
}

fn spawn(servers: &mut Servers, lab: &NetLab, ns: &str, program: &Path, args: &[&str], log: &Path) {
    let out = std::fs::File::create(log).unwrap();
    let mut c = lab.command(ns, program);
    c.args(args)
        .stdin(Stdio::null())
        .stdout(out.try_clone().unwrap())
        .stderr(out);
    servers.0.push(c.spawn().unwrap());
}

/// The interfaces the collector lists: `device_name/interface` → the entry.
fn interfaces(c: &Collector) -> std::collections::BTreeMap<String, serde_json::Value> {
    let (code, v) = get_json(&c.url("/api/v1/interfaces"));
    assert_eq!(code, 200, "{v}");
    v["interfaces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                format!(
                    "{}/{}",
                    i["device_name"].as_str().unwrap(),
                    i["interface"].as_str().unwrap()
                ),
                i.clone(),
            )
        })
        .collect()
}

/// The steps of interface `id` over the last 3 hours.
fn steps(c: &Collector, id: i64) -> Vec<serde_json::Value> {
    let (code, v) = get_json(&c.url(&format!("/api/v1/interfaces/{id}?range=3h")));
    assert_eq!(code, 200, "{v}");
    v["steps"].as_array().unwrap().clone()
}

fn f(v: &serde_json::Value) -> Option<f64> {
    v.as_f64()
}

/// Bytes received (`in`) or sent of the steps whose poll time is in (from, to].
fn bytes(steps: &[serde_json::Value], inbound: bool, from: f64, to: f64) -> f64 {
    let key = if inbound {
        "receive_bits_per_second"
    } else {
        "transmit_bits_per_second"
    };
    steps
        .iter()
        .filter(|s| {
            let t = f(&s["time_seconds"]).unwrap();
            t > from && t <= to
        })
        .map(|s| {
            let bps = f(&s[key]).unwrap_or_else(|| panic!("a step that counts nothing: {s}"));
            bps * f(&s["seconds"]).unwrap() / 8.0
        })
        .sum()
}

/// Waits up to `within` for `f` to give a value; fails with `diag()` when it does not.
fn wait_or<T>(
    what: &str,
    within: Duration,
    diag: &dyn Fn() -> String,
    mut f: impl FnMut() -> Option<T>,
) -> T {
    let t0 = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(
            t0.elapsed() < within,
            "timed out after {within:?} waiting for {what}\n{}",
            diag()
        );
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// Waits until interface `id` has a poll made at or after `t`; returns its steps.
fn steps_after(c: &Collector, id: i64, t: f64, within: Duration) -> Vec<serde_json::Value> {
    wait_for_every(
        "a poll of the interface",
        within,
        Duration::from_millis(500),
        || {
            let s = steps(c, id);
            s.last()
                .is_some_and(|x| f(&x["time_seconds"]).unwrap() >= t)
                .then_some(s)
        },
    )
}

#[test]
fn interface_counters_become_rates_without_spikes_or_gaps() {
    if let Some(why) = missing(&["snmpd", "iperf3", "python3"]) {
        assert!(std::env::var_os("CI").is_none(), "{why}");
        eprintln!("skipped: {why}");
        return;
    }
    let responder = snmpsim_venv().join("bin/snmpsim-command-responder");
    if !responder.is_file() {
        let why = format!(
            "{} is missing (scripts/test.sh installs snmpsim)",
            responder.display()
        );
        assert!(std::env::var_os("CI").is_none(), "{why}");
        eprintln!("skipped: {why}");
        return;
    }
    let t_start = Instant::now();
    let Some(lab) = NetLab::up(2, true) else {
        return;
    };
    let mut servers = Servers::default();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::set_permissions(d, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let (lan, scan) = (lab.ns("lan"), lab.ns("scan"));

    // the router: snmpd on the bridge, whose ports are p1 (h01) and p2 (h02)
    std::fs::create_dir_all(d.join("persist")).unwrap();
    let conf = d.join("snmpd.conf");
    std::fs::write(
        &conf,
        format!("agentAddress udp:{MGMT_IP}:161\nrocommunity public 10.250.0.0/22\nsysName lab-router\n"),
    )
    .unwrap();
    let snmpd_args = [
        "-f",
        "-C",
        "-c",
        conf.to_str().unwrap(),
        "-m",
        "",
        "-I",
        "-smux,mteTrigger,mteTriggerConf",
        "-Lf",
    ];
    let start_snmpd = |log: &str| {
        let mut c = lab.command(&lan, Path::new("snmpd"));
        c.args(snmpd_args)
            .arg(d.join(log))
            .env("SNMP_PERSISTENT_DIR", d.join("persist"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        c.spawn().unwrap()
    };
    let mut snmpd = start_snmpd("snmpd.log");

    // the wrapping device: snmpsim in the scanner namespace (nobody reads the data)
    let (data, cache) = (d.join("data"), d.join("cache"));
    std::fs::create_dir_all(&data).unwrap();
    std::fs::create_dir_all(&cache).unwrap();
    std::fs::set_permissions(&data, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    std::fs::write(data.join("wrap.snmprec"), WRAP_SNMPREC).unwrap();
    assert!(Command::new("chown")
        .args(["nobody:nogroup"])
        .arg(&cache)
        .status()
        .unwrap()
        .success());
    spawn(
        &mut servers,
        &lab,
        &scan,
        &responder,
        &[
            &format!("--data-dir={}", data.display()),
            &format!("--cache-dir={}", cache.display()),
            &format!("--agent-udpv4-endpoint=127.0.0.1:{SIM_PORT}"),
            "--process-user=nobody",
            "--process-group=nogroup",
        ],
        &d.join("snmpsim.log"),
    );

    // the collector, reached from the scanner namespace through a forwarder
    let mut c = Collector::start("");
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
        Path::new("python3"),
        &[
            fwd.to_str().unwrap(),
            &INSIDE_PORT.to_string(),
            sock.to_str().unwrap(),
            ready.to_str().unwrap(),
        ],
        &d.join("forward.log"),
    );
    wait_for_every(
        "the forwarder",
        Duration::from_secs(15),
        Duration::from_millis(100),
        || ready.exists().then_some(()),
    );

    let adir = d.join("agent");
    std::fs::create_dir_all(&adir).unwrap();
    std::fs::write(adir.join("agent.token"), &token).unwrap();
    let acfg = adir.join("agent.toml");
    std::fs::write(
        &acfg,
        format!(
            "collector_url = \"http://127.0.0.1:{INSIDE_PORT}\"\ntoken_file = \"{}\"\n\
             interval_secs = 1\nretry_max_secs = 1\nstate_dir = \"{}\"\nhostname = \"opd-agent\"\n\
             [discovery]\n\
             [[discovery.snmp]]\naddress = \"{MGMT_IP}\"\ncommunity = \"public\"\ntimeout_ms = 1000\n\
             traffic_interval_secs = {EVERY}\ninterfaces = [\"p1\", \"P2\"]\n\
             [[discovery.snmp]]\naddress = \"127.0.0.1\"\nport = {SIM_PORT}\ncommunity = \"wrap\"\n\
             timeout_ms = 3000\ntraffic_interval_secs = 5\n",
            adir.join("agent.token").display(),
            adir.join("state").display(),
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
    let agent_log = || simpul_e2e::read(&adir.join("agent.log"));

    // p1 and p2 appear, each with a step (two polls)
    let diag = || {
        format!(
            "interfaces: {}\nagent log:\n{}",
            get_json(&c.url("/api/v1/interfaces")).1,
            agent_log()
        )
    };
    let ids = wait_or("the router's ports", Duration::from_secs(60), &diag, || {
        let all = interfaces(&c);
        let p1 = all.get("lab-router/p1")?;
        let p2 = all.get("lab-router/p2")?;
        p1["step_seconds"].as_f64()?;
        Some((p1["id"].as_i64().unwrap(), p2["id"].as_i64().unwrap()))
    });
    let p1 = &interfaces(&c)["lab-router/p1"];
    assert_eq!(p1["agency"], "dinkes");
    assert_eq!(p1["site"], "kantor-dinkes");
    assert_eq!(p1["oper_status"], 1);
    assert_eq!(p1["counter_bits"], 64, "snmpd has HC counters: {p1}");
    assert_eq!(
        p1["speed_bps"], 10_000_000_000i64,
        "a veth says 10 Gbit/s: {p1}"
    );
    assert!(
        !interfaces(&c).contains_key("lab-router/lo"),
        "only the chosen interfaces"
    );

    // 1. a stream of a known size through the router: 40 Mbit/s of 1,400-byte
    // datagrams for 12 s, with quiet before and after (snmpd refreshes its counters
    // every 3 s or so: the quiet makes both ends exact)
    let iperf = |args: &[&str], ns: &str| {
        let mut c = lab.command(ns, Path::new("iperf3"));
        c.args(args).stdin(Stdio::null());
        c
    };
    let mut server = iperf(&["-s", "-1", "-B", "10.250.0.2"], &lab.host(2))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(6));
    let (k_rx0, _) = kernel_bytes(&lan, "p1");
    let (_, k_tx0) = kernel_bytes(&lan, "p2");
    let t_quiet = now();
    let out = iperf(
        &[
            "-c",
            "10.250.0.2",
            "-u",
            "-b",
            "40M",
            "-l",
            "1400",
            "-t",
            "12",
            "--json",
        ],
        &lab.host(1),
    )
    .output()
    .unwrap();
    let _ = server.wait();
    assert!(
        out.status.success(),
        "iperf3: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let sent = &report["end"]["sum"];
    let packets = sent["packets"].as_f64().unwrap();
    let seconds = sent["seconds"].as_f64().unwrap();
    std::thread::sleep(Duration::from_secs(6));
    let t_after = now();
    let (k_rx1, _) = kernel_bytes(&lan, "p1");
    let (_, k_tx1) = kernel_bytes(&lan, "p2");
    let s1 = steps_after(&c, ids.0, t_after + 1.0, Duration::from_secs(30));
    let s2 = steps_after(&c, ids.1, t_after + 1.0, Duration::from_secs(30));
    let (kernel_in, kernel_out) = ((k_rx1 - k_rx0) as f64, (k_tx1 - k_tx0) as f64);
    let simpul_in = bytes(&s1, true, t_quiet - 3.0, t_after + 3.0);
    let simpul_out = bytes(&s2, false, t_quiet - 3.0, t_after + 3.0);
    // the datagrams on the wire: payload, UDP, IPv4 and Ethernet headers
    let wire = packets * (1400.0 + 8.0 + 20.0 + 14.0);
    eprintln!(
        "p1 received {kernel_in} B (kernel), {simpul_in:.0} B (Simpul); p2 sent {kernel_out} B, \
         {simpul_out:.0} B; iperf3: {packets} datagrams in {seconds:.2} s = {wire} B on the wire"
    );
    for (what, simpul, kernel) in [
        ("p1 in", simpul_in, kernel_in),
        ("p2 out", simpul_out, kernel_out),
    ] {
        assert!(
            (simpul - kernel).abs() / kernel < 0.02,
            "{what}: Simpul counted {simpul} B, the kernel {kernel} B"
        );
    }
    assert!(
        (kernel_in - wire).abs() / wire < 0.02,
        "the stream was {wire} B: {kernel_in}"
    );
    // the rate while the stream flowed (whole steps inside it; snmpd's counter cache
    // of about 3 s blurs single steps, so the steps are pooled)
    let t0 = t_quiet + 3.0;
    let inside: Vec<&serde_json::Value> = s1
        .iter()
        .filter(|s| {
            let t = f(&s["time_seconds"]).unwrap();
            t - f(&s["seconds"]).unwrap_or(0.0) >= t0 && t <= t_quiet + seconds - 1.0
        })
        .collect();
    let pooled: f64 = inside
        .iter()
        .map(|s| f(&s["receive_bits_per_second"]).unwrap() * f(&s["seconds"]).unwrap())
        .sum::<f64>()
        / inside
            .iter()
            .map(|s| f(&s["seconds"]).unwrap())
            .sum::<f64>();
    let stream_bps = wire * 8.0 / seconds;
    eprintln!("the stream's rate {stream_bps:.0} bit/s; Simpul's over {} steps inside it {pooled:.0} bit/s", inside.len());
    assert!(inside.len() >= 2, "{s1:#?}");
    assert!(
        (pooled - stream_bps).abs() / stream_bps < 0.25,
        "{pooled} vs {stream_bps}"
    );

    // 2. snmpd restarts (its sysUpTime starts again from 0) while a stream flows: the
    // step over the restart counts nothing; no step is faster than the stream
    let mut server = iperf(&["-s", "-1", "-B", "10.250.0.2"], &lab.host(2))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let mut client = iperf(
        &[
            "-c",
            "10.250.0.2",
            "-u",
            "-b",
            "40M",
            "-l",
            "1400",
            "-t",
            "12",
        ],
        &lab.host(1),
    )
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    std::thread::sleep(Duration::from_secs(5));
    let _ = snmpd.kill();
    let _ = snmpd.wait();
    let t_restart = now();
    snmpd = start_snmpd("snmpd-2.log");
    let _ = client.wait();
    let _ = server.wait();
    let s1 = steps_after(&c, ids.0, t_restart + 10.0, Duration::from_secs(40));
    let after: Vec<&serde_json::Value> = s1
        .iter()
        .filter(|s| f(&s["time_seconds"]).unwrap() > t_restart - 1.0)
        .collect();
    assert!(
        after.iter().any(|s| s["reset_reason"] == "restarted"),
        "the restart is named: {after:#?}"
    );
    let fastest = s1
        .iter()
        .filter_map(|s| f(&s["receive_bits_per_second"]))
        .fold(0.0, f64::max);
    assert!(
        fastest < stream_bps * 2.5,
        "no spike: the fastest step {fastest} bit/s, the stream {stream_bps} bit/s"
    );

    // 3. the 32-bit counter that wraps every 14 s: its rate, step by step
    let all = interfaces(&c);
    let port1 = all
        .get("wrap-switch/port1")
        .unwrap_or_else(|| panic!("{all:#?}\n{}", agent_log()));
    assert_eq!(port1["counter_bits"], 32);
    let sim = steps(&c, port1["id"].as_i64().unwrap());
    let rates: Vec<f64> = sim
        .iter()
        .filter_map(|s| f(&s["receive_bits_per_second"]))
        .collect();
    eprintln!("the wrapping counter's steps: {rates:?}");
    assert!(rates.len() >= 6, "{sim:#?}");
    // long enough to wrap (every 2^32 / SIM_RATE = 14.3 s) at least once
    let span: f64 = sim.iter().filter_map(|s| f(&s["seconds"])).sum();
    assert!(span > 15.0, "{span} s of steps: {sim:#?}");
    let want = SIM_RATE * 8.0;
    let mut sorted = rates.clone();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[sorted.len() / 2];
    assert!(
        (median - want).abs() / want < 0.02,
        "median {median} bit/s, want {want}"
    );
    for r in &rates {
        assert!(
            (r - want).abs() / want < 0.1,
            "a step of {r} bit/s, want {want}: {rates:?}"
        );
    }
    assert!(
        sim.iter().all(|s| s["reset_reason"] == ""),
        "every wrap is a wrap: {sim:#?}"
    );

    // 4. the collector stopped for two minutes: the agent keeps polling and spooling;
    // afterwards no poll is missing
    let t_stop = now();
    c.kill();
    std::thread::sleep(Duration::from_secs(120));
    c.start_again();
    let t_back = now();
    let s1 = steps_after(&c, ids.0, t_back + 2.0, Duration::from_secs(90));
    let times: Vec<f64> = s1
        .iter()
        .map(|s| f(&s["time_seconds"]).unwrap())
        .filter(|t| *t > t_stop - 10.0)
        .collect();
    let widest = times.windows(2).map(|w| w[1] - w[0]).fold(0.0, f64::max);
    eprintln!(
        "{} polls from 10 s before the stop to after the restart; the widest gap {widest:.1} s",
        times.len()
    );
    assert!(times.len() as f64 >= (t_back - t_stop) / EVERY, "{times:?}");
    assert!(
        widest <= 2.0 * EVERY + 1.0,
        "a gap of {widest} s: {times:?}"
    );
    assert!(
        s1.iter()
            .filter(|s| f(&s["time_seconds"]).unwrap() > t_stop)
            .all(|s| s["receive_bits_per_second"].is_number()),
        "every spooled step counts"
    );

    // 5. the metrics: totals that only grew, state and speed
    let m = c.metrics();
    let labels = "agency=\"dinkes\",site=\"kantor-dinkes\",device=\"lab-router\",interface=\"p1\"";
    let total = simpul_e2e::sample(
        &m,
        &format!("simpul_interface_receive_bytes_total{{{labels}}}"),
    )
    .unwrap_or_else(|| panic!("{m}"));
    assert!(total >= simpul_in, "{total} < {simpul_in}");
    assert_eq!(
        simpul_e2e::sample(&m, &format!("simpul_interface_up{{{labels}}}")),
        Some(1.0)
    );
    assert_eq!(
        simpul_e2e::sample(&m, &format!("simpul_interface_speed_bytes{{{labels}}}")),
        Some(1.25e9)
    );
    assert!(m.contains(
        "simpul_interface_errors_total{agency=\"dinkes\",site=\"kantor-dinkes\",device=\"wrap-switch\",interface=\"port1\",direction=\"receive\"} 0"
    ), "{m}");
    assert_eq!(
        simpul_e2e::sample(
            &m,
            "simpul_interface_poll_ok{agency=\"dinkes\",site=\"kantor-dinkes\",device=\"lab-router\"}"
        ),
        Some(1.0)
    );
    let _ = snmpd.kill();
    let _ = snmpd.wait();
    eprintln!("traffic test took {:?}", t_start.elapsed());
}
