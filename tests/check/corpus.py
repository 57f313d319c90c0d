"""The corpus of configurations for `sallyport check` (tests/check/cases/).

One directory per case, each a configuration directory as an administrator
would write it (main.cf, master.cf, tables), plus:

  expect   what `sallyport check --json` must report, one item a line:
             +ID [PARAM] TEXT   a finding ID must appear (optionally with
                                parameter PARAM, and "what" containing TEXT)
             -ID [PARAM] TEXT   no such finding may appear
             status N           the exit status (0 clean, 1 warnings, 2 errors)
             battery            also send the relay battery to the real server
                                (test_relay_proof.py) when no open relay is found
             mode postfix       check it as a real Postfix's configuration
                                (sallyport check --postfix DIR); no relay proof runs
             proof              (with "bug" only) the open-relay transaction reported
                                is known not to work on the real server as written
             bug ITEM           ITEM (one of the above) is what sallyport should do
                                but does not yet: the case is an expected failure
                                (xfail) until it does, and fails once it does (then
                                drop the "bug" word); a comment above says which bug
             # ...              a comment
  setup    what to do after copying (optional), one step a line, in order:
             tls                a self-signed certificate: tls/cert.pem, tls/key.pem (0600)
             example-cert       tools/example-cert DIR (the quick start's certificate)
             examples           copy the shipped examples/ configuration into DIR
             user NAME          sallyport user -c DIR add NAME --stdin
             map TYPE:FILE      sallyport map TYPE:DIR/FILE
             chmod MODE FILE    e.g. chmod 0644 tls/key.pem
             touch FILE +SECS   FILE's modification time SECS seconds from now

Every file is copied to a fresh directory, with {dir} replaced by that
directory's path; queue_directory = {dir}/queue keeps everything inside it.
"""
import atexit
import json
import os
import shutil
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "cases")
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
BINARY = os.environ.get("SALLYPORT", os.path.join(ROOT, "build", "sallyport"))
PASSWORD = "corpus-pw-4711"
SEVERITIES = ("error", "warning", "note")


def case_names():
    return sorted(d for d in os.listdir(CASES) if os.path.isfile(os.path.join(CASES, d, "expect")))


class Item:
    """One line of an expect file."""

    def __init__(self, line, bug=False):
        self.line, self.bug = line, bug
        self.kind, self.sign, self.id, self.param, self.text = None, None, None, None, ""
        if line in ("battery", "proof"):
            self.kind = line
        elif line == "mode postfix":
            self.kind = "postfix"
        elif line.startswith("status "):
            self.kind, self.status = "status", int(line.split()[1])
        elif line[:1] in "+-" and len(line) > 1:
            self.kind, self.sign = "finding", line[0]
            rest = line[1:].split(None, 1)
            self.id, tail = rest[0], (rest[1] if len(rest) > 1 else "")
            if tail.startswith("["):
                self.param, _, tail = tail[1:].partition("]")
            self.text = tail.strip()
        else:
            raise ValueError(f"bad expect line: {line!r}")

    def matches(self, f):
        return (f["id"] == self.id and (self.param is None or f["parameter"] == self.param)
                and self.text in (f["what"] or ""))

    def holds(self, result):
        """None when the item holds, else why not."""
        if self.kind in ("battery", "proof", "postfix"):
            return None
        if self.kind == "status":
            if result.rc != self.status:
                return f"exit status {result.rc}, expected {self.status}"
            return None
        hits = [f for f in result.findings if self.matches(f)]
        if self.sign == "+" and not hits:
            return f"missing: {self.line}"
        if self.sign == "-" and hits:
            return f"unexpected: {self.line} (found: {hits[0]['what']})"
        return None


def load_expect(name):
    items = []
    with open(os.path.join(CASES, name, "expect"), encoding="utf-8") as f:
        for raw in f:
            line = raw.split(" #", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
            if not line:
                continue
            bug = line.startswith("bug ")
            items.append(Item(line[4:].strip() if bug else line, bug))
    return items


_tls_dir = None


def session_tls():
    """One self-signed certificate for the whole run (cert.pem, key.pem)."""
    global _tls_dir
    if _tls_dir is None:
        d = tempfile.mkdtemp(prefix="sallyport-check-tls-")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=mail.example.com", "-keyout", os.path.join(d, "key.pem"),
                        "-out", os.path.join(d, "cert.pem")], check=True, capture_output=True,
                       timeout=60)
        _tls_dir = d
        atexit.register(shutil.rmtree, d, True)
    return _tls_dir


def _copy_tree(src, dst, d, top=True):
    for entry in sorted(os.listdir(src)):
        s, t = os.path.join(src, entry), os.path.join(dst, entry)
        if top and entry in ("expect", "setup"):
            continue
        if os.path.isdir(s):
            os.makedirs(t, exist_ok=True)
            _copy_tree(s, t, d, False)
            continue
        with open(s, "rb") as f:
            data = f.read()
        with open(t, "wb") as f:
            f.write(data.replace(b"{dir}", d.encode()))


def _setup(name, d):
    path = os.path.join(CASES, name, "setup")
    if not os.path.exists(path):
        return
    with open(path, encoding="utf-8") as f:
        steps = [ln.split() for ln in f if ln.strip() and not ln.lstrip().startswith("#")]
    for step in steps:
        op, args = step[0], step[1:]
        if op == "tls":
            os.makedirs(os.path.join(d, "tls"), exist_ok=True)
            for fn in ("cert.pem", "key.pem"):
                shutil.copy(os.path.join(session_tls(), fn), os.path.join(d, "tls", fn))
            os.chmod(os.path.join(d, "tls", "cert.pem"), 0o644)
            os.chmod(os.path.join(d, "tls", "key.pem"), 0o600)
        elif op == "example-cert":
            subprocess.run([os.path.join(ROOT, "tools", "example-cert"), d], check=True,
                           capture_output=True, timeout=60)
        elif op == "examples":
            for fn in ("main.cf", "master.cf", "vmailbox", "virtual", "sender_logins"):
                shutil.copy(os.path.join(ROOT, "examples", fn), d)
        elif op == "user":
            subprocess.run([BINARY, "user", "-c", d, "add", args[0], "--stdin"],
                           input=PASSWORD + "\n", text=True, check=True, capture_output=True,
                           timeout=60)
        elif op == "map":
            kind, _, fn = args[0].partition(":")
            subprocess.run([BINARY, "map", f"{kind}:{os.path.join(d, fn)}"], check=True,
                           capture_output=True, timeout=60)
        elif op == "chmod":
            os.chmod(os.path.join(d, args[1]), int(args[0], 8))
        elif op == "touch":
            t = time.time() + int(args[1])
            os.utime(os.path.join(d, args[0]), (t, t))
        else:
            raise ValueError(f"{name}/setup: unknown step {op!r}")


def materialize(name, parent=None):
    """A fresh copy of case name, ready to check or start; returns its path."""
    d = tempfile.mkdtemp(prefix=f"sallyport-check-{name}-", dir=parent)
    os.chmod(d, 0o755)   # as root, the workers run as mail_owner and must get in
    _copy_tree(os.path.join(CASES, name), d, d)
    _setup(name, d)
    return d


class Result:
    def __init__(self, rc, doc, text):
        self.rc, self.doc, self.text = rc, doc, text
        self.findings = doc["findings"]

    def ids(self):
        return sorted({f["id"] for f in self.findings})

    def describe(self):
        out = [f"exit status {self.rc}; {self.doc['errors']} errors, {self.doc['warnings']} "
               f"warnings, {self.doc['notes']} notes"]
        for f in self.findings:
            where = f["file"] and f"{os.path.basename(f['file'])}:{f['line']}" or "-"
            out.append(f"  {f['severity']:7} {f['id']} [{f['parameter']}] {where}"
                       f"{' service ' + f['service'] if f['service'] else ''}: {f['what']}")
        return "\n".join(out)


def postfix_mode(name):
    return any(i.kind == "postfix" for i in load_expect(name))


def run_check(d, postfix=False):
    """`sallyport check --json -c d` (--postfix d) and the text output of the same."""
    where = ["--postfix" if postfix else "-c", d]
    j = subprocess.run([BINARY, "check", "--json", *where], capture_output=True, text=True,
                       timeout=60)
    t = subprocess.run([BINARY, "check", *where], capture_output=True, text=True, timeout=60)
    try:
        doc = json.loads(j.stdout)
    except ValueError as e:
        raise AssertionError(f"check --json printed no JSON ({e}): {j.stdout!r} {j.stderr!r}")
    r = Result(j.returncode, doc, t.stdout)
    r.text_rc = t.returncode
    return r


def relays(result):
    """The open-relay findings."""
    return [f for f in result.findings if f["id"] == "open-relay"]
