"""Unit tests of cluster_facts: parsing of real Pacific outputs and the PG stats flush."""
import errno

import pytest

from ansible_collections.eucalyptus.ceph.plugins.module_utils import _cluster_facts as cf
from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_client import CephClientError

# Trimmed outputs of a Pacific 16.2.15 lab cluster.
MON_DUMP = {
    "epoch": 1, "fsid": "fe850bea-5a92-49d3-90ce-54713273d73b", "quorum": [0],
    "mons": [
        {"rank": 0, "name": "a", "public_addrs": {"addrvec": [
            {"type": "v2", "addr": "127.0.0.4:3300", "nonce": 0},
            {"type": "v1", "addr": "127.0.0.4:6789", "nonce": 0}]},
         "addr": "127.0.0.4:6789/0", "public_addr": "127.0.0.4:6789/0"},
        {"rank": 1, "name": "b", "addr": "10.0.0.2:6789/0"},                 # legacy entry
        {"rank": 2, "name": "c", "public_addrs": {"addrvec": [
            {"type": "v2", "addr": "[fd00::3]:3300", "nonce": 0}]}},          # v2 only, IPv6
    ],
}
OSD_TREE = {"nodes": [
    {"id": -1, "name": "default", "type": "root", "children": [-3, -5]},
    {"id": -3, "name": "vm", "type": "host", "children": [2, 1, 0]},
    {"id": -5, "name": "vm2", "type": "host", "children": [3]},
    {"id": 0, "name": "osd.0", "type": "osd", "crush_weight": 0.002, "status": "up", "reweight": 1,
     "device_class": "hdd"},
    {"id": 1, "name": "osd.1", "type": "osd", "crush_weight": 0.002, "status": "up", "reweight": 1,
     "device_class": "hdd"},
    {"id": 2, "name": "osd.2", "type": "osd", "crush_weight": 0.002, "status": "down", "reweight": 0,
     "device_class": "hdd"},
    {"id": 3, "name": "osd.3", "type": "osd", "crush_weight": 0.004, "status": "up", "reweight": 1,
     "device_class": "ssd"},
], "stray": []}
OSD_DUMP = {
    "flags": "noout,sortbitwise,recovery_deletes",
    "flags_set": ["noout", "recovery_deletes", "sortbitwise"],
    "osds": [{"osd": 0, "up": 1, "in": 1}, {"osd": 1, "up": 1, "in": 1}, {"osd": 2, "up": 0, "in": 0},
             {"osd": 3, "up": 1, "in": 1}],
    "pools": [
        {"pool": 2, "pool_name": "eucasnapshots", "type": 1, "size": 2, "min_size": 1, "pg_num": 8,
         "pg_placement_num": 8, "pg_num_target": 8, "pg_autoscale_mode": "off", "crush_rule": 0,
         "application_metadata": {"rbd": {}}},
        {"pool": 1, "pool_name": "eucavolumes", "type": 1, "size": 3, "min_size": 2, "pg_num": 32,
         "pg_placement_num": 32, "pg_num_target": 32, "pg_autoscale_mode": "on", "crush_rule": 0,
         "application_metadata": {}},
    ],
}
PG_STAT = {"pg_ready": True, "pg_summary": {
    "num_pg_by_state": [{"name": "active+clean", "num": 30}, {"name": "active+undersized+degraded", "num": 2}],
    "num_pgs": 32}}
HEALTH = {"status": "HEALTH_WARN", "checks": {
    "OSDMAP_FLAGS": {"severity": "HEALTH_WARN", "summary": {"message": "noout flag(s) set", "count": 1},
                     "detail": [], "muted": False},
    "OSD_DOWN": {"severity": "HEALTH_WARN", "summary": {"message": "1 osds down", "count": 1},
                 "detail": [{"message": "osd.2 (root=default,host=vm) is down"}]}}}


def test_monitors():
    mons = cf.parse_monitors(MON_DUMP)
    assert mons[0] == {"name": "a", "rank": 0, "host": "127.0.0.4", "v1": "127.0.0.4:6789", "v2": "127.0.0.4:3300",
                       "v1_port": 6789, "v2_port": 3300, "in_quorum": True}
    assert mons[1]["v1"] == "10.0.0.2:6789" and mons[1]["v2"] is None and not mons[1]["in_quorum"]
    assert mons[2]["host"] == "fd00::3" and mons[2]["v2_port"] == 3300 and mons[2]["v1"] is None


def test_split_addr():
    assert cf.split_addr("127.0.0.1:6789/0") == ("127.0.0.1", 6789)
    assert cf.split_addr("[::1]:3300") == ("::1", 3300)
    assert cf.split_addr("") == (None, None)


def test_health():
    h = cf.parse_health(HEALTH)
    assert h["status"] == "HEALTH_WARN" and h["ok"] is False
    assert h["checks"]["OSDMAP_FLAGS"]["summary"] == "noout flag(s) set"
    assert h["checks"]["OSD_DOWN"]["detail"] == ["osd.2 (root=default,host=vm) is down"]
    assert cf.parse_health({"status": "HEALTH_OK", "checks": {}}) == {"status": "HEALTH_OK", "ok": True, "checks": {}}


def test_osds():
    o = cf.parse_osds(OSD_TREE, OSD_DUMP)
    assert o["hosts"] == {"vm": [0, 1, 2], "vm2": [3]}
    assert (o["total"], o["up"], o["in"], o["all_up_in"]) == (4, 3, 3, False)
    assert o["osds"][3] == {"id": 3, "name": "osd.3", "host": "vm2", "up": True, "in": True, "crush_weight": 0.004,
                            "reweight": 1, "device_class": "ssd", "never_started": False}
    assert o["never_started"] == []


def test_an_osd_registered_but_never_started_does_not_count_against_up_and_in():
    """osd new without a boot (a creation killed half way): down, in, state exists+new, outside
    any CRUSH host (as Pacific's monitors answer, HEALTH_OK). It holds no data."""
    tree = {"nodes": [n for n in OSD_TREE["nodes"] if n["id"] != 2 and n["name"] != "vm"]
            + [{"id": -3, "name": "vm", "type": "host", "children": [1, 0]}],
            "stray": [{"id": 4, "name": "osd.4", "type": "osd", "crush_weight": 0, "status": "down", "reweight": 1}]}
    dump = dict(OSD_DUMP, osds=[{"osd": 0, "up": 1, "in": 1, "state": ["exists", "up"]},
                                {"osd": 1, "up": 1, "in": 1, "state": ["exists", "up"]},
                                {"osd": 3, "up": 1, "in": 1, "state": ["exists", "up"]},
                                {"osd": 4, "up": 0, "in": 1, "state": ["exists", "new"]}])
    o = cf.parse_osds(tree, dump)
    assert (o["total"], o["up"], o["all_up_in"], o["never_started"]) == (4, 3, True, [4])
    assert o["osds"][3]["never_started"] and o["osds"][3]["host"] is None
    # an OSD that has run once and is down counts
    dump["osds"][3] = {"osd": 4, "up": 0, "in": 1, "state": ["exists"]}
    assert cf.parse_osds(tree, dump)["all_up_in"] is False


def test_pgs_flags_pools():
    p = cf.parse_pgs(PG_STAT)
    assert p == {"num_pgs": 32, "by_state": {"active+clean": 30, "active+undersized+degraded": 2},
                 "active_clean": 30, "all_active_clean": False}
    assert cf.parse_pgs({"pg_summary": {"num_pg_by_state": [], "num_pgs": 0}})["all_active_clean"] is True
    assert cf.parse_flags(OSD_DUMP) == ["noout", "recovery_deletes", "sortbitwise"]
    assert cf.parse_flags({"flags": "norebalance,sortbitwise"}) == ["norebalance", "sortbitwise"]
    pools = cf.parse_pools(OSD_DUMP)
    assert [p["name"] for p in pools] == ["eucavolumes", "eucasnapshots"]
    assert pools[1] == dict(pools[1], size=2, min_size=1, pg_num=8, autoscale_mode="off", application=["rbd"],
                            type="replicated")


def test_ready():
    ok = cf.parse_health({"status": "HEALTH_OK"})
    osds = cf.parse_osds(OSD_TREE, OSD_DUMP)
    assert not cf.cluster_ready(ok, osds, cf.parse_pgs(PG_STAT))
    clean = cf.parse_pgs({"pg_summary": {"num_pg_by_state": [{"name": "active+clean", "num": 8}], "num_pgs": 8}})
    good_osds = dict(osds, all_up_in=True)
    assert cf.cluster_ready(ok, good_osds, clean)
    assert not cf.cluster_ready(cf.parse_health(HEALTH), good_osds, clean)


class FakeClient:
    """Answers mon/osd commands from a script; records what was sent."""

    def __init__(self, seqs, flush_errors=None, lag=2):
        self.seqs = seqs                    # osd id -> seq flush_pg_stats returns
        self.flush_errors = flush_errors or {}
        self.lag = lag                      # last-stat-seq reaches the seq after this many polls
        self.polls = {}
        self.sent = []

    def mon_command(self, prefix, **args):
        self.sent.append((prefix, args))
        if prefix == "osd dump":
            return {"osds": [{"osd": i, "up": 1, "in": 1} for i in self.seqs] + [{"osd": 9, "up": 0, "in": 0}]}
        if prefix == "osd last-stat-seq":
            assert isinstance(args["id"], int) and args.get("format") == "plain"
            n = self.polls[args["id"]] = self.polls.get(args["id"], 0) + 1
            return "%d\n" % (self.seqs[args["id"]] - (1 if n <= self.lag else 0))
        raise AssertionError(prefix)

    def osd_command(self, osd_id, prefix, **args):
        assert prefix == "flush_pg_stats"
        if osd_id in self.flush_errors:
            raise CephClientError("osd.%d flush_pg_stats: boom" % osd_id, self.flush_errors[osd_id])
        return "%d" % self.seqs[osd_id]


def test_flush_waits_for_every_up_osd():
    client = FakeClient({0: 100, 1: 200})
    out = cf.flush_pg_stats(client, timeout=5, sleep=lambda s: None)
    assert out["osds"] == [0, 1] and out["skipped"] == {}
    assert client.polls == {0: 3, 1: 3}


def test_flush_skips_dead_osd_but_not_permission_errors():
    out = cf.flush_pg_stats(FakeClient({0: 1, 1: 2}, flush_errors={1: errno.ETIMEDOUT}, lag=0), sleep=lambda s: None)
    assert out["osds"] == [0] and list(out["skipped"]) == [1]
    with pytest.raises(CephClientError) as exc:
        cf.flush_pg_stats(FakeClient({0: 1}, flush_errors={0: errno.EACCES}), sleep=lambda s: None)
    assert exc.value.errno == errno.EACCES


def test_flush_times_out():
    clock = iter(range(0, 1000, 10))
    with pytest.raises(CephClientError, match="did not reach the monitor") as exc:
        cf.flush_pg_stats(FakeClient({0: 5}, lag=10 ** 6), timeout=30, sleep=lambda s: None,
                          clock=lambda: next(clock))
    assert exc.value.errno == errno.ETIMEDOUT


def test_gather_subsets_read_osd_dump_once():
    class Client:
        sent = []

        def mon_command(self, prefix, **args):
            self.sent.append(prefix)
            return {"osd dump": OSD_DUMP, "osd tree": OSD_TREE}[prefix]

    c = Client()
    facts = cf.gather_facts(c, ["osds", "flags", "pools"])
    assert sorted(facts) == ["flags", "osds", "pools"]
    assert c.sent == ["osd dump", "osd tree"]
    with pytest.raises(ValueError):
        cf.gather_facts(c, ["bogus"])


class ConfigClient:
    """`config get` answered from a table (plain text, as the monitors answer it); a key not in
    the table is one this release does not know (ENOENT, Pacific and the override option)."""

    def __init__(self, values):
        self.values = values

    def mon_command(self, prefix, **args):
        assert prefix == "config get" and args["who"] == "osd" and args.get("format") == "plain"
        if args["key"] not in self.values:
            raise CephClientError("config get: unrecognized key '%s'" % args["key"], -errno.ENOENT)
        return self.values[args["key"]] + "\n"


@pytest.mark.parametrize("values, expected", [
    # Pacific: wpq, the override option does not exist
    ({"osd_op_queue": "wpq", "osd_mclock_profile": "high_client_ops"},
     {"op_queue": "wpq", "mclock_profile": None, "override_recovery_settings": None, "recovery_limits_apply": True}),
    # Tentacle's defaults: mClock keeps the recovery limits to the profile's
    ({"osd_op_queue": "mclock_scheduler", "osd_mclock_profile": "balanced", "osd_mclock_override_recovery_settings": "false"},
     {"op_queue": "mclock_scheduler", "mclock_profile": "balanced", "override_recovery_settings": False,
      "recovery_limits_apply": False}),
    # an operator who turned the override on
    ({"osd_op_queue": "mclock_scheduler", "osd_mclock_profile": "custom", "osd_mclock_override_recovery_settings": "true"},
     {"op_queue": "mclock_scheduler", "mclock_profile": "custom", "override_recovery_settings": True,
      "recovery_limits_apply": True}),
    # mClock on a release without the override option (Quincy's first releases): the limits do not apply
    ({"osd_op_queue": "mclock_scheduler", "osd_mclock_profile": "balanced"},
     {"op_queue": "mclock_scheduler", "mclock_profile": "balanced", "override_recovery_settings": None,
      "recovery_limits_apply": False}),
])
def test_osd_scheduler(values, expected):
    assert cf.gather_facts(ConfigClient(values), ["osd_scheduler"]) == {"osd_scheduler": expected}


def test_osd_scheduler_other_errors_are_not_hidden():
    class Refusing:
        def mon_command(self, prefix, **args):
            raise CephClientError("config get: access denied", -errno.EACCES)
    with pytest.raises(CephClientError):
        cf.get_osd_scheduler(Refusing())


def test_a_pg_being_scrubbed_is_clean():
    """A cluster always scrubs somewhere: a gate that wanted the bare active+clean would wait
    until no scrub runs at all. Scrubbing, deep scrubbing, snaptrim: clean; degraded,
    remapped, backfilling, peering: not."""
    def pgs(*states):
        return cf.parse_pgs({"pg_summary": {"num_pg_by_state": [{"name": s, "num": n} for s, n in states],
                                            "num_pgs": sum(count for _state, count in states)}})
    busy = pgs(("active+clean", 29), ("active+clean+scrubbing+deep", 1), ("active+clean+scrubbing", 1),
               ("active+clean+snaptrim", 1))
    assert busy["all_active_clean"] and busy["active_clean"] == 32
    for state in ("active+undersized+degraded", "active+remapped+backfilling", "peering",
                  "active+recovering", "active+clean+remapped", "stale+active+clean",
                  "active+clean+inconsistent", "unknown"):
        r = pgs(("active+clean", 31), (state, 1))
        assert not r["all_active_clean"] and r["active_clean"] == 31, state
