"""ceph_config on the real cluster: set, re-run, check mode, numbers as the monitors store them
(0.01 comes back as 0.010000: the same value, no change), removal. Settings go to a section of
an OSD that does not exist (osd.999), so the cluster itself is not tuned by the test."""

import pytest

pytestmark = pytest.mark.ceph

WHO = "osd.999"


def stored(admin, name):
    for entry in admin.mon({"prefix": "config dump"}):
        if entry.get("section") == WHO and entry.get("name") == name:
            return str(entry["value"])
    return None


@pytest.fixture
def conn(ceph_cluster, admin):
    yield {"cluster_conf": ceph_cluster.conf, "who": WHO}
    for name in ("osd_recovery_sleep", "osd_max_backfills"):
        admin.mon({"prefix": "config rm", "who": WHO, "name": name})


@pytest.mark.parametrize("name, value, same", [
    ("osd_recovery_sleep", "0.01", "0.010000"),
    ("osd_max_backfills", "3", "3.0"),
])
def test_set_rerun_and_numbers_in_the_monitors_form(run_module, admin, conn, name, value, same):
    args = dict(conn, name=name, value=value)
    check = run_module("ceph_config", args, check=True)
    assert check.changed and stored(admin, name) is None
    real = run_module("ceph_config", args)
    assert real.changed and not real.failed, real.msg
    assert stored(admin, name) is not None
    for again in (value, same, stored(admin, name)):
        for check_mode in (True, False):
            r = run_module("ceph_config", dict(conn, name=name, value=again), check=check_mode)
            assert not r.failed and not r.changed, (again, check_mode, r.result)
    r = run_module("ceph_config", dict(conn, name=name, state="absent"))
    assert r.changed and stored(admin, name) is None
    assert not run_module("ceph_config", dict(conn, name=name, state="absent")).changed


def test_a_different_number_is_a_change(run_module, admin, conn):
    run_module("ceph_config", dict(conn, name="osd_max_backfills", value="3"))
    r = run_module("ceph_config", dict(conn, name="osd_max_backfills", value="4"))
    assert r.changed and r.result["previous"] == "3" and stored(admin, "osd_max_backfills") == "4"


def test_a_value_the_monitors_do_not_keep_is_a_failure_not_a_change(run_module, admin, ceph_cluster):
    """`config set osd osd_recovery_max_active 2`: Pacific's monitors keep it; Tentacle's
    (mClock scheduler) answer success and keep nothing (measured). Whatever the connected
    release does, the module's answer must be what the monitors then hold: a change only
    when they keep the value, else a failure that says so and reports no change - never a
    change reported on every run."""
    args = {"cluster_conf": ceph_cluster.conf, "who": "osd", "name": "osd_recovery_max_active", "value": "2"}

    def held():
        for entry in admin.mon({"prefix": "config dump"}):
            if entry.get("section") == "osd" and entry.get("name") == "osd_recovery_max_active":
                return str(entry["value"])
        return None
    assert held() is None
    try:
        r = run_module("ceph_config", args)
        if held() is None:
            assert r.failed and not r.changed, r.result
            assert "accepted 'config set osd osd_recovery_max_active 2' but hold no value" in r.msg, r.msg
            assert "nothing changed" in r.msg and "osd_mclock_profile" in r.msg, r.msg
            assert r.result["held"] is None and r.result["previous"] is None
        else:
            assert held() == "2" and r.changed and not r.failed, r.result
            assert not run_module("ceph_config", args).changed
    finally:
        admin.mon({"prefix": "config rm", "who": "osd", "name": "osd_recovery_max_active"})


def test_osd_scheduler_facts_are_the_monitors_answer(run_module, admin, ceph_cluster):
    r = run_module("ceph_info", {"cluster_conf": ceph_cluster.conf, "gather": ["osd_scheduler"]})
    assert not r.failed, r.msg
    facts = r.result["osd_scheduler"]
    op_queue = admin.mon({"prefix": "config get", "who": "osd", "key": "osd_op_queue"})
    assert facts["op_queue"] == str(op_queue).strip()
    if facts["op_queue"] == "mclock_scheduler":
        assert facts["mclock_profile"] == str(admin.mon({"prefix": "config get", "who": "osd", "key": "osd_mclock_profile"})).strip()
        assert facts["recovery_limits_apply"] is bool(facts["override_recovery_settings"])
    else:
        assert facts["mclock_profile"] is None and facts["recovery_limits_apply"] is True
