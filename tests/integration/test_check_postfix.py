"""`sallyport check --postfix DIR` on a real Postfix's configuration:
Postfix's defaults where main.cf says nothing (mynetworks from
mynetworks_style, Postfix's lax VRFY and HELO defaults), Berkeley DB
tables read from their source, what sallyport does not implement said as
not assessed, and the open relay of the story proven; the Debian 12
configuration as installed relays for no one."""
import json
import os
import shutil
import subprocess

import pytest

from conftest import BINARY

pytestmark = pytest.mark.skipif(not os.path.exists("/etc/postfix/master.cf"),
                                reason="needs Debian's postfix package")


def check(d):
    p = subprocess.run([BINARY, "check", "--postfix", d, "--json"], capture_output=True,
                       text=True, timeout=120)
    out = json.loads(p.stdout)
    return p.returncode, {f["id"] for f in out["findings"]}, out


def test_debian_configuration_as_installed(tmp_path):
    d = str(tmp_path)
    for name in ("main.cf", "master.cf"):
        shutil.copy(os.path.join("/etc/postfix", name), d)
    rc, ids, out = check(d)
    assert "open-relay" not in ids and "config" not in {f["id"] for f in out["findings"]
                                                          if f["severity"] == "error"}, out
    # Postfix 3.7's defaults, not sallyport's
    assert {"vrfy-enabled", "bare-newline-accepted", "helo-not-required"} <= ids, ids
    assert "not-assessed" in ids     # e.g. the pipe services sallyport does not run
    assert rc == 1


def test_the_story_open_relay_in_postfix_mode(tmp_path):
    d = str(tmp_path)
    shutil.copy("/etc/postfix/master.cf", d)
    with open(os.path.join(d, "main.cf"), "w") as f:
        f.write("compatibility_level = 3.6\nmyhostname = mx.example.com\n"
                "mydestination = $myhostname, localhost, example.com\n"
                "mynetworks = 0.0.0.0/0 [::1]/128\n"
                "smtpd_recipient_restrictions = permit_mynetworks, permit_sasl_authenticated, "
                "reject_unauth_destination\n")
    rc, ids, out = check(d)
    assert rc == 2 and "open-relay" in ids and "mynetworks-wide" in ids, out
    relay = next(f for f in out["findings"] if f["id"] == "open-relay")
    assert "RCPT TO:<victim@relay-test.invalid>" in relay["transaction"]
    assert "permit_mynetworks" in relay["what"]
