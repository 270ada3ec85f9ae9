//! The WAN links of `collector.toml` (`[[links]]`): which probe of which host measures
//! each link, from one end or both, and when a round counts as degraded.
//!
//! ```toml
//! [[links]]
//! id = "dinkes-wan"
//! agency = "dinkes"
//! site = "dinkes-kantor"                     # optional
//! a = { host = "pd-core-01", probe = "to-dinkes" }   # e.g. the Pusat Data end
//! b = { host = "dinkes-gw", probe = "to-pusat" }     # optional: the agency's end
//! capacity_bps = 100_000_000                 # optional
//! sla_class = "wan-gold"                     # optional
//! loss_threshold_percent = 5                 # degraded above (default 5)
//! rtt_threshold_ms = 100                     # degraded above (default 100)
//! uplink = { device = "10.20.0.1", interface = "ether1" }  # optional
//! ```
//!
//! `uplink` names the interface that carries the link at the agency's end, among the
//! interfaces whose counters the agency's agents read (`[[snmp]]` devices with
//! `traffic`): `device` is the device as the agent's config names it (its address) or
//! its sysName, `interface` its ifName (else ifDescr) exactly, or its label where two
//! interfaces of the device share a name (`"ether1 #3"`, # and the ifIndex). The
//! link's monthly 95th percentile (the figure bandwidth contracts bill) is computed
//! from it (`crate::links::uplink`), against `capacity_bps` when set.
//!
//! What can be checked from the file alone is checked at load ([`Link::problems`]);
//! whether the hosts are enrolled and report those probes, and whether the agency's
//! agents have reported the uplink's interface, is known only from the database, and
//! is shown with the link (`crate::links::report`).

use std::collections::HashSet;

use serde::Deserialize;

/// One end of a link: the probe `probe` of the agent of host `host`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkEnd {
    /// The host name an agent enrolled with.
    pub host: String,
    /// A `[[probes]]` name in that agent's agent.toml.
    pub probe: String,
}

/// The interface carrying a link at the agency's end: `device` (its address as the
/// agent's config names it, or its sysName) and `interface` (ifName or ifDescr, or the
/// label `"ether1 #3"`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Uplink {
    pub device: String,
    pub interface: String,
}

/// The longest name an agent sends (it clips SNMP strings to 255 bytes).
const NAME_MAX: usize = 255;

/// One declared WAN link.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    /// Short id used in URLs and metric labels, e.g. `dinkes-wan`.
    pub id: String,
    /// The agency the link serves.
    pub agency: String,
    /// The agency's site at the far end (a declared site).
    #[serde(default)]
    pub site: Option<String>,
    /// The name people read (default: the id).
    #[serde(default)]
    pub name: String,
    pub a: LinkEnd,
    #[serde(default)]
    pub b: Option<LinkEnd>,
    /// The contracted capacity, bits per second.
    #[serde(default)]
    pub capacity_bps: Option<u64>,
    /// The SLA class its availability is held to (an `sla_classes` id).
    #[serde(default)]
    pub sla_class: Option<String>,
    /// A round losing more than this share of its requests is degraded.
    #[serde(default = "default_loss_threshold")]
    pub loss_threshold_percent: f64,
    /// A round whose median round trip is above this is degraded.
    #[serde(default = "default_rtt_threshold")]
    pub rtt_threshold_ms: f64,
    /// The interface whose traffic is the link's (its monthly 95th percentile).
    #[serde(default)]
    pub uplink: Option<Uplink>,
}

fn default_loss_threshold() -> f64 {
    5.0
}

fn default_rtt_threshold() -> f64 {
    100.0
}

/// What a link id may be made of.
pub const LINK_ID_RULE: &str =
    "1 to 64 characters of a-z, 0-9, '-', '_' and '.', starting with a letter or digit";

fn valid_id(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-_.".contains(&b))
}

impl Link {
    /// The name people read (its id when none is set).
    pub fn display_name(&self) -> &str {
        if self.name.trim().is_empty() {
            &self.id
        } else {
            &self.name
        }
    }

    /// Its ends: `("a", a)` and, when declared, `("b", b)`.
    pub fn ends(&self) -> impl Iterator<Item = (&'static str, &LinkEnd)> {
        std::iter::once(("a", &self.a)).chain(self.b.as_ref().map(|b| ("b", b)))
    }

    /// The round-trip threshold in seconds.
    pub fn rtt_threshold_seconds(&self) -> f64 {
        self.rtt_threshold_ms / 1000.0
    }

    /// The loss threshold as a ratio.
    pub fn loss_threshold_ratio(&self) -> f64 {
        self.loss_threshold_percent / 100.0
    }

    /// Every problem this link has on its own, each prefixed with `key` (e.g.
    /// `links[2]`).
    pub fn problems(&self, key: &str) -> Vec<String> {
        let mut p = Vec::new();
        if !valid_id(&self.id) {
            p.push(format!("{key}.id = {:?}: {LINK_ID_RULE}", self.id));
        }
        for (side, end) in self.ends() {
            if end.host.trim().is_empty() {
                p.push(format!(
                    "{key}.{side}.host: empty; name the host an agent enrolled with"
                ));
            }
            if end.probe.trim().is_empty() {
                p.push(format!(
                    "{key}.{side}.probe: empty; name a [[probes]] entry of that host's agent.toml"
                ));
            }
        }
        if self.b.as_ref() == Some(&self.a) {
            p.push(format!(
                "{key}.b: the same host and probe as {key}.a; a second end must be another measurement"
            ));
        }
        if !(self.loss_threshold_percent.is_finite()
            && self.loss_threshold_percent > 0.0
            && self.loss_threshold_percent < 100.0)
        {
            p.push(format!(
                "{key}.loss_threshold_percent = {}: must be above 0 and below 100",
                self.loss_threshold_percent
            ));
        }
        if !(self.rtt_threshold_ms.is_finite() && (0.1..=60_000.0).contains(&self.rtt_threshold_ms))
        {
            p.push(format!(
                "{key}.rtt_threshold_ms = {}: must be between 0.1 and 60000 milliseconds",
                self.rtt_threshold_ms
            ));
        }
        if self.capacity_bps == Some(0) {
            p.push(format!(
                "{key}.capacity_bps = 0: must be the contracted bits per second, above 0 (or left out)"
            ));
        }
        if let Some(u) = &self.uplink {
            let what = [
                (
                    "device",
                    &u.device,
                    "the device as the agent's config names it (its address, e.g. \"10.20.0.1\") or its sysName",
                ),
                (
                    "interface",
                    &u.interface,
                    "its ifName or ifDescr (e.g. \"ether1\"), or its label where two share a name (\"ether1 #3\")",
                ),
            ];
            for (field, v, valid) in what {
                if v.trim().is_empty() {
                    p.push(format!("{key}.uplink.{field}: empty; name {valid}"));
                } else if v.trim() != v.as_str() {
                    p.push(format!(
                        "{key}.uplink.{field} = {v:?}: spaces at its ends; names are matched exactly, name {valid}"
                    ));
                } else if v.len() > NAME_MAX || v.chars().any(char::is_control) {
                    p.push(format!(
                        "{key}.uplink.{field} = {v:?}: no agent reports such a name (at most {NAME_MAX} bytes, no control characters); name {valid}"
                    ));
                }
            }
        }
        p
    }
}

/// The problems of every link against the rest of the config: ids unique, agencies,
/// sites and SLA classes declared.
pub fn problems(
    links: &[Link],
    agencies: &HashSet<&str>,
    agency_list: &str,
    sites: &[super::Site],
    classes: &HashSet<&str>,
) -> Vec<String> {
    let mut p = Vec::new();
    let mut seen = HashSet::new();
    let owners = super::Owners {
        agencies,
        agency_list,
        classes,
    };
    for (i, l) in links.iter().enumerate() {
        let key = format!("links[{i}]");
        p.extend(l.problems(&key));
        p.extend(owners.problems(
            &key,
            "link",
            (&l.id, &l.agency, l.sla_class.as_deref()),
            &mut seen,
        ));
        if let Some(s) = &l.site {
            match sites.iter().find(|x| &x.id == s) {
                None => {
                    let declared: Vec<_> = sites.iter().map(|s| s.id.as_str()).collect();
                    p.push(format!(
                        "{key}.site = {s:?}: not a declared site; declared: {}",
                        if declared.is_empty() {
                            "(none)".to_owned()
                        } else {
                            declared.join(", ")
                        }
                    ));
                }
                Some(x) if x.agency.as_deref().is_some_and(|a| a != l.agency) => {
                    p.push(format!(
                        "{key}.site = {s:?}: belongs to agency {:?}, not to {:?}",
                        x.agency.as_deref().unwrap_or_default(),
                        l.agency
                    ));
                }
                Some(_) => {}
            }
        }
        if let Some(u) = &l.uplink {
            if let Some(j) = links[..i]
                .iter()
                .position(|o| o.agency == l.agency && o.uplink.as_ref() == Some(u))
            {
                p.push(format!(
                    "{key}.uplink: the same interface as links[{j}].uplink; an interface carries one link (its traffic would be billed twice)"
                ));
            }
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(toml_text: &str) -> Link {
        toml::from_str(toml_text).unwrap_or_else(|e| panic!("{e}"))
    }

    const GOOD: &str = "id = \"dinkes-wan\"\nagency = \"dinkes\"\n\
                        a = { host = \"pd-core\", probe = \"to-dinkes\" }\n\
                        b = { host = \"dinkes-gw\", probe = \"to-pusat\" }\n";

    #[test]
    fn a_good_link_has_no_problems_and_the_defaults() {
        let l = link(GOOD);
        assert!(l.problems("links[0]").is_empty());
        assert_eq!(l.loss_threshold_percent, 5.0);
        assert_eq!(l.rtt_threshold_ms, 100.0);
        assert_eq!(l.display_name(), "dinkes-wan");
        assert_eq!(l.ends().count(), 2);
    }

    #[test]
    fn each_bad_field_is_named_with_what_is_valid() {
        let l = link(
            "id = \"Dinkes WAN\"\nagency = \"dinkes\"\na = { host = \"\", probe = \" \" }\n\
             loss_threshold_percent = 120\nrtt_threshold_ms = 0\ncapacity_bps = 0\n",
        );
        let p = l.problems("links[3]").join("\n");
        for want in [
            "links[3].id = \"Dinkes WAN\": 1 to 64 characters",
            "links[3].a.host: empty",
            "links[3].a.probe: empty",
            "links[3].loss_threshold_percent = 120: must be above 0 and below 100",
            "links[3].rtt_threshold_ms = 0: must be between 0.1 and 60000",
            "links[3].capacity_bps = 0",
        ] {
            assert!(p.contains(want), "{want} in {p}");
        }
        let same = link(
            "id = \"x\"\nagency = \"a\"\na = { host = \"h\", probe = \"p\" }\n\
             b = { host = \"h\", probe = \"p\" }\n",
        );
        assert!(same
            .problems("links[0]")
            .join("")
            .contains("links[0].b: the same"));
    }

    #[test]
    fn an_uplink_is_checked_at_load() {
        let l = link(&format!(
            "{GOOD}uplink = {{ device = \"10.20.0.1\", interface = \"ether1 #3\" }}\n"
        ));
        assert!(
            l.problems("links[0]").is_empty(),
            "{:?}",
            l.problems("links[0]")
        );
        assert_eq!(
            l.uplink,
            Some(Uplink {
                device: "10.20.0.1".into(),
                interface: "ether1 #3".into()
            })
        );
        let bad = link(&format!(
            "{GOOD}uplink = {{ device = \" \", interface = \" ether1\" }}\n"
        ));
        let p = bad.problems("links[2]").join("\n");
        for want in [
            "links[2].uplink.device: empty; name the device as the agent's config names it (its address",
            "links[2].uplink.interface = \" ether1\": spaces at its ends; names are matched exactly, name its ifName or ifDescr",
        ] {
            assert!(p.contains(want), "{want} in {p}");
        }
        let long = link(&format!(
            "{GOOD}uplink = {{ device = \"r\", interface = \"{}\" }}\n",
            "x".repeat(256)
        ));
        assert!(long.problems("l")[0].contains("at most 255 bytes"));
        let e = toml::from_str::<Link>(&format!(
            "{GOOD}uplink = {{ device = \"r\", interface = \"e\", ifindex = 3 }}\n"
        ))
        .unwrap_err();
        assert!(e.to_string().contains("ifindex"), "{e}");
        let e =
            toml::from_str::<Link>(&format!("{GOOD}uplink = {{ device = \"r\" }}\n")).unwrap_err();
        assert!(e.to_string().contains("interface"), "{e}");
        // two links of one agency on one interface
        let mut other = l.clone();
        other.id = "dinkes-wan-2".into();
        let agencies: HashSet<&str> = ["dinkes"].into();
        let p = problems(&[l, other], &agencies, "dinkes", &[], &HashSet::new()).join("\n");
        assert!(
            p.contains("links[1].uplink: the same interface as links[0].uplink"),
            "{p}"
        );
    }

    #[test]
    fn unknown_keys_are_refused() {
        let e = toml::from_str::<Link>(&format!("{GOOD}latency_ms = 3\n")).unwrap_err();
        assert!(e.to_string().contains("latency_ms"), "{e}");
        let e = toml::from_str::<Link>(
            "id = \"x\"\nagency = \"a\"\na = { host = \"h\", probe = \"p\", port = 1 }\n",
        )
        .unwrap_err();
        assert!(e.to_string().contains("port"), "{e}");
    }
}
