# smtpd_relay_before_recipient_restrictions = no: which of
# smtpd_relay_restrictions and smtpd_recipient_restrictions answers first
# when both would refuse a recipient. 10-relay-before-yes.t has the same
# transactions with the other setting. The relay list ends in
# defer_unauth_destination, whose code is relay_domains_reject_code - 100
# (550 - 100 here); OK in either list does not skip the other.

[main.cf]
mydestination = example.com, $myhostname, localhost
relay_domains = relay.example
relay_domains_reject_code = 550
smtpd_relay_before_recipient_restrictions = no
smtpd_relay_restrictions = permit_mynetworks, defer_unauth_destination
smtpd_recipient_restrictions = check_recipient_access texthash:${config_directory}/rcpts, permit_auth_destination, reject

[file rcpts]
blocked@example.org     REJECT Recipient blocked
open@example.org        OK
closed@example.com      REJECT Closed
closed@relay.example    550 5.1.1 Closed here too

[transactions]
client=203.0.113.5 ehlo=mail.example.net from=<s@example.net> to=<blocked@example.org>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <blocked@example.org>: Recipient address rejected: Recipient blocked
client=203.0.113.5 ehlo=mail.example.net from=<s@example.net> to=<open@example.org>
  connect ok
  ehlo ok
  mail ok
  rcpt 450 4.7.1 <open@example.org>: Relay access denied
client=203.0.113.5 ehlo=mail.example.net from=<s@example.net> to=<other@example.org>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <other@example.org>: Recipient address rejected: Access denied
client=203.0.113.5 ehlo=mail.example.net from=<s@example.net> to=<closed@example.com> to=<ok@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <closed@example.com>: Recipient address rejected: Closed
  rcpt ok
  data ok
  dot ok
client=203.0.113.5 ehlo=mail.example.net from=<s@example.net> to=<closed@relay.example> to=<ok@relay.example>
  connect ok
  ehlo ok
  mail ok
  rcpt 550 5.1.1 <closed@relay.example>: Recipient address rejected: Closed here too
  rcpt ok
  data ok
  dot ok
client=127.0.0.1 ehlo=localhost from=<s@example.com> to=<blocked@example.org> to=<open@example.org> to=<other@example.org> to=<ok@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <blocked@example.org>: Recipient address rejected: Recipient blocked
  rcpt ok
  rcpt 554 5.7.1 <other@example.org>: Recipient address rejected: Access denied
  rcpt ok
  data ok
  dot ok
