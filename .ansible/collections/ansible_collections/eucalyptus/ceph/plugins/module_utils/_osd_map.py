# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""OSD map flags and CRUSH weights, for the expansion and retirement of OSD hosts."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# Flags an operator sets and unsets (``ceph osd set|unset``); the others in the map are
# feature markers (sortbitwise, recovery_deletes...) that must never be touched.
SETTABLE_FLAGS = (
    "full", "pause", "noup", "nodown", "noout", "noin", "nobackfill", "norebalance",
    "norecover", "noscrub", "nodeep-scrub", "notieragent", "nosnaptrim",
)
# CRUSH weights are 16.16 fixed point: two weights closer than this are the same weight.
WEIGHT_EPSILON = 1.0 / 65536
TiB = float(1 << 40)


def flags(client):
    found = set(client.mon_command("osd dump").get("flags_set", []))
    # `osd set pause` sets pauserd and pausewr; the map never lists "pause" itself
    if {"pauserd", "pausewr"} <= found:
        found.add("pause")
    return found


def set_flag(client, flag, on):
    client.mon_command("osd set" if on else "osd unset", key=flag)


def osd_table(client):
    """{id: {"name", "crush_weight", "size_weight", "host"}} from ``osd df`` and ``osd tree``."""
    table = {}
    for node in client.mon_command("osd df").get("nodes", []):
        table[node["id"]] = {
            "name": node["name"],
            "crush_weight": node["crush_weight"],
            # what Ceph gives an OSD by default: its size in TiB
            "size_weight": node["kb"] * 1024 / TiB,
            "host": None,
        }
    for node in client.mon_command("osd tree").get("nodes", []):
        if node.get("type") == "host":
            for child in node.get("children", []):
                if child in table:
                    table[child]["host"] = node["name"]
    return table


def same_weight(a, b):
    return abs(a - b) < WEIGHT_EPSILON


def reweight(client, name, weight):
    client.mon_command("osd crush reweight", name=name, weight=float(weight))


# -- CRUSH rules and failure domains (used by ceph_crush_rule) ---------------------------------
def rule_summary(rule):
    """A rule of ``osd crush rule dump`` -> {"id", "name", "root", "device_class", "failure_domain"}.

    The root of a class-restricted rule is a shadow tree named ``ROOT~CLASS``.
    """
    root = device_class = failure_domain = None
    for step in rule.get("steps") or []:
        op = step.get("op", "")
        if op == "take" and root is None:
            root = step.get("item_name")
            if root and "~" in root:
                root, device_class = root.split("~", 1)
        elif op.startswith("choose") and failure_domain is None:
            failure_domain = step.get("type")
    return {"id": rule.get("rule_id"), "name": rule.get("rule_name"), "root": root,
            "device_class": device_class, "failure_domain": failure_domain}


def next_rule_id(rules):
    """The id the monitors give the next rule they create: the lowest one no rule has
    (CrushWrapper::add_simple_rule_at). What check mode reports for a rule it would create."""
    taken = set(int(rule["rule_id"]) for rule in rules or [])
    rule_id = 0
    while rule_id in taken:
        rule_id += 1
    return rule_id


def weighted_domains(osd_tree, root, domain_type):
    """Names of the buckets of type ``domain_type`` under ``root`` holding CRUSH weight > 0.

    ``osd`` counts the OSDs themselves. Bucket weights are the sum of their OSDs' weights.
    """
    nodes = dict((n["id"], n) for n in osd_tree.get("nodes") or [])
    roots = [n for n in nodes.values() if n.get("name") == root and n.get("type") != "osd"]
    if not roots:
        return []

    def weight(node):
        if node.get("type") == "osd":
            return float(node.get("crush_weight") or 0)
        return sum(weight(nodes[c]) for c in node.get("children") or [] if c in nodes)

    found = []

    def walk(node):
        if node.get("type") == domain_type:
            if weight(node) > WEIGHT_EPSILON:
                found.append(node["name"])
            return
        for c in node.get("children") or []:
            if c in nodes:
                walk(nodes[c])

    walk(roots[0])
    return sorted(found)
