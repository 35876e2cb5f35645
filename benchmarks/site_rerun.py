"""Cost of the site deployment on the Molecule lab, next to a no-op over the same hosts.

Measures, on the lab of scenario "default" (mon1, sc1, nc1, nc2; containers):
  up        scripts/lab.sh up: create + prepare + first site.yml (images already built or not:
            the JSON says which; only when the lab is not running yet, or with --fresh)
  rerun     a second site.yml (molecule converge): nothing to change
  noop      benchmarks/noop.yml over the same hosts through the same molecule ansible.cfg and
            inventory: fact gathering + one ping
for each: wall time, CPU of all child processes (ansible and its forks), changed/failed tasks
per host from the PLAY RECAP. Writes benchmarks/results/site_rerun.json and prints a table
with the ratio rerun / noop (the goal is 1.5 or less). Never asserts on time.

Usage (root):  .venv/bin/python benchmarks/site_rerun.py [--fresh] [--rounds N] [--keep]
--fresh destroys a running lab first; --keep leaves the lab running afterwards.
"""

import argparse
import glob
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCENARIO = "default"
ANSI_RE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
RECAP_RE = re.compile(r"^(?P<host>\S+)\s+:\s+ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+unreachable=(?P<unreachable>\d+)"
                      r"\s+failed=(?P<failed>\d+)", re.MULTILINE)


def plain(text):
    """Molecule's output without colours and without its box-drawing margin."""
    text = ANSI_RE.sub("", text)
    return "\n".join(line.lstrip(" \u2502").rstrip() for line in text.splitlines())


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(argv, env=None, label=""):
    print("[site_rerun] %s: %s" % (label, " ".join(argv)), file=sys.stderr, flush=True)
    cpu0, t0 = children_cpu(), time.monotonic()
    p = subprocess.run(argv, cwd=REPO, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       check=False)
    wall, cpu = time.monotonic() - t0, children_cpu() - cpu0
    recap = dict((m.group("host"), dict((k, int(m.group(k))) for k in ("ok", "changed", "unreachable", "failed")))
                 for m in RECAP_RE.finditer(plain(p.stdout).rsplit("PLAY RECAP", maxsplit=1)[-1]))
    result = dict(wall_s=round(wall, 1), cpu_s=round(cpu, 1), rc=p.returncode, recap=recap,
                  changed=sum(h["changed"] for h in recap.values()), failed=sum(h["failed"] for h in recap.values()))
    summary_line = "[site_rerun] %s: %.1f s wall, %.1f s CPU, rc %d, changed %d" % (
        label, wall, cpu, p.returncode, result["changed"])
    print(summary_line, file=sys.stderr, flush=True)
    if p.returncode:
        print(p.stdout[-4000:], file=sys.stderr)
    return result


def molecule_files():
    """The inventory and ansible.cfg molecule generated for the scenario (newest wins)."""
    candidates = glob.glob(os.path.expanduser("~/.cache/molecule/%s/%s" % (os.path.basename(REPO), SCENARIO)))
    candidates += glob.glob(os.path.expanduser("~/.ansible/tmp/molecule.*.%s" % SCENARIO))
    found = [d for d in candidates if os.path.isfile(os.path.join(d, "ansible.cfg"))
             and os.path.isdir(os.path.join(d, "inventory"))]
    if not found:
        sys.exit("no molecule ephemeral directory with ansible.cfg and inventory/ for scenario %s" % SCENARIO)
    newest = max(found, key=lambda d: os.path.getmtime(os.path.join(d, "ansible.cfg")))
    return os.path.join(newest, "inventory"), os.path.join(newest, "ansible.cfg")


def lab_running():
    p = subprocess.run(["docker", "ps", "-q", "--filter", "name=^nc2$"], text=True, capture_output=True, check=False)
    return bool(p.stdout.strip())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3, help="re-runs and no-ops measured (median reported)")
    ap.add_argument("--fresh", action="store_true", help="destroy a running lab first, so 'up' is measured")
    ap.add_argument("--keep", action="store_true", help="leave the lab running")
    args = ap.parse_args()
    env = dict(os.environ, PATH=os.path.join(REPO, ".venv", "bin") + os.pathsep + os.environ.get("PATH", ""))
    out = dict(scenario=SCENARIO, date=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
               cpus=os.cpu_count(), rounds=args.rounds,
               suites=dict((v, os.environ.get(v, "bookworm")) for v in
                           ("EUCA_LAB_CEPH_SUITE", "EUCA_LAB_SC_SUITE", "EUCA_LAB_NC1_SUITE", "EUCA_LAB_NC2_SUITE")))
    if args.fresh and lab_running():
        timed(["bash", "scripts/lab.sh", "down"], env, "down")
    if not lab_running():
        images = subprocess.run(["docker", "image", "inspect", "eucalyptus-ceph/lab:bookworm"], capture_output=True,
                                check=False).returncode == 0
        out["up"] = timed(["bash", "scripts/lab.sh", "up"], env, "up")
        out["up"]["images_present_before"] = images
        if out["up"]["rc"]:
            sys.exit("lab.sh up failed")
    inventory, cfg = molecule_files()
    menv = dict(env, ANSIBLE_CONFIG=cfg,
                ANSIBLE_COLLECTIONS_PATH=os.path.join(REPO, "build", "collections"),
                ANSIBLE_ROLES_PATH=os.path.join(REPO, "roles"), ANSIBLE_PIPELINING="true")
    reruns, noops = [], []
    for i in range(args.rounds):
        reruns.append(timed(["molecule", "converge", "-s", SCENARIO], env, "rerun %d" % (i + 1)))
        noops.append(timed(["ansible-playbook", "-i", inventory, "benchmarks/noop.yml"], menv, "noop %d" % (i + 1)))
    hosts = len(reruns[-1]["recap"]) or 1

    def summary(runs):
        return dict(wall_s=statistics.median(r["wall_s"] for r in runs), cpu_s=statistics.median(r["cpu_s"] for r in runs),
                    changed=max(r["changed"] for r in runs), failed=max(r["failed"] for r in runs),
                    rc=max(r["rc"] for r in runs), runs=runs)
    out["rerun"], out["noop"] = summary(reruns), summary(noops)
    out["hosts"] = hosts
    out["ratio_wall"] = round(out["rerun"]["wall_s"] / out["noop"]["wall_s"], 2)
    out["ratio_cpu"] = round(out["rerun"]["cpu_s"] / max(out["noop"]["cpu_s"], 0.1), 2)
    out["per_host_wall_s"] = dict(rerun=round(out["rerun"]["wall_s"] / hosts, 1),
                                  noop=round(out["noop"]["wall_s"] / hosts, 1))
    os.makedirs(os.path.join(REPO, "benchmarks", "results"), exist_ok=True)
    release = out["suites"]["EUCA_LAB_CEPH_SUITE"]
    path = os.path.join(REPO, "benchmarks", "results", "site_rerun-%s.json" % release)
    with open(path, "w") as f:
        json.dump(out, f, indent=2)
    print("\n| run | wall | CPU | changed |\n|---|---|---|---|")
    if "up" in out:
        print("| lab.sh up (images %s) | %.1f s | %.1f s | %d |" % (
            "present" if out["up"]["images_present_before"] else "built", out["up"]["wall_s"], out["up"]["cpu_s"],
            out["up"]["changed"]))
    for label, key in (("site.yml re-run", "rerun"), ("no-op playbook", "noop")):
        print("| %s (median of %d) | %.1f s | %.1f s | %d |" % (
            label, args.rounds, out[key]["wall_s"], out[key]["cpu_s"], out[key]["changed"]))
    print("\nre-run / no-op: %.2fx wall, %.2fx CPU over %d hosts; written to %s" % (
        out["ratio_wall"], out["ratio_cpu"], hosts, path))
    if not args.keep:
        timed(["bash", "scripts/lab.sh", "down"], env, "down")
    return 1 if out["rerun"]["failed"] or out["rerun"]["rc"] else 0


if __name__ == "__main__":
    sys.exit(main())
