# The DNS restrictions end to end: no dns= fields here, so every answer
# comes from a real DNS server on 127.0.0.1 (tests/dns/dnsd.py with the
# zone below), asked through src/net/dns.h (c-ares) by policy_run when the
# engine says PENDING, as the server does. The replies are those of
# 19-dns.t for the same statuses (Postfix's, from smtpd_check.c): found,
# NXDOMAIN and NODATA (not found), SERVFAIL and a timeout (temporary
# failure: a DEFER_IF_PERMIT), a null MX, an MX whose target is no host
# name (malformed), and an address record where the MX lookup finds none.

[main.cf]
mydestination = example.com, $myhostname, localhost
smtpd_helo_restrictions = reject_unknown_helo_hostname
smtpd_sender_restrictions = reject_unknown_sender_domain
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
relay_domains = relay.example

[dns]
mail.example.net A 192.0.2.25
example.net MX 10 mail.example.net
aonly.example A 192.0.2.26
nodata.example MX NODATA
nodata.example A NODATA
nodata.example AAAA NODATA
broken.example * SERVFAIL
slow.example * DROP
nullmx.example MX 0 .
badmx.example MX 10 bad!host.test
relay.example MX 10 mail.example.net

[transactions]
# Everything found.
client=203.0.113.5 ehlo=mail.example.net from=<s@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
# The HELO name does not exist.
client=203.0.113.5 ehlo=nohost.example.net from=<s@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 450 4.7.1 <nohost.example.net>: Helo command rejected: Host not found
# A sender domain with an address record and no MX.
client=203.0.113.5 ehlo=mail.example.net from=<s@aonly.example> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
# NXDOMAIN and NODATA.
client=203.0.113.5 ehlo=mail.example.net from=<s@nowhere.example> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 450 4.1.8 <s@nowhere.example>: Sender address rejected: Domain not found
client=203.0.113.5 ehlo=mail.example.net from=<s@nodata.example> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 450 4.1.8 <s@nodata.example>: Sender address rejected: Domain not found
# SERVFAIL and no answer at all: temporary failures, a deferral when nothing rejects...
client=203.0.113.5 ehlo=mail.example.net from=<s@broken.example> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 450 4.1.8 <s@broken.example>: Sender address rejected: Domain not found
client=203.0.113.5 ehlo=mail.example.net from=<s@slow.example> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 450 4.1.8 <s@slow.example>: Sender address rejected: Domain not found
# ...and the relay refusal when something does.
client=203.0.113.5 ehlo=mail.example.net from=<s@broken.example> to=<v@example.org>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <v@example.org>: Relay access denied
# A null MX, and an MX that points at no host name.
client=203.0.113.5 ehlo=mail.example.net from=<s@nullmx.example> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 550 5.7.27 <s@nullmx.example>: Sender address rejected: Domain nullmx.example does not accept mail (nullMX)
client=203.0.113.5 ehlo=mail.example.net from=<s@badmx.example> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 450 4.1.8 <s@badmx.example>: Sender address rejected: Malformed DNS server reply
