# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""cephx users through the monitor's ``auth`` commands; keys travel only in mon_command
payloads and input buffers, never on a command line."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import binascii
import errno
import struct

from ansible_collections.eucalyptus.ceph.plugins.module_utils.caps import caps_to_args, normalize_caps
from ansible_collections.eucalyptus.ceph.plugins.module_utils.ceph_client import CephClientError

# A cephx secret is base64 of: u16 type (1 = AES), u32+u32 creation time, u16 length (16), 16 bytes.
_KEY_HEADER = struct.Struct("<HIIH")


def key_error(key):
    """None when ``key`` is a well-formed cephx secret (as ``ceph-authtool --gen-key`` makes), else why."""
    try:
        raw = base64.b64decode(key.strip(), validate=True)
    except (binascii.Error, ValueError, AttributeError):
        return "the key is not valid base64"
    if len(raw) != _KEY_HEADER.size + 16:
        return "the key has %d bytes, a cephx AES key has %d" % (len(raw), _KEY_HEADER.size + 16)
    key_type, _sec, _nsec, length = _KEY_HEADER.unpack_from(raw)
    if key_type != 1 or length != 16:
        return "the key is not a cephx AES key"
    return None


def get_user(client, entity):
    """``{"entity", "key", "caps"}`` of ``entity``, or None when it does not exist."""
    try:
        entries = client.mon_command("auth get", entity=entity)
    except CephClientError as exc:
        if exc.errno == errno.ENOENT:
            return None
        raise
    entry = entries[0]
    return {"entity": entry["entity"], "key": entry["key"], "caps": normalize_caps(entry.get("caps", {}))}


def create(client, entity, caps):
    entries = client.mon_command("auth get-or-create", entity=entity, caps=caps_to_args(caps))
    return entries[0]["key"]


def set_caps(client, entity, caps):
    client.mon_command("auth caps", entity=entity, caps=caps_to_args(caps))


def import_key(client, entity, key, caps):
    """Create or overwrite ``entity`` with the given key and caps (``auth import``, key in the input buffer)."""
    lines = ["[%s]" % entity, "\tkey = %s" % key]
    for daemon in sorted(caps):
        lines.append('\tcaps %s = "%s"' % (daemon, caps[daemon]))
    client.mon_command("auth import", inbuf=("\n".join(lines) + "\n").encode("ascii"))


def remove(client, entity):
    client.mon_command("auth del", entity=entity)
