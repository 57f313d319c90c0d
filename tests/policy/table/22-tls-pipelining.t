# Session properties: reject_plaintext_session (tls=yes: the session is
# encrypted; plaintext_reject_code = 450 by default), reject_unauth_pipelining
# (pipelining=yes: the client sent commands ahead without PIPELINING), and
# the client-certificate restrictions, which policy_run can only try
# without a certificate (it has no way to present a verified one):
# check_ccert_access, permit_tls_clientcerts and permit_tls_all_clientcerts
# then do nothing, with or without TLS. Restrictions are chosen per client
# through classes. Postfix's answers: smtpd_check.c reject_plaintext_session,
# reject_unauth_pipelining, check_ccert_access, permit_tls_clientcerts;
# the transactions without tls=yes or pipelining=yes were also asked of the
# oracle.

[main.cf]
mydestination = example.com, $myhostname, localhost
smtpd_restriction_classes = c_plain, c_ccert, c_pipe
c_plain = reject_plaintext_session
c_ccert = check_ccert_access texthash:${config_directory}/certs, reject
c_pipe = reject_unauth_pipelining
smtpd_client_restrictions = check_client_access cidr:${config_directory}/clients
smtpd_relay_restrictions = permit_mynetworks, permit_tls_all_clientcerts, permit_tls_clientcerts, reject_unauth_destination
smtpd_data_restrictions = reject_unauth_pipelining

[file clients]
192.0.2.1               c_plain
192.0.2.2               c_ccert
192.0.2.3               c_pipe

[file certs]
3D:95:34:51:24:66:33:B9:D2:40:99:C0:C1:17:0B:D1         OK

[transactions]
client=192.0.2.1 ehlo=mail.example.net from=<a@example.net> to=<u@example.com> tls=no
  connect ok
  ehlo ok
  mail ok
  rcpt 450 4.7.1 Session encryption is required
client=192.0.2.1 ehlo=mail.example.net from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 450 4.7.1 Session encryption is required
client=192.0.2.1 ehlo=mail.example.net from=<a@example.net> to=<u@example.com> tls=yes
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
# No client certificate: check_ccert_access finds nothing, reject decides.
client=192.0.2.2 ehlo=mail.example.net from=<a@example.net> to=<u@example.com> tls=yes
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <unknown[192.0.2.2]>: Client host rejected: Access denied
client=192.0.2.2 name=mail.example.net ehlo=mail.example.net from=<a@example.net> to=<u@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <mail.example.net[192.0.2.2]>: Client host rejected: Access denied
# Without a certificate, TLS alone does not permit relaying.
client=192.0.2.10 ehlo=mail.example.net from=<a@example.net> to=<u@example.org> to=<u@example.com> tls=yes
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <u@example.org>: Relay access denied
  rcpt ok
  data ok
  dot ok
client=192.0.2.3 ehlo=mail.example.net from=<a@example.net> to=<u@example.com> pipelining=yes
  connect ok
  ehlo ok
  mail ok
  rcpt 503 5.5.0 <unknown[192.0.2.3]>: Client host rejected: Improper use of SMTP command pipelining
client=192.0.2.3 ehlo=mail.example.net from=<a@example.net> to=<u@example.com> pipelining=no
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
# smtpd_data_restrictions = reject_unauth_pipelining: its classic place.
client=192.0.2.10 ehlo=mail.example.net from=<a@example.net> to=<u@example.com> pipelining=yes
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data 503 5.5.0 <DATA>: Data command rejected: Improper use of SMTP command pipelining
client=192.0.2.10 helo=mail.example.net from=<a@example.net> to=<u@example.com> to=<v@example.com> pipelining=yes tls=yes
  connect ok
  helo ok
  mail ok
  rcpt ok
  rcpt ok
  data 503 5.5.0 <DATA>: Data command rejected: Improper use of SMTP command pipelining
