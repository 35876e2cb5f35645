# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Keyring files for one cephx user: rendering, redaction, and safe atomic writes.

The format is what ``ceph-authtool`` and ``ceph auth get`` print, and what the Eucalyptus
Node Controller's attach script parses: the section header ``[client.NAME]`` at column 0
with nothing after ``]``, then a tab-indented ``key = <base64>`` line, then optional
``caps TYPE = "..."`` lines.

Writes never expose the key: the new content goes to a temporary file in the SAME
directory, created with ``O_CREAT|O_EXCL|O_NOFOLLOW`` and mode 0600, then ``fchown``,
``fchmod``, ``fsync``, ``rename`` over the target and ``fsync`` of the directory.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import grp
import os
import pwd
import re
import stat

REDACTED = "<redacted>"
REDACTED_CHANGED = "<redacted, changed>"

_KEY_LINE_RE = re.compile(r"^(\s*key\s*=\s*)(.*)$")
_MODE_RE = re.compile(r"0?[0-7]{3,4}")


class KeyringFileError(Exception):
    """A problem the module reports with ``fail_json``; the message never holds the key."""


# -- content ---------------------------------------------------------------------------------
def render_entity(entity, key, caps=None):
    """Keyring text for any entity (``client.sc``, ``osd.3``, ``mgr.x``), as ``ceph auth get``
    prints it: the one renderer of the collection (files, ``auth import`` input)."""
    lines = ["[%s]" % entity, "\tkey = %s" % key]
    for daemon in sorted(caps or {}):
        lines.append('\tcaps %s = "%s"' % (daemon, caps[daemon]))
    return "\n".join(lines) + "\n"


def render_keyring(name, key, caps=None):
    """The keyring text for ``client.NAME`` (``name`` without the ``client.`` prefix)."""
    return render_entity("client.%s" % name, key, caps)


def redact(text, changed=False):
    """``text`` with the value of every ``key =`` line replaced by a placeholder."""
    marker = REDACTED_CHANGED if changed else REDACTED
    out = []
    for line in text.splitlines():
        match = _KEY_LINE_RE.match(line)
        out.append(match.group(1) + marker if match else line)
    return "\n".join(out) + ("\n" if out else "")


def split_sections(text):
    """The sections of a keyring text in file order, as ``[(entity, section text)]``; each
    section's text holds its header and lines and ends with a line break. Lines before the first
    header (comments) come as one part with the entity None."""
    parts = []
    for line in text.splitlines():
        if line.startswith("[") and line.rstrip().endswith("]"):
            parts.append([line.strip()[1:-1], []])
        elif not parts:
            parts.append([None, []])
        parts[-1][1].append(line)
    return [(entity, "\n".join(lines) + "\n") for entity, lines in parts]


def attach_script_key(text, name):
    """The key of ``client.NAME`` found the way the Eucalyptus NC attach script finds it.

    It looks for a line that is exactly ``[client.NAME]`` (column 0, nothing after ``]``)
    and takes the first ``key = VALUE`` line after it, before the next section.  Returns
    None when the script would not find a key.
    """
    header = "[client.%s]" % name
    in_section = False
    for line in text.splitlines():
        if line.startswith("["):
            in_section = line == header
            continue
        if in_section:
            match = re.match(r"^\s*key\s*=\s*(\S+)\s*$", line)
            if match:
                return match.group(1)
    return None


def attach_key_any(text):
    """The first ``key =`` value of ``text`` (any section), for change detection only."""
    for line in text.splitlines():
        match = _KEY_LINE_RE.match(line)
        if match:
            return match.group(2).strip()
    return None


# -- attributes ------------------------------------------------------------------------------
def parse_mode(mode):
    """An octal permission string ('0640', '640') or an int (already the mode) -> int."""
    if isinstance(mode, bool):
        raise KeyringFileError("mode must be an octal string such as '0640', not %r" % (mode,))
    if isinstance(mode, int):
        value = mode
    elif isinstance(mode, str) and _MODE_RE.fullmatch(mode):
        value = int(mode, 8)
    else:
        raise KeyringFileError("mode must be an octal string such as '0640' (symbolic modes are not "
                               "supported), got %r" % (mode,))
    if value < 0 or value > 0o7777:
        raise KeyringFileError("mode %r is out of range (0000-7777)" % (mode,))
    return value


def format_mode(value):
    return "%04o" % value


def resolve_owner(owner):
    """The uid of a user name or numeric id; None when ``owner`` is None."""
    if owner is None:
        return None
    owner = str(owner)
    if owner.isdigit():
        return int(owner)
    try:
        return pwd.getpwnam(owner).pw_uid
    except KeyError:
        raise KeyringFileError("user %r does not exist on this host" % owner)


def resolve_group(group):
    if group is None:
        return None
    group = str(group)
    if group.isdigit():
        return int(group)
    try:
        return grp.getgrnam(group).gr_gid
    except KeyError:
        raise KeyringFileError("group %r does not exist on this host" % group)


def user_name(uid):
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def group_name(gid):
    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


# -- file state ------------------------------------------------------------------------------
def check_path(path):
    """Refuse a path whose directory is missing or that is not a regular file."""
    directory = os.path.dirname(path) or "."
    if not os.path.isdir(directory):
        raise KeyringFileError("directory %s does not exist: create it first (this module does not "
                               "create directories)" % directory)
    try:
        st = os.lstat(path)
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            return
        raise KeyringFileError("cannot inspect %s: %s" % (path, exc.strerror))
    if stat.S_ISLNK(st.st_mode):
        raise KeyringFileError("%s is a symbolic link: give the path of the real file" % path)
    if not stat.S_ISREG(st.st_mode):
        raise KeyringFileError("%s exists and is not a regular file" % path)


def read_state(path):
    """None when ``path`` does not exist, else dict(content, uid, gid, mode, inode)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            return None
        raise KeyringFileError("cannot read %s: %s" % (path, exc.strerror))
    try:
        st = os.fstat(fd)
        chunks = []
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(fd)
    return dict(content=b"".join(chunks), uid=st.st_uid, gid=st.st_gid, mode=stat.S_IMODE(st.st_mode),
                inode=st.st_ino)


def describe(path, state, content_text, key_changed=False):
    """The redacted, human-readable form of a keyring file used in diffs."""
    if state is None:
        return ""
    return ("# path: %s\n# owner: %s\n# group: %s\n# mode: %s\n%s"
            % (path, user_name(state["uid"]), group_name(state["gid"]), format_mode(state["mode"]),
               redact(content_text, changed=key_changed)))


# -- changes ---------------------------------------------------------------------------------
def _fsync_dir(directory):
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - directories are always openable by root
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some filesystems refuse fsync on directories
        pass
    finally:
        os.close(fd)


def atomic_write(path, data, uid, gid, mode):
    """Replace ``path`` by ``data`` (bytes) owned ``uid``:``gid`` with ``mode``, atomically.

    The temporary file is born 0600 (the umask can only narrow it) and gets its final
    owner and mode before the key is visible under ``path``.
    """
    directory = os.path.dirname(path) or "."
    base = os.path.basename(path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    tmp = fd = None
    for attempt in range(100):
        candidate = os.path.join(directory, ".%s.%d.%d.tmp" % (base, os.getpid(), attempt))
        try:
            fd = os.open(candidate, flags, 0o600)
        except OSError as exc:
            if exc.errno == errno.EEXIST:
                continue
            raise KeyringFileError("cannot create a temporary file in %s: %s" % (directory, exc.strerror))
        tmp = candidate
        break
    if tmp is None:
        raise KeyringFileError("cannot create a temporary file in %s: too many leftovers" % directory)
    try:
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fchown(fd, uid, gid)
            os.fchmod(fd, mode)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.rename(tmp, path)
        tmp = None
    except OSError as exc:
        raise KeyringFileError("cannot write %s: %s" % (path, exc.strerror))
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:  # pragma: no cover
                pass
    _fsync_dir(directory)


def set_attributes(path, current, uid, gid, mode):
    """Change owner/group/mode of an existing file without rewriting it.

    The mode is first narrowed to what both the old and the new mode allow, so that during
    the change the file is never readable by anyone who could read neither before nor after.
    """
    try:
        if (uid, gid) != (current["uid"], current["gid"]):
            os.chmod(path, current["mode"] & mode)
            os.chown(path, uid, gid, follow_symlinks=False)
        os.chmod(path, mode)
    except OSError as exc:
        raise KeyringFileError("cannot set owner/group/mode of %s: %s" % (path, exc.strerror))


def remove(path):
    try:
        os.unlink(path)
    except OSError as exc:
        if exc.errno != errno.ENOENT:
            raise KeyringFileError("cannot remove %s: %s" % (path, exc.strerror))
    _fsync_dir(os.path.dirname(path) or ".")


def plan_new_key(path, owner=None, group=None, mode=0o600):
    """Check mode for a keyring whose key does not exist yet (the monitors make it in the real
    run): what would be written, checked as far as it can be without the key.

    Returns ``{"path", "exists", "owner", "group", "mode", "would_write": True}``, or with
    ``unknown`` (the reason) instead of failing when the directory is missing, since an
    earlier task of the same run may create it. A bad owner, group or path still fails.
    """
    plan = {"path": path, "would_write": True, "mode": format_mode(mode)}
    try:
        check_path(path)
    except KeyringFileError as exc:
        if os.path.isdir(os.path.dirname(path) or "."):
            raise
        plan["unknown"] = str(exc)
    uid, gid = resolve_owner(owner), resolve_group(group)
    plan["owner"] = user_name(os.geteuid() if uid is None else uid)
    plan["group"] = group_name(os.getegid() if gid is None else gid)
    plan["exists"] = os.path.lexists(path)
    return plan


def ensure_present(path, content, owner=None, group=None, mode=0o640, check_mode=False):
    """Make ``path`` hold ``content`` (text) with the given attributes.

    ``owner``/``group`` of None keep those of an existing file (a new file gets the
    process's). Returns a dict: changed, content_changed, attributes_changed, uid, gid,
    mode, diff (redacted before/after).
    """
    check_path(path)
    uid = resolve_owner(owner)
    gid = resolve_group(group)
    current = read_state(path)
    data = content.encode("utf-8")
    if current is None:
        want_uid = os.geteuid() if uid is None else uid
        want_gid = os.getegid() if gid is None else gid
        content_changed, attributes_changed = True, True
    else:
        want_uid = current["uid"] if uid is None else uid
        want_gid = current["gid"] if gid is None else gid
        content_changed = current["content"] != data
        attributes_changed = (current["uid"], current["gid"], current["mode"]) != (want_uid, want_gid, mode)

    before_text = current["content"].decode("utf-8", "replace") if current else ""
    before_key = attach_key_any(before_text)
    after_key = attach_key_any(content)
    after_state = dict(uid=want_uid, gid=want_gid, mode=mode)
    diff = dict(
        before=describe(path, current, before_text),
        after=describe(path, after_state, content, key_changed=current is not None and before_key != after_key),
        before_header=path,
        after_header=path,
    )
    changed = content_changed or attributes_changed
    if changed and not check_mode:
        if content_changed:
            atomic_write(path, data, want_uid, want_gid, mode)
        else:
            set_attributes(path, current, want_uid, want_gid, mode)
    return dict(changed=changed, content_changed=content_changed, attributes_changed=attributes_changed,
                uid=want_uid, gid=want_gid, mode=mode, diff=diff)


def remove_sections(path, entities, check_mode=False):
    """Remove the sections of ``entities`` (``client.NAME``) from the keyring at ``path``,
    atomically, keeping its other sections, owner, group and mode; the file itself goes when no
    section is left. Returns dict(changed, removed (the entities found), file_removed, diff)."""
    directory = os.path.dirname(path) or "."
    unchanged = dict(changed=False, removed=[], file_removed=False, diff=dict(before="", after=""))
    if not os.path.isdir(directory):
        return unchanged
    check_path(path)
    current = read_state(path)
    if current is None:
        return unchanged
    text = current["content"].decode("utf-8", "replace")
    parts = split_sections(text)
    removed = [entity for entity, _section in parts if entity in entities]
    if not removed:
        return dict(unchanged, diff=dict(before=describe(path, current, text), after=describe(path, current, text)))
    left = [(entity, section) for entity, section in parts if entity not in entities]
    remove_file = not any(entity for entity, _section in left)
    after_text = "".join(section for _entity, section in left)
    diff = dict(before=describe(path, current, text), after="" if remove_file else describe(path, current, after_text),
                before_header=path, after_header=path)
    if not check_mode:
        if remove_file:
            remove(path)
        else:
            atomic_write(path, after_text.encode("utf-8"), current["uid"], current["gid"], current["mode"])
    return dict(changed=True, removed=removed, file_removed=remove_file, diff=diff)


def ensure_absent(path, check_mode=False):
    directory = os.path.dirname(path) or "."
    if not os.path.isdir(directory):
        return dict(changed=False, diff=dict(before="", after=""))
    check_path(path)
    current = read_state(path)
    if current is None:
        return dict(changed=False, diff=dict(before="", after=""))
    before_text = current["content"].decode("utf-8", "replace")
    diff = dict(before=describe(path, current, before_text), after="", before_header=path, after_header=path)
    if not check_mode:
        remove(path)
    return dict(changed=True, diff=diff)
