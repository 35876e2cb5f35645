# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The storage_controller role's rotate entry point (playbooks/rotate.yml) on the real cluster,
while a client does what the Eucalyptus SC does for every EBS operation: read the cloud
properties (the fake euctl's store), open a new librados handle as `cephuser` with
`cephkeyringfile`, create and delete an image. Not one of its operations may fail through the
rotation; afterwards the old key is refused, the keyring holds the new one, and a site re-run
changes nothing. Check mode changes nothing. On Pacific (no pending keys) the handover refuses,
changes nothing and names the fallback: the rotation by user generations, which runs on every
release (a second user, the cephuser property switched, the first user retired once unused)."""

from __future__ import annotations

import json
import os
import threading
import time

import pytest

from test_storage_controller_role import FAKE, PlaybookRun, Site, _apt_ready

pytestmark = pytest.mark.ceph


def has_pending_keys(admin):
    return admin.offers("auth get-or-create-pending")


def key_in(path) -> str:
    for line in open(path):
        if line.strip().startswith("key ="):
            return line.split("=", 1)[1].strip()
    raise AssertionError("no key in %s" % path)


class StorageControllerOps(threading.Thread):
    """One EBS-like operation after another, as the SC makes them: properties read again, a new
    handle, the keyring file read again, an image created and deleted."""

    def __init__(self, site: Site, pool: str):
        super().__init__(daemon=True)
        self.site, self.pool = site, pool
        self.ok, self.failed, self.users = [], [], []
        self.stop = threading.Event()

    def run(self):
        import rados
        import rbd
        prefix = "one.storage."
        n = 0
        while not self.stop.is_set():
            props = self.site.store()
            user, keyring, conf = (props[prefix + "cephuser"], props[prefix + "cephkeyringfile"],
                                   props[prefix + "cephconfigfile"])
            n += 1
            image = "sc-op-%d-%d" % (os.getpid(), n)
            started = time.time()
            try:
                cluster = rados.Rados(conffile=conf, rados_id=user,
                                      conf={"keyring": keyring, "client_mount_timeout": "15"})
                cluster.connect(timeout=15)
                try:
                    with cluster.open_ioctx(self.pool) as ioctx:
                        rbd.RBD().create(ioctx, image, 1 << 20, old_format=False, features=rbd.RBD_FEATURE_LAYERING)
                        rbd.RBD().remove(ioctx, image)
                finally:
                    cluster.shutdown()
                self.ok.append(started)
                self.users.append(user)
            except Exception as exc:  # every failure counts, whatever its kind
                self.failed.append((started, "%s: %s" % (type(exc).__name__, exc)))
            time.sleep(0.05)


@pytest.fixture(scope="module")
def names(admin):
    if os.geteuid() != 0:
        pytest.skip("needs root (groupadd, chown, apt)")
    if not FAKE.exists():
        pytest.skip(f"{FAKE} is missing")
    reason = _apt_ready()
    if reason:
        pytest.skip(reason)
    pid = os.getpid()
    user, vol, snap = f"scrot-{pid}", f"scrot-vol-{pid}", f"scrot-snap-{pid}"
    admin.create_pool(vol)
    admin.create_pool(snap)
    yield user, vol, snap
    admin.delete_user(user)
    admin.delete_pool(vol)
    admin.delete_pool(snap)


def write_rotate_playbook(site: Site, **extra_vars):
    path = site.root / "rotate.yml"
    path.write_text(json.dumps([{
        "name": "Rotate the Storage Controllers' key", "hosts": "euca_sc", "gather_facts": False,
        "vars": dict(site.vars, **extra_vars),
        "tasks": [{"name": "Rotate", "ansible.builtin.include_role": {
            "name": "eucalyptus.ceph.storage_controller", "tasks_from": "rotate.yml"}}]}], indent=2))
    return path


@pytest.fixture(scope="module")
def site(ceph_cluster, names, run_module, tmp_path_factory):
    user, vol, snap = names
    s = Site(tmp_path_factory.mktemp("sc-rotation"), ceph_cluster, user, vol, snap)
    run = play(run_module, s, s.playbook)
    assert run.failures == [] and run.proc.returncode == 0, run.failures or run.output[-4000:]
    return s


def play(run_module, site: Site, playbook, check=False) -> PlaybookRun:
    argv = [run_module.ansible_playbook, "-i", str(site.inventory), str(playbook)] + (["--check"] if check else [])
    proc = run_module.run_playbook(argv, "the storage_controller role", cwd=site.root, env=run_module.env(),
                                   text=True, capture_output=True, timeout=900, check=False)
    return PlaybookRun(proc)


def export(admin, user):
    return admin.mon({"prefix": "auth export", "entity": "client." + user})[0]


@pytest.mark.skip_allowed_in_ci  # runs where the release has pending keys
def test_rotation_under_sc_operations_fails_none_and_refuses_the_old_key(admin, names, site, run_module, tmp_path):
    if not has_pending_keys(admin):
        pytest.skip("these monitors have no pending keys (Pacific): the refusal test runs")
    user, vol, _snap = names
    old = export(admin, user)["key"]
    assert key_in(site.keyring) == old
    rotate = write_rotate_playbook(site)

    check = play(run_module, site, rotate, check=True)
    assert check.proc.returncode == 0 and check.failures == [], check.failures or check.output[-3000:]
    # what would change is the user's pending key, and nothing else
    assert check.changed_tasks and all("the SC's user" in t for t in check.changed_tasks), check.changed_tasks
    assert not export(admin, user).get("pending_key") and key_in(site.keyring) == old

    ops = StorageControllerOps(site, vol)
    ops.start()
    time.sleep(3)
    t0 = time.time()
    run = play(run_module, site, rotate)
    t1 = time.time()
    time.sleep(3)
    ops.stop.set()
    ops.join(60)
    assert run.proc.returncode == 0 and run.failures == [], run.failures or run.output[-4000:]
    assert ops.failed == [], ops.failed[:5]
    during = [t for t in ops.ok if t0 <= t <= t1]
    after = [t for t in ops.ok if t > t1]
    print("\n[sc rotation] %.1f s; SC operations: %d ok (%d during the run, %d after), 0 failed"
          % (t1 - t0, len(ops.ok), len(during), len(after)))
    assert during and after

    now = export(admin, user)
    assert now["key"] != old and not now.get("pending_key")
    assert key_in(site.keyring) == now["key"]
    # the old key is refused
    import rados
    old_keyring = tmp_path / "old.keyring"
    fd = os.open(old_keyring, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("[client.%s]\n\tkey = %s\n" % (user, old))
    cluster = rados.Rados(conffile=str(site.conf), rados_id=user, conf={"keyring": str(old_keyring)})
    with pytest.raises(rados.Error):
        cluster.connect(timeout=10)

    # the site deployment agrees with the rotated key: nothing to change
    again = play(run_module, site, site.playbook)
    assert again.proc.returncode == 0 and again.changed_tasks == [], again.changed_tasks


@pytest.mark.skip_allowed_in_ci  # runs where the release has no pending keys
def test_without_pending_keys_rotation_refuses_and_changes_nothing(admin, names, site, run_module):
    if has_pending_keys(admin):
        pytest.skip("these monitors have pending keys: the rotation test runs")
    user = names[0]
    before = export(admin, user)["key"]
    run = play(run_module, site, write_rotate_playbook(site))
    assert run.proc.returncode != 0
    assert any("no pending keys" in (msg or "") for _task, msg in run.failures), run.failures
    assert export(admin, user)["key"] == before and key_in(site.keyring) == before


def debug_messages(run: PlaybookRun, task_name: str) -> list:
    return [task["hosts"]["localhost"].get("msg") for p in run.doc["plays"] for task in p["tasks"]
            if task["task"]["name"].split(" : ")[-1] == task_name and "localhost" in task["hosts"]]


def login_refused(site: Site, user: str, key: str, tmp_path) -> bool:
    import rados
    path = tmp_path / ("%s.keyring" % user)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("[client.%s]\n\tkey = %s\n" % (user, key))
    cluster = rados.Rados(conffile=str(site.conf), rados_id=user, conf={"keyring": str(path)})
    try:
        cluster.connect(timeout=10)
    except rados.Error:
        return True
    finally:
        cluster.shutdown()
    return False


@pytest.fixture(scope="module")
def generation_site(ceph_cluster, names, admin, run_module, tmp_path_factory):
    """A zone of its own for the rotation by user generations (the handover tests keep theirs)."""
    _user, vol, snap = names
    user = "scgen-%d" % os.getpid()
    s = Site(tmp_path_factory.mktemp("sc-generations"), ceph_cluster, user, vol, snap)
    run = play(run_module, s, s.playbook)
    assert run.failures == [] and run.proc.returncode == 0, run.failures or run.output[-4000:]
    yield s
    for u in (user, user + ".gen2"):
        admin.delete_user(u)


def test_rotation_by_user_generations_under_sc_operations(admin, generation_site, run_module, tmp_path):
    """Every release (on Pacific the only rotation): the SC switches to client.<user>.gen2 while
    it works, not one operation fails, and generation 1 is retired once no session uses it."""
    site = generation_site
    user = site.vars["ebs_sc_user"]
    gen2 = user + ".gen2"
    vol = site.vars["ebs_volume_pools"][0]
    cephuser = "one.storage.cephuser"
    before = export(admin, user)
    old = before["key"]

    # refused before any change: text by the argument spec, 0 by the role's own check
    for wrong, says in (("2x", "cannot be converted to an int"), (0, "a whole number from 1 to 999999")):
        bad = play(run_module, site, write_rotate_playbook(site, ebs_sc_user_generation=wrong))
        assert bad.proc.returncode != 0 and any(says in (m or "") for _t, m in bad.failures), bad.failures
        assert bad.changed_tasks == [] and site.store()[cephuser] == user

    rotate = write_rotate_playbook(site, ebs_sc_user_generation=2)
    check = play(run_module, site, rotate, check=True)
    assert check.proc.returncode == 0 and check.failures == [], check.failures or check.output[-3000:]
    assert "check mode, and the switch would create the new user first" in " ".join(
        debug_messages(check, "Report the rotation")), check.output[-3000:]
    assert site.store()[cephuser] == user and key_in(site.keyring) == old
    assert "client." + gen2 not in admin.all_keys()

    ops = StorageControllerOps(site, vol)
    ops.start()
    time.sleep(3)
    # a run interrupted before the switch (euctl fails to write cephuser): the new user and its
    # keyring section exist, the SC still works as generation 1, and the next run resumes
    broken = site.root / "euctl-broken"
    broken.write_text("#!/bin/sh\ncase \"$*\" in *cephuser=*) echo 'euctl: cannot reach the cloud' >&2; exit 1;; esac\n"
                      "exec '%s' \"$@\"\n" % site.euctl)
    broken.chmod(0o755)
    cut = play(run_module, site, write_rotate_playbook(site, ebs_sc_user_generation=2,
                                                       storage_controller_euctl_path=str(broken)))
    assert cut.proc.returncode != 0 and any("cephuser" in str(m) for _t, m in cut.failures), cut.failures
    assert site.store()[cephuser] == user and "client." + gen2 in admin.all_keys()
    text = open(site.keyring).read()
    assert "[client.%s]\n" % gen2 in text and "[client.%s]\n" % user in text
    assert ops.failed == [], ops.failed[:5]

    rotate = write_rotate_playbook(site, ebs_sc_user_generation=2)  # the same file, euctl mended
    t0 = time.time()
    run = play(run_module, site, rotate)
    t1 = time.time()
    runs = 1
    # what the first run kept (an SC operation still running as generation 1), a second one retires
    while "Retired: none" in " ".join(debug_messages(run, "Report the rotation")) and runs < 3:
        time.sleep(2)
        run = play(run_module, site, rotate)
        runs += 1
    time.sleep(3)
    ops.stop.set()
    ops.join(60)
    assert run.proc.returncode == 0 and run.failures == [], run.failures or run.output[-4000:]
    report = " ".join(debug_messages(run, "Report the rotation"))
    assert "Retired: client.%s." % user in report, report
    assert ops.failed == [], ops.failed[:5]
    switched = [u for u in ops.users if u == gen2]
    print("\n[sc generations] switch + retirement %.1f s (%d run(s)); SC operations: %d ok (%d as %s), 0 failed"
          % (t1 - t0, runs, len(ops.ok), len(switched), gen2))
    assert user in ops.users and ops.users[-1] == gen2 and switched

    assert site.store()[cephuser] == gen2
    assert site.store()["one.storage.cephkeyringfile"] == str(site.keyring)
    new = export(admin, gen2)["key"]
    assert open(site.keyring).read().startswith("[client.%s]\n\tkey = %s\n" % (gen2, new))
    assert "[client.%s]\n" % user not in open(site.keyring).read()
    assert export(admin, gen2)["caps"] == before["caps"]
    # generation 1 is gone: its key is refused
    assert login_refused(site, user, old, tmp_path)

    # the site deployment at generation 2 and the rotation again: nothing to change
    site.vars["ebs_sc_user_generation"] = 2
    site.write_playbook()
    again = play(run_module, site, site.playbook)
    assert again.proc.returncode == 0 and again.changed_tasks == [], again.changed_tasks
    again = play(run_module, site, rotate)
    assert again.proc.returncode == 0 and again.changed_tasks == [], again.changed_tasks
