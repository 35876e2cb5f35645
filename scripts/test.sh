#!/usr/bin/env bash
# scripts/test.sh [STAGE...] - the project's test entry point (also what CI runs).
#
# Stages, in this order by default:
#   sanity       scripts/sanity.sh (ansible-test sanity, ansible-lint, vermin)
#   docs         scripts/docsite/build.sh (antsibull-docs lint, the site), then tests/docs:
#                the site as headless Chromium renders it
#   unit         pytest tests/unit
#   integration  pytest tests/integration (real Ceph cluster, libvirtd; root) on the host's
#                release, and at the same time the matrix's integration cases (the suite on
#                Tentacle in a container)
#   molecule     the rest of the release matrix (MOLECULE_MATRIX below): Molecule scenarios
#                through scripts/lab.sh test (Docker engine, locally built images, create ..
#                verify .. destroy)
# e.g.  scripts/test.sh unit integration
#
# Every requested stage runs even if an earlier one failed (one CI run shows every
# problem); the exit status is non-zero if any stage failed.
# Environment: SKIP_BOOTSTRAP=1 skips scripts/bootstrap.sh; PYTEST_ARGS adds pytest options
# (e.g. PYTEST_ARGS="-x -k harness"); EUCA_CEPH_IP / EUCA_CEPH_DIR: see tests/integration/conftest.py.
set -Euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
ALL_STAGES=(sanity docs unit integration molecule)
STAGES=("$@")
((${#STAGES[@]})) || STAGES=("${ALL_STAGES[@]}")
for s in "${STAGES[@]}"; do
    case " ${ALL_STAGES[*]} " in *" $s "*) ;; *) echo "unknown stage '$s' (stages: ${ALL_STAGES[*]})" >&2; exit 2 ;; esac
done

START=$SECONDS
banner() { printf '\n===== [test.sh +%ds] %s =====\n' $((SECONDS - START)) "$*" >&2; }

if [[ ${SKIP_BOOTSTRAP:-0} != 1 ]]; then
    banner "bootstrap"
    bash scripts/bootstrap.sh || { echo "bootstrap failed" >&2; exit 1; }
fi
VENV=${VENV:-$REPO/.venv}
export PATH="$VENV/bin:$PATH"
# unit tests import the collection as ansible_collections.eucalyptus.ceph (the link is made by bootstrap)
export PYTHONPATH="$REPO/build/collections${PYTHONPATH:+:$PYTHONPATH}"
read -r -a EXTRA <<<"${PYTEST_ARGS:-}"
# integration tests and scenarios run the collection as installed from its Galaxy artifact
# (what an operator gets), installed once here for all of them
if [[ -z ${EUCA_COLLECTIONS_PATH:-} ]]; then
    EUCA_COLLECTIONS_PATH=$(bash scripts/install_collection.sh) || { echo "scripts/install_collection.sh failed" >&2; exit 1; }
fi
export EUCA_COLLECTIONS_PATH

# pytest exit 5 = "no tests collected": a stage that tests nothing is a failure, not a pass
run_pytest() {
    local rc=0
    python -m pytest "$@" "${EXTRA[@]}" || rc=$?
    ((rc == 5)) && echo "ERROR: no tests collected for: $*" >&2
    return "$rc"
}

stage_sanity() {
    # ---- HOOK: scripts/sanity.sh is owned by the sanity work (ansible-test sanity). ----
    if [[ -f scripts/sanity.sh ]]; then
        bash scripts/sanity.sh
    else
        echo "scripts/sanity.sh not present: sanity skipped" >&2
    fi
}

stage_docs() {
    bash scripts/docsite/build.sh && run_pytest tests/docs -v -ra
}

stage_unit() {
    run_pytest tests/unit -v -ra
}

# The host's integration suite (its Ceph: Pacific on Debian 12) and the matrix's integration
# cases (the same suite on another release, in a container) run at the same time: each keeps
# most of a core idle (ansible-playbook runs and Ceph's waits), they share nothing (the
# container has its own network namespace, cluster and libvirtd), and together they take
# about as long as the longer of the two. The lab images the Molecule stage needs are built
# meanwhile, when that stage is requested too.
stage_integration() {
    local rc=0 host_pid
    (
        t0=$SECONDS rc=0
        run_pytest tests/integration -v -ra --durations=15 2>&1 | tee "$CASE_RESULTS/integration-host.log" \
            | sed -u 's/^/[integration\/host] /' || rc=$?
        printf '%s %d\n' "$rc" $((SECONDS - t0)) >"$CASE_RESULTS/integration-host"
        ((rc == 0)) || failure_excerpt "$CASE_RESULTS/integration-host.log" >"$CASE_RESULTS/integration-host.failures"
    ) </dev/null &
    host_pid=$!
    local lane_pid=""
    if build_images integration; then
        (run_lane integration 2>&1 | sed -u 's/^/[integration] /') </dev/null &
        lane_pid=$!
    else
        rc=1
        echo "building the images failed: the integration cases did not run" >&2
    fi
    # meanwhile (both suites leave CPU idle) the images of the scenarios
    if [[ " ${STAGES[*]} " == *" molecule "* ]]; then build_images molecule || rc=1; fi
    [[ -z $lane_pid ]] || wait "$lane_pid"
    wait "$host_pid"
    CASES_OF[integration]="integration/host"
    read -r CASE_RC[integration/host] CASE_TIME[integration/host] <"$CASE_RESULTS/integration-host" \
        || CASE_RC[integration/host]=1 CASE_TIME[integration/host]=0
    ((CASE_RC[integration/host] == 0)) || rc=1
    collect_results integration || rc=1
    return "$rc"
}

# The Molecule matrix: SCENARIO LABEL [VAR=VALUE...]. The suites pick each lab host's Ceph
# release (bookworm 16.2 Pacific, trixie 18.2 Reef, forky 20.2 Tentacle; molecule.yml and
# scripts/lab.sh read EUCA_LAB_{CEPH,SC,NC1,NC2}_SUITE, default bookworm). Each case proves
# something the others do not:
#   default/tentacle       everything on Tentacle (type-2 cephx keys, systemd 262); both default
#                          cases end with rotate.yml (NCs to user generation 2) under a guest's
#                          verified I/O and the SC's operations: here the SC by user generations
#                          (EUCA_LAB_SC_ROTATION=generation), in reef-mixed by pending keys
#   default/reef-mixed     a Reef cluster with Pacific SC and NC (clients older than the
#                          cluster) next to a Reef NC, attaching the same volumes at once
#                          (EUCA_LAB_IDLE_WAIT=0: the libvirtd idle-exit proof runs in default/tentacle)
#   existing/tentacle      a 3-monitor Tentacle cluster built by hand (not by our role), with
#                          the operator's ceph.conf, config and a noout warning: site.yml adds
#                          the EBS pools and users and changes nothing else; a converged NC;
#                          the controller killed during site.yml; an OSD host, a monitor (during
#                          site.yml + validate.yml) and an NC (takeover) crashed under NC I/O
#   expansion/pacific, expansion/tentacle   OSD host added (the controller killed during its
#                          OSD creation, then at its first weight step) and failed under client
#                          I/O (EUCA_LAB_RETIRE=1 adds a third host and retires it: on demand;
#                          CI proves retire.yml in converged/tentacle)
#   scale/tentacle         the default lab with 10 NCs (scripts/scale_lab.py): site.yml, then
#                          benchmarks/site_rerun.py: two site.yml re-runs on the cluster as an
#                          existing one and two no-ops; fails if a re-run changes anything, prints
#                          the cost (never asserted), writes benchmarks/results/site_rerun-forky-ncs10.json
#   converged/tentacle     NCs that are OSD hosts (a cluster network of their own, the OSDs'
#                          memory target from the host's share, systemd CPU limits, one copy
#                          per host): site.yml, validate.yml, a third converged NC added by
#                          expand.yml + site.yml and retired by retire.yml, under verified I/O
#                          from a converged NC as the NC user
#   integration/tentacle   the real-Ceph integration suite (tests/integration) on Tentacle,
#                          inside a forky container (tests/ceph/in-suite.sh); it runs in stage
#                          "integration", beside the same suite on the host's Pacific
# Pacific runs no "default" case: its SC and NC roles are proven by the host's integration
# suite (a Pacific cluster) and by default/reef-mixed (Pacific clients), its cluster and OSD
# throttles (wpq, not mClock) by expansion/pacific. Measured on a fresh CI machine, the
# default case on Pacific added 578 s to a run of about 73 min.
# The scenarios have their own container names, networks and volumes. Stage "molecule" runs
# two lanes at the same time, each its cases one after another: "default" (default, existing,
# then scale) and "expansion" (its two cases, then converged): 2735 s and 2585 s in a local CI
# run of 2026-12-06, before expansion/tentacle's third host moved out of CI (converged proves
# retire.yml) and converged lost its separate idempotence step. The integration suites do not share a lane with
# the scenarios: beside a scenario lane, the Tentacle suite pushed a fresh-machine CI past
# 90 min (the scenarios saturate both cores; a suite beside them ran about twice as long as
# alone, default/pacific 1190 s instead of 578 s in a measured third lane).
# MOLECULE_CASES="default/tentacle expansion/tentacle" runs only those.
MOLECULE_MATRIX=(
    "default tentacle EUCA_LAB_CEPH_SUITE=forky EUCA_LAB_SC_SUITE=forky EUCA_LAB_NC1_SUITE=forky EUCA_LAB_NC2_SUITE=forky EUCA_LAB_SC_ROTATION=generation"
    "default reef-mixed EUCA_LAB_CEPH_SUITE=trixie EUCA_LAB_SC_SUITE=bookworm EUCA_LAB_NC1_SUITE=trixie EUCA_LAB_NC2_SUITE=bookworm EUCA_LAB_IDLE_WAIT=0"
    "existing tentacle EUCA_LAB_CEPH_SUITE=forky EUCA_LAB_SC_SUITE=forky EUCA_LAB_NC1_SUITE=forky"
    "expansion pacific"
    "expansion tentacle EUCA_LAB_CEPH_SUITE=forky EUCA_LAB_NC1_SUITE=forky"
    "scale tentacle EUCA_LAB_NCS=10 EUCA_LAB_CEPH_SUITE=forky EUCA_LAB_SC_SUITE=forky EUCA_LAB_NC1_SUITE=forky"
    "converged tentacle EUCA_LAB_CEPH_SUITE=forky"
    "integration tentacle EUCA_LAB_CEPH_SUITE=forky"
)
CASE_RESULTS=$REPO/build/molecule-results

selected_cases() { # prints the matrix entries to run
    local entry scenario label rest
    for entry in "${MOLECULE_MATRIX[@]}"; do
        read -r scenario label rest <<<"$entry"
        if [[ -n ${MOLECULE_CASES:-} && " $MOLECULE_CASES " != *" $scenario/$label "* ]]; then continue; fi
        printf '%s\n' "$entry"
    done
}

# SCENARIO/LABEL -> the lane it runs in. Two cases of one scenario never share a time slot
# (they would share its container names): a scenario's cases are all in one lane. The
# integration cases are a lane of stage "integration"; the others of stage "molecule".
lane_of() {
    case $1 in integration/*) echo integration ;; expansion/* | converged/*) echo expansion ;; *) echo default ;; esac
}
stage_of_lane() { [[ $1 == integration ]] && echo integration || echo molecule; }

run_case() { # SCENARIO VAR=VALUE...
    local scenario=$1; shift
    if [[ $scenario == integration ]]; then
        local suite=bookworm v
        for v in "$@"; do [[ $v == EUCA_LAB_CEPH_SUITE=* ]] && suite=${v#*=}; done
        bash tests/ceph/in-suite.sh "$suite" ${EXTRA[@]+tests/integration -v -ra "${EXTRA[@]}"}
    elif [[ $scenario == scale ]]; then
        local ncs=10 v
        for v in "$@"; do [[ $v == EUCA_LAB_NCS=* ]] && ncs=${v#*=}; done
        env "$@" SKIP_BOOTSTRAP=1 python benchmarks/site_rerun.py --ncs "$ncs" --rounds 2 --existing-only
    else
        env "$@" SKIP_BOOTSTRAP=1 bash scripts/lab.sh test "$scenario"
    fi
}

# The lines that say why a case failed (Ansible's fatal/failed results, pytest's failures),
# without colours, for the summary: a CI log is often read from its end only.
failure_excerpt() { # LOG
    local excerpt
    excerpt=$(sed -e 's/\x1b\[[0-9;]*m//g' "$1" \
        | grep -E -B3 -A12 'fatal: \[|FAILED! =>|failed: \[|^[[:space:]│]*E[[:space:]]|^FAILED |short test summary|Traceback' \
        | cut -c1-400 | head -n 80)
    if [[ -n $excerpt ]]; then
        printf '%s\n' "$excerpt"
    else   # a script that died early: the end of its log says why
        echo "(no Ansible or pytest failure in the log; its last lines:)"
        sed -e 's/\x1b\[[0-9;]*m//g' "$1" | tail -n 40 | cut -c1-400
    fi
}

# One lane: its cases, in matrix order; a result file per case.
run_lane() { # LANE
    local entry scenario label vars_line rc t0
    local -a vars
    while IFS= read -r entry; do
        read -r scenario label vars_line <<<"$entry"
        [[ $(lane_of "$scenario/$label") == "$1" ]] || continue
        read -r -a vars <<<"${vars_line:-}"
        banner "molecule scenario: $scenario/$label ${vars[*]}"
        t0=$SECONDS rc=0
        run_case "$scenario" "${vars[@]}" </dev/null 2>&1 | tee "$CASE_RESULTS/$scenario-$label.log" || rc=$?
        printf '%s %d\n' "$rc" $((SECONDS - t0)) >"$CASE_RESULTS/$scenario-$label"
        ((rc == 0)) || failure_excerpt "$CASE_RESULTS/$scenario-$label.log" >"$CASE_RESULTS/$scenario-$label.failures"
        banner "molecule scenario: $scenario/$label $( ((rc)) && echo FAILED || echo ok) in $((SECONDS - t0)) s"
    done < <(selected_cases)
}

# The images of the cases of STAGE, once per set of suites (lab.sh skips the ones that are
# up to date), so that two lanes never build the same image at the same time.
build_images() { # STAGE
    local entry scenario label vars_line rc=0
    local -a vars
    while IFS= read -r entry; do
        read -r scenario label vars_line <<<"$entry"
        [[ $(stage_of_lane "$(lane_of "$scenario/$label")") == "$1" ]] || continue
        read -r -a vars <<<"${vars_line:-}"
        env "${vars[@]}" SKIP_BOOTSTRAP=1 bash scripts/lab.sh images || rc=1
        if [[ $scenario == integration && " ${vars[*]} " == *" EUCA_LAB_CEPH_SUITE="* ]]; then
            local suite=${vars_line#*EUCA_LAB_CEPH_SUITE=}
            bash tests/ceph/in-suite.sh "${suite%% *}" --image-only || rc=1
        fi
    done < <(selected_cases)
    return "$rc"
}

# The results of the cases of STAGE, for the summary; non-zero if one failed or did not run.
collect_results() { # STAGE
    local entry scenario label vars_line rc=0 c
    while IFS= read -r entry; do
        read -r scenario label vars_line <<<"$entry"
        c=$scenario/$label
        [[ $(stage_of_lane "$(lane_of "$c")") == "$1" ]] || continue
        CASES_OF[$1]+=" $c"
        if [[ -f $CASE_RESULTS/$scenario-$label ]]; then
            read -r CASE_RC[$c] CASE_TIME[$c] <"$CASE_RESULTS/$scenario-$label"
        else
            CASE_RC[$c]=1 CASE_TIME[$c]=0
        fi
        ((CASE_RC[$c] == 0)) || rc=1
    done < <(selected_cases)
    return "$rc"
}

stage_molecule() {
    local entry scenario label vars_line rc=0 lane
    local -a lanes=() pids=()
    build_images molecule || { echo "building the lab images failed" >&2; return 1; }
    while IFS= read -r entry; do
        read -r scenario label vars_line <<<"$entry"
        lane=$(lane_of "$scenario/$label")
        [[ $(stage_of_lane "$lane") == molecule && " ${lanes[*]} " != *" $lane "* ]] && lanes+=("$lane")
    done < <(selected_cases)
    for lane in "${lanes[@]}"; do
        # every line of a lane is prefixed with its name: the two lanes interleave
        (run_lane "$lane" 2>&1 | sed -u "s/^/[$lane] /") &
        pids+=($!)
    done
    for lane in "${pids[@]}"; do wait "$lane" || true; done
    collect_results molecule || rc=1
    return "$rc"
}

declare -A RESULT TIME CASE_RC CASE_TIME CASES_OF
rm -rf "$CASE_RESULTS"; mkdir -p "$CASE_RESULTS"
failed=0
for s in "${STAGES[@]}"; do
    banner "stage: $s"
    t0=$SECONDS
    if "stage_$s"; then RESULT[$s]=ok; else RESULT[$s]=FAILED; failed=1; fi
    TIME[$s]=$((SECONDS - t0))
done

banner "summary"
for s in "${STAGES[@]}"; do
    printf '  %-12s %-7s %4ds\n' "$s" "${RESULT[$s]}" "${TIME[$s]}" >&2
    read -r -a cases <<<"${CASES_OF[$s]:-}"
    for c in "${cases[@]}"; do
        printf '    %-22s %-7s %4ds\n' "$c" "$( ((CASE_RC[$c])) && echo FAILED || echo ok)" "${CASE_TIME[$c]}" >&2
    done
    for c in "${cases[@]}"; do
        f=$CASE_RESULTS/${c/\//-}.failures
        [[ -s $f ]] || continue
        printf '\n  why %s failed (whole log: %s):\n' "$c" "${f%.failures}.log" >&2
        sed 's/^/    | /' "$f" >&2
    done
done
exit "$failed"
