"""rbd_benchmark against the real cluster: fio's rbd engine with the NC profile's caps (what a
hypervisor may do), figures that hold together, check mode that writes nothing, and clear
failures. Every exec of these runs is traced for keys (conftest's ExecTracer)."""

import os
import shutil

import pytest

pytestmark = pytest.mark.ceph

rbd = pytest.importorskip("rbd")

POOL = "benchvol"
NC = "bench-nc"
OTHER = "bench-other"
MiB = 1 << 20
WORKLOADS = [{"name": "randread-qd1", "rw": "randread", "bs": "4k", "iodepth": 1},
             {"name": "randwrite-qd4", "rw": "randwrite", "bs": "4k", "iodepth": 4},
             {"name": "mix-qd2", "rw": "randrw", "bs": "4k", "iodepth": 2, "rwmixread": 50},
             {"name": "seqread-qd2", "rw": "read", "bs": "1M", "iodepth": 2}]


def write_keyring(lab, admin, user):
    path = lab.keyring_path(user)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("[client.%s]\n\tkey = %s\n" % (user, admin.get_key(user)))
    return path


@pytest.fixture(scope="module")
def nc(ceph_cluster, admin, run_module):
    if not shutil.which("fio"):
        if os.environ.get("EUCA_REQUIRE_PREREQS") == "1":
            pytest.fail("fio is missing (apt-get install fio)")
        pytest.skip("fio is not installed")
    admin.create_pool(POOL, wait=False)
    for user, pools in ((NC, [POOL]), (OTHER, ["benchelsewhere"])):
        r = run_module("cephx_user", {"name": user, "profile": "nc", "volume_pools": pools,
                                      "cluster_conf": ceph_cluster.conf})
        assert not r.failed, r.msg
    with admin.open_ioctx(POOL) as io:
        for name in ("scratch", "kept"):
            rbd.RBD().create(io, name, 16 * MiB, old_format=False, features=rbd.RBD_FEATURE_LAYERING)
    yield {"cluster_conf": ceph_cluster.conf, "cluster_user": NC,
           "cluster_keyring": write_keyring(ceph_cluster, admin, NC), "pool": POOL}
    admin.delete_pool(POOL)
    for user in (NC, OTHER):
        admin.delete_user(user)
        path = ceph_cluster.keyring_path(user)
        if os.path.exists(path):
            os.unlink(path)


def test_measures_every_workload_as_the_nc(nc, run_module):
    r = run_module("rbd_benchmark", dict(nc, image="scratch", workloads=WORKLOADS, runtime=1, ramp_time=0))
    assert not r.failed, r.msg
    res = r.result
    assert r.changed and res["span"] == 16 * MiB and res["fio_version"].startswith("fio-")
    assert res["prefill"]["bytes"] == 16 * MiB and res["prefill"]["bandwidth_bytes"] > 0
    assert [m["name"] for m in res["measurements"]] == [w["name"] for w in WORKLOADS]
    directions = {m["name"]: sorted(d for d in ("read", "write") if d in m) for m in res["measurements"]}
    assert directions == {"randread-qd1": ["read"], "randwrite-qd4": ["write"], "mix-qd2": ["read", "write"],
                          "seqread-qd2": ["read"]}
    for m in res["measurements"]:
        assert 0.5 <= m["runtime_s"] <= 5, m
        for d in directions[m["name"]]:
            f = m[d]
            lat = f["latency_ms"]
            assert f["ios"] > 0 and f["iops"] > 0, m
            assert 0 < lat["p50"] <= lat["p90"] <= lat["p99"] <= lat["p99_9"] <= lat["max"], m
            # one figure in two units, but fio counts bytes at completion and I/Os at issue: the
            # I/Os in flight when the measurement starts (up to iodepth) are in the bandwidth only
            in_flight = m["iodepth"] * m["bs"] / m["runtime_s"]
            assert abs(f["bandwidth_bytes"] - f["iops"] * m["bs"]) <= 0.02 * f["bandwidth_bytes"] + in_flight, m


def test_a_fill_alone_writes_the_span_and_measures_nothing(nc, run_module):
    r = run_module("rbd_benchmark", dict(nc, image="scratch", workloads=[], span=8 * MiB))
    assert not r.failed, r.msg
    assert r.changed and r.result["measurements"] == [] and r.result["prefill"]["bytes"] == 8 * MiB


def test_check_mode_writes_nothing_and_says_a_run_would(nc, admin, run_module):
    marker = b"untouched" + b"\0" * (4096 - 9)
    with admin.open_ioctx(POOL) as io, rbd.Image(io, "kept") as image:
        image.write(marker, 0)
    r = run_module("rbd_benchmark", dict(nc, image="kept", workloads=WORKLOADS, runtime=1, ramp_time=0), check=True)
    assert not r.failed, r.msg
    assert r.changed and r.result["measurements"] == [] and r.result["prefill"] is None
    # reads only, without the fill: a real run would write nothing
    reads = [w for w in WORKLOADS if w["rw"] in ("randread", "read")]
    r = run_module("rbd_benchmark", dict(nc, image="kept", workloads=reads, prefill=False, runtime=1, ramp_time=0),
                   check=True)
    assert not r.failed and not r.changed
    r = run_module("rbd_benchmark", dict(nc, image="kept", workloads=reads, prefill=False, runtime=1, ramp_time=0))
    assert not r.failed and not r.changed, r.msg
    with admin.open_ioctx(POOL) as io, rbd.Image(io, "kept", read_only=True) as image:
        assert image.read(0, 4096) == marker


@pytest.mark.parametrize("change,error", [
    ({"image": "missing"}, "missing"),
    ({"span": 32 * MiB}, "span 33554432 is larger than"),
    ({"workloads": [{"name": "bad\nname", "rw": "read"}]}, "invalid workload name"),
    ({"workloads": [{"name": "x", "rw": "read", "bs": "1000"}]}, "multiple of 512"),
    ({"runtime": 0}, "runtime must be"),
    ({"workloads": [], "prefill": False}, "nothing to do"),
    ({"fio_path": "/nonexistent/fio"}, "cannot run fio"),
])
def test_bad_input_fails_clearly(nc, run_module, change, error):
    args = dict(nc, image="kept", workloads=WORKLOADS[:1], runtime=1, ramp_time=0)
    args.update(change)
    r = run_module("rbd_benchmark", args)
    assert r.failed and error in r.msg, r.msg


def test_a_user_without_caps_on_the_pool_is_refused_before_fio(nc, ceph_cluster, admin, run_module):
    keyring = write_keyring(ceph_cluster, admin, OTHER)
    r = run_module("rbd_benchmark", dict(nc, image="kept", workloads=WORKLOADS[:1], runtime=1, ramp_time=0,
                                         cluster_user=OTHER, cluster_keyring=keyring))
    assert r.failed and "benchvol/kept" in r.msg, r.msg
    assert "fio" not in r.msg
