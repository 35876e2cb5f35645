"""The ebs-admin profile on the real cluster: a pre-made user for existing clusters that can
run the EBS roles (pools, SC and NC users) and nothing else.

The user is made by our own module (cephx_user profile=ebs-admin); the ebs_pools role then
runs as that user, twice (the second run changes nothing); and every change outside its
grant is refused by the monitors with EACCES.
"""

import errno
import json

import pytest

from test_caps_profiles import connect_as, write_keyring
from test_ebs_roles import changed, playbook

pytestmark = pytest.mark.ceph

rados = pytest.importorskip("rados")

VOLUMES, SNAPSHOTS = "admvol", "admsnap"
EBS_ADMIN = "ebsadmin-test"
SC, NC = "adm-sc", "adm-nc"


@pytest.fixture(scope="module")
def ebs_admin(ceph_cluster, admin, run_module):
    r = run_module("cephx_user", {"name": EBS_ADMIN, "profile": "ebs-admin", "users_prefix": "adm-",
                                  "volume_pools": [VOLUMES], "snapshot_pools": [SNAPSHOTS],
                                  "cluster_conf": ceph_cluster.conf})
    assert not r.failed, r.msg
    write_keyring(ceph_cluster, admin, EBS_ADMIN)
    connection = connect_as(ceph_cluster, EBS_ADMIN)
    yield connection
    connection.shutdown()
    for pool in (VOLUMES, SNAPSHOTS, "admother"):
        admin.delete_pool(pool)
    for user in (SC, NC, EBS_ADMIN, "other-user"):
        admin.delete_user(user)


def mon(connection, **command):
    ret, out, outs = connection.mon_command(json.dumps(dict(command, format="json")), b"", timeout=30)
    return ret, outs


def test_the_ebs_roles_run_as_the_ebs_admin_user(ceph_cluster, admin, run_module, ebs_admin, tmp_path):
    inventory = tmp_path / "inventory.json"
    inventory.write_text(json.dumps({"all": {
        "vars": {
            "ansible_connection": "local", "ansible_python_interpreter": "/usr/bin/python3",
            "ebs_volume_pools": [VOLUMES], "ebs_snapshot_pools": [SNAPSHOTS],
            "ebs_sc_user": SC, "ebs_nc_user": NC, "ebs_pools_size": 2, "ebs_pools_min_size": 1,
            "ceph_client_admin_conf": ceph_cluster.conf,
            "ceph_client_admin_user": EBS_ADMIN,
            "ceph_client_admin_keyring": ceph_cluster.keyring_path(EBS_ADMIN),
        },
        "children": {"ceph_mons": {"hosts": {"mon1": {}}}},
    }}))
    play = tmp_path / "pools.yml"
    play.write_text(json.dumps([{"hosts": "ceph_mons[0]", "gather_facts": False,
                                 "roles": ["eucalyptus.ceph.ebs_pools"]}]))
    p, doc = playbook(run_module, inventory, play)
    assert p.returncode == 0, p.stdout[-3000:]
    assert changed(doc) == {"mon1": 2}
    for pool in (VOLUMES, SNAPSHOTS):
        assert admin.pool_exists(pool)
        with admin.open_ioctx(pool) as io:   # rbd pool init ran (as the ebs-admin user)
            io.stat("rbd_info")
    assert admin.get_caps(SC)["mon"] == "profile rbd"
    assert "object_prefix rbd_data." in admin.get_caps(NC)["osd"]
    p, doc = playbook(run_module, inventory, play)
    assert p.returncode == 0 and changed(doc) == {"mon1": 0}, p.stdout[-3000:]


@pytest.mark.parametrize("command", [
    {"prefix": "osd pool create", "pool": "admother", "pg_num": 8},
    {"prefix": "osd pool set", "pool": ".mgr", "var": "size", "val": "2"},
    {"prefix": "config set", "who": "global", "name": "mon_max_pg_per_osd", "value": "400"},
    {"prefix": "osd set", "key": "noout"},
    {"prefix": "auth get-or-create", "entity": "client.other-user", "caps": ["mon", "allow *"]},
    {"prefix": "auth get", "entity": "client.admin"},
    {"prefix": "auth caps", "entity": "client.admin", "caps": ["mon", "allow r"]},
    {"prefix": "auth del", "entity": "client.%s" % SC},
    {"prefix": "auth ls"},
])
def test_everything_else_is_refused(ebs_admin, admin, command):
    ret, outs = mon(ebs_admin, **command)
    assert ret == -errno.EACCES, (command, ret, outs)
    assert not admin.pool_exists("admother") and not admin.user_exists("other-user")


def test_an_ebs_admin_user_inside_its_own_prefix_is_refused(ceph_cluster, admin, run_module):
    r = run_module("cephx_user", {"name": "adm-self", "profile": "ebs-admin", "users_prefix": "adm-",
                                  "volume_pools": [VOLUMES], "cluster_conf": ceph_cluster.conf})
    assert r.failed and "could change its own caps" in r.msg
    assert not admin.user_exists("adm-self")
