#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: ceph_config
short_description: Set or remove an option in the monitors' configuration database
version_added: 0.1.0
description:
  - C(ceph config set WHO NAME VALUE) / C(ceph config rm WHO NAME), idempotent - the current
    value is read from C(ceph config dump) first.
  - Options also present in a daemon's C(ceph.conf) win over the database (Ceph's precedence).
  - After a set, the value is read back - monitors that answer success but keep nothing (or something
    else) make the module fail and say what they hold, rather than report a change.
  - Recovery and backfill limits (C(osd_max_backfills), C(osd_recovery_max_active*), C(osd_recovery_sleep*))
    for the OSDs are refused before any change, also in check mode, when the OSDs run the mClock
    scheduler (the default since Quincy) without C(osd_mclock_override_recovery_settings) - they would
    ignore them, and Tentacle's monitors drop C(osd_recovery_max_active) again. The message says what to
    use instead (C(osd_mclock_profile)).
extends_documentation_fragment:
  - eucalyptus.ceph.attributes
  - eucalyptus.ceph.attributes.actiongroup_ceph
  - eucalyptus.ceph.cluster
attributes:
  check_mode:
    support: full
    details: Reports what would change.
  diff_mode:
    support: full
    details: Shows the value before and after.
  idempotent:
    support: full
options:
  who:
    description: The section, for example V(global), V(mon), V(mgr), V(osd), V(osd.3).
    type: str
    required: true
  name:
    description: The option, for example V(mgr/devicehealth/enable_monitoring).
    type: str
    required: true
  value:
    description: The value, as a string (required with O(state=present)).
    type: str
  state:
    description: V(present) sets the value, V(absent) removes the option from the database.
    type: str
    choices: [present, absent]
    default: present
  force:
    description:
      - Set the option even if the monitors do not know it (C(--force)); needed for manager
        module options before the manager has ever run.
    type: bool
    default: false
author:
  - Eucalyptus Ceph maintainers (@eucalyptus)
"""

EXAMPLES = r"""
- name: No device health monitoring (no SMART data on file-backed OSDs)
  eucalyptus.ceph.ceph_config:
    who: mgr
    name: mgr/devicehealth/enable_monitoring
    value: "false"
    force: true
"""

RETURN = r"""
previous:
  description: The value before, null when the option was not set.
  returned: always
  type: str
held:
  description: What the monitors hold after a set they answered with success but did not keep (null - nothing).
  returned: when the module fails because the value was not kept
  type: str
osd_scheduler:
  description: The OSDs' scheduler (see M(eucalyptus.ceph.ceph_info)) that made the module refuse a recovery limit.
  returned: when a recovery limit is refused under mClock
  type: dict
"""

from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_module import CephModule
from ansible_collections.eucalyptus.ceph.plugins.module_utils._cluster_facts import get_osd_scheduler
from ansible_collections.eucalyptus.ceph.plugins.module_utils._config_db import current_value, same_value
from ansible_collections.eucalyptus.ceph.plugins.module_utils._difference import ABSENT, DifferenceTracker


# Under the mClock scheduler (the default since Quincy) the OSDs keep these to the profile's
# values unless osd_mclock_override_recovery_settings is true, and the value does not even stay
# in the database: Tentacle 20.2.4 keeps `config set osd osd_recovery_max_active 2` for a moment
# and then holds nothing (measured).
MCLOCK_OWNED = ("osd_max_backfills", "osd_recovery_max_active", "osd_recovery_max_active_hdd",
                "osd_recovery_max_active_ssd", "osd_recovery_sleep", "osd_recovery_sleep_hdd",
                "osd_recovery_sleep_ssd", "osd_recovery_sleep_hybrid")


def reaches_osds(who):
    return who in ("global", "osd") or who.startswith("osd.") or who.startswith("osd/")


def refuse_under_mclock(cm):
    """A recovery limit the OSDs would ignore: refused before any change (also in check mode),
    with what to do instead."""
    p = cm.params
    if p["name"] not in MCLOCK_OWNED or not reaches_osds(p["who"]):
        return
    scheduler = get_osd_scheduler(cm.client)
    if scheduler["recovery_limits_apply"]:
        return
    cm.fail("%s %s is ignored by the OSDs under the mClock scheduler (osd_op_queue mclock_scheduler, profile %s) "
            "unless osd_mclock_override_recovery_settings is true, and the monitors do not keep it: throttle "
            "recovery and backfill with osd_mclock_profile (e.g. high_client_ops), or set "
            "osd_mclock_override_recovery_settings=true first. Nothing was changed."
            % (p["who"], p["name"], scheduler["mclock_profile"]), osd_scheduler=scheduler)


def not_kept(cm, before, held):
    """The monitors answered the set with success but do not hold the value: say so, and what
    they hold, instead of reporting a change that did not happen (and again on every run)."""
    p = cm.params
    state = "nothing changed" if same_value(held, before) else "it now holds %s" % held
    cm.fail("the monitors accepted 'config set %s %s %s' but hold %s for it (%s): this Ceph release does not keep "
            "that value there." % (p["who"], p["name"], p["value"], held if held is not None else "no value", state),
            changed=not same_value(held, before), previous=before, held=held)


def run(cm):
    p = cm.params
    if p["state"] == "present" and p["value"] is None:
        cm.fail("value is required with state=present")
    before = current_value(cm.client.mon_command("config dump"), p["who"], p["name"])
    wanted = p["value"] if p["state"] == "present" else None
    setting = DifferenceTracker()
    setting.add("%s %s" % (p["who"], p["name"]), ABSENT if before is None else before,
                ABSENT if wanted is None else wanted, same=same_value)
    changed = setting.changed
    if p["state"] == "present":
        if changed:
            refuse_under_mclock(cm)
        if changed and not cm.check_mode:
            cm.client.mon_command("config set", who=p["who"], name=p["name"], value=p["value"],
                                  force=True if p["force"] else None)
            cm.did("config set %s %s" % (p["who"], p["name"]))
            held = current_value(cm.client.mon_command("config dump"), p["who"], p["name"])
            if not same_value(held, p["value"]):
                not_kept(cm, before, held)
    elif changed and not cm.check_mode:
        cm.client.mon_command("config rm", who=p["who"], name=p["name"])
        cm.did("config rm %s %s" % (p["who"], p["name"]))
    result = dict(changed=changed, previous=before)
    if cm.module._diff:
        result["diff"] = setting.diff_text()
    return result


def main():
    cm = CephModule(
        argument_spec=dict(
            who=dict(type="str", required=True),
            name=dict(type="str", required=True),
            value=dict(type="str"),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            force=dict(type="bool", default=False),
        ),
    )
    cm.run(run)


if __name__ == "__main__":
    main()
