#!/usr/bin/env python3
"""bench/policy: time of one RCPT decision in sallyport's policy engine,
beside the time Postfix takes to answer the same RCPT TO on this machine.

    sudo python3 bench/policy/run.py BUILD_DIR [--rcpts 3000] [--samples 1000000]
                                               [--seconds 1.0]

One configuration (main.cf below: smtpd_relay_restrictions with 3
restrictions, smtpd_recipient_restrictions with 10, two of them access
table lookups, and a virtual_mailbox_maps of 10,000 entries) and one list
of RCPT decisions (sessions of varied clients, senders and recipients:
accepted, relay denied, unknown user, sender or recipient refused by an
access table, mynetworks and SASL relaying, non-FQDN sender), run three
times: lmdb: tables with smtpd_delay_reject = yes (client, HELO and sender
lists, empty here, also run at RCPT) and = no, and texthash: tables (in
memory, no system call per lookup) with smtpd_delay_reject = yes.

sallyport: BUILD_DIR/bench/bench-policy-eval times sp_policy_eval(RCPT) in
process (see its header for the method): median, p90, p99 ns per decision
and decisions/s. Engine only: no SMTP, no socket, no address parsing.

Postfix: a private instance (tests/policy/oracle.py's PostfixInstance:
its own directories, 127.0.0.1 only, stopped at the end), same main.cf,
lmdb tables compiled with postmap. One SMTP session on 127.0.0.1: per
simulated session XCLIENT, EHLO, MAIL FROM, the RCPT TOs, NOOP, RSET; each RCPT
TO is timed from send to complete reply (time.perf_counter_ns). The NOOP round
trips, one per session among the RCPTs, give the floor of a command (loopback, smtpd's
reply path, this client); RCPT minus NOOP estimates what smtpd spends on
the RCPT itself (address parsing, trivial-rewrite, restrictions, tables).
Every Postfix reply code is compared with the engine's for the same line.

Bounds: at most 6,500 SMTP commands per configuration (19,500 in all), the
engine 2 x --seconds per configuration; about 15 s in all; only 127.0.0.1
is contacted. Needs root (Postfix's master) and postfix-lmdb. Prints a
Markdown section for bench/RESULTS.md.
"""
import argparse
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "policy"))
import oracle  # noqa: E402
import engine  # noqa: E402  (POSTFIX_DEFAULTS)

MAX_COMMANDS = 6_500    # per configuration (three: 19,500 at most)
VMAIL_DOMAINS = ["vmail.example", "mail2.example", "mail3.example"]

RESTRICTIONS = [
    "reject_unauth_pipelining",
    "reject_non_fqdn_sender",
    "reject_non_fqdn_recipient",
    "permit_mynetworks",
    "permit_sasl_authenticated",
    "check_sender_access lmdb:${config_directory}/sender_access",
    "check_recipient_access lmdb:${config_directory}/recipient_access",
    "reject_unauth_destination",
    "reject_unlisted_recipient",
    "permit",
]


def maincf_lines(delay_reject, table):
    return [
        "mynetworks = 127.0.0.0/8 [::1]/128 192.0.2.0/24",
        "mydestination = example.com, $myhostname, localhost",
        "virtual_mailbox_domains = " + ", ".join(VMAIL_DOMAINS),
        "virtual_mailbox_maps = %s:${config_directory}/vmailbox" % table,
        "smtpd_sasl_auth_enable = yes",
        "smtpd_delay_reject = %s" % ("yes" if delay_reject else "no"),
        "smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, "
        "reject_unauth_destination",
        "smtpd_recipient_restrictions = " + ", ".join(RESTRICTIONS).replace("lmdb:", table + ":"),
        # Session limits of Postfix's smtpd (not restrictions): one session
        # carries thousands of rejected RCPTs without error sleeps or hang-up.
        "smtpd_soft_error_limit = 1000000",
        "smtpd_hard_error_limit = 1000000",
        "smtpd_error_sleep_time = 0",
        "smtpd_junk_command_limit = 1000000",
        "smtpd_recipient_limit = 1000000",
        "smtpd_recipient_overshoot_limit = 1000000",
    ]


def table_files(rnd):
    vmailbox = "".join("user%d@%s %s/user%d/\n" % (i, VMAIL_DOMAINS[i % 3], VMAIL_DOMAINS[i % 3], i)
                       for i in range(10_000))
    senders = "".join("spam%d@bad%d.example REJECT\n" % (i, i % 50) for i in range(900))
    senders += "".join("spammer%d.example 550 5.7.1 No mail from that domain\n" % i
                       for i in range(100))
    rcpts = "".join("blocked%d@%s REJECT Mailbox closed\n" % (i, VMAIL_DOMAINS[i % 3])
                    for i in range(900))
    rcpts += "".join("abuse@%s OK\n" % d for d in VMAIL_DOMAINS)
    rcpts += "".join("role%d@example.com OK\n" % i for i in range(97))
    return {"vmailbox": vmailbox, "sender_access": senders, "recipient_access": rcpts}


def sessions(rnd, n_rcpts):
    """[(session fields, [(kind, recipient)])] with about n_rcpts recipients."""
    out, total = [], 0
    while total < n_rcpts:
        k = rnd.random()
        s = {"client": "203.0.113.%d" % rnd.randrange(1, 255),
             "name": rnd.choice(["unknown", "mail%d.sender.example" % rnd.randrange(500)]),
             "helo": "mail%d.sender.example" % rnd.randrange(500),
             "from": "user%d@sender%d.example" % (rnd.randrange(1000), rnd.randrange(300))}
        kind_all = None
        if k < 0.06:
            s["client"] = "192.0.2.%d" % rnd.randrange(1, 255)
            kind_all = "mynetworks"
        elif k < 0.12:
            s["login"] = "user%d" % rnd.randrange(10_000)
            kind_all = "sasl"
        elif k < 0.16:
            s["from"] = "localuser%d" % rnd.randrange(100)
            kind_all = "non-fqdn-sender"
        elif k < 0.22:
            s["from"] = rnd.choice(["spam%d@bad%d.example" % (i, i % 50) for i in range(5)]
                                   + ["x%d@spammer%d.example" % (i, i) for i in range(5)])
            kind_all = "sender-access"
        rcpts = []
        for _ in range(rnd.randrange(4, 13)):
            r = rnd.random()
            if kind_all in ("mynetworks", "sasl"):
                rcpts.append((kind_all, "someone%d@elsewhere%d.example" % (
                    rnd.randrange(1000), rnd.randrange(100))))
                continue
            if r < 0.50:
                i = rnd.randrange(10_000)
                kind, to = "accepted", "user%d@%s" % (i, VMAIL_DOMAINS[i % 3])
            elif r < 0.65:
                kind, to = "unknown-user", "nosuch%d@%s" % (rnd.randrange(10_000),
                                                             rnd.choice(VMAIL_DOMAINS))
            elif r < 0.85:
                kind, to = "relay-denied", "someone%d@elsewhere%d.example" % (
                    rnd.randrange(1000), rnd.randrange(100))
            elif r < 0.92:
                i = rnd.randrange(900)
                kind, to = "rcpt-access", "blocked%d@%s" % (i, VMAIL_DOMAINS[i % 3])
            else:
                kind, to = "accepted-local", "role%d@example.com" % rnd.randrange(200)
            rcpts.append((kind_all or kind, to))
        out.append((s, rcpts))
        total += len(rcpts)
    return out


def txn_lines(sess):
    lines = []
    for s, rcpts in sess:
        for kind, to in rcpts:
            f = [("kind", kind)] + list(s.items()) + [("to", to)]
            lines.append("\t".join("%s=%s" % kv for kv in f))
    return "\n".join(lines) + "\n"


def write_config(directory, maincf, files, compile_cmd, table):
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "main.cf"), "w") as f:
        f.write("\n".join(maincf) + "\n")
    for name, text in files.items():
        with open(os.path.join(directory, name), "w") as f:
            f.write(text)
        if table == "lmdb":
            subprocess.run(compile_cmd + ["lmdb:" + os.path.join(directory, name)], check=True)


class Client:
    """A minimal SMTP client over one socket; every command counted."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), 15)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.commands = 0
        self.reply()

    def reply(self):
        while True:
            while b"\r\n" not in self.buf:
                data = self.sock.recv(65536)
                if not data:
                    raise ConnectionError("Postfix closed the connection")
                self.buf += data
            line, self.buf = self.buf.split(b"\r\n", 1)
            if line[3:4] != b"-":
                return int(line[:3]), line.decode(errors="replace")

    def cmd(self, text):
        self.commands += 1
        if self.commands > MAX_COMMANDS:
            raise RuntimeError("command budget exceeded")
        t = time.perf_counter_ns()
        self.sock.sendall(text.encode() + b"\r\n")
        code, line = self.reply()
        return code, line, time.perf_counter_ns() - t


def postfix_run(port, sess, warm_sessions):
    """Times each RCPT and a NOOP per session (after warm_sessions untimed sessions).

    Returns (rcpt ns list, [codes per RCPT line], noop ns list, commands)."""
    c = Client(port)
    rcpt_ns, codes, noop_ns = [], [], []
    try:
        for n, (s, rcpts) in enumerate(sess):
            xc = {"client": s["client"], "name": s["name"]}
            if "login" in s:
                xc["login"] = s["login"]
            code, line, _ = c.cmd("XCLIENT " + oracle.xclient_args(xc))
            if code != 220:
                raise RuntimeError("XCLIENT: " + line)
            c.cmd("EHLO " + s["helo"])
            code, line, _ = c.cmd("MAIL FROM:<%s>" % s["from"])
            if code != 250:
                raise RuntimeError("MAIL: " + line)
            for _, to in rcpts:
                code, line, ns = c.cmd("RCPT TO:<%s>" % to)
                if n >= warm_sessions:
                    rcpt_ns.append(ns)
                    codes.append(0 if code == 250 else code)
            ns = c.cmd("NOOP")[2]   # one per session, among the RCPTs it is compared with
            if n >= warm_sessions:
                noop_ns.append(ns)
            c.cmd("RSET")
        c.cmd("QUIT")
    finally:
        c.sock.close()
    return rcpt_ns, codes, noop_ns, c.commands


def pct(v, q):
    v = sorted(v)
    return v[min(len(v) - 1, int(len(v) * q))]


def engine_run(bench, cfg, txnfile, samples, seconds):
    out = subprocess.run([bench, cfg, txnfile, str(samples), str(seconds)], check=True,
                         capture_output=True, text=True, timeout=60).stdout
    res = {"kinds": {}}
    for line in out.splitlines():
        words = line.split()
        if words[0] in ("percall", "batch"):
            f = dict(w.split("=", 1) for w in words[1:])
            if words[0] == "batch":
                res["batch"] = f
            elif f["kind"] == "all":
                res["all"] = f
            else:
                res["kinds"][f["kind"]] = f
        else:
            res.update(dict(w.split("=", 1) for w in words))
    return res


CONFIGS = [("lmdb", True), ("lmdb", False), ("texthash", True)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--rcpts", type=int, default=3000, help="timed Postfix RCPTs per configuration")
    ap.add_argument("--samples", type=int, default=1_000_000, help="engine per-call samples at most")
    ap.add_argument("--seconds", type=float, default=1.0, help="engine time limit per phase")
    args = ap.parse_args()
    bench = os.path.join(args.build, "bench", "bench-policy-eval")
    sallyport = os.path.join(args.build, "sallyport")
    if os.geteuid() != 0 or not os.path.exists(oracle.POSTFIX):
        print("bench/policy needs root and Postfix (the peer)", file=sys.stderr)
        return 77
    t_start = time.monotonic()
    rnd = random.Random(1)
    files = table_files(rnd)
    warm = 30
    sess = sessions(rnd, args.rcpts)
    warm_sess = sessions(random.Random(2), warm * 8)[:warm]
    timed_lines = txn_lines(sess)
    work = tempfile.mkdtemp(prefix="sp-bench-policy-")
    results = []
    try:
        txnfile = os.path.join(work, "rcpts")
        with open(txnfile, "w") as f:
            f.write(timed_lines)
        kinds = [l.split("\t")[0][5:] for l in timed_lines.splitlines()]
        for table, delay in CONFIGS:
            label = "%s, delay_reject = %s" % (table, "yes" if delay else "no")
            case = oracle.Case("bench/policy (%s)" % label)
            case.maincf = engine.POSTFIX_DEFAULTS + maincf_lines(delay, table)
            case.files = files
            cfg = os.path.join(work, "sallyport-%s-%d" % (table, delay))
            write_config(cfg, engine.maincf_text(case, cfg).splitlines(), files,
                         [sallyport, "map"], table)
            eng = engine_run(bench, cfg, txnfile, args.samples, args.seconds)
            sp_codes = [int(x) for x in subprocess.run(
                [bench, "-c", cfg, txnfile], check=True, capture_output=True,
                text=True).stdout.split()]

            # Plumbing for Postfix only: XCLIENT is authorized against the
            # simulated client too, so the next XCLIENT in the one session
            # needs the simulated networks listed.
            case.maincf = case.maincf + [
                "smtpd_authorized_xclient_hosts = 127.0.0.1, 203.0.113.0/24, 192.0.2.0/24"]
            with oracle.PostfixInstance(case) as pf:
                etc = os.path.join(pf.dir, "etc")
                if table == "lmdb":
                    for name in files:
                        subprocess.run(["postmap", "-c", etc, "lmdb:" + os.path.join(etc, name)],
                                       check=True)
                rcpt_ns, pf_codes, noop_ns, ncmd = postfix_run(
                    pf.port_lock.port, warm_sess + sess, warm)
                warns = oracle.warnings_of(pf.log())
            diff = [(kinds[i], a, b) for i, (a, b) in enumerate(zip(pf_codes, sp_codes)) if a != b]
            results.append(dict(label=label, eng=eng, rcpt=rcpt_ns, noop=noop_ns, ncmd=ncmd,
                                diff=diff, pf_codes=pf_codes, warns=warns))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    elapsed = time.monotonic() - t_start

    mix = {}
    for k in kinds:
        mix[k] = mix.get(k, 0) + 1
    print("## Policy engine (bench/policy)\n")
    print("Machine: %d cores; %s; one run of `sudo python3 bench/policy/run.py %s` "
          "(%.1f s in all, %d SMTP commands).\n" % (
              os.cpu_count(), time.strftime("%Y-%m-%d"), args.build, elapsed,
              sum(r["ncmd"] for r in results)))
    print("Workload: %d RCPT decisions from %d simulated sessions (%s).\n" % (
        len(kinds), len(sess), ", ".join("%s %d" % kv for kv in
                                         sorted(mix.items(), key=lambda x: -x[1]))))
    print("| tables, smtpd_delay_reject | sallyport engine ns per decision: median / p90 / p99 "
          "| engine decisions/s (batch) | Postfix RCPT round trip ns: median / p90 / p99 "
          "| Postfix NOOP round trip ns (median) | ratio: Postfix RCPT round trip / engine "
          "| ratio: Postfix (RCPT - NOOP) / engine | replies agree |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in results:
        e = r["eng"]["all"]
        med_e = max(1, int(e["median_ns"]))
        med_r, med_n = statistics.median(r["rcpt"]), statistics.median(r["noop"])
        print("| %s | %s / %s / %s | %s | %d / %d / %d | %d | %.0f | %.0f | %d of %d |" % (
            r["label"], e["median_ns"], e["p90_ns"], e["p99_ns"], r["eng"]["batch"]["rate"],
            med_r, pct(r["rcpt"], 0.9), pct(r["rcpt"], 0.99), med_n, med_r / med_e,
            (med_r - med_n) / med_e, len(r["pf_codes"]) - len(r["diff"]), len(r["pf_codes"])))
    print()
    print("| engine ns by kind: median / p90 | " + " | ".join(r["label"] for r in results) + " |")
    print("| --- |" + " --- |" * len(results))
    for k in sorted(mix, key=lambda x: -mix[x]):
        print("| %s (%d) | %s |" % (k, mix[k], " | ".join(
            "%s / %s" % (r["eng"]["kinds"][k]["median_ns"], r["eng"]["kinds"][k]["p90_ns"])
            for r in results)))
    print()
    for r in results:
        e = r["eng"]
        print("- %s: engine %s per-call samples, clock read %s ns (included in each), batch "
              "mean %s ns; Postfix %d timed RCPTs, %d NOOPs, %d SMTP commands." % (
                  r["label"], e["all"]["n"], e["timer_ns"], e["batch"]["mean_ns"],
                  len(r["rcpt"]), len(r["noop"]), r["ncmd"]))
        for k, a, b in r["diff"][:5]:
            print("  - differs (%s): Postfix %d, sallyport %d" % (k, a, b))
        for w in r["warns"][:5]:
            print("  - Postfix warning: " + w)
    return 0


if __name__ == "__main__":
    sys.exit(main())
