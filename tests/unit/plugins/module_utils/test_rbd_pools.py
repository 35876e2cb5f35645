import pytest

from ansible_collections.eucalyptus.ceph.plugins.module_utils.rbd_pools import desired_error, plan

CURRENT = {"size": 3, "min_size": 2, "pg_num": 32, "pg_autoscale_mode": "on"}


def want(**kwargs):
    desired = dict(size=None, min_size=None, pg_num=None, pg_autoscale_mode=None)
    desired.update(kwargs)
    return desired


def test_nothing_to_do():
    assert plan(CURRENT, want(size=3, min_size=2, pg_num=64)) == []  # autoscaler owns pg_num


def test_size_first_then_min_size_reapplied():
    # the monitor resets min_size whenever size changes
    assert plan(CURRENT, want(size=2, min_size=2)) == [("size", 2), ("min_size", 2)]


def test_min_size_above_size_is_refused():
    with pytest.raises(ValueError):
        plan(CURRENT, want(min_size=4))


def test_pg_num_enforced_when_autoscaler_off():
    assert plan(CURRENT, want(pg_autoscale_mode="off", pg_num=16)) == [("pg_autoscale_mode", "off"), ("pg_num", 16)]


@pytest.mark.parametrize("desired, message", [
    (dict(size=0), "size must be between"),
    (dict(size=3, min_size=4), "must not be larger"),
    (dict(min_size=0), "at least 1"),
    (dict(pg_num=0), "pg_num"),
])
def test_inconsistent_settings(desired, message):
    assert message in desired_error(want(**desired))
