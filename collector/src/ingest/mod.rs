//! The ingest pipeline (a service): what happens to reports once the HTTP layer has
//! authenticated the agent and decoded the body (`api/ingest.rs`). Every report is
//! validated; a token reports only for its own agent id, agency, host and site; an
//! invalid optional section (inventory, backups, lan, snmp) is refused alone and the
//! rest of its report stored, so that one odd device on the LAN cannot cost a host its
//! heartbeat (issue 20, finding 7); backup evidence the agent may not send (another
//! agency's obligation, an undeclared one) is dropped the same way (finding 2); bidi
//! overrides and noncharacters in a LAN or SNMP section (an agent older than the
//! wire-string rules) are replaced by U+FFFD. Then the single [`writer`] commits the
//! reports and updates the fleet.

pub mod writer;

use std::sync::Arc;

use simpul_protocol::{Limits, RefusedSection, Report, Section, Violation};
use tokio::sync::{mpsc, oneshot};

use crate::backups::EvidenceRefusal;
use crate::config::CollectorConfig;
use crate::metrics::Metrics;
use crate::store::pool::ReadPool;
use crate::store::{AgentBinding, StoreError};
use writer::Job;

/// Why reports were not stored: nothing of the request was.
#[derive(Debug)]
pub enum IngestError {
    /// More reports than `max_batch_reports`.
    TooLarge(String),
    /// Invalid reports, every violation named.
    Invalid(Vec<Violation>),
    /// A report claims another agent, agency, host or site than the token's.
    Forbidden {
        message: String,
        violation: Violation,
    },
    /// The collector is stopping.
    Unavailable(&'static str),
    /// The database failed (the detail, for the log).
    Store(String),
}

/// What was stored.
#[derive(Debug)]
pub struct Accepted {
    pub acknowledged: Vec<u64>,
    pub duplicates: u32,
    /// Sections refused alone and backup evidence dropped, per report.
    pub refused: Vec<RefusedSection>,
    /// A software difference could not be applied: the agent is to send its whole list.
    pub software_resend: bool,
}

/// The pipeline's handles.
#[derive(Debug)]
pub struct Ingest {
    pub limits: Limits,
    pub max_batch_reports: usize,
    cfg: Arc<CollectorConfig>,
    db: Arc<ReadPool>,
    writer: mpsc::Sender<Job>,
    metrics: Arc<Metrics>,
    /// The websites each agent host probes for the collector (`probe_from`).
    website_tasks: crate::websites::agents::Tasks,
}

impl Ingest {
    pub fn new(
        cfg: Arc<CollectorConfig>,
        limits: Limits,
        db: Arc<ReadPool>,
        writer: mpsc::Sender<Job>,
        metrics: Arc<Metrics>,
    ) -> Self {
        Self {
            limits,
            max_batch_reports: cfg.max_batch_reports,
            website_tasks: crate::websites::agents::Tasks::new(&cfg),
            cfg,
            db,
            writer,
            metrics,
        }
    }

    /// The websites the agent of `host` is to probe, when they differ from those it
    /// holds (`held`: their digest).
    pub fn website_tasks(
        &self,
        agency: &str,
        host: &str,
        held: &str,
    ) -> Option<simpul_protocol::WebsiteTasks> {
        self.website_tasks.answer(agency, host, held)
    }

    /// Whether the writer has stopped (the collector is not healthy).
    pub fn stopped(&self) -> bool {
        self.writer.is_closed()
    }

    /// Validates, binds and stores `reports` of the agent `binding`, received at `now`;
    /// `batch` says whether they came as a JSON array (violations are then prefixed
    /// `[i].`). `peer` is for the log.
    pub async fn submit(
        &self,
        binding: AgentBinding,
        mut reports: Vec<Report>,
        batch: bool,
        now: f64,
        peer: std::net::SocketAddr,
    ) -> Result<Accepted, IngestError> {
        if reports.is_empty() {
            return Ok(Accepted {
                acknowledged: Vec::new(),
                duplicates: 0,
                refused: Vec::new(),
                software_resend: false,
            });
        }
        if reports.len() > self.max_batch_reports {
            return Err(IngestError::TooLarge(format!(
                "batch of {} reports; at most {} (max_batch_reports) per request",
                reports.len(),
                self.max_batch_reports
            )));
        }
        let prefix = |i: usize| {
            if batch {
                format!("[{i}].")
            } else {
                String::new()
            }
        };
        let mut violations = Vec::new();
        let mut refused = Vec::new();
        for (i, r) in reports.iter().enumerate() {
            match r.validate_sections(&self.limits, now) {
                Ok(sections) => {
                    refused.extend(sections.into_iter().map(|(section, violations)| {
                        let s = RefusedSection {
                            sequence: r.sequence,
                            section,
                            violations,
                        };
                        (i, s)
                    }));
                }
                Err(v) => violations.extend(v.into_iter().map(|v| Violation {
                    field: format!("{}{}", prefix(i), v.field),
                    rule: v.rule,
                })),
            }
        }
        if !violations.is_empty() {
            return Err(IngestError::Invalid(violations));
        }
        for (i, r) in reports.iter().enumerate() {
            check_binding(&binding, r, &prefix(i))?;
        }
        // website probes: only of declared sites whose probe_from names this host
        for (i, r) in reports.iter().enumerate() {
            let section = simpul_protocol::Section::Websites;
            if r.websites.is_empty() || refused.iter().any(|(j, s)| *j == i && s.section == section)
            {
                continue;
            }
            let v = crate::websites::agents::refuse(
                &self.cfg,
                (&binding.agency, &binding.host),
                &r.websites,
                now,
            );
            if !v.is_empty() {
                refused.push((
                    i,
                    RefusedSection {
                        sequence: r.sequence,
                        section,
                        violations: v,
                    },
                ));
            }
        }
        for (i, s) in &refused {
            reports[*i].remove_section(s.section);
        }
        // what an older agent did not replace: bidi overrides, noncharacters
        for r in &mut reports {
            if let Some(lan) = &mut r.lan {
                lan.replace_unsafe_chars();
            }
            r.snmp
                .iter_mut()
                .for_each(simpul_protocol::SnmpPollSummary::replace_unsafe_chars);
        }
        let (evidence_refused, evidence_reasons) =
            self.bind_evidence(&binding, &mut reports).await?;
        let agent = binding.id.clone();
        let (reply, rx) = oneshot::channel();
        let job = Job {
            binding,
            reports: reports.into_iter().map(Arc::new).collect(),
            received_at: now,
            reply,
        };
        self.writer
            .send(job)
            .await
            .map_err(|_| IngestError::Unavailable("collector is shutting down; retry later"))?;
        let outcome = rx
            .await
            .map_err(|_| IngestError::Unavailable("writer stopped before committing; retry later"))?
            .map_err(IngestError::Store)?;
        let stored = outcome.acknowledged.len() as u64 - u64::from(outcome.duplicates);
        self.metrics.stored(stored, outcome.duplicates.into());
        // counted once stored: a failed write is retried and would count twice
        for why in evidence_reasons {
            self.metrics.evidence_refused(why);
        }
        for (_, s) in &refused {
            self.metrics.section_refused(s.section);
            let first = s.violations.first();
            // field and rule quote the report: Debug-escaped, as in every ingest log line
            tracing::warn!(
                %peer,
                agent = %agent,
                sequence = s.sequence,
                section = s.section.as_str(),
                violations = s.violations.len(),
                field = ?first.map_or("", |v| v.field.as_str()),
                rule = ?first.map_or("", |v| v.rule.as_str()),
                "report section refused; the rest of the report is stored"
            );
        }
        Ok(Accepted {
            acknowledged: outcome.acknowledged,
            duplicates: outcome.duplicates,
            software_resend: outcome.software_resend,
            refused: refused
                .into_iter()
                .map(|(_, s)| s)
                .chain(evidence_refused)
                .collect(),
        })
    }

    /// Drops the backup evidence this agent may not send (see
    /// [`crate::backups::bind_evidence`]) before anything is stored; the rest of the
    /// report (its heartbeat above all) is stored. Each refusal is logged, and returned
    /// for the answer and (once stored) the count.
    async fn bind_evidence(
        &self,
        binding: &AgentBinding,
        reports: &mut [Report],
    ) -> Result<(Vec<RefusedSection>, Vec<EvidenceRefusal>), IngestError> {
        if reports.iter().all(|r| r.backups.is_empty()) {
            return Ok((Vec::new(), Vec::new()));
        }
        let (db, cfg) = (Arc::clone(&self.db), Arc::clone(&self.cfg));
        let declared = tokio::task::spawn_blocking(move || {
            crate::backups::declared(&db.get(), &cfg.backup_settings())
        })
        .await
        .map_err(|_| IngestError::Unavailable("obligation lookup failed; retry later"))?
        .map_err(|e: StoreError| IngestError::Store(e.to_string()))?;
        let mut out: Vec<RefusedSection> = Vec::new();
        let mut reasons = Vec::new();
        for (i, k, obligation, why) in crate::backups::bind_evidence(&declared, binding, reports) {
            reasons.push(why);
            tracing::warn!(agent = %binding.id, agency = %binding.agency, obligation = ?obligation, reason = why.as_str(), "backup evidence refused (403); the rest of the report is stored");
            let rule = match why {
                EvidenceRefusal::Unknown => {
                    format!("obligation {obligation:?} is not declared; its evidence was not stored (403)")
                }
                EvidenceRefusal::OtherAgency => format!(
                    "obligation {obligation:?} is not of agency {:?} and does not list this agent in reporters; its evidence was not stored (403)",
                    binding.agency
                ),
            };
            let violation = Violation {
                field: format!("backups[{k}].obligation"),
                rule,
            };
            let sequence = reports[i].sequence;
            match out
                .iter_mut()
                .find(|s| s.sequence == sequence && s.section == Section::Backups)
            {
                Some(s) => s.violations.push(violation),
                None => out.push(RefusedSection {
                    sequence,
                    section: Section::Backups,
                    violations: vec![violation],
                }),
            }
        }
        Ok((out, reasons))
    }
}

/// A token may only report for its own agent id, agency, host and site.
fn check_binding(b: &AgentBinding, r: &Report, prefix: &str) -> Result<(), IngestError> {
    let forbidden = |field: &str, claimed: &str, bound: &str| IngestError::Forbidden {
        message: format!("this token is bound to {field} {bound:?}, the report claims {claimed:?}"),
        violation: Violation {
            field: format!("{prefix}{field}"),
            rule: format!("must be {bound:?} for this token"),
        },
    };
    if r.agent_id != b.id {
        return Err(forbidden("agent_id", &r.agent_id, &b.id));
    }
    if !r.host.hostname.eq_ignore_ascii_case(&b.host) {
        return Err(forbidden("host.hostname", &r.host.hostname, &b.host));
    }
    if let Some(a) = r.host.agency.as_deref().filter(|a| *a != b.agency) {
        return Err(forbidden("host.agency", a, &b.agency));
    }
    if let Some(s) = r.host.site.as_deref() {
        match &b.site {
            Some(bound) if bound != s => return Err(forbidden("host.site", s, bound)),
            None => return Err(forbidden("host.site", s, "")),
            _ => {}
        }
    }
    Ok(())
}
