# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Read-only facts about a Ceph cluster, as plain functions over a :class:`CephClient`.

Used by the ``ceph_info`` module and reusable for health gates (``cluster_ready``).
Every ``get_*`` function sends monitor commands only through ``CephClient.mon_command``
(typed arguments); every ``parse_*`` function is pure and works on the decoded JSON, so
it can be unit tested without a cluster.

Readiness subtlety (lab pitfall 2): right after OSDs boot or join, the PG states the
monitor reports can be stale ("unknown", or the old mapping still "active+clean") while
health already says HEALTH_OK.  :func:`flush_pg_stats` asks every up OSD to flush its PG
stats and waits until the monitor has seen that sequence number, after which PG states
are at least as new as the call.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import time

from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_client import CephClientError

SUBSETS = ("fsid", "monitors", "health", "osds", "pgs", "flags", "pools", "osd_scheduler")


# -- parsing (pure) ------------------------------------------------------------------------
def split_addr(addr):
    """'127.0.0.1:6789/0' or '[::1]:3300' -> ('127.0.0.1', 6789) / ('::1', 3300)."""
    if not addr:
        return None, None
    addr = addr.split("/", 1)[0]
    host, sep, port = addr.rpartition(":")
    if not sep:
        return addr, None
    host = host.strip("[]")
    try:
        return host, int(port)
    except ValueError:
        return host, None


def parse_monitors(mon_dump):
    """The monitors of a ``mon dump``: name, rank, host, v1 and v2 addresses, quorum."""
    quorum = set(mon_dump.get("quorum") or [])
    monitors = []
    for mon in mon_dump.get("mons") or []:
        v1 = v2 = None
        for entry in (mon.get("public_addrs") or {}).get("addrvec") or []:
            addr = entry.get("addr", "").split("/", 1)[0]
            if entry.get("type") == "v1" and v1 is None:
                v1 = addr
            elif entry.get("type") == "v2" and v2 is None:
                v2 = addr
        if v1 is None and v2 is None and mon.get("addr"):
            # Pre-Nautilus monmap entry: only the legacy address (v1 protocol).
            v1 = mon["addr"].split("/", 1)[0]
        host = split_addr(v1 or v2)[0]
        monitors.append({
            "name": mon.get("name"),
            "rank": mon.get("rank"),
            "host": host,
            "v1": v1,
            "v2": v2,
            "v1_port": split_addr(v1)[1] if v1 else None,
            "v2_port": split_addr(v2)[1] if v2 else None,
            "in_quorum": mon.get("rank") in quorum,
        })
    return monitors


def parse_health(health):
    """``health detail`` -> status, ok, and a summary of every check."""
    checks = {}
    for name, check in sorted((health.get("checks") or {}).items()):
        summary = check.get("summary") or {}
        checks[name] = {
            "severity": check.get("severity"),
            "summary": summary.get("message", ""),
            "count": summary.get("count"),
            "muted": bool(check.get("muted", False)),
            "detail": [d.get("message", "") for d in check.get("detail") or []],
        }
    status = health.get("status", "HEALTH_UNKNOWN")
    return {"status": status, "ok": status == "HEALTH_OK", "checks": checks}


def parse_osds(osd_tree, osd_dump):
    """OSD summary: per-OSD state and weight, hosts -> OSD ids, up/in counts."""
    dump_by_id = dict((o["osd"], o) for o in osd_dump.get("osds") or [])
    nodes = osd_tree.get("nodes") or []
    host_of = {}
    hosts = {}
    for node in nodes:
        if node.get("type") == "host":
            ids = sorted(c for c in node.get("children") or [] if c >= 0)
            hosts[node["name"]] = ids
            for c in ids:
                host_of[c] = node["name"]
    osds = []
    tree_by_id = dict((n["id"], n) for n in nodes if n.get("type") == "osd")
    for stray in osd_tree.get("stray") or []:
        tree_by_id.setdefault(stray["id"], stray)
    for osd_id in sorted(set(dump_by_id) | set(tree_by_id)):
        d = dump_by_id.get(osd_id, {})
        t = tree_by_id.get(osd_id, {})
        up = bool(d.get("up", t.get("status") == "up"))
        is_in = bool(d.get("in", t.get("reweight", 0) > 0))
        # registered (osd new) but never booted: a creation that did not finish; no data
        never_started = "new" in (d.get("state") or [])
        osds.append({
            "id": osd_id,
            "name": t.get("name", "osd.%d" % osd_id),
            "host": host_of.get(osd_id),
            "up": up,
            "in": is_in,
            "crush_weight": t.get("crush_weight"),
            "reweight": t.get("reweight", d.get("weight")),
            "device_class": t.get("device_class"),
            "never_started": never_started,
        })
    started = [o for o in osds if not o["never_started"]]
    return {
        "total": len(osds),
        "up": sum(1 for o in osds if o["up"]),
        "in": sum(1 for o in osds if o["in"]),
        # an OSD that never started holds no data and is down by nature: it does not count
        "all_up_in": all(o["up"] and o["in"] for o in started),
        "never_started": [o["id"] for o in osds if o["never_started"]],
        "hosts": hosts,
        "osds": osds,
    }


# what an active+clean PG may be doing besides and still be clean (its data in place)
CLEAN_ACTIVITIES = frozenset(("scrubbing", "deep", "snaptrim", "snaptrim_wait"))


def is_active_clean(state):
    """A PG state such as ``active+clean+scrubbing+deep``: active and clean, and only scrubbing
    or trimming snapshots besides. A cluster always scrubs somewhere; a gate that wanted the
    bare ``active+clean`` would wait for a moment without any scrub. ``remapped`` (data still
    to move), ``stale`` and the rest are not clean; scrub errors (``inconsistent``) are not
    either (the health gate reports them as PG_DAMAGED)."""
    parts = set(state.split("+"))
    return set(("active", "clean")) <= parts and parts - set(("active", "clean")) <= CLEAN_ACTIVITIES


def parse_pgs(pg_stat):
    """``pg stat`` -> counts by state, num_pgs, all_active_clean."""
    summary = pg_stat.get("pg_summary", pg_stat)
    by_state = {}
    for entry in summary.get("num_pg_by_state") or []:
        by_state[entry["name"]] = by_state.get(entry["name"], 0) + int(entry["num"])
    num_pgs = int(summary.get("num_pgs", sum(by_state.values())))
    clean = sum(n for state, n in by_state.items() if is_active_clean(state))
    return {
        "num_pgs": num_pgs,
        "by_state": by_state,
        "active_clean": clean,
        "all_active_clean": clean == num_pgs and sum(by_state.values()) == num_pgs,
    }


def parse_flags(osd_dump):
    """The OSD map flags that are set (noout, norebalance... and the internal ones)."""
    flags = osd_dump.get("flags_set")
    if flags is None:
        flags = [f for f in (osd_dump.get("flags") or "").split(",") if f]
    return sorted(flags)


_POOL_TYPES = {1: "replicated", 3: "erasure"}


def parse_pools(osd_dump):
    pools = []
    for p in osd_dump.get("pools") or []:
        pools.append({
            "name": p["pool_name"],
            "id": p["pool"],
            "type": _POOL_TYPES.get(p.get("type"), str(p.get("type"))),
            "size": p.get("size"),
            "min_size": p.get("min_size"),
            "pg_num": p.get("pg_num"),
            "pgp_num": p.get("pg_placement_num"),
            "pg_num_target": p.get("pg_num_target"),
            "autoscale_mode": p.get("pg_autoscale_mode"),
            "crush_rule": p.get("crush_rule"),
            "application": sorted((p.get("application_metadata") or {}).keys()),
            "quota_max_bytes": p.get("quota_max_bytes"),
            "quota_max_objects": p.get("quota_max_objects"),
        })
    return sorted(pools, key=lambda p: p["id"])


def cluster_ready(health, osds, pgs):
    """The health gate: HEALTH_OK, every OSD up and in, every PG active+clean.

    Only trustworthy when ``pgs`` was read after :func:`flush_pg_stats`.
    """
    return bool(health["ok"] and osds["total"] > 0 and osds["all_up_in"] and pgs["all_active_clean"])


# -- reading (one monitor command each) ------------------------------------------------------
def get_fsid(client):
    return client.mon_command("fsid")["fsid"]


def get_monitors(client):
    return parse_monitors(client.mon_command("mon dump"))


def get_health(client):
    return parse_health(client.mon_command("health", detail="detail"))


def get_osds(client, osd_dump=None):
    return parse_osds(client.mon_command("osd tree"), osd_dump or client.mon_command("osd dump"))


def get_pgs(client):
    return parse_pgs(client.mon_command("pg stat"))


def get_flags(client, osd_dump=None):
    return parse_flags(osd_dump or client.mon_command("osd dump"))


def _config_get(client, who, key):
    """``config get WHO KEY`` as text (the monitors answer with the value or its default);
    None for an option this release does not know."""
    try:
        # plain: the monitors answer `config get` with the bare value, JSON or not ("wpq")
        value = client.mon_command("config get", who=who, key=key, format="plain")
    except CephClientError as exc:
        if exc.errno == errno.ENOENT:
            return None
        raise
    return str(value).strip() if value is not None else None


def get_osd_scheduler(client):
    """The OSDs' op scheduler as the monitors' configuration gives it: ``op_queue`` (wpq, or
    mclock_scheduler - the default since Quincy), and with mClock its ``mclock_profile`` and
    ``override_recovery_settings``. Under mClock without the override, the OSDs keep
    osd_max_backfills and osd_recovery_max_active to the profile's values and the recovery
    sleeps at 0: a backfill is throttled through the profile (high_client_ops), not those.
    A value in an OSD host's ceph.conf is not seen here."""
    op_queue = _config_get(client, "osd", "osd_op_queue")
    mclock = op_queue == "mclock_scheduler"
    override = _config_get(client, "osd", "osd_mclock_override_recovery_settings") if mclock else None
    overridden = override.lower() == "true" if override is not None else None
    return {
        "op_queue": op_queue,
        "mclock_profile": _config_get(client, "osd", "osd_mclock_profile") if mclock else None,
        "override_recovery_settings": overridden,
        "recovery_limits_apply": not mclock or bool(overridden),
    }


def get_pools(client, osd_dump=None):
    return parse_pools(osd_dump or client.mon_command("osd dump"))


def flush_pg_stats(client, timeout=60, osd_dump=None, sleep=time.sleep, clock=time.monotonic):
    """Ask every up OSD to flush its PG stats and wait until the monitor has them.

    Returns a dict: ``osds`` (ids flushed), ``skipped`` (id -> reason, e.g. an OSD that
    died after the map was read) and ``seconds``.  Raises :class:`CephClientError` with
    ETIMEDOUT when the monitor does not catch up within ``timeout`` seconds, and lets
    permission errors through (the user needs ``osd`` caps allowing ``tell``).
    """
    start = clock()
    deadline = start + timeout
    dump = osd_dump or client.mon_command("osd dump")
    want = {}
    skipped = {}
    for osd in dump.get("osds") or []:
        if not osd.get("up"):
            continue
        osd_id = int(osd["osd"])
        try:
            out = client.osd_command(osd_id, "flush_pg_stats")
        except CephClientError as exc:
            if exc.errno in (errno.EPERM, errno.EACCES):
                raise CephClientError("cannot flush PG stats of osd.%d: %s" % (osd_id, exc), exc.errno)
            skipped[osd_id] = str(exc)
            continue
        try:
            want[osd_id] = int(out.strip())
        except ValueError:
            skipped[osd_id] = "unexpected flush_pg_stats reply %r" % out
    for osd_id, seq in sorted(want.items()):
        while True:
            # Pacific answers this one with an empty body when asked for JSON: use plain text.
            seen = client.mon_command("osd last-stat-seq", id=osd_id, format="plain").strip()
            if seen and int(seen) >= seq:
                break
            if clock() > deadline:
                raise CephClientError(
                    "PG stats of osd.%d did not reach the monitor within %d s (seq %s < %d)"
                    % (osd_id, timeout, seen, seq), errno.ETIMEDOUT)
            sleep(0.2)
    return {"osds": sorted(want), "skipped": skipped, "seconds": round(clock() - start, 3)}


def gather_facts(client, subsets=SUBSETS, flush=False, flush_timeout=60):
    """Facts for the named subsets (see :data:`SUBSETS`), reading each map once.

    With ``flush``, PG stats are flushed before PG states (and health) are read.
    ``ready`` (see :func:`cluster_ready`) is added when health, osds and pgs are gathered.
    """
    subsets = list(subsets)
    unknown = [s for s in subsets if s not in SUBSETS]
    if unknown:
        raise ValueError("unknown fact subset(s): %s" % ", ".join(unknown))
    facts = {}
    osd_dump = None
    if set(subsets) & set(("osds", "flags", "pools")) or flush:
        osd_dump = client.mon_command("osd dump")
    if flush:
        facts["pg_stats_flush"] = flush_pg_stats(client, timeout=flush_timeout, osd_dump=osd_dump)
    if "fsid" in subsets or "monitors" in subsets:
        mon_dump = client.mon_command("mon dump")
        if "fsid" in subsets:
            facts["fsid"] = mon_dump.get("fsid")
        if "monitors" in subsets:
            facts["monitors"] = parse_monitors(mon_dump)
    if "health" in subsets:
        facts["health"] = get_health(client)
    if "osds" in subsets:
        facts["osds"] = get_osds(client, osd_dump)
    if "pgs" in subsets:
        facts["pgs"] = get_pgs(client)
        facts["pgs"]["stats_flushed"] = bool(flush)
    if "flags" in subsets:
        facts["flags"] = parse_flags(osd_dump)
    if "pools" in subsets:
        facts["pools"] = parse_pools(osd_dump)
    if "osd_scheduler" in subsets:
        facts["osd_scheduler"] = get_osd_scheduler(client)
    if all(s in facts for s in ("health", "osds", "pgs")):
        facts["ready"] = cluster_ready(facts["health"], facts["osds"], facts["pgs"])
    return facts
