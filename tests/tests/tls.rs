//! HTTPS between a real agent and a real collector, with certificates made for the test
//! (rcgen): good certificates and mutual TLS deliver reports; a wrong CA, an expired
//! certificate or a missing client certificate is refused with a clear log line on
//! both sides and stores nothing; SIGHUP swaps the collector's certificate.

#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair,
};
use simpul_e2e::{start_agent, wait_for, Collector};

struct Ca {
    issuer: CertifiedIssuer<'static, KeyPair>,
    pem: PathBuf,
}

fn ca(dir: &Path, name: &str) -> Ca {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.distinguished_name
        .push(DnType::CommonName, format!("Simpul test CA {name}"));
    let issuer = CertifiedIssuer::self_signed(p, KeyPair::generate().unwrap()).unwrap();
    let pem = dir.join(format!("{name}-ca.pem"));
    std::fs::write(&pem, issuer.pem()).unwrap();
    Ca { issuer, pem }
}

/// A leaf certificate signed by `ca`, written as `name.crt` and `name.key`.
fn leaf(dir: &Path, ca: &Ca, name: &str, client: bool, expired: bool) -> (PathBuf, PathBuf) {
    let mut p =
        CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).unwrap();
    p.distinguished_name.push(DnType::CommonName, name);
    p.extended_key_usages = vec![if client {
        ExtendedKeyUsagePurpose::ClientAuth
    } else {
        ExtendedKeyUsagePurpose::ServerAuth
    }];
    if expired {
        p.not_before = rcgen::date_time_ymd(2020, 1, 1);
        p.not_after = rcgen::date_time_ymd(2021, 1, 1);
    }
    let key = KeyPair::generate().unwrap();
    let cert = p.signed_by(&key, &ca.issuer).unwrap();
    let (c, k) = (
        dir.join(format!("{name}.crt")),
        dir.join(format!("{name}.key")),
    );
    std::fs::write(&c, cert.pem()).unwrap();
    std::fs::write(&k, key.serialize_pem()).unwrap();
    (c, k)
}

fn tls_collector(cert: &Path, key: &Path, client_ca: Option<&Path>) -> Collector {
    let mut extra = format!(
        "tls_cert_file = \"{}\"\ntls_key_file = \"{}\"\n",
        cert.display(),
        key.display()
    );
    if let Some(ca) = client_ca {
        extra += &format!("tls_client_ca_file = \"{}\"\n", ca.display());
    }
    Collector::start(&extra)
}

fn https(c: &Collector) -> String {
    format!("https://127.0.0.1:{}", c.port)
}

/// Waits until the agent's log shows `needle`; returns the log.
fn agent_logs(agent: &simpul_e2e::Proc, needle: &str) -> String {
    wait_for(needle, Duration::from_secs(15), || {
        let log = agent.output();
        log.contains(needle).then_some(log)
    })
}

fn handshake_failures(c: &Collector) -> f64 {
    // /metrics is behind TLS too; read the counter from the log instead
    c.log().matches("TLS handshake failed").count() as f64
}

#[test]
fn good_certificates_and_client_certificates_deliver_reports() {
    let pki = tempfile::tempdir().unwrap();
    let ca = ca(pki.path(), "pemda");
    let (cert, key) = leaf(pki.path(), &ca, "collector", false, false);
    let (ccert, ckey) = leaf(pki.path(), &ca, "agent-web-01", true, false);
    let c = tls_collector(&cert, &key, Some(&ca.pem));
    let token = c.enrol("dinkes", "web-01", Some("pusat-data"));
    let ok = start_agent(
        &c.dir.path().join("ok"),
        &https(&c),
        &token,
        &format!(
            "hostname = \"web-01\"\nca_file = \"{}\"\nclient_cert_file = \"{}\"\nclient_key_file = \"{}\"",
            ca.pem.display(),
            ccert.display(),
            ckey.display()
        ),
    );
    wait_for("reports over mTLS", Duration::from_secs(15), || {
        (c.stored_reports() >= 2).then_some(())
    });
    assert!(!ok.output().contains("ERROR"), "{}", ok.output());
    drop(ok);

    // the same agent without its client certificate is refused during the handshake
    let before = c.stored_reports();
    let other = c.enrol("dinkes", "web-02", Some("pusat-data"));
    let no_cert = start_agent(
        &c.dir.path().join("no-cert"),
        &https(&c),
        &other,
        &format!("hostname = \"web-02\"\nca_file = \"{}\"", ca.pem.display()),
    );
    let log = agent_logs(&no_cert, "collector unreachable");
    assert!(log.contains("reports kept in the spool"), "{log}");
    let log = wait_for(
        "collector logs the refusal",
        Duration::from_secs(10),
        || {
            let log = c.log();
            log.contains("TLS handshake failed").then_some(log)
        },
    );
    assert!(log.contains("peer sent no certificates"), "{log}");
    assert_eq!(c.stored_reports(), before, "nothing from the refused agent");

    // an expired client certificate is refused too
    let (xcert, xkey) = leaf(pki.path(), &ca, "agent-expired", true, true);
    let failures = handshake_failures(&c);
    let expired = start_agent(
        &c.dir.path().join("expired-client"),
        &https(&c),
        &other,
        &format!(
            "hostname = \"web-02\"\nca_file = \"{}\"\nclient_cert_file = \"{}\"\nclient_key_file = \"{}\"",
            ca.pem.display(),
            xcert.display(),
            xkey.display()
        ),
    );
    agent_logs(&expired, "collector unreachable");
    wait_for(
        "collector refuses the expired client",
        Duration::from_secs(10),
        || (handshake_failures(&c) > failures).then_some(()),
    );
    assert!(c.log().contains("xpired"), "{}", c.log());
    assert_eq!(c.stored_reports(), before);
}

#[test]
fn wrong_ca_and_expired_server_certificates_are_refused() {
    let pki = tempfile::tempdir().unwrap();
    let ours = ca(pki.path(), "pemda");
    let theirs = ca(pki.path(), "other");
    let (cert, key) = leaf(pki.path(), &theirs, "impostor", false, false);
    let c = tls_collector(&cert, &key, None);
    let token = c.enrol("dinkes", "web-01", Some("pusat-data"));
    let extra = format!(
        "hostname = \"web-01\"\nca_file = \"{}\"",
        ours.pem.display()
    );
    let agent = start_agent(&c.dir.path().join("a"), &https(&c), &token, &extra);
    let log = agent_logs(&agent, "collector unreachable");
    assert!(
        log.contains("UnknownIssuer") || log.contains("unknown issuer"),
        "{log}"
    );
    assert_eq!(c.stored_reports(), 0);
    drop(agent);
    drop(c);

    let (cert, key) = leaf(pki.path(), &ours, "collector-expired", false, true);
    let c = tls_collector(&cert, &key, None);
    let token = c.enrol("dinkes", "web-01", Some("pusat-data"));
    let agent = start_agent(&c.dir.path().join("b"), &https(&c), &token, &extra);
    let log = agent_logs(&agent, "collector unreachable");
    assert!(log.contains("xpired"), "{log}");
    assert_eq!(c.stored_reports(), 0);
}

#[test]
fn sighup_reloads_the_certificate_and_the_spool_then_drains() {
    let pki = tempfile::tempdir().unwrap();
    let ours = ca(pki.path(), "pemda");
    let theirs = ca(pki.path(), "other");
    let (bad_cert, bad_key) = leaf(pki.path(), &theirs, "wrong", false, false);
    let live_cert = pki.path().join("live.crt");
    let live_key = pki.path().join("live.key");
    std::fs::copy(&bad_cert, &live_cert).unwrap();
    std::fs::copy(&bad_key, &live_key).unwrap();
    let c = tls_collector(&live_cert, &live_key, None);
    let token = c.enrol("dinkes", "web-01", Some("pusat-data"));
    let agent = start_agent(
        &c.dir.path().join("a"),
        &https(&c),
        &token,
        &format!(
            "hostname = \"web-01\"\nca_file = \"{}\"",
            ours.pem.display()
        ),
    );
    agent_logs(&agent, "UnknownIssuer");
    std::thread::sleep(Duration::from_secs(2)); // a few reports pile up in the spool
    assert_eq!(c.stored_reports(), 0);

    // a broken file on SIGHUP keeps the old certificate and says why
    std::fs::write(&live_key, "not a key").unwrap();
    let kill = |sig: &str| {
        std::process::Command::new("kill")
            .args([sig, &c.proc.child.id().to_string()])
            .status()
            .unwrap()
    };
    kill("-HUP");
    wait_for("reload error logged", Duration::from_secs(10), || {
        c.log().contains("certificate not reloaded").then_some(())
    });

    let (good_cert, good_key) = leaf(pki.path(), &ours, "collector", false, false);
    std::fs::copy(&good_cert, &live_cert).unwrap();
    std::fs::copy(&good_key, &live_key).unwrap();
    kill("-HUP");
    wait_for("reload logged", Duration::from_secs(10), || {
        c.log().contains("TLS certificate reloaded").then_some(())
    });
    // the backlog and new samples arrive, each once
    wait_for("spooled reports delivered", Duration::from_secs(20), || {
        (c.stored_reports() >= 4).then_some(())
    });
    assert_eq!(
        c.count("SELECT count(*) FROM reports"),
        c.count("SELECT count(DISTINCT sequence) FROM reports")
    );
}
