//! SLA end to end: a real agent heartbeating every second is killed for a measured time
//! and restarted; the collector's SLA report shows one outage of that length. Bad
//! queries get clear 4xx errors.

#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]

use std::time::{Duration, Instant};

use simpul_e2e::{get, start_agent, wait_for, Collector};

const SLA: &str = r#"
[[sla_classes]]
id = "colocation-gold"
target_percent = 99.9

[[sla_classes]]
id = "vps-quarterly"
target_percent = 99.5
period = "quarter"

[[host_sla]]
agency = "dinkes"
host = "web-01"
sla = "colocation-gold"

[[host_sla]]
agency = "dinkes"
host = "db-01"
sla = "vps-quarterly"
"#;

fn sla_json(c: &Collector, query: &str) -> (u16, serde_json::Value) {
    simpul_e2e::get_json(&c.url(&format!("/api/v1/sla{query}")))
}

#[test]
fn a_killed_agent_shows_as_one_outage_of_the_kill_time() {
    let c = Collector::start_full("", SLA);
    let token = c.enrol("dinkes", "web-01", Some("pusat-data"));
    // a host of a quarterly class that never reports: in the metrics by its quarter
    c.enrol("dinkes", "db-01", Some("pusat-data"));
    let dir = c.dir.path().join("agent");
    let mut agent = start_agent(&dir, &c.url(""), &token, "hostname = \"web-01\"");
    std::thread::sleep(Duration::from_secs(4));
    let _ = agent.child.kill(); // the host "dies": no clean stop, no last report
    let _ = agent.child.wait();
    let killed = Instant::now();
    std::thread::sleep(Duration::from_secs(6));
    let agent = start_agent(&dir, &c.url(""), &token, "hostname = \"web-01\"");
    let measured = killed.elapsed().as_secs_f64();
    std::thread::sleep(Duration::from_secs(3));
    drop(agent);

    let (code, r) = sla_json(&c, "");
    assert_eq!(code, 200, "{r}");
    let hosts = r["hosts"].as_array().unwrap();
    let h = hosts.iter().find(|h| h["host"] == "web-01").unwrap();
    assert_eq!(h["agency"], "dinkes");
    assert_eq!(h["target_ratio"], 0.999);
    assert_eq!(h["outages"].as_array().unwrap().len(), 1, "{h}");
    let outage = h["outages"][0]["seconds"].as_f64().unwrap();
    eprintln!("killed for {measured:.2} s; reported outage {outage:.2} s");
    // the outage runs from the last heartbeat before the kill to the first after the
    // restart: up to one interval (1 s) more than the kill, plus the new process's
    // start-up (its first CPU reading waits a short window) on a busy machine
    assert!(
        outage >= measured - 0.1 && outage <= measured + 2.0,
        "outage {outage} vs kill {measured}"
    );
    assert_eq!(h["outages"][0]["cause"], "missed_heartbeats");
    assert!(h["outages"][0]["start"]
        .as_str()
        .unwrap()
        .ends_with("+07:00"));
    let up = h["up_seconds"].as_f64().unwrap();
    let down = h["down_seconds"].as_f64().unwrap();
    assert!((down - outage).abs() < 1e-6);
    let ratio = h["availability_ratio"].as_f64().unwrap();
    assert!((ratio - up / (up + down)).abs() < 1e-9);
    assert_eq!(h["status"], "met", "{h}");
    assert_eq!(r["agencies"][0]["agency"], "dinkes");
    let db = hosts.iter().find(|h| h["host"] == "db-01").unwrap();
    assert_eq!(db["status"], "no_data", "{db}");
    assert_eq!(r["time_zone"], "Asia/Jakarta");

    // the same numbers offline, and as CSV
    let (code, out, err) = c.cli(&["sla", "report", "--format", "csv"]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<_> = out.lines().collect();
    assert!(
        lines[0].starts_with("period,agency,host,site,sla,target_percent"),
        "{out}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains(",dinkes,web-01,pusat-data,colocation-gold,99.900,")),
        "{out}"
    );
    let (code, body) = get(&c.url("/api/v1/agencies/dinkes/sla?format=csv"));
    assert_eq!(code, 200);
    assert_eq!(body.lines().count(), 3, "{body}");
    let (code, r) = sla_json(&c, "?period=2020-01");
    assert_eq!(code, 200);
    for h in r["hosts"].as_array().unwrap() {
        assert_eq!(
            h["availability_ratio"],
            serde_json::Value::Null,
            "no data before enrolment"
        );
        assert_eq!(h["status"], "no_data");
    }

    // /metrics carries the current month, refreshed every 30 s
    let labels = "{agency=\"dinkes\",site=\"pusat-data\",host=\"web-01\",sla=\"colocation-gold\",period=\"current_month\"}";
    let m = wait_for("SLA metrics", Duration::from_secs(45), || {
        let m = c.metrics();
        simpul_e2e::sample(&m, &format!("simpul_sla_availability_ratio{labels}")).map(|_| m)
    });
    assert_eq!(
        simpul_e2e::sample(&m, &format!("simpul_sla_target_ratio{labels}")),
        Some(0.999)
    );
    // how long the evaluation that produced them took: measured, so more than nothing
    let took = simpul_e2e::sample(&m, "simpul_duty_evaluation_seconds ").unwrap();
    assert!(took > 0.0 && took < 30.0, "{took}");
    assert_eq!(
        simpul_e2e::sample(&m, &format!("simpul_sla_breached{labels}")),
        Some(0.0)
    );
    let left = simpul_e2e::sample(
        &m,
        &format!("simpul_sla_downtime_budget_remaining_seconds{labels}"),
    )
    .unwrap();
    assert!(left > 0.0 && left < 2678.4, "{left}");
    // the quarterly class is measured over the current quarter, and says so
    let q = "{agency=\"dinkes\",site=\"pusat-data\",host=\"db-01\",sla=\"vps-quarterly\",period=\"current_quarter\"}";
    assert_eq!(
        simpul_e2e::sample(&m, &format!("simpul_sla_target_ratio{q}")),
        Some(0.995),
        "{m}"
    );
    let budget = simpul_e2e::sample(&m, &format!("simpul_sla_downtime_budget_seconds{q}")).unwrap();
    // 0.5 % of a quarter of 90 to 92 days
    assert!((38_879.9..=39_744.1).contains(&budget), "{budget}");
    assert!(
        !m.contains("host=\"db-01\",sla=\"vps-quarterly\",period=\"current_month\""),
        "a quarterly host is not also reported by month"
    );
}

#[test]
fn bad_sla_queries_name_the_problem() {
    let c = Collector::start_full("", SLA);
    for (q, field) in [
        ("?period=2026-13", "period"),
        ("?period=last-month", "period"),
        ("?format=xml", "format"),
        ("?month=2026-10", "month"),
    ] {
        let (code, r) = sla_json(&c, q);
        assert_eq!(code, 400, "{q}: {r}");
        assert_eq!(r["violations"][0]["field"], field, "{q}: {r}");
    }
    let (code, r) = sla_json(&c, "?period=2026-13");
    assert!(
        r["violations"][0]["rule"]
            .as_str()
            .unwrap()
            .contains("YYYY-MM"),
        "{code} {r}"
    );
    let (code, body) = get(&c.url("/api/v1/agencies/dinsos/sla"));
    assert_eq!(code, 404);
    assert!(
        body.contains("declared agencies: diskominfo, dinkes"),
        "{body}"
    );
    let (code, _, err) = c.cli(&["sla", "report", "--period", "Oktober"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("--period \"Oktober\": must be a month YYYY-MM"),
        "{err}"
    );
    wait_for("collector still serving", Duration::from_secs(2), || {
        (get(&c.url("/healthz")).0 == 200).then_some(())
    });
}

fn rfc3339(t: f64) -> String {
    let out = std::process::Command::new("date")
        .args(["-u", "-d", &format!("@{}", t as i64), "+%Y-%m-%dT%H:%M:%SZ"])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[test]
fn maintenance_declared_by_an_admin_is_not_downtime() {
    let c = Collector::start_full("", SLA);
    let token = c.enrol("dinkes", "web-01", Some("pusat-data"));
    let id = simpul_e2e::agent_id(&token);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
        .floor();
    // heartbeats at now-400 and now-100 (interval 30 s, grace 60 s): down for 300 s
    for (seq, t) in [(1u64, now - 400.0), (2, now - 100.0)] {
        let mut r = simpul_e2e::report(&id, "web-01", seq);
        r["sample_time_seconds"] = t.into();
        r["uptime"]["boot_time_seconds"] = ((now - 5000.0) as u64).into();
        simpul_e2e::send(&c, &token, &r);
    }
    let host = |c: &Collector| sla_json(c, "").1["hosts"][0].clone();
    let before = host(&c);
    assert_eq!(before["outages"][0]["seconds"], 300.0, "{before}");
    assert!(
        before["down_seconds"].as_f64().unwrap() > 300.0,
        "and down since now-40: {before}"
    );

    let url = c.url("/api/v1/maintenance");
    let window = serde_json::json!({
        "reason": "ganti UPS", "agency": "dinkes", "host": "web-01",
        "start": rfc3339(now - 450.0), "end": rfc3339(now + 3600.0)
    });
    let body = serde_json::to_vec(&window).unwrap();
    // no token, an agent's token: refused
    assert_eq!(simpul_e2e::post(&url, &[], &body).0, 401);
    let (code, b) = simpul_e2e::post(
        &url,
        &[("authorization", &format!("Bearer {token}"))],
        &body,
    );
    assert_eq!(code, 403, "{b}");
    let (code, admin, err) = c.cli(&["admin", "add", "--name", "Budi, NOC Diskominfo"]);
    assert_eq!(code, 0, "{err}");
    let auth = format!("Bearer {}", admin.trim());
    // bad windows: every problem named
    let bad = serde_json::json!({
        "reason": "", "agency": "dinsos", "host": "web-01",
        "start": rfc3339(now), "end": rfc3339(now - 60.0)
    });
    let (code, b) = simpul_e2e::post(
        &url,
        &[("authorization", &auth)],
        &serde_json::to_vec(&bad).unwrap(),
    );
    assert_eq!(code, 422, "{b}");
    let v: serde_json::Value = serde_json::from_str(&b).unwrap();
    let fields: Vec<_> = v["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["field"].as_str().unwrap())
        .collect();
    for f in ["reason", "end", "agency", "host"] {
        assert!(fields.contains(&f), "{f} not named in {b}");
    }
    let (code, b) = simpul_e2e::post(&url, &[("authorization", &auth)], b"{\"reason\": 1}");
    assert_eq!(code, 400, "{b}");
    // a good one
    let (code, b) = simpul_e2e::post(&url, &[("authorization", &auth)], &body);
    assert_eq!(code, 201, "{b}");
    let created: serde_json::Value = serde_json::from_str(&b).unwrap();
    assert!(
        created["created_by"].as_str().unwrap().contains("Budi"),
        "{b}"
    );
    let after = host(&c);
    assert_eq!(after["down_seconds"].as_f64().unwrap(), 0.0, "{after}");
    // the window began 50 s before the host's first heartbeat: only the monitored
    // part counts as maintenance (docs/sla.md)
    assert!(
        after["maintenance_seconds"].as_f64().unwrap() >= 400.0 - 1.0,
        "{after}"
    );
    assert!(
        after["monitored_from_seconds"]
            .as_f64()
            .is_some_and(|t| t >= now - 400.0),
        "measured from the first heartbeat (or the month's start, if later): {after}"
    );
    let (code, list) = get(&url);
    assert_eq!(code, 200);
    assert!(list.contains("ganti UPS"), "{list}");
    // deleting it brings the downtime back
    let del = simpul_e2e::request(
        "DELETE",
        &format!("{url}/{}", created["id"]),
        &[("authorization", &auth)],
        b"",
    );
    assert_eq!(del.0, 204, "{}", del.1);
    assert_eq!(host(&c)["outages"][0]["seconds"], 300.0);
}

mod bilingual;

/// The SLA page and its CSV in Bahasa Indonesia and in English (issue 22): a host with
/// an outage that ended and one still going on, a host that never reported, a class
/// with business hours; bad parameters get their error page in the reader's language.
#[test]
fn the_sla_page_and_its_csv_in_both_languages() {
    use bilingual::{assert_english, assert_has, assert_indonesian, indonesian_csv, read, EN, ID};
    let classes = format!(
        "{SLA}\n[[sla_classes]]\nid = \"kantor\"\nname = \"Layanan kantor\"\ntarget_percent = 99.5\n\
         business_hours = \"Mon-Fri 07:30-16:00\"\n"
    );
    let c = Collector::start_full("", &classes);
    let token = c.enrol("dinkes", "web-01", Some("pusat-data"));
    c.enrol("dinkes", "db-01", Some("pusat-data"));
    let id = simpul_e2e::agent_id(&token);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
        .floor();
    // heartbeats at now-400 and now-100 (interval 30 s, grace 60 s): an outage of
    // 300 s, and down again since now-40
    for (seq, t) in [(1u64, now - 400.0), (2, now - 100.0)] {
        let mut r = simpul_e2e::report(&id, "web-01", seq);
        r["sample_time_seconds"] = t.into();
        r["uptime"]["boot_time_seconds"] = ((now - 5000.0) as u64).into();
        simpul_e2e::send(&c, &token, &r);
    }
    let (budi, ani) = bilingual::two_users(&c);

    let id_page = read(&c, &budi, ID, "/sla", 200);
    assert_indonesian("/sla", &id_page);
    assert_has(
        "/sla",
        &id_page,
        &[
            "Ketersediaan layanan (SLA) server",
            "masih berjalan: dihitung sampai",
            "Kelas SLA:",
            "99,90 % per bulan",
            "99,50 % per triwulan",
            "jam kerja Sen-Jum 07:30-16:00",
            "<h2 id=\"agencies\">Perangkat Daerah</h2>",
            "Jatah waktu henti",
            "dipantau sejak",
            "(sinyal pertama)",
            "terpakai",
            "belum ada sinyal dari server ini: agennya belum pernah melapor",
            "<h2 id=\"outages\">Gangguan</h2>",
            "sinyal tidak diterima",
            "masih berlangsung",
            "5 menit",
            "WIB",
            "Unduh CSV",
        ],
    );
    let en_page = read(&c, &budi, EN, "/sla", 200);
    assert_english("/sla", &en_page);
    assert_has(
        "/sla",
        &en_page,
        &[
            "Server SLA",
            "in progress: evaluated to",
            "99.90 % per month",
            "business hours Mon-Fri 07:30-16:00",
            "Downtime budget",
            "no heartbeat from this host yet: its agent never reported",
            "missed heartbeats",
            "ongoing",
            "5 min",
            "Download CSV",
        ],
    );

    // the CSV: for an Indonesian spreadsheet, its columns and words in Indonesian
    let csv = read(&c, &budi, ID, "/sla.csv", 200);
    let rows = indonesian_csv(&csv);
    assert_eq!(
        rows[0][..7],
        [
            "Periode",
            "Perangkat Daerah",
            "Server",
            "Lokasi",
            "Kelas SLA",
            "Target (%)",
            "Ketersediaan (%)"
        ]
    );
    assert_eq!(rows[0].len(), 16);
    assert_eq!(rows[0][15], "Status");
    let web = rows.iter().find(|r| r[2] == "web-01").unwrap();
    assert_eq!(web[5], "99,900", "{web:?}");
    assert!(web[6].contains(','), "a decimal comma: {web:?}");
    assert!(
        ["terpenuhi", "dilanggar"].contains(&web[15].as_str()),
        "{web:?}"
    );
    let db = rows.iter().find(|r| r[2] == "db-01").unwrap();
    assert_eq!(db[15], "tanpa data");
    // in English, the API's CSV
    let csv = read(&c, &budi, EN, "/sla.csv", 200);
    let (_, api) = get(&c.url("/api/v1/sla?format=csv"));
    assert_eq!(csv.lines().next(), api.lines().next());
    assert_eq!(csv.lines().count(), api.lines().count());
    assert!(
        csv.contains(",web-01,pusat-data,colocation-gold,99.900,"),
        "{csv}"
    );

    // errors in the reader's language
    let bad = read(&c, &budi, ID, "/sla?period=2026-13", 400);
    assert_indonesian("/sla?period=2026-13", &bad);
    assert_has(
        "bad period",
        &bad,
        &["2026-13", "tidak dikenal: gunakan bulan TTTT-BB"],
    );
    let bad = read(&c, &budi, EN, "/sla?period=2026-13", 400);
    assert_has("bad period", &bad, &["must be a month YYYY-MM"]);
    let other = read(&c, &ani, ID, "/sla?agency=dinkes", 404);
    assert_indonesian("another agency", &other);
    assert_has(
        "another agency",
        &other,
        &["Perangkat Daerah ini tidak ditemukan."],
    );
    read(&c, &ani, ID, "/sla.csv?agency=dinkes", 404);
    // a period without hosts says so
    let empty = read(&c, &ani, ID, "/sla", 200);
    assert_has(
        "/sla of diskominfo",
        &empty,
        &["Belum ada server dengan kelas SLA"],
    );
}
