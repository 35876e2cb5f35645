# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the connected Ceph release accepts, from its own ``get_command_descriptions``.

Monitors (and managers) describe every command they serve: the words of its prefix, then
one entry per argument with its type (``CephInt``, ``CephString``, ``CephChoices``...),
``req: "false"`` when optional, ``n: "N"`` for a list, ``range``, ``strings`` and
``goodchars`` constraints. The ``ceph`` CLI validates against these before sending; a raw
``mon_command`` is not validated by the monitor the same way (a string where an integer is
expected crashed ceph-mon 16.2.15), so :class:`CommandDescriptions` does it here, for the
release that is actually connected, and refuses locally whatever that release would not
accept: an unknown command, an argument it does not have, a type, choice or range it does
not accept, a required argument that is missing.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

# Argument types whose JSON value is a string.
_STRING_TYPES = frozenset([
    "CephString", "CephPoolname", "CephObjectname", "CephName", "CephUUID", "CephEntityAddr",
    "CephIPAddr", "CephPgid", "CephFilepath", "CephFragment", "CephPrefix", "CephSocketpath",
])


class CommandRefused(Exception):
    """The connected release would not accept this command as built."""


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _in_range(value, spec):
    """``range`` is "min" or "min|max" (inclusive)."""
    if not spec:
        return True
    bounds = spec.split("|")
    try:
        low = float(bounds[0]) if bounds[0] != "" else None
        high = float(bounds[1]) if len(bounds) > 1 and bounds[1] != "" else None
    except ValueError:
        return True  # a constraint we cannot read is not ours to enforce
    return (low is None or value >= low) and (high is None or value <= high)


def _value_error(desc, value):
    """None when one scalar ``value`` fits the argument description, else why not."""
    kind = desc.get("type")
    if kind == "CephInt" or kind == "CephOsdName":
        # the CLI turns an OSD name ("osd.3") into its integer id before sending it
        if not _is_int(value):
            return "an integer"
        if kind == "CephOsdName" and value < 0:
            return "an OSD id (0 or more)"
        if not _in_range(value, desc.get("range")):
            return "an integer in the range %s" % desc.get("range").replace("|", "..")
        return None
    if kind == "CephFloat":
        if not (isinstance(value, (int, float)) and not isinstance(value, bool)):
            return "a number"
        if not _in_range(value, desc.get("range")):
            return "a number in the range %s" % desc.get("range").replace("|", "..")
        return None
    if kind == "CephBool":
        return None if isinstance(value, bool) else "a boolean"
    if kind == "CephChoices":
        choices = (desc.get("strings") or "").split("|")
        return None if isinstance(value, str) and value in choices else "one of %s" % ", ".join(choices)
    if kind in _STRING_TYPES:
        if not isinstance(value, str):
            return "a string"
        goodchars = desc.get("goodchars")
        if goodchars and not re.fullmatch("(?:%s)*" % goodchars, value):
            return "a string of the characters %s" % goodchars
        return None
    return "of type %s, which this collection does not send" % kind


def _required(desc):
    """Required unless ``req`` says otherwise. Pacific writes "false", "False", once "fasle"
    (osd pool application get), Reef and later a JSON boolean; like the CLI's argument
    parser, only an absent ``req`` or a true value makes the argument required."""
    req = desc.get("req", True)
    return req is True or req in ("true", "True")


class CommandDescriptions:
    """The commands of one daemon type of the connected cluster, by prefix."""

    def __init__(self, raw, source="monitors"):
        self.source = source
        self.commands = {}
        for entry in (raw or {}).values():
            sig = entry.get("sig") if isinstance(entry, dict) else None
            if not sig:
                continue
            words = [w for w in sig if isinstance(w, str)]
            args = dict((a["name"], a) for a in sig if isinstance(a, dict) and "name" in a)
            # a prefix can have several signatures (e.g. "osd crush set"): any may match
            self.commands.setdefault(" ".join(words), []).append(args)

    def __contains__(self, prefix):
        return prefix in self.commands

    def _signature_error(self, args, command):
        for name, value in command.items():
            if name in ("prefix", "format"):
                continue
            desc = args.get(name)
            if desc is None:
                return "has no argument %r" % name
            is_list = desc.get("n") not in (None, "", "1", 1)
            values = value if is_list else [value]
            if is_list and not isinstance(value, list):
                return "argument %r must be a list" % name
            for item in values:
                want = _value_error(desc, item)
                if want:
                    return "argument %r must be %s, got %r" % (name, want, item)
        for name, desc in args.items():
            if _required(desc) and name not in command:
                return "needs argument %r" % name
        return None

    def check(self, command):
        """Raise :class:`CommandRefused` unless some signature of the command accepts ``command``."""
        prefix = command["prefix"]
        signatures = self.commands.get(prefix)
        if not signatures:
            raise CommandRefused("the %s of this cluster do not offer the command %r" % (self.source, prefix))
        errors = []
        for args in signatures:
            error = self._signature_error(args, command)
            if error is None:
                return
            errors.append(error)
        raise CommandRefused("the %s of this cluster refuse %r as built: it %s"
                             % (self.source, prefix, "; or it ".join(errors)))
