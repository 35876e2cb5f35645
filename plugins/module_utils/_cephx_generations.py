# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Generations of a cephx user, for a key rotation that overlaps: generation 1 is the user's
plain id, generation N > 1 is ``<id>.gen<N>`` with the same caps and a key of its own. Clients
switch to the new generation while the old one keeps working; an old generation is removed
only when no monitor has a session of it and the caller knows of no other use (a guest's disk
that names it)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import time

from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_client import CephClientError

_GENERATION_SUFFIX = re.compile(r"\.gen([1-9][0-9]*)\Z")


def generation_id(base, generation):
    """The cephx id of ``base`` at ``generation`` (1: the base id itself)."""
    if isinstance(generation, bool) or not isinstance(generation, int) or generation < 1:
        raise ValueError("generation must be an integer of 1 or more, got %r" % (generation,))
    return base if generation == 1 else "%s.gen%d" % (base, generation)


def split_generation(cephx_id):
    """``(base, generation)`` of a cephx id: ``("sc", 3)`` for ``sc.gen3``, ``("sc", 1)`` for ``sc``."""
    match = _GENERATION_SUFFIX.search(cephx_id)
    if match and match.start() > 0 and int(match.group(1)) > 1:
        return cephx_id[:match.start()], int(match.group(1))
    return cephx_id, 1


def prior_generations(base, generation, entities):
    """The entities (``client.<id>``) among ``entities`` that are earlier generations of
    ``base``: its plain id and ``<base>.gen<K>`` for 1 < K < generation. Exact names only: a
    user whose id merely starts with ``base`` is never one of them."""
    earlier = set("client.%s" % generation_id(base, k) for k in range(1, generation))
    return sorted(e for e in entities if e in earlier)


def later_generations(base, generation, entities):
    """The entities that are generations of ``base`` after ``generation`` (a rotation further
    on than the one asked for: the caller refuses to go back)."""
    prefix = "client.%s" % base
    found = []
    for entity in entities:
        if entity.startswith(prefix):
            match = _GENERATION_SUFFIX.search(entity[len(prefix):])
            if match and entity[len(prefix):] == match.group(0) and int(match.group(1)) > generation:
                found.append(entity)
    return sorted(found)


def monitor_names(client):
    return [m["name"] for m in client.mon_command("mon dump").get("mons", [])]


def connected_entities(client, samples=2, interval=3.0, sleep=time.sleep):
    """``{entity name: number of sessions}`` over every monitor of the monmap, joined over
    ``samples`` rounds ``interval`` seconds apart (a client that is between two monitors in one
    round shows up in another). Raises CephClientError when a monitor does not answer: then
    nobody can say that an entity is unused."""
    seen = {}
    mons = monitor_names(client)
    for round_no in range(samples):
        if round_no:
            sleep(interval)
        for mon in mons:
            try:
                sessions = client.mon_tell(mon, "sessions") or []
            except CephClientError as exc:
                raise CephClientError("cannot list the sessions of mon.%s, so cannot know who still uses a key: %s"
                                      % (mon, exc), exc.errno)
            counted = {}
            for session in sessions:
                name = session.get("entity_name") or ""
                if name:
                    counted[name] = counted.get(name, 0) + 1
            for name, count in counted.items():
                seen[name] = max(seen.get(name, 0), count)
    return mons, seen
