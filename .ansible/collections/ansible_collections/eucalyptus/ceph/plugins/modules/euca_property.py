#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: euca_property
short_description: Read or set Eucalyptus cloud properties with euctl
version_added: 0.1.0
description:
  - Reads or sets Eucalyptus cloud properties, such as C(one.storage.cephuser), by running
    C(euctl) on the host the task runs on (a host with C(euctl) and cloud administrator
    credentials, normally the Cloud Controller; use C(delegate_to)).
  - Reads with C(euctl NAME) and writes with C(euctl NAME=VALUE), one property per call, as an
    argument list without a shell. Only properties whose value differs are written.
  - With O(properties), several properties are set in the order given, except that every
    C(ZONE.storage.blockstoragemanager) is set first - the Ceph RBD properties of a zone exist
    only once its block storage manager is C(ceph-rbd).
  - Unless O(require_ceph_rbd=false), a C(ZONE.storage.ceph*) property is refused, before
    anything is written, when the zone's block storage manager is not C(ceph-rbd) and the
    same task does not set it to C(ceph-rbd).
  - Property values are configuration, not secrets (the keyring is given by its path, never its
    key); still, only the names and values of the properties of the task are returned.
extends_documentation_fragment:
  - eucalyptus.ceph.attributes
attributes:
  check_mode:
    support: full
    details: Reads the current values and reports what would change without writing anything.
  diff_mode:
    support: full
    details: Shows the values of the task's properties before and after.
  idempotent:
    support: full
options:
  name:
    description:
      - Name of one property, for example V(one.storage.cephuser).
      - Without O(value) the property is only read (RV(value)).
      - Mutually exclusive with O(properties).
    type: str
  value:
    description:
      - Value to give the property O(name).
      - A boolean is written as V(true) or V(false), a number as its text, a list joined with
        commas (for example the pool lists C(cephvolumepools) and C(cephsnapshotpools)).
      - "euctl strips values and reads a value starting with C(@) from a file: such values, and
        values with line breaks, are refused. An empty string sets an empty value."
    type: raw
  properties:
    description:
      - Properties to set, as a dictionary of names and values (values as for O(value)).
      - Set in the order given, block storage manager properties first.
      - Mutually exclusive with O(name).
    type: dict
  euctl_path:
    description:
      - Path of the C(euctl) program.
      - When the default path does not exist, C(euctl) is looked up on E(PATH).
    type: path
    default: /usr/sbin/euctl
  region:
    description:
      - Region or C(USER@REGION) passed to C(euctl --region), naming a section of the euca2ools
        configuration that holds the endpoint and credentials.
      - When omitted, C(euctl) uses its own defaults (the Cloud Controller's admin configuration).
    type: str
  require_ceph_rbd:
    description:
      - Refuse C(ZONE.storage.ceph*) properties unless C(ZONE.storage.blockstoragemanager) is
        C(ceph-rbd), already or set earlier by the same task.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait, after this task changed a block storage manager, for the properties of
        the new provider to appear (the Storage Controller registers them when it leaves the
        BROKEN state).
      - V(0) does not wait.
    type: int
    default: 120
notes:
  - "Reading a property euctl does not know is not an error for euctl (it prints nothing); this
    module fails with a message naming the property."
  - Values are compared as euctl prints them. If Eucalyptus stores a value differently from how it
    was given (for example V(True) for V(true)), the module warns, because the next run would
    write it again.
seealso:
  - module: eucalyptus.ceph.cephx_user
  - module: eucalyptus.ceph.cephx_keyring
author:
  - Eucalyptus Ceph maintainers (@eucalyptus)
"""

EXAMPLES = r"""
- name: Read the Ceph user of zone one
  eucalyptus.ceph.euca_property:
    name: one.storage.cephuser
  delegate_to: "{{ groups['euca_clc'][0] }}"
  register: cephuser

- name: Select the Ceph RBD block storage manager for zone one
  eucalyptus.ceph.euca_property:
    name: one.storage.blockstoragemanager
    value: ceph-rbd
  delegate_to: "{{ groups['euca_clc'][0] }}"

- name: Configure the Storage Controller of zone one (block storage manager first)
  eucalyptus.ceph.euca_property:
    properties:
      one.storage.blockstoragemanager: ceph-rbd
      one.storage.cephuser: eucalyptus
      one.storage.cephkeyringfile: /etc/ceph/ceph.client.eucalyptus.keyring
      one.storage.cephconfigfile: /etc/ceph/ceph.conf
      one.storage.cephvolumepools: [eucavolumes]
      one.storage.cephsnapshotpools: [eucasnapshots]
      one.storage.shouldtransfersnapshots: true
  delegate_to: "{{ groups['euca_clc'][0] }}"

- name: A euctl that is not in /usr/sbin, with a named region configuration
  eucalyptus.ceph.euca_property:
    name: one.storage.maxsnapshotdeltas
    value: 5
    euctl_path: /usr/local/bin/euctl
    region: admin@localhost
"""

RETURN = r"""
value:
  description: Value of O(name) after the run (in check mode, as it would be).
  returned: when O(name) is given
  type: str
  sample: eucalyptus
properties:
  description: Every property of the task with its value after the run (in check mode, as it would be).
  returned: always
  type: dict
  sample: {"one.storage.blockstoragemanager": "ceph-rbd", "one.storage.cephuser": "eucalyptus"}
changed_properties:
  description: Names of the properties written (in check mode, that would be written), in the order of writing.
  returned: always
  type: list
  elements: str
  sample: ["one.storage.cephuser"]
not_done:
  description: When a write fails, the properties this run meant to write and did not, the failed one first.
  returned: on a failed write
  type: list
  elements: str
  sample: ["one.storage.cephvolumepools"]
"""

import os
import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.eucalyptus.ceph.plugins.module_utils import _euctl as euctl_utils
from ansible_collections.eucalyptus.ceph.plugins.module_utils._difference import DifferenceTracker
from ansible_collections.eucalyptus.ceph.plugins.module_utils._euctl import (
    CEPH_RBD,
    Euctl,
    EuctlError,
    UnknownProperty,
)

DEFAULT_EUCTL = "/usr/sbin/euctl"
POLL_INTERVAL = 3


def find_euctl(module):
    path = module.params["euctl_path"]
    if path and (path != DEFAULT_EUCTL or _is_executable(path)):
        if not _is_executable(path):
            module.fail_json(msg="euctl not found or not executable at %s (euctl_path)" % path)
        return path
    found = module.get_bin_path("euctl", opt_dirs=["/usr/sbin", "/usr/local/sbin"])
    if not found:
        module.fail_json(msg="euctl not found (not at %s, not on PATH): run this task on the Cloud Controller "
                             "(delegate_to) or set euctl_path" % DEFAULT_EUCTL)
    return found


def _is_executable(path):
    return os.path.isfile(path) and os.access(path, os.X_OK)


def wanted_items(module):
    """[(name, value text or None)] in the order given; fails on bad names or values."""
    params = module.params
    if params["properties"] is not None:
        if not params["properties"]:
            module.fail_json(msg="properties must name at least one property")
        raw = list(params["properties"].items())
    else:
        if params["value"] is None:
            raw = [(params["name"], None)]
        else:
            raw = [(params["name"], params["value"])]
    items = []
    for name, value in raw:
        error = euctl_utils.name_error(name)
        if error:
            module.fail_json(msg=error)
        if value is not None:
            try:
                value = euctl_utils.normalize_value(value)
            except TypeError as exc:
                module.fail_json(msg="%s: %s" % (name, exc))
            error = euctl_utils.value_error(name, value)
            if error:
                module.fail_json(msg=error)
        items.append((name, value))
    return items


def unknown_message(name, exc, bsm_values=None):
    zone = euctl_utils.zone_of(name)
    text = str(exc).rstrip()
    if not text.endswith("."):
        text += "."
    if zone is None:
        return text
    hint = " Is %s a zone with a registered Storage Controller?" % zone
    if euctl_utils.is_ceph_property(name):
        hint = (" The ceph-rbd properties of zone %s exist only once %s is ceph-rbd and the zone's "
                "Storage Controller is registered and out of the BROKEN state"
                % (zone, euctl_utils.bsm_name(zone)))
        if bsm_values and bsm_values.get(zone) is not None:
            hint += " (it is %r now)" % bsm_values[zone]
        hint += "."
    return text + hint


def current_bsm(tool, name):
    """{zone: block storage manager} for the zone of a ceph property, best effort (for messages)."""
    zone = euctl_utils.zone_of(name)
    if zone is None or not euctl_utils.is_ceph_property(name):
        return {}
    try:
        return {zone: tool.get(euctl_utils.bsm_name(zone))}
    except EuctlError:
        return {}


def plan(module, tool, items):
    """Read everything first, write nothing. Returns (current values by name, zones whose
    block storage manager this run changes)."""
    current = {}
    bsm_after = {}
    bsm_changing = set()
    for name, value in items:
        if euctl_utils.is_bsm(name):
            zone = euctl_utils.zone_of(name)
            try:
                current[name] = tool.get(name)
            except UnknownProperty as exc:
                module.fail_json(msg=unknown_message(name, exc), property=name)
            bsm_after[zone] = value if value is not None else current[name]
            if value is not None and value != current[name]:
                bsm_changing.add(zone)

    guard = module.params["require_ceph_rbd"]
    for name, value in items:
        if name in current:
            continue
        zone = euctl_utils.zone_of(name)
        if guard and euctl_utils.is_ceph_property(name) and zone not in bsm_after:
            try:
                bsm_after[zone] = tool.get(euctl_utils.bsm_name(zone))
            except UnknownProperty as exc:
                module.fail_json(msg="cannot set %s: %s" % (name, unknown_message(euctl_utils.bsm_name(zone), exc)),
                                 property=name)
        try:
            current[name] = tool.get(name)
        except UnknownProperty as exc:
            if zone in bsm_changing:
                # Registered by the Storage Controller once the new block storage manager is in place.
                current[name] = None
                continue
            module.fail_json(msg=unknown_message(name, exc, bsm_after), property=name)

    if guard:
        for name, value in items:
            if not euctl_utils.is_ceph_property(name):
                continue
            zone = euctl_utils.zone_of(name)
            bsm = euctl_utils.bsm_name(zone)
            if bsm_after[zone] != CEPH_RBD:
                module.fail_json(
                    msg="refusing to set %s: %s is %r, not %r. Set %s=%s first (in the same task with "
                        "properties, or in an earlier task); the ceph-rbd properties mean nothing to another "
                        "block storage manager." % (name, bsm, bsm_after[zone], CEPH_RBD, bsm, CEPH_RBD),
                    property=name)
    return current, bsm_changing


def set_property(module, tool, name, value, wait, written, not_done):
    """Set NAME; when it is not known yet and WAIT, retry until wait_timeout. A failure reports
    the properties already WRITTEN by this run (changed) and those it did NOT write (not_done,
    NAME first)."""
    deadline = time.time() + module.params["wait_timeout"]
    while True:
        try:
            return tool.set(name, value)
        except UnknownProperty as exc:
            if not wait or time.time() >= deadline:
                msg = unknown_message(name, exc)
                if wait:
                    msg += " Waited %d s after changing the block storage manager." % module.params["wait_timeout"]
                module.fail_json(msg=msg, property=name, changed=bool(written), changed_properties=written,
                                 not_done=not_done)
            time.sleep(POLL_INTERVAL)
        except EuctlError as exc:
            module.fail_json(msg=str(exc), property=name, changed=bool(written), changed_properties=written,
                             not_done=not_done)


def run(module):
    items = wanted_items(module)
    tool = Euctl(module.run_command, find_euctl(module), region=module.params["region"])
    name = module.params["name"]

    if len(items) == 1 and items[0][1] is None:
        try:
            value = tool.get(name)
        except UnknownProperty as exc:
            module.fail_json(msg=unknown_message(name, exc, current_bsm(tool, name)), property=name)
        return dict(changed=False, value=value, properties={name: value}, changed_properties=[])

    items = euctl_utils.order_properties(items)
    current, bsm_changing = plan(module, tool, items)

    changed = []
    after = {}
    to_write = [prop for prop, value in items if current[prop] != value]
    for prop, value in items:
        before_value = current[prop]
        if before_value == value:
            after[prop] = value
            continue
        after[prop] = value
        if module.check_mode:
            changed.append(prop)
            continue
        wait = euctl_utils.zone_of(prop) in bsm_changing and module.params["wait_timeout"] > 0
        printed = set_property(module, tool, prop, value, wait, list(changed), to_write[len(changed):])
        changed.append(prop)
        if printed is not None and printed != value:
            module.warn("euctl reports %s = %r after setting it to %r: Eucalyptus keeps the value in another "
                        "form, so the next run will set it again; give the value as euctl prints it."
                        % (prop, printed, value))
            after[prop] = printed

    properties = DifferenceTracker()
    for prop, dummy in items:
        properties.add(prop, current[prop] if current[prop] is not None else "", after[prop])
    result = dict(
        # what was written: a value Eucalyptus prints back as it was still counts as a write
        changed=bool(changed),
        properties=after,
        changed_properties=changed,
        diff=properties.diff(),
    )
    if name is not None:
        result["value"] = after[name]
    return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type="str"),
            value=dict(type="raw"),
            properties=dict(type="dict"),
            euctl_path=dict(type="path", default=DEFAULT_EUCTL),
            region=dict(type="str"),
            require_ceph_rbd=dict(type="bool", default=True),
            wait_timeout=dict(type="int", default=120),
        ),
        mutually_exclusive=[("name", "properties"), ("value", "properties")],
        required_one_of=[("name", "properties")],
        supports_check_mode=True,
    )
    if module.params["wait_timeout"] < 0:
        module.fail_json(msg="wait_timeout must be 0 or more seconds")
    try:
        result = run(module)
    except EuctlError as exc:
        module.fail_json(msg=str(exc))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
