//! Websites probed by agents (`probe_from`): the sites each agent is asked to probe
//! ([`Tasks`], handed over in the answer to its reports), and what the collector takes
//! of their probes ([`refuse`]): only probes of a declared site whose `probe_from` names
//! the reporting agent's agency and host, of the site's URL, started within the times a
//! report may have, each a probe this collector can read. They are stored beside the
//! collector's own (prober: `agency/host`); availability and the SLA stay the
//! collector's.

use std::collections::HashMap;

use serde::Deserialize as _;
use simpul_protocol::{
    Violation, WebsiteCheck, WebsiteTask, WebsiteTasks, MAX_WEBSITE_TASKS, WEBSITE_INTERVAL_SECS,
};
use simpul_webcheck::Check;

use crate::config::websites::{prober_name, prober_of};
use crate::config::CollectorConfig;

/// The tasks of every agent named in a `probe_from` (by `agency/host`), computed once
/// from the configuration (the CA bundles read then).
#[derive(Debug, Default)]
pub struct Tasks {
    by_host: HashMap<String, WebsiteTasks>,
}

impl Tasks {
    /// From `cfg`: each host's sites, at most [`MAX_WEBSITE_TASKS`] (check-config names
    /// a host with more), in declared order. A site whose `ca_file` cannot be read is
    /// left out with an error logged.
    pub fn new(cfg: &CollectorConfig) -> Self {
        let interval = (cfg.website_probe_interval.seconds() as u32)
            .clamp(*WEBSITE_INTERVAL_SECS.start(), *WEBSITE_INTERVAL_SECS.end());
        let mut sites: HashMap<String, Vec<WebsiteTask>> = HashMap::new();
        for w in &cfg.websites {
            if w.probe_from.is_empty() {
                continue;
            }
            let ca_pem = match &w.ca_file {
                None => None,
                Some(p) => match std::fs::read_to_string(p) {
                    Ok(pem) => Some(pem),
                    Err(e) => {
                        tracing::error!(website = %w.id, path = %p.display(), error = %e, "cannot read ca_file; the agents in probe_from do not probe this site");
                        continue;
                    }
                },
            };
            let task = WebsiteTask {
                id: w.id.clone(),
                url: w.url.clone(),
                expected_status: w.expected_status.clone(),
                body_contains: w.body_contains.clone(),
                timeout_secs: w.timeout_secs,
                max_redirects: w.max_redirects,
                address: w.address.map(|a| a.to_string()),
                ca_pem,
            };
            for (a, h) in w.probe_from.iter().filter_map(|e| prober_of(&w.agency, e)) {
                let mine = sites.entry(prober_name(a, h)).or_default();
                if mine.len() < MAX_WEBSITE_TASKS {
                    mine.push(task.clone());
                }
            }
        }
        Self {
            by_host: sites
                .into_iter()
                .map(|(host, sites)| {
                    let digest = WebsiteTasks::digest_of(interval, &sites);
                    (
                        host,
                        WebsiteTasks {
                            digest,
                            interval_secs: interval,
                            sites,
                        },
                    )
                })
                .collect(),
        }
    }

    /// What to answer the agent of `host` of `agency` that holds the tasks `held` (their
    /// digest): its tasks when they differ (an empty list for an agent in no
    /// `probe_from`), else nothing.
    pub fn answer(&self, agency: &str, host: &str, held: &str) -> Option<WebsiteTasks> {
        let tasks = self
            .by_host
            .get(&prober_name(agency, host))
            .cloned()
            .unwrap_or_else(|| WebsiteTasks {
                digest: WebsiteTasks::digest_of(0, &[]),
                interval_secs: 0,
                sites: Vec::new(),
            });
        (tasks.digest != held).then_some(tasks)
    }
}

/// Reads one agent probe.
pub fn parse(check: &serde_json::Value) -> Result<Check, String> {
    Check::deserialize(check).map_err(|e| e.to_string())
}

/// Why the probes of the agent of `host` of `agency`, received at `now`, cannot be
/// taken (empty: they can): a site that is not declared, one whose `probe_from` does not
/// name the agent, a probe of another URL, one started before `max_report_age_secs` or
/// after `max_clock_skew_secs` from `now`, one this collector cannot read. Fields are
/// `websites[i].website` and `websites[i].check`.
pub fn refuse(
    cfg: &CollectorConfig,
    (agency, host): (&str, &str),
    probes: &[WebsiteCheck],
    now: f64,
) -> Vec<Violation> {
    let mut v = Vec::new();
    let earliest = now - cfg.max_report_age_secs as f64;
    let latest = now + cfg.max_clock_skew_secs as f64;
    for (i, p) in probes.iter().enumerate() {
        let mut fail = |field: &str, rule: String| {
            v.push(Violation {
                field: format!("websites[{i}].{field}"),
                rule,
            });
        };
        let Some(w) = cfg.websites.iter().find(|w| w.id == p.website) else {
            fail(
                "website",
                format!("{:?} is not a declared website", p.website),
            );
            continue;
        };
        if !w
            .probe_from
            .iter()
            .filter_map(|e| prober_of(&w.agency, e))
            .any(|(a, h)| a == agency && h == host)
        {
            fail(
                "website",
                format!(
                    "the probe_from of {:?} does not name this agent (host {host:?} of agency {agency:?})",
                    p.website
                ),
            );
            continue;
        }
        // the prober writes the URL as parsed (lower-case host, a path of at least "/")
        let url = w
            .parsed_url()
            .map_or_else(|| w.url.clone(), |u| u.to_string());
        match parse(&p.check) {
            Err(e) => fail("check", format!("not a website probe: {e}")),
            Ok(c) if c.url != url => fail(
                "check.url",
                format!("{:?} is not the site's URL ({:?})", c.url, w.url),
            ),
            Ok(c) if !(earliest..=latest).contains(&c.started_at) => fail(
                "check.started_at",
                format!(
                    "{} must be within max_report_age_secs ({}) before and max_clock_skew_secs ({}) after the collector's clock ({now:.0})",
                    c.started_at, cfg.max_report_age_secs, cfg.max_clock_skew_secs
                ),
            ),
            Ok(_) => {}
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probes_are_taken_of_the_sites_url_as_parsed_by_their_agent_in_time() {
        let cfg: CollectorConfig = toml::from_str(
            "[[agencies]]\nid = \"dinkes\"\n\
             [[websites]]\nid = \"simpus\"\nagency = \"dinkes\"\n\
             url = \"https://SIMPUS.pekalongankota.go.id\"\nprobe_from = [\"gw\", \"diskominfo/core\"]\n",
        )
        .unwrap();
        let now = 1_800_000_000.0;
        let probe = |url: &str, at: f64| WebsiteCheck {
            website: "simpus".into(),
            check: serde_json::json!({
                "url": url, "started_at": at, "state": "up", "reason": "", "status": 200,
                "total_seconds": 0.1,
                "phases": {"dns_seconds": 0.0, "connect_seconds": 0.0, "tls_seconds": 0.0,
                           "first_byte_seconds": 0.0, "transfer_seconds": 0.0},
                "hops": []
            }),
        };
        let ok = probe("https://simpus.pekalongankota.go.id/", now - 60.0);
        assert!(refuse(&cfg, ("dinkes", "gw"), std::slice::from_ref(&ok), now).is_empty());
        assert!(refuse(&cfg, ("diskominfo", "core"), std::slice::from_ref(&ok), now).is_empty());
        // the same host name in another agency is another agent
        let v = refuse(&cfg, ("dinsos", "gw"), &[ok], now);
        assert_eq!(v.len(), 1, "{v:?}");
        let v = refuse(
            &cfg,
            ("dinkes", "gw"),
            &[
                probe("http://169.254.169.254/", now),
                probe("https://simpus.pekalongankota.go.id/", now + 86_400.0),
            ],
            now,
        );
        let fields: Vec<&str> = v.iter().map(|v| v.field.as_str()).collect();
        assert_eq!(
            fields,
            ["websites[0].check.url", "websites[1].check.started_at"]
        );
    }
}
