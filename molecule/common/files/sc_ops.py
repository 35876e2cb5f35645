# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""EBS operations one after another, as the Eucalyptus Storage Controller makes them: for each
one the cloud properties cephuser and cephkeyringfile read again (with --euctl; else --user and
--keyring), a new librados handle as that user, its keyring FILE read again (the key is never an
argument), an image created and removed. Made for molecule/default's key rotation.

Loops until DIR/stop exists (or --max-seconds); writes DIR/running after the first operation
and DIR/summary.json at the end: operations, failures, the first failures' messages, and how
many operations each user made.
Exit status 0 only without a failed operation."""

from __future__ import absolute_import, division, print_function

import argparse
import json
import os
import re
import subprocess
import sys
import time

import rados
import rbd


def cloud_property(euctl, name):
    """The value `euctl NAME` prints (NAME = VALUE, or NAME=VALUE)."""
    out = subprocess.run([euctl, name], check=True, capture_output=True, text=True, timeout=60).stdout
    match = re.match(r"^\S+?\s*=\s*(.*?)\s*\Z", out.strip())
    if not match:
        raise RuntimeError("euctl %s printed %r" % (name, out))
    return match.group(1)


def credentials(args):
    if not args.euctl:
        return args.user, args.keyring
    prefix = "%s.storage." % args.zone
    return cloud_property(args.euctl, prefix + "cephuser"), cloud_property(args.euctl, prefix + "cephkeyringfile")


def one_operation(args, name, user, keyring):
    cluster = rados.Rados(conffile=args.conf, rados_id=user, conf={"keyring": keyring})
    cluster.connect(timeout=60)
    try:
        with cluster.open_ioctx(args.pool) as io:
            rbd.RBD().create(io, name, 4 << 20, old_format=False, features=rbd.RBD_FEATURE_LAYERING)
            rbd.RBD().remove(io, name)
    finally:
        cluster.shutdown()


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--conf", default="/etc/ceph/ceph.conf")
    ap.add_argument("--user", help="cephx id without 'client.' (without --euctl)")
    ap.add_argument("--keyring", help="keyring FILE of the user (without --euctl)")
    ap.add_argument("--euctl", help="read the user and keyring from the cloud properties for every operation")
    ap.add_argument("--zone", default="one", help="the zone of the properties (with --euctl)")
    ap.add_argument("--pool", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--max-seconds", type=float, default=900)
    args = ap.parse_args()
    if not args.euctl and not (args.user and args.keyring):
        ap.error("give --euctl, or --user and --keyring")
    ops, failures, messages, users = 0, 0, [], {}
    start = time.monotonic()
    while not os.path.exists(os.path.join(args.dir, "stop")) and time.monotonic() - start < args.max_seconds:
        name = "sc-op-%d-%d" % (os.getpid(), ops)
        user = "?"
        try:
            user, keyring = credentials(args)
            one_operation(args, name, user, keyring)
            users[user] = users.get(user, 0) + 1
        except (rados.Error, rbd.Error, subprocess.SubprocessError, OSError, RuntimeError) as exc:
            failures += 1
            if len(messages) < 10:
                messages.append("%s as %s: %s" % (name, user, exc))
        ops += 1
        if ops == 1:
            open(os.path.join(args.dir, "running"), "w").close()
    summary = {"operations": ops, "failures": failures, "messages": messages, "users": users,
               "seconds": round(time.monotonic() - start, 1)}
    with open(os.path.join(args.dir, "summary.json"), "w") as f:
        json.dump(summary, f)
    print(json.dumps(summary))
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
