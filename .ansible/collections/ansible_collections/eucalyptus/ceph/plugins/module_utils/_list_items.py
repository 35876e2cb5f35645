# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The items of a list-form option (``rbd_pool pools=``, ``cephx_user users=``): each a name or a
dictionary of per-item options, checked against an argument spec as Ansible checks a task's, and
merged over the task's own options."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.errors import UnsupportedError
from ansible.module_utils.six import string_types


def merged_items(option, items, item_spec, task, what, mutually_exclusive=None):
    """``(merged, error)``: each item of ``items`` (a name or a dictionary checked against
    ``item_spec``, which must have a required ``name``) as ``task`` with the item's own non-null
    options over it, or the reason the list is refused (``what`` names an item in messages)."""
    validator = ArgumentSpecValidator(item_spec, mutually_exclusive=mutually_exclusive)
    merged, seen = [], set()
    for index, item in enumerate(items):
        if isinstance(item, string_types):
            item = {"name": item}
        if not isinstance(item, dict):
            return None, "%s[%d]: expected a %s or a dictionary, got %s" % (option, index, what, type(item).__name__)
        checked = validator.validate(item)
        if checked.error_messages:
            return None, "%s[%d]: %s" % (option, index, "; ".join(
                ("unsupported parameters: %s" if isinstance(error, UnsupportedError) else "%s") % error.msg
                for error in checked.errors.errors))
        own = dict((key, value) for key, value in checked.validated_parameters.items() if value is not None)
        if own["name"] in seen:
            return None, "%s is given twice in %s" % (own["name"], option)
        seen.add(own["name"])
        merged.append((dict(task, **own), own))
    if not merged:
        return None, "%s is empty: give at least one" % option
    return merged, None
