"""Many sessions at once: 1,000 connections are open together, every one
is greeted, and every one can still finish a transaction."""
import resource
import selectors
import socket
import time


def test_thousand_sessions(server):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard < 1100:
        import pytest
        pytest.skip(f"RLIMIT_NOFILE {hard} is below 1,100")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1100), hard))
    srv = server("smtpd_client_connection_count_limit = 0\n")
    socks = []
    try:
        for _ in range(1000):
            s = socket.create_connection(("127.0.0.1", srv.port), 10)
            s.setblocking(False)
            socks.append(s)
        # every one greeted
        sel = selectors.DefaultSelector()
        for s in socks:
            sel.register(s, selectors.EVENT_READ)
        greeted, deadline = set(), time.monotonic() + 30
        while len(greeted) < len(socks) and time.monotonic() < deadline:
            for key, _ in sel.select(1):
                data = key.fileobj.recv(512)
                assert data.startswith(b"220 "), data
                greeted.add(key.fileobj)
                sel.unregister(key.fileobj)
        assert len(greeted) == 1000
        # and all of them still work: one transaction each, pipelined
        for s in socks:
            s.setblocking(True)
            s.settimeout(30)
            s.sendall(b"EHLO x\r\n")
        for s in socks:
            buf = b""
            while not buf.endswith(b"250 CHUNKING\r\n"):
                buf += s.recv(4096)
        for s in socks:
            s.sendall(b"MAIL FROM:<a@example.net>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\n")
        for s in socks:
            buf = b""
            while b"354 " not in buf:
                buf += s.recv(4096)
            s.sendall(b"Subject: load\r\n\r\nx\r\n.\r\nQUIT\r\n")
        for s in socks:
            buf = b""
            while b"221 " not in buf:
                chunk = s.recv(4096)
                if not chunk:
                    break
                buf += chunk
            assert b"250 2.0.0 Ok: queued as" in buf, buf
    finally:
        for s in socks:
            s.close()
    assert len(srv.queued()) == 1000
