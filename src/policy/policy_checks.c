/*
 * policy_checks.c - the restrictions that need more than a line: host name
 * and address syntax (Postfix's valid_hostname, valid_hostaddr), DNS
 * existence (answers from txn->dns, or a PENDING request), access table
 * lookups in Postfix's key orders, relay authorisation through the
 * resolver, sender login ownership, and recipient validation against the
 * maps of each address class.
 */
#include "policy_impl.h"
#include "../util/hostname.h"
#include "../util/utf8.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ---- syntax ---- */

/* A name ending in one dot loses it (Postfix's dup_if_truncate). */
static void sp_truncate_dot(const char *name, char *buf, size_t len)
{
	size_t n = strlen(name);

	if (n > 1 && name[n - 1] == '.' && name[n - 2] != '.')
		n--;
	if (n >= len)
		n = len - 1;
	memcpy(buf, name, n);
	buf[n] = 0;
}

/* valid_utf8_hostname: non-ASCII only with SMTPUTF8 (and then valid UTF-8;
 * sallyport does not convert to A-labels, docs/compat.md). */
static int sp_valid_utf8_hostname(int smtputf8, const char *name)
{
	int ascii = 1;

	for (const char *c = name; *c; c++)
		if ((unsigned char)*c >= 0x80)
			ascii = 0;
	return (ascii || smtputf8) && sp_valid_hostname(name, smtputf8 ? SP_HOST_UTF8 : 0);
}

int sp_pcheck_invalid_hostname(struct sp_peval *e, const char *name, const char *reply_name,
			       const char *reply_class)
{
	char test[300];

	sp_truncate_dot(name, test, sizeof(test));
	if (strlen(name) < sizeof(test) - 1 && (sp_valid_hostname(test, 0) || sp_valid_hostaddr(test)))
		return SP_CK_DUNNO;
	return sp_peval_reject(e, 0, e->p->bad_name_code, "5.5.2", "<%s>: %s rejected: Invalid name",
			       reply_name, reply_class);
}

int sp_pcheck_invalid_hostaddr(struct sp_peval *e, const char *addr, const char *reply_name,
			       const char *reply_class)
{
	char test[300];
	size_t n = strlen(addr);
	const char *a = test;
	int ok;

	if (addr[0] == '[' && n > 2 && addr[n - 1] == ']' && n < sizeof(test))
		snprintf(test, sizeof(test), "%.*s", (int)(n - 2), addr + 1);
	else
		snprintf(test, sizeof(test), "%s", addr);
	if (strncasecmp(a, "IPv6:", 5) == 0)
		ok = sp_valid_ipv6(a + 5);
	else
		ok = sp_valid_ipv4(a);
	if (ok && n < sizeof(test))
		return SP_CK_DUNNO;
	return sp_peval_reject(e, 0, e->p->bad_name_code, "5.5.2",
			       "<%s>: %s rejected: invalid ip address", reply_name, reply_class);
}

int sp_pcheck_non_fqdn_hostname(struct sp_peval *e, const char *name, const char *reply_name,
				const char *reply_class)
{
	char test[300];

	sp_truncate_dot(name, test, sizeof(test));
	if (strlen(name) < sizeof(test) - 1 && sp_valid_utf8_hostname(e->txn->smtputf8, test) &&
	    strchr(test, '.'))
		return SP_CK_DUNNO;
	return sp_peval_reject(e, 0, e->p->non_fqdn_code, "5.5.2",
			       "<%s>: %s rejected: need fully-qualified hostname", reply_name,
			       reply_class);
}

int sp_pcheck_non_fqdn_address(struct sp_peval *e, const char *addr, const char *reply_name,
			       const char *reply_class)
{
	const char *at = strrchr(addr, '@');
	const char *dom = at ? at + 1 : "";
	size_t n = strlen(dom);
	char test[300];

	if (n > 0 && dom[0] == '[' && dom[n - 1] == ']')
		return SP_CK_DUNNO;
	sp_truncate_dot(dom, test, sizeof(test));
	if (*test && n < sizeof(test) - 1 && sp_valid_utf8_hostname(e->txn->smtputf8, test) &&
	    strchr(test, '.'))
		return SP_CK_DUNNO;
	return sp_peval_reject(e, 0, e->p->non_fqdn_code, "4.5.2",
			       "<%s>: %s rejected: need fully-qualified address", reply_name,
			       reply_class);
}

/* ---- DNS ---- */

/* The answer for name from txn->dns: 1 with *st, or 0 after asking for it
 * (the evaluation then stops as PENDING). */
static int sp_dns_answer(struct sp_peval *e, enum sp_pdns_kind kind, const char *name,
			 enum sp_pdns_status *st)
{
	const struct sp_pdns_cache *c = e->txn->dns;

	/* Postfix's dns_lookup answers "not found" for a name that is no host
	 * name without asking (and sallyport has no IDNA: non-ASCII too). */
	if (!sp_valid_hostname(name, SP_HOST_WILDCARD)) {
		*st = SP_PDNS_NOTFOUND;
		sp_peval_trace(e, SP_TR_NOTE, NULL, NULL, "DNS: \"%s\" is no host name: not found",
			       name);
		return 1;
	}
	for (size_t i = 0; c && i < c->n; i++) {
		if (c->v[i].kind == kind && strcasecmp(c->v[i].name, name) == 0) {
			*st = c->v[i].status;
			sp_peval_trace(e, SP_TR_NOTE, NULL, NULL, "DNS %s %s: %s",
				       kind == SP_PDNS_HOST ? "host" : "mail host", name,
				       (const char *[]){"found", "not found", "temporary failure",
							"malformed reply", "null MX"}[*st]);
			return 1;
		}
	}
	e->pending = 1;
	e->out->pending_kind = kind;
	snprintf(e->out->pending_name, sizeof(e->out->pending_name), "%s", name);
	return 0;
}

void sp_pdns_put(struct sp_pdns_cache *c, enum sp_pdns_kind kind, const char *name,
		 enum sp_pdns_status st)
{
	if (c->n == SP_PDNS_MAX) {
		memmove(&c->v[0], &c->v[1], (SP_PDNS_MAX - 1) * sizeof(c->v[0]));
		c->n--;
	}
	c->v[c->n].kind = kind;
	c->v[c->n].status = st;
	snprintf(c->v[c->n].name, sizeof(c->v[0].name), "%s", name);
	c->n++;
}

int sp_pcheck_unknown_hostname(struct sp_peval *e, const char *name, const char *reply_name,
			       const char *reply_class)
{
	enum sp_pdns_status st;

	if (!sp_dns_answer(e, SP_PDNS_HOST, name, &st))
		return SP_CK_STOP;
	if (st == SP_PDNS_OK || st == SP_PDNS_NULLMX)
		return SP_CK_DUNNO;
	if (st != SP_PDNS_RETRY)
		return sp_peval_reject(e, 0, e->p->unk_name_code, "4.7.1", "<%s>: %s rejected: %s",
				       reply_name, reply_class, st == SP_PDNS_INVAL ?
				       "Malformed DNS server reply" : "Host not found");
	if (e->warn_if_reject == 0 && e->p->unk_name_tf_defer)
		return sp_peval_defer_if(e, e->dip, 450, "4.7.1", "<%s>: %s rejected: Host not found",
					 reply_name, reply_class);
	return sp_peval_reject(e, 0, 450, "4.7.1", "<%s>: %s rejected: Host not found", reply_name,
			       reply_class);
}

static int sp_unknown_mailhost(struct sp_peval *e, const char *name, const char *reply_name,
			       const char *reply_class)
{
	int snd = strcmp(reply_class, "Sender address") == 0;
	enum sp_pdns_status st;

	if (!sp_dns_answer(e, SP_PDNS_MAILHOST, name, &st))
		return SP_CK_STOP;
	switch (st) {
	case SP_PDNS_OK:
		return SP_CK_DUNNO;
	case SP_PDNS_NULLMX:
		return sp_peval_reject(e, 0, snd ? 550 : 556, snd ? "4.7.27" : "4.1.10",
				       "<%s>: %s rejected: Domain %s does not accept mail (nullMX)",
				       reply_name, reply_class, name);
	case SP_PDNS_RETRY:
		if (e->warn_if_reject == 0 && e->p->unk_addr_tf_defer)
			return sp_peval_defer_if(e, e->dip, 450, snd ? "4.1.8" : "4.1.2",
						 "<%s>: %s rejected: Domain not found", reply_name,
						 reply_class);
		return sp_peval_reject(e, 0, 450, snd ? "4.1.8" : "4.1.2",
				       "<%s>: %s rejected: Domain not found", reply_name, reply_class);
	default:
		return sp_peval_reject(e, 0, e->p->unk_addr_code, snd ? "4.1.8" : "4.1.2",
				       "<%s>: %s rejected: %s", reply_name, reply_class,
				       st == SP_PDNS_INVAL ? "Malformed DNS server reply"
							   : "Domain not found");
	}
}

/* Resolves addr, once per evaluation (restrictions ask for the same
 * addresses again and again); on a lookup error answers 451 (status in
 * *st) and returns NULL. */
static const struct sp_resolved *sp_presolve(struct sp_peval *e, const char *addr, int *st)
{
	size_t n = strlen(addr);
	struct sp_rmemo *m = NULL;
	char err[256];

	for (size_t i = 0; i < e->nmemo && i < SP_RMEMO && m == NULL; i++)
		if (e->memo[i].len == n && memcmp(e->memo[i].addr, addr, n) == 0)
			m = &e->memo[i];
	if (m == NULL) {
		m = &e->memo[e->nmemo++ % SP_RMEMO];
		m->len = n < sizeof(m->addr) ? n : (size_t)-1;   /* too long: never matched */
		if (n < sizeof(m->addr))
			memcpy(m->addr, addr, n + 1);
		if ((m->rc = sp_resolve(e->p->resolver, addr, &m->res, err, sizeof(err))) < 0)
			sp_peval_event(e, "warning", "address resolution of %s: %s", addr, err);
	}
	if (m->rc < 0) {
		*st = sp_peval_temp_lookup(e, addr);
		return NULL;
	}
	return &m->res;
}

static int sp_class_final(enum sp_addr_class c)
{
	return c == SP_CLASS_LOCAL || c == SP_CLASS_VIRTUAL_ALIAS || c == SP_CLASS_VIRTUAL_MAILBOX;
}

int sp_pcheck_unknown_address(struct sp_peval *e, const char *addr, const char *reply_name,
			      const char *reply_class)
{
	const struct sp_resolved *res;
	const char *at;
	int st;

	if ((res = sp_presolve(e, addr, &st)) == NULL)
		return st;
	if ((at = strrchr(res->address, '@')) == NULL || sp_class_final(res->cls))
		return SP_CK_DUNNO;
	if (at[1] == '[' && res->address[strlen(res->address) - 1] == ']')
		return SP_CK_DUNNO;
	return sp_unknown_mailhost(e, at + 1, reply_name, reply_class);
}

/* ---- relay ---- */

int sp_pcheck_auth_destination(struct sp_peval *e, const char *rcpt)
{
	const struct sp_resolved *res;
	int st;

	if ((res = sp_presolve(e, rcpt, &st)) == NULL)
		return st;
	if (e->trace)
		sp_peval_trace(e, SP_TR_NOTE, NULL, NULL, "%s resolves to %s (%s%s)", rcpt,
			       res->address, (const char *[]){"local", "virtual alias",
			       "virtual mailbox", "relay", "not ours"}[res->cls],
			       res->flags & SP_RESOLVE_ROUTED ? ", routed" : "");
	return sp_resolve_auth_destination(res, e->p->allow_untrusted_routing) ? SP_CK_OK
										 : SP_CK_DUNNO;
}

int sp_pcheck_unauth_destination(struct sp_peval *e, const char *rcpt, int code, const char *dsn)
{
	int st = sp_pcheck_auth_destination(e, rcpt);

	if (st == SP_CK_OK)
		return SP_CK_DUNNO;
	if (st != SP_CK_DUNNO)
		return st;
	return sp_peval_reject(e, 0, code, dsn, "<%s>: Relay access denied", rcpt);
}

/* ---- tables ---- */

int sp_pcheck_mail_access(struct sp_peval *e, struct sp_dict *table, const char *addr,
			  const char *reply_name, const char *reply_class, enum sp_rid def_acl)
{
	const struct sp_resolved *res;
	struct sp_lookup_keys k;
	int st, found;

	if ((res = sp_presolve(e, addr, &st)) == NULL)
		return st;
	if (strchr(res->address, '@') == NULL)
		return SP_CK_DUNNO;
	sp_lookup_keys_init(&k);
	sp_keys_mail_access(res->address, e->p->delim, e->p->parent_style, &k);
	st = sp_peval_access(e, table, &k, res->address, reply_name, reply_class, def_acl, &found);
	sp_lookup_keys_free(&k);
	/* A routed recipient is too uncertain a destination for an OK. */
	if (st == SP_CK_OK && !e->p->allow_untrusted_routing && (res->flags & SP_RESOLVE_ROUTED) &&
	    strcmp(reply_class, "Recipient address") == 0)
		return SP_CK_DUNNO;
	return st;
}

int sp_pcheck_client_access(struct sp_peval *e, struct sp_dict *table, const char *name,
			    const char *addr, const char *reply_name, const char *reply_class,
			    enum sp_rid def_acl)
{
	struct sp_lookup_keys k;
	int st, found;

	sp_lookup_keys_init(&k);
	sp_keys_domain_access(name, e->p->parent_style, &k);
	st = sp_peval_access(e, table, &k, name, reply_name, reply_class, def_acl, &found);
	sp_lookup_keys_free(&k);
	if (st != SP_CK_DUNNO || found)
		return st;
	sp_keys_addr_access(addr, &k);
	st = sp_peval_access(e, table, &k, addr, reply_name, reply_class, def_acl, &found);
	sp_lookup_keys_free(&k);
	return st;
}

int sp_pcheck_domain_access(struct sp_peval *e, struct sp_dict *table, const char *domain,
			    const char *reply_name, const char *reply_class, enum sp_rid def_acl,
			    int *found)
{
	struct sp_lookup_keys k;
	int st;

	sp_lookup_keys_init(&k);
	sp_keys_domain_access(domain, e->p->parent_style, &k);
	st = sp_peval_access(e, table, &k, domain, reply_name, reply_class, def_acl, found);
	sp_lookup_keys_free(&k);
	return st;
}

int sp_pcheck_ccert_access(struct sp_peval *e, struct sp_dict *table, enum sp_rid def_acl)
{
	const struct sp_txn *t = e->txn;
	const char *fp[2] = {t->ccert_fingerprint, t->ccert_pkey_fingerprint};
	int st = SP_CK_DUNNO, found;

	if (!t->tls || t->ccert_fingerprint == NULL)
		return SP_CK_DUNNO;
	/* The certificate's fingerprint, then its public key's: each alone. */
	for (int i = 0; i < 2 && st == SP_CK_DUNNO; i++) {
		struct sp_lookup_key one = {(char *)fp[i], 0};
		struct sp_lookup_keys k = {.v = &one, .n = 1, .cap = 1};
		if (fp[i] == NULL || *fp[i] == 0)
			continue;
		st = sp_peval_access(e, table, &k, fp[i], t->ccert_cn ? t->ccert_cn : "",
				     "Client certificate", def_acl, &found);
	}
	return st;
}

int sp_pcheck_tls_clientcerts(struct sp_peval *e, int all, const char *reply_name)
{
	const struct sp_txn *t = e->txn;
	const char *pkey = t->ccert_pkey_fingerprint, *value = NULL, *matched = NULL;
	struct sp_lookup_key fp[2] = {{(char *)t->ccert_fingerprint, 0}, {(char *)pkey, 0}};
	struct sp_lookup_keys k = {.v = fp, .n = pkey && *pkey ? 2 : 1, .cap = 2};
	char err[256];
	int r;

	if (!t->tls || t->ccert_fingerprint == NULL)
		return SP_CK_DUNNO;
	if (all && t->ccert_verified)   /* verified against smtpd_tls_CAfile/CApath */
		return SP_CK_OK;
	if (e->p->relay_ccerts.n == 0)
		return SP_CK_DUNNO;
	/* a listed fingerprint needs no CA (as Postfix, for both restrictions):
	 * the certificate's in every table, then its public key's */
	r = sp_lookup_first(e->p->relay_ccerts.v, e->p->relay_ccerts.n, &k, &value, &matched, err,
			    sizeof(err));
	sp_peval_trace_lookup(e, "relay_clientcerts", r > 0 ? matched : t->ccert_fingerprint,
			      r > 0 ? value : NULL);
	if (r < 0) {
		sp_peval_event(e, "warning", "relay_clientcerts: lookup error for fingerprint "
			       "'%s', pkey fingerprint %s", t->ccert_fingerprint, pkey ? pkey : "");
		return sp_peval_temp_lookup(e, reply_name);
	}
	return r > 0 ? SP_CK_OK : SP_CK_DUNNO;
}

/* Looks addr up in maps with the owner order (Postfix's mail_addr_find):
 * 1 found (*value), 0 not found, -1 after answering 451. */
int sp_pmaps_find(struct sp_peval *e, const struct sp_pmaps *m, const char *addr,
		  const char *reply_name, const char **value)
{
	struct sp_lookup_keys k;
	const struct sp_resolved *res;
	const char *matched = NULL;
	char err[256];
	int r, st, local = 0;

	if (m->n == 0)
		return 0;
	if (strrchr(addr, '@')) {
		if ((res = sp_presolve(e, addr, &st)) == NULL)
			return -1;
		local = res->cls == SP_CLASS_LOCAL;
	}
	sp_lookup_keys_init(&k);
	sp_keys_addr_owner(addr, e->p->delim, local, &k);
	r = sp_lookup_first(m->v, m->n, &k, value, &matched, err, sizeof(err));
	sp_peval_trace_lookup(e, m->param, r > 0 ? matched : addr, r > 0 ? *value : NULL);
	sp_lookup_keys_free(&k);
	if (r < 0) {
		sp_peval_event(e, "warning", "%s lookup error for %s: %s", m->param, addr, err);
		(void)sp_peval_temp_lookup(e, reply_name);
		return -1;
	}
	return r;
}

/* ---- sender login ---- */

static int sp_owner_listed(const char *owners, const char *user)
{
	size_t ulen = strlen(user);

	while (*owners) {
		size_t n;
		owners += strspn(owners, ", \t\r\n");
		n = strcspn(owners, ", \t\r\n");
		if (n == ulen && n > 0 && strncasecmp(owners, user, n) == 0)
			return 1;
		owners += n;
	}
	return 0;
}

int sp_pcheck_login_mismatch(struct sp_peval *e, const char *sender, int allow_unknown)
{
	const char *user = e->txn->sasl_user, *owners = NULL;
	const struct sp_resolved *res;
	int st, r;

	if (e->p->login_maps.n == 0 || user == NULL)
		return SP_CK_DUNNO;
	if ((res = sp_presolve(e, sender, &st)) == NULL)
		return st;
	if ((r = sp_pmaps_find(e, &e->p->login_maps, res->address, sender, &owners)) < 0)
		return SP_CK_REJECT;
	if (r == 0 && allow_unknown)
		return SP_CK_DUNNO;
	if (r > 0 && sp_owner_listed(owners, user))
		return SP_CK_DUNNO;
	return sp_peval_reject(e, 0, 553, "5.7.1",
			       "<%s>: Sender address rejected: not owned by user %s", sender, user);
}

int sp_pcheck_unauth_login_mismatch(struct sp_peval *e, const char *sender)
{
	const char *owners = NULL;
	const struct sp_resolved *res;
	int st, r;

	if (e->p->login_maps.n == 0 || e->txn->sasl_user != NULL)
		return SP_CK_DUNNO;
	if ((res = sp_presolve(e, sender, &st)) == NULL)
		return st;
	if ((r = sp_pmaps_find(e, &e->p->login_maps, res->address, sender, &owners)) < 0)
		return SP_CK_REJECT;
	if (r == 0)
		return SP_CK_DUNNO;
	return sp_peval_reject(e, 0, 553, "5.7.1", "<%s>: Sender address rejected: not logged in",
			       sender);
}

/* ---- recipient validation ---- */

static int sp_local_exempt(const struct sp_policy *p, const char *addr)
{
	const char *names[3] = {p->double_bounce, "postmaster", "MAILER-DAEMON"};

	for (int i = 0; i < 3; i++) {
		size_t n = strlen(names[i]);
		if (strncasecmp(addr, names[i], n) == 0 && addr[n] == '@')
			return 1;
	}
	return 0;
}

static int sp_unknown_user(struct sp_peval *e, int code, const char *addr, const char *reply_class,
			   const char *table)
{
	int snd = strcmp(reply_class, "Sender address") == 0;

	return sp_peval_reject(e, 0, code, snd ? "5.1.0" : "5.1.1",
			       "<%s>: %s rejected: User unknown%s%s", addr, reply_class,
			       e->p->show_unk_table ? " in " : "", e->p->show_unk_table ? table : "");
}

int sp_pcheck_rcpt_maps(struct sp_peval *e, const char *addr, const char *reply_class)
{
	const struct sp_policy *p = e->p;
	const struct sp_resolved *res;
	const char *v, *a;
	int st, r;
	char dsnbuf[8];

	if ((res = sp_presolve(e, addr, &st)) == NULL)
		return st;
	a = res->address;
	if ((r = sp_pmaps_find(e, &p->rcpt_canonical, a, addr, &v)) != 0 ||
	    (strcmp(reply_class, "Sender address") == 0 &&
	     (r = sp_pmaps_find(e, &p->send_canonical, a, addr, &v)) != 0) ||
	    (r = sp_pmaps_find(e, &p->canonical, a, addr, &v)) != 0 ||
	    (r = sp_pmaps_find(e, &p->virt_alias, a, addr, &v)) != 0)
		return r < 0 ? SP_CK_REJECT : SP_CK_DUNNO;
	switch (res->cls) {
	case SP_CLASS_VIRTUAL_ALIAS:
		/* trivial-rewrite sends these to the error transport */
		return sp_peval_reject(e, 0, p->virt_alias_code,
				       sp_dsn_fix("5.1.1", reply_class, dsnbuf),
				       "<%s>: %s rejected: User unknown%s", addr, reply_class,
				       p->show_unk_table ? " in virtual alias table" : "");
	case SP_CLASS_LOCAL:
		if (p->local_rcpt.n == 0 || sp_local_exempt(p, a))
			return SP_CK_DUNNO;
		if ((r = sp_pmaps_find(e, &p->local_rcpt, a, addr, &v)) != 0)
			return r < 0 ? SP_CK_REJECT : SP_CK_DUNNO;
		return sp_unknown_user(e, p->local_rcpt_code, addr, reply_class,
				       "local recipient table");
	case SP_CLASS_VIRTUAL_MAILBOX:
		if (p->virt_mailbox.n == 0)
			return SP_CK_DUNNO;
		if ((r = sp_pmaps_find(e, &p->virt_mailbox, a, addr, &v)) != 0)
			return r < 0 ? SP_CK_REJECT : SP_CK_DUNNO;
		return sp_unknown_user(e, p->virt_mailbox_code, addr, reply_class,
				       "virtual mailbox table");
	case SP_CLASS_RELAY:
		if (p->relay_rcpt.n == 0)
			return SP_CK_DUNNO;
		if ((r = sp_pmaps_find(e, &p->relay_rcpt, a, addr, &v)) != 0)
			return r < 0 ? SP_CK_REJECT : SP_CK_DUNNO;
		return sp_unknown_user(e, p->relay_rcpt_code, addr, reply_class,
				       "relay recipient table");
	default:
		return SP_CK_DUNNO;
	}
}
