#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: cephx_user_generations
short_description: Retire the earlier generations of cephx users once nothing uses them
version_added: 0.1.0
description:
  - A key rotation that overlaps, for clients that keep their key in memory (a running guest's
    qemu holds the key its volume was opened with). Generation 1 of a user is its plain id;
    generation N is C(<id>.gen<N>), a second user with the same caps and a key of its own
    (created by M(eucalyptus.ceph.cephx_user)). Clients switch to the new generation while the
    old one keeps working, and this module removes the old generations once nothing uses them.
  - An earlier generation is in use when any monitor of the monmap has a session of it (every
    monitor is asked, O(session_samples) times, O(session_interval) seconds apart, so that a client between
    two monitors shows up in another round), or when it is in O(in_use) (what the caller knows,
    for example the users named in the guests' disk definitions on the hypervisors, which a
    stopped guest still carries). Such a generation is kept and reported, never removed.
  - Refuses before any change when the current generation of a user does not exist (removing the
    earlier ones would leave the clients nothing), when a later generation than O(generation)
    exists (going back is no rotation), or when a monitor does not answer its session list (then
    nobody can say that a key is unused).
extends_documentation_fragment:
  - eucalyptus.ceph.attributes
  - eucalyptus.ceph.attributes.actiongroup_ceph
  - eucalyptus.ceph.cluster
attributes:
  check_mode:
    support: full
    details: Reads the users and the monitors' sessions and reports what would be retired and what kept.
  diff_mode:
    support: full
    details: The earlier generations before and after.
  idempotent:
    support: full
options:
  users:
    description:
      - The cephx ids of generation 1, without the C(client.) prefix (for example V(eucalyptus-nc)
        or the per-host V(eucalyptus-nc-nc1)).
    type: list
    elements: str
    required: true
  generation:
    description: The current generation of every user in O(users); the earlier ones are retired.
    type: int
    required: true
  in_use:
    description:
      - cephx ids (without C(client.)) that the caller knows to be in use; their users are kept
        whatever the monitors say.
    type: list
    elements: str
    default: []
  session_samples:
    description: How many times every monitor is asked for its sessions.
    type: int
    default: 2
  session_interval:
    description: Seconds between two rounds of O(session_samples).
    type: float
    default: 3.0
notes:
  - A session list is a snapshot. A client that is started with an old generation's keyring after
    the check, or one that is disconnected from every monitor for longer than the rounds take, is
    not seen. Switch the clients first, so that nothing starts with an old generation any more.
  - The monitors' C(sessions) command needs a user that may run it (client.admin does).
seealso:
  - module: eucalyptus.ceph.cephx_user
  - module: eucalyptus.ceph.cephx_key_rotation
author:
  - Eucalyptus Ceph maintainers (@eucalyptus)
"""

EXAMPLES = r"""
- name: Retire the NC users before generation 3 that no monitor session and no guest disk uses
  eucalyptus.ceph.cephx_user_generations:
    users: [eucalyptus-nc]
    generation: 3
    in_use: "{{ guest_disk_users }}"
  register: retired

- name: The plan only
  eucalyptus.ceph.cephx_user_generations:
    users: [eucalyptus-nc-nc1, eucalyptus-nc-nc2]
    generation: 2
  check_mode: true
"""

RETURN = r"""
current:
  description: The entities of the current generation.
  returned: always
  type: list
  elements: str
  sample: [client.eucalyptus-nc.gen2]
retired:
  description: The earlier generations removed (in check mode, that would be removed).
  returned: always
  type: list
  elements: str
  sample: [client.eucalyptus-nc]
kept:
  description: The earlier generations kept, each with why.
  returned: always
  type: list
  elements: dict
  sample: [{entity: client.eucalyptus-nc, reason: "2 session(s) on the monitors"}]
monitors:
  description: The monitors whose sessions were read.
  returned: always
  type: list
  elements: str
  sample: [a, b, c]
"""

from ansible_collections.eucalyptus.ceph.plugins.module_utils import _cephx_generations as generations
from ansible_collections.eucalyptus.ceph.plugins.module_utils import _cephx_users as users_api
from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_client import CephClientError
from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_module import CephModule
from ansible_collections.eucalyptus.ceph.plugins.module_utils._difference import DifferenceTracker
from ansible_collections.eucalyptus.ceph.plugins.module_utils._names import client_id_error


def _entities(client, wanted):
    """The entities among ``wanted`` that exist (one ``auth ls``, or one ``auth get`` each)."""
    listing = users_api.all_users(client)
    if listing is not None:
        return set(e for e in wanted if e in listing), set(listing)
    return set(e for e in wanted if users_api.get_user(client, e) is not None), None


def run(cm):
    p = cm.params
    generation = p["generation"]
    current = ["client.%s" % generations.generation_id(u, generation) for u in p["users"]]
    candidates = set(current)
    for user in p["users"]:
        candidates.update("client.%s" % generations.generation_id(user, k) for k in range(1, generation))
    existing, listing = _entities(cm.client, sorted(candidates))
    missing = [e for e in current if e not in existing]
    if missing:
        cm.fail("the current generation does not exist: %s. Switch the clients to it first (the earlier "
                "generations are all they have); nothing was removed" % ", ".join(missing))
    if listing is not None:
        later = [e for u in p["users"] for e in generations.later_generations(u, generation, listing)]
        if later:
            cm.fail("a later generation than %d exists: %s. Rotating back would hand the clients an older "
                    "user; set the generation to the latest; nothing was removed" % (generation, ", ".join(later)))
    prior = []
    for user in p["users"]:
        prior.extend(generations.prior_generations(user, generation, existing))
    mons, sessions = [], {}
    if prior:
        try:
            mons, sessions = generations.connected_entities(cm.client, samples=p["session_samples"],
                                                            interval=p["session_interval"])
        except CephClientError as exc:
            cm.fail("%s; nothing was removed" % exc)
    in_use = set("client.%s" % u for u in p["in_use"])
    retired, kept = [], []
    for entity in prior:
        reasons = []
        if sessions.get(entity):
            reasons.append("%d session(s) on the monitors" % sessions[entity])
        if entity in in_use:
            reasons.append("in use by the caller's clients (in_use)")
        if reasons:
            kept.append(dict(entity=entity, reason="; ".join(reasons)))
            continue
        if not cm.check_mode:
            users_api.remove(cm.client, entity)
            cm.did("remove %s" % entity)
        retired.append(entity)
    tracker = DifferenceTracker()
    tracker.add("earlier_generations", prior, sorted(k["entity"] for k in kept))
    result = dict(changed=bool(retired), current=current, retired=retired, kept=kept, monitors=mons)
    if cm.module._diff:
        result["diff"] = tracker.diff()
    return result


def main():
    cm = CephModule(
        argument_spec=dict(
            users=dict(type="list", elements="str", required=True),
            generation=dict(type="int", required=True),
            in_use=dict(type="list", elements="str", default=[]),
            session_samples=dict(type="int", default=2),
            session_interval=dict(type="float", default=3.0),
        ),
    )
    p = cm.params
    errors = [client_id_error(u) for u in p["users"] + p["in_use"]]
    if not p["users"]:
        errors.append("users must name at least one cephx id")
    if p["generation"] < 1:
        errors.append("generation must be 1 or more, got %d" % p["generation"])
    if p["session_samples"] < 1:
        errors.append("session_samples must be 1 or more, got %d" % p["session_samples"])
    if not 0 <= p["session_interval"] <= 60:
        errors.append("session_interval must be between 0 and 60 seconds, got %s" % p["session_interval"])
    errors = [e for e in errors if e]
    if errors:
        cm.fail("; ".join(errors))
    cm.run(run)


if __name__ == "__main__":
    main()
