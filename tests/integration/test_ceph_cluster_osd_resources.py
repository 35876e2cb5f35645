"""roles/ceph_cluster refuses bad OSD memory and CPU settings (converged hosts) before it changes
anything: the role runs on this host (in ceph_mons and ceph_osds), in check mode as a second
guard, and must stop at its settings check with the message, nothing changed. No cluster is
needed."""

import json
import re
from pathlib import Path

import pytest

MIB = 1 << 20


def run_role(run_module, tmp_path, variables, tasks_from="main"):
    inventory = tmp_path / "hosts.json"
    inventory.write_text(json.dumps({"all": {"children": {
        "ceph_mons": {"hosts": {"localhost": {"ansible_connection": "local"}}},
        "ceph_osds": {"hosts": {"localhost": {}}}}}}))
    playbook = tmp_path / "play.yml"
    role_vars = dict({"ceph_cluster_osd_backing": "file", "ceph_cluster_osd_file_count": 2}, **variables)
    playbook.write_text(json.dumps([{"name": "ceph_cluster with OSD resources", "hosts": "ceph_mons", "gather_facts": True,
                                     "gather_subset": ["min", "default_ipv4"],
                                     "tasks": [{"name": "ceph_cluster", "vars": role_vars, "ansible.builtin.include_role": {
                                         "name": "eucalyptus.ceph.ceph_cluster", "tasks_from": tasks_from}}]}]))
    p = run_module.run_playbook([run_module.ansible_playbook, "--check", "-i", str(inventory), str(playbook)],
                                "ceph_cluster OSD resource settings", cwd=tmp_path, env=run_module.env(), text=True,
                                capture_output=True, timeout=300, check=False)
    doc = json.loads(p.stdout[p.stdout.index("{"):])
    # task names without the role's prefix ("eucalyptus.ceph.ceph_cluster : ")
    tasks = [(t["task"]["name"].split(" : ", 1)[-1], t["hosts"].get("localhost", {})) for t in doc["plays"][0]["tasks"]]
    return p, tasks


@pytest.mark.parametrize("variables, message", [
    ({"ceph_cluster_osd_memory_target": "12G"}, "ceph_cluster_osd_memory_target must be null, 'auto' or a number of bytes"),
    ({"ceph_cluster_osd_memory_target": "939524096\n"}, "ceph_cluster_osd_memory_target must be null"),
    ({"ceph_cluster_osd_memory_target": 512 * MIB}, "of at least 939524096"),
    ({"ceph_cluster_osd_memory_target": "auto", "ceph_cluster_osd_memory_share": 1.5}, "a fraction in (0, 1]"),
    ({"ceph_cluster_osd_cpu_quota": "100"}, "a percentage like '100%'"),
    ({"ceph_cluster_osd_cpu_quota": "100%\nCPUWeight=1"}, "a percentage like '100%'"),
    ({"ceph_cluster_osd_cpu_weight": 0}, "null or 1-10000"),
    # 1/100000 of any host's memory for 2 OSDs is far below 896 MiB each
    ({"ceph_cluster_osd_memory_target": "auto", "ceph_cluster_osd_memory_share": 0.00001}, "below Ceph's minimum"),
])
def test_bad_settings_are_refused_before_any_change(run_module, tmp_path, variables, message):
    p, tasks = run_role(run_module, tmp_path, variables)
    assert p.returncode != 0, p.stdout[-2000:]
    failed = [(name, r) for name, r in tasks if r.get("failed")]
    assert len(failed) == 1, tasks
    name, result = failed[0]
    assert message in result.get("msg", "") and "Nothing was changed." in result["msg"], result
    assert not any(r.get("changed") for _name, r in tasks), [n for n, r in tasks if r.get("changed")]
    # it stopped in the settings check, before the role's packages, directories and ceph.conf
    assert name in ("OSD memory and CPU settings are valid", "Refuse a memory share below Ceph's minimum per OSD"), name
    assert not any(re.match(r"(Packages|Ceph directories|/etc/ceph/ceph.conf)", n) for n, _result in tasks), tasks


def test_auto_is_the_share_of_this_hosts_memory(run_module, tmp_path):
    """The role's facts (tasks/facts.yml, read-only): the target its ceph.conf gets."""
    auto = {"ceph_cluster_osd_memory_target": "auto", "ceph_cluster_osd_memory_share": 0.5}
    _proc, tasks = run_role(run_module, tmp_path, auto, tasks_from="facts.yml")
    kib = int(re.search(r"(?m)^MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text()).group(1))
    expected = int(kib * 1024 * 0.5 / 2)
    facts = [r for name, r in tasks if name == "The osd_memory_target of this host's OSDs"]
    assert facts and facts[0]["ansible_facts"]["_ceph_cluster_osd_memory_target"] in (expected, str(expected)), facts
