# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""eucalyptus.ceph.ebs_host_facts on this host, with its real dpkg and service manager: the facts
equal what ansible.builtin.setup gathers, the packages equal what dpkg says, bad names are refused."""

from __future__ import annotations

import shutil
import subprocess

import pytest

pytestmark = pytest.mark.skipif(not shutil.which("dpkg-query"), reason="a Debian host (dpkg-query)")

MISSING = "eucalyptus-ceph-test-no-such-package"


def test_facts_equal_setups(run_module):
    setup = run_module("ansible.builtin.setup", dict(gather_subset=["min"]))
    assert not setup.failed, setup.result.get("msg")
    r = run_module("ebs_host_facts", {})
    assert not r.failed and not r.changed, r.result.get("msg")
    for name in ("os_family", "service_mgr"):
        assert r.result["ansible_facts"][name] == setup.result["ansible_facts"]["ansible_" + name], name


def test_packages_as_dpkg_has_them_in_check_mode_too(run_module):
    installed = subprocess.run(["dpkg-query", "--show", "--showformat=${db:Status-Status}", "python3"],
                               capture_output=True, text=True, check=False).stdout == "installed"
    assert installed, "python3 is installed on every host that runs these tests"
    for check in (False, True):
        r = run_module("ebs_host_facts", dict(packages={"Debian": ["python3", MISSING], "RedHat": ["python3-libs"]}),
                       check=check)
        assert not r.failed and not r.changed, r.result.get("msg")
        assert r.result["packages"] == dict(names=["python3", MISSING], installed=["python3"], missing=[MISSING],
                                            checked=True)


def test_units_read_only_under_systemd(run_module):
    r = run_module("ebs_host_facts", dict(units=["eucalyptus-ceph-test-none.service"]))
    assert not r.failed, r.result.get("msg")
    if r.result["ansible_facts"]["service_mgr"] == "systemd":
        assert r.result["units"]["eucalyptus-ceph-test-none.service"]["load_state"] == "not-found"
    else:
        assert r.result["units"] == {}


def test_option_like_names_are_refused(run_module):
    # (the unit tests show that no command runs then)
    for args in (dict(packages=["python3", "--admindir=/tmp"]), dict(units=["x.service\n"]),
                 dict(packages={"Debian": "python3"})):
        r = run_module("ebs_host_facts", args)
        assert r.failed and r.result["msg"], args
