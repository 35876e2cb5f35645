# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The figures of a storage benchmark (rbd_benchmark results of several hosts), summed up and
written as a Markdown report, and the comparison of two runs.

Modes: ``parallel`` (every NC at once: what the cluster gives a zone, IOPS and bandwidth
summed over the NCs) and ``serial`` (one NC at a time: what one hypervisor gets alone, the
mean over the NCs). Latency percentiles cannot be merged across hosts: a summary shows the
worst NC's, the per-host table each one's.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

MODES = ("parallel", "serial")
MODE_TITLES = {"parallel": "All NCs at once", "serial": "One NC at a time"}
FORMAT = 1
MIB = 1024.0 * 1024.0


class ReportError(Exception):
    pass


def check_runs(runs):
    """Each run: host, mode, measurements (rbd_benchmark's); the same workloads in every run."""
    if not runs:
        raise ReportError("no benchmark runs given")
    names = None
    for run in runs:
        if run.get("mode") not in MODES:
            raise ReportError("run of %s: mode must be one of %s, not %r" % (run.get("host"), ", ".join(MODES), run.get("mode")))
        if not run.get("host"):
            raise ReportError("a run has no host")
        results = run.get("measurements")
        if not isinstance(results, list) or not results:
            raise ReportError("run of %s (%s) has no results" % (run["host"], run["mode"]))
        these = [r.get("name") for r in results]
        if names is None:
            names = these
        elif these != names:
            raise ReportError("run of %s (%s) measured %s, the first run %s" % (run["host"], run["mode"], these, names))
        for r in results:
            if not any(isinstance(r.get(d), dict) and r[d].get("ios") for d in ("read", "write")):
                raise ReportError("workload %s of %s (%s) did no I/O" % (r.get("name"), run["host"], run["mode"]))
    hosts = {}
    for run in runs:
        hosts.setdefault(run["mode"], []).append(run["host"])
    for mode, found in hosts.items():
        dup = sorted(set(h for h in found if found.count(h) > 1))
        if dup:
            raise ReportError("more than one %s run of %s" % (mode, ", ".join(dup)))
    return names


def summary(runs):
    """Rows per mode, workload and direction: iops and bandwidth summed (parallel) or averaged
    (serial) over the hosts, latency percentiles of the worst host, the hosts' count."""
    rows = []
    for mode in MODES:
        mine = [r for r in runs if r["mode"] == mode]
        if not mine:
            continue
        for index, first in enumerate(mine[0]["measurements"]):
            for direction in ("read", "write"):
                figures = [run["measurements"][index].get(direction) for run in mine]
                figures = [f for f in figures if f]
                if not figures:
                    continue
                iops = sum(f["iops"] for f in figures)
                bandwidth = sum(f["bandwidth_bytes"] for f in figures)
                if mode == "serial":
                    iops, bandwidth = iops / len(figures), bandwidth / len(figures)
                worst = dict((k, max(f["latency_ms"][k] for f in figures)) for k in ("p50", "p99", "p99_9", "max"))
                rows.append(dict(mode=mode, workload=first["name"], rw=first["rw"], bs=first["bs"],
                                 iodepth=first["iodepth"], direction=direction, hosts=len(figures),
                                 iops=round(iops, 1), bandwidth_bytes=int(bandwidth), latency_ms=worst))
    return rows


def _size(n):
    return "%dM" % (n // (1024 * 1024)) if n % (1024 * 1024) == 0 else ("%dk" % (n // 1024) if n % 1024 == 0 else str(n))


def _ms(v):
    return "%.2f" % v if v < 100 else "%.0f" % v


def _table(header, rows):
    lines = ["| %s |" % " | ".join(header), "|%s|" % "|".join("---" for column in header)]
    lines += ["| %s |" % " | ".join(str(c) for c in row) for row in rows]
    return lines


def markdown(doc, other=None, png_name=None, compare_png_name=None):
    """The report of DOC (see document()); with OTHER (an earlier document) a comparison."""
    lines = ["# EBS storage benchmark: %s" % doc["label"], ""]
    meta = doc.get("metadata") or {}
    if meta:
        lines += _table(["what", "value"], [(k, meta[k]) for k in sorted(meta)]) + [""]
    if png_name:
        lines += ["![IOPS and p99 latency per workload](%s)" % png_name, ""]
    for mode in MODES:
        rows = [r for r in doc["summary"] if r["mode"] == mode]
        if not rows:
            continue
        n = rows[0]["hosts"]
        how = "summed over %d NCs" % n if mode == "parallel" else "mean of %d NCs, each alone" % n
        lines += ["## %s (%s)" % (MODE_TITLES[mode], how), ""]
        lines += _table(
            ["workload", "pattern", "block", "QD", "dir", "IOPS", "MiB/s", "p50 ms", "p99 ms", "p99.9 ms", "max ms"],
            [(r["workload"], r["rw"], _size(r["bs"]), r["iodepth"], r["direction"], "%.0f" % r["iops"],
              "%.1f" % (r["bandwidth_bytes"] / MIB), _ms(r["latency_ms"]["p50"]), _ms(r["latency_ms"]["p99"]),
              _ms(r["latency_ms"]["p99_9"]), _ms(r["latency_ms"]["max"])) for r in rows]) + [""]
    lines += ["Latency columns: the worst NC's percentile (percentiles of different hosts cannot be merged); "
              "per NC below.", "", "## Per NC", ""]
    per_host = []
    for run in doc["runs"]:
        for r in run["measurements"]:
            for direction in ("read", "write"):
                f = r.get(direction)
                if f:
                    per_host.append((run["host"], run["mode"], r["name"], direction, "%.0f" % f["iops"],
                                     "%.1f" % (f["bandwidth_bytes"] / MIB), _ms(f["latency_ms"]["p50"]),
                                     _ms(f["latency_ms"]["p99"]), _ms(f["latency_ms"]["max"])))
    lines += _table(["NC", "mode", "workload", "dir", "IOPS", "MiB/s", "p50 ms", "p99 ms", "max ms"], per_host) + [""]
    if other is not None:
        lines += comparison(doc, other, compare_png_name)
    return "\n".join(lines) + "\n"


def _key(row):
    return (row["mode"], row["workload"], row["direction"])


def compared_rows(doc, other):
    """(this row, the other's row) for every mode/workload/direction both runs have."""
    theirs = dict((_key(r), r) for r in other["summary"])
    return [(r, theirs[_key(r)]) for r in doc["summary"] if _key(r) in theirs]


def comparison(doc, other, png_name=None):
    pairs = compared_rows(doc, other)
    lines = ["## Compared with %s" % other["label"], ""]
    if png_name:
        lines += ["![IOPS of both runs](%s)" % png_name, ""]
    if not pairs:
        return lines + ["The two runs have no workload in common.", ""]

    def ratio(a, b):
        return "%.2fx" % (a / b) if b else "-"

    lines += _table(
        ["mode", "workload", "dir", "IOPS", "IOPS (%s)" % other["label"], "ratio", "MiB/s", "MiB/s (%s)" % other["label"],
         "p99 ms", "p99 ms (%s)" % other["label"], "ratio"],
        [(MODE_TITLES[a["mode"]], a["workload"], a["direction"], "%.0f" % a["iops"], "%.0f" % b["iops"],
          ratio(a["iops"], b["iops"]), "%.1f" % (a["bandwidth_bytes"] / MIB), "%.1f" % (b["bandwidth_bytes"] / MIB),
          _ms(a["latency_ms"]["p99"]), _ms(b["latency_ms"]["p99"]),
          ratio(a["latency_ms"]["p99"], b["latency_ms"]["p99"])) for a, b in pairs])
    lines += ["", "Ratios: this run over %s (IOPS: higher is better; p99: lower is better)." % other["label"]]
    missing = sorted(set(_key(r) for r in other["summary"]) - set(_key(mine) for mine, theirs in pairs))
    if missing:
        lines += ["", "Only in %s: %s" % (other["label"], ", ".join("/".join(k) for k in missing))]
    return lines + [""]


def document(label, metadata, runs):
    check_runs(runs)
    return dict(format=FORMAT, label=label, metadata=metadata or {},
                runs=[dict(host=r["host"], mode=r["mode"], measurements=r["measurements"], prefill=r.get("prefill"))
                      for r in runs],
                summary=summary(runs))


def check_document(doc, where):
    """An earlier run's document, as read back from WHERE."""
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or not isinstance(doc.get("summary"), list):
        raise ReportError("%s is not a benchmark result of this collection (format %s)" % (where, FORMAT))
    return doc
