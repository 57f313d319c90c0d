"""The real server on loopback: what a client sees and what the queue holds."""
import os
import re
import shutil
import smtplib
import socket
import subprocess
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))
from qfile import content_of  # noqa: E402


def talk(port, data, wait=0.3):
    """Sends raw bytes (one packet), returns what the server answered."""
    s = socket.create_connection(("127.0.0.1", port), 5)
    s.recv(1024)   # greeting
    s.sendall(data)
    time.sleep(wait)
    s.settimeout(2)
    out = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
            if len(chunk) < 65536:
                time.sleep(0.05)
    except socket.timeout:
        pass
    s.close()
    return out


def test_mail_is_queued_byte_for_byte(server):
    srv = server()
    body = b"Subject: hi\r\nMessage-ID: <t1@example.net>\r\n\r\nline one\r\n.leading dot\r\n"
    with smtplib.SMTP("127.0.0.1", srv.port, timeout=10) as c:
        c.ehlo("client.example.net")
        code, msg = c.mail("sender@example.net")[0], None
        assert code == 250
        assert c.rcpt("alice@example.com")[0] == 250
        code, msg = c.data(body)
        assert code == 250 and msg.startswith(b"2.0.0 Ok: queued as ")
    queued = srv.queued()
    assert len(queued) == 1 and msg.decode().endswith(queued[0])
    content = content_of(os.path.join(srv.dir, "queue", "active", queued[0]))
    # the client's name: its PTR name, confirmed by a forward lookup (localhost), or unknown
    assert re.match(rb"Received: from client\.example\.net \(\S+ \[127\.0\.0\.1\]\)\r\n"
                    rb"\tby mx\.example\.com \(sallyport\) with ESMTP id ", content), content[:200]
    assert content.endswith(b"\r\n" + body)   # exactly what was sent, after the Received header
    assert "message-id=<t1@example.net>" in srv.logs()


@pytest.mark.parametrize("rcpt", [
    "victim@example.org", "victim%example.org@example.com", "@example.com:victim@example.org",
    "example.org!victim@example.com", '"victim@example.org"@example.com',
    "victim@[192.0.2.1]", "victim@example.org."])
def test_no_relay_for_strangers(server, rcpt):
    srv = server()
    with smtplib.SMTP("127.0.0.1", srv.port, timeout=10) as c:
        c.ehlo("client.example.net")
        assert c.mail("spammer@example.net")[0] == 250
        code, msg = c.rcpt(rcpt)
        assert code in (554, 550, 501), (code, msg)
    assert srv.queued() == []


@pytest.mark.parametrize("variant", [b"\n.\n", b"\n.\r\n", b"\r\n.\n", b"\r.\r\n"])
def test_smuggling_cannot_end_a_message(server, variant):
    srv = server()
    smuggled = (b"EHLO x\r\nMAIL FROM:<a@example.net>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\n")
    data = (b"Subject: first\r\n\r\nbody" + variant +
            b"MAIL FROM:<evil@example.net>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\n"
            b"Subject: smuggled\r\n\r\nx\r\n.\r\n")
    s = socket.create_connection(("127.0.0.1", srv.port), 5)
    s.recv(1024)
    for line in smuggled.split(b"\r\n")[:-1]:
        s.sendall(line + b"\r\n")
        s.recv(4096)
    s.sendall(data)
    time.sleep(0.3)
    reply = s.recv(4096)
    s.close()
    assert reply.startswith(b"550 5.5.2 mx.example.com Error: bare <"), reply
    assert srv.queued() == []


def test_pipelined_transaction_in_one_packet(server):
    srv = server()
    out = talk(srv.port, b"EHLO x\r\n")
    assert b"250-PIPELINING" in out
    s = socket.create_connection(("127.0.0.1", srv.port), 5)
    s.recv(1024)
    s.sendall(b"EHLO x\r\n")
    time.sleep(0.1)
    s.recv(4096)
    s.sendall(b"MAIL FROM:<a@example.net>\r\nRCPT TO:<alice@example.com>\r\n"
              b"RCPT TO:<bob@example.com>\r\nDATA\r\n")
    time.sleep(0.3)
    replies = s.recv(4096)
    assert replies == (b"250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n"
                       b"354 End data with <CR><LF>.<CR><LF>\r\n"), replies
    s.sendall(b"Subject: p\r\n\r\nx\r\n.\r\nQUIT\r\n")
    time.sleep(0.3)
    rest = s.recv(4096)
    assert rest.startswith(b"250 2.0.0 Ok: queued as ") and rest.endswith(b"221 2.0.0 Bye\r\n")
    s.close()
    assert len(srv.queued()) == 1


def test_unauthorised_pipelining_is_refused(server):
    srv = server()
    out = talk(srv.port, b"HELO x\r\nMAIL FROM:<a@example.net>\r\n")
    assert out == b"554 5.5.0 Error: SMTP protocol synchronization\r\n", out


def test_message_size_limit(server):
    srv = server("message_size_limit = 1000\n")
    with smtplib.SMTP("127.0.0.1", srv.port, timeout=10) as c:
        c.ehlo("x")
        assert c.mail("a@example.net", ["SIZE=5000"])[0] == 552
        assert c.mail("a@example.net")[0] == 250
        assert c.rcpt("alice@example.com")[0] == 250
        code, msg = c.data(b"Subject: big\r\n\r\n" + b"x" * 2000 + b"\r\n")
        assert code == 552, msg
    assert srv.queued() == []


def test_unknown_recipient_is_refused_at_rcpt(server):
    srv = server()
    with smtplib.SMTP("127.0.0.1", srv.port, timeout=10) as c:
        c.ehlo("x")
        c.mail("a@example.net")
        code, msg = c.rcpt("nobody@example.com")
        assert code == 550 and b"5.1.1" in msg


def test_swaks(server):
    if shutil.which("swaks") is None:
        pytest.skip("swaks is not installed")
    srv = server()
    p = subprocess.run(["swaks", "--server", "127.0.0.1", "--port", str(srv.port),
                        "--from", "sender@example.net", "--to", "bob@example.com",
                        "--helo", "client.example.net"], capture_output=True, text=True,
                       timeout=30)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "250 2.0.0 Ok: queued as" in p.stdout
    assert len(srv.queued()) == 1


def test_graceful_stop(server):
    srv = server()
    c = smtplib.SMTP("127.0.0.1", srv.port, timeout=20)
    c.ehlo("x")
    start = time.monotonic()
    assert srv.stop() == 0
    assert time.monotonic() - start < 14   # the 10-second grace period
    assert re.search(r"disconnect from \S+\[127\.0\.0\.1\]", srv.logs())


def expected_client_name():
    """The name Postfix's rules give 127.0.0.1 on this machine."""
    try:
        name = socket.getnameinfo(("127.0.0.1", 0), socket.NI_NAMEREQD)[0]
        addrs = {a[4][0] for a in socket.getaddrinfo(name, None, socket.AF_INET)}
    except OSError:
        return "unknown"
    return name if "127.0.0.1" in addrs else "unknown"


def test_client_name_lookup(server):
    srv = server()
    smtplib.SMTP("127.0.0.1", srv.port, timeout=10).quit()
    time.sleep(0.2)
    assert f"connect from {expected_client_name()}[127.0.0.1]" in srv.logs()
    off = server("smtpd_peername_lookup = no\n")
    smtplib.SMTP("127.0.0.1", off.port, timeout=10).quit()
    time.sleep(0.2)
    assert "connect from unknown[127.0.0.1]" in off.logs()
