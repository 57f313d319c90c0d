# Sender restrictions: check_sender_access (address, address without
# extension, domain, parent domains, "localpart@", the null sender as
# "<>"), reject_non_fqdn_sender and reject_unlisted_sender for each
# address class (local, virtual alias, virtual mailbox, relay, other).
# smtpd_delay_reject = yes: the verdict is given at RCPT.

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
smtpd_sender_restrictions = check_sender_access texthash:${config_directory}/senders, reject_non_fqdn_sender, reject_unlisted_sender

[file local]
alice           x
bob             x

[file valias]
info@alias.example      alice@example.com

[file vmailbox]
carol@vmail.example     carol/

[file relayrcpt]
dave@relay.example      x

[file senders]
spammer.example         REJECT Domain blocked
blocked@example.net     550 5.7.1 You are blocked
ext@example.net         REJECT No ext, tagged or not
postmaster@             OK
<>                      REJECT No bounces accepted here

[transactions]
client=192.0.2.10 ehlo=mail.example.net from=<friend@example.net> to=<alice@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.10 ehlo=mail.example.net from=<x@spammer.example> to=<alice@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <x@spammer.example>: Sender address rejected: Domain blocked
client=192.0.2.10 ehlo=mail.example.net from=<x@mail.spammer.example> to=<alice@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <x@mail.spammer.example>: Sender address rejected: Domain blocked
client=192.0.2.10 ehlo=mail.example.net from=<x@notspammer.example> to=<alice@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.10 ehlo=mail.example.net from=<blocked@example.net> to=<alice@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 550 5.7.1 <blocked@example.net>: Sender address rejected: You are blocked
client=192.0.2.10 ehlo=mail.example.net from=<BLOCKED@Example.Net> to=<alice@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 550 5.7.1 <BLOCKED@Example.Net>: Sender address rejected: You are blocked
# The address without its extension is looked up too.
client=192.0.2.10 ehlo=mail.example.net from=<ext+tag@example.net> to=<alice@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <ext+tag@example.net>: Sender address rejected: No ext, tagged or not
client=192.0.2.10 ehlo=mail.example.net from=<ext@example.net> to=<alice@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <ext@example.net>: Sender address rejected: No ext, tagged or not
# "postmaster@" OK ends the list: reject_non_fqdn_sender is not reached.
client=192.0.2.10 ehlo=mail.example.net from=<postmaster@localhost> to=<alice@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
# The domain is looked up before "localpart@".
client=192.0.2.10 ehlo=mail.example.net from=<postmaster@spammer.example> to=<alice@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <postmaster@spammer.example>: Sender address rejected: Domain blocked
client=192.0.2.10 ehlo=mail.example.net from=<> to=<alice@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <>: Sender address rejected: No bounces accepted here
# reject_non_fqdn_sender
client=192.0.2.10 ehlo=mail.example.net from=<user@localhost> to=<alice@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 504 5.5.2 <user@localhost>: Sender address rejected: need fully-qualified address
client=192.0.2.10 ehlo=mail.example.net from=<user@mail> to=<alice@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 504 5.5.2 <user@mail>: Sender address rejected: need fully-qualified address
client=192.0.2.10 ehlo=mail.example.net from=<user@example.net.> to=<alice@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.10 ehlo=mail.example.net from=<user@[192.0.2.1]> to=<alice@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
# reject_unlisted_sender: our local domain
client=192.0.2.10 ehlo=mail.example.net from=<alice@example.com> to=<bob@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.10 ehlo=mail.example.net from=<alice+news@example.com> to=<bob@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.10 ehlo=mail.example.net from=<nobody@example.com> to=<bob@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 550 5.1.0 <nobody@example.com>: Sender address rejected: User unknown in local recipient table
client=192.0.2.10 ehlo=mail.example.net from=<nobody@mx.example.com> to=<bob@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 550 5.1.0 <nobody@mx.example.com>: Sender address rejected: User unknown in local recipient table
# virtual alias, virtual mailbox and relay domains
client=192.0.2.10 ehlo=mail.example.net from=<info@alias.example> to=<bob@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.10 ehlo=mail.example.net from=<other@alias.example> to=<bob@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 550 5.1.7 <other@alias.example>: Sender address rejected: User unknown in virtual alias table
client=192.0.2.10 ehlo=mail.example.net from=<carol@vmail.example> to=<bob@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.10 ehlo=mail.example.net from=<other@vmail.example> to=<bob@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 550 5.1.0 <other@vmail.example>: Sender address rejected: User unknown in virtual mailbox table
client=192.0.2.10 ehlo=mail.example.net from=<dave@relay.example> to=<bob@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.10 ehlo=mail.example.net from=<other@relay.example> to=<bob@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 550 5.1.0 <other@relay.example>: Sender address rejected: User unknown in relay recipient table
