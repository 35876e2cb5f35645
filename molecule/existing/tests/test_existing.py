"""Verifier of the "existing" lab: the hand-built cluster (prepare.yml) and its before snapshot.

First the cluster as prepare.yml built it; then the proofs that site.yml changed nothing on
it but add the EBS pools and users, by comparing with /root/existing-before/.
Runs with molecule's testinfra verifier; hosts come from the molecule inventory.
"""

import json
import os
import re

import testinfra.utils.ansible_runner

RUNNER = testinfra.utils.ansible_runner.AnsibleRunner(os.environ["MOLECULE_INVENTORY_FILE"])
testinfra_hosts = RUNNER.get_hosts("all")

MONS = RUNNER.get_hosts("ceph_mons")
FIRST_MON = MONS[0]
EXPECTED_OSDS = 3
BEFORE = "/root/existing-before"
HOST_FILES = ["host.json"]
CLUSTER_FILES = ["config-dump.json", "pools.json", "auth-entities.json", "osd-flags.json"]
# cephx keys: base64 of 28 bytes (40 chars ending '==', Pacific..Squid) or 44 bytes
# (60 chars ending '=', Tentacle)
KEY_RE = re.compile(r"(?<![A-Za-z0-9+/])(?:[A-Za-z0-9+/]{38}==|[A-Za-z0-9+/]{59}=)(?![A-Za-z0-9+/=])")


def _name(host):
    return host.backend.get_hostname()


def _ceph_json(host, *args):
    cmd = host.run("ceph --connect-timeout 15 --format json " + " ".join(args))
    assert cmd.rc == 0, cmd.stderr
    return json.loads(cmd.stdout)


def test_cluster_quorum_osds_and_noout(host):
    if _name(host) != FIRST_MON:
        return
    status = _ceph_json(host, "status")
    assert sorted(status["quorum_names"]) == sorted(MONS)
    osdmap = status["osdmap"]
    assert osdmap["num_osds"] == EXPECTED_OSDS
    assert osdmap["num_up_osds"] == EXPECTED_OSDS
    assert osdmap["num_in_osds"] == EXPECTED_OSDS
    assert status["health"]["status"] == "HEALTH_WARN"
    assert "OSDMAP_FLAGS" in status["health"]["checks"]
    assert "noout" in _ceph_json(host, "osd", "dump")["flags"].split(",")


def test_one_osd_per_host_failure_domain_host(host):
    if _name(host) != FIRST_MON:
        return
    tree = _ceph_json(host, "osd", "tree")
    hosts = {n["name"]: n["children"] for n in tree["nodes"] if n["type"] == "host"}
    assert sorted(hosts) == sorted(MONS)
    assert all(len(c) == 1 for c in hosts.values()), hosts
    rule = _ceph_json(host, "osd", "crush", "rule", "dump", "replicated_rule")
    assert any(s.get("type") == "host" for s in rule["steps"] if s["op"].startswith("choose")), rule


def _keys_of(host, path):
    """The cephx keys in a keyring file on the host (kept in memory, never printed)."""
    content = host.file(path).content_string
    return [m.group(1) for m in re.finditer(r"^\s*key\s*=\s*(\S+)", content, re.M)]


def test_before_snapshot_exists_and_has_no_keys(host):
    name = _name(host)
    if name not in MONS:
        return
    d = host.file(BEFORE)
    assert d.is_directory
    assert d.user == "root" and d.mode == 0o700
    files = HOST_FILES + (CLUSTER_FILES if name == FIRST_MON else [])
    known_keys = _keys_of(host, "/etc/ceph/ceph.client.admin.keyring") + _keys_of(
        host, "/var/lib/ceph/mon/ceph-%s/keyring" % name)
    assert known_keys, "no keys found in the admin and mon keyrings"
    for f in files:
        path = "%s/%s" % (BEFORE, f)
        assert host.file(path).is_file, path
        text = host.file(path).content_string
        json.loads(text)
        looks_like_key = KEY_RE.search(text) is not None
        assert not looks_like_key, "%s contains something that looks like a cephx key" % path
        has_known_key = any(k in text for k in known_keys)
        assert not has_known_key, "%s contains a key of the cluster" % path
    snap = json.loads(host.file(BEFORE + "/host.json").content_string)
    assert snap["mon_id"] == name
    assert snap["mon_dir_inode"] == int(host.check_output("stat -c %%i /var/lib/ceph/mon/ceph-%s" % name))
    assert snap["monmap_fsid"] == host.check_output("ceph-conf --lookup fsid")


# ---------------------------------------------------------------------------------------------
# After site.yml (converge, idempotence), validate.yml and the refused cluster role
# (side_effect): the cluster hosts are as the storage team left them, plus the EBS pools and
# users only.
# ---------------------------------------------------------------------------------------------
AFTER = "/root/existing-after"
EBS_POOLS = {"eucavolumes", "eucasnapshots"}
EBS_USERS = {"client.eucalyptus", "client.eucalyptus-nc"}
SNAPSHOT_PY = os.path.join(os.path.dirname(__file__), "..", "files", "snapshot.py")
SECRET_UUID = "5b7c2a6e-3f1d-4c8e-9a0b-1e2f3a4b5c6d"


def _snapshot_now(host):
    """The same snapshot as prepare.yml's, taken now into AFTER (the script is fed on stdin)."""
    name = _name(host)
    with open(SNAPSHOT_PY) as f:
        script = f.read()
    args = "--dir %s --mon-id %s%s" % (AFTER, name, " --cluster" if name == FIRST_MON else "")
    cmd = host.run("rm -rf %s && python3 - %s <<'SNAPSHOT_EOF'\n%s\nSNAPSHOT_EOF" % (AFTER, args, script))
    assert cmd.rc == 0, cmd.stderr


def _json(host, path):
    return json.loads(host.file(path).content_string)


def test_mon_store_conf_and_daemon_defaults_untouched(host):
    name = _name(host)
    if name not in MONS:
        return
    _snapshot_now(host)
    before, after = _json(host, BEFORE + "/host.json"), _json(host, AFTER + "/host.json")
    for field in ("ceph_conf_sha256", "etc_default_ceph_sha256", "mon_dir_inode", "store_db_inode",
                  "mon_keyring_sha256", "kv_backend_sha256", "monmap_fsid", "monmap_epoch",
                  "monmap_created", "monmap_mons"):
        assert after[field] == before[field], "%s changed on %s: %r -> %r" % (field, name, before[field], after[field])
    # nothing of the cluster role's was left behind (its ceph.conf marker, a staging mon store)
    assert "eucalyptus.ceph.ceph_cluster" not in host.file("/etc/ceph/ceph.conf").content_string
    assert not host.file("/var/lib/ceph/mon/ceph-%s.eucalyptus-mkfs" % name).exists


def test_config_database_flags_and_existing_users_untouched(host):
    if _name(host) != FIRST_MON:
        return
    _snapshot_now(host)
    for f in ("config-dump.json", "osd-flags.json"):
        assert _json(host, AFTER + "/" + f) == _json(host, BEFORE + "/" + f), "%s differs from before site.yml" % f
    caps_before, caps_after = _json(host, BEFORE + "/auth-caps.json"), _json(host, AFTER + "/auth-caps.json")
    assert {e: caps_after[e] for e in caps_before} == caps_before, "caps of a pre-existing entity changed"


def test_only_the_ebs_pools_and_users_were_added(host):
    if _name(host) != FIRST_MON:
        return
    _snapshot_now(host)
    pools_before, pools_after = set(_json(host, BEFORE + "/pools.json")), set(_json(host, AFTER + "/pools.json"))
    assert pools_after - pools_before == EBS_POOLS and pools_before <= pools_after
    users_before = set(_json(host, BEFORE + "/auth-entities.json"))
    users_after = set(_json(host, AFTER + "/auth-entities.json"))
    assert users_after - users_before == EBS_USERS and users_before <= users_after
    detail = {p["pool_name"]: p for p in _ceph_json(host, "osd", "pool", "ls", "detail")}
    for pool in EBS_POOLS:   # the cluster's defaults of ceph.conf (size 3, min_size 2), rbd application
        assert (detail[pool]["size"], detail[pool]["min_size"]) == (3, 2)
        assert "rbd" in detail[pool]["application_metadata"]


def test_the_noout_warning_is_still_there_and_did_not_stop_site_yml(host):
    if _name(host) != FIRST_MON:
        return
    checks = _ceph_json(host, "health")["checks"]
    assert "OSDMAP_FLAGS" in checks


def test_nc_wiring_on_the_converged_and_the_plain_nc(host):
    name = _name(host)
    if name not in RUNNER.get_hosts("euca_nc"):
        return
    converged = name in MONS
    conf = "/etc/ceph/eucalyptus/ceph.conf" if converged else "/etc/ceph/ceph.conf"
    euca = host.file("/etc/eucalyptus/eucalyptus.conf").content_string
    active = [line for line in euca.splitlines() if re.match(r"\s*CEPH_[A-Z_]+\s*=", line)]
    assert sorted(active) == sorted([
        'CEPH_USER_NAME="eucalyptus-nc"',
        'CEPH_KEYRING_PATH="/etc/ceph/ceph.client.eucalyptus-nc.keyring"',
        'CEPH_CONFIG_PATH="%s"' % conf,
    ])
    addrs = re.findall(r"(?m)^\s*mon addr\s*=\s*(\S+)\s*$", host.file(conf).content_string)
    assert sorted(addrs) == ["172.30.91.1%d:6789" % i for i in (1, 2, 3)]
    keyring = host.file("/etc/ceph/ceph.client.eucalyptus-nc.keyring")
    assert (keyring.user, keyring.group, keyring.mode) == ("root", "kvm", 0o640)
    key = _keys_of(host, keyring.path)
    value = host.run("virsh secret-get-value %s" % SECRET_UUID)
    same = value.rc == 0 and key and value.stdout.strip() == key[0]
    assert same, "the libvirt secret does not hold the NC keyring's key on %s" % name
    if converged:   # the cluster's own ceph.conf is still the storage team's
        assert "storage team" in host.file("/etc/ceph/ceph.conf").content_string


def test_sc_wiring(host):
    if _name(host) not in RUNNER.get_hosts("euca_sc"):
        return
    keyring = host.file("/etc/ceph/ceph.client.eucalyptus.keyring")
    assert (keyring.user, keyring.group, keyring.mode) == ("root", "eucalyptus", 0o640)
    props = {}
    for line in host.check_output("euctl one.storage.ceph").splitlines():
        fields = line.split(None, 2)
        if len(fields) == 3 and fields[0] == "PROPERTY":
            props[fields[1]] = fields[2]
    assert props["one.storage.cephuser"] == "eucalyptus"
    assert props["one.storage.cephvolumepools"] == "eucavolumes"
    assert props["one.storage.cephsnapshotpools"] == "eucasnapshots"
    assert props["one.storage.cephconfigfile"] == "/etc/ceph/ceph.conf"
