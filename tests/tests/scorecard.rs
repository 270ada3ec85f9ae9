//! The compliance scorecard's API, `GET /api/v1/scorecard`: the rows of the `/` page,
//! from a real collector's duty states, as JSON and CSV; an agency user sees only their
//! agency; bad parameters are a 400 naming them.

#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]

use std::time::Duration;

use simpul_e2e::{agent_id, get, post, report, request, wait_for, Collector};

const OBLIGATIONS: &str = r#"
[[backups]]
id = "dinkes-simpus-db"
agency = "dinkes"
dataset = "SIMPUS database"
interval = "24h"
"#;

fn json(c: &Collector, query: &str) -> (u16, serde_json::Value) {
    simpul_e2e::get_json(&c.url(&format!("/api/v1/scorecard{query}")))
}

#[test]
fn the_scorecard_api_gives_each_agencys_duties() {
    let c = Collector::start_full("", OBLIGATIONS);
    // diskominfo: one host reporting now, no obligations, no LAN diagram
    let token = c.enrol("diskominfo", "web-01", Some("pusat-data"));
    let body = serde_json::to_vec(&report(&agent_id(&token), "web-01", 1)).unwrap();
    let (code, ack) = post(
        &c.url("/api/v1/reports"),
        &[
            ("authorization", &format!("Bearer {token}")),
            ("content-type", "application/json"),
        ],
        &body,
    );
    assert_eq!(code, 200, "{ack}");
    // the duty states are evaluated every 5 s in the harness
    let r = wait_for("a duty evaluation", Duration::from_secs(20), || {
        let (code, r) = json(&c, "");
        (code == 200 && !r["evaluated_at"].is_null()).then_some(r)
    });
    assert_eq!(r["time_zone"], "Asia/Jakarta");
    assert!(
        r["evaluated_at"].as_str().unwrap().ends_with("+07:00"),
        "{r}"
    );
    let rows = r["agencies"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{r}");
    let row = |id: &str| rows.iter().find(|x| x["agency"] == id).unwrap().clone();
    let dk = row("diskominfo");
    assert_eq!(dk["name"], "Dinas Komunikasi dan Informatika");
    assert_eq!(
        (dk["hosts_up"].as_u64(), dk["hosts"].as_u64()),
        (Some(1), Some(1)),
        "{dk}"
    );
    assert_eq!(
        dk["backups"],
        serde_json::Value::Null,
        "no obligations: {dk}"
    );
    assert_eq!(dk["lan"], "none", "no LAN diagram yet: {dk}");
    assert_eq!(dk["overall"], "attention", "{dk}");
    let dinkes = row("dinkes");
    assert_eq!(dinkes["backups"], "never_seen", "{dinkes}");
    assert_eq!(
        dinkes["backup_counts"],
        serde_json::json!({"never_seen": 1}),
        "{dinkes}"
    );
    assert_eq!(dinkes["restore_tests_due"], 1, "{dinkes}");
    assert_eq!(dinkes["sla"], "no_data", "{dinkes}");
    // by duty: who fails what, in words, with the evidence's page
    let duty = |row: &serde_json::Value, d: &str| {
        row["duties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["duty"] == d)
            .unwrap()
            .clone()
    };
    let agents = duty(&dinkes, "agents");
    assert_eq!(agents["state"], "failing", "{agents}");
    assert!(
        agents["reason"]
            .as_str()
            .unwrap()
            .starts_with("no agent enrolled"),
        "{agents}"
    );
    assert_eq!(agents["link"], "/agencies/dinkes");
    assert_eq!(duty(&dinkes, "backups_fresh")["state"], "failing");
    assert_eq!(duty(&dinkes, "backups_fresh")["reason"], "1 never seen");
    assert_eq!(duty(&dk, "agents")["state"], "ok", "{dk}");
    assert_eq!(duty(&dk, "backups_fresh")["state"], "not_applicable");
    assert_eq!(duty(&dk, "lan_submitted")["state"], "failing");
    assert_eq!(dk["worst"], "failing");
    let counts = r["duty_counts"].as_array().unwrap();
    assert_eq!(counts.len(), 9, "{r}");
    assert_eq!(duty(&dinkes, "websites")["state"], "not_applicable");
    assert_eq!(duty(&dinkes, "wan_link")["state"], "not_applicable");
    let agents = counts.iter().find(|c| c["duty"] == "agents").unwrap();
    assert_eq!(
        (agents["ok"].as_u64(), agents["failing"].as_u64()),
        (Some(1), Some(1)),
        "{agents}"
    );

    // filters: by agency, by state
    let (code, r) = json(&c, "?agency=dinkes");
    assert_eq!(code, 200, "{r}");
    assert_eq!(r["agencies"].as_array().unwrap().len(), 1);
    let (_, r) = json(&c, "?status=never_seen");
    let ids: Vec<_> = r["agencies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["agency"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, ["dinkes"]);

    // the same rows as CSV, with the page's CSV header
    let (code, csv) = get(&c.url("/api/v1/scorecard?format=csv"));
    assert_eq!(code, 200, "{csv}");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(
        lines[0].starts_with("agency,name,agents_reporting,agents_expected,sla_state"),
        "{csv}"
    );
    assert!(
        lines.iter().any(|l| l
            .starts_with("dinkes,Dinas Kesehatan,0,0,no_data,,0,never_seen,1 never seen,1,none,")),
        "{csv}"
    );

    // bad parameters: named, with what is valid
    let (code, r) = json(&c, "?status=green");
    assert_eq!(code, 400, "{r}");
    assert!(r["error"].as_str().unwrap().contains("attention"), "{r}");
    let (code, r) = json(&c, "?agencyy=dinkes");
    assert_eq!(code, 400, "{r}");
    assert!(r["error"].as_str().unwrap().contains("agencyy"), "{r}");
    let (code, r) = json(&c, "?format=pdf");
    assert_eq!(code, 400, "{r}");
    assert!(r["error"].as_str().unwrap().contains("csv"), "{r}");
    let (code, _) = json(&c, "?agency=dinsos");
    assert_eq!(code, 404);

    // by period: this month as it stands (also kept in the database after each tick),
    // a year month by month, a month before the collector ran is a 404
    let (_, now) = json(&c, "");
    let month = now["period"].as_str().unwrap().to_owned();
    assert_eq!(now["kept"], false, "{now}");
    let (code, m) = json(&c, &format!("?period={month}"));
    assert_eq!(code, 200, "{m}");
    assert_eq!(m["period"], month.as_str());
    let year = &month[..4];
    let (code, y) = json(&c, &format!("?period={year}"));
    assert_eq!(code, 200, "{y}");
    let months = y["months"].as_array().unwrap();
    assert!(months.iter().any(|x| x["period"] == month.as_str()), "{y}");
    let (code, csv) = get(&c.url(&format!("/api/v1/scorecard?period={year}&format=csv")));
    assert_eq!(code, 200, "{csv}");
    assert!(csv.starts_with("month,agency,name,"), "{csv}");
    assert!(
        csv.lines()
            .any(|l| l.starts_with(&format!("{month},dinkes,"))),
        "{csv}"
    );
    assert_eq!(
        c.count("SELECT count(*) FROM scorecard_months"),
        2,
        "each tick keeps this month's scorecard"
    );
    // the year as a workbook: the same states as the JSON, cell by cell
    let (code, xlsx) =
        simpul_e2e::get_bytes(&c.url(&format!("/api/v1/scorecard?period={year}&format=xlsx")));
    assert_eq!(code, 200, "{}", String::from_utf8_lossy(&xlsx));
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx)).unwrap();
    use calamine::Reader;
    let names = book.sheet_names();
    assert_eq!(
        names,
        [
            "scorecard",
            "agents",
            "sla",
            "backups_fresh",
            "restore_tests",
            "lan_submitted",
            "lan_changes",
            "inventory",
            "wan_link",
            "websites"
        ]
    );
    let sheet = book.worksheet_range("scorecard").unwrap();
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    let head = &rows[0];
    let col = |name: &str| head.iter().position(|h| h == name).unwrap();
    let this_month: Vec<&Vec<String>> = rows[1..].iter().filter(|r| r[0] == month).collect();
    assert_eq!(this_month.len(), 2, "{rows:?}");
    for r in this_month {
        let api = y["months"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["period"] == month.as_str())
            .unwrap()["agencies"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["agency"] == r[col("agency")].as_str())
            .unwrap()
            .clone();
        assert_eq!(r[col("name")], api["name"].as_str().unwrap());
        assert_eq!(r[col("agents_reporting")], api["hosts_up"].to_string());
        assert_eq!(r[col("worst_duty")], api["worst"].as_str().unwrap());
        for d in api["duties"].as_array().unwrap() {
            let duty = d["duty"].as_str().unwrap();
            assert_eq!(r[col(duty)], d["state"].as_str().unwrap(), "{duty}");
        }
    }
    let agents = book.worksheet_range("agents").unwrap();
    let header: Vec<String> = agents
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert!(header.contains(&month), "{header:?}");
    let dinkes_agents: Vec<String> = agents
        .rows()
        .find(|r| r[0] == "dinkes")
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert!(
        dinkes_agents
            .iter()
            .any(|c| c.starts_with("failing: no agent enrolled")),
        "{dinkes_agents:?}"
    );
    assert_eq!(json(&c, "?period=2020-01").0, 404);
    let (code, r) = json(&c, "?period=2026-13");
    assert_eq!(code, 400, "{r}");

    // an agency user: their row only; another agency's is as if it did not exist
    let (code, _, err) = c.cli(&[
        "user", "add", "ani", "--role", "agency", "--agency", "dinkes",
    ]);
    assert_eq!(code, 0, "{err}");
    let (_, ani, _) = c.cli(&["user", "token", "ani"]);
    let auth = format!("Bearer {}", ani.trim());
    let as_ani = |q: &str| {
        let (code, body) = request(
            "GET",
            &c.url(&format!("/api/v1/scorecard{q}")),
            &[("authorization", &auth)],
            b"",
        );
        (
            code,
            serde_json::from_str::<serde_json::Value>(&body).unwrap_or_default(),
        )
    };
    let (code, r) = as_ani("");
    assert_eq!(code, 200, "{r}");
    let rows = r["agencies"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{r}");
    assert_eq!(rows[0]["agency"], "dinkes");
    assert_eq!(as_ani("?agency=diskominfo").0, 404);
    // and nobody without a token
    assert_eq!(
        simpul_e2e::get_anonymous(&c.url("/api/v1/scorecard")).0,
        401
    );
}
