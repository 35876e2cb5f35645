#!/usr/bin/env bash
# scripts/install_collection.sh - the collection as an operator gets it: builds the Galaxy
# artifact of this tree (galaxy.yml's build_ignore decides what ships), installs the tarball
# with `ansible-galaxy collection install` into an empty collections path, and prints that path
# on stdout. The Molecule scenarios and the integration tests run this installed copy, not
# the source tree, so a file missing from the artifact fails them.
#
# The path is build/installed/DIGEST, DIGEST being that of the artifact's FILES.json (the
# checksum of every shipped file): the same content installs once, and a scenario that is
# running keeps its copy while the tree is edited and another scenario installs a newer one.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
GALAXY=${ANSIBLE_GALAXY:-ansible-galaxy}
say() { printf '[install_collection] %s\n' "$*" >&2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/eucalyptus-ceph-artifact.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
env -u PYTHONPATH "$GALAXY" collection build --output-path "$work" "$REPO" >/dev/null
tarball=$(echo "$work"/eucalyptus-ceph-*.tar.gz)
[[ -f $tarball ]] || { say "ERROR: ansible-galaxy collection build made no tarball"; exit 1; }
digest=$(tar -xzOf "$tarball" FILES.json | sha256sum | cut -c1-16)
target=$REPO/build/installed/$digest

if [[ ! -f $target/ansible_collections/eucalyptus/ceph/MANIFEST.json ]]; then
    mkdir -p "$REPO/build/installed"
    staging=$(mktemp -d "$REPO/build/installed/.staging.XXXXXX")
    # --offline: the artifact has no dependencies to fetch, and Galaxy is unreachable anyway.
    # No PYTHONPATH: the unit tests' one leads to a link to the source tree, where ansible-galaxy
    # would find the collection "already installed" and install nothing.
    env -u PYTHONPATH ANSIBLE_COLLECTIONS_PATH="$staging" \
        "$GALAXY" collection install --offline --no-deps -p "$staging" "$tarball" >/dev/null
    if [[ ! -f $staging/ansible_collections/eucalyptus/ceph/MANIFEST.json ]]; then
        say "ERROR: ansible-galaxy collection install left no eucalyptus.ceph in $staging"
        rm -rf -- "$staging"
        exit 1
    fi
    # atomic: a concurrent install of the same content leaves one complete copy either way
    if ! mv -T "$staging" "$target" 2>/dev/null; then rm -rf -- "$staging"; fi
    say "installed $(basename "$tarball") into $target"
fi
printf '%s\n' "$target"
