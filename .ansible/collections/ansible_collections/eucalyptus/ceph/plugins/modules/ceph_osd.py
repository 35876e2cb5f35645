#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ceph_osd
short_description: Register a new OSD (id and cephx key) with the monitors and write its keyring
version_added: 0.1.0
description:
  - Makes sure the OSD with fsid O(uuid) exists in the OSD map, the way C(ceph-volume) does it -
    C(ceph osd new UUID) with the OSD's cephx secret in the JSON input buffer, which allocates
    the id and creates the C(osd.N) key with the C(profile osd) caps in one step.
  - The secret is read from O(key_file) on the target (create it with
    C(umask 077; ceph-authtool --gen-print-key > FILE)); it never appears on a command line,
    in the module's arguments or in its result.
  - With O(keyring), writes the OSD's keyring (C([osd.N]) and the key) atomically, for
    C(ceph-osd --mkfs) and the daemon.
  - Works with the C(client.bootstrap-osd) user (C(mon 'allow profile bootstrap-osd')).
  - Idempotent - an OSD whose fsid is already in the OSD map is not created again.
extends_documentation_fragment:
  - eucalyptus.ceph.attributes
  - eucalyptus.ceph.attributes.actiongroup_ceph
  - eucalyptus.ceph.cluster
attributes:
  check_mode:
    support: full
    details:
      - Reports whether the OSD would be created, with the id the monitors would give it, and plans its
        keyring; nothing is sent or written.
  diff_mode:
    support: none
    details: The OSD map has no diff to show; the result says whether the OSD was created.
  idempotent:
    support: full
options:
  uuid:
    description: The OSD's fsid (C(ceph-osd --osd-uuid)).
    type: str
    required: true
  key_file:
    description:
      - File on the target holding the OSD's cephx secret, either a bare key or a keyring.
      - Needed when the OSD does not exist yet (in check mode a missing file is tolerated).
    type: path
    required: true
  keyring:
    description:
      - Where to write the OSD's keyring (typically C(/var/lib/ceph/osd/ceph-N/keyring)).
      - The literal C({id}) is replaced with the OSD id. The directory must exist.
    type: path
  owner:
    description: Owner of O(keyring). Debian's units run the OSD as C(ceph).
    type: str
    default: ceph
  group:
    description: Group of O(keyring).
    type: str
    default: ceph
  mode:
    description: Mode of O(keyring), an octal string.
    type: raw
    default: '0600'
author:
  - Eucalyptus Ceph maintainers (@eucalyptus)
"""

EXAMPLES = r"""
- name: Register the OSD and write its keyring
  eucalyptus.ceph.ceph_osd:
    uuid: "{{ osd_uuid }}"
    key_file: /var/lib/ceph-osd-files/slot0/osd-key
    keyring: /var/lib/ceph/osd/ceph-{id}/keyring
    cluster_user: bootstrap-osd
    cluster_keyring: /var/lib/ceph/bootstrap-osd/ceph.keyring
  register: osd
"""

RETURN = r"""
osd_id:
  description:
    - The OSD id. In check mode, for an OSD that would be created, the id the monitors would give it
      (the lowest id no OSD has; RV(osd_id_planned) is then true) - another OSD created first would take it.
  returned: always
  type: int
  sample: 3
osd_id_planned:
  description: True when RV(osd_id) is the id check mode expects, not one the monitors gave.
  returned: always
  type: bool
keyring_plan:
  description:
    - Check mode for a keyring whose secret or directory does not exist yet (made by earlier tasks of the
      real run) - path, owner, group and mode as they would be, never a key; C(unknown) says what could not be checked.
  returned: in check mode, when O(keyring) is given and the file cannot be checked with its content
  type: dict
created:
  description: Whether the OSD was (or in check mode would be) created.
  returned: always
  type: bool
uuid:
  description: The OSD fsid, lower case.
  returned: always
  type: str
keyring:
  description: The path of the keyring written, if any.
  returned: when O(keyring) is given and the id is known
  type: str
"""

import json
import os

from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_module import CephModule
from ansible_collections.eucalyptus.ceph.plugins.module_utils._daemon_keys import (
    DaemonKeyError,
    read_key_file,
)
from ansible_collections.eucalyptus.ceph.plugins.module_utils import _keyring_file as keyring_file


def find_osd(osd_dump, uuid):
    for osd in (osd_dump or {}).get("osds", []):
        if str(osd.get("uuid", "")).lower() == uuid.lower():
            return int(osd["osd"])
    return None


def parse_osd_new(out):
    if isinstance(out, dict) and "osdid" in out:
        return int(out["osdid"])
    if isinstance(out, int):
        return out
    if isinstance(out, str) and out.strip().isdigit():
        return int(out.strip())
    raise DaemonKeyError("unexpected answer to 'osd new': %r" % (out,))


def next_osd_id(osd_dump):
    """The id ``osd new`` (without an id) gives the next OSD: the monitors take the lowest id
    that no OSD has (holes left by purged OSDs first), else max_osd."""
    taken = set(int(o["osd"]) for o in osd_dump.get("osds") or [])
    osd_id = 0
    while osd_id in taken:
        osd_id += 1
    return osd_id


def run(cm):
    p = cm.params
    uuid = p["uuid"].strip().lower()
    try:
        key = read_key_file(p["key_file"])
    except DaemonKeyError as exc:
        cm.fail(str(exc))
    osd_dump = cm.client.mon_command("osd dump")
    osd_id = find_osd(osd_dump, uuid)
    created = planned_id = False
    if osd_id is None:
        created = True
        # the monitors' choice if nothing else creates an OSD first
        expected_id = next_osd_id(osd_dump)
        if cm.check_mode:
            osd_id, planned_id = expected_id, True
        else:
            if key is None:
                cm.fail("%s does not exist: generate the OSD's secret first" % p["key_file"])
            if p["keyring"]:
                # ordered: the keyring file must be writable before the OSD is registered (its
                # directory may be named after the id, and then only exists afterwards)
                try:
                    plan = keyring_file.plan_new_key(p["keyring"].replace("{id}", str(expected_id)),
                                                     owner=p["owner"], group=p["group"],
                                                     mode=keyring_file.parse_mode(p["mode"]))
                except keyring_file.KeyringFileError as exc:
                    cm.fail("%s; nothing was changed" % exc)
                if "unknown" in plan and "{id}" not in os.path.dirname(p["keyring"]):
                    cm.fail("%s; nothing was changed" % plan["unknown"])
            inbuf = json.dumps({"cephx_secret": key}).encode("utf-8")
            try:
                osd_id = parse_osd_new(cm.client.mon_command("osd new", inbuf=inbuf, uuid=uuid))
            except DaemonKeyError as exc:
                cm.fail(str(exc))
            cm.did("register osd.%d" % osd_id)
    result = dict(changed=created, created=created, osd_id=osd_id, uuid=uuid, osd_id_planned=planned_id)
    if p["keyring"] and osd_id is not None:
        path = p["keyring"].replace("{id}", str(osd_id))
        result["keyring"] = path
        if key is None and not cm.check_mode:
            cm.fail("%s does not exist: the keyring of osd.%d cannot be written" % (p["key_file"], osd_id))
        try:
            mode = keyring_file.parse_mode(p["mode"])
            if cm.check_mode and (key is None or not os.path.isdir(os.path.dirname(path) or ".")):
                # the secret or the OSD's directory come from earlier tasks of the real run:
                # plan the file as far as it can be without them
                result["keyring_plan"] = keyring_file.plan_new_key(path, owner=p["owner"], group=p["group"],
                                                                   mode=mode)
                return result
            written = keyring_file.ensure_present(
                path, keyring_file.render_entity("osd.%d" % osd_id, key), owner=p["owner"], group=p["group"],
                mode=mode, check_mode=cm.check_mode)
        except keyring_file.KeyringFileError as exc:
            result.pop("changed")
            cm.fail("%s; the keyring was not written (a re-run writes it)" % exc, **result)
        result["changed"] = result["changed"] or written["changed"]
    return result


def main():
    cm = CephModule(
        argument_spec=dict(
            uuid=dict(type="str", required=True),
            key_file=dict(type="path", required=True, no_log=False),
            keyring=dict(type="path", no_log=False),
            owner=dict(type="str", default="ceph"),
            group=dict(type="str", default="ceph"),
            mode=dict(type="raw", default="0600"),
        ),
    )
    cm.run(run)


if __name__ == "__main__":
    main()
