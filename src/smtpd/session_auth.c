/*
 * session_auth.c - AUTH (RFC 4954) in the session: what EHLO offers, the
 * command's checks, the challenge and response steps through the auth
 * server (SP_WANT_AUTH: the server does the talking), and Postfix's replies
 * and log lines, which fail2ban's postfix filter reads.
 */
#include "session_impl.h"
#include "../auth/dovecot.h"
#include "../auth/dovecot_client.h"
#include "../ipc/anvil.h"
#include "../policy/netlist.h"
#include "../util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The mechanism flags not offered in this session's state. */
static unsigned sp_sess_auth_exclude(const struct sp_session *s)
{
	return s->tls ? s->conf->sasl_tls_exclude : s->conf->sasl_exclude;
}

/* 1 when AUTH is offered now, with the mechanisms in mechs. */
int sp_sess_auth_offered(struct sp_session *s, char *mechs, size_t len)
{
	const struct sp_smtpd_conf *c = s->conf;
	char err[128];

	mechs[0] = 0;
	if (!c->sasl_enable || s->env->sasl == NULL || (c->tls_auth_only && !s->tls) ||
	    sp_netlist_match(c->sasl_excl, s->peer.addr, NULL, err, sizeof(err)) == 1)
		return 0;
	sp_dvc_mechs(s->env->sasl, sp_sess_auth_exclude(s), mechs, len);
	return mechs[0] != 0;
}

void sp_sess_auth_free(struct sp_session *s)
{
	free(s->auth_resp);
	s->auth_resp = NULL;
	s->auth_step = SP_AUTH_NONE;
	s->auth_id = 0;
}

/* Asks the server to send resp (base64, may be NULL) for this AUTH. */
static enum sp_want sp_sess_auth_ask(struct sp_session *s, const char *resp)
{
	free(s->auth_resp);
	s->auth_resp = resp ? sp_xstrdup(resp) : NULL;
	s->auth_step = SP_AUTH_ASKING;
	s->waiting = SP_WANT_AUTH;
	return SP_WANT_AUTH;
}

enum sp_want sp_sess_auth_cmd(struct sp_session *s, const struct sp_cmd *c)
{
	char mechs[256], mech[64], rbuf[SP_DV_DATA_MAX + 1];
	const char *arg = c->arg, *sp = memchr(arg, ' ', c->arglen);
	size_t mlen = sp ? (size_t)(sp - arg) : c->arglen;
	size_t rlen = sp ? c->arglen - mlen - 1 : 0;
	const char *resp = NULL;

	if (!sp_sess_auth_offered(s, mechs, sizeof(mechs))) {
		sp_sess_error(s, "503 5.5.1 Error: authentication not enabled");
		return SP_WANT_INPUT;
	}
	if (s->sasl_user[0]) {
		sp_sess_error(s, "503 5.5.1 Error: already authenticated");
		return SP_WANT_INPUT;
	}
	if (s->in_mail) {
		sp_sess_error(s, "503 5.5.1 Error: MAIL transaction in progress");
		return SP_WANT_INPUT;
	}
	if (sp_sess_rate(s, SP_ANVIL_AUTH, s->conf->cauth_limit,
			 "450 4.7.1 Error: too many AUTH commands from %s", "AUTH command"))
		return SP_WANT_INPUT;
	if (c->arglen == 0 || mlen == 0 || mlen >= sizeof(mech) ||
	    (sp && (rlen == 0 || memchr(sp + 1, ' ', rlen)))) {
		sp_sess_error(s, "501 5.5.4 Syntax: AUTH mechanism");
		return SP_WANT_INPUT;
	}
	if (sp && rlen > SP_DV_DATA_MAX) {
		sp_sess_error(s, "501 5.5.2 Cannot decode response");
		return SP_WANT_INPUT;
	}
	if (sp) {
		memcpy(rbuf, sp + 1, rlen);
		rbuf[rlen] = 0;
		resp = rbuf;
	}
	memcpy(mech, arg, mlen);
	mech[mlen] = 0;
	if (!sp_dvc_has_mech(s->env->sasl, mech, sp_sess_auth_exclude(s))) {
		sp_sess_error(s, "535 5.7.8 Error: authentication failed: Invalid authentication "
			      "mechanism");
		return SP_WANT_INPUT;
	}
	if (resp && strcmp(resp, "=") == 0)
		resp = "";   /* RFC 4954: an empty initial response */
	if (resp && (strlen(resp) > SP_DV_DATA_MAX || !sp_dv_base64_valid(resp, strlen(resp)))) {
		sp_sess_error(s, "501 5.5.2 Cannot decode response");
		return SP_WANT_INPUT;
	}
	for (size_t i = 0; i < mlen; i++)
		mech[i] = (char)(mech[i] >= 'a' && mech[i] <= 'z' ? mech[i] - 32 : mech[i]);
	snprintf(s->auth_mech, sizeof(s->auth_mech), "%s", mech);
	s->auth_id = 0;
	return sp_sess_auth_ask(s, resp);
}

/* The client's response to a 334 challenge. */
enum sp_want sp_sess_auth_line(struct sp_session *s, const char *line, size_t len)
{
	char b64[SP_DV_DATA_MAX + 1];

	if (len == 1 && line[0] == '*') {
		sp_sess_auth_free(s);
		sp_sess_error(s, "501 5.7.0 Authentication aborted");
		return SP_WANT_INPUT;
	}
	if (len > SP_DV_DATA_MAX || !sp_dv_base64_valid(line, len)) {
		sp_sess_auth_free(s);
		sp_sess_error(s, "501 5.5.2 Cannot decode response");
		return SP_WANT_INPUT;
	}
	memcpy(b64, line, len);
	b64[len] = 0;
	return sp_sess_auth_ask(s, b64);
}

void sp_session_auth_query(struct sp_session *s, int *first, struct sp_dv_auth *a,
			   unsigned long *id)
{
	*first = s->auth_id == 0;
	*id = s->auth_id;
	memset(a, 0, sizeof(*a));
	a->mech = s->auth_mech;
	a->service = s->conf->sasl_service;
	a->local_ip = s->peer.local_addr[0] ? s->peer.local_addr : "0.0.0.0";
	a->remote_ip = s->peer.addr;
	a->secured = s->tls;
	a->resp = s->auth_resp;
}

static void sp_sess_auth_failed(struct sp_session *s, const struct sp_dv_line *r)
{
	/* Postfix's words when the auth server gives no reason= */
	const char *why = r && r->reason[0] ? r->reason : "(reason unavailable)";
	const char *user = r && r->user[0] ? r->user : NULL;

	if (r == NULL) {
		sp_sess_log(s, "warning: %s[%s]: SASL %s authentication failed: %s", s->peer.name,
			    s->peer.addr, s->auth_mech, "Connection lost to authentication server");
		sp_sess_error(s, "454 4.7.0 Temporary authentication failure: Connection lost to "
			      "authentication server");
		return;
	}
	/* the line fail2ban's postfix filter matches */
	sp_sess_log(s, "warning: %s[%s]: SASL %s authentication failed: %s%s%s", s->peer.name,
		    s->peer.addr, s->auth_mech, why, user ? ", sasl_username=" : "",
		    user ? user : "");
	if (r->temp)
		sp_sess_error(s, "454 4.7.0 Temporary authentication failure: %s", why);
	else
		sp_sess_error(s, "535 5.7.8 Error: authentication failed: %s", why);
}

enum sp_want sp_session_auth_answer(struct sp_session *s, unsigned long id,
				    const struct sp_dv_line *r)
{
	s->waiting = 0;
	s->auth_id = id;
	if (r && r->kind == SP_DV_CONT) {
		s->auth_step = SP_AUTH_READING;
		sp_sess_reply(s, "334 %s", r->data);
		return SP_WANT_INPUT;
	}
	if (r && r->kind == SP_DV_OK && r->user[0]) {
		snprintf(s->sasl_user, sizeof(s->sasl_user), "%s", r->user);
		s->txn.sasl_user = s->sasl_user;
		s->cmd_ok[SP_VERB_AUTH]++;
		sp_sess_auth_free(s);
		sp_sess_reply(s, "235 2.7.0 Authentication successful");
		return SP_WANT_INPUT;
	}
	sp_sess_auth_failed(s, r && r->kind == SP_DV_FAIL ? r : NULL);
	sp_sess_auth_free(s);
	return SP_WANT_INPUT;
}
