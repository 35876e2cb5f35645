#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: cephx_key_rotation
short_description: Hand a cephx user over to a new key, through the monitors' pending keys
version_added: 0.1.0
description:
  - A key rotation that keeps the user's name and has no moment in which no key works.
    O(state=pending) gives the user a second, pending key (C(auth get-or-create-pending)). Both
    keys log in until the pending key is first used; about 2 s after a first login with it the
    monitors make it the user's key themselves, and the old key is refused from then on (measured
    on Tentacle 20.2.4). O(state=committed) does the same at once (C(auth commit-pending));
    O(state=cleared) drops the pending key instead (C(auth clear-pending)) and the old key stays.
  - So the pending key is a handover, not an overlap. It suits a client that reads its keyring
    for every connection (the Eucalyptus Storage Controller opens a new librados handle per
    operation). Write the pending key to its keyring, and its next operation retires the old key.
    It does not suit clients that keep the old key in memory for long (a running guest's qemu).
    They fail at their next full authentication once the old key is retired.
  - Needs monitors that have pending keys (Reef 18.2 and later). On older releases (Pacific) the
    module fails before any change and says so.
  - The user must exist (M(eucalyptus.ceph.cephx_user)). Keys are returned only with
    O(return_keys=true), which needs C(no_log) on the task; results and diffs name keys by
    fingerprint (SHA-256, 16 hex digits) only.
extends_documentation_fragment:
  - eucalyptus.ceph.attributes
  - eucalyptus.ceph.attributes.actiongroup_ceph
  - eucalyptus.ceph.cluster
attributes:
  check_mode:
    support: full
    details: Reports what would change. A pending key that does not exist yet is not returned (it does not exist).
  diff_mode:
    support: full
    details: Shows the fingerprints of the key and of the pending key before and after.
  idempotent:
    support: full
options:
  name:
    description: The cephx id of the user, without the C(client.) prefix (for example V(eucalyptus-nc)).
    type: str
    required: true
  state:
    description:
      - V(pending) - the user has a pending key (created when it has none; an existing one is kept,
        so an interrupted rotation resumes with the same key). A user whose pending key was already
        used has none any more; the run then creates another one.
      - V(committed) - the user has no pending key because it was made the key (nothing to do when
        there is no pending key).
      - V(cleared) - the user has no pending key because it was dropped.
    type: str
    choices: [pending, committed, cleared]
    default: pending
  return_keys:
    description:
      - Return RV(key) and RV(pending_key). Needs C(no_log) on the task, so that they cannot be logged.
    type: bool
    default: false
notes:
  - A client that still holds the old key when it is retired (by the commit, or by the first login
    with the pending key) fails at its next full authentication (a new monitor session, or its auth
    ticket's renewal).
seealso:
  - module: eucalyptus.ceph.cephx_user
  - module: eucalyptus.ceph.cephx_keyring
author:
  - Eucalyptus Ceph maintainers (@eucalyptus)
"""

EXAMPLES = r"""
- name: A pending key for the SC user (both keys log in until it is first used)
  eucalyptus.ceph.cephx_key_rotation:
    name: eucalyptus
    state: pending
    return_keys: true
  no_log: true
  register: sc_rotation

- name: The SC's keyring gets it (same file, same user name)
  eucalyptus.ceph.cephx_keyring:
    path: /etc/ceph/ceph.client.eucalyptus.keyring
    name: eucalyptus
    key: "{{ sc_rotation.pending_key }}"
    group: eucalyptus
  no_log: true

- name: The pending key becomes the key; the old one is refused from now on
  eucalyptus.ceph.cephx_key_rotation:
    name: eucalyptus
    state: committed
"""

RETURN = r"""
entity:
  description: The user.
  returned: always
  type: str
  sample: client.eucalyptus-nc
pending:
  description: Whether the user has a pending key after the run (in check mode, would have).
  returned: always
  type: bool
key_fingerprint:
  description: Fingerprint (SHA-256, 16 hex digits) of the user's key after the run (in check mode, would be).
  returned: always
  type: str
  sample: SHA256:6c0f1c2b9a8e7d4f
pending_key_fingerprint:
  description: Fingerprint of the pending key after the run; null without one, or in check mode before it exists.
  returned: always
  type: str
previous_key_fingerprint:
  description: Fingerprint of the key before the run (differs from RV(key_fingerprint) after a commit).
  returned: always
  type: str
caps:
  description: The user's capabilities (a key rotation does not change them), for its keyring files.
  returned: always
  type: dict
  sample: {mon: profile rbd, osd: profile rbd pool=eucavolumes}
key:
  description: The user's key after the run.
  returned: with O(return_keys=true)
  type: str
pending_key:
  description: The pending key after the run (not in check mode before it exists).
  returned: with O(return_keys=true) when the user has one
  type: str
"""

from ansible_collections.eucalyptus.ceph.plugins.module_utils import _cephx_rotation as rotation
from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_module import CephModule
from ansible_collections.eucalyptus.ceph.plugins.module_utils._difference import DifferenceTracker
from ansible_collections.eucalyptus.ceph.plugins.module_utils._names import client_id_error

NOT_YET = "(created by the run)"


def run(cm):
    p = cm.params
    entity = "client.%s" % p["name"]
    missing = rotation.missing_primitive(cm.client)
    if missing:
        cm.fail("%s: %s" % (entity, missing))
    before = rotation.read(cm.client, entity)
    if before is None:
        cm.fail("%s does not exist: create it first (eucalyptus.ceph.cephx_user), then rotate its key" % entity)
    key, pending = before["key"], before["pending_key"]
    if p["state"] == "pending" and pending is None:
        pending = NOT_YET if cm.check_mode else rotation.create_pending(cm.client, entity)
        if not cm.check_mode:
            cm.did("create a pending key for %s" % entity)
    elif p["state"] == "committed" and pending is not None:
        if not cm.check_mode:
            rotation.commit(cm.client, entity)
            cm.did("commit the pending key of %s" % entity)
        key, pending = pending, None
    elif p["state"] == "cleared" and pending is not None:
        if not cm.check_mode:
            rotation.clear(cm.client, entity)
            cm.did("clear the pending key of %s" % entity)
        pending = None

    def fp(value):
        return NOT_YET if value == NOT_YET else rotation.fingerprint(value)

    tracker = DifferenceTracker()
    tracker.add("key", rotation.fingerprint(before["key"]), fp(key))
    tracker.add("pending_key", rotation.fingerprint(before["pending_key"]), fp(pending))
    result = dict(
        changed=tracker.changed,
        entity=entity,
        pending=pending is not None,
        key_fingerprint=fp(key),
        pending_key_fingerprint=None if pending in (None, NOT_YET) else fp(pending),
        previous_key_fingerprint=rotation.fingerprint(before["key"]),
        caps=before["caps"],
    )
    if p["return_keys"]:
        result["key"] = key
        if pending not in (None, NOT_YET):
            result["pending_key"] = pending
    if cm.module._diff:
        result["diff"] = tracker.diff()
    return result


def main():
    cm = CephModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            state=dict(type="str", default="pending", choices=["pending", "committed", "cleared"]),
            return_keys=dict(type="bool", default=False),
        ),
    )
    error = client_id_error(cm.params["name"])
    if not error and cm.params["return_keys"] and not cm.module.no_log:
        error = "return_keys=true needs no_log: true on the task, so that the keys cannot be logged"
    if error:
        cm.fail(error)
    cm.run(run)


if __name__ == "__main__":
    main()
