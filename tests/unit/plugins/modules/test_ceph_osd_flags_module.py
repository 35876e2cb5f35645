"""ceph_osd_flags run in-process against the fake cluster (fake_ceph.py): osd set/unset, check mode,
idempotence, refusals and a failure between two flags."""

import errno

import pytest

from ansible_collections.eucalyptus.ceph.tests.unit.plugins.modules.fake_ceph import FEATURE_FLAGS


def test_set_sends_osd_set_per_flag(ceph, run):
    result = run("ceph_osd_flags", {"flags": {"noout": True, "norebalance": True}})
    assert result["failed"] is False and result["changed"] is True
    assert result["before"] == [] and result["flags"] == ["noout", "norebalance"]
    assert result["diff"] == {"before": {"flags": []}, "after": {"flags": ["noout", "norebalance"]}}
    assert ceph.mutations == [("osd set", {"key": "noout", "format": "json"}),
                              ("osd set", {"key": "norebalance", "format": "json"})]
    # the feature flags of the map are neither reported nor touched
    assert ceph.flags == set(FEATURE_FLAGS) | {"noout", "norebalance"}


def test_rerun_is_idempotent_and_sends_no_change(ceph, run):
    args = {"flags": {"noout": True, "norebalance": True, "nobackfill": False}}
    run("ceph_osd_flags", args)
    ceph.reset_log()
    result = run("ceph_osd_flags", args)
    assert result["changed"] is False and ceph.mutations == []
    assert result["diff"]["before"] == result["diff"]["after"] == {"flags": ["noout", "norebalance"]}


def test_unset_leaves_the_flags_the_task_does_not_name(ceph, run):
    ceph.flags.update(["noout", "noscrub"])
    result = run("ceph_osd_flags", {"flags": {"noout": False}})
    assert result["changed"] is True
    assert result["before"] == ["noout", "noscrub"] and result["flags"] == ["noscrub"]
    assert ceph.mutations == [("osd unset", {"key": "noout", "format": "json"})]
    assert "noscrub" in ceph.flags and "noout" not in ceph.flags


@pytest.mark.parametrize("flags", [{"noout": True, "norecover": True}, {"noscrub": False, "nodeep-scrub": True}])
def test_check_mode_reports_what_a_real_run_does_and_sends_nothing(ceph, run, flags):
    ceph.flags.add("noscrub")
    state = ceph.snapshot()
    checked = run("ceph_osd_flags", {"flags": flags}, check_mode=True)
    assert ceph.mutations == [] and ceph.snapshot() == state
    real = run("ceph_osd_flags", {"flags": flags})
    assert len(ceph.mutations) == 2
    assert checked == real


@pytest.mark.parametrize("flags, message", [
    ({"sortbitwise": False}, "unknown or unsettable OSD flag 'sortbitwise'"),
    ({"nodown": True, "noot": True}, "unknown or unsettable OSD flag 'noot'"),
    ({"noout": "yes"}, "flag noout: the wanted state must be true or false, got 'yes'"),
    ({"noout": 1}, "flag noout: the wanted state must be true or false, got 1"),
], ids=["feature-flag", "typo", "string-state", "integer-state"])
def test_bad_input_fails_before_any_command(ceph, run, flags, message):
    result = run("ceph_osd_flags", {"flags": flags})
    assert result["failed"] is True and message in result["msg"]
    assert ceph.sent == []


def test_a_failure_after_the_first_flag_says_it_was_set(ceph, run):
    ceph.refuse("osd set", errno.EACCES, "access denied", match={"key": "norebalance"})
    result = run("ceph_osd_flags", {"flags": {"noout": True, "norebalance": True}})
    assert result["failed"] is True and result["changed"] is True and result["errno"] == errno.EACCES
    assert result["msg"] == "osd set: access denied - this run already did: set noout"
    assert result["changes"] == ["set noout"]
    assert "noout" in ceph.flags and "norebalance" not in ceph.flags


def test_a_failure_of_the_first_flag_changed_nothing(ceph, run):
    ceph.refuse("osd unset", errno.EACCES, "access denied")
    ceph.flags.add("noout")
    result = run("ceph_osd_flags", {"flags": {"noout": False}})
    assert result["failed"] is True and result.get("changed") is not True
    assert result["msg"] == "osd unset: access denied" and result["changes"] == []


def test_an_unexpected_exception_is_reported_as_a_bug_after_what_was_done(ceph, run):
    ceph.fail_on("osd set", RuntimeError("boom"), match={"key": "norebalance"})
    result = run("ceph_osd_flags", {"flags": {"noout": True, "norebalance": True}})
    assert result["failed"] is True and result["changed"] is True
    assert result["msg"].startswith("unexpected error (a bug of the collection: please report it with this traceback): "
                                    "RuntimeError: boom - this run already did: set noout")


def test_pause_is_set_once(ceph, run):
    result = run("ceph_osd_flags", {"flags": {"pause": True}})
    assert result["changed"] is True
    assert ceph.mutations == [("osd set", {"key": "pause", "format": "json"})]
    # the monitors set two flags for it (OSDMonitor: CEPH_OSDMAP_PAUSERD | CEPH_OSDMAP_PAUSEWR)
    assert {"pauserd", "pausewr"} <= ceph.flags


def test_pause_is_idempotent(ceph, run):
    run("ceph_osd_flags", {"flags": {"pause": True}})
    ceph.reset_log()
    result = run("ceph_osd_flags", {"flags": {"pause": True}})
    assert result["changed"] is False and ceph.mutations == []
