//! Per-host metrics, written straight from the in-memory fleet at scrape time.
//!
//! Hosts never vanish from the exposition: a host that stops reporting keeps its last
//! values and goes to `simpul_host_up 0` after the grace gap.

use std::path::PathBuf;
use std::sync::Arc;

use simpul_protocol::{DiskIo, Filesystem, Health, NetInterface, PressureLine, Report};

use super::expo::{Expo, Kind};
use crate::state::{Fleet, HostState};

#[derive(Debug)]
pub struct FleetMetrics {
    pub fleet: Arc<Fleet>,
    pub grace_intervals: u32,
    pub skew_secs: u64,
    /// The SQLite file, whose size is exported (None on PostgreSQL).
    pub db: Option<PathBuf>,
}

fn host_labels(h: &HostState) -> [(&'static str, &str); 3] {
    let b = &h.binding;
    [
        ("agency", &b.agency),
        ("site", b.site.as_deref().unwrap_or("")),
        ("host", &b.host),
    ]
}

fn report(h: &HostState) -> Option<&Report> {
    h.latest.as_ref().map(|(r, _)| &**r)
}

fn health(h: &HostState) -> Option<&Health> {
    report(h)?.health.as_ref()
}

/// One gauge family with a sample per host for which `value` gives a number.
fn gauge(
    e: &mut Expo,
    name: &str,
    help: &str,
    hosts: &[HostState],
    value: impl Fn(&HostState) -> Option<f64>,
) {
    per_host(e, name, Kind::Gauge, help, hosts, value);
}

/// One family of `kind` with a sample per host for which `value` gives a number.
fn per_host(
    e: &mut Expo,
    name: &str,
    kind: Kind,
    help: &str,
    hosts: &[HostState],
    value: impl Fn(&HostState) -> Option<f64>,
) {
    e.family(name, kind, help);
    for h in hosts {
        if let Some(v) = value(h) {
            e.sample(name, &host_labels(h), v);
        }
    }
}

/// One filesystem family; `value` gives nothing where the figure is unknown (the sizes
/// of a filesystem whose statvfs failed).
fn fs_family(
    e: &mut Expo,
    name: &str,
    help: &str,
    hosts: &[HostState],
    value: impl Fn(&Filesystem) -> Option<u64>,
) {
    e.family(name, Kind::Gauge, help);
    for h in hosts {
        for fs in health(h).map_or(&[][..], |x| &x.filesystems) {
            let Some(v) = value(fs) else { continue };
            let [a, s, n] = host_labels(h);
            let labels = [
                a,
                s,
                n,
                ("mountpoint", &fs.mount),
                ("fstype", &fs.fs_type),
                ("device", &fs.device),
            ];
            e.sample(name, &labels, v as f64);
        }
    }
}

/// The sizes of a filesystem whose statvfs answered.
fn size(fs: &Filesystem, v: u64) -> Option<u64> {
    (!fs.device_error).then_some(v)
}

/// One block-device family (label `device`, bounded by the protocol's `max_disks`).
fn disk_family(
    e: &mut Expo,
    name: &str,
    kind: Kind,
    help: &str,
    hosts: &[HostState],
    value: impl Fn(&DiskIo) -> Option<f64>,
) {
    e.family(name, kind, help);
    for h in hosts {
        for d in health(h).map_or(&[][..], |x| &x.disks) {
            let Some(v) = value(d) else { continue };
            let [a, s, n] = host_labels(h);
            e.sample(name, &[a, s, n, ("device", &d.name)], v);
        }
    }
}

/// One pressure family (labels `resource` = cpu, memory, io and `kind` = some, full).
fn pressure_family(
    e: &mut Expo,
    name: &str,
    kind: Kind,
    help: &str,
    hosts: &[HostState],
    value: impl Fn(&PressureLine) -> f64,
) {
    e.family(name, kind, help);
    for h in hosts {
        let Some(p) = health(h).and_then(|x| x.pressure.as_ref()) else {
            continue;
        };
        for (resource, r) in [("cpu", &p.cpu), ("memory", &p.memory), ("io", &p.io)] {
            let Some(r) = r else { continue };
            for (k, line) in [("some", Some(&r.some)), ("full", r.full.as_ref())] {
                let Some(line) = line else { continue };
                let [a, s, n] = host_labels(h);
                e.sample(
                    name,
                    &[a, s, n, ("resource", resource), ("kind", k)],
                    value(line),
                );
            }
        }
    }
}

/// One temperature family (labels `chip` and `sensor`, bounded by the protocol).
fn temperature_family(
    e: &mut Expo,
    name: &str,
    help: &str,
    hosts: &[HostState],
    value: impl Fn(&simpul_protocol::Temperature) -> Option<f64>,
) {
    e.family(name, Kind::Gauge, help);
    for h in hosts {
        for t in health(h).map_or(&[][..], |x| &x.temperatures) {
            let Some(v) = value(t) else { continue };
            let [a, s, n] = host_labels(h);
            e.sample(
                name,
                &[a, s, n, ("chip", &t.chip), ("sensor", &t.sensor)],
                v,
            );
        }
    }
}

fn net_family(
    e: &mut Expo,
    name: &str,
    help: &str,
    hosts: &[HostState],
    value: impl Fn(&NetInterface) -> u64,
) {
    e.family(name, Kind::Counter, help);
    for h in hosts {
        for n in health(h).map_or(&[][..], |x| &x.network) {
            let [a, s, host] = host_labels(h);
            e.sample(name, &[a, s, host, ("device", &n.name)], value(n) as f64);
        }
    }
}

impl FleetMetrics {
    pub fn encode(&self, e: &mut Expo) {
        let hosts = self.fleet.snapshot();
        let now = crate::now_seconds();
        let (g, sk) = (self.grace_intervals, self.skew_secs);
        e.family(
            "simpul_hosts_enrolled",
            Kind::Gauge,
            "Hosts with an active agent token",
        );
        e.sample("simpul_hosts_enrolled", &[], hosts.len() as f64);
        gauge(
            e,
            "simpul_host_up",
            "1 if the host reported within the grace gap (grace_intervals x its interval), else 0",
            &hosts,
            |h| Some(if h.is_up(now, g, sk) { 1.0 } else { 0.0 }),
        );
        gauge(
            e,
            "simpul_agent_last_report_timestamp_seconds",
            "Sample time of the host's newest report",
            &hosts,
            HostState::last_seen,
        );
        gauge(
            e,
            "simpul_agent_interval_seconds",
            "The agent's heartbeat interval",
            &hosts,
            |h| report(h).map(|r| f64::from(r.interval_secs)),
        );
        gauge(
            e,
            "simpul_host_boot_time_seconds",
            "Boot time of the host, seconds since the epoch",
            &hosts,
            |h| {
                report(h)?
                    .uptime
                    .as_ref()
                    .map(|u| u.boot_time_seconds as f64)
            },
        );
        gauge(
            e,
            "simpul_host_cpu_usage_ratio",
            "CPU busy ratio over the last interval, all cores",
            &hosts,
            |h| health(h)?.cpu.as_ref().map(|c| c.usage_ratio),
        );
        gauge(
            e,
            "simpul_host_cpu_cores",
            "Logical CPU cores",
            &hosts,
            |h| {
                health(h)?
                    .cpu
                    .as_ref()
                    .map(|c| c.per_core_usage_ratio.len() as f64)
            },
        );
        for (name, help, pick) in [
            ("simpul_host_load1", "1-minute load average", 0),
            ("simpul_host_load5", "5-minute load average", 1),
            ("simpul_host_load15", "15-minute load average", 2),
        ] {
            gauge(e, name, help, &hosts, |h| {
                health(h)?
                    .load
                    .as_ref()
                    .map(|l| [l.load1, l.load5, l.load15][pick])
            });
        }
        gauge(
            e,
            "simpul_host_memory_total_bytes",
            "Physical memory",
            &hosts,
            |h| health(h)?.memory.as_ref().map(|m| m.total_bytes as f64),
        );
        gauge(
            e,
            "simpul_host_memory_available_bytes",
            "Memory available without swapping",
            &hosts,
            |h| health(h)?.memory.as_ref().map(|m| m.available_bytes as f64),
        );
        gauge(
            e,
            "simpul_host_swap_total_bytes",
            "Swap space",
            &hosts,
            |h| health(h)?.swap.as_ref().map(|m| m.total_bytes as f64),
        );
        gauge(
            e,
            "simpul_host_swap_free_bytes",
            "Free swap space",
            &hosts,
            |h| health(h)?.swap.as_ref().map(|m| m.available_bytes as f64),
        );
        gauge(
            e,
            "simpul_host_processes",
            "Number of processes",
            &hosts,
            |h| health(h)?.processes.map(|p| p as f64),
        );
        gauge(
            e,
            "simpul_agent_spool_backlog_reports",
            "Reports waiting in the agent's spool (not yet delivered) at its newest report",
            &hosts,
            |h| report(h)?.spool.map(|s| s.backlog_reports as f64),
        );
        per_host(
            e,
            "simpul_agent_spool_dropped_reports_total",
            Kind::Counter,
            "Health samples the agent dropped because its spool was full or they were too old",
            &hosts,
            |h| report(h)?.spool.map(|s| s.dropped_reports_total as f64),
        );
        fs_family(
            e,
            "simpul_host_filesystem_size_bytes",
            "Filesystem size",
            &hosts,
            |f| size(f, f.size_bytes),
        );
        fs_family(
            e,
            "simpul_host_filesystem_free_bytes",
            "Filesystem free bytes, including root-reserved",
            &hosts,
            |f| size(f, f.free_bytes),
        );
        fs_family(
            e,
            "simpul_host_filesystem_avail_bytes",
            "Filesystem bytes available to unprivileged users",
            &hosts,
            |f| size(f, f.available_bytes),
        );
        fs_family(
            e,
            "simpul_host_filesystem_files",
            "Filesystem inodes",
            &hosts,
            |f| size(f, f.inodes_total),
        );
        fs_family(
            e,
            "simpul_host_filesystem_files_free",
            "Filesystem free inodes",
            &hosts,
            |f| size(f, f.inodes_free),
        );
        fs_family(
            e,
            "simpul_host_filesystem_readonly",
            "1 if the filesystem is mounted read-only (ro in the host's mount table), else 0",
            &hosts,
            |f| Some(u64::from(f.readonly)),
        );
        fs_family(
            e,
            "simpul_host_filesystem_device_error",
            "1 if statvfs of the filesystem failed (other than a permission error) or did not answer within 2 s (its sizes are then not exported), else 0",
            &hosts,
            |f| Some(u64::from(f.device_error)),
        );
        for (name, help, pick) in [
            (
                "simpul_host_disk_reads_completed_total",
                "Reads completed by the disk",
                (|d: &DiskIo| d.reads_completed as f64) as fn(&DiskIo) -> f64,
            ),
            (
                "simpul_host_disk_writes_completed_total",
                "Writes completed by the disk",
                |d| d.writes_completed as f64,
            ),
            (
                "simpul_host_disk_read_bytes_total",
                "Bytes read from the disk",
                |d| d.read_bytes as f64,
            ),
            (
                "simpul_host_disk_written_bytes_total",
                "Bytes written to the disk",
                |d| d.written_bytes as f64,
            ),
            (
                "simpul_host_disk_read_time_seconds_total",
                "Seconds spent on reads, summed over concurrent requests",
                |d| d.read_time_ms as f64 / 1000.0,
            ),
            (
                "simpul_host_disk_write_time_seconds_total",
                "Seconds spent on writes, summed over concurrent requests",
                |d| d.write_time_ms as f64 / 1000.0,
            ),
            (
                "simpul_host_disk_io_time_seconds_total",
                "Seconds the disk had at least one request in flight (its rate is the busy ratio)",
                |d| d.io_time_ms as f64 / 1000.0,
            ),
        ] {
            disk_family(e, name, Kind::Counter, help, &hosts, |d| Some(pick(d)));
        }
        disk_family(
            e,
            "simpul_host_disk_io_in_progress",
            Kind::Gauge,
            "Requests in flight on the disk at the sample time",
            &hosts,
            |d| Some(d.io_in_progress as f64),
        );
        disk_family(
            e,
            "simpul_host_disk_busy_ratio",
            Kind::Gauge,
            "Share of the agent's last interval the disk was busy (0 to 1)",
            &hosts,
            |d| d.busy_ratio,
        );
        pressure_family(
            e,
            "simpul_host_pressure_stalled_avg10_ratio",
            Kind::Gauge,
            "Share of the last 10 s that some (kind=some) or all non-idle (kind=full) tasks were stalled on the resource (PSI avg10 / 100)",
            &hosts,
            |l| l.avg10_ratio,
        );
        pressure_family(
            e,
            "simpul_host_pressure_stalled_seconds_total",
            Kind::Counter,
            "Seconds that some (kind=some) or all non-idle (kind=full) tasks were stalled on the resource (PSI total)",
            &hosts,
            |l| l.total_us as f64 / 1e6,
        );
        temperature_family(
            e,
            "simpul_host_hwmon_temperature_celsius",
            "Temperature of a hwmon sensor",
            &hosts,
            |t| Some(t.celsius),
        );
        temperature_family(
            e,
            "simpul_host_hwmon_temperature_max_celsius",
            "High threshold of a hwmon temperature sensor, where the chip has one",
            &hosts,
            |t| t.max_celsius,
        );
        temperature_family(
            e,
            "simpul_host_hwmon_temperature_crit_celsius",
            "Critical threshold of a hwmon temperature sensor, where the chip has one",
            &hosts,
            |t| t.crit_celsius,
        );
        gauge(
            e,
            "simpul_host_memory_available_estimated",
            "1 if the host's available memory is estimated (a kernel before 3.14 without MemAvailable), else 0",
            &hosts,
            |h| health(h)?.memory.as_ref().map(|m| f64::from(u8::from(m.estimated))),
        );
        net_family(
            e,
            "simpul_host_network_receive_bytes_total",
            "Bytes received",
            &hosts,
            |n| n.rx_bytes,
        );
        net_family(
            e,
            "simpul_host_network_transmit_bytes_total",
            "Bytes sent",
            &hosts,
            |n| n.tx_bytes,
        );
        net_family(
            e,
            "simpul_host_network_receive_packets_total",
            "Packets received",
            &hosts,
            |n| n.rx_packets,
        );
        net_family(
            e,
            "simpul_host_network_transmit_packets_total",
            "Packets sent",
            &hosts,
            |n| n.tx_packets,
        );
        net_family(
            e,
            "simpul_host_network_receive_errs_total",
            "Receive errors",
            &hosts,
            |n| n.rx_errors,
        );
        net_family(
            e,
            "simpul_host_network_transmit_errs_total",
            "Transmit errors",
            &hosts,
            |n| n.tx_errors,
        );
        net_family(
            e,
            "simpul_host_network_receive_drop_total",
            "Received packets dropped",
            &hosts,
            |n| n.rx_drops,
        );
        net_family(
            e,
            "simpul_host_network_transmit_drop_total",
            "Transmitted packets dropped",
            &hosts,
            |n| n.tx_drops,
        );
        let name = "simpul_agent_collector_success";
        e.family(
            name,
            Kind::Gauge,
            "1 if the agent-side collector produced its part of the newest report, else 0",
        );
        for h in &hosts {
            for c in report(h).map_or(&[][..], |r| &r.collectors) {
                let [a, s, n] = host_labels(h);
                e.sample(
                    name,
                    &[a, s, n, ("collector", &c.name)],
                    if c.success { 1.0 } else { 0.0 },
                );
            }
        }
        let name = "simpul_host_info";
        e.family(
            name,
            Kind::Gauge,
            "Always 1; labels carry the host's OS, kernel and agent version",
        );
        for h in &hosts {
            let Some(r) = report(h) else { continue };
            let inv = h.inventory.as_ref().map(|(i, _)| &**i);
            let [a, s, n] = host_labels(h);
            let os = inv.map_or("", |i| i.os.pretty_name.as_str());
            let kernel = inv.map_or("", |i| i.os.kernel.as_str());
            e.sample(
                name,
                &[
                    a,
                    s,
                    n,
                    ("os", os),
                    ("kernel", kernel),
                    ("agent_version", &r.agent_version),
                ],
                1.0,
            );
        }
        if let Some(db) = &self.db {
            let size: u64 = ["", "-wal"]
                .iter()
                .filter_map(|suffix| {
                    let mut p = db.clone().into_os_string();
                    p.push(suffix);
                    std::fs::metadata(p).ok().map(|m| m.len())
                })
                .sum();
            e.family(
                "simpul_database_size_bytes",
                Kind::Gauge,
                "Size of the SQLite database and its WAL",
            );
            e.sample("simpul_database_size_bytes", &[], size as f64);
        }
    }
}
