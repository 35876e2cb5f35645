# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

from ansible_collections.eucalyptus.ceph.plugins.module_utils._libvirt_rbd_disks import rbd_disks

# the shapes of tools/connect_iscsitarget_main.pl (auth under <disk>) and of libvirt's newer form
DOMAIN = """<domain type='kvm'><name>i-1</name><devices>
  <disk type='file' device='disk'><source file='/var/lib/instances/i-1/root'/><target dev='vda'/></disk>
  <disk type='network' device='disk'>
    <source protocol='rbd' name='eucavolumes/vol-1'><host name='10.0.0.1' port='6789'/></source>
    <auth username='eucalyptus-nc'><secret type='ceph' uuid='5b7c2a6e-3f1d-4c8e-9a0b-1e2f3a4b5c6d'/></auth>
    <target dev='vdb' bus='virtio'/>
  </disk>
  <disk type='network' device='disk'>
    <source protocol='rbd' name='eucavolumes/vol-2'>
      <auth username='eucalyptus-nc.gen2'><secret type='ceph' uuid='5b7c2a6e-3f1d-4c8e-9a0b-1e2f3a4b5c6d'/></auth>
    </source>
    <target dev='vdc'/>
  </disk>
  <disk type='network' device='disk'><source protocol='nbd' name='x'/><target dev='vdd'/></disk>
  <disk type='network' device='disk'><source protocol='rbd' name='p/noauth'/><target dev='vde'/></disk>
</devices></domain>"""


def test_every_rbd_disk_with_the_user_it_was_attached_with():
    disks = rbd_disks("i-1", True, DOMAIN)
    assert [(d["image"], d["user"], d["target"]) for d in disks] == [
        ("eucavolumes/vol-1", "eucalyptus-nc", "vdb"),
        ("eucavolumes/vol-2", "eucalyptus-nc.gen2", "vdc"),
        ("p/noauth", None, "vde")]
    assert disks[0]["secret_uuid"] == "5b7c2a6e-3f1d-4c8e-9a0b-1e2f3a4b5c6d"
    assert all(d["domain"] == "i-1" and d["active"] for d in disks)
