# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Keys of Ceph daemons (mgr.X, osd.N, mon.): reading them from files (the keyrings are
rendered by :func:`_keyring_file.render_entity`, as every keyring of the collection).

Daemon keys never travel on a command line: they are generated into files
(``ceph-authtool --gen-print-key > FILE`` under umask 077, or by the monitor) and read
from there by the modules, which write the daemon's keyring with
:func:`keyring_file.ensure_present` (atomic, mode 0600 by default).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.eucalyptus.ceph.plugins.module_utils._cephx_key import cephx_key_error

_KEY_RE = re.compile(r"^\s*key\s*=\s*(\S+)\s*$")
_ENTITY_RE = re.compile(r"mon\.|mgr\.[A-Za-z0-9_.-]+|osd\.[0-9]+|mds\.[A-Za-z0-9_.-]+|client\.[A-Za-z0-9_.-]+")


class DaemonKeyError(Exception):
    """A message for fail_json; it never contains a key."""


def valid_entity(entity):
    return bool(isinstance(entity, str) and _ENTITY_RE.fullmatch(entity))


def read_key_file(path):
    """The cephx key held by ``path``: a keyring (first ``key =`` line) or a bare key.

    Returns None when the file does not exist.
    """
    try:
        with open(path, "r") as handle:
            text = handle.read()
    except IOError as exc:
        if getattr(exc, "errno", None) == 2:
            return None
        raise DaemonKeyError("cannot read %s: %s" % (path, exc.strerror))
    key = None
    for line in text.splitlines():
        match = _KEY_RE.match(line)
        if match:
            key = match.group(1)
            break
    if key is None:
        stripped = text.strip()
        if stripped and len(stripped.split()) == 1 and "[" not in stripped:
            key = stripped
    if key is None:
        raise DaemonKeyError("%s holds no cephx key (neither a 'key = ...' line nor a bare key)" % path)
    error = cephx_key_error(key)
    if error:
        raise DaemonKeyError("%s: the key in it is not valid: %s" % (path, error))
    return key


def caps_to_list(caps):
    """{'mon': 'allow profile mgr'} -> ['mon', 'allow profile mgr'] in a stable order."""
    out = []
    for daemon in sorted(caps or {}):
        out.extend([daemon, caps[daemon]])
    return out
