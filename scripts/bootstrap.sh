#!/usr/bin/env bash
# scripts/bootstrap.sh - make this machine able to run the tests (idempotent, re-run freely).
#
#  1. apt packages the tests need (Ceph daemons and bindings, qemu, libvirt, tools);
#  2. $REPO/.venv on Python 3.11 with requirements-dev.txt (skipped while the requirements
#     file and the interpreter are unchanged);
#  3. Debian's rados/rbd/libvirt bindings linked into the venv: they are not on PyPI, and
#     a venv does not see /usr/lib/python3/dist-packages (with a pyenv Python not even with
#     --system-site-packages). Linking only these modules keeps the rest of Debian's Python
#     packages out of the venv.
#  4. build/collections/ansible_collections/eucalyptus/ceph -> the repo, for ansible and
#     unit tests that import ansible_collections.eucalyptus.ceph.
#
# Environment: VENV (default $REPO/.venv), PYTHON (interpreter for the venv; must be 3.11).
set -Eeuo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${VENV:-$REPO/.venv}
REQS=$REPO/requirements-dev.txt
APT_PACKAGES=(
    ceph-mon ceph-osd ceph-mgr ceph-common python3-rados python3-rbd uuid-runtime
    qemu-utils qemu-block-extra
    # the storage benchmark (fio's rbd engine: librbd as qemu drives it)
    fio
    libvirt-daemon-system libvirt-clients python3-libvirt libxml2-utils
    # the Molecule lab: Docker engine (started by scripts/lab.sh) and the base image builder
    docker.io debootstrap
    git rsync
    # every exec of the integration tests' ansible-playbook runs is traced for keys
    strace
    # the documentation site is looked at in a real browser (tests/docs)
    chromium-headless-shell
)

START=$SECONDS
say() { printf '[bootstrap +%ds] %s\n' $((SECONDS - START)) "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }
trap 'say "ERROR: line $LINENO: $BASH_COMMAND"' ERR

is_py311() { "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; }

# Python 3.11 is required: ansible-core 2.19 (2.20 wants 3.12) and the cpython-311 ABI of
# Debian's bindings that get linked into the venv.
pick_python() {
    local c p
    for c in ${PYTHON:-} python3.11 python3; do
        p=$(command -v "$c" 2>/dev/null) || continue
        if is_py311 "$p"; then echo "$p"; return 0; fi
    done
    return 1
}

# ------------------------------------------------------------------------------------------
# 1. apt packages
# ------------------------------------------------------------------------------------------
PY=$(pick_python || true)
# Debian's own python needs python3-venv for `-m venv` (ensurepip); another 3.11 brings its own
if [[ -z $PY ]] || ! "$PY" -c 'import ensurepip, venv' 2>/dev/null; then
    APT_PACKAGES+=(python3 python3-venv)
fi
missing=()
for p in "${APT_PACKAGES[@]}"; do
    [[ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" == installed ]] || missing+=("$p")
done
if ((${#missing[@]})); then
    [[ $EUID -eq 0 ]] || die "need root to install: ${missing[*]}"
    say "apt: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # no systemd here: package scripts start nothing, which is what we want
    apt-get -o DPkg::Lock::Timeout=600 update -q
    apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}"
    say "apt: done"
else
    say "apt: all ${#APT_PACKAGES[@]} packages present"
fi
[[ -n $PY ]] || PY=$(pick_python) || die "no Python 3.11 found (tried \$PYTHON, python3.11, python3)"

# ------------------------------------------------------------------------------------------
# 2. venv + requirements
# ------------------------------------------------------------------------------------------
if [[ -x $VENV/bin/python ]] && ! is_py311 "$VENV/bin/python"; then
    say "venv: $VENV is not Python 3.11; recreating it"
    rm -rf -- "$VENV"
fi
if [[ ! -x $VENV/bin/python ]]; then
    say "venv: creating $VENV with $PY ($("$PY" -V 2>&1))"
    "$PY" -m venv "$VENV"
fi
STAMP=$VENV/.bootstrap-stamp
want="$(sha256sum "$REQS" | cut -d' ' -f1) $("$VENV/bin/python" -VV | tr -s ' ')"
if [[ -f $STAMP && "$(<"$STAMP")" == "$want" ]]; then
    say "venv: requirements-dev.txt unchanged since last install; skipping pip"
else
    say "venv: pip install -r requirements-dev.txt (first time takes a minute or two)"
    # full pip output goes to a log (the local index mirrors make it very chatty)
    log=$VENV/pip-install.log
    if ! { "$VENV/bin/python" -m pip install --progress-bar off --upgrade pip &&
           "$VENV/bin/python" -m pip install --progress-bar off -r "$REQS"; } >"$log" 2>&1; then
        grep -v 'is ignored: it is neither a file nor a directory' "$log" | tail -n 40 >&2
        die "pip install failed (full log: $log)"
    fi
    grep -E '^Successfully installed' "$log" | cut -c1-300 >&2 || true
    "$VENV/bin/python" -c 'import ansible, pytest, molecule' || die "requirements not importable"
    echo "$want" >"$STAMP"
    say "venv: requirements installed"
fi

# ------------------------------------------------------------------------------------------
# 3. Debian bindings into the venv (same cpython-311 ABI)
# ------------------------------------------------------------------------------------------
SITE=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["platlib"])')
DIST=/usr/lib/python3/dist-packages
linked=0
shopt -s nullglob
for f in "$DIST"/rados.cpython-311-*.so "$DIST"/rbd.cpython-311-*.so \
         "$DIST"/libvirtmod*.cpython-311-*.so "$DIST"/libvirt*.py; do
    if [[ "$(readlink "$SITE/${f##*/}" 2>/dev/null)" != "$f" ]]; then
        ln -sfn "$f" "$SITE/${f##*/}"
        linked=$((linked + 1))
    fi
done
shopt -u nullglob
"$VENV/bin/python" -c 'import rados, rbd, libvirt' \
    || die "rados/rbd/libvirt not importable from $VENV (python3-rados python3-rbd python3-libvirt installed?)"
say "bindings: rados, rbd, libvirt importable in the venv ($linked link(s) updated)"

# ------------------------------------------------------------------------------------------
# 4. collection path
# ------------------------------------------------------------------------------------------
mkdir -p "$REPO/build/collections/ansible_collections/eucalyptus"
link=$REPO/build/collections/ansible_collections/eucalyptus/ceph
if [[ "$(readlink "$link" 2>/dev/null)" != "$REPO" ]]; then
    ln -sfn "$REPO" "$link"
fi
ver=$("$VENV/bin/ansible" --version 2>/dev/null) || die "ansible does not run from $VENV"
say "done: ${ver%%$'\n'*}, $("$VENV/bin/python" -V)"
