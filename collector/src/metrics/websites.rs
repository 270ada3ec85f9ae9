//! The websites' series in `/metrics` (issue 26), from the collector's newest probe of
//! each declared site (and the agents' of `probe_from`, labelled `prober`): `agency`
//! and `website` labels (bounded by collector.toml), and
//! `phase` (five names) on the response times. The certificate families also carry
//! the certificate files on servers (`[[certificates]]` of the agents), labelled
//! `agency`, `host` and `path` instead of `website`.

use super::expo::{Expo, Kind};
use crate::certificates::Stored;
use crate::state::HostState;
use crate::websites::Latest;

/// The phases exported, `total` last.
pub const PHASES: [&str; 6] = ["dns", "connect", "tls", "first_byte", "transfer", "total"];

/// The certificate files of the hosts in the fleet, with their host's (agency, host)
/// labels.
fn files<'a>(files: &'a [Stored], hosts: &'a [HostState]) -> Vec<(&'a str, &'a str, &'a Stored)> {
    let by_id: std::collections::HashMap<&str, &HostState> =
        hosts.iter().map(|h| (h.binding.id.as_str(), h)).collect();
    files
        .iter()
        .filter_map(|f| {
            by_id
                .get(f.agent_id.as_str())
                .map(|h| (h.binding.agency.as_str(), h.binding.host.as_str(), f))
        })
        .collect()
}

/// Writes the website families, and the certificate files' samples of the certificate
/// families.
pub fn encode(e: &mut Expo<'_>, latest: &Latest, cert_files: &[Stored], hosts: &[HostState]) {
    let files = files(cert_files, hosts);
    let now = crate::now_seconds();
    e.family(
        "simpul_website_up",
        Kind::Gauge,
        "1 when the newest probe of the website got an expected answer (status, body) with every certificate valid, else 0",
    );
    latest.each(|agency, n| {
        e.sample(
            "simpul_website_up",
            &[("agency", agency), ("website", &n.website)],
            f64::from(u8::from(n.check.state.is_up())),
        );
    });
    e.family(
        "simpul_website_response_seconds",
        Kind::Gauge,
        "Time of each phase of the newest probe, redirects added up: dns, connect (TCP), tls (handshake), first_byte (request to first byte of the answer), transfer (the rest of the answer), total (the whole probe)",
    );
    latest.each(|agency, n| {
        let p = n.check.phases;
        let values = [
            p.dns_seconds,
            p.connect_seconds,
            p.tls_seconds,
            p.first_byte_seconds,
            p.transfer_seconds,
            n.check.total_seconds,
        ];
        for (phase, v) in PHASES.iter().zip(values) {
            e.sample(
                "simpul_website_response_seconds",
                &[
                    ("agency", agency),
                    ("website", &n.website),
                    ("phase", phase),
                ],
                v,
            );
        }
    });
    e.family(
        "simpul_website_probe_timestamp_seconds",
        Kind::Gauge,
        "When the newest probe of the website started",
    );
    latest.each(|agency, n| {
        e.sample(
            "simpul_website_probe_timestamp_seconds",
            &[("agency", agency), ("website", &n.website)],
            n.check.started_at,
        );
    });
    // the agents' probes (`probe_from`): the same site seen from inside an agency
    e.family(
        "simpul_website_agent_up",
        Kind::Gauge,
        "1 when the newest probe of the website by the agent named in its probe_from (label prober, agency/host) got an expected answer with every certificate valid, else 0",
    );
    latest.each_agent(|agency, n| {
        e.sample(
            "simpul_website_agent_up",
            &[
                ("agency", agency),
                ("website", &n.website),
                ("prober", &n.prober),
            ],
            f64::from(u8::from(n.check.state.is_up())),
        );
    });
    e.family(
        "simpul_website_agent_probe_timestamp_seconds",
        Kind::Gauge,
        "When the newest probe of the website by the agent (label prober) started",
    );
    latest.each_agent(|agency, n| {
        e.sample(
            "simpul_website_agent_probe_timestamp_seconds",
            &[
                ("agency", agency),
                ("website", &n.website),
                ("prober", &n.prober),
            ],
            n.check.started_at,
        );
    });
    e.family(
        "simpul_certificate_expiry_timestamp_seconds",
        Kind::Gauge,
        "Not-after of the certificate the website serves (its first https hop), or of the first certificate of a certificate file on a server (labels host, path), Unix seconds; absent for http sites, when no handshake was made, and for a file without a readable certificate",
    );
    latest.each(|agency, n| {
        if let Some(t) = n.check.tls() {
            e.sample(
                "simpul_certificate_expiry_timestamp_seconds",
                &[("agency", agency), ("website", &n.website)],
                t.not_after as f64,
            );
        }
    });
    for (agency, host, f) in &files {
        if let Some(na) = f.not_after {
            e.sample(
                "simpul_certificate_expiry_timestamp_seconds",
                &[("agency", agency), ("host", host), ("path", &f.path)],
                na,
            );
        }
    }
    e.family(
        "simpul_certificate_valid",
        Kind::Gauge,
        "1 when the website's certificate verifies (chain to a trusted CA, validity period, host name), else 0; absent without a handshake. For a certificate file on a server (labels host, path): chain to a trusted CA and validity period (no host name); absent without a certificate",
    );
    latest.each(|agency, n| {
        if let Some(t) = n.check.tls() {
            e.sample(
                "simpul_certificate_valid",
                &[("agency", agency), ("website", &n.website)],
                f64::from(u8::from(t.verdict == simpul_webcheck::Verdict::Valid)),
            );
        }
    });
    for (agency, host, f) in &files {
        if let (Some(v), _) = f.verdict_at(now) {
            e.sample(
                "simpul_certificate_valid",
                &[("agency", agency), ("host", host), ("path", &f.path)],
                f64::from(u8::from(v == simpul_webcheck::Verdict::Valid)),
            );
        }
    }
    e.family(
        "simpul_certificate_file_readable",
        Kind::Gauge,
        "1 when the agent read the certificate file (labels agency, host, path) whole, 0 when it could not read it or found no certificate, or left parts of it out (their reason on GET /api/v1/hosts/{id}/certificates)",
    );
    for (agency, host, f) in &files {
        e.sample(
            "simpul_certificate_file_readable",
            &[("agency", agency), ("host", host), ("path", &f.path)],
            f64::from(u8::from(f.error.is_empty())),
        );
    }
    let availability = latest.availability();
    e.family(
        "simpul_website_availability_ratio",
        Kind::Gauge,
        "Availability of the website in the current period of its SLA class (else the month): up / (up + down) from the collector's probes, maintenance and unknown time excluded; absent before anything was counted",
    );
    for a in &availability {
        if let Some(r) = a.ratio {
            e.sample(
                "simpul_website_availability_ratio",
                &[
                    ("agency", &a.agency),
                    ("website", &a.website),
                    ("period", a.period.current_label()),
                ],
                r,
            );
        }
    }
    e.family(
        "simpul_website_down_seconds",
        Kind::Gauge,
        "Counted downtime of the website in the current period",
    );
    for a in &availability {
        e.sample(
            "simpul_website_down_seconds",
            &[
                ("agency", &a.agency),
                ("website", &a.website),
                ("period", a.period.current_label()),
            ],
            a.down_seconds,
        );
    }
    e.family(
        "simpul_website_official_domain",
        Kind::Gauge,
        "1 when the website (and where it redirects to) is under one of official_domains, 0 when outside; absent when official_domains is not set",
    );
    latest.each(|agency, n| {
        if let Some(o) = n.official {
            e.sample(
                "simpul_website_official_domain",
                &[("agency", agency), ("website", &n.website)],
                f64::from(u8::from(o)),
            );
        }
    });
}
