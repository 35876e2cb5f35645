"""Verifier of the storage benchmark run by side_effect.yml (playbooks/benchmark.yml from both
NCs with their own users): the report exists, its figures hold together, nothing is left in
the pool. The figures themselves are never asserted: they are kept in benchmarks/results/."""

import json
import os

import testinfra.utils.ansible_runner

RUNNER = testinfra.utils.ansible_runner.AnsibleRunner(os.environ["MOLECULE_INVENTORY_FILE"])
testinfra_hosts = RUNNER.get_hosts("ceph_mons")[:1]

SUITE = os.environ.get("EUCA_LAB_CEPH_SUITE") or "bookworm"
STEM = os.path.join(os.environ["MOLECULE_PROJECT_DIRECTORY"], "benchmarks", "results", "benchmark-default-" + SUITE)
NCS = sorted(RUNNER.get_hosts("euca_nc"))
PATTERNS = ["randread-4k", "randwrite-4k", "randrw70-4k", "seqread-4M", "seqwrite-4M"]
WORKLOADS = ["%s-qd%d" % (p, qd) for qd in (1, 32) for p in PATTERNS]


def report():
    with open(STEM + ".json") as f:
        return json.load(f)


def test_every_nc_measured_every_workload_in_both_modes():
    doc = report()
    assert sorted((r["host"], r["mode"]) for r in doc["runs"]) == sorted(
        (nc, mode) for nc in NCS for mode in ("parallel", "serial"))
    for run in doc["runs"]:
        assert [m["name"] for m in run["measurements"]] == WORKLOADS, run["host"]
    # each NC used its own files: the user its role installed
    assert doc["metadata"]["cluster user of the NCs"] == "eucalyptus-nc"
    fills = [r["prefill"] for r in doc["runs"] if r["mode"] == "parallel"]
    assert all(f["bytes"] == 128 << 20 and f["bandwidth_bytes"] > 0 for f in fills), fills


def test_the_figures_hold_together():
    doc = report()
    for run in doc["runs"]:
        for m in run["measurements"]:
            directions = [d for d in ("read", "write") if d in m]
            expected = {"randread": ["read"], "read": ["read"], "randwrite": ["write"], "write": ["write"],
                        "randrw": ["read", "write"]}[m["rw"]]
            assert directions == expected, m
            assert 1.5 <= m["runtime_s"] <= 10, m
            for d in directions:
                f = m[d]
                lat = f["latency_ms"]
                assert f["ios"] > 0 and f["iops"] > 0, m
                assert 0 < lat["p50"] <= lat["p90"] <= lat["p99"] <= lat["p99_9"] <= lat["max"], m
                # one figure in two units, but fio counts bytes at completion and I/Os at issue:
                # the I/Os in flight when the ramp ends (up to iodepth, seen: iodepth - 1) are in
                # the bandwidth only
                in_flight = m["iodepth"] * m["bs"] / m["runtime_s"]
                assert abs(f["bandwidth_bytes"] - f["iops"] * m["bs"]) <= 0.02 * f["bandwidth_bytes"] + in_flight, m
    # the summary of all NCs at once is the sum of theirs
    parallel = dict(((r["workload"], r["direction"]), r) for r in doc["summary"] if r["mode"] == "parallel")
    for (workload, direction), row in parallel.items():
        total = sum(m[direction]["iops"] for run in doc["runs"] if run["mode"] == "parallel"
                    for m in run["measurements"] if m["name"] == workload)
        assert abs(row["iops"] - total) < 0.2 and row["hosts"] == len(NCS), row


def test_the_report_has_its_tables_and_plot():
    with open(STEM + ".md") as f:
        text = f.read()
    assert "## All NCs at once (summed over %d NCs)" % len(NCS) in text
    assert "## One NC at a time (mean of %d NCs, each alone)" % len(NCS) in text
    assert "](benchmark-default-%s.png)" % SUITE in text
    with open(STEM + ".png", "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"


def test_no_scratch_image_is_left(host):
    out = host.run("timeout 60 rbd ls --format json eucavolumes")
    assert out.rc == 0, out.stderr
    assert [name for name in json.loads(out.stdout) if name.startswith("ebs-bench-")] == []
