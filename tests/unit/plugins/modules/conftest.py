"""Fixtures of the module tests: a fake Ceph cluster and a runner of modules in-process (see fake_ceph.py)."""

import pytest

from ansible_collections.eucalyptus.ceph.tests.unit.plugins.modules import fake_ceph


@pytest.fixture
def ceph(monkeypatch):
    """A fake Reef cluster that every CephModule of the test connects to; checked at teardown."""
    cluster = fake_ceph.FakeCluster()
    fake_ceph.install(monkeypatch, cluster)
    yield cluster
    fake_ceph.check_cluster_after_test(cluster)


@pytest.fixture
def run(monkeypatch, ceph):
    """``run(module_name, args, check_mode=False, diff=True, no_log=False)`` -> result dict."""
    return fake_ceph.ModuleRunner(monkeypatch, ceph)
