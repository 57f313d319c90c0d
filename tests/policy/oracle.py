#!/usr/bin/env python3
"""oracle.py - ask a real Postfix how it answers SMTP transactions.

Owns the golden data for sallyport's policy engine: case files
(tests/policy/cases/NN-name.case) that hold a restriction configuration
and SMTP transactions, with the replies Debian's Postfix gives them.

    oracle.py record CASE...   run Postfix, write its replies into each file
    oracle.py verify CASE...   run Postfix, fail if a reply differs from the file
    oracle.py show CASE...     run Postfix, print the transcripts, change nothing
    oracle.py base             print the main.cf lines every case starts from

A CASE is a file or a directory of *.case files.

Options: -j N (case files run in parallel, one Postfix each), --keep (leave
the instance directories behind), -v (print the warnings Postfix logged).

For each case file a private Postfix instance is started in a temporary
directory (its own config_directory, queue_directory and data_directory,
listening only on 127.0.0.1 on a port taken with a lock, see PortLock) and
stopped again, even on failure.  Each transaction is one SMTP session:
XCLIENT sets the client address, names and SASL login, then EHLO/HELO,
AUTH, MAIL, RCPT and DATA are sent as written.  Nothing can be delivered:
master.cf runs smtpd, cleanup, trivial-rewrite, proxymap, anvil and
postlogd only (no qmgr, no delivery agent), so accepted mail stays in the
instance's incoming queue and is deleted with the directory.  A fake
Dovecot auth server (FakeDovecotAuth) answers SASL for AUTH PLAIN.

The file format and how to add a case are described in README.md next to
this file.  Needs root (Postfix's master runs as root), postfix 3.7 and
python3 (stdlib only).  Exit status: 0 all good, 1 a reply differs or a
case failed, 2 usage or case-file error, 77 cannot run here (not root, no
postfix).
"""

import argparse
import base64
import concurrent.futures
import fcntl
import os
import pwd
import random
import re
import select
import shutil
import signal
import smtplib
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import traceback

POSTFIX = shutil.which("postfix") or "/usr/sbin/postfix"
LOCK_DIR = os.path.join(tempfile.gettempdir(), "sallyport-oracle-ports")
INSTANCE_PREFIX = "sallyport-oracle-"
PORT_LOW, PORT_HIGH = 20000, 32000
SMTP_TIMEOUT = 15

# main.cf lines every case starts from.  These change answers, so a policy
# engine fed the same case file must start from them too (`oracle.py base`).
# A case may override any of them but inet_interfaces.
POLICY_BASE = [
    "compatibility_level = 3.6",
    "myhostname = mx.example.com",
    "mydomain = example.com",
    # Nothing from the host: no /etc/aliases, no passwd lookups.
    "alias_maps =",
    "alias_database =",
    "local_recipient_maps =",
    # Not computed from the host's interfaces (mynetworks_style).
    "mynetworks = 127.0.0.0/8 [::1]/128",
    # Address literals user@[127.0.0.1] are local because of this.
    "inet_interfaces = 127.0.0.1",
    "inet_protocols = all",
]

# Plumbing: paths, the listener, XCLIENT, SASL.  A case may not set these.
PLUMBING = [
    "queue_directory = {dir}/spool",
    "data_directory = {dir}/data",
    "mail_owner = postfix",
    "setgid_group = postdrop",
    "maillog_file = {dir}/maillog",
    "maillog_file_prefixes = {dir}",
    "relayhost =",
    "smtpd_authorized_xclient_hosts = 127.0.0.1",
    "smtpd_peername_lookup = no",
    "smtpd_sasl_type = dovecot",
    "smtpd_sasl_path = private/auth",
    "biff = no",
    # cleanup waits in_flow_delay for a token that only qmgr hands out.
    "in_flow_delay = 0",
    # When smtpd dies at start-up (a fatal configuration error), master
    # waits this long before it tries again.
    "service_throttle_time = 1s",
]
PROTECTED = {line.split("=")[0].strip() for line in PLUMBING} - {"smtpd_sasl_path"}
PROTECTED |= {"inet_interfaces", "config_directory", "daemon_directory",
              "command_directory", "master_service_disable", "import_environment",
              "export_environment", "shlib_directory", "meta_directory"}

# Only services that accept mail and answer SMTP: no qmgr, no delivery agent.
MASTER_CF = """\
127.0.0.1:{port} inet n - n - - smtpd
cleanup   unix n - n - 0 cleanup
rewrite   unix - - n - - trivial-rewrite
proxymap  unix - - n - - proxymap
anvil     unix - - n - 1 anvil
postlog   unix-dgram n - n - 1 postlogd
"""

# Restrictions and tables that would reach DNS, a policy server, the verify
# service or a network database: not allowed in a case (only loopback may be
# contacted, and answers must not depend on the network).
FORBIDDEN_WORDS = re.compile(
    r"\b(reject_unknown_(sender|recipient)_domain|reject_unknown_helo_hostname|"
    r"reject_unknown_hostname|reject_rbl(_client)?|reject_maps_rbl|"
    r"reject_rhsbl_\w+|permit_dnswl_client|permit_rhswl_client|permit_mx_backup|"
    r"check_\w+_(mx|ns|a)_access|reject_unverified_\w+|check_policy_service|"
    r"(tcp|socketmap|ldap|mysql|pgsql|memcache|nis|nisplus|netinfo):)", re.I)

VERBS = ("connect", "ehlo", "helo", "auth", "mail", "rcpt", "data", "dot")
TXN_KEYS = ("client", "name", "rname", "ehlo", "helo", "login", "auth", "from", "to", "data")
MESSAGE = ("Subject: sallyport oracle\r\n"
           "Message-ID: <oracle@mx.example.com>\r\n"
           "\r\n"
           "This message is never delivered.\r\n")
QUEUE_ID = re.compile(r"(queued as )[0-9A-Za-z]+")


class CaseError(Exception):
    """A case file that cannot be read: file, line and what is wrong."""


class OracleError(Exception):
    """Postfix could not be started or asked (the environment, not the case)."""


# ---------------------------------------------------------------------------
# The case file format


class Transaction:
    """One transaction line of a case file and the replies under it."""

    def __init__(self, lineno, text, fields, expected):
        self.lineno = lineno      # line number of the transaction line
        self.text = text          # the line as written
        self.fields = fields      # dict: key -> value; "to" -> list
        self.expected = expected  # list of (verb, reply line)


class Case:
    """A parsed case file: main.cf lines, files, transactions, raw lines."""

    def __init__(self, path):
        self.path = path
        self.maincf = []          # main.cf lines as written
        self.files = {}           # name -> text
        self.transactions = []
        self.lines = []           # raw lines, to rewrite the file on record
        self.reply_lines = set()  # indexes into lines that hold replies


def parse_txn_line(path, lineno, text):
    """Split a transaction line into a dict; raise CaseError if malformed."""
    fields = {"to": []}
    pos, n = 0, len(text)
    while pos < n:
        while pos < n and text[pos] in " \t":
            pos += 1
        if pos >= n:
            break
        eq = text.find("=", pos)
        if eq < 0:
            raise CaseError(f"{path}:{lineno}: expected key=value at {text[pos:]!r}")
        key = text[pos:eq]
        if key not in TXN_KEYS:
            raise CaseError(f"{path}:{lineno}: unknown key {key!r} "
                            f"(known: {', '.join(TXN_KEYS)})")
        pos = eq + 1
        if key in ("from", "to"):
            if pos >= n or text[pos] != "<":
                raise CaseError(f"{path}:{lineno}: {key}= takes <address>")
            end = pos + 1
            while True:  # the '>' that ends the token
                end = text.find(">", end)
                if end < 0:
                    raise CaseError(f"{path}:{lineno}: {key}=<... lacks its '>'")
                if end + 1 >= n or text[end + 1] in " \t":
                    break
                end += 1
            value = text[pos + 1:end]
            pos = end + 1
        else:
            end = pos
            while end < n and text[end] not in " \t":
                end += 1
            value = text[pos:end]
            pos = end
            if not value:
                raise CaseError(f"{path}:{lineno}: empty value for {key}")
        if any(c in value for c in "\r\n\0"):
            raise CaseError(f"{path}:{lineno}: CR, LF or NUL in {key}")
        if key == "to":
            fields["to"].append(value)
        elif key in fields:
            raise CaseError(f"{path}:{lineno}: {key}= given twice")
        else:
            fields[key] = value
    if "client" not in fields:
        raise CaseError(f"{path}:{lineno}: a transaction needs client=")
    if "ehlo" in fields and "helo" in fields:
        raise CaseError(f"{path}:{lineno}: give ehlo= or helo=, not both")
    if "login" in fields and "auth" in fields:
        raise CaseError(f"{path}:{lineno}: give login= (XCLIENT) or auth= (AUTH), not both")
    if fields.get("data", "yes") not in ("yes", "no"):
        raise CaseError(f"{path}:{lineno}: data= takes yes or no")
    if fields["to"] and "from" not in fields:
        raise CaseError(f"{path}:{lineno}: to= without from=")
    return fields


def parse_case(path):
    """Read a case file; raise CaseError with file and line on any error."""
    case = Case(path)
    with open(path, encoding="utf-8") as f:
        case.lines = f.read().split("\n")
    if case.lines and case.lines[-1] == "":
        case.lines.pop()
    section, current_file, txn = None, None, None
    for i, line in enumerate(case.lines):
        lineno = i + 1
        if "\r" in line or "\0" in line:
            raise CaseError(f"{path}:{lineno}: CR or NUL in the file")
        m = re.fullmatch(r"\[(main\.cf|transactions|file ([A-Za-z0-9][A-Za-z0-9._-]*))\]\s*",
                         line)
        if m:
            section, txn = m.group(1), None
            if m.group(2):
                section, current_file = "file", m.group(2)
                if current_file in case.files or current_file in ("main.cf", "master.cf"):
                    raise CaseError(f"{path}:{lineno}: file {current_file} defined twice "
                                    "or reserved")
                case.files[current_file] = ""
            continue
        if line.startswith("["):
            raise CaseError(f"{path}:{lineno}: unknown section {line!r} "
                            "(known: [main.cf], [file NAME], [transactions])")
        if section is None:
            if line.strip() and not line.startswith("#"):
                raise CaseError(f"{path}:{lineno}: text before the first section")
        elif section == "main.cf":
            case.maincf.append(line)
        elif section == "file":
            case.files[current_file] += line + "\n"
        elif line[:1] in (" ", "\t") and line.strip():
            if txn is None:
                raise CaseError(f"{path}:{lineno}: reply line without a transaction")
            verb, _, reply = line.strip().partition(" ")
            if line.strip() != "noreply" and (verb not in VERBS or
                                             not re.match(r"\d\d\d[ -]", reply)):
                raise CaseError(f"{path}:{lineno}: reply lines read '  VERB NNN text' "
                                f"with VERB one of {', '.join(VERBS)}, or '  noreply'")
            txn.expected.append((verb, reply))
            case.reply_lines.add(i)
        elif not line.strip() or line.startswith("#"):
            txn = None
        else:
            txn = Transaction(lineno, line, parse_txn_line(path, lineno, line), [])
            case.transactions.append(txn)
    check_maincf(case)
    return case


def maincf_names(lines):
    """Names assigned in main.cf lines (logical lines start in column 0)."""
    names = []
    for line in lines:
        if line[:1] in ("", "#", " ", "\t"):
            continue
        name, eq, _ = line.partition("=")
        if eq:
            names.append(name.strip())
    return names


def check_maincf(case):
    """Refuse settings the oracle owns and restrictions that need the network."""
    for name in maincf_names(case.maincf):
        if name in PROTECTED:
            raise CaseError(f"{case.path}: {name} belongs to the oracle; a case may not set it")
    for line in case.maincf:
        if re.match(r"smtpd_sasl_path\s*=", line):
            value = line.partition("=")[2].strip()
            if not re.fullmatch(r"private/[A-Za-z0-9._-]+", value) or ".." in value:
                raise CaseError(f"{case.path}: smtpd_sasl_path must be private/NAME here "
                                f"(the fake Dovecot listens there), not {value!r}")
    texts = [("main.cf", "\n".join(case.maincf))] + list(case.files.items())
    for where, text in texts:
        m = FORBIDDEN_WORDS.search("\n".join(l for l in text.split("\n")
                                             if not l.lstrip().startswith("#")))
        if m:
            raise CaseError(f"{case.path}: {where} uses {m.group(0)!r}, which needs DNS, "
                            "the network or another service; the oracle cannot ask that")


def render_case(case, replies):
    """The case file's text with each transaction's replies replaced."""
    by_line = {t.lineno: replies[k] for k, t in enumerate(case.transactions)}
    out = []
    for i, line in enumerate(case.lines):
        if i in case.reply_lines:
            continue
        out.append(line)
        for verb, reply in by_line.get(i + 1, ()):
            out.append(f"  {verb} {reply}".rstrip())
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------
# Ports, the fake Dovecot and the Postfix instance


class PortLock:
    """A loopback TCP port nobody else in this machine's test runs holds.

    pgbouncer's idea: a lock file per port (flock, released when the holder
    exits, even by a crash) plus a test bind, so parallel runs never pick
    the same port and a port some other program uses is skipped."""

    def __init__(self):
        os.makedirs(LOCK_DIR, mode=0o755, exist_ok=True)
        start = random.randrange(PORT_LOW, PORT_HIGH)
        for k in range(PORT_HIGH - PORT_LOW):
            port = PORT_LOW + (start - PORT_LOW + k) % (PORT_HIGH - PORT_LOW)
            fd = os.open(os.path.join(LOCK_DIR, f"port-{port}.lock"),
                         os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                continue
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
                try:
                    s.bind(("127.0.0.1", port))
                except OSError:
                    os.close(fd)
                    continue
            self.port, self.fd = port, fd
            return
        raise OracleError("no free loopback port")

    def release(self):
        """Give the port back."""
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


class FakeDovecotAuth(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    """Just enough of Dovecot's auth-client protocol for Postfix's smtpd.

    Offers PLAIN and LOGIN; AUTH PLAIN succeeds for any user whose password
    is "secret" and fails otherwise.  Used by transactions with auth=."""

    daemon_threads = True

    def __init__(self, path):
        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                self.wfile.write(b"VERSION\t1\t2\nMECH\tPLAIN\tplaintext\n"
                                 b"MECH\tLOGIN\tplaintext\nSPID\t1\nCUID\t1\n"
                                 b"COOKIE\t" + b"0" * 32 + b"\nDONE\n")
                for raw in self.rfile:
                    parts = raw.rstrip(b"\n").decode("utf-8", "replace").split("\t")
                    if parts[0] == "AUTH" and len(parts) >= 3:
                        self.wfile.write(self.answer(parts).encode())

            @staticmethod
            def answer(parts):
                rid, mech = parts[1], parts[2].upper()
                resp = [p[5:] for p in parts if p.startswith("resp=")]
                if mech != "PLAIN" or not resp:
                    return f"FAIL\t{rid}\n"
                try:
                    _, user, password = base64.b64decode(resp[0]).decode().split("\0")
                except (ValueError, UnicodeDecodeError):
                    return f"FAIL\t{rid}\n"
                verdict = "OK" if password == "secret" else "FAIL"
                return f"{verdict}\t{rid}\tuser={user}\n"

        super().__init__(path, Handler)
        os.chmod(path, 0o666)
        self.thread = threading.Thread(target=self.serve_forever, args=(0.05,),
                                       daemon=True)
        self.thread.start()

    def stop(self):
        """Stop serving and close the socket."""
        self.shutdown()
        self.server_close()


def run(cmd, **kw):
    """Run a command, capture its output, never raise on exit status."""
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, **kw)


def age_files(directory):
    """Date the files in directory a minute back.

    Postfix rereads a configuration file every 0.3 s until its mtime is in
    the past (load_file.c), which costs over a second for a fresh main.cf."""
    past = time.time() - 60
    for name in os.listdir(directory):
        os.utime(os.path.join(directory, name), (past, past))


class PostfixInstance:
    """A private Postfix for one case: start in __enter__, stop in __exit__."""

    def __init__(self, case, keep=False):
        self.case, self.keep = case, keep
        self.dir = self.port_lock = self.auth = self.master_pid = None

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()

    def maincf(self):
        """The instance's main.cf: base, the case's lines, plumbing last."""
        own = set(maincf_names(self.case.maincf))
        base = [l for l in POLICY_BASE if l.split("=")[0].strip() not in own]
        plumbing = [l.format(dir=self.dir) for l in PLUMBING
                    if l.split("=")[0].strip() not in own]
        return "\n".join(["# oracle base (oracle.py base)"] + base
                         + [f"# from {os.path.basename(self.case.path)}"] + self.case.maincf
                         + ["# oracle plumbing"] + plumbing) + "\n"

    def sasl_path(self):
        """Where smtpd looks for the Dovecot auth socket."""
        value = "private/auth"
        for line in self.case.maincf:
            if re.match(r"smtpd_sasl_path\s*=", line):
                value = line.partition("=")[2].strip()
        return os.path.join(self.dir, "spool", value)

    def start(self):
        """Write the configuration, start Postfix and the fake Dovecot."""
        self.port_lock = PortLock()
        self.dir = tempfile.mkdtemp(prefix=INSTANCE_PREFIX)
        os.chmod(self.dir, 0o755)
        with open(os.path.join(self.dir, "oracle.pid"), "w") as f:
            f.write(f"{os.getpid()}\n")  # for reap_stale()
        etc = os.path.join(self.dir, "etc")
        for sub in ("etc", "spool", "data"):
            os.mkdir(os.path.join(self.dir, sub), 0o755)
        pw = pwd.getpwnam("postfix")
        os.chown(os.path.join(self.dir, "data"), pw.pw_uid, pw.pw_gid)
        with open(os.path.join(etc, "main.cf"), "w", encoding="utf-8") as f:
            f.write(self.maincf())
        with open(os.path.join(etc, "master.cf"), "w", encoding="utf-8") as f:
            f.write(MASTER_CF.format(port=self.port_lock.port))
        for name, text in self.case.files.items():
            with open(os.path.join(etc, name), "w", encoding="utf-8") as f:
                f.write(text)
        age_files(etc)
        proc = run([POSTFIX, "-c", etc, "start"])
        pidfile = os.path.join(self.dir, "spool", "pid", "master.pid")
        if proc.returncode != 0 or not os.path.exists(pidfile):
            raise OracleError(f"postfix start failed ({proc.returncode}): "
                              f"{proc.stdout}{proc.stderr}\n{self.log_tail()}")
        with open(pidfile) as f:
            self.master_pid = int(f.read().split()[0])
        self.auth = FakeDovecotAuth(self.sasl_path())

    def stop(self):
        """Stop Postfix (postfix stop, then SIGKILL to its process group)."""
        try:
            if self.auth:
                self.auth.stop()
                self.auth = None
        finally:
            try:
                if self.dir:
                    stop_instance(self.dir, self.master_pid)
                    self.master_pid = None
            finally:
                if self.port_lock:
                    self.port_lock.release()
                    self.port_lock = None
                if self.dir and self.keep:
                    os.unlink(os.path.join(self.dir, "oracle.pid"))  # not stale
                elif self.dir:
                    shutil.rmtree(self.dir, ignore_errors=True)

    def log(self):
        """The instance's maillog."""
        try:
            with open(os.path.join(self.dir, "maillog"), encoding="utf-8",
                      errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def smtpd_died(self, since=0):
        """True if smtpd logged a fatal error after offset since in the log."""
        return re.search(r"postfix/smtpd\[\d+\]: fatal: ", self.log()[since:]) is not None

    def log_tail(self, n=15):
        """The last lines of the maillog, for error messages."""
        return "\n".join(self.log().splitlines()[-n:])


def master_pid_of(instance_dir):
    """The pid in an instance's master.pid, if that process is its master."""
    try:
        with open(os.path.join(instance_dir, "spool", "pid", "master.pid")) as f:
            pid = int(f.read().split()[0])
        # A recycled pid must not be taken for our master: check its cwd.
        cwd = os.readlink(f"/proc/{pid}/cwd")
    except (OSError, ValueError, IndexError):
        return None
    return pid if cwd == os.path.join(instance_dir, "spool") else None


def stop_instance(instance_dir, master_pid=None):
    """Stop the Postfix of an instance directory and wait until it is gone."""
    master_pid = master_pid or master_pid_of(instance_dir)
    if not master_pid:
        return
    try:
        run([POSTFIX, "-c", os.path.join(instance_dir, "etc"), "stop"])
    except subprocess.TimeoutExpired:
        pass
    deadline = time.monotonic() + 5
    while group_alive(master_pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if group_alive(master_pid):  # master does setsid(): the group is the instance
        try:
            os.killpg(master_pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def reap_stale():
    """Stop and remove instances left by oracle runs that were killed."""
    tmp = tempfile.gettempdir()
    for name in os.listdir(tmp):
        d = os.path.join(tmp, name)
        if not name.startswith(INSTANCE_PREFIX) or not os.path.isfile(
                os.path.join(d, "oracle.pid")):
            continue
        try:
            with open(os.path.join(d, "oracle.pid")) as f:
                os.kill(int(f.read()), 0)
            continue  # its oracle still runs
        except ProcessLookupError:
            pass
        except (OSError, ValueError):
            continue
        print(f"oracle.py: removing {d}, left by a killed run", file=sys.stderr)
        stop_instance(d)
        shutil.rmtree(d, ignore_errors=True)


def group_alive(pgid):
    """True while a live (not zombie) process of process group pgid exists."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        if fields[0] != "Z" and int(fields[2]) == pgid:
            return True
    return False


# ---------------------------------------------------------------------------
# Driving transactions


class RecordingSMTP(smtplib.SMTP):
    """smtplib.SMTP that keeps every reply exactly as its lines were sent."""

    def getreply(self):
        self.raw_reply = []
        resp = []
        if self.file is None:
            self.file = self.sock.makefile("rb")
        while True:
            try:
                line = self.file.readline(smtplib._MAXLINE + 1)
            except OSError as e:
                self.close()
                raise smtplib.SMTPServerDisconnected(f"read failed: {e}") from e
            if not line:
                self.close()
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
            text = line.decode("utf-8", "replace").rstrip("\r\n")
            self.raw_reply.append(text)
            resp.append(line[4:].strip(b" \t\r\n"))
            if line[3:4] != b"-":
                break
        try:
            code = int(line[:3])
        except ValueError:
            code = -1
        return code, b"\n".join(resp)


def xtext(value):
    """RFC 3461 xtext, as XCLIENT takes its values."""
    return "".join(c if 33 <= ord(c) <= 126 and c not in "+=" else
                   "".join(f"+{b:02X}" for b in c.encode()) for c in value)


def xclient_args(fields):
    """The XCLIENT attributes for a transaction (ADDR last, see XCLIENT_README)."""
    def name_value(v):
        return {"unknown": "[UNAVAILABLE]", "tempfail": "[TEMPUNAVAIL]"}.get(v, v)
    name = fields.get("name", "unknown")
    addr = fields["client"]
    if addr == "unknown":
        addr = "[UNAVAILABLE]"
    elif ":" in addr:
        addr = "IPV6:" + addr
    attrs = [("NAME", name_value(name)),
             ("REVERSE_NAME", name_value(fields.get("rname", name)))]
    if "login" in fields:
        attrs.append(("LOGIN", fields["login"]))
    attrs.append(("ADDR", addr))
    return " ".join(f"{k}={xtext(v)}" for k, v in attrs)


class Hangup(Exception):
    """smtpd answered 421 or 521: it closes the connection, nothing more is sent."""


def run_transaction(port, fields, smtpd_died=lambda: False):
    """Play one transaction; return its replies as [(verb, reply line)].

    A session ends early after a 421 or 521 reply, and with ("noreply", "") when
    no reply comes: smtpd closed the connection, or smtpd_died() says it
    exits at start-up (then the connection is never greeted)."""
    out = []
    s = RecordingSMTP(timeout=SMTP_TIMEOUT)

    def record(verb, code):
        lines = s.raw_reply
        if verb == "ehlo" and 200 <= code < 300:
            # Only the first line: the feature list is not a policy decision.
            lines = [lines[0][:3] + " " + lines[0][4:]]
        out.extend((verb, QUEUE_ID.sub(r"\1QUEUEID", l)) for l in lines)
        if code in (421, 521):  # smtpd_chat.c: orderly disconnect
            raise Hangup()
        return code

    def step(verb, cmd, args=""):
        code, _ = s.docmd(cmd, args)
        return record(verb, code)

    try:
        s.sock = socket.create_connection(("127.0.0.1", port), SMTP_TIMEOUT)
        deadline = time.monotonic() + SMTP_TIMEOUT
        while not select.select([s.sock], [], [], 0.1)[0]:
            if smtpd_died() or time.monotonic() > deadline:
                raise smtplib.SMTPServerDisconnected("no greeting")
        code, _ = s.getreply()
        if code != 220:
            raise OracleError(f"smtpd greeted the oracle with {s.raw_reply}; "
                              "smtpd_client_restrictions must not reject 127.0.0.1")
        code = step("connect", "XCLIENT", xclient_args(fields))
        # 220, or what smtpd_client_restrictions answer with
        # smtpd_delay_reject = no; these are XCLIENT's own refusals.
        if code in (501, 503) or "Error: insufficient authorization" in s.raw_reply[0]:
            raise OracleError(f"XCLIENT refused: {s.raw_reply}")
        if "ehlo" in fields:
            step("ehlo", "EHLO", fields["ehlo"])
        elif "helo" in fields:
            step("helo", "HELO", fields["helo"])
        if "auth" in fields:
            user, _, password = fields["auth"].partition(":")
            token = base64.b64encode(f"\0{user}\0{password or 'secret'}".encode()).decode()
            step("auth", "AUTH", "PLAIN " + token)
        if "from" not in fields:
            return out
        if not 200 <= step("mail", "MAIL", f"FROM:<{fields['from']}>") < 300:
            return out
        accepted = 0
        for rcpt in fields["to"]:
            accepted += 200 <= step("rcpt", "RCPT", f"TO:<{rcpt}>") < 300
        if accepted and fields.get("data", "yes") == "yes":
            if step("data", "DATA") == 354:
                s.send(smtplib.quotedata(MESSAGE).encode() + b"\r\n.\r\n")
                record("dot", s.getreply()[0])
        s.docmd("QUIT")
    except Hangup:
        pass
    except smtplib.SMTPServerDisconnected:
        out.append(("noreply", ""))
    finally:
        try:
            s.close()
        except OSError:
            pass
    return out


# ---------------------------------------------------------------------------
# Commands


def warnings_of(log):
    """Postfix's warning, error and fatal lines in a maillog, without stamps."""
    seen, out = set(), []
    for line in log.splitlines():
        m = re.search(r"postfix/(\S+?)\[\d+\]: ((warning|error|fatal|panic): .*)", line)
        if m and "public/qmgr" not in line and m.group(2) not in seen:
            seen.add(m.group(2))
            out.append(f"{m.group(1)}: {m.group(2)}")
    return out


def run_case(path, keep=False):
    """Start Postfix for one case file and play every transaction.

    Returns (case, replies per transaction, warnings, seconds)."""
    t0 = time.monotonic()
    case = parse_case(path)
    with PostfixInstance(case, keep) as pf:
        try:
            replies = []
            for t in case.transactions:
                mark = len(pf.log())
                replies.append(run_transaction(pf.port_lock.port, t.fields,
                                               lambda: pf.smtpd_died(mark)))
        except (OSError, smtplib.SMTPException, OracleError) as e:
            raise OracleError(f"{path}: {e}\n{pf.log_tail()}") from e
        warns = warnings_of(pf.log())
        if keep:
            print(f"{path}: instance kept in {pf.dir}", file=sys.stderr)
    return case, replies, warns, time.monotonic() - t0


def compare(case, replies):
    """Differences between the file's replies and Postfix's, as text lines."""
    out = []
    for t, got in zip(case.transactions, replies):
        want = t.expected
        if want == got:
            continue
        out.append(f"{case.path}:{t.lineno}: {t.text}")
        if not want:
            out.append("    (no replies recorded; run oracle.py record)")
        for k in range(max(len(want), len(got))):
            w = want[k] if k < len(want) else None
            g = got[k] if k < len(got) else None
            if w == g:
                continue
            if w:
                out.append(f"  - {w[0]} {w[1]}".rstrip())
            if g:
                out.append(f"  + {g[0]} {g[1]}".rstrip())
    return out


def write_atomically(path, text):
    """Replace path's content: write aside, then rename."""
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


def do_case(command, path, args):
    """Run one case file for a command; return (ok, report text)."""
    try:
        case, replies, warns, secs = run_case(path, args.keep)
    except (CaseError, OracleError) as e:
        return False, f"error: {e}"
    except Exception:  # a bug here must not stop the other cases
        return False, f"error: {path}: {traceback.format_exc()}"
    lines = []
    if command == "show":
        for t, got in zip(case.transactions, replies):
            lines.append(t.text)
            lines.extend(f"  {v} {r}".rstrip() for v, r in got)
    # Errors always (a missing table, a fatal smtpd), warnings on request.
    lines.extend(f"  postfix {w}" for w in warns
                 if args.verbose or command == "show" or ": warning: " not in w)
    changed = sum(t.expected != got for t, got in zip(case.transactions, replies))
    ok = True
    if command == "record":
        if changed:
            write_atomically(path, render_case(case, replies))
        status = f"recorded, {changed} changed"
    elif command == "verify":
        lines.extend(compare(case, replies))
        ok = not changed
        status = "ok" if ok else f"FAILED ({changed} differ)"
    else:
        status = "shown"
    lines.insert(0, f"{path}: {len(case.transactions)} transactions, {status} ({secs:.1f}s)")
    return ok, "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("command", choices=("record", "verify", "show", "base"))
    ap.add_argument("cases", nargs="*")
    ap.add_argument("-j", "--jobs", type=int, default=min(4, os.cpu_count() or 1))
    ap.add_argument("--keep", action="store_true", help="keep instance directories")
    ap.add_argument("-v", "--verbose", action="store_true", help="print Postfix warnings")
    args = ap.parse_intermixed_args(argv)
    if args.command == "base":
        print("\n".join(POLICY_BASE))
        return 0
    if not args.cases:
        ap.error("name at least one case file or directory")
    args.cases = [p for arg in args.cases for p in (
        sorted(os.path.join(arg, n) for n in os.listdir(arg) if n.endswith(".case"))
        if os.path.isdir(arg) else [arg])]
    if os.geteuid() != 0:
        print("oracle.py: skipped: Postfix's master must run as root", file=sys.stderr)
        return 77
    if not os.access(POSTFIX, os.X_OK):
        print(f"oracle.py: skipped: no {POSTFIX}", file=sys.stderr)
        return 77
    try:
        pwd.getpwnam("postfix")
    except KeyError:
        print("oracle.py: skipped: no postfix account", file=sys.stderr)
        return 77
    for path in args.cases:  # report every malformed file before starting anything
        try:
            parse_case(path)
        except (CaseError, OSError) as e:
            print(f"oracle.py: {e}", file=sys.stderr)
            return 2

    # SIGTERM (a CI timeout) unwinds like ^C, so every instance is stopped.
    def on_term(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_term)

    reap_stale()
    t0 = time.monotonic()
    failed = 0
    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
        futures = [pool.submit(do_case, args.command, p, args) for p in args.cases]
        try:
            for fut in futures:
                ok, report = fut.result()
                print(report, flush=True)
                failed += not ok
        except KeyboardInterrupt:
            # Cases not started are dropped; running ones stop their Postfix
            # when they finish (the pool waits for them on the way out).
            for fut in futures:
                fut.cancel()
            print("oracle.py: interrupted", file=sys.stderr)
            return 130
    total = sum(len(parse_case(p).transactions) for p in args.cases)
    print(f"{len(args.cases)} case files, {total} transactions, {failed} failed "
          f"({time.monotonic() - t0:.1f}s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
