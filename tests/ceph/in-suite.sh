#!/usr/bin/env bash
# tests/ceph/in-suite.sh SUITE [PYTEST ARGS...] - the real-Ceph integration suite on the Ceph
# release of another Debian suite (e.g. forky: 20.2 Tentacle), inside a container of it.
# Without arguments: pytest tests/integration -v -ra; with arguments: pytest ARGS (e.g.
# tests/integration/test_cephx_keyring.py -q); --image-only: build the test image and stop
# (scripts/test.sh does so before its lanes start).
#
# The host runs one release (bookworm: 16.2 Pacific); the modules run on their target's own
# Python and bindings, so a release is tested where it is installed: in a container of
# eucalyptus-ceph/integration:SUITE (tests/ceph/images/integration, FROM the lab image of the
# suite, built here when missing or changed; content hash in a label). The suite gets its own
# loopback cluster (tests/ceph/cluster.sh, 127.0.0.1 of the container's own network
# namespace), its own libvirtd and a copy of the collection (what git would ship), so it
# never touches the host's clusters, files or processes. The container is removed afterwards.
# Needs a running Docker engine (scripts/lab.sh images starts one) and root.
set -Eeuo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SUITE=${1:?usage: in-suite.sh SUITE [pytest args]}
shift
IMAGE=eucalyptus-ceph/integration:$SUITE
LAB_IMAGE=eucalyptus-ceph/lab:$SUITE
LABEL=org.eucalyptus-ceph.content-hash
NAME=eucalyptus-ceph-integration-$SUITE
T0=$SECONDS
say() { printf '[in-suite %s +%ds] %s\n' "$SUITE" $((SECONDS - T0)) "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

# the lab image of the suite (and the docker engine)
EUCA_LAB_CEPH_SUITE=$SUITE EUCA_LAB_SC_SUITE=$SUITE EUCA_LAB_NC1_SUITE=$SUITE EUCA_LAB_NC2_SUITE=$SUITE \
    SKIP_BOOTSTRAP=1 bash "$REPO/scripts/lab.sh" images >&2 || die "cannot build $LAB_IMAGE"

ctx=$(mktemp -d /var/tmp/eucalyptus-ceph-it-ctx.XXXXXX)
src=$(mktemp -d /var/tmp/eucalyptus-ceph-it-src.XXXXXX)
cleanup() {
    docker rm -f "$NAME" >/dev/null 2>&1 || true
    rm -rf -- "$ctx" "$ctx.log" "$src"
}
trap cleanup EXIT

# ---- the test image -------------------------------------------------------------------------
case $SUITE in forky|sid) apt_options="-o Acquire::Check-Valid-Until=false" ;; *) apt_options="" ;; esac
cp "$REPO/tests/ceph/images/integration/Dockerfile" "$REPO/tests/ceph/images/integration/requirements.txt" "$ctx/"
cp /etc/ssl/certs/ca-certificates.crt "$ctx/ca.crt"
want=$( { cat "$ctx/Dockerfile" "$ctx/requirements.txt"; docker image inspect -f '{{.Id}}' "$LAB_IMAGE"; echo "$apt_options"; } \
        | sha256sum | cut -c1-16)
have=$(docker image inspect -f "{{ index .Config.Labels \"$LABEL\" }}" "$IMAGE" 2>/dev/null || true)
if [[ $have != "$want" ]]; then
    say "building $IMAGE FROM $LAB_IMAGE (python venv with ansible-core, pytest) ..."
    if ! DOCKER_BUILDKIT=0 docker build --network bridge --build-arg "LAB_IMAGE=$LAB_IMAGE" \
            --build-arg "APT_OPTIONS=$apt_options" --label "$LABEL=$want" -t "$IMAGE" "$ctx" >"$ctx.log" 2>&1; then
        tail -n 40 "$ctx.log" >&2
        die "docker build of $IMAGE failed (its last lines above)"
    fi
    say "built $IMAGE"
else
    say "$IMAGE is up to date (hash $want)"
fi
if [[ ${1:-} == --image-only ]]; then exit 0; fi

# ---- the collection, as git would ship it ---------------------------------------------------
(cd "$REPO" && git ls-files -z --cached --others --exclude-standard) | rsync -a --from0 --files-from=- "$REPO/" "$src/"

# ---- run --------------------------------------------------------------------------------------
# --init reaps the daemons the tests start and stop; no systemd is needed (cluster.sh and the
# tests' libvirtd start their daemons themselves). Only the container's own loopback is used.
say "pytest tests/integration in $IMAGE ($(docker run --rm "$IMAGE" ceph --version | cut -d' ' -f3,5))"
rc=0
docker run --name "$NAME" --init --network bridge --tmpfs /run --tmpfs /tmp:exec \
    -v "$src:/src" -w /src -e PYTHONPATH=/src/build/collections -e EUCA_IN_SUITE="$SUITE" \
    -e EUCA_REQUIRE_PREREQS="${EUCA_REQUIRE_PREREQS:-0}" \
    "$IMAGE" bash -c 'mkdir -p build/collections/ansible_collections/eucalyptus &&
        ln -sfn ../../../.. build/collections/ansible_collections/eucalyptus/ceph &&
        if (($#)); then exec python -m pytest "$@"; fi
        exec python -m pytest tests/integration -v -ra --durations=10' in-suite "$@" || rc=$?
say "done (exit $rc)"
exit "$rc"
