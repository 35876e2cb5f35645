"""ceph_config run in-process against the fake cluster (fake_ceph.py): set, remove, read back,
the mClock refusal, check mode, idempotence and failures."""

import errno

import pytest

from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_client import CephClientError

HEALTH = {"who": "mgr", "name": "mgr/devicehealth/enable_monitoring", "value": "false"}


def test_set_sends_config_set_and_shows_the_value(ceph, run):
    result = run("ceph_config", HEALTH)
    assert result["failed"] is False and result["changed"] is True
    assert result["previous"] is None
    assert result["diff"] == {"before": "", "after": "mgr mgr/devicehealth/enable_monitoring = false\n"}
    assert ceph.mutations == [("config set", {"who": "mgr", "name": "mgr/devicehealth/enable_monitoring",
                                              "value": "false", "format": "json"})]
    assert ceph.config_value("mgr", "mgr/devicehealth/enable_monitoring") == "false"


def test_rerun_is_idempotent_and_sends_no_change(ceph, run):
    run("ceph_config", HEALTH)
    ceph.reset_log()
    result = run("ceph_config", HEALTH)
    assert result["changed"] is False and result["previous"] == "false"
    assert ceph.mutations == [] and ceph.prefixes == ["config dump"]


def test_a_number_the_monitors_keep_in_their_own_form_is_the_same_value(ceph, run):
    ceph.set_config("osd", "osd_op_queue", "wpq")
    args = {"who": "osd", "name": "osd_recovery_sleep", "value": "0.01"}
    assert run("ceph_config", args)["changed"] is True
    assert ceph.config_value("osd", "osd_recovery_sleep") == "0.010000"
    ceph.reset_log()
    again = run("ceph_config", args)
    assert again["changed"] is False and again["previous"] == "0.010000" and ceph.mutations == []


def test_a_changed_value_shows_before_and_after(ceph, run):
    ceph.set_config("mgr", "mgr/devicehealth/enable_monitoring", "true")
    result = run("ceph_config", HEALTH)
    assert result["changed"] is True and result["previous"] == "true"
    assert result["diff"] == {"before": "mgr mgr/devicehealth/enable_monitoring = true\n",
                              "after": "mgr mgr/devicehealth/enable_monitoring = false\n"}


def test_no_diff_without_diff_mode(ceph, run):
    result = run("ceph_config", HEALTH, diff=False)
    assert result["changed"] is True and "diff" not in result


@pytest.mark.parametrize("existing", [None, "true"], ids=["unset", "other-value"])
def test_check_mode_reports_what_a_real_run_does_and_sends_nothing(ceph, run, existing):
    if existing:
        ceph.set_config("mgr", "mgr/devicehealth/enable_monitoring", existing)
    state = ceph.snapshot()
    checked = run("ceph_config", HEALTH, check_mode=True)
    assert ceph.mutations == [] and ceph.snapshot() == state
    real = run("ceph_config", HEALTH)
    assert len(ceph.mutations) == 1
    assert checked == real


def test_force_is_sent_for_an_option_the_monitors_do_not_know(ceph, run):
    args = {"who": "mgr", "name": "mgr/unknown_module/setting", "value": "1", "force": True}
    result = run("ceph_config", args)
    assert result["changed"] is True
    assert ceph.mutations[0][1]["force"] is True


def test_an_option_the_monitors_do_not_know_is_refused_with_their_message(ceph, run):
    result = run("ceph_config", {"who": "mgr", "name": "mgr/unknown_module/setting", "value": "1"})
    assert result["failed"] is True and result["errno"] == errno.EINVAL
    assert result["msg"] == "config set: unrecognized config option 'mgr/unknown_module/setting'"
    assert result.get("changed") is not True and ceph.config == []


def test_absent_removes_the_option(ceph, run):
    ceph.set_config("mgr", "mgr/devicehealth/enable_monitoring", "false")
    args = dict(HEALTH, state="absent")
    checked = run("ceph_config", args, check_mode=True)
    assert checked["changed"] is True and ceph.mutations == []
    result = run("ceph_config", args)
    assert result == checked
    assert result["diff"] == {"before": "mgr mgr/devicehealth/enable_monitoring = false\n", "after": ""}
    assert ceph.mutations == [("config rm", {"who": "mgr", "name": "mgr/devicehealth/enable_monitoring",
                                             "format": "json"})]
    assert ceph.config == []
    ceph.reset_log()
    assert run("ceph_config", args)["changed"] is False and ceph.mutations == []


def test_value_is_required_with_state_present(ceph, run):
    result = run("ceph_config", {"who": "mgr", "name": "mgr/devicehealth/enable_monitoring"})
    assert result["failed"] is True and result["msg"] == "value is required with state=present"
    assert ceph.sent == []


@pytest.mark.parametrize("check_mode", [False, True])
def test_a_recovery_limit_under_mclock_is_refused_before_any_change(ceph, run, check_mode):
    result = run("ceph_config", {"who": "osd", "name": "osd_max_backfills", "value": "4"}, check_mode=check_mode)
    assert result["failed"] is True
    assert "is ignored by the OSDs under the mClock scheduler" in result["msg"]
    assert "osd_mclock_profile" in result["msg"] and "Nothing was changed." in result["msg"]
    assert result["osd_scheduler"] == {"op_queue": "mclock_scheduler", "mclock_profile": "balanced",
                                       "override_recovery_settings": False, "recovery_limits_apply": False}
    assert ceph.mutations == []


@pytest.mark.parametrize("setting", [("osd_op_queue", "wpq"), ("osd_mclock_override_recovery_settings", "true")])
def test_a_recovery_limit_applies_with_wpq_or_the_override(ceph, run, setting):
    ceph.set_config("osd", *setting)
    result = run("ceph_config", {"who": "osd", "name": "osd_max_backfills", "value": "4"})
    assert result["changed"] is True
    assert [p for p, _a in ceph.mutations] == ["config set"]


def test_a_value_the_monitors_do_not_keep_fails_instead_of_reporting_a_change(ceph, run):
    ceph.set_config("osd", "osd_mclock_override_recovery_settings", "true")
    ceph.unkept.add(("osd", "osd_recovery_max_active"))
    result = run("ceph_config", {"who": "osd", "name": "osd_recovery_max_active", "value": "2"})
    assert result["failed"] is True and result["changed"] is False
    assert "the monitors accepted 'config set osd osd_recovery_max_active 2' but hold no value for it " \
           "(nothing changed)" in result["msg"]
    assert result["previous"] is None and result["held"] is None


def test_a_refused_set_fails_with_the_monitors_message_and_errno(ceph, run):
    ceph.refuse("config set", errno.EACCES, "access denied")
    result = run("ceph_config", HEALTH)
    assert result["failed"] is True and result["errno"] == errno.EACCES
    assert result["msg"] == "config set: access denied"
    assert result.get("changed") is not True and result["changes"] == []


def read_back_fails(ceph, run):
    # the first config dump (the value before) answers, the read-back after the set does not
    ceph.fail_on("config dump", CephClientError("config dump: timed out", errno.ETIMEDOUT), after=1)
    return run("ceph_config", HEALTH)


def test_a_failure_of_the_read_back_fails_the_run(ceph, run):
    result = read_back_fails(ceph, run)
    assert result["failed"] is True and result["errno"] == errno.ETIMEDOUT
    assert result["msg"].startswith("config dump: timed out")
    assert ceph.config_value("mgr", "mgr/devicehealth/enable_monitoring") == "false"   # the set was made


def test_a_failure_of_the_read_back_says_the_set_was_done(ceph, run):
    result = read_back_fails(ceph, run)
    assert result.get("changed") is True
    assert "this run already did" in result["msg"]


def test_an_unexpected_exception_is_reported_as_a_bug(ceph, run):
    ceph.fail_on("config set", RuntimeError("boom"))
    result = run("ceph_config", HEALTH)
    assert result["failed"] is True
    assert result["msg"].startswith("unexpected error (a bug of the collection")
    assert "RuntimeError: boom" in result["msg"]
