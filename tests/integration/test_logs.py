"""The server's log lines as the tools that read Postfix logs see them:
fail2ban's postfix filter (the Debian package's, unchanged) must find the
client behind a rejected relay attempt and a rejected unknown user."""
import os
import re
import shutil
import smtplib
import subprocess

import pytest


def test_fail2ban_postfix_filter_matches(server):
    f2b = shutil.which("fail2ban-regex")
    filt = "/etc/fail2ban/filter.d/postfix.conf"
    if f2b is None or not os.path.exists(filt):
        pytest.skip("fail2ban is not installed")
    srv = server()
    with smtplib.SMTP("127.0.0.1", srv.port, timeout=10) as c:
        c.ehlo("spammer.example.net")
        c.mail("spam@example.net")
        assert c.rcpt("victim@example.org")[0] == 554
        assert c.rcpt("nobody@example.com")[0] == 550
    srv.stop()
    log = srv.logs()
    assert re.search(r"postfix/smtpd\[\d+\]: NOQUEUE: reject: RCPT from \S+\[127\.0\.0\.1\]: "
                     r"554 5\.7\.1 <victim@example\.org>: Relay access denied; "
                     r"from=<spam@example\.net> to=<victim@example\.org> proto=ESMTP "
                     r"helo=<spammer\.example\.net>", log), log
    p = subprocess.run([f2b, srv.log_path, filt], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stdout + p.stderr
    m = re.search(r"Lines: \d+ lines, \d+ ignored, (\d+) matched", p.stdout)
    assert m and int(m.group(1)) == 2, p.stdout
    assert "127.0.0.1" in p.stdout


def test_pflogsumm_counts_what_was_received(server):
    pfl = shutil.which("pflogsumm")
    if pfl is None:
        pytest.skip("pflogsumm is not installed")
    srv = server()
    for i in range(3):
        with smtplib.SMTP("127.0.0.1", srv.port, timeout=10) as c:
            c.ehlo("client.example.net")
            c.mail("sender@example.net")
            c.rcpt("alice@example.com")
            c.data(b"Subject: x\r\n\r\nhello\r\n")
    with smtplib.SMTP("127.0.0.1", srv.port, timeout=10) as c:
        c.ehlo("client.example.net")
        c.mail("spam@example.net")
        c.rcpt("victim@example.org")
    srv.stop()
    p = subprocess.run([pfl, srv.log_path], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    out = p.stdout
    assert re.search(r"^\s+3\s+received$", out, re.M), out
    assert re.search(r"^\s+1\s+rejected", out, re.M), out
    assert re.search(r"^\s+1\s+senders$", out, re.M), out
    assert not re.search(r"^\s+0\s+bytes received$", out, re.M), out
