//! Backup obligations end to end: a real agent's `files` probe reports the newest backup
//! of a directory; the collector shows each obligation's state (ok, wrong_place,
//! too_small, failed, never_seen) in the API, CSV and metrics.

#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]

use std::time::Duration;

use simpul_e2e::{get, request, start_agent, wait_for, Collector};

const OBLIGATIONS: &str = r#"
[[backups]]
id = "dinkes-simpus-db"
agency = "dinkes"
dataset = "SIMPUS database"
interval = "24h"
max_age = "36h"
min_size_bytes = 1048576
locations = ["pusat-data"]

[[backups]]
id = "dinkes-simpus-drc"
agency = "dinkes"
dataset = "SIMPUS database, DRC copy"
interval = "24h"
locations = ["drc"]

[[backups]]
id = "dinkes-arsip"
agency = "dinkes"
dataset = "Arsip surat"
interval = "7d"
min_size_bytes = 1073741824

[[backups]]
id = "dinkes-foto"
agency = "dinkes"
dataset = "Foto kegiatan"
interval = "24h"

[[backups]]
id = "diskominfo-web"
agency = "diskominfo"
dataset = "Website CMS"
interval = "24h"
"#;

#[test]
fn probe_evidence_gives_each_obligation_its_state() {
    let c = Collector::start_full("", OBLIGATIONS);
    let token = c.enrol("dinkes", "backup-01", Some("pusat-data"));
    let data = c.dir.path().join("srv");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("simpus-2026-11-22.sql.gz"), vec![1u8; 2 << 20]).unwrap();
    std::fs::write(data.join("arsip.tar"), vec![1u8; 4096]).unwrap();
    let probes = format!(
        "hostname = \"backup-01\"\nbackup_check_secs = 10\n\
         [[backups]]\nobligation = \"dinkes-simpus-db\"\nkind = \"files\"\npath = \"{0}/*.sql.gz\"\nchecksum = true\n\
         [[backups]]\nobligation = \"dinkes-simpus-drc\"\nkind = \"files\"\npath = \"{0}/*.sql.gz\"\n\
         [[backups]]\nobligation = \"dinkes-arsip\"\nkind = \"files\"\npath = \"{0}/*.tar\"\n\
         [[backups]]\nobligation = \"dinkes-foto\"\nkind = \"files\"\npath = \"{0}/missing/*.jpg\"\n",
        data.display()
    );
    let agent = start_agent(&c.dir.path().join("agent"), &c.url(""), &token, &probes);
    let rows = wait_for("backup evidence", Duration::from_secs(15), || {
        let (_, body) = get(&c.url("/api/v1/backups"));
        let v: serde_json::Value = serde_json::from_str(&body).ok()?;
        (v.as_array()?
            .iter()
            .filter(|r| r["state"] != "never_seen")
            .count()
            == 4)
            .then_some(v)
    });
    let state = |id: &str| {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap()
            .clone()
    };
    let db = state("dinkes-simpus-db");
    assert_eq!(db["state"], "ok", "{db}");
    assert_eq!(db["last_size_bytes"], 2 << 20);
    assert_eq!(db["last_name"], "simpus-2026-11-22.sql.gz");
    assert_eq!(db["last_host"], "backup-01");
    let sum = std::process::Command::new("sha256sum")
        .arg(data.join("simpus-2026-11-22.sql.gz"))
        .output()
        .unwrap();
    let sum = String::from_utf8(sum.stdout).unwrap();
    assert_eq!(
        db["last_checksum"],
        format!("sha256:{}", sum.split_whitespace().next().unwrap())
    );
    assert_eq!(db["size_trend"].as_array().unwrap().len(), 1, "{db}");
    assert_eq!(db["size_trend"][0]["size_bytes"], 2 << 20);
    assert_eq!(db["size_change_ratio"], serde_json::Value::Null);
    assert_eq!(
        state("dinkes-arsip")["last_checksum"],
        serde_json::Value::Null,
        "not asked for"
    );
    assert!(db["age_seconds"].as_f64().unwrap() < 60.0);
    assert_eq!(db["restore_test_state"], "never");
    assert_eq!(state("dinkes-simpus-drc")["state"], "wrong_place");
    assert!(state("dinkes-simpus-drc")["message"]
        .as_str()
        .unwrap()
        .contains("required: drc"));
    assert_eq!(state("dinkes-arsip")["state"], "too_small");
    let foto = state("dinkes-foto");
    assert_eq!(foto["state"], "failed", "{foto}");
    assert!(
        foto["message"].as_str().unwrap().contains("cannot read"),
        "{foto}"
    );
    assert_eq!(state("diskominfo-web")["state"], "never_seen");

    // time passes for the backup: 25 h old is late, 37 h old is missing
    let file = data.join("simpus-2026-11-22.sql.gz");
    for (age_h, want) in [(25, "late"), (37, "missing")] {
        let t = std::time::SystemTime::now() - Duration::from_secs(age_h * 3600);
        std::fs::File::options()
            .write(true)
            .open(&file)
            .unwrap()
            .set_modified(t)
            .unwrap();
        wait_for(want, Duration::from_secs(30), || {
            let (_, body) = get(&c.url("/api/v1/backups"));
            let v: serde_json::Value = serde_json::from_str(&body).ok()?;
            let r = v
                .as_array()?
                .iter()
                .find(|r| r["id"] == "dinkes-simpus-db")?
                .clone();
            (r["state"] == want).then_some(())
        });
    }
    drop(agent);

    let (code, body) = get(&c.url("/api/v1/agencies/dinkes/backups?format=csv"));
    assert_eq!(code, 200);
    assert!(body.starts_with("id,agency,dataset,state,"), "{body}");
    assert_eq!(body.lines().count(), 5, "{body}");
    let (code, _) = get(&c.url("/api/v1/backups?format=pdf"));
    assert_eq!(code, 400);
    let (code, body) = get(&c.url("/api/v1/agencies/dinsos/backups"));
    assert_eq!(code, 404, "{body}");

    // the metrics follow at the next duty tick (every 30 s, on the wall clock)
    let m = wait_for("backup metrics", Duration::from_secs(45), || {
        let m = c.metrics();
        (simpul_e2e::sample(
            &m,
            "simpul_backup_state{agency=\"dinkes\",obligation=\"dinkes-simpus-db\",state=\"missing\"}",
        ) == Some(1.0))
        .then_some(m)
    });
    assert!(
        m.contains("simpul_backup_size_bytes{agency=\"dinkes\",obligation=\"dinkes-simpus-db\"}"),
        "{m}"
    );
    assert_eq!(
        simpul_e2e::sample(
            &m,
            "simpul_backup_state{agency=\"diskominfo\",obligation=\"diskominfo-web\",state=\"never_seen\"}"
        ),
        Some(1.0)
    );
}

const CHECKIN: &str = r#"
[[backups]]
id = "dinkes-sik"
agency = "dinkes"
dataset = "SIK database (pg_dump job)"
interval = "24h"
min_size_bytes = 1000
evidence = "checkin"
"#;

fn state_of(c: &Collector, id: &str) -> serde_json::Value {
    state_list(c).into_iter().find(|r| r["id"] == id).unwrap()
}

#[test]
fn backup_jobs_check_in_with_their_own_token() {
    let c = Collector::start_full("", CHECKIN);
    let url = c.url("/api/v1/backups/dinkes-sik/checkin");
    let (code, token, err) = c.cli(&["backup", "token", "dinkes-sik"]);
    assert_eq!(code, 0, "{err}");
    let auth = format!("Bearer {}", token.trim());
    let post = |body: &str, auth: &str| {
        simpul_e2e::post(&url, &[("authorization", auth)], body.as_bytes())
    };
    assert_eq!(state_of(&c, "dinkes-sik")["state"], "never_seen");
    // wrong token, unknown obligation, negative size, oversized message, bad status
    // a wrong token and an unknown obligation get the same 404: a check-in tells
    // nobody which obligations exist
    let (code, wrong) = post(r#"{"status":"ok"}"#, "Bearer smb1_0000");
    assert_eq!(code, 404, "{wrong}");
    let (code, b) = simpul_e2e::post(
        &c.url("/api/v1/backups/nope/checkin"),
        &[("authorization", &auth)],
        br#"{"status":"ok"}"#,
    );
    assert_eq!(code, 404, "{b}");
    // unauthenticated enumeration of obligation ids through the check-in 404: the answer
    // names only the id asked for
    assert!(b.contains("no backup obligation"), "{b}");
    assert!(!b.contains("dinkes-sik"), "{b}");
    let (code, b) = post(r#"{"status":"ok","size_bytes":-5}"#, &auth);
    assert_eq!(code, 400, "{b}");
    let long = format!(r#"{{"status":"done","message":"{}"}}"#, "x".repeat(3000));
    let (code, b) = post(&long, &auth);
    assert_eq!(code, 422, "{b}");
    assert!(
        b.contains("\"field\":\"status\"") && b.contains("\"field\":\"message\""),
        "{b}"
    );
    assert_eq!(
        state_of(&c, "dinkes-sik")["state"],
        "never_seen",
        "nothing stored"
    );
    // a failed run, then a good one, then one too small
    assert_eq!(post(r#"{"status":"start"}"#, &auth).0, 201);
    assert_eq!(
        post(
            r#"{"status":"fail","message":"pg_dump: connection refused"}"#,
            &auth
        )
        .0,
        201
    );
    let s = state_of(&c, "dinkes-sik");
    assert_eq!(s["state"], "failed", "{s}");
    assert!(
        s["message"]
            .as_str()
            .unwrap()
            .contains("connection refused"),
        "{s}"
    );
    let (code, b) = post(
        r#"{"status":"ok","size_bytes":52428800,"checksum":"sha256:9f2c","duration_seconds":312.5}"#,
        &auth,
    );
    assert_eq!(code, 201, "{b}");
    let s = state_of(&c, "dinkes-sik");
    assert_eq!(s["state"], "ok", "{s}");
    assert_eq!(s["last_size_bytes"], 52428800);
    assert_eq!(post(r#"{"status":"ok","size_bytes":10}"#, &auth).0, 201);
    let s = state_of(&c, "dinkes-sik");
    assert_eq!(s["state"], "too_small");
    let sizes: Vec<_> = s["size_trend"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["size_bytes"].as_u64().unwrap())
        .collect();
    assert_eq!(sizes, [52_428_800, 10], "{s}");
    let change = s["size_change_ratio"].as_f64().unwrap();
    assert!(
        (change - (10.0 / 52_428_800.0 - 1.0)).abs() < 1e-12,
        "{change}"
    );
    // a new token replaces the old one
    let (_, token2, _) = c.cli(&["backup", "token", "dinkes-sik"]);
    assert_eq!(post(r#"{"status":"ok","size_bytes":5000}"#, &auth).0, 404);
    assert_eq!(
        post(
            r#"{"status":"ok","size_bytes":5000}"#,
            &format!("Bearer {}", token2.trim())
        )
        .0,
        201
    );
    assert_eq!(state_of(&c, "dinkes-sik")["state"], "ok");

    // restore tests: never -> ok (CLI) -> due (an old one recorded through the API)
    assert_eq!(state_of(&c, "dinkes-sik")["restore_test_state"], "never");
    let (code, _, err) = c.cli(&[
        "backup",
        "restore-test",
        "dinkes-sik",
        "--who",
        "Sari",
        "--result",
        "maybe",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("--result: must be ok or fail"), "{err}");
    let (code, _, err) = c.cli(&[
        "backup",
        "restore-test",
        "dinkes-sik",
        "--who",
        "Sari",
        "--result",
        "ok",
        "--notes",
        "restored to a scratch VM, 1,204 tables",
    ]);
    assert_eq!(code, 0, "{err}");
    let s = state_of(&c, "dinkes-sik");
    assert_eq!(s["restore_test_state"], "ok", "{s}");
    assert_eq!(s["restore_test_last"]["who"], "Sari");
    let rt = c.url("/api/v1/backups/dinkes-sik/restore-tests");
    let old = br#"{"who":"Budi","result":"ok","at":"2020-01-01T10:00:00+07:00"}"#;
    assert_eq!(
        simpul_e2e::post(&rt, &[("authorization", &auth)], old).0,
        403,
        "a check-in token cannot record tests"
    );
    let (_, admin, _) = c.cli(&["admin", "add", "--name", "Budi"]);
    let admin = format!("Bearer {}", admin.trim());
    let (code, b) = simpul_e2e::post(
        &rt,
        &[("authorization", &admin)],
        br#"{"who":"","result":"ok","at":"soon"}"#,
    );
    assert_eq!(code, 422, "{b}");
    assert!(
        b.contains("\"field\":\"who\"") && b.contains("\"field\":\"at\""),
        "{b}"
    );
    let (code, b) = simpul_e2e::post(
        &rt,
        &[("authorization", &admin)],
        br#"{"who":"Budi","result":"fail","notes":"dump unreadable"}"#,
    );
    assert_eq!(code, 201, "{b}");
    assert_eq!(
        state_of(&c, "dinkes-sik")["restore_test_state"],
        "due",
        "the newest test failed"
    );
    let (code, h) = get(&c.url("/api/v1/backups/dinkes-sik/history"));
    assert_eq!(code, 200);
    let h: serde_json::Value = serde_json::from_str(&h).unwrap();
    assert_eq!(h["checkins"].as_array().unwrap().len(), 5, "{h}");
    assert_eq!(h["checkins"][0]["size_bytes"], 5000);
    assert_eq!(h["restore_tests"].as_array().unwrap().len(), 2);
    assert_eq!(h["restore_tests"][0]["result"], "fail");
}

#[test]
fn admins_declare_obligations_through_the_api() {
    let mut c = Collector::start_full("", CHECKIN);
    let url = c.url("/api/v1/obligations");
    let (_, admin, _) = c.cli(&["admin", "add", "--name", "Budi"]);
    let admin = format!("Bearer {}", admin.trim());
    let send = |method: &str, path: &str, body: &str| {
        request(
            method,
            &format!("{url}{path}"),
            &[
                ("authorization", &admin),
                ("content-type", "application/json"),
            ],
            body.as_bytes(),
        )
    };
    let web = r#"{"id":"dinkes-web","agency":"dinkes","dataset":"Website","interval":"24h","min_size_bytes":1000,"evidence":"checkin"}"#;
    // no admin token; bad values, each named; unknown field; an id of collector.toml
    assert_eq!(simpul_e2e::post(&url, &[], web.as_bytes()).0, 401);
    let (code, b) = send(
        "POST",
        "",
        r#"{"id":"Dinkes Web","agency":"dinsos","dataset":"","interval":"daily","locations":["gedung-b"]}"#,
    );
    assert_eq!(code, 422, "{b}");
    for f in ["id", "agency", "dataset", "interval", "locations"] {
        assert!(b.contains(&format!("\"field\":\"{f}\"")), "{f}: {b}");
    }
    let (code, b) = send("POST", "", &web.replace("\"interval\"", "\"intervall\""));
    assert_eq!(code, 400, "{b}");
    assert!(b.contains("intervall"), "{b}");
    let (code, b) = send("POST", "", &web.replace("dinkes-web", "dinkes-sik"));
    assert_eq!(code, 409, "{b}");
    assert!(b.contains("collector.toml"), "{b}");
    let (code, _) = get(&url);
    assert_eq!(code, 200);
    assert!(
        state_list(&c).iter().all(|r| r["id"] != "dinkes-web"),
        "nothing stored"
    );

    // declared: listed, never_seen, its job gets a token and checks in
    let (code, b) = send("POST", "", web);
    assert_eq!(code, 201, "{b}");
    assert!(b.contains("Budi"), "{b}");
    assert_eq!(send("POST", "", web).0, 409, "declared twice");
    let (_, list) = get(&url);
    let list: serde_json::Value = serde_json::from_str(&list).unwrap();
    let sources: Vec<_> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            format!(
                "{}:{}",
                o["id"].as_str().unwrap(),
                o["source"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(sources, ["dinkes-sik:config", "dinkes-web:api"]);
    assert_eq!(state_of(&c, "dinkes-web")["state"], "never_seen");
    let (code, token, err) = c.cli(&["backup", "token", "dinkes-web"]);
    assert_eq!(code, 0, "{err}");
    let checkin = c.url("/api/v1/backups/dinkes-web/checkin");
    let auth = format!("Bearer {}", token.trim());
    let (code, b) = simpul_e2e::post(
        &checkin,
        &[("authorization", &auth)],
        br#"{"status":"ok","size_bytes":5000}"#,
    );
    assert_eq!(code, 201, "{b}");
    assert_eq!(state_of(&c, "dinkes-web")["state"], "ok");

    // PUT replaces (the id may be left out), keeps the evidence; mismatched ids and
    // obligations of the file are refused; PUT of a new id creates it
    let (code, b) = send(
        "PUT",
        "/dinkes-web",
        r#"{"agency":"dinkes","dataset":"Website","interval":"24h","min_size_bytes":10000,"evidence":"checkin"}"#,
    );
    assert_eq!(code, 200, "{b}");
    assert_eq!(state_of(&c, "dinkes-web")["state"], "too_small");
    let (code, b) = send(
        "PUT",
        "/dinkes-web",
        &web.replace("dinkes-web", "dinkes-www"),
    );
    assert_eq!(code, 422, "{b}");
    assert!(b.contains("\"field\":\"id\""), "{b}");
    assert_eq!(send("PUT", "/dinkes-sik", web).0, 409);
    let (code, b) = send(
        "PUT",
        "/dinkes-www",
        &web.replace("dinkes-web", "dinkes-www"),
    );
    assert_eq!(code, 201, "{b}");

    // they survive a restart
    c.stop();
    c.start_again();
    assert_eq!(state_of(&c, "dinkes-web")["state"], "too_small");
    assert_eq!(state_of(&c, "dinkes-www")["state"], "never_seen");

    // DELETE removes one of the API's, not one of the file's
    assert_eq!(send("DELETE", "/dinkes-sik", "").0, 409);
    assert_eq!(send("DELETE", "/dinkes-web", "").0, 204);
    assert_eq!(send("DELETE", "/dinkes-web", "").0, 404);
    assert!(state_list(&c).iter().all(|r| r["id"] != "dinkes-web"));
    let (code, b) = simpul_e2e::post(
        &checkin,
        &[("authorization", &auth)],
        br#"{"status":"ok","size_bytes":50000}"#,
    );
    assert_eq!(code, 404, "no check-ins for a removed obligation: {b}");
}

fn state_list(c: &Collector) -> Vec<serde_json::Value> {
    let (_, body) = get(&c.url("/api/v1/backups"));
    serde_json::from_str::<serde_json::Value>(&body)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

mod bilingual;

const PAGES: &str = r#"
[[sites]]
id = "drc"
kind = "drc"

[[backups]]
id = "dinkes-sik"
agency = "dinkes"
dataset = "SIK database"
interval = "24h"
min_size_bytes = 1000
evidence = "checkin"

[[backups]]
id = "dinkes-arsip"
agency = "dinkes"
dataset = "Arsip surat"
interval = "24h"
evidence = "checkin"

[[backups]]
id = "dinkes-dr"
agency = "dinkes"
dataset = "Salinan DR"
interval = "24h"
locations = ["drc"]

[[backups]]
id = "dinkes-late"
agency = "dinkes"
dataset = "Foto kegiatan"
interval = "1h"
max_age = "24h"

[[backups]]
id = "diskominfo-web"
agency = "diskominfo"
dataset = "Website CMS"
interval = "24h"
"#;

/// The backups page, its period view and its CSV in Bahasa Indonesia and in English
/// (issue 22): each state's word and explanation, sizes and their trend, restore tests;
/// bad parameters get their error page in the reader's language.
#[test]
fn the_backups_page_and_its_csv_in_both_languages() {
    use bilingual::{assert_english, assert_has, assert_indonesian, indonesian_csv, read, EN, ID};
    let c = Collector::start_full("", PAGES);
    simpul_e2e::checkin(&c, "dinkes-sik", br#"{"status":"ok","size_bytes":5000000}"#);
    simpul_e2e::checkin(&c, "dinkes-sik", br#"{"status":"ok","size_bytes":2500000}"#);
    simpul_e2e::checkin(
        &c,
        "dinkes-arsip",
        br#"{"status":"fail","message":"disk full"}"#,
    );
    // probed evidence: one in the wrong place, one late
    let token = c.enrol("dinkes", "backup-01", Some("pusat-data"));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    let mut r = simpul_e2e::report(&simpul_e2e::agent_id(&token), "backup-01", 1);
    let ev = |ob: &str, age: f64| {
        serde_json::json!({"obligation": ob, "kind": "files", "latest_time_seconds": now - age,
            "latest_size_bytes": 5000, "latest_name": "x.tar", "count": 1, "total_size_bytes": 5000})
    };
    r["backups"] = serde_json::json!([ev("dinkes-dr", 60.0), ev("dinkes-late", 7200.0)]);
    simpul_e2e::send(&c, &token, &r);
    let (_, admin, _) = c.cli(&["admin", "add", "--name", "Budi"]);
    let (code, out) = simpul_e2e::post(
        &c.url("/api/v1/backups/dinkes-sik/restore-tests"),
        &[("authorization", &format!("Bearer {}", admin.trim()))],
        br#"{"who":"Rina (Seksi TIK)","result":"ok","notes":"dipulihkan ke VM uji"}"#,
    );
    assert_eq!(code, 201, "{out}");
    let (budi, ani) = bilingual::two_users(&c);

    let page = read(&c, &budi, ID, "/backups", 200);
    assert_indonesian("/backups", &page);
    assert_has(
        "/backups",
        &page,
        &[
            "<title>Cadangan data · Simpul</title>",
            "<h2>Saat ini</h2>",
            "Kewajiban",
            "Tren ukuran",
            "Uji pemulihan",
            ">baik<",
            ">gagal<",
            ">salah lokasi<",
            ">terlambat<",
            ">belum pernah terlihat<",
            ">belum pernah<",
            "tugas pencadangan melaporkan kegagalan: disk full",
            "bukti dari backup-01 di lokasi &quot;pusat-data&quot;; seharusnya di drc",
            "cadangan terbaru berusia 2,0 jam, melebihi interval 1h",
            "belum ada bukti cadangan yang masuk",
            "4,8 MiB → 2,4 MiB (-50,0 %)",
            "(check-in dari 127.0.0.1)",
            "di backup-01",
            "(maks. 36,0 jam)",
            "yang lalu",
            "WIB",
            "Pilih periode untuk melihat",
        ],
    );
    let page = read(&c, &budi, EN, "/backups", 200);
    assert_english("/backups", &page);
    assert_has(
        "/backups",
        &page,
        &[
            "<h2>Now</h2>",
            "Size trend",
            ">wrong place<",
            "the job reported a failure: disk full",
            "evidence from backup-01 at site &quot;pusat-data&quot;; required: drc",
            "newest backup is 2.0 h old, more than interval 1h",
            "4.8 MiB → 2.4 MiB (-50.0 %)",
            "(check-in from 127.0.0.1)",
            "(max 36.0 h)",
        ],
    );

    // this year, month by month, with the restore test
    let (_, api) = simpul_e2e::get_json(&c.url("/api/v1/scorecard"));
    let year = api["period"].as_str().unwrap()[..4].to_owned();
    let path = format!("/backups?period={year}");
    let page = read(&c, &budi, ID, &path, 200);
    assert_indonesian(&path, &page);
    assert_has(
        &path,
        &page,
        &[
            &format!("<h2>Periode {year}</h2>"),
            "sampai sebelum",
            "Bulan",
            "Kegagalan",
            "setiap 24,0 jam",
            &format!("Uji pemulihan pada {year}"),
            ">berhasil<",
            "Rina (Seksi TIK)",
            &format!("Tidak ada uji pemulihan yang tercatat pada {year}."),
            &format!("{year} (tahun ini)"),
            "Saat ini saja",
        ],
    );
    let page = read(&c, &budi, EN, &path, 200);
    assert_has(
        &path,
        &page,
        &[&format!("<h2>In {year}</h2>"), ">ok<", "every 24.0 h"],
    );

    // the CSV for an Indonesian spreadsheet: its columns and words in Indonesian
    let csv = read(&c, &budi, ID, "/backups.csv", 200);
    let rows = indonesian_csv(&csv);
    assert_eq!(
        rows[0],
        [
            "Kewajiban",
            "Perangkat Daerah",
            "Data",
            "Status",
            "Usia (detik)",
            "Waktu cadangan terakhir",
            "Ukuran terakhir (byte)",
            "Asal cadangan terakhir",
            "Status uji pemulihan",
            "Keterangan",
            "Checksum terakhir",
            "Perubahan ukuran (%)"
        ]
    );
    let row = |id: &str| rows.iter().find(|r| r[0] == id).unwrap().clone();
    let sik = row("dinkes-sik");
    assert_eq!(
        (sik[3].as_str(), sik[8].as_str()),
        ("baik", "baik"),
        "{sik:?}"
    );
    assert_eq!(sik[7], "check-in dari 127.0.0.1");
    assert_eq!(sik[11], "-50,0");
    let arsip = row("dinkes-arsip");
    assert_eq!(arsip[3], "gagal");
    assert_eq!(
        arsip[9],
        "tugas pencadangan melaporkan kegagalan: disk full"
    );
    assert_eq!(row("dinkes-dr")[3], "salah lokasi");
    assert_eq!(row("diskominfo-web")[8], "belum pernah");
    // in English, the API's CSV
    let csv = read(&c, &budi, EN, "/backups.csv", 200);
    let (_, api) = get(&c.url("/api/v1/backups?format=csv"));
    assert_eq!(csv.lines().next(), api.lines().next());
    assert_eq!(csv.lines().count(), api.lines().count());
    assert!(
        csv.contains(",failed,,,,,never,the job reported a failure: disk full,,"),
        "{csv}"
    );

    // errors in the reader's language
    let bad = read(&c, &budi, ID, "/backups?period=2026-13", 400);
    assert_indonesian("/backups?period=2026-13", &bad);
    assert_has(
        "bad period",
        &bad,
        &["tidak dikenal: gunakan bulan TTTT-BB, triwulan TTTT-Qn, atau tahun TTTT"],
    );
    let bad = read(&c, &budi, EN, "/backups?period=2026-13", 400);
    assert_has(
        "bad period",
        &bad,
        &["must be a month YYYY-MM, a quarter YYYY-Qn or a year YYYY"],
    );
    let other = read(&c, &ani, ID, "/backups?agency=dinkes", 404);
    assert_indonesian("another agency", &other);
    assert_has(
        "another agency",
        &other,
        &["Perangkat Daerah ini tidak ditemukan."],
    );
    read(&c, &ani, ID, "/backups.csv?agency=dinkes", 404);
    let own = read(&c, &ani, ID, "/backups", 200);
    assert!(!own.contains("dinkes"), "{own}");
}
