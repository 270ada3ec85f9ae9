//! The asset register (issue 27): a real collector, an agent's reports with inventory
//! and LAN discovery. The same machine seen by its agent and by discovery is one
//! asset; a device that leaves is "not seen since"; attributes recorded through the
//! API, the page's form and an import are audited; an import with a bad row changes
//! nothing and names the line; the pages in a real Chromium at desktop and phone width.

#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]

use std::time::Duration;

use simpul_e2e::curl::{curl, curl_with, login, Answer};
use simpul_e2e::lang::assert_indonesian;
use simpul_e2e::{agent_id, get_json, lan, report, request, send, Collector};

mod browser;

const PW: &str = "a long enough passphrase 1";

/// A report of `host` with an inventory (eth0: `mac`, 10.30.0.5) and LAN discovery of
/// `devices` (each `(id, mac, address, name)`).
fn report_with_lan(
    id: &str,
    host: &str,
    seq: u64,
    mac: &str,
    devices: &[(&str, &str, &str, &str)],
) -> serde_json::Value {
    let mut r = report(id, host, seq);
    r["inventory"] = serde_json::json!({
        "os": {"name": "Debian GNU/Linux", "version": "12", "pretty_name": "Debian GNU/Linux 12 (bookworm)",
               "kernel": "6.1.0-18-amd64", "arch": "x86_64"},
        "cpu": {"model": "Intel(R) Xeon(R) Silver 4210", "sockets": 1, "cores": 10, "threads": 20},
        "memory_bytes": 68719476736u64,
        "system": {"vendor": "Dell Inc.", "product": "PowerEdge R640", "serial": "7XK2Q33"},
        "bios": {"vendor": "Dell Inc.", "version": "2.19.1", "date": "03/02/2024"},
        "disks": [{"name": "sda", "model": "PERC H730P", "size_bytes": 1_919_850_381_312u64, "serial": "", "rotational": false}],
        "interfaces": [{"name": "eth0", "mac": mac, "speed_mbps": 1000,
                        "addresses": [{"address": "10.30.0.5", "prefix_len": 24}]}]
    });
    let devs = devices
        .iter()
        .map(|(id, mac, addr, name)| {
            serde_json::json!({"id": id, "type": "host", "name": name, "vendor": "",
                "addresses": [addr], "macs": if mac.is_empty() { vec![] } else { vec![*mac] },
                "sources": ["arp", "icmp"]})
        })
        .collect();
    r["lan"] = lan("10.30.0.0/24", devs);
    r
}

fn assets(c: &Collector, query: &str) -> serde_json::Value {
    let (code, v) = get_json(&c.url(&format!("/api/v1/assets{query}")));
    assert_eq!(code, 200, "{v}");
    v
}

fn find<'a>(v: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    v["assets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == name)
        .unwrap_or_else(|| panic!("no asset {name} in {v}"))
}

/// The hidden CSRF token of a page's forms.
fn csrf(html: &str) -> String {
    html.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned()
}

/// A path segment of an asset id, as the pages write it.
fn seg(id: &str) -> String {
    id.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~:".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[test]
fn the_register_lists_each_machine_once_keeps_leavers_and_audits_what_people_record() {
    let c = Collector::start("");
    let token = c.enrol("dinkes", "simpus-db", Some("kantor-dinkes"));
    let id = agent_id(&token);
    let server_mac = "02:00:00:00:00:01";
    let present = [
        // the agent's own machine, found on its LAN
        (
            "mac:02:00:00:00:00:01",
            server_mac,
            "10.30.0.5",
            "simpus-db",
        ),
        (
            "mac:02:00:00:00:00:0a",
            "02:00:00:00:00:0a",
            "10.30.0.10",
            "printer-tu",
        ),
        ("ip:10.30.0.9", "", "10.30.0.9", "pc-9"),
    ];
    send(
        &c,
        &token,
        &report_with_lan(&id, "simpus-db", 1, server_mac, &present),
    );
    let v = assets(&c, "?agency=dinkes");
    assert_eq!(v["assets"].as_array().unwrap().len(), 3, "{v}");
    let server = find(&v, "simpus-db");
    assert_eq!(server["id"], format!("agent:{id}"));
    assert_eq!(server["source"], "agent+lan");
    assert_eq!(server["type"], "server");
    assert_eq!(server["site"], "kantor-dinkes");
    assert_eq!(server["addresses"], serde_json::json!(["10.30.0.5"]));
    assert_eq!(server["macs"], serde_json::json!([server_mac]));
    assert_eq!(server["serial"], "7XK2Q33");
    assert_eq!(server["os"], "Debian GNU/Linux 12 (bookworm)");
    assert_eq!(server["cpu_threads"], 20);
    assert_eq!(server["memory_bytes"], 68719476736u64);
    assert_eq!(server["status"], "present");
    assert_eq!(find(&v, "printer-tu")["status"], "present");
    assert_eq!(v["counts"]["present"], 3);

    // the printer leaves: a new diagram version without it; it stays, not seen since
    std::thread::sleep(Duration::from_millis(1100));
    send(
        &c,
        &token,
        &report_with_lan(&id, "simpus-db", 2, server_mac, &[present[0], present[2]]),
    );
    let v = assets(&c, "?agency=dinkes");
    let printer = find(&v, "printer-tu");
    assert_eq!(printer["status"], "not_seen", "{printer}");
    assert!(printer["last_seen_seconds"].as_f64().unwrap() > 0.0);
    assert_eq!(find(&v, "simpus-db")["status"], "present");
    let v = assets(&c, "?agency=dinkes&status=not_seen");
    assert_eq!(v["assets"].as_array().unwrap().len(), 1, "{v}");
    let (code, bad) = get_json(&c.url("/api/v1/assets?status=gone"));
    assert_eq!(code, 400);
    assert!(
        bad["error"]
            .as_str()
            .unwrap()
            .contains("all, present, not_seen or never_seen"),
        "{bad}"
    );

    // recorded through the API with an administrator token, audited
    let (_, admin, _) = c.cli(&["admin", "add", "--name", "Budi"]);
    let bearer = format!("Bearer {}", admin.trim());
    let put = |asset: &str, body: &str, auth: &str| {
        request(
            "PUT",
            &c.url(&format!("/api/v1/assets/{}", seg(asset))),
            &[
                ("authorization", auth),
                ("content-type", "application/json"),
            ],
            body.as_bytes(),
        )
    };
    let server_id = format!("agent:{id}");
    let (code, out) = put(
        &server_id,
        r#"{"asset_tag": "KB-02.06.01.0001", "responsible": "Ani (Seksi TIK)", "procurement_year": 2021}"#,
        &bearer,
    );
    assert_eq!(code, 200, "{out}");
    let out: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(out["changes"].as_array().unwrap().len(), 3, "{out}");
    let (code, bad) = put(&server_id, r#"{"procurement_year": 1900}"#, &bearer);
    assert_eq!(code, 422, "{bad}");
    assert!(
        bad.contains("procurement_year") && bad.contains("1900 is not a year from 1970"),
        "{bad}"
    );
    let (code, bad) = put(&server_id, r#"{"colour": "red"}"#, &bearer);
    assert_eq!(code, 400, "{bad}");
    assert!(bad.contains("unknown field `colour`"), "{bad}");
    // an agency user's token may read but not record (agency_users_edit is off)
    c.add_user("ani", &["--role", "agency", "--agency", "dinkes"], PW);
    let (_, ani_token, _) = c.cli(&["user", "token", "ani"]);
    let (code, bad) = put(
        &server_id,
        r#"{"location": "Ruang Server"}"#,
        &format!("Bearer {}", ani_token.trim()),
    );
    assert_eq!(code, 403, "{bad}");
    assert!(bad.contains("agency_users_edit"), "{bad}");
    let (code, one) = get_json(&c.url(&format!("/api/v1/assets/{}", seg(&server_id))));
    assert_eq!(code, 200, "{one}");
    assert_eq!(one["asset"]["asset_tag"], "KB-02.06.01.0001");
    let history = one["history"].as_array().unwrap();
    assert_eq!(history.len(), 3, "{one}");
    assert!(
        history.iter().all(|h| h["changed_by"]
            .as_str()
            .unwrap()
            .starts_with("Budi (admin token")
            && h["via"] == "api"),
        "{one}"
    );
    let year = history
        .iter()
        .find(|h| h["field"] == "procurement_year")
        .unwrap();
    assert_eq!(
        (&year["old_value"], &year["new_value"]),
        (&"".into(), &"2021".into())
    );

    // an import with a bad row changes nothing and names the line
    let import = |body: &str, query: &str| {
        request(
            "POST",
            &c.url(&format!("/api/v1/assets/import{query}")),
            &[("authorization", &bearer)],
            body.as_bytes(),
        )
    };
    let file = "mac;kode_barang;lokasi;tahun_pengadaan\n02:00:00:00:00:0a;KB-02.06.03.0007;Ruang TU;2019\n02:00:00:00:00:ff;KB-9;Gudang;2020\n";
    let (code, out) = import(file, "");
    assert_eq!(code, 422, "{out}");
    let out: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(out["applied"], false);
    assert_eq!(
        out["errors"],
        serde_json::json!([{"line": 3, "message": "no asset has MAC address 02:00:00:00:00:ff"}])
    );
    let v = assets(&c, "?agency=dinkes");
    assert_eq!(
        find(&v, "printer-tu")["asset_tag"],
        "",
        "nothing was imported"
    );
    // a file over the limit: the API's JSON error, naming the limit
    // (through curl: it sends the body after a 100 Continue, so the early answer is
    // read, where a client writing the whole body may find the connection closed)
    let big = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(big.path(), "x".repeat(5 << 20)).unwrap();
    let auth = format!("authorization: {bearer}");
    let data = format!("@{}", big.path().display());
    let url = c.url("/api/v1/assets/import?dry_run=true");
    let a = simpul_e2e::curl::curl_with(
        &[
            "--max-time",
            "20",
            "-X",
            "POST",
            &url,
            "-H",
            &auth,
            "--data-binary",
            &data,
        ],
        b"",
    );
    let (code, out) = (a.status, a.body);
    assert_eq!(code, 413, "{out}");
    assert!(out.contains("\"error\"") && out.contains("4 MiB"), "{out}");
    // a dry run lists the changes; then the import writes them, audited as an import
    let good = "\u{feff}mac;kode_barang;lokasi;tahun_pengadaan\n02:00:00:00:00:0a;KB-02.06.03.0007;Ruang TU;2019\n";
    let (code, dry) = import(good, "?dry_run=true");
    assert_eq!(code, 200, "{dry}");
    let dry: serde_json::Value = serde_json::from_str(&dry).unwrap();
    assert_eq!(
        (
            dry["applied"].as_bool(),
            dry["changes"][0]["changes"].as_array().unwrap().len()
        ),
        (Some(false), 3),
        "{dry}"
    );
    assert_eq!(
        find(&assets(&c, "?agency=dinkes"), "printer-tu")["asset_tag"],
        ""
    );
    let (code, done) = import(good, "");
    assert_eq!(code, 200, "{done}");
    assert!(done.contains("\"applied\":true"), "{done}");
    let printer = find(&assets(&c, "?agency=dinkes"), "printer-tu").clone();
    assert_eq!(
        (
            printer["asset_tag"].as_str(),
            printer["location"].as_str(),
            printer["procurement_year"].as_i64()
        ),
        (Some("KB-02.06.03.0007"), Some("Ruang TU"), Some(2019))
    );
    let (_, one) = get_json(&c.url(&format!(
        "/api/v1/assets/{}",
        seg(printer["id"].as_str().unwrap())
    )));
    assert!(
        one["history"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["via"] == "import"),
        "{one}"
    );
    // the tag names one asset: another asset cannot take it
    let (code, bad) = put(&server_id, r#"{"asset_tag": "KB-02.06.03.0007"}"#, &bearer);
    assert_eq!(code, 409, "{bad}");
    // null clears a field; a MAC typed with dashes is searched as stored
    let (code, out) = put(&server_id, r#"{"responsible": null}"#, &bearer);
    assert_eq!(code, 200, "{out}");
    assert!(
        out.contains(r#""field":"responsible","new_value":"","old_value":"Ani (Seksi TIK)""#),
        "{out}"
    );
    let found = assets(&c, "?q=02-00-00-00-00-0A");
    assert_eq!(found["assets"].as_array().unwrap().len(), 1, "{found}");
    assert_eq!(found["assets"][0]["name"], "printer-tu");
    // writes need a token, not the pages' cookie (which carries no CSRF token here)
    c.add_user("budi", &["--role", "admin"], PW);
    let cookie = login(&c, "budi", PW);
    let a = curl(
        &c.url(&format!("/api/v1/assets/{}", seg(&server_id))),
        "PUT",
        &[&cookie, "Content-Type: application/json"],
        "",
    );
    assert_eq!(a.status, 401, "{}", a.body);

    // the register's CSV: the inventory's columns first, then the register's
    let (code, csv) = simpul_e2e::get(&c.url("/api/v1/assets?agency=dinkes&format=csv"));
    assert_eq!(code, 200);
    let rows = simpul_e2e::curl::csv_rows(&csv);
    assert_eq!(&rows[0][..3], ["agency", "agency_name", "asset_type"]);
    assert_eq!(rows[0].last().unwrap(), "asset_id");
    assert_eq!(rows.len(), 4, "{csv}");

    // the yearly report's asset register is the same register, with what was recorded
    let year =
        serde_json::from_str::<serde_json::Value>(&simpul_e2e::get(&c.url("/api/v1/scorecard")).1)
            .unwrap()["period"]
            .as_str()
            .unwrap()[..4]
            .to_owned();
    let (code, pdf) =
        simpul_e2e::get_bytes(&c.url(&format!("/agencies/dinkes/reports/{year}.pdf")));
    assert_eq!(code, 200);
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), &pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-layout"])
        .arg(file.path())
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "KB-02.06.01.0001",
        "KB-02.06.03.0007",
        "not seen since",
        "Ruang TU",
    ] {
        assert!(
            text.contains(needle),
            "the report's register lacks {needle:?}"
        );
    }

    pages(&c, &cookie, &server_id, printer["id"].as_str().unwrap());
}

/// The pages: the register, an asset's form (a refused value keeps what was typed),
/// the import with its check, and screenshots at desktop and phone width.
fn pages(c: &Collector, cookie: &str, server_id: &str, printer_id: &str) {
    let get = |path: &str| curl(&c.url(path), "GET", &[cookie], "");
    let page = get("/inventory?agency=dinkes");
    assert_eq!(page.status, 200);
    for text in [
        "simpus-db",
        "printer-tu",
        "pc-9",
        "not seen",
        "KB-02.06.01.0001",
        "10 cores / 20 threads",
        "Debian GNU/Linux 12",
        "S/N 7XK2Q33",
    ] {
        assert!(page.body.contains(text), "/inventory lacks {text:?}");
    }
    let printer_page = format!("/assets/{}", seg(printer_id));
    let form = get(&printer_page);
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(
        form.body.contains("Ruang TU") && form.body.contains("import"),
        "the page shows the recorded values and their audit"
    );
    let token = csrf(&form.body);
    let post = |body: &str| -> Answer {
        curl(
            &c.url(&printer_page),
            "POST",
            &[cookie],
            &format!("csrf={token}&{body}"),
        )
    };
    let a = post("asset_tag=KB-02.06.03.0007&responsible=Rina&location=Ruang+TU&procurement_year=19x9&notes=");
    assert_eq!(a.status, 422, "{}", a.body);
    assert!(
        a.body.contains("19x9")
            && a.body.contains("Nothing was saved")
            && a.body.contains("value=\"Rina\""),
        "the refused form keeps what was typed"
    );
    let a = post("asset_tag=KB-02.06.03.0007&responsible=Rina&location=Ruang+TU&procurement_year=2019&notes=Pinjaman+dari+Setda");
    assert_eq!(a.status, 303, "{}", a.head);
    let (_, one) = get_json(&c.url(&format!("/api/v1/assets/{}", seg(printer_id))));
    assert_eq!(one["asset"]["responsible"], "Rina");
    assert_eq!(one["history"][0]["via"], "web");
    assert_eq!(
        curl(&c.url(&printer_page), "POST", &[cookie], "asset_tag=x").status,
        403,
        "no CSRF token"
    );

    // the import page: a check lists what would change; applying writes it
    let form = get("/inventory/import");
    assert_eq!(form.status, 200);
    let token = csrf(&form.body);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("aset.csv");
    std::fs::write(&file, "mac,penanggung_jawab\n02:00:00:00:00:01,Dedi\n").unwrap();
    let upload = |fields: &[String]| {
        let mut args = vec![
            "--max-time".to_owned(),
            "20".into(),
            "-H".into(),
            cookie.to_owned(),
        ];
        for f in fields {
            args.extend(["-F".to_owned(), f.clone()]);
        }
        args.push(c.url("/inventory/import"));
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        curl_with(&refs, b"")
    };
    let checked = upload(&[
        format!("csrf={token}"),
        format!("file=@{}", file.display()),
        "action=check".into(),
    ]);
    assert_eq!(checked.status, 200, "{}", checked.body);
    assert!(
        checked.body.contains("1 asset would change") && checked.body.contains("Dedi"),
        "{}",
        checked.body
    );
    let value = |name: &str| {
        checked
            .body
            .split(&format!("name=\"{name}\" value=\""))
            .nth(1)
            .and_then(|s| s.split('"').next())
            .unwrap()
            .to_owned()
    };
    let (content, digest) = (value("content"), value("digest"));
    let applied = upload(&[
        format!("csrf={token}"),
        format!("content={content}"),
        format!("digest={digest}"),
        "action=apply".into(),
    ]);
    assert_eq!(applied.status, 200, "{}", applied.body);
    assert!(applied.body.contains("Imported:"), "{}", applied.body);
    let (_, one) = get_json(&c.url(&format!("/api/v1/assets/{}", seg(server_id))));
    assert_eq!(one["asset"]["responsible"], "Dedi");

    // in Indonesian: before a choice the browser's language, then the user's choice,
    // which every later session keeps
    let id_header = "Accept-Language: id-ID,id;q=0.9,en;q=0.5";
    let pages_id = |headers: &[&str]| -> Vec<(String, String)> {
        [
            "/inventory?agency=dinkes",
            printer_page.as_str(),
            "/inventory/import",
        ]
        .iter()
        .map(|p| {
            let a = curl(&c.url(p), "GET", headers, "");
            assert_eq!(a.status, 200, "{p}");
            ((*p).to_owned(), a.body)
        })
        .collect()
    };
    for (p, html) in pages_id(&[cookie, id_header]) {
        assert!(html.contains("<html lang=\"id\">"), "{p}");
        assert_indonesian(&p, &html);
    }
    let inv = curl(
        &c.url("/inventory?agency=dinkes"),
        "GET",
        &[cookie, id_header],
        "",
    )
    .body;
    for text in [
        "Inventaris aset TIK",
        "Perangkat Daerah",
        "tidak terlihat",
        "10 inti / 20 utas",
        "RAM 64,0 GiB",
        "1 disk, 1,7 TiB",
    ] {
        assert!(inv.contains(text), "the Indonesian register lacks {text:?}");
    }
    // before a login, the browser's language
    let login_id = curl(&c.url("/login"), "GET", &[id_header], "").body;
    assert!(login_id.contains("<html lang=\"id\">") && login_id.contains("Nama pengguna"));
    assert_indonesian("/login", &login_id);
    let login_en = curl(&c.url("/login"), "GET", &["Accept-Language: en-GB"], "").body;
    assert!(login_en.contains("User name"));
    let english = curl(
        &c.url("/inventory"),
        "GET",
        &[cookie, "Accept-Language: en-US"],
        "",
    )
    .body;
    assert!(english.contains("<html lang=\"en\">") && english.contains("ICT asset register"));
    let token = csrf(&english);
    let switch = curl(
        &c.url("/language"),
        "POST",
        &[
            cookie,
            &format!("Referer: {}", c.url("/inventory?agency=dinkes")),
        ],
        &format!("csrf={token}&lang=id"),
    );
    assert_eq!(switch.status, 303, "{}", switch.head);
    assert!(
        switch.head.contains("location: /inventory?agency=dinkes"),
        "{}",
        switch.head
    );
    let again = login(c, "budi", PW);
    for (p, html) in pages_id(&[&again, "Accept-Language: en-US"]) {
        assert!(
            html.contains("<html lang=\"id\">"),
            "the choice outlives the session and the browser: {p}"
        );
        assert_indonesian(&p, &html);
    }
    // the register's CSV for a spreadsheet in the Indonesian locale: BOM, ';', decimal
    // commas; `sep=comma` for the other convention
    let csv = curl(&c.url("/inventory.csv?agency=dinkes"), "GET", &[&again], "").body;
    let csv = csv.split("\r\n\r\n").nth(1).unwrap_or(&csv).to_owned();
    assert!(
        csv.starts_with("\u{feff}Kode Perangkat Daerah;Nama Perangkat Daerah;Jenis aset;Nama;"),
        "{csv}"
    );
    assert!(csv.contains(";Dinas Kesehatan;server;simpus-db;"), "{csv}");
    let comma = curl(
        &c.url("/inventory.csv?agency=dinkes&sep=comma"),
        "GET",
        &[&again],
        "",
    )
    .body;
    assert!(comma.contains(",Dinas Kesehatan,server,simpus-db,") && !comma.contains('\u{feff}'));
    assert_eq!(
        curl(
            &c.url("/language"),
            "POST",
            &[cookie],
            &format!("csrf={token}&lang=fr")
        )
        .status,
        400
    );

    // in a real browser, at desktop and phone width
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let b = browser::Browser::start(dir.path()).await;
        b.login(c, "budi", PW).await;
        // budi chose Indonesian above: the pages in Indonesian, then the switch on the
        // page itself back to English
        for (path, shot) in [
            ("/inventory".to_owned(), "assets-register-id"),
            (printer_page.clone(), "assets-asset-id"),
            ("/inventory/import".to_owned(), "assets-import-id"),
        ] {
            b.client.goto(&c.url(&path)).await.unwrap();
            assert!(b.text().await.contains("Keluar"), "{path} in Indonesian");
            b.shot(shot).await;
        }
        b.client.goto(&c.url("/inventory")).await.unwrap();
        b.click("form.language button").await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(
            b.text().await.contains("ICT asset register"),
            "switched to English"
        );
        for (path, shot) in [
            ("/inventory".to_owned(), "assets-register"),
            (printer_page.clone(), "assets-asset"),
            (format!("/assets/{}", seg(server_id)), "assets-server"),
        ] {
            b.client.goto(&c.url(&path)).await.unwrap();
            b.shot(shot).await;
        }
        b.client.set_window_size(390, 844).await.unwrap();
        for (path, shot) in [
            ("/inventory".to_owned(), "assets-register-phone"),
            (printer_page.clone(), "assets-asset-phone"),
        ] {
            b.client.goto(&c.url(&path)).await.unwrap();
            tokio::time::sleep(Duration::from_millis(200)).await;
            let (scroll, inner) = b.widths().await;
            assert!(
                scroll <= inner,
                "{path} scrolls sideways on a phone: {scroll} > {inner}"
            );
            b.shot(shot).await;
        }
        b.client.clone().close().await.unwrap();
    });
}
