//! The agencies' websites of `collector.toml` (`[[websites]]`), the official domains
//! they must live under (`official_domains`), and how often the collector probes them.
//!
//! ```toml
//! official_domains = ["pekalongankota.go.id"]
//! website_probe_interval = "60s"             # default
//! website_probe_concurrency = 32             # default
//!
//! [[websites]]
//! id = "dinkes-portal"
//! agency = "dinkes"
//! url = "https://dinkes.pekalongankota.go.id/"
//! name = "Portal Dinas Kesehatan"            # optional
//! sla_class = "web-gold"                     # optional
//! probe_from = ["dinkes-gw"]                 # optional: agents that also probe it
//! expected_status = [200]                    # default: any 2xx
//! body_contains = "Dinas Kesehatan"          # optional
//! timeout_secs = 10                          # default
//! max_redirects = 10                         # default; 0: a redirect is the answer
//! ca_file = "/etc/simpul/opd-ca.pem"         # optional: verify against this bundle
//! address = "10.20.0.15"                     # optional: connect here, not to DNS's
//! ```
//!
//! The collector probes every declared site itself; hosts in `probe_from` probe it too
//! from where they are. The official-domain rule ([`official_domain`]) is a label
//! match: `dinkes.pekalongankota.go.id` is under `pekalongankota.go.id`,
//! `evilpekalongankota.go.id` is not.

use std::collections::HashSet;
use std::net::IpAddr;
use std::path::PathBuf;

use serde::Deserialize;

use crate::period::Span;

/// One declared website of an agency.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Website {
    /// Short id used in URLs and metric labels, e.g. `dinkes-portal`.
    pub id: String,
    /// The agency that owns the site.
    pub agency: String,
    /// The http:// or https:// URL probed.
    pub url: String,
    /// The name people read (default: the id).
    #[serde(default)]
    pub name: String,
    /// The SLA class its availability is held to (an `sla_classes` id).
    #[serde(default)]
    pub sla_class: Option<String>,
    /// Hosts whose agents also probe it (the collector always does): `host`, a host of
    /// the site's agency, or `agency/host`, a host of another (host names are unique
    /// only within an agency).
    #[serde(default)]
    pub probe_from: Vec<String>,
    /// The final answer's statuses that count as up; empty: 200 to 299.
    #[serde(default)]
    pub expected_status: Vec<u16>,
    /// Text the answer's body must contain (within its first MiB).
    #[serde(default)]
    pub body_contains: Option<String>,
    /// Seconds the whole probe (redirects included) may take.
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u32,
    /// Redirects followed; 0: a redirect is the final answer.
    #[serde(default = "default_max_redirects")]
    pub max_redirects: u32,
    /// PEM bundle of the CAs its certificate must chain to, instead of the system's.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// Connect to this address instead of the one DNS gives (the `Host` header, SNI and
    /// the certificate's name stay the URL's): one server of several, or a site not in
    /// the collector's DNS.
    #[serde(default)]
    pub address: Option<IpAddr>,
}

fn default_timeout_secs() -> u32 {
    10
}

fn default_max_redirects() -> u32 {
    simpul_webcheck::probe::DEFAULT_MAX_REDIRECTS
}

/// The default of `website_probe_interval`.
pub fn default_probe_interval() -> Span {
    "60s".into()
}

/// The default of `website_probe_concurrency`.
pub fn default_probe_concurrency() -> u32 {
    32
}

/// The default of `website_check_retention_days`: a month's probes and some.
pub fn default_check_retention_days() -> u32 {
    35
}

/// The prober name of the collector's own probes (agents' probes carry their host's
/// name, so no `probe_from` may be this).
pub const COLLECTOR_PROBER: &str = "collector";

/// The most `[[websites]]`.
pub const MAX_WEBSITES: usize = 5000;
/// The longest `body_contains`.
const BODY_TEXT_MAX: usize = 1000;
/// The longest timeout.
pub const MAX_TIMEOUT_SECS: u32 = 60;

/// What a website id may be made of.
pub const WEBSITE_ID_RULE: &str =
    "1 to 64 characters of a-z, 0-9, '-', '_' and '.', starting with a letter or digit";

/// The (agency, host) of one `probe_from` entry of a site of `agency`: `host`, or
/// `agency/host`; None when it is neither.
pub fn prober_of<'a>(agency: &'a str, entry: &'a str) -> Option<(&'a str, &'a str)> {
    let (a, h) = entry.split_once('/').unwrap_or((agency, entry));
    (!a.is_empty() && !h.is_empty() && !h.contains('/') && h.trim() == h).then_some((a, h))
}

/// How an agent's probes are stored: `agency/host` (never the collector's name).
pub fn prober_name(agency: &str, host: &str) -> String {
    format!("{agency}/{host}")
}

impl Website {
    /// The name people read (its id when none is set).
    pub fn display_name(&self) -> &str {
        if self.name.trim().is_empty() {
            &self.id
        } else {
            &self.name
        }
    }

    /// Its URL, parsed (validated at load).
    pub fn parsed_url(&self) -> Option<simpul_webcheck::Url> {
        simpul_webcheck::probe::parse_url(&self.url).ok()
    }

    /// Every problem this site has on its own, each prefixed with `key` (`websites[2]`).
    pub fn problems(&self, key: &str) -> Vec<String> {
        let mut p = Vec::new();
        if !simpul_protocol::is_valid_id(&self.id) {
            p.push(format!("{key}.id = {:?}: {WEBSITE_ID_RULE}", self.id));
        }
        if let Err(e) = simpul_webcheck::probe::parse_url(&self.url) {
            p.push(format!(
                "{key}.url = {:?}: {e}; e.g. \"https://dinkes.pekalongankota.go.id/\"",
                self.url
            ));
        } else if self.url.len() > 2000 {
            p.push(format!("{key}.url: {} bytes; at most 2000", self.url.len()));
        }
        if self.name.len() > 200 || self.name.chars().any(char::is_control) {
            p.push(format!(
                "{key}.name: at most 200 bytes, no control characters"
            ));
        }
        for (j, s) in self.expected_status.iter().enumerate() {
            if !(100..=599).contains(s) {
                p.push(format!(
                    "{key}.expected_status[{j}] = {s}: must be an HTTP status from 100 to 599"
                ));
            }
        }
        if let Some(b) = &self.body_contains {
            if b.is_empty() || b.len() > BODY_TEXT_MAX {
                p.push(format!(
                    "{key}.body_contains: must be 1 to {BODY_TEXT_MAX} bytes of text (or left out)"
                ));
            }
        }
        if !(1..=MAX_TIMEOUT_SECS).contains(&self.timeout_secs) {
            p.push(format!(
                "{key}.timeout_secs = {}: must be between 1 and {MAX_TIMEOUT_SECS} seconds",
                self.timeout_secs
            ));
        }
        if self.max_redirects > 30 {
            p.push(format!(
                "{key}.max_redirects = {}: must be between 0 (follow none) and 30",
                self.max_redirects
            ));
        }
        let mut hosts = HashSet::new();
        for (j, h) in self.probe_from.iter().enumerate() {
            if h.trim().is_empty() {
                p.push(format!(
                    "{key}.probe_from[{j}]: empty; name a host an agent enrolled with"
                ));
            } else if prober_of(&self.agency, h).is_none() {
                p.push(format!(
                    "{key}.probe_from[{j}] = {h:?}: name a host of the site's agency (\"gw-01\") or one of another agency (\"diskominfo/gw-01\")"
                ));
            } else if h == COLLECTOR_PROBER {
                p.push(format!(
                    "{key}.probe_from[{j}] = {h:?}: the collector always probes; name the hosts of agents"
                ));
            } else if !hosts.insert(h.as_str()) {
                p.push(format!("{key}.probe_from[{j}] = {h:?}: listed twice"));
            }
        }
        if let Some(ca) = &self.ca_file {
            if let Err(e) = simpul_webcheck::Trust::from_pem_file(ca) {
                p.push(format!("{key}.ca_file: {e}"));
            }
        }
        p
    }
}

/// What an official domain must look like.
pub const DOMAIN_RULE: &str =
    "must be a domain name of two or more labels (a-z, 0-9, '-'), like \"pekalongankota.go.id\"";

/// Whether `d` is a domain name for `official_domains` (lower case, no dots at its ends).
fn valid_domain(d: &str) -> bool {
    let labels: Vec<_> = d.split('.').collect();
    d.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| {
            (1..=63).contains(&l.len())
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

/// The official domain `host` lives under: `host` is that domain or a subdomain of it
/// (whole labels: `evilpekalongankota.go.id` is not under `pekalongankota.go.id`).
/// Case and a final dot do not matter; an address is under none.
pub fn official_domain<'a>(host: &str, domains: &'a [String]) -> Option<&'a str> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    domains.iter().map(String::as_str).find(|d| {
        host == *d
            || host
                .strip_suffix(d)
                .is_some_and(|rest| rest.ends_with('.') && rest.len() > 1)
    })
}

/// The problems of `official_domains` and of every site against the rest of the
/// config: ids unique, agencies and SLA classes declared.
pub fn problems(
    domains: &[String],
    websites: &[Website],
    agencies: &HashSet<&str>,
    agency_list: &str,
    classes: &HashSet<&str>,
) -> Vec<String> {
    let mut p = Vec::new();
    for (i, d) in domains.iter().enumerate() {
        if !valid_domain(d) {
            p.push(format!("official_domains[{i}] = {d:?}: {DOMAIN_RULE}"));
        }
    }
    if websites.len() > MAX_WEBSITES {
        p.push(format!(
            "websites: {} entries; at most {MAX_WEBSITES}",
            websites.len()
        ));
    }
    // an agent probes at most so many sites for the collector
    let mut per_host: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for w in websites {
        for (a, h) in w.probe_from.iter().filter_map(|e| prober_of(&w.agency, e)) {
            *per_host.entry(prober_name(a, h)).or_default() += 1;
        }
    }
    for (h, n) in per_host {
        if n > simpul_protocol::MAX_WEBSITE_TASKS {
            p.push(format!(
                "websites: {n} sites name {h:?} in probe_from; one agent probes at most {}",
                simpul_protocol::MAX_WEBSITE_TASKS
            ));
        }
    }
    let mut seen = HashSet::new();
    let owners = super::Owners {
        agencies,
        agency_list,
        classes,
    };
    for (i, w) in websites.iter().enumerate() {
        let key = format!("websites[{i}]");
        p.extend(w.problems(&key));
        p.extend(owners.problems(
            &key,
            "website",
            (&w.id, &w.agency, w.sla_class.as_deref()),
            &mut seen,
        ));
        for (j, e) in w.probe_from.iter().enumerate() {
            if let Some((a, _)) = prober_of(&w.agency, e).filter(|(a, _)| !agencies.contains(a)) {
                p.push(format!(
                    "{key}.probe_from[{j}] = {e:?}: {a:?} is not a declared agency; declared: {agency_list}"
                ));
            }
        }
    }
    p
}

/// The problems of the prober's settings, and of sites whose timeout is not shorter
/// than the interval (a probe must end before the next round).
pub fn prober_problems(
    interval: &Span,
    concurrency: u32,
    retention_days: u32,
    websites: &[Website],
) -> Vec<String> {
    let mut p = Vec::new();
    match interval.secs() {
        Some(s) if (10..=3600).contains(&s) => {
            for (i, w) in websites.iter().enumerate() {
                if i64::from(w.timeout_secs) >= s && (1..=MAX_TIMEOUT_SECS).contains(&w.timeout_secs) {
                    p.push(format!(
                        "websites[{i}].timeout_secs = {}: must be shorter than website_probe_interval ({})",
                        w.timeout_secs,
                        interval.as_str()
                    ));
                }
            }
        }
        _ => p.push(format!(
            "website_probe_interval = {:?}: must be a duration from \"10s\" to \"1h\", like \"60s\"",
            interval.as_str()
        )),
    }
    if !(1..=3650).contains(&retention_days) {
        p.push(format!(
            "website_check_retention_days = {retention_days}: must be between 1 and 3650 days"
        ));
    }
    if !(1..=1000).contains(&concurrency) {
        p.push(format!(
            "website_probe_concurrency = {concurrency}: must be between 1 and 1000 probes at once"
        ));
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(text: &str) -> Website {
        toml::from_str(text).unwrap_or_else(|e| panic!("{e}"))
    }

    const GOOD: &str = "id = \"dinkes-portal\"\nagency = \"dinkes\"\n\
                        url = \"https://dinkes.pekalongankota.go.id/\"\n";

    #[test]
    fn the_official_domain_is_matched_by_whole_labels() {
        let d = vec![
            "pekalongankota.go.id".to_owned(),
            "kotapekalongan.id".to_owned(),
        ];
        for (host, want) in [
            ("pekalongankota.go.id", Some("pekalongankota.go.id")),
            ("dinkes.pekalongankota.go.id", Some("pekalongankota.go.id")),
            ("a.b.pekalongankota.go.id", Some("pekalongankota.go.id")),
            ("WWW.PekalonganKota.go.id.", Some("pekalongankota.go.id")),
            ("ppid.kotapekalongan.id", Some("kotapekalongan.id")),
            ("evilpekalongankota.go.id", None),
            ("pekalongankota.go.id.evil.com", None),
            (".pekalongankota.go.id", None),
            ("go.id", None),
            ("dinkes-pekalongan.blogspot.com", None),
            ("10.20.0.15", None),
        ] {
            assert_eq!(official_domain(host, &d), want, "{host}");
        }
        assert_eq!(official_domain("pekalongankota.go.id", &[]), None);
    }

    #[test]
    fn a_good_site_has_no_problems_and_the_defaults() {
        let w = site(GOOD);
        assert!(
            w.problems("websites[0]").is_empty(),
            "{:?}",
            w.problems("w")
        );
        assert_eq!((w.timeout_secs, w.max_redirects), (10, 10));
        assert!(w.expected_status.is_empty() && w.probe_from.is_empty());
        assert_eq!(w.display_name(), "dinkes-portal");
    }

    #[test]
    fn each_bad_field_is_named_with_what_is_valid() {
        let w = site(
            "id = \"Portal Dinkes\"\nagency = \"dinkes\"\nurl = \"ftp://dinkes.pekalongankota.go.id/\"\n\
             expected_status = [200, 99, 700]\nbody_contains = \"\"\ntimeout_secs = 0\nmax_redirects = 31\n\
             probe_from = [\"gw\", \"gw\", \" \"]\nca_file = \"/nonexistent/ca.pem\"\n",
        );
        let p = w.problems("websites[4]").join("\n");
        for want in [
            "websites[4].id = \"Portal Dinkes\": 1 to 64 characters",
            "websites[4].url = \"ftp://dinkes.pekalongankota.go.id/\": the scheme is \"ftp\"; a website is probed over http:// or https://",
            "websites[4].expected_status[1] = 99: must be an HTTP status from 100 to 599",
            "websites[4].expected_status[2] = 700",
            "websites[4].body_contains: must be 1 to 1000 bytes",
            "websites[4].timeout_secs = 0: must be between 1 and 60 seconds",
            "websites[4].max_redirects = 31: must be between 0 (follow none) and 30",
            "websites[4].probe_from[1] = \"gw\": listed twice",
            "websites[4].probe_from[2]: empty",
            "websites[4].ca_file: cannot read CA bundle /nonexistent/ca.pem",
        ] {
            assert!(p.contains(want), "{want} in\n{p}");
        }
        assert_eq!(w.problems("w").len(), 10, "{p}");
        let e = site("id = \"x\"\nagency = \"a\"\nurl = \"dinkes.pekalongankota.go.id\"\n")
            .problems("w")
            .join("");
        assert!(e.contains("not a URL"), "{e}");
    }

    #[test]
    fn ids_agencies_classes_and_domains_are_checked_against_the_config() {
        let a = site(GOOD);
        let b = site(
            "id = \"dinkes-portal\"\nagency = \"dinsos\"\nurl = \"http://dinsos.example.com/\"\nsla_class = \"web-gold\"\n",
        );
        let agencies: HashSet<&str> = ["dinkes"].into();
        let p = problems(
            &[
                "pekalongankota.go.id".into(),
                ".go.id".into(),
                "Kota.go.id".into(),
                "id".into(),
            ],
            &[a, b],
            &agencies,
            "dinkes",
            &HashSet::new(),
        )
        .join("\n");
        for want in [
            "official_domains[1] = \".go.id\": must be a domain name",
            "official_domains[2] = \"Kota.go.id\": must be a domain name",
            "official_domains[3] = \"id\": must be a domain name",
            "websites[1].id = \"dinkes-portal\": another website has this id",
            "websites[1].agency = \"dinsos\": not a declared agency; declared: dinkes",
            "websites[1].sla_class = \"web-gold\": not an SLA class; declared: none (add [[sla_classes]])",
        ] {
            assert!(p.contains(want), "{want} in\n{p}");
        }
        assert!(!p.contains("official_domains[0]"), "{p}");
    }

    #[test]
    fn unknown_keys_are_refused() {
        let e = toml::from_str::<Website>(&format!("{GOOD}interval = 5\n")).unwrap_err();
        assert!(e.to_string().contains("interval"), "{e}");
        let e =
            toml::from_str::<Website>(&format!("{GOOD}address = \"dinkes-web\"\n")).unwrap_err();
        assert!(e.to_string().contains("address"), "{e}");
    }

    #[test]
    fn the_prober_settings_have_ranges() {
        let site = |t: u32| Website {
            timeout_secs: t,
            ..toml::from_str::<Website>(GOOD).unwrap()
        };
        assert!(prober_problems(
            &default_probe_interval(),
            default_probe_concurrency(),
            default_check_retention_days(),
            &[site(59)]
        )
        .is_empty());
        let p = prober_problems(&"30s".into(), 1, 0, &[site(10), site(30)]).join("\n");
        assert!(
            p.contains(
                "websites[1].timeout_secs = 30: must be shorter than website_probe_interval (30s)"
            ),
            "{p}"
        );
        assert!(
            p.contains("website_check_retention_days = 0: must be between 1 and 3650"),
            "{p}"
        );
        assert!(!p.contains("websites[0]"), "{p}");
        let p = prober_problems(&"5s".into(), 0, 35, &[]).join("\n");
        assert!(
            p.contains(
                "website_probe_interval = \"5s\": must be a duration from \"10s\" to \"1h\""
            ),
            "{p}"
        );
        assert!(
            p.contains("website_probe_concurrency = 0: must be between 1 and 1000"),
            "{p}"
        );
    }
}
