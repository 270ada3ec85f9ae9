//! An isolated test LAN of Linux network namespaces, created by the test that uses it
//! and deleted when the handle drops (also after a panic).
//!
//! Layout (as `bench/netlab.sh`): namespace `<p>-lan` holds bridge `br0`; hosts
//! `<p>-hNN` each have `eth0` = 10.250.0.N/22, a veth whose peer is a port of br0;
//! `<p>-scan` (where the agent runs) has 10.250.0.254/22. With `mgmt`, br0 itself
//! answers on 10.250.0.250 (a "switch" management address). Every link is created
//! inside the lab; nothing touches the root namespace; no namespace has a default
//! route; IPv6 is off. Traffic can only stay inside the lab.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

static LABS: AtomicUsize = AtomicUsize::new(0);

/// The lab's subnet.
pub const SUBNET: &str = "10.250.0.0/22";
/// The scanner's address.
pub const SCANNER_IP: &str = "10.250.0.254";
/// The bridge's management address (with `mgmt`).
pub const MGMT_IP: &str = "10.250.0.250";
/// How often the lab tests poll what they wait for (`crate::wait_for_every`): each
/// poll runs a program (lldpcli, the agent, curl).
pub const POLL: std::time::Duration = std::time::Duration::from_millis(200);

/// A running lab.
pub struct NetLab {
    prefix: String,
    namespaces: Vec<String>,
    pub hosts: usize,
}

/// `ip ARGS`, its output whatever it did.
pub(crate) fn ip(args: &[&str]) -> Output {
    Command::new("ip")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run ip")
}

/// `ip ARGS`, which must succeed.
pub(crate) fn ip_ok(args: &[&str]) {
    let out = ip(args);
    assert!(
        out.status.success(),
        "ip {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Why this machine cannot build a lab, if it cannot.
pub fn unavailable() -> Option<String> {
    // SAFETY-free root check: only root may create namespaces here
    let uid = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        })
        .unwrap_or_default();
    if uid != "0" {
        return Some("network namespace tests need root".into());
    }
    if Command::new("ip").arg("-V").output().is_err() {
        return Some("`ip` (iproute2) is not installed".into());
    }
    None
}

/// Why a lab test cannot run here: the first of `programs` on neither PATH nor
/// /usr/sbin.
pub fn missing(programs: &[&str]) -> Option<String> {
    for b in programs {
        let found = std::env::var_os("PATH")
            .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(b).is_file()))
            || Path::new("/usr/sbin").join(b).is_file();
        if !found {
            return Some(format!(
                "{b} is not installed (scripts/test.sh installs it)"
            ));
        }
    }
    None
}

/// Servers a test started in a lab: killed and reaped when dropped (made after the lab,
/// they drop before it; the lab then kills whatever is left in its namespaces).
#[derive(Default)]
pub struct Servers(pub Vec<Child>);

impl Drop for Servers {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// What lldpd behind the control socket `sock` knows of its neighbours
/// (`lldpcli -f keyvalue show neighbors`).
pub fn lldp_neighbours(sock: &Path) -> String {
    let out = Command::new("lldpcli")
        .arg("-u")
        .arg(sock)
        .args(["-f", "keyvalue", "show", "neighbors"])
        .output()
        .expect("lldpcli");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// How many LLDP neighbours lldpd behind `sock` knows.
pub fn lldp_neighbour_count(sock: &Path) -> usize {
    lldp_neighbours(sock)
        .lines()
        .filter(|l| l.contains(".chassis.name="))
        .count()
}

impl NetLab {
    /// Builds a lab of `hosts` hosts (1 to 200). Returns None, with a note, where
    /// namespaces cannot be made; in CI that is a failure.
    pub fn up(hosts: usize, mgmt: bool) -> Option<Self> {
        if let Some(why) = unavailable() {
            assert!(std::env::var_os("CI").is_none(), "{why}");
            eprintln!("skipped: {why}");
            return None;
        }
        assert!((1..=200).contains(&hosts));
        let n = LABS.fetch_add(1, Ordering::SeqCst);
        let mut lab = Self {
            prefix: format!("smp{}x{n}", std::process::id()),
            namespaces: Vec::new(),
            hosts,
        };
        let lan = lab.add_ns("lan");
        ip_ok(&[
            "-n",
            &lan,
            "link",
            "add",
            "br0",
            "type",
            "bridge",
            "stp_state",
            "0",
        ]);
        ip_ok(&["-n", &lan, "link", "set", "br0", "up"]);
        if mgmt {
            ip_ok(&[
                "-n",
                &lan,
                "addr",
                "add",
                &format!("{MGMT_IP}/22"),
                "dev",
                "br0",
            ]);
        }
        for i in 1..=hosts {
            let ns = lab.add_ns(&format!("h{i:02}"));
            lab.attach(&ns, &format!("10.250.0.{i}"), &format!("p{i}"));
        }
        let scan = lab.add_ns("scan");
        lab.attach(&scan, SCANNER_IP, "pscan");
        // short neighbour timers in the scanner, so that a host taken away is seen as
        // gone within seconds rather than the default half minute
        for (k, v) in [
            ("base_reachable_time_ms", "1000"),
            ("delay_first_probe_time", "1"),
        ] {
            let out = Command::new("ip")
                .args(["netns", "exec", &scan, "sysctl", "-qw"])
                .arg(format!("net.ipv4.neigh.eth0.{k}={v}"))
                .output()
                .expect("sysctl");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(300));
        Some(lab)
    }

    fn add_ns(&mut self, name: &str) -> String {
        let ns = format!("{}-{name}", self.prefix);
        ip_ok(&["netns", "add", &ns]);
        self.namespaces.push(ns.clone());
        let out = Command::new("ip")
            .args(["netns", "exec", &ns, "sysctl", "-qw"])
            .args([
                "net.ipv6.conf.all.disable_ipv6=1",
                "net.ipv6.conf.default.disable_ipv6=1",
            ])
            .output()
            .expect("sysctl");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        ip_ok(&["-n", &ns, "link", "set", "lo", "up"]);
        ns
    }

    fn attach(&self, ns: &str, addr: &str, port: &str) {
        let lan = self.ns("lan");
        ip_ok(&[
            "-n", &lan, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns,
        ]);
        ip_ok(&["-n", &lan, "link", "set", port, "master", "br0"]);
        ip_ok(&["-n", &lan, "link", "set", port, "up"]);
        ip_ok(&[
            "-n",
            ns,
            "addr",
            "add",
            &format!("{addr}/22"),
            "dev",
            "eth0",
        ]);
        ip_ok(&["-n", ns, "link", "set", "eth0", "up"]);
    }

    /// The full name of the lab namespace `name` (`lan`, `scan`, `h07`).
    pub fn ns(&self, name: &str) -> String {
        format!("{}-{name}", self.prefix)
    }

    /// The namespace of host `i`.
    pub fn host(&self, i: usize) -> String {
        self.ns(&format!("h{i:02}"))
    }

    /// A command that runs `program` inside namespace `ns`.
    pub fn command(&self, ns: &str, program: &Path) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", ns]).arg(program);
        c
    }

    /// `simpul-agent discover --config cfg --format format` in the scanner namespace;
    /// its output, once it succeeded.
    pub fn discover(&self, cfg: &Path, format: &str) -> Output {
        let out = self
            .command(&self.ns("scan"), &crate::bin("simpul-agent"))
            .args(["discover", "--config"])
            .arg(cfg)
            .args(["--format", format])
            .output()
            .expect("simpul-agent discover");
        assert!(
            out.status.success(),
            "discover failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// `curl` with `args` inside the lab namespace `ns`; returns (status, body).
    pub fn curl(&self, ns: &str, args: &[&str]) -> (u16, String) {
        let out = self
            .command(ns, Path::new("curl"))
            .args(["-s", "-w", "\n%{http_code}", "--max-time", "10"])
            .args(args)
            .output()
            .expect("curl");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let (body, code) = text.rsplit_once('\n').unwrap_or(("", "0"));
        (code.trim().parse().unwrap_or(0), body.to_owned())
    }

    /// The MAC of `eth0` in namespace `ns`.
    pub fn mac(&self, ns: &str) -> String {
        let out = ip(&["-n", ns, "-o", "link", "show", "eth0"]);
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        text.split_whitespace()
            .skip_while(|w| *w != "link/ether")
            .nth(1)
            .unwrap_or_default()
            .to_owned()
    }

    /// Takes host `i` off the LAN (its eth0 goes down).
    pub fn take_down(&self, i: usize) {
        ip_ok(&["-n", &self.host(i), "link", "set", "eth0", "down"]);
    }

    /// Files bind-mounted over /etc inside `ns` by `ip netns exec` (e.g. `hosts`,
    /// `resolv.conf`); removed with the lab.
    pub fn etc_file(&self, ns: &str, name: &str, text: &str) {
        let dir = PathBuf::from("/etc/netns").join(ns);
        std::fs::create_dir_all(&dir).expect("mkdir /etc/netns/NS");
        std::fs::write(dir.join(name), text).expect("write /etc/netns file");
    }
}

impl Drop for NetLab {
    fn drop(&mut self) {
        remove_namespaces(&self.namespaces);
    }
}

/// Deletes a lab's namespaces, newest first, and kills what still runs inside them:
/// nothing may outlive the lab.
pub(crate) fn remove_namespaces(namespaces: &[String]) {
    for ns in namespaces.iter().rev() {
        let pids = ip(&["netns", "pids", ns]);
        for pid in String::from_utf8_lossy(&pids.stdout).split_whitespace() {
            let _ = Command::new("kill").args(["-9", pid]).status();
        }
        let _ = ip(&["netns", "del", ns]);
        let _ = std::fs::remove_dir_all(PathBuf::from("/etc/netns").join(ns));
    }
}
