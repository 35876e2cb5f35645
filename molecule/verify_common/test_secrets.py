"""No cephx key leaves its keyring: the verifier every Molecule scenario shares.

Searched for every key the cluster knows at the end of the run (``ceph auth ls`` and ``mon.``),
compared as exact strings:
- every exec on every lab host, argv and environment in full: each Ansible module there runs
  under strace (molecule/images/lab/traced-python3), with every process it starts;
- every exec on the machine that ran Molecule (scripts/lab.sh traces the whole process tree:
  ansible-playbook, docker exec, nested playbook runs) and the run's own output, together
  with the logs a side_effect leaves for it (e.g. a -vvv run), all in EUCA_LAB_LOG_DIR;
- the files left under /tmp, /var/tmp and ~/.ansible of every lab host.

A trace that recorded nothing fails too: a verifier that cannot see is not a pass.
Keys that the run deleted before the end are not in the list (no scenario deletes one).
"""

import base64
import io
import os
import re
import shutil
import tarfile

import pytest
import testinfra
import testinfra.utils.ansible_runner

INVENTORY = os.environ["MOLECULE_INVENTORY_FILE"]
RUNNER = testinfra.utils.ansible_runner.AnsibleRunner(INVENTORY)
testinfra_hosts = RUNNER.get_hosts("all")
FIRST_MON = RUNNER.get_hosts("ceph_mons")[0]
TRACE_DIR = "/var/log/euca-exec-trace"
TRACED_PYTHON_EXEC = 'execve("/usr/bin/python3", ["/usr/bin/python3"'
TEMPORARY_DIRS = ["/tmp", "/var/tmp", "/root/.ansible"]
# CI (EUCA_REQUIRE_PREREQS=1, .ci/run) runs through scripts/lab.sh, which gives the log dir
REQUIRE = os.environ.get("EUCA_REQUIRE_PREREQS") == "1"
LOG_DIR = os.environ.get("EUCA_LAB_LOG_DIR", "")


def _name(host):
    return host.backend.get_hostname()


@pytest.fixture(scope="module")
def cephx_keys():
    """{entity: key} of every entity of the cluster, read on the first monitor."""
    mon = testinfra.get_host("ansible://" + FIRST_MON, ansible_inventory=INVENTORY)
    import json
    listing = mon.run("ceph --connect-timeout 15 --format json auth ls")
    assert listing.rc == 0, listing.stderr
    keys = {e["entity"]: e["key"] for e in json.loads(listing.stdout)["auth_dump"]}
    mon_key = mon.run("ceph --connect-timeout 15 --format json auth get mon.")
    if mon_key.rc == 0:
        keys.update({e["entity"]: e["key"] for e in json.loads(mon_key.stdout)})
    assert len(keys) >= 3, "expected at least client.admin, the SC's and the NC's keys: %s" % sorted(keys)
    return keys


def _files_of(host, paths, max_size="16384k"):
    """{path: text} of the regular files under PATHS on HOST (one tar through the connection).
    MAX_SIZE is find's -size with k units: find rounds a size up to its unit, so -1G would
    only match empty files."""
    listing = " ".join(paths)
    cmd = host.run(
        "find %s -xdev -type f -size -%s -print0 2>/dev/null | tar --null -T - -czf - 2>/dev/null | base64 -w0"
        % (listing, max_size))
    assert cmd.rc == 0, cmd.stderr
    files = {}
    if not cmd.stdout.strip():
        return files
    with tarfile.open(fileobj=io.BytesIO(base64.b64decode(cmd.stdout)), mode="r:gz") as tar:
        for member in tar.getmembers():
            if member.isfile():
                files["/" + member.name] = tar.extractfile(member).read().decode("utf-8", "replace")
    return files


def _assert_no_key(files, keys, where):
    for path, text in files.items():
        for entity, key in keys.items():
            at = text.find(key)
            if at >= 0:
                context = text[max(0, at - 300):at + 300].replace(key, "<KEY of %s>" % entity)
                pytest.fail("the cephx key of %s is in %s (%s): ...%s..." % (entity, path, where, context),
                            pytrace=False)


@pytest.fixture(scope="module")
def traces():
    cache = {}

    def of(host):
        if _name(host) not in cache:
            cache[_name(host)] = _files_of(host, [TRACE_DIR], max_size="1048576k")
        return cache[_name(host)]
    return of


def test_every_module_run_on_the_host_was_traced(host, traces):
    # a host the case leaves idle (scripts/lab.sh: expansion's xosd3 without EUCA_LAB_RETIRE=1) runs
    # no module to trace; the key searches below still cover it
    if _name(host) in os.environ.get("EUCA_LAB_IDLE_HOSTS", "").split():
        pytest.skip("%s is idle in this case (EUCA_LAB_IDLE_HOSTS)" % _name(host))
    files = traces(host)
    assert len(files) >= 5, "only %d traced module runs on %s: is interpreter_python the traced one?" % (
        len(files), _name(host))
    for path, text in files.items():
        first = next((line for line in text.splitlines() if "execve(" in line), "")
        assert TRACED_PYTHON_EXEC in first, "%s does not start with the module's python3: %r" % (path, first[:200])
    execs = sum(text.count("execve(") for text in files.values())
    line = "%s: %d module runs traced, %d execs" % (_name(host), len(files), execs)
    print(line)
    if LOG_DIR:   # the figures of the run, next to its log
        with open(os.path.join(LOG_DIR, "exec-trace-counts.txt"), "a") as f:
            f.write(line + "\n")


def test_no_cephx_key_in_any_exec_on_the_host(host, traces, cephx_keys):
    _assert_no_key(traces(host), cephx_keys, "an exec on %s: argv or environment" % _name(host))


def test_no_cephx_key_in_the_temporary_files_of_the_host(host, cephx_keys):
    files = _files_of(host, TEMPORARY_DIRS)
    _assert_no_key(files, cephx_keys, "a file left on %s" % _name(host))


def test_no_cephx_key_in_the_execs_and_logs_of_the_controller(host, cephx_keys):
    if _name(host) != FIRST_MON:
        return
    if not LOG_DIR:
        if REQUIRE:
            pytest.fail("EUCA_LAB_LOG_DIR is not set: run the scenario through scripts/lab.sh test")
        pytest.skip("not run through scripts/lab.sh test: no controller trace or log to search")
    log = os.path.join(LOG_DIR, "molecule.log")
    trace = os.path.join(LOG_DIR, "host-exec.trace")
    assert os.path.getsize(log) > 0, "%s is empty" % log
    if shutil.which("strace") or REQUIRE:
        assert os.path.exists(trace), "no trace of the controller's execs (%s)" % trace
    files = {}
    for name in sorted(os.listdir(LOG_DIR)):
        path = os.path.join(LOG_DIR, name)
        with open(path, errors="replace") as f:
            files[path] = f.read()
    if trace in files:
        playbooks = len(re.findall(r'execve\("[^"]*ansible-playbook"', files[trace]))
        assert playbooks >= 1, "the controller's trace has no ansible-playbook exec: it is not working"
        print("controller: %d execs traced, %d of ansible-playbook; %d log files"
              % (files[trace].count("execve("), playbooks, len(files) - 1))
    _assert_no_key(files, cephx_keys, "the controller's exec trace or logs")
