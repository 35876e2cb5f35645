# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller dies in the middle of an expansion.

Starts playbooks/expand.yml (ansible-playbook, in a process group of its own), waits for the
moment named by --at, then kills the whole process group with SIGKILL, as a crash of the
controller would:
  creation  the first new OSD is registered with the monitors (osd new): norebalance and
            osd_crush_initial_weight 0 are set, the new OSDs are not all created or started
  weight    the new host's OSDs have left weight 0 (the first weight step is applied:
            throttles set, the run waiting for active+clean)
Prints, as JSON, what the cluster held at that moment: the throttles in the configuration
database, the OSD flags, the OSD ids and whether the change record is there. The next
expand.yml run (side_effect.yml) must put back the values from before this run.
It starts ansible-playbook itself, not a run through ansible-runner (as the scenario's other
runs do): the crash is SIGKILL to ansible-playbook's own process group.

Usage: kill_mid_expand.py --mon CONTAINER --host CRUSH_HOST --at creation|weight --timeout S
       -- ansible-playbook ARGS...
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import time

RECORD_KEY = "eucalyptus/change-records/osd_expand"


def ceph(mon, *args):
    out = subprocess.run(["docker", "exec", mon, "ceph", "--connect-timeout", "10", "--format", "json"] + list(args),
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out) if out.strip() else None


def host_weights(mon, host):
    nodes = ceph(mon, "osd", "tree")["nodes"]
    by_id = {n["id"]: n for n in nodes}
    for node in nodes:
        if node["type"] == "host" and node["name"] == host:
            return [by_id[c].get("crush_weight", 0.0) for c in node.get("children", [])]
    return []


def osd_ids(mon):
    return sorted(ceph(mon, "osd", "ls"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mon", required=True)
    parser.add_argument("--host", required=True)
    parser.add_argument("--at", choices=["creation", "weight"], default="weight")
    parser.add_argument("--timeout", type=int, default=900)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    log = open(os.environ.get("KILL_MID_EXPAND_LOG", os.devnull), "w")
    osds_before = osd_ids(args.mon)
    run = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    started = time.monotonic()
    weights = []
    while True:
        if run.poll() is not None:
            sys.exit("the expansion finished (exit %d) before the moment '%s' was seen" % (run.returncode, args.at))
        if time.monotonic() - started > args.timeout:
            os.killpg(run.pid, signal.SIGKILL)
            sys.exit("moment '%s' not seen within %d s" % (args.at, args.timeout))
        if args.at == "creation":
            if len(osd_ids(args.mon)) > len(osds_before):
                break
            time.sleep(0.2)
            continue
        weights = host_weights(args.mon, args.host)
        if weights and any(w > 0 for w in weights):
            break
        time.sleep(1)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()
    killed_after = time.monotonic() - started
    dump = ceph(args.mon, "config", "dump")
    config = {e["name"]: str(e["value"]) for e in dump if e["section"] == "osd"}
    mon_config = {e["name"]: str(e["value"]) for e in dump if e["section"] == "mon"}
    record = subprocess.run(["docker", "exec", args.mon, "ceph", "--connect-timeout", "10", "config-key", "exists",
                             RECORD_KEY], capture_output=True, check=False).returncode == 0
    print(json.dumps({
        "killed_at": args.at,
        "killed_after_s": round(killed_after, 1),
        "osds_before": osds_before,
        "osds_at_kill": osd_ids(args.mon),
        "weights_at_kill": weights,
        "osd_config_at_kill": config,
        "mon_config_at_kill": mon_config,
        "flags_at_kill": sorted(ceph(args.mon, "osd", "dump")["flags_set"]),
        "record_at_kill": record,
    }))


if __name__ == "__main__":
    main()
