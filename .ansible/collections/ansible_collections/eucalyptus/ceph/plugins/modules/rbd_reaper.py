#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: rbd_reaper
short_description: Remove deleted EBS images (prefixed names) that have no clone children
version_added: 0.1.0
description:
  - Eucalyptus deletes an EBS volume or snapshot by renaming its RBD image with a prefix
    (C(del) + 8 characters + C(-), kept in its database as C(deleted_image_prefix)). This module
    does what its reaper does, on demand - it removes every image of the given pools whose name
    starts with O(prefix) and whose snapshots have no clone children left, unprotecting and
    removing its snapshots first.
  - Removing an image can free its parent; the module plans the whole chain before removing
    anything, so check mode reports exactly what a real run removes.
  - Images without the prefix are never touched.
extends_documentation_fragment:
  - eucalyptus.ceph.attributes
  - eucalyptus.ceph.attributes.actiongroup_ceph
  - eucalyptus.ceph.cluster
  - eucalyptus.ceph.cluster.long_operations
attributes:
  check_mode:
    support: full
    details: Reports the images that would be removed and those kept, removes nothing.
  diff_mode:
    support: none
    details: The result lists removed and kept images instead of a diff.
  idempotent:
    support: full
options:
  pools:
    description: Pools to reap (the volume and snapshot pools).
    type: list
    elements: str
    required: true
  prefix:
    description: Name prefix of deleted images. At least 3 characters, so that a typo cannot match every image.
    type: str
    required: true
author:
  - Eucalyptus Ceph maintainers (@eucalyptus)
"""

EXAMPLES = r"""
- name: Remove deleted volumes and snapshots nobody depends on any more
  eucalyptus.ceph.rbd_reaper:
    pools: [eucavolumes, eucasnapshots]
    prefix: delq8h3kx2a-
    cluster_user: eucalyptus
    cluster_keyring: /etc/ceph/ceph.client.eucalyptus.keyring
"""

RETURN = r"""
removed:
  description: Images removed (or that would be, in check mode), as C(pool/image), in removal order.
  returned: always
  type: list
  elements: str
  sample: [eucavolumes/del12345678-vol-1, eucasnapshots/del12345678-snap-1]
kept:
  description: Prefixed images kept because clones still depend on them, with those clones.
  returned: always
  type: dict
  sample: {"eucavolumes/del12345678-vol-2": ["eucavolumes/vol-3"]}
changes:
  description: When a removal fails, what this run already removed (images and snapshots), in order.
  returned: on failure
  type: list
  elements: str
  sample: [remove eucavolumes/del12345678-vol-1, remove snapshot eucavolumes/del12345678-vol-2@s]
not_done:
  description: When a removal fails after a change, the removals not done, the failed one first.
  returned: on failure after a change
  type: list
  elements: str
  sample: [remove eucavolumes/del12345678-vol-2]
"""

from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_client import CephClientError
from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_module import CephModule, osd_op_timeout_argument_spec
from ansible_collections.eucalyptus.ceph.plugins.module_utils._names import pool_name_error
from ansible_collections.eucalyptus.ceph.plugins.module_utils import _rbd_reaper as rbd_reaper


def spec(key):
    return "%s/%s" % key


def run(cm):
    found = rbd_reaper.survey(cm.client, cm.params["pools"], cm.params["prefix"])
    order, kept = rbd_reaper.plan(found)
    if not cm.check_mode:
        for done, (pool, name) in enumerate(order):
            try:
                rbd_reaper.remove(cm.client, pool, name, found[(pool, name)], cm.did)
            except CephClientError as exc:
                # the snapshots of the image already removed are in cm.steps (did)
                cm.fail(str(exc), not_done=["remove %s" % spec(k) for k in order[done:]],
                        **({"errno": exc.errno} if exc.errno else {}))
    return dict(changed=bool(order), removed=[spec(k) for k in order],
                kept=dict((spec(k), [spec(c) for c in v]) for k, v in kept.items()))


def main():
    cm = CephModule(
        argument_spec=dict(
            pools=dict(type="list", elements="str", required=True),
            prefix=dict(type="str", required=True),
            **osd_op_timeout_argument_spec(300)
        ),
        need_rbd=True,
    )
    for pool in cm.params["pools"]:
        error = pool_name_error(pool)
        if error:
            cm.fail(error)
    if len(cm.params["prefix"]) < 3:
        cm.fail("prefix %r is too short: give the deleted-image prefix (at least 3 characters)" % cm.params["prefix"])
    cm.run(run)


if __name__ == "__main__":
    main()
