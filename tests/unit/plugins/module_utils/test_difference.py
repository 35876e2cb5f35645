"""The difference tracker: changed and diff come from the same records."""

from ansible_collections.eucalyptus.ceph.plugins.module_utils._difference import ABSENT, DifferenceTracker


def test_no_item_differs_means_unchanged_and_equal_sides():
    t = DifferenceTracker()
    t.add("a", 1, 1)
    t.add("b", [1, 2], [1, 2])
    assert not t.changed and t.changed_items() == []
    assert t.diff() == {"before": {"a": 1, "b": [1, 2]}, "after": {"a": 1, "b": [1, 2]}}


def test_one_differing_item_changes_the_run_and_is_named():
    t = DifferenceTracker()
    t.add("osd.0", 0.5, 0.5)
    t.add("osd.1", 0.0, 0.25)
    assert t.changed and t.changed_items() == ["osd.1"]
    assert t.after() == {"osd.0": 0.5, "osd.1": 0.25}


def test_a_tolerance_decides_what_is_the_same():
    t = DifferenceTracker()
    t.add("osd.0", 0.04880, 0.04881, same=lambda a, b: abs(a - b) < 1e-4)
    assert not t.changed


def test_absent_sides_are_left_out_and_count_as_a_change():
    created = DifferenceTracker()
    created.add("entity", ABSENT, "client.sc")
    assert created.changed and created.diff() == {"before": {}, "after": {"entity": "client.sc"}}
    removed = DifferenceTracker()
    removed.add("entity", "client.sc", ABSENT)
    assert removed.changed and removed.diff(key="user") == {"before": {"user": {"entity": "client.sc"}}, "after": {"user": {}}}
    nothing = DifferenceTracker()
    nothing.add("entity", ABSENT, ABSENT)
    assert not nothing.changed


def test_the_text_diff_has_a_line_per_item_present_on_each_side():
    t = DifferenceTracker()
    t.add("osd osd_max_scrubs", ABSENT, "3")
    t.add("global mon_warn_on_pool_no_redundancy", "true", "false")
    assert t.diff_text() == {"before": "global mon_warn_on_pool_no_redundancy = true\n",
                             "after": "osd osd_max_scrubs = 3\nglobal mon_warn_on_pool_no_redundancy = false\n"}
    assert DifferenceTracker().diff_text() == {"before": "", "after": ""}
