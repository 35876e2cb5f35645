"""ebs_host_facts: one read of packages and units, facts under setup's names, names checked before any exec."""

import pytest

from ansible.module_utils import basic

from ansible_collections.eucalyptus.ceph.plugins.module_utils import _host_state


@pytest.fixture
def host(monkeypatch):
    """A Debian host with systemd: every command the module runs is recorded and answered."""
    calls = []
    answers = {
        "dpkg-query": (1, "ceph-common installed\nlibvirt-daemon-system installed\n",
                       "dpkg-query: no packages found matching qemu-block-extra\n"),
        "systemctl": (0, "Id=libvirtd.socket\nLoadState=loaded\nActiveState=active\nUnitFileState=enabled\n\n"
                         "Id=libvirtd.service\nLoadState=loaded\nActiveState=inactive\nUnitFileState=enabled\n", ""),
    }

    def run_command(module, argv, **kwargs):
        calls.append(list(argv))
        return answers[argv[0]]

    monkeypatch.setattr(basic.AnsibleModule, "run_command", run_command)
    monkeypatch.setattr(basic.AnsibleModule, "get_bin_path", lambda module, name, *a, **k: "/usr/bin/" + name)
    monkeypatch.setattr(_host_state, "read_os_release", lambda *a: {"ID": "debian"})
    monkeypatch.setattr(_host_state, "SYSTEMD_MARKERS", ("/",))
    return calls, answers


def test_one_command_per_kind_and_facts_under_setups_names(run, host):
    calls = host[0]
    result = run("ebs_host_facts", {"packages": {"Debian": ["ceph-common", "qemu-block-extra", "libvirt-daemon-system"],
                                                 "RedHat": ["qemu-kvm"]},
                                    "units": ["libvirtd.socket", "libvirtd.service"]}, check_mode=True)
    assert not result["failed"] and not result["changed"]
    assert result["ansible_facts"] == {"os_family": "Debian", "service_mgr": "systemd"}
    assert result["packages"] == {"names": ["ceph-common", "qemu-block-extra", "libvirt-daemon-system"],
                                  "installed": ["ceph-common", "libvirt-daemon-system"],
                                  "missing": ["qemu-block-extra"], "checked": True}
    assert result["units"]["libvirtd.service"] == {"load_state": "loaded", "active_state": "inactive",
                                                   "unit_file_state": "enabled"}
    assert [c[0] for c in calls] == ["dpkg-query", "systemctl"]
    assert calls[0][-4:] == ["--", "ceph-common", "qemu-block-extra", "libvirt-daemon-system"]


def test_nothing_asked_runs_nothing(run, host):
    calls = host[0]
    result = run("ebs_host_facts", {})
    assert result["packages"] == {"names": [], "installed": [], "missing": [], "checked": True}
    assert result["units"] == {} and calls == []


def test_a_family_without_a_list_has_nothing_to_look_up(run, host):
    calls = host[0]
    result = run("ebs_host_facts", {"packages": {"RedHat": ["qemu-kvm"]}})
    assert result["packages"]["names"] == [] and calls == []


def test_units_not_read_without_systemd(run, host, monkeypatch):
    calls = host[0]
    monkeypatch.setattr(_host_state, "SYSTEMD_MARKERS", ("/nonexistent/systemd/",))
    monkeypatch.setattr("ansible.module_utils.facts.system.service_mgr.ServiceMgrFactCollector.collect",
                        lambda self, module=None, collected_facts=None: {"service_mgr": "sysvinit"})
    result = run("ebs_host_facts", {"units": ["libvirtd.service"]})
    assert result["ansible_facts"]["service_mgr"] == "sysvinit"
    assert result["units"] == {} and calls == []


def test_unknown_family_reports_every_package_missing_unchecked(run, host, monkeypatch):
    calls = host[0]
    monkeypatch.setattr(_host_state, "read_os_release", lambda *a: {"ID": "opensuse-leap"})
    monkeypatch.setattr("ansible.module_utils.facts.system.distribution.DistributionFactCollector.collect",
                        lambda self, module=None, collected_facts=None: {"os_family": "Suse", "distribution": "openSUSE Leap"})
    result = run("ebs_host_facts", {"packages": ["ceph-common"]})
    assert result["ansible_facts"]["os_family"] == "Suse"
    assert result["packages"] == {"names": ["ceph-common"], "installed": [], "missing": ["ceph-common"], "checked": False}
    assert calls == []


@pytest.mark.parametrize("args", [
    {"packages": ["ceph-common", "--admindir=/tmp/x"]},
    {"packages": {"Debian": ["ceph-common\nx"]}},
    {"packages": {"Debian": "ceph-common"}},
    {"packages": "ceph-common"},
    {"units": ["libvirtd"]},
    {"units": {"Debian": ["-x.service"]}},
])
def test_bad_names_refused_before_any_command(run, host, args):
    calls = host[0]
    result = run("ebs_host_facts", args)
    assert result["failed"] and calls == []


def test_a_package_database_error_fails_with_its_message(run, host):
    calls, answers = host
    answers["dpkg-query"] = (2, "", "dpkg-query: error: database locked\n")
    result = run("ebs_host_facts", {"packages": ["ceph-common"]})
    assert result["failed"] and "database locked" in result["msg"] and result["rc"] == 2


def test_groups_looked_up_without_a_command(run, host):
    calls = host[0]
    result = run("ebs_host_facts", {"groups": ["root", "eucalyptus-ceph-no-such-group"]})
    assert result["groups"] == {"root": True, "eucalyptus-ceph-no-such-group": False}
    assert calls == []
    assert run("ebs_host_facts", {"groups": ["-root"]})["failed"]
