# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Per-host NC users (ebs_nc_per_host_users) and playbooks/revoke.yml, on a real cluster and
a real libvirtd: the node_controller role gives this host client.<prefix>-<host> with the NC
profile (and no shared user), wires keyring, secret and eucalyptus.conf to it; revoke.yml
removes exactly that user and wipes the host's keyring and secret, and leaves another NC's
user alone; it refuses without a named host, and for a shared user."""

from __future__ import annotations

import json
import subprocess
import uuid as uuidlib
from dataclasses import dataclass
from pathlib import Path

import pytest

import libvirtd as libvirtd_helper
from nc_inventory import write_nc_inventory
from conftest import _json_documents, ensure_collection_link, installed_collections_path
from test_libvirt_secret import get_value
from test_nc_credentials import SHIPPED_CONF, shell_view

pytestmark = pytest.mark.libvirt

REPO = Path(__file__).resolve().parents[2]
POOL = "phu-volumes"


@dataclass
class Lab:
    dir: Path
    prefix: str
    keyring: Path
    euca_conf: Path
    secret_uuid: str
    inventory: Path
    runner: object

    @property
    def host_user(self) -> str:
        return "%s-localhost" % self.prefix

    def play(self, playbook: str, *args: str, per_host: bool = True) -> subprocess.CompletedProcess:
        argv = [self.runner.ansible_playbook, "-i", str(self.inventory), playbook,
                "-e", json.dumps({"ebs_nc_per_host_users": per_host}), *args]
        return self.runner.run_playbook(argv, "a per-host users run", cwd=self.dir, text=True, capture_output=True,
                                        timeout=600, check=False)


@pytest.fixture(scope="module")
def lab(ceph_cluster, admin, libvirtd, run_module, tmp_path_factory):
    d = tmp_path_factory.mktemp("per-host")
    prefix = "phu-%s" % uuidlib.uuid4().hex[:6]
    euca_conf = d / "eucalyptus.conf"
    euca_conf.write_text(SHIPPED_CONF)
    keyring = d / ("ceph.client.%s-localhost.keyring" % prefix)
    secret_uuid = str(uuidlib.uuid4())
    inventory = d / "inventory.json"
    write_nc_inventory(inventory, ceph_cluster, ceph_conf=d / "ceph.conf", keyring=keyring, euca_conf=euca_conf,
                       volume_pools=[POOL], snapshot_pools=[], nc_user=prefix, secret_uuid=secret_uuid)
    (d / "nc.yml").write_text(json.dumps([{"name": "Node Controllers", "hosts": "euca_nc", "gather_facts": False,
                                           "roles": ["eucalyptus.ceph.node_controller"]}]))
    ensure_collection_link()
    installed_collections_path()
    # another NC's per-host user, which a revocation of this host must leave alone
    admin.mon({"prefix": "auth get-or-create", "entity": "client.%s-othernc" % prefix,
               "caps": ["mon", "profile rbd", "osd", "profile rbd pool=%s" % POOL]})
    try:
        yield Lab(d, prefix, keyring, euca_conf, secret_uuid, inventory, run_module)
    finally:
        libvirtd_helper.virsh("secret-undefine", secret_uuid, check=False)
        for user in (prefix, "%s-localhost" % prefix, "%s-othernc" % prefix):
            admin.delete_user(user)


def test_the_role_gives_this_host_its_own_user_then_revoke_removes_only_it(lab, admin):
    other_key = admin.get_key("%s-othernc" % lab.prefix)
    p = lab.play(str(lab.dir / "nc.yml"))
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-2000:]
    key = admin.get_key(lab.host_user)
    assert key and not admin.user_exists(lab.prefix), "per-host: no shared NC user"
    caps = admin.get_caps(lab.host_user)
    assert caps["mon"] == "profile rbd" and "pool=%s" % POOL in caps["osd"], caps
    assert lab.keyring.read_text().splitlines()[:2] == ["[client.%s]" % lab.host_user, "\tkey = %s" % key]
    assert get_value(lab.secret_uuid) == key
    assert shell_view(lab.euca_conf)["CEPH_USER_NAME"] == lab.host_user
    assert "client.%s reaches cluster" % lab.host_user in p.stdout

    p = lab.play(str(lab.dir / "nc.yml"))
    stats = [doc["stats"]["localhost"] for doc in _json_documents(p.stdout) if isinstance(doc, dict) and "stats" in doc]
    assert p.returncode == 0 and stats and stats[-1]["changed"] == 0, p.stdout[-3000:]

    # refused without a named host, and for a shared user: nothing changes
    p = lab.play(str(REPO / "playbooks" / "revoke.yml"))
    assert p.returncode != 0 and "Name the NC(s) to revoke" in p.stdout, p.stdout[-2000:]
    p = lab.play(str(REPO / "playbooks" / "revoke.yml"), "--limit", "localhost", per_host=False)
    assert p.returncode != 0 and "would cut every NC" in p.stdout, p.stdout[-2000:]
    assert admin.get_key(lab.host_user) == key and lab.keyring.exists() and get_value(lab.secret_uuid) == key

    # check mode: the plan, nothing removed
    p = lab.play(str(REPO / "playbooks" / "revoke.yml"), "--limit", "localhost", "--check")
    assert p.returncode == 0 and "would be removed" in p.stdout, p.stdout[-2000:]
    assert admin.get_key(lab.host_user) == key and lab.keyring.exists()

    p = lab.play(str(REPO / "playbooks" / "revoke.yml"), "--limit", "localhost")
    assert p.returncode == 0, p.stdout[-3000:]
    assert not admin.user_exists(lab.host_user) and not lab.keyring.exists()
    assert get_value(lab.secret_uuid) is None
    # the other NC keeps its user and key
    assert admin.get_key("%s-othernc" % lab.prefix) == other_key
