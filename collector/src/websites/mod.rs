//! The agencies' websites (issue 26): each declared site probed by the collector
//! ([`prober`], with `simpul_webcheck`), its probes stored ([`checks`]), and the
//! official-domain rule applied to it ([`domain_rule`]), its availability over a period
//! ([`availability`]) from spans of the collector's probes (`store::website_spans`).

pub mod agents;
pub mod availability;
pub mod checks;
pub mod prober;

use serde::Serialize;
use simpul_webcheck::Check;

pub use checks::{Latest, Newest};

use crate::config::websites::{official_domain, Website};

/// The message key of a probe's state (`websites-state-*` of websites.ftl).
pub fn state_key(s: simpul_webcheck::State) -> &'static str {
    use simpul_webcheck::State;
    match s {
        State::Up => "websites-state-up",
        State::CertificateInvalid => "websites-state-certificate-invalid",
        State::UnexpectedStatus => "websites-state-unexpected-status",
        State::BodyMismatch => "websites-state-body-mismatch",
        State::TooManyRedirects => "websites-state-too-many-redirects",
        State::Timeout => "websites-state-timeout",
        State::DnsFailed => "websites-state-dns-failed",
        State::ConnectFailed => "websites-state-connect-failed",
        State::TlsFailed => "websites-state-tls-failed",
        State::HttpError => "websites-state-http-error",
    }
}

/// The message key of a certificate's verdict (`websites-cert-*` of websites.ftl).
pub fn certificate_key(v: simpul_webcheck::Verdict) -> &'static str {
    use simpul_webcheck::Verdict;
    match v {
        Verdict::Valid => "websites-cert-valid",
        Verdict::Expired => "websites-cert-expired",
        Verdict::NotYetValid => "websites-cert-not-yet-valid",
        Verdict::UnknownCa => "websites-cert-unknown-ca",
        Verdict::WrongName => "websites-cert-wrong-name",
        Verdict::Invalid => "websites-cert-invalid",
    }
}

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

impl DomainRule {
    /// Why the site is outside the official `domains`, in the reader's language (None
    /// when it is under one, or the rule is not configured).
    pub fn why(&self, domains: &[String]) -> Option<crate::i18n::Msg> {
        use crate::i18n::Msg;
        if self.official != Some(false) {
            return None;
        }
        let list = domains.join(", ");
        Some(match (&self.domain, &self.final_host) {
            (Some(_), Some(away)) => Msg::new("websites-domain-why-redirect")
                .text("host", away.as_str())
                .text("domains", list),
            _ => Msg::new("websites-domain-why-host")
                .text("host", self.host.as_str())
                .text("domains", list),
        })
    }
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

/// One declared site as the duties see it: the collector's newest probe, the
/// certificate it served, the official-domain rule and the availability over the
/// site's current period (the scorecard's websites duty, [`statuses`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WebsiteStatus {
    pub website: String,
    pub agency: String,
    /// Whether its URL is https.
    pub https: bool,
    /// The collector's newest probe's state (None: not probed yet).
    pub state: Option<simpul_webcheck::State>,
    /// The certificate's verdict (None: an http site, or no handshake).
    pub certificate: Option<simpul_webcheck::Verdict>,
    /// The server certificate's not-after, Unix seconds.
    pub certificate_not_after: Option<i64>,
    /// Under an official domain (None: `official_domains` not configured).
    pub official: Option<bool>,
    /// Over the site's current period (its SLA class's, else the month).
    pub verdict: Option<crate::sla::report::Verdict>,
    pub availability_ratio: Option<f64>,
}

impl WebsiteStatus {
    /// Days from `now` to the certificate's not-after (negative once expired).
    pub fn days_to_expiry(&self, now: f64) -> Option<f64> {
        self.certificate_not_after
            .map(|t| (t as f64 - now) / 86_400.0)
    }
}

/// The status of every declared site, in declared order, at `now`.
pub fn statuses(
    conn: &crate::store::db::Db,
    cfg: &crate::config::CollectorConfig,
    now: f64,
) -> Result<Vec<WebsiteStatus>, crate::store::StoreError> {
    if cfg.websites.is_empty() {
        return Ok(Vec::new());
    }
    let newest: Vec<Newest> = checks::newest(conn)?
        .into_iter()
        .filter(|n| n.prober == checks::COLLECTOR)
        .collect();
    cfg.websites
        .iter()
        .map(|site| {
            let check = newest
                .iter()
                .find(|n| n.website == site.id)
                .map(|n| &n.check);
            let tls = check.and_then(Check::tls);
            let period = availability::default_period(cfg, site, now);
            let a = availability::of(conn, cfg, site, &period, now)?;
            Ok(WebsiteStatus {
                website: site.id.clone(),
                agency: site.agency.clone(),
                https: site.url.starts_with("https:"),
                state: check.map(|c| c.state),
                certificate: tls.map(|t| t.verdict),
                certificate_not_after: tls.map(|t| t.not_after),
                official: domain_rule(&cfg.official_domains, site, check).official,
                verdict: a.verdict,
                availability_ratio: a.availability_ratio,
            })
        })
        .collect()
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
