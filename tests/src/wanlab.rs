//! An isolated test WAN of Linux network namespaces, created by the test that uses it
//! and deleted when the handle drops (also after a panic): a `core` namespace (where
//! the probing agent runs) joined to one target namespace per link through a `wire`
//! namespace that shapes each link like `tc netem`: a delay, and a random loss, on the
//! way from the core to the target.
//!
//! Link i (from 1): the core's `l<i>` has 10.251.i.1/24 and fd00:251:i::1/64, the
//! target `t<i>`'s `eth0` 10.251.i.2/24 and fd00:251:i::2/64; both ends know each
//! other's MAC (permanent neighbour entries), so no ARP or NDP crosses the shaper.
//! The shaping is `tc netem` on the target's side of a bridge where the kernel has
//! sch_netem, else `tests/tests/probes/shaper.py`, which relays frames between the
//! two veths in user space with the same semantics. Every link is created inside the
//! lab; nothing touches the root namespace; no namespace has a default route. Traffic
//! can only stay inside the lab.

use crate::netlab::{ip, ip_ok};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

static LABS: AtomicUsize = AtomicUsize::new(0);

/// One link's shaping, on the way from the core to the target.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub delay_ms: u32,
    /// Percent of frames dropped.
    pub loss_percent: f64,
}

/// How the links are shaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shaper {
    /// `tc qdisc ... netem`.
    Netem,
    /// `shaper.py` (no sch_netem in this kernel).
    Userspace,
}

/// A running WAN lab.
pub struct WanLab {
    prefix: String,
    namespaces: Vec<String>,
    children: Vec<Child>,
    pub shaper: Shaper,
}

/// The IPv4 address of link `i`'s core (`end` 1) or target (`end` 2) end.
pub fn v4(i: usize, end: u8) -> String {
    format!("10.251.{i}.{end}")
}

/// The IPv6 address of link `i`'s core (`end` 1) or target (`end` 2) end.
pub fn v6(i: usize, end: u8) -> String {
    format!("fd00:251:{i}::{end}")
}

impl WanLab {
    /// Builds a lab with one link per entry of `links`, shaped by `shaper_py` (the
    /// user-space shaper's source) where the kernel has no netem. Returns None, with a
    /// note, where namespaces cannot be made; in CI that is a failure.
    pub fn up(links: &[Shape], shaper_py: &str) -> Option<Self> {
        if let Some(why) =
            crate::netlab::unavailable().or_else(|| crate::netlab::missing(&["tc", "python3"]))
        {
            assert!(std::env::var_os("CI").is_none(), "{why}");
            eprintln!("skipped: {why}");
            return None;
        }
        let n = LABS.fetch_add(1, Ordering::SeqCst);
        let mut lab = Self {
            prefix: format!("smw{}x{n}", std::process::id()),
            namespaces: Vec::new(),
            children: Vec::new(),
            shaper: Shaper::Userspace,
        };
        let core = lab.add_ns("core");
        let wire = lab.add_ns("wire");
        // whether this kernel has netem: on a veth pair of the wire namespace
        ip_ok(&[
            "-n", &wire, "link", "add", "probe0", "type", "veth", "peer", "name", "probe1",
        ]);
        let netem = lab
            .exec(
                &wire,
                "tc",
                &[
                    "qdisc", "add", "dev", "probe0", "root", "netem", "delay", "1ms",
                ],
            )
            .status
            .success();
        ip_ok(&["-n", &wire, "link", "del", "probe0"]);
        if netem {
            lab.shaper = Shaper::Netem;
        }
        let mut specs = Vec::new();
        for (k, shape) in links.iter().enumerate() {
            let i = k + 1;
            let target = lab.add_ns(&format!("t{i}"));
            let (l, a, b) = (format!("l{i}"), format!("a{i}"), format!("b{i}"));
            ip_ok(&[
                "-n", &core, "link", "add", &l, "type", "veth", "peer", "name", &a, "netns", &wire,
            ]);
            ip_ok(&[
                "-n", &target, "link", "add", "eth0", "type", "veth", "peer", "name", &b, "netns",
                &wire,
            ]);
            for (ns, dev, end) in [(&core, l.as_str(), 1), (&target, "eth0", 2)] {
                ip_ok(&[
                    "-n",
                    ns,
                    "addr",
                    "add",
                    &format!("{}/24", v4(i, end)),
                    "dev",
                    dev,
                ]);
                ip_ok(&[
                    "-n",
                    ns,
                    "addr",
                    "add",
                    &format!("{}/64", v6(i, end)),
                    "dev",
                    dev,
                    "nodad",
                ]);
                ip_ok(&["-n", ns, "link", "set", dev, "up"]);
            }
            for dev in [&a, &b] {
                ip_ok(&["-n", &wire, "link", "set", dev, "up"]);
            }
            // both ends know each other's MAC: no ARP or NDP crosses the shaper
            lab.set_peers(i, None);
            match lab.shaper {
                Shaper::Netem => {
                    let br = format!("br{i}");
                    ip_ok(&[
                        "-n",
                        &wire,
                        "link",
                        "add",
                        &br,
                        "type",
                        "bridge",
                        "stp_state",
                        "0",
                    ]);
                    for dev in [&a, &b] {
                        ip_ok(&["-n", &wire, "link", "set", dev, "master", &br]);
                    }
                    ip_ok(&["-n", &wire, "link", "set", &br, "up"]);
                    let delay = format!("{}ms", shape.delay_ms);
                    let loss = format!("{}%", shape.loss_percent);
                    let out = lab.exec(
                        &wire,
                        "tc",
                        &[
                            "qdisc", "add", "dev", &b, "root", "netem", "delay", &delay, "loss",
                            &loss,
                        ],
                    );
                    assert!(
                        out.status.success(),
                        "netem: {}",
                        String::from_utf8_lossy(&out.stderr)
                    );
                }
                Shaper::Userspace => specs.push(format!(
                    "{a}:{b}:{}:{}",
                    shape.delay_ms,
                    shape.loss_percent / 100.0
                )),
            }
        }
        if lab.shaper == Shaper::Userspace {
            let dir = tempfile::tempdir().expect("tempdir");
            let script = dir.path().join("shaper.py");
            std::fs::write(&script, shaper_py).expect("write shaper.py");
            let ready = dir.path().join("ready");
            let child = Command::new("ip")
                .args(["netns", "exec", &wire, "python3"])
                .arg(&script)
                .arg(&ready)
                .args(&specs)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .spawn()
                .expect("start shaper.py");
            lab.children.push(child);
            crate::wait_for("the shaper", std::time::Duration::from_secs(10), || {
                ready.exists().then_some(())
            });
        }
        Some(lab)
    }

    fn add_ns(&mut self, name: &str) -> String {
        let ns = format!("{}-{name}", self.prefix);
        ip_ok(&["netns", "add", &ns]);
        self.namespaces.push(ns.clone());
        ip_ok(&["-n", &ns, "link", "set", "lo", "up"]);
        ns
    }

    fn exec(&self, ns: &str, program: &str, args: &[&str]) -> Output {
        Command::new("ip")
            .args(["netns", "exec", ns, program])
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("ip netns exec")
    }

    /// The full name of the lab namespace `name` (`core`, `wire`, `t1`).
    pub fn ns(&self, name: &str) -> String {
        format!("{}-{name}", self.prefix)
    }

    /// A command that runs `program` inside namespace `ns`.
    /// Cuts link `i` in both directions: each end's (permanent) neighbour entry for
    /// the other end points to a MAC address nobody has, so every frame arrives at the
    /// other end addressed to someone else and is dropped there. (The kernels the tests
    /// run on may have neither netem nor tc filters; this works with both shapers.)
    pub fn cut(&self, i: usize) {
        self.set_peers(i, Some("02:00:5e:00:53:01"));
    }

    /// Mends link `i` after [`Self::cut`].
    pub fn mend(&self, i: usize) {
        self.set_peers(i, None);
    }

    fn set_peers(&self, i: usize, fake: Option<&str>) {
        let (core, target) = (self.ns("core"), self.ns(&format!("t{i}")));
        let l = format!("l{i}");
        let (core_mac, target_mac) = (mac(&core, &l), mac(&target, "eth0"));
        for (ns, dev, peer, end) in [
            (&core, l.as_str(), &target_mac, 2),
            (&target, "eth0", &core_mac, 1),
        ] {
            for addr in [v4(i, end), v6(i, end)] {
                ip_ok(&[
                    "-n",
                    ns,
                    "neigh",
                    "replace",
                    &addr,
                    "lladdr",
                    fake.unwrap_or(peer),
                    "dev",
                    dev,
                    "nud",
                    "permanent",
                ]);
            }
        }
    }

    pub fn command(&self, ns: &str, program: &Path) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", ns]).arg(program);
        c
    }
}

/// The MAC of `dev` in namespace `ns`.
fn mac(ns: &str, dev: &str) -> String {
    let out = ip(&["-n", ns, "-o", "link", "show", dev]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.split_whitespace()
        .skip_while(|w| *w != "link/ether")
        .nth(1)
        .expect("a MAC")
        .to_owned()
}

impl Drop for WanLab {
    fn drop(&mut self) {
        for c in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
        crate::netlab::remove_namespaces(&self.namespaces);
    }
}
