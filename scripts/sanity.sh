#!/usr/bin/env bash
# ansible-test sanity on a copy of the collection laid out as ansible-test wants it
# (ansible_collections/eucalyptus/ceph). Runs in the project venv, Python 3.11.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
# Outside the repository: inside it, ansible-test would find the repo's .git and list only
# files git tracks there (none, under the ignored build/).
# One tree per checkout, rebuilt from scratch each run: files deleted or renamed since the
# last run must not linger, and two checkouts must not share a tree.
root="${SANITY_ROOT:-/tmp/eucalyptus-ceph-sanity-$(printf %s "$repo" | md5sum | cut -c1-8)}"
tree="$root/ansible_collections/eucalyptus/ceph"
# shellcheck source=/dev/null
source "$repo/.venv/bin/activate"

echo "==> sanity: copying the collection to $tree"
rm -rf -- "$root/ansible_collections"
mkdir -p "$tree"
# Only what git would ship (tracked + new, not ignored): no venv, no build output.
(cd "$repo" && git ls-files -z --cached --others --exclude-standard) \
    | rsync -a --from0 --files-from=- "$repo/" "$tree/"

# ansible-test fetches get-pip.py from a host these machines cannot reach; give it our shim
# (pip 24.2/25.3: ansible-core 2.19's ansible-test, 23.1.2: 2.16's).
for v in 24_2 25_3 23_1_2; do
    install -D -m 0644 "$repo/tests/sanity/get_pip_shim.py" "$HOME/.ansible/test/cache/get_pip_$v.py"
done

core_version() { python -c 'import ansible.release as r; print("ansible-core", r.__version__)'; }
echo "==> sanity: ansible-test sanity --python 3.11 ($(core_version))"
cd "$tree"
rc=0
ansible-test sanity --python 3.11 --requirements --color no "$@" || rc=$?

# The lowest ansible-core meta/runtime.yml admits (requires_ansible ">=2.16.0"): 2.16 is the last
# ansible-core that manages the Python 3.6 of EL7 hosts (2.17 dropped 2.7 and 3.6 targets). Its own
# venv, made once (and remade when it holds another ansible-core); activated in a subshell so that
# ansible-test's --requirements install into it, never into the project venv.
core216_venv="${SANITY_CORE216_VENV:-$repo/.venv-core216}"
if ! "$core216_venv/bin/python" -c 'import ansible.release as r, sys; sys.exit(not r.__version__.startswith("2.16."))' 2>/dev/null; then
    echo "==> sanity: creating $core216_venv with ansible-core 2.16"
    rm -rf -- "$core216_venv"
    "$(readlink -f "$repo/.venv/bin/python")" -m venv "$core216_venv"   # the project venv's Python 3.11
    "$core216_venv/bin/pip" install --quiet --disable-pip-version-check 'ansible-core>=2.16,<2.17'
fi
core216_start=$SECONDS
(
    # shellcheck source=/dev/null
    source "$core216_venv/bin/activate"
    echo "==> sanity: ansible-test sanity --python 3.11 ($(core_version))"
    ansible-test sanity --python 3.11 --requirements --color no "$@"
) || rc=$?
echo "==> sanity: the ansible-core 2.16 run took $((SECONDS - core216_start)) s"

# The roles and playbooks as ansible-lint's production profile sees them, with this tree as the
# only copy of the collection (--offline: nothing installed, nothing fetched).
echo "==> sanity: ansible-lint --profile production roles/ playbooks/"
ANSIBLE_COLLECTIONS_PATH="$root" ansible-lint --offline --profile production --nocolor roles/ playbooks/ || rc=$?

# The oldest Python the module code claims (tests/config.yml, modules.python_requires: the
# target hosts' interpreter) checked by vermin on everything that runs there. str.decode:
# vermin takes bytes.decode for Python 2's str.decode.
min_python=$(sed -nE 's/^ *python_requires: *">=([0-9.]+)".*/\1/p' "$repo/tests/config.yml")
[[ -n $min_python ]] || { echo "tests/config.yml states no modules.python_requires" >&2; rc=1; }
echo "==> sanity: vermin -t=$min_python- plugins/ (the target hosts' oldest Python)"
vermin --no-tips --violations --eval-annotations --exclude str.decode -t="$min_python-" plugins/ || rc=$?

# And a real interpreter of that version (EL7's python3 3.6), when this machine has one (PATH, else
# pyenv's versions): every file of plugins/ must compile with it. Skipped, and said so, without one.
py_min=$(command -v "python$min_python" 2>/dev/null || true)
if [[ -z $py_min ]] || ! "$py_min" -c '' 2>/dev/null; then
    py_min=$(ls -d "${PYENV_ROOT:-$HOME/.pyenv}/versions/$min_python".*/bin/"python$min_python" 2>/dev/null | tail -n1 || true)
fi
if [[ -n $py_min ]] && "$py_min" -c '' 2>/dev/null; then
    echo "==> sanity: $("$py_min" -V 2>&1) compiles plugins/"
    find plugins -name '*.py' -print0 | xargs -0 "$py_min" -c '
import sys
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        compile(f.read(), path, "exec")
' || rc=$?
else
    echo "==> sanity: no Python $min_python on this machine: plugins/ checked for it by vermin only"
fi
exit "$rc"
