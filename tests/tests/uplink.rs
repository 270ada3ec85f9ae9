//! The monthly 95th percentile of a WAN link's uplink (issue 23) through the real
//! collector: a link declares its uplink, the store gets the interface's samples of the
//! previous month (8,640 five-minute steps of known rates, 400 of them spikes, so the
//! spikes are within the top 5 % and cut) and of the current one; the API, the link's
//! page in both languages, the report's workbook and PDF give the figures; a restart's
//! housekeeping keeps the closed month, and the API answers the same from it. The
//! samples are written into the store directly (as the writer stores a poll's step):
//! a month of polls through the ingest would take a month, or 8,640 reports.

#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]

mod browser;

use std::time::{Duration, Instant};

use simpul_collector::period::{Period, PeriodKind, Zone};
use simpul_e2e::curl::{curl, login};
use simpul_e2e::{get, get_bytes, get_json, Collector};

const PW: &str = "a long enough passphrase 1";

/// The link whose uplink is the agency router's ether1, contracted at 20 Mbit/s.
fn link() -> String {
    simpul_e2e::dinkes_wan_link(20_000_000, "10.20.0.1")
}

/// Runs `sql` on the collector's database, whichever it is.
fn exec(c: &Collector, sql: &str) {
    match &c.store_url {
        Some(url) => simpul_collector::store::pg_server::off_runtime(|| {
            let mut db = postgres::Client::connect(url, postgres::NoTls).unwrap();
            db.batch_execute(sql).unwrap();
        }),
        None => {
            let db = rusqlite::Connection::open(c.db_path()).unwrap();
            db.busy_timeout(Duration::from_secs(10)).unwrap();
            db.execute_batch(sql).unwrap();
        }
    }
}

/// Stores `n` five-minute steps of interface `id` from `from`, step k at `rate(k)` bits
/// per second in and out.
fn seed(c: &Collector, id: i64, from: i64, n: usize, rate: impl Fn(usize) -> (u64, u64)) {
    let rows: Vec<String> = (0..n)
        .map(|k| {
            let (rx, tx) = rate(k);
            format!(
                "({id}, {}, 64, 1, 300.0, {}, {}, 0, 0, 0, 0, 0, 0, '', 0.0)",
                from + (k as i64 + 1) * 300,
                rx / 8 * 300,
                tx / 8 * 300
            )
        })
        .collect();
    for chunk in rows.chunks(1000) {
        exec(
            c,
            &format!(
                "INSERT INTO interface_samples (interface_id, time, bits, oper_status, seconds,
                   d_in_octets, d_out_octets, t_in_octets, t_out_octets, t_in_errors,
                   t_out_errors, t_in_discards, t_out_discards, reset_reason, received_at)
                 VALUES {}",
                chunk.join(", ")
            ),
        );
    }
}

fn month_before(m: &Period) -> Period {
    let (year, month) = if m.month == 1 {
        (m.year - 1, 12)
    } else {
        (m.year, m.month - 1)
    };
    Period {
        kind: PeriodKind::Month,
        year,
        month,
        day: 1,
    }
}

/// The uplink's month `month` in `GET /api/v1/links/dinkes-wan/uplink?year=`.
fn month_of(c: &Collector, year: i64, month: &str) -> serde_json::Value {
    let (code, v) = get_json(&c.url(&format!("/api/v1/links/dinkes-wan/uplink?year={year}")));
    assert_eq!(code, 200, "{v}");
    v["uplink"]["months"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["month"] == month)
        .cloned()
        .unwrap_or_else(|| panic!("no {month} in {v}"))
}

#[test]
fn the_uplinks_monthly_95th_percentile_in_the_api_the_page_and_the_report() {
    let mut c = Collector::start_full("", &link());
    let zone = Zone::jakarta();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let current = Period::containing(PeriodKind::Month, now, &zone);
    let prev = month_before(&current);
    let (prev_from, prev_to) = prev.bounds(&zone);
    let (cur_from, _) = current.bounds(&zone);
    let prev_bins = ((prev_to - prev_from) / 300) as u64;

    // no interface yet: a problem of the link, naming the key
    let (code, v) = get_json(&c.url("/api/v1/links/dinkes-wan"));
    assert_eq!(code, 200, "{v}");
    let problems = v["problems"].to_string();
    assert!(
        problems.contains(r#"links[0].uplink = { device = \"10.20.0.1\", interface = \"ether1\" }: no device of agency \"dinkes\""#),
        "{problems}"
    );

    // the router's ether1 and its samples: the previous month's first 30 days at
    // 10 Mbit/s in and 3 out, 400 five-minute spikes at 80 Mbit/s in (the top 5 % of
    // 8,640 is 432: cut); this month's first day (so far) at 6 in, 1 out
    exec(
        &c,
        &format!(
            "INSERT INTO interfaces (agency, site, device, if_index, device_name, name, alias,
               agent_id, first_seen, last_seen)
             VALUES ('dinkes', 'kantor-dinkes', '10.20.0.1', 1, 'rtr-dinkes', 'ether1',
               'WAN ke Pusat Data', 'a1', {prev_from}, {now})"
        ),
    );
    let id = c.count("SELECT id FROM interfaces");
    seed(&c, id, prev_from, 8640, |k| {
        (
            if k % 20 == 7 && k < 8000 {
                80_000_000
            } else {
                10_000_000
            },
            3_000_000,
        )
    });
    let cur_bins = usize::try_from(((now - cur_from) / 300).min(288)).unwrap();
    seed(&c, id, cur_from, cur_bins, |_| (6_000_000, 1_000_000));

    let (_, v) = get_json(&c.url("/api/v1/links/dinkes-wan"));
    assert!(!v["problems"].to_string().contains("uplink"), "{v}");
    assert_eq!(v["uplink"]["interface"]["id"], id);
    assert_eq!(v["uplink"]["interface"]["device_name"], "rtr-dinkes");

    let m = month_of(&c, prev.year, &prev.to_string());
    assert_eq!(m["receive_p95_bps"], 10e6, "{m}");
    assert_eq!(m["transmit_p95_bps"], 3e6, "{m}");
    assert_eq!(m["p95_bps"], 10e6, "{m}");
    assert_eq!(m["receive_peak_bps"], 80e6, "{m}");
    assert_eq!(m["capacity_bps"], 20_000_000);
    assert_eq!(m["p95_utilisation_percent"], 50.0);
    assert_eq!(m["bins_measured"], 8640);
    assert_eq!(m["bins_in_month"], prev_bins);
    assert_eq!(m["complete"], true);
    assert_eq!(
        m["kept"], false,
        "the housekeeping ran before the samples came"
    );
    let mean = m["receive_mean_bps"].as_f64().unwrap();
    assert!(
        (mean - (400.0 * 80e6 + 8240.0 * 10e6) / 8640.0).abs() < 1e-3,
        "{mean}"
    );
    if cur_bins > 0 {
        let m = month_of(&c, current.year, &current.to_string());
        assert_eq!(
            (&m["p95_bps"], &m["complete"], &m["kept"]),
            (
                &serde_json::json!(6e6),
                &serde_json::json!(false),
                &serde_json::json!(false)
            ),
            "{m}"
        );
        assert_eq!(m["bins_measured"], cur_bins);
    }

    // the parameter: a year, nothing else
    let (code, body) = get(&c.url("/api/v1/links/dinkes-wan/uplink?year=26"));
    assert_eq!(code, 400);
    assert!(body.contains("year") && body.contains("YYYY"), "{body}");
    let (code, body) = get(&c.url("/api/v1/links/dinkes-wan/uplink?period=2026"));
    assert_eq!(code, 400, "{body}");
    let (code, _) = get(&c.url("/api/v1/links/nope/uplink"));
    assert_eq!(code, 404);

    // the link's page, in both languages (the page shows the months of its period's
    // year: the previous month's year)
    c.add_user("budi", &["--role", "admin"], PW);
    let cookie = login(&c, "budi", PW);
    let page = format!("/links/dinkes-wan?period={}", prev);
    let a = curl(&c.url(&page), "GET", &[&cookie], "");
    let (code, html) = (a.status, a.body);
    assert_eq!(code, 200);
    for want in [
        "Uplink (95th percentile per month)",
        "the highest 5 % of those averages are dropped",
        "Interface ether1 of rtr-dinkes (10.20.0.1)",
        "10.00\u{a0}Mbit/s",
        "50.0\u{a0}%",
    ] {
        assert!(html.contains(want), "{want} in the page");
    }
    let a = curl(&c.url(&page), "GET", &[&cookie, "Accept-Language: id"], "");
    let (code, html) = (a.status, a.body);
    assert_eq!(code, 200);
    for want in [
        "Uplink: persentil ke-95 per bulan",
        "5 % rata-rata tertinggi dibuang",
        "10,00\u{a0}Mbit/s",
    ] {
        assert!(html.contains(want), "{want} in the Indonesian page");
    }

    // the report of the previous month's year: the uplinks sheet, in both languages
    for (lang, sheet, p95) in [
        ("en", "uplinks", "p95_bps"),
        ("id", "Uplink WAN", "Persentil ke-95 ditagih (bit/s)"),
    ] {
        let (code, xlsx) = get_bytes(&c.url(&format!("/reports/{}.xlsx?lang={lang}", prev.year)));
        assert_eq!(code, 200, "{}", String::from_utf8_lossy(&xlsx));
        use calamine::Reader;
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx)).unwrap();
        let rows: Vec<Vec<calamine::Data>> = book
            .worksheet_range(sheet)
            .unwrap_or_else(|e| panic!("{sheet}: {e}"))
            .rows()
            .map(<[calamine::Data]>::to_vec)
            .collect();
        let col = |name: &str| rows[0].iter().position(|h| *h == name).unwrap();
        let row = rows
            .iter()
            .find(|r| {
                r[col(if lang == "en" { "month" } else { "Bulan" })] == prev.to_string().as_str()
            })
            .unwrap_or_else(|| panic!("{prev} in {rows:?}"));
        assert_eq!(row[col(p95)], calamine::Data::Float(10e6), "{row:?}");
        assert_eq!(row[0], calamine::Data::String("dinkes-wan".into()));
        let (code, pdf) = get_bytes(&c.url(&format!("/reports/{}.pdf?lang={lang}", prev.year)));
        assert_eq!(code, 200);
        assert!(pdf.starts_with(b"%PDF-"));
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), &pdf).unwrap();
        let out = std::process::Command::new(simpul_e2e::need("pdftotext"))
            .args(["-layout"])
            .arg(file.path())
            .arg("-")
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout)
            .unwrap()
            .replace('\u{a0}', " ");
        let (heading, row) = if lang == "en" {
            ("6. WAN uplinks: 95th percentile per month", "10.00 Mbit/s")
        } else {
            ("6. Uplink WAN: persentil ke-95 per bulan", "10,00 Mbit/s")
        };
        assert!(text.contains(heading), "{heading} in {text}");
        let line = text
            .lines()
            .find(|l| l.contains(&prev.to_string()) && l.contains("Dinkes"))
            .unwrap_or_else(|| panic!("the {prev} row in {text}"));
        assert!(line.contains(row) && line.contains("rtr-dinkes"), "{line}");
    }

    // a restart: the housekeeping keeps the closed month (once it has been over a day);
    // on PostgreSQL one replica does it each hour: the start's hour is claimed already
    if c.store_url.is_some() {
        exec(&c, "DELETE FROM duty_ticks WHERE duty = 'prune'");
    }
    c.restart();
    let settled = now - prev_to > 86_400;
    let t0 = Instant::now();
    while settled && c.count("SELECT count(*) FROM uplink_months") == 0 {
        assert!(t0.elapsed() < Duration::from_secs(30), "{}", c.log());
        std::thread::sleep(Duration::from_millis(200));
    }
    if settled {
        assert_eq!(
            c.count("SELECT count(*) FROM uplink_months"),
            1,
            "the closed month only"
        );
        let kept = month_of(&c, prev.year, &prev.to_string());
        assert_eq!(kept["kept"], true);
        let mut fresh = m.clone();
        fresh["kept"] = true.into();
        assert_eq!(kept, fresh, "the kept month answers as the computed one");
        // and outlives its samples
        exec(&c, "DELETE FROM interface_samples");
        assert_eq!(month_of(&c, prev.year, &prev.to_string()), fresh);
    }

    // the page in a real browser, both languages
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let b = browser::Browser::start(dir.path()).await;
        b.login(&c, "budi", PW).await;
        b.client.goto(&c.url(&page)).await.unwrap();
        let text = b.text().await;
        assert!(
            text.contains("Uplink (95th percentile per month)"),
            "{text}"
        );
        b.client
            .execute(
                "document.querySelector('table.uplink').scrollIntoView()",
                vec![],
            )
            .await
            .unwrap();
        b.shot("wan-uplink").await;
        b.click("form.language button").await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        b.client.goto(&c.url(&page)).await.unwrap();
        b.client
            .execute(
                "document.querySelector('table.uplink').scrollIntoView()",
                vec![],
            )
            .await
            .unwrap();
        assert!(b.text().await.contains("persentil ke-95 per bulan"));
        b.shot("wan-uplink-id").await;
        b.client.clone().close().await.unwrap();
    });
}
