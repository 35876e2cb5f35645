# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # What every module's attributes mean; each module states its support and, under
    # details, what it does in that mode.
    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description:
      - Can run in check mode and returns the changed status a real run would have, computed from the
        current state of the cluster or host, without changing anything.
  diff_mode:
    description:
      - Returns what changed (or, in check mode, what would change) when in diff mode. Keys never
        appear in a diff.
  idempotent:
    description:
      - Run again with the same arguments and an unchanged target, the module reports no change and
        changes nothing.
"""

    # Modules that talk to Ceph (meta/runtime.yml, action group "ceph")
    ACTIONGROUP_CEPH = r"""
options: {}
attributes:
  action_group:
    description:
      - Use C(group/eucalyptus.ceph.ceph) in C(module_defaults) to set the connection options
        (O(cluster_conf), O(cluster_user), O(cluster_keyring), O(connect_timeout)) of this module
        and of every other module of the group at once.
    support: full
    membership:
      - eucalyptus.ceph.ceph
"""
