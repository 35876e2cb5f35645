# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""EBS operations one after another, as the Eucalyptus Storage Controller makes them: for each
one a new librados handle as its user, its keyring FILE read again (the key is never an
argument), an image created and removed. Made for molecule/default's key rotation.

Loops until DIR/stop exists (or --max-seconds); writes DIR/running after the first operation
and DIR/summary.json at the end: operations, failures, the first failures' messages.
Exit status 0 only without a failed operation."""

from __future__ import absolute_import, division, print_function

import argparse
import json
import os
import sys
import time

import rados
import rbd


def one_operation(args, name):
    cluster = rados.Rados(conffile=args.conf, rados_id=args.user, conf={"keyring": args.keyring})
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
    ap.add_argument("--user", required=True, help="cephx id without 'client.'")
    ap.add_argument("--keyring", required=True, help="keyring FILE of the user")
    ap.add_argument("--pool", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--max-seconds", type=float, default=900)
    args = ap.parse_args()
    ops, failures, messages = 0, 0, []
    start = time.monotonic()
    while not os.path.exists(os.path.join(args.dir, "stop")) and time.monotonic() - start < args.max_seconds:
        name = "sc-op-%d-%d" % (os.getpid(), ops)
        try:
            one_operation(args, name)
        except (rados.Error, rbd.Error) as exc:
            failures += 1
            if len(messages) < 10:
                messages.append("%s: %s" % (name, exc))
        ops += 1
        if ops == 1:
            open(os.path.join(args.dir, "running"), "w").close()
    summary = {"operations": ops, "failures": failures, "messages": messages,
               "seconds": round(time.monotonic() - start, 1)}
    with open(os.path.join(args.dir, "summary.json"), "w") as f:
        json.dump(summary, f)
    print(json.dumps(summary))
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
