//! Temperatures from `/sys/class/hwmon`: each chip's `temp*_input` with its label and
//! thresholds.
//!
//! A host without hwmon (most virtual machines) reports no temperatures; that is "not
//! available", never a collector failure. Sensors that cannot be read at the moment
//! (some chips answer EIO or ENODATA) are left out of that sample.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use simpul_protocol::{Report, Temperature};

use super::{read_attr, CollectError, Collector, Roots};

/// Most sensors reported (the protocol's limit): the labels stay bounded on a host with
/// a chip that exposes hundreds.
const MAX_SENSORS: usize = 128;

/// Longest chip or sensor label kept.
const MAX_LABEL_BYTES: usize = 64;

/// Reads a millidegree attribute as degrees Celsius.
fn millidegrees(path: &Path) -> Option<f64> {
    let v: f64 = super::read_text(path).ok()?.trim().parse().ok()?;
    let c = v / 1000.0;
    (c.is_finite() && (-273.15..=1000.0).contains(&c)).then_some(c)
}

/// One chip's directory: its temperatures, `chip` set to the chip's name.
fn read_chip(dir: &Path) -> Option<Vec<Temperature>> {
    // old drivers keep the attributes under `device/`
    let dir = if dir.join("name").exists() {
        dir.to_owned()
    } else {
        dir.join("device")
    };
    let name = read_attr(&dir.join("name"));
    if name.is_empty() {
        return None;
    }
    let chip = simpul_protocol::wire_string(&name, MAX_LABEL_BYTES);
    let mut sensors = Vec::new();
    for e in std::fs::read_dir(&dir).ok()?.filter_map(Result::ok) {
        let file = e.file_name().to_string_lossy().into_owned();
        let Some(prefix) = file
            .strip_suffix("_input")
            .filter(|p| p.starts_with("temp"))
        else {
            continue;
        };
        let Some(c) = millidegrees(&e.path()) else {
            continue;
        };
        let label = read_attr(&dir.join(format!("{prefix}_label")));
        let sensor = if label.is_empty() {
            prefix.to_owned()
        } else {
            label
        };
        sensors.push(Temperature {
            chip: chip.clone(),
            sensor: simpul_protocol::wire_string(&sensor, MAX_LABEL_BYTES),
            celsius: c,
            max_celsius: millidegrees(&dir.join(format!("{prefix}_max"))),
            crit_celsius: millidegrees(&dir.join(format!("{prefix}_crit"))),
        });
    }
    Some(sensors)
}

/// The device a hwmon chip belongs to (`coretemp.0`, `nvme0`), else the hwmon name.
fn device_of(dir: &Path) -> String {
    std::fs::read_link(dir.join("device"))
        .ok()
        .and_then(|p| p.file_name().map(|f| f.to_string_lossy().into_owned()))
        .unwrap_or_else(|| {
            dir.file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default()
        })
}

/// Every temperature sensor under `hwmon` (`/sys/class/hwmon`), sorted by chip and sensor.
pub fn read_temperatures(hwmon: &Path) -> Vec<Temperature> {
    let Ok(dir) = std::fs::read_dir(hwmon) else {
        return Vec::new();
    };
    let chips: Vec<(PathBuf, Vec<Temperature>)> = dir
        .filter_map(Result::ok)
        .filter_map(|e| Some((e.path(), read_chip(&e.path())?)))
        .collect();
    let mut count: HashMap<String, usize> = HashMap::new();
    for t in chips.iter().filter_map(|(_, sensors)| sensors.first()) {
        *count.entry(t.chip.clone()).or_default() += 1;
    }
    let mut out = Vec::new();
    for (d, sensors) in chips {
        // two sockets have two `coretemp` chips; the device tells them apart
        for mut t in sensors {
            if count.get(&t.chip).is_some_and(|n| *n > 1) {
                t.chip = simpul_protocol::wire_string(
                    &format!("{}-{}", t.chip, device_of(&d)),
                    MAX_LABEL_BYTES,
                );
            }
            out.push(t);
        }
    }
    out.sort_by(|a, b| (&a.chip, &a.sensor).cmp(&(&b.chip, &b.sensor)));
    // the same label twice on one chip would be one series; keep the first
    out.dedup_by(|a, b| a.chip == b.chip && a.sensor == b.sensor);
    out.truncate(MAX_SENSORS);
    out
}

/// Fills `health.temperatures` where the host has hwmon sensors.
pub struct HwmonCollector {
    dir: PathBuf,
}

impl HwmonCollector {
    pub fn new(roots: &Roots) -> Self {
        Self {
            dir: roots.sys.join("class/hwmon"),
        }
    }
}

impl Collector for HwmonCollector {
    fn name(&self) -> &'static str {
        "hwmon"
    }

    fn collect(&mut self, report: &mut Report) -> Result<(), CollectError> {
        report
            .health
            .get_or_insert_with(Default::default)
            .temperatures = read_temperatures(&self.dir);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 25: labelled by chip and sensor; two coretemp chips told apart by device;
    /// voltages and unreadable sensors left out.
    #[test]
    fn reads_the_hwmon_fixture() {
        let roots = super::super::fixture_tree("hwmon-host");
        let t = read_temperatures(&roots.sys.join("class/hwmon"));
        let got: Vec<_> = t
            .iter()
            .map(|t| (t.chip.as_str(), t.sensor.as_str(), t.celsius))
            .collect();
        assert_eq!(
            got,
            [
                ("acpitz", "temp1", 27.8),
                ("coretemp-coretemp.0", "Core 0", 43.0),
                ("coretemp-coretemp.0", "Package id 0", 45.0),
                ("coretemp-coretemp.1", "Package id 1", 47.0),
                ("nvme", "Composite", 38.85),
            ]
        );
        assert_eq!(t[2].max_celsius, Some(80.0));
        assert_eq!(t[2].crit_celsius, Some(100.0));
        assert_eq!(t[0].max_celsius, None);
    }

    /// Issue 25: no hwmon (a virtual machine) is "not available", not a failure.
    #[test]
    fn no_hwmon_is_not_an_error() {
        let r = super::super::fixture_report(HwmonCollector::new);
        assert!(r.health.unwrap().temperatures.is_empty());
    }
}
