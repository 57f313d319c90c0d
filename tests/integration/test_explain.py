"""`sallyport explain` against the server itself: for the same transactions,
the reply explain says the server gives is the reply the running server
gives (one policy engine, two callers); a reject line from the server's
log replays to the same reply; and what would change a decision is found
by evaluation (logging in as the sender's owner)."""
import os
import re
import smtplib
import subprocess
import sys

import pytest

from conftest import BINARY

CONFIG = """\
smtpd_peername_lookup = no
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_tls_auth_only = no
smtpd_sender_login_maps = inline:{ alice@example.com=alice, team@example.com=alice }
smtpd_helo_restrictions = reject_invalid_helo_hostname
smtpd_sender_restrictions = reject_sender_login_mismatch, reject_non_fqdn_sender
smtpd_recipient_restrictions = reject_non_fqdn_recipient, check_recipient_access texthash:{dir}/rcpt_access
"""
FILES = {"rcpt_access": "blocked@example.com REJECT no mail for you\n"}

TRANSACTIONS = [
    ("client.example.net", "stranger@example.net", "bob@example.com"),
    ("client.example.net", "stranger@example.net", "friend@elsewhere.example"),
    ("client.example.net", "alice@example.com", "bob@example.com"),
    ("client.example.net", "stranger@example.net", "blocked@example.com"),
    ("client.example.net", "stranger@example.net", "nobody@example.com"),
    ("client.example.net", "stranger@example", "bob@example.com"),
    ("bad_helo!", "stranger@example.net", "bob@example.com"),
]


def explain(d, *args):
    p = subprocess.run([BINARY, "explain", "-c", d, *args], capture_output=True, text=True,
                       timeout=60)
    m = re.search(r"^the server answers: (.*)$", p.stdout, re.M)
    assert m, p.stdout + p.stderr
    return p, m.group(1)


@pytest.mark.parametrize("helo,sender,rcpt", TRANSACTIONS)
def test_explain_says_what_the_server_says(server, helo, sender, rcpt):
    srv = server(CONFIG, files=FILES)
    with smtplib.SMTP("127.0.0.1", srv.port, timeout=10) as c:
        c.ehlo(helo)
        assert c.mail(sender)[0] == 250
        code, msg = c.rcpt(rcpt)
    real = f"{code} {msg.decode()}"
    p, said = explain(srv.dir, "--client", "127.0.0.1", "--helo", helo, "--from", sender,
                      "--to", rcpt)
    assert said == real, p.stdout
    assert p.returncode == (0 if code == 250 else 1)
    if code != 250:
        assert re.search(r"^stopped at (\S+ in smtpd_\w+_restrictions|smtpd_reject_unlisted_"
                         r"recipient)$", p.stdout, re.M), p.stdout


def test_a_log_line_replays(server):
    srv = server(CONFIG, files=FILES)
    with smtplib.SMTP("127.0.0.1", srv.port, timeout=10) as c:
        c.ehlo("client.example.net")
        c.mail("alice@example.com")
        code, msg = c.rcpt("bob@example.com")
        assert code == 553
    srv.stop()
    line = next(l for l in srv.logs().splitlines() if "NOQUEUE: reject: RCPT" in l)
    p, said = explain(srv.dir, "--log", line)
    assert said == f"553 {msg.decode()}", p.stdout
    assert f"the log line said:  553 {msg.decode()}" in p.stdout
    # and what would have let it through: logging in as alice
    assert re.search(r"logged in as alice \(an owner of <alice@example\.com> in "
                     r"smtpd_sender_login_maps\): 250 2\.1\.5 Ok", p.stdout), p.stdout


def test_explain_names_the_lookups(server):
    srv = server(CONFIG, files=FILES)
    p, said = explain(srv.dir, "--client", "203.0.113.7", "--helo", "client.example.net",
                      "--from", "stranger@example.net", "--to", "blocked@example.com")
    assert said == "554 5.7.1 <blocked@example.com>: Recipient address rejected: no mail for you"
    assert re.search(r"lookup blocked@example\.com in texthash:\S*: found REJECT no mail for you",
                     p.stdout), p.stdout
    assert "check_recipient_access: REJECT" in p.stdout


def test_explain_usage_errors(tmp_path):
    p = subprocess.run([BINARY, "explain", "--from", "a@b"], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 2 and "usage: sallyport explain" in p.stderr


# DNS: explain asks the questions of reject_unknown_* as the server does
# (here of tests/dns/dnsd.py on 127.0.0.1); the expected replies are
# Postfix's, as tests/policy/table/19-dns.t has them from the oracle.
DNS_CONFIG = """\
smtpd_peername_lookup = no
smtpd_helo_restrictions = reject_unknown_helo_hostname
smtpd_sender_restrictions = reject_unknown_sender_domain
"""
ZONE = ["mail.example.net A 192.0.2.25", "example.net MX 10 mail.example.net",
        "nomail.example MX 0 .", "flaky.example * SERVFAIL"]
DNS_CASES = [
    ("mail.example.net", "s@example.net", "250 2.1.5 Ok",
     ["mail.example.net (A, AAAA, MX): found", "example.net (MX, A, AAAA): found"]),
    ("mail.example.net", "s@gone.example",
     "450 4.1.8 <s@gone.example>: Sender address rejected: Domain not found",
     ["gone.example (MX, A, AAAA): not found"]),
    ("mail.example.net", "s@nomail.example",
     "550 5.7.27 <s@nomail.example>: Sender address rejected: Domain nomail.example does "
     "not accept mail (nullMX)", ["nomail.example (MX, A, AAAA): null MX"]),
    ("nohost.example", "s@example.net",
     "450 4.7.1 <nohost.example>: Helo command rejected: Host not found",
     ["nohost.example (A, AAAA, MX): not found"]),
    ("mail.example.net", "s@flaky.example",
     "450 4.1.8 <s@flaky.example>: Sender address rejected: Domain not found",
     ["flaky.example (MX, A, AAAA): temporary failure"]),
]


@pytest.fixture
def dnsd(tmp_path):
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                    "policy"))
    import table
    proc, port = table.start_dnsd(str(tmp_path), ZONE)
    yield f"127.0.0.1:{port}"
    proc.terminate()
    proc.wait()


@pytest.mark.parametrize("helo,sender,want,answers", DNS_CASES)
def test_explain_asks_dns(server, dnsd, helo, sender, want, answers):
    srv = server(DNS_CONFIG)
    p, said = explain(srv.dir, "--dns", dnsd, "--client", "203.0.113.7", "--helo", helo,
                      "--from", sender, "--to", "bob@example.com")
    assert said == want, p.stdout
    for a in answers:
        assert f"(DNS: {a}" in p.stdout, p.stdout
    assert "assumed" not in p.stdout


def test_explain_without_dns(server):
    srv = server(DNS_CONFIG)
    p, said = explain(srv.dir, "--no-dns", "--client", "203.0.113.7", "--helo",
                      "nohost.example", "--from", "s@gone.example", "--to", "bob@example.com")
    assert said == "250 2.1.5 Ok", p.stdout
    assert "(DNS: gone.example is assumed to exist: --no-dns)" in p.stdout, p.stdout
    assert "(DNS: nohost.example is assumed to exist: --no-dns)" in p.stdout, p.stdout
    p = subprocess.run([BINARY, "explain", "-c", srv.dir, "--no-dns", "--dns", "127.0.0.1",
                        "--client", "203.0.113.7", "--to", "bob@example.com"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and "usage: sallyport explain" in p.stderr


# A client certificate: explain --ccert says what the server says to a
# client presenting it (permit_tls_clientcerts with relay_clientcerts).
def test_explain_with_a_client_certificate(server, cert):
    import ssl
    crt, key = cert
    fp = subprocess.run(["openssl", "x509", "-noout", "-fingerprint", "-sha256", "-in", crt],
                        capture_output=True, text=True, check=True).stdout.strip()
    fp = fp.split("=", 1)[1]
    srv = server(f"smtpd_tls_cert_file = {crt}\nsmtpd_tls_key_file = {key}\n"
                 "smtpd_tls_security_level = may\nsmtpd_tls_ask_ccert = yes\n"
                 "smtpd_tls_fingerprint_digest = sha256\nsmtpd_peername_lookup = no\n"
                 f"relay_clientcerts = inline:{{ {fp}=office }}\n"
                 "smtpd_relay_restrictions = permit_tls_clientcerts, reject_unauth_destination\n")
    real = {}
    for present in (True, False):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        if present:
            ctx.load_cert_chain(crt, key)
        with smtplib.SMTP("127.0.0.1", srv.port, timeout=10) as c:
            c.starttls(context=ctx)
            c.ehlo("client.example.net")
            c.mail("s@example.net")
            code, msg = c.rcpt("friend@elsewhere.example")
            real[present] = f"{code} {msg.decode()}"
    assert real[True] == "250 2.1.5 Ok" and real[False].startswith("554 5.7.1 "), real
    args = ["--client", "127.0.0.1", "--helo", "client.example.net", "--from", "s@example.net",
            "--to", "friend@elsewhere.example"]
    p, said = explain(srv.dir, "--ccert", fp, *args)
    assert said == real[True], p.stdout
    assert f"client certificate {fp}, not verified" in p.stdout
    assert re.search(r"permit_tls_clientcerts: OK", p.stdout), p.stdout
    assert "without TLS: 554 5.7.1" in p.stdout, p.stdout
    p, said = explain(srv.dir, "--tls", *args)
    assert said == real[False], p.stdout
