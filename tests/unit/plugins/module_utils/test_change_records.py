"""The names a change record accepts: whole string, no control characters."""

import pytest

from ansible_collections.eucalyptus.ceph.plugins.module_utils import _change_records as change_records


@pytest.mark.parametrize("name", ["osd_expand", "a", "retire-osd4", "x" * 63])
def test_record_names_accepted(name):
    assert change_records.check_name(name) is None


@pytest.mark.parametrize("name", ["", "osd_expand\n", "Osd", "-a", "a/b", "a b", "x" * 64, "a\x00", None, 3])
def test_record_names_refused(name):
    assert "record name" in change_records.check_name(name)


@pytest.mark.parametrize("who, name", [("osd", "osd_max_backfills"), ("osd.3", "osd_recovery_sleep"),
                                       ("mgr", "mgr/balancer/mode"), ("client.rgw.a", "rgw_thread_pool_size")])
def test_options_accepted(who, name):
    assert change_records.check_option(who, name) is None


@pytest.mark.parametrize("who, name", [("osd\n", "x"), ("osd", "x\n"), ("", "x"), ("osd", ""), ("os d", "x"),
                                       ("osd", "x y"), ("osd", "\tx")])
def test_options_refused(who, name):
    assert change_records.check_option(who, name) is not None


def test_entry_ids():
    assert change_records.entry_id("config", "osd", "osd_max_backfills") == "config:osd/osd_max_backfills"
    assert change_records.entry_id("flag", name="norebalance") == "flag:norebalance"
    record = {"config": [{"who": "osd", "name": "a", "value": None}], "flags": {"noout": True}}
    assert change_records.entries(record) == [("config:osd/a", "config", "osd", "a", None),
                                              ("flag:noout", "flag", None, "noout", True)]
