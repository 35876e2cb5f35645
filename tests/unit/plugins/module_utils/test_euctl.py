# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""euctl output parsing, value rules, ordering and the command lines the backend builds."""

from __future__ import annotations

import pytest

from ansible_collections.eucalyptus.ceph.plugins.module_utils import _euctl as euctl
from ansible_collections.eucalyptus.ceph.plugins.module_utils._euctl import (
    Euctl,
    EuctlError,
    UnknownProperty,
    find_property,
    parse_properties,
)


# -- parsing -----------------------------------------------------------------------------------
def test_euctl_format():
    # what euctl prints: '{0} = {1}'.format(name, value.strip())
    assert parse_properties("one.storage.cephuser = eucalyptus\n") == [("one.storage.cephuser", "eucalyptus")]


def test_no_spaces_and_guide_format():
    assert parse_properties("one.storage.cephuser=eucalyptus") == [("one.storage.cephuser", "eucalyptus")]
    text = ("PROPERTY\tone.storage.cephvolumepools\teucavolumes,other\n"
            "DESCRIPTION\tone.storage.cephvolumepools\tCeph storage pool(s) made available to Eucalyptus for EBS volumes\n"
            "PROPERTY one.storage.cephuser eucalyptus\n")
    assert parse_properties(text) == [("one.storage.cephvolumepools", "eucavolumes,other"),
                                      ("one.storage.cephuser", "eucalyptus")]


def test_empty_values():
    # euctl prints "name = " (trailing space) for an empty value; PROPERTY lines may end at the name
    assert parse_properties("one.storage.cephuser = \n") == [("one.storage.cephuser", "")]
    assert parse_properties("one.storage.cephuser =\n") == [("one.storage.cephuser", "")]
    assert parse_properties("one.storage.cephuser=") == [("one.storage.cephuser", "")]
    assert parse_properties("PROPERTY one.storage.cephuser\n") == [("one.storage.cephuser", "")]
    assert parse_properties("PROPERTY one.storage.cephuser \n") == [("one.storage.cephuser", "")]


def test_values_keep_equals_and_inner_spaces_but_are_stripped():
    assert parse_properties("a.b = x=y  z  \r\n") == [("a.b", "x=y  z")]
    assert parse_properties("a.b =  padded") == [("a.b", "padded")]


def test_prefix_listing_picks_the_exact_name():
    text = ("one.storage.cephconfigfile = /etc/ceph/ceph.conf\n"
            "one.storage.cephkeyringfile = /etc/ceph/ceph.client.eucalyptus.keyring\n"
            "one.storage.cephsnapshotpools = eucasnapshots\n"
            "one.storage.cephuser = eucalyptus\n"
            "one.storage.cephuserx = other\n")
    assert find_property(text, "one.storage.cephuser") == "eucalyptus"
    assert find_property(text, "one.storage.ceph") is None
    assert len(parse_properties(text)) == 5


def test_noise_before_the_first_property_is_ignored_and_continuations_join():
    text = "Welcome to the cloud\n\none.a.b = first\nsecond line\ntwo.c.d = x\n"
    assert parse_properties(text) == [("one.a.b", "first\nsecond line"), ("two.c.d", "x")]


def test_nothing_printed_means_unknown():
    assert parse_properties("") == []
    assert find_property("", "one.storage.cephuser") is None
    assert find_property("other.storage.cephuser = x\n", "one.storage.cephuser") is None


# -- names and values --------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["one.storage.cephuser", "cloud.euca_log_level", "zone-2.storage.x"])
def test_good_names(name):
    assert euctl.name_error(name) is None


@pytest.mark.parametrize("name", ["", "cephuser", "one.storage.cephuser=x", "a b.c", "one..x", None, "-"])
def test_bad_names(name):
    assert "invalid property name" in euctl.name_error(name)


@pytest.mark.parametrize("value, text", [
    (True, "true"), (False, "false"), (5, "5"), ("ceph-rbd", "ceph-rbd"), ("", ""),
    (["eucavolumes", "more"], "eucavolumes,more"), (["one"], "one"),
])
def test_normalize_value(value, text):
    assert euctl.normalize_value(value) == text


@pytest.mark.parametrize("value", [{"a": 1}, None])
def test_normalize_refuses(value):
    with pytest.raises(TypeError):
        euctl.normalize_value(value)


@pytest.mark.parametrize("value, words", [
    ("@/etc/passwd", "starts with '@'"), (" x", "white space"), ("x ", "white space"),
    ("a\nb", "line break"),
])
def test_values_euctl_cannot_set(value, words):
    assert words in euctl.value_error("one.storage.cephuser", value)


def test_values_euctl_can_set():
    for value in ("", "a@b", "/etc/ceph/ceph.conf", "x=y", "a,b", "with inner space"):
        assert euctl.value_error("one.storage.cephuser", value) is None


# -- zones and order ---------------------------------------------------------------------------
def test_zone_helpers():
    assert euctl.zone_of("one.storage.cephuser") == "one"
    assert euctl.zone_of("cloud.euca_log_level") is None
    assert euctl.is_bsm("one.storage.blockstoragemanager")
    assert not euctl.is_bsm("one.storage.cephuser")
    assert euctl.is_ceph_property("one.storage.cephvolumepools")
    assert not euctl.is_ceph_property("one.storage.shouldtransfersnapshots")
    assert not euctl.is_ceph_property("cloud.cephsomething")


def test_block_storage_manager_goes_first_rest_keeps_order():
    items = [("one.storage.cephuser", "u"), ("one.storage.cephvolumepools", "v"),
             ("one.storage.blockstoragemanager", "ceph-rbd"), ("one.storage.cephsnapshotpools", "s")]
    assert [item[0] for item in euctl.order_properties(items)] == [
        "one.storage.blockstoragemanager", "one.storage.cephuser", "one.storage.cephvolumepools",
        "one.storage.cephsnapshotpools"]


# -- command lines -----------------------------------------------------------------------------
class FakeRun:
    def __init__(self, *answers):
        self.answers = list(answers)
        self.calls = []

    def __call__(self, argv, check_rc=False, environ_update=None):
        self.calls.append((argv, environ_update))
        return self.answers.pop(0)


def test_get_builds_a_list_argv_and_picks_the_name():
    run = FakeRun((0, "one.storage.cephuser = sc\n", ""))
    assert Euctl(run, "/usr/sbin/euctl").get("one.storage.cephuser") == "sc"
    argv, env = run.calls[0]
    assert argv == ["/usr/sbin/euctl", "one.storage.cephuser"]
    assert env["LC_ALL"] == "C"


def test_set_is_one_argument_and_returns_what_euctl_prints():
    run = FakeRun((0, "one.storage.cephvolumepools = a,b\n", ""))
    assert Euctl(run, "euctl", region="admin@local").set("one.storage.cephvolumepools", "a,b") == "a,b"
    assert run.calls[0][0] == ["euctl", "--region", "admin@local", "one.storage.cephvolumepools=a,b"]


def test_value_with_spaces_and_quotes_stays_one_argument():
    run = FakeRun((0, "", ""))
    assert Euctl(run, "euctl").set("a.b", "x 'y' \"z\"; rm") is None
    assert run.calls[0][0] == ["euctl", "a.b=x 'y' \"z\"; rm"]


def test_unknown_on_read_with_exit_zero():
    run = FakeRun((0, "", ""))
    with pytest.raises(UnknownProperty, match="printed no line"):
        Euctl(run, "euctl").get("one.storage.nope")


def test_unknown_on_error_exit():
    run = FakeRun((1, "", "euctl: error (InvalidParameterValue): No such property: bad.storage.cephuser\n"))
    with pytest.raises(UnknownProperty, match="No such property"):
        Euctl(run, "euctl").set("bad.storage.cephuser", "x")


def test_other_errors_carry_euctl_message():
    run = FakeRun((1, "", "euctl: error: connection refused\n"))
    with pytest.raises(EuctlError, match="exit status 1.*connection refused") as info:
        Euctl(run, "euctl").get("one.storage.cephuser")
    assert not isinstance(info.value, UnknownProperty)
