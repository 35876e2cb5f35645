#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ebs_host_facts
short_description: What the EBS roles read of a host, in one round trip - OS family, service manager, packages, units
version_added: 0.1.0
description:
  - "Reads, without changing anything, what the eucalyptus.ceph.ceph_client,
    eucalyptus.ceph.storage_controller and eucalyptus.ceph.node_controller roles decide on: the OS
    family and the service manager (the facts C(ansible.builtin.setup) gathers under those names),
    which of the named packages are installed (one C(dpkg-query), or one C(rpm --query) on EL),
    which of the named groups exist, and the state of the named systemd units (one C(systemctl show))."
  - "On a re-run over many hosts each module call costs a round trip to every host, whatever the
    module does: this one replaces fact gathering, a package query and a unit query (three round
    trips) with one."
  - Package and unit names may be given per OS family, so that a role can ask before it knows
    the family.
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
  packages:
    description:
      - The packages to look up. A list applies to every OS family; a dictionary maps an OS family
        (as C(ansible_facts.os_family) names it, for example V(Debian), V(RedHat)) to its list, and a
        family it does not name has none to look up.
      - Names are package names only (letters, digits, C(+._-)), never options or versions.
    type: raw
    default: []
  groups:
    description:
      - Local groups whose existence to look up (for example the group a keyring is given to), as a list.
    type: list
    elements: str
    default: []
  units:
    description:
      - The systemd units to read (C(LoadState), C(ActiveState), C(UnitFileState)), as a list or a
        dictionary of lists by OS family, like O(packages).
      - Read only when the service manager is systemd; otherwise RV(units) is empty.
    type: raw
    default: []
notes:
  - The facts are returned as C(ansible_facts), so that a play without fact gathering has
    C(ansible_facts.os_family) and C(ansible_facts.service_mgr) after this task, with the values
    C(ansible.builtin.setup) gives them.
seealso:
  - name: ansible.builtin.setup
    description: The full set of facts; this module returns its os_family and service_mgr values.
    link: https://docs.ansible.com/ansible/latest/collections/ansible/builtin/setup_module.html
  - name: ansible.builtin.package_facts
    description: Every installed package, where this module asks only about the named ones.
    link: https://docs.ansible.com/ansible/latest/collections/ansible/builtin/package_facts_module.html
  - name: ansible.builtin.service_facts
    description: Every service, where this module reads only the named systemd units.
    link: https://docs.ansible.com/ansible/latest/collections/ansible/builtin/service_facts_module.html
author:
  - Eucalyptus Ceph maintainers (@eucalyptus)
"""

EXAMPLES = r"""
- name: OS family, service manager, packages and libvirt units, in one round trip
  eucalyptus.ceph.ebs_host_facts:
    packages:
      Debian: [ceph-common, qemu-block-extra, libvirt-daemon-system]
      RedHat: [ceph-common, qemu-kvm, libvirt]
    units: [libvirtd.socket, libvirtd.service]
  register: host

- name: Install only what is missing
  ansible.builtin.apt:
    name: "{{ host.packages.missing }}"
  when:
    - ansible_facts.os_family == 'Debian'
    - host.packages.missing | length > 0

- name: Start the socket only when it is not listening
  ansible.builtin.systemd_service:
    name: libvirtd.socket
    state: started
  when: host.units['libvirtd.socket'].active_state != 'active'
"""

RETURN = r"""
ansible_facts:
  description: The facts under the names C(ansible.builtin.setup) uses.
  returned: always
  type: dict
  contains:
    os_family:
      description: The OS family.
      type: str
      sample: Debian
    service_mgr:
      description: The service manager.
      type: str
      sample: systemd
packages:
  description: The packages of this OS family that were looked up.
  returned: always
  type: dict
  contains:
    names:
      description: The names that apply to this OS family, in the order given.
      type: list
      elements: str
      sample: [ceph-common, qemu-block-extra]
    installed:
      description: Those installed, in the order given.
      type: list
      elements: str
      sample: [ceph-common]
    missing:
      description: Those not installed (or unknown to the package database), in the order given.
      type: list
      elements: str
      sample: [qemu-block-extra]
    checked:
      description:
        - Whether the package database was read. False on an OS family whose database this module
          does not read; RV(packages.missing) then holds every name.
      type: bool
      sample: true
groups:
  description: Whether each asked group exists on the host, by name.
  returned: always
  type: dict
  sample: {eucalyptus: true}
units:
  description: The state of each unit of this OS family, by name; a unit systemd does not know has C(load_state) V(not-found).
  returned: always
  type: dict
  sample:
    libvirtd.socket: {load_state: loaded, active_state: active, unit_file_state: enabled}
"""

import os
import platform

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.eucalyptus.ceph.plugins.module_utils import _host_state as host_state


def gather_facts(module):
    """os_family and service_mgr with the values ansible.builtin.setup gives them. The common
    cases are read directly (os-release, systemd's own marker); anything else goes through the
    collectors setup runs, imported only then (compiling them costs each run about as much as
    the rest of this module)."""
    facts = {}
    os_family = host_state.os_family_from_os_release(host_state.read_os_release())
    if os_family:
        facts["os_family"] = os_family
    if module.get_bin_path("systemctl") and any(os.path.isdir(d) for d in host_state.SYSTEMD_MARKERS):
        facts["service_mgr"] = "systemd"
    if "os_family" not in facts:
        from ansible.module_utils.facts.system.distribution import DistributionFactCollector
        found = DistributionFactCollector().collect(module=module) or {}
        facts["os_family"] = found.get("os_family", "")
        facts.setdefault("distribution", found.get("distribution", ""))
    if "service_mgr" not in facts:
        from ansible.module_utils.facts.system.service_mgr import ServiceMgrFactCollector
        collected = dict(ansible_system=platform.system(), ansible_distribution=facts.get("distribution", ""))
        facts["service_mgr"] = (ServiceMgrFactCollector().collect(module=module, collected_facts=collected)
                                or {}).get("service_mgr", "")
    return dict(os_family=facts["os_family"], service_mgr=facts["service_mgr"])


def read_packages(module, os_family, names):
    if not names:
        return dict(names=[], installed=[], missing=[], checked=True)
    argv = host_state.package_command(os_family, names)
    if argv is None:
        return dict(names=names, installed=[], missing=list(names), checked=False)
    # dpkg-query and rpm exit 1 when one of the names is not installed; that is an answer
    rc, out, err = module.run_command(argv, environ_update=dict(LC_ALL="C"))
    if rc not in (0, 1):
        module.fail_json(msg="%s failed (exit %d): %s" % (argv[0], rc, err.strip()[:400]), rc=rc)
    installed = host_state.parse_installed(out)
    return dict(names=names, installed=[n for n in names if n in installed],
                missing=[n for n in names if n not in installed], checked=True)


def read_units(module, service_mgr, units):
    if not units or service_mgr != "systemd":
        return {}
    rc, out, err = module.run_command(host_state.unit_command(units), environ_update=dict(LC_ALL="C"))
    if rc != 0:
        module.fail_json(msg="systemctl show failed (exit %d): %s" % (rc, err.strip()[:400]), rc=rc)
    return host_state.unit_states(host_state.parse_systemctl_show(out), units)


def run(module):
    facts = gather_facts(module)
    os_family = facts.get("os_family", "")
    packages, error = host_state.names_by_os_family(module.params["packages"], os_family, "packages")
    if error is None:
        error = host_state.name_error(packages, host_state.PACKAGE_NAME_RE, "packages")
    units = []
    if error is None:
        units, error = host_state.names_by_os_family(module.params["units"], os_family, "units")
    if error is None:
        error = host_state.name_error(units, host_state.UNIT_NAME_RE, "units")
    if error is None:
        error = host_state.name_error(module.params["groups"], host_state.GROUP_NAME_RE, "groups")
    if error:
        module.fail_json(msg=error)
    return dict(changed=False, ansible_facts=facts,
                packages=read_packages(module, os_family, packages),
                groups=dict((name, host_state.group_exists(name)) for name in module.params["groups"]),
                units=read_units(module, facts.get("service_mgr"), units))


def main():
    module = AnsibleModule(
        argument_spec=dict(
            packages=dict(type="raw", default=[]),
            groups=dict(type="list", elements="str", default=[]),
            units=dict(type="raw", default=[]),
        ),
        supports_check_mode=True,
    )
    module.exit_json(**run(module))


if __name__ == "__main__":
    main()
