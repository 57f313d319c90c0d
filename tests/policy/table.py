#!/usr/bin/env python3
"""Table-driven tests of the policy engine (tests/policy/table/*.t).

A .t file is an oracle case file (README.md: [main.cf], [file NAME],
[transactions], comments with #) whose transaction lines may also use
dns=host|mailhost:NAME:ok|notfound|retry|inval|nullmx (repeatable),
tls=yes|no and pipelining=yes|no, and whose step lines are written as
policy_run prints them:

    client=192.0.2.1 ehlo=mail.example.net from=<a@example.net> to=<b@example.com>
      connect ok
      ehlo ok
      mail ok
      rcpt 554 5.7.1 <b@example.com>: Relay access denied

("VERB pending NAME" for a DNS answer the test does not give, "VERB hangup"
for HANGUP). A [dns] section holds zone lines for tests/dns/dnsd.py (NAME
TYPE DATA); with it, the test starts that DNS server on 127.0.0.1 and
policy_run asks it (through src/net/dns.h, c-ares) for every answer the
transaction does not give, as the server will. main.cf starts from the oracle's base lines and Postfix's
defaults where sallyport's differ (engine.maincf_text); main.cf and the
files go to a temporary directory, the ${config_directory} of the test.
Every step line must match exactly, and each transaction must have as
many step lines as policy_run prints. Expected replies are Postfix's: the
oracle's where it can ask (tests/policy/README.md), else read from
smtpd_check.c (DNS, TLS, pipelining).

    table.py POLICY_RUN TABLE_DIR [FILE.t...]

Exit status 0 when every transaction agrees, 1 otherwise, 2 when a .t
file is malformed.
"""
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import engine  # noqa: E402
import oracle  # noqa: E402

oracle.TXN_KEYS = oracle.TXN_KEYS + ("tls", "pipelining")
DNS = re.compile(r"(?:^|[ \t])dns=(\S*)")
DNS_VALUE = re.compile(r"(host|mailhost):[^:\s]+:(ok|notfound|retry|inval|nullmx)")
STEP = re.compile(r"(connect|ehlo|helo|auth|mail|rcpt|data|dot) "
                  r"(ok|hangup|pending \S+|\d\d\d \d\.\d{1,3}\.\d{1,3}( .*)?)")


class Table:
    """A parsed .t file: main.cf lines, files, transactions."""

    def __init__(self, path):
        self.path = path
        self.maincf = []
        self.files = {}
        self.dns = []            # zone lines for dnsd.py
        self.transactions = []   # oracle.Transaction; expected: [(lineno, line)]


def parse_fields(path, lineno, text):
    """A transaction line as a dict (oracle.parse_txn_line, plus dns= and checks)."""
    dns = DNS.findall(text)
    for d in dns:
        if not DNS_VALUE.fullmatch(d):
            raise oracle.CaseError(f"{path}:{lineno}: dns= takes "
                                   "host|mailhost:NAME:ok|notfound|retry|inval|nullmx")
    fields = oracle.parse_txn_line(path, lineno, DNS.sub("", text))
    for key in ("tls", "pipelining"):
        if fields.get(key, "no") not in ("yes", "no"):
            raise oracle.CaseError(f"{path}:{lineno}: {key}= takes yes or no")
    if dns:
        fields["dns"] = dns
    return fields


def parse_table(path):
    """Read a .t file; raise oracle.CaseError with file and line on any error."""
    t = Table(path)
    section, txn = None, None
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for lineno, line in enumerate(lines, 1):
        m = re.fullmatch(r"\[(main\.cf|dns|transactions|file ([A-Za-z0-9][A-Za-z0-9._-]*))\]\s*",
                         line)
        if m:
            section, txn = (("file", m.group(2)) if m.group(2) else m.group(1)), None
            if m.group(2):
                t.files[m.group(2)] = ""
            continue
        if line.startswith("["):
            raise oracle.CaseError(f"{path}:{lineno}: unknown section {line!r}")
        if section is None:
            if line.strip() and not line.startswith("#"):
                raise oracle.CaseError(f"{path}:{lineno}: text before the first section")
        elif section == "main.cf":
            t.maincf.append(line)
        elif section == "dns":
            if line.strip() and not line.startswith("#"):
                t.dns.append(line.strip())
        elif isinstance(section, tuple):
            t.files[section[1]] += line + "\n"
        elif line[:1] in (" ", "\t") and line.strip():
            if txn is None or not STEP.fullmatch(line.strip()):
                raise oracle.CaseError(f"{path}:{lineno}: step lines read '  VERB ok', "
                                       "'  VERB NNN X.Y.Z text' or '  VERB pending NAME', "
                                       "under a transaction")
            txn.expected.append((lineno, line.strip()))
        elif not line.strip() or line.startswith("#"):
            txn = None
        else:
            txn = oracle.Transaction(lineno, line, parse_fields(path, lineno, line), [])
            t.transactions.append(txn)
    return t


def start_dnsd(directory, zone):
    """tests/dns/dnsd.py on 127.0.0.1 with these zone lines: (process, port)."""
    port_file = os.path.join(directory, "dnsd.port")
    args = [sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                         "dns", "dnsd.py"), "--port-file", port_file]
    for z in zone:
        args += ["-z", z]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL)
    for _ in range(200):
        if os.path.exists(port_file):
            with open(port_file) as f:
                text = f.read().strip()
            if text:
                return proc, int(text)
        if proc.poll() is not None:
            break
        time.sleep(0.025)
    proc.kill()
    raise oracle.CaseError("dnsd.py did not start")


def input_line(fields):
    """policy_run's input line for a transaction."""
    rest = {k: v for k, v in fields.items() if k != "dns"}
    return "\t".join([engine.input_line(rest)] + [f"dns={d}" for d in fields.get("dns", [])])


def run_table(policy_run, path):
    """(transactions that agree, transactions, problem lines) for one .t file."""
    t = parse_table(path)
    with tempfile.TemporaryDirectory(prefix="sallyport-table-") as d:
        with open(os.path.join(d, "main.cf"), "w") as f:
            f.write(engine.maincf_text(t, d))
        for name, text in t.files.items():
            with open(os.path.join(d, name), "w") as f:
                f.write(text)
        stdin = "".join(input_line(x.fields) + "\n" for x in t.transactions)
        dnsd, args = None, []
        if t.dns:
            dnsd, port = start_dnsd(d, t.dns)
            args = ["-n", f"127.0.0.1:{port}"]
        try:
            p = subprocess.run([policy_run] + args + [d], input=stdin, capture_output=True,
                               text=True, timeout=60)
        finally:
            if dnsd:
                dnsd.terminate()
                dnsd.wait()
    if p.returncode != 0:
        return 0, len(t.transactions), [f"{path}: policy_run exit {p.returncode}:",
                                        p.stdout + p.stderr]
    got, cur = [], []
    for line in p.stdout.split("\n"):
        if line == ".":
            got.append(cur)
            cur = []
        elif line:
            cur.append(line)
    problems, good = [], 0
    if len(got) != len(t.transactions):
        problems.append(f"{path}: {len(got)} transactions answered, "
                        f"{len(t.transactions)} given")
    for x, g in zip(t.transactions, got):
        want = x.expected
        if [w for _, w in want] == g:
            good += 1
            continue
        problems.append(f"{path}:{x.lineno}: {x.text}")
        for k in range(max(len(want), len(g))):
            wl, w = want[k] if k < len(want) else (x.lineno, "(no step line)")
            gl = g[k] if k < len(g) else "(nothing printed)"
            if w != gl:
                problems.append(f"  {path}:{wl}: want: {w}")
                problems.append(f"  {' ' * len(f'{path}:{wl}')}   got:  {gl}")
    return good, len(t.transactions), problems


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    policy_run, table = argv[1], argv[2]
    paths = argv[3:] or sorted(os.path.join(table, n) for n in os.listdir(table)
                               if n.endswith(".t"))
    good = total = 0
    for path in paths:
        try:
            g, n, problems = run_table(policy_run, path)
        except oracle.CaseError as e:
            print(f"table.py: {e}", file=sys.stderr)
            return 2
        good += g
        total += n
        for line in problems:
            print(line)
    print(f"{good} of {total} transactions agree ({len(paths)} files)")
    return 0 if good == total and total > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
