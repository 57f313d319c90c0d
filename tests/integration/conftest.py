"""Fixtures that start the real sallyport server (sallyport start -f) on a
loopback port in a temporary directory, and stop it again.

The binary comes from $SALLYPORT (meson sets it); each test gets its own
configuration directory and queue, and the server's log lines."""
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time

import pytest

BINARY = os.environ.get("SALLYPORT", os.path.join(os.path.dirname(__file__), "..", "..",
                                                  "build", "sallyport"))

BASE_MAIN_CF = """\
compatibility_level = 3.7
myhostname = mx.example.com
mydomain = example.com
mydestination = $myhostname, localhost
virtual_mailbox_domains = example.com
virtual_mailbox_maps = inline:{ alice@example.com=x, bob@example.com=x }
# 127.0.0.1, where the tests connect from, is an outside client here
mynetworks = 192.0.2.0/24
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_error_sleep_time = 0
queue_directory = {dir}/queue
"""


def alive(pid):
    """The process runs (it is not gone, and not a zombie)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    def __init__(self, extra="", chroot=False, files=None, base=BASE_MAIN_CF, before=None,
                 master_extra=""):
        self.dir = tempfile.mkdtemp(prefix="sallyport-it-")
        os.chmod(self.dir, 0o755)   # as root, the workers run as mail_owner and must get in
        self.port = free_port()
        self.port2 = free_port()   # for a second service (master_extra's {port2})
        with open(os.path.join(self.dir, "main.cf"), "w") as f:
            f.write(base.replace("{dir}", self.dir) + extra.replace("{dir}", self.dir))
        for name, text in (files or {}).items():
            with open(os.path.join(self.dir, name), "w") as f:
                f.write(text)
        if before:
            before(self.dir)   # e.g. compile tables, as an administrator would
        with open(os.path.join(self.dir, "master.cf"), "w") as f:
            f.write(f"127.0.0.1:{self.port} inet n - {'y' if chroot else 'n'} - - smtpd\n")
            f.write(master_extra.replace("{port2}", str(self.port2)))
        self.log_path = os.path.join(self.dir, "log")
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen([BINARY, "start", "-f", "-c", self.dir],
                                     stderr=self.log, stdout=self.log)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("sallyport exited: " + self.logs())
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("sallyport did not start: " + self.logs())

    def logs(self):
        if not self.log.closed:
            self.log.flush()
        with open(self.log_path) as f:
            return f.read()

    def workers(self):
        """The pids of the master's worker processes."""
        out = []
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.proc.pid and fields[0] != "Z":
                out.append(int(pid))
        return sorted(out)

    def sallyport(self, *args):
        return subprocess.run([BINARY, *args, "-c", self.dir], capture_output=True, text=True,
                              timeout=60)

    def queued(self, sub="active"):
        d = os.path.join(self.dir, "queue", sub)
        return sorted(os.listdir(d)) if os.path.isdir(d) else []

    def stop(self, timeout=15):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if not self.log.closed:
            self.log.close()
        return self.proc.returncode


def wait_for(cond, timeout=10.0):
    """cond()'s first true value within timeout seconds, else its last."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(0.05)
    return cond()


def run_once(fn):
    """fn(*args), computed once for each args; an exception is kept and
    raised again for every caller (a module's tests share one run)."""
    cache = {}

    def get(*args):
        if args not in cache:
            try:
                cache[args] = fn(*args)
            except Exception as e:   # noqa: BLE001 - raised again for each caller
                cache[args] = e
        if isinstance(cache[args], Exception):
            raise cache[args]
        return cache[args]
    return get


@pytest.fixture
def server():
    servers = []

    def start(extra="", **kw):
        s = Server(extra, **kw)
        servers.append(s)
        return s
    yield start
    for s in servers:
        s.stop()
        shutil.rmtree(s.dir, ignore_errors=True)


@pytest.fixture(scope="session")
def cert():
    d = tempfile.mkdtemp(prefix="sallyport-tls-")
    os.chmod(d, 0o755)
    key, crt = os.path.join(d, "key.pem"), os.path.join(d, "cert.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", crt, "-days", "2", "-subj", "/CN=mx.example.com"], check=True,
                   capture_output=True, timeout=60)
    os.chmod(key, 0o600)
    return crt, key


def tls_client(srv, helo="client.example.net"):
    """An smtplib client of srv after EHLO, STARTTLS and EHLO again."""
    import smtplib
    c = smtplib.SMTP("127.0.0.1", srv.port, timeout=10)
    c.ehlo(helo)
    c.starttls(context=client_context())
    c.ehlo(helo)
    return c


def client_context(maximum=None):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if maximum:
        ctx.maximum_version = maximum
    return ctx
