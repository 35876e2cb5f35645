#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: rbd_image
short_description: Manage an RBD image, its snapshots and clones (the Eucalyptus Storage Controller's operations)
version_added: 0.1.0
description:
  - Creates, resizes, renames, clones, flattens and removes one RBD image, and creates,
    protects, unprotects and removes its snapshots, through librbd.
  - New images are format 2 with only the C(layering) feature by default, as the Eucalyptus
    Storage Controller creates them.
  - The module first works out every change and checks that it can be made (for example that a
    shrink is allowed, a parent snapshot is protected, a snapshot to remove has no clones); only
    then does it change anything. A refused request changes nothing.
  - Connects as any cephx user (O(cluster_user), O(cluster_keyring)), so it can prove what a
    user's caps allow. An operation refused by the cluster fails with C(errno) set (C(1) for EPERM).
extends_documentation_fragment:
  - eucalyptus.ceph.attributes
  - eucalyptus.ceph.attributes.actiongroup_ceph
  - eucalyptus.ceph.cluster
  - eucalyptus.ceph.cluster.long_operations
attributes:
  check_mode:
    support: full
    details: Plans and reports every change (C(changes), C(image), diff) without making it.
  diff_mode:
    support: full
    details: The diff shows the image's name, size, features, parent and snapshots before and after.
  idempotent:
    support: full
options:
  pool:
    description: Pool of the image.
    type: str
    required: true
  name:
    description:
      - Name of the image.
      - With O(rename_to), the image's current name.
    type: str
    required: true
    aliases: [image]
  state:
    description:
      - V(present) makes sure the image exists with the given settings (and renames it with O(rename_to)).
      - V(absent) removes the image. It fails when a snapshot of the image has clone children, and when
        the image has snapshots unless O(purge_snapshots=true).
    type: str
    choices: [present, absent]
    default: present
  size:
    description:
      - Size of the image, in bytes (an integer) or as a string with a binary unit
        (V(512M), V(10G), V(1GiB), V(1.5G); K, M, G, T, P, E are powers of 1024).
      - Required to create an image that is not a clone. A clone gets the size of its parent snapshot
        and is then resized when O(size) differs.
      - An image larger than O(size) is only shrunk with O(allow_shrink=true).
    type: raw
  allow_shrink:
    description: Allow O(size) to make an existing image smaller (the data beyond the new size is lost).
    type: bool
    default: false
  features:
    description:
      - RBD features of the image. When the image is created, V([layering]) is used when this is omitted.
      - When given, an existing image is made to match. C(exclusive-lock), C(object-map),
        C(fast-diff) and C(journaling) can be switched on and off, C(deep-flatten) only off;
        C(layering) cannot change on an existing image.
      - Internal features librbd sets by itself (C(operations), C(data-pool)...) are ignored.
    type: list
    elements: str
  parent:
    description:
      - Create the image as a clone of this snapshot (copy-on-write).
      - Only used when the image does not exist yet. An existing image that is a clone of another
        snapshot is an error; an existing image without a parent (for example flattened) is accepted.
      - The parent snapshot must be protected, see O(protect_parent).
    type: dict
    suboptions:
      pool:
        description: Pool of the parent image; defaults to O(pool).
        type: str
      image:
        description: Parent image.
        type: str
        required: true
      snapshot:
        description: Snapshot of the parent image.
        type: str
        required: true
  protect_parent:
    description: Protect the parent snapshot when it is not protected yet, instead of failing.
    type: bool
    default: false
  flatten:
    description:
      - Copy all data from the parent into the image and detach it from its parent.
      - Does nothing when the image has no parent.
    type: bool
    default: false
  rename_to:
    description:
      - Rename the image O(name) to this name, then apply the other options to it.
      - Idempotent - when O(name) does not exist but O(rename_to) does, nothing is renamed.
        When both exist the module fails, as it does when neither does.
    type: str
  snapshots:
    description:
      - Snapshots of the image to manage. Snapshots not listed are left alone.
      - Each is created, protected, unprotected or removed as requested, after the image itself
        is created, resized and flattened.
    type: list
    elements: dict
    suboptions:
      name:
        description: Name of the snapshot.
        type: str
        required: true
      state:
        description:
          - V(present) creates the snapshot when missing.
          - V(absent) removes it (unprotecting it first); fails when it has clone children.
        type: str
        choices: [present, absent]
        default: present
      protected:
        description:
          - V(true) protects the snapshot (needed to clone it), V(false) unprotects it (fails when it
            has clone children). Omitted leaves the protection as it is.
        type: bool
  purge_snapshots:
    description: With O(state=absent), remove the image's snapshots (unprotecting them) before the image.
    type: bool
    default: false
notes:
  - Clones are made with the C(layering) feature, which O(features) must then include.
  - Listing clone children reads the C(rbd_children) object of every pool, so the connecting user needs
    C(class-read) on it, which C(profile rbd) grants.
author:
  - Eucalyptus Ceph maintainers (@eucalyptus)
"""

EXAMPLES = r"""
- name: EBS volume as the Eucalyptus SC creates it (format 2, layering only)
  eucalyptus.ceph.rbd_image:
    pool: eucavolumes
    name: vol-12345678
    size: 10G
    cluster_user: eucalyptus
    cluster_keyring: /etc/ceph/ceph.client.eucalyptus.keyring

- name: EBS snapshot - snapshot and protect the volume, clone it into the snapshot pool
  eucalyptus.ceph.rbd_image:
    pool: eucasnapshots
    name: snap-12345678
    parent: {pool: eucavolumes, image: vol-12345678, snapshot: snap-12345678}
    protect_parent: true
    snapshots:
      - name: base
        protected: true
  # the volume's snapshot itself is made first with:
  #   eucalyptus.ceph.rbd_image: {pool: eucavolumes, name: vol-12345678, snapshots: [{name: snap-12345678}]}

- name: Volume from an EBS snapshot
  eucalyptus.ceph.rbd_image:
    pool: eucavolumes
    name: vol-87654321
    parent: {pool: eucasnapshots, image: snap-12345678, snapshot: base}
    size: 20G

- name: EBS delete - rename with the deleted-image prefix
  eucalyptus.ceph.rbd_image:
    pool: eucavolumes
    name: vol-12345678
    rename_to: del1a2b3c4d-vol-12345678

- name: Grow a volume
  eucalyptus.ceph.rbd_image:
    pool: eucavolumes
    name: vol-87654321
    size: 30G

- name: Purge a deleted image (fails if a snapshot still has clones)
  eucalyptus.ceph.rbd_image:
    pool: eucavolumes
    name: del1a2b3c4d-vol-12345678
    state: absent
    purge_snapshots: true
"""

RETURN = r"""
image:
  description:
    - The image after the run (in check mode, as it would be); empty when it is absent.
  returned: always
  type: dict
  contains:
    pool:
      description: Pool.
      type: str
    name:
      description: Image name.
      type: str
    id:
      description: Image id (null for an image check mode would create).
      type: str
    size:
      description: Size in bytes.
      type: int
    order:
      description: Object size as a power of two.
      type: int
    object_size:
      description: Object size in bytes.
      type: int
    format:
      description: Image format (1 or 2).
      type: int
    features:
      description: Feature names, including internal ones.
      type: list
      elements: str
    features_mask:
      description: Feature bit mask.
      type: int
    parent:
      description: Parent C(pool), C(image) and C(snapshot) of a clone, else null.
      type: dict
    snapshots:
      description: Snapshots with C(name), C(id), C(size), C(protected) and C(children) (C(pool/image) of each clone).
      type: list
      elements: dict
  sample:
    pool: eucavolumes
    name: vol-12345678
    id: 103aad874459
    size: 10737418240
    order: 22
    object_size: 4194304
    format: 2
    features: [layering]
    features_mask: 1
    parent: null
    snapshots:
      - name: snap-12345678
        id: 4
        size: 10737418240
        protected: true
        children: [eucasnapshots/snap-12345678]
children:
  description: Snapshot name -> list of C(pool/image) clones of that snapshot.
  returned: always
  type: dict
  sample: {snap-12345678: [eucasnapshots/snap-12345678]}
changes:
  description: What was done (or, in check mode, would be done), in order.
  returned: always
  type: list
  elements: str
  sample: ["create snapshot eucavolumes/vol-1@s1", "protect snapshot eucavolumes/vol-1@s1"]
errno:
  description: The positive errno of a failed Ceph operation (C(1) = EPERM, refused by the user's caps).
  returned: failure
  type: int
"""

from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_module import CephModule, osd_op_timeout_argument_spec
from ansible_collections.eucalyptus.ceph.plugins.module_utils._rbd_images import (
    ImagePlanner,
    ActionFailed,
    apply_actions,
    build_diff,
    children_of,
    image_facts,
    normalize_params,
)


def run(cm):
    params = cm.params
    try:
        request = normalize_params(params)
    except ValueError as exc:
        cm.fail(str(exc))
    before, predicted, actions = ImagePlanner(cm.client, params, request).plan()
    labels = [action[0] for action in actions]
    after = predicted
    if actions and not cm.check_mode:
        try:
            apply_actions(actions, cm.did)
        except ActionFailed as exc:
            extra = {"errno": exc.errno} if exc.errno else {}
            if cm.steps:
                # how this run left the image: a re-run converges from there
                left = image_facts(cm.client, params["pool"], params["name"])
                if left is None and params.get("rename_to"):
                    left = image_facts(cm.client, params["pool"], params["rename_to"])
                extra["image"] = left or {}
            cm.fail(str(exc), not_done=exc.not_done if cm.steps else None, **extra)
        if predicted is not None:
            after = image_facts(cm.client, params["pool"], predicted["name"])
    result = {
        "changed": bool(actions),
        "changes": labels,
        "image": after or {},
        "children": children_of(after),
    }
    if cm.module._diff:
        result["diff"] = build_diff(before, after)
    return result


def main():
    cm = CephModule(
        argument_spec=dict(
            pool=dict(type="str", required=True),
            name=dict(type="str", required=True, aliases=["image"]),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            size=dict(type="raw"),
            allow_shrink=dict(type="bool", default=False),
            features=dict(type="list", elements="str"),
            parent=dict(type="dict", options=dict(
                pool=dict(type="str"),
                image=dict(type="str", required=True),
                snapshot=dict(type="str", required=True),
            )),
            protect_parent=dict(type="bool", default=False),
            flatten=dict(type="bool", default=False),
            rename_to=dict(type="str"),
            snapshots=dict(type="list", elements="dict", options=dict(
                name=dict(type="str", required=True),
                state=dict(type="str", default="present", choices=["present", "absent"]),
                protected=dict(type="bool"),
            )),
            purge_snapshots=dict(type="bool", default=False),
            **osd_op_timeout_argument_spec(300)
        ),
        need_rbd=True,
        supports_check_mode=True,
    )
    cm.run(run)


if __name__ == "__main__":
    main()
