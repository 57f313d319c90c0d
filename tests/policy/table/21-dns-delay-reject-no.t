# DNS lookups with smtpd_delay_reject = no: the HELO name is looked up at
# EHLO/HELO and the sender's domain at MAIL FROM, so a missing answer is
# "pending" there; a temporary failure's DEFER_IF_PERMIT is carried from
# those commands to RCPT with its own text.

[main.cf]
mydestination = example.com, $myhostname, localhost
smtpd_delay_reject = no
smtpd_helo_restrictions = reject_unknown_helo_hostname
smtpd_sender_restrictions = reject_unknown_sender_domain
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_recipient_restrictions = reject_unknown_recipient_domain

[transactions]
client=203.0.113.5 ehlo=mail.example.net from=<s@example.net> to=<u@example.com>
  connect ok
  ehlo pending mail.example.net
client=203.0.113.5 ehlo=mail.example.net dns=host:mail.example.net:ok from=<s@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail pending example.net
client=203.0.113.5 ehlo=mail.example.net dns=host:mail.example.net:notfound from=<s@example.com> to=<u@example.com>
  connect ok
  ehlo 450 4.7.1 <mail.example.net>: Helo command rejected: Host not found
  mail ok
  rcpt ok
  data ok
  dot ok
client=203.0.113.5 ehlo=mail.example.net dns=host:mail.example.net:ok from=<s@example.net> dns=mailhost:example.net:nullmx to=<u@example.com>
  connect ok
  ehlo ok
  mail 550 5.7.27 <s@example.net>: Sender address rejected: Domain example.net does not accept mail (nullMX)
client=203.0.113.5 ehlo=mail.example.net dns=host:mail.example.net:retry from=<s@example.com> to=<u@example.com> to=<x@example.org>
  connect ok
  ehlo ok
  mail ok
  rcpt 450 4.7.1 <mail.example.net>: Helo command rejected: Host not found
  rcpt 554 5.7.1 <x@example.org>: Relay access denied
client=203.0.113.5 ehlo=mail.example.net dns=host:mail.example.net:ok from=<s@example.net> dns=mailhost:example.net:retry to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 450 4.1.8 <s@example.net>: Sender address rejected: Domain not found
client=127.0.0.1 ehlo=[127.0.0.1] from=<s@example.com> to=<r@example.org> dns=mailhost:example.org:notfound
  connect ok
  ehlo ok
  mail ok
  rcpt 450 4.1.2 <r@example.org>: Recipient address rejected: Domain not found
