# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""eucalyptus.ceph.euca_property against the project's fake euctl (tests/fakes/euctl), run
the way an operator runs it (ansible-playbook, json callback): set, idempotence, check mode,
diff, update, unknown names and zones, and the block storage manager ordering rule.

Needs no Ceph. The fake keeps its state in a private JSON file per test (EUCTL_FAKE_STATE),
set by a small wrapper that is what the module runs as euctl_path.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FAKE = REPO / "tests" / "fakes" / "euctl"
ZONE = "one"
P = f"{ZONE}.storage."
BSM = P + "blockstoragemanager"
SC_PROPERTIES = {
    P + "cephuser": "eucalyptus-sc",
    P + "cephkeyringfile": "/etc/ceph/ceph.client.eucalyptus-sc.keyring",
    P + "cephconfigfile": "/etc/ceph/ceph.conf",
    P + "cephvolumepools": ["eucavolumes", "morevolumes"],
    P + "cephsnapshotpools": ["eucasnapshots"],
}


class FakeEuctl:
    """A private install of the fake: ``path`` is what euctl_path gets."""

    def __init__(self, root: Path):
        self.root = root
        self.state = root / "state" / "properties.json"
        self.zones = root / "fake-zones"
        self.zones.write_text(f"{ZONE}\ntwo\n")
        real = root / "euctl.fake"
        shutil.copy(FAKE, real)
        self.path = root / "euctl"
        self.path.write_text(
            "#!/bin/sh\n"
            f"EUCTL_FAKE_STATE='{self.state}' EUCTL_FAKE_ZONES='{self.zones}' "
            f"exec /usr/bin/python3 '{real}' \"$@\"\n")
        self.path.chmod(0o755)

    def store(self) -> dict:
        return json.loads(self.state.read_text()) if self.state.exists() else {}

    def mtime(self):
        return self.state.stat().st_mtime_ns if self.state.exists() else None


@pytest.fixture
def euctl(tmp_path):
    if not FAKE.exists():
        pytest.skip(f"{FAKE} is missing")
    root = tmp_path / "euctl"
    root.mkdir()
    return FakeEuctl(root)


def prop(run_module, euctl, check=False, diff=False, **args):
    return run_module("euca_property", {"euctl_path": str(euctl.path), **args}, check=check, diff=diff)


def expected_text(value):
    return ",".join(value) if isinstance(value, list) else value


def test_read_a_default(run_module, euctl):
    r = prop(run_module, euctl, name=BSM)
    assert not r.failed, r.msg
    assert not r.changed
    assert r.result["value"] == "unset"
    assert r.result["properties"] == {BSM: "unset"}
    assert euctl.store() == {}


def test_set_rerun_check_update(run_module, euctl):
    # first run: the block storage manager (given LAST) is written first, then the rest
    args = dict(properties={**SC_PROPERTIES, BSM: "ceph-rbd"})
    r = prop(run_module, euctl, diff=True, **args)
    assert not r.failed, r.msg
    assert r.changed
    assert r.result["changed_properties"][0] == BSM
    # cephconfigfile already has the wanted (default) value: not written
    assert set(r.result["changed_properties"]) == set(SC_PROPERTIES) - {P + "cephconfigfile"} | {BSM}
    want = {name: expected_text(v) for name, v in SC_PROPERTIES.items()}
    assert r.result["properties"] == {**want, BSM: "ceph-rbd"}
    del want[P + "cephconfigfile"]
    assert euctl.store() == {**want, BSM: "ceph-rbd"}
    assert r.result["diff"]["before"][BSM] == "unset"
    assert r.result["diff"]["after"][P + "cephvolumepools"] == "eucavolumes,morevolumes"

    # second run: nothing written
    before = euctl.mtime()
    r = prop(run_module, euctl, **args)
    assert not r.failed, r.msg
    assert not r.changed
    assert r.result["changed_properties"] == []
    assert euctl.mtime() == before

    # check mode with the same values: no change
    r = prop(run_module, euctl, check=True, **args)
    assert not r.failed and not r.changed
    assert euctl.mtime() == before

    # check mode with a new value: reported, not written
    update = {P + "cephsnapshotpools": "eucasnapshots,moresnapshots", P + "cephuser": "eucalyptus-sc"}
    r = prop(run_module, euctl, check=True, diff=True, properties=update)
    assert not r.failed, r.msg
    assert r.changed
    assert r.result["changed_properties"] == [P + "cephsnapshotpools"]
    assert r.result["diff"]["before"][P + "cephsnapshotpools"] == "eucasnapshots"
    assert r.result["diff"]["after"][P + "cephsnapshotpools"] == "eucasnapshots,moresnapshots"
    assert euctl.mtime() == before

    # the update for real: only the changed property is written
    r = prop(run_module, euctl, properties=update)
    assert not r.failed, r.msg
    assert r.changed and r.result["changed_properties"] == [P + "cephsnapshotpools"]
    assert euctl.store()[P + "cephsnapshotpools"] == "eucasnapshots,moresnapshots"

    # single-name form, typed values: booleans and numbers as euctl prints them
    r = prop(run_module, euctl, name=P + "shouldtransfersnapshots", value=False)
    assert not r.failed and r.changed and r.result["value"] == "false"
    r = prop(run_module, euctl, name=P + "maxsnapshotdeltas", value=5)
    assert not r.failed and r.changed and r.result["value"] == "5"
    r = prop(run_module, euctl, properties={P + "shouldtransfersnapshots": False, P + "maxsnapshotdeltas": 5})
    assert not r.failed and not r.changed


def test_unknown_property_fails_clearly(run_module, euctl):
    r = prop(run_module, euctl, name=P + "cephusr", value="x")
    assert r.failed
    assert P + "cephusr" in r.msg and "property not found" in r.msg
    r = prop(run_module, euctl, name=P + "cephusr")
    assert r.failed and "property not found" in r.msg
    assert euctl.store() == {}


def test_unknown_zone_fails_clearly(run_module, euctl):
    r = prop(run_module, euctl, properties={"nowhere.storage.blockstoragemanager": "ceph-rbd"})
    assert r.failed
    assert "zone not found: nowhere" in r.msg
    assert "registered Storage Controller" in r.msg
    r = prop(run_module, euctl, name="nowhere.storage.cephuser", value="x")
    assert r.failed and "nowhere" in r.msg
    assert euctl.store() == {}


def test_ceph_properties_refused_before_ceph_rbd(run_module, euctl):
    # the module refuses before writing anything, naming the property to set first
    r = prop(run_module, euctl, properties={P + "cephuser": "sc", P + "cephvolumepools": "v"})
    assert r.failed
    assert "refusing to set %scephuser" % P in r.msg
    assert f"{BSM}=ceph-rbd first" in r.msg
    assert euctl.store() == {}
    # check mode refuses too: it would fail for real
    r = prop(run_module, euctl, check=True, name=P + "cephuser", value="sc")
    assert r.failed and "refusing" in r.msg
    # without the module's guard, euctl itself refuses (the SC is BROKEN) and its message is kept
    r = prop(run_module, euctl, name=P + "cephuser", value="sc", require_ceph_rbd=False)
    assert r.failed
    assert "BROKEN" in r.msg and "exit status 1" in r.msg
    assert euctl.store() == {}
    # another zone's block storage manager does not count
    r = prop(run_module, euctl, properties={"two.storage.blockstoragemanager": "ceph-rbd", P + "cephuser": "sc"})
    assert r.failed and "refusing to set %scephuser" % P in r.msg
    assert euctl.store() == {}
    # check mode on a fresh cloud with the manager in the same task: everything would change
    r = prop(run_module, euctl, check=True, properties={P + "cephuser": "sc", BSM: "ceph-rbd"})
    assert not r.failed, r.msg
    assert r.changed and r.result["changed_properties"] == [BSM, P + "cephuser"]
    assert euctl.store() == {}
    # in order (separate tasks) it works
    assert prop(run_module, euctl, name=BSM, value="ceph-rbd").changed
    r = prop(run_module, euctl, name=P + "cephuser", value="sc")
    assert not r.failed and r.changed
    assert euctl.store() == {BSM: "ceph-rbd", P + "cephuser": "sc"}


def test_values_euctl_cannot_set_are_refused(run_module, euctl):
    prop(run_module, euctl, name=BSM, value="ceph-rbd")
    for value, words in (("@/etc/shadow", "starts with '@'"), (" sc", "white space"), ("a\nb", "line break")):
        r = prop(run_module, euctl, name=P + "cephuser", value=value)
        assert r.failed and words in r.msg, r.msg
    r = prop(run_module, euctl, name=P + "cephuser", value={"a": 1})
    assert r.failed and "not dict" in r.msg
    r = prop(run_module, euctl, name="cephuser")
    assert r.failed and "invalid property name" in r.msg
    assert euctl.store() == {BSM: "ceph-rbd"}


def test_euctl_errors_on_set_are_reported(run_module, euctl):
    prop(run_module, euctl, name=BSM, value="ceph-rbd")
    r = prop(run_module, euctl, name=P + "maxsnapshotdeltas", value="many")
    assert r.failed
    assert "invalid value" in r.msg and "exit status 1" in r.msg


def test_missing_euctl(run_module, euctl, tmp_path):
    r = run_module("euca_property", {"name": BSM, "euctl_path": str(tmp_path / "nothing" / "euctl")})
    assert r.failed and "euctl not found" in r.msg and "euctl_path" in r.msg
    # the default path, absent here, falls back to PATH and says so when euctl is nowhere
    if shutil.which("euctl") is None and not os.path.exists("/usr/sbin/euctl"):
        r = run_module("euca_property", {"name": BSM})
        assert r.failed and "not on PATH" in r.msg


@pytest.mark.skip_allowed_in_ci
def test_euctl_on_path_is_found(run_module, euctl):
    env_path = f"{euctl.root}:{os.environ.get('PATH', '/usr/bin:/bin')}"
    if os.path.exists("/usr/sbin/euctl"):
        pytest.skip("/usr/sbin/euctl exists here: the default path wins")
    r = run_module("euca_property", {"name": BSM}, extra_env={"PATH": env_path})
    assert not r.failed, r.msg
    assert r.result["value"] == "unset"


def test_argument_rules(run_module, euctl):
    r = prop(run_module, euctl, name=BSM, properties={BSM: "ceph-rbd"})
    assert r.failed and "mutually exclusive" in r.msg
    r = prop(run_module, euctl)
    assert r.failed and "one of the following is required" in r.msg
    r = prop(run_module, euctl, properties={})
    assert r.failed and "at least one property" in r.msg


def test_fake_wrapper_is_private(euctl):
    # the wrapper and the store stay in the test's directory
    assert stat.S_IMODE(euctl.path.stat().st_mode) == 0o755
    assert str(euctl.state).startswith(str(euctl.root))


REALISTIC = r'''#!/usr/bin/python3
# Closer to a real cloud than the project's fake: the ceph-rbd properties of a zone do not
# exist before its block storage manager is ceph-rbd (euctl then prints NO line, exit 0), and
# right after the switch the first DELAY writes fail while the SC registers them.
import json, os, sys
STATE, COUNTER, FAKE, DELAY = sys.argv[1:5]
args = sys.argv[5:]
store = json.load(open(STATE)) if os.path.exists(STATE) else {}
ceph_rbd = store.get("one.storage.blockstoragemanager") == "ceph-rbd"
if len(args) == 1 and ".storage.ceph" in args[0]:
    if not ceph_rbd:
        sys.exit(0)
    if "=" in args[0]:
        n = int(open(COUNTER).read()) if os.path.exists(COUNTER) else 0
        if n < int(DELAY):
            open(COUNTER, "w").write(str(n + 1))
            sys.stderr.write("error: property not found: %s\n" % args[0].split("=")[0])
            sys.exit(1)
os.execv("/usr/bin/python3", ["/usr/bin/python3", FAKE] + args)
'''


def realistic(euctl, delay):
    script = euctl.root / "realistic.py"
    script.write_text(REALISTIC)
    path = euctl.root / f"euctl-realistic-{delay}"
    path.write_text(
        "#!/bin/sh\n"
        f"EUCTL_FAKE_STATE='{euctl.state}' EUCTL_FAKE_ZONES='{euctl.zones}' exec /usr/bin/python3 '{script}' "
        f"'{euctl.state}' '{euctl.root / 'counter'}' '{euctl.root / 'euctl.fake'}' {delay} \"$@\"\n")
    path.chmod(0o755)
    return path


def test_ceph_properties_appear_after_the_switch(run_module, euctl):
    path = realistic(euctl, delay=2)
    args = {"euctl_path": str(path), "wait_timeout": 60,
            "properties": {BSM: "ceph-rbd", P + "cephuser": "sc", P + "cephvolumepools": ["v1", "v2"]}}
    # before the switch euctl prints nothing for the ceph properties: a read alone fails clearly
    r = run_module("euca_property", {"euctl_path": str(path), "name": P + "cephuser"})
    assert r.failed and "printed no line" in r.msg and "exist only once" in r.msg and "'unset'" in r.msg
    # check mode: all would change, nothing is written
    r = run_module("euca_property", args, check=True)
    assert not r.failed, r.msg
    assert r.changed and len(r.result["changed_properties"]) == 3
    assert euctl.store() == {}
    # for real: the manager, then the ceph properties once they are registered
    r = run_module("euca_property", args)
    assert not r.failed, r.msg
    assert r.result["changed_properties"] == [BSM, P + "cephuser", P + "cephvolumepools"]
    assert euctl.store() == {BSM: "ceph-rbd", P + "cephuser": "sc", P + "cephvolumepools": "v1,v2"}
    r = run_module("euca_property", args)
    assert not r.failed and not r.changed


def test_no_wait_after_the_switch_fails_clearly(run_module, euctl):
    path = realistic(euctl, delay=100)
    r = run_module("euca_property", {"euctl_path": str(path), "wait_timeout": 0,
                                     "properties": {BSM: "ceph-rbd", P + "cephuser": "sc"}})
    assert r.failed
    assert "property not found: %scephuser" % P in r.msg and "out of the BROKEN state" in r.msg
    # what was written before the failure is reported
    assert r.changed and r.result["changed_properties"] == [BSM]
    # the manager was switched; the property is left for the next run
    assert euctl.store() == {BSM: "ceph-rbd"}
