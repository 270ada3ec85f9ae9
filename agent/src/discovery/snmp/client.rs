//! [`Snmp`] on `async-snmp` (pinned): UDP, GETBULK walks with the target's
//! max-repetitions, a request timeout and retries per target. The only file that
//! knows the library.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_snmp::{Auth, AuthProtocol, ErrorKind, PrivProtocol, Retry, UsmConfig, Value};

use super::{Snmp, SnmpTarget, Val};

/// The UDP sockets a long-running poller shares among its devices: one per address
/// family, each with one receive buffer (64 KiB) and one receive task however many
/// devices it serves, where [`Client::connect`] binds a socket of its own.
pub struct Sockets {
    /// Per family: `None` until a target of the family is connected (or where none
    /// is), the error where its bind failed: bound again at the next connect, so that a
    /// failure lasts until the cause is gone, not until the helper restarts.
    v4: tokio::sync::Mutex<Option<Result<async_snmp::UdpTransport, String>>>,
    v6: tokio::sync::Mutex<Option<Result<async_snmp::UdpTransport, String>>>,
}

impl Sockets {
    /// Binds a socket for each address family `targets` use (a failure is the
    /// failure of that family's devices only, until a later bind succeeds).
    pub async fn bind(targets: &[SnmpTarget]) -> Self {
        let s = Self {
            v4: tokio::sync::Mutex::new(None),
            v6: tokio::sync::Mutex::new(None),
        };
        for v6 in [false, true] {
            if targets
                .iter()
                .any(|t| t.ip().is_some_and(|ip| ip.is_ipv6() == v6))
            {
                let _ = s.get(v6).await;
            }
        }
        s
    }

    /// The socket of a family, bound now when there is none yet or the last bind
    /// failed.
    async fn get(&self, v6: bool) -> Result<async_snmp::UdpTransport, String> {
        let (slot, addr) = if v6 {
            (&self.v6, "[::]:0")
        } else {
            (&self.v4, "0.0.0.0:0")
        };
        let mut slot = slot.lock().await;
        if let Some(Ok(socket)) = &*slot {
            return Ok(socket.clone());
        }
        let bound = async_snmp::UdpTransport::bind(addr)
            .await
            .map_err(|e| format!("cannot open a UDP socket on {addr}: {e}"));
        *slot = Some(bound.clone());
        bound
    }
}

/// A connected client for one target.
pub struct Client {
    inner: async_snmp::Client<async_snmp::transport::UdpHandle>,
    /// On a socket shared with other devices ([`Sockets`]): its counters of unusable
    /// datagrams are not this device's.
    shared: bool,
    reps: u32,
    what: String,
    /// For v3: how to ask the device whether it is there at all (noAuthNoPriv).
    probe: Option<(std::net::SocketAddr, String, Duration)>,
    /// The device, its credentials and the timeout: for a one-request probe on a
    /// fresh socket whose counters are this probe's alone (see `answers_unusably`).
    peer: std::net::SocketAddr,
    auth: Auth,
    timeout: Duration,
    /// The target's `max_rows`, and what the rest of this poll may still return
    /// (`max_rows` less what the walks so far returned).
    max_rows: u32,
    rows_left: AtomicUsize,
}

/// How a device answered a probe (see `Client::probe_answer`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ProbeAnswer {
    Usable,
    Unusable,
    Silent,
}

/// sysUpTime.0: what a probe asks for.
const SYS_UPTIME: [u32; 9] = [1, 3, 6, 1, 2, 1, 1, 3, 0];

fn auth_protocol(s: &str) -> Option<AuthProtocol> {
    Some(match s {
        "SHA" => AuthProtocol::Sha1,
        "SHA-224" => AuthProtocol::Sha224,
        "SHA-256" => AuthProtocol::Sha256,
        "SHA-384" => AuthProtocol::Sha384,
        "SHA-512" => AuthProtocol::Sha512,
        "MD5" => AuthProtocol::Md5,
        _ => return None,
    })
}

fn priv_protocol(s: &str) -> Option<PrivProtocol> {
    Some(match s {
        "AES" => PrivProtocol::Aes128,
        "AES-192" => PrivProtocol::Aes192Blumenthal,
        "AES-256" => PrivProtocol::Aes256Blumenthal,
        "DES" => PrivProtocol::Des,
        _ => return None,
    })
}

/// The library's auth settings for `t` (already validated by `problems`).
fn auth(t: &SnmpTarget) -> Result<Auth, String> {
    if t.version == "2c" {
        return Ok(Auth::v2c(t.community.clone().unwrap_or_default()));
    }
    let user = t.user.clone().unwrap_or_default();
    let usm = UsmConfig::new(user.into_bytes());
    let usm = match (
        t.auth_protocol.as_deref().and_then(auth_protocol),
        t.priv_protocol.as_deref().and_then(priv_protocol),
    ) {
        (None, _) => Ok(usm),
        (Some(a), None) => usm.auth(a, t.auth_password.as_deref().unwrap_or_default()),
        (Some(a), Some(p)) => usm.auth_priv(
            a,
            t.auth_password.as_deref().unwrap_or_default(),
            p,
            t.priv_password.as_deref().unwrap_or_default(),
        ),
    }
    // the library's message names the problem (e.g. a password too short), not the
    // password
    .map_err(|e| format!("SNMPv3 settings: {e}"))?;
    Ok(usm.into())
}

impl Client {
    /// A client for `t`; binds a UDP socket, sends nothing yet.
    pub async fn connect(t: &SnmpTarget) -> Result<Self, String> {
        Self::open(t, None).await
    }

    /// A client for `t` on the socket of its address family in `sockets`.
    pub async fn connect_shared(t: &SnmpTarget, sockets: &Sockets) -> Result<Self, String> {
        Self::open(t, Some(sockets)).await
    }

    async fn open(t: &SnmpTarget, sockets: Option<&Sockets>) -> Result<Self, String> {
        let ip = t
            .ip()
            .ok_or_else(|| format!("address {:?} is not an IP address", t.address))?;
        let retry = Retry::fixed(t.retries, Duration::ZERO).map_err(|e| e.to_string())?;
        let peer = std::net::SocketAddr::new(ip, t.port);
        let credentials = auth(t)?;
        let builder = async_snmp::Client::builder(peer, credentials.clone())
            .request_timeout(Duration::from_millis(u64::from(t.timeout_ms)))
            .retry(retry)
            .max_oids_per_request(t.max_repetitions.max(1) as usize);
        let inner = match sockets {
            None => builder.connect().await,
            Some(s) => builder.build_with(&s.get(ip.is_ipv6()).await?).await,
        }
        .map_err(|e| format!("cannot open a UDP socket: {e}"))?;
        let what = if t.version == "3" {
            format!("SNMPv3 user {:?}", t.user.as_deref().unwrap_or_default())
        } else {
            "SNMPv2c community".to_owned()
        };
        let probe = (t.version == "3").then(|| {
            (
                peer,
                t.user.clone().unwrap_or_default(),
                Duration::from_millis(u64::from(t.timeout_ms)),
            )
        });
        Ok(Self {
            inner,
            shared: sockets.is_some(),
            reps: t.max_repetitions,
            what,
            probe,
            peer,
            auth: credentials,
            timeout: Duration::from_millis(u64::from(t.timeout_ms)),
            max_rows: t.max_rows,
            rows_left: AtomicUsize::new(t.max_rows as usize),
        })
    }

    /// How the device answers one GET of sysUpTime.0: usably, with datagrams that are
    /// not a usable reply, or not at all. The library counts a datagram it cannot match to a request as
    /// malformed or discarded, but one that carries a request id and then fails to
    /// decode (a value of an unknown type, an OID arc beyond 32 bits) is only
    /// "correlated", and the request times out as if nothing came back; on a fresh
    /// socket every correlated datagram of a request that timed out is such an answer.
    /// Without this, such a device was reported as "no answer; check the address"
    /// (hostile-LAN suite, issue 20).
    async fn probe_answer(&self) -> ProbeAnswer {
        let Ok(c) = async_snmp::Client::builder(self.peer, self.auth.clone())
            .request_timeout(self.timeout)
            .retry(Retry::none())
            .connect()
            .await
        else {
            return ProbeAnswer::Silent;
        };
        let got = c.get(&async_snmp::Oid::from_slice(&SYS_UPTIME)).await;
        let st = c.stats();
        match got {
            Ok(_) => ProbeAnswer::Usable,
            Err(e) if e.kind() == ErrorKind::Timeout => {
                if st.correlated_datagrams + st.malformed_datagrams + st.discarded_datagrams > 0 {
                    ProbeAnswer::Unusable
                } else {
                    ProbeAnswer::Silent
                }
            }
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::Decode | ErrorKind::MalformedResponse | ErrorKind::ResponseShape
                ) =>
            {
                ProbeAnswer::Unusable
            }
            Err(_) => ProbeAnswer::Silent,
        }
    }

    /// Whether the device answers an unauthenticated SNMPv3 request of the same user
    /// (with a Report or an error: any answer). A device drops authenticated requests
    /// whose digest or encryption is wrong without a word the client may trust, so
    /// this tells a wrong password from a dead device.
    async fn answers_v3(&self) -> bool {
        let Some((peer, user, timeout)) = &self.probe else {
            return false;
        };
        let Ok(c) = async_snmp::Client::builder(*peer, Auth::usm(user.as_bytes()))
            .request_timeout(*timeout)
            .retry(Retry::none())
            .connect()
            .await
        else {
            return false;
        };
        match c.get(&async_snmp::Oid::from_slice(&SYS_UPTIME)).await {
            Ok(_) => true,
            Err(e) => !matches!(e.kind(), ErrorKind::Timeout | ErrorKind::Network),
        }
    }

    /// A message for a failed request that says what to check, without secrets.
    async fn explain(&self, e: &async_snmp::Error) -> String {
        let probe = if e.kind() == ErrorKind::Timeout {
            let st = self.inner.stats();
            if !self.shared && st.malformed_datagrams + st.discarded_datagrams > 0 {
                ProbeAnswer::Unusable
            } else if self.probe.is_some() {
                // SNMPv3: a wrong password also gets an answer the client cannot use
                // (a Report), so the probe cannot tell; `answers_v3` below does
                ProbeAnswer::Silent
            } else {
                self.probe_answer().await
            }
        } else {
            ProbeAnswer::Silent
        };
        match e.kind() {
            ErrorKind::Timeout if probe == ProbeAnswer::Unusable => {
                format!(
                    "the device answered, but not with valid SNMP replies to these requests \
                     ({e}); is this port an SNMP agent, and does it speak the configured version?"
                )
            }
            // the probe used the same credentials: they are right
            ErrorKind::Timeout if probe == ProbeAnswer::Usable => {
                format!(
                    "the device answers, but not to these requests ({e}): it gave no usable \
                     reply to a request of this walk (an OID too long, a reply too big?)"
                )
            }
            ErrorKind::Timeout if self.answers_v3().await => format!(
                "authentication failed for {}: the device answers SNMPv3 but not to these \
                 credentials ({e}); check the auth and priv passwords and protocols",
                self.what
            ),
            ErrorKind::Timeout => format!(
                "no answer ({e}); check the address, that the device answers SNMP, and the {} \
                 (a device drops requests with a wrong community or password)",
                self.what
            ),
            ErrorKind::Auth | ErrorKind::Report => format!(
                "authentication failed for {} ({e}); check the user, the protocols and the \
                 passwords",
                self.what
            ),
            ErrorKind::Decode | ErrorKind::MalformedResponse | ErrorKind::ResponseShape => {
                format!("the device sent an answer that is not valid SNMP ({e})")
            }
            _ => e.to_string(),
        }
    }
}

impl Client {
    /// Gives the next poll of a client kept across polls (the interface counters)
    /// the whole `max_rows` again.
    pub fn reset_rows(&self) {
        self.rows_left
            .store(self.max_rows as usize, Ordering::Relaxed);
    }

    /// GETs `oids` (in requests of at most `max_repetitions` OIDs; a tooBig splits
    /// one): the values the device has, in any order; an OID it has no value for is
    /// left out.
    pub async fn get(&self, oids: &[Vec<u32>]) -> Result<Vec<(Vec<u32>, Val)>, String> {
        let oids: Vec<async_snmp::Oid> = oids
            .iter()
            .map(|o| async_snmp::Oid::from_slice(o))
            .collect();
        let got = match self.inner.get_many(&oids).await {
            Ok(r) => r,
            Err(e) => return Err(self.explain(&e).await),
        };
        Ok(got
            .varbinds
            .iter()
            .filter(|vb| {
                !matches!(
                    vb.value,
                    Value::NoSuchObject | Value::NoSuchInstance | Value::EndOfMibView
                )
            })
            .map(|vb| (vb.oid.arcs().to_vec(), val(&vb.value)))
            .collect())
    }
}

fn val(v: &Value) -> Val {
    match v {
        Value::Integer(i) => Val::Int(i64::from(*i)),
        Value::OctetString(b) | Value::Opaque(b) | Value::Nsap(b) => Val::Bytes(b.to_vec()),
        Value::ObjectIdentifier(o) => Val::Oid(o.arcs().to_vec()),
        Value::IpAddress(a) => Val::Ip(*a),
        Value::Counter32(n) | Value::Gauge32(n) | Value::UInteger32(n) | Value::TimeTicks(n) => {
            Val::Int(i64::from(*n))
        }
        Value::Counter64(n) => Val::Int(i64::try_from(*n).unwrap_or(i64::MAX)),
        _ => Val::Other,
    }
}

impl Snmp for Client {
    async fn walk(&self, root: &[u32]) -> Result<Vec<(Vec<u32>, Val)>, String> {
        // a genErr or tooBig on a big GETBULK (AgentX subagents such as lldpd, small
        // agents) gets the same walk again with fewer rows per request, then GETNEXT
        let oid = async_snmp::Oid::from_slice(root);
        let mut tries = vec![Some(self.reps)];
        if self.reps > 5 {
            tries.push(Some(5));
        }
        tries.push(None);
        let mut last = None;
        let mut rows = None;
        let budget = self.rows_left.load(Ordering::Relaxed);
        for reps in tries {
            let options = async_snmp::WalkOptions {
                method: match reps {
                    Some(_) => async_snmp::WalkMethod::GetBulk,
                    None => async_snmp::WalkMethod::GetNext,
                },
                max_repetitions: reps.unwrap_or(self.reps),
                result_limit: Some(budget),
                ..async_snmp::WalkOptions::default()
            };
            let walked = self.inner.walk_with(oid.clone(), options);
            let walked = match walked {
                Ok(w) => w.collect().await,
                Err(e) => Err(e),
            };
            match walked {
                Ok(r) => {
                    rows = Some(r);
                    break;
                }
                Err(e)
                    if matches!(
                        e.as_ref(),
                        async_snmp::Error::WalkAborted {
                            reason: async_snmp::WalkAbortReason::ResultLimitExceeded { .. },
                            ..
                        }
                    ) =>
                {
                    return Err(format!(
                        "the device returned more than max_rows = {} rows in this poll and \
                         was stopped; raise max_rows for a device with tables this large",
                        self.max_rows
                    ));
                }
                Err(e) if e.kind() == ErrorKind::Snmp => {
                    tracing::debug!(error = %e, ?reps, "SNMP walk failed; trying smaller requests");
                    last = Some(e);
                }
                Err(e) => return Err(self.explain(&e).await),
            }
        }
        let Some(rows) = rows else {
            return Err(match last {
                Some(e) => self.explain(&e).await,
                None => "no walk was tried".into(),
            });
        };
        self.rows_left
            .store(budget.saturating_sub(rows.len()), Ordering::Relaxed);
        Ok(rows
            .iter()
            .filter(|vb| {
                !matches!(
                    vb.value,
                    Value::NoSuchObject | Value::NoSuchInstance | Value::EndOfMibView
                )
            })
            .map(|vb| (vb.oid.arcs().to_vec(), val(&vb.value)))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A device on 127.0.0.1 that answers every request with the request itself
    /// turned into a Response whose value has a type no SNMP library knows (tag 0x9F,
    /// as the hostile-LAN suite's malformed device sends). Stops after 5 s of quiet.
    fn undecodable_device() -> u16 {
        let s = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let port = s.local_addr().unwrap().port();
        std::thread::spawn(move || {
            let mut buf = [0u8; 2048];
            while let Ok((n, peer)) = s.recv_from(&mut buf) {
                let mut d = buf[..n].to_vec();
                let Some(at) = d.windows(6).position(|w| w == b"public") else {
                    continue;
                };
                if let Some(pdu) = d[at + 6..]
                    .iter()
                    .position(|b| matches!(b, 0xA0 | 0xA1 | 0xA5))
                {
                    d[at + 6 + pdu] = 0xA2;
                }
                // the last varbind's value: NULL in a request
                if d.ends_with(&[0x05, 0x00]) {
                    d[n - 2] = 0x9F;
                }
                let _ = s.send_to(&d, peer);
            }
        });
        port
    }

    fn tlv(tag: u8, v: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        match v.len() {
            n if n < 128 => out.push(n as u8),
            n => out.extend([0x82, (n >> 8) as u8, n as u8]),
        }
        out.extend_from_slice(v);
        out
    }

    /// (tag, contents) of the BER element at `at`, and where the next one starts.
    fn element(b: &[u8], at: usize) -> (u8, &[u8], usize) {
        let (tag, first) = (b[at], b[at + 1] as usize);
        let (len, start) = if first < 0x80 {
            (first, at + 2)
        } else {
            let n = first & 0x7f;
            let len = b[at + 2..at + 2 + n]
                .iter()
                .fold(0, |a, x| (a << 8) | *x as usize);
            (len, at + 2 + n)
        };
        (tag, &b[start..start + len], start + len)
    }

    /// A device on 127.0.0.1 whose system group never ends: every GETBULK gets as
    /// many rows as it asks for, each one further on (1.3.6.1.2.1.1.N). Stops after
    /// 5 s of quiet.
    fn endless_device() -> u16 {
        let s = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let port = s.local_addr().unwrap().port();
        std::thread::spawn(move || {
            let mut buf = [0u8; 2048];
            let mut next: u32 = 1;
            while let Ok((n, peer)) = s.recv_from(&mut buf) {
                let (_, msg, _) = element(&buf[..n], 0);
                let (_, _, at) = element(msg, 0); // version
                let (_, _, at) = element(msg, at); // community
                let (_, pdu, _) = element(msg, at);
                let (_, rid, at) = element(pdu, 0);
                let (_, _, at) = element(pdu, at);
                let (_, reps, _) = element(pdu, at);
                let reps = reps.iter().fold(0u32, |a, x| (a << 8) | u32::from(*x));
                let mut vbs = Vec::new();
                for _ in 0..reps.max(1) {
                    let mut oid = vec![43, 6, 1, 2, 1, 1];
                    let mut arc = vec![(next & 0x7f) as u8];
                    let mut rest = next >> 7;
                    while rest > 0 {
                        arc.insert(0, 0x80 | (rest & 0x7f) as u8);
                        rest >>= 7;
                    }
                    oid.extend(arc);
                    next += 1;
                    let vb = [tlv(0x06, &oid), tlv(0x04, &[b'x'; 32])].concat();
                    vbs.extend(tlv(0x30, &vb));
                }
                let pdu = [
                    tlv(0x02, rid),
                    tlv(0x02, &[0]),
                    tlv(0x02, &[0]),
                    tlv(0x30, &vbs),
                ]
                .concat();
                let msg = [tlv(0x02, &[1]), tlv(0x04, b"public"), tlv(0xA2, &pdu)].concat();
                let _ = s.send_to(&tlv(0x30, &msg), peer);
            }
        });
        port
    }

    /// Hostile-LAN suite: a device whose table never ended was walked until the
    /// poll's deadline, the agent's memory growing by some 25 MB a second.
    #[tokio::test(flavor = "current_thread")]
    async fn a_table_without_end_stops_at_max_rows() {
        let port = endless_device();
        let t: SnmpTarget = toml::from_str(&format!(
            "address = \"127.0.0.1\"\nport = {port}\ncommunity = \"public\"\n\
             timeout_ms = 1000\nretries = 0\nmax_rows = 1000\n"
        ))
        .unwrap();
        let c = Client::connect(&t).await.unwrap();
        let e = tokio::time::timeout(Duration::from_secs(10), c.walk(&[1, 3, 6, 1, 2, 1, 1]))
            .await
            .expect("the walk ends")
            .unwrap_err();
        assert!(
            e.starts_with("the device returned more than max_rows = 1000 rows"),
            "{e}"
        );
    }

    /// A device on 127.0.0.1 that answers every datagram with bytes that are not
    /// SNMP. Stops after 5 s of quiet.
    fn garbage_device() -> u16 {
        let s = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let port = s.local_addr().unwrap().port();
        std::thread::spawn(move || {
            let mut buf = [0u8; 2048];
            while let Ok((_, peer)) = s.recv_from(&mut buf) {
                let _ = s.send_to(b"this is not SNMP", peer);
            }
        });
        port
    }

    fn target(port: u16) -> SnmpTarget {
        toml::from_str(&format!(
            "address = \"127.0.0.1\"\nport = {port}\ncommunity = \"public\"\n\
             timeout_ms = 300\nretries = 0\n"
        ))
        .unwrap()
    }

    /// The traffic poller's devices share one socket: a device that answers garbage
    /// on it must not make a silent one look like it answered (the socket's counters
    /// of unusable datagrams are every device's).
    #[tokio::test(flavor = "current_thread")]
    async fn devices_sharing_a_socket_are_each_judged_by_their_own_answers() {
        let garbage = target(garbage_device());
        // bound and never read: no answer, and no ICMP "port unreachable" either
        let quiet = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let silent = target(quiet.local_addr().unwrap().port());
        let sockets = Sockets::bind(&[garbage.clone(), silent.clone()]).await;
        assert!(sockets.v4.lock().await.as_ref().is_some_and(Result::is_ok));
        assert!(sockets.v6.lock().await.is_none());
        let a = Client::connect_shared(&garbage, &sockets).await.unwrap();
        let b = Client::connect_shared(&silent, &sockets).await.unwrap();
        let e = a.walk(&[1, 3, 6, 1, 2, 1, 1]).await.unwrap_err();
        assert!(e.contains("not with valid SNMP replies"), "{e}");
        let e = b.walk(&[1, 3, 6, 1, 2, 1, 1]).await.unwrap_err();
        assert!(e.starts_with("no answer"), "{e}");
        drop(quiet);
    }

    /// A family whose socket could not be bound (a host with IPv6 off) was failed
    /// until the helper restarted: the next connect binds again.
    #[tokio::test(flavor = "current_thread")]
    async fn a_failed_bind_is_tried_again_at_the_next_connect() {
        let quiet = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let t = target(quiet.local_addr().unwrap().port());
        let sockets = Sockets {
            v4: tokio::sync::Mutex::new(Some(Err("cannot open a UDP socket: test".into()))),
            v6: tokio::sync::Mutex::new(None),
        };
        assert!(Client::connect_shared(&t, &sockets).await.is_ok());
        assert!(sockets.v4.lock().await.as_ref().is_some_and(Result::is_ok));
        // and the devices after it share that socket
        let first = sockets.get(false).await.unwrap();
        let again = sockets.get(false).await.unwrap();
        assert_eq!(first.local_addr(), again.local_addr());
    }

    /// Hostile-LAN suite: a device whose every answer failed to decode was reported
    /// as "no answer; check the address", sending the operator to the wrong place.
    #[tokio::test(flavor = "current_thread")]
    async fn a_device_answering_undecodable_snmp_is_not_reported_as_silent() {
        let port = undecodable_device();
        let t: SnmpTarget = toml::from_str(&format!(
            "address = \"127.0.0.1\"\nport = {port}\ncommunity = \"public\"\n\
             timeout_ms = 300\nretries = 0\n"
        ))
        .unwrap();
        let c = Client::connect(&t).await.unwrap();
        let e = c.walk(&[1, 3, 6, 1, 2, 1, 1]).await.unwrap_err();
        assert!(e.contains("valid SNMP") && !e.contains("no answer"), "{e}");
    }
}
