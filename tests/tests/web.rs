//! The web pages in a real headless Chromium (Debian's chromium + chromium-driver,
//! driven over WebDriver), against a collector seeded with 3 agencies, 20 hosts, backups
//! in several states, an SLA breach and two LAN versions: log in as admin and as an
//! agency user, visit every page, check what each may see, download the CSVs, click the
//! acknowledge button, inject script- and SQL-shaped search text; screenshots go to
//! target/web-screenshots/. Over plain HTTP with the session cookie: every page parses
//! as HTML5 without errors, no internal link is broken, CSRF and session fixation are
//! refused, and failed logins are throttled and counted.

#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]

use std::collections::{BTreeSet, VecDeque};
use std::process::Command;
use std::time::{Duration, Instant};

use fantoccini::Locator;

mod browser;
use browser::Browser;
use simpul_e2e::curl::{curl, login, login_token, Answer};
use simpul_e2e::{agent_id, checkin, lan, lan_device, report, send, Collector};

const SEED: &str = r#"
[[agencies]]
id = "bappeda"
name = "Badan Perencanaan Pembangunan Daerah"

[[sla_classes]]
id = "colocation-gold"
target_percent = 99.9

[[host_sla]]
agency = "dinkes"
host = "dinkes-db-01"
sla = "colocation-gold"

[[host_sla]]
agency = "diskominfo"
host = "diskominfo-srv-01"
sla = "colocation-gold"

[[backups]]
id = "dinkes-simpus"
agency = "dinkes"
dataset = "SIMPUS database"
interval = "24h"
evidence = "checkin"

[[backups]]
id = "dinkes-arsip"
agency = "dinkes"
dataset = "Arsip dokumen"
interval = "24h"
evidence = "checkin"

[[backups]]
id = "diskominfo-web"
agency = "diskominfo"
dataset = "Portal web"
interval = "24h"
min_size_bytes = 1000000
evidence = "checkin"

[[sites]]
id = "drc"
kind = "drc"

[[backups]]
id = "bappeda-late"
agency = "bappeda"
dataset = "Perencanaan"
interval = "1h"
max_age = "24h"
evidence = "probe"

[[backups]]
id = "bappeda-arsip"
agency = "bappeda"
dataset = "Arsip lama"
interval = "1h"
max_age = "2h"
evidence = "probe"

[[backups]]
id = "bappeda-dr"
agency = "bappeda"
dataset = "Salinan DR"
interval = "24h"
locations = ["drc"]
evidence = "probe"

[[backups]]
id = "bappeda-sipd"
agency = "bappeda"
dataset = "SIPD"
interval = "24h"
evidence = "checkin"
"#;

const ADMIN_PW: &str = "admin password 2026";
const AGENCY_PW: &str = "agency password 2026";

/// The seeded collector and the agent id of one dinkes host.
fn seeded() -> (Collector, String) {
    seeded_with("")
}

/// [`seeded`] with more top-level lines in collector.toml.
fn seeded_with(top: &str) -> (Collector, String) {
    let c = Collector::start_full(
        &format!("organisation = \"Diskominfo Kabupaten Contoh\"\n{top}"),
        SEED,
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    let mut dinkes_host = String::new();
    for (agency, n) in [("dinkes", 8), ("diskominfo", 7), ("bappeda", 5)] {
        for i in 1..=n {
            let host = match (agency, i) {
                ("dinkes", 1) => "dinkes-db-01".to_owned(),
                ("diskominfo", 1) => "diskominfo-srv-01".to_owned(),
                _ => format!("{agency}-web-{i:02}"),
            };
            let token = c.enrol(agency, &host, Some("pusat-data"));
            let id = agent_id(&token);
            let mut r = report(&id, &host, 1);
            if host == "dinkes-db-01" {
                // reported 2 h ago, then silent: down ever since, the SLA breached
                r["sample_time_seconds"] = serde_json::json!(now - 7200.0);
                r["uptime"] = serde_json::json!({"boot_time_seconds": (now as u64) - 9000, "uptime_seconds": 1800.0});
                dinkes_host = id.clone();
            }
            if host == "bappeda-web-01" {
                // probed backups: late, missing, and in the wrong place (not at the DRC)
                let ev = |ob: &str, age: f64| {
                    serde_json::json!({"obligation": ob, "kind": "files", "latest_time_seconds": now - age,
                        "latest_size_bytes": 5000, "latest_name": "x.tar", "count": 1, "total_size_bytes": 5000})
                };
                r["backups"] = serde_json::json!([
                    ev("bappeda-late", 7200.0),
                    ev("bappeda-arsip", 3.0 * 3600.0),
                    ev("bappeda-dr", 60.0)
                ]);
            }
            if host == "dinkes-web-02" {
                r["lan"] = lan(
                    "10.20.0.0/24",
                    vec![
                        lan_device("mac:02:00:00:00:00:01", "switch", "sw-core"),
                        lan_device("ip:10.20.0.7", "host", "pc-07"),
                    ],
                );
            }
            send(&c, &token, &r);
            if host == "dinkes-web-02" {
                // a second LAN version: one host more
                let mut r2 = report(&id, &host, 2);
                r2["lan"] = lan(
                    "10.20.0.0/24",
                    vec![
                        lan_device("mac:02:00:00:00:00:01", "switch", "sw-core"),
                        lan_device("ip:10.20.0.7", "host", "pc-07"),
                        lan_device("ip:10.20.0.9", "host", "pc-09"),
                    ],
                );
                send(&c, &token, &r2);
            }
        }
    }
    checkin(
        &c,
        "dinkes-simpus",
        br#"{"status":"ok","size_bytes":5000000}"#,
    );
    checkin(
        &c,
        "dinkes-arsip",
        br#"{"status":"fail","message":"disk full"}"#,
    );
    checkin(
        &c,
        "diskominfo-web",
        br#"{"status":"ok","size_bytes":5000}"#,
    );
    // bappeda-sipd: never seen
    c.add_user("budi", &["--role", "admin"], ADMIN_PW);
    c.add_user(
        "ani",
        &["--role", "agency", "--agency", "diskominfo"],
        AGENCY_PW,
    );
    (c, dinkes_host)
}

/// The counters of gw-dinkes (10.20.0.1) over the day before `now`, as the office agent
/// of dinkes reads them every minute (`POLLS` polls, sent in reports of 60 polls):
/// ether1 (100 Mbit/s) carries 15-45 Mbit/s in, a quarter of it out, with a burst of
/// 48 Mbit/s in minutes 600-609 and 3 input errors a minute in minutes 1200-1259; the
/// device restarts at minute `RESTART` (its counters start again near 0); ether2
/// (1 Gbit/s) carries 5 Mbit/s in and 2 out; ether3 is down. Returns the bytes in and
/// out that ether1's counted steps carried (the restart's step counts nothing) and the
/// highest rate of a counted step, bits per second.
const POLLS: u64 = 1440;
const RESTART: u64 = 1000;

fn ether1_in_bps(k: u64) -> f64 {
    if (600..610).contains(&k) {
        48e6
    } else {
        30e6 + 15e6 * (2.0 * std::f64::consts::PI * k as f64 / POLLS as f64).sin()
    }
}

fn seed_traffic(c: &Collector, now: f64) -> (u64, u64, f64) {
    let token = c.enrol("dinkes", "noc-dinkes", Some("kantor-dinkes"));
    let id = agent_id(&token);
    // the counters since the first poll: c[k] bytes (in, out) by poll k
    let mut cum = vec![(0u64, 0u64); POLLS as usize + 1];
    for k in 1..=POLLS as usize {
        let rin = (ether1_in_bps(k as u64) * 60.0 / 8.0) as u64;
        cum[k] = (cum[k - 1].0 + rin, cum[k - 1].1 + rin / 4);
    }
    let counter = |k: u64| -> (u64, u64) {
        let (i, o) = cum[k as usize];
        if k < RESTART {
            (7_000_000_000 + i, 9_000_000_000 + o)
        } else {
            let (ri, ro) = cum[RESTART as usize];
            (1000 + i - ri, 1000 + o - ro)
        }
    };
    let poll = |k: u64| {
        let time = now - (POLLS - k) as f64 * 60.0;
        let uptime = if k < RESTART {
            5_000_000 + k * 6000
        } else {
            (k - RESTART) * 6000 + 500
        };
        let (i, o) = counter(k);
        let errors = (k.clamp(1200, 1260) - 1200) * 3;
        serde_json::json!({"device": "10.20.0.1", "name": "gw-dinkes", "time_seconds": time,
            "duration_seconds": 0.05, "sys_uptime_ticks": uptime, "interfaces": [
            {"index": 1, "name": "ether1", "alias": "ke Pusat Data", "oper_status": 1,
             "speed_bps": 100_000_000u64, "counter_bits": 64, "in_octets": i, "out_octets": o,
             "in_errors": errors, "out_errors": 0, "in_discards": 0, "out_discards": 0},
            {"index": 2, "name": "ether2", "alias": "jaringan kantor", "oper_status": 1,
             "speed_bps": 1_000_000_000u64, "counter_bits": 64,
             "in_octets": 37_500_000 * k, "out_octets": 15_000_000 * k,
             "in_errors": 0, "out_errors": 0, "in_discards": 0, "out_discards": 0},
            {"index": 3, "name": "ether3", "alias": "", "oper_status": 2,
             "speed_bps": 100_000_000u64, "counter_bits": 64, "in_octets": 0, "out_octets": 0,
             "in_errors": 0, "out_errors": 0, "in_discards": 0, "out_discards": 0}]})
    };
    for (seq, chunk) in (0..=POLLS).collect::<Vec<_>>().chunks(60).enumerate() {
        let mut r = report(&id, "noc-dinkes", seq as u64 + 1);
        r["traffic"] = serde_json::Value::Array(chunk.iter().map(|k| poll(*k)).collect());
        send(c, &token, &r);
    }
    let (bytes_in, bytes_out) = (
        cum[RESTART as usize - 1].0 - cum[0].0 + cum[POLLS as usize].0 - cum[RESTART as usize].0,
        cum[RESTART as usize - 1].1 - cum[0].1 + cum[POLLS as usize].1 - cum[RESTART as usize].1,
    );
    let peak = (1..=POLLS)
        .filter(|k| *k != RESTART)
        .map(|k| {
            let (a, b) = (cum[k as usize - 1].0, cum[k as usize].0);
            (b - a) as f64 * 8.0 / 60.0
        })
        .fold(0.0, f64::max);
    (bytes_in, bytes_out, peak)
}

/// The id of interface `name` of gw-dinkes, from the API.
fn interface_id(c: &Collector, name: &str) -> i64 {
    let (code, list) = simpul_e2e::get_json(&c.url("/api/v1/interfaces"));
    assert_eq!(code, 200, "{list}");
    list["interfaces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["device_name"] == "gw-dinkes" && i["interface"] == name)
        .unwrap_or_else(|| panic!("{name} not in {list}"))["id"]
        .as_i64()
        .unwrap()
}

/// An HTTP client with a cookie jar of one session: logs in through the form.
struct Session {
    base: String,
    /// The session's `Cookie:` header.
    cookie: String,
}

impl Session {
    fn login(c: &Collector, name: &str, password: &str) -> Self {
        Self {
            base: c.url(""),
            cookie: login(c, name, password),
        }
    }

    fn get(&self, path: &str) -> (u16, String) {
        let a = self.get_raw(path);
        (a.status, a.body)
    }

    fn get_raw(&self, path: &str) -> Answer {
        curl(&format!("{}{path}", self.base), "GET", &[&self.cookie], "")
    }
}

/// HTML5 parse errors of a page (html5ever's tree builder reports them).
fn html_errors(html: &str) -> Vec<String> {
    use html5ever::tendril::TendrilSink;
    let dom = html5ever::parse_document(markup5ever_rcdom::RcDom::default(), Default::default())
        .one(html);
    let errors = dom.errors.borrow().iter().map(|e| e.to_string()).collect();
    errors
}

/// The internal links (href="/...") of a page.
fn links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|h| h.starts_with('/') && !h.starts_with("//"))
        .map(|h| h.replace("&amp;", "&"))
        .collect()
}

/// Crawls every page reachable from `/` (not the CSVs' content, but their status);
/// every page must answer 200, parse as HTML5 and take under `budget` server time.
fn crawl(s: &Session) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut queue = VecDeque::from(["/".to_owned()]);
    while let Some(p) = queue.pop_front() {
        if !seen.insert(p.clone()) || seen.len() > 400 {
            continue;
        }
        let Answer {
            status: code,
            body,
            location,
            ..
        } = s.get_raw(&p);
        if code == 303 {
            // a page that sends this user elsewhere (an agency user's /lan)
            let to = location.unwrap();
            assert!(
                to.starts_with('/') && to != "/login",
                "{p} redirects to {to}"
            );
            queue.push_back(to);
            continue;
        }
        assert_eq!(code, 200, "broken internal link {p}: {body}");
        if p.contains(".csv")
            || p.contains(".svg")
            || p.contains("format=xlsx")
            || p.contains("/reports/")
            || p.starts_with("/static/")
        {
            continue;
        }
        let errors = html_errors(&body);
        assert!(errors.is_empty(), "{p} is not valid HTML5: {errors:?}");
        for l in links(&body) {
            if !seen.contains(&l) {
                queue.push_back(l);
            }
        }
    }
    seen
}

/// Every backup state the collector knows.
fn backup_states() -> [&'static str; 7] {
    [
        "never_seen",
        "failed",
        "missing",
        "wrong_place",
        "too_small",
        "late",
        "ok",
    ]
}

#[tokio::test(flavor = "current_thread")]
async fn interface_pages_show_traffic_utilisation_errors_and_restarts() {
    use simpul_collector::i18n::{bits_per_second, bytes, percent, Lang};
    let c = Collector::start_full(
        "organisation = \"Diskominfo Kabupaten Contoh\"\ndefault_language = \"id\"\n",
        // the WAN link whose uplink is gw-dinkes ether1, contracted at 50 Mbit/s
        &format!(
            "{SEED}{}",
            simpul_e2e::dinkes_wan_link(50_000_000, "gw-dinkes")
        ),
    );
    c.add_user("budi", &["--role", "admin"], ADMIN_PW);
    c.add_user(
        "ani",
        &["--role", "agency", "--agency", "diskominfo"],
        AGENCY_PW,
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    let (bytes_in, bytes_out, peak) = seed_traffic(&c, now);
    let (ether1, ether2) = (interface_id(&c, "ether1"), interface_id(&c, "ether2"));
    let admin = Session::login(&c, "budi", ADMIN_PW);

    // the list: the uplink first, measured against its contract; the down port says so
    let (code, list) = admin.get("/interfaces");
    assert_eq!(code, 200, "{list}");
    let at = |needle: &str| {
        list.find(needle)
            .unwrap_or_else(|| panic!("{needle}: {list}"))
    };
    assert!(at(&format!("/interfaces/{ether1}\"")) < at(&format!("/interfaces/{ether2}\"")));
    assert!(
        list.contains("gw-dinkes") && list.contains(">mati<"),
        "{list}"
    );
    assert!(list.contains(" WIB"), "{list}");
    assert!(
        list.contains("kapasitas kontrak Dinkes - Pusat Data"),
        "{list}"
    );

    // one interface over 7 days (the whole seeded day): the volume its counted steps
    // carried, the busiest minute and its share of the 50 Mbit/s contract, the 180
    // errors, the restart
    let (code, page) = admin.get(&format!("/interfaces/{ether1}?range=7d"));
    assert_eq!(code, 200, "{page}");
    for want in [
        bytes(Lang::Id, bytes_in),
        bytes(Lang::Id, bytes_out),
        bits_per_second(Lang::Id, peak),
        percent(Lang::Id, peak / 50e6, 1),
        "kapasitas kontrak Dinkes - Pusat Data".to_owned(),
        "href=\"/links/dinkes-wan\"".to_owned(),
        "Penghitung dimulai ulang 1 kali".to_owned(),
        "<td>180</td>".to_owned(),
        "class=\"capacity\"".to_owned(),
        "class=\"peak\"".to_owned(),
    ] {
        assert!(
            page.contains(&want),
            "/interfaces/{ether1}?range=7d lacks {want:?}: {page}"
        );
    }
    assert_eq!(peak, 48e6);
    // the API's hourly buckets carry the same bytes and busiest minute as the polls
    let (code, hourly) = simpul_e2e::get_json(&c.url(&format!(
        "/api/v1/interfaces/{ether1}?range=7d&resolution=1h"
    )));
    assert_eq!(code, 200, "{hourly}");
    assert!(hourly.get("steps").is_none(), "{hourly}");
    let buckets = hourly["buckets"].as_array().unwrap();
    let sum = |k: &str| -> f64 { buckets.iter().filter_map(|b| b[k].as_f64()).sum() };
    assert!(
        (sum("receive_bytes") - bytes_in as f64).abs() < 1.0,
        "{hourly}"
    );
    assert!(
        (sum("transmit_bytes") - bytes_out as f64).abs() < 1.0,
        "{hourly}"
    );
    let busiest = buckets
        .iter()
        .filter_map(|b| b["peak_receive_bits_per_second"].as_f64())
        .fold(0.0, f64::max);
    assert_eq!(busiest, peak);
    assert_eq!(sum("resets"), 1.0, "{hourly}");
    let (code, bad) =
        simpul_e2e::get_json(&c.url(&format!("/api/v1/interfaces/{ether1}?resolution=10m")));
    assert_eq!(code, 400, "{bad}");
    assert!(bad.to_string().contains("poll, 5m or 1h"), "{bad}");
    simpul_e2e::lang::assert_indonesian("/interfaces/{id}", &page);
    // English when the browser asks for it
    let en = curl(
        &c.url(&format!("/interfaces/{ether1}?range=7d")),
        "GET",
        &[&admin.cookie, "Accept-Language: en-US"],
        "",
    );
    assert!(
        en.body.contains("<html lang=\"en\">")
            && en.body.contains(&bytes(Lang::En, bytes_in))
            && en.body.contains("The counters restarted once"),
        "{}",
        en.body
    );

    // bad input names what is wrong and what is valid
    for (path, code, words) in [
        ("/interfaces/999999".to_owned(), 404, "Antarmuka tidak ada"),
        ("/interfaces/abc".to_owned(), 404, "Antarmuka tidak ada"),
        (format!("/interfaces/{ether1}?range=2d"), 400, "2d"),
        (
            "/interfaces?window=5m".to_owned(),
            400,
            "gunakan 1h atau 1d",
        ),
    ] {
        let (got, body) = admin.get(&path);
        assert_eq!(got, code, "{path}: {body}");
        assert!(body.contains(words), "{path}: {body}");
    }
    // an agency user sees neither another agency's interfaces nor their pages
    let ani = Session::login(&c, "ani", AGENCY_PW);
    let (code, theirs) = ani.get("/interfaces");
    assert_eq!(code, 200);
    assert!(!theirs.contains("gw-dinkes"), "{theirs}");
    assert_eq!(ani.get(&format!("/interfaces/{ether1}")).0, 404);

    // in a real browser, both languages, desktop and phone: nothing scrolls sideways
    let dir = tempfile::tempdir().unwrap();
    for lang in ["id-ID", "en-US"] {
        let b = Browser::start_in(dir.path(), lang).await;
        b.login(&c, "budi", ADMIN_PW).await;
        let short = &lang[..2];
        for (width, suffix) in [(1280, ""), (390, "-phone")] {
            b.client.set_window_size(width, 900).await.unwrap();
            for (path, name) in [
                ("/interfaces".to_owned(), "traffic-list"),
                (format!("/interfaces/{ether1}"), "traffic-interface-1d"),
                (
                    format!("/interfaces/{ether1}?range=7d"),
                    "traffic-interface-7d",
                ),
            ] {
                b.client.goto(&c.url(&path)).await.unwrap();
                tokio::time::sleep(Duration::from_millis(200)).await;
                if suffix == "-phone" {
                    let (scroll, inner) = b.widths().await;
                    assert!(
                        scroll <= inner,
                        "{path} scrolls sideways on a phone: {scroll} > {inner}"
                    );
                }
                b.shot(&format!("{name}-{short}{suffix}")).await;
            }
        }
    }
}

#[tokio::test(flavor = "current_thread")]
async fn pages_in_a_real_browser_for_admin_and_agency_users() {
    let (c, dinkes_host) = seeded();
    // the SLA, backup and LAN states the scorecard shows are computed every 30 s
    let admin = Session::login(&c, "budi", ADMIN_PW);
    let t0 = Instant::now();
    loop {
        let (_, body) = admin.get("/");
        if body.contains("breached") && body.contains("changed") && body.contains("failed") {
            break;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "scorecard not seeded: {body}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }

    // the agency page answers "what does this agency still owe?" first, duty by duty
    let (code, page) = admin.get("/agencies/dinkes");
    assert_eq!(code, 200);
    let owed = page
        .split("What this agency still owes")
        .nth(1)
        .and_then(|rest| rest.split("<ul class=\"summary\">").next())
        .unwrap_or_else(|| panic!("no 'still owes' list: {page}"));
    for duty in [
        "Server SLA",
        "1 server breached this period",
        "Backups fresh",
        "LAN changes",
    ] {
        assert!(
            owed.contains(duty),
            "{duty} not among what dinkes owes: {owed}"
        );
    }

    // every page valid, every internal link alive, and fast
    let pages = crawl(&admin);
    for p in [
        "/",
        "/sla",
        "/backups",
        "/inventory",
        "/lan",
        "/lan/dinkes",
        "/agencies/dinkes",
    ] {
        assert!(pages.contains(p), "{p} not reachable: {pages:?}");
    }
    assert!(pages.iter().any(|p| p.starts_with("/hosts/")), "{pages:?}");
    eprintln!("crawled {} pages as admin", pages.len());

    // CSVs match the API's (ages are in whole seconds: two reads can straddle a second,
    // so a mismatch is read again before it counts)
    for (page, api) in [
        ("/backups.csv", "/api/v1/backups?format=csv"),
        ("/sla.csv", "/api/v1/sla?format=csv"),
    ] {
        let mut tries = 0;
        loop {
            let (code, csv) = admin.get(page);
            assert_eq!(code, 200);
            let (code, from_api) = simpul_e2e::get(&c.url(api));
            assert_eq!(code, 200);
            tries += 1;
            if csv == from_api || tries == 3 {
                assert_eq!(csv, from_api, "{page}");
                break;
            }
        }
    }

    // backups in every state
    let (_, page) = admin.get("/backups");
    for state in backup_states() {
        assert!(
            page.contains(&format!(">{}<", state.replace('_', " "))),
            "{state} missing on /backups"
        );
    }

    let dir = tempfile::tempdir().unwrap();
    let b = Browser::start(dir.path()).await;
    b.login(&c, "budi", ADMIN_PW).await;
    let text = b.text().await;
    for name in [
        "Dinas Kesehatan",
        "Dinas Komunikasi dan Informatika",
        "Badan Perencanaan Pembangunan Daerah",
    ] {
        assert!(text.contains(name), "{name} missing: {text}");
    }
    let dinkes_row = b
        .client
        .find(Locator::XPath("//tr[th//a[@href='/agencies/dinkes']]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(dinkes_row.contains("breached"), "{dinkes_row}");
    assert!(dinkes_row.contains("failed"), "{dinkes_row}");
    b.shot("scorecard-admin").await;
    // on a phone (390 px): one card per row, nothing wider than the screen
    b.client.set_window_size(390, 844).await.unwrap();
    for (path, shot) in [
        ("/sla", "sla-phone"),
        ("/backups", "backups-phone"),
        ("/agencies/dinkes", "agency-phone"),
        ("/inventory", "inventory-phone"),
        ("/", "scorecard-phone"),
    ] {
        b.client.goto(&c.url(path)).await.unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
        let (scroll, inner) = b.widths().await;
        assert!(
            scroll <= inner,
            "{path} scrolls sideways on a phone: {scroll} > {inner}"
        );
        b.shot(shot).await;
    }
    // the LAN diagram on a phone: two fingers moving apart zoom in, around their middle
    b.client.goto(&c.url("/lan/dinkes")).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let probe = "var b = document.querySelector('.diagram'), r = b.getBoundingClientRect(), v = b.querySelector('svg').viewBox.baseVal; return [r.left + r.width / 2, r.top + r.height / 2, v.width];";
    let before = b.client.execute(probe, vec![]).await.unwrap();
    let (cx, cy, width) = (
        before[0].as_f64().unwrap(),
        before[1].as_f64().unwrap(),
        before[2].as_f64().unwrap(),
    );
    let finger = |name: &str, from: f64, to: f64| {
        use fantoccini::actions::{InputSource, PointerAction, TouchActions};
        TouchActions::new(name.into())
            .then(PointerAction::MoveTo {
                duration: None,
                x: cx + from,
                y: cy,
            })
            .then(PointerAction::Down { button: 0 })
            .then(PointerAction::MoveTo {
                duration: Some(Duration::from_millis(300)),
                x: cx + to,
                y: cy,
            })
            .then(PointerAction::Up { button: 0 })
    };
    b.client
        .perform_actions(
            fantoccini::actions::Actions::from(finger("one", -20.0, -80.0))
                .and(finger("two", 20.0, 80.0)),
        )
        .await
        .unwrap();
    let after = b.client.execute(probe, vec![]).await.unwrap()[2]
        .as_f64()
        .unwrap();
    assert!(
        after < width * 0.6,
        "a pinch zooms the diagram in: its view was {width} wide, now {after}"
    );
    b.shot("lan-pinched-phone").await;
    // on paper: every supervisor page fits the width of A4 landscape (273 mm between
    // 12 mm margins: 1032 CSS px, plus the screen's scroll bar), and prints with the
    // organisation, title and time on top
    b.client.set_window_size(1047, 1000).await.unwrap();
    for path in ["/", "/sla", "/backups", "/agencies/dinkes", "/inventory"] {
        b.client.goto(&c.url(path)).await.unwrap();
        // the print stylesheet applied on screen (what the browser does on paper)
        let w = b
            .client
            .execute(
                "for (const sheet of document.styleSheets) {
                   for (const rule of sheet.cssRules) {
                     if (rule.media && rule.media.mediaText === 'print') { rule.media.mediaText = 'all'; }
                   }
                 }
                 return [document.documentElement.scrollWidth, document.documentElement.clientWidth]",
                vec![],
            )
            .await
            .unwrap();
        let (scroll, width) = (w[0].as_f64().unwrap(), w[1].as_f64().unwrap());
        assert!(
            scroll <= width.max(1032.0),
            "{path} is wider than A4: {scroll} > {width} px"
        );
    }
    b.client.goto(&c.url("/")).await.unwrap();
    let pdf = b
        .client
        .print(
            fantoccini::wd::PrintConfiguration::builder()
                .orientation(fantoccini::wd::PrintOrientation::Landscape)
                .shrink_to_fit(false)
                .build()
                .unwrap(),
        )
        .await
        .unwrap();
    let pdf_path = b.shots.join("scorecard-print.pdf");
    std::fs::write(&pdf_path, &pdf).unwrap();
    let text = std::process::Command::new(simpul_e2e::need("pdftotext"))
        .args(["-layout", pdf_path.to_str().unwrap(), "-"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for needle in [
        "Diskominfo Kabupaten Contoh",
        "Compliance scorecard",
        "Printed",
        "WIB",
        "Dinas Kesehatan",
        "server breached this",
    ] {
        assert!(
            words.contains(needle),
            "{needle} not on the printed scorecard: {text}"
        );
    }
    assert!(!text.contains('↕'), "sort arrows on paper: {text}");
    b.client.set_window_size(1280, 800).await.unwrap();

    // sort by a column with the keyboard-accessible header button
    b.click("#scorecard thead th:first-child button").await;

    for (path, name) in [
        ("/agencies/dinkes", "agency"),
        (&format!("/hosts/{dinkes_host}") as &str, "host"),
        ("/sla", "sla"),
        ("/backups", "backups"),
        ("/inventory", "inventory"),
    ] {
        b.client.goto(&c.url(path)).await.unwrap();
        b.shot(name).await;
    }
    b.client
        .goto(&c.url(&format!("/hosts/{dinkes_host}")))
        .await
        .unwrap();
    assert!(b.text().await.contains("CPU busy"));

    // the LAN page: two versions, the second unacknowledged; acknowledge it
    b.client.goto(&c.url("/lan/dinkes")).await.unwrap();
    let text = b.text().await;
    assert!(text.contains("unacknowledged"), "{text}");
    b.shot("lan-before-ack").await;
    b.click("form.ack button").await;
    let t0 = Instant::now();
    loop {
        let text = b.text().await;
        if text.contains("budi (web)") && !text.contains("unacknowledged") {
            break;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(10),
            "not acknowledged: {text}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    b.shot("lan-after-ack").await;
    // and the diff between the versions
    b.client
        .goto(&c.url("/lan/dinkes?from=1&to=2"))
        .await
        .unwrap();
    assert!(b.text().await.contains("+ device pc-09"));
    // drawn on the diagram (issue 23): the new host outlined in green, the legend
    // saying what green and red mean
    let added = b
        .client
        .find(Locator::Css(".diagram g[data-change=added] rect"))
        .await
        .unwrap();
    assert_eq!(
        added.attr("stroke").await.unwrap().as_deref(),
        Some("#2e7d32")
    );
    assert!(b.text().await.contains("+ device pc-09"));
    b.shot("lan-diff").await;

    // script- and SQL-shaped search text is shown as text, nothing runs
    let evil = "<script>alert(1)</script>' OR 1=1 --\"><img src=x onerror=alert(2)>";
    for page in ["/", "/inventory"] {
        b.client.goto(&c.url(page)).await.unwrap();
        let q = b.client.find(Locator::Css("input#q")).await.unwrap();
        q.send_keys(evil).await.unwrap();
        b.click("form.filters button[type=submit]").await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(
            b.client.get_alert_text().await.is_err(),
            "a script ran on {page}"
        );
        let note = b
            .client
            .find(Locator::Css("p.note"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            note.contains(evil),
            "{page}: the text is shown as typed: {note}"
        );
        let scripts = b
            .client
            .execute("return document.querySelectorAll('script').length + document.querySelectorAll('img').length", vec![])
            .await
            .unwrap();
        assert_eq!(
            scripts,
            serde_json::json!(1),
            "{page}: only the page's own script"
        );
    }
    b.shot("search-escaped").await;

    // log out (a CSRF-protected form), then the agency user
    b.click("form.logout button").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    b.client.goto(&c.url("/")).await.unwrap();
    assert_eq!(
        b.client.current_url().await.unwrap().path(),
        "/login",
        "logged out"
    );
    b.login(&c, "ani", AGENCY_PW).await;
    let text = b.text().await;
    assert!(text.contains("Dinas Komunikasi dan Informatika"), "{text}");
    for other in ["Dinas Kesehatan", "Badan Perencanaan", "dinkes", "bappeda"] {
        assert!(
            !text.contains(other),
            "the agency user sees {other}: {text}"
        );
    }
    b.shot("scorecard-agency").await;
    b.client.goto(&c.url("/agencies/dinkes")).await.unwrap();
    assert!(b.text().await.contains("Not found"));
    b.client.clone().close().await.unwrap();

    // the agency user, over HTTP: other agencies' objects are 404, exports hold only theirs
    let ani = Session::login(&c, "ani", AGENCY_PW);
    for path in [
        "/agencies/dinkes".to_owned(),
        format!("/hosts/{dinkes_host}"),
        "/lan/dinkes".to_owned(),
        "/backups?agency=dinkes".to_owned(),
        "/backups.csv?agency=dinkes".to_owned(),
        "/sla.csv?agency=dinkes".to_owned(),
        "/inventory.csv?agency=dinkes".to_owned(),
    ] {
        assert_eq!(ani.get(&path).0, 404, "{path}");
    }
    for path in [
        "/scorecard.csv",
        "/backups.csv",
        "/sla.csv",
        "/inventory.csv",
    ] {
        let (code, csv) = ani.get(path);
        assert_eq!(code, 200);
        assert!(csv.contains("diskominfo"), "{path}: {csv}");
        assert!(
            !csv.contains("dinkes") && !csv.contains("bappeda"),
            "{path}: {csv}"
        );
    }
    let pages = crawl(&ani);
    assert!(
        pages
            .iter()
            .all(|p| !p.contains("dinkes") && !p.contains("bappeda")),
        "{pages:?}"
    );

    // the JSON API: a login or a user API token; an agency user reads only their agency
    let (code, _) = simpul_e2e::get_anonymous(&c.url("/api/v1/hosts"));
    assert_eq!(code, 401);
    let Answer {
        status: code, body, ..
    } = curl(&c.url("/api/v1/hosts"), "GET", &[&admin.cookie], "");
    assert_eq!(code, 200, "the pages' session reads the API");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&body)
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        20
    );
    let (code, token, err) = c.cli(&["user", "token", "ani"]);
    assert_eq!(code, 0, "{err}");
    let bearer = format!("Bearer {}", token.trim());
    let api =
        |path: &str| simpul_e2e::request("GET", &c.url(path), &[("authorization", &bearer)], b"");
    let (code, body) = api("/api/v1/hosts");
    assert_eq!(code, 200);
    let hosts: Vec<serde_json::Value> = serde_json::from_str(&body).unwrap();
    assert_eq!(hosts.len(), 7, "only diskominfo's hosts: {body}");
    assert!(hosts.iter().all(|h| h["agency"] == "diskominfo"));
    for path in [
        format!("/api/v1/hosts/{dinkes_host}"),
        "/api/v1/agencies/dinkes/lan".to_owned(),
        "/api/v1/agencies/dinkes/lan.svg".to_owned(),
        "/api/v1/agencies/dinkes/backups".to_owned(),
        "/api/v1/agencies/dinkes/sla".to_owned(),
        "/api/v1/backups/dinkes-simpus/history".to_owned(),
    ] {
        assert_eq!(api(&path).0, 404, "{path}");
    }
    for path in [
        "/api/v1/backups?format=csv",
        "/api/v1/sla?format=csv",
        "/api/v1/lan?format=csv",
        "/api/v1/obligations",
    ] {
        let (code, body) = api(path);
        assert_eq!(code, 200, "{path}");
        assert!(
            !body.contains("dinkes") && !body.contains("bappeda"),
            "{path}: {body}"
        );
    }

    // CSRF: a state-changing form without the session's token is refused
    let code = curl(
        &c.url("/lan/dinkes/ack"),
        "POST",
        &[&admin.cookie],
        "site=&version=2",
    )
    .status;
    assert_eq!(code, 403);
    let code = curl(&c.url("/logout"), "POST", &[&admin.cookie], "x=1").status;
    assert_eq!(code, 403);
    let code = curl(&c.url("/login"), "POST", &[], "name=budi&password=x").status;
    assert_eq!(code, 403, "the login form needs its token too");

    // session fixation: a session id planted before login is never used
    let planted = "a".repeat(64);
    let login = login_token(&c);
    let a = curl(
        &c.url("/login"),
        "POST",
        &[&format!(
            "Cookie: simpul_session={planted}; simpul_login={login}"
        )],
        &format!(
            "name=budi&password={}&login_csrf={login}",
            ADMIN_PW.replace(' ', "+")
        ),
    );
    assert_eq!(a.status, 303);
    let fresh = a.cookie("simpul_session");
    assert_ne!(fresh, planted);
    let code = curl(
        &c.url("/"),
        "GET",
        &[&format!("Cookie: simpul_session={planted}")],
        "",
    )
    .status;
    assert_eq!(code, 303, "the planted id is not a session");

    // failed logins: throttled after 5 for one name, and counted
    let mut codes = Vec::new();
    for _ in 0..7 {
        let login = login_token(&c);
        let code = curl(
            &c.url("/login"),
            "POST",
            &[&format!("Cookie: simpul_login={login}")],
            &format!("name=ghost&password=wrong&login_csrf={login}"),
        )
        .status;
        codes.push(code);
    }
    assert_eq!(&codes[..5], &[401; 5], "{codes:?}");
    assert_eq!(codes[6], 429, "{codes:?}");
    let m = c.metrics();
    assert!(
        simpul_e2e::sample(&m, "simpul_web_login_attempts_total{result=\"failed\"}").unwrap()
            >= 5.0
            && simpul_e2e::sample(&m, "simpul_web_login_attempts_total{result=\"throttled\"}")
                .unwrap()
                >= 1.0,
        "{m}"
    );
}

/// `metrics_auth = true`: /metrics needs an admin (Prometheus with an admin's token).
/// Issue 27: backups, restore tests and the LAN diagram duty have a period view: each
/// obligation's backups month by month and its restore tests in a year, the versions
/// of a year; a bad period is a 400 that says what is valid.
#[test]
fn period_views_of_backups_restore_tests_and_lan() {
    let (c, _) = seeded();
    let (_, admin, _) = c.cli(&["admin", "add", "--name", "Budi"]);
    let (code, out) = simpul_e2e::post(
        &c.url("/api/v1/backups/dinkes-simpus/restore-tests"),
        &[("authorization", &format!("Bearer {}", admin.trim()))],
        br#"{"who":"Rina (Seksi TIK)","result":"ok","notes":"restored to a scratch VM"}"#,
    );
    assert_eq!(code, 201, "{out}");
    let budi = Session::login(&c, "budi", ADMIN_PW);
    let (_, api) = simpul_e2e::get_json(&c.url("/api/v1/scorecard"));
    let (year, month) = {
        let p = api["period"].as_str().unwrap();
        (p[..4].to_owned(), p.to_owned())
    };
    let (code, page) = budi.get(&format!("/backups?period={year}"));
    assert_eq!(code, 200, "{page}");
    assert!(page.contains(&format!("In {year}")), "{page}");
    let simpus = page.split("dinkes-simpus: ").nth(1).unwrap_or_default();
    let simpus = simpus.split("<h3>").next().unwrap();
    // this month: the one check-in, 5 MB; the restore test with its author and notes
    let row = simpus
        .split(&format!("<th scope=\"row\">{month}</th>"))
        .nth(1)
        .unwrap_or_default();
    assert!(
        row.starts_with("<td>1</td>"),
        "one backup in {month}: {simpus}"
    );
    assert!(row.contains("4.8 MiB"), "{row}");
    assert!(
        simpus.contains("Rina (Seksi TIK)") && simpus.contains("restored to a scratch VM"),
        "{simpus}"
    );
    // the failed check-in of the archive is a failure of this month
    let arsip = page.split("dinkes-arsip: ").nth(1).unwrap_or_default();
    let arsip = arsip.split("<h3>").next().unwrap();
    assert!(arsip.contains("No restore test recorded in"), "{arsip}");
    let row = arsip
        .split(&format!("<th scope=\"row\">{month}</th>"))
        .nth(1)
        .unwrap_or_default();
    assert!(
        row.split("</tr>").next().unwrap().ends_with("<td>1</td>"),
        "one failure: {row}"
    );
    let (code, bad) = budi.get("/backups?period=2026-13");
    assert_eq!(code, 400);
    assert!(
        bad.contains("must be a month YYYY-MM, a quarter YYYY-Qn or a year YYYY"),
        "{bad}"
    );

    // the LAN: the versions of the year, with their changes and acknowledgements
    let (code, page) = budi.get(&format!("/lan/dinkes?site=kantor-dinkes&period={year}"));
    assert_eq!(code, 200);
    assert!(page.contains("2 versions discovered with"), "{page}");
    assert!(
        page.contains("The diagram was last confirmed by a discovery on"),
        "{page}"
    );
    let (code, page) = budi.get("/lan/dinkes?site=kantor-dinkes&period=2019");
    assert_eq!(code, 200);
    assert!(
        page.contains("0 versions discovered")
            && page.contains("No discovery confirmed the diagram in this period."),
        "{page}"
    );

    // the scorecard of a past month, as it was kept at its end: here this month's kept
    // rows copied to January 2019 (a month the collector did not run in says so)
    simpul_e2e::wait_for(
        "this month's scorecard kept",
        Duration::from_secs(20),
        || (c.count("SELECT count(*) FROM scorecard_months") > 0).then_some(()),
    );
    let copy = format!(
        "INSERT INTO scorecard_months (month, agency, row, recorded_at) \
         SELECT '2019-01', agency, row, recorded_at FROM scorecard_months WHERE month = '{month}'"
    );
    let copied = if simpul_e2e::on_postgres() {
        c.count(&format!(
            "WITH i AS ({copy} RETURNING 1) SELECT count(*) FROM i"
        ))
    } else {
        c.count(&format!("{copy} RETURNING 1"))
    };
    assert!(copied >= 1);
    let (code, page) = budi.get("/?month=2019-01");
    assert_eq!(code, 200, "{page}");
    assert!(page.contains("month 2019-01 as it ended"), "{page}");
    assert!(page.contains("Dinas Kesehatan"), "{page}");
    let (code, page) = budi.get("/?month=2019-02");
    assert_eq!(code, 200);
    assert!(page.contains("No scorecard was kept for 2019-02"), "{page}");
    let (code, page) = budi.get("/?month=2999-01");
    assert_eq!(code, 400);
    assert!(
        page.contains("must be a month YYYY-MM that has begun"),
        "{page}"
    );
}

#[test]
fn metrics_can_require_an_admin() {
    let c = Collector::start("metrics_auth = true");
    let (code, _) = simpul_e2e::get_anonymous(&c.url("/metrics"));
    assert_eq!(code, 401);
    let (code, admin, err) = c.cli(&["admin", "add", "--name", "prometheus"]);
    assert_eq!(code, 0, "{err}");
    let (code, body) = simpul_e2e::request(
        "GET",
        &c.url("/metrics"),
        &[("authorization", &format!("Bearer {}", admin.trim()))],
        b"",
    );
    assert_eq!(code, 200);
    assert!(body.contains("simpul_ingest_reports_stored_total"));
    let mut add = Command::new(simpul_e2e::bin("simpul-collector"));
    add.args([
        "user", "add", "ani", "--role", "agency", "--agency", "dinkes", "--config",
    ])
    .arg(c.config_path());
    assert!(add.output().unwrap().status.success());
    let (_, token, _) = c.cli(&["user", "token", "ani"]);
    let (code, _) = simpul_e2e::request(
        "GET",
        &c.url("/metrics"),
        &[("authorization", &format!("Bearer {}", token.trim()))],
        b"",
    );
    assert_eq!(
        code, 403,
        "an agency user may not read every agency's metrics"
    );
}

/// A LAN of `hosts` hosts whose names carry `tag`: every tag a different topology.
fn big_lan(hosts: usize, tag: usize) -> serde_json::Value {
    let devs: Vec<_> = (0..hosts)
        .map(|i| {
            serde_json::json!({"id": format!("ip:10.30.{}.{}", i / 250, i % 250 + 1), "type": "host",
                "name": format!("pc-{i}-{tag}"), "addresses": [format!("10.30.{}.{}", i / 250, i % 250 + 1)],
                "macs": [], "sources": ["arp", "icmp"], "vendor": "Dell Inc."})
        })
        .collect();
    lan("10.30.0.0/22", devs)
}

/// Median of `n` timings of `f`, in milliseconds.
fn median_ms(n: usize, mut f: impl FnMut()) -> f64 {
    let mut t: Vec<f64> = (0..n)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t[n / 2]
}

/// Posts `count` distinct topologies of dinkes's office agent, `per_request` reports a
/// request; returns the seconds it took.
fn flood(c: &Collector, token: &str, id: &str, count: usize, per_request: usize) -> f64 {
    let start = Instant::now();
    let mut seq = 10;
    for chunk in (0..count).collect::<Vec<_>>().chunks(per_request) {
        let batch: Vec<_> = chunk
            .iter()
            .map(|&i| {
                seq += 1;
                let mut r = report(id, "dinkes-opd", seq);
                r["lan"] = big_lan(150, i);
                r
            })
            .collect();
        send(c, token, &serde_json::Value::Array(batch));
    }
    start.elapsed().as_secs_f64()
}

/// The database's size on disk, file and WAL (SQLite; 0 on PostgreSQL).
fn db_bytes(c: &Collector) -> u64 {
    let wal = c.db_path().with_extension("db-wal");
    [c.db_path(), wal]
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum()
}

/// Issue 20, finding 4: one agent posting hundreds of topologies stored hundreds of
/// versions (0.8 MB/s of growth), and the inventory parsed all of them on the one read
/// connection, slowing every agency's pages. Now a site stores at most one version per
/// `lan_version_min_interval` (the rest coalesced and counted), and other agencies'
/// pages stay fast even while one agency does have hundreds of versions.
#[test]
fn lan_versions_are_bounded_and_do_not_slow_other_agencies() {
    const POSTED: usize = 300;
    for (interval, bounded) in [("5m", true), ("0s", false)] {
        let c = Collector::start_full(
            &format!("lan_version_min_interval = \"{interval}\"\nlan_versions_keep = 400\n"),
            "",
        );
        c.add_user("budi", &["--role", "admin"], ADMIN_PW);
        let budi = Session::login(&c, "budi", ADMIN_PW);
        // another agency, with a small LAN of its own
        let other = c.enrol("diskominfo", "diskominfo-srv", Some("pusat-data"));
        let mut r = report(&agent_id(&other), "diskominfo-srv", 1);
        r["lan"] = lan(
            "10.20.0.0/24",
            vec![
                lan_device("mac:02:00:00:00:00:09", "switch", "sw-dc"),
                lan_device("ip:10.9.0.1", "host", "srv"),
            ],
        );
        send(&c, &other, &r);
        let token = c.enrol("dinkes", "dinkes-opd", Some("kantor-dinkes"));
        let id = agent_id(&token);
        let pages = [
            "/inventory?agency=diskominfo",
            "/inventory.csv?agency=diskominfo",
            "/",
        ];
        let measure = |what: &str| {
            for p in pages {
                let ms = median_ms(5, || assert_eq!(budi.get(p).0, 200, "{p}"));
                eprintln!("lan_min_interval={interval} {what}: GET {p} median {ms:.1} ms");
            }
        };
        measure("before");
        let bytes_before = db_bytes(&c);
        let secs = flood(&c, &token, &id, POSTED, 20);
        let bytes_after = db_bytes(&c);
        let versions = c.count("SELECT count(*) FROM lan_versions WHERE agency = 'dinkes'");
        let coalesced = simpul_e2e::sample(&c.metrics(), "simpul_lan_versions_coalesced_total");
        eprintln!(
            "lan_min_interval={interval}: {POSTED} topologies in {secs:.1} s: {versions} versions stored, \
             {coalesced:?} coalesced, database {bytes_before} -> {bytes_after} bytes (+{} KiB)",
            bytes_after.saturating_sub(bytes_before) / 1024
        );
        if bounded {
            // at most one version per 5 min since the first (and the pending one)
            let allowed = 1 + (secs / 300.0) as i64;
            assert!(versions <= allowed, "{versions} versions in {secs} s");
            assert_eq!(
                coalesced,
                Some((POSTED as i64 - versions) as f64),
                "the rest are counted"
            );
            assert_eq!(
                c.count("SELECT count(*) FROM lan_pending WHERE agency = 'dinkes'"),
                1,
                "the newest change waits for its interval"
            );
            // the stored topologies: one version's worth, not 300
            let stored = c.count(
                "SELECT CAST(sum(length(topology) + length(diff)) AS BIGINT) FROM lan_versions WHERE agency = 'dinkes'",
            );
            let one = serde_json::to_string(&big_lan(150, 0)).unwrap().len() as i64;
            assert!(stored < 3 * one, "{stored} bytes of topologies");
        } else {
            assert_eq!(versions, POSTED as i64, "every change a version");
            assert_eq!(coalesced, Some(0.0));
        }
        measure("after");
        // dinkes's own inventory is the newest version's devices, read from the table
        let ms = median_ms(3, || {
            let (code, csv) = budi.get("/inventory.csv?agency=dinkes");
            assert_eq!(code, 200);
            assert_eq!(csv.lines().filter(|l| l.contains(",lan,")).count(), 150);
        });
        eprintln!("lan_min_interval={interval}: GET /inventory.csv?agency=dinkes ({versions} versions) median {ms:.1} ms");
        // the other agency's pages answer while dinkes's pages are read in a loop
        let stop = std::sync::atomic::AtomicBool::new(false);
        std::thread::scope(|s| {
            for _ in 0..2 {
                s.spawn(|| {
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                        budi.get("/lan/dinkes?site=kantor-dinkes");
                        budi.get("/inventory.csv?agency=dinkes");
                    }
                });
            }
            measure("while dinkes's pages are read");
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
        });
    }
}

/// Issue 20, finding 4: a change coalesced within `lan_version_min_interval` is not
/// lost: the next report the collector writes after the interval (here a heartbeat
/// without any LAN section) turns the pending discovery into the version.
#[test]
fn lan_versions_a_coalesced_change_becomes_a_version_after_the_interval() {
    let c = Collector::start_full("lan_version_min_interval = \"3s\"\n", "");
    let token = c.enrol("dinkes", "dinkes-opd", Some("kantor-dinkes"));
    let id = agent_id(&token);
    let versions = || {
        let (code, body) = simpul_e2e::get(&c.url("/api/v1/agencies/dinkes/lan/versions"));
        assert_eq!(code, 200, "{body}");
        serde_json::from_str::<Vec<serde_json::Value>>(&body).unwrap()
    };
    for (seq, tag) in [(1, 1), (2, 2), (3, 3)] {
        let mut r = report(&id, "dinkes-opd", seq);
        r["lan"] = big_lan(5, tag);
        send(&c, &token, &r);
    }
    assert_eq!(versions().len(), 1, "two changes coalesced");
    std::thread::sleep(Duration::from_secs(4));
    send(&c, &token, &report(&id, "dinkes-opd", 4));
    let v = versions();
    assert_eq!(v.len(), 2, "{v:?}");
    assert_eq!(v[0]["version"], 2);
    let (_, body) = simpul_e2e::get(&c.url("/api/v1/agencies/dinkes/lan"));
    assert!(body.contains("pc-0-3"), "the newest change: {body}");
    assert!(!body.contains("pc-0-2"), "{body}");
    assert_eq!(
        simpul_e2e::sample(&c.metrics(), "simpul_lan_versions_coalesced_total"),
        Some(2.0)
    );
}

/// Issue 22: with Bahasa Indonesia the default, every page reads in Indonesian (no
/// English sentence of the product on it, numbers with a decimal comma, times in WIB),
/// the CSV opens in an Indonesian spreadsheet, a missing page says so in Indonesian; a
/// browser set to English gets English. Screenshots of every page in both languages, at
/// desktop and phone width.
#[tokio::test(flavor = "multi_thread")]
async fn every_page_in_indonesian_by_default_and_in_english_when_asked() {
    use simpul_e2e::lang::assert_indonesian;
    let (c, dinkes_host) = seeded_with("default_language = \"id\"\n");
    let admin = Session::login(&c, "budi", ADMIN_PW);
    let t0 = Instant::now();
    loop {
        let (_, body) = admin.get("/");
        if body.contains("dilanggar") && body.contains("berubah") && body.contains("gagal") {
            break;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "scorecard not seeded (or not in Indonesian): {body}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    let host_page = format!("/hosts/{dinkes_host}");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    seed_traffic(&c, now);
    let interface_page = format!("/interfaces/{}", interface_id(&c, "ether1"));
    let pages: [(&str, &str, &str); 12] = [
        ("/", "scorecard", "Rapor kepatuhan"),
        (
            "/agencies/dinkes",
            "agency",
            "Kewajiban yang belum dipenuhi",
        ),
        (&host_page, "host", "Gangguan pada periode ini"),
        ("/sla", "sla", "SLA"),
        ("/backups", "backups", "Cadangan data"),
        ("/inventory", "inventory", "Inventaris aset TIK"),
        ("/lan", "lan-index", "Jaringan"),
        ("/lan/dinkes", "lan", "Jaringan"),
        ("/inventory/import", "import", "Impor"),
        ("/links", "links", "Tautan WAN"),
        (
            "/interfaces",
            "interfaces",
            "Lalu lintas antarmuka jaringan",
        ),
        (&interface_page, "interface", "Lalu lintas, 1 hari terakhir"),
    ];
    for (path, _, heading) in &pages {
        let (code, html) = admin.get(path);
        assert_eq!(code, 200, "{path}: {html}");
        assert!(
            html.contains("<html lang=\"id\">"),
            "{path} is not in Indonesian"
        );
        assert!(html.contains(heading), "{path} lacks {heading:?}");
        assert!(
            html.contains(" WIB"),
            "{path}: times with the zone's abbreviation"
        );
        assert_indonesian(path, &html);
    }
    // numbers in the Indonesian convention: the SLA of dinkes with a decimal comma
    let (_, scorecard) = admin.get("/");
    let comma_percent = scorecard.as_bytes().windows(7).any(|w| {
        w[0].is_ascii_digit()
            && w[1] == b','
            && w[2..5].iter().all(u8::is_ascii_digit)
            && &w[5..7] == b" %"
    });
    assert!(
        comma_percent,
        "no percentage like 87,500 % on the scorecard"
    );
    assert!(!scorecard.contains("1 servers") && !scorecard.contains("1 agents"));
    let (_, host) = admin.get(&host_page);
    assert!(
        host.contains(" jam") || host.contains(" menit"),
        "durations in Indonesian: {host}"
    );
    // a page that does not exist: the 404 page in Indonesian, in the page's frame
    let missing = admin.get_raw("/no-such-page");
    assert_eq!(missing.status, 404);
    assert!(
        missing.body.contains("Halaman ini tidak ditemukan"),
        "{}",
        missing.body
    );
    let (code, other) = admin.get("/agencies/nope");
    assert_eq!(code, 404);
    assert!(
        other.contains("Perangkat Daerah ini tidak ditemukan"),
        "{other}"
    );
    let (code, bad) = admin.get("/?month=2026-13");
    assert_eq!(code, 400);
    assert!(bad.contains("harus bulan YYYY-MM"), "{bad}");
    // the scorecard's CSV for a spreadsheet in the Indonesian locale
    let csv = admin.get_raw("/scorecard.csv");
    assert_eq!(csv.status, 200);
    let body = csv.body.strip_prefix('\u{feff}').expect("a UTF-8 BOM");
    let head = body.lines().next().unwrap();
    assert!(
        head.starts_with("Kode Perangkat Daerah;Nama Perangkat Daerah;Jumlah agen melapor;"),
        "{head}"
    );
    let dinkes = body.lines().find(|l| l.starts_with("dinkes;")).unwrap();
    assert!(dinkes.contains(";dilanggar;"), "{dinkes}");

    let dir = tempfile::tempdir().unwrap();
    for lang in ["id-ID", "en-US"] {
        let b = Browser::start_in(dir.path(), lang).await;
        b.login(&c, "budi", ADMIN_PW).await;
        let short = &lang[..2];
        for (width, suffix) in [(1280, ""), (390, "-phone")] {
            b.client.set_window_size(width, 900).await.unwrap();
            for (path, name, heading) in &pages {
                b.client.goto(&c.url(path)).await.unwrap();
                let needle = if short == "id" {
                    *heading
                } else {
                    "<html lang=\"en\">"
                };
                let html = b.source_with(needle, Duration::from_secs(5)).await;
                if !html.contains(needle) {
                    let start: String = b.text().await.chars().take(400).collect();
                    panic!("{path} in the browser ({lang}) lacks {needle:?} after 5 s; it shows: {start}");
                }
                if short == "id" {
                    assert_indonesian(path, &html);
                }
                b.shot(&format!("lang-{name}-{short}{suffix}")).await;
            }
        }
        if short == "en" {
            b.client.goto(&c.url("/")).await.unwrap();
            let text = b.text().await;
            assert!(text.contains("Compliance scorecard") && text.contains("breached"));
        }
    }
}
