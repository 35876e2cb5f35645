"""The fake cluster itself: it answers like Ceph, checks arguments like the real client, and refuses
what it does not model loudly enough that no module test can pass on it."""

import errno

import pytest

from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_client import CephArgumentError, CephClientError
from ansible_collections.eucalyptus.ceph.plugins.module_utils._cephx_key import cephx_key_error
from ansible_collections.eucalyptus.ceph.tests.unit.plugins.modules import fake_ceph


@pytest.fixture
def client():
    cluster = fake_ceph.FakeCluster()
    return type("Client", (fake_ceph.FakeCephClient,), {"cluster": cluster})()


def test_auth_get_of_a_missing_entity_is_enoent(client):
    with pytest.raises(CephClientError) as exc:
        client.mon_command("auth get", entity="client.nobody")
    assert exc.value.errno == errno.ENOENT and str(exc.value).startswith("auth get: ")


def test_generated_keys_are_valid_cephx_keys(client):
    entry = client.mon_command("auth get-or-create", entity="client.x", caps=["mon", "allow r"])[0]
    assert cephx_key_error(entry["key"]) is None


def test_an_unmodeled_prefix_raises_and_is_remembered(client):
    with pytest.raises(AssertionError, match="'health'"):
        client.mon_command("health")
    with pytest.raises(AssertionError, match="'health'"):
        fake_ceph.check_cluster_after_test(client.cluster)


def test_wrong_argument_types_are_refused_like_the_real_client(client):
    with pytest.raises(CephArgumentError):
        client.mon_command("osd pool create", pool="p", pg_num="32")
    with pytest.raises(AssertionError, match="argument checks refuse"):
        fake_ceph.check_cluster_after_test(client.cluster)


def test_a_module_on_an_unmodeled_command_cannot_pass(monkeypatch):
    cluster = fake_ceph.FakeCluster()
    fake_ceph.install(monkeypatch, cluster)
    result = fake_ceph.ModuleRunner(monkeypatch, cluster)("ceph_info", {"gather": ["health"]})
    assert result["failed"] is True and "does not model" in result["msg"]
    with pytest.raises(AssertionError, match="does not model"):
        fake_ceph.check_cluster_after_test(cluster)


def test_osd_pool_set_size_resets_min_size_as_the_monitors_do(client):
    client.cluster.add_pool("p", size=3, min_size=3)
    client.mon_command("osd pool set", pool="p", var="size", val="4")
    assert client.cluster.pools["p"]["min_size"] == 2
