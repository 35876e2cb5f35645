"""The benchmark report: sums over NCs at once, means of NCs alone, the worst NC's latency,
the Markdown tables and the comparison of two runs."""

import pytest

from ansible_collections.eucalyptus.ceph.plugins.module_utils import _bench_report as report


def figures(iops, bs=4096, p99=2.0, mx=9.0):
    return {"ios": int(iops * 10), "iops": iops, "bandwidth_bytes": int(iops * bs),
            "latency_ms": {"p50": p99 / 4, "p90": p99 / 2, "p99": p99, "p99_9": p99 * 2, "mean": p99 / 3, "max": mx}}


def measurement(name, rw, read=None, write=None, bs=4096, iodepth=1):
    m = {"name": name, "rw": rw, "bs": bs, "iodepth": iodepth, "runtime_s": 10.0}
    if read:
        m["read"] = read
    if write:
        m["write"] = write
    return m


def run(host, mode, scale=1.0, p99=2.0):
    return {"host": host, "mode": mode, "measurements": [
        measurement("rr", "randread", read=figures(1000 * scale, p99=p99)),
        measurement("mix", "randrw", read=figures(700 * scale, p99=p99), write=figures(300 * scale, p99=p99 * 3)),
        measurement("sw", "write", write=figures(50 * scale, bs=4 << 20, p99=p99 * 10), bs=4 << 20)]}


RUNS = [run("nc1", "parallel"), run("nc2", "parallel", scale=0.5, p99=5.0),
        run("nc1", "serial", scale=2.0), run("nc2", "serial", scale=1.0, p99=1.0)]


def rows(doc, mode):
    return dict(((r["workload"], r["direction"]), r) for r in doc["summary"] if r["mode"] == mode)


def test_all_at_once_is_summed_alone_is_averaged_latency_is_the_worst_ncs():
    doc = report.document("lab", {"release": "20.2.4"}, RUNS)
    par, ser = rows(doc, "parallel"), rows(doc, "serial")
    assert sorted(par) == sorted(ser) == [("mix", "read"), ("mix", "write"), ("rr", "read"), ("sw", "write")]
    assert par[("rr", "read")]["iops"] == 1500.0 and par[("rr", "read")]["hosts"] == 2
    assert par[("rr", "read")]["bandwidth_bytes"] == 1500 * 4096
    assert ser[("rr", "read")]["iops"] == 1500.0    # (2000 + 1000) / 2
    assert par[("rr", "read")]["latency_ms"]["p99"] == 5.0 and ser[("rr", "read")]["latency_ms"]["p99"] == 2.0
    assert par[("mix", "write")]["latency_ms"]["p99"] == 15.0
    assert par[("sw", "write")]["bandwidth_bytes"] == int(50 * (4 << 20)) + int(25 * (4 << 20))
    assert doc["format"] == report.FORMAT and doc["metadata"] == {"release": "20.2.4"}


def test_markdown_tables():
    doc = report.document("lab", {"release": "20.2.4"}, RUNS)
    text = report.markdown(doc, png_name="lab.png")
    assert text.startswith("# EBS storage benchmark: lab\n")
    assert "| release | 20.2.4 |" in text and "![IOPS and p99 latency per workload](lab.png)" in text
    assert "## All NCs at once (summed over 2 NCs)" in text and "## One NC at a time (mean of 2 NCs, each alone)" in text
    assert "| rr | randread | 4k | 1 | read | 1500 | 5.9 | 1.25 | 5.00 | 10.00 | 9.00 |" in text
    assert "| sw | write | 4M | 1 | write | 75 | 300.0 |" in text
    assert "| nc2 | parallel | mix | write | 150 | 0.6 | 3.75 | 15.00 | 9.00 |" in text
    assert "Compared with" not in text


def test_comparison_of_two_runs():
    before = report.document("before", {}, [run("nc1", "parallel"), run("nc2", "parallel")])
    after = report.document("after", {}, [run("nc1", "parallel", scale=2.0, p99=1.0),
                                          run("nc2", "parallel", scale=2.0, p99=1.0),
                                          run("nc1", "serial")])
    text = report.markdown(after, before, compare_png_name="after-vs-before.png")
    assert "## Compared with before" in text and "![IOPS of both runs](after-vs-before.png)" in text
    assert "| All NCs at once | rr | read | 4000 | 2000 | 2.00x | 15.6 | 7.8 | 1.00 | 2.00 | 0.50x |" in text
    # the serial rows exist in one run only: not compared
    assert "| One NC at a time |" not in text.split("## Compared with before")[1]
    pairs = report.compared_rows(after, before)
    assert len(pairs) == 4 and all(a["mode"] == b["mode"] == "parallel" for a, b in pairs)
    missing = report.markdown(before, after)
    assert "Only in after: serial/mix/read, serial/mix/write, serial/rr/read, serial/sw/write" in missing


@pytest.mark.parametrize("runs,error", [
    ([], "no benchmark runs"),
    ([dict(run("nc1", "parallel"), mode="both")], "mode must be one of"),
    ([dict(run("nc1", "parallel"), host="")], "has no host"),
    ([dict(run("nc1", "parallel"), measurements=[])], "has no results"),
    ([run("nc1", "parallel"), dict(run("nc2", "parallel"), measurements=run("x", "parallel")["measurements"][:1])],
     "measured"),
    ([run("nc1", "parallel"), run("nc1", "parallel")], "more than one parallel run of nc1"),
    ([{"host": "nc1", "mode": "serial", "measurements": [measurement("rr", "randread")]}], "did no I/O"),
])
def test_bad_runs_are_refused(runs, error):
    with pytest.raises(report.ReportError, match=error):
        report.document("x", {}, runs)


def test_an_earlier_document_must_be_one_of_ours():
    doc = report.document("x", {}, RUNS)
    assert report.check_document(doc, "x.json") is doc
    for bad in ({}, [], {"format": 2, "summary": []}, {"format": 1, "summary": "no"}):
        with pytest.raises(report.ReportError, match="not a benchmark result"):
            report.check_document(bad, "other.json")
