"""ceph_daemon_keyring and ceph_osd on the real cluster: the key goes from the monitors (or the
OSD's secret file) into the keyring file only; check mode plans what the real run does, also
for an entity or OSD that does not exist yet (path, owner, mode, the id the monitors give)."""

import os
import subprocess
import uuid as uuidlib

import pytest

pytestmark = pytest.mark.ceph

ENTITY = "client.dk-test"
CAPS = {"mon": "allow r"}


@pytest.fixture
def entity(admin):
    admin.delete_user(ENTITY)
    yield ENTITY
    admin.delete_user(ENTITY)


def _keyring_key(path):
    for line in open(path):
        if line.strip().startswith("key"):
            return line.split("=", 1)[1].strip()
    return None


def test_daemon_keyring_check_mode_plans_a_new_entity_then_the_real_run_matches(
        run_module, ceph_cluster, admin, entity, tmp_path):
    path = tmp_path / "keyring"
    args = {"entity": entity, "caps": CAPS, "path": str(path), "mode": "0640", "owner": "root", "group": "root",
            "cluster_conf": ceph_cluster.conf}
    check = run_module("ceph_daemon_keyring", args, check=True)
    assert not check.failed, check.msg
    assert check.changed and check.result["created"]
    plan = check.result["keyring"]
    assert plan == {"path": str(path), "would_write": True, "exists": False, "owner": "root", "group": "root",
                    "mode": "0640"}
    assert not admin.user_exists(entity) and not path.exists()

    real = run_module("ceph_daemon_keyring", args)
    assert real.changed and real.result["created"] and not real.failed, real.msg
    assert {k: real.result["keyring"][k] for k in plan} == dict(plan, exists=True)
    assert _keyring_key(path) == admin.get_key(entity)
    assert (os.stat(path).st_mode & 0o7777) == 0o640
    assert admin.get_key(entity) not in real.stdout + real.stderr

    again_check = run_module("ceph_daemon_keyring", args, check=True)
    again = run_module("ceph_daemon_keyring", args)
    assert (again_check.changed, again.changed) == (False, False)

    new_caps = dict(args, caps={"mon": "allow r", "osd": "allow r"})
    check = run_module("ceph_daemon_keyring", new_caps, check=True)
    real = run_module("ceph_daemon_keyring", new_caps)
    assert (check.changed, check.result["caps_changed"]) == (real.changed, real.result["caps_changed"]) == (True, True)


def test_daemon_keyring_check_mode_refuses_what_the_real_run_would_refuse(run_module, ceph_cluster, entity, tmp_path):
    args = {"entity": entity, "caps": CAPS, "path": str(tmp_path / "keyring"), "owner": "no-such-user-dk",
            "cluster_conf": ceph_cluster.conf}
    for check in (True, False):
        r = run_module("ceph_daemon_keyring", args, check=check)
        assert r.failed and "does not exist on this host" in r.msg


def test_daemon_keyring_check_mode_says_when_the_directory_is_not_there_yet(run_module, ceph_cluster, entity, tmp_path):
    path = tmp_path / "made-later" / "keyring"
    r = run_module("ceph_daemon_keyring", {"entity": entity, "caps": CAPS, "path": str(path),
                                           "cluster_conf": ceph_cluster.conf}, check=True)
    assert not r.failed and r.changed
    assert "does not exist" in r.result["keyring"]["unknown"]


@pytest.fixture
def new_osd(admin):
    """A fresh OSD uuid and its secret file; the OSD (never started) is purged afterwards."""
    made = {}
    yield made
    if "id" in made:
        admin.mon({"prefix": "osd purge-new", "id": made["id"], "yes_i_really_mean_it": True})


def test_ceph_osd_check_mode_gives_the_id_the_monitors_give(run_module, ceph_cluster, admin, new_osd, tmp_path):
    secret = subprocess.run(["ceph-authtool", "--gen-print-key"], capture_output=True, text=True,
                            check=True).stdout.strip()
    key_file = tmp_path / "osd-key"
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(secret + "\n")
    osd_uuid = str(uuidlib.uuid4())
    args = {"uuid": osd_uuid, "key_file": str(key_file), "keyring": str(tmp_path / "osd-{id}.keyring"),
            "owner": "root", "group": "root", "cluster_conf": ceph_cluster.conf}
    check = run_module("ceph_osd", args, check=True)
    assert not check.failed and check.changed and check.result["osd_id_planned"], check.msg
    real = run_module("ceph_osd", args)
    assert not real.failed and real.changed and real.result["created"], real.msg
    new_osd["id"] = real.result["osd_id"]
    assert check.result["osd_id"] == real.result["osd_id"]
    assert check.result["keyring"] == real.result["keyring"] == str(tmp_path / ("osd-%d.keyring" % new_osd["id"]))
    assert _keyring_key(real.result["keyring"]) == secret == admin.get_key("osd.%d" % new_osd["id"])
    check = run_module("ceph_osd", args, check=True)
    real = run_module("ceph_osd", args)
    assert (check.changed, real.changed, check.result["osd_id_planned"]) == (False, False, False)


def test_ceph_osd_check_mode_plans_the_keyring_when_the_secret_comes_later(run_module, ceph_cluster, admin, tmp_path):
    args = {"uuid": str(uuidlib.uuid4()), "key_file": str(tmp_path / "made-later"),
            "keyring": str(tmp_path / "osd-{id}.keyring"), "owner": "root", "group": "root",
            "cluster_conf": ceph_cluster.conf}
    check = run_module("ceph_osd", args, check=True)
    assert not check.failed and check.changed, check.msg
    assert check.result["keyring_plan"]["would_write"] and check.result["keyring_plan"]["owner"] == "root"
    real = run_module("ceph_osd", args)
    assert real.failed and "generate the OSD's secret first" in real.msg


def test_daemon_keyring_bad_directory_refuses_before_the_entity_is_made(run_module, ceph_cluster, admin, entity, tmp_path):
    r = run_module("ceph_daemon_keyring", {"entity": entity, "caps": CAPS, "path": str(tmp_path / "nodir" / "keyring"),
                                           "cluster_conf": ceph_cluster.conf})
    assert r.failed and not r.changed and "nothing was changed" in r.msg
    assert not admin.user_exists(entity)


def test_ceph_osd_bad_keyring_owner_refuses_before_the_osd_is_registered(run_module, ceph_cluster, admin, tmp_path):
    secret = subprocess.run(["ceph-authtool", "--gen-print-key"], capture_output=True, text=True,
                            check=True).stdout.strip()
    key_file = tmp_path / "osd-key"
    key_file.write_text(secret + "\n")
    osd_uuid = str(uuidlib.uuid4())
    before = admin.mon({"prefix": "osd dump"})["max_osd"]
    r = run_module("ceph_osd", {"uuid": osd_uuid, "key_file": str(key_file), "owner": "no-such-user-osd",
                                "keyring": str(tmp_path / "osd-{id}.keyring"), "cluster_conf": ceph_cluster.conf})
    assert r.failed and not r.changed and "nothing was changed" in r.msg, r.result
    dump = admin.mon({"prefix": "osd dump"})
    assert dump["max_osd"] == before and all(o["uuid"] != osd_uuid for o in dump["osds"])
