#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: libvirt_rbd_disk_info
short_description: The RBD disks of a hypervisor's guests and the cephx users they were attached with
version_added: 0.1.0
description:
  - Reads every domain libvirt knows (running and defined ones) through the libvirt Python
    binding and returns its network disks of protocol C(rbd) - the image, the C(<auth username>)
    and the secret UUID.
  - A running qemu keeps the user and key its volume was attached with, and a reboot or a live
    migration of the guest reuses that definition. So a cephx user named here is in use on this
    host, whatever the NC's configuration says now (M(eucalyptus.ceph.cephx_user_generations)
    keeps such users).
  - Needs the libvirt Python binding (Debian package C(python3-libvirt)) for the interpreter.
extends_documentation_fragment:
  - eucalyptus.ceph.attributes
attributes:
  check_mode:
    support: full
    details: Read-only; check mode runs the same reads.
  diff_mode:
    support: none
  idempotent:
    support: full
    details: Never changes anything.
options:
  uri:
    description: The libvirt connection URI.
    type: str
    default: qemu:///system
seealso:
  - module: eucalyptus.ceph.cephx_user_generations
  - module: eucalyptus.ceph.libvirt_secret
author:
  - Eucalyptus Ceph maintainers (@eucalyptus)
"""

EXAMPLES = r"""
- name: The cephx users this NC's guests were attached with
  eucalyptus.ceph.libvirt_rbd_disk_info:
  register: guest_disks

- name: Show them
  ansible.builtin.debug:
    msg: "{{ guest_disks.users }}"
"""

RETURN = r"""
disks:
  description: One entry per RBD disk of every domain.
  returned: always
  type: list
  elements: dict
  contains:
    domain:
      description: The domain's name.
      type: str
    active:
      description: Whether the domain runs.
      type: bool
    image:
      description: C(<pool>/<image>) of the disk.
      type: str
    user:
      description: The cephx id of C(<auth username>) (none for a disk without auth).
      type: str
    secret_uuid:
      description: The UUID of the libvirt secret the disk's key comes from.
      type: str
    target:
      description: The guest's device name of the disk.
      type: str
  sample: [{domain: i-1a2b3c4d, active: true, image: eucavolumes/vol-5e6f7a8b, user: eucalyptus-nc,
            secret_uuid: 3f1f2c34-6a4b-4cde-9f01-23456789abcd, target: vdb}]
users:
  description: The distinct cephx ids of RV(disks), sorted.
  returned: always
  type: list
  elements: str
  sample: [eucalyptus-nc]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.eucalyptus.ceph.plugins.module_utils import _libvirt_secrets as libvirt_secrets
from ansible_collections.eucalyptus.ceph.plugins.module_utils._libvirt_rbd_disks import read_all


def main():
    module = AnsibleModule(
        argument_spec=dict(uri=dict(type="str", default="qemu:///system")),
        supports_check_mode=True,
    )
    try:
        disks = read_all(module.params["uri"])
    except libvirt_secrets.LibvirtSecretError as exc:
        module.fail_json(msg=str(exc))
    users = sorted(set(d["user"] for d in disks if d["user"]))
    module.exit_json(changed=False, disks=disks, users=users)


if __name__ == "__main__":
    main()
