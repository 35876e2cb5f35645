import pytest

from ansible_collections.eucalyptus.ceph.plugins.module_utils._caps import (
    caps_error,
    caps_to_args,
    normalize_cap,
    profile_caps,
)


def test_sc_profile_covers_volume_and_snapshot_pools():
    caps = profile_caps("sc", ["eucavolumes"], ["eucasnapshots"])
    assert caps == {
        "mon": "profile rbd",
        "osd": "profile rbd pool=eucavolumes, profile rbd pool=eucasnapshots",
        "mgr": "profile rbd pool=eucavolumes, profile rbd pool=eucasnapshots",
    }


def test_nc_profile_writes_volume_pools_and_only_reads_snapshot_pools():
    osd = profile_caps("nc", ["v1", "v2"], ["s1"])["osd"]
    grants = [g.strip() for g in osd.split(",")]
    assert "allow rwx pool=v1 object_prefix rbd_data." in grants
    assert "allow rwx pool=v2 object_prefix rbd_data." in grants
    assert "allow r class-read pool=s1 object_prefix rbd_data." in grants
    snapshot_grants = [g for g in grants if "pool=s1" in g]
    assert not any(" w" in g or "rw" in g or "class lock" in g for g in snapshot_grants)
    # never a blanket grant: every osd grant is restricted to a pool and an object prefix
    assert all("pool=" in g and "object_prefix" in g for g in grants)
    assert "profile rbd" not in osd


def test_nc_profile_has_no_mgr_cap():
    assert "mgr" not in profile_caps("nc", ["v"], [])


def test_pool_in_both_lists_is_a_volume_pool():
    osd = profile_caps("nc", ["p"], ["p"])["osd"]
    assert "allow r class-read pool=p object_prefix rbd_data." not in osd


def test_profile_errors():
    with pytest.raises(ValueError, match="unknown cap profile"):
        profile_caps("admin", ["p"])
    with pytest.raises(ValueError, match="at least one volume pool"):
        profile_caps("nc", [], ["s"])


@pytest.mark.parametrize("caps, message", [
    ({}, "non-empty mapping"),
    ({"client": "allow r"}, "unknown daemon type"),
    ({"osd": ""}, "non-empty string"),
    ({"osd": "rwx pool=p"}, "malformed osd cap"),
    ({"mon": "allow r, "}, "malformed mon cap"),
    ({"osd": "allow rwx pool='p'"}, "quotes"),
])
def test_malformed_caps(caps, message):
    assert message in caps_error(caps)


def test_well_formed_caps():
    assert caps_error({"mon": "profile rbd", "osd": "allow rwx pool=p, profile rbd-read-only pool=q"}) is None
    assert caps_error(profile_caps("nc", ["a"], ["b"])) is None


def test_normal_form_matches_what_we_send():
    assert normalize_cap("allow  rwx pool=p,allow r") == "allow rwx pool=p, allow r"
    assert caps_to_args({"osd": "o", "mon": "m"}) == ["mon", "m", "osd", "o"]


def test_ebs_admin_profile_allows_only_the_ebs_pools_and_users():
    caps = profile_caps("ebs-admin", ["vols"], ["snaps"], users_prefix="euca")
    grants = [g.strip() for g in caps["mon"].split(",")]
    assert grants[0] == "allow r"
    assert 'allow command "osd pool create" with pool=vols' in grants
    assert 'allow command "osd pool application enable" with pool=snaps' in grants
    assert 'allow command "auth get-or-create" with entity prefix client.euca' in grants
    # nothing broader than a named pool or the users' prefix
    assert all(g == "allow r" or " with pool=" in g or " with entity prefix client.euca" in g for g in grants)
    assert len(grants) == 1 + 3 * 2 + 3
    assert caps["osd"] == "profile rbd pool=vols, profile rbd pool=snaps"
    assert caps_error(caps) is None


@pytest.mark.parametrize("prefix", ["", "a b", "x\n", "client.x,allow *"])
def test_ebs_admin_profile_refuses_a_prefix_that_is_not_an_id(prefix):
    with pytest.raises(ValueError):
        profile_caps("ebs-admin", ["vols"], users_prefix=prefix)
