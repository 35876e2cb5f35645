"""Exit 0 when the hand-built cluster is as prepare.yml built it, else print why and exit 1.

Ready = all monitors in quorum, every OSD up and in, a mgr active with the expected standbys,
every pool's PGs known and active+clean, and exactly the expected health checks (plus any
allowed ones). Uses only the ceph CLI with the admin keyring of /etc/ceph; prints no keys.
"""

import argparse
import json
import subprocess
import sys


def ceph(*args):
    out = subprocess.run(["ceph", "--connect-timeout", "10", "--format", "json", *args],
                         check=True, capture_output=True, text=True, timeout=60, cwd="/").stdout
    return json.loads(out)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--mons", type=int, required=True)
    p.add_argument("--osds", type=int, required=True)
    p.add_argument("--mgrs", type=int, required=True)
    p.add_argument("--checks", default="", help="comma-separated health checks that must be present")
    p.add_argument("--allow", default="", help="comma-separated health checks that may be present")
    a = p.parse_args()
    want = {c for c in a.checks.split(",") if c}
    allow = {c for c in a.allow.split(",") if c}

    try:
        st = ceph("status")
        pools = ceph("osd", "pool", "ls")
    except (subprocess.SubprocessError, ValueError) as e:
        print("not ready: %s" % e)
        return 1
    why = []
    if len(st.get("quorum_names", [])) != a.mons:
        why.append("quorum %s" % st.get("quorum_names"))
    om = st["osdmap"]
    if not om["num_osds"] == om["num_up_osds"] == om["num_in_osds"] == a.osds:
        why.append("osds %d/%d/%d (total/up/in)" % (om["num_osds"], om["num_up_osds"], om["num_in_osds"]))
    mm = st.get("mgrmap", {})
    if not mm.get("available") or mm.get("num_standbys", 0) != a.mgrs - 1:
        why.append("mgr available=%s standbys=%s" % (mm.get("available"), mm.get("num_standbys")))
    pg = st["pgmap"]
    clean = sum(s["count"] for s in pg.get("pgs_by_state", []) if s["state_name"] == "active+clean")
    if pg.get("num_pools", 0) != len(pools) or clean != pg["num_pgs"] or (pools and not pg["num_pgs"]):
        why.append("pgs %s of %d pools %s" % (pg.get("pgs_by_state"), len(pools), pools))
    checks = set(st["health"].get("checks", {}))
    if checks - allow != want:
        why.append("health %s %s" % (st["health"]["status"], sorted(checks)))
    summary = "%s; mons %s; osds %d up; pools %s; pgs %s; health %s %s" % (
        st["fsid"], st.get("quorum_names"), om["num_up_osds"], pools,
        {s["state_name"]: s["count"] for s in pg.get("pgs_by_state", [])},
        st["health"]["status"], sorted(checks))
    if why:
        print("not ready: " + "; ".join(why))
        return 1
    print("ready: " + summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
