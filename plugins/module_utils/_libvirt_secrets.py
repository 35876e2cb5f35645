# -*- coding: utf-8 -*-
# Copyright: eucalyptus.ceph contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""libvirt secrets of usage type ``ceph``, through python3-libvirt (never ``virsh``).

The Eucalyptus Node Controller's attach script expects, for the zone's secret UUID::

    <secret ephemeral='no' private='no'><uuid>UUID</uuid>
      <usage type='ceph'><name>UUID</name></usage></secret>

whose value is the cephx key: libvirt stores the RAW bytes (the base64-decoded key) and
``virsh secret-get-value UUID`` prints their base64, which the script compares with the
key from the keyring.  The value is set with ``virSecretSetValue`` over libvirt's socket:
it never appears on any command line.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import time
import traceback
import xml.etree.ElementTree as ET

LIBVIRT_IMPORT_ERROR = None
try:
    import libvirt
except ImportError:
    libvirt = None
    LIBVIRT_IMPORT_ERROR = traceback.format_exc()

LIBVIRT_PACKAGE = "python3-libvirt"
USAGE_TYPE = "ceph"
_UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


class LibvirtSecretError(Exception):
    """A problem reported with ``fail_json``; the message never holds the secret value."""


class ValueUnreadable(LibvirtSecretError):
    """The secret's value exists but libvirt refuses to return it (a private secret)."""


def bindings_missing_message():
    if libvirt is not None:
        return None
    return ("The libvirt Python binding is missing on this host: install the Debian package %s and run "
            "the module with the system Python (ansible_python_interpreter=/usr/bin/python3)." % LIBVIRT_PACKAGE)


# -- definitions ----------------------------------------------------------------------------
def uuid_error(uuid):
    if not isinstance(uuid, str) or not _UUID_RE.fullmatch(uuid):
        return ("invalid secret uuid %r: expected 36 characters like "
                "'3f1f2c34-6a4b-4cde-9f01-23456789abcd'" % (uuid,))
    return None


def usage_name_error(name):
    if not isinstance(name, str) or not name.strip():
        return "usage_name must be a non-empty string"
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        return "usage_name must not contain control characters"
    return None


def definition(uuid, usage_name=None, description=None, private=False, ephemeral=False):
    """The normal form of a secret definition: a dict compared field by field."""
    uuid = uuid.lower()
    return dict(
        uuid=uuid,
        usage_type=USAGE_TYPE,
        usage_name=usage_name if usage_name is not None else uuid,
        description=description if description else None,
        private=bool(private),
        ephemeral=bool(ephemeral),
    )


def _yes_no(value):
    return "yes" if value else "no"


def render_xml(defn):
    """Secret XML for ``virSecretDefineXML`` (attribute order as the attach script writes it)."""
    root = ET.Element("secret")
    root.set("ephemeral", _yes_no(defn["ephemeral"]))
    root.set("private", _yes_no(defn["private"]))
    if defn.get("description"):
        ET.SubElement(root, "description").text = defn["description"]
    ET.SubElement(root, "uuid").text = defn["uuid"]
    usage = ET.SubElement(root, "usage")
    usage.set("type", defn["usage_type"])
    ET.SubElement(usage, "name").text = defn["usage_name"]
    _indent(root)
    return ET.tostring(root, encoding="unicode") + "\n"


def _indent(elem, level=0, space="  "):
    """Pretty-print the secret XML in place for diffs: the whitespace ``ET.indent(elem, space)``
    (Python 3.9+) adds, for the Python 3.6 of EL7 targets too. Whitespace-only text and tails
    become a newline plus two spaces a level; the last child's tail closes its parent's level."""
    if not len(elem):
        return
    child_indentation = "\n" + (level + 1) * space
    if not elem.text or not elem.text.strip():
        elem.text = child_indentation
    child = None
    for child in elem:
        _indent(child, level + 1, space)
        if not child.tail or not child.tail.strip():
            child.tail = child_indentation
    if not child.tail.strip():
        child.tail = "\n" + level * space


def parse_xml(text):
    """A definition dict from the XML libvirt returns (``virSecretGetXMLDesc``)."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise LibvirtSecretError("libvirt returned secret XML that does not parse: %s" % exc)
    if root.tag != "secret":
        raise LibvirtSecretError("libvirt returned XML with root <%s>, expected <secret>" % root.tag)
    usage = root.find("usage")
    usage_type = usage.get("type") if usage is not None else None
    usage_name = None
    if usage is not None:
        # ceph/iscsi/tls/vtpm/volume usages carry their id in <name>, <target> or <volume>.
        for tag in ("name", "target", "volume"):
            node = usage.find(tag)
            if node is not None:
                usage_name = (node.text or "").strip()
                break
    description = root.findtext("description")
    uuid = (root.findtext("uuid") or "").strip().lower()
    return dict(
        uuid=uuid,
        usage_type=usage_type,
        usage_name=usage_name,
        description=description if description else None,
        private=root.get("private", "no") == "yes",
        ephemeral=root.get("ephemeral", "no") == "yes",
    )


def definition_differences(current, desired):
    """Names of the fields where two definitions differ, in a stable order."""
    fields = ("uuid", "usage_type", "usage_name", "description", "private", "ephemeral")
    return [f for f in fields if (current or {}).get(f) != desired.get(f)]


def describe(defn, value_note):
    """Diff text: the definition XML plus a comment standing in for the (redacted) value."""
    if defn is None:
        return ""
    return render_xml(defn) + "<!-- value: %s -->\n" % value_note


# -- libvirt ----------------------------------------------------------------------------------
def _quiet(_ctx, _err):
    """libvirt prints every error on stderr by default; we raise them instead."""


def error_code(exc):
    """The libvirt error code of ``exc`` (VIR_ERR_*), or None."""
    try:
        return exc.get_error_code()
    except Exception:  # pragma: no cover
        return None


# A socket-activated libvirtd that is exiting on its idle timeout (or still starting) resets or
# refuses the first connection; systemd then starts it again within a second or two.
CONNECT_RETRY_SECONDS = 10.0
CONNECT_RETRY_DELAY = 0.5
_TRANSIENT_CONNECT_ERRORS = ("Connection reset by peer", "Cannot recv data", "Connection refused",
                             "End of file while reading data")


def open_with_retry(opener, uri, error_class, seconds=CONNECT_RETRY_SECONDS, delay=CONNECT_RETRY_DELAY,
                    sleep=time.sleep, clock=time.monotonic):
    """opener(uri), retried for SECONDS while the error is one of a daemon that is stopping or
    starting; any other error, or the last one, raises LibvirtSecretError."""
    deadline = clock() + seconds
    while True:
        try:
            return opener(uri)
        except error_class as exc:
            transient = any(text in str(exc) for text in _TRANSIENT_CONNECT_ERRORS)
            if not transient or clock() + delay > deadline:
                raise LibvirtSecretError("cannot connect to libvirt at %s: %s (is libvirtd running?)" % (uri, exc))
        sleep(delay)


def connect(uri):
    """One libvirt connection (errors raised, not printed), or LibvirtSecretError."""
    message = bindings_missing_message()
    if message:
        raise LibvirtSecretError(message)
    libvirt.registerErrorHandler(_quiet, None)
    conn = open_with_retry(libvirt.open, uri, libvirt.libvirtError)
    if conn is None:  # pragma: no cover - old bindings returned None
        raise LibvirtSecretError("cannot connect to libvirt at %s" % uri)
    return conn


class SecretStore:
    """One libvirt connection; every call raises LibvirtSecretError on failure."""

    def __init__(self, uri="qemu:///system"):
        self.uri = uri
        self.conn = connect(uri)

    def close(self):
        if self.conn is not None:
            try:
                self.conn.close()
            finally:
                self.conn = None

    def lookup(self, uuid):
        try:
            return self.conn.secretLookupByUUIDString(uuid)
        except libvirt.libvirtError as exc:
            if error_code(exc) == libvirt.VIR_ERR_NO_SECRET:
                return None
            raise LibvirtSecretError("cannot look up secret %s: %s" % (uuid, exc))

    def lookup_usage(self, usage_name):
        try:
            return self.conn.secretLookupByUsage(libvirt.VIR_SECRET_USAGE_TYPE_CEPH, usage_name)
        except libvirt.libvirtError as exc:
            if error_code(exc) == libvirt.VIR_ERR_NO_SECRET:
                return None
            raise LibvirtSecretError("cannot look up the ceph secret named %r: %s" % (usage_name, exc))

    def read_definition(self, secret):
        try:
            return parse_xml(secret.XMLDesc(0))
        except libvirt.libvirtError as exc:
            raise LibvirtSecretError("cannot read the definition of secret %s: %s" % (secret.UUIDString(), exc))

    @staticmethod
    def read_value(secret):
        """The stored raw value; None when no value is set; raises when it cannot be read (private)."""
        try:
            return secret.value(0)
        except libvirt.libvirtError as exc:
            if error_code(exc) == libvirt.VIR_ERR_NO_SECRET:  # "secret ... does not have a value"
                return None
            raise ValueUnreadable("cannot read the value of secret %s: %s" % (secret.UUIDString(), exc))

    def define(self, defn):
        try:
            return self.conn.secretDefineXML(render_xml(defn), 0)
        except libvirt.libvirtError as exc:
            raise LibvirtSecretError("cannot define secret %s: %s" % (defn["uuid"], exc))

    @staticmethod
    def set_value(secret, raw):
        try:
            secret.setValue(raw, 0)
        except libvirt.libvirtError as exc:
            raise LibvirtSecretError("cannot set the value of secret %s: %s" % (secret.UUIDString(), exc))

    @staticmethod
    def undefine(secret):
        try:
            secret.undefine()
        except libvirt.libvirtError as exc:
            raise LibvirtSecretError("cannot undefine secret %s: %s" % (secret.UUIDString(), exc))


def ensure_present(store, desired, raw_value, check_mode=False):
    """Make the secret match ``desired`` (definition dict) with value ``raw_value`` (bytes).

    A definition that differs is undefined and defined again (the way the attach script does
    it), which drops the value, so the value is then set again.  A private secret's value
    cannot be read back: it is always set again and reported changed.
    """
    uuid = desired["uuid"]
    other = store.lookup_usage(desired["usage_name"])
    if other is not None and other.UUIDString().lower() != uuid:
        raise LibvirtSecretError(
            "another libvirt secret (%s) already has usage ceph with name %r: undefine it or choose another "
            "usage_name" % (other.UUIDString(), desired["usage_name"]))

    secret = store.lookup(uuid)
    current = store.read_definition(secret) if secret is not None else None
    differences = definition_differences(current, desired) if current is not None else ["defined"]
    definition_changed = bool(differences)
    value_readable = True
    if secret is None or definition_changed:
        value_changed = True
    else:
        try:
            value_changed = store.read_value(secret) != raw_value
        except ValueUnreadable:
            value_readable = False
            value_changed = True
    changed = definition_changed or value_changed

    if changed and not check_mode:
        if secret is not None and definition_changed:
            store.undefine(secret)
            secret = None
        if secret is None:
            secret = store.define(desired)
        store.set_value(secret, raw_value)

    return dict(
        changed=changed,
        definition_changed=definition_changed,
        value_changed=value_changed,
        value_readable=value_readable,
        differences=[] if current is None else differences,
        created=current is None,
        diff=dict(
            before=describe(current, "<redacted>") if current is not None else "",
            after=describe(desired, "<redacted, changed>" if value_changed else "<redacted>"),
            before_header="secret %s" % uuid,
            after_header="secret %s" % uuid,
        ),
    )


def ensure_absent(store, uuid, check_mode=False):
    secret = store.lookup(uuid)
    if secret is None:
        return dict(changed=False, diff=dict(before="", after=""))
    current = store.read_definition(secret)
    if not check_mode:
        store.undefine(secret)
    return dict(changed=True, definition=current,
                diff=dict(before=describe(current, "<redacted>"), after="",
                          before_header="secret %s" % uuid, after_header="secret %s" % uuid))
