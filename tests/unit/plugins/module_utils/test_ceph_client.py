import json

import pytest

from ansible_collections.eucalyptus.ceph.plugins.module_utils import ceph_client
from ansible_collections.eucalyptus.ceph.plugins.module_utils.ceph_client import (
    CephArgumentError,
    CephClient,
    CephClientError,
    build_mon_command,
)


def test_integer_argument_is_sent_as_json_integer():
    assert json.loads(build_mon_command("osd last-stat-seq", id=3)) == {"prefix": "osd last-stat-seq", "id": 3}


@pytest.mark.parametrize("bad", ["osd.0", "3", 3.0, True, None])
def test_wrongly_typed_integer_is_refused_before_sending(bad):
    # {"id": "osd.0"} crashed ceph-mon 16.2.15: it must never leave the client.
    with pytest.raises(CephArgumentError):
        build_mon_command("osd last-stat-seq", id=bad)


def test_weight_is_sent_as_float():
    assert json.loads(build_mon_command("osd crush reweight", name="osd.1", weight=1))["weight"] == 1.0
    assert isinstance(json.loads(build_mon_command("osd crush reweight", name="osd.1", weight=1))["weight"], float)


def test_pool_set_value_must_be_a_string():
    with pytest.raises(CephArgumentError, match="'val' must be a string"):
        build_mon_command("osd pool set", pool="p", var="size", val=3)


def test_choices_are_checked():
    with pytest.raises(CephArgumentError, match="one of on, off, warn"):
        build_mon_command("osd pool create", pool="p", autoscale_mode="maybe")


def test_caps_must_be_a_list_of_strings():
    with pytest.raises(CephArgumentError):
        build_mon_command("auth caps", entity="client.x", caps="mon allow r")
    with pytest.raises(CephArgumentError):
        build_mon_command("auth caps", entity="client.x", caps=["mon", 1])


def test_unknown_command_and_argument_are_refused():
    with pytest.raises(CephArgumentError, match="knows how to send"):
        build_mon_command("osd destroy-actual", id=1)
    with pytest.raises(CephArgumentError, match="has no argument 'colour'"):
        build_mon_command("status", colour="red")


def test_required_arguments():
    with pytest.raises(CephArgumentError, match="needs argument 'entity'"):
        build_mon_command("auth get")


def test_none_arguments_are_left_out():
    assert json.loads(build_mon_command("osd pool create", pool="p", pg_num=None)) == {
        "prefix": "osd pool create", "pool": "p"}


def test_every_required_argument_is_in_the_signature():
    for prefix, names in ceph_client.MON_REQUIRED.items():
        assert prefix in ceph_client.MON_COMMANDS
        for name in names:
            assert name in ceph_client.MON_COMMANDS[prefix]


def test_missing_bindings_name_the_debian_packages(monkeypatch):
    monkeypatch.setattr(ceph_client, "rados", None)
    monkeypatch.setattr(ceph_client, "rbd", None)
    message = ceph_client.bindings_missing_message()
    assert "python3-rados" in message and "python3-rbd" in message
    with pytest.raises(CephClientError, match="python3-rados"):
        CephClient("/nonexistent/ceph.conf").connect()


def test_osd_command_needs_an_integer_id():
    with pytest.raises(CephArgumentError):
        CephClient().osd_command("0", "flush_pg_stats")
