# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure logic of keyring files and cephx keys: rendering, redaction, parsing, atomic writes."""

from __future__ import annotations

import base64
import grp
import os
import pwd
import re
import stat
import struct

import pytest

from ansible_collections.eucalyptus.ceph.plugins.module_utils import _keyring_file as kf
from ansible_collections.eucalyptus.ceph.plugins.module_utils._cephx_key import (
    cephx_key_bytes,
    cephx_key_type,
    cephx_key_error,
)

# A key made by `auth get-or-create` on Ceph 16.2.15 (test cluster, long gone).
REAL_KEY = "AQCD/gVrL9JAOxAAUgbxl5v44vOCNSzvo5HTxA=="
# printed by ceph-authtool --gen-print-key of Debian's ceph 20.2.4 (Tentacle): type 2, 32-byte secret
TENTACLE_KEY = "AgBO7Q5rSgbVCyAAOfgjaGUO2NcG65mZkQzv5EURft5ngN+cjDwl1lnpV/8="
# printed by ceph-authtool --gen-print-key of Debian's ceph 18.2.7 (Reef): type 1, as Pacific
REEF_KEY = "AQBO7Q5rSpKYDBAAKLsk6/cd9Xil/UrAYQOPiQ=="


def make_key(secret=b"S" * 16, ktype=1, length=16, sec=1700000000, nsec=5):
    return base64.b64encode(struct.pack("<HIIH", ktype, sec, nsec, length) + secret).decode()


# -- cephx keys -------------------------------------------------------------------------------
def test_real_key_is_valid_and_decodes_to_28_bytes():
    assert cephx_key_error(REAL_KEY) is None
    raw = cephx_key_bytes(REAL_KEY)
    assert len(raw) == 28 and len(REAL_KEY) == 40
    assert struct.unpack("<HIIH", raw[:12])[0] == 1 and struct.unpack("<HIIH", raw[:12])[3] == 16


@pytest.mark.parametrize("bad", [
    "", None, 42, " " + REAL_KEY, REAL_KEY + "\n", REAL_KEY[:-2], REAL_KEY + "AAAA",
    "!" * 40, base64.b64encode(b"x" * 29).decode()[:40],
    make_key(ktype=2), make_key(length=32), make_key()[:-1] + "B",   # wrong type / len / non-canonical
    make_key(ktype=0), make_key(ktype=3), make_key(ktype=2, secret=b"S" * 32, length=16),
    make_key(ktype=1, secret=b"S" * 32, length=32), TENTACLE_KEY + "\n", TENTACLE_KEY[:-4],
    make_key(ktype=2, secret=b"S" * 31 + b"\0", length=32)[:-1] + "9",
])
def test_invalid_keys_are_refused_without_echoing_them(bad):
    error = cephx_key_error(bad)
    assert error
    if isinstance(bad, str) and len(bad) > 8:
        assert bad.strip() not in error
    with pytest.raises(ValueError):
        cephx_key_bytes(bad)


def test_generated_key_is_valid():
    assert cephx_key_error(make_key()) is None


@pytest.mark.parametrize("key, ktype, raw_len", [(REAL_KEY, 1, 28), (REEF_KEY, 1, 28), (TENTACLE_KEY, 2, 44)])
def test_keys_of_every_release_are_valid(key, ktype, raw_len):
    assert cephx_key_error(key) is None
    assert cephx_key_type(key) == ktype
    assert len(cephx_key_bytes(key)) == raw_len


def test_type_2_key_with_its_secret_is_valid():
    assert cephx_key_error(make_key(ktype=2, secret=b"T" * 32, length=32)) is None


# -- rendering --------------------------------------------------------------------------------
def test_render_matches_ceph_authtool_format():
    text = kf.render_keyring("eucalyptus", REAL_KEY, {"osd": "profile rbd pool=v", "mon": "profile rbd"})
    assert text == ("[client.eucalyptus]\n"
                    "\tkey = %s\n"
                    "\tcaps mon = \"profile rbd\"\n"
                    "\tcaps osd = \"profile rbd pool=v\"\n" % REAL_KEY)


def test_render_without_caps_and_attach_script_parse():
    text = kf.render_keyring("nc", REAL_KEY)
    assert text == "[client.nc]\n\tkey = %s\n" % REAL_KEY
    # the attach script: header at column 0, nothing after ']'
    assert re.search(r"^\[client\.nc\]$", text, re.M)
    assert kf.attach_script_key(text, "nc") == REAL_KEY
    assert kf.attach_script_key(text, "other") is None


def test_attach_script_parse_needs_exact_header():
    assert kf.attach_script_key(" [client.nc]\n\tkey = K\n", "nc") is None
    assert kf.attach_script_key("[client.nc] \n\tkey = K\n", "nc") is None
    assert kf.attach_script_key("[client.a]\n\tkey = A\n[client.nc]\n\tkey = B\n", "nc") == "B"
    assert kf.attach_script_key("[client.nc]\n[client.b]\n\tkey = B\n", "nc") is None


def test_redact_hides_every_key_line():
    text = "[client.a]\n\tkey = %s\n\tcaps mon = \"allow r\"\n[client.b]\nkey=%s\n" % (REAL_KEY, REAL_KEY)
    out = kf.redact(text)
    assert REAL_KEY not in out
    assert out.count(kf.REDACTED) == 2 and 'caps mon = "allow r"' in out
    assert kf.REDACTED_CHANGED in kf.redact(text, changed=True)


# -- modes and ids ----------------------------------------------------------------------------
@pytest.mark.parametrize("given,expected", [("0640", 0o640), ("640", 0o640), ("0600", 0o600), (0o640, 0o640),
                                            ("2750", 0o2750)])
def test_parse_mode(given, expected):
    assert kf.parse_mode(given) == expected
    assert kf.format_mode(expected) == ("%04o" % expected)


@pytest.mark.parametrize("bad", ["u=rw,g=r", "0999", "12", True, "", 0o17777, "064O"])
def test_parse_mode_refuses(bad):
    with pytest.raises(kf.KeyringFileError):
        kf.parse_mode(bad)


def test_resolve_owner_group():
    assert kf.resolve_owner(None) is None and kf.resolve_group(None) is None
    assert kf.resolve_owner("root") == 0 and kf.resolve_owner("0") == 0
    assert kf.resolve_group(grp.getgrgid(os.getegid()).gr_name) == os.getegid()
    with pytest.raises(kf.KeyringFileError, match="user 'no-such-user-xyz' does not exist"):
        kf.resolve_owner("no-such-user-xyz")
    with pytest.raises(kf.KeyringFileError, match="group 'no-such-group-xyz' does not exist"):
        kf.resolve_group("no-such-group-xyz")


# -- files (in tmp_path, owned by the test user) ------------------------------------------------
ME = pwd.getpwuid(os.geteuid()).pw_name
MYGROUP = grp.getgrgid(os.getegid()).gr_name


def test_create_then_idempotent(tmp_path):
    path = str(tmp_path / "ceph.client.x.keyring")
    content = kf.render_keyring("x", REAL_KEY)
    r = kf.ensure_present(path, content, owner=ME, group=MYGROUP, mode=0o640)
    assert r["changed"] and r["content_changed"]
    st = os.stat(path)
    assert stat.S_IMODE(st.st_mode) == 0o640 and open(path).read() == content
    assert REAL_KEY not in str(r["diff"]) and kf.REDACTED in r["diff"]["after"]
    assert os.listdir(str(tmp_path)) == ["ceph.client.x.keyring"]  # no temp file left
    r = kf.ensure_present(path, content, owner=ME, group=MYGROUP, mode=0o640)
    assert not r["changed"] and not r["content_changed"] and not r["attributes_changed"]


def test_mode_only_change_keeps_inode_and_content(tmp_path):
    path = str(tmp_path / "k")
    content = kf.render_keyring("x", REAL_KEY)
    kf.ensure_present(path, content, mode=0o640)
    inode = os.stat(path).st_ino
    r = kf.ensure_present(path, content, mode=0o600)
    assert r["changed"] and r["attributes_changed"] and not r["content_changed"]
    assert os.stat(path).st_ino == inode and stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert "# mode: 0640" in r["diff"]["before"] and "# mode: 0600" in r["diff"]["after"]


def test_content_change_is_atomic_rename_and_flagged_in_diff(tmp_path):
    path = str(tmp_path / "k")
    kf.ensure_present(path, kf.render_keyring("x", REAL_KEY), mode=0o640)
    inode = os.stat(path).st_ino
    other = make_key()
    r = kf.ensure_present(path, kf.render_keyring("x", other), mode=0o640)
    assert r["content_changed"] and os.stat(path).st_ino != inode
    assert kf.REDACTED_CHANGED in r["diff"]["after"]
    assert other not in str(r["diff"]) and REAL_KEY not in str(r["diff"])


def test_omitted_owner_group_keep_existing(tmp_path):
    path = str(tmp_path / "k")
    kf.ensure_present(path, kf.render_keyring("x", REAL_KEY), mode=0o600)
    r = kf.ensure_present(path, kf.render_keyring("x", make_key()), mode=0o600)
    assert (r["uid"], r["gid"]) == (os.geteuid(), os.getegid())


def test_check_mode_changes_nothing(tmp_path):
    path = str(tmp_path / "k")
    r = kf.ensure_present(path, kf.render_keyring("x", REAL_KEY), mode=0o640, check_mode=True)
    assert r["changed"] and not os.path.exists(path)
    kf.ensure_present(path, kf.render_keyring("x", REAL_KEY), mode=0o640)
    r = kf.ensure_present(path, kf.render_keyring("x", REAL_KEY), mode=0o600, check_mode=True)
    assert r["changed"] and stat.S_IMODE(os.stat(path).st_mode) == 0o640
    r = kf.ensure_absent(path, check_mode=True)
    assert r["changed"] and os.path.exists(path)


def test_absent(tmp_path):
    path = str(tmp_path / "k")
    assert not kf.ensure_absent(path)["changed"]
    assert not kf.ensure_absent(str(tmp_path / "missing-dir" / "k"))["changed"]
    kf.ensure_present(path, kf.render_keyring("x", REAL_KEY))
    r = kf.ensure_absent(path)
    assert r["changed"] and not os.path.exists(path) and REAL_KEY not in str(r["diff"])


def test_refusals_change_nothing(tmp_path):
    content = kf.render_keyring("x", REAL_KEY)
    with pytest.raises(kf.KeyringFileError, match="directory .* does not exist"):
        kf.ensure_present(str(tmp_path / "nope" / "k"), content)
    with pytest.raises(kf.KeyringFileError, match="group 'no-such-group-xyz' does not exist"):
        kf.ensure_present(str(tmp_path / "k"), content, group="no-such-group-xyz")
    assert os.listdir(str(tmp_path)) == []
    os.symlink("/etc/hostname", str(tmp_path / "link"))
    with pytest.raises(kf.KeyringFileError, match="symbolic link"):
        kf.ensure_present(str(tmp_path / "link"), content)
    os.mkdir(str(tmp_path / "dir"))
    with pytest.raises(kf.KeyringFileError, match="not a regular file"):
        kf.ensure_present(str(tmp_path / "dir"), content)


def test_temp_file_is_born_0600_even_with_open_umask(tmp_path, monkeypatch):
    """Record the mode of every file the writer creates, at creation time."""
    seen = []
    real_open = os.open

    def spy(path, flags, mode=0o777, *a, **kw):
        fd = real_open(path, flags, mode, *a, **kw)
        if flags & os.O_CREAT:
            seen.append((os.path.basename(path), flags, stat.S_IMODE(os.fstat(fd).st_mode)))
        return fd

    old = os.umask(0)
    try:
        monkeypatch.setattr(kf.os, "open", spy)
        kf.ensure_present(str(tmp_path / "k"), kf.render_keyring("x", REAL_KEY), mode=0o640)
    finally:
        os.umask(old)
    assert len(seen) == 1
    name, flags, mode = seen[0]
    assert name.startswith(".k.") and name.endswith(".tmp")
    assert flags & os.O_EXCL and flags & os.O_CREAT and mode == 0o600
    assert stat.S_IMODE(os.stat(str(tmp_path / "k")).st_mode) == 0o640


def test_failed_write_leaves_no_temp_file(tmp_path, monkeypatch):
    def boom(*a):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(kf.os, "fsync", boom)
    with pytest.raises(kf.KeyringFileError, match="No space left"):
        kf.ensure_present(str(tmp_path / "k"), kf.render_keyring("x", REAL_KEY))
    assert os.listdir(str(tmp_path)) == []


# -- several sections (the SC's keyring during a rotation by user generations) -----------------
def test_split_sections_keeps_every_line_in_order():
    text = "# made by hand\n" + kf.render_keyring("sc", REAL_KEY) + kf.render_keyring("sc.gen2", REEF_KEY, {"mon": "profile rbd"})
    parts = kf.split_sections(text)
    assert [entity for entity, _section in parts] == [None, "client.sc", "client.sc.gen2"]
    assert "".join(section for _entity, section in parts) == text
    assert kf.split_sections("") == []


def test_remove_sections_keeps_the_others_and_the_attributes(tmp_path):
    path = str(tmp_path / "k")
    both = kf.render_keyring("sc.gen2", REEF_KEY) + kf.render_keyring("sc", REAL_KEY)
    kf.ensure_present(path, both, mode=0o640)
    r = kf.remove_sections(path, {"client.sc"}, check_mode=True)
    assert r["changed"] and r["removed"] == ["client.sc"] and open(path).read() == both
    assert REAL_KEY not in str(r["diff"]) and REEF_KEY not in str(r["diff"])
    r = kf.remove_sections(path, {"client.sc"})
    assert r["changed"] and not r["file_removed"] and open(path).read() == kf.render_keyring("sc.gen2", REEF_KEY)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert not kf.remove_sections(path, {"client.sc"})["changed"]
    assert not kf.remove_sections(str(tmp_path / "missing"), {"client.sc"})["changed"]
    # the last section gone: the file goes
    r = kf.remove_sections(path, {"client.sc.gen2"})
    assert r["changed"] and r["file_removed"] and r["diff"]["after"] == "" and not os.path.exists(path)


def test_remove_sections_refuses_a_symlink(tmp_path):
    target = tmp_path / "real"
    target.write_text(kf.render_keyring("sc", REAL_KEY))
    link = tmp_path / "link"
    link.symlink_to(target)
    with pytest.raises(kf.KeyringFileError, match="symbolic link"):
        kf.remove_sections(str(link), {"client.sc"})
    assert target.read_text() == kf.render_keyring("sc", REAL_KEY)
