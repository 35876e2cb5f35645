"""ceph_crush_weight run in-process against the fake cluster (fake_ceph.py): CRUSH reweights from
`osd df`/`osd tree`, CRUSH's 16.16 fixed point, directions, check mode and failures."""

import errno

import pytest

from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_client import CephClientError


@pytest.fixture
def osds(ceph):
    """Three 1 TiB OSDs: osd.0 and osd.1 new on host xosd3 (weight 0), osd.2 in service on xosd1."""
    ceph.add_osd(0, "xosd3", 1024, weight=0)
    ceph.add_osd(1, "xosd3", 1024, weight=0)
    ceph.add_osd(2, "xosd1", 1024)
    return ceph


def reweights(ceph):
    return [(a["name"], a["weight"]) for p, a in ceph.mutations if p == "osd crush reweight"]


def test_a_fraction_of_the_size_weight_is_set_on_each_osd(osds, run):
    result = run("ceph_crush_weight", {"osds": [0, 1], "fraction": 0.25})
    assert result["failed"] is False and result["changed"] is True
    assert result["before"] == {"osd.0": 0.0, "osd.1": 0.0}
    assert result["weights"] == {"osd.0": 0.25, "osd.1": 0.25}
    assert result["diff"] == {"before": result["before"], "after": result["weights"]}
    assert reweights(osds) == [("osd.0", 0.25), ("osd.1", 0.25)]
    assert [p for p, _a in osds.mutations] == ["osd crush reweight", "osd crush reweight"]
    assert osds.crush_weight(0) == osds.crush_weight(1) == 0.25


def test_rerun_is_idempotent_within_crush_rounding(osds, run):
    # 1/3 is not a 16.16 number: CRUSH keeps 0.333328..., the module asked for 0.333333
    args = {"osds": [0, 1, 2], "fraction": 1.0 / 3}
    assert run("ceph_crush_weight", args)["changed"] is True
    assert osds.crush_weight(0) != round(1.0 / 3, 6)
    osds.reset_log()
    result = run("ceph_crush_weight", args)
    assert result["changed"] is False and osds.mutations == []


def test_an_absolute_weight(osds, run):
    result = run("ceph_crush_weight", {"osds": [2], "weight": 0})
    assert result["changed"] is True and result["weights"] == {"osd.2": 0.0}
    assert reweights(osds) == [("osd.2", 0.0)]


@pytest.mark.parametrize("direction, moved", [("up", ["osd.0", "osd.1"]), ("down", ["osd.2"]),
                                              ("any", ["osd.0", "osd.1", "osd.2"])])
def test_direction_never_moves_an_osd_the_other_way(osds, run, direction, moved):
    result = run("ceph_crush_weight", {"osds": [0, 1, 2], "fraction": 0.5, "direction": direction})
    assert [name for name, _w in reweights(osds)] == moved
    for name in ("osd.0", "osd.1", "osd.2"):
        if name not in moved:
            assert result["weights"][name] == result["before"][name]


@pytest.mark.parametrize("args", [{"osds": [0, 1], "fraction": 0.5}, {"osds": [0, 2], "weight": 0.75}])
def test_check_mode_reports_what_a_real_run_does_and_sends_nothing(osds, run, args):
    state = osds.snapshot()
    checked = run("ceph_crush_weight", args, check_mode=True)
    assert osds.mutations == [] and osds.snapshot() == state
    real = run("ceph_crush_weight", args)
    assert len(osds.mutations) == 2
    assert checked == real


@pytest.mark.parametrize("args, message", [
    ({"osds": [], "weight": 1}, "osds must list at least one OSD id"),
    ({"osds": [0], "weight": -1}, "weight must not be negative"),
    ({"osds": [0], "fraction": 1.5}, "fraction must be between 0 and 1"),
    ({"osds": [0], "fraction": -0.1}, "fraction must be between 0 and 1"),
], ids=["no-osds", "negative-weight", "fraction-above-1", "negative-fraction"])
def test_bad_input_fails_before_any_command(osds, run, args, message):
    result = run("ceph_crush_weight", args)
    assert result["failed"] is True and result["msg"] == message
    assert osds.sent == []


def test_an_unknown_osd_is_refused_before_any_change(osds, run):
    result = run("ceph_crush_weight", {"osds": [0, 7, 9], "weight": 1})
    assert result["failed"] is True and result["msg"] == "no such OSD(s): osd.7, osd.9"
    assert osds.mutations == []


def test_a_failure_after_the_first_osd_says_it_was_reweighted(osds, run):
    osds.refuse("osd crush reweight", errno.EACCES, "access denied", match={"name": "osd.1"})
    result = run("ceph_crush_weight", {"osds": [0, 1], "fraction": 0.25})
    assert result["failed"] is True and result["changed"] is True and result["errno"] == errno.EACCES
    assert result["msg"] == "osd crush reweight: access denied - this run already did: set the CRUSH weight of osd.0 to 0.25"
    assert result["changes"] == ["set the CRUSH weight of osd.0 to 0.25"]
    assert osds.crush_weight(0) == 0.25 and osds.crush_weight(1) == 0.0
    # the next run finishes the job
    osds.reset_log()
    again = run("ceph_crush_weight", {"osds": [0, 1], "fraction": 0.25})
    assert reweights(osds) == [("osd.1", 0.25)] and again["changed"] is True


def test_a_failing_read_fails_without_a_change(osds, run):
    osds.fail_on("osd tree", CephClientError("osd tree: timed out", errno.ETIMEDOUT))
    result = run("ceph_crush_weight", {"osds": [0], "weight": 1})
    assert result["failed"] is True and result.get("changed") is not True
    assert result["msg"] == "osd tree: timed out" and osds.mutations == []


def test_an_unexpected_exception_is_reported_as_a_bug_after_what_was_done(osds, run):
    osds.fail_on("osd crush reweight", RuntimeError("boom"), match={"name": "osd.1"})
    result = run("ceph_crush_weight", {"osds": [0, 1], "fraction": 0.25})
    assert result["failed"] is True and result["changed"] is True
    assert result["msg"].startswith("unexpected error (a bug of the collection: please report it with this traceback): "
                                    "RuntimeError: boom - this run already did: set the CRUSH weight of osd.0 to 0.25")
