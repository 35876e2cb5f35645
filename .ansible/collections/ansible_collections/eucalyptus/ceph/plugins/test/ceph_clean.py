# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: ceph_clean
short_description: Is a ceph_info result a clean, healthy cluster (health gate)?
version_added: 0.1.0
description:
  - True when the result of M(eucalyptus.ceph.ceph_info) (gathered with C(health), C(osds) and C(pgs))
    shows C(HEALTH_OK) - or only health checks named in the allowed list -, at least one OSD,
    every OSD up and in, and every placement group C(active+clean).
  - An OSD registered with the monitors but never started (a creation that did not finish) does
    not count, it holds no data.
  - Read the PG states with O(eucalyptus.ceph.ceph_info#module:flush_pg_stats=true), else they can be stale.
options:
  _input:
    description: A registered M(eucalyptus.ceph.ceph_info) result.
    type: dict
    required: true
  allowed:
    description: Health check names that do not count (for example V(OSDMAP_FLAGS)).
    type: list
    elements: str
    default: []
  ignore_osds:
    description:
      - OSD ids whose state does not count (the OSDs of a host being retired, already stopped or out).
    type: list
    elements: int
    default: []
"""

EXAMPLES = r"""
- name: Wait for a clean cluster, a set noout flag allowed
  eucalyptus.ceph.ceph_info:
    gather: [health, osds, pgs]
    flush_pg_stats: true
  register: gate
  until: gate is eucalyptus.ceph.ceph_clean(['OSDMAP_FLAGS'])
  retries: 60
  delay: 3
"""

RETURN = r"""
_value:
  description: Whether the cluster is clean.
  type: bool
"""


def ceph_clean(result, allowed=None, ignore_osds=None):
    if not isinstance(result, dict):
        return False
    health, osds, pgs = result.get("health"), result.get("osds"), result.get("pgs")
    if not (isinstance(health, dict) and isinstance(osds, dict) and isinstance(pgs, dict)):
        return False
    allowed = set(allowed or [])
    healthy = health.get("ok") or not (set((health.get("checks") or {}).keys()) - allowed)
    if ignore_osds:
        ignored = set(int(i) for i in ignore_osds)
        # a down or out OSD of a host being retired raises OSD_DOWN / OSD_HOST_DOWN: not counted either
        others = [o for o in osds.get("osds") or [] if o.get("id") not in ignored and not o.get("never_started")]
        up_in = bool(others) and all(o.get("up") and o.get("in") for o in others)
        healthy = healthy or not (set((health.get("checks") or {}).keys()) - allowed - set(("OSD_DOWN", "OSD_HOST_DOWN")))
        return bool(healthy and up_in and pgs.get("all_active_clean"))
    return bool(healthy and osds.get("total", 0) > 0 and osds.get("all_up_in") and pgs.get("all_active_clean"))


class TestModule(object):
    def tests(self):
        return {"ceph_clean": ceph_clean}
