"""rbd_reaper on the real cluster: the Eucalyptus delete chain (rename with a prefix, then
reap only what no clone depends on), check mode exactness, images without the prefix kept."""

import pytest

pytestmark = pytest.mark.ceph

rbd = pytest.importorskip("rbd")

VOLUMES, SNAPSHOTS = "reapvol", "reapsnap"
PREFIX = "del1a2b3c4d-"
MiB = 1 << 20


@pytest.fixture(scope="module")
def pools(ceph_cluster, admin):
    for pool in (VOLUMES, SNAPSHOTS):
        admin.create_pool(pool, wait=False)
    yield
    for pool in (VOLUMES, SNAPSHOTS):
        admin.delete_pool(pool)


def images(admin):
    listed = set()
    for pool in (VOLUMES, SNAPSHOTS):
        with admin.open_ioctx(pool) as io:
            listed |= {"%s/%s" % (pool, name) for name in rbd.RBD().list(io)}
    return listed


def test_reaps_the_eucalyptus_delete_chain(ceph_cluster, admin, pools, run_module):
    vio, sio = admin.open_ioctx(VOLUMES), admin.open_ioctx(SNAPSHOTS)
    api = rbd.RBD()
    # volume -> snapshot (clone in the snapshot pool) -> restored volume; plus an unrelated volume
    api.create(vio, "vol", 8 * MiB, old_format=False, features=rbd.RBD_FEATURE_LAYERING)
    with rbd.Image(vio, "vol") as image:
        image.create_snap("s")
        image.protect_snap("s")
    api.clone(vio, "vol", "s", sio, "snap", features=rbd.RBD_FEATURE_LAYERING)
    with rbd.Image(sio, "snap") as image:
        image.create_snap("s")
        image.protect_snap("s")
    api.clone(sio, "snap", "s", vio, "restored", features=rbd.RBD_FEATURE_LAYERING)
    api.create(vio, "unrelated", MiB, old_format=False, features=rbd.RBD_FEATURE_LAYERING)
    args = {"pools": [VOLUMES, SNAPSHOTS], "prefix": PREFIX, "cluster_conf": ceph_cluster.conf}
    try:
        # EBS delete of the volume and the snapshot: renamed, both still have clones
        api.rename(vio, "vol", PREFIX + "vol")
        api.rename(sio, "snap", PREFIX + "snap")
        r = run_module("rbd_reaper", args)
        assert not r.changed and r.result["removed"] == []
        assert r.result["kept"] == {
            "%s/%svol" % (VOLUMES, PREFIX): ["%s/%ssnap" % (SNAPSHOTS, PREFIX)],
            "%s/%ssnap" % (SNAPSHOTS, PREFIX): ["%s/restored" % VOLUMES],
        }

        # deleting the restored volume frees the whole chain, child first
        api.rename(vio, "restored", PREFIX + "restored")
        expected = ["%s/%srestored" % (VOLUMES, PREFIX), "%s/%ssnap" % (SNAPSHOTS, PREFIX),
                    "%s/%svol" % (VOLUMES, PREFIX)]
        r = run_module("rbd_reaper", args, check=True)
        assert r.changed and r.result["removed"] == expected and r.result["kept"] == {}
        assert len(images(admin)) == 4, "check mode removed images"

        r = run_module("rbd_reaper", args)
        assert r.changed and r.result["removed"] == expected
        assert images(admin) == {"%s/unrelated" % VOLUMES}
        assert not run_module("rbd_reaper", args).changed
    finally:
        for io, name in ((vio, "unrelated"),):
            api.remove(io, name)
        vio.close()
        sio.close()


@pytest.mark.parametrize("args, message", [
    ({"pools": ["bad/pool"], "prefix": PREFIX}, "invalid pool name"),
    ({"pools": [VOLUMES], "prefix": "d"}, "too short"),
    ({"pools": ["no-such-pool"], "prefix": PREFIX}, "does not exist"),
])
def test_bad_input(ceph_cluster, pools, run_module, args, message):
    r = run_module("rbd_reaper", dict(args, cluster_conf=ceph_cluster.conf))
    assert r.failed and message in r.msg, r.msg
