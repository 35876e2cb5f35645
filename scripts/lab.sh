#!/usr/bin/env bash
# scripts/lab.sh up|converge|verify|down|status - the Eucalyptus-on-Ceph lab in containers.
#
#   up        docker (installed/started if needed), lab images (built if missing), then
#             molecule create + prepare + converge of scenario "default" (= playbooks/site.yml)
#   converge  run the site deployment again on the running lab
#   verify    molecule verify (testinfra, molecule/default/tests)
#   down      molecule destroy + remove the lab network and the OSD-files volume
#   test      molecule test (create .. verify .. destroy), then remove networks and volumes
#   images    only build the lab images of the suites in use (EUCA_LAB_*_SUITE)
# A second argument names another scenario (default: default), e.g. `lab.sh test expansion`.
# Scenario "scale" is the default lab with EUCA_LAB_NCS Node Controllers (default 10; its
# molecule.yml is written by scripts/scale_lab.py), e.g. `EUCA_LAB_NCS=20 lab.sh up scale`.
# EUCA_LAB_CEPH_SUITE, EUCA_LAB_SC_SUITE, EUCA_LAB_NC1_SUITE, EUCA_LAB_NC2_SUITE pick the Debian
# suite (so the Ceph release) of each host: bookworm (16.2 Pacific, default), trixie (18.2
# Reef), forky (20.2 Tentacle), e.g. `EUCA_LAB_CEPH_SUITE=forky EUCA_LAB_NC1_SUITE=forky lab.sh up`.
#   status    containers, memory, ceph -s
#
# The lab: mon1 (Ceph mon+mgr+3 file-backed OSDs), sc1 (SC/CLC with a fake euctl), nc1, nc2
# (NCs with libvirtd), systemd containers on the docker network eucalyptus-ceph-lab.
# A Docker engine started here is recorded in build/dockerd.pid and left running.
set -Eeuo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SCENARIO=default
NETWORK=eucalyptus-ceph-lab
VOLUME=eucalyptus-ceph-osd-files
VENV=${VENV:-$REPO/.venv}
T0=$SECONDS
say() { printf '\n[lab.sh +%ds] %s\n' $((SECONDS - T0)) "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }
declare -A TIMES=()
step() { # NAME CMD... ; returns CMD's status (set -e does not apply inside `step ... || x`)
    local name=$1 t=$SECONDS rc=0; shift
    say "$name ..."
    "$@" || rc=$?
    TIMES[$name]=$((SECONDS - t))
    if ((rc)); then say "$name FAILED (exit $rc) after ${TIMES[$name]} s"; return "$rc"; fi
    say "$name done in ${TIMES[$name]} s"
}

ensure_docker() {
    if ! command -v docker >/dev/null || ! command -v dockerd >/dev/null; then
        [[ $EUID -eq 0 ]] || die "docker is missing; install docker.io as root"
        say "installing docker.io"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker.io >&2
    fi
    if docker info >/dev/null 2>&1; then return 0; fi
    [[ $EUID -eq 0 ]] || die "the Docker engine is not running and we are not root"
    mkdir -p "$REPO/build"
    say "starting dockerd (log /var/log/dockerd.log)"
    setsid dockerd >/var/log/dockerd.log 2>&1 < /dev/null &
    echo $! >"$REPO/build/dockerd.pid"
    local i
    for i in $(seq 1 60); do
        docker info >/dev/null 2>&1 && { say "dockerd up (pid $(<"$REPO/build/dockerd.pid"))"; return 0; }
        sleep 1
    done
    die "dockerd did not answer within 60 s (see /var/log/dockerd.log)"
}

ensure_collection() {
    # the scenarios run the installed Galaxy artifact of this tree (molecule.yml reads
    # EUCA_COLLECTIONS_PATH); scripts/test.sh installs it once for all its scenarios
    if [[ -z ${EUCA_COLLECTIONS_PATH:-} ]]; then
        EUCA_COLLECTIONS_PATH=$(ANSIBLE_GALAXY=$VENV/bin/ansible-galaxy bash "$REPO/scripts/install_collection.sh") \
            || die "scripts/install_collection.sh failed"
    fi
    [[ -f $EUCA_COLLECTIONS_PATH/ansible_collections/eucalyptus/ceph/MANIFEST.json ]] \
        || die "$EUCA_COLLECTIONS_PATH holds no installed eucalyptus.ceph"
    export EUCA_COLLECTIONS_PATH
    # scripts/test.sh exports the unit tests' PYTHONPATH (a link to the source tree): molecule,
    # ansible and the verifiers must find the collection only where the artifact is installed
    unset PYTHONPATH
    say "collection: the artifact installed in $EUCA_COLLECTIONS_PATH"
}

ensure_venv() {
    # Debian packages + the project venv (idempotent; under a second when nothing is missing)
    if [[ ${SKIP_BOOTSTRAP:-0} != 1 ]]; then
        bash "$REPO/scripts/bootstrap.sh" >&2 || die "scripts/bootstrap.sh failed"
    fi
    [[ -x $VENV/bin/molecule ]] || die "no molecule in $VENV (scripts/bootstrap.sh did not install it)"
    export PATH="$VENV/bin:$PATH"
}

molecule_() { (cd "$REPO" && molecule "$@" -s "$SCENARIO"); }

# The Debian suites of the lab hosts (molecule.yml reads the same variables; default bookworm)
lab_suites() {
    printf '%s\n' "${EUCA_LAB_CEPH_SUITE:-bookworm}" "${EUCA_LAB_SC_SUITE:-bookworm}" \
        "${EUCA_LAB_NC1_SUITE:-bookworm}" "${EUCA_LAB_NC2_SUITE:-bookworm}" | sort -u
}

build_images() {
    local suite
    for suite in $(lab_suites); do
        SUITE=$suite "$REPO/molecule/images/build.sh" || return
    done
}

# Networks and volumes of a scenario: the names its molecule.yml declares (all ours, all
# prefixed eucalyptus-ceph-), removed after a destroy.
scenario_resources() { # KIND (network|volume)
    local f="$REPO/molecule/$SCENARIO/molecule.yml"
    case $1 in
        network) grep -oE 'name: eucalyptus-ceph-[a-z0-9-]+' "$f" | awk '{print $2}' | sort -u ;;
        volume) grep -oE -- '- eucalyptus-ceph-[a-z0-9-]+:' "$f" | tr -d ':' | awk '{print $2}' | sort -u ;;
    esac
}

# The container names of the scenario's platforms, in order (the first is a monitor host).
scenario_hosts() {
    awk '/^platforms:/ {p = 1; next} /^[a-z]/ {p = 0}
         p && /^ *(- )?name: / && $NF !~ /^eucalyptus-ceph-/ {print $NF}' "$REPO/molecule/$SCENARIO/molecule.yml"
}

remove_scenario_resources() {
    local n
    for n in $(scenario_resources network); do docker network rm "$n" >/dev/null 2>&1 || true; done
    for n in $(scenario_resources volume); do docker volume rm "$n" >/dev/null 2>&1 || true; done
    remove_lab_cgroups
}

# Containers of systemd >= 256 live in cgroup2 sub-cgroups eucalyptus-ceph-lab/HOSTNAME
# (molecule/images/lab/lab-init); remove the empty ones (those of running labs stay).
remove_lab_cgroups() {
    [[ $EUID -eq 0 ]] || return 0
    local m
    m=$(mktemp -d /tmp/eucalyptus-ceph-cg.XXXXXX)
    if mount -t cgroup2 none "$m" 2>/dev/null; then
        # rmdir removes a cgroup without processes or children (its control files do not count)
        if [[ -d $m/eucalyptus-ceph-lab ]]; then
            find "$m/eucalyptus-ceph-lab" -depth -mindepth 1 -type d -exec rmdir {} \; 2>/dev/null || true
        fi
        umount "$m"
    fi
    rmdir "$m"
}

summary() {
    say "summary"
    local k
    for k in "${!TIMES[@]}"; do printf '  %-10s %4d s\n' "$k" "${TIMES[$k]}" >&2; done
    cmd_status
}

cmd_status() {
    docker ps --filter "network=$NETWORK" --format '  {{.Names}}\t{{.Status}}' >&2 || true
    local h id f
    # container memory from its cgroup (docker stats of this engine shows 0 B for containers
    # whose systemd moved every process into sub-cgroups)
    local -a hosts
    mapfile -t hosts < <(scenario_hosts)
    for h in "${hosts[@]}"; do
        id=$(docker inspect -f '{{.Id}}' "$h" 2>/dev/null) || continue
        for f in "/sys/fs/cgroup/memory/docker/$id/memory.usage_in_bytes" \
                 "/sys/fs/cgroup/system.slice/docker-$id.scope/memory.current"; do
            if [[ -r $f ]]; then printf '  %-5s memory %5d MiB\n' "$h" $(($(<"$f") / 1048576)) >&2; break; fi
        done
    done
    docker exec "${hosts[0]}" ceph -s >&2 2>/dev/null || echo "  (no Ceph cluster reachable on ${hosts[0]})" >&2
}

cmd_up() {
    ensure_docker
    ensure_venv
    ensure_collection
    step images build_images
    step create molecule_ create
    step prepare molecule_ prepare
    step converge molecule_ converge || { summary; die "converge failed (the lab stays up: fix, then scripts/lab.sh converge)"; }
    summary
}

cmd_down() {
    ensure_venv
    if docker info >/dev/null 2>&1; then
        step destroy molecule_ destroy
        remove_scenario_resources
        say "scenario $SCENARIO removed with its networks and volumes; dockerd keeps running"
    else
        say "the Docker engine is not running: nothing to remove"
    fi
}

# molecule test of one scenario (create .. destroy); its containers, networks and volumes
# are removed afterwards whatever the outcome.
cmd_test() {
    ensure_docker
    ensure_venv
    ensure_collection
    step images build_images
    local rc=0
    step "test-$SCENARIO" molecule_test_traced || rc=$?
    remove_scenario_resources
    # the host-side trace holds the environment of every exec (and would hold a leaked key):
    # the verifier has searched it, nothing keeps it
    rm -f "$EUCA_LAB_LOG_DIR/host-exec.trace"
    return "$rc"
}

# molecule test, its output also in build/logs/SCENARIO/molecule.log and, when strace is
# there, every exec of the whole process tree (ansible-playbook, docker exec, the nested
# playbook runs of side_effect) with argv and environment in build/logs/SCENARIO/host-exec.trace.
# molecule/verify_common/test_secrets.py (the verifier of every scenario) searches both, and
# the side_effect of a scenario may leave more logs there (e.g. a -vvv run) for it to search.
molecule_test_traced() {
    export EUCA_LAB_LOG_DIR=$REPO/build/logs/$SCENARIO
    rm -rf "$EUCA_LAB_LOG_DIR"
    mkdir -p -m 0700 "$EUCA_LAB_LOG_DIR"
    local -a trace=()
    if command -v strace >/dev/null; then
        trace=(strace -f -qq --seccomp-bpf -e trace=execve -e signal=none -s 1048576 -v
               -o "$EUCA_LAB_LOG_DIR/host-exec.trace" --)
    fi
    (cd "$REPO" && "${trace[@]}" molecule test --destroy always -s "$SCENARIO") 2>&1 \
        | tee "$EUCA_LAB_LOG_DIR/molecule.log"
    return "${PIPESTATUS[0]}"
}

[[ -n ${2:-} ]] && SCENARIO=$2
# the scale lab's molecule.yml is generated: the default lab with EUCA_LAB_NCS Node Controllers
if [[ $SCENARIO == scale ]]; then
    "${VENV}/bin/python" "$REPO/scripts/scale_lab.py" "${EUCA_LAB_NCS:-10}" >/dev/null \
        || die "scripts/scale_lab.py could not write molecule/scale/molecule.yml"
fi
[[ -f $REPO/molecule/$SCENARIO/molecule.yml ]] || die "no Molecule scenario '$SCENARIO'"
# expansion's third OSD host is used only with EUCA_LAB_RETIRE=1: otherwise it runs no module,
# and the verifier (molecule/verify_common/test_secrets.py) must not expect traced runs there
if [[ $SCENARIO == expansion && ${EUCA_LAB_RETIRE:-0} != 1 ]]; then
    export EUCA_LAB_IDLE_HOSTS="${EUCA_LAB_IDLE_HOSTS:-} xosd3"
fi
case ${1:-} in
    up) cmd_up ;;
    test) cmd_test ;;
    images) ensure_docker; step images build_images ;;
    converge)
        ensure_venv; ensure_collection
        step converge molecule_ converge || { summary; die "converge failed"; }
        summary ;;
    verify) ensure_venv; ensure_collection; step verify molecule_ verify ;;
    down) cmd_down ;;
    status) cmd_status ;;
    *) sed -n '2,12p' "$0" >&2; exit 2 ;;
esac
