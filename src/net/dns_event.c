/*
 * dns_event.c - the resolver's sockets and timer as libevent events (see
 * dns_event.h). After every change (a lookup started, a socket served, the
 * timer fired) the events are rebuilt from what the resolver asks for.
 */
#include "dns_event.h"
#include "../util/mem.h"

#include <event2/event.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

struct sp_dns_ev {
	struct event_base *base;
	struct sp_dns *dns;
	struct event *fdev[SP_DNS_FDS_MAX];
	int nfd;
	struct event *timer;
	int syncing;
};

static void sp_dns_ev_sync(struct sp_dns_ev *e);

static void sp_dns_ev_fd(evutil_socket_t fd, short what, void *ve)
{
	struct sp_dns_ev *e = ve;

	sp_dns_process(e->dns, (what & EV_READ) ? fd : -1, (what & EV_WRITE) ? fd : -1);
	sp_dns_ev_sync(e);
}

static void sp_dns_ev_timer(evutil_socket_t fd, short what, void *ve)
{
	struct sp_dns_ev *e = ve;

	(void)fd;
	(void)what;
	sp_dns_process(e->dns, -1, -1);
	sp_dns_ev_sync(e);
}

static void sp_dns_ev_sync(struct sp_dns_ev *e)
{
	struct pollfd fds[SP_DNS_FDS_MAX];
	int n, ms;

	if (e->syncing)
		return;
	e->syncing = 1;
	for (int i = 0; i < e->nfd; i++)
		event_free(e->fdev[i]);
	e->nfd = 0;
	n = sp_dns_fds(e->dns, fds, SP_DNS_FDS_MAX);
	for (int i = 0; i < n && i < SP_DNS_FDS_MAX; i++) {
		short what = (short)(((fds[i].events & POLLIN) ? EV_READ : 0) |
				     ((fds[i].events & POLLOUT) ? EV_WRITE : 0));
		e->fdev[e->nfd] = event_new(e->base, fds[i].fd, what, sp_dns_ev_fd, e);
		event_add(e->fdev[e->nfd++], NULL);
	}
	evtimer_del(e->timer);
	if ((ms = sp_dns_timeout(e->dns)) >= 0) {
		struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
		evtimer_add(e->timer, &tv);
	}
	e->syncing = 0;
}

struct sp_dns_ev *sp_dns_ev_new(struct event_base *base, struct sp_dns *dns)
{
	struct sp_dns_ev *e = sp_xcalloc(1, sizeof(*e));

	e->base = base;
	e->dns = dns;
	e->timer = evtimer_new(base, sp_dns_ev_timer, e);
	return e;
}

int sp_dns_ev_lookup(struct sp_dns_ev *e, const char *name, enum sp_dns_kind kind,
		     sp_dns_cb *cb, void *ctx, char *err, size_t errlen)
{
	int rc = sp_dns_lookup(e->dns, name, kind, cb, ctx, err, errlen);

	sp_dns_ev_sync(e);
	return rc;
}

void sp_dns_ev_free(struct sp_dns_ev **ep)
{
	struct sp_dns_ev *e = *ep;

	if (e == NULL)
		return;
	for (int i = 0; i < e->nfd; i++)
		event_free(e->fdev[i]);
	event_free(e->timer);
	free(e);
	*ep = NULL;
}
