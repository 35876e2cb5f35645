# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Key handover of a cephx user through the monitors' pending keys (Reef 18.2 and later).

``auth get-or-create-pending`` gives the user a second, pending key. Both keys log in until the
pending key is first used: about 2 s after a first login with it the monitors make it the key
and refuse the old one (measured on Tentacle 20.2.4); ``auth commit-pending`` does that at once,
``auth clear-pending`` drops the pending key. Keys travel only in command output, never on a
command line.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import hashlib

from ansible_collections.eucalyptus.ceph.plugins.module_utils._caps import normalize_caps
from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_client import CephClientError, MON_COMMANDS_SINCE

# the release-gated commands of the table: the pending-key commands
PENDING_COMMANDS = tuple(sorted(MON_COMMANDS_SINCE))


def missing_primitive(client):
    """None when the connected monitors offer pending keys, else the reason (Pacific has none)."""
    descriptions = client.command_descriptions()
    missing = [c for c in PENDING_COMMANDS if c not in descriptions]
    if missing:
        return ("the monitors of this cluster have no pending keys (%s not among their commands; "
                "Ceph 16 Pacific has none, Reef 18.2 and later have them): a rotation that keeps "
                "the old key valid until nothing uses it is not possible here" % ", ".join(missing))
    return None


def fingerprint(key):
    """A short identifier of a key for plans and diffs (SHA-256, 16 hex digits), never the key."""
    if not key:
        return None
    return "SHA256:" + hashlib.sha256(key.encode("ascii")).hexdigest()[:16]


def read(client, entity):
    """``{"key", "pending_key", "caps"}`` of ``entity`` (pending_key None when it has none), or
    None when the user does not exist."""
    try:
        entries = client.mon_command("auth export", entity=entity)
    except CephClientError as exc:
        if exc.errno in (errno.ENOENT, -errno.ENOENT):
            return None
        raise
    entry = entries[0]
    return {"key": entry["key"], "pending_key": entry.get("pending_key") or None,
            "caps": normalize_caps(entry.get("caps", {}))}


def create_pending(client, entity):
    entries = client.mon_command("auth get-or-create-pending", entity=entity)
    pending = entries[0].get("pending_key")
    if not pending:
        raise CephClientError("auth get-or-create-pending %s answered without a pending key" % entity)
    return pending


def commit(client, entity):
    client.mon_command("auth commit-pending", entity=entity)


def clear(client, entity):
    client.mon_command("auth clear-pending", entity=entity)
