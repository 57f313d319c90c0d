"""SASL through a real Dovecot (Debian's dovecot-core), started here with
its own configuration and passwd-file, its auth socket at private/auth in
sallyport's queue directory, as Postfix's SASL_README sets it up; sallyport
runs chrooted there when the tests run as root (as in CI). Checked: good
and bad passwords with PLAIN and LOGIN, what an authenticated client may
do (relay), AUTH only after STARTTLS by default, the log line fail2ban
bans on, Dovecot restarted in the middle, and the chroot mistake of the
story this project answers (an absolute smtpd_sasl_path)."""
import base64
import os
import re
import shutil
import signal
import smtplib
import subprocess
import tempfile
import time

import pytest

from conftest import BINARY, BASE_MAIN_CF, alive, client_context, tls_client

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
pytestmark = pytest.mark.skipif(os.geteuid() != 0 or not os.path.exists(DOVECOT),
                                reason="needs root and Debian's dovecot-core")

USERS = {"alice@example.com": "alice-secret", "bob@example.com": "bob-secret"}


class Dovecot:
    """A private Dovecot: only its auth service, listening on socket."""

    def __init__(self, socket_path, listeners=None):
        """socket_path: the listener for user sallyport, the one start()
        and stop() wait for; listeners: more, {path: user}."""
        self.dir = tempfile.mkdtemp(prefix="sallyport-dovecot-")
        os.chmod(self.dir, 0o755)   # Dovecot's auth process runs as its own user
        self.socket = socket_path
        self.listeners = {socket_path: "sallyport", **(listeners or {})}
        units = "".join(f"  unix_listener {path} {{\n    mode = 0660\n    user = {user}\n"
                        "  }\n" for path, user in self.listeners.items())
        with open(os.path.join(self.dir, "passwd"), "w") as f:
            for user, pw in USERS.items():
                f.write(f"{user}:{{PLAIN}}{pw}\n")
        self.conf = os.path.join(self.dir, "dovecot.conf")
        with open(self.conf, "w") as f:
            f.write(f"""\
base_dir = {self.dir}/run
state_dir = {self.dir}/state
log_path = {self.dir}/dovecot.log
protocols =
ssl = no
auth_mechanisms = plain login
auth_failure_delay = 0
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {self.dir}/passwd
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home=/nonexistent
}}
service auth {{
{units}}}
""")
        self.start()

    def start(self):
        with open(os.path.join(self.dir, "start.err"), "w+") as err:
            # the daemon keeps what it inherits: a file, not a pipe
            p = subprocess.run([DOVECOT, "-c", self.conf], stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=err, timeout=30)
            err.seek(0)
            assert p.returncode == 0, err.read() + self.log()
        deadline = time.monotonic() + 10
        while not os.path.exists(self.socket) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert os.path.exists(self.socket), self.log()

    def pids(self):
        """The master and its children (auth, anvil, log...)."""
        try:
            with open(os.path.join(self.dir, "run", "master.pid")) as f:
                master = int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            return []
        out = [master]
        for p in os.listdir("/proc"):
            try:
                with open(f"/proc/{p}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == master:
                        out.append(int(p))
            except (OSError, ValueError):
                pass
        return out

    def stop(self):
        """Gone at once, auth process included (as when Dovecot crashes or restarts)."""
        pids = self.pids()
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 10
        while any(alive(p) for p in pids):
            assert time.monotonic() < deadline, "dovecot does not go away"
            time.sleep(0.05)
        for path in (self.socket, os.path.join(self.dir, "run", "master.pid")):
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
        deadline = time.monotonic() + 10
        while os.path.exists(self.socket) and time.monotonic() < deadline:
            time.sleep(0.05)

    def log(self):
        try:
            with open(os.path.join(self.dir, "dovecot.log")) as f:
                return f.read()
        except OSError:
            return ""


@pytest.fixture
def sasl_server(server, cert):
    dovecots = []

    def start(more="", before_extra=None, **kw):
        def before(d):
            if before_extra:
                before_extra(d)
            os.makedirs(os.path.join(d, "queue", "private"), exist_ok=True)
            dovecots.append(Dovecot(os.path.join(d, "queue", "private", "auth")))
        srv = server(f"smtpd_tls_security_level = may\nsmtpd_tls_cert_file = {cert[0]}\n"
                     f"smtpd_tls_key_file = {cert[1]}\nsmtpd_sasl_auth_enable = yes\n"
                     "smtpd_sasl_type = dovecot\nsmtpd_sasl_path = private/auth\n"
                     # as SASL_README: logged-in clients may relay
                     "smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, "
                     "reject_unauth_destination\n" + more,
                     chroot=True, before=before, **kw)
        srv.dovecot = dovecots[-1]
        return srv
    yield start
    for d in dovecots:
        d.stop()
        shutil.rmtree(d.dir, ignore_errors=True)



def test_good_password_may_relay(sasl_server):
    srv = sasl_server()
    with tls_client(srv) as c:
        assert c.has_extn("auth") and "PLAIN" in c.esmtp_features["auth"]
        assert c.login("alice@example.com", "alice-secret")[0] == 235
        c.sendmail("alice@example.com", ["friend@elsewhere.example"],
                   b"Subject: out\r\n\r\nhi\r\n")
    assert len(srv.queued()) == 1
    logs = srv.logs()
    # (chrooted, the client's name may be unknown: no resolver files there)
    assert re.search(r"client=\S+\[127\.0\.0\.1\], sasl_method=PLAIN, "
                     r"sasl_username=alice@example\.com", logs), logs
    assert " auth=1 mail=1 rcpt=1 data=1 " in logs


def test_login_mechanism(sasl_server):
    srv = sasl_server()
    with tls_client(srv) as c:
        c.user, c.password = "bob@example.com", "bob-secret"
        assert c.auth("LOGIN", c.auth_login)[0] == 235
        assert c.docmd("AUTH", "PLAIN")[0] == 503   # already authenticated


def test_bad_password_is_refused_and_logged_for_fail2ban(sasl_server):
    srv = sasl_server()
    with tls_client(srv) as c:
        with pytest.raises(smtplib.SMTPAuthenticationError) as e:
            c.login("alice@example.com", "wrong")
        assert e.value.smtp_code == 535
        assert e.value.smtp_error.startswith(b"5.7.8 Error: authentication failed:")
        # and without authentication, no relay
        c.mail("alice@example.com")
        assert c.rcpt("friend@elsewhere.example")[0] == 554
    srv.stop()
    logs = srv.logs()
    assert re.search(r"warning: \S+\[127\.0\.0\.1\]: SASL PLAIN authentication failed: ",
                     logs), logs
    f2b = shutil.which("fail2ban-regex")
    if f2b:
        p = subprocess.run([f2b, srv.log_path, "postfix[mode=auth]"], capture_output=True,
                           text=True, timeout=60)
        assert p.returncode == 0 and "127.0.0.1" in p.stdout, p.stdout + p.stderr


def test_abort_and_bad_base64(sasl_server):
    srv = sasl_server()
    with tls_client(srv) as c:
        assert c.docmd("AUTH", "LOGIN")[0] == 334
        assert c.docmd("*") == (501, b"5.7.0 Authentication aborted")
        assert c.docmd("AUTH", "PLAIN not-base64!")[0] == 501
        assert c.docmd("AUTH", "CRAM-MD5")[0] == 535   # not offered by this Dovecot


def test_no_auth_before_tls(sasl_server):
    srv = sasl_server()   # smtpd_tls_auth_only = yes is the default here
    with smtplib.SMTP("127.0.0.1", srv.port, timeout=10) as c:
        c.ehlo("client.example.net")
        assert not c.has_extn("auth")
        assert c.docmd("AUTH", "PLAIN AGFsaWNlAHg=") == \
            (503, b"5.5.1 Error: authentication not enabled")


def test_dovecot_restarted(sasl_server):
    srv = sasl_server()
    with tls_client(srv) as c:
        assert c.login("alice@example.com", "alice-secret")[0] == 235
    srv.dovecot.stop()
    with tls_client(srv) as c:
        # the mechanisms the worker knew; the server is gone: a temporary failure
        code, msg = c.docmd("AUTH", "PLAIN AGFsaWNlQGV4YW1wbGUuY29tAGFsaWNlLXNlY3JldA==")
        assert code in (454, 503), (code, msg)
    srv.dovecot.start()
    deadline = time.monotonic() + 10
    while True:   # the worker reconnects on the next need
        with tls_client(srv) as c:
            if c.has_extn("auth"):
                assert c.login("alice@example.com", "alice-secret")[0] == 235
                break
        assert time.monotonic() < deadline, srv.logs()
        time.sleep(0.3)


def test_absolute_sasl_path_under_chroot_is_refused(tmp_path):
    d = str(tmp_path)
    q = os.path.join(d, "queue")
    with open(os.path.join(d, "main.cf"), "w") as f:
        f.write(BASE_MAIN_CF.replace("{dir}", d) + "smtpd_sasl_auth_enable = yes\n"
                f"smtpd_sasl_type = dovecot\nsmtpd_sasl_path = {q}/private/auth\n")
    with open(os.path.join(d, "master.cf"), "w") as f:
        f.write("127.0.0.1:2599 inet n - y - - smtpd\n")
    p = subprocess.run([BINARY, "start", "-n", "-c", d], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode != 0
    assert "smtpd_sasl_path: " in p.stderr and "runs chrooted" in p.stderr, p.stderr
    assert "write smtpd_sasl_path = private/auth" in p.stderr, p.stderr


# The final configuration of the story this project answers (../shared/seed/),
# as written: a hash: login map compiled by `sallyport map`, and
# reject_sender_login_mismatch first.
SEED_SENDERS = ("alice@example.com alice@example.com\n"
                "bob@example.com bob@example.com\n"
                "team@example.com alice@example.com, bob@example.com\n")


def seed_config(d):
    subprocess.run([BINARY, "map", "hash:" + os.path.join(d, "controlled_envelope_senders")],
                   check=True, timeout=30)


@pytest.mark.parametrize("login,sender,rcpt,code,text", [
    ("alice@example.com", "alice@example.com", "friend@elsewhere.example", 250, "Ok"),
    ("alice@example.com", "team@example.com", "friend@elsewhere.example", 250, "Ok"),
    ("alice@example.com", "bob@example.com", "friend@elsewhere.example", 553,
     "5.7.1 <bob@example.com>: Sender address rejected: not owned by user alice@example.com"),
    # an address nobody owns: refused to a logged-in client (Postfix's
    # reject_authenticated_sender_login_mismatch)
    ("alice@example.com", "nobody@example.com", "friend@elsewhere.example", 553,
     "5.7.1 <nobody@example.com>: Sender address rejected: not owned by user "
     "alice@example.com"),
    # not logged in, an owned address: refused
    (None, "alice@example.com", "bob@example.com", 553,
     "5.7.1 <alice@example.com>: Sender address rejected: not logged in"),
    # not logged in, an address nobody owns, mail for a local user: accepted (as Postfix)
    (None, "stranger@example.net", "bob@example.com", 250, "Ok"),
    (None, "stranger@example.net", "friend@elsewhere.example", 554,
     "5.7.1 <friend@elsewhere.example>: Relay access denied"),
])
def test_seed_final_configuration(sasl_server, login, sender, rcpt, code, text):
    srv = sasl_server(
        "smtpd_sender_login_maps = hash:{dir}/controlled_envelope_senders\n"
        "smtpd_recipient_restrictions = reject_sender_login_mismatch, "
        "permit_sasl_authenticated, reject_unauth_destination\n",
        files={"controlled_envelope_senders": SEED_SENDERS}, before_extra=seed_config)
    with tls_client(srv) as c:
        if login:
            assert c.login(login, USERS[login])[0] == 235
        assert c.mail(sender)[0] == 250
        got = c.rcpt(rcpt)
        assert got[0] == code and text in got[1].decode(), got


def test_sasl_path_without_directory_is_warned_about(tmp_path):
    d = str(tmp_path)
    with open(os.path.join(d, "main.cf"), "w") as f:
        f.write(BASE_MAIN_CF.replace("{dir}", d) + "smtpd_sasl_auth_enable = yes\n"
                "smtpd_sasl_type = dovecot\nsmtpd_sasl_path = auth-client\n")
    with open(os.path.join(d, "master.cf"), "w") as f:
        f.write("127.0.0.1:2599 inet n - y - - smtpd\n")
    p = subprocess.run([BINARY, "start", "-n", "-c", d], capture_output=True, text=True,
                       timeout=60)
    assert 'warning: ' in p.stderr and 'when SASL type is "dovecot", SASL path "auth-client" ' \
        'should be a socket pathname' in p.stderr, p.stderr


# The server side of Postfix's TLS_README and SASL_README (3.7), as a
# self-hoster copies them into main.cf: everything is accepted, and mail
# goes in through STARTTLS and AUTH.
README_LINES = """\
smtpd_tls_security_level = may
smtpd_tls_loglevel = 1
smtpd_tls_received_header = yes
smtpd_tls_session_cache_database = btree:${data_directory}/smtpd_scache
smtpd_tls_session_cache_timeout = 3600s
smtpd_tls_mandatory_protocols = !SSLv2, !SSLv3
smtpd_tls_protocols = !SSLv2, !SSLv3
smtpd_tls_mandatory_ciphers = high
smtpd_tls_exclude_ciphers = aNULL, MD5
smtpd_tls_dh1024_param_file = ${config_directory}/dh2048.pem
smtpd_tls_eecdh_grade = auto
smtpd_tls_ask_ccert = no
tls_preempt_cipherlist = yes
tls_ssl_options = NO_COMPRESSION, NO_RENEGOTIATION
tls_random_source = dev:/dev/urandom
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = private/auth
smtpd_sasl_security_options = noanonymous, noplaintext
smtpd_sasl_tls_security_options = noanonymous
smtpd_sasl_authenticated_header = yes
broken_sasl_auth_clients = yes
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
"""


def test_tls_and_sasl_readme_configuration(server, cert):
    dovecots = []

    def before(d):
        os.makedirs(os.path.join(d, "queue", "private"), exist_ok=True)
        dovecots.append(Dovecot(os.path.join(d, "queue", "private", "auth")))
    try:
        srv = server(f"smtpd_tls_cert_file = {cert[0]}\nsmtpd_tls_key_file = {cert[1]}\n" +
                     README_LINES, chroot=True, before=before)
        with smtplib.SMTP("127.0.0.1", srv.port, timeout=10) as c:
            c.ehlo("client.example.net")
            assert not c.has_extn("auth")   # noplaintext before TLS: PLAIN, LOGIN withheld
            c.starttls(context=client_context())
            code, text = c.ehlo("client.example.net")
            assert b"AUTH PLAIN LOGIN" in text and b"AUTH=PLAIN LOGIN" in text, text
            assert c.login("alice@example.com", "alice-secret")[0] == 235
            c.sendmail("alice@example.com", ["friend@elsewhere.example"],
                       b"Subject: readme\r\n\r\nhi\r\n")
        files = srv.queued()
        assert len(files) == 1
        with open(os.path.join(srv.dir, "queue", "active", files[0]), "rb") as f:
            text = f.read().decode(errors="replace")
        assert "(Authenticated sender: alice@example.com)" in text
        assert "with ESMTPSA id" in text and "(using TLSv1.3 with cipher" in text
    finally:
        for d in dovecots:
            d.stop()
            shutil.rmtree(d.dir, ignore_errors=True)


def test_auth_rate_limit(sasl_server):
    srv = sasl_server("smtpd_client_auth_rate_limit = 2\n")
    codes = []
    for _ in range(2):   # two sessions (two workers, maybe): counted together
        with tls_client(srv) as c:
            for pw in ("wrong", "wrong"):
                resp = base64.b64encode(b"\0alice@example.com\0" + pw.encode()).decode()
                codes.append(c.docmd("AUTH", "PLAIN " + resp)[0])
    assert codes == [535, 535, 450, 450], codes
    assert "warning: AUTH command rate limit exceeded: 3 from " in srv.logs()
