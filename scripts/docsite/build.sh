#!/usr/bin/env bash
# scripts/docsite/build.sh - the collection's documentation site, from the installed Galaxy
# artifact (what users get, scripts/install_collection.sh):
#   1. antsibull-docs lint-collection-docs --plugin-docs (fails on any documentation error)
#   2. antsibull-docs collection: one page per module, test plugin and role (with its entry
#      points and their options) and the extra pages of docs/docsite (the support matrix)
#   3. sphinx-build -W: every warning, e.g. a dangling reference, fails the build
# Output: build/docsite/html (index: build/docsite/html/collections/eucalyptus/ceph/index.html).
# tests/docs/test_docsite.py opens it in headless Chromium.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$REPO/scripts/docsite
OUT=$REPO/build/docsite
VENV=${VENV:-$REPO/.venv}
export PATH="$VENV/bin:$PATH"
say() { printf '[docsite] %s\n' "$*" >&2; }

ANSIBLE_COLLECTIONS_PATH=${EUCA_COLLECTIONS_PATH:-$(bash "$REPO/scripts/install_collection.sh")}
export ANSIBLE_COLLECTIONS_PATH
collection=$ANSIBLE_COLLECTIONS_PATH/ansible_collections/eucalyptus/ceph

say "antsibull-docs lint-collection-docs --plugin-docs ($collection)"
antsibull-docs lint-collection-docs --plugin-docs "$collection"

rm -rf -- "$OUT"
mkdir -p "$OUT/rst"
chmod og-w "$OUT/rst"   # antsibull-docs wants its destination writable by its owner only
say "antsibull-docs collection -> $OUT/rst"
antsibull-docs --config-file "$HERE/antsibull-docs.cfg" collection --use-current \
    --dest-dir "$OUT/rst" eucalyptus.ceph >/dev/null
cp "$HERE/index.rst" "$OUT/rst/index.rst"   # the site's root page (antsibull-docs writes the rest)

# The generated pages refer to labels of the Ansible docs; nothing here reaches
# docs.ansible.com, so an intersphinx inventory of those labels, with their real addresses
python3 - "$OUT/ansible_docs.inv" <<'PY'
import sys
import zlib

labels = [  # name, page (relative to the Ansible docs root), title
    ("common_return_values", "reference_appendices/common_return_values.html#common-return-values",
     "Return Values"),
    ("ansible_configuration_settings", "reference_appendices/config.html#ansible-configuration-settings",
     "Ansible Configuration Settings"),
]
lines = "".join("%s std:label -1 %s %s\n" % label for label in labels)
with open(sys.argv[1], "wb") as inv:
    inv.write(b"# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n"
              b"# The remainder of this file is compressed using zlib.\n")
    inv.write(zlib.compress(lines.encode()))
PY

say "sphinx-build -W -> $OUT/html"
EUCA_DOCSITE_INVENTORY=$OUT/ansible_docs.inv \
    sphinx-build -q -b html -W --keep-going -c "$HERE" "$OUT/rst" "$OUT/html"
say "site: $OUT/html/collections/eucalyptus/ceph/index.html"
