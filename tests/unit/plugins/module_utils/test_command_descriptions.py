"""The collection's monitor-command table against what each Ceph release says it accepts.

The fixtures are the ``get_command_descriptions`` answers of real monitors of Debian's
ceph 16.2.15 (Pacific, bookworm), 18.2.7 (Reef, trixie) and 20.2.4 (Tentacle, forky),
captured 2026-12-01. Every command this collection sends must be accepted, with the
types this collection sends, by every release we claim.
"""
import glob
import json
import os

import pytest

from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_client import (
    MON_COMMANDS, MON_COMMANDS_SINCE, MON_REQUIRED, build_mon_command)
from ansible_collections.eucalyptus.ceph.plugins.module_utils._command_descriptions import (
    CommandDescriptions,
    CommandRefused,
)

FIXTURES = sorted(glob.glob(os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "command_descriptions", "*.json")))
RELEASES = dict((os.path.basename(f)[:-5], f) for f in FIXTURES)

# a plausible value for each argument, of the type this collection sends
SAMPLES = {
    "pool": "eucavolumes", "pool2": "eucavolumes", "var": "size", "val": "3", "app": "rbd", "id": 3,
    "uuid": "5b7c2a6e-3f1d-4c8e-9a0b-1e2f3a4b5c6d", "key": "noout", "name": "osd.1", "weight": 0.5,
    "ids": ["1", "2"], "root": "default", "type": "host", "class": "hdd", "ancestor": "default",
    "who": "mon", "value": "true", "entity": "client.eucalyptus", "caps": ["mon", "profile rbd"],
    "pg_num": 32, "pgp_num": 32, "pool_type": "replicated", "autoscale_mode": "on", "size": 3,
    "detail": "detail", "yes_i_really_mean_it": True, "yes_i_really_really_mean_it": True, "force": True,
}


ORDER = ["pacific", "quincy", "reef", "squid", "tentacle"]


def descriptions(release):
    with open(RELEASES[release]) as f:
        return CommandDescriptions(json.load(f))


def sample_command(prefix, names):
    command = json.loads(build_mon_command(prefix, **dict((n, SAMPLES[n]) for n in names)))
    return command


def test_fixtures_of_three_releases():
    assert sorted(RELEASES) == ["pacific-16.2.15", "reef-18.2.7", "tentacle-20.2.4"]


@pytest.mark.parametrize("release", sorted(RELEASES))
@pytest.mark.parametrize("prefix", sorted(MON_COMMANDS))
def test_every_command_we_send_is_accepted_by_every_release(release, prefix):
    d = descriptions(release)
    if prefix in MON_COMMANDS_SINCE and ORDER.index(release.split("-")[0]) < ORDER.index(MON_COMMANDS_SINCE[prefix]):
        # a release-gated command: the releases before must not offer it (else the gate is stale)
        assert prefix not in d, "%s offers %r: MON_COMMANDS_SINCE is out of date" % (release, prefix)
        return
    assert prefix in d, "%s does not offer %r" % (release, prefix)
    required = MON_REQUIRED.get(prefix, ())
    d.check(sample_command(prefix, required))  # the minimal command
    names = [n for n in MON_COMMANDS[prefix] if n in SAMPLES and n != "format"]
    if prefix == "config set":
        names = [n for n in names if n != "force"] + ["force"]
    d.check(sample_command(prefix, names))     # every argument we may send


@pytest.mark.parametrize("release", sorted(RELEASES))
@pytest.mark.parametrize("command, reason", [
    ({"prefix": "osd last-stat-seq", "id": "3"}, "must be an integer"),
    ({"prefix": "osd pool create", "pool": "p", "pg_num": -1}, "in the range"),
    ({"prefix": "osd pool create", "pool": "p", "pool_type": "mirrored"}, "one of replicated, erasure"),
    ({"prefix": "osd set", "key": "no-such-flag"}, "must be one of"),
    ({"prefix": "osd pool get", "pool": "p", "var": "colour"}, "must be one of"),
    ({"prefix": "osd crush reweight", "name": "osd.1", "weight": "1"}, "must be a number"),
    ({"prefix": "osd crush reweight", "name": "osd.1", "weight": -1.0}, "in the range"),
    ({"prefix": "osd pool set", "pool": "p", "var": "size", "val": "3", "yes_i_really_mean_it": "yes"},
     "must be a boolean"),
    ({"prefix": "auth caps", "entity": "client.x", "caps": "mon allow r"}, "must be a list"),
    ({"prefix": "auth caps", "entity": "client.x"}, "needs argument 'caps'"),
    ({"prefix": "osd new", "id": 3}, "needs argument 'uuid'"),
    ({"prefix": "osd purge", "id": -1, "yes_i_really_mean_it": True}, "an OSD id"),
    ({"prefix": "osd destroy-everything"}, "do not offer"),
    ({"prefix": "status", "colour": "red"}, "has no argument 'colour'"),
])
def test_what_no_release_accepts_is_refused(release, command, reason):
    with pytest.raises(CommandRefused, match=reason):
        descriptions(release).check(command)


def test_key_type_is_an_argument_of_tentacle_only():
    """Tentacle added key_type to auth get-or-create: sending it to an older release is refused."""
    command = {"prefix": "auth get-or-create", "entity": "client.x", "caps": ["mon", "allow r"], "key_type": "aes"}
    descriptions("tentacle-20.2.4").check(command)
    for release in ("pacific-16.2.15", "reef-18.2.7"):
        with pytest.raises(CommandRefused, match="has no argument 'key_type'"):
            descriptions(release).check(command)


def test_pacific_req_spellings_are_read_as_the_cli_reads_them():
    """Pacific's 'osd pool application get' says req=fasle: optional, as for the CLI."""
    d = descriptions("pacific-16.2.15")
    d.check({"prefix": "osd pool application get", "pool": "p"})
    d.check({"prefix": "osd pool application get"})


def test_goodchars_are_enforced():
    d = descriptions("pacific-16.2.15")
    with pytest.raises(CommandRefused, match="characters"):
        d.check({"prefix": "osd pool create", "pool": "p", "erasure_code_profile": "bad profile!"})
    d.check({"prefix": "osd pool create", "pool": "p", "erasure_code_profile": "good-profile_1.x"})


def test_a_prefix_with_several_signatures_accepts_any():
    d = CommandDescriptions({
        "a": {"sig": ["thing", "set", {"name": "n", "type": "CephInt"}]},
        "b": {"sig": ["thing", "set", {"name": "s", "type": "CephString"}]},
    })
    d.check({"prefix": "thing set", "n": 1})
    d.check({"prefix": "thing set", "s": "x"})
    with pytest.raises(CommandRefused, match="; or it"):
        d.check({"prefix": "thing set", "n": "x"})
