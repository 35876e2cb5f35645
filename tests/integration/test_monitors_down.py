"""All monitors down: every module that talks to the cluster fails within its connect_timeout,
with a message naming the monitors it tried; nothing hangs.

The monitors here are three loopback addresses where a socket listens on both monitor ports
(3300 and 6789) but never accepts or answers: what a client meets when the monitors' hosts are
frozen or their daemons hang (the TCP handshake completes in the kernel, no banner ever comes).
No cluster is needed; the modules' librados is the one the tests run with.
"""

import json
import os
import shutil
import socket
import tempfile
import time
from pathlib import Path

import pytest

COLLECTION = "eucalyptus.ceph"
MONITORS = ["127.0.0.251", "127.0.0.252", "127.0.0.253"]
CONNECT_TIMEOUT = 2
# a key nobody has: the modules never get as far as using it
KEY = "AQBsIAFpAAAAABAAnqkR3w6i3/3T1uyYXoS5lg=="

# every module with the cluster connection options (doc fragment eucalyptus.ceph.cluster), with
# arguments its own checks accept, so that the connection is the first thing to fail
MODULES = {
    "ceph_change_record": {"name": "it_monitors_down", "state": "recorded", "config": ["osd/osd_max_backfills"]},
    "ceph_config": {"who": "osd", "name": "osd_max_backfills", "value": "2"},
    "ceph_crush_rule": {"name": "it-host", "pools": ["eucavolumes"]},
    "ceph_crush_weight": {"osds": [0], "fraction": 0.5},
    "ceph_daemon_keyring": {"entity": "mgr.it", "caps": {"mon": "allow profile mgr"}, "path": "{tmp}/mgr.keyring"},
    "ceph_info": {"gather": ["health"]},
    "ceph_osd": {"uuid": "8f2f5a3e-1c1b-4b8e-9b7e-2f8c1d9e0a11", "key_file": "{tmp}/osd-key"},
    "ceph_osd_flags": {"flags": {"noout": True}},
    "ceph_osd_retire": {"osds": [3], "state": "safe"},
    "cephx_key_rotation": {"name": "it-rotation", "state": "pending"},
    "cephx_user": {"name": "it-user", "profile": "sc", "volume_pools": ["eucavolumes"]},
    "cephx_user_generations": {"users": ["it-user"], "generation": 2},
    "rbd_benchmark": {"pool": "eucavolumes", "image": "it-bench",
                      "workloads": [{"name": "randread-4k-qd1", "rw": "randread", "bs": "4k", "iodepth": 1}]},
    "rbd_image": {"pool": "eucavolumes", "name": "it-vol", "size": "1G"},
    "rbd_io_probe": {"pool": "eucavolumes", "image": "it-vol", "marker": "it", "offset": 0},
    "rbd_pool": {"name": "it-pool", "size": 3},
    "rbd_reaper": {"pools": ["eucavolumes"], "prefix": "del12345678-"},
}


def _modules_with_the_cluster_options():
    plugins = Path(__file__).resolve().parents[2] / "plugins" / "modules"
    return sorted(p.stem for p in plugins.glob("*.py") if "eucalyptus.ceph.cluster" in p.read_text())


def test_the_list_is_every_module_with_the_cluster_options():
    assert sorted(MODULES) == _modules_with_the_cluster_options()


@pytest.fixture
def frozen_monitors():
    """Sockets that listen and never accept: a hung monitor, for each address and port."""
    sockets = []
    try:
        for address in MONITORS:
            for port in (3300, 6789):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    s.bind((address, port))
                except OSError as exc:
                    s.close()
                    pytest.fail("cannot listen on %s:%d for the frozen monitor: %s" % (address, port, exc))
                s.listen(64)
                sockets.append(s)
        yield MONITORS
    finally:
        for s in sockets:
            s.close()


def test_every_module_fails_within_its_timeout_naming_the_monitors(run_module, frozen_monitors, tmp_path):
    work = Path(tempfile.mkdtemp(prefix="mons-down-", dir=tmp_path))
    conf = work / "ceph.conf"
    conf.write_text("[global]\nmon_host = %s\nauth_client_required = cephx\n" % ",".join(frozen_monitors))
    keyring = work / "ceph.client.admin.keyring"
    keyring.write_text("[client.admin]\n\tkey = %s\n" % KEY)
    (work / "osd-key").write_text(KEY + "\n")
    os.chmod(keyring, 0o600)
    connection = {"cluster_conf": str(conf), "cluster_keyring": str(keyring), "connect_timeout": CONNECT_TIMEOUT}
    # one inventory host (local) per module, strategy free: each runs its own module at once, the
    # run takes about one timeout, not sixteen
    tasks = []
    for name, args in sorted(MODULES.items()):
        args = {k: (v.format(tmp=work) if isinstance(v, str) else v) for k, v in args.items()}
        tasks.append({"name": name, "%s.%s" % (COLLECTION, name): dict(args, **connection),
                      "when": "inventory_hostname == %r" % name, "ignore_errors": True})
    playbook = work / "play.yml"
    playbook.write_text(json.dumps([{"name": "monitors down", "hosts": "all", "gather_facts": False, "strategy": "free",
                                     "tasks": tasks}], indent=2))
    inventory = work / "hosts.json"
    inventory.write_text(json.dumps({"all": {"hosts": {name: {"ansible_connection": "local"} for name in MODULES}}}))
    start = time.monotonic()
    # a module waiting librados' own 300 s, or forever, ends the run here instead
    p = run_module.run_playbook([run_module.ansible_playbook, "-i", str(inventory), "--forks", str(len(MODULES)),
                                 str(playbook)], "modules against frozen monitors", cwd=work, env=run_module.env(),
                                text=True, capture_output=True, timeout=240, check=False)
    took = time.monotonic() - start
    shutil.rmtree(work, ignore_errors=True)
    results = {}
    doc = json.loads(p.stdout[p.stdout.index("{"):])
    # strategy free: a task's entry may hold only some hosts; each host ran its own task
    for task in doc["plays"][0]["tasks"]:
        for host, result in task["hosts"].items():
            if host == task["task"]["name"]:
                results[host] = result
    assert sorted(results) == sorted(MODULES), (sorted(results), p.stderr[-2000:])
    problems = []
    for name, result in sorted(results.items()):
        msg = result.get("msg", "")
        if not result.get("failed"):
            problems.append("%s did not fail: %s" % (name, result))
        elif not ("within %d s" % CONNECT_TIMEOUT in msg and all(m in msg for m in frozen_monitors)):
            problems.append("%s: %s" % (name, msg))
    assert not problems, "\n".join(problems)
    print("[monitors down] %d modules at once failed as expected in %.1f s (connect_timeout %d s)"
          % (len(results), took, CONNECT_TIMEOUT))
