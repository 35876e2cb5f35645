# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Change records: what a long operation found before it changed cluster-wide settings,
kept in the cluster itself (the monitors' config-key store), so that the settings can be put
back exactly even when the controller that started the operation died.

A record holds, for each configuration option the operation may change, its value before
(None: not set), and for each OSD map flag whether it was set. It is written before the
first change and removed only once everything in it has been put back.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import json
import re
import time

from ansible_collections.eucalyptus.ceph.plugins.module_utils import _config_db as config_db
from ansible_collections.eucalyptus.ceph.plugins.module_utils import _osd_map as osd_map
from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_client import CephClientError

KEY_PREFIX = "eucalyptus/change-records/"
NAME_RE = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")
# config sections and option names as Ceph spells them (osd, osd.3, client.rgw.x; mgr/x/y)
WHO_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
OPTION_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_/.-]{0,255}")
FORMAT = 1


def check_name(name):
    if not isinstance(name, str) or not NAME_RE.fullmatch(name):
        return "record name %r: lower-case letters, digits, '_' and '-', at most 63" % (name,)
    return None


def check_option(who, name):
    if not isinstance(who, str) or not WHO_RE.fullmatch(who):
        return "config section %r is not a section name" % (who,)
    if not isinstance(name, str) or not OPTION_RE.fullmatch(name):
        return "config option %r is not an option name" % (name,)
    return None


def entry_id(kind, who=None, name=None):
    """How an entry is named in ``only`` and in results: config:WHO/NAME or flag:NAME."""
    return "config:%s/%s" % (who, name) if kind == "config" else "flag:%s" % name


def read(client, name):
    """The stored record, or None."""
    try:
        text = client.mon_command("config-key get", key=KEY_PREFIX + name, format="plain")
    except CephClientError as exc:
        if exc.errno in (errno.ENOENT, -errno.ENOENT):
            return None
        raise
    try:
        record = json.loads(text)
    except ValueError:
        raise CephClientError("config-key %s%s does not hold a change record (not JSON)" % (KEY_PREFIX, name))
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        raise CephClientError("config-key %s%s holds a record of an unknown format" % (KEY_PREFIX, name))
    return record


def snapshot(client, name, options, flags, note):
    """The record of the current values of OPTIONS [(who, name)] and FLAGS."""
    dump = client.mon_command("config dump")
    flags_set = osd_map.flags(client)
    return {
        "format": FORMAT,
        "name": name,
        "note": note,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "config": [{"who": who, "name": opt, "value": config_db.current_value(dump, who, opt)}
                   for who, opt in options],
        "flags": dict((flag, flag in flags_set) for flag in flags),
    }


def write(client, record):
    client.mon_command("config-key set", key=KEY_PREFIX + record["name"],
                       inbuf=json.dumps(record, sort_keys=True).encode("utf-8"))


def remove(client, name):
    client.mon_command("config-key rm", key=KEY_PREFIX + name)


def entries(record):
    """[(id, kind, who, name, value before)] of a record."""
    found = [(entry_id("config", e["who"], e["name"]), "config", e["who"], e["name"], e["value"])
             for e in record.get("config", [])]
    found += [(entry_id("flag", name=flag), "flag", None, flag, on) for flag, on in sorted(record.get("flags", {}).items())]
    return found


def plan_restore(client, record, only=None):
    """[(id, kind, who, name, value before, value now, differs)] of the record's entries (those
    of ONLY when given); DIFFERS says whether the current value is not the recorded one."""
    dump = client.mon_command("config dump")
    flags_set = osd_map.flags(client)
    plan = []
    for eid, kind, who, name, before in entries(record):
        if only is not None and eid not in only:
            continue
        if kind == "config":
            now = config_db.current_value(dump, who, name)
            differs = not config_db.same_value(now, before)
        else:
            now = name in flags_set
            differs = now != before
        plan.append((eid, kind, who, name, before, now, differs))
    return plan


def put_back(client, kind, who, name, before):
    if kind == "config":
        config_db.put(client, who, name, before)
    else:
        osd_map.set_flag(client, name, before)


def describe(kind, before):
    if kind == "config":
        return "(not set)" if before is None else before
    return "set" if before else "unset"
