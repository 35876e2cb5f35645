# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""eucalyptus.ceph.cephx_keyring against a real cluster key: the written keyring authenticates,
parses the way the Eucalyptus NC attach script parses it, and the key leaks nowhere."""

from __future__ import annotations

import grp
import os
import re
import stat
import subprocess

import pytest

pytestmark = pytest.mark.ceph

GROUPS = ("eucalyptus", "kvm")


@pytest.fixture(scope="module")
def groups():
    """The SC and NC keyring groups; created (as system groups) when missing, and kept."""
    if os.geteuid() != 0:
        pytest.skip("needs root (groupadd, chown)")
    for name in GROUPS:
        try:
            grp.getgrnam(name)
        except KeyError:
            r = subprocess.run(["groupadd", "--system", name], capture_output=True, text=True, check=False)
            # exit 9: created meanwhile by someone else; fine
            assert r.returncode in (0, 9), r.stderr
    return {name: grp.getgrnam(name).gr_gid for name in GROUPS}


@pytest.fixture(scope="module")
def user(admin):
    """A real cephx user (name, key) made by the monitors; removed afterwards."""
    name = "krtest-%d" % os.getpid()
    entries = admin.mon({"prefix": "auth get-or-create", "entity": "client." + name,
                         "caps": ["mon", "profile rbd"]})
    key = entries[0]["key"]
    # AES-128 (40 characters) up to Reef, AES-256 (60) from Tentacle on
    assert len(key) in (40, 60)
    yield name, key
    admin.delete_user(name)


@pytest.fixture
def kdir(tmp_path):
    d = tmp_path / "etc-ceph"
    d.mkdir()
    d.chmod(0o755)
    return d


def attach_script_key(text, user):
    """The NC attach script's view: header `[client.USER]` alone at column 0, then `key = ...`."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if re.match(r"^\[client\.%s\]$" % re.escape(user), line):
            for nxt in lines[i + 1:]:
                if nxt.startswith("["):
                    break
                m = re.match(r"^\s*key\s*=\s*(\S+)\s*$", nxt)
                if m:
                    return m.group(1)
    return None


def connects(lab, user, keyring):
    import rados
    cluster = rados.Rados(conffile=lab.conf, rados_id=user,
                          conf={"keyring": keyring, "rados_mon_op_timeout": "10"})
    try:
        cluster.connect(timeout=10)
        ret, out, _outs = cluster.mon_command('{"prefix": "fsid", "format": "json"}', b"", timeout=10)
        return ret == 0 and lab.fsid in out.decode()
    except rados.Error:
        return False
    finally:
        cluster.shutdown()


def snapshot(path):
    st = os.stat(path)
    with open(path, "rb") as f:
        return dict(content=f.read(), ino=st.st_ino, uid=st.st_uid, gid=st.st_gid, mode=stat.S_IMODE(st.st_mode),
                    mtime=st.st_mtime_ns)


def test_lifecycle(run_module, ceph_cluster, user, groups, kdir, argv_watcher):
    name, key = user
    path = str(kdir / ("ceph.client.%s.keyring" % name))
    args = dict(path=path, name=name, key=key, owner="root", group="eucalyptus", mode="0640",
                caps={"mon": "profile rbd"})

    with argv_watcher([key]) as watch:
        # create: root:eucalyptus 0640 (Storage Controller)
        r = run_module("cephx_keyring", args, diff=True)
        assert not r.failed, r.msg
        assert r.changed and r.result["content_changed"]
        kr = r.result["keyring"]
        assert (kr["state"], kr["owner"], kr["group"], kr["mode"]) == ("present", "root", "eucalyptus", "0640")
        # Ansible adds the file's real attributes for a returned `path`
        assert (r.result["owner"], r.result["group"], r.result["mode"]) == ("root", "eucalyptus", "0640")
        assert r.result["path"] == path and "key" not in r.result
        s = snapshot(path)
        assert (s["uid"], s["gid"], s["mode"]) == (0, groups["eucalyptus"], 0o640)
        text = s["content"].decode()
        assert text == '[client.%s]\n\tkey = %s\n\tcaps mon = "profile rbd"\n' % (name, key)
        assert attach_script_key(text, name) == key
        assert sorted(os.listdir(str(kdir))) == [os.path.basename(path)]  # no temp file left
        assert key not in r.output

        # the keyring really authenticates; a wrong key does not (the check means something)
        assert connects(ceph_cluster, name, path)
        bad = str(kdir / "wrong.keyring")
        with open(bad, "w") as f:
            f.write("[client.%s]\n\tkey = %s\n" % (name, "AQCD/gVrL9JAOxAAUgbxl5v44vOCNSzvo5HTxA=="))
        try:
            assert not connects(ceph_cluster, name, bad)
        finally:
            os.unlink(bad)

        # re-run: nothing to do
        r = run_module("cephx_keyring", args)
        assert not r.failed and not r.changed, r.result
        assert snapshot(path) == s

        # check mode with another mode: reported, nothing changes on disk
        r = run_module("cephx_keyring", dict(args, mode="0600"), check=True, diff=True)
        assert not r.failed and r.changed and r.result["keyring"]["mode"] == "0600"
        assert r.result["mode"] == "0640"  # Ansible's file info: the file on disk, untouched
        assert r.result["attributes_changed"] and not r.result["content_changed"]
        assert snapshot(path) == s

        # group and mode only (Node Controller: root:kvm): changed, content not rewritten
        r = run_module("cephx_keyring", dict(args, group="kvm", mode="0600"), diff=True)
        assert not r.failed and r.changed
        assert r.result["attributes_changed"] and not r.result["content_changed"]
        s2 = snapshot(path)
        assert (s2["gid"], s2["mode"]) == (groups["kvm"], 0o600)
        assert (s2["content"], s2["ino"], s2["mtime"]) == (s["content"], s["ino"], s["mtime"])
        r = run_module("cephx_keyring", dict(args, group="kvm", mode="0640"))
        assert r.changed and snapshot(path)["mode"] == 0o640
        r = run_module("cephx_keyring", dict(args, group="kvm", mode="0640"))
        assert not r.changed

        # content change (caps dropped): atomic replacement, owner/group/mode kept
        r = run_module("cephx_keyring", dict(args, group="kvm", caps=None))
        assert r.changed and r.result["content_changed"]
        s3 = snapshot(path)
        assert (s3["uid"], s3["gid"], s3["mode"]) == (0, groups["kvm"], 0o640)
        assert s3["content"].decode() == "[client.%s]\n\tkey = %s\n" % (name, key)
        assert connects(ceph_cluster, name, path)

        # absent
        r = run_module("cephx_keyring", dict(path=path, state="absent"), check=True)
        assert r.changed and os.path.exists(path)
        r = run_module("cephx_keyring", dict(path=path, state="absent"))
        assert r.changed and not os.path.exists(path) and r.result["keyring"] == {"state": "absent"}
        r = run_module("cephx_keyring", dict(path=path, state="absent"))
        assert not r.failed and not r.changed

    assert watch.hits == [] and watch.samples > 10


def test_key_absent_from_verbose_output_and_diff(run_module, user, groups, kdir, argv_watcher):
    name, key = user
    path = str(kdir / "k.keyring")
    with argv_watcher([key]) as watch:
        runs = [run_module("cephx_keyring", dict(path=path, name=name, key=key, group="kvm"), diff=True, verbosity=3)]
        runs.append(run_module("cephx_keyring", dict(path=path, name=name, key=key, group="eucalyptus", mode="0600"),
                               diff=True, verbosity=3))
        runs.append(run_module("cephx_keyring", dict(path=path, state="absent"), diff=True, verbosity=3))
    for r in runs:
        assert not r.failed, r.msg
        assert r.changed
        assert key not in r.output
        assert key[:20] not in r.output and key[20:] not in r.output
    # the diff is there, redacted, with owner/group/mode
    assert "<redacted>" in runs[0].output and "# group: kvm" in runs[0].output
    assert "# mode: 0600" in runs[1].output and "# group: eucalyptus" in runs[1].output
    assert watch.hits == []


@pytest.mark.parametrize("case", ["missing directory", "missing group", "missing owner", "bad key",
                                  "truncated key", "bad name", "name with newline", "mode with newline",
                                  "client. prefix", "bad caps", "no key"])
def test_bad_input_fails_cleanly_and_writes_nothing(run_module, user, groups, kdir, case):
    name, key = user
    path = str(kdir / "k.keyring")
    args = dict(path=path, name=name, key=key)
    expect = {
        "missing directory": (dict(path=str(kdir / "nope" / "k.keyring")), r"directory .*/nope does not exist"),
        "missing group": (dict(group="no-such-group-kr"), r"group 'no-such-group-kr' does not exist"),
        "missing owner": (dict(owner="no-such-user-kr"), r"user 'no-such-user-kr' does not exist"),
        "bad key": (dict(key="not a key"), r"cephx key is not valid"),
        "truncated key": (dict(key=key[:-4]), r"cephx key is not valid"),
        "bad name": (dict(name="bad/name"), r"invalid cephx user name"),
        "name with newline": (dict(name=name + "\n"), r"invalid cephx user name"),
        "mode with newline": (dict(mode="0640\n"), r"mode must be an octal string"),
        "client. prefix": (dict(name="client." + name), r"without the 'client\.' prefix"),
        "bad caps": (dict(caps={"mon": "bogus"}), r"malformed mon cap"),
        "no key": (dict(key=None), r"missing: key"),
    }[case]
    args = dict((k, v) for k, v in dict(args, **expect[0]).items() if v is not None)
    r = run_module("cephx_keyring", args)
    assert r.failed and not r.changed
    assert re.search(expect[1], r.msg), r.msg
    assert os.listdir(str(kdir)) == []
    assert key not in r.output


def test_generations_share_one_file_and_both_authenticate(run_module, ceph_cluster, admin, user, groups, kdir, argv_watcher):
    """The SC's keyring through a rotation by user generations: generation 2 written with
    generation 1 kept, both log in from the one file; then generation 1's section removed."""
    name, key = user
    gen2 = name + ".gen2"
    key2 = admin.mon({"prefix": "auth get-or-create", "entity": "client." + gen2, "caps": ["mon", "profile rbd"]})[0]["key"]
    try:
        path = str(kdir / ("ceph.client.%s.keyring" % name))
        with argv_watcher([key, key2]) as watch:
            r = run_module("cephx_keyring", dict(path=path, name=name, key=key, group="eucalyptus"))
            assert not r.failed and r.changed, r.msg
            r = run_module("cephx_keyring", dict(path=path, name=gen2, key=key2, group="eucalyptus",
                                                 keep_earlier_generations=True), diff=True)
            assert not r.failed and r.changed, r.msg
            assert r.result["kept_sections"] == ["client." + name]
            text = open(path).read()
            assert text == "[client.%s]\n\tkey = %s\n[client.%s]\n\tkey = %s\n" % (gen2, key2, name, key)
            assert attach_script_key(text, name) == key and attach_script_key(text, gen2) == key2
            assert connects(ceph_cluster, name, path) and connects(ceph_cluster, gen2, path)
            assert key not in r.output and key2 not in r.output
            # idempotent; without keep_earlier_generations the file holds only the one user
            again = run_module("cephx_keyring", dict(path=path, name=gen2, key=key2, group="eucalyptus",
                                                     keep_earlier_generations=True))
            assert not again.failed and not again.changed
            plain = run_module("cephx_keyring", dict(path=path, name=gen2, key=key2, group="eucalyptus"), check=True)
            assert plain.changed and open(path).read() == text
            # generation 1 retired: its section goes, generation 2 still logs in
            r = run_module("cephx_keyring", dict(path=path, sections=[name], state="absent"), check=True, diff=True)
            assert r.changed and r.result["removed_sections"] == ["client." + name] and open(path).read() == text
            r = run_module("cephx_keyring", dict(path=path, sections=[name], state="absent"))
            assert r.changed and r.result["keyring"] == {"state": "present"}
            assert open(path).read() == "[client.%s]\n\tkey = %s\n" % (gen2, key2)
            assert connects(ceph_cluster, gen2, path) and not connects(ceph_cluster, name, path)
            assert (os.stat(path).st_gid, stat.S_IMODE(os.stat(path).st_mode)) == (groups["eucalyptus"], 0o640)
            assert not run_module("cephx_keyring", dict(path=path, sections=[name], state="absent")).changed
            bad = run_module("cephx_keyring", dict(path=path, name=gen2, key=key2, sections=[name]))
            assert bad.failed and "sections is for state=absent" in bad.msg
        assert watch.hits == []
    finally:
        admin.delete_user(gen2)
