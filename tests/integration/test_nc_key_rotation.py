# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""NC key rotation (playbooks/rotate.yml --tags nc) on a real cluster and a real libvirtd:
generation 2 of the NC user is created with the same caps and a new key, the keyring, the
zone's libvirt secret and eucalyptus.conf switch to it, while a client that still holds
generation 1 (as a running guest's qemu does) keeps it: generation 1 is kept because the
monitors have its session, and it logs in. Once that client is gone, a second run retires
generation 1 and its keyring; its key is refused from then on. Works without pending keys, so
on Pacific too. Also: libvirt_rbd_disk_info reads the users of guest disks from real libvirt
domain definitions (libvirt's test driver, which needs no qemu), and cephx_user_generations
keeps a user those disks name."""

from __future__ import annotations

import json
import subprocess
import uuid as uuidlib
from dataclasses import dataclass
from pathlib import Path

import pytest

import libvirtd as libvirtd_helper
from nc_inventory import write_nc_inventory
from conftest import MODULE_PYTHON, _json_documents, ensure_collection_link, installed_collections_path
from test_libvirt_secret import get_value
from test_nc_credentials import SHIPPED_CONF, shell_view

pytestmark = pytest.mark.libvirt

REPO = Path(__file__).resolve().parents[2]
POOL = "rot-volumes"

# a guest attached before the rotation: opens the volume as the given user and writes, reads
# back and checks one block after another until its stdin closes; prints ops and errors
HOLDER = """
import json, os, sys, threading, rados, rbd
c = rados.Rados(conffile=sys.argv[1], rados_id=sys.argv[2], conf={"keyring": sys.argv[3]})
c.connect(timeout=30)
io = c.open_ioctx(sys.argv[4])
image = rbd.Image(io, sys.argv[5])
stop = threading.Event()
threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
ops = errors = 0
print("connected", flush=True)
while not stop.is_set():
    block = os.urandom(4096)
    offset = (ops % 1024) * 4096
    try:
        image.write(block, offset)
        if image.read(offset, 4096) != block:
            errors += 1
    except rbd.Error as exc:
        errors += 1
        print("error: %s" % exc, file=sys.stderr, flush=True)
    ops += 1
image.close(); io.close(); c.shutdown()
print(json.dumps({"ops": ops, "errors": errors}), flush=True)
"""

# a second NC opens the same volume (a live migration's destination): login, open, read
OPEN = """
import sys, rados, rbd
c = rados.Rados(conffile=sys.argv[1], rados_id=sys.argv[2], conf={"keyring": sys.argv[3]})
c.connect(timeout=30)
io = c.open_ioctx(sys.argv[4])
with rbd.Image(io, sys.argv[5]) as image:
    image.read(0, 4096)
    print("opened %d bytes" % image.size())
io.close(); c.shutdown()
"""

LOGIN = """
import sys, rados
c = rados.Rados(conffile=sys.argv[1], rados_id=sys.argv[2], conf={"keyring": sys.argv[3]})
try:
    c.connect(timeout=15)
except rados.Error as exc:
    print("refused: %s" % exc)
    sys.exit(3)
print("fsid %s" % c.get_fsid())
c.shutdown()
"""


@dataclass
class Lab:
    dir: Path
    prefix: str
    euca_conf: Path
    secret_uuid: str
    inventory: Path
    conf: str
    runner: object

    def keyring(self, user):
        return self.dir / ("ceph.client.%s.keyring" % user)

    def rotate(self, generation, *args):
        argv = [self.runner.ansible_playbook, "-i", str(self.inventory), str(REPO / "playbooks" / "rotate.yml"),
                "--tags", "nc", "-e", json.dumps({"ebs_nc_user_generation": generation}), *args]
        return self.runner.run_playbook(argv, "an NC rotation", cwd=self.dir, text=True, capture_output=True,
                                        timeout=600, check=False)

    def login(self, user, keyring):
        return subprocess.run([MODULE_PYTHON, "-c", LOGIN, self.conf, user, str(keyring)], capture_output=True,
                              text=True, timeout=120, check=False)


def messages(p):
    """The debug messages of a run (json callback)."""
    found = []
    for doc in _json_documents(p.stdout):
        if isinstance(doc, dict) and "plays" in doc:
            for play in doc["plays"]:
                for task in play["tasks"]:
                    for result in task["hosts"].values():
                        if isinstance(result.get("msg"), str):
                            found.append(result["msg"])
    return found


def changed(p):
    stats = [doc["stats"]["localhost"] for doc in _json_documents(p.stdout) if isinstance(doc, dict) and "stats" in doc]
    return stats[-1]["changed"] if stats else None


@pytest.fixture(scope="module")
def lab(ceph_cluster, admin, libvirtd, run_module, tmp_path_factory):
    d = tmp_path_factory.mktemp("nc-rotation")
    prefix = "rot-%s" % uuidlib.uuid4().hex[:6]
    euca_conf = d / "eucalyptus.conf"
    euca_conf.write_text(SHIPPED_CONF)
    secret_uuid = str(uuidlib.uuid4())
    inventory = d / "inventory.json"
    # one keyring file per generation, named for the user (as the default path is)
    write_nc_inventory(inventory, ceph_cluster, ceph_conf=d / "ceph.conf",
                       keyring=str(d) + "/ceph.client.{{ ebs_nc_host_user }}.keyring", euca_conf=euca_conf,
                       volume_pools=[POOL], snapshot_pools=[], nc_user=prefix, secret_uuid=secret_uuid)
    ensure_collection_link()
    installed_collections_path()
    try:
        yield Lab(d, prefix, euca_conf, secret_uuid, inventory, str(d / "ceph.conf"), run_module)
    finally:
        libvirtd_helper.virsh("secret-undefine", secret_uuid, check=False)
        for user in (prefix, prefix + ".gen2", prefix + ".gen3"):
            admin.delete_user(user)
        admin.delete_pool(POOL)


def test_rotation_overlaps_generations_and_retires_the_old_one_when_unused(lab, admin):
    gen1, gen2 = lab.prefix, lab.prefix + ".gen2"
    p = lab.rotate(1)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-2000:]
    key1 = admin.get_key(gen1)
    assert key1 and get_value(lab.secret_uuid) == key1 and shell_view(lab.euca_conf)["CEPH_USER_NAME"] == gen1

    # a client that holds generation 1, as a guest attached before the rotation
    import rbd  # Debian's binding, as conftest's helpers import it
    admin.create_pool(POOL, wait=False)
    with admin.rados.open_ioctx(POOL) as io:
        rbd.RBD().create(io, "vol-rotation", 8 << 20, old_format=False, features=1)
    holder = subprocess.Popen([MODULE_PYTHON, "-c", HOLDER, lab.conf, gen1, str(lab.keyring(gen1)), POOL, "vol-rotation"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "connected"

        # check mode: the plan, nothing created
        p = lab.rotate(2, "--check")
        assert p.returncode == 0, p.stdout[-3000:]
        assert not admin.user_exists(gen2) and get_value(lab.secret_uuid) == key1
        assert any("check mode, and the switch would create the new user first" in m for m in messages(p)), messages(p)

        p = lab.rotate(2)
        assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-2000:]
        key2 = admin.get_key(gen2)
        assert key2 and key2 != key1 and admin.get_caps(gen2) == admin.get_caps(gen1)
        assert get_value(lab.secret_uuid) == key2
        conf = shell_view(lab.euca_conf)
        assert conf["CEPH_USER_NAME"] == gen2 and conf["CEPH_KEYRING_PATH"] == str(lab.keyring(gen2))
        # generation 1 is kept: the monitors have its session
        assert admin.get_key(gen1) == key1 and lab.keyring(gen1).exists()
        report = [m for m in messages(p) if "uses client.%s" % gen2 in m]
        assert report and "Retired: none" in report[0] and "client.%s (1 session(s) on the monitors" % gen1 in report[0], \
            messages(p)
        assert lab.login(gen1, lab.keyring(gen1)).returncode == 0
        # a new attach, and the volume opened from a second NC (a migration), with generation 2
        for opener in ("a new attach", "a migration's destination"):
            opened = subprocess.run([MODULE_PYTHON, "-c", OPEN, lab.conf, gen2, str(lab.keyring(gen2)), POOL,
                                     "vol-rotation"], capture_output=True, text=True, timeout=120, check=False)
            assert opened.returncode == 0 and "opened 8388608 bytes" in opened.stdout, (opener, opened.stderr[-2000:])

        # an interrupted or repeated run changes nothing while the old generation is in use
        p = lab.rotate(2)
        assert p.returncode == 0 and changed(p) == 0, p.stdout[-3000:]
    finally:
        holder.stdin.close()
        out = holder.stdout.read()
        holder.wait(timeout=120)
    io_result = json.loads(out.strip().splitlines()[-1])
    # the guest's I/O went on through the whole switch as generation 1, without one error
    print("guest I/O as generation 1 through the switch: %(ops)d write+read pairs, %(errors)d errors" % io_result)
    assert holder.returncode == 0 and io_result["ops"] > 100 and io_result["errors"] == 0, (out, io_result)

    old_keyring = lab.dir / "gen1-copy.keyring"
    old_keyring.write_text(lab.keyring(gen1).read_text())
    old_keyring.chmod(0o600)
    p = lab.rotate(2)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-2000:]
    assert not admin.user_exists(gen1) and not lab.keyring(gen1).exists()
    assert admin.get_key(gen2) == key2 and get_value(lab.secret_uuid) == key2
    report = [m for m in messages(p) if "uses client.%s" % gen2 in m]
    assert report and "Retired: client.%s." % gen1 in report[0], messages(p)
    refused = lab.login(gen1, old_keyring)
    assert refused.returncode == 3 and "refused" in refused.stdout, refused.stdout + refused.stderr
    old_keyring.unlink()
    assert lab.login(gen2, lab.keyring(gen2)).returncode == 0

    p = lab.rotate(2)
    assert p.returncode == 0 and changed(p) == 0, p.stdout[-3000:]

    # going back is refused: generation 3 exists, and generation 2 is asked for
    admin.mon({"prefix": "auth get-or-create", "entity": "client.%s.gen3" % lab.prefix,
               "caps": ["mon", "profile rbd"]})
    p = lab.rotate(2)
    assert p.returncode != 0 and "a later generation than 2 exists" in p.stdout, p.stdout[-3000:]
    assert admin.get_key(gen2) == key2


NODE = """<node>
  <domain type='test'>
    <name>i-rotation</name>
    <memory>65536</memory>
    <os><type>hvm</type></os>
    <devices>
      <disk type='network' device='disk'>
        <source protocol='rbd' name='{pool}/vol-1'><host name='127.0.0.1' port='6789'/></source>
        <auth username='{user}'><secret type='ceph' uuid='5b7c2a6e-3f1d-4c8e-9a0b-1e2f3a4b5c6d'/></auth>
        <target dev='vdb' bus='virtio'/>
      </disk>
    </devices>
  </domain>
</node>
"""


def test_a_user_a_guest_disk_names_is_kept(lab, admin, run_module, tmp_path):
    base = lab.prefix + "-disk"
    for user in (base, base + ".gen2"):
        admin.mon({"prefix": "auth get-or-create", "entity": "client.%s" % user, "caps": ["mon", "profile rbd"]})
    try:
        node = tmp_path / "node.xml"
        node.write_text(NODE.format(pool=POOL, user=base))
        r = run_module("libvirt_rbd_disk_info", {"uri": "test://%s" % node})
        assert not r.failed, r.msg
        assert r.result["users"] == [base] and r.result["disks"][0]["image"] == "%s/vol-1" % POOL, r.result
        args = {"users": [base], "generation": 2, "in_use": r.result["users"], "session_samples": 1,
                "cluster_conf": lab.conf, "cluster_user": "admin", "cluster_keyring": str(admin.lab.admin_keyring)}
        r = run_module("cephx_user_generations", args)
        assert not r.failed and not r.changed, r.msg
        assert r.result["kept"] == [{"entity": "client.%s" % base, "reason": "in use by the caller's clients (in_use)"}]
        assert admin.user_exists(base)
        r = run_module("cephx_user_generations", dict(args, in_use=[]), check=True)
        assert r.changed and r.result["retired"] == ["client.%s" % base] and admin.user_exists(base), r.result
        r = run_module("cephx_user_generations", dict(args, in_use=[]))
        assert r.changed and not admin.user_exists(base) and admin.user_exists(base + ".gen2")
    finally:
        for user in (base, base + ".gen2"):
            admin.delete_user(user)
