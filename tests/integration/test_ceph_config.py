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
    for name in ("osd_scrub_sleep", "osd_max_scrubs", "paxos_propose_interval"):
        admin.mon({"prefix": "config rm", "who": WHO, "name": name})


@pytest.mark.parametrize("name, value, same", [
    ("osd_scrub_sleep", "0.01", "0.010000"),
    ("osd_max_scrubs", "3", "3.0"),
    # a monitor option (osd_expand_mon_settings), in a section no daemon reads
    ("paxos_propose_interval", "0.1", "0.100000"),
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
    run_module("ceph_config", dict(conn, name="osd_max_scrubs", value="3"))
    r = run_module("ceph_config", dict(conn, name="osd_max_scrubs", value="4"))
    assert r.changed and r.result["previous"] == "3" and stored(admin, "osd_max_scrubs") == "4"


def test_a_recovery_limit_the_osds_would_ignore_is_refused(run_module, admin, ceph_cluster):
    """`config set osd osd_recovery_max_active 2`: under wpq (Pacific) the OSDs use it and the
    monitors keep it; under mClock without the override (Tentacle's defaults) the OSDs ignore
    it and the monitors keep it for a moment only (measured: read back at once it is there, a
    little later it is gone). The module asks the monitors which scheduler the OSDs run and
    refuses the second case before any change, also in check mode."""
    args = {"cluster_conf": ceph_cluster.conf, "who": "osd", "name": "osd_recovery_max_active", "value": "2"}
    scheduler = run_module("ceph_info", {"cluster_conf": ceph_cluster.conf, "gather": ["osd_scheduler"]}).result["osd_scheduler"]

    def held():
        for entry in admin.mon({"prefix": "config dump"}):
            if entry.get("section") == "osd" and entry.get("name") == "osd_recovery_max_active":
                return str(entry["value"])
        return None
    assert held() is None
    try:
        for check in (True, False):
            r = run_module("ceph_config", args, check=check)
            if scheduler["recovery_limits_apply"]:
                assert r.changed and not r.failed, r.result
            else:
                assert r.failed and not r.changed, r.result
                assert "is ignored by the OSDs under the mClock scheduler" in r.msg, r.msg
                assert "osd_mclock_profile" in r.msg and "Nothing was changed" in r.msg, r.msg
                assert held() is None
        if scheduler["recovery_limits_apply"]:
            assert held() == "2" and not run_module("ceph_config", args).changed
        # an OSD-side option mClock does not own is set as usual on every scheduler
        r = run_module("ceph_config", dict(args, name="osd_max_scrubs", value="2"))
        assert r.changed and not r.failed, r.result
    finally:
        for name in ("osd_recovery_max_active", "osd_max_scrubs"):
            admin.mon({"prefix": "config rm", "who": "osd", "name": name})


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
