#!/usr/bin/env python3
"""Writes Simpul's Grafana dashboards (dashboards/grafana/*.json) from the compact
definitions below: every panel's query in one place, the same variables and layout
rules for all. Run it after changing a panel and commit the JSON:

    scripts/gen-dashboards.py

The dashboards take their data source from a `datasource` variable (no hard-coded UID)
and filter with `agency`, `site` and `host` variables (label_values); the WAN dashboard
with `agency`, `site` and `link` from the links' own metrics, the Interfaces dashboard
with `agency`, `site`, `device` and `interface` from the interfaces' own. The test
tests/tests/dashboards.rs checks every expression against a real collector and a real
Prometheus.
"""
import json
import os

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "dashboards", "grafana")
DS = {"type": "prometheus", "uid": "${datasource}"}
SEL = 'agency=~"$agency",site=~"$site",host=~"$host"'
ASEL = 'agency=~"$agency"'


def var_datasource():
    return {"name": "datasource", "label": "Data source", "type": "datasource",
            "query": "prometheus", "refresh": 1, "hide": 0, "current": {}}


def var_query(name, label, query, multi=True):
    return {"name": name, "label": label, "type": "query", "datasource": DS,
            "definition": query, "query": {"query": query, "refId": f"{name}-values"},
            "refresh": 2, "sort": 1, "includeAll": True, "allValue": ".*",
            "multi": multi, "current": {}, "hide": 0}


VARS = {
    "agency": lambda: var_query("agency", "Agency (OPD)", "label_values(simpul_host_up, agency)"),
    "site": lambda: var_query("site", "Site", 'label_values(simpul_host_up{agency=~"$agency"}, site)'),
    "host": lambda: var_query("host", "Host",
                              'label_values(simpul_host_up{agency=~"$agency",site=~"$site"}, host)'),
}


INFINITY = {"type": "yesoreyeram-infinity-datasource", "uid": "${infinity}"}


def node_graph_panel():
    """The agency's LAN diagram, from the collector's GET .../lan/graph through the
    Infinity data source (a Grafana plugin): nodes and edges frames."""
    url = "${collector}/api/v1/agencies/${lan_agency}/lan/graph"
    targets = [
        {"refId": ref, "datasource": INFINITY, "type": "json", "source": "url",
         "parser": "backend", "format": fmt, "url": url, "root_selector": ref,
         "url_options": {"method": "GET"}}
        for ref, fmt in (("nodes", "node-graph-nodes"), ("edges", "node-graph-edges"))
    ]
    return {"type": "nodeGraph", "title": "LAN diagram of ${lan_agency}",
            "description": "Devices and links of the agency's newest LAN diagram (needs the Infinity data source allowed to reach the collector). The SVG: GET /api/v1/agencies/{agency}/lan.svg.",
            "datasource": INFINITY, "targets": targets, "options": {},
            "fieldConfig": {"defaults": {}, "overrides": []}, "_w": 24, "_h": 14}


def panel(kind, title, exprs, unit=None, w=12, h=8, legend=None, desc="", thresholds=None,
          instant=False, max_=None):
    targets = []
    for i, e in enumerate(exprs):
        expr, fmt = (e if isinstance(e, tuple) else (e, None))
        t = {"refId": chr(ord("A") + i), "datasource": DS, "expr": expr,
             "legendFormat": fmt or legend or "__auto"}
        if instant or kind in ("table", "bargauge", "stat"):
            t["instant"] = True
            t["range"] = False
        targets.append(t)
    defaults = {}
    if unit:
        defaults["unit"] = unit
    if max_ is not None:
        defaults["max"] = max_
        defaults["min"] = 0
    if thresholds:
        defaults["thresholds"] = {"mode": "absolute", "steps": [
            {"color": c, "value": v} for v, c in thresholds]}
    p = {"type": kind, "title": title, "description": desc, "datasource": DS,
         "targets": targets, "fieldConfig": {"defaults": defaults, "overrides": []},
         "options": {}, "_w": w, "_h": h}
    if kind == "table":
        p["transformations"] = [{"id": "merge", "options": {}}]
    return p


def dashboard(uid, title, desc, variables, panels, tags, extra_vars=()):
    # lay the panels out left to right, wrapping at 24 columns
    x = y = rowh = 0
    out = []
    for i, p in enumerate(panels, start=1):
        w, h = p.pop("_w"), p.pop("_h")
        if x + w > 24:
            x, y, rowh = 0, y + rowh, 0
        p["id"] = i
        p["gridPos"] = {"x": x, "y": y, "w": w, "h": h}
        x += w
        rowh = max(rowh, h)
        out.append(p)
    return {
        "uid": uid, "title": title, "description": desc, "tags": ["simpul"] + tags,
        "schemaVersion": 39, "version": 1, "editable": True, "graphTooltip": 1,
        "timezone": "browser", "refresh": "1m", "time": {"from": "now-24h", "to": "now"},
        "templating": {"list": [var_datasource()] + [VARS[v]() for v in variables] + list(extra_vars)},
        "annotations": {"list": []}, "links": [], "panels": out,
    }


FLEET = dashboard(
    "simpul-fleet", "Simpul / Fleet overview",
    "Every host Simpul agents report on: up and down by agency, silent agents, the busiest hosts, reboots.",
    ["agency"],
    [
        panel("stat", "Hosts up", [f"sum(simpul_host_up{{{ASEL}}})"], w=6, h=4,
              thresholds=[(None, "green")]),
        panel("stat", "Hosts down", [f"sum(1 - simpul_host_up{{{ASEL}}})"], w=6, h=4,
              thresholds=[(None, "green"), (1, "red")]),
        panel("stat", "Hosts enrolled", ["simpul_hosts_enrolled"], w=6, h=4),
        panel("stat", "Reboots in the last 24 h",
              [f"sum(changes(simpul_host_boot_time_seconds{{{ASEL}}}[24h]))"], w=6, h=4),
        panel("bargauge", "Hosts up and down by agency",
              [(f"agency:simpul_host_up:sum{{{ASEL}}}", "{{agency}} up"),
               (f"agency:simpul_host_down:sum{{{ASEL}}}", "{{agency}} down")], w=12, h=8),
        panel("table", "Report age (intervals since the last report; above 3: not reporting)",
              [(f"(time() - simpul_agent_last_report_timestamp_seconds{{{ASEL}}}) / simpul_agent_interval_seconds{{{ASEL}}}",
                "{{host}}")], w=12, h=8, thresholds=[(None, "green"), (3, "red")]),
        panel("bargauge", "Top 10 CPU", [(f"topk(10, simpul_host_cpu_usage_ratio{{{ASEL}}})", "{{host}}")],
              unit="percentunit", w=8, h=9, max_=1),
        panel("bargauge", "Top 10 memory used",
              [(f"topk(10, host:simpul_host_memory_used:ratio{{{ASEL}}})", "{{host}}")],
              unit="percentunit", w=8, h=9, max_=1),
        panel("bargauge", "Top 10 filesystems used",
              [(f"topk(10, host:simpul_host_filesystem_used:ratio{{{ASEL}}})", "{{host}} {{mountpoint}}")],
              unit="percentunit", w=8, h=9, max_=1),
        panel("timeseries", "Reboots per host (24 h)",
              [(f"changes(simpul_host_boot_time_seconds{{{ASEL}}}[24h])", "{{host}}")], w=24, h=7),
    ],
    ["fleet"],
)

HOST = dashboard(
    "simpul-host", "Simpul / Host detail",
    "One host: CPU, load, memory, swap, filesystems and their health, network, disk I/O, pressure, temperatures, uptime and boots.",
    ["agency", "site", "host"],
    [
        panel("stat", "Uptime", [(f"time() - simpul_host_boot_time_seconds{{{SEL}}}", "{{host}}")],
              unit="s", w=6, h=4),
        panel("stat", "CPU cores", [(f"simpul_host_cpu_cores{{{SEL}}}", "{{host}}")], w=6, h=4),
        panel("stat", "Processes", [(f"simpul_host_processes{{{SEL}}}", "{{host}}")], w=6, h=4),
        panel("stat", "Up", [(f"simpul_host_up{{{SEL}}}", "{{host}}")], w=6, h=4,
              thresholds=[(None, "red"), (1, "green")]),
        panel("timeseries", "CPU", [(f"simpul_host_cpu_usage_ratio{{{SEL}}}", "{{host}}")],
              unit="percentunit", max_=1),
        panel("timeseries", "Load",
              [(f"simpul_host_load1{{{SEL}}}", "{{host}} 1m"), (f"simpul_host_load5{{{SEL}}}", "{{host}} 5m"),
               (f"simpul_host_load15{{{SEL}}}", "{{host}} 15m")]),
        panel("timeseries", "Memory used",
              [(f"simpul_host_memory_total_bytes{{{SEL}}} - simpul_host_memory_available_bytes{{{SEL}}}", "{{host}} used"),
               (f"simpul_host_memory_total_bytes{{{SEL}}}", "{{host}} total")], unit="bytes"),
        panel("timeseries", "Swap used",
              [(f"simpul_host_swap_total_bytes{{{SEL}}} - simpul_host_swap_free_bytes{{{SEL}}}", "{{host}}")],
              unit="bytes"),
        panel("timeseries", "Filesystems used",
              [(f"host:simpul_host_filesystem_used:ratio{{{SEL}}}", "{{host}} {{mountpoint}}")],
              unit="percentunit", w=24, max_=1),
        panel("timeseries", "Network received",
              [(f"rate(simpul_host_network_receive_bytes_total{{{SEL}}}[$__rate_interval])", "{{host}} {{device}}")],
              unit="Bps"),
        panel("timeseries", "Network sent",
              [(f"rate(simpul_host_network_transmit_bytes_total{{{SEL}}}[$__rate_interval])", "{{host}} {{device}}")],
              unit="Bps"),
        panel("timeseries", "Disk busy",
              [(f"rate(simpul_host_disk_io_time_seconds_total{{{SEL}}}[$__rate_interval])", "{{host}} {{device}}")],
              unit="percentunit", max_=1,
              desc="Share of the time each physical disk had a request in flight; above 90 % for 15 min is SimpulDiskSaturated."),
        panel("timeseries", "Disk read and written",
              [(f"rate(simpul_host_disk_read_bytes_total{{{SEL}}}[$__rate_interval])", "{{host}} {{device}} read"),
               (f"rate(simpul_host_disk_written_bytes_total{{{SEL}}}[$__rate_interval])", "{{host}} {{device}} written")],
              unit="Bps"),
        panel("table", "Filesystem health (1 = read-only / device error)",
              [(f"simpul_host_filesystem_readonly{{{SEL}}}", "read-only"),
               (f"simpul_host_filesystem_device_error{{{SEL}}}", "device error")], w=12,
              desc="A filesystem remounted read-only or one whose statvfs fails (a dead disk or NFS server)."),
        panel("timeseries", "Pressure stalled (PSI avg10)",
              [(f"simpul_host_pressure_stalled_avg10_ratio{{{SEL}}}", "{{host}} {{resource}} {{kind}}")],
              unit="percentunit", max_=1,
              desc="Share of the last 10 s tasks waited for CPU, memory or I/O; empty on kernels without PSI."),
        panel("timeseries", "Temperatures",
              [(f"simpul_host_hwmon_temperature_celsius{{{SEL}}}", "{{host}} {{chip}} {{sensor}}")],
              unit="celsius", w=24, desc="hwmon sensors; empty on hosts without them (virtual machines)."),
        panel("timeseries", "Boot time (a step is a reboot)",
              [(f"simpul_host_boot_time_seconds{{{SEL}}} * 1000", "{{host}}")], unit="dateTimeAsIso", w=24),
    ],
    ["host"],
)

SLA = dashboard(
    "simpul-sla", "Simpul / Colocation SLA",
    "Availability per agency and host against the SLA target, remaining downtime budget, breaches. Outages: GET /api/v1/agencies/{agency}/sla.",
    ["agency", "site", "host"],
    [
        panel("bargauge", "Worst availability per agency (current period)",
              [(f"agency:simpul_sla_availability_ratio:min{{{ASEL}}}", "{{agency}} {{sla}} {{period}}")],
              unit="percentunit", w=12, h=8, max_=1),
        panel("stat", "Hosts in breach", [f"sum(simpul_sla_breached{{{SEL}}})"], w=12, h=8,
              thresholds=[(None, "green"), (1, "red")]),
        panel("table", "Availability against target per host",
              [(f"simpul_sla_availability_ratio{{{SEL}}}", "availability"),
               (f"simpul_sla_target_ratio{{{SEL}}}", "target"),
               (f"simpul_sla_downtime_budget_remaining_seconds{{{SEL}}}", "budget left")],
              w=24, h=9),
        panel("timeseries", "Availability", [(f"simpul_sla_availability_ratio{{{SEL}}}", "{{host}} {{period}}")],
              unit="percentunit"),
        panel("timeseries", "Remaining downtime budget",
              [(f"simpul_sla_downtime_budget_remaining_seconds{{{SEL}}}", "{{host}} {{period}}")], unit="s"),
        panel("table", "Outages this period (list: GET /api/v1/agencies/{agency}/sla)",
              [(f"simpul_sla_outages{{{SEL}}}", "outages"),
               (f"simpul_sla_longest_outage_seconds{{{SEL}}}", "longest (s)")], w=24, h=7),
    ],
    ["sla"],
)

BACKUPS = dashboard(
    "simpul-backups", "Simpul / Backups",
    "Every backup obligation: age against its maximum, state, size trend, restore tests due.",
    ["agency"],
    [
        panel("bargauge", "Age / maximum age (above 1: missing)",
              [(f"simpul_backup_age_seconds{{{ASEL}}} / simpul_backup_max_age_seconds{{{ASEL}}}",
                "{{agency}} {{obligation}}")], unit="percentunit", w=12, h=9,
              thresholds=[(None, "green"), (0.67, "yellow"), (1, "red")]),
        panel("table", "State per obligation", [(f"simpul_backup_state{{{ASEL}}} == 1", "{{state}}")],
              w=12, h=9),
        panel("timeseries", "Latest backup size", [(f"simpul_backup_size_bytes{{{ASEL}}}", "{{obligation}}")],
              unit="bytes"),
        panel("timeseries", "Backup age", [(f"simpul_backup_age_seconds{{{ASEL}}}", "{{obligation}}")],
              unit="s"),
        panel("stat", "Restore tests due", [f"sum(simpul_backup_restore_test_due{{{ASEL}}})"], w=12, h=5,
              thresholds=[(None, "green"), (1, "orange")]),
        panel("table", "Restore test age", [(f"simpul_backup_restore_test_age_seconds{{{ASEL}}}", "{{obligation}}")],
              unit="s", w=12, h=5),
    ],
    ["backups"],
)

LAN = dashboard(
    "simpul-lan", "Simpul / LAN",
    "Agency LAN diagrams: devices and links, changes over time, changes to acknowledge, SNMP poll health. The diagram itself: GET /api/v1/agencies/{agency}/lan.svg.",
    ["agency"],
    [
        panel("timeseries", "Devices", [(f"simpul_lan_devices{{{ASEL}}}", "{{agency}} {{site}}")]),
        panel("timeseries", "Links", [(f"simpul_lan_links{{{ASEL}}}", "{{agency}} {{site}}")]),
        panel("timeseries", "Changes (new diagram versions) in the range",
              [(f"increase(simpul_lan_changes_total{{{ASEL}}}[$__range])", "{{agency}} {{site}}")], instant=True),
        panel("stat", "Unacknowledged changes", [f"sum(simpul_lan_unacknowledged_changes{{{ASEL}}})"],
              thresholds=[(None, "green"), (1, "orange")]),
        panel("table", "Diagram age", [(f"simpul_lan_diagram_age_seconds{{{ASEL}}}", "{{agency}} {{site}}")],
              unit="s", w=12),
        panel("table", "SNMP poll success per device",
              [(f"simpul_snmp_poll_success{{{ASEL}}}", "{{device}} {{name}}")], w=12,
              thresholds=[(None, "red"), (1, "green")]),
        panel("timeseries", "SNMP poll duration",
              [(f"simpul_snmp_poll_duration_seconds{{{ASEL}}}", "{{device}} {{name}}")], unit="s", w=24),
        node_graph_panel(),
    ],
    ["lan"],
    extra_vars=[
        {"name": "infinity", "label": "Infinity data source (for the diagram)", "type": "datasource",
         "query": "yesoreyeram-infinity-datasource", "refresh": 1, "hide": 0, "current": {}},
        {"name": "collector", "label": "Collector URL", "type": "textbox",
         "query": "http://127.0.0.1:9810", "current": {"text": "http://127.0.0.1:9810", "value": "http://127.0.0.1:9810"},
         "hide": 0},
        dict(var_query("lan_agency", "Agency of the diagram", "label_values(simpul_lan_devices, agency)",
                       multi=False), includeAll=False),
    ],
)

# The WAN dashboard filters on the links' own labels: an agency whose link is measured
# from the Pusat Data alone has no host of its own in simpul_host_up.
LSEL = 'agency=~"$agency",site=~"$site",link=~"$link"'
LINK_VARS = [
    var_query("agency", "Agency (OPD)", "label_values(simpul_link_state, agency)"),
    var_query("site", "Site", 'label_values(simpul_link_state{agency=~"$agency"}, site)'),
    var_query("link", "Link", 'label_values(simpul_link_state{agency=~"$agency",site=~"$site"}, link)'),
]
BY_LINK = "max by (agency, site, link)"


def link_table():
    """Every link now, one row each: the merged instant queries, renamed and unit per
    column."""
    cols = [
        (f"max by (agency, site, link, state) (simpul_link_state{{{LSEL}}} == 1)", None, None),
        (f'{BY_LINK} (simpul_link_rtt_seconds{{{LSEL},side="a",quantile="0.5"}})', "RTT a (median)", "s"),
        (f'{BY_LINK} (simpul_link_rtt_seconds{{{LSEL},side="b",quantile="0.5"}})', "RTT b (median)", "s"),
        (f'{BY_LINK} (simpul_link_loss_ratio{{{LSEL},side="a"}})', "loss a", "percentunit"),
        (f'{BY_LINK} (simpul_link_loss_ratio{{{LSEL},side="b"}})', "loss b", "percentunit"),
        (f"{BY_LINK} (simpul_link_availability_ratio{{{LSEL}}})", "availability (period)", "percentunit"),
        (f"{BY_LINK} (simpul_link_capacity_bits_per_second{{{LSEL}}})", "capacity", "bps"),
    ]
    p = panel("table", "Every link now (state; newest round of each end; availability this period)",
              [c[0] for c in cols], w=24, h=8,
              desc="One row per link. Side a and b are the ends declared in collector.toml's [[links]]; RTT and loss are of each end's newest probe round; an empty cell: that end has no round (one-sided link, or no answer). The outages: GET /api/v1/links/{id}.")
    for t in p["targets"]:
        t["format"] = "table"
    refs = [t["refId"] for t in p["targets"]]
    p["transformations"] = [
        {"id": "merge", "options": {}},
        {"id": "organize", "options": {
            "excludeByName": {"Time": True, "Value #A": True},
            "renameByName": {f"Value #{r}": c[1] for r, c in zip(refs, cols) if c[1]},
            "indexByName": {}}},
    ]
    p["fieldConfig"]["overrides"] = [
        {"matcher": {"id": "byName", "options": c[1]},
         "properties": [{"id": "unit", "value": c[2]}]}
        for c in cols if c[1]
    ] + [{"matcher": {"id": "byName", "options": "state"},
          "properties": [{"id": "custom.cellOptions", "value": {"type": "color-text"}},
                         {"id": "mappings", "value": [{"type": "value", "options": {
                             "up": {"color": "green", "index": 0},
                             "degraded": {"color": "orange", "index": 1},
                             "down": {"color": "red", "index": 2},
                             "unknown": {"color": "text", "index": 3}}}]}]}]
    return p


def envelope(p):
    """The fastest and slowest of a round as thin dashed lines around the median."""
    p["fieldConfig"]["overrides"] = [
        {"matcher": {"id": "byRegexp", "options": ".* (fastest|slowest)$"},
         "properties": [{"id": "custom.lineStyle", "value": {"fill": "dash", "dash": [4, 4]}},
                        {"id": "custom.lineWidth", "value": 1}]},
        {"matcher": {"id": "byRegexp", "options": ".* threshold$"},
         "properties": [{"id": "color", "value": {"mode": "fixed", "fixedColor": "red"}},
                        {"id": "custom.lineStyle", "value": {"fill": "dash", "dash": [10, 10]}}]},
    ]
    return p


def up_timeline():
    p = panel("state-timeline", "Up or down (no bar: no evidence)",
              [(f"simpul_link_up{{{LSEL}}}", "{{link}}")], w=24, h=6,
              desc="1 while the newest evidence is up or degraded, 0 while every probe of every end lost everything; absent while unknown.")
    p["fieldConfig"]["defaults"]["mappings"] = [{"type": "value", "options": {
        "0": {"text": "down", "color": "red", "index": 0},
        "1": {"text": "up", "color": "green", "index": 1}}}]
    return p


WAN = dashboard(
    "simpul-wan", "Simpul / WAN links (Jaringan Intra)",
    "The WAN links Diskominfo operates between the Pusat Data and the agencies, as the agents' link probes measure them and the collector judges them (docs/links.md): state, round trips and loss of each end, availability, downtime and outages this period. One link's rounds and outages: GET /api/v1/links/{id}; its SmokePing-style graph: GET /api/v1/links/{id}/latency.svg.",
    [],
    [
        panel("stat", "Links up", [f'sum(simpul_link_state{{{LSEL},state="up"}})'], w=6, h=4,
              thresholds=[(None, "green")]),
        panel("stat", "Links degraded (loss or latency above threshold)",
              [f'sum(simpul_link_state{{{LSEL},state="degraded"}})'], w=6, h=4,
              thresholds=[(None, "green"), (1, "orange")]),
        panel("stat", "Links down now", [f'sum(simpul_link_state{{{LSEL},state="down"}})'], w=6, h=4,
              thresholds=[(None, "green"), (1, "red")]),
        panel("stat", "Links without evidence (unknown)",
              [f'sum(simpul_link_state{{{LSEL},state="unknown"}})'], w=6, h=4,
              thresholds=[(None, "green"), (1, "orange")]),
        link_table(),
        up_timeline(),
        envelope(panel("timeseries", "Round trip of the newest round (median; dashed: fastest and slowest)",
                       [(f'simpul_link_rtt_seconds{{{LSEL},quantile="0.5"}}', "{{link}} {{side}}"),
                        (f'simpul_link_rtt_seconds{{{LSEL},quantile="0"}}', "{{link}} {{side}} fastest"),
                        (f'simpul_link_rtt_seconds{{{LSEL},quantile="1"}}', "{{link}} {{side}} slowest"),
                        (f"simpul_link_rtt_threshold_seconds{{{LSEL}}}", "{{link}} threshold")],
                       unit="s", w=12, h=9)),
        envelope(panel("timeseries", "Loss of the newest round",
                       [(f"simpul_link_loss_ratio{{{LSEL}}}", "{{link}} {{side}}"),
                        (f"simpul_link_loss_threshold_ratio{{{LSEL}}}", "{{link}} threshold")],
                       unit="percentunit", w=12, h=9, max_=1)),
        panel("bargauge", "Availability this period",
              [(f"simpul_link_availability_ratio{{{LSEL}}}", "{{link}} {{period}}")],
              unit="percentunit", w=8, h=8, max_=1,
              thresholds=[(None, "red"), (0.99, "orange"), (0.999, "green")],
              desc="Up (with degraded) / (up + down) in the current period of the link's SLA class (else the month); maintenance and unknown time excluded."),
        panel("bargauge", "Downtime this period", [(f"simpul_link_down_seconds{{{LSEL}}}", "{{link}} {{period}}")],
              unit="s", w=8, h=8, thresholds=[(None, "green"), (1, "red")]),
        panel("bargauge", "Outages this period (list: GET /api/v1/links/{id})",
              [(f"simpul_link_outages{{{LSEL}}}", "{{link}} {{period}}")], w=8, h=8,
              thresholds=[(None, "green"), (1, "red")]),
    ],
    ["wan", "links"],
    extra_vars=LINK_VARS,
)

# The Interfaces dashboard filters on the interfaces' own labels: a device is polled by
# an agency's agent, and its agency or site need not have a host of its own.
ISEL = 'agency=~"$agency",site=~"$site",device=~"$device",interface=~"$interface"'
DSEL = 'agency=~"$agency",site=~"$site",device=~"$device"'
IF_VARS = [
    var_query("agency", "Agency (OPD)", "label_values(simpul_interface_up, agency)"),
    var_query("site", "Site", 'label_values(simpul_interface_up{agency=~"$agency"}, site)'),
    var_query("device", "Device",
              'label_values(simpul_interface_up{agency=~"$agency",site=~"$site"}, device)'),
    var_query("interface", "Interface",
              'label_values(simpul_interface_up{agency=~"$agency",site=~"$site",device=~"$device"}, interface)'),
]
UTILISATION = [(None, "green"), (0.7, "orange"), (0.9, "red")]

INTERFACES = dashboard(
    "simpul-interfaces", "Simpul / Interfaces",
    "Traffic, utilisation, errors and state of the interfaces whose counters the agents read from SNMP devices ([[discovery.snmp]] traffic_interval_secs, every 60 s by default), and the devices whose poll fails. Rates are over 5 minutes (recording rules in dashboards/prometheus/recording/). One interface's steps: GET /api/v1/interfaces/{id}?range=.",
    [],
    [
        panel("stat", "Interfaces up", [f"sum(simpul_interface_up{{{ISEL}}})"], w=6, h=4,
              thresholds=[(None, "green")]),
        panel("stat", "Interfaces down", [f"sum(1 - simpul_interface_up{{{ISEL}}})"], w=6, h=4,
              thresholds=[(None, "green"), (1, "orange")]),
        panel("stat", "Devices whose poll fails", [f"sum(1 - simpul_interface_poll_ok{{{DSEL}}})"],
              w=6, h=4, thresholds=[(None, "green"), (1, "red")]),
        panel("stat", "Busiest interface (either direction)",
              [f"max(interface:simpul_interface_utilisation:ratio_rate5m{{{ISEL}}})"],
              unit="percentunit", w=6, h=4, max_=1, thresholds=UTILISATION),
        panel("timeseries", "Received (bits per second)",
              [(f"interface:simpul_interface_receive_bits:rate5m{{{ISEL}}}", "{{device}} {{interface}}")],
              unit="bps", w=12, h=9),
        panel("timeseries", "Sent (bits per second)",
              [(f"interface:simpul_interface_transmit_bits:rate5m{{{ISEL}}}", "{{device}} {{interface}}")],
              unit="bps", w=12, h=9),
        panel("timeseries", "Utilisation of the interface's speed",
              [(f"interface:simpul_interface_utilisation:ratio_rate5m{{{ISEL}}}",
                "{{device}} {{interface}} {{direction}}")],
              unit="percentunit", w=12, h=9, max_=1, thresholds=UTILISATION,
              desc="Received and sent bytes per second over the interface's speed (ifHighSpeed, else ifSpeed), averaged over 5 minutes. An interface whose device gives no speed is not here. Alert: SimpulInterfaceUtilisationHigh (above 90 % for 15 minutes)."),
        panel("bargauge", "Top 10 utilised interfaces (now, the busier direction)",
              [(f"topk(10, max by (agency, site, device, interface) (interface:simpul_interface_utilisation:ratio_rate5m{{{ISEL}}}))",
                "{{device}} {{interface}}")],
              unit="percentunit", w=12, h=9, max_=1, thresholds=UTILISATION),
        panel("timeseries", "Errors per second",
              [(f"rate(simpul_interface_errors_total{{{ISEL}}}[5m])", "{{device}} {{interface}} {{direction}}")],
              unit="pps", w=12, h=8,
              desc="Packets with errors received (CRC, alignment, length) or that could not be sent, per second over 5 minutes. Alert: SimpulInterfaceErrorsRising."),
        panel("timeseries", "Discards per second",
              [(f"rate(simpul_interface_discards_total{{{ISEL}}}[5m])", "{{device}} {{interface}} {{direction}}")],
              unit="pps", w=12, h=8,
              desc="Packets dropped without an error, usually full buffers: they rise with utilisation."),
        panel("table", "Interfaces down now", [(f"simpul_interface_up{{{ISEL}}} == 0", "{{device}} {{interface}}")],
              w=8, h=8,
              desc="ifOperStatus not up at the newest poll. Alert: SimpulInterfaceDown (after being up within the last day)."),
        panel("table", "Devices whose poll fails (why: GET /api/v1/interfaces)",
              [(f"simpul_interface_poll_ok{{{DSEL}}} == 0", "{{device}}")], w=8, h=8,
              desc="The newest poll of the device's interface counters failed. Alert: SimpulInterfacePollFailing."),
        panel("table", "Age of the newest poll per device",
              [(f"max by (agency, site, device) (time() - simpul_interface_last_poll_timestamp_seconds{{{ISEL}}})",
                "{{device}}")], unit="s", w=8, h=8, thresholds=[(None, "green"), (300, "red")],
              desc="Seconds since the device's interface counters were read (the agent's clock); well above traffic_interval_secs: the agent or its link to the collector is down."),
    ],
    ["interfaces", "traffic"],
    extra_vars=IF_VARS,
)

PROVISIONING = """# Grafana provisioning: point Grafana at this folder (copy it to
# /etc/grafana/provisioning/dashboards/simpul.yaml) and it loads every Simpul dashboard
# from the path below. The dashboards ask for their Prometheus data source through the
# `datasource` variable: no data source UID to edit.
apiVersion: 1
providers:
  - name: simpul
    folder: Simpul
    type: file
    disableDeletion: false
    allowUiUpdates: true
    updateIntervalSeconds: 60
    options:
      path: /usr/share/simpul/dashboards/grafana
      foldersFromFilesStructure: false
"""


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, d in [("fleet-overview", FLEET), ("host-detail", HOST), ("colocation-sla", SLA),
                    ("backups", BACKUPS), ("lan", LAN), ("wan", WAN),
                    ("interfaces", INTERFACES)]:
        with open(os.path.join(OUT, name + ".json"), "w") as f:
            json.dump(d, f, indent=2, sort_keys=True)
            f.write("\n")
    prov = os.path.join(OUT, "..", "provisioning", "dashboards")
    os.makedirs(prov, exist_ok=True)
    with open(os.path.join(prov, "simpul.yaml"), "w") as f:
        f.write(PROVISIONING)


if __name__ == "__main__":
    main()
