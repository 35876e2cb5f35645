"""tests/playbooks/assert_no_keys_in_hostvars.yml (run after site.yml by the Molecule
scenarios) can fail: a key planted in any host's variables (inventory, fact, registered
result) is found and named without being printed; without one it passes."""

import json
import os

import pytest

from conftest import REPO

pytestmark = pytest.mark.ceph

CHECK = os.path.join(REPO, "tests", "playbooks", "assert_no_keys_in_hostvars.yml")


def run(run_module, ceph_cluster, tmp_path, hostvars):
    inv = tmp_path / "inventory.json"
    inv.write_text(json.dumps({"all": {
        "vars": {"ansible_connection": "local", "ansible_python_interpreter": "/usr/bin/python3"},
        "children": {"ceph_mons": {"hosts": {"mon1": {}}},
                     "euca_nc": {"hosts": {"nc1": hostvars}}}}}))
    p = run_module.run_playbook([run_module.ansible_playbook, "-i", str(inv), CHECK], "the hostvars check",
                                env=run_module.env({"CEPH_CONF": ceph_cluster.conf}), text=True,
                                capture_output=True, timeout=300, check=False)
    return p, p.stdout + p.stderr


def test_a_key_in_a_host_variable_is_found(run_module, ceph_cluster, admin, tmp_path):
    key = admin.get_key("admin")
    p, out = run(run_module, ceph_cluster, tmp_path, {"left_over": {"result": {"key": key}}})
    assert p.returncode != 0 and "nc1: key of client.admin" in out
    assert key not in out


def test_without_keys_it_passes(run_module, ceph_cluster, tmp_path):
    p, out = run(run_module, ceph_cluster, tmp_path, {"harmless": "value"})
    assert p.returncode == 0, out[-3000:]
    assert "keys checked against the variables of 2 hosts: none found" in out
