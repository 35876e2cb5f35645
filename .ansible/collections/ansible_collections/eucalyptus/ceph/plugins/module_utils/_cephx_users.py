# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""cephx users through the monitor's ``auth`` commands; keys travel only in mon_command
payloads and input buffers, never on a command line."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno

from ansible_collections.eucalyptus.ceph.plugins.module_utils._caps import caps_to_args, normalize_caps
from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_client import CephClientError
from ansible_collections.eucalyptus.ceph.plugins.module_utils._keyring_file import render_entity


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


def all_users(client):
    """``{entity: {"entity", "key", "caps"}}`` of every entity (one ``auth ls``), or None when
    the credentials may not list them (``auth ls`` needs more than the ebs-admin profile's
    ``mon 'allow r'``): the caller then reads each user with get_user."""
    try:
        listing = client.mon_command("auth ls")
    except CephClientError as exc:
        if exc.errno in (errno.EACCES, errno.EPERM):
            return None
        raise
    entries = listing.get("auth_dump", []) if isinstance(listing, dict) else listing
    return dict((entry["entity"], {"entity": entry["entity"], "key": entry["key"],
                                   "caps": normalize_caps(entry.get("caps", {}))}) for entry in entries)


def create(client, entity, caps):
    entries = client.mon_command("auth get-or-create", entity=entity, caps=caps_to_args(caps))
    return entries[0]["key"]


def set_caps(client, entity, caps):
    client.mon_command("auth caps", entity=entity, caps=caps_to_args(caps))


def import_key(client, entity, key, caps):
    """Create or overwrite ``entity`` with the given key and caps (``auth import``, key in the input buffer)."""
    client.mon_command("auth import", inbuf=render_entity(entity, key, caps).encode("ascii"))


def remove(client, entity):
    client.mon_command("auth del", entity=entity)
