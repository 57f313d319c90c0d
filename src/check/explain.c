/*
 * explain.c - one transaction explained (see explain.h).
 */
#include "explain.h"
#include "../net/dns.h"
#include "../policy/netlist.h"
#include "../util/mem.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#define SP_XTRACE 512

struct sp_xrun {
	const struct sp_policy *p;
	const struct sp_explain_txn *t;
	FILE *out;                /* NULL: evaluate quietly */
	struct sp_dns *resolver;  /* NULL: every name is taken to exist */
	struct sp_pdns_cache *dns; /* the answers so far, shared by every run */
	struct sp_tentry *tv;
	char reply[600];
	int accepted;
	char stopped[160];        /* where evaluation stopped */
};

/* ---- the log line ---- */

/* Copies what stands between open and close after key into out. */
static int sp_field(const char *line, const char *key, char close, char *out, size_t len)
{
	const char *p = strstr(line, key), *e;

	if (p == NULL)
		return -1;
	p += strlen(key);
	if ((e = strchr(p, close)) == NULL || (size_t)(e - p) >= len)
		return -1;
	snprintf(out, len, "%.*s", (int)(e - p), p);
	return 0;
}

int sp_explain_parse_log(const char *line, struct sp_explain_txn *t, char *err, size_t errlen)
{
	const char *from = strstr(line, " from "), *br, *colon;
	unsigned char a[16];

	memset(t, 0, sizeof(*t));
	if (strstr(line, "reject: ") == NULL || from == NULL ||
	    (br = strchr(from + 6, '[')) == NULL || br - (from + 6) >= (long)sizeof(t->client_name)) {
		snprintf(err, errlen, "not a reject line (\"reject: RCPT from NAME[IP]: ...\")");
		return -1;
	}
	snprintf(t->client_name, sizeof(t->client_name), "%.*s", (int)(br - (from + 6)), from + 6);
	if (sp_field(br, "[", ']', t->client, sizeof(t->client)) < 0 ||
	    sp_field(line, " to=<", '>', t->to, sizeof(t->to)) < 0 || t->to[0] == 0) {
		snprintf(err, errlen, "the line has no client address or no to=<...>");
		return -1;
	}
	if (inet_pton(AF_INET, t->client, a) != 1 && inet_pton(AF_INET6, t->client, a) != 1) {
		snprintf(err, errlen, "the client address is no IP address");
		return -1;
	}
	(void)sp_field(line, " from=<", '>', t->from, sizeof(t->from));
	(void)sp_field(line, " helo=<", '>', t->helo, sizeof(t->helo));
	if ((colon = strstr(br, "]: ")) != NULL)
		(void)sp_field(colon, "]: ", ';', t->logged_reply, sizeof(t->logged_reply));
	return 0;
}

/* ---- one evaluation ---- */

static void sp_x_print_trace(const struct sp_xrun *x, const struct sp_ptrace *tr)
{
	for (size_t i = 0; x->out && i < tr->n; i++) {
		const struct sp_tentry *e = &tr->v[i];
		int ind = 4 + 2 * (int)e->depth;
		switch (e->kind) {
		case SP_TR_LIST:
			fprintf(x->out, "%*s%s\n", ind - 2, "", e->name);
			break;
		case SP_TR_STEP:
			fprintf(x->out, "%*s%s: %s%s%s\n", ind, "", e->name, e->result,
				e->detail[0] ? " - " : "", e->detail);
			break;
		case SP_TR_LOOKUP:
			fprintf(x->out, "%*s  lookup %s in %s: %s%s\n", ind, "", e->key, e->table,
				e->found ? "found " : "not found", e->found ? e->value : "");
			break;
		case SP_TR_NOTE:
			fprintf(x->out, "%*s  (%s%s%s)\n", ind, "", e->result, e->result[0] ? ": " : "",
				e->detail);
			break;
		}
	}
	if (x->out && tr->lost)
		fprintf(x->out, "    (%zu more steps not shown)\n", tr->lost);
}

/* The last step with a verdict in the trace: where evaluation stopped. */
static void sp_x_stopped(const struct sp_ptrace *tr, char *out, size_t len)
{
	const char *list = NULL;

	for (size_t i = 0; i < tr->n; i++) {
		const struct sp_tentry *e = &tr->v[i];
		if (e->kind == SP_TR_LIST)
			list = e->name;
		else if (e->kind == SP_TR_STEP && strcmp(e->result, "DUNNO") != 0)
			snprintf(out, len, "%s in %s", e->name, list ? list : "?");
	}
}

static const char *sp_x_command(enum sp_pstage st, const struct sp_txn *txn, char *buf,
				size_t len)
{
	switch (st) {
	case SP_STAGE_CLIENT:
		snprintf(buf, len, "connect from %s[%s]", txn->client_name, txn->client_addr);
		break;
	case SP_STAGE_HELO:
		snprintf(buf, len, "EHLO %s", txn->helo ? txn->helo : "");
		break;
	case SP_STAGE_MAIL:
		snprintf(buf, len, "MAIL FROM:<%s>", txn->sender);
		break;
	case SP_STAGE_RCPT:
		snprintf(buf, len, "RCPT TO:<%s>", txn->recipient);
		break;
	default:
		snprintf(buf, len, "DATA");
	}
	return buf;
}

/* ---- DNS ---- */

struct sp_x_answer {
	int done;
	int abandoned;            /* the asker gave up: the call-back frees it */
	enum sp_dns_status st;
	char why[SP_DNS_WHY_MAX];
};

static void sp_x_answered(void *ctx, const char *name, enum sp_dns_status st, const char *why)
{
	struct sp_x_answer *a = ctx;

	(void)name;
	if (a->abandoned) {
		free(a);
		return;
	}
	a->done = 1;
	a->st = st;
	snprintf(a->why, sizeof(a->why), "%s", why);
}

/* Asks the resolver as the server does and waits; the status the policy
 * engine takes (a permanent server error counts as not found, as in the
 * server), with the reason in why. */
static enum sp_pdns_status sp_x_lookup(struct sp_xrun *x, enum sp_pdns_kind kind,
				       const char *name, char *why, size_t len)
{
	struct sp_x_answer *a = sp_xcalloc(1, sizeof(*a));
	enum sp_dns_status st;
	char err[256];

	if (sp_dns_lookup(x->resolver, name, kind == SP_PDNS_HOST ? SP_DNS_HOST : SP_DNS_MAILHOST,
			  sp_x_answered, a, err, sizeof(err)) < 0) {
		free(a);
		snprintf(why, len, "%s", err);
		return SP_PDNS_RETRY;
	}
	if (sp_dns_wait(x->resolver) < 0 || !a->done) {
		a->abandoned = 1;   /* still outstanding: its call-back comes later */
		snprintf(why, len, "no answer");
		return SP_PDNS_RETRY;
	}
	st = a->st;
	snprintf(why, len, "%s", a->why);
	free(a);
	return st == SP_DNS_FAIL ? SP_PDNS_NOTFOUND : (enum sp_pdns_status)st;
}

static const char *sp_x_status_name(enum sp_pdns_status st)
{
	switch (st) {
	case SP_PDNS_OK:
		return "found";
	case SP_PDNS_NOTFOUND:
		return "not found";
	case SP_PDNS_RETRY:
		return "temporary failure";
	case SP_PDNS_INVAL:
		return "malformed reply";
	default:
		return "null MX (it accepts no mail)";
	}
}

/* The answer to the question the engine is waiting for, printed. */
static void sp_x_answer(struct sp_xrun *x, const struct sp_presult *res)
{
	const char *types = res->pending_kind == SP_PDNS_HOST ? "A, AAAA, MX" : "MX, A, AAAA";
	enum sp_pdns_status st = SP_PDNS_OK;
	char why[SP_DNS_WHY_MAX] = "";

	if (x->resolver == NULL) {
		if (x->out)
			fprintf(x->out, "    (DNS: %s is assumed to exist: --no-dns)\n",
				res->pending_name);
	} else {
		st = sp_x_lookup(x, res->pending_kind, res->pending_name, why, sizeof(why));
		if (x->out)
			fprintf(x->out, "    (DNS: %s (%s): %s%s%s)\n", res->pending_name, types,
				sp_x_status_name(st), why[0] ? ": " : "", why);
	}
	sp_pdns_put(x->dns, res->pending_kind, res->pending_name, st);
}

/* One stage, with the DNS answers it waits for. */
static int sp_x_stage(struct sp_xrun *x, enum sp_pstage st, struct sp_txn *txn)
{
	struct sp_ptrace tr = {x->tv, 0, SP_XTRACE, 0};
	struct sp_presult res;
	char cmd[700];

	if (x->out)
		fprintf(x->out, "%s\n", sp_x_command(st, txn, cmd, sizeof(cmd)));
	for (int i = 0; i <= SP_PDNS_MAX; i++) {
		tr.n = tr.lost = 0;
		sp_policy_eval(x->p, st, txn, &res, &tr);
		if (res.verdict != SP_POLICY_PENDING)
			break;
		sp_x_answer(x, &res);
	}
	if (x->out && tr.n == 0)
		fprintf(x->out, "    (no restriction runs here%s)\n", sp_policy_delay_reject(x->p) &&
			(st == SP_STAGE_HELO || st == SP_STAGE_MAIL) ? ": smtpd_delay_reject = yes "
			"runs the client, HELO and sender restrictions at RCPT" : "");
	sp_x_print_trace(x, &tr);
	if (res.verdict == SP_POLICY_ACCEPT)
		return 0;
	snprintf(x->reply, sizeof(x->reply), "%s", res.verdict == SP_POLICY_HANGUP ?
		 "(no reply: the connection is closed, an access table said HANGUP)" : res.reply);
	sp_x_stopped(&tr, x->stopped, sizeof(x->stopped));
	if (x->stopped[0] == 0)
		snprintf(x->stopped, sizeof(x->stopped), "%s", res.deciding);
	return -1;
}

static void sp_x_txn(const struct sp_explain_txn *t, struct sp_txn *txn, struct sp_pdns_cache *dns)
{
	int named = t->client_name[0] && strcmp(t->client_name, "unknown") != 0;

	memset(txn, 0, sizeof(*txn));
	txn->client_addr = t->client;
	txn->client_name = txn->reverse_name = named ? t->client_name : "unknown";
	txn->name_status = txn->reverse_status = named ? SP_PEER_OK : SP_PEER_PERM;
	txn->helo = t->helo[0] ? t->helo : NULL;
	txn->esmtp = 1;
	txn->tls = t->tls || t->ccert[0];
	txn->ccert_fingerprint = t->ccert[0] ? t->ccert : NULL;
	txn->ccert_pkey_fingerprint = t->ccert[0] && t->ccert_pkey[0] ? t->ccert_pkey : NULL;
	txn->ccert_verified = t->ccert[0] && t->ccert_trusted;
	txn->sasl_user = t->sasl[0] ? t->sasl : NULL;
	txn->dns = dns;
}

/* Runs the transaction; returns 1 when the recipient is accepted. */
static int sp_x_run(struct sp_xrun *x)
{
	static const enum sp_pstage early[] = {SP_STAGE_CLIENT, SP_STAGE_HELO, SP_STAGE_MAIL};
	struct sp_txn txn;

	sp_x_txn(x->t, &txn, x->dns);
	x->accepted = 0;
	x->stopped[0] = 0;
	for (size_t i = sp_policy_delay_reject(x->p) ? 1 : 0; i < 3; i++) {
		if (early[i] == SP_STAGE_MAIL)
			txn.sender = x->t->from;
		if (sp_x_stage(x, early[i], &txn) < 0)
			return 0;
	}
	txn.sender = x->t->from;
	txn.recipient = x->t->to;
	if (sp_x_stage(x, SP_STAGE_RCPT, &txn) < 0)
		return 0;
	snprintf(x->reply, sizeof(x->reply), "250 2.1.5 Ok");
	x->accepted = 1;
	return 1;
}

/* ---- what would change it ---- */

/* The owners smtpd_sender_login_maps gave in the last run's trace. */
static int sp_x_owner(const struct sp_tentry *tv, size_t n, char *out, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (tv[i].kind == SP_TR_LOOKUP && tv[i].found &&
		    strstr(tv[i].table, "sender_login") != NULL) {
			size_t k = strcspn(tv[i].value, ", \t");
			snprintf(out, len, "%.*s", (int)k, tv[i].value);
			return 0;
		}
	return -1;
}

static void sp_x_variant(const struct sp_xrun *base, const struct sp_explain_txn *t,
			 const char *what, int *shown)
{
	struct sp_xrun v;

	memset(&v, 0, sizeof(v));
	v.p = base->p;
	v.t = t;
	v.tv = base->tv;
	v.resolver = base->resolver;
	v.dns = base->dns;
	sp_x_run(&v);
	if (strcmp(v.reply, base->reply) == 0)
		return;
	fprintf(base->out, "  - %s: %s\n", what, v.reply);
	(*shown)++;
}

static void sp_x_counterfactuals(struct sp_xrun *x)
{
	const struct sp_netlist *mn = sp_policy_mynetworks(x->p);
	struct sp_explain_txn v = *x->t;
	char what[1400], owner[256], err[64], samples[1][64];
	const char *elem = NULL, *elems[1];
	int shown = 0;

	int have_owner = sp_x_owner(x->tv, SP_XTRACE, owner, sizeof(owner)) == 0;

	fprintf(x->out, "\nWhat would change the decision:\n");
	if (x->t->sasl[0] == 0) {
		snprintf(v.sasl, sizeof(v.sasl), "sallyport-explain-login");
		sp_x_variant(x, &v, "logged in (as a login that owns no address)", &shown);
		if (!have_owner)   /* the logged-in run may have reached the login check */
			have_owner = sp_x_owner(x->tv, SP_XTRACE, owner, sizeof(owner)) == 0;
		if (have_owner) {
			snprintf(v.sasl, sizeof(v.sasl), "%s", owner);
			snprintf(what, sizeof(what), "logged in as %s (an owner of <%s> in "
				 "smtpd_sender_login_maps)", owner, x->t->from);
			sp_x_variant(x, &v, what, &shown);
		}
	} else {
		v.sasl[0] = 0;
		sp_x_variant(x, &v, "not logged in", &shown);
	}
	v = *x->t;
	v.tls = !(x->t->tls || x->t->ccert[0]);   /* a certificate implies TLS */
	v.ccert[0] = 0;
	sp_x_variant(x, &v, v.tls ? "with TLS" : "without TLS", &shown);
	v = *x->t;
	if (mn && sp_netlist_match(mn, x->t->client, &elem, err, sizeof(err)) == 1) {
		snprintf(v.client, sizeof(v.client), "203.0.113.7");
		snprintf(what, sizeof(what), "if %s were not in mynetworks (it matches %s)",
			 x->t->client, elem ? elem : "an element");
		if (sp_netlist_match(mn, v.client, NULL, err, sizeof(err)) == 0)
			sp_x_variant(x, &v, what, &shown);
	} else if (mn && sp_netlist_samples(mn, samples, elems, 1) == 1) {
		snprintf(v.client, sizeof(v.client), "%s", samples[0]);
		snprintf(what, sizeof(what), "from a client in mynetworks (%s, in %s)", samples[0],
			 elems[0]);
		sp_x_variant(x, &v, what, &shown);
	}
	if (shown == 0)
		fprintf(x->out, "  nothing of: logging in, TLS, mynetworks\n");
}

int sp_explain(const struct sp_policy *p, const char *service, const struct sp_explain_txn *t,
	       struct sp_dns *dns, FILE *out)
{
	struct sp_xrun x;
	int ok;

	memset(&x, 0, sizeof(x));
	x.p = p;
	x.t = t;
	x.resolver = dns;
	x.dns = sp_xcalloc(1, sizeof(*x.dns));
	x.out = out;
	x.tv = sp_xcalloc(SP_XTRACE, sizeof(*x.tv));
	fprintf(out, "service %s; smtpd_delay_reject = %s\n", service,
		sp_policy_delay_reject(p) ? "yes" : "no");
	fprintf(out, "client %s[%s], %s, %s%s\n", t->client_name[0] ? t->client_name : "unknown",
		t->client, t->tls || t->ccert[0] ? "TLS" : "no TLS",
		t->sasl[0] ? "logged in as " : "not logged in", t->sasl);
	if (t->ccert[0])
		fprintf(out, "client certificate %s%s%s, %s\n", t->ccert,
			t->ccert_pkey[0] ? ", public key " : "", t->ccert_pkey,
			t->ccert_trusted ? "verified by the CAs" : "not verified");
	fputc('\n', out);
	ok = sp_x_run(&x);
	if (!ok)
		fprintf(out, "\nstopped at %s\n", x.stopped[0] ? x.stopped : "?");
	fprintf(out, "\nthe server answers: %s\n", x.reply);
	if (t->logged_reply[0])
		fprintf(out, "the log line said:  %s%s\n", t->logged_reply,
			strncmp(t->logged_reply, x.reply, strlen(t->logged_reply)) == 0 ? "" :
			" (the configuration has changed since, or the transaction had more to it)");
	sp_x_counterfactuals(&x);
	free(x.tv);
	free(x.dns);
	return ok ? 0 : 1;
}
