# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks of a cephx secret as Ceph prints it (``ceph auth get-key``, keyring ``key =`` lines).

A cephx key is the base64 text of Ceph's encoded ``CryptoKey`` (28 bytes, so 40 characters
ending in ``=``): a little-endian header of ``u16 type`` (1 = AES), ``u32 seconds`` and
``u32 nanoseconds`` of creation, ``u16 length`` (16), then the 16-byte AES secret.
Verified against keys made by ``auth get-or-create`` on Ceph 16.2.15.

No function here ever puts the key into an error message.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import binascii
import re
import struct

CEPH_CRYPTO_AES = 1
AES_SECRET_LEN = 16
KEY_HEADER = struct.Struct("<HIIH")  # type, created.sec, created.nsec, secret length
KEY_BYTES = KEY_HEADER.size + AES_SECRET_LEN  # 28
KEY_CHARS = 40

_B64_RE = re.compile(r"[A-Za-z0-9+/]+={0,2}")


def cephx_key_error(key):
    """None when ``key`` is a well-formed cephx key, else the reason (never showing the key)."""
    if not isinstance(key, str) or not key:
        return "the cephx key must be a non-empty string"
    if key != key.strip():
        return "the cephx key must not have leading or trailing white space"
    if len(key) != KEY_CHARS or not _B64_RE.fullmatch(key):
        return ("the cephx key is not valid: expected the %d-character base64 text printed by "
                "'ceph auth get-key' (got %d characters)" % (KEY_CHARS, len(key)))
    try:
        raw = base64.b64decode(key.encode("ascii"), validate=True)
    except (binascii.Error, ValueError):
        return "the cephx key is not valid base64"
    if base64.b64encode(raw).decode("ascii") != key:
        return "the cephx key is not canonical base64"
    if len(raw) != KEY_BYTES:
        return "the cephx key must decode to %d bytes, not %d" % (KEY_BYTES, len(raw))
    ktype, _sec, _nsec, length = KEY_HEADER.unpack(raw[:KEY_HEADER.size])
    if ktype != CEPH_CRYPTO_AES or length != AES_SECRET_LEN:
        return ("the cephx key does not carry an AES secret (type %d, length %d; expected type %d, "
                "length %d)" % (ktype, length, CEPH_CRYPTO_AES, AES_SECRET_LEN))
    return None


def cephx_key_bytes(key):
    """The raw 28 bytes of a cephx key (what libvirt stores); raises ValueError when invalid."""
    error = cephx_key_error(key)
    if error:
        raise ValueError(error)
    return base64.b64decode(key.encode("ascii"))
