# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What a module run changes, item by item: the source of its ``changed`` and its diff.

A module adds each item it manages with the value found and the value it leaves (or, in check
mode, would leave); ``changed`` and the diff are then computed from the same records, so they
cannot disagree, and check mode reports what a real run does because both build the same
tracker. ``ABSENT`` stands for an item that does not exist on that side (a user not created
yet, a setting removed): it is left out of that side of the diff.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class _Absent(object):
    def __repr__(self):
        return "ABSENT"


ABSENT = _Absent()


def _equal(before, after):
    return before == after


class DifferenceTracker:
    """Ordered (name, before, after) records of one module run."""

    def __init__(self):
        self._items = []

    def add(self, name, before, after, same=None):
        """Record item ``name``. ``same(before, after)`` decides whether the two values are the
        same (default ``==``; e.g. weights equal within a tolerance); ABSENT on one side only is
        always a difference."""
        if before is ABSENT or after is ABSENT:
            differs = (before is ABSENT) != (after is ABSENT)
        else:
            differs = not (same or _equal)(before, after)
        self._items.append((name, before, after, differs))

    @property
    def changed(self):
        return any(differs for _name, _before, _after, differs in self._items)

    def changed_items(self):
        """Names of the items whose value differs, in the order they were added."""
        return [name for name, _before, _after, differs in self._items if differs]

    def before(self):
        return dict((name, b) for name, b, _a, _d in self._items if b is not ABSENT)

    def after(self):
        return dict((name, a) for name, _b, a, _d in self._items if a is not ABSENT)

    def diff(self, key=None):
        """The module's ``diff``; with ``key``, each side is nested under it
        (``{"before": {key: {...}}, ...}``)."""
        before, after = self.before(), self.after()
        if key is not None:
            before, after = {key: before}, {key: after}
        return dict(before=before, after=after)

    def diff_text(self):
        """The diff as text, a ``NAME = VALUE`` line per item present on each side (for settings
        that read best like a configuration file)."""
        def lines(side):
            return "".join("%s = %s\n" % (name, value) for name, value in side.items())
        return dict(before=lines(self.before()), after=lines(self.after()))
