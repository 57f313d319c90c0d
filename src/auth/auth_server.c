/*
 * auth_server.c - the built-in auth server's connections and requests
 * (see auth_server.h). A connection must start with VERSION (major 1);
 * anything malformed ends it, as Dovecot does. A request lives from AUTH
 * to its OK or FAIL; while its password is checked on a thread it stays
 * allocated even if its connection goes (the check's completion frees it).
 */
#include "auth_server.h"
#include "dovecot.h"
#include "mech.h"
#include "passwd.h"
#include "../net/offload.h"
#include "../util/mem.h"

#include <ctype.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#define SP_AS_LISTENERS 16
#define SP_AS_REQS_MAX 4096       /* outstanding requests per connection */

static const char *const sp_as_mechs[] = {"PLAIN", "LOGIN", NULL};

struct sp_aconn;

struct sp_areq {
	unsigned long id;
	struct sp_aconn *conn;        /* NULL once the connection has gone */
	struct sp_auth_server *srv;
	struct sp_mech mech;
	int busy;                     /* its password is being checked */
	int result;                   /* of sp_passwd_verify */
	struct event *delay;          /* a FAIL waiting for its delay */
	struct sp_areq *next;
};

struct sp_aconn {
	struct sp_auth_server *srv;
	struct bufferevent *bev;
	int versioned;                /* VERSION received */
	size_t nreqs;
	struct sp_areq *reqs;
	struct sp_aconn *next, *prev;
	struct sp_dvs_line line;      /* the line being handled (13 KB: not on the stack) */
};

struct sp_auth_server {
	struct event_base *base;
	struct sp_auth_server_conf conf;
	struct sp_offload *pool;
	struct evconnlistener *lis[SP_AS_LISTENERS];
	int nlis;
	struct sp_aconn *conns;
	unsigned long cuid;
	char cookie[33];
};

static void sp_as_logf(struct sp_auth_server *s, const char *fmt, const char *arg)
{
	char line[600];

	if (s->conf.log == NULL)
		return;
	snprintf(line, sizeof(line), fmt, arg);
	s->conf.log(s->conf.log_ctx, line);
}

static void sp_as_send(struct sp_aconn *c, const char *buf, int n)
{
	if (n > 0)
		bufferevent_write(c->bev, buf, (size_t)n);
}

/* ---- requests ---- */

static void sp_areq_free(struct sp_areq *r)
{
	if (r->delay)
		event_free(r->delay);
	sp_mech_clear(&r->mech);
	free(r);
}

/* Takes r off its connection's list (it stays allocated). */
static void sp_areq_unlink(struct sp_areq *r)
{
	struct sp_aconn *c = r->conn;

	if (c == NULL)
		return;
	for (struct sp_areq **pp = &c->reqs; *pp; pp = &(*pp)->next)
		if (*pp == r) {
			*pp = r->next;
			c->nreqs--;
			break;
		}
	r->conn = NULL;
}

static struct sp_areq *sp_areq_find(struct sp_aconn *c, unsigned long id)
{
	for (struct sp_areq *r = c->reqs; r; r = r->next)
		if (r->id == id)
			return r;
	return NULL;
}

/* Answers FAIL and ends the request. */
static void sp_areq_fail(struct sp_areq *r, const char *reason, int temp)
{
	char buf[1024];

	if (r->conn)
		sp_as_send(r->conn, buf, sp_dvs_format_fail(buf, sizeof(buf), r->id,
					r->mech.user[0] ? r->mech.user : NULL, reason, temp));
	sp_areq_unlink(r);
	sp_areq_free(r);
}

static void sp_areq_delayed(evutil_socket_t fd, short what, void *vr)
{
	(void)fd;
	(void)what;
	sp_areq_fail(vr, NULL, 0);
}

/* A failed login: FAIL after the delay, so that guessing is slow. */
static void sp_areq_fail_later(struct sp_areq *r)
{
	unsigned ms = r->srv->conf.failure_delay_ms;
	struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000};

	explicit_bzero(r->mech.pass, sizeof(r->mech.pass));
	if (ms == 0 || (r->delay = evtimer_new(r->srv->base, sp_areq_delayed, r)) == NULL) {
		sp_areq_fail(r, NULL, 0);
		return;
	}
	evtimer_add(r->delay, &tv);
}

static void sp_areq_check_work(void *vr)
{
	struct sp_areq *r = vr;

	r->result = sp_passwd_verify(r->srv->conf.users, r->mech.user, r->mech.pass);
	explicit_bzero(r->mech.pass, sizeof(r->mech.pass));
}

static void sp_areq_check_done(void *vr)
{
	struct sp_areq *r = vr;
	char buf[600];

	r->busy = 0;
	if (r->conn == NULL) {
		sp_areq_free(r);
	} else if (r->result == 1) {
		sp_as_send(r->conn, buf, sp_dvs_format_ok(buf, sizeof(buf), r->id, r->mech.user));
		sp_areq_unlink(r);
		sp_areq_free(r);
	} else if (r->result == 0) {
		sp_areq_fail_later(r);
	} else {
		sp_as_logf(r->srv, "warning: password check for %s failed in libcrypt",
			   r->mech.user);
		sp_areq_fail(r, "Temporary authentication failure", 1);
	}
}

/* The mechanism has a name and a password: check them on a thread. Names
 * are matched in lower case (Dovecot's default auth_username_format %Lu). */
static void sp_areq_check(struct sp_areq *r)
{
	for (char *p = r->mech.user; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (!sp_passwd_name_ok(r->mech.user)) {
		sp_areq_fail_later(r);
		return;
	}
	r->busy = 1;
	if (sp_offload_run(r->srv->pool, sp_areq_check_work, sp_areq_check_done, r) < 0) {
		r->busy = 0;
		sp_areq_fail(r, "Temporary authentication failure", 1);
	}
}

/* One step of the mechanism with the client's response (NULL: none). */
static void sp_areq_step(struct sp_areq *r, const char *b64)
{
	const char *challenge = "";
	char buf[256];

	switch (sp_mech_step(&r->mech, b64, &challenge)) {
	case SP_MECH_CONT:
		sp_as_send(r->conn, buf, sp_dvs_format_cont(buf, sizeof(buf), r->id, challenge));
		break;
	case SP_MECH_DONE:
		sp_areq_check(r);
		break;
	case SP_MECH_BAD:
		sp_areq_fail_later(r);
		break;
	}
}

/* ---- connections ---- */

static void sp_aconn_close(struct sp_aconn *c)
{
	struct sp_auth_server *s = c->srv;

	while (c->reqs) {
		struct sp_areq *r = c->reqs;
		sp_areq_unlink(r);
		if (!r->busy)
			sp_areq_free(r);
	}
	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	bufferevent_free(c->bev);
	free(c);
}

static int sp_aconn_auth(struct sp_aconn *c, const struct sp_dvs_line *l)
{
	struct sp_areq *r;
	char buf[256];

	if (sp_areq_find(c, l->id))
		return -1;   /* a second request with the same id: the client is confused */
	if (c->nreqs >= SP_AS_REQS_MAX) {
		sp_as_send(c, buf, sp_dvs_format_fail(buf, sizeof(buf), l->id, NULL,
						      "Too many requests", 1));
		return 0;
	}
	r = sp_xcalloc(1, sizeof(*r));
	r->id = l->id;
	r->srv = c->srv;
	if (sp_mech_start(&r->mech, l->mech) < 0) {
		free(r);
		sp_as_send(c, buf, sp_dvs_format_fail(buf, sizeof(buf), l->id, NULL,
						      "Unsupported authentication mechanism", 0));
		return 0;
	}
	r->conn = c;
	r->next = c->reqs;
	c->reqs = r;
	c->nreqs++;
	sp_areq_step(r, l->has_resp ? l->data : NULL);
	return 0;
}

/* Handles one line; -1 ends the connection. */
static int sp_aconn_line(struct sp_aconn *c, const char *line, size_t len)
{
	struct sp_dvs_line *l = &c->line;
	struct sp_areq *r;

	if (sp_dvs_parse(line, len, l) < 0)
		return -1;
	if (!c->versioned && l->kind != SP_DVS_VERSION)
		return -1;
	switch (l->kind) {
	case SP_DVS_VERSION:
		if (l->major != 1)
			return -1;
		c->versioned = 1;
		return 0;
	case SP_DVS_CPID:
	case SP_DVS_IGNORED:
		return 0;
	case SP_DVS_AUTH:
		return sp_aconn_auth(c, l);
	case SP_DVS_CONT:
		if ((r = sp_areq_find(c, l->id)) == NULL || r->busy || r->delay)
			return -1;
		sp_areq_step(r, l->data);
		return 0;
	}
	return -1;
}

static void sp_aconn_read(struct bufferevent *bev, void *vc)
{
	struct sp_aconn *c = vc;
	struct evbuffer *in = bufferevent_get_input(bev);
	char line[SP_DV_LINE_MAX + 1];

	for (;;) {
		struct evbuffer_ptr nl = evbuffer_search(in, "\n", 1, NULL);
		size_t avail = evbuffer_get_length(in);
		if (nl.pos < 0) {
			if (avail > SP_DV_LINE_MAX)
				goto drop;
			return;
		}
		if ((size_t)nl.pos > SP_DV_LINE_MAX)
			goto drop;
		evbuffer_remove(in, line, (size_t)nl.pos + 1);
		if (sp_aconn_line(c, line, (size_t)nl.pos) < 0)
			goto drop;
		explicit_bzero(line, (size_t)nl.pos);
	}
drop:
	sp_as_logf(c->srv, "warning: %s: malformed or unexpected line from an auth client: "
		   "disconnecting it", "auth");
	sp_aconn_close(c);
}

static void sp_aconn_event(struct bufferevent *bev, short what, void *vc)
{
	(void)bev;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT))
		sp_aconn_close(vc);
}

static void sp_as_accept(struct evconnlistener *lis, evutil_socket_t fd, struct sockaddr *sa,
			 int salen, void *vs)
{
	struct sp_auth_server *s = vs;
	struct sp_aconn *c = sp_xcalloc(1, sizeof(*c));
	char buf[512];

	(void)lis;
	(void)sa;
	(void)salen;
	c->srv = s;
	c->bev = bufferevent_socket_new(s->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL) {
		close(fd);
		free(c);
		return;
	}
	bufferevent_setcb(c->bev, sp_aconn_read, NULL, sp_aconn_event, c);
	bufferevent_enable(c->bev, EV_READ);
	if ((c->next = s->conns) != NULL)
		s->conns->prev = c;
	s->conns = c;
	sp_as_send(c, buf, sp_dvs_format_handshake(buf, sizeof(buf), sp_as_mechs,
						  (unsigned long)getpid(), ++s->cuid, s->cookie));
}

/* ---- the server ---- */

struct sp_auth_server *sp_auth_server_new(struct event_base *base,
					  const struct sp_auth_server_conf *conf, char *err,
					  unsigned long errlen)
{
	struct sp_auth_server *s = sp_xcalloc(1, sizeof(*s));
	unsigned char rnd[16];

	s->base = base;
	s->conf = *conf;
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
		snprintf(err, errlen, "getrandom failed");
		free(s);
		return NULL;
	}
	for (size_t i = 0; i < sizeof(rnd); i++)
		snprintf(s->cookie + 2 * i, 3, "%02x", rnd[i]);
	if ((s->pool = sp_offload_new(base, conf->threads, err, errlen)) == NULL) {
		free(s);
		return NULL;
	}
	return s;
}

int sp_auth_server_listen(struct sp_auth_server *s, int fd, char *err, unsigned long errlen)
{
	struct evconnlistener *l;

	if (s->nlis == SP_AS_LISTENERS) {
		snprintf(err, errlen, "more than %d auth sockets", SP_AS_LISTENERS);
		return -1;
	}
	evutil_make_socket_nonblocking(fd);
	l = evconnlistener_new(s->base, sp_as_accept, s, LEV_OPT_CLOSE_ON_FREE, 0, fd);
	if (l == NULL) {
		snprintf(err, errlen, "cannot listen on descriptor %d", fd);
		return -1;
	}
	s->lis[s->nlis++] = l;
	return 0;
}

void sp_auth_server_stop(struct sp_auth_server *s)
{
	for (int i = 0; i < s->nlis; i++)
		evconnlistener_free(s->lis[i]);
	s->nlis = 0;
	while (s->conns)
		sp_aconn_close(s->conns);
}

void sp_auth_server_free(struct sp_auth_server **sp)
{
	struct sp_auth_server *s = *sp;

	if (s == NULL)
		return;
	sp_auth_server_stop(s);
	sp_offload_free(&s->pool);   /* the checks in flight complete and free their requests */
	free(s);
	*sp = NULL;
}
