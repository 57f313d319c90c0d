"""The built-in auth server (smtpd_sasl_type = sallyport, the default): the
`auth` process the master starts, speaking Dovecot's protocol on
private/auth, with logins from auth_passwd_file that `sallyport user`
manages. Checked: PLAIN and LOGIN with good and bad passwords, the failure
delay, names in any case, `sallyport user add|passwd|del|list` on a
running server, a crashed auth process, the process's privileges (root
only), and the passwd-file mistakes that must stop the start."""
import os
import pwd
import re
import shutil
import signal
import smtplib
import subprocess
import time

import pytest

from conftest import BINARY, BASE_MAIN_CF, tls_client, wait_for

USERS = {"alice@example.com": "alice-secret-1", "bob": "bob-secret-22"}


def add_user(d, name, password, verb="add"):
    return subprocess.run([BINARY, "user", "-c", d, verb, name, "--stdin"], input=password + "\n",
                          capture_output=True, text=True, timeout=60)


def make_users(d):
    for name, pw in USERS.items():
        p = add_user(d, name, pw)
        assert p.returncode == 0, p.stderr


@pytest.fixture
def auth_server(server, cert):
    def start(more="", before=make_users, chroot=os.geteuid() == 0, **kw):
        return server(f"smtpd_tls_security_level = may\nsmtpd_tls_cert_file = {cert[0]}\n"
                      f"smtpd_tls_key_file = {cert[1]}\nsmtpd_sasl_auth_enable = yes\n"
                      "auth_passwd_file = {dir}/passwd\nauth_failure_delay = 1s\n"
                      "smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, "
                      "reject_unauth_destination\n" + more, chroot=chroot, before=before, **kw)
    return start



def wait_auth(srv, timeout=10):
    """Until a fresh session is offered AUTH (the auth server answers)."""
    deadline = time.monotonic() + timeout
    while True:
        with tls_client(srv) as c:
            if c.has_extn("auth"):
                return
        assert time.monotonic() < deadline, srv.logs()
        time.sleep(0.2)


def login(srv, user, password, mech="PLAIN"):
    """The reply code of AUTH with user and password."""
    with tls_client(srv) as c:
        c.user, c.password = user, password
        try:
            return c.auth(mech, c.auth_plain if mech == "PLAIN" else c.auth_login)[0]
        except smtplib.SMTPAuthenticationError as e:
            return e.smtp_code


def test_plain_and_login_with_good_passwords_may_relay(auth_server):
    srv = auth_server()
    with tls_client(srv) as c:
        assert c.esmtp_features["auth"].split() == ["PLAIN", "LOGIN"]
        assert c.login("alice@example.com", USERS["alice@example.com"])[0] == 235
        c.sendmail("alice@example.com", ["friend@elsewhere.example"], b"Subject: x\r\n\r\nhi\r\n")
    assert login(srv, "bob", USERS["bob"], "LOGIN") == 235
    assert len(srv.queued()) == 1
    assert re.search(r"sasl_method=PLAIN, sasl_username=alice@example\.com", srv.logs())


def test_bad_password_and_unknown_user_fail_after_the_delay(auth_server):
    srv = auth_server()
    for user, pw in (("alice@example.com", "wrong-password"), ("nobody", "whatever-pw")):
        t0 = time.monotonic()
        assert login(srv, user, pw) == 535
        assert time.monotonic() - t0 >= 0.9   # auth_failure_delay = 1s
    with tls_client(srv) as c:   # and a failed client may not relay
        with pytest.raises(smtplib.SMTPAuthenticationError):
            c.login("bob", "nope-nope")
        c.mail("bob@example.com")
        assert c.rcpt("friend@elsewhere.example")[0] == 554
    srv.stop()
    assert re.search(r"warning: \S+\[127\.0\.0\.1\]: SASL PLAIN authentication failed: ",
                     srv.logs()), srv.logs()


def test_login_names_in_any_case(auth_server):
    srv = auth_server()
    with tls_client(srv) as c:
        assert c.login("Alice@Example.COM", USERS["alice@example.com"])[0] == 235
        c.sendmail("alice@example.com", ["friend@elsewhere.example"], b"Subject: x\r\n\r\nhi\r\n")
    assert "sasl_username=alice@example.com" in srv.logs()


def test_malformed_responses_are_refused(auth_server):
    srv = auth_server()
    with tls_client(srv) as c:
        assert c.docmd("AUTH", "PLAIN not-base64!")[0] == 501
        # authzid other than the login (no proxy logins): refused
        import base64
        resp = base64.b64encode(b"bob\0alice@example.com\0" +
                                USERS["alice@example.com"].encode()).decode()
        assert c.docmd("AUTH", "PLAIN " + resp)[0] == 535
        assert c.docmd("AUTH", "CRAM-MD5")[0] == 535


def test_user_command_changes_a_running_server(auth_server):
    srv = auth_server()
    d = srv.dir
    p = add_user(d, "carol", "carol-secret-3")
    assert p.returncode == 0 and "carol added" in p.stdout, p.stderr
    wait_auth(srv)
    deadline = time.monotonic() + 10
    while login(srv, "carol", "carol-secret-3") != 235:
        assert time.monotonic() < deadline, srv.logs()
        time.sleep(0.3)
    p = add_user(d, "carol", "other-password", "passwd")
    assert p.returncode == 0, p.stderr
    deadline = time.monotonic() + 10
    while login(srv, "carol", "other-password") != 235:
        assert time.monotonic() < deadline, srv.logs()
        time.sleep(0.3)
    assert login(srv, "carol", "carol-secret-3") == 535
    p = subprocess.run([BINARY, "user", "-c", d, "del", "carol"], capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    deadline = time.monotonic() + 10
    while login(srv, "carol", "other-password") != 535:
        assert time.monotonic() < deadline, srv.logs()
        time.sleep(0.3)
    p = subprocess.run([BINARY, "user", "-c", d, "list"], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0 and p.stdout.split() == ["alice@example.com", "bob"], p.stdout
    # the file stays private and in Dovecot's format
    path = os.path.join(d, "passwd")
    assert os.stat(path).st_mode & 0o777 == 0o600
    with open(path) as f:
        assert all(re.fullmatch(r"[a-z@.]+:\{CRYPT\}\$y\$\S+", l) for l in f.read().split())


def test_user_command_refusals(tmp_path):
    d = str(tmp_path)
    with open(os.path.join(d, "main.cf"), "w") as f:
        f.write(BASE_MAIN_CF.replace("{dir}", d) + "auth_passwd_file = {dir}/passwd\n"
                .replace("{dir}", d))
    with open(os.path.join(d, "master.cf"), "w") as f:
        f.write("127.0.0.1:2599 inet n - n - - smtpd\n")
    assert add_user(d, "dave", "short").returncode != 0          # under 8 characters
    assert not os.path.exists(os.path.join(d, "passwd"))
    assert add_user(d, "dave", "long-enough").returncode == 0
    p = add_user(d, "Dave", "another-one")                        # the same login
    assert p.returncode != 0 and "already a user" in p.stderr, p.stderr
    p = add_user(d, "bad:name", "long-enough")
    assert p.returncode != 0 and "cannot be a login name" in p.stderr
    p = add_user(d, "erin", "long-enough", "passwd")
    assert p.returncode != 0 and "no user erin" in p.stderr


def write_passwd(text):
    def before(d):
        with open(os.path.join(d, "passwd"), "w") as f:
            f.write(text)
        os.chmod(os.path.join(d, "passwd"), 0o600)
    return before


def start_check(d, more):
    with open(os.path.join(d, "main.cf"), "w") as f:
        f.write(BASE_MAIN_CF.replace("{dir}", d) + "smtpd_sasl_auth_enable = yes\n"
                f"auth_passwd_file = {d}/passwd\n" + more)
    with open(os.path.join(d, "master.cf"), "w") as f:
        f.write("127.0.0.1:2599 inet n - n - - smtpd\n")
    return subprocess.run([BINARY, "start", "-n", "-c", d], capture_output=True, text=True,
                          timeout=60)


def test_plaintext_passwords_need_the_test_marker(tmp_path, auth_server):
    d = str(tmp_path)
    write_passwd("# users\nalice@example.com:{PLAIN}alice-secret-1\n")(d)
    p = start_check(d, "")
    assert p.returncode != 0, p.stderr
    assert re.search(r"passwd, line 2: .*plaintext passwords are refused", p.stderr), p.stderr
    srv = auth_server(before=write_passwd("# sallyport: allow-plaintext (tests only)\n"
                                          "alice@example.com:{PLAIN}alice-secret-1\n"))
    assert login(srv, "alice@example.com", "alice-secret-1") == 235


def test_missing_passwd_file_stops_the_start(tmp_path):
    p = start_check(str(tmp_path), "")
    assert p.returncode != 0 and "sallyport user add" in p.stderr, p.stderr


def test_crashed_auth_process_is_restarted(auth_server):
    srv = auth_server()
    assert login(srv, "bob", USERS["bob"]) == 235
    auth = [pid for pid in srv.workers() if b"auth" in open(f"/proc/{pid}/cmdline", "rb").read()
            .split(b"\0")[1:2]]
    assert len(auth) == 1, srv.workers()
    os.kill(auth[0], signal.SIGKILL)
    deadline = time.monotonic() + 15
    while login(srv, "bob", USERS["bob"]) != 235:
        assert time.monotonic() < deadline, srv.logs()
        time.sleep(0.3)
    assert re.search(r"warning: process auth pid %d killed by signal 9" % auth[0], srv.logs())


@pytest.mark.skipif(os.geteuid() != 0, reason="privileges: needs root")
def test_auth_process_runs_unprivileged_and_not_dumpable(auth_server):
    srv = auth_server()
    owner = pwd.getpwnam("sallyport")
    auth = [pid for pid in srv.workers() if b"\0auth\0" in open(f"/proc/{pid}/cmdline", "rb").read()]
    assert len(auth) == 1

    def status():
        with open(f"/proc/{auth[0]}/status") as f:
            return f.read()
    # the master answers on its ports before the auth process (just started,
    # perhaps still reading the passwd-file as root) has dropped its privileges
    uid = r"^Uid:\s+%d\s+%d" % (owner.pw_uid, owner.pw_uid)
    assert wait_for(lambda: re.search(uid, status(), re.M)), status()
    assert os.readlink(f"/proc/{auth[0]}/root") == os.path.join(srv.dir, "queue")
    # not dumpable: /proc/PID/environ and mem stay closed to its own user
    r = subprocess.run(["setpriv", f"--reuid={owner.pw_uid}", f"--regid={owner.pw_gid}",
                        "--clear-groups", "cat", f"/proc/{auth[0]}/environ"], capture_output=True)
    assert r.returncode != 0
    # the socket in private/ is mail_owner's only
    sock = os.stat(os.path.join(srv.dir, "queue", "private", "auth"))
    assert sock.st_uid == owner.pw_uid and sock.st_mode & 0o007 == 0


@pytest.mark.skipif(shutil.which("swaks") is None, reason="needs swaks")
def test_swaks_with_tls_and_auth(auth_server):
    srv = auth_server()
    p = subprocess.run(["swaks", "--server", f"127.0.0.1:{srv.port}", "--tls", "--auth", "LOGIN",
                        "--auth-user", "bob", "--auth-password", USERS["bob"],
                        "--from", "bob@example.com", "--to", "friend@elsewhere.example",
                        "--helo", "client.example.net"], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "235 2.7.0 Authentication successful" in p.stdout
    assert len(srv.queued()) == 1
