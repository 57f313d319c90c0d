#!/usr/bin/env python3
"""bench/check: how long `sallyport check` takes on a large configuration,
beside Postfix's own reading of the same files in the same run.

    python3 bench/check/run.py [SALLYPORT] [--reps 7]

The configuration (made in a temporary directory, removed at the end): a
main.cf of 2,000 lines (comments as an administrator leaves them, the
usual parameters, 40 restriction classes, restriction lists over several
continuation lines) naming 50 texthash: access tables of 200 entries each,
and master.cf with two smtpd services (25 and submission). sallyport:
`sallyport check -c DIR --json` (load, expand, compile every service's
restrictions and open every table, then every check including the relay
proof). Postfix has no auditor; the closest is reading and expanding the
same main.cf: `postconf -c DIR -n` (no table is opened), timed the same way.
Wall-clock seconds, median of --reps runs each, alternating. The goal (issue
8): under one second. Prints a Markdown section for bench/RESULTS.md.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
POSTCONF = shutil.which("postconf") or "/usr/sbin/postconf"
TABLES, ENTRIES, CLASSES, LINES = 50, 200, 40, 2000


def make(d):
    lines = ["# A large main.cf, as a provider's grows.", "compatibility_level = 3.7",
             "myhostname = mx.example.com", "mydomain = example.com",
             "mydestination = $myhostname, localhost",
             "virtual_mailbox_domains = example.com, example.net, example.org",
             "virtual_mailbox_maps = texthash:${config_directory}/table0",
             "mynetworks = 127.0.0.0/8 [::1]/128 192.0.2.0/24",
             "queue_directory = %s/queue" % d, "smtpd_helo_required = yes",
             "smtpd_delay_reject = yes"]
    classes = ["class%d" % i for i in range(CLASSES)]
    lines.append("smtpd_restriction_classes = " + ", ".join(classes))
    for i, c in enumerate(classes):
        lines.append("%s = check_sender_access texthash:${config_directory}/table%d," % (
            c, 1 + i % (TABLES - 1)))
        lines.append("    reject_non_fqdn_sender, permit")
    lists = {"smtpd_client_restrictions": "check_client_access",
             "smtpd_helo_restrictions": "check_helo_access",
             "smtpd_sender_restrictions": "check_sender_access",
             "smtpd_recipient_restrictions": "check_recipient_access"}
    t = 1
    for name, kind in lists.items():
        lines.append("%s =" % name)
        for _ in range((TABLES - 1) // len(lists)):
            lines.append("    %s texthash:${config_directory}/table%d," % (kind, t))
            t = t % (TABLES - 1) + 1
        if name == "smtpd_recipient_restrictions":
            lines.append("    reject_unlisted_recipient,")
        lines.append("    permit")
    lines.append("smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, "
                 "reject_unauth_destination")
    n = 0
    while len(lines) < LINES:
        lines.insert(len(lines) // 2, "# note %d: why the next setting is what it is" % n)
        n += 1
    with open(os.path.join(d, "main.cf"), "w") as f:
        f.write("\n".join(lines) + "\n")
    for i in range(TABLES):
        with open(os.path.join(d, "table%d" % i), "w") as f:
            for k in range(ENTRIES):
                f.write("user%d@host%d.example.com %s\n" % (k, i, "OK" if k % 2 else "REJECT"))
    with open(os.path.join(d, "master.cf"), "w") as f:
        f.write("127.0.0.1:2525 inet n - n - - smtpd\n"
                "127.0.0.1:2587 inet n - n - - smtpd\n  -o smtpd_tls_security_level=none\n")
    return len(lines)


def timed(cmd):
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    dt = time.perf_counter() - t0
    if p.returncode not in (0, 1, 2):
        raise RuntimeError("%s: exit %d: %s" % (cmd[0], p.returncode, p.stderr[-500:]))
    return dt, p


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("sallyport", nargs="?", default=os.path.join(ROOT, "build-release",
                                                                  "sallyport"))
    ap.add_argument("--reps", type=int, default=7)
    a = ap.parse_args()
    d = tempfile.mkdtemp(prefix="sallyport-bench-check-")
    try:
        nlines = make(d)
        sp, pf = [], []
        _, out = timed([a.sallyport, "check", "-c", d, "--json"])   # warm the caches
        for _ in range(a.reps):
            sp.append(timed([a.sallyport, "check", "-c", d, "--json"])[0])
            pf.append(timed([POSTCONF, "-c", d, "-n"])[0])
        msp, mpf = statistics.median(sp), statistics.median(pf)
        findings = out.stdout.count('"id"')
        print("## Configuration check (bench/check)\n")
        print("Machine: %d cores; %s; one run of `python3 bench/check/run.py` (%d reps)." % (
            os.cpu_count(), time.strftime("%Y-%m-%d"), a.reps))
        print("\nConfiguration: main.cf of %d lines (%d restriction classes, %d texthash: "
              "access tables of %d entries named in the restriction lists and classes), "
              "master.cf with 2 smtpd services; `sallyport check` reported %d findings "
              "(exit %d). Postfix has no auditor: the peer figure is `postconf -n` reading "
              "and expanding the same main.cf (it opens no table and proves nothing)." % (
                  nlines, CLASSES, TABLES, ENTRIES, findings, out.returncode))
        print("\n| | sallyport check | postconf -n | ratio (sallyport / postconf) |")
        print("| --- | --- | --- | --- |")
        print("| median seconds | %.3f | %.3f | %.1f |" % (msp, mpf, msp / mpf))
        print("| slowest run | %.3f | %.3f | |" % (max(sp), max(pf)))
        print("\nGoal (issue 8): under one second: %.3f s, **%s**." % (
            msp, "met" if msp < 1.0 else "not met"))
    finally:
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
