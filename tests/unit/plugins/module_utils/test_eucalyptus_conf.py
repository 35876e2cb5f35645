"""eucalyptus.conf edits: one active line per key, every other byte kept."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

import pytest
from hypothesis import given, strategies as st

from ansible_collections.eucalyptus.ceph.plugins.module_utils._eucalyptus_conf import (
    EucalyptusConfError,
    apply_settings,
    read_settings,
)

PACKAGED = (
    "# Eucalyptus configuration\n"
    'EUCALYPTUS="/"\n'
    "\n"
    "# Ceph RBD EBS\n"
    '#CEPH_USER_NAME="eucalyptus"\n'
    '#CEPH_KEYRING_PATH="/etc/ceph/ceph.client.eucalyptus.keyring"\n'
    'NC_PORT="8775"\n'
)


def test_commented_line_gets_an_active_line_after_it_and_is_kept():
    text, changes = apply_settings(PACKAGED, [("CEPH_USER_NAME", "eucalyptus-nc")])
    assert text == PACKAGED.replace(
        '#CEPH_USER_NAME="eucalyptus"\n', '#CEPH_USER_NAME="eucalyptus"\nCEPH_USER_NAME="eucalyptus-nc"\n')
    assert changes == [{"key": "CEPH_USER_NAME", "set": True}]


def test_active_line_then_commented_one_ends_as_one_active_line():
    before = 'A="1"\nCEPH_USER_NAME="old"\n#CEPH_USER_NAME="eucalyptus"\nB="2"\n'
    text, changes = apply_settings(before, [("CEPH_USER_NAME", "nc")])
    assert text == 'A="1"\nCEPH_USER_NAME="nc"\n#CEPH_USER_NAME="eucalyptus"\nB="2"\n'
    assert read_settings(text, ["CEPH_USER_NAME"]) == {"CEPH_USER_NAME": "nc"}


def test_duplicate_active_lines_are_removed_and_counted():
    before = 'CEPH_USER_NAME="a"\nX=1\n  CEPH_USER_NAME = "b"\nexport CEPH_USER_NAME="c"\n'
    text, changes = apply_settings(before, [("CEPH_USER_NAME", "nc")])
    assert text == 'CEPH_USER_NAME="nc"\nX=1\n'
    assert changes == [{"key": "CEPH_USER_NAME", "updated": True, "removed": 2}]


def test_no_change_when_already_set():
    before = PACKAGED + 'CEPH_USER_NAME="nc"\n'
    assert apply_settings(before, [("CEPH_USER_NAME", "nc")]) == (before, [])


def test_missing_key_is_appended_with_a_newline_before_it():
    text = apply_settings('A="1"', [("CEPH_CONFIG_PATH", "/etc/ceph/ceph.conf")])[0]
    assert text == 'A="1"\nCEPH_CONFIG_PATH="/etc/ceph/ceph.conf"\n'


def test_crlf_line_keeps_its_ending():
    text = apply_settings('CEPH_USER_NAME="a"\r\nB=1\r\n', [("CEPH_USER_NAME", "nc")])[0]
    assert text == 'CEPH_USER_NAME="nc"\r\nB=1\r\n'


def test_a_key_that_is_a_prefix_of_another_is_not_confused():
    before = 'CEPH_USER_NAME_X="keep"\n'
    text = apply_settings(before, [("CEPH_USER_NAME", "nc")])[0]
    assert text == before + 'CEPH_USER_NAME="nc"\n'


@pytest.mark.parametrize("value", ['a"b', "a$b", "a`b", "a\\b", "a\nb", "a\x00", "nc\n", "\x7f"])
def test_values_the_shell_would_expand_or_split_are_refused(value):
    with pytest.raises(EucalyptusConfError):
        apply_settings(PACKAGED, [("CEPH_USER_NAME", value)])


@pytest.mark.parametrize("key", ["ceph_user", "1A", "A-B", "A\n", "", "A B"])
def test_bad_keys_are_refused(key):
    with pytest.raises(EucalyptusConfError):
        apply_settings(PACKAGED, [(key, "x")])


_lines = st.lists(
    st.one_of(
        st.sampled_from(['CEPH_USER_NAME="x"', '#CEPH_USER_NAME="y"', "# comment", "", 'OTHER="1"',
                         " CEPH_USER_NAME=z", "export CEPH_USER_NAME='q'"]),
        st.text(alphabet=st.characters(blacklist_characters="\r\n", blacklist_categories=("Cs",)), max_size=30),
    ),
    max_size=12,
)
_ACTIVE = re.compile(r"[ \t]*(export[ \t]+)?CEPH_USER_NAME[ \t]*=")
_value = st.text(alphabet=st.characters(whitelist_categories=("L", "N"), whitelist_characters="/._- "), max_size=20)


@given(_lines, _value)
def test_property_one_active_line_value_seen_rest_kept_idempotent(lines, value):
    before = "\n".join(lines) + ("\n" if lines else "")
    after = apply_settings(before, [("CEPH_USER_NAME", value)])[0]
    active = [line for line in after.splitlines() if _ACTIVE.match(line)]
    assert active == ['CEPH_USER_NAME="%s"' % value]
    assert read_settings(after, ["CEPH_USER_NAME"]) == {"CEPH_USER_NAME": value}
    # lines that are not an active CEPH_USER_NAME line are all kept, in order
    kept = [line for line in before.splitlines() if not _ACTIVE.match(line)]
    assert [line for line in after.splitlines() if line != active[0]] == kept
    assert apply_settings(after, [("CEPH_USER_NAME", value)]) == (after, [])
