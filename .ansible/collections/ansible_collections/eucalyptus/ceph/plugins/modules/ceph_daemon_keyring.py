#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ceph_daemon_keyring
short_description: Make sure a cephx entity (mgr.X, client.bootstrap-osd...) exists and write its keyring
version_added: 0.1.0
description:
  - Creates the cephx entity O(entity) with O(caps) if it does not exist
    (C(auth get-or-create)), corrects its caps if they differ (C(auth caps)), and writes its
    keyring file O(path) on the target, atomically and with O(mode) (default C(0600)).
  - Meant for daemon and bootstrap keys (C(mgr.ID), C(client.bootstrap-osd)); client users of
    Eucalyptus are managed by M(eucalyptus.ceph.cephx_user) and M(eucalyptus.ceph.cephx_keyring).
  - The key travels from the monitor to the file inside the module only; it is never on a
    command line, in the module arguments or in its result.
extends_documentation_fragment:
  - eucalyptus.ceph.attributes
  - eucalyptus.ceph.attributes.actiongroup_ceph
  - eucalyptus.ceph.cluster
attributes:
  check_mode:
    support: full
    details:
      - Reports what would change; nothing is sent or written.
      - The keyring of a new entity is planned (path, owner, group, mode checked) without its key,
        which only the monitors make (RV(keyring)).
  diff_mode:
    support: none
    details: The key is never shown; the result says whether the keyring was written.
  idempotent:
    support: full
options:
  entity:
    description: The full entity name, for example V(mgr.mon1) or V(client.bootstrap-osd).
    type: str
    required: true
  caps:
    description: Capabilities, daemon type to cap string, for example C(mon) to C(allow profile mgr).
    type: dict
    required: true
  path:
    description:
      - Keyring file to write. Its directory must exist.
      - When omitted only the entity is managed.
    type: path
  owner:
    description: Owner of O(path); an existing file keeps its owner when omitted.
    type: str
  group:
    description: Group of O(path); an existing file keeps its group when omitted.
    type: str
  mode:
    description: Mode of O(path), an octal string.
    type: raw
    default: '0600'
author:
  - Eucalyptus Ceph maintainers (@eucalyptus)
"""

EXAMPLES = r"""
- name: Key of the manager on this host
  eucalyptus.ceph.ceph_daemon_keyring:
    entity: "mgr.{{ ansible_hostname }}"
    caps: {mon: allow profile mgr, osd: allow *, mds: allow *}
    path: "/var/lib/ceph/mgr/ceph-{{ ansible_hostname }}/keyring"
    owner: ceph
    group: ceph
"""

RETURN = r"""
entity:
  description: The entity name.
  returned: always
  type: str
created:
  description: Whether the entity was (or would be) created.
  returned: always
  type: bool
caps_changed:
  description: Whether the caps were (or would be) corrected.
  returned: always
  type: bool
keyring:
  description:
    - The keyring file of O(path) as the run leaves it (in check mode, would leave it), never its key.
    - For an entity that does not exist yet, check mode cannot know the key (the monitors make it)
      but checks the path, owner and group; C(unknown) says why the file could not be checked
      (for example its directory, made by an earlier task, does not exist yet).
  returned: when O(path) is given
  type: dict
  sample: {path: /var/lib/ceph/mgr/ceph-mon1/keyring, would_write: true, exists: false, owner: ceph,
           group: ceph, mode: "0600"}
"""

from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_client import CephClientError
from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_module import CephModule
from ansible_collections.eucalyptus.ceph.plugins.module_utils._daemon_keys import (
    caps_to_list,
    valid_entity,
)
from ansible_collections.eucalyptus.ceph.plugins.module_utils import _keyring_file as keyring_file

ENOENT = 2


def get_entity(client, entity):
    try:
        out = client.mon_command("auth get", entity=entity)
    except CephClientError as exc:
        if exc.errno == ENOENT:
            return None
        raise
    for entry in out or []:
        if entry.get("entity") == entity:
            return entry
    return None


def run(cm):
    p = cm.params
    entity = p["entity"]
    if not valid_entity(entity):
        cm.fail("entity must look like mgr.ID, osd.N, mds.ID, mon. or client.NAME, got %r" % entity)
    caps = dict((str(k), str(v)) for k, v in p["caps"].items())
    current = get_entity(cm.client, entity)
    created = current is None
    caps_changed = not created and (current.get("caps") or {}) != caps
    key = None if created else current.get("key")
    result = dict(entity=entity, created=created, caps_changed=caps_changed)
    if created and p["path"]:
        # The new entity's key only exists once the monitors make it. Ordered: the keyring file
        # is checked first, so that a bad path, owner or group changes nothing; check mode
        # reports that plan.
        try:
            plan = keyring_file.plan_new_key(p["path"], owner=p["owner"], group=p["group"],
                                             mode=keyring_file.parse_mode(p["mode"]))
        except keyring_file.KeyringFileError as exc:
            cm.fail("%s; nothing was changed" % exc)
        if cm.check_mode:
            result["keyring"] = plan
        elif "unknown" in plan:
            cm.fail("%s; nothing was changed" % plan["unknown"])
    if not cm.check_mode:
        if created:
            out = cm.client.mon_command("auth get-or-create", entity=entity, caps=caps_to_list(caps))
            key = out[0]["key"]
            cm.did("create %s" % entity)
        elif caps_changed:
            cm.client.mon_command("auth caps", entity=entity, caps=caps_to_list(caps))
            cm.did("set the caps of %s" % entity)
    changed = created or caps_changed
    if p["path"] and key is not None:
        try:
            written = keyring_file.ensure_present(
                p["path"], keyring_file.render_entity(entity, key), owner=p["owner"], group=p["group"],
                mode=keyring_file.parse_mode(p["mode"]), check_mode=cm.check_mode)
        except keyring_file.KeyringFileError as exc:
            cm.fail("%s; the keyring was not written" % exc, **result)
        changed = changed or written["changed"]
        result["keyring"] = dict(path=p["path"], would_write=written["changed"], exists=True,
                                 owner=keyring_file.user_name(written["uid"]),
                                 group=keyring_file.group_name(written["gid"]),
                                 mode=keyring_file.format_mode(written["mode"]))
    return dict(result, changed=changed)


def main():
    cm = CephModule(
        argument_spec=dict(
            entity=dict(type="str", required=True),
            caps=dict(type="dict", required=True),
            path=dict(type="path"),
            owner=dict(type="str"),
            group=dict(type="str"),
            mode=dict(type="raw", default="0600"),
        ),
    )
    cm.run(run)


if __name__ == "__main__":
    main()
