#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: libvirt_secret
short_description: Define the libvirt secret that holds a cephx key on a hypervisor
version_added: 0.1.0
description:
  - Defines (or removes) a libvirt secret of usage type C(ceph) and sets its value to a cephx key,
    through the libvirt API (python3-libvirt). The key is sent over libvirt's socket; no command
    is run and the key never appears on a command line.
  - "By default the secret is defined exactly as the Eucalyptus Node Controller's attach script
    defines it: C(<secret ephemeral='no' private='no'>) with the usage name equal to the UUID.
    With the right value registered in advance, the script only reads and compares it, and never
    runs C(virsh secret-set-value) with the key in its arguments."
  - Idempotent on the definition (UUID, usage type and name, description, private, ephemeral)
    and on the value. A definition that differs is undefined and defined again (as the attach
    script does), and its value set again.
requirements:
  - Debian's C(python3-libvirt) on the target host, used with the system Python.
  - A running libvirt daemon reachable at O(uri).
extends_documentation_fragment:
  - eucalyptus.ceph.attributes
attributes:
  check_mode:
    support: full
    details: Reports what would change without changing the secret.
  diff_mode:
    support: full
    details: Shows the secret definition XML before and after; the value is only shown as C(<redacted>).
  idempotent:
    support: full
options:
  uuid:
    description:
      - UUID of the secret. For Eucalyptus, the zone's secret UUID (kept by the Storage Controller in
        C(eucalyptus_storage.ceph_rbd_info.virsh_secret)); every Node Controller of the zone needs it.
      - Compared and stored in lower case.
    type: str
    required: true
  usage_name:
    description:
      - Name of the C(ceph) usage of the secret.
      - Defaults to the UUID itself, as the Eucalyptus attach script defines it.
      - Must not be the usage name of another secret.
    type: str
  description:
    description: Free text description of the secret. When omitted, the secret has none.
    type: str
  private:
    description:
      - Whether libvirt refuses to give the value back to clients.
      - Keep V(false) for Eucalyptus; its attach script reads the value with C(virsh secret-get-value)
        and, when it cannot, defines the secret again with the key on a command line.
      - The value of a private secret cannot be compared, so it is set again on every run and
        reported changed.
    type: bool
    default: false
  ephemeral:
    description:
      - Whether libvirt keeps the secret only in memory (it is lost when libvirtd restarts).
    type: bool
    default: false
  value:
    description:
      - The cephx key, as printed by C(ceph auth get-key) (40 base64 characters). libvirt stores
        the decoded bytes; C(virsh secret-get-value) prints them as this same base64 text.
      - Required with O(state=present). Never logged or returned.
    type: str
  uri:
    description: libvirt connection URI.
    type: str
    default: qemu:///system
  state:
    description:
      - V(present) defines the secret and sets its value; V(absent) undefines it.
    type: str
    choices: [present, absent]
    default: present
notes:
  - Secrets that are not ephemeral are stored by libvirt under C(/etc/libvirt/secrets) on the host.
seealso:
  - module: eucalyptus.ceph.cephx_keyring
author:
  - Eucalyptus Ceph maintainers (@eucalyptus)
"""

EXAMPLES = r"""
- name: Register the zone's Ceph secret on a Node Controller, as the attach script expects it
  eucalyptus.ceph.libvirt_secret:
    uuid: "{{ eucalyptus_ceph_secret_uuid }}"
    value: "{{ nc_user.key }}"    # registered from eucalyptus.ceph.cephx_user with return_key=true

- name: A described secret with its own usage name
  eucalyptus.ceph.libvirt_secret:
    uuid: 3f1f2c34-6a4b-4cde-9f01-23456789abcd
    usage_name: client.eucalyptus-nc secret
    description: cephx key of client.eucalyptus-nc
    value: "{{ nc_key }}"

- name: Remove it
  eucalyptus.ceph.libvirt_secret:
    uuid: 3f1f2c34-6a4b-4cde-9f01-23456789abcd
    state: absent
"""

RETURN = r"""
uuid:
  description: UUID of the secret (lower case).
  returned: always
  type: str
  sample: 3f1f2c34-6a4b-4cde-9f01-23456789abcd
state:
  description: Whether the secret is (or, in check mode, would be) defined after the run.
  returned: always
  type: str
  sample: present
definition:
  description: The secret's definition after the run (before it, for a removal). Never holds the value.
  returned: when the secret exists or is being defined
  type: dict
  sample:
    uuid: 3f1f2c34-6a4b-4cde-9f01-23456789abcd
    usage_type: ceph
    usage_name: 3f1f2c34-6a4b-4cde-9f01-23456789abcd
    description: null
    private: false
    ephemeral: false
definition_changed:
  description: Whether the secret was (or would be) defined or defined again.
  returned: when state is present
  type: bool
  sample: false
value_changed:
  description:
    - Whether the value was (or would be) set. Always true for a private secret, whose value cannot be read back.
  returned: when state is present
  type: bool
  sample: true
differences:
  description: Definition fields that differed from the wanted ones (empty when the secret was created or matched).
  returned: when state is present
  type: list
  elements: str
  sample: [private]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.eucalyptus.ceph.plugins.module_utils import _libvirt_secrets as libvirt_secrets
from ansible_collections.eucalyptus.ceph.plugins.module_utils._cephx_key import cephx_key_bytes, cephx_key_error


def run(module, store):
    params = module.params
    uuid = params["uuid"].lower()
    if params["state"] == "absent":
        result = libvirt_secrets.ensure_absent(store, uuid, check_mode=module.check_mode)
        out = dict(changed=result["changed"], uuid=uuid, state="absent", diff=result["diff"])
        if result.get("definition"):
            out["definition"] = result["definition"]
        return out

    desired = libvirt_secrets.definition(uuid, params["usage_name"], params["description"], params["private"],
                                         params["ephemeral"])
    result = libvirt_secrets.ensure_present(store, desired, cephx_key_bytes(params["value"]),
                                            check_mode=module.check_mode)
    if not result["value_readable"]:
        module.warn("secret %s is private: its value cannot be read back, so it was set again" % uuid
                    if not module.check_mode else
                    "secret %s is private: its value cannot be read back and would be set again" % uuid)
    return dict(
        changed=result["changed"],
        uuid=uuid,
        state="present",
        definition=desired,
        definition_changed=result["definition_changed"],
        value_changed=result["value_changed"],
        differences=result["differences"],
        diff=result["diff"],
    )


def main():
    module = AnsibleModule(
        argument_spec=dict(
            uuid=dict(type="str", required=True),
            usage_name=dict(type="str"),
            description=dict(type="str"),
            private=dict(type="bool", default=False),
            ephemeral=dict(type="bool", default=False),
            value=dict(type="str", no_log=True),
            uri=dict(type="str", default="qemu:///system"),
            state=dict(type="str", default="present", choices=["present", "absent"]),
        ),
        required_if=[("state", "present", ("value",))],
        supports_check_mode=True,
    )
    params = module.params
    error = libvirt_secrets.uuid_error(params["uuid"])
    if not error and params["state"] == "present":
        error = cephx_key_error(params["value"])
        error = "value: %s" % error if error else None
        if not error and params["usage_name"] is not None:
            error = libvirt_secrets.usage_name_error(params["usage_name"])
    if error:
        module.fail_json(msg=error)
    missing = libvirt_secrets.bindings_missing_message()
    if missing:
        module.fail_json(msg=missing)

    store = None
    try:
        store = libvirt_secrets.SecretStore(params["uri"])
        result = run(module, store)
    except libvirt_secrets.LibvirtSecretError as exc:
        if store is not None:
            store.close()
        module.fail_json(msg=str(exc), uuid=params["uuid"])
    store.close()
    module.exit_json(**result)


if __name__ == "__main__":
    main()
