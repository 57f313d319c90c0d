# As 19-dns.t with unknown_hostname_reject_code = 550,
# unknown_address_reject_code = 550 and both tempfail actions set to
# "defer": a temporary failure is then a 450 at once, before any later
# restriction can reject. A null MX keeps its own codes.

[main.cf]
mydestination = example.com, $myhostname, localhost
unknown_hostname_reject_code = 550
unknown_address_reject_code = 550
unknown_address_tempfail_action = defer
unknown_helo_hostname_tempfail_action = defer
smtpd_helo_restrictions = reject_unknown_helo_hostname
smtpd_sender_restrictions = reject_unknown_sender_domain
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_recipient_restrictions = reject_unknown_recipient_domain

[transactions]
client=203.0.113.5 ehlo=mail.example.net dns=host:mail.example.net:notfound from=<s@example.com> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 550 5.7.1 <mail.example.net>: Helo command rejected: Host not found
client=203.0.113.5 ehlo=mail.example.net dns=host:mail.example.net:inval from=<s@example.com> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 550 5.7.1 <mail.example.net>: Helo command rejected: Malformed DNS server reply
client=203.0.113.5 ehlo=mail.example.net dns=host:mail.example.net:retry from=<s@example.com> to=<u@example.com> to=<x@example.org>
  connect ok
  ehlo ok
  mail ok
  rcpt 450 4.7.1 <mail.example.net>: Helo command rejected: Host not found
  rcpt 450 4.7.1 <mail.example.net>: Helo command rejected: Host not found
client=203.0.113.5 ehlo=[203.0.113.5] from=<s@example.net> dns=mailhost:example.net:notfound to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 550 5.1.8 <s@example.net>: Sender address rejected: Domain not found
client=203.0.113.5 ehlo=[203.0.113.5] from=<s@example.net> dns=mailhost:example.net:inval to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 550 5.1.8 <s@example.net>: Sender address rejected: Malformed DNS server reply
client=203.0.113.5 ehlo=[203.0.113.5] from=<s@example.net> dns=mailhost:example.net:nullmx to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 550 5.7.27 <s@example.net>: Sender address rejected: Domain example.net does not accept mail (nullMX)
client=203.0.113.5 ehlo=[203.0.113.5] from=<s@example.net> dns=mailhost:example.net:retry to=<u@example.com> to=<x@example.org>
  connect ok
  ehlo ok
  mail ok
  rcpt 450 4.1.8 <s@example.net>: Sender address rejected: Domain not found
  rcpt 450 4.1.8 <s@example.net>: Sender address rejected: Domain not found
client=127.0.0.1 ehlo=[127.0.0.1] from=<s@example.com> to=<r@example.org> to=<r@example.net> to=<r@example.info> to=<r@example.com> dns=mailhost:example.org:notfound dns=mailhost:example.net:retry dns=mailhost:example.info:nullmx
  connect ok
  ehlo ok
  mail ok
  rcpt 550 5.1.2 <r@example.org>: Recipient address rejected: Domain not found
  rcpt 450 4.1.2 <r@example.net>: Recipient address rejected: Domain not found
  rcpt 556 5.1.10 <r@example.info>: Recipient address rejected: Domain example.info does not accept mail (nullMX)
  rcpt ok
  data ok
  dot ok
