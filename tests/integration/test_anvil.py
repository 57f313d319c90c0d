"""Client limits across all workers (Postfix's anvil): concurrent
connections, connection rate, message rate, recipient rate; the clients
in smtpd_client_event_limit_exceptions are exempt."""
import smtplib
import socket
import time


def greet(port):
    s = socket.create_connection(("127.0.0.1", port), 5)
    return s, s.recv(512)


def test_connection_count_limit(server):
    srv = server("smtpd_client_connection_count_limit = 3\n")
    open_ = [greet(srv.port) for _ in range(3)]
    assert all(g.startswith(b"220 ") for _, g in open_)
    s, g = greet(srv.port)
    assert g == b"421 4.7.0 mx.example.com Error: too many connections from 127.0.0.1\r\n", g
    s.close()
    assert "Connection concurrency limit exceeded: 4 from" in srv.logs()
    open_[0][0].close()
    time.sleep(0.3)
    s, g = greet(srv.port)   # one went away: room again
    assert g.startswith(b"220 "), g
    s.close()
    for s, _ in open_[1:]:
        s.close()


def test_connection_rate_limit(server):
    srv = server("smtpd_client_connection_rate_limit = 5\n")
    for _ in range(4):   # the fixture's readiness probe was the first
        s, g = greet(srv.port)
        assert g.startswith(b"220 ")
        s.close()
    s, g = greet(srv.port)
    assert g.startswith(b"421 4.7.0 mx.example.com Error: too many connections"), g
    s.close()


def test_message_and_recipient_rate_limits(server):
    srv = server("smtpd_client_message_rate_limit = 2\nsmtpd_client_recipient_rate_limit = 3\n")
    with smtplib.SMTP("127.0.0.1", srv.port, timeout=10) as c:
        c.ehlo("x")
        for i in range(2):
            assert c.mail("a@example.net")[0] == 250
            c.rset()
        code, msg = c.mail("a@example.net")
        assert (code, msg) == (450, b"4.7.1 Error: too much mail from 127.0.0.1")
    srv2 = server("smtpd_client_recipient_rate_limit = 3\n")
    with smtplib.SMTP("127.0.0.1", srv2.port, timeout=10) as c:
        c.ehlo("x")
        c.mail("a@example.net")
        codes = [c.rcpt("alice@example.com")[0] for _ in range(4)]
        assert codes == [250, 250, 250, 450], codes


def test_exempt_clients(server):
    srv = server("smtpd_client_connection_count_limit = 1\n"
                 "smtpd_client_event_limit_exceptions = 127.0.0.0/8\n")
    conns = [greet(srv.port) for _ in range(3)]
    assert all(g.startswith(b"220 ") for _, g in conns)
    for s, _ in conns:
        s.close()
