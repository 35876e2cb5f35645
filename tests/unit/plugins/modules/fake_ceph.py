"""An in-memory Ceph cluster behind a fake CephClient, to run the modules themselves in-process.

``FakeCluster`` holds the state a module reads and changes: cephx entities (key and caps), pools
(settings, applications, RADOS objects, RBD images), the monitors' configuration database and
running configuration, the OSD map flags and the CRUSH weights of the OSDs. ``FakeCephClient``
replaces ``_ceph_module.CephClient`` (the name CephModule instantiates) and answers exactly the
monitor and manager command prefixes the modules send, with the argument names they send,
answering the way a real Ceph (Reef, unless told otherwise) does: the same JSON shapes, the same
errno on a refusal (``auth get`` of a missing entity is ENOENT, ``osd pool rm`` without
mon_allow_pool_delete is EPERM...).

Every command is checked like the real client checks it (the collection's MON_COMMANDS table,
then the ``get_command_descriptions`` of a real release from tests/unit/fixtures) and recorded in
``FakeCluster.sent``; ``FakeCluster.mutations`` are the ones that change the cluster, so that a test
can assert that check mode sends none. A prefix the fake does not model raises AssertionError
naming it, and is also remembered so that the ``ceph`` fixture fails the test at teardown even when
the module turned that AssertionError into a fail_json (no test passes on a command nobody models).

``ModuleRunner`` runs a module's ``main()`` in-process the way test_module_arguments_fuzz.py does
(``basic._ANSIBLE_ARGS``, exit_json/fail_json patched to raise with the result). The exception is
a BaseException, like the SystemExit the real exit_json/fail_json raise, so that CephModule.run's
``except Exception`` does not mistake a module's own fail_json for an unexpected error.
"""

import base64
import copy
import errno
import importlib
import io
import json
import os
import struct
import sys

import rados

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes

from ansible_collections.eucalyptus.ceph.plugins.module_utils import _ceph_module
from ansible_collections.eucalyptus.ceph.plugins.module_utils._ceph_client import (
    CephArgumentError,
    CephClientError,
    build_mon_command,
)
from ansible_collections.eucalyptus.ceph.plugins.module_utils._command_descriptions import (
    CommandDescriptions,
    CommandRefused,
)

FIXTURES = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "command_descriptions")
RELEASES = ("pacific-16.2.15", "reef-18.2.7", "tentacle-20.2.4")

# Commands that change the cluster (librbd's pool init included).
MUTATING = frozenset([
    "auth add", "auth get-or-create", "auth caps", "auth del", "auth import",
    "osd pool create", "osd pool set", "osd pool rm", "osd pool application enable",
    "config set", "config rm", "config-key set", "config-key rm",
    "osd set", "osd unset", "osd crush reweight", "osd out", "osd in", "osd new", "osd purge",
    "osd crush rule create-replicated", "osd crush rule rm", "osd crush remove",
    "rbd pool init",
])

# Options the fake's monitors know: name -> (type, default). Defaults of Reef unless noted.
OPTIONS = {
    "osd_max_backfills": ("int", "1"),
    "osd_recovery_max_active": ("int", "0"),
    "osd_recovery_sleep": ("float", "0.000000"),
    "osd_op_queue": ("str", "mclock_scheduler"),   # wpq before Quincy
    "osd_mclock_profile": ("str", "balanced"),
    "osd_mclock_override_recovery_settings": ("bool", "false"),
    "osd_pool_default_size": ("int", "3"),
    "osd_pool_default_min_size": ("int", "0"),
    "osd_pool_default_pg_num": ("int", "32"),
    "osd_pool_default_pg_autoscale_mode": ("str", "on"),
    "mon_allow_pool_size_one": ("bool", "false"),
    "mon_allow_pool_delete": ("bool", "false"),
    "mon_max_pg_per_osd": ("int", "250"),
    # a manager module option, known once the manager has reported its modules
    "mgr/devicehealth/enable_monitoring": ("bool", "true"),
}
_TRUE = ("true", "1", "yes", "on")
_BOOLS = _TRUE + ("false", "0", "no", "off")
# OSD map flags that are always set on a Luminous-or-later cluster (never touched by an operator)
FEATURE_FLAGS = ("sortbitwise", "recovery_deletes", "purged_snapdirs", "pglog_hardlimit")
# what `osd set KEY` sets in the map (OSDMonitor::prepare_command_impl): "pause" is two flags
SET_FLAG_KEYS = {
    "full": ("full",), "pause": ("pauserd", "pausewr"), "noup": ("noup",), "nodown": ("nodown",),
    "noout": ("noout",), "noin": ("noin",), "nobackfill": ("nobackfill",), "norebalance": ("norebalance",),
    "norecover": ("norecover",), "noscrub": ("noscrub",), "nodeep-scrub": ("nodeep-scrub",),
    "notieragent": ("notieragent",), "nosnaptrim": ("nosnaptrim",),
}


class MonError(Exception):
    """A refusal of the fake monitors: errno (positive) and the status text (``outs``)."""

    def __init__(self, err, outs):
        Exception.__init__(self, outs)
        self.errno = err
        self.outs = outs


def make_key(serial):
    """A well-formed cephx key (AES-128, as Pacific and Reef hand out), distinct per serial."""
    secret = struct.pack("<QQ", 0x5eed0000 + serial, serial * 7919)
    return base64.b64encode(struct.pack("<HIIH", 1, 1700000000 + serial, 0, len(secret)) + secret).decode("ascii")


def _float32(value):
    return struct.unpack("<f", struct.pack("<f", value))[0]


def parse_keyring(text):
    """[(entity, key, caps)] of keyring text, as ``auth import`` reads it."""
    entries = []
    current = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = [line[1:-1], None, {}]
            entries.append(current)
            continue
        if current is None or "=" not in line:
            raise MonError(errno.EINVAL, "error parsing keyring: unexpected line")
        name, value = [part.strip() for part in line.split("=", 1)]
        if name == "key":
            current[1] = value
        elif name.startswith("caps "):
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            current[2][name[len("caps "):].strip()] = value
        else:
            raise MonError(errno.EINVAL, "error parsing keyring: unknown field %s" % name)
    return [tuple(entry) for entry in entries]


class FakeCluster:
    """The state of one fake Ceph cluster and the record of every command sent to it."""

    def __init__(self, release="reef-18.2.7"):
        assert release in RELEASES, release
        self.release = release
        with open(os.path.join(FIXTURES, release + ".json")) as f:
            self.descriptions = CommandDescriptions(json.load(f))
        self.mons = ["a"]
        self.entities = {"client.admin": {"key": make_key(0), "caps": {
            "mds": "allow *", "mgr": "allow *", "mon": "allow *", "osd": "allow *"}}}
        self.pools = {}         # name -> pool dict as `osd pool ls detail` prints it
        self.objects = {}       # pool -> set of RADOS object names
        self.images = {}        # pool -> [image names]
        self.next_pool_id = 1
        self.config = []        # the configuration database: [{"section", "name", "value"}]
        self.ceph_conf = {}     # options the monitors' ceph.conf sets (running config only)
        self.unkept = set()     # (who, name) the monitors accept a set of but do not keep
        self.flags = set(FEATURE_FLAGS)
        self.osds = {}          # id -> {"host", "kb", "weight" (16.16 fixed point)}
        self.config_keys = {}   # the monitors' config-key store: key -> bytes
        self.sent = []          # (prefix, args, ok) of every command, in order
        self.faults = []        # [prefix, match (args), exception, times left, answers left before it]
        self.clients = []
        self.unmodeled = []     # prefixes the fake was asked for and does not model
        self.refused_arguments = []  # commands the argument checks refused (a bug of the module)
        self._serial = 0

    # -- test set-up ---------------------------------------------------------------------
    def add_user(self, entity, caps, key=None):
        self._serial += 1
        self.entities[entity] = {"key": key or make_key(self._serial), "caps": dict(caps)}
        return self.entities[entity]["key"]

    def add_pool(self, name, size=3, min_size=2, pg_num=32, autoscale="on", applications=(), rbd_init=False,
                 images=()):
        self._create_pool(name, pg_num, size, autoscale)
        self.pools[name]["min_size"] = min_size
        for app in applications:
            self.pools[name]["application_metadata"][app] = {}
        if rbd_init:
            self.objects[name].add("rbd_info")
        self.images[name] = list(images)
        return self.pools[name]

    def add_osd(self, osd_id, host, size_gib, weight=None):
        kb = size_gib * 1024 * 1024
        if weight is None:
            weight = kb * 1024 / float(1 << 40)
        self.osds[osd_id] = {"host": host, "kb": kb, "weight": int(weight * 0x10000)}

    def set_config(self, who, name, value):
        self.config = [e for e in self.config if (e["section"], e["name"]) != (who, name)]
        self.config.append({"section": who, "name": name, "value": value})

    def fail_on(self, prefix, exc, match=None, times=1, after=0):
        """After ``after`` of them have been answered, the next ``times`` commands of ``prefix`` (whose
        arguments include ``match``) raise ``exc`` before they are applied. ``exc`` is any exception
        instance (CephClientError, RuntimeError...)."""
        self.faults.append([prefix, dict(match or {}), exc, times, after])

    def refuse(self, prefix, err, outs, match=None):
        """The monitors refuse the next ``prefix`` command with ``err`` (the real client's error)."""
        self.fail_on(prefix, CephClientError("%s: %s" % (prefix, outs), err), match)

    # -- what tests read -----------------------------------------------------------------
    @property
    def mutations(self):
        """Mutating commands sent (refused ones included): [(prefix, args)]."""
        return [(p, a) for p, a, _ok in self.sent if p in MUTATING]

    def snapshot(self):
        """A copy of the whole cluster state, to assert that a run changed nothing."""
        return copy.deepcopy(dict(entities=self.entities, pools=self.pools, objects=self.objects, images=self.images,
                                  config=self.config, flags=self.flags, osds=self.osds,
                                  config_keys=self.config_keys))

    def reset_log(self):
        """Forget the commands sent so far (between the runs of one test)."""
        del self.sent[:]

    @property
    def prefixes(self):
        return [p for p, _a, _ok in self.sent]

    def flag_list(self):
        return sorted(self.flags)

    def crush_weight(self, osd_id):
        return _float32(self.osds[osd_id]["weight"] / float(0x10000))

    # -- the command path ----------------------------------------------------------------
    def handle(self, target, prefix, inbuf, args):
        handler = HANDLERS.get((target, prefix))
        if handler is None:
            self.unmodeled.append(prefix)
            raise AssertionError("the fake Ceph cluster does not model the %s command %r (args %r)" % (target, prefix, args))
        try:
            payload = json.loads(build_mon_command(prefix, **args))
            if target == "mon":
                self.descriptions.check(payload)
        except (CephArgumentError, CommandRefused) as exc:
            self.refused_arguments.append((prefix, args, str(exc)))
            raise CephArgumentError(str(exc))
        # what goes on the wire: the JSON the real client builds (None arguments are left out)
        del payload["prefix"]
        args = payload
        self._raise_fault(prefix, args)
        try:
            reply = handler(self, dict((k, v) for k, v in args.items() if k != "format"), inbuf)
        except MonError as exc:
            self.sent.append((prefix, dict(args), False))
            raise CephClientError("%s: %s" % (prefix, exc.outs), exc.errno)
        self.sent.append((prefix, dict(args), True))
        if args.get("format") == "plain":
            if reply is None:
                return ""
            return reply if isinstance(reply, str) else json.dumps(reply)
        # a JSON round trip: the module gets a copy, never the fake's own state
        return None if reply is None else json.loads(json.dumps(reply))

    def handle_rbd(self, prefix, pool, apply):
        """A librbd call that changes the cluster: faults, then ``apply()``, recorded like a command."""
        args = {"pool": pool}
        self._raise_fault(prefix, args)
        apply()
        self.sent.append((prefix, args, True))

    def _raise_fault(self, prefix, args):
        for fault in self.faults:
            fault_prefix, match, exc, remaining, after = fault
            if fault_prefix == prefix and remaining > 0 and all(args.get(k) == v for k, v in match.items()):
                if after > 0:
                    fault[4] -= 1
                    continue
                fault[3] -= 1
                self.sent.append((prefix, dict(args), False))
                raise exc

    # -- state helpers ---------------------------------------------------------------------
    def _entity_entry(self, entity):
        data = self.entities[entity]
        return {"entity": entity, "key": data["key"], "caps": dict(data["caps"])}

    def config_value(self, who, name):
        """What the configuration database gives WHO for NAME (most specific section first), or the default."""
        kind = who.split(".", 1)[0]
        for section in (who, kind, "global"):
            for entry in self.config:
                if entry["section"] == section and entry["name"] == name:
                    return entry["value"]
        return OPTIONS[name][1]

    def running_value(self, daemon, name):
        """A daemon's running value: its ceph.conf wins over the database (Ceph's precedence)."""
        if name in self.ceph_conf:
            return self.ceph_conf[name]
        return self.config_value(daemon, name)

    def _mon_bool(self, name):
        return self.running_value("mon.%s" % self.mons[0], name).lower() in _TRUE

    def _default_min_size(self, size):
        default = int(self.running_value("mon.%s" % self.mons[0], "osd_pool_default_min_size"))
        return min(default, size) if default else size - size // 2

    def _create_pool(self, name, pg_num, size, autoscale):
        mon = "mon.%s" % self.mons[0]
        autoscale = autoscale or self.running_value(mon, "osd_pool_default_pg_autoscale_mode")
        if pg_num is None:
            # Reef and later start a pool the autoscaler owns at 1 PG, Pacific at the default
            pg_num = 1 if autoscale == "on" and self.release != "pacific-16.2.15" else \
                int(self.running_value(mon, "osd_pool_default_pg_num"))
        size = size or int(self.running_value(mon, "osd_pool_default_size"))
        self.pools[name] = {
            "pool_id": self.next_pool_id, "pool_name": name, "type": 1, "size": size,
            "min_size": self._default_min_size(size), "crush_rule": 0, "pg_num": pg_num,
            "pg_placement_num": pg_num, "pg_num_target": pg_num, "pgp_num_target": pg_num,
            "pg_autoscale_mode": autoscale, "application_metadata": {},
        }
        self.next_pool_id += 1
        self.objects[name] = set()
        self.images[name] = []

    def _pool(self, name):
        if name not in self.pools:
            raise MonError(errno.ENOENT, "unrecognized pool '%s'" % name)
        return self.pools[name]


# -- monitor command handlers: (cluster, args, inbuf) -> reply ---------------------------------
def _mon_dump(c, args, inbuf):
    return {"epoch": 1, "fsid": "fe850bea-5a92-49d3-90ce-54713273d73b",
            "mons": [{"rank": i, "name": n, "addr": "127.0.0.%d:6789/0" % (i + 1)} for i, n in enumerate(c.mons)]}


def _auth_get(c, args, inbuf):
    if args["entity"] not in c.entities:
        raise MonError(errno.ENOENT, "failed to find %s in keyring" % args["entity"])
    return [c._entity_entry(args["entity"])]


def _caps_of(args):
    caps = args.get("caps") or []
    if len(caps) % 2:
        raise MonError(errno.EINVAL, "auth: caps must be pairs of a daemon type and a cap")
    pairs = dict(zip(caps[::2], caps[1::2]))
    for daemon, cap in pairs.items():
        if daemon not in ("mon", "osd", "mgr", "mds"):
            raise MonError(errno.EINVAL, "unknown daemon type '%s'" % daemon)
        if not all(g.strip().split(" ", 1)[0] in ("allow", "profile") for g in cap.split(",")):
            raise MonError(errno.EINVAL, "Error EINVAL: moncap parse failed, stopped at '%s'" % cap)
    return pairs


def _auth_get_or_create(c, args, inbuf):
    entity, caps = args["entity"], _caps_of(args)
    if entity in c.entities:
        have = c.entities[entity]["caps"]
        for daemon, cap in caps.items():
            if have.get(daemon) != cap:
                raise MonError(errno.EINVAL, "key for %s exists but cap %s does not match" % (entity, daemon))
        return [c._entity_entry(entity)]
    c.add_user(entity, caps)
    return [c._entity_entry(entity)]


def _auth_caps(c, args, inbuf):
    entity, caps = args["entity"], _caps_of(args)
    if entity not in c.entities:
        raise MonError(errno.ENOENT, "couldn't find entry %s" % entity)
    c.entities[entity]["caps"] = caps   # replaces every cap: daemon types left out lose theirs
    return None


def _auth_del(c, args, inbuf):
    # Ceph answers success for an entity that does not exist ("entity ... does not exist")
    c.entities.pop(args["entity"], None)
    return None


def _auth_import(c, args, inbuf):
    if not inbuf:
        raise MonError(errno.EINVAL, "auth import: no data in input buffer")
    for entity, key, caps in parse_keyring(inbuf.decode("ascii")):
        if not key:
            raise MonError(errno.EINVAL, "auth import: %s has no key" % entity)
        c.entities[entity] = {"key": key, "caps": caps}   # created or overwritten, key and caps
    return None


def _auth_ls(c, args, inbuf):
    return {"auth_dump": [c._entity_entry(e) for e in sorted(c.entities)]}


def _pool_ls(c, args, inbuf):
    if args.get("detail"):
        return [c.pools[n] for n in sorted(c.pools, key=lambda n: c.pools[n]["pool_id"])]
    return sorted(c.pools, key=lambda n: c.pools[n]["pool_id"])


def _pool_create(c, args, inbuf):
    name = args["pool"]
    if name in c.pools:
        return None   # "pool 'NAME' already exists", success
    size = args.get("size")
    if size is not None and not 1 <= size <= 10:
        raise MonError(errno.EINVAL, "pool size must be between 1 and 10")
    if size == 1 and not c._mon_bool("mon_allow_pool_size_one"):
        raise MonError(errno.EPERM, "configuring pool size as 1 is disabled by default.")
    c._create_pool(name, args.get("pg_num"), size, args.get("autoscale_mode"))
    return None


def _pool_set(c, args, inbuf):
    pool, var, val = c._pool(args["pool"]), args["var"], args["val"]
    if var in ("size", "min_size", "pg_num", "pgp_num"):
        try:
            n = int(val)
        except ValueError:
            raise MonError(errno.EINVAL, "error parsing integer value '%s'" % val)
    if var == "size":
        if not 1 <= n <= 10:
            raise MonError(errno.EINVAL, "pool size must be between 1 and 10")
        if n == 1:
            if not c._mon_bool("mon_allow_pool_size_one"):
                raise MonError(errno.EPERM, "configuring pool size as 1 is disabled by default.")
            if not args.get("yes_i_really_mean_it"):
                raise MonError(errno.EPERM, "WARNING: setting pool size 1 could lead to data loss without recovery. "
                                            "If you are *ABSOLUTELY CERTAIN* that is what you want, pass the flag "
                                            "--yes-i-really-mean-it.")
        pool["size"] = n
        # the monitors reset min_size at every size change
        pool["min_size"] = c._default_min_size(n)
    elif var == "min_size":
        if not 1 <= n <= pool["size"]:
            raise MonError(errno.EINVAL, "pool min_size must be between 1 and size, which is set to %d" % pool["size"])
        pool["min_size"] = n
    elif var == "pg_num":
        if n < 1:
            raise MonError(errno.EINVAL, "specified pg_num %d must be > 0" % n)
        pool["pg_num_target"] = n
        pool["pgp_num_target"] = n
    elif var == "pg_autoscale_mode":
        if val not in ("on", "off", "warn"):
            raise MonError(errno.EINVAL, "specified invalid mode %s" % val)
        pool["pg_autoscale_mode"] = val
    else:
        raise MonError(errno.EINVAL, "unrecognized variable '%s'" % var)
    return None


def _pool_rm(c, args, inbuf):
    name = args["pool"]
    if name not in c.pools:
        return None   # "pool 'NAME' does not exist", success
    if args.get("pool2") != name or not args.get("yes_i_really_really_mean_it"):
        raise MonError(errno.EPERM, "WARNING: this will *PERMANENTLY DESTROY* all data stored in pool %s" % name)
    if not c._mon_bool("mon_allow_pool_delete"):
        raise MonError(errno.EPERM, "pool deletion is disabled; you must first set the mon_allow_pool_delete config "
                                    "option to true before you can destroy a pool")
    del c.pools[name]
    c.objects.pop(name, None)
    c.images.pop(name, None)
    return None


def _pool_application_enable(c, args, inbuf):
    pool, app = c._pool(args["pool"]), args["app"]
    apps = pool["application_metadata"]
    if app in apps:
        return None
    if apps and not args.get("yes_i_really_mean_it"):
        raise MonError(errno.EPERM, "Are you SURE? Pool '%s' already has an enabled application; pass "
                                    "--yes-i-really-mean-it to proceed anyway" % args["pool"])
    apps[app] = {}
    return None


def _config_dump(c, args, inbuf):
    return [dict(e, level="advanced", can_update_at_runtime=True, mask="") for e in c.config]


def _config_get(c, args, inbuf):
    if args["key"] not in OPTIONS:
        raise MonError(errno.ENOENT, "unrecognized key '%s'" % args["key"])
    return c.config_value(args["who"], args["key"])


def _config_set(c, args, inbuf):
    who, name, value = args["who"], args["name"], args["value"]
    option = OPTIONS.get(name)
    if option is None and not args.get("force"):
        raise MonError(errno.EINVAL, "unrecognized config option '%s'" % name)
    kind = option[0] if option else "str"
    try:
        if kind == "int":
            value = str(int(value))
        elif kind == "float":
            value = "%f" % float(value)   # the monitors keep numbers in their own form
        elif kind == "bool" and value.lower() not in _BOOLS:
            raise ValueError(value)
    except ValueError:
        raise MonError(errno.EINVAL, "error parsing value: '%s' is not a valid %s" % (args["value"], kind))
    if (who, name) in c.unkept:
        return None   # success, and nothing held (measured: Tentacle and osd_recovery_max_active)
    c.set_config(who, name, value)
    return None


def _config_rm(c, args, inbuf):
    c.config = [e for e in c.config if (e["section"], e["name"]) != (args["who"], args["name"])]
    return None


def _osd_dump(c, args, inbuf):
    return {"epoch": 42, "flags": ",".join(sorted(c.flags)), "flags_set": sorted(c.flags),
            "osds": [{"osd": i, "up": 1, "in": 1} for i in sorted(c.osds)], "pools": []}


def _osd_set(c, args, inbuf):
    if args["key"] not in SET_FLAG_KEYS:
        raise MonError(errno.EINVAL, "unrecognized flag '%s'" % args["key"])
    c.flags.update(SET_FLAG_KEYS[args["key"]])
    return None


def _osd_unset(c, args, inbuf):
    if args["key"] not in SET_FLAG_KEYS:
        raise MonError(errno.EINVAL, "unrecognized flag '%s'" % args["key"])
    c.flags.difference_update(SET_FLAG_KEYS[args["key"]])
    return None


def _osd_df(c, args, inbuf):
    nodes = []
    for i in sorted(c.osds):
        osd = c.osds[i]
        nodes.append({"id": i, "device_class": "hdd", "name": "osd.%d" % i, "type": "osd", "type_id": 0,
                      "crush_weight": c.crush_weight(i), "depth": 2, "pool_weights": {}, "reweight": 1,
                      "kb": osd["kb"], "kb_used": 0, "kb_avail": osd["kb"], "utilization": 0, "pgs": 0,
                      "status": "up"})
    return {"nodes": nodes, "stray": [], "summary": {"total_kb": sum(o["kb"] for o in c.osds.values())}}


def _osd_tree(c, args, inbuf):
    hosts = sorted(set(o["host"] for o in c.osds.values()))
    host_ids = dict((h, -2 - n) for n, h in enumerate(hosts))
    nodes = [{"id": -1, "name": "default", "type": "root", "type_id": 11, "children": sorted(host_ids.values())}]
    for host in hosts:
        nodes.append({"id": host_ids[host], "name": host, "type": "host", "type_id": 1, "pool_weights": {},
                      "children": sorted((i for i, o in c.osds.items() if o["host"] == host), reverse=True)})
    for i in sorted(c.osds):
        nodes.append({"id": i, "device_class": "hdd", "name": "osd.%d" % i, "type": "osd", "type_id": 0,
                      "crush_weight": c.crush_weight(i), "depth": 2, "pool_weights": {}, "exists": 1,
                      "status": "up", "reweight": 1, "primary_affinity": 1})
    return {"nodes": nodes, "stray": []}


def _osd_crush_reweight(c, args, inbuf):
    name, weight = args["name"], args["weight"]
    osd_id = int(name[4:]) if name.startswith("osd.") and name[4:].isdigit() else None
    if osd_id not in c.osds:
        raise MonError(errno.ENOENT, "device '%s' does not appear in the crush map" % name)
    if weight < 0:
        raise MonError(errno.EINVAL, "weight must be non-negative")
    # CRUSH keeps 16.16 fixed point (CrushWrapper::adjust_item_weightf truncates)
    c.osds[osd_id]["weight"] = int(weight * 0x10000)
    return None


def _mgr_config_show(c, args, inbuf):
    who, key = args["who"], args["key"]
    if who not in ["mon.%s" % m for m in c.mons]:
        raise MonError(errno.ENOENT, "no config state for daemon %s" % who)
    if key not in OPTIONS:
        raise MonError(errno.ENOENT, "unrecognized key '%s'" % key)
    return c.running_value(who, key)


def _config_key_get(c, args, inbuf):
    if args["key"] not in c.config_keys:
        raise MonError(errno.ENOENT, "")   # what the monitors answer for a key they lack
    return c.config_keys[args["key"]].decode("utf-8")


def _config_key_set(c, args, inbuf):
    # the value comes as the input buffer (or as "val"); the monitors keep the bytes as given
    c.config_keys[args["key"]] = inbuf if inbuf else args.get("val", "").encode("utf-8")
    return None


def _config_key_rm(c, args, inbuf):
    c.config_keys.pop(args["key"], None)   # removing an absent key succeeds
    return None


HANDLERS = {
    ("mon", "mon dump"): _mon_dump,
    ("mon", "auth get"): _auth_get,
    ("mon", "auth get-or-create"): _auth_get_or_create,
    ("mon", "auth caps"): _auth_caps,
    ("mon", "auth del"): _auth_del,
    ("mon", "auth import"): _auth_import,
    ("mon", "auth ls"): _auth_ls,
    ("mon", "osd pool ls"): _pool_ls,
    ("mon", "osd pool create"): _pool_create,
    ("mon", "osd pool set"): _pool_set,
    ("mon", "osd pool rm"): _pool_rm,
    ("mon", "osd pool application enable"): _pool_application_enable,
    ("mon", "config dump"): _config_dump,
    ("mon", "config get"): _config_get,
    ("mon", "config set"): _config_set,
    ("mon", "config rm"): _config_rm,
    ("mon", "osd dump"): _osd_dump,
    ("mon", "osd set"): _osd_set,
    ("mon", "osd unset"): _osd_unset,
    ("mon", "osd df"): _osd_df,
    ("mon", "osd tree"): _osd_tree,
    ("mon", "osd crush reweight"): _osd_crush_reweight,
    ("mon", "config-key get"): _config_key_get,
    ("mon", "config-key set"): _config_key_set,
    ("mon", "config-key rm"): _config_key_rm,
    ("mgr", "config show"): _mgr_config_show,
}


# -- librados / librbd ---------------------------------------------------------------------
class FakeIoctx:
    def __init__(self, cluster, pool):
        self.cluster = cluster
        self.pool = pool

    def stat(self, name):
        if name not in self.cluster.objects.get(self.pool, ()):
            raise rados.ObjectNotFound("Failed to stat %r" % name, errno.ENOENT)
        return (112, (2024, 1, 1, 0, 0, 0, 0, 1, 0))

    def close(self):
        pass


class FakeRBD:
    def __init__(self, cluster):
        self.cluster = cluster

    def pool_init(self, ioctx, force):
        self.cluster.handle_rbd("rbd pool init", ioctx.pool, lambda: self.cluster.objects[ioctx.pool].add("rbd_info"))

    def list(self, ioctx):
        return list(self.cluster.images.get(ioctx.pool, []))


class FakeCephClient:
    """Stands in for CephClient: the same constructor, the same methods the modules call."""

    cluster = None   # set by the ``ceph`` fixture (a subclass per test)

    def __init__(self, conf_file="/etc/ceph/ceph.conf", user="admin", keyring=None, connect_timeout=30,
                 op_timeout=60, osd_op_timeout=None):
        self.conf_file = conf_file
        self.user = user
        self.keyring = keyring
        self.connect_timeout = connect_timeout
        self.op_timeout = op_timeout
        self.osd_op_timeout = osd_op_timeout
        self.closed = False
        self._ioctxs = {}
        self.cluster.clients.append(self)

    def connect(self):
        assert not self.closed, "the module used its Ceph connection after closing it"
        return self

    def close(self):
        self.closed = True
        self._ioctxs = {}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def mon_command(self, prefix, inbuf=b"", **args):
        self.connect()
        args.setdefault("format", "json")
        return self.cluster.handle("mon", prefix, inbuf, args)

    def mgr_command(self, prefix, inbuf=b"", **args):
        self.connect()
        args.setdefault("format", "json")
        return self.cluster.handle("mgr", prefix, inbuf, args)

    def osd_command(self, osd_id, prefix, **args):
        self.cluster.unmodeled.append(prefix)
        raise AssertionError("the fake Ceph cluster does not model the osd.%s command %r" % (osd_id, prefix))

    def pool_exists(self, pool):
        self.connect()
        return pool in self.cluster.pools

    def ioctx(self, pool):
        self.connect()
        if pool not in self._ioctxs:
            if pool not in self.cluster.pools:
                raise CephClientError("pool %s does not exist" % pool, errno.ENOENT)
            self._ioctxs[pool] = FakeIoctx(self.cluster, pool)
        return self._ioctxs[pool]

    def forget_ioctx(self, pool):
        self._ioctxs.pop(pool, None)

    def rbd(self):
        self.connect()
        return FakeRBD(self.cluster)


def install(monkeypatch, cluster):
    """Make CephModule open FakeCephClient connections to ``cluster``."""
    client_class = type("BoundFakeCephClient", (FakeCephClient,), {"cluster": cluster})
    monkeypatch.setattr(_ceph_module, "CephClient", client_class)
    return client_class


def check_cluster_after_test(cluster):
    """Raised at teardown: what a test must never get away with."""
    assert not cluster.unmodeled, "the module sent commands the fake does not model: %r" % cluster.unmodeled
    assert not cluster.refused_arguments, "the module sent commands the argument checks refuse: %r" % (
        cluster.refused_arguments,)


# -- running a module in-process -----------------------------------------------------------
class ModuleExit(BaseException):
    """exit_json/fail_json were called; ``result`` holds the keyword arguments (+ ``failed``)."""

    def __init__(self, result):
        BaseException.__init__(self, "module exited")
        self.result = result


class ModuleRunner:
    """``runner(name, args, check_mode=False, diff=True, no_log=False)`` -> the module's result."""

    def __init__(self, monkeypatch, cluster):
        self.monkeypatch = monkeypatch
        self.cluster = cluster

        def exit_json(module, **kwargs):
            raise ModuleExit(dict(kwargs, failed=False))

        def fail_json(module, msg=None, **kwargs):
            assert isinstance(msg, str) and msg, "fail_json without a message: %r" % (kwargs,)
            raise ModuleExit(dict(kwargs, msg=msg, failed=True))

        monkeypatch.setattr(basic.AnsibleModule, "exit_json", exit_json)
        monkeypatch.setattr(basic.AnsibleModule, "fail_json", fail_json)

    def __call__(self, name, args, check_mode=False, diff=True, no_log=False):
        module = importlib.import_module("ansible_collections.eucalyptus.ceph.plugins.modules." + name)
        payload = {"ANSIBLE_MODULE_ARGS": dict(args, _ansible_check_mode=check_mode, _ansible_diff=diff,
                                               _ansible_no_log=no_log, _ansible_remote_tmp="/tmp",
                                               _ansible_keep_remote_files=False)}
        self.monkeypatch.setattr(basic, "_ANSIBLE_ARGS", to_bytes(json.dumps(payload)))
        self.monkeypatch.setattr(basic, "_ANSIBLE_PROFILE", "legacy", raising=False)
        self.monkeypatch.setattr(sys, "stdin", io.StringIO(""))
        opened = len(self.cluster.clients)
        result = None
        try:
            module.main()
        except ModuleExit as done:
            result = done.result
        if result is None:
            raise AssertionError("%s returned without exit_json or fail_json" % name)
        clients = self.cluster.clients[opened:]
        # one connection per run, closed on every exit path
        assert len(clients) <= 1, "%s opened %d Ceph connections in one run" % (name, len(clients))
        assert all(c.closed for c in clients), "%s exited with its Ceph connection open" % name
        return result
