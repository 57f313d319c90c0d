# Relay address forms with allow_percent_hack = yes and swap_bangpath = yes
# (Postfix's defaults, written here for sallyport): the address is resolved
# as delivery would resolve it, and routing in the local part of one of our
# domains (%, !, @) makes it "routed", which is not an authorised
# destination. user@[127.0.0.1] is local (inet_interfaces = 127.0.0.1);
# relay_domains matches subdomains, mydestination does not.
# 08-relay-forms-no-hacks.t has the same transactions without the hacks.

[main.cf]
mydestination = example.com, $myhostname, localhost
relay_domains = relay.example
allow_percent_hack = yes
swap_bangpath = yes
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination

[transactions]
client=203.0.113.5 ehlo=mail.example.net from=<s@example.net> to=<user@example.com> to=<user@EXAMPLE.COM> to=<user@example.com.>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  rcpt ok
  rcpt ok
  data ok
  dot ok
client=203.0.113.5 ehlo=mail.example.net from=<s@example.net> to=<user%example.org@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <user%example.org@example.com>: Relay access denied
client=203.0.113.5 ehlo=mail.example.net from=<s@example.net> to=<UsEr%ExAmPlE.oRg@ExAmPlE.cOm>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <UsEr%ExAmPlE.oRg@ExAmPlE.cOm>: Relay access denied
client=203.0.113.5 ehlo=mail.example.net from=<s@example.net> to=<user%example.com@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=203.0.113.5 ehlo=mail.example.net from=<s@example.net> to=<user%example.org@relay.example>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <user%example.org@relay.example>: Relay access denied
client=203.0.113.5 ehlo=mail.example.net from=<s@example.net> to=<@example.com:user@example.org>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <user@example.org>: Relay access denied
client=203.0.113.5 ehlo=mail.example.net from=<s@example.net> to=<@example.org:user@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=203.0.113.5 ehlo=mail.example.net from=<s@example.net> to=<@example.com,@example.net:user@example.org>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <user@example.org>: Relay access denied
client=203.0.113.5 ehlo=mail.example.net from=<s@example.net> to=<example.org!user@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <example.org!user@example.com>: Relay access denied
client=203.0.113.5 ehlo=mail.example.net from=<s@example.net> to=<example.org!user>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <example.org!user>: Relay access denied
client=203.0.113.5 ehlo=mail.example.net from=<s@example.net> to=<example.com!user>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=203.0.113.5 ehlo=mail.example.net from=<s@example.net> to=<"user@example.org"@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <user@example.org@example.com>: Relay access denied
client=203.0.113.5 ehlo=mail.example.net from=<s@example.net> to=<"user%example.org"@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <user%example.org@example.com>: Relay access denied
client=203.0.113.5 ehlo=mail.example.net from=<s@example.net> to=<"user"@example.com>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  data ok
  dot ok
client=203.0.113.5 ehlo=mail.example.net from=<s@example.net> to=<user@[192.0.2.1]> to=<user@[127.0.0.1]> to=<user@[IPv6:::1]>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <user@[192.0.2.1]>: Relay access denied
  rcpt ok
  rcpt 554 5.7.1 <user@[IPv6:::1]>: Relay access denied
  data ok
  dot ok
client=203.0.113.5 ehlo=mail.example.net from=<s@example.net> to=<user@example.org.> to=<user@sub.example.com> to=<user@example.com.example.org>
  connect ok
  ehlo ok
  mail ok
  rcpt 554 5.7.1 <user@example.org.>: Relay access denied
  rcpt 554 5.7.1 <user@sub.example.com>: Relay access denied
  rcpt 554 5.7.1 <user@example.com.example.org>: Relay access denied
client=203.0.113.5 ehlo=mail.example.net from=<s@example.net> to=<user@relay.example> to=<user@sub.relay.example> to=<user@RELAY.EXAMPLE.>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  rcpt ok
  rcpt ok
  data ok
  dot ok
# From mynetworks every form is accepted (permit_mynetworks comes first).
client=127.0.0.1 name=localhost ehlo=localhost from=<s@example.com> to=<user%example.org@example.com> to=<example.org!user@example.com> to=<"user@example.org"@example.com> to=<user@[192.0.2.1]>
  connect ok
  ehlo ok
  mail ok
  rcpt ok
  rcpt ok
  rcpt ok
  rcpt ok
  data ok
  dot ok
