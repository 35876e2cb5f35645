"""Verifier of roles/storage_controller in the lab (molecule testinfra).

On every euca_sc host: the SC keyring is root:eucalyptus 0640 and readable by user eucalyptus
(not by others), /etc/ceph/ceph.conf is readable by user eucalyptus and has the 'mon addr'
lines, and the SC key - given only as files (--id, keyring path, /etc/ceph/ceph.conf) -
creates, snapshots, clones and renames images with python3-rbd. On the euctl host (euca_clc,
else the SC itself) the zone's cloud properties read back as the role set them.
"""

import json
import os
import re

import testinfra.utils.ansible_runner

RUNNER = testinfra.utils.ansible_runner.AnsibleRunner(os.environ["MOLECULE_INVENTORY_FILE"])
testinfra_hosts = RUNNER.get_hosts("euca_sc")


def _vars(host):
    v = RUNNER.get_variables(host.backend.get_hostname())
    base = v.get("ebs_sc_user", "eucalyptus")
    # rotation.yml (the last side effect) moved the SC to generation 2 when the case asks for it
    user = base + ".gen2" if os.environ.get("EUCA_LAB_SC_ROTATION") == "generation" else base
    keyring_dir = v.get("storage_controller_keyring_dir", "/etc/ceph")
    return {
        "zone": v.get("ebs_zone", "one"),
        "user": user,
        "group": v.get("storage_controller_group", "eucalyptus"),
        "volume_pools": v.get("ebs_volume_pools", ["eucavolumes"]),
        "snapshot_pools": v.get("ebs_snapshot_pools", ["eucasnapshots"]),
        # one file for every generation of the user
        "keyring": "%s/ceph.client.%s.keyring" % (keyring_dir, base),
        "conf": "/etc/ceph/ceph.conf",
    }


def test_keyring_root_eucalyptus_0640(host):
    v = _vars(host)
    f = host.file(v["keyring"])
    assert f.is_file and not f.is_symlink
    assert f.user == "root"
    assert f.group == v["group"]
    assert f.mode == 0o640
    head = host.run("head -n 1 %s", v["keyring"])
    assert head.stdout.strip() == "[client.%s]" % v["user"]


def test_keyring_readable_by_eucalyptus_only(host):
    v = _vars(host)
    assert host.run("runuser -u eucalyptus -- test -r %s", v["keyring"]).rc == 0
    assert host.run("runuser -u nobody -- test -r %s", v["keyring"]).rc != 0


def test_ceph_conf_readable_by_eucalyptus_with_mon_addr(host):
    v = _vars(host)
    assert host.run("runuser -u eucalyptus -- test -r %s", v["conf"]).rc == 0
    text = host.file(v["conf"]).content_string
    assert re.search(r"^\s*mon addr\s*=\s*\d+\.\d+\.\d+\.\d+:\d+\s*$", text, re.M), text
    assert re.search(r"^\s*fsid\s*=", text, re.M)


def test_cloud_properties(host):
    v = _vars(host)
    clc = RUNNER.get_hosts("euca_clc")
    euctl_host = host if not clc or host.backend.get_hostname() in clc else RUNNER.get_host(clc[0])
    p = "%s.storage." % v["zone"]
    expected = {
        p + "blockstoragemanager": "ceph-rbd",
        p + "cephuser": v["user"],
        p + "cephkeyringfile": v["keyring"],
        p + "cephconfigfile": v["conf"],
        p + "cephvolumepools": ",".join(v["volume_pools"]),
        p + "cephsnapshotpools": ",".join(v["snapshot_pools"]),
    }
    for name, value in expected.items():
        cmd = euctl_host.run("euctl %s", name)
        assert cmd.rc == 0, cmd.stderr
        assert cmd.stdout.strip() == "%s = %s" % (name, value)


SC_IMAGE_SCRIPT = r"""
import json, sys, uuid
import rados, rbd
user, keyring, conf, vol, snap = sys.argv[1:6]
c = rados.Rados(conffile=conf, rados_id=user,
                conf={"keyring": keyring, "rados_osd_op_timeout": "30", "rados_mon_op_timeout": "30"})
c.connect(timeout=30)
name = "testinfra-sc-" + uuid.uuid4().hex[:8]
done = []
try:
    with c.open_ioctx(snap) as sio, c.open_ioctx(vol) as vio:
        r = rbd.RBD()
        r.create(sio, name, 8 << 20, old_format=False, features=rbd.RBD_FEATURE_LAYERING); done.append("create")
        with rbd.Image(sio, name) as img:
            img.create_snap("s"); img.protect_snap("s"); done.append("snap+protect")
        r.clone(sio, name, "s", vio, name + "-vol", features=rbd.RBD_FEATURE_LAYERING); done.append("clone")
        r.rename(vio, name + "-vol", name + "-del"); done.append("rename")
        r.remove(vio, name + "-del")
        with rbd.Image(sio, name) as img:
            img.unprotect_snap("s"); img.remove_snap("s")
        r.remove(sio, name); done.append("cleanup")
finally:
    c.shutdown()
print(json.dumps(done))
"""


def test_sc_key_creates_images(host):
    """As root, like the SC's rbd export-diff/import-diff: the user id and the keyring PATH only."""
    v = _vars(host)
    cmd = host.run("python3 -c %s %s %s %s %s %s", SC_IMAGE_SCRIPT, v["user"], v["keyring"], v["conf"],
                   v["volume_pools"][0], v["snapshot_pools"][0])
    assert cmd.rc == 0, cmd.stderr[-2000:]
    assert json.loads(cmd.stdout.strip().splitlines()[-1]) == ["create", "snap+protect", "clone", "rename", "cleanup"]


def test_sc_rbd_cli_finds_conf_and_keyring_by_default(host):
    """Eucalyptus runs `rbd --id USER --keyring FILE` with no --conf: /etc/ceph/ceph.conf must do."""
    v = _vars(host)
    cmd = host.run("rbd --id %s --keyring %s ls %s", v["user"], v["keyring"], v["volume_pools"][0])
    assert cmd.rc == 0, cmd.stderr
