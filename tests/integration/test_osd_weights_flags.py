"""ceph_osd_flags and ceph_crush_weight on the real cluster."""

import pytest

pytestmark = pytest.mark.ceph


def flags(admin):
    return set(admin.mon({"prefix": "osd dump"})["flags_set"])


def weight(admin, osd_id):
    return {n["id"]: n["crush_weight"] for n in admin.mon({"prefix": "osd df"})["nodes"]}[osd_id]


def test_flags(ceph_cluster, admin, run_module):
    conn = {"cluster_conf": ceph_cluster.conf}
    try:
        r = run_module("ceph_osd_flags", dict(conn, flags={"norebalance": True, "noout": True}), check=True)
        assert r.changed and r.result["flags"] == ["noout", "norebalance"]
        assert "norebalance" not in flags(admin)
        r = run_module("ceph_osd_flags", dict(conn, flags={"norebalance": True, "noout": True}), diff=True)
        assert r.changed and r.result["before"] == [] and {"noout", "norebalance"} <= flags(admin)
        assert not run_module("ceph_osd_flags", dict(conn, flags={"norebalance": True})).changed
        r = run_module("ceph_osd_flags", dict(conn, flags={"norebalance": False, "noout": False}))
        assert r.changed and r.result["before"] == ["noout", "norebalance"]
        assert not {"noout", "norebalance"} & flags(admin)
        assert "sortbitwise" in flags(admin), "feature flags must be left alone"
    finally:
        for flag in ("noout", "norebalance"):
            admin.mon({"prefix": "osd unset", "key": flag})


def test_flags_refusal_after_a_change_reports_it(ceph_cluster, admin, run_module, tmp_path):
    """Injected refusal at step 2: a user allowed to set noout only. noout is set first (the
    flags go in name order), norebalance is refused: the run must say it changed noout."""
    import os
    user = "flags-limited"
    caps = ["mon", 'allow r, allow command "osd set" with key=noout, allow command "osd unset" with key=noout']
    key = admin.mon({"prefix": "auth get-or-create", "entity": "client." + user, "caps": caps})[0]["key"]
    keyring = tmp_path / "keyring"
    fd = os.open(keyring, os.O_WRONLY | os.O_CREAT, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("[client.%s]\n\tkey = %s\n" % (user, key))
    args = {"flags": {"noout": True, "norebalance": True}, "cluster_conf": ceph_cluster.conf,
            "cluster_user": user, "cluster_keyring": str(keyring)}
    try:
        r = run_module("ceph_osd_flags", args)
        assert r.failed and r.changed, r.result
        assert r.result["changes"] == ["set noout"] and "this run already did: set noout" in r.msg
        assert "noout" in flags(admin) and "norebalance" not in flags(admin)
        r = run_module("ceph_osd_flags", dict(args, flags={"noout": True}))   # what it may do converges
        assert not r.failed and not r.changed
        r = run_module("ceph_osd_flags", dict(args, flags={"norebalance": True}))
        assert r.failed and not r.changed and "already did" not in r.msg   # refused first: nothing changed
    finally:
        admin.mon({"prefix": "osd unset", "key": "noout"})
        admin.delete_user(user)


@pytest.mark.parametrize("wanted, message", [
    ({"sortbitwise": False}, "unknown or unsettable"),
    ({"noout": "yes please"}, "must be true or false"),
])
def test_flags_bad_input(ceph_cluster, run_module, wanted, message):
    r = run_module("ceph_osd_flags", {"flags": wanted, "cluster_conf": ceph_cluster.conf})
    assert r.failed and message in r.msg, r.msg


def test_weight_steps_and_restore(ceph_cluster, admin, run_module):
    conn = {"cluster_conf": ceph_cluster.conf, "osds": [2]}
    full = weight(admin, 2)
    try:
        r = run_module("ceph_crush_weight", dict(conn, fraction=0.5), check=True, diff=True)
        assert r.changed and abs(r.result["weights"]["osd.2"] - full / 2) < 1e-4
        assert weight(admin, 2) == full, "check mode reweighted"
        r = run_module("ceph_crush_weight", dict(conn, fraction=0.5))
        assert r.changed and abs(weight(admin, 2) - full / 2) < 1e-4
        assert not run_module("ceph_crush_weight", dict(conn, fraction=0.5)).changed
        r = run_module("ceph_crush_weight", dict(conn, fraction=1.0))
        assert r.changed and abs(weight(admin, 2) - full) < 1e-4   # size-based, as Ceph weighs OSDs
        assert not run_module("ceph_crush_weight", dict(conn, weight=weight(admin, 2))).changed
    finally:
        admin.mon({"prefix": "osd crush reweight", "name": "osd.2", "weight": float(full)})
        admin.wait_ready()


@pytest.mark.parametrize("args, message", [
    ({"osds": [99], "weight": 1.0}, "no such OSD"),
    ({"osds": [0], "fraction": 1.5}, "between 0 and 1"),
    ({"osds": [0], "weight": -1.0}, "must not be negative"),
    ({"osds": [0], "weight": 1.0, "fraction": 0.5}, "mutually exclusive"),
    ({"osds": [], "weight": 1.0}, "at least one"),
])
def test_weight_bad_input(ceph_cluster, run_module, args, message):
    r = run_module("ceph_crush_weight", dict(args, cluster_conf=ceph_cluster.conf))
    assert r.failed and message in r.msg, r.msg


def test_crush_rule_reports_where_pools_place_their_replicas(ceph_cluster, admin, run_module):
    """The placement of each pool before the run (its rule and failure domain): what the
    expansion plan shows. A move the rule cannot hold (size > weighted failure domains of
    its type) is refused before any change."""
    pool, rule = "placement-probe", "placement-osd"
    admin.create_pool(pool, pg_num=1, application=None, wait=False)
    rules = {r["rule_id"]: r for r in admin.mon({"prefix": "osd crush rule dump"})}
    pool_rule = rules[{p["pool_name"]: p for p in admin.mon({"prefix": "osd pool ls", "detail": "detail"})}[pool]["crush_rule"]]
    domain = [s["type"] for s in pool_rule["steps"] if s["op"].startswith("choose")][0]
    size = {p["pool_name"]: p["size"] for p in admin.mon({"prefix": "osd pool ls", "detail": "detail"})}[pool]
    conn = {"cluster_conf": ceph_cluster.conf}
    try:
        r = run_module("ceph_crush_rule", dict(conn, name=rule, failure_domain="osd", pools=[pool]), check=True)
        assert r.changed and r.result["pools_changed"] == [pool], r.result
        assert r.result["placement_before"] == {pool: {"rule": pool_rule["rule_name"], "failure_domain": domain, "size": size}}
        r = run_module("ceph_crush_rule", dict(conn, name=rule, failure_domain="osd", pools=[pool]))
        assert r.changed
        r = run_module("ceph_crush_rule", dict(conn, name=rule, failure_domain="osd", pools=[pool]), check=True)
        assert not r.changed and r.result["placement_before"][pool]["rule"] == rule
        assert r.result["placement_before"][pool]["failure_domain"] == "osd"
        # one host in this cluster: a 2-replica pool on a host rule would stay undersized
        admin.mon({"prefix": "osd pool set", "pool": pool, "var": "size", "val": "2"})
        r = run_module("ceph_crush_rule", dict(conn, name=rule + "-host", failure_domain="host", pools=[pool]))
        assert r.failed and not r.changed and "would stay undersized" in r.msg, r.result
        # the refusal still says where the pool stands (the expansion plan shows it)
        assert r.result["placement_before"][pool] == {"rule": rule, "failure_domain": "osd", "size": 2}
        assert len(r.result["failure_domains"]) == 1
        assert rule + "-host" not in {x["rule_name"] for x in admin.mon({"prefix": "osd crush rule dump"})}
    finally:
        admin.delete_pool(pool)
        for name in (rule, rule + "-host"):
            admin.mon({"prefix": "osd crush rule rm", "name": name})
