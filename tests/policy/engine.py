#!/usr/bin/env python3
"""The policy engine against Postfix's recorded answers.

Every case file under cases/ holds a main.cf and transactions with the
replies Debian's Postfix gave (oracle.py records and re-verifies them).
This test gives the same main.cf (the oracle's base lines first, as
oracle.py does) and the same transactions to sallyport's engine through
policy_run, and compares each step:

- a step Postfix accepted (2xx/3xx) must be accepted by the engine;
- a step Postfix refused must get the same reply: code, enhanced status
  code and text.

A case whose configuration sallyport refuses on purpose says so in a
comment line "# sallyport refuses: TEXT"; the test then checks that
policy_run exits 2 with TEXT in its diagnostics.

    engine.py POLICY_RUN CASES_DIR [CASE...]

Exit status 0 when everything agrees, 1 otherwise.
"""
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import oracle  # noqa: E402


# Where sallyport's defaults deliberately differ from Postfix's ("differs"
# in the registry) and the difference changes restriction answers, the
# case files mean Postfix's: they are written into main.cf unless the case
# sets them.
POSTFIX_DEFAULTS = [
    "allow_percent_hack = yes",
    "swap_bangpath = yes",
    "smtpd_helo_required = no",
]

# Transactions whose answers differ on purpose: (case file, the
# transaction line's text, the step, sallyport's reply, why).
DELIBERATE = [
    ("10-relay-address-forms.case", "to=<user@example.org@example.com>", "rcpt",
     "501 5.1.3 Bad recipient address syntax",
     "an unquoted '@' in the local part is not RFC 5321 syntax; sallyport refuses it "
     "before any restriction (docs/compat.md)"),
]


def maincf_text(case, directory):
    own = set(oracle.maincf_names(case.maincf))
    base = [l for l in oracle.POLICY_BASE + POSTFIX_DEFAULTS
            if l.split("=")[0].strip() not in own]
    lines = base + case.maincf
    return "\n".join(lines) + "\n"


def input_line(fields):
    out = []
    for key, value in fields.items():
        if key == "to":
            out.extend(f"to={v}" for v in value)
        else:
            out.append(f"{key}={value}")
    return "\t".join(out)


def refusal_of(case):
    with open(case.path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"#\s*sallyport refuses:\s*(.+)", line)
            if m:
                return m.group(1).strip()
    return None


def parse_output(text):
    """policy_run's output as a list of [(verb, reply or None)] per transaction."""
    txns, cur = [], []
    for line in text.split("\n"):
        if line == ".":
            txns.append(cur)
            cur = []
        elif line and not line.startswith("  |"):
            verb, _, rest = line.partition(" ")
            cur.append((verb, None if rest == "ok" else rest))
    return txns


def deliberate(case, txn, verb, reply):
    name = os.path.basename(case.path)
    return any(name == c and frag in txn.text and verb == v and reply == r
               for c, frag, v, r, _ in DELIBERATE)


def compare(want, got, allowed=lambda verb, reply: False):
    """Mismatch descriptions (empty when the engine agrees)."""
    out = []
    # Postfix's 421/521 hang-ups and noreply end a session; ehlo/connect
    # greetings are accepts.
    w = [(v, r) for v, r in want if v != "noreply"]
    for k in range(max(len(w), len(got))):
        wv, wr = w[k] if k < len(w) else (None, None)
        gv, gr = got[k] if k < len(got) else (None, None)
        if wv != gv:
            out.append(f"  step {k + 1}: postfix {wv} {wr or ''} / sallyport {gv} {gr or 'ok'}")
            break
        accepted = wr is not None and wr[:1] in "23"
        if (accepted and gr is None) or gr == wr:
            continue
        if allowed(gv, gr):
            break
        out.append(f"  {wv}: postfix {wr} / sallyport {gr or 'ok'}")
    return out


def run_case(policy_run, path):
    case = oracle.parse_case(path)
    refusal = refusal_of(case)
    with tempfile.TemporaryDirectory(prefix="sallyport-engine-") as d:
        with open(os.path.join(d, "main.cf"), "w") as f:
            f.write(maincf_text(case, d))
        for name, text in case.files.items():
            with open(os.path.join(d, name), "w") as f:
                f.write(text)
        stdin = "\n".join(input_line(t.fields) for t in case.transactions) + "\n"
        p = subprocess.run([policy_run, d], input=stdin, capture_output=True, text=True,
                           timeout=60)
    if refusal:
        if p.returncode == 2 and refusal in p.stdout:
            return 0, [], len(case.transactions)
        return 1, [f"{path}: expected sallyport to refuse the configuration with "
                   f"{refusal!r}; exit {p.returncode}:\n{p.stdout}{p.stderr}"], 0
    if p.returncode != 0:
        return 1, [f"{path}: policy_run exit {p.returncode}:\n{p.stdout}{p.stderr}"], 0
    got = parse_output(p.stdout)
    problems = []
    for t, g in zip(case.transactions, got):
        diff = compare(t.expected, g, lambda v, r, t=t: deliberate(case, t, v, r))
        if diff:
            problems.append(f"{path}:{t.lineno}: {t.text}")
            problems.extend(diff)
    if len(got) != len(case.transactions):
        problems.append(f"{path}: {len(got)} transactions answered, "
                        f"{len(case.transactions)} given")
    return (1 if problems else 0), problems, len(case.transactions)


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    policy_run, cases = argv[1], argv[2]
    paths = argv[3:] or sorted(os.path.join(cases, n) for n in os.listdir(cases)
                               if n.endswith(".case"))
    failed = total = 0
    for path in paths:
        bad, problems, n = run_case(policy_run, path)
        failed += bad
        total += n
        for line in problems:
            print(line)
    print(f"engine vs Postfix: {len(paths) - failed} of {len(paths)} case files agree "
          f"({total} transactions)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
