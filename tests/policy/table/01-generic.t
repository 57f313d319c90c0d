# Generic restrictions: permit, reject, defer, defer_if_permit,
# defer_if_reject and warn_if_reject, written in restriction classes
# (named in an access table result) and directly as access table results;
# DEFER_IF_PERMIT carried from the client stage to RCPT, DEFER_IF_REJECT
# reset at each stage, and the list stopping once both are raised.

[main.cf]
mydestination = example.com, $myhostname, localhost
smtpd_restriction_classes = c_permit, c_reject, c_defer, c_dip, c_dip_permit, c_dip_reject, c_dir_reject, c_dir_permit, c_dir_defer, c_warn_reject, c_warn_dip, c_warn_twice, c_warn_defer, c_both, c_nested
c_permit = permit
c_reject = reject
c_defer = defer
c_dip = defer_if_permit
c_dip_permit = defer_if_permit, permit
c_dip_reject = defer_if_permit, reject
c_dir_reject = defer_if_reject, reject
c_dir_permit = defer_if_reject, permit
c_dir_defer = defer_if_reject, defer
c_warn_reject = warn_if_reject, reject
c_warn_dip = warn_if_reject, defer_if_permit
c_warn_twice = warn_if_reject, reject, reject
c_warn_defer = warn_if_reject, defer, permit
c_both = defer_if_permit, defer_if_reject, reject
c_nested = c_dir_permit, reject
smtpd_client_restrictions = check_client_access cidr:${config_directory}/clients
smtpd_recipient_restrictions = check_recipient_access texthash:${config_directory}/rcpt, permit_auth_destination, reject

[file clients]
192.0.2.20      c_dip
192.0.2.21      defer_if_permit
192.0.2.22      c_reject
192.0.2.23      c_dip_permit
192.0.2.24      permit
192.0.2.25      defer_if_reject
192.0.2.26      c_warn_reject

[file rcpt]
permit@example.com      c_permit
reject@example.com      c_reject
defer@example.com       c_defer
dip@example.com         c_dip
dippermit@example.com   c_dip_permit
dipreject@example.com   c_dip_reject
dirreject@example.com   c_dir_reject
dirpermit@example.com   c_dir_permit
dirdefer@example.com    c_dir_defer
warnreject@example.com  c_warn_reject
warndip@example.com     c_warn_dip
warntwice@example.com   c_warn_twice
warndefer@example.com   c_warn_defer
both@example.com        c_both
nested@example.com      c_nested
treject@example.com     reject
tdefer@example.com      defer
tpermit@example.org     permit
tdip@example.com        defer_if_permit permit
tdir@example.com        defer_if_reject reject
twarn@example.com       warn_if_reject reject
tmix@example.com        defer_if_reject, c_reject

[transactions]
# A recipient no entry matches: permit_auth_destination.
client=192.0.2.10 ehlo=mail.example.net from=<a@example.net> to=<plain@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.10 ehlo=mail.example.net from=<a@example.net> to=<permit@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.10 ehlo=mail.example.net from=<a@example.net> to=<reject@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <reject@example.com>: Recipient address rejected: Access denied
client=192.0.2.10 ehlo=mail.example.net from=<a@example.net> to=<defer@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 450 4.3.2 <defer@example.com>: Recipient address rejected: Try again later
# defer_if_permit with nothing after it still defers (the list ends in permit_auth_destination).
client=192.0.2.10 ehlo=mail.example.net from=<a@example.net> to=<dip@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 450 4.7.0 <dip@example.com>: Recipient address rejected: defer_if_permit requested
client=192.0.2.10 ehlo=mail.example.net from=<a@example.net> to=<dippermit@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 450 4.7.0 <dippermit@example.com>: Recipient address rejected: defer_if_permit requested
client=192.0.2.10 ehlo=mail.example.net from=<a@example.net> to=<dipreject@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <dipreject@example.com>: Recipient address rejected: Access denied
client=192.0.2.10 ehlo=mail.example.net from=<a@example.net> to=<dirreject@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 450 4.7.0 <dirreject@example.com>: Recipient address rejected: defer_if_reject requested
client=192.0.2.10 ehlo=mail.example.net from=<a@example.net> to=<dirpermit@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.10 ehlo=mail.example.net from=<a@example.net> to=<dirdefer@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 450 4.3.2 <dirdefer@example.com>: Recipient address rejected: Try again later
client=192.0.2.10 ehlo=mail.example.net from=<a@example.net> to=<warnreject@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.10 ehlo=mail.example.net from=<a@example.net> to=<warndip@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
# Only the restriction right after warn_if_reject warns.
client=192.0.2.10 ehlo=mail.example.net from=<a@example.net> to=<warntwice@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <warntwice@example.com>: Recipient address rejected: Access denied
client=192.0.2.10 ehlo=mail.example.net from=<a@example.net> to=<warndefer@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
# Both flags raised: the list stops before reject; DEFER_IF_PERMIT then defers.
client=192.0.2.10 ehlo=mail.example.net from=<a@example.net> to=<both@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 450 4.7.0 <both@example.com>: Recipient address rejected: defer_if_permit requested
client=192.0.2.10 ehlo=mail.example.net from=<a@example.net> to=<nested@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.10 ehlo=mail.example.net from=<a@example.net> to=<treject@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <treject@example.com>: Recipient address rejected: Access denied
client=192.0.2.10 ehlo=mail.example.net from=<a@example.net> to=<tdefer@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 450 4.7.1 <tdefer@example.com>: Recipient address rejected: Access denied
# permit from a recipient table does not pass smtpd_relay_restrictions.
client=192.0.2.10 ehlo=mail.example.net from=<a@example.net> to=<tpermit@example.org>
  connect ok
  ehlo ok
  mail ok
  rcpt 454 4.7.1 <tpermit@example.org>: Relay access denied
# In a table, an upper- or lower-case action word followed by a space is
# the access(5) action with the rest as its text: "defer_if_permit permit"
# is DEFER_IF_PERMIT with the text "permit", "defer_if_reject reject" a
# DEFER_IF_REJECT that nothing rejects after; a comma makes a restriction list.
client=192.0.2.10 ehlo=mail.example.net from=<a@example.net> to=<tdip@example.com> to=<plain@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 450 4.7.1 <tdip@example.com>: Recipient address rejected: permit
  rcpt ok
  data ok
  dot ok
client=192.0.2.10 ehlo=mail.example.net from=<a@example.net> to=<tdir@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.10 ehlo=mail.example.net from=<a@example.net> to=<twarn@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=192.0.2.10 ehlo=mail.example.net from=<a@example.net> to=<tmix@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 450 4.7.0 <tmix@example.com>: Recipient address rejected: defer_if_reject requested
# DEFER_IF_PERMIT raised by the client list defers every recipient that is
# permitted, with the client's text; one that is rejected stays rejected.
client=192.0.2.20 ehlo=mail.example.net from=<a@example.net> to=<plain@example.com> to=<reject@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 450 4.7.0 <unknown[192.0.2.20]>: Client host rejected: defer_if_permit requested
  rcpt 554 5.7.1 <reject@example.com>: Recipient address rejected: Access denied
# A lone "defer_if_permit" in a table is the action: code 450 4.7.1, text "Service unavailable".
client=192.0.2.21 name=mail.example.net ehlo=mail.example.net from=<a@example.net> to=<permit@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 450 4.7.1 <mail.example.net[192.0.2.21]>: Client host rejected: Service unavailable
client=192.0.2.22 ehlo=mail.example.net from=<a@example.net> to=<permit@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <unknown[192.0.2.22]>: Client host rejected: Access denied
client=192.0.2.23 ehlo=mail.example.net from=<a@example.net> to=<plain@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 450 4.7.0 <unknown[192.0.2.23]>: Client host rejected: defer_if_permit requested
# permit in the client list decides nothing for the recipient lists.
client=192.0.2.24 ehlo=mail.example.net from=<a@example.net> to=<reject@example.com> to=<plain@example.com> to=<x@example.org>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <reject@example.com>: Recipient address rejected: Access denied
  rcpt ok
  rcpt 454 4.7.1 <x@example.org>: Relay access denied
  data ok
  dot ok
# DEFER_IF_REJECT does not survive the client stage.
client=192.0.2.25 ehlo=mail.example.net from=<a@example.net> to=<reject@example.com> to=<plain@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <reject@example.com>: Recipient address rejected: Access denied
  rcpt ok
  data ok
  dot ok
client=192.0.2.26 ehlo=mail.example.net from=<a@example.net> to=<plain@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
