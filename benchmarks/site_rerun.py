"""Cost of the site deployment on a Molecule lab, next to a no-op over the same hosts.

Measures, on the lab of scenario "default" (mon1, sc1, nc1, nc2; containers), or with
--ncs N on the scale lab (smon1, ssc1, snc1..sncN: scenario "scale", the default lab with N
Node Controllers, written by scripts/scale_lab.py):
  up        scripts/lab.sh up: create + prepare + first site.yml (images already built or not:
            the JSON says which; only when the lab is not running yet, or with --fresh)
  rerun     a second site.yml (ansible-playbook eucalyptus.ceph.site, the lab's inventory and
            ansible.cfg): nothing to change
  existing  a site.yml re-run with ebs_bootstrap_cluster=false (the cluster only read, as on an
            operator's existing cluster)
  noop      benchmarks/noop.yml over the same hosts through the same molecule ansible.cfg and
            inventory: fact gathering + one ping
for each: wall time, CPU of all child processes (ansible and its forks), changed/failed tasks
per host from the PLAY RECAP, and the slowest tasks (profile_tasks). Writes
benchmarks/results/site_rerun-SUITE.json (scale: site_rerun-SUITE-ncsN.json) and prints a table
with the ratio rerun / noop (the goal is 1.5 or less). --ncs 2,5,10 runs one lab after the other
and prints how the cost grows with the number of NCs. Never asserts on time; exits non-zero
when a re-run fails or changes something (a re-run must change nothing).

--sweep 1,2,5 (with --ncs 10) adds the re-run and the no-op limited to the first 1, 2, 5 NCs.

Usage (root):  .venv/bin/python benchmarks/site_rerun.py [--ncs N[,N...]] [--fresh] [--rounds N] [--keep]
                                                         [--existing-only] [--forks N]
--fresh destroys a running lab first; --keep leaves the (last) lab running afterwards.
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
ANSI_RE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
RECAP_RE = re.compile(r"^(?P<host>\S+)\s+:\s+ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+unreachable=(?P<unreachable>\d+)"
                      r"\s+failed=(?P<failed>\d+)", re.MULTILINE)
# profile_tasks' TASKS RECAP lines: "role : Task name ------- 3.19s"
PROFILE_RE = re.compile(r"^(?P<task>\S.*?) -{3,} (?P<seconds>\d+\.\d+)s$", re.MULTILINE)
SUITE_VARS = ("EUCA_LAB_CEPH_SUITE", "EUCA_LAB_SC_SUITE", "EUCA_LAB_NC1_SUITE", "EUCA_LAB_NC2_SUITE")


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
    output = plain(p.stdout)
    recap = dict((m.group("host"), dict((k, int(m.group(k))) for k in ("ok", "changed", "unreachable", "failed")))
                 for m in RECAP_RE.finditer(output.rsplit("PLAY RECAP", maxsplit=1)[-1]))
    slowest = [dict(task=m.group("task"), seconds=float(m.group("seconds")))
               for m in PROFILE_RE.finditer(output.rsplit("TASKS RECAP", maxsplit=1)[-1])][:10]
    result = dict(wall_s=round(wall, 1), cpu_s=round(cpu, 1), rc=p.returncode, recap=recap,
                  changed=sum(h["changed"] for h in recap.values()), failed=sum(h["failed"] for h in recap.values()),
                  tasks=sum(h["ok"] for h in recap.values()), slowest_tasks=slowest)
    summary_line = "[site_rerun] %s: %.1f s wall, %.1f s CPU, rc %d, changed %d" % (
        label, wall, cpu, p.returncode, result["changed"])
    print(summary_line, file=sys.stderr, flush=True)
    if p.returncode or result["changed"]:
        print(p.stdout[-6000:], file=sys.stderr)
    return result


def molecule_files(scenario):
    """The inventory and ansible.cfg molecule generated for the scenario (newest wins)."""
    candidates = glob.glob(os.path.expanduser("~/.cache/molecule/%s/%s" % (os.path.basename(REPO), scenario)))
    candidates += glob.glob(os.path.expanduser("~/.ansible/tmp/molecule.*.%s" % scenario))
    found = [d for d in candidates if os.path.isfile(os.path.join(d, "ansible.cfg"))
             and os.path.isdir(os.path.join(d, "inventory"))]
    if not found:
        sys.exit("no molecule ephemeral directory with ansible.cfg and inventory/ for scenario %s" % scenario)
    newest = max(found, key=lambda d: os.path.getmtime(os.path.join(d, "ansible.cfg")))
    return os.path.join(newest, "inventory"), os.path.join(newest, "ansible.cfg")


def running(container):
    p = subprocess.run(["docker", "ps", "-q", "--filter", "name=^%s$" % container], text=True, capture_output=True,
                       check=False)
    return bool(p.stdout.strip())


def scale_ncs_present():
    """The highest K of the scale lab's snc<K> containers on this host (running or not), or 0."""
    p = subprocess.run(["docker", "ps", "-a", "--format", "{{.Names}}", "--filter", "name=^snc[0-9]+$"], text=True,
                       capture_output=True, check=False)
    return max([int(n[3:]) for n in p.stdout.split() if n[3:].isdigit()] or [0])


def summary(runs):
    return dict(wall_s=statistics.median(r["wall_s"] for r in runs), cpu_s=statistics.median(r["cpu_s"] for r in runs),
                changed=max(r["changed"] for r in runs), failed=max(r["failed"] for r in runs),
                rc=max(r["rc"] for r in runs), tasks=max(r["tasks"] for r in runs), runs=runs)


def measure(args, ncs):
    """One lab: up (when needed), re-runs, existing-cluster re-runs and no-ops; the result dict."""
    scenario, last_nc = ("default", "nc2") if ncs is None else ("scale", "snc%d" % ncs)
    env = dict(os.environ, PATH=os.path.join(REPO, ".venv", "bin") + os.pathsep + os.environ.get("PATH", ""),
               COLUMNS="400")   # molecule would wrap the task names of the profile
    if ncs is not None:
        env["EUCA_LAB_NCS"] = str(ncs)
    env["EUCA_COLLECTIONS_PATH"] = args.collections   # molecule.yml reads it
    env["SKIP_BOOTSTRAP"] = "1"
    out = dict(scenario=scenario, ncs=2 if ncs is None else ncs, forks=args.forks or 50,
               date=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), cpus=os.cpu_count(), rounds=args.rounds,
               suites=dict((v, os.environ.get(v, "bookworm")) for v in SUITE_VARS))
    lab = ["bash", "scripts/lab.sh"]
    if args.fresh or (ncs is not None and not running(last_nc)):
        # molecule destroys the hosts of the molecule.yml generated for EUCA_LAB_NCS: a bigger
        # scale lab of an earlier run needs its own count, or its extra NCs would stay
        down_env = dict(env, EUCA_LAB_NCS=str(max(ncs or 0, scale_ncs_present()))) if ncs is not None else env
        timed(lab + ["down", scenario], down_env, "down")
    if not running(last_nc):
        images = all(subprocess.run(["docker", "image", "inspect", "eucalyptus-ceph/lab:%s" % suite],
                                    capture_output=True, check=False).returncode == 0
                     for suite in set(out["suites"].values()))
        out["up"] = timed(lab + ["up", scenario], env, "up")
        out["up"]["images_present_before"] = images
        if out["up"]["rc"]:
            timed(lab + ["down", scenario], env, "down")
            sys.exit("lab.sh up %s failed" % scenario)
    try:
        inventory, cfg = molecule_files(scenario)
        # site.yml as an operator runs it (ansible-playbook, the installed collection), and the
        # no-op, through the inventory and ansible.cfg molecule wrote for the lab
        menv = dict(env, ANSIBLE_CONFIG=cfg, ANSIBLE_PIPELINING="true", ANSIBLE_COLLECTIONS_PATH=args.collections)
        if args.forks:
            menv["ANSIBLE_FORKS"] = str(args.forks)   # over the lab's ansible.cfg (molecule: 50)
        site = ["ansible-playbook", "-i", inventory, "eucalyptus.ceph.site"]
        reruns, existing, noops = [], [], []
        for i in range(args.rounds):
            if not args.existing_only:
                reruns.append(timed(site, menv, "rerun %d" % (i + 1)))
            existing.append(timed(site + ["-e", "ebs_bootstrap_cluster=false"], menv,
                                  "existing-cluster rerun %d" % (i + 1)))
            noops.append(timed(["ansible-playbook", "-i", inventory, "benchmarks/noop.yml"], menv, "noop %d" % (i + 1)))
        # how the cost grows with the number of NCs: the same lab, the run limited to the
        # cluster and SC hosts and the first K NCs
        for k in sorted(set(n for n in args.sweep if ncs and n < ncs)):
            limit = ["--limit", ",".join(["smon1", "ssc1"] + ["snc%d" % i for i in range(1, k + 1)])]
            runs = [timed(site + ["-e", "ebs_bootstrap_cluster=false"] + limit, menv,
                          "existing-cluster rerun %d, %d NCs" % (i + 1, k)) for i in range(args.rounds)]
            noop_runs = [timed(["ansible-playbook", "-i", inventory, "benchmarks/noop.yml"] + limit, menv,
                               "noop %d, %d NCs" % (i + 1, k)) for i in range(args.rounds)]
            out.setdefault("sweep", []).append(dict(ncs=k, existing=summary(runs), noop=summary(noop_runs)))
            existing_bad = [r for r in runs if r["rc"] or r["changed"]]
            if existing_bad:
                out["sweep_failed"] = True
        out["existing"], out["noop"] = summary(existing), summary(noops)
        if reruns:
            out["rerun"] = summary(reruns)
        out["hosts"] = hosts = len(existing[-1]["recap"]) or 1
        for key in [k for k in ("rerun", "existing") if k in out]:
            out[key]["ratio_wall"] = round(out[key]["wall_s"] / out["noop"]["wall_s"], 2)
            out[key]["ratio_cpu"] = round(out[key]["cpu_s"] / max(out["noop"]["cpu_s"], 0.1), 2)
            out[key]["per_host_wall_s"] = round(out[key]["wall_s"] / hosts, 2)
        out["noop"]["per_host_wall_s"] = round(out["noop"]["wall_s"] / hosts, 2)
        os.makedirs(os.path.join(REPO, "benchmarks", "results"), exist_ok=True)
        name = "site_rerun-%s%s%s.json" % (out["suites"]["EUCA_LAB_CEPH_SUITE"], "" if ncs is None else "-ncs%d" % ncs,
                                           "-forks%d" % args.forks if args.forks else "")
        out["path"] = os.path.join(REPO, "benchmarks", "results", name)
        with open(out["path"], "w") as f:
            json.dump(out, f, indent=2)
    finally:
        if not args.keep or ncs != (args.ncs or [None])[-1]:
            timed(lab + ["down", scenario], env, "down")
    return out


def report(results):
    print("\n| NCs | hosts | run | wall | CPU | tasks ok | changed | vs no-op (wall / CPU) | wall per host |")
    print("|---|---|---|---|---|---|---|---|---|")
    for out in results:
        if "up" in out:
            print("| %d | %d | lab.sh up (images %s) | %.1f s | %.1f s | %d | %d | | |" % (
                out["ncs"], out["hosts"], "present" if out["up"]["images_present_before"] else "built",
                out["up"]["wall_s"], out["up"]["cpu_s"], out["up"]["tasks"], out["up"]["changed"]))
        for label, key in (("site.yml re-run", "rerun"), ("re-run, existing cluster", "existing"),
                           ("no-op playbook", "noop")):
            if key not in out:
                continue
            r = out[key]
            ratio = "%.2fx / %.2fx" % (r["ratio_wall"], r["ratio_cpu"]) if "ratio_wall" in r else "1.00x"
            print("| %d | %d | %s (median of %d) | %.1f s | %.1f s | %d | %d | %s | %.2f s |" % (
                out["ncs"], out["hosts"], label, out["rounds"], r["wall_s"], r["cpu_s"], r["tasks"], r["changed"],
                ratio, r["per_host_wall_s"]))
    for out in results:
        print("\n%d NCs, slowest tasks of the last existing-cluster re-run: %s" % (out["ncs"], "; ".join(
            "%s %.2fs" % (t["task"], t["seconds"]) for t in out["existing"]["runs"][-1]["slowest_tasks"][:6])))
        print("written to %s" % out["path"])
    for out in results:
        points = [(p["ncs"], p["existing"]["wall_s"], p["noop"]["wall_s"]) for p in out.get("sweep", [])]
        points.append((out["ncs"], out["existing"]["wall_s"], out["noop"]["wall_s"]))
        if len(points) > 1:
            print("\n| NCs (same lab, --limit) | existing-cluster re-run | no-op | ratio |\n|---|---|---|---|")
            for n, rerun, noop in points:
                print("| %d | %.1f s | %.1f s | %.2fx |" % (n, rerun, noop, rerun / noop))
            (n0, r0, z0), (n1, r1, z1) = points[0], points[-1]
            print("growth from %d to %d NCs: re-run %+.2f s per NC, no-op %+.2f s per NC" % (
                n0, n1, (r1 - r0) / (n1 - n0), (z1 - z0) / (n1 - n0)))
    if len(results) > 1:
        first, last = results[0], results[-1]
        extra = last["ncs"] - first["ncs"]
        for key in ("existing", "noop"):
            print("growth %s: %+.2f s wall per added NC (%d -> %d NCs)" % (
                key, (last[key]["wall_s"] - first[key]["wall_s"]) / extra, first["ncs"], last["ncs"]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3, help="re-runs and no-ops measured (median reported)")
    ap.add_argument("--ncs", type=lambda v: [int(n) for n in v.split(",")], default=None,
                    help="the scale lab with this many NCs (a comma list runs one lab after the other)")
    ap.add_argument("--fresh", action="store_true", help="destroy a running lab first, so 'up' is measured")
    ap.add_argument("--keep", action="store_true", help="leave the (last) lab running")
    ap.add_argument("--forks", type=int, default=None,
                    help="Ansible's forks for the re-runs and no-ops (default: the lab's ansible.cfg, 50)")
    ap.add_argument("--sweep", type=lambda v: [int(n) for n in v.split(",")], default=[],
                    help="also measure the existing-cluster re-run and the no-op limited to the first K NCs of the "
                         "scale lab, for each K of this comma list (how the cost grows, without another lab)")
    ap.add_argument("--existing-only", action="store_true",
                    help="skip the re-run with the lab's own cluster role (the default scenario proves it changes "
                         "nothing); measure only the re-run an operator of an existing cluster makes")
    args = ap.parse_args()
    # the scenarios run the installed Galaxy artifact of this tree (as scripts/lab.sh does)
    args.collections = os.environ.get("EUCA_COLLECTIONS_PATH") or subprocess.run(
        ["bash", "scripts/install_collection.sh"], cwd=REPO, check=True, text=True, stdout=subprocess.PIPE,
        env=dict(os.environ, ANSIBLE_GALAXY=os.path.join(REPO, ".venv", "bin", "ansible-galaxy"))).stdout.strip()
    results = [measure(args, ncs) for ncs in (args.ncs or [None])]
    report(results)
    bad = [r for r in results for key in ("rerun", "existing") if key in r
           and (r[key]["failed"] or r[key]["rc"] or r[key]["changed"])] + [r for r in results if r.get("sweep_failed")]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
