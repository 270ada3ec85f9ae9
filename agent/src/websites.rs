//! Websites probed for the collector (issue 26): with `[websites] probe = true` in
//! agent.toml, the agent tells the collector it takes website tasks
//! ([`simpul_protocol::WEBSITES_HEADER`]); the collector answers with the sites whose
//! `probe_from` names this host; a thread of its own probes them every interval
//! (simpul_webcheck: DNS, connect, TLS and first byte timed apart, redirects, the
//! certificate chain and its verdict) and the probes go out with the next report.
//!
//! Off by default: without the key the agent asks for nothing and probes nothing,
//! whatever the collector's configuration says. With it, the agent still probes only
//! URLs under the domains its own `allow` names, never a loopback or link-local address
//! unless `allow_local` says so, at most [`MAX_WEBSITE_TASKS`] sites, with the
//! interval, timeout and redirects held to their limits: a collector (or whoever
//! poses as one) cannot turn the agent into a scanner of its LAN or of itself.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Deserialize;
use simpul_protocol::{
    WebsiteCheck, WebsiteTask, WebsiteTasks, MAX_WEBSITE_TASKS, WEBSITE_INTERVAL_SECS,
};
use simpul_webcheck::{Target, Trust};

/// `[websites]` of agent.toml.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebsitesConfig {
    /// Probe the websites the collector names for this host (its `probe_from`).
    #[serde(default)]
    pub probe: bool,
    /// The domains whose sites (the domain and its subdomains, by whole labels) the
    /// collector may ask this host to probe, e.g. `["pekalongankota.go.id"]`; required
    /// with `probe = true`.
    #[serde(default)]
    pub allow: Vec<String>,
    /// Also probe sites at loopback or link-local addresses (the URL's own, or the
    /// `address` the collector gives): off, so that the collector cannot reach this
    /// host's own services or a cloud metadata address through it.
    #[serde(default)]
    pub allow_local: bool,
}

impl WebsitesConfig {
    /// Every problem of `[websites]`.
    pub fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        if self.probe && self.allow.is_empty() {
            p.push(
                "websites.allow: empty; with probe = true name the domains the collector may ask this host to probe, e.g. allow = [\"pekalongankota.go.id\"]".into(),
            );
        }
        for (i, d) in self.allow.iter().enumerate() {
            let ok = !d.is_empty()
                && d.len() <= 253
                && d.split('.').all(|l| {
                    !l.is_empty()
                        && l.len() <= 63
                        && l.bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                });
            if !ok {
                p.push(format!(
                    "websites.allow[{i}] = {d:?}: a domain name in lower case, e.g. \"pekalongankota.go.id\""
                ));
            }
        }
        p
    }

    /// Why the collector's `site` is not probed here (None: it is).
    pub fn refuses(&self, site: &WebsiteTask) -> Option<String> {
        let url = match simpul_webcheck::probe::parse_url(&site.url) {
            Ok(u) => u,
            Err(e) => return Some(e),
        };
        let host = url.host_str().unwrap_or_default().trim_matches(['[', ']']);
        let local = |ip: std::net::IpAddr| match ip {
            std::net::IpAddr::V4(v) => v.is_loopback() || v.is_link_local() || v.is_unspecified(),
            std::net::IpAddr::V6(v) => {
                v.is_loopback() || v.is_unspecified() || (v.segments()[0] & 0xffc0) == 0xfe80
            }
        };
        if let Ok(ip) = host.parse::<std::net::IpAddr>() {
            if !self.allow_local && local(ip) {
                return Some(format!(
                    "{host} is a loopback or link-local address (allow_local = false)"
                ));
            }
            return Some(format!(
                "{host} is an address, not a name under websites.allow"
            ));
        }
        let host = host.to_ascii_lowercase();
        let under = |d: &String| host == *d || host.ends_with(&format!(".{d}"));
        if host == "localhost" || !self.allow.iter().any(under) {
            return Some(format!(
                "{host} is not under websites.allow ({})",
                self.allow.join(", ")
            ));
        }
        match site.address.as_deref().map(str::parse::<std::net::IpAddr>) {
            Some(Err(_)) => Some("its address is not an IP address".into()),
            Some(Ok(ip)) if !self.allow_local && local(ip) => Some(format!(
                "its address {ip} is a loopback or link-local address (allow_local = false)"
            )),
            _ => None,
        }
    }
}

impl crate::outbox::Carried for WebsiteCheck {
    const PER_REPORT: usize = 64;
    const WHAT: &'static str = "website probes";
}

/// Finished probes waiting for the next report.
pub type Outbox = crate::outbox::Outbox<WebsiteCheck>;

/// Sites probed at once.
const CONCURRENCY: usize = 4;

/// The tasks the collector gave, shared by the transport (their digest), the daemon
/// (new ones) and the probing thread; only those `[websites]` allows are kept.
#[derive(Debug, Clone, Default)]
pub struct Tasks(Arc<Mutex<Option<WebsiteTasks>>>, Arc<WebsitesConfig>);

impl Tasks {
    /// The digest of the tasks held (empty before the first answer).
    pub fn digest(&self) -> String {
        self.get().map(|t| t.digest).unwrap_or_default()
    }

    /// Replaces the tasks with those of `tasks` that `[websites]` allows, held to the
    /// limits; each one taken and each one refused is logged. The digest stays the
    /// collector's (it names what the collector sent).
    pub fn set(&self, mut tasks: WebsiteTasks) {
        let cfg = &self.1;
        tasks.interval_secs = tasks
            .interval_secs
            .clamp(*WEBSITE_INTERVAL_SECS.start(), *WEBSITE_INTERVAL_SECS.end());
        tasks.sites.truncate(MAX_WEBSITE_TASKS);
        tasks.sites.retain_mut(|s| {
            s.timeout_secs = s.timeout_secs.clamp(1, 60);
            s.max_redirects = s.max_redirects.min(30);
            match cfg.refuses(s) {
                None => {
                    tracing::info!(website = %s.id, url = %s.url, "probing a website for the collector");
                    true
                }
                Some(why) => {
                    tracing::warn!(website = %s.id, url = %s.url, reason = %why, "website not probed: not allowed by [websites] of agent.toml");
                    false
                }
            }
        });
        tracing::info!(
            sites = tasks.sites.len(),
            interval_secs = tasks.interval_secs,
            "websites to probe for the collector"
        );
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(tasks);
    }

    fn get(&self) -> Option<WebsiteTasks> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

/// Starts the probing thread `simpul-websites` under `cfg`: the returned tasks take the
/// collector's answers, the outbox gives the probes.
pub fn start(cfg: WebsitesConfig) -> std::io::Result<(Tasks, Outbox)> {
    let tasks = Tasks(Arc::default(), Arc::new(cfg));
    let outbox = Outbox::default();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()?;
    let (t, o) = (tasks.clone(), outbox.clone());
    std::thread::Builder::new()
        .name("simpul-websites".into())
        .spawn(move || rt.block_on(run(t, o)))?;
    Ok((tasks, outbox))
}

/// Probes every site of the tasks held every `interval_secs`; new tasks start a round
/// at once.
async fn run(tasks: Tasks, outbox: Outbox) {
    let mut system: Option<Trust> = None;
    let mut done_for = String::new();
    let mut next = tokio::time::Instant::now();
    loop {
        let held = tasks.get();
        let digest = held.as_ref().map(|t| t.digest.clone()).unwrap_or_default();
        let due = tokio::time::Instant::now() >= next;
        match held {
            Some(t) if !t.sites.is_empty() && (due || digest != done_for) => {
                next = tokio::time::Instant::now()
                    + Duration::from_secs(t.interval_secs.max(1).into());
                done_for = digest;
                for c in round(&t.sites, &mut system).await {
                    outbox.push(c);
                }
            }
            _ => tokio::time::sleep(Duration::from_secs(1)).await,
        }
    }
}

/// One probe of each site, [`CONCURRENCY`] at a time.
async fn round(sites: &[WebsiteTask], system: &mut Option<Trust>) -> Vec<WebsiteCheck> {
    let mut out = Vec::with_capacity(sites.len());
    for chunk in sites.chunks(CONCURRENCY) {
        let mut set = tokio::task::JoinSet::new();
        for site in chunk {
            match target(site, system) {
                Ok(t) => {
                    let id = site.id.clone();
                    set.spawn(async move { (id, simpul_webcheck::check(&t).await) });
                }
                Err(e) => tracing::warn!(website = %site.id, error = %e, "website not probed"),
            }
        }
        while let Some(r) = set.join_next().await {
            let Ok((website, check)) = r else { continue };
            tracing::debug!(%website, state = check.state.as_str(), "website probe");
            match serde_json::to_value(&check) {
                Ok(check) => out.push(WebsiteCheck { website, check }),
                Err(e) => tracing::warn!(%website, error = %e, "cannot encode a website probe"),
            }
        }
    }
    out
}

/// The probe of `site`: its CA bundle if the collector sent one, else the system's
/// CAs (read once).
fn target(site: &WebsiteTask, system: &mut Option<Trust>) -> Result<Target, String> {
    let url = simpul_webcheck::probe::parse_url(&site.url)?;
    let trust = match &site.ca_pem {
        Some(pem) => Trust::from_pem(pem.as_bytes(), &format!("the CA bundle of {}", site.id))
            .map_err(|e| e.to_string())?,
        None => match system {
            Some(t) => t.clone(),
            None => {
                let t = Trust::system().map_err(|e| e.to_string())?;
                *system = Some(t.clone());
                t
            }
        },
    };
    let mut t = Target::new(url, Duration::from_secs(site.timeout_secs.into()), trust);
    t.expected_status = site.expected_status.clone();
    t.body_contains = site.body_contains.clone();
    t.max_redirects = site.max_redirects;
    t.connect_to = site.address.as_deref().and_then(|a| a.parse().ok());
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(url: &str, address: Option<&str>) -> WebsiteTask {
        WebsiteTask {
            id: "s".into(),
            url: url.into(),
            expected_status: Vec::new(),
            body_contains: None,
            timeout_secs: 10,
            max_redirects: 10,
            address: address.map(str::to_owned),
            ca_pem: None,
        }
    }

    #[test]
    fn only_allowed_domains_and_no_local_addresses_unless_allowed() {
        let cfg = WebsitesConfig {
            probe: true,
            allow: vec!["pekalongankota.go.id".into()],
            allow_local: false,
        };
        assert!(cfg.problems().is_empty(), "{:?}", cfg.problems());
        assert_eq!(
            cfg.refuses(&site("https://dinkes.pekalongankota.go.id/", None)),
            None
        );
        assert_eq!(
            cfg.refuses(&site("https://pekalongankota.go.id:8443/x", None)),
            None
        );
        for (url, address, why) in [
            (
                "https://evilpekalongankota.go.id/",
                None,
                "not under websites.allow",
            ),
            ("https://example.com/", None, "not under websites.allow"),
            ("http://169.254.169.254/latest/", None, "link-local"),
            ("http://127.0.0.1:9100/metrics", None, "loopback"),
            ("http://[::1]/", None, "loopback"),
            ("http://10.0.0.5/", None, "an address, not a name"),
            ("http://localhost/", None, "not under websites.allow"),
            (
                "https://dinkes.pekalongankota.go.id/",
                Some("127.0.0.1"),
                "loopback",
            ),
            (
                "https://dinkes.pekalongankota.go.id/",
                Some("fe80::1"),
                "link-local",
            ),
            (
                "https://dinkes.pekalongankota.go.id/",
                Some("nope"),
                "not an IP",
            ),
            ("ftp://dinkes.pekalongankota.go.id/", None, "http"),
        ] {
            let got = cfg.refuses(&site(url, address)).unwrap_or_default();
            assert!(got.contains(why), "{url} {address:?}: {got:?}");
        }
        let local = WebsitesConfig {
            allow_local: true,
            ..cfg.clone()
        };
        assert_eq!(
            local.refuses(&site(
                "https://dinkes.pekalongankota.go.id/",
                Some("127.0.0.1")
            )),
            None
        );
        // probe = true without allow, and a bad domain, are named
        let bad = WebsitesConfig {
            probe: true,
            allow: vec!["Pekalongan Kota".into()],
            allow_local: false,
        };
        assert_eq!(bad.problems().len(), 1, "{:?}", bad.problems());
        let none = WebsitesConfig {
            probe: true,
            ..Default::default()
        };
        assert!(none.problems()[0].starts_with("websites.allow: empty"));
    }

    #[test]
    fn tasks_are_held_to_the_limits_and_the_allowed() {
        let t = Tasks(
            Arc::default(),
            Arc::new(WebsitesConfig {
                probe: true,
                allow: vec!["pekalongankota.go.id".into()],
                allow_local: false,
            }),
        );
        let mut ok = site("https://a.pekalongankota.go.id/", None);
        ok.timeout_secs = 3600;
        ok.max_redirects = 1000;
        t.set(WebsiteTasks {
            digest: "d1".into(),
            interval_secs: 1,
            sites: vec![ok, site("http://192.168.1.1/", None)],
        });
        let held = t.get().unwrap();
        assert_eq!(held.digest, "d1");
        assert_eq!(held.interval_secs, 10);
        assert_eq!(held.sites.len(), 1);
        assert_eq!(
            (held.sites[0].timeout_secs, held.sites[0].max_redirects),
            (60, 30)
        );
    }
}
