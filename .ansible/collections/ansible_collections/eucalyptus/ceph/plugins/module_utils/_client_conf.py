# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The client ceph.conf of an EBS host, rendered from the cluster's fsid and monitor map.

Two readers with different needs: librados and the ceph CLI take ``mon_host`` (v2 and v1
addresses), while the Eucalyptus NC attach script takes its monitors ONLY from
``mon addr = IP:PORT`` lines of ``[mon.NAME]`` sections (v1). Every value is checked with
fullmatch before it goes into the file: a newline in a setting would add a line of its own.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

# the collection's one safe file writer (atomic, never through a symbolic link)
from ansible_collections.eucalyptus.ceph.plugins.module_utils import _keyring_file as safe_file

_UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_MON_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")
# ip:port as the monitor map gives it: IPv4, or IPv6 in brackets (the nonce "/0" is dropped upstream)
_ADDR_RE = re.compile(r"(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9A-Fa-f:.]+\]):\d{1,5}")
_SETTING_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_ ]{0,126}")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")

HEADER = "# Ansible managed\n"


class ClientConfError(ValueError):
    pass


def _addr_error(what, addr):
    if not isinstance(addr, str) or not _ADDR_RE.fullmatch(addr):
        return "%s %r is not an IP:PORT address" % (what, addr)
    return None


def monitors_error(monitors):
    """None when ``monitors`` (ceph_info's list: name, v1, v2, ...) can be written, else why."""
    if not isinstance(monitors, list) or not monitors:
        return "monitors must be a non-empty list (the monitors of eucalyptus.ceph.ceph_info)"
    for mon in monitors:
        if not isinstance(mon, dict):
            return "each monitor must be a dict with name, v1 and v2, not %r" % (mon,)
        name = mon.get("name")
        if not isinstance(name, str) or not _MON_NAME_RE.fullmatch(name):
            return "monitor name %r: use letters, digits, _ . - (at most 63)" % (name,)
        if mon.get("v1") is None:
            return ("monitor %s has no legacy v1 address: the Eucalyptus NC attach script only speaks "
                    "IP:PORT (its mon addr lines)" % name)
        error = _addr_error("v1 address of monitor %s" % name, mon.get("v1"))
        if not error and mon.get("v2") is not None:
            error = _addr_error("v2 address of monitor %s" % name, mon.get("v2"))
        if error:
            return error
    return None


def settings_error(settings):
    for key, value in (settings or {}).items():
        if not isinstance(key, str) or not _SETTING_NAME_RE.fullmatch(key):
            return "setting name %r: use letters, digits, _ and spaces" % (key,)
        if not isinstance(value, (str, int, float)):   # bool is an int: written as True/False
            return "the value of %s must be a string, a number or a boolean, not %s" % (key, type(value).__name__)
        text = str(value)
        if not text.strip() or _CONTROL_RE.search(text) or text != text.strip():
            return "the value of %s must be one line without control characters or surrounding blanks" % key
    return None


def fsid_error(fsid):
    if not isinstance(fsid, str) or not _UUID_RE.fullmatch(fsid):
        return "fsid %r is not a UUID" % (fsid,)
    return None


def render(fsid, monitors, settings=None):
    """The file's text. Its layout is the one earlier releases wrote with a template, so that
    an upgrade of the collection does not rewrite the file."""
    addrs = ["[v2:%s,v1:%s]" % (mon["v2"], mon["v1"]) if mon.get("v2") else mon["v1"] for mon in monitors]
    lines = [
        HEADER.rstrip("\n"),
        "# Client configuration of the Ceph cluster %s." % fsid,
        "[global]",
        "fsid = %s" % fsid,
        "mon_host = %s" % ",".join(addrs),
        "auth_cluster_required = cephx",
        "auth_service_required = cephx",
        "auth_client_required = cephx",
        "",
        "[client]",
        "# Fail instead of hanging for 300 s when no monitor answers.",
        "client_mount_timeout = 30",
    ]
    for key in sorted(settings or {}):
        lines.append("%s = %s" % (key, settings[key]))
    lines += ["", "# The Eucalyptus NC attach script reads monitors ONLY from \"mon addr\" lines (ip:port, v1)."]
    for mon in monitors:
        lines += ["[mon.%s]" % mon["name"], "mon addr = %s" % mon["v1"]]
    return "\n".join(lines) + "\n"


def input_error(fsid, monitors, settings):
    """None when the three can be written, else why (the first problem found)."""
    return fsid_error(fsid) or monitors_error(monitors) or settings_error(settings)


def ensure_file(path, fsid, monitors, settings, owner, group, mode, check_mode):
    """Write the file when its content or attributes differ (atomically, never through a link).

    Returns changed, content_changed, attributes_changed, mon_addrs, mode (the file's after the
    run, an int), diff and, in check mode
    when the directory does not exist yet (an earlier task of the same run creates it),
    not_checked. Raises _keyring_file.KeyringFileError."""
    content = render(fsid, monitors, settings)
    mon_addrs = [mon["v1"] for mon in monitors]
    directory = os.path.dirname(path) or "."
    if check_mode and not os.path.isdir(directory):
        return dict(changed=True, content_changed=True, attributes_changed=True, mon_addrs=mon_addrs, mode=mode,
                    not_checked="directory %s does not exist yet: the whole file would be written" % directory,
                    diff=dict(before="", after=content, before_header=path, after_header=path))
    result = safe_file.ensure_present(path, content, owner=owner, group=group, mode=mode, check_mode=check_mode)
    return dict(changed=result["changed"], content_changed=result["content_changed"],
                attributes_changed=result["attributes_changed"], mon_addrs=mon_addrs, mode=result["mode"],
                diff=result["diff"])
