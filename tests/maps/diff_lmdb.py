#!/usr/bin/env python3
"""diff_lmdb.py - differential test of indexed tables (lmdb:, hash:) against postmap.

Usage: python3 diff_lmdb.py SALLYPORT_BINARY

Generates table sources in a temporary directory (seeded, so a run is
reproducible; SP_LMDB_SEED picks another seed): e-mail addresses in mixed
case, duplicate keys and case variants, CRLF line ends, tabs, continuation
lines, quoted keys and backslashes, UTF-8, very long keys and values, lines
without a value, "key: value" lines, lines that are not UTF-8, empty and
comment-only files. For each source:

  * `SALLYPORT map lmdb:A` and `postmap lmdb:B` build two copies; their exit
    statuses must agree, and so must their warnings (the line numbers of
    skipped lines and the keys reported as duplicates);
  * keys on standard input (`-q -`): the keys as written, in other cases,
    near misses, absent keys; both programs must print the same
    `key<TAB>value` lines and exit the same way, plus some single `-q KEY`;
  * `-s` output compared as sorted sets;
  * cross-reading: postmap queries and lists sallyport's file and sallyport
    postmap's, with the same answers (the on-disk formats are the same);
  * hash: `SALLYPORT map hash:C` answers as postmap lmdb:B does;
  * some sources are built with -f (no case folding), and some get extra
    entries with -i from standard input, on both sides.

Known differences, by design, are not generated here but pinned by the unit
tests (tests/unit/test_dict_lmdb.c): Unicode case folding (postmap folds
non-ASCII letters, sallyport ASCII only), NUL bytes and lines starting with
whitespace (postmap warns or truncates; sallyport refuses the source).

Prints "N tables, M queries, K mismatches"; exits 1 on any mismatch, 77
(skipped) without postmap or its lmdb support.
"""

import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
from maplib import Mismatches, run, ascii_upper, ascii_lower, ascii_swap, mixcase, rand_word  # noqa: E402

SEED = int(os.environ.get("SP_LMDB_SEED", "20261126"))
POSTMAP = shutil.which("postmap") or "/usr/sbin/postmap"

# Lower-case (or caseless) non-ASCII whose Unicode case fold is itself, so
# postmap's folding and sallyport's ASCII folding agree on them.
UTF8_SAFE = "\u00e9\u00e8\u00e0\u00fc\u00f6\u00f1\u00e7\u00f8\u00e5\u0436\u043c\u044f" \
            "\u65e5\u672c\u8a9e\U0001f4e7\u2603"
# Upper-case non-ASCII, used only where nothing folds (-f).
UTF8_UPPER = "\u00c9\u00c8\u00dc\u00d6\u0416\u041c"

VALUES = ["OK", "REJECT", "DUNNO", "550 5.7.1 go away", "alice, bob", "alice,bob",
          "result with  double  spaces", "a#b # not a comment", "tab\tinside",
          "caf\u00e9", "\u65e5\u672c", "smtp:[127.0.0.1]:10025", "$1 literal", "{braces}",
          "\"quoted value\"", "back\\slash", "x", "trailing\\", "user@example.com"]


def rand_address(rng):
    local = rand_word(rng, "abcdefghijklmnopqrstuvwxyz0123456789._-+", 1, 16)
    domain = rand_word(rng, lo=2) + "." + rng.choice(["com", "net", "org", "example", "de"])
    form = rng.random()
    if form < 0.6:
        return mixcase(rng, local + "@" + domain)
    if form < 0.8:
        return mixcase(rng, "@" + domain)
    if form < 0.9:
        return mixcase(rng, domain)
    return mixcase(rng, local + "@")


def rand_value(rng):
    if rng.random() < 0.6:
        return rng.choice(VALUES)
    return " ".join(rand_word(rng, lo=1, hi=8) for _ in range(rng.randint(1, 5)))


def sep(rng):
    return rng.choice([" ", "\t", "  ", " \t ", "\t\t", "        "])


def line(rng, key, value, crlf=False):
    tail = rng.choice(["", "", " ", "\t", "  \t"])
    return key + sep(rng) + value + tail + ("\r\n" if crlf else "\n")


# ---------------------------------------------------------------- sources
# Each returns (source text or bytes, keys worth querying).

def src_addresses(rng):
    keys = [rand_address(rng) for _ in range(rng.randint(20, 120))]
    text = "# senders and their owners\n"
    for k in keys:
        if rng.random() < 0.1:
            text += "\n# comment\n"
        text += line(rng, k, rand_value(rng))
    return text, keys


def src_duplicates(rng):
    base = [rand_address(rng) for _ in range(15)]
    keys, text = [], ""
    for _ in range(60):
        k = rng.choice(base)
        k = rng.choice([k, ascii_lower(k), ascii_upper(k), mixcase(rng, ascii_lower(k))])
        keys.append(k)
        text += line(rng, k, rand_value(rng))
    return text, keys


def src_crlf(rng):
    keys = [rand_address(rng) for _ in range(30)]
    # No continuation lines here: postmap keeps the CR of a continued line
    # inside the value, sallyport's line reader drops it (docs/compat.md).
    text = "# crlf\r\n" + "".join(line(rng, k, rand_value(rng), crlf=True) for k in keys)
    return text, keys


def src_tabs(rng):
    keys = [rand_word(rng) for _ in range(30)]
    text = "".join(k + "\t" + rand_value(rng) + "\t" + rand_value(rng) + "\t\n" for k in keys)
    text += "\tcontinued\tvalue\n"
    return text, keys


def src_long(rng):
    keys, text = [], ""
    for _ in range(20):
        k = rand_word(rng, lo=100, hi=510)
        v = rand_word(rng, "abcdef ", 1000, 200000).strip() or "v"
        keys.append(k)
        text += k + " " + v + "\n"
    k = rand_word(rng, lo=510, hi=510)  # exactly LMDB's limit (with the NUL)
    keys.append(k)
    text += k + " at-the-limit\n"
    return text, keys


def src_huge_value(rng):
    v = "x" * 1000000
    return "big " + v + "\nsmall 1\n", ["big", "small", "BIG"]


def src_utf8(rng):
    keys = []
    text = ""
    for _ in range(40):
        k = rand_word(rng, "abc" + UTF8_SAFE, 1, 10) + "@" + rand_word(rng, "xyz" + UTF8_SAFE, 1, 6)
        keys.append(k)
        text += line(rng, k, rand_word(rng, "val " + UTF8_SAFE, 1, 20).strip() or "v")
    return text, keys


def src_missing_values(rng):
    keys, text = [], ""
    for i in range(40):
        k = rand_word(rng)
        keys.append(k)
        kind = rng.random()
        if kind < 0.2:
            text += k + "\n"
        elif kind < 0.3:
            text += k + "   \t\n"
        elif kind < 0.4:
            text += k + "\\ \n"
        else:
            text += line(rng, k, rand_value(rng))
    return text, keys


def src_comment_only(rng):
    return "# nothing\n\n   # indented comment\n#\n", ["nothing", "#", ""]


def src_empty(rng):
    return "", ["a", "", "empty"]


def src_quoted(rng):
    keys, text = [], ""
    for _ in range(30):
        kind = rng.random()
        w1, w2 = rand_word(rng), rand_word(rng)
        if kind < 0.3:
            k = '"' + w1 + " " + w2 + '"@example.com'
        elif kind < 0.5:
            k = w1 + "\\ " + w2
        elif kind < 0.6:
            k = w1 + '\\"' + w2
        elif kind < 0.7:
            k = '"' + w1 + '\\" ' + w2 + '"'
        elif kind < 0.8:
            k = '"' + w1          # unbalanced: skipped by both
        elif kind < 0.9:
            k = w1 + "\\\\" + w2
        else:
            k = '""'
        keys.append(k)
        text += line(rng, k, rand_value(rng))
    return text, keys


def src_continuation(rng):
    keys, text = [], ""
    for _ in range(25):
        k = rand_address(rng)
        keys.append(k)
        text += k + sep(rng) + rand_value(rng) + "\n"
        for _ in range(rng.randint(0, 3)):
            text += rng.choice(["  ", "\t", " "]) + rand_value(rng) + "\n"
            if rng.random() < 0.3:
                text += "# interleaved comment\n"
    text += "key-on-its-own\n  value-on-the-next\n"
    return text, keys + ["key-on-its-own"]


def src_alias_format(rng):
    keys, text = [], ""
    for _ in range(20):
        k = rand_word(rng) + rng.choice([":", "", ""])
        keys.append(k)
        text += line(rng, k, rand_value(rng))
    return text, keys + [k.rstrip(":") for k in keys]


def src_not_utf8(rng):
    keys = []
    data = b""
    for _ in range(30):
        k = rand_word(rng)
        keys.append(k)
        v = rand_value(rng).encode()
        kind = rng.random()
        if kind < 0.15:
            data += k.encode() + b"\xff " + v + b"\n"
        elif kind < 0.3:
            data += k.encode() + b" " + v + b"\xc3\n"
        elif kind < 0.4:
            data += k.encode() + b" \xed\xa0\x80" + v + b"\n"
        else:
            data += k.encode() + b" " + v + b"\n"
    return data, keys + [k + "\udcff" for k in keys[:5]]


def src_nofold(rng):
    keys, text = [], ""
    for _ in range(40):
        k = rand_address(rng)
        if rng.random() < 0.3:
            k = rand_word(rng, "ab" + UTF8_UPPER + UTF8_SAFE, 1, 8) + k
        keys.append(k)
        text += line(rng, k, rand_value(rng))
    return text, keys


def src_key_too_long(rng):
    return "a 1\n" + "k" * 511 + " v\nb 2\n", ["a", "b"]


SOURCES = [
    ("addresses", src_addresses, 8), ("duplicates", src_duplicates, 3), ("crlf", src_crlf, 2),
    ("tabs", src_tabs, 2), ("long", src_long, 2), ("huge-value", src_huge_value, 1),
    ("utf8", src_utf8, 3), ("missing-values", src_missing_values, 2),
    ("comment-only", src_comment_only, 1), ("empty", src_empty, 1), ("quoted", src_quoted, 3),
    ("continuation", src_continuation, 2), ("alias-format", src_alias_format, 1),
    ("not-utf8", src_not_utf8, 2), ("nofold", src_nofold, 3), ("key-too-long", src_key_too_long, 1),
]


# ---------------------------------------------------------------- queries

def query_keys(rng, keys, limit=60):
    """The keys as written, in other cases, near misses and absent keys."""
    out = []
    for k in rng.sample(keys, min(len(keys), limit // 2)):
        out.append(k)
        out.append(rng.choice([ascii_lower(k), ascii_upper(k), mixcase(rng, k), ascii_swap(k)]))
        if rng.random() < 0.2:
            out.append(rng.choice([k + " ", " " + k, k[:-1], k + "x", k.strip('"'), k + "\r"]))
    out += [rand_address(rng) for _ in range(5)]
    out += ["", "nosuchkey", "k" * 600]
    return [q for q in out if "\n" not in q and len(q) < 4000]


def encode_keys(keys):
    return b"".join(k.encode("utf-8", "surrogateescape") + b"\n" for k in keys)


# ---------------------------------------------------------------- warnings

WARN_LINE = re.compile(rb"warning: .*?, line (\d+): ")
WARN_DUP = re.compile(rb'duplicate entry: "(.*)"')


def warnings(stderr):
    """(line numbers of skipped lines, sorted duplicate keys) from either program."""
    lines, dups = set(), []
    for w in stderr.splitlines():
        m = WARN_DUP.search(w)
        if m:
            dups.append(m.group(1))
            continue
        m = WARN_LINE.search(w)
        if m:
            lines.add(int(m.group(1)))
    return lines, sorted(dups)


# ---------------------------------------------------------------- the test

class Run:
    def __init__(self, sallyport, tmp, rng):
        self.sp = sallyport
        self.tmp = tmp
        self.rng = rng
        self.bad = Mismatches()
        self.tables = 0
        self.queries = 0
        self.cross = 0

    def copies(self, name, data):
        paths = []
        for side in ("A", "B", "C"):
            p = os.path.join(self.tmp, "%s.%s" % (name, side))
            with open(p, "wb") as f:
                f.write(data)
            os.chmod(p, 0o644)
            paths.append(p)
        return paths

    def compare_queries(self, label, keys, sp_spec, pm_spec, opts):
        """Batch and single queries; sallyport on sp_spec, postmap on pm_spec."""
        data = encode_keys(keys)
        rs, out_s, err_s = run([self.sp, "map"] + opts + ["-q", "-", sp_spec], data)
        rp, out_p, err_p = run([POSTMAP] + opts + ["-q", "-", pm_spec], data)
        self.queries += len(keys)
        if rs != rp or out_s != out_p:
            a, b = out_s.split(b"\n"), out_p.split(b"\n")
            diff = [x for x in a if x not in b][:2] + [x for x in b if x not in a][:2]
            self.bad.add("%s: -q - (%s vs %s): status %d/%d, %d/%d lines, e.g. %r; %s%s" % (
                label, sp_spec, pm_spec, rs, rp, len(a), len(b), diff, err_s[:200], err_p[:200]))
        for k in self.rng.sample(keys, min(4, len(keys))):
            if k == "" or k.startswith("-"):
                continue
            kb = k.encode("utf-8", "surrogateescape")
            rs, out_s, _ = run([self.sp, "map"] + opts + ["-q", kb, sp_spec])
            rp, out_p, _ = run([POSTMAP] + opts + ["-q", kb, pm_spec])
            self.queries += 1
            if rs != rp or out_s != out_p:
                self.bad.add("%s: -q %r: sallyport %d %r, postmap %d %r" % (
                    label, k, rs, out_s[:80], rp, out_p[:80]))

    def listing(self, prog, spec, opts):
        argv = ([self.sp, "map"] if prog == "sallyport" else [POSTMAP]) + opts + ["-s", spec]
        rc, out, err = run(argv)
        return rc, set(out.split(b"\n")), err

    def compare_lists(self, label, sides):
        """sides: (program, spec) pairs whose -s output must be the same set."""
        results = [(p, s) + self.listing(p, s, []) for p, s in sides]
        p0, s0, rc0, set0, _ = results[0]
        for p, s, rc, st, err in results[1:]:
            if rc != rc0 or st != set0:
                self.bad.add("%s: -s %s %s (%d, %d entries) vs %s %s (%d, %d entries): %r %r" % (
                    label, p0, s0, rc0, len(set0), p, s, rc, len(st),
                    sorted(set0 - st)[:2], sorted(st - set0)[:2]))

    def one(self, label, data, keys, nofold=False, incremental=None):
        a, b, c = self.copies(label, data)
        opts = ["-f"] if nofold else []
        rs, _, err_s = run([self.sp, "map"] + opts + ["lmdb:" + a])
        rp, _, err_p = run([POSTMAP] + opts + ["lmdb:" + b])
        rh, _, err_h = run([self.sp, "map"] + opts + ["hash:" + c])
        self.tables += 3
        if (rs == 0) != (rp == 0) or (rh == 0) != (rp == 0):
            self.bad.add("%s: build status sallyport lmdb %d, hash %d, postmap %d: %s | %s" % (
                label, rs, rh, rp, err_s[-300:], err_p[-300:]))
            return
        if rs != 0:
            return  # both refused the source: nothing to query
        ws, wp = warnings(err_s), warnings(err_p)
        if ws != wp:
            self.bad.add("%s: warnings differ: sallyport lines %s dups %s; postmap lines %s "
                         "dups %s" % (label, sorted(ws[0]), ws[1][:5], sorted(wp[0]), wp[1][:5]))
        if incremental:
            extra = incremental.encode("utf-8", "surrogateescape")
            r1, _, e1 = run([self.sp, "map", "-i"] + opts + ["lmdb:" + a], extra)
            r2, _, e2 = run([POSTMAP, "-i"] + opts + ["lmdb:" + b], extra)
            r3, _, _ = run([self.sp, "map", "-i"] + opts + ["hash:" + c], extra)
            if (r1, r3) != (r2, r2) or warnings(e1)[1] != warnings(e2)[1]:
                self.bad.add("%s: -i: status %d/%d/%d, dups %s vs %s" % (
                    label, r1, r3, r2, warnings(e1)[1][:5], warnings(e2)[1][:5]))
        self.compare_queries(label, keys, "lmdb:" + a, "lmdb:" + b, opts)
        self.compare_queries(label + " hash", keys, "hash:" + c, "lmdb:" + b, opts)
        # cross-reading: each program reads the other's file
        self.compare_queries(label + " cross", keys, "lmdb:" + b, "lmdb:" + a, opts)
        self.cross += 1
        self.compare_lists(label, [("sallyport", "lmdb:" + a), ("postmap", "lmdb:" + b),
                                   ("sallyport", "lmdb:" + b), ("postmap", "lmdb:" + a),
                                   ("sallyport", "hash:" + c)])

    def all(self):
        n = 0
        for name, gen, count in SOURCES:
            for i in range(count):
                data, keys = gen(self.rng)
                if isinstance(data, str):
                    data = data.encode()
                qkeys = query_keys(self.rng, keys) if keys else ["a"]
                nofold = name == "nofold" or (name == "addresses" and i % 4 == 3)
                inc = None
                if name in ("addresses", "duplicates") and i % 2 == 1:
                    extra = [rand_address(self.rng) for _ in range(10)] + keys[:3]
                    inc = "".join(line(self.rng, k, rand_value(self.rng)) for k in extra)
                    qkeys += extra
                self.one("%s-%d" % (name, n), data, qkeys, nofold=nofold, incremental=inc)
                n += 1


def main():
    if len(sys.argv) != 2:
        print("usage: diff_lmdb.py SALLYPORT_BINARY", file=sys.stderr)
        return 2
    if not os.path.exists(POSTMAP):
        print("postmap not found: skipped")
        return 77
    sallyport = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory(prefix="sallyport-diff-lmdb-") as tmp:
        probe = os.path.join(tmp, "probe")
        with open(probe, "w") as f:
            f.write("a b\n")
        rc, _, err = run([POSTMAP, "lmdb:" + probe])
        if rc != 0:
            print("postmap cannot build lmdb: tables (install postfix-lmdb): skipped: %r" % err)
            return 77
        r = Run(sallyport, tmp, random.Random(SEED))
        r.all()
    print("%d tables, %d queries, %d mismatches (seed %d, %d cross-read pairs)" % (
        r.tables, r.queries, r.bad.count, SEED, r.cross))
    return 1 if r.bad.count else 0


if __name__ == "__main__":
    sys.exit(main())
