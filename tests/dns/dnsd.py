#!/usr/bin/env python3
"""dnsd.py - a tiny authoritative DNS server for the resolver tests (Python
standard library only). It answers UDP queries on 127.0.0.1 from a zone
table, and can misbehave on purpose. The port is chosen by the system and
written to --port-file (and printed); every query is appended to --log as
"name TYPE". It never contacts anything.

Zone table (a file, or lines given with -z): one entry per line,
    NAME  TYPE  DATA
TYPE is A, AAAA, MX, CNAME or * (every type). DATA is a record (an address,
"PREF TARGET" for MX with "." as the null target, a name for CNAME) or one
of these actions for that type:
    NXDOMAIN NODATA SERVFAIL REFUSED NOTIMP FORMERR   that reply code
    DROP        no reply at all (the client times out)
    MALFORMED   ANCOUNT 1, the record cut off after its name
    BADOWNER    a record of the asked type owned by "bad!owner.test"
    BADCLASS    a record of the asked type in class CH
    BADLEN      an A/AAAA record with 5 bytes of data
    WRONGQ      a reply whose question has another type (the client drops it)
    LAME        NOERROR without answers and without the AA and RA bits
A name that is not in the table is NXDOMAIN; a type without records or
action is NODATA; a name with only CNAME records answers with them.
Labels are sent as written, so "bad!host.test" is a malformed host name.
"""
import argparse
import ipaddress
import os
import signal
import socket
import struct
import sys

TYPES = {"A": 1, "CNAME": 5, "MX": 15, "AAAA": 28}
TYPE_NAMES = {v: k for k, v in TYPES.items()}
RCODES = {"NXDOMAIN": 3, "NODATA": 0, "SERVFAIL": 2, "REFUSED": 5, "NOTIMP": 4, "FORMERR": 1}
ACTIONS = set(RCODES) | {"DROP", "MALFORMED", "BADOWNER", "BADCLASS", "BADLEN", "WRONGQ", "LAME"}


def encode_name(name):
    if name in (".", ""):
        return b"\0"
    out = b""
    for label in name.rstrip(".").split("."):
        raw = label.encode()
        if not 0 < len(raw) < 64:
            raise ValueError("bad label in %r" % name)
        out += bytes([len(raw)]) + raw
    return out + b"\0"


def rdata(rtype, data):
    if rtype == "A":
        return ipaddress.IPv4Address(data).packed
    if rtype == "AAAA":
        return ipaddress.IPv6Address(data).packed
    if rtype == "MX":
        pref, target = data.split()
        return struct.pack("!H", int(pref)) + encode_name(target)
    if rtype == "CNAME":
        return encode_name(data)
    raise ValueError("unknown type " + rtype)


def load_zone(lines):
    zone = {}
    for n, line in enumerate(lines, 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split(None, 2)
        if len(parts) != 3 or (parts[1] != "*" and parts[1] not in TYPES):
            sys.exit("dnsd: zone line %d: expected NAME TYPE DATA: %s" % (n, line))
        name, rtype, data = parts[0].lower().rstrip("."), parts[1], parts[2]
        entry = zone.setdefault(name, {"actions": {}, "records": []})
        if data in ACTIONS:
            entry["actions"][rtype] = data
        elif rtype == "*":
            sys.exit("dnsd: zone line %d: type * takes an action" % n)
        else:
            entry["records"].append((TYPES[rtype], rdata(rtype, data)))
    return zone


def parse_query(msg):
    """Returns (id, flags, qname, qtype, question bytes) or None."""
    if len(msg) < 12:
        return None
    qid, flags, qd = struct.unpack("!HHH", msg[:6])
    if flags & 0x8000 or qd != 1:
        return None
    pos, labels = 12, []
    while True:
        if pos >= len(msg):
            return None
        n = msg[pos]
        pos += 1
        if n == 0:
            break
        if n > 63 or pos + n > len(msg):
            return None
        labels.append(msg[pos:pos + n].decode("latin-1"))
        pos += n
    if pos + 4 > len(msg):
        return None
    qtype, = struct.unpack("!H", msg[pos:pos + 2])
    return qid, flags, ".".join(labels).lower(), qtype, msg[12:pos + 4]


def reply(qid, qflags, question, rcode=0, answers=(), an=None, aa_ra=True):
    flags = 0x8000 | (qflags & 0x7900) | rcode   # QR, opcode and RD copied
    if aa_ra:
        flags |= 0x0400 | 0x0080
    count = len(answers) if an is None else an
    return struct.pack("!HHHHHH", qid, flags, 1, count, 0, 0) + question + b"".join(answers)


def rr(rtype, data, owner=b"\xc0\x0c", rclass=1):
    return owner + struct.pack("!HHIH", rtype, rclass, 60, len(data)) + data


def answer(zone, msg):
    q = parse_query(msg)
    if q is None:
        return None
    qid, qflags, qname, qtype, question = q
    entry = zone.get(qname)
    if entry is None:
        return reply(qid, qflags, question, 3)
    tname = TYPE_NAMES.get(qtype, "?")
    action = entry["actions"].get(tname, entry["actions"].get("*"))
    sample = {1: b"\xc0\x00\x02\x01", 28: bytes(15) + b"\x01",
              15: b"\x00\x0a" + encode_name("mail.test")}.get(qtype, b"\x00")
    if action == "DROP":
        return None
    if action in RCODES:
        return reply(qid, qflags, question, RCODES[action])
    if action == "MALFORMED":
        return reply(qid, qflags, question, 0, [b"\xc0\x0c\x00"], an=1)
    if action == "BADOWNER":
        return reply(qid, qflags, question, 0, [rr(qtype, sample, encode_name("bad!owner.test"))])
    if action == "BADCLASS":
        return reply(qid, qflags, question, 0, [rr(qtype, sample, rclass=3)])
    if action == "BADLEN":
        return reply(qid, qflags, question, 0, [rr(qtype, b"\xc0\x00\x02\x01\x00")])
    if action == "WRONGQ":
        other = question[:-4] + struct.pack("!HH", qtype ^ 0x10, 1)
        return reply(qid, qflags, other, 0, [rr(qtype ^ 0x10, sample)])
    if action == "LAME":
        return reply(qid, qflags, question, 0, aa_ra=False)
    records = [rr(t, d) for t, d in entry["records"] if t == qtype]
    if not records and qtype != 5:
        records = [rr(t, d) for t, d in entry["records"] if t == 5]
    return reply(qid, qflags, question, 0, records)


def main():
    ap = argparse.ArgumentParser(description="tiny DNS server for tests")
    ap.add_argument("zone", nargs="?", help="zone file")
    ap.add_argument("-z", action="append", default=[], help="a zone line")
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log")
    args = ap.parse_args()
    lines = list(args.z)
    if args.zone:
        with open(args.zone, encoding="utf-8") as f:
            lines += f.read().splitlines()
    zone = load_zone(lines)

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.rename(tmp, args.port_file)
    print(port, flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    log = open(args.log, "a", buffering=1) if args.log else None
    while True:
        msg, peer = sock.recvfrom(4096)
        q = parse_query(msg)
        if log and q:
            log.write("%s %s\n" % (q[2] or ".", TYPE_NAMES.get(q[3], q[3])))
        out = answer(zone, msg)
        if out is not None:
            sock.sendto(out, peer)


if __name__ == "__main__":
    main()
