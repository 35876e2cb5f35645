#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: rbd_benchmark
short_description: Measure what a guest's RBD volume does, with fio's rbd engine and the host's own cephx user
version_added: 0.1.0
description:
  - Runs fio's C(rbd) engine against one scratch image - random 4 KiB reads, writes and a mix,
    sequential bandwidth, at the queue depths given, and returns IOPS, bandwidth and latency
    percentiles per workload.
  - fio's rbd engine drives librbd's asynchronous reads and writes, the calls qemu's block
    driver makes for a guest's disk, with the client settings of O(cluster_conf). What it
    measures is what a guest sees, minus the virtio hop. C(rbd bench) reports no latency
    percentiles.
  - Connects first with the same user to check the image, which must exist and be at least
    O(span) long, and the user must be able to open it read-write.
  - Never run it on an image that holds data; every workload that writes overwrites it.
extends_documentation_fragment:
  - eucalyptus.ceph.attributes
  - eucalyptus.ceph.attributes.actiongroup_ceph
  - eucalyptus.ceph.cluster
attributes:
  check_mode:
    support: full
    details:
      - Checks the image and the workloads as a real run does, runs nothing, and reports
        C(changed) as a real run would (true when a workload or the prefill writes).
  diff_mode:
    support: none
    details: A benchmark writes data blocks; there is no state to diff.
  idempotent:
    support: none
    details: Each run measures again; runs that write always report a change.
options:
  pool:
    description: Pool of the scratch image.
    type: str
    required: true
  image:
    description: The scratch image. Its data is overwritten.
    type: str
    required: true
  workloads:
    description:
      - What to measure, one after the other.
      - None with O(prefill=true) only fills the image, so that several hosts can fill theirs at once
        and start measuring together afterwards.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Name of the workload in the results; unique.
        type: str
        required: true
      rw:
        description: fio's I/O pattern.
        type: str
        required: true
        choices: [randread, randwrite, randrw, read, write]
      bs:
        description: Block size, in bytes or with C(k) or C(M) (powers of 1024).
        type: str
        default: 4k
      iodepth:
        description: I/Os in flight (the guest's queue depth).
        type: int
        default: 1
      rwmixread:
        description: Percentage of reads, for O(workloads[].rw=randrw) only (default 70).
        type: int
  runtime:
    description: Seconds each workload is measured.
    type: int
    default: 30
  ramp_time:
    description: Seconds each workload runs before it is measured.
    type: int
    default: 5
  span:
    description:
      - Bytes of the image the workloads use, from its start; the whole image when omitted.
    type: int
  prefill:
    description:
      - Write the span sequentially first. An RBD image reads zeros from blocks never written
        without asking an OSD, so reads of a new image measure nothing real.
      - The fill's bandwidth is returned in RV(prefill), not as a workload.
    type: bool
    default: true
  fio_path:
    description: The fio program (Debian's C(fio) package has the rbd engine).
    type: path
    default: fio
  timeout:
    description:
      - Seconds fio may run in all before it is stopped and the module fails.
      - By default the workloads' time, plus 300 seconds for the connections, plus for the fill
        the time to write the span at 8 MiB/s.
    type: int
requirements:
  - fio with its rbd engine on the target host (Debian's C(fio) package).
notes:
  - Only paths reach fio (CEPH_CONF and CEPH_KEYRING in its environment, the job file); the
    job file holds names and numbers only, each checked before it is written.
seealso:
  - module: eucalyptus.ceph.rbd_benchmark_report
author:
  - Eucalyptus Ceph maintainers (@eucalyptus)
"""

EXAMPLES = r"""
- name: Fill the scratch volume first (on every NC at once, before any of them measures)
  eucalyptus.ceph.rbd_benchmark:
    pool: eucavolumes
    image: ebs-bench-nc1
    workloads: []
    prefill: true
    cluster_user: eucalyptus-nc
    cluster_keyring: /etc/ceph/ceph.client.eucalyptus-nc.keyring

- name: Random 4 KiB IOPS and sequential bandwidth of a scratch volume, as the NC's user
  eucalyptus.ceph.rbd_benchmark:
    pool: eucavolumes
    image: ebs-bench-nc1
    workloads:
      - {name: randread-qd32, rw: randread, bs: 4k, iodepth: 32}
      - {name: randwrite-qd1, rw: randwrite, bs: 4k, iodepth: 1}
      - {name: seqread-qd32, rw: read, bs: 4M, iodepth: 32}
    runtime: 30
    prefill: false
    cluster_user: eucalyptus-nc
    cluster_keyring: /etc/ceph/ceph.client.eucalyptus-nc.keyring
  register: bench

- name: IOPS of the first workload
  ansible.builtin.debug:
    msg: "{{ bench.measurements[0].read.iops }}"
"""

RETURN = r"""
measurements:
  description: One entry per workload, in the order given; empty in check mode.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: The workload's name.
      type: str
    rw:
      description: The I/O pattern.
      type: str
    bs:
      description: Block size in bytes.
      type: int
    iodepth:
      description: Queue depth.
      type: int
    runtime_s:
      description: Seconds measured.
      type: float
    read:
      description: Reads, when the workload read; C(ios), C(iops), C(bandwidth_bytes) (per second) and
        C(latency_ms) (C(p50), C(p90), C(p99), C(p99_9), C(mean), C(max), milliseconds from submission to completion).
      type: dict
      returned: when the workload read
    write:
      description: Writes, when the workload wrote; the same keys as RV(measurements[].read).
      type: dict
      returned: when the workload wrote
  sample:
    - name: randread-qd1
      rw: randread
      bs: 4096
      iodepth: 1
      runtime_s: 30.0
      read:
        ios: 83400
        iops: 2780.0
        bandwidth_bytes: 11386880
        latency_ms: {p50: 0.317, p90: 0.42, p99: 1.27, p99_9: 4.293, mean: 0.358, max: 6.347}
prefill:
  description: The sequential fill (C(bytes), C(seconds), C(bandwidth_bytes)); null without O(prefill) or in check mode.
  returned: always
  type: dict
span:
  description: Bytes of the image the workloads used.
  returned: always
  type: int
fio_version:
  description: What C(fio --version) printed; null in check mode.
  returned: always
  type: str
"""

import json
import os
import shutil
import subprocess
import tempfile

from ansible_collections.eucalyptus.ceph.plugins.module_utils import _fio
from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_client import CephClientError, rbd, rbd_errors
from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_module import CephModule
from ansible_collections.eucalyptus.ceph.plugins.module_utils._names import image_name_error, pool_name_error


def _image_size(cm, check_mode):
    """The image's size, after opening it the way the run will (read-write, except in check mode)."""
    p = cm.params
    with rbd_errors("%s/%s" % (p["pool"], p["image"])):
        with rbd.Image(cm.client.ioctx(p["pool"]), p["image"], read_only=check_mode) as image:
            return image.size()


def _run_fio(cm, fio, job_text, timeout):
    """Run fio on JOB_TEXT; its parsed JSON output."""
    p = cm.params
    env = dict(os.environ, CEPH_CONF=p["cluster_conf"])
    if p["cluster_keyring"]:
        env["CEPH_KEYRING"] = p["cluster_keyring"]
    workdir = tempfile.mkdtemp(prefix="rbd_benchmark.")
    try:
        job_path = os.path.join(workdir, "jobs.fio")
        out_path = os.path.join(workdir, "result.json")
        with open(job_path, "w") as f:
            f.write(job_text)
        try:
            proc = subprocess.run([fio, "--output-format=json", "--output=%s" % out_path, job_path],
                                  env=env, cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise CephClientError("fio did not finish within %d s (timeout)" % timeout)
        text = ""
        if os.path.exists(out_path):
            with open(out_path) as f:
                text = f.read()
        if proc.returncode != 0:
            tail = (proc.stderr or proc.stdout or b"").decode("utf-8", "replace").strip()[-2000:]
            raise CephClientError("fio failed (exit %d): %s" % (proc.returncode, tail or text[-2000:]))
        # fio may print engine notices before its JSON document
        start = text.find("{")
        try:
            return json.loads(text[start:]) if start >= 0 else {}
        except ValueError as exc:
            raise CephClientError("fio's output is not JSON (%s): %s" % (exc, text[:500]))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _fio_version(fio):
    try:
        out = subprocess.run([fio, "--version"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             timeout=30, check=False)
    except OSError as exc:
        raise CephClientError("cannot run fio (%s): %s; install Debian's fio package" % (fio, exc))
    if out.returncode != 0:
        raise CephClientError("%s --version failed (exit %d)" % (fio, out.returncode))
    return out.stdout.decode("utf-8", "replace").strip()


def run(cm, items):
    p = cm.params
    size = _image_size(cm, cm.check_mode)
    span = p["span"] or size
    if span > size:
        raise CephClientError("span %d is larger than %s/%s (%d bytes)" % (span, p["pool"], p["image"], size))
    for w in items:
        if span < w["bs"]:
            raise CephClientError("workload %s: block size %d is larger than the span %d" % (w["name"], w["bs"], span))
    writes = p["prefill"] or any(w["rw"] not in ("read", "randread") for w in items)
    if cm.check_mode:
        return dict(changed=writes, measurements=[], prefill=None, span=span, fio_version=None)
    fio = shutil.which(p["fio_path"]) or p["fio_path"]
    version = _fio_version(fio)
    # the job's own connection replaces ours: close it, so that only fio's session is open
    cm.client.close()
    job_text = _fio.job_file(cm.client.user, p["pool"], p["image"], span, items,
                             p["runtime"], p["ramp_time"], p["prefill"])
    # the fill may take as long as the span at 8 MiB/s, far below any working cluster
    fill_allowance = span // (8 * 1024 * 1024) if p["prefill"] else 0
    timeout = p["timeout"] or (p["runtime"] + p["ramp_time"]) * len(items) + 300 + fill_allowance
    document = _run_fio(cm, fio, job_text, timeout)
    if writes:
        cm.did("benchmark writes to %s/%s" % (p["pool"], p["image"]))
    try:
        prefill, measured = _fio.results(document, items)
    except _fio.FioError as exc:
        raise CephClientError(str(exc))
    return dict(changed=writes, measurements=measured, prefill=prefill, span=span, fio_version=version)


def main():
    cm = CephModule(
        argument_spec=dict(
            pool=dict(type="str", required=True),
            image=dict(type="str", required=True),
            workloads=dict(type="list", elements="dict", required=True, options=dict(
                name=dict(type="str", required=True),
                rw=dict(type="str", required=True, choices=list(_fio.PATTERNS)),
                bs=dict(type="str", default="4k"),
                iodepth=dict(type="int", default=1),
                rwmixread=dict(type="int"),
            )),
            runtime=dict(type="int", default=30),
            ramp_time=dict(type="int", default=5),
            span=dict(type="int"),
            prefill=dict(type="bool", default=True),
            fio_path=dict(type="path", default="fio"),
            timeout=dict(type="int"),
        ),
        need_rbd=True,
    )
    p = cm.params
    error = pool_name_error(p["pool"]) or image_name_error(p["image"])
    if not error and not 1 <= p["runtime"] <= 3600:
        error = "runtime must be from 1 to 3600 seconds"
    if not error and not 0 <= p["ramp_time"] <= 600:
        error = "ramp_time must be from 0 to 600 seconds"
    if not error and p["span"] is not None and p["span"] < 4096:
        error = "span must be at least 4096 bytes"
    if not error and p["timeout"] is not None and p["timeout"] < 1:
        error = "timeout must be at least 1 second"
    items = []
    if not error:
        try:
            items = _fio.workloads([dict((k, v) for k, v in w.items() if v is not None) for w in p["workloads"]])
        except _fio.FioError as exc:
            error = str(exc)
    if not error and not items and not p["prefill"]:
        error = "nothing to do: no workload, and prefill=false"
    if error:
        cm.fail(error)
    cm.run(lambda m: run(m, items))


if __name__ == "__main__":
    main()
