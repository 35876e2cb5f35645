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


def test_check_mode_writes_nothing(nc_user, run_module, admin):
    r = run_module("rbd_io_probe", dict(nc_user, image="shared", marker="check", offset=16384), check=True)
    assert r.changed and not r.result["written"]
    with admin.open_ioctx(POOL) as io, rbd.Image(io, "shared", read_only=True) as image:
        assert image.read(16384, 5) == b"\0" * 5


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
