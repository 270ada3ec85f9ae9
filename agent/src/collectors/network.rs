//! Interface counters from `/proc/net/dev`.

use simpul_protocol::{Limits, NetInterface, Report};

use super::{parse_error, CollectError, Collector, ProcFile, Roots};

/// Parses `/proc/net/dev`, leaving out loopback.
pub fn parse_net_dev(text: &str) -> Option<Vec<NetInterface>> {
    let mut out = Vec::new();
    for line in text.lines().skip(2) {
        let (name, rest) = line.split_once(':')?;
        let name = name.trim();
        if name == "lo" {
            continue;
        }
        let v: Vec<u64> = rest
            .split_whitespace()
            .map(|x| x.parse().ok())
            .collect::<Option<_>>()?;
        if v.len() < 16 {
            return None;
        }
        out.push(NetInterface {
            name: name.to_owned(),
            rx_bytes: v[0],
            rx_packets: v[1],
            rx_errors: v[2],
            rx_drops: v[3],
            tx_bytes: v[8],
            tx_packets: v[9],
            tx_errors: v[10],
            tx_drops: v[11],
        });
    }
    Some(out)
}

/// Fills `health.network`.
pub struct NetworkCollector {
    dev: ProcFile,
}

impl NetworkCollector {
    pub fn new(roots: &Roots) -> Self {
        Self {
            dev: ProcFile::new(roots.proc.join("net/dev")),
        }
    }
}

impl Collector for NetworkCollector {
    fn name(&self) -> &'static str {
        "network"
    }

    fn collect(&mut self, report: &mut Report) -> Result<(), CollectError> {
        let (text, path) = self.dev.read()?;
        let mut ifs = parse_net_dev(text)
            .ok_or_else(|| parse_error(path, "expected `name: 16 counters` lines"))?;
        ifs.truncate(Limits::default().max_interfaces);
        report.health.get_or_insert_with(Default::default).network = ifs;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_fixture() {
        let r = super::super::fixture_report(NetworkCollector::new);
        let n = r.health.unwrap().network;
        assert_eq!(n.len(), 2, "lo is left out");
        assert_eq!(
            n[0],
            NetInterface {
                name: "eno1".into(),
                rx_bytes: 9_876_543_210,
                tx_bytes: 1_234_567_890,
                rx_packets: 12_345_678,
                tx_packets: 2_345_678,
                rx_errors: 3,
                tx_errors: 1,
                rx_drops: 7,
                tx_drops: 2,
            }
        );
    }

    #[test]
    fn short_lines_are_an_error() {
        assert!(parse_net_dev("h1\nh2\n eth0: 1 2 3\n").is_none());
    }
}
