"""Verifier of the key rotation (rotation.yml, the last side effect of the test sequence): the
guest attached with generation 1 of the NC user went on writing and verifying through the whole
rotation without an error, the SC's operations did not fail once during its key's handover,
generation 1 was kept while the guest held it and retired after, and both old keys are refused.
The cluster now knows generation 2 of the NC user only, with the NC profile's caps."""

import json
import os

import testinfra.utils.ansible_runner

RUNNER = testinfra.utils.ansible_runner.AnsibleRunner(os.environ["MOLECULE_INVENTORY_FILE"])
testinfra_hosts = RUNNER.get_hosts("ceph_mons")[:1]

SUITE = os.environ.get("EUCA_LAB_CEPH_SUITE") or "bookworm"
RESULTS = os.path.join(os.environ["MOLECULE_PROJECT_DIRECTORY"], "benchmarks", "results", "rotation-%s.json" % SUITE)


def results():
    with open(RESULTS) as f:
        return json.load(f)


def _ceph_json(host, *args):
    cmd = host.run("ceph --connect-timeout 15 --format json " + " ".join(args))
    assert cmd.rc == 0, cmd.stderr
    return json.loads(cmd.stdout)


def test_the_guest_wrote_and_verified_through_the_rotation_without_an_error():
    io = results()["guest_io"]
    assert results()["guest_exit"] == 0, io
    assert io["io_errors"] == 0 and io["mismatches_during_loop"] == 0 and io["final_mismatches"] == 0, io
    assert io["user"] == "client.eucalyptus-nc", io       # generation 1, the whole time
    assert io["phases"]["rotate"]["all"]["count"] > 0 and io["phases"]["validate"]["all"]["count"] > 0, io


def test_no_sc_operation_failed_during_its_key_handover():
    ops = results()["sc_operations"]
    assert ops["operations"] > 0 and ops["failures"] == 0, ops


def test_generation_1_was_kept_while_used_and_retired_after():
    r = results()
    assert r["switch_kept_generation_1"] and r["retired_after_detach"], r


def test_the_sc_switched_users_as_the_case_asks():
    """EUCA_LAB_SC_ROTATION=generation: the SC's operations followed the cephuser property from
    client.eucalyptus to client.eucalyptus.gen2, and generation 1 was retired; else the one user
    kept its name through the handover."""
    r = results()
    users = r["sc_operations"]["users"]
    if os.environ.get("EUCA_LAB_SC_ROTATION") == "generation":
        assert r["sc_rotation"] == "generation" and r["sc_generation_1_retired"], r
        assert users.get("eucalyptus", 0) > 0 and users.get("eucalyptus.gen2", 0) > 0, users
    else:
        assert r["sc_rotation"] == "pending" and list(users) == ["eucalyptus"], users


def test_the_old_keys_are_refused():
    r = results()
    assert r["old_sc_key_refused"] and r["old_nc_key_refused"], r["old_key_messages"]


def test_only_generation_2_of_the_nc_user_is_left_with_the_nc_caps(host):
    entities = dict((e["entity"], e) for e in _ceph_json(host, "auth", "ls")["auth_dump"])
    assert "client.eucalyptus-nc" not in entities
    caps = entities["client.eucalyptus-nc.gen2"]["caps"]
    assert caps["mon"] == "profile rbd" and "pool=eucavolumes" in caps["osd"], caps


def test_the_sc_user_left_is_the_current_generation_with_the_sc_caps(host):
    entities = dict((e["entity"], e) for e in _ceph_json(host, "auth", "ls")["auth_dump"])
    if os.environ.get("EUCA_LAB_SC_ROTATION") == "generation":
        assert "client.eucalyptus" not in entities
        current = "client.eucalyptus.gen2"
    else:
        assert "client.eucalyptus.gen2" not in entities
        current = "client.eucalyptus"
    caps = entities[current]["caps"]
    # the SC profile: the rbd profile on the volume and snapshot pools (create, delete, clone)
    assert caps["mon"] == "profile rbd" and "pool=eucavolumes" in caps["osd"] and "pool=eucasnapshots" in caps["osd"], caps
