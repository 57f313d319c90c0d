#!/usr/bin/env python3
"""Differential test of the regexp: and pcre: table types against postmap.

Usage: python3 diff_patterns.py SALLYPORT_BINARY [SEED]

Generates regexp and pcre tables in a temporary directory (seeded random,
so a run is reproducible; the seed is printed and may be given as the
second argument or in SP_DIFF_SEED): header_checks- and access-style rules
with anchors, classes, alternation, case flags, substitutions, negations,
if/endif blocks, continued results, comments, CRLF, tabs, UTF-8, very long
results, empty files, and malformed lines. Each table is asked the same keys
(keys on standard input, "-q -") by `sallyport map` and by `postmap`; the
standard output and the exit status must be the same.

What counts as a mismatch:
  - both accept the table and answer differently (stdout or exit status);
  - postmap opens the table without a warning but sallyport refuses it,
    unless the generator made it with one of sallyport's deliberate
    differences (KNOWN below), which is recorded instead;
  - postmap refuses the table outright (fatal) or skips part of it with a
    warning (a malformed line) and sallyport accepts it.
Tables that postmap warns about and sallyport refuses are recorded, not
counted: sallyport refuses every malformed line on purpose.

Prints "N tables, M queries, K mismatches" and exits 1 on any mismatch, 77
(skip) when postmap or the pcre map type is missing.
"""
import os
import random
import shutil
import subprocess
import sys
import tempfile

TABLES_PER_TYPE = 70
KEYS_PER_TABLE = 16

# Deliberate differences: sallyport refuses these tables, postmap reads them.
KNOWN = {
    "backref": "regexp: back-references (\\1..\\9) are refused: POSIX regexec has "
               "no work limit and back-references make it exponential",
    "trailing-backslash": "regexp: a pattern ending in a backslash at the end of the "
                          "line (\"/abc\\\") is no closing delimiter; Postfix's regexp "
                          "reader takes the backslash as the delimiter",
    "result-over-limit": "a result longer than 1 MiB (SP_DICT_VALUE_MAX) is refused",
    "crlf-continuation": "a CR before the LF of a continued line is dropped (CRLF files "
                         "read like LF files); Postfix keeps it in the result",
}
# Answers of tables with CRLF continuation lines are compared with the CRs
# removed from postmap's answers (sallyport drops them, see KNOWN).
CRLF_CONT = "crlf-continuation"

# postmap warnings at open that do not change what the table means.
BENIGN = ("no replacement text: using empty string", "ignoring obsolete regexp option")

DOMAINS = ["example.com", "example.org", "mail.example.net", "spam.biz", "localhost",
           "xn--bcher-kva.example", "sub.domain.example.co.uk", "caf\u00e9.example"]
LOCALS = ["joe", "admin", "postmaster", "abuse", "root", "info", "sales", "owner-list",
          "list-outgoing", "j.doe", "user+tag", "MAILER-DAEMON", "noreply"]
HEADERS = ["Subject", "From", "To", "Received", "X-Mailer", "Content-Type", "Reply-To"]
WORDS = ["viagra", "money", "fast", "lottery", "winner", "urgent", "invoice", "caf\u00e9",
         "Gr\u00fc\u00dfe", "FREE", "offer", "meeting", "x", "$5", "100%", "a|b", "[info]"]
ACTIONS = ["OK", "REJECT", "DUNNO", "DISCARD", "HOLD", "REJECT Go away",
           "550 5.7.1 Access denied", "WARN suspicious", "FILTER smtp:[127.0.0.1]:10025",
           "PREPEND X-Checked: yes", "REDIRECT abuse@example.org", "421 4.7.0 Try later",
           "REJECT caf\u00e9 ferm\u00e9", "REJECT\tspam\there", "HOLD price $$5"]


def esc(s, pcre):
    """Escapes regex metacharacters of a literal."""
    out = []
    for ch in s:
        if ch in "\\.^$|?*+()[]{}":
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


class Gen:
    """Generates one table (text and keys) of a type."""

    def __init__(self, rnd, typ):
        self.r = rnd
        self.typ = typ
        self.pcre = typ == "pcre"
        self.samples = []
        self.tags = set()
        self.malformed = False

    def addr(self):
        r = self.r
        a = r.choice(LOCALS) + "@" + r.choice(DOMAINS)
        return a.upper() if r.random() < 0.15 else a

    def header(self):
        r = self.r
        words = " ".join(r.choice(WORDS) for _ in range(r.randint(1, 4)))
        return "%s: %s" % (r.choice(HEADERS), words)

    def pattern(self):
        """Returns (pattern, groups, sample key)."""
        r, p = self.r, self.pcre
        loc, dom, word = r.choice(LOCALS), r.choice(DOMAINS), r.choice(WORDS)
        hdr = r.choice(HEADERS)
        kinds = [
            ("^%s@%s$" % (esc(loc, p), esc(dom, p)), 0, "%s@%s" % (loc, dom)),
            ("^(.*)@%s$" % esc(dom, p), 1, "%s@%s" % (loc, dom)),
            ("^([^@]+)@(.+\\.)?%s$" % esc(dom, p), 2, "%s@mx.%s" % (loc, dom)),
            ("@(%s|%s)$" % (esc(dom, p), esc(r.choice(DOMAINS), p)), 1, "%s@%s" % (loc, dom)),
            ("^%s:.*(%s|%s)" % (hdr, esc(word, p), esc(r.choice(WORDS), p)), 1,
             "%s: hello %s there" % (hdr, word)),
            ("^%s: (.*)$" % hdr, 1, "%s: %s" % (hdr, word)),
            ("^[0-9]+\\.[0-9]+\\.", 0, "192.0.2.%d" % r.randint(0, 255)),
            ("[[:digit:]]{3}", 0, "abc%d" % r.randint(100, 999)),
            ("^[a-z0-9._%%+-]+@%s$" % esc(dom, p), 0, "%s@%s" % (loc, dom)),
            ("^(%s)(\\+[^@]*)?@" % esc(loc, p), 2, "%s+x@%s" % (loc, dom)),
            (esc(word, p), 0, "the %s is here" % word),
            ("^$", 0, ""),
            ("", 0, "anything"),
            (".", 0, "z"),
            ("^(a+)(b*)$", 2, "aab"),
            ("(%s)" % esc(word.upper(), p), 1, word.lower()),
            ("^%s@" % esc(loc.capitalize(), p), 0, "%s@%s" % (loc, dom)),
        ]
        if p:
            kinds += [
                ("^(?!owner-)(.*)-outgoing@(.*)", 2, "list-outgoing@%s" % dom),
                ("^(.+?)@", 1, "%s@%s" % (loc, dom)),
                ("\\b%s\\b" % esc(word, p), 0, "a %s b" % word),
                ("\\d{3}-\\w+", 0, "x123-abc"),
                ("^(?i:%s)$" % esc(loc, p), 0, loc.upper()),
                ("(?<name>%s)@" % esc(loc, p), 1, "%s@%s" % (loc, dom)),
                ("^\\s*%s" % esc(word, p), 0, "  %s" % word),
                ("a b c", 0, "abc"),
                ("caf\u00e9|Gr\u00fc\u00dfe", 0, "Gr\u00fc\u00dfe aus"),
            ]
        else:
            kinds += [
                ("^(%s)@([[:alnum:].-]+)$" % esc(loc, p), 2, "%s@%s" % (loc, dom)),
                ("[[:upper:]]{3,}", 0, "SHOUT"),
                ("a+", 0, "aa+"),
                ("caf\u00e9|Gr\u00fc\u00dfe", 0, "un caf\u00e9"),
            ]
        return r.choice(kinds)

    def delimited(self, pat):
        """Wraps pat in a delimiter; sometimes one the pattern holds, escaped."""
        d = self.r.choice("/////|~%,@")
        if "\\" + d in pat:
            d = "/"
        return d + pat.replace(d, "\\" + d) + d

    def flags(self):
        r = self.r
        pool = "imsxAEU" if self.pcre else "im"
        if r.random() < 0.7:
            return ""
        f = "".join(r.choice(pool) for _ in range(r.randint(1, 2)))
        if self.pcre and r.random() < 0.05:
            f += "X"
        if not self.pcre and r.random() < 0.05:
            f += "x"
        return f

    def result(self, groups, negated):
        r = self.r
        res = r.choice(ACTIONS)
        if groups and not negated and r.random() < 0.6:
            n = r.randint(1, groups)
            ref = r.choice(["$%d" % n, "${%d}" % n, "$(%d)" % n])
            res = r.choice(["REJECT user %s", "REDIRECT %s@example.org", "PREPEND X-Match: %s",
                            "%s", "550 <%s> not here", "OK $$%s"]) % ref
        x = r.random()
        if x < 0.03:
            res = "REJECT " + "long " * r.randint(400, 900)
        elif x < 0.06:
            res = ""
        elif x < 0.09:
            res = res + "\t \t" + "caf\u00e9"
        return res

    def rule(self, crlf):
        r = self.r
        pat, groups, sample = self.pattern()
        negated = r.random() < 0.12
        line = ("!" if negated else "") + self.delimited(pat) + self.flags()
        if not self.pcre and r.random() < 0.08:
            p2, _, _ = self.pattern()
            line += "!" + ("!" if r.random() < 0.3 else "") + self.delimited(p2) + self.flags()
        res = self.result(groups, negated)
        sep = r.choice([" ", "\t", "  ", " \t"])
        lines = [line + (sep + res if res else "")]
        if res and r.random() < 0.08:
            lines.append(r.choice([" ", "\t", "    "]) + r.choice(["continued", "more text $$"]))
            if crlf:
                self.tags.add(CRLF_CONT)
        self.samples.append(sample)
        return lines

    def block(self, depth, crlf):
        r = self.r
        out = []
        for _ in range(r.randint(1, 6)):
            x = r.random()
            if x < 0.12 and depth < 3:
                pat, _, sample = self.pattern()
                neg = "!" if r.random() < 0.3 else ""
                kw = r.choice(["if", "if", "IF", "If"])
                out.append("%s %s%s%s" % (kw, neg, self.delimited(pat), self.flags()))
                self.samples.append(sample)
                out += self.block(depth + 1, crlf)
                out.append(r.choice(["endif", "endif", "ENDIF"]))
            elif x < 0.2:
                out.append(r.choice(["# comment", "#", "   # indented comment", "",
                                     "# /not/ a rule", "\t"]))
            else:
                out += self.rule(crlf)
        return out

    def malform(self, lines):
        """Breaks the table in one of many ways; returns the new lines."""
        r = self.r
        self.malformed = True
        bad = [
            "/unclosed REJECT", "/a/q REJECT", "unrecognized line", "if /a/ REJECT",
            "endif", "if /never-closed/", "/(a)/ $2", "/a/ $x", "/a/ cost $", "!/(a)/ $1",
            "/[a/ REJECT", "/a/ ${1", "/(a)/ $0", "ENDIF junk", "IF", "!",
            "/a/!/b REJECT", "ifx /a/ b",
        ]
        if self.pcre:
            bad += ["/a)/ REJECT", "/(?<x/ REJECT", "/a/!/b/ two", "/a/s!x y"]
        else:
            bad += ["/a{2,1}/ REJECT", "/a/s REJECT"]
        kind = r.random()
        if kind < 0.08 and not self.pcre:
            line, self.malformed = "/(a)\\1/ backref", False
            self.tags.add("backref")
        elif kind < 0.12 and not self.pcre:
            line, self.malformed = "/abc\\", False
            self.tags.add("trailing-backslash")
        elif kind < 0.18:
            return [" /a/ leading whitespace"] + lines
        else:
            line = r.choice(bad)
        pos = r.randint(0, len(lines))
        return lines[:pos] + [line] + lines[pos:]

    def table(self):
        """Returns (bytes, keys)."""
        r = self.r
        crlf = r.random() < 0.12
        x = r.random()
        if x < 0.03:
            lines = []
        elif x < 0.05:
            lines = ["# only comments", "", "   ", "#/a/ b"]
        else:
            lines = self.block(0, crlf)
            if r.random() < 0.25:
                lines = self.malform(lines)
        if r.random() < 0.01:
            lines.append("/^huge$/ " + "h" * ((1 << 20) + 10))
            self.tags.add("result-over-limit")
        nl = "\r\n" if crlf else "\n"
        text = nl.join(lines) + (nl if lines and r.random() < 0.9 else "")
        return text.encode("utf-8"), self.keys()

    def keys(self):
        r = self.r
        keys = list(self.samples)
        while len(keys) < KEYS_PER_TABLE + len(self.samples) // 2:
            x = r.random()
            if x < 0.35:
                k = self.addr()
            elif x < 0.6:
                k = self.header()
            elif x < 0.7:
                k = "%d.%d.%d.%d" % tuple(r.randint(0, 255) for _ in range(4))
            elif x < 0.75:
                k = "a" * r.randint(1, 5) + "b" * r.randint(0, 3)
            elif x < 0.8:
                k = r.choice(WORDS) * r.randint(50, 300)
            elif x < 0.85:
                k = "".join(chr(r.randint(0x21, 0x7e)) for _ in range(r.randint(0, 30)))
            elif x < 0.9:
                k = "\u00e9\u00e8 " + r.choice(WORDS) + " \u2603"
            else:
                k = r.choice(keys) if keys else ""
                if k and r.random() < 0.5:
                    k = k.swapcase()
            keys.append(k)
        out = []
        for k in keys:
            b = k.encode("utf-8")[:4000]
            b = b.replace(b"\n", b" ").replace(b"\r", b" ").replace(b"\0", b" ")
            while True:   # do not cut a UTF-8 sequence in half
                try:
                    b.decode("utf-8")
                    break
                except UnicodeDecodeError:
                    b = b[:-1]
            out.append(b)
        return out


def run(argv, stdin):
    p = subprocess.run(argv, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=120)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def postmap_open_check(postmap, spec):
    """postmap's verdict on a table: 'clean', 'benign', 'malformed' or
    'fatal', and its messages (one key is looked up to make it open)."""
    rc, _, err = run([postmap, "-q", "", spec], b"")
    msgs = [l for l in err.splitlines() if l.strip()]
    if "fatal:" in err or rc not in (0, 1):
        return "fatal", msgs
    opening = [m for m in msgs if " map " in m or "logical line" in m]
    if not opening:
        return "clean", msgs
    if all(any(b in m for b in BENIGN) for m in opening):
        return "benign", msgs
    return "malformed", msgs


def main():
    if len(sys.argv) < 2:
        print("usage: diff_patterns.py SALLYPORT_BINARY [SEED]", file=sys.stderr)
        return 2
    sallyport = os.path.abspath(sys.argv[1])
    postmap = shutil.which("postmap") or "/usr/sbin/postmap"
    if not os.access(postmap, os.X_OK):
        print("postmap not found: skipped")
        return 77
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else int(os.environ.get("SP_DIFF_SEED", "2026"))
    rnd = random.Random(seed)
    ntables = nqueries = mismatches = found = 0
    recorded = {}
    per_type = {"regexp": 0, "pcre": 0}
    with tempfile.TemporaryDirectory(prefix="sallyport-diff-patterns-") as tmp:
        probe = os.path.join(tmp, "probe")
        with open(probe, "w") as f:
            f.write("/a/ b\n")
        if run([postmap, "-q", "a", "pcre:" + probe], b"")[0] != 0:
            print("postmap has no pcre: map type (install postfix-pcre): skipped")
            return 77
        for typ in ("regexp", "pcre"):
            for i in range(TABLES_PER_TYPE):
                g = Gen(rnd, typ)
                data, keys = g.table()
                path = os.path.join(tmp, "%s-%03d" % (typ, i))
                with open(path, "wb") as f:
                    f.write(data)
                spec = "%s:%s" % (typ, path)
                stdin = b"".join(k + b"\n" for k in keys)
                verdict, pm_msgs = postmap_open_check(postmap, spec)
                prc, pout, _ = run([postmap, "-q", "-", spec], stdin)
                src, sout, serr = run([sallyport, "map", "-q", "-", spec], stdin)
                s_refused = src == 2 and ("error(s) in the table" in serr or
                                          "open " in serr)
                ntables += 1
                nqueries += len(keys)
                per_type[typ] += len(keys)
                problem = None
                if verdict in ("fatal", "malformed"):
                    if not s_refused:
                        problem = "postmap %s, sallyport accepted it" % verdict
                    else:
                        recorded.setdefault("refused by both (postmap %s)" % verdict, []).append(
                            os.path.basename(path))
                elif s_refused:
                    known = sorted(t for t in g.tags if t in KNOWN)
                    if known:
                        recorded.setdefault("kept difference: " + known[0], []).append(
                            os.path.basename(path))
                    else:
                        problem = "postmap %s, sallyport refused it" % verdict
                else:
                    if CRLF_CONT in g.tags:
                        pout = pout.replace(b"\r", b"")
                        recorded.setdefault("kept difference: " + CRLF_CONT, []).append(
                            os.path.basename(path))
                    if verdict == "benign":
                        recorded.setdefault("accepted by both with postmap warnings",
                                            []).append(os.path.basename(path))
                    found += sout.count(b"\n")
                    if (prc, pout) != (src, sout):
                        problem = "answers differ"
                if problem:
                    mismatches += 1
                    print("MISMATCH %s: %s" % (spec, problem))
                    print("  postmap: %s" % " | ".join(pm_msgs)[:600])
                    print("  sallyport rc %d: %s" % (src, serr.strip()[:600]))
                    if problem == "answers differ":
                        pl, sl = pout.splitlines(), sout.splitlines()
                        for a, b in zip(pl, sl):
                            if a != b:
                                print("  first difference: postmap %r / sallyport %r"
                                      % (a[:200], b[:200]))
                                break
                        else:
                            print("  postmap %d lines rc %d, sallyport %d lines rc %d"
                                  % (len(pl), prc, len(sl), src))
    print("seed %d; queries per type: regexp %d, pcre %d; %d answers compared were found"
          % (seed, per_type["regexp"], per_type["pcre"], found))
    for what in sorted(recorded):
        names = recorded[what]
        print("%s: %d table(s)%s" % (what, len(names),
                                     (" - " + KNOWN[what.split(": ", 1)[1]])
                                     if what.split(": ", 1)[-1] in KNOWN else ""))
    print("%d tables, %d queries, %d mismatches" % (ntables, nqueries, mismatches))
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
