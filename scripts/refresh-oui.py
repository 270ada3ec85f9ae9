#!/usr/bin/env python3
"""Rebuilds agent/src/discovery/oui.tsv.gz, the MAC vendor table built into the agent.

Input: the IEEE registries as CSV (MA-L oui.csv, MA-M mam.csv, MA-S oui36.csv, IAB
iab.csv), by default from Debian's ieee-data package (/usr/share/ieee-data; run
`apt-get install ieee-data`, or `update-ieee-data` to fetch the newest from the IEEE).
Output: one line per assignment, "<hex prefix>\t<organization>", sorted, gzip -9n
(no timestamp, so the same input gives the same bytes).

    scripts/refresh-oui.py [DIR]
"""
import csv
import gzip
import io
import os
import sys

src = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/ieee-data"
out = os.path.join(os.path.dirname(__file__), "..", "agent", "src", "discovery", "oui.tsv.gz")
rows = {}
for name in ("oui.csv", "mam.csv", "oui36.csv", "iab.csv"):
    path = os.path.join(src, name)
    if not os.path.exists(path):
        sys.exit(f"{path} is missing: apt-get install ieee-data (or pass the directory)")
    with open(path, newline="", encoding="utf-8", errors="replace") as f:
        for r in csv.DictReader(f):
            prefix = r["Assignment"].strip().upper()
            org = " ".join(r["Organization Name"].split())
            if not prefix or not org or org.lower() == "private":
                continue
            if len(prefix) not in (6, 7, 9) or any(c not in "0123456789ABCDEF" for c in prefix):
                continue
            rows[prefix] = org.replace("\t", " ")
text = "".join(f"{p}\t{rows[p]}\n" for p in sorted(rows))
buf = io.BytesIO()
with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9, mtime=0) as g:
    g.write(text.encode("utf-8"))
with open(out, "wb") as f:
    f.write(buf.getvalue())
print(f"{out}: {len(rows)} prefixes, {len(buf.getvalue())} bytes")
