"""The "before" snapshot of a mon host of the existing cluster (molecule/existing/prepare.yml).

Writes DIR/host.json (root 0600, DIR root 0700): sha256 of /etc/ceph/ceph.conf and
/etc/default/ceph; for the mon store /var/lib/ceph/mon/ceph-ID the inode numbers of the
directory and of store.db, sha256 of its keyring and kv_backend files; the monmap's fsid,
epoch and created timestamp. With --cluster also the cluster-wide files: config-dump.json
(ceph config dump), pools.json (ceph osd pool ls), auth-entities.json (entity names of
ceph auth ls - NO keys), auth-caps.json (their caps), osd-flags.json (flags of ceph osd dump).
Keys are never written: auth ls output is reduced to names in memory, and every file is
checked for anything that looks like a cephx key before it is written.
"""

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys

# cephx keys: base64 of 28 bytes (Pacific..Squid, 40 chars, '==') or 44 bytes (Tentacle, 60 chars, '=')
KEY_RE = re.compile(r"(?<![A-Za-z0-9+/])(?:[A-Za-z0-9+/]{38}==|[A-Za-z0-9+/]{59}=)(?![A-Za-z0-9+/=])")


def ceph(*args):
    out = subprocess.run(["ceph", "--connect-timeout", "15", "--format", "json", *args],
                         check=True, capture_output=True, text=True, timeout=120, cwd="/").stdout
    return json.loads(out)


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def write(directory, name, data):
    text = json.dumps(data, indent=2, sort_keys=True) + "\n"
    if KEY_RE.search(text):
        sys.exit("refusing to write %s: it contains something that looks like a cephx key" % name)
    path = os.path.join(directory, name)
    fd = os.open(path + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.rename(path + ".tmp", path)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dir", required=True)
    p.add_argument("--mon-id", required=True)
    p.add_argument("--cluster", action="store_true")
    a = p.parse_args()
    os.makedirs(a.dir, mode=0o700, exist_ok=True)
    os.chmod(a.dir, 0o700)

    mon_dir = "/var/lib/ceph/mon/ceph-%s" % a.mon_id
    monmap = ceph("mon", "dump")
    host = {
        "mon_id": a.mon_id,
        "ceph_conf_sha256": sha256("/etc/ceph/ceph.conf"),
        "etc_default_ceph_sha256": sha256("/etc/default/ceph"),
        "mon_dir": mon_dir,
        "mon_dir_inode": os.stat(mon_dir).st_ino,
        "store_db_inode": os.stat(os.path.join(mon_dir, "store.db")).st_ino,
        "mon_keyring_sha256": sha256(os.path.join(mon_dir, "keyring")),
        "kv_backend_sha256": sha256(os.path.join(mon_dir, "kv_backend")),
        "monmap_fsid": monmap["fsid"],
        "monmap_epoch": monmap["epoch"],
        "monmap_created": monmap["created"],
        "monmap_mons": [m["name"] for m in monmap["mons"]],
    }
    if a.cluster:
        write(a.dir, "config-dump.json", ceph("config", "dump"))
        write(a.dir, "pools.json", ceph("osd", "pool", "ls"))
        auth = ceph("auth", "ls")
        write(a.dir, "auth-entities.json", sorted(e["entity"] for e in auth["auth_dump"]))
        write(a.dir, "auth-caps.json", dict((e["entity"], e.get("caps", {})) for e in auth["auth_dump"]))
        del auth
        osd = ceph("osd", "dump")
        write(a.dir, "osd-flags.json", {"flags": osd.get("flags"), "flags_set": osd.get("flags_set")})
    # host.json last: prepare.yml runs this script only while host.json does not exist
    write(a.dir, "host.json", host)
    print("snapshot written to %s" % a.dir)


if __name__ == "__main__":
    main()
