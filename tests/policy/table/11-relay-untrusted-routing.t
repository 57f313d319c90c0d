# allow_untrusted_routing = yes with allow_percent_hack = no and
# swap_bangpath = no: a routed address in one of our domains (%, ! in the
# local part) is then an authorised destination for reject_unauth_destination
# and permit_auth_destination; with the percent hack off, "%" is not resolved
# away. relay_domains_reject_code = 550 for reject_unauth_destination.

[main.cf]
mydestination = example.com, $myhostname, localhost
relay_domains = relay.example
allow_untrusted_routing = yes
allow_percent_hack = no
swap_bangpath = no
relay_domains_reject_code = 550
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_recipient_restrictions = check_recipient_access texthash:${config_directory}/rcpts, permit_auth_destination, reject

[file rcpts]
routed%example.org@example.com  OK

[transactions]
client=203.0.113.5 ehlo=mail.example.net from=<s@example.net> to=<user@example.com> to=<user@example.org>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  rcpt 550 5.7.1 <user@example.org>: Relay access denied
  data ok
  dot ok
client=203.0.113.5 ehlo=mail.example.net from=<s@example.net> to=<user%example.org@example.com> to=<example.org!user@example.com> to=<"user@example.org"@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  rcpt ok
  rcpt 550 5.7.1 <user@example.org@example.com>: Relay access denied
  data ok
  dot ok
client=203.0.113.5 ehlo=mail.example.net from=<s@example.net> to=<user%example.org@relay.example> to=<@example.com:user@example.org> to=<user@[192.0.2.1]>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  rcpt 550 5.7.1 <user@example.org>: Relay access denied
  rcpt 550 5.7.1 <user@[192.0.2.1]>: Relay access denied
  data ok
  dot ok
client=203.0.113.5 ehlo=mail.example.net from=<s@example.net> to=<routed%example.org@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
