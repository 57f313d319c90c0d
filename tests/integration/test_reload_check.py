"""Safe reloads: `sallyport reload` checks the new configuration first;
on an error-level finding nothing is signalled and the running server
keeps its configuration; otherwise the security difference is printed
and logged ("this change makes 10.0.0.0/8 trusted for relaying")."""
import re
import smtplib
import time

from conftest import BASE_MAIN_CF


def rewrite(srv, old, new):
    path = f"{srv.dir}/main.cf"
    with open(path) as f:
        text = f.read()
    assert old in text
    with open(path, "w") as f:
        f.write(text.replace(old, new))


def wait_log(srv, pattern, timeout=10):
    deadline = time.monotonic() + timeout
    while not re.search(pattern, srv.logs()):
        assert time.monotonic() < deadline, srv.logs()
        time.sleep(0.1)


def test_reload_prints_and_logs_the_security_difference(server):
    srv = server()
    rewrite(srv, "mynetworks = 192.0.2.0/24", "mynetworks = 192.0.2.0/24 10.0.0.0/8\n"
            "disable_vrfy_command = no")
    p = srv.sallyport("reload")
    assert p.returncode == 0, p.stderr
    assert "this change makes 10.0.0.0/8 trusted for relaying" in p.stdout, p.stdout
    assert re.search(r"new: warning \[vrfy-enabled\]", p.stdout), p.stdout
    wait_log(srv, r"reload: security: this change makes 10\.0\.0\.0/8 trusted for relaying")
    rewrite(srv, "mynetworks = 192.0.2.0/24 10.0.0.0/8", "mynetworks = 192.0.2.0/24")
    p = srv.sallyport("reload")
    assert "this change makes 10.0.0.0/8 no longer trusted for relaying" in p.stdout, p.stdout


def test_reload_to_an_open_relay_is_refused(server):
    srv = server()
    assert "mynetworks = 192.0.2.0/24" in BASE_MAIN_CF
    rewrite(srv, "mynetworks = 192.0.2.0/24", "mynetworks = 0.0.0.0/0")
    p = srv.sallyport("reload")
    assert p.returncode == 2, p.stdout + p.stderr
    assert "[open-relay]" in p.stderr and "reload refused" in p.stderr, p.stderr
    # the running configuration stays: strangers still cannot relay
    with smtplib.SMTP("127.0.0.1", srv.port, timeout=10) as c:
        c.ehlo("client.example.net")
        c.mail("spammer@example.net")
        assert c.rcpt("victim@elsewhere.example")[0] == 554
    # and a SIGHUP that skips the command is refused by the master too
    import os
    import signal
    os.kill(srv.proc.pid, signal.SIGHUP)
    wait_log(srv, r"warning: reload refused: .*\[open-relay\]")
    with smtplib.SMTP("127.0.0.1", srv.port, timeout=10) as c:
        c.ehlo("client.example.net")
        c.mail("spammer@example.net")
        assert c.rcpt("victim@elsewhere.example")[0] == 554
