"""What a client waits for when the OSD map changes under it - a CRUSH weight step (what
expand.yml and retire.yml do) or an OSD stopped gracefully and started again (a host shut down
for maintenance) - with the monitors' default pace and with a shorter ``paxos_propose_interval``
(the setting ``osd_expand_mon_settings`` offers for the duration of a run).

A loopback cluster (tests/ceph/cluster.sh: 1 monitor, 4 OSDs, pool of 64 PGs, size 3) and one
librbd client that writes and reads random 64 KiB blocks of a 256 MiB image, one op at a time,
as fast as it can, every op's latency logged. For each interval (default: the monitors' own,
then 0.1 s) N events, each a "step": with ``--event weight`` the weight of one OSD goes back
and forth (half, then full); with ``--event osd-stop`` the OSD is stopped with SIGTERM, then
started again (two steps). Per step: the client's worst op in the 10 s after it, the number of
OSD maps it brought and how many of them carried pg_temp entries.

Usage (as root, with Debian's Python for its rados binding):
    /usr/bin/python3 benchmarks/map_change_stall.py [--event weight|osd-stop] [--steps N]
                                                    [--intervals default,0.1]
Uses the cluster in $EUCA_CEPH_DIR (it changes a weight or stops and starts an OSD, and the
monitors' interval there, and puts them back), else brings one up with tests/ceph/cluster.sh
and removes it afterwards. Writes benchmarks/results/map_change_stall-EVENT.json. Never
asserts on time.
"""

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import rados
import rbd

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
POOL = "bench-stall"
IMAGE = "stall-probe"
BLOCK = 64 << 10
IMAGE_SIZE = 256 << 20
SETTLE_S = 10.0


class Client(threading.Thread):
    """One op at a time, every op's (start, ms) kept; writes and reads alternate."""

    def __init__(self, conf):
        super().__init__(daemon=True)
        self.conf = conf
        self.ops = []
        self.errors = 0
        self.stop = threading.Event()

    def run(self):
        cluster = rados.Rados(conffile=self.conf)
        cluster.connect(timeout=30)
        ioctx = cluster.open_ioctx(POOL)
        image = rbd.Image(ioctx, IMAGE)
        data = os.urandom(BLOCK)
        blocks = IMAGE_SIZE // BLOCK
        try:
            while not self.stop.is_set():
                for write in (True, False):
                    offset = random.randrange(blocks) * BLOCK
                    start = time.time()
                    try:
                        if write:
                            image.write(data, offset)
                        else:
                            image.read(offset, BLOCK)
                    except (rbd.Error, rados.Error):
                        self.errors += 1
                    self.ops.append((start, (time.time() - start) * 1000.0))
        finally:
            image.close()
            ioctx.close()
            cluster.shutdown()

    def worst_between(self, start, end):
        window = [ms for t, ms in self.ops if start <= t < end]
        return (max(window) if window else None), len(window)


def mon(cluster, cmd, inbuf=b""):
    ret, out, err = cluster.mon_command(json.dumps(dict(cmd, format="json")), inbuf, timeout=30)
    if ret != 0:
        raise RuntimeError("%s: %s" % (cmd["prefix"], err))
    return json.loads(out) if out.strip() else None


def epoch(cluster):
    return mon(cluster, {"prefix": "osd dump"})["epoch"]


def pg_temp_maps(cluster, first, last):
    """How many of the OSD maps first..last hold pg_temp entries."""
    count = 0
    for e in range(first, last + 1):
        if mon(cluster, {"prefix": "osd dump", "epoch": e}).get("pg_temp"):
            count += 1
    return count


def wait_pgs(cluster, good, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        states = mon(cluster, {"prefix": "pg stat"})
        summary = states.get("pg_summary", states)
        by_state = {s["name"]: s["num"] for s in summary.get("num_pg_by_state", [])}
        if by_state and all(good(name) for name in by_state):
            return
        time.sleep(0.5)
    raise RuntimeError("PGs not as expected after %d s: %s" % (timeout, by_state))


def wait_clean(cluster):
    wait_pgs(cluster, lambda state: state == "active+clean")


def wait_active(cluster):
    """What a stopped OSD leaves while it is not yet out: active, degraded, nothing peering."""
    wait_pgs(cluster, lambda state: state.startswith("active") and "peering" not in state)


def crush_weight(cluster, osd):
    for node in mon(cluster, {"prefix": "osd tree"})["nodes"]:
        if node.get("id") == osd:
            return node["crush_weight"]
    raise RuntimeError("osd.%d not in the tree" % osd)


def interval_setting(cluster):
    for entry in mon(cluster, {"prefix": "config dump"}):
        if entry["section"] == "mon" and entry["name"] == "paxos_propose_interval":
            return str(entry["value"])
    return None


def set_interval(cluster, value):
    if value is None:
        mon(cluster, {"prefix": "config rm", "who": "mon", "name": "paxos_propose_interval"})
    else:
        mon(cluster, {"prefix": "config set", "who": "mon", "name": "paxos_propose_interval", "value": value})


def measure(cluster, client, event, change, settled=wait_clean):
    """Make one change of the OSD map and record what the client saw in the SETTLE_S after it."""
    before = epoch(cluster)
    start = time.time()
    change()
    time.sleep(max(0.0, start + SETTLE_S - time.time()))
    settled(cluster)
    after = epoch(cluster)
    worst, ops = client.worst_between(start, start + SETTLE_S)
    step = dict(event, worst_ms=round(worst, 1) if worst is not None else None, ops=ops, maps=after - before,
                maps_with_pg_temp=pg_temp_maps(cluster, before + 1, after))
    print("  %s: worst op %s ms, %d maps (%d with pg_temp)"
          % (", ".join("%s %s" % kv for kv in event.items()), step["worst_ms"], step["maps"],
             step["maps_with_pg_temp"]), flush=True)
    return step


def weight_steps(cluster, client, osd, full, steps):
    results = []
    for i in range(steps):
        weight = full / 2 if i % 2 == 0 else full
        results.append(measure(cluster, client, {"weight": weight}, lambda w=weight: mon(
            cluster, {"prefix": "osd crush reweight", "name": "osd.%d" % osd, "weight": w})))
    return results


def cluster_sh(directory, *args):
    env = dict(os.environ, WAIT="0")
    subprocess.run(["bash", os.path.join(REPO, "tests", "ceph", "cluster.sh")] + list(args[:1]) + [directory]
                   + list(args[1:]), env=env, check=True, stdout=subprocess.DEVNULL)


def stop_start_steps(cluster, client, directory, osd, steps):
    """Each step pair: osd.N stopped with SIGTERM (it tells the monitors it is going down), then
    started again. The time the OSD takes to exit or to boot is inside the window, as a client
    would see it."""
    results = []
    for _pair in range(max(1, steps // 2)):
        results.append(measure(cluster, client, {"osd": "stop"}, lambda: cluster_sh(directory, "stop", "osd.%d" % osd),
                               settled=wait_active))
        results.append(measure(cluster, client, {"osd": "start"},
                               lambda: cluster_sh(directory, "start", "osd.%d" % osd)))
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    ap.add_argument("--event", choices=("weight", "osd-stop"), default="weight")
    ap.add_argument("--steps", type=int, default=6)
    ap.add_argument("--intervals", default="default,0.1",
                    help="comma-separated paxos_propose_interval values; 'default' = the monitors' own")
    ap.add_argument("--osd", type=int, default=3)
    args = ap.parse_args()

    own_cluster = None
    directory = os.environ.get("EUCA_CEPH_DIR")
    if not directory:
        own_cluster = directory = tempfile.mkdtemp(prefix="stall-", dir="/var/tmp")
        env = dict(os.environ, CEPH_IP=os.environ.get("CEPH_IP", "127.0.0.31"), NUM_OSDS="4")
        subprocess.run(["bash", os.path.join(REPO, "tests", "ceph", "cluster.sh"), "up", directory], env=env, check=True)
    conf = os.path.join(directory, "ceph.conf")
    cluster = rados.Rados(conffile=conf)
    cluster.connect(timeout=30)
    operator_interval = interval_setting(cluster)
    full = crush_weight(cluster, args.osd)
    client = None
    try:
        try:
            mon(cluster, {"prefix": "osd pool create", "pool": POOL, "pg_num": 64, "pgp_num": 64})
        except RuntimeError:
            pass
        mon(cluster, {"prefix": "osd pool set", "pool": POOL, "var": "pg_autoscale_mode", "val": "off"})
        mon(cluster, {"prefix": "osd pool application enable", "pool": POOL, "app": "rbd"})
        ioctx = cluster.open_ioctx(POOL)
        try:
            rbd.RBD().create(ioctx, IMAGE, IMAGE_SIZE, old_format=False, features=rbd.RBD_FEATURE_LAYERING)
        except rbd.ImageExists:
            pass
        ioctx.close()
        wait_clean(cluster)
        client = Client(conf)
        client.start()
        time.sleep(5)
        runs = []
        for value in args.intervals.split(","):
            set_interval(cluster, operator_interval if value == "default" else value)
            time.sleep(3)
            label = "monitors' own (%s)" % (operator_interval or "1.0, Ceph's default") if value == "default" else value
            print("paxos_propose_interval %s:" % label, flush=True)
            if args.event == "weight":
                steps = weight_steps(cluster, client, args.osd, full, args.steps)
            else:
                steps = stop_start_steps(cluster, client, directory, args.osd, args.steps)
            worst = [s["worst_ms"] for s in steps if s["worst_ms"] is not None]
            runs.append({"paxos_propose_interval": label, "steps": steps,
                         "worst_ms_median": round(statistics.median(worst), 1) if worst else None,
                         "worst_ms_max": max(worst) if worst else None})
        version = mon(cluster, {"prefix": "version"})
        result = {
            "what": "worst client op (64 KiB librbd write or read, one at a time) in the %d s after %s "
                    "one OSD of 4 (pool of 64 PGs, size 3), per paxos_propose_interval"
                    % (SETTLE_S, "a CRUSH weight change of" if args.event == "weight"
                       else "a graceful stop (SIGTERM) or a start of"),
            "event": args.event,
            "ceph": version.get("version") if isinstance(version, dict) else version,
            "machine": "%s, %d CPUs" % (platform.platform(), os.cpu_count()),
            "date": time.strftime("%Y-%m-%d"),
            "client_errors": client.errors,
            "client_ops": len(client.ops),
            "runs": runs,
        }
    finally:
        if client is not None:
            client.stop.set()
            client.join(30)
        set_interval(cluster, operator_interval)
        if args.event == "osd-stop":
            cluster_sh(directory, "start", "osd.%d" % args.osd)
        mon(cluster, {"prefix": "osd crush reweight", "name": "osd.%d" % args.osd, "weight": full})
        if own_cluster is None:
            mon(cluster, {"prefix": "osd pool rm", "pool": POOL, "pool2": POOL,
                          "yes_i_really_really_mean_it": True})
        cluster.shutdown()
        if own_cluster:
            subprocess.run(["bash", os.path.join(REPO, "tests", "ceph", "cluster.sh"), "down", own_cluster], check=False)

    os.makedirs(os.path.join(REPO, "benchmarks", "results"), exist_ok=True)
    out = os.path.join(REPO, "benchmarks", "results", "map_change_stall-%s.json" % args.event)
    with open(out, "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    print("\n| paxos_propose_interval | worst op per step (ms) | median | max |\n|---|---|---|---|")
    for run in runs:
        per_step = ", ".join(str(s["worst_ms"]) for s in run["steps"])
        print("| %s | %s | %s | %s |" % (run["paxos_propose_interval"], per_step, run["worst_ms_median"],
                                         run["worst_ms_max"]))
    print("client: %d ops, %d errors; written to %s" % (len(client.ops), client.errors, out))
    return 0 if client.errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
