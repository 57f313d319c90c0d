/*
 * policy_stage.c - the stages of an SMTP transaction as Postfix's smtpd
 * evaluates them (smtpd_check_client ... smtpd_check_eod): which lists run
 * when (smtpd_delay_reject moves client, HELO and sender lists to RCPT),
 * smtpd_helo_required, relay before recipient restrictions, the implicit
 * reject_unlisted_sender/recipient, DEFER_IF_PERMIT carried between stages,
 * and the log line of an event.
 */
#include "policy_impl.h"
#include "../util/hostname.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

enum { SP_DEFER_CLIENT = 1, SP_DEFER_HELO = 2, SP_DEFER_SENDER = 4 };

static const char *const sp_stage_names[SP_STAGE_N] = {
	"CONNECT", "HELO", "MAIL", "RCPT", "DATA", "END-OF-MESSAGE", "ETRN",
};

const char *sp_policy_stage_name(enum sp_pstage stage)
{
	return stage < SP_STAGE_N ? sp_stage_names[stage] : "?";
}

const char *sp_policy_client_addr(const struct sp_txn *txn)
{
	const char *a = txn->client_addr;

	if (a == NULL)
		return "unknown";
	if (strncasecmp(a, "::ffff:", 7) == 0 && sp_valid_ipv4(a + 7))
		return a + 7;
	return a;
}

const char *sp_peval_namaddr(struct sp_peval *e)
{
	if (e->namaddr[0] == 0)
		snprintf(e->namaddr, sizeof(e->namaddr), "%s[%s]",
			 e->txn->client_name ? e->txn->client_name : "unknown", e->client_addr);
	return e->namaddr;
}

/* Postfix's SMTPD_CHECK_RESET, once per stage. */
static void sp_reset(struct sp_peval *e)
{
	e->recursion = 0;
	e->warn_if_reject = 0;
	e->dir.active = 0;
}

/* Runs one list; keeps the deciding restriction of the list that decided. */
static int sp_run(struct sp_peval *e, enum sp_plist l, const char *reply_name,
		  const char *reply_class, enum sp_rid def_acl)
{
	const struct sp_rlist *list = &e->p->lists[l];
	char saved[sizeof(e->out->deciding)];
	int st;

	memcpy(saved, e->out->deciding, sizeof(saved));
	e->out->deciding[0] = 0;
	if (list->n == 0)
		return SP_CK_DUNNO;
	if (reply_name == NULL)
		reply_name = sp_peval_namaddr(e);
	st = sp_peval_list(e, list->v, list->n, list->param, reply_name, reply_class, def_acl);
	if (st != SP_CK_REJECT && st != SP_CK_STOP)
		memcpy(e->out->deciding, saved, sizeof(saved));
	return st;
}

static int sp_stage_client(struct sp_peval *e)
{
	int st;

	e->dip->active = 0;
	sp_reset(e);
	st = sp_run(e, SP_L_CLIENT, NULL, "Client host", SP_R_CHECK_CLIENT_ACCESS);
	e->txn->defer_flags = (e->txn->defer_flags & ~(unsigned)SP_DEFER_CLIENT) |
			      (e->dip->active ? SP_DEFER_CLIENT : 0);
	return st;
}

static int sp_stage_helo(struct sp_peval *e)
{
	int st;

	if (e->helo == NULL)
		return SP_CK_DUNNO;
	e->dip->active = (e->txn->defer_flags & SP_DEFER_CLIENT) != 0;
	sp_reset(e);
	st = sp_run(e, SP_L_HELO, e->helo, "Helo command", SP_R_CHECK_HELO_ACCESS);
	e->txn->defer_flags = (e->txn->defer_flags & ~(unsigned)SP_DEFER_HELO) |
			      (e->dip->active ? SP_DEFER_HELO : 0);
	return st;
}

static int sp_stage_mail(struct sp_peval *e)
{
	const char *snd = e->sender;
	int st;

	if (snd == NULL)
		return SP_CK_DUNNO;
	e->dip->active = (e->txn->defer_flags & (SP_DEFER_CLIENT | SP_DEFER_HELO)) != 0;
	e->sender_rcptmap_checked = 0;
	sp_reset(e);
	st = sp_run(e, SP_L_SENDER, snd, "Sender address", SP_R_CHECK_SENDER_ACCESS);
	e->txn->defer_flags = (e->txn->defer_flags & ~(unsigned)SP_DEFER_SENDER) |
			      (e->dip->active ? SP_DEFER_SENDER : 0);
	if (e->p->reject_unlisted_sender && st != SP_CK_REJECT && st != SP_CK_STOP &&
	    !e->sender_rcptmap_checked && !e->discard && *snd) {
		st = sp_pcheck_rcpt_maps(e, snd, "Sender address");
		if (st == SP_CK_REJECT)
			snprintf(e->out->deciding, sizeof(e->out->deciding), "%s",
				 "smtpd_reject_unlisted_sender");
	}
	return st;
}

/* Postfix turns a permit into the deferral a DEFER_IF_PERMIT asked for. */
static int sp_apply_dip(struct sp_peval *e, int st)
{
	struct sp_pdefer d;

	if (st == SP_CK_REJECT || st == SP_CK_STOP || !e->dip->active)
		return st;
	d = *e->dip;
	snprintf(e->out->deciding, sizeof(e->out->deciding), "defer_if_permit");
	e->warn_if_reject = 0;
	e->dir.active = 0;
	return sp_peval_reject(e, 0, d.code, d.dsn, "%s", d.reason);
}

static int sp_stage_rcpt(struct sp_peval *e)
{
	const struct sp_policy *p = e->p;
	const char *r = e->recipient;
	int st = SP_CK_DUNNO;
	enum sp_plist order[2] = {SP_L_RELAY, SP_L_RECIPIENT};

	if (r == NULL || strcasecmp(r, "postmaster") == 0)
		return SP_CK_DUNNO;
	e->rcptmap_checked = 0;
	if (p->delay_reject) {
		if ((st = sp_stage_client(e)) == SP_CK_REJECT || st == SP_CK_STOP ||
		    (st = sp_stage_helo(e)) == SP_CK_REJECT || st == SP_CK_STOP ||
		    (st = sp_stage_mail(e)) == SP_CK_REJECT || st == SP_CK_STOP)
			return st;
	}
	e->dip->active = (e->txn->defer_flags & SP_DEFER_SENDER) != 0;
	sp_reset(e);
	if (!p->relay_before_rcpt) {
		order[0] = SP_L_RECIPIENT;
		order[1] = SP_L_RELAY;
	}
	for (int i = 0; i < 2; i++) {
		st = sp_run(e, order[i], r, "Recipient address", SP_R_CHECK_RECIPIENT_ACCESS);
		if (st == SP_CK_REJECT || st == SP_CK_STOP)
			return st;
	}
	st = sp_apply_dip(e, st);
	if (p->reject_unlisted_rcpt && st != SP_CK_REJECT && !e->rcptmap_checked && !e->discard &&
	    *r) {
		st = sp_pcheck_rcpt_maps(e, r, "Recipient address");
		if (st == SP_CK_REJECT && e->out->deciding[0] == 0)
			snprintf(e->out->deciding, sizeof(e->out->deciding), "%s",
				 "smtpd_reject_unlisted_recipient");
	}
	return st;
}

static int sp_stage_data(struct sp_peval *e, enum sp_plist l, const char *name,
			 const char *cls)
{
	int st;

	if (e->txn->rcpt_count > 1)
		e->recipient = NULL;
	e->dip->active = 0;
	sp_reset(e);
	st = sp_run(e, l, name, cls, SP_R_COUNT);
	return sp_apply_dip(e, st);
}

static int sp_stage(struct sp_peval *e)
{
	const struct sp_policy *p = e->p;

	switch (e->stage) {
	case SP_STAGE_CLIENT:
		return p->delay_reject ? SP_CK_DUNNO : sp_stage_client(e);
	case SP_STAGE_HELO:
		return p->delay_reject ? SP_CK_DUNNO : sp_stage_helo(e);
	case SP_STAGE_MAIL:
		if (p->helo_required && e->txn->helo == NULL) {
			snprintf(e->out->deciding, sizeof(e->out->deciding), "smtpd_helo_required");
			return sp_peval_reject(e, 1, 503, "5.5.1", "Error: send HELO/EHLO first");
		}
		return p->delay_reject ? SP_CK_DUNNO : sp_stage_mail(e);
	case SP_STAGE_RCPT:
		return sp_stage_rcpt(e);
	case SP_STAGE_DATA:
		return sp_stage_data(e, SP_L_DATA, "DATA", "Data command");
	case SP_STAGE_EOD:
		return sp_stage_data(e, SP_L_EOD, "END-OF-MESSAGE", "End-of-data");
	case SP_STAGE_ETRN:
		e->dip->active = 0;
		sp_reset(e);
		return e->txn->etrn ? sp_run(e, SP_L_ETRN, e->txn->etrn, "Etrn command",
					     SP_R_CHECK_ETRN_ACCESS)
				    : SP_CK_DUNNO;
	default:
		return SP_CK_DUNNO;
	}
}

void sp_policy_eval(const struct sp_policy *p, enum sp_pstage stage, struct sp_txn *txn,
		    struct sp_presult *out, struct sp_ptrace *trace)
{
	struct sp_peval e;
	int st;

	/* The result is large (events, headers): clear what is read, not all. */
	out->verdict = SP_POLICY_ACCEPT;
	out->code = 0;
	out->reply[0] = out->deciding[0] = out->hold_reason[0] = out->pending_name[0] = 0;
	out->effects = 0;
	out->nprepend = out->nevents = 0;
	out->events_lost = 0;
	out->pending_kind = SP_PDNS_MAILHOST;
	memset(&e, 0, offsetof(struct sp_peval, memo));
	e.nmemo = 0;
	e.p = p;
	e.txn = txn;
	e.out = out;
	e.trace = trace;
	e.stage = stage;
	e.sender = stage >= SP_STAGE_MAIL ? txn->sender : NULL;
	e.recipient = stage >= SP_STAGE_RCPT && stage != SP_STAGE_ETRN ? txn->recipient : NULL;
	e.helo = txn->helo;
	e.dip = &txn->defer_if_permit;
	e.client_addr = sp_policy_client_addr(txn);
	e.discard = txn->discarded;
	if (trace) {
		trace->n = 0;
		trace->lost = 0;
	}
	st = sp_stage(&e);
	if (e.discard && !e.pending)
		txn->discarded = 1;
	if (e.pending) {
		out->verdict = SP_POLICY_PENDING;
		out->reply[0] = 0;
		out->code = 0;
	} else if (e.hangup) {
		out->verdict = SP_POLICY_HANGUP;
	} else if (st == SP_CK_REJECT) {
		out->verdict = SP_POLICY_REJECT;
	} else {
		out->verdict = SP_POLICY_ACCEPT;
		out->reply[0] = 0;
		out->code = 0;
	}
}

const char *sp_policy_log_line(const struct sp_txn *txn, enum sp_pstage stage,
			       const char *queue_id, const struct sp_pevent *ev,
			       char *buf, size_t len)
{
	return sp_policy_log_line_where(txn, stage, sp_policy_stage_name(stage), queue_id, ev, buf,
					len);
}

const char *sp_policy_log_line_where(const struct sp_txn *txn, enum sp_pstage stage,
				     const char *where, const char *queue_id,
				     const struct sp_pevent *ev, char *buf, size_t len)
{
	int n;

	if (strcmp(ev->what, "warning") == 0) {   /* a problem, not a decision */
		snprintf(buf, len, "warning: %s", ev->text);
		return buf;
	}
	n = snprintf(buf, len, "%s: %s: %s from %s[%s]: %s;", queue_id ? queue_id : "NOQUEUE",
			 ev->what, where,
			 txn->client_name ? txn->client_name : "unknown",
			 sp_policy_client_addr(txn), ev->text);
	size_t used;

	used = n < 0 ? 0 : (size_t)n;
#define SP_APPEND(...) do { \
		if (used < len) { \
			n = snprintf(buf + used, len - used, __VA_ARGS__); \
			used += n < 0 ? 0 : (size_t)n; \
		} \
	} while (0)
	if (txn->sender && stage >= SP_STAGE_MAIL)
		SP_APPEND(" from=<%s>", txn->sender);
	if (txn->recipient && stage >= SP_STAGE_RCPT)
		SP_APPEND(" to=<%s>", txn->recipient);
	SP_APPEND(" proto=%s", txn->esmtp ? "ESMTP" : "SMTP");
	if (txn->helo)
		SP_APPEND(" helo=<%s>", txn->helo);
#undef SP_APPEND
	return buf;
}
