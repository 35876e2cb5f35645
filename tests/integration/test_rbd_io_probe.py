"""rbd_io_probe: two hypervisor-like processes open one volume read-write at the same time
with the NC's key, each sees the other's write; a write through a clone copies up."""

import os
import threading

import pytest

pytestmark = pytest.mark.ceph

rbd = pytest.importorskip("rbd")

POOL = "probevol"
NC = "probe-nc"
MiB = 1 << 20


@pytest.fixture(scope="module")
def nc_user(ceph_cluster, admin, run_module):
    admin.create_pool(POOL, wait=False)
    r = run_module("cephx_user", {"name": NC, "profile": "nc", "volume_pools": [POOL],
                                  "cluster_conf": ceph_cluster.conf})
    assert not r.failed, r.msg
    path = ceph_cluster.keyring_path(NC)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("[client.%s]\n\tkey = %s\n" % (NC, admin.get_key(NC)))
    with admin.open_ioctx(POOL) as io:
        rbd.RBD().create(io, "shared", 4 * MiB, old_format=False, features=rbd.RBD_FEATURE_LAYERING)
    yield {"cluster_conf": ceph_cluster.conf, "cluster_user": NC, "cluster_keyring": path, "pool": POOL}
    admin.delete_pool(POOL)
    admin.delete_user(NC)
    os.unlink(path)


def test_two_writers_at_once(nc_user, run_module, admin):
    results = {}

    def probe(name, offset, peer_offset, peer):
        results[name] = run_module("rbd_io_probe", dict(
            nc_user, image="shared", marker=name, offset=offset,
            wait_for=[{"offset": peer_offset, "marker": peer}], timeout=60))

    threads = [threading.Thread(target=probe, args=("nc1", 0, 4096, "nc2")),
               threading.Thread(target=probe, args=("nc2", 4096, 0, "nc1"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for name, r in results.items():
        assert not r.failed, (name, r.msg)
        assert r.result["written"] and len(r.result["seen"]) == 1
    with admin.open_ioctx(POOL) as io, rbd.Image(io, "shared", read_only=True) as image:
        assert image.read(0, 3) == b"nc1" and image.read(4096, 3) == b"nc2"


def test_missing_peer_times_out(nc_user, run_module):
    r = run_module("rbd_io_probe", dict(nc_user, image="shared", marker="alone", offset=8192,
                                        wait_for=[{"offset": 12288, "marker": "nobody"}], timeout=2))
    assert r.failed and "did not appear within 2 s" in r.msg


def test_check_mode_reads_and_predicts_the_real_run(nc_user, run_module, admin):
    """Check mode opens the image read-only: its answer equals the real run's, run after run."""
    args = dict(nc_user, image="shared", marker="check", offset=16384)
    for expected_change in (True, False):
        check = run_module("rbd_io_probe", args, check=True)
        assert not check.failed, check.msg
        with admin.open_ioctx(POOL) as io, rbd.Image(io, "shared", read_only=True) as image:
            before = image.read(16384, 5)
        real = run_module("rbd_io_probe", args)
        assert not real.failed, real.msg
        assert (check.changed, real.changed, real.result["written"]) == (expected_change,) * 3
        assert not check.result["written"]
        if expected_change:
            assert before == b"\0" * 5, "check mode wrote"


def test_check_mode_reports_peers_already_there_without_waiting(nc_user, run_module):
    r = run_module("rbd_io_probe", dict(nc_user, image="shared", marker="nc3", offset=20480,
                                        wait_for=[{"offset": 0, "marker": "nc1"}, {"offset": 24576, "marker": "nobody"}],
                                        timeout=1), check=True)
    assert not r.failed, r.msg
    assert r.result["seen"] == [0] and r.result["waited"] == 0.0


def test_a_block_past_the_end_of_the_image_is_refused(nc_user, run_module):
    for check in (True, False):
        r = run_module("rbd_io_probe", dict(nc_user, image="shared", marker="far", offset=4 * MiB), check=check)
        assert r.failed and "past the end of the image" in r.msg


def test_missing_pool_fails_cleanly(nc_user, run_module):
    """A pool that does not exist is an error with a clear message, not a hang."""
    r = run_module("rbd_io_probe", dict(nc_user, pool="rbd-nothere", image="x", marker="m", offset=0))
    assert r.failed and "does not exist" in r.msg


@pytest.mark.parametrize("args, message", [
    ({"offset": 100}, "multiple of block_size"),
    ({"offset": 0, "block_size": 1000}, "multiple of 512"),
    ({"offset": 0, "marker": "x" * 5000}, "longer than block_size"),
    ({"offset": 0, "image": "a/b"}, "invalid image name"),
])
def test_bad_input(nc_user, run_module, args, message):
    r = run_module("rbd_io_probe", dict(dict(nc_user, image="shared", marker="m"), **args))
    assert r.failed and message in r.msg, r.msg
