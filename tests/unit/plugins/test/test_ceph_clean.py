"""The ceph_clean test plugin: the expansion's health gate over a ceph_info result."""

from ansible_collections.eucalyptus.ceph.plugins.test.ceph_clean import ceph_clean


def result(status="HEALTH_OK", checks=None, all_up_in=True, total=3, clean=True):
    return {
        "health": {"status": status, "ok": status == "HEALTH_OK", "checks": checks or {}},
        "osds": {"total": total, "all_up_in": all_up_in},
        "pgs": {"all_active_clean": clean},
    }


def test_clean_cluster():
    assert ceph_clean(result())


def test_warnings_only_when_allowed():
    warn = result("HEALTH_WARN", {"OSDMAP_FLAGS": {"severity": "HEALTH_WARN"}})
    assert not ceph_clean(warn)
    assert ceph_clean(warn, ["OSDMAP_FLAGS"])
    both = result("HEALTH_WARN", {"OSDMAP_FLAGS": {}, "PG_DEGRADED": {}})
    assert not ceph_clean(both, ["OSDMAP_FLAGS"])


def test_not_clean():
    assert not ceph_clean(result(clean=False))
    assert not ceph_clean(result(all_up_in=False))
    assert not ceph_clean(result(total=0))
    assert not ceph_clean({"failed": True, "msg": "timeout"})
    assert not ceph_clean(None)


def test_ignored_osds_of_a_host_being_retired():
    r = result("HEALTH_WARN", {"OSD_DOWN": {}}, all_up_in=False)
    r["osds"]["osds"] = [{"id": 0, "up": True, "in": True}, {"id": 5, "up": False, "in": False}]
    assert not ceph_clean(r)
    assert ceph_clean(r, [], [5])
    assert not ceph_clean(r, [], [0])


def test_an_osd_that_never_started_does_not_count_next_to_ignored_ones():
    """While a host is retired, an OSD left registered but never booted by a killed creation
    (parse_osds: never_started) holds no data: it counts neither way."""
    r = result("HEALTH_WARN", {"OSD_DOWN": {}}, all_up_in=False)
    r["osds"]["osds"] = [{"id": 0, "up": True, "in": True, "never_started": False},
                         {"id": 5, "up": False, "in": False, "never_started": False},
                         {"id": 6, "up": False, "in": True, "never_started": True}]
    assert ceph_clean(r, [], [5])
    r["osds"]["osds"][2]["never_started"] = False
    assert not ceph_clean(r, [], [5])
