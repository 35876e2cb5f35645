#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: euca_conf
short_description: Set KEY="value" settings in eucalyptus.conf, one active line per key
version_added: 0.1.0
description:
  - Sets settings such as C(CEPH_USER_NAME) in C(/etc/eucalyptus/eucalyptus.conf), the shell-style
    file the Eucalyptus services source and the Node Controller parses.
  - Per key, the first active line becomes C(KEY="value") and any later active line of that key is
    removed, so that the shell and the NC see the same value. A key without an active line gets one
    right after its first commented-out line (C(#KEY=...), as the package ships them), else at the end.
  - Every other line of the file is kept byte for byte. The file is replaced atomically and keeps its
    owner, group and mode.
  - Values are refused when they hold quotes, C($), backquotes, backslashes or control characters,
    because the file is sourced by a shell.
extends_documentation_fragment:
  - eucalyptus.ceph.attributes
attributes:
  check_mode:
    support: full
    details: Computes the new file and reports the change without writing it.
  diff_mode:
    support: full
    details: The file before and after (eucalyptus.conf holds paths and names, no secrets).
  idempotent:
    support: full
options:
  path:
    description: The file.
    type: path
    default: /etc/eucalyptus/eucalyptus.conf
  settings:
    description:
      - Keys (upper-case letters, digits, C(_)) and their values, set in the order given.
    type: dict
    required: true
  create:
    description:
      - Create the file when it is missing (root-owned, O(mode)). Without it a missing file is an error,
        because the eucalyptus-nc package installs it.
    type: bool
    default: false
  mode:
    description: Mode of a file created because of O(create).
    type: raw
    default: "0644"
author:
  - Eucalyptus Ceph maintainers (@eucalyptus)
"""

EXAMPLES = r"""
- name: Point the NC at its Ceph user, keyring and ceph.conf
  eucalyptus.ceph.euca_conf:
    settings:
      CEPH_USER_NAME: eucalyptus-nc
      CEPH_KEYRING_PATH: /etc/ceph/ceph.client.eucalyptus-nc.keyring
      CEPH_CONFIG_PATH: /etc/ceph/ceph.conf
"""

RETURN = r"""
settings:
  description: The value the shell now sees for each key of O(settings) (in check mode, would see).
  returned: always
  type: dict
  sample: {CEPH_USER_NAME: eucalyptus-nc}
changes:
  description:
    - What was done per key that changed, in order. C(set) a new line, C(updated) the first active line
      rewritten, C(removed) the number of later active lines of the key dropped.
  returned: always
  type: list
  elements: dict
  sample: [{key: CEPH_USER_NAME, updated: true, removed: 1}]
created:
  description: Whether the file was (or would be) created.
  returned: always
  type: bool
"""

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_text

from ansible_collections.eucalyptus.ceph.plugins.module_utils._eucalyptus_conf import (
    EucalyptusConfError,
    apply_settings,
    read_file,
    read_settings,
    write_file,
)


def _parse_mode(module, mode):
    try:
        value = int(mode, 8) if isinstance(mode, str) else int(mode)
    except (TypeError, ValueError):
        module.fail_json(msg="mode must be an octal string such as '0644', not %r" % (mode,))
    if not 0 <= value <= 0o7777:
        module.fail_json(msg="mode %r is out of range" % (mode,))
    return value


def run(module):
    path = module.params["path"]
    settings = []
    for key, value in module.params["settings"].items():
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            module.fail_json(msg="the value of %s must be a string, not %s" % (key, type(value).__name__))
        settings.append((key, to_text(value)))
    if not settings:
        module.fail_json(msg="settings is empty")
    mode = _parse_mode(module, module.params["mode"])

    try:
        before, created = read_file(path, module.params["create"])
        after, changes = apply_settings(before, settings)
    except EucalyptusConfError as exc:
        module.fail_json(msg=str(exc), path=path)
    changed = created or after != before
    if changed and not module.check_mode:
        write_file(module, path, after, mode if created else None)
    result = dict(
        changed=changed,
        path=path,
        created=created,
        changes=changes,
        settings=read_settings(after, [k for k, _v in settings]),
    )
    if module._diff:
        result["diff"] = dict(before=before, after=after, before_header=path, after_header=path)
    return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", default="/etc/eucalyptus/eucalyptus.conf"),
            settings=dict(type="dict", required=True),
            create=dict(type="bool", default=False),
            mode=dict(type="raw", default="0644"),
        ),
        supports_check_mode=True,
    )
    module.exit_json(**run(module))


if __name__ == "__main__":
    main()
