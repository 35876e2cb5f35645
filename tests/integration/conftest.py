"""Fixtures for the integration tests: a real Ceph cluster, an admin connection, running
modules of the collection the way an operator does, and a watcher for secrets on argv.

Fixtures (see the docstrings below):
    ceph_cluster  (session) -> CephLab(dir, conf, admin_keyring, ip, fsid)
    admin         (session) -> CephAdmin: a client.admin rados.Rados connection + helpers
    run_module    (session) -> ModuleRunner: run_module(name, args, check=False, diff=False,
                               verbosity=0, extra_env=None, timeout=600) -> ModuleRun
    argv_watcher  (function)-> ArgvWatcher class: `with argv_watcher([secret]) as w: ...`

Environment:
    EUCA_CEPH_DIR   reuse the running cluster in this directory (it is not torn down)
    EUCA_CEPH_IP    loopback address for a new cluster (default 127.0.0.1)
    EUCA_CEPH_BASE  where new cluster directories are created (default REPO/build/ceph,
                    where .ci/run finds and removes leftovers)

Runs inside the project venv (.venv, Python 3.11, ansible-core). Debian's rados/rbd/libvirt
bindings are linked into it by scripts/bootstrap.sh; the modules themselves run with
/usr/bin/python3, where those bindings live.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
CLUSTER_SH = REPO / "tests" / "ceph" / "cluster.sh"
COLLECTIONS_DIR = REPO / "build" / "collections"
COLLECTION_FQ = "eucalyptus.ceph"
MODULE_PYTHON = "/usr/bin/python3"


def pytest_configure(config):
    # also registered in pytest.ini; repeated here so a different rootdir/ini still knows them
    for line in ("ceph: needs the real Ceph test cluster", "libvirt: needs a running libvirtd",
                 "slow: takes more than about a minute"):
        config.addinivalue_line("markers", line)


@contextlib.contextmanager
def _uncaptured(pytestconfig):
    """Let a long step's progress (cluster bring-up) reach the terminal live."""
    capman = pytestconfig.pluginmanager.getplugin("capturemanager")
    if capman is None:
        yield
    else:
        with capman.global_and_fixture_disabled():
            yield


# ------------------------------------------------------------------------------------------
# the cluster
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CephLab:
    """A running test cluster. Paths are str so they can go straight into module args."""

    dir: str
    conf: str
    admin_keyring: str
    ip: str
    fsid: str

    def keyring_path(self, user: str) -> str:
        """Where clients find the keyring of client.<user> (`keyring = DIR/$cluster.$name.keyring`)."""
        return os.path.join(self.dir, f"ceph.client.{user}.keyring")

    def cluster_sh(self, command: str, *args: str, timeout: float = 600,
                   env: dict | None = None) -> subprocess.CompletedProcess:
        """Run `tests/ceph/cluster.sh COMMAND DIR ARGS...` on this cluster (e.g. "add-osd", "wait")."""
        return subprocess.run(["bash", str(CLUSTER_SH), command, self.dir, *args],
                              env={**os.environ, "CEPH_IP": self.ip, **(env or {})},
                              text=True, capture_output=True, timeout=timeout, check=True)

    @classmethod
    def from_dir(cls, d: str | Path) -> "CephLab":
        d = str(Path(d).resolve())
        conf = os.path.join(d, "ceph.conf")
        text = Path(conf).read_text()
        fsid = re.search(r"^\s*fsid\s*=\s*(\S+)", text, re.M)
        ip = re.search(r"^\s*mon_host\s*=.*?v[12]:([0-9.]+):", text, re.M)
        if not (fsid and ip):
            raise ValueError(f"{conf}: no fsid or mon_host")
        return cls(dir=d, conf=conf, admin_keyring=os.path.join(d, "ceph.client.admin.keyring"),
                   ip=ip.group(1), fsid=fsid.group(1))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """EUCA_REQUIRE_PREREQS=1 (CI): a test skipped for a missing prerequisite (root, Ceph,
    libvirtd, qemu, strace, the bindings) fails instead; developers running a subset without
    them still get skips. Tests marked skip_allowed_in_ci may skip anywhere."""
    outcome = yield
    report = outcome.get_result()
    if (os.environ.get("EUCA_REQUIRE_PREREQS") == "1" and report.skipped and not hasattr(report, "wasxfail")
            and item.get_closest_marker("skip_allowed_in_ci") is None):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = "skipped in CI, where every prerequisite must be present: %s" % reason


@pytest.fixture(scope="session")
def ceph_cluster(pytestconfig) -> CephLab:
    """A real Ceph cluster (1 mon, 1 mgr, 3 OSDs, cephx) on a loopback address.

    Reuses the cluster in $EUCA_CEPH_DIR if it holds one (and leaves it running); otherwise
    creates one with tests/ceph/cluster.sh and removes it at the end of the session, also when
    tests or the bring-up itself fail.
    """
    reuse = os.environ.get("EUCA_CEPH_DIR")
    if reuse and os.path.exists(os.path.join(reuse, "ceph.conf")):
        lab = CephLab.from_dir(reuse)
        with _uncaptured(pytestconfig):
            r = subprocess.run(["bash", str(CLUSTER_SH), "wait", lab.dir],
                               env={**os.environ, "READY_TIMEOUT": "60"}, check=False)
        if r.returncode != 0:
            pytest.fail(f"EUCA_CEPH_DIR={reuse}: cluster not ready (is it running? "
                        f"`tests/ceph/cluster.sh start {reuse}`)", pytrace=False)
        yield lab
        return

    if os.geteuid() != 0:
        pytest.skip("the Ceph test cluster needs root (daemons, apt-get)")
    ip = os.environ.get("EUCA_CEPH_IP", "127.0.0.1")
    base = Path(os.environ.get("EUCA_CEPH_BASE", REPO / "build" / "ceph"))
    base.mkdir(parents=True, exist_ok=True)
    # short names: client admin sockets live in DIR/run and unix socket paths max out at 107 bytes
    d = tempfile.mkdtemp(prefix="lab-", dir=base)
    env = {**os.environ, "CEPH_IP": ip}
    try:
        t0 = time.monotonic()
        with _uncaptured(pytestconfig):
            print(f"\n[conftest] starting Ceph test cluster in {d} on {ip}", file=sys.stderr, flush=True)
            r = subprocess.run(["bash", str(CLUSTER_SH), "up", d], env=env, timeout=1200,
                               stdout=subprocess.DEVNULL, check=False)
            if r.returncode != 0:
                pytest.fail(f"tests/ceph/cluster.sh up {d} failed (rc {r.returncode}); "
                            f"daemon logs: {d}/log", pytrace=False)
            print(f"[conftest] cluster ready in {time.monotonic() - t0:.1f}s", file=sys.stderr, flush=True)
        yield CephLab.from_dir(d)
    finally:
        if os.environ.get("EUCA_CEPH_KEEP") == "1":
            print(f"\n[conftest] EUCA_CEPH_KEEP=1: leaving the cluster in {d}", file=sys.stderr)
        else:
            with _uncaptured(pytestconfig):
                subprocess.run(["bash", str(CLUSTER_SH), "down", d], env=env, timeout=300,
                               stdout=subprocess.DEVNULL, check=False)


# ------------------------------------------------------------------------------------------
# admin connection
# ------------------------------------------------------------------------------------------
class CephCommandError(RuntimeError):
    def __init__(self, cmd: dict, ret: int, outs: str):
        super().__init__(f"{cmd.get('prefix')}: error {ret}: {outs}")
        self.ret, self.outs = ret, outs


def _entity(user: str) -> str:
    """'nc' -> 'client.nc'; an entity name stays as it is. A cephx id may hold dots itself
    (generation 2 of 'nc' is 'nc.gen2'), so only a known type prefix makes it an entity."""
    return user if user.split(".", 1)[0] in ("client", "mon", "osd", "mgr", "mds") else "client.%s" % user


class CephAdmin:
    """client.admin connection. Attribute access falls through to the rados.Rados object
    (admin.open_ioctx(...), admin.mon_command(...)); ``admin.rados`` is the object itself.

    Raw monitor commands are not type-checked by the monitor's client side: send ints as
    ints ({"prefix": "osd last-stat-seq", "id": 0}) - a wrong type can crash ceph-mon.
    """

    def __init__(self, lab: CephLab, cluster):
        self.lab = lab
        self.rados = cluster

    def __getattr__(self, name):
        return getattr(self.rados, name)

    def mon(self, cmd: dict, inbuf: bytes = b"", timeout: int = 30) -> Any:
        """Send a monitor command; returns parsed JSON (or text) output, raises CephCommandError."""
        cmd = {"format": "json", **cmd}
        ret, out, outs = self.rados.mon_command(json.dumps(cmd), inbuf, timeout=timeout)
        if ret != 0:
            raise CephCommandError(cmd, ret, outs)
        if not out:
            return None
        try:
            return json.loads(out)
        except ValueError:
            return out.decode(errors="replace")

    def status(self) -> dict:
        return self.mon({"prefix": "status"})

    def offers(self, prefix: str) -> bool:
        """Whether the connected monitors have the command PREFIX (their command descriptions)."""
        ret, out, outs = self.rados.mon_command(json.dumps({"prefix": "get_command_descriptions"}), b"", timeout=30)
        if ret != 0:
            raise CephCommandError({"prefix": "get_command_descriptions"}, ret, outs)
        return any(" ".join(w for w in c["sig"] if isinstance(w, str)) == prefix for c in json.loads(out).values())

    def health(self) -> str:
        return self.status()["health"]["status"]

    def pool_exists(self, name: str) -> bool:
        """Asks the monitor (the connection's cached OSD map can lag behind a create/delete)."""
        return name in self.mon({"prefix": "osd pool ls"})

    def create_pool(self, name: str, pg_num: int = 8, application: str | None = "rbd",
                    rbd_init: bool = True, wait: bool = True,
                    autoscale_mode: str | None = None) -> None:
        """Create a replicated pool (no-op if it exists), enable APPLICATION, `rbd pool init`.
        AUTOSCALE_MODE 'off' at creation keeps the autoscaler from ever resizing the pool (set
        afterwards, the mgr may already have raised pg_num, and a merge back is gradual)."""
        if not self.pool_exists(name):
            cmd = {"prefix": "osd pool create", "pool": name, "pg_num": int(pg_num)}
            if autoscale_mode:
                cmd["autoscale_mode"] = autoscale_mode
            self.mon(cmd)
            self.rados.wait_for_latest_osdmap()   # so open_ioctx(name) works right away
        if application:
            self.mon({"prefix": "osd pool application enable", "pool": name, "app": application})
        if rbd_init and application == "rbd":
            import rbd
            with self.rados.open_ioctx(name) as io:
                rbd.RBD().pool_init(io, False)
        if wait:
            self.wait_ready()

    def delete_pool(self, name: str) -> None:
        if self.pool_exists(name):
            self.mon({"prefix": "osd pool rm", "pool": name, "pool2": name,
                      "yes_i_really_really_mean_it": True})
            self.rados.wait_for_latest_osdmap()

    def user_exists(self, user: str) -> bool:
        """USER is 'nc' or 'client.nc'."""
        return self.get_key(user) is not None

    def get_key(self, user: str) -> str | None:
        entity = _entity(user)
        try:
            return self.mon({"prefix": "auth get-key", "entity": entity})["key"]
        except CephCommandError as e:
            if e.ret == -2:
                return None
            raise

    def all_keys(self) -> dict:
        """{entity: key} of every cephx entity the cluster knows now."""
        return {e["entity"]: e["key"] for e in self.mon({"prefix": "auth ls"})["auth_dump"] if e.get("key")}

    def get_caps(self, user: str) -> dict | None:
        entity = _entity(user)
        try:
            return self.mon({"prefix": "auth get", "entity": entity})[0]["caps"]
        except CephCommandError as e:
            if e.ret == -2:
                return None
            raise

    def delete_user(self, user: str) -> None:
        entity = _entity(user)
        try:
            self.mon({"prefix": "auth del", "entity": entity})
        except CephCommandError as e:
            if e.ret != -2:
                raise

    def wait_ready(self, timeout: int = 300) -> None:
        """Block until HEALTH_OK, all OSDs up+in and all PGs active+clean (fresh stats)."""
        r = subprocess.run(["bash", str(CLUSTER_SH), "wait", self.lab.dir],
                           env={**os.environ, "READY_TIMEOUT": str(timeout)},
                           text=True, capture_output=True, check=False)
        if r.returncode != 0:
            raise AssertionError(f"cluster not ready within {timeout}s:\n{r.stderr[-3000:]}")


def remove_image(io, name) -> None:
    """Remove image NAME of ioctx IO with its snapshots (unprotected first); absent is fine.
    Raises rbd.ImageBusy / rbd.ImageHasSnapshots while clones still depend on it."""
    import rbd
    with contextlib.suppress(rbd.ImageNotFound):
        with rbd.Image(io, name) as image:
            for snap in list(image.list_snaps()):
                if image.is_protected_snap(snap["name"]):
                    image.unprotect_snap(snap["name"])
                image.remove_snap(snap["name"])
        rbd.RBD().remove(io, name)


@pytest.fixture(scope="session")
def admin(ceph_cluster: CephLab):
    """client.admin rados connection (timeouts 30 s) with helpers; see CephAdmin."""
    try:
        import rados
    except ImportError as e:
        pytest.skip(f"python rados binding not importable in {sys.executable} ({e}); "
                    "run scripts/bootstrap.sh (links Debian's python3-rados into .venv)")
    cluster = rados.Rados(conffile=ceph_cluster.conf, rados_id="admin",
                          conf={"rados_mon_op_timeout": "30", "rados_osd_op_timeout": "30"})
    cluster.connect(timeout=30)
    try:
        yield CephAdmin(ceph_cluster, cluster)
    finally:
        cluster.shutdown()


# ------------------------------------------------------------------------------------------
# running modules like an operator
# ------------------------------------------------------------------------------------------
def ensure_collection_link() -> Path:
    """build/collections/ansible_collections/eucalyptus/ceph -> the repo (idempotent,
    safe when several test sessions race for it). Returns the collections dir."""
    ns = COLLECTIONS_DIR / "ansible_collections" / "eucalyptus"
    link = ns / "ceph"
    ns.mkdir(parents=True, exist_ok=True)
    if not (link.is_symlink() and os.readlink(link) == str(REPO)):
        tmp = ns / f".ceph.{os.getpid()}"
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        tmp.symlink_to(REPO, target_is_directory=True)
        os.replace(tmp, link)  # atomic; fails only if 'ceph' is a real directory
    return COLLECTIONS_DIR


_INSTALLED: list[Path] = []


def installed_collections_path() -> Path:
    """The collections path holding the installed Galaxy artifact of this tree
    (scripts/install_collection.sh; EUCA_COLLECTIONS_PATH when the caller made it already).
    ansible runs the modules, roles and playbooks from there, never from the source tree, so a
    file the artifact lacks fails the test that needs it."""
    if not _INSTALLED:
        given = os.environ.get("EUCA_COLLECTIONS_PATH")
        if given:
            path = Path(given)
        else:
            galaxy = shutil.which("ansible-galaxy", path=str(Path(sys.executable).parent)) or "ansible-galaxy"
            out = subprocess.run(["bash", str(REPO / "scripts" / "install_collection.sh")], check=True,
                                 env={**os.environ, "ANSIBLE_GALAXY": galaxy},
                                 text=True, stdout=subprocess.PIPE, timeout=300).stdout
            path = Path(out.strip().splitlines()[-1])
        if not (path / "ansible_collections" / "eucalyptus" / "ceph" / "MANIFEST.json").is_file():
            raise RuntimeError(f"{path} holds no installed eucalyptus.ceph artifact")
        _INSTALLED.append(path)
    return _INSTALLED[0]


@dataclass
class ModuleRun:
    """Outcome of one module run. ``result`` is the task result dict as the json callback
    reports it, with ``changed`` and ``failed`` always present."""

    result: dict
    rc: int
    stdout: str
    stderr: str
    argv: list = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.result.get("changed"))

    @property
    def failed(self) -> bool:
        return bool(self.result.get("failed"))

    @property
    def msg(self) -> str:
        return str(self.result.get("msg", ""))

    @property
    def output(self) -> str:
        """stdout + stderr, e.g. to assert a secret appears nowhere in -vvv output."""
        return self.stdout + self.stderr


def _json_documents(text: str):
    """Yield the top-level JSON objects in TEXT that start at the beginning of a line
    (-v output from the connection plugin is interleaved with the callback's document)."""
    dec = json.JSONDecoder()
    for m in re.finditer(r"^\{", text, re.M):
        try:
            obj, _end = dec.raw_decode(text, m.start())
        except ValueError:
            continue
        yield obj


# ------------------------------------------------------------------------------------------
# every exec traced
# ------------------------------------------------------------------------------------------
class ExecTracer:
    """Runs ansible-playbook under ``strace -f -e trace=execve`` with full strings and the
    environment of every exec (-v -s 1 MiB), then fails the test if any cephx key the cluster
    knows (``ceph auth ls``, read right after the run) is in any of them. Every process of the
    run's tree is traced, not sampled.

    EUCA_TRACE_EXEC=0 turns it off (developers without strace); EUCA_REQUIRE_PREREQS=1 (CI)
    makes a missing strace an error rather than an unchecked run.
    """

    def __init__(self, tmp_root: Path):
        self.tmp_root = tmp_root
        self.strace = shutil.which("strace")
        self.key_sources: list = []      # callables -> {entity: key}; the admin fixture adds one
        self.runs = 0
        self.execs = 0

    @property
    def enabled(self) -> bool:
        return os.environ.get("EUCA_TRACE_EXEC", "1") != "0"

    def run(self, argv: list, what: str, **kwargs) -> subprocess.CompletedProcess:
        check = kwargs.pop("check", False)
        if not self.enabled:
            return subprocess.run(argv, check=check, **kwargs)
        if not self.strace:
            if os.environ.get("EUCA_REQUIRE_PREREQS") == "1":
                pytest.fail("strace is missing (apt-get install strace): every exec must be traced in CI")
            return subprocess.run(argv, check=check, **kwargs)
        fd, trace = tempfile.mkstemp(prefix="execve-", suffix=".trace", dir=self.tmp_root)
        os.close(fd)
        try:
            traced = [self.strace, "-f", "-qq", "--seccomp-bpf", "-e", "trace=execve", "-e", "signal=none",
                      "-s", "1048576", "-v", "-o", trace, "--"] + list(argv)
            proc = subprocess.run(traced, check=check, **kwargs)
            self.check(trace, what)
        finally:
            os.unlink(trace)   # it may hold a leaked key: never kept
        return proc

    def keys(self) -> dict:
        found = {}
        for source in self.key_sources:
            found.update(source())
        return found

    def check(self, trace: str, what: str) -> None:
        with open(trace, errors="replace") as f:
            text = f.read()
        execs = [line for line in text.splitlines() if "execve(" in line]
        self.runs += 1
        self.execs += len(execs)
        assert execs, "strace recorded no exec during %s: the trace is not working" % what
        for entity, key in self.keys().items():
            for line in execs:
                if key in line:
                    pytest.fail("the cephx key of %s was in an exec (argv or environment) during %s: %s"
                                % (entity, what, line.replace(key, "<KEY of %s>" % entity)[:2000]), pytrace=False)


class ModuleRunner:
    """run_module(name, args, check=False, diff=False, verbosity=0, extra_env=None, timeout=600)

    Runs eucalyptus.ceph.NAME (or NAME as given if it already contains a dot, e.g.
    "ansible.builtin.ping") on localhost with ansible-playbook from the venv. The module
    args go into a one-task playbook file (mode 0600, deleted afterwards), never onto a
    command line, because they may contain secrets.
    """

    def __init__(self, tmp_root: Path):
        self.tmp_root = tmp_root
        self.ansible_playbook = shutil.which("ansible-playbook", path=str(Path(sys.executable).parent)) \
            or shutil.which("ansible-playbook")
        self.tracer = ExecTracer(tmp_root)

    def run_playbook(self, argv: list, what: str = "", **kwargs) -> subprocess.CompletedProcess:
        """subprocess.run of an ansible-playbook command line, every exec of it traced for keys."""
        kwargs.setdefault("env", self.env())
        return self.tracer.run(argv, what or " ".join(str(a) for a in argv[-2:]), **kwargs)

    def env(self, extra_env: dict | None = None) -> dict:
        env = dict(os.environ)
        # scripts/test.sh exports the unit tests' PYTHONPATH (a link to the source tree): ansible
        # must find the collection only where the artifact is installed
        env.pop("PYTHONPATH", None)
        env.update({
            "ANSIBLE_COLLECTIONS_PATH": str(installed_collections_path()),
            "ANSIBLE_PYTHON_INTERPRETER": MODULE_PYTHON,   # Debian's rados/rbd/libvirt bindings
            "ANSIBLE_STDOUT_CALLBACK": "json",
            "ANSIBLE_LOAD_CALLBACK_PLUGINS": "1",
            "ANSIBLE_HOST_KEY_CHECKING": "False",
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_FORCE_COLOR": "0",
            "ANSIBLE_RETRY_FILES_ENABLED": "False",
            "PATH": f"{Path(sys.executable).parent}:{env.get('PATH', '/usr/bin:/bin')}",
        })
        env.update({k: str(v) for k, v in (extra_env or {}).items()})
        return env

    def __call__(self, name: str, args: dict, check: bool = False, diff: bool = False,
                 verbosity: int = 0, extra_env: dict | None = None, timeout: float = 600) -> ModuleRun:
        if not self.ansible_playbook:
            pytest.skip("ansible-playbook not found (run scripts/bootstrap.sh)")
        fqcn = name if "." in name else f"{COLLECTION_FQ}.{name}"
        workdir = Path(tempfile.mkdtemp(prefix="run-", dir=self.tmp_root))  # 0700
        try:
            playbook = workdir / "play.yml"
            play = [{"name": f"run {fqcn}", "hosts": "localhost", "gather_facts": False,
                     "tasks": [{"name": fqcn, fqcn: args, "register": "r"}]}]
            fd = os.open(playbook, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as f:
                json.dump(play, f, indent=2, default=str)   # JSON is YAML: no quoting surprises
            argv = [self.ansible_playbook, "-i", "localhost,", "-c", "local", str(playbook)]
            if check:
                argv.append("--check")
            if diff:
                argv.append("--diff")
            if verbosity:
                argv.append("-" + "v" * int(verbosity))
            # cwd = the private dir: no stray ansible.cfg from the caller's cwd is picked up
            p = self.tracer.run(argv, "a run of %s" % fqcn, cwd=workdir, env=self.env(extra_env), text=True,
                                capture_output=True, timeout=timeout, check=False)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        return ModuleRun(result=self._result(p, fqcn), rc=p.returncode,
                         stdout=p.stdout, stderr=p.stderr, argv=argv)

    @staticmethod
    def _result(p: subprocess.CompletedProcess, fqcn: str) -> dict:
        result = None
        for doc in _json_documents(p.stdout):
            if isinstance(doc, dict) and "plays" in doc:
                try:
                    result = dict(doc["plays"][-1]["tasks"][-1]["hosts"]["localhost"])
                except (IndexError, KeyError, TypeError):
                    pass
        if result is None:
            # ansible failed before the task ran (unknown module, bad playbook, ...)
            result = {"failed": True,
                      "msg": f"no task result for {fqcn} (rc {p.returncode}): "
                             f"{(p.stderr or p.stdout).strip()[-2000:]}"}
        result.setdefault("changed", False)
        result.setdefault("failed", False)
        return result


@pytest.fixture(scope="session")
def run_module(tmp_path_factory) -> ModuleRunner:
    """Callable: run_module(name, args, check=False, diff=False, verbosity=0, extra_env=None) -> ModuleRun.
    Every exec of every run is traced for the cluster's keys (ExecTracer)."""
    runner = ModuleRunner(tmp_path_factory.mktemp("module-runs"))
    yield runner
    print("\n[conftest] exec trace: %d ansible-playbook runs, %d execs checked for cephx keys"
          % (runner.tracer.runs, runner.tracer.execs), file=sys.stderr)


@pytest.fixture(scope="module")
def libvirtd(tmp_path_factory):
    """A libvirtd answering at qemu:///system for the tests of one module: the running one, or
    one started (and stopped) here; skipped (failed under EUCA_REQUIRE_PREREQS) without one."""
    import libvirtd as libvirtd_helper  # the helper module next to this file
    reason = libvirtd_helper.unavailable_reason()
    if reason:
        pytest.skip(reason)
    with libvirtd_helper.running_libvirtd(tmp_path_factory.mktemp("libvirtd")) as pid:
        yield pid


@pytest.fixture(autouse=True)
def _trace_keys_of_the_cluster(request):
    """Tests on the real cluster: the exec tracer checks every run against its keys."""
    if "ceph_cluster" in request.fixturenames and "run_module" in request.fixturenames:
        runner, admin = request.getfixturevalue("run_module"), request.getfixturevalue("admin")
        if admin.all_keys not in runner.tracer.key_sources:
            runner.tracer.key_sources.append(admin.all_keys)
    yield


# ------------------------------------------------------------------------------------------
# secrets on argv
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ArgvHit:
    pid: int
    argv: tuple          # with every secret replaced by <SECRET#i>, safe to print in CI logs
    secret_index: int


class ArgvWatcher:
    """Samples /proc/*/cmdline of every process every INTERVAL seconds while active and
    records processes whose argv contains one of SECRETS.

        with argv_watcher([key]) as w:
            run_module(...)
        assert w.hits == [] and w.samples > 10

    A process living shorter than one interval can slip between two samples: this makes
    leaks likely to be seen, not impossible to miss.
    """

    def __init__(self, secrets: list[str], interval: float = 0.02):
        if not secrets or any(not s for s in secrets):
            raise ValueError("argv_watcher needs non-empty secrets")
        self.secrets = [s.encode() if isinstance(s, str) else bytes(s) for s in secrets]
        self.interval = interval
        self.hits: list[ArgvHit] = []
        self.samples = 0
        self._seen: set = set()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _mask(self, raw: bytes) -> tuple:
        for i, s in enumerate(self.secrets):
            raw = raw.replace(s, f"<SECRET#{i}>".encode())
        return tuple(a.decode(errors="replace") for a in raw.rstrip(b"\0").split(b"\0"))

    def sample(self) -> None:
        me = os.getpid()
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit() or int(entry.name) == me:
                continue
            try:
                with open(f"/proc/{entry.name}/cmdline", "rb") as f:
                    raw = f.read()
            except OSError:  # exited meanwhile, or a kernel thread
                continue
            if not raw:
                continue
            flat = raw.replace(b"\0", b" ")  # also catches a secret split across arguments
            for i, s in enumerate(self.secrets):
                if s in raw or s in flat:
                    key = (int(entry.name), raw)
                    if key not in self._seen:
                        self._seen.add(key)
                        self.hits.append(ArgvHit(int(entry.name), self._mask(raw), i))
                    break
        self.samples += 1

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def __enter__(self) -> "ArgvWatcher":
        self.sample()  # synchronously once, so a process already running is always seen
        self._thread = threading.Thread(target=self._run, name="argv-watcher", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()
        self.sample()


@pytest.fixture
def argv_watcher():
    """The ArgvWatcher class: `with argv_watcher(["secret", ...]) as w: ...`."""
    return ArgvWatcher
