# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The node_controller role against the Eucalyptus NC attach script's contract.

The role runs for real against localhost: the admin host is localhost with the test cluster's
conf and admin keyring; ceph.conf, the NC keyring and eucalyptus.conf are redirected into a
temporary directory; the libvirt secret goes to a libvirtd this module starts itself (or the
one already running, which it leaves alone). The ceph_client role's apt task runs too: every
package is already installed on a test host, so it changes nothing.

Then the test does what the attach script does on every volume attach, re-implemented here
from Eucalyptus' source (see docs notes "How Eucalyptus itself consumes what we configure"):
  1. read CEPH_USER_NAME / CEPH_KEYRING_PATH / CEPH_CONFIG_PATH from eucalyptus.conf;
  2. take the key from the keyring: header `[client.USER]` at column 0 with nothing after
     `]`, then a `key = <base64>` line;
  3. `virsh secret-get-value UUID` must print that key (else the script would redefine the
     secret and set it with the key in argv);
  4. monitors ONLY from `^\\s*mon addr\\s*=\\s*(.*)$` lines, split on `,` then `:` (ip and
     port both required);
  5. print the libvirt `<disk type='network'>` XML.
and PROVES that the XML's data is enough to reach the image: librados with exactly those
monitors, that user and the secret's value (no ceph.conf), qemu the way libvirt drives it
(`server` list + `key-secret`), read/write of a volume and of a clone whose parent is in the
snapshot pool. Finally librados, qemu-img and the `ceph` CLI all work with the generated
ceph.conf (with its extra `[mon.X] mon addr` sections).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import uuid as uuidlib
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import libvirtd as libvirtd_helper  # noqa: E402  (shared helper next to this file)
from nc_inventory import write_nc_inventory  # noqa: E402

pytestmark = [pytest.mark.ceph, pytest.mark.libvirt]

VOL_POOL = "ncc-volumes"
SNAP_POOL = "ncc-snapshots"
VOLUME = "vol-ncc00001"          # a volume as the SC creates it (format 2, layering)
PARENT = "snap-ncc00001"         # an EBS snapshot image in the snapshot pool ...
RESTORED = "vol-ncc00002"        # ... and a volume restored from it (clone in the volume pool)
MIB = 1 << 20

# An excerpt of eucalyptus.conf as the package ships it (commented defaults), plus one setting
# an operator already made active, and other lines the role must keep untouched.
PACKAGED_EUCA_CONF = """\
###########################################################################
# NODE CONTROLLER (NC) CONFIGURATION
###########################################################################
HYPERVISOR="kvm"
INSTANCE_PATH="/var/lib/eucalyptus/instances"

# The Ceph user the NC uses to attach EBS volumes from Ceph RBD.
#CEPH_USER_NAME="eucalyptus"

# The keyring of that user.
#CEPH_KEYRING_PATH="/etc/ceph/ceph.client.eucalyptus.keyring"

# The Ceph configuration file.
CEPH_CONFIG_PATH="/etc/ceph/ceph.conf"
USE_VIRTIO_DISK="1"
"""


# ------------------------------------------------------------------------------------------
# the attach script, re-implemented
# ------------------------------------------------------------------------------------------
class AttachError(AssertionError):
    """The attach script would fail here."""


def read_euca_conf(path: Path) -> dict:
    """Active KEY="value" lines (shell style, as the NC reads them); the last one wins."""
    out = {}
    for line in path.read_text().splitlines():
        m = re.match(r'^\s*([A-Za-z_][A-Za-z0-9_]*)="?(.*?)"?\s*$', line)
        if m and not line.lstrip().startswith("#"):
            out[m.group(1)] = m.group(2)
    return out


def key_from_keyring(path: str, user: str) -> str:
    lines = Path(path).read_text().split("\n")
    header = re.compile(r"^\[client\.%s\]$" % re.escape(user))   # column 0, nothing after ]
    for i, line in enumerate(lines):
        if header.match(line):
            for following in lines[i + 1:]:
                if following.startswith("["):
                    break
                m = re.match(r"^\s*key\s*=\s*([A-Za-z0-9+/]+={0,2})\s*$", following)
                if m:
                    return m.group(1)
            raise AttachError("%s: section [client.%s] has no 'key = ' line" % (path, user))
    raise AttachError("%s: no [client.%s] header at column 0" % (path, user))


def secret_value(secret_uuid: str) -> str | None:
    r = libvirtd_helper.virsh("secret-get-value", secret_uuid, check=False)
    return r.stdout.strip() if r.returncode == 0 else None


def monitors_from_conf(path: str) -> list[tuple[str, str]]:
    mons = []
    for line in Path(path).read_text().splitlines():
        m = re.match(r"^\s*mon addr\s*=\s*(.*)$", line)
        if not m:
            continue
        for addr in m.group(1).split(","):
            parts = addr.strip().split(":")
            if len(parts) != 2 or not parts[0] or not parts[1]:
                raise AttachError("%s: mon addr %r is not ip:port" % (path, addr))
            mons.append((parts[0], parts[1]))
    if not mons:
        raise AttachError("%s: no 'mon addr' line: the attach fails" % path)
    return mons


def disk_xml(pool_image: str, user: str, secret_uuid: str, mons: list, target: str, serial: str) -> str:
    hosts = "".join("<host name='%s' port='%s'/>" % m for m in mons)
    return ("<disk type='network' device='disk'>"
            "<driver name='qemu' type='raw' cache='none'/>"
            "<source protocol='rbd' name='%s'>%s</source>"
            "<auth username='%s'><secret type='ceph' uuid='%s'/></auth>"
            "<target dev='%s' bus='virtio'/><serial>%s</serial></disk>"
            % (pool_image, hosts, user, secret_uuid, target, serial))


def attach(euca_conf: Path, pool: str, image: str, secret_uuid: str) -> str:
    """What the NC does for `rbd,ceph,,,POOL/IMAGE,UUID,,,`: returns the disk XML."""
    conf = read_euca_conf(euca_conf)
    user, keyring, ceph_conf = conf["CEPH_USER_NAME"], conf["CEPH_KEYRING_PATH"], conf["CEPH_CONFIG_PATH"]
    key = key_from_keyring(keyring, user)
    if secret_value(secret_uuid) != key:
        raise AttachError("virsh secret-get-value %s differs from the keyring: the script would run "
                          "`virsh secret-set-value %s --base64 <key>` (key in argv)" % (secret_uuid, secret_uuid))
    return disk_xml("%s/%s" % (pool, image), user, secret_uuid, monitors_from_conf(ceph_conf), "vdb", image)


@dataclass
class Disk:
    """The data libvirt takes from the disk XML."""

    pool: str
    image: str
    hosts: list
    user: str
    secret_uuid: str

    @classmethod
    def parse(cls, xml: str) -> "Disk":
        root = ET.fromstring(xml)
        assert root.tag == "disk" and root.get("type") == "network" and root.get("device") == "disk"
        src = root.find("source")
        assert src.get("protocol") == "rbd"
        pool, image = src.get("name").split("/", 1)
        auth = root.find("auth")
        secret = auth.find("secret")
        assert secret.get("type") == "ceph"
        return cls(pool=pool, image=image, hosts=[(h.get("name"), h.get("port")) for h in src.findall("host")],
                   user=auth.get("username"), secret_uuid=secret.get("uuid"))

    @property
    def mon_host(self) -> str:
        return ",".join("%s:%s" % h for h in self.hosts)


# ------------------------------------------------------------------------------------------
# running the role
# ------------------------------------------------------------------------------------------
@dataclass
class RoleRun:
    rc: int
    stdout: str
    stderr: str
    stats: dict
    changed_tasks: list = field(default_factory=list)

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def summary(self) -> str:
        return "rc %d, stats %s, changed: %s\n%s" % (self.rc, self.stats, self.changed_tasks, self.output[-3000:])


def _json_docs(text: str) -> list:
    """The json callback's documents in TEXT: top-level objects with "stats"."""
    dec = json.JSONDecoder()
    docs = []
    for m in re.finditer(r"^\{", text, re.M):
        try:
            docs.append(dec.raw_decode(text, m.start())[0])
        except ValueError:
            continue
    return [d for d in docs if isinstance(d, dict) and "stats" in d]


def _callback_lines(text: str) -> str:
    """The json callback's document without the verbose lines (-vvv: "<localhost> EXEC ...")
    that another writer may have put between its lines: the document's own lines are "{",
    "}" or indented."""
    start = text.rfind("\n{\n")
    if start < 0:
        return ""
    return "\n".join(line for line in text[start + 1:].splitlines()
                     if line in ("{", "}") or line.startswith(" "))


@dataclass
class NCSetup:
    dir: Path
    ceph_conf: Path
    keyring: Path
    euca_conf: Path
    inventory: Path
    playbook: Path
    user: str
    secret_uuid: str
    runner: object

    def run(self, check: bool = False, verbosity: int = 0, timeout: float = 600) -> RoleRun:
        argv = [self.runner.ansible_playbook, "-i", str(self.inventory), str(self.playbook)]
        if check:
            argv.append("--check")
        if verbosity:
            argv.append("-" + "v" * verbosity)
        work = self.dir / "work"
        work.mkdir(exist_ok=True)
        p = self.runner.run_playbook(argv, "the node_controller role", cwd=work, text=True, capture_output=True,
                                     timeout=timeout, check=False)
        stats, changed = {}, []
        for doc in _json_docs(p.stdout) or _json_docs(_callback_lines(p.stdout)):   # the callback's documents
            stats = doc["stats"].get("localhost", {})
            for play in doc.get("plays", []):
                for task in play.get("tasks", []):
                    if task.get("hosts", {}).get("localhost", {}).get("changed"):
                        changed.append(task["task"]["name"])
        return RoleRun(p.returncode, p.stdout, p.stderr, stats, changed)


@pytest.fixture(scope="module")
def nc(ceph_cluster, admin, libvirtd, run_module, tmp_path_factory):
    """Pools, images as the SC would create them, and the role's inputs in a private directory."""
    import rbd

    d = tmp_path_factory.mktemp("nc")
    (d / "etc-ceph").mkdir()
    (d / "etc-eucalyptus").mkdir()
    euca_conf = d / "etc-eucalyptus" / "eucalyptus.conf"
    euca_conf.write_text(PACKAGED_EUCA_CONF)
    user = "ncc-%s" % uuidlib.uuid4().hex[:8]
    secret_uuid = str(uuidlib.uuid4())
    keyring = d / "etc-ceph" / ("ceph.client.%s.keyring" % user)
    ceph_conf = d / "etc-ceph" / "ceph.conf"

    for pool in (VOL_POOL, SNAP_POOL):
        admin.create_pool(pool, wait=False)
    admin.wait_ready()
    with admin.open_ioctx(SNAP_POOL) as snap_io, admin.open_ioctx(VOL_POOL) as vol_io:
        r = rbd.RBD()
        r.create(vol_io, VOLUME, 16 * MIB, old_format=False, features=rbd.RBD_FEATURE_LAYERING)
        r.create(snap_io, PARENT, 16 * MIB, old_format=False, features=rbd.RBD_FEATURE_LAYERING)
        with rbd.Image(snap_io, PARENT) as img:
            img.write(b"\xa5" * MIB, 0)
            img.create_snap("base")
            img.protect_snap("base")
        r.clone(snap_io, PARENT, "base", vol_io, RESTORED, features=rbd.RBD_FEATURE_LAYERING)

    inventory = d / "inventory.json"
    write_nc_inventory(inventory, ceph_cluster, ceph_conf=ceph_conf, keyring=keyring, euca_conf=euca_conf,
                       volume_pools=[VOL_POOL], snapshot_pools=[SNAP_POOL], nc_user=user, secret_uuid=secret_uuid)
    playbook = d / "site.yml"
    playbook.write_text(json.dumps([{"name": "Node Controllers", "hosts": "euca_nc", "gather_facts": False,
                                     "roles": ["eucalyptus.ceph.node_controller"]}]))
    try:
        yield NCSetup(d, ceph_conf, keyring, euca_conf, inventory, playbook, user, secret_uuid, run_module)
    finally:
        libvirtd_helper.virsh("secret-undefine", secret_uuid, check=False)
        admin.delete_user(user)
        with admin.open_ioctx(VOL_POOL) as vol_io, admin.open_ioctx(SNAP_POOL) as snap_io:
            for io, name in ((vol_io, RESTORED), (vol_io, VOLUME)):
                try:
                    rbd.RBD().remove(io, name)
                except rbd.ImageNotFound:
                    pass
            try:
                with rbd.Image(snap_io, PARENT) as img:
                    img.unprotect_snap("base")
                    img.remove_snap("base")
                rbd.RBD().remove(snap_io, PARENT)
            except rbd.ImageNotFound:
                pass
        for pool in (VOL_POOL, SNAP_POOL):
            admin.delete_pool(pool)


def _state(nc: NCSetup, admin) -> dict:
    return dict(ceph_conf=nc.ceph_conf.exists(), keyring=nc.keyring.exists(),
                euca_conf=nc.euca_conf.read_bytes(), user=admin.user_exists(nc.user),
                secret=libvirtd_helper.virsh("secret-dumpxml", nc.secret_uuid, check=False).returncode == 0)


@pytest.fixture(scope="module")
def fresh_check(nc, admin):
    before = _state(nc, admin)
    t0 = time.monotonic()
    run = nc.run(check=True)
    return before, _state(nc, admin), run, time.monotonic() - t0


@pytest.fixture(scope="module")
def configured(nc, admin, fresh_check, argv_watcher_cls):
    """First run (argv recorded: the key is only known afterwards), second run, -vvv run
    and a check-mode run, all on the configured state."""

    class Recorder(argv_watcher_cls):
        """Keeps every distinct command line seen, to look for the key once it is known."""

        def __init__(self):
            super().__init__(["\0unused\0"])
            self.cmdlines = set()

        def sample(self):
            for entry in os.scandir("/proc"):
                if entry.name.isdigit():
                    try:
                        with open("/proc/%s/cmdline" % entry.name, "rb") as f:
                            self.cmdlines.add(f.read())
                    except OSError:
                        pass
            self.samples += 1

    timings = {}
    t0 = time.monotonic()
    with Recorder() as rec:
        first = nc.run()
    timings["first"] = time.monotonic() - t0
    assert first.rc == 0, first.summary()
    key = admin.get_key(nc.user)
    assert key, "the role did not create client.%s" % nc.user
    leaks = [c for c in rec.cmdlines if key.encode() in c or key.encode() in c.replace(b"\0", b" ")]

    with argv_watcher_cls([key]) as watch:
        t0 = time.monotonic()
        second = nc.run()
        timings["second"] = time.monotonic() - t0
        verbose = nc.run(verbosity=3)
        t0 = time.monotonic()
        check = nc.run(check=True)
        timings["check_configured"] = time.monotonic() - t0
    return dict(first=first, second=second, verbose=verbose, check=check, key=key, leaks=leaks,
                recorder_samples=rec.samples, watch=watch, timings=timings)


@pytest.fixture(scope="module")
def argv_watcher_cls(request):
    """conftest's ArgvWatcher class (the argv_watcher fixture is function-scoped)."""
    for plugin in request.config.pluginmanager.get_plugins():
        cls = getattr(plugin, "ArgvWatcher", None)
        if isinstance(cls, type):
            return cls
    pytest.fail("ArgvWatcher not found in the integration conftest")


# ------------------------------------------------------------------------------------------
# the role
# ------------------------------------------------------------------------------------------
def test_check_mode_on_fresh_state_changes_nothing(fresh_check):
    before, after, run, seconds = fresh_check
    assert run.rc == 0, run.summary()
    assert after == before, "check mode changed something"
    assert not before["ceph_conf"] and not before["keyring"] and not before["user"] and not before["secret"]
    assert run.stats.get("changed", 0) > 0, run.summary()   # it reports what it would do
    # it says what it could not compare (no key yet) and that the login waits for the files
    assert "not compared: keyring and libvirt secret: no key (the user does not exist yet)" in run.output
    assert "login with the NC credentials not checked: check mode: the files would change first" in run.output
    print("\ncheck mode on a fresh NC: %.1fs, would change %s" % (seconds, run.changed_tasks))


def test_role_is_idempotent_and_keeps_the_key_off_argv_and_logs(configured):
    c = configured
    assert c["first"].stats["changed"] > 0, c["first"].summary()
    for name in ("second", "verbose", "check"):
        run = c[name]
        assert run.rc == 0 and run.stats.get("failures", 0) == 0, run.summary()
        assert run.stats.get("changed") == 0, "%s run: %s" % (name, run.summary())
    assert c["leaks"] == [], "the key was on a command line during the first run"
    assert c["recorder_samples"] > 20
    assert c["watch"].hits == [] and c["watch"].samples > 20
    for name in ("first", "second", "verbose", "check"):
        assert c["key"] not in c[name].output, "key in the output of the %s run" % name
    assert "censored" in c["verbose"].output
    print("\nnode_controller role: first run %.1fs, second (no change) %.1fs, check mode %.1fs"
          % (c["timings"]["first"], c["timings"]["second"], c["timings"]["check_configured"]))


def test_eucalyptus_conf_is_edited_in_place(nc, configured):
    text = nc.euca_conf.read_text()
    wanted = {"CEPH_USER_NAME": nc.user, "CEPH_KEYRING_PATH": str(nc.keyring), "CEPH_CONFIG_PATH": str(nc.ceph_conf)}
    for k, v in wanted.items():   # exactly one active line per key
        assert re.findall(r"(?m)^\s*%s=.*$" % k, text) == ['%s="%s"' % (k, v)], text
    # every other line is kept, in place; a key without an active line gets one right after
    # the package's commented-out default, which stays
    expected = PACKAGED_EUCA_CONF
    expected = expected.replace('#CEPH_USER_NAME="eucalyptus"\n',
                                '#CEPH_USER_NAME="eucalyptus"\nCEPH_USER_NAME="%s"\n' % nc.user)
    expected = expected.replace('#CEPH_KEYRING_PATH="/etc/ceph/ceph.client.eucalyptus.keyring"\n',
                                '#CEPH_KEYRING_PATH="/etc/ceph/ceph.client.eucalyptus.keyring"\n'
                                'CEPH_KEYRING_PATH="%s"\n' % nc.keyring)
    expected = expected.replace('CEPH_CONFIG_PATH="/etc/ceph/ceph.conf"', 'CEPH_CONFIG_PATH="%s"' % nc.ceph_conf)
    assert text == expected


def test_keyring_is_root_kvm_0640_and_parses_as_the_script_reads_it(nc, configured):
    import grp

    st = nc.keyring.stat()
    assert (st.st_uid, st.st_gid, st.st_mode & 0o7777) == (0, grp.getgrnam("kvm").gr_gid, 0o640)
    assert key_from_keyring(str(nc.keyring), nc.user) == configured["key"]


def test_secret_is_defined_as_the_script_defines_it_with_the_key(nc, configured):
    root = ET.fromstring(libvirtd_helper.virsh("secret-dumpxml", nc.secret_uuid).stdout)
    assert (root.get("ephemeral"), root.get("private")) == ("no", "no")
    assert root.find("usage").get("type") == "ceph" and root.findtext("usage/name") == nc.secret_uuid
    assert secret_value(nc.secret_uuid) == configured["key"]


# ------------------------------------------------------------------------------------------
# the disk XML's data reaches the images
# ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def disks(nc, configured, ceph_cluster):
    """The attach script's XML for the volume and for the restored clone, parsed back."""
    out = {}
    for image in (VOLUME, RESTORED):
        xml = attach(nc.euca_conf, VOL_POOL, image, nc.secret_uuid)
        disk = Disk.parse(xml)
        assert disk.pool == VOL_POOL and disk.image == image and disk.user == nc.user
        assert disk.hosts == [(ceph_cluster.ip, "6789")]
        out[image] = (xml, disk)
    return out


def test_disk_xml_is_valid_libvirt(disks, tmp_path):
    for tool, package in (("virt-xml-validate", "libvirt-clients"), ("xmllint", "libxml2-utils")):
        if not shutil.which(tool):
            pytest.skip("%s missing (apt-get install %s)" % (tool, package))
    xml = disks[VOLUME][0]
    domain = tmp_path / "domain.xml"
    domain.write_text("<domain type='kvm'><name>ncc</name><memory>65536</memory><os><type>hvm</type></os>"
                      "<devices>%s</devices></domain>" % xml)
    r = subprocess.run(["virt-xml-validate", str(domain), "domain"], capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stdout + r.stderr


def _connect_from_xml(disk: Disk):
    """librados with ONLY the XML's monitors and user and the secret's value: no ceph.conf."""
    import rados

    key = secret_value(disk.secret_uuid)   # what libvirt hands to qemu
    c = rados.Rados(rados_id=disk.user, conffile=None,
                    conf={"mon_host": disk.mon_host, "key": key, "client_mount_timeout": "15",
                          "rados_mon_op_timeout": "30", "rados_osd_op_timeout": "30"})
    c.connect(timeout=15)
    return c


def test_xml_data_reads_and_writes_the_volume_through_librados(disks):
    import rbd

    disk = disks[VOLUME][1]
    c = _connect_from_xml(disk)
    try:
        with c.open_ioctx(disk.pool) as io, rbd.Image(io, disk.image) as img:
            data = os.urandom(256 * 1024)
            img.write(data, 4 * MIB)
            assert img.read(4 * MIB, len(data)) == data
            img.flush()
    finally:
        c.shutdown()


def test_xml_data_reads_a_restored_volume_through_its_parent_in_the_snapshot_pool(disks):
    import rbd

    disk = disks[RESTORED][1]
    c = _connect_from_xml(disk)
    try:
        with c.open_ioctx(disk.pool) as io, rbd.Image(io, disk.image) as img:
            # the clone holds no data of its own yet: this reads through to the parent
            # (the nc caps refuse parent_info() - EPERM - which a hypervisor does not need)
            assert img.read(0, MIB) == b"\xa5" * MIB
            img.write(b"\x11" * 4096, 512 * 1024)              # copy-up into the clone
            assert img.read(512 * 1024, 4096) == b"\x11" * 4096
    finally:
        c.shutdown()


def _qemu_json(disk: Disk) -> str:
    """The -blockdev options libvirt gives qemu for the disk XML (no conf, key via a secret object)."""
    return "json:" + json.dumps({"driver": "raw", "file": {
        "driver": "rbd", "pool": disk.pool, "image": disk.image, "user": disk.user,
        "server": [{"host": h, "port": p} for h, p in disk.hosts],
        "key-secret": "sec0", "auth-client-required": ["cephx", "none"]}})


def test_xml_data_works_for_qemu_as_libvirt_drives_it(disks, tmp_path):
    disk = disks[VOLUME][1]
    keyfile = tmp_path / "secret"
    fd = os.open(keyfile, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(secret_value(disk.secret_uuid))
    secret = "secret,id=sec0,file=%s,format=base64" % keyfile
    env = {**os.environ, "CEPH_CONF": "/dev/null"}   # nothing but the XML's data
    r = subprocess.run(["qemu-img", "info", "--output=json", "--object", secret, _qemu_json(disk)],
                       capture_output=True, text=True, env=env, timeout=60, check=False)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["virtual-size"] == 16 * MIB
    r = subprocess.run(["qemu-io", "--object", secret, "-c", "write -P 0x3c 8M 64k", "-c", "read -P 0x3c 8M 64k",
                        _qemu_json(disk)], capture_output=True, text=True, env=env, timeout=60, check=False)
    assert r.returncode == 0 and "read 65536/65536 bytes" in r.stdout and "failed" not in r.stdout, r.stdout + r.stderr


# ------------------------------------------------------------------------------------------
# the generated ceph.conf (mon_host + [mon.X] mon addr sections) for every client
# ------------------------------------------------------------------------------------------
def test_generated_conf_has_mon_addr_lines_and_works_for_librados(nc, configured, ceph_cluster):
    import rados
    import rbd

    text = nc.ceph_conf.read_text()
    assert re.search(r"(?m)^\[mon\.\w+\]$", text)
    assert monitors_from_conf(str(nc.ceph_conf)) == [(ceph_cluster.ip, "6789")]
    c = rados.Rados(rados_id=nc.user, conffile=str(nc.ceph_conf),
                    conf={"keyring": str(nc.keyring), "rados_osd_op_timeout": "30"})
    c.connect(timeout=15)
    try:
        assert c.get_fsid() == ceph_cluster.fsid
        with c.open_ioctx(VOL_POOL) as io, rbd.Image(io, VOLUME, read_only=True) as img:
            assert img.size() == 16 * MIB
    finally:
        c.shutdown()


def test_generated_conf_works_for_qemu_img_with_the_nc_credentials(nc, configured):
    spec = "rbd:%s/%s:id=%s:conf=%s:keyring=%s" % (VOL_POOL, VOLUME, nc.user, nc.ceph_conf, nc.keyring)
    r = subprocess.run(["qemu-img", "info", "--output=json", spec], capture_output=True, text=True,
                       timeout=60, check=False)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["virtual-size"] == 16 * MIB


def test_generated_conf_works_for_the_ceph_cli(nc, configured, ceph_cluster):
    # --keyring through CEPH_ARGS (a path, not a key): the python `ceph` CLI otherwise first
    # warns that it finds no keyring at the default paths, then uses the one given.
    env = {**os.environ, "CEPH_ARGS": "--keyring %s" % nc.keyring}
    r = subprocess.run(["ceph", "-c", str(nc.ceph_conf), "--id", nc.user, "--connect-timeout", "15",
                        "mon", "dump", "--format", "json"], capture_output=True, text=True, env=env,
                       timeout=60, check=False)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["fsid"] == ceph_cluster.fsid
    r = subprocess.run(["ceph", "-c", str(nc.ceph_conf), "--keyring", ceph_cluster.admin_keyring,
                        "--connect-timeout", "15", "health"], capture_output=True, text=True, timeout=60, check=False)
    assert r.returncode == 0 and r.stdout.startswith("HEALTH_"), r.stderr
