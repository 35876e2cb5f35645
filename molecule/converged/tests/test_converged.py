"""Assertions of molecule/converged (issue 14), after side_effect.yml.

NCs that are OSD hosts: the OSDs replicate over their own network and serve clients on the
public one, their memory target is the host's share, systemd limits their CPU, no two copies
of a PG share a host, the NC attach path uses its own conf beside the cluster's, a third
converged NC came and went (expand.yml, site.yml, retire.yml) with nothing changed on the
others, and the client on a converged NC saw zero I/O errors and mismatched blocks.
"""

import ipaddress
import json
import os
import re

import testinfra
import testinfra.utils.ansible_runner

INVENTORY = os.environ["MOLECULE_INVENTORY_FILE"]
LOGS = os.environ["MOLECULE_EPHEMERAL_DIRECTORY"]
RUNNER = testinfra.utils.ansible_runner.AnsibleRunner(INVENTORY)
MON = RUNNER.get_host("cmon1")
# the tests below address hosts themselves; run them once
testinfra_hosts = ["ansible://cmon1?ansible_inventory=%s" % INVENTORY]

PUBLIC = ipaddress.ip_network("172.30.93.0/24")
CLUSTER = ipaddress.ip_network("172.30.94.0/24")
OSD_HOSTS = ["cnc1", "cnc2"]
OSDS_PER_HOST = 2
MEMORY_SHARE = 0.1       # molecule.yml: ceph_cluster_osd_memory_share
CPU_QUOTA_USEC = "1s"    # CPUQuota=100%: one second of CPU per second
CPU_WEIGHT = "50"


def ceph(*args):
    cmd = MON.run("ceph --connect-timeout 15 --format json " + " ".join(args))
    assert cmd.rc == 0, cmd.stderr
    return json.loads(cmd.stdout) if cmd.stdout.strip() else None


def osd_hosts():
    """{osd id: CRUSH host} of the OSDs in the map."""
    hosts = {}
    tree = ceph("osd", "tree")
    by_id = {n["id"]: n for n in tree["nodes"]}
    for node in tree["nodes"]:
        if node["type"] == "host":
            for child in node.get("children", []):
                if by_id.get(child, {}).get("type") == "osd":
                    hosts[child] = node["name"]
    return hosts


def _ips(addrvec):
    return [ipaddress.ip_address(a["addr"].rsplit(":", 1)[0]) for a in addrvec["addrvec"]]


def test_two_converged_ncs_hold_the_osds_again():
    hosts = osd_hosts()
    assert sorted(set(hosts.values())) == OSD_HOSTS, hosts
    assert all(list(hosts.values()).count(h) == OSDS_PER_HOST for h in OSD_HOSTS), hosts
    osds = ceph("osd", "dump")["osds"]
    assert len(osds) == len(OSD_HOSTS) * OSDS_PER_HOST and all(o["up"] and o["in"] for o in osds), osds


def test_osds_replicate_on_the_cluster_network_and_serve_on_the_public_one():
    for osd in ceph("osd", "dump")["osds"]:
        public, cluster = _ips(osd["public_addrs"]), _ips(osd["cluster_addrs"])
        assert public and all(ip in PUBLIC for ip in public), osd
        assert cluster and all(ip in CLUSTER for ip in cluster), osd


def test_osd_memory_target_is_the_hosts_share():
    hosts = osd_hosts()
    for name in OSD_HOSTS:
        meminfo = RUNNER.get_host(name).file("/proc/meminfo").content_string
        kib = int(re.search(r"(?m)^MemTotal:\s+(\d+) kB", meminfo).group(1))
        expected = int(kib * 1024 * MEMORY_SHARE / OSDS_PER_HOST)
        for osd in [o for o, h in hosts.items() if h == name]:
            shown = {c["name"]: c for c in ceph("config", "show", "osd.%d" % osd)}
            assert shown["osd_memory_target"]["value"] == str(expected), (osd, shown["osd_memory_target"])
            assert shown["osd_memory_target"]["source"] == "file", shown["osd_memory_target"]


def test_osd_units_run_with_the_cpu_limits():
    hosts = osd_hosts()
    for name in OSD_HOSTS:
        nc = RUNNER.get_host(name)
        dropin = nc.file("/etc/systemd/system/ceph-osd@.service.d/eucalyptus-ceph-limits.conf")
        assert dropin.exists and "CPUQuota=100%" in dropin.content_string and "CPUWeight=50" in dropin.content_string
        for osd in [o for o, h in hosts.items() if h == name]:
            unit = "ceph-osd@%d" % osd
            show = nc.check_output("systemctl show %s -p ActiveState -p CPUQuotaPerSecUSec -p CPUWeight" % unit)
            props = dict(line.split("=", 1) for line in show.splitlines() if "=" in line)
            assert props == {"ActiveState": "active", "CPUQuotaPerSecUSec": CPU_QUOTA_USEC, "CPUWeight": CPU_WEIGHT}, (unit, props)


def test_no_two_copies_of_a_pg_on_one_nc():
    hosts = osd_hosts()
    for pool in ("eucavolumes", "eucasnapshots"):
        pgs = ceph("pg", "ls-by-pool", pool)
        pgs = pgs.get("pg_stats", pgs) if isinstance(pgs, dict) else pgs
        assert pgs, pool
        for pg in pgs:
            assert len(pg["acting"]) == 2 and len({hosts[o] for o in pg["acting"]}) == 2, (pool, pg["pgid"], pg["acting"])


def test_the_nc_attach_path_on_a_converged_host_leaves_the_clusters_conf_alone():
    for name in OSD_HOSTS + ["cnc3"]:
        nc = RUNNER.get_host(name)
        conf = nc.file("/etc/eucalyptus/eucalyptus.conf").content_string
        assert 'CEPH_CONFIG_PATH="/etc/ceph/eucalyptus/ceph.conf"' in conf, (name, conf)
        assert 'CEPH_USER_NAME="eucalyptus-nc"' in conf, (name, conf)
        first = nc.file("/etc/ceph/ceph.conf").content_string.splitlines()[0]
        assert "(eucalyptus.ceph.ceph_cluster)" in first, (name, first)
        client = nc.file("/etc/ceph/eucalyptus/ceph.conf").content_string
        assert "172.30.93.11" in client, (name, client)


def test_cnc3_came_and_went_as_an_osd_host_and_stays_an_nc():
    """Its OSDs gone from the OSD map, CRUSH (its host bucket too) and auth, its daemons
    stopped; retire.yml without a host named was refused first and changed nothing."""
    hosts = osd_hosts()
    assert "cnc3" not in hosts.values()
    tree = ceph("osd", "tree")
    assert "cnc3" not in [n["name"] for n in tree["nodes"] if n["type"] == "host"], tree
    metadata = ceph("osd", "metadata")
    assert all(m.get("hostname") != "cnc3" for m in metadata), metadata
    auth = [e["entity"] for e in ceph("auth", "ls")["auth_dump"]]
    assert sorted(e for e in auth if e.startswith("osd.")) == sorted("osd.%d" % o for o in hosts), auth
    cnc3 = RUNNER.get_host("cnc3")
    assert cnc3.run("pgrep -x ceph-osd").rc == 1, "an OSD daemon still runs on cnc3"
    running = cnc3.run("systemctl list-units --no-legend --state=active 'ceph-osd@*'").stdout.strip()
    assert running == "", running
    retire = open(os.path.join(LOGS, "converged-retire.log")).read()
    assert re.search(r"(?m)^cnc3\s+:.*failed=0", retire), retire[-3000:]
    refused = _recap("retire-refused")
    assert refused and all(r["changed"] == 0 and r["failed"] > 0 for r in refused.values()), refused


def _recap(log):
    text = open(os.path.join(LOGS, "converged-%s.log" % log)).read()
    return {m.group(1): {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", m.group(2))}
            for m in re.finditer(r"(?m)^(\S+)\s+:\s+(ok=.*)$", text)}


def test_adding_a_converged_nc_changed_nothing_on_the_others():
    recap = _recap("wire")
    assert recap and all(r["failed"] == 0 and r["unreachable"] == 0 for r in recap.values()), recap
    for name in ["cmon1"] + OSD_HOSTS:
        assert recap[name]["changed"] == 0, (name, recap[name])
    assert recap["cnc3"]["changed"] > 0, recap["cnc3"]


def test_every_nc_attached_in_validate():
    for log, ncs in (("validate", OSD_HOSTS), ("validate3", OSD_HOSTS + ["cnc3"])):
        recap = _recap(log)
        assert all(recap[n]["failed"] == 0 and recap[n]["ok"] > 0 for n in ncs), (log, recap)


def test_zero_io_errors_and_mismatches_on_the_converged_nc():
    client = RUNNER.get_host("cnc1")
    s = json.loads(client.file("/var/tmp/converged-io/summary.json").content_string)
    assert s["io_errors"] == 0 and s["mismatches_during_loop"] == 0 and s["final_mismatches"] == 0, s
    assert s["final_blocks_verified"] == 4096, s
    phases = set(s["phases"])
    assert {"before", "validate", "expand", "wire", "validate3", "retire", "after"} <= phases, phases
    assert all(p["all"]["count"] > 0 for p in s["phases"].values()), s["phases"]


def test_healthy_and_clean_at_the_end():
    status = ceph("status")
    assert status["health"]["status"] == "HEALTH_OK", status["health"]
    states = {s["state_name"]: s["count"] for s in status["pgmap"]["pgs_by_state"]}
    assert set(states) == {"active+clean"}, states
