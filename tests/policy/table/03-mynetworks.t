# permit_mynetworks: IPv4 and IPv6 networks, "!" exclusions (first match
# wins), a cidr: table inside the list (any result counts as a match), and
# IPv4-mapped IPv6 client addresses, which are matched as IPv4. Relaying to
# example.org is allowed only from mynetworks.

[main.cf]
mydestination = example.com, $myhostname, localhost
mynetworks = 127.0.0.0/8, [::1]/128, !192.0.2.128/25, 192.0.2.0/24, ![2001:db8:1:bad::]/64, [2001:db8:1::]/48, !198.51.100.7, cidr:${config_directory}/mynets
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination

[file mynets]
198.51.100.0/24         OK
2001:db8:2::/48         OK
203.0.113.128/25        DUNNO

[transactions]
client=192.0.2.5 ehlo=mail.example.net from=<a@example.net> to=<u@example.org>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.127 ehlo=mail.example.net from=<a@example.net> to=<u@example.org>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
# excluded by !192.0.2.128/25 before 192.0.2.0/24 is reached
client=192.0.2.200 ehlo=mail.example.net from=<a@example.net> to=<u@example.org> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <u@example.org>: Relay access denied
  rcpt ok
  data ok
  dot ok
client=192.0.3.1 ehlo=mail.example.net from=<a@example.net> to=<u@example.org>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <u@example.org>: Relay access denied
client=127.0.0.1 name=localhost ehlo=localhost from=<a@example.net> to=<u@example.org>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=127.1.2.3 ehlo=localhost from=<a@example.net> to=<u@example.org>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=::1 name=localhost ehlo=localhost from=<a@example.net> to=<u@example.org>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=::2 ehlo=localhost from=<a@example.net> to=<u@example.org>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <u@example.org>: Relay access denied
client=2001:db8:1::5 ehlo=mail.example.net from=<a@example.net> to=<u@example.org>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=2001:db8:1:ffff::5 ehlo=mail.example.net from=<a@example.net> to=<u@example.org>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=2001:db8:1:bad::5 ehlo=mail.example.net from=<a@example.net> to=<u@example.org>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <u@example.org>: Relay access denied
client=2001:db8:2::5 ehlo=mail.example.net from=<a@example.net> to=<u@example.org>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=2001:db8:3::5 ehlo=mail.example.net from=<a@example.net> to=<u@example.org>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <u@example.org>: Relay access denied
client=198.51.100.7 ehlo=mail.example.net from=<a@example.net> to=<u@example.org>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <u@example.org>: Relay access denied
client=198.51.100.8 ehlo=mail.example.net from=<a@example.net> to=<u@example.org>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=203.0.113.200 ehlo=mail.example.net from=<a@example.net> to=<u@example.org>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=203.0.113.100 ehlo=mail.example.net from=<a@example.net> to=<u@example.org>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <u@example.org>: Relay access denied
# IPv4-mapped addresses are IPv4 clients.
client=::ffff:192.0.2.5 ehlo=mail.example.net from=<a@example.net> to=<u@example.org>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=::ffff:192.0.2.200 ehlo=mail.example.net from=<a@example.net> to=<u@example.org>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <u@example.org>: Relay access denied
client=::ffff:198.51.100.8 ehlo=mail.example.net from=<a@example.net> to=<u@example.org>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=::ffff:127.0.0.1 ehlo=mail.example.net from=<a@example.net> to=<u@example.org>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
