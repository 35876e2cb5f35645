# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure logic of libvirt secrets: XML rendering/parsing/compare and the plan, on a fake store."""

from __future__ import annotations

import base64

import pytest

from ansible_collections.eucalyptus.ceph.plugins.module_utils import _libvirt_secrets as ls

UUID = "3f1f2c34-6a4b-4cde-9f01-23456789abcd"
KEY = "AQCD/gVrL9JAOxAAUgbxl5v44vOCNSzvo5HTxA=="
RAW = base64.b64decode(KEY)

# What `virsh secret-dumpxml` prints for the secret the Eucalyptus attach script defines.
ATTACH_SCRIPT_XML = """<secret ephemeral='no' private='no'>
  <uuid>%s</uuid>
  <usage type='ceph'>
    <name>%s</name>
  </usage>
</secret>
""" % (UUID, UUID)


def test_default_definition_is_the_attach_scripts():
    d = ls.definition(UUID.upper())
    assert d == dict(uuid=UUID, usage_type="ceph", usage_name=UUID, description=None, private=False,
                     ephemeral=False)
    assert ls.parse_xml(ATTACH_SCRIPT_XML) == d
    assert ls.definition_differences(ls.parse_xml(ATTACH_SCRIPT_XML), d) == []


def test_render_parse_roundtrip():
    d = ls.definition(UUID, "client.nc secret", "cephx key of client.nc <&>", private=True, ephemeral=True)
    xml = ls.render_xml(d)
    assert xml.startswith('<secret ephemeral="yes" private="yes">')
    assert "&lt;&amp;&gt;" in xml
    assert ls.parse_xml(xml) == d


def test_render_default():
    xml = ls.render_xml(ls.definition(UUID))
    assert "<description" not in xml
    assert '<usage type="ceph">' in xml and "<name>%s</name>" % UUID in xml


def test_render_exact_text():
    """The text render_xml yields (Python 3.6 on EL7 and 3.11/3.13 on Debian alike)."""
    assert ls.render_xml(ls.definition(UUID, description="d")) == (
        '<secret ephemeral="no" private="no">\n'
        "  <description>d</description>\n"
        "  <uuid>%s</uuid>\n"
        '  <usage type="ceph">\n'
        "    <name>%s</name>\n"
        "  </usage>\n"
        "</secret>\n" % (UUID, UUID))


@pytest.mark.parametrize("xml", [
    "<a/>",
    "<a>t</a>",
    "<a><b/></a>",
    "<a> <b>x</b>tail<c><d/><e> </e></c>\n</a>",
    "<a><b><c><d/></c></b><f/></a>",
])
def test_indent_matches_elementtree_indent(xml):
    """_indent is ElementTree.indent(space='  ') (3.9+), written out for older targets."""
    ET = ls.ET
    ours, theirs = ET.fromstring(xml), ET.fromstring(xml)
    ls._indent(ours)
    ET.indent(theirs, space="  ")
    assert ET.tostring(ours, encoding="unicode") == ET.tostring(theirs, encoding="unicode")


def test_parse_defaults_and_other_usages():
    assert ls.parse_xml("<secret><uuid>%s</uuid></secret>" % UUID.upper()) == dict(
        uuid=UUID, usage_type=None, usage_name=None, description=None, private=False, ephemeral=False)
    d = ls.parse_xml("<secret><uuid>%s</uuid><usage type='volume'><volume>/v</volume></usage></secret>" % UUID)
    assert (d["usage_type"], d["usage_name"]) == ("volume", "/v")
    with pytest.raises(ls.LibvirtSecretError):
        ls.parse_xml("<secret")
    with pytest.raises(ls.LibvirtSecretError):
        ls.parse_xml("<domain/>")


def test_differences():
    want = ls.definition(UUID)
    have = dict(want, private=True, description="x")
    assert ls.definition_differences(have, want) == ["description", "private"]
    assert ls.definition_differences(dict(want, usage_name="other"), want) == ["usage_name"]


@pytest.mark.parametrize("uuid", [UUID, UUID.upper()])
def test_uuid_ok(uuid):
    assert ls.uuid_error(uuid) is None


@pytest.mark.parametrize("uuid", ["", "not-a-uuid", UUID[:-1], UUID + "0", UUID.replace("-", ""), None])
def test_uuid_bad(uuid):
    assert "invalid secret uuid" in ls.uuid_error(uuid)


def test_usage_name_error():
    assert ls.usage_name_error("client.nc secret") is None
    assert ls.usage_name_error(" ") and ls.usage_name_error("a\nb")


def test_describe_never_shows_value():
    text = ls.describe(ls.definition(UUID), "<redacted>")
    assert text.endswith("<!-- value: <redacted> -->\n")
    assert ls.describe(None, "<redacted>") == ""


# -- the plan, on a fake libvirt ---------------------------------------------------------------
class FakeSecret:
    def __init__(self, defn, value=None):
        self.defn, self.value_ = dict(defn), value

    def UUIDString(self):
        return self.defn["uuid"]


class FakeStore:
    def __init__(self, *secrets):
        self.secrets = {s.defn["uuid"]: s for s in secrets}
        self.calls = []

    def lookup(self, uuid):
        return self.secrets.get(uuid)

    def lookup_usage(self, name):
        for s in self.secrets.values():
            if s.defn["usage_type"] == "ceph" and s.defn["usage_name"] == name:
                return s
        return None

    def read_definition(self, secret):
        return dict(secret.defn)

    def read_value(self, secret):
        if secret.defn["private"]:
            raise ls.ValueUnreadable("secret is private")
        return secret.value_

    def define(self, defn):
        self.calls.append("define")
        s = self.secrets[defn["uuid"]] = FakeSecret(defn)
        return s

    def set_value(self, secret, raw):
        self.calls.append("set_value")
        secret.value_ = raw

    def undefine(self, secret):
        self.calls.append("undefine")
        del self.secrets[secret.defn["uuid"]]


def test_create_then_idempotent():
    store = FakeStore()
    want = ls.definition(UUID)
    r = ls.ensure_present(store, want, RAW)
    assert r["changed"] and r["created"] and r["definition_changed"] and r["value_changed"]
    assert store.calls == ["define", "set_value"] and store.secrets[UUID].value_ == RAW
    assert KEY not in str(r) and RAW not in repr(r).encode()
    store.calls = []
    r = ls.ensure_present(store, want, RAW)
    assert not r["changed"] and store.calls == []


def test_wrong_value_is_set_again_without_redefining():
    store = FakeStore(FakeSecret(ls.definition(UUID), b"old"))
    r = ls.ensure_present(store, ls.definition(UUID), RAW)
    assert r["changed"] and r["value_changed"] and not r["definition_changed"]
    assert store.calls == ["set_value"]
    assert "<redacted, changed>" in r["diff"]["after"]


def test_missing_value_is_set():
    store = FakeStore(FakeSecret(ls.definition(UUID), None))
    assert ls.ensure_present(store, ls.definition(UUID), RAW)["value_changed"]


def test_definition_change_undefines_defines_and_sets_value():
    store = FakeStore(FakeSecret(ls.definition(UUID, private=True), RAW))
    r = ls.ensure_present(store, ls.definition(UUID), RAW)
    assert r["definition_changed"] and r["differences"] == ["private"]
    assert store.calls == ["undefine", "define", "set_value"]
    assert store.secrets[UUID].defn == ls.definition(UUID)


def test_private_secret_value_is_always_set():
    want = ls.definition(UUID, private=True)
    store = FakeStore(FakeSecret(want, RAW))
    r = ls.ensure_present(store, want, RAW)
    assert r["changed"] and r["value_changed"] and not r["value_readable"] and not r["definition_changed"]
    assert store.calls == ["set_value"]


def test_check_mode_changes_nothing():
    store = FakeStore(FakeSecret(ls.definition(UUID), b"old"))
    r = ls.ensure_present(store, ls.definition(UUID, description="d"), RAW, check_mode=True)
    assert r["changed"] and store.calls == [] and store.secrets[UUID].value_ == b"old"
    r = ls.ensure_absent(store, UUID, check_mode=True)
    assert r["changed"] and store.calls == []


def test_usage_conflict_fails_before_any_change():
    other = "11111111-2222-3333-4444-555555555555"
    store = FakeStore(FakeSecret(ls.definition(other, usage_name=UUID), RAW))
    with pytest.raises(ls.LibvirtSecretError, match="another libvirt secret \\(%s\\)" % other):
        ls.ensure_present(store, ls.definition(UUID), RAW)
    assert store.calls == []


def test_absent():
    store = FakeStore(FakeSecret(ls.definition(UUID), RAW))
    r = ls.ensure_absent(store, UUID)
    assert r["changed"] and store.calls == ["undefine"] and r["definition"]["uuid"] == UUID
    assert not ls.ensure_absent(store, UUID)["changed"]


class _Refused(Exception):
    pass


class _Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_connect_retries_while_the_daemon_restarts_then_succeeds():
    clock, calls = _Clock(), []

    def opener(uri):
        calls.append(uri)
        if len(calls) < 3:
            raise _Refused("Cannot recv data: Connection reset by peer")
        return "conn"

    assert ls.open_with_retry(opener, "qemu:///system", _Refused, sleep=clock.sleep, clock=clock) == "conn"
    assert len(calls) == 3 and clock.now == 2 * ls.CONNECT_RETRY_DELAY


def test_connect_gives_up_at_the_deadline_with_the_last_error():
    clock, calls = _Clock(), []

    def opener(uri):
        calls.append(uri)
        raise _Refused("Failed to connect socket: Connection refused")

    with pytest.raises(ls.LibvirtSecretError, match="Connection refused"):
        ls.open_with_retry(opener, "qemu:///system", _Refused, seconds=3, delay=0.5, sleep=clock.sleep, clock=clock)
    assert clock.now <= 3 and len(calls) == 7   # at 0, 0.5, ... 3.0 s


def test_connect_does_not_retry_other_errors():
    clock, calls = _Clock(), []

    def opener(uri):
        calls.append(uri)
        raise _Refused("authentication failed: access denied")

    with pytest.raises(ls.LibvirtSecretError, match="access denied"):
        ls.open_with_retry(opener, "qemu:///system", _Refused, sleep=clock.sleep, clock=clock)
    assert len(calls) == 1 and clock.now == 0
