# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import pytest

from ansible_collections.eucalyptus.ceph.plugins.module_utils import _cephx_generations as gen
from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_client import CephClientError


def test_generation_one_is_the_plain_id_later_ones_carry_a_suffix():
    assert gen.generation_id("eucalyptus-nc", 1) == "eucalyptus-nc"
    assert gen.generation_id("eucalyptus-nc-nc1", 12) == "eucalyptus-nc-nc1.gen12"


@pytest.mark.parametrize("bad", [0, -1, True, "2", 1.0, None])
def test_a_generation_is_a_positive_integer(bad):
    with pytest.raises(ValueError):
        gen.generation_id("x", bad)


@pytest.mark.parametrize("cephx_id, expected", [
    ("sc", ("sc", 1)), ("sc.gen2", ("sc", 2)), ("eucalyptus-nc-nc1.gen17", ("eucalyptus-nc-nc1", 17)),
    # generation 1 never carries a suffix, so '.gen1' and '.gen02' are part of a plain id
    ("sc.gen1", ("sc.gen1", 1)), ("sc.gen02", ("sc.gen02", 1)), (".gen3", (".gen3", 1)), ("sc.gen2x", ("sc.gen2x", 1)),
])
def test_split_generation(cephx_id, expected):
    assert gen.split_generation(cephx_id) == expected
    base, generation = expected
    if cephx_id != ".gen3":
        assert gen.generation_id(base, generation) == cephx_id


def test_prior_generations_are_exact_names_only():
    entities = ["client.eucalyptus-nc", "client.eucalyptus-nc.gen2", "client.eucalyptus-nc.gen3",
                "client.eucalyptus-nc-nc1", "client.eucalyptus-nc.gen2x", "client.eucalyptus-nc.gen02",
                "client.eucalyptus-ncx", "client.admin", "osd.0"]
    assert gen.prior_generations("eucalyptus-nc", 3, entities) == ["client.eucalyptus-nc", "client.eucalyptus-nc.gen2"]
    assert gen.prior_generations("eucalyptus-nc", 1, entities) == []
    # a per-host user that starts with the shared id is never an earlier generation of it
    assert "client.eucalyptus-nc-nc1" not in gen.prior_generations("eucalyptus-nc", 9, entities)


def test_later_generations():
    entities = ["client.u", "client.u.gen2", "client.u.gen5", "client.u.gen5x", "client.u-h.gen9", "client.uu.gen7"]
    assert gen.later_generations("u", 2, entities) == ["client.u.gen5"]
    assert gen.later_generations("u", 5, entities) == []


class FakeClient:
    def __init__(self, sessions, fail=None):
        self.sessions = sessions      # list of rounds: {mon: [entity names]}
        self.fail = fail
        self.round = -1
        self.asked = []

    def mon_command(self, prefix):
        assert prefix == "mon dump"
        self.round += 1
        return {"mons": [{"name": m} for m in sorted(self.sessions[0])]}

    def mon_tell(self, mon, prefix):
        assert prefix == "sessions"
        self.asked.append(mon)
        if mon == self.fail:
            raise CephClientError("timed out", 110)
        rounds = self.sessions
        index = min(len(self.asked) - 1, len(rounds) * len(rounds[0]) - 1) // len(rounds[0])
        return [{"entity_name": e, "name": "client.?"} for e in rounds[index][mon]]


def test_sessions_are_joined_over_every_monitor_and_every_round():
    client = FakeClient([{"a": ["client.x", "mon.0"], "b": [], "c": ["client.y", "client.y"]},
                         {"a": [], "b": ["client.z"], "c": []}])
    slept = []
    mons, seen = gen.connected_entities(client, samples=2, interval=1.5, sleep=slept.append)
    assert mons == ["a", "b", "c"]
    assert seen == {"client.x": 1, "mon.0": 1, "client.y": 2, "client.z": 1}
    assert slept == [1.5] and client.asked == ["a", "b", "c", "a", "b", "c"]


def test_a_monitor_that_does_not_answer_makes_the_answer_unknown():
    client = FakeClient([{"a": ["client.x"], "b": []}], fail="b")
    with pytest.raises(CephClientError, match="mon.b.*cannot know"):
        gen.connected_entities(client, samples=1, sleep=lambda s: None)
