import base64
import struct

import pytest

from ansible_collections.eucalyptus.ceph.plugins.module_utils.cephx_users import key_error
from ansible_collections.eucalyptus.ceph.plugins.module_utils.names import client_id_error, pool_name_error


@pytest.mark.parametrize("name", ["eucavolumes", "euca-snap_1", "a", "p.1"])
def test_good_pool_names(name):
    assert pool_name_error(name) is None


@pytest.mark.parametrize("name", ["", "-x", "a b", "a/b", "a@b", "x" * 128, None])
def test_bad_pool_names(name):
    assert "invalid pool name" in pool_name_error(name)


def test_client_prefix_is_refused():
    assert "without the 'client.' prefix" in client_id_error("client.eucalyptus")
    assert client_id_error("eucalyptus-nc") is None


def real_looking_key(key_type=1, length=16):
    return base64.b64encode(struct.pack("<HIIH", key_type, 1700000000, 0, length) + b"k" * 16).decode()


def test_key_checks():
    assert key_error(real_looking_key()) is None
    assert "base64" in key_error("not base64!")
    assert "bytes" in key_error(base64.b64encode(b"short").decode())
    assert "not a cephx AES key" in key_error(real_looking_key(key_type=2))
