//! The host page's health tables from the newest report: filesystems with their health
//! (read-only, device error), disk I/O, pressure stall information and temperatures.
//!
//! Kept apart from `pages.rs` so that the host page's layout stays readable there and
//! each table is one function here.

use maud::{html, Markup};
use simpul_protocol::{Health, PressureResource};

use super::{word_badge, Tone, Viewer};
use crate::i18n::t;
use crate::tr;

/// The filesystems table: size and space, and a state column (read-only, device error).
pub fn filesystems(v: &Viewer, h: &Health) -> Markup {
    let l = v.lang;
    if h.filesystems.is_empty() {
        return html! {};
    }
    html! {
        table.sortable {
            caption { (t(l, "host-filesystems")) }
            thead { tr {
                th scope="col" { (t(l, "host-mount")) } th scope="col" { (t(l, "host-device")) }
                th scope="col" { (t(l, "host-fs-type")) } th scope="col" { (t(l, "host-size")) }
                th scope="col" { (t(l, "host-available")) } th scope="col" { (t(l, "host-fs-state")) }
            } }
            tbody { @for f in &h.filesystems { tr {
                td data-label=(t(l, "host-mount")) { (f.mount) }
                td data-label=(t(l, "host-device")) { (f.device) }
                td data-label=(t(l, "host-fs-type")) { (f.fs_type) }
                @if f.device_error {
                    td data-sort="-1" data-label=(t(l, "host-size")) { "-" }
                    td data-sort="-1" data-label=(t(l, "host-available")) { "-" }
                } @else {
                    td data-sort=(f.size_bytes) data-label=(t(l, "host-size")) { (v.bytes(f.size_bytes)) }
                    td data-sort=(f.available_bytes) data-label=(t(l, "host-available")) { (v.bytes(f.available_bytes)) }
                }
                td data-label=(t(l, "host-fs-state")) {
                    @if f.device_error { (word_badge(&t(l, "host-fs-device-error"), Tone::Bad)) " " }
                    @if f.readonly { (word_badge(&t(l, "host-fs-readonly"), Tone::Warn)) }
                    @if !f.device_error && !f.readonly { (word_badge(&t(l, "host-fs-ok"), Tone::Good)) }
                }
            } } }
        }
    }
}

/// The disk I/O table: busy share of the agent's last interval, and the counters since
/// boot.
pub fn disk_io(v: &Viewer, h: &Health) -> Markup {
    let l = v.lang;
    if h.disks.is_empty() {
        return html! {};
    }
    html! {
        table.sortable {
            caption { (t(l, "host-disk-io")) }
            thead { tr {
                th scope="col" { (t(l, "host-device")) } th scope="col" { (t(l, "host-disk-busy")) }
                th scope="col" { (t(l, "host-disk-in-progress")) }
                th scope="col" { (t(l, "host-disk-reads")) } th scope="col" { (t(l, "host-disk-read-bytes")) }
                th scope="col" { (t(l, "host-disk-writes")) } th scope="col" { (t(l, "host-disk-written-bytes")) }
            } }
            tbody { @for d in &h.disks { tr {
                td data-label=(t(l, "host-device")) { (d.name) }
                td data-sort=(d.busy_ratio.unwrap_or(-1.0)) data-label=(t(l, "host-disk-busy")) {
                    @match d.busy_ratio {
                        Some(b) if b > 0.9 => (word_badge(&v.percent(Some(b), 0), Tone::Bad)),
                        b => (v.percent(b, 0)),
                    }
                }
                td data-sort=(d.io_in_progress) data-label=(t(l, "host-disk-in-progress")) { (v.count(d.io_in_progress as usize)) }
                td data-sort=(d.reads_completed) data-label=(t(l, "host-disk-reads")) { (v.count(d.reads_completed as usize)) }
                td data-sort=(d.read_bytes) data-label=(t(l, "host-disk-read-bytes")) { (v.bytes(d.read_bytes)) }
                td data-sort=(d.writes_completed) data-label=(t(l, "host-disk-writes")) { (v.count(d.writes_completed as usize)) }
                td data-sort=(d.written_bytes) data-label=(t(l, "host-disk-written-bytes")) { (v.bytes(d.written_bytes)) }
            } } }
        }
        p.note { (t(l, "host-disk-io-note")) }
    }
}

/// One resource's `some` (and `full`) share of the last 10 s.
fn pressure_cell(v: &Viewer, r: Option<&PressureResource>) -> Markup {
    let l = v.lang;
    html! {
        @match r {
            Some(r) => {
                (tr!(l, "host-pressure-some", ratio = v.percent(Some(r.some.avg10_ratio), 1)))
                @if let Some(full) = &r.full { ", " (tr!(l, "host-pressure-full", ratio = v.percent(Some(full.avg10_ratio), 1))) }
            }
            None => (t(l, "host-not-available")),
        }
    }
}

/// Pressure stall information and temperatures; "not available" where the host has
/// none (kernels without PSI, virtual machines without hwmon).
pub fn pressure_and_temperatures(v: &Viewer, h: &Health) -> Markup {
    let l = v.lang;
    let p = h.pressure.as_ref();
    html! {
        h3 { (t(l, "host-pressure")) }
        @if let Some(p) = p {
            dl {
                dt { "CPU" } dd { (pressure_cell(v, p.cpu.as_ref())) }
                dt { (t(l, "host-pressure-memory")) } dd { (pressure_cell(v, p.memory.as_ref())) }
                dt { "I/O" } dd { (pressure_cell(v, p.io.as_ref())) }
            }
        } @else {
            p { (t(l, "host-pressure-none")) }
        }
        h3 { (t(l, "host-temperatures")) }
        @if h.temperatures.is_empty() {
            p { (t(l, "host-temperatures-none")) }
        } @else {
            table.sortable {
                thead { tr {
                    th scope="col" { (t(l, "host-temperature-chip")) } th scope="col" { (t(l, "host-temperature-sensor")) }
                    th scope="col" { (t(l, "host-temperature-now")) } th scope="col" { (t(l, "host-temperature-max")) }
                    th scope="col" { (t(l, "host-temperature-crit")) }
                } }
                tbody { @for s in &h.temperatures { tr {
                    td data-label=(t(l, "host-temperature-chip")) { (s.chip) }
                    td data-label=(t(l, "host-temperature-sensor")) { (s.sensor) }
                    td data-sort=(s.celsius) data-label=(t(l, "host-temperature-now")) {
                        @let hot = s.max_celsius.is_some_and(|m| s.celsius >= m) || s.crit_celsius.is_some_and(|c| s.celsius >= c);
                        @if hot { (word_badge(&celsius(v, Some(s.celsius)), Tone::Bad)) } @else { (celsius(v, Some(s.celsius))) }
                    }
                    td data-label=(t(l, "host-temperature-max")) { (celsius(v, s.max_celsius)) }
                    td data-label=(t(l, "host-temperature-crit")) { (celsius(v, s.crit_celsius)) }
                } } }
            }
        }
    }
}

/// `45,0 °C` in the viewer's convention; "-" where the chip has no such threshold.
fn celsius(v: &Viewer, c: Option<f64>) -> String {
    c.map_or_else(|| "-".to_owned(), |c| format!("{} °C", v.num(c, 1)))
}
