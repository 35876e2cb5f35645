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
            "ebs_benchmark_conf": ceph_cluster.conf,
            "ebs_benchmark_sc_keyring": str(tmp / "sc.keyring"),
            "ebs_benchmark_nc_keyring": str(tmp / "nc.keyring"),
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

    # after a rotation to generation 2 (generation 1 retired), the role makes the current
    # generation's users and never generation 1 again
    gen2 = {"ebs_sc_user_generation": 2, "ebs_nc_user_generation": 2}
    try:
        p, doc = playbook(run_module, inv, play, "-e", json.dumps(gen2))
        assert p.returncode == 0 and changed(doc) == {"mon1": 1}, p.stdout[-3000:]
        assert admin.get_caps(SC + ".gen2") == admin.get_caps(SC) and admin.get_caps(NC + ".gen2") == admin.get_caps(NC)
        for user in (SC, NC):
            admin.delete_user(user)
        p, doc = playbook(run_module, inv, play, "-e", json.dumps(gen2))
        assert p.returncode == 0 and changed(doc) == {"mon1": 0}, p.stdout[-3000:]
        assert admin.get_caps(SC) is None and admin.get_caps(NC) is None
    finally:
        for user in (SC + ".gen2", NC + ".gen2"):
            admin.delete_user(user)
        # generation 1 again for the tests below
        p, doc = playbook(run_module, inv, play)
        assert p.returncode == 0, p.stdout[-3000:]


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


def benchmark_vars(report_dir, **more):
    """A small run: 16 MiB images, two patterns at queue depth 1, 1 s each; no plot (the
    Tentacle container's venv has no matplotlib: the plots are tested in the unit tests and by
    molecule/default on the controller)."""
    small = {"ebs_benchmark_image_size": "16M", "ebs_benchmark_runtime": 1, "ebs_benchmark_ramp_time": 0,
             "ebs_benchmark_iodepths": [1], "ebs_benchmark_plot": False, "ebs_benchmark_report_dir": str(report_dir),
             "ebs_benchmark_patterns": [{"name": "randread-4k", "rw": "randread", "bs": "4k"},
                                        {"name": "seqwrite-1M", "rw": "write", "bs": "1M"}]}
    small.update(more)
    return ["-e", json.dumps(small)]


def test_benchmark_playbook_from_every_nc_with_the_ncs_own_user(run_module, inventory, admin, tmp_path):
    inv, tmp = inventory
    write_keyrings(run_module, tmp, admin)
    reports = tmp_path / "reports"
    p, doc = playbook(run_module, inv, "eucalyptus.ceph.benchmark", *benchmark_vars(reports, ebs_benchmark_name="plan"),
                      check=True)
    assert p.returncode == 0, p.stdout[-3000:]
    with admin.open_ioctx(VOLUMES) as io:
        assert rbd.RBD().list(io) == [], "check mode created images"
    assert not reports.exists(), "check mode wrote a report"
    plan = [t for play in doc["plays"] for t in play["tasks"] if t["task"]["name"].endswith("The plan")]
    lines = plan[0]["hosts"]["sc1"]["msg"]
    assert lines[0] == "2 scratch image(s) of 16M in %s: ebs-bench-nc1, ebs-bench-nc2" % VOLUMES, lines
    assert lines[1].endswith("about 6 s of I/O"), lines     # 2 workloads x 1 s x (1 parallel + 2 serial)

    p, doc = playbook(run_module, inv, "eucalyptus.ceph.benchmark", *benchmark_vars(reports, ebs_benchmark_name="run1"))
    assert p.returncode == 0, p.stdout[-4000:]
    with admin.open_ioctx(VOLUMES) as io:
        assert rbd.RBD().list(io) == [], "scratch images left"
    result = json.loads((reports / "run1.json").read_text())
    assert sorted((r["host"], r["mode"]) for r in result["runs"]) == [
        ("nc1", "parallel"), ("nc1", "serial"), ("nc2", "parallel"), ("nc2", "serial")]
    assert result["metadata"]["cluster user of the NCs"] == NC
    for r in result["runs"]:
        assert [m["name"] for m in r["measurements"]] == ["randread-4k-qd1", "seqwrite-1M-qd1"]
        assert all(m[d]["iops"] > 0 for m in r["measurements"] for d in ("read", "write") if d in m)
    parallel = [row for row in result["summary"] if row["mode"] == "parallel"]
    assert [row["hosts"] for row in parallel] == [2, 2]
    assert "## All NCs at once (summed over 2 NCs)" in (reports / "run1.md").read_text()

    # a second run compared with the first
    p, doc = playbook(run_module, inv, "eucalyptus.ceph.benchmark",
                      *benchmark_vars(reports, ebs_benchmark_name="run2", ebs_benchmark_modes=["parallel"],
                                      ebs_benchmark_compare_with=str(reports / "run1.json")))
    assert p.returncode == 0, p.stdout[-4000:]
    assert "## Compared with run1" in (reports / "run2.md").read_text()


def test_benchmark_refuses_an_unhealthy_cluster_unless_told(run_module, inventory, admin, tmp_path):
    inv, tmp = inventory
    write_keyrings(run_module, tmp, admin)
    admin.mon({"prefix": "osd set", "key": "noout"})
    try:
        p, _doc = playbook(run_module, inv, "eucalyptus.ceph.benchmark", *benchmark_vars(tmp_path))
        assert p.returncode != 0 and "the cluster is not healthy: HEALTH_WARN" in p.stdout, p.stdout[-3000:]
        assert "OSDMAP_FLAGS" in p.stdout
        with admin.open_ioctx(VOLUMES) as io:
            assert rbd.RBD().list(io) == [], "a refused run created images"
        # a warning named harmless does not stop it (every PG must still be active+clean)
        p, _doc = playbook(run_module, inv, "eucalyptus.ceph.benchmark",
                           *benchmark_vars(tmp_path, ebs_benchmark_allowed_health_checks=["OSDMAP_FLAGS"],
                                           ebs_benchmark_modes=["parallel"], ebs_benchmark_name="allowed"))
        assert p.returncode == 0, p.stdout[-3000:]
        assert "running anyway" not in p.stdout
        p, _doc = playbook(run_module, inv, "eucalyptus.ceph.benchmark",
                           *benchmark_vars(tmp_path, ebs_benchmark_allow_unhealthy=True, ebs_benchmark_modes=["serial"],
                                           ebs_benchmark_name="anyway"))
        assert p.returncode == 0, p.stdout[-3000:]
        assert "running anyway" in p.stdout
    finally:
        admin.mon({"prefix": "osd unset", "key": "noout"})
    with admin.open_ioctx(VOLUMES) as io:
        assert rbd.RBD().list(io) == []


@pytest.mark.parametrize("extra, message", [
    (["-e", "ebs_nc_user=" + SC], "the Storage Controller's user (ebs_sc_user)"),
    # a UUID with a newline after it (a search would match it; the check takes the whole string)
    (["-e", json.dumps({"ebs_libvirt_secret_uuid": "5b7c2a6e-3f1d-4c8e-9a0b-1e2f3a4b5c6d\n"})],
     "must be the zone's secret UUID"),
])
def test_node_controller_refuses_bad_settings_before_any_change(run_module, inventory, admin, extra, message):
    """The role's one settings check names the problem, and runs before anything is read or written."""
    inv, tmp = inventory
    book = tmp / "nc-only.yml"
    book.write_text(json.dumps([{"hosts": "nc1", "gather_facts": False, "roles": ["eucalyptus.ceph.node_controller"]}]))
    p, document = playbook(run_module, inv, book, "-e", "ebs_libvirt_secret_uuid=5b7c2a6e-3f1d-4c8e-9a0b-1e2f3a4b5c6d",
                           *extra)
    assert p.returncode != 0 and message in p.stdout, p.stdout[-2000:]
    assert changed(document) == {"nc1": 0}
    tasks = [t["task"]["name"].split(" : ")[-1] for play in document["plays"] for t in play["tasks"]]
    assert tasks[-1] == "Check the Node Controller settings", tasks
