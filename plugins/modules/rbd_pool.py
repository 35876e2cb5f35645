#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: rbd_pool
short_description: Manage a replicated Ceph pool for RBD images
version_added: 0.1.0
description:
  - Creates, updates or removes a replicated pool, enables the C(rbd) application on it and
    initializes it for RBD (what C(rbd pool init) does), through librados and librbd.
  - Reports exactly which settings changed; check mode and diff mode are supported.
extends_documentation_fragment:
  - eucalyptus.ceph.cluster
attributes:
  check_mode:
    support: full
    description: Reports the settings that would change without changing them.
  diff_mode:
    support: full
    description: Shows the managed settings before and after.
options:
  name:
    description: Name of the pool.
    type: str
    required: true
  state:
    description:
      - V(present) creates the pool or updates its settings; V(absent) removes it.
    type: str
    choices: [present, absent]
    default: present
  size:
    description: Number of replicas. Left as it is when omitted (a new pool gets C(osd_pool_default_size)).
    type: int
  min_size:
    description:
      - Replicas that must be available for I/O to proceed. Must not exceed O(size).
      - Left as it is when omitted.
    type: int
  pg_num:
    description:
      - Number of placement groups.
      - With O(pg_autoscale_mode=on) the autoscaler owns C(pg_num), so this is only the value
        a new pool starts with; otherwise it is enforced.
    type: int
  pg_autoscale_mode:
    description: PG autoscaler mode of the pool. Left as it is when omitted.
    type: str
    choices: ["on", "off", "warn"]
  force:
    description:
      - With O(state=absent), remove the pool even when it still holds RBD images.
      - Without it, removing a pool with images fails and nothing is removed.
    type: bool
    default: false
notes:
  - Removing a pool needs C(mon_allow_pool_delete=true) on the monitors.
author:
  - Eucalyptus Ceph maintainers (@eucalyptus)
"""

EXAMPLES = r"""
- name: Pool for EBS volumes, 3 replicas, I/O while 2 are up
  eucalyptus.ceph.rbd_pool:
    name: eucavolumes
    size: 3
    min_size: 2

- name: Pool for EBS snapshots with a fixed PG count
  eucalyptus.ceph.rbd_pool:
    name: eucasnapshots
    pg_autoscale_mode: "off"
    pg_num: 64
    cluster_conf: /etc/ceph/ceph.conf

- name: Remove a test pool, images included
  eucalyptus.ceph.rbd_pool:
    name: scratch
    state: absent
    force: true
"""

RETURN = r"""
pool:
  description: The managed settings of the pool after the run (before it, for a removal). Empty when the pool is absent.
  returned: always
  type: dict
  sample:
    name: eucavolumes
    id: 2
    type: replicated
    size: 3
    min_size: 2
    pg_num: 32
    pg_autoscale_mode: "on"
    applications: [rbd]
    rbd_initialized: true
changes:
  description: What was (or, in check mode, would be) done, in order.
  returned: always
  type: list
  elements: str
  sample: ["create pool", "set size to 2", "enable application rbd", "rbd pool init"]
"""

from ansible_collections.eucalyptus.ceph.plugins.module_utils.ceph_module import CephModule
from ansible_collections.eucalyptus.ceph.plugins.module_utils.names import pool_name_error
from ansible_collections.eucalyptus.ceph.plugins.module_utils import rbd_pools


def run(cm):
    params = cm.params
    name = params["name"]
    current = rbd_pools.pool_settings(cm.client, name)
    before = current or {}

    if params["state"] == "absent":
        if current is None:
            return dict(changed=False, pool={}, changes=[])
        images = rbd_pools.image_count(cm.client, name)
        if images and not params["force"]:
            cm.fail("pool %s still holds %d RBD image(s): remove them first or set force=true" % (name, images))
        if not cm.check_mode:
            rbd_pools.remove(cm.client, name)
        return dict(changed=True, pool=before, changes=["remove pool"], diff=dict(before=before, after={}))

    desired = dict((k, params[k]) for k in ("size", "min_size", "pg_num", "pg_autoscale_mode"))
    changes = []
    if current is None:
        changes.append("create pool")
        if cm.check_mode:
            after = dict(name=name, type="replicated", applications=["rbd"], rbd_initialized=True,
                         **dict((k, v) for k, v in desired.items() if v is not None))
            return dict(changed=True, pool=after, changes=changes + ["enable application rbd", "rbd pool init"],
                        diff=dict(before={}, after=after))
        rbd_pools.create(cm.client, name, params["pg_num"], params["pg_autoscale_mode"])
        current = rbd_pools.pool_settings(cm.client, name)

    try:
        settings = rbd_pools.plan(current, desired)
    except ValueError as exc:
        cm.fail("pool %s: %s" % (name, exc))
    changes.extend("set %s to %s" % (var, value) for var, value in settings)
    if "rbd" not in current["applications"]:
        changes.append("enable application rbd")
    if not current["rbd_initialized"]:
        changes.append("rbd pool init")

    if cm.check_mode:
        after = dict(current, **dict(settings))
        after["applications"] = sorted(set(current["applications"]) | {"rbd"})
        after["rbd_initialized"] = True
    else:
        rbd_pools.apply(cm.client, name, settings)
        rbd_pools.enable_rbd(cm.client, name, current)
        after = rbd_pools.pool_settings(cm.client, name)
    return dict(changed=bool(changes), pool=after, changes=changes, diff=dict(before=before, after=after))


def main():
    cm = CephModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            size=dict(type="int"),
            min_size=dict(type="int"),
            pg_num=dict(type="int"),
            pg_autoscale_mode=dict(type="str", choices=["on", "off", "warn"]),
            force=dict(type="bool", default=False),
        ),
        need_rbd=True,
    )
    error = pool_name_error(cm.params["name"]) or rbd_pools.desired_error(cm.params)
    if error:
        cm.fail(error)
    cm.run(run)


if __name__ == "__main__":
    main()
