# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""eucalyptus.ceph.euca_conf run as an operator runs it (ansible-playbook): the file as the
package ships it, an active line followed by a commented one, duplicates, check mode equal
to the real run, diff, owner and mode kept, refusals. Needs no Ceph."""

from __future__ import annotations

import os

SHIPPED = (
    "# Eucalyptus configuration (installed by the eucalyptus package)\n"
    'EUCALYPTUS="/"\n'
    "\n"
    "# Ceph RBD EBS (used when the zone's blockstoragemanager is ceph-rbd)\n"
    '#CEPH_USER_NAME="eucalyptus"\n'
    '#CEPH_KEYRING_PATH="/etc/ceph/ceph.client.eucalyptus.keyring"\n'
    '#CEPH_CONFIG_PATH="/etc/ceph/ceph.conf"\n'
)
SETTINGS = {"CEPH_USER_NAME": "eucalyptus-nc",
            "CEPH_KEYRING_PATH": "/etc/ceph/ceph.client.eucalyptus-nc.keyring",
            "CEPH_CONFIG_PATH": "/etc/ceph/ceph.conf"}


def _active(text):
    return [line for line in text.splitlines() if line.startswith("CEPH_")]


def test_shipped_file_check_mode_equals_real_run_then_idempotent(run_module, tmp_path):
    conf = tmp_path / "eucalyptus.conf"
    conf.write_text(SHIPPED)
    os.chmod(conf, 0o640)
    args = {"path": str(conf), "settings": SETTINGS}
    check = run_module("euca_conf", args, check=True, diff=True)
    assert check.changed and not check.failed and conf.read_text() == SHIPPED
    real = run_module("euca_conf", args, diff=True)
    assert real.changed and real.result["changes"] == check.result["changes"]
    assert real.result["diff"]["after"] == check.result["diff"]["after"] == conf.read_text()
    text = conf.read_text()
    assert sorted(_active(text)) == sorted('%s="%s"' % kv for kv in SETTINGS.items())
    # every line of the shipped file is still there, in order; mode kept
    assert [line for line in text.splitlines() if not line.startswith("CEPH_")] == SHIPPED.splitlines()
    assert os.stat(conf).st_mode & 0o7777 == 0o640
    again = run_module("euca_conf", args)
    assert not again.changed and again.result["changes"] == []


def test_active_then_commented_line_ends_as_one_active_line(run_module, tmp_path):
    conf = tmp_path / "eucalyptus.conf"
    conf.write_text('CEPH_USER_NAME="old"\n#CEPH_USER_NAME="eucalyptus"\nCEPH_USER_NAME="older"\n')
    r = run_module("euca_conf", {"path": str(conf), "settings": {"CEPH_USER_NAME": "eucalyptus-nc"}})
    assert r.changed and r.result["changes"] == [{"key": "CEPH_USER_NAME", "updated": True, "removed": 1}]
    assert conf.read_text() == 'CEPH_USER_NAME="eucalyptus-nc"\n#CEPH_USER_NAME="eucalyptus"\n'


def test_missing_file_is_an_error_unless_create(run_module, tmp_path):
    conf = tmp_path / "eucalyptus.conf"
    r = run_module("euca_conf", {"path": str(conf), "settings": SETTINGS})
    assert r.failed and "install the Eucalyptus Node Controller" in r.msg and not conf.exists()
    r = run_module("euca_conf", {"path": str(conf), "settings": SETTINGS, "create": True, "mode": "0600"})
    assert r.changed and r.result["created"] and os.stat(conf).st_mode & 0o7777 == 0o600


def test_values_the_shell_would_expand_are_refused_and_nothing_written(run_module, tmp_path):
    conf = tmp_path / "eucalyptus.conf"
    conf.write_text(SHIPPED)
    for bad in ("$(reboot)", 'a"b', "nc\n", "a`b`"):
        r = run_module("euca_conf", {"path": str(conf), "settings": {"CEPH_USER_NAME": bad}})
        assert r.failed and "refused" in r.msg, bad
    r = run_module("euca_conf", {"path": str(conf), "settings": {"CEPH_USER_NAME": True}})
    assert r.failed and "must be a string" in r.msg
    assert conf.read_text() == SHIPPED
