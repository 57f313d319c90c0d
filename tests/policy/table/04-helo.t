# HELO restrictions: check_helo_access (name and parent domains),
# reject_invalid_helo_hostname (syntax, address literals),
# reject_non_fqdn_helo_hostname. smtpd_delay_reject = yes, so the verdict
# comes at RCPT; without any HELO the HELO restrictions have nothing to check.

[main.cf]
mydestination = example.com, $myhostname, localhost
smtpd_helo_restrictions = check_helo_access texthash:${config_directory}/helos, reject_invalid_helo_hostname, reject_non_fqdn_helo_hostname

[file helos]
bad.example.net         REJECT You are not bad.example.net
blocked.example         550 5.7.1 Blocked HELO domain
friend                  OK

[transactions]
client=192.0.2.10 ehlo=mail.example.net from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.10 ehlo=bad.example.net from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <bad.example.net>: Helo command rejected: You are not bad.example.net
client=192.0.2.10 helo=bad.example.net from=<a@example.net> to=<u@example.com>
  connect ok
  helo ok
  mail ok
  rcpt 554 5.7.1 <bad.example.net>: Helo command rejected: You are not bad.example.net
client=192.0.2.10 ehlo=BAD.Example.NET from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <BAD.Example.NET>: Helo command rejected: You are not bad.example.net
client=192.0.2.10 ehlo=mx.sub.blocked.example from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 550 5.7.1 <mx.sub.blocked.example>: Helo command rejected: Blocked HELO domain
# OK ends the HELO list before reject_non_fqdn_helo_hostname.
client=192.0.2.10 ehlo=friend from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.10 ehlo=localhost from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 504 5.5.2 <localhost>: Helo command rejected: need fully-qualified hostname
client=192.0.2.10 ehlo=mail.example.net. from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.10 ehlo=mail..example.net from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 501 5.5.2 <mail..example.net>: Helo command rejected: Invalid name
client=192.0.2.10 ehlo=-mail.example.net from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 501 5.5.2 <-mail.example.net>: Helo command rejected: Invalid name
client=192.0.2.10 ehlo=mail_1.example.net from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.10 ehlo=mail.example.net.. from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 501 5.5.2 <mail.example.net..>: Helo command rejected: Invalid name
client=192.0.2.10 ehlo=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example.net from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 501 5.5.2 <aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example.net>: Helo command rejected: Invalid name
client=192.0.2.10 ehlo=[192.0.2.10] from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.10 ehlo=[192.0.2.256] from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 501 5.5.2 <[192.0.2.256]>: Helo command rejected: invalid ip address
client=192.0.2.10 ehlo=[IPv6:2001:db8::1] from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.10 ehlo=[IPv6:2001:db8::g] from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 501 5.5.2 <[IPv6:2001:db8::g]>: Helo command rejected: invalid ip address
client=192.0.2.10 ehlo=[mail.example.net] from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 501 5.5.2 <[mail.example.net]>: Helo command rejected: invalid ip address
# A bare address passes reject_invalid_helo_hostname but is not a fully-qualified name.
client=192.0.2.10 ehlo=192.0.2.10 from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 504 5.5.2 <192.0.2.10>: Helo command rejected: need fully-qualified hostname
client=192.0.2.10 ehlo=123.example.net from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
# No HELO at all (smtpd_helo_required = no).
client=192.0.2.10 from=<a@example.net> to=<u@example.com>
  connect ok
  mail ok
  rcpt ok
  data ok
  dot ok
