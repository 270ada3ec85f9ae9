//! Waiting for a condition: the one polling loop of the tests.

use std::time::{Duration, Instant};

/// Waits until `f` returns Some, polling every 100 ms, or panics with `what` after
/// `timeout`.
pub fn wait_for<T>(what: &str, timeout: Duration, f: impl FnMut() -> Option<T>) -> T {
    wait_for_every(what, timeout, Duration::from_millis(100), f)
}

/// [`wait_for`], polling every `every` (the namespace-LAN tests poll every 200 ms: each
/// poll there runs a program).
pub fn wait_for_every<T>(
    what: &str,
    timeout: Duration,
    every: Duration,
    mut f: impl FnMut() -> Option<T>,
) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(
            start.elapsed() < timeout,
            "timed out after {timeout:?} waiting for {what}"
        );
        std::thread::sleep(every);
    }
}
