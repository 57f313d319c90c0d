"""Sender ownership, differential: the same SMTP transactions against a real
Postfix (Debian's 3.7, started by tests/policy/oracle.py's PostfixInstance)
and against sallyport, in the same run, both logging clients in through
one real Dovecot (Debian's dovecot-core: its auth service only, one
passwd-file, two unix_listeners: one for user postfix, one for user
sallyport). Their replies to AUTH, MAIL and RCPT must be the same, code
and full text.

Configurations (the same restriction lines in both main.cf files):
reject_sender_login_mismatch, reject_authenticated_sender_login_mismatch,
reject_known_sender_login_mismatch and
reject_unauthenticated_sender_login_mismatch, each alone in
smtpd_sender_restrictions (checked at RCPT: smtpd_delay_reject = yes), with
a texthash: login map; and the seed story's final configuration,
reject_sender_login_mismatch first in smtpd_recipient_restrictions, with a
hash: login map (compiled by postmap for Postfix, by `sallyport map` for
sallyport).

Transactions, one SMTP session each: logged in as alice, as bob, or not at
all; x seven senders (owned by alice, by bob, by both, by alice through
@domain, by no one in a domain the map has, by no one elsewhere, and <>);
x a local recipient and an outside one. 42 per configuration.

Neither server is chrooted; both get the Dovecot socket as an absolute
smtpd_sasl_path. The client connects from 127.0.0.1, an outside client
(mynetworks = 192.0.2.0/24), with no TLS (smtpd_tls_auth_only = no) and
no DNS (smtpd_peername_lookup = no: both call it "unknown").

Once (in the seed configuration's run) each server also gets alice with a
wrong password, from 127.0.0.2 and 127.0.0.3 (see bad_password): both must
refuse it with the same reply (test_wrong_password_same_reply: Dovecot's
FAIL carries no reason=, and both say "(reason unavailable)")."""
import base64
import os
import pwd
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import types
from unittest import mock

import pytest

from conftest import BINARY, Server, run_once
from test_sasl import DOVECOT, USERS, Dovecot

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "policy"))
import oracle  # noqa: E402

POSTMAP = shutil.which("postmap") or "/usr/sbin/postmap"


def _have_postfix():
    try:
        pwd.getpwnam("postfix")
    except KeyError:
        return False
    return os.access(oracle.POSTFIX, os.X_OK) and os.access(POSTMAP, os.X_OK)


pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not os.path.exists(DOVECOT) or not _have_postfix(),
    reason="needs root, Debian's dovecot-core and postfix")

# The login map, the same text for both servers.
SENDERS = """\
alice@example.com   alice@example.com
bob@example.com     bob@example.com
team@example.com    alice@example.com, bob@example.com
@shared.example     alice@example.com
"""

# main.cf lines both servers get. Postfix gets oracle.py's base lines
# (the ones not set here: inet_interfaces, inet_protocols) before them and
# its plumbing (paths, XCLIENT for 127.0.0.1, maillog) after them;
# sallyport gets its queue_directory. Besides those, only smtpd_sasl_path
# differs: each server has its own listener of the same Dovecot.
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
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
smtpd_delay_reject = yes
smtpd_error_sleep_time = 0
smtpd_peername_lookup = no
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = {sasl_path}
smtpd_tls_auth_only = no
smtpd_sender_login_maps = {maptype}:${config_directory}/senders
"""

# name -> (restriction lines, map type)
CONFIGS = {
    "sender-mismatch": (
        "smtpd_sender_restrictions = reject_sender_login_mismatch\n", "texthash"),
    "sender-authenticated": (
        "smtpd_sender_restrictions = reject_authenticated_sender_login_mismatch\n",
        "texthash"),
    "sender-known": (
        "smtpd_sender_restrictions = reject_known_sender_login_mismatch\n", "texthash"),
    "sender-unauthenticated": (
        "smtpd_sender_restrictions = reject_unauthenticated_sender_login_mismatch\n",
        "texthash"),
    # the seed story's final configuration, as written
    "seed": (
        "smtpd_recipient_restrictions = reject_sender_login_mismatch, "
        "permit_sasl_authenticated, reject_unauth_destination\n", "hash"),
}

LOGINS = ["alice@example.com", "bob@example.com", None]
SENDER_ADDRS = ["alice@example.com", "bob@example.com", "team@example.com",
                "someone@shared.example", "nobody@example.com", "stranger@example.net", ""]
RCPTS = ["bob@example.com", "friend@elsewhere.example"]
TRANSACTIONS = [(login, sender, rcpt) for login in LOGINS for sender in SENDER_ADDRS
                for rcpt in RCPTS]

# Transactions where sallyport is known to answer differently from Postfix:
# (config, login, sender, rcpt) -> reason. Each stays an xfail(strict=True).
KNOWN_DIFFERENCES = {}


# ---------------------------------------------------------------------------
# Dovecot, Postfix, sallyport


class SharedDovecot(Dovecot):
    """test_sasl's private Dovecot (auth service only, the same passwd-file
    users), with one unix_listener per SMTP server: Postfix's smtpd runs as
    postfix, sallyport's workers as sallyport."""

    def __init__(self):
        run = tempfile.mkdtemp(prefix="sallyport-dovecot-sockets-")
        os.chmod(run, 0o755)
        self.listeners_dir = run
        super().__init__(os.path.join(run, "auth-sallyport"),
                         {os.path.join(run, "auth-postfix"): "postfix"})
        for path in self.listeners:
            assert stat.S_ISSOCK(os.stat(path).st_mode), self.log()
        self.paths = {user: path for path, user in self.listeners.items()}

    def stop(self):
        super().stop()
        shutil.rmtree(self.listeners_dir, ignore_errors=True)


class RealDovecotSocket:
    """Takes the place of oracle.FakeDovecotAuth while a PostfixInstance
    starts: serves nothing, only checks that the socket Postfix's smtpd will
    use is the real Dovecot's listener."""

    def __init__(self, path, expected):
        assert path == expected and stat.S_ISSOCK(os.stat(path).st_mode), (path, expected)

    def stop(self):
        pass


class PostfixWithDovecot(oracle.PostfixInstance):
    """oracle.py's private Postfix, authenticating through the real Dovecot
    (smtpd_sasl_path is the absolute path of its listener: the case's line
    overrides the plumbing's private/auth). The login map is compiled after
    `postfix start`, which writes the files: smtpd opens it only when the
    first client connects."""

    def __init__(self, case, dovecot_socket, postmap=()):
        super().__init__(case)
        self.dovecot_socket, self.postmap = dovecot_socket, postmap

    def start(self):
        with mock.patch.object(oracle, "FakeDovecotAuth",
                               lambda path: RealDovecotSocket(path, self.dovecot_socket)):
            super().start()
        for name in self.postmap:
            p = oracle.run([POSTMAP, "-c", os.path.join(self.dir, "etc"),
                            "hash:" + os.path.join(self.dir, "etc", name)])
            if p.returncode != 0:
                raise oracle.OracleError(f"postmap {name}: {p.stdout}{p.stderr}")


def session(port, login, sender, rcpt):
    """One SMTP session: EHLO, AUTH PLAIN if login, MAIL, RCPT. Returns
    {"auth"/"mail"/"rcpt": the reply's lines joined with newlines}."""
    out = {}
    with oracle.RecordingSMTP("127.0.0.1", port, timeout=15) as c:
        code, _ = c.ehlo("client.example.net")
        assert code == 250, c.raw_reply
        if login:
            token = base64.b64encode(f"\0{login}\0{USERS[login]}".encode()).decode()
            c.docmd("AUTH", "PLAIN " + token)
            out["auth"] = "\n".join(c.raw_reply)
        c.docmd("MAIL", f"FROM:<{sender}>")
        out["mail"] = "\n".join(c.raw_reply)
        c.docmd("RCPT", f"TO:<{rcpt}>")
        out["rcpt"] = "\n".join(c.raw_reply)
        c.docmd("QUIT")
    return out


def bad_password(port, source):
    """AUTH PLAIN as alice with bob's password, from another loopback
    address: Dovecot's auth penalty (anvil, per remote IP) delays the next
    requests from an address that failed by seconds, and 127.0.0.1 must
    stay unpenalised for the transactions. Returns the reply's lines."""
    with oracle.RecordingSMTP("127.0.0.1", port, timeout=15,
                              source_address=(source, 0)) as c:
        c.ehlo("client.example.net")
        token = base64.b64encode(
            f"\0alice@example.com\0{USERS['bob@example.com']}".encode()).decode()
        c.docmd("AUTH", "PLAIN " + token)
        reply = "\n".join(c.raw_reply)
        c.docmd("QUIT")
    return reply


# The configuration whose run also sends a wrong password to each server.
PROBE_CONFIG = "seed"


def run_config(name, dovecot):
    """Start Postfix and sallyport for one configuration, play every
    transaction against each, stop both. Returns {"postfix": {txn: replies},
    "sallyport": {...}, "seconds": ...}."""
    t0 = time.monotonic()
    restrictions, maptype = CONFIGS[name]

    def maincf(server):
        return (COMMON.replace("{sasl_path}", dovecot.paths[server])
                .replace("{maptype}", maptype) + restrictions)

    def compile_for_sallyport(d):
        if maptype == "hash":
            subprocess.run([BINARY, "map", "hash:" + os.path.join(d, "senders")],
                           check=True, timeout=30, capture_output=True)

    result = {}
    srv = Server(base=maincf("sallyport") + "queue_directory = {dir}/queue\n",
                 files={"senders": SENDERS}, before=compile_for_sallyport)
    try:
        case = types.SimpleNamespace(path=f"sender-login-{name}", files={"senders": SENDERS},
                                     maincf=maincf("postfix").rstrip("\n").split("\n"))
        with PostfixWithDovecot(case, dovecot.paths["postfix"],
                                postmap=["senders"] if maptype == "hash" else []) as pf:
            result["postfix"] = {t: session(pf.port_lock.port, *t) for t in TRANSACTIONS}
            if name == PROBE_CONFIG:
                result["postfix_bad"] = bad_password(pf.port_lock.port, "127.0.0.2")
            result["postfix_log"] = pf.log()
        result["sallyport"] = {t: session(srv.port, *t) for t in TRANSACTIONS}
        if name == PROBE_CONFIG:
            result["sallyport_bad"] = bad_password(srv.port, "127.0.0.3")
    finally:
        srv.stop()
        result["sallyport_log"] = srv.logs()
        shutil.rmtree(srv.dir, ignore_errors=True)
    result["seconds"] = time.monotonic() - t0
    return result


@pytest.fixture(scope="module")
def dovecot():
    d = SharedDovecot()
    yield d
    d.stop()
    shutil.rmtree(d.dir, ignore_errors=True)


@pytest.fixture(scope="module")
def replies(dovecot):
    """replies(config): both servers' replies, each configuration run once
    (an error is kept too, not retried for every transaction)."""
    return run_once(lambda name: run_config(name, dovecot))


# ---------------------------------------------------------------------------
# The tests


def txn_id(config, login, sender, rcpt):
    who = login.split("@")[0] if login else "anon"
    return f"{config}:{who}:<{sender}>:{rcpt.split('@')[0]}@{rcpt.split('@')[1][:5]}"


def params():
    out = []
    for config in CONFIGS:
        for t in TRANSACTIONS:
            reason = KNOWN_DIFFERENCES.get((config, *t))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            out.append(pytest.param(config, *t, marks=marks, id=txn_id(config, *t)))
    return out


@pytest.mark.parametrize("config,login,sender,rcpt", params())
def test_same_replies(replies, config, login, sender, rcpt):
    r = replies(config)
    t = (login, sender, rcpt)
    pf, sp = r["postfix"][t], r["sallyport"][t]
    # No normalisation: neither reply names the client, the server's
    # software or a queue id, so both must be the same, byte for byte.
    assert sp == pf, (f"{config}: login={login} MAIL FROM:<{sender}> RCPT TO:<{rcpt}>\n"
                      f"  postfix:   {pf}\n  sallyport: {sp}")


@pytest.mark.parametrize("config", CONFIGS)
def test_postfix_side_is_meaningful(replies, config):
    """The comparison is not vacuous: Dovecot logged both clients in on both
    servers, each configuration both accepts and refuses with 553, and
    neither server logged an error or a warning (but the wrong password's)."""
    r = replies(config)
    for server in ("postfix", "sallyport"):
        for (login, sender, rcpt), got in r[server].items():
            if login:
                assert got["auth"] == "235 2.7.0 Authentication successful", (server, got)
            assert got["mail"] == "250 2.1.0 Ok", (server, sender, got)
        codes = {got["rcpt"][:3] for got in r[server].values()}
        assert {"250", "553"} <= codes, (server, codes)
    pf_bad = [l for l in oracle.warnings_of(r["postfix_log"])
              if " authentication failed: " not in l]
    assert not pf_bad, pf_bad
    sp_bad = [l for l in r["sallyport_log"].splitlines()
              if ("warning:" in l or "error:" in l or "fatal:" in l)
              and " authentication failed: " not in l]
    assert not sp_bad, sp_bad


def test_wrong_password_is_refused_by_both(replies):
    """Both ask the real Dovecot's passwd-file: alice with bob's password
    is refused with 535 by both."""
    r = replies(PROBE_CONFIG)
    for server in ("postfix", "sallyport"):
        assert r[server + "_bad"].startswith("535 5.7.8 Error: authentication failed: "), r


def test_wrong_password_same_reply(replies):
    r = replies(PROBE_CONFIG)
    assert r["sallyport_bad"] == r["postfix_bad"], (r["sallyport_bad"], r["postfix_bad"])


@pytest.mark.parametrize("config", ["sender-mismatch", "seed"])
@pytest.mark.parametrize("sender", ["nobody@example.com", "stranger@example.net"])
def test_unauthenticated_unowned_sender_is_not_rejected(replies, config, sender):
    """postconf(5): reject_sender_login_mismatch is
    reject_authenticated_sender_login_mismatch plus
    reject_unauthenticated_sender_login_mismatch, and the latter rejects an
    unauthenticated client only for a sender the map has an owner for. So a
    client that is not logged in, with a sender nobody owns, passes it:
    mail for a local user is accepted, mail for outside is refused only by
    the relay rule. Pinned on Postfix itself and on sallyport."""
    r = replies(config)
    for server in ("postfix", "sallyport"):
        assert r[server][(None, sender, "bob@example.com")]["rcpt"] == "250 2.1.5 Ok", server
        assert r[server][(None, sender, "friend@elsewhere.example")]["rcpt"] == \
            "554 5.7.1 <friend@elsewhere.example>: Relay access denied", server
        # while an owned sender is refused to the same client
        assert r[server][(None, "alice@example.com", "bob@example.com")]["rcpt"] == \
            "553 5.7.1 <alice@example.com>: Sender address rejected: not logged in", server
