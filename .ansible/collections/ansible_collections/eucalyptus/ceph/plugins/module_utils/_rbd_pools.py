# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Replicated RBD pools: read the state, plan the changes, apply them."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno

from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_client import CephClientError

try:
    import rados
except ImportError:  # reported by CephModule before anything here runs
    rados = None

# Object that ``rbd pool init`` (librbd Pool::init) writes after validating the pool.
RBD_INFO_OBJECT = "rbd_info"


def pool_listing(client):
    """Every pool as ``osd pool ls detail`` describes it, by name (one monitor command)."""
    return dict((pool["pool_name"], pool) for pool in client.mon_command("osd pool ls", detail="detail") or [])


def pool_settings(client, name, listing=None):
    """The settings we manage of pool ``name``, or None when it does not exist. ``listing``
    (from pool_listing) saves the monitor command when many pools are read at once."""
    if listing is None:
        listing = pool_listing(client)
    pool = listing.get(name)
    if pool is None:
        return None
    return {
        "name": name,
        "id": pool["pool_id"],
        "type": "replicated" if pool["type"] == 1 else "erasure",
        "size": pool["size"],
        "min_size": pool["min_size"],
        # pg_num converges to pg_num_target step by step (Nautilus and later).
        "pg_num": pool.get("pg_num_target", pool["pg_num"]),
        "pg_autoscale_mode": pool.get("pg_autoscale_mode"),
        "applications": sorted(pool.get("application_metadata", {})),
        "rbd_initialized": _rbd_initialized(client, name),
    }


def _rbd_initialized(client, name):
    try:
        client.ioctx(name).stat(RBD_INFO_OBJECT)
        return True
    except rados.ObjectNotFound:
        return False
    except rados.Error as exc:
        raise CephClientError("cannot read %s in pool %s: %s" % (RBD_INFO_OBJECT, name, exc),
                              getattr(exc, "errno", None))


def desired_error(desired):
    """None when the wanted settings are consistent, else the reason."""
    size, min_size, pg_num = desired.get("size"), desired.get("min_size"), desired.get("pg_num")
    if size is not None and not 1 <= size <= 10:
        return "size must be between 1 and 10, got %d" % size
    if size == 1 and not desired.get("allow_size_one"):
        return ("size 1 keeps a single copy of every volume (one failed disk loses data): set "
                "allow_size_one=true to ask for it (the monitors also need mon_allow_pool_size_one=true)")
    if min_size is not None and min_size < 1:
        return "min_size must be at least 1, got %d" % min_size
    if size is not None and min_size is not None and min_size > size:
        return "min_size (%d) must not be larger than size (%d)" % (min_size, size)
    if pg_num is not None and not 1 <= pg_num <= 32768:
        return "pg_num must be between 1 and 32768, got %d" % pg_num
    return None


def plan(current, desired):
    """Ordered list of ``(var, value)`` pool settings to change; None in ``desired`` = leave as is.

    Size goes first: the monitor resets min_size to min(size, osd_pool_default_min_size)
    whenever the size changes, so a wanted min_size is (re)applied after it.
    """
    changes = []
    size, min_size = desired.get("size"), desired.get("min_size")
    size_changes = size is not None and size != current["size"]
    if size_changes:
        changes.append(("size", size))
    if min_size is not None and (size_changes or min_size != current["min_size"]):
        final_size = size if size is not None else current["size"]
        if min_size > final_size:
            raise ValueError("min_size %d would exceed the pool's size %d" % (min_size, final_size))
        changes.append(("min_size", min_size))
    mode = desired.get("pg_autoscale_mode")
    if mode is not None and mode != current["pg_autoscale_mode"]:
        changes.append(("pg_autoscale_mode", mode))
    effective_mode = mode or current["pg_autoscale_mode"]
    # With the autoscaler on, it owns pg_num: pg_num is only the value a new pool starts with.
    pg_num = desired.get("pg_num")
    if pg_num is not None and effective_mode != "on" and pg_num != current["pg_num"]:
        changes.append(("pg_num", pg_num))
    return changes


def create(client, name, pg_num, autoscale_mode, size=None):
    """Create the pool; ``size`` is given to the create itself, so that a size the monitors
    refuse leaves no pool behind."""
    args = {"pool": name, "pool_type": "replicated"}
    if pg_num is not None:
        args["pg_num"] = pg_num
        args["pgp_num"] = pg_num
    if autoscale_mode is not None:
        args["autoscale_mode"] = autoscale_mode
    if size is not None:
        args["size"] = size
    client.mon_command("osd pool create", **args)


# What a pool created without these settings gets: the monitors' running osd_pool_default_*.
_CREATE_DEFAULTS = (
    ("size", "osd_pool_default_size", int),
    ("min_size", "osd_pool_default_min_size", int),
    ("pg_num", "osd_pool_default_pg_num", int),
    ("pg_autoscale_mode", "osd_pool_default_pg_autoscale_mode", str),
)


def created_settings(client, desired, only=None):
    """``(settings, unknown)``: the managed settings a pool created now with ``desired`` would
    have, computed as the monitors compute them, and the names of those that could not be read.

    Values not given in ``desired`` come from a monitor's running configuration (``config
    show``, answered by the manager; ceph.conf and the configuration database both count).
    min_size follows Ceph's rule: ``osd_pool_default_min_size`` capped at the size, or
    ``size - size / 2`` when that option is 0. ``only`` limits the settings computed.
    """
    mon = client.mon_command("mon dump")["mons"][0]["name"]
    running, unknown = {}, []
    for setting, option, kind in _CREATE_DEFAULTS:
        if (desired.get(setting) is not None and setting != "min_size") or (only and setting not in only):
            continue
        try:
            value = client.mgr_command("config show", who="mon.%s" % mon, key=option, format="plain")
            running[setting] = kind(str(value).strip())
        except (CephClientError, ValueError):
            unknown.append(setting)
    settings = {}
    for setting, _option, _kind in _CREATE_DEFAULTS:
        if desired.get(setting) is not None:
            settings[setting] = desired[setting]
        elif setting == "min_size":
            size = settings.get("size")
            default = running.get("min_size")
            if size is None or default is None:
                settings[setting] = None
                if setting not in unknown:
                    unknown.append(setting)
            else:
                settings[setting] = min(default, size) if default else size - size // 2
        else:
            settings[setting] = running.get(setting)
    if settings.get("pg_autoscale_mode") == "on" and desired.get("pg_num") is None:
        # the autoscaler owns pg_num from the create on (Reef and later start such a pool at 1
        # PG, Pacific at osd_pool_default_pg_num): not a value check mode can promise
        settings["pg_num"] = None
        unknown = [s for s in unknown if s != "pg_num"]
    return settings, sorted(set(s for s in unknown if settings.get(s) is None))


def min_size_for(client, size):
    """The min_size the monitors give a pool of ``size`` (at a create and at every size change),
    or None when their running configuration cannot be read."""
    settings, _unknown = created_settings(client, {"size": size}, only=("min_size",))
    return settings["min_size"]


def size_one_allowed(client):
    """What the configuration database says of ``mon_allow_pool_size_one`` (the monitors also
    read ceph.conf, so a True here is not a promise; a False is checked again by them)."""
    value = client.mon_command("config get", who="mon", key="mon_allow_pool_size_one")
    return str(value).strip().lower() in ("true", "1", "yes")


def setting_label(var, value):
    """How a setting appears in the module's ``changes`` (planned and done alike)."""
    return "set %s to %s" % (var, value)


def apply(client, name, changes, record=None, allow_size_one=False):
    """Apply ``(var, value)`` settings in order; ``record(label)`` is called after each."""
    for var, value in changes:
        args = {}
        if var == "size" and value == 1 and allow_size_one:
            args["yes_i_really_mean_it"] = True
        client.mon_command("osd pool set", pool=name, var=var, val=str(value), **args)
        if record:
            record(setting_label(var, value))


def enable_rbd(client, name, current, record=None):
    """Enable the ``rbd`` application and run the equivalent of ``rbd pool init``."""
    if "rbd" not in current["applications"]:
        client.mon_command("osd pool application enable", pool=name, app="rbd")
        if record:
            record("enable application rbd")
    if not current["rbd_initialized"]:
        client.rbd().pool_init(client.ioctx(name), False)
        if record:
            record("rbd pool init")


def image_count(client, name):
    return len(client.rbd().list(client.ioctx(name)))


def remove(client, name):
    client.forget_ioctx(name)
    try:
        client.mon_command("osd pool rm", pool=name, pool2=name, yes_i_really_really_mean_it=True)
    except CephClientError as exc:
        if exc.errno == errno.EPERM:
            raise CephClientError(
                "the monitors refuse to delete pool %s: set mon_allow_pool_delete=true on the monitors "
                "first (%s)" % (name, exc), exc.errno)
        raise
