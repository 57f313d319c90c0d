"""TLS client certificates, differential: the same SMTP transactions against
a real Postfix (Debian's 3.7, started by tests/policy/oracle.py's
PostfixInstance) and against sallyport, in the same run. Their replies to
RCPT must be the same, code and full text.

Certificates, made once per test session by openssl(1) in a temporary
directory (see make_certs): a private CA; a self-signed server certificate
(as test_tls.py's) that both servers present; client certificates A
(CN client-a) and B (CN client-b), signed by the CA; and C (CN client-c),
self-signed, which the CA did not sign. The fingerprints are Postfix's with
smtpd_tls_fingerprint_digest = sha256: uppercase hex bytes joined by ':' of
SHA-256 over the DER certificate, and over the DER SubjectPublicKeyInfo for
the public-key fingerprint (computed with openssl, checked with hashlib in
test_fingerprints).

Both servers get the same main.cf lines (COMMON: smtpd_tls_security_level =
may, smtpd_tls_CAfile = the CA, smtpd_tls_ask_ccert = yes,
smtpd_tls_fingerprint_digest = sha256, mynetworks = 192.0.2.0/24 so that
the client at 127.0.0.1 is an outsider, no DNS), the same tables, and per
configuration:

    relay-ccerts   permit_tls_clientcerts, reject_unauth_destination;
                   relay_clientcerts lists A's certificate fingerprint and
                   C's public-key fingerprint
    all-ccerts     permit_tls_all_clientcerts, reject_unauth_destination
    ccert-access   check_ccert_access in smtpd_recipient_restrictions: B's
                   certificate fingerprint -> REJECT, A's public-key
                   fingerprint -> OK

Transactions, one SMTP session each: EHLO, STARTTLS presenting A, B, C or
no certificate, EHLO again, or no STARTTLS at all (plain); then MAIL
FROM:<sender@example.net>, RCPT TO an outside address and RCPT TO a local
one. Five sessions, ten RCPT replies per configuration.

Postfix and sallyport are run and asked separately (one instance of each
per configuration), so that Postfix's half (test_postfix_expected_codes:
the absolute facts, test_postfix_side_is_meaningful) holds or fails on its
own, and runs first. Only Postfix's master.cf differs from oracle.py's: it
adds tlsmgr, which smtpd asks for PRNG seed (without it smtpd logs "no
entropy for TLS key generation: disabling TLS support" and answers
STARTTLS with 454)."""
import hashlib
import os
import pwd
import re
import shutil
import socket
import smtplib
import ssl
import subprocess
import sys
import tempfile
import time
from unittest import mock

import pytest

from conftest import Server, run_once

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "policy"))
import oracle  # noqa: E402

OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"


def _have_postfix():
    try:
        pwd.getpwnam("postfix")
    except KeyError:
        return False
    return os.access(oracle.POSTFIX, os.X_OK)


pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not _have_postfix() or not os.access(OPENSSL, os.X_OK),
    reason="needs root, Debian's postfix and openssl")

# ---------------------------------------------------------------------------
# Certificates

# The extensions of the CA-signed client certificates (x509 -req adds none
# by itself): an end entity for TLS client authentication.
CLIENT_EXT = """\
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""

EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]


def openssl(*args, data=None):
    p = subprocess.run([OPENSSL, *args], input=data, capture_output=True, timeout=60)
    assert p.returncode == 0, (args, p.stderr.decode(errors="replace"))
    return p.stdout


def cert_fingerprint(pem):
    """SHA-256 over the DER certificate, as Postfix prints it."""
    out = openssl("x509", "-in", pem, "-noout", "-fingerprint", "-sha256").decode()
    return out.strip().split("=", 1)[1].upper()   # "sha256 Fingerprint=AB:CD:..."


def pkey_fingerprint(pem):
    """SHA-256 over the DER SubjectPublicKeyInfo of the certificate's key."""
    pub = openssl("x509", "-in", pem, "-pubkey", "-noout")
    der = openssl("pkey", "-pubin", "-outform", "DER", data=pub)
    out = openssl("dgst", "-sha256", "-c", data=der).decode()
    return out.strip().split("= ", 1)[1].upper()   # "SHA2-256(stdin)= ab:cd:..."


class Certs:
    """The certificate files (dir/NAME.pem, dir/NAME.key) and fingerprints:
    cert_fp[name], pkey_fp[name] for the clients a, b and c."""

    def __init__(self, d):
        self.dir = d
        self.cert_fp, self.pkey_fp = {}, {}

    def pem(self, name):
        return os.path.join(self.dir, name + ".pem")

    def key(self, name):
        return os.path.join(self.dir, name + ".key")


def make_certs(d):
    c = Certs(d)
    # the CA (req -x509 marks it CA:TRUE)
    openssl("req", "-x509", *EC, "-nodes", "-keyout", c.key("ca"), "-out", c.pem("ca"),
            "-days", "2", "-subj", "/CN=sallyport test CA")
    # the servers' certificate, self-signed, as test_tls.py's
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", c.key("server"),
            "-out", c.pem("server"), "-days", "2", "-subj", "/CN=mx.example.com")
    ext = os.path.join(d, "client.ext")
    with open(ext, "w") as f:
        f.write(CLIENT_EXT)
    for serial, name in enumerate(("a", "b"), 2):
        csr = os.path.join(d, name + ".csr")
        openssl("req", "-new", *EC, "-nodes", "-keyout", c.key(name), "-out", csr,
                "-subj", f"/CN=client-{name}")
        openssl("x509", "-req", "-in", csr, "-CA", c.pem("ca"), "-CAkey", c.key("ca"),
                "-set_serial", str(serial), "-days", "2", "-extfile", ext,
                "-out", c.pem(name))
    # C: self-signed, not signed by the CA
    openssl("req", "-x509", *EC, "-nodes", "-keyout", c.key("c"), "-out", c.pem("c"),
            "-days", "2", "-subj", "/CN=client-c")
    for name in os.listdir(d):
        os.chmod(os.path.join(d, name), 0o600 if name.endswith(".key") else 0o644)
    for name in ("a", "b", "c"):
        c.cert_fp[name] = cert_fingerprint(c.pem(name))
        c.pkey_fp[name] = pkey_fingerprint(c.pem(name))
    return c


@pytest.fixture(scope="session")
def certs():
    d = tempfile.mkdtemp(prefix="sallyport-ccert-")
    os.chmod(d, 0o755)   # sallyport's workers and Postfix's smtpd read the CA there
    try:
        yield make_certs(d)
    finally:
        shutil.rmtree(d, ignore_errors=True)


# ---------------------------------------------------------------------------
# Configurations

# main.cf lines both servers get. Postfix gets oracle.py's base lines (the
# ones not set here: inet_interfaces, inet_protocols) before them and its
# plumbing (paths, XCLIENT for 127.0.0.1, a Dovecot nobody asks, maillog)
# after them; sallyport gets its queue_directory.
COMMON = """\
compatibility_level = 3.7
myhostname = mx.example.com
mydomain = example.com
mydestination = $myhostname, localhost
virtual_mailbox_domains = example.com
virtual_mailbox_maps = inline:{ alice@example.com=x, bob@example.com=x }
alias_maps =
alias_database =
local_recipient_maps =
# 127.0.0.1, where the tests connect from, is an outside client here
mynetworks = 192.0.2.0/24
smtpd_error_sleep_time = 0
smtpd_peername_lookup = no
smtpd_tls_security_level = may
smtpd_tls_cert_file = {certs}/server.pem
smtpd_tls_key_file = {certs}/server.key
smtpd_tls_CAfile = {certs}/ca.pem
smtpd_tls_ask_ccert = yes
smtpd_tls_fingerprint_digest = sha256
smtpd_tls_loglevel = 1
"""

# name -> restriction lines; the tables are made by tables().
CONFIGS = {
    "relay-ccerts": (
        "smtpd_relay_restrictions = permit_tls_clientcerts, reject_unauth_destination\n"
        "relay_clientcerts = texthash:${config_directory}/relay_ccerts\n"),
    "all-ccerts": (
        "smtpd_relay_restrictions = permit_tls_all_clientcerts, reject_unauth_destination\n"),
    # permit_tls_all_clientcerts also looks the fingerprints up in
    # relay_clientcerts (Postfix's permit_tls_clientcerts(state, 1))
    "all-ccerts-listed": (
        "smtpd_relay_restrictions = permit_tls_all_clientcerts, reject_unauth_destination\n"
        "relay_clientcerts = texthash:${config_directory}/relay_ccerts\n"),
    "ccert-access": (
        "smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n"
        "smtpd_recipient_restrictions = "
        "check_ccert_access texthash:${config_directory}/ccert_access, permit\n"),
}


def tables(certs):
    """The tables of every configuration, the same text for both servers."""
    return {
        # A by its certificate, C (not signed by the CA) by its public key
        "relay_ccerts": f"{certs.cert_fp['a']} client-a\n{certs.pkey_fp['c']} client-c\n",
        # B by its certificate, A by its public key
        "ccert_access": (f"{certs.cert_fp['b']} REJECT certificate B is blocked\n"
                         f"{certs.pkey_fp['a']} OK\n"),
    }


def maincf(config, certs):
    return COMMON.replace("{certs}", certs.dir) + CONFIGS[config]


OUTSIDE, LOCAL = "friend@elsewhere.example", "alice@example.com"
RCPTS = [OUTSIDE, LOCAL]
# (client certificate or None, STARTTLS or not)
SESSIONS = [("a", True), ("b", True), ("c", True), (None, True), (None, False)]

RELAY_DENIED = f"554 5.7.1 <{OUTSIDE}>: Relay access denied"
OK = "250 2.1.5 Ok"
# The reply codes Postfix gives, (config, client, tls) -> (outside, local):
# pinned on both servers, so that the comparison cannot pass vacuously
# (both refusing everything, or both ignoring the certificates).
EXPECTED_CODES = {
    # A's certificate and C's public key are listed; C need not be trusted
    ("relay-ccerts", "a", True): ("250", "250"),
    ("relay-ccerts", "b", True): ("554", "250"),
    ("relay-ccerts", "c", True): ("250", "250"),
    ("relay-ccerts", None, True): ("554", "250"),
    ("relay-ccerts", None, False): ("554", "250"),
    # every certificate the CA verifies; C is not one
    ("all-ccerts", "a", True): ("250", "250"),
    ("all-ccerts", "b", True): ("250", "250"),
    ("all-ccerts", "c", True): ("554", "250"),
    ("all-ccerts", None, True): ("554", "250"),
    ("all-ccerts", None, False): ("554", "250"),
    # ... and C again, by its listed public key, though not trusted
    ("all-ccerts-listed", "a", True): ("250", "250"),
    ("all-ccerts-listed", "b", True): ("250", "250"),
    ("all-ccerts-listed", "c", True): ("250", "250"),
    ("all-ccerts-listed", None, True): ("554", "250"),
    ("all-ccerts-listed", None, False): ("554", "250"),
    # the relay rule refuses outside first; B is refused for local mail
    ("ccert-access", "a", True): ("554", "250"),
    ("ccert-access", "b", True): ("554", "554"),
    ("ccert-access", "c", True): ("554", "250"),
    ("ccert-access", None, True): ("554", "250"),
    ("ccert-access", None, False): ("554", "250"),
}

# Transactions where sallyport is known to answer differently from Postfix:
# (config, client, tls, rcpt) -> reason. Each stays an xfail(strict=True).
KNOWN_DIFFERENCES = {}


# ---------------------------------------------------------------------------
# Postfix, sallyport, the sessions


class PostfixWithTlsmgr(oracle.PostfixInstance):
    """oracle.py's private Postfix, with tlsmgr in its master.cf: smtpd asks
    it for PRNG seed and, without it, disables TLS (454 to STARTTLS). No
    session cache: smtpd_tls_session_cache_database is empty."""

    def start(self):
        with mock.patch.object(oracle, "MASTER_CF",
                               oracle.MASTER_CF + "tlsmgr    unix - - n 1000? 1 tlsmgr\n"):
            super().start()


def client_context(certs, client):
    """The client's TLS context: no server verification, client's certificate
    (a, b, c) presented, or none."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if client:
        ctx.load_cert_chain(certs.pem(client), certs.key(client))
    return ctx


def session(port, certs, client, tls):
    """One SMTP session: EHLO, STARTTLS with client's certificate (if tls),
    EHLO, MAIL, RCPT for each of RCPTS. Returns {"starttls"/"mail"/rcpt:
    the reply's lines joined with newlines}."""
    out = {}
    with oracle.RecordingSMTP("127.0.0.1", port, timeout=15) as c:
        code, _ = c.ehlo("client.example.net")
        assert code == 250, c.raw_reply
        if tls:
            c.starttls(context=client_context(certs, client))
            out["starttls"] = "\n".join(c.raw_reply)
            code, _ = c.ehlo("client.example.net")
            assert code == 250, c.raw_reply
        c.docmd("MAIL", "FROM:<sender@example.net>")
        out["mail"] = "\n".join(c.raw_reply)
        for rcpt in RCPTS:
            c.docmd("RCPT", f"TO:<{rcpt}>")
            out[rcpt] = "\n".join(c.raw_reply)
        c.docmd("QUIT")
    return out


def run_postfix(config, certs):
    """Start Postfix for one configuration, play every session, stop it.
    Returns {"replies": {(client, tls): replies}, "log": ..., "seconds": ...}."""
    t0 = time.monotonic()
    case = oracle.Case(f"ccert-{config}")
    case.maincf = maincf(config, certs).rstrip("\n").split("\n")
    case.files = tables(certs)
    with PostfixWithTlsmgr(case) as pf:
        replies = {s: session(pf.port_lock.port, certs, *s) for s in SESSIONS}
        log = pf.log()
    return {"replies": replies, "log": log, "seconds": time.monotonic() - t0}


class TidyServer(Server):
    """conftest's Server, which also removes its directory (and stops the
    server) when it fails to start: it raises with the log in its message."""

    def __init__(self, *args, **kw):
        try:
            super().__init__(*args, **kw)
        except BaseException:
            if hasattr(self, "proc"):
                self.stop()
            if hasattr(self, "dir"):
                shutil.rmtree(self.dir, ignore_errors=True)
            raise


def run_sallyport(config, certs):
    """The same for sallyport."""
    t0 = time.monotonic()
    srv = TidyServer(base=maincf(config, certs) + "queue_directory = {dir}/queue\n",
                     files=tables(certs))
    try:
        replies = {s: session(srv.port, certs, *s) for s in SESSIONS}
    finally:
        srv.stop()
        log = srv.logs()
        shutil.rmtree(srv.dir, ignore_errors=True)
    return {"replies": replies, "log": log, "seconds": time.monotonic() - t0}


@pytest.fixture(scope="module")
def replies(certs):
    """replies(server, config): one server's answers, each configuration run
    once per server (an error is kept too, not retried for every test)."""
    runners = {"postfix": run_postfix, "sallyport": run_sallyport}
    return run_once(lambda server, config: runners[server](config, certs))


# ---------------------------------------------------------------------------
# The tests


def txn_id(config, client, tls, rcpt):
    return (f"{config}:{client or 'nocert'}:{'tls' if tls else 'plain'}:"
            f"{'outside' if rcpt == OUTSIDE else 'local'}")


def params():
    out = []
    for config in CONFIGS:
        for client, tls in SESSIONS:
            for rcpt in RCPTS:
                reason = KNOWN_DIFFERENCES.get((config, client, tls, rcpt))
                marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
                out.append(pytest.param(config, client, tls, rcpt, marks=marks,
                                        id=txn_id(config, client, tls, rcpt)))
    return out


def test_fingerprints(certs):
    """openssl's fingerprints are SHA-256 over the DER certificate and over
    the DER public key (the key file's, which the certificate carries)."""
    for name in ("a", "b", "c"):
        with open(certs.pem(name)) as f:
            der = ssl.PEM_cert_to_DER_cert(f.read())
        want = ":".join(f"{b:02X}" for b in hashlib.sha256(der).digest())
        assert certs.cert_fp[name] == want, name
        spki = openssl("pkey", "-in", certs.key(name), "-pubout", "-outform", "DER")
        want = ":".join(f"{b:02X}" for b in hashlib.sha256(spki).digest())
        assert certs.pkey_fp[name] == want, name
    assert len({*certs.cert_fp.values(), *certs.pkey_fp.values()}) == 6
    # A and B are the CA's, C is not
    for name, ok in (("a", True), ("b", True), ("c", False)):
        p = subprocess.run([OPENSSL, "verify", "-CAfile", certs.pem("ca"),
                            "-purpose", "sslclient", certs.pem(name)],
                           capture_output=True, text=True, timeout=60)
        assert (p.returncode == 0) == ok, (name, p.stdout, p.stderr)


def check_expected_codes(r, server, config):
    """Absolute facts: which certificate relays in which configuration
    (EXPECTED_CODES), the relay refusal's text, and check_ccert_access's
    REJECT text for B."""
    for (client, tls), got in r.items():
        if tls:
            assert got["starttls"] == "220 2.0.0 Ready to start TLS", (server, got)
        assert got["mail"] == "250 2.1.0 Ok", (server, got)
        codes = (got[OUTSIDE][:3], got[LOCAL][:3])
        assert codes == EXPECTED_CODES[(config, client, tls)], (server, client, tls, got)
        if codes[0] == "554":
            assert got[OUTSIDE] == RELAY_DENIED, (server, client, tls, got)
        else:
            assert got[OUTSIDE] == OK, (server, client, tls, got)
        if codes[1] == "250":
            assert got[LOCAL] == OK, (server, client, tls, got)
    if config == "ccert-access":
        blocked = r[("b", True)][LOCAL]
        assert blocked.startswith("554 5.7.1 ") and "certificate B is blocked" in blocked, \
            (server, blocked)


# Postfix's half first (it holds without sallyport; useful with -x), then
# the comparison, then sallyport's own facts.

@pytest.mark.parametrize("config", CONFIGS)
def test_postfix_expected_codes(replies, config):
    check_expected_codes(replies("postfix", config)["replies"], "postfix", config)


@pytest.mark.parametrize("config", CONFIGS)
def test_postfix_side_is_meaningful(replies, config):
    """Postfix saw the certificates as meant (A and B trusted, C untrusted,
    no certificate anonymous: smtpd_tls_loglevel = 1 logs which) and logged
    no warning or error."""
    log = replies("postfix", config)["log"]
    kinds = re.findall(r"postfix/smtpd\[\d+\]: (\w+) TLS connection established from "
                       r"unknown\[127\.0\.0\.1\]", log)
    assert kinds == ["Trusted", "Trusted", "Untrusted", "Anonymous"], (kinds, log)
    assert not oracle.warnings_of(log), oracle.warnings_of(log)


@pytest.mark.parametrize("config,client,tls,rcpt", params())
def test_same_replies(replies, config, client, tls, rcpt):
    pf = replies("postfix", config)["replies"][(client, tls)][rcpt]
    sp = replies("sallyport", config)["replies"][(client, tls)][rcpt]
    # No normalisation: neither reply names the client, the server's
    # software or a queue id, so both must be the same, byte for byte.
    assert sp == pf, (f"{config}: {'STARTTLS' if tls else 'plain'}, certificate "
                      f"{client or 'none'}, RCPT TO:<{rcpt}>\n"
                      f"  postfix:   {pf}\n  sallyport: {sp}")


@pytest.mark.parametrize("config", CONFIGS)
def test_sallyport_expected_codes(replies, config):
    check_expected_codes(replies("sallyport", config)["replies"], "sallyport", config)


@pytest.mark.parametrize("config", CONFIGS)
def test_sallyport_logs_no_error(replies, config):
    log = replies("sallyport", config)["log"]
    bad = [l for l in log.splitlines() if "warning:" in l or "error:" in l or "fatal:" in l]
    assert not bad, bad


# sallyport alone: what a client certificate adds to the Received header
# (Postfix's smtpd.c writes these lines with smtpd_tls_received_header) and
# to the log.
RECEIVED_CASES = [
    ("a", '(Client CN "client-a", Issuer "sallyport test CA" (verified OK))', "Trusted"),
    ("c", '(Client CN "client-c", Issuer "client-c" (not verified))', "Untrusted"),
    (None, "(Client did not present a certificate)", "Anonymous"),
]


@pytest.mark.parametrize("client,line,kind", RECEIVED_CASES)
def test_received_header_and_log(server, certs, client, line, kind):
    from qfile import content_of
    srv = server("smtpd_tls_received_header = yes\n",
                 base=maincf("all-ccerts", certs) + "queue_directory = {dir}/queue\n",
                 files=tables(certs))
    with smtplib.SMTP("127.0.0.1", srv.port, timeout=15) as c:
        c.starttls(context=client_context(certs, client))
        c.sendmail("sender@example.net", [RCPTS[1]], b"Subject: t\r\n\r\nhi\r\n")
    srv.stop()
    [qf] = srv.queued()
    head = content_of(os.path.join(srv.dir, "queue", "active", qf)).decode()
    assert "\r\n\t" + line + "\r\n" in head.split("\r\n\r\n")[0], head
    assert re.search(kind + r" TLS connection established from \S+\[127\.0\.0\.1\]: TLSv1\.3 "
                     r"with cipher", srv.logs()), srv.logs()


# smtpd_tls_req_ccert = yes where TLS is mandatory: a client certificate
# that does not verify (or none) ends the session with a 421 right after the
# handshake (Postfix's smtpd.c); the same replies from both servers.
REQ_CCERT = ("smtpd_tls_security_level = encrypt\n"
             "smtpd_tls_req_ccert = yes\n"
             "smtpd_relay_restrictions = permit_tls_all_clientcerts, reject_unauth_destination\n")


def session_req(port, certs, client, tls):
    """Like session(), but a refused TLS session ends it: {"ehlo": 421...}."""
    out = {}
    with oracle.RecordingSMTP("127.0.0.1", port, timeout=15) as c:
        c.ehlo("client.example.net")
        if tls:
            c.starttls(context=client_context(certs, client))
            try:
                code, _ = c.ehlo("client.example.net")
            except smtplib.SMTPServerDisconnected:
                code = -1
            if code != 250:
                out["ehlo"] = "\n".join(c.raw_reply)
                return out
        c.docmd("MAIL", "FROM:<sender@example.net>")
        out["mail"] = "\n".join(c.raw_reply)
        if out["mail"].startswith("250"):
            c.docmd("RCPT", f"TO:<{OUTSIDE}>")
            out[OUTSIDE] = "\n".join(c.raw_reply)
        c.docmd("QUIT")
    return out


def test_req_ccert_same_replies(certs):
    sessions = [("a", True), ("c", True), (None, True), (None, False)]
    case = oracle.Case("ccert-req")
    case.maincf = (COMMON.replace("{certs}", certs.dir) + REQ_CCERT).rstrip("\n").split("\n")
    with PostfixWithTlsmgr(case) as pf:
        want = {s: session_req(pf.port_lock.port, certs, *s) for s in sessions}
    srv = TidyServer(base=COMMON.replace("{certs}", certs.dir) + REQ_CCERT
                     + "queue_directory = {dir}/queue\n")
    try:
        got = {s: session_req(srv.port, certs, *s) for s in sessions}
    finally:
        srv.stop()
        log = srv.logs()
        shutil.rmtree(srv.dir, ignore_errors=True)
    # absolute facts first (on Postfix's answers), then the comparison
    assert want[("a", True)][OUTSIDE] == OK, want
    assert want[("c", True)]["ehlo"] == (
        "421 4.7.1 mx.example.com Error: Client certificate not trusted"), want
    assert want[(None, True)]["ehlo"] == (
        "421 4.7.1 mx.example.com Error: No client certificate presented"), want
    assert want[(None, False)]["mail"].startswith("530 5.7.0 "), want
    assert got == want, (got, want)
    assert "NOQUEUE: abort: TLS from unknown[127.0.0.1]: Client certificate not trusted" in log


# A resumed TLS session carries the verification result of the handshake that
# made it. sallyport decides it again at every session, with the service's
# own CAs: a session made where A's CA is trusted, resumed at a service that
# trusts another CA only, is not trusted there (all services share the
# master's ticket keys).
def read_reply(f):
    """One SMTP reply from the file f, its lines joined with newlines."""
    lines = []
    while True:
        line = f.readline().decode()
        lines.append(line.rstrip("\r\n"))
        if len(line) < 4 or line[3] != "-":
            return "\n".join(lines)


def smtp_tls_socket(port, ctx, session=None):
    """A TLS socket after 220, EHLO and STARTTLS, by hand (smtplib cannot
    offer a session to resume)."""
    raw = socket.create_connection(("127.0.0.1", port), timeout=15)
    f = raw.makefile("rb")
    read_reply(f)
    raw.sendall(b"EHLO client.example.net\r\n")
    read_reply(f)
    raw.sendall(b"STARTTLS\r\n")
    assert read_reply(f).startswith("220 ")
    return ctx.wrap_socket(raw, session=session)


def tls_transaction(tls):
    """EHLO, MAIL, RCPT outside over tls: the RCPT reply."""
    f = tls.makefile("rb")
    for cmd in ("EHLO client.example.net", "MAIL FROM:<sender@example.net>"):
        tls.sendall(cmd.encode() + b"\r\n")
        read_reply(f)
    tls.sendall(f"RCPT TO:<{OUTSIDE}>\r\n".encode())
    got = read_reply(f)
    tls.sendall(b"QUIT\r\n")
    read_reply(f)
    return got


def test_resumed_session_is_verified_again(certs):
    srv = TidyServer(base=maincf("all-ccerts", certs) + "queue_directory = {dir}/queue\n",
                     master_extra=("127.0.0.1:{port2} inet n - n - - smtpd\n"
                                   f"  -o smtpd_tls_CAfile={certs.pem('server')}\n"))
    try:
        ctx = client_context(certs, "a")   # one context: Python resumes only within it
        first = smtp_tls_socket(srv.port, ctx)
        assert tls_transaction(first) == OK   # verified by the CA here
        session = first.session
        first.close()
        again = smtp_tls_socket(srv.port2, ctx, session=session)
        resumed = again.session_reused
        got = tls_transaction(again)
        again.close()
    finally:
        srv.stop()
        log = srv.logs()
        shutil.rmtree(srv.dir, ignore_errors=True)
    assert resumed, "the session was not resumed: the test proves nothing"
    assert got == RELAY_DENIED, (got, log)
    assert "Untrusted TLS connection established" in log and "(resumed)" in log, log
