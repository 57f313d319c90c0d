# smtpd_delay_reject = no: each list answers its own command: the client list
# the connection (then 503 for every command), the HELO list EHLO/HELO (the
# session goes on without a HELO name, which smtpd_helo_required then
# refuses at MAIL), the sender list MAIL FROM; HOLD and DISCARD from the
# client or HELO list are skipped (there is no transaction yet).
# Both files: smtpd_helo_required = yes, DEFER_IF_PERMIT carried from the
# client, HELO and sender stages to RCPT, smtpd_data_restrictions and
# smtpd_end_of_data_restrictions (reply names DATA and END-OF-MESSAGE; a
# recipient is seen there only when there is exactly one).
# 15-delay-reject-yes.t has the same transactions.

[main.cf]
mydestination = example.com, $myhostname, localhost
smtpd_delay_reject = no
smtpd_helo_required = yes
smtpd_restriction_classes = c_reject, c_dip
c_reject = reject
c_dip = defer_if_permit
smtpd_client_restrictions = check_client_access cidr:${config_directory}/clients
smtpd_helo_restrictions = check_helo_access texthash:${config_directory}/helos, reject_invalid_helo_hostname
smtpd_sender_restrictions = check_sender_access texthash:${config_directory}/senders
smtpd_data_restrictions = check_sender_access texthash:${config_directory}/datasenders, check_recipient_access texthash:${config_directory}/datarcpts, reject_multi_recipient_bounce
smtpd_end_of_data_restrictions = check_sender_access texthash:${config_directory}/eodsenders

[file clients]
192.0.2.66              REJECT
192.0.2.67              421 4.7.0 Too busy, come back later
192.0.2.68              DEFER_IF_PERMIT Client deferred
192.0.2.69              HOLD
192.0.2.70              DISCARD
192.0.2.71              c_dip

[file helos]
bad.example.net         REJECT
dip.example.net         DEFER_IF_PERMIT Helo deferred
busy.example.net        421 4.7.0 Helo too busy

[file senders]
spam@example.net        REJECT
dip@example.net         DEFER_IF_PERMIT Sender deferred

[file datasenders]
nodata@example.net      c_reject
dipdata@example.net     c_dip

[file datarcpts]
onlyone@example.com     REJECT Refused when alone

[file eodsenders]
noeod@example.net       c_reject
eodtext@example.net     550 5.7.1 Message refused

[transactions]
client=192.0.2.10 ehlo=mail.example.net from=<a@example.net> to=<u@example.com> to=<v@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.66 ehlo=mail.example.net from=<a@example.net> to=<u@example.com> to=<v@example.com>
  connect 554 5.7.1 <unknown[192.0.2.66]>: Client host rejected: Access denied
  ehlo 503 5.7.0 Error: access denied for unknown[192.0.2.66]
  mail 503 5.7.0 Error: access denied for unknown[192.0.2.66]
client=192.0.2.66 name=mx.example.net from=<a@example.net> to=<u@example.com>
  connect 554 5.7.1 <mx.example.net[192.0.2.66]>: Client host rejected: Access denied
  mail 503 5.7.0 Error: access denied for mx.example.net[192.0.2.66]
client=192.0.2.67 ehlo=mail.example.net from=<a@example.net> to=<u@example.com> to=<v@example.com>
  connect 421 4.7.0 <unknown[192.0.2.67]>: Client host rejected: Too busy, come back later
client=192.0.2.68 ehlo=mail.example.net from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 450 4.7.1 <unknown[192.0.2.68]>: Client host rejected: Client deferred
client=192.0.2.69 ehlo=mail.example.net from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.70 ehlo=mail.example.net from=<spam@example.net> to=<u@example.com> to=<onlyone@example.com>
  connect ok
  ehlo ok
  mail 554 5.7.1 <spam@example.net>: Sender address rejected: Access denied
client=192.0.2.71 ehlo=mail.example.net from=<spam@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail 554 5.7.1 <spam@example.net>: Sender address rejected: Access denied
client=192.0.2.10 ehlo=bad.example.net from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo 554 5.7.1 <bad.example.net>: Helo command rejected: Access denied
  mail 503 5.5.1 Error: send HELO/EHLO first
client=192.0.2.10 helo=bad.example.net from=<a@example.net> to=<u@example.com>
  connect ok
  helo 554 5.7.1 <bad.example.net>: Helo command rejected: Access denied
  mail 503 5.5.1 Error: send HELO/EHLO first
client=192.0.2.10 ehlo=bad..example.net from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo 501 5.5.2 <bad..example.net>: Helo command rejected: Invalid name
  mail 503 5.5.1 Error: send HELO/EHLO first
client=192.0.2.10 ehlo=dip.example.net from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 450 4.7.1 <dip.example.net>: Helo command rejected: Helo deferred
client=192.0.2.10 ehlo=busy.example.net from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo 421 4.7.0 <busy.example.net>: Helo command rejected: Helo too busy
client=192.0.2.10 ehlo=mail.example.net from=<spam@example.net> to=<u@example.com> to=<v@example.com>
  connect ok
  ehlo ok
  mail 554 5.7.1 <spam@example.net>: Sender address rejected: Access denied
client=192.0.2.10 ehlo=mail.example.net from=<dip@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 450 4.7.1 <dip@example.net>: Sender address rejected: Sender deferred
# smtpd_helo_required = yes
client=192.0.2.10 from=<a@example.net> to=<u@example.com>
  connect ok
  mail 503 5.5.1 Error: send HELO/EHLO first
client=192.0.2.10 name=mail.example.net from=<spam@example.net> to=<u@example.com>
  connect ok
  mail 503 5.5.1 Error: send HELO/EHLO first
# DATA and END-OF-MESSAGE
client=192.0.2.10 ehlo=mail.example.net from=<nodata@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data 554 5.7.1 <nodata@example.net>: Sender address rejected: Access denied
client=192.0.2.10 ehlo=mail.example.net from=<dipdata@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data 450 4.7.0 <dipdata@example.net>: Sender address rejected: defer_if_permit requested
client=192.0.2.10 ehlo=mail.example.net from=<a@example.net> to=<onlyone@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data 554 5.7.1 <onlyone@example.com>: Recipient address rejected: Refused when alone
client=192.0.2.10 ehlo=mail.example.net from=<a@example.net> to=<onlyone@example.com> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.10 ehlo=mail.example.net from=<> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.10 ehlo=mail.example.net from=<> to=<u@example.com> to=<v@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  rcpt ok
  data 550 5.5.3 <DATA>: Data command rejected: Multi-recipient bounce
client=192.0.2.10 ehlo=mail.example.net from=<noeod@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot 554 5.7.1 <noeod@example.net>: Sender address rejected: Access denied
client=192.0.2.10 ehlo=mail.example.net from=<eodtext@example.net> to=<u@example.com> to=<v@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  rcpt ok
  data ok
  dot 550 5.7.1 <eodtext@example.net>: Sender address rejected: Message refused
