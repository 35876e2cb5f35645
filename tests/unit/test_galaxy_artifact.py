"""The Galaxy artifact (ansible-galaxy collection build) holds the collection and nothing else:
every tracked file of the collection's own directories, no test, lab, benchmark, cache or
build output, and installs with ansible-galaxy into an empty collections path."""

import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHIPPED_DIRS = ("plugins", "roles", "playbooks", "meta", "docs", "changelogs", "inventory")
SHIPPED_FILES = ("README.md",)
NEVER = ("molecule/", "scripts/", "benchmarks/", "tests/", "build/", ".venv/", ".ci/", ".git/",
         ".pytest_cache/", ".hypothesis/", "__pycache__/", "requirements-dev.txt", "pytest.ini")
GALAXY = shutil.which("ansible-galaxy", path=os.path.dirname(sys.executable)) or shutil.which("ansible-galaxy")


def tracked_files():
    if not (REPO / ".git").exists() or not shutil.which("git"):
        pytest.skip("not a git checkout: the tracked files are unknown")
    out = subprocess.run(["git", "-C", str(REPO), "ls-files"], check=True, capture_output=True, text=True).stdout
    return set(out.split())


@pytest.fixture(scope="module")
def artifact(tmp_path_factory):
    if not GALAXY:
        pytest.skip("ansible-galaxy is not installed")
    out = tmp_path_factory.mktemp("artifact")
    subprocess.run([GALAXY, "collection", "build", "--output-path", str(out), str(REPO)],
                   check=True, capture_output=True, text=True)
    (tarball,) = out.glob("eucalyptus-ceph-*.tar.gz")
    return tarball


def members(tarball):
    with tarfile.open(tarball) as tar:
        return set(m.name for m in tar.getmembers() if m.isfile())


def test_every_file_of_the_collection_is_in_the_artifact(artifact):
    wanted = set(f for f in tracked_files() if f.split("/", 1)[0] in SHIPPED_DIRS or f in SHIPPED_FILES)
    missing = sorted(wanted - members(artifact))
    assert not missing, "tracked collection files missing from the artifact: %s" % missing
    assert {"MANIFEST.json", "FILES.json"} <= members(artifact)


def test_nothing_else_is_in_the_artifact(artifact):
    shipped = members(artifact) - {"MANIFEST.json", "FILES.json"}
    extra = sorted(name for name in shipped
                   if name.split("/", 1)[0] not in SHIPPED_DIRS and name not in SHIPPED_FILES)
    assert not extra, "files outside the collection's directories: %s" % extra
    leaked = sorted(name for name in shipped for never in NEVER if ("/" + name).find("/" + never) >= 0
                    or name.endswith(".pyc"))
    assert not leaked, "test, lab, cache or build files in the artifact: %s" % leaked


def test_the_artifact_installs_into_an_empty_collections_path(artifact, tmp_path):
    subprocess.run([GALAXY, "collection", "install", "--offline", "--force", "--no-deps", "-p", str(tmp_path), str(artifact)],
                   check=True, capture_output=True, text=True)
    installed = tmp_path / "ansible_collections" / "eucalyptus" / "ceph"
    assert (installed / "plugins" / "modules" / "rbd_pool.py").is_file()
    assert (installed / "roles" / "node_controller" / "meta" / "argument_specs.yml").is_file()
    assert (installed / "playbooks" / "site.yml").is_file()


def test_every_module_that_talks_to_ceph_is_in_the_action_group():
    """module_defaults: {group/eucalyptus.ceph.ceph: ...} must reach every CephModule."""
    import yaml
    group = set(yaml.safe_load((REPO / "meta" / "runtime.yml").read_text())["action_groups"]["ceph"])
    ceph_modules = set(p.stem for p in (REPO / "plugins" / "modules").glob("*.py")
                       if "CephModule(" in p.read_text())
    assert ceph_modules == group, {"not in the group": sorted(ceph_modules - group),
                                   "in the group but no CephModule": sorted(group - ceph_modules)}


def test_the_action_group_attribute_is_documented_on_exactly_the_group():
    """The docs' action_group attribute (doc fragment attributes.actiongroup_ceph) says which
    modules module_defaults reaches: it must match meta/runtime.yml."""
    import yaml
    group = set(yaml.safe_load((REPO / "meta" / "runtime.yml").read_text())["action_groups"]["ceph"])
    documented = set()
    for path in (REPO / "plugins" / "modules").glob("*.py"):
        text = path.read_text()
        doc = yaml.safe_load(text[text.index('DOCUMENTATION = r"""') + 20:text.index('"""', text.index('DOCUMENTATION') + 20)])
        fragments = doc.get("extends_documentation_fragment", [])
        assert "eucalyptus.ceph.attributes" in fragments, path.name
        assert {"check_mode", "diff_mode", "idempotent"} <= set(doc["attributes"]), path.name
        if "eucalyptus.ceph.attributes.actiongroup_ceph" in fragments:
            documented.add(path.stem)
    assert documented == group
