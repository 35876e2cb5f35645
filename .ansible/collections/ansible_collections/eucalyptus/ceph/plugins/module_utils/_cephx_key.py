# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks of a cephx secret as Ceph prints it (``ceph auth get-key``, keyring ``key =`` lines).

A cephx key is the base64 text of Ceph's encoded ``CryptoKey``: a little-endian header of
``u16 type``, ``u32 seconds`` and ``u32 nanoseconds`` of creation, ``u16 length``, then the
secret of that length. The key types the monitors hand out for ``auth get-or-create``
(measured on Debian's packages, 2026-12-01):

==========================  ====  ======  =====  ==============================
release                     type  secret  bytes  base64
==========================  ====  ======  =====  ==============================
16.2.15 Pacific, 18.2.7     1     16      28     40 characters (AES-128)
Reef
20.2.4 Tentacle             2     32      44     60 characters (AES-256, krb5)
==========================  ====  ======  =====  ==============================

Both are accepted; anything else (type 0 "none", a truncated or padded secret) is refused.
No function here ever puts the key into an error message.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import binascii
import re
import struct

CEPH_CRYPTO_AES = 1
CEPH_CRYPTO_AES256KRB5 = 2
# key type -> (secret length in bytes, name)
KEY_TYPES = {
    CEPH_CRYPTO_AES: (16, "AES-128"),
    CEPH_CRYPTO_AES256KRB5: (32, "AES-256 (krb5)"),
}
KEY_HEADER = struct.Struct("<HIIH")  # type, created.sec, created.nsec, secret length


def _b64_chars(secret_len):
    return 4 * ((KEY_HEADER.size + secret_len + 2) // 3)


# base64 length -> key type
KEY_CHARS = dict((_b64_chars(length), ktype) for ktype, (length, _name) in KEY_TYPES.items())  # {40: 1, 60: 2}

_B64_RE = re.compile(r"[A-Za-z0-9+/]+={0,2}")


def _expected():
    return " or ".join("%d (%s)" % (chars, KEY_TYPES[ktype][1]) for chars, ktype in sorted(KEY_CHARS.items()))


def cephx_key_error(key):
    """None when ``key`` is a well-formed cephx key, else the reason (never showing the key)."""
    if not isinstance(key, str) or not key:
        return "the cephx key must be a non-empty string"
    if key != key.strip():
        return "the cephx key must not have leading or trailing white space"
    if len(key) not in KEY_CHARS or not _B64_RE.fullmatch(key):
        return ("the cephx key is not valid: expected the base64 text printed by 'ceph auth get-key', "
                "%s characters (got %d characters)" % (_expected(), len(key)))
    try:
        raw = base64.b64decode(key.encode("ascii"), validate=True)
    except (binascii.Error, ValueError):
        return "the cephx key is not valid base64"
    if base64.b64encode(raw).decode("ascii") != key:
        return "the cephx key is not canonical base64"
    ktype, _sec, _nsec, length = KEY_HEADER.unpack(raw[:KEY_HEADER.size])
    if ktype not in KEY_TYPES:
        return ("the cephx key has type %d; the supported types are %s"
                % (ktype, ", ".join("%d (%s)" % (t, KEY_TYPES[t][1]) for t in sorted(KEY_TYPES))))
    want = KEY_TYPES[ktype][0]
    if length != want or len(raw) != KEY_HEADER.size + want:
        return ("the cephx key of type %d (%s) must carry a %d-byte secret (header says %d, %d bytes follow)"
                % (ktype, KEY_TYPES[ktype][1], want, length, len(raw) - KEY_HEADER.size))
    return None


def cephx_key_type(key):
    """The type number of a valid key (1 or 2); raises ValueError when invalid."""
    return KEY_HEADER.unpack(cephx_key_bytes(key)[:KEY_HEADER.size])[0]


def cephx_key_bytes(key):
    """The raw bytes of a cephx key (what libvirt stores); raises ValueError when invalid."""
    error = cephx_key_error(key)
    if error:
        raise ValueError(error)
    return base64.b64decode(key.encode("ascii"))
