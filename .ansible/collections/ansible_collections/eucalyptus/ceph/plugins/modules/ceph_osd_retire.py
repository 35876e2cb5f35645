#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ceph_osd_retire
short_description: Take OSDs out of a cluster safely - out, stop/destroy checks, purge
version_added: 0.1.0
description:
  - The monitor side of retiring OSDs (drain their CRUSH weight to 0 first with
    M(eucalyptus.ceph.ceph_crush_weight) and wait for every PG active+clean).
  - V(state=out) marks the OSDs out (C(ceph osd out)), only those still in.
  - V(state=safe) changes nothing; it asks the monitors C(osd ok-to-stop) and C(osd safe-to-destroy)
    for the OSDs and returns the answers (use it with C(until)).
  - V(state=purged) removes the OSDs from the CRUSH map, the OSD map and the auth database
    (C(ceph osd purge)). Each OSD must be down and, unless O(force=true), safe to destroy.
    With O(crush_host), that host bucket is removed afterwards when it holds nothing any more.
extends_documentation_fragment:
  - eucalyptus.ceph.attributes
  - eucalyptus.ceph.attributes.actiongroup_ceph
  - eucalyptus.ceph.cluster
attributes:
  check_mode:
    support: full
    details: Reports what would change; the checks of V(state=purged) still run.
  diff_mode:
    support: none
    details: Nothing to compare; RV(changed_osds) lists what changes.
  idempotent:
    support: full
options:
  osds:
    description: OSD ids. Ids no longer in the OSD map are ignored (already purged).
    type: list
    elements: int
    required: true
  state:
    description: V(out), V(safe) (checks only) or V(purged).
    type: str
    choices: [out, safe, purged]
    required: true
  crush_host:
    description: With V(state=purged), CRUSH host bucket to remove once it is empty.
    type: str
  force:
    description: Purge even when the monitors do not say the OSDs are safe to destroy.
    type: bool
    default: false
author:
  - Eucalyptus Ceph maintainers (@eucalyptus)
"""

EXAMPLES = r"""
- name: Wait until the drained OSDs can be stopped and destroyed
  eucalyptus.ceph.ceph_osd_retire:
    osds: [3, 4, 5]
    state: safe
  register: retire
  until: retire.ok_to_stop and retire.safe_to_destroy
  retries: 60
  delay: 5
"""

RETURN = r"""
ok_to_stop:
  description: The monitors' answer to C(osd ok-to-stop) (V(state=safe)).
  returned: when O(state=safe)
  type: bool
safe_to_destroy:
  description: Every OSD is safe to destroy without reducing data durability (V(state=safe)).
  returned: when O(state=safe)
  type: bool
reason:
  description: The monitors' explanation when an answer is no.
  returned: when O(state=safe)
  type: str
changed_osds:
  description: OSD ids marked out or purged (or that would be).
  returned: always
  type: list
  elements: int
"""

import errno

from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_client import CephClientError
from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_module import CephModule

NOT_YET = (errno.EBUSY, errno.EAGAIN)


def ok_to_stop(client, ids):
    try:
        out = client.mon_command("osd ok-to-stop", ids=[str(i) for i in ids])
    except CephClientError as exc:
        if exc.errno in NOT_YET:
            return False, str(exc)
        raise
    if isinstance(out, dict) and out.get("ok_to_stop") is False:
        return False, "ok-to-stop: %s" % out
    return True, ""


def safe_to_destroy(client, ids):
    try:
        out = client.mon_command("osd safe-to-destroy", ids=[str(i) for i in ids])
    except CephClientError as exc:
        if exc.errno in NOT_YET:
            return False, str(exc)
        raise
    # Pacific answers 0 with the lists in JSON; the OSDs are safe when all are listed as such.
    if isinstance(out, dict) and "safe_to_destroy" in out:
        safe = set(int(i) for i in out.get("safe_to_destroy") or [])
        if not set(ids) <= safe:
            return False, "safe-to-destroy: %s" % out
    return True, ""


def run(cm):
    p = cm.params
    client = cm.client
    dump = client.mon_command("osd dump")
    present = dict((int(o["osd"]), o) for o in dump.get("osds") or [])
    ids = [i for i in p["osds"] if i in present]
    result = dict(changed=False, changed_osds=[])
    if p["state"] == "out":
        result["changed_osds"] = [i for i in ids if present[i].get("in")]
        if result["changed_osds"]:
            result["changed"] = True
            if not cm.check_mode:
                client.mon_command("osd out", ids=[str(i) for i in result["changed_osds"]])
        return result
    if p["state"] == "safe":
        if not ids:
            result.update(ok_to_stop=True, safe_to_destroy=True, reason="")
            return result
        stop, why_stop = ok_to_stop(client, ids)
        safe, why_safe = safe_to_destroy(client, ids)
        result.update(ok_to_stop=stop, safe_to_destroy=safe, reason="; ".join(r for r in (why_stop, why_safe) if r))
        return result
    # purged
    up = [i for i in ids if present[i].get("up")]
    if up:
        cm.fail("OSD(s) %s are still up: stop their daemons first" % ", ".join("osd.%d" % i for i in up))
    if ids and not p["force"]:
        safe, why = safe_to_destroy(client, ids)
        if not safe:
            cm.fail("not safe to destroy %s: %s" % (", ".join("osd.%d" % i for i in ids), why))
    result["changed_osds"] = ids
    if ids:
        result["changed"] = True
        if not cm.check_mode:
            for i in ids:
                # a manager command in Pacific (the monitors answer EINVAL)
                client.mgr_command("osd purge", id=i, yes_i_really_mean_it=True)
                cm.did("purge osd.%d" % i)
    if p["crush_host"]:
        tree = client.mon_command("osd tree")
        for node in tree.get("nodes") or []:
            if node.get("type") == "host" and node.get("name") == p["crush_host"]:
                left = [c for c in node.get("children") or [] if c not in ids]
                if not left:
                    result["changed"] = True
                    result["crush_host_removed"] = True
                    if not cm.check_mode:
                        client.mon_command("osd crush remove", name=p["crush_host"])
    return result


def main():
    cm = CephModule(
        argument_spec=dict(
            osds=dict(type="list", elements="int", required=True),
            state=dict(type="str", required=True, choices=["out", "safe", "purged"]),
            crush_host=dict(type="str"),
            force=dict(type="bool", default=False),
        ),
    )
    if cm.params["crush_host"] and cm.params["state"] != "purged":
        cm.fail("crush_host is only valid with state=purged")
    cm.run(run)


if __name__ == "__main__":
    main()
