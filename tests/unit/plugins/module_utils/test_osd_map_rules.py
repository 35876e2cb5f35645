"""CRUSH rule summaries and weighted failure domains (osd_map, used by ceph_crush_rule)."""

import pytest

from ansible_collections.eucalyptus.ceph.plugins.module_utils import _osd_map as osd_map
from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_client import build_mon_command, CephArgumentError

# Pacific 'osd crush rule dump' entries
RULE_OSD = {"rule_id": 0, "rule_name": "replicated_rule", "steps": [
    {"op": "take", "item": -1, "item_name": "default"},
    {"op": "choose_firstn", "num": 0, "type": "osd"},
    {"op": "emit"}]}
RULE_HOST_SSD = {"rule_id": 1, "rule_name": "fast", "steps": [
    {"op": "take", "item": -2, "item_name": "default~ssd"},
    {"op": "chooseleaf_firstn", "num": 0, "type": "host"},
    {"op": "emit"}]}

# 'osd tree': xmon1 with weight, xosd2 with weight-0 OSDs (just created), one empty host
TREE = {"nodes": [
    {"id": -1, "name": "default", "type": "root", "children": [-3, -5, -7]},
    {"id": -3, "name": "xmon1", "type": "host", "children": [0, 1]},
    {"id": -5, "name": "xosd2", "type": "host", "children": [2, 3]},
    {"id": -7, "name": "empty", "type": "host", "children": []},
    {"id": 0, "name": "osd.0", "type": "osd", "crush_weight": 0.00195},
    {"id": 1, "name": "osd.1", "type": "osd", "crush_weight": 0.00195},
    {"id": 2, "name": "osd.2", "type": "osd", "crush_weight": 0.0},
    {"id": 3, "name": "osd.3", "type": "osd", "crush_weight": 0.0},
]}


def test_rule_summary():
    assert osd_map.rule_summary(RULE_OSD) == {
        "id": 0, "name": "replicated_rule", "root": "default", "device_class": None, "failure_domain": "osd"}
    assert osd_map.rule_summary(RULE_HOST_SSD) == {
        "id": 1, "name": "fast", "root": "default", "device_class": "ssd", "failure_domain": "host"}


def test_weighted_domains_count_only_buckets_with_weight():
    assert osd_map.weighted_domains(TREE, "default", "host") == ["xmon1"]
    assert osd_map.weighted_domains(TREE, "default", "osd") == ["osd.0", "osd.1"]
    assert osd_map.weighted_domains(TREE, "nosuchroot", "host") == []


def test_weighted_domains_after_weights_are_raised():
    tree = {"nodes": [dict(n, crush_weight=0.001) if n["id"] in (2, 3) else n for n in TREE["nodes"]]}
    assert osd_map.weighted_domains(tree, "default", "host") == ["xmon1", "xosd2"]


def test_crush_rule_commands_are_typed():
    cmd = build_mon_command("osd crush rule create-replicated", name="r", root="default", type="host",
                            **{"class": "ssd"})
    assert '"class": "ssd"' in cmd and '"type": "host"' in cmd
    with pytest.raises(CephArgumentError):
        build_mon_command("osd crush rule create-replicated", name="r", root="default")
    with pytest.raises(CephArgumentError):
        build_mon_command("osd crush remove", name=3)
