/*
 * session_data.c - DATA and BDAT: the data restrictions, the queue file
 * (envelope records, the Received header, the content as src/smtp/data.c
 * delivers it), the end-of-data restrictions, the bare-newline and size
 * verdicts, and the commit that must succeed before the 250.
 */
#include "session_impl.h"
#include "../net/tls.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define SP_SLICE 16384   /* content bytes handled per step */

static void sp_sess_date(uint64_t now_us, char *buf, size_t len)
{
	time_t t = (time_t)(now_us / 1000000);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%a, %d %b %Y %H:%M:%S +0000 (UTC)", &tm);
}

static int sp_sess_bare_refused(const struct sp_session *s);
static enum sp_want sp_sess_bare_drop(struct sp_session *s);

/* The Received header's TLS lines, as Postfix writes them with
 * smtpd_tls_received_header: the session, then the client certificate. */
static void sp_sess_received_tls(const struct sp_session *s, char *out, size_t len)
{
	const struct sp_tls_info *i = s->tlsi;

	if (i && i->ccert)
		snprintf(out, len, "\t(using %s)\r\n\t(Client CN \"%s\", Issuer \"%s\" (%s))\r\n",
			 s->tls_desc, i->ccert_cn, i->ccert_issuer,
			 i->ccert_trusted ? "verified OK" : "not verified");
	else
		snprintf(out, len, "\t(using %s)\r\n\t(%s)\r\n", s->tls_desc,
			 i && i->ccert_asked ? "Client did not present a certificate"
					     : "No client certificate requested");
}

/* The envelope and the Received header, as the message's first records. */
static void sp_sess_open_queue(struct sp_session *s)
{
	const struct sp_smtpd_conf *c = s->conf;
	uint64_t now = s->env->now_us();
	char date[64], hdr[2048], tls[600];
	int n;

	sp_qfile_create(&s->q, c->queue_dir, s->env->qids, now);
	s->q_open = 1;
	sp_qfile_add(&s->q, SP_QREC_SENDER, s->sender, strlen(s->sender));
	if (s->mp.body == SP_BODY_8BITMIME)
		sp_qfile_addf(&s->q, SP_QREC_MAILPARAM, "BODY=8BITMIME");
	if (s->mp.smtputf8)
		sp_qfile_addf(&s->q, SP_QREC_MAILPARAM, "SMTPUTF8");
	if (s->mp.ret != SP_RET_NONE)
		sp_qfile_addf(&s->q, SP_QREC_MAILPARAM, "RET=%s", s->mp.ret == SP_RET_FULL ? "FULL"
											   : "HDRS");
	if (s->mp.envid[0])
		sp_qfile_addf(&s->q, SP_QREC_MAILPARAM, "ENVID=%s", s->mp.envid);
	for (size_t i = 0; i < s->nrcpt; i++) {
		const struct sp_rcpt_params *p = &s->rcpts[i].params;
		sp_qfile_add(&s->q, SP_QREC_RCPT, s->rcpts[i].addr, strlen(s->rcpts[i].addr));
		if (p->notify || p->orcpt[0])
			sp_qfile_addf(&s->q, SP_QREC_RCPTPARAM, "NOTIFY=%u ORCPT=%s", p->notify, p->orcpt);
	}
	sp_qfile_addf(&s->q, SP_QREC_ATTR, "client_name=%s", s->peer.name);
	sp_qfile_addf(&s->q, SP_QREC_ATTR, "client_address=%s", s->peer.addr);
	if (s->txn.helo)
		sp_qfile_addf(&s->q, SP_QREC_ATTR, "helo_name=%s", s->txn.helo);
	sp_qfile_addf(&s->q, SP_QREC_ATTR, "protocol=%s", s->esmtp ? "ESMTP" : "SMTP");
	if (s->tls)
		sp_qfile_addf(&s->q, SP_QREC_ATTR, "tls=%s", s->tls_desc);
	if (s->sasl_user[0]) {
		sp_qfile_addf(&s->q, SP_QREC_ATTR, "sasl_method=%s", s->auth_mech);
		sp_qfile_addf(&s->q, SP_QREC_ATTR, "sasl_username=%s", s->sasl_user);
	}
	for (size_t i = 0; i < s->nprepend; i++) {   /* PREPEND: above the Received header */
		sp_qfile_content(&s->q, s->prepend[i], strlen(s->prepend[i]));
		sp_qfile_content(&s->q, "\r\n", 2);
	}
	sp_sess_date(now, date, sizeof(date));
	/* as Postfix: the protocol gets an S under TLS and an A after AUTH; with
	 * smtpd_tls_received_header the session is described, with
	 * smtpd_sasl_authenticated_header the login name */
	if (s->tls && c->tls_received_header)
		sp_sess_received_tls(s, tls, sizeof(tls));
	n = snprintf(hdr, sizeof(hdr), "Received: from %s (%s [%s])\r\n%s%s%s%s\tby %s (%s) "
		     "with %s%s%s id %s", s->txn.helo ? s->txn.helo : s->peer.name, s->peer.name,
		     s->peer.addr, s->tls && c->tls_received_header ? tls : "",
		     s->sasl_user[0] && c->sasl_auth_header ? "\t(Authenticated sender: " : "",
		     s->sasl_user[0] && c->sasl_auth_header ? s->sasl_user : "",
		     s->sasl_user[0] && c->sasl_auth_header ? ")\r\n" : "",
		     c->myhostname, c->mail_name, s->esmtp ? "ESMTP" : "SMTP", s->tls ? "S" : "",
		     s->sasl_user[0] ? "A" : "", s->q.id);
	if (n > 0 && (size_t)n < sizeof(hdr) && s->nrcpt == 1)
		n += snprintf(hdr + n, sizeof(hdr) - (size_t)n, "\r\n\tfor <%s>", s->rcpts[0].addr);
	if (n > 0 && (size_t)n < sizeof(hdr))
		n += snprintf(hdr + n, sizeof(hdr) - (size_t)n, "; %s\r\n", date);
	if (n < 0 || (size_t)n >= sizeof(hdr))
		n = snprintf(hdr, sizeof(hdr), "Received: by %s (%s) id %s; %s\r\n", c->myhostname,
			     c->mail_name, s->q.id, date);
	sp_qfile_content(&s->q, hdr, (size_t)n);
	if (s->sasl_user[0])   /* as Postfix's smtpd_sasl_mail_log */
		sp_sess_log(s, "%s: client=%s[%s], sasl_method=%s, sasl_username=%s", s->q.id,
			    s->peer.name, s->peer.addr, s->auth_mech, s->sasl_user);
	else
		sp_sess_log(s, "%s: client=%s[%s]", s->q.id, s->peer.name, s->peer.addr);
}

/* The data restrictions, then the queue file. SP_WANT_INPUT with
 * *ok = 1 when the content may come. */
static enum sp_want sp_sess_begin_message(struct sp_session *s, int *ok)
{
	struct sp_presult r;
	enum sp_want w;

	*ok = 0;
	s->txn.recipient = s->nrcpt == 1 ? s->rcpts[0].addr : NULL;
	w = sp_sess_policy(s, SP_STAGE_DATA, &r);
	s->txn.recipient = NULL;
	if (w != SP_WANT_INPUT)
		return w;
	if (r.verdict == SP_POLICY_REJECT) {
		sp_sess_error(s, "%s", r.reply);
		return r.code == 421 || r.code == 521 ? (s->closing = 1, SP_WANT_CLOSE) : SP_WANT_INPUT;
	}
	sp_sess_open_queue(s);
	s->in_headers = 1;
	s->hdr_bol = 1;
	s->hdr_size = 0;
	s->hdr_drop = 0;
	s->hdrlen = 0;
	s->msgid[0] = 0;
	*ok = 1;
	return SP_WANT_INPUT;
}

enum sp_want sp_sess_data_cmd(struct sp_session *s)
{
	enum sp_want w;
	int ok;

	if (!s->in_mail) {
		sp_sess_error(s, "503 5.5.1 Error: need RCPT command");
		return SP_WANT_INPUT;
	}
	if (s->nrcpt == 0) {
		sp_sess_error(s, "554 5.5.1 Error: no valid recipients");
		return SP_WANT_INPUT;
	}
	if (s->bdat_open) {
		sp_sess_error(s, "503 5.5.1 Error: DATA after BDAT");
		return SP_WANT_INPUT;
	}
	if ((w = sp_sess_begin_message(s, &ok)) != SP_WANT_INPUT || !ok)
		return w;
	sp_data_init(&s->data, SP_DATA_DOT, s->conf->message_size_limit);
	s->st = SP_SS_DATA;
	sp_sess_reply(s, "354 End data with <CR><LF>.<CR><LF>");
	return SP_WANT_INPUT;
}

/* "BDAT size [LAST]". -1 when malformed. */
static int sp_sess_bdat_args(const struct sp_cmd *c, uint64_t *size, int *last)
{
	size_t i = 0;

	*size = 0;
	if (c->arglen == 0)
		return -1;
	for (; i < c->arglen && c->arg[i] >= '0' && c->arg[i] <= '9'; i++) {
		if (i >= 18)
			return -1;
		*size = *size * 10 + (uint64_t)(c->arg[i] - '0');
	}
	if (i == 0)
		return -1;
	while (i < c->arglen && (c->arg[i] == ' ' || c->arg[i] == '\t'))
		i++;
	*last = c->arglen - i == 4 && strncasecmp(c->arg + i, "LAST", 4) == 0;
	return i == c->arglen || *last ? 0 : -1;
}

enum sp_want sp_sess_bdat_cmd(struct sp_session *s, const struct sp_cmd *c)
{
	uint64_t size;
	int last, ok = 1;
	enum sp_want w;

	if (!(s->conf->ext & SP_EXT_CHUNKING)) {
		/* the chunk that follows must not be read as commands */
		sp_sess_reply(s, "521 5.5.1 Error: command not implemented");
		s->closing = 1;
		return SP_WANT_CLOSE;
	}
	if (sp_sess_bdat_args(c, &size, &last) < 0) {
		/* the chunk's length is unknown: nothing can follow safely */
		sp_sess_error(s, "521 5.5.4 Syntax: BDAT count [LAST]");
		s->closing = 1;
		return SP_WANT_CLOSE;
	}
	if (size == 0 && !last) {   /* RFC 3030 allows only "BDAT 0 LAST" */
		sp_sess_error(s, "551 5.7.1 Null BDAT request");
		if (s->bdat_open)   /* a message under way is spoiled: never queued */
			sp_sess_reset_txn(s);
		return SP_WANT_INPUT;
	}
	s->chunk_left = size;
	s->chunk_size = size;
	s->bdat_last = last;
	if (s->bdat_discard) {   /* after a refused chunk: read, drop, say so */
		s->st = SP_SS_BDAT_SKIP;
		return SP_WANT_INPUT;
	}
	if (s->conf->message_size_limit && s->in_mail && s->nrcpt > 0 && !s->q_err &&
	    (s->bdat_open ? s->data.size : 0) + size > s->conf->message_size_limit) {
		sp_sess_error(s, "552 5.3.4 Chunk exceeds message size limit");
		s->st = SP_SS_BDAT_SKIP;   /* the chunk is read and dropped, and the message */
		s->q_err = -1;
		return SP_WANT_INPUT;
	}
	if (!s->in_mail || s->nrcpt == 0 || s->q_err) {
		s->st = SP_SS_BDAT_SKIP;   /* read and throw away, then answer */
		return SP_WANT_INPUT;
	}
	if (!s->bdat_open) {
		if ((w = sp_sess_begin_message(s, &ok)) != SP_WANT_INPUT)
			return w;
		if (!ok) {   /* refused: its reply is out; the chunk is read and dropped */
			s->st = SP_SS_BDAT_SKIP;
			s->q_err = -1;
			return SP_WANT_INPUT;
		}
		sp_data_init(&s->data, SP_DATA_CHUNK, s->conf->message_size_limit);
		s->bdat_open = 1;
	}
	s->st = SP_SS_BDAT;
	return SP_WANT_INPUT;
}

/* One physical header line is complete (in s->hdrline): Message-ID, or the
 * blank line that ends the header section. */
static void sp_sess_header_line(struct sp_session *s)
{
	if (s->hdrlen > 0 && s->hdrline[s->hdrlen - 1] == '\r')
		s->hdrlen--;
	s->hdrline[s->hdrlen] = 0;
	if (s->hdrlen == 0) {
		s->in_headers = 0;
	} else if (s->msgid[0] == 0 && strncasecmp(s->hdrline, "Message-ID:", 11) == 0) {
		const char *v = s->hdrline + 11;
		while (*v == ' ' || *v == '\t')
			v++;
		snprintf(s->msgid, sizeof(s->msgid), "%s", v);
	}
	s->hdrlen = 0;
}

/* Stores message content: in the header section each header (with its
 * continuation lines) is kept up to header_size_limit bytes and the excess
 * discarded, as Postfix's cleanup does; Message-ID is noted. */
static void sp_sess_store(struct sp_session *s, const char *p, size_t n)
{
	size_t w = 0, limit = s->conf->header_size_limit;

	for (size_t i = 0; i < n && s->in_headers; i++) {
		char c = p[i];
		if (s->hdr_bol) {
			s->hdr_bol = 0;
			if (c != ' ' && c != '\t') {   /* the previous header has ended */
				if (s->hdr_drop) {
					sp_qfile_content(&s->q, "\r\n", 2);
					s->hdr_drop = 0;
					w = i;
				}
				s->hdr_size = 0;
			}
		}
		if (++s->hdr_size > limit && limit > 0 && !s->hdr_drop) {
			sp_qfile_content(&s->q, p + w, i - w);
			s->hdr_drop = 1;
			sp_sess_log(s, "warning: %s: header size limit exceeded: the excess of a header "
				    "from %s[%s] is discarded", s->q.id, s->peer.name, s->peer.addr);
		}
		if (s->hdr_drop)
			w = i + 1;
		if (c == '\n') {
			s->hdr_bol = 1;
			sp_sess_header_line(s);
			if (!s->in_headers) {   /* the blank line: the body follows as it is */
				sp_qfile_content(&s->q, p + w, i + 1 - w);
				w = i + 1;
			}
		} else if (s->hdrlen < sizeof(s->hdrline) - 1) {
			s->hdrline[s->hdrlen++] = c;
		}
	}
	if (w < n)
		sp_qfile_content(&s->q, p + w, n - w);
}

/* Content bytes, DATA or a BDAT chunk. */
enum sp_want sp_sess_content(struct sp_session *s, const char *in, size_t len, size_t *used)
{
	char out[2 * SP_SLICE + 2];
	size_t n = len < SP_SLICE ? len : SP_SLICE, olen = 0, took;

	*used = 0;
	if (s->st == SP_SS_BDAT || s->st == SP_SS_BDAT_SKIP) {
		if (n > s->chunk_left)
			n = (size_t)s->chunk_left;
	}
	if (s->st == SP_SS_BDAT_SKIP) {
		took = n;
	} else {
		took = sp_data_feed(&s->data, in, n, out, &olen);
		if (s->q_open && olen) {
			sp_sess_store(s, out, olen);
		}
	}
	*used = took;
	if (s->st == SP_SS_DATA) {
		if (!s->data.done)
			return SP_WANT_INPUT;
		s->st = SP_SS_CMD;
		s->at_eod = 1;
		return sp_sess_eod(s);
	}
	s->chunk_left -= took;
	if (s->chunk_left > 0)
		return SP_WANT_INPUT;
	if (s->st == SP_SS_BDAT_SKIP && s->bdat_discard) {
		s->st = SP_SS_CMD;
		sp_sess_error(s, "551 5.0.0 Discarded %llu bytes after earlier error",
			      (unsigned long long)s->chunk_size);
		if (s->bdat_last)
			sp_sess_reset_txn(s);
		return SP_WANT_INPUT;
	}
	if (s->st == SP_SS_BDAT_SKIP) {
		s->st = SP_SS_CMD;
		if (s->q_err != -1 && !s->in_mail)
			sp_sess_error(s, "503 5.5.1 Error: need RCPT command");
		else if (s->q_err != -1)
			sp_sess_error(s, "554 5.5.1 Error: no valid recipients");
		if (s->bdat_last || s->q_err == -1)
			sp_sess_reset_txn(s);
		return SP_WANT_INPUT;
	}
	s->st = SP_SS_CMD;
	if (!s->bdat_last && sp_sess_bare_refused(s)) {
		/* refused at once, as Postfix does; the chunks that follow are dropped */
		sp_sess_bare_drop(s);
		s->bdat_discard = 1;   /* still a transaction (MAIL, RCPT and DATA are */
		s->in_mail = 1;        /* refused as during BDAT) until BDAT LAST or RSET */
		s->bdat_open = 1;
		return SP_WANT_INPUT;
	}
	if (!s->bdat_last) {
		s->cmd_ok[SP_VERB_BDAT]++;   /* each accepted chunk, as Postfix counts */
		sp_sess_reply(s, "250 2.0.0 Ok: %llu bytes", (unsigned long long)s->chunk_size);
		return SP_WANT_INPUT;
	}
	if ((olen = sp_data_finish(&s->data, out)) > 0 && s->q_open)
		sp_qfile_content(&s->q, out, olen);
	s->at_eod = 1;
	return sp_sess_eod(s);
}

/* Refuses the message after its content: the reply, the log line, the
 * transaction gone. */
static enum sp_want sp_sess_drop(struct sp_session *s, const char *reply, const char *why)
{
	char to[sizeof(s->rcpts[0].addr) + 8] = "";

	if (s->nrcpt > 0)
		snprintf(to, sizeof(to), " to=<%s>", s->rcpts[0].addr);
	sp_sess_log(s, "%s: reject: %s from %s[%s]: %s; from=<%s>%s proto=%s helo=<%s>",
		    s->q_open ? s->q.id : "NOQUEUE", s->bdat_open ? "BDAT" : "END-OF-MESSAGE",
		    s->peer.name, s->peer.addr, why, s->sender, to, s->esmtp ? "ESMTP" : "SMTP",
		    s->txn.helo ? s->txn.helo : "");
	sp_sess_error(s, "%s", reply);
	s->at_eod = 0;
	sp_sess_reset_txn(s);
	return SP_WANT_INPUT;
}

/* 1 when the content so far has a bare LF or CR that smtpd_forbid_bare_newline refuses. */
static int sp_sess_bare_refused(const struct sp_session *s)
{
	return (s->data.flags & (SP_DATA_BARE_LF | SP_DATA_BARE_CR)) && s->conf->bare_nl_reject &&
	       !s->bare_nl_exempt;
}

static enum sp_want sp_sess_bare_drop(struct sp_session *s)
{
	const char *what = (s->data.flags & SP_DATA_BARE_LF) ? "LF" : "CR";
	char reply[256], why[64];

	snprintf(reply, sizeof(reply), "%d 5.5.2 %s Error: bare <%s> received",
		 s->conf->bare_nl_code, s->conf->myhostname, what);
	snprintf(why, sizeof(why), "bare <%s> received", what);
	return sp_sess_drop(s, reply, why);
}

enum sp_want sp_sess_eod(struct sp_session *s)
{
	s->where = "END-OF-MESSAGE";
	struct sp_presult r;
	enum sp_want w;
	unsigned f = s->data.flags;

	if (sp_sess_bare_refused(s))
		return sp_sess_bare_drop(s);
	if (f & SP_DATA_TOO_BIG)
		return sp_sess_drop(s, "552 5.3.4 Error: message file too big",
				    "message file too big");
	if (s->q_err || !s->q_open)
		return sp_sess_drop(s, "452 4.3.1 Insufficient system storage",
				    "queue file write error");
	s->txn.recipient = s->nrcpt == 1 ? s->rcpts[0].addr : NULL;
	w = sp_sess_policy(s, SP_STAGE_EOD, &r);
	s->txn.recipient = NULL;
	if (w != SP_WANT_INPUT)
		return w;
	if (r.verdict == SP_POLICY_REJECT) {
		w = sp_sess_drop(s, r.reply, "end-of-data restrictions");
		return r.code == 421 || r.code == 521 ? (s->closing = 1, SP_WANT_CLOSE) : w;
	}
	if (s->txn.discarded) {   /* DISCARD: accepted, and thrown away */
		char id[SP_QID_LEN + 1];
		memcpy(id, s->q.id, sizeof(id));
		sp_sess_log(s, "%s: discard: %s from %s[%s]: from=<%s>", id,
			    s->bdat_open ? "BDAT" : "DATA", s->peer.name, s->peer.addr, s->sender);
		s->at_eod = 0;
		if (s->bdat_open)
			sp_sess_reply(s, "250 2.0.0 Ok: %llu bytes queued as %s",
				      (unsigned long long)s->data.size, id);
		else
			sp_sess_reply(s, "250 2.0.0 Ok: queued as %s", id);
		sp_sess_reset_txn(s);
		return SP_WANT_INPUT;
	}
	s->q.hold = s->hold || (r.effects & SP_PEFF_HOLD);
	if (s->q.hold)
		sp_qfile_addf(&s->q, SP_QREC_ATTR, "hold=yes");
	s->waiting = SP_WANT_COMMIT;
	return SP_WANT_COMMIT;
}

enum sp_want sp_sess_commit_done(struct sp_session *s, int err)
{
	char id[SP_QID_LEN + 1];
	uint64_t size = s->q.content;

	memcpy(id, s->q.id, sizeof(id));
	s->q_open = 0;   /* the commit freed it */
	s->at_eod = 0;
	if (err != 0) {
		sp_sess_log(s, "warning: %s: queue file write error: %s", id, strerror(err));
		sp_sess_error(s, "452 4.3.1 Insufficient system storage");
		sp_sess_reset_txn(s);
		return SP_WANT_INPUT;
	}
	s->errors = 0;   /* as Postfix: a message received forgives earlier errors */
	s->junk = 0;
	if (s->msgid[0])
		sp_sess_log(s, "%s: message-id=%s", id, s->msgid);
	/* Postfix's queue manager writes this line; pflogsumm reads it as qmgr's */
	{
		char line[1200];
		snprintf(line, sizeof(line), "%s: from=<%s>, size=%llu, nrcpt=%zu (queue %s)", id,
			 s->sender, (unsigned long long)size, s->nrcpt, s->q.hold ? "hold" : "active");
		if (s->env->log_as)
			s->env->log_as(s->env->log_ctx, "qmgr", line);
		else
			sp_sess_log(s, "%s", line);
	}
	s->cmd_ok[s->bdat_open ? SP_VERB_BDAT : SP_VERB_DATA]++;
	if (s->bdat_open)
		sp_sess_reply(s, "250 2.0.0 Ok: %llu bytes queued as %s",
			      (unsigned long long)s->data.size, id);
	else
		sp_sess_reply(s, "250 2.0.0 Ok: queued as %s", id);
	sp_sess_reset_txn(s);
	return SP_WANT_INPUT;
}
