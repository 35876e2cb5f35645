#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ceph_change_record
short_description: Keep in the cluster what a long operation is about to change, and put it back
version_added: 0.1.0
description:
  - Before an operation such as an OSD expansion sets throttles, flags or an initial CRUSH weight,
    O(state=recorded) stores their current values in the monitors' config-key store
    (C(eucalyptus/change-records/NAME)). O(state=restored) puts back exactly those values
    (an option that was not set is removed again, a flag is set or unset as it was) and then
    removes the record.
  - The record lives in the cluster, not in the controller. When the controller dies in the
    middle of the operation, the next run finds the record and restores what was there before
    the interrupted run, not what that run had set.
  - O(state=recorded) keeps a record that exists already and says so (RV(resumed)), because the
    values before the first, interrupted run are the ones to restore.
extends_documentation_fragment:
  - eucalyptus.ceph.attributes
  - eucalyptus.ceph.attributes.actiongroup_ceph
  - eucalyptus.ceph.cluster
attributes:
  check_mode:
    support: full
    details: Reads the record and the current values and reports what a real run would write or put back.
  diff_mode:
    support: full
    details: Shows the values before and after the entries that would be put back, or the record written.
  idempotent:
    support: full
options:
  name:
    description: The record's name (lower-case letters, digits, C(_) and C(-)).
    type: str
    required: true
  state:
    description:
      - V(recorded) stores the current values of O(config) and O(flags) unless a record exists.
      - V(restored) puts back the recorded values (only the entries of O(only) when given, which are
        then dropped from the record) and removes the record once it is empty. Without a record
        it changes nothing.
    type: str
    choices: [recorded, restored]
    required: true
  config:
    description:
      - The configuration options to record (O(state=recorded)), each as C(WHO/NAME), for example
        V(osd/osd_max_backfills) (the section has no C(/); the option may, V(mgr/mgr/balancer/mode)).
    type: list
    elements: str
    default: []
  flags:
    description: The OSD map flags to record (O(state=recorded)), for example V(norebalance).
    type: list
    elements: str
    default: []
  note:
    description: What the record is for (kept in it, shown when a later run resumes it).
    type: str
    default: ""
  only:
    description:
      - With O(state=restored), the entries to put back now, named C(config:WHO/NAME) or C(flag:NAME);
        the others stay recorded for a later restore.
    type: list
    elements: str
author:
  - Eucalyptus Ceph maintainers (@eucalyptus)
"""

EXAMPLES = r"""
- name: Record the throttles and norebalance before the expansion changes them
  eucalyptus.ceph.ceph_change_record:
    name: osd_expand
    state: recorded
    note: expansion of osd4
    config:
      - osd/osd_max_backfills
      - osd/osd_crush_initial_weight
    flags: [norebalance]
  register: record

- name: Put osd_crush_initial_weight back as soon as the OSDs exist
  eucalyptus.ceph.ceph_change_record:
    name: osd_expand
    state: restored
    only: ["config:osd/osd_crush_initial_weight"]

- name: At the end (also after a failure, or in the next run after the controller died)
  eucalyptus.ceph.ceph_change_record:
    name: osd_expand
    state: restored
"""

RETURN = r"""
record:
  description: The record (as stored, or as it would be stored in check mode); null when there is none.
  returned: always
  type: dict
  contains:
    note:
      description: What it is for.
      type: str
    created:
      description: When it was written (UTC).
      type: str
    config:
      description: "Options with their recorded value (null: not set)."
      type: list
      elements: dict
    flags:
      description: Flag name to whether it was set.
      type: dict
found:
  description: With O(state=restored), the record as it was read before anything was put back; null when there was none.
  returned: always with O(state=restored)
  type: dict
resumed:
  description: With O(state=recorded), a record existed already (an earlier run did not finish).
  returned: always
  type: bool
restored:
  description: The entries put back (or that would be, in check mode), as C(ID=VALUE) with VALUE the recorded one.
  returned: always
  type: list
  elements: str
changes:
  description: With a failure after a change, the changes this run made.
  returned: on failure
  type: list
  elements: str
"""

import json

from ansible_collections.eucalyptus.ceph.plugins.module_utils import _change_records as change_records
from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_module import CephModule
from ansible_collections.eucalyptus.ceph.plugins.module_utils._difference import DifferenceTracker
from ansible_collections.eucalyptus.ceph.plugins.module_utils._osd_map import SETTABLE_FLAGS


def record_text(record):
    return json.dumps(record, indent=2, sort_keys=True) + "\n" if record else ""


def recorded(cm):
    p = cm.params
    existing = change_records.read(cm.client, p["name"])
    if existing is not None:
        return dict(changed=False, record=existing, resumed=True, restored=[])
    options = [tuple(o.split("/", 1)) for o in p["config"]]
    record = change_records.snapshot(cm.client, p["name"], options, p["flags"], p["note"])
    if not cm.check_mode:
        change_records.write(cm.client, record)
    result = dict(changed=True, record=record, resumed=False, restored=[])
    if cm.module._diff:
        result["diff"] = dict(before="", after=record_text(record))
    return result


def restored(cm):
    p = cm.params
    record = change_records.read(cm.client, p["name"])
    if record is None:
        return dict(changed=False, record=None, found=None, resumed=False, restored=[])
    only = set(p["only"]) if p["only"] is not None else None
    plan = change_records.plan_restore(cm.client, record, only)
    done, entries = [], DifferenceTracker()
    pending = ["%s=%s" % (eid, change_records.describe(kind, before)) for eid, kind, _w, _n, before, _now, differs in plan if differs]
    for eid, kind, who, name, before, now, differs in plan:
        if not differs:
            continue
        label = "%s=%s" % (eid, change_records.describe(kind, before))
        entries.add(eid, change_records.describe(kind, now), change_records.describe(kind, before))
        if not cm.check_mode:
            try:
                change_records.put_back(cm.client, kind, who, name, before)
            except Exception as exc:  # the record stays whole: a rerun puts back the rest
                cm.fail("putting back %s failed: %s (the record %s is kept)" % (label, exc, p["name"]),
                        not_done=[x for x in pending if x not in done])
            cm.did("put back " + label)
        done.append(label)
    put = set(eid for eid, _k, _w, _n, _b, _now, _d in plan)
    left = dict(record)
    left["config"] = [e for e in record.get("config", []) if change_records.entry_id("config", e["who"], e["name"]) not in put]
    left["flags"] = dict((f, on) for f, on in record.get("flags", {}).items()
                         if change_records.entry_id("flag", name=f) not in put)
    empty = not left["config"] and not left["flags"]
    if not cm.check_mode:
        if empty:
            change_records.remove(cm.client, p["name"])
        elif put:
            change_records.write(cm.client, left)
    result = dict(changed=bool(done) or bool(put), record=None if empty else left, found=record, resumed=False,
                  restored=done)
    if cm.module._diff:
        result["diff"] = entries.diff_text()
    return result


def main():
    cm = CephModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            state=dict(type="str", required=True, choices=["recorded", "restored"]),
            config=dict(type="list", elements="str", default=[]),
            flags=dict(type="list", elements="str", default=[]),
            note=dict(type="str", default=""),
            only=dict(type="list", elements="str"),
        ),
    )
    p = cm.params
    problem = change_records.check_name(p["name"])
    for option in p["config"]:
        who, slash, name = option.partition("/")
        if not slash:
            problem = problem or "config entry %r: expected WHO/NAME, for example osd/osd_max_backfills" % (option,)
        problem = problem or change_records.check_option(who, name)
    for flag in p["flags"]:
        if flag not in SETTABLE_FLAGS:
            problem = problem or "unknown or unsettable OSD flag %r (settable: %s)" % (flag, ", ".join(SETTABLE_FLAGS))
    if any(ch < " " or ch == "\x7f" for ch in p["note"]):
        problem = problem or "note must not hold control characters"
    if problem:
        cm.fail(problem)
    cm.run(recorded if p["state"] == "recorded" else restored)


if __name__ == "__main__":
    main()
