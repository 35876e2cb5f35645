"""Self-test of the integration harness: if these fail, no other integration result means much."""

import json
import os
import subprocess
import sys
import time
import uuid

import pytest
from conftest import installed_collections_path

pytestmark = pytest.mark.ceph


def test_cluster_is_healthy(ceph_cluster, admin):
    st = admin.status()
    assert st["health"]["status"] == "HEALTH_OK", st["health"]
    assert st["fsid"] == ceph_cluster.fsid
    osd = st["osdmap"]
    assert osd["num_osds"] >= 3
    assert osd["num_up_osds"] == osd["num_in_osds"] == osd["num_osds"]
    # bound to the loopback address we asked for, and cephx is on
    mons = admin.mon({"prefix": "mon dump"})["mons"]
    assert all(a["addr"].startswith(ceph_cluster.ip + ":") for m in mons for a in m["public_addrs"]["addrvec"])
    conf = open(ceph_cluster.conf).read()
    assert "auth_client_required = cephx" in conf
    assert os.stat(ceph_cluster.admin_keyring).st_mode & 0o077 == 0


def test_rados_write_read(admin):
    pool = "harness-selftest"
    admin.create_pool(pool, pg_num=8, application="rbd", rbd_init=False)
    try:
        payload = uuid.uuid4().bytes * 1000
        with admin.open_ioctx(pool) as io:
            io.write_full("obj", payload)
            assert io.read("obj", length=len(payload) + 10) == payload
            io.remove_object("obj")
    finally:
        admin.delete_pool(pool)
    assert not admin.pool_exists(pool)


def test_argv_watcher_catches_a_planted_secret(argv_watcher):
    """The watcher must be able to fail: plant a marker on a process's argv and see it."""
    marker = f"SECRETX-{uuid.uuid4().hex}"
    with argv_watcher([marker]) as w:
        proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)", marker])
        try:
            deadline = time.monotonic() + 60
            while not w.hits and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            proc.kill()
            proc.wait()
    assert [h.pid for h in w.hits] == [proc.pid]
    assert marker not in " ".join(w.hits[0].argv)      # reported masked
    assert "<SECRET#0>" in w.hits[0].argv
    assert w.samples >= 2


def test_argv_watcher_quiet_without_secret(argv_watcher):
    # wait for a number of samples, not for a time: a busy machine samples more slowly
    with argv_watcher([f"NOT-THERE-{uuid.uuid4().hex}"]) as w:
        deadline = time.monotonic() + 60
        while w.samples <= 10 and time.monotonic() < deadline:
            time.sleep(0.05)
    assert w.hits == []
    assert w.samples > 10


def test_run_module_keeps_args_off_argv(run_module, argv_watcher):
    """Module args travel in a 0600 playbook file, not on any command line."""
    marker = f"SECRETY-{uuid.uuid4().hex}"
    with argv_watcher([marker]) as w:
        run = run_module("ansible.builtin.ping", {"data": marker}, verbosity=3)
    assert run.rc == 0, run.stderr
    assert run.result["ping"] == marker
    assert run.failed is False and run.changed is False
    assert w.hits == []
    assert w.samples > 5
    assert marker not in json.dumps(run.argv)


def test_run_module_reports_failure_and_check_mode(run_module):
    run = run_module("ansible.builtin.ping", {"data": "crash"}, check=True)
    assert run.rc != 0
    assert run.failed is True
    missing = run_module("no_such_module_xyz", {})
    assert missing.failed and "no_such_module_xyz" in missing.msg


def test_collection_is_resolvable(run_module):
    """ansible resolves eucalyptus.ceph to the installed Galaxy artifact, not to the source tree."""
    env = run_module.env()
    p = subprocess.run([os.path.join(os.path.dirname(run_module.ansible_playbook), "ansible-galaxy"),
                        "collection", "list", "eucalyptus.ceph", "--format", "json"],
                       env=env, text=True, capture_output=True, timeout=120, check=False)
    assert p.returncode == 0, p.stderr
    found = json.loads(p.stdout)
    assert list(found) == [str(installed_collections_path() / "ansible_collections")], found
    assert "eucalyptus.ceph" in next(iter(found.values())), found


def test_exec_tracer_catches_a_key_in_argv_and_in_the_environment(ceph_cluster, admin, run_module):
    """The tracer is not a sample: a key in the argv, or in the environment, of one short exec
    anywhere in the run's process tree fails the run's check."""
    if not run_module.tracer.enabled or not run_module.tracer.strace:
        pytest.skip("exec tracing is off here (EUCA_TRACE_EXEC=0 or no strace)")
    user = "tracer-%s" % uuid.uuid4().hex[:6]
    admin.mon({"prefix": "auth get-or-create", "entity": "client." + user, "caps": ["mon", "allow r"]})
    key = admin.get_key(user)
    try:
        for task in ({"ansible.builtin.command": {"argv": ["/bin/true", key]}},
                     {"ansible.builtin.shell": "exec /bin/true", "environment": {"LEAK": key}}):
            with pytest.raises(pytest.fail.Exception) as caught:
                _run_task(run_module, task)
            assert "client.%s" % user in str(caught.value) and key not in str(caught.value)
        # and without the key, the same runs pass the check
        _run_task(run_module, {"ansible.builtin.command": {"argv": ["/bin/true", "no-key-here"]}})
    finally:
        admin.delete_user(user)


def _run_task(run_module, task):
    """One ad-hoc task through a traced ansible-playbook run (task may carry 'environment')."""
    import tempfile
    d = tempfile.mkdtemp(dir=run_module.tmp_root)
    play = os.path.join(d, "play.yml")
    fd = os.open(play, os.O_WRONLY | os.O_CREAT, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump([{"hosts": "localhost", "gather_facts": False, "tasks": [dict(task, no_log=True)]}], f)
    p = run_module.run_playbook([run_module.ansible_playbook, "-i", "localhost,", "-c", "local", play],
                                "a planted leak", cwd=d, text=True, capture_output=True, timeout=300, check=False)
    assert p.returncode == 0, p.stdout[-2000:]
    return p
