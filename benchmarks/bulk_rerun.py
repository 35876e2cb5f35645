"""Idempotent re-run of many pools and users: the list form (one task each) against the per-item
form (a looped task per item) and one no-op task, through ansible-playbook, in one run.

A cloud with per-host NC users declares tens of pools and a hundred or more cephx users. This
sets up POOLS pools and USERS users (default 64 and 100) on a real cluster, then times, each as
an idempotent re-run (nothing to change; the script stops if anything changed):

  empty      a play with no task (ansible-playbook's own start and end)
  no-op      a play with one ansible.builtin.ping task
  list form  2 tasks: rbd_pool pools=[...] and cephx_user users=[...]
  per item   2 looped tasks: rbd_pool name=P (POOLS items), cephx_user name=U (USERS items)
  ceph-ansible  (with --ceph-ansible DIR, a checkout of ceph-ansible; never committed here)
             its ceph_pool and ceph_key modules as looped tasks, the way its roles call them

and reports wall and CPU (median of --rounds), plus each form's task cost over the empty
play relative to the no-op's (the ping task's own cost). Figures for reading, never asserted.

Usage (as root):  .venv/bin/python benchmarks/bulk_rerun.py [--pools 64] [--users 100] [--rounds 3]
Uses the cluster in $EUCA_CEPH_DIR, else brings one up with tests/ceph/cluster.sh and removes it
afterwards. Writes benchmarks/results/bulk_rerun.json.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from idempotent_rerun import REPO, children_cpu, ensure_collection_link, measure  # noqa: E402

POOL_SETTINGS = {"size": 2, "min_size": 1, "pg_num": 1, "pg_autoscale_mode": "off"}


def play(conf, tasks):
    return [{"hosts": "localhost", "gather_facts": False,
             "module_defaults": {"group/eucalyptus.ceph.ceph": {"cluster_conf": conf}},
             "tasks": tasks}]


def forms(conf, pools, users, ceph_ansible):
    """name -> (playbook, extra environment)"""
    profile = {"profile": "nc", "volume_pools": pools[:1]}
    out = {
        "empty (no task)": (play(conf, []), {}),
        "no-op (1 ping task)": (play(conf, [{"ansible.builtin.ping": {}}]), {}),
        "list form (2 tasks)": (play(conf, [
            {"eucalyptus.ceph.rbd_pool": dict(POOL_SETTINGS, pools=pools)},
            {"eucalyptus.ceph.cephx_user": dict(profile, users=users)},
        ]), {}),
        "per item (2 looped tasks)": (play(conf, [
            {"eucalyptus.ceph.rbd_pool": dict(POOL_SETTINGS, name="{{ item }}"), "loop": pools},
            {"eucalyptus.ceph.cephx_user": dict(profile, name="{{ item }}"), "loop": users},
        ]), {}),
    }
    if ceph_ansible:
        # ceph-ansible's modules fork the ceph CLI; CEPH_CONF points it at this cluster
        caps = {"mon": "profile rbd", "osd": "profile rbd pool=%s" % pools[0]}
        out["ceph-ansible ceph_pool + ceph_key (2 looped tasks)"] = (play(conf, [
            {"ceph_pool": {"name": "{{ item }}", "cluster": "ceph", "size": 2, "min_size": 1, "pg_num": 1,
                           "pg_autoscale_mode": "off", "application": "rbd"}, "loop": pools},
            {"ceph_key": {"name": "client.{{ item }}", "cluster": "ceph", "caps": caps}, "loop": users},
        ]), {"ANSIBLE_LIBRARY": os.path.join(ceph_ansible, "library"),
             "ANSIBLE_MODULE_UTILS": os.path.join(ceph_ansible, "module_utils"),
             ETC_CEPH: "1"})
    return out


# ceph-ansible's modules read /etc/ceph/CLUSTER.conf and /etc/ceph/CLUSTER.client.admin.keyring:
# they get this cluster's files there in a mount namespace of their own (a tmpfs over /etc/ceph),
# so the host's /etc/ceph is never touched
ETC_CEPH = "_BENCH_PRIVATE_ETC_CEPH"
IN_PRIVATE_ETC_CEPH = ["unshare", "--mount", "sh", "-c",
                       'mount -t tmpfs tmpfs /etc/ceph && cp "$1" /etc/ceph/ceph.conf && '
                       'cp "$2" /etc/ceph/ceph.client.admin.keyring && shift 2 && exec "$@"', "sh"]


def run_playbook(path, extra_env, expect_changed, conf):
    venv_bin = os.path.join(REPO, ".venv", "bin")
    extra_env = dict(extra_env)
    argv = ["ansible-playbook", "-i", "localhost,", "-c", "local", path]
    if extra_env.pop(ETC_CEPH, None):
        argv = IN_PRIVATE_ETC_CEPH + [conf, os.path.join(os.path.dirname(conf), "ceph.client.admin.keyring")] + argv
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, "build", "collections"),
               ANSIBLE_PYTHON_INTERPRETER="/usr/bin/python3", ANSIBLE_STDOUT_CALLBACK="json",
               ANSIBLE_LOAD_CALLBACK_PLUGINS="1", PATH=venv_bin + ":" + os.environ["PATH"], **extra_env)
    p = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if p.returncode != 0:
        raise SystemExit("%s failed (rc %d): %s" % (path, p.returncode, (p.stdout + p.stderr)[-3000:]))
    stats = json.loads(p.stdout[p.stdout.index("{"):])["stats"].get("localhost", {"ok": 0, "changed": 0})
    if expect_changed is False and stats["changed"]:
        raise SystemExit("the re-run of %s was not idempotent: %s" % (path, stats))
    return stats


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    parser.add_argument("--pools", type=int, default=64)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--ceph-ansible", metavar="DIR", help="a checkout of ceph-ansible (library/, module_utils/)")
    args = parser.parse_args()
    ensure_collection_link()
    pools = ["bulk-pool-%03d" % i for i in range(args.pools)]
    users = ["bulk-nc-%03d" % i for i in range(args.users)]

    own_cluster = None
    lab = os.environ.get("EUCA_CEPH_DIR")
    cluster_sh = os.path.join(REPO, "tests", "ceph", "cluster.sh")
    if not lab:
        own_cluster = tempfile.mkdtemp(prefix="bench-", dir=os.path.join(REPO, "build"))
        subprocess.run(["bash", cluster_sh, "up", own_cluster],
                       env=dict(os.environ, CEPH_IP=os.environ.get("EUCA_CEPH_IP", "127.0.0.1")),
                       check=True, stdout=subprocess.DEVNULL)
        lab = own_cluster
    conf = os.path.join(lab, "ceph.conf")
    tmp = tempfile.mkdtemp(prefix="bulk-rerun-")
    rows = []
    try:
        books = {}
        for index, (name, (book, env)) in enumerate(forms(conf, pools, users, args.ceph_ansible).items()):
            path = os.path.join(tmp, "form-%d.yml" % index)
            with open(path, "w") as f:
                json.dump(book, f)
            books[name] = (path, env)
        t0, cpu0 = time.perf_counter(), children_cpu()
        setup = books["list form (2 tasks)"]
        run_playbook(setup[0], setup[1], None, conf)   # the pools and users, once
        print("set up %d pools + %d users in %.1f s (%.1f s CPU)"
              % (len(pools), len(users), time.perf_counter() - t0, children_cpu() - cpu0), flush=True)
        for name, (path, env) in books.items():
            warm = time.perf_counter()
            run_playbook(path, env, None, conf)        # warm (and ceph-ansible's first pass)
            # a form that takes minutes is timed once: its spread is small next to its cost
            rounds = args.rounds if time.perf_counter() - warm < 20 else 1
            row = measure(name, lambda p=path, e=env: run_playbook(p, e, False, conf)["ok"], rounds)
            rows.append(row)
            print("%-52s %8.2f s wall %8.2f s CPU" % (name, row["median_wall_s"], row["median_cpu_s"]), flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if own_cluster:
            subprocess.run(["bash", cluster_sh, "down", own_cluster], check=False, stdout=subprocess.DEVNULL)

    by = dict((r["name"], r) for r in rows)
    empty, noop = by["empty (no task)"], by["no-op (1 ping task)"]
    ping_cost = noop["median_wall_s"] - empty["median_wall_s"]
    for row in rows:
        row["vs_noop_wall"] = row["median_wall_s"] / noop["median_wall_s"]
        row["task_cost_s"] = row["median_wall_s"] - empty["median_wall_s"]
        row["task_cost_vs_ping"] = row["task_cost_s"] / ping_cost if ping_cost > 0 else None
    title = "re-run of %d pools + %d users" % (len(pools), len(users))
    print("\n%-52s %8s %8s %10s %12s" % (title, "wall s", "CPU s", "vs no-op", "tasks/ping"))
    for row in rows:
        per_ping = "-" if row["task_cost_vs_ping"] is None else "%.1fx" % row["task_cost_vs_ping"]
        print("%-52s %8.2f %8.2f %9.2fx %11s" % (row["name"], row["median_wall_s"], row["median_cpu_s"],
                                                 row["vs_noop_wall"], per_ping))
    os.makedirs(os.path.join(REPO, "benchmarks", "results"), exist_ok=True)
    out = os.path.join(REPO, "benchmarks", "results", "bulk_rerun.json")
    with open(out, "w") as f:
        json.dump({"pools": len(pools), "users": len(users), "rows": rows,
                   "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}, f, indent=2)
    print("written to", os.path.relpath(out, REPO))


if __name__ == "__main__":
    main()
