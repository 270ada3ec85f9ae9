#!/usr/bin/env python3
"""Writes Simpul's Grafana dashboards (dashboards/grafana/*.json) from the compact
definitions below: every panel's query in one place, the same variables and layout
rules for all. Run it after changing a panel and commit the JSON:

    scripts/gen-dashboards.py

The dashboards take their data source from a `datasource` variable (no hard-coded UID)
and filter with `agency`, `site` and `host` variables (label_values). The test
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
    "One host: CPU, load, memory, swap, filesystems, network, uptime and boots.",
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
                    ("backups", BACKUPS), ("lan", LAN)]:
        with open(os.path.join(OUT, name + ".json"), "w") as f:
            json.dump(d, f, indent=2, sort_keys=True)
            f.write("\n")
    prov = os.path.join(OUT, "..", "provisioning", "dashboards")
    os.makedirs(prov, exist_ok=True)
    with open(os.path.join(prov, "simpul.yaml"), "w") as f:
        f.write(PROVISIONING)


if __name__ == "__main__":
    main()
