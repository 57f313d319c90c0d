/*
 * policy_eval.c - walking one restriction list, first match wins (Postfix's
 * generic_checks), and what every restriction shares: the reject reply
 * (codes, enhanced codes, warn_if_reject, defer_if_reject, soft_bounce),
 * DEFER_IF_PERMIT / DEFER_IF_REJECT, access table results (access(5)),
 * log events and the trace.
 */
#include "policy_impl.h"
#include "action.h"
#include "../util/utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define SP_RECURSION_MAX 100

/* ---- events and trace ---- */

/* An event whose text is ready (no formatting on the reject path). */
static void sp_peval_event_text(struct sp_peval *e, const char *what, const char *text)
{
	struct sp_presult *o = e->out;
	size_t n = strnlen(text, sizeof(o->events[0].text) - 1);

	if (o->nevents == SP_PEVENTS_MAX) {
		o->events_lost = 1;
		return;
	}
	snprintf(o->events[o->nevents].what, sizeof(o->events[0].what), "%s", what);
	memcpy(o->events[o->nevents].text, text, n);
	o->events[o->nevents].text[n] = 0;
	o->nevents++;
}

void sp_peval_event(struct sp_peval *e, const char *what, const char *fmt, ...)
{
	struct sp_presult *o = e->out;
	va_list ap;

	if (o->nevents == SP_PEVENTS_MAX) {
		o->events_lost = 1;
		return;
	}
	snprintf(o->events[o->nevents].what, sizeof(o->events[0].what), "%s", what);
	va_start(ap, fmt);
	vsnprintf(o->events[o->nevents].text, sizeof(o->events[0].text), fmt, ap);
	va_end(ap);
	o->nevents++;
}

static struct sp_tentry *sp_tnew(struct sp_peval *e, enum sp_tkind kind, const char *name)
{
	struct sp_ptrace *t = e->trace;
	struct sp_tentry *te;

	if (t == NULL)
		return NULL;
	if (t->n == t->cap) {
		t->lost++;
		return NULL;
	}
	te = &t->v[t->n++];
	memset(te, 0, sizeof(*te));
	te->kind = kind;
	te->depth = e->recursion;
	te->name = name;
	return te;
}

void sp_peval_trace(struct sp_peval *e, enum sp_tkind kind, const char *name, const char *result,
		    const char *fmt, ...)
{
	struct sp_tentry *te = sp_tnew(e, kind, name);
	va_list ap;

	if (te == NULL)
		return;
	if (result)
		snprintf(te->result, sizeof(te->result), "%s", result);
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(te->detail, sizeof(te->detail), fmt, ap);
		va_end(ap);
	}
}

void sp_peval_trace_lookup(struct sp_peval *e, const char *table, const char *key,
			   const char *value)
{
	struct sp_tentry *te = sp_tnew(e, SP_TR_LOOKUP, NULL);

	if (te == NULL)
		return;
	snprintf(te->table, sizeof(te->table), "%s", table);
	snprintf(te->key, sizeof(te->key), "%s", key);
	te->found = value != NULL;
	if (value)
		snprintf(te->value, sizeof(te->value), "%s", value);
}

/* ---- replies ---- */

/* Postfix's smtpd_dsn_fix: an address status (X.1.Y) is made to fit what
 * is rejected. buf has room for 8 bytes. */
const char *sp_dsn_fix(const char *dsn, const char *reply_class, char *buf)
{
	static const struct {
		char micro;
		const char *sender, *rcpt;
	} map[] = {
		{'1', "4.1.7", "4.1.1"}, {'2', "4.1.8", "4.1.2"}, {'3', "4.1.7", "4.1.3"},
		{'4', "4.1.7", "4.1.4"}, {'5', "4.1.0", "4.1.5"}, {'6', "4.1.7", "4.1.6"},
		{'7', "4.1.7", "4.1.3"}, {'8', "4.1.8", "4.1.2"},
	};
	const char *res = "4.1.0";

	if (!(dsn[0] >= '0' && dsn[0] <= '9') || strncmp(dsn + 1, ".1.", 3) != 0)
		return dsn;
	if (strcmp(reply_class, "Sender address") == 0 || strcmp(reply_class, "Recipient address") == 0) {
		int snd = reply_class[0] == 'S';
		for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
			if (dsn[4] == map[i].micro && dsn[5] == 0)
				res = snd ? map[i].sender : map[i].rcpt;
	} else {
		res = "4.0.0";
	}
	snprintf(buf, 8, "%c%s", dsn[0], res + 1);
	return buf;
}

static int sp_dsn_valid(const char *dsn)
{
	size_t n;

	return sp_dsn_prefix(dsn, &n) && dsn[n] == 0;
}

/* Replaces control bytes, and 8-bit bytes unless the text is valid UTF-8
 * (an SMTPUTF8 address), as Postfix's printable() does. */
static void sp_printable(char *s)
{
	int utf8 = sp_utf8_valid(s, strlen(s));

	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f ||
		    ((unsigned char)*s >= 0x80 && !utf8))
			*s = ' ';
}

/* soft_class: a configuration or lookup error, which warn_if_reject does
 * not turn into a warning. */
static int sp_vreject(struct sp_peval *e, int soft_class, int code, const char *dsn,
		      const char *fmt, va_list ap)
{
	struct sp_presult *o = e->out;
	char reply[SP_PREPLY_MAX + 32];
	int warn = e->warn_if_reject && !soft_class;
	int n = snprintf(reply, sizeof(reply), "%d %.15s ", code, dsn);

	if (n > 0 && (size_t)n < sizeof(reply))
		vsnprintf(reply + n, sizeof(reply) - (size_t)n, fmt, ap);
	if (code < 400 || code > 599 || !sp_dsn_valid(dsn)) {
		sp_peval_event(e, "warning", "reply code configuration error: %.200s", reply);
		snprintf(reply, sizeof(reply), "450 4.7.1 Service unavailable");
	}
	reply[510] = 0;
	sp_printable(reply);
	if (!warn && e->dir.active && reply[0] == '5') {
		struct sp_pdefer d = e->dir;
		e->warn_if_reject = 0;
		e->dir.active = 0;
		return sp_peval_reject(e, 0, d.code, d.dsn, "%s", d.reason);
	}
	if (e->p->soft_bounce && reply[0] == '5')
		reply[0] = '4';
	reply[4] = reply[0];
	sp_peval_event_text(e, warn ? "reject_warning" : "reject", reply);
	sp_peval_trace(e, SP_TR_NOTE, NULL, warn ? "WARN" : "REJECT", "%s", reply);
	if (warn)
		return SP_CK_DUNNO;
	memcpy(o->reply, reply, strlen(reply) + 1);   /* at most 510 bytes: fits */
	o->code = (reply[0] - '0') * 100 + (reply[1] - '0') * 10 + (reply[2] - '0');
	return SP_CK_REJECT;
}

int sp_peval_reject(struct sp_peval *e, int soft_class, int code, const char *dsn,
		    const char *fmt, ...)
{
	va_list ap;
	int st;

	va_start(ap, fmt);
	st = sp_vreject(e, soft_class, code, dsn, fmt, ap);
	va_end(ap);
	return st;
}

int sp_peval_defer_if(struct sp_peval *e, struct sp_pdefer *d, int code, const char *dsn,
		      const char *fmt, ...)
{
	va_list ap;

	if (!d->active) {
		d->active = 1;
		d->code = code;
		snprintf(d->dsn, sizeof(d->dsn), "%s", dsn);
		va_start(ap, fmt);
		vsnprintf(d->reason, sizeof(d->reason), fmt, ap);
		va_end(ap);
	}
	sp_peval_trace(e, SP_TR_NOTE, NULL, d == e->dip ? "DEFER_IF_PERMIT" : "DEFER_IF_REJECT",
		       "%d %s %s", d->code, d->dsn, d->reason);
	return SP_CK_DUNNO;
}

int sp_peval_permit(struct sp_peval *e, const char *action, const char *reply_class,
		    const char *reply_name, const char *table)
{
	const struct sp_policy *p = e->p;
	int log = 0;

	if (!e->dip->active && *p->acl_permit_log) {
		size_t n = strlen(action);
		const char *s = p->acl_permit_log;
		log = p->acl_permit_log_all;
		while (!log && (s = strcasestr(s, action)) != NULL) {
			log = (s == p->acl_permit_log || s[-1] == ',' || s[-1] == ' ') &&
			      (s[n] == 0 || s[n] == ',' || s[n] == ' ');
			s += n;
		}
	}
	if (log)
		sp_peval_event(e, "permit", "action=%s for %s=%s%s%s", action, reply_class,
			       reply_name, table ? " from " : "", table ? table : "");
	return SP_CK_OK;
}

int sp_peval_temp_lookup(struct sp_peval *e, const char *reply_name)
{
	return sp_peval_reject(e, 1, 451, "4.3.0", "<%s>: Temporary lookup failure", reply_name);
}

int sp_peval_server_error(struct sp_peval *e)
{
	return sp_peval_reject(e, 1, 451, "4.3.5", "Server configuration error");
}

/* ---- access table results ---- */

static int sp_table_result(struct sp_peval *e, const char *table, const char *value,
			   const char *datum, const char *reply_name, const char *reply_class,
			   enum sp_rid def_acl);

static void sp_table_spec(struct sp_dict *t, char *buf, size_t len)
{
	snprintf(buf, len, "%s:%s", sp_dict_type(t), sp_dict_name(t));
}

/* Looks keys up in table; on a match, carries out the result. *found is 1
 * when a key matched (or the lookup failed: that answers too). */
int sp_peval_access(struct sp_peval *e, struct sp_dict *table, const struct sp_lookup_keys *keys,
		    const char *datum, const char *reply_name, const char *reply_class,
		    enum sp_rid def_acl, int *found)
{
	const char *value = NULL, *matched = NULL;
	char err[256], spec[300];
	int r;

	r = sp_lookup_first(&table, 1, keys, &value, &matched, err, sizeof(err));
	*found = r != 0;
	if (r != 0 || e->trace)
		sp_table_spec(table, spec, sizeof(spec));
	if (r < 0) {
		sp_peval_event(e, "warning", "%s lookup error: %s", spec, err);
		sp_peval_trace_lookup(e, spec, keys->n ? keys->v[0].key : "", "(lookup error)");
		return sp_table_result(e, spec, "451 4.3.5 Server configuration error", datum,
				       reply_name, reply_class, def_acl);
	}
	if (r == 0) {
		for (size_t i = 0; i < keys->n && e->trace; i++)
			sp_peval_trace_lookup(e, spec, keys->v[i].key, NULL);
		return SP_CK_DUNNO;
	}
	sp_peval_trace_lookup(e, spec, matched, value);
	return sp_table_result(e, spec, value, datum, reply_name, reply_class, def_acl);
}

/* Actions that change what happens to the message. */
static int sp_table_effect(struct sp_peval *e, const struct sp_action *a, const char *table,
			   const char *reply_name, const char *reply_class)
{
	struct sp_presult *o = e->out;

	if (e->sender == NULL) {   /* client or HELO list with smtpd_delay_reject = no */
		sp_peval_event(e, "warning", "access table %s: with smtpd_delay_reject=no, this action "
			       "is always skipped in client or helo restrictions", table);
		return SP_CK_DUNNO;
	}
	switch (a->kind) {
	case SP_ACT_HOLD:
		if (o->effects & SP_PEFF_HOLD)
			return SP_CK_DUNNO;
		o->effects |= SP_PEFF_HOLD;
		snprintf(o->hold_reason, sizeof(o->hold_reason), "<%s>: %s %s", reply_name,
			 reply_class, *a->text ? a->text : "triggers HOLD action");
		sp_peval_event(e, "hold", "%s", o->hold_reason);
		return SP_CK_DUNNO;
	case SP_ACT_DISCARD:
		o->effects |= SP_PEFF_DISCARD;
		e->discard = 1;
		sp_peval_event(e, "discard", "<%s>: %s %s", reply_name, reply_class,
			       *a->text ? a->text : "triggers DISCARD action");
		return sp_peval_permit(e, "DISCARD", reply_class, reply_name, table);
	case SP_ACT_PREPEND:
		if (e->stage == SP_STAGE_EOD) {
			sp_peval_event(e, "warning", "access table %s: action PREPEND must be used "
				       "before smtpd_end_of_data_restrictions", table);
		} else if (o->nprepend < SP_PPREPEND_MAX) {
			snprintf(o->prepend[o->nprepend++], sizeof(o->prepend[0]), "%s", a->text);
		}
		return SP_CK_DUNNO;
	default:
		return SP_CK_DUNNO;
	}
}

static int sp_table_list(struct sp_peval *e, const char *table, const char *value,
			 const char *reply_name, const char *reply_class, enum sp_rid def_acl)
{
	struct sp_rstep steps[32];
	const char *why = NULL;
	int n;

	if (e->recursion > SP_RECURSION_MAX) {
		sp_peval_event(e, "warning", "access table %s entry %s causes unreasonable recursion",
			       table, value);
		return sp_peval_server_error(e);
	}
	if ((n = sp_policy_parse_dynamic(e->p, value, steps, 32, &why)) < 0) {
		sp_peval_event(e, "warning", "access table %s: result \"%.100s\" names %s", table, value,
			       why);
		return sp_peval_server_error(e);
	}
	if (n == 0) {
		sp_peval_event(e, "warning", "access table %s entry has empty value", table);
		return SP_CK_OK;
	}
	return sp_peval_list(e, steps, (size_t)n, value, reply_name, reply_class, def_acl);
}

static int sp_table_result(struct sp_peval *e, const char *table, const char *value,
			   const char *datum, const char *reply_name, const char *reply_class,
			   enum sp_rid def_acl)
{
	struct sp_action a;
	char dsnbuf[8];
	const char *dflt;

	(void)datum;
	sp_action_parse(value, &a);
	switch (a.kind) {
	case SP_ACT_DUNNO:
		return SP_CK_DUNNO;
	case SP_ACT_REJECT:
	case SP_ACT_DEFER:
	case SP_ACT_CODE:
		return sp_peval_reject(e, 0, a.kind == SP_ACT_REJECT ? e->p->map_reject_code
					 : a.kind == SP_ACT_DEFER ? e->p->map_defer_code : a.code,
				       sp_dsn_fix(a.dsn, reply_class, dsnbuf), "<%s>: %s rejected: %s",
				       reply_name, reply_class, *a.text ? a.text : "Access denied");
	case SP_ACT_HANGUP:
		sp_peval_event(e, "hangup", "%s", a.text);
		e->hangup = 1;
		return SP_CK_STOP;
	case SP_ACT_INFO:
	case SP_ACT_WARN:
		sp_peval_event(e, a.kind == SP_ACT_INFO ? "info" : "warn", "%s", a.text);
		return SP_CK_DUNNO;
	case SP_ACT_FILTER:
	case SP_ACT_REDIRECT:
	case SP_ACT_BCC:
		sp_peval_event(e, "warning", "access table %s: action \"%.40s\" is not supported by "
			       "sallyport", table, value);
		return sp_peval_server_error(e);
	case SP_ACT_HOLD:
	case SP_ACT_DISCARD:
	case SP_ACT_PREPEND:
		if (a.problem) {
			sp_peval_event(e, "warning", "access table %s entry: %s", table, a.problem);
			return SP_CK_DUNNO;
		}
		return sp_table_effect(e, &a, table, reply_name, reply_class);
	case SP_ACT_DEFER_IF_PERMIT:
	case SP_ACT_DEFER_IF_REJECT:
		dflt = "Service unavailable";
		if (a.kind == SP_ACT_DEFER_IF_PERMIT && e->warn_if_reject)
			return sp_peval_reject(e, 0, e->p->map_defer_code,
					       sp_dsn_fix(a.dsn, reply_class, dsnbuf),
					       "<%s>: %s rejected: %s", reply_name, reply_class,
					       *a.text ? a.text : dflt);
		return sp_peval_defer_if(e, a.kind == SP_ACT_DEFER_IF_PERMIT ? e->dip : &e->dir,
					 e->p->map_defer_code, sp_dsn_fix(a.dsn, reply_class, dsnbuf),
					 "<%s>: %s rejected: %s", reply_name, reply_class,
					 *a.text ? a.text : dflt);
	case SP_ACT_OK:
		return sp_peval_permit(e, a.all_digits ? value : "OK", reply_class, reply_name, table);
	case SP_ACT_BAD:
		sp_peval_event(e, "warning", "access table %s has entry with lookup table: %.100s", table,
			       value);
		return sp_peval_server_error(e);
	case SP_ACT_RESTRICTIONS:
		return sp_table_list(e, table, value, reply_name, reply_class, def_acl);
	}
	return SP_CK_DUNNO;
}
