# Every access(5) result, from check_recipient_access with the default
# codes (access_map_reject_code = 554, access_map_defer_code = 450): OK,
# RELAY, all digits, REJECT and DEFER with and without text and enhanced
# code, 4NN/5NN with and without enhanced code (the code's class wins over
# the enhanced code's; X.1.Y codes are fitted to the recipient), DUNNO,
# DEFER_IF_PERMIT, DEFER_IF_REJECT (then rejected by the second table),
# HOLD, DISCARD, PREPEND, WARN, INFO, and values that are no action:
# "451 4.3.5 Server configuration error".

[main.cf]
mydestination = example.com, $myhostname, localhost
smtpd_recipient_restrictions = check_recipient_access texthash:${config_directory}/rcpts, check_recipient_access texthash:${config_directory}/after, reject_unauth_destination

[file rcpts]
ok@example.com          OK
oktext@example.com      OK and some text
okrelay@example.org     OK
relay@example.com       RELAY
digits@example.com      1234567890
reject@example.com      REJECT
rejecttext@example.com  REJECT Mailbox closed
rejectdsn@example.com   REJECT 5.2.1 Mailbox disabled
rejectdsn4@example.com  reject 4.2.1 Class from the code
defer@example.com       DEFER
defertext@example.com   DEFER Try again tomorrow
deferdsn@example.com    DEFER 4.2.2 Over quota
c450@example.com        450 Busy
c452@example.com        452 4.2.2 Mailbox full
c550@example.com        550 No such person
c554@example.com        554 5.7.1 Policy says no
c553@example.com        553 4.1.8 Fitted to the recipient
c599@example.com        599 Odd code
c450only@example.com    450
c250@example.com        250 Not an action
c699@example.com        699 Not an action either
dunno@example.com       DUNNO
dip@example.com         DEFER_IF_PERMIT Not yet
dipdsn@example.com      DEFER_IF_PERMIT 4.2.0 Not yet either
dir@example.com         DEFER_IF_REJECT Maybe later
dirok@example.com       DEFER_IF_REJECT Maybe later
hold@example.com        HOLD
holdtext@example.com    HOLD Quarantine
discard@example.com     DISCARD
discardtext@example.com DISCARD Silently
prepend@example.com     PREPEND X-Tag: table
prependbad@example.com  PREPEND no header here
warn@example.com        WARN watch this one
info@example.com        INFO noted
bogus@example.com       FROBNICATE
table@example.com       check_sender_access texthash:/nonexistent
hangup@example.com      HANGUP

[file after]
dir@example.com         REJECT Rejected after DEFER_IF_REJECT
warn@example.com        REJECT Rejected after WARN
info@example.com        550 5.7.1 Rejected after INFO
hold@example.com        REJECT Rejected after HOLD

[transactions]
client=203.0.113.5 ehlo=mail.example.net from=<x@example.net> to=<ok@example.com> to=<oktext@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  rcpt ok
  data ok
  dot ok
# OK does not permit relaying past smtpd_relay_restrictions.
client=203.0.113.5 ehlo=mail.example.net from=<x@example.net> to=<okrelay@example.org>
  connect ok
  ehlo ok
  mail ok
  rcpt 454 4.7.1 <okrelay@example.org>: Relay access denied
client=203.0.113.5 ehlo=mail.example.net from=<x@example.net> to=<relay@example.com> to=<digits@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  rcpt ok
  data ok
  dot ok
client=203.0.113.5 ehlo=mail.example.net from=<x@example.net> to=<reject@example.com> to=<rejecttext@example.com> to=<rejectdsn@example.com> to=<rejectdsn4@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <reject@example.com>: Recipient address rejected: Access denied
  rcpt 554 5.7.1 <rejecttext@example.com>: Recipient address rejected: Mailbox closed
  rcpt 554 5.2.1 <rejectdsn@example.com>: Recipient address rejected: Mailbox disabled
  rcpt 554 5.2.1 <rejectdsn4@example.com>: Recipient address rejected: Class from the code
client=203.0.113.5 ehlo=mail.example.net from=<x@example.net> to=<defer@example.com> to=<defertext@example.com> to=<deferdsn@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 450 4.7.1 <defer@example.com>: Recipient address rejected: Access denied
  rcpt 450 4.7.1 <defertext@example.com>: Recipient address rejected: Try again tomorrow
  rcpt 450 4.2.2 <deferdsn@example.com>: Recipient address rejected: Over quota
client=203.0.113.5 ehlo=mail.example.net from=<x@example.net> to=<c450@example.com> to=<c452@example.com> to=<c550@example.com> to=<c554@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 450 4.7.1 <c450@example.com>: Recipient address rejected: Busy
  rcpt 452 4.2.2 <c452@example.com>: Recipient address rejected: Mailbox full
  rcpt 550 5.7.1 <c550@example.com>: Recipient address rejected: No such person
  rcpt 554 5.7.1 <c554@example.com>: Recipient address rejected: Policy says no
client=203.0.113.5 ehlo=mail.example.net from=<x@example.net> to=<c553@example.com> to=<c599@example.com> to=<c450only@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 553 5.1.2 <c553@example.com>: Recipient address rejected: Fitted to the recipient
  rcpt 599 5.7.1 <c599@example.com>: Recipient address rejected: Odd code
  rcpt ok
  data ok
  dot ok
client=203.0.113.5 ehlo=mail.example.net from=<x@example.net> to=<c250@example.com> to=<c699@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 451 4.3.5 Server configuration error
  rcpt 451 4.3.5 Server configuration error
client=203.0.113.5 ehlo=mail.example.net from=<x@example.net> to=<dunno@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=203.0.113.5 ehlo=mail.example.net from=<x@example.net> to=<dip@example.com> to=<dipdsn@example.com> to=<ok@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 450 4.7.1 <dip@example.com>: Recipient address rejected: Not yet
  rcpt 450 4.2.0 <dipdsn@example.com>: Recipient address rejected: Not yet either
  rcpt ok
  data ok
  dot ok
client=203.0.113.5 ehlo=mail.example.net from=<x@example.net> to=<dir@example.com> to=<dirok@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 450 4.7.1 <dir@example.com>: Recipient address rejected: Maybe later
  rcpt ok
  data ok
  dot ok
# HOLD, WARN and INFO go on to the next restriction.
client=203.0.113.5 ehlo=mail.example.net from=<x@example.net> to=<hold@example.com> to=<holdtext@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <hold@example.com>: Recipient address rejected: Rejected after HOLD
  rcpt ok
  data ok
  dot ok
client=203.0.113.5 ehlo=mail.example.net from=<x@example.net> to=<warn@example.com> to=<info@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <warn@example.com>: Recipient address rejected: Rejected after WARN
  rcpt 550 5.7.1 <info@example.com>: Recipient address rejected: Rejected after INFO
client=203.0.113.5 ehlo=mail.example.net from=<x@example.net> to=<prepend@example.com> to=<prependbad@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  rcpt ok
  data ok
  dot ok
client=203.0.113.5 ehlo=mail.example.net from=<x@example.net> to=<discard@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=203.0.113.5 ehlo=mail.example.net from=<x@example.net> to=<discardtext@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
# After DISCARD, no restriction is evaluated for the rest of the transaction:
# later recipients are accepted whatever they are.
client=203.0.113.5 ehlo=mail.example.net from=<x@example.net> to=<discard@example.com> to=<reject@example.com> to=<x@example.org>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  rcpt ok
  rcpt ok
  data ok
  dot ok
client=203.0.113.5 ehlo=mail.example.net from=<x@example.net> to=<bogus@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 451 4.3.5 Server configuration error
client=203.0.113.5 ehlo=mail.example.net from=<x@example.net> to=<table@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 451 4.3.5 Server configuration error
# HANGUP: the connection is closed without a reply (policy_run: "hangup").
client=203.0.113.5 ehlo=mail.example.net from=<x@example.net> to=<ok@example.com> to=<hangup@example.com> to=<ok@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  rcpt hangup
