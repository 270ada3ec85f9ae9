//! The software inventory's series, per host (labels agency, site, host): how many
//! packages it has, and whether (and since when) its newest installed kernel is not the
//! running one.

use super::expo::{Expo, Kind};
use crate::software::Summary;
use crate::state::HostState;

/// One family: name, help, and the value of a host's summary (none: no sample).
type Family = (&'static str, &'static str, fn(&Summary) -> Option<f64>);

/// The families of every host with a package list, from the duty tick's summaries and
/// the fleet's hosts (for their labels).
pub fn encode(e: &mut Expo<'_>, summaries: &[Summary], hosts: &[HostState]) {
    let by_id: std::collections::HashMap<&str, &HostState> =
        hosts.iter().map(|h| (h.binding.id.as_str(), h)).collect();
    let rows: Vec<(&HostState, &Summary)> = summaries
        .iter()
        .filter_map(|s| by_id.get(s.agent_id.as_str()).map(|h| (*h, s)))
        .collect();
    let families: [Family; 3] = [
        (
            "simpul_host_packages",
            "Packages installed on the host (dpkg or rpm), from the agent's newest list",
            |s| Some(s.packages as f64),
        ),
        (
            "simpul_host_reboot_required",
            "1 when the newest kernel installed on the host is not the one running (a reboot runs it), 0 when it is; absent when either is unknown",
            |s| s.reboot_needed.map(|r| f64::from(u8::from(r))),
        ),
        (
            "simpul_host_reboot_required_since_timestamp_seconds",
            "Since when the newest kernel installed on the host has not been the one running (the first report that showed it); absent when no reboot is needed",
            |s| s.reboot_needed_since_seconds,
        ),
    ];
    for (name, help, value) in families {
        e.family(name, Kind::Gauge, help);
        for (h, s) in &rows {
            let Some(v) = value(s) else { continue };
            let b = &h.binding;
            e.sample(
                name,
                &[
                    ("agency", &b.agency),
                    ("site", b.site.as_deref().unwrap_or("")),
                    ("host", &b.host),
                ],
                v,
            );
        }
    }
}
