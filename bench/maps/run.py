#!/usr/bin/env python3
"""bench/maps: table compile time beside Postfix's postmap, and lookups per
second of each table type from inside sallyport.

    python3 bench/maps/run.py BUILD_DIR [--entries 1000000] [--seconds 2]

Compiles one source file of ENTRIES random "user@domain login" lines with
`postmap lmdb:` and `sallyport map lmdb:` in the same run (three times each,
the median counts), then measures lookups/s with build/bench/bench-maps-lookup
for lmdb, hash (the same LMDB file), texthash, inline, static, cidr, regexp
and pcre tables, half of the keys present and half absent. Prints a Markdown
section for bench/RESULTS.md.
"""
import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def timed(cmd, **kw):
    t = time.monotonic()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, **kw)
    return time.monotonic() - t


def lookup_rate(bench, spec, keyfile, seconds):
    out = subprocess.run([bench, spec, keyfile, str(seconds)], check=True,
                         capture_output=True, text=True).stdout
    fields = dict(f.split("=") for f in out.split())
    return float(fields["rate"]), int(fields["found"]), int(fields["lookups"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--entries", type=int, default=1_000_000)
    ap.add_argument("--seconds", type=float, default=2.0)
    args = ap.parse_args()
    sallyport = os.path.join(args.build, "sallyport")
    bench = os.path.join(args.build, "bench", "bench-maps-lookup")
    rnd = random.Random(1)
    work = tempfile.mkdtemp(prefix="sp-bench-maps-")
    try:
        src = os.path.join(work, "senders")
        keys = []
        with open(src, "w") as f:
            for i in range(args.entries):
                key = "user%d@d%d.example.com" % (i, rnd.randrange(1000))
                f.write("%s login%d\n" % (key, i))
                if i % 97 == 0:
                    keys.append(key)
        misses = ["nobody%d@nowhere.example" % i for i in range(len(keys))]
        keyfile = os.path.join(work, "keys")
        with open(keyfile, "w") as f:
            for a, b in zip(keys, misses):
                f.write(a + "\n" + b + "\n")
        pf, sp = os.path.join(work, "pf"), os.path.join(work, "sp")
        shutil.copy(src, pf)
        shutil.copy(src, sp)
        t_pf = statistics.median(timed(["postmap", "lmdb:" + pf]) for _ in range(3))
        t_sp = statistics.median(timed([sallyport, "map", "lmdb:" + sp]) for _ in range(3))

        small = os.path.join(work, "small")
        with open(small, "w") as f:
            for k in keys[:1000]:
                f.write("%s OK\n" % k)
        cidr = os.path.join(work, "cidr")
        with open(cidr, "w") as f:
            for i in range(1000):
                f.write("10.%d.%d.0/24 REJECT\n" % (i // 256, i % 256))
        ips = os.path.join(work, "ips")
        with open(ips, "w") as f:
            for i in range(2000):
                f.write("10.%d.%d.%d\n" % (rnd.randrange(8), rnd.randrange(256), rnd.randrange(256)))
        regexp = os.path.join(work, "regexp")
        with open(regexp, "w") as f:
            for i in range(100):
                f.write("/^user%d[0-9]*@d%d\\.example\\.com$/ OK\n" % (i, i))
        inline = "inline:{ " + ", ".join("%s=OK" % k for k in keys[:50]) + " }"
        rows = [
            ("lmdb (%d entries)" % args.entries, "lmdb:" + sp, keyfile),
            ("hash (same LMDB file)", "hash:" + sp, keyfile),
            ("texthash (1,000 entries)", "texthash:" + small, keyfile),
            ("inline (50 entries)", inline, keyfile),
            ("static", "static:OK", keyfile),
            ("cidr (1,000 networks)", "cidr:" + cidr, ips),
            ("regexp (100 patterns, keys match none: every pattern tried)", "regexp:" + regexp, keyfile),
            ("pcre (100 patterns, keys match none: every pattern tried)", "pcre:" + regexp, keyfile),
        ]
        print("## Lookup tables (bench/maps)\n")
        print("Machine: %d cores; %s; one run of `python3 bench/maps/run.py %s` "
              "(a release build).\n" % (os.cpu_count(), time.strftime("%Y-%m-%d"), args.build))
        print("| compile %d entries | postmap lmdb: | sallyport map lmdb: | ratio (postmap / sallyport) |"
              % args.entries)
        print("| --- | --- | --- | --- |")
        print("| median of 3, seconds | %.2f | %.2f | %.2f |\n" % (t_pf, t_sp, t_pf / t_sp))
        print("| table | lookups/s (one process) | share of keys found |")
        print("| --- | --- | --- |")
        for label, spec, kf in rows:
            try:
                rate, found, done = lookup_rate(bench, spec, kf, args.seconds)
                print("| %s | %.0f | %.0f%% |" % (label, rate, 100.0 * found / max(done, 1)))
            except subprocess.CalledProcessError as e:
                print("| %s | failed: %s | |" % (label, (e.stderr or "").strip()[:80]))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
