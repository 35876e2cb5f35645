"""ceph_change_record run in-process against the fake cluster (fake_ceph.py): the record in the
monitors' config-key store, a resumed record after an interrupted run, the restore of options and
flags, check mode, partial restores, bad input and a failure in the middle of a restore."""

import errno
import json

import pytest

from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_client import CephClientError

KEY = "eucalyptus/change-records/expand"
RECORD = {"name": "expand", "state": "recorded", "config": ["osd/osd_max_backfills", "osd/osd_recovery_sleep"],
          "flags": ["norebalance", "noout"], "note": "expand.yml"}
RESTORE = {"name": "expand", "state": "restored"}


def stored(ceph):
    return json.loads(ceph.config_keys[KEY].decode("utf-8"))


def in_database(ceph, who, name):
    """The value the configuration database holds for exactly WHO NAME, or None."""
    return next((e["value"] for e in ceph.config if e["section"] == who and e["name"] == name), None)


def operator_state(ceph):
    """The operator's own setting and flag, there before the expansion."""
    ceph.set_config("osd", "osd_max_backfills", "3")
    ceph.flags.add("noout")


def expansion_changes(ceph):
    """What expand.yml does after recording: its own throttles and norebalance."""
    ceph.config[:] = [e for e in ceph.config if e["name"] != "osd_max_backfills"]
    ceph.set_config("osd", "osd_max_backfills", "1")
    ceph.set_config("osd", "osd_recovery_sleep", "0.5")
    ceph.flags.add("norebalance")
    ceph.flags.discard("noout")


def test_record_stores_the_current_values_once(ceph, run):
    operator_state(ceph)
    result = run("ceph_change_record", RECORD)
    assert result["failed"] is False and result["changed"] is True and result["resumed"] is False
    record = stored(ceph)
    assert record["config"] == [{"who": "osd", "name": "osd_max_backfills", "value": "3"},
                                {"who": "osd", "name": "osd_recovery_sleep", "value": None}]
    assert record["flags"] == {"norebalance": False, "noout": True} and record["note"] == "expand.yml"
    assert result["record"] == record and ceph.mutations == [("config-key set", {"key": KEY, "format": "json"})]
    # a second record (the controller died, the playbook runs again) keeps the first one's values
    expansion_changes(ceph)
    ceph.reset_log()
    again = run("ceph_change_record", RECORD)
    assert again["changed"] is False and again["resumed"] is True and again["record"] == record
    assert ceph.mutations == [] and stored(ceph) == record


def test_record_in_check_mode_stores_nothing_and_shows_the_record(ceph, run):
    operator_state(ceph)
    state = ceph.snapshot()
    checked = run("ceph_change_record", RECORD, check_mode=True)
    assert checked["changed"] is True and ceph.mutations == [] and ceph.snapshot() == state
    real = run("ceph_change_record", RECORD)
    assert dict(checked["record"], created=None) == dict(real["record"], created=None)


def test_restore_puts_back_what_was_there_and_removes_the_record(ceph, run):
    operator_state(ceph)
    run("ceph_change_record", RECORD)
    expansion_changes(ceph)
    ceph.reset_log()
    result = run("ceph_change_record", RESTORE)
    assert result["changed"] is True and result["record"] is None
    assert sorted(result["restored"]) == sorted(["config:osd/osd_max_backfills=3", "config:osd/osd_recovery_sleep=(not set)",
                                                 "flag:noout=set", "flag:norebalance=unset"])
    assert in_database(ceph, "osd", "osd_max_backfills") == "3"
    assert in_database(ceph, "osd", "osd_recovery_sleep") is None
    assert "noout" in ceph.flags and "norebalance" not in ceph.flags
    assert KEY not in ceph.config_keys
    assert result["diff"]["before"].count("\n") == 4 and "config:osd/osd_max_backfills = 1\n" in result["diff"]["before"]
    assert "config:osd/osd_max_backfills = 3\n" in result["diff"]["after"]
    # nothing recorded any more: a second restore is a no-op
    ceph.reset_log()
    again = run("ceph_change_record", RESTORE)
    assert again["changed"] is False and again["found"] is None and ceph.mutations == []


def test_restore_check_mode_reports_the_real_restore_and_changes_nothing(ceph, run):
    operator_state(ceph)
    run("ceph_change_record", RECORD)
    expansion_changes(ceph)
    ceph.reset_log()
    state = ceph.snapshot()
    checked = run("ceph_change_record", RESTORE, check_mode=True)
    assert ceph.mutations == [] and ceph.snapshot() == state
    real = run("ceph_change_record", RESTORE)
    assert checked == real


def test_a_partial_restore_keeps_the_other_entries_for_later(ceph, run):
    operator_state(ceph)
    run("ceph_change_record", RECORD)
    expansion_changes(ceph)
    result = run("ceph_change_record", dict(RESTORE, only=["flag:norebalance"]))
    assert result["changed"] is True and result["restored"] == ["flag:norebalance=unset"]
    assert "norebalance" not in ceph.flags and in_database(ceph, "osd", "osd_max_backfills") == "1"
    left = stored(ceph)
    assert left["flags"] == {"noout": True} and len(left["config"]) == 2 and result["record"] == left


def test_an_entry_already_back_is_dropped_without_a_command(ceph, run):
    operator_state(ceph)
    run("ceph_change_record", RECORD)
    ceph.reset_log()
    result = run("ceph_change_record", RESTORE)   # nothing changed since the record
    assert result["restored"] == [] and result["changed"] is True   # the record itself is removed
    assert ceph.mutations == [("config-key rm", {"key": KEY, "format": "json"})]


def test_a_failure_in_the_middle_keeps_the_record_and_says_what_was_put_back(ceph, run):
    operator_state(ceph)
    run("ceph_change_record", RECORD)
    expansion_changes(ceph)
    ceph.fail_on("osd unset", CephClientError("osd unset: injected", errno.EIO))
    result = run("ceph_change_record", RESTORE)
    assert result["failed"] is True and result["changed"] is True
    assert "putting back flag:norebalance=unset failed" in result["msg"]
    assert result["changes"] == ["put back config:osd/osd_max_backfills=3", "put back config:osd/osd_recovery_sleep=(not set)",
                                 "put back flag:noout=set"]
    assert result["not_done"] == ["flag:norebalance=unset"]
    assert KEY in ceph.config_keys   # whole: the rerun puts back the rest
    rerun = run("ceph_change_record", RESTORE)
    assert rerun["failed"] is False and rerun["restored"] == ["flag:norebalance=unset"] and KEY not in ceph.config_keys


def test_a_key_that_holds_no_record_is_refused_not_overwritten(ceph, run):
    ceph.config_keys[KEY] = b"operator's own value"
    for args in (RECORD, RESTORE):
        result = run("ceph_change_record", args)
        assert result["failed"] is True and "does not hold a change record" in result["msg"]
    assert ceph.config_keys[KEY] == b"operator's own value" and ceph.mutations == []


@pytest.mark.parametrize("args, message", [
    (dict(RECORD, name="Expand"), "name"),
    (dict(RECORD, name="expand\n"), "name"),
    (dict(RECORD, config=["osd_max_backfills"]), "'osd_max_backfills': expected WHO/NAME"),
    (dict(RECORD, flags=["sortbitwise"]), "unknown or unsettable OSD flag 'sortbitwise'"),
    (dict(RECORD, note="line one\nline two"), "note must not hold control characters"),
], ids=["upper-case", "newline", "no-section", "feature-flag", "control-note"])
def test_bad_input_fails_before_any_command(ceph, run, args, message):
    result = run("ceph_change_record", args)
    assert result["failed"] is True and message in result["msg"]
    assert ceph.sent == []
