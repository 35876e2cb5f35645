# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A libvirtd answering at qemu:///system for integration tests (shared helper).

    from libvirtd import running_libvirtd, unavailable_reason, virsh

    reason = unavailable_reason()          # None, or why there can be no libvirtd here
    with running_libvirtd(workdir) as pid:  # pid of the daemon WE started, or None
        virsh("secret-list")

If a libvirtd already answers, it is used and never stopped. Otherwise Debian's libvirtd is
started with its normal configuration (no systemd needed) and exactly that PID is stopped at
the end (SIGTERM, then SIGKILL after 20 s), checked against /proc/PID/cmdline first.
Only one system libvirtd can run on a host: two test sessions share it, and the session that
started it stops it when it ends.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time

URI = "qemu:///system"
SOCKET = "/run/libvirt/libvirt-sock"
LIBVIRTD = "/usr/sbin/libvirtd"
VIRSH = "/usr/bin/virsh"


def virsh(*args: str, check: bool = True, timeout: float = 60) -> subprocess.CompletedProcess:
    """`virsh -c qemu:///system ARGS` (text output); raises AssertionError on failure if CHECK."""
    r = subprocess.run([VIRSH, "-c", URI, *args], capture_output=True, text=True, timeout=timeout, check=False)
    if check and r.returncode != 0:
        raise AssertionError("virsh %s: %s" % (" ".join(args), r.stderr.strip()))
    return r


def unavailable_reason() -> str | None:
    if os.geteuid() != 0:
        return "qemu:///system needs root"
    for need in (LIBVIRTD, VIRSH):
        if not os.path.exists(need):
            return "%s missing: apt-get install libvirt-daemon-system libvirt-clients" % need
    r = subprocess.run(["/usr/bin/python3", "-c", "import libvirt"], capture_output=True, check=False)
    if r.returncode != 0:
        return "python3-libvirt missing for /usr/bin/python3 (apt-get install python3-libvirt)"
    return None


def _is_libvirtd(pid: int) -> bool:
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return b"libvirtd" in f.read()
    except OSError:
        return False


def answers() -> bool:
    return os.path.exists(SOCKET) and virsh("secret-list", check=False).returncode == 0


@contextlib.contextmanager
def running_libvirtd(workdir: str | os.PathLike, start_timeout: float = 30):
    """Yield None when a libvirtd already answers (left alone), else the PID of the one started here."""
    if answers():
        yield None
        return
    pidfile = os.path.join(str(workdir), "libvirtd.pid")
    subprocess.run([LIBVIRTD, "--daemon", "--pid-file", pidfile], check=True, timeout=60)
    pid = None
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            if pid is None and os.path.exists(pidfile):
                text = open(pidfile).read().strip()
                pid = int(text) if text.isdigit() else None
            if pid and answers():
                break
            if time.monotonic() > deadline:
                raise RuntimeError("libvirtd started but does not answer at %s within %ds" % (URI, start_timeout))
            time.sleep(0.2)
        yield pid
    finally:
        if pid and _is_libvirtd(pid):
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 20
            while _is_libvirtd(pid) and time.monotonic() < deadline:
                time.sleep(0.1)
            if _is_libvirtd(pid):
                os.kill(pid, signal.SIGKILL)
