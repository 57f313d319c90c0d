"""Crash safety: while clients send 200 messages, the worker processes are
killed with SIGKILL at random moments (the master restarts them), and in
another round the whole server is; every message that got its 250 must be
in active/, complete and exactly as sent, and every file in active/ must be
complete. (A message committed in the instant before a kill may lack its
250: the client sends it again, as with Postfix.)"""
import os
import random
import signal
import smtplib
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from qfile import content_of, records  # noqa: E402


def complete(path):
    recs = list(records(path))
    size = sum(len(p) for t, p in recs if t == "D")
    return recs and recs[-1][0] == "E" and int(recs[-1][1]) == size


def sender(port, n, acked, stop):
    for i in range(n):
        if stop.is_set():
            return
        body = f"Subject: m{i}\r\nX-Seq: {threading.get_ident()}-{i}\r\n\r\n".encode() + \
            b"x" * random.randint(10, 5000) + b"\r\n"
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=5) as c:
                c.ehlo("load.example.net")
                c.mail("load@example.net")
                c.rcpt("alice@example.com")
                code, msg = c.data(body)
                if code == 250:
                    acked.append((msg.decode().rsplit(" ", 1)[1], body))
        except (OSError, smtplib.SMTPException):
            time.sleep(0.02)   # a worker died (or the server): go on with the next one


def test_kill_during_load(server):
    total = 0
    for round_ in range(3):
        srv = server()
        acked, stop = [], threading.Event()
        threads = [threading.Thread(target=sender, args=(srv.port, 50, acked, stop))
                   for _ in range(4)]
        for t in threads:
            t.start()
        if round_ < 2:   # the workers, several times
            for _ in range(3):
                time.sleep(random.uniform(0.1, 0.4))
                for pid in srv.workers():
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
            time.sleep(0.3)
        else:            # the whole server
            time.sleep(random.uniform(0.2, 0.8))
            srv.proc.send_signal(signal.SIGKILL)
            srv.proc.wait()
        stop.set()
        for t in threads:
            t.join(30)
        active = os.path.join(srv.dir, "queue", "active")
        files = set(os.listdir(active))
        for qid, body in acked:
            assert qid in files, f"round {round_}: acknowledged {qid} is not in active/"
            assert content_of(os.path.join(active, qid)).endswith(b"\r\n" + body)
        for name in files:
            assert complete(os.path.join(active, name)), f"{name} in active/ is not complete"
        total += len(acked)
    assert total > 0, "no message was acknowledged before the kills: the test proved nothing"
