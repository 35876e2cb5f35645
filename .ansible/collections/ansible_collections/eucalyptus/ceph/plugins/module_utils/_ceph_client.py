# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one Ceph client layer of the collection.

Every module talks to Ceph through :class:`CephClient`: one librados connection per
module run, monitor commands sent as JSON through ``mon_command`` (never the ``ceph``
CLI), RBD through librbd.  Arguments of every monitor command are checked twice before
they are sent, because the monitor trusts the client to send the types the ``ceph`` CLI
would (a string where an integer is expected crashed ceph-mon 16.2.15 in our lab):
against :data:`MON_COMMANDS`, what this collection means to send, and against the
connected release's own description of the command (``get_command_descriptions``, read
once per connection), which is what that release accepts.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import json
import traceback
from contextlib import contextmanager

from ansible_collections.eucalyptus.ceph.plugins.module_utils._command_descriptions import (
    CommandDescriptions,
    CommandRefused,
)

RADOS_IMPORT_ERROR = None
RBD_IMPORT_ERROR = None
try:
    import rados
except ImportError:
    rados = None
    RADOS_IMPORT_ERROR = traceback.format_exc()
try:
    import rbd
except ImportError:
    rbd = None
    RBD_IMPORT_ERROR = traceback.format_exc()

RADOS_PACKAGE = "python3-rados"
RBD_PACKAGE = "python3-rbd"


class CephClientError(Exception):
    """A Ceph call failed; ``errno`` is positive (``errno.EPERM``, ``errno.ENOENT``...)."""

    def __init__(self, message, err=None):
        super(CephClientError, self).__init__(message)
        self.errno = abs(err) if err else None


class CephArgumentError(CephClientError):
    """A monitor command was refused locally: unknown command or wrong argument type."""


# Argument types of the monitor commands this collection sends.  Values are either a
# Python type, a tuple of allowed string choices, or ``[str]`` for a list of strings.
# Every command also accepts ``format``.  This is the collection's own contract (checked
# without a cluster); the connected release's descriptions are checked as well
# (CephClient.command_descriptions), and tests/unit checks this table against the
# descriptions of every release we claim (tests/unit/fixtures/command_descriptions).
_FMT = {"format": ("json", "json-pretty", "plain")}
MON_COMMANDS = {
    "status": {},
    "health": {"detail": ("detail",)},
    "fsid": {},
    "mon dump": {},
    "df": {"detail": ("detail",)},
    "osd dump": {},
    "osd tree": {},
    "osd df": {},
    "osd stat": {},
    "osd pool ls": {"detail": ("detail",)},
    "osd pool get": {"pool": str, "var": str},
    "osd pool create": {
        "pool": str,
        "pg_num": int,
        "pgp_num": int,
        "pool_type": ("replicated",),
        "autoscale_mode": ("on", "off", "warn"),
        "size": int,
    },
    "osd pool set": {"pool": str, "var": str, "val": str, "yes_i_really_mean_it": bool},
    "osd pool rm": {"pool": str, "pool2": str, "yes_i_really_really_mean_it": bool},
    "osd pool application enable": {"pool": str, "app": str, "yes_i_really_mean_it": bool},
    "osd pool application get": {"pool": str},
    "osd last-stat-seq": {"id": int},
    # Pacific: "osd new name=uuid,type=CephUUID name=id,type=CephOsdName,req=false"; the CLI
    # turns CephOsdName into an integer. Secrets travel in the JSON inbuf, never here.
    "osd new": {"uuid": str, "id": int},
    "osd set": {"key": str},
    "osd unset": {"key": str},
    "osd crush reweight": {"name": str, "weight": float},
    "osd out": {"ids": [str]},
    "osd in": {"ids": [str]},
    "osd safe-to-destroy": {"ids": [str]},
    "osd ok-to-stop": {"ids": [str]},
    # Pacific: served by the mgr (CephClient.mgr_command); "id" is a CephOsdName -> integer.
    "osd purge": {"id": int, "yes_i_really_mean_it": bool},
    # Pacific: "osd crush rule create-replicated name=name,type=CephString name=root,type=CephString
    # name=type,type=CephString name=class,type=CephString,req=false" (all strings).
    "osd crush rule create-replicated": {"name": str, "root": str, "type": str, "class": str},
    "osd crush rule dump": {"name": str},
    "osd crush rule rm": {"name": str},
    # Pacific: "osd crush remove name=name,type=CephString name=ancestor,type=CephString,req=false".
    "osd crush remove": {"name": str, "ancestor": str},
    "pg stat": {},
    "config get": {"who": str, "key": str},
    "config set": {"who": str, "name": str, "value": str, "force": bool},
    "config rm": {"who": str, "name": str},
    # the value goes in the input buffer (set) and comes back as the output (get), never in
    # the JSON of the command
    "config-key get": {"key": str},
    "config-key set": {"key": str},
    "config-key rm": {"key": str},
    "config dump": {},
    # served by the manager (CephClient.mgr_command): a daemon's running configuration
    "config show": {"who": str, "key": str},
    "auth get": {"entity": str},
    "auth get-key": {"entity": str},
    "auth add": {"entity": str, "caps": [str]},
    "auth get-or-create": {"entity": str, "caps": [str]},
    "auth caps": {"entity": str, "caps": [str]},
    "auth del": {"entity": str},
    "auth import": {},
    "auth ls": {},
    "auth export": {"entity": str},
    # pending keys (Reef 18.2 and later): both keys log in until the pending one is first used
    "auth get-or-create-pending": {"entity": str},
    "auth commit-pending": {"entity": str},
    "auth clear-pending": {"entity": str},
}
# Commands only some releases offer: the first release that has them. A caller checks
# ``prefix in client.command_descriptions()`` and says what the release lacks; tests/unit checks
# that the releases before do not offer them and the later ones do.
MON_COMMANDS_SINCE = {
    "auth get-or-create-pending": "reef",
    "auth commit-pending": "reef",
    "auth clear-pending": "reef",
}
# What a command must carry besides ``prefix``.
MON_REQUIRED = {
    "osd pool get": ("pool", "var"),
    "osd pool create": ("pool",),
    "osd pool set": ("pool", "var", "val"),
    "osd pool rm": ("pool",),
    "osd pool application enable": ("pool", "app"),
    "osd pool application get": ("pool",),
    "osd last-stat-seq": ("id",),
    "osd new": ("uuid",),
    "osd set": ("key",),
    "osd unset": ("key",),
    "osd crush reweight": ("name", "weight"),
    "osd out": ("ids",),
    "osd in": ("ids",),
    "osd safe-to-destroy": ("ids",),
    "osd ok-to-stop": ("ids",),
    "osd purge": ("id",),
    "osd crush rule create-replicated": ("name", "root", "type"),
    "osd crush rule rm": ("name",),
    "osd crush remove": ("name",),
    "config get": ("who", "key"),
    "config set": ("who", "name", "value"),
    "config rm": ("who", "name"),
    "config-key get": ("key",),
    "config-key set": ("key",),
    "config-key rm": ("key",),
    "config show": ("who", "key"),
    "auth get": ("entity",),
    "auth get-key": ("entity",),
    "auth add": ("entity",),
    "auth get-or-create": ("entity",),
    "auth caps": ("entity", "caps"),
    "auth del": ("entity",),
    "auth export": ("entity",),
    "auth get-or-create-pending": ("entity",),
    "auth commit-pending": ("entity",),
    "auth clear-pending": ("entity",),
}


# Commands one named monitor answers itself (``ceph tell mon.NAME ...``): its admin commands,
# which the monitors' command descriptions do not list, so only this table checks them.
MON_TELL_COMMANDS = ("sessions",)


def _type_name(spec):
    if isinstance(spec, tuple):
        return "one of %s" % ", ".join(spec)
    if isinstance(spec, list):
        return "a list of strings"
    return {int: "an integer", float: "a number", bool: "a boolean", str: "a string"}[spec]


def _matches(value, spec):
    if isinstance(spec, tuple):
        return isinstance(value, str) and value in spec
    if isinstance(spec, list):
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if spec is int:
        # bool is an int subclass in Python; the monitor wants a real integer.
        return isinstance(value, int) and not isinstance(value, bool)
    if spec is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, spec)


def build_mon_command(prefix, **args):
    """Return the JSON text of a monitor command after checking every argument's type."""
    if prefix not in MON_COMMANDS:
        raise CephArgumentError("monitor command %r is not one this collection knows how to send" % prefix)
    signature = dict(_FMT)
    signature.update(MON_COMMANDS[prefix])
    for name in MON_REQUIRED.get(prefix, ()):
        if args.get(name) is None:
            raise CephArgumentError("monitor command %r needs argument %r" % (prefix, name))
    command = {"prefix": prefix}
    for name, value in args.items():
        if value is None:
            continue
        if name not in signature:
            raise CephArgumentError("monitor command %r has no argument %r" % (prefix, name))
        if not _matches(value, signature[name]):
            raise CephArgumentError(
                "monitor command %r: argument %r must be %s, got %r"
                % (prefix, name, _type_name(signature[name]), value)
            )
        command[name] = float(value) if signature[name] is float else value
    return json.dumps(command, sort_keys=True)


def bindings_missing_message():
    """None when librados (and librbd) import, else a message naming the packages."""
    missing = []
    if rados is None:
        missing.append(RADOS_PACKAGE)
    if rbd is None:
        missing.append(RBD_PACKAGE)
    if not missing:
        return None
    return (
        "The Ceph Python bindings are missing on this host (%s). Install the Debian package(s) %s "
        "and run the module with the system Python (ansible_python_interpreter=/usr/bin/python3): "
        "they are not published on PyPI." % (", ".join(m.split("-", 1)[1] for m in missing), " ".join(missing))
    )


class CephClient:
    """One librados connection, opened lazily and closed by :meth:`close`.

    ``user`` is the cephx id without the ``client.`` prefix.  ``keyring`` is a path;
    when omitted, librados finds the keyring through ``conf_file`` as the CLI does.
    Secrets are never passed as options: only the path of a keyring file.
    """

    def __init__(self, conf_file="/etc/ceph/ceph.conf", user="admin", keyring=None, connect_timeout=30,
                 op_timeout=60, osd_op_timeout=None):
        self.conf_file = conf_file
        self.user = user
        self.keyring = keyring
        self.connect_timeout = int(connect_timeout)
        self.op_timeout = int(op_timeout)
        # None: the same as op_timeout; 0: no limit (librados' own default), for long librbd work
        self.osd_op_timeout = self.op_timeout if osd_op_timeout is None else int(osd_op_timeout)
        self._cluster = None
        self._ioctxs = {}
        self._descriptions = {}

    # -- connection -------------------------------------------------------------------
    def connect(self):
        if self._cluster is not None:
            return self._cluster
        message = bindings_missing_message() if rados is None else None
        if message:
            raise CephClientError(message)
        # Timeouts turn an unreachable or stuck cluster into an error instead of a hang:
        # librados waits 300 s for the monitors and forever for OSDs by default.
        options = {
            "client_mount_timeout": str(self.connect_timeout),
            "rados_mon_op_timeout": str(self.op_timeout),
        }
        if self.osd_op_timeout:
            options["rados_osd_op_timeout"] = str(self.osd_op_timeout)
        if self.keyring:
            options["keyring"] = self.keyring
        try:
            cluster = rados.Rados(conffile=self.conf_file, rados_id=self.user, conf=options)
        except rados.Error as exc:
            raise CephClientError("cannot read Ceph configuration %s: %s" % (self.conf_file, exc), getattr(exc, "errno", None))
        try:
            cluster.connect(timeout=self.connect_timeout)
        except rados.Error as exc:
            # the operator must see which monitors did not answer (all of them, or a wrong list)
            try:
                tried = cluster.conf_get("mon_host") or "none configured"
            except Exception:  # pragma: no cover - the message then goes without them
                tried = "unknown"
            try:
                cluster.shutdown()
            except Exception:  # pragma: no cover - best effort after a failed connect
                pass
            raise CephClientError(
                "cannot connect to the Ceph cluster of %s as client.%s within %d s (monitors tried: %s): %s"
                % (self.conf_file, self.user, self.connect_timeout, tried, _describe(exc)),
                getattr(exc, "errno", None),
            )
        self._cluster = cluster
        return cluster

    def close(self):
        for ioctx in self._ioctxs.values():
            try:
                ioctx.close()
            except Exception:  # pragma: no cover
                pass
        self._ioctxs = {}
        if self._cluster is not None:
            try:
                self._cluster.shutdown()
            finally:
                self._cluster = None
                self._descriptions = {}

    def __enter__(self):
        self.connect()
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    # -- monitor commands ---------------------------------------------------------------
    def command_descriptions(self, target="mon"):
        """The commands the connected monitors (``mon``) or managers (``mgr``) accept."""
        if target not in self._descriptions:
            cluster = self.connect()
            send = cluster.mon_command if target == "mon" else cluster.mgr_command
            source = "monitors" if target == "mon" else "managers"
            ret, outbuf, outs = send(json.dumps({"prefix": "get_command_descriptions"}), b"",
                                     timeout=self.op_timeout)
            if ret != 0:
                raise CephClientError("cannot read the command descriptions of the %s: %s"
                                      % (source, (outs or errno.errorcode.get(-ret, str(ret))).strip()), ret)
            try:
                raw = json.loads(outbuf.decode("utf-8"))
            except ValueError:
                raise CephClientError("the %s sent command descriptions that are not JSON" % source)
            self._descriptions[target] = CommandDescriptions(raw, source)
        return self._descriptions[target]

    def _checked(self, target, prefix, args):
        """The JSON payload, after both checks (local table, then the connected release)."""
        payload = build_mon_command(prefix, **args)
        try:
            self.command_descriptions(target).check(json.loads(payload))
        except CommandRefused as exc:
            raise CephArgumentError(str(exc))
        return payload

    def mon_command(self, prefix, inbuf=b"", **args):
        """Send a monitor command; JSON output is decoded, plain output returned as text.

        Raises :class:`CephClientError` with the monitor's message on a non-zero return.
        """
        # Every monitor command takes the generic ``format`` argument; JSON everywhere keeps
        # parsing in one place (``auth get`` then returns entries, not keyring text).
        args.setdefault("format", "json")
        payload = self._checked("mon", prefix, args)
        ret, outbuf, outs = self.connect().mon_command(payload, inbuf, timeout=self.op_timeout)
        if ret != 0:
            raise CephClientError("%s: %s" % (prefix, (outs or errno.errorcode.get(-ret, str(ret))).strip()), ret)
        if args.get("format") == "json":
            text = outbuf.decode("utf-8") if outbuf else ""
            return json.loads(text) if text.strip() else None
        return outbuf.decode("utf-8") if outbuf else (outs or "")

    def mgr_command(self, prefix, inbuf=b"", **args):
        """Like :meth:`mon_command`, for the commands Pacific serves from the manager.

        ``osd purge`` is one: the ``ceph`` CLI sends it to the mgr (which checks safe-to-destroy
        and forwards ``osd purge-actual``); sent to a monitor it fails with EINVAL. Same
        argument table and type checks as monitor commands.
        """
        args.setdefault("format", "json")
        payload = self._checked("mgr", prefix, args)
        ret, outbuf, outs = self.connect().mgr_command(payload, inbuf, timeout=self.op_timeout)
        if ret != 0:
            raise CephClientError("%s: %s" % (prefix, (outs or errno.errorcode.get(-ret, str(ret))).strip()), ret)
        text = outbuf.decode("utf-8") if outbuf else ""
        if args.get("format") == "json" and text.strip():
            return json.loads(text)
        return text or (outs or "")

    def mon_tell(self, mon, prefix):
        """JSON answer of one named monitor to one of MON_TELL_COMMANDS (e.g. its ``sessions``:
        every client is connected to one monitor only, so a caller asks each of them)."""
        if prefix not in MON_TELL_COMMANDS:
            raise CephArgumentError("monitor tell command %r is not one this collection knows how to send" % prefix)
        if not isinstance(mon, str) or not mon:
            raise CephArgumentError("monitor name must be a non-empty string, got %r" % (mon,))
        payload = json.dumps({"prefix": prefix, "format": "json"})
        ret, outbuf, outs = self.connect().mon_command(payload, b"", timeout=self.op_timeout, target=mon)
        if ret != 0:
            raise CephClientError("mon.%s %s: %s" % (mon, prefix, (outs or errno.errorcode.get(-ret, str(ret))).strip()),
                                  ret)
        text = outbuf.decode("utf-8") if outbuf else ""
        return json.loads(text) if text.strip() else None

    def osd_command(self, osd_id, prefix, **args):
        if not isinstance(osd_id, int) or isinstance(osd_id, bool):
            raise CephArgumentError("osd id must be an integer, got %r" % (osd_id,))
        command = dict(args, prefix=prefix)
        ret, outbuf, outs = self.connect().osd_command(osd_id, json.dumps(command), b"", timeout=self.op_timeout)
        if ret != 0:
            raise CephClientError("osd.%d %s: %s" % (osd_id, prefix, outs.strip()), ret)
        return outbuf.decode("utf-8") if outbuf else ""

    # -- pools and images ------------------------------------------------------------------
    def pool_exists(self, pool):
        return self.connect().pool_exists(pool)

    def ioctx(self, pool):
        """An I/O context for ``pool``, cached for the life of the connection."""
        if pool not in self._ioctxs:
            try:
                self._ioctxs[pool] = self.connect().open_ioctx(pool)
            except rados.ObjectNotFound:
                raise CephClientError("pool %s does not exist" % pool, errno.ENOENT)
            except rados.Error as exc:
                raise CephClientError("cannot open pool %s: %s" % (pool, _describe(exc)), getattr(exc, "errno", None))
        return self._ioctxs[pool]

    def forget_ioctx(self, pool):
        ioctx = self._ioctxs.pop(pool, None)
        if ioctx is not None:
            ioctx.close()

    def rbd(self):
        if rbd is None:
            raise CephClientError(bindings_missing_message())
        return rbd.RBD()


# -- librbd errors: the one wrapper of the collection -------------------------------------
_ERRNO_BY_CLASS = (
    ("PermissionError", errno.EPERM),
    ("ImageNotFound", errno.ENOENT),
    ("ObjectNotFound", errno.ENOENT),
    ("ImageExists", errno.EEXIST),
    ("ObjectExists", errno.EEXIST),
    ("ImageBusy", errno.EBUSY),
    ("ImageHasSnapshots", errno.ENOTEMPTY),
    ("InvalidArgument", errno.EINVAL),
    ("ReadOnlyImage", errno.EROFS),
    ("NoSpace", errno.ENOSPC),
    ("DiskQuotaExceeded", errno.EDQUOT),
    ("Timeout", errno.ETIMEDOUT),
    ("FunctionNotSupported", errno.ENOSYS),
    ("OperationNotSupported", errno.EOPNOTSUPP),
    ("ArgumentOutOfRange", errno.EDOM),
    ("IOError", errno.EIO),
)


def rbd_errno(exc):
    """The positive errno of a librbd exception (some carry none: use the class)."""
    value = getattr(exc, "errno", None)
    if isinstance(value, int) and value:
        return abs(value)
    for cls in type(exc).__mro__:
        for name, err in _ERRNO_BY_CLASS:
            if cls.__name__ == name:
                return err
    return None


@contextmanager
def rbd_errors(what):
    """Turn librbd exceptions raised in the block into CephClientError('<what>: ...', errno)."""
    try:
        yield
    except CephClientError:
        raise
    except Exception as exc:  # rbd.Error and its subclasses; rbd may be None in unit tests
        if rbd is not None and not isinstance(exc, rbd.Error):
            raise
        err = rbd_errno(exc)
        name = errno.errorcode.get(err, "") if err else ""
        raise CephClientError("%s: %s%s" % (what, exc, " (%s)" % name if name else ""), err)


def _describe(exc):
    """rados errors print as '[errno 110] RADOS timed out (error connecting to the cluster)'."""
    text = str(exc)
    return text or exc.__class__.__name__
