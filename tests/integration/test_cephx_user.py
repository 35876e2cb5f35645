"""cephx_user against the real cluster: create, re-run, check mode, caps update, remove,
key never in argv / -vvv output / diff, bad input."""

import pytest

pytestmark = pytest.mark.ceph

USER = "it-user"


@pytest.fixture
def conn(ceph_cluster, admin):
    admin.delete_user(USER)
    yield {"cluster_conf": ceph_cluster.conf}
    admin.delete_user(USER)


def test_lifecycle(run_module, admin, conn):
    sc = dict(conn, name=USER, profile="sc", volume_pools=["eucavolumes"], snapshot_pools=["eucasnapshots"])

    r = run_module("cephx_user", sc, check=True)
    assert r.changed and admin.get_caps(USER) is None, "check mode created the user"

    r = run_module("cephx_user", sc, diff=True)
    assert r.changed and not r.failed, r.msg
    assert admin.get_caps(USER) == {
        "mon": "profile rbd",
        "osd": "profile rbd pool=eucavolumes, profile rbd pool=eucasnapshots",
        "mgr": "profile rbd pool=eucavolumes, profile rbd pool=eucasnapshots",
    }
    key = admin.get_key(USER)
    assert "key" not in r.result
    assert r.result["entity"] == "client." + USER

    assert not run_module("cephx_user", sc).changed

    literal = dict(conn, name=USER, caps={"mon": "profile rbd", "osd": "profile rbd-read-only pool=eucavolumes"})
    r = run_module("cephx_user", literal, check=True, diff=True)
    assert r.changed and admin.get_caps(USER)["osd"].startswith("profile rbd pool="), "check mode changed caps"
    assert r.result["diff"]["after"]["caps"]["osd"] == "profile rbd-read-only pool=eucavolumes"

    r = run_module("cephx_user", literal)
    assert r.changed
    assert admin.get_caps(USER) == {"mon": "profile rbd", "osd": "profile rbd-read-only pool=eucavolumes"}
    assert admin.get_key(USER) == key, "a caps update must keep the key"
    assert not run_module("cephx_user", literal).changed

    r = run_module("cephx_user", dict(conn, name=USER, state="absent"))
    assert r.changed and admin.get_caps(USER) is None
    assert not run_module("cephx_user", dict(conn, name=USER, state="absent")).changed


def test_key_never_in_argv_output_or_diff(run_module, admin, conn, argv_watcher):
    run_module("cephx_user", dict(conn, name=USER, profile="nc", volume_pools=["eucavolumes"]))
    key = admin.get_key(USER)
    given = "AQBsIAFpAAAAABAAnqkR3w6i3/3T1uyYXoS5lg=="
    with argv_watcher([key, given]) as watcher:
        runs = [
            run_module("cephx_user", dict(conn, name=USER, profile="sc", volume_pools=["eucavolumes"]),
                       diff=True, verbosity=3),
            run_module("cephx_user", dict(conn, name=USER, profile="sc", volume_pools=["eucavolumes"], key=given),
                       diff=True, verbosity=3),
            run_module("cephx_user", dict(conn, name=USER, profile="sc", volume_pools=["eucavolumes"], key=given),
                       diff=True, verbosity=3),
        ]
    assert watcher.hits == [] and watcher.samples > 20
    assert [r.changed for r in runs] == [True, True, False]
    assert admin.get_key(USER) == given, "the given key was not imported"
    for r in runs:
        assert key not in r.output and given not in r.output


def test_return_key_needs_no_log(run_module, conn):
    r = run_module("cephx_user", dict(conn, name=USER, profile="nc", volume_pools=["eucavolumes"], return_key=True))
    assert r.failed and "no_log" in r.msg


@pytest.mark.parametrize("args, message", [
    (dict(name="client.x", caps={"mon": "allow r"}), "without the 'client.' prefix"),
    (dict(name="bad name", caps={"mon": "allow r"}), "invalid cephx user name"),
    (dict(name=USER + "\n", caps={"mon": "allow r"}), "invalid cephx user name"),
    (dict(name=USER, caps={"mon": "allow r\n"}), "must not contain control characters"),
    (dict(name=USER, profile="admin", volume_pools=["p"]), "value of profile must be one of"),
    (dict(name=USER, profile="nc"), "needs volume_pools"),
    (dict(name=USER, caps={"osd": "rwx pool=p"}), "malformed osd cap"),
    (dict(name=USER, caps={"client": "allow r"}), "unknown daemon type"),
    (dict(name=USER, caps={"mon": "allow r"}, profile="sc", volume_pools=["p"]), "mutually exclusive"),
    (dict(name=USER, caps={"mon": "allow r"}, key="bm90IGEga2V5"), "key:"),
    (dict(name=USER), "needs caps or a profile"),
])
def test_bad_input_changes_nothing(run_module, admin, conn, args, message):
    r = run_module("cephx_user", dict(conn, **args))
    assert r.failed and message in r.msg, r.msg
    assert admin.get_caps(USER) is None


def test_caps_the_monitor_rejects_fail_cleanly(run_module, admin, conn):
    r = run_module("cephx_user", dict(conn, name=USER, caps={"mon": "allow r", "osd": "allow bogus-perm"}))
    assert r.failed and "osd capability parse failed" in r.msg, r.msg
    assert admin.get_caps(USER) is None


BULK_USERS = ["it-bulk-nc-%d" % i for i in range(5)]


@pytest.fixture
def bulk(ceph_cluster, admin):
    for user in BULK_USERS + ["it-bulk-sc"]:
        admin.delete_user(user)
    yield {"cluster_conf": ceph_cluster.conf}
    for user in BULK_USERS + ["it-bulk-sc"]:
        admin.delete_user(user)


def test_many_users_in_one_run(run_module, admin, bulk):
    """The list form: an SC user and per-host NC users in one task, each with its profile; exact
    per-user changed in check mode and for real; no key in the result or the -vvv output (every
    exec is traced for the keys by the conftest)."""
    pools = {"volume_pools": ["eucavolumes"], "snapshot_pools": ["eucasnapshots"]}
    args = dict(bulk, users=[{"name": "it-bulk-sc", "profile": "sc"}] + BULK_USERS, profile="nc", **pools)
    checked = run_module("cephx_user", args, check=True, diff=True)
    assert checked.changed and not checked.failed, checked.msg
    assert admin.get_caps("it-bulk-sc") is None, "check mode created a user"
    real = run_module("cephx_user", args, diff=True, verbosity=3)
    assert real.changed and not real.failed, real.msg
    assert [u["changed"] for u in real.result["users"]] == [True] * 6
    assert [u["changed"] for u in checked.result["users"]] == [True] * 6
    assert admin.get_caps("it-bulk-sc")["osd"] == "profile rbd pool=eucavolumes, profile rbd pool=eucasnapshots"
    for user in BULK_USERS:
        assert "object_prefix rbd_data." in admin.get_caps(user)["osd"]
    for user in BULK_USERS + ["it-bulk-sc"]:
        assert admin.get_key(user) not in real.output
    again = run_module("cephx_user", args)
    assert not again.changed and [u["changed"] for u in again.result["users"]] == [False] * 6

    admin.mon({"prefix": "auth caps", "entity": "client." + BULK_USERS[2], "caps": ["mon", "profile rbd"]})
    args["users"] = args["users"][:-1] + [{"name": BULK_USERS[-1], "state": "absent"}]
    drift = run_module("cephx_user", args, check=True)
    fixed = run_module("cephx_user", args)
    for r in (drift, fixed):
        assert [u["changed"] for u in r.result["users"]] == [False, False, False, True, False, True], r.result
    assert "object_prefix rbd_data." in admin.get_caps(BULK_USERS[2])["osd"]
    assert admin.get_caps(BULK_USERS[-1]) is None
