# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The EBS reaper: remove images that carry the "deleted" prefix and have no clone children.

Eucalyptus deletes a volume or snapshot by renaming its image with a prefix; a periodic
worker removes prefixed images once no clone depends on them.  Removing one image can free
its parent (a clone was the parent's last child), so the plan is a fixpoint over the
children graph, computed before anything is removed: check mode reports exactly what a
real run removes, in the same order.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_client import rbd, rbd_errors


def _wrap(action, what):
    with rbd_errors(what):
        return action()


def survey(client, pools, prefix):
    """{(pool, image): {"snapshots": [...], "protected": [...], "children": set((pool, image))}}
    for every image in ``pools`` whose name starts with ``prefix``."""
    found = {}
    api = client.rbd()
    for pool in pools:
        ioctx = client.ioctx(pool)
        for name in _wrap(lambda: api.list(ioctx), "list images of pool %s" % pool):
            if not name.startswith(prefix):
                continue
            found[(pool, name)] = _wrap(lambda: _describe(ioctx, name), "inspect %s/%s" % (pool, name))
    return found


def _describe(ioctx, name):
    info = {"snapshots": [], "protected": [], "children": set()}
    with rbd.Image(ioctx, name, read_only=True) as image:
        for snap in image.list_snaps():
            info["snapshots"].append(snap["name"])
            if image.is_protected_snap(snap["name"]):
                info["protected"].append(snap["name"])
            image.set_snap(snap["name"])
            for child in image.list_children2():
                info["children"].add((child["pool"], child["image"]))
            image.set_snap(None)
    return info


def plan(found):
    """Removal order: images whose children are all removed before them; the rest are kept."""
    removed, order = set(), []
    progress = True
    while progress:
        progress = False
        for key in sorted(found):
            if key not in removed and found[key]["children"] <= removed:
                removed.add(key)
                order.append(key)
                progress = True
    kept = dict((key, sorted(found[key]["children"] - removed)) for key in sorted(found) if key not in removed)
    return order, kept


def remove(client, pool, name, info, did=lambda label: None):
    """Remove the image with its snapshots; DID(label) is called after each change (a snapshot
    removed, the image removed), so that a failure half-way says what it already did."""
    ioctx = client.ioctx(pool)
    spec = "%s/%s" % (pool, name)

    def _snapshots():
        with rbd.Image(ioctx, name) as image:
            for snap in info["snapshots"]:
                if snap in info["protected"]:
                    image.unprotect_snap(snap)
                image.remove_snap(snap)
                did("remove snapshot %s@%s" % (spec, snap))
    _wrap(_snapshots, "remove the snapshots of %s" % spec)
    _wrap(lambda: client.rbd().remove(ioctx, name), "remove %s" % spec)
    did("remove %s" % spec)
