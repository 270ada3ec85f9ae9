//! The agencies' websites through the real collector (issue 26): HTTPS and HTTP servers
//! started by the test on 127.0.0.1 (names pinned with `address`, certificates from a
//! CA the test makes, given as `ca_file`), probed by the collector's own prober; `GET
//! /api/v1/websites` and `/metrics` say which is up, which certificate expires or is
//! expired, which site is outside the official domain; the pages show the same in
//! English and Indonesian, an agency's user only their agency's sites. A second test
//! runs the collector and a real `openssl s_server` in network namespaces, the names
//! resolved through the namespace's hosts file.

#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use rcgen::{CertificateParams, CertifiedIssuer, DnType, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use simpul_e2e::curl::{curl, login};
use simpul_e2e::{get_json, sample, Collector};

const PW: &str = "kata-sandi-yang-cukup-panjang";

mod bilingual;
mod browser;
mod test_ca;

/// HTML5 parse errors of a page.
fn html_errors(html: &str) -> Vec<String> {
    use html5ever::tendril::TendrilSink;
    let dom = html5ever::parse_document(markup5ever_rcdom::RcDom::default(), Default::default())
        .one(html);
    let errors = dom.errors.borrow().iter().map(|e| e.to_string()).collect();
    errors
}
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// An HTTPS (or, without a certificate, HTTP) server on 127.0.0.1 answering every
/// request with a page, on a thread of its own; stopped with the test's runtime.
fn serve(rt: &tokio::runtime::Runtime, tls: Option<Arc<rustls::ServerConfig>>) -> u16 {
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    rt.spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let tls = tls.clone();
            tokio::spawn(async move {
                let page =
                    "HTTP/1.1 200 OK\r\nContent-Length: 30\r\n\r\n<h1>Pemerintah Kota Uji</h1>\r\n";
                match tls {
                    Some(cfg) => {
                        if let Ok(mut s) = tokio_rustls::TlsAcceptor::from(cfg).accept(tcp).await {
                            let mut b = [0u8; 4096];
                            let _ = s.read(&mut b).await;
                            let _ = s.write_all(page.as_bytes()).await;
                            let _ = s.shutdown().await;
                        }
                    }
                    None => {
                        let mut tcp = tcp;
                        let mut b = [0u8; 4096];
                        let _ = tcp.read(&mut b).await;
                        let _ = tcp.write_all(page.as_bytes()).await;
                    }
                }
            });
        }
    });
    port
}

fn server_config(
    ca: &CertifiedIssuer<'static, KeyPair>,
    name: &str,
    from_days: i64,
    to_days: i64,
) -> Arc<rustls::ServerConfig> {
    let mut p = CertificateParams::new(vec![name.to_owned()]).unwrap();
    p.distinguished_name.push(DnType::CommonName, name);
    let now = time::OffsetDateTime::now_utc();
    p.not_before = now + time::Duration::days(from_days);
    p.not_after = now + time::Duration::days(to_days);
    let key = KeyPair::generate().unwrap();
    let cert = p.signed_by(&key, ca).unwrap();
    let chain: Vec<CertificateDer<'static>> = vec![cert.der().clone()];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    Arc::new(
        rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap(),
    )
}

/// A collector probing four sites served by `rt` on 127.0.0.1, with certificates from a
/// CA made in `dir`: diskominfo's `portal` (valid, 20 days left), `lapor` (outside the
/// official domain) and `ppid` (nothing listens), dinkes's `dinkes-portal` (expired).
fn four_sites(rt: &tokio::runtime::Runtime, dir: &std::path::Path) -> Collector {
    let ca = test_ca::ca();
    let ca_file = dir.join("ca.pem");
    std::fs::write(&ca_file, ca.pem()).unwrap();
    let portal = serve(
        rt,
        Some(server_config(&ca, "www.pekalongankota.go.id", -1, 20)),
    );
    let expired = serve(
        rt,
        Some(server_config(&ca, "dinkes.pekalongankota.go.id", -60, -3)),
    );
    let outside = serve(
        rt,
        Some(server_config(&ca, "evilpekalongankota.go.id", -1, 200)),
    );
    let closed = simpul_e2e::free_port();
    let site = |id: &str, agency: &str, url: String| {
        format!(
            "[[websites]]\nid = \"{id}\"\nagency = \"{agency}\"\nurl = \"{url}\"\naddress = \"127.0.0.1\"\nca_file = \"{}\"\ntimeout_secs = 3\n",
            ca_file.display()
        )
    };
    let tables = [
        site(
            "portal",
            "diskominfo",
            format!("https://www.pekalongankota.go.id:{portal}/"),
        ),
        site(
            "dinkes-portal",
            "dinkes",
            format!("https://dinkes.pekalongankota.go.id:{expired}/"),
        ),
        site(
            "lapor",
            "diskominfo",
            format!("https://evilpekalongankota.go.id:{outside}/"),
        ),
        site(
            "ppid",
            "diskominfo",
            format!("http://ppid.pekalongankota.go.id:{closed}/"),
        ),
    ]
    .join("\n");
    Collector::start_full(
        "official_domains = [\"pekalongankota.go.id\"]\nwebsite_probe_interval = \"10s\"\n",
        &tables,
    )
}

#[test]
fn the_collector_probes_the_websites_and_reports_state_certificate_and_domain() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let c = four_sites(&rt, dir.path());
    // the first round runs at start
    let start = Instant::now();
    let sites = loop {
        let (code, body) = get_json(&c.url("/api/v1/websites"));
        assert_eq!(code, 200, "{body}");
        let sites = body["websites"].as_array().unwrap().clone();
        if sites.iter().all(|s| !s["state"].is_null()) {
            break sites;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "not probed: {body:#}\n{}",
            c.log()
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    let by_id = |id: &str| sites.iter().find(|s| s["id"] == id).unwrap().clone();
    let portal_site = by_id("portal");
    assert_eq!(portal_site["state"], "up", "{portal_site:#}");
    assert_eq!(portal_site["status"], 200);
    assert_eq!(portal_site["domain_rule"]["official"], true);
    assert_eq!(portal_site["domain_rule"]["domain"], "pekalongankota.go.id");
    let cert = &portal_site["certificate"];
    assert_eq!(cert["verdict"], "valid", "{cert:#}");
    let days = cert["days_to_expiry"].as_f64().unwrap();
    assert!(days > 19.9 && days <= 20.0, "{days}");
    assert_eq!(cert["chain"][0]["sans"][0], "www.pekalongankota.go.id");
    assert_eq!(cert["chain"][0]["issuer"], "CN=Simpul test CA");
    let rs = &portal_site["response_seconds"];
    assert!(
        rs["tls"].as_f64().unwrap() > 0.0 && rs["dns"].as_f64().unwrap() == 0.0,
        "{rs}"
    );
    let dinkes = by_id("dinkes-portal");
    assert_eq!(dinkes["state"], "certificate_invalid", "{dinkes:#}");
    assert_eq!(dinkes["certificate"]["verdict"], "expired");
    assert!(
        dinkes["reason"]
            .as_str()
            .unwrap()
            .contains("the certificate of dinkes.pekalongankota.go.id: expired "),
        "{dinkes:#}"
    );
    let lapor = by_id("lapor");
    assert_eq!(lapor["state"], "up");
    assert_eq!(lapor["domain_rule"]["official"], false, "{lapor:#}");
    assert_eq!(
        lapor["domain_rule"]["reason"],
        "evilpekalongankota.go.id is not under an official domain (pekalongankota.go.id)"
    );
    let ppid = by_id("ppid");
    assert_eq!(ppid["state"], "connect_failed", "{ppid:#}");
    assert!(ppid["certificate"].is_null());
    // availability over the current month from the probes so far
    let av = &portal_site["availability"];
    assert_eq!(av["availability_ratio"], 1.0, "{av:#}");
    assert!(av["outages"].as_array().unwrap().is_empty(), "{av:#}");
    assert!(av["verdict"].is_null() && av["complete"] == false, "{av:#}");
    let av = &dinkes["availability"];
    assert_eq!(av["availability_ratio"], 0.0, "{av:#}");
    assert_eq!(av["outages"][0]["ongoing"], true, "{av:#}");
    assert!(
        av["from"].as_str().unwrap().ends_with("-01T00:00:00+07:00"),
        "{av:#}"
    );
    let (code, e) = get_json(&c.url("/api/v1/websites/portal?period=2026-13"));
    assert_eq!(code, 400, "{e}");
    let (code, old) = get_json(&c.url("/api/v1/websites/portal?period=2020"));
    assert_eq!(code, 200, "{old}");
    assert!(
        old["availability"]["availability_ratio"].is_null(),
        "{old:#}"
    );
    assert_eq!(
        old["availability"]["unknown_seconds"].as_f64().unwrap(),
        366.0 * 86400.0
    );

    // nobody reads them without a token or a login
    assert_eq!(simpul_e2e::get_anonymous(&c.url("/api/v1/websites")).0, 401);
    assert_eq!(
        simpul_e2e::get_anonymous(&c.url("/api/v1/websites/portal/checks")).0,
        401
    );

    // the stored probes of a site
    let (code, h) = get_json(&c.url("/api/v1/websites/dinkes-portal/checks"));
    assert_eq!(code, 200, "{h}");
    let first = &h["checks"][0];
    assert_eq!(
        (
            &first["prober"],
            &first["state"],
            &first["certificate_verdict"]
        ),
        (
            &serde_json::json!("collector"),
            &serde_json::json!("certificate_invalid"),
            &serde_json::json!("expired")
        ),
        "{h:#}"
    );
    assert_eq!(h["truncated"], false);
    let (code, e) = get_json(&c.url("/api/v1/websites/dinkes-portal/checks?limit=0"));
    assert_eq!(code, 400, "{e}");
    let (code, e) = get_json(&c.url("/api/v1/websites/nope/checks"));
    assert_eq!(code, 404, "{e}");

    // one site, and a site that does not exist
    let (code, one) = get_json(&c.url("/api/v1/websites/portal"));
    assert_eq!((code, &one["id"]), (200, &serde_json::json!("portal")));
    let (code, e) = get_json(&c.url("/api/v1/websites/nope"));
    assert_eq!(code, 404, "{e}");
    assert!(
        e["error"]
            .as_str()
            .unwrap()
            .contains("no website with id \"nope\""),
        "{e}"
    );
    let (code, e) = get_json(&c.url("/api/v1/websites?agency=dinkes&x=1"));
    assert_eq!(code, 400, "{e}");
    let (code, only) = get_json(&c.url("/api/v1/websites?agency=dinkes"));
    assert_eq!(code, 200);
    assert_eq!(only["websites"].as_array().unwrap().len(), 1, "{only:#}");

    // the metrics, labelled by agency and website
    // the prober reads the round back for /metrics just after storing it
    let start = Instant::now();
    let m = loop {
        let m = c.metrics();
        if m.contains("simpul_website_availability_ratio{agency=\"dinkes\"") {
            break m;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "{m}");
        std::thread::sleep(Duration::from_millis(100));
    };
    let s = |series: &str| sample(&m, series).unwrap_or_else(|| panic!("no {series} in:\n{m}"));
    assert_eq!(
        s("simpul_website_up{agency=\"diskominfo\",website=\"portal\"}"),
        1.0
    );
    assert_eq!(
        s("simpul_website_up{agency=\"dinkes\",website=\"dinkes-portal\"}"),
        0.0
    );
    assert_eq!(
        s("simpul_website_up{agency=\"diskominfo\",website=\"ppid\"}"),
        0.0
    );
    assert_eq!(
        s("simpul_certificate_valid{agency=\"dinkes\",website=\"dinkes-portal\"}"),
        0.0
    );
    assert_eq!(
        s("simpul_website_official_domain{agency=\"diskominfo\",website=\"lapor\"}"),
        0.0
    );
    assert_eq!(
        s("simpul_website_official_domain{agency=\"diskominfo\",website=\"portal\"}"),
        1.0
    );
    let expiry =
        s("simpul_certificate_expiry_timestamp_seconds{agency=\"diskominfo\",website=\"portal\"}");
    assert_eq!(expiry, cert["not_after"].as_f64().unwrap());
    assert!(s("simpul_website_response_seconds{agency=\"diskominfo\",website=\"portal\",phase=\"tls\"}") > 0.0);
    assert!(sample(
        &m,
        "simpul_certificate_expiry_timestamp_seconds{agency=\"diskominfo\",website=\"ppid\"}"
    )
    .is_none());

    assert_eq!(
        s("simpul_website_availability_ratio{agency=\"diskominfo\",website=\"portal\",period=\"current_month\"}"),
        1.0
    );
    assert_eq!(
        s("simpul_website_availability_ratio{agency=\"dinkes\",website=\"dinkes-portal\",period=\"current_month\"}"),
        0.0
    );
    // the exposition with the websites' families passes promtool
    let said = simpul_e2e::promtool_check_metrics(&m);
    assert!(
        !said.contains("simpul_website") && !said.contains("simpul_certificate"),
        "{said}"
    );

    // the pages, in English and in Indonesian, for an admin and for an agency's user
    c.add_user("budi", &["--role", "admin"], PW);
    c.add_user("ani", &["--role", "agency", "--agency", "dinkes"], PW);
    let admin = login(&c, "budi", PW);
    let a = curl(&c.url("/websites"), "GET", &[&admin], "");
    assert_eq!(a.status, 200, "{}", a.head);
    assert!(
        html_errors(&a.body).is_empty(),
        "{:?}",
        html_errors(&a.body)
    );
    for want in [
        "Websites and electronic certificates",
        "certificate invalid",
        "outside the official domain",
        "evilpekalongankota.go.id is not under an official domain (pekalongankota.go.id)",
        "connect failed",
        "days left",
        "issuer: CN=Simpul test CA",
        "href=\"/websites/dinkes\"",
        // the portal's certificate has 20 days left: valid, in amber as on the scorecard
        "<span class=\"badge warn\">valid</span>",
        // the lapor site's has 200: green
        "<span class=\"badge good\">valid</span>",
    ] {
        assert!(
            a.body.contains(want),
            "{want} not in /websites:\n{}",
            a.body
        );
    }
    let a = curl(
        &c.url("/websites/dinkes"),
        "GET",
        &[&admin, "Accept-Language: id"],
        "",
    );
    assert_eq!(a.status, 200, "{}", a.head);
    for want in [
        "sertifikat tidak sah",
        "kedaluwarsa",
        "hari lalu",
        "di domain resmi",
        "WIB",
    ] {
        assert!(
            a.body.contains(want),
            "{want} not in /websites/dinkes:\n{}",
            a.body
        );
    }
    assert!(
        !a.body.contains("www.pekalongankota.go.id"),
        "another agency's site on the dinkes page"
    );
    let agency_user = login(&c, "ani", PW);
    let a = curl(&c.url("/websites"), "GET", &[&agency_user], "");
    assert_eq!(a.status, 200, "{}", a.head);
    assert!(
        a.body.contains("dinkes.pekalongankota.go.id")
            && !a.body.contains("www.pekalongankota.go.id"),
        "{}",
        a.body
    );
    assert_eq!(
        curl(&c.url("/websites/diskominfo"), "GET", &[&agency_user], "").status,
        404
    );

    // every probe is stored for availability
    let stored = c.count("SELECT count(*) FROM website_checks");
    assert!(stored >= 4, "{stored}");

    scorecard_and_report(&c, cert["not_after"].as_f64().unwrap());
    drop(rt);
}

/// The websites duty on the scorecard and the websites section of the yearly report,
/// Posts `report` as the agent of `token` with `headers`; the collector's answer
/// (status 200 asserted).
fn post_report(
    c: &Collector,
    token: &str,
    report: &serde_json::Value,
    headers: &[(&str, &str)],
) -> serde_json::Value {
    let bearer = format!("Bearer {token}");
    let mut all = vec![("authorization", bearer.as_str())];
    all.extend_from_slice(headers);
    let (code, body) = simpul_e2e::post(
        &c.url("/api/v1/reports"),
        &all,
        &serde_json::to_vec(report).unwrap(),
    );
    assert_eq!(code, 200, "{body}");
    serde_json::from_str(&body).unwrap()
}

/// from the sites of [`the_collector_probes_the_websites_and_reports_state_certificate_and_domain`]:
/// diskominfo's portal (certificate 20 days from expiry), lapor (outside the official
/// domain), ppid (down); dinkes's portal (expired certificate).
fn scorecard_and_report(c: &Collector, portal_not_after: f64) {
    // the duty engine evaluates every 5 s: wait for a tick after the first round
    let start = Instant::now();
    let rows = loop {
        let (code, body) = get_json(&c.url("/api/v1/scorecard"));
        assert_eq!(code, 200, "{body}");
        let rows = body["agencies"].as_array().unwrap().clone();
        let web = |r: &serde_json::Value| {
            r["duties"]
                .as_array()
                .unwrap()
                .iter()
                .find(|d| d["duty"] == "websites")
                .cloned()
        };
        if rows
            .iter()
            .all(|r| web(r).is_some_and(|d| d["state"] != "no_data"))
        {
            break rows
                .iter()
                .map(|r| (r["agency"].as_str().unwrap().to_owned(), web(r).unwrap()))
                .collect::<Vec<_>>();
        }
        assert!(start.elapsed() < Duration::from_secs(30), "{body:#}");
        std::thread::sleep(Duration::from_millis(250));
    };
    let duty = |a: &str| rows.iter().find(|(id, _)| id == a).unwrap().1.clone();
    let dinkes = duty("dinkes");
    assert_eq!(dinkes["state"], "failing", "{dinkes}");
    assert_eq!(
        dinkes["reason"],
        "1 certificate does not verify (expired, unknown CA or wrong name)"
    );
    assert_eq!(dinkes["link"], "/websites/dinkes");
    let kominfo = duty("diskominfo");
    assert_eq!(kominfo["state"], "failing", "{kominfo}");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    let days = ((portal_not_after - now) / 86_400.0).floor();
    assert_eq!(
        kominfo["reason"],
        format!(
            "1 site down now, 1 site outside the official domain, \
             1 certificate expires soon, the first in {days} days, 1 site without HTTPS"
        )
    );
    // an agency without a site: not applicable
    if let Some((_, other)) = rows
        .iter()
        .find(|(id, _)| id != "dinkes" && id != "diskominfo")
    {
        assert_eq!(other["state"], "not_applicable", "{other}");
    }
    // the CSV's columns
    let (code, csv) = simpul_e2e::get_bytes(&c.url("/api/v1/scorecard?format=csv"));
    assert_eq!(code, 200);
    let csv = String::from_utf8(csv).unwrap();
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .contains(",websites,websites_reason,"),
        "{csv}"
    );

    // the yearly report, in both languages: a section and a sheet
    // the report of the current month's year (in the collector's zone)
    let (_, sc) = get_json(&c.url("/api/v1/scorecard"));
    let year = sc["period"].as_str().unwrap()[..4].to_owned();
    for (lang, heading, expired, outside, sheet, website_col, verdict_col) in [
        (
            "en",
            "6. Websites and electronic certificates",
            "expired",
            "outside the official domain: evilpekalongankota.go.id is not under an official domain",
            "websites",
            "website",
            "certificate_verdict",
        ),
        (
            "id",
            "6. Situs web dan sertifikat elektronik",
            "kedaluwarsa",
            "di luar domain resmi: evilpekalongankota.go.id tidak berada di bawah domain resmi",
            "Situs web",
            "Situs web",
            "Penilaian sertifikat",
        ),
    ] {
        let (code, pdf) =
            simpul_e2e::get_bytes(&c.url(&format!("/reports/{year}.pdf?lang={lang}")));
        assert_eq!(code, 200, "{}", String::from_utf8_lossy(&pdf));
        // kept to look at: target/report-artifacts/websites-report-{lang}.pdf
        let kept = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../target/report-artifacts")
            .join(format!("websites-report-{lang}.pdf"));
        std::fs::create_dir_all(kept.parent().unwrap()).unwrap();
        std::fs::write(&kept, &pdf).unwrap();
        let out = std::process::Command::new(simpul_e2e::need("pdftotext"))
            .arg(&kept)
            .arg("-")
            .output()
            .unwrap();
        // one line per paragraph line: join them to read a cell that wraps
        let text = String::from_utf8(out.stdout)
            .unwrap()
            .replace('\u{a0}', " ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        for want in [heading, expired, outside, "dinkes-portal", "ppid"] {
            assert!(
                text.contains(want),
                "{lang}: {want:?} not in the report:\n{text}"
            );
        }
        let (code, xlsx) =
            simpul_e2e::get_bytes(&c.url(&format!("/reports/{year}.xlsx?lang={lang}")));
        assert_eq!(code, 200);
        use calamine::Reader;
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx)).unwrap();
        let rows: Vec<Vec<calamine::Data>> = book
            .worksheet_range(sheet)
            .unwrap_or_else(|e| panic!("{lang} {sheet}: {e}"))
            .rows()
            .map(<[calamine::Data]>::to_vec)
            .collect();
        let col = |name: &str| {
            rows[0]
                .iter()
                .position(|h| *h == name)
                .unwrap_or_else(|| panic!("{name} in {:?}", rows[0]))
        };
        assert_eq!(rows.len(), 5, "a head and four sites: {rows:?}");
        let row = rows
            .iter()
            .find(|r| r[col(website_col)] == "dinkes-portal")
            .unwrap();
        let verdict = if lang == "en" {
            "expired"
        } else {
            "kedaluwarsa"
        };
        assert_eq!(row[col(verdict_col)], verdict, "{row:?}");
    }
}

/// Removes `/etc/netns/<ns>` (the hosts file `ip netns exec` mounts over /etc/hosts)
/// when dropped, also after a failure.
struct EtcNetns(std::path::PathBuf);

impl Drop for EtcNetns {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
        // and /etc/netns itself when nothing else is in it
        if let Some(parent) = self.0.parent() {
            let _ = std::fs::remove_dir(parent);
        }
    }
}

/// Kills a process when dropped.
struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Inside network namespaces the test makes: a real `openssl s_server` on host h01
/// (10.250.0.1), and the collector in the scanner's namespace, whose /etc/hosts (through
/// `ip netns exec`) gives the official name and a look-alike one that address. The
/// names resolve for real (getaddrinfo, files), and the rule flags the look-alike.
#[test]
fn in_a_namespace_names_resolve_through_its_hosts_file_and_the_lookalike_is_flagged() {
    use simpul_e2e::netlab::{missing, NetLab};
    if let Some(why) = missing(&["openssl", "ss"]) {
        assert!(std::env::var_os("CI").is_none(), "{why}");
        eprintln!("skipped: {why}");
        return;
    }
    let Some(lab) = NetLab::up(1, false) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let ca = test_ca::ca();
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, ca.pem()).unwrap();
    let mut p = CertificateParams::new(vec!["www.pekalongankota.go.id".to_owned()]).unwrap();
    p.distinguished_name
        .push(DnType::CommonName, "www.pekalongankota.go.id");
    let key = KeyPair::generate().unwrap();
    let cert = p.signed_by(&key, &ca).unwrap();
    let (cert_file, key_file) = (dir.path().join("www.crt"), dir.path().join("www.key"));
    std::fs::write(&cert_file, cert.pem()).unwrap();
    std::fs::write(&key_file, key.serialize_pem()).unwrap();
    let _server = Killed(
        lab.command(&lab.host(1), std::path::Path::new("openssl"))
            .args([
                "s_server",
                "-quiet",
                "-www",
                "-accept",
                "10.250.0.1:8443",
                "-cert",
            ])
            .arg(&cert_file)
            .arg("-key")
            .arg(&key_file)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    // the collector probes at once: the server must be listening first
    let start = Instant::now();
    loop {
        let out = lab
            .command(&lab.host(1), std::path::Path::new("ss"))
            .args(["-Hltn"])
            .output()
            .unwrap();
        if String::from_utf8_lossy(&out.stdout).contains("10.250.0.1:8443") {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "openssl s_server is not listening"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let scan = lab.ns("scan");
    let etc = EtcNetns(std::path::Path::new("/etc/netns").join(&scan));
    std::fs::create_dir_all(&etc.0).unwrap();
    std::fs::write(
        etc.0.join("hosts"),
        "127.0.0.1 localhost\n10.250.0.1 www.pekalongankota.go.id evilpekalongankota.go.id\n",
    )
    .unwrap();
    let data = dir.path().join("data");
    let cfg = dir.path().join("collector.toml");
    let site = |id: &str, host: &str| {
        format!(
            "[[websites]]\nid = \"{id}\"\nagency = \"diskominfo\"\nurl = \"https://{host}:8443/\"\nca_file = \"{}\"\ntimeout_secs = 3\n",
            ca_file.display()
        )
    };
    std::fs::write(
        &cfg,
        format!(
            "listen = \"127.0.0.1:9810\"\ndata_dir = \"{}\"\nofficial_domains = [\"pekalongankota.go.id\"]\nwebsite_probe_interval = \"10s\"\n\n[[agencies]]\nid = \"diskominfo\"\n\n{}\n{}",
            data.display(),
            site("portal", "www.pekalongankota.go.id"),
            site("lookalike", "evilpekalongankota.go.id"),
        ),
    )
    .unwrap();
    let _collector = Killed(
        lab.command(&scan, &simpul_e2e::bin("simpul-collector"))
            .args(["serve", "--config"])
            .arg(&cfg)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    // the collector's newest probes, read from its database (it serves on the
    // namespace's loopback only)
    let start = Instant::now();
    let rows = loop {
        let rows: Vec<(String, String, Option<i64>, String)> =
            rusqlite::Connection::open(data.join("simpul.db"))
                .ok()
                .and_then(|db| {
                    let mut st = db
                        .prepare("SELECT website, state, official, check_json FROM website_latest ORDER BY website")
                        .ok()?;
                    let rows = st
                        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                        .ok()?
                        .collect::<Result<Vec<_>, _>>()
                        .ok()?;
                    Some(rows)
                })
                .unwrap_or_default();
        if rows.len() == 2 {
            break rows;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no probes stored: {rows:?}"
        );
        std::thread::sleep(Duration::from_millis(300));
    };
    let (lookalike, portal) = (&rows[0], &rows[1]);
    let json = |s: &str| serde_json::from_str::<serde_json::Value>(s).unwrap();
    let p = json(&portal.3);
    assert_eq!((portal.1.as_str(), portal.2), ("up", Some(1)), "{p:#}");
    assert_eq!(p["hops"][0]["address"], "10.250.0.1:8443");
    assert!(p["phases"]["dns_seconds"].as_f64().unwrap() > 0.0, "{p:#}");
    assert_eq!(p["hops"][0]["tls"]["verdict"], "valid");
    let l = json(&lookalike.3);
    assert_eq!(
        (lookalike.1.as_str(), lookalike.2),
        ("certificate_invalid", Some(0)),
        "{l:#}"
    );
    assert_eq!(l["hops"][0]["tls"]["verdict"], "wrong_name");
    assert!(
        l["reason"]
            .as_str()
            .unwrap()
            .contains("not valid for evilpekalongankota.go.id: it names www.pekalongankota.go.id"),
        "{l:#}"
    );
}

/// The websites pages and the scorecard with its websites duty in a real headless
/// Chromium, in Bahasa Indonesia and English, at desktop and phone width: nothing wider
/// than the screen, the words of the page's language, and screenshots
/// (`websites-id.png`, `websites-agency-en-phone.png`, `scorecard-websites-id.png`, ...)
/// in target/web-screenshots/.
#[test]
fn the_websites_pages_in_a_browser_in_both_languages() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let c = four_sites(&rt, dir.path());
    // the first round, then a duty tick after it
    simpul_e2e::wait_for("the websites duty", Duration::from_secs(30), || {
        let (_, body) = get_json(&c.url("/api/v1/scorecard"));
        let states: Vec<String> = body["agencies"]
            .as_array()?
            .iter()
            .flat_map(|a| a["duties"].as_array().cloned().unwrap_or_default())
            .filter(|d| d["duty"] == "websites")
            .map(|d| d["state"].as_str().unwrap_or_default().to_owned())
            .collect();
        (!states.is_empty() && states.iter().all(|s| s != "no_data")).then_some(())
    });
    c.add_user("budi", &["--role", "admin"], PW);
    let web = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    web.block_on(async {
        let b = browser::Browser::start_in(dir.path(), "id-ID").await;
        b.login(&c, "budi", PW).await;
        let pages = [
            ("/websites", "websites"),
            ("/websites/dinkes", "websites-agency"),
            ("/", "scorecard-websites"),
        ];
        for lang in ["id", "en"] {
            // the switch on the page itself, when the page is in the other language
            b.client.goto(&c.url("/websites")).await.unwrap();
            let html = b.client.source().await.unwrap();
            if !html.contains(&format!("<html lang=\"{lang}\">")) {
                b.click("form.language button").await;
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
            for (width, height, suffix) in [(1280, 900, ""), (390, 844, "-phone")] {
                b.client.set_window_size(width, height).await.unwrap();
                for (path, name) in pages {
                    b.client.goto(&c.url(path)).await.unwrap();
                    tokio::time::sleep(Duration::from_millis(150)).await;
                    let html = b.client.source().await.unwrap();
                    if lang == "id" {
                        bilingual::assert_indonesian(path, &html);
                    } else {
                        bilingual::assert_english(path, &html);
                    }
                    let (scroll, inner) = b.widths().await;
                    // the scorecard fits a desktop window (its box would scroll otherwise)
                    let boxes = b
                        .client
                        .execute(
                            "return [...document.querySelectorAll('.scroll')].map(s => [s.scrollWidth, s.clientWidth])",
                            vec![],
                        )
                        .await
                        .unwrap();
                    let cut = width > 700
                        && boxes.as_array().unwrap().iter().any(|b| b[0].as_f64() > b[1].as_f64());
                    // the picture first: it shows what went wrong
                    b.shot_whole(&format!("{name}-{lang}{suffix}"), width, height)
                        .await;
                    assert!(
                        scroll <= inner,
                        "{path} ({lang}) scrolls sideways at {width} px: {scroll} > {inner}"
                    );
                    assert!(!cut, "{path} ({lang}): a table is wider than its box at {width} px: {boxes}");
                }
            }
        }
        // what a reader sees: the duty's column and why, in each language
        b.client.set_window_size(1280, 900).await.unwrap();
        b.client.goto(&c.url("/")).await.unwrap();
        let text = b.text().await;
        for t in [
            "Websites and certificates",
            "1 certificate does not verify (expired, unknown CA or wrong name)",
            "1 site outside the official domain",
        ] {
            assert!(text.contains(t), "{t:?} not on the scorecard: {text}");
        }
        b.click("form.language button").await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let text = b.text().await;
        for t in [
            "Situs web dan sertifikat",
            "1 sertifikat tidak sah (kedaluwarsa, CA tidak dikenal, atau nama salah)",
            "1 situs di luar domain resmi",
        ] {
            assert!(text.contains(t), "{t:?} not on the scorecard: {text}");
        }
        b.client.goto(&c.url("/websites")).await.unwrap();
        let text = b.text().await;
        assert!(
            text.contains("evilpekalongankota.go.id tidak berada di bawah domain resmi (pekalongankota.go.id)"),
            "the domain rule's reason in Indonesian: {text}"
        );
        b.client.clone().close().await.unwrap();
    });
    drop(rt);
}

/// `probe_from`: the agent of `opd-gw` (with `[websites] probe = true`) gets the site
/// from the collector and probes it from where it is; the collector stores its probe
/// beside its own and shows it in the API and on the page. An agent whose host is in no
/// `probe_from` gets no site, and a report of probes it was not asked for is refused.
#[test]
fn agents_in_probe_from_probe_the_site_and_no_other_agent_can() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ca = test_ca::ca();
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, ca.pem()).unwrap();
    let port = serve(
        &rt,
        Some(server_config(&ca, "simpus.pekalongankota.go.id", -1, 90)),
    );
    let c = Collector::start_full(
        "official_domains = [\"pekalongankota.go.id\"]\nwebsite_probe_interval = \"10s\"\n",
        &format!(
            "[[websites]]\nid = \"simpus\"\nagency = \"dinkes\"\n\
             url = \"https://simpus.pekalongankota.go.id:{port}/\"\naddress = \"127.0.0.1\"\n\
             ca_file = \"{}\"\nprobe_from = [\"opd-gw\"]\ntimeout_secs = 3\n",
            ca_file.display()
        ),
    );
    let gw = c.enrol("dinkes", "opd-gw", None);
    let _gw = simpul_e2e::start_agent(
        &dir.path().join("gw"),
        &c.url(""),
        &gw,
        // the test's server is on loopback: allowed here only
        "hostname = \"opd-gw\"\n[websites]\nprobe = true\nallow = [\"pekalongankota.go.id\"]\nallow_local = true\n",
    );
    // the agent's probe arrives with one of its next reports
    let start = Instant::now();
    let site = loop {
        let (code, site) = get_json(&c.url("/api/v1/websites/simpus"));
        assert_eq!(code, 200, "{site}");
        if site["from_agents"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
        {
            break site;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no probe from opd-gw: {site:#}\n{}",
            simpul_e2e::read(&dir.path().join("gw/agent.log"))
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    let from = &site["from_agents"][0];
    assert_eq!(from["host"], "opd-gw", "{site:#}");
    assert_eq!(from["state"], "up", "{site:#}");
    assert_eq!(from["status"], 200);
    assert_eq!(from["certificate_verdict"], "valid", "{site:#}");
    // the collector's own probe is the site's state and availability
    assert_eq!(site["state"], "up");
    assert_eq!(from["agency"], "dinkes");
    let stored = c.count("SELECT count(*) FROM website_checks WHERE prober = 'dinkes/opd-gw'");
    assert!(stored >= 1, "{stored}");
    // and its series, labelled with the prober (after the collector's next round)
    let series =
        "simpul_website_agent_up{agency=\"dinkes\",website=\"simpus\",prober=\"dinkes/opd-gw\"}";
    simpul_e2e::wait_for(
        "the agent's probe in /metrics",
        Duration::from_secs(30),
        || (sample(&c.metrics(), series) == Some(1.0)).then_some(()),
    );

    // another agent of the agency: no site to probe, and its probes are refused
    // (and a host of the same name in another agency is another agent)
    let pc = c.enrol("dinkes", "pc-07", None);
    let agent = simpul_e2e::agent_id(&pc);
    let mut r = simpul_e2e::report(&agent, "pc-07", 1);
    let (_, stored) = get_json(&c.url("/api/v1/websites/simpus/checks"));
    let probe = stored["checks"][0].clone();
    assert_eq!(probe["prober"], "collector", "{stored:#}");
    r["websites"] = serde_json::json!([
        {"website": "simpus", "check": from},
        {"website": "nope", "check": {}}
    ]);
    let ack = post_report(
        &c,
        &pc,
        &r,
        &[
            ("simpul-accept-refused", "1"),
            ("simpul-websites-digest", ""),
        ],
    );
    assert_eq!(ack["acknowledged"], serde_json::json!([1]), "{ack:#}");
    let refused = &ack["refused"][0];
    assert_eq!(refused["section"], "websites", "{ack:#}");
    let rules: Vec<&str> = refused["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        [
            "the probe_from of \"simpus\" does not name this agent (host \"pc-07\" of agency \"dinkes\")",
            "\"nope\" is not a declared website"
        ],
        "{ack:#}"
    );
    // no task for it: an empty list, once
    assert_eq!(ack["websites"]["sites"], serde_json::json!([]), "{ack:#}");
    let digest = ack["websites"]["digest"].as_str().unwrap().to_owned();
    let mut r = simpul_e2e::report(&agent, "pc-07", 2);
    r["websites"] = serde_json::json!([]);
    let ack = post_report(&c, &pc, &r, &[("simpul-websites-digest", &digest)]);
    assert!(
        ack.get("websites").is_none(),
        "the same tasks again: {ack:#}"
    );
    assert_eq!(
        c.count("SELECT count(*) FROM website_checks WHERE prober = 'dinkes/pc-07'"),
        0
    );
    // opd-gw itself: a probe dated in the future (it would stay the newest for ever) and
    // one of another URL are refused
    let gw_agent = simpul_e2e::agent_id(&gw);
    let mut check: serde_json::Value = serde_json::from_str(
        &c.text("SELECT check_json FROM website_latest WHERE prober = 'dinkes/opd-gw'"),
    )
    .unwrap();
    check["started_at"] = serde_json::json!(4_102_444_800.0);
    let mut elsewhere = check.clone();
    elsewhere["started_at"] = serde_json::json!(std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64());
    elsewhere["url"] = serde_json::json!("http://169.254.169.254/latest/meta-data/");
    let mut r = simpul_e2e::report(&gw_agent, "opd-gw", 1_000_000);
    r["websites"] = serde_json::json!([
        {"website": "simpus", "check": check},
        {"website": "simpus", "check": elsewhere}
    ]);
    let ack = post_report(&c, &gw, &r, &[("simpul-accept-refused", "1")]);
    let fields: Vec<&str> = ack["refused"][0]["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["websites[0].check.started_at", "websites[1].check.url"],
        "{ack:#}"
    );
    assert_eq!(
        c.count("SELECT count(*) FROM website_checks WHERE started_at > 4000000000"),
        0
    );

    // the page shows the agent's view under the collector's
    c.add_user("budi", &["--role", "admin"], PW);
    let admin = login(&c, "budi", PW);
    let page = curl(&c.url("/websites/dinkes"), "GET", &[&admin], "");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("from opd-gw:"), "{}", page.body);
    drop(rt);
}
