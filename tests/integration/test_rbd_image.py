"""rbd_image against the real test cluster.

For every operation: do it -> run again (changed=false) -> check mode changes nothing
(verified through librbd as client.admin) -> update -> remove.  Then the whole Eucalyptus
Storage Controller lifecycle as the SC user, bad input, and EPERM for a user whose caps
do not allow an operation.
"""

import os
import uuid

import pytest

pytestmark = pytest.mark.ceph

rbd = pytest.importorskip("rbd")

VOLUMES = "imgvol"
SNAPSHOTS = "imgsnap"
SC_USER = "img-sc"
RO_USER = "img-ro"
MiB = 1 << 20
LAYERING = rbd.RBD_FEATURE_LAYERING


def write_keyring(lab, user, key):
    path = lab.keyring_path(user)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("[client.%s]\n\tkey = %s\n" % (user, key))
    return path


@pytest.fixture(scope="module")
def lab(ceph_cluster, admin):
    """Two pools and two users: the SC profile and a read-only one."""
    for pool in (VOLUMES, SNAPSHOTS):
        admin.create_pool(pool, pg_num=8, wait=False)
    admin.wait_ready()
    sc_caps = ["mon", "profile rbd",
               "osd", "profile rbd pool=%s, profile rbd pool=%s" % (VOLUMES, SNAPSHOTS)]
    ro_caps = ["mon", "profile rbd", "osd", "profile rbd-read-only pool=%s" % VOLUMES]
    keyrings = {}
    for user, caps in ((SC_USER, sc_caps), (RO_USER, ro_caps)):
        key = admin.mon({"prefix": "auth get-or-create", "entity": "client." + user, "caps": caps})[0]["key"]
        keyrings[user] = write_keyring(ceph_cluster, user, key)
    yield ceph_cluster
    for pool in (VOLUMES, SNAPSHOTS):
        admin.delete_pool(pool)
    for user, path in keyrings.items():
        admin.delete_user(user)
        os.unlink(path)


@pytest.fixture
def img(run_module, lab):
    """img(args, check=False, diff=False, user=None) -> ModuleRun of rbd_image."""
    def call(args, check=False, diff=False, user=None):
        base = {"cluster_conf": lab.conf}
        if user:
            base.update(cluster_user=user, cluster_keyring=lab.keyring_path(user))
        return run_module("rbd_image", dict(base, **args), check=check, diff=diff)
    return call


def ok(run, changed):
    assert not run.failed, run.result
    assert run.changed is changed, run.result
    return run.result


def refused(run, text, err=None):
    assert run.failed, run.result
    assert text in run.msg, run.msg
    if err is not None:
        assert run.result.get("errno") == err, run.result
    return run.result


def name(prefix="vol"):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:8])


class Rbd:
    """Direct librbd reads as client.admin: the ground truth the module is checked against."""

    def __init__(self, admin):
        self.admin = admin
        self.api = rbd.RBD()

    def ls(self, pool):
        with self.admin.open_ioctx(pool) as io:
            return sorted(self.api.list(io))

    def info(self, pool, image):
        with self.admin.open_ioctx(pool) as io:
            try:
                im = rbd.Image(io, image, read_only=True)
            except rbd.ImageNotFound:
                return None
            with im:
                snaps = {}
                for s in im.list_snaps():
                    im.set_snap(s["name"])
                    children = ["%s/%s" % (c["pool"], c["image"]) for c in im.list_children2()]
                    im.set_snap(None)
                    snaps[s["name"]] = {"protected": im.is_protected_snap(s["name"]), "children": children}
                try:
                    parent = "%s/%s@%s" % im.parent_info()
                except rbd.ImageNotFound:
                    parent = None
                return {"size": im.size(), "features": im.features(), "old_format": im.old_format(),
                        "parent": parent, "snaps": snaps}


@pytest.fixture(scope="module")
def lib(admin, lab):
    return Rbd(admin)


# -- one operation at a time ----------------------------------------------------------------
def test_create_resize_remove(img, lib):
    vol = name()
    args = {"pool": VOLUMES, "name": vol, "size": "64M"}
    res = ok(img(args, check=True, diff=True), True)
    assert res["diff"]["before"] == {"state": "absent"} and res["diff"]["after"]["size"] == 64 * MiB
    assert lib.info(VOLUMES, vol) is None                       # check mode created nothing
    res = ok(img(args), True)
    assert res["image"]["size"] == 64 * MiB and res["image"]["format"] == 2
    info = lib.info(VOLUMES, vol)
    assert info["features"] == LAYERING and not info["old_format"] and info["size"] == 64 * MiB
    ok(img(dict(args, size=64 * MiB)), False)                   # same size as bytes
    ok(img(dict(args, size="128M"), check=True), True)
    assert lib.info(VOLUMES, vol)["size"] == 64 * MiB
    res = ok(img(dict(args, size="0.125G"), diff=True), True)
    assert res["diff"]["before"]["size"] == 64 * MiB and res["diff"]["after"]["size"] == 128 * MiB
    assert lib.info(VOLUMES, vol)["size"] == 128 * MiB
    refused(img(dict(args, size="32M")), "allow_shrink", 22)
    assert lib.info(VOLUMES, vol)["size"] == 128 * MiB
    ok(img(dict(args, size="32M", allow_shrink=True)), True)
    assert lib.info(VOLUMES, vol)["size"] == 32 * MiB
    gone = {"pool": VOLUMES, "name": vol, "state": "absent"}
    res = ok(img(gone, check=True, diff=True), True)
    assert res["diff"]["after"] == {"state": "absent"} and lib.info(VOLUMES, vol) is not None
    ok(img(gone), True)
    assert lib.info(VOLUMES, vol) is None
    ok(img(gone), False)


def test_features(img, lib):
    vol = name()
    args = {"pool": VOLUMES, "name": vol, "size": "16M", "features": ["layering", "exclusive-lock"]}
    ok(img(args), True)
    assert lib.info(VOLUMES, vol)["features"] == LAYERING | rbd.RBD_FEATURE_EXCLUSIVE_LOCK
    ok(img(args), False)
    more = dict(args, features=["layering", "exclusive-lock", "object-map", "fast-diff"])
    ok(img(more, check=True), True)
    assert lib.info(VOLUMES, vol)["features"] == LAYERING | rbd.RBD_FEATURE_EXCLUSIVE_LOCK
    res = ok(img(more), True)
    assert res["changes"][:2] == ["enable feature object-map, fast-diff of %s/%s" % (VOLUMES, vol),
                                  "rebuild object map of %s/%s" % (VOLUMES, vol)]
    want = LAYERING | rbd.RBD_FEATURE_EXCLUSIVE_LOCK | rbd.RBD_FEATURE_OBJECT_MAP | rbd.RBD_FEATURE_FAST_DIFF
    assert lib.info(VOLUMES, vol)["features"] == want
    ok(img(more), False)
    ok(img(dict(args, features=["layering"])), True)
    assert lib.info(VOLUMES, vol)["features"] == LAYERING
    refused(img(dict(args, features=["exclusive-lock"])), "layering")
    ok(img({"pool": VOLUMES, "name": vol, "state": "absent"}), True)


def test_snapshot_create_protect_unprotect_remove(img, lib):
    vol = name()
    ok(img({"pool": VOLUMES, "name": vol, "size": "16M"}), True)
    steps = [
        ([{"name": "s1"}], {"s1": False}),                                  # create
        ([{"name": "s1", "protected": True}], {"s1": True}),                # protect
        ([{"name": "s1", "protected": False}], {"s1": False}),              # unprotect
        ([{"name": "s1", "state": "absent"}], {}),                          # remove
        ([{"name": "s2", "protected": True}], {"s2": True}),                # create + protect
        ([{"name": "s2", "state": "absent"}], {}),                          # unprotect + remove
    ]
    for snapshots, expected in steps:
        args = {"pool": VOLUMES, "name": vol, "snapshots": snapshots}
        before = lib.info(VOLUMES, vol)["snaps"]
        res = ok(img(args, check=True, diff=True), True)
        assert {k: v["protected"] for k, v in res["diff"]["after"]["snapshots"].items()} == expected
        assert lib.info(VOLUMES, vol)["snaps"] == before, snapshots       # check mode: unchanged
        ok(img(args), True)
        assert {k: v["protected"] for k, v in lib.info(VOLUMES, vol)["snaps"].items()} == expected
        ok(img(args), False)
    ok(img({"pool": VOLUMES, "name": vol, "state": "absent"}), True)


def test_clone_children_flatten(img, lib):
    vol, clone = name(), name("clone")
    ok(img({"pool": VOLUMES, "name": vol, "size": "16M", "snapshots": [{"name": "s1"}]}), True)
    args = {"pool": SNAPSHOTS, "name": clone, "parent": {"pool": VOLUMES, "image": vol, "snapshot": "s1"}}
    refused(img(args), "not protected", 22)                                 # unprotected parent
    assert lib.info(SNAPSHOTS, clone) is None
    res = ok(img(dict(args, protect_parent=True), check=True, diff=True), True)
    assert res["diff"]["after"]["parent"] == "%s/%s@s1" % (VOLUMES, vol)
    assert lib.info(SNAPSHOTS, clone) is None and lib.info(VOLUMES, vol)["snaps"]["s1"]["protected"] is False
    res = ok(img(dict(args, protect_parent=True)), True)
    assert res["changes"] == ["protect parent snapshot %s/%s@s1" % (VOLUMES, vol),
                              "clone %s/%s@s1 into %s/%s" % (VOLUMES, vol, SNAPSHOTS, clone)]
    assert res["image"]["parent"] == {"pool": VOLUMES, "image": vol, "snapshot": "s1"}
    assert lib.info(SNAPSHOTS, clone)["features"] == LAYERING
    ok(img(dict(args, protect_parent=True)), False)
    # children are listed for every snapshot of the parent
    res = ok(img({"pool": VOLUMES, "name": vol}), False)
    assert res["children"] == {"s1": ["%s/%s" % (SNAPSHOTS, clone)]}
    assert res["image"]["snapshots"][0]["children"] == ["%s/%s" % (SNAPSHOTS, clone)]
    # the parent cannot go while the clone needs it
    refused(img({"pool": VOLUMES, "name": vol, "state": "absent", "purge_snapshots": True}), "clone children", 16)
    refused(img({"pool": VOLUMES, "name": vol, "snapshots": [{"name": "s1", "protected": False}]}),
            "clone children", 16)
    # flatten
    ok(img({"pool": SNAPSHOTS, "name": clone, "flatten": True}, check=True), True)
    assert lib.info(SNAPSHOTS, clone)["parent"] is not None
    ok(img({"pool": SNAPSHOTS, "name": clone, "flatten": True}), True)
    assert lib.info(SNAPSHOTS, clone)["parent"] is None
    assert lib.info(VOLUMES, vol)["snaps"]["s1"]["children"] == []
    ok(img({"pool": SNAPSHOTS, "name": clone, "flatten": True}), False)
    ok(img(dict(args, flatten=True)), False)        # a flattened clone satisfies its parent spec
    ok(img({"pool": SNAPSHOTS, "name": clone, "state": "absent"}), True)
    ok(img({"pool": VOLUMES, "name": vol, "state": "absent", "purge_snapshots": True}), True)
    assert lib.info(VOLUMES, vol) is None


def test_rename(img, lib):
    vol = name()
    new = "del12345678-" + vol
    ok(img({"pool": VOLUMES, "name": vol, "size": "16M"}), True)
    args = {"pool": VOLUMES, "name": vol, "rename_to": new}
    res = ok(img(args, check=True, diff=True), True)
    assert res["diff"]["before"]["image"] == "%s/%s" % (VOLUMES, vol)
    assert res["diff"]["after"]["image"] == "%s/%s" % (VOLUMES, new)
    assert vol in lib.ls(VOLUMES) and new not in lib.ls(VOLUMES)
    res = ok(img(args), True)
    assert res["image"]["name"] == new
    assert vol not in lib.ls(VOLUMES) and new in lib.ls(VOLUMES)
    ok(img(args), False)                            # source gone, target there: done already
    ok(img({"pool": VOLUMES, "name": vol, "size": "16M"}), True)
    refused(img(args), "both images exist", 17)
    ok(img({"pool": VOLUMES, "name": vol, "state": "absent"}), True)
    ok(img({"pool": VOLUMES, "name": new, "state": "absent"}), True)
    refused(img(args), "neither image exists", 2)


def test_bad_input_changes_nothing(img, lib):
    before = lib.ls(VOLUMES), lib.ls(SNAPSHOTS)
    vol = name()
    cases = [
        ({"pool": VOLUMES, "name": "bad/name", "size": "1G"}, "invalid image name"),
        ({"pool": VOLUMES, "name": "bad@name", "size": "1G"}, "invalid image name"),
        ({"pool": VOLUMES, "name": vol + "\n", "size": "1G"}, "invalid image name"),
        ({"pool": VOLUMES + "\n", "name": vol, "size": "1G"}, "invalid pool name"),
        ({"pool": VOLUMES, "name": vol, "size": "1G\n"}, "invalid size"),
        ({"pool": VOLUMES, "name": vol, "snapshots": [{"name": "s\n"}], "size": "1G"}, "invalid snapshot name"),
        ({"pool": VOLUMES, "name": vol, "size": "1Q"}, "invalid size"),
        ({"pool": VOLUMES, "name": vol, "size": "1G", "features": ["layering", "object-map"]}, "needs exclusive-lock"),
        ({"pool": VOLUMES, "name": vol, "snapshots": [{"name": "a@b"}], "size": "1G"}, "invalid snapshot name"),
        ({"pool": VOLUMES, "name": vol}, "give size"),
        ({"pool": "no-such-pool", "name": vol, "size": "1G"}, "pool no-such-pool does not exist"),
        ({"pool": VOLUMES, "name": vol, "state": "absent", "size": "1G"}, "cannot be used with state=absent"),
        ({"pool": SNAPSHOTS, "name": vol, "parent": {"pool": VOLUMES, "image": "nope", "snapshot": "s"}},
         "does not exist"),
    ]
    for args, text in cases:
        refused(img(args), text)
    assert (lib.ls(VOLUMES), lib.ls(SNAPSHOTS)) == before


def test_refused_by_caps_is_eperm(img, lib):
    """A read-only user: reading works, every change fails with errno 1 and changes nothing."""
    vol = name()
    ok(img({"pool": VOLUMES, "name": vol, "size": "16M"}), True)
    res = ok(img({"pool": VOLUMES, "name": vol}, user=RO_USER), False)
    assert res["image"]["size"] == 16 * MiB
    for args in ({"pool": VOLUMES, "name": name(), "size": "16M"},
                 {"pool": VOLUMES, "name": vol, "size": "32M"},
                 {"pool": VOLUMES, "name": vol, "snapshots": [{"name": "s1"}]},
                 {"pool": VOLUMES, "name": vol, "rename_to": vol + "-x"},
                 {"pool": VOLUMES, "name": vol, "state": "absent"}):
        run = img(args, user=RO_USER)
        assert run.failed and run.result.get("errno") == 1, (args, run.result)
    assert lib.info(VOLUMES, vol)["size"] == 16 * MiB and lib.info(VOLUMES, vol)["snaps"] == {}
    ok(img({"pool": VOLUMES, "name": vol, "state": "absent"}), True)


# -- the Eucalyptus Storage Controller lifecycle, as the SC user ------------------------------
def test_eucalyptus_lifecycle(img, lib):
    sc = {"user": SC_USER}
    vol, snap, restored = name("vol"), name("snap"), name("vol")
    prefix = "del%s-" % uuid.uuid4().hex[:8]

    # CreateVolume: format 2, layering only
    res = ok(img({"pool": VOLUMES, "name": vol, "size": "32M"}, **sc), True)
    assert lib.info(VOLUMES, vol)["features"] == LAYERING and res["image"]["features"] == ["layering"]

    # CreateSnapshot: snap + protect on the volume, clone into the snapshot pool, snap + protect there
    ok(img({"pool": VOLUMES, "name": vol, "snapshots": [{"name": snap, "protected": True}]}, **sc), True)
    snap_args = {"pool": SNAPSHOTS, "name": snap, "parent": {"pool": VOLUMES, "image": vol, "snapshot": snap},
                 "snapshots": [{"name": "base", "protected": True}]}
    res = ok(img(snap_args, **sc), True)
    assert res["changes"] == ["clone %s/%s@%s into %s/%s" % (VOLUMES, vol, snap, SNAPSHOTS, snap),
                              "create snapshot %s/%s@base" % (SNAPSHOTS, snap),
                              "protect snapshot %s/%s@base" % (SNAPSHOTS, snap)]
    ok(img(snap_args, **sc), False)

    # CreateVolume from snapshot: clone of the snapshot image, bigger than the snapshot
    restore_args = {"pool": VOLUMES, "name": restored, "size": "64M",
                    "parent": {"pool": SNAPSHOTS, "image": snap, "snapshot": "base"}}
    ok(img(restore_args, **sc), True)
    info = lib.info(VOLUMES, restored)
    assert info["parent"] == "%s/%s@base" % (SNAPSHOTS, snap) and info["size"] == 64 * MiB
    assert info["features"] == LAYERING
    ok(img(restore_args, **sc), False)

    # DeleteVolume / DeleteSnapshot: rename with the deleted-image prefix
    for pool, image in ((VOLUMES, vol), (SNAPSHOTS, snap)):
        ok(img({"pool": pool, "name": image, "rename_to": prefix + image}, **sc), True)
        ok(img({"pool": pool, "name": image, "rename_to": prefix + image}, **sc), False)
    assert lib.info(VOLUMES, restored)["parent"] == "%s/%s%s@base" % (SNAPSHOTS, prefix, snap)

    # Purge worker: prefixed images without clone children go; the others stay for now
    def purge():
        removed, kept = [], []
        for pool in (VOLUMES, SNAPSHOTS):
            for image in lib.ls(pool):
                if not image.startswith(prefix):
                    continue
                run = img({"pool": pool, "name": image, "state": "absent", "purge_snapshots": True}, **sc)
                if run.failed:
                    assert "clone children" in run.msg and run.result["errno"] == 16, run.result
                    kept.append("%s/%s" % (pool, image))
                else:
                    removed.append("%s/%s" % (pool, image))
        return removed, kept

    removed, kept = purge()
    # the deleted volume is still the parent of the deleted snapshot image, which is the
    # parent of the restored volume: nothing can go yet
    assert removed == [] and sorted(kept) == sorted(["%s/%s%s" % (VOLUMES, prefix, vol),
                                                     "%s/%s%s" % (SNAPSHOTS, prefix, snap)])
    # once the restored volume is flattened, the chain unwinds (snapshot image first, then volume)
    ok(img({"pool": VOLUMES, "name": restored, "flatten": True}, **sc), True)
    removed, kept = purge()
    assert removed == ["%s/%s%s" % (SNAPSHOTS, prefix, snap)] and kept == ["%s/%s%s" % (VOLUMES, prefix, vol)]
    removed, kept = purge()
    assert removed == ["%s/%s%s" % (VOLUMES, prefix, vol)] and kept == []
    assert [i for p in (VOLUMES, SNAPSHOTS) for i in lib.ls(p) if i.startswith(prefix)] == []
    ok(img({"pool": VOLUMES, "name": restored, "state": "absent"}, **sc), True)


def test_a_refusal_after_a_change_says_what_was_done_and_the_rerun_converges(img, lib, admin):
    """Injected refusal at step 2: the image's snapshot limit (set by the admin) refuses the new
    snapshot after the resize was done. The run must fail with changed=true, name the step done
    and the steps not done, report the image as left; the re-run after the limit is raised
    converges."""
    vol = name()
    with admin.open_ioctx(VOLUMES) as io:
        rbd.RBD().create(io, vol, 64 * MiB, old_format=False, features=rbd.RBD_FEATURE_LAYERING)
        with rbd.Image(io, vol) as image:
            image.create_snap("s1")
            image.set_snap_limit(1)
    args = {"pool": VOLUMES, "name": vol, "size": "128M", "snapshots": [{"name": "s1"}, {"name": "s2"}]}
    planned = ok(img(args, check=True), True)["changes"]
    assert len(planned) == 2, planned

    run = img(args)
    res = refused(run, "not done")
    assert run.changed and res["changes"] and res["not_done"], res
    assert res["changes"] + res["not_done"] == planned
    info = lib.info(VOLUMES, vol)
    assert res["image"]["size"] == info["size"]      # the image as the failed run left it
    assert set(info["snaps"]) == {"s1"}, "the refused snapshot exists"
    if any("resize" in c or "size" in c for c in res["changes"]):
        assert info["size"] == 128 * MiB

    with admin.open_ioctx(VOLUMES) as io, rbd.Image(io, vol) as image:
        image.remove_snap_limit()
    rerun = ok(img(args), True)
    assert rerun["changes"] == res["not_done"]
    ok(img(args), False)
    info = lib.info(VOLUMES, vol)
    assert info["size"] == 128 * MiB and set(info["snaps"]) == {"s1", "s2"}
