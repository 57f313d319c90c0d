#!/usr/bin/python3
"""Differential test: sallyport's `conf` against Postfix's `postconf`.

Usage:
    /usr/bin/python3 tests/postconf/diff.py SALLYPORT CORPUS_ROOT
        [--case NAME]... [--postconf PATH] [--timeout SECONDS]
        [--no-inject] [--verbose]

CORPUS_ROOT holds two directories:

  corpus/NN-name/main.cf   a configuration both programs must accept.
      Compared parameters: every sallyport registry parameter whose flags
      lack "differs", plus every parameter that `postconf -c DIR -n`
      prints (set in main.cf, including valid user-defined parameters),
      minus the names postconf does not know.  postconf and sallyport are
      each asked once, with all the names: `-c DIR -x NAME...`, and the
      output lines are compared name by name, byte for byte.

  errors/NN-name/main.cf + errors/NN-name/param
      `-c DIR -x PARAM` must fail (exit status > 0) for both programs.

Sallyport defaults that deliberately differ ("differs" in the registry)
are not compared themselves, but other values may expand them (for
example smtpd_banner = $myhostname ESMTP $mail_name).  Unless --no-inject
is given, postconf is therefore run on a temporary copy of main.cf with
"name = <sallyport default>" appended for each "differs" parameter that
Postfix knows and main.cf does not set, so that postconf computes what
sallyport should print.  The registry's default column must be main.cf
text for this to work.

Exit status: 0 when everything matches; 1 on any mismatch, any sallyport
failure (non-zero exit on a corpus case, zero exit on an error case,
timeout, crash, unparsable output); 2 on a problem with the environment
or the corpus itself (postconf missing, postconf rejecting a corpus case
or accepting an error case) when there is no failure of the first kind.
Standard library only.
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

DEFAULT_POSTCONF = "/usr/sbin/postconf"
DEFAULT_TIMEOUT = 10.0

# postconf prints "name = value", or "name =" for an empty value.
LINE_RE = re.compile(r"^(\S+) =(?: (.*))?$")
UNKNOWN_RE = re.compile(r"^\S+: warning: (\S+): unknown parameter$")

# postconf -c DIR -n always prints this one; it is not set in main.cf.
IMPLIED_BY_DASH_C = {"config_directory"}


class Result:
    """Outcome of one external command."""

    def __init__(self, argv, rc, out, err, timed_out=False, exec_error=None):
        self.argv = argv
        self.rc = rc
        self.out = out
        self.err = err
        self.timed_out = timed_out
        self.exec_error = exec_error

    def describe(self):
        """Why this run did not exit normally with status 0."""
        if self.exec_error is not None:
            return "could not run %s: %s" % (self.argv[0], self.exec_error)
        if self.timed_out:
            return "timed out"
        if self.rc < 0:
            return "killed by signal %d" % -self.rc
        return "exit status %d" % self.rc

    def clean_failure(self):
        """True when the program ran and exited with a non-zero status."""
        return (self.exec_error is None and not self.timed_out
                and self.rc is not None and self.rc > 0)


def child_env():
    env = dict(os.environ)
    # Both programs must read only the directory given with -c.
    for var in ("MAIL_CONFIG", "MAIL_DEBUG", "MAIL_VERBOSE"):
        env.pop(var, None)
    env["LC_ALL"] = "C"
    return env


def run(argv, timeout):
    """Run argv with a timeout; on timeout kill its whole process group."""
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=child_env(), start_new_session=True)
    except OSError as exc:
        return Result(argv, None, "", "", exec_error=exc.strerror or str(exc))
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
        try:
            out, err = proc.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = b"", b""
        return Result(argv, None, decode(out or b""), decode(err or b""),
                      timed_out=True)
    return Result(argv, proc.returncode, decode(out), decode(err))


def decode(data):
    return data.decode("utf-8", errors="surrogateescape")


def show(text):
    """Make a value visible: escape control characters and odd bytes."""
    if text is None:
        return "<no line>"
    out = []
    for ch in text:
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:            # undecodable byte
            out.append("\\x%02x" % (code - 0xDC00))
        elif ch == "\\":
            out.append("\\\\")
        elif code < 0x20 or code == 0x7F:
            out.append("\\x%02x" % code)
        else:
            out.append(ch)
    return '"%s"' % "".join(out)


def excerpt(text, limit=6):
    lines = [l for l in text.splitlines() if l.strip()]
    if len(lines) > limit:
        lines = lines[:limit] + ["... (%d more lines)" % (len(lines) - limit)]
    return "".join("        | %s\n" % l for l in lines) or "        | (nothing)\n"


def parse_lines(text):
    """Parse `NAME = VALUE` lines.

    Returns (ordered list of (name, line)), list of unparsable lines.
    """
    parsed, bad = [], []
    for line in text.split("\n"):
        if line == "":
            continue
        m = LINE_RE.match(line)
        if m:
            parsed.append((m.group(1), line))
        else:
            bad.append(line)
    return parsed, bad


def value_of(line):
    """The value part of a `NAME = VALUE` line, for display."""
    if line is None:
        return None
    m = LINE_RE.match(line)
    if not m:
        return line
    return m.group(2) or ""


class Harness:
    def __init__(self, args):
        self.args = args
        self.sallyport = args.sallyport
        self.postconf = args.postconf
        self.timeout = args.timeout
        self.verbose = args.verbose
        self.cases = 0
        self.params = 0
        self.mismatches = 0
        self.sallyport_failures = 0
        self.corpus_errors = 0
        self.error_cases = 0
        self.error_case_failures = 0
        self.registry = []          # list of (name, type, owner, flags, default)
        self.postfix_builtin = set()

    # ---------------------------------------------------------------- setup

    def say(self, msg=""):
        print(msg, flush=True)

    def note(self, msg):
        if self.verbose:
            print(msg, flush=True)

    def corpus_error(self, case, msg, res=None):
        self.corpus_errors += 1
        self.say("CORPUS ERROR  %s: %s" % (case, msg))
        if res is not None and res.err:
            self.say(excerpt(res.err).rstrip("\n"))

    def sp_failure(self, case, msg, res=None):
        self.sallyport_failures += 1
        self.say("FAIL  %s: %s" % (case, msg))
        if res is not None and res.err:
            self.say(excerpt(res.err).rstrip("\n"))

    def check_postconf(self, scratch):
        res = run([self.postconf, "-c", scratch, "-d", "-H"], self.timeout)
        if res.exec_error or res.timed_out or res.rc != 0:
            self.say("error: %s -d -H: %s" % (self.postconf, res.describe()))
            self.say(excerpt(res.err).rstrip("\n"))
            return False
        self.postfix_builtin = set(res.out.split())
        res = run([self.postconf, "-c", scratch, "-d", "-h", "mail_version"],
                  self.timeout)
        version = res.out.strip() if res.rc == 0 else "unknown"
        self.say("postconf: %s (Postfix %s, %d built-in parameters)"
                 % (self.postconf, version, len(self.postfix_builtin)))
        return True

    def load_registry(self):
        res = run([self.sallyport, "conf", "--registry"], self.timeout)
        if res.exec_error or res.timed_out or res.rc != 0:
            self.sp_failure("registry", "%s conf --registry: %s"
                            % (self.sallyport, res.describe()), res)
            return False
        seen = set()
        problems = 0
        for lineno, line in enumerate(res.out.split("\n"), 1):
            if line.strip() == "":
                continue
            fields = line.split("\t")
            if len(fields) != 6 or not fields[0] or " " in fields[0]:
                problems += 1
                self.say("FAIL  registry: line %d is not "
                         "name<TAB>type<TAB>owner<TAB>flags<TAB>default<TAB>doc: %s"
                         % (lineno, show(line)))
                continue
            name, ptype, owner, flags, default, _doc = fields
            flagset = set() if flags.strip() in ("", "-") else \
                {f.strip() for f in flags.split(",") if f.strip()}
            if name in seen:
                problems += 1
                self.say("FAIL  registry: duplicate name %s" % name)
                continue
            seen.add(name)
            self.registry.append((name, ptype, owner, flagset, default))
        if problems:
            self.sallyport_failures += 1
        if not self.registry:
            self.sp_failure("registry", "conf --registry printed no parameters")
            return False
        differs = [r[0] for r in self.registry if "differs" in r[3]]
        unknown = [r[0] for r in self.registry
                   if r[0] not in self.postfix_builtin]
        self.say("sallyport registry: %d parameters, %d marked differs%s"
                 % (len(self.registry), len(differs),
                    ", %d not known to Postfix" % len(unknown) if unknown
                    else ""))
        self.note("  differs: %s" % (" ".join(differs) or "(none)"))
        self.note("  not in Postfix: %s" % (" ".join(unknown) or "(none)"))
        return True

    # ------------------------------------------------------------- corpus

    def postconf_set_names(self, case, case_dir):
        res = run([self.postconf, "-c", case_dir, "-n"], self.timeout)
        if res.exec_error or res.timed_out or res.rc != 0:
            self.corpus_error(case, "postconf -n: %s" % res.describe(), res)
            return None
        parsed, bad = parse_lines(res.out)
        if bad:
            self.corpus_error(case, "cannot parse postconf -n output: %s"
                              % show(bad[0]))
            return None
        return [n for n, _ in parsed if n not in IMPLIED_BY_DASH_C]

    def injected_copy(self, case_dir, set_names, scratch):
        """Copy main.cf, appending sallyport's differing defaults."""
        inject = [(name, default) for name, _, _, flags, default
                  in self.registry
                  if "differs" in flags and name in self.postfix_builtin
                  and name not in set_names
                  and name not in IMPLIED_BY_DASH_C]
        if not inject or self.args.no_inject:
            return case_dir, []
        work = tempfile.mkdtemp(prefix="inject-", dir=scratch)
        with open(os.path.join(case_dir, "main.cf"), "rb") as f:
            data = f.read()
        data += b"\n# appended by diff.py: sallyport defaults that differ\n"
        for name, default in inject:
            line = "%s = %s" % (name, default) if default else "%s =" % name
            data += line.encode("utf-8", errors="surrogateescape") + b"\n"
        path = os.path.join(work, "main.cf")
        with open(path, "wb") as f:
            f.write(data)
        # Postfix re-reads a main.cf modified in the last second or two
        # ("let it cool down", 300 ms sleeps); backdate the copy.
        old = time.time() - 3600
        os.utime(path, (old, old))
        return work, [n for n, _ in inject]

    def run_corpus_case(self, case, case_dir, scratch):
        set_names = self.postconf_set_names(case, case_dir)
        if set_names is None:
            return
        wanted = []
        seen = set()
        for name, _, _, flags, _ in self.registry:
            if "differs" not in flags and name not in seen:
                wanted.append(name)
                seen.add(name)
        for name in set_names:
            if name not in seen:
                wanted.append(name)
                seen.add(name)

        pc_dir, injected = self.injected_copy(case_dir, set(set_names),
                                              scratch)
        pc = run([self.postconf, "-c", pc_dir, "-x"] + wanted, self.timeout)
        if pc.exec_error or pc.timed_out or pc.rc != 0:
            self.corpus_error(case, "postconf -x: %s%s" % (
                pc.describe(),
                " (with injected sallyport defaults for %s)"
                % ", ".join(injected) if injected else ""), pc)
            return
        pc_parsed, pc_bad = parse_lines(pc.out)
        if pc_bad:
            self.corpus_error(case, "cannot parse postconf -x output: %s"
                              % show(pc_bad[0]))
            return
        pc_lines = dict(pc_parsed)
        unknown_warned = set()
        for line in pc.err.splitlines():
            m = UNKNOWN_RE.match(line)
            if m:
                unknown_warned.add(m.group(1))
        compare = [n for n in wanted if n in pc_lines]
        dropped = [n for n in wanted if n not in pc_lines]
        silent = [n for n in dropped if n not in unknown_warned]
        if silent:
            self.say("warning: %s: postconf printed no line and no "
                     "\"unknown parameter\" warning for: %s"
                     % (case, " ".join(silent)))
        dropped_set = [n for n in dropped if n in set_names]
        if dropped_set:
            self.corpus_error(case, "postconf -n printed names that -x does "
                              "not know: %s" % " ".join(dropped_set))
            return

        self.cases += 1
        self.note("case %s: %d parameters (%d set in main.cf)%s%s" % (
            case, len(compare), len(set_names),
            "; unknown to postconf: %s" % " ".join(dropped) if dropped else "",
            "; postconf run with sallyport defaults for: %s"
            % " ".join(injected) if injected else ""))
        if not compare:
            return

        sp = run([self.sallyport, "conf", "-c", case_dir, "-x"] + compare,
                 self.timeout)
        if sp.exec_error or sp.timed_out or sp.rc != 0:
            self.sp_failure(case, "sallyport conf -c %s -x (%d names): %s"
                            % (case_dir, len(compare), sp.describe()), sp)
            return
        self.params += len(compare)
        sp_parsed, sp_bad = parse_lines(sp.out)
        sp_lines = {}
        extra = []
        for name, line in sp_parsed:
            if name in sp_lines:
                extra.append("duplicate line for %s: %s" % (name, show(line)))
            elif name not in pc_lines or name not in compare:
                extra.append("line for a name that was not asked for: %s"
                             % show(line))
            else:
                sp_lines[name] = line
        for line in sp_bad:
            extra.append("output line not of the form \"NAME = VALUE\": %s"
                         % show(line))
        told_injected = False
        for name in compare:
            want, got = pc_lines[name], sp_lines.get(name)
            if want == got:
                continue
            self.mismatches += 1
            if injected and not told_injected:
                told_injected = True
                self.say("(%s: postconf ran with sallyport's differing "
                         "defaults appended: %s)" % (case, " ".join(injected)))
            self.say("MISMATCH  %s  %s" % (case, name))
            self.say("    postconf:  %s" % show(value_of(want)))
            if got is None:
                self.say("    sallyport: <no line for %s>" % name)
            else:
                self.say("    sallyport: %s" % show(value_of(got)))
                if value_of(want) == value_of(got):
                    self.say("    (same value, different line: %s vs %s)"
                             % (show(want), show(got)))
        for msg in extra:
            self.mismatches += 1
            self.say("MISMATCH  %s  %s" % (case, msg))
        order = [n for n, _ in sp_parsed if n in sp_lines]
        if not extra and order != [n for n in compare if n in sp_lines]:
            self.say("note: %s: sallyport printed the names in a different "
                     "order than asked (postconf keeps the order)" % case)
        if sp.err.strip():
            self.note("  sallyport stderr for %s:\n%s"
                      % (case, excerpt(sp.err).rstrip("\n")))

    # --------------------------------------------------------- error cases

    def run_error_case(self, case, case_dir):
        param_file = os.path.join(case_dir, "param")
        try:
            with open(param_file, encoding="utf-8") as f:
                params = f.read().split()
        except OSError as exc:
            self.corpus_error(case, "cannot read %s: %s"
                              % (param_file, exc.strerror))
            return
        if not params:
            self.corpus_error(case, "%s names no parameter" % param_file)
            return
        self.error_cases += 1
        pc = run([self.postconf, "-c", case_dir, "-x"] + params, self.timeout)
        pc_ok = pc.clean_failure()
        sp = run([self.sallyport, "conf", "-c", case_dir, "-x"] + params,
                 self.timeout)
        sp_ok = sp.clean_failure()
        label = "%s (-x %s)" % (case, " ".join(params))
        if not pc_ok:
            self.corpus_error(label, "postconf did not fail: %s%s"
                              % (pc.describe(), "" if pc.rc != 0 else
                                 "; it printed " + show(pc.out.strip())))
        if not sp_ok:
            self.error_case_failures += 1
            if sp.rc == 0:
                why = "exited 0; it printed %s" % show(sp.out.strip())
            else:
                why = sp.describe() + " (a configuration error must give " \
                      "a clean non-zero exit)"
            self.say("FAIL  error case %s: sallyport did not fail: %s"
                     % (label, why))
        if pc_ok and sp_ok:
            self.note("error case %s: both failed (postconf: %s)"
                      % (label, (pc.err.strip().splitlines() or ["?"])[-1]))

    # ---------------------------------------------------------------- main

    def select(self, root):
        """List (kind, name, dir) for the cases to run."""
        found = []
        for kind in ("corpus", "errors"):
            base = os.path.join(root, kind)
            if not os.path.isdir(base):
                continue
            for name in sorted(os.listdir(base)):
                d = os.path.join(base, name)
                if os.path.isfile(os.path.join(d, "main.cf")):
                    found.append((kind, name, d))
        if not self.args.case:
            return found
        chosen = []
        for want in self.args.case:
            want = want.rstrip("/")
            if want in ("corpus", "errors"):
                chosen.extend(c for c in found
                              if c[0] == want and c not in chosen)
                continue
            hits = [c for c in found
                    if want in (c[1], "%s/%s" % (c[0], c[1]))]
            if not hits:
                hits = [c for c in found if c[1].startswith(want)
                        or ("%s/%s" % (c[0], c[1])).startswith(want)]
            if not hits:
                self.say("error: no case matches %r" % want)
                return None
            if len(hits) > 1:
                self.say("error: %r matches several cases: %s" % (
                    want, ", ".join("%s/%s" % (k, n) for k, n, _ in hits)))
                return None
            if hits[0] not in chosen:
                chosen.append(hits[0])
        return chosen

    def main(self):
        root = os.path.abspath(self.args.corpus_root)
        if not os.path.isdir(os.path.join(root, "corpus")) and \
                not os.path.isdir(os.path.join(root, "errors")):
            self.say("error: %s has neither corpus/ nor errors/" % root)
            return 2
        if shutil.which(self.postconf) is None:
            self.say("error: postconf not found at %s (use --postconf)"
                     % self.postconf)
            return 2
        sp_path = shutil.which(self.sallyport) or self.sallyport
        if not (os.path.isfile(sp_path) and os.access(sp_path, os.X_OK)):
            self.say("error: %s is not an executable file" % self.sallyport)
            return 2
        self.sallyport = os.path.abspath(sp_path)
        cases = self.select(root)
        if cases is None:
            return 2
        if not cases:
            self.say("error: no cases found under %s" % root)
            return 2
        scratch = tempfile.mkdtemp(prefix="sallyport-postconf-diff-")
        try:
            # An empty main.cf, for the built-in parameter list.
            open(os.path.join(scratch, "main.cf"), "w").close()
            if not self.check_postconf(scratch):
                return 2
            if not self.load_registry():
                return 1
            for kind, name, case_dir in cases:
                if kind == "corpus":
                    self.run_corpus_case(name, case_dir, scratch)
                else:
                    self.run_error_case(name, case_dir)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

        self.say("")
        self.say("%d cases, %d parameters compared, %d mismatches"
                 % (self.cases, self.params, self.mismatches))
        if self.error_cases:
            self.say("%d error cases, %d where sallyport did not fail"
                     % (self.error_cases, self.error_case_failures))
        if self.sallyport_failures:
            self.say("%d sallyport failures" % self.sallyport_failures)
        if self.corpus_errors:
            self.say("%d corpus/postconf problems (see CORPUS ERROR lines)"
                     % self.corpus_errors)
        if self.mismatches or self.sallyport_failures or \
                self.error_case_failures:
            return 1
        if self.corpus_errors:
            return 2
        return 0


def main(argv):
    ap = argparse.ArgumentParser(
        description="Compare `SALLYPORT conf -x` with `postconf -x` over a "
                    "corpus of main.cf files.")
    ap.add_argument("sallyport", metavar="SALLYPORT",
                    help="the sallyport binary")
    ap.add_argument("corpus_root", metavar="CORPUS_ROOT",
                    help="directory holding corpus/ and errors/")
    ap.add_argument("--case", action="append", metavar="NAME",
                    help="run only this case (directory name, "
                         "corpus/NAME, errors/NAME, or a unique prefix; "
                         "\"corpus\" or \"errors\" for all of one kind); "
                         "may be repeated")
    ap.add_argument("--postconf", default=DEFAULT_POSTCONF, metavar="PATH",
                    help="postconf binary (default %(default)s)")
    ap.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                    metavar="SECONDS",
                    help="timeout per command (default %(default)s)")
    ap.add_argument("--no-inject", action="store_true",
                    help="run postconf on main.cf as is, without sallyport's "
                         "differing defaults")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="show per-case details")
    args = ap.parse_args(argv)
    return Harness(args).main()


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit(130)
