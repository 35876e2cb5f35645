# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A lab host, or the controller itself, crashes while a playbook runs.

Starts COMMAND (ansible-playbook ...) in a process group of its own with its output in --log,
waits until a line of that output matches --when (a regular expression, e.g. the title of a
play), then either kills the container --container with SIGKILL (`docker kill`: no shutdown,
its daemons die where they are, as in a power cut), or, with --controller, kills COMMAND's
whole process group with SIGKILL (the controller dies). Waits for COMMAND to end and prints,
as JSON: its exit status, when the crash happened, how long the run took and the PLAY RECAP
counts per host (none when the controller was killed).
COMMAND is ansible-playbook itself, not a run through ansible-runner: killing the controller
means SIGKILL to ansible-playbook's own process group, which this script must start.

Usage: crash_during.py (--container NAME | --controller) --when REGEX --log FILE [--timeout S] -- COMMAND...
"""

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time

RECAP_RE = re.compile(r"^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)")


def recap(text):
    out = {}
    for line in text.split("PLAY RECAP", 1)[-1].splitlines():
        m = RECAP_RE.match(line.strip())
        if m:
            out[m.group(1)] = dict(zip(("ok", "changed", "unreachable", "failed", "skipped"),
                                       (int(g) for g in m.groups()[1:])))
    return out


def main():
    parser = argparse.ArgumentParser()
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--container")
    target.add_argument("--controller", action="store_true")
    parser.add_argument("--when", required=True, type=re.compile)
    parser.add_argument("--log", required=True)
    parser.add_argument("--timeout", type=int, default=900)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    started = time.monotonic()
    with open(args.log, "w") as log:
        run = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    killed_at = None
    with open(args.log) as reader:
        seen = ""
        while run.poll() is None and time.monotonic() - started < args.timeout:
            seen += reader.read()
            if killed_at is None and args.when.search(seen):
                if args.controller:
                    os.killpg(run.pid, signal.SIGKILL)
                else:
                    subprocess.run(["docker", "kill", "--signal", "KILL", args.container], check=True,
                                   capture_output=True)
                killed_at = time.monotonic() - started
            time.sleep(0.2)
    if run.poll() is None:
        os.killpg(run.pid, signal.SIGKILL)
        run.wait()
        sys.exit("%s did not end within %d s (log: %s)" % (command[0], args.timeout, args.log))
    if killed_at is None:
        sys.exit("%s ended (exit %d) before a line matched %r: %s was not crashed (log: %s)"
                 % (command[0], run.returncode, args.when.pattern, args.container or "the controller", args.log))
    with open(args.log) as f:
        text = f.read()
    print(json.dumps({
        "rc": run.returncode,
        "crashed": args.container or "controller",
        "crashed_after_s": round(killed_at, 1),
        "run_s": round(time.monotonic() - started, 1),
        "recap": recap(text),
    }))


if __name__ == "__main__":
    main()
