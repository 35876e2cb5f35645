# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ansible glue shared by every module that talks to Ceph.

``CephModule`` composes the common connection options with a module's own argument
spec, opens ONE :class:`CephClient` for the run, and is the one place where errors become
``fail_json``: client errors, librados/librbd errors that escaped a wrapper, and unexpected
exceptions (with their traceback), after what the run already changed. The connection is
closed on every exit path.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_client import (
    RADOS_IMPORT_ERROR,
    RBD_IMPORT_ERROR,
    CephClient,
    CephClientError,
    bindings_missing_message,
    rados,
    rbd,
    rbd_errno,
)


def osd_op_timeout_argument_spec(default):
    """The ``osd_op_timeout`` option of modules whose librbd work can take long (flatten, remove)."""
    return dict(osd_op_timeout=dict(type="int", default=default))


def ceph_connection_argument_spec():
    """Options documented by the ``eucalyptus.ceph.cluster`` doc fragment."""
    return dict(
        cluster_conf=dict(type="path", default="/etc/ceph/ceph.conf"),
        cluster_user=dict(type="str", default="admin"),
        cluster_keyring=dict(type="path"),
        connect_timeout=dict(type="int", default=30),
    )


class CephModule:
    """An AnsibleModule plus the one Ceph connection of this module run."""

    def __init__(self, argument_spec, need_rbd=False, **kwargs):
        spec = ceph_connection_argument_spec()
        spec.update(argument_spec)
        kwargs.setdefault("supports_check_mode", True)
        self.module = AnsibleModule(argument_spec=spec, **kwargs)
        self.params = self.module.params
        self.check_mode = self.module.check_mode
        # changes this run made, in order (see did()): a failure after one reports them
        self.steps = []
        missing = bindings_missing_message()
        if missing and (need_rbd or rados is None):
            lib = "rados" if rados is None else "rbd"
            self.module.fail_json(msg="%s %s" % (missing_required_lib(lib), missing),
                                  exception=RADOS_IMPORT_ERROR if rados is None else RBD_IMPORT_ERROR)
        if self.params["connect_timeout"] < 1:
            self.module.fail_json(msg="connect_timeout must be at least 1 second")
        user = self.params["cluster_user"]
        if user.startswith("client."):
            user = user[len("client."):]
        osd_op_timeout = self.params.get("osd_op_timeout")
        if osd_op_timeout is not None and osd_op_timeout < 0:
            self.module.fail_json(msg="osd_op_timeout must be 0 (no limit) or a number of seconds")
        self.client = CephClient(
            conf_file=self.params["cluster_conf"],
            user=user,
            keyring=self.params["cluster_keyring"],
            connect_timeout=self.params["connect_timeout"],
            op_timeout=max(60, self.params["connect_timeout"]),
            osd_op_timeout=osd_op_timeout,
        )

    def did(self, label):
        """Record a change the run has made (after the command succeeded)."""
        self.steps.append(label)

    def fail(self, msg, not_done=None, **kwargs):
        """Fail. After changes recorded with did(), say which (and, given ``not_done``, which
        planned ones were not made), with changed=true and ``changes``: a failed run either
        changed nothing or says exactly what it changed. Read what the run left (for the
        result) before calling this: the connection is closed here."""
        self.client.close()
        if self.steps and "changed" not in kwargs:
            msg = "%s - this run already did: %s" % (msg, "; ".join(self.steps))
            if not_done is not None:
                msg += "; not done: %s" % ("; ".join(not_done) or "-")
                kwargs.setdefault("not_done", list(not_done))
            kwargs.update(changed=True)
        kwargs.setdefault("changes", list(self.steps))
        self.module.fail_json(msg=msg, **kwargs)

    def exit(self, **kwargs):
        self.client.close()
        self.module.exit_json(**kwargs)

    def run(self, action):
        """Call ``action(self)``, which returns the exit_json keyword arguments."""
        try:
            result = action(self)
        except CephClientError as exc:
            kwargs = {"errno": exc.errno} if exc.errno else {}
            self.fail(str(exc), **kwargs)
        except Exception as exc:  # pylint: disable=broad-except
            msg, kwargs = _unexpected(exc)
            self.fail(msg, **kwargs)
        self.exit(**result)


def _library_error(exc):
    """'librados'/'librbd' when ``exc`` comes from that binding, else None."""
    if rados is not None and isinstance(exc, rados.Error):
        return "librados"
    if rbd is not None and isinstance(exc, rbd.Error):
        return "librbd"
    return None


def _unexpected(exc):
    """(msg, kwargs) of CephModule.fail for an exception no wrapper turned into a CephClientError."""
    library = _library_error(exc)
    if library:
        err = getattr(exc, "errno", None) if library == "librados" else rbd_errno(exc)
        kwargs = {"errno": abs(err)} if isinstance(err, int) and err else {}
        return "%s error: %s" % (library, str(exc) or type(exc).__name__), kwargs
    return ("unexpected error (a bug of the collection: please report it with this traceback): %s: %s"
            % (type(exc).__name__, exc)), {"exception": traceback.format_exc()}
