/*
 * anvil.c - counting connections and rates for the workers (see anvil.h).
 * Entries are kept in a small array searched linearly (a few thousand
 * clients at most are active in one time unit); an entry with no open
 * connection whose time unit has passed is reused.
 */
#include "anvil.h"
#include "../ipc/anvil.h"
#include "../util/mem.h"

#include <event2/event.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SP_ANVIL_MAX 16384

struct sp_anvil_entry {
	uint8_t service;
	char addr[SP_ANVIL_ADDR_MAX];
	int count;                   /* connections open now */
	int conns, msgs, rcpts, auths;   /* events since start */
	time_t start;                /* beginning of the current time unit */
};

struct sp_anvil {
	struct event_base *base;
	int unit;
	struct sp_anvil_entry *v;
	size_t n, cap;
};

struct sp_open {
	uint8_t service;
	char addr[SP_ANVIL_ADDR_MAX];
};

struct sp_anvil_peer {
	struct sp_anvil *a;
	int fd;
	struct event *ev;
	struct sp_open *open;        /* connections this worker has open */
	size_t nopen, cap;
};

struct sp_anvil *sp_anvil_new(struct event_base *base, int rate_unit_s)
{
	struct sp_anvil *a = sp_xcalloc(1, sizeof(*a));

	a->base = base;
	a->unit = rate_unit_s > 0 ? rate_unit_s : 60;
	return a;
}

void sp_anvil_free(struct sp_anvil **ap)
{
	if (*ap == NULL)
		return;
	free((*ap)->v);
	free(*ap);
	*ap = NULL;
}

static struct sp_anvil_entry *sp_anvil_find(struct sp_anvil *a, int service, const char *addr,
					    time_t now)
{
	struct sp_anvil_entry *free_slot = NULL, *e;

	for (size_t i = 0; i < a->n; i++) {
		e = &a->v[i];
		if (e->service == service && strcmp(e->addr, addr) == 0)
			goto found;
		if (free_slot == NULL && e->count == 0 && now - e->start >= a->unit)
			free_slot = e;
	}
	if ((e = free_slot) == NULL) {
		if (a->n == SP_ANVIL_MAX)
			return NULL;   /* full: this client is not counted (fails open) */
		if (a->n == a->cap) {
			a->cap = a->cap ? 2 * a->cap : 256;
			a->v = sp_xrealloc(a->v, a->cap * sizeof(*a->v));
		}
		e = &a->v[a->n++];
	}
	memset(e, 0, sizeof(*e));
	e->service = (uint8_t)service;
	strcpy(e->addr, addr);
	e->start = now;
found:
	if (now - e->start >= a->unit) {   /* a new time unit */
		e->start = now;
		e->conns = e->msgs = e->rcpts = e->auths = 0;
	}
	return e;
}

static void sp_peer_opened(struct sp_anvil_peer *p, int service, const char *addr)
{
	if (p->nopen == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 64;
		p->open = sp_xrealloc(p->open, p->cap * sizeof(*p->open));
	}
	p->open[p->nopen].service = (uint8_t)service;
	strcpy(p->open[p->nopen++].addr, addr);
}

/* Removes one open connection of the worker's; 1 when it had one. */
static int sp_peer_closed(struct sp_anvil_peer *p, int service, const char *addr)
{
	for (size_t i = 0; i < p->nopen; i++)
		if (p->open[i].service == service && strcmp(p->open[i].addr, addr) == 0) {
			p->open[i] = p->open[--p->nopen];
			return 1;
		}
	return 0;
}

static void sp_anvil_read(evutil_socket_t fd, short what, void *vp)
{
	struct sp_anvil_peer *p = vp;
	struct sp_anvil_req req;
	struct sp_anvil_reply rep = {0, 0};
	struct sp_anvil_entry *e;
	time_t now = time(NULL);
	ssize_t n;

	(void)what;
	while ((n = recv(fd, &req, sizeof(req), MSG_DONTWAIT)) == (ssize_t)sizeof(req)) {
		if (req.len >= SP_ANVIL_ADDR_MAX)
			continue;
		req.addr[req.len] = 0;
		if ((e = sp_anvil_find(p->a, req.service, req.addr, now)) == NULL) {
			if (req.op != SP_ANVIL_DISCONNECT)
				(void)send(fd, &rep, sizeof(rep), MSG_NOSIGNAL | MSG_DONTWAIT);
			continue;
		}
		switch (req.op) {
		case SP_ANVIL_CONNECT:
			e->count++;
			e->conns++;
			sp_peer_opened(p, req.service, req.addr);
			rep.count = e->count;
			rep.rate = e->conns;
			break;
		case SP_ANVIL_DISCONNECT:
			if (sp_peer_closed(p, req.service, req.addr) && e->count > 0)
				e->count--;
			continue;
		case SP_ANVIL_MESSAGE:
			rep.rate = ++e->msgs;
			break;
		case SP_ANVIL_RCPT:
			rep.rate = ++e->rcpts;
			break;
		case SP_ANVIL_AUTH:
			rep.rate = ++e->auths;
			break;
		default:
			continue;
		}
		(void)send(fd, &rep, sizeof(rep), MSG_NOSIGNAL | MSG_DONTWAIT);
	}
}

struct sp_anvil_peer *sp_anvil_peer_new(struct sp_anvil *a, int fd)
{
	struct sp_anvil_peer *p = sp_xcalloc(1, sizeof(*p));

	p->a = a;
	p->fd = fd;
	p->ev = event_new(a->base, fd, EV_READ | EV_PERSIST, sp_anvil_read, p);
	event_add(p->ev, NULL);
	return p;
}

void sp_anvil_peer_free(struct sp_anvil_peer **pp)
{
	struct sp_anvil_peer *p = *pp;
	time_t now = time(NULL);

	if (p == NULL)
		return;
	for (size_t i = 0; i < p->nopen; i++) {
		struct sp_anvil_entry *e = sp_anvil_find(p->a, p->open[i].service, p->open[i].addr,
							 now);
		if (e && e->count > 0)
			e->count--;
	}
	event_free(p->ev);
	close(p->fd);
	free(p->open);
	free(p);
	*pp = NULL;
}
