"""cephx_user run in-process against the fake cluster (fake_ceph.py): commands, diff, check mode,
idempotence, refusals, failures, and the key that must never reach a diff or a result."""

import errno
import json

import pytest

from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_client import CephClientError
from ansible_collections.eucalyptus.ceph.tests.unit.plugins.modules.fake_ceph import make_key

SC = {"name": "eucalyptus", "profile": "sc", "volume_pools": ["eucavolumes"], "snapshot_pools": ["eucasnapshots"]}
SC_CAPS = {"mon": "profile rbd", "osd": "profile rbd pool=eucavolumes, profile rbd pool=eucasnapshots",
           "mgr": "profile rbd pool=eucavolumes, profile rbd pool=eucasnapshots"}
GIVEN_KEY = make_key(4242)


def no_key_in(result, *keys):
    text = json.dumps(result)
    for key in keys:
        assert key not in text, "a cephx key leaked into the result"


def test_create_sends_get_or_create_with_the_profile_caps(ceph, run):
    result = run("cephx_user", SC)
    assert result["failed"] is False and result["changed"] is True
    assert result["entity"] == "client.eucalyptus"
    assert result["caps"] == SC_CAPS
    assert result["diff"] == {"before": {}, "after": {"entity": "client.eucalyptus", "caps": SC_CAPS}}
    assert ceph.mutations == [("auth get-or-create", {
        "entity": "client.eucalyptus", "format": "json",
        "caps": ["mgr", SC_CAPS["mgr"], "mon", "profile rbd", "osd", SC_CAPS["osd"]]})]
    assert ceph.entities["client.eucalyptus"]["caps"] == SC_CAPS
    # Ceph generated a key; it is not returned without return_key
    assert "key" not in result and "key_changed" not in result
    no_key_in(result, ceph.entities["client.eucalyptus"]["key"])


def test_rerun_is_idempotent_and_sends_no_change(ceph, run):
    run("cephx_user", SC)
    ceph.reset_log()
    result = run("cephx_user", SC)
    assert result["changed"] is False
    assert ceph.mutations == []
    assert ceph.prefixes == ["auth get"]
    assert result["diff"]["before"] == result["diff"]["after"]


def test_caps_spacing_is_normalized_before_comparing(ceph, run):
    ceph.add_user("client.backup", {"mon": "profile rbd", "osd": "profile rbd-read-only pool=eucavolumes"})
    result = run("cephx_user", {"name": "backup", "caps": {"mon": "profile  rbd",
                                                           "osd": "profile   rbd-read-only  pool=eucavolumes"}})
    assert result["changed"] is False and ceph.mutations == []


@pytest.mark.parametrize("existing", [None, {"mon": "allow r"}], ids=["new-user", "caps-differ"])
def test_check_mode_reports_what_a_real_run_does_and_sends_nothing(ceph, run, existing):
    if existing:
        ceph.add_user("client.eucalyptus", existing)
    state = ceph.snapshot()
    checked = run("cephx_user", SC, check_mode=True)
    assert ceph.mutations == []
    assert ceph.snapshot() == state
    real = run("cephx_user", SC)
    assert len(ceph.mutations) == 1
    assert checked["changed"] is real["changed"] is True
    assert checked["diff"] == real["diff"]
    assert checked["caps"] == real["caps"]


def test_update_replaces_the_caps_and_keeps_the_key(ceph, run):
    key = ceph.add_user("client.eucalyptus", {"mon": "allow r", "osd": "allow rwx"})
    result = run("cephx_user", SC)
    assert result["changed"] is True
    assert result["diff"] == {"before": {"entity": "client.eucalyptus", "caps": {"mon": "allow r", "osd": "allow rwx"}},
                              "after": {"entity": "client.eucalyptus", "caps": SC_CAPS}}
    assert [p for p, _a in ceph.mutations] == ["auth caps"]
    assert ceph.mutations[0][1]["entity"] == "client.eucalyptus"
    assert ceph.entities["client.eucalyptus"] == {"key": key, "caps": SC_CAPS}
    no_key_in(result, key)


def test_a_given_key_is_imported_and_never_shown(ceph, run):
    old_key = ceph.add_user("client.eucalyptus", SC_CAPS)
    result = run("cephx_user", dict(SC, key=GIVEN_KEY))
    assert result["changed"] is True and result["key_changed"] is True
    # caps are the same: the diff shows no change, and no key on either side
    assert result["diff"]["before"] == result["diff"]["after"]
    no_key_in(result, GIVEN_KEY, old_key)
    assert [p for p, _a in ceph.mutations] == ["auth import"]
    assert ceph.entities["client.eucalyptus"] == {"key": GIVEN_KEY, "caps": SC_CAPS}
    ceph.reset_log()
    again = run("cephx_user", dict(SC, key=GIVEN_KEY))
    assert again["changed"] is False and "key_changed" not in again and ceph.mutations == []


def test_check_mode_with_a_given_key_imports_nothing(ceph, run):
    old_key = ceph.add_user("client.eucalyptus", SC_CAPS)
    result = run("cephx_user", dict(SC, key=GIVEN_KEY), check_mode=True)
    assert result["changed"] is True and result["key_changed"] is True
    assert ceph.mutations == [] and ceph.entities["client.eucalyptus"]["key"] == old_key
    no_key_in(result, GIVEN_KEY, old_key)


def test_return_key_under_no_log_returns_the_key(ceph, run):
    result = run("cephx_user", dict(SC, return_key=True), no_log=True)
    assert result["changed"] is True
    assert result["key"] == ceph.entities["client.eucalyptus"]["key"]
    # the diff still never shows it
    assert result["key"] not in json.dumps(result["diff"])


def test_return_key_with_users_gives_each_item_its_key_under_no_log(ceph, run):
    kept = ceph.add_user("client.eucalyptus-nc-hv1", {"mon": "profile rbd", "osd": "profile rbd pool=eucavolumes"})
    result = run("cephx_user", dict(POOLS, users=["eucalyptus-nc-hv1", "eucalyptus-nc-hv2"], profile="nc",
                                    return_key=True), no_log=True)
    assert result["changed"] is True
    keys = dict((u["entity"], u["key"]) for u in result["users"])
    assert keys == {"client.eucalyptus-nc-hv1": kept,
                    "client.eucalyptus-nc-hv2": ceph.entities["client.eucalyptus-nc-hv2"]["key"]}
    assert kept not in json.dumps(result["diff"])
    # without no_log: refused before anything is sent
    ceph.sent.clear()
    result = run("cephx_user", dict(POOLS, users=["eucalyptus-nc-hv3"], profile="nc", return_key=True))
    assert result["failed"] is True and "return_key=true needs no_log" in result["msg"], result["msg"]
    assert "client.eucalyptus-nc-hv3" not in ceph.entities


def test_return_key_without_no_log_is_refused_before_any_command(ceph, run):
    ceph.add_user("client.eucalyptus", SC_CAPS)
    result = run("cephx_user", dict(SC, return_key=True))
    assert result["failed"] is True
    assert "return_key=true needs no_log" in result["msg"]
    assert ceph.sent == []
    no_key_in(result, ceph.entities["client.eucalyptus"]["key"])


def test_absent_removes_the_user(ceph, run):
    key = ceph.add_user("client.old-nc", {"mon": "profile rbd"})
    result = run("cephx_user", {"name": "old-nc", "state": "absent"})
    assert result["changed"] is True
    assert result["diff"] == {"before": {"entity": "client.old-nc", "caps": {"mon": "profile rbd"}}, "after": {}}
    assert result["caps"] == {"mon": "profile rbd"}
    assert ceph.mutations == [("auth del", {"entity": "client.old-nc", "format": "json"})]
    assert "client.old-nc" not in ceph.entities
    no_key_in(result, key)
    ceph.reset_log()
    again = run("cephx_user", {"name": "old-nc", "state": "absent"})
    assert again["changed"] is False and "diff" not in again and ceph.mutations == []


def test_absent_in_check_mode_removes_nothing(ceph, run):
    ceph.add_user("client.old-nc", {"mon": "profile rbd"})
    result = run("cephx_user", {"name": "old-nc", "state": "absent"}, check_mode=True)
    assert result["changed"] is True and result["diff"]["after"] == {}
    assert ceph.mutations == [] and "client.old-nc" in ceph.entities


@pytest.mark.parametrize("args, message", [
    ({"name": "eucalyptus"}, "state=present needs caps or a profile"),
    ({"name": "eucalyptus", "profile": "sc"}, "profile sc needs volume_pools"),
    ({"name": "client.eucalyptus", "profile": "sc", "volume_pools": ["v"]}, "client."),
    ({"name": "eu calyptus", "caps": {"mon": "profile rbd"}}, "eu calyptus"),
    ({"name": "eucalyptus", "caps": {"mon": "profile rbd", "rgw": "allow *"}}, "unknown daemon type 'rgw'"),
    ({"name": "eucalyptus", "caps": {"mon": "read everything"}}, "must start with 'allow' or 'profile'"),
    ({"name": "eucalyptus", "caps": {"osd": "allow rwx\nallow *"}}, "control characters"),
    ({"name": "eucalyptus", "profile": "sc", "volume_pools": ["bad pool"]}, "bad pool"),
    ({"name": "eucalyptus", "profile": "sc", "volume_pools": ["v"], "key": "AQBnotakey=="}, "key:"),
    ({"name": "eucalyptus-admin", "profile": "ebs-admin", "volume_pools": ["v"]}, "starts with users_prefix"),
    ({"name": "ebsadmin", "profile": "ebs-admin", "volume_pools": ["v"], "key": GIVEN_KEY},
     "key cannot be given for caps with quoted monitor commands"),
], ids=["no-caps", "no-pools", "client-prefix", "space-in-name", "daemon-type", "malformed-cap", "newline-in-cap",
        "pool-name", "bad-key", "ebs-admin-in-prefix", "ebs-admin-with-key"])
def test_bad_input_fails_before_any_command(ceph, run, args, message):
    result = run("cephx_user", args)
    assert result["failed"] is True
    assert message in result["msg"]
    assert ceph.sent == []
    no_key_in(result, GIVEN_KEY)


def test_a_refused_command_fails_with_the_monitors_message_and_errno(ceph, run):
    ceph.add_user("client.eucalyptus", {"mon": "allow r"})
    ceph.refuse("auth caps", errno.EACCES, "access denied")
    result = run("cephx_user", SC)
    assert result["failed"] is True
    assert result["msg"] == "auth caps: access denied"
    assert result["errno"] == errno.EACCES
    # nothing was changed: the run does not claim a change, and says it did nothing
    assert result.get("changed") is not True and result["changes"] == []
    assert ceph.entities["client.eucalyptus"]["caps"] == {"mon": "allow r"}


def test_a_failing_read_fails_without_a_change(ceph, run):
    ceph.fail_on("auth get", CephClientError("auth get: timed out", errno.ETIMEDOUT))
    result = run("cephx_user", SC)
    assert result["failed"] is True and result["errno"] == errno.ETIMEDOUT
    assert "auth get: timed out" in result["msg"]
    assert ceph.mutations == []


def test_an_unexpected_exception_is_reported_as_a_bug(ceph, run):
    ceph.fail_on("auth get-or-create", RuntimeError("boom in the middle"))
    result = run("cephx_user", SC)
    assert result["failed"] is True
    assert result["msg"] == ("unexpected error (a bug of the collection: please report it with this traceback): "
                             "RuntimeError: boom in the middle")
    assert result.get("changed") is not True and result["changes"] == []


def test_an_unexpected_exception_returns_its_traceback(ceph, run):
    ceph.fail_on("auth get-or-create", RuntimeError("boom in the middle"))
    result = run("cephx_user", SC)
    assert "Traceback" in result.get("exception", "")
    assert "RuntimeError: boom in the middle" in result["exception"]


# -- many users in one run (users) ------------------------------------------------------------
POOLS = {"volume_pools": ["eucavolumes"], "snapshot_pools": ["eucasnapshots"]}
NC_USERS = ["eucalyptus-nc-hv%03d" % i for i in range(100)]


def test_users_creates_each_with_its_profile_and_reports_each(ceph, run):
    result = run("cephx_user", dict(POOLS, users=[{"name": "eucalyptus", "profile": "sc"}, "eucalyptus-nc-hv1",
                                                  {"name": "backup", "caps": {"mon": "profile rbd"}}], profile="nc"))
    assert result["failed"] is False and result["changed"] is True
    assert [u["entity"] for u in result["users"]] == ["client.eucalyptus", "client.eucalyptus-nc-hv1", "client.backup"]
    assert [u["changed"] for u in result["users"]] == [True, True, True]
    assert result["users"][0]["caps"] == SC_CAPS
    assert ceph.entities["client.eucalyptus-nc-hv1"]["caps"]["mon"] == "profile rbd"
    assert "object_prefix" in ceph.entities["client.eucalyptus-nc-hv1"]["caps"]["osd"]
    assert ceph.entities["client.backup"]["caps"] == {"mon": "profile rbd"}
    assert [d["before_header"] for d in result["diff"]] == [u["entity"] for u in result["users"]]
    no_key_in(result, *[e["key"] for e in ceph.entities.values()])


def test_a_rerun_of_a_hundred_users_reads_them_with_one_command_and_changes_nothing(ceph, run):
    args = dict(POOLS, users=NC_USERS, profile="nc")
    run("cephx_user", args)
    ceph.reset_log()
    result = run("cephx_user", args)
    assert result["changed"] is False and [u["changed"] for u in result["users"]] == [False] * 100
    assert ceph.prefixes == ["auth ls"]
    assert all(d["before"] == d["after"] for d in result["diff"])


def test_users_reports_exactly_which_user_changed_in_check_mode_and_for_real(ceph, run):
    run("cephx_user", dict(POOLS, users=NC_USERS[:3], profile="nc"))
    ceph.entities["client.%s" % NC_USERS[1]]["caps"] = {"mon": "profile rbd"}
    ceph.reset_log()
    args = dict(POOLS, users=NC_USERS[:3] + [{"name": NC_USERS[3], "state": "absent"}], profile="nc")
    checked = run("cephx_user", args, check_mode=True)
    assert ceph.mutations == []
    real = run("cephx_user", args)
    for result in (checked, real):
        assert [u["changed"] for u in result["users"]] == [False, True, False, False]
    assert [(p, a["entity"]) for p, a in ceph.mutations] == [("auth caps", "client.%s" % NC_USERS[1])]


def test_users_without_the_right_to_list_reads_each_user(ceph, run):
    ceph.refuse("auth ls", errno.EACCES, "access denied")
    result = run("cephx_user", dict(POOLS, users=NC_USERS[:2], profile="nc"))
    assert result["failed"] is False and result["changed"] is True
    assert ceph.prefixes.count("auth get") == 2


@pytest.mark.parametrize("args, message", [
    ({"users": []}, "users is empty"),
    ({"users": ["a", "a"], "profile": "nc"}, "a is given twice in users"),
    ({"users": ["good", "client.bad"], "profile": "nc"}, "client.client.bad: "),
    ({"users": [{"profile": "nc"}]}, "users[0]: missing required arguments: name"),
    ({"users": [{"name": "a", "colour": "red"}]}, "users[0]: unsupported parameters: colour."),
    ({"users": [{"name": "a", "profile": "sc", "caps": {"mon": "profile rbd"}}]}, "users[0]: parameters are mutually exclusive"),
    ({"users": [3]}, "users[0]: expected a cephx id or a dictionary, got int"),
    ({"users": ["a"]}, "client.a: state=present needs caps or a profile"),
    ({"users": ["a"], "profile": "nc", "key": "AQBcs3VmAAAAABAAk0QrWf8SHDRq2IV0Kms3iw=="}, "key works with name only"),
    ({"users": ["a"], "name": "a", "profile": "nc"}, "mutually exclusive"),
], ids=["empty", "twice", "bad-id", "no-name", "unknown-key", "caps-and-profile", "not-a-dict", "no-caps",
        "key", "both"])
def test_a_bad_users_request_is_refused_before_anything_is_sent(ceph, run, args, message):
    result = run("cephx_user", dict(POOLS, **args))
    assert result["failed"] is True and not result.get("changed")
    assert message in result["msg"], result["msg"]
    assert ceph.sent == []


def test_a_failure_in_one_user_says_which_users_the_run_changed_before_it(ceph, run):
    ceph.refuse("auth get-or-create", errno.EINVAL, "bad caps", match={"entity": "client.%s" % NC_USERS[1]})
    result = run("cephx_user", dict(POOLS, users=NC_USERS[:3], profile="nc"))
    assert result["failed"] is True and result["changed"] is True
    assert result["msg"] == ("client.%s: auth get-or-create: bad caps - this run already did: create client.%s"
                             % (NC_USERS[1], NC_USERS[0]))
    assert sorted(e for e in ceph.entities if e != "client.admin") == ["client.%s" % NC_USERS[0]]
