# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write and read back one RBD image through librbd, verifying every block, with latencies.

Runs as a Node Controller would: its cephx user, its keyring FILE (the key is never an
argument), /etc/ceph/ceph.conf. Made for molecule/expansion:

1. fill: every block gets a known content (generation 0);
2. loop until DIR/stop exists (or --max-seconds): write a random block with its next
   generation, then read a random block and compare it with the content it must have;
   every op's latency is recorded under the current phase, the name in DIR/phase
   (the test writes it: before, expansion, crush_rule, host_failure, after);
3. final verification: every block of the image is read and compared.

Block content = SHA-256("IMAGE:BLOCK:GENERATION") repeated, so a block written to the wrong
place or an old generation is a mismatch. Writes DIR/ops.csv (one line per op), DIR/summary.json
(counts, per-phase p50/p99/max, errors) and DIR/running once the loop started.
Exit status 0 only with zero I/O errors and zero mismatches.
"""

from __future__ import absolute_import, division, print_function

import argparse
import hashlib
import json
import os
import random
import sys
import time

import rados
import rbd


def pattern(image, block, gen, size):
    digest = hashlib.sha256(("%s:%d:%d" % (image, block, gen)).encode()).digest()
    return digest * (size // len(digest))


def percentile(values, q):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def stats(values):
    return {
        "count": len(values),
        "p50_ms": round(percentile(values, 0.50), 2) if values else None,
        "p99_ms": round(percentile(values, 0.99), 2) if values else None,
        "max_ms": round(max(values), 2) if values else None,
    }


class Phase:
    """The phase name in DIR/phase, re-read at most every 0.2 s."""

    def __init__(self, path):
        self.path = path
        self.name = "start"
        self.checked = 0.0

    def current(self):
        now = time.time()
        if now - self.checked > 0.2:
            self.checked = now
            try:
                with open(self.path) as f:
                    self.name = f.read().strip() or self.name
            except OSError:
                pass
        return self.name


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    ap.add_argument("--conf", default="/etc/ceph/ceph.conf")
    ap.add_argument("--user", required=True, help="cephx id without 'client.'")
    ap.add_argument("--keyring", required=True, help="keyring FILE of the user")
    ap.add_argument("--pool", required=True)
    ap.add_argument("--image", required=True)
    ap.add_argument("--dir", required=True, help="state directory (phase, stop, ops.csv, summary.json)")
    ap.add_argument("--block-size", type=int, default=64 * 1024)
    ap.add_argument("--max-seconds", type=float, default=1800)
    ap.add_argument("--op-timeout", type=int, default=120,
                    help="librados OSD op timeout: a stuck op becomes a counted error, not a hang")
    a = ap.parse_args()

    os.makedirs(a.dir, exist_ok=True)
    phase = Phase(os.path.join(a.dir, "phase"))
    stop_file = os.path.join(a.dir, "stop")
    cluster = rados.Rados(conffile=a.conf, rados_id=a.user,
                          conf={"keyring": a.keyring, "rados_osd_op_timeout": str(a.op_timeout),
                                "client_mount_timeout": "30",
                                # no client cache: every write acknowledged by the OSDs, every
                                # read from them (as qemu with cache=none); latencies are the cluster's
                                "rbd_cache": "false"})
    cluster.connect(timeout=30)
    ioctx = cluster.open_ioctx(a.pool)
    image = rbd.Image(ioctx, a.image)
    bs = a.block_size
    nblocks = image.size() // bs
    gen = [0] * nblocks
    # a block whose write failed may hold either generation
    uncertain = {}

    def expected(block, data):
        if data == pattern(a.image, block, gen[block], bs):
            return True
        return block in uncertain and data == pattern(a.image, block, uncertain[block], bs)

    # 1. fill, 64 blocks per write
    t0 = time.time()
    per = max(1, (4 << 20) // bs)
    for first in range(0, nblocks, per):
        n = min(per, nblocks - first)
        image.write(b"".join(pattern(a.image, b, 0, bs) for b in range(first, first + n)), first * bs)
    image.flush()
    fill_seconds = time.time() - t0
    print("filled %d blocks of %d KiB in %.1f s" % (nblocks, bs // 1024, fill_seconds), flush=True)

    # 2. random writes + reads of earlier blocks
    lat = {}          # phase -> {"w": [...], "r": [...]}
    spans = {}        # phase -> [first op time, last op time]
    errors, mismatches, samples = 0, 0, []
    ops = 0
    csv = open(os.path.join(a.dir, "ops.csv"), "w", buffering=1 << 20)
    csv.write("time,phase,op,block,ms,ok\n")
    with open(os.path.join(a.dir, "running"), "w") as f:
        f.write("%d blocks\n" % nblocks)
    end = time.time() + a.max_seconds
    last_report = time.time()
    rng = random.Random()
    while not os.path.exists(stop_file) and time.time() < end:
        name = phase.current()
        bucket = lat.setdefault(name, {"w": [], "r": []})
        for op in ("w", "r"):
            block = rng.randrange(nblocks)
            start = time.time()
            ok = 1
            try:
                if op == "w":
                    data = pattern(a.image, block, gen[block] + 1, bs)
                    try:
                        image.write(data, block * bs)
                    except Exception:
                        uncertain[block] = gen[block] + 1
                        raise
                    gen[block] += 1
                    uncertain.pop(block, None)
                else:
                    if not expected(block, image.read(block * bs, bs)):
                        mismatches += 1
                        ok = 0
                        samples.append({"time": start, "phase": name, "block": block, "error": "mismatch"})
            except Exception as exc:  # every librados/librbd error counts
                errors += 1
                ok = 0
                samples.append({"time": start, "phase": name, "block": block, "error": repr(exc)})
                print("ERROR %s %s block %d: %r" % (time.strftime("%H:%M:%S"), name, block, exc), flush=True)
            ms = (time.time() - start) * 1000.0
            bucket[op].append(ms)
            span = spans.setdefault(name, [start, start])
            span[1] = start
            csv.write("%.3f,%s,%s,%d,%.2f,%d\n" % (start, name, op, block, ms, ok))
        ops += 1
        if time.time() - last_report >= 10:
            last_report = time.time()
            print("%s phase=%s ops=%d errors=%d mismatches=%d"
                  % (time.strftime("%H:%M:%S"), name, ops, errors, mismatches), flush=True)
    csv.close()

    # 3. every block, read back and compared
    t0 = time.time()
    final_bad = 0
    for first in range(0, nblocks, per):
        n = min(per, nblocks - first)
        data = image.read(first * bs, n * bs)
        for i in range(n):
            if not expected(first + i, data[i * bs:(i + 1) * bs]):
                final_bad += 1
                samples.append({"phase": "final", "block": first + i, "error": "mismatch"})
    verify_seconds = time.time() - t0
    image.close()
    ioctx.close()
    cluster.shutdown()

    summary = {
        "image": "%s/%s" % (a.pool, a.image),
        "user": "client.%s" % a.user,
        "block_size": bs,
        "blocks": nblocks,
        "blocks_written_during_loop": sum(1 for g in gen if g > 0),
        "write_read_pairs": ops,
        "io_errors": errors,
        "mismatches_during_loop": mismatches,
        "final_blocks_verified": nblocks,
        "final_mismatches": final_bad,
        "fill_seconds": round(fill_seconds, 1),
        "final_verify_seconds": round(verify_seconds, 1),
        "phases": {},
        "error_samples": samples[:20],
    }
    for name, bucket in lat.items():
        first, last = spans.get(name, [0, 0])
        summary["phases"][name] = {
            "seconds": round(last - first, 1),
            "start": round(first, 3),
            "write": stats(bucket["w"]),
            "read": stats(bucket["r"]),
            "all": stats(bucket["w"] + bucket["r"]),
        }
    with open(os.path.join(a.dir, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2, sort_keys=True)
    print("FINAL blocks=%d verified=%d errors=%d mismatches=%d final_mismatches=%d"
          % (nblocks, nblocks, errors, mismatches, final_bad), flush=True)
    return 1 if errors or mismatches or final_bad else 0


if __name__ == "__main__":
    sys.exit(main())
