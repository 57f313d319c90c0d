#!/usr/bin/env python3
"""diff_cidr.py - differential test of cidr: tables against postmap.

Usage: python3 diff_cidr.py SALLYPORT_BINARY

Generates cidr tables in a temporary directory (seeded, so a run is
reproducible; SP_CIDR_SEED picks another seed): random IPv4 and IPv6
networks of every prefix length written in every accepted form, negations,
nested if/endif blocks, comments, continuation lines, CRLF line ends, tabs,
long results, an empty file, and tables with one hostile line each. Every
table is queried with `postmap -q - cidr:FILE` and `SALLYPORT map -q -
cidr:FILE` (keys on standard input: addresses inside and outside each
network, IPv4-mapped forms, keys that are not addresses), plus a few
single `-q KEY` queries; standard output and exit status must be the same.

A table that postmap warns about (or rejects) must be rejected by
sallyport: postmap skips malformed lines, sallyport refuses the table.
A table that postmap reads silently but sallyport rejects is allowed only
when it holds a hostile line sallyport is known to be stricter about; it is
listed in the summary. Prints "N tables, M queries, K mismatches"; exits 1
on any mismatch, 77 (skipped) without postmap.
"""

import ipaddress
import os
import random
import shutil
import subprocess
import sys
import tempfile

SEED = int(os.environ.get("SP_CIDR_SEED", "20261126"))
POSTMAP = shutil.which("postmap") or "/usr/sbin/postmap"

VALUES = ["OK", "REJECT", "DUNNO", "550 5.7.1 go away", "permit_auth_destination",
          "result with  double  spaces", "a#b # not a comment", "tab\tinside",
          "caf\u00e9", "\u65e5\u672c", "FILTER smtp:[127.0.0.1]:10025", "$1 literal",
          "{braces}", "x"]

# Hostile lines: what the line is, and whether postmap reads it silently
# (then sallyport is knowingly stricter) or warns about it.
HOSTILE = [
    (b"1.2.3.4/24 host-bits", "warns"),
    (b"10.0.0.0/33 too-long", "warns"),
    (b"::/129 too-long6", "warns"),
    (b"1.0.0.0/264 wraps-to-8", "silent"),
    (b"1.0.0.0/4294967304 wraps-to-8", "silent"),
    (b"1.2.3.7/24x bad-mask", "warns"),
    (b"1.2.3.4/ empty-mask", "warns"),
    (b"/24 no-network", "warns"),
    (b"172.999.0.0/21 bad-network", "warns"),
    (b"172.16.1.999 bad-address", "warns"),
    (b"01.2.3.4 leading-zero", "warns"),
    (b"fe80::1%1 scoped", "warns"),
    (b"1.2.3.4", "warns"),
    (b"1.2.3.4\t \t", "warns"),
    (b"!", "warns"),
    (b"! !", "warns"),
    (b"if", "warns"),
    (b"if !", "warns"),
    (b"endif", "warns"),
    (b"endif x", "warns"),
    (b"ENDIF # comment", "warns"),
    (b"if 1.2.3.0/24", "warns"),
    (b"if 1.2.3.0/24 result", "warns"),
    (b"[1234 x", "warns"),
    (b"[1234]junk x", "warns"),
    (b"[::1]] x", "warns"),
    (b"ifconfig x", "warns"),
    (b"endifx x", "warns"),
    (b"1.2.3.4:25 x", "warns"),
    (b"1.2.3.4/32/32 x", "warns"),
    (b"1::/0 x", "warns"),
    (b"1.2.3.4 x\x00y", "silent"),
    (b"1.2.3.4 caf\xe9", "silent"),        # postmap fails only the lookups that return it
    (b"5.6.7.8 \xed\xa0\x80", "silent"),
]


def rand_net(rng, family=None, prefix=None):
    """A random network with host bits zero."""
    family = family or rng.choice((4, 6))
    bits = 32 if family == 4 else 128
    prefix = rng.randint(0, bits) if prefix is None else prefix
    addr = rng.getrandbits(bits)
    cls = ipaddress.IPv4Network if family == 4 else ipaddress.IPv6Network
    return cls((addr, prefix), strict=False)


def subnet_of(rng, outer):
    """A random network inside outer."""
    prefix = rng.randint(outer.prefixlen, outer.max_prefixlen)
    addr = int(outer.network_address) + rng.randrange(outer.num_addresses)
    return type(outer)((addr, prefix), strict=False)


def fmt_addr(rng, a):
    """An address written in one of the forms inet_pton accepts."""
    if a.version == 4:
        return str(a)
    form = rng.random()
    if form < 0.2:
        return a.exploded
    if form < 0.35:
        return str(a).upper()
    return str(a)


def fmt_net(rng, net):
    """A pattern for net: bare host, a/p, [a]/p, [a/p], [a]; sometimes /0p."""
    a = fmt_addr(rng, net.network_address)
    p = str(net.prefixlen)
    if net.prefixlen < 10 and rng.random() < 0.1:
        p = "0" + p
    host = net.prefixlen == net.max_prefixlen
    form = rng.random()
    if host and form < 0.4:
        return a if form < 0.3 else "[" + a + "]"
    if form < 0.75:
        return a + "/" + p
    if form < 0.88:
        return "[" + a + "]/" + p
    return "[" + a + "/" + p + "]"


def fmt_key(rng, a):
    """A lookup key for address a, sometimes IPv4-mapped."""
    if a.version == 4 and rng.random() < 0.15:
        return rng.choice(("::ffff:", "::FFFF:")) + str(a)
    return fmt_addr(rng, a)


def keys_for(rng, net):
    """Addresses inside, at the edges of, and just outside net."""
    first, last = int(net.network_address), int(net.broadcast_address)
    top = (1 << net.max_prefixlen) - 1
    cls = type(net.network_address)
    addrs = [first, last, first + rng.randrange(net.num_addresses)]
    if first > 0:
        addrs.append(first - 1)
    if last < top:
        addrs.append(last + 1)
    keys = [fmt_key(rng, cls(x)) for x in addrs]
    if net.version == 4:   # the mapped form of the network, and the mapped /96
        keys.append("::ffff:" + str(cls(first)))
    return keys


INVALID_KEYS = ["", "foo", "1.2.3", "1.2.3.4/32", "[1.2.3.4]", "01.2.3.4", "1.2.3.4 ",
                " 1.2.3.4", "::ffff:1.2.3.04", "1:2:3:4:5:6:7:8:9", "fe80::1%lo",
                "1.2.3.256", "1.2.3.4:25", "0x7f.0.0.1", "::g", "caf\u00e9", "\udcff",
                "1.2.3.4\t", "localhost", "::ffff:1.2.3", ":::", "1.2.3.4.5"]


def rand_value(rng, long_ok=True):
    if long_ok and rng.random() < 0.03:
        return "long-" + "".join(rng.choice("abcdefgh ") for _ in range(rng.randint(1000, 20000))).strip()
    return rng.choice(VALUES)


def sep(rng):
    return rng.choice((" ", "\t", "  ", " \t ", "\t\t"))


def match_line(rng, net, value):
    neg = ""
    if rng.random() < 0.1:
        neg = rng.choice(("!", "! ", "!!", "! ! ", "!!!"))
    line = neg + fmt_net(rng, net)
    if rng.random() < 0.08:          # the result on a continuation line
        line += "\n" + sep(rng)
    else:
        line += sep(rng)
    if rng.random() < 0.06 and " " in value.strip():
        i = value.index(" ")
        value = value[:i] + "\n" + rng.choice(("# inner comment\n", "", "\n")) + sep(rng) + value[i + 1:]
    return line + value + rng.choice(("", "", " ", "\t"))


def if_line(rng, net):
    word = rng.choice(("if", "if", "IF", "If"))
    neg = rng.choice(("", "", " !", "!", " ! !"))
    return word + neg + sep(rng) + fmt_net(rng, net) + rng.choice(("", "", " ", "\t"))


def endif_line(rng):
    return rng.choice(("endif", "endif", "ENDIF", "EndIf", "endif  "))


def gen_block(rng, depth, outer, keys, budget):
    """A list of chunks: each a complete rule or a whole if/endif block, as text."""
    chunks = []
    for _ in range(rng.randint(1, budget)):
        r = rng.random()
        net = subnet_of(rng, outer) if outer is not None and rng.random() < 0.7 else rand_net(rng)
        if r < 0.15 and depth < 3:
            inner = gen_block(rng, depth + 1, net, keys, 4)
            keys.extend(keys_for(rng, net))
            chunks.append("\n".join([if_line(rng, net)] + inner + [endif_line(rng)]))
        elif r < 0.22:
            chunks.append(rng.choice(("# a comment", "", "   ", "#", "\t# indented comment")))
        else:
            keys.extend(keys_for(rng, net))
            chunks.append(match_line(rng, net, rand_value(rng)))
    return chunks


class Table:
    def __init__(self, name, data, keys, hostile=None):
        self.name, self.data, self.keys, self.hostile = name, data, keys, hostile


def encode(chunks, crlf):
    text = "\n".join(chunks) + "\n"
    if crlf:
        text = text.replace("\n", "\r\n")
    return text.encode("utf-8", "surrogateescape")


def random_keys(rng, n):
    keys = []
    for _ in range(n):
        family = rng.choice((4, 6))
        keys.append(fmt_key(rng, rand_net(rng, family, 32 if family == 4 else 128).network_address))
    return keys


def valid_table(rng, i):
    keys = []
    chunks = gen_block(rng, 0, None, keys, rng.randint(3, 14))
    keys += random_keys(rng, 4) + rng.sample(INVALID_KEYS, 3)
    return Table("valid%02d" % i, encode(chunks, rng.random() < 0.25), keys)


def hostile_table(rng, i, bad):
    keys = []
    chunks = gen_block(rng, 0, None, keys, rng.randint(2, 6))
    data = encode(chunks, rng.random() < 0.2)
    lines = data.split(b"\n")
    pos = rng.randrange(len(lines))
    while pos < len(lines) and lines[pos][:1] in (b" ", b"\t"):
        pos += 1   # not before a continuation line, which would continue the hostile one
    lines.insert(pos, bad[0])
    keys += ["1.2.3.4", "5.6.7.8", "1.0.0.1", "2.0.0.0"]
    return Table("hostile%02d" % i, b"\n".join(lines), keys, bad)


def prefix_table(rng, family):
    """Networks of every prefix length of one family, in random order."""
    bits = 32 if family == 4 else 128
    nets = [rand_net(rng, family, p) for p in range(bits + 1)]
    rng.shuffle(nets)
    keys = []
    chunks = []
    for n in nets:
        keys.extend(keys_for(rng, n))
        chunks.append(fmt_net(rng, n) + sep(rng) + "p%d" % n.prefixlen)
    return Table("prefixes%d" % family, encode(chunks, False), keys)


def mapped_table(rng):
    chunks, keys = [], []
    for _ in range(12):
        net = subnet_of(rng, ipaddress.IPv6Network("::ffff:0:0/96"))
        chunks.append(fmt_net(rng, net) + " mapped%d" % net.prefixlen)
        v4 = ipaddress.IPv4Address(int(net.network_address) & 0xffffffff)
        keys += keys_for(rng, net) + [str(v4), "::ffff:" + str(v4)]
    chunks.append("::ffff:0:0/96 any-mapped")
    chunks.append("0.0.0.0/0 any-v4")
    return Table("mapped", encode(chunks, False), keys)


def special_tables(rng):
    k = random_keys(rng, 6) + ["1.2.3.4", "::1"]
    return [
        Table("empty", b"", k),
        Table("comments", b"# nothing\n\n   \n\t# here\r\n#\n", k),
        Table("noeol", b"1.2.3.4 no-final-newline", k),
        Table("crlf", b"1.2.3.4\r\n  multi\r\n\tline\r\n# c\r\n5.6.7.8\tX\t\r\n"
                      b"::1 a\r\n # inside\r\n b\r\n", k + ["5.6.7.8"]),
        Table("lonecr", b"1.2.3.4 a\rb\n1.2.3.5\rc\n", k + ["1.2.3.5"]),
        Table("ifonly", b"if 0.0.0.0/0\nendif\nif ::/0\nendif\n", k),
        Table("leadspace", b" 1.2.3.4 first-line-indented\n5.6.7.8 x\n", k, (b"leading", "warns")),
        Table("missing-file", None, k, (b"no file", "warns")),
    ]


def run(cmd, stdin):
    p = subprocess.run(cmd, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.returncode, p.stdout, p.stderr


def table_warnings(stderr):
    """postmap's complaints about the table (not about keys that are not UTF-8)."""
    out = []
    for line in stderr.decode("utf-8", "replace").splitlines():
        if ("warning:" in line or "fatal:" in line) and "non-UTF-8 key" not in line:
            out.append(line)
    return out


class Report:
    def __init__(self):
        self.tables = self.queries = self.mismatches = 0
        self.stricter = []
        self.both_reject = 0

    def mismatch(self, table, what, detail=""):
        self.mismatches += 1
        print("MISMATCH %s: %s" % (table.name, what))
        if detail:
            print("    " + detail.replace("\n", "\n    ")[:2000])
        if table.data is not None:
            print("    table: %r" % table.data[:600])


def check_table(sp, table, path, rep, rng):
    keys = [k for k in table.keys if "\n" not in k and "\r" not in k]
    stdin = "".join(k + "\n" for k in keys).encode("utf-8", "surrogateescape")
    pm = run([POSTMAP, "-q", "-", "cidr:" + path], stdin)
    us = run([sp, "map", "-q", "-", "cidr:" + path], stdin)
    rep.tables += 1
    rep.queries += len(keys)
    warned = table_warnings(pm[2])
    rejected = us[0] == 2 and us[1] == b""
    if warned and not rejected:
        rep.mismatch(table, "sallyport accepts a table postmap warns about or rejects",
                     "\n".join(warned[:3]))
        return
    if warned:
        rep.both_reject += 1
        return
    if rejected:
        if table.hostile is not None and table.hostile[1] == "silent":
            rep.stricter.append((table.name, table.hostile[0], us[2].decode("utf-8", "replace").strip().splitlines()[-1]))
        else:
            rep.mismatch(table, "sallyport rejects a table postmap reads without a warning",
                         us[2].decode("utf-8", "replace"))
        return
    if (pm[0], pm[1]) != (us[0], us[1]):
        pl, ul = pm[1].split(b"\n"), us[1].split(b"\n")
        diff = [repr(x) for x in sorted(set(pl) ^ set(ul))][:8]
        rep.mismatch(table, "answers differ (postmap rc %d, sallyport rc %d)" % (pm[0], us[0]),
                     "\n".join(diff))
        return
    singles = [k for k in keys if k and not k.startswith("-")]
    for key in rng.sample(singles, min(3, len(singles))):
        a = run([POSTMAP, "-q", key, "cidr:" + path], None)
        b = run([sp, "map", "-q", key, "cidr:" + path], None)
        rep.queries += 1
        if (a[0], a[1]) != (b[0], b[1]):
            rep.mismatch(table, "single query %r: postmap %r rc %d, sallyport %r rc %d"
                         % (key, a[1], a[0], b[1], b[0]))


def main():
    if len(sys.argv) != 2:
        print("usage: diff_cidr.py SALLYPORT_BINARY", file=sys.stderr)
        return 2
    sp = sys.argv[1]
    if not os.access(POSTMAP, os.X_OK):
        print("postmap not found: skipped")
        return 77
    rng = random.Random(SEED)
    tables = special_tables(rng) + [prefix_table(rng, 4), prefix_table(rng, 6), mapped_table(rng)]
    tables += [valid_table(rng, i) for i in range(40)]
    tables += [hostile_table(rng, i, bad) for i, bad in enumerate(HOSTILE)]
    rep = Report()
    with tempfile.TemporaryDirectory(prefix="sp-diff-cidr-") as tmp:
        for t in tables:
            path = os.path.join(tmp, t.name + ".cidr")
            if t.data is not None:
                with open(path, "wb") as f:
                    f.write(t.data)
            check_table(sp, t, path, rep, rng)
    print("seed %d; %d tables rejected by both (postmap warns or fails, sallyport refuses)"
          % (SEED, rep.both_reject))
    for name, line, err in rep.stricter:
        print("stricter than postmap: %s (%r): %s" % (name, line, err))
    print("%d tables, %d queries, %d mismatches" % (rep.tables, rep.queries, rep.mismatches))
    return 1 if rep.mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
