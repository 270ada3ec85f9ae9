//! Token-bucket rate limits per agent and per source address.
//!
//! A bucket holds up to `burst` requests and refills at `rate` per second; a request
//! takes one or is refused with the seconds until one is available. Buckets that have
//! refilled completely carry no information and are swept away, so the map stays as
//! small as the set of recently busy clients.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Buckets keyed by agent id or address.
#[derive(Debug)]
pub struct RateLimiter<K> {
    rate: f64,
    burst: f64,
    buckets: Mutex<HashMap<K, (f64, Instant)>>,
}

impl<K: Eq + Hash + Clone> RateLimiter<K> {
    /// `rate` requests per second sustained, `burst` at once; rate 0 disables the limit.
    pub fn new(rate: f64, burst: u32) -> Self {
        Self {
            rate,
            burst: f64::from(burst.max(1)),
            buckets: Mutex::default(),
        }
    }

    /// Takes one request from `key`'s bucket at `now`; on refusal, how long to wait.
    pub fn check(&self, key: &K, now: Instant) -> Result<(), Duration> {
        if self.rate <= 0.0 {
            return Ok(());
        }
        let mut map = crate::lock(&self.buckets);
        let (tokens, last) = map.entry(key.clone()).or_insert((self.burst, now));
        let elapsed = now.saturating_duration_since(*last).as_secs_f64();
        *tokens = (*tokens + elapsed * self.rate).min(self.burst);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - *tokens) / self.rate))
        }
    }

    /// Drops buckets that are full again at `now`.
    pub fn sweep(&self, now: Instant) {
        if self.rate <= 0.0 {
            return;
        }
        crate::lock(&self.buckets).retain(|_, (tokens, last)| {
            *tokens + now.saturating_duration_since(*last).as_secs_f64() * self.rate < self.burst
        });
    }

    /// Gives back the request `check` took from `key` (up to the burst): for requests
    /// that turned out not to count, such as a login with the right password.
    pub fn refund(&self, key: &K) {
        if let Some((tokens, _)) = crate::lock(&self.buckets).get_mut(key) {
            *tokens = (*tokens + 1.0).min(self.burst);
        }
    }

    /// Forgets `key`'s bucket: it starts full again.
    pub fn forget(&self, key: &K) {
        crate::lock(&self.buckets).remove(key);
    }

    /// The keys refused at `now`, each with how long until it may try again.
    pub fn refused(&self, now: Instant) -> Vec<(K, Duration)> {
        if self.rate <= 0.0 {
            return Vec::new();
        }
        crate::lock(&self.buckets)
            .iter()
            .filter_map(|(k, (tokens, last))| {
                let t = *tokens + now.saturating_duration_since(*last).as_secs_f64() * self.rate;
                (t < 1.0).then(|| (k.clone(), Duration::from_secs_f64((1.0 - t) / self.rate)))
            })
            .collect()
    }

    /// Buckets currently tracked.
    #[cfg(test)]
    fn len(&self) -> usize {
        crate::lock(&self.buckets).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_then_sustained_rate() {
        let rl = RateLimiter::new(2.0, 3);
        let t0 = Instant::now();
        for _ in 0..3 {
            rl.check(&"a", t0).unwrap();
        }
        let wait = rl.check(&"a", t0).unwrap_err();
        assert!((wait.as_secs_f64() - 0.5).abs() < 1e-6, "{wait:?}");
        rl.check(&"b", t0).unwrap(); // other keys are independent
        rl.check(&"a", t0 + Duration::from_millis(500)).unwrap();
        assert!(rl.check(&"a", t0 + Duration::from_millis(600)).is_err());
    }

    #[test]
    fn zero_rate_means_no_limit_and_full_buckets_are_swept() {
        let off = RateLimiter::new(0.0, 1);
        let t0 = Instant::now();
        for _ in 0..100 {
            off.check(&1, t0).unwrap();
        }
        let rl = RateLimiter::new(10.0, 5);
        rl.check(&1, t0).unwrap();
        rl.check(&2, t0 + Duration::from_secs(1)).unwrap();
        rl.sweep(t0 + Duration::from_millis(1050));
        assert_eq!(
            rl.len(),
            1,
            "key 1 refilled and was swept, key 2 is still draining"
        );
    }

    #[test]
    fn refused_lists_empty_buckets_and_forget_refills() {
        let rl = RateLimiter::new(1.0, 2);
        let t0 = Instant::now();
        for _ in 0..3 {
            let _ = rl.check(&"a", t0);
        }
        rl.check(&"b", t0).unwrap();
        let refused = rl.refused(t0);
        assert_eq!(refused.len(), 1, "{refused:?}");
        assert_eq!(refused[0].0, "a");
        assert!((refused[0].1.as_secs_f64() - 1.0).abs() < 1e-6);
        assert!(rl.refused(t0 + Duration::from_secs(1)).is_empty());
        rl.forget(&"a");
        rl.check(&"a", t0).unwrap();
        rl.check(&"a", t0).unwrap();
    }
}
