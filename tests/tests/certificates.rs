//! Certificate files on servers end to end (issue 26): the test makes certificates with
//! rcgen (valid with its chain and its private key in one PEM file, expiring in 5 days
//! as DER, expired, self-signed) and a missing path; a real agent reads them
//! (`[[certificates]]`), a real collector parses and verifies them against the test's
//! CA (`certificate_ca_files`). Checked: the API (host and fleet, scoped, bad
//! parameters), `/metrics` (and `promtool check metrics`), the pages in Bahasa
//! Indonesia, a renewal seen within seconds, and that the private key never leaves the
//! agent (not in what it sends, not in its spool, not in the collector's database).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failure should stop the test with its message"
)]

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use rcgen::{CertificateParams, CertifiedIssuer, DnType, KeyPair};
use simpul_e2e::curl::{curl, login};
use simpul_e2e::wait::wait_for;
use simpul_e2e::{bin, get_json, need, sample, start_agent, Collector};

mod test_ca;
use test_ca::ca;

const PW: &str = "a long enough passphrase 1";

/// A certificate for `name` valid from `from` to `to` seconds after now, signed by `ca`
/// (self-signed without), and its key.
fn cert(
    ca: Option<&CertifiedIssuer<'static, KeyPair>>,
    name: &str,
    from: i64,
    to: i64,
) -> (rcgen::Certificate, KeyPair) {
    let mut p = CertificateParams::new(vec![name.to_owned()]).unwrap();
    p.distinguished_name.push(DnType::CommonName, name);
    let now = time::OffsetDateTime::now_utc();
    p.not_before = now + time::Duration::seconds(from);
    p.not_after = now + time::Duration::seconds(to);
    let key = KeyPair::generate().unwrap();
    let c = match ca {
        Some(ca) => p.signed_by(&key, ca).unwrap(),
        None => p.self_signed(&key).unwrap(),
    };
    (c, key)
}

/// The host's certificate files as the API gives them; none before its first report.
fn host_files(c: &Collector, agent: &str) -> Vec<serde_json::Value> {
    let (code, v) = get_json(&c.url(&format!("/api/v1/hosts/{agent}/certificates")));
    match code {
        200 => v["certificates"].as_array().unwrap().clone(),
        404 => Vec::new(),
        _ => panic!("{code}: {v}"),
    }
}

fn by_path<'a>(files: &'a [serde_json::Value], path: &Path) -> &'a serde_json::Value {
    files
        .iter()
        .find(|f| f["path"] == path.to_str().unwrap())
        .unwrap_or_else(|| panic!("{} not in {files:?}", path.display()))
}

/// Whether `hay` holds `needle` anywhere.
fn holds(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn certificate_files_on_a_server_are_verified_tracked_and_never_carry_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let ca = ca();
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, ca.pem()).unwrap();
    let certs = dir.path().join("etc-ssl");
    std::fs::create_dir_all(&certs).unwrap();

    // the mail server's PEM: its certificate, the CA's, and its private key in one file
    let (mail, mail_key) = cert(Some(&ca), "mail.dinkes.go.id", -86_400, 90 * 86_400);
    let key_pem = mail_key.serialize_pem();
    // the private scalar of the P-256 key (ECPrivateKey: INTEGER 1, OCTET STRING of 32
    // bytes); its public half is in the certificate, and may travel
    let key_der = mail_key.serialize_der();
    let at = key_der
        .windows(5)
        .position(|w| w == [0x02, 0x01, 0x01, 0x04, 0x20])
        .expect("an EC private key")
        + 5;
    let secret = key_der[at..at + 32].to_vec();
    let valid = certs.join("mail.pem");
    std::fs::write(&valid, format!("{}{}{key_pem}", mail.pem(), ca.pem())).unwrap();
    // LDAP's, as DER, 5 days and an hour left
    let (ldap, _) = cert(Some(&ca), "ldap.dinkes.go.id", -86_400, 5 * 86_400 + 3600);
    let expiring = certs.join("ldap.der");
    std::fs::write(&expiring, ldap.der()).unwrap();
    let (vpn, _) = cert(Some(&ca), "vpn.dinkes.go.id", -60 * 86_400, -2 * 86_400);
    let expired = certs.join("vpn.pem");
    std::fs::write(&expired, vpn.pem()).unwrap();
    let (own, _) = cert(None, "intranet.dinkes.go.id", -86_400, 30 * 86_400);
    let self_signed = certs.join("intranet.pem");
    std::fs::write(&self_signed, own.pem()).unwrap();
    let missing = certs.join("missing.pem");

    let c = Collector::start(&format!(
        "default_language = \"id\"\ncertificate_ca_files = [\"{}\"]\n",
        ca_file.display()
    ));
    let token = c.enrol("dinkes", "web-01", None);
    let agent_id = simpul_e2e::agent_id(&token);
    let mut config = "hostname = \"web-01\"\ncertificate_check_secs = 1\n".to_owned();
    for (p, name) in [
        (&valid, Some("Postfix")),
        (&expiring, Some("OpenLDAP")),
        (&expired, None),
        (&self_signed, None),
        (&missing, None),
    ] {
        config += &format!("[[certificates]]\npath = \"{}\"\n", p.display());
        if let Some(n) = name {
            config += &format!("name = \"{n}\"\n");
        }
    }
    let agent_dir = dir.path().join("agent");
    let mut agent = start_agent(&agent_dir, &c.url(""), &token, &config);

    let files = wait_for("the certificate files", Duration::from_secs(30), || {
        let f = host_files(&c, &agent_id);
        (f.len() == 5).then_some(f)
    });
    let f = by_path(&files, &valid);
    assert_eq!(f["verdict"], "valid", "{f}");
    assert_eq!(f["name"], "Postfix");
    assert_eq!(f["format"], "pem");
    assert_eq!(f["skipped"], serde_json::json!(["PRIVATE KEY"]), "{f}");
    assert_eq!(f["error"], "");
    assert_eq!(f["chain"].as_array().unwrap().len(), 2, "{f}");
    assert_eq!(f["chain"][0]["subject"], "CN=mail.dinkes.go.id");
    assert_eq!(
        f["chain"][0]["sans"],
        serde_json::json!(["mail.dinkes.go.id"])
    );
    assert_eq!(f["chain"][0]["issuer"], "CN=Simpul test CA");
    assert_eq!(f["chain"][0]["key_type"], "EC P-256");
    assert_eq!(f["chain"][0]["key_bits"], 256);
    assert_eq!(f["chain"][0]["signature_algorithm"], "ecdsa-with-SHA256");
    assert_eq!(f["chain"][1]["subject"], "CN=Simpul test CA");
    assert!(
        f["trusted_by"]
            .as_str()
            .unwrap()
            .contains(ca_file.to_str().unwrap()),
        "{f}"
    );
    let mail_not_after = f["not_after"].as_f64().unwrap();
    let days = f["days_to_expiry"].as_f64().unwrap();
    assert!((89.9..90.1).contains(&days), "{days}");

    let f = by_path(&files, &expiring);
    assert_eq!(
        (&f["verdict"], &f["format"]),
        (&"valid".into(), &"der".into())
    );
    let days = f["days_to_expiry"].as_f64().unwrap();
    assert!((5.0..5.05).contains(&days), "{days}");
    let ldap_not_after = f["not_after"].as_f64().unwrap();

    let f = by_path(&files, &expired);
    assert_eq!(f["verdict"], "expired", "{f}");
    assert!(
        f["reason"].as_str().unwrap().starts_with("expired 20"),
        "{f}"
    );
    assert!(f["days_to_expiry"].as_f64().unwrap() < -1.9);

    let f = by_path(&files, &self_signed);
    assert_eq!(f["verdict"], "unknown_ca", "{f}");
    assert!(f["reason"].as_str().unwrap().contains("self-signed"), "{f}");

    let f = by_path(&files, &missing);
    assert_eq!(f["verdict"], serde_json::Value::Null, "{f}");
    assert!(
        f["error"].as_str().unwrap().starts_with("cannot read: "),
        "{f}"
    );

    // the fleet's list: soonest to expire first, a file without a certificate last
    let (code, v) = get_json(&c.url("/api/v1/certificates"));
    assert_eq!(code, 200, "{v}");
    let order: Vec<&str> = v["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    let paths = [&expired, &expiring, &self_signed, &valid, &missing]
        .map(|p| p.to_str().unwrap().to_owned());
    assert_eq!(order, paths, "{v}");
    assert_eq!(v["certificates"][0]["host"], "web-01");
    assert_eq!(v["certificates"][0]["agency"], "dinkes");
    let (code, v) = get_json(&c.url("/api/v1/certificates?verdict=unknown_ca&agency=dinkes"));
    assert_eq!(code, 200, "{v}");
    assert_eq!(v["certificates"].as_array().unwrap().len(), 1, "{v}");
    for (query, code, word) in [
        ("verdict=wrong", 400, "verdict"),
        ("verdict=wrong_name", 400, "verdict"),
        ("colour=red", 400, "colour"),
        ("agency=nope", 404, "nope"),
    ] {
        let (got, e) = get_json(&c.url(&format!("/api/v1/certificates?{query}")));
        assert_eq!(got, code, "{query}: {e}");
        assert!(e.to_string().contains(word), "{query}: {e}");
    }
    // nothing without a token or a login
    for path in [
        "/api/v1/certificates".to_owned(),
        format!("/api/v1/hosts/{agent_id}/certificates"),
    ] {
        assert_eq!(simpul_e2e::get_anonymous(&c.url(&path)).0, 401, "{path}");
    }
    let anonymous = curl(&c.url("/certificates"), "GET", &[], "");
    assert_ne!(anonymous.status, 200, "{}", anonymous.head);
    assert!(!anonymous.body.contains("mail.pem"), "{}", anonymous.body);
    // another agency's user sees none of them
    c.add_user("ani", &["--role", "agency", "--agency", "diskominfo"], PW);
    let ani = login(&c, "ani", PW);
    let r = curl(&c.url("/api/v1/certificates"), "GET", &[&ani], "");
    assert_eq!(r.status, 200, "{}", r.body);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(v["certificates"], serde_json::json!([]), "{v}");
    let r = curl(
        &c.url(&format!("/api/v1/hosts/{agent_id}/certificates")),
        "GET",
        &[&ani],
        "",
    );
    assert_eq!(r.status, 404, "{}", r.body);

    // the metrics, by host and path
    let series = |p: &Path| {
        format!(
            "{{agency=\"dinkes\",host=\"web-01\",path=\"{}\"}}",
            p.display()
        )
    };
    let metrics = wait_for("the certificate metrics", Duration::from_secs(30), || {
        let m = c.metrics();
        m.contains(&format!(
            "simpul_certificate_file_readable{}",
            series(&missing)
        ))
        .then_some(m)
    });
    let value = |name: &str, p: &Path| sample(&metrics, &format!("{name}{}", series(p)));
    let expiry = "simpul_certificate_expiry_timestamp_seconds";
    assert_eq!(value(expiry, &valid), Some(mail_not_after), "{metrics}");
    assert_eq!(value(expiry, &expiring), Some(ldap_not_after));
    assert_eq!(value(expiry, &missing), None);
    let valid_metric = "simpul_certificate_valid";
    assert_eq!(value(valid_metric, &valid), Some(1.0));
    assert_eq!(value(valid_metric, &expiring), Some(1.0));
    assert_eq!(value(valid_metric, &expired), Some(0.0));
    assert_eq!(value(valid_metric, &self_signed), Some(0.0));
    assert_eq!(value(valid_metric, &missing), None);
    // the scorecard's websites and certificates duty counts the agency's files
    let duty = wait_for(
        "the files on the scorecard",
        Duration::from_secs(30),
        || {
            let (_, s) = simpul_e2e::get_json(&c.url("/api/v1/scorecard"));
            s["agencies"]
                .as_array()?
                .iter()
                .find(|a| a["agency"] == "dinkes")?["duties"]
                .as_array()?
                .iter()
                .find(|d| d["duty"] == "websites" && d["state"] == "failing")
                .cloned()
        },
    );
    let why = duty["reason"].as_str().unwrap();
    assert!(
        why.starts_with(
            "3 certificate files on servers do not verify or cannot be read, \
             1 certificate file on a server expires soon, the first in "
        ),
        "{duty}"
    );
    // and the yearly report lists them: a table of the PDF, a sheet of the workbook
    let (_, sc) = get_json(&c.url("/api/v1/scorecard"));
    let year = sc["period"].as_str().unwrap()[..4].to_owned();
    let (code, pdf) = simpul_e2e::get_bytes(&c.url(&format!("/reports/{year}.pdf?lang=id")));
    assert_eq!(code, 200);
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), &pdf).unwrap();
    let out = Command::new(need("pdftotext"))
        .arg(file.path())
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(text.contains("Berkas sertifikat di server"), "{text}");
    assert!(text.contains("kedaluwarsa"), "{text}");
    let (code, xlsx) = simpul_e2e::get_bytes(&c.url(&format!("/reports/{year}.xlsx?lang=en")));
    assert_eq!(code, 200);
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx)).unwrap();
    let rows: Vec<Vec<calamine::Data>> = book
        .worksheet_range("certificate_files")
        .unwrap()
        .rows()
        .map(<[calamine::Data]>::to_vec)
        .collect();
    assert_eq!(rows.len(), 6, "a head and five files: {rows:?}");
    let expired_row = rows
        .iter()
        .find(|r| r[2] == expired.display().to_string().as_str())
        .unwrap_or_else(|| panic!("{rows:?}"));
    assert_eq!(expired_row[4], "expired", "{expired_row:?}");
    let readable = "simpul_certificate_file_readable";
    assert_eq!(value(readable, &valid), Some(1.0));
    assert_eq!(value(readable, &missing), Some(0.0));
    simpul_e2e::promtool_check_metrics(&metrics);

    // the pages, in Bahasa Indonesia
    c.add_user("budi", &["--role", "admin"], PW);
    let cookie = login(&c, "budi", PW);
    let page = curl(&c.url("/certificates"), "GET", &[&cookie], "");
    assert_eq!(page.status, 200);
    for want in [
        "Sertifikat di server",
        valid.to_str().unwrap(),
        "Postfix",
        "sah",
        "kedaluwarsa",
        "CA tidak dikenal",
        "tidak terbaca",
        "5 hari lagi",
        "dilewati, tidak dikirim: PRIVATE KEY",
        " WIB",
    ] {
        assert!(page.body.contains(want), "{want}: {}", page.body);
    }
    simpul_e2e::lang::assert_indonesian("/certificates", &page.body);
    let host = curl(&c.url(&format!("/hosts/{agent_id}")), "GET", &[&cookie], "");
    assert_eq!(host.status, 200);
    for want in ["Sertifikat di server ini", "OpenLDAP", "5 hari lagi"] {
        assert!(host.body.contains(want), "{want}: {}", host.body);
    }
    simpul_e2e::lang::assert_indonesian("/hosts/{id}", &host.body);
    let r = curl(
        &c.url("/certificates?agency=bappeda"),
        "GET",
        &[&cookie],
        "",
    );
    assert_eq!(r.status, 404);
    // and in English for a browser that asks for it
    let en = curl(
        &c.url("/certificates?agency=dinkes"),
        "GET",
        &[&cookie, "Accept-Language: en-GB"],
        "",
    );
    assert_eq!(en.status, 200);
    for want in [
        "<html lang=\"en\">",
        "Certificates on servers of Dinas Kesehatan",
        "5 days left",
        "expired 2 days ago",
        "unknown CA",
        "skipped, not sent: PRIVATE KEY",
        " WIB",
    ] {
        assert!(en.body.contains(want), "{want}: {}", en.body);
    }

    // a renewal: the new certificate is seen within seconds, with a new `since`
    let before = by_path(&host_files(&c, &agent_id), &expired)["since"].clone();
    let (renewed, _) = cert(Some(&ca), "vpn.dinkes.go.id", -60, 365 * 86_400);
    std::fs::write(&expired, renewed.pem()).unwrap();
    let f = wait_for("the renewed certificate", Duration::from_secs(30), || {
        let files = host_files(&c, &agent_id);
        let f = by_path(&files, &expired).clone();
        (f["verdict"] == "valid").then_some(f)
    });
    assert_ne!(f["since"], before, "{f}");
    agent.terminate();

    // the private key never leaves the agent: not in what it sends (`once` prints the
    // report it would send), not in its spool, not in the collector's database
    let once = Command::new(bin("simpul-agent"))
        .args(["once", "--config"])
        .arg(agent_dir.join("agent.toml"))
        .output()
        .unwrap();
    assert!(once.status.success(), "{once:?}");
    let report: serde_json::Value = serde_json::from_slice(&once.stdout).unwrap();
    let sent = report["certificates"].as_array().unwrap();
    assert_eq!(sent.len(), 5);
    let mail_sent = sent
        .iter()
        .find(|f| f["path"] == valid.to_str().unwrap())
        .unwrap();
    assert_eq!(mail_sent["skipped"], serde_json::json!(["PRIVATE KEY"]));
    assert_eq!(mail_sent["certificates"].as_array().unwrap().len(), 2);
    // the key's PEM ends with its public key, which every certificate of it carries
    // too: a line that a sent certificate's own text also holds (the two base64 texts
    // happen to line up) is public, not a leak; the secret's lines never are
    let cert_texts: Vec<&str> = sent
        .iter()
        .flat_map(|f| f["certificates"].as_array().into_iter().flatten())
        .filter_map(|c| c.as_str())
        .collect();
    let key_lines: Vec<&str> = key_pem
        .lines()
        .filter(|l| !l.starts_with("-----") && l.len() >= 16)
        .filter(|l| !cert_texts.iter().any(|c| c.contains(l)))
        .collect();
    assert!(!key_lines.is_empty());
    let mut places: Vec<(String, Vec<u8>)> = vec![("the report".into(), once.stdout.clone())];
    for f in sent {
        for c64 in f["certificates"].as_array().into_iter().flatten() {
            let der = simpul_protocol::certificate_from_text(c64.as_str().unwrap()).unwrap();
            assert!(!holds(&der, &secret), "the key's bytes were sent");
        }
    }
    for e in std::fs::read_dir(agent_dir.join("state")).unwrap() {
        let p = e.unwrap().path();
        if p.is_file() {
            places.push((p.display().to_string(), std::fs::read(&p).unwrap()));
        }
    }
    if c.store_url.is_none() {
        for e in std::fs::read_dir(c.dir.path().join("data")).unwrap() {
            let p = e.unwrap().path();
            if p.is_file() {
                places.push((p.display().to_string(), std::fs::read(&p).unwrap()));
            }
        }
    }
    assert!(
        places.len() > 2,
        "{:?}",
        places.iter().map(|p| &p.0).collect::<Vec<_>>()
    );
    for (place, bytes) in &places {
        for l in &key_lines {
            assert!(!holds(bytes, l.as_bytes()), "the key is in {place}");
        }
        assert!(!holds(bytes, &secret), "the key's bytes are in {place}");
    }
    // the certificate itself did travel, as base64 of its DER like a PEM body: the same
    // search finds a certificate's PEM line, so it would have found the key's
    let cert_line = mail.pem().lines().nth(2).unwrap().to_owned();
    assert_eq!(cert_line.len(), 64, "{cert_line}");
    assert!(holds(&once.stdout, cert_line.as_bytes()));
}

/// A section that carries a private key where a certificate belongs (a modified or
/// broken agent) is refused alone, named, counted, and nothing of it stored; the
/// heartbeat is.
#[test]
fn a_key_sent_as_a_certificate_is_refused_and_not_stored() {
    let c = Collector::start("");
    let token = c.enrol("dinkes", "web-01", None);
    let agent = simpul_e2e::agent_id(&token);
    let key = KeyPair::generate().unwrap().serialize_der();
    let mut r = simpul_e2e::report(&agent, "web-01", 1);
    r["certificates"] = serde_json::json!([
        {"path": "/etc/ssl/key.pem", "format": "der",
         "certificates": [simpul_protocol::certificate_to_text(&key)]},
        {"path": "etc/ssl/relative.pem"}
    ]);
    let auth = format!("Bearer {token}");
    let (code, body) = simpul_e2e::post(
        &c.url("/api/v1/reports"),
        &[
            ("authorization", auth.as_str()),
            ("content-type", "application/json"),
            ("simpul-accept-refused", "1"),
        ],
        &serde_json::to_vec(&r).unwrap(),
    );
    assert_eq!(code, 200, "{body}");
    let ack: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(ack["acknowledged"], serde_json::json!([1]), "{ack}");
    assert_eq!(ack["refused"][0]["section"], "certificates", "{ack}");
    let fields: Vec<&str> = ack["refused"][0]["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["certificates[0].certificates[0]", "certificates[1].path"],
        "{ack}"
    );
    assert!(
        ack.to_string().contains("must be one DER certificate"),
        "{ack}"
    );
    assert_eq!(c.stored_reports(), 1, "the heartbeat is stored");
    assert!(host_files(&c, &agent).is_empty());
    let m = c.metrics();
    assert_eq!(
        sample(
            &m,
            "simpul_ingest_sections_refused_total{section=\"certificates\",reason=\"invalid\"}"
        ),
        Some(1.0),
        "{m}"
    );
}
