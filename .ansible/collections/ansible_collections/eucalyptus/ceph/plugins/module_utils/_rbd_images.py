# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""RBD images through librbd: the Eucalyptus Storage Controller's operations.

Three layers, so most of it is testable without a cluster:

* pure helpers: :func:`parse_size`, :func:`features_mask`, :func:`normalize_params`,
  :func:`build_diff`;
* :func:`image_facts` reads one image (size, features, parent, snapshots and their clone
  children) through a :class:`CephClient`;
* :class:`ImagePlanner` compares the wanted state with the facts and returns the list of
  actions (each a label and a callable) WITHOUT changing anything, failing early on bad
  requests; :func:`apply_actions` then runs them.  Check mode stops after planning.

Every librbd exception is turned into :class:`CephClientError` carrying its errno
(``rbd.PermissionError`` -> EPERM), so refused operations surface as ``errno: 1``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import errno
import re

from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_client import CephClientError, rbd, rbd_errors
from ansible_collections.eucalyptus.ceph.plugins.module_utils._names import image_name_error, pool_name_error

# -- sizes ---------------------------------------------------------------------------------
_UNITS = {"": 0, "K": 1, "M": 2, "G": 3, "T": 4, "P": 5, "E": 6}
_SIZE_RE = re.compile(r"(\d+(?:\.\d+)?) *(?:([KMGTPE])(?:i?B)?|B)?", re.IGNORECASE)


def parse_size(value):
    """Bytes from an int or a string with an optional binary unit.

    ``1073741824``, ``'1073741824'``, ``'1G'``, ``'1GiB'``, ``'1GB'``, ``'1g'`` and
    ``'1024M'`` are all 1 GiB: units are powers of 1024, as for the ``rbd`` CLI.
    Fractions are accepted when they give a whole number of bytes (``'1.5G'``).
    Raises ValueError for anything else, zero and negative sizes.
    """
    if isinstance(value, bool):
        raise ValueError("invalid size %r: give bytes as an integer or a string like '10G' or '512M'" % (value,))
    if isinstance(value, int):
        size = value
    elif isinstance(value, float) and value.is_integer():
        size = int(value)
    elif isinstance(value, str):
        match = _SIZE_RE.fullmatch(value.strip(" "))  # spaces only: never a newline or tab
        if not match:
            raise ValueError("invalid size %r: give bytes as an integer or a string like '10G' or '512M' "
                             "(binary units K, M, G, T, P, E)" % (value,))
        number, unit = match.group(1), (match.group(2) or "").upper()
        scale = 1024 ** _UNITS[unit]
        if "." in number:
            whole, frac = number.split(".")
            num = int(whole + frac) * scale
            den = 10 ** len(frac)
            if num % den:
                raise ValueError("invalid size %r: it is not a whole number of bytes" % (value,))
            size = num // den
        else:
            size = int(number) * scale
    else:
        raise ValueError("invalid size %r: give bytes as an integer or a string like '10G' or '512M'" % (value,))
    if size <= 0:
        raise ValueError("invalid size %r: it must be more than 0 bytes" % (value,))
    return size


def human_size(size):
    """1073741824 -> '1 GiB' (for messages)."""
    for unit in ("EiB", "PiB", "TiB", "GiB", "MiB", "KiB"):
        scale = 1024 ** (_UNITS[unit[0]])
        if size >= scale and size % scale == 0:
            return "%d %s" % (size // scale, unit)
    return "%d bytes" % size


# -- features -------------------------------------------------------------------------------
FEATURE_BITS = {
    "layering": 1,
    "striping": 2,
    "exclusive-lock": 4,
    "object-map": 8,
    "fast-diff": 16,
    "deep-flatten": 32,
    "journaling": 64,
    "data-pool": 128,
    "operations": 256,
    "migrating": 512,
    "non-primary": 1024,
}
# Features a user may ask for (striping needs stripe parameters, the others are internal).
REQUESTABLE = ("layering", "exclusive-lock", "object-map", "fast-diff", "deep-flatten", "journaling")
MANAGED_MASK = sum(FEATURE_BITS[f] for f in REQUESTABLE)
DEFAULT_FEATURES = ["layering"]  # what Eucalyptus' SC creates: format 2, layering only
_REQUIRES = (("object-map", "exclusive-lock"), ("fast-diff", "object-map"), ("journaling", "exclusive-lock"))
# librbd (Pacific, measured) always sets and clears object-map and fast-diff together, at
# creation and in update_features, and refuses (EINVAL) to enable a feature that is on or
# to disable one that is off.  So object-map means object-map + fast-diff here.
_COUPLED = ("object-map", "fast-diff")
# What librbd can switch on an existing image (deep-flatten only off), in a valid order.
_ENABLE_ORDER = (("exclusive-lock",), _COUPLED, ("journaling",))
_DISABLE_ORDER = (("journaling",), _COUPLED, ("exclusive-lock",), ("deep-flatten",))


def feature_names(mask):
    return [name for name, bit in sorted(FEATURE_BITS.items(), key=lambda kv: kv[1]) if mask & bit]


def features_mask(names):
    """Bitmask of a list of feature names; ValueError for unknown names or missing dependencies."""
    wanted = set()
    for name in names:
        norm = str(name).strip().lower().replace("_", "-")
        if norm not in REQUESTABLE:
            raise ValueError("unknown or unsupported RBD feature %r: choose from %s"
                             % (name, ", ".join(REQUESTABLE)))
        wanted.add(norm)
    for feature, needs in _REQUIRES:
        if feature in wanted and needs not in wanted:
            raise ValueError("RBD feature %s needs %s" % (feature, needs))
    if "object-map" in wanted:
        wanted.add("fast-diff")  # librbd adds it anyway (see _COUPLED)
    return sum(FEATURE_BITS[f] for f in wanted)


# -- names ----------------------------------------------------------------------------------
_SNAP_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.:-]{0,254}")


def snapshot_name_error(name):
    if not isinstance(name, str) or not _SNAP_RE.fullmatch(name):
        return ("invalid snapshot name %r: use 1-255 characters from A-Z a-z 0-9 _ . : -, no '/' or '@'"
                % (name,))
    return None


def normalize_params(params):
    """Check the module parameters; return the normalized request or raise ValueError.

    Returns a dict with ``size`` (bytes or None), ``features`` (mask or None: keep),
    ``create_features`` (mask used when the image is created), ``parent`` (dict or None)
    and ``snapshots`` (list of {name, state, protected}).
    """
    state = params.get("state") or "present"
    for key in ("pool", "name"):
        check = pool_name_error if key == "pool" else image_name_error
        err = check(params.get(key))
        if err:
            raise ValueError(err)
    if params.get("rename_to") is not None:
        err = image_name_error(params["rename_to"])
        if err:
            raise ValueError("rename_to: " + err)
        if params["rename_to"] == params["name"]:
            raise ValueError("rename_to must differ from name")
    if state == "absent":
        given = [k for k in ("size", "features", "parent", "snapshots", "rename_to")
                 if params.get(k) not in (None, [])]
        if params.get("flatten"):
            given.append("flatten")
        if given:
            raise ValueError("%s cannot be used with state=absent" % ", ".join(sorted(given)))
    out = {"size": None, "features": None, "create_features": features_mask(DEFAULT_FEATURES),
           "parent": None, "snapshots": []}
    if params.get("size") is not None:
        out["size"] = parse_size(params["size"])
    if params.get("features") is not None:
        out["features"] = features_mask(params["features"])
        out["create_features"] = out["features"]
    parent = params.get("parent")
    if parent:
        parent = dict(parent)
        parent["pool"] = parent.get("pool") or params["pool"]
        for key, check in (("pool", pool_name_error), ("image", image_name_error),
                           ("snapshot", snapshot_name_error)):
            err = check(parent.get(key))
            if err:
                raise ValueError("parent: " + err)
        if not out["create_features"] & FEATURE_BITS["layering"]:
            raise ValueError("a clone (parent) needs the layering feature")
        out["parent"] = {"pool": parent["pool"], "image": parent["image"], "snapshot": parent["snapshot"]}
    seen = set()
    for snap in params.get("snapshots") or []:
        name = snap.get("name")
        err = snapshot_name_error(name)
        if err:
            raise ValueError("snapshots: " + err)
        if name in seen:
            raise ValueError("snapshots: %s is listed twice" % name)
        seen.add(name)
        sstate = snap.get("state") or "present"
        protected = snap.get("protected")
        if sstate == "absent" and protected:
            raise ValueError("snapshots: %s cannot be both absent and protected" % name)
        out["snapshots"].append({"name": name, "state": sstate, "protected": protected})
    return out


# -- reading ----------------------------------------------------------------------------------
def spec(pool, image, snapshot=None):
    return "%s/%s%s" % (pool, image, "@" + snapshot if snapshot else "")


def _child_spec(child):
    ns = child.get("pool_namespace") or ""
    return "%s/%s%s" % (child["pool"], ns + "/" if ns else "", child["image"])


def image_facts(client, pool, name):
    """Facts of ``pool/name``, or None when there is no such image.

    Raises CephClientError (ENOENT) when the pool itself does not exist.
    """
    ioctx = client.ioctx(pool)
    what = "cannot read image %s" % spec(pool, name)
    with rbd_errors(what):
        try:
            image = rbd.Image(ioctx, name, read_only=True)
        except rbd.ImageNotFound:
            return None
        try:
            stat = image.stat()
            mask = image.features()
            try:
                p_pool, p_image, p_snap = image.parent_info()
                parent = {"pool": p_pool, "image": p_image, "snapshot": p_snap}
            except rbd.ImageNotFound:
                parent = None
            snapshots = []
            for snap in image.list_snaps():
                if snap.get("namespace", 0) != 0:  # trash/group/mirror snapshots are not the user's
                    continue
                sname = snap["name"]
                image.set_snap(sname)
                try:
                    children = sorted(_child_spec(c) for c in image.list_children2() if not c.get("trash"))
                finally:
                    image.set_snap(None)
                snapshots.append({
                    "name": sname,
                    "id": snap["id"],
                    "size": snap["size"],
                    "protected": bool(image.is_protected_snap(sname)),
                    "children": children,
                })
            facts = {
                "pool": pool,
                "name": name,
                "id": image.id(),
                "size": stat["size"],
                "order": stat["order"],
                "object_size": stat["obj_size"],
                "format": 1 if image.old_format() else 2,
                "features": feature_names(mask),
                "features_mask": mask,
                "parent": parent,
                "snapshots": snapshots,
            }
        finally:
            image.close()
    return facts


def children_of(facts):
    """snapshot name -> list of 'pool/image' clones of it."""
    if not facts:
        return {}
    return dict((s["name"], list(s["children"])) for s in facts.get("snapshots", []))


def summarize(facts):
    """What the diff shows of an image."""
    if not facts:
        return {"state": "absent"}
    parent = facts.get("parent")
    return {
        "state": "present",
        "image": spec(facts["pool"], facts["name"]),
        "size": facts["size"],
        "features": list(facts["features"]),
        "parent": spec(parent["pool"], parent["image"], parent["snapshot"]) if parent else None,
        "snapshots": dict((s["name"], {"protected": s["protected"]}) for s in facts.get("snapshots", [])),
    }


def build_diff(before, after):
    return {"before": summarize(before), "after": summarize(after)}


# -- planning ---------------------------------------------------------------------------------
class PlanError(CephClientError):
    """The request cannot be carried out; nothing was changed."""


class ImagePlanner:
    """Work out the actions that bring one image to the wanted state, changing nothing.

    ``plan()`` returns ``(before, predicted_after, actions)``: ``actions`` is a list of
    ``(label, callable)`` to be run in order by :func:`apply_actions`.
    """

    def __init__(self, client, params, request):
        self.client = client
        self.params = params
        self.req = request
        self.pool = params["pool"]
        self.actions = []

    # actions ------------------------------------------------------------------------------
    def _add(self, label, func):
        self.actions.append((label, func))

    def _on_image(self, pool, name, what, method, *args, **kwargs):
        """A callable that opens pool/name read-write and calls ``method`` on it."""
        client = self.client

        def run():
            with rbd_errors("%s %s" % (what, spec(pool, name))):
                image = rbd.Image(client.ioctx(pool), name)
                try:
                    getattr(image, method)(*args, **kwargs)
                finally:
                    image.close()
        return run

    # plan ---------------------------------------------------------------------------------
    def plan(self):
        if (self.params.get("state") or "present") == "absent":
            return self._plan_absent()
        return self._plan_present()

    def _plan_absent(self):
        name = self.params["name"]
        before = image_facts(self.client, self.pool, name)
        if before is None:
            return None, None, []
        with_children = dict((s["name"], s["children"]) for s in before["snapshots"] if s["children"])
        if with_children:
            raise PlanError(
                "cannot remove %s: it has clone children (%s); flatten or remove them first"
                % (spec(self.pool, name), "; ".join("%s -> %s" % (k, ", ".join(v)) for k, v in sorted(with_children.items()))),
                errno.EBUSY)
        snaps = before["snapshots"]
        if snaps and not self.params.get("purge_snapshots"):
            raise PlanError(
                "cannot remove %s: it has %d snapshot(s) (%s); set purge_snapshots: true to remove them too"
                % (spec(self.pool, name), len(snaps), ", ".join(s["name"] for s in snaps)), errno.ENOTEMPTY)
        for snap in snaps:
            if snap["protected"]:
                self._add("unprotect snapshot %s" % spec(self.pool, name, snap["name"]),
                          self._on_image(self.pool, name, "cannot unprotect a snapshot of", "unprotect_snap", snap["name"]))
            self._add("remove snapshot %s" % spec(self.pool, name, snap["name"]),
                      self._on_image(self.pool, name, "cannot remove a snapshot of", "remove_snap", snap["name"]))
        client, pool = self.client, self.pool

        def remove():
            with rbd_errors("cannot remove image %s" % spec(pool, name)):
                client.rbd().remove(client.ioctx(pool), name)
        self._add("remove image %s" % spec(pool, name), remove)
        return before, None, self.actions

    def _plan_present(self):
        name = self.params["name"]
        rename_to = self.params.get("rename_to")
        before = image_facts(self.client, self.pool, name)
        target = name
        if rename_to:
            existing = image_facts(self.client, self.pool, rename_to)
            if before is not None and existing is not None:
                raise PlanError("cannot rename %s to %s: both images exist"
                                % (spec(self.pool, name), rename_to), errno.EEXIST)
            if before is not None:
                client, pool = self.client, self.pool

                def rename():
                    with rbd_errors("cannot rename image %s to %s" % (spec(pool, name), rename_to)):
                        client.rbd().rename(client.ioctx(pool), name, rename_to)
                self._add("rename image %s to %s" % (spec(pool, name), rename_to), rename)
            elif existing is not None:
                before = existing  # already renamed: converge the renamed image
            else:
                raise PlanError("cannot rename %s to %s: neither image exists"
                                % (spec(self.pool, name), rename_to), errno.ENOENT)
            target = rename_to
        after = copy.deepcopy(before)
        if after is not None:
            after["name"] = target
        if after is None:
            after = self._plan_create(target)
        else:
            self._check_parent(after)
            self._plan_features(after)
        self._plan_size(after)
        if self.params.get("flatten") and after["parent"]:
            self._add("flatten %s" % spec(self.pool, target),
                      self._on_image(self.pool, target, "cannot flatten", "flatten"))
            after["parent"] = None
        self._plan_snapshots(after)
        return before, after, self.actions

    def _plan_create(self, target):
        req, pool = self.req, self.pool
        client = self.client
        features = req["create_features"]
        parent = req["parent"]
        if parent:
            pfacts = image_facts(client, parent["pool"], parent["image"])
            pspec = spec(parent["pool"], parent["image"], parent["snapshot"])
            if pfacts is None:
                raise PlanError("cannot clone %s: parent image %s does not exist"
                                % (pspec, spec(parent["pool"], parent["image"])), errno.ENOENT)
            psnap = [s for s in pfacts["snapshots"] if s["name"] == parent["snapshot"]]
            if not psnap:
                raise PlanError("cannot clone %s: the parent has no snapshot %s" % (pspec, parent["snapshot"]),
                                errno.ENOENT)
            if not psnap[0]["protected"]:
                if not self.params.get("protect_parent"):
                    raise PlanError("cannot clone %s: the parent snapshot is not protected; protect it first "
                                    "or set protect_parent: true" % pspec, errno.EINVAL)
                self._add("protect parent snapshot %s" % pspec,
                          self._on_image(parent["pool"], parent["image"], "cannot protect a snapshot of",
                                         "protect_snap", parent["snapshot"]))

            def clone():
                with rbd_errors("cannot clone %s into %s" % (pspec, spec(pool, target))):
                    client.rbd().clone(client.ioctx(parent["pool"]), parent["image"], parent["snapshot"],
                                       client.ioctx(pool), target, features=features)
            self._add("clone %s into %s" % (pspec, spec(pool, target)), clone)
            size, order = psnap[0]["size"], pfacts["order"]
        else:
            if req["size"] is None:
                raise PlanError("image %s does not exist: give size (or parent) to create it"
                                % spec(pool, target), errno.ENOENT)
            size, order = req["size"], 22

            def create():
                with rbd_errors("cannot create image %s" % spec(pool, target)):
                    client.rbd().create(client.ioctx(pool), target, size, old_format=False, features=features)
            self._add("create image %s (%s, features %s)"
                      % (spec(pool, target), human_size(size), ",".join(feature_names(features))), create)
        return {
            "pool": pool, "name": target, "id": None, "size": size, "order": order,
            "object_size": 1 << order, "format": 2, "features": feature_names(features),
            "features_mask": features, "parent": dict(parent) if parent else None, "snapshots": [],
        }

    def _check_parent(self, after):
        want = self.req["parent"]
        have = after["parent"]
        if want and have and have != want:
            raise PlanError("image %s exists and is a clone of %s, not of %s"
                            % (spec(self.pool, after["name"]), spec(have["pool"], have["image"], have["snapshot"]),
                               spec(want["pool"], want["image"], want["snapshot"])), errno.EEXIST)

    def _plan_features(self, after):
        want = self.req["features"]
        if want is None:
            return
        have = after["features_mask"]
        if (have & MANAGED_MASK) == want:
            return
        target = spec(self.pool, after["name"])
        layering = FEATURE_BITS["layering"]
        if (have ^ want) & layering:
            raise PlanError("cannot %s the layering feature of the existing image %s"
                            % ("enable" if want & layering else "disable", target), errno.EINVAL)
        if want & ~have & FEATURE_BITS["deep-flatten"]:
            raise PlanError("cannot enable deep-flatten on the existing image %s: it can only be set at creation"
                            % target, errno.EINVAL)
        name = after["name"]
        for group in _DISABLE_ORDER:
            bits = sum(FEATURE_BITS[f] for f in group)
            if have & bits & ~want:
                label = ", ".join(feature_names(have & bits & ~want))
                self._add("disable feature %s of %s" % (label, target),
                          self._on_image(self.pool, name, "cannot disable %s on" % label,
                                         "update_features", have & bits & ~want, False))
        for group in _ENABLE_ORDER:
            bits = sum(FEATURE_BITS[f] for f in group)
            if want & bits & ~have:
                label = ", ".join(feature_names(want & bits & ~have))
                self._add("enable feature %s of %s" % (label, target),
                          self._on_image(self.pool, name, "cannot enable %s on" % label,
                                         "update_features", want & bits & ~have, True))
                if group == _COUPLED:
                    self._add("rebuild object map of %s" % target,
                              self._on_image(self.pool, name, "cannot rebuild the object map of",
                                             "rebuild_object_map"))
        after["features_mask"] = (have & ~MANAGED_MASK) | want
        after["features"] = feature_names(after["features_mask"])

    def _plan_size(self, after):
        size = self.req["size"]
        if size is None or size == after["size"]:
            return
        target = spec(self.pool, after["name"])
        if size < after["size"] and not self.params.get("allow_shrink"):
            raise PlanError("refusing to shrink %s from %s to %s (data beyond the new size is lost): "
                            "set allow_shrink: true" % (target, human_size(after["size"]), human_size(size)),
                            errno.EINVAL)
        self._add("resize %s from %s to %s" % (target, human_size(after["size"]), human_size(size)),
                  self._on_image(self.pool, after["name"], "cannot resize", "resize", size, allow_shrink=True))
        after["size"] = size

    def _plan_snapshots(self, after):
        name = after["name"]
        by_name = dict((s["name"], s) for s in after["snapshots"])
        layering = after["features_mask"] & FEATURE_BITS["layering"]
        for want in self.req["snapshots"]:
            sname = want["name"]
            sspec = spec(self.pool, name, sname)
            have = by_name.get(sname)
            if want["state"] == "absent":
                if have is None:
                    continue
                if have["children"]:
                    raise PlanError("cannot remove snapshot %s: it has clone children (%s); flatten or remove them "
                                    "first" % (sspec, ", ".join(have["children"])), errno.EBUSY)
                if have["protected"]:
                    self._add("unprotect snapshot %s" % sspec,
                              self._on_image(self.pool, name, "cannot unprotect a snapshot of", "unprotect_snap", sname))
                self._add("remove snapshot %s" % sspec,
                          self._on_image(self.pool, name, "cannot remove a snapshot of", "remove_snap", sname))
                after["snapshots"] = [s for s in after["snapshots"] if s["name"] != sname]
                continue
            if have is None:
                self._add("create snapshot %s" % sspec,
                          self._on_image(self.pool, name, "cannot create a snapshot of", "create_snap", sname))
                have = {"name": sname, "id": None, "size": after["size"], "protected": False, "children": []}
                after["snapshots"].append(have)
            if want["protected"] and not have["protected"]:
                if not layering:
                    raise PlanError("cannot protect snapshot %s: the image lacks the layering feature" % sspec,
                                    errno.EINVAL)
                self._add("protect snapshot %s" % sspec,
                          self._on_image(self.pool, name, "cannot protect a snapshot of", "protect_snap", sname))
                have["protected"] = True
            elif want["protected"] is False and have["protected"]:
                if have["children"]:
                    raise PlanError("cannot unprotect snapshot %s: it has clone children (%s); flatten or remove "
                                    "them first" % (sspec, ", ".join(have["children"])), errno.EBUSY)
                self._add("unprotect snapshot %s" % sspec,
                          self._on_image(self.pool, name, "cannot unprotect a snapshot of", "unprotect_snap", sname))
                have["protected"] = False


class ActionFailed(CephClientError):
    """A planned action failed: ``not_done`` names it and the ones after it."""

    def __init__(self, exc, not_done):
        CephClientError.__init__(self, str(exc), exc.errno)
        self.not_done = not_done


def apply_actions(actions, record):
    """Run planned actions in order, calling ``record(label)`` after each one carried out
    (CephModule.did: a failure after one then reports it)."""
    for i, (label, func) in enumerate(actions):
        try:
            func()
        except CephClientError as exc:
            raise ActionFailed(exc, [a[0] for a in actions[i:]])
        record(label)
