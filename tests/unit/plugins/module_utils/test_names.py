import pytest

from ansible_collections.eucalyptus.ceph.plugins.module_utils._names import client_id_error, pool_name_error


@pytest.mark.parametrize("name", ["eucavolumes", "euca-snap_1", "a", "p.1"])
def test_good_pool_names(name):
    assert pool_name_error(name) is None


@pytest.mark.parametrize("name", ["", "-x", "a b", "a/b", "a@b", "x" * 128, None])
def test_bad_pool_names(name):
    assert "invalid pool name" in pool_name_error(name)


def test_client_prefix_is_refused():
    assert "without the 'client.' prefix" in client_id_error("client.eucalyptus")
    assert client_id_error("eucalyptus-nc") is None
