"""Every module, fed generated arguments of the types YAML produces by surprise, answers with
exit_json or fail_json and a message - never an unhandled exception.

Arguments are drawn from each module's own DOCUMENTATION (its option names, plus unknown
ones), with values of any type: strings with control characters, huge and negative numbers,
floats, booleans, None, lists and dicts. Modules run in-process in check mode (nothing is
written), with the Ceph connection and libvirt refused the way an unreachable cluster is, so
that every path up to the first cluster call is exercised.
"""

import importlib
import io
import json
import sys

import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes

from ansible_collections.eucalyptus.ceph.plugins.module_utils import _ceph_client as ceph_client

MODULES = ["ceph_change_record", "ceph_client_conf", "ceph_config", "ceph_crush_rule", "ceph_crush_weight",
           "ceph_daemon_keyring", "ceph_info", "ceph_osd", "ceph_osd_flags", "ceph_osd_retire", "cephx_key_rotation",
           "cephx_keyring", "cephx_user", "cephx_user_generations", "ebs_host_facts", "euca_conf", "euca_property",
           "libvirt_rbd_disk_info", "libvirt_secret", "nc_credentials", "rbd_benchmark", "rbd_benchmark_report",
           "rbd_image", "rbd_io_probe", "rbd_pool", "rbd_reaper"]

# Valid arguments of each module: generated cases start from them and replace a few values,
# so that the modules' own checks (beyond the argument spec) are reached.
BASE = {
    "ceph_change_record": {"name": "osd_expand", "state": "recorded", "config": ["osd/osd_max_backfills"],
                           "flags": ["norebalance"]},
    "ceph_client_conf": {"path": "/nonexistent/ceph.conf", "fsid": "6f1b1c1e-4bb8-4c59-a0a8-0b1d1f3a9b2e",
                         "monitors": [{"name": "a", "v1": "10.0.0.1:6789", "v2": "10.0.0.1:3300"}]},
    "ceph_config": {"who": "osd", "name": "osd_max_backfills", "value": "2"},
    "ceph_crush_rule": {"name": "ebs-host", "pools": ["eucavolumes"]},
    "ceph_crush_weight": {"osds": [0, 1], "fraction": 0.5},
    "ceph_daemon_keyring": {"entity": "mgr.a", "caps": {"mon": "allow profile mgr"}, "path": "/nonexistent/keyring"},
    "ceph_info": {"gather": ["health"]},
    "ceph_osd": {"uuid": "8f2f5a3e-1c1b-4b8e-9b7e-2f8c1d9e0a11", "key_file": "/nonexistent/key"},
    "ceph_osd_flags": {"flags": {"noout": True}},
    "ceph_osd_retire": {"osds": [3], "state": "safe"},
    "cephx_key_rotation": {"name": "eucalyptus", "state": "pending"},
    "cephx_keyring": {"path": "/nonexistent/k", "name": "eucalyptus", "key": "AQBcs3VmAAAAABAAk0QrWf8SHDRq2IV0Kms3iw=="},
    "cephx_user": {"name": "eucalyptus", "profile": "sc", "volume_pools": ["eucavolumes"]},
    "cephx_user_generations": {"users": ["eucalyptus-nc"], "generation": 2, "in_use": ["eucalyptus-nc"]},
    "ebs_host_facts": {"packages": {"Debian": ["ceph-common"], "RedHat": ["ceph-common"]}, "units": ["libvirtd.socket"]},
    "euca_conf": {"path": "/nonexistent/eucalyptus.conf", "settings": {"CEPH_USER_NAME": "eucalyptus-nc"}},
    "euca_property": {"name": "one.storage.cephuser", "value": "eucalyptus"},
    "libvirt_rbd_disk_info": {"uri": "qemu:///system"},
    "libvirt_secret": {"uuid": "5b7c2a6e-3f1d-4c8e-9a0b-1e2f3a4b5c6d", "value": "AQBcs3VmAAAAABAAk0QrWf8SHDRq2IV0Kms3iw=="},
    "nc_credentials": {"user": "eucalyptus-nc", "key": "AQBcs3VmAAAAABAAk0QrWf8SHDRq2IV0Kms3iw==",
                       "keyring_path": "/nonexistent/ceph.client.eucalyptus-nc.keyring",
                       "secret_uuid": "5b7c2a6e-3f1d-4c8e-9a0b-1e2f3a4b5c6d", "eucalyptus_conf": "/nonexistent/eucalyptus.conf"},
    "rbd_benchmark": {"pool": "eucavolumes", "image": "ebs-bench-nc1",
                      "workloads": [{"name": "randread-4k-qd1", "rw": "randread", "bs": "4k", "iodepth": 1}]},
    "rbd_benchmark_report": {"path": "/nonexistent/report", "name": "run1", "runs": [
        {"host": "nc1", "mode": "parallel", "measurements": [
            {"name": "w", "rw": "randread", "bs": 4096, "iodepth": 1,
             "read": {"ios": 10, "iops": 5.0, "bandwidth_bytes": 20480,
                      "latency_ms": {"p50": 1, "p90": 2, "p99": 3, "p99_9": 4, "mean": 1, "max": 5}}}]}]},
    "rbd_image": {"pool": "eucavolumes", "name": "vol-1", "size": "1G"},
    "rbd_io_probe": {"pool": "eucavolumes", "image": "vol-1", "marker": "nc1", "offset": 0},
    "rbd_pool": {"name": "eucavolumes", "size": 3},
    "rbd_reaper": {"pools": ["eucavolumes"], "prefix": "del12345678-"},
}

CASES = {"run": 0, "failed": 0, "exited": 0, "core": 0}
CORE_DEFECTS = set()


def options_of(module):
    doc = yaml.safe_load(module.DOCUMENTATION)
    return sorted((doc.get("options") or {}).keys())


scalars = st.one_of(
    st.none(), st.booleans(),
    st.integers(min_value=-(2 ** 70), max_value=2 ** 70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(["", "0", "yes", "no", "1e3", "0644", "0o777", "rwx", "eucavolumes", "vol\n", "a/b", "../x",
                     "client.admin", "00000000-0000-0000-0000-000000000000", "10G", "-1", "\x00", "${x}", "$(id)"]),
)
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                      max_leaves=8)


def _refuse_libvirt():
    import libvirt
    raise libvirt.libvirtError("no libvirt in unit tests")


class _Exit(BaseException):  # as the real SystemExit: CephModule.run must not catch it
    def __init__(self, result):
        BaseException.__init__(self, "module exited")
        self.result = result


@pytest.fixture
def no_cluster(monkeypatch, tmp_path):
    def refuse(self):
        raise ceph_client.CephClientError("no cluster in unit tests", 111)

    monkeypatch.setattr(ceph_client.CephClient, "connect", refuse)
    try:
        import libvirt
        monkeypatch.setattr(libvirt, "open", lambda *a: _refuse_libvirt())
    except ImportError:
        pass

    def exit_json(self, **kwargs):
        raise _Exit(dict(kwargs, failed=False))

    def fail_json(self, msg=None, **kwargs):
        assert isinstance(msg, str) and msg, "fail_json without a message: %r" % (kwargs,)
        raise _Exit(dict(kwargs, msg=msg, failed=True))

    monkeypatch.setattr(basic.AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", fail_json)
    # euctl and other tools are looked up on a PATH where nothing is found
    monkeypatch.setenv("PATH", str(tmp_path))
    return tmp_path


def run_module(name, args, monkeypatch):
    module = importlib.import_module("ansible_collections.eucalyptus.ceph.plugins.modules." + name)
    payload = {"ANSIBLE_MODULE_ARGS": dict(args, _ansible_check_mode=True, _ansible_remote_tmp="/tmp",
                                           _ansible_keep_remote_files=False)}
    monkeypatch.setattr(basic, "_ANSIBLE_ARGS", to_bytes(json.dumps(payload, default=str)))
    monkeypatch.setattr(basic, "_ANSIBLE_PROFILE", "legacy", raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    try:
        module.main()
    except _Exit as done:
        return done.result
    except SystemExit as exc:   # AnsibleModule itself exits on an argument spec error
        return {"failed": exc.code != 0, "msg": "argument spec refusal"}
    except Exception as exc:   # pylint: disable=broad-except
        tb = exc.__traceback__
        while tb.tb_next:
            tb = tb.tb_next
        where = tb.tb_frame.f_code.co_filename
        if "/ansible/module_utils/common/" in where:
            # ansible-core's own argument validation raising (not this collection's code):
            # counted and reported, not hidden
            CORE_DEFECTS.add("%s: %s in %s" % (name, type(exc).__name__, where.split("/ansible/")[-1]))
            return {"failed": True, "msg": "ansible-core: %s" % exc, "core": True}
        raise
    raise AssertionError("%s returned without exit_json or fail_json" % name)


@pytest.mark.parametrize("name", MODULES)
def test_generated_arguments_never_raise(name, no_cluster, monkeypatch):
    module = importlib.import_module("ansible_collections.eucalyptus.ceph.plugins.modules." + name)
    keys = st.sampled_from(options_of(module) + ["unknown_option"])

    @settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(st.booleans(), st.dictionaries(keys, values, max_size=4))
    def check(from_base, changes):
        args = dict(BASE[name], **changes) if from_base else changes
        # json round trip: what ansible-playbook would hand the module
        args = json.loads(json.dumps(args, default=str, allow_nan=True))
        result = run_module(name, args, monkeypatch)
        CASES["run"] += 1
        CASES["failed" if result["failed"] else "exited"] += 1
        CASES["core"] += bool(result.get("core"))
        if not result["failed"]:
            # a check-mode run that succeeded with no cluster must not claim it did anything
            # beyond planning; its result must be JSON
            json.dumps(result, default=str)

    check()


def test_report_case_count():
    print("\n[fuzz] %(run)d generated module runs: %(failed)d refused with a message, %(exited)d ran; "
          "%(core)d raised inside ansible-core's argument validation" % CASES)
    for defect in sorted(CORE_DEFECTS):
        print("[fuzz] ansible-core: %s" % defect)
