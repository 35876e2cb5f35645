#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ceph_info
short_description: Read facts about a Ceph cluster
version_added: 0.1.0
description:
  - Reads the fsid, monitors, health, OSD tree summary, placement group states, OSD map flags
    and pools of a Ceph cluster through librados, without changing anything.
  - With O(flush_pg_stats=true) the placement group states are trustworthy for a health gate -
    right after OSDs start or join, the monitor can report stale PG states (C(unknown), or
    the previous mapping as C(active+clean)) while health already says C(HEALTH_OK).
extends_documentation_fragment:
  - eucalyptus.ceph.attributes
  - eucalyptus.ceph.attributes.actiongroup_ceph
  - eucalyptus.ceph.cluster
attributes:
  check_mode:
    support: full
    details: The module never changes anything; check mode runs it unchanged.
  diff_mode:
    support: none
    details: Nothing changes, so there is no diff.
  idempotent:
    support: full
options:
  gather:
    description:
      - Subsets of facts to read. V(all) reads every subset.
      - Each subset costs one or two monitor commands; C(osds), C(flags) and C(pools) share one C(osd dump).
    type: list
    elements: str
    choices: [all, fsid, monitors, health, osds, pgs, flags, pools, osd_scheduler]
    default: [all]
  flush_pg_stats:
    description:
      - Before reading PG states and health, ask every up OSD to flush its PG statistics
        (C(ceph tell osd.N flush_pg_stats)) and wait until the monitor has seen them
        (C(ceph osd last-stat-seq)).
      - Needs a user allowed to send commands to OSDs (for example C(client.admin)).
    type: bool
    default: false
  flush_timeout:
    description:
      - Seconds to wait for the monitor to see the flushed PG statistics.
    type: int
    default: 60
author:
  - Eucalyptus Ceph maintainers (@eucalyptus)
"""

EXAMPLES = r"""
- name: Everything
  eucalyptus.ceph.ceph_info:
  register: ceph

- name: Health gate before an OSD is stopped
  eucalyptus.ceph.ceph_info:
    gather: [health, osds, pgs]
    flush_pg_stats: true
  register: gate
  until: gate.ready
  retries: 30
  delay: 2

- name: Monitors for a libvirt disk definition
  eucalyptus.ceph.ceph_info:
    gather: [monitors]
    cluster_user: eucalyptus
  register: mons
"""

RETURN = r"""
fsid:
  description: The cluster fsid.
  returned: when C(fsid) is gathered
  type: str
  sample: fe850bea-5a92-49d3-90ce-54713273d73b
monitors:
  description: Monitors from the monitor map, with the addresses of their address vector.
  returned: when C(monitors) is gathered
  type: list
  elements: dict
  sample:
    - name: a
      rank: 0
      host: 127.0.0.1
      v1: 127.0.0.1:6789
      v2: 127.0.0.1:3300
      v1_port: 6789
      v2_port: 3300
      in_quorum: true
health:
  description: Health status, C(ok) (status is C(HEALTH_OK)) and a summary of every health check.
  returned: when C(health) is gathered
  type: dict
  sample:
    status: HEALTH_WARN
    ok: false
    checks:
      OSDMAP_FLAGS:
        severity: HEALTH_WARN
        summary: noout flag(s) set
        count: 1
        muted: false
        detail: []
osds:
  description: OSD summary.
  returned: when C(osds) is gathered
  type: dict
  contains:
    total:
      description: Number of OSDs.
      type: int
    up:
      description: Number of OSDs up.
      type: int
    in:
      description: Number of OSDs in.
      type: int
    all_up_in:
      description:
        - Every OSD is up and in, not counting OSDs that never started (see RV(osds.never_started)).
      type: bool
    never_started:
      description:
        - Ids of OSDs registered with the monitors (C(osd new)) that never booted, as a creation
          that did not finish leaves them; they hold no data.
      type: list
      elements: int
    hosts:
      description: CRUSH host name -> ids of its OSDs.
      type: dict
    osds:
      description: Per OSD id, name, host, up, in, crush_weight, reweight, device_class and never_started.
      type: list
      elements: dict
pgs:
  description:
    - Placement group states. C(active_clean) counts every state that is active and clean, whatever the
      PG does besides (C(active+clean+scrubbing+deep) is clean; a cluster always scrubs somewhere).
  returned: when C(pgs) is gathered
  type: dict
  sample:
    num_pgs: 32
    by_state: {"active+clean": 32}
    active_clean: 32
    all_active_clean: true
    stats_flushed: true
flags:
  description: OSD map flags that are set (C(noout), C(norebalance)..., and internal ones like C(sortbitwise)).
  returned: when C(flags) is gathered
  type: list
  elements: str
pools:
  description: Pools and their settings.
  returned: when C(pools) is gathered
  type: list
  elements: dict
  sample:
    - name: eucavolumes
      id: 1
      type: replicated
      size: 3
      min_size: 2
      pg_num: 32
      pgp_num: 32
      pg_num_target: 32
      autoscale_mode: "on"
      crush_rule: 0
      application: [rbd]
      quota_max_bytes: 0
      quota_max_objects: 0
ready:
  description:
    - C(HEALTH_OK), every OSD up and in, and every PG C(active+clean).
    - Only trustworthy with O(flush_pg_stats=true).
  returned: when C(health), C(osds) and C(pgs) are gathered
  type: bool
osd_scheduler:
  description:
    - The OSDs' op scheduler as the monitors' configuration database gives it (with Ceph's defaults for
      what is not set; a value in an OSD host's C(ceph.conf) is not seen).
    - C(recovery_limits_apply) is false under mClock (the default since Quincy) without
      C(osd_mclock_override_recovery_settings) - the OSDs then ignore C(osd_max_backfills),
      C(osd_recovery_max_active) and the recovery sleeps, and C(osd_mclock_profile) is the throttle.
  returned: when C(osd_scheduler) is gathered
  type: dict
  sample: {op_queue: mclock_scheduler, mclock_profile: balanced, override_recovery_settings: false, recovery_limits_apply: false}
pg_stats_flush:
  description: OSDs whose PG stats were flushed, OSDs skipped (with the reason) and the seconds it took.
  returned: when O(flush_pg_stats=true)
  type: dict
  sample: {osds: [0, 1, 2], skipped: {}, seconds: 0.41}
"""

from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_module import CephModule
from ansible_collections.eucalyptus.ceph.plugins.module_utils._cluster_facts import SUBSETS, gather_facts


def run(cm):
    gather = cm.params["gather"]
    subsets = SUBSETS if "all" in gather else [s for s in SUBSETS if s in gather]
    if cm.params["flush_timeout"] < 1:
        cm.fail("flush_timeout must be at least 1 second")
    facts = gather_facts(cm.client, subsets, flush=cm.params["flush_pg_stats"],
                         flush_timeout=cm.params["flush_timeout"])
    facts["changed"] = False
    return facts


def main():
    cm = CephModule(
        argument_spec=dict(
            gather=dict(type="list", elements="str", default=["all"], choices=["all"] + list(SUBSETS)),
            flush_pg_stats=dict(type="bool", default=False),
            flush_timeout=dict(type="int", default=60),
        ),
        supports_check_mode=True,
    )
    cm.run(run)


if __name__ == "__main__":
    main()
