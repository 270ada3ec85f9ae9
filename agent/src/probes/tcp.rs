//! TCP connect probes: the round trip of a TCP handshake to an address and port, for
//! links where ICMP is filtered. Each request is a new connection (a new source port),
//! closed as soon as it is made; its round trip is the time from `connect` to the
//! connection being established (SYN out, SYN-ACK in). A refused connection proves
//! the path works but not the service: it counts as lost, and the round says why.

use std::net::SocketAddr;
use std::time::Duration;

use super::{Attempt, AttemptFuture, Probe};

/// Connects to one address and port.
pub struct Tcp {
    target: SocketAddr,
}

impl Tcp {
    pub fn new(target: SocketAddr) -> Self {
        Self { target }
    }

    async fn connect(&self, timeout: Duration) -> Attempt {
        let start = tokio::time::Instant::now();
        match tokio::time::timeout(timeout, tokio::net::TcpStream::connect(self.target)).await {
            // dropped at once: closed without sending anything
            Ok(Ok(_stream)) => Ok(Some(start.elapsed())),
            Ok(Err(e)) => Err(format!("connect to {}: {e}", self.target)),
            Err(_) => Ok(None),
        }
    }
}

impl Probe for Tcp {
    fn attempt(&self, _n: u32, timeout: Duration) -> AttemptFuture<'_> {
        Box::pin(self.connect(timeout))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Loopback only: a listener answers every connect; a closed port refuses them.
    #[test]
    fn connects_to_a_listener_and_names_a_refusal() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let open = listener.local_addr().unwrap();
            let closed = {
                let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
                l.local_addr().unwrap()
            };
            tokio::spawn(async move {
                while let Ok((s, _)) = listener.accept().await {
                    drop(s);
                }
            });
            let t = Tcp::new(open);
            let rtt = t.connect(Duration::from_secs(2)).await.unwrap().unwrap();
            assert!(rtt < Duration::from_millis(500), "{rtt:?}");
            let e = Tcp::new(closed)
                .connect(Duration::from_secs(2))
                .await
                .unwrap_err();
            assert!(e.contains("refused"), "{e}");
        });
    }
}
