# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: systemctl_show
short_description: Parse the output of C(systemctl show) for several units into a dictionary per unit
version_added: 0.1.0
description:
  - "C(systemctl show --property=Id,... UNIT...) prints one block of C(NAME=VALUE) lines per unit,
    blocks separated by an empty line, properties in systemd's own order. This filter returns a
    dictionary of the units by C(Id), each a dictionary of its properties, so that a role can read
    the state of several units in one command and call a module only for the units that are not
    as wanted."
  - A block without C(Id) is skipped. Ask for C(Id) among the properties.
options:
  _input:
    description: The standard output of C(systemctl show).
    type: str
    required: true
"""

EXAMPLES = r"""
- name: State of the libvirt units (read-only, one command)
  ansible.builtin.command:
    argv: [systemctl, show, --property=Id,ActiveState,UnitFileState, --, libvirtd.socket, libvirtd.service]
  register: units
  changed_when: false
  check_mode: false

- name: Start and enable the socket only when it is not listening and enabled already
  ansible.builtin.systemd_service:
    name: libvirtd.socket
    state: started
    enabled: true
  vars:
    socket: "{{ (units.stdout | eucalyptus.ceph.systemctl_show).get('libvirtd.socket', {}) }}"
  when: >-
    socket.ActiveState | default('') != 'active' or socket.UnitFileState | default('') != 'enabled'
"""

RETURN = r"""
_value:
  description: The properties of each unit, by unit name.
  type: dict
  sample: {libvirtd.socket: {Id: libvirtd.socket, ActiveState: active, UnitFileState: enabled}}
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.eucalyptus.ceph.plugins.module_utils._host_state import parse_systemctl_show


def systemctl_show(text):
    if not isinstance(text, str):
        raise AnsibleFilterError("systemctl_show expects the text systemctl show printed, not %s" % type(text).__name__)
    return parse_systemctl_show(text)


class FilterModule(object):
    def filters(self):
        return {"systemctl_show": systemctl_show}
