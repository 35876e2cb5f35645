#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ceph_osd_flags
short_description: Set or unset cluster-wide OSD flags (noout, norebalance, ...)
version_added: 0.1.0
description:
  - C(ceph osd set|unset FLAG) for each flag of O(flags), only where the OSD map differs.
  - Returns the flags before the run, so that a play can restore exactly what it found.
extends_documentation_fragment:
  - eucalyptus.ceph.attributes
  - eucalyptus.ceph.attributes.actiongroup_ceph
  - eucalyptus.ceph.cluster
attributes:
  check_mode:
    support: full
    details: Reports the flags that would change.
  diff_mode:
    support: full
    details: Shows the settable flags before and after.
  idempotent:
    support: full
options:
  flags:
    description:
      - Flag name to wanted state (V(true) set, V(false) unset).
      - Settable flags are C(full), C(pause), C(noup), C(nodown), C(noout), C(noin), C(nobackfill),
        C(norebalance), C(norecover), C(noscrub), C(nodeep-scrub), C(notieragent), C(nosnaptrim).
    type: dict
    required: true
author:
  - Eucalyptus Ceph maintainers (@eucalyptus)
"""

EXAMPLES = r"""
- name: Hold back rebalancing while new OSDs are created
  eucalyptus.ceph.ceph_osd_flags:
    flags:
      norebalance: true
  register: flags_before

- name: Let data move again
  eucalyptus.ceph.ceph_osd_flags:
    flags:
      norebalance: false
"""

RETURN = r"""
before:
  description: Settable flags set before the run.
  returned: always
  type: list
  elements: str
  sample: [noout]
flags:
  description: Settable flags set after the run (what would be set, in check mode).
  returned: always
  type: list
  elements: str
  sample: [noout, norebalance]
"""

from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_module import CephModule
from ansible_collections.eucalyptus.ceph.plugins.module_utils._difference import DifferenceTracker
from ansible_collections.eucalyptus.ceph.plugins.module_utils import _osd_map as osd_map


def run(cm):
    current = osd_map.flags(cm.client) & set(osd_map.SETTABLE_FLAGS)
    wanted = cm.params["flags"]
    states = DifferenceTracker()
    for flag, on in sorted(wanted.items()):
        states.add(flag, flag in current, on)
    for flag in states.changed_items():
        on = wanted[flag]
        if not cm.check_mode:
            osd_map.set_flag(cm.client, flag, on)
            cm.did("%s %s" % ("set" if on else "unset", flag))
    # the flags the task names take their wanted state, the others stay as they are
    before, after = sorted(current), sorted((set(current) - set(wanted)) | set(f for f, on in wanted.items() if on))
    return dict(changed=states.changed, before=before, flags=after,
                diff=dict(before={"flags": before}, after={"flags": after}))


def main():
    cm = CephModule(argument_spec=dict(flags=dict(type="dict", required=True)))
    for flag, on in cm.params["flags"].items():
        if flag not in osd_map.SETTABLE_FLAGS:
            cm.fail("unknown or unsettable OSD flag %r (settable: %s)" % (flag, ", ".join(osd_map.SETTABLE_FLAGS)))
        if not isinstance(on, bool):
            cm.fail("flag %s: the wanted state must be true or false, got %r" % (flag, on))
    cm.run(run)


if __name__ == "__main__":
    main()
