#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: cephx_user
short_description: Manage a cephx client user and its capabilities
version_added: 0.1.0
description:
  - Creates a C(client.NAME) user with capabilities per daemon type, updates the capabilities
    when they differ, or removes the user, through the monitor's C(auth) commands.
  - Capabilities are given literally with O(caps) or by a named EBS O(profile) (V(sc) for the
    Eucalyptus Storage Controller, V(nc) for Node Controllers) computed from the pool lists.
  - The diff shows capabilities only; the key never appears in a diff, a log or, unless asked
    for under C(no_log), a return value.
extends_documentation_fragment:
  - eucalyptus.ceph.attributes
  - eucalyptus.ceph.attributes.actiongroup_ceph
  - eucalyptus.ceph.cluster
attributes:
  check_mode:
    support: full
    details: Reports what would change without changing it.
  diff_mode:
    support: full
    details: Shows the user's capabilities before and after.
  idempotent:
    support: full
options:
  name:
    description:
      - The cephx id, without the C(client.) prefix.
      - Exactly one of O(name) and O(users) is required.
    type: str
  users:
    description:
      - "Many users in one run (one connection and, where the credentials may list users, one
        C(auth ls) for all of them): each item is a cephx id, or a dictionary with C(name) and
        any of O(state), O(profile) and O(caps) for that user alone (an item's O(caps) replaces
        the task's O(profile) and the other way round). What an item does not set comes from
        the task's options; O(volume_pools), O(snapshot_pools) and O(users_prefix) are the
        task's."
      - The result then reports each user in RV(users) (its own C(changed) and caps) and a diff per
        user; the users are handled in the order given, and a failure says which users the run
        changed before it.
      - O(key) works with O(name) only. With O(return_key=true) each item of RV(users) has the
        user's C(key) (for per-host NC users, one task creates them all and hands each host its key).
    type: list
    elements: raw
  state:
    description: V(present) creates or updates the user; V(absent) removes it.
    type: str
    choices: [present, absent]
    default: present
  caps:
    description:
      - Capabilities by daemon type (C(mon), C(osd), C(mgr), C(mds)), each a cap string such as
        C(profile rbd pool=eucavolumes). Daemon types left out get no capability.
      - Mutually exclusive with O(profile).
    type: dict
  profile:
    description:
      - Named EBS capability profile.
      - V(sc) (Storage Controller) - C(mon 'profile rbd'), C(osd) and C(mgr) C('profile rbd pool=P')
        for every volume and snapshot pool; creates, deletes, snapshots, protects, clones,
        flattens, renames, reads and writes images.
      - V(nc) (Node Controller) - C(mon 'profile rbd') and object-prefix C(osd) grants that let a
        hypervisor open, read, write, discard and lock existing images in the volume pools and
        READ their clone parents in the snapshot pools; creating, resizing, snapshotting,
        cloning, renaming and removing images are refused with EPERM.
      - V(ebs-admin) (the EBS automation, instead of C(client.admin) on an existing cluster) -
        C(mon 'allow r') plus only the monitor commands that create and tune the pools of
        O(volume_pools) and O(snapshot_pools) (C(osd pool create), C(osd pool set),
        C(osd pool application enable), each for those pool names) and that create, read and
        change the caps of the users whose id starts with O(users_prefix) (C(auth get-or-create),
        C(auth get), C(auth caps)); C(osd 'profile rbd pool=P') on those pools. Give it to the
        EBS roles with C(ceph_client_admin_user). Its own name must not start with O(users_prefix).
      - Ceph does not limit the caps a user grants to the users it creates, so a holder of the
        ebs-admin key could create a user of its prefix with any caps. The profile prevents
        mistakes, not a compromise. Keep its keyring as safe as client.admin's.
      - Needs O(volume_pools). Mutually exclusive with O(caps).
    type: str
    choices: [sc, nc, ebs-admin]
  users_prefix:
    description:
      - For O(profile=ebs-admin), the start of the ids of the users it may manage (C(client.) is
        added). The default covers the EBS roles' default users C(eucalyptus) and C(eucalyptus-nc).
    type: str
    default: eucalyptus
  volume_pools:
    description: Pools holding EBS volumes (Eucalyptus C(cephvolumepools)), for O(profile).
    type: list
    elements: str
    default: []
  snapshot_pools:
    description: Pools holding EBS snapshots (Eucalyptus C(cephsnapshotpools)), for O(profile).
    type: list
    elements: str
    default: []
  key:
    description:
      - A cephx secret to give the user (for example to keep a key across a rebuild).
      - When omitted, Ceph generates the key of a new user and an existing key is kept.
    type: str
  return_key:
    description:
      - Return the key as RV(key). Allowed only when the task has C(no_log) set, so that the
        key cannot reach a log or the console.
    type: bool
    default: false
author:
  - Eucalyptus Ceph maintainers (@eucalyptus)
"""

EXAMPLES = r"""
- name: Storage Controller user (Eucalyptus default name)
  eucalyptus.ceph.cephx_user:
    name: eucalyptus
    profile: sc
    volume_pools: [eucavolumes]
    snapshot_pools: [eucasnapshots]

- name: Node Controller user, key kept for the keyring task
  eucalyptus.ceph.cephx_user:
    name: eucalyptus-nc
    profile: nc
    volume_pools: [eucavolumes]
    snapshot_pools: [eucasnapshots]
    return_key: true
  no_log: true
  register: nc_user

- name: A user with literal caps
  eucalyptus.ceph.cephx_user:
    name: backup
    caps:
      mon: profile rbd
      osd: profile rbd-read-only pool=eucavolumes

- name: The Storage Controller's user and one Node Controller user per hypervisor, in one task
  eucalyptus.ceph.cephx_user:
    users: "{{ [{'name': 'eucalyptus', 'profile': 'sc'}] + groups['euca_nc'] | map('regex_replace', '^', 'eucalyptus-nc-') | list }}"
    profile: nc
    volume_pools: [eucavolumes]
    snapshot_pools: [eucasnapshots]

- name: Remove a user
  eucalyptus.ceph.cephx_user:
    name: old-nc
    state: absent
"""

RETURN = r"""
entity:
  description: The full entity name.
  returned: with O(name)
  type: str
  sample: client.eucalyptus
caps:
  description: The capabilities after the run (before it, for a removal).
  returned: with O(name)
  type: dict
  sample: {"mon": "profile rbd", "osd": "profile rbd pool=eucavolumes"}
users:
  description:
    - With O(users), one item per user, in the order given, each with its C(entity), C(changed) and
      C(caps) (as RV(entity) and RV(caps) of a single user). A C(key) only with O(return_key=true),
      which needs C(no_log) on the task.
  returned: with O(users)
  type: list
  elements: dict
  sample:
    - entity: client.eucalyptus-nc-hv1
      changed: true
      caps: {"mon": "profile rbd", "osd": "profile rbd pool=eucavolumes"}
key:
  description: The user's key. Only with O(return_key=true), which needs C(no_log) on the task.
  returned: when O(return_key=true) and the user exists
  type: str
"""

from ansible_collections.eucalyptus.ceph.plugins.module_utils._caps import caps_error, normalize_caps, profile_caps
from ansible_collections.eucalyptus.ceph.plugins.module_utils._cephx_key import cephx_key_error
from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_client import CephClientError
from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_module import CephModule
from ansible_collections.eucalyptus.ceph.plugins.module_utils._difference import ABSENT, DifferenceTracker
from ansible_collections.eucalyptus.ceph.plugins.module_utils._list_items import merged_items
from ansible_collections.eucalyptus.ceph.plugins.module_utils._names import client_id_error, pool_name_error
from ansible_collections.eucalyptus.ceph.plugins.module_utils import _cephx_users as cephx_users

# what an item of "users" may set for its user alone
USER_ITEM_SPEC = dict(
    name=dict(type="str", required=True),
    state=dict(type="str", choices=["present", "absent"]),
    caps=dict(type="dict"),
    profile=dict(type="str", choices=["sc", "nc", "ebs-admin"]),
)


def desired_caps(params):
    if params["profile"]:
        return normalize_caps(profile_caps(params["profile"], params["volume_pools"], params["snapshot_pools"],
                                           users_prefix=params["users_prefix"]))
    return normalize_caps(params["caps"])


def converge(cm, params, current):
    """One user to its wanted state (``current``: the user as read, or None); returns its result."""
    entity = "client.%s" % params["name"]
    # the diff shows the entity and its caps, never its key
    user = DifferenceTracker()

    if params["state"] == "absent":
        user.add("entity", entity if current else ABSENT, ABSENT)
        user.add("caps", current["caps"] if current else ABSENT, ABSENT)
        if user.changed and not cm.check_mode:
            cephx_users.remove(cm.client, entity)
            cm.did("remove %s" % entity)
        return dict(changed=user.changed, entity=entity, caps=current["caps"] if current else {},
                    **(dict(diff=user.diff()) if user.changed else {}))

    caps = desired_caps(params)
    user.add("entity", entity if current else ABSENT, entity)
    user.add("caps", current["caps"] if current else ABSENT, caps)
    wanted_key = params["key"]
    key_changes = wanted_key is not None and (current is None or current["key"] != wanted_key)
    changed = key_changes or user.changed
    key = current["key"] if current else None
    if changed and not cm.check_mode:
        if key_changes:
            cephx_users.import_key(cm.client, entity, wanted_key, caps)
            cm.did("import the given key of %s" % entity)
            key = wanted_key
        elif current is None:
            key = cephx_users.create(cm.client, entity, caps)
            cm.did("create %s" % entity)
        else:
            cephx_users.set_caps(cm.client, entity, caps)
            cm.did("set the caps of %s" % entity)
    result = dict(changed=changed, entity=entity, caps=caps, diff=user.diff())
    if key_changes:
        result["key_changed"] = True
    if params["return_key"] and key is not None:
        result["key"] = key
    return result


def run(cm):
    users, _error = requested_users(cm.params)
    if cm.params["name"] is not None:
        entity = "client.%s" % users[0]["name"]
        return converge(cm, users[0], cephx_users.get_user(cm.client, entity))
    # one auth ls for all of them, where these credentials may list users
    known = cephx_users.all_users(cm.client)
    results, diffs = [], []
    for params in users:
        entity = "client.%s" % params["name"]
        try:
            current = known.get(entity) if known is not None else cephx_users.get_user(cm.client, entity)
            result = converge(cm, params, current)
        except CephClientError as exc:
            # which user failed, among many
            cm.fail("%s: %s" % (entity, exc), **({"errno": exc.errno} if exc.errno else {}))
        diff = result.pop("diff", None) or dict(before={}, after={})
        diffs.append(dict(diff, before_header=entity, after_header=entity))
        results.append(result)
    return dict(changed=any(r["changed"] for r in results), users=results, diff=diffs)


def requested_users(params):
    """``(users, error)``: the users of this run, each a dict of its options (an item's own over
    the task's), or the reason the request is refused."""
    if params["name"] is None and params["users"] is None:
        # required_one_of counts an option given as null as given
        return None, "one of name and users is required"
    if params["name"] is not None:
        return [dict(params)], None
    if params["key"] is not None:
        return None, "key works with name only, not with users"
    merged, error = merged_items("users", params["users"], USER_ITEM_SPEC, params, "cephx id",
                                 mutually_exclusive=[("caps", "profile")])
    if error:
        return None, error
    items = []
    for item, own in merged:
        # an item's caps replace the task's profile, and the other way round
        if "caps" in own:
            item["profile"] = None
        if "profile" in own:
            item["caps"] = None
        items.append(item)
    return items, None


def validate(params, no_log):
    """None when one user's options are consistent, else the reason."""
    error = client_id_error(params["name"])
    if error:
        return error
    if params["return_key"] and not no_log:
        return "return_key=true needs no_log: true on the task, so that the key cannot be logged"
    if params["state"] == "absent":
        return None
    if params["profile"] is None and not params["caps"]:
        return "state=present needs caps or a profile (sc, nc or ebs-admin)"
    if params["key"]:
        error = cephx_key_error(params["key"])
        if error:
            return "key: %s" % error
        # a given key is imported as keyring text, where caps are quoted as a whole
        if params["profile"] == "ebs-admin" or (
                params["caps"] and caps_error(params["caps"]) is None and caps_error(params["caps"], in_keyring=True)):
            return ("key cannot be given for caps with quoted monitor commands (profile ebs-admin): "
                    "create the user without key, Ceph generates one")
    if params["profile"]:
        if not params["volume_pools"]:
            return "profile %s needs volume_pools" % params["profile"]
        for pool in params["volume_pools"] + params["snapshot_pools"]:
            error = pool_name_error(pool)
            if error:
                return error
        if params["profile"] == "ebs-admin":
            error = client_id_error(params["users_prefix"])
            if error:
                return "users_prefix: %s" % error
            if params["name"].startswith(params["users_prefix"]):
                return ("client.%s starts with users_prefix %r: it could change its own caps; give the "
                        "ebs-admin user a name outside the prefix" % (params["name"], params["users_prefix"]))
        return None
    return caps_error(params["caps"])


def main():
    cm = CephModule(
        argument_spec=dict(
            name=dict(type="str"),
            users=dict(type="list", elements="raw"),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            caps=dict(type="dict"),
            profile=dict(type="str", choices=["sc", "nc", "ebs-admin"]),
            users_prefix=dict(type="str", default="eucalyptus"),
            volume_pools=dict(type="list", elements="str", default=[]),
            snapshot_pools=dict(type="list", elements="str", default=[]),
            key=dict(type="str", no_log=True),
            return_key=dict(type="bool", default=False),
        ),
        mutually_exclusive=[("caps", "profile"), ("name", "users")],
        required_one_of=[("name", "users")],
    )
    users, error = requested_users(cm.params)
    for params in users or []:
        error = error or validate(params, cm.module.no_log)
        if error and cm.params["users"] is not None:
            error = "client.%s: %s" % (params["name"], error)
        if error:
            break
    if error:
        cm.fail(error)
    cm.run(run)


if __name__ == "__main__":
    main()
