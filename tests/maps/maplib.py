"""maplib - helpers shared by the differential table tests (diff_*.py)."""
import subprocess


class Mismatches:
    """Counts mismatches and prints the first 30."""

    def __init__(self):
        self.count = 0

    def add(self, what):
        self.count += 1
        if self.count <= 30:
            print("MISMATCH: " + what)


def run(argv, data=b""):
    """Runs argv with data on stdin; returns (status, stdout, stderr)."""
    p = subprocess.run(argv, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.returncode, p.stdout, p.stderr


def ascii_upper(s):
    return "".join(c.upper() if c.isascii() else c for c in s)


def ascii_lower(s):
    return "".join(c.lower() if c.isascii() else c for c in s)


def ascii_swap(s):
    return "".join(c.swapcase() if c.isascii() else c for c in s)


def mixcase(rng, s):
    """Some ASCII letters in upper case (only ASCII: sallyport folds ASCII only)."""
    return "".join(c.upper() if c.isascii() and rng.random() < 0.3 else c for c in s)


def rand_word(rng, alphabet="abcdefghijklmnopqrstuvwxyz0123456789", lo=1, hi=12):
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(lo, hi)))
