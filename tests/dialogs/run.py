#!/usr/bin/env python3
"""SMTP dialogs against sallyport's session state machine (no sockets).

A .dialog file has a [main.cf] section (lines added to the base below),
optional [file NAME] sections (written next to main.cf, the test's
${config_directory}) and a [dialog] section that session_run plays
(session_run.c documents its lines). queue_directory is a fresh directory
inside the test's temporary directory.

    run.py SESSION_RUN DIALOG_DIR [FILE.dialog...]

Exit status 0 when every dialog holds, 1 otherwise.
"""
import os
import re
import subprocess
import sys
import tempfile

BASE = [
    "compatibility_level = 3.7",
    "myhostname = mx.example.com",
    "mydomain = example.com",
    "mydestination = example.com, $myhostname, localhost",
    "local_recipient_maps = inline:{ alice=x, bob=x, carol=x }",
    "inet_interfaces = 127.0.0.1",
    "smtpd_error_sleep_time = 0",
]


def parse(path):
    sections, name = {"main.cf": [], "dialog": []}, None
    files = {}
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f.read().split("\n"), 1):
            m = re.fullmatch(r"\[(main\.cf|dialog|file ([A-Za-z0-9._-]+))\]\s*", line)
            if m:
                name = ("file", m.group(2)) if m.group(2) else m.group(1)
                if m.group(2):
                    files[m.group(2)] = []
                continue
            if name is None:
                if line.strip() and not line.startswith("#"):
                    raise SystemExit(f"{path}:{lineno}: text before the first section")
            elif isinstance(name, tuple):
                files[name[1]].append(line)
            else:
                sections[name].append(line)
    return sections, files


def run(session_run, path):
    sections, files = parse(path)
    with tempfile.TemporaryDirectory(prefix="sallyport-dialog-") as d:
        own = {l.split("=")[0].strip() for l in sections["main.cf"] if "=" in l}
        base = [l for l in BASE if l.split("=")[0].strip() not in own]
        with open(os.path.join(d, "main.cf"), "w") as f:
            f.write("\n".join(base + [f"queue_directory = {d}/queue"] + sections["main.cf"]) + "\n")
        for fname, lines in files.items():
            with open(os.path.join(d, fname), "w") as f:
                f.write("\n".join(lines) + "\n")
        p = subprocess.run([session_run, d], input="\n".join(sections["dialog"]) + "\n",
                           capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        print(f"{path}: failed (exit {p.returncode})")
        print(p.stderr, end="")
        return 1
    return 0


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    session_run, directory = argv[1], argv[2]
    paths = argv[3:] or sorted(os.path.join(directory, n) for n in os.listdir(directory)
                               if n.endswith(".dialog"))
    failed = sum(run(session_run, p) for p in paths)
    print(f"dialogs: {len(paths) - failed} of {len(paths)} hold")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
