# soft_bounce = yes: every 5xx refusal becomes 4xx, the enhanced code with
# it; 4xx refusals and acceptances are unchanged.

[main.cf]
mydestination = example.com, $myhostname, localhost
soft_bounce = yes
local_recipient_maps = texthash:${config_directory}/local
smtpd_helo_restrictions = reject_non_fqdn_helo_hostname
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_recipient_restrictions = check_recipient_access texthash:${config_directory}/rcpts, reject_non_fqdn_recipient

[file local]
u               x

[file rcpts]
reject@example.com      REJECT
c550@example.com        550 5.1.1 Gone
defer@example.com       DEFER
dir@example.com         DEFER_IF_REJECT, reject

[transactions]
client=203.0.113.5 ehlo=mail.example.net from=<x@example.net> to=<reject@example.com> to=<c550@example.com> to=<defer@example.com> to=<dir@example.com> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 454 4.7.1 <reject@example.com>: Recipient address rejected: Access denied
  rcpt 450 4.1.1 <c550@example.com>: Recipient address rejected: Gone
  rcpt 450 4.7.1 <defer@example.com>: Recipient address rejected: Access denied
  rcpt 450 4.7.0 <dir@example.com>: Recipient address rejected: defer_if_reject requested
  rcpt ok
  data ok
  dot ok
client=203.0.113.5 ehlo=mail.example.net from=<x@example.net> to=<u@example.org> to=<u@localhost> to=<nobody@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 454 4.7.1 <u@example.org>: Relay access denied
  rcpt 404 4.5.2 <u@localhost>: Recipient address rejected: need fully-qualified address
  rcpt 450 4.1.1 <nobody@example.com>: Recipient address rejected: User unknown in local recipient table
client=203.0.113.5 ehlo=localhost from=<x@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 404 4.5.2 <localhost>: Helo command rejected: need fully-qualified hostname
