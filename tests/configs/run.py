#!/usr/bin/env python3
"""Broken (and tricky) configurations, one directory per case.

Each case directory holds main.cf (and optionally master.cf) and a file
`expect`: the first line is `exit N` (sallyport conf's exit status), then
lines `+ TEXT` (TEXT must appear in its stderr) and `- TEXT` (must not).
Usage: run.py SALLYPORT CASES_DIR [CASE...]
"""
import os
import subprocess
import sys


def run_case(binary, path):
    lines = open(os.path.join(path, "expect"), encoding="utf-8").read().splitlines()
    want_exit = int(lines[0].split()[1])
    proc = subprocess.run([binary, "conf", "-c", path, "-n"], capture_output=True,
                          timeout=20, env={**os.environ, "LC_ALL": "C"})
    err = proc.stderr.decode("utf-8", "replace")
    problems = []
    if proc.returncode != want_exit:
        problems.append(f"exit status {proc.returncode}, expected {want_exit}")
    for line in lines[1:]:
        if not line.strip():
            continue
        sign, text = line[0], line[2:]
        if sign == "+" and text not in err:
            problems.append(f"stderr lacks: {text!r}")
        if sign == "-" and text in err:
            problems.append(f"stderr has: {text!r}")
    return problems, err


def main():
    binary, root = sys.argv[1], sys.argv[2]
    names = sys.argv[3:] or sorted(d for d in os.listdir(root)
                                   if os.path.isfile(os.path.join(root, d, "expect")))
    failed = 0
    for name in names:
        problems, err = run_case(binary, os.path.join(root, name))
        if problems:
            failed += 1
            print(f"FAIL {name}: " + "; ".join(problems))
            print("  stderr was:\n    " + err.replace("\n", "\n    "))
        else:
            print(f"ok   {name}")
    print(f"{len(names) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
