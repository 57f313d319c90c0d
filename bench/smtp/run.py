#!/usr/bin/env python3
"""bench/smtp: how fast sallyport receives mail over SMTP, beside Postfix
and smtp-sink on the same machine in the same run.

    sudo python3 bench/smtp/run.py [SALLYPORT] [--seconds 2.5] [--reps 3]
                                   [--idle 1000] [--conc 1,10,50,200]

SALLYPORT is the binary (default build-release/sallyport, else
build/sallyport); nothing is built here.  Three servers listen on
127.0.0.1, each on a free port, in temporary directories (removed at the
end):

  sallyport  `sallyport start -f -c DIR`: its master and worker processes,
             queue_directory in DIR (fsync of the file, rename into active/,
             fsync of the directory before the 250).
  Postfix    a private instance from tests/policy/oracle.py (PostfixInstance:
             smtpd, cleanup, trivial-rewrite, proxymap, anvil, postlogd; no
             qmgr).  cleanup fsyncs the queue file in incoming/ before smtpd
             sends the 250; with no qmgr the message stays in incoming/,
             which is what receiving costs (nothing is delivered).
  smtp-sink  Postfix's protocol-only test server (one process, no file, no
             restriction): the bound of the SMTP dialogue on this machine.

sallyport and Postfix get the same main.cf lines (COMMON below: domain,
users, mynetworks, restrictions, no DNS), Postfix also
default_process_limit = 1100 so that it can hold the idle sessions.

Throughput: for each concurrency, for each server (--reps times, in
alternating order; the fastest run is reported), Postfix's smtp-source
sends 5,120-byte messages (-l 5120, plus its few header lines), one
connection per message (its default; -d is not given), one recipient,
with -s CONC sessions in parallel: first an untimed warm-up of
max(CONC, 50) messages (processes started, caches warm; its rate sizes the
timed run), then a timed run of N messages with N chosen to take about
--seconds.  msgs/s = N / wall-clock seconds of smtp-source.  Afterwards the
queue must hold exactly the messages sent (sallyport: files in active/;
Postfix: complete files in incoming/, mode u+x), so "accepted" means queued.
CPU per message: utime+stime+cutime+cstime (clock ticks, /proc/PID/stat)
summed over the server's process tree (the master and all its
descendants; a process that exits is counted in its parent's cutime)
before and after the timed run, divided by N.  smtp-source's own CPU time
(it shares the machine's cores) is given too.

Idle sessions (sallyport and Postfix; smtp-sink holds 256 connections at
most): on freshly started servers (after 20 messages each), the
PSS (/proc/PID/smaps_rollup) of the process tree is summed, --idle
connections are opened and each greeting is read, and the PSS is summed
again; (after - before) / --idle is the memory per idle session.

Durability: with strace attached to the whole process tree, one message is
sent; the check is that an fsync returned before the 250 reply was written.

Only 127.0.0.1 is contacted.  Needs root (Postfix's master, strace), the
postfix package (smtp-source, smtp-sink) and strace.  About 2 minutes.  Prints a Markdown section for bench/RESULTS.md.
"""
import argparse
import os
import re
import resource
import shutil
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "policy"))
import oracle  # noqa: E402

SMTP_SOURCE = "/usr/sbin/smtp-source"
SMTP_SINK = "/usr/sbin/smtp-sink"
STRACE = shutil.which("strace") or "/usr/bin/strace"
MSG_LEN = 5120
SENDER = "sender@example.net"
RCPT = "alice@example.com"
HELO = "client.example.net"
USERS = ["alice", "bob", "carol", "dave", "erin"]
MAX_MESSAGES = 40_000       # per timed run, whatever the rate
RUN_TIMEOUT = 60            # seconds, per smtp-source run
TICK = os.sysconf("SC_CLK_TCK")

# The same for both servers: an MX for example.com with a few mailboxes.
COMMON = [
    "mynetworks = 127.0.0.0/8",
    "mydestination = $myhostname, localhost",
    "virtual_mailbox_domains = example.com",
    "virtual_mailbox_maps = texthash:${config_directory}/vmailbox",
    "smtpd_helo_required = yes",
    "smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination",
    "smtpd_recipient_restrictions = reject_non_fqdn_sender, reject_non_fqdn_recipient, "
    "reject_unlisted_recipient, permit",
    "smtpd_peername_lookup = no",
    # Both check every DATA line for bare newlines, even from $mynetworks.
    "smtpd_forbid_bare_newline = reject",
    "smtpd_forbid_bare_newline_exclusions =",
]
FILES = {"vmailbox": "".join("%s@example.com example.com/%s/\n" % (u, u) for u in USERS)}
POSTFIX_ONLY = ["default_process_limit = 1100"]


# ---------------------------------------------------------------------------
# /proc


def proc_table():
    """{pid: (ppid, ticks incl. reaped children, state)} of every process."""
    out = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        # fields[0] is stat field 3 (state): utime..cstime are fields 14..17
        ticks = sum(int(x) for x in fields[11:15])
        out[int(entry)] = (int(fields[1]), ticks, fields[0])
    return out


def tree(root, table=None):
    """root and all its descendants."""
    table = table or proc_table()
    kids = {}
    for pid, (ppid, _, _) in table.items():
        kids.setdefault(ppid, []).append(pid)
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        if pid in table:
            out.append(pid)
            todo.extend(kids.get(pid, ()))
    return out


def cpu_ticks(root):
    table = proc_table()
    return sum(table[p][1] for p in tree(root, table))


def pss_kb(root):
    total, n = 0, 0
    for pid in tree(root):
        try:
            with open("/proc/%d/smaps_rollup" % pid) as f:
                for line in f:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1])
                        n += 1
                        break
        except OSError:
            pass
    return total, n


def listen_overflows():
    """TcpExt ListenOverflows of the whole machine (/proc/net/netstat): SYNs
    dropped because a listen queue was full; each costs its client a 1 s retry."""
    try:
        with open("/proc/net/netstat") as f:
            lines = f.read().splitlines()
    except OSError:
        return 0
    for names, values in zip(lines[::2], lines[1::2]):
        if names.startswith("TcpExt:"):
            d = dict(zip(names.split()[1:], values.split()[1:]))
            return int(d.get("ListenOverflows", 0))
    return 0


# ---------------------------------------------------------------------------
# The servers


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, alive, what, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive():
            raise RuntimeError("%s exited at start-up" % what)
        try:
            with socket.create_connection(("127.0.0.1", port), 1) as s:
                s.settimeout(5)
                if s.recv(512).startswith(b"220"):
                    s.sendall(b"QUIT\r\n")
                    return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError("%s does not answer on port %d" % (what, port))


class Sallyport:
    name = "sallyport"

    def __init__(self, binary, work):
        self.binary, self.dir = binary, tempfile.mkdtemp(prefix="sallyport-", dir=work)
        os.chmod(self.dir, 0o755)   # the workers run as mail_owner and must get in
        self.port = free_port()
        self.qdir = os.path.join(self.dir, "queue")
        with open(os.path.join(self.dir, "main.cf"), "w") as f:
            f.write("\n".join(oracle.POLICY_BASE + COMMON +
                              ["queue_directory = %s" % self.qdir]) + "\n")
        for name, text in FILES.items():
            with open(os.path.join(self.dir, name), "w") as f:
                f.write(text)
        with open(os.path.join(self.dir, "master.cf"), "w") as f:
            f.write("127.0.0.1:%d inet n - n - - smtpd\n" % self.port)
        self.log = open(os.path.join(self.dir, "log"), "w")
        self.proc = subprocess.Popen([binary, "start", "-f", "-c", self.dir],
                                     stdout=self.log, stderr=self.log)
        self.pid = self.proc.pid
        try:
            wait_port(self.port, lambda: self.proc.poll() is None, "sallyport")
        except RuntimeError as e:
            self.stop()
            raise RuntimeError("%s: %s" % (e, self.log_tail()))

    def queued(self):
        try:
            return len(os.listdir(os.path.join(self.qdir, "active")))
        except OSError:
            return 0

    def log_tail(self, n=10):
        self.log.flush()
        with open(os.path.join(self.dir, "log"), errors="replace") as f:
            return "\n".join(f.read().splitlines()[-n:])

    def problems(self):
        self.log.flush()
        with open(os.path.join(self.dir, "log"), errors="replace") as f:
            return [l for l in f.read().splitlines()
                    if re.search(r": (warning|error|fatal|panic): ", l)]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


class Postfix:
    name = "Postfix"

    def __init__(self):
        case = oracle.Case("bench/smtp")
        case.maincf = COMMON + POSTFIX_ONLY
        case.files = dict(FILES)
        self.inst = oracle.PostfixInstance(case)
        self.inst.__enter__()
        self.port, self.pid = self.inst.port_lock.port, self.inst.master_pid
        self.incoming = os.path.join(self.inst.dir, "spool", "incoming")
        try:
            wait_port(self.port, lambda: True, "Postfix")
        except RuntimeError as e:
            self.stop()
            raise RuntimeError("%s: %s" % (e, self.inst.log_tail()))

    def queued(self):
        n = 0
        for name in os.listdir(self.incoming):
            try:
                n += bool(os.stat(os.path.join(self.incoming, name)).st_mode & 0o100)
            except OSError:
                pass
        return n

    def problems(self):
        return [w for w in oracle.warnings_of(self.inst.log()) if "public/qmgr" not in w]

    def stop(self):
        self.inst.__exit__(None, None, None)


class Sink:
    name = "smtp-sink"

    def __init__(self, work):
        self.port = free_port()
        self.log = open(os.path.join(work, "smtp-sink.log"), "w")
        self.proc = subprocess.Popen([SMTP_SINK, "-u", "nobody", "127.0.0.1:%d" % self.port,
                                      "1024"], stdout=self.log, stderr=self.log)
        self.pid = self.proc.pid
        wait_port(self.port, lambda: self.proc.poll() is None, "smtp-sink")

    def queued(self):
        return None

    def problems(self):
        return []

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.log.close()


# ---------------------------------------------------------------------------
# Measurements


def source(port, conc, n):
    """smtp-source: n messages, conc sessions; (seconds, its CPU s, exit, stderr)."""
    cmd = [SMTP_SOURCE, "-s", str(conc), "-m", str(n), "-l", str(MSG_LEN), "-M", HELO,
           "-f", SENDER, "-t", RCPT, "127.0.0.1:%d" % port]
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=RUN_TIMEOUT)
    dt = time.perf_counter() - t0
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
    return dt, cpu, p.returncode, (p.stdout + p.stderr).strip()


def throughput(srv, conc, seconds, errors):
    """Warm-up, then the timed run; a result dict."""
    q0 = srv.queued()
    warm = max(conc, 50)
    dt, _, rc, out = source(srv.port, conc, warm)
    if rc != 0:
        errors.append("%s, concurrency %d, warm-up: smtp-source exit %d: %s"
                      % (srv.name, conc, rc, out[-300:]))
    rate = warm / dt
    n = int(min(MAX_MESSAGES, max(4 * conc, 100, rate * seconds)))
    q1 = srv.queued()
    c0, o0 = cpu_ticks(srv.pid), listen_overflows()
    dt, src_cpu, rc, out = source(srv.port, conc, n)
    c1, o1 = cpu_ticks(srv.pid), listen_overflows()
    time.sleep(0.05)
    q2 = srv.queued()
    if rc != 0:
        errors.append("%s, concurrency %d: smtp-source exit %d: %s"
                      % (srv.name, conc, rc, out[-300:]))
    if q2 is not None and (q1 - q0 != warm or q2 - q1 != n):
        errors.append("%s, concurrency %d: %d of %d warm-up and %d of %d timed messages "
                      "queued" % (srv.name, conc, q1 - q0, warm, q2 - q1, n))
    return dict(n=n, secs=dt, rate=n / dt, cpu_ms=(c1 - c0) * 1000.0 / TICK / n,
                src_cpu_ms=src_cpu * 1000.0 / n, overflows=o1 - o0, ok=rc == 0 and (
                    q2 is None or q2 - q1 == n))


def idle_sessions(srv, count, errors):
    """PSS per idle session in KB, processes before and after."""
    source(srv.port, 1, 20)   # as a server that has run a while: lazy set-up done
    time.sleep(0.3)
    before, nproc0 = pss_kb(srv.pid)
    socks, failed = [], None
    t0 = time.monotonic()
    try:
        for i in range(count):
            s = None
            try:
                s = socket.create_connection(("127.0.0.1", srv.port), 30)
                s.settimeout(30)
                buf = b""
                while b"\r\n" not in buf:
                    data = s.recv(512)
                    if not data:
                        raise ConnectionError("closed before the greeting")
                    buf += data
                socks.append(s)
                if not buf.startswith(b"220"):
                    raise ConnectionError("greeting " + buf.decode(errors="replace").strip())
            except OSError as e:
                failed = "session %d of %d: %s" % (i + 1, count, e)
                if s is not None and s not in socks:
                    s.close()
                break
        opened = time.monotonic() - t0
        time.sleep(1.0)
        after, nproc1 = pss_kb(srv.pid)
        # Still all there?
        alive = 0
        for s in socks:
            try:
                s.setblocking(False)
                alive += 0 if s.recv(1) == b"" else 1
            except BlockingIOError:
                alive += 1
            except OSError:
                pass
    finally:
        for s in socks:
            s.close()
    if failed:
        errors.append("%s: idle sessions: %s" % (srv.name, failed))
    if alive != len(socks):
        errors.append("%s: idle sessions: %d of %d closed by the server while idle"
                      % (srv.name, len(socks) - alive, len(socks)))
    n = max(1, len(socks))
    return dict(kb=(after - before) / n, n=len(socks), procs=(nproc0, nproc1),
                before=before, after=after, open_s=opened)


def durability(srv, work):
    """strace the server's processes while one message is sent: does an fsync
    return before the 250 is written?  (verdict text, syscall counts)"""
    out = os.path.join(work, "strace-%s.txt" % srv.name)
    pids = tree(srv.pid)
    cmd = [STRACE, "-f", "-qq", "-tt", "-s", "48", "-o", out,
           "-e", "trace=fsync,fdatasync,sync_file_range,rename,renameat,renameat2,"
                 "write,writev,sendto,sendmsg"]
    for p in pids:
        cmd += ["-p", str(p)]
    st = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)   # attached
    try:
        with smtplib.SMTP("127.0.0.1", srv.port, HELO, timeout=30) as c:
            c.sendmail(SENDER, [RCPT], "Subject: durability\r\n\r\n" + "x" * 100 + "\r\n")
        time.sleep(0.3)
    finally:
        st.send_signal(signal.SIGINT)
        try:
            st.wait(10)
        except subprocess.TimeoutExpired:
            st.kill()
            st.wait()
    with open(out, errors="replace") as f:
        lines = f.read().splitlines()
    fsyncs = renames = 0
    first_250 = None
    for i, l in enumerate(lines):
        if re.search(r"\b(fsync|fdatasync)\(.*= 0$|<\.\.\. (fsync|fdatasync) resumed>.*= 0$", l):
            if first_250 is None:
                fsyncs += 1
        if re.search(r"\brename(at2?)?\(|<\.\.\. rename(at2?)? resumed>", l) and first_250 is None:
            renames += "resumed" not in l
        if first_250 is None and re.search(r"(write|writev|sendto|sendmsg)\(.*250 2\.0\.0", l):
            first_250 = i
    if first_250 is None:
        return "no 250 seen in strace output", fsyncs, renames
    return ("yes" if fsyncs else "no"), fsyncs, renames


# ---------------------------------------------------------------------------


def filesystem(path):
    """'ext4 on /dev/vda, no journal' or so: what an fsync costs depends on it."""
    try:
        src, fstype = subprocess.run(["findmnt", "-no", "SOURCE,FSTYPE", "-T", path],
                                     capture_output=True, text=True).stdout.split()[:2]
    except (OSError, ValueError):
        return "unknown file system"
    text = "%s on %s" % (fstype, src)
    if fstype in ("ext3", "ext4"):
        try:
            journals = os.listdir("/proc/fs/jbd2")
        except OSError:
            journals = []
        dev = os.path.basename(src)
        text += ", with a journal" if any(j.startswith(dev + "-") for j in journals) \
            else ", without a journal (no /proc/fs/jbd2 entry)"
    return text


def fmt(x, digits=0):
    return "%.*f" % (digits, x) if x is not None else "n/a"


def ratio(a, b, digits=1):
    return "%.*f" % (digits, a / b) if a and b else "n/a"


def find_binary(given, who):
    """The sallyport binary: the one given, else build-release/ or build/; None
    (said on stderr) when there is none."""
    binary = given
    if binary is None:
        for cand in ("build-release/sallyport", "build/sallyport"):
            if os.access(os.path.join(ROOT, cand), os.X_OK):
                binary = os.path.join(ROOT, cand)
                break
    if not binary or not os.access(binary, os.X_OK):
        print("%s: no sallyport binary (give its path)" % who, file=sys.stderr)
        return None
    return os.path.abspath(binary)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("binary", nargs="?")
    ap.add_argument("--seconds", type=float, default=2.5, help="length of a timed run")
    ap.add_argument("--reps", type=int, default=3, help="timed runs per server and "
                    "concurrency (the fastest is reported)")
    ap.add_argument("--idle", type=int, default=1000, help="idle sessions per server")
    ap.add_argument("--conc", default="1,10,50,200")
    args = ap.parse_args()
    concs = [int(c) for c in args.conc.split(",")]
    binary = find_binary(args.binary, "bench/smtp")
    if binary is None:
        return 2
    if os.geteuid() != 0:
        print("bench/smtp needs root (Postfix's master, strace)", file=sys.stderr)
        return 77
    for tool in (SMTP_SOURCE, SMTP_SINK, oracle.POSTFIX, STRACE):
        if not os.access(tool, os.X_OK):
            print("bench/smtp: %s is missing" % tool, file=sys.stderr)
            return 77
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = max(soft, min(hard, 4 * args.idle + 100))
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))

    def on_term(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_term)

    t_start = time.monotonic()
    load0 = os.getloadavg()[0]
    oracle.reap_stale()
    work = tempfile.mkdtemp(prefix="sp-bench-smtp-")
    os.chmod(work, 0o755)
    fs = filesystem(work)
    errors, problems = [], {}
    results = {c: {} for c in concs}
    idle, durable, overflows = {}, {}, {}
    servers = []

    def start_all():
        servers[:] = []
        servers.append(Sallyport(binary, work))
        servers.append(Postfix())
        servers.append(Sink(work))
        return servers

    def stop_all():
        for s in servers:
            problems.setdefault(s.name, [])
            problems[s.name] += [p for p in s.problems() if p not in problems[s.name]]
            s.stop()
        servers[:] = []

    try:
        # 1. idle sessions, on fresh servers (so that no idle process of an
        #    earlier run holds a session for free), then stopped
        for srv in start_all():
            if isinstance(srv, Sink):
                continue   # holds 256 sessions at most; not a subject here
            idle[srv.name] = idle_sessions(srv, args.idle, errors)
            print("bench/smtp: %s: %.1f KB per idle session (%d sessions, %d -> %d processes)"
                  % (srv.name, idle[srv.name]["kb"], idle[srv.name]["n"],
                     *idle[srv.name]["procs"]), file=sys.stderr, flush=True)
        stop_all()
        # 2. durability and throughput, on fresh servers again
        for srv in start_all():
            durable[srv.name] = durability(srv, work)
        for conc in concs:
            for rep in range(args.reps):
                # alternate the order, so that no server always runs right after another
                for srv in (servers if rep % 2 == 0 else servers[::-1]):
                    r = throughput(srv, conc, args.seconds, errors)
                    best = results[conc].get(srv.name)
                    r["rates"] = (best["rates"] if best else []) + [r["rate"]]
                    if best is None or r["rate"] > best["rate"]:
                        results[conc][srv.name] = r
                    else:
                        best["rates"] = r["rates"]
                    overflows.setdefault(conc, {}).setdefault(srv.name, []).append(
                        r["overflows"])
                    print("bench/smtp: concurrency %d, %s: %d messages, %.0f msgs/s, "
                          "%.3f CPU ms/msg, %d listen queue overflows" % (
                              conc, srv.name, r["n"], r["rate"], r["cpu_ms"], r["overflows"]),
                          file=sys.stderr, flush=True)
        stop_all()
    except KeyboardInterrupt:
        print("bench/smtp: interrupted", file=sys.stderr)
        return 130
    finally:
        try:
            stop_all()
        finally:
            shutil.rmtree(work, ignore_errors=True)
    elapsed = time.monotonic() - t_start
    load1 = os.getloadavg()[0]

    pf_version = subprocess.run(["postconf", "-d", "-h", "mail_version"], capture_output=True,
                                text=True).stdout.strip()
    rel = os.path.relpath(binary, ROOT) if binary.startswith(ROOT + os.sep) else binary
    S, P, K = "sallyport", "Postfix", "smtp-sink"
    print("## SMTP receive (bench/smtp)\n")
    print("Machine: %d cores; %s; one run of `sudo python3 bench/smtp/run.py %s` (%.0f s in "
          "all); Postfix %s. smtp-source and the servers share the cores; load average "
          "(1 min) %.1f at the start, %.1f at the end. Both queues on %s.\n"
          % (os.cpu_count(), time.strftime("%Y-%m-%d"), rel, elapsed, pf_version, load0, load1,
             fs))
    print("Method. Postfix's `smtp-source -s CONC -m N -l %d -M %s -f %s -t %s 127.0.0.1:PORT` "
          "sends %d-byte bodies (plus its 4 header lines), one connection per message (no "
          "`-d`), one recipient, to each server in turn; an untimed warm-up of max(CONC, 50) "
          "messages, then N messages sized to take about %g s; msgs/s = N / wall-clock "
          "seconds; %d timed runs per server and concurrency, in alternating order, the "
          "fastest reported (the others' msgs/s in brackets) with its CPU figures. After each run the queue holds exactly the messages sent (sallyport: "
          "`active/`; Postfix: complete files in `incoming/`). CPU = utime + stime + cutime "
          "+ cstime from /proc/PID/stat over the server's process tree (master, workers or "
          "smtpd, cleanup, trivial-rewrite, anvil, proxymap, postlogd; exited processes via "
          "their parent's cutime), before and after the timed run, divided by N. Postfix "
          "is a private instance (tests/policy/oracle.py) whose master.cf has no qmgr: its "
          "smtpd and cleanup write and fsync the queue file in `incoming/` before the 250, "
          "and the message stays there, so this is the cost of receiving only (nothing is "
          "delivered by either). smtp-sink (one process, no file, no restriction) is the "
          "bound of the dialogue itself. Idle sessions (sallyport and Postfix): on freshly "
          "started servers (20 "
          "messages sent first), %d connections opened and greeted, then (sum of PSS from "
          "/proc/PID/smaps_rollup over the process tree - the sum before) / %d. Durability: "
          "strace on the server's processes while one message is sent. Listen queue "
          "overflows: TcpExt ListenOverflows of /proc/net/netstat during the timed runs (a "
          "dropped SYN costs its client a 1 s retry, and smtp-source's run waits for it).\n"
          % (MSG_LEN, HELO, SENDER, RCPT, MSG_LEN, args.seconds, args.reps, args.idle,
             args.idle))
    print("Configuration (both servers; oracle.py's base lines, then):\n")
    for l in COMMON:
        print("    " + l)
    print("    # vmailbox: %s at example.com\n" % ", ".join(USERS))
    print("(Postfix also `default_process_limit = 1100`, for the idle sessions; sallyport "
          "runs one worker per two cores, %d here.)\n" % max(1, min(16, ((os.cpu_count() or 1) + 1) // 2)))
    print("| concurrency | messages (sallyport / Postfix / smtp-sink) | msgs/s sallyport "
          "| msgs/s Postfix | msgs/s smtp-sink | ratio sallyport / Postfix "
          "| CPU ms/msg sallyport | CPU ms/msg Postfix | CPU ms/msg smtp-sink "
          "| ratio Postfix / sallyport CPU | smtp-source CPU ms/msg (to sallyport / Postfix) "
          "| listen queue overflows, all runs (sallyport / Postfix / smtp-sink) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for conc in concs:
        r = results[conc]
        if len(r) < 3:
            continue
        def rate(x):
            others = list(x["rates"])
            others.remove(x["rate"])
            return "%.0f" % x["rate"] + (" (%s)" % ", ".join("%.0f" % o for o in others)
                                         if others else "")
        print("| %d | %d / %d / %d | %s | %s | %s | %s | %.3f | %.3f | %.3f | %s "
              "| %.3f / %.3f | %s |" % (
                  conc, r[S]["n"], r[P]["n"], r[K]["n"], rate(r[S]), rate(r[P]),
                  rate(r[K]), ratio(r[S]["rate"], r[P]["rate"], 2), r[S]["cpu_ms"],
                  r[P]["cpu_ms"], r[K]["cpu_ms"], ratio(r[P]["cpu_ms"], r[S]["cpu_ms"]),
                  r[S]["src_cpu_ms"], r[P]["src_cpu_ms"],
                  " / ".join(str(sum(overflows[conc][x])) for x in (S, P, K))))
    print()
    if S in idle and P in idle:
        print("| %d idle sessions | sallyport | Postfix | ratio Postfix / sallyport |"
              % args.idle)
        print("| --- | --- | --- | --- |")
        print("| PSS per session, KB | %.1f | %.1f | %s |" % (
            idle[S]["kb"], idle[P]["kb"], ratio(idle[P]["kb"], idle[S]["kb"])))
        print("| sessions held | %d | %d | |" % (idle[S]["n"], idle[P]["n"]))
        print("| processes before / with the sessions | %d / %d | %d / %d | |" % (
            *idle[S]["procs"], *idle[P]["procs"]))
        print("| PSS in all, MB: before / with the sessions | %.1f / %.1f | %.1f / %.1f | |"
              % tuple(idle[x][k] / 1024 for x in (S, P) for k in ("before", "after")))
        print("| seconds to open and greet them all | %.1f | %.1f | |" % (
            idle[S]["open_s"], idle[P]["open_s"]))
        print()
    if durable:
        print("| durability (strace, one message) | sallyport | Postfix | smtp-sink |")
        print("| --- | --- | --- | --- |")
        print("| fsync returned before the 250 was written | %s | %s | %s |" % tuple(
            durable.get(x, ("n/a",))[0] for x in (S, P, K)))
        print("| fsync / rename calls before the 250 | %s | %s | %s |" % tuple(
            "%d / %d" % durable[x][1:] if x in durable else "n/a" for x in (S, P, K)))
        print()

    print("Goals (issue 6):\n")
    g = results.get(50, {})
    if S in g and P in g:
        rr = g[S]["rate"] / g[P]["rate"]
        print("- at least 3x Postfix's messages/second at concurrency 50: %.2fx, **%s**"
              % (rr, "met" if rr >= 3 else "not met"))
        cr = g[P]["cpu_ms"] / g[S]["cpu_ms"] if g[S]["cpu_ms"] else 0
        print("- a quarter of Postfix's CPU per message or less (concurrency 50): %.3f vs "
              "%.3f ms, %.1fx less, **%s**" % (g[S]["cpu_ms"], g[P]["cpu_ms"], cr,
                                              "met" if cr >= 4 else "not met"))
    if S in durable and P in durable:
        print("- at least Postfix's durability (fsync before 250): sallyport %s, Postfix %s, "
              "**%s**" % (durable[S][0], durable[P][0],
                          "met" if durable[S][0] == "yes" else "not met"))
    if S in idle:
        print("- at most 32 KB per idle session: %.1f KB, **%s**" % (
            idle[S]["kb"], "met" if idle[S]["kb"] <= 32 and idle[S]["n"] == args.idle
            else "not met"))
    print()
    if errors:
        print("Errors:\n")
        for e in errors:
            print("- " + e)
        print()
    for name, lines in problems.items():
        for l in lines[:5]:
            print("- %s logged: %s" % (name, l[-200:]))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
