# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What an EBS host has installed and running, read with one command per kind.

Private to this collection. Names are checked with fullmatch before they reach an argv, and a
name that starts with '-' is refused, so that none is read as an option.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import grp
import re

# Debian (policy 5.6.1) and RPM names; no control character, no leading '-'
PACKAGE_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9+._-]{0,254}")
# systemd unit names (systemd.unit(5)): letters, digits, ":-_.\" and "@", a known suffix
UNIT_NAME_RE = re.compile(
    r"[A-Za-z0-9_.:\\@][A-Za-z0-9_.:\\@-]{0,239}\.(service|socket|target|timer|mount|path|device|swap|slice|scope|automount)")
# POSIX portable user/group names, as groupadd takes them
GROUP_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]{0,31}\$?")
UNIT_PROPERTIES = ("Id", "LoadState", "ActiveState", "UnitFileState")
# what Ansible's service_mgr collector takes as "booted with systemd"
SYSTEMD_MARKERS = ("/run/systemd/system/", "/dev/.run/systemd/", "/dev/.systemd/")
# os-release IDs (ID, then each of ID_LIKE) -> ansible_facts.os_family, for the families whose
# names Ansible derives the same way; any other host goes through Ansible's own collector
OS_FAMILY_BY_ID = {
    "debian": "Debian", "ubuntu": "Debian", "raspbian": "Debian", "devuan": "Debian",
    "rhel": "RedHat", "centos": "RedHat", "fedora": "RedHat", "rocky": "RedHat", "almalinux": "RedHat",
    "ol": "RedHat", "scientific": "RedHat", "cloudlinux": "RedHat",
}


def read_os_release(paths=("/etc/os-release", "/usr/lib/os-release")):
    """os-release(5) as a dict, or {} when there is none."""
    for path in paths:
        try:
            with open(path) as handle:
                text = handle.read()
        except (IOError, OSError):
            continue
        values = {}
        for line in text.splitlines():
            name, sep, value = line.strip().partition("=")
            if sep and name and not name.startswith("#"):
                values[name] = value.strip().strip("\"'")
        return values
    return {}


def os_family_from_os_release(values):
    """The OS family for an os-release ID or one of its ID_LIKE, or None when neither is known."""
    for os_id in [values.get("ID", "")] + values.get("ID_LIKE", "").split():
        family = OS_FAMILY_BY_ID.get(os_id.lower())
        if family:
            return family
    return None


def names_by_os_family(value, os_family, what):
    """The names that apply to this OS family: a list applies to every family, a dict maps an
    OS family to its list (a family it does not name gets none). Returns (names, error)."""
    if value is None:
        return [], None
    if isinstance(value, dict):
        for family, names in value.items():
            if not isinstance(names, list):
                return None, "%s[%s] must be a list of names, not %s" % (what, family, type(names).__name__)
        value = value.get(os_family, [])
    if not isinstance(value, list):
        return None, "%s must be a list of names or a dictionary of lists by OS family, not %s" % (
            what, type(value).__name__)
    return value, None


ALLOWED = {"packages": "letters, digits and '+._-'", "units": "letters, digits, ':_.\\@-' and a unit suffix",
           "groups": "letters, digits and '_.-' (at most 32)"}


def name_error(names, pattern, what):
    for name in names:
        if not isinstance(name, str) or not pattern.fullmatch(name):
            return "%s: %r is not a valid name (%s only, not starting with '-')" % (what, name, ALLOWED[what])
    return None


def parse_installed(text):
    """The installed names in the output of package_command: both commands print
    'NAME installed' per installed package (dpkg-query other states in the second field,
    rpm 'package NAME is not installed' for the others)."""
    installed = set()
    for line in text.splitlines():
        fields = line.split()
        if len(fields) == 2 and fields[1] == "installed":
            installed.add(fields[0])
    return installed


def parse_systemctl_show(text):
    """Blocks of NAME=VALUE lines, one per unit, separated by an empty line: {Id: {property: value}}."""
    units = {}
    for block in text.replace("\r\n", "\n").split("\n\n"):
        props = {}
        for line in block.split("\n"):
            name, sep, value = line.partition("=")
            if sep and name:
                props[name] = value
        if props.get("Id"):
            units[props["Id"]] = props
    return units


def package_command(os_family, names):
    """The read-only command that lists which of the names are installed, or None when this
    OS family has no package database this module reads."""
    if os_family == "Debian":
        return ["dpkg-query", "--show", "--showformat=${Package} ${db:Status-Status}\n", "--"] + list(names)
    if os_family == "RedHat":
        return ["rpm", "--query", "--queryformat=%{NAME} installed\n", "--"] + list(names)
    return None


def unit_command(units):
    return ["systemctl", "show", "--property=" + ",".join(UNIT_PROPERTIES), "--"] + list(units)


def unit_states(parsed, units):
    """The state of each asked unit; a unit systemd does not know is 'not-found', not missing."""
    states = {}
    for unit in units:
        props = parsed.get(unit, {})
        states[unit] = dict(load_state=props.get("LoadState", "not-found"),
                            active_state=props.get("ActiveState", "inactive"),
                            unit_file_state=props.get("UnitFileState", ""))
    return states


def group_exists(name):
    try:
        grp.getgrnam(name)
    except KeyError:
        return False
    return True
