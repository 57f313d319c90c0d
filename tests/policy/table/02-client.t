# Client restrictions: check_client_access (name, parent domains, address,
# parent networks; a name entry, even DUNNO, ends the lookup before the
# address), check_reverse_client_hostname_access (an OK there is refused:
# "451 4.3.5 Server configuration error"), reject_unknown_client_hostname
# and reject_unknown_reverse_client_hostname for names that were not found
# (name=unknown: permanent, unknown_client_reject_code) or whose lookup
# failed (name=tempfail: 450). smtpd_delay_reject = yes: the verdict is
# given at RCPT.

[main.cf]
mydestination = example.com, $myhostname, localhost
unknown_client_reject_code = 550
smtpd_restriction_classes = c_unknown, c_unknown_rev
c_unknown = reject_unknown_client_hostname
c_unknown_rev = reject_unknown_reverse_client_hostname
smtpd_client_restrictions = check_client_access cidr:${config_directory}/classes, check_client_access texthash:${config_directory}/clients, check_reverse_client_hostname_access texthash:${config_directory}/reverse

[file classes]
203.0.113.0/28          c_unknown
203.0.113.16/28         c_unknown_rev

[file clients]
bad.example.net         REJECT Bad host
example.org             REJECT Domain example.org blocked
dunno.example.net       DUNNO
ok.example.net          OK
203.0.113.66            REJECT Address blocked
198.18                  REJECT Benchmark network
2001:db8:bad            550 5.7.1 IPv6 network blocked

[file reverse]
forged.example.net      REJECT Forged name
good.example.net        OK
fine.example.net        DUNNO
203.0.113.77            REJECT Address blocked for unverified names

[transactions]
client=203.0.113.200 name=mail.example.net ehlo=mail.example.net from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=203.0.113.200 name=bad.example.net ehlo=mail.example.net from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <bad.example.net[203.0.113.200]>: Client host rejected: Bad host
# Parent domains match (parent_domain_matches_subdomains has smtpd_access_maps).
client=203.0.113.200 name=mail.example.org ehlo=mail.example.net from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <mail.example.org[203.0.113.200]>: Client host rejected: Domain example.org blocked
client=203.0.113.200 name=example.org ehlo=mail.example.net from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <example.org[203.0.113.200]>: Client host rejected: Domain example.org blocked
client=203.0.113.200 name=notexample.org ehlo=mail.example.net from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=203.0.113.66 ehlo=mail.example.net from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <unknown[203.0.113.66]>: Client host rejected: Address blocked
# A name entry (DUNNO) ends the lookup: the address entry is not consulted.
client=203.0.113.66 name=dunno.example.net ehlo=mail.example.net from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
# OK from smtpd_client_restrictions does not permit relaying.
client=203.0.113.200 name=ok.example.net ehlo=mail.example.net from=<a@example.net> to=<u@example.com> to=<u@example.org>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  rcpt 454 4.7.1 <u@example.org>: Relay access denied
  data ok
  dot ok
# An IPv4-mapped IPv6 address is the IPv4 client (Postfix converts it when
# the connection is accepted, and so does XCLIENT).
client=::ffff:203.0.113.66 ehlo=mail.example.net from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <unknown[203.0.113.66]>: Client host rejected: Address blocked
client=198.18.5.6 ehlo=mail.example.net from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <unknown[198.18.5.6]>: Client host rejected: Benchmark network
client=198.19.5.6 ehlo=mail.example.net from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=2001:db8:bad::25 ehlo=mail.example.net from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 550 5.7.1 <unknown[2001:db8:bad::25]>: Client host rejected: IPv6 network blocked
client=2001:db8:bad:1::25 name=mail.example.net ehlo=mail.example.net from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 550 5.7.1 <mail.example.net[2001:db8:bad:1::25]>: Client host rejected: IPv6 network blocked
client=2001:db8:bade::25 ehlo=mail.example.net from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
# Reverse names: the class is "Unverified Client host", the name the reverse name.
client=203.0.113.200 name=unknown rname=forged.example.net ehlo=mail.example.net from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <forged.example.net>: Unverified Client host rejected: Forged name
client=203.0.113.200 name=unknown rname=mx.forged.example.net ehlo=mail.example.net from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <mx.forged.example.net>: Unverified Client host rejected: Forged name
client=203.0.113.200 name=unknown rname=good.example.net ehlo=mail.example.net from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 451 4.3.5 Server configuration error
client=203.0.113.200 name=unknown rname=fine.example.net ehlo=mail.example.net from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
# The reverse check looks the address up too, after the reverse name.
client=203.0.113.77 name=mail.example.net rname=other.example.net ehlo=mail.example.net from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <other.example.net>: Unverified Client host rejected: Address blocked for unverified names
client=203.0.113.77 name=mail.example.net rname=fine.example.net ehlo=mail.example.net from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
# reject_unknown_client_hostname (203.0.113.0/28)
client=203.0.113.5 name=mail.example.net ehlo=mail.example.net from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=203.0.113.5 name=unknown ehlo=mail.example.net from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 550 5.7.25 Client host rejected: cannot find your hostname, [203.0.113.5]
client=203.0.113.5 name=tempfail ehlo=mail.example.net from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 450 4.7.25 Client host rejected: cannot find your hostname, [203.0.113.5]
# The reverse name alone does not make the client known.
client=203.0.113.5 name=unknown rname=mail.example.net ehlo=mail.example.net from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 550 5.7.25 Client host rejected: cannot find your hostname, [203.0.113.5]
# reject_unknown_reverse_client_hostname (203.0.113.16/28)
client=203.0.113.20 name=unknown rname=mail.example.net ehlo=mail.example.net from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=203.0.113.20 name=unknown rname=unknown ehlo=mail.example.net from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 550 5.7.1 Client host rejected: cannot find your reverse hostname, [203.0.113.20]
client=203.0.113.20 name=unknown rname=tempfail ehlo=mail.example.net from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 450 4.7.1 Client host rejected: cannot find your reverse hostname, [203.0.113.20]
client=203.0.113.20 name=tempfail ehlo=mail.example.net from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 450 4.7.1 Client host rejected: cannot find your reverse hostname, [203.0.113.20]
