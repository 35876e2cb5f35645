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
