/*
 * dovecot_client.c - the connection to the auth socket (see
 * dovecot_client.h).
 */
#include "dovecot_client.h"
#include "../util/mem.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define SP_DVC_MECHS 16

enum sp_dvc_state { SP_DVC_DOWN, SP_DVC_HANDSHAKE, SP_DVC_READY };

struct sp_dvc_req {
	unsigned long id;
	sp_dvc_cb cb;
	void *arg;
	struct event *timer;
	struct sp_dvc *owner;
	char *line;                 /* not yet sent (the handshake is not over) */
	struct sp_dvc_req *next;
};

struct sp_dvc_mech {
	char name[64];
	unsigned flags;
};

struct sp_dvc {
	struct event_base *base;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int timeout_s;
	void (*log)(void *ctx, const char *line);
	void *log_ctx;
	struct bufferevent *bev;
	enum sp_dvc_state state;
	struct sp_dvc_mech mech[SP_DVC_MECHS], pending[SP_DVC_MECHS];
	int nmech, npending;
	unsigned long next_id;
	time_t last_try;
	struct sp_dvc_req *reqs;
	struct sp_dv_line parsed;   /* the line being handled (13 KB: not on the stack) */
};

static void sp_dvc_warn(struct sp_dvc *c, const char *fmt, const char *arg)
{
	char line[600];

	if (c->log == NULL)
		return;
	snprintf(line, sizeof(line), fmt, c->path, arg);
	c->log(c->log_ctx, line);
}

static void sp_dvc_req_free(struct sp_dvc_req *r)
{
	if (r->timer)
		event_free(r->timer);
	free(r->line);
	free(r);
}

static struct sp_dvc_req *sp_dvc_unlink(struct sp_dvc *c, unsigned long id)
{
	for (struct sp_dvc_req **pp = &c->reqs; *pp; pp = &(*pp)->next)
		if ((*pp)->id == id) {
			struct sp_dvc_req *r = *pp;
			*pp = r->next;
			return r;
		}
	return NULL;
}

/* The connection is gone: every waiting request learns it. */
static void sp_dvc_down(struct sp_dvc *c)
{
	struct sp_dvc_req *list = c->reqs;

	if (c->bev)
		bufferevent_free(c->bev);
	c->bev = NULL;
	c->state = SP_DVC_DOWN;
	c->nmech = 0;
	c->reqs = NULL;
	while (list) {
		struct sp_dvc_req *next = list->next;
		if (list->cb)
			list->cb(list->arg, NULL);
		sp_dvc_req_free(list);
		list = next;
	}
}

static void sp_dvc_flush_queued(struct sp_dvc *c)
{
	for (struct sp_dvc_req *r = c->reqs; r; r = r->next)
		if (r->line) {
			bufferevent_write(c->bev, r->line, strlen(r->line));
			free(r->line);
			r->line = NULL;
		}
}

static void sp_dvc_reply(struct sp_dvc *c, const struct sp_dv_line *l)
{
	struct sp_dvc_req *r = sp_dvc_unlink(c, l->id);

	if (r == NULL)
		return;   /* cancelled, or timed out */
	if (r->cb)
		r->cb(r->arg, l);
	sp_dvc_req_free(r);
}

/* One line from the auth server; -1 to drop the connection. */
static int sp_dvc_line(struct sp_dvc *c, const char *line, size_t len)
{
	struct sp_dv_line *l = &c->parsed;

	if (sp_dv_parse(line, len, l) < 0)
		return -1;
	switch (l->kind) {
	case SP_DV_VERSION:
		return l->major == 1 ? 0 : -1;
	case SP_DV_MECH:
		if (c->npending < SP_DVC_MECHS) {   /* more are not offered */
			struct sp_dvc_mech *m = &c->pending[c->npending++];
			snprintf(m->name, sizeof(m->name), "%s", l->mech);
			m->flags = l->mech_flags;
		}
		return 0;
	case SP_DV_DONE:
		memcpy(c->mech, c->pending, sizeof(c->mech));
		c->nmech = c->npending;
		c->state = SP_DVC_READY;
		sp_dvc_flush_queued(c);
		return 0;
	case SP_DV_OK:
	case SP_DV_CONT:
	case SP_DV_FAIL:
		if (c->state != SP_DVC_READY)
			return -1;
		sp_dvc_reply(c, l);
		return 0;
	default:
		return 0;
	}
}

static void sp_dvc_read(struct bufferevent *bev, void *vc)
{
	struct sp_dvc *c = vc;
	struct evbuffer *in = bufferevent_get_input(bev);
	char *line;
	size_t n;

	while ((line = evbuffer_readln(in, &n, EVBUFFER_EOL_LF)) != NULL) {
		int rc = n > SP_DV_LINE_MAX ? -1 : sp_dvc_line(c, line, n);
		free(line);
		if (rc < 0) {
			sp_dvc_warn(c, "warning: SASL: %s: %s", "protocol error from the auth server");
			sp_dvc_down(c);
			return;
		}
		if (c->bev == NULL)
			return;
	}
	if (evbuffer_get_length(in) > SP_DV_LINE_MAX) {
		sp_dvc_warn(c, "warning: SASL: %s: %s", "line too long from the auth server");
		sp_dvc_down(c);
	}
}

static void sp_dvc_event(struct bufferevent *bev, short what, void *vc)
{
	struct sp_dvc *c = vc;
	char hello[64];
	int n;

	(void)bev;
	if (what & BEV_EVENT_CONNECTED) {
		if ((n = sp_dv_format_hello(hello, sizeof(hello), (unsigned long)getpid())) > 0)
			bufferevent_write(c->bev, hello, (size_t)n);
		return;
	}
	if (what & BEV_EVENT_ERROR)
		sp_dvc_warn(c, "warning: SASL: Connect to %s failed: %s",
			    strerror(EVUTIL_SOCKET_ERROR()));
	sp_dvc_down(c);
}

/* Connects unless connected or tried within the last second. */
static void sp_dvc_connect(struct sp_dvc *c)
{
	struct sockaddr_un sun;
	time_t now = time(NULL);

	if (c->state != SP_DVC_DOWN || now == c->last_try)
		return;
	c->last_try = now;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, c->path, strlen(c->path) + 1);
	c->bev = bufferevent_socket_new(c->base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL)
		return;
	bufferevent_setcb(c->bev, sp_dvc_read, NULL, sp_dvc_event, c);
	bufferevent_enable(c->bev, EV_READ);
	c->state = SP_DVC_HANDSHAKE;
	c->npending = 0;
	if (bufferevent_socket_connect(c->bev, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		sp_dvc_warn(c, "warning: SASL: Connect to %s failed: %s", strerror(errno));
		sp_dvc_down(c);
	}
}

struct sp_dvc *sp_dvc_new(struct event_base *base, const char *path, int timeout_s,
			  void (*log)(void *ctx, const char *line), void *log_ctx)
{
	struct sp_dvc *c;

	if (strlen(path) >= sizeof(c->path))
		return NULL;
	c = sp_xcalloc(1, sizeof(*c));
	c->base = base;
	memcpy(c->path, path, strlen(path) + 1);
	c->timeout_s = timeout_s > 0 ? timeout_s : 30;
	c->log = log;
	c->log_ctx = log_ctx;
	return c;
}

void sp_dvc_free(struct sp_dvc **cp)
{
	struct sp_dvc *c = *cp;

	if (c == NULL)
		return;
	for (struct sp_dvc_req *r = c->reqs; r; r = r->next)
		r->cb = NULL;   /* nobody to tell any more */
	sp_dvc_down(c);
	free(c);
	*cp = NULL;
}

static void sp_dvc_wait_over(evutil_socket_t fd, short what, void *vdone)
{
	(void)fd;
	(void)what;
	*(int *)vdone = 1;
}

int sp_dvc_wait_ready(struct sp_dvc *c, int timeout_ms)
{
	struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
	int over = 0;
	struct event *t = evtimer_new(c->base, sp_dvc_wait_over, &over);

	sp_dvc_connect(c);
	evtimer_add(t, &tv);
	while (!over && c->state == SP_DVC_HANDSHAKE)
		event_base_loop(c->base, EVLOOP_ONCE);
	event_free(t);
	return c->state == SP_DVC_READY;
}

const char *sp_dvc_mechs(struct sp_dvc *c, unsigned exclude, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = 0;
	if (c->state == SP_DVC_DOWN)
		sp_dvc_connect(c);
	for (int i = 0; i < c->nmech; i++) {
		int w;
		if (c->mech[i].flags & (exclude | SP_DV_MECH_PRIVATE))
			continue;
		w = snprintf(buf + n, len - n, "%s%s", n ? " " : "", c->mech[i].name);
		if (w < 0 || (size_t)w >= len - n)
			break;
		n += (size_t)w;
	}
	return buf;
}

int sp_dvc_has_mech(struct sp_dvc *c, const char *mech, unsigned exclude)
{
	for (int i = 0; i < c->nmech; i++)
		if (strcasecmp(c->mech[i].name, mech) == 0)
			return !(c->mech[i].flags & (exclude | SP_DV_MECH_PRIVATE));
	return 0;
}

static void sp_dvc_timeout(evutil_socket_t fd, short what, void *vr)
{
	struct sp_dvc_req *r = vr;
	struct sp_dvc *c = r->owner;

	(void)fd;
	(void)what;
	r = sp_dvc_unlink(c, r->id);
	if (r == NULL)
		return;
	sp_dvc_warn(c, "warning: SASL: %s: %s", "no answer from the auth server in time");
	if (r->cb)
		r->cb(r->arg, NULL);
	sp_dvc_req_free(r);
}

/* Sends (or queues, during the handshake) line for request id. */
static int sp_dvc_send(struct sp_dvc *c, unsigned long id, const char *line, sp_dvc_cb cb,
		       void *arg)
{
	struct sp_dvc_req *r;
	struct timeval tv = {c->timeout_s, 0};

	sp_dvc_connect(c);
	if (c->state == SP_DVC_DOWN)
		return -1;
	r = sp_xcalloc(1, sizeof(*r));
	r->id = id;
	r->cb = cb;
	r->arg = arg;
	r->owner = c;
	r->timer = evtimer_new(c->base, sp_dvc_timeout, r);
	evtimer_add(r->timer, &tv);
	r->next = c->reqs;
	c->reqs = r;
	if (c->state == SP_DVC_READY)
		bufferevent_write(c->bev, line, strlen(line));
	else
		r->line = sp_xstrdup(line);
	return 0;
}

int sp_dvc_auth(struct sp_dvc *c, struct sp_dv_auth *a, sp_dvc_cb cb, void *arg)
{
	char line[SP_DV_LINE_MAX];

	a->id = ++c->next_id;
	if (sp_dv_format_auth(line, sizeof(line), a) < 0)
		return -1;
	return sp_dvc_send(c, a->id, line, cb, arg);
}

int sp_dvc_cont(struct sp_dvc *c, unsigned long id, const char *b64, sp_dvc_cb cb, void *arg)
{
	char line[SP_DV_LINE_MAX];

	if (c->state != SP_DVC_READY || sp_dv_format_cont(line, sizeof(line), id, b64) < 0)
		return -1;
	return sp_dvc_send(c, id, line, cb, arg);
}

void sp_dvc_cancel(struct sp_dvc *c, unsigned long id)
{
	struct sp_dvc_req *r = sp_dvc_unlink(c, id);

	if (r)
		sp_dvc_req_free(r);
}
