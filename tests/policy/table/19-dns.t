# DNS-dependent restrictions with the default codes and tempfail actions:
# reject_unknown_helo_hostname (an address, A/AAAA or MX record: "host"
# answers), reject_unknown_sender_domain and reject_unknown_recipient_domain
# (MX or address: "mailhost" answers). Answers come from dns= fields; a
# lookup the engine needs and the test does not answer is "pending NAME"
# (the server would look it up and evaluate again). Expected replies are
# Postfix's, read from smtpd_check.c (reject_unknown_hostname,
# reject_unknown_mailhost, reject_unknown_address): not found and malformed
# replies get unknown_hostname_reject_code / unknown_address_reject_code
# (450), a null MX 550 5.7.27 (sender) or 556 5.1.10 (recipient; the
# enhanced code's class follows the reply code), a temporary failure a
# DEFER_IF_PERMIT (unknown_*_tempfail_action = defer_if_permit): 450 when
# nothing rejects, overridden by any rejection. Domains that are ours
# (final delivery) and address literals are not looked up; relay domains
# are. The sender's domain is taken from the resolved address.

[main.cf]
mydestination = example.com, $myhostname, localhost
relay_domains = relay.example
smtpd_helo_restrictions = reject_unknown_helo_hostname
smtpd_restriction_classes = c_warn
c_warn = warn_if_reject, reject_unknown_sender_domain, permit
smtpd_sender_restrictions = check_client_access cidr:${config_directory}/clients, reject_unknown_sender_domain
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_recipient_restrictions = reject_unknown_recipient_domain

[file clients]
192.0.2.99              c_warn

[transactions]
# reject_unknown_helo_hostname
client=203.0.113.5 ehlo=mail.example.net dns=host:mail.example.net:ok from=<s@example.com> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=203.0.113.5 ehlo=mail.example.net dns=host:mail.example.net:notfound from=<s@example.com> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 450 4.7.1 <mail.example.net>: Helo command rejected: Host not found
client=203.0.113.5 helo=mail.example.net dns=host:mail.example.net:inval from=<s@example.com> to=<u@example.com>
  connect ok
  helo ok
  mail ok
  rcpt 450 4.7.1 <mail.example.net>: Helo command rejected: Malformed DNS server reply
# A null MX is fine for a host name.
client=203.0.113.5 ehlo=mail.example.net dns=host:mail.example.net:nullmx from=<s@example.com> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
# A temporary failure defers what would be accepted; a rejection wins.
client=203.0.113.5 ehlo=mail.example.net dns=host:mail.example.net:retry from=<s@example.com> to=<u@example.com> to=<x@example.org>
  connect ok
  ehlo ok
  mail ok
  rcpt 450 4.7.1 <mail.example.net>: Helo command rejected: Host not found
  rcpt 554 5.7.1 <x@example.org>: Relay access denied
client=203.0.113.5 ehlo=mail.example.net from=<s@example.com> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt pending mail.example.net
# The answer asked for is the name's, not another one's.
client=203.0.113.5 ehlo=mail.example.net dns=host:example.net:notfound from=<s@example.com> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt pending mail.example.net
# Address literals are checked for syntax only.
client=203.0.113.5 ehlo=[203.0.113.5] from=<s@example.com> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=203.0.113.5 ehlo=[203.0.113.500] from=<s@example.com> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 501 5.5.2 <[203.0.113.500]>: Helo command rejected: invalid ip address
# No HELO: nothing to look up.
client=203.0.113.5 from=<s@example.com> to=<u@example.com>
  connect ok
  mail ok
  rcpt ok
  data ok
  dot ok
# reject_unknown_sender_domain
client=203.0.113.5 ehlo=[203.0.113.5] from=<s@example.net> dns=mailhost:example.net:ok to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=203.0.113.5 ehlo=[203.0.113.5] from=<s@example.net> dns=mailhost:example.net:notfound to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 450 4.1.8 <s@example.net>: Sender address rejected: Domain not found
client=203.0.113.5 ehlo=[203.0.113.5] from=<s@example.net> dns=mailhost:example.net:inval to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 450 4.1.8 <s@example.net>: Sender address rejected: Malformed DNS server reply
client=203.0.113.5 ehlo=[203.0.113.5] from=<s@example.net> dns=mailhost:example.net:nullmx to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 550 5.7.27 <s@example.net>: Sender address rejected: Domain example.net does not accept mail (nullMX)
client=203.0.113.5 ehlo=[203.0.113.5] from=<s@example.net> dns=mailhost:example.net:retry to=<u@example.com> to=<x@example.org> to=<v@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 450 4.1.8 <s@example.net>: Sender address rejected: Domain not found
  rcpt 554 5.7.1 <x@example.org>: Relay access denied
  rcpt 450 4.1.8 <s@example.net>: Sender address rejected: Domain not found
client=203.0.113.5 ehlo=[203.0.113.5] from=<s@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt pending example.net
# Not a subdomain of ours: looked up; a relay domain: looked up.
client=203.0.113.5 ehlo=[203.0.113.5] from=<s@sub.example.com> dns=mailhost:sub.example.com:notfound to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 450 4.1.8 <s@sub.example.com>: Sender address rejected: Domain not found
client=203.0.113.5 ehlo=[203.0.113.5] from=<s@relay.example> dns=mailhost:relay.example:notfound to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 450 4.1.8 <s@relay.example>: Sender address rejected: Domain not found
# warn_if_reject: a failure only warns, a temporary one raises no DEFER_IF_PERMIT.
client=192.0.2.99 ehlo=[192.0.2.99] from=<s@example.net> dns=mailhost:example.net:notfound to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.99 ehlo=[192.0.2.99] from=<s@example.net> dns=mailhost:example.net:retry to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
# Ours, an address literal, the null sender, unqualified: no lookup.
client=203.0.113.5 ehlo=[203.0.113.5] from=<s@example.com> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=203.0.113.5 ehlo=[203.0.113.5] from=<s@[192.0.2.1]> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=203.0.113.5 ehlo=[203.0.113.5] from=<> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=203.0.113.5 ehlo=[203.0.113.5] from=<s> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
# The resolved address: trailing dot stripped, the percent hack applied.
client=203.0.113.5 ehlo=[203.0.113.5] from=<s@example.net.> dns=mailhost:example.net:notfound to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 450 4.1.8 <s@example.net.>: Sender address rejected: Domain not found
client=203.0.113.5 ehlo=[203.0.113.5] from=<s%example.org@example.com> dns=mailhost:example.org:nullmx to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 550 5.7.27 <s%example.org@example.com>: Sender address rejected: Domain example.org does not accept mail (nullMX)
# reject_unknown_recipient_domain (127.0.0.1 may relay)
client=127.0.0.1 ehlo=[127.0.0.1] from=<s@example.com> to=<r@example.org> dns=mailhost:example.org:ok
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=127.0.0.1 ehlo=[127.0.0.1] from=<s@example.com> to=<r@example.org> dns=mailhost:example.org:notfound
  connect ok
  ehlo ok
  mail ok
  rcpt 450 4.1.2 <r@example.org>: Recipient address rejected: Domain not found
client=127.0.0.1 ehlo=[127.0.0.1] from=<s@example.com> to=<r@example.org> dns=mailhost:example.org:inval
  connect ok
  ehlo ok
  mail ok
  rcpt 450 4.1.2 <r@example.org>: Recipient address rejected: Malformed DNS server reply
client=127.0.0.1 ehlo=[127.0.0.1] from=<s@example.com> to=<r@example.org> dns=mailhost:example.org:nullmx
  connect ok
  ehlo ok
  mail ok
  rcpt 556 5.1.10 <r@example.org>: Recipient address rejected: Domain example.org does not accept mail (nullMX)
client=127.0.0.1 ehlo=[127.0.0.1] from=<s@example.com> to=<r@example.org> dns=mailhost:example.org:retry
  connect ok
  ehlo ok
  mail ok
  rcpt 450 4.1.2 <r@example.org>: Recipient address rejected: Domain not found
client=127.0.0.1 ehlo=[127.0.0.1] from=<s@example.com> to=<r@example.com> to=<r@example.org>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  rcpt pending example.org
client=203.0.113.5 ehlo=[203.0.113.5] from=<s@example.com> to=<r@relay.example> to=<r@example.com> dns=mailhost:relay.example:nullmx
  connect ok
  ehlo ok
  mail ok
  rcpt 556 5.1.10 <r@relay.example>: Recipient address rejected: Domain relay.example does not accept mail (nullMX)
  rcpt ok
  data ok
  dot ok
client=127.0.0.1 ehlo=[127.0.0.1] from=<s@example.com> to=<a@example.org> to=<b@example.net> to=<c@[192.0.2.1]> dns=mailhost:example.org:ok dns=mailhost:example.net:notfound
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  rcpt 450 4.1.2 <b@example.net>: Recipient address rejected: Domain not found
  rcpt ok
  data ok
  dot ok
# A sender's temporary failure and a recipient's rejection: the rejection wins.
client=127.0.0.1 ehlo=[127.0.0.1] from=<s@example.net> to=<r@example.org> to=<r@example.com> dns=mailhost:example.net:retry dns=mailhost:example.org:nullmx
  connect ok
  ehlo ok
  mail ok
  rcpt 556 5.1.10 <r@example.org>: Recipient address rejected: Domain example.org does not accept mail (nullMX)
  rcpt 450 4.1.8 <s@example.net>: Sender address rejected: Domain not found
# Two temporary failures: the first reason is kept.
client=127.0.0.1 ehlo=mail.example.net from=<s@example.net> to=<r@example.org> dns=host:mail.example.net:retry dns=mailhost:example.net:retry dns=mailhost:example.org:retry
  connect ok
  ehlo ok
  mail ok
  rcpt 450 4.7.1 <mail.example.net>: Helo command rejected: Host not found
client=127.0.0.1 ehlo=mail.example.net from=<s@example.net> to=<r@example.org> dns=host:mail.example.net:retry dns=mailhost:example.net:nullmx
  connect ok
  ehlo ok
  mail ok
  rcpt 550 5.7.27 <s@example.net>: Sender address rejected: Domain example.net does not accept mail (nullMX)
