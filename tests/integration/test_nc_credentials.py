# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""eucalyptus.ceph.nc_credentials against a real cluster and a real libvirtd.

The module writes the NC's keyring, the zone's libvirt secret and the CEPH_* lines of
eucalyptus.conf in that order, then logs in with nothing but those files. These tests check
each part as the attach script reads it (virsh secret-get-value, the keyring's key line, the
shell's view of eucalyptus.conf), the login against the cluster's fsid, check mode against the
real run, and that a failure in one part leaves the later parts unwritten and says so.
"""

from __future__ import annotations

import grp
import os
import uuid as uuidlib
from dataclasses import dataclass
from pathlib import Path

import pytest

import libvirtd as libvirtd_helper
from test_libvirt_secret import get_value, make_key

pytestmark = pytest.mark.libvirt

SHIPPED_CONF = (
    '# eucalyptus.conf as eucalyptus-nc ships it (the Ceph part)\n'
    'HYPERVISOR="kvm"\n'
    '#CEPH_USER_NAME="eucalyptus"\n'
    '#CEPH_KEYRING_PATH="/etc/ceph/ceph.client.eucalyptus.keyring"\n'
    '#CEPH_CONFIG_PATH="/etc/ceph/ceph.conf"\n'
)


@pytest.fixture(scope="module")
def nc_user(admin):
    """A cephx user with the NC's monitor caps, and its key; removed afterwards."""
    user = "ncred-%s" % uuidlib.uuid4().hex[:8]
    admin.mon({"prefix": "auth get-or-create", "entity": "client." + user,
               "caps": ["mon", "profile rbd", "osd", "profile rbd pool=ncred-none"]})
    yield user, admin.get_key(user)
    admin.delete_user(user)


@dataclass
class Host:
    keyring: Path
    euca_conf: Path
    secret_uuid: str
    args: dict


@pytest.fixture
def host(ceph_cluster, nc_user, libvirtd, tmp_path):
    user, key = nc_user
    (tmp_path / "etc").mkdir()
    keyring = tmp_path / "etc" / ("ceph.client.%s.keyring" % user)
    euca_conf = tmp_path / "etc" / "eucalyptus.conf"
    euca_conf.write_text(SHIPPED_CONF)
    secret_uuid = str(uuidlib.uuid4())
    args = dict(user=user, key=key, keyring_path=str(keyring), keyring_group=grp.getgrgid(os.getegid()).gr_name,
                secret_uuid=secret_uuid, eucalyptus_conf=str(euca_conf), ceph_conf=ceph_cluster.conf)
    yield Host(keyring, euca_conf, secret_uuid, args)
    libvirtd_helper.virsh("secret-undefine", secret_uuid, check=False)


def shell_view(path: Path) -> dict:
    """What the NC's shell-sourced settings say (the last active assignment of each key)."""
    seen = {}
    for line in path.read_text().splitlines():
        if line.startswith("CEPH_") and "=" in line:
            key, value = line.split("=", 1)
            seen[key] = value.strip('"')
    return seen


def test_check_mode_then_real_run_then_idempotent_and_the_login_reaches_the_cluster(
        run_module, host, nc_user, admin, argv_watcher):
    user, key = nc_user
    with argv_watcher([key]) as watch:
        r = run_module("nc_credentials", host.args, check=True, diff=True)
        assert not r.failed and r.changed, r.msg
        assert r.result["keyring"]["changed"] and r.result["secret"]["changed"]
        assert r.result["eucalyptus_conf"]["changed"]
        assert r.result["login"] == {"checked": False, "reason": "check mode: the files would change first"}
        assert r.result["changes"] == []
        # check mode wrote nothing
        assert not host.keyring.exists() and get_value(host.secret_uuid) is None
        assert host.euca_conf.read_text() == SHIPPED_CONF

        r = run_module("nc_credentials", host.args, diff=True)
        assert not r.failed and r.changed, r.msg
        assert r.result["changes"] == [
            "keyring %s" % host.keyring, "libvirt secret %s" % host.secret_uuid,
            "%s CEPH_USER_NAME, CEPH_KEYRING_PATH, CEPH_CONFIG_PATH" % host.euca_conf]
        # each part as the attach path reads it
        lines = host.keyring.read_text().splitlines()
        assert lines[0] == "[client.%s]" % user and lines[1] == "\tkey = %s" % key
        assert oct(host.keyring.stat().st_mode & 0o777) == "0o640"
        assert get_value(host.secret_uuid) == key
        assert shell_view(host.euca_conf) == {"CEPH_USER_NAME": user, "CEPH_KEYRING_PATH": str(host.keyring),
                                              "CEPH_CONFIG_PATH": host.args["ceph_conf"]}
        assert host.euca_conf.read_text().startswith(SHIPPED_CONF.split("#CEPH_KEYRING_PATH", maxsplit=1)[0])
        login = r.result["login"]
        assert login["checked"] and login["fsid"] == admin.mon({"prefix": "fsid"})["fsid"]
        assert login["in_quorum"] >= 1 and login["monitors"] >= login["in_quorum"]
        assert "<redacted" in r.output and key not in r.output and key not in r.stderr

        r = run_module("nc_credentials", host.args)
        assert not r.failed and not r.changed, r.result
        assert r.result["login"]["checked"] and r.result["changes"] == []
        # check mode on the configured host: nothing would change, so the login is checked
        r = run_module("nc_credentials", host.args, check=True)
        assert not r.failed and not r.changed and r.result["login"]["checked"], r.result
    assert watch.hits == []


def test_a_key_the_monitors_refuse_fails_the_login_and_says_what_was_written(run_module, host):
    args = dict(host.args, key=make_key())   # well-formed, but not the user's key
    r = run_module("nc_credentials", args)
    assert r.failed and r.changed, r.result
    assert r.msg.startswith("login check: cannot connect to the Ceph cluster"), r.msg
    assert "this run already wrote: keyring %s; libvirt secret" % host.keyring in r.msg, r.msg
    assert len(r.result["changes"]) == 3
    # the right key repairs it; the run after that is a no-op
    r = run_module("nc_credentials", host.args)
    assert not r.failed and r.changed and r.result["login"]["checked"], r.msg
    assert not run_module("nc_credentials", host.args).changed


def test_a_failed_secret_leaves_eucalyptus_conf_unwritten(run_module, host, tmp_path):
    # another secret already has the usage name the attach script gives ours (its UUID)
    other = str(uuidlib.uuid4())
    xml = tmp_path / "other.xml"
    xml.write_text("<secret ephemeral='no' private='no'><uuid>%s</uuid><usage type='ceph'><name>%s</name>"
                   "</usage></secret>" % (other, host.secret_uuid))
    libvirtd_helper.virsh("secret-define", str(xml))
    try:
        r = run_module("nc_credentials", host.args)
        assert r.failed and r.changed, r.result
        assert r.msg.startswith("libvirt secret: another libvirt secret (%s)" % other), r.msg
        assert r.msg.endswith("this run already wrote: keyring %s" % host.keyring), r.msg
        assert r.result["changes"] == ["keyring %s" % host.keyring]
        # eucalyptus.conf still names no user: an attach cannot be pointed at a secret that is not there
        assert host.euca_conf.read_text() == SHIPPED_CONF
    finally:
        libvirtd_helper.virsh("secret-undefine", other, check=False)


def test_check_mode_says_what_it_cannot_compare(run_module, host):
    r = run_module("nc_credentials", dict(host.args, key=None), check=True)
    assert not r.failed and r.changed, r.msg
    assert r.result["not_checked"] == ["keyring and libvirt secret: no key (the user does not exist yet)"]
    assert "keyring" not in r.result and "secret" not in r.result
    assert r.result["eucalyptus_conf"]["changed"] and not r.result["login"]["checked"]

    r = run_module("nc_credentials", dict(host.args, keyring_group="eucalyptus-ceph-no-such-group"), check=True)
    assert not r.failed and r.changed, r.msg
    assert r.result["not_checked"] == [
        "keyring %s: group 'eucalyptus-ceph-no-such-group' does not exist on this host" % host.keyring]
    assert r.result["secret"]["changed"] and not r.result["login"]["checked"]

    # a real run needs both
    r = run_module("nc_credentials", dict(host.args, key=None))
    assert r.failed and not r.changed and "key is required" in r.msg, r.msg
    r = run_module("nc_credentials", dict(host.args, keyring_group="eucalyptus-ceph-no-such-group"))
    assert r.failed and r.msg.startswith("keyring: group 'eucalyptus-ceph-no-such-group' does not exist"), r.msg
    assert r.result["changes"] == [] and not host.keyring.exists() and get_value(host.secret_uuid) is None
    assert host.euca_conf.read_text() == SHIPPED_CONF


@pytest.mark.parametrize("case", ["user with newline", "client. prefix", "keyring path with colon",
                                  "ceph.conf with quote", "keyring path with newline", "bad uuid", "bad key",
                                  "missing eucalyptus.conf"])
def test_bad_input_is_refused_before_anything_is_written(run_module, host, case):
    args, pattern = {
        "user with newline": (dict(user=host.args["user"] + "\n"), "invalid cephx user name"),
        "client. prefix": (dict(user="client." + host.args["user"]), "without the 'client.' prefix"),
        "keyring path with colon": (dict(keyring_path=str(host.keyring) + ":x"), "keyring_path"),
        "ceph.conf with quote": (dict(ceph_conf=host.args["ceph_conf"] + '"'), "ceph_conf"),
        "keyring path with newline": (dict(keyring_path=str(host.keyring) + "\nx"), "control characters"),
        "bad uuid": (dict(secret_uuid=host.secret_uuid + "0"), "invalid secret uuid"),
        "bad key": (dict(key="!!!!" * 10), "the cephx key is not valid"),
        "missing eucalyptus.conf": (dict(eucalyptus_conf=str(host.euca_conf) + ".missing"), "does not exist"),
    }[case]
    r = run_module("nc_credentials", dict(host.args, **args))
    assert r.failed and pattern in r.msg, r.msg
    assert not host.keyring.exists() and get_value(host.secret_uuid) is None
    assert host.euca_conf.read_text() == SHIPPED_CONF
    # eucalyptus.conf is read and edited in memory before the keyring and the secret are written
    assert not r.changed and r.result.get("changes", []) == []


def test_ceph_conf_written_first_from_the_monitor_map_and_the_login_uses_it(run_module, host, ceph_cluster):
    info = run_module("ceph_info", dict(gather=["fsid", "monitors"], cluster_conf=ceph_cluster.conf,
                                        cluster_keyring=ceph_cluster.admin_keyring))
    assert not info.failed, info.msg
    conf = host.keyring.parent / "ceph.conf"
    args = dict(host.args, ceph_conf=str(conf), ceph_conf_fsid=info.result["fsid"],
                ceph_conf_monitors=info.result["monitors"], ceph_conf_settings={"rbd_cache": "false"})

    r = run_module("nc_credentials", args, check=True, diff=True)
    assert not r.failed and r.changed and r.result["ceph_conf"]["content_changed"], r.msg
    assert not conf.exists()

    r = run_module("nc_credentials", args, diff=True)
    assert not r.failed and r.changed, r.msg
    # ceph.conf before everything that names it (eucalyptus.conf) or needs it (the login)
    assert r.result["changes"][:2] == ["ceph.conf %s" % conf, "keyring %s" % host.keyring], r.result["changes"]
    text = conf.read_text()
    addrs = [line.split("=", 1)[1].strip() for line in text.splitlines() if line.startswith("mon addr")]
    assert addrs == [m["v1"] for m in info.result["monitors"]] == r.result["ceph_conf"]["mon_addrs"]
    assert "rbd_cache = false" in text and oct(conf.stat().st_mode & 0o777) == "0o644"
    assert shell_view(host.euca_conf)["CEPH_CONFIG_PATH"] == str(conf)
    assert r.result["login"]["checked"] and r.result["login"]["fsid"] == info.result["fsid"]

    r = run_module("nc_credentials", args)
    assert not r.failed and not r.changed and not r.result["ceph_conf"]["changed"], r.result
    # only the mode differs: an attribute change, the content stays
    r = run_module("nc_credentials", dict(args, ceph_conf_mode="0640"))
    assert r.changed and r.result["ceph_conf"]["attributes_changed"] and not r.result["ceph_conf"]["content_changed"]
    assert oct(conf.stat().st_mode & 0o777) == "0o640"


@pytest.mark.parametrize("case", ["fsid without monitors", "monitor without v1", "setting with newline"])
def test_bad_ceph_conf_input_is_refused_before_anything_is_written(run_module, host, tmp_path, case):
    conf = tmp_path / "etc" / "ceph.conf"
    mon = {"name": "a", "v1": "127.0.0.1:6789", "v2": "127.0.0.1:3300"}
    fsid = "6f1b1c1e-4bb8-4c59-a0a8-0b1d1f3a9b2e"
    args, pattern = {
        "fsid without monitors": (dict(ceph_conf_fsid=fsid), "go together"),
        "monitor without v1": (dict(ceph_conf_fsid=fsid, ceph_conf_monitors=[dict(mon, v1=None)]), "no legacy v1"),
        "setting with newline": (dict(ceph_conf_fsid=fsid, ceph_conf_monitors=[mon],
                                      ceph_conf_settings={"rbd_cache": "true\n[global]"}), "one line"),
    }[case]
    r = run_module("nc_credentials", dict(host.args, ceph_conf=str(conf), **args))
    assert r.failed and pattern in r.msg, r.msg
    assert not conf.exists() and not host.keyring.exists() and get_value(host.secret_uuid) is None
    assert host.euca_conf.read_text() == SHIPPED_CONF and not r.changed
