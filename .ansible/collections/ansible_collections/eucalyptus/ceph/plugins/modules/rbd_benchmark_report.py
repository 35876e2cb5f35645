#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: rbd_benchmark_report
short_description: Write the report of a storage benchmark - JSON, a Markdown table and a PNG plot - and compare two runs
version_added: 0.1.0
description:
  - Takes the M(eucalyptus.ceph.rbd_benchmark) results of several hosts, in two modes (every NC
    at once, and one NC at a time), and writes into O(path) C(NAME.json) (everything measured),
    C(NAME.md) (the tables) and C(NAME.png) (IOPS and p99 latency per workload).
  - With O(compare_with), the earlier run's JSON, the report gets a comparison table and
    C(NAME-vs-OTHER.png).
  - Usually run on the controller (with C(delegate_to) V(localhost)); it does not connect to Ceph.
extends_documentation_fragment:
  - eucalyptus.ceph.attributes
attributes:
  check_mode:
    support: full
    details:
      - Builds the report and reports C(changed) when a file would be written or differ; writes nothing.
  diff_mode:
    support: none
    details: The files are generated; the report's JSON is returned instead.
  idempotent:
    support: full
    details: The same results give the same files (the plot carries no timestamp).
options:
  path:
    description: Directory of the report; created when missing.
    type: path
    required: true
  name:
    description: File name stem of this run's files.
    type: str
    required: true
  label:
    description: Title of this run in the report and in later comparisons; O(name) when omitted.
    type: str
  metadata:
    description: What describes the run (release, topology, image size, runtime...), shown as a table.
    type: dict
    default: {}
  runs:
    description: One entry per host and mode.
    type: list
    elements: dict
    required: true
    suboptions:
      host:
        description: The NC that ran it.
        type: str
        required: true
      mode:
        description: V(parallel) (with the other NCs at once) or V(serial) (alone).
        type: str
        required: true
        choices: [parallel, serial]
      measurements:
        description: RV(eucalyptus.ceph.rbd_benchmark#module:measurements) of that run.
        type: list
        elements: dict
        required: true
      prefill:
        description: RV(eucalyptus.ceph.rbd_benchmark#module:prefill) of that run.
        type: dict
  compare_with:
    description: The JSON file of an earlier run, to compare this one with.
    type: path
  plot:
    description: Write the PNG plots (needs matplotlib on the host that runs the module).
    type: bool
    default: true
requirements:
  - matplotlib, for O(plot=true).
author:
  - Eucalyptus Ceph maintainers (@eucalyptus)
"""

EXAMPLES = r"""
- name: Report of this run, compared with the one before the expansion
  eucalyptus.ceph.rbd_benchmark_report:
    path: "{{ lookup('env', 'PWD') }}/ebs-benchmark"
    name: after-expansion
    runs: "{{ bench_runs }}"
    compare_with: "{{ lookup('env', 'PWD') }}/ebs-benchmark/before-expansion.json"
  delegate_to: localhost
  run_once: true
"""

RETURN = r"""
files:
  description: Paths of the files of this report (written, or in check mode to be written).
  returned: always
  type: list
  elements: str
summary:
  description: One row per mode, workload and direction (C(iops), C(bandwidth_bytes) summed over the NCs in
    mode parallel, their mean in mode serial; C(latency_ms) of the worst NC).
  returned: always
  type: list
  elements: dict
report:
  description: The Markdown report.
  returned: always
  type: str
"""

import io
import json
import os
import re
import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.eucalyptus.ceph.plugins.module_utils import _bench_report

try:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    MATPLOTLIB_ERROR = None
except ImportError:  # pragma: no cover - depends on the host
    plt = None
    MATPLOTLIB_ERROR = traceback.format_exc()

_STEM_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")


def _png(fig):
    buf = io.BytesIO()
    # no Software/date metadata: the same figures give the same bytes
    fig.savefig(buf, format="png", dpi=100, metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def _bars(ax, doc, keys, value):
    """Bars of VALUE(row) per key (workload, direction), one colour per mode."""
    width = 0.8 / len(_bench_report.MODES)
    for i, mode in enumerate(_bench_report.MODES):
        rows = dict(((r["workload"], r["direction"]), r) for r in doc["summary"] if r["mode"] == mode)
        if rows:
            ax.bar([k + (i - 0.5) * width for k in range(len(keys))],
                   [value(rows[k]) if k in rows else 0 for k in keys], width, label=_bench_report.MODE_TITLES[mode])
    ax.set_xticks(range(len(keys)))
    ax.set_xticklabels(["%s %s" % k for k in keys], fontsize=8, rotation=25, ha="right")


def plot_run(doc):
    """Random I/O in IOPS, sequential I/O in MiB/s, and the p99 latency of every workload
    (the worst NC's, log scale); one bar per mode."""
    keys = []
    for r in doc["summary"]:
        key = (r["workload"], r["direction"])
        if key not in keys:
            keys.append(key)
    rw = dict(((r["workload"], r["direction"]), r["rw"]) for r in doc["summary"])
    random_keys = [k for k in keys if rw[k].startswith("rand")]
    sequential_keys = [k for k in keys if not rw[k].startswith("rand")]
    panels = [p for p in ((random_keys, "IOPS"), (sequential_keys, "MiB/s")) if p[0]] + [(keys, "p99")]
    fig, axes = plt.subplots(len(panels), 1, figsize=(11, 3.6 * len(panels)))
    for ax, (these, what) in zip(axes, panels):
        if what == "IOPS":
            _bars(ax, doc, these, lambda r: r["iops"])
            ax.set_ylabel("IOPS (all NCs: sum;\none NC: mean)")
            ax.set_title("EBS storage benchmark: %s - random I/O" % doc["label"])
            ax.legend()
        elif what == "MiB/s":
            _bars(ax, doc, these, lambda r: r["bandwidth_bytes"] / _bench_report.MIB)
            ax.set_ylabel("MiB/s (all NCs: sum;\none NC: mean)")
            ax.set_title("sequential I/O")
        else:
            _bars(ax, doc, these, lambda r: r["latency_ms"]["p99"])
            ax.set_ylabel("p99 latency, ms\n(worst NC)")
            ax.set_yscale("log")
            ax.set_title("latency")
    fig.tight_layout()
    return _png(fig)


def plot_comparison(doc, other):
    pairs = _bench_report.compared_rows(doc, other)
    fig, ax = plt.subplots(figsize=(11, 5.5))
    xs = range(len(pairs))
    ax.bar([x - 0.2 for x in xs], [theirs["iops"] for mine, theirs in pairs], 0.4, label=other["label"])
    ax.bar([x + 0.2 for x in xs], [mine["iops"] for mine, theirs in pairs], 0.4, label=doc["label"])
    ax.set_xticks(list(xs))
    ax.set_xticklabels(["%s %s (%s)" % (mine["workload"], mine["direction"], "all NCs" if mine["mode"] == "parallel" else "one NC")
                        for mine, theirs in pairs], fontsize=7, rotation=30, ha="right")
    ax.set_yscale("log")
    ax.set_ylabel("IOPS (log scale)")
    ax.set_title("%s vs %s" % (doc["label"], other["label"]))
    ax.legend()
    fig.tight_layout()
    return _png(fig)


def _differs(path, data):
    try:
        with open(path, "rb") as f:
            return f.read() != data
    except (IOError, OSError):
        return True


def _write(path, data):
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "wb") as f:
        f.write(data)
    os.rename(tmp, path)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            name=dict(type="str", required=True),
            label=dict(type="str"),
            metadata=dict(type="dict", default={}),
            runs=dict(type="list", elements="dict", required=True, options=dict(
                host=dict(type="str", required=True),
                mode=dict(type="str", required=True, choices=list(_bench_report.MODES)),
                measurements=dict(type="list", elements="dict", required=True),
                prefill=dict(type="dict"),
            )),
            compare_with=dict(type="path"),
            plot=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
    )
    p = module.params
    if not _STEM_RE.fullmatch(p["name"]):
        module.fail_json(msg="invalid name %r: 1-128 characters from A-Z a-z 0-9 _ . -, starting with a letter or digit"
                         % p["name"])
    if p["plot"] and plt is None:
        module.fail_json(msg=missing_required_lib("matplotlib") + " (or plot=false for the JSON and Markdown only)",
                         exception=MATPLOTLIB_ERROR)
    label = p["label"] or p["name"]
    if any(ord(c) < 32 or ord(c) == 127 for c in label):
        module.fail_json(msg="label must be one line without control characters")
    try:
        doc = _bench_report.document(label, p["metadata"], p["runs"])
        other = None
        if p["compare_with"]:
            try:
                with open(p["compare_with"]) as f:
                    other = json.load(f)
            except (IOError, OSError, ValueError) as exc:
                module.fail_json(msg="cannot read the run to compare with, %s: %s" % (p["compare_with"], exc))
            _bench_report.check_document(other, p["compare_with"])
    except _bench_report.ReportError as exc:
        module.fail_json(msg=str(exc))
    stem = os.path.join(p["path"], p["name"])
    files = [(stem + ".json", (json.dumps(doc, indent=1, sort_keys=True) + "\n").encode("utf-8"))]
    png_name = compare_png = None
    if p["plot"]:
        png_name = p["name"] + ".png"
        files.append((stem + ".png", plot_run(doc)))
        if other is not None:
            compare_png = "%s-vs-%s.png" % (p["name"], re.sub(r"[^A-Za-z0-9_.-]", "_", other["label"]))
            files.append((os.path.join(p["path"], compare_png), plot_comparison(doc, other)))
    report = _bench_report.markdown(doc, other, png_name, compare_png)
    files.append((stem + ".md", report.encode("utf-8")))
    stale = [(path, data) for path, data in files if _differs(path, data)]
    changed = not os.path.isdir(p["path"]) or bool(stale)
    if changed and not module.check_mode:
        if not os.path.isdir(p["path"]):
            os.makedirs(p["path"])
        for path, data in stale:
            _write(path, data)
    module.exit_json(changed=changed, files=[path for path, data in files], summary=doc["summary"], report=report)


if __name__ == "__main__":
    main()
