/*
 * session.c - the session's input loop: command framing (strict CRLF, the
 * line limit, bare newlines), the checks every command gets (access denied
 * at connect, unauthorised pipelining, the error limits), dispatch, replies
 * and the connect/disconnect log lines. Commands are in session_cmd.c,
 * message content in session_data.c.
 */
#include "session_impl.h"
#include "../net/tls.h"
#include "../policy/netlist.h"
#include "../smtp/line.h"
#include "../util/mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- output and logs ---- */

static void sp_sess_vreply(struct sp_session *s, const char *fmt, va_list ap)
{
	char line[1024];
	int n = vsnprintf(line, sizeof(line) - 2, fmt, ap);

	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 3)
		n = (int)sizeof(line) - 3;
	memcpy(line + n, "\r\n", 2);
	if (sp_buf_add(&s->out, line, (size_t)n + 2) < 0)
		s->closing = 1;   /* a client that never reads its replies */
}

void sp_sess_reply(struct sp_session *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sp_sess_vreply(s, fmt, ap);
	va_end(ap);
}

/* A reply that counts as an error (smtpd_soft/hard_error_limit). */
void sp_sess_error(struct sp_session *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sp_sess_vreply(s, fmt, ap);
	va_end(ap);
	s->errors++;
}

void sp_sess_log(struct sp_session *s, const char *fmt, ...)
{
	char line[2048];
	va_list ap;

	if (s->env->log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	s->env->log(s->env->log_ctx, line);
}

void sp_sess_log_events(struct sp_session *s, enum sp_pstage stage, const struct sp_presult *r)
{
	char line[2048];
	/* Postfix names the command: EHLO or HELO, VRFY for a VRFY... */
	const char *where = stage == SP_STAGE_CLIENT || stage == SP_STAGE_EOD ||
			    s->last_verb >= SP_VERB_COUNT ? sp_policy_stage_name(stage)
			    : sp_verb_name(s->last_verb);

	for (size_t i = 0; i < r->nevents && s->env->log; i++) {
		sp_policy_log_line_where(&s->txn, stage, where, s->q_open ? s->q.id : NULL,
					 &r->events[i], line, sizeof(line));
		s->env->log(s->env->log_ctx, line);
	}
}

/* Client bytes for a log line: at most 100, control and 8-bit bytes as '?'. */
void sp_sess_printable(const char *in, size_t len, char *out, size_t outlen)
{
	size_t n = 0;

	for (size_t i = 0; i < len && i < 100 && n + 1 < outlen; i++)
		out[n++] = (unsigned char)in[i] < 0x20 || (unsigned char)in[i] >= 0x7f ? '?' : in[i];
	out[n] = 0;
}

/* ---- life cycle ---- */

struct sp_session *sp_session_new(const struct sp_smtpd_env *env, const struct sp_peer *peer)
{
	struct sp_session *s = sp_xcalloc(1, sizeof(*s));
	char err[256];

	s->env = env;
	s->conf = env->conf;
	s->peer = *peer;
	sp_buf_init(&s->out, SP_SESS_OUT_MAX);
	s->txn.client_addr = s->peer.addr;
	s->txn.client_name = s->peer.name;
	s->txn.reverse_name = s->peer.reverse_name;
	s->txn.name_status = peer->name_status;
	s->txn.reverse_status = peer->reverse_status;
	s->txn.dns = &s->dns;
	s->bare_nl_exempt = sp_netlist_match(s->conf->bare_nl_excl, s->peer.addr, NULL, err,
					     sizeof(err)) == 1;
	s->hog_exempt = sp_netlist_match(s->conf->hog_excl, s->peer.addr, NULL, err,
					 sizeof(err)) == 1;
	s->last_verb = SP_VERB_COUNT;
	return s;
}

/* smtpd_tls_req_ccert without a certificate that verifies: Postfix's 421
 * (SP_WANT_CLOSE); else SP_WANT_INPUT. */
static enum sp_want sp_sess_ccert_required(struct sp_session *s)
{
	const struct sp_tls_info *i = s->tlsi;
	const char *why = i->ccert ? "Client certificate not trusted"
				   : "No client certificate presented";

	if (!i->ccert_required || i->ccert_trusted)
		return SP_WANT_INPUT;
	sp_sess_log(s, "NOQUEUE: abort: TLS from %s[%s]: %s", s->peer.name, s->peer.addr, why);
	sp_sess_reply(s, "421 4.7.1 %s Error: %s", s->conf->myhostname, why);
	return SP_WANT_CLOSE;
}

enum sp_want sp_session_tls_started(struct sp_session *s, const struct sp_tls_info *info)
{
	sp_sess_reset_txn(s);
	s->helo[0] = 0;
	s->txn.helo = NULL;
	s->txn.esmtp = 0;
	s->esmtp = 0;
	s->pipelining = 0;
	s->tls = 1;
	s->txn.tls = 1;
	s->tlsi = info;
	s->txn.ccert_fingerprint = info->ccert ? info->ccert_fprint : NULL;
	s->txn.ccert_pkey_fingerprint = info->ccert ? info->ccert_pkey_fprint : NULL;
	s->txn.ccert_cn = info->ccert ? info->ccert_cn : NULL;
	s->txn.ccert_verified = info->ccert_trusted;
	snprintf(s->tls_desc, sizeof(s->tls_desc), "%s with cipher %s (%d/%d bits)", info->protocol,
		 info->cipher, info->bits, info->alg_bits);
	if (!s->started)   /* wrapper mode: sp_session_start goes on */
		return SP_WANT_INPUT;
	sp_sess_log_tls(s);
	return sp_sess_ccert_required(s);
}

/* Postfix's line: Anonymous without a client certificate, Trusted with one
 * that verified, Untrusted with one that did not. */
void sp_sess_log_tls(struct sp_session *s)
{
	const struct sp_tls_info *i = s->tlsi;

	if (s->conf->tls_loglevel < 1 || i == NULL)
		return;
	sp_sess_log(s, "%s TLS connection established from %s[%s]: %s%s",
		    !i->ccert ? "Anonymous" : i->ccert_trusted ? "Trusted" : "Untrusted",
		    s->peer.name, s->peer.addr, s->tls_desc, i->reused ? " (resumed)" : "");
	if (i->ccert && s->conf->tls_loglevel >= 2)
		sp_sess_log(s, "%s[%s]: subject_CN=%s, issuer=%s, fingerprint=%s, "
			    "pkey_fingerprint=%s", s->peer.name, s->peer.addr, i->ccert_cn,
			    i->ccert_issuer, i->ccert_fprint, i->ccert_pkey_fprint);
}

void sp_sess_reset_txn(struct sp_session *s)
{
	if (s->q_open)
		sp_qfile_abort(&s->q);
	s->q_open = 0;
	s->q_err = 0;
	s->in_mail = 0;
	s->sender[0] = 0;
	s->nrcpt = 0;
	s->rcpt_tried = 0;
	s->rcpt_overshoot = 0;
	s->bdat_open = 0;
	s->bdat_last = 0;
	s->bdat_discard = 0;
	s->msgid[0] = 0;
	s->txn.sender = NULL;
	s->txn.recipient = NULL;
	s->txn.rcpt_count = 0;
	s->txn.smtputf8 = 0;
	s->txn.discarded = 0;
	s->hold = 0;
	s->nprepend = 0;
	/* Postfix keeps DEFER_IF_PERMIT of the client and HELO stages */
	s->txn.defer_flags &= 3u;
}

void sp_session_free(struct sp_session **sp)
{
	struct sp_session *s = *sp;

	if (s == NULL)
		return;
	sp_sess_reset_txn(s);
	sp_sess_auth_free(s);
	free(s->rcpts);
	sp_buf_free(&s->out);
	free(s);
	*sp = NULL;
}

struct sp_buf *sp_session_output(struct sp_session *s)
{
	return &s->out;
}

unsigned sp_session_errors(const struct sp_session *s)
{
	return s->errors;
}

enum sp_want sp_session_start(struct sp_session *s)
{
	struct sp_presult r;
	enum sp_want w;

	if (!s->started) {
		sp_sess_log(s, "connect from %s[%s]", s->peer.name, s->peer.addr);
		if (s->tls)   /* wrapper mode: TLS came first */
			sp_sess_log_tls(s);
		if (s->tls && sp_sess_ccert_required(s) == SP_WANT_CLOSE) {
			s->started = 1;
			return SP_WANT_CLOSE;
		}
	}
	s->started = 1;
	if (sp_policy_delay_reject(s->env->policy)) {
		sp_sess_reply(s, "220 %s", s->conf->banner);
		return SP_WANT_INPUT;
	}
	if ((w = sp_sess_policy(s, SP_STAGE_CLIENT, &r)) != SP_WANT_INPUT)
		return w;
	if (r.verdict == SP_POLICY_REJECT) {
		snprintf(s->access_denied, sizeof(s->access_denied), "%s", r.reply);
		sp_sess_error(s, "%s", r.reply);
		if (r.code == 421 || r.code == 521) {
			s->closing = 1;
			return SP_WANT_CLOSE;
		}
		return SP_WANT_INPUT;
	}
	sp_sess_reply(s, "220 %s", s->conf->banner);
	return SP_WANT_INPUT;
}

/* ---- the disconnect line: "ehlo=1 mail=1 rcpt=0/1 ... commands=2/3" ---- */

static void sp_sess_counts(const struct sp_session *s, char *buf, size_t len)
{
	/* Postfix's order; the rest (HELP, EXPN, XCLIENT...) count as "unknown" */
	static const enum sp_verb order[] = {
		SP_VERB_HELO, SP_VERB_EHLO, SP_VERB_STARTTLS, SP_VERB_AUTH, SP_VERB_MAIL,
		SP_VERB_RCPT, SP_VERB_DATA, SP_VERB_BDAT, SP_VERB_RSET, SP_VERB_NOOP, SP_VERB_VRFY,
		SP_VERB_ETRN, SP_VERB_QUIT,
	};
	unsigned ok = 0, total = 0, uok = 0, utotal = 0;
	size_t used = 0;
	int listed[SP_VERB_COUNT + 1] = {0};

	buf[0] = 0;
#define SP_COUNT(name, o, t) do { \
		int n_ = (o) == (t) ? snprintf(buf + used, len - used, " %s=%u", name, t) \
				    : snprintf(buf + used, len - used, " %s=%u/%u", name, o, t); \
		if (n_ > 0 && (size_t)n_ < len - used) \
			used += (size_t)n_; \
	} while (0)
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		enum sp_verb v = order[i];
		char word[16];
		const char *name = sp_verb_name(v);
		int n;
		listed[v] = 1;
		if (s->cmd_total[v] == 0)
			continue;
		for (n = 0; name[n] && n < 15; n++)
			word[n] = (char)(name[n] | 0x20);
		word[n] = 0;
		SP_COUNT(word, s->cmd_ok[v], s->cmd_total[v]);
		ok += s->cmd_ok[v];
		total += s->cmd_total[v];
	}
	for (int v = 0; v <= SP_VERB_COUNT; v++)
		if (!listed[v]) {
			uok += s->cmd_ok[v];
			utotal += s->cmd_total[v];
		}
	if (utotal)
		SP_COUNT("unknown", uok, utotal);
	ok += uok;
	total += utotal;
	if (ok == total && total > 0)
		snprintf(buf + used, len - used, " commands=%u", total);
	else
		snprintf(buf + used, len - used, " commands=%u/%u", ok, total);
#undef SP_COUNT
}

static void sp_sess_disconnect(struct sp_session *s, const char *why)
{
	char counts[512];

	if (s->st == SP_SS_CLOSED)
		return;
	if (why) {
		const char *after = s->st == SP_SS_DATA ? "DATA" : s->st == SP_SS_BDAT ? "BDAT"
				    : s->last_verb < SP_VERB_COUNT ? sp_verb_name(s->last_verb)
				    : "CONNECT";
		if (s->st == SP_SS_DATA || s->st == SP_SS_BDAT)
			sp_sess_log(s, "%s after %s (%llu bytes) from %s[%s]", why, after,
				    (unsigned long long)s->data.size, s->peer.name, s->peer.addr);
		else
			sp_sess_log(s, "%s after %s from %s[%s]", why, after, s->peer.name, s->peer.addr);
	}
	sp_sess_counts(s, counts, sizeof(counts));
	sp_sess_log(s, "disconnect from %s[%s]%s", s->peer.name, s->peer.addr, counts);
	sp_sess_reset_txn(s);
	s->st = SP_SS_CLOSED;
}

enum sp_want sp_session_timeout(struct sp_session *s)
{
	sp_sess_reply(s, "421 4.4.2 %s Error: timeout exceeded", s->conf->myhostname);
	sp_sess_disconnect(s, "timeout");
	return SP_WANT_CLOSE;
}

void sp_session_eof(struct sp_session *s)
{
	sp_sess_disconnect(s, s->closing ? NULL : "lost connection");
}

/* ---- commands ---- */

/* Commands after which a client must wait for the reply (RFC 2920 3.1);
 * without PIPELINING announced, every command is one. */
static int sp_sync_point(const struct sp_session *s, enum sp_verb v)
{
	if (!s->esmtp)   /* Postfix: after EHLO, MAIL/RCPT/RSET may be pipelined even with
			  * PIPELINING discarded from the EHLO reply */
		return 1;
	return v != SP_VERB_MAIL && v != SP_VERB_RCPT && v != SP_VERB_RSET && v != SP_VERB_BDAT;
}

/* The first 100 bytes of client input with C escapes, as Postfix logs it. */
static void sp_sess_escape(const char *in, size_t len, char *out, size_t outlen)
{
	size_t n = 0;

	for (size_t i = 0; i < len && i < 100 && n + 5 < outlen; i++) {
		unsigned char b = (unsigned char)in[i];
		if (b == '\r' || b == '\n' || b == '\t') {
			out[n++] = '\\';
			out[n++] = b == '\r' ? 'r' : b == '\n' ? 'n' : 't';
		} else if (b < 0x20 || b >= 0x7f || b == '\\') {
			n += (size_t)snprintf(out + n, outlen - n, b == '\\' ? "\\\\" : "\\%03o", b);
		} else {
			out[n++] = (char)b;
		}
	}
	out[n] = 0;
}

/* A line no SMTP client sends: a header ("Subject: x") or an HTTP
 * request (Postfix's smtpd_forbid_cmds default). */
static int sp_sess_not_smtp(const char *line, size_t len)
{
	size_t n = 0;

	while (n < len && line[n] != ' ' && line[n] != '\t')
		n++;
	if ((n == 3 && strncasecmp(line, "GET", 3) == 0) ||
	    (n == 4 && strncasecmp(line, "POST", 4) == 0) ||
	    (n == 7 && strncasecmp(line, "CONNECT", 7) == 0))
		return 1;
	if (n < 2 || line[n - 1] != ':')
		return 0;
	for (size_t i = 0; i + 1 < n; i++)
		if ((unsigned char)line[i] <= ' ' || (unsigned char)line[i] >= 0x7f)
			return 0;
	return 1;
}

/* Checks that apply to every command line before its own code runs. */
static enum sp_want sp_sess_line(struct sp_session *s, const char *line, size_t len,
				 const char *rest, size_t restlen)
{
	int more = restlen > 0;
	struct sp_cmd c;
	enum sp_cmd_err e;
	enum sp_want w;

	if (s->auth_step == SP_AUTH_READING)   /* a response to 334, not a command */
		return sp_sess_auth_line(s, line, len);
	e = sp_cmd_parse(line, len, s->conf->smtputf8, &c);

	s->last_verb = c.verb;
	s->where = e == SP_CMD_E_UNKNOWN ? "UNKNOWN" : sp_verb_name(c.verb);
	/* as Postfix: a line that is not a command (bad syntax, bad UTF-8) is not counted */
	if (e == SP_CMD_OK || e == SP_CMD_E_SYNTAX || e == SP_CMD_E_UNKNOWN)
		s->cmd_total[e == SP_CMD_E_UNKNOWN ? SP_VERB_COUNT : c.verb]++;
	if (s->access_denied[0] && c.verb != SP_VERB_QUIT) {
		sp_sess_error(s, "503 5.7.0 Error: access denied for %s[%s]", s->peer.name,
			      s->peer.addr);
		return SP_WANT_INPUT;
	}
	if (more && (e == SP_CMD_OK || e == SP_CMD_E_SYNTAX) && c.verb != SP_VERB_QUIT &&
	    sp_sync_point(s, c.verb)) {
		s->txn.ill_pipelining = 1;
		if (s->conf->forbid_unauth_pipelining) {
			char shown[512];
			sp_sess_escape(rest, restlen, shown, sizeof(shown));
			sp_sess_log(s, "improper command pipelining after %s from %s[%s]: %s",
				    sp_verb_name(c.verb), s->peer.name, s->peer.addr, shown);
			sp_sess_reply(s, "554 5.5.0 Error: SMTP protocol synchronization");
			s->closing = 1;
			return SP_WANT_CLOSE;
		}
	}
	switch (e) {
	case SP_CMD_OK:
		break;
	case SP_CMD_E_EMPTY:
	case SP_CMD_E_CONTROL:
		sp_sess_error(s, "500 5.5.2 Error: bad syntax");
		return SP_WANT_INPUT;
	case SP_CMD_E_8BIT:
	case SP_CMD_E_UTF8:
		sp_sess_error(s, "500 5.5.2 Error: bad UTF-8 syntax");
		return SP_WANT_INPUT;
	case SP_CMD_E_UNKNOWN:
		if (sp_sess_not_smtp(line, len)) {
			/* a mail header or HTTP sent as a command: not an SMTP client */
			char shown[128];
			sp_sess_printable(line, len, shown, sizeof(shown));
			sp_sess_log(s, "warning: non-SMTP command from %s[%s]: %s", s->peer.name,
				    s->peer.addr, shown);
			sp_sess_reply(s, "221 2.7.0 Error: I can break rules, too. Goodbye.");
			s->closing = 1;
			return SP_WANT_CLOSE;
		}
		sp_sess_error(s, "500 5.5.2 Error: command not recognized");
		return SP_WANT_INPUT;
	case SP_CMD_E_SYNTAX:
		break;   /* each command words its own syntax reply */
	}
	w = sp_sess_command(s, &c, e == SP_CMD_E_SYNTAX);
	return w;
}

/* A bare LF or CR in a command line. */
static enum sp_want sp_sess_bare(struct sp_session *s, enum sp_line what)
{
	sp_sess_log(s, "NOQUEUE: reject: %s from %s[%s]: bare <%s> received; proto=%s%s%s%s",
		    s->where ? s->where : "CONNECT", s->peer.name, s->peer.addr,
		    what == SP_LINE_BARE_LF ? "LF" : "CR", s->esmtp ? "ESMTP" : "SMTP",
		    s->txn.helo ? " helo=<" : "", s->txn.helo ? s->txn.helo : "",
		    s->txn.helo ? ">" : "");
	sp_sess_reply(s, "%d 5.5.2 %s Error: bare <%s> received", s->conf->bare_nl_code,
		      s->conf->myhostname, what == SP_LINE_BARE_LF ? "LF" : "CR");
	s->closing = 1;
	return SP_WANT_CLOSE;
}

/* Frames and runs one command from in; *used gets the bytes taken. */
static enum sp_want sp_sess_one(struct sp_session *s, const char *in, size_t len, size_t *used)
{
	size_t n;
	enum sp_line r = sp_line_find(in, len, s->conf->line_limit, &n);

	*used = 0;
	if (s->skip_line) {   /* the tail of a refused line: drop it up to its CRLF */
		if (r == SP_LINE_MORE || r == SP_LINE_TOO_LONG || r == SP_LINE_BARE_CR) {
			*used = r == SP_LINE_MORE ? (len > 0 && in[len - 1] == '\r' ? len - 1 : len) : n;
			return SP_WANT_INPUT;
		}
		s->skip_line = 0;   /* CRLF, or (normalize) an LF, ends it */
		*used = n;
		return SP_WANT_INPUT;
	}
	switch (r) {
	case SP_LINE_MORE:
		return SP_WANT_INPUT;
	case SP_LINE_TOO_LONG:
		*used = n;
		s->skip_line = 1;
		sp_sess_error(s, "500 5.5.2 Error: line too long");
		return SP_WANT_INPUT;
	case SP_LINE_BARE_LF:
	case SP_LINE_BARE_CR:
		if (s->conf->bare_nl_reject && !s->bare_nl_exempt) {
			*used = len;
			return sp_sess_bare(s, r);
		}
		if (r == SP_LINE_BARE_CR) {   /* normalize: a CR alone is no line end: the
					       * whole line is refused, its tail never runs */
			*used = n;
			s->skip_line = 1;
			sp_sess_error(s, "500 5.5.2 Error: bad syntax");
			return SP_WANT_INPUT;
		}
		*used = n;
		return sp_sess_line(s, in, n - 1, in + n, len - n);
	case SP_LINE_OK:
		break;
	}
	*used = n;
	memcpy(s->cmd, in, n - 2 < sizeof(s->cmd) ? n - 2 : sizeof(s->cmd) - 1);
	s->cmdlen = n - 2 < sizeof(s->cmd) ? n - 2 : sizeof(s->cmd) - 1;
	return sp_sess_line(s, in, n - 2, in + n, len - n);
}

enum sp_want sp_session_input(struct sp_session *s, const char *in, size_t len, size_t *used)
{
	size_t off = 0;
	enum sp_want w = SP_WANT_INPUT;

	while (w == SP_WANT_INPUT && !s->closing && s->st != SP_SS_CLOSED && !s->waiting) {
		size_t n = 0;
		enum sp_sess_state before = s->st;
		if (s->errors >= s->conf->hard_error_limit) {
			sp_sess_reply(s, "421 4.7.0 %s Error: too many errors", s->conf->myhostname);
			sp_sess_log(s, "too many errors after %s from %s[%s]",
				    s->last_verb < SP_VERB_COUNT ? sp_verb_name(s->last_verb) : "CONNECT",
				    s->peer.name, s->peer.addr);
			s->closing = 1;
			w = SP_WANT_CLOSE;
			break;
		}
		if (s->st == SP_SS_CMD)
			w = sp_sess_one(s, in + off, len - off, &n);
		else
			w = sp_sess_content(s, in + off, len - off, &n);
		off += n;
		if (n == 0 && w == SP_WANT_INPUT && s->st == before)
			break;   /* nothing complete: wait for more bytes */
	}
	*used = off;
	if (s->closing && w != SP_WANT_CLOSE)
		w = SP_WANT_CLOSE;
	if (w == SP_WANT_CLOSE)
		sp_sess_disconnect(s, NULL);
	return w;
}

void sp_session_dns_query(const struct sp_session *s, enum sp_pdns_kind *kind, const char **name)
{
	*kind = s->dns_kind;
	*name = s->dns_name;
}

enum sp_want sp_session_dns_answer(struct sp_session *s, enum sp_pdns_status st)
{
	struct sp_cmd c;
	enum sp_want w;

	sp_pdns_put(&s->dns, s->dns_kind, s->dns_name, st);
	s->waiting = 0;
	if (s->at_eod)   /* the end-of-data stage */
		return sp_sess_eod(s);
	if (s->cmdlen == 0)   /* the connect-time client check */
		return sp_session_start(s);
	(void)sp_cmd_parse(s->cmd, s->cmdlen, s->conf->smtputf8, &c);
	s->cmd_total[c.verb]--;   /* counted again below */
	s->replaying = 1;
	w = sp_sess_line(s, s->cmd, s->cmdlen, NULL, 0);
	s->replaying = 0;
	return w;
}

struct sp_qfile *sp_session_qfile(struct sp_session *s)
{
	return &s->q;
}

enum sp_want sp_session_commit_done(struct sp_session *s, int err)
{
	s->waiting = 0;
	return sp_sess_commit_done(s, err);
}
