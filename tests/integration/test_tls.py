"""TLS on the real server: STARTTLS and wrapper mode with a certificate
made by openssl(1) for the test, swaks --tls and Python's ssl as clients.
What is checked: mail goes through TLS and its Received header says so, the
plaintext a client pipelines after STARTTLS is thrown away (CVE-2011-0411),
smtpd_tls_security_level = encrypt refuses mail before STARTTLS, the
protocol settings hold, sessions resume across workers (one set of ticket
keys), and a TLS configuration that cannot work stops the start."""
import os
import select
import smtplib
import socket
import ssl
import subprocess
import tempfile

import pytest

from conftest import BINARY, BASE_MAIN_CF, client_context, wait_for


def tls_conf(cert, level="may", more=""):
    return (f"smtpd_tls_security_level = {level}\nsmtpd_tls_cert_file = {cert[0]}\n"
            f"smtpd_tls_key_file = {cert[1]}\nsmtpd_tls_received_header = yes\n"
            f"smtpd_tls_loglevel = 1\n" + more)


def queued_text(srv):
    files = srv.queued()
    assert len(files) == 1, files
    with open(os.path.join(srv.dir, "queue", "active", files[0]), "rb") as f:
        return f.read().decode(errors="replace")


def test_starttls_then_mail(server, cert):
    srv = server(tls_conf(cert))
    with smtplib.SMTP("127.0.0.1", srv.port, timeout=10) as c:
        c.ehlo("client.example.net")
        assert c.has_extn("starttls")
        assert c.starttls(context=client_context())[0] == 220
        c.ehlo("client.example.net")
        assert not c.has_extn("starttls")   # not offered twice
        assert c.docmd("STARTTLS")[0] == 554
        c.sendmail("sender@example.net", ["alice@example.com"], b"Subject: tls\r\n\r\nhi\r\n")
    text = queued_text(srv)
    assert "\tby mx.example.com (sallyport) with ESMTPS id " in text
    assert "\t(using TLSv1.3 with cipher TLS_" in text
    logs = srv.logs()
    assert "Anonymous TLS connection established from localhost[127.0.0.1]: TLSv1.3" in logs
    assert " ehlo=2 starttls=1/2 mail=1 rcpt=1 data=1 quit=1 commands=7/8" in logs


def test_swaks_tls(server, cert):
    srv = server(tls_conf(cert))
    p = subprocess.run(["swaks", "--server", f"127.0.0.1:{srv.port}", "--tls", "--to",
                        "alice@example.com", "--from", "sender@example.net", "--helo",
                        "client.example.net"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "TLS started with cipher TLSv1.3" in p.stdout, p.stdout
    assert len(srv.queued()) == 1


def read_reply(sock):
    """One whole reply (all its lines), as bytes."""
    buf = b""
    while True:
        data = sock.recv(1)
        if not data:
            return buf
        buf += data
        lines = buf.split(b"\r\n")
        if buf.endswith(b"\r\n") and len(lines[-2]) >= 4 and lines[-2][3:4] == b" ":
            return buf


def test_plaintext_after_starttls_is_discarded(server, cert):
    # pipelining allowed here, so that the RSET reaches the discarding step
    srv = server(tls_conf(cert, more="smtpd_forbid_unauth_pipelining = no\n"))
    s = socket.create_connection(("127.0.0.1", srv.port), 10)
    try:
        assert read_reply(s).startswith(b"220 ")
        s.sendall(b"EHLO client.example.net\r\n")
        assert b"STARTTLS" in read_reply(s)
        s.sendall(b"STARTTLS\r\nRSET\r\n")   # one packet
        assert read_reply(s) == b"220 2.0.0 Ready to start TLS\r\n"
        # nothing more in plain text: the RSET got no reply
        assert select.select([s], [], [], 0.5)[0] == []
        t = client_context().wrap_socket(s)
        t.sendall(b"NOOP\r\n")
        # the first reply after the handshake answers NOOP, not the RSET
        assert read_reply(t) == b"250 2.0.0 Ok\r\n"
        t.sendall(b"QUIT\r\n")
        assert read_reply(t).startswith(b"221 ")
        t.close()
    finally:
        s.close()
    assert " starttls=1 noop=1 quit=1 " in srv.logs()


def test_starttls_pipelined_is_refused_by_default(server, cert):
    srv = server(tls_conf(cert))   # smtpd_forbid_unauth_pipelining = yes
    s = socket.create_connection(("127.0.0.1", srv.port), 10)
    try:
        read_reply(s)
        s.sendall(b"EHLO client.example.net\r\n")
        read_reply(s)
        s.sendall(b"STARTTLS\r\nRSET\r\n")
        assert read_reply(s).startswith(b"554 5.5.0 Error: SMTP protocol synchronization")
        assert s.recv(100) == b""   # and the connection is closed: no handshake
    finally:
        s.close()


def test_wrapper_mode(server, cert):
    srv = server(tls_conf(cert), master_extra="127.0.0.1:{port2} inet n - n - - smtpd "
                 "-o smtpd_tls_wrappermode=yes\n")
    with smtplib.SMTP_SSL("127.0.0.1", srv.port2, timeout=10,
                          context=client_context()) as c:
        code, _ = c.ehlo("client.example.net")
        assert code == 250 and not c.has_extn("starttls")
        c.sendmail("sender@example.net", ["alice@example.com"], b"Subject: 465\r\n\r\nhi\r\n")
    assert "with ESMTPS id" in queued_text(srv)
    logs = srv.logs()
    assert logs.index("connect from localhost") < logs.index("Anonymous TLS connection")


def test_encrypt_requires_starttls(server, cert):
    srv = server(tls_conf(cert, level="encrypt"))
    with smtplib.SMTP("127.0.0.1", srv.port, timeout=10) as c:
        c.ehlo("client.example.net")
        assert c.mail("sender@example.net") == (530, b"5.7.0 Must issue a STARTTLS command first")
        assert c.rcpt("alice@example.com")[0] == 530
        assert c.noop()[0] == 250
        c.starttls(context=client_context())
        c.ehlo("client.example.net")
        assert c.mail("sender@example.net")[0] == 250


def test_protocols(server, cert):
    srv = server(tls_conf(cert, more="smtpd_tls_protocols = >=TLSv1.3\n"))
    with smtplib.SMTP("127.0.0.1", srv.port, timeout=10) as c:
        c.ehlo("client.example.net")
        with pytest.raises((ssl.SSLError, OSError)):
            c.starttls(context=client_context(maximum=ssl.TLSVersion.TLSv1_2))
    srv.stop()
    assert "SSL_accept error from localhost[127.0.0.1]" in srv.logs()
    # the older syntax: everything but what is excluded
    srv = server(tls_conf(cert, more="smtpd_tls_protocols = !SSLv2, !SSLv3, !TLSv1, !TLSv1.1, "
                                     "!TLSv1.3\n"))
    with smtplib.SMTP("127.0.0.1", srv.port, timeout=10) as c:
        c.ehlo("client.example.net")
        c.starttls(context=client_context())
        assert c.sock.version() == "TLSv1.2"


def s_client(port, *args):
    return subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-starttls",
                           "smtp", "-ign_eof", *args], input="QUIT\r\n", capture_output=True,
                          text=True, timeout=30).stdout


@pytest.mark.parametrize("version", ["-tls1_2", "-tls1_3"])
def test_sessions_resume_in_any_worker(server, cert, version, tmp_path):
    srv = server(tls_conf(cert))
    sess = str(tmp_path / "session.pem")
    assert "New, TLSv1." in s_client(srv.port, version, "-sess_out", sess)
    reused = sum("Reused, TLSv1." in s_client(srv.port, version, "-sess_in", sess)
                 for _ in range(6))
    assert reused == 6   # whichever worker took the connection


@pytest.mark.parametrize("version", ["-tls1_2", "-tls1_3"])
def test_a_reload_renews_the_ticket_keys(server, cert, version, tmp_path):
    # a session lives at most as long as the generation of workers that made it
    srv = server(tls_conf(cert))
    sess = str(tmp_path / "session.pem")
    assert "New, TLSv1." in s_client(srv.port, version, "-sess_out", sess)
    assert "Reused, TLSv1." in s_client(srv.port, version, "-sess_in", sess)
    old = wait_for(srv.workers)
    assert srv.sallyport("reload").returncode == 0
    assert wait_for(lambda: srv.workers() and not set(srv.workers()) & set(old), 15)
    assert "New, TLSv1." in s_client(srv.port, version, "-sess_in", sess)


@pytest.mark.parametrize("more,param", [
    ("", "smtpd_tls_cert_file"),   # no certificate at all
    ("smtpd_tls_cert_file = {dir}/missing.pem\n", "smtpd_tls_cert_file"),
    ("KEYMISMATCH", "smtpd_tls_key_file"),
    ("CERT\nsmtpd_tls_protocols = >=TLSv1.4\n", "smtpd_tls_protocols"),
])
def test_broken_tls_configuration_does_not_start(cert, more, param, tmp_path):
    d = str(tmp_path)
    os.chmod(d, 0o755)
    if more == "KEYMISMATCH":
        other = os.path.join(d, "other.pem")
        subprocess.run(["openssl", "genrsa", "-out", other, "2048"], check=True,
                       capture_output=True, timeout=60)
        more = f"smtpd_tls_cert_file = {cert[0]}\nsmtpd_tls_key_file = {other}\n"
    more = more.replace("CERT", f"smtpd_tls_cert_file = {cert[0]}\n"
                                f"smtpd_tls_key_file = {cert[1]}")
    with open(os.path.join(d, "main.cf"), "w") as f:
        f.write(BASE_MAIN_CF.replace("{dir}", d) + "smtpd_tls_security_level = may\n" +
                more.replace("{dir}", d))
    with open(os.path.join(d, "master.cf"), "w") as f:
        f.write("127.0.0.1:2599 inet n - n - - smtpd\n")
    p = subprocess.run([BINARY, "start", "-n", "-c", d], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode != 0
    assert f"{param}:" in p.stderr and "error" in p.stderr, p.stderr


def test_chain_files_in_postfix_order(server, cert):
    # a key, then its chain: in one file, or in consecutive files (postconf(5))
    crt, key = cert
    srv = server(f"smtpd_tls_security_level = may\nsmtpd_tls_chain_files = {key}, {crt}\n")
    with smtplib.SMTP("127.0.0.1", srv.port, timeout=10) as c:
        c.ehlo("client.example.net")
        assert c.starttls(context=client_context())[0] == 220
        assert c.sock.getpeercert(binary_form=True)   # the certificate from the chain file


@pytest.mark.parametrize("files,why", [
    ("{crt}, {key}", "a certificate before any private key"),
    ("{key}", "private key 1 has no matching certificate"),
])
def test_chain_files_out_of_order(cert, files, why, tmp_path):
    d = str(tmp_path)
    with open(os.path.join(d, "main.cf"), "w") as f:
        f.write(BASE_MAIN_CF.replace("{dir}", d) + "smtpd_tls_security_level = may\n"
                "smtpd_tls_chain_files = " + files.format(crt=cert[0], key=cert[1]) + "\n")
    with open(os.path.join(d, "master.cf"), "w") as f:
        f.write("127.0.0.1:2599 inet n - n - - smtpd\n")
    p = subprocess.run([BINARY, "start", "-n", "-c", d], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode != 0 and f"smtpd_tls_chain_files: {why}" in p.stderr, p.stderr
    assert p.stderr.count("error:") == 1, p.stderr   # said once
