#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ceph_client_conf
short_description: Write the client ceph.conf of an EBS host from the cluster's monitor map
version_added: 0.1.0
description:
  - Writes the C(ceph.conf) a Eucalyptus Storage Controller or Node Controller uses, from the
    cluster's fsid and monitors as M(eucalyptus.ceph.ceph_info) returns them.
  - "Two readers: librados and the C(ceph) CLI take C(mon_host) (v2 and v1 addresses); the
    Eucalyptus NC attach script takes its monitors only from C(mon addr = IP:PORT) lines, one
    C([mon.NAME]) section per monitor. Both are written. A monitor without a v1 address is
    refused, because the attach script could not reach it."
  - Idempotent on the content and on owner, group and mode; the file is replaced atomically
    (temporary file in the same directory, renamed over it). One module call, where a template
    task makes two round trips to the host.
  - Never point it at the cluster's own C(/etc/ceph/ceph.conf) on a Ceph host (the
    eucalyptus.ceph.ceph_client role writes a separate file there).
extends_documentation_fragment:
  - eucalyptus.ceph.attributes
attributes:
  check_mode:
    support: full
    details:
      - Computes the file and reports the change without writing it.
      - When the directory does not exist yet, reports the whole file as to be written (RV(not_checked)).
  diff_mode:
    support: full
    details: The file before and after, with owner, group and mode (ceph.conf holds no secret).
  idempotent:
    support: full
options:
  path:
    description: Path of the file. Its directory must exist; a symbolic link is refused.
    type: path
    required: true
  fsid:
    description: The cluster's fsid.
    type: str
    required: true
  monitors:
    description:
      - The monitors, as RV(eucalyptus.ceph.ceph_info#module:monitors) returns them; C(name) and C(v1)
        are required, C(v2) is optional, other keys are ignored.
    type: list
    elements: dict
    required: true
  client_settings:
    description: Extra settings of the C([client]) section (name and one-line value each).
    type: dict
    default: {}
  owner:
    description: Owner of the file (name or uid).
    type: str
    default: root
  group:
    description: Group of the file (name or gid).
    type: str
    default: root
  mode:
    description: Permissions of the file, an octal string such as V('0644').
    type: raw
    default: '0644'
seealso:
  - module: eucalyptus.ceph.ceph_info
author:
  - Eucalyptus Ceph maintainers (@eucalyptus)
"""

EXAMPLES = r"""
- name: Read the monitor map on the admin host
  eucalyptus.ceph.ceph_info:
    gather: [fsid, monitors]
  delegate_to: "{{ groups['ceph_mons'][0] }}"
  run_once: true
  register: cluster

- name: Write the client ceph.conf with mon_host and mon addr lines
  eucalyptus.ceph.ceph_client_conf:
    path: /etc/ceph/ceph.conf
    fsid: "{{ cluster.fsid }}"
    monitors: "{{ cluster.monitors }}"
"""

RETURN = r"""
path:
  description: The file.
  returned: always
  type: str
  sample: /etc/ceph/ceph.conf
content_changed:
  description: Whether the content was (or would be) rewritten.
  returned: always
  type: bool
  sample: false
attributes_changed:
  description: Whether owner, group or mode were (or would be) changed.
  returned: always
  type: bool
  sample: false
not_checked:
  description: In check mode, when the file's directory does not exist yet (an earlier task of the run creates it).
  returned: when it applies
  type: str
  sample: "directory /etc/ceph/eucalyptus does not exist yet: the whole file would be written"
mode:
  description: The file's permissions after the run (in check mode, after a real run), in octal.
  returned: always
  type: str
  sample: '0644'
mon_addrs:
  description: The C(mon addr) lines' addresses, in the monitor map's order.
  returned: always
  type: list
  elements: str
  sample: ["172.30.90.11:6789"]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.eucalyptus.ceph.plugins.module_utils import _client_conf as client_conf
# the collection's one safe file writer (atomic, never through a symbolic link)
from ansible_collections.eucalyptus.ceph.plugins.module_utils import _keyring_file as safe_file


def run(module):
    params = module.params
    error = client_conf.input_error(params["fsid"], params["monitors"], params["client_settings"])
    if error:
        module.fail_json(msg=error, path=params["path"])
    try:
        result = client_conf.ensure_file(params["path"], params["fsid"], params["monitors"], params["client_settings"],
                                         owner=params["owner"], group=params["group"],
                                         mode=safe_file.parse_mode(params["mode"]), check_mode=module.check_mode)
    except safe_file.KeyringFileError as exc:
        module.fail_json(msg=str(exc), path=params["path"])
    out = dict(changed=result["changed"], path=params["path"], content_changed=result["content_changed"],
               attributes_changed=result["attributes_changed"], mon_addrs=result["mon_addrs"],
               mode=safe_file.format_mode(result["mode"]))
    if "not_checked" in result:
        out["not_checked"] = result["not_checked"]
    if module._diff:
        out["diff"] = result["diff"]
    return out


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            fsid=dict(type="str", required=True),
            monitors=dict(type="list", elements="dict", required=True),
            client_settings=dict(type="dict", default={}),
            owner=dict(type="str", default="root"),
            group=dict(type="str", default="root"),
            mode=dict(type="raw", default="0644"),
        ),
        supports_check_mode=True,
    )
    module.exit_json(**run(module))


if __name__ == "__main__":
    main()
