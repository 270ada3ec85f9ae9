//! The agencies' websites (issue 26): each declared site probed by the collector
//! ([`prober`], with `simpul_webcheck`), its probes stored ([`checks`]), and the
//! official-domain rule applied to it ([`domain_rule`]), its availability over a period
//! ([`availability`]).

pub mod availability;
pub mod checks;
pub mod prober;

use serde::Serialize;
use simpul_webcheck::Check;

pub use checks::{Latest, Newest};

use crate::config::websites::{official_domain, Website};

/// What the official-domain rule says of one site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DomainRule {
    /// Whether the site is under an official domain: its URL's host, and the host its
    /// redirects end at. `None` when no `official_domains` are configured.
    pub official: Option<bool>,
    /// The URL's host.
    pub host: String,
    /// The official domain it is under, if any.
    pub domain: Option<String>,
    /// The host the newest probe's redirects ended at, when another one.
    pub final_host: Option<String>,
    /// Why it is outside (empty when under one, or when the rule is not configured).
    pub reason: String,
}

/// The rule for `site`, with the newest probe's redirects when there is one.
pub fn domain_rule(domains: &[String], site: &Website, check: Option<&Check>) -> DomainRule {
    let host = site
        .parsed_url()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default();
    let final_host = check
        .and_then(|c| c.hops.last())
        .and_then(|h| simpul_webcheck::Url::parse(&h.url).ok())
        .and_then(|u| u.host_str().map(str::to_owned))
        .filter(|h| !h.eq_ignore_ascii_case(&host));
    let domain = official_domain(&host, domains).map(str::to_owned);
    if domains.is_empty() {
        return DomainRule {
            official: None,
            host,
            domain,
            final_host,
            reason: String::new(),
        };
    }
    let list = domains.join(", ");
    let reason = if domain.is_none() {
        format!("{host} is not under an official domain ({list})")
    } else {
        match &final_host {
            Some(f) if official_domain(f, domains).is_none() => {
                format!("it redirects to {f}, which is not under an official domain ({list})")
            }
            _ => String::new(),
        }
    };
    DomainRule {
        official: Some(reason.is_empty()),
        host,
        domain,
        final_host,
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(url: &str) -> Website {
        toml::from_str(&format!("id = \"s\"\nagency = \"a\"\nurl = \"{url}\"\n")).unwrap()
    }

    #[test]
    fn the_rule_follows_the_redirects() {
        let d = vec!["pekalongankota.go.id".to_owned()];
        let r = domain_rule(&d, &site("https://dinkes.pekalongankota.go.id/"), None);
        assert_eq!(r.official, Some(true));
        assert_eq!(r.domain.as_deref(), Some("pekalongankota.go.id"));
        let r = domain_rule(&d, &site("https://evilpekalongankota.go.id/"), None);
        assert_eq!(r.official, Some(false));
        assert_eq!(
            r.reason,
            "evilpekalongankota.go.id is not under an official domain (pekalongankota.go.id)"
        );
        let r = domain_rule(&[], &site("https://dinkes.example.com/"), None);
        assert_eq!((r.official, r.reason.as_str()), (None, ""));
        // a redirect away from the official domain
        let check: Check = serde_json::from_value(serde_json::json!({
            "url": "https://dinkes.pekalongankota.go.id/", "started_at": 0.0, "state": "up",
            "reason": "", "status": 200, "total_seconds": 0.1,
            "phases": {"dns_seconds": 0.0, "connect_seconds": 0.0, "tls_seconds": 0.0, "first_byte_seconds": 0.0, "transfer_seconds": 0.0},
            "hops": [
                {"url": "https://dinkes.pekalongankota.go.id/", "address": null, "status": 302, "location": "https://dinkes-pkl.blogspot.com/", "phases": {"dns_seconds": 0.0, "connect_seconds": 0.0, "tls_seconds": 0.0, "first_byte_seconds": 0.0, "transfer_seconds": 0.0}, "tls": null},
                {"url": "https://dinkes-pkl.blogspot.com/", "address": null, "status": 200, "location": null, "phases": {"dns_seconds": 0.0, "connect_seconds": 0.0, "tls_seconds": 0.0, "first_byte_seconds": 0.0, "transfer_seconds": 0.0}, "tls": null}
            ]
        }))
        .unwrap();
        let r = domain_rule(
            &d,
            &site("https://dinkes.pekalongankota.go.id/"),
            Some(&check),
        );
        assert_eq!(r.official, Some(false));
        assert_eq!(r.final_host.as_deref(), Some("dinkes-pkl.blogspot.com"));
        assert!(
            r.reason
                .starts_with("it redirects to dinkes-pkl.blogspot.com"),
            "{}",
            r.reason
        );
    }
}
