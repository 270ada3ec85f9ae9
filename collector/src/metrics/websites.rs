//! The websites' series in `/metrics` (issue 26), from the collector's newest probe of
//! each declared site: `agency` and `website` labels (bounded by collector.toml), and
//! `phase` (five names) on the response times.

use super::expo::{Expo, Kind};
use crate::websites::Latest;

/// The phases exported, `total` last.
pub const PHASES: [&str; 6] = ["dns", "connect", "tls", "first_byte", "transfer", "total"];

/// Writes the website families.
pub fn encode(e: &mut Expo<'_>, latest: &Latest) {
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
    e.family(
        "simpul_certificate_expiry_timestamp_seconds",
        Kind::Gauge,
        "Not-after of the certificate the website serves (its first https hop), Unix seconds; absent for http sites and when no handshake was made",
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
    e.family(
        "simpul_certificate_valid",
        Kind::Gauge,
        "1 when the website's certificate verifies (chain to a trusted CA, validity period, host name), else 0; absent without a handshake",
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
