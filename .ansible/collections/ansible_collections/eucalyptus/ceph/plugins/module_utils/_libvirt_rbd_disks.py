# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The RBD disks of a hypervisor's guests, read from libvirt's domain definitions: which cephx
user each disk was attached with. A running qemu keeps that user and its key in memory, and a
reboot or a live migration reuses the definition, so a user named there is in use."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import xml.etree.ElementTree as ET

from ansible_collections.eucalyptus.ceph.plugins.module_utils import _libvirt_secrets as secrets


def rbd_disks(domain_name, active, xml_text):
    """``[{domain, active, image, user, secret_uuid, target}]`` of one domain definition."""
    found = []
    root = ET.fromstring(xml_text)
    for disk in root.findall("./devices/disk"):
        source = disk.find("source")
        if disk.get("type") != "network" or source is None or source.get("protocol") != "rbd":
            continue
        # libvirt accepts <auth> under <disk> (older form) or under <source>
        auth = source.find("auth")
        if auth is None:
            auth = disk.find("auth")
        secret = auth.find("secret") if auth is not None else None
        target = disk.find("target")
        found.append(dict(
            domain=domain_name,
            active=bool(active),
            image=source.get("name") or "",
            user=auth.get("username") if auth is not None else None,
            secret_uuid=secret.get("uuid") if secret is not None else None,
            target=target.get("dev") if target is not None else None,
        ))
    return found


def read_all(uri):
    """Every RBD disk of every domain libvirt knows at ``uri`` (running and defined ones)."""
    conn = secrets.connect(uri)
    try:
        disks = []
        for dom in conn.listAllDomains(0):
            try:
                disks.extend(rbd_disks(dom.name(), dom.isActive(), dom.XMLDesc(0)))
            except secrets.libvirt.libvirtError as exc:
                if secrets.error_code(exc) == secrets.libvirt.VIR_ERR_NO_DOMAIN:
                    continue        # gone between the listing and the read
                raise secrets.LibvirtSecretError("cannot read domain %s: %s" % (dom.name(), exc))
        return disks
    finally:
        conn.close()
