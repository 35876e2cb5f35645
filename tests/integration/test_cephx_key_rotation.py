"""cephx_key_rotation on the real cluster: a pending key next to the old one (both log in until
the pending key is first used), resumed by a re-run, committed (the old key refused from then
on), retired by its first use (the monitors commit it themselves), or cleared (the old key
stays); check mode changes nothing. On monitors without pending keys (Pacific) the module
refuses before any change and says so."""

import hashlib
import os
import time

import pytest

pytestmark = pytest.mark.ceph

USER = "rot-test"
ENTITY = "client." + USER


def has_pending_keys(admin):
    return admin.offers("auth get-or-create-pending")


def fingerprint(key):
    return "SHA256:" + hashlib.sha256(key.encode("ascii")).hexdigest()[:16]


def export(admin):
    return admin.mon({"prefix": "auth export", "entity": ENTITY})[0]


def logs_in(ceph_cluster, tmp_path, key):
    """A librados login as the user with KEY, from a keyring file (never an argument)."""
    import rados
    path = tmp_path / ("keyring-%d" % len(os.listdir(tmp_path)))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("[%s]\n\tkey = %s\n" % (ENTITY, key))
    cluster = rados.Rados(conffile=ceph_cluster.conf, rados_id=USER,
                          conf={"keyring": str(path), "client_mount_timeout": "10"})
    try:
        cluster.connect(timeout=10)
    except (rados.PermissionDeniedError, rados.Error):
        return False
    finally:
        path.unlink()
    cluster.shutdown()
    return True


@pytest.fixture
def user(admin):
    admin.mon({"prefix": "auth get-or-create", "entity": ENTITY, "caps": ["mon", "allow r"]})
    yield export(admin)["key"]
    admin.mon({"prefix": "auth rm", "entity": ENTITY})


@pytest.mark.skip_allowed_in_ci  # runs where the release has no pending keys
def test_without_pending_keys_the_module_refuses_and_changes_nothing(run_module, admin, ceph_cluster, user):
    if has_pending_keys(admin):
        pytest.skip("these monitors have pending keys (Reef 18.2 and later): the rotation tests below run")
    r = run_module("cephx_key_rotation", {"cluster_conf": ceph_cluster.conf, "name": USER})
    assert r.failed and not r.changed
    assert "no pending keys" in r.msg and "Pacific" in r.msg, r.msg
    assert export(admin)["key"] == user


@pytest.mark.skip_allowed_in_ci  # runs where the release has pending keys
def test_pending_key_resumed_then_committed_refuses_the_old(run_module, admin, ceph_cluster, user, tmp_path):
    if not has_pending_keys(admin):
        pytest.skip("these monitors have no pending keys (Pacific): the refusal test above runs")
    conn = {"cluster_conf": ceph_cluster.conf, "name": USER}
    old = user

    check = run_module("cephx_key_rotation", conn, check=True, diff=True)
    assert check.changed and not check.failed, check.msg
    assert not export(admin).get("pending_key")
    assert check.result["diff"]["after"]["pending_key"] == "(created by the run)"

    real = run_module("cephx_key_rotation", conn)
    assert real.changed and real.result["pending"], real.msg
    new = export(admin)["pending_key"]
    assert new and new != old and "pending_key" not in real.result and "key" not in real.result
    assert real.result["pending_key_fingerprint"] == fingerprint(new)
    assert real.result["key_fingerprint"] == real.result["previous_key_fingerprint"] == fingerprint(old)
    # the old key still logs in, and a re-run (an interrupted rotation resumed) keeps the same
    # pending key
    assert logs_in(ceph_cluster, tmp_path, old)
    again = run_module("cephx_key_rotation", conn)
    assert not again.changed and again.result["pending_key_fingerprint"] == fingerprint(new)

    # commit: check mode first, then for real
    commit = dict(conn, state="committed")
    check = run_module("cephx_key_rotation", commit, check=True)
    assert check.changed and export(admin).get("pending_key") == new, check.result
    assert check.result["key_fingerprint"] == fingerprint(new)
    done = run_module("cephx_key_rotation", commit, diff=True)
    assert done.changed and not done.result["pending"], done.result
    assert (done.result["previous_key_fingerprint"], done.result["key_fingerprint"]) == (fingerprint(old), fingerprint(new))
    assert export(admin)["key"] == new and not export(admin).get("pending_key")
    assert logs_in(ceph_cluster, tmp_path, new)
    assert not logs_in(ceph_cluster, tmp_path, old)
    assert not run_module("cephx_key_rotation", commit).changed


@pytest.mark.skip_allowed_in_ci  # runs where the release has pending keys
def test_the_first_login_with_the_pending_key_retires_the_old_one(run_module, admin, ceph_cluster, user, tmp_path):
    """What the monitors do on their own (Tentacle 20.2.4: about 2 s after the login): the
    reason the pending key is a handover for clients that re-read their keyring (the SC), not an
    overlap for clients that keep the old key in memory (guests)."""
    if not has_pending_keys(admin):
        pytest.skip("these monitors have no pending keys (Pacific)")
    assert run_module("cephx_key_rotation", {"cluster_conf": ceph_cluster.conf, "name": USER}).changed
    new = export(admin)["pending_key"]
    assert logs_in(ceph_cluster, tmp_path, new)
    deadline = time.monotonic() + 60
    while export(admin).get("pending_key") and time.monotonic() < deadline:
        time.sleep(0.5)
    assert export(admin)["key"] == new and not export(admin).get("pending_key")
    assert not logs_in(ceph_cluster, tmp_path, user)
    # nothing is pending any more: a commit has nothing to do
    r = run_module("cephx_key_rotation", {"cluster_conf": ceph_cluster.conf, "name": USER, "state": "committed"})
    assert not r.changed and r.result["key_fingerprint"] == fingerprint(new)


@pytest.mark.skip_allowed_in_ci  # runs where the release has pending keys
def test_a_cleared_rotation_keeps_the_old_key(run_module, admin, ceph_cluster, user, tmp_path):
    if not has_pending_keys(admin):
        pytest.skip("these monitors have no pending keys (Pacific)")
    conn = {"cluster_conf": ceph_cluster.conf, "name": USER}
    assert run_module("cephx_key_rotation", conn).changed
    pending = export(admin)["pending_key"]
    r = run_module("cephx_key_rotation", dict(conn, state="cleared"))
    assert r.changed and not r.result["pending"] and r.result["key_fingerprint"] == r.result["previous_key_fingerprint"]
    assert export(admin)["key"] == user and not export(admin).get("pending_key")
    assert logs_in(ceph_cluster, tmp_path, user)
    assert not logs_in(ceph_cluster, tmp_path, pending)
    assert not run_module("cephx_key_rotation", dict(conn, state="cleared")).changed


def test_bad_input_and_a_missing_user_fail_before_any_change(run_module, admin, ceph_cluster):
    conn = {"cluster_conf": ceph_cluster.conf}
    r = run_module("cephx_key_rotation", dict(conn, name="client.x"))
    assert r.failed and "without the 'client.' prefix" in r.msg
    r = run_module("cephx_key_rotation", dict(conn, name="x\ny"))
    assert r.failed and "invalid cephx user name" in r.msg
    r = run_module("cephx_key_rotation", dict(conn, name=USER, return_keys=True))
    assert r.failed and "no_log" in r.msg
    if has_pending_keys(admin):
        r = run_module("cephx_key_rotation", dict(conn, name="rot-missing"))
        assert r.failed and not r.changed and "does not exist" in r.msg, r.msg
