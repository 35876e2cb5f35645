# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Validation of the names modules accept, so bad input fails before any Ceph call."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

# Every pattern here is applied with fullmatch: "$" would also accept a trailing newline.

# Ceph accepts almost any pool name, but names with spaces, slashes or '@' break the
# 'POOL/IMAGE@SNAP' specs used by rbd, qemu and libvirt.
_POOL_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,126}")
_CLIENT_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,126}")
_IMAGE_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.:-]{0,254}")


def pool_name_error(name):
    """None when ``name`` is a usable pool name, else the reason."""
    if not isinstance(name, str) or not _POOL_RE.fullmatch(name):
        return ("invalid pool name %r: use 1-127 characters from A-Z a-z 0-9 _ . -, starting with a "
                "letter or digit" % (name,))
    return None


def client_id_error(name):
    """None when ``name`` is a usable cephx client id (without 'client.'), else the reason."""
    if not isinstance(name, str) or not _CLIENT_RE.fullmatch(name):
        return ("invalid cephx user name %r: use 1-127 characters from A-Z a-z 0-9 _ . -, starting with "
                "a letter or digit, without the 'client.' prefix" % (name,))
    if name.startswith("client."):
        return "give the cephx user name %r without the 'client.' prefix" % (name,)
    return None


def image_name_error(name):
    if not isinstance(name, str) or not _IMAGE_RE.fullmatch(name):
        return ("invalid image name %r: use 1-255 characters from A-Z a-z 0-9 _ . : -, no '/' or '@'"
                % (name,))
    return None
