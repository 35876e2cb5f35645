"""rbd_pool against the real cluster: create, re-run, check mode, update, remove, bad input."""

import pytest

pytestmark = pytest.mark.ceph

POOL = "it-pool"


def settings(admin, name):
    for pool in admin.mon({"prefix": "osd pool ls", "detail": "detail"}):
        if pool["pool_name"] == name:
            return pool
    return None


@pytest.fixture
def conn(ceph_cluster, admin):
    admin.delete_pool(POOL)
    yield {"cluster_conf": ceph_cluster.conf}
    admin.delete_pool(POOL)


def test_lifecycle(run_module, admin, conn):
    args = dict(conn, name=POOL, size=2, min_size=1)

    r = run_module("rbd_pool", args, check=True)
    assert r.changed and not r.failed, r.msg
    assert settings(admin, POOL) is None, "check mode created the pool"

    r = run_module("rbd_pool", args, diff=True)
    assert r.changed and not r.failed, r.msg
    assert r.result["changes"][:1] == ["create pool"]
    pool = settings(admin, POOL)
    assert (pool["size"], pool["min_size"]) == (2, 1)
    assert "rbd" in pool["application_metadata"]
    assert r.result["pool"]["rbd_initialized"] is True
    admin.open_ioctx(POOL).stat("rbd_info")  # what `rbd pool init` leaves behind

    r = run_module("rbd_pool", args)
    assert not r.changed and not r.failed, r.result

    update = dict(conn, name=POOL, size=3, min_size=2, pg_autoscale_mode="off", pg_num=16)
    r = run_module("rbd_pool", update, check=True, diff=True)
    assert r.changed
    assert r.result["diff"]["before"]["size"] == 2 and r.result["diff"]["after"]["size"] == 3
    assert settings(admin, POOL)["size"] == 2, "check mode changed the pool"

    r = run_module("rbd_pool", update)
    assert r.changed and not r.failed, r.msg
    assert r.result["changes"] == ["set size to 3", "set min_size to 2", "set pg_autoscale_mode to off",
                                   "set pg_num to 16"]
    pool = settings(admin, POOL)
    assert (pool["size"], pool["min_size"], pool["pg_autoscale_mode"], pool["pg_num_target"]) == (3, 2, "off", 16)
    assert not run_module("rbd_pool", update).changed

    r = run_module("rbd_pool", dict(conn, name=POOL, state="absent"), check=True)
    assert r.changed and settings(admin, POOL) is not None
    r = run_module("rbd_pool", dict(conn, name=POOL, state="absent"))
    assert r.changed and settings(admin, POOL) is None
    assert not run_module("rbd_pool", dict(conn, name=POOL, state="absent")).changed


def test_existing_pool_gets_rbd_application_and_init(run_module, admin, conn):
    admin.mon({"prefix": "osd pool create", "pool": POOL, "pg_num": 8})
    r = run_module("rbd_pool", dict(conn, name=POOL))
    assert r.result["changes"] == ["enable application rbd", "rbd pool init"], r.result
    assert "rbd" in settings(admin, POOL)["application_metadata"]


def test_pool_with_images_is_kept_unless_forced(run_module, admin, conn):
    import rbd
    run_module("rbd_pool", dict(conn, name=POOL))
    with admin.open_ioctx(POOL) as io:
        rbd.RBD().create(io, "keep-me", 1 << 20, old_format=False, features=rbd.RBD_FEATURE_LAYERING)
    r = run_module("rbd_pool", dict(conn, name=POOL, state="absent"))
    assert r.failed and "holds 1 RBD image" in r.msg
    assert settings(admin, POOL) is not None
    r = run_module("rbd_pool", dict(conn, name=POOL, state="absent", force=True))
    assert r.changed and settings(admin, POOL) is None


@pytest.mark.parametrize("args, message", [
    (dict(name="bad/name"), "invalid pool name"),
    # "$" would match before this newline: the pool "NAME\n" must not be created
    (dict(name=POOL + "\n"), "invalid pool name"),
    (dict(name=POOL, size=2, min_size=3), "must not be larger than size"),
    (dict(name=POOL, size=0), "size must be between"),
    (dict(name=POOL, size=1), "set allow_size_one=true"),
    (dict(name=POOL, pg_autoscale_mode="sometimes"), "value of pg_autoscale_mode must be one of"),
])
def test_bad_input_changes_nothing(run_module, admin, conn, args, message):
    r = run_module("rbd_pool", dict(conn, **args))
    assert r.failed and message in r.msg, r.msg
    assert settings(admin, POOL) is None


def test_unreachable_cluster_times_out(run_module, tmp_path):
    """A cluster that does not answer gives an error within the timeout, not a hang."""
    conf = tmp_path / "ceph.conf"
    # 127.0.0.254:6789 - a loopback address where no monitor listens (connection refused)
    conf.write_text("[global]\nmon_host = 127.0.0.254:6789\nauth_client_required = cephx\n")
    keyring = tmp_path / "ceph.client.admin.keyring"
    keyring.write_text("[client.admin]\n\tkey = AQBsIAFpAAAAABAAnqkR3w6i3/3T1uyYXoS5lg==\n")
    r = run_module("rbd_pool", {"name": POOL, "cluster_conf": str(conf), "cluster_keyring": str(keyring),
                                "connect_timeout": 3}, timeout=120)
    assert r.failed and "cannot connect" in r.msg and "within 3 s" in r.msg, r.msg
    assert "monitors tried: 127.0.0.254:6789" in r.msg, r.msg


def test_wrong_key_is_refused(run_module, ceph_cluster, tmp_path):
    keyring = tmp_path / "ceph.client.admin.keyring"
    keyring.write_text("[client.admin]\n\tkey = AQBsIAFpAAAAABAAnqkR3w6i3/3T1uyYXoS5lg==\n")
    r = run_module("rbd_pool", {"name": POOL, "cluster_conf": ceph_cluster.conf,
                                "cluster_keyring": str(keyring), "connect_timeout": 5}, timeout=120)
    assert r.failed and "cannot connect" in r.msg, r.msg


def _config_rm(admin, name):
    admin.mon({"prefix": "config rm", "who": "mon", "name": name})


def test_size_one_refused_by_the_monitors_changes_nothing(run_module, admin, conn):
    """mon_allow_pool_size_one=false (the default): refused before the pool is made."""
    _config_rm(admin, "mon_allow_pool_size_one")
    r = run_module("rbd_pool", dict(conn, name=POOL, size=1, allow_size_one=True))
    assert r.failed and not r.changed, r.result
    assert "mon_allow_pool_size_one=false" in r.msg and "nothing was changed" in r.msg
    assert settings(admin, POOL) is None


def test_size_one_when_asked_for_and_allowed(run_module, admin, conn):
    admin.mon({"prefix": "config set", "who": "mon", "name": "mon_allow_pool_size_one", "value": "true"})
    try:
        r = run_module("rbd_pool", dict(conn, name=POOL, size=1, min_size=1, allow_size_one=True))
        assert r.changed and not r.failed, r.msg
        assert "set size to 1" in r.result["changes"]
        pool = settings(admin, POOL)
        assert (pool["size"], pool["min_size"]) == (1, 1)
        assert not run_module("rbd_pool", dict(conn, name=POOL, size=1, min_size=1, allow_size_one=True)).changed
    finally:
        _config_rm(admin, "mon_allow_pool_size_one")


def test_new_pool_is_created_with_its_size(run_module, admin, conn):
    r = run_module("rbd_pool", dict(conn, name=POOL, size=2))
    assert r.changed and not r.failed, r.msg
    assert r.result["changes"] == ["create pool", "enable application rbd", "rbd pool init"]
    assert settings(admin, POOL)["size"] == 2


def test_a_refusal_after_the_create_says_what_was_done(ceph_cluster, run_module, admin, conn):
    """Caps that allow creating a pool but no other write: the run fails at the first setting,
    reports changed with exactly the create, and a re-run with the admin converges."""
    import os
    user = "it-pool-creator"
    admin.delete_user(user)
    out = admin.mon({"prefix": "auth get-or-create", "entity": "client." + user,
                     "caps": ["mon", 'allow r, allow command "osd pool create"', "osd", "allow rwx"]})
    path = ceph_cluster.keyring_path(user)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("[client.%s]\n\tkey = %s\n" % (user, out[0]["key"]))
    try:
        args = dict(conn, name=POOL, size=2, min_size=1)
        r = run_module("rbd_pool", dict(args, cluster_user=user, cluster_keyring=path))
        assert r.failed and r.changed, r.result
        assert r.result["changes"] == ["create pool"], r.result
        assert "this run already did: create pool" in r.msg
        assert "not done: set min_size to 1; enable application rbd; rbd pool init" in r.msg
        assert r.result["pool"]["size"] == 2 and r.result["pool"]["applications"] == []
        assert settings(admin, POOL)["size"] == 2
        r = run_module("rbd_pool", args)
        assert r.changed and not r.failed, r.msg
        assert r.result["changes"] == ["set min_size to 1", "enable application rbd", "rbd pool init"]
        assert not run_module("rbd_pool", args).changed
    finally:
        admin.delete_user(user)
        os.unlink(path)


@pytest.mark.parametrize("wanted", [{}, {"size": 2}, {"size": 2, "min_size": 1, "pg_num": 16, "pg_autoscale_mode": "off"}])
def test_check_mode_of_a_create_computes_what_the_real_run_gets(run_module, admin, conn, wanted):
    """The settings check mode shows for a new pool are the monitors' own (running defaults,
    Ceph's min_size rule), equal to what the real create then reports; only the id is unknown."""
    args = dict(conn, name=POOL, **wanted)
    check = run_module("rbd_pool", args, check=True, diff=True)
    assert check.changed and not check.failed and "unknown" not in check.result, check.result
    assert settings(admin, POOL) is None
    real = run_module("rbd_pool", args, diff=True)
    assert real.changed and not real.failed, real.msg
    assert check.result["changes"] == real.result["changes"]
    expected = dict(real.result["pool"], id=None)
    if expected["pg_autoscale_mode"] == "on" and "pg_num" not in wanted:
        # the autoscaler's from the create on: check mode does not promise a number
        assert check.result["pool"]["pg_num"] is None
        expected["pg_num"] = None
    assert check.result["pool"] == expected
    assert check.result["diff"]["after"] == expected


BULK = ["it-bulk-%d" % i for i in range(4)]


@pytest.fixture
def bulk(ceph_cluster, admin):
    for name in BULK:
        admin.delete_pool(name)
    yield {"cluster_conf": ceph_cluster.conf}
    for name in BULK:
        admin.delete_pool(name)


def test_many_pools_in_one_run(run_module, admin, bulk):
    """The list form: each pool gets the task's settings or its own, check mode predicts the real
    run, a re-run changes nothing, and only the pool that differs is reported as changed."""
    pools = BULK[:3] + [{"name": BULK[3], "size": 2, "min_size": 1}]
    args = dict(bulk, pools=pools, size=3, min_size=2, pg_autoscale_mode="off", pg_num=8)
    checked = run_module("rbd_pool", args, check=True, diff=True)
    assert checked.changed and not checked.failed, checked.msg
    assert all(settings(admin, name) is None for name in BULK), "check mode created a pool"
    real = run_module("rbd_pool", args, diff=True)
    assert real.changed and not real.failed, real.msg
    assert real.result["changes"] == checked.result["changes"]
    assert [p["changed"] for p in real.result["pools"]] == [True] * 4
    for item in real.result["pools"]:
        pool = settings(admin, item["name"])
        want = (2, 1) if item["name"] == BULK[3] else (3, 2)
        assert (pool["size"], pool["min_size"], pool["pg_num"]) == want + (8,)
        assert "rbd" in pool["application_metadata"] and item["pool"]["rbd_initialized"] is True
        admin.open_ioctx(item["name"]).stat("rbd_info")

    again = run_module("rbd_pool", args)
    assert not again.changed and not again.failed, again.result
    assert [p["changed"] for p in again.result["pools"]] == [False] * 4

    admin.mon({"prefix": "osd pool set", "pool": BULK[1], "var": "min_size", "val": "1"})
    drift = run_module("rbd_pool", args, check=True)
    fixed = run_module("rbd_pool", args)
    for r in (drift, fixed):
        assert [p["changed"] for p in r.result["pools"]] == [False, True, False, False], r.result
        assert r.result["changes"] == ["pool %s: set min_size to 2" % BULK[1]]
    assert settings(admin, BULK[1])["min_size"] == 2
