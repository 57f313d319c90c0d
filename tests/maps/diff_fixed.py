#!/usr/bin/env python3
"""diff_fixed.py - differential test of texthash:, inline: and static: against postmap.

Usage: python3 diff_fixed.py SALLYPORT_BINARY

These table types need no build step, so both programs read the same table
directly. Generated (seeded, so a run is reproducible; SP_FIXED_SEED picks
another seed):

  * texthash: source files in postmap's format: e-mail addresses in mixed
    case, duplicate keys and case variants, CRLF line ends, tabs,
    continuation lines, quoted keys and backslashes, UTF-8, long keys (no
    LMDB limit here) and long values, lines without a value, "key: value"
    lines, lines that are not UTF-8, empty and comment-only files, and
    files with one hostile line each; some read with -f (no folding);
  * inline: tables, inline:{ k=v, { k = value with spaces } }, with
    duplicates, mixed case and odd spacing, plus hostile ones;
  * static: values, plain and in braces, plus hostile ones.

Each table is queried with `postmap -q - TABLE` and `SALLYPORT map -q -
TABLE` (keys on standard input: the keys as written, in other cases, near
misses, absent keys) and a few single `-q KEY`; output and exit status must
be the same, and `-s` output the same set where the type can list itself.

A table postmap rejects (fatal) must be rejected by sallyport (exit 2). A
table sallyport rejects is allowed when postmap warns about it (sallyport
refuses what postmap only skips), or when its hostile line is listed below
as one sallyport is knowingly stricter about; those are counted in the
summary. Queries change the case of ASCII letters only: postmap folds
Unicode letters, sallyport ASCII (a documented difference, pinned by the
unit tests). Prints "N tables, M queries, K mismatches"; exits 1 on any
mismatch, 77 (skipped) without postmap.
"""

import os
import random
import shutil
import subprocess
import sys
import tempfile
from maplib import Mismatches, run, ascii_upper, ascii_lower, ascii_swap, mixcase, rand_word  # noqa: E402

SEED = int(os.environ.get("SP_FIXED_SEED", "20261126"))
POSTMAP = shutil.which("postmap") or "/usr/sbin/postmap"

UTF8_SAFE = "\u00e9\u00e8\u00e0\u00fc\u00f6\u00f1\u00e7\u00f8\u00e5\u0436\u043c\u044f" \
            "\u65e5\u672c\u8a9e\U0001f4e7\u2603"
UTF8_UPPER = "\u00c9\u00c8\u00dc\u00d6\u0416\u041c"

VALUES = ["OK", "REJECT", "DUNNO", "550 5.7.1 go away", "alice, bob", "alice,bob",
          "result with  double  spaces", "a#b # not a comment", "tab\tinside",
          "caf\u00e9", "\u65e5\u672c", "smtp:[127.0.0.1]:10025", "$1 literal", "{braces}",
          "\"quoted value\"", "back\\slash", "x", "trailing\\", "user@example.com"]

# texthash: one hostile line each, and whether postmap reads it silently
# (then sallyport, refusing it, is knowingly stricter) or warns.
TEXTHASH_HOSTILE = [
    (b"  leading whitespace on the first line\n", "warns"),
    (b"k v\x00junk\n", "silent"),             # postmap truncates at the NUL
    (b"k\x00 v\n", "warns"),
    (b"k\n", "warns"),
    (b"\"unbalanced v\n", "warns"),
    (b"k: v\n", "warns"),
    (b"\\ v\n", "warns"),
    (b"k \xff\n", "warns"),
]

# inline: and static: specs that are odd or wrong, with what postmap does:
# "fatal" (refuses), "warns" (answers, with a warning), or "silent".
INLINE_HOSTILE = [
    ("inline:{}", "fatal"),
    ("inline:{ }", "fatal"),
    ("inline:{a}", "fatal"),
    ("inline:{a=1", "fatal"),
    ("inline:a=1", "fatal"),
    ("inline:{ {a=1}x }", "fatal"),
    ("inline:{ x = {y} }", "fatal"),
    ("inline:{\"a b\"=1}", "fatal"),
    ("inline:{a=}", "warns"),                 # an empty result
    ("inline:{=1}", "silent"),                # an empty key
    ("inline:{a=1,,b=2}", "silent"),
    ("inline:{a==1}", "silent"),
    ("inline:{ {a=1, b=2} }", "silent"),
    ("inline:{ { a = b } , { c = d } }", "silent"),
    ("inline:{a=1 b=2}", "silent"),
    ("inline:{a=1}}", "silent"),
    ("static:", "fatal"),
    ("static:{}", "warns"),
    ("static:{x", "fatal"),
    ("static:{ a } b", "silent"),
    ("static:{{x}}", "silent"),
    ("static:x y", "silent"),
]

# What sallyport is knowingly stricter about: refuses, where postmap answers.
STRICTER = {
    b"k v\x00junk\n": "NUL byte in a line (postmap truncates the line)",
    "inline:{=1}": "an empty inline: key",
    "inline:{a=}": "an empty inline: result",
    "static:{}": "an empty static: result",
}


def rand_address(rng):
    local = rand_word(rng, "abcdefghijklmnopqrstuvwxyz0123456789._-+", 1, 16)
    domain = rand_word(rng, lo=2) + "." + rng.choice(["com", "net", "org", "example"])
    form = rng.random()
    if form < 0.6:
        return mixcase(rng, local + "@" + domain)
    if form < 0.8:
        return mixcase(rng, "@" + domain)
    return mixcase(rng, domain)


def rand_value(rng):
    if rng.random() < 0.6:
        return rng.choice(VALUES)
    return " ".join(rand_word(rng, lo=1, hi=8) for _ in range(rng.randint(1, 5)))


def sep(rng):
    return rng.choice([" ", "\t", "  ", " \t ", "\t\t"])


def line(rng, key, value, crlf=False):
    return key + sep(rng) + value + rng.choice(["", "", " ", "\t"]) + ("\r\n" if crlf else "\n")


def query_keys(rng, keys, limit=50):
    out = []
    for k in rng.sample(keys, min(len(keys), limit // 2)):
        out.append(k)
        out.append(rng.choice([ascii_lower(k), ascii_upper(k), mixcase(rng, k), ascii_swap(k)]))
        if rng.random() < 0.2:
            out.append(rng.choice([k + " ", " " + k, k[:-1], k + "x", k.strip('"'), k + "\r"]))
    out += [rand_address(rng) for _ in range(4)]
    out += ["", "nosuchkey", "k" * 600]
    return [q for q in out if "\n" not in q and len(q) < 4000]


def write_old(path, data):
    """Writes a table file dated a minute back: Postfix's texthash: reader
    re-reads (and waits) while a file's mtime is within the last second."""
    with open(path, "wb") as f:
        f.write(data)
    t = os.stat(path).st_mtime - 60
    os.utime(path, (t, t))


def encode_keys(keys):
    return b"".join(k.encode("utf-8", "surrogateescape") + b"\n" for k in keys)


# ---------------------------------------------------------------- texthash sources

def th_addresses(rng):
    keys = [rand_address(rng) for _ in range(rng.randint(20, 100))]
    text = "# senders\n" + "".join(line(rng, k, rand_value(rng)) for k in keys)
    return text, keys


def th_duplicates(rng):
    base = [rand_address(rng) for _ in range(12)]
    keys, text = [], ""
    for _ in range(50):
        k = rng.choice(base)
        k = rng.choice([k, ascii_lower(k), ascii_upper(k)])
        keys.append(k)
        text += line(rng, k, rand_value(rng))
    return text, keys


def th_crlf(rng):
    keys = [rand_address(rng) for _ in range(30)]
    return "# crlf\r\n" + "".join(line(rng, k, rand_value(rng), True) for k in keys), keys


def th_tabs(rng):
    keys = [rand_word(rng) for _ in range(25)]
    return "".join(k + "\t" + rand_value(rng) + "\t" + rand_value(rng) + "\t\n"
                   for k in keys), keys


def th_long(rng):
    keys, text = [], ""
    for _ in range(10):
        k = rand_word(rng, lo=100, hi=1500)   # texthash has no LMDB key limit
        keys.append(k)
        text += k + " " + (rand_word(rng, "abcdef ", 100, 50000).strip() or "v") + "\n"
    return text, keys


def th_utf8(rng):
    keys, text = [], ""
    for _ in range(30):
        k = rand_word(rng, "abc" + UTF8_SAFE, 1, 10) + "@" + rand_word(rng, "xyz" + UTF8_SAFE, 1, 6)
        keys.append(k)
        text += line(rng, k, rand_word(rng, "v " + UTF8_SAFE, 1, 12).strip() or "v")
    return text, keys


def th_missing_values(rng):
    keys, text = [], ""
    for _ in range(30):
        k = rand_word(rng)
        keys.append(k)
        r = rng.random()
        text += k + "\n" if r < 0.2 else k + " \t\n" if r < 0.3 else line(rng, k, rand_value(rng))
    return text, keys


def th_quoted(rng):
    keys, text = [], ""
    for _ in range(25):
        w1, w2 = rand_word(rng), rand_word(rng)
        k = rng.choice(['"%s %s"@example.com' % (w1, w2), w1 + "\\ " + w2, w1 + '\\"' + w2,
                        '"' + w1, w1 + "\\\\" + w2, '""'])
        keys.append(k)
        text += line(rng, k, rand_value(rng))
    return text, keys


def th_continuation(rng):
    keys, text = [], ""
    for _ in range(20):
        k = rand_address(rng)
        keys.append(k)
        text += k + sep(rng) + rand_value(rng) + "\n"
        for _ in range(rng.randint(0, 2)):
            text += rng.choice(["  ", "\t"]) + rand_value(rng) + "\n"
            if rng.random() < 0.3:
                text += "# interleaved\n"
    return text, keys


def th_alias(rng):
    keys = [rand_word(rng) + rng.choice([":", ""]) for _ in range(15)]
    return "".join(line(rng, k, rand_value(rng)) for k in keys), keys + [k.rstrip(":") for k in keys]


def th_not_utf8(rng):
    keys, data = [], b""
    for _ in range(25):
        k = rand_word(rng)
        keys.append(k)
        v = rand_value(rng).encode()
        r = rng.random()
        if r < 0.15:
            data += k.encode() + b"\xff " + v + b"\n"
        elif r < 0.3:
            data += k.encode() + b" " + v + b"\xc3\n"
        else:
            data += k.encode() + b" " + v + b"\n"
    return data, keys


def th_nofold(rng):
    keys = []
    for _ in range(30):
        k = rand_address(rng)
        if rng.random() < 0.3:
            k = rand_word(rng, "ab" + UTF8_UPPER + UTF8_SAFE, 1, 6) + k
        keys.append(k)
    return "".join(line(rng, k, rand_value(rng)) for k in keys), keys


def th_empty(rng):
    return rng.choice(["", "# only comments\n\n  # indented\n"]), ["a", "", "#"]


TEXTHASH_SOURCES = [
    ("addresses", th_addresses, 6), ("duplicates", th_duplicates, 3), ("crlf", th_crlf, 2),
    ("tabs", th_tabs, 2), ("long", th_long, 2), ("utf8", th_utf8, 2),
    ("missing-values", th_missing_values, 2), ("quoted", th_quoted, 2),
    ("continuation", th_continuation, 2), ("alias-format", th_alias, 1),
    ("not-utf8", th_not_utf8, 2), ("nofold", th_nofold, 2), ("empty", th_empty, 2),
]


# ---------------------------------------------------------------- inline and static

INLINE_VALUE_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789.@:[]_-+$/" + UTF8_SAFE


def inline_spec(rng):
    keys, elems = [], []
    base = [rand_word(rng, "abcdefghijklmnopqrstuvwxyz0123456789.@_-+", 1, 12)
            for _ in range(rng.randint(1, 15))]
    for _ in range(rng.randint(1, 20)):
        k = rng.choice(base)
        k = rng.choice([k, ascii_upper(k), mixcase(rng, k)])
        keys.append(k)
        if rng.random() < 0.3:
            v = " ".join(rand_word(rng, INLINE_VALUE_CHARS, 1, 6)
                         for _ in range(rng.randint(1, 4)))
            elems.append("{%s%s%s=%s%s%s}" % (rng.choice(["", " "]), k, rng.choice(["", " "]),
                                             rng.choice(["", " "]), v, rng.choice(["", " "])))
        else:
            v = rand_word(rng, INLINE_VALUE_CHARS + "=", 1, 10)
            elems.append("%s=%s" % (k, v))
    body = ""
    for i, e in enumerate(elems):
        body += e + (rng.choice([", ", ",", " ", " , ", "\t"]) if i + 1 < len(elems) else "")
    return "inline:{" + rng.choice(["", " "]) + body + rng.choice(["", " "]) + "}", keys


def static_spec(rng):
    if rng.random() < 0.5:
        return "static:" + rand_word(rng, INLINE_VALUE_CHARS, 1, 20)
    v = " ".join(rand_word(rng, INLINE_VALUE_CHARS, 1, 8) for _ in range(rng.randint(1, 4)))
    return "static:{" + rng.choice(["", " ", "  "]) + v + rng.choice(["", " "]) + "}"


# ---------------------------------------------------------------- the test

class Run:
    def __init__(self, sallyport, tmp, rng):
        self.sp = sallyport
        self.tmp = tmp
        self.rng = rng
        self.bad = Mismatches()
        self.tables = 0
        self.queries = {"texthash": 0, "inline": 0, "static": 0}
        self.stricter = []

    def sp_map(self, args, data=b""):
        return run([self.sp, "map"] + args, data)

    def compare(self, kind, label, spec, keys, opts=(), hostile=None, listable=True):
        """Compares every answer for one table; hostile is postmap's expected reaction."""
        opts = list(opts)
        data = encode_keys(keys)
        rs, out_s, err_s = self.sp_map(opts + ["-q", "-", spec], data)
        rp, out_p, err_p = run([POSTMAP] + opts + ["-q", "-", spec], data)
        self.tables += 1
        self.queries[kind] += len(keys)
        p_fatal = rp != 0 and b"fatal:" in err_p
        p_warns = b"warning:" in err_p
        if rs == 2 or p_fatal:
            if rs == 2 and p_fatal:
                return
            if rs == 2 and (p_warns or hostile in ("warns", "fatal")):
                return
            if rs == 2 and hostile is not None:
                key = hostile if isinstance(hostile, (bytes, str)) and hostile in STRICTER \
                    else spec
                if key in STRICTER:
                    self.stricter.append("%s: %s" % (label, STRICTER[key]))
                    return
            self.bad.add("%s: %s: sallyport exit %d %r, postmap exit %d %r" % (
                label, spec[:80], rs, err_s[:150], rp, err_p[:150]))
            return
        if rs != rp or out_s != out_p:
            a, b = out_s.split(b"\n"), out_p.split(b"\n")
            diff = [x for x in a if x not in b][:2] + [x for x in b if x not in a][:2]
            self.bad.add("%s: -q - %s: status %d/%d, %d/%d lines, e.g. %r" % (
                label, spec[:80], rs, rp, len(a), len(b), diff))
        for k in self.rng.sample(keys, min(4, len(keys))):
            if k == "" or k.startswith("-"):
                continue
            kb = k.encode("utf-8", "surrogateescape")
            r1, o1, _ = self.sp_map(opts + ["-q", kb, spec])
            r2, o2, _ = run([POSTMAP] + opts + ["-q", kb, spec])
            self.queries[kind] += 1
            if r1 != r2 or o1 != o2:
                self.bad.add("%s: -q %r %s: sallyport %d %r, postmap %d %r" % (
                    label, k, spec[:80], r1, o1[:80], r2, o2[:80]))
        if listable:
            r1, o1, _ = self.sp_map(opts + ["-s", spec])
            r2, o2, _ = run([POSTMAP] + opts + ["-s", spec])
            s1, s2 = set(o1.split(b"\n")), set(o2.split(b"\n"))
            if r1 != r2 or s1 != s2:
                self.bad.add("%s: -s %s: status %d/%d, %r vs %r" % (
                    label, spec[:80], r1, r2, sorted(s1 - s2)[:2], sorted(s2 - s1)[:2]))

    def texthash(self):
        n = 0
        for name, gen, count in TEXTHASH_SOURCES:
            for i in range(count):
                data, keys = gen(self.rng)
                if isinstance(data, str):
                    data = data.encode()
                path = os.path.join(self.tmp, "th-%d" % n)
                write_old(path, data)
                opts = ["-f"] if name == "nofold" else []
                self.compare("texthash", "texthash %s-%d" % (name, n), "texthash:" + path,
                             query_keys(self.rng, keys) if keys else ["a"], opts)
                n += 1
        for hostile, how in TEXTHASH_HOSTILE:
            data, keys = th_addresses(self.rng)
            lines = data.encode().split(b"\n")
            at = 0 if hostile.startswith(b" ") else self.rng.randint(1, len(lines) - 1)
            lines.insert(at, hostile.rstrip(b"\n"))
            path = os.path.join(self.tmp, "th-%d" % n)
            write_old(path, b"\n".join(lines))
            self.compare("texthash", "texthash hostile-%d" % n, "texthash:" + path,
                         query_keys(self.rng, keys + ["k"]),
                         hostile=hostile if how == "silent" else how)
            n += 1

    def inline(self):
        for i in range(60):
            spec, keys = inline_spec(self.rng)
            self.compare("inline", "inline-%d" % i, spec, query_keys(self.rng, keys, 20))
        for spec, how in INLINE_HOSTILE:
            kind = spec.split(":", 1)[0]
            keys = ["a", "A", "b", "c", "x", "", "a b", "k"]
            self.compare(kind, "hostile", spec, keys, hostile=spec if how == "silent" else how,
                         listable=(kind == "inline"))

    def static(self):
        for i in range(60):
            spec = static_spec(self.rng)
            keys = [rand_address(self.rng) for _ in range(8)] + ["", "x"]
            self.compare("static", "static-%d" % i, spec, keys, listable=False)


def main():
    if len(sys.argv) != 2:
        print("usage: diff_fixed.py SALLYPORT_BINARY", file=sys.stderr)
        return 2
    if not os.path.exists(POSTMAP):
        print("postmap not found: skipped")
        return 77
    with tempfile.TemporaryDirectory(prefix="sallyport-diff-fixed-") as tmp:
        r = Run(os.path.abspath(sys.argv[1]), tmp, random.Random(SEED))
        r.texthash()
        r.inline()
        r.static()
    for s in r.stricter:
        print("sallyport is stricter (by design): " + s)
    q = r.queries
    print("%d tables, %d queries, %d mismatches (texthash %d, inline %d, static %d queries; "
          "seed %d)" % (r.tables, sum(q.values()), r.bad.count, q["texthash"], q["inline"],
                        q["static"], SEED))
    return 1 if r.bad.count else 0


if __name__ == "__main__":
    sys.exit(main())
