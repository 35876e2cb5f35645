"""Stand-in for ansible-test's pip bootstrap script (get-pip.py).

ansible-test downloads get-pip.py from ci-files.testing.ansible.com, which this
project's machines cannot reach (only PyPI is). It runs the script inside an empty
venv with pip's install arguments (e.g. ``--no-setuptools pip==24.2``). This shim gets
the bundled pip from ``ensurepip`` and then lets that pip install the requested
version from PyPI, which gives the same result.
"""
import subprocess
import sys

subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"], stdout=subprocess.DEVNULL)
args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "pip", "install"] + args)
