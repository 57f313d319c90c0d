"""Drop-in for an existing Postfix setup: the main.cf and master.cf that
Debian's postfix package installs load unchanged (sallyport start -n):
Postfix's own services are recognised, the pipe services nothing uses are
reported once, and nothing is an error. The configuration of Postfix's
VIRTUAL_README runs as written and answers as Postfix does."""
import os
import shutil
import smtplib
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


# The main.cf lines and tables of Postfix's VIRTUAL_README (3.7): a virtual
# alias domain ("separate domains, UNIX system accounts"), a virtual mailbox
# domain ("separate domains, non-UNIX accounts") with its uid/gid maps, and
# the catch-all, with the tables as hash: files compiled by `sallyport map`
# as the README compiles them with postmap. Only the paths differ.
VIRTUAL_README_MAIN_CF = """\
compatibility_level = 3.7
myhostname = mx.example.net
mydomain = example.net
myorigin = $mydomain
mydestination = $myhostname, localhost.$mydomain, localhost
# 127.0.0.1, where the test connects from, is an outside client here
mynetworks = 192.0.2.0/24
queue_directory = {dir}/queue
smtpd_error_sleep_time = 0

virtual_alias_domains = example.org
virtual_mailbox_domains = example.com
virtual_mailbox_base = {dir}/vhosts
virtual_mailbox_maps = hash:{dir}/vmailbox
virtual_minimum_uid = 100
virtual_uid_maps = static:5000
virtual_gid_maps = static:5000
virtual_alias_maps = hash:{dir}/virtual
"""
VIRTUAL_README_TABLES = {
    "vmailbox": "info@example.com    example.com/info\n"
                "sales@example.com   example.com/sales/\n"
                "# Comment out the entry below to implement a catch-all.\n"
                "# @example.com      example.com/catchall\n",
    "virtual": "postmaster@example.com postmaster\n"
               "postmaster@example.org postmaster\n"
               "info@example.org       joe\n"
               "sales@example.org      jane\n"
               "# Uncomment entry below to implement a catch-all address\n"
               "@catchall.example      jim\n",
}


def compile_tables(d):
    for name in VIRTUAL_README_TABLES:
        subprocess.run([BINARY, "map", "hash:" + os.path.join(d, name)], check=True, timeout=30)


@pytest.mark.parametrize("rcpt,code,text", [
    ("info@example.com", 250, "Ok"),
    ("sales@example.com", 250, "Ok"),
    ("postmaster@example.com", 250, "Ok"),            # an alias in a mailbox domain
    ("nobody@example.com", 550, "5.1.1 <nobody@example.com>: Recipient address rejected: "
                                "User unknown in virtual mailbox table"),
    ("info@example.org", 250, "Ok"),
    ("nobody@example.org", 550, "5.1.1 <nobody@example.org>: Recipient address rejected: "
                                "User unknown in virtual alias table"),
    # a catch-all for a domain that is in no domain list is no reason to relay
    # (the default smtpd_relay_restrictions end in defer_unauth_destination)
    ("anyone@catchall.example", 454, "4.7.1 <anyone@catchall.example>: Relay access denied"),
    ("victim@elsewhere.example", 454, "4.7.1 <victim@elsewhere.example>: Relay access denied"),
])
def test_virtual_readme_configuration(server, rcpt, code, text):
    srv = server(base=VIRTUAL_README_MAIN_CF, files=VIRTUAL_README_TABLES,
                 before=compile_tables)
    with smtplib.SMTP("127.0.0.1", srv.port, timeout=10) as c:
        c.ehlo("client.example.net")
        assert c.mail("sender@example.net")[0] == 250
        got = c.rcpt(rcpt)
        assert got[0] == code and text in got[1].decode(), got
        if code == 250:
            assert c.data(b"Subject: virtual\r\n\r\nhello\r\n")[0] == 250
    assert len(srv.queued()) == (1 if code == 250 else 0)
