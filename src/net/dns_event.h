/*
 * dns_event.h - src/net/dns.h on a libevent loop: the resolver's sockets
 * and its timer become events, and lookups call back on the loop.
 */
#ifndef SP_NET_DNS_EVENT_H
#define SP_NET_DNS_EVENT_H

#include "dns.h"

struct event_base;
struct sp_dns_ev;

struct sp_dns_ev *sp_dns_ev_new(struct event_base *base, struct sp_dns *dns);

/* Starts a lookup (as sp_dns_lookup) and keeps the events in step. */
int sp_dns_ev_lookup(struct sp_dns_ev *e, const char *name, enum sp_dns_kind kind,
		     sp_dns_cb *cb, void *ctx, char *err, size_t errlen);

void sp_dns_ev_free(struct sp_dns_ev **ep);

#endif
