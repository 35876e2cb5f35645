#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ceph_crush_rule
short_description: Replicated CRUSH rule (failure domain host, osd, rack...) and the pools that use it
version_added: 0.1.0
description:
  - C(ceph osd crush rule create-replicated NAME ROOT TYPE [CLASS]) when the rule does not exist.
    An existing rule with the same name but another root, class or failure domain is an error
    (rules are not edited in place).
  - With O(pools), each pool is switched to the rule (C(ceph osd pool set POOL crush_rule NAME)).
    This is how a lab or a first single-host cluster, whose pools separate replicas by OSD, is
    made to survive the loss of a whole host once it has several hosts. Data moves afterwards,
    so wait for every PG active+clean (M(eucalyptus.ceph.ceph_info) with O(eucalyptus.ceph.ceph_info#module:flush_pg_stats=true)).
  - A pool is only switched when the rule has at least as many failure domains holding CRUSH
    weight as the pool has replicas (else its PGs would stay undersized), unless O(force=true).
extends_documentation_fragment:
  - eucalyptus.ceph.attributes
  - eucalyptus.ceph.attributes.actiongroup_ceph
  - eucalyptus.ceph.cluster
attributes:
  check_mode:
    support: full
    details: Reports the rule and the pools that would change.
  diff_mode:
    support: full
    details: Shows the pools' rules before and after.
  idempotent:
    support: full
options:
  name:
    description: Rule name.
    type: str
    required: true
  state:
    description: V(present) creates the rule, V(absent) removes it (Ceph refuses while a pool uses it).
    type: str
    choices: [present, absent]
    default: present
  failure_domain:
    description: CRUSH bucket type replicas are spread over (V(host), V(osd), V(rack)...).
    type: str
    default: host
  root:
    description: CRUSH root the rule takes OSDs from.
    type: str
    default: default
  device_class:
    description: Only OSDs of this device class (V(hdd), V(ssd)...); none - every class.
    type: str
  pools:
    description: Pools that must use the rule (O(state=present) only).
    type: list
    elements: str
    default: []
  force:
    description: Switch the pools even when the rule has fewer weighted failure domains than a pool's size.
    type: bool
    default: false
author:
  - Eucalyptus Ceph maintainers (@eucalyptus)
"""

EXAMPLES = r"""
- name: EBS pools keep their replicas on different hosts
  eucalyptus.ceph.ceph_crush_rule:
    name: replicated_host
    failure_domain: host
    pools: [eucavolumes, eucasnapshots]
"""

RETURN = r"""
rule_id:
  description:
    - Id of the rule; null when it does not exist.
    - In check mode, for a rule that would be created, the id the monitors would give it (the lowest free one).
  returned: always
  type: int
created:
  description: Whether the rule was (or would be) created.
  returned: always
  type: bool
failure_domains:
  description: Names of the buckets of the failure-domain type under the root that hold weight.
  returned: when O(state=present)
  type: list
  elements: str
  sample: [xmon1, xosd2]
pools_changed:
  description: Pools switched (or that would be switched) to the rule.
  returned: always
  type: list
  elements: str
placement_before:
  description:
    - For each pool of O(pools), where its replicas were placed before this run - the name of its rule,
      the rule's failure domain and the pool's size. This is how a plan says that a pool still spreads
      its replicas over OSDs, not over hosts.
  returned: when O(state=present), also when the switch is refused for too few failure domains
  type: dict
  sample:
    eucavolumes:
      rule: replicated_rule
      failure_domain: osd
      size: 2
"""

from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_module import CephModule
from ansible_collections.eucalyptus.ceph.plugins.module_utils._difference import DifferenceTracker
from ansible_collections.eucalyptus.ceph.plugins.module_utils import _osd_map as osd_map


def find_rule(rules, name):
    for rule in rules or []:
        if rule.get("rule_name") == name:
            return osd_map.rule_summary(rule)
    return None


def run(cm):
    p = cm.params
    client = cm.client
    rules = client.mon_command("osd crush rule dump")
    rule = find_rule(rules, p["name"])
    result = dict(changed=False, created=False, rule_id=rule["id"] if rule else None, pools_changed=[])
    if p["state"] == "absent":
        if rule is not None:
            result["changed"] = True
            if not cm.check_mode:
                client.mon_command("osd crush rule rm", name=p["name"])
        return result

    if rule is not None:
        want = (p["root"], p["device_class"], p["failure_domain"])
        have = (rule["root"], rule["device_class"], rule["failure_domain"])
        if want != have:
            cm.fail("CRUSH rule %s exists as root=%s class=%s failure domain=%s, not root=%s class=%s "
                    "failure domain=%s: use another name" % ((p["name"],) + have + want))
    tree = client.mon_command("osd tree")
    domains = osd_map.weighted_domains(tree, p["root"], p["failure_domain"])
    result["failure_domains"] = domains
    dump = client.mon_command("osd dump")
    pools = dict((pool["pool_name"], pool) for pool in dump.get("pools") or [])
    missing = [name for name in p["pools"] if name not in pools]
    if missing:
        cm.fail("no such pool(s): %s" % ", ".join(missing))
    by_id = dict((r["id"], r) for r in (osd_map.rule_summary(r) for r in rules or []))
    result["placement_before"] = {}
    for name in p["pools"]:
        current = by_id.get(pools[name].get("crush_rule"), {})
        result["placement_before"][name] = {"rule": current.get("name"), "failure_domain": current.get("failure_domain"),
                                            "size": int(pools[name].get("size") or 0)}
    to_switch = [name for name in p["pools"] if rule is None or pools[name].get("crush_rule") != rule["id"]]
    short = [name for name in to_switch if int(pools[name].get("size") or 0) > len(domains)]
    if short and not p["force"]:
        cm.fail("pool(s) %s keep %s replicas but the rule has only %d %s bucket(s) with weight (%s): "
                "their PGs would stay undersized; add capacity first or use force"
                % (", ".join(short), "/".join(str(pools[n]["size"]) for n in short), len(domains),
                   p["failure_domain"], ", ".join(domains) or "none"),
                failure_domains=domains, placement_before=result["placement_before"])
    if rule is None:
        result["created"] = result["changed"] = True
        if cm.check_mode:
            # the id the monitors will give it, so that the pools' rules in the diff are the real run's
            result["rule_id"] = osd_map.next_rule_id(rules)
        else:
            args = {"name": p["name"], "root": p["root"], "type": p["failure_domain"]}
            if p["device_class"]:
                args["class"] = p["device_class"]
            client.mon_command("osd crush rule create-replicated", **args)
            cm.did("create rule %s" % p["name"])
            rule = find_rule(client.mon_command("osd crush rule dump"), p["name"])
            result["rule_id"] = rule["id"] if rule else None
    rules_of_pools = DifferenceTracker()
    for name in p["pools"]:
        current = pools[name].get("crush_rule")
        rules_of_pools.add(name, current, result["rule_id"] if name in to_switch else current)
    for name in to_switch:
        result["pools_changed"].append(name)
        result["changed"] = True
        if not cm.check_mode:
            client.mon_command("osd pool set", pool=name, var="crush_rule", val=p["name"])
            cm.did("move pool %s to rule %s" % (name, p["name"]))
    result["diff"] = rules_of_pools.diff(key="pool_rules")
    return result


def main():
    cm = CephModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            failure_domain=dict(type="str", default="host"),
            root=dict(type="str", default="default"),
            device_class=dict(type="str"),
            pools=dict(type="list", elements="str", default=[]),
            force=dict(type="bool", default=False),
        ),
    )
    if cm.params["state"] == "absent" and cm.params["pools"]:
        cm.fail("pools is only valid with state=present")
    cm.run(run)


if __name__ == "__main__":
    main()
