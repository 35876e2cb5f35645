# Sphinx configuration of the eucalyptus.ceph documentation site (scripts/docsite/build.sh).
# The pages come from antsibull-docs (modules, the test plugin, roles with their entry points,
# docs/docsite/rst); the theme is the one docs.ansible.com uses.
import os

project = "eucalyptus.ceph"
copyright = "eucalyptus.ceph maintainers"
title = "eucalyptus.ceph documentation"
html_short_title = "eucalyptus.ceph"

extensions = ["sphinx.ext.intersphinx", "sphinx_antsibull_ext"]
pygments_style = "ansible"
highlight_language = "YAML+Jinja"
html_theme = "sphinx_ansible_theme"
html_show_sphinx = False
html_use_modindex = False
html_use_index = False
html_copy_source = False
default_role = "any"
nitpicky = True

# The generated pages point into the Ansible docs (e.g. "common return values"). No machine
# here reaches docs.ansible.com, so build.sh writes a local inventory of just the labels the
# pages use, with their real URLs (ansible_docs.inv next to the generated rst).
intersphinx_mapping = {
    "ansible_devel": ("https://docs.ansible.com/projects/ansible/devel/", os.environ["EUCA_DOCSITE_INVENTORY"]),
}
intersphinx_disabled_reftypes = []
