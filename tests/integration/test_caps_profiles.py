"""The SC and NC cap profiles, proven on the real cluster with each user's real key.

Users and pools are made by our own modules (cephx_user profile=sc/nc, rbd_pool); every
EBS operation is then tried through librbd as that user: the allowed ones must succeed and
the withheld ones must fail with EPERM.  docs/caps.md is the table these tests prove.
"""

import errno
import os

import pytest

from conftest import remove_image

pytestmark = pytest.mark.ceph

rados = pytest.importorskip("rados")
rbd = pytest.importorskip("rbd")

VOLUMES = "capvol"
SNAPSHOTS = "capsnap"
SC_USER = "cap-sc"
NC_USER = "cap-nc"
MiB = 1 << 20
LAYERING = rbd.RBD_FEATURE_LAYERING
# exclusive-lock + object-map: not Eucalyptus' default, but a hypervisor must cope with them
LOCKING = LAYERING | rbd.RBD_FEATURE_EXCLUSIVE_LOCK | rbd.RBD_FEATURE_OBJECT_MAP | rbd.RBD_FEATURE_FAST_DIFF


def connect_as(lab, user):
    cluster = rados.Rados(conffile=lab.conf, rados_id=user,
                          conf={"keyring": lab.keyring_path(user),
                                "rados_osd_op_timeout": "30", "rados_mon_op_timeout": "30"})
    cluster.connect(timeout=30)
    return cluster


def write_keyring(lab, admin, user):
    path = lab.keyring_path(user)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("[client.%s]\n\tkey = %s\n" % (user, admin.get_key(user)))


@pytest.fixture(scope="module")
def profiles(ceph_cluster, admin, run_module):
    """Pools and the two users, made through the modules; yields {user: rados connection}."""
    for pool in (VOLUMES, SNAPSHOTS):
        r = run_module("rbd_pool", {"name": pool, "cluster_conf": ceph_cluster.conf})
        assert not r.failed, r.msg
    common = {"volume_pools": [VOLUMES], "snapshot_pools": [SNAPSHOTS], "cluster_conf": ceph_cluster.conf}
    for user, profile in ((SC_USER, "sc"), (NC_USER, "nc")):
        r = run_module("cephx_user", dict(common, name=user, profile=profile))
        assert not r.failed, r.msg
        write_keyring(ceph_cluster, admin, user)
    connections = {user: connect_as(ceph_cluster, user) for user in (SC_USER, NC_USER)}
    yield connections
    for connection in connections.values():
        connection.shutdown()
    for pool in (VOLUMES, SNAPSHOTS):
        admin.delete_pool(pool)
    for user in (SC_USER, NC_USER):
        admin.delete_user(user)


@pytest.fixture
def chain(admin, profiles, request):
    """Admin-made fixtures as Eucalyptus lays them out:
    volume V (capvol) -> snap s -> snapshot image S (capsnap) -> snap s -> restored volume R (capvol),
    plus a volume L with exclusive-lock/object-map features."""
    tag = "%x" % (abs(hash(request.node.name)) % 0xFFFFFF)
    names = {"V": "vol-" + tag, "S": "snap-" + tag, "R": "restored-" + tag, "L": "locking-" + tag}
    vio, sio = admin.open_ioctx(VOLUMES), admin.open_ioctx(SNAPSHOTS)
    api = rbd.RBD()
    api.create(vio, names["V"], 16 * MiB, old_format=False, features=LAYERING)
    with rbd.Image(vio, names["V"]) as image:
        image.write(b"V" * 4096, 0)
        image.create_snap("s")
        image.protect_snap("s")
    api.clone(vio, names["V"], "s", sio, names["S"], features=LAYERING)
    with rbd.Image(sio, names["S"]) as image:
        image.create_snap("s")
        image.protect_snap("s")
    api.clone(sio, names["S"], "s", vio, names["R"], features=LAYERING)
    api.create(vio, names["L"], 16 * MiB, old_format=False, features=LOCKING)
    yield names
    for io, name in ((vio, names["R"]), (sio, names["S"]), (vio, names["V"]), (vio, names["L"])):
        remove_image(io, name)
    vio.close()
    sio.close()


def refused(operation):
    with pytest.raises(rbd.PermissionError) as info:
        operation()
    assert info.value.errno == errno.EPERM


# ---------------------------------------------------------------------------------------
# Storage Controller: the whole EBS lifecycle is allowed
# ---------------------------------------------------------------------------------------
def test_sc_runs_the_whole_ebs_lifecycle(profiles, admin):
    cluster = profiles[SC_USER]
    vio, sio = cluster.open_ioctx(VOLUMES), cluster.open_ioctx(SNAPSHOTS)
    api = rbd.RBD()
    try:
        api.create(vio, "sc-vol", 32 * MiB, old_format=False, features=LAYERING)        # create volume
        with rbd.Image(vio, "sc-vol") as image:
            image.write(b"x" * 4096, 0)                                                 # write
            assert image.read(0, 4096) == b"x" * 4096                                   # read
            assert image.features() == LAYERING
            image.create_snap("snap-1")                                                  # snapshot
            image.protect_snap("snap-1")                                                 # protect
        api.clone(vio, "sc-vol", "snap-1", sio, "sc-snap", features=LAYERING)           # clone -> snapshot pool
        with rbd.Image(sio, "sc-snap") as image:
            image.create_snap("snap-1")
            image.protect_snap("snap-1")
        api.clone(sio, "sc-snap", "snap-1", vio, "sc-restored", features=LAYERING)      # volume from snapshot
        with rbd.Image(sio, "sc-snap") as image:
            children = list(image.list_children2())                                      # children
        assert [(c["pool"], c["image"]) for c in children] == [(VOLUMES, "sc-restored")]
        with rbd.Image(vio, "sc-restored") as image:
            image.resize(64 * MiB)                                                        # resize
            image.flatten()                                                               # flatten
        api.rename(vio, "sc-restored", "del12345678-sc-restored")                       # delete = rename
        with rbd.Image(sio, "sc-snap") as image:
            image.unprotect_snap("snap-1")                                               # unprotect
            image.remove_snap("snap-1")                                                  # snapshot remove
        api.remove(vio, "del12345678-sc-restored")                                      # reaper removes
        api.remove(sio, "sc-snap")
        with rbd.Image(vio, "sc-vol") as image:
            image.unprotect_snap("snap-1")
            image.remove_snap("snap-1")
        api.remove(vio, "sc-vol")
        assert api.list(vio) == [] and api.list(sio) == []
    finally:
        for io, name in ((vio, "del12345678-sc-restored"), (vio, "sc-restored"), (sio, "sc-snap"), (vio, "sc-vol")):
            remove_image(io, name)
        vio.close()
        sio.close()


def test_sc_cannot_touch_other_pools(profiles, admin):
    admin.create_pool("capother", pg_num=8, wait=False)
    try:
        io = profiles[SC_USER].open_ioctx("capother")
        try:
            refused(lambda: rbd.RBD().create(io, "x", MiB, old_format=False, features=LAYERING))
        finally:
            io.close()
    finally:
        admin.delete_pool("capother")


# ---------------------------------------------------------------------------------------
# Node Controller: attach, read, write; nothing that manages images
# ---------------------------------------------------------------------------------------
def test_nc_reads_and_writes_an_attached_volume(profiles, chain):
    io = profiles[NC_USER].open_ioctx(VOLUMES)
    try:
        with rbd.Image(io, chain["V"]) as image:
            assert image.read(0, 4096) == b"V" * 4096
            image.write(b"n" * 8192, 4096)
            assert image.read(4096, 8192) == b"n" * 8192
            image.discard(8192, 4096)
    finally:
        io.close()


def test_nc_writes_a_volume_restored_from_a_snapshot(profiles, chain):
    """R's parent is in the snapshot pool, and that one's parent in the volume pool:
    reads fall through both, writes copy up into R."""
    io = profiles[NC_USER].open_ioctx(VOLUMES)
    try:
        with rbd.Image(io, chain["R"]) as image:
            assert image.read(0, 4096) == b"V" * 4096
            image.write(b"r" * 4096, 0)
            assert image.read(0, 4096) == b"r" * 4096
    finally:
        io.close()


def test_nc_only_reads_the_snapshot_pool(profiles, chain):
    io = profiles[NC_USER].open_ioctx(SNAPSHOTS)
    try:
        with rbd.Image(io, chain["S"], read_only=True) as image:
            assert image.read(0, 4096) == b"V" * 4096
        refused(lambda: rbd.Image(io, chain["S"]).write(b"w", 0))
    finally:
        io.close()


def test_two_ncs_write_one_volume_at_once(ceph_cluster, profiles, chain):
    """Live migration: source and destination hypervisors have the volume open read-write."""
    second = connect_as(ceph_cluster, NC_USER)
    io1, io2 = profiles[NC_USER].open_ioctx(VOLUMES), second.open_ioctx(VOLUMES)
    try:
        with rbd.Image(io1, chain["V"]) as source, rbd.Image(io2, chain["V"]) as destination:
            source.write(b"1" * 4096, 0)
            destination.write(b"2" * 4096, 4096)
            assert destination.read(0, 4096) == b"1" * 4096
            assert source.read(4096, 4096) == b"2" * 4096
    finally:
        io1.close()
        io2.close()
        second.shutdown()


def test_nc_takes_the_exclusive_lock_and_updates_the_object_map(profiles, chain):
    io = profiles[NC_USER].open_ioctx(VOLUMES)
    try:
        with rbd.Image(io, chain["L"]) as image:
            image.write(b"L" * 4096, 0)   # acquires the exclusive lock, updates the object map
            assert image.is_exclusive_lock_owner()
            assert image.read(0, 4096) == b"L" * 4096
    finally:
        io.close()


def _on_an_unprotected_snapshot(action):
    """The admin makes snapshot s2 (unprotected, no children) so that ACTION on it can only
    fail for want of permission, not because the snapshot is protected or in use."""
    def operation(io, chain, admin_io):
        with rbd.Image(admin_io, chain["V"]) as image:
            image.create_snap("s2")
        with rbd.Image(io, chain["V"]) as image:
            action(image)
    return operation


# operation -> callable(io as the NC, chain, admin io)
NC_REFUSED = {
    "create": lambda io, c, aio: rbd.RBD().create(io, "nc-new", MiB, old_format=False, features=LAYERING),
    "snapshot": lambda io, c, aio: rbd.Image(io, c["V"]).create_snap("nc-snap"),
    "protect": _on_an_unprotected_snapshot(lambda image: image.protect_snap("s2")),
    "unprotect": lambda io, c, aio: rbd.Image(io, c["V"]).unprotect_snap("s"),
    "remove snapshot": _on_an_unprotected_snapshot(lambda image: image.remove_snap("s2")),
    "clone": lambda io, c, aio: rbd.RBD().clone(io, c["V"], "s", io, "nc-clone", features=LAYERING),
    "resize": lambda io, c, aio: rbd.Image(io, c["V"]).resize(32 * MiB),
    "flatten": lambda io, c, aio: rbd.Image(io, c["R"]).flatten(),
    "rename": lambda io, c, aio: rbd.RBD().rename(io, c["V"], "del00000000-" + c["V"]),
    "remove": lambda io, c, aio: rbd.RBD().remove(io, c["L"]),
}


@pytest.mark.parametrize("operation", sorted(NC_REFUSED))
def test_nc_is_refused(profiles, chain, admin, operation):
    admin_io = admin.open_ioctx(VOLUMES)
    io = profiles[NC_USER].open_ioctx(VOLUMES)
    try:
        refused(lambda: NC_REFUSED[operation](io, chain, admin_io))
        # and nothing changed: the images and their snapshots are as the admin made them
        assert sorted(rbd.RBD().list(admin_io)) == sorted([chain["V"], chain["R"], chain["L"]])
        with rbd.Image(admin_io, chain["V"]) as image:
            assert image.size() == 16 * MiB
            assert image.is_protected_snap("s")
            assert "nc-snap" not in [s["name"] for s in image.list_snaps()]
    finally:
        io.close()
        admin_io.close()


def test_nc_cannot_reach_other_pools(profiles, admin):
    admin.create_pool("capother2", pg_num=8, wait=False)
    try:
        aio = admin.open_ioctx("capother2")
        rbd.RBD().create(aio, "foreign", MiB, old_format=False, features=LAYERING)
        io = profiles[NC_USER].open_ioctx("capother2")
        try:
            refused(lambda: rbd.Image(io, "foreign").read(0, 512))
        finally:
            io.close()
            aio.close()
    finally:
        admin.delete_pool("capother2")
