"""_host_state: names checked whole, the three readers' outputs parsed, the OS family from os-release."""

import pytest

from ansible_collections.eucalyptus.ceph.plugins.module_utils import _host_state as hs

# dpkg-query --show --showformat='${Package} ${db:Status-Status}\n' of Debian 12, one name removed
# earlier (config-files) and one never installed (dpkg-query says so on stderr only)
DPKG = "ceph-common installed\nqemu-block-extra config-files\nlibvirt-daemon-system installed\n"
RPM = "ceph-common installed\npackage qemu-kvm is not installed\nlibvirt installed\n"
SHOW = ("Id=libvirtd.socket\nLoadState=loaded\nActiveState=active\nUnitFileState=enabled\n\n"
        "Id=libvirtd.service\nLoadState=loaded\nActiveState=inactive\nUnitFileState=enabled\n\n"
        "Id=nosuch.service\nLoadState=not-found\nActiveState=inactive\nUnitFileState=\n")


def test_dpkg_installed_means_installed_only():
    assert hs.parse_installed(DPKG) == {"ceph-common", "libvirt-daemon-system"}


def test_rpm_not_installed_lines_are_not_names():
    assert hs.parse_installed(RPM) == {"ceph-common", "libvirt"}


def test_unit_states_of_known_and_unknown_units():
    states = hs.unit_states(hs.parse_systemctl_show(SHOW), ["libvirtd.socket", "nosuch.service", "absent.socket"])
    assert states["libvirtd.socket"] == {"load_state": "loaded", "active_state": "active", "unit_file_state": "enabled"}
    assert states["nosuch.service"]["load_state"] == "not-found"
    # a unit systemctl printed nothing for is reported as not found, not dropped
    assert states["absent.socket"] == {"load_state": "not-found", "active_state": "inactive", "unit_file_state": ""}


def test_names_by_os_family():
    by_family = {"Debian": ["a"], "RedHat": ["b"]}
    assert hs.names_by_os_family(by_family, "Debian", "packages") == (["a"], None)
    assert hs.names_by_os_family(by_family, "Suse", "packages") == ([], None)
    assert hs.names_by_os_family(["a", "b"], "Suse", "packages") == (["a", "b"], None)
    assert hs.names_by_os_family(None, "Debian", "packages") == ([], None)
    assert "must be a list" in hs.names_by_os_family({"Debian": "a"}, "Debian", "packages")[1]
    assert "must be a list" in hs.names_by_os_family("ceph-common", "Debian", "packages")[1]


@pytest.mark.parametrize("name", ["ceph-common", "python3-rbd", "libstdc++6", "python36-libvirt", "x_y.z"])
def test_package_names_accepted(name):
    assert hs.name_error([name], hs.PACKAGE_NAME_RE, "packages") is None


@pytest.mark.parametrize("name", ["-a", "--admindir=/tmp", "ceph-common\n", "a b", "a\x00", "a=1.0", "", 3, None, "a/b"])
def test_package_names_refused(name):
    assert hs.name_error(["ok", name], hs.PACKAGE_NAME_RE, "packages")


@pytest.mark.parametrize("name", ["libvirtd.socket", "ceph-osd@0.service", "dev-disk-by\\x2duuid.device", "a:b.target"])
def test_unit_names_accepted(name):
    assert hs.name_error([name], hs.UNIT_NAME_RE, "units") is None


@pytest.mark.parametrize("name", ["-libvirtd.socket", "libvirtd", "libvirtd.socket\n", "a b.service", "--user.service",
                                  "x.service\x7f"])
def test_unit_names_refused(name):
    assert hs.name_error([name], hs.UNIT_NAME_RE, "units")


def test_commands_end_options_before_names():
    assert hs.package_command("Debian", ["a"])[-2:] == ["--", "a"]
    assert hs.package_command("RedHat", ["a"])[-2:] == ["--", "a"]
    assert hs.package_command("Suse", ["a"]) is None
    assert hs.unit_command(["a.socket"]) == ["systemctl", "show", "--property=Id,LoadState,ActiveState,UnitFileState",
                                             "--", "a.socket"]


@pytest.mark.parametrize("text, family", [
    ('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n', "Debian"),
    ('ID=ubuntu\nID_LIKE=debian\n', "Debian"),
    ('ID=linuxmint\nID_LIKE="ubuntu debian"\n', "Debian"),
    ('NAME="CentOS Linux"\nID="centos"\nID_LIKE="rhel fedora"\nVERSION_ID="7"\n', "RedHat"),
    ('ID="amzn"\nID_LIKE="centos rhel fedora"\n', "RedHat"),
    ("ID='ol'\n", "RedHat"),
    ('ID="opensuse-leap"\nID_LIKE="suse opensuse"\n', None),
    ("# no ID\nNAME=x\n", None),
])
def test_os_family_from_os_release(tmp_path, text, family):
    path = tmp_path / "os-release"
    path.write_text(text)
    assert hs.os_family_from_os_release(hs.read_os_release([str(tmp_path / "missing"), str(path)])) == family


def test_no_os_release_file():
    assert hs.read_os_release(["/nonexistent/os-release"]) == {}


def test_group_exists():
    assert hs.group_exists("root") is True
    assert hs.group_exists("eucalyptus-ceph-no-such-group") is False


@pytest.mark.parametrize("name, ok", [("eucalyptus", True), ("kvm", True), ("_x", True), ("machine$", True),
                                      ("-g", False), ("a b", False), ("g\n", False), ("9abc", False), ("x" * 33, False)])
def test_group_names(name, ok):
    assert (hs.name_error([name], hs.GROUP_NAME_RE, "groups") is None) == ok
