"""The systemctl_show filter reads `systemctl show` output of several units into one dict per unit."""

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.eucalyptus.ceph.plugins.filter.systemctl_show import systemctl_show

# as systemd 252 (bookworm) and 257 (trixie/forky) print it for two units, the second one missing
TWO_UNITS = ("Id=libvirtd.socket\nActiveState=active\nUnitFileState=enabled\n\n"
             "Id=nosuch.service\nActiveState=inactive\nUnitFileState=\n")


def test_one_dict_per_unit_by_id():
    units = systemctl_show(TWO_UNITS)
    assert units == {
        "libvirtd.socket": {"Id": "libvirtd.socket", "ActiveState": "active", "UnitFileState": "enabled"},
        "nosuch.service": {"Id": "nosuch.service", "ActiveState": "inactive", "UnitFileState": ""},
    }


def test_property_order_and_values_with_equal_signs_do_not_matter():
    units = systemctl_show("UnitFileState=disabled\nExecStart={ path=/usr/sbin/libvirtd ; argv[]=x=y }\nId=a.service")
    assert units["a.service"]["UnitFileState"] == "disabled"
    assert units["a.service"]["ExecStart"] == "{ path=/usr/sbin/libvirtd ; argv[]=x=y }"


def test_blocks_without_id_and_empty_output_give_nothing():
    assert systemctl_show("") == {}
    assert systemctl_show("ActiveState=active\n\n\n") == {}


def test_not_text_is_refused():
    with pytest.raises(AnsibleFilterError):
        systemctl_show(None)
