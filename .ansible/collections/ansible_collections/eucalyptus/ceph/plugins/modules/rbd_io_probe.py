#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: rbd_io_probe
short_description: Open an RBD image read-write as a hypervisor would, write a marker and wait for peers' markers
version_added: 0.1.0
description:
  - Opens one image read-write through librbd with the given cephx user (typically the Node
    Controller's), writes O(marker) into one block at O(offset), reads it back, and keeps the image
    open until every marker of O(wait_for) can be read at its offset.
  - Run on two hosts in the same task, each with its own offset and the other's marker in
    O(wait_for), it proves what live migration needs - the image open read-write from both hosts
    at the same time, each seeing the other's writes.
  - Works on clones (the write copies up from the parent, which may live in a snapshot pool).
extends_documentation_fragment:
  - eucalyptus.ceph.attributes
  - eucalyptus.ceph.attributes.actiongroup_ceph
  - eucalyptus.ceph.cluster
attributes:
  check_mode:
    support: full
    details:
      - Opens the image read-only with the same user and reads the marker block. Reports a change
        exactly when a real run would write, that is when the block does not hold O(marker) yet.
      - Peers' markers already in the image are reported in RV(seen); they are not waited for.
  diff_mode:
    support: none
    details: A probe writes data blocks; there is no state to diff.
  idempotent:
    support: full
options:
  pool:
    description: Pool of the image.
    type: str
    required: true
  image:
    description: Image to open.
    type: str
    required: true
  marker:
    description: Text written at O(offset), padded with NUL bytes to O(block_size).
    type: str
    required: true
  offset:
    description: Byte offset of the marker block; a multiple of O(block_size).
    type: int
    required: true
  block_size:
    description: Size of a marker block.
    type: int
    default: 4096
  wait_for:
    description: Markers other writers put into the image, to wait for while the image stays open.
    type: list
    elements: dict
    default: []
    suboptions:
      offset:
        description: Byte offset of the peer's marker block.
        type: int
        required: true
      marker:
        description: The peer's marker text.
        type: str
        required: true
  timeout:
    description: Seconds to wait for the markers of O(wait_for).
    type: int
    default: 60
author:
  - Eucalyptus Ceph maintainers (@eucalyptus)
"""

EXAMPLES = r"""
- name: Both NCs open the volume read-write at once (live migration)
  eucalyptus.ceph.rbd_io_probe:
    pool: eucavolumes
    image: vol-1234
    marker: "{{ inventory_hostname }}"
    offset: "{{ groups['euca_nc'].index(inventory_hostname) * 4096 }}"
    wait_for: "{{ peers }}"
    cluster_user: eucalyptus-nc
    cluster_keyring: /etc/ceph/ceph.client.eucalyptus-nc.keyring
"""

RETURN = r"""
written:
  description:
    - Whether the marker was written; false when the block already held it, and in check mode.
    - The module reports C(changed) exactly when it writes (or, in check mode, would write).
  returned: always
  type: bool
seen:
  description: Offsets of the O(wait_for) markers that were read back.
  returned: always
  type: list
  elements: int
waited:
  description: Seconds spent waiting for the markers of O(wait_for).
  returned: always
  type: float
"""

import time

from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_client import CephClientError, rbd, rbd_errors
from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_module import CephModule
from ansible_collections.eucalyptus.ceph.plugins.module_utils._names import image_name_error, pool_name_error


def block(marker, size):
    data = marker.encode("utf-8")
    if len(data) > size:
        raise ValueError("marker is longer than block_size")
    return data + b"\0" * (size - len(data))


def _check_place(image, offset, size, what):
    """The block must lie inside the image (offsets are checked against block_size in main())."""
    if offset + size > image.size():
        raise CephClientError("%s block at offset %d ends past the end of the image (%d bytes)"
                              % (what, offset, image.size()))


def run(cm):
    p = cm.params
    size = p["block_size"]
    mine = block(p["marker"], size)
    pending = dict((w["offset"], block(w["marker"], size)) for w in p["wait_for"])
    ioctx = cm.client.ioctx(p["pool"])
    with rbd_errors("%s/%s" % (p["pool"], p["image"])):
        # check mode opens the image read-only with the same user: what is there decides
        # whether the marker would be written; peers' markers are looked for, not waited for
        with rbd.Image(ioctx, p["image"], read_only=cm.check_mode) as image:
            _check_place(image, p["offset"], size, "marker")
            for offset in pending:
                _check_place(image, offset, size, "wait_for")
            changed = image.read(p["offset"], size) != mine
            if cm.check_mode:
                seen = sorted(o for o in pending if image.read(o, size) == pending[o])
                return dict(changed=changed, written=False, seen=seen, waited=0.0)
            if changed:
                image.write(mine, p["offset"])
                image.flush()
            if image.read(p["offset"], size) != mine:
                raise CephClientError("marker at offset %d did not read back" % p["offset"])
            seen, start = [], time.time()
            while pending:
                for offset in sorted(pending):
                    if image.read(offset, size) == pending[offset]:
                        seen.append(offset)
                        del pending[offset]
                if not pending:
                    break
                if time.time() - start > p["timeout"]:
                    raise CephClientError("markers at offsets %s did not appear within %d s"
                                          % (sorted(pending), p["timeout"]))
                time.sleep(0.2)
            return dict(changed=changed, written=changed, seen=seen, waited=round(time.time() - start, 2))


def main():
    cm = CephModule(
        argument_spec=dict(
            pool=dict(type="str", required=True),
            image=dict(type="str", required=True),
            marker=dict(type="str", required=True),
            offset=dict(type="int", required=True),
            block_size=dict(type="int", default=4096),
            wait_for=dict(type="list", elements="dict", default=[], options=dict(
                offset=dict(type="int", required=True),
                marker=dict(type="str", required=True),
            )),
            timeout=dict(type="int", default=60),
        ),
        need_rbd=True,
    )
    p = cm.params
    error = pool_name_error(p["pool"]) or image_name_error(p["image"])
    if not error and (p["block_size"] < 512 or p["block_size"] % 512):
        error = "block_size must be a positive multiple of 512"
    for offset in [p["offset"]] + [w["offset"] for w in p["wait_for"]]:
        if not error and (offset < 0 or offset % p["block_size"]):
            error = "offset %d must be a non-negative multiple of block_size %d" % (offset, p["block_size"])
    if not error and len(p["marker"].encode("utf-8")) > p["block_size"]:
        error = "marker is longer than block_size"
    if error:
        cm.fail(error)
    cm.run(run)


if __name__ == "__main__":
    main()
