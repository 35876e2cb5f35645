#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: nc_credentials
short_description: Install a Node Controller's Ceph credentials in one step, then log in with them
version_added: 0.1.0
description:
  - "Puts on a Eucalyptus Node Controller what its volume attach path reads, from one user name
    and key, in this order: with O(ceph_conf_monitors), the client C(ceph.conf) (the monitors'
    C(mon addr) lines; without it the file is only read), the keyring file (what the attach script reads), the zone's
    libvirt secret (the key qemu gets through libvirt), and the C(CEPH_USER_NAME),
    C(CEPH_KEYRING_PATH) and C(CEPH_CONFIG_PATH) lines of C(eucalyptus.conf) (what the NC reads
    at each attach). The settings that name the user come last, so that when they change, the
    keyring and the secret they point at are already in place."
  - Then it logs in to the cluster with nothing but those files (the user, the keyring and
    C(ceph.conf) just configured), as the hypervisor does, and reports the cluster it reached.
  - Each part behaves as its own module does (M(eucalyptus.ceph.ceph_client_conf), M(eucalyptus.ceph.cephx_keyring),
    M(eucalyptus.ceph.libvirt_secret) with the attach script's definition,
    M(eucalyptus.ceph.euca_conf)); one module call instead of five tasks saves four round trips
    to every NC on a re-run.
  - The key is never logged, returned, shown in a diff or put on a command line.
  - A failure after a part was written says which parts were (RV(changes)) and which were not.
requirements:
  - Debian's C(python3-libvirt) and C(python3-rados) on the target host, used with the system Python.
  - A running libvirt daemon reachable at O(libvirt_uri) (or its sockets, with socket activation).
extends_documentation_fragment:
  - eucalyptus.ceph.attributes
attributes:
  check_mode:
    support: full
    details:
      - Computes every part's change without writing. The login check runs only when nothing
        would change (the files are then what a real run leaves); otherwise RV(login) says why
        it was not run.
      - Without O(key) (a user that does not exist yet), or with a keyring group that does not
        exist yet, the parts that need them are not compared and RV(not_checked) says why.
  diff_mode:
    support: full
    details: One diff per part; the keyring and the secret value only as C(<redacted>).
  idempotent:
    support: full
options:
  user:
    description: The NC's cephx id, without the C(client.) prefix (for example V(eucalyptus-nc)).
    type: str
    required: true
  key:
    description:
      - The user's cephx secret, as printed by C(ceph auth get-key). Never logged or returned.
      - Required, except in check mode for a user that does not exist yet.
    type: str
  keyring_path:
    description: Path of the keyring file. Its directory must exist.
    type: path
    required: true
  keyring_owner:
    description: Owner of the keyring (name or uid). When omitted an existing file keeps its owner.
    type: str
  keyring_group:
    description:
      - Group of the keyring (name or gid); V(kvm) lets qemu and the NC read it with mode C(0640).
      - When omitted an existing file keeps its group.
    type: str
  keyring_mode:
    description: Permissions of the keyring, an octal string such as V('0640').
    type: raw
    default: '0640'
  secret_uuid:
    description:
      - The zone's libvirt secret UUID (C(eucalyptus_storage.ceph_rbd_info.virsh_secret) on the SC).
      - Defined as the attach script defines it (usage type C(ceph), usage name the UUID, not private,
        not ephemeral), with the key as its value.
    type: str
    required: true
  libvirt_uri:
    description: libvirt connection URI.
    type: str
    default: qemu:///system
  eucalyptus_conf:
    description: The Node Controller's C(eucalyptus.conf).
    type: path
    default: /etc/eucalyptus/eucalyptus.conf
  eucalyptus_conf_create:
    description: Create O(eucalyptus_conf) (mode C(0644)) when it is missing, instead of failing.
    type: bool
    default: false
  ceph_conf:
    description:
      - The C(ceph.conf) the NC uses (C(CEPH_CONFIG_PATH)); the login check reads it.
    type: path
    default: /etc/ceph/ceph.conf
  ceph_conf_fsid:
    description:
      - With O(ceph_conf_monitors), write O(ceph_conf) first, as M(eucalyptus.ceph.ceph_client_conf) does
        (C(mon_host), and the C(mon addr) lines the attach script reads), root-owned with O(ceph_conf_mode).
        Without them the file is only read (by the login check).
      - The cluster's fsid, as M(eucalyptus.ceph.ceph_info) returns it.
    type: str
  ceph_conf_monitors:
    description: The monitors, as M(eucalyptus.ceph.ceph_info) returns them (C(name), C(v1), optional C(v2)).
    type: list
    elements: dict
  ceph_conf_settings:
    description: Extra settings of the C([client]) section of O(ceph_conf) (name and one-line value each).
    type: dict
    default: {}
  ceph_conf_mode:
    description: Permissions of O(ceph_conf) when it is written, an octal string such as V('0644') (it holds no secret).
    type: raw
    default: '0644'
  check_login:
    description: Log in with the configured files after writing them, and fail when the monitors refuse.
    type: bool
    default: true
  connect_timeout:
    description: Seconds the login check waits for the monitors.
    type: int
    default: 30
seealso:
  - module: eucalyptus.ceph.cephx_keyring
  - module: eucalyptus.ceph.libvirt_secret
  - module: eucalyptus.ceph.euca_conf
author:
  - Eucalyptus Ceph maintainers (@eucalyptus)
"""

EXAMPLES = r"""
- name: Create the NC user on the admin host, and keep its key for the next task only
  eucalyptus.ceph.cephx_user:
    name: eucalyptus-nc
    profile: nc
    volume_pools: [eucavolumes]
    snapshot_pools: [eucasnapshots]
    return_key: true
  delegate_to: "{{ groups['ceph_mons'][0] }}"
  run_once: true
  no_log: true
  register: nc_user

- name: Keyring, libvirt secret and eucalyptus.conf of the NC, then a login with them
  eucalyptus.ceph.nc_credentials:
    user: eucalyptus-nc
    key: "{{ nc_user.key }}"
    keyring_path: /etc/ceph/ceph.client.eucalyptus-nc.keyring
    keyring_owner: root
    keyring_group: kvm
    secret_uuid: 0f0e3b6a-8c5d-4e8f-9a51-0d4c1f5a7e21
  no_log: true
"""

RETURN = r"""
ceph_conf:
  description: The ceph.conf part, when O(ceph_conf_monitors) was given.
  returned: when written or compared
  type: dict
  contains:
    changed:
      description: Whether the file was (or would be) written or its attributes changed.
      type: bool
    content_changed:
      description: Whether the content was (or would be) rewritten.
      type: bool
    attributes_changed:
      description: Whether owner, group or mode were (or would be) changed.
      type: bool
    mon_addrs:
      description: The C(mon addr) lines' addresses, in the monitor map's order.
      type: list
      elements: str
  sample: {changed: false, content_changed: false, attributes_changed: false, mon_addrs: ["172.30.90.11:6789"]}
keyring:
  description: The keyring part.
  returned: unless not checked
  type: dict
  contains:
    changed:
      description: Whether the file was (or would be) written or its attributes changed.
      type: bool
    content_changed:
      description: Whether the content was (or would be) rewritten.
      type: bool
    attributes_changed:
      description: Whether owner, group or mode were (or would be) changed.
      type: bool
    owner:
      description: Owner the file has after the run.
      type: str
    group:
      description: Group the file has after the run.
      type: str
    mode:
      description: Permissions in octal.
      type: str
  sample: {changed: false, content_changed: false, attributes_changed: false, owner: root, group: kvm, mode: '0640'}
secret:
  description: The libvirt secret part.
  returned: unless not checked
  type: dict
  contains:
    changed:
      description: Whether the secret was (or would be) defined or its value set.
      type: bool
    definition_changed:
      description: Whether the definition differed (it is then undefined and defined again).
      type: bool
    value_changed:
      description: Whether the value differed.
      type: bool
    differences:
      description: The definition's fields that differed.
      type: list
      elements: str
  sample: {changed: false, definition_changed: false, value_changed: false, differences: []}
eucalyptus_conf:
  description: The eucalyptus.conf part.
  returned: always
  type: dict
  contains:
    changed:
      description: Whether the file was (or would be) changed or created.
      type: bool
    created:
      description: Whether the file was (or would be) created.
      type: bool
    changes:
      description: What was done per key that changed (see M(eucalyptus.ceph.euca_conf)).
      type: list
      elements: dict
    settings:
      description: The value the shell sees for each of the three keys after the run.
      type: dict
  sample: {changed: false, created: false, changes: [], settings: {CEPH_USER_NAME: eucalyptus-nc}}
login:
  description:
    - The login check with the configured user, keyring and ceph.conf.
    - C(checked) false with a C(reason) when it was not run.
  returned: always
  type: dict
  sample: {checked: true, fsid: 6f1b1c1e-4bb8-4c59-a0a8-0b1d1f3a9b2e, monitors: 3, in_quorum: 3}
changes:
  description: The parts this run wrote, in order (empty in check mode and when nothing changed).
  returned: always
  type: list
  elements: str
  sample: [keyring /etc/ceph/ceph.client.eucalyptus-nc.keyring, libvirt secret 0f0e3b6a-8c5d-4e8f-9a51-0d4c1f5a7e21]
not_checked:
  description: Parts check mode could not compare, and why.
  returned: when some part was not checked
  type: list
  elements: str
  sample: ["keyring and libvirt secret: no key (the user does not exist yet)"]
"""

import traceback

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.eucalyptus.ceph.plugins.module_utils import _client_conf as client_conf
from ansible_collections.eucalyptus.ceph.plugins.module_utils import _eucalyptus_conf as eucalyptus_conf
from ansible_collections.eucalyptus.ceph.plugins.module_utils import _keyring_file as keyring_file
from ansible_collections.eucalyptus.ceph.plugins.module_utils import _libvirt_secrets as libvirt_secrets
from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_client import CephClient, CephClientError
from ansible_collections.eucalyptus.ceph.plugins.module_utils._cephx_key import cephx_key_bytes, cephx_key_error
from ansible_collections.eucalyptus.ceph.plugins.module_utils._cluster_facts import get_fsid, get_monitors
from ansible_collections.eucalyptus.ceph.plugins.module_utils._names import client_id_error

PART_ERRORS = (keyring_file.KeyringFileError, libvirt_secrets.LibvirtSecretError,
               eucalyptus_conf.EucalyptusConfError, CephClientError)


class NodeCredentials:
    """The four steps of one module run; ``done`` lists what was written, for a failure's message."""

    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.check_mode = module.check_mode
        self.done = []
        self.diffs = []
        self.not_checked = []

    def settings(self):
        return [("CEPH_USER_NAME", self.params["user"]),
                ("CEPH_KEYRING_PATH", self.params["keyring_path"]),
                ("CEPH_CONFIG_PATH", self.params["ceph_conf"])]

    def ceph_conf(self, mode):
        params = self.params
        path = params["ceph_conf"]
        result = client_conf.ensure_file(path, params["ceph_conf_fsid"], params["ceph_conf_monitors"],
                                         params["ceph_conf_settings"], owner="root", group="root", mode=mode,
                                         check_mode=self.check_mode)
        if "not_checked" in result:
            self.not_checked.append("ceph.conf: %s" % result["not_checked"])
        if result["changed"] and not self.check_mode:
            self.done.append("ceph.conf %s" % path)
        self.diffs.append(result["diff"])
        return dict((k, result[k]) for k in ("changed", "content_changed", "attributes_changed", "mon_addrs"))

    def keyring(self, key, mode):
        params = self.params
        path = params["keyring_path"]
        if self.check_mode:
            # the group (kvm) may only come with the packages a check run would install
            try:
                keyring_file.resolve_group(params["keyring_group"])
            except keyring_file.KeyringFileError as exc:
                self.not_checked.append("keyring %s: %s" % (path, exc))
                return None
        content = keyring_file.render_keyring(params["user"], key)
        result = keyring_file.ensure_present(path, content, owner=params["keyring_owner"],
                                             group=params["keyring_group"], mode=mode, check_mode=self.check_mode)
        if result["changed"] and not self.check_mode:
            self.done.append("keyring %s" % path)
        self.diffs.append(result["diff"])
        return dict(changed=result["changed"], content_changed=result["content_changed"],
                    attributes_changed=result["attributes_changed"], owner=keyring_file.user_name(result["uid"]),
                    group=keyring_file.group_name(result["gid"]), mode=keyring_file.format_mode(result["mode"]))

    def secret(self, key):
        uuid = self.params["secret_uuid"].lower()
        desired = libvirt_secrets.definition(uuid)
        store = libvirt_secrets.SecretStore(self.params["libvirt_uri"])
        try:
            result = libvirt_secrets.ensure_present(store, desired, cephx_key_bytes(key), check_mode=self.check_mode)
        finally:
            store.close()
        if result["changed"] and not self.check_mode:
            self.done.append("libvirt secret %s" % uuid)
        self.diffs.append(result["diff"])
        return dict(changed=result["changed"], definition_changed=result["definition_changed"],
                    value_changed=result["value_changed"], differences=result["differences"])

    def plan_eucalyptus_conf(self):
        """Read and edit eucalyptus.conf in memory first: a missing or unreadable file, or a
        setting the file cannot take, fails before the keyring or the secret is written."""
        path = self.params["eucalyptus_conf"]
        before, created = eucalyptus_conf.read_file(path, self.params["eucalyptus_conf_create"])
        after, changes = eucalyptus_conf.apply_settings(before, self.settings())
        return dict(path=path, before=before, after=after, created=created, changes=changes,
                    changed=created or after != before)

    def eucalyptus_conf(self, plan):
        path = plan["path"]
        if plan["changed"] and not self.check_mode:
            eucalyptus_conf.write_file(self.module, path, plan["after"], 0o644 if plan["created"] else None)
            self.done.append("%s %s" % (path, ", ".join(c["key"] for c in plan["changes"]) or "created"))
        self.diffs.append(dict(before=plan["before"], after=plan["after"], before_header=path, after_header=path))
        return dict(changed=plan["changed"], created=plan["created"], changes=plan["changes"],
                    settings=eucalyptus_conf.read_settings(plan["after"], [k for k, _v in self.settings()]))

    def login(self):
        params = self.params
        client = CephClient(conf_file=params["ceph_conf"], user=params["user"], keyring=params["keyring_path"],
                            connect_timeout=params["connect_timeout"], op_timeout=max(60, params["connect_timeout"]))
        try:
            fsid = get_fsid(client)
            monitors = get_monitors(client)
        finally:
            client.close()
        return dict(checked=True, fsid=fsid, monitors=len(monitors),
                    in_quorum=len([m for m in monitors if m.get("in_quorum")]))

    def fail(self, msg, **kwargs):
        if self.done:
            msg = "%s - this run already wrote: %s" % (msg, "; ".join(self.done))
            kwargs["changed"] = True
        self.module.fail_json(msg=msg, changes=list(self.done), **kwargs)


def validate(module):
    params = module.params
    error = client_id_error(params["user"]) or libvirt_secrets.uuid_error(params["secret_uuid"])
    if not error and params["key"] is not None:
        error = cephx_key_error(params["key"])
    elif not error and not module.check_mode:
        error = "key is required (it may only be left out in check mode, for a user that does not exist yet)"
    if not error:
        for key, value in (("keyring_path", params["keyring_path"]), ("ceph_conf", params["ceph_conf"])):
            # both go into eucalyptus.conf, and into qemu's rbd:...:keyring=...:conf=... specs
            if any(c in value for c in '"$`\\:') or any(ord(c) < 32 or ord(c) == 127 for c in value):
                error = "%s %r: quotes, '$', '`', backslashes, ':' and control characters are refused" % (key, value)
                break
    if not error and (params["ceph_conf_fsid"] is None) != (params["ceph_conf_monitors"] is None):
        error = "ceph_conf_fsid and ceph_conf_monitors go together (both to write ceph.conf, neither to only read it)"
    if not error and params["ceph_conf_monitors"] is not None:
        error = client_conf.input_error(params["ceph_conf_fsid"], params["ceph_conf_monitors"],
                                        params["ceph_conf_settings"])
    if not error and params["connect_timeout"] < 1:
        error = "connect_timeout must be at least 1 second"
    if error:
        module.fail_json(msg=error)
    missing = libvirt_secrets.bindings_missing_message()
    if missing and params["key"] is not None:
        module.fail_json(msg=missing)


def run(module):
    params = module.params
    validate(module)
    try:
        mode = keyring_file.parse_mode(params["keyring_mode"])
    except keyring_file.KeyringFileError as exc:
        module.fail_json(msg="keyring_mode: %s" % exc)
    if mode & 0o007:
        module.warn("keyring_mode %s gives every user on the host access to the cephx key in %s"
                    % (keyring_file.format_mode(mode), params["keyring_path"]))

    try:
        conf_mode = keyring_file.parse_mode(params["ceph_conf_mode"])
    except keyring_file.KeyringFileError as exc:
        module.fail_json(msg="ceph_conf_mode: %s" % exc)

    steps = NodeCredentials(module)
    result = dict(changes=steps.done)
    changed = False
    step = "eucalyptus.conf"
    try:
        conf_plan = steps.plan_eucalyptus_conf()
        if params["ceph_conf_monitors"] is not None:
            # first: eucalyptus.conf's CEPH_CONFIG_PATH names it, and the login reads it
            step = "ceph.conf"
            result["ceph_conf"] = steps.ceph_conf(conf_mode)
        step = "keyring"
        if params["key"] is None:
            steps.not_checked.append("keyring and libvirt secret: no key (the user does not exist yet)")
        else:
            keyring = steps.keyring(params["key"], mode)
            if keyring is not None:
                result["keyring"] = keyring
            step = "libvirt secret"
            result["secret"] = steps.secret(params["key"])
        step = "eucalyptus.conf"
        result["eucalyptus_conf"] = steps.eucalyptus_conf(conf_plan)
        changed = any(result[part]["changed"] for part in ("ceph_conf", "keyring", "secret", "eucalyptus_conf")
                      if part in result)
        step = "login check"
        if not params["check_login"]:
            result["login"] = dict(checked=False, reason="check_login is false")
        elif module.check_mode and (changed or steps.not_checked):
            result["login"] = dict(checked=False, reason="check mode: the files would change first")
        else:
            result["login"] = steps.login()
    except PART_ERRORS as exc:
        steps.fail("%s: %s" % (step, exc))
    except Exception as exc:  # pylint: disable=broad-except
        steps.fail("%s: unexpected error (a bug of the collection: please report it with this traceback): %s: %s"
                   % (step, type(exc).__name__, exc), exception=traceback.format_exc())
    result["changed"] = changed
    if steps.not_checked:
        result["not_checked"] = steps.not_checked
    if module._diff:
        result["diff"] = steps.diffs
    return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            user=dict(type="str", required=True),
            key=dict(type="str", no_log=True),
            keyring_path=dict(type="path", required=True),
            keyring_owner=dict(type="str", no_log=False),
            keyring_group=dict(type="str", no_log=False),
            keyring_mode=dict(type="raw", default="0640", no_log=False),
            secret_uuid=dict(type="str", required=True, no_log=False),
            libvirt_uri=dict(type="str", default="qemu:///system"),
            eucalyptus_conf=dict(type="path", default="/etc/eucalyptus/eucalyptus.conf"),
            eucalyptus_conf_create=dict(type="bool", default=False),
            ceph_conf=dict(type="path", default="/etc/ceph/ceph.conf"),
            ceph_conf_fsid=dict(type="str"),
            ceph_conf_monitors=dict(type="list", elements="dict"),
            ceph_conf_settings=dict(type="dict", default={}),
            ceph_conf_mode=dict(type="raw", default="0644"),
            check_login=dict(type="bool", default=True),
            connect_timeout=dict(type="int", default=30),
        ),
        supports_check_mode=True,
    )
    module.exit_json(**run(module))


if __name__ == "__main__":
    main()
