"""The client layer validates against what the connected monitors say they accept.

Against the real cluster: the monitors describe every command the collection sends; a
command the collection's own table lets through but the release refuses (a flag or pool
variable the release does not know) is refused locally and never reaches a monitor (the
monitors' audit log, which records every dispatched command, does not show it); the SC and
NC users, with their least-privilege caps, can read the descriptions too.
"""

import json
import sys
import time
import uuid

import pytest

from test_caps_profiles import NC_USER, SC_USER, profiles  # noqa: F401  pylint: disable=unused-import

pytestmark = pytest.mark.ceph

sys.path.insert(0, str(__import__("conftest").ensure_collection_link()))
from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_client import (  # noqa: E402
    MON_COMMANDS,
    MON_COMMANDS_SINCE,
    CephArgumentError,
    CephClient,
)


def audit_log(admin, num=50):
    entries = admin.mon({"prefix": "log last", "num": num, "level": "debug", "channel": "audit"})
    return json.dumps(entries)


def test_every_command_we_send_is_offered_by_the_connected_monitors(ceph_cluster):
    """Every command, except the release-gated ones (MON_COMMANDS_SINCE): those are offered
    either all or none, as the release has the feature or not (the callers say which)."""
    with CephClient(conf_file=ceph_cluster.conf) as client:
        offered = client.command_descriptions("mon")
        missing = [p for p in MON_COMMANDS if p not in offered and p not in MON_COMMANDS_SINCE]
        assert missing == []
        by_release = {}
        for prefix, release in MON_COMMANDS_SINCE.items():
            by_release.setdefault(release, set()).add(prefix in offered)
        assert all(len(answers) == 1 for answers in by_release.values()), by_release


def test_a_value_the_release_refuses_never_reaches_a_monitor(ceph_cluster, admin):
    refused, control = ("no-such-flag-%s" % uuid.uuid4().hex[:8]), ("client.audit-%s" % uuid.uuid4().hex[:8])
    with CephClient(conf_file=ceph_cluster.conf) as client:
        # a write command (audited at level info) that changes nothing: proves the log shows ours
        client.mon_command("config rm", who=control, name="debug_ms")
        with pytest.raises(CephArgumentError, match="argument 'key' must be one of .*noout"):
            client.mon_command("osd set", key=refused)
        with pytest.raises(CephArgumentError, match="argument 'var' must be one of"):
            client.mon_command("osd pool get", pool="rbd", var=refused)
    # the monitors commit audit entries a little later: wait for ours, not for a time
    deadline = time.monotonic() + 120
    log = audit_log(admin)
    while control not in log and time.monotonic() < deadline:
        time.sleep(1)
        log = audit_log(admin)
    assert control in log
    assert refused not in log


@pytest.mark.parametrize("user", [SC_USER, NC_USER])
def test_least_privilege_users_read_the_descriptions(ceph_cluster, profiles, user):  # noqa: F811
    with CephClient(conf_file=ceph_cluster.conf, user=user, keyring=ceph_cluster.keyring_path(user)) as client:
        assert "osd pool ls" in client.command_descriptions("mon")
