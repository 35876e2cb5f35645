#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: cephx_keyring
short_description: Write the keyring file of a cephx user, safely
version_added: 0.1.0
description:
  - Writes (or removes) the keyring file of one cephx user, for example
    C(/etc/ceph/ceph.client.eucalyptus.keyring), in the format of C(ceph-authtool) and
    C(ceph auth get).
  - "The file is exactly what the Eucalyptus Node Controller's attach script parses: the header
    C([client.NAME]) at column 0 with nothing after it, then a tab-indented C(key = <base64>)
    line, then the optional C(caps) lines."
  - The key is never shown. Writes are atomic and never expose it; a temporary file in the same
    directory is created with mode C(0600), given its owner, group and mode, flushed to disk and
    renamed over the target.
  - Idempotent on the content and on owner, group and mode; changing only the owner, group or
    mode does not rewrite the file.
  - Needs no connection to Ceph; get the key from M(eucalyptus.ceph.cephx_user) (O(eucalyptus.ceph.cephx_user#module:return_key=true))
    or C(ceph auth get-key).
extends_documentation_fragment:
  - eucalyptus.ceph.attributes
attributes:
  check_mode:
    support: full
    details: Reports what would change without touching the file.
  diff_mode:
    support: full
    details: Shows the file before and after with the key replaced by C(<redacted>), plus owner, group and mode.
  idempotent:
    support: full
options:
  path:
    description:
      - Path of the keyring file.
      - Its directory must exist. A symbolic link or a non-regular file at this path is refused.
    type: path
    required: true
  name:
    description:
      - The cephx id of the user, without the C(client.) prefix (for example V(eucalyptus)).
      - Required with O(state=present).
    type: str
  key:
    description:
      - The user's cephx secret, as printed by C(ceph auth get-key) (40 base64 characters).
      - Required with O(state=present). Never logged or returned.
    type: str
  caps:
    description:
      - Capabilities written as C(caps TYPE = "...") lines, for information only (Ceph takes a
        user's caps from the monitors, not from its keyring).
      - Keys are daemon types (V(mon), V(osd), V(mgr), V(mds)), values cap strings.
    type: dict
  owner:
    description:
      - Owner of the file, a user name or a numeric uid.
      - When omitted an existing file keeps its owner and a new file is owned by the user the module runs as.
    type: str
  group:
    description:
      - Group of the file, a group name or a numeric gid.
      - "Typical: V(eucalyptus) on a Storage Controller, V(kvm) on a Node Controller (with mode C(0640))."
      - When omitted an existing file keeps its group and a new file gets the group of the user the module runs as.
    type: str
  mode:
    description:
      - Permissions of the file, an octal string such as V('0640') (quote it in YAML).
      - Symbolic modes are not supported. A mode that lets other users read the file gives a warning.
    type: raw
    default: '0640'
  state:
    description:
      - V(present) writes the file, V(absent) removes it (or only the O(sections) named).
    type: str
    choices: [present, absent]
    default: present
  keep_earlier_generations:
    description:
      - With O(state=present), the sections of the earlier generations of O(name) that the file
        already holds are kept as they are, after the section of O(name).
      - Generation 1 of a user is its plain id, generation N its id with C(.gen<N>); for
        O(name=eucalyptus.gen3) those are the sections C(client.eucalyptus) and C(client.eucalyptus.gen2).
      - "For a key rotation by user generations where one file serves both (the Storage
        Controller's C(cephkeyringfile)): the client can switch its user name without its
        keyring ever lacking the user it still uses."
    type: bool
    default: false
  sections:
    description:
      - With O(state=absent), remove only the sections of these cephx ids (without C(client.)),
        atomically, keeping the file's other sections, owner, group and mode. The file is removed
        when no section is left.
    type: list
    elements: str
notes:
  - The file's whole content is managed; any other section or line in it is replaced (except the
    sections kept with O(keep_earlier_generations)).
  - Missing users or groups, a missing directory, an invalid key or name fail before anything is changed.
seealso:
  - module: eucalyptus.ceph.libvirt_secret
author:
  - Eucalyptus Ceph maintainers (@eucalyptus)
"""

EXAMPLES = r"""
- name: Node Controller user, key kept for the keyring task
  eucalyptus.ceph.cephx_user:
    name: eucalyptus-nc
    profile: nc
    volume_pools: [eucavolumes]
    snapshot_pools: [eucasnapshots]
    return_key: true
  no_log: true
  register: nc_user

- name: Keyring of the Node Controller user, readable by qemu (group kvm)
  eucalyptus.ceph.cephx_keyring:
    path: /etc/ceph/ceph.client.eucalyptus-nc.keyring
    name: eucalyptus-nc
    key: "{{ nc_user.key }}"
    caps: "{{ nc_user.caps }}"
    owner: root
    group: kvm
    mode: '0640'

- name: Keyring of the Storage Controller user, readable by the eucalyptus service
  eucalyptus.ceph.cephx_keyring:
    path: /etc/ceph/ceph.client.eucalyptus.keyring
    name: eucalyptus
    key: "{{ sc_key }}"
    owner: root
    group: eucalyptus

- name: Remove an old keyring
  eucalyptus.ceph.cephx_keyring:
    path: /etc/ceph/ceph.client.old.keyring
    state: absent

- name: The SC's keyring with generation 2 of its user, generation 1 kept while the SC switches
  eucalyptus.ceph.cephx_keyring:
    path: /etc/ceph/ceph.client.eucalyptus.keyring
    name: eucalyptus.gen2
    key: "{{ sc_gen2_key }}"
    keep_earlier_generations: true
    owner: root
    group: eucalyptus

- name: Generation 1 retired, its section goes
  eucalyptus.ceph.cephx_keyring:
    path: /etc/ceph/ceph.client.eucalyptus.keyring
    sections: [eucalyptus]
    state: absent
"""

RETURN = r"""
path:
  description: Path of the keyring file.
  returned: always
  type: str
  sample: /etc/ceph/ceph.client.eucalyptus-nc.keyring
removed_sections:
  description: With O(sections), the entities whose sections were removed (in check mode, would be).
  returned: when O(sections) is given
  type: list
  elements: str
  sample: [client.eucalyptus]
kept_sections:
  description: With O(keep_earlier_generations), the entities of the earlier generations kept in the file.
  returned: with O(state=present)
  type: list
  elements: str
  sample: [client.eucalyptus]
keyring:
  description:
    - The keyring file after the run; in check mode, as it would be. The key itself is never returned.
  returned: always
  type: dict
  contains:
    state:
      description: V(present) or V(absent).
      type: str
      sample: present
    owner:
      description: Owner (a name, or the uid when it has no name). Only when present.
      type: str
      sample: root
    group:
      description: Group (a name, or the gid when it has no name). Only when present.
      type: str
      sample: kvm
    uid:
      description: Numeric owner. Only when present.
      type: int
      sample: 0
    gid:
      description: Numeric group. Only when present.
      type: int
      sample: 106
    mode:
      description: Permissions in octal. Only when present.
      type: str
      sample: '0640'
content_changed:
  description: Whether the content was (or would be) rewritten.
  returned: when state is present
  type: bool
  sample: false
attributes_changed:
  description: Whether owner, group or mode were (or would be) changed.
  returned: when state is present
  type: bool
  sample: true
owner:
  description:
    - Added by Ansible for every module returning an existing O(path) (as are C(group), C(uid), C(gid),
      C(mode), C(size) and C(state=file)) - the file on disk at the end of the run, so in check mode
      the values from BEFORE the run. Use RV(keyring) for the values the run aims at.
  returned: when the file exists after the run
  type: str
  sample: root
"""

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.eucalyptus.ceph.plugins.module_utils import _cephx_generations as generations
from ansible_collections.eucalyptus.ceph.plugins.module_utils import _keyring_file as keyring_file
from ansible_collections.eucalyptus.ceph.plugins.module_utils._caps import caps_error, normalize_caps
from ansible_collections.eucalyptus.ceph.plugins.module_utils._cephx_key import cephx_key_error
from ansible_collections.eucalyptus.ceph.plugins.module_utils._names import client_id_error


def run(module):
    params = module.params
    path = params["path"]
    if params["sections"] is not None and params["state"] != "absent":
        module.fail_json(msg="sections is for state=absent (the sections to remove)", path=path)
    if params["state"] == "absent" and params["sections"] is not None:
        errors = [client_id_error(n) for n in params["sections"]]
        errors = [e for e in errors if e] or ([] if params["sections"] else ["sections must name at least one cephx id"])
        if errors:
            module.fail_json(msg="; ".join(errors), path=path)
        result = keyring_file.remove_sections(path, set("client.%s" % n for n in params["sections"]),
                                              check_mode=module.check_mode)
        state = "present" if os.path.lexists(path) and not result["file_removed"] else "absent"
        return dict(changed=result["changed"], path=path, keyring=dict(state=state), removed_sections=result["removed"],
                    diff=result["diff"])
    if params["state"] == "absent":
        result = keyring_file.ensure_absent(path, check_mode=module.check_mode)
        return dict(changed=result["changed"], path=path, keyring=dict(state="absent"), diff=result["diff"])

    error = client_id_error(params["name"]) or cephx_key_error(params["key"])
    caps = params["caps"]
    if not error and caps:
        error = caps_error(caps, in_keyring=True)
    if error:
        module.fail_json(msg=error, path=path)
    mode = keyring_file.parse_mode(params["mode"])
    if mode & 0o007:
        module.warn("mode %s gives every user on the host access to the cephx key in %s"
                    % (keyring_file.format_mode(mode), path))
    content = keyring_file.render_keyring(params["name"], params["key"], normalize_caps(caps) if caps else None)
    kept = []
    if params["keep_earlier_generations"]:
        kept = earlier_generation_sections(path, params["name"])
        content += "".join(section for _entity, section in kept)
    result = keyring_file.ensure_present(path, content, owner=params["owner"], group=params["group"], mode=mode,
                                         check_mode=module.check_mode)
    keyring = dict(
        state="present",
        owner=keyring_file.user_name(result["uid"]),
        group=keyring_file.group_name(result["gid"]),
        uid=result["uid"],
        gid=result["gid"],
        mode=keyring_file.format_mode(result["mode"]),
    )
    return dict(
        changed=result["changed"],
        path=path,
        keyring=keyring,
        content_changed=result["content_changed"],
        attributes_changed=result["attributes_changed"],
        kept_sections=[entity for entity, _section in kept],
        diff=result["diff"],
    )


def earlier_generation_sections(path, name):
    """``[(entity, section text)]`` of the earlier generations of ``name`` in the file at
    ``path``, in file order (none when the file does not exist)."""
    keyring_file.check_path(path)
    current = keyring_file.read_state(path)
    if current is None:
        return []
    base, generation = generations.split_generation(name)
    parts = keyring_file.split_sections(current["content"].decode("utf-8", "replace"))
    earlier = set(generations.prior_generations(base, generation, [entity for entity, _section in parts if entity]))
    return [(entity, section) for entity, section in parts if entity in earlier]


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            name=dict(type="str"),
            key=dict(type="str", no_log=True),
            caps=dict(type="dict"),
            owner=dict(type="str"),
            group=dict(type="str"),
            mode=dict(type="raw", default="0640"),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            keep_earlier_generations=dict(type="bool", default=False),
            sections=dict(type="list", elements="str"),
        ),
        required_if=[("state", "present", ("name", "key"))],
        supports_check_mode=True,
    )
    try:
        result = run(module)
    except keyring_file.KeyringFileError as exc:
        module.fail_json(msg=str(exc), path=module.params["path"])
    module.exit_json(**result)


if __name__ == "__main__":
    main()
