/*
 * relay.c - the open-relay proof (see check.h). For every smtpd service,
 * the compiled restrictions are evaluated, stage by stage as the server
 * does, on the transactions an outside party can make: clients outside
 * mynetworks (IPv4, IPv6, IPv4-mapped) and inside mynetworks elements that
 * an outside party can reach (very wide ones, carrier-grade NAT, Docker's
 * bridge), with and without TLS, under names and HELOs an attacker
 * chooses, from senders of every kind, to an outside recipient in every
 * address form the resolver sees through. A transaction that ends with the
 * message accepted for a recipient outside our domains is an open relay;
 * each client class that relays is one finding, with the first
 * transaction that did it and the restriction that let it through.
 */
#include "check.h"
#include "../policy/netlist.h"
#include "../policy/resolve.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SP_OUTSIDE_DOMAIN "relay-test.invalid"
#define SP_TRACE_MAX 512

struct sp_rclient {
	char addr[64];
	char why[300];        /* who this is */
};

struct sp_rctx {
	const struct sp_check_svc *svc;
	const char *ours;     /* a domain of ours, for the routed forms */
	const char *helos[5];
	const char *senders[5];
	char hbuf[2][300], sbuf[300];
	char rcpts[8][400];
	size_t nhelo, nsender, nrcpt;
	struct sp_tentry trace_v[SP_TRACE_MAX];
};

/* 1 when addr is inside net/prefix (IPv4 dotted quads only). */
static int sp_in4(const char *addr, const char *net, int prefix)
{
	struct in_addr a, n;
	uint32_t mask = prefix ? 0xffffffffu << (32 - prefix) : 0;

	return inet_pton(AF_INET, addr, &a) == 1 && inet_pton(AF_INET, net, &n) == 1 &&
	       (ntohl(a.s_addr) & mask) == (ntohl(n.s_addr) & mask);
}

/* The prefix length written in a netlist element ("10.0.0.0/8",
 * "[2001:db8::]/32"); the full length when none is written. */
static int sp_elem_prefix(const char *elem, int v6)
{
	const char *slash = strrchr(elem, '/');

	return slash ? atoi(slash + 1) : v6 ? 128 : 32;
}

/* A mynetworks element an outside party can be inside of; why says so. */
static int sp_reachable_elem(const char *addr, const char *elem, char *why, size_t len)
{
	int v6 = strchr(addr, ':') != NULL, prefix = sp_elem_prefix(elem, v6);

	if (!v6 && sp_in4(addr, "100.64.0.0", 10))
		snprintf(why, len, "a client in mynetworks element %s: carrier-grade NAT "
			 "(100.64.0.0/10), where the provider's other customers appear", elem);
	else if (!v6 && sp_in4(addr, "172.17.0.0", 16))
		snprintf(why, len, "a client in mynetworks element %s: Docker's bridge "
			 "(172.17.0.0/16), where every outside client of a published port appears",
			 elem);
	else if ((!v6 && prefix < 8) || (v6 && prefix < 16))
		snprintf(why, len, "a client in mynetworks element %s, which covers a large part "
			 "of the Internet", elem);
	else
		return 0;
	return 1;
}

/* The first candidate mynetworks does not match, else the first one. */
static const char *sp_outside(const struct sp_netlist *mn, const char *const *cand)
{
	char err[128];

	for (size_t i = 0; cand[i]; i++)
		if (mn == NULL || sp_netlist_match(mn, cand[i], NULL, err, sizeof(err)) == 0)
			return cand[i];
	return cand[0];
}

static int sp_have_client(const struct sp_rclient *c, size_t n, const char *addr)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(c[i].addr, addr) == 0)
			return 1;
	return 0;
}

/* The outside candidate inside a wide element, else its first host. */
static const char *sp_in_elem(const char *elem, const char *sample)
{
	static const char *const cand[] = {"203.0.113.7", "2001:db8:ffff::7"};
	struct sp_diags d = {0};
	struct sp_netlist *one = sp_netlist_compile(elem, "mynetworks", NULL, 0, &d);
	const char *out = sample;
	char err[64];

	for (size_t i = 0; one && i < 2; i++)
		if (sp_netlist_match(one, cand[i], NULL, err, sizeof(err)) == 1) {
			out = cand[i];
			break;
		}
	sp_netlist_free(&one);
	sp_diags_free(&d);
	return out;
}

static size_t sp_clients(const struct sp_check_svc *svc, struct sp_rclient *c, size_t max)
{
	static const char *const v4[] = {"203.0.113.7", "198.51.100.7", "192.0.2.7", "8.8.8.8",
					 NULL};
	static const char *const v6[] = {"2001:db8:ffff::7", "2a00:1450:4001::7", NULL};
	const struct sp_netlist *mn = sp_policy_mynetworks(svc->policy);
	char samples[64][64];
	const char *elems[64];
	size_t n = 0, k;

	snprintf(c[n].addr, sizeof(c[n].addr), "%s", sp_outside(mn, v4));
	snprintf(c[n++].why, sizeof(c[0].why), "an outside client (IPv4)");
	snprintf(c[n].addr, sizeof(c[n].addr), "%s", sp_outside(mn, v6));
	snprintf(c[n++].why, sizeof(c[0].why), "an outside client (IPv6)");
	snprintf(c[n].addr, sizeof(c[n].addr), "::ffff:%.40s", sp_outside(mn, v4));
	snprintf(c[n++].why, sizeof(c[0].why), "an outside client (IPv4-mapped IPv6)");
	for (size_t i = 0; i < 2 && n < max; i++) {   /* NAT space inside a wider element */
		static const char *const nat[] = {"100.64.0.1", "172.17.0.1"};
		const char *elem = NULL;
		char err[64];
		if (mn && sp_netlist_match(mn, nat[i], &elem, err, sizeof(err)) == 1 &&
		    sp_reachable_elem(nat[i], elem ? elem : nat[i], c[n].why, sizeof(c[n].why)))
			snprintf(c[n++].addr, sizeof(c[0].addr), "%s", nat[i]);
	}
	k = sp_netlist_samples(mn, samples, elems, 64);
	for (size_t i = 0; i < k && n < max; i++) {
		if (!sp_reachable_elem(samples[i], elems[i], c[n].why, sizeof(c[n].why)))
			continue;
		/* an outside address when the element has one (0.0.0.0/0: 203.0.113.7) */
		snprintf(c[n].addr, sizeof(c[0].addr), "%s", sp_in_elem(elems[i], samples[i]));
		if (!sp_have_client(c, n, c[n].addr))
			n++;
	}
	return n;
}

/* A domain of ours: the first of mydestination, the virtual domains,
 * relay_domains; myhostname otherwise. */
static void sp_our_domain(const struct sp_view *v, char *out, size_t len)
{
	static const char *const params[] = {"mydestination", "virtual_mailbox_domains",
					     "virtual_alias_domains", "relay_domains"};

	for (size_t i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
		const char *val = sp_view_get(v, params[i]);
		size_t n;
		if (val == NULL)
			continue;
		val += strspn(val, " \t,");
		n = strcspn(val, " \t,");
		if (n > 0 && n < len && memchr(val, ':', n) == NULL && val[0] != '/') {
			snprintf(out, len, "%.*s", (int)n, val);
			return;
		}
	}
	snprintf(out, len, "%s", sp_view_get(v, "myhostname") ? sp_view_get(v, "myhostname")
							      : "localhost");
}

static void sp_rctx_init(struct sp_rctx *r, char *ours, size_t olen)
{
	const struct sp_view *v = r->svc->view;
	const char *host = sp_view_get(v, "myhostname");
	static const char *const forms[] = {
		"victim@" SP_OUTSIDE_DOMAIN, "victim%%" SP_OUTSIDE_DOMAIN "@%s",
		"@%s:victim@" SP_OUTSIDE_DOMAIN, SP_OUTSIDE_DOMAIN "!victim@%s",
		"victim@" SP_OUTSIDE_DOMAIN "@%s", "victim@" SP_OUTSIDE_DOMAIN ".",
		"victim@[192.0.2.250]",
	};

	sp_our_domain(v, ours, olen);
	r->ours = ours;
	r->nhelo = r->nsender = r->nrcpt = 0;
	r->helos[r->nhelo++] = "client.attacker.example";
	r->helos[r->nhelo++] = "localhost";
	snprintf(r->hbuf[0], sizeof(r->hbuf[0]), "%s", host ? host : "localhost");
	r->helos[r->nhelo++] = r->hbuf[0];
	snprintf(r->hbuf[1], sizeof(r->hbuf[1]), "%s", ours);
	r->helos[r->nhelo++] = r->hbuf[1];
	r->helos[r->nhelo++] = "203.0.113.7";   /* a naked IP address */
	r->senders[r->nsender++] = "someone@attacker.example";
	r->senders[r->nsender++] = "";
	snprintf(r->sbuf, sizeof(r->sbuf), "postmaster@%s", ours);
	r->senders[r->nsender++] = r->sbuf;
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
		snprintf(r->rcpts[r->nrcpt++], sizeof(r->rcpts[0]), forms[i], ours);
}

/* Evaluates a stage, answering DNS questions as the attacker would want
 * (every name exists). */
static void sp_eval(const struct sp_policy *p, enum sp_pstage st, struct sp_txn *t,
		    struct sp_presult *out, struct sp_ptrace *tr)
{
	for (int i = 0; i < SP_PDNS_MAX; i++) {
		if (tr)
			tr->n = tr->lost = 0;
		sp_policy_eval(p, st, t, out, tr);
		if (out->verdict != SP_POLICY_PENDING)
			return;
		sp_pdns_put(t->dns, out->pending_kind, out->pending_name, SP_PDNS_OK);
	}
}

/* The restriction that let the recipient through: the last one that said
 * OK in the RCPT stage's trace, with its list. */
static const char *sp_permitter(const struct sp_ptrace *tr, char *out, size_t len)
{
	const char *list = NULL, *deciding = "smtpd_relay_restrictions";

	snprintf(out, len, "no restriction refused it (every list ran to its end)");
	for (size_t i = 0; i < tr->n; i++) {
		const struct sp_tentry *e = &tr->v[i];
		if (e->kind == SP_TR_LIST) {
			list = e->name;
		} else if (e->kind == SP_TR_STEP && strcmp(e->result, "OK") == 0) {
			snprintf(out, len, "%s in %s", e->name, list ? list : "a restriction list");
			deciding = list ? list : deciding;
		}
	}
	return deciding;
}

/* Runs one transaction; 1 when it relays (*why set to the permitter). */
static int sp_try(struct sp_rctx *r, const struct sp_rclient *c, int tls, const char *helo,
		  const char *sender, const char *rcpt, char *why, size_t wlen, const char **list)
{
	static const enum sp_pstage before[] = {SP_STAGE_CLIENT, SP_STAGE_HELO, SP_STAGE_MAIL};
	const struct sp_policy *p = r->svc->policy;
	struct sp_pdns_cache dns = {0};
	struct sp_txn t;
	struct sp_presult res;
	struct sp_ptrace tr = {r->trace_v, 0, SP_TRACE_MAX, 0};

	memset(&t, 0, sizeof(t));
	t.client_addr = c->addr;
	t.client_name = t.reverse_name = "unknown";
	t.name_status = t.reverse_status = SP_PEER_PERM;
	t.helo = helo;
	t.esmtp = 1;
	t.tls = tls;
	t.dns = &dns;
	for (size_t i = 0; i < 3 && !sp_policy_delay_reject(p); i++) {
		if (i == 2)
			t.sender = sender;
		sp_eval(p, before[i], &t, &res, NULL);
		if (res.verdict != SP_POLICY_ACCEPT)
			return 0;
	}
	t.sender = sender;
	t.recipient = rcpt;
	sp_eval(p, SP_STAGE_RCPT, &t, &res, &tr);
	if (res.verdict != SP_POLICY_ACCEPT)
		return 0;
	*list = sp_permitter(&tr, why, wlen);
	t.rcpt_count = 1;
	sp_eval(p, SP_STAGE_DATA, &t, &res, NULL);
	if (res.verdict != SP_POLICY_ACCEPT)
		return 0;
	sp_eval(p, SP_STAGE_EOD, &t, &res, NULL);
	return res.verdict == SP_POLICY_ACCEPT && !(res.effects & SP_PEFF_DISCARD);
}

/* 1 when rcpt resolves to a destination outside our domains. */
static int sp_outside_rcpt(const struct sp_policy *p, const char *rcpt)
{
	struct sp_resolved res;
	char err[256];

	return sp_resolve(sp_policy_resolver(p), rcpt, &res, err, sizeof(err)) == 0 &&
	       res.cls == SP_CLASS_DEFAULT;
}

/* What relayed for one service: the client classes, and the first
 * transaction with the restriction that let it through. */
struct sp_relayed {
	char list[64];        /* the list whose permit let it through */
	char classes[1024];
	size_t count, total, nclasses;
	char proof[4096];
	char why[300];
};

static void sp_report(const struct sp_rctx *r, const struct sp_relayed *x, struct sp_findings *f)
{
	const struct sp_service *ms = r->svc->ms;

	sp_finding_add(f, "open-relay", SP_FS_ERROR, ms ? ms->file : NULL, ms ? ms->line : 0,
		       x->list, ms ? ms->name : NULL,
		       "anyone who can reach this address sends mail through this server to any "
		       "destination: spammers find such servers within hours, and its address "
		       "ends on block lists",
		       "end smtpd_relay_restrictions with reject_unauth_destination, after only "
		       "permit_sasl_authenticated and a mynetworks of hosts you trust",
		       "open relay: %s relay%s mail to outside domains (%zu of %zu transactions "
		       "tried); let through by %s", x->classes, x->nclasses > 1 ? "" : "s",
		       x->count, x->total, x->why);
	sp_finding_proof(f, x->proof);
}

static void sp_relay_client(struct sp_rctx *r, const struct sp_rclient *c, struct sp_relayed *x)
{
	size_t before = x->count;
	char why[300];
	const char *level = sp_view_get(r->svc->view, "smtpd_tls_security_level");
	const char *wrap = sp_view_get(r->svc->view, "smtpd_tls_wrappermode");
	/* a service that requires TLS answers nothing else before STARTTLS */
	int tls_only = (level && strcasecmp(level, "encrypt") == 0) ||
		       (wrap && strcasecmp(wrap, "yes") == 0);

	for (int tls = tls_only; tls < 2; tls++)
		for (size_t h = 0; h < r->nhelo; h++)
			for (size_t s = 0; s < r->nsender; s++)
				for (size_t k = 0; k < r->nrcpt; k++) {
					const char *rcpt = r->rcpts[k];
					if (!sp_outside_rcpt(r->svc->policy, rcpt))
						continue;
					x->total++;
					const char *list = NULL;
					if (!sp_try(r, c, tls, r->helos[h], r->senders[s], rcpt, why,
						    sizeof(why), &list))
						continue;
					if (x->count++ > 0)
						continue;
					memcpy(x->why, why, sizeof(x->why));
					snprintf(x->list, sizeof(x->list), "%s", list);
					snprintf(x->proof, sizeof(x->proof), "connect from %.64s (name "
						 "unknown), %s, not logged in\nEHLO %.300s\nMAIL "
						 "FROM:<%.300s>\nRCPT TO:<%.400s>\n-> accepted; DATA "
						 "would be accepted", c->addr, tls ? "TLS" : "no TLS",
						 r->helos[h], r->senders[s], rcpt);
				}
	if (x->count > before) {
		size_t len = strlen(x->classes);
		snprintf(x->classes + len, sizeof(x->classes) - len, "%s%s",
			 x->nclasses ? "; " : "", c->why);
		x->nclasses++;
	}
}

/* 1 when one of the restriction lists names tok. */
static int sp_lists_have(const struct sp_view *v, const char *tok)
{
	static const char *const lists[] = {
		"smtpd_client_restrictions", "smtpd_helo_restrictions", "smtpd_sender_restrictions",
		"smtpd_relay_restrictions", "smtpd_recipient_restrictions"};
	size_t n = strlen(tok);

	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		const char *l = sp_view_get(v, lists[i]);
		for (const char *p = l; p && (p = strstr(p, tok)) != NULL; p += n)
			if ((p == l || strchr(" \t,", p[-1])) && (p[n] == 0 || strchr(" \t,", p[n])))
				return 1;
	}
	return 0;
}

/*
 * A sender-login check that a permit before it makes unreachable: a
 * logged-in user (one that owns nothing) sends as postmaster of our own
 * domain; reject_sender_login_mismatch and
 * reject_authenticated_sender_login_mismatch refuse that whenever they are
 * reached, so an accepted transaction proves a permit came first.
 */
static void sp_check_login_reach(struct sp_rctx *r, const struct sp_rclient *c,
				 struct sp_findings *f)
{
	const struct sp_view *v = r->svc->view;
	const struct sp_policy *p = r->svc->policy;
	const struct sp_service *ms = r->svc->ms;
	struct sp_pdns_cache dns = {0};
	struct sp_ptrace tr = {r->trace_v, 0, SP_TRACE_MAX, 0};
	struct sp_presult res;
	struct sp_txn t;
	char sender[300], why[300], proof[1200];
	const char *rcpt = "victim@" SP_OUTSIDE_DOMAIN;

	if (strcasecmp(sp_view_get(v, "smtpd_sasl_auth_enable") ? sp_view_get(v,
		       "smtpd_sasl_auth_enable") : "no", "yes") != 0 ||
	    !(sp_lists_have(v, "reject_sender_login_mismatch") ||
	      sp_lists_have(v, "reject_authenticated_sender_login_mismatch")))
		return;
	snprintf(sender, sizeof(sender), "postmaster@%s", r->ours);
	memset(&t, 0, sizeof(t));
	t.client_addr = c->addr;
	t.client_name = t.reverse_name = "unknown";
	t.name_status = t.reverse_status = SP_PEER_PERM;
	t.helo = "client.example.net";
	t.esmtp = t.tls = 1;
	t.sasl_user = "sallyport-audit-login";
	t.sender = sender;
	t.recipient = rcpt;
	t.dns = &dns;
	sp_eval(p, SP_STAGE_RCPT, &t, &res, &tr);
	if (res.verdict != SP_POLICY_ACCEPT)
		return;
	(void)sp_permitter(&tr, why, sizeof(why));
	sp_finding_add(f, "login-check-unreachable", SP_FS_ERROR, ms ? ms->file : NULL,
		       ms ? ms->line : 0, "smtpd_recipient_restrictions", ms ? ms->name : NULL,
		       "the first match wins: a permit before reject_sender_login_mismatch ends "
		       "the evaluation, so the check never runs for the clients it lets through, "
		       "and a logged-in user sends as anyone",
		       "put reject_sender_login_mismatch before permit_sasl_authenticated and "
		       "permit_mynetworks (e.g. smtpd_recipient_restrictions = "
		       "reject_sender_login_mismatch, permit_sasl_authenticated, "
		       "reject_unauth_destination)",
		       "a logged-in user may send as an address they do not own: the sender-login "
		       "check is never reached; let through by %s", why);
	snprintf(proof, sizeof(proof), "connect from %s, TLS, AUTH as sallyport-audit-login "
		 "(which owns no address)\nEHLO client.example.net\nMAIL FROM:<%s>\nRCPT TO:<%s>\n"
		 "-> accepted", c->addr, sender, rcpt);
	sp_finding_proof(f, proof);
}

void sp_check_relay(const struct sp_check_input *in, struct sp_findings *f)
{
	struct sp_rctx *r = calloc(1, sizeof(*r));
	struct sp_rclient clients[40];
	struct sp_relayed x;
	char ours[256];

	if (r == NULL)
		return;
	for (size_t i = 0; i < in->nsvc; i++) {
		size_t n;
		if (in->svc[i].policy == NULL)
			continue;
		r->svc = &in->svc[i];
		sp_rctx_init(r, ours, sizeof(ours));
		n = sp_clients(r->svc, clients, sizeof(clients) / sizeof(clients[0]));
		memset(&x, 0, sizeof(x));
		for (size_t k = 0; k < n; k++)
			sp_relay_client(r, &clients[k], &x);
		if (x.count)
			sp_report(r, &x, f);
		sp_check_login_reach(r, &clients[0], f);
	}
	free(r);
}
