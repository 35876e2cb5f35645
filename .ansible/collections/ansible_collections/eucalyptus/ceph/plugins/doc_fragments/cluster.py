# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r"""
options:
  cluster_conf:
    description:
      - Path of the Ceph configuration file on the target host.
      - The file must be named C(ceph.conf) (or C(<cluster>.conf)), because Ceph derives the cluster name from it.
    type: path
    default: /etc/ceph/ceph.conf
  cluster_user:
    description:
      - The cephx id the module connects as, without the C(client.) prefix.
    type: str
    default: admin
  cluster_keyring:
    description:
      - Path of the keyring of O(cluster_user).
      - When omitted, librados finds it through O(cluster_conf), as the C(ceph) CLI does.
      - Only the path is ever passed on; the key is read by librados from the file.
    type: path
  connect_timeout:
    description:
      - Seconds to wait for the monitors before failing (librados otherwise waits 300 s).
      - When a monitor host dies, the others need 10 to 20 seconds to notice and elect a new
        quorum, and no client can log in meanwhile; a much shorter value fails in that window.
      - Each monitor or OSD operation then waits up to the larger of this and 60 seconds
        (librados otherwise waits forever on an OSD). An OSD host that dies holds the operations
        on its placement groups until it is marked down, after C(osd_heartbeat_grace) (20 s).
    type: int
    default: 30
requirements:
  - Debian's C(python3-rados) (librados bindings) on the target host, used with the system Python.
notes:
  - All Ceph access goes through librados C(mon_command) with JSON arguments; no C(ceph) or C(rbd)
    command is run and no secret is put on a command line.
"""

    # Modules whose librbd work (flatten, remove of a large image) is many OSD operations.
    LONG_OPERATIONS = r"""
options:
  osd_op_timeout:
    description:
      - Seconds each OSD operation may take before the module fails (C(rados_osd_op_timeout)), instead of
        the limit of the larger of O(connect_timeout) and 60 seconds the other modules use.
      - Flattening or removing a large image is thousands of OSD operations, and one of them may wait
        while placement groups peer or recover; V(0) waits as long as it takes, as the C(rbd) command
        does. Bound the whole task with the task keyword C(timeout) if needed.
    type: int
    default: 300
"""
