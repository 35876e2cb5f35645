#!/usr/bin/env bash
# molecule/images/build.sh [--force] - build the lab images locally (there is no registry).
#
#   1. eucalyptus-ceph/base:bookworm  debootstrap --variant=minbase bookworm + docker import
#   2. eucalyptus-ceph/lab:bookworm   molecule/images/lab/Dockerfile FROM the base image:
#                                     systemd, python3 and every package a lab host needs
#                                     (ceph-mon/osd/mgr/common, rados/rbd bindings, qemu rbd,
#                                     libvirt) pre-installed.
#
# Each image carries a label with a content hash of its inputs (debootstrap parameters and
# this script's base recipe; the Dockerfile and the base image's id). An image is rebuilt
# only when it is missing or its label differs: running this twice builds nothing.
# --force (or FORCE=1) rebuilds both.
#
# Environment: DEBIAN_MIRROR (http://deb.debian.org/debian), SUITE (bookworm),
# BASE_IMAGE / LAB_IMAGE (tags above).
# Needs root (debootstrap) and a running Docker engine (scripts/lab.sh starts one).
set -Eeuo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SUITE=${SUITE:-bookworm}
BASE_IMAGE=${BASE_IMAGE:-eucalyptus-ceph/base:$SUITE}
LAB_IMAGE=${LAB_IMAGE:-eucalyptus-ceph/lab:$SUITE}
LABEL=org.eucalyptus-ceph.content-hash
# Suites whose Release file has expired relative to this machine's clock (measured
# 2026-12-01): apt inside the image build must not check Valid-Until for them (only them).
case $SUITE in
    forky|sid) APT_OPTIONS="-o Acquire::Check-Valid-Until=false" ;;
    *) APT_OPTIONS="" ;;
esac
FORCE=${FORCE:-0}
[[ ${1:-} == --force ]] && FORCE=1

T0=$SECONDS
say() { printf '[images +%3ds] %s\n' $((SECONDS - T0)) "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }
trap 'say "ERROR: line $LINENO: $BASH_COMMAND"' ERR

command -v docker >/dev/null || die "docker is not installed (scripts/lab.sh up installs it)"
docker info >/dev/null 2>&1 || die "the Docker engine does not answer (scripts/lab.sh up starts one)"

image_hash() { docker image inspect -f "{{ index .Config.Labels \"$LABEL\" }}" "$1" 2>/dev/null || true; }

# ---- 1. base image ------------------------------------------------------------------------
# The recipe of the base image is these parameters: bump BASE_RECIPE to force a rebuild.
BASE_RECIPE="debootstrap --variant=minbase $SUITE $DEBIAN_MIRROR v1"
base_hash=$(printf '%s' "$BASE_RECIPE" | sha256sum | cut -c1-16)
if [[ $FORCE != 1 && $(image_hash "$BASE_IMAGE") == "$base_hash" ]]; then
    say "$BASE_IMAGE is up to date (hash $base_hash): not rebuilt"
else
    command -v debootstrap >/dev/null || die "debootstrap is not installed (apt-get install debootstrap)"
    [[ $EUID -eq 0 ]] || die "debootstrap needs root"
    rootfs=$(mktemp -d /var/tmp/eucalyptus-ceph-rootfs.XXXXXX)
    # shellcheck disable=SC2064
    trap "rm -rf -- '$rootfs'" EXIT
    t=$SECONDS
    say "debootstrap $SUITE (minbase) from $DEBIAN_MIRROR into $rootfs ..."
    # bookworm's debootstrap has no script for suites newer than trixie: testing (forky)
    # bootstraps like sid
    script=()
    [[ -e /usr/share/debootstrap/scripts/$SUITE ]] || script=(/usr/share/debootstrap/scripts/sid)
    debootstrap --variant=minbase "$SUITE" "$rootfs" "$DEBIAN_MIRROR" "${script[@]}" 2>&1 \
        | awk '/^I: (Retrieving|Validating|Extracting|Unpacking|Configuring|Installing)/ {n++; if (n % 40 == 0) printf "  ... %s\n", $0; next} {print "  " $0}' >&2
    [[ -x $rootfs/bin/bash ]] || die "debootstrap did not produce a root filesystem"
    # a clean image: no apt lists or downloaded debs, no host identity
    rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/archives/*.deb
    : >"$rootfs/etc/machine-id"
    say "debootstrap done in $((SECONDS - t)) s ($(du -sh "$rootfs" | cut -f1)); importing ..."
    t=$SECONDS
    tar -C "$rootfs" -c . | docker import \
        --change "LABEL $LABEL=$base_hash" \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'CMD ["/bin/bash"]' - "$BASE_IMAGE" >/dev/null
    rm -rf -- "$rootfs"
    trap - EXIT
    say "imported $BASE_IMAGE in $((SECONDS - t)) s"
fi

# ---- 2. lab image -------------------------------------------------------------------------
base_id=$(docker image inspect -f '{{.Id}}' "$BASE_IMAGE")
lab_hash=$( { cat "$HERE/lab/Dockerfile" "$HERE/lab/lab-init" "$HERE/lab/traced-python3"; echo "$base_id"; echo "$APT_OPTIONS"; } | sha256sum | cut -c1-16)
if [[ $FORCE != 1 && $(image_hash "$LAB_IMAGE") == "$lab_hash" ]]; then
    say "$LAB_IMAGE is up to date (hash $lab_hash): not rebuilt"
else
    t=$SECONDS
    say "building $LAB_IMAGE FROM $BASE_IMAGE (apt through Docker NAT to $DEBIAN_MIRROR) ..."
    # classic builder: no BuildKit/buildx needed; its step output is the progress
    log=$(mktemp /var/tmp/eucalyptus-ceph-lab-build.XXXXXX.log)
    rc=0
    DOCKER_BUILDKIT=0 docker build --network bridge \
        --build-arg "BASE_IMAGE=$BASE_IMAGE" \
        --build-arg "APT_OPTIONS=$APT_OPTIONS" \
        --label "$LABEL=$lab_hash" \
        -t "$LAB_IMAGE" "$HERE/lab" 2>&1 | tee "$log" \
        | grep --line-buffered -E '^(Step |Successfully|Setting up (ceph|libvirt|qemu|systemd|python3)[-a-z0-9]* |Fetched |E: )' \
        | sed -u 's/^/  /' >&2 || rc=$?
    if [[ $(image_hash "$LAB_IMAGE") != "$lab_hash" ]]; then
        tail -n 30 "$log" >&2
        die "docker build of $LAB_IMAGE failed (exit $rc; full log: $log)"
    fi
    rm -f "$log"
    say "built $LAB_IMAGE in $((SECONDS - t)) s"
fi
docker image ls --format '  {{.Repository}}:{{.Tag}}  {{.ID}}  {{.Size}}' | grep -F eucalyptus-ceph/ >&2 || true
say "done"
