# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""fio through its rbd engine: the job file of a benchmark and the figures of its JSON output.

fio's rbd engine drives librbd's asynchronous API (``rbd_aio_read``/``rbd_aio_write``), the
calls qemu's block driver makes for a guest's virtio disk, with the same librbd settings
(cache, objecter throttles) from the client's ceph.conf. It is what a guest sees minus the
virtio hop, with per-I/O latency percentiles, which ``rbd bench`` does not report.

The job file holds names and numbers only, each checked here against a strict pattern
(fullmatch) so that nothing can add a line or an option to it. The key stays in the keyring
file: fio gets the path of ceph.conf and of the keyring through librados' own environment
variables (CEPH_CONF, CEPH_KEYRING), never a key, and nothing secret on its command line.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.eucalyptus.ceph.plugins.module_utils._names import client_id_error, image_name_error, pool_name_error

PATTERNS = ("randread", "randwrite", "randrw", "read", "write")
# percentiles asked of fio (its percentile_list) and the names they get in a result
PERCENTILES = (("p50", "50.000000"), ("p90", "90.000000"), ("p99", "99.000000"), ("p99_9", "99.900000"))
_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_SIZE_RE = re.compile(r"([1-9][0-9]{0,9})([kKmM]?)")
_UNITS = {"": 1, "k": 1024, "m": 1024 * 1024}
PREFILL_JOB = "prefill"


class FioError(Exception):
    pass


def block_size(value):
    """Bytes of a block size given as 4096, '4k' or '4M' (powers of 1024, as fio reads them)."""
    m = _SIZE_RE.fullmatch(str(value))
    if not m:
        raise FioError("invalid block size %r: a number of bytes, or a number with k or M (e.g. 4k, 4M)" % (value,))
    size = int(m.group(1)) * _UNITS[m.group(2).lower()]
    if size < 512 or size % 512 or size > 64 * 1024 * 1024:
        raise FioError("block size %r must be a multiple of 512 bytes between 512 and 64M" % (value,))
    return size


def workload(item):
    """A checked workload: name, rw, bs (bytes), iodepth, rwmixread (randrw only)."""
    name = item.get("name")
    if not isinstance(name, str) or not _NAME_RE.fullmatch(name) or name == PREFILL_JOB:
        raise FioError("invalid workload name %r: 1-64 characters from A-Z a-z 0-9 _ . -, not %r"
                       % (name, PREFILL_JOB))
    rw = item.get("rw")
    if rw not in PATTERNS:
        raise FioError("workload %s: rw must be one of %s, not %r" % (name, ", ".join(PATTERNS), rw))
    iodepth = item.get("iodepth", 1)
    if not isinstance(iodepth, int) or isinstance(iodepth, bool) or not 1 <= iodepth <= 256:
        raise FioError("workload %s: iodepth must be an integer from 1 to 256, not %r" % (name, iodepth))
    out = dict(name=name, rw=rw, bs=block_size(item.get("bs", "4k")), iodepth=iodepth)
    mix = item.get("rwmixread")
    if rw == "randrw":
        mix = 70 if mix is None else mix
        if not isinstance(mix, int) or isinstance(mix, bool) or not 0 <= mix <= 100:
            raise FioError("workload %s: rwmixread must be a percentage from 0 to 100, not %r" % (name, mix))
        out["rwmixread"] = mix
    elif mix is not None:
        raise FioError("workload %s: rwmixread applies to rw=randrw only" % name)
    return out


def workloads(items):
    """Checked workloads, names unique (none: a fill alone)."""
    checked = [workload(item) for item in items]
    names = [w["name"] for w in checked]
    dup = sorted(set(n for n in names if names.count(n) > 1))
    if dup:
        raise FioError("workload names must be unique: %s" % ", ".join(dup))
    return checked


def job_file(user, pool, image, span, items, runtime, ramp_time, prefill):
    """The fio job file: an optional sequential fill of the span (reads of never-written RBD
    blocks return zeros without touching an OSD), then each workload for RUNTIME seconds
    after RAMP_TIME, one after the other (stonewall)."""
    for what, error in (("user", client_id_error(user)), ("pool", pool_name_error(pool)), ("image", image_name_error(image))):
        if error:
            raise FioError("%s cannot go into a fio job file: %s" % (what, error))
    lines = [
        "[global]",
        "ioengine=rbd",
        "clientname=%s" % user,
        "pool=%s" % pool,
        "rbdname=%s" % image,
        "size=%d" % span,
        "direct=1",
        "invalidate=0",
        "group_reporting=0",
        "lat_percentiles=1",
        "percentile_list=%s" % ":".join(key.rstrip("0").rstrip(".") for name, key in PERCENTILES),
        "randrepeat=0",
    ]
    if prefill:
        lines += ["", "[%s]" % PREFILL_JOB, "rw=write", "bs=4M", "iodepth=16", "stonewall"]
    for w in items:
        lines += ["", "[%s]" % w["name"], "rw=%s" % w["rw"], "bs=%d" % w["bs"], "iodepth=%d" % w["iodepth"],
                  "time_based=1", "runtime=%d" % runtime, "ramp_time=%d" % ramp_time, "stonewall"]
        if "rwmixread" in w:
            lines.append("rwmixread=%d" % w["rwmixread"])
    return "\n".join(lines) + "\n"


def _direction(data):
    """Figures of one direction (read or write) of a fio job, None when it did no I/O."""
    ios = data.get("total_ios", 0)
    if not ios:
        return None
    lat = data.get("lat_ns") or {}
    percentiles = lat.get("percentile") or (data.get("clat_ns") or {}).get("percentile") or {}
    ms = {"mean": round(lat.get("mean", 0) / 1e6, 3), "max": round(lat.get("max", 0) / 1e6, 3)}
    for name, key in PERCENTILES:
        if key not in percentiles:
            raise FioError("fio reported no %s latency percentile (got %s)" % (name, sorted(percentiles)))
        # fio reads percentiles off a histogram whose buckets are up to ~3 % wide: the top
        # ones can come out above the largest latency it measured, which no percentile is
        ms[name] = min(round(percentiles[key] / 1e6, 3), ms["max"]) if ms["max"] else round(percentiles[key] / 1e6, 3)
    return dict(ios=ios, iops=round(data["iops"], 1), bandwidth_bytes=int(data["bw_bytes"]), latency_ms=ms)


def results(document, items):
    """(prefill or None, [one result per workload]) from fio's JSON output; fails on a job
    error, a missing job or a workload that did no I/O."""
    jobs = dict((j.get("jobname"), j) for j in document.get("jobs", []))
    errors = ["%s: error %s" % (name, j.get("error")) for name, j in sorted(jobs.items()) if j.get("error")]
    if errors:
        raise FioError("fio jobs failed: %s" % "; ".join(errors))
    prefill = None
    if PREFILL_JOB in jobs:
        write = _direction(jobs[PREFILL_JOB]["write"])
        prefill = dict(bytes=jobs[PREFILL_JOB]["write"].get("io_bytes", 0),
                       seconds=round(jobs[PREFILL_JOB].get("job_runtime", 0) / 1000.0, 3),
                       bandwidth_bytes=write["bandwidth_bytes"] if write else 0)
    out = []
    for w in items:
        job = jobs.get(w["name"])
        if job is None:
            raise FioError("fio reported no job %s" % w["name"])
        result = dict(w, runtime_s=round(job.get("job_runtime", 0) / 1000.0, 3))
        for direction in ("read", "write"):
            figures = _direction(job.get(direction) or {})
            if figures:
                result[direction] = figures
        if "read" not in result and "write" not in result:
            raise FioError("workload %s did no I/O" % w["name"])
        out.append(result)
    return prefill, out
