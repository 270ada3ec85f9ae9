//! Two collector replicas on one real PostgreSQL (started by the test on loopback):
//! agents report through either, a report retried through the other is stored once,
//! one replica leads the duties and each duty tick runs once, both show the whole
//! fleet, and the other takes over when the leader stops. One of them reaches
//! PostgreSQL over TLS.

#![allow(
    clippy::unwrap_used,
    reason = "test code: a panic is the failure report"
)]

use std::time::Duration;

use simpul_e2e::{agent_id, get, report, sample, wait_for, Collector};

/// Posts a report; its acknowledgement.
fn send(c: &Collector, token: &str, body: &serde_json::Value) -> serde_json::Value {
    serde_json::from_str(&simpul_e2e::send(c, token, body)).unwrap()
}

fn hosts_seen(c: &Collector) -> usize {
    let (code, body) = get(&c.url("/api/v1/hosts"));
    assert_eq!(code, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    v["hosts"].as_array().or(v.as_array()).map_or(0, |hs| {
        hs.iter()
            .filter(|h| !h["last_seen_seconds"].is_null())
            .count()
    })
}

fn leads(c: &Collector) -> bool {
    sample(&c.metrics(), "simpul_collector_leader ") == Some(1.0)
}

/// `(tick, replica)` of every "duty tick evaluated" line in a log.
fn ticks(log: &str) -> Vec<i64> {
    log.lines()
        .filter(|l| l.contains("duty tick evaluated"))
        .filter_map(|l| {
            let t = l.split("tick=").nth(1)?;
            t.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
        })
        .collect()
}

/// Turns TLS on in the test binary's PostgreSQL (a certificate for `localhost`, signed by
/// a CA of the test's); returns the CA's PEM file.
fn tls_on_the_shared_server(dir: &std::path::Path) -> std::path::PathBuf {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.distinguished_name
        .push(DnType::CommonName, "Simpul test CA for PostgreSQL");
    let ca = CertifiedIssuer::self_signed(p, KeyPair::generate().unwrap()).unwrap();
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .signed_by(&key, &ca)
        .unwrap();
    simpul_collector::store::pg_server::PgServer::shared()
        .enable_tls(&cert.pem(), &key.serialize_pem())
        .unwrap();
    let pem = dir.join("postgres-ca.pem");
    std::fs::write(&pem, ca.pem()).unwrap();
    pem
}

#[test]
fn two_replicas_share_one_fleet() {
    let url = simpul_e2e::postgres_database();
    // replica a reaches PostgreSQL over TLS, verifying the server against the test's CA
    // under the name its certificate has; b in plain text, as before
    let certs = tempfile::tempdir().unwrap();
    let ca_file = tls_on_the_shared_server(certs.path());
    // (the harness's collector.toml has duty ticks every 5 s)
    let a = Collector::start_on_store(
        Some(url.replace("127.0.0.1", "localhost")),
        &format!("ca_file = \"{}\"", ca_file.display()),
        "",
        "",
    );
    let mut b = Collector::start_on(Some(url.clone()), "", "");
    let sessions = |ssl: bool| {
        b.count(&format!(
            "SELECT count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a ON a.pid = s.pid \
             WHERE a.datname = current_database() AND a.application_name = 'simpul-collector' \
             AND s.ssl = {ssl}"
        ))
    };
    // each collector holds a few connections (writer, readers, lease)
    assert!(sessions(true) >= 3, "a's sessions are not encrypted");
    assert!(sessions(false) >= 3, "b's sessions");
    let tokens: Vec<String> = (0..6)
        .map(|i| a.enrol("dinkes", &format!("web-{i:02}"), Some("pusat-data")))
        .collect();
    // agents spread over both replicas, as a load balancer would
    for (i, t) in tokens.iter().enumerate() {
        let c = if i % 2 == 0 { &a } else { &b };
        let ack = send(c, t, &report(&agent_id(t), &format!("web-{i:02}"), 1));
        assert_eq!(ack["duplicates"], 0, "{ack}");
    }
    // a report retried through the other replica (its answer was lost) is stored once
    let retried = report(&agent_id(&tokens[0]), "web-00", 1);
    let ack = send(&b, &tokens[0], &retried);
    assert_eq!(
        ack,
        serde_json::json!({"acknowledged": [1], "duplicates": 1})
    );
    assert_eq!(a.stored_reports(), 6);
    assert_eq!(b.count("SELECT count(*) FROM reports"), 6);
    // both replicas show the whole fleet, whichever stored each report
    for c in [&a, &b] {
        wait_for(
            "every host on both replicas",
            Duration::from_secs(15),
            || (hosts_seen(c) == 6).then_some(()),
        );
    }
    // one leader; only its /metrics carries the fleet's series (no double counting)
    let leader_is_a = wait_for("a duty leader", Duration::from_secs(15), || {
        match (leads(&a), leads(&b)) {
            (true, false) => Some(true),
            (false, true) => Some(false),
            _ => None,
        }
    });
    let (leader, other) = if leader_is_a { (&a, &b) } else { (&b, &a) };
    let host_series = |c: &Collector| {
        c.metrics()
            .lines()
            .filter(|l| l.starts_with("simpul_host_up{"))
            .count()
    };
    assert_eq!(host_series(leader), 6);
    assert_eq!(host_series(other), 0);
    // duty ticks: wait for two, then each ran once, on the leader
    wait_for("two duty ticks", Duration::from_secs(20), || {
        (b.count("SELECT count(*) FROM duty_ticks WHERE duty = 'duties'") >= 2).then_some(())
    });
    let (ta, tb) = (ticks(&a.log()), ticks(&b.log()));
    let (mine, theirs) = if leader_is_a { (&ta, &tb) } else { (&tb, &ta) };
    assert!(mine.len() >= 2, "leader evaluated {mine:?}");
    assert!(theirs.is_empty(), "the other replica evaluated {theirs:?}");
    let mut sorted = mine.clone();
    sorted.dedup();
    assert_eq!(&sorted, mine, "a tick evaluated twice: {mine:?}");
    // the other replica's pages still show the duties it computes itself
    let (code, body) = simpul_e2e::get_anonymous(&other.url("/healthz"));
    assert_eq!(code, 200, "{body}");

    // the leader stops: the other takes the lease over (released at the clean stop)
    let other_is_b = leader_is_a;
    let mut a = a;
    if leader_is_a {
        a.stop();
    } else {
        b.stop();
    }
    let survivor = if other_is_b { &b } else { &a };
    wait_for("the other replica leads", Duration::from_secs(15), || {
        leads(survivor).then_some(())
    });
    assert_eq!(host_series(survivor), 6);
    wait_for(
        "a tick evaluated by the survivor",
        Duration::from_secs(15),
        || (!ticks(&survivor.log()).is_empty()).then_some(()),
    );
    // across the hand-over too, no tick ran twice
    let mut all = [ticks(&a.log()), ticks(&b.log())].concat();
    let n = all.len();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), n, "a tick evaluated twice: {all:?}");
    // reports keep arriving through the survivor
    let ack = send(
        survivor,
        &tokens[1],
        &report(&agent_id(&tokens[1]), "web-01", 2),
    );
    assert_eq!(ack["duplicates"], 0, "{ack}");
    assert_eq!(survivor.stored_reports(), 7);
}
