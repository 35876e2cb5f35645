"""Wait until a test cluster is really ready; used by tests/ceph/cluster.sh.

    ready.py CONF TIMEOUT               HEALTH_OK, mgr active, every OSD up and in,
                                        every PG active+clean (on fresh stats)
    ready.py CONF TIMEOUT --osd-up ID   just wait until osd.ID is up

Why not just `ceph health`: right after OSDs boot or a pool is created, PGs are
"unknown"/"creating" while health already says HEALTH_OK, and right after an OSD joins
the mgr still shows the old mapping as active+clean for a second or two.  So every up OSD
is asked to flush its PG stats and we wait until the mon has seen that sequence number
(teuthology's wait_for_clean does the same) before trusting the PG states.

Runs with /usr/bin/python3 (Debian's python3-rados).  Argument types of raw mon commands
matter: ceph-mon 16.2.15 aborts on e.g. {"prefix": "osd last-stat-seq", "id": "osd.0"},
so ids are sent as ints.
"""
import json
import sys
import time

import rados

T0 = time.monotonic()


def say(msg):
    print(f"[ready.py +{time.monotonic() - T0:.1f}s] {msg}", file=sys.stderr, flush=True)


class Cluster:
    def __init__(self, conf):
        self.conf = conf
        self.r = None

    def connect(self):
        if self.r is None:
            r = rados.Rados(conffile=self.conf, rados_id="admin",
                            conf={"rados_mon_op_timeout": "15", "rados_osd_op_timeout": "15"})
            try:
                r.connect(timeout=15)
            except Exception:
                r.shutdown()
                raise
            self.r = r
        return self.r

    def mon(self, cmd):
        ret, out, err = self.connect().mon_command(json.dumps(cmd), b"", timeout=15)
        if ret != 0:
            raise RuntimeError(f"{cmd['prefix']}: {ret} {err}")
        return json.loads(out) if out else None

    def flush_and_wait_stats(self, osd_ids, deadline):
        """Make the mgr/mon PG stats at least as new as this moment."""
        want = {}
        for i in osd_ids:
            ret, out, _outs = self.connect().osd_command(int(i), json.dumps({"prefix": "flush_pg_stats"}),
                                                         b"", timeout=15)
            if ret == 0 and out.strip():
                want[int(i)] = int(out)
        for i, seq in want.items():
            while int(self.mon({"prefix": "osd last-stat-seq", "id": int(i)})) < seq:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"osd.{i} stats not flushed")
                time.sleep(0.2)


def summary(st):
    o, p = st["osdmap"], st["pgmap"]
    states = ",".join(f"{s['count']} {s['state_name']}" for s in p.get("pgs_by_state", [])) or "no PGs"
    checks = ",".join(sorted(st["health"].get("checks", {}))) or "-"
    mgr = "mgr active" if st.get("mgrmap", {}).get("available") else "no mgr"
    return (f"{st['health']['status']} ({checks}), {mgr}, OSDs {o['num_up_osds']} up/"
            f"{o['num_in_osds']} in/{o['num_osds']}, PGs: {states}")


def is_ready(st):
    o, p = st["osdmap"], st["pgmap"]
    clean = sum(s["count"] for s in p.get("pgs_by_state", []) if s["state_name"] == "active+clean")
    return (st["health"]["status"] == "HEALTH_OK"
            and st.get("mgrmap", {}).get("available", False)
            and o["num_osds"] > 0 and o["num_up_osds"] == o["num_in_osds"] == o["num_osds"]
            and clean == p["num_pgs"])


def main():
    conf, timeout = sys.argv[1], float(sys.argv[2])
    osd_up = int(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[3] == "--osd-up" else None
    deadline = T0 + timeout
    c = Cluster(conf)
    last = None
    while True:
        try:
            if osd_up is not None:
                osds = c.mon({"prefix": "osd dump", "format": "json"})["osds"]
                if any(o["osd"] == osd_up and o["up"] == 1 for o in osds):
                    say(f"osd.{osd_up} is up")
                    return 0
                state = f"osd.{osd_up} not up yet"
            else:
                st = c.mon({"prefix": "status", "format": "json"})
                if is_ready(st):
                    # the states may be stale: refresh the stats and look again
                    up = [o["osd"] for o in c.mon({"prefix": "osd dump", "format": "json"})["osds"] if o["up"]]
                    c.flush_and_wait_stats(up, deadline)
                    st = c.mon({"prefix": "status", "format": "json"})
                    if is_ready(st):
                        say(f"ready: {summary(st)}")
                        return 0
                state = summary(st)
        except Exception as e:  # mon or OSDs briefly unreachable while starting
            state = f"waiting: {e!r}"
            if c.r is not None and "not connected" in str(e).lower():
                c.r = None
        if state != last:
            say(state)
            last = state
        if time.monotonic() > deadline:
            say(f"NOT READY after {timeout:.0f}s; last state: {last}")
            try:
                detail = c.mon({"prefix": "health", "detail": "detail", "format": "json"})
                say("health detail: " + json.dumps(detail.get("checks", {}))[:4000])
            except Exception:
                pass
            return 1
        time.sleep(0.5)


if __name__ == "__main__":
    sys.exit(main())
