# Recipient restrictions: check_recipient_access, reject_non_fqdn_recipient,
# reject_multi_recipient_bounce, and the implicit reject_unlisted_recipient
# (smtpd_reject_unlisted_recipient = yes, the default) and
# reject_unlisted_sender (smtpd_reject_unlisted_sender = yes) that apply
# even after an OK; unknown_local_recipient_reject_code = 450; "postmaster"
# without a domain is never refused.

[main.cf]
mydestination = example.com, $myhostname, localhost
recipient_delimiter = +
local_recipient_maps = texthash:${config_directory}/local
virtual_alias_domains = alias.example
virtual_alias_maps = texthash:${config_directory}/valias
virtual_mailbox_domains = vmail.example
virtual_mailbox_maps = texthash:${config_directory}/vmailbox
relay_domains = relay.example
relay_recipient_maps = texthash:${config_directory}/relayrcpt
smtpd_reject_unlisted_sender = yes
unknown_local_recipient_reject_code = 450
smtpd_recipient_restrictions = check_recipient_access texthash:${config_directory}/rcpts, reject_non_fqdn_recipient, reject_multi_recipient_bounce

[file local]
alice           x
bob             x

[file valias]
info@alias.example      alice@example.com

[file vmailbox]
carol@vmail.example     carol/

[file relayrcpt]
dave@relay.example      x

[file rcpts]
closed@example.com      REJECT Mailbox closed
tagged@example.com      550 5.1.1 No such tag
abuse@                  OK
bob@example.com         DUNNO
warned@example.com      warn_if_reject, reject_unlisted_recipient

[transactions]
client=192.0.2.10 ehlo=mail.example.net from=<friend@example.net> to=<alice@example.com> to=<nobody@example.com> to=<alice+tag@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  rcpt 450 4.1.1 <nobody@example.com>: Recipient address rejected: User unknown in local recipient table
  rcpt ok
  data ok
  dot ok
client=192.0.2.10 ehlo=mail.example.net from=<friend@example.net> to=<closed@example.com> to=<Closed@EXAMPLE.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <closed@example.com>: Recipient address rejected: Mailbox closed
  rcpt 554 5.7.1 <Closed@EXAMPLE.com>: Recipient address rejected: Mailbox closed
client=192.0.2.10 ehlo=mail.example.net from=<friend@example.net> to=<tagged+x@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 550 5.1.1 <tagged+x@example.com>: Recipient address rejected: No such tag
# OK does not skip the implicit reject_unlisted_recipient.
client=192.0.2.10 ehlo=mail.example.net from=<friend@example.net> to=<abuse@example.com> to=<abuse@example.org>
  connect ok
  ehlo ok
  mail ok
  rcpt 450 4.1.1 <abuse@example.com>: Recipient address rejected: User unknown in local recipient table
  rcpt 454 4.7.1 <abuse@example.org>: Relay access denied
client=192.0.2.10 ehlo=mail.example.net from=<friend@example.net> to=<postmaster@example.com> to=<postmaster> to=<MAILER-DAEMON@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  rcpt ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.10 ehlo=mail.example.net from=<friend@example.net> to=<bob@example.com> to=<alice@localhost> to=<nobody@mx.example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  rcpt 504 5.5.2 <alice@localhost>: Recipient address rejected: need fully-qualified address
  rcpt 450 4.1.1 <nobody@mx.example.com>: Recipient address rejected: User unknown in local recipient table
  data ok
  dot ok
# reject_non_fqdn_recipient sees an unqualified address as given.
client=192.0.2.10 ehlo=mail.example.net from=<friend@example.net> to=<alice> to=<nobody>
  connect ok
  ehlo ok
  mail ok
  rcpt 504 5.5.2 <alice>: Recipient address rejected: need fully-qualified address
  rcpt 504 5.5.2 <nobody>: Recipient address rejected: need fully-qualified address
client=192.0.2.10 ehlo=mail.example.net from=<friend@example.net> to=<info@alias.example> to=<other@alias.example>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  rcpt 550 5.1.1 <other@alias.example>: Recipient address rejected: User unknown in virtual alias table
  data ok
  dot ok
client=192.0.2.10 ehlo=mail.example.net from=<friend@example.net> to=<carol@vmail.example> to=<other@vmail.example>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  rcpt 550 5.1.1 <other@vmail.example>: Recipient address rejected: User unknown in virtual mailbox table
  data ok
  dot ok
client=192.0.2.10 ehlo=mail.example.net from=<friend@example.net> to=<dave@relay.example> to=<other@relay.example>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  rcpt 550 5.1.1 <other@relay.example>: Recipient address rejected: User unknown in relay recipient table
  data ok
  dot ok
# A reject_unlisted_recipient that only warned does not count: the implicit one still rejects.
client=192.0.2.10 ehlo=mail.example.net from=<friend@example.net> to=<warned@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 450 4.1.1 <warned@example.com>: Recipient address rejected: User unknown in local recipient table
# reject_non_fqdn_recipient
client=192.0.2.10 ehlo=mail.example.net from=<friend@example.net> to=<user@relay> to=<alice@example.com.> to=<alice@[127.0.0.1]>
  connect ok
  ehlo ok
  mail ok
  rcpt 454 4.7.1 <user@relay>: Relay access denied
  rcpt ok
  rcpt ok
  data ok
  dot ok
# The implicit reject_unlisted_sender, at RCPT (smtpd_delay_reject = yes).
client=192.0.2.10 ehlo=mail.example.net from=<nobody@example.com> to=<alice@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 450 4.1.0 <nobody@example.com>: Sender address rejected: User unknown in local recipient table
client=192.0.2.10 ehlo=mail.example.net from=<other@alias.example> to=<alice@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 550 5.1.7 <other@alias.example>: Sender address rejected: User unknown in virtual alias table
client=192.0.2.10 ehlo=mail.example.net from=<alice@example.com> to=<bob@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
# reject_multi_recipient_bounce: the null sender with more than one recipient.
client=192.0.2.10 ehlo=mail.example.net from=<> to=<alice@example.com> to=<bob@example.com> to=<nobody@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  rcpt 550 5.5.3 <bob@example.com>: Recipient address rejected: Multi-recipient bounce
  rcpt 550 5.5.3 <nobody@example.com>: Recipient address rejected: Multi-recipient bounce
  data ok
  dot ok
client=192.0.2.10 ehlo=mail.example.net from=<> to=<nobody@example.com> to=<alice@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 450 4.1.1 <nobody@example.com>: Recipient address rejected: User unknown in local recipient table
  rcpt ok
  data ok
  dot ok
client=192.0.2.10 ehlo=mail.example.net from=<a@example.net> to=<alice@example.com> to=<bob@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  rcpt ok
  data ok
  dot ok
