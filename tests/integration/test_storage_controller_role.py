# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The storage_controller role on localhost against the real loopback cluster and the
project's fake euctl: keyring (0640 root:eucalyptus) with a key that authenticates and can do
the Storage Controller's image operations, ceph.conf with mon addr lines, the zone's cloud
properties, a second run with no change, and --check on a fresh state changing nothing.

/etc/ceph is not touched: ceph.conf and the keyring go to a temporary directory. The role's
package check runs for real (the packages are installed by scripts/bootstrap.sh): dpkg's
database says they are there, and apt runs only in the check-mode test of a missing package.
"""

from __future__ import annotations

import grp
import json
import os
import re
import shutil
import stat
import subprocess
import time
from pathlib import Path

import pytest

from conftest import _json_documents

pytestmark = pytest.mark.ceph

REPO = Path(__file__).resolve().parents[2]
FAKE = REPO / "tests" / "fakes" / "euctl"
GROUP = "eucalyptus"
ZONE = "one"


def _apt_ready():
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f", "${Status}\n", "ceph-common", "python3-rados", "python3-rbd"],
                             capture_output=True, text=True, check=False).stdout
    except FileNotFoundError:
        return "dpkg-query not found"
    if out.count("install ok installed") != 3:
        return "ceph-common, python3-rados and python3-rbd must be installed (scripts/bootstrap.sh)"
    return None


class Site:
    """One private 'site': etc dir, fake euctl with its own store, inventory, playbook."""

    def __init__(self, root: Path, lab, user: str, vol: str, snap: str):
        self.root = root
        self.etc = root / "etc-ceph"
        self.conf = self.etc / "ceph.conf"
        self.keyring = self.etc / f"ceph.client.{user}.keyring"
        self.state = root / "euctl" / "properties.json"
        (root / "euctl").mkdir(parents=True)
        real = root / "euctl" / "euctl.fake"
        shutil.copy(FAKE, real)
        self.euctl = root / "euctl" / "euctl"
        self.euctl.write_text(
            "#!/bin/sh\n"
            f"EUCTL_FAKE_STATE='{self.state}' EUCTL_FAKE_ZONES='{root / 'euctl' / 'zones'}' "
            f"exec /usr/bin/python3 '{real}' \"$@\"\n")
        self.euctl.chmod(0o755)
        (root / "euctl" / "zones").write_text(ZONE + "\n")
        self.inventory = root / "hosts.ini"
        self.inventory.write_text(
            "[euca_sc]\nlocalhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3\n")
        self.vars = {
            "ebs_zone": ZONE,
            "ebs_volume_pools": [vol],
            "ebs_snapshot_pools": [snap],
            "ebs_sc_user": user,
            "ceph_client_admin_host": "localhost",
            "ceph_client_admin_conf": lab.conf,
            "ceph_client_admin_keyring": lab.admin_keyring,
            "ceph_client_conf_path": str(self.conf),
            "storage_controller_keyring_dir": str(self.etc),
            "storage_controller_euctl_path": str(self.euctl),
            "storage_controller_should_transfer_snapshots": False,
            "storage_controller_max_snapshot_deltas": 3,
        }
        self.playbook = root / "site.yml"
        self.write_playbook()

    def write_playbook(self):
        """The play of the role with self.vars (again after a test changed them)."""
        self.playbook.write_text(json.dumps([{
            "name": "Storage Controller", "hosts": "euca_sc", "gather_facts": False,
            "vars": self.vars, "roles": ["eucalyptus.ceph.storage_controller"]}], indent=2))

    def store(self) -> dict:
        return json.loads(self.state.read_text()) if self.state.exists() else {}

    def euctl_get(self, name: str) -> str:
        """What `euctl NAME` prints as the value (the cloud's effective value)."""
        out = subprocess.run([str(self.euctl), name], capture_output=True, text=True, check=True).stdout
        m = re.match(rf"^{re.escape(name)} = (.*)$", out.strip())
        assert m, out
        return m.group(1)

    def expected_properties(self) -> dict:
        v = self.vars
        p = f"{ZONE}.storage."
        return {
            p + "blockstoragemanager": "ceph-rbd",
            p + "cephuser": v["ebs_sc_user"],
            p + "cephkeyringfile": str(self.keyring),
            p + "cephconfigfile": str(self.conf),
            p + "cephvolumepools": ",".join(v["ebs_volume_pools"]),
            p + "cephsnapshotpools": ",".join(v["ebs_snapshot_pools"]),
            p + "shouldtransfersnapshots": "false",
            p + "maxsnapshotdeltas": "3",
        }


class PlaybookRun:
    def __init__(self, proc):
        self.proc = proc
        self.doc = None
        for doc in _json_documents(proc.stdout):
            if isinstance(doc, dict) and "stats" in doc:
                self.doc = doc
        if self.doc is None:
            raise AssertionError(f"no json callback output (rc {proc.returncode}):\n{proc.stdout[-3000:]}\n"
                                 f"{proc.stderr[-3000:]}")
        self.stats = self.doc["stats"].get("localhost", {})

    @property
    def changed_tasks(self) -> list:
        names = []
        for play in self.doc["plays"]:
            for task in play["tasks"]:
                if task["hosts"].get("localhost", {}).get("changed"):
                    names.append(task["task"]["name"])
        return names

    @property
    def failures(self) -> list:
        found = []
        for play in self.doc["plays"]:
            for task in play["tasks"]:
                res = task["hosts"].get("localhost", {})
                if res.get("failed") or res.get("unreachable"):
                    found.append((task["task"]["name"], res.get("msg")))
        return found

    @property
    def output(self) -> str:
        return self.proc.stdout + self.proc.stderr


@pytest.fixture(scope="module")
def names(admin):
    if os.geteuid() != 0:
        pytest.skip("needs root (groupadd, chown, apt)")
    if not FAKE.exists():
        pytest.skip(f"{FAKE} is missing")
    reason = _apt_ready()
    if reason:
        pytest.skip(reason)
    pid = os.getpid()
    user, vol, snap = f"scrole-{pid}", f"scrole-vol-{pid}", f"scrole-snap-{pid}"
    admin.create_pool(vol)
    admin.create_pool(snap)
    yield user, vol, snap
    admin.delete_user(user)
    admin.delete_user(f"{user}-check")
    admin.delete_pool(vol)
    admin.delete_pool(snap)


@pytest.fixture(scope="module")
def play(run_module, tmp_path_factory):
    env = run_module.env()

    def run(site: Site, check: bool = False) -> PlaybookRun:
        argv = [run_module.ansible_playbook, "-i", str(site.inventory), str(site.playbook)]
        if check:
            argv.append("--check")
        proc = run_module.run_playbook(argv, "the storage_controller role", cwd=site.root, env=env, text=True,
                                       capture_output=True, timeout=900, check=False)
        return PlaybookRun(proc)
    return run


@pytest.fixture(scope="module")
def converged(ceph_cluster, names, play, tmp_path_factory):
    """The first run, timed; returns (site, run, seconds)."""
    user, vol, snap = names
    site = Site(tmp_path_factory.mktemp("sc-site"), ceph_cluster, user, vol, snap)
    t0 = time.monotonic()
    run = play(site)
    took = time.monotonic() - t0
    assert run.failures == [] and run.proc.returncode == 0, run.failures or run.output[-4000:]
    print(f"\n[storage_controller] first run {took:.1f}s, changed tasks: {run.changed_tasks}")
    return site, run, took


def test_first_run_changes(converged):
    site, run = converged[0], converged[1]
    assert run.stats["changed"] >= 4
    assert any("keyring" in n for n in run.changed_tasks)
    assert any("Cloud properties" in n for n in run.changed_tasks)


def test_keyring_is_root_eucalyptus_0640_with_the_users_key(converged, admin):
    site, run = converged[0], converged[1]
    st = site.keyring.stat()
    assert stat.S_IMODE(st.st_mode) == 0o640
    assert st.st_uid == 0
    assert st.st_gid == grp.getgrnam(GROUP).gr_gid
    user = site.vars["ebs_sc_user"]
    key = admin.get_key(user)
    text = site.keyring.read_text()
    assert text.splitlines()[0] == f"[client.{user}]"
    assert re.search(r"^\s*key = (\S+)$", text, re.M).group(1) == key
    # the key never reaches the play's output
    assert key not in run.output
    caps = admin.get_caps(user)
    vol, snap = site.vars["ebs_volume_pools"][0], site.vars["ebs_snapshot_pools"][0]
    assert caps["mon"] == "profile rbd"
    assert f"pool={vol}" in caps["osd"] and f"pool={snap}" in caps["osd"]


def test_ceph_conf_has_mon_addr_lines(converged, ceph_cluster):
    site = converged[0]
    text = site.conf.read_text()
    assert re.search(rf"^\s*mon addr\s*=\s*{re.escape(ceph_cluster.ip)}:6789\s*$", text, re.M), text
    assert f"fsid = {ceph_cluster.fsid}" in text
    assert stat.S_IMODE(site.conf.stat().st_mode) & 0o004, "ceph.conf must be readable by the eucalyptus user"


def test_sc_key_works_with_the_written_files(converged):
    """As the SC does it: librados/librbd with the written ceph.conf and keyring only."""
    import rados
    import rbd

    site = converged[0]
    user = site.vars["ebs_sc_user"]
    vol, snap = site.vars["ebs_volume_pools"][0], site.vars["ebs_snapshot_pools"][0]
    cluster = rados.Rados(conffile=str(site.conf), rados_id=user,
                          conf={"keyring": str(site.keyring), "rados_osd_op_timeout": "30",
                                "rados_mon_op_timeout": "30"})
    cluster.connect(timeout=30)
    try:
        with cluster.open_ioctx(snap) as sio, cluster.open_ioctx(vol) as vio:
            r = rbd.RBD()
            r.create(sio, "snap-parent", 8 << 20, old_format=False, features=rbd.RBD_FEATURE_LAYERING)
            with rbd.Image(sio, "snap-parent") as img:
                img.write(b"x" * 4096, 0)
                img.create_snap("s1")
                img.protect_snap("s1")
            r.clone(sio, "snap-parent", "s1", vio, "vol-1", features=rbd.RBD_FEATURE_LAYERING)
            r.rename(vio, "vol-1", "del-vol-1")
            assert "del-vol-1" in r.list(vio)
            with rbd.Image(vio, "del-vol-1") as img:
                assert img.read(0, 4096) == b"x" * 4096
            r.remove(vio, "del-vol-1")
            with rbd.Image(sio, "snap-parent") as img:
                img.unprotect_snap("s1")
                img.remove_snap("s1")
            r.remove(sio, "snap-parent")
    finally:
        cluster.shutdown()


def test_cloud_properties_are_set(converged):
    site = converged[0]
    expected = site.expected_properties()
    assert {name: site.euctl_get(name) for name in expected} == expected
    # every value differs from the fake's defaults, so every one was written
    assert site.store() == expected


def test_second_run_changes_nothing(converged, play):
    site = converged[0]
    before = site.keyring.stat().st_mtime_ns, site.conf.stat().st_mtime_ns, site.state.stat().st_mtime_ns
    t0 = time.monotonic()
    run = play(site)
    took = time.monotonic() - t0
    assert run.failures == [], run.failures
    assert run.stats["changed"] == 0, run.changed_tasks
    assert (site.keyring.stat().st_mtime_ns, site.conf.stat().st_mtime_ns, site.state.stat().st_mtime_ns) == before
    print(f"\n[storage_controller] second run {took:.1f}s, changed=0")


def test_check_on_converged_state_changes_nothing(converged, play):
    site = converged[0]
    run = play(site, check=True)
    assert run.failures == [], run.failures
    assert run.stats["changed"] == 0, run.changed_tasks


def test_check_on_fresh_state_changes_nothing(ceph_cluster, names, play, tmp_path_factory, admin):
    user, vol, snap = names
    user = f"{user}-check"
    site = Site(tmp_path_factory.mktemp("sc-fresh"), ceph_cluster, user, vol, snap)
    run = play(site, check=True)
    assert run.failures == [], run.failures
    assert run.stats["changed"] >= 2, run.changed_tasks   # the user, ceph.conf and the properties would change
    assert not site.conf.exists()
    assert not site.keyring.exists()
    assert not site.state.exists()
    assert not admin.user_exists(user)


def _task_results(run, name):
    return [t["hosts"].get("localhost", {}) for p in run.doc["plays"] for t in p["tasks"]
            if t["task"]["name"].split(" : ")[-1] == name]


def test_apt_runs_only_for_the_packages_dpkg_does_not_have(converged, play):
    """The packages are read from dpkg's database (ebs_host_facts); apt is called for the missing ones only, and
    not at all when none is missing. A package no repository has makes apt fail (in check mode,
    without touching its lists) naming that package alone: the installed ones were not passed."""
    site = converged[0]
    missing = "eucalyptus-ceph-test-no-such-package"
    site.vars["ceph_client_packages"] = ["ceph-common", "python3-rados", "python3-rbd", missing]
    site.write_playbook()
    try:
        run = play(site, check=True)
        apt = _task_results(run, "Install the Ceph client packages that are missing")
        assert len(apt) == 1 and apt[0].get("failed"), apt
        assert apt[0]["invocation"]["module_args"]["name"] == [missing], apt[0]["invocation"]
        assert missing in apt[0]["msg"], apt[0]["msg"]
        # the packages the role needs are all there: dpkg answers, apt's task is skipped
        del site.vars["ceph_client_packages"]
        site.write_playbook()
        again = play(site, check=True)
        assert again.failures == [] and again.stats["changed"] == 0, again.changed_tasks
        apt = _task_results(again, "Install the Ceph client packages that are missing")
        assert len(apt) == 1 and apt[0].get("skipped"), apt
    finally:
        site.vars.pop("ceph_client_packages", None)
        site.write_playbook()
