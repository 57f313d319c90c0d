"""The relay proofs of `sallyport check`, on the real server (root only).

For every case of the corpus that check reports as an open relay, the server
is started with that configuration (allow_open_relay = yes added so that it
starts) and the reported transaction is made from the reported client
address: RCPT must be answered 250 and the message queued after DATA. For the
cases marked "battery" that check reports as no open relay, the relay
battery (the seven recipient forms of tests/integration/test_server.py's
test_no_relay_for_strangers, to an outside domain, with and without TLS) is
sent from an outside address and nothing may be accepted.

The outside addresses are real: the test makes a network namespace and a
veth pair, gives the host side 203.0.113.1/24 and 2001:db8:ffff::1/64 and the
namespace side the client's address (with a host route back for addresses
outside those networks, e.g. 100.64.0.1), has the case's smtpd services
listen on the host side's address, and runs the SMTP client (smtp_client.py)
inside the namespace. The namespace and the veth pair are removed at the end,
always; no other interface, address or route is touched."""
import atexit
import ipaddress
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402

CLIENT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "smtp_client.py")
PYTHON = "/usr/bin/python3"
HOST4, NET4, CLIENT4 = "203.0.113.1", ipaddress.ip_network("203.0.113.0/24"), "203.0.113.7"
HOST6, NET6, CLIENT6 = "2001:db8:ffff::1", ipaddress.ip_network("2001:db8:ffff::/64"), "2001:db8:ffff::7"
# Client addresses a proof may come from that are routed to the namespace by
# a host route: shared and documentation space, never anything real.
ROUTABLE = [ipaddress.ip_network(n) for n in (
    "100.64.0.0/10", "172.17.0.0/16", "198.51.100.0/24", "2001:db8::/32")]
OUTSIDE = "relay-test.invalid"
PROOF = re.compile(r"connect from (\S+) \(name unknown\), (TLS|no TLS), not logged in\n"
                   r"EHLO (\S+)\nMAIL FROM:<([^>\n]*)>\nRCPT TO:<([^\n]+)>\n-> accepted")

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root (network namespaces, chroot)"),
    pytest.mark.skipif(shutil.which("ip") is None, reason="needs iproute2 (ip)"),
]


def _collect():
    """The cases check reports as open relays, and the battery cases it
    does not (decided by running check, as the test does again)."""
    relay, battery = [], []
    for name in corpus.case_names():
        items = corpus.load_expect(name)
        if corpus.postfix_mode(name):   # a real Postfix's configuration
            continue
        d = corpus.materialize(name)
        try:
            r = corpus.run_check(d)
        finally:
            shutil.rmtree(d, ignore_errors=True)
        if corpus.relays(r):
            relay.append(name)
        elif any(i.kind == "battery" for i in items):
            battery.append(name)
    return relay, battery


RELAY_CASES, BATTERY_CASES = _collect() if os.geteuid() == 0 else ([], [])
PROVEN, UNPROVABLE = [], {}   # case names; case name -> why not


def _run(*args, check=True):
    return subprocess.run(list(args), capture_output=True, text=True, timeout=30, check=check)


class Netns:
    """A namespace and a veth pair: 203.0.113.1/24, 2001:db8:ffff::1/64 on
    the host side; 203.0.113.7/24, 2001:db8:ffff::7/64 in the namespace."""

    def __init__(self):
        tag = os.getpid() % 100000
        self.name, self.hif, self.nif = f"sp-check-{os.getpid()}", f"spch{tag}", f"spcn{tag}"
        self.made = False
        self.extra = set()

    def host_networks(self):
        """Every network on this host's interfaces but ours."""
        out = json.loads(_run("ip", "-j", "addr", "show").stdout)
        return [(i["ifname"], ipaddress.ip_interface(f"{a['local']}/{a['prefixlen']}").network)
                for i in out if i["ifname"] != self.hif for a in i.get("addr_info", [])]

    def setup(self):
        for ifname, net in self.host_networks():
            for mine in (NET4, NET6):
                if net.version == mine.version and net.overlaps(mine):
                    pytest.skip(f"{mine} is in use on {ifname}: not touching it")
        self.made = True
        atexit.register(self.teardown)
        ns = ("ip", "netns", "exec", self.name)
        _run("ip", "netns", "add", self.name)
        _run("ip", "link", "add", self.hif, "type", "veth", "peer", "name", self.nif)
        _run("ip", "link", "set", self.nif, "netns", self.name)
        for cmd in (("sysctl", "-qw", f"net.ipv6.conf.{self.hif}.accept_dad=0"),):
            _run(*cmd, check=False)
        _run(*ns, "sysctl", "-qw", f"net.ipv6.conf.{self.nif}.accept_dad=0", check=False)
        _run("ip", "addr", "add", f"{HOST4}/24", "dev", self.hif)
        _run("ip", "-6", "addr", "add", f"{HOST6}/64", "dev", self.hif, "nodad")
        _run("ip", "link", "set", self.hif, "up")
        _run(*ns, "ip", "link", "set", "lo", "up")
        _run(*ns, "ip", "addr", "add", f"{CLIENT4}/24", "dev", self.nif)
        _run(*ns, "ip", "-6", "addr", "add", f"{CLIENT6}/64", "dev", self.nif, "nodad")
        _run(*ns, "ip", "link", "set", self.nif, "up")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:   # the veth carrier, and IPv6 usable
            if self.client_ok(CLIENT6) and self.client_ok(CLIENT4):
                return
            time.sleep(0.1)
        pytest.fail("the namespace's addresses did not become usable")

    def client_ok(self, addr):
        out = _run("ip", "netns", "exec", self.name, "ip", "-j", "addr", "show", "dev",
                   self.nif).stdout
        for a in json.loads(out)[0].get("addr_info", []):
            if a["local"] == addr and not a.get("tentative"):
                return True
        return False

    def client(self, addr):
        """Makes addr a source address in the namespace; None, or why it cannot."""
        ip = ipaddress.ip_address(addr)
        if ip in (ipaddress.ip_address(CLIENT4), ipaddress.ip_address(CLIENT6)):
            return None
        if getattr(ip, "ipv4_mapped", None):
            return (f"{addr} is IPv4-mapped: sallyport's IPv6 sockets are IPv6-only, so no "
                    "client connects as one")
        inside = ip in NET4 or ip in NET6
        if not inside:
            if not any(ip in n for n in ROUTABLE):
                return f"{addr} is not test or shared address space: no route made for it"
            for ifname, net in self.host_networks():
                if ip in net:
                    return f"{addr} is in {net} on {ifname}: not touching it"
        if addr in self.extra:
            return None
        plen = 32 if ip.version == 4 else 128
        _run("ip", "netns", "exec", self.name, "ip", "addr", "add", f"{addr}/{plen}", "dev",
             self.nif, *(["nodad"] if ip.version == 6 else []))
        if not inside:
            _run("ip", "route", "add", f"{addr}/{plen}", "dev", self.hif)
        self.extra.add(addr)
        return None

    def smtp(self, **args):
        p = subprocess.run(["ip", "netns", "exec", self.name, PYTHON, CLIENT, json.dumps(args)],
                           capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            raise AssertionError(f"SMTP client failed ({args}): {p.stderr.strip()[-2000:]}")
        return json.loads(p.stdout)

    def teardown(self):
        if not self.made:
            return
        self.made = False
        # deleting one end of the pair deletes both, with their addresses and routes
        _run("ip", "link", "del", self.hif, check=False)
        _run("ip", "netns", "del", self.name, check=False)


@pytest.fixture(scope="module")
def netns(request):
    n = Netns()
    request.addfinalizer(n.teardown)
    n.setup()
    return n


def free_port(host):
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(fam)
    s.bind((host, 0))
    port = s.getsockname()[1]
    s.close()
    return port


def services(master):
    """(index of line, name, -o overrides) of each smtpd inet service."""
    out, lines = [], master.splitlines()
    for i, line in enumerate(lines):
        f = line.split()
        if not f or line[0] in " \t#" or len(f) < 8 or f[1] != "inet" or f[7] != "smtpd":
            continue
        opts, k = {}, i + 1
        while k < len(lines) and lines[k][:1] in (" ", "\t"):
            m = re.match(r"\s+-o\s+([^=\s]+)=(\S*)", lines[k])
            if m:
                opts[m.group(1)] = m.group(2)
            k += 1
        out.append((i, f[0], opts))
    return out


def relisten(d, where):
    """Rewrites master.cf: service name -> new "host:port" for the names in
    where, 127.0.0.1:PORT for the other smtpd services; returns
    {old name: (host, port)}."""
    path = os.path.join(d, "master.cf")
    with open(path) as f:
        master = f.read()
    lines = master.splitlines()
    moved = {}
    for i, name, _ in services(master):
        host = where.get(name, "127.0.0.1")
        port = free_port(host)
        lines[i] = (f"[{host}]" if ":" in host else host) + f":{port}" + lines[i][len(name):]
        moved[name] = (host, port)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return moved


def add_main(d, text):
    with open(os.path.join(d, "main.cf"), "a") as f:
        f.write("\n# added by test_relay_proof.py\n" + text)


class Server:
    def __init__(self, d, moved):
        self.d, self.moved = d, moved
        self.log_path = os.path.join(d, "server.log")
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen([corpus.BINARY, "start", "-f", "-c", d], stdout=self.log,
                                     stderr=self.log)
        deadline = time.monotonic() + 10
        pending = set(moved.values())
        while pending and time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("sallyport exited: " + self.logs())
            for host, port in list(pending):
                try:
                    socket.create_connection((host, port), 0.2).close()
                    pending.discard((host, port))
                except OSError:
                    time.sleep(0.05)
        if pending:
            raise AssertionError(f"sallyport did not listen on {pending}: " + self.logs())

    def logs(self):
        self.log.flush()
        with open(self.log_path) as f:
            return f.read()

    def queued(self, qid):
        """1 when the queue holds (or held, by the log) message qid."""
        for _, _, files in os.walk(os.path.join(self.d, "queue")):
            if qid in files:
                return True
        return qid in self.logs()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


@pytest.fixture
def case_dir():
    made, servers = [], []

    def make(name):
        d = corpus.materialize(name)
        made.append(d)
        return d
    make.servers = servers
    yield make
    for s in servers:
        s.stop()
    for d in made:
        shutil.rmtree(d, ignore_errors=True)


def blocking_errors(r):
    return [f"{f['id']}: {f['what']}" for f in r.findings if f["severity"] == "error"]


@pytest.mark.skipif(not RELAY_CASES, reason="needs root" if os.geteuid() else
                    "no case reports an open relay")
@pytest.mark.parametrize("name", RELAY_CASES)
def test_relay_proof_on_the_real_server(name, netns, case_dir):
    d = case_dir(name)
    before = corpus.run_check(d)
    proofs = []
    for f in corpus.relays(before):
        m = PROOF.match(f["transaction"])
        assert m, f"{name}: open-relay proof not understood: {f['transaction']!r}"
        proofs.append((f["service"], f["transaction"], m.groups()))
    where = {}
    for service, _, (addr, *_rest) in proofs:
        why = netns.client(addr)
        if why:
            UNPROVABLE[name] = why
            pytest.skip(f"{name}: the proof cannot be made here: {why}")
        where[service] = HOST6 if ":" in addr else HOST4
    moved = relisten(d, where)
    if not re.search(r"^allow_open_relay\s*=\s*yes", open(os.path.join(d, "main.cf")).read(),
                     re.M):
        add_main(d, "allow_open_relay = yes\n")
    after = corpus.run_check(d)
    errors = blocking_errors(after)
    if errors:
        UNPROVABLE[name] = "; ".join(errors)
        pytest.skip(f"{name}: sallyport start refuses it even with allow_open_relay = yes: " +
                    "; ".join(errors))
    again = {f["transaction"] for f in corpus.relays(after)}
    for service, proof, _ in proofs:
        assert proof in again, (f"{name}: listening elsewhere changed the proof for {service}:"
                                f"\n{proof}\nnow: {again}")
    srv = Server(d, moved)
    case_dir.servers.append(srv)
    known_bug = any(i.kind == "proof" and i.bug for i in corpus.load_expect(name))
    for service, proof, (addr, tls, helo, sender, rcpt) in proofs:
        mode = "starttls" if tls == "TLS" else "none"
        try:
            relay(netns, srv, moved[service], addr, mode, helo, sender, rcpt,
                  f"{name}, service {service}, proof:\n{proof}")
        except AssertionError as e:
            if not known_bug:
                raise
            # the relay is real, only the transaction reported is not: with the other
            # TLS mode it must relay
            relay(netns, srv, moved[service], addr, "none" if mode == "starttls" else "starttls",
                  helo, sender, rcpt, f"{name}, service {service}, other TLS mode")
            UNPROVABLE[name] = "known bug: " + str(e).splitlines()[-1]
            pytest.xfail(f"known bug (expect: bug proof): {str(e).splitlines()[-1]}")
    if known_bug:
        pytest.fail(f"{name}: the proof now works as reported: drop \"bug proof\" from expect")
    PROVEN.append(name)


def relay(netns, srv, where, addr, mode, helo, sender, rcpt, what):
    """Makes the transaction from addr; it must relay (250, queued)."""
    host, port = where
    out = netns.smtp(host=host, port=port, source=addr, helo=helo, sender=sender, rcpts=[rcpt],
                     data=True, tls=mode)
    said = f"{what}\nserver said: {out}\nlog:\n{srv.logs()[-3000:]}"
    assert not out.get("skipped"), said
    assert out["mail"][0] == 250, said + f"\nMAIL answered {out['mail']}"
    assert out["rcpts"][0][0] == 250, said + f"\nRCPT answered {out['rcpts'][0]}"
    assert out["data"] and out["data"][0] == 250, said + f"\nDATA answered {out['data']}"
    qid = re.search(r"queued as (\S+)", out["data"][1])
    assert qid, said
    deadline = time.monotonic() + 3
    while not srv.queued(qid.group(1)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert srv.queued(qid.group(1)), said
    assert f"[{addr}]" in srv.logs(), f"the server did not see client {addr}: " + said


def battery(ours):
    """test_no_relay_for_strangers's seven forms, to an outside domain."""
    return [f"victim@{OUTSIDE}", f"victim%{OUTSIDE}@{ours}", f"@{ours}:victim@{OUTSIDE}",
            f"{OUTSIDE}!victim@{ours}", f'"victim@{OUTSIDE}"@{ours}', "victim@[198.51.100.250]",
            f"victim@{OUTSIDE}."]


def conf(d, name):
    """A parameter's value (sallyport conf prints "name = value")."""
    return _run(corpus.BINARY, "conf", "-c", d, "-x", name).stdout.partition("=")[2].strip()


@pytest.mark.skipif(not BATTERY_CASES, reason="needs root" if os.geteuid() else
                    "no battery case")
@pytest.mark.parametrize("name", BATTERY_CASES)
def test_no_relay_for_strangers(name, netns, case_dir):
    d = case_dir(name)
    with open(os.path.join(d, "master.cf")) as f:
        svcs = services(f.read())
    moved = relisten(d, {n: HOST4 for _, n, _ in svcs})
    r = corpus.run_check(d)
    assert not corpus.relays(r), f"{name}: check reports an open relay:\n{r.describe()}"
    errors = blocking_errors(r)
    assert not errors, f"{name}: does not start: {errors}"
    ours = conf(d, "myhostname")
    srv = Server(d, moved)
    case_dir.servers.append(srv)
    accepted, mail_ok = [], set()
    tried = 0
    for _, service, opts in svcs:
        host, port = moved[service]
        modes = ["wrapper"] if opts.get("smtpd_tls_wrappermode") == "yes" else ["none", "starttls"]
        for mode in modes:
            for helo, sender in (("client.attacker.example", "spammer@attacker.example"),
                                 ("localhost", f"postmaster@{ours}")):
                out = netns.smtp(host=host, port=port, source=CLIENT4, helo=helo, sender=sender,
                                 rcpts=battery(ours), data=True, tls=mode)
                if out.get("skipped"):
                    break
                tried += 1
                if out["mail"][0] == 250:
                    mail_ok.add(service)
                for rcpt, (code, text) in zip(battery(ours), out["rcpts"]):
                    if code // 100 == 2:
                        accepted.append(f"{service} {mode} HELO {helo} MAIL FROM:<{sender}> "
                                        f"RCPT TO:<{rcpt}>: {code} {text}")
    assert tried, name
    # the sessions reached RCPT: each service took MAIL FROM in one of the modes
    assert mail_ok == {n for _, n, _ in svcs}, f"{name}: MAIL refused on {svcs} ({mail_ok})"
    assert not accepted, f"{name}: relayed for {CLIENT4}:\n" + "\n".join(accepted)
    files = [f for _, _, fs in os.walk(os.path.join(d, "queue", "incoming")) for f in fs]
    files += [f for _, _, fs in os.walk(os.path.join(d, "queue", "active")) for f in fs]
    assert not files, f"{name}: queued {files}"
    assert f"[{CLIENT4}]" in srv.logs(), f"{name}: the server never saw {CLIENT4}"


def test_enough_proofs_run():
    """At least 8 of the open relays are proven on the real server (the
    others say why they are skipped)."""
    if os.geteuid() != 0:
        pytest.skip("needs root")
    if len(PROVEN) + len(UNPROVABLE) < len(RELAY_CASES):
        pytest.skip("not every proof ran (tests selected)")
    assert len(PROVEN) >= 8, f"proven: {PROVEN}; skipped: {UNPROVABLE}"
