# smtpd_reject_unlisted_recipient = no: only an explicit
# reject_unlisted_recipient (here in a class chosen by recipient domain)
# validates recipients; behind warn_if_reject it only warns. The same for
# senders with reject_unlisted_sender (smtpd_reject_unlisted_sender = no,
# the default).

[main.cf]
mydestination = example.com, $myhostname, localhost
local_recipient_maps = texthash:${config_directory}/local
virtual_mailbox_domains = vmail.example, vmail2.example
virtual_mailbox_maps = texthash:${config_directory}/vmailbox
smtpd_reject_unlisted_recipient = no
smtpd_restriction_classes = c_unl, c_warn, c_unl_sender
c_unl = reject_unlisted_recipient
c_warn = warn_if_reject, reject_unlisted_recipient
c_unl_sender = reject_unlisted_sender
smtpd_sender_restrictions = check_sender_access texthash:${config_directory}/senders
smtpd_recipient_restrictions = check_recipient_access texthash:${config_directory}/rcpts

[file local]
alice           x

[file vmailbox]
carol@vmail.example     carol/
carol@vmail2.example    carol/

[file rcpts]
example.com             c_unl
vmail.example           c_warn

[file senders]
example.com             c_unl_sender

[transactions]
client=192.0.2.10 ehlo=mail.example.net from=<a@example.net> to=<alice@example.com> to=<nobody@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  rcpt 550 5.1.1 <nobody@example.com>: Recipient address rejected: User unknown in local recipient table
  data ok
  dot ok
client=192.0.2.10 ehlo=mail.example.net from=<a@example.net> to=<carol@vmail.example> to=<nobody@vmail.example>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.10 ehlo=mail.example.net from=<a@example.net> to=<carol@vmail2.example> to=<nobody@vmail2.example>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.10 ehlo=mail.example.net from=<nobody@example.com> to=<alice@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 550 5.1.0 <nobody@example.com>: Sender address rejected: User unknown in local recipient table
client=192.0.2.10 ehlo=mail.example.net from=<nobody@vmail.example> to=<alice@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
