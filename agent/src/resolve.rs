//! The collector's address for each request, found without starting a thread per
//! request. ureq's default resolver starts a thread for every lookup that has a
//! deadline, and every request of the agent has one: a thread created and torn down per
//! heartbeat, its stack's pages faulted in each time. Here an IP address in the URL
//! needs no lookup at all, and a name is looked up by one long-lived thread, within the
//! same deadline; a lookup that hangs past it is left to its thread, and the next
//! request starts another.
//!
//! ureq's resolver interface is outside its semver promise (`unversioned`): Cargo.lock
//! pins ureq, and this file is the one that a ureq upgrade may have to touch.

use std::io;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Mutex;

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// At most this many addresses are kept from a lookup (ureq's own limit).
const MAX_ADDRS: usize = 16;

type Answer = io::Result<Vec<SocketAddr>>;
/// The lookup thread's inbox: `host:port`, and where to send the answer.
type Inbox = mpsc::Sender<(String, mpsc::SyncSender<Answer>)>;

/// The resolver of the agent's HTTP client.
#[derive(Debug, Default)]
pub struct CollectorResolver {
    /// The lookup thread's inbox, while it lives and is not stuck.
    worker: Mutex<Option<Inbox>>,
}

impl CollectorResolver {
    /// `host:port` looked up by the lookup thread, within `deadline`.
    fn lookup(&self, host_port: String, deadline: std::time::Duration) -> Answer {
        let mut worker = self.worker.lock().unwrap_or_else(|p| p.into_inner());
        let (reply, answer) = mpsc::sync_channel(1);
        let mut request = (host_port, reply);
        // a thread that has gone (it never should) is replaced once
        for _ in 0..2 {
            let inbox = match worker.as_ref() {
                Some(inbox) => inbox.clone(),
                None => {
                    let inbox = spawn()?;
                    *worker = Some(inbox.clone());
                    inbox
                }
            };
            match inbox.send(request) {
                Ok(()) => break,
                Err(mpsc::SendError(back)) => {
                    request = back;
                    *worker = None;
                }
            }
        }
        match answer.recv_timeout(deadline) {
            Ok(a) => a,
            Err(RecvTimeoutError::Timeout) => {
                // the thread hangs in getaddrinfo: leave it; its inbox is dropped, so
                // it ends when the lookup returns
                *worker = None;
                Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the name lookup did not answer in time",
                ))
            }
            Err(RecvTimeoutError::Disconnected) => {
                *worker = None;
                Err(io::Error::other("the name lookup thread ended"))
            }
        }
    }
}

/// The lookup thread: answers each request in turn until its inbox is dropped.
fn spawn() -> io::Result<Inbox> {
    let (inbox, requests) = mpsc::channel::<(String, mpsc::SyncSender<Answer>)>();
    std::thread::Builder::new()
        .name("simpul-resolve".into())
        .spawn(move || {
            for (host_port, reply) in requests {
                let answer = host_port.to_socket_addrs().map(Iterator::collect);
                let _ = reply.send(answer);
            }
        })?;
    Ok(inbox)
}

/// The address of an URL whose host is an IP address; `None` for a name.
fn literal(host: &str, port: u16) -> Option<SocketAddr> {
    let ip = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    Some(SocketAddr::new(ip.parse::<IpAddr>().ok()?, port))
}

impl Resolver for CollectorResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let authority = uri
            .authority()
            .ok_or_else(|| ureq::Error::BadUri(format!("{uri}: no host")))?;
        let port = match (authority.port_u16(), uri.scheme_str()) {
            (Some(p), _) => p,
            (None, Some("https")) => 443,
            (None, Some("http")) => 80,
            (None, _) => return Err(ureq::Error::BadUri(format!("{uri}: no port"))),
        };
        let addrs = match literal(authority.host(), port) {
            Some(a) => vec![a],
            None => self
                .lookup(format!("{}:{port}", authority.host()), *timeout.after)
                .map_err(|e| match e.kind() {
                    io::ErrorKind::TimedOut => ureq::Error::Timeout(timeout.reason),
                    _ => ureq::Error::Io(e),
                })?,
        };
        let mut out = self.empty();
        for a in config
            .ip_family()
            .keep_wanted(addrs.into_iter())
            .take(MAX_ADDRS)
        {
            out.push(a);
        }
        if out.is_empty() {
            return Err(ureq::Error::HostNotFound);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(r: &CollectorResolver, url: &str) -> Result<Vec<SocketAddr>, ureq::Error> {
        let uri: Uri = url.parse().unwrap();
        let config = Config::default();
        let timeout = NextTimeout {
            after: ureq::unversioned::transport::time::Duration::from_secs(5),
            ..NextTimeout::default()
        };
        r.resolve(&uri, &config, timeout).map(|a| a.to_vec())
    }

    #[test]
    fn addresses_need_no_lookup_and_names_one_thread() {
        let r = CollectorResolver::default();
        assert_eq!(
            resolve(&r, "http://127.0.0.1:19812/api").unwrap(),
            vec!["127.0.0.1:19812".parse().unwrap()]
        );
        assert_eq!(
            resolve(&r, "https://[::1]/api").unwrap(),
            vec!["[::1]:443".parse().unwrap()]
        );
        assert!(
            r.worker.lock().unwrap().is_none(),
            "no thread for an address"
        );
        // a name: looked up by the thread, which stays for the next request
        let a = resolve(&r, "http://localhost:8080/").unwrap();
        assert!(
            a.iter().all(|a| a.ip().is_loopback() && a.port() == 8080),
            "{a:?}"
        );
        let b = resolve(&r, "http://localhost:8080/").unwrap();
        assert_eq!(a, b);
        // one thread answered both (no other test starts one)
        let threads = std::fs::read_dir("/proc/self/task")
            .unwrap()
            .filter(|t| {
                let comm = t.as_ref().unwrap().path().join("comm");
                std::fs::read_to_string(comm).is_ok_and(|c| c.trim() == "simpul-resolve")
            })
            .count();
        assert_eq!(threads, 1);
    }
}
