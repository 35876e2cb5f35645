# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write and read back one RBD image through librbd, verifying every block, with latencies.

Runs as a Node Controller would: its cephx user, its keyring FILE (the key is never an
argument), /etc/ceph/ceph.conf. Made for molecule/expansion and molecule/existing:

1. fill: every block gets a known content (generation 0);
2. loop until DIR/stop exists (or --max-seconds): write a random block with its next
   generation, then read a random block and compare it with the content it must have;
   every op's latency is recorded under the current phase, the name in DIR/phase
   (the test writes it);
3. final verification: every block of the image is read and compared.

Block content = SHA-256("IMAGE:BLOCK:GENERATION") repeated, so a block written to the wrong
place or an old generation is a mismatch. Writes DIR/ops.csv (one line per op: time, phase,
op, block, ms, status ok/error/mismatch), DIR/journal (one line "BLOCK GENERATION" before
each write), DIR/summary.json (counts, per-phase p50/p99/max, errors) and DIR/running once
the loop started. ops.csv and the journal go to the kernel line by line, so they survive a
kill of the process or of its container.

--resume-from DIR0 takes over the image from a client that died (a crashed Node Controller):
DIR0 holds that client's journal and ops.csv. No fill: the block generations come from the
journal (the last write in it may or may not have landed: either generation is accepted),
its ops are counted in the summary under their phases. The first write must take the image's
exclusive lock from the dead client (librbd blocklists it, which needs mon 'profile rbd'):
its latency is the takeover time. Then every block is verified against the dead client's
writes, and the loop goes on.
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


def load_dead_client(directory, nblocks):
    """Generations, uncertain blocks and per-phase ops of the client that died (--resume-from)."""
    gen = [0] * nblocks
    uncertain = {}
    last = None
    with open(os.path.join(directory, "journal")) as f:
        for line in f:
            parts = line.split()
            if len(parts) != 2:  # a line cut by the kill
                continue
            block, g = int(parts[0]), int(parts[1])
            gen[block] = g
            last = (block, g)
    if last is not None:
        # the write in flight when the client died may or may not have landed
        block, g = last
        gen[block] = g - 1
        uncertain[block] = g
    ops = []
    with open(os.path.join(directory, "ops.csv")) as f:
        next(f, None)
        for line in f:
            parts = line.rstrip("\n").split(",")
            if len(parts) == 6:
                ops.append((float(parts[0]), parts[1], parts[2], int(parts[3]), float(parts[4]), parts[5]))
    return gen, uncertain, ops


class Recorder:
    """Per-phase latencies, spans and error counts; ops.csv line by line."""

    def __init__(self, path):
        self.lat = {}     # phase -> {"w": [...], "r": [...]}
        self.spans = {}   # phase -> [first op time, last op time]
        self.errors = 0
        self.mismatches = 0
        self.samples = []
        self.csv = open(path, "w", buffering=1)
        self.csv.write("time,phase,op,block,ms,status\n")

    def add(self, start, phase, op, block, ms, status, write_csv=True):
        self.lat.setdefault(phase, {"w": [], "r": []})[op].append(ms)
        span = self.spans.setdefault(phase, [start, start])
        span[0] = min(span[0], start)
        span[1] = max(span[1], start)
        if status == "error":
            self.errors += 1
        elif status == "mismatch":
            self.mismatches += 1
        if write_csv:
            self.csv.write("%.3f,%s,%s,%d,%.2f,%s\n" % (start, phase, op, block, ms, status))

    def phases(self):
        out = {}
        for name, bucket in self.lat.items():
            first, last = self.spans.get(name, [0, 0])
            out[name] = {
                "seconds": round(last - first, 1),
                "start": round(first, 3),
                "write": stats(bucket["w"]),
                "read": stats(bucket["r"]),
                "all": stats(bucket["w"] + bucket["r"]),
            }
        return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n", maxsplit=1)[0])
    ap.add_argument("--conf", default="/etc/ceph/ceph.conf")
    ap.add_argument("--user", required=True, help="cephx id without 'client.'")
    ap.add_argument("--keyring", required=True, help="keyring FILE of the user")
    ap.add_argument("--pool", required=True)
    ap.add_argument("--image", required=True)
    ap.add_argument("--dir", required=True, help="state directory (phase, stop, ops.csv, journal, summary.json)")
    ap.add_argument("--resume-from", metavar="DIR0",
                    help="take over from a client that died; DIR0 holds its journal and ops.csv")
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
    per = max(1, (4 << 20) // bs)
    rec = Recorder(os.path.join(a.dir, "ops.csv"))
    journal = open(os.path.join(a.dir, "journal"), "w", buffering=1)
    resumed = None
    fill_seconds = 0.0

    def expected(block, data):
        if data == pattern(a.image, block, gen[block], bs):
            return True
        return block in uncertain and data == pattern(a.image, block, uncertain[block], bs)

    def verify_all(label):
        bad = 0
        for first in range(0, nblocks, per):
            n = min(per, nblocks - first)
            data = image.read(first * bs, n * bs)
            for i in range(n):
                if not expected(first + i, data[i * bs:(i + 1) * bs]):
                    bad += 1
                    rec.samples.append({"phase": label, "block": first + i, "error": "mismatch"})
        return bad

    def write_block(block):
        data = pattern(a.image, block, gen[block] + 1, bs)
        journal.write("%d %d\n" % (block, gen[block] + 1))
        try:
            image.write(data, block * bs)
        except Exception:
            uncertain[block] = gen[block] + 1
            raise
        gen[block] += 1
        uncertain.pop(block, None)

    rng = random.Random()
    if a.resume_from:
        # 1'. take over: the dead client's generations; its ops count under their phases
        gen, uncertain, dead_ops = load_dead_client(a.resume_from, nblocks)
        for start, name, op, block, ms, status in dead_ops:
            rec.add(start, name, op, block, ms, "ok" if status in ("ok", "1") else status, write_csv=False)
        journal.write("".join("%d %d\n" % (b, g) for b, g in enumerate(gen) if g))
        t0 = time.time()
        first_block = rng.randrange(nblocks)
        write_block(first_block)  # takes the exclusive lock from the dead client
        takeover_ms = (time.time() - t0) * 1000.0
        rec.add(t0, phase.current(), "w", first_block, takeover_ms, "ok")
        t1 = time.time()
        resume_bad = verify_all("takeover")
        resumed = {
            "from_ops": len(dead_ops),
            "blocks_written_by_dead_client": sum(1 for g in gen if g),
            "takeover_first_write_ms": round(takeover_ms, 1),
            "blocks_verified_at_takeover": nblocks,
            "mismatches_at_takeover": resume_bad,
            "verify_seconds": round(time.time() - t1, 1),
        }
        rec.mismatches += resume_bad
        print("took over in %.1f s: %d blocks verified, %d mismatches"
              % (takeover_ms / 1000.0, nblocks, resume_bad), flush=True)
    else:
        gen = [0] * nblocks
        uncertain = {}  # a block whose write failed may hold either generation
        # 1. fill, 64 blocks per write
        t0 = time.time()
        for first in range(0, nblocks, per):
            n = min(per, nblocks - first)
            image.write(b"".join(pattern(a.image, b, 0, bs) for b in range(first, first + n)), first * bs)
        image.flush()
        fill_seconds = time.time() - t0
        print("filled %d blocks of %d KiB in %.1f s" % (nblocks, bs // 1024, fill_seconds), flush=True)

    # 2. random writes + reads of earlier blocks
    ops = 0
    with open(os.path.join(a.dir, "running"), "w") as f:
        f.write("%d blocks\n" % nblocks)
    end = time.time() + a.max_seconds
    last_report = time.time()
    while not os.path.exists(stop_file) and time.time() < end:
        name = phase.current()
        for op in ("w", "r"):
            block = rng.randrange(nblocks)
            start = time.time()
            status = "ok"
            try:
                if op == "w":
                    write_block(block)
                elif not expected(block, image.read(block * bs, bs)):
                    status = "mismatch"
                    rec.samples.append({"time": start, "phase": name, "block": block, "error": "mismatch"})
            except Exception as exc:  # every librados/librbd error counts
                status = "error"
                rec.samples.append({"time": start, "phase": name, "block": block, "error": repr(exc)})
                print("ERROR %s %s block %d: %r" % (time.strftime("%H:%M:%S"), name, block, exc), flush=True)
            rec.add(start, name, op, block, (time.time() - start) * 1000.0, status)
        ops += 1
        if time.time() - last_report >= 10:
            last_report = time.time()
            print("%s phase=%s ops=%d errors=%d mismatches=%d"
                  % (time.strftime("%H:%M:%S"), name, ops, rec.errors, rec.mismatches), flush=True)
    rec.csv.close()
    journal.close()

    # 3. every block, read back and compared
    t0 = time.time()
    final_bad = verify_all("final")
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
        "io_errors": rec.errors,
        "mismatches_during_loop": rec.mismatches,
        "final_blocks_verified": nblocks,
        "final_mismatches": final_bad,
        "fill_seconds": round(fill_seconds, 1),
        "final_verify_seconds": round(verify_seconds, 1),
        "phases": rec.phases(),
        "error_samples": rec.samples[:20],
    }
    if resumed:
        summary["resumed"] = resumed
    with open(os.path.join(a.dir, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2, sort_keys=True)
    print("FINAL blocks=%d verified=%d errors=%d mismatches=%d final_mismatches=%d"
          % (nblocks, nblocks, rec.errors, rec.mismatches, final_bad), flush=True)
    return 1 if rec.errors or rec.mismatches or final_bad else 0


if __name__ == "__main__":
    sys.exit(main())
