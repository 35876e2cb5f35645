"""playbooks/preflight.yml (imported first by site.yml) and the user checks of the SC and NC
roles, against the real cluster with a local multi-host inventory: a bad inventory fails
before any change, with a message that says what to fix."""

import json

import pytest

from test_ebs_roles import changed, playbook

pytestmark = pytest.mark.ceph

PREFLIGHT = "eucalyptus.ceph.preflight"  # the installed artifact's playbook
UUID = "5b7c2a6e-3f1d-4c8e-9a0b-1e2f3a4b5c6d"


def inventory(tmp_path, ceph_cluster, groups=None, **variables):
    inv = tmp_path / "inventory.json"
    base = {
        "ansible_connection": "local", "ansible_python_interpreter": "/usr/bin/python3",
        "ceph_client_admin_conf": ceph_cluster.conf,
        "ceph_client_admin_keyring": ceph_cluster.admin_keyring,
        "ebs_libvirt_secret_uuid": UUID,
    }
    base.update(variables)
    inv.write_text(json.dumps({"all": {"vars": base, "children": groups or {
        "ceph_mons": {"hosts": {"mon1": {}}}, "euca_sc": {"hosts": {"sc1": {}}},
        "euca_nc": {"hosts": {"nc1": {}, "nc2": {}}}}}}))
    return inv


def run(run_module, inv, path=PREFLIGHT):
    p, doc = playbook(run_module, inv, path)
    return p, doc, p.stdout + p.stderr


def test_a_good_inventory_passes_and_reports_the_cluster(run_module, ceph_cluster, tmp_path):
    p, doc, out = run(run_module, inventory(tmp_path, ceph_cluster))
    assert p.returncode == 0, out[-3000:]
    assert set(changed(doc).values()) == {0}
    assert "monitors in quorum" in out and "not blocking:" in out


def test_same_user_for_sc_and_nc_is_refused(run_module, ceph_cluster, tmp_path):
    p, doc, out = run(run_module, inventory(tmp_path, ceph_cluster, ebs_sc_user="eucalyptus", ebs_nc_user="eucalyptus"))
    assert p.returncode != 0 and "ebs_sc_user and ebs_nc_user are both 'eucalyptus'" in out
    assert set(changed(doc).values()) <= {0}


def test_a_host_that_is_sc_and_nc_is_refused_unless_allowed(run_module, ceph_cluster, tmp_path):
    groups = {"ceph_mons": {"hosts": {"mon1": {}}}, "euca_sc": {"hosts": {"box1": {}}},
              "euca_nc": {"hosts": {"box1": {}}}}
    p, _doc, out = run(run_module, inventory(tmp_path, ceph_cluster, groups=groups))
    assert p.returncode != 0 and "box1 is in both euca_sc and euca_nc" in out
    p, _doc, out = run(run_module, inventory(tmp_path, ceph_cluster, groups=groups, ebs_allow_sc_on_nc=True))
    assert p.returncode == 0, out[-3000:]


def test_missing_admin_keyring_is_named(run_module, ceph_cluster, tmp_path):
    missing = str(tmp_path / "no-such.keyring")
    p, _doc, out = run(run_module, inventory(tmp_path, ceph_cluster, ceph_client_admin_keyring=missing))
    assert p.returncode != 0 and ("has no %s" % missing) in out and "Nothing was changed" in out


def test_unreachable_monitors_are_refused(run_module, ceph_cluster, tmp_path):
    conf = tmp_path / "ceph.conf"
    # loopback, a port where no monitor listens
    conf.write_text("[global]\nmon_host = 127.0.0.1:1\nauth_client_required = cephx\n")
    p, _doc, out = run(run_module, inventory(tmp_path, ceph_cluster, ceph_client_admin_conf=str(conf),
                                             ebs_preflight_connect_timeout=3))
    assert p.returncode != 0 and "No answer from the cluster's monitors" in out


def test_a_blocking_health_check_stops_the_run(run_module, ceph_cluster, tmp_path, admin):
    """Named checks block (OSDMAP_FLAGS stands in for OSD_FULL, which a test cannot cause safely)."""
    admin.mon({"prefix": "osd set", "key": "noout"})
    try:
        p, _doc, out = run(run_module, inventory(tmp_path, ceph_cluster))
        assert p.returncode == 0, out[-3000:]          # noout alone does not stop the run
        assert "noout flag(s) set" in out
        p, _doc, out = run(run_module, inventory(tmp_path, ceph_cluster,
                                                 ebs_preflight_blocking_health_checks=["OSDMAP_FLAGS"]))
        assert p.returncode != 0 and "The cluster cannot take writes" in out and "noout flag(s) set" in out
    finally:
        admin.mon({"prefix": "osd unset", "key": "noout"})


@pytest.mark.parametrize("role, group", [("node_controller", "euca_nc"), ("storage_controller", "euca_sc")])
def test_each_role_alone_refuses_the_sc_user_for_the_ncs(run_module, ceph_cluster, tmp_path, admin, role, group):
    inv = inventory(tmp_path, ceph_cluster, ebs_nc_user="eucalyptus", ebs_zone="one",
                    groups={"ceph_mons": {"hosts": {"mon1": {}}}, group: {"hosts": {"h1": {}}}})
    play = tmp_path / "role.yml"
    play.write_text(json.dumps([{"hosts": group, "gather_facts": False, "roles": ["eucalyptus.ceph." + role]}]))
    p, doc, out = run(run_module, inv, play)
    assert p.returncode != 0, out[-3000:]
    assert "Give the NCs their own user" in out or "Give them different users" in out
    assert changed(doc).get("h1", 0) == 0
    assert not admin.user_exists("eucalyptus")
