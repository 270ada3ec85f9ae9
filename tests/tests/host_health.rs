//! Filesystem health, disk I/O, pressure and temperatures end to end (issue 25): the
//! real agent, run by the test in a private mount (and PID) namespace where the test
//! bind-mounts a directory it owns read-only, reports it; the collector's /metrics says
//! `simpul_host_filesystem_readonly ... 1` for it and 0 for `/`; the host page shows it
//! in Indonesian and English; `promtool check metrics` accepts every new family.

#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]

mod bilingual;

use std::process::Command;
use std::time::Duration;

use simpul_e2e::curl::login;
use simpul_e2e::{agent_id, bin, need, report, sample, send, wait_for, Collector, Proc};

const PW: &str = "kata-sandi-uji-25";

/// The agent inside `unshare` with its own mount namespace (private, so what `mounts`
/// (shell commands) mounts never reaches the host, and dies with it). With `own_pids`,
/// also a PID namespace with its own /proc, so that the agent, as PID 1 there, reads the
/// namespace's mount table from /proc/1/mounts (`--kill-child` takes it down with
/// `unshare`); without, it reads the host's, as under systemd.
fn agent_in_namespace(
    c: &Collector,
    host: &str,
    token: &str,
    mounts: &str,
    own_pids: bool,
) -> Proc {
    let dir = c.dir.path().join("agent");
    std::fs::create_dir_all(dir.join("state")).unwrap();
    let token_file = dir.join("agent.token");
    std::fs::write(&token_file, token).unwrap();
    let cfg = dir.join("agent.toml");
    std::fs::write(
        &cfg,
        format!(
            "collector_url = \"{}\"\ntoken_file = \"{}\"\ninterval_secs = 1\nretry_max_secs = 1\nhostname = \"{host}\"\nstate_dir = \"{}\"\n",
            c.url(""),
            token_file.display(),
            dir.join("state").display()
        ),
    )
    .unwrap();
    let script = format!(
        "set -e; {mounts}; exec '{agent}' run --config '{cfg}'",
        agent = bin("simpul-agent").display(),
        cfg = cfg.display()
    );
    let mut args = vec!["--mount", "--propagation", "private"];
    if own_pids {
        args.extend(["--pid", "--fork", "--mount-proc", "--kill-child"]);
    }
    args.extend(["sh", "-c", &script]);
    Proc::spawn(
        "simpul-agent in a private mount namespace",
        Command::new(need("unshare"))
            .args(&args)
            .env("SIMPUL_LOG", "debug"),
        dir.join("agent.log"),
    )
}

#[test]
fn a_read_only_bind_mount_shows_in_metrics_and_on_the_host_page() {
    let c = Collector::start("");
    let host = "db-arsip-01";
    let token = c.enrol("dinkes", host, Some("pusat-data"));
    let ro = c.dir.path().join("arsip-ro");
    std::fs::create_dir_all(&ro).unwrap();
    let mounts = format!(
        "mount --bind '{ro}' '{ro}'; mount -o remount,bind,ro '{ro}'",
        ro = ro.display()
    );
    let mut agent = agent_in_namespace(&c, host, &token, &mounts, true);

    let labels = format!("agency=\"dinkes\",site=\"pusat-data\",host=\"{host}\"");
    let ro_line = format!(
        "simpul_host_filesystem_readonly{{{labels},mountpoint=\"{}\",",
        ro.display()
    );
    let metrics = wait_for(
        "the read-only bind mount in /metrics",
        Duration::from_secs(20),
        || {
            if let Ok(Some(status)) = agent.child.try_wait() {
                panic!("the agent exited ({status}):\n{}", agent.output());
            }
            let m = c.metrics();
            (sample(&m, &ro_line).is_some()).then_some(m)
        },
    );
    assert_eq!(sample(&metrics, &ro_line), Some(1.0), "{metrics}");
    let root = format!("simpul_host_filesystem_readonly{{{labels},mountpoint=\"/\",");
    assert_eq!(
        sample(&metrics, &root),
        Some(0.0),
        "/ is writable: {metrics}"
    );
    let err = format!(
        "simpul_host_filesystem_device_error{{{labels},mountpoint=\"{}\",",
        ro.display()
    );
    assert_eq!(sample(&metrics, &err), Some(0.0));
    // the mount stayed in the agent's namespace: the test's own view is writable
    std::fs::write(ro.join("host-view"), "writable outside").unwrap();

    // disk I/O and pressure, where this machine has them; the busy ratio from the
    // agent's second sample on
    let physical = std::fs::read_dir("/sys/block")
        .map(|d| {
            d.filter_map(Result::ok)
                .any(|e| e.path().join("device").exists())
        })
        .unwrap_or(false);
    if physical {
        let busy = format!("simpul_host_disk_busy_ratio{{{labels},device=");
        let m = wait_for("a disk's busy ratio", Duration::from_secs(10), || {
            let m = c.metrics();
            sample(&m, &busy).is_some().then_some(m)
        });
        let b = sample(&m, &busy).unwrap();
        assert!((0.0..=1.0).contains(&b), "{b}");
        let reads = format!("simpul_host_disk_reads_completed_total{{{labels},device=");
        assert!(sample(&m, &reads).unwrap() > 0.0, "{m}");
    }
    if std::fs::read_to_string("/proc/pressure/cpu").is_ok() {
        let cpu = format!(
            "simpul_host_pressure_stalled_seconds_total{{{labels},resource=\"cpu\",kind=\"some\"}}"
        );
        assert!(sample(&metrics, &cpu).unwrap() > 0.0, "{metrics}");
    }

    // the host page, in both languages
    c.add_user("budi", &["--role", "admin"], PW);
    let cookie = login(&c, "budi", PW);
    let page = format!("/hosts/{}", agent_id(&token));
    let id = bilingual::read(&c, &cookie, bilingual::ID, &page, 200);
    bilingual::assert_indonesian(&page, &id);
    bilingual::assert_has(
        &page,
        &id,
        &["Kondisi", "hanya-baca", "WWN", &ro.display().to_string()],
    );
    if physical {
        bilingual::assert_has(&page, &id, &["I/O disk", "Sibuk"]);
    }
    let en = bilingual::read(&c, &cookie, bilingual::EN, &page, 200);
    bilingual::assert_english(&page, &en);
    bilingual::assert_has(&page, &en, &["Condition", "read-only"]);
    if physical {
        bilingual::assert_has(&page, &en, &["Disk I/O", "Busy"]);
    }

    // a second host (a recorded report) with a dead NFS share and temperatures, so that
    // every new family has samples for promtool
    let token2 = c.enrol("dinkes", "arsip-02", Some("pusat-data"));
    let mut r = report(&agent_id(&token2), "arsip-02", 1);
    r["health"]["filesystems"][0]["device_error"] = true.into();
    // sensor "temp1" (a sensor without a label): a real coretemp's "Package id 0" would
    // read as the English label "Package" to assert_indonesian, though it is data
    r["health"]["temperatures"] = serde_json::json!([
        {"chip": "coretemp", "sensor": "temp1", "celsius": 45.0, "max_celsius": 80.0, "crit_celsius": 100.0}
    ]);
    r["health"]["memory"]["estimated"] = true.into();
    send(&c, &token2, &r);
    let m = c.metrics();
    let l2 = "agency=\"dinkes\",site=\"pusat-data\",host=\"arsip-02\"";
    assert_eq!(
        sample(
            &m,
            &format!("simpul_host_filesystem_device_error{{{l2},mountpoint=\"/\",")
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(
            &m,
            &format!("simpul_host_filesystem_size_bytes{{{l2},mountpoint=\"/\",")
        ),
        None,
        "no sizes for a filesystem whose statvfs failed"
    );
    assert_eq!(
        sample(
            &m,
            &format!(
                "simpul_host_hwmon_temperature_celsius{{{l2},chip=\"coretemp\",sensor=\"temp1\"}}"
            )
        ),
        Some(45.0)
    );
    simpul_e2e::promtool_check_metrics(&m);
    let page2 = format!("/hosts/{}", agent_id(&token2));
    let id2 = bilingual::read(&c, &cookie, bilingual::ID, &page2, 200);
    bilingual::assert_indonesian(&page2, &id2);
    bilingual::assert_has(
        &page2,
        &id2,
        &["galat perangkat", "Suhu", "45,0 °C", "perkiraan"],
    );
    let en2 = bilingual::read(&c, &cookie, bilingual::EN, &page2, 200);
    bilingual::assert_has(&page2, &en2, &["device error", "Temperatures", "45.0 °C"]);

    drop(agent);
}

/// Regression (issue 25): under systemd's ProtectSystem=strict every mount is read-only
/// in the agent's own namespace, so statvfs says ST_RDONLY for `/` though the host's
/// root is writable. The flag must come from the host's mount table (pid 1's), or every
/// host would raise SimpulFilesystemReadOnly.
#[test]
fn a_read_only_view_in_the_agents_own_namespace_is_not_a_read_only_filesystem() {
    let c = Collector::start("");
    let host = "web-strict-01";
    let token = c.enrol("dinkes", host, Some("pusat-data"));
    let state = c.dir.path().join("agent/state");
    std::fs::create_dir_all(&state).unwrap();
    // as ProtectSystem=strict with a StateDirectory: / read-only, the state writable
    let mounts = format!(
        "mount -t tmpfs tmpfs '{}'; mount -o remount,bind,ro /",
        state.display()
    );
    let mut agent = agent_in_namespace(&c, host, &token, &mounts, false);
    let root = format!(
        "simpul_host_filesystem_readonly{{agency=\"dinkes\",site=\"pusat-data\",host=\"{host}\",mountpoint=\"/\","
    );
    let m = wait_for("/ in /metrics", Duration::from_secs(20), || {
        if let Ok(Some(status)) = agent.child.try_wait() {
            panic!("the agent exited ({status}):\n{}", agent.output());
        }
        let m = c.metrics();
        sample(&m, &root).is_some().then_some(m)
    });
    assert_eq!(sample(&m, &root), Some(0.0), "{m}");
    drop(agent);
}
