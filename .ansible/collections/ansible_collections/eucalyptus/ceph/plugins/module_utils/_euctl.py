# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Eucalyptus cloud properties through ``euctl`` (euca2ools / eucalyptus-admin-tools).

``euctl NAME`` prints every property whose name starts with NAME, one per line, as
``NAME = VALUE`` (the tool strips the value; an empty value prints ``NAME = ``).
``euctl NAME=VALUE`` sets the value, then prints the property the same way.  Older docs and
``euca-describe-properties`` show ``PROPERTY NAME VALUE``; some wrappers print ``NAME=VALUE``.
:func:`parse_properties` accepts all three.

The tool has two quirks a caller must know:

* a property it does not know is not an error when READ: the output simply has no line for
  it (exit status 0).  The caller must look for the exact name in the output;
* a value given as ``@FILE`` is replaced by the content of FILE, and values are stripped:
  such values cannot be set literally and are refused by :func:`value_error`.

Only this module builds euctl command lines: always a list (no shell), with one
``NAME`` or ``NAME=VALUE`` argument per call.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

# The zone-scoped storage properties of the Ceph RBD block storage manager.
BSM_SUFFIX = ".storage.blockstoragemanager"
CEPH_RBD = "ceph-rbd"

# A cloud property name: dotted components of letters, digits, '_' and '-'.
_NAME_RE = re.compile(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+")
# "PROPERTY name value" (euca-describe-properties and the install guide); value may be empty.
_PROPERTY_RE = re.compile(r"^PROPERTY\s+(?P<name>\S+)(?:[ \t]+(?P<value>.*))?$")
# "DESCRIPTION name text" lines (euca-describe-properties -v): ignored.
_DESCRIPTION_RE = re.compile(r"^DESCRIPTION\s+\S+")
# "name = value", "name=value", "name =" (euctl prints "name = value").
_ASSIGN_RE = re.compile(r"^(?P<name>[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+)[ \t]*=[ \t]?(?P<value>.*)$")


class EuctlError(Exception):
    """euctl failed or printed something this module cannot use; the message says what."""


class UnknownProperty(EuctlError):
    """euctl does not know the property (unknown zone, unknown name, or not yet registered)."""


def name_error(name):
    """None for a plausible property name, else a message."""
    if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
        return ("invalid property name %r: expected dotted words such as 'one.storage.cephuser'"
                % (name,))
    return None


def normalize_value(value):
    """The text euctl is given for VALUE: booleans as true/false, numbers as text, lists
    comma-joined (e.g. pool lists).  Raises TypeError for anything else (dicts, None)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return ",".join(normalize_value(v) for v in value)
    if isinstance(value, str):
        return value
    raise TypeError("a property value must be a string, number, boolean or list, not %s"
                    % type(value).__name__)


def value_error(name, value):
    """None when euctl can set VALUE literally, else a message."""
    if "\n" in value or "\r" in value:
        return "the value of %s contains a line break, which euctl cannot set or print back" % name
    if value.startswith("@"):
        return ("the value of %s starts with '@': euctl would read the file %s instead of "
                "setting the text" % (name, value[1:]))
    if value != value.strip():
        return ("the value of %s has leading or trailing white space, which euctl strips: "
                "give it without" % name)
    return None


def parse_properties(text):
    """Parse euctl (or euca-describe-properties) output into an ordered list of
    ``(name, value)``; values are stripped as euctl strips them.

    Lines that are neither a property line nor a description are continuation lines of
    the value before them (a multi-line value) when one exists, and are ignored otherwise
    (a banner or a warning on stdout).
    """
    result = []
    for raw in text.splitlines():
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        match = _PROPERTY_RE.match(line)
        if match is None:
            match = _ASSIGN_RE.match(line)
        if match is not None:
            result.append([match.group("name"), (match.group("value") or "").strip()])
            continue
        if _DESCRIPTION_RE.match(line):
            continue
        if result:
            result[-1][1] = (result[-1][1] + "\n" + line).strip()
    return [tuple(item) for item in result]


def find_property(text, name):
    """The value of NAME in euctl output, or None when the output has no line for it.

    ``euctl NAME`` lists every property whose name STARTS with NAME: only the exact
    name counts.
    """
    found = None
    for prop, value in parse_properties(text):
        if prop == name:
            found = value
    return found


def bsm_name(zone):
    return zone + BSM_SUFFIX


def zone_of(name):
    """The zone of a zone-scoped storage property (``ZONE.storage.X``), else None."""
    parts = name.split(".")
    if len(parts) >= 3 and parts[1] == "storage":
        return parts[0]
    return None


def is_bsm(name):
    return zone_of(name) is not None and name == bsm_name(zone_of(name))


def is_ceph_property(name):
    """``ZONE.storage.ceph*``: properties of the ceph-rbd provider, meaningful (and, on a
    real cloud, present) only once the zone's block storage manager is ceph-rbd."""
    zone = zone_of(name)
    return zone is not None and name.split(".")[2].startswith("ceph")


def order_properties(items):
    """Block storage manager properties first (in their given order), then the rest in the
    given order: the ceph-rbd provider must be selected before its properties exist."""
    first = [item for item in items if is_bsm(item[0])]
    rest = [item for item in items if not is_bsm(item[0])]
    return first + rest


def _describe_failure(action, argv_name, rc, out, err):
    text = (err or "").strip() or (out or "").strip() or "no output"
    if len(text) > 2000:
        text = text[:2000] + "..."
    return "euctl failed to %s %s (exit status %s): %s" % (action, argv_name, rc, text)


class Euctl:
    """Runs euctl through ``run_command`` (an AnsibleModule's, or any callable with the
    same signature returning ``(rc, stdout, stderr)``)."""

    def __init__(self, run_command, path, region=None):
        self.run_command = run_command
        self.path = path
        self.region = region

    def _argv(self, *args):
        argv = [self.path]
        if self.region:
            argv += ["--region", self.region]
        argv += list(args)
        return argv

    def _run(self, argv):
        # A list and no shell: the value is one argument, whatever characters it holds.
        rc, out, err = self.run_command(argv, check_rc=False, environ_update={"LC_ALL": "C", "LANG": "C"})
        return rc, out or "", err or ""

    def get(self, name):
        """The current value of NAME; raises UnknownProperty when euctl does not list it."""
        rc, out, err = self._run(self._argv(name))
        if rc != 0:
            message = _describe_failure("read", name, rc, out, err)
            if _looks_unknown(out + err):
                raise UnknownProperty(message)
            raise EuctlError(message)
        value = find_property(out, name)
        if value is None:
            raise UnknownProperty("euctl does not know the property %s (it printed no line for it)" % name)
        return value

    def set(self, name, value):
        """Set NAME to VALUE; returns the value euctl prints back (None when it prints none)."""
        rc, out, err = self._run(self._argv("%s=%s" % (name, value)))
        if rc != 0:
            message = _describe_failure("set", name, rc, out, err)
            if _looks_unknown(out + err):
                raise UnknownProperty(message)
            raise EuctlError(message)
        return find_property(out, name)


_UNKNOWN_HINTS = ("no such", "unknown", "not found", "cannot find", "does not exist", "invalid property",
                  "nosuch", "no property")


def _looks_unknown(text):
    lowered = text.lower()
    return any(hint in lowered for hint in _UNKNOWN_HINTS)
