# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""eucalyptus.ceph.ceph_client_conf against a real cluster: the file it writes from
ceph_info's monitor map works for librados, and its mon addr lines are the monitors' v1
addresses (what the NC attach script reads); check mode equals the real run; bad input
changes nothing."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="module")
def cluster_map(ceph_cluster, run_module):
    r = run_module("ceph_info", dict(gather=["fsid", "monitors"], cluster_conf=ceph_cluster.conf,
                                     cluster_keyring=ceph_cluster.admin_keyring))
    assert not r.failed, r.msg
    return r.result["fsid"], r.result["monitors"]


def mon_addr_lines(text):
    return [line.split("=", 1)[1].strip() for line in text.splitlines() if line.startswith("mon addr")]


def test_written_file_works_for_librados_and_the_attach_script(run_module, ceph_cluster, cluster_map, tmp_path):
    import rados

    fsid, monitors = cluster_map
    path = tmp_path / "ceph.conf"
    args = dict(path=str(path), fsid=fsid, monitors=monitors, client_settings={"rbd_cache": "true"},
                owner=str(os.geteuid()), group=str(os.getegid()))
    r = run_module("ceph_client_conf", args, check=True, diff=True)
    assert not r.failed and r.changed and r.result["content_changed"], r.msg
    assert not path.exists()

    r = run_module("ceph_client_conf", args, diff=True)
    assert not r.failed and r.changed, r.msg
    text = path.read_text()
    assert mon_addr_lines(text) == [m["v1"] for m in monitors] == r.result["mon_addrs"]
    assert "fsid = %s\n" % fsid in text and "\nrbd_cache = true\n" in text
    assert oct(path.stat().st_mode & 0o777) == "0o644"
    cluster = rados.Rados(conffile=str(path), rados_id="admin", conf={"keyring": ceph_cluster.admin_keyring})
    cluster.connect(timeout=30)
    try:
        assert cluster.get_fsid() == fsid
    finally:
        cluster.shutdown()

    r = run_module("ceph_client_conf", args)
    assert not r.failed and not r.changed, r.result
    assert not run_module("ceph_client_conf", args, check=True).changed

    # only the mode differs: reported as an attribute change, the content is not rewritten
    inode = path.stat().st_ino
    r = run_module("ceph_client_conf", dict(args, mode="0640"))
    assert r.changed and r.result["attributes_changed"] and not r.result["content_changed"], r.result
    assert path.stat().st_ino == inode and oct(path.stat().st_mode & 0o777) == "0o640"

    # a monitor map that changed (a monitor gone): the file follows it
    r = run_module("ceph_client_conf", dict(args, mode="0640", monitors=monitors + [
        dict(name="zz", v1="127.0.0.99:6789", v2=None)]), diff=True)
    assert r.changed and r.result["content_changed"] and mon_addr_lines(path.read_text())[-1] == "127.0.0.99:6789"
    assert "+[mon.zz]" in r.output or "[mon.zz]" in r.output


@pytest.mark.parametrize("case", ["monitor without v1", "v1 with newline", "v2 not an address",
                                  "mon name with space", "no monitors", "setting with newline",
                                  "setting name with =", "bad fsid", "fsid with newline", "symlink"])
def test_bad_input_is_refused_and_nothing_is_written(run_module, cluster_map, tmp_path, case):
    fsid, monitors = cluster_map
    path = tmp_path / "ceph.conf"
    mon = dict(monitors[0])
    args, pattern = {
        "monitor without v1": (dict(monitors=[dict(mon, v1=None)]), "has no legacy v1 address"),
        "v1 with newline": (dict(monitors=[dict(mon, v1=mon["v1"] + "\n")]), "is not an IP:PORT address"),
        "v2 not an address": (dict(monitors=[dict(mon, v2="v2:somewhere")]), "is not an IP:PORT address"),
        "mon name with space": (dict(monitors=[dict(mon, name="a b")]), "monitor name"),
        "no monitors": (dict(monitors=[]), "non-empty list"),
        "setting with newline": (dict(client_settings={"rbd_cache": "true\n[global]"}), "one line"),
        "setting name with =": (dict(client_settings={"a=b": "1"}), "setting name"),
        "bad fsid": (dict(fsid="not-a-uuid"), "is not a UUID"),
        "fsid with newline": (dict(fsid=fsid + "\n"), "is not a UUID"),
        "symlink": (dict(), "symbolic link"),
    }[case]
    if case == "symlink":
        (tmp_path / "elsewhere").write_text("keep\n")
        path.symlink_to(tmp_path / "elsewhere")
    r = run_module("ceph_client_conf", dict(dict(path=str(path), fsid=fsid, monitors=monitors), **args))
    assert r.failed and not r.changed and pattern in r.msg, r.msg
    if case == "symlink":
        assert (tmp_path / "elsewhere").read_text() == "keep\n"
    else:
        assert not path.exists()


def test_check_mode_before_the_directory_exists(run_module, cluster_map, tmp_path):
    fsid, monitors = cluster_map
    path = tmp_path / "not-yet" / "ceph.conf"
    r = run_module("ceph_client_conf", dict(path=str(path), fsid=fsid, monitors=monitors), check=True)
    assert not r.failed and r.changed and "does not exist yet" in r.result["not_checked"], r.msg
    # a real run does not create directories
    r = run_module("ceph_client_conf", dict(path=str(path), fsid=fsid, monitors=monitors))
    assert r.failed and "does not exist: create it first" in r.msg and not path.parent.exists(), r.msg
