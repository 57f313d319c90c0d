"""`sallyport check` on the corpus (cases/, see corpus.py): each case is
copied to a fresh directory, checked with --json and as text, and what it
must and must not report is compared with what was reported."""
import os
import re
import shutil
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402

# Every finding ID the auditor has (src/check/), and the loader's "config".
FINDING_IDS = [
    "open-relay", "login-check-unreachable", "mynetworks-wide", "mynetworks-v4mapped",
    "mynetworks-nat", "auth-without-tls", "no-sender-login-maps", "sasl-socket-not-private",
    "secret-world-readable", "table-not-compiled", "vrfy-enabled", "helo-not-required",
    "bare-newline-accepted", "bare-newline-exempt-wide", "submission-without-tls",
    "override-not-read", "config",
]
# IDs only `sallyport check --postfix DIR` reports: sallyport refuses
# smtpd_forbid_bare_newline = no at load (cases bare-newline-accepted and
# postfix-debian-default).
POSTFIX_ONLY = {"bare-newline-accepted"}

KEYS = {"id", "severity", "file", "line", "parameter", "service", "what", "means", "fix",
        "transaction"}
PROOF = re.compile(r"connect from \S+ \(name unknown\), (TLS|no TLS), not logged in\n"
                   r"EHLO \S+\nMAIL FROM:<[^>\n]*>\nRCPT TO:<[^\n]+>\n-> accepted")


@pytest.fixture
def workdir():
    d = []
    yield d
    for path in d:
        shutil.rmtree(path, ignore_errors=True)


def consistency(r):
    """What must hold for any output: the JSON's shape and counts, the exit
    status, and the text output naming the same findings."""
    problems = []
    counts = {s: 0 for s in corpus.SEVERITIES}
    for f in r.findings:
        if set(f) != KEYS:
            problems.append(f"finding keys {sorted(f)}")
        if f["severity"] not in counts:
            problems.append(f"severity {f['severity']!r}")
            continue
        counts[f["severity"]] += 1
        if not f["what"]:
            problems.append(f"{f['id']}: empty what")
        if f["id"] == "open-relay" and not PROOF.match(f["transaction"] or ""):
            problems.append(f"open-relay without a transaction: {f['transaction']!r}")
        if f["id"] == "login-check-unreachable" and "AUTH as sallyport-audit-login" not in (
                f["transaction"] or ""):
            problems.append(f"login-check-unreachable without a transaction: {f['transaction']!r}")
    if (counts["error"], counts["warning"], counts["note"]) != (
            r.doc["errors"], r.doc["warnings"], r.doc["notes"]):
        problems.append(f"counts {r.doc['errors']}/{r.doc['warnings']}/{r.doc['notes']} "
                        f"but findings {counts}")
    want = 2 if counts["error"] else 1 if counts["warning"] else 0
    if r.rc != want:
        problems.append(f"exit status {r.rc} for {counts}")
    if r.text_rc != r.rc:
        problems.append(f"text output's exit status {r.text_rc}, --json's {r.rc}")
    text = r.text
    if not text.strip():
        problems.append("the text output is empty")
    summary = (f"{counts['error']} error{'' if counts['error'] == 1 else 's'}, "
               f"{counts['warning']} warning{'' if counts['warning'] == 1 else 's'}, "
               f"{counts['note']} note{'' if counts['note'] == 1 else 's'}")
    if summary not in text:
        problems.append(f"the text output lacks {summary!r}")
    text_ids = set(re.findall(r"^(?:\x1b\[[0-9;]*m)?(?:error|warning|note)(?:\x1b\[0m)? "
                              r"\[([a-z0-9-]+)\]", text, re.M))
    if text_ids != set(r.ids()):
        problems.append(f"text names {sorted(text_ids)}, JSON {r.ids()}")
    for f in r.findings:
        if f["what"] not in text:
            problems.append(f"text lacks {f['id']}'s {f['what']!r}")
    return problems


@pytest.mark.parametrize("name", corpus.case_names())
def test_case(name, workdir):
    items = corpus.load_expect(name)
    d = corpus.materialize(name)
    workdir.append(d)
    r = corpus.run_check(d, postfix=corpus.postfix_mode(name))
    hard = consistency(r)
    known, fixed = [], []
    for item in items:
        if item.kind in ("proof", "postfix"):   # test_relay_proof.py's; the mode
            continue
        why = item.holds(r)
        if item.bug:
            (known if why else fixed).append(item.line)
        elif why:
            hard.append(why)
    report = f"case {name} ({d}):\n" + r.describe()
    if hard:
        pytest.fail("\n".join(hard) + "\n" + report, pytrace=False)
    if fixed:
        pytest.fail("marked as a known bug in expect, but now as expected (drop \"bug\"): " +
                    "; ".join(fixed) + "\n" + report, pytrace=False)
    if known:
        pytest.xfail("known bug: " + "; ".join(known))


def test_corpus_covers_every_finding():
    """Each finding ID is required by one case and ruled out by another."""
    pos, neg = set(), set()
    for name in corpus.case_names():
        postfix = corpus.postfix_mode(name)
        for item in corpus.load_expect(name):
            if item.kind == "finding" and not item.bug and (not postfix or
                                                            item.id in POSTFIX_ONLY):
                (pos if item.sign == "+" else neg).add(item.id)
    missing = [f"+{i}" for i in FINDING_IDS if i not in pos]
    missing += [f"-{i}" for i in FINDING_IDS if i not in neg]
    assert not missing, f"no case says {missing}"
    assert len(corpus.case_names()) >= 40
