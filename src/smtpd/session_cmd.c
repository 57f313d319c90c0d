/*
 * session_cmd.c - the SMTP commands other than DATA and BDAT: HELO, EHLO,
 * MAIL, RCPT, RSET, NOOP, QUIT, HELP, VRFY and the ones sallyport refuses
 * (EXPN, ETRN, STARTTLS and AUTH until TLS and SASL exist, XCLIENT), with
 * Postfix's replies, and the glue to the policy engine.
 */
#include "session_impl.h"
#include "../ipc/anvil.h"
#include "../util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Runs the policy engine for a stage. SP_WANT_DNS when it needs an answer
 * first (the command runs again after it), SP_WANT_CLOSE on HANGUP, else
 * SP_WANT_INPUT with *r to act on. */
enum sp_want sp_sess_policy(struct sp_session *s, enum sp_pstage stage, struct sp_presult *r)
{
	sp_policy_eval(s->env->policy, stage, &s->txn, r, NULL);
	if (r->verdict == SP_POLICY_PENDING) {
		s->dns_kind = r->pending_kind;
		snprintf(s->dns_name, sizeof(s->dns_name), "%s", r->pending_name);
		s->waiting = SP_WANT_DNS;
		return SP_WANT_DNS;
	}
	sp_sess_log_events(s, stage, r);
	if (r->effects & SP_PEFF_HOLD)
		s->hold = 1;
	for (size_t i = 0; i < r->nprepend && s->nprepend < SP_PPREPEND_MAX; i++)
		memcpy(s->prepend[s->nprepend++], r->prepend[i], sizeof(r->prepend[i]));
	if (r->verdict == SP_POLICY_HANGUP) {
		s->closing = 1;
		return SP_WANT_CLOSE;
	}
	return SP_WANT_INPUT;
}

/* A policy rejection as the reply; 421 and 521 end the session. */
static enum sp_want sp_sess_refuse(struct sp_session *s, const struct sp_presult *r)
{
	sp_sess_error(s, "%s", r->reply);
	if (r->code == 421 || r->code == 521) {
		s->closing = 1;
		return SP_WANT_CLOSE;
	}
	return SP_WANT_INPUT;
}

/* An anvil rate past its limit (Postfix's message and recipient rate
 * limits); 1 after replying. */
int sp_sess_rate(struct sp_session *s, enum sp_anvil_op op, int limit, const char *reply,
		 const char *what)
{
	struct sp_anvil_reply r;

	if (limit <= 0 || !s->env->anvil || s->hog_exempt || s->replaying ||
	    sp_anvil_ask(s->env->anvil_fd, op, s->env->service, s->peer.addr, &r, 200) < 0 ||
	    r.rate <= limit)
		return 0;
	sp_sess_log(s, "warning: %s rate limit exceeded: %d from %s[%s] for service smtp", what,
		    r.rate, s->peer.name, s->peer.addr);
	sp_sess_error(s, reply, s->peer.addr);
	return 1;
}

static void sp_sess_ok(struct sp_session *s)
{
	s->cmd_ok[s->last_verb]++;
}

/* ---- HELO / EHLO ---- */

static void sp_sess_ehlo_reply(struct sp_session *s)
{
	const char *lines[14];
	char size[48], mechs[256], auth[300], auth_broken[300];
	int n = 0;
	unsigned ext = s->conf->ext;

	lines[n++] = s->conf->myhostname;
	if (ext & SP_EXT_PIPELINING)
		lines[n++] = "PIPELINING";
	if (ext & SP_EXT_SIZE) {
		if (s->conf->message_size_limit)
			snprintf(size, sizeof(size), "SIZE %llu",
				 (unsigned long long)s->conf->message_size_limit);
		else
			snprintf(size, sizeof(size), "SIZE");
		lines[n++] = size;
	}
	if (!s->conf->vrfy_disabled)
		lines[n++] = "VRFY";
	if (s->conf->tls && !s->conf->tls_wrapper && !s->tls)
		lines[n++] = "STARTTLS";
	if (sp_sess_auth_offered(s, mechs, sizeof(mechs))) {
		snprintf(auth, sizeof(auth), "AUTH %s", mechs);
		lines[n++] = auth;
		if (s->conf->broken_sasl_clients) {   /* Outlook Express and friends */
			snprintf(auth_broken, sizeof(auth_broken), "AUTH=%s", mechs);
			lines[n++] = auth_broken;
		}
	}
	lines[n++] = "ENHANCEDSTATUSCODES";
	if (ext & SP_EXT_8BITMIME)
		lines[n++] = "8BITMIME";
	if (ext & SP_EXT_DSN)
		lines[n++] = "DSN";
	if (ext & SP_EXT_SMTPUTF8)
		lines[n++] = "SMTPUTF8";
	if (ext & SP_EXT_CHUNKING)
		lines[n++] = "CHUNKING";
	for (int i = 0; i < n; i++)
		sp_sess_reply(s, "250%c%s", i + 1 < n ? '-' : ' ', lines[i]);
}

static enum sp_want sp_sess_helo(struct sp_session *s, const struct sp_cmd *c, int ehlo)
{
	struct sp_presult r;
	enum sp_want w;

	if (c->arglen >= sizeof(s->helo)) {
		sp_sess_error(s, "501 Syntax: %s hostname", ehlo ? "EHLO" : "HELO");
		return SP_WANT_INPUT;
	}
	sp_sess_reset_txn(s);
	memcpy(s->helo, c->arg, c->arglen);
	s->helo[c->arglen] = 0;
	s->txn.helo = s->helo;
	s->txn.esmtp = ehlo;
	if ((w = sp_sess_policy(s, SP_STAGE_HELO, &r)) != SP_WANT_INPUT)
		return w;
	if (r.verdict == SP_POLICY_REJECT) {
		s->txn.helo = NULL;   /* not accepted: as if it had not been said */
		return sp_sess_refuse(s, &r);
	}
	s->esmtp = ehlo;
	s->pipelining = ehlo && (s->conf->ext & SP_EXT_PIPELINING);
	sp_sess_ok(s);
	if (ehlo)
		sp_sess_ehlo_reply(s);
	else
		sp_sess_reply(s, "250 %s", s->conf->myhostname);
	return SP_WANT_INPUT;
}

/* ---- addresses ---- */

/* The internal form the policy engine and the queue take. */
static void sp_sess_internal(const struct sp_addr *a, char *out, size_t len)
{
	if (a->flags & SP_ADDR_F_NULL)
		snprintf(out, len, "%s", "");
	else if (a->domain_len == 0)
		snprintf(out, len, "%s", a->local);
	else
		snprintf(out, len, "%s@%s%s", a->local, a->domain,
			 (a->flags & SP_ADDR_F_DOMAIN_DOT) ? "." : "");
}

/* Parses the path at the start of the argument; *end gets where the
 * parameters begin. -1 after replying. */
static int sp_sess_path(struct sp_session *s, const struct sp_cmd *c, int reverse,
			struct sp_addr *a, size_t *end)
{
	unsigned opts = (reverse ? SP_ADDR_OPT_REVERSE : 0) |
			(s->conf->smtputf8 ? SP_ADDR_OPT_SMTPUTF8 : 0);
	enum sp_addr_err e = sp_addr_parse(c->arg, c->arglen, opts, a, end);

	if (e == SP_ADDR_OK)
		return 0;
	if (reverse)
		sp_sess_error(s, "501 5.1.7 Bad sender address syntax");
	else
		sp_sess_error(s, "501 5.1.3 Bad recipient address syntax");
	return -1;
}

/* The reply to a parameter error, worded as Postfix's mail_cmd and
 * rcpt_cmd word it. */
static void sp_sess_param_error(struct sp_session *s, enum sp_param_err e, const char *bad,
				int rcpt)
{
	switch (e) {
	case SP_PARAM_E_UNKNOWN:
		sp_sess_error(s, "555 5.5.4 Unsupported option: %s", bad);
		break;
	case SP_PARAM_E_SIZE:
		sp_sess_error(s, "501 5.5.4 Bad message size syntax");
		break;
	case SP_PARAM_E_SIZE_LIMIT:
		sp_sess_error(s, "552 5.3.4 Message size exceeds file system imposed limit");
		break;
	case SP_PARAM_E_DSN_OFF:
		sp_sess_error(s, "501 5.7.1 DSN support is disabled");
		break;
	case SP_PARAM_E_DUP:
		sp_sess_error(s, "503 5.5.4 Error: multiple %s= options", bad);
		break;
	default:
		sp_sess_error(s, "501 5.5.4 %sBad %s parameter syntax", rcpt ? "Error: " : "", bad);
		break;
	}
}

/* ---- MAIL / RCPT ---- */

static enum sp_want sp_sess_mail(struct sp_session *s, const struct sp_cmd *c)
{
	struct sp_addr a;
	struct sp_mail_params mp;
	struct sp_presult r;
	enum sp_param_err pe;
	char bad[80] = "";
	size_t end;
	enum sp_want w;

	if (s->in_mail) {
		sp_sess_error(s, "503 5.5.1 Error: nested MAIL command");
		return SP_WANT_INPUT;
	}
	if (c->arglen == 0) {
		sp_sess_error(s, "501 5.5.4 Syntax: MAIL FROM:<address>");
		return SP_WANT_INPUT;
	}
	if (sp_sess_path(s, c, 1, &a, &end) < 0)
		return SP_WANT_INPUT;
	if ((pe = sp_mail_params_parse(c->arg + end, c->arglen - end, s->conf->ext, &mp, bad,
				       sizeof(bad))) != SP_PARAM_OK) {
		sp_sess_param_error(s, pe, bad, 0);
		return SP_WANT_INPUT;
	}
	if ((a.flags & SP_ADDR_F_8BIT) && !mp.smtputf8) {
		sp_sess_error(s, "553 5.6.7 Must declare SMTPUTF8 to send unicode address");
		return SP_WANT_INPUT;
	}
	if (mp.has_size && s->conf->message_size_limit && mp.size > s->conf->message_size_limit) {
		sp_sess_error(s, "552 5.3.4 Message size exceeds fixed limit");
		return SP_WANT_INPUT;
	}
	if (sp_sess_rate(s, SP_ANVIL_MESSAGE, s->conf->cmail_limit,
					    "450 4.7.1 Error: too much mail from %s",
					    "Message delivery request"))
		return SP_WANT_INPUT;
	sp_sess_internal(&a, s->sender, sizeof(s->sender));
	s->txn.sender = s->sender;
	s->txn.smtputf8 = mp.smtputf8;
	if ((w = sp_sess_policy(s, SP_STAGE_MAIL, &r)) != SP_WANT_INPUT)
		return w;
	if (r.verdict == SP_POLICY_REJECT) {
		s->txn.sender = NULL;
		return sp_sess_refuse(s, &r);
	}
	s->mp = mp;
	s->in_mail = 1;
	sp_sess_ok(s);
	sp_sess_reply(s, "250 2.1.0 Ok");
	return SP_WANT_INPUT;
}

static enum sp_want sp_sess_rcpt(struct sp_session *s, const struct sp_cmd *c)
{
	struct sp_addr a;
	struct sp_rcpt_params rp;
	struct sp_presult r;
	enum sp_param_err pe;
	char bad[80] = "", addr[sizeof(s->rcpts[0].addr)];
	size_t end;
	enum sp_want w;

	if (!s->in_mail) {
		sp_sess_error(s, "503 5.5.1 Error: need MAIL command");
		return SP_WANT_INPUT;
	}
	if (s->bdat_open) {   /* the envelope is already in the queue file */
		sp_sess_error(s, "503 5.5.1 Error: RCPT after BDAT");
		return SP_WANT_INPUT;
	}
	if (c->arglen == 0) {
		sp_sess_error(s, "501 5.5.4 Syntax: RCPT TO:<address>");
		return SP_WANT_INPUT;
	}
	if (s->nrcpt >= s->conf->rcpt_limit) {
		/* an error only past smtpd_recipient_overshoot_limit, as Postfix counts */
		if (s->rcpt_overshoot++ < s->conf->rcpt_overshoot) {
			sp_sess_ok(s);   /* Postfix's counts take it as a success too */
			sp_sess_reply(s, "452 4.5.3 Error: too many recipients");
		} else {
			sp_sess_error(s, "452 4.5.3 Error: too many recipients");
		}
		return SP_WANT_INPUT;
	}
	if (sp_sess_path(s, c, 0, &a, &end) < 0)
		return SP_WANT_INPUT;
	if ((pe = sp_rcpt_params_parse(c->arg + end, c->arglen - end, s->conf->ext, &rp, bad,
				       sizeof(bad))) != SP_PARAM_OK) {
		sp_sess_param_error(s, pe, bad, 1);
		return SP_WANT_INPUT;
	}
	if ((a.flags & SP_ADDR_F_8BIT) && !s->mp.smtputf8) {
		sp_sess_error(s, "553 5.6.7 Must declare SMTPUTF8 to send unicode address");
		return SP_WANT_INPUT;
	}
	if (sp_sess_rate(s, SP_ANVIL_RCPT, s->conf->crcpt_limit,
			 "450 4.7.1 Error: too many recipients from %s", "Recipient address"))
		return SP_WANT_INPUT;
	sp_sess_internal(&a, addr, sizeof(addr));
	s->txn.recipient = addr;
	w = sp_sess_policy(s, SP_STAGE_RCPT, &r);
	s->txn.recipient = NULL;
	if (w != SP_WANT_INPUT)
		return w;
	if (r.verdict == SP_POLICY_REJECT)
		return sp_sess_refuse(s, &r);
	if (s->nrcpt == s->rcap) {
		s->rcap = s->rcap ? 2 * s->rcap : 8;
		s->rcpts = sp_xrealloc(s->rcpts, s->rcap * sizeof(*s->rcpts));
	}
	memcpy(s->rcpts[s->nrcpt].addr, addr, sizeof(addr));
	s->rcpts[s->nrcpt++].params = rp;
	s->txn.rcpt_count++;
	sp_sess_ok(s);
	sp_sess_reply(s, "250 2.1.5 Ok");
	return SP_WANT_INPUT;
}

/* VRFY, when enabled: the recipient restrictions decide, as in Postfix. */
static enum sp_want sp_sess_vrfy(struct sp_session *s, const struct sp_cmd *c)
{
	struct sp_addr a;
	struct sp_presult r;
	char addr[sizeof(s->rcpts[0].addr)];
	size_t end;
	enum sp_want w;

	if (s->conf->vrfy_disabled) {
		sp_sess_error(s, "502 5.5.1 VRFY command is disabled");
		return SP_WANT_INPUT;
	}
	if (sp_sess_path(s, c, 0, &a, &end) < 0)
		return SP_WANT_INPUT;
	sp_sess_internal(&a, addr, sizeof(addr));
	s->txn.recipient = addr;
	w = sp_sess_policy(s, SP_STAGE_RCPT, &r);
	s->txn.recipient = NULL;
	if (w != SP_WANT_INPUT)
		return w;
	if (r.verdict == SP_POLICY_REJECT)
		return sp_sess_refuse(s, &r);
	sp_sess_ok(s);
	sp_sess_printable(c->arg, c->arglen, addr, sizeof(addr));
	sp_sess_reply(s, "252 2.0.0 %s", addr);
	return SP_WANT_INPUT;
}

/* ---- STARTTLS ---- */

static enum sp_want sp_sess_starttls(struct sp_session *s)
{
	if (s->in_mail) {
		sp_sess_error(s, "503 5.5.1 Error: MAIL transaction in progress");
		return SP_WANT_INPUT;
	}
	if (s->tls) {
		sp_sess_error(s, "554 5.5.1 Error: TLS already active");
		return SP_WANT_INPUT;
	}
	if (s->conf->tls == NULL || s->conf->tls_wrapper) {
		sp_sess_error(s, "502 5.5.1 Error: command not implemented");
		return SP_WANT_INPUT;
	}
	sp_sess_ok(s);
	sp_sess_reply(s, "220 2.0.0 Ready to start TLS");
	return SP_WANT_STARTTLS;
}

/* The commands a client may give before STARTTLS when TLS is required. */
static int sp_sess_pre_tls(enum sp_verb v)
{
	return v == SP_VERB_HELO || v == SP_VERB_EHLO || v == SP_VERB_STARTTLS ||
	       v == SP_VERB_RSET || v == SP_VERB_NOOP || v == SP_VERB_QUIT;
}

/* ---- dispatch ---- */

static void sp_sess_syntax(struct sp_session *s, enum sp_verb v)
{
	switch (v) {
	case SP_VERB_HELO:
	case SP_VERB_EHLO:
		sp_sess_error(s, "501 Syntax: %s hostname", sp_verb_name(v));
		break;
	case SP_VERB_MAIL:
		sp_sess_error(s, "501 5.5.4 Syntax: MAIL FROM:<address>");
		break;
	case SP_VERB_RCPT:
		sp_sess_error(s, "501 5.5.4 Syntax: RCPT TO:<address>");
		break;
	case SP_VERB_VRFY:
		sp_sess_error(s, "501 5.5.4 Syntax: VRFY address%s",
			      s->conf->smtputf8 ? " [SMTPUTF8]" : "");
		break;
	default:
		sp_sess_error(s, "501 5.5.4 Syntax: %s", sp_verb_name(v));
		break;
	}
}

/* NOOP, VRFY, ETRN and RSET past smtpd_junk_command_limit count as errors. */
static void sp_sess_junk(struct sp_session *s, enum sp_verb v)
{
	if ((v == SP_VERB_NOOP || v == SP_VERB_VRFY || v == SP_VERB_ETRN || v == SP_VERB_RSET) &&
	    s->junk++ > s->conf->junk_limit)
		s->errors++;
}

enum sp_want sp_sess_command(struct sp_session *s, const struct sp_cmd *c, int syntax)
{
	sp_sess_junk(s, c->verb);
	if (s->conf->tls_level == SP_TLS_ENCRYPT && !s->tls && !sp_sess_pre_tls(c->verb) &&
	    c->verb != SP_VERB_UNKNOWN) {
		sp_sess_error(s, "530 5.7.0 Must issue a STARTTLS command first");
		return SP_WANT_INPUT;
	}
	/* a BDAT without a count is answered (and the session ended) there */
	if (syntax && !(c->verb == SP_VERB_VRFY && s->conf->vrfy_disabled) &&
	    c->verb != SP_VERB_BDAT) {
		sp_sess_syntax(s, c->verb);
		return SP_WANT_INPUT;
	}
	switch (c->verb) {
	case SP_VERB_HELO:
		return sp_sess_helo(s, c, 0);
	case SP_VERB_EHLO:
		return sp_sess_helo(s, c, 1);
	case SP_VERB_MAIL:
		return sp_sess_mail(s, c);
	case SP_VERB_RCPT:
		return sp_sess_rcpt(s, c);
	case SP_VERB_DATA:
		return sp_sess_data_cmd(s);
	case SP_VERB_BDAT:
		return sp_sess_bdat_cmd(s, c);
	case SP_VERB_RSET:
		sp_sess_reset_txn(s);
		sp_sess_ok(s);
		sp_sess_reply(s, "250 2.0.0 Ok");
		return SP_WANT_INPUT;
	case SP_VERB_NOOP:
		sp_sess_ok(s);
		sp_sess_reply(s, "250 2.0.0 Ok");
		return SP_WANT_INPUT;
	case SP_VERB_QUIT:
		sp_sess_ok(s);
		sp_sess_reply(s, "221 2.0.0 Bye");
		s->closing = 1;
		return SP_WANT_CLOSE;
	case SP_VERB_HELP:   /* not counted as a success: Postfix has no HELP */
		sp_sess_reply(s, "214 2.0.0 Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT");
		return SP_WANT_INPUT;
	case SP_VERB_VRFY:
		return sp_sess_vrfy(s, c);
	case SP_VERB_AUTH:
		return sp_sess_auth_cmd(s, c);
	case SP_VERB_STARTTLS:
		return sp_sess_starttls(s);
	case SP_VERB_ETRN:
		sp_sess_error(s, "502 5.5.1 Error: command not implemented");
		return SP_WANT_INPUT;
	case SP_VERB_XCLIENT:
		sp_sess_error(s, "550 5.7.0 Error: insufficient authorization");
		return SP_WANT_INPUT;
	default:   /* EXPN: Postfix does not know it either */
		sp_sess_error(s, "500 5.5.2 Error: command not recognized");
		return SP_WANT_INPUT;
	}
}
