"""Run a playbook of eucalyptus.ceph (site, expand, retire, validate, ...) through ansible-runner,
the engine AWX and Ansible Automation Platform use, and judge it by its event stream rather
than by its printed output.

    python3 run_playbook.py -i inventory.yml eucalyptus.ceph.site
    python3 run_playbook.py -i inventory.yml --limit nc7 --check --summary plan.json eucalyptus.ceph.site
    python3 run_playbook.py -vvv -i inventory.yml --summary site.json eucalyptus.ceph.site >site-vvv.log

The play's output is printed as it runs. At the end, a JSON summary (stdout, or the file
given with --summary) holds the status, the return code, the per-host counts of the
"playbook_on_stats" event (ok, changed, failures, unreachable, skipped) and every failed
task with its host and message. The exit status is ansible-playbook's.

Needs ansible-runner (pip install ansible-runner) next to ansible-core, and the collection
installed (ansible-galaxy collection install eucalyptus.ceph, or ANSIBLE_COLLECTIONS_PATH).
ansible-runner keeps its artifacts (every event, with task results) in a private directory:
this script makes one readable by its user only and removes it afterwards, so nothing of a run
stays on disk but the summary. No secret is passed on a command line: give keys through the
inventory or vault-encrypted files, never with -e.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile

import ansible_runner

STAT_KEYS = ("ok", "changed", "failures", "dark", "skipped")


def host_stats(stats):
    """{host: {ok, changed, failures, unreachable, skipped}} from the playbook_on_stats event."""
    hosts = set()
    for key in STAT_KEYS:
        hosts.update((stats or {}).get(key, {}))
    return dict((host, dict((("unreachable" if key == "dark" else key), stats.get(key, {}).get(host, 0))
                            for key in STAT_KEYS)) for host in sorted(hosts))


def failed_tasks(events):
    """The tasks that failed (ignored failures left out), with their host and message."""
    failed = []
    for event in events:
        data = event.get("event_data", {})
        if event.get("event") in ("runner_on_failed", "runner_on_unreachable") and not data.get("ignore_errors"):
            result = data.get("res", {})
            msg = result.get("msg") or result.get("stderr") or "unreachable"
            # a loop fails as a whole ("One or more items failed"): say why each item did
            items = [str(r.get("msg")) for r in result.get("results", []) if isinstance(r, dict) and r.get("failed")]
            if items:
                msg = "%s: %s" % (msg, "; ".join(items))
            failed.append({"host": data.get("host"), "task": data.get("task"), "msg": msg})
    return failed


def run(playbook, inventories, limit=None, check=False, verbosity=0, extra_args=(), quiet=False):
    """Run ``playbook`` (a collection playbook name or a path) and return the summary dict."""
    private = tempfile.mkdtemp(prefix="eucalyptus-ceph-runner-")  # mode 0700
    try:
        cmdline = list(extra_args)
        if limit:
            cmdline += ["--limit", limit]
        if check:
            cmdline.append("--check")
        if verbosity:
            cmdline.append("-" + "v" * verbosity)
        # the ansible-playbook of this Python's environment first (a venv need not be activated)
        path = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "/usr/bin:/bin")])
        runner = ansible_runner.run(
            private_data_dir=private, playbook=playbook, inventory=list(inventories),
            cmdline=" ".join(cmdline) or None, envvars={"PATH": path}, quiet=quiet)
        stats = host_stats(runner.stats)
        return {"playbook": playbook, "status": runner.status, "rc": runner.rc, "hosts": stats,
                "changed": sum(h["changed"] for h in stats.values()),
                "failed_tasks": failed_tasks(runner.events)}
    finally:
        shutil.rmtree(private, ignore_errors=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("playbook", help="e.g. eucalyptus.ceph.site or a path to a playbook")
    parser.add_argument("-i", "--inventory", action="append", required=True)
    parser.add_argument("--limit")
    parser.add_argument("--check", action="store_true")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="ansible-playbook's -v, -vv, -vvv")
    parser.add_argument("--summary", help="write the JSON summary to this file instead of stdout")
    args = parser.parse_args(argv)
    summary = run(args.playbook, args.inventory, limit=args.limit, check=args.check, verbosity=args.verbose)
    text = json.dumps(summary, indent=2, sort_keys=True) + "\n"
    if args.summary:
        with open(args.summary, "w") as out:
            out.write(text)
    else:
        sys.stdout.write(text)
    return summary["rc"] if isinstance(summary["rc"], int) else 1


if __name__ == "__main__":
    sys.exit(main())
