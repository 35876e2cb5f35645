"""Assertions of the faults of molecule/existing (faults.yml, issue 15).

Through an OSD host crash, a monitor crash during site.yml and validate.yml, and the crash of
the NC that held the volume open: zero client I/O errors, zero mismatched blocks (every block
verified at the takeover and at the end), the volume taken over by the other NC with the NC's
caps only (the dead client blocklisted by librbd, not by us), the quorum whole and every PG
active+clean again. Times are figures (benchmarks/results/faults-SUITE.json), not asserted.
"""

import json
import os

import pytest
import testinfra.utils.ansible_runner

RUNNER = testinfra.utils.ansible_runner.AnsibleRunner(os.environ["MOLECULE_INVENTORY_FILE"])
# the tests below address hosts themselves; run them once
testinfra_hosts = RUNNER.get_hosts("ceph_mons")[:1]
MON = RUNNER.get_host("emon1")
TAKEOVER = RUNNER.get_host("emon3")
DEAD_NC = RUNNER.get_host("enc1")
DEAD_NC_ADDR = "172.30.91.31"  # molecule.yml
PHASES = ("before", "osd_host_crash", "mon_crash", "nc_crash", "takeover", "after_takeover")


def ceph(*args):
    cmd = MON.run("ceph --connect-timeout 15 --format json " + " ".join(args))
    assert cmd.rc == 0, cmd.stderr
    # the JSON document only: some commands add a line of their own ("listed N entries")
    return json.JSONDecoder().raw_decode(cmd.stdout.strip())[0]


def summary():
    return json.loads(TAKEOVER.file("/var/tmp/faults-takeover/summary.json").content_string)


def test_zero_io_errors_and_mismatches_through_every_fault():
    s = summary()
    assert s["io_errors"] == 0, s["error_samples"]
    assert s["mismatches_during_loop"] == 0, s["error_samples"]
    assert s["final_mismatches"] == 0, s["error_samples"]
    assert s["final_blocks_verified"] == s["blocks"] == 2048
    for phase in PHASES:
        assert s["phases"][phase]["all"]["count"] > 0, phase


def test_the_other_nc_took_the_volume_over_with_the_dead_ncs_writes_intact():
    s = summary()
    resumed = s["resumed"]
    # the dead client's ops are in the summary, and it had written the volume
    assert resumed["from_ops"] > 100
    assert resumed["blocks_written_by_dead_client"] > 100
    assert resumed["blocks_verified_at_takeover"] == s["blocks"]
    assert resumed["mismatches_at_takeover"] == 0
    assert s["user"] == "client.eucalyptus-nc"


def test_the_dead_nc_was_fenced_by_librbd_with_the_nc_caps():
    # the takeover broke the exclusive lock of enc1's client: librbd blocklisted it, which
    # the NC's mon 'profile rbd' allows (nothing else in the run blocklists anything)
    entries = ceph("osd", "blocklist", "ls")
    assert any(e["addr"].startswith(DEAD_NC_ADDR + ":") for e in entries), entries
    caps = ceph("auth", "get", "client.eucalyptus-nc")[0]["caps"]
    assert caps["mon"] == "profile rbd"
    assert set(caps) <= {"mon", "osd"}, caps


def test_whole_quorum_and_clean_after_the_faults():
    status = ceph("status")
    assert sorted(status["quorum_names"]) == ["emon1", "emon2", "emon3"]
    assert set(status["health"]["checks"]) <= {"OSDMAP_FLAGS"}, status["health"]["checks"]
    assert status["osdmap"]["num_up_osds"] == status["osdmap"]["num_osds"] == 3
    states = {s["state_name"]: s["count"] for s in status["pgmap"]["pgs_by_state"]}
    # a scrub may start at any time: active+clean+scrubbing is clean too
    assert all(name.startswith("active+clean") for name in states), states


def test_the_crashed_nc_is_back_with_its_wiring():
    assert DEAD_NC.run("systemctl is-system-running").stdout.strip() in ("running", "degraded")
    keyring = DEAD_NC.file("/etc/ceph/ceph.client.eucalyptus-nc.keyring")
    assert (keyring.user, keyring.group, keyring.mode) == ("root", "kvm", 0o640)


@pytest.mark.parametrize("name", RUNNER.get_hosts("all"))
def test_no_temporary_or_half_written_keyring_after_the_killed_site_runs(name):
    """side_effect.yml killed the controller twice during site.yml (at the SC's and at the
    NC's keyring task); the next run converged. Nothing of the killed runs is left in
    /etc/ceph: no temporary file (cephx_keyring writes .NAME.PID.N.tmp, then renames), and
    every keyring is whole - a [client.NAME] section with one key that the cluster knows."""
    host = RUNNER.get_host(name)
    listing = host.check_output("find /etc/ceph -xdev -printf '%P\\n'").split()
    leftovers = [f for f in listing if f.endswith(".tmp") or "/." in "/" + f]
    assert not leftovers, leftovers
    keys = {e["entity"]: e["key"] for e in ceph("auth", "ls")["auth_dump"]}
    for f in listing:
        if not f.endswith(".keyring") or "/" in f:
            continue
        text = host.file("/etc/ceph/" + f).content_string
        sections = [line.strip()[1:-1] for line in text.splitlines() if line.strip().startswith("[")]
        key_lines = [line.split("=", 1)[1].strip() for line in text.splitlines() if line.strip().startswith("key")]
        assert len(sections) == 1 and len(key_lines) == 1, "%s:/etc/ceph/%s is not one whole keyring" % (name, f)
        current = keys.get(sections[0]) == key_lines[0]  # a bool: a failed assert must not print a key
        assert current, "%s:/etc/ceph/%s holds no current key of %s" % (name, f, sections[0])
