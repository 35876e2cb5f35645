"""ebs_pools and ebs_validate roles on the real cluster, with a local multi-host inventory
(mon1, sc1, nc1, nc2 all run on this machine): site-style pools and users, then the
validation playbook with the SC's and the NC's own keys."""

import json
import sys

import pytest

from conftest import installed_collections_path, remove_image

pytestmark = pytest.mark.ceph

rbd = pytest.importorskip("rbd")

VOLUMES, SNAPSHOTS = "rolevol", "rolesnap"
SC, NC = "role-sc", "role-nc"


def playbook(run_module, inventory, path, *extra, check=False):
    argv = [run_module.ansible_playbook, "-i", str(inventory), str(path), *extra]
    if check:
        argv.append("--check")
    p = run_module.run_playbook(argv, "playbook %s" % path, text=True, capture_output=True, timeout=900, check=False)
    document = json.loads(p.stdout[p.stdout.index("{"):]) if "{" in p.stdout else {}
    return p, document


def changed(document):
    return {host: stats["changed"] for host, stats in document.get("stats", {}).items()}


@pytest.fixture(scope="module")
def inventory(ceph_cluster, admin, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("roles")
    inv = tmp / "inventory.json"
    inv.write_text(json.dumps({"all": {
        "vars": {
            "ansible_connection": "local",
            "ansible_python_interpreter": "/usr/bin/python3",
            "ebs_volume_pools": [VOLUMES], "ebs_snapshot_pools": [SNAPSHOTS],
            "ebs_sc_user": SC, "ebs_nc_user": NC,
            "ebs_pools_size": 2, "ebs_pools_min_size": 1,
            "ebs_pools_cluster_conf": ceph_cluster.conf,
            "ebs_pools_cluster_keyring": ceph_cluster.admin_keyring,
            "ebs_validate_conf": ceph_cluster.conf,
            "ebs_validate_sc_keyring": str(tmp / "sc.keyring"),
            "ebs_validate_nc_keyring": str(tmp / "nc.keyring"),
        },
        "children": {"ceph_mons": {"hosts": {"mon1": {}}}, "euca_sc": {"hosts": {"sc1": {}}},
                     "euca_nc": {"hosts": {"nc1": {}, "nc2": {}}}},
    }}))
    yield inv, tmp
    for pool in (VOLUMES, SNAPSHOTS):
        admin.delete_pool(pool)
    for user in (SC, NC):
        admin.delete_user(user)


def write_keyrings(run_module, tmp, admin, nc_key=None):
    for user, name, key in ((SC, "sc", admin.get_key(SC)), (NC, "nc", nc_key or admin.get_key(NC))):
        r = run_module("cephx_keyring", {"path": str(tmp / ("%s.keyring" % name)), "name": user, "key": key,
                                         "mode": "0600"})
        assert not r.failed, r.msg


def test_ebs_pools_role(run_module, inventory, admin, tmp_path):
    inv, _tmp = inventory
    play = tmp_path / "pools.yml"
    play.write_text(json.dumps([{"hosts": "ceph_mons[0]", "gather_facts": False,
                                 "roles": ["eucalyptus.ceph.ebs_pools"]}]))
    p, doc = playbook(run_module, inv, play, check=True)
    assert p.returncode == 0, p.stdout[-3000:]
    assert not admin.pool_exists(VOLUMES) and admin.get_caps(SC) is None, "check mode changed the cluster"

    p, doc = playbook(run_module, inv, play)
    assert p.returncode == 0, p.stdout[-3000:]
    assert changed(doc) == {"mon1": 2}
    for pool in (VOLUMES, SNAPSHOTS):
        assert admin.pool_exists(pool)
    assert admin.get_caps(SC)["osd"] == "profile rbd pool=%s, profile rbd pool=%s" % (VOLUMES, SNAPSHOTS)
    assert "object_prefix rbd_data." in admin.get_caps(NC)["osd"]

    p, doc = playbook(run_module, inv, play)
    assert p.returncode == 0 and changed(doc) == {"mon1": 0}, "second run was not idempotent"

    p, doc = playbook(run_module, inv, play, "-e", json.dumps({"ebs_nc_user": SC}))
    assert p.returncode != 0 and "must not share a cephx user" in p.stdout


def test_validate_playbook(run_module, inventory, admin):
    inv, tmp = inventory
    write_keyrings(run_module, tmp, admin)
    p, doc = playbook(run_module, inv, "eucalyptus.ceph.validate")
    assert p.returncode == 0, p.stdout[-4000:]
    report = [t for play in doc["plays"] for t in play["tasks"] if t["task"]["name"].endswith("Report")]
    lines = report[0]["hosts"]["sc1"]["msg"]
    assert any(line.startswith("SC: purge kept the deleted volume") for line in lines), lines
    assert sum(1 for line in lines if "at the same time as" in line and "writes seen: 2" in line) == 2, lines
    for pool in (VOLUMES, SNAPSHOTS):          # nothing left behind
        with admin.open_ioctx(pool) as io:
            assert rbd.RBD().list(io) == []


def test_validate_fails_with_a_wrong_nc_key(run_module, inventory, admin):
    """The attach check really uses the NC's key: with another user's key it must fail."""
    inv, tmp = inventory
    write_keyrings(run_module, tmp, admin, nc_key=admin.get_key("admin"))
    try:
        p, _doc = playbook(run_module, inv, "eucalyptus.ceph.validate")
        assert p.returncode != 0
        assert "cannot connect" in p.stdout
    finally:
        write_keyrings(run_module, tmp, admin)
        purge(admin, (VOLUMES, SNAPSHOTS))   # the SC play ran before the NC play failed


def purge(admin, pools):
    """Remove every image of POOLS, clones before their parents."""
    for _attempt in range(5):
        left = 0
        for pool in pools:
            with admin.open_ioctx(pool) as io:
                for name in rbd.RBD().list(io):
                    try:
                        remove_image(io, name)
                    except (rbd.ImageBusy, rbd.ImageHasSnapshots, rbd.InvalidArgument):
                        left += 1
        if not left:
            return
    raise AssertionError("images left in %s" % (pools,))


def run_example(run_module, inventory, tmp, playbook_name):
    """docs/examples/run_playbook.py of the installed artifact (ansible-runner), every exec traced."""
    example = installed_collections_path() / "ansible_collections" / "eucalyptus" / "ceph" / "docs" / "examples" / "run_playbook.py"
    summary = tmp / "summary.json"
    env = run_module.env({"ANSIBLE_STDOUT_CALLBACK": "default"})
    p = run_module.run_playbook([sys.executable, str(example), "-i", str(inventory), "--summary", str(summary), playbook_name],
                                "run_playbook.py " + playbook_name, env=env, text=True, capture_output=True,
                                timeout=900, check=False)
    return p, json.loads(summary.read_text())


def test_the_ansible_runner_example_reports_a_run_by_its_events(run_module, inventory, admin, tmp_path):
    """The operator example runs validate.yml through ansible-runner: its summary comes from the
    event stream (per-host stats, failed tasks), and a failing run names the task and the host."""
    inv, tmp = inventory
    write_keyrings(run_module, tmp, admin)
    p, summary = run_example(run_module, inv, tmp_path, "eucalyptus.ceph.validate")
    assert p.returncode == 0 and summary["rc"] == 0 and summary["status"] == "successful", p.stdout[-3000:]
    assert {"sc1", "nc1", "nc2"} <= set(summary["hosts"]), summary["hosts"]
    assert all(h["failures"] == 0 and h["unreachable"] == 0 and h["ok"] > 0 for h in summary["hosts"].values())
    assert summary["failed_tasks"] == []
    assert "PLAY RECAP" in p.stdout       # the play's own output is still printed as it runs

    write_keyrings(run_module, tmp, admin, nc_key=admin.get_key("admin"))
    try:
        p, summary = run_example(run_module, inv, tmp_path, "eucalyptus.ceph.validate")
        assert p.returncode != 0 and summary["status"] == "failed", p.stdout[-3000:]
        failed = summary["failed_tasks"]
        assert failed and all(t["host"] in ("nc1", "nc2") for t in failed), failed
        assert any("cannot connect" in t["msg"] for t in failed), failed
        assert sum(h["failures"] for h in summary["hosts"].values()) == len(failed)
    finally:
        write_keyrings(run_module, tmp, admin)
        purge(admin, (VOLUMES, SNAPSHOTS))
