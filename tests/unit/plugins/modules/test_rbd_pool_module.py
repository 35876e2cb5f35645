"""rbd_pool run in-process against the fake cluster (fake_ceph.py): create, update, remove, check mode
(the plan computed from the monitors' running defaults), refusals and failures after a change."""

import errno

import pytest

from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_client import CephClientError

EBS = {"name": "eucavolumes", "size": 3, "min_size": 2}
FIXED = {"name": "eucavolumes", "size": 3, "min_size": 2, "pg_num": 64, "pg_autoscale_mode": "off"}


def settings(pool, **changes):
    base = {"name": "eucavolumes", "type": "replicated", "size": 3, "min_size": 2, "pg_num": 64,
            "pg_autoscale_mode": "off", "applications": ["rbd"], "rbd_initialized": True}
    base.update(pool)
    base.update(changes)
    return base


def test_create_sends_create_enable_and_init(ceph, run):
    result = run("rbd_pool", FIXED)
    assert result["failed"] is False and result["changed"] is True
    assert result["changes"] == ["create pool", "enable application rbd", "rbd pool init"]
    assert ceph.mutations == [
        ("osd pool create", {"pool": "eucavolumes", "pool_type": "replicated", "pg_num": 64, "pgp_num": 64,
                             "autoscale_mode": "off", "size": 3, "format": "json"}),
        ("osd pool application enable", {"pool": "eucavolumes", "app": "rbd", "format": "json"}),
        ("rbd pool init", {"pool": "eucavolumes"}),
    ]
    pool_id = ceph.pools["eucavolumes"]["pool_id"]
    assert result["pool"] == settings({"id": pool_id})
    assert result["diff"] == {"before": {}, "after": result["pool"]}
    assert "rbd_info" in ceph.objects["eucavolumes"]


def test_rerun_is_idempotent_and_sends_no_change(ceph, run):
    run("rbd_pool", FIXED)
    ceph.reset_log()
    result = run("rbd_pool", FIXED)
    assert result["changed"] is False and result["changes"] == []
    assert ceph.mutations == []
    assert result["diff"]["before"] == result["diff"]["after"]


def test_a_new_pool_gets_the_monitors_defaults_when_nothing_is_given(ceph, run):
    ceph.set_config("global", "osd_pool_default_size", "2")
    result = run("rbd_pool", {"name": "eucasnapshots"})
    assert result["changed"] is True
    create = ceph.mutations[0]
    assert create == ("osd pool create", {"pool": "eucasnapshots", "pool_type": "replicated", "format": "json"})
    assert result["pool"]["size"] == 2 and result["pool"]["min_size"] == 1


@pytest.mark.parametrize("args", [FIXED, EBS, {"name": "eucavolumes"}], ids=["fixed-pgs", "autoscaled", "defaults"])
def test_check_mode_of_a_new_pool_reports_what_a_real_run_does_and_sends_nothing(ceph, run, args):
    state = ceph.snapshot()
    checked = run("rbd_pool", args, check_mode=True)
    assert ceph.mutations == [] and ceph.snapshot() == state
    assert "unknown" not in checked
    real = run("rbd_pool", args)
    assert checked["changed"] is real["changed"] is True
    assert checked["changes"] == real["changes"]
    # documented: a pool not created yet has no id, and the autoscaler decides its pg_num
    unknowable = ["id"] + (["pg_num"] if real["pool"]["pg_autoscale_mode"] == "on" else [])
    for name in unknowable:
        assert checked["pool"][name] is None
    known = dict((k, v) for k, v in real["pool"].items() if k not in unknowable)
    assert dict((k, v) for k, v in checked["pool"].items() if k not in unknowable) == known
    assert checked["diff"]["before"] == real["diff"]["before"] == {}


def test_update_sets_size_then_min_size(ceph, run):
    ceph.add_pool("eucavolumes", size=2, min_size=1, pg_num=64, autoscale="off", applications=["rbd"], rbd_init=True)
    before = run("rbd_pool", {"name": "eucavolumes"}, check_mode=True)["pool"]
    ceph.reset_log()
    result = run("rbd_pool", dict(FIXED, min_size=3))
    assert result["changes"] == ["set size to 3", "set min_size to 3"]
    sets = [(p, a["var"], a["val"]) for p, a in ceph.mutations]
    assert sets == [("osd pool set", "size", "3"), ("osd pool set", "min_size", "3")]
    assert result["diff"] == {"before": before, "after": settings({"id": before["id"]}, min_size=3)}


def test_check_mode_of_a_size_change_predicts_the_min_size_the_monitors_reset(ceph, run):
    ceph.add_pool("eucavolumes", size=3, min_size=3, pg_num=64, autoscale="off", applications=["rbd"], rbd_init=True)
    args = {"name": "eucavolumes", "size": 4}
    checked = run("rbd_pool", args, check_mode=True)
    assert ceph.mutations == []
    real = run("rbd_pool", args)
    assert checked["changed"] is real["changed"] is True
    assert checked["changes"] == real["changes"] == ["set size to 4"]
    assert checked["diff"] == real["diff"]
    assert real["pool"]["min_size"] == 2    # size - size / 2, osd_pool_default_min_size being 0


def test_pg_num_is_left_to_the_autoscaler(ceph, run):
    ceph.add_pool("eucavolumes", size=3, min_size=2, pg_num=32, autoscale="on", applications=["rbd"], rbd_init=True)
    result = run("rbd_pool", dict(EBS, pg_num=128))
    assert result["changed"] is False and ceph.mutations == []


def test_absent_removes_the_pool(ceph, run):
    ceph.add_pool("scratch", applications=["rbd"], rbd_init=True)
    ceph.set_config("mon", "mon_allow_pool_delete", "true")
    checked = run("rbd_pool", {"name": "scratch", "state": "absent"}, check_mode=True)
    assert checked["changed"] is True and ceph.mutations == [] and "scratch" in ceph.pools
    result = run("rbd_pool", {"name": "scratch", "state": "absent"})
    assert result["changed"] is True and result["changes"] == ["remove pool"]
    assert result["diff"] == checked["diff"] and result["diff"]["after"] == {}
    assert ceph.mutations == [("osd pool rm", {"pool": "scratch", "pool2": "scratch",
                                               "yes_i_really_really_mean_it": True, "format": "json"})]
    assert "scratch" not in ceph.pools
    ceph.reset_log()
    again = run("rbd_pool", {"name": "scratch", "state": "absent"})
    assert again["changed"] is False and ceph.mutations == []


def test_absent_refuses_a_pool_with_images_without_force(ceph, run):
    ceph.add_pool("eucavolumes", applications=["rbd"], rbd_init=True, images=["vol-1", "vol-2"])
    result = run("rbd_pool", {"name": "eucavolumes", "state": "absent"})
    assert result["failed"] is True
    assert "still holds 2 RBD image(s)" in result["msg"]
    assert ceph.mutations == [] and "eucavolumes" in ceph.pools


def test_absent_says_how_to_allow_a_delete_the_monitors_refuse(ceph, run):
    ceph.add_pool("scratch", applications=["rbd"], rbd_init=True, images=["vol-1"])
    result = run("rbd_pool", {"name": "scratch", "state": "absent", "force": True})
    assert result["failed"] is True and result["errno"] == errno.EPERM
    assert "set mon_allow_pool_delete=true on the monitors first" in result["msg"]
    assert "scratch" in ceph.pools


@pytest.mark.parametrize("args, message", [
    ({"name": "eucavolumes", "size": 11}, "size must be between 1 and 10, got 11"),
    ({"name": "eucavolumes", "size": 1}, "set allow_size_one=true"),
    ({"name": "eucavolumes", "size": 2, "min_size": 3}, "min_size (3) must not be larger than size (2)"),
    ({"name": "eucavolumes", "min_size": 0}, "min_size must be at least 1"),
    ({"name": "eucavolumes", "pg_num": 0}, "pg_num must be between 1 and 32768"),
    ({"name": "euca volumes"}, "euca volumes"),
    ({"name": "eucavolumes", "connect_timeout": 0}, "connect_timeout must be at least 1 second"),
], ids=["size", "size-one", "min-size-above-size", "min-size-zero", "pg-num", "pool-name", "connect-timeout"])
def test_bad_input_fails_before_any_command(ceph, run, args, message):
    result = run("rbd_pool", args)
    assert result["failed"] is True
    assert message in result["msg"]
    assert ceph.sent == []


def test_min_size_above_the_existing_size_fails_before_any_change(ceph, run):
    ceph.add_pool("eucavolumes", size=2, min_size=1, applications=["rbd"], rbd_init=True)
    result = run("rbd_pool", {"name": "eucavolumes", "min_size": 3})
    assert result["failed"] is True and "min_size 3 would exceed the pool's size 2" in result["msg"]
    assert ceph.mutations == []


def test_size_one_refused_by_the_configuration_database_changes_nothing(ceph, run):
    for check_mode in (True, False):
        result = run("rbd_pool", {"name": "eucavolumes", "size": 1, "allow_size_one": True}, check_mode=check_mode)
        assert result["failed"] is True and "mon_allow_pool_size_one=false; nothing was changed" in result["msg"]
    assert ceph.mutations == [] and ceph.pools == {}


def test_size_one_is_confirmed_to_the_monitors(ceph, run):
    ceph.set_config("global", "mon_allow_pool_size_one", "true")
    result = run("rbd_pool", {"name": "scratch", "size": 1, "allow_size_one": True})
    assert result["changed"] is True and result["pool"]["size"] == 1
    sets = [a for p, a in ceph.mutations if p == "osd pool set"]
    assert sets == [{"pool": "scratch", "var": "size", "val": "1", "yes_i_really_mean_it": True, "format": "json"}]


def test_a_failure_after_the_create_says_what_was_done_and_what_was_not(ceph, run):
    ceph.refuse("osd pool application enable", errno.EACCES, "access denied")
    result = run("rbd_pool", FIXED)
    assert result["failed"] is True and result["changed"] is True
    assert result["msg"] == ("pool eucavolumes: osd pool application enable: access denied - this run already did: "
                             "create pool; not done: enable application rbd; rbd pool init")
    assert result["errno"] == errno.EACCES
    assert result["changes"] == ["create pool"]
    assert result["not_done"] == ["enable application rbd", "rbd pool init"]
    # the pool as this run left it
    assert result["pool"]["id"] == ceph.pools["eucavolumes"]["pool_id"]
    assert result["pool"]["applications"] == [] and result["pool"]["rbd_initialized"] is False
    # the next run goes on from there
    ceph.reset_log()
    again = run("rbd_pool", FIXED)
    assert again["changes"] == ["enable application rbd", "rbd pool init"]
    assert [p for p, _a in ceph.mutations] == ["osd pool application enable", "rbd pool init"]


def test_a_failing_librbd_init_is_reported_after_the_steps_done(ceph, run):
    ceph.fail_on("rbd pool init", CephClientError("rbd pool init: [errno 1] RBD permission error (EPERM)", errno.EPERM))
    result = run("rbd_pool", FIXED)
    assert result["failed"] is True and result["changed"] is True
    assert "this run already did: create pool; enable application rbd; not done: rbd pool init" in result["msg"]


def test_an_unexpected_exception_after_a_change_is_reported_with_the_change(ceph, run):
    ceph.fail_on("osd pool set", RuntimeError("boom"), match={"var": "min_size"})
    ceph.add_pool("eucavolumes", size=2, min_size=1, pg_num=64, autoscale="off", applications=["rbd"], rbd_init=True)
    result = run("rbd_pool", dict(FIXED, min_size=3))
    assert result["failed"] is True and result["changed"] is True
    assert result["msg"].startswith("unexpected error (a bug of the collection")
    assert "RuntimeError: boom - this run already did: set size to 3" in result["msg"]
    assert result["changes"] == ["set size to 3"]


# -- many pools in one run (pools) ------------------------------------------------------------
BULK = {"pools": ["vol-a", {"name": "snap-a", "size": 2, "min_size": 1}, "vol-b"],
        "size": 3, "min_size": 2, "pg_num": 16, "pg_autoscale_mode": "off"}


def test_pools_creates_each_with_the_task_settings_and_its_own(ceph, run):
    result = run("rbd_pool", BULK)
    assert result["failed"] is False and result["changed"] is True
    assert [p["name"] for p in result["pools"]] == ["vol-a", "snap-a", "vol-b"]
    assert all(p["changed"] and p["changes"] == ["create pool", "enable application rbd", "rbd pool init"]
               for p in result["pools"])
    assert result["changes"][:3] == ["pool vol-a: create pool", "pool vol-a: enable application rbd",
                                     "pool vol-a: rbd pool init"]
    assert len(result["changes"]) == 9
    assert (ceph.pools["snap-a"]["size"], ceph.pools["snap-a"]["min_size"]) == (2, 1)
    assert (ceph.pools["vol-b"]["size"], ceph.pools["vol-b"]["min_size"]) == (3, 2)
    assert result["pools"][1]["pool"]["size"] == 2
    assert "pool" not in result
    assert [d["before_header"] for d in result["diff"]] == ["vol-a", "snap-a", "vol-b"]
    assert result["diff"][1]["before"] == {} and result["diff"][1]["after"] == result["pools"][1]["pool"]


def test_a_rerun_of_many_pools_reads_them_with_one_monitor_command_and_changes_nothing(ceph, run):
    names = ["pool-%02d" % i for i in range(64)]
    run("rbd_pool", {"pools": names, "size": 3, "min_size": 2, "pg_num": 8, "pg_autoscale_mode": "off"})
    ceph.reset_log()
    result = run("rbd_pool", {"pools": names, "size": 3, "min_size": 2, "pg_num": 8, "pg_autoscale_mode": "off"})
    assert result["changed"] is False and result["changes"] == []
    assert [p["changed"] for p in result["pools"]] == [False] * 64
    assert ceph.mutations == []
    # the cost does not grow with the pools: one listing, whatever their number
    assert ceph.prefixes.count("osd pool ls") == 1
    assert all(d["before"] == d["after"] for d in result["diff"])


def test_pools_reports_exactly_which_pool_changed(ceph, run):
    ceph.add_pool("vol-a", size=3, min_size=2, pg_num=16, autoscale="off", applications=["rbd"], rbd_init=True)
    ceph.add_pool("snap-a", size=3, min_size=2, pg_num=16, autoscale="off", applications=["rbd"], rbd_init=True)
    ceph.add_pool("vol-b", size=3, min_size=2, pg_num=16, autoscale="off", applications=["rbd"], rbd_init=True)
    checked = run("rbd_pool", BULK, check_mode=True)
    assert ceph.mutations == []
    real = run("rbd_pool", BULK)
    for result in (checked, real):
        assert result["changed"] is True
        assert [p["changed"] for p in result["pools"]] == [False, True, False]
        assert result["changes"] == ["pool snap-a: set size to 2", "pool snap-a: set min_size to 1"]
    assert [(a["pool"], a["var"]) for _p, a in ceph.mutations] == [("snap-a", "size"), ("snap-a", "min_size")]
    assert checked["pools"][1]["pool"] == real["pools"][1]["pool"]


def test_check_mode_of_many_new_pools_equals_the_real_run(ceph, run):
    state = ceph.snapshot()
    checked = run("rbd_pool", BULK, check_mode=True)
    assert ceph.snapshot() == state and ceph.mutations == []
    real = run("rbd_pool", BULK)
    assert checked["changes"] == real["changes"]
    assert [p["changed"] for p in checked["pools"]] == [p["changed"] for p in real["pools"]]
    for c, r in zip(checked["pools"], real["pools"]):
        assert dict(c["pool"], id=None) == dict(r["pool"], id=None)


def test_pools_removes_only_the_pools_marked_absent(ceph, run):
    ceph.set_config("mon", "mon_allow_pool_delete", "true")
    ceph.add_pool("keep", applications=["rbd"], rbd_init=True)
    ceph.add_pool("old", applications=["rbd"], rbd_init=True)
    result = run("rbd_pool", {"pools": ["keep", {"name": "old", "state": "absent"}, {"name": "gone", "state": "absent"}]})
    assert [p["changed"] for p in result["pools"]] == [False, True, False]
    assert result["changes"] == ["pool old: remove pool"]
    assert sorted(ceph.pools) == ["keep"]


@pytest.mark.parametrize("args, message", [
    ({"pools": []}, "pools is empty"),
    ({"pools": ["a", "a"]}, "a is given twice in pools"),
    ({"pools": ["good", "bad/name"]}, "invalid pool name"),
    ({"pools": [{"size": 2}]}, "pools[0]: missing required arguments: name"),
    ({"pools": [{"name": "a", "colour": "red"}]}, "pools[0]: unsupported parameters: colour."),
    ({"pools": [{"name": "a", "pg_autoscale_mode": "sometimes"}]}, "pools[0]: value of pg_autoscale_mode must be one of"),
    ({"pools": [["a"]]}, "pools[0]: expected a pool name or a dictionary, got list"),
    ({"pools": ["a", {"name": "b", "size": 2, "min_size": 3}]}, "pool b: min_size (3) must not be larger than size (2)"),
    ({"pools": ["a"], "name": "a"}, "mutually exclusive"),
    ({"size": 3}, "one of the following is required: name, pools"),
], ids=["empty", "twice", "bad-name", "no-name", "unknown-key", "bad-choice", "not-a-dict", "min-size", "both", "neither"])
def test_a_bad_pools_request_is_refused_before_anything_is_sent(ceph, run, args, message):
    result = run("rbd_pool", args)
    assert result["failed"] is True and not result.get("changed")
    assert message in result["msg"], result["msg"]
    assert ceph.sent == []


def test_a_failure_in_one_pool_says_what_the_run_did_in_the_pools_before_it(ceph, run):
    ceph.refuse("osd pool create", errno.EPERM, "access denied", match={"pool": "snap-a"})
    result = run("rbd_pool", BULK)
    assert result["failed"] is True and result["changed"] is True
    assert result["msg"].startswith("pool snap-a: osd pool create: access denied - this run already did: "
                                    "pool vol-a: create pool; pool vol-a: enable application rbd; pool vol-a: rbd pool init")
    assert sorted(ceph.pools) == ["vol-a"]
    again = run("rbd_pool", BULK)
    assert [p["changed"] for p in again["pools"]] == [False, True, True]
