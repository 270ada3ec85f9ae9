//! The interface traffic pages (issue 23): `/interfaces`, the devices whose counters
//! the agents read and every interface with its traffic and utilisation, busiest
//! first across agencies; `/interfaces/{id}`, one interface's bits per second in and
//! out, utilisation and errors over 3 h, 1 d, 7 d or 30 d.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{html, Markup};
use serde::Deserialize;

use super::links::{range_param, range_word};
use super::{error_page, page, trusted_svg, unavailable, word_badge, Tone, Viewer};
use crate::api::query::Params;
use crate::api::AppState;
use crate::config::links::Link;
use crate::i18n::{bits_per_second, t, Lang};
use crate::links::graph::RANGES;
use crate::tr;
use crate::traffic::graph::{errors_svg, traffic_svg, TrafficSpec};
use crate::traffic::summary::{summarise, Direction};
use crate::traffic::{DevicePoll, Interface, Window};

/// The windows the list sums over: (name, seconds, message key).
const WINDOWS: [(&str, f64, &str); 2] = [
    ("1h", 3600.0, "traffic-window-1h"),
    ("1d", 86_400.0, "traffic-window-1d"),
];

const LIST_COLUMNS: [&str; 10] = [
    "traffic-col-interface",
    "traffic-col-device",
    "traffic-col-agency",
    "traffic-col-status",
    "traffic-col-capacity",
    "traffic-col-in-now",
    "traffic-col-out-now",
    "traffic-col-peak-utilisation",
    "traffic-col-average-utilisation",
    "traffic-col-errors",
];

/// The WAN link whose declared uplink (`[[links]] uplink`) is `i`: same agency, the
/// device by address or sysName, the interface by name or label.
fn uplink_of<'a>(links: &'a [Link], i: &Interface) -> Option<&'a Link> {
    links.iter().find(|k| {
        k.agency == i.agency
            && k.uplink.as_ref().is_some_and(|u| {
                (u.device == i.device || u.device == i.device_name)
                    && (u.interface == i.interface || u.interface == i.label)
            })
    })
}

/// The capacity an interface's utilisation is of: the contracted capacity of the WAN
/// link it is the uplink of, else its speed (ifSpeed/ifHighSpeed); bits per second,
/// and where it comes from.
fn capacity(l: Lang, links: &[Link], i: &Interface) -> Option<(f64, String)> {
    if let Some((link, c)) = uplink_of(links, i).and_then(|k| Some((k, k.capacity_bps?))) {
        return Some((
            c as f64,
            tr!(l, "traffic-capacity-contracted", link = link.display_name()),
        ));
    }
    i.speed_bps
        .filter(|s| *s > 0)
        .map(|s| (s as f64, t(l, "traffic-capacity-ifspeed")))
}

/// `a` of `b` as a ratio, when both are known.
fn ratio(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => Some(a / b),
        _ => None,
    }
}

fn bps(v: &Viewer, x: Option<f64>) -> String {
    match x {
        Some(x) => bits_per_second(v.lang, x),
        None => t(v.lang, "state-no-data"),
    }
}

fn status(l: Lang, oper_status: i64) -> Markup {
    match oper_status {
        1 => word_badge(&t(l, "traffic-up"), Tone::Good),
        2 => word_badge(&t(l, "traffic-down"), Tone::Bad),
        s => word_badge(&tr!(l, "traffic-status-other", code = s), Tone::Warn),
    }
}

/// An interface as people name it: `gw-dinkes ether1 (ke Pusat Data)`.
fn title(i: &Interface) -> String {
    if i.alias.trim().is_empty() {
        format!("{} {}", i.device_name, i.label)
    } else {
        format!("{} {} ({})", i.device_name, i.label, i.alias)
    }
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    window: Option<String>,
    agency: Option<String>,
}

/// `GET /interfaces?window=1h|1d&agency=`: the polled devices, and every interface
/// the user sees, the busiest first.
pub async fn index(
    v: Viewer,
    State(app): State<Arc<AppState>>,
    Params(q): Params<ListQuery>,
) -> Response {
    let l = v.lang;
    let window = q.window.as_deref().unwrap_or("1h");
    let Some(&(window, secs, window_key)) = WINDOWS.iter().find(|(n, ..)| *n == window) else {
        return error_page(
            &v,
            StatusCode::BAD_REQUEST,
            &tr!(l, "traffic-bad-window", window = window),
        );
    };
    let agency = q.agency.filter(|a| !a.is_empty());
    if let Some(a) = &agency {
        if let Some(r) = super::outside_scope(&app, &v, a) {
            return r;
        }
    }
    let now = crate::now_seconds();
    let only = agency.clone();
    let got = app
        .read_db(move |conn| {
            let since = now - crate::duties::INTERFACE_STALE_SECS;
            let interfaces = crate::traffic::interfaces(conn, only.as_deref(), since)?;
            let devices = crate::traffic::devices(conn, only.as_deref())?;
            let windows = crate::traffic::windows(conn, now - secs)?;
            Ok::<_, crate::store::StoreError>((interfaces, devices, windows))
        })
        .await;
    let Ok((interfaces, devices, windows)) = got else {
        return unavailable(&v);
    };
    let interfaces: Vec<Interface> = interfaces
        .into_iter()
        .filter(|i| v.user.sees(&i.agency))
        .collect();
    let devices: Vec<DevicePoll> = devices
        .into_iter()
        .filter(|d| v.user.sees(&d.agency))
        .collect();
    let rows = ranked(l, &app.cfg.links, &interfaces, &windows);
    let link = |w: &str| match &agency {
        Some(a) => format!("/interfaces?window={w}&agency={a}"),
        None => format!("/interfaces?window={w}"),
    };
    let body = html! {
        p { (tr!(l, "traffic-explain", zone = v.zone.abbreviation())) }
        @if devices.is_empty() {
            p.note { (t(l, "traffic-none")) }
        } @else {
            h2 { (t(l, "traffic-devices")) }
            div.scroll {
                table.sortable {
                    thead { tr {
                        th scope="col" { (t(l, "traffic-col-device")) }
                        th scope="col" { (t(l, "traffic-col-agency")) }
                        th scope="col" { (t(l, "traffic-col-last-poll")) }
                        th scope="col" { (t(l, "traffic-col-poll-state")) }
                    } }
                    tbody { @for d in &devices { tr {
                        th scope="row" { (d.name) @if d.name != d.device { " (" (d.device) ")" } }
                        td { (app.cfg.agency_name(&d.agency)) }
                        td data-sort=(d.last_poll_seconds) { (v.time(Some(d.last_poll_seconds))) }
                        td {
                            @if d.error.is_empty() {
                                (word_badge(&t(l, "traffic-poll-ok"), Tone::Good))
                            } @else {
                                (word_badge(&t(l, "traffic-poll-failed"), Tone::Bad)) " "
                                (tr!(l, "traffic-poll-error", error = d.error.as_str(), time = v.time(d.last_ok_seconds)))
                            }
                        }
                    } } }
                }
            }
            h2 { (tr!(l, "traffic-busiest", window = t(l, window_key))) }
            nav.ranges aria-label=(t(l, "traffic-window")) {
                @for (name, _, key) in WINDOWS {
                    @if name == window { strong { (t(l, key)) } } @else { a href=(link(name)) { (t(l, key)) } }
                    " "
                }
            }
            p.note { (t(l, "traffic-busiest-explain")) }
            @if rows.is_empty() {
                p.note { (t(l, "traffic-no-interfaces")) }
            } @else {
                div.scroll {
                    table.sortable {
                        thead { tr { @for key in LIST_COLUMNS { th scope="col" { (t(l, key)) } } } }
                        tbody { @for r in &rows {
                            @let i = r.interface;
                            tr {
                                th scope="row" {
                                    a href=(format!("/interfaces/{}", i.id)) { (i.label) }
                                    @if !i.alias.trim().is_empty() { br; small { (i.alias) } }
                                }
                                td { (i.device_name) }
                                td { (app.cfg.agency_name(&i.agency)) }
                                td data-sort=(i.oper_status) { (status(l, i.oper_status)) }
                                td data-sort=(r.capacity.as_ref().map_or(-1.0, |c| c.0)) {
                                    @match &r.capacity {
                                        Some((c, source)) => { (bits_per_second(l, *c)) br; small { (source) } }
                                        None => (t(l, "traffic-capacity-unknown")),
                                    }
                                }
                                td data-sort=(i.receive_bits_per_second.unwrap_or(-1.0)) { (bps(&v, i.receive_bits_per_second)) }
                                td data-sort=(i.transmit_bits_per_second.unwrap_or(-1.0)) { (bps(&v, i.transmit_bits_per_second)) }
                                td data-sort=(r.peak.unwrap_or(-1.0)) { (v.percent(r.peak, 1)) }
                                td data-sort=(r.average.unwrap_or(-1.0)) { (v.percent(r.average, 1)) }
                                td data-sort=(r.window.map_or(-1, |w| w.errors + w.discards)) {
                                    @match r.window {
                                        Some(w) => (tr!(l, "traffic-errors-discards", errors = v.count(w.errors as usize), discards = v.count(w.discards as usize))),
                                        None => (t(l, "state-no-data")),
                                    }
                                }
                            }
                        } }
                    }
                }
            }
        }
    };
    page(&v, &t(l, "traffic-title"), "Interfaces", body)
}

/// An interface of the list with its window and utilisation.
struct Ranked<'a> {
    interface: &'a Interface,
    window: Option<&'a Window>,
    capacity: Option<(f64, String)>,
    /// The busiest step's utilisation, the busier direction.
    peak: Option<f64>,
    /// The average utilisation, the busier direction.
    average: Option<f64>,
}

/// The interfaces with their utilisation, the busiest first (peak, then average,
/// then those with no capacity known by their traffic).
fn ranked<'a>(
    l: Lang,
    links: &[Link],
    interfaces: &'a [Interface],
    windows: &'a HashMap<i64, Window>,
) -> Vec<Ranked<'a>> {
    let mut rows: Vec<Ranked<'a>> = interfaces
        .iter()
        .map(|i| {
            let window = windows.get(&i.id);
            let capacity = capacity(l, links, i);
            let c = capacity.as_ref().map(|c| c.0);
            let peak =
                window.and_then(|w| ratio(Some(w.peak_receive_bps.max(w.peak_transmit_bps)), c));
            let average = window
                .and_then(Window::average_bps)
                .and_then(|(rx, tx)| ratio(Some(rx.max(tx)), c));
            Ranked {
                interface: i,
                window,
                capacity,
                peak,
                average,
            }
        })
        .collect();
    let busiest = |r: &Ranked<'_>| {
        (
            r.peak.unwrap_or(-1.0),
            r.average.unwrap_or(-1.0),
            r.window
                .map_or(-1.0, |w| w.peak_receive_bps.max(w.peak_transmit_bps)),
        )
    };
    rows.sort_by(|a, b| {
        let (a, b) = (busiest(a), busiest(b));
        b.0.total_cmp(&a.0)
            .then(b.1.total_cmp(&a.1))
            .then(b.2.total_cmp(&a.2))
    });
    rows
}

#[derive(Debug, Deserialize)]
pub struct InterfaceQuery {
    range: Option<String>,
}

/// `GET /interfaces/{id}?range=3h|1d|7d|30d`: one interface.
pub async fn interface(
    v: Viewer,
    State(app): State<Arc<AppState>>,
    Path(id): Path<String>,
    Params(q): Params<InterfaceQuery>,
) -> Response {
    let l = v.lang;
    let Ok(id) = id.parse::<i64>() else {
        return error_page(&v, StatusCode::NOT_FOUND, &t(l, "traffic-no-interface"));
    };
    let (range, secs) = match range_param(&v, q.range.as_deref()) {
        Ok(r) => r,
        Err(r) => return *r,
    };
    let now = crate::now_seconds();
    let got = app
        .read_db(move |conn| {
            let Some(i) = crate::traffic::interface(conn, id)? else {
                return Ok(None);
            };
            let steps = crate::traffic::view_steps(conn, id, now - secs, now + 1.0)?;
            Ok::<_, crate::store::StoreError>(Some((i, steps)))
        })
        .await;
    let (i, steps) = match got {
        Ok(Some((i, s))) if v.user.sees(&i.agency) => (i, s),
        Ok(_) => return error_page(&v, StatusCode::NOT_FOUND, &t(l, "traffic-no-interface")),
        Err(_) => return unavailable(&v),
    };
    let from = now - secs;
    let capacity = capacity(l, &app.cfg.links, &i);
    let uplink = uplink_of(&app.cfg.links, &i);
    let sum = summarise(&steps, from, now + 1.0);
    let cap = capacity.as_ref().map(|c| c.0);
    let traffic_title = tr!(l, "traffic-graph-title", range = range_word(l, range));
    let errors_title = tr!(l, "traffic-errors-title", range = range_word(l, range));
    let spec = TrafficSpec {
        from,
        to: now,
        zone: &v.zone,
        lang: l,
        title: &traffic_title,
        capacity: capacity.as_ref().map(|(c, s)| (*c, s.as_str())),
        width: 900,
        height: 300,
    };
    let traffic = traffic_svg(&steps, &spec);
    let errors = errors_svg(
        &steps,
        &TrafficSpec {
            title: &errors_title,
            ..spec.clone()
        },
    );
    let agent = app
        .fleet
        .snapshot()
        .into_iter()
        .find(|h| h.binding.id == i.agent_id)
        .map_or_else(|| i.agent_id.clone(), |h| h.binding.host.clone());
    let direction_rows = |d: &Direction| {
        [
            v.bytes(d.bytes.max(0.0) as u64),
            bps(&v, d.average_bps),
            bps(&v, d.peak_bps),
            v.percent(ratio(d.average_bps, cap), 1),
            v.percent(ratio(d.peak_bps, cap), 1),
            v.count(d.errors as usize),
            v.count(d.discards as usize),
        ]
    };
    let (rx, tx) = (direction_rows(&sum.receive), direction_rows(&sum.transmit));
    const ROWS: [&str; 7] = [
        "traffic-sum-volume",
        "traffic-sum-average",
        "traffic-sum-peak",
        "traffic-sum-average-utilisation",
        "traffic-sum-peak-utilisation",
        "traffic-sum-errors",
        "traffic-sum-discards",
    ];
    let body = html! {
        p {
            (status(l, i.oper_status)) " "
            (tr!(l, "traffic-as-of", time = v.time(Some(i.sample_time_seconds))))
        }
        dl.facts {
            dt { (t(l, "traffic-col-device")) }
            dd { (i.device_name) @if i.device_name != i.device { " (" (i.device) ")" } }
            dt { (t(l, "traffic-col-agency")) }
            dd { a href=(format!("/lan/{}", i.agency)) { (app.cfg.agency_name(&i.agency)) } " · " (i.site) }
            dt { (t(l, "traffic-if-index")) } dd { (i.if_index) }
            @if !i.alias.trim().is_empty() { dt { (t(l, "traffic-alias")) } dd { (i.alias) } }
            dt { (t(l, "traffic-col-capacity")) }
            dd {
                @match &capacity {
                    Some((c, source)) => { (bits_per_second(l, *c)) " (" (source) ")" }
                    None => (t(l, "traffic-capacity-unknown")),
                }
            }
            @if let Some(k) = uplink {
                dt { (t(l, "traffic-uplink-of")) }
                dd { a href=(format!("/links/{}", k.id)) { (k.display_name()) } " " (t(l, "traffic-uplink-p95")) }
            }
            dt { (t(l, "traffic-counters")) }
            dd { (tr!(l, "traffic-counters-are", bits = i.counter_bits)) }
            dt { (t(l, "traffic-polled-by")) }
            dd { a href=(format!("/hosts/{}", i.agent_id)) { (agent) } }
            dt { (t(l, "traffic-since")) }
            dd { (tr!(l, "traffic-totals", time = v.time(Some(i.first_seen_seconds)),
                      received = v.bytes(i.receive_bytes_total.max(0) as u64),
                      transmitted = v.bytes(i.transmit_bytes_total.max(0) as u64))) }
        }
        nav.ranges aria-label=(t(l, "traffic-range")) {
            @for (name, _) in RANGES {
                @if name == range {
                    strong { (range_word(l, name)) }
                } @else {
                    a href=(format!("/interfaces/{}?range={name}", i.id)) { (range_word(l, name)) }
                }
                " "
            }
        }
        h2 { (t(l, "traffic-traffic")) }
        p.note { (tr!(l, "traffic-graph-explain", zone = v.zone.abbreviation())) }
        div.graph { (trusted_svg(&traffic)) }
        h2 { (tr!(l, "traffic-summary", range = range_word(l, range))) }
        p {
            (tr!(l, "traffic-coverage", share = v.percent(sum.coverage(), 1),
                 measured = v.duration(sum.measured_seconds), period = v.duration(sum.period_seconds)))
            @if sum.resets > 0 { " " (tr!(l, "traffic-resets", count = sum.resets)) }
            @if sum.polls_down > 0 { " " (tr!(l, "traffic-polls-down", count = sum.polls_down, polls = sum.polls)) }
        }
        div.scroll {
            table {
                thead { tr {
                    th scope="col" { }
                    th scope="col" { (t(l, "traffic-graph-in")) }
                    th scope="col" { (t(l, "traffic-graph-out")) }
                } }
                tbody { @for (k, key) in ROWS.iter().enumerate() { tr {
                    th scope="row" { (t(l, key)) }
                    td { (rx[k]) }
                    td { (tx[k]) }
                } } }
            }
        }
        @if capacity.is_none() { p.note { (t(l, "traffic-no-capacity")) } }
        h2 { (t(l, "traffic-errors")) }
        div.graph { (trusted_svg(&errors)) }
    };
    page(&v, &title(&i), "Interfaces", body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iface(id: i64, speed: Option<i64>) -> Interface {
        Interface {
            id,
            agency: "dinkes".into(),
            site: "kantor".into(),
            device: "10.0.0.1".into(),
            device_name: "gw".into(),
            if_index: id,
            interface: format!("ether{id}"),
            label: format!("ether{id}"),
            alias: String::new(),
            agent_id: "a".into(),
            first_seen_seconds: 0.0,
            last_seen_seconds: 0.0,
            sample_time_seconds: 0.0,
            oper_status: 1,
            speed_bps: speed,
            counter_bits: 64,
            receive_bytes_total: 0,
            transmit_bytes_total: 0,
            receive_errors_total: 0,
            transmit_errors_total: 0,
            receive_discards_total: 0,
            transmit_discards_total: 0,
            step_seconds: None,
            receive_bits_per_second: None,
            transmit_bits_per_second: None,
            reset_reason: String::new(),
        }
    }

    fn window(peak_rx: f64, avg_rx: f64) -> Window {
        Window {
            seconds: 3600.0,
            receive_bytes: (avg_rx / 8.0 * 3600.0) as i64,
            transmit_bytes: 0,
            peak_receive_bps: peak_rx,
            peak_transmit_bps: 0.0,
            errors: 0,
            discards: 0,
        }
    }

    #[test]
    fn a_declared_uplink_is_measured_against_its_contracted_capacity() {
        let links: Vec<Link> = ["ether1", "ether9"]
            .iter()
            .enumerate()
            .map(|(n, name)| {
                toml::from_str(&format!(
                    "id = \"l{n}\"\nagency = \"dinkes\"\nname = \"Dinkes WAN {n}\"\n\
                     a = {{ host = \"pd\", probe = \"p\" }}\ncapacity_bps = 20_000_000\n\
                     uplink = {{ device = \"gw\", interface = \"{name}\" }}\n"
                ))
                .unwrap()
            })
            .collect();
        // matched by sysName and ifName: the contract, not the 100 Mbit/s port
        assert_eq!(
            capacity(Lang::En, &links, &iface(1, Some(100_000_000))),
            Some((20e6, "contracted capacity of Dinkes WAN 0".to_owned()))
        );
        // another interface of the device keeps its speed
        assert_eq!(
            capacity(Lang::Id, &links, &iface(2, Some(100_000_000))),
            Some((100e6, "kecepatan antarmuka (ifSpeed)".to_owned()))
        );
        // another agency's interface of the same name is not the uplink
        let mut other = iface(1, None);
        other.agency = "disdik".into();
        assert_eq!(capacity(Lang::En, &links, &other), None);
    }

    #[test]
    fn the_busiest_of_its_capacity_comes_first_and_unknown_capacity_last() {
        // 1: 60 of 100 Mbit/s at its peak; 2: 900 Mbit/s of 10 Gbit/s (9 %);
        // 3: no speed known; 4: never measured
        let list = [
            iface(1, Some(100_000_000)),
            iface(2, Some(10_000_000_000)),
            iface(3, None),
            iface(4, Some(100_000_000)),
        ];
        let windows: HashMap<i64, Window> = [
            (1, window(60e6, 30e6)),
            (2, window(900e6, 500e6)),
            (3, window(5e9, 1e9)),
        ]
        .into_iter()
        .collect();
        let rows = ranked(Lang::En, &[], &list, &windows);
        let order: Vec<i64> = rows.iter().map(|r| r.interface.id).collect();
        assert_eq!(order, vec![1, 2, 3, 4]);
        assert_eq!(rows[0].peak, Some(0.6));
        assert_eq!(rows[0].average, Some(0.3));
        assert_eq!(rows[1].peak, Some(0.09));
        assert_eq!((rows[2].peak, rows[3].peak), (None, None));
    }
}
