/*
 * server.c - the SMTP server's event loop: listeners, one bufferevent and
 * one session (session.h) per connection, the session's DNS questions
 * answered through c-ares on the loop, its queue commits run on the
 * offload threads, timeouts, the error sleep, and a graceful stop.
 * Memory per idle connection: the session and libevent's buffers, which
 * hold only what has arrived.
 */
#include "server.h"
#include "peer.h"
#include "../ipc/anvil.h"
#include "../policy/netlist.h"
#include "../net/dns_event.h"
#include "../net/offload.h"
#include "../net/tls.h"
#include "../auth/dovecot_client.h"
#include "../queue/qsync.h"
#include "../util/mem.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define SP_READ_SLICE 65536
#define SP_COMMIT_GATHER_US 1000   /* qsync.h: a directory fsync waits this long at most */

struct sp_listener {
	struct evconnlistener *l;
	const struct sp_smtpd_env *env;
	struct sp_server *srv;
	struct sp_listener *next;
};

struct sp_conn {
	struct sp_server *srv;
	const struct sp_smtpd_env *env;
	struct bufferevent *bev;
	struct sp_session *s;
	struct event *sleep;     /* the error sleep before replies are sent */
	int busy;                /* a DNS answer or a commit is outstanding */
	int dead;                /* the client is gone: free when not busy */
	int closing;             /* close once the output is written */
	struct sp_conn *prev, *next;
	/* the client's name lookup, on an offload thread, before the session */
	struct sockaddr_storage sa;
	socklen_t salen;
	struct sp_peer peer;
	char warn[512];
	int anvil_counted;       /* a CONNECT was sent: a DISCONNECT follows */
	/* TLS: c->bev is then libevent's OpenSSL filter over the socket's */
	int tls;                 /* the filter is in place */
	int handshake;           /* and its handshake has not finished */
	struct sp_tls_info tls_info;
	struct evbuffer_cb_entry *drain_cb;   /* closing: the socket's output */
	struct event *free_ev;   /* frees the connection from the loop */
	unsigned long auth_id;   /* the auth server's request */
	int auth_pending;        /* and its answer is awaited */
};

struct sp_server {
	struct event_base *base;
	struct sp_dns *dns;
	struct sp_dns_ev *dnsev;
	struct sp_offload *offload;
	struct sp_qsync *qsync;     /* the offload threads' group commit */
	struct sp_listener *listeners;
	struct sp_conn *conns;
	size_t nconns;
	int stopping;
	struct event *stop_timer;   /* the end of the grace period */
};

static void sp_conn_process(struct sp_conn *c);
static int sp_conn_want(struct sp_conn *c, enum sp_want w);
static int sp_conn_auth(struct sp_conn *c);
static void sp_conn_tls_start(struct sp_conn *c);
static void sp_conn_tls_done(struct sp_conn *c, short what);
static void sp_conn_begin(struct sp_conn *c);

static void sp_conn_free(struct sp_conn *c)
{
	struct sp_server *srv = c->srv;

	if (c->busy) {   /* the DNS or commit callback frees it */
		c->dead = 1;
		return;
	}
	if (c->prev)
		c->prev->next = c->next;
	else
		srv->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	srv->nconns--;
	if (c->anvil_counted) {
		struct sp_anvil_reply r;
		(void)sp_anvil_ask(c->env->anvil_fd, SP_ANVIL_DISCONNECT, c->env->service,
				   c->peer.addr, &r, 0);
	}
	if (c->sleep)
		event_free(c->sleep);
	if (c->drain_cb)
		evbuffer_remove_cb_entry(bufferevent_get_output(bufferevent_get_underlying(c->bev)),
					 c->drain_cb);
	if (c->free_ev)
		event_free(c->free_ev);
	if (c->bev)
		bufferevent_free(c->bev);
	sp_session_free(&c->s);
	free(c);
	if (srv->stopping && srv->conns == NULL)
		event_base_loopexit(srv->base, NULL);
}

static void sp_conn_free_later(evutil_socket_t fd, short what, void *vc)
{
	(void)fd;
	(void)what;
	sp_conn_free(vc);
}

/* Under TLS the filter's output is empty once OpenSSL has it: the socket's
 * own buffer must be empty too before the connection goes. */
static void sp_conn_socket_drained(struct evbuffer *buf, const struct evbuffer_cb_info *info,
				   void *vc)
{
	struct sp_conn *c = vc;

	(void)info;
	if (evbuffer_get_length(buf) == 0 && !event_pending(c->free_ev, EV_TIMEOUT, NULL))
		event_active(c->free_ev, EV_TIMEOUT, 0);
}

static void sp_conn_close_when_written(struct bufferevent *bev, void *vc)
{
	struct sp_conn *c = vc;
	struct bufferevent *under = bufferevent_get_underlying(bev);

	if (evbuffer_get_length(bufferevent_get_output(bev)) != 0)
		return;
	if (under && evbuffer_get_length(bufferevent_get_output(under)) != 0) {
		if (c->drain_cb == NULL) {
			c->free_ev = evtimer_new(c->srv->base, sp_conn_free_later, c);
			c->drain_cb = evbuffer_add_cb(bufferevent_get_output(under),
						      sp_conn_socket_drained, c);
		}
		return;
	}
	sp_conn_free(c);
}

/* Sends the replies collected so far. */
static void sp_conn_send(struct sp_conn *c)
{
	struct sp_buf *out = sp_session_output(c->s);

	if (out->len > 0) {
		const char *p = sp_buf_str(out);
		size_t n = out->len;
		/* Replies are small and the socket is nearly always writable: send at
		 * once, and queue only what the kernel does not take (the bufferevent
		 * would switch its write event on and off around every reply). */
		if (!c->tls && evbuffer_get_length(bufferevent_get_output(c->bev)) == 0) {
			ssize_t w = send(bufferevent_getfd(c->bev), p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
			if (w > 0) {
				p += w;
				n -= (size_t)w;
			}
		}
		if (n > 0)
			bufferevent_write(c->bev, p, n);
		sp_buf_reset(out);
	}
	if (c->closing) {
		bufferevent_disable(c->bev, EV_READ);
		bufferevent_setcb(c->bev, NULL, sp_conn_close_when_written, NULL, c);
		sp_conn_close_when_written(c->bev, c);
	}
}

static void sp_conn_slept(evutil_socket_t fd, short what, void *vc)
{
	struct sp_conn *c = vc;

	(void)fd;
	(void)what;
	sp_conn_send(c);
	if (!c->closing && !c->dead) {
		bufferevent_enable(c->bev, EV_READ);
		sp_conn_process(c);
	}
}

/* The replies, after smtpd_error_sleep_time once the client has made
 * smtpd_soft_error_limit errors. */
static void sp_conn_reply(struct sp_conn *c)
{
	const struct sp_smtpd_conf *conf = c->env->conf;

	if (sp_session_errors(c->s) >= conf->soft_error_limit && conf->error_sleep_ms > 0 &&
	    sp_session_output(c->s)->len > 0 && !c->closing) {
		struct timeval tv = {conf->error_sleep_ms / 1000, (conf->error_sleep_ms % 1000) * 1000};
		if (c->sleep == NULL)
			c->sleep = evtimer_new(c->srv->base, sp_conn_slept, c);
		bufferevent_disable(c->bev, EV_READ);
		evtimer_add(c->sleep, &tv);
		return;
	}
	sp_conn_send(c);
}

static void sp_conn_dns_done(void *vc, const char *name, enum sp_dns_status st, const char *why)
{
	struct sp_conn *c = vc;
	enum sp_want w;

	(void)name;
	(void)why;
	c->busy = 0;
	if (c->dead) {
		sp_conn_free(c);
		return;
	}
	/* The engine's five statuses are the first five of the DNS module's. */
	w = sp_session_dns_answer(c->s, st == SP_DNS_FAIL ? SP_PDNS_NOTFOUND
					 : (enum sp_pdns_status)st);
	if (!sp_conn_want(c, w) && c->busy)
		return;   /* another question at once */
	sp_conn_process(c);
}

static void sp_conn_commit_work(void *vc)
{
	struct sp_conn *c = vc;
	struct sp_qfile *q = sp_session_qfile(c->s);

	/* the result travels in q->err (sp_qfile_commit frees the rest) */
	q->err = sp_qfile_commit(q, c->srv->qsync);
}

static void sp_conn_commit_done(void *vc)
{
	struct sp_conn *c = vc;
	enum sp_want w;

	c->busy = 0;
	w = sp_session_commit_done(c->s, sp_session_qfile(c->s)->err);
	if (c->dead) {
		sp_conn_free(c);
		return;
	}
	if (!sp_conn_want(c, w) && c->busy)
		return;
	sp_conn_process(c);
}

static void sp_conn_auth_done(void *vc, const struct sp_dv_line *reply)
{
	struct sp_conn *c = vc;
	enum sp_want w;

	c->busy = 0;
	c->auth_pending = 0;
	if (c->dead) {
		sp_conn_free(c);
		return;
	}
	w = sp_session_auth_answer(c->s, c->auth_id, reply);
	if (!sp_conn_want(c, w) && c->busy)
		return;
	sp_conn_process(c);
}

/* SP_WANT_AUTH: the session's request goes to the auth server. */
static int sp_conn_auth(struct sp_conn *c)
{
	struct sp_dv_auth a;
	unsigned long id;
	int first, rc;

	sp_session_auth_query(c->s, &first, &a, &id);
	c->busy = 1;
	c->auth_pending = 1;
	if (first) {
		rc = sp_dvc_auth(c->env->sasl, &a, sp_conn_auth_done, c);
		c->auth_id = a.id;
	} else {
		rc = sp_dvc_cont(c->env->sasl, id, a.resp ? a.resp : "", sp_conn_auth_done, c);
		c->auth_id = id;
	}
	if (rc < 0) {   /* the auth server cannot be reached */
		c->busy = 0;
		c->auth_pending = 0;
		return sp_conn_want(c, sp_session_auth_answer(c->s, c->auth_id, NULL));
	}
	return 0;
}

/* Acts on what the session wants; 1 when input may go on. */
static int sp_conn_want(struct sp_conn *c, enum sp_want w)
{
	char err[256];

	switch (w) {
	case SP_WANT_INPUT:
		return 1;
	case SP_WANT_CLOSE:
		c->closing = 1;
		return 0;
	case SP_WANT_DNS: {
		enum sp_pdns_kind kind;
		const char *name;
		sp_session_dns_query(c->s, &kind, &name);
		c->busy = 1;
		if (sp_dns_ev_lookup(c->srv->dnsev, name, kind == SP_PDNS_HOST ? SP_DNS_HOST
						      : SP_DNS_MAILHOST, sp_conn_dns_done, c, err,
				     sizeof(err)) < 0) {
			c->busy = 0;   /* treated as a temporary failure */
			return sp_conn_want(c, sp_session_dns_answer(c->s, SP_PDNS_RETRY));
		}
		return 0;
	}
	case SP_WANT_AUTH:
		return sp_conn_auth(c);
	case SP_WANT_STARTTLS:
		sp_conn_send(c);   /* the 220, in plain text */
		/* what the client sent after STARTTLS was sent in plain text: it
		 * must not be read as if it came through TLS (CVE-2011-0411) */
		evbuffer_drain(bufferevent_get_input(c->bev),
			       evbuffer_get_length(bufferevent_get_input(c->bev)));
		sp_conn_tls_start(c);
		return 0;
	case SP_WANT_COMMIT:
		c->busy = 1;
		if (sp_offload_run(c->srv->offload, sp_conn_commit_work, sp_conn_commit_done, c) < 0) {
			c->busy = 0;
			sp_qfile_abort(sp_session_qfile(c->s));
			return sp_conn_want(c, sp_session_commit_done(c->s, EIO));
		}
		return 0;
	}
	return 0;
}

/* Feeds the input that has arrived to the session, in order, until it is
 * used up or the session waits; then replies. */
static void sp_conn_process(struct sp_conn *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);

	while (!c->busy && !c->closing && !c->dead) {
		size_t len = evbuffer_get_length(in), n = len < SP_READ_SLICE ? len : SP_READ_SLICE;
		size_t used = 0;
		unsigned char *p;
		enum sp_want w;
		if (n == 0)
			break;
		p = evbuffer_pullup(in, (ev_ssize_t)n);
		w = sp_session_input(c->s, (const char *)p, n, &used);
		evbuffer_drain(in, used);
		if (!sp_conn_want(c, w))
			break;
		if (used == 0)
			break;   /* an incomplete line: wait for more */
	}
	if (c->dead)
		return;
	sp_conn_reply(c);
}

static void sp_conn_read(struct bufferevent *bev, void *vc)
{
	(void)bev;
	sp_conn_process(vc);
}

static void sp_conn_event(struct bufferevent *bev, short what, void *vc)
{
	struct sp_conn *c = vc;

	(void)bev;
	if (c->handshake) {
		sp_conn_tls_done(c, what);
		return;
	}
	if (c->s == NULL) {   /* gone during the name lookup */
		sp_conn_free(c);
		return;
	}
	if (what & BEV_EVENT_TIMEOUT) {
		if (sp_session_timeout(c->s) == SP_WANT_CLOSE)
			c->closing = 1;
		sp_conn_send(c);
		return;
	}
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
		sp_session_eof(c->s);
		sp_conn_free(c);
	}
}

/* Puts libevent's OpenSSL filter over the socket and starts the server
 * side of the handshake; sp_conn_event sees it end. */
static void sp_conn_tls_start(struct sp_conn *c)
{
	struct timeval tv = {c->env->conf->starttls_timeout_s, 0};
	struct bufferevent *tb;
	struct ssl_st *ssl = sp_tls_server_ssl(c->env->conf->tls);

	tb = ssl ? bufferevent_openssl_filter_new(c->srv->base, c->bev, ssl,
						  BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE)
		 : NULL;
	if (tb == NULL) {
		if (c->env->log)
			c->env->log(c->env->log_ctx, "warning: cannot start TLS: out of memory");
		if (c->s)
			sp_session_eof(c->s);
		c->dead = 1;
		event_active(c->free_ev ? c->free_ev
			     : (c->free_ev = evtimer_new(c->srv->base, sp_conn_free_later, c)),
			     EV_TIMEOUT, 0);
		return;
	}
	c->bev = tb;
	c->tls = 1;
	c->handshake = 1;
	bufferevent_setcb(tb, sp_conn_read, NULL, sp_conn_event, c);
	bufferevent_set_timeouts(tb, &tv, &tv);
	bufferevent_enable(tb, EV_READ);
}

/* The handshake is over (what: BEV_EVENT_CONNECTED, or an error). */
static void sp_conn_tls_done(struct sp_conn *c, short what)
{
	char err[256], line[700];

	c->handshake = 0;
	if (!(what & BEV_EVENT_CONNECTED)) {
		unsigned long e = bufferevent_get_openssl_error(c->bev);
		sp_tls_error_string(e, err, sizeof(err));
		if (c->env->log) {
			if (e) {
				snprintf(line, sizeof(line), "warning: TLS library problem: %s", err);
				c->env->log(c->env->log_ctx, line);
			}
			snprintf(line, sizeof(line), "SSL_accept error from %s[%s]: %s",
				 c->peer.name, c->peer.addr, what & BEV_EVENT_TIMEOUT ? "timeout"
				 : e ? "-1" : "lost connection");
			c->env->log(c->env->log_ctx, line);
		}
		if (c->s)
			sp_session_eof(c->s);
		sp_conn_free(c);
		return;
	}
	sp_tls_describe(c->env->conf->tls, bufferevent_openssl_get_ssl(c->bev), &c->tls_info);
	{
		struct timeval tv = {c->env->conf->timeout_s, 0};   /* the handshake is over */
		bufferevent_set_timeouts(c->bev, &tv, &tv);
	}
	if (c->s == NULL) {   /* wrapper mode: the session starts now */
		sp_conn_begin(c);
		return;
	}
	if (!sp_conn_want(c, sp_session_tls_started(c->s, &c->tls_info))) {
		sp_conn_send(c);   /* the 421 of smtpd_tls_req_ccert */
		return;
	}
	sp_conn_process(c);   /* anything already decrypted */
}

/* The client's address as text; an IPv4-mapped IPv6 address as IPv4. */
static void sp_peer_addr(const struct sockaddr *sa, char *buf, size_t len)
{
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;
		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
			inet_ntop(AF_INET, &s6->sin6_addr.s6_addr[12], buf, (socklen_t)len);
		else
			inet_ntop(AF_INET6, &s6->sin6_addr, buf, (socklen_t)len);
	} else if (sa->sa_family == AF_INET) {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, buf,
			  (socklen_t)len);
	} else {
		snprintf(buf, len, "unknown");
	}
}

/* Postfix's anvil limits on connections: 1 after refusing the client. */
static int sp_conn_limited(struct sp_conn *c)
{
	const struct sp_smtpd_conf *conf = c->env->conf;
	struct sp_anvil_reply r;
	char err[256], line[700];
	const char *what = NULL;
	int n = 0;

	if (!c->env->anvil || sp_netlist_match(conf->hog_excl, c->peer.addr, NULL, err,
					       sizeof(err)) == 1)
		return 0;
	if (sp_anvil_ask(c->env->anvil_fd, SP_ANVIL_CONNECT, c->env->service, c->peer.addr, &r,
			 200) < 0)
		return 0;
	c->anvil_counted = 1;
	if (conf->cconn_limit > 0 && r.count > conf->cconn_limit)
		what = "Connection concurrency", n = r.count;
	else if (conf->crate_limit > 0 && r.rate > conf->crate_limit)
		what = "Connection rate", n = r.rate;
	if (what == NULL)
		return 0;
	if (c->env->log) {
		snprintf(line, sizeof(line), "warning: %s limit exceeded: %d from %s[%s] for service "
			 "smtp", what, n, c->peer.name, c->peer.addr);
		c->env->log(c->env->log_ctx, line);
	}
	snprintf(line, sizeof(line), "421 4.7.0 %s Error: too many connections from %s\r\n",
		 conf->myhostname, c->peer.addr);
	bufferevent_write(c->bev, line, strlen(line));
	c->closing = 1;
	bufferevent_setcb(c->bev, NULL, sp_conn_close_when_written, NULL, c);
	return 1;
}

/* The session starts once the client's name is known. */
static void sp_conn_begin(struct sp_conn *c)
{
	if (c->env->conf->tls_wrapper && !c->tls) {   /* TLS first, then the greeting */
		bufferevent_setcb(c->bev, NULL, NULL, sp_conn_event, c);
		sp_conn_tls_start(c);
		return;
	}
	if (sp_conn_limited(c))
		return;
	c->s = sp_session_new(c->env, &c->peer);
	if (c->tls)   /* wrapper mode: sp_session_start acts on it */
		(void)sp_session_tls_started(c->s, &c->tls_info);
	if (c->warn[0] && c->env->log) {
		char line[600];
		snprintf(line, sizeof(line), "warning: %s", c->warn);
		c->env->log(c->env->log_ctx, line);
	}
	bufferevent_setcb(c->bev, sp_conn_read, NULL, sp_conn_event, c);
	bufferevent_enable(c->bev, EV_READ);
	if (!sp_conn_want(c, sp_session_start(c->s)) && c->busy)
		return;
	sp_conn_send(c);
}

static void sp_conn_peer_work(void *vc)
{
	struct sp_conn *c = vc;

	sp_peer_lookup((const struct sockaddr *)&c->sa, c->salen, &c->peer, c->warn,
		       sizeof(c->warn));
}

static void sp_conn_peer_done(void *vc)
{
	struct sp_conn *c = vc;

	c->busy = 0;
	if (c->dead) {
		sp_conn_free(c);
		return;
	}
	sp_conn_begin(c);
}

static void sp_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
		      int salen, void *vl)
{
	struct sp_listener *lst = vl;
	struct sp_server *srv = lst->srv;
	struct sp_conn *c;
	struct timeval tv = {lst->env->conf->timeout_s, 0};

	(void)l;
	if (srv->stopping) {
		close(fd);
		return;
	}
	c = sp_xcalloc(1, sizeof(*c));
	c->srv = srv;
	c->env = lst->env;
	c->bev = bufferevent_socket_new(srv->base, fd, BEV_OPT_CLOSE_ON_FREE);
	sp_peer_addr(sa, c->peer.addr, sizeof(c->peer.addr));
	{
		struct sockaddr_storage la;
		socklen_t ll = sizeof(la);
		if (getsockname(fd, (struct sockaddr *)&la, &ll) == 0)
			sp_peer_addr((struct sockaddr *)&la, c->peer.local_addr,
				     sizeof(c->peer.local_addr));
	}
	c->next = srv->conns;
	if (srv->conns)
		srv->conns->prev = c;
	srv->conns = c;
	srv->nconns++;
	bufferevent_setcb(c->bev, NULL, NULL, sp_conn_event, c);
	bufferevent_set_timeouts(c->bev, &tv, &tv);
	if (lst->env->conf->peername_lookup && (size_t)salen <= sizeof(c->sa)) {
		memcpy(&c->sa, sa, (size_t)salen);
		c->salen = (socklen_t)salen;
		c->busy = 1;
		if (sp_offload_run(srv->offload, sp_conn_peer_work, sp_conn_peer_done, c) == 0)
			return;
		c->busy = 0;
	}
	sp_peer_unknown(&c->peer);
	sp_conn_begin(c);
}

struct sp_server *sp_server_new(struct event_base *base, const struct sp_dns_opts *dns,
				char *err, size_t errlen)
{
	struct sp_server *srv = sp_xcalloc(1, sizeof(*srv));

	srv->base = base;
	if ((srv->dns = sp_dns_new(dns, err, errlen)) == NULL ||
	    (srv->offload = sp_offload_new(base, 4, err, errlen)) == NULL) {
		sp_server_free(&srv);
		return NULL;
	}
	srv->dnsev = sp_dns_ev_new(base, srv->dns);
	srv->qsync = sp_qsync_new(SP_COMMIT_GATHER_US);
	return srv;
}

int sp_server_listen(struct sp_server *srv, const char *host, const char *port,
		     const struct sp_smtpd_env *env, char *err, size_t errlen)
{
	struct addrinfo hints, *res, *ai;
	int rc, n = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0) {
		hints.ai_flags = AI_PASSIVE;
		if ((rc = getaddrinfo(host, port, &hints, &res)) != 0) {
			snprintf(err, errlen, "%s:%s: %s", host ? host : "*", port, gai_strerror(rc));
			return -1;
		}
	}
	for (ai = res; ai; ai = ai->ai_next) {
		struct sp_listener *l = sp_xcalloc(1, sizeof(*l));
		l->l = evconnlistener_new_bind(srv->base, sp_accept, l,
					       LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE |
					       LEV_OPT_CLOSE_ON_EXEC, 128, ai->ai_addr,
					       (int)ai->ai_addrlen);
		if (l->l == NULL) {
			snprintf(err, errlen, "%s:%s: cannot listen: %s", host ? host : "*", port,
				 strerror(errno));
			free(l);
			freeaddrinfo(res);
			return -1;
		}
		l->env = env;
		l->srv = srv;
		l->next = srv->listeners;
		srv->listeners = l;
		n++;
	}
	freeaddrinfo(res);
	return n > 0 ? 0 : -1;
}

/* The grace period is over: the sessions still open are told and closed
 * (a message not yet acknowledged is not kept; the client retries). */
static void sp_server_grace_over(evutil_socket_t fd, short what, void *vsrv)
{
	struct sp_server *srv = vsrv;
	struct sp_conn *c, *next;

	(void)fd;
	(void)what;
	for (c = srv->conns; c; c = next) {
		next = c->next;
		if (c->busy || c->closing)
			continue;   /* a commit or DNS answer finishes it first */
		bufferevent_write(c->bev, "421 4.3.2 Service shutting down\r\n", 33);
		sp_session_eof(c->s);
		c->closing = 1;
		bufferevent_disable(c->bev, EV_READ);
		bufferevent_setcb(c->bev, NULL, sp_conn_close_when_written, NULL, c);
		sp_conn_close_when_written(c->bev, c);
	}
}

int sp_server_adopt(struct sp_server *srv, int fd, const struct sp_smtpd_env *env, char *err,
		    size_t errlen)
{
	struct sp_listener *l = sp_xcalloc(1, sizeof(*l));

	l->l = evconnlistener_new(srv->base, sp_accept, l, LEV_OPT_CLOSE_ON_FREE |
				  LEV_OPT_CLOSE_ON_EXEC, 0, fd);   /* 0: already listening, keep its backlog */
	if (l->l == NULL) {
		snprintf(err, errlen, "cannot use listening socket %d: %s", fd, strerror(errno));
		free(l);
		return -1;
	}
	l->env = env;
	l->srv = srv;
	l->next = srv->listeners;
	srv->listeners = l;
	return 0;
}

void sp_server_stop(struct sp_server *srv, unsigned grace_s)
{
	struct timeval tv = {grace_s, 0};

	srv->stopping = 1;
	for (struct sp_listener *l = srv->listeners; l; l = l->next)
		evconnlistener_disable(l->l);
	if (srv->conns == NULL) {
		event_base_loopexit(srv->base, NULL);
		return;
	}
	if (srv->stop_timer == NULL)
		srv->stop_timer = evtimer_new(srv->base, sp_server_grace_over, srv);
	evtimer_add(srv->stop_timer, &tv);
}

size_t sp_server_sessions(const struct sp_server *srv)
{
	return srv->nconns;
}

void sp_server_free(struct sp_server **sp)
{
	struct sp_server *srv = *sp;

	if (srv == NULL)
		return;
	while (srv->listeners) {
		struct sp_listener *l = srv->listeners;
		srv->listeners = l->next;
		evconnlistener_free(l->l);
		free(l);
	}
	sp_offload_free(&srv->offload);   /* runs the last completions */
	sp_qsync_free(&srv->qsync);
	while (srv->conns) {
		srv->conns->busy = 0;
		sp_conn_free(srv->conns);
	}
	sp_dns_ev_free(&srv->dnsev);
	sp_dns_free(&srv->dns);
	if (srv->stop_timer)
		event_free(srv->stop_timer);
	free(srv);
	*sp = NULL;
}
