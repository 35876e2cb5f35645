"""Unit tests of the rbd_image backend: sizes, features, parameter checks, diffs and plans.

The planner is exercised against a fake image table (image_facts is replaced), so every
decision (refusals included) is checked without a cluster and without running any action.
"""
import copy
import errno

import pytest

from ansible_collections.eucalyptus.ceph.plugins.module_utils import _rbd_images as rbd_images
from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_client import CephClientError, rbd_errno
from ansible_collections.eucalyptus.ceph.plugins.module_utils._rbd_images import (
    FEATURE_BITS,
    ImagePlanner,
    PlanError,
    apply_actions,
    build_diff,
    feature_names,
    features_mask,
    human_size,
    normalize_params,
    parse_size,
    snapshot_name_error,
)

GiB = 1024 ** 3
MiB = 1024 ** 2


# -- sizes -----------------------------------------------------------------------------------
@pytest.mark.parametrize("value, expected", [
    (1073741824, GiB),
    ("1073741824", GiB),
    ("1G", GiB),
    ("1g", GiB),
    ("1GiB", GiB),
    ("1GB", GiB),
    (" 1 G ", GiB),
    ("512M", 512 * MiB),
    ("1024K", MiB),
    ("1.5G", 3 * GiB // 2),
    ("2T", 2 * 1024 ** 4),
    ("4096B", 4096),
    (1.0 * MiB, MiB),
])
def test_parse_size(value, expected):
    assert parse_size(value) == expected


@pytest.mark.parametrize("value", [
    0, -1, "0", "0G", "-1G", "", "G", "1X", "1 GG", "ten", "1.0000000001K", True, None, [1], 1.5,
])
def test_parse_size_refuses(value):
    with pytest.raises(ValueError):
        parse_size(value)


def test_human_size():
    assert human_size(GiB) == "1 GiB"
    assert human_size(512 * MiB) == "512 MiB"
    assert human_size(1536 * MiB) == "1536 MiB"
    assert human_size(1000) == "1000 bytes"


# -- features ------------------------------------------------------------------------------------
def test_features_mask_and_names():
    assert features_mask(["layering"]) == 1
    assert features_mask(["layering", "exclusive_lock", "Object-Map", "fast-diff"]) == 1 | 4 | 8 | 16
    assert features_mask([]) == 0
    assert feature_names(1 | 4 | 256) == ["layering", "exclusive-lock", "operations"]


@pytest.mark.parametrize("names, message", [
    (["layering", "object-map"], "object-map needs exclusive-lock"),
    (["exclusive-lock", "fast-diff"], "fast-diff needs object-map"),
    (["journaling"], "journaling needs exclusive-lock"),
    (["striping"], "unknown or unsupported"),
    (["operations"], "unknown or unsupported"),
    (["bogus"], "unknown or unsupported"),
])
def test_features_refused(names, message):
    with pytest.raises(ValueError, match=message):
        features_mask(names)


# -- parameters ------------------------------------------------------------------------------------
def params(**kwargs):
    p = dict(pool="eucavolumes", name="vol-1", state="present", size=None, allow_shrink=False, features=None,
             parent=None, protect_parent=False, flatten=False, rename_to=None, snapshots=None,
             purge_snapshots=False)
    p.update(kwargs)
    return p


def test_normalize_defaults_to_layering_only():
    req = normalize_params(params(size="10G"))
    assert req["size"] == 10 * GiB
    assert req["features"] is None  # existing images keep theirs
    assert req["create_features"] == FEATURE_BITS["layering"]


def test_normalize_parent_defaults_to_same_pool():
    req = normalize_params(params(parent=dict(pool=None, image="base", snapshot="s1")))
    assert req["parent"] == {"pool": "eucavolumes", "image": "base", "snapshot": "s1"}


@pytest.mark.parametrize("kwargs, message", [
    (dict(name="bad/name"), "invalid image name"),
    (dict(name="vol@1"), "invalid image name"),
    (dict(name=""), "invalid image name"),
    (dict(pool="bad pool"), "invalid pool name"),
    (dict(rename_to="a/b"), "rename_to: invalid image name"),
    (dict(rename_to="vol-1"), "must differ"),
    (dict(size="12Q"), "invalid size"),
    (dict(size=0), "more than 0"),
    (dict(features=["layering", "object-map"]), "needs exclusive-lock"),
    (dict(parent=dict(pool="p", image="i", snapshot="s"), features=["exclusive-lock"]), "needs the layering"),
    (dict(parent=dict(pool="p", image="i", snapshot="bad@snap")), "parent: invalid snapshot name"),
    (dict(parent=dict(pool="p q", image="i", snapshot="s")), "parent: invalid pool name"),
    (dict(snapshots=[dict(name="s@1", state="present", protected=None)]), "invalid snapshot name"),
    (dict(snapshots=[dict(name="s", state="present", protected=None)] * 2), "listed twice"),
    (dict(snapshots=[dict(name="s", state="absent", protected=True)]), "both absent and protected"),
    (dict(state="absent", size="1G"), "size cannot be used with state=absent"),
    (dict(state="absent", rename_to="x", flatten=True), "flatten, rename_to cannot be used"),
])
def test_normalize_refuses(kwargs, message):
    with pytest.raises(ValueError, match=message):
        normalize_params(params(**kwargs))


def test_snapshot_names():
    assert snapshot_name_error("snap-1234.a_b:c") is None
    assert snapshot_name_error("a" * 256)
    assert snapshot_name_error("x/y")


# -- diff ------------------------------------------------------------------------------------------
def img(name="vol-1", pool="eucavolumes", size=GiB, mask=1, parent=None, snapshots=()):
    return {"pool": pool, "name": name, "id": "abc", "size": size, "order": 22, "object_size": 1 << 22,
            "format": 2, "features": feature_names(mask), "features_mask": mask, "parent": parent,
            "snapshots": [dict(dict(id=i, size=size, children=[], protected=False), **s)
                          for i, s in enumerate(snapshots)]}


def test_build_diff():
    before = img(snapshots=[{"name": "s1"}])
    after = img(size=2 * GiB, snapshots=[{"name": "s1", "protected": True}],
                parent={"pool": "p", "image": "i", "snapshot": "s"})
    diff = build_diff(before, after)
    assert diff["before"] == {"state": "present", "image": "eucavolumes/vol-1", "size": GiB,
                              "features": ["layering"], "parent": None, "snapshots": {"s1": {"protected": False}}}
    assert diff["after"]["size"] == 2 * GiB
    assert diff["after"]["parent"] == "p/i@s"
    assert diff["after"]["snapshots"] == {"s1": {"protected": True}}
    assert build_diff(None, None) == {"before": {"state": "absent"}, "after": {"state": "absent"}}


# -- errors ----------------------------------------------------------------------------------------
def test_rbd_errno_from_attribute_or_class():
    class PermissionError(Exception):  # noqa: A001 - mimics rbd.PermissionError
        errno = 1

    class InvalidArgument(Exception):
        errno = None

    assert rbd_errno(PermissionError()) == errno.EPERM
    assert rbd_errno(InvalidArgument()) == errno.EINVAL
    assert rbd_errno(ValueError()) is None


def test_apply_actions_names_what_was_done():
    def boom():
        raise CephClientError("cannot resize eucavolumes/vol-1: denied", errno.EPERM)

    calls, done = [], []
    with pytest.raises(CephClientError) as exc:
        apply_actions([("one", lambda: calls.append(1)), ("two", boom), ("three", lambda: calls.append(3))],
                      done.append)
    assert calls == [1] and done == ["one"]
    assert exc.value.errno == errno.EPERM and "denied" in str(exc.value)
    assert exc.value.not_done == ["two", "three"]


def test_apply_actions_first_failure_changed_nothing():
    def boom():
        raise CephClientError("denied", errno.EPERM)

    done = []
    with pytest.raises(CephClientError) as exc:
        apply_actions([("one", boom), ("two", lambda: None)], done.append)
    assert done == [] and str(exc.value) == "denied" and exc.value.not_done == ["one", "two"]


# -- planning --------------------------------------------------------------------------------------
@pytest.fixture
def images(monkeypatch):
    """A fake cluster: {(pool, name): facts}; image_facts reads it, pools listed in `pools` exist."""
    table = {}

    def fake_facts(client, pool, name):
        if pool not in ("eucavolumes", "eucasnapshots"):
            raise CephClientError("pool %s does not exist" % pool, errno.ENOENT)
        facts = table.get((pool, name))
        return copy.deepcopy(facts)

    monkeypatch.setattr(rbd_images, "image_facts", fake_facts)
    return table


def plan(**kwargs):
    p = params(**kwargs)
    return ImagePlanner(object(), p, normalize_params(p)).plan()


def plan_after(**kwargs):
    result = plan(**kwargs)
    return result[1], result[2]


def plan_actions(**kwargs):
    return plan(**kwargs)[2]


def labels(actions):
    return [action[0] for action in actions]


def test_create(images):
    before, after, actions = plan(size="1G")
    assert before is None
    assert labels(actions) == ["create image eucavolumes/vol-1 (1 GiB, features layering)"]
    assert after["size"] == GiB and after["features"] == ["layering"] and after["format"] == 2


def test_create_needs_size(images):
    with pytest.raises(PlanError, match="give size") as exc:
        plan()
    assert exc.value.errno == errno.ENOENT


def test_missing_pool(images):
    with pytest.raises(CephClientError, match="does not exist"):
        plan(pool="nopool", size="1G")


def test_idempotent(images):
    images[("eucavolumes", "vol-1")] = img(snapshots=[{"name": "s1", "protected": True}])
    actions = plan_actions(size=GiB, features=["layering"], snapshots=[{"name": "s1", "state": "present",
                                                                        "protected": True}])
    assert actions == []


def test_grow_and_refuse_shrink(images):
    images[("eucavolumes", "vol-1")] = img(size=2 * GiB)
    after, actions = plan_after(size="3G")
    assert labels(actions) == ["resize eucavolumes/vol-1 from 2 GiB to 3 GiB"]
    assert after["size"] == 3 * GiB
    with pytest.raises(PlanError, match="refusing to shrink") as exc:
        plan(size="1G")
    assert exc.value.errno == errno.EINVAL
    actions = plan_actions(size="1G", allow_shrink=True)
    assert labels(actions) == ["resize eucavolumes/vol-1 from 2 GiB to 1 GiB"]


def test_features_change_order(images):
    images[("eucavolumes", "vol-1")] = img(mask=1 | 4 | 8 | 16)
    after, actions = plan_after(features=["layering"])
    assert labels(actions) == ["disable feature object-map, fast-diff of eucavolumes/vol-1",
                               "disable feature exclusive-lock of eucavolumes/vol-1"]
    assert after["features"] == ["layering"]
    images[("eucavolumes", "vol-1")] = img(mask=1)
    after, actions = plan_after(features=["layering", "exclusive-lock", "object-map"])
    assert labels(actions) == ["enable feature exclusive-lock of eucavolumes/vol-1",
                               "enable feature object-map, fast-diff of eucavolumes/vol-1",
                               "rebuild object map of eucavolumes/vol-1"]
    assert after["features"] == ["layering", "exclusive-lock", "object-map", "fast-diff"]
    # an old image with object-map but not fast-diff gets the missing half
    images[("eucavolumes", "vol-1")] = img(mask=1 | 4 | 8)
    assert labels(plan(features=["layering", "exclusive-lock", "object-map"])[2]) == [
        "enable feature fast-diff of eucavolumes/vol-1", "rebuild object map of eucavolumes/vol-1"]


def test_object_map_implies_fast_diff():
    # librbd sets and clears the two together; asking for one must not cause endless changes
    assert features_mask(["layering", "exclusive-lock", "object-map"]) == 1 | 4 | 8 | 16


def test_features_immutable(images):
    images[("eucavolumes", "vol-1")] = img(mask=1)
    with pytest.raises(PlanError, match="layering"):
        plan(features=["exclusive-lock"])
    with pytest.raises(PlanError, match="deep-flatten"):
        plan(features=["layering", "deep-flatten"])


def test_internal_features_ignored(images):
    images[("eucavolumes", "vol-1")] = img(mask=1 | FEATURE_BITS["operations"])
    assert plan(features=["layering"])[2] == []


def test_rename_then_converge(images):
    images[("eucavolumes", "vol-1")] = img()
    after, actions = plan_after(rename_to="del12345678-vol-1", size="2G")
    assert labels(actions) == ["rename image eucavolumes/vol-1 to del12345678-vol-1",
                               "resize eucavolumes/del12345678-vol-1 from 1 GiB to 2 GiB"]
    assert after["name"] == "del12345678-vol-1"


def test_rename_idempotent_and_conflicts(images):
    images[("eucavolumes", "del12345678-vol-1")] = img(name="del12345678-vol-1")
    before, after, actions = plan(rename_to="del12345678-vol-1")
    assert actions == [] and before["name"] == after["name"] == "del12345678-vol-1"
    images[("eucavolumes", "vol-1")] = img()
    with pytest.raises(PlanError, match="both images exist") as exc:
        plan(rename_to="del12345678-vol-1")
    assert exc.value.errno == errno.EEXIST
    images.clear()
    with pytest.raises(PlanError, match="neither image exists"):
        plan(rename_to="del12345678-vol-1")


PARENT = {"pool": "eucavolumes", "image": "vol-1", "snapshot": "snap-1"}


def test_clone_requires_protected_parent(images):
    images[("eucavolumes", "vol-1")] = img(snapshots=[{"name": "snap-1"}])
    kwargs = dict(pool="eucasnapshots", name="snap-1", parent=dict(PARENT))
    with pytest.raises(PlanError, match="not protected"):
        plan(**kwargs)
    after, actions = plan_after(protect_parent=True, **kwargs)
    assert labels(actions) == ["protect parent snapshot eucavolumes/vol-1@snap-1",
                               "clone eucavolumes/vol-1@snap-1 into eucasnapshots/snap-1"]
    assert after["parent"] == PARENT and after["size"] == GiB


def test_clone_then_grow_and_snapshot(images):
    images[("eucavolumes", "vol-1")] = img(snapshots=[{"name": "snap-1", "protected": True}])
    actions = plan_actions(pool="eucasnapshots", name="snap-1", parent=dict(PARENT), size="2G",
                           snapshots=[{"name": "base", "state": "present", "protected": True}])
    assert labels(actions) == ["clone eucavolumes/vol-1@snap-1 into eucasnapshots/snap-1",
                               "resize eucasnapshots/snap-1 from 1 GiB to 2 GiB",
                               "create snapshot eucasnapshots/snap-1@base",
                               "protect snapshot eucasnapshots/snap-1@base"]


def test_clone_missing_parent(images):
    with pytest.raises(PlanError, match="parent image eucavolumes/vol-1 does not exist"):
        plan(pool="eucasnapshots", name="snap-1", parent=dict(PARENT))
    images[("eucavolumes", "vol-1")] = img()
    with pytest.raises(PlanError, match="has no snapshot snap-1"):
        plan(pool="eucasnapshots", name="snap-1", parent=dict(PARENT))


def test_existing_clone_of_other_parent(images):
    other = {"pool": "eucavolumes", "image": "other", "snapshot": "x"}
    images[("eucasnapshots", "snap-1")] = img(pool="eucasnapshots", name="snap-1", parent=other)
    with pytest.raises(PlanError, match="is a clone of eucavolumes/other@x"):
        plan(pool="eucasnapshots", name="snap-1", parent=dict(PARENT))


def test_flatten(images):
    images[("eucavolumes", "vol-2")] = img(name="vol-2", parent=dict(PARENT))
    after, actions = plan_after(name="vol-2", flatten=True)
    assert labels(actions) == ["flatten eucavolumes/vol-2"] and after["parent"] is None
    images[("eucavolumes", "vol-2")] = img(name="vol-2")
    assert plan(name="vol-2", flatten=True)[2] == []
    # a flattened clone still satisfies `parent` (it was created from it)
    assert plan(name="vol-2", parent=dict(PARENT), flatten=True)[2] == []


def test_snapshot_lifecycle(images):
    base = [{"name": "s1", "protected": True, "children": ["eucasnapshots/c1"]}]
    images[("eucavolumes", "vol-1")] = img(snapshots=base)
    for wanted, message in (({"name": "s1", "state": "absent", "protected": None}, "cannot remove snapshot"),
                            ({"name": "s1", "state": "present", "protected": False}, "cannot unprotect")):
        with pytest.raises(PlanError, match=message) as exc:
            plan(snapshots=[wanted])
        assert exc.value.errno == errno.EBUSY
    images[("eucavolumes", "vol-1")] = img(snapshots=[{"name": "s1", "protected": True}])
    after, actions = plan_after(snapshots=[{"name": "s1", "state": "absent", "protected": None}])
    assert labels(actions) == ["unprotect snapshot eucavolumes/vol-1@s1", "remove snapshot eucavolumes/vol-1@s1"]
    assert after["snapshots"] == []
    actions = plan_actions(snapshots=[{"name": "s1", "state": "present", "protected": False}])
    assert labels(actions) == ["unprotect snapshot eucavolumes/vol-1@s1"]
    assert plan(snapshots=[{"name": "s2", "state": "absent", "protected": None}])[2] == []


def test_protect_needs_layering(images):
    images[("eucavolumes", "vol-1")] = img(mask=4)
    with pytest.raises(PlanError, match="lacks the layering"):
        plan(snapshots=[{"name": "s1", "state": "present", "protected": True}])


def test_absent(images):
    assert plan(state="absent") == (None, None, [])
    images[("eucavolumes", "vol-1")] = img(snapshots=[{"name": "s1", "protected": True}, {"name": "s2"}])
    with pytest.raises(PlanError, match="set purge_snapshots") as exc:
        plan(state="absent")
    assert exc.value.errno == errno.ENOTEMPTY
    before, after, actions = plan(state="absent", purge_snapshots=True)
    assert labels(actions) == ["unprotect snapshot eucavolumes/vol-1@s1", "remove snapshot eucavolumes/vol-1@s1",
                               "remove snapshot eucavolumes/vol-1@s2", "remove image eucavolumes/vol-1"]
    assert before["name"] == "vol-1" and after is None


def test_absent_refuses_with_children(images):
    images[("eucavolumes", "vol-1")] = img(snapshots=[{"name": "s1", "protected": True,
                                                       "children": ["eucasnapshots/snap-1"]}])
    with pytest.raises(PlanError, match=r"clone children \(s1 -> eucasnapshots/snap-1\)") as exc:
        plan(state="absent", purge_snapshots=True)
    assert exc.value.errno == errno.EBUSY
