//! The SLA, backups and LAN pages in a real headless Chromium, in Bahasa Indonesia and in
//! English (issue 22), at desktop and phone width: the language the user chose (the
//! switch on the page), nothing wider than a phone's screen, and screenshots
//! (`sla-id.png`, `sla-en-phone.png`, `backups-period-id.png`, `lan-agency-id.png`, ...)
//! in target/web-screenshots/ to look at.

#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]

use std::time::Duration;

use simpul_e2e::curl::{curl, login};
use simpul_e2e::{agent_id, checkin, lan, lan_device, report, send, Collector};

mod bilingual;
mod browser;

const SEED: &str = r#"
[[sla_classes]]
id = "colocation-gold"
name = "Colocation Gold"
target_percent = 99.9

[[sla_classes]]
id = "kantor"
name = "Layanan kantor"
target_percent = 99.5
business_hours = "Mon-Fri 07:30-16:00"

[[host_sla]]
agency = "dinkes"
host = "simpus-app-01"
sla = "colocation-gold"

[[host_sla]]
agency = "dinkes"
host = "simpus-db-01"
sla = "colocation-gold"

[[host_sla]]
agency = "diskominfo"
host = "portal-web-01"
sla = "kantor"

[[sites]]
id = "drc"
kind = "drc"

[[backups]]
id = "dinkes-simpus-db"
agency = "dinkes"
dataset = "Basis data SIMPUS"
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
id = "dinkes-simpus-drc"
agency = "dinkes"
dataset = "Salinan SIMPUS di DRC"
interval = "24h"
locations = ["drc"]

[[backups]]
id = "dinkes-foto"
agency = "dinkes"
dataset = "Foto kegiatan"
interval = "1h"
max_age = "24h"

[[backups]]
id = "diskominfo-portal"
agency = "diskominfo"
dataset = "Portal web"
interval = "24h"
"#;

const PW: &str = "budi password 2026";

/// A collector with SLA hosts (one with outages, one silent), backups in several
/// states with a restore test, and two versions of a LAN.
fn seeded() -> Collector {
    let c = Collector::start_full("organisation = \"Diskominfo Kabupaten Contoh\"\n", SEED);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
        .floor();
    let token = c.enrol("dinkes", "simpus-app-01", Some("pusat-data"));
    let id = agent_id(&token);
    for (seq, t) in [(1u64, now - 4000.0), (2, now - 3400.0), (3, now - 100.0)] {
        let mut r = report(&id, "simpus-app-01", seq);
        r["sample_time_seconds"] = t.into();
        r["uptime"]["boot_time_seconds"] = ((now - 9000.0) as u64).into();
        if seq == 3 {
            let ev = |ob: &str, age: f64| {
                serde_json::json!({"obligation": ob, "kind": "files", "latest_time_seconds": now - age,
                    "latest_size_bytes": 1_500_000_000u64, "latest_name": "x.tar", "count": 1,
                    "total_size_bytes": 1_500_000_000u64})
            };
            r["backups"] = serde_json::json!([
                ev("dinkes-simpus-drc", 600.0),
                ev("dinkes-foto", 3.0 * 3600.0)
            ]);
        }
        send(&c, &token, &r);
    }
    c.enrol("dinkes", "simpus-db-01", Some("pusat-data"));
    let portal = c.enrol("diskominfo", "portal-web-01", Some("pusat-data"));
    send(&c, &portal, &report(&agent_id(&portal), "portal-web-01", 1));

    checkin(
        &c,
        "dinkes-simpus-db",
        br#"{"status":"ok","size_bytes":5200000000}"#,
    );
    checkin(
        &c,
        "dinkes-simpus-db",
        br#"{"status":"ok","size_bytes":5400000000}"#,
    );
    checkin(
        &c,
        "dinkes-arsip",
        br#"{"status":"fail","message":"disk penuh"}"#,
    );
    let (_, admin, _) = c.cli(&["admin", "add", "--name", "Budi"]);
    let (code, out) = simpul_e2e::post(
        &c.url("/api/v1/backups/dinkes-simpus-db/restore-tests"),
        &[("authorization", &format!("Bearer {}", admin.trim()))],
        br#"{"who":"Rina (Seksi TIK)","result":"ok","notes":"dipulihkan ke VM uji, 1.204 tabel"}"#,
    );
    assert_eq!(code, 201, "{out}");

    let office = c.enrol("dinkes", "opd-agent", Some("kantor-dinkes"));
    let office_id = agent_id(&office);
    let sw = "mac:02:00:00:00:00:01";
    for (seq, hosts) in [(1u64, 3u32), (2, 5)] {
        let mut devices = vec![
            lan_device(sw, "switch", "sw-core-lt1"),
            lan_device("ip:10.20.0.250", "unknown", "printer-lt2"),
        ];
        let mut links = Vec::new();
        for n in 1..=hosts {
            let dev = format!("ip:10.20.0.{n}");
            devices.push(lan_device(&dev, "host", &format!("pc-tu-{n:02}")));
            links.push(serde_json::json!({"a": {"device": dev, "port": ""},
                "b": {"device": sw, "port": format!("Gi0/{n}")}, "source": "fdb"}));
        }
        let mut r = report(&office_id, "opd-agent", seq);
        r["lan"] = lan("10.20.0.0/24", devices);
        r["lan"]["topology"]["links"] = serde_json::json!(links);
        send(&c, &office, &r);
    }
    c.add_user("budi", &["--role", "admin"], PW);
    c
}

/// The pages shot, and the name of their screenshots.
fn pages(year: &str) -> Vec<(String, &'static str)> {
    vec![
        ("/sla".to_owned(), "sla"),
        ("/backups".to_owned(), "backups"),
        (format!("/backups?period={year}"), "backups-period"),
        ("/lan".to_owned(), "lan"),
        ("/lan/dinkes".to_owned(), "lan-agency"),
        (
            "/lan/dinkes?site=kantor-dinkes&from=1&to=2".to_owned(),
            "lan-diff",
        ),
    ]
}

#[tokio::test(flavor = "current_thread")]
async fn the_duty_pages_in_a_browser_in_both_languages() {
    let c = seeded();
    let (_, api) = simpul_e2e::get_json(&c.url("/api/v1/scorecard"));
    let year = api["period"].as_str().unwrap()[..4].to_owned();
    // the duty states of /lan are computed every few seconds
    simpul_e2e::wait_for("the LAN duty", Duration::from_secs(20), || {
        let (_, body) = simpul_e2e::get(&c.url("/api/v1/lan"));
        body.contains("kantor-dinkes").then_some(())
    });
    // budi chooses English first (the choice outlives the session)
    let cookie = login(&c, "budi", PW);
    let page = bilingual::read(&c, &cookie, bilingual::EN, "/sla", 200);
    let chose = curl(
        &c.url("/language"),
        "POST",
        &[&cookie],
        &format!("csrf={}&lang=en", bilingual::csrf(&page)),
    );
    assert_eq!(chose.status, 303);

    let dir = tempfile::tempdir().unwrap();
    let b = browser::Browser::start(dir.path()).await;
    b.login(&c, "budi", PW).await;
    for lang in ["en", "id"] {
        if lang == "id" {
            // the switch on the page itself
            b.client.goto(&c.url("/sla")).await.unwrap();
            b.click("form.language button").await;
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        for (width, height, suffix) in [(1280, 900, ""), (390, 844, "-phone")] {
            b.client.set_window_size(width, height).await.unwrap();
            for (path, name) in pages(&year) {
                b.client.goto(&c.url(&path)).await.unwrap();
                tokio::time::sleep(Duration::from_millis(150)).await;
                let html = b.client.source().await.unwrap();
                if lang == "id" {
                    bilingual::assert_indonesian(&path, &html);
                } else {
                    bilingual::assert_english(&path, &html);
                }
                let (scroll, inner) = b.widths().await;
                assert!(
                    scroll <= inner,
                    "{path} ({lang}) scrolls sideways at {width} px: {scroll} > {inner}"
                );
                // the whole page in the picture: as tall a window as the page, the LAN
                // diagram (70 % of the window's height) kept as tall as it was
                b.client
                    .execute(
                        "document.querySelectorAll('.diagram').forEach(d => d.style.height = d.getBoundingClientRect().height + 'px')",
                        vec![],
                    )
                    .await
                    .unwrap();
                b.shot_whole(&format!("{name}-{lang}{suffix}"), width, height)
                    .await;
            }
        }
    }
    // what a reader sees in each language
    b.client.set_window_size(1280, 900).await.unwrap();
    b.client.goto(&c.url("/sla")).await.unwrap();
    let text = b.text().await;
    for t in [
        "Ketersediaan layanan (SLA) server",
        "99,90 % per bulan",
        "masih berlangsung",
    ] {
        assert!(text.contains(t), "{t:?} not on /sla: {text}");
    }
    b.client.goto(&c.url("/backups")).await.unwrap();
    let text = b.text().await;
    for t in [
        "Cadangan data",
        "4,8 GiB → 5,0 GiB (+3,8 %)",
        "tugas pencadangan melaporkan kegagalan: disk penuh",
    ] {
        assert!(text.contains(t), "{t:?} not on /backups: {text}");
    }
    b.click("form.language button").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let text = b.text().await;
    assert!(
        text.contains("4.8 GiB → 5.0 GiB (+3.8 %)") && text.contains("Size trend"),
        "switched back to English: {text}"
    );
    b.client.clone().close().await.unwrap();
}
