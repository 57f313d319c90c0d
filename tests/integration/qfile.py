"""Reads sallyport queue files (docs/queue.md) for the tests."""
import struct


def records(path):
    with open(path, "rb") as f:
        data = f.read()
    assert data[:4] == b"SPQ1", "not a queue file"
    i = 4
    while i < len(data):
        rtype = chr(data[i])
        (length,) = struct.unpack(">I", data[i + 1:i + 5])
        yield rtype, data[i + 5:i + 5 + length]
        i += 5 + length


def content_of(path):
    return b"".join(payload for rtype, payload in records(path) if rtype == "D")
