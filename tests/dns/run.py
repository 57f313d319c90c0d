#!/usr/bin/env python3
"""run.py - the resolver tests (suite dns): starts dnsd.py on 127.0.0.1 with
the zone file beside this script, runs dns_query once per kind over every
name of CASES (all lookups of a kind at once), and checks each name's
status, and for some names how many queries the server saw (which shows
where a lookup stops and that invalid names are never asked).
    run.py DNS_QUERY
Exits 0 when every row holds, 1 otherwise.
"""
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
L63 = "a" * 63
NAME253 = ".".join([L63, L63, L63, "b" * 56 + ".test"])    # 253 characters
NAME254 = ".".join([L63, L63, L63, "b" * 57 + ".test"])    # 254: valid, too long to ask
assert len(NAME253) == 253 and len(NAME254) == 254

# name, MAILHOST status, HOST status, queries seen per kind (None: unchecked;
# one number for both kinds, or a pair mailhost/host).
CASES = [
    ("mx.test", "OK", "OK", (1, 3)),
    ("Under_Score.TEST", "OK", "OK", None),
    ("a.test", "OK", "OK", (2, 1)),
    ("aaaa.test", "OK", "OK", (3, 2)),
    ("under_score.test", "OK", "OK", None),
    ("*.wild.test", "OK", "OK", None),
    ("nxdomain.test", "NOTFOUND", "NOTFOUND", 3),      # NXDOMAIN does not stop the types
    ("nodata.test", "NOTFOUND", "NOTFOUND", 3),
    ("nx-mx-a.test", "OK", "OK", (2, 1)),
    ("nullmx.test", "NULLMX", "OK", (1, 3)),
    ("nullmx-a.test", "NULLMX", "OK", (1, 1)),
    ("nullmx-plus.test", "NULLMX", "OK", None),       # any null MX record counts
    ("nullmx-pref10.test", "NULLMX", "OK", None),
    ("mx-servfail-a.test", "OK", "OK", (2, 1)),
    ("mx-servfail.test", "RETRY", "RETRY", 3),
    ("servfail.test", "RETRY", "RETRY", 3),
    ("refused.test", "RETRY", "RETRY", None),
    ("notimp.test", "RETRY", "RETRY", None),
    ("lame.test", "RETRY", "RETRY", None),
    ("timeout.test", "RETRY", "RETRY", 3),
    ("mx-timeout-a.test", "OK", "OK", None),
    ("wrongq.test", "RETRY", "RETRY", None),
    ("formerr.test", "NOTFOUND", "NOTFOUND", 3),        # FAIL, reported as NOTFOUND
    ("mx-formerr.test", "NOTFOUND", "NOTFOUND", None),
    ("mx-formerr-aaaa-servfail.test", "RETRY", "RETRY", None),
    ("formerr-nullmx.test", "NULLMX", "NOTFOUND", None),  # FAIL outranks NULLMX
    ("servfail-nullmx.test", "NULLMX", "RETRY", None),    # RETRY outranks NULLMX
    ("badmx.test", "INVAL", "INVAL", (1, 3)),
    ("badmx-a.test", "INVAL", "OK", (1, 1)),             # MAILHOST stops at INVAL
    ("mx-goodbad.test", "OK", "OK", None),
    ("mx-numeric.test", "OK", "OK", None),
    ("a-badowner.test", "INVAL", "INVAL", (2, 3)),
    ("mx-servfail-a-badowner.test", "RETRY", "RETRY", (2, 3)),  # RETRY outranks INVAL
    ("malformed.test", "RETRY", "RETRY", None),
    ("malformed-a.test", "OK", "OK", None),
    ("badclass.test", "RETRY", "RETRY", None),
    ("badlen.test", "OK", "OK", None),
    ("badlen-only.test", "RETRY", "RETRY", None),
    ("cname.test", "OK", "OK", None),
    ("cname-mx.test", "OK", "OK", None),
    ("cname-nx.test", "NOTFOUND", "NOTFOUND", None),
    ("cname-bad.test", "INVAL", "INVAL", (1, 3)),
    ("cname-loop.test", "NOTFOUND", "NOTFOUND", 30),     # ten queries per type
    (".", "NOTFOUND", "NOTFOUND", None),
    (NAME253, "NOTFOUND", "NOTFOUND", 3),
    # Refused without a query (Postfix's valid_hostname, or too long to ask).
    (NAME254, "NOTFOUND", "NOTFOUND", 0),
    ("-bad.test", "NOTFOUND", "NOTFOUND", 0),
    ("bad-.test", "NOTFOUND", "NOTFOUND", 0),
    ("a..test", "NOTFOUND", "NOTFOUND", 0),
    ("trailing.test.", "NOTFOUND", "NOTFOUND", 0),
    ("bad name.test", "NOTFOUND", "NOTFOUND", 0),
    ("a.*.test", "NOTFOUND", "NOTFOUND", 0),
    ("123.456", "NOTFOUND", "NOTFOUND", 0),
    ("192.0.2.1", "NOTFOUND", "NOTFOUND", 0),
    ("\u00fcber.test", "NOTFOUND", "NOTFOUND", 0),      # no IDNA here (known difference)
    ("a" * 64 + ".test", "NOTFOUND", "NOTFOUND", 0),
    (".".join([L63] * 4) + ".test", "NOTFOUND", "NOTFOUND", 0),  # 261 characters
]


def start_server(tmp):
    port_file = os.path.join(tmp, "port")
    log = os.path.join(tmp, "queries")
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, "dnsd.py"),
                             os.path.join(HERE, "zone"), "--port-file", port_file,
                             "--log", log], stdout=subprocess.DEVNULL)
    for _ in range(200):
        if os.path.exists(port_file):
            with open(port_file) as f:
                return proc, int(f.read()), log
        if proc.poll() is not None:
            sys.exit("run.py: dnsd.py exited with %d" % proc.returncode)
        time.sleep(0.05)
    proc.kill()
    sys.exit("run.py: dnsd.py did not start")


def count_queries(log, start):
    with open(log, encoding="latin-1") as f:
        f.seek(start)
        lines = f.read().splitlines()
    seen = {}
    for line in lines:
        name = line.rsplit(" ", 1)[0]
        seen[name] = seen.get(name, 0) + 1
    return seen


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: run.py DNS_QUERY")
    dns_query = sys.argv[1]
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        proc, port, log = start_server(tmp)
        try:
            for k, kind in enumerate(("mailhost", "host")):
                start = os.path.getsize(log) if os.path.exists(log) else 0
                names = [c[0] for c in CASES]
                t0 = time.monotonic()
                out = subprocess.run([dns_query, "-v", "127.0.0.1:%d" % port, kind] + names,
                                     capture_output=True, timeout=60)
                took = time.monotonic() - t0
                if out.returncode != 0:
                    print("FAIL %s: dns_query exited %d: %s" % (kind, out.returncode,
                          out.stderr.decode(errors="replace")))
                    failures += 1
                    continue
                time.sleep(0.2)     # let the server log the last queries
                seen = count_queries(log, start) if os.path.exists(log) else {}
                lines = out.stdout.decode("utf-8").splitlines()
                if len(lines) != len(CASES):
                    print("FAIL %s: %d result lines for %d names" % (kind, len(lines), len(CASES)))
                    failures += 1
                    continue
                for case, line in zip(CASES, lines):
                    name, want, queries = case[0], case[1 + k], case[3]
                    result, _, why = line.partition("\t")
                    got_name, _, got = result.rpartition(" ")
                    if got_name != name or got != want:
                        print("FAIL %s %r: got %s (%s), want %s" % (kind, name, got, why, want))
                        failures += 1
                    if queries is not None:
                        want_q = queries[k] if isinstance(queries, tuple) else queries
                        got_q = seen.get(name.lower() if name != "." else ".", 0)
                        if got_q != want_q:
                            print("FAIL %s %r: server saw %d queries, want %d"
                                  % (kind, name, got_q, want_q))
                            failures += 1
                print("%s: %d names in %.2f s" % (kind, len(CASES), took))
        finally:
            proc.terminate()
            proc.wait()
    total = 2 * len(CASES)
    print("%d of %d checks failed" % (failures, total) if failures else "all %d names x 2 kinds passed" % len(CASES))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
