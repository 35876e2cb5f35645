"""rbd_benchmark_report writes the JSON, the Markdown and real PNG plots (matplotlib), changes
nothing when run again with the same figures, writes nothing in check mode, and refuses bad input."""

import json
import struct

import pytest

pytest.importorskip("matplotlib")

from ansible_collections.eucalyptus.ceph.tests.unit.plugins.module_utils.test_bench_report import RUNS, run


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n", "%s is not a PNG" % path
    return struct.unpack(">II", head[16:24])


def test_report_files_idempotence_and_check_mode(run, tmp_path):   # pylint: disable=redefined-outer-name
    out = tmp_path / "report"
    args = {"path": str(out), "name": "before", "metadata": {"release": "20.2.4"}, "runs": RUNS}
    r = run("rbd_benchmark_report", args, check_mode=True)
    assert r["changed"] and not out.exists(), "check mode wrote something"
    assert r["files"] == [str(out / "before.json"), str(out / "before.png"), str(out / "before.md")]
    r = run("rbd_benchmark_report", args)
    assert r["changed"] and not r["failed"]
    doc = json.loads((out / "before.json").read_text())
    assert doc["label"] == "before" and len(doc["runs"]) == 4 and doc["summary"] == r["summary"]
    width, height = png_size(out / "before.png")
    assert width >= 800 and height >= 600
    assert (out / "before.md").read_text() == r["report"] and "![IOPS and p99 latency per workload](before.png)" in r["report"]
    again = run("rbd_benchmark_report", args)
    assert not again["changed"], "the same figures must give the same files"
    assert not run("rbd_benchmark_report", args, check_mode=True)["changed"]

    after = {"path": str(out), "name": "after", "label": "after expansion", "runs": RUNS[:2],
             "compare_with": str(out / "before.json")}
    r = run("rbd_benchmark_report", after)
    assert r["changed"]
    assert str(out / "after-vs-before.png") in r["files"]
    png_size(out / "after-vs-before.png")
    assert "## Compared with before" in (out / "after.md").read_text()


def test_without_plot_only_json_and_markdown(run, tmp_path):   # pylint: disable=redefined-outer-name
    r = run("rbd_benchmark_report", {"path": str(tmp_path), "name": "x", "runs": RUNS, "plot": False})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.json", "x.md"] and "![" not in r["report"]


@pytest.mark.parametrize("change,error", [
    ({"name": "../x"}, "invalid name"),
    ({"name": "x\n"}, "invalid name"),
    ({"label": "two\nlines"}, "one line"),
    ({"runs": []}, "no benchmark runs"),
    ({"runs": [run("nc1", "parallel"), run("nc1", "parallel")]}, "more than one parallel run"),
    ({"compare_with": "/nonexistent/before.json"}, "cannot read the run to compare with"),
])
def test_bad_input_is_refused_before_anything_is_written(run, tmp_path, change, error):   # pylint: disable=redefined-outer-name
    args = dict({"path": str(tmp_path / "r"), "name": "x", "runs": RUNS}, **change)
    r = run("rbd_benchmark_report", args)
    assert r["failed"] and error in r["msg"], r
    assert not (tmp_path / "r").exists()


def test_an_unrelated_json_is_not_compared(run, tmp_path):   # pylint: disable=redefined-outer-name
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"some": "thing"}))
    r = run("rbd_benchmark_report", {"path": str(tmp_path / "r"), "name": "x", "runs": RUNS, "compare_with": str(other)})
    assert r["failed"] and "is not a benchmark result of this collection" in r["msg"]
