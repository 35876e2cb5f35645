"""Every validator matches the whole string: no trailing newline, no control character.

``re.match(r"^...$")`` also accepts "name\\n" ($ matches before a final newline); these tests
generate valid values from each validator's own grammar, then break them with control
characters at the end, at the start and inside, and expect a refusal every time.
"""
import string

import pytest
from hypothesis import given, settings, strategies as st

from ansible_collections.eucalyptus.ceph.plugins.module_utils import (
    _caps as caps,
    _cephx_key as cephx_key,
    _daemon_keys as daemon_keys,
    _euctl as euctl,
    _keyring_file as keyring_file,
    _libvirt_secrets as libvirt_secrets,
    _names as names,
    _rbd_images as rbd_images,
)

CONTROLS = [chr(c) for c in range(32)] + ["\x7f"]
control = st.sampled_from(CONTROLS)


def refused_name(error_fn):
    return lambda value: error_fn(value) is not None


# (label, strategy of valid values, predicate "is refused")
VALIDATORS = [
    ("pool", st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,126}", fullmatch=True), refused_name(names.pool_name_error)),
    ("client", st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{0,126}", fullmatch=True), refused_name(names.client_id_error)),
    ("image", st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.:-]{0,254}", fullmatch=True), refused_name(names.image_name_error)),
    ("snapshot", st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.:-]{0,254}", fullmatch=True),
     refused_name(rbd_images.snapshot_name_error)),
    ("uuid", st.uuids().map(str), refused_name(libvirt_secrets.uuid_error)),
    ("usage_name", st.from_regex(r"client\.[a-z0-9-]{1,20} secret", fullmatch=True),
     refused_name(libvirt_secrets.usage_name_error)),
    ("euctl property", st.from_regex(r"[a-z0-9_-]{1,10}(\.[a-z0-9_-]{1,10}){1,3}", fullmatch=True),
     refused_name(euctl.name_error)),
    ("entity", st.one_of(st.just("mon."), st.from_regex(r"(osd\.[0-9]{1,4}|client\.[a-z0-9_.-]{1,20}|mgr\.[a-z]{1,8})",
                                                        fullmatch=True)),
     lambda v: not daemon_keys.valid_entity(v)),
]


def _raises(fn, exc):
    def refused(value):
        try:
            fn(value)
        except exc:
            return True
        return False
    return refused


VALIDATORS += [
    ("size", st.from_regex(r"[1-9][0-9]{0,5}( ?[KMGT](i?B)?)?", fullmatch=True), _raises(rbd_images.parse_size, ValueError)),
    ("mode", st.from_regex(r"0?[0-7]{3}", fullmatch=True), _raises(keyring_file.parse_mode, keyring_file.KeyringFileError)),
]


@pytest.mark.parametrize("label,valid,refused", VALIDATORS, ids=[v[0] for v in VALIDATORS])
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_valid_values_pass_and_any_control_character_is_refused(label, valid, refused, data):
    value = data.draw(valid, label="value")
    assert not refused(value), "%s: a valid value was refused: %r" % (label, value)
    c = data.draw(control, label="control")
    pos = data.draw(st.integers(min_value=0, max_value=len(value)), label="position")
    for broken in (value + c, c + value, value[:pos] + c + value[pos:], value + "\n"):
        assert refused(broken), "%s: accepted %r" % (label, broken)


@pytest.mark.parametrize("label,valid,refused", VALIDATORS, ids=[v[0] for v in VALIDATORS])
@settings(max_examples=100, deadline=None)
@given(other=st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.lists(st.text(max_size=3)),
                       st.dictionaries(st.text(max_size=3), st.integers(), max_size=2), st.binary(max_size=8)))
def test_types_yaml_produces_by_surprise_are_refused_or_understood(label, valid, refused, other):
    """None, bools, floats, lists, dicts, bytes: a clear refusal, never an exception."""
    if label == "size" and isinstance(other, int) and not isinstance(other, bool) and other > 0:
        assert not refused(other)
        return
    if label == "size" and isinstance(other, float) and other > 0 and other.is_integer():
        assert not refused(other)
        return
    if label == "mode" and isinstance(other, int) and not isinstance(other, bool) and 0 <= other <= 0o7777:
        assert not refused(other)
        return
    assert refused(other), "%s accepted %r" % (label, other)


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=string.ascii_letters + " *=,", max_size=20), c=control)
def test_caps_refuse_control_characters(text, c):
    good = {"mon": "profile rbd", "osd": "allow rwx pool=a" + text.replace(",", "")}
    if caps.caps_error(good) is None:
        assert caps.caps_error({"mon": "profile rbd", "osd": good["osd"] + c}) is not None
        assert caps.caps_error({"mon": "profile rbd" + c, "osd": good["osd"]}) is not None


@settings(max_examples=100, deadline=None)
@given(secret=st.binary(min_size=16, max_size=16), c=control)
def test_cephx_key_with_a_control_character_is_refused(secret, c):
    import base64
    import struct
    key = base64.b64encode(struct.pack("<HIIH", 1, 1700000000, 0, 16) + secret).decode()
    assert cephx_key.cephx_key_error(key) is None
    for broken in (key + c, c + key, key[:20] + c + key[20:]):
        error = cephx_key.cephx_key_error(broken)
        assert error is not None and key not in error
