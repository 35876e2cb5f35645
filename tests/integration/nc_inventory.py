# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The inventory of a one-host NC lab (shared helper): localhost in euca_nc, the test cluster's
admin files, the NC's files under the test's own directory, the fixture's libvirtd (the role
does not manage the daemon)."""

from __future__ import annotations

import json
from pathlib import Path


def write_nc_inventory(path: Path, ceph_cluster, *, ceph_conf, keyring, euca_conf, volume_pools, snapshot_pools,
                       nc_user, secret_uuid, **extra_vars) -> Path:
    variables = {
        "ceph_client_admin_host": "localhost",
        "ceph_client_admin_conf": ceph_cluster.conf,
        "ceph_client_admin_keyring": ceph_cluster.admin_keyring,
        "ceph_client_conf_path": str(ceph_conf),
        "node_controller_keyring_path": str(keyring),
        "node_controller_eucalyptus_conf": str(euca_conf),
        "node_controller_libvirtd_manage": False,   # the daemon is the fixture's
        "ebs_volume_pools": list(volume_pools),
        "ebs_snapshot_pools": list(snapshot_pools),
        "ebs_nc_user": nc_user,
        "ebs_libvirt_secret_uuid": secret_uuid,
    }
    variables.update(extra_vars)
    path.write_text(json.dumps({"all": {
        "children": {"euca_nc": {"hosts": {"localhost": {
            "ansible_connection": "local", "ansible_python_interpreter": "/usr/bin/python3"}}}},
        "vars": variables}}, indent=2))
    return path
