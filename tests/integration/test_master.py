"""The master and its workers: privileges, restarts, reload, table changes."""
import os
import smtplib
import socket
import threading
import time

import pytest

from conftest import wait_for


def send(port, rcpt="alice@example.com", body=b"Subject: t\r\n\r\nx\r\n"):
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as c:
        c.ehlo("client.example.net")
        c.mail("sender@example.net")
        code, msg = c.rcpt(rcpt)
        if code != 250:
            return code
        return c.data(body)[0]


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root")
def test_workers_drop_privileges_and_chroot(server):
    import pwd
    want = [str(pwd.getpwnam("sallyport").pw_uid)] * 4

    def uid_of(pid):
        with open(f"/proc/{pid}/status") as f:
            return next(l for l in f if l.startswith("Uid:")).split()[1:]

    srv = server(chroot=True)
    # the workers load their configuration as root first, then give it up
    pids = wait_for(lambda: (w := srv.workers()) and all(uid_of(p) == want for p in w) and w)
    assert pids, srv.logs()
    for pid in pids:
        assert uid_of(pid) == want
        assert os.readlink(f"/proc/{pid}/root") == os.path.join(srv.dir, "queue")
    assert send(srv.port) == 250   # the queue works from inside the chroot
    assert len(srv.queued()) == 1


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root (the privilege drop)")
def test_workers_go_when_the_master_is_killed(server):
    """A privilege drop clears the parent-death signal; the workers set it
    again, so a master killed with SIGKILL leaves no worker holding the port."""
    srv = server(chroot=True)
    children = wait_for(srv.workers)
    assert children
    os.kill(srv.proc.pid, 9)
    srv.proc.wait(10)

    from conftest import alive
    assert wait_for(lambda: not any(alive(p) for p in children)), children
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", srv.port), 1).close()


def test_a_killed_worker_is_replaced(server):
    srv = server()
    before = wait_for(srv.workers)
    os.kill(before[0], 9)
    after = wait_for(lambda: (w := srv.workers()) and before[0] not in w and
                     len(w) == len(before) and w)
    assert after and before[0] not in after, srv.logs()
    assert f"process smtpd pid {before[0]} killed by signal 9" in srv.logs()
    assert send(srv.port) == 250


def test_reload_refuses_no_connection(server):
    srv = server()
    old = wait_for(srv.workers)
    # a session opened before the reload finishes after it
    early = smtplib.SMTP("127.0.0.1", srv.port, timeout=20)
    early.ehlo("early.example.net")
    early.mail("sender@example.net")
    refused, done = [], threading.Event()

    def connect_loop():
        while not done.is_set():
            try:
                s = socket.create_connection(("127.0.0.1", srv.port), 2)
                if not s.recv(64).startswith(b"220"):
                    refused.append("no greeting")
                s.close()
            except OSError as e:
                refused.append(str(e))
    t = threading.Thread(target=connect_loop)
    t.start()
    time.sleep(0.2)
    r = srv.sallyport("reload")
    assert r.returncode == 0, r.stderr
    # the new generation takes over at once; the old one drains
    new = wait_for(lambda: [w for w in srv.workers() if w not in old], 10)
    assert new, srv.logs()
    assert early.rcpt("alice@example.com")[0] == 250
    assert early.data(b"Subject: early\r\n\r\nx\r\n")[0] == 250
    early.quit()
    assert wait_for(lambda: not set(srv.workers()) & set(old), 15), srv.logs()
    done.set()
    t.join()
    assert refused == []
    assert "reload: SIGHUP" in srv.logs()


def test_changed_table_is_reloaded(server):
    srv = server("virtual_mailbox_maps = texthash:{dir}/vmailbox\n".replace(
        "{dir}", "$config_directory"), files={"vmailbox": "alice@example.com x\n"})
    assert send(srv.port, "carol@example.com") == 550
    time.sleep(1.1)   # a different modification time
    with open(os.path.join(srv.dir, "vmailbox"), "a") as f:
        f.write("carol@example.com x\n")
    assert wait_for(lambda: "table " in srv.logs() and "changed" in srv.logs(), 12), srv.logs()
    assert wait_for(lambda: send(srv.port, "carol@example.com") == 250, 10)


def test_status_and_stop(server):
    srv = server()
    assert "the mail system is running" in srv.sallyport("status").stdout
    r = srv.sallyport("stop")
    assert r.returncode == 0, r.stderr
    assert srv.proc.wait(10) == 0
    assert srv.sallyport("status").returncode == 1
