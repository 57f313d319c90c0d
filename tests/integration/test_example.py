"""The example configuration of the quick start (examples/), as shipped:
copied to a temporary directory with other ports, its test certificate made
by tools/example-cert, started, and used: mail for a local user is
accepted over STARTTLS, relay from outside refused, the submission service
refuses MAIL before STARTTLS and relays for a logged-in user sending as
herself only, the submissions service speaks TLS at once."""
import os
import re
import shutil
import signal
import smtplib
import subprocess
import tempfile
import time

import pytest

from conftest import BINARY, client_context, free_port

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))


@pytest.fixture
def example():
    d = tempfile.mkdtemp(prefix="sallyport-example-")
    os.chmod(d, 0o755)
    for name in ("main.cf", "vmailbox", "virtual", "sender_logins"):
        shutil.copy(os.path.join(ROOT, "examples", name), d)
    ports = {}
    with open(os.path.join(ROOT, "examples", "master.cf")) as f:
        master = f.read()
    for port in ("2525", "2587", "2465"):
        ports[port] = free_port()
        master = master.replace(f"127.0.0.1:{port} ", f"127.0.0.1:{ports[port]} ")
    with open(os.path.join(d, "master.cf"), "w") as f:
        f.write(master)
    subprocess.run([os.path.join(ROOT, "tools", "example-cert"), d], check=True, timeout=60)
    subprocess.run([BINARY, "user", "-c", d, "add", "alice", "--stdin"], input="alice-pw-123\n",
                   text=True, check=True, timeout=60)
    log = open(os.path.join(d, "log"), "w")
    proc = subprocess.Popen([BINARY, "start", "-f", "-c", d], stdout=log, stderr=log)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            s = smtplib.SMTP("127.0.0.1", ports["2525"], timeout=2)
            s.quit()
            break
        except OSError:
            time.sleep(0.1)
    yield d, ports
    proc.send_signal(signal.SIGTERM)
    proc.wait(20)
    log.close()
    shutil.rmtree(d, ignore_errors=True)


def test_example_receives_over_starttls(example):
    d, ports = example
    with smtplib.SMTP("127.0.0.1", ports["2525"], timeout=10) as c:
        c.ehlo("client.example.net")
        assert c.has_extn("starttls")
        c.starttls(context=client_context())
        c.ehlo("client.example.net")
        c.sendmail("someone@example.net", ["alice@example.test"], b"Subject: hi\r\n\r\nhi\r\n")
        assert c.docmd("MAIL", "FROM:<someone@example.net>")[0] == 250
        # unknown user
        assert c.rcpt("nobody@example.test")[0] == 550
    queued = os.listdir(os.path.join(d, "queue", "active"))
    assert len(queued) == 1
    with open(os.path.join(d, "queue", "active", queued[0]), "rb") as f:
        assert b"with ESMTPS id" in f.read()
    with open(os.path.join(d, "log")) as f:
        log = f.read()
    assert re.search(r"Anonymous TLS connection established from \S+\[127\.0\.0\.1\]", log)


def test_example_submission_services(example):
    d, ports = example
    with smtplib.SMTP("127.0.0.1", ports["2587"], timeout=10) as c:
        c.ehlo("client.example.net")
        assert c.mail("alice@example.test")[0] == 530   # STARTTLS first
        c.starttls(context=client_context())
        c.ehlo("client.example.net")
        assert c.mail("alice@example.test")[0] == 250
        assert c.rcpt("friend@elsewhere.example")[0] == 554   # not logged in
        c.rset()
        assert c.login("alice", "alice-pw-123")[0] == 235
        c.sendmail("alice@example.test", ["friend@elsewhere.example"], b"Subject: x\r\n\r\nx\r\n")
        assert c.mail("bob@example.test")[0] == 250
        code, msg = c.rcpt("friend@elsewhere.example")
        assert code == 553 and b"not owned by user alice" in msg, msg
    with smtplib.SMTP_SSL("127.0.0.1", ports["2465"], timeout=10,
                          context=client_context()) as c:
        assert c.ehlo("client.example.net")[0] == 250
        assert c.sock.version().startswith("TLSv1.")
        assert c.login("alice", "alice-pw-123")[0] == 235
    with open(os.path.join(d, "log")) as f:
        assert "postfix/submission/smtpd[" in f.read()
