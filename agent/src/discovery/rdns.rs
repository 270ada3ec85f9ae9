//! Reverse DNS of discovered addresses through the system resolver (getnameinfo),
//! bounded: a few worker threads, and whatever is not answered by the deadline stays
//! nameless (the unfinished lookups are left to finish on their own).

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Concurrent lookups.
const WORKERS: usize = 32;

/// What the resolver answered: `Some(name)`, or `None` for no name. Addresses absent
/// from the map were not answered in time.
pub type Answers = BTreeMap<IpAddr, Option<String>>;

/// One lookup: the name of `ip`, or None.
pub fn lookup(ip: IpAddr) -> Option<String> {
    name_of(&dns_lookup::lookup_addr(&ip).ok()?)
}

/// The name in a getnameinfo answer, if it is one.
fn name_of(answer: &str) -> Option<String> {
    let name = answer.trim_end_matches('.');
    // getnameinfo answers the address itself when it finds no name. A PTR record is
    // whatever the zone's owner wrote: made safe to report
    (!name.is_empty() && name.parse::<IpAddr>().is_err())
        .then(|| simpul_protocol::wire_string(name, simpul_protocol::MAX_WIRE_STRING_BYTES))
}

/// The answers for `ips` that came within `deadline`.
pub fn names(ips: &[IpAddr], deadline: Duration) -> Answers {
    let until = Instant::now() + deadline;
    let queue = Arc::new(Mutex::new(ips.to_vec()));
    let (tx, rx) = mpsc::channel();
    for _ in 0..WORKERS.min(ips.len()) {
        let (queue, tx) = (Arc::clone(&queue), tx.clone());
        let spawned = std::thread::Builder::new()
            .name("simpul-rdns".into())
            .spawn(move || loop {
                let next = queue
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .pop();
                let Some(ip) = next else { break };
                if Instant::now() > until {
                    break;
                }
                if tx.send((ip, lookup(ip))).is_err() {
                    break;
                }
            });
        if spawned.is_err() {
            break;
        }
    }
    drop(tx);
    let mut out = BTreeMap::new();
    while let Some(left) = until.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok((ip, name)) => {
                out.insert(ip, name);
            }
            Err(_) => break, // deadline, or every worker done
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 20, finding 7: a PTR record is the zone owner's text.
    #[test]
    fn control_character_in_a_reverse_dns_name_is_replaced() {
        assert_eq!(
            name_of("srv\t1.dinkes.go.id.").unwrap(),
            "srv\u{FFFD}1.dinkes.go.id"
        );
        assert_eq!(name_of("10.0.0.1"), None);
        assert_eq!(name_of("."), None);
        assert_eq!(name_of(&"a".repeat(400)).unwrap().len(), 255);
    }

    #[test]
    fn loopback_has_a_name_and_the_deadline_holds() {
        let lo: IpAddr = "127.0.0.1".parse().unwrap();
        let t = Instant::now();
        let n = names(&[lo], Duration::from_secs(5));
        assert!(t.elapsed() < Duration::from_secs(6));
        // /etc/hosts names 127.0.0.1 on every Debian system
        assert_eq!(n.get(&lo), Some(&Some("localhost".to_string())), "{n:?}");
        // (no test looks up other addresses: that would query the host's DNS server)
    }
}
