//! Websites probed for the collector (issue 26): with `[websites] probe = true` in
//! agent.toml, the agent tells the collector it takes website tasks
//! ([`simpul_protocol::WEBSITES_HEADER`]); the collector answers with the sites whose
//! `probe_from` names this host; a thread of its own probes them every interval
//! (simpul_webcheck: DNS, connect, TLS and first byte timed apart, redirects, the
//! certificate chain and its verdict) and the probes go out with the next report.
//!
//! Off by default: without the key the agent asks for nothing and probes nothing,
//! whatever the collector's configuration says.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Deserialize;
use simpul_protocol::{WebsiteCheck, WebsiteTask, WebsiteTasks};
use simpul_webcheck::{Target, Trust};

/// `[websites]` of agent.toml.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebsitesConfig {
    /// Probe the websites the collector names for this host (its `probe_from`).
    #[serde(default)]
    pub probe: bool,
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
/// (new ones) and the probing thread.
#[derive(Debug, Clone, Default)]
pub struct Tasks(Arc<Mutex<Option<WebsiteTasks>>>);

impl Tasks {
    /// The digest of the tasks held (empty before the first answer).
    pub fn digest(&self) -> String {
        self.get().map(|t| t.digest).unwrap_or_default()
    }

    /// Replaces the tasks.
    pub fn set(&self, tasks: WebsiteTasks) {
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

/// Starts the probing thread `simpul-websites`: the returned tasks take the
/// collector's answers, the outbox gives the probes.
pub fn start() -> std::io::Result<(Tasks, Outbox)> {
    let tasks = Tasks::default();
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
