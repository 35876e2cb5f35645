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
    description:
      - Name of the pool.
      - Exactly one of O(name) and O(pools) is required.
    type: str
  pools:
    description:
      - "Many pools in one run (one connection, one read of every pool's settings): each item is
        a pool name, or a dictionary with C(name) and any of O(state), O(size), O(min_size),
        O(pg_num), O(pg_autoscale_mode), O(force) and O(allow_size_one) for that pool alone.
        What an item does not set comes from the task's options."
      - The result then reports each pool in RV(pools) (its own C(changed), C(changes) and settings),
        the steps of all of them in RV(changes), each prefixed with the pool name, and a diff per pool.
      - The pools are handled in the order given; a failure stops the run there and says what the run
        changed in the pools before it.
    type: list
    elements: raw
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

- name: The EBS pools in one task, the snapshot pool with 2 copies
  eucalyptus.ceph.rbd_pool:
    pools:
      - eucavolumes
      - {name: eucasnapshots, size: 2, min_size: 1}
    size: 3
    min_size: 2
  register: ebs_pools

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
    - Not returned with O(pools) (see RV(pools)).
    - In check mode, for a pool that would be created, the settings the monitors would give it, computed from
      their running configuration; C(id) is null, and so is C(pg_num) when the autoscaler is on (it decides).
  returned: with O(name)
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
  description:
    - What was (or, in check mode, would be) done, in order; after a failure, what was done before it.
    - With O(pools), each step is prefixed with C(pool NAME:).
  returned: always
  type: list
  elements: str
  sample: ["create pool", "set size to 2", "enable application rbd", "rbd pool init"]
pools:
  description:
    - With O(pools), one item per pool, in the order given, each with the pool's C(name), C(changed),
      C(changes), C(pool) (as RV(pool) of a single pool) and, in check mode, C(unknown) where some
      settings could not be computed. RV(pool) is then not returned.
  returned: with O(pools)
  type: list
  elements: dict
  sample:
    - name: eucavolumes
      changed: false
      changes: []
      pool: {name: eucavolumes, id: 2, type: replicated, size: 3, min_size: 2, pg_num: 32,
             pg_autoscale_mode: "on", applications: [rbd], rbd_initialized: true}
"""

from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_client import CephClientError
from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_module import CephModule
from ansible_collections.eucalyptus.ceph.plugins.module_utils._names import pool_name_error
from ansible_collections.eucalyptus.ceph.plugins.module_utils import _rbd_pools as rbd_pools
from ansible_collections.eucalyptus.ceph.plugins.module_utils._difference import ABSENT, DifferenceTracker
from ansible_collections.eucalyptus.ceph.plugins.module_utils._list_items import merged_items

# the options of one pool: the task's, and those an item of "pools" may set for its pool
POOL_OPTIONS = dict(
    state=dict(type="str", default="present", choices=["present", "absent"]),
    size=dict(type="int"),
    min_size=dict(type="int"),
    pg_num=dict(type="int"),
    pg_autoscale_mode=dict(type="str", choices=["on", "off", "warn"]),
    force=dict(type="bool", default=False),
    allow_size_one=dict(type="bool", default=False),
)


def pool_difference(before, after):
    """The pool's managed settings, one record each (a pool that does not exist has none)."""
    pool = DifferenceTracker()
    for key in list(before) + [k for k in after if k not in before]:
        pool.add(key, before.get(key, ABSENT), after.get(key, ABSENT))
    return pool


def requested_pools(params):
    """``(pools, error)``: the pools of this run, each a dict of its name and options (an item's
    own settings over the task's), or the reason the request is refused."""
    task = dict((key, params[key]) for key in POOL_OPTIONS)
    if params["name"] is None and params["pools"] is None:
        # required_one_of counts an option given as null as given
        return None, "one of name and pools is required"
    if params["name"] is not None:
        items = [dict(task, name=params["name"])]
    else:
        item_spec = dict((key, dict(spec, default=None)) for key, spec in POOL_OPTIONS.items())
        item_spec["name"] = dict(type="str", required=True)
        merged, error = merged_items("pools", params["pools"], item_spec, task, "pool name")
        if error:
            return None, error
        items = [item for item, _own in merged]
    for item in items:
        error = pool_name_error(item["name"]) or rbd_pools.desired_error(item)
        if error:
            return None, error if params["name"] is not None else "pool %s: %s" % (item["name"], error)
    return items, None


class PoolSteps:
    """The steps done in one pool: recorded in the run (cm.did, with ``prefix``) and kept for
    the pool's own result."""

    def __init__(self, cm, prefix):
        self.cm, self.prefix, self.done = cm, prefix, []

    def __call__(self, label):
        self.done.append(label)
        self.cm.did(self.prefix + label)


def converge(cm, params, listing, prefix=""):
    """One pool to its wanted state; returns its result (changed, pool, changes, diff[, unknown])."""
    name = params["name"]
    did = PoolSteps(cm, prefix)
    current = rbd_pools.pool_settings(cm.client, name, listing)
    before = current or {}
    if params["state"] == "absent":
        if current is None:
            return dict(changed=False, pool={}, changes=[], diff=pool_difference({}, {}).diff())
        images = rbd_pools.image_count(cm.client, name)
        if images and not params["force"]:
            cm.fail("pool %s still holds %d RBD image(s): remove them first or set force=true" % (name, images))
        if not cm.check_mode:
            rbd_pools.remove(cm.client, name)
            did("remove pool")
        return dict(changed=True, pool=before, changes=["remove pool"], diff=pool_difference(before, {}).diff())

    desired = dict((k, params[k]) for k in ("size", "min_size", "pg_num", "pg_autoscale_mode"))
    size_one = params["size"] == 1 and (current is None or current["size"] != 1)
    if size_one and not rbd_pools.size_one_allowed(cm.client):
        # refused before anything is made: the monitors would refuse it after the create
        cm.fail("pool %s: size 1 is refused by the monitors' mon_allow_pool_size_one=false; nothing was changed "
                "in it (set it to true on the monitors first, if one copy is really wanted)" % name)

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
            did("create pool")
            current = rbd_pools.pool_settings(cm.client, name)

    try:
        settings = rbd_pools.plan(current, desired)
    except ValueError as exc:
        fail_after(cm, did, name, "pool %s: %s" % (name, exc))
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
            cm.module.warn("check mode: the new pool %s's %s could not be computed (the monitors' running "
                           "configuration was not readable with these credentials): shown as null, and the "
                           "plan may be incomplete" % (name, ", ".join(unknown)))
        return result

    try:
        rbd_pools.apply(cm.client, name, settings, did, allow_size_one=params["allow_size_one"])
        rbd_pools.enable_rbd(cm.client, name, current, did)
    except CephClientError as exc:
        fail_after(cm, did, name, "pool %s: %s" % (name, exc), planned=planned, errno=exc.errno)
    after = rbd_pools.pool_settings(cm.client, name) if did.done else current
    return dict(changed=bool(did.done), pool=after, changes=list(did.done),
                diff=pool_difference(before, after).diff())


def fail_after(cm, did, name, msg, planned=None, errno=None):
    """Fail; after a change, with the pool as this run left it (a re-run converges)."""
    extra = {"errno": errno} if errno else {}
    if did.done:
        extra["pool"] = rbd_pools.pool_settings(cm.client, name) or {}
    not_done = [did.prefix + c for c in (planned or []) if c not in did.done]
    cm.fail(msg, not_done=not_done, **extra)


def run(cm):
    pools, _error = requested_pools(cm.params)
    # one read of every pool; a pool changed by this run is read again on its own
    listing = rbd_pools.pool_listing(cm.client)
    if cm.params["name"] is not None:
        return converge(cm, pools[0], listing)
    results, changes, diffs = [], [], []
    for params in pools:
        prefix = "pool %s: " % params["name"]
        try:
            result = converge(cm, params, listing, prefix)
        except CephClientError as exc:
            # which pool failed, among many
            cm.fail("pool %s: %s" % (params["name"], exc), **({"errno": exc.errno} if exc.errno else {}))
        diff = result.pop("diff")
        diffs.append(dict(diff, before_header=params["name"], after_header=params["name"]))
        changes.extend(prefix + step for step in result["changes"])
        results.append(dict(result, name=params["name"]))
    return dict(changed=any(r["changed"] for r in results), pools=results, changes=changes, diff=diffs)


def main():
    spec = dict(
        name=dict(type="str"),
        pools=dict(type="list", elements="raw"),
    )
    spec.update(POOL_OPTIONS)
    cm = CephModule(
        argument_spec=spec,
        mutually_exclusive=[("name", "pools")],
        required_one_of=[("name", "pools")],
        need_rbd=True,
    )
    _pools, error = requested_pools(cm.params)
    if error:
        cm.fail(error)
    cm.run(run)


if __name__ == "__main__":
    main()
