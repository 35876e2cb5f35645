import pytest

from ansible_collections.eucalyptus.ceph.plugins.module_utils._rbd_pools import desired_error, plan

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


class _RunningConfig:
    """The monitors' running configuration as the manager answers `config show`."""

    def __init__(self, options, refuse=False):
        self.options, self.refuse, self.asked = options, refuse, []

    def mon_command(self, prefix, **args):
        assert prefix == "mon dump"
        return {"mons": [{"name": "a"}]}

    def mgr_command(self, prefix, **args):
        from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_client import CephClientError
        assert prefix == "config show" and args["who"] == "mon.a"
        self.asked.append(args["key"])
        if self.refuse:
            raise CephClientError("config show: access denied", 13)
        return "%s\n" % self.options[args["key"]]


DEFAULTS = {"osd_pool_default_size": 3, "osd_pool_default_min_size": 0,
            "osd_pool_default_pg_num": 32, "osd_pool_default_pg_autoscale_mode": "on"}


@pytest.mark.parametrize("size, default_min, expected", [(3, 0, 2), (2, 0, 1), (1, 0, 1), (4, 0, 2),
                                                         (3, 2, 2), (1, 2, 1), (5, 3, 3)])
def test_min_size_follows_cephs_rule(size, default_min, expected):
    from ansible_collections.eucalyptus.ceph.plugins.module_utils._rbd_pools import created_settings
    client = _RunningConfig(dict(DEFAULTS, osd_pool_default_min_size=default_min))
    settings, unknown = created_settings(client, want(size=size))
    assert settings["min_size"] == expected and unknown == []


def test_defaults_come_from_the_running_configuration_and_wanted_values_win():
    from ansible_collections.eucalyptus.ceph.plugins.module_utils._rbd_pools import created_settings
    client = _RunningConfig(DEFAULTS)
    # with the autoscaler on, pg_num is the autoscaler's: not promised
    assert created_settings(client, want()) == (
        {"size": 3, "min_size": 2, "pg_num": None, "pg_autoscale_mode": "on"}, [])
    assert created_settings(_RunningConfig(dict(DEFAULTS, osd_pool_default_pg_autoscale_mode="off")), want())[0][
        "pg_num"] == 32
    client = _RunningConfig(DEFAULTS)
    settings = created_settings(client, want(size=2, pg_num=8, pg_autoscale_mode="off"))[0]
    assert settings == {"size": 2, "min_size": 1, "pg_num": 8, "pg_autoscale_mode": "off"}
    assert client.asked == ["osd_pool_default_min_size"]


def test_unreadable_configuration_is_reported_unknown_not_guessed():
    from ansible_collections.eucalyptus.ceph.plugins.module_utils._rbd_pools import created_settings
    settings, unknown = created_settings(_RunningConfig(DEFAULTS, refuse=True), want(size=2))
    assert settings == {"size": 2, "min_size": None, "pg_num": None, "pg_autoscale_mode": None}
    assert unknown == ["min_size", "pg_autoscale_mode", "pg_num"]
