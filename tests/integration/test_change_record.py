"""ceph_change_record on the real cluster: a record of the values before an operation, kept in
the cluster, puts back exactly those values - also after a run that died half way and a second
run that set the same things again (the expansion's "controller killed" case)."""

import errno
import json
import os

import pytest

from conftest import CephCommandError

pytestmark = pytest.mark.ceph

THROTTLES = {"osd_max_backfills": "2", "osd_recovery_max_active": "2", "osd_recovery_sleep": "0.01"}
OPTIONS = ["osd/" + name for name in THROTTLES] + ["osd/osd_crush_initial_weight"]


def config(admin, who, name):
    for entry in admin.mon({"prefix": "config dump"}):
        if entry["section"] == who and entry["name"] == name:
            return str(entry["value"])
    return None


def flags(admin):
    return set(admin.mon({"prefix": "osd dump"})["flags_set"])


def stored(admin, name):
    """The record as the monitors hold it, or None."""
    try:
        value = admin.mon({"prefix": "config-key get", "key": "eucalyptus/change-records/" + name})
    except CephCommandError as exc:
        assert exc.ret == -errno.ENOENT, exc
        return None
    return json.loads(value) if isinstance(value, str) else value


@pytest.fixture
def operator_settings(admin):
    """The operator's own value for one throttle (osd_max_backfills 3), the others unset."""
    admin.mon({"prefix": "config set", "who": "osd", "name": "osd_max_backfills", "value": "3"})
    yield
    for name in list(THROTTLES) + ["osd_crush_initial_weight"]:
        admin.mon({"prefix": "config rm", "who": "osd", "name": name})
    admin.mon({"prefix": "osd unset", "key": "norebalance"})
    try:
        admin.mon({"prefix": "config-key rm", "key": "eucalyptus/change-records/exp-test"})
    except Exception:
        pass


def what_a_run_sets(admin):
    for name, value in THROTTLES.items():
        admin.mon({"prefix": "config set", "who": "osd", "name": name, "value": value})
    admin.mon({"prefix": "config set", "who": "osd", "name": "osd_crush_initial_weight", "value": "0"})
    admin.mon({"prefix": "osd set", "key": "norebalance"})


def unset_by_the_operator_but_stored(admin):
    """The throttles the operator had not set that the monitors now hold. Tentacle's monitors
    accept `config set osd osd_recovery_max_active` and store nothing (measured 2026-12-01):
    only what they hold can differ from the record."""
    return [n for n in ("osd_recovery_max_active", "osd_recovery_sleep") if config(admin, "osd", n) is not None]


def test_a_killed_run_then_a_second_run_restore_what_was_there_before_both(
        ceph_cluster, admin, run_module, operator_settings):
    conn = {"cluster_conf": ceph_cluster.conf}
    record = dict(conn, name="exp-test", state="recorded", config=OPTIONS, flags=["norebalance"], note="expansion of osd4")

    # check mode computes the record and writes nothing; the real run writes the same record
    check = run_module("ceph_change_record", record, check=True, diff=True)
    assert check.changed and stored(admin, "exp-test") is None
    real = run_module("ceph_change_record", record, diff=True)
    assert real.changed and not real.result["resumed"]
    for r in (check, real):
        assert {e["name"]: e["value"] for e in r.result["record"]["config"]} == {
            "osd_max_backfills": "3", "osd_recovery_max_active": None, "osd_recovery_sleep": None,
            "osd_crush_initial_weight": None}
        assert r.result["record"]["flags"] == {"norebalance": False}
    assert check.result["diff"]["after"].replace(check.result["record"]["created"], "") == \
        real.result["diff"]["after"].replace(real.result["record"]["created"], "")
    assert stored(admin, "exp-test") == real.result["record"]

    # the run sets its throttles, weight and flag, then the controller dies: nothing restored
    what_a_run_sets(admin)

    # the next run records again: the first record stays (resumed), not the values the dead run set
    again = run_module("ceph_change_record", record)
    assert not again.changed and again.result["resumed"]
    assert stored(admin, "exp-test") == real.result["record"]
    what_a_run_sets(admin)

    # part of it is put back first (the initial weight, once the OSDs exist): only that entry
    only = dict(conn, name="exp-test", state="restored", only=["config:osd/osd_crush_initial_weight"])
    r = run_module("ceph_change_record", only)
    assert r.changed and r.result["restored"] == ["config:osd/osd_crush_initial_weight=(not set)"]
    assert config(admin, "osd", "osd_crush_initial_weight") is None
    assert config(admin, "osd", "osd_max_backfills") == "2" and "norebalance" in flags(admin)
    assert "osd_crush_initial_weight" not in [e["name"] for e in stored(admin, "exp-test")["config"]]

    # the rest: check mode says exactly what the real run then does
    restore = dict(conn, name="exp-test", state="restored")
    check = run_module("ceph_change_record", restore, check=True, diff=True)
    assert check.changed and config(admin, "osd", "osd_max_backfills") == "2"
    stored_by_the_run = unset_by_the_operator_but_stored(admin)
    real = run_module("ceph_change_record", restore, diff=True)
    assert real.changed
    assert "osd_recovery_sleep" in stored_by_the_run
    assert check.result["restored"] == real.result["restored"] == (
        ["config:osd/osd_max_backfills=3"] + ["config:osd/%s=(not set)" % n for n in stored_by_the_run]
        + ["flag:norebalance=unset"])
    assert check.result["diff"] == real.result["diff"]
    assert config(admin, "osd", "osd_max_backfills") == "3"
    assert config(admin, "osd", "osd_recovery_max_active") is None
    assert config(admin, "osd", "osd_recovery_sleep") is None
    assert "norebalance" not in flags(admin)
    assert stored(admin, "exp-test") is None and real.result["record"] is None

    # nothing left: a rerun (and its check mode) changes nothing
    assert not run_module("ceph_change_record", restore, check=True).changed
    assert not run_module("ceph_change_record", restore).changed


def test_a_refused_put_back_keeps_the_record_and_says_what_it_did(ceph_cluster, admin, run_module, operator_settings, tmp_path):
    """Injected refusal: a user that may put back config options but not unset flags. The
    options are put back, the flag is refused: the run says what it did and keeps the record
    whole, and a run with the admin then finishes the job."""
    conn = {"cluster_conf": ceph_cluster.conf}
    record = dict(conn, name="exp-test", state="recorded", config=OPTIONS, flags=["norebalance"])
    assert run_module("ceph_change_record", record).changed
    what_a_run_sets(admin)
    user = "record-limited"
    caps = ["mon", 'allow r, allow command "config-key get", allow command "config dump", '
                   'allow command "config set", allow command "config rm"']
    key = admin.mon({"prefix": "auth get-or-create", "entity": "client." + user, "caps": caps})[0]["key"]
    keyring = tmp_path / "keyring"
    fd = os.open(keyring, os.O_WRONLY | os.O_CREAT, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("[client.%s]\n\tkey = %s\n" % (user, key))
    try:
        restore = dict(conn, name="exp-test", state="restored")
        stored_by_the_run = unset_by_the_operator_but_stored(admin)
        r = run_module("ceph_change_record", dict(restore, cluster_user=user, cluster_keyring=str(keyring)))
        assert r.failed and r.changed, r.result
        assert r.result["changes"] == (
            ["put back config:osd/osd_max_backfills=3"]
            + ["put back config:osd/%s=(not set)" % n for n in stored_by_the_run]
            + ["put back config:osd/osd_crush_initial_weight=(not set)"])
        assert r.result["not_done"] == ["flag:norebalance=unset"]
        assert "norebalance" in flags(admin) and config(admin, "osd", "osd_max_backfills") == "3"
        assert len(stored(admin, "exp-test")["config"]) == 4, "the record must stay whole"
        r = run_module("ceph_change_record", restore)
        assert r.changed and r.result["restored"] == ["flag:norebalance=unset"]
        assert "norebalance" not in flags(admin) and stored(admin, "exp-test") is None
    finally:
        admin.delete_user(user)


@pytest.mark.parametrize("args, message", [
    ({"name": "exp\n"}, "record name"),
    ({"name": "Exp"}, "record name"),
    ({"config": ["osd/osd_max_backfills\n"]}, "not an option name"),
    ({"config": ["osd_max_backfills"]}, "expected WHO/NAME"),
    ({"flags": ["sortbitwise"]}, "unsettable OSD flag"),
    ({"note": "a\nb"}, "control characters"),
])
def test_bad_input_is_refused_before_the_cluster_is_asked(ceph_cluster, admin, run_module, args, message):
    base = {"cluster_conf": ceph_cluster.conf, "name": "exp-test", "state": "recorded"}
    r = run_module("ceph_change_record", dict(base, **args))
    assert r.failed and not r.changed and message in r.msg, r.result
    assert stored(admin, "exp-test") is None
