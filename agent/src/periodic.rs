//! A job that runs every so often on a thread of its own, so that a slow run (a large
//! restic repository, a LAN sweep) never delays a heartbeat: the result goes into the
//! first report after the run finishes.

use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A periodic background job producing `T`.
pub struct Periodic<T> {
    name: &'static str,
    job: Arc<dyn Fn() -> T + Send + Sync>,
    every: Duration,
    last: Option<Instant>,
    running: Option<JoinHandle<T>>,
}

impl<T> std::fmt::Debug for Periodic<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Periodic")
            .field("name", &self.name)
            .field("every", &self.every)
            .field("running", &self.running.is_some())
            .finish()
    }
}

impl<T: Send + 'static> Periodic<T> {
    /// `job` runs on thread `name` at once, then every `every`.
    pub fn new(
        name: &'static str,
        every: Duration,
        job: impl Fn() -> T + Send + Sync + 'static,
    ) -> Self {
        Self {
            name,
            job: Arc::new(job),
            every,
            last: None,
            running: None,
        }
    }

    /// Starts the job when due; returns the result of a run that has finished.
    pub fn due(&mut self, now: Instant) -> Option<T> {
        if self.running.as_ref().is_some_and(JoinHandle::is_finished) {
            return match self.running.take().map(JoinHandle::join) {
                Some(Ok(v)) => Some(v),
                _ => {
                    tracing::error!(
                        job = self.name,
                        "background job panicked; retrying at the next period"
                    );
                    None
                }
            };
        }
        let due = self
            .last
            .is_none_or(|t| now.duration_since(t) >= self.every);
        if self.running.is_some() || !due {
            return None;
        }
        self.last = Some(now);
        let job = Arc::clone(&self.job);
        match std::thread::Builder::new()
            .name(format!("simpul-{}", self.name))
            .spawn(move || job())
        {
            Ok(h) => self.running = Some(h),
            Err(e) => tracing::error!(job = self.name, error = %e, "cannot start a background job"),
        }
        None
    }
}
