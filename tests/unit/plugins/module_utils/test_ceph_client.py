import json

import pytest

from ansible_collections.eucalyptus.ceph.plugins.module_utils import _ceph_client as ceph_client
from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_client import (
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


# -- the connected release's descriptions ---------------------------------------------------
class _FakeCluster:
    """Records what would reach the monitors; answers get_command_descriptions from a fixture."""

    def __init__(self, release="reef-18.2.7"):
        import os
        path = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "command_descriptions", release + ".json")
        with open(path, "rb") as f:
            self.descriptions = f.read()
        self.sent = []

    def mon_command(self, payload, inbuf, timeout=None):
        self.sent.append(json.loads(payload))
        if json.loads(payload)["prefix"] == "get_command_descriptions":
            return 0, self.descriptions, ""
        return 0, b'{"ok": true}', ""

    mgr_command = mon_command


def _client(release):
    from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_client import CephClient
    client = CephClient()
    client._cluster = _FakeCluster(release)
    return client


def test_descriptions_are_read_once_per_connection():
    client = _client("pacific-16.2.15")
    assert client.mon_command("osd pool ls") == {"ok": True}
    assert client.mon_command("osd pool get", pool="p", var="size") == {"ok": True}
    prefixes = [c["prefix"] for c in client._cluster.sent]
    assert prefixes == ["get_command_descriptions", "osd pool ls", "osd pool get"]


def test_what_the_release_refuses_never_reaches_it():
    from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_client import CephArgumentError
    client = _client("tentacle-20.2.4")
    # passes the collection's own table (var is a string), refused by the release's choices
    with pytest.raises(CephArgumentError, match="argument 'var' must be one of"):
        client.mon_command("osd pool get", pool="p", var="colour")
    with pytest.raises(CephArgumentError, match="argument 'key' must be one of"):
        client.mon_command("osd set", key="no-such-flag")
    assert [c["prefix"] for c in client._cluster.sent] == ["get_command_descriptions"]


def test_manager_commands_are_checked_against_the_managers():
    client = _client("reef-18.2.7")
    client.mgr_command("osd purge", id=2, yes_i_really_mean_it=True)
    assert [c["prefix"] for c in client._cluster.sent] == ["get_command_descriptions", "osd purge"]
    assert set(client._descriptions) == {"mgr"}


class _RecordingRados:
    """Stands in for rados.Rados: keeps the options librados would be given."""

    made = []

    def __init__(self, conffile=None, rados_id=None, conf=None):
        self.options = dict(conf or {})
        _RecordingRados.made.append(self)

    def connect(self, timeout=None):
        pass


@pytest.mark.parametrize("osd_op_timeout, expected", [(None, "30"), (300, "300"), (0, None)])
def test_osd_op_timeout_is_its_own_limit_and_zero_means_none(monkeypatch, osd_op_timeout, expected):
    monkeypatch.setattr(ceph_client.rados, "Rados", _RecordingRados)
    _RecordingRados.made = []
    CephClient(op_timeout=30, osd_op_timeout=osd_op_timeout).connect()
    options = _RecordingRados.made[0].options
    assert options.get("rados_osd_op_timeout") == expected
    assert options["rados_mon_op_timeout"] == "30"
