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
  - A run that fails after changing something reports C(changed=true), the steps it did in RV(changes)
    and the pool as it was left; the next run goes on from there.
extends_documentation_fragment:
  - eucalyptus.ceph.attributes
  - eucalyptus.ceph.attributes.actiongroup_ceph
  - eucalyptus.ceph.cluster
attributes:
  check_mode:
    support: full
    details: Reports the settings that would change without changing them.
  diff_mode:
    support: full
    details: Shows the managed settings before and after.
  idempotent:
    support: full
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
    description:
      - Number of replicas, 1 to 10. Left as it is when omitted (a new pool gets C(osd_pool_default_size)).
      - A new pool is created with this size, so a size the monitors refuse leaves no pool behind.
      - V(1) needs O(allow_size_one=true), and the monitors need C(mon_allow_pool_size_one=true); when the
        configuration database says false, the module refuses before changing anything.
    type: int
  allow_size_one:
    description:
      - Confirm that O(size=1) (a single copy of every volume) is really wanted; it is then set with the
        monitors' C(yes_i_really_mean_it).
    type: bool
    default: false
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
  description:
    - The managed settings of the pool after the run (before it, for a removal). Empty when the pool is absent.
    - In check mode, for a pool that would be created, the settings the monitors would give it, computed from
      their running configuration; C(id) is null, and so is C(pg_num) when the autoscaler is on (it decides).
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
unknown:
  description: In check mode, the settings of a new pool that could not be computed (the monitors' running
    configuration was not readable with these credentials); they are null in RV(pool).
  returned: in check mode, when some could not be computed
  type: list
  elements: str
changes:
  description: What was (or, in check mode, would be) done, in order; after a failure, what was done before it.
  returned: always
  type: list
  elements: str
  sample: ["create pool", "set size to 2", "enable application rbd", "rbd pool init"]
"""

from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_client import CephClientError
from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_module import CephModule
from ansible_collections.eucalyptus.ceph.plugins.module_utils._names import pool_name_error
from ansible_collections.eucalyptus.ceph.plugins.module_utils import _rbd_pools as rbd_pools
from ansible_collections.eucalyptus.ceph.plugins.module_utils._difference import ABSENT, DifferenceTracker


def pool_difference(before, after):
    """The pool's managed settings, one record each (a pool that does not exist has none)."""
    pool = DifferenceTracker()
    for key in list(before) + [k for k in after if k not in before]:
        pool.add(key, before.get(key, ABSENT), after.get(key, ABSENT))
    return pool


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
        return dict(changed=True, pool=before, changes=["remove pool"], diff=pool_difference(before, {}).diff())

    desired = dict((k, params[k]) for k in ("size", "min_size", "pg_num", "pg_autoscale_mode"))
    size_one = params["size"] == 1 and (current is None or current["size"] != 1)
    if size_one and not rbd_pools.size_one_allowed(cm.client):
        # refused before anything is made: the monitors would refuse it after the create
        cm.fail("pool %s: size 1 is refused by the monitors' mon_allow_pool_size_one=false; nothing was changed "
                "(set it to true on the monitors first, if one copy is really wanted)" % name)
    changes = []
    unknown = []
    # the wanted size goes with the create (a refused size leaves no pool behind); size 1
    # needs its own confirmed "osd pool set" on every release; min_size is set afterwards
    create_size = None if params["size"] == 1 else params["size"]
    if current is None:
        changes.append("create pool")
        if cm.check_mode:
            # the pool as the monitors would create it (their running defaults); its id is
            # only known once it exists. The rest of the plan then follows from it as below.
            created, unknown = rbd_pools.created_settings(
                cm.client, dict(desired, size=create_size, min_size=None))
            current = dict(name=name, id=None, type="replicated", applications=[], rbd_initialized=False,
                           **created)
        else:
            rbd_pools.create(cm.client, name, params["pg_num"], params["pg_autoscale_mode"], create_size)
            cm.did("create pool")
            current = rbd_pools.pool_settings(cm.client, name)

    try:
        settings = rbd_pools.plan(current, desired)
    except ValueError as exc:
        fail_after(cm, name, "pool %s: %s" % (name, exc))
    planned = changes + [rbd_pools.setting_label(var, value) for var, value in settings]
    if "rbd" not in current["applications"]:
        planned.append("enable application rbd")
    if not current["rbd_initialized"]:
        planned.append("rbd pool init")

    if cm.check_mode:
        after = dict(current, **dict(settings))
        if "size" in dict(settings) and "min_size" not in dict(settings):
            # the monitors reset min_size whenever the size changes
            after["min_size"] = rbd_pools.min_size_for(cm.client, after["size"])
        after["applications"] = sorted(set(current["applications"]) | {"rbd"})
        after["rbd_initialized"] = True
        pool = pool_difference(before, after)
        # every planned step changes a setting shown: the plan and the diff agree
        result = dict(changed=pool.changed, pool=after, changes=planned, diff=pool.diff())
        if unknown:
            result["unknown"] = unknown
            cm.module.warn("check mode: the new pool's %s could not be computed (the monitors' running "
                           "configuration was not readable with these credentials): shown as null, and the "
                           "plan may be incomplete" % ", ".join(unknown))
        return result
    try:
        rbd_pools.apply(cm.client, name, settings, cm.did, allow_size_one=params["allow_size_one"])
        rbd_pools.enable_rbd(cm.client, name, current, cm.did)
    except CephClientError as exc:
        fail_after(cm, name, "pool %s: %s" % (name, exc), planned=planned, errno=exc.errno)
    after = rbd_pools.pool_settings(cm.client, name)
    return dict(changed=bool(cm.steps), pool=after, changes=list(cm.steps), diff=pool_difference(before, after).diff())


def fail_after(cm, name, msg, planned=None, errno=None):
    """Fail; after a change, with the pool as this run left it (a re-run converges)."""
    extra = {"errno": errno} if errno else {}
    if cm.steps:
        extra["pool"] = rbd_pools.pool_settings(cm.client, name) or {}
    cm.fail(msg, not_done=[c for c in (planned or []) if c not in cm.steps], **extra)


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
            allow_size_one=dict(type="bool", default=False),
        ),
        need_rbd=True,
    )
    error = pool_name_error(cm.params["name"]) or rbd_pools.desired_error(cm.params)
    if error:
        cm.fail(error)
    cm.run(run)


if __name__ == "__main__":
    main()
