# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Settings in eucalyptus.conf, a file of shell-style ``KEY="value"`` lines sourced by the
Eucalyptus init scripts and parsed by the NC.

Only the lines of the keys asked for are touched; every other byte of the file is kept.
The shell takes the last assignment of a key and the NC's own parser may take another, so
after an edit each key has exactly one active line.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import tempfile

KEY_RE = re.compile(r"[A-Z_][A-Z0-9_]*")
# A value goes between double quotes in a file the shell sources: nothing the shell would
# expand or that would end the quotes or the line.
_VALUE_FORBIDDEN = re.compile(r'["$`\\\x00-\x1f\x7f]')


class EucalyptusConfError(ValueError):
    pass


def check_setting(key, value):
    if not isinstance(key, str) or not KEY_RE.fullmatch(key):
        raise EucalyptusConfError("%r is not a eucalyptus.conf key (upper-case letters, digits and _)" % (key,))
    if not isinstance(value, str):
        raise EucalyptusConfError("the value of %s must be a string, not %s" % (key, type(value).__name__))
    bad = _VALUE_FORBIDDEN.search(value)
    if bad:
        raise EucalyptusConfError(
            "the value of %s contains %r: quotes, '$', '`', backslashes and control characters "
            "are refused in a file the shell sources" % (key, bad.group()))


def _active_re(key):
    return re.compile(r"[ \t]*(?:export[ \t]+)?%s[ \t]*=" % re.escape(key))


def _commented_re(key):
    return re.compile(r"[ \t]*#[ \t]*%s[ \t]*=" % re.escape(key))


def render(key, value):
    return '%s="%s"' % (key, value)


def apply_settings(text, settings):
    """Return ``(new_text, changes)`` for ``settings`` (an ordered list of ``(key, value)``).

    Per key: the first active line becomes ``KEY="value"`` and any later active line of the
    key is removed; without an active line, the line goes right after the first commented-out
    one (``#KEY=...``, as the package ships them), else at the end. ``changes`` lists, per
    key, what was done: ``set`` (new line), ``updated`` (line rewritten), ``removed``
    (duplicate active lines dropped, with their count).
    """
    for key, value in settings:
        check_setting(key, value)
    lines = text.splitlines(True)
    changes = []
    for key, value in settings:
        wanted = render(key, value)
        active = [i for i, line in enumerate(lines) if _active_re(key).match(line)]
        change = {"key": key}
        if active:
            first = active[0]
            ending = _ending(lines[first])
            if lines[first].rstrip("\r\n") != wanted:
                lines[first] = wanted + (ending or "\n")
                change["updated"] = True
            if len(active) > 1:
                for i in reversed(active[1:]):
                    del lines[i]
                change["removed"] = len(active) - 1
        else:
            commented = [i for i, line in enumerate(lines) if _commented_re(key).match(line)]
            if commented:
                at = commented[0] + 1
                if not _ending(lines[commented[0]]):
                    lines[commented[0]] += "\n"
            else:
                at = len(lines)
                if lines and not _ending(lines[-1]):
                    lines[-1] += "\n"
            lines.insert(at, wanted + "\n")
            change["set"] = True
        if len(change) > 1:
            changes.append(change)
    return "".join(lines), changes


def read_settings(text, keys):
    """The value the shell would see for each of ``keys`` (its last active assignment), or None."""
    found = dict((k, None) for k in keys)
    for line in text.splitlines():
        for key in keys:
            if _active_re(key).match(line):
                raw = line.split("=", 1)[1].strip()
                if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
                    raw = raw[1:-1]
                found[key] = raw
    return found


def read_file(path, create=False):
    """``(text, created)``: the file's text, or ``("", True)`` for a missing file that ``create`` allows."""
    try:
        with open(path, "rb") as handle:
            return handle.read().decode("utf-8", "surrogateescape"), False
    except IOError as exc:
        if os.path.exists(path):
            raise EucalyptusConfError("cannot read %s: %s" % (path, exc))
    if not create:
        raise EucalyptusConfError("%s does not exist: install the Eucalyptus Node Controller (eucalyptus-nc) "
                                  "first, or set create=true" % path)
    return "", True


def write_file(module, path, text, create_mode=None):
    """Replace ``path`` by ``text`` atomically (AnsibleModule.atomic_move keeps the owner, group,
    mode and SELinux context of an existing file); a new file gets ``create_mode``."""
    directory = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(prefix=".euca_conf.", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8", "surrogateescape"))
        module.atomic_move(tmp, path, unsafe_writes=False)
        if create_mode is not None:
            os.chmod(path, create_mode)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _ending(line):
    if line.endswith("\r\n"):
        return "\r\n"
    if line.endswith("\n"):
        return "\n"
    return ""
