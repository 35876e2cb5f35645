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

# ansible-test fetches get-pip.py from a host these machines cannot reach; give it our shim.
for v in 24_2 25_3; do
    install -D -m 0644 "$repo/tests/sanity/get_pip_shim.py" "$HOME/.ansible/test/cache/get_pip_$v.py"
done

echo "==> sanity: ansible-test sanity --python 3.11"
cd "$tree"
rc=0
ansible-test sanity --python 3.11 --requirements --color no "$@" || rc=$?

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
exit "$rc"
