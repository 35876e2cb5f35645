"""Check mode equals the real run, for every module that changes state, on the real cluster
(libvirtd, the fake euctl): check mode with diff -> the real run with diff -> the check run's
``changed``, diff and result fields equal the real run's -> check mode again and the real run
again both report changed=false. Then refusals injected in the middle of a run: a failed run
either changed nothing or says exactly what it did and what it left, and the next run converges.

Check mode against the real run is tested elsewhere for (not repeated here):
    ceph_daemon_keyring  test_daemon_keys.py::test_daemon_keyring_check_mode_plans_a_new_entity_then_the_real_run_matches
    ceph_osd             test_daemon_keys.py::test_ceph_osd_check_mode_gives_the_id_the_monitors_give
    euca_conf            test_euca_conf.py::test_shipped_file_check_mode_equals_real_run_then_idempotent
    rbd_io_probe         test_rbd_io_probe.py::test_check_mode_reads_and_predicts_the_real_run
    rbd_pool             test_rbd_pool.py::test_check_mode_of_a_create_computes_what_the_real_run_gets
Refusals after a change tested elsewhere: rbd_pool, rbd_image, ceph_osd_flags, ceph_daemon_keyring,
ceph_osd (their test files); libvirt_secret has only the refusal before any change
(test_libvirt_secret.py::test_usage_name_conflict_fails_and_changes_nothing): the default libvirtd
has no access driver that could allow the define and refuse the value.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import struct
import subprocess
import tempfile
import time
import uuid as uuidlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pytest

from libvirtd import running_libvirtd, unavailable_reason, virsh

pytestmark = pytest.mark.ceph

rbd = pytest.importorskip("rbd")

REPO = Path(__file__).resolve().parents[2]
FAKE_EUCTL = REPO / "tests" / "fakes" / "euctl"
POOL = "cmeq"
PREFIX = "delcmeq0001-"
MiB = 1 << 20
# what Ansible or the callback adds to every result, not the module's answer
NOISE = {"invocation", "warnings", "deprecations", "_ansible_no_log", "_ansible_ignore_errors", "action"}


def unique(what):
    return "cmeq-%s-%s" % (what, uuidlib.uuid4().hex[:6])


def cephx_key():
    """A well-formed cephx key (what `ceph auth get-key` prints), random secret."""
    return base64.b64encode(struct.pack("<HIIH", 1, int(time.time()), 0, 16) + os.urandom(16)).decode()


def write_keyring(path, user, key):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("[client.%s]\n\tkey = %s\n" % (user, key))
    return str(path)


def limited_user(admin, lab, tmp_path, user, caps):
    """A cluster user with CAPS (["mon", "...", ...]) and its keyring: the refusal to inject."""
    admin.delete_user(user)
    key = admin.mon({"prefix": "auth get-or-create", "entity": "client." + user, "caps": caps})[0]["key"]
    return {"cluster_conf": lab.conf, "cluster_user": user,
            "cluster_keyring": write_keyring(tmp_path / ("%s.keyring" % user), user, key)}


class FakeEuctl:
    """A private install of tests/fakes/euctl; REFUSE (a file of property names) makes the
    wrapper refuse to set those, the way euctl fails on one property of several."""

    def __init__(self, root: Path):
        root.mkdir()
        self.state = root / "properties.json"
        self.refuse = root / "refuse"
        zones = root / "zones"
        zones.write_text("one\n")
        real = root / "euctl.fake"
        shutil.copy(FAKE_EUCTL, real)
        self.path = root / "euctl"
        self.path.write_text(
            "#!/bin/sh\n"
            f"for a in \"$@\"; do n=${{a%%=*}}; if [ \"$n\" != \"$a\" ] && grep -qxF \"$n\" '{self.refuse}' "
            "2>/dev/null; then echo \"error: setting $n refused (injected)\" >&2; exit 1; fi; done\n"
            f"EUCTL_FAKE_STATE='{self.state}' EUCTL_FAKE_ZONES='{zones}' exec /usr/bin/python3 '{real}' \"$@\"\n")
        self.path.chmod(0o700)

    def store(self) -> dict:
        return json.loads(self.state.read_text()) if self.state.exists() else {}


def rbd_state(admin, pool):
    """{image: {size, features, snapshots {name: protected}}} of POOL, through librbd as client.admin."""
    out = {}
    with admin.open_ioctx(pool) as io:
        for name in rbd.RBD().list(io):
            with rbd.Image(io, name, read_only=True) as image:
                out[name] = {"size": image.size(), "features": image.features(),
                             "snapshots": {s["name"]: image.is_protected_snap(s["name"]) for s in image.list_snaps()}}
    return out


def remove_images(admin, pool, names):
    with admin.open_ioctx(pool) as io:
        for name in names:
            try:
                image = rbd.Image(io, name)
            except rbd.ImageNotFound:
                continue
            with image:
                for snap in list(image.list_snaps()):
                    if image.is_protected_snap(snap["name"]):
                        image.unprotect_snap(snap["name"])
                    image.remove_snap(snap["name"])
            rbd.RBD().remove(io, name)


def new_osd(admin, host, root):
    """A registered, never started OSD under HOST in a CRUSH root of its own (no pool maps to it,
    so changing it moves no data). Returns its id."""
    osd_id = int(admin.mon({"prefix": "osd new", "uuid": str(uuidlib.uuid4())})["osdid"])
    admin.mon({"prefix": "osd crush add", "id": osd_id, "weight": 0.0, "args": ["root=%s" % root, "host=%s" % host]})
    return osd_id


def drop_osd(admin, osd_id, host, root):
    dump = admin.mon({"prefix": "osd dump"})
    if any(o["osd"] == osd_id for o in dump["osds"]):
        admin.mon({"prefix": "osd purge-new", "id": osd_id, "yes_i_really_mean_it": True})
    for bucket in (host, root):
        try:
            admin.mon({"prefix": "osd crush rm", "name": bucket})
        except Exception:  # already gone (ceph_osd_retire removed the host)
            pass


# ------------------------------------------------------------------------------------------
# one case per module
# ------------------------------------------------------------------------------------------
@dataclass
class Case:
    args: dict
    state: Callable[[], Any]                     # the ground truth, read outside the module
    ignore: tuple = ()                           # result fields legitimately different
    cleanup: list = field(default_factory=list)
    has_diff: bool = True                        # diff_mode support: none -> no diff to compare


@dataclass
class Ctx:
    admin: Any
    lab: Any
    tmp_path: Path
    request: Any

    @property
    def conn(self):
        return {"cluster_conf": self.lab.conf}


def case_ceph_config(c):
    who, name = "client.%s" % unique("cfg"), "rbd_cache_max_dirty"

    def state():
        return [e for e in c.admin.mon({"prefix": "config dump"}) if e["section"] == who]
    case = Case(dict(c.conn, who=who, name=name, value="12582912"), state)
    case.cleanup.append(lambda: c.admin.mon({"prefix": "config rm", "who": who, "name": name}))
    return case


def case_ceph_crush_rule(c):
    rule, pool = unique("rule"), unique("crush")
    c.admin.create_pool(pool, pg_num=1, application=None, wait=False)

    def state():
        rules = {r["rule_name"]: r["rule_id"] for r in c.admin.mon({"prefix": "osd crush rule dump"})}
        pools = {p["pool_name"]: p["crush_rule"] for p in c.admin.mon({"prefix": "osd pool ls", "detail": "detail"})}
        return rules.get(rule), pools[pool]
    case = Case(dict(c.conn, name=rule, failure_domain="osd", pools=[pool]), state)
    case.cleanup += [lambda: c.admin.delete_pool(pool),
                     lambda: c.admin.mon({"prefix": "osd crush rule rm", "name": rule})]
    return case


def case_ceph_crush_weight(c):
    host, root = unique("wh"), unique("wr")
    osd_id = new_osd(c.admin, host, root)

    def state():
        return {n["id"]: n["crush_weight"] for n in c.admin.mon({"prefix": "osd df"})["nodes"]}[osd_id]
    case = Case(dict(c.conn, osds=[osd_id], weight=0.5), state)
    case.cleanup.append(lambda: drop_osd(c.admin, osd_id, host, root))
    return case


def case_ceph_osd_flags(c):
    def state():
        return sorted(c.admin.mon({"prefix": "osd dump"})["flags_set"])
    case = Case(dict(c.conn, flags={"nodeep-scrub": True, "noscrub": True}), state)
    case.cleanup += [lambda f=f: c.admin.mon({"prefix": "osd unset", "key": f}) for f in ("nodeep-scrub", "noscrub")]
    return case


def case_ceph_osd_retire(c):
    host, root = unique("rh"), unique("rr")
    osd_id = new_osd(c.admin, host, root)

    def state():
        tree = c.admin.mon({"prefix": "osd tree"})["nodes"]
        return sorted(o["osd"] for o in c.admin.mon({"prefix": "osd dump"})["osds"]), \
            sorted(n["name"] for n in tree if n["type"] == "host")
    case = Case(dict(c.conn, osds=[osd_id], state="purged", crush_host=host), state, has_diff=False)
    case.cleanup.append(lambda: drop_osd(c.admin, osd_id, host, root))
    return case


def case_cephx_keyring(c):
    path = c.tmp_path / "ceph.client.cmeq.keyring"

    def state():
        if not path.exists():
            return None
        st = path.stat()
        return path.read_text(), st.st_uid, st.st_gid, st.st_mode
    # Ansible adds owner, group, uid, gid, mode, size and state to a result with a path that
    # exists: the file at the END of the run, so in check mode (new file: none) not the real one.
    # The module's own answer is RV(keyring).
    ignore = ("owner", "group", "uid", "gid", "mode", "size", "state", "secontext")
    return Case(dict(path=str(path), name="cmeq", key=cephx_key(), caps={"mon": "profile rbd"}, mode="0640"),
                state, ignore)


def case_cephx_user(c):
    name = unique("user")

    def state():
        return c.admin.get_caps(name)
    case = Case(dict(c.conn, name=name, caps={"mon": "profile rbd", "osd": "profile rbd pool=%s" % POOL}), state)
    case.cleanup.append(lambda: c.admin.delete_user(name))
    return case


def case_euca_property(c):
    euctl = FakeEuctl(c.tmp_path / "euctl")
    props = {"one.storage.blockstoragemanager": "ceph-rbd", "one.storage.cephuser": "eucalyptus-sc",
             "one.storage.cephvolumepools": [POOL, "more"], "one.storage.cephconfigfile": "/etc/ceph/ceph.conf"}
    return Case(dict(euctl_path=str(euctl.path), properties=props), euctl.store)


def case_libvirt_secret(c):
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    c.request.getfixturevalue("libvirtd")
    u = str(uuidlib.uuid4())

    def state():
        r = virsh("secret-dumpxml", u, check=False)
        return r.stdout if r.returncode == 0 else None
    case = Case(dict(uuid=u, usage_name="client.%s secret" % u, description="cmeq", value=cephx_key()), state)
    case.cleanup.append(lambda: virsh("secret-undefine", u, check=False))
    return case


def case_rbd_image(c):
    c.request.getfixturevalue("pool")
    name = unique("img")
    case = Case(dict(c.conn, pool=POOL, name=name, size=8 * MiB, features=["layering"],
                     snapshots=[{"name": "base", "protected": True}]),
                lambda: rbd_state(c.admin, POOL).get(name),
                # the image's id is made up by librbd when it creates it, a snapshot's id is the
                # pool's next snap id from the monitors: neither is known before
                ignore=("image.id", "image.snapshots.id"))
    case.cleanup.append(lambda: remove_images(c.admin, POOL, [name]))
    return case


def case_rbd_reaper(c):
    c.request.getfixturevalue("pool")
    tag = uuidlib.uuid4().hex[:6]
    prefix = PREFIX + tag + "-"
    vol, snap, kept = prefix + "vol", prefix + "snap", "cmeq-restored-" + tag
    with c.admin.open_ioctx(POOL) as io:
        api = rbd.RBD()
        # the Eucalyptus delete chain: deleted volume -> deleted snapshot (a clone of it) -> a
        # restored volume that is deleted too, so the whole chain goes, child first
        api.create(io, vol, 4 * MiB, old_format=False, features=rbd.RBD_FEATURE_LAYERING)
        with rbd.Image(io, vol) as image:
            image.create_snap("s")
            image.protect_snap("s")
        api.clone(io, vol, "s", io, snap, features=rbd.RBD_FEATURE_LAYERING)
        with rbd.Image(io, snap) as image:
            image.create_snap("s")
            image.protect_snap("s")
        api.clone(io, snap, "s", io, prefix + "restored", features=rbd.RBD_FEATURE_LAYERING)
        api.create(io, kept, MiB, old_format=False, features=rbd.RBD_FEATURE_LAYERING)

    def state():
        return sorted(n for n in rbd_state(c.admin, POOL) if tag in n)
    case = Case(dict(c.conn, pools=[POOL], prefix=prefix), state, has_diff=False)
    case.cleanup.append(lambda: remove_images(c.admin, POOL, [prefix + "restored", snap, vol, kept]))
    return case


CASES = {name[len("case_"):]: fn for name, fn in globals().items() if name.startswith("case_")}


@pytest.fixture(scope="module")
def pool(admin):
    admin.create_pool(POOL, wait=False)
    yield POOL
    admin.delete_pool(POOL)


@pytest.fixture(scope="module")
def libvirtd(tmp_path_factory):
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    with running_libvirtd(tmp_path_factory.mktemp("libvirtd")) as pid:
        yield pid


def run_steps(run_module, module, steps, extra_env=None):
    """One ansible-playbook run (every exec traced, as run_module's) of one task of MODULE per
    step (args, check), each with diff, going on after a failure; returns the task results.
    One playbook instead of one per run: the four runs of a case cost one Ansible start."""
    fqcn = "eucalyptus.ceph." + module
    workdir = Path(tempfile.mkdtemp(prefix="run-", dir=run_module.tmp_root))
    try:
        playbook = workdir / "play.yml"
        tasks = [{"name": "step %d" % i, fqcn: args, "check_mode": check, "diff": True, "ignore_errors": True}
                 for i, (args, check) in enumerate(steps)]
        fd = os.open(playbook, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump([{"name": fqcn, "hosts": "localhost", "gather_facts": False, "tasks": tasks}], f)
        p = run_module.run_playbook([run_module.ansible_playbook, "-i", "localhost,", "-c", "local", str(playbook)],
                                    "a run of %s" % fqcn, cwd=workdir, env=run_module.env(extra_env), text=True,
                                    capture_output=True, timeout=600)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    try:
        done = json.loads(p.stdout)["plays"][-1]["tasks"]
    except (ValueError, KeyError, IndexError) as exc:
        raise AssertionError("no results from %s (rc %s, %s): %s" % (fqcn, p.returncode, exc, p.stderr[-2000:]))
    results = [dict(t["hosts"]["localhost"]) for t in done]
    assert len(results) == len(steps), (p.returncode, p.stderr[-2000:])
    for r in results:
        r.setdefault("changed", False)
        r.setdefault("failed", False)
    return results


def answer(result, ignore=()):
    """The module's answer: RESULT without NOISE and the IGNORE fields ("image.id": a nested one,
    "image.snapshots.id": that field of each element of the list image.snapshots)."""
    out = json.loads(json.dumps({k: v for k, v in result.items() if k not in NOISE}))

    def drop(node, parts):
        if isinstance(node, list):
            for item in node:
                drop(item, parts)
        elif isinstance(node, dict) and parts:
            if len(parts) == 1:
                node.pop(parts[0], None)
            else:
                drop(node.get(parts[0]), parts[1:])
    for path in ignore:
        drop(out, path.split("."))
    return out


@pytest.mark.parametrize("module", sorted(CASES))
def test_check_mode_equals_the_real_run(module, run_module, ceph_cluster, admin, tmp_path, request):
    case = CASES[module](Ctx(admin, ceph_cluster, tmp_path, request))
    try:
        before = case.state()
        check, = run_steps(run_module, module, [(case.args, True)])
        assert not check["failed"] and check["changed"], check
        assert case.state() == before, "check mode changed something"
        real, again_check, again = run_steps(run_module, module, [(case.args, False), (case.args, True),
                                                                  (case.args, False)])
        assert not real["failed"] and real["changed"], real
        assert not again_check["failed"] and not again["failed"], (again_check, again)
        assert (again_check["changed"], again["changed"]) == (False, False), (again_check, again)
        after = case.state()
        assert after != before, "the real run changed nothing: the case tests nothing"
        if case.has_diff:
            assert "diff" in real and check.get("diff") == real["diff"]
        assert answer(check, case.ignore) == answer(real, case.ignore)
    finally:
        for undo in case.cleanup:
            undo()


# ------------------------------------------------------------------------------------------
# refusals injected in the middle of a run
# ------------------------------------------------------------------------------------------
def test_cephx_user_refused_caps_or_key_change_changes_nothing_then_converges(run_module, ceph_cluster, admin, tmp_path):
    """A cluster user allowed `auth get` and `auth get-or-create` only: it can create the user,
    but the caps change (`auth caps`) and the key import (`auth import`) are refused - each run
    makes one monitor write, so a refused run changed nothing. The admin's run converges."""
    name, limited = unique("user"), unique("limited")
    conn = limited_user(admin, ceph_cluster, tmp_path, limited,
                        ["mon", 'allow r, allow command "auth get", allow command "auth get-or-create"'])
    key = cephx_key()
    first = {"name": name, "caps": {"mon": "allow r"}}
    wanted = {"name": name, "caps": {"mon": "allow r", "osd": "allow r pool=%s" % POOL}}
    try:
        created, caps_refused, key_refused = run_steps(run_module, "cephx_user", [
            (dict(conn, **first), False), (dict(conn, **wanted), False), (dict(conn, key=key, **wanted), False)])
        assert created["changed"] and not created["failed"], created
        before = admin.get_key(name), admin.get_caps(name)
        assert before[1] == {"mon": "allow r"}
        for refused in (caps_refused, key_refused):
            assert refused["failed"] and not refused["changed"], refused
            assert "already did" not in refused["msg"] and refused.get("changes", []) == []
        assert (admin.get_key(name), admin.get_caps(name)) == before
        converge, again = run_steps(run_module, "cephx_user", [(dict(key=key, cluster_conf=ceph_cluster.conf, **wanted),
                                                                False)] * 2)
        assert converge["changed"] and converge.get("key_changed") and not converge["failed"], converge
        assert (admin.get_key(name), admin.get_caps(name)) == (key, wanted["caps"])
        assert not again["changed"] and not again["failed"], again
    finally:
        admin.delete_user(name)
        admin.delete_user(limited)


def _file_state(path):
    st = os.stat(path)
    return path.read_bytes(), st.st_uid, st.st_gid, st.st_mode, st.st_ino


# chattr +i needs CAP_LINUX_IMMUTABLE: the host stage of CI has it, the container of the
# release matrix (tests/ceph/in-suite.sh) does not
@pytest.mark.skip_allowed_in_ci
def test_cephx_keyring_refused_write_changes_nothing_then_converges(run_module, tmp_path):
    """The keyring file is immutable (chattr +i: refused even for root): a new key (rewrite) and a
    new mode (chmod) are both refused and leave the file exactly as it was; an unknown owner is
    refused before any write; once writable again the run converges."""
    path = tmp_path / "ceph.client.cmeq.keyring"
    old, new = cephx_key(), cephx_key()
    base = {"path": str(path), "name": "cmeq", "mode": "0640"}
    r = run_module("cephx_keyring", dict(base, key=old))
    assert r.changed and not r.failed, r.result
    if subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False).returncode != 0:
        pytest.skip("chattr +i is not supported here: no way to make a write fail for root")
    try:
        before = _file_state(path)
        refused = run_steps(run_module, "cephx_keyring", [(dict(base, key=new), False),
                                                          (dict(base, key=old, mode="0600"), False)])
        assert _file_state(path) == before
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)
    for r in refused:
        assert r["failed"] and not r["changed"], r
    assert "cannot write" in refused[0]["msg"] and "cannot set owner/group/mode" in refused[1]["msg"]
    no_owner = run_module("cephx_keyring", dict(base, key=new, owner="no-such-user-cmeq"))
    assert no_owner.failed and not no_owner.changed, no_owner.result
    assert _file_state(path) == before
    converge, again = run_steps(run_module, "cephx_keyring", [(dict(base, key=new, mode="0600"), False)] * 2)
    assert converge["changed"] and converge["content_changed"] and converge["attributes_changed"], converge
    assert new in path.read_text() and os.stat(path).st_mode & 0o777 == 0o600
    assert not again["changed"] and not again["failed"], again


def test_euca_property_refused_second_write_says_what_it_left_then_converges(run_module, tmp_path):
    """euctl refuses the second of three writes: the run reports changed with the one written
    and the two not written; the store holds exactly that; the next run writes the rest."""
    euctl = FakeEuctl(tmp_path / "euctl")
    args = {"euctl_path": str(euctl.path)}
    first = {"one.storage.blockstoragemanager": "ceph-rbd", "one.storage.cephuser": "eucalyptus-sc"}
    wanted = {"one.storage.cephuser": "eucalyptus-sc2", "one.storage.cephvolumepools": "cmeq,more",
              "one.storage.cephsnapshotpools": "cmeqsnap"}
    r, = run_steps(run_module, "euca_property", [(dict(args, properties=first), False)])
    assert r["changed"] and not r["failed"], r
    euctl.refuse.write_text("one.storage.cephvolumepools\n")
    refused, = run_steps(run_module, "euca_property", [(dict(args, properties=wanted), False)])
    assert refused["failed"] and refused["changed"], refused
    assert refused["changed_properties"] == ["one.storage.cephuser"]
    assert refused["not_done"] == ["one.storage.cephvolumepools", "one.storage.cephsnapshotpools"]
    assert euctl.store() == dict(first, **{"one.storage.cephuser": "eucalyptus-sc2"})
    euctl.refuse.unlink()
    converge, again = run_steps(run_module, "euca_property", [(dict(args, properties=wanted), False)] * 2)
    assert converge["changed"] and not converge["failed"], converge
    assert converge["changed_properties"] == ["one.storage.cephvolumepools", "one.storage.cephsnapshotpools"]
    assert euctl.store() == dict(first, **wanted)
    assert not again["changed"] and not again["failed"], again


def test_rbd_reaper_refused_removal_says_what_it_left_then_converges(run_module, ceph_cluster, admin, pool):
    """Three deleted images; the second is open in another client (a watcher: librbd refuses to
    remove it, after its snapshot is gone). The run reports changed with exactly the first image
    and the snapshot removed, and the two removals not done; the next run removes the rest."""
    prefix = PREFIX + uuidlib.uuid4().hex[:6] + "-"
    a, b, c = prefix + "a", prefix + "b", prefix + "c"
    api = rbd.RBD()
    io = admin.open_ioctx(POOL)
    try:
        for name in (a, b, c):
            api.create(io, name, MiB, old_format=False, features=rbd.RBD_FEATURE_LAYERING)
        with rbd.Image(io, b) as image:
            image.create_snap("s")
            image.protect_snap("s")
        args = dict(cluster_conf=ceph_cluster.conf, pools=[POOL], prefix=prefix)
        with rbd.Image(io, b):   # the watcher
            refused, = run_steps(run_module, "rbd_reaper", [(args, False)])
            assert refused["failed"] and refused["changed"], refused
            assert refused["changes"] == ["remove %s/%s" % (POOL, a), "remove snapshot %s/%s@s" % (POOL, b)], refused
            assert refused["not_done"] == ["remove %s/%s" % (POOL, b), "remove %s/%s" % (POOL, c)], refused
            left = {n: v["snapshots"] for n, v in rbd_state(admin, POOL).items() if n.startswith(prefix)}
            assert left == {b: {}, c: {}}
        converge, again = run_steps(run_module, "rbd_reaper", [(args, False)] * 2)
        assert converge["changed"] and not converge["failed"], converge
        assert converge["removed"] == ["%s/%s" % (POOL, b), "%s/%s" % (POOL, c)]
        assert not [n for n in rbd_state(admin, POOL) if n.startswith(prefix)]
        assert not again["changed"] and not again["failed"], again
    finally:
        remove_images(admin, POOL, [a, b, c])
        io.close()
