# The same configuration and transactions as 17-sender-login.t, with
# smtpd_sasl_auth_enable = no: the login restrictions are ignored (Postfix
# logs "restriction ignored: no SASL support"), permit_sasl_authenticated
# does nothing, a login does not count and AUTH is refused.

[main.cf]
mydestination = example.com, $myhostname, localhost
smtpd_sasl_auth_enable = no
smtpd_sender_login_maps = texthash:${config_directory}/owners
smtpd_restriction_classes = c_all, c_auth, c_known, c_unauth
c_all = reject_sender_login_mismatch
c_auth = reject_authenticated_sender_login_mismatch
c_known = reject_known_sender_login_mismatch
c_unauth = reject_unauthenticated_sender_login_mismatch
smtpd_sender_restrictions = check_client_access cidr:${config_directory}/which
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination

[file which]
192.0.2.1       c_all
192.0.2.2       c_auth
192.0.2.3       c_known
192.0.2.4       c_unauth

[file owners]
alice@example.com       alice
shared@example.com      alice, bob
@example.org            carol
team@example.org        dave

[transactions]
# 192.0.2.1
client=192.0.2.1 ehlo=laptop login=alice from=<alice@example.com> to=<friend@example.net>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <friend@example.net>: Relay access denied
client=192.0.2.1 ehlo=laptop login=bob from=<alice@example.com> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.1 ehlo=laptop login=BOB from=<shared@example.com> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.1 ehlo=laptop login=alice from=<nobody@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.1 ehlo=laptop from=<alice@example.com> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.1 ehlo=laptop from=<nobody@example.net> to=<u@example.com> to=<friend@example.net>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  rcpt 554 5.7.1 <friend@example.net>: Relay access denied
  data ok
  dot ok
client=192.0.2.1 ehlo=laptop login=carol from=<x@example.org> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.1 ehlo=laptop login=carol from=<team@example.org> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.1 ehlo=laptop login=bob from=<> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
# 192.0.2.2
client=192.0.2.2 ehlo=laptop login=alice from=<alice@example.com> to=<friend@example.net>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <friend@example.net>: Relay access denied
client=192.0.2.2 ehlo=laptop login=bob from=<alice@example.com> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.2 ehlo=laptop login=BOB from=<shared@example.com> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.2 ehlo=laptop login=alice from=<nobody@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.2 ehlo=laptop from=<alice@example.com> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.2 ehlo=laptop from=<nobody@example.net> to=<u@example.com> to=<friend@example.net>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  rcpt 554 5.7.1 <friend@example.net>: Relay access denied
  data ok
  dot ok
client=192.0.2.2 ehlo=laptop login=carol from=<x@example.org> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.2 ehlo=laptop login=carol from=<team@example.org> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.2 ehlo=laptop login=bob from=<> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
# 192.0.2.3
client=192.0.2.3 ehlo=laptop login=alice from=<alice@example.com> to=<friend@example.net>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <friend@example.net>: Relay access denied
client=192.0.2.3 ehlo=laptop login=bob from=<alice@example.com> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.3 ehlo=laptop login=BOB from=<shared@example.com> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.3 ehlo=laptop login=alice from=<nobody@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.3 ehlo=laptop from=<alice@example.com> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.3 ehlo=laptop from=<nobody@example.net> to=<u@example.com> to=<friend@example.net>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  rcpt 554 5.7.1 <friend@example.net>: Relay access denied
  data ok
  dot ok
client=192.0.2.3 ehlo=laptop login=carol from=<x@example.org> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.3 ehlo=laptop login=carol from=<team@example.org> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.3 ehlo=laptop login=bob from=<> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
# 192.0.2.4
client=192.0.2.4 ehlo=laptop login=alice from=<alice@example.com> to=<friend@example.net>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <friend@example.net>: Relay access denied
client=192.0.2.4 ehlo=laptop login=bob from=<alice@example.com> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.4 ehlo=laptop login=BOB from=<shared@example.com> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.4 ehlo=laptop login=alice from=<nobody@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.4 ehlo=laptop from=<alice@example.com> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.4 ehlo=laptop from=<nobody@example.net> to=<u@example.com> to=<friend@example.net>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  rcpt 554 5.7.1 <friend@example.net>: Relay access denied
  data ok
  dot ok
client=192.0.2.4 ehlo=laptop login=carol from=<x@example.org> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.4 ehlo=laptop login=carol from=<team@example.org> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.4 ehlo=laptop login=bob from=<> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
# A real AUTH, and a failed one (the client is then not logged in).
client=192.0.2.1 ehlo=laptop auth=alice from=<alice@example.com> to=<friend@example.net>
  connect ok
  ehlo ok
  auth 503 5.5.1 Error: authentication not enabled
  mail ok
  rcpt 554 5.7.1 <friend@example.net>: Relay access denied
client=192.0.2.1 ehlo=laptop auth=bob from=<alice@example.com> to=<u@example.com>
  connect ok
  ehlo ok
  auth 503 5.5.1 Error: authentication not enabled
  mail ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.1 ehlo=laptop auth=alice:wrong from=<alice@example.com> to=<u@example.com>
  connect ok
  ehlo ok
  auth 503 5.5.1 Error: authentication not enabled
  mail ok
  rcpt ok
  data ok
  dot ok
