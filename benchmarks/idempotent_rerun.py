"""Idempotent re-run cost: our librados client layer versus forking the ceph CLI per property.

An idempotent run of 4 pools + 4 cephx users must read every managed setting and change
nothing.  This compares, on the same real cluster in the same run:

  library  what our modules do per item: one librados connection, ``osd pool ls detail``
           (+ a stat of ``rbd_info``) or ``auth get``, disconnect;
  cli      what CLI-wrapping modules do: one ``ceph`` process per property
           (``osd pool get P size|min_size|pg_num|pg_autoscale_mode``,
           ``osd pool application get P``, ``rados stat rbd_info``, ``auth get``);
  playbook the whole idempotent re-run through ansible-playbook and our modules
           (8 tasks, end to end, for scale: Ansible's own per-task cost dominates it).

Usage (as root, with Debian's Python for its rados binding):
    /usr/bin/python3 benchmarks/idempotent_rerun.py [--rounds N]
Uses the cluster in $EUCA_CEPH_DIR, else brings one up with tests/ceph/cluster.sh and
removes it afterwards. Prints a table and the ratio; writes benchmarks/results/*.json.
Never asserts on time: figures are for reading, not for failing CI.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "build", "collections"))

POOLS = ["bench-vol-%d" % i for i in range(4)]
USERS = ["bench-user-%d" % i for i in range(4)]
POOL_PROPERTIES = ["size", "min_size", "pg_num", "pg_autoscale_mode"]


def ensure_collection_link():
    link = os.path.join(REPO, "build", "collections", "ansible_collections", "eucalyptus", "ceph")
    if not os.path.lexists(link):
        os.makedirs(os.path.dirname(link), exist_ok=True)
        os.symlink(REPO, link)


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def self_cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def library_round(conf):
    from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_client import CephClient
    from ansible_collections.eucalyptus.ceph.plugins.module_utils import _cephx_users as cephx_users
    from ansible_collections.eucalyptus.ceph.plugins.module_utils import _rbd_pools as rbd_pools

    calls = 0
    for pool in POOLS:
        with CephClient(conf) as client:
            assert rbd_pools.pool_settings(client, pool)["rbd_initialized"]
            calls += 1
    for user in USERS:
        with CephClient(conf) as client:
            assert cephx_users.get_user(client, "client." + user) is not None
            calls += 1
    return calls


def cli_round(conf):
    env = dict(os.environ, CEPH_CONF=conf)
    forks = 0

    def ceph(*args):
        nonlocal forks
        forks += 1
        subprocess.run(["ceph", "--connect-timeout", "10", *args], env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    for pool in POOLS:
        for prop in POOL_PROPERTIES:
            ceph("osd", "pool", "get", pool, prop, "-f", "json")
        ceph("osd", "pool", "application", "get", pool, "-f", "json")
        forks += 1
        subprocess.run(["rados", "-p", pool, "stat", "rbd_info"], env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for user in USERS:
        ceph("auth", "get", "client." + user, "-f", "json")
    return forks


def playbook_tasks(conf):
    tasks = [{"eucalyptus.ceph.rbd_pool": {"name": p, "size": 3, "min_size": 2}} for p in POOLS]
    tasks += [{"eucalyptus.ceph.cephx_user": {"name": u, "profile": "nc", "volume_pools": [POOLS[0]]}}
              for u in USERS]
    return [{"hosts": "localhost", "gather_facts": False,
             "module_defaults": {"group/eucalyptus.ceph.ceph": {"cluster_conf": conf}},
             "tasks": tasks}]


def run_playbook(path, expect_changed):
    venv_bin = os.path.join(REPO, ".venv", "bin")
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, "build", "collections"),
               ANSIBLE_PYTHON_INTERPRETER="/usr/bin/python3", ANSIBLE_STDOUT_CALLBACK="json",
               ANSIBLE_LOAD_CALLBACK_PLUGINS="1", PATH=venv_bin + ":" + os.environ["PATH"])
    out = subprocess.run(["ansible-playbook", "-i", "localhost,", "-c", "local", path], env=env,
                         check=True, capture_output=True, text=True).stdout
    stats = json.loads(out[out.index("{"):])["stats"]["localhost"]
    if not expect_changed and stats["changed"]:
        raise SystemExit("the re-run was not idempotent: %s" % stats)
    return stats


def measure(name, fn, rounds):
    walls, cpus, count = [], [], 0
    for _round in range(rounds):
        wall0, cpu0 = time.perf_counter(), self_cpu() + children_cpu()
        count = fn()
        walls.append(time.perf_counter() - wall0)
        cpus.append(self_cpu() + children_cpu() - cpu0)
    return {"name": name, "median_wall_s": statistics.median(walls), "min_wall_s": min(walls),
            "median_cpu_s": statistics.median(cpus), "operations": count, "rounds": rounds}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    ensure_collection_link()

    own_cluster = None
    lab = os.environ.get("EUCA_CEPH_DIR")
    if not lab:
        own_cluster = tempfile.mkdtemp(prefix="bench-", dir=os.path.join(REPO, "build"))
        subprocess.run(["bash", os.path.join(REPO, "tests", "ceph", "cluster.sh"), "up", own_cluster],
                       env=dict(os.environ, CEPH_IP=os.environ.get("EUCA_CEPH_IP", "127.0.0.1")),
                       check=True, stdout=subprocess.DEVNULL)
        lab = own_cluster
    conf = os.path.join(lab, "ceph.conf")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            playbook = os.path.join(tmp, "rerun.yml")
            with open(playbook, "w") as f:
                json.dump(playbook_tasks(conf), f)
            run_playbook(playbook, expect_changed=True)   # set up the 4 pools and 4 users
            library = measure("library (librados, 1 connection per item)", lambda: library_round(conf), args.rounds)
            cli = measure("cli (1 ceph/rados fork per property)", lambda: cli_round(conf), args.rounds)
            play = measure("playbook re-run (8 tasks, our modules)",
                           lambda: run_playbook(playbook, expect_changed=False)["ok"], max(1, args.rounds // 2))
    finally:
        if own_cluster:
            subprocess.run(["bash", os.path.join(REPO, "tests", "ceph", "cluster.sh"), "down", own_cluster],
                           check=False, stdout=subprocess.DEVNULL)

    rows = [library, cli, play]
    print("%-46s %10s %10s %8s" % ("idempotent re-run of 4 pools + 4 users", "wall (s)", "cpu (s)", "ops"))
    for row in rows:
        print("%-46s %10.3f %10.3f %8d" % (row["name"], row["median_wall_s"], row["median_cpu_s"], row["operations"]))
    ratio_wall = cli["median_wall_s"] / library["median_wall_s"]
    ratio_cpu = cli["median_cpu_s"] / max(library["median_cpu_s"], 1e-6)
    print("ratio cli/library: wall %.1fx, cpu %.1fx (%d forks vs %d connections)"
          % (ratio_wall, ratio_cpu, cli["operations"], library["operations"]))
    os.makedirs(os.path.join(REPO, "benchmarks", "results"), exist_ok=True)
    out = os.path.join(REPO, "benchmarks", "results", "idempotent_rerun.json")
    with open(out, "w") as f:
        json.dump({"rows": rows, "ratio_wall": ratio_wall, "ratio_cpu": ratio_cpu,
                   "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}, f, indent=2)
    print("written to", os.path.relpath(out, REPO))


if __name__ == "__main__":
    main()
