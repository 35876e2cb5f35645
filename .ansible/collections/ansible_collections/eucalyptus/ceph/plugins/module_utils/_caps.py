# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""cephx capabilities: the two EBS profiles, and the checks and normal form of cap strings.

Profiles (proven allowed/refused on a real cluster by tests/integration/test_caps_profiles.py):

``sc`` (Storage Controller): ``mon 'profile rbd'``, ``osd 'profile rbd pool=P'`` and
``mgr 'profile rbd pool=P'`` for every volume AND snapshot pool.  Create, delete,
snapshot, protect, clone, flatten, rename, resize, read and write.  ``mon 'profile rbd'``
(rather than ``allow r``) lets it blocklist a dead client to break its lock.

``nc`` (Node Controller, the hypervisor): on volume pools, read/write/discard of image
data (and copy-up into clones), the header watch and exclusive lock, object-map updates,
opening an image by name and reading pool metadata; nothing that creates, resizes,
snapshots, renames or removes an image (those are cls ``rbd`` writes on the header or
directory, which it is not granted).  On snapshot pools it may only READ: a volume
restored from a snapshot is a clone whose parent lives there, and the hypervisor reads
through to the parent.

``ebs-admin`` (the EBS automation itself, instead of client.admin on an existing cluster):
``mon 'allow r'`` plus exactly the monitor commands that create and tune the EBS pools
(each allowed for those pool names only) and that create, read and re-cap the users whose
entity starts with ``client.<users_prefix>``; ``osd 'profile rbd pool=P'`` for ``rbd pool
init`` and the probes.  Nothing else can be changed with it: no other pool, user, config
option, flag or daemon.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

DAEMON_TYPES = ("mon", "osd", "mgr", "mds")
PROFILES = ("sc", "nc", "ebs-admin")
# Monitor commands of the ebs-admin profile, with the argument that names what they touch.
_EBS_ADMIN_POOL_COMMANDS = ("osd pool create", "osd pool set", "osd pool application enable")
_EBS_ADMIN_USER_COMMANDS = ("auth get-or-create", "auth get", "auth caps")

# One grant: 'allow ...' or 'profile ...'; grants are separated by commas.
_GRANT_RE = re.compile(r"(allow|profile)( +\S.*)?")
# C0 controls and DEL: a cap string is one line of text for the monitor and for `auth ls`.
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


def _nc_volume_pool_grants(pool):
    p = "pool=%s" % pool
    return [
        "allow rwx %s object_prefix rbd_data." % p,                      # data, copy-up into clones
        "allow rw class-read %s object_prefix rbd_header." % p,          # watch + read metadata
        "allow %s object_prefix rbd_header. class lock" % p,             # exclusive lock
        "allow r class-read %s object_prefix rbd_object_map." % p,
        "allow %s object_prefix rbd_object_map. class lock" % p,
        "allow %s object_prefix rbd_object_map. class rbd object_map_update" % p,
        "allow r class-read %s object_prefix rbd_id." % p,               # open by name
        "allow %s object_prefix rbd_info class rbd metadata_list" % p,   # pool config overrides
        "allow %s object_prefix rbd_directory class rbd dir_get_name" % p,  # parent opened by id
    ]


def _nc_snapshot_pool_grants(pool):
    p = "pool=%s" % pool
    return [
        "allow r class-read %s object_prefix rbd_data." % p,
        "allow r class-read %s object_prefix rbd_header." % p,
        "allow r class-read %s object_prefix rbd_object_map." % p,
        "allow r class-read %s object_prefix rbd_id." % p,
        "allow %s object_prefix rbd_info class rbd metadata_list" % p,
        "allow %s object_prefix rbd_directory class rbd dir_get_name" % p,
    ]


def _ebs_admin_caps(pools, users_prefix):
    mon = ["allow r"]
    for pool in pools:
        mon.extend('allow command "%s" with pool=%s' % (command, pool) for command in _EBS_ADMIN_POOL_COMMANDS)
    mon.extend('allow command "%s" with entity prefix client.%s' % (command, users_prefix)
               for command in _EBS_ADMIN_USER_COMMANDS)
    return {"mon": ", ".join(mon), "osd": ", ".join("profile rbd pool=%s" % p for p in pools)}


def profile_caps(profile, volume_pools, snapshot_pools=None, users_prefix="eucalyptus"):
    """The caps dict (daemon type -> cap string) of a named EBS profile."""
    if profile not in PROFILES:
        raise ValueError("unknown cap profile %r: choose one of %s" % (profile, ", ".join(PROFILES)))
    volume_pools = list(volume_pools or [])
    snapshot_pools = [p for p in (snapshot_pools or []) if p not in volume_pools]
    if not volume_pools:
        raise ValueError("cap profile %r needs at least one volume pool" % profile)
    if profile == "ebs-admin":
        if not users_prefix or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", users_prefix):
            raise ValueError("users_prefix %r is not the start of a cephx id" % (users_prefix,))
        return _ebs_admin_caps(volume_pools + snapshot_pools, users_prefix)
    if profile == "sc":
        pools = volume_pools + snapshot_pools
        return {
            "mon": "profile rbd",
            "osd": ", ".join("profile rbd pool=%s" % p for p in pools),
            "mgr": ", ".join("profile rbd pool=%s" % p for p in pools),
        }
    grants = []
    for pool in volume_pools:
        grants.extend(_nc_volume_pool_grants(pool))
    for pool in snapshot_pools:
        grants.extend(_nc_snapshot_pool_grants(pool))
    return {"mon": "profile rbd", "osd": ", ".join(grants)}


# The one quoted form allowed: a monitor command grant, e.g. allow command "auth get" with entity=x
_COMMAND_GRANT_RE = re.compile(r'allow +command +"[a-z][a-z -]*[a-z]"( +with +[^"\']+)?')


def caps_error(caps, in_keyring=False):
    """None when ``caps`` (daemon type -> cap string) is well formed, else the reason.

    Quotes are refused, except the double quotes of an ``allow command "NAME"`` grant sent
    to the monitors; with ``in_keyring`` (caps written into a keyring file, where the whole
    cap string is itself quoted) no quote at all is accepted.
    """
    if not isinstance(caps, dict) or not caps:
        return "caps must be a non-empty mapping of daemon type (%s) to a cap string" % ", ".join(DAEMON_TYPES)
    for daemon, text in caps.items():
        if daemon not in DAEMON_TYPES:
            return "caps: unknown daemon type %r (expected one of %s)" % (daemon, ", ".join(DAEMON_TYPES))
        if not isinstance(text, str) or not text.strip():
            return "caps: the %s cap must be a non-empty string" % daemon
        if _CONTROL_RE.search(text):
            return "caps: the %s cap %r must not contain control characters (newline, tab, ...)" % (daemon, text)
        for grant in text.split(","):
            grant = grant.strip()
            if not _GRANT_RE.fullmatch(grant):
                return ("caps: malformed %s cap %r: each comma-separated grant must start with "
                        "'allow' or 'profile'" % (daemon, grant))
            if "'" in grant or '"' in grant:
                if in_keyring:
                    return "caps: %s cap %r must not contain quotes in a keyring file" % (daemon, grant)
                if not _COMMAND_GRANT_RE.fullmatch(grant):
                    return ('caps: %s cap %r must not contain quotes, except around the command of an '
                            '\'allow command "NAME"\' grant' % (daemon, grant))
    return None


def normalize_cap(text):
    """Canonical spacing of one cap string, as the monitor stores it."""
    grants = [" ".join(g.split()) for g in text.split(",")]
    return ", ".join(g for g in grants if g)


def normalize_caps(caps):
    return dict((daemon, normalize_cap(text)) for daemon, text in (caps or {}).items())


def caps_to_args(caps):
    """The ``caps`` argument of ``auth caps``/``auth get-or-create``: [type, cap, ...] in a stable order."""
    args = []
    for daemon in sorted(caps):
        args.extend([daemon, caps[daemon]])
    return args
