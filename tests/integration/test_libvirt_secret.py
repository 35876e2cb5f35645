# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""eucalyptus.ceph.libvirt_secret against a real libvirtd (qemu:///system).

If no libvirtd is running, this module starts one (Debian's libvirt-daemon-system, its normal
configuration; no systemd needed) and stops exactly that process at the end.  The test itself
uses `virsh` to look at the result the way the Eucalyptus NC attach script does
(`virsh secret-get-value UUID` prints the value; no key is ever put on a command line).
"""

from __future__ import annotations

import base64
import os
import struct
import time
import uuid as uuidlib
import xml.etree.ElementTree as ET

import pytest

from libvirtd import virsh

pytestmark = pytest.mark.libvirt


def make_key():
    """A well-formed cephx key (what `ceph auth get-key` prints), random secret."""
    raw = struct.pack("<HIIH", 1, int(time.time()), 0, 16) + os.urandom(16)
    return base64.b64encode(raw).decode()


@pytest.fixture
def secret_uuid(libvirtd):
    """A fresh UUID; whatever secret carries it is undefined afterwards."""
    u = str(uuidlib.uuid4())
    yield u
    virsh("secret-undefine", u, check=False)


def dumpxml(u):
    r = virsh("secret-dumpxml", u, check=False)
    if r.returncode != 0:
        return None
    root = ET.fromstring(r.stdout)
    usage = root.find("usage")
    return dict(ephemeral=root.get("ephemeral"), private=root.get("private"), uuid=root.findtext("uuid"),
                usage_type=usage.get("type"), usage_name=usage.findtext("name"),
                description=root.findtext("description"))


def get_value(u):
    r = virsh("secret-get-value", u, check=False)
    return r.stdout.strip() if r.returncode == 0 else None


def test_lifecycle_as_the_attach_script_expects(run_module, secret_uuid, argv_watcher, tmp_path):
    u, key, key2 = secret_uuid, make_key(), make_key()
    with argv_watcher([key, key2]) as watch:
        # check mode on a missing secret: reported, nothing defined
        r = run_module("libvirt_secret", dict(uuid=u, value=key), check=True, diff=True)
        assert not r.failed and r.changed, r.msg
        assert dumpxml(u) is None

        t0 = time.monotonic()
        r = run_module("libvirt_secret", dict(uuid=u, value=key), diff=True)
        create_s = time.monotonic() - t0
        assert not r.failed and r.changed, r.msg
        assert r.result["definition_changed"] and r.result["value_changed"]
        # the definition the Eucalyptus attach script defines and then only compares
        assert dumpxml(u) == dict(ephemeral="no", private="no", uuid=u, usage_type="ceph", usage_name=u,
                                  description=None)
        assert get_value(u) == key  # libvirt stored the raw bytes; virsh prints them base64
        assert "value" not in r.result and key not in r.output

        # idempotent
        t0 = time.monotonic()
        r = run_module("libvirt_secret", dict(uuid=u, value=key))
        noop_s = time.monotonic() - t0
        assert not r.failed and not r.changed, r.result

        # value changed behind our back (as if by hand): detected and fixed, definition kept
        tamper = str(tmp_path / "tamper")
        fd = os.open(tamper, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(key2)
        try:
            virsh("secret-set-value", u, "--file", tamper)  # base64 read from the file, not argv
        finally:
            os.unlink(tamper)
        assert get_value(u) == key2
        r = run_module("libvirt_secret", dict(uuid=u, value=key), check=True)
        assert r.changed and r.result["value_changed"] and not r.result["definition_changed"]
        assert get_value(u) == key2  # check mode changed nothing
        r = run_module("libvirt_secret", dict(uuid=u, value=key), diff=True)
        assert r.changed and r.result["value_changed"] and not r.result["definition_changed"]
        assert get_value(u) == key
        assert "<redacted, changed>" in r.output

        # definition change: undefined, defined again, value set again
        r = run_module("libvirt_secret", dict(uuid=u, value=key, description="cephx key of client.nc"), diff=True)
        assert r.changed and r.result["differences"] == ["description"]
        assert dumpxml(u)["description"] == "cephx key of client.nc" and get_value(u) == key
        r = run_module("libvirt_secret", dict(uuid=u, value=key, description="cephx key of client.nc"))
        assert not r.changed

        # removal
        r = run_module("libvirt_secret", dict(uuid=u, state="absent"), check=True)
        assert r.changed and dumpxml(u) is not None
        r = run_module("libvirt_secret", dict(uuid=u, state="absent"), diff=True)
        assert r.changed and dumpxml(u) is None
        r = run_module("libvirt_secret", dict(uuid=u, state="absent"))
        assert not r.failed and not r.changed

    assert watch.hits == [] and watch.samples > 10
    print("\nlibvirt_secret: create %.2fs, no-op %.2fs (ansible-playbook wall time)" % (create_s, noop_s))


def test_key_absent_from_verbose_output(run_module, secret_uuid, argv_watcher):
    u, key = secret_uuid, make_key()
    with argv_watcher([key]) as watch:
        runs = [run_module("libvirt_secret", dict(uuid=u, value=key), diff=True, verbosity=3),
                run_module("libvirt_secret", dict(uuid=u, value=make_key()), diff=True, verbosity=3),
                run_module("libvirt_secret", dict(uuid=u, value=key), diff=True, verbosity=3)]
    for r in runs:
        assert not r.failed and r.changed, r.msg
        assert key not in r.output
        assert "<redacted" in r.output
    assert get_value(u) == key
    assert watch.hits == []


def test_private_secret_is_always_set_and_can_be_made_readable(run_module, secret_uuid):
    u, key = secret_uuid, make_key()
    r = run_module("libvirt_secret", dict(uuid=u, value=key, private=True, ephemeral=True))
    assert not r.failed and r.changed, r.msg
    assert dumpxml(u)["private"] == "yes" and dumpxml(u)["ephemeral"] == "yes"
    assert get_value(u) is None  # libvirt refuses to give it back
    r = run_module("libvirt_secret", dict(uuid=u, value=key, private=True, ephemeral=True))
    assert r.changed and r.result["value_changed"] and not r.result["definition_changed"]
    assert any("private" in w for w in r.result.get("warnings", []))
    # private -> not private: libvirt refuses that change in place; the module redefines
    r = run_module("libvirt_secret", dict(uuid=u, value=key))
    assert r.changed and set(r.result["differences"]) == {"private", "ephemeral"}
    assert get_value(u) == key


def test_usage_name_conflict_fails_and_changes_nothing(run_module, secret_uuid, tmp_path):
    u, other = secret_uuid, str(uuidlib.uuid4())
    xml = tmp_path / "other.xml"
    xml.write_text("<secret ephemeral='no' private='no'><uuid>%s</uuid><usage type='ceph'><name>%s</name>"
                   "</usage></secret>" % (other, u))
    virsh("secret-define", str(xml))
    try:
        r = run_module("libvirt_secret", dict(uuid=u, value=make_key()))
        assert r.failed and "another libvirt secret (%s)" % other in r.msg, r.msg
        assert dumpxml(u) is None
        # with its own usage name it works
        r = run_module("libvirt_secret", dict(uuid=u, usage_name="client.nc secret", value=make_key()))
        assert not r.failed and r.changed and dumpxml(u)["usage_name"] == "client.nc secret"
    finally:
        virsh("secret-undefine", other, check=False)


@pytest.mark.parametrize("case", ["bad uuid", "short uuid", "uuid with newline", "usage name with newline",
                                  "bad base64", "not a cephx key", "no value",
                                  "bad uri"])
def test_bad_input_fails_cleanly(run_module, secret_uuid, case):
    u = secret_uuid
    args, pattern = {
        "bad uuid": (dict(uuid="not-a-uuid", value=make_key()), "invalid secret uuid"),
        "short uuid": (dict(uuid=u[:-1], value=make_key()), "invalid secret uuid"),
        "uuid with newline": (dict(uuid=u + "\n", value=make_key()), "invalid secret uuid"),
        "usage name with newline": (dict(uuid=u, usage_name="client.x secret\n", value=make_key()),
                                    "must not contain control characters"),
        "bad base64": (dict(uuid=u, value="!!!!" * 10), "value: the cephx key is not valid"),
        "not a cephx key": (dict(uuid=u, value=base64.b64encode(b"x" * 28).decode()),
                            "value: the cephx key has type"),
        "no value": (dict(uuid=u), "missing: value"),
        "bad uri": (dict(uuid=u, value=make_key(), uri="qemu+unix:///system?socket=/nonexistent/sock"),
                    "cannot connect to libvirt"),
    }[case]
    r = run_module("libvirt_secret", args)
    assert r.failed and not r.changed
    assert pattern in r.msg, r.msg
    assert dumpxml(u) is None
