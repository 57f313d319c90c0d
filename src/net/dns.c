/*
 * dns.c - the lookups of dns.h: Postfix's host name syntax checks, the
 * classification of one raw reply, the per-kind sequence of queries and the
 * c-ares channel that sends them. Names in replies are expanded with the C
 * library's dn_expand(), the function Postfix itself calls, rather than
 * c-ares's ares_expand_name(), which turns a label holding one NUL byte
 * ("\000.com") into an empty name, and so would fake a null MX.
 */
#include "dns.h"
#include "../util/chars.h"
#include "../util/diag.h"
#include "../util/hostname.h"
#include "../util/mem.h"

#include <ares.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <limits.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#define HEADER_LEN 12
#define QUESTION_FIXED 4   /* type, class */
#define RR_FIXED 10        /* type, class, ttl, rdlength */
#define CLASS_IN 1
#define QUERIES_MAX 10     /* queries per type, following aliases */
#define NTYPES 3

enum { RC_NOERROR = 0, RC_FORMERR = 1, RC_SERVFAIL = 2, RC_NXDOMAIN = 3, RC_NOTIMP = 4,
       RC_REFUSED = 5 };

static const int sp_dns_types[2][NTYPES] = {
	[SP_DNS_MAILHOST] = {SP_DNS_T_MX, SP_DNS_T_A, SP_DNS_T_AAAA},
	[SP_DNS_HOST] = {SP_DNS_T_A, SP_DNS_T_AAAA, SP_DNS_T_MX},
};

/* One lookup: its name, where it is in its kind's types, and the
 * highest-ranked status so far. */
struct sp_dns_lookup {
	struct sp_dns *d;
	struct sp_dns_lookup *next;    /* in d's list of finished lookups */
	sp_dns_cb *cb;
	void *ctx;
	enum sp_dns_kind kind;
	int step;                      /* index of the type being asked */
	int queries;                   /* queries made for this type */
	int have;                      /* st holds a status */
	enum sp_dns_status st;
	char why[SP_DNS_WHY_MAX];
	char qname[SP_DNS_NAME_MAX];   /* the name being asked (an alias after a CNAME) */
	char name[];                   /* as the caller gave it */
};

struct sp_dns {
	ares_channel ch;
	struct sp_dns_lookup *done;    /* finished, not yet called back */
	struct sp_dns_lookup **done_tail;
	int pending;                   /* started and not yet called back */
	int closing;                   /* sp_dns_free is cancelling */
};

/* ---- host name syntax (Postfix's valid_hostname and valid_hostaddr) ---- */

/* A name in a reply passes when it is a host name or a numeric address. */
static int sp_dns_valid_rr_name(const char *name)
{
	return sp_valid_hostaddr(name) || sp_valid_hostname(name, SP_HOST_WILDCARD);
}

int sp_dns_name_ok(const char *name)
{
	return strcmp(name, ".") == 0 || sp_valid_hostname(name, SP_HOST_WILDCARD);
}

const char *sp_dns_status_name(enum sp_dns_status st)
{
	switch (st) {
	case SP_DNS_OK: return "OK";
	case SP_DNS_NOTFOUND: return "NOTFOUND";
	case SP_DNS_RETRY: return "RETRY";
	case SP_DNS_INVAL: return "INVAL";
	case SP_DNS_NULLMX: return "NULLMX";
	case SP_DNS_FAIL: return "FAIL";
	}
	return "UNKNOWN";
}

static const char *sp_dns_type_name(int type)
{
	switch (type) {
	case SP_DNS_T_A: return "A";
	case SP_DNS_T_AAAA: return "AAAA";
	case SP_DNS_T_MX: return "MX";
	case SP_DNS_T_CNAME: return "CNAME";
	}
	return "other";
}

/* ---- one reply ---- */

static enum sp_dns_status sp_dns_say(struct sp_dns_reply *out, enum sp_dns_status st,
				     const char *what, const char *name)
{
	if (name)
		snprintf(out->why, sizeof(out->why), "%s: %.100s", what, name);
	else
		snprintf(out->why, sizeof(out->why), "%s", what);
	return st;
}

static unsigned sp_dns_get16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* The status the header gives before any record is read, or -1 when the
 * answers must be read. */
static int sp_dns_header(const unsigned char *abuf, struct sp_dns_reply *out)
{
	int rcode = abuf[3] & 0x0f, aa = abuf[2] & 0x04, ra = abuf[3] & 0x80;
	unsigned an = sp_dns_get16(abuf + 6), ar = sp_dns_get16(abuf + 10);

	switch (rcode) {
	case RC_NOERROR:
		if (an > 0)
			return -1;
		if (!aa && !ra && ar == 0)
			return sp_dns_say(out, SP_DNS_RETRY, "referral instead of an answer", NULL);
		return sp_dns_say(out, SP_DNS_NOTFOUND, "no record of this type (NODATA)", NULL);
	case RC_NXDOMAIN:
		return sp_dns_say(out, SP_DNS_NOTFOUND, "domain not found (NXDOMAIN)", NULL);
	case RC_SERVFAIL:
		return sp_dns_say(out, SP_DNS_RETRY, "server failure (SERVFAIL)", NULL);
	case RC_REFUSED:
		return sp_dns_say(out, SP_DNS_RETRY, "query refused (REFUSED)", NULL);
	case RC_NOTIMP:
		return sp_dns_say(out, SP_DNS_RETRY, "query not implemented (NOTIMP)", NULL);
	default:
		snprintf(out->why, sizeof(out->why), "non-recoverable server error (rcode %d)", rcode);
		return SP_DNS_FAIL;
	}
}

/* One record of the asked type, its data at abuf[pos..pos+rdlen). An MX
 * target is read up to the end of the message, as Postfix reads it. */
static enum sp_dns_status sp_dns_record(int type, const unsigned char *abuf, size_t alen,
					size_t pos, unsigned rdlen, struct sp_dns_reply *out)
{
	char target[SP_DNS_NAME_MAX];

	switch (type) {
	case SP_DNS_T_MX:
		if (alen - pos <= 2 ||
		    dn_expand(abuf, abuf + alen, abuf + pos + 2, target, sizeof(target)) < 0)
			return sp_dns_say(out, SP_DNS_RETRY, "malformed reply: bad MX target", NULL);
		if (target[0] == 0)
			return sp_dns_say(out, SP_DNS_NULLMX, "domain accepts no mail (null MX)", NULL);
		if (!sp_dns_valid_rr_name(target))
			return sp_dns_say(out, SP_DNS_INVAL, "invalid MX host name in reply", target);
		return SP_DNS_OK;
	case SP_DNS_T_A:
	case SP_DNS_T_AAAA:
		if (rdlen != (type == SP_DNS_T_A ? 4u : 16u))
			return sp_dns_say(out, SP_DNS_RETRY, "malformed reply: bad address length", NULL);
		return SP_DNS_OK;
	default:
		return SP_DNS_OK;
	}
}

enum sp_dns_status sp_dns_classify(const char *orig_name, int qtype, const unsigned char *abuf,
				   size_t alen, struct sp_dns_reply *out)
{
	static const char bad[] = "malformed or unexpected reply";
	char owner[SP_DNS_NAME_MAX], alias[SP_DNS_NAME_MAX];
	enum sp_dns_status st, nf = SP_DNS_NOTFOUND;
	struct sp_dns_reply rec;
	int root = strcmp(orig_name, ".") == 0, found = 0, aliased = 0, n;
	size_t pos = HEADER_LEN;
	unsigned qd, an;

	out->cname[0] = 0;
	out->why[0] = 0;
	rec.why[0] = 0;
	alias[0] = 0;
	if (alen < HEADER_LEN)
		return sp_dns_say(out, SP_DNS_RETRY, "reply shorter than a DNS header", NULL);
	if ((n = sp_dns_header(abuf, out)) >= 0)
		return (enum sp_dns_status)n;
	qd = sp_dns_get16(abuf + 4);
	an = sp_dns_get16(abuf + 6);
	for (unsigned i = 0; i < qd; i++) {
		if (pos >= alen || (n = dn_skipname(abuf + pos, abuf + alen)) < 0)
			return sp_dns_say(out, SP_DNS_RETRY, bad, "question");
		pos += (size_t)n + QUESTION_FIXED;
	}
	for (unsigned i = 0; i < an; i++) {
		unsigned type, class, rdlen;

		if (pos >= alen ||
		    (n = dn_expand(abuf, abuf + alen, abuf + pos, owner, sizeof(owner))) < 0)
			return sp_dns_say(out, SP_DNS_RETRY, bad, "record name");
		pos += (size_t)n;
		if (alen - pos < RR_FIXED)
			return sp_dns_say(out, SP_DNS_RETRY, bad, "record header");
		type = sp_dns_get16(abuf + pos);
		class = sp_dns_get16(abuf + pos + 2);
		rdlen = sp_dns_get16(abuf + pos + 8);
		if (class != CLASS_IN)
			return sp_dns_say(out, SP_DNS_RETRY, bad, "class not IN");
		if (!(root && owner[0] == 0) && !sp_dns_valid_rr_name(owner))
			return sp_dns_say(out, SP_DNS_INVAL, "invalid record name in reply", owner);
		pos += RR_FIXED;
		if (alen - pos < rdlen)
			return sp_dns_say(out, SP_DNS_RETRY, bad, "record data");
		if ((int)type == qtype) {
			st = sp_dns_record(qtype, abuf, alen, pos, rdlen, &rec);
			if (st == SP_DNS_OK) {
				found = 1;
			} else if (st == SP_DNS_NULLMX) {
				return sp_dns_say(out, st, rec.why, NULL);
			} else if (nf != SP_DNS_RETRY) {
				nf = st;
				snprintf(out->why, sizeof(out->why), "%s", rec.why);
			}
		} else if (type == SP_DNS_T_CNAME) {
			aliased = 1;
			if (dn_expand(abuf, abuf + alen, abuf + pos, alias, sizeof(alias)) < 0)
				return sp_dns_say(out, SP_DNS_RETRY, bad, "CNAME data");
			if (!sp_dns_valid_rr_name(alias))
				return sp_dns_say(out, SP_DNS_INVAL, "invalid CNAME in reply", alias);
		}
		pos += rdlen;
	}
	if (found) {
		out->why[0] = 0;
		return SP_DNS_OK;
	}
	if (aliased) {
		memcpy(out->cname, alias, strlen(alias) + 1);
		return sp_dns_say(out, SP_DNS_NOTFOUND, "only an alias", alias);
	}
	if (nf == SP_DNS_NOTFOUND)
		sp_dns_say(out, nf, "no record of this type in the answer", NULL);
	return nf;
}

/* ---- lookups ---- */

static int sp_dns_rank(enum sp_dns_status st)
{
	switch (st) {
	case SP_DNS_OK: return 6;
	case SP_DNS_RETRY: return 4;
	case SP_DNS_INVAL: return 3;
	case SP_DNS_FAIL: return 2;
	case SP_DNS_NULLMX: return 1;
	case SP_DNS_NOTFOUND: return 0;
	}
	return 0;
}

static void sp_dns_ask(struct sp_dns_lookup *l);

/* Records st as the lookup's status when it ranks at least as high as the
 * one so far; why is kept with it. */
static void sp_dns_note(struct sp_dns_lookup *l, enum sp_dns_status st, const char *why)
{
	if (!l->have || sp_dns_rank(st) >= sp_dns_rank(l->st)) {
		l->have = 1;
		l->st = st;
		snprintf(l->why, sizeof(l->why), "%s", why);
	}
}

/* Queues the lookup for its callback, its status read as the smtpd checks
 * read it. */
static void sp_dns_finish(struct sp_dns_lookup *l)
{
	if (l->st == SP_DNS_FAIL)
		l->st = SP_DNS_NOTFOUND;
	if (l->st == SP_DNS_NULLMX && l->kind == SP_DNS_HOST)
		l->st = SP_DNS_OK;
	if (l->st == SP_DNS_OK)
		l->why[0] = 0;
	l->next = NULL;
	*l->d->done_tail = l;
	l->d->done_tail = &l->next;
}

/* One type is answered: stop, or ask the next type. */
static void sp_dns_type_done(struct sp_dns_lookup *l, enum sp_dns_status st, const char *why)
{
	int stop = st == SP_DNS_OK ||
		   (l->kind == SP_DNS_MAILHOST && (st == SP_DNS_INVAL || st == SP_DNS_NULLMX));

	sp_dns_note(l, st, why);
	if (stop || ++l->step >= NTYPES) {
		sp_dns_finish(l);
		return;
	}
	l->queries = 0;
	snprintf(l->qname, sizeof(l->qname), "%s", l->name);
	sp_dns_ask(l);
}

static enum sp_dns_status sp_dns_from_ares(int status, struct sp_dns_reply *out)
{
	out->cname[0] = 0;
	if (status == ARES_ECONNREFUSED)   /* also what c-ares 1.18 reports after SERVFAIL */
		snprintf(out->why, sizeof(out->why), "no usable reply (connection refused, or "
			 "SERVFAIL, REFUSED or NOTIMP from every server)");
	else if (status == ARES_EBADNAME)
		snprintf(out->why, sizeof(out->why), "name too long to ask");
	else
		snprintf(out->why, sizeof(out->why), "%s", ares_strerror(status));
	return status == ARES_EBADNAME ? SP_DNS_FAIL : SP_DNS_RETRY;
}

static void sp_dns_on_reply(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct sp_dns_lookup *l = arg;
	int type = sp_dns_types[l->kind][l->step];
	struct sp_dns_reply r;
	char why[SP_DNS_WHY_MAX];
	enum sp_dns_status st;

	(void)timeouts;
	if (l->d->closing || status == ARES_EDESTRUCTION || status == ARES_ECANCELLED) {
		l->have = 0;
		sp_dns_note(l, SP_DNS_RETRY, "lookup cancelled");
		sp_dns_finish(l);
		return;
	}
	if (abuf != NULL && alen >= 0)
		st = sp_dns_classify(l->name, type, abuf, (size_t)alen, &r);
	else
		st = sp_dns_from_ares(status, &r);
	if (st == SP_DNS_NOTFOUND && r.cname[0] != 0) {
		if (++l->queries < QUERIES_MAX) {
			memcpy(l->qname, r.cname, strlen(r.cname) + 1);
			sp_dns_ask(l);
			return;
		}
		snprintf(r.why, sizeof(r.why), "alias chain longer than %d queries", QUERIES_MAX);
	}
	snprintf(why, sizeof(why), "name=%.200s type=%s: %.250s", l->qname, sp_dns_type_name(type),
		 r.why);
	sp_dns_type_done(l, st, why);
}

/* Sends the query for the current type; c-ares may answer at once. A name
 * longer than 253 (255 octets on the wire) cannot be asked: glibc's
 * res_mkquery refuses it, and Postfix then reports a permanent error. */
static void sp_dns_ask(struct sp_dns_lookup *l)
{
	if (strlen(l->qname) > SP_HOSTNAME_MAX - 2) {
		sp_dns_on_reply(l, ARES_EBADNAME, 0, NULL, 0);
		return;
	}
	ares_query(l->d->ch, l->qname, CLASS_IN, sp_dns_types[l->kind][l->step], sp_dns_on_reply, l);
}

/* Makes the callbacks of finished lookups, oldest first. */
static void sp_dns_deliver(struct sp_dns *d)
{
	struct sp_dns_lookup *l;

	while ((l = d->done) != NULL) {
		if ((d->done = l->next) == NULL)
			d->done_tail = &d->done;
		d->pending--;
		l->cb(l->ctx, l->name, l->st, l->why);
		free(l);
	}
}

int sp_dns_lookup(struct sp_dns *d, const char *name, enum sp_dns_kind kind, sp_dns_cb *cb,
		  void *ctx, char *err, size_t errlen)
{
	size_t n = strlen(name);
	struct sp_dns_lookup *l;
	char shown[128];

	if (d->closing) {
		snprintf(err, errlen, "DNS resolver is shutting down");
		return -1;
	}
	if (d->pending >= SP_DNS_LOOKUPS_MAX) {
		snprintf(err, errlen, "too many DNS lookups outstanding (%d)", SP_DNS_LOOKUPS_MAX);
		return -1;
	}
	if (kind != SP_DNS_MAILHOST && kind != SP_DNS_HOST) {
		snprintf(err, errlen, "unknown DNS lookup kind %d", (int)kind);
		return -1;
	}
	l = sp_xcalloc(1, sizeof(*l) + n + 1);
	memcpy(l->name, name, n + 1);
	l->d = d;
	l->cb = cb;
	l->ctx = ctx;
	l->kind = kind;
	d->pending++;
	if (!sp_dns_name_ok(name)) {
		int ascii = 1;

		for (size_t i = 0; i < n && ascii; i++)
			ascii = (unsigned char)name[i] < 0x80;
		sp_diag_excerpt(name, n, 100, shown, sizeof(shown));
		snprintf(l->why, sizeof(l->why), "%s: %s", shown,
			 ascii ? "invalid host or domain name"
			       : "non-ASCII domain name (not converted to an A-label)");
		l->have = 1;
		l->st = SP_DNS_NOTFOUND;
		sp_dns_finish(l);
		return 0;
	}
	memcpy(l->qname, name, n + 1);
	sp_dns_ask(l);
	return 0;
}

/* ---- the channel and the caller's event loop ---- */

struct sp_dns *sp_dns_new(const struct sp_dns_opts *o, char *err, size_t errlen)
{
	struct ares_options ao;
	struct sp_dns *d;
	int rc;

	if (o && (o->timeout_ms < 0 || o->tries < 0)) {
		snprintf(err, errlen, "DNS timeout and tries must not be negative");
		return NULL;
	}
	if (o && o->servers && o->servers[0] == 0) {
		snprintf(err, errlen, "empty DNS server list");
		return NULL;
	}
	if ((rc = ares_library_init(ARES_LIB_INIT_ALL)) != ARES_SUCCESS) {
		snprintf(err, errlen, "cannot initialise c-ares: %s", ares_strerror(rc));
		return NULL;
	}
	memset(&ao, 0, sizeof(ao));
	ao.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES;
	ao.timeout = o && o->timeout_ms > 0 ? o->timeout_ms : 5000;
	ao.tries = o && o->tries > 0 ? o->tries : 2;
	d = sp_xcalloc(1, sizeof(*d));
	d->done_tail = &d->done;
	rc = ares_init_options(&d->ch, &ao, ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES);
	if (rc != ARES_SUCCESS) {
		snprintf(err, errlen, "cannot start the DNS resolver: %s", ares_strerror(rc));
		free(d);
		ares_library_cleanup();
		return NULL;
	}
	if (o && o->servers && (rc = ares_set_servers_ports_csv(d->ch, o->servers)) != ARES_SUCCESS) {
		snprintf(err, errlen, "bad DNS server list \"%.100s\": %s", o->servers,
			 ares_strerror(rc));
		ares_destroy(d->ch);
		free(d);
		ares_library_cleanup();
		return NULL;
	}
	return d;
}

int sp_dns_fds(struct sp_dns *d, struct pollfd *fds, int n)
{
	ares_socket_t socks[ARES_GETSOCK_MAXNUM];
	int bits = ares_getsock(d->ch, socks, ARES_GETSOCK_MAXNUM), k = 0;

	for (int i = 0; i < ARES_GETSOCK_MAXNUM && k < n; i++) {
		short ev = 0;

		if (ARES_GETSOCK_READABLE(bits, i))
			ev |= POLLIN;
		if (ARES_GETSOCK_WRITABLE(bits, i))
			ev |= POLLOUT;
		if (ev == 0)
			break;
		fds[k].fd = socks[i];
		fds[k].events = ev;
		fds[k].revents = 0;
		k++;
	}
	return k;
}

int sp_dns_timeout(struct sp_dns *d)
{
	struct timeval tv, *tvp;
	long long ms;

	if (d->done != NULL)
		return 0;
	if (d->pending == 0 || (tvp = ares_timeout(d->ch, NULL, &tv)) == NULL)
		return -1;
	ms = (long long)tvp->tv_sec * 1000 + (tvp->tv_usec + 999) / 1000;
	return ms > INT_MAX ? INT_MAX : ms < 0 ? 0 : (int)ms;
}

void sp_dns_process(struct sp_dns *d, int rfd, int wfd)
{
	ares_process_fd(d->ch, rfd < 0 ? ARES_SOCKET_BAD : rfd, wfd < 0 ? ARES_SOCKET_BAD : wfd);
	sp_dns_deliver(d);
}

int sp_dns_pending(const struct sp_dns *d)
{
	return d->pending;
}

int sp_dns_wait(struct sp_dns *d)
{
	struct pollfd fds[SP_DNS_FDS_MAX];

	for (sp_dns_deliver(d); d->pending > 0; sp_dns_deliver(d)) {
		int n = sp_dns_fds(d, fds, SP_DNS_FDS_MAX), t = sp_dns_timeout(d), r;

		/* A lookup in flight always has a deadline; never block for good. */
		r = poll(fds, (nfds_t)n, t < 0 ? 1000 : t);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0) {
			sp_dns_process(d, -1, -1);
			continue;
		}
		for (int i = 0; i < n; i++) {
			short ev = fds[i].revents;

			if (ev == 0)
				continue;
			sp_dns_process(d, ev & (POLLIN | POLLERR | POLLHUP) ? fds[i].fd : -1,
				       ev & POLLOUT ? fds[i].fd : -1);
		}
	}
	return 0;
}

void sp_dns_free(struct sp_dns **dp)
{
	struct sp_dns *d = *dp;

	if (d == NULL)
		return;
	*dp = NULL;
	sp_dns_deliver(d);
	d->closing = 1;
	ares_destroy(d->ch);   /* calls back every query in flight */
	sp_dns_deliver(d);
	free(d);
	ares_library_cleanup();
}
