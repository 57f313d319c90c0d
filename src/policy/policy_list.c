/*
 * policy_list.c - one restriction list, evaluated in order until a
 * restriction decides (Postfix's generic_checks): the dispatch from each
 * restriction to what it checks, with the reply name and class of the
 * list ("<a@b>", "Recipient address"), and the trace of each step.
 */
#include "policy_impl.h"

#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *sp_ck_name(int st)
{
	switch (st) {
	case SP_CK_OK:
		return "OK";
	case SP_CK_REJECT:
		return "REJECT";
	case SP_CK_STOP:
		return "STOP";
	default:
		return "DUNNO";
	}
}

static int sp_generic(struct sp_peval *e, const struct sp_rstep *s, const char *reply_name,
		      const char *reply_class)
{
	const struct sp_policy *p = e->p;

	switch (s->id) {
	case SP_R_PERMIT:
		return sp_peval_permit(e, s->name, reply_class, reply_name, NULL);
	case SP_R_DEFER:
		return sp_peval_reject(e, 0, p->defer_code, "4.3.2", "<%s>: %s rejected: Try again later",
				       reply_name, reply_class);
	case SP_R_REJECT:
		return sp_peval_reject(e, 0, p->reject_code, "5.7.1", "<%s>: %s rejected: Access denied",
				       reply_name, reply_class);
	case SP_R_DEFER_IF_PERMIT:
		if (e->warn_if_reject)
			return sp_peval_reject(e, 0, 450, "4.7.0",
					       "<%s>: %s rejected: defer_if_permit requested",
					       reply_name, reply_class);
		return sp_peval_defer_if(e, e->dip, 450, "4.7.0",
					 "<%s>: %s rejected: defer_if_permit requested", reply_name,
					 reply_class);
	case SP_R_DEFER_IF_REJECT:
		return sp_peval_defer_if(e, &e->dir, 450, "4.7.0",
					 "<%s>: %s rejected: defer_if_reject requested", reply_name,
					 reply_class);
	case SP_R_REJECT_UNAUTH_PIPELINING:
		if (e->txn->ill_pipelining)
			return sp_peval_reject(e, 0, 503, "5.5.0", "<%s>: %s rejected: Improper use of "
					       "SMTP command pipelining", reply_name, reply_class);
		return SP_CK_DUNNO;
	case SP_R_REJECT_PLAINTEXT_SESSION:
		if (!e->txn->tls)
			return sp_peval_reject(e, 0, p->plaintext_code, "4.7.1",
					       "Session encryption is required");
		return SP_CK_DUNNO;
	default:
		return -1;
	}
}

static int sp_client(struct sp_peval *e, const struct sp_rstep *s, enum sp_rid def_acl,
		     const char *reply_name)
{
	const struct sp_policy *p = e->p;
	const struct sp_txn *t = e->txn;
	char err[256];
	const char *matched = NULL;
	int m;

	switch (s->id) {
	case SP_R_REJECT_UNKNOWN_CLIENT_HOSTNAME:
		if (t->name_status != SP_PEER_OK)
			return sp_peval_reject(e, 0, t->name_status >= SP_PEER_PERM ? p->unk_client_code
					       : 450, "4.7.25", "Client host rejected: cannot find "
					       "your hostname, [%s]", e->client_addr);
		return SP_CK_DUNNO;
	case SP_R_REJECT_UNKNOWN_REVERSE_CLIENT_HOSTNAME:
		if (t->reverse_status != SP_PEER_OK)
			return sp_peval_reject(e, 0, t->reverse_status == SP_PEER_PERM ?
					       p->unk_client_code : 450, "4.7.1", "Client host "
					       "rejected: cannot find your reverse hostname, [%s]",
					       e->client_addr);
		return SP_CK_DUNNO;
	case SP_R_PERMIT_MYNETWORKS:
		if (e->mynet == 0) {   /* once per evaluation: lists often ask twice */
			m = sp_netlist_match(p->mynetworks, e->client_addr, &matched, err, sizeof(err));
			e->mynet = m > 0 ? 1 : m == 0 ? 2 : 3;
			e->mynet_matched = matched;
			if (m < 0)
				snprintf(e->mynet_err, sizeof(e->mynet_err), "%s", err);
		}
		m = e->mynet == 1 ? 1 : e->mynet == 2 ? 0 : -1;
		matched = e->mynet_matched;
		if (m < 0)
			snprintf(err, sizeof(err), "%s", e->mynet_err);
		sp_peval_trace(e, SP_TR_NOTE, NULL, NULL, "mynetworks: %s%s%s",
			       m > 0 ? "matched " : m == 0 ? "no match" : err,
			       m > 0 && matched ? matched : "", "");
		if (m > 0)
			return sp_peval_permit(e, s->name, "Client host", sp_peval_namaddr(e), NULL);
		if (m < 0) {
			sp_peval_event(e, "warning", "mynetworks: %s", err);
			return sp_peval_temp_lookup(e, reply_name);
		}
		return SP_CK_DUNNO;
	case SP_R_CHECK_CLIENT_ACCESS:
		return sp_pcheck_client_access(e, s->table, t->client_name, e->client_addr,
					       sp_peval_namaddr(e), "Client host", def_acl);
	case SP_R_CHECK_REVERSE_CLIENT_ACCESS:
		m = sp_pcheck_client_access(e, s->table, t->reverse_name, e->client_addr,
					    t->reverse_name, "Unverified Client host", def_acl);
		/* An unverified name must never let a client in (Postfix's
		 * forbid_allowlist). */
		if (m == SP_CK_OK && !e->discard) {
			sp_peval_event(e, "warning", "restriction %s returns OK for %s; this is not "
				       "allowed for security reasons; use DUNNO instead of OK if you "
				       "want to make an exception", s->name, t->reverse_name);
			return sp_peval_server_error(e);
		}
		return m;
	case SP_R_CHECK_CCERT_ACCESS:
		return sp_pcheck_ccert_access(e, s->table, def_acl);
	case SP_R_PERMIT_TLS_CLIENTCERTS:
	case SP_R_PERMIT_TLS_ALL_CLIENTCERTS:
		m = sp_pcheck_tls_clientcerts(e, s->id == SP_R_PERMIT_TLS_ALL_CLIENTCERTS, reply_name);
		if (m == SP_CK_OK)
			return sp_peval_permit(e, s->name, "Client host", sp_peval_namaddr(e), NULL);
		return m;
	case SP_R_PERMIT_SASL_AUTHENTICATED:
		if (p->sasl_enable && t->sasl_user)
			return sp_peval_permit(e, s->name, "Client host", sp_peval_namaddr(e), NULL);
		return SP_CK_DUNNO;
	default:
		return -1;
	}
}

static int sp_helo(struct sp_peval *e, const struct sp_rstep *s, enum sp_rid def_acl)
{
	const char *h = e->helo;
	unsigned char buf[16];
	int found;

	switch (s->id) {
	case SP_R_PERMIT_NAKED_IP_ADDRESS:   /* check --postfix only: HELO 192.0.2.1 */
		if (h && (inet_pton(AF_INET, h, buf) == 1 || inet_pton(AF_INET6, h, buf) == 1))
			return sp_peval_permit(e, s->name, "Helo command", h, NULL);
		return SP_CK_DUNNO;
	case SP_R_CHECK_HELO_ACCESS:
		return h ? sp_pcheck_domain_access(e, s->table, h, h, "Helo command", def_acl, &found)
			 : SP_CK_DUNNO;
	case SP_R_REJECT_INVALID_HELO_HOSTNAME:
		if (h == NULL)
			return SP_CK_DUNNO;
		return *h != '[' ? sp_pcheck_invalid_hostname(e, h, h, "Helo command")
				 : sp_pcheck_invalid_hostaddr(e, h, h, "Helo command");
	case SP_R_REJECT_UNKNOWN_HELO_HOSTNAME:
		if (h == NULL)
			return SP_CK_DUNNO;
		return *h != '[' ? sp_pcheck_unknown_hostname(e, h, h, "Helo command")
				 : sp_pcheck_invalid_hostaddr(e, h, h, "Helo command");
	case SP_R_REJECT_NON_FQDN_HELO_HOSTNAME:
		if (h == NULL)
			return SP_CK_DUNNO;
		return *h != '[' ? sp_pcheck_non_fqdn_hostname(e, h, h, "Helo command")
				 : sp_pcheck_invalid_hostaddr(e, h, h, "Helo command");
	default:
		return -1;
	}
}

static int sp_sender(struct sp_peval *e, const struct sp_rstep *s, enum sp_rid def_acl,
		     const char *reply_name, const char *reply_class)
{
	const struct sp_policy *p = e->p;
	const char *snd = e->sender;
	int st;

	switch (s->id) {
	case SP_R_CHECK_SENDER_ACCESS: case SP_R_REJECT_UNKNOWN_SENDER_DOMAIN:
	case SP_R_REJECT_NON_FQDN_SENDER: case SP_R_REJECT_AUTH_SENDER_LOGIN_MISMATCH:
	case SP_R_REJECT_KNOWN_SENDER_LOGIN_MISMATCH: case SP_R_REJECT_UNAUTH_SENDER_LOGIN_MISMATCH:
	case SP_R_REJECT_SENDER_LOGIN_MISMATCH: case SP_R_REJECT_UNLISTED_SENDER:
	case SP_R_REJECT_MULTI_RECIPIENT_BOUNCE:
		break;
	default:
		return -1;   /* not a sender restriction */
	}
	if (snd == NULL || (*snd == 0 && s->id != SP_R_CHECK_SENDER_ACCESS &&
			    s->id != SP_R_REJECT_MULTI_RECIPIENT_BOUNCE))
		return SP_CK_DUNNO;
	switch (s->id) {
	case SP_R_CHECK_SENDER_ACCESS:
		if (*snd) {
			return sp_pcheck_mail_access(e, s->table, snd, snd, "Sender address", def_acl);
		} else {
			struct sp_lookup_key one = {p->null_key, 0};
			struct sp_lookup_keys k = {.v = &one, .n = 1, .cap = 1};
			int found;
			return sp_peval_access(e, s->table, &k, p->null_key, snd, "Sender address",
					       def_acl, &found);
		}
	case SP_R_REJECT_UNKNOWN_SENDER_DOMAIN:
		return sp_pcheck_unknown_address(e, snd, snd, "Sender address");
	case SP_R_REJECT_NON_FQDN_SENDER:
		return sp_pcheck_non_fqdn_address(e, snd, snd, "Sender address");
	case SP_R_REJECT_AUTH_SENDER_LOGIN_MISMATCH:
	case SP_R_REJECT_KNOWN_SENDER_LOGIN_MISMATCH:
	case SP_R_REJECT_UNAUTH_SENDER_LOGIN_MISMATCH:
	case SP_R_REJECT_SENDER_LOGIN_MISMATCH:
		if (!p->sasl_enable) {
			sp_peval_event(e, "warning", "restriction `%s' ignored: no SASL support", s->name);
			return SP_CK_DUNNO;
		}
		if (s->id == SP_R_REJECT_AUTH_SENDER_LOGIN_MISMATCH)
			return sp_pcheck_login_mismatch(e, snd, 0);
		if (s->id == SP_R_REJECT_UNAUTH_SENDER_LOGIN_MISMATCH)
			return sp_pcheck_unauth_login_mismatch(e, snd);
		if (s->id == SP_R_REJECT_KNOWN_SENDER_LOGIN_MISMATCH)
			return e->txn->sasl_user ? sp_pcheck_login_mismatch(e, snd, 1)
						 : sp_pcheck_unauth_login_mismatch(e, snd);
		st = sp_pcheck_login_mismatch(e, snd, 0);
		return st ? st : sp_pcheck_unauth_login_mismatch(e, snd);
	case SP_R_REJECT_UNLISTED_SENDER:
		if (e->sender_rcptmap_checked)
			return SP_CK_DUNNO;
		if (!e->warn_if_reject)
			e->sender_rcptmap_checked = 1;
		return sp_pcheck_rcpt_maps(e, snd, "Sender address");
	case SP_R_REJECT_MULTI_RECIPIENT_BOUNCE:
		if (*snd == 0 && e->txn->rcpt_count > (e->stage == SP_STAGE_RCPT ? 0u : 1u))
			return sp_peval_reject(e, 0, p->mul_rcpt_code, "5.5.3",
					       "<%s>: %s rejected: Multi-recipient bounce",
					       reply_name, reply_class);
		return SP_CK_DUNNO;
	default:
		return -1;
	}
}

static int sp_recipient(struct sp_peval *e, const struct sp_rstep *s, enum sp_rid def_acl,
			const char *reply_name, const char *reply_class)
{
	const struct sp_policy *p = e->p;
	const char *r = e->recipient;
	int found;

	if (s->id == SP_R_CHECK_ETRN_ACCESS)
		return e->txn->etrn ? sp_pcheck_domain_access(e, s->table, e->txn->etrn, e->txn->etrn,
							      "Etrn command", def_acl, &found)
				    : SP_CK_DUNNO;
	if (r == NULL)
		return SP_CK_DUNNO;
	(void)reply_name;
	(void)reply_class;
	switch (s->id) {
	case SP_R_CHECK_RECIPIENT_ACCESS:
		return sp_pcheck_mail_access(e, s->table, r, r, "Recipient address", def_acl);
	case SP_R_PERMIT_AUTH_DESTINATION:
		if ((found = sp_pcheck_auth_destination(e, r)) == SP_CK_OK)
			return sp_peval_permit(e, s->name, "Recipient address", r, NULL);
		return found;
	case SP_R_REJECT_UNAUTH_DESTINATION:
		return sp_pcheck_unauth_destination(e, r, p->relay_code, "5.7.1");
	case SP_R_DEFER_UNAUTH_DESTINATION:
		return sp_pcheck_unauth_destination(e, r, p->relay_code - 100, "4.7.1");
	case SP_R_REJECT_UNKNOWN_RECIPIENT_DOMAIN:
		return sp_pcheck_unknown_address(e, r, r, "Recipient address");
	case SP_R_REJECT_NON_FQDN_RECIPIENT:
		return sp_pcheck_non_fqdn_address(e, r, r, "Recipient address");
	case SP_R_REJECT_UNLISTED_RECIPIENT:
		if (*r == 0 || e->rcptmap_checked)
			return SP_CK_DUNNO;
		if (!e->warn_if_reject)
			e->rcptmap_checked = 1;
		return sp_pcheck_rcpt_maps(e, r, "Recipient address");
	default:
		return -1;
	}
}

static int sp_step(struct sp_peval *e, const struct sp_rstep *s, const char *reply_name,
		   const char *reply_class, enum sp_rid def_acl)
{
	int st;

	if (s->id == SP_R_CLASS)
		return sp_peval_list(e, s->cls->list.v, s->cls->list.n, s->cls->name, reply_name,
				     reply_class, def_acl);
	if ((st = sp_generic(e, s, reply_name, reply_class)) >= 0)
		return st;
	if ((st = sp_client(e, s, def_acl, reply_name)) >= 0)
		return st;
	if ((st = sp_helo(e, s, def_acl)) >= 0)
		return st;
	if ((st = sp_sender(e, s, def_acl, reply_name, reply_class)) >= 0)
		return st;
	if ((st = sp_recipient(e, s, def_acl, reply_name, reply_class)) >= 0)
		return st;
	return SP_CK_DUNNO;
}

int sp_peval_list(struct sp_peval *e, const struct sp_rstep *v, size_t n, const char *param,
		  const char *reply_name, const char *reply_class, enum sp_rid def_acl)
{
	unsigned saved = e->recursion++;
	int st = SP_CK_DUNNO;

	sp_peval_trace(e, SP_TR_LIST, param, NULL, NULL);
	for (size_t i = 0; i < n; i++) {
		const struct sp_rstep *s = &v[i];
		if (e->discard)
			break;
		if (s->id == SP_R_WARN_IF_REJECT) {
			if (e->warn_if_reject == 0)
				e->warn_if_reject = e->recursion;
			sp_peval_trace(e, SP_TR_STEP, s->name, "DUNNO", NULL);
			continue;
		}
		st = sp_step(e, s, reply_name, reply_class, def_acl);
		if (s->id != SP_R_CLASS || st != SP_CK_DUNNO)
			sp_peval_trace(e, SP_TR_STEP, s->name, sp_ck_name(st), NULL);
		if (st != SP_CK_DUNNO && e->out->deciding[0] == 0 && st != SP_CK_STOP) {
			size_t len = strnlen(s->name, sizeof(e->out->deciding) - 1);
			memcpy(e->out->deciding, s->name, len);
			e->out->deciding[len] = 0;
		}
		if (e->warn_if_reject >= e->recursion)
			e->warn_if_reject = 0;
		if (st != SP_CK_DUNNO)
			break;
		if (e->dip->active && e->dir.active)
			break;
	}
	e->recursion = saved;
	if (e->warn_if_reject >= e->recursion)
		e->warn_if_reject = 0;
	return st;
}
