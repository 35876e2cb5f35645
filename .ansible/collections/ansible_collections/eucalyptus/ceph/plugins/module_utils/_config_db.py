# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The monitors' configuration database (``ceph config dump|set|rm``): read and compare values."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def current_value(dump, who, name):
    """The value of WHO NAME in a ``config dump``, as text; None when it is not set."""
    for entry in dump or []:
        if entry.get("section") == who and entry.get("name") == name:
            return str(entry.get("value"))
    return None


def read(client, who, name):
    return current_value(client.mon_command("config dump"), who, name)


def same_value(stored, wanted):
    """The monitors store numbers in their own form (0.01 comes back as 0.010000, 1024 may
    stay 1024): two values are the same when their text is, or when both are the same number."""
    if stored is None or wanted is None:
        return stored == wanted
    if stored == wanted:
        return True
    try:
        return float(stored) == float(wanted)
    except ValueError:
        return stored.strip().lower() in ("true", "false") and stored.strip().lower() == wanted.strip().lower()


def put(client, who, name, value):
    """Set WHO NAME to VALUE, or remove it when VALUE is None (what "not set" was)."""
    if value is None:
        client.mon_command("config rm", who=who, name=name)
    else:
        client.mon_command("config set", who=who, name=name, value=value)
