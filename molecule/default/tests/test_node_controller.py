"""Verifier of roles/node_controller on the lab's Node Controllers (group euca_nc).

Checks what the Eucalyptus NC attach script relies on: the CEPH_* lines of eucalyptus.conf,
the keyring (root:kvm 0640, `[client.USER]` header at column 0, `key = ...` line), the
zone's libvirt secret (defined as the script defines it, value == the keyring's key), the
`mon addr` lines of ceph.conf, and that the hypervisor can open an image with the NC's
credentials only (qemu-img info / qemu-io through librbd; the image is created and removed
with the admin keyring on the first Ceph monitor host).

The key is never printed: comparisons are reduced to booleans before asserting, because
pytest would show both sides of a failed `==`.
"""

import os
import re

import testinfra.utils.ansible_runner

RUNNER = testinfra.utils.ansible_runner.AnsibleRunner(os.environ["MOLECULE_INVENTORY_FILE"])
testinfra_hosts = RUNNER.get_hosts("euca_nc")

EUCA_CONF = "/etc/eucalyptus/eucalyptus.conf"
CEPH_CONF = "/etc/ceph/ceph.conf"


def _vars(host):
    return RUNNER.get_variables(host.backend.get_hostname())


def _settings(host):
    """Active KEY="value" lines of eucalyptus.conf, as lists (to catch duplicates)."""
    out = {}
    for line in host.file(EUCA_CONF).content_string.splitlines():
        m = re.match(r'^\s*(CEPH_[A-Z_]+)="?(.*?)"?\s*$', line)
        if m:
            out.setdefault(m.group(1), []).append(m.group(2))
    return out


def _nc(host):
    v = _vars(host)
    # the test sequence's last side effect (rotation.yml) leaves the NCs on generation 2
    user = v.get("ebs_nc_user", "eucalyptus-nc") + ".gen2"
    return dict(user=user, keyring=v.get("node_controller_keyring_path", "/etc/ceph/ceph.client.%s.keyring" % user),
                uuid=v["ebs_libvirt_secret_uuid"].lower(), pool=(v.get("ebs_volume_pools") or ["eucavolumes"])[0])


def _key_from_keyring(text, user):
    """The attach script's parsing: header at column 0 with nothing after ], then key = ..."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if re.match(r"^\[client\.%s\]$" % re.escape(user), line):
            for following in lines[i + 1:]:
                if following.startswith("["):
                    break
                m = re.match(r"^\s*key\s*=\s*([A-Za-z0-9+/]+={0,2})\s*$", following)
                if m:
                    return m.group(1)
    return None


def test_eucalyptus_conf_points_at_the_nc_user_keyring_and_conf(host):
    nc = _nc(host)
    assert _settings(host) == {
        "CEPH_USER_NAME": [nc["user"]],
        "CEPH_KEYRING_PATH": [nc["keyring"]],
        "CEPH_CONFIG_PATH": [CEPH_CONF],
    }
    # the packaged file is edited in place, not replaced
    assert host.file(EUCA_CONF).contains("^HYPERVISOR=")


def test_keyring_is_root_kvm_0640_with_the_header_and_key_line(host):
    nc = _nc(host)
    f = host.file(nc["keyring"])
    assert f.is_file and not f.is_symlink
    assert (f.user, f.group, f.mode) == ("root", "kvm", 0o640)
    parsed = _key_from_keyring(host.run("cat %s" % nc["keyring"]).stdout, nc["user"])
    assert parsed is not None, "no [client.%s] header + key line the attach script can parse" % nc["user"]


def test_libvirt_secret_is_defined_as_the_attach_script_expects(host):
    nc = _nc(host)
    xml = host.check_output("virsh secret-dumpxml %s" % nc["uuid"])
    assert "ephemeral='no'" in xml and "private='no'" in xml
    assert "<usage type='ceph'>" in xml and "<name>%s</name>" % nc["uuid"] in xml


def test_libvirt_secret_value_is_the_keyring_key(host):
    nc = _nc(host)
    key = _key_from_keyring(host.run("cat %s" % nc["keyring"]).stdout, nc["user"])
    value = host.run("virsh secret-get-value %s" % nc["uuid"])
    same = value.rc == 0 and key is not None and value.stdout.strip() == key
    assert same, "virsh secret-get-value %s does not print the keyring's key" % nc["uuid"]


def test_ceph_conf_has_mon_addr_lines(host):
    f = host.file(CEPH_CONF)
    assert f.mode == 0o644
    mons = []
    for line in f.content_string.splitlines():
        m = re.match(r"^\s*mon addr\s*=\s*(.*)$", line)
        if m:
            for addr in m.group(1).split(","):
                ip, sep, port = addr.strip().partition(":")
                assert ip and sep and port.isdigit(), addr
                mons.append((ip, port))
    assert mons, "no 'mon addr' line: the attach script would fail"


def test_hypervisor_opens_an_image_with_the_nc_credentials(host):
    nc = _nc(host)
    mons = RUNNER.get_hosts("ceph_mons")
    assert mons, "no ceph_mons group in the inventory"
    admin = RUNNER.get_host(mons[0])
    image = "testinfra-nc-%s" % host.backend.get_hostname()
    spec = "rbd:%s/%s:id=%s:conf=%s:keyring=%s" % (nc["pool"], image, nc["user"], CEPH_CONF, nc["keyring"])
    admin.check_output("rbd --client-mount-timeout 15 create --size 8M --image-feature layering %s/%s" % (nc["pool"], image))
    try:
        info = host.run("qemu-img info %s" % spec)
        assert info.rc == 0, info.stderr
        assert "virtual size: 8 MiB" in info.stdout
        io = host.run("qemu-io -f raw -c 'write -P 0x5a 0 64k' -c 'read -P 0x5a 0 64k' %s" % spec)
        assert io.rc == 0 and "read 65536/65536 bytes" in io.stdout and "failed" not in io.stdout, io.stdout + io.stderr
        # the NC user manages nothing: creating an image is refused
        create = host.run("qemu-img create -f raw rbd:%s/%s-new:id=%s:conf=%s:keyring=%s 8M"
                          % (nc["pool"], image, nc["user"], CEPH_CONF, nc["keyring"]))
        assert create.rc != 0 and "Operation not permitted" in create.stderr + create.stdout
    finally:
        admin.run("rbd --client-mount-timeout 15 rm --no-progress %s/%s" % (nc["pool"], image))


def test_qemu_opens_a_volume_with_the_libvirt_secret_as_libvirt_hands_it_over(host):
    """What libvirt does for a disk with <auth>: the secret's value becomes a qemu secret
    object (base64) that the rbd driver uses as key-secret, with the user from the disk XML.
    The value travels through a 0600 file, never argv. Proves the secret's bytes are a key
    the cluster accepts, for the key type this release hands out (40 or 60 characters)."""
    nc = _nc(host)
    mons = RUNNER.get_hosts("ceph_mons")
    admin = RUNNER.get_host(mons[0])
    image = "testinfra-secret-%s" % host.backend.get_hostname()
    admin.check_output("rbd --client-mount-timeout 15 create --size 8M --image-feature layering %s/%s" % (nc["pool"], image))
    spec = ('json:{"driver": "raw", "file": {"driver": "rbd", "pool": "%s", "image": "%s", "user": "%s", '
            '"conf": "%s", "key-secret": "sec0"}}' % (nc["pool"], image, nc["user"], CEPH_CONF))
    script = ("set -e; umask 077; f=$(mktemp); trap 'rm -f \"$f\"' EXIT; "
              "virsh -c qemu:///system secret-get-value %s > \"$f\"; "
              "qemu-io --object secret,id=sec0,file=\"$f\",format=base64 -f raw "
              "-c 'write -P 0x3c 0 64k' -c 'read -P 0x3c 0 64k' '%s'" % (nc["uuid"], spec))
    try:
        io = host.run("bash -c %s" % _quote(script))
        assert io.rc == 0 and "read 65536/65536 bytes" in io.stdout and "failed" not in io.stdout, io.stdout + io.stderr
    finally:
        admin.run("rbd --client-mount-timeout 15 rm --no-progress %s/%s" % (nc["pool"], image))


def _quote(text):
    return "'" + text.replace("'", "'\"'\"'") + "'"
