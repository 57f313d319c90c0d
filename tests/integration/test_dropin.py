"""Drop-in for an existing Postfix setup: the main.cf and master.cf that
Debian's postfix package installs load unchanged (sallyport start -n):
Postfix's own services are recognised, the pipe services nothing uses are
reported once, and nothing is an error."""
import os
import shutil
import subprocess
import tempfile

import pytest

from conftest import BINARY

DEBIAN = "/usr/share/postfix"


def test_debian_stock_configuration_loads():
    main, master = os.path.join(DEBIAN, "main.cf.debian"), os.path.join(DEBIAN, "master.cf.dist")
    if not (os.path.exists(main) and os.path.exists(master)):
        pytest.skip("Debian's postfix package is not installed")
    with tempfile.TemporaryDirectory(prefix="sallyport-dropin-") as d:
        shutil.copy(main, os.path.join(d, "main.cf"))
        shutil.copy(master, os.path.join(d, "master.cf"))
        p = subprocess.run([BINARY, "start", "-n", "-c", d], capture_output=True, text=True,
                           timeout=60)
    assert p.returncode == 0, p.stderr
    assert "error" not in p.stderr, p.stderr
    assert 'maildrop: "pipe" service is not used by the configuration' in p.stderr


def test_a_used_pipe_service_is_an_error():
    master = os.path.join(DEBIAN, "master.cf.dist")
    if not os.path.exists(master):
        pytest.skip("Debian's postfix package is not installed")
    with tempfile.TemporaryDirectory(prefix="sallyport-dropin-") as d:
        with open(os.path.join(d, "main.cf"), "w") as f:
            f.write("virtual_transport = maildrop\n")
        shutil.copy(master, os.path.join(d, "master.cf"))
        p = subprocess.run([BINARY, "start", "-n", "-c", d], capture_output=True, text=True,
                           timeout=60)
    assert p.returncode == 2
    assert 'maildrop: sallyport cannot run "pipe" yet, and the configuration sends mail to it' \
        in p.stderr, p.stderr
