"""fio's job file for the rbd engine and the figures read from its JSON output (a document a
real fio 3.33 wrote against a loopback cluster: tests/unit/fixtures/fio)."""

import json
import os

import pytest

from ansible_collections.eucalyptus.ceph.plugins.module_utils import _fio

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "fio", "fio-3.33-rbd.json")
RECORDED = [{"name": "randread-qd1", "rw": "randread", "bs": "4k", "iodepth": 1},
            {"name": "mix", "rw": "randrw", "iodepth": 4}]


def recorded():
    with open(FIXTURE) as f:
        return json.load(f)


def test_job_file_fills_then_runs_each_workload_alone():
    items = _fio.workloads([{"name": "rr", "rw": "randread", "bs": "4k", "iodepth": 32},
                            {"name": "sw", "rw": "write", "bs": "4M"}])
    text = _fio.job_file("eucalyptus-nc", "eucavolumes", "ebs-bench-nc1", 1 << 30, items, 30, 5, True)
    sections = [line for line in text.splitlines() if line.startswith("[")]
    assert sections == ["[global]", "[prefill]", "[rr]", "[sw]"]
    assert "ioengine=rbd\nclientname=eucalyptus-nc\npool=eucavolumes\nrbdname=ebs-bench-nc1\nsize=1073741824\n" in text
    assert "percentile_list=50:90:99:99.9" in text and "lat_percentiles=1" in text
    rr = text.split("[rr]\n")[1].split("\n\n")[0].splitlines()
    assert rr == ["rw=randread", "bs=4096", "iodepth=32", "time_based=1", "runtime=30", "ramp_time=5", "stonewall"]
    assert "bs=4194304\niodepth=1\n" in text
    # the fill writes the span once, sequentially, and is not time-based
    prefill = text.split("[prefill]\n")[1].split("\n\n")[0]
    assert "rw=write" in prefill and "time_based" not in prefill and "stonewall" in prefill
    assert "[prefill]" not in _fio.job_file("u", "p", "i", 4096, items, 1, 0, False)


def test_randrw_gets_its_mix():
    (w,) = _fio.workloads([{"name": "mix", "rw": "randrw"}])
    assert w["rwmixread"] == 70 and w["bs"] == 4096 and w["iodepth"] == 1
    text = _fio.job_file("u", "p", "i", 1 << 20, _fio.workloads([{"name": "m", "rw": "randrw", "rwmixread": 50}]), 1, 0, False)
    assert "rwmixread=50" in text


@pytest.mark.parametrize("value,size", [("4k", 4096), ("4K", 4096), ("4M", 4 << 20), (512, 512), ("65536", 65536), ("64M", 64 << 20)])
def test_block_sizes(value, size):
    assert _fio.block_size(value) == size


@pytest.mark.parametrize("value", ["4k\n", "4 k", "4G", "1", "511", "600", "0", "-4k", "4kb", "", "65M", None])
def test_block_sizes_refused(value):
    with pytest.raises(_fio.FioError):
        _fio.block_size(value)


@pytest.mark.parametrize("item,error", [
    ({"name": "x\n[global]", "rw": "read"}, "invalid workload name"),
    ({"name": "x\n", "rw": "read"}, "invalid workload name"),
    ({"name": "prefill", "rw": "read"}, "invalid workload name"),
    ({"name": "x", "rw": "trim"}, "rw must be one of"),
    ({"name": "x", "rw": "read", "iodepth": 0}, "iodepth must be"),
    ({"name": "x", "rw": "read", "iodepth": 257}, "iodepth must be"),
    ({"name": "x", "rw": "read", "iodepth": True}, "iodepth must be"),
    ({"name": "x", "rw": "randrw", "rwmixread": 101}, "rwmixread must be"),
    ({"name": "x", "rw": "read", "rwmixread": 50}, "applies to rw=randrw only"),
    ({"name": "x", "rw": "read", "bs": "1G"}, "invalid block size"),
])
def test_bad_workloads_are_refused(item, error):
    with pytest.raises(_fio.FioError, match=error):
        _fio.workloads([item])


def test_duplicate_workloads_are_refused_none_is_a_fill_alone():
    with pytest.raises(_fio.FioError, match="unique: a"):
        _fio.workloads([{"name": "a", "rw": "read"}, {"name": "a", "rw": "write"}])
    assert _fio.workloads([]) == []
    text = _fio.job_file("u", "p", "i", 1 << 20, [], 1, 0, True)
    assert [line for line in text.splitlines() if line.startswith("[")] == ["[global]", "[prefill]"]


@pytest.mark.parametrize("user,pool,image", [("u\nioengine=sync", "p", "i"), ("u", "p x", "i"), ("u", "p", "i/j"), ("u", "", "i")])
def test_names_that_would_change_the_job_file_are_refused(user, pool, image):
    with pytest.raises(_fio.FioError, match="cannot go into a fio job file"):
        _fio.job_file(user, pool, image, 4096, _fio.workloads([{"name": "a", "rw": "read"}]), 1, 0, False)


def test_figures_of_a_real_fio_run():
    prefill, results = _fio.results(recorded(), _fio.workloads(RECORDED))
    assert prefill == {"bytes": 33554432, "seconds": 0.342, "bandwidth_bytes": 97826332}
    rr, mix = results
    assert rr["name"] == "randread-qd1" and "write" not in rr and rr["runtime_s"] == 2.0
    assert rr["read"]["ios"] == 5562 and rr["read"]["iops"] == 2779.6
    assert rr["read"]["latency_ms"] == {"p50": 0.317, "p90": 0.42, "p99": 1.27, "p99_9": 4.293,
                                        "mean": 0.358, "max": 6.347}
    # the mix did both, in about its 70/30 proportion
    assert mix["rwmixread"] == 70 and set(mix) >= {"read", "write"}
    share = mix["read"]["ios"] / float(mix["read"]["ios"] + mix["write"]["ios"])
    assert 0.6 < share < 0.8
    for r in results:
        for d in ("read", "write"):
            if d in r:
                f = r[d]
                lat = f["latency_ms"]
                assert 0 < lat["p50"] <= lat["p90"] <= lat["p99"] <= lat["p99_9"] <= lat["max"]
                # bandwidth and IOPS are one figure in two units
                assert abs(f["bandwidth_bytes"] - f["iops"] * r["bs"]) <= 0.01 * f["bandwidth_bytes"]


def test_a_failed_job_a_missing_job_or_no_io_fails():
    doc = recorded()
    doc["jobs"][1]["error"] = 5
    with pytest.raises(_fio.FioError, match="randread-qd1: error 5"):
        _fio.results(doc, _fio.workloads(RECORDED))
    with pytest.raises(_fio.FioError, match="no job other"):
        _fio.results(recorded(), _fio.workloads([{"name": "other", "rw": "read"}]))
    doc = recorded()
    doc["jobs"][1]["read"]["total_ios"] = 0
    with pytest.raises(_fio.FioError, match="randread-qd1 did no I/O"):
        _fio.results(doc, _fio.workloads(RECORDED))


def test_a_percentile_above_the_maximum_is_the_maximum():
    """fio's histogram buckets can put p99.9 above the largest latency measured (seen: 11.469 ms
    for a max of 11.431 ms)."""
    doc = recorded()
    lat = doc["jobs"][1]["read"]["lat_ns"]
    lat["percentile"]["99.900000"] = lat["max"] + 38000
    results = _fio.results(doc, _fio.workloads(RECORDED))[1]
    assert results[0]["read"]["latency_ms"]["p99_9"] == results[0]["read"]["latency_ms"]["max"] == 6.347
