#!/usr/bin/python3
"""bench/auth: SMTP AUTH PLAIN logins per second and TLS handshakes per
second, sallyport beside Postfix + Dovecot on the same machine in the same run.

    sudo /usr/bin/python3 bench/auth/run.py [SALLYPORT] [--seconds 2] [--reps 3]
                                            [--conc 1,10,50] [--users 20] [--tls-time 5]
                                            [--tls-reps 2] [--hashes yescrypt,sha512]

SALLYPORT is the binary (default build-release/sallyport, else
build/sallyport); nothing is built here.  Only 127.0.0.1 is contacted.  The
servers run in temporary directories (removed at the end), each on free
ports:

  sallyport          `sallyport start -f -c DIR` (tests/integration/conftest.py's
                     Server) with its built-in auth server
                     (smtpd_sasl_type = sallyport): the `auth` process the
                     master starts, which checks passwords with libcrypt's
                     crypt_rn() on a pool of threads (one per core).
  sallyport+Dovecot  the same binary with smtpd_sasl_type = dovecot and
                     smtpd_sasl_path = a listener of a real Dovecot.
  Postfix+Dovecot    Postfix 3.7, the private instance of tests/policy/oracle.py
                     (PostfixInstance; here PostfixWithDovecot of
                     tests/integration/test_sender_login_oracle.py, which
                     points smtpd at the real Dovecot instead of oracle.py's
                     fake auth server), smtpd_sasl_type = dovecot.

The Dovecot is tests/integration/test_sasl.py's private one (Debian's
dovecot-core; only its auth service; one unix_listener for sallyport's
workers and one for Postfix's smtpd: SharedDovecot), here with passdb
passwd-file and its default scheme CRYPT (`args = FILE`, no scheme=PLAIN),
so `{CRYPT}$y$...` and `{CRYPT}$6$...` go through libc's crypt() as in
sallyport; auth cache off (auth_cache_size = 0, its default).  All three
servers read the same passwd-file text, --users logins (user01@example.com
...), each with its own random password.  Two hash settings, each a
separate measurement on freshly started servers:

  yescrypt      what `sallyport user add` writes ({CRYPT}$y$j9T$..., libxcrypt's
                default cost): deliberately slow, the hash dominates;
  SHA512-CRYPT  `openssl passwd -6` ({CRYPT}$6$..., 5000 rounds): cheaper, so
                the protocol's own cost shows more.

Logins/s: this script's own asyncio client (one process, one thread, a
Protocol state machine, no smtplib) opens a connection, reads the 220,
sends EHLO, reads the 250 lines, sends `AUTH PLAIN <initial response>`,
requires 235, sends QUIT, reads the 221 and closes: one login per
connection (a session allows one successful AUTH), CONC connections in
flight.  Every AUTH must get 235 (else the run fails).  smtpd_tls_auth_only
= no on all servers (plaintext AUTH on loopback: TLS is not in this
figure).  For each hash setting, concurrency and repetition (--reps, in
alternating server order; the fastest run is reported, the others in
brackets), each server gets an untimed warm-up of max(CONC, 20) logins
(whose rate sizes the timed run), then N logins with N chosen to take about
--seconds (at least 2*CONC and 20, at most 3,000).  logins/s = N / wall
seconds.  Server CPU per login: utime+stime+cutime+cstime (/proc/PID/stat)
over the server's process tree (bench/smtp/run.py's cpu_ticks), before and
after the timed run, divided by N; for the Dovecot-backed servers Dovecot's
whole tree (its master and children: auth, anvil, log, config, stats, and
auth-worker if it starts one) is added and also given alone.  For scale,
the CPU of one check by libcrypt alone (Python's crypt module, i.e.
crypt_r(3) of the same library) is printed with each hash setting.  The client's own CPU (time.process_time())
is reported too: it shares the 2 cores with the servers; so is the CPU of
other processes during each run (the machine's user+nice+system ticks from
/proc/stat minus the server's, Dovecot's and the client's), in cores.

TLS handshakes/s: sallyport (the built-in-auth instance) and Postfix each
have a second smtpd service with `-o smtpd_tls_wrappermode=yes` (implicit
TLS, as on port 465) with the same self-signed RSA-2048 certificate
(`openssl req -x509 -newkey rsa:2048`), smtpd_tls_security_level = may on
both; Postfix's master.cf also gets a tlsmgr service (its session ticket
keys, as in Postfix's own master.cf; oracle.py's has none).
`openssl s_time -connect 127.0.0.1:PORT -new -time T` counts full handshakes
(TLS 1.3, the default); resumed ones are `-reuse -tls1_2` because s_time
never reads after the handshake, so a TLS 1.3 client never receives the
ticket it would need (it would do full handshakes again; checked: s_time
prints `r` for a resumed connection and `*` for a full one, and both are
counted here).  1 and then 2 s_time processes in parallel, --tls-reps runs
each per server in alternating order, the fastest reported; rate = the
connections s_time counted / wall seconds; server CPU per handshake from
/proc as above.  The negotiated protocol, cipher and key exchange come from
one `openssl s_client -brief` per server.

Idle between measurements: only one server is loaded at a time (the others
sit idle).  Needs root (Postfix's master, Dovecot), postfix, dovecot-core,
openssl.  About 3 to 4 minutes.  Prints a Markdown section for
bench/RESULTS.md on stdout, progress on stderr.
"""
import argparse
import asyncio
import base64
import importlib.util
import itertools
import os
import re
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import types
from unittest import mock

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
sys.path.insert(0, os.path.join(ROOT, "tests", "policy"))

_spec = importlib.util.spec_from_file_location("bench_smtp_run",
                                               os.path.join(ROOT, "bench", "smtp", "run.py"))
smtp_bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(smtp_bench)

import oracle  # noqa: E402  (the same module bench/smtp and the tests use)
import conftest  # noqa: E402
from test_sasl import DOVECOT  # noqa: E402
from test_sender_login_oracle import PostfixWithDovecot, SharedDovecot  # noqa: E402

cpu_ticks, free_port, wait_port = smtp_bench.cpu_ticks, smtp_bench.free_port, smtp_bench.wait_port
fmt, ratio = smtp_bench.fmt, smtp_bench.ratio
TICK = os.sysconf("SC_CLK_TCK")
OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"
HELO = "client.example.net"
MAX_LOGINS = 3000          # per timed run, whatever the rate
RUN_TIMEOUT = 120          # seconds, per run of the login client
TOTALS = [0, 0]            # logins tried, logins that got 235 (warm-ups included)

# main.cf lines all three servers get (after oracle.py's base lines).
COMMON = [
    "smtpd_peername_lookup = no",
    "smtpd_sasl_auth_enable = yes",
    "smtpd_tls_auth_only = no",
    "smtpd_tls_security_level = may",
    "smtpd_tls_cert_file = {cert}",
    "smtpd_tls_key_file = {key}",
    "smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, "
    "reject_unauth_destination",
]
SP_BUILTIN = ["smtpd_sasl_type = sallyport", "auth_passwd_file = {dir}/passwd"]
WITH_DOVECOT = ["smtpd_sasl_type = dovecot", "smtpd_sasl_path = {sasl_path}"]
TLS_SERVICE = "127.0.0.1:%s inet n - n - - smtpd -o smtpd_tls_wrappermode=yes\n"


# ---------------------------------------------------------------------------
# Users and hashes


def make_users(n):
    return {"user%02d@example.com" % (i + 1): secrets.token_urlsafe(12) for i in range(n)}


def yescrypt_passwd(binary, users, work):
    """The passwd-file text `sallyport user add` writes ({CRYPT}$y$...)."""
    d = tempfile.mkdtemp(prefix="users-", dir=work)
    with open(os.path.join(d, "main.cf"), "w") as f:
        f.write("queue_directory = %s/queue\nauth_passwd_file = %s/passwd\n" % (d, d))
    with open(os.path.join(d, "master.cf"), "w") as f:
        f.write("127.0.0.1:2599 inet n - n - - smtpd\n")
    for name, pw in users.items():
        p = subprocess.run([binary, "user", "-c", d, "add", name, "--stdin"], input=pw + "\n",
                           capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            raise RuntimeError("sallyport user add %s: %s" % (name, p.stderr.strip()))
    with open(os.path.join(d, "passwd")) as f:
        return f.read()


def sha512_passwd(users):
    """{CRYPT}$6$... lines (openssl passwd -6: SHA-512-crypt, 5000 rounds)."""
    names = list(users)
    p = subprocess.run([OPENSSL, "passwd", "-6", "-stdin"],
                       input="".join(users[n] + "\n" for n in names),
                       capture_output=True, text=True, timeout=60, check=True)
    hashes = p.stdout.split()
    assert len(hashes) == len(names) and all(h.startswith("$6$") for h in hashes), p.stdout
    return "".join("%s:{CRYPT}%s\n" % (n, h) for n, h in zip(names, hashes))


def crypt_cost(passwd_text, users, n):
    """CPU ms of one password check by libcrypt alone (Python's crypt module,
    crypt_r(3) of the same libcrypt), best of 3 passes of n checks."""
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            import crypt
        except ImportError:
            return None
    entries = [l.split(":", 1) for l in passwd_text.split()]
    best = None
    for _ in range(3):
        c0 = time.process_time()
        for i in range(n):
            name, h = entries[i % len(entries)]
            h = h.split("}", 1)[1]
            if crypt.crypt(users[name], h) != h:
                raise RuntimeError("crypt: %s does not match" % name)
        t = (time.process_time() - c0) * 1000.0 / n
        best = t if best is None else min(best, t)
    return best


# ---------------------------------------------------------------------------
# The servers


class BenchDovecot(SharedDovecot):
    """test_sender_login_oracle's SharedDovecot (test_sasl's private Dovecot,
    listeners for users sallyport and postfix), with the bench's passwd-file
    and passdb scheme CRYPT (Dovecot's default) instead of scheme=PLAIN."""

    def __init__(self, passwd_text):
        self.passwd_text = passwd_text
        super().__init__()

    def start(self):
        with open(os.path.join(self.dir, "passwd"), "w") as f:
            f.write(self.passwd_text)
        with open(self.conf) as f:
            conf = f.read()
        conf = conf.replace("args = scheme=PLAIN ", "args = ")
        if "auth_cache_size" not in conf:
            conf += "auth_cache_size = 0\n"
        with open(self.conf, "w") as f:
            f.write(conf)
        super().start()

    def master_pid(self):
        pids = self.pids()
        return pids[0] if pids else None

    def problems(self):
        return [l for l in self.log().splitlines()
                if re.search(r"\b(Warning|Error|Fatal|Panic): ", l)]


class SallyportServer:
    """conftest.Server (sallyport start -f in a temporary directory) with the
    bench's main.cf and a second, implicit-TLS service on port2."""

    def __init__(self, name, binary, lines, passwd_text=None):
        self.name = name
        conftest.BINARY = binary
        base = "\n".join(oracle.POLICY_BASE + lines +
                         ["queue_directory = {dir}/queue"]) + "\n"

        def before(d):
            if passwd_text is not None:
                path = os.path.join(d, "passwd")
                with open(path, "w") as f:
                    f.write(passwd_text)
                os.chmod(path, 0o600)
        self.srv = conftest.Server(base=base, before=before, master_extra=TLS_SERVICE % "{port2}")
        self.port, self.tls_port, self.pid = self.srv.port, self.srv.port2, self.srv.proc.pid
        wait_port(self.port, lambda: self.srv.proc.poll() is None, name)
        self.dovecot = None

    def log(self):
        return self.srv.logs()

    def problems(self):
        return [l for l in self.log().splitlines()
                if re.search(r": (warning|error|fatal|panic): ", l)]

    def stop(self):
        self.srv.stop()
        shutil.rmtree(self.srv.dir, ignore_errors=True)


class PostfixTLS(PostfixWithDovecot):
    """PostfixWithDovecot, whose master.cf also has the implicit-TLS smtpd and
    tlsmgr (oracle.py's MASTER_CF has neither)."""

    def __init__(self, case, dovecot_socket, tls_port):
        super().__init__(case, dovecot_socket)
        self.tls_port = tls_port

    def start(self):
        extra = TLS_SERVICE % self.tls_port + "tlsmgr    unix - - n 1000? 1 tlsmgr\n"
        with mock.patch.object(oracle, "MASTER_CF", oracle.MASTER_CF + extra):
            super().start()


class PostfixServer:
    name = "Postfix+Dovecot"

    def __init__(self, lines, dovecot):
        case = types.SimpleNamespace(path="bench-auth", files={}, maincf=lines)
        self.inst = PostfixTLS(case, dovecot.paths["postfix"], free_port())
        self.inst.__enter__()
        self.port, self.tls_port = self.inst.port_lock.port, self.inst.tls_port
        self.pid = self.inst.master_pid
        try:
            wait_port(self.port, lambda: True, "Postfix")
        except RuntimeError as e:
            self.stop()
            raise RuntimeError("%s: %s" % (e, self.inst.log_tail()))

    def log(self):
        return self.inst.log()

    def problems(self):
        return oracle.warnings_of(self.inst.log())

    def stop(self):
        self.inst.__exit__(None, None, None)


def machine_ticks():
    """user + nice + system ticks of all CPUs (/proc/stat; no irq/softirq/steal)."""
    with open("/proc/stat") as f:
        fields = f.readline().split()
    return sum(int(x) for x in fields[1:4])


def server_cpu(srv):
    """(ticks of the server's tree, ticks of its Dovecot's tree or 0)."""
    d = srv.dovecot.master_pid() if srv.dovecot else None
    return cpu_ticks(srv.pid), cpu_ticks(d) if d else 0


# ---------------------------------------------------------------------------
# The login client


class Login(asyncio.Protocol):
    """One session: 220, EHLO, AUTH PLAIN token, QUIT. fut gets the AUTH
    reply's first line (or what went wrong)."""

    def __init__(self, token, fut):
        self.token, self.fut, self.buf, self.state, self.auth = token, fut, b"", 0, None

    def connection_made(self, transport):
        self.t = transport

    def finish(self, what):
        if not self.fut.done():
            self.fut.set_result(what)
        self.t.close()

    def data_received(self, data):
        self.buf += data
        while True:
            # a complete reply: lines up to one whose 4th byte is not '-'
            end, pos = None, 0
            while True:
                nl = self.buf.find(b"\r\n", pos)
                if nl < 0:
                    break
                if self.buf[pos + 3:pos + 4] != b"-":
                    end = nl + 2
                    break
                pos = nl + 2
            if end is None:
                return
            reply, self.buf = self.buf[:end], self.buf[end:]
            first = reply.split(b"\r\n", 1)[0].decode(errors="replace")
            code = first[:3]
            if self.state == 0:
                if code != "220":
                    return self.finish("greeting " + first)
                self.t.write(b"EHLO " + HELO.encode() + b"\r\n")
            elif self.state == 1:
                if code != "250":
                    return self.finish("EHLO " + first)
                self.t.write(b"AUTH PLAIN " + self.token + b"\r\n")
            elif self.state == 2:
                self.auth = first
                if code != "235":
                    return self.finish(first)
                self.t.write(b"QUIT\r\n")
            else:
                return self.finish(self.auth if code == "221" else "QUIT " + first)
            self.state += 1

    def connection_lost(self, exc):
        if not self.fut.done():
            self.fut.set_result("connection closed in state %d (%s)" % (self.state, exc))


async def logins(port, tokens, n, conc):
    """n logins, conc at a time. (wall seconds, client CPU seconds, {reply: count})."""
    loop = asyncio.get_running_loop()
    counter = itertools.count()
    tally = {}

    async def worker():
        while True:
            i = next(counter)
            if i >= n:
                return
            fut = loop.create_future()
            try:
                t, _ = await loop.create_connection(
                    lambda: Login(tokens[i % len(tokens)], fut), "127.0.0.1", port)
                what = await asyncio.wait_for(fut, 60)
            except (OSError, asyncio.TimeoutError) as e:
                what = "%s: %s" % (type(e).__name__, e)
            key = "235" if what.startswith("235 ") else what
            tally[key] = tally.get(key, 0) + 1

    c0, t0 = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(conc)))
    return time.perf_counter() - t0, time.process_time() - c0, tally


def run_logins(port, tokens, n, conc):
    return asyncio.run(asyncio.wait_for(logins(port, tokens, n, conc), RUN_TIMEOUT))


def measure_logins(srv, tokens, conc, seconds, errors, label):
    warm = max(conc, 20)
    dt, _, tally = run_logins(srv.port, tokens, warm, conc)
    TOTALS[0] += warm
    TOTALS[1] += tally.get("235", 0)
    bad = {k: v for k, v in tally.items() if k != "235"}
    if bad:
        errors.append("%s, %s, concurrency %d, warm-up: %d of %d logins failed: %s"
                      % (srv.name, label, conc, sum(bad.values()), warm, bad))
    n = int(min(MAX_LOGINS, max(2 * conc, 20, warm / dt * seconds)))
    time.sleep(0.1)   # the warm-up's last sessions end outside the count
    s0, d0, m0 = *server_cpu(srv), machine_ticks()
    dt, ccpu, tally = run_logins(srv.port, tokens, n, conc)
    time.sleep(0.1)   # the last sessions' ends (disconnect, log lines) are counted
    s1, d1, m1 = *server_cpu(srv), machine_ticks()
    ok = tally.get("235", 0)
    TOTALS[0] += n
    TOTALS[1] += ok
    if ok != n:
        bad = {k: v for k, v in tally.items() if k != "235"}
        errors.append("%s, %s, concurrency %d: %d of %d logins got 235; others: %s"
                      % (srv.name, label, conc, ok, n, bad))
    ms = 1000.0 / TICK / n
    return dict(n=n, secs=dt, rate=n / dt, cpu_ms=((s1 - s0) + (d1 - d0)) * ms,
                dov_ms=(d1 - d0) * ms, client_ms=ccpu * 1000.0 / n, ok=ok == n,
                others=max(0.0, ((m1 - m0) - (s1 - s0) - (d1 - d0)) / TICK - ccpu) / (dt + 0.1))


# ---------------------------------------------------------------------------
# TLS


def s_time(port, mode, secs, procs):
    """procs parallel `openssl s_time`; (handshakes, wall s, client CPU s, resumed, full)."""
    args = ["-new"] if mode == "full" else ["-reuse", "-tls1_2"]
    cmd = [OPENSSL, "s_time", "-connect", "127.0.0.1:%d" % port, "-time", str(secs)] + args
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    ps = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
          for _ in range(procs)]
    outs = [p.communicate(timeout=secs + 60) for p in ps]
    dt = time.perf_counter() - t0
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    n = resumed = full = 0
    for p, (out, err) in zip(ps, outs):
        m = re.search(r"^(\d+) connections in [\d.]+s;", out, re.M)
        if p.returncode != 0 or not m:
            raise RuntimeError("s_time %s exit %d: %s %s" % (" ".join(cmd), p.returncode,
                                                             out[-300:], err[-300:]))
        n += int(m.group(1))
        marks = "".join(re.findall(r"^[*r]+$", out[:m.start()], re.M))
        resumed += marks.count("r")
        full += marks.count("*")
    cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
    return n, dt, cpu, resumed, full


def measure_tls(srv, mode, secs, procs):
    time.sleep(0.1)
    c0, m0 = cpu_ticks(srv.pid), machine_ticks()
    n, dt, ccpu, resumed, full = s_time(srv.tls_port, mode, secs, procs)
    time.sleep(0.1)
    c1, m1 = cpu_ticks(srv.pid), machine_ticks()
    return dict(n=n, secs=dt, rate=n / dt, cpu_ms=(c1 - c0) * 1000.0 / TICK / n if n else 0,
                client_ms=ccpu * 1000.0 / n if n else 0, resumed=resumed, full=full,
                others=max(0.0, ((m1 - m0) - (c1 - c0)) / TICK - ccpu) / (dt + 0.1))


def negotiated(port, extra=()):
    """'TLSv1.3, TLS_AES_256_GCM_SHA384, X25519, RSA-PSS' from s_client -brief."""
    p = subprocess.run([OPENSSL, "s_client", "-connect", "127.0.0.1:%d" % port, "-brief",
                        *extra], input="", capture_output=True, text=True, timeout=30)
    text = p.stdout + p.stderr
    out = []
    for key in ("Protocol version", "Ciphersuite", "Server Temp Key", "Signature type"):
        m = re.search(r"^%s: (.*)$" % key, text, re.M)
        out.append(m.group(1).strip() if m else "?")
    return ", ".join(out)


# ---------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("binary", nargs="?")
    ap.add_argument("--seconds", type=float, default=2.0, help="length of a timed login run")
    ap.add_argument("--reps", type=int, default=3, help="timed login runs per server, hash "
                    "and concurrency (the fastest is reported)")
    ap.add_argument("--conc", default="1,10,50")
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--tls-time", type=int, default=5, help="s_time -time")
    ap.add_argument("--tls-reps", type=int, default=2, help="s_time runs per server, mode "
                    "and parallelism (the fastest is reported)")
    ap.add_argument("--hashes", default="yescrypt,sha512")
    args = ap.parse_args()
    concs = [int(c) for c in args.conc.split(",")]
    hashes = args.hashes.split(",")
    binary = smtp_bench.find_binary(args.binary, "bench/auth")
    if binary is None:
        return 2
    if os.geteuid() != 0:
        print("bench/auth needs root (Postfix's master, Dovecot)", file=sys.stderr)
        return 77
    for tool in (oracle.POSTFIX, DOVECOT, OPENSSL):
        if not os.access(tool, os.X_OK):
            print("bench/auth: %s is missing" % tool, file=sys.stderr)
            return 77

    def on_term(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_term)

    def say(text):
        print("bench/auth: " + text, file=sys.stderr, flush=True)

    t_start = time.monotonic()
    load0 = os.getloadavg()
    oracle.reap_stale()
    work = tempfile.mkdtemp(prefix="sp-bench-auth-")
    os.chmod(work, 0o755)
    errors, problems = [], {}
    results = {h: {c: {} for c in concs} for h in hashes}
    tls, proto = {}, {}
    servers, dovecots = [], []
    users = make_users(args.users)
    tokens = [base64.b64encode(("\0%s\0%s" % (u, p)).encode()) for u, p in users.items()]
    key, cert = os.path.join(work, "key.pem"), os.path.join(work, "cert.pem")
    subprocess.run([OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "2", "-subj", "/CN=mx.example.com"], check=True,
                   capture_output=True, timeout=60)
    os.chmod(key, 0o600)
    common = [l.format(cert=cert, key=key) for l in COMMON]
    passwd = {}
    S, SD, P = "sallyport", "sallyport+Dovecot", "Postfix+Dovecot"

    def start_all(text):
        d = BenchDovecot(text)
        dovecots.append(d)
        sp = SallyportServer(S, binary, common + SP_BUILTIN, text)
        servers.append(sp)
        spd = SallyportServer(SD, binary, common + [l.format(sasl_path=d.paths["sallyport"])
                                                    for l in WITH_DOVECOT])
        spd.dovecot = d
        servers.append(spd)
        pf = PostfixServer(common + [l.format(sasl_path=d.paths["postfix"])
                                     for l in WITH_DOVECOT], d)
        pf.dovecot = d
        servers.append(pf)

    def stop_all():
        for s in servers:
            problems.setdefault(s.name, [])
            problems[s.name] += [p for p in s.problems() if p not in problems[s.name]]
            s.stop()
        for d in dovecots:
            problems.setdefault("Dovecot", [])
            problems["Dovecot"] += [p for p in d.problems() if p not in problems["Dovecot"]]
            d.stop()
            shutil.rmtree(d.dir, ignore_errors=True)
        servers[:], dovecots[:] = [], []

    dovecot_procs, crypt_ms = {}, {}
    try:
        say("%d users; hashing" % args.users)
        for h in hashes:
            passwd[h] = (yescrypt_passwd(binary, users, work) if h == "yescrypt"
                         else sha512_passwd(users))
            crypt_ms[h] = crypt_cost(passwd[h], users, 10 if h == "yescrypt" else 100)
            say("%s: libcrypt alone %s ms per check" % (h, fmt(crypt_ms[h], 3)))
        for h in hashes:
            stop_all()
            start_all(passwd[h])
            say("%s: servers started (ports: %s)" % (
                h, ", ".join("%s %d/%d" % (s.name, s.port, s.tls_port) for s in servers)))
            for conc in concs:
                for rep in range(args.reps):
                    for srv in (servers if rep % 2 == 0 else servers[::-1]):
                        r = measure_logins(srv, tokens, conc, args.seconds, errors, h)
                        best = results[h][conc].get(srv.name)
                        r["rates"] = (best["rates"] if best else []) + [r["rate"]]
                        if best is None or r["rate"] > best["rate"]:
                            results[h][conc][srv.name] = r
                        else:
                            best["rates"] = r["rates"]
                        say("%s, concurrency %d, %s: %d logins, %.0f logins/s, %.3f CPU "
                            "ms/login (Dovecot %.3f), client %.3f ms/login, other "
                            "processes %.2f cores" % (
                                h, conc, srv.name, r["n"], r["rate"], r["cpu_ms"],
                                r["dov_ms"], r["client_ms"], r["others"]))
            d = dovecots[0]
            dovecot_procs[h] = sorted(
                open("/proc/%d/cmdline" % p, "rb").read().split(b"\0")[0].decode(errors="replace")
                for p in smtp_bench.tree(d.master_pid()))
        # TLS, on the servers of the last hash setting (no AUTH: Dovecot idle)
        tsrv = [s for s in servers if s.name in (S, P)]
        for srv in tsrv:
            proto[srv.name] = (negotiated(srv.tls_port), negotiated(srv.tls_port, ["-tls1_2"]))
        logs0 = {s.name: len(s.log()) for s in tsrv}
        k = 0
        for mode in ("full", "resumed"):
            for procs in (1, 2):
                for rep in range(args.tls_reps):
                    k += 1
                    for srv in (tsrv if k % 2 else tsrv[::-1]):
                        r = measure_tls(srv, mode, args.tls_time, procs)
                        best = tls.get((mode, procs, srv.name))
                        r["rates"] = (best["rates"] if best else []) + [r["rate"]]
                        if best is None or r["rate"] > best["rate"]:
                            tls[(mode, procs, srv.name)] = r
                        else:
                            best["rates"] = r["rates"]
                        say("TLS %s, %d s_time, %s: %d handshakes (%d resumed), %.0f/s, %.3f "
                            "CPU ms each, s_time %.3f ms each, other processes %.2f cores" % (
                                mode, procs, srv.name, r["n"], r["resumed"], r["rate"],
                                r["cpu_ms"], r["client_ms"], r["others"]))
        tls_errors = {s.name: len(re.findall(r"SSL_accept error|TLS handshake failed|"
                                             r"(warning|error): .*TLS", s.log()[logs0[s.name]:]))
                      for s in tsrv}
        stop_all()
    except KeyboardInterrupt:
        say("interrupted")
        return 130
    finally:
        try:
            stop_all()
        finally:
            shutil.rmtree(work, ignore_errors=True)
    elapsed = time.monotonic() - t_start
    load1 = os.getloadavg()

    pf_version = subprocess.run(["postconf", "-d", "-h", "mail_version"], capture_output=True,
                                text=True).stdout.strip()
    dv_version = subprocess.run([DOVECOT, "--version"], capture_output=True,
                                text=True).stdout.strip()
    ssl_version = subprocess.run([OPENSSL, "version"], capture_output=True,
                                 text=True).stdout.strip()
    rel = os.path.relpath(binary, ROOT) if binary.startswith(ROOT + os.sep) else binary
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    print("## SMTP AUTH and TLS (bench/auth)\n")
    print("Machine: %d cores; %s; one run of `sudo /usr/bin/python3 bench/auth/run.py %s` "
          "(%.0f s in all), a release build of the working tree at HEAD %s; Postfix %s, Dovecot %s, %s. Clients and "
          "servers share the cores; load average (1/5 min) %.1f/%.1f at the start, %.1f/%.1f "
          "at the end.\n" % (os.cpu_count(), time.strftime("%Y-%m-%d"), rel, elapsed, commit,
                             pf_version, dv_version.split()[0], ssl_version.split(" (")[0],
                             load0[0], load0[1], load1[0], load1[1]))
    print("Servers, all on 127.0.0.1 in one run: **sallyport** with its built-in auth server "
          "(`smtpd_sasl_type = sallyport`: the `auth` process the master starts, libcrypt's "
          "crypt_rn() on %d threads); **sallyport+Dovecot** (`smtpd_sasl_type = dovecot`, "
          "a listener of a real Dovecot); **Postfix+Dovecot** (a private Postfix from "
          "tests/policy/oracle.py, `smtpd_sasl_type = dovecot`, the same Dovecot, another "
          "listener). The Dovecot is tests/integration/test_sasl.py's (auth service only) "
          "with `passdb { driver = passwd-file; args = FILE }`: default scheme CRYPT, libc "
          "crypt(); auth cache off (`auth_cache_size = 0`, its default). All three read the "
          "same passwd-file text: %d users with random passwords, hashed two ways, each "
          "measured on freshly started servers: **yescrypt** (`sallyport user add`: "
          "`{CRYPT}$y$j9T$...`, libxcrypt's default cost) and **SHA512-CRYPT** (`openssl "
          "passwd -6`: `{CRYPT}$6$...`, 5000 rounds).\n"
          % (min(16, os.cpu_count() or 1), args.users))
    print("Method (logins). The script's own asyncio client (one process, one thread) opens "
          "a connection, reads the 220, `EHLO %s`, `AUTH PLAIN <initial response>` (the users "
          "in turn), requires 235, QUIT, reads the 221: one login per connection, CONC "
          "connections in flight. Every AUTH got 235 unless an error is listed below. "
          "`smtpd_tls_auth_only = no` everywhere: plaintext AUTH, no TLS in these figures. "
          "Per hash, concurrency and server: an untimed warm-up of max(CONC, 20) logins, "
          "then N logins sized to take about %g s (at most %d); logins/s = N / wall "
          "seconds; %d timed runs per server, in alternating order, the fastest reported "
          "(the others in brackets). CPU ms per login = utime + stime + cutime + cstime from "
          "/proc/PID/stat over the server's process tree (sallyport: master, workers "
          "(one per two cores for each of the 2 smtpd services), auth; "
          "Postfix: master, smtpd processes, anvil, proxymap, trivial-rewrite, postlogd, "
          "tlsmgr), **plus, for the two Dovecot-backed servers, Dovecot's whole tree** (its "
          "master and children: %s), before and after the timed run, divided by N; the "
          "Dovecot share is also given alone. The client's own CPU (time.process_time()) "
          "runs on the same 2 cores. Other processes' CPU: the machine's user + nice + "
          "system ticks (/proc/stat) during the run minus the server's (and Dovecot's) and "
          "the client's, in cores: work of others that shared the machine (this script's "
          "/proc reads and scheduling noise included).\n"
          % (HELO, args.seconds, MAX_LOGINS, args.reps,
             ", ".join(sorted(set(os.path.basename(p) for p in
                                  dovecot_procs.get(hashes[-1], [])) - {"dovecot"})) or "?"))
    print("All %d logins of the run (warm-ups included) got 235: **%s**.\n"
          % (TOTALS[0], "yes" if TOTALS[0] == TOTALS[1] else
             "no, %d did not" % (TOTALS[0] - TOTALS[1])))
    print("Configuration (all three; oracle.py's base lines, then):\n")
    for l in COMMON:
        print("    " + l.format(cert="DIR/cert.pem", key="DIR/key.pem"))
    print("    # sallyport:         smtpd_sasl_type = sallyport, auth_passwd_file = {dir}/passwd")
    print("    # the other two:     smtpd_sasl_type = dovecot, smtpd_sasl_path = "
          "/abs/path/of/its/dovecot/listener")
    print("    # master.cf (sallyport and Postfix): a second smtpd, "
          "-o smtpd_tls_wrappermode=yes; Postfix also tlsmgr\n")
    labels = {"yescrypt": "yescrypt ($y$, `sallyport user add`)",
              "sha512": "SHA512-CRYPT ($6$, 5000 rounds)"}
    for h in hashes:
        print("Logins, %s; libcrypt alone takes %s CPU ms per check here (Python's crypt "
              "module, i.e. crypt_r(3) of the same libcrypt, one thread, best of 3 passes):\n"
              % (labels.get(h, h), fmt(crypt_ms.get(h), 3)))
        print("| concurrency | logins (sallyport / sallyport+Dovecot / Postfix+Dovecot) "
              "| logins/s sallyport | logins/s sallyport+Dovecot | logins/s Postfix+Dovecot "
              "| ratio sallyport / Postfix+Dovecot | ratio sallyport+Dovecot / Postfix+Dovecot "
              "| CPU ms/login sallyport | CPU ms/login sallyport+Dovecot (Dovecot's part) "
              "| CPU ms/login Postfix+Dovecot (Dovecot's part) "
              "| ratio Postfix+Dovecot / sallyport CPU "
              "| ratio Postfix+Dovecot / sallyport+Dovecot CPU "
              "| client CPU ms/login (to the three) "
              "| other processes' CPU, cores (during the three) |")
        print("| --- " * 14 + "|")
        for conc in concs:
            r = results[h][conc]
            if len(r) < 3:
                continue

            def rate(x):
                others = list(x["rates"])
                others.remove(x["rate"])
                return "%.0f" % x["rate"] + (" (%s)" % ", ".join("%.0f" % o for o in others)
                                             if others else "")
            print("| %d | %d / %d / %d | %s | %s | %s | %s | %s | %.3f | %.3f (%.3f) "
                  "| %.3f (%.3f) | %s | %s | %.3f / %.3f / %.3f | %.2f / %.2f / %.2f |" % (
                      conc, r[S]["n"], r[SD]["n"], r[P]["n"], rate(r[S]), rate(r[SD]),
                      rate(r[P]), ratio(r[S]["rate"], r[P]["rate"], 2),
                      ratio(r[SD]["rate"], r[P]["rate"], 2), r[S]["cpu_ms"],
                      r[SD]["cpu_ms"], r[SD]["dov_ms"], r[P]["cpu_ms"], r[P]["dov_ms"],
                      ratio(r[P]["cpu_ms"], r[S]["cpu_ms"], 2),
                      ratio(r[P]["cpu_ms"], r[SD]["cpu_ms"], 2),
                      r[S]["client_ms"], r[SD]["client_ms"], r[P]["client_ms"],
                      r[S]["others"], r[SD]["others"], r[P]["others"]))
        print()
    if tls:
        print("Method (TLS). sallyport (the built-in-auth instance above, after the last "
              "login runs) and Postfix each have a second smtpd service with `-o "
              "smtpd_tls_wrappermode=yes` (implicit TLS, as on port 465), the same "
              "self-signed RSA-2048 certificate (`openssl req -x509 -newkey rsa:2048`), "
              "`smtpd_tls_security_level = may`; Postfix also has tlsmgr in master.cf (its "
              "session ticket keys), sallyport's master makes its own ticket keys. `openssl "
              "s_time -connect 127.0.0.1:PORT -new -time %d` (full handshakes, TLS 1.3) and "
              "`-reuse -tls1_2 -time %d` (resumed handshakes: s_time never reads after the "
              "handshake, so over TLS 1.3 it never receives a ticket and every `-reuse` "
              "connection is a full handshake again; with TLS 1.2 it resumes), 1 and then 2 "
              "s_time processes in parallel, %d runs per server each, in alternating order, the "
              "fastest reported (the other in brackets) with its CPU figures; handshakes/s = "
              "the connections the s_time processes counted / wall seconds; server CPU per handshake and other processes' "
              "CPU as above (the server's process tree); s_time's own CPU (it shares the "
              "cores) too. s_time "
              "closes each connection right after the handshake, so each server also sends "
              "its 220 greeting and logs a lost connection per handshake.\n"
              % (args.tls_time, args.tls_time, args.tls_reps))
        for name in (S, P):
            if name in proto:
                print("- negotiated with %s (s_client -brief; protocol, cipher, key exchange, "
                      "signature): default %s; with -tls1_2 %s" % (
                          name.split("+")[0], *proto[name]))
        print()
        print("| handshakes | s_time processes | handshakes sallyport / Postfix "
              "| resumed (s_time `r`) sallyport / Postfix | handshakes/s sallyport "
              "| handshakes/s Postfix | ratio sallyport / Postfix | CPU ms/handshake sallyport "
              "| CPU ms/handshake Postfix | ratio Postfix / sallyport CPU "
              "| s_time CPU ms/handshake (to sallyport / Postfix) "
              "| other processes' CPU, cores (sallyport / Postfix runs) |")
        print("| --- " * 12 + "|")
        for mode in ("full", "resumed"):
            for procs in (1, 2):
                a, b = tls.get((mode, procs, S)), tls.get((mode, procs, P))
                if not a or not b:
                    continue
                def trate(x):
                    others = list(x["rates"])
                    others.remove(x["rate"])
                    return "%.0f" % x["rate"] + (" (%s)" % ", ".join("%.0f" % o for o in others)
                                                 if others else "")
                print("| %s | %d | %d / %d | %d / %d | %s | %s | %s | %.3f | %.3f | %s "
                      "| %.3f / %.3f | %.2f / %.2f |" % (
                          "full (TLS 1.3, -new)" if mode == "full" else
                          "resumed (TLS 1.2, -reuse)", procs, a["n"], b["n"], a["resumed"],
                          b["resumed"], trate(a), trate(b), ratio(a["rate"], b["rate"], 2),
                          a["cpu_ms"], b["cpu_ms"], ratio(b["cpu_ms"], a["cpu_ms"], 2),
                          a["client_ms"], b["client_ms"], a["others"], b["others"]))
        print()
        print("TLS errors logged by the servers during the TLS runs (SSL_accept errors, "
              "failed handshakes): sallyport %d, Postfix %d.\n" % (
                  tls_errors.get(S, 0), tls_errors.get(P, 0)))
    if errors:
        print("Errors:\n")
        for e in errors:
            print("- " + e)
        print()
    for name, lines in problems.items():
        for l in lines[:5]:
            print("- %s logged: %s" % (name, l[-200:]))
    if any(problems.values()):
        print()
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
