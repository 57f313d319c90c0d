# Reply code parameters: access_map_reject_code, access_map_defer_code,
# reject_code, defer_code (set to 250, which is no refusal code: "450 4.7.1
# Service unavailable"), relay_domains_reject_code, non_fqdn_reject_code,
# invalid_hostname_reject_code, multi_recipient_bounce_reject_code,
# unknown_virtual_alias_reject_code, plaintext_reject_code (through a class
# for client 203.0.113.250), and show_user_unknown_table_name = no.
# The first digit of the enhanced code always follows the reply code.

[main.cf]
mydestination = example.com, $myhostname, localhost
access_map_reject_code = 550
access_map_defer_code = 451
reject_code = 553
defer_code = 250
relay_domains_reject_code = 553
non_fqdn_reject_code = 550
invalid_hostname_reject_code = 550
multi_recipient_bounce_reject_code = 554
unknown_virtual_alias_reject_code = 551
plaintext_reject_code = 554
show_user_unknown_table_name = no
virtual_alias_domains = alias.example
virtual_alias_maps = texthash:${config_directory}/valias
smtpd_restriction_classes = c_reject, c_defer, c_plain
c_plain = reject_plaintext_session
smtpd_client_restrictions = check_client_access cidr:${config_directory}/clients
c_reject = reject
c_defer = defer
smtpd_helo_restrictions = reject_invalid_helo_hostname, reject_non_fqdn_helo_hostname
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_recipient_restrictions = check_recipient_access texthash:${config_directory}/rcpts, reject_non_fqdn_recipient, reject_multi_recipient_bounce

[file clients]
203.0.113.250           c_plain

[file valias]
info@alias.example      u@example.com

[file rcpts]
reject@example.com      REJECT
rejectdsn@example.com   REJECT 4.2.1 Class from the code
defer@example.com       DEFER
deferdsn@example.com    DEFER 5.2.2 Class from the code
dip@example.com         DEFER_IF_PERMIT
creject@example.com     c_reject
cdefer@example.com      c_defer
c421@example.com        421 4.7.0 Closing now

[transactions]
client=203.0.113.5 ehlo=mail.example.net from=<x@example.net> to=<reject@example.com> to=<rejectdsn@example.com> to=<defer@example.com> to=<deferdsn@example.com> to=<dip@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 550 5.7.1 <reject@example.com>: Recipient address rejected: Access denied
  rcpt 550 5.2.1 <rejectdsn@example.com>: Recipient address rejected: Class from the code
  rcpt 451 4.7.1 <defer@example.com>: Recipient address rejected: Access denied
  rcpt 451 4.2.2 <deferdsn@example.com>: Recipient address rejected: Class from the code
  rcpt 451 4.7.1 <dip@example.com>: Recipient address rejected: Service unavailable
client=203.0.113.5 ehlo=mail.example.net from=<x@example.net> to=<creject@example.com> to=<cdefer@example.com> to=<u@example.org> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 553 5.7.1 <creject@example.com>: Recipient address rejected: Access denied
  rcpt 450 4.7.1 Service unavailable
  rcpt 553 5.7.1 <u@example.org>: Relay access denied
  rcpt ok
  data ok
  dot ok
client=203.0.113.5 ehlo=localhost from=<x@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 550 5.5.2 <localhost>: Helo command rejected: need fully-qualified hostname
client=203.0.113.5 ehlo=bad..name from=<x@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 550 5.5.2 <bad..name>: Helo command rejected: Invalid name
client=203.0.113.5 ehlo=[192.0.2.300] from=<x@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 550 5.5.2 <[192.0.2.300]>: Helo command rejected: invalid ip address
client=203.0.113.5 ehlo=mail.example.net from=<x@example.net> to=<u@localhost> to=<info@alias.example> to=<other@alias.example>
  connect ok
  ehlo ok
  mail ok
  rcpt 550 5.5.2 <u@localhost>: Recipient address rejected: need fully-qualified address
  rcpt ok
  rcpt 551 5.1.1 <other@alias.example>: Recipient address rejected: User unknown
  data ok
  dot ok
client=203.0.113.5 ehlo=mail.example.net from=<> to=<u@example.com> to=<v@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  rcpt 554 5.5.3 <v@example.com>: Recipient address rejected: Multi-recipient bounce
  data ok
  dot ok
# 421 ends the session after the reply.
client=203.0.113.5 ehlo=mail.example.net from=<x@example.net> to=<c421@example.com> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 421 4.7.0 <c421@example.com>: Recipient address rejected: Closing now
client=203.0.113.250 ehlo=mail.example.net from=<x@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 Session encryption is required
client=203.0.113.250 ehlo=mail.example.net from=<x@example.net> to=<u@example.com> tls=yes
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
