#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ceph_crush_weight
short_description: Set the CRUSH weight of OSDs, absolutely or as a fraction of their size
version_added: 0.1.0
description:
  - C(ceph osd crush reweight osd.N W) for each OSD of O(osds) whose weight differs.
  - With O(fraction), the weight is that fraction of the weight Ceph gives an OSD of its size
    (its size in TiB), which is how an expansion brings new OSDs in step by step.
extends_documentation_fragment:
  - eucalyptus.ceph.attributes
  - eucalyptus.ceph.attributes.actiongroup_ceph
  - eucalyptus.ceph.cluster
attributes:
  check_mode:
    support: full
    details: Reports the weights that would change.
  diff_mode:
    support: full
    details: Shows the weights before and after.
  idempotent:
    support: full
options:
  osds:
    description: OSD ids.
    type: list
    elements: int
    required: true
  weight:
    description: CRUSH weight to set (0 takes the OSDs' data away). Mutually exclusive with O(fraction).
    type: float
  fraction:
    description: Fraction (0 to 1) of each OSD's size-based weight. Mutually exclusive with O(weight).
    type: float
  direction:
    description:
      - V(any) sets every OSD to the weight. V(up) only raises weights (an OSD already at or above
        the weight is left alone), V(down) only lowers them - so that a step of an interrupted
        expansion (or retirement) that is run again never moves an OSD backwards.
    type: str
    choices: [any, up, down]
    default: any
author:
  - Eucalyptus Ceph maintainers (@eucalyptus)
"""

EXAMPLES = r"""
- name: Bring new OSDs in at a quarter of their weight
  eucalyptus.ceph.ceph_crush_weight:
    osds: [3, 4, 5]
    fraction: 0.25

- name: Resume an expansion - raise to half their weight, never lower one already above
  eucalyptus.ceph.ceph_crush_weight:
    osds: [3, 4, 5]
    fraction: 0.5
    direction: up
"""

RETURN = r"""
weights:
  description: CRUSH weight of each OSD after the run (or the planned one in check mode).
  returned: always
  type: dict
  sample: {"osd.3": 0.0005, "osd.4": 0.0005}
before:
  description: CRUSH weight of each OSD before the run.
  returned: always
  type: dict
"""

from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_module import CephModule
from ansible_collections.eucalyptus.ceph.plugins.module_utils._difference import DifferenceTracker
from ansible_collections.eucalyptus.ceph.plugins.module_utils import _osd_map as osd_map


def run(cm):
    p = cm.params
    table = osd_map.osd_table(cm.client)
    missing = [i for i in p["osds"] if i not in table]
    if missing:
        cm.fail("no such OSD(s): %s" % ", ".join("osd.%d" % i for i in missing))
    weights = DifferenceTracker()
    for osd_id in p["osds"]:
        osd = table[osd_id]
        target = p["weight"] if p["weight"] is not None else round(osd["size_weight"] * p["fraction"], 6)
        # already there (within CRUSH's rounding), or only the other direction would move it
        if osd_map.same_weight(osd["crush_weight"], target) or (
                p["direction"] == "up" and osd["crush_weight"] > target) or (
                p["direction"] == "down" and osd["crush_weight"] < target):
            target = osd["crush_weight"]
        weights.add(osd["name"], osd["crush_weight"], target, same=osd_map.same_weight)
    for name in weights.changed_items():
        target = weights.after()[name]
        if not cm.check_mode:
            osd_map.reweight(cm.client, name, target)
            cm.did("set the CRUSH weight of %s to %s" % (name, target))
    return dict(changed=weights.changed, before=weights.before(), weights=weights.after(), diff=weights.diff())


def main():
    cm = CephModule(
        argument_spec=dict(
            osds=dict(type="list", elements="int", required=True),
            weight=dict(type="float"),
            fraction=dict(type="float"),
            direction=dict(type="str", default="any", choices=["any", "up", "down"]),
        ),
        mutually_exclusive=[("weight", "fraction")],
        required_one_of=[("weight", "fraction")],
    )
    p = cm.params
    if not p["osds"]:
        cm.fail("osds must list at least one OSD id")
    if p["weight"] is not None and p["weight"] < 0:
        cm.fail("weight must not be negative")
    if p["fraction"] is not None and not 0 <= p["fraction"] <= 1:
        cm.fail("fraction must be between 0 and 1")
    cm.run(run)


if __name__ == "__main__":
    main()
