"""The corpus in Postfix mode, on a real Postfix (root and Postfix 3.7 only).

For every case of the corpus (cases/, see corpus.py), copied to a fresh directory:

1. `sallyport check --postfix DIR --json` judges it as a Postfix configuration;
2. a private Postfix is started with the case's main.cf lines and the case's smtpd
   services (their master.cf lines, -o options included, each on 127.0.0.1:PORT):
   tests/policy/oracle.py's PostfixInstance, with its own config, queue and data
   directories, and no qmgr and no delivery agent, so a message it accepts stays in its
   incoming queue and is removed with it; 127.0.0.1 may use XCLIENT;
3. each open-relay finding's transaction is made on Postfix: XCLIENT ADDR=<the proof's
   client> NAME=[UNAVAILABLE] (an outside client with no name, as the proof says), then
   EHLO, STARTTLS when the proof says TLS (the case's own certificate), EHLO, MAIL, RCPT
   and DATA with a small message: RCPT and the message must be accepted (250) and the
   message must be in Postfix's incoming queue: the relay is real on Postfix too;
4. when no open relay is reported, the relay battery (below) is sent to every smtpd
   service from outside clients (203.0.113.7, 2001:db8:ffff::7), with and without TLS
   (TLS only where the service requires it), under the HELO names and senders an
   attacker chooses: Postfix must accept none of it, and each service must have taken
   MAIL FROM in some session (else the battery proved nothing);
5. `postconf -c DIR -n` and `sallyport conf -c DIR -n` print the same parameters with
   the same values (raw, and expanded with -x), and so do postconf -n with postconf -P's
   -o overrides and `sallyport conf -P SERVICE/TYPE -n` for each service that has some,
   except the deliberate differences listed in DELIBERATE (no root needed for this one).

What the Postfix instance gets that the case does not say (none of it decides a relay):
- oracle.py's plumbing lines (its queue, data and log paths, mail_owner, XCLIENT for
  127.0.0.1, smtpd_peername_lookup = no, smtpd_sasl_type = dovecot with its fake Dovecot
  where the case names no SASL type, in_flow_delay = 0, ...) and smtpd_error_sleep_time =
  0; the case's own lines for those names (queue_directory) are left out;
- $config_directory in the case's lines is the case's directory (where its tables and
  certificate are), not the instance's;
- hash: and btree: tables are compiled with postmap (after check ran, as the corpus has
  them); lmdb: files written by `sallyport map` are read by Postfix as they are;
- an absolute smtpd_sasl_path on a service that is not chrooted is the fake Dovecot's
  socket, at its absolute path (never the host's /var/spool/postfix);
- master.cf services other than smtpd are left out (no pickup, no qmgr, no delivery).

A case whose configuration Postfix refuses (postfix start fails, or smtpd exits with
"fatal:" when a client connects) is skipped with Postfix's own words, provided sallyport
check --postfix reports an error for it too (else that is a disagreement). Cases that
cannot be run here are in CANNOT_RUN with the reason. Where sallyport's Postfix-mode
verdict and Postfix's behaviour disagree, the case is in DISAGREE (xfail, strict) with
what each did.

Run: SALLYPORT=build/sallyport /usr/bin/python3 -m pytest -q -rs tests/check/test_postfix_mode.py
"""
import os
import pwd
import re
import select
import shutil
import smtplib
import socket
import ssl
import subprocess
import sys
import time
import types
from unittest import mock

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "policy"))
import corpus  # noqa: E402
import oracle  # noqa: E402

POSTCONF = shutil.which("postconf") or "/usr/sbin/postconf"
POSTMAP = shutil.which("postmap") or "/usr/sbin/postmap"
OUTSIDE = "relay-test.invalid"
CLIENTS = ("203.0.113.7", "2001:db8:ffff::7")
PROOF = re.compile(r"connect from (\S+) \(name unknown\), (TLS|no TLS), not logged in\n"
                   r"(EHLO|HELO) (\S+)\nMAIL FROM:<([^>\n]*)>\nRCPT TO:<([^\n]+)>\n-> accepted")
MESSAGE = ("From: <{sender}>\r\nTo: <{rcpt}>\r\nSubject: sallyport check --postfix relay proof"
           "\r\nMessage-ID: <postfix-mode@relay-test.invalid>\r\n\r\nrelayed?\r\n")
SMTP_TIMEOUT = 15


def _have_postfix():
    try:
        pwd.getpwnam("postfix")
    except KeyError:
        return False
    return all(os.access(p, os.X_OK) for p in (oracle.POSTFIX, POSTCONF, POSTMAP))


HAVE_POSTFIX = _have_postfix()
pytestmark = pytest.mark.skipif(not HAVE_POSTFIX, reason="needs Postfix (postfix, postconf, "
                                "postmap and the postfix account)")
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="needs root (Postfix's master)")

# Cases that cannot be run on a Postfix here, and why.
CANNOT_RUN = {
    "relay-dnswl": "permit_dnswl_client asks DNS (list.dnswl.org) at every RCPT: the "
                   "answer would come from the network, not from the configuration",
    "relay-permit-mx-backup": "permit_mx_backup asks DNS for the recipient domain's MX: "
                              "the relay it allows needs an attacker's domain whose MX "
                              "points here, which no test can make",
}

# Where sallyport's Postfix-mode verdict and Postfix disagree: case -> what each did.
# Each is an xfail(strict=True): it fails once the two agree (then remove the entry).
DISAGREE = {}

# Deliberate differences between `postconf -n` and `sallyport conf -n` (see postconf_diff):
DELIBERATE = {
    "config_directory": "postconf -c DIR prints config_directory = DIR: -c sets it, "
                        "main.cf does not; sallyport conf -c DIR does not print it",
    "unused": "Postfix leaves out the names it does not use and warns \"unused "
              "parameter: NAME=VALUE\"; sallyport prints them: its own parameters "
              "(auth_passwd_file, allow_open_relay) and the unknown names it reports as "
              "errors",
    "mail_name": "expanded (-x) values: $mail_name is \"Postfix\" to postconf and "
                 "\"sallyport\" to sallyport conf (which describes the sallyport "
                 "server); postconf is asked with -o mail_name=<sallyport's value>",
}

# Postfix main.cf names the instance sets itself (oracle.PLUMBING and PROTECTED, less
# inet_interfaces: every listener is an explicit 127.0.0.1:PORT, so the case's value
# stays, and smtpd_sasl_type/path, which the case may set).
OWNED = (oracle.PROTECTED - {"inet_interfaces"}) | {"queue_directory"}
EXTRA_PLUMBING = ["smtpd_error_sleep_time = 0"]


# ---------------------------------------------------------------------------
# The case's files, as Postfix gets them


def logical_lines(text):
    """main.cf/master.cf logical lines: [(first line index, [lines])], comments and
    blank lines left out (a continuation starts with whitespace)."""
    out = []
    for i, line in enumerate(text.split("\n")):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line[:1] in (" ", "\t") and out:
            out[-1][1].append(line)
        else:
            out.append((i, [line]))
    return out


def maincf_value(lines, name):
    """The last value a list of main.cf logical lines gives name, or None."""
    value = None
    for _, ls in lines:
        n, eq, v = " ".join(ls).partition("=")
        if eq and n.strip() == name:
            value = " ".join(v.split())
    return value


def smtpd_services(master):
    """The case's smtpd services: [(name, chroot, [lines])]."""
    out = []
    for _, ls in logical_lines(master):
        f = ls[0].split()
        if len(f) >= 8 and f[1] == "inet" and f[7] == "smtpd":
            out.append((f[0], f[4], ls))
    return out


def service_options(lines):
    """A service's -o NAME=VALUE overrides."""
    opts = {}
    for m in re.finditer(r"-o\s+([^=\s]+)=(\S*)", " ".join(lines[1:] + lines[0].split()[8:])):
        opts[m.group(1)] = m.group(2)
    return opts


def tables(text, kinds=("hash", "btree")):
    """The files of the kinds' tables the text names."""
    return sorted(set(m.group(2) for m in re.finditer(
        r"(?<![\w-])(%s):(/[^\s,}]+)" % "|".join(kinds), text)))


def age_tree(d):
    """Moves every file's modification time back by the same amount, so that the newest
    is a minute old: Postfix rereads a texthash: or cidr: table every 0.3 s until its
    time is in the past (load_file.c); which file is newer than which stays as it was."""
    paths = [os.path.join(r, f) for r, _, fs in os.walk(d) for f in fs]
    newest = max((os.stat(p).st_mtime for p in paths), default=0)
    shift = max(0.0, newest - (time.time() - 60))
    for p in paths:
        st = os.stat(p)
        os.utime(p, (st.st_atime - shift, st.st_mtime - shift))


def postconf_values(d):
    """postconf -c d -n -x as a dict."""
    out = {}
    for line in _lines([POSTCONF, "-c", d, "-n", "-x"])[0]:
        name, _, value = line.partition(" =")
        out[name] = value.strip()
    return out


class CasePostfix(oracle.PostfixInstance):
    """oracle.py's private Postfix with a corpus case's main.cf lines and smtpd
    services. ports: master.cf service name -> 127.0.0.1 port."""

    def __init__(self, d, maincf_text, master_text):
        lines = logical_lines(maincf_text)
        self.case_dir = d
        self.services = smtpd_services(master_text)
        self.chrooted = any(c != "n" for _, c, _ in self.services)
        kept = []
        for _, ls in lines:
            name = ls[0].partition("=")[0].strip()
            if name in OWNED:
                continue
            kept.extend(re.sub(r"\$(\{config_directory\}|\(config_directory\)|config_directory"
                               r"\b)", d.replace("\\", "\\\\"), l) for l in ls)
        case = types.SimpleNamespace(path=d, files={}, maincf=kept)
        super().__init__(case)
        self.extra_locks, self.ports = [], {}
        self.values = postconf_values(d)

    def param(self, name, svc=None):
        """A parameter's value for service svc (its -o, then main.cf, then Postfix's
        default), as postconf expands it."""
        if svc is not None:
            opts = service_options(dict((n, ls) for n, _, ls in self.services)[svc])
            if name in opts:
                return opts[name]
        if name not in self.values:
            self.values[name] = (_lines([POSTCONF, "-c", self.case_dir, "-h", "-x", name])[0]
                                 or [""])[0].strip()
        return self.values[name]

    def wrapper(self, svc):
        return self.param("smtpd_tls_wrappermode", svc) == "yes"

    def tls_only(self, svc):
        return self.wrapper(svc) or self.param("smtpd_tls_security_level", svc) == "encrypt"

    def ipv6(self):
        return any(p in self.param("inet_protocols") for p in ("all", "ipv6"))

    def sasl_value(self):
        return maincf_value(logical_lines("\n".join(self.case.maincf)), "smtpd_sasl_path")

    def sasl_path(self):
        """Where the fake Dovecot listens: where smtpd looks for it, inside the instance
        (an absolute path elsewhere is rewritten, see maincf(); under chroot it is not,
        and the fake listens where nothing looks)."""
        value = self.sasl_value() or "private/auth"
        if value.startswith("/"):
            return os.path.join(self.dir, "spool", "private",
                                "fake-auth" if self.chrooted else os.path.basename(value))
        return os.path.join(self.dir, "spool", value)

    def maincf(self):
        own = set(oracle.maincf_names(self.case.maincf))
        lines = list(self.case.maincf)
        value = self.sasl_value()
        if value and value.startswith("/") and not self.chrooted:
            lines.append("# the fake Dovecot, at an absolute path as the case has it")
            lines.append("smtpd_sasl_path = " + self.sasl_path())
        plumbing = [l.format(dir=self.dir) for l in oracle.PLUMBING + EXTRA_PLUMBING
                    if l.split("=")[0].strip() not in own]
        return "\n".join(["# the case's main.cf"] + lines + ["# test plumbing"] + plumbing) + "\n"

    def master_cf(self):
        out = []
        for k, (name, _, ls) in enumerate(self.services):
            if k == 0:
                port = self.port_lock.port
            else:
                lock = oracle.PortLock()
                self.extra_locks.append(lock)
                port = lock.port
            self.ports[name] = port
            first = ls[0].split(None, 1)
            out.append(f"127.0.0.1:{port} {first[1]}")
            out.extend(ls[1:])
        aux = oracle.MASTER_CF.split("\n", 1)[1]   # all but oracle's own smtpd
        aux += "tlsmgr    unix - - n 1000? 1 tlsmgr\n"   # STARTTLS needs it
        return "\n".join(out).replace("{", "{{").replace("}", "}}") + "\n" + aux

    def start(self):
        self.port_lock = oracle.PortLock()
        master = self.master_cf()   # takes the other services' ports
        with mock.patch.object(oracle, "PortLock", lambda: self.port_lock), \
                mock.patch.object(oracle, "MASTER_CF", master):
            super().start()

    def stop(self):
        try:
            super().stop()
        finally:
            for lock in self.extra_locks:
                lock.release()
            self.extra_locks = []

    def incoming(self):
        """The queue files in the instance's incoming queue."""
        return {f for _, _, fs in os.walk(os.path.join(self.dir, "spool", "incoming"))
                for f in fs}

    def fatal(self, since=0):
        """smtpd's fatal errors logged after offset since."""
        return re.findall(r"/smtpd\[\d+\]: fatal: (.*)", self.log()[since:])


# ---------------------------------------------------------------------------
# SMTP


def tls_context():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


class Session:
    """One SMTP session with Postfix as client addr (XCLIENT), recording each reply."""

    def __init__(self, pf, port, addr, wrapper=False):
        self.pf, mark = pf, len(pf.log())
        self.s = oracle.RecordingSMTP(timeout=SMTP_TIMEOUT)
        sock = socket.create_connection(("127.0.0.1", port), SMTP_TIMEOUT)
        self.transcript = []
        # smtpd that exits at start-up (a configuration it refuses) leaves the
        # connection waiting in master's listen queue: watch the log meanwhile
        deadline = time.monotonic() + SMTP_TIMEOUT

        def wait(why):
            if pf.fatal(mark) or time.monotonic() > deadline:
                sock.close()
                raise smtplib.SMTPServerDisconnected(
                    f"{why}: " + ("; ".join(sorted(set(pf.fatal(mark)))) or "timed out"))
            select.select([sock], [], [], 0.1)
        if wrapper:
            sock = tls_context().wrap_socket(sock, do_handshake_on_connect=False)
            sock.setblocking(False)
            while True:
                try:
                    sock.do_handshake()
                    break
                except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
                    wait("no TLS handshake")
            sock.settimeout(SMTP_TIMEOUT)   # smtpd took the connection: it greets
        else:
            while not select.select([sock], [], [], 0)[0]:
                wait("no greeting")
        self.s.sock, self.s.file = sock, None
        code = self.reply("greeting", self.s.getreply())
        if code != 220:
            raise AssertionError(f"Postfix greeted 127.0.0.1 with {self.s.raw_reply}")
        self.xclient(addr)

    def reply(self, what, r):
        self.transcript.append(f"{what}: " + " | ".join(self.s.raw_reply))
        return r[0]

    def cmd(self, what, verb, args=""):
        code = self.reply(what, self.s.docmd(verb, args))
        return code, self.s.raw_reply[-1][4:]

    def xclient(self, addr):
        code, _ = self.cmd("XCLIENT", "XCLIENT", oracle.xclient_args({"client": addr}))
        assert code == 220, f"XCLIENT refused: {self.transcript}"

    def helo(self, verb, name):
        return self.cmd(verb, verb, name)

    def starttls(self, verb, name):
        code, text = self.cmd("STARTTLS", "STARTTLS")
        if code != 220:
            return code, text
        self.s.sock = tls_context().wrap_socket(self.s.sock)
        self.s.file = None
        after = self.helo(verb, name)
        if after[0] == 421:   # smtpd_tls_req_ccert: no client certificate, no session
            return after
        return code, text

    def data(self, sender, rcpt):
        code, text = self.cmd("DATA", "DATA")
        if code != 354:
            return code, text
        msg = MESSAGE.format(sender=sender, rcpt=rcpt)
        self.s.send(smtplib.quotedata(msg).encode() + b".\r\n")
        return self.reply("end of data", self.s.getreply()), self.s.raw_reply[-1][4:]

    def close(self):
        try:
            self.s.docmd("QUIT")
        except (OSError, smtplib.SMTPException):
            pass
        try:
            self.s.close()
        except OSError:
            pass


def transaction(pf, port, addr, tls, verb, helo, sender, rcpts, data, wrapper=False):
    """One session: XCLIENT ADDR=addr, HELO/EHLO, STARTTLS (tls) and EHLO again, MAIL,
    each RCPT, DATA and a message when one was accepted and data. Returns
    {"mail": (code, text), "rcpts": [(code, text)], "data": (code, text) or None,
    "transcript": [...]} or {"skipped": why} when the service offers no STARTTLS."""
    s = Session(pf, port, addr, wrapper)
    out = {"rcpts": [], "data": None, "transcript": s.transcript}
    try:
        code, _ = s.helo(verb, helo)
        if tls and not wrapper:
            if verb == "EHLO" and code == 250 and "STARTTLS" not in " ".join(
                    s.s.raw_reply).upper():
                return {"skipped": "STARTTLS not offered", "transcript": s.transcript}
            code, text = s.starttls(verb, helo)
            if code == 421:
                return {"skipped": f"the TLS session was refused: {text}",
                        "transcript": s.transcript}
            assert code == 220, f"STARTTLS answered {code} {text}: {s.transcript}"
        out["mail"] = s.cmd("MAIL", "MAIL", f"FROM:<{sender}>")
        if out["mail"][0] // 100 == 2:
            for rcpt in rcpts:
                out["rcpts"].append(s.cmd("RCPT", "RCPT", f"TO:<{rcpt}>"))
            took = [r for r, (c, _) in zip(rcpts, out["rcpts"]) if c // 100 == 2]
            if data and took:
                out["data"] = s.data(sender, took[0])
    finally:
        s.close()
    return out


def battery(ours):
    """An outside recipient in every form: plain, %-hack, source route, bang path,
    user@outside@ours (unquoted, as relay.c tries it, and quoted, as
    test_relay_proof.py sends it), trailing dot, address literals (relay.c's and
    test_relay_proof.py's)."""
    return [f"victim@{OUTSIDE}", f"victim%{OUTSIDE}@{ours}", f"@{ours}:victim@{OUTSIDE}",
            f"{OUTSIDE}!victim@{ours}", f"victim@{OUTSIDE}@{ours}", f'"victim@{OUTSIDE}"@{ours}',
            f"victim@{OUTSIDE}.", "victim@[192.0.2.250]", "victim@[198.51.100.250]"]


# ---------------------------------------------------------------------------
# postconf


def _lines(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    return p.stdout.splitlines(), p.stderr


def _compare(what, pc, sp, unused, expanded):
    """Differences between postconf's lines and sallyport conf's, as text: pc, sp are
    lists of "name = value"; unused the (name, raw value) pairs postconf warned about."""
    problems = []
    pcs, sps = set(pc), set(sp)
    for line in sorted(pcs - sps):
        name = line.partition(" =")[0]
        other = [l for l in sp if l.partition(" =")[0] == name]
        problems.append(f"{what}: postconf {line!r}; sallyport conf "
                        f"{other[0] if other else 'does not print it'!r}")
    for line in sorted(sps - pcs):
        name, _, value = line.partition(" =")
        if any(n.strip() == name and (expanded or " ".join(v.split()) == value.strip())
               for n, v in unused):
            continue   # DELIBERATE["unused"] (the raw value is compared without -x)
        if any(l.partition(" =")[0] == name for l in pc):
            continue   # reported above
        problems.append(f"{what}: sallyport conf {line!r}; postconf does not print it"
                        + ("" if expanded else " (nor warns that it is unused)"))
    return problems


def postconf_diff(d):
    """The differences between `postconf -c d -n` and `sallyport conf -c d -n` (and the
    same with -x), and for each master.cf service with -o overrides between postconf -n
    with postconf -P's overrides for it and `sallyport conf -c d -P SERVICE/TYPE -n`; but
    the DELIBERATE ones. A list of lines, empty when they agree."""
    problems = []
    sp_mail_name = _lines([corpus.BINARY, "conf", "-c", d, "-d", "mail_name"])[0]
    sp_mail_name = sp_mail_name[0].partition("=")[2].strip() if sp_mail_name else "sallyport"
    with open(os.path.join(d, "main.cf")) as f:
        sets_mail_name = maincf_value(logical_lines(f.read()), "mail_name") is not None
    for flags in (["-n"], ["-n", "-x"]):
        expanded = "-x" in flags
        extra = ["-o", f"mail_name={sp_mail_name}"] if expanded and not sets_mail_name else []
        p = subprocess.run([POSTCONF, "-c", d, *flags, *extra], capture_output=True, text=True,
                           timeout=60)
        if p.returncode != 0:
            return [f"postconf {' '.join(flags)} fails: {p.stderr.strip()}"]
        pc, pc_err = p.stdout.splitlines(), p.stderr
        sp, _ = _lines([corpus.BINARY, "conf", "-c", d, *flags])
        unused = set(re.findall(r"unused parameter: ([^=\n]+?)=(.*)", pc_err))
        pc = [l for l in pc if not (l.startswith("config_directory = ") and  # DELIBERATE
                                    l.partition("=")[2].strip() == d)]
        if extra:
            pc = [l for l in pc if l != f"mail_name = {sp_mail_name}"]   # DELIBERATE
        problems += _compare(f"main.cf ({' '.join(flags)})", pc, sp, unused, expanded)
        # each service's view: main.cf's, with its -o overrides
        overrides = {}
        for line in _lines([POSTCONF, "-c", d, "-P", *([] if not expanded else ["-x"]),
                            *extra])[0]:
            key, _, value = line.partition(" =")
            svc, stype, name = key.rsplit("/", 2)
            overrides.setdefault(f"{svc}/{stype}", {})[name] = value.strip()
        base = {l.partition(" =")[0]: l.partition(" =")[2].strip() for l in pc}
        for svc, opts in sorted(overrides.items()):
            view = dict(base, **opts)
            sp_svc, _ = _lines([corpus.BINARY, "conf", "-c", d, "-P", svc, *flags])
            problems += _compare(f"service {svc} ({' '.join(flags)})",
                                 [f"{n} = {v}" if v else f"{n} =" for n, v in view.items()],
                                 sp_svc, unused, expanded)
    return problems


# ---------------------------------------------------------------------------
# The tests


def _params(names):
    out = []
    for name in names:
        marks = []
        if name in DISAGREE:
            marks.append(pytest.mark.xfail(strict=True, reason=DISAGREE[name]))
        out.append(pytest.param(name, marks=marks, id=name))
    return out


ATTEMPTED = set()   # cases test_postfix_mode_on_real_postfix ran for
REFUSED = {}        # case -> Postfix's fatal error
RESULTS = {}        # case -> what was confirmed on Postfix


@pytest.fixture(scope="module", autouse=True)
def _reap():
    """Instances left behind by a killed run (oracle.py's reap_stale)."""
    if os.geteuid() == 0 and HAVE_POSTFIX:
        oracle.reap_stale()


@pytest.fixture
def case_copy():
    """corpus.materialize, removed afterwards (in the temporary directory itself: the
    paths stay short enough for a unix-domain socket's name)."""
    made = []

    def make(name):
        made.append(corpus.materialize(name))
        return made[-1]
    yield make
    for d in made:
        shutil.rmtree(d, ignore_errors=True)


def compile_tables(d):
    """postmap for the hash: and btree: tables the case names."""
    text = ""
    for fn in ("main.cf", "master.cf"):
        with open(os.path.join(d, fn)) as f:
            text += f.read() + "\n"
    for kind in ("hash", "btree"):
        for path in tables(text, (kind,)):
            if os.path.exists(path):
                p = subprocess.run([POSTMAP, "-c", d, f"{kind}:{path}"], capture_output=True,
                                   text=True, timeout=60)
                assert p.returncode == 0, f"postmap {kind}:{path}: {p.stdout}{p.stderr}"


def probe(pf):
    """None when every smtpd service of the instance greets and answers EHLO, else
    Postfix's fatal error (the service refuses the configuration)."""
    for svc, port in pf.ports.items():
        mark = len(pf.log())
        try:
            s = Session(pf, port, CLIENTS[0], pf.wrapper(svc))
            try:
                code, _ = s.helo("EHLO", "probe.example")
            finally:
                s.close()
            if code == 250 and not pf.fatal(mark):
                continue
            why = f"EHLO answered {code}"
        except (OSError, smtplib.SMTPException) as e:
            why = str(e)
        for _ in range(40):   # the fatal line may come a little after the hangup
            if pf.fatal(mark):
                break
            time.sleep(0.05)
        return f"service {svc}: " + ("; ".join(sorted(set(pf.fatal(mark)))) or why)
    return None


@needs_root
@pytest.mark.parametrize("name", _params(corpus.case_names()))
def test_postfix_mode_on_real_postfix(name, case_copy):
    ATTEMPTED.add(name)
    if name in CANNOT_RUN:
        pytest.skip(f"{name}: {CANNOT_RUN[name]}")
    d = case_copy(name)
    r = corpus.run_check(d, postfix=True)
    proofs = []
    for f in corpus.relays(r):
        m = PROOF.match(f["transaction"] or "")
        assert m, f"{name}: open-relay proof not understood: {f['transaction']!r}"
        proofs.append((f["service"], f["transaction"], m.groups()))
    age_tree(d)   # else Postfix (postmap, smtpd) waits for the files to age
    compile_tables(d)
    age_tree(d)
    with open(os.path.join(d, "main.cf")) as f:
        maincf_text = f.read()
    with open(os.path.join(d, "master.cf")) as f:
        master_text = f.read()
    pf = CasePostfix(d, maincf_text, master_text)
    try:
        pf.__enter__()
    except oracle.OracleError as e:   # postfix start refuses it
        pf = None
        refused = str(e).split("\n")[0]
    try:
        if pf is not None:
            refused = probe(pf)
        if refused:
            errors = [f"{f['id']} [{f['parameter']}] {f['what']}" for f in r.findings
                      if f["severity"] == "error"]
            REFUSED[name] = refused
            if not errors:
                pytest.fail(f"{name}: Postfix refuses it ({refused}), but sallyport check "
                            f"--postfix reports no error:\n{r.describe()}", pytrace=False)
            if name in DISAGREE:
                return   # they agree now: XPASS, and strict makes it fail
            pytest.skip(f"{name}: Postfix refuses it: {refused} (sallyport: {errors[0]})")
        if proofs:
            confirm_relays(name, pf, proofs)
        else:
            refuse_battery(name, pf)
    finally:
        if pf is not None:
            pf.__exit__(None, None, None)


def confirm_relays(name, pf, proofs):
    for service, proof, (addr, tls, verb, helo, sender, rcpt) in proofs:
        assert service in pf.ports, f"{name}: proof for service {service!r}, not an smtpd " \
                                    f"service of master.cf ({sorted(pf.ports)})"
        before = pf.incoming()
        out = transaction(pf, pf.ports[service], addr, tls == "TLS", verb, helo, sender,
                          [rcpt], True, pf.wrapper(service))
        said = (f"{name}, service {service}: sallyport check --postfix says this relays:\n"
                f"{proof}\nPostfix:\n  " + "\n  ".join(out["transcript"]) +
                "\nmaillog:\n" + pf.log_tail(10))
        assert not out.get("skipped"), said
        assert out["mail"][0] == 250, said
        assert out["rcpts"][0][0] == 250, said
        assert out["data"] and out["data"][0] == 250, said
        qid = re.search(r"queued as (\S+)", out["data"][1])
        assert qid and qid.group(1) in pf.incoming() - before, said
        assert re.search(rf"{re.escape(qid.group(1))}: client=unknown\[{re.escape(addr)}\]",
                         pf.log()), f"Postfix did not take the client for {addr}: " + said
    RESULTS[name] = f"{len(proofs)} relay proof(s) confirmed"


def refuse_battery(name, pf):
    ours = pf.param("myhostname")
    rcpts = battery(ours)
    clients = CLIENTS if pf.ipv6() else CLIENTS[:1]
    accepted, mail_ok, tried = [], set(), 0
    tls_refused = set()   # services that end every session without a client certificate
    for svc in pf.ports:
        modes = [True] if pf.tls_only(svc) else [False, True]
        for addr in clients:
            for tls in modes:
                for helo, sender in (("client.attacker.example", "someone@attacker.example"),
                                     ("localhost", f"postmaster@{ours}"),
                                     (ours, ""),
                                     (addr, "someone@attacker.example"),
                                     (f"[{addr}]", f"postmaster@{ours}")):
                    out = transaction(pf, pf.ports[svc], addr, tls, "EHLO", helo, sender, rcpts,
                                      True, pf.wrapper(svc))
                    if out.get("skipped"):
                        if "TLS session was refused" in out["skipped"]:
                            tls_refused.add(svc)
                        break
                    tried += 1
                    if out["mail"][0] // 100 == 2:
                        mail_ok.add(svc)
                    for rcpt, (code, text) in zip(rcpts, out["rcpts"]):
                        if code // 100 == 2:
                            accepted.append(
                                f"service {svc}, client {addr}, {'TLS' if tls else 'no TLS'}, "
                                f"EHLO {helo}, MAIL FROM:<{sender}>, RCPT TO:<{rcpt}>: {code} "
                                f"{text}; DATA: {out['data']}")
    assert tried, name
    assert mail_ok | tls_refused == set(pf.ports), (f"{name}: MAIL FROM refused in every session on "
                                      f"{sorted(set(pf.ports) - mail_ok)}: the battery proves "
                                      "nothing there\n" + pf.log_tail())
    assert not accepted, (f"{name}: sallyport check --postfix reports no open relay, but "
                          f"Postfix relays:\n" + "\n".join(accepted))
    RESULTS[name] = f"battery: {tried} sessions x {len(rcpts)} recipients, none relayed"


@pytest.mark.parametrize("name", corpus.case_names())
def test_postconf_agrees(name, case_copy):
    d = case_copy(name)
    age_tree(d)   # else postconf waits for main.cf to age (load_file.c)
    problems = postconf_diff(d)
    assert not problems, f"{name}: postconf and sallyport conf differ:\n" + "\n".join(problems)


@needs_root
def test_enough_ran():
    """Most cases ran on Postfix: at least 10 relay proofs confirmed and 40 batteries
    refused (the others are skipped with the reason, or are disagreements)."""
    confirmed = [n for n, v in RESULTS.items() if "confirmed" in v]
    refused = [n for n, v in RESULTS.items() if v.startswith("battery")]
    if ATTEMPTED != set(corpus.case_names()):
        pytest.skip("not every case ran (tests selected)")
    for name in sorted(RESULTS):
        print(f"{name}: {RESULTS[name]}")
    for name in sorted(REFUSED):
        print(f"{name}: Postfix refuses it: {REFUSED[name]}")
    assert len(confirmed) >= 10 and len(refused) >= 40, (confirmed, refused, REFUSED)
