//! `[[backups]]` of collector.toml (and `POST /api/v1/obligations`): what each agency
//! must back up, how often, how big and where.

use serde::{Deserialize, Serialize};

use super::CollectorConfig;
use crate::period::Span;

/// How evidence of an obligation arrives.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EvidenceKind {
    /// An agent's `[[backups]]` probe.
    #[default]
    Probe,
    /// A backup job calling the check-in endpoint.
    Checkin,
}

/// One `[[backups]]` obligation of collector.toml.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Obligation {
    pub id: String,
    pub agency: String,
    pub dataset: String,
    /// Expected interval between backups, e.g. `24h`.
    pub interval: Span,
    /// Oldest acceptable backup; default interval × 1.5.
    #[serde(default)]
    pub max_age: Option<Span>,
    #[serde(default)]
    pub min_size_bytes: u64,
    /// Site ids or site kinds (`pusat-data`, `drc`) the backup must be at; empty: anywhere.
    #[serde(default)]
    pub locations: Vec<String>,
    #[serde(default)]
    pub evidence: EvidenceKind,
    /// Longest time without a recorded restore test; default `90d`.
    #[serde(default = "default_restore")]
    pub restore_test_max_age: Span,
    /// Agents of other agencies that may send evidence for this obligation (a shared
    /// backup server of the Pusat Data), each by agent id or as `agency/host` (a host
    /// name alone is not enough: two agencies may each have a `backup-01`). The
    /// obligation's own agency's agents always may; nobody else.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reporters: Vec<String>,
}

fn default_restore() -> Span {
    Span::new("90d")
}

impl Obligation {
    pub fn interval_secs(&self) -> f64 {
        self.interval.seconds()
    }

    pub fn restore_test_max_age_secs(&self) -> f64 {
        self.restore_test_max_age.seconds()
    }

    pub fn max_age_secs(&self) -> f64 {
        self.max_age
            .as_ref()
            .map_or(self.interval_secs() * 1.5, Span::seconds)
    }

    /// Every problem of this obligation, prefixed with `key` (collector.toml).
    pub fn problems(&self, key: &str, cfg: &CollectorConfig) -> Vec<String> {
        self.violations(cfg)
            .into_iter()
            .map(|(field, value, rule)| match value {
                Some(v) => format!("{key}.{field} = {v:?}: {rule}"),
                None => format!("{key}.{field}: {rule}"),
            })
            .collect()
    }

    /// Every problem of this obligation as (field, offending value, rule), shared by
    /// collector.toml and `POST /api/v1/obligations`.
    pub fn violations(&self, cfg: &CollectorConfig) -> Vec<(&'static str, Option<String>, String)> {
        let mut p = Vec::new();
        if !simpul_protocol::is_valid_id(&self.id) {
            p.push((
                "id",
                Some(self.id.clone()),
                simpul_protocol::ID_RULE.to_string(),
            ));
        }
        if let Err(e) = cfg.check_binding(&self.agency, None) {
            p.push(("agency", None, e));
        }
        if self.dataset.trim().is_empty() || self.dataset.len() > 200 {
            p.push((
                "dataset",
                None,
                "name the data set in 1 to 200 bytes, e.g. \"SIMPUS database\"".into(),
            ));
        }
        for (k, v) in [
            ("interval", Some(&self.interval)),
            ("max_age", self.max_age.as_ref()),
            ("restore_test_max_age", Some(&self.restore_test_max_age)),
        ] {
            if let Some(v) = v {
                if !v.is_positive() {
                    p.push((
                        k,
                        Some(v.to_string()),
                        "must be a duration like \"24h\", \"36h\", \"7d\" or \"90m\"".into(),
                    ));
                }
            }
        }
        let valid = |s: &Span| s.is_positive();
        if valid(&self.interval)
            && self.max_age.as_ref().is_none_or(valid)
            && self.max_age_secs() < self.interval_secs()
        {
            p.push((
                "max_age",
                None,
                format!("must be at least interval ({})", self.interval),
            ));
        }
        for r in &self.reporters {
            let agency_ok = match r.split_once('/') {
                Some((agency, host)) => {
                    !host.is_empty() && cfg.agencies.iter().any(|a| a.id == agency)
                }
                None => true,
            };
            if r.trim().is_empty() || r.len() > 200 || r.chars().any(char::is_control) || !agency_ok
            {
                p.push((
                    "reporters",
                    Some(r.clone()),
                    "each must be an agent id (simpul-collector agent list) or \"agency/host\" with a declared agency, e.g. \"diskominfo/backup-01\"".into(),
                ));
            }
        }
        for l in &self.locations {
            let known = cfg.sites.iter().any(|s| &s.id == l)
                || matches!(
                    super::SiteKind::parse(l),
                    Some(super::SiteKind::PusatData | super::SiteKind::Drc)
                );
            if !known {
                let ids: Vec<_> = cfg.sites.iter().map(|s| s.id.as_str()).collect();
                p.push((
                    "locations",
                    None,
                    format!(
                        "{l:?} is neither a site kind (pusat-data, drc) nor a declared site ({})",
                        ids.join(", ")
                    ),
                ));
            }
        }
        p
    }
}
