/*
 * policy_compile.c - builds a struct sp_policy from a configuration view:
 * the restriction lists and classes (each name resolved once to the
 * restriction it is, each table opened once and shared), the tables the
 * restrictions consult (mynetworks, address classes, sender login maps,
 * recipient maps), and the reply codes and switches they read. Every
 * problem is a start-up error with file, line, parameter and fix.
 */
#include "policy_impl.h"
#include "restriction.h"
#include "action.h"
#include "mynetworks.h"
#include "../config/value.h"
#include "../util/buf.h"
#include "../util/mem.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* What a restriction needs from the transaction (for the stage check). */
enum { SP_NEED_NONE, SP_NEED_HELO, SP_NEED_SENDER, SP_NEED_RCPT };

static const struct {
	const char *name;
	enum sp_rid id;
	int table;       /* takes a table argument */
	int need;
} sp_rnames[] = {
	{"check_ccert_access", SP_R_CHECK_CCERT_ACCESS, 1, SP_NEED_NONE},
	{"check_client_access", SP_R_CHECK_CLIENT_ACCESS, 1, SP_NEED_NONE},
	{"check_etrn_access", SP_R_CHECK_ETRN_ACCESS, 1, SP_NEED_NONE},
	{"check_helo_access", SP_R_CHECK_HELO_ACCESS, 1, SP_NEED_HELO},
	{"check_recipient_access", SP_R_CHECK_RECIPIENT_ACCESS, 1, SP_NEED_RCPT},
	{"check_reverse_client_hostname_access", SP_R_CHECK_REVERSE_CLIENT_ACCESS, 1, SP_NEED_NONE},
	{"check_sender_access", SP_R_CHECK_SENDER_ACCESS, 1, SP_NEED_SENDER},
	{"defer", SP_R_DEFER, 0, SP_NEED_NONE},
	{"defer_if_permit", SP_R_DEFER_IF_PERMIT, 0, SP_NEED_NONE},
	{"defer_if_reject", SP_R_DEFER_IF_REJECT, 0, SP_NEED_NONE},
	{"defer_unauth_destination", SP_R_DEFER_UNAUTH_DESTINATION, 0, SP_NEED_RCPT},
	{"permit", SP_R_PERMIT, 0, SP_NEED_NONE},
	{"permit_auth_destination", SP_R_PERMIT_AUTH_DESTINATION, 0, SP_NEED_RCPT},
	{"permit_mynetworks", SP_R_PERMIT_MYNETWORKS, 0, SP_NEED_NONE},
	{"permit_sasl_authenticated", SP_R_PERMIT_SASL_AUTHENTICATED, 0, SP_NEED_NONE},
	{"permit_tls_all_clientcerts", SP_R_PERMIT_TLS_ALL_CLIENTCERTS, 0, SP_NEED_NONE},
	{"permit_tls_clientcerts", SP_R_PERMIT_TLS_CLIENTCERTS, 0, SP_NEED_NONE},
	{"reject", SP_R_REJECT, 0, SP_NEED_NONE},
	{"reject_authenticated_sender_login_mismatch", SP_R_REJECT_AUTH_SENDER_LOGIN_MISMATCH, 0,
	 SP_NEED_SENDER},
	{"reject_invalid_helo_hostname", SP_R_REJECT_INVALID_HELO_HOSTNAME, 0, SP_NEED_HELO},
	{"reject_invalid_hostname", SP_R_REJECT_INVALID_HELO_HOSTNAME, 0, SP_NEED_HELO},
	{"reject_known_sender_login_mismatch", SP_R_REJECT_KNOWN_SENDER_LOGIN_MISMATCH, 0,
	 SP_NEED_SENDER},
	{"reject_multi_recipient_bounce", SP_R_REJECT_MULTI_RECIPIENT_BOUNCE, 0, SP_NEED_SENDER},
	{"reject_non_fqdn_helo_hostname", SP_R_REJECT_NON_FQDN_HELO_HOSTNAME, 0, SP_NEED_HELO},
	{"reject_non_fqdn_hostname", SP_R_REJECT_NON_FQDN_HELO_HOSTNAME, 0, SP_NEED_HELO},
	{"reject_non_fqdn_recipient", SP_R_REJECT_NON_FQDN_RECIPIENT, 0, SP_NEED_RCPT},
	{"reject_non_fqdn_sender", SP_R_REJECT_NON_FQDN_SENDER, 0, SP_NEED_SENDER},
	{"reject_plaintext_session", SP_R_REJECT_PLAINTEXT_SESSION, 0, SP_NEED_NONE},
	{"reject_sender_login_mismatch", SP_R_REJECT_SENDER_LOGIN_MISMATCH, 0, SP_NEED_SENDER},
	{"reject_unauth_destination", SP_R_REJECT_UNAUTH_DESTINATION, 0, SP_NEED_RCPT},
	{"reject_unauth_pipelining", SP_R_REJECT_UNAUTH_PIPELINING, 0, SP_NEED_NONE},
	{"reject_unauthenticated_sender_login_mismatch", SP_R_REJECT_UNAUTH_SENDER_LOGIN_MISMATCH, 0,
	 SP_NEED_SENDER},
	{"reject_unknown_client", SP_R_REJECT_UNKNOWN_CLIENT_HOSTNAME, 0, SP_NEED_NONE},
	{"reject_unknown_client_hostname", SP_R_REJECT_UNKNOWN_CLIENT_HOSTNAME, 0, SP_NEED_NONE},
	{"reject_unknown_helo_hostname", SP_R_REJECT_UNKNOWN_HELO_HOSTNAME, 0, SP_NEED_HELO},
	{"reject_unknown_hostname", SP_R_REJECT_UNKNOWN_HELO_HOSTNAME, 0, SP_NEED_HELO},
	{"reject_unknown_recipient_domain", SP_R_REJECT_UNKNOWN_RECIPIENT_DOMAIN, 0, SP_NEED_RCPT},
	{"reject_unknown_reverse_client_hostname", SP_R_REJECT_UNKNOWN_REVERSE_CLIENT_HOSTNAME, 0,
	 SP_NEED_NONE},
	{"reject_unknown_sender_domain", SP_R_REJECT_UNKNOWN_SENDER_DOMAIN, 0, SP_NEED_SENDER},
	{"reject_unlisted_recipient", SP_R_REJECT_UNLISTED_RECIPIENT, 0, SP_NEED_RCPT},
	{"reject_unlisted_sender", SP_R_REJECT_UNLISTED_SENDER, 0, SP_NEED_SENDER},
	{"warn_if_reject", SP_R_WARN_IF_REJECT, 0, SP_NEED_NONE},
};

#define SP_NRNAMES (sizeof(sp_rnames) / sizeof(sp_rnames[0]))

static int sp_rname_find(const char *name, size_t len)
{
	for (size_t i = 0; i < SP_NRNAMES; i++)
		if (strlen(sp_rnames[i].name) == len && strncasecmp(sp_rnames[i].name, name, len) == 0)
			return (int)i;
	return -1;
}

static const char *const sp_list_params[SP_L_N] = {
	"smtpd_client_restrictions", "smtpd_helo_restrictions", "smtpd_sender_restrictions",
	"smtpd_relay_restrictions", "smtpd_recipient_restrictions", "smtpd_data_restrictions",
	"smtpd_end_of_data_restrictions", "smtpd_etrn_restrictions",
};

/* What a stage's list can see when smtpd_delay_reject = no. */
static const int sp_list_sees[SP_L_N] = {
	SP_NEED_NONE, SP_NEED_HELO, SP_NEED_SENDER, SP_NEED_RCPT, SP_NEED_RCPT, SP_NEED_RCPT,
	SP_NEED_RCPT, SP_NEED_NONE,
};

struct sp_pbuild {
	struct sp_policy *p;
	const struct sp_view *v;
	struct sp_diags *d;
	const struct sp_param *param;   /* the parameter being compiled */
	size_t errors;
};

static void sp_perr(struct sp_pbuild *b, const char *fix, const char *fmt, const char *arg)
{
	const struct sp_param *prm = b->param;

	sp_diag_add(b->d, SP_ERROR, prm ? prm->file : NULL, prm ? prm->line : 0,
		    prm ? prm->name : NULL, fix, fmt, arg);
	b->errors++;
}

/* Rejects access table results sallyport cannot carry out (FILTER,
 * REDIRECT, BCC need the queue's content filter and redirect support). */
static int sp_scan_value(void *ctx, const char *key, const char *value)
{
	struct sp_pbuild *b = ctx;
	struct sp_action a;
	char msg[300];

	sp_action_parse(value, &a);
	if (a.kind == SP_ACT_FILTER || a.kind == SP_ACT_REDIRECT || a.kind == SP_ACT_BCC) {
		snprintf(msg, sizeof(msg), "%.100s: \"%.60s\"", key, value);
		sp_perr(b, "remove the entry: FILTER, REDIRECT and BCC results are not supported "
			"by sallyport", "access table entry %s is not supported", msg);
		sp_diag_unsupported(b->d);
	}
	return 0;
}

/* Opens spec once per policy. */
static struct sp_dict *sp_ptable(struct sp_pbuild *b, const char *spec, int access)
{
	struct sp_policy *p = b->p;
	char err[512];
	struct sp_dict *t;

	for (size_t i = 0; i < p->ntables; i++) {
		char s[1024];
		snprintf(s, sizeof(s), "%s:%s", sp_dict_type(p->tables[i]), sp_dict_name(p->tables[i]));
		if (strcmp(s, spec) == 0)
			return p->tables[i];
	}
	/* the auditor on a real Postfix reads tables it has not compiled from source */
	if ((t = sp_dict_open(spec, SP_DICT_FOLD | (b->v->postfix ? SP_DICT_SOURCE : 0u), NULL, err,
			      sizeof(err))) == NULL) {
		sp_perr(b, "create the table (sallyport map TYPE:FILE) or correct its name", "%s",
			err);
		return NULL;
	}
	p->tables = sp_xrealloc(p->tables, (p->ntables + 1) * sizeof(*p->tables));
	p->tables[p->ntables++] = t;
	if (access)
		(void)sp_dict_each(t, sp_scan_value, b, err, sizeof(err));
	return t;
}

/* ---- restriction lists ---- */

struct sp_lbuild {
	struct sp_pbuild *b;
	struct sp_rlist *list;
	int want_table;     /* the previous step needs its table */
};

static const struct sp_pclass *sp_class_find(const struct sp_policy *p, const char *name,
					     size_t len)
{
	for (size_t i = 0; i < p->nclasses; i++)
		if (strlen(p->classes[i].name) == len && memcmp(p->classes[i].name, name, len) == 0)
			return &p->classes[i];
	return NULL;
}

static void sp_unknown_name(struct sp_pbuild *b, const char *name)
{
	const struct sp_restriction_def *known = sp_restriction_find(name);
	char fix[256];

	if (known && known->state == SP_R_REMOVED) {
		sp_perr(b, known->replacement, "restriction \"%s\" is not accepted", name);
		return;
	}
	if (known) {
		sp_perr(b, "remove it, or express the rule with the restrictions sallyport supports "
			"(docs/policy.md)", "restriction \"%s\" is not supported by sallyport", name);
		sp_diag_unsupported(b->d);
		return;
	}
	sp_restriction_fix(name, fix, sizeof(fix));
	sp_perr(b, fix, "unknown restriction \"%s\"", name);
}

static int sp_lelem(void *ctx, const char *e, size_t n)
{
	struct sp_lbuild *lb = ctx;
	struct sp_pbuild *b = lb->b;
	struct sp_rlist *l = lb->list;
	char name[128];
	int i;

	if (lb->want_table) {
		char *spec = sp_xstrndup(e, n);
		char type[64];
		lb->want_table = 0;
		if (sp_dict_split(spec, type, sizeof(type)) == NULL)
			sp_perr(b, "write the table as type:name", "\"%s\" is not a table", spec);
		else
			l->v[l->n - 1].table = sp_ptable(b, spec, 1);
		free(spec);
		return 0;
	}
	snprintf(name, sizeof(name), "%.*s", (int)(n < 127 ? n : 127), e);
	if (memchr(e, ':', n) || *e == '{') {
		sp_perr(b, "write check_client_access, check_sender_access... before the table",
			"\"%s\" is not a restriction (a table needs a check_*_access before it)", name);
		return 0;
	}
	l->v = sp_xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	struct sp_rstep *s = &l->v[l->n++];
	memset(s, 0, sizeof(*s));
	if ((i = sp_rname_find(e, n)) >= 0) {
		s->id = sp_rnames[i].id;
		s->name = sp_rnames[i].name;
		lb->want_table = sp_rnames[i].table;
		return 0;
	}
	/* refused in sallyport (it lets any client that says HELO 192.0.2.1 through), but a
	 * real Postfix 3.7 still runs it: the auditor must too, to see the relay it makes */
	if (b->v->postfix && n == 23 && strncasecmp(e, "permit_naked_ip_address", n) == 0) {
		s->id = SP_R_PERMIT_NAKED_IP_ADDRESS;
		s->name = "permit_naked_ip_address";
		return 0;
	}
	if ((s->cls = sp_class_find(b->p, e, n)) != NULL) {
		s->id = SP_R_CLASS;
		s->name = s->cls->name;
		return 0;
	}
	l->n--;
	for (char *q = name; *q; q++)
		*q = (char)tolower((unsigned char)*q);
	sp_unknown_name(b, name);
	return 0;
}

static void sp_compile_list(struct sp_pbuild *b, const char *value, struct sp_rlist *l)
{
	struct sp_lbuild lb = {b, l, 0};

	(void)sp_value_list(value, sp_lelem, &lb);
	if (lb.want_table)
		sp_perr(b, "add the table after it, for example hash:/etc/postfix/access",
			"\"%s\" needs a table after it", l->v[l->n - 1].name);
}

int sp_policy_parse_dynamic(const struct sp_policy *p, const char *value, struct sp_rstep *v,
			    size_t max, const char **why)
{
	size_t n = 0;
	const char *s = value;

	while (*s) {
		size_t len;
		int i;
		while (*s == ',' || isspace((unsigned char)*s))
			s++;
		if (*s == 0)
			break;
		len = strcspn(s, ", \t\r\n");
		if (n == max) {
			*why = "too many restrictions";
			return -1;
		}
		if ((i = sp_rname_find(s, len)) >= 0 && !sp_rnames[i].table) {
			v[n].id = sp_rnames[i].id;
			v[n].name = sp_rnames[i].name;
			v[n].table = NULL;
			v[n].cls = NULL;
		} else if ((v[n].cls = sp_class_find(p, s, len)) != NULL) {
			v[n].id = SP_R_CLASS;
			v[n].name = v[n].cls->name;
			v[n].table = NULL;
		} else {
			*why = i >= 0 ? "a restriction that needs a table" : "an unknown restriction";
			return -1;
		}
		n++;
		s += len;
	}
	return (int)n;
}

/* ---- checks across lists ---- */

static int sp_need_of(enum sp_rid id)
{
	for (size_t i = 0; i < SP_NRNAMES; i++)
		if (sp_rnames[i].id == id)
			return sp_rnames[i].need;
	return SP_NEED_NONE;
}

/* The first step in l (classes followed) that needs more than sees; depth
 * bounds the walk (cycles are reported elsewhere). */
static const char *sp_blind_step(const struct sp_rlist *l, int sees, unsigned depth)
{
	if (depth > 20)
		return NULL;
	for (size_t i = 0; i < l->n; i++) {
		const char *s;
		if (l->v[i].id == SP_R_CLASS) {
			if ((s = sp_blind_step(&l->v[i].cls->list, sees, depth + 1)) != NULL)
				return s;
		} else if (sp_need_of(l->v[i].id) > sees) {
			return l->v[i].name;
		}
	}
	return NULL;
}

static int sp_has_required(const struct sp_rlist *l, unsigned depth)
{
	if (depth > 20)
		return 0;
	for (size_t i = 0; i < l->n; i++) {
		switch (l->v[i].id) {
		case SP_R_WARN_IF_REJECT:
			i++;   /* the next one only warns */
			break;
		case SP_R_PERMIT:
			return 0;
		case SP_R_REJECT_UNAUTH_DESTINATION:
		case SP_R_DEFER_UNAUTH_DESTINATION:
		case SP_R_REJECT:
		case SP_R_DEFER:
		case SP_R_DEFER_IF_PERMIT:
			return 1;
		case SP_R_CLASS:
			if (sp_has_required(&l->v[i].cls->list, depth + 1))
				return 1;
			break;
		default:
			break;
		}
	}
	return 0;
}

/* A class that reaches itself would recurse without end. */
static int sp_class_cycle(const struct sp_rlist *l, const struct sp_pclass *start, unsigned depth)
{
	if (depth > 20)
		return 1;
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].id == SP_R_CLASS &&
		    (l->v[i].cls == start || sp_class_cycle(&l->v[i].cls->list, start, depth + 1)))
			return 1;
	return 0;
}

static void sp_check_lists(struct sp_pbuild *b)
{
	struct sp_policy *p = b->p;
	const char *s;

	for (size_t i = 0; i < p->nclasses; i++) {
		if (sp_class_cycle(&p->classes[i].list, &p->classes[i], 0)) {
			b->param = sp_view_find(b->v, p->classes[i].name);
			sp_perr(b, "a class must not name itself, directly or through other classes",
				"restriction class \"%s\" refers to itself", p->classes[i].name);
			return;
		}
	}
	if (!sp_has_required(&p->lists[SP_L_RELAY], 0) &&
	    !sp_has_required(&p->lists[SP_L_RECIPIENT], 0)) {
		b->param = sp_view_find(b->v, "smtpd_relay_restrictions");
		sp_perr(b, "end smtpd_relay_restrictions with reject_unauth_destination (after "
			"permit_mynetworks and permit_sasl_authenticated)",
			"%s: neither it nor smtpd_recipient_restrictions refuses to relay: specify at "
			"least one of reject_unauth_destination, defer_unauth_destination, reject, "
			"defer or defer_if_permit", "open relay");
	}
	if (p->delay_reject)
		return;
	for (int l = SP_L_CLIENT; l <= SP_L_SENDER; l++) {
		if ((s = sp_blind_step(&p->lists[l], sp_list_sees[l], 0)) != NULL) {
			b->param = sp_view_find(b->v, sp_list_params[l]);
			sp_perr(b, "move it to the list of the stage that has what it checks, or set "
				"smtpd_delay_reject = yes", "\"%s\" can never match here: with "
				"smtpd_delay_reject = no this list runs before the command it checks",
				s);
		}
	}
}

/* ---- maps and parameters ---- */

struct sp_mbuild {
	struct sp_pbuild *b;
	struct sp_pmaps *m;
};

static int sp_melem(void *ctx, const char *e, size_t n)
{
	struct sp_mbuild *mb = ctx;
	char *spec = sp_xstrndup(e, n);
	struct sp_dict *t = sp_ptable(mb->b, spec, 0);

	if (t) {
		mb->m->v = sp_xrealloc(mb->m->v, (mb->m->n + 1) * sizeof(*mb->m->v));
		mb->m->v[mb->m->n++] = t;
	}
	free(spec);
	return 0;
}

static void sp_compile_maps(struct sp_pbuild *b, const char *param, struct sp_pmaps *m)
{
	struct sp_mbuild mb = {b, m};
	const char *v = sp_view_get(b->v, param);

	m->param = param;
	b->param = sp_view_find(b->v, param);
	if (v)
		(void)sp_value_list(v, sp_melem, &mb);
}

static int sp_pint(struct sp_pbuild *b, const char *name, int def)
{
	const char *v = sp_view_get(b->v, name);
	int64_t n;

	if (v == NULL || sp_value_int(v, &n) != 0 || n < 0 || n > 999)
		return def;
	return (int)n;
}

static int sp_pbool(struct sp_pbuild *b, const char *name, int def)
{
	const char *v = sp_view_get(b->v, name);
	int out;

	if (v == NULL || sp_value_bool(v, &out) != 0)
		return def;
	return out;
}

static char *sp_pstrdup(struct sp_pbuild *b, const char *name, const char *def)
{
	const char *v = sp_view_get(b->v, name);

	return sp_xstrdup(v ? v : def);
}

static void sp_params(struct sp_pbuild *b)
{
	struct sp_policy *p = b->p;
	const char *pdms = sp_view_get(b->v, "parent_domain_matches_subdomains");
	const char *v;

	p->map_reject_code = sp_pint(b, "access_map_reject_code", 554);
	p->map_defer_code = sp_pint(b, "access_map_defer_code", 450);
	p->reject_code = sp_pint(b, "reject_code", 554);
	p->defer_code = sp_pint(b, "defer_code", 450);
	p->relay_code = sp_pint(b, "relay_domains_reject_code", 554);
	p->bad_name_code = sp_pint(b, "invalid_hostname_reject_code", 501);
	p->non_fqdn_code = sp_pint(b, "non_fqdn_reject_code", 504);
	p->unk_name_code = sp_pint(b, "unknown_hostname_reject_code", 450);
	p->unk_addr_code = sp_pint(b, "unknown_address_reject_code", 450);
	p->unk_client_code = sp_pint(b, "unknown_client_reject_code", 450);
	p->local_rcpt_code = sp_pint(b, "unknown_local_recipient_reject_code", 550);
	p->virt_mailbox_code = sp_pint(b, "unknown_virtual_mailbox_reject_code", 550);
	p->virt_alias_code = sp_pint(b, "unknown_virtual_alias_reject_code", 550);
	p->relay_rcpt_code = sp_pint(b, "unknown_relay_recipient_reject_code", 550);
	p->mul_rcpt_code = sp_pint(b, "multi_recipient_bounce_reject_code", 550);
	p->plaintext_code = sp_pint(b, "plaintext_reject_code", 450);
	p->delay_reject = sp_pbool(b, "smtpd_delay_reject", 1);
	p->helo_required = sp_pbool(b, "smtpd_helo_required", 0);
	p->sasl_enable = sp_pbool(b, "smtpd_sasl_auth_enable", 0);
	p->relay_before_rcpt = sp_pbool(b, "smtpd_relay_before_recipient_restrictions", 1);
	p->reject_unlisted_sender = sp_pbool(b, "smtpd_reject_unlisted_sender", 0);
	p->reject_unlisted_rcpt = sp_pbool(b, "smtpd_reject_unlisted_recipient", 1);
	p->allow_untrusted_routing = sp_pbool(b, "allow_untrusted_routing", 0);
	p->soft_bounce = sp_pbool(b, "soft_bounce", 0);
	p->show_unk_table = sp_pbool(b, "show_user_unknown_table_name", 1);
	v = sp_view_get(b->v, "unknown_address_tempfail_action");
	p->unk_addr_tf_defer = v == NULL || strcmp(v, "defer") != 0;
	v = sp_view_get(b->v, "unknown_helo_hostname_tempfail_action");
	p->unk_name_tf_defer = v == NULL || strcmp(v, "defer") != 0;
	p->acl_permit_log = sp_pstrdup(b, "smtpd_log_access_permit_actions", "");
	p->acl_permit_log_all = strstr(p->acl_permit_log, "static:all") != NULL;
	p->parent_style = pdms && strstr(pdms, "smtpd_access_maps") ? SP_PARENT_MATCHES
								      : SP_PARENT_DOT;
	p->delim = sp_pstrdup(b, "recipient_delimiter", "");
	p->null_key = sp_pstrdup(b, "smtpd_null_access_lookup_key", "<>");
	p->double_bounce = sp_pstrdup(b, "double_bounce_sender", "double-bounce");
}

/* ---- classes ---- */

struct sp_cbuild {
	struct sp_pbuild *b;
};

static int sp_celem(void *ctx, const char *e, size_t n)
{
	struct sp_pbuild *b = ((struct sp_cbuild *)ctx)->b;
	struct sp_policy *p = b->p;

	if (sp_class_find(p, e, n))
		return 0;
	p->classes = sp_xrealloc(p->classes, (p->nclasses + 1) * sizeof(*p->classes));
	memset(&p->classes[p->nclasses], 0, sizeof(p->classes[0]));
	p->classes[p->nclasses].name = sp_xstrndup(e, n);
	p->classes[p->nclasses].list.param = p->classes[p->nclasses].name;
	p->nclasses++;
	return 0;
}

static void sp_compile_classes(struct sp_pbuild *b)
{
	struct sp_policy *p = b->p;
	struct sp_cbuild cb = {b};
	const char *v = sp_view_get(b->v, "smtpd_restriction_classes");

	if (v)
		(void)sp_value_list(v, sp_celem, &cb);
	/* Class lists may name each other: the names above come first. */
	for (size_t i = 0; i < p->nclasses; i++) {
		const struct sp_param *prm = sp_view_find(b->v, p->classes[i].name);
		b->param = sp_view_find(b->v, "smtpd_restriction_classes");
		if (prm == NULL || prm->value == NULL || *prm->value == 0) {
			sp_perr(b, "define it in main.cf: NAME = restriction, ...",
				"restriction class \"%s\" has no definition", p->classes[i].name);
			continue;
		}
		b->param = prm;
		sp_compile_list(b, prm->value, &p->classes[i].list);
	}
}

/* mynetworks as set, or computed from mynetworks_style when only that is
 * set, or when the default is empty (Postfix's, for check --postfix);
 * sallyport's default otherwise: loopback. */
static int sp_compile_mynetworks(struct sp_pbuild *b)
{
	const struct sp_param *mn = sp_view_find(b->v, "mynetworks");
	const struct sp_param *style = sp_view_find(b->v, "mynetworks_style");
	const char *value = mn && mn->value ? mn->value : "";
	struct sp_buf computed;
	char err[256];
	int rc = 0;

	sp_buf_init(&computed, 1u << 20);
	/* unset with Postfix's defaults (empty): computed from the style, as Postfix */
	if ((mn == NULL || mn->src == SP_SRC_DEFAULT) && style && style->value &&
	    (style->src != SP_SRC_DEFAULT || value[0] == 0)) {
		b->param = style;
		if (sp_mynetworks_from_style(style->value, &computed, err, sizeof(err)) < 0) {
			sp_perr(b, "set mynetworks explicitly", "%s", err);
			rc = -1;
		}
		value = sp_buf_str(&computed);
		mn = style;
	}
	if (rc == 0 && (b->p->mynetworks = sp_netlist_compile(value, "mynetworks",
							       mn ? mn->file : NULL,
							       mn ? mn->line : 0, b->d)) == NULL)
		rc = -1;
	sp_buf_free(&computed);
	return rc;
}

struct sp_policy *sp_policy_compile(const struct sp_view *v, struct sp_diags *d)
{
	struct sp_policy *p = sp_xcalloc(1, sizeof(*p));
	struct sp_pbuild b = {p, v, d, NULL, 0};
	sp_params(&b);
	sp_compile_classes(&b);
	for (int l = 0; l < SP_L_N; l++) {
		const struct sp_param *prm = sp_view_find(v, sp_list_params[l]);
		p->lists[l].param = sp_list_params[l];
		b.param = prm;
		if (prm && prm->value)
			sp_compile_list(&b, prm->value, &p->lists[l]);
	}
	if (b.errors == 0)
		sp_check_lists(&b);
	if (sp_compile_mynetworks(&b) < 0)
		b.errors++;
	if ((p->resolver = sp_resolver_compile(v, d)) == NULL)
		b.errors++;
	sp_compile_maps(&b, "smtpd_sender_login_maps", &p->login_maps);
	sp_compile_maps(&b, "local_recipient_maps", &p->local_rcpt);
	sp_compile_maps(&b, "virtual_alias_maps", &p->virt_alias);
	sp_compile_maps(&b, "virtual_mailbox_maps", &p->virt_mailbox);
	sp_compile_maps(&b, "relay_recipient_maps", &p->relay_rcpt);
	sp_compile_maps(&b, "canonical_maps", &p->canonical);
	sp_compile_maps(&b, "recipient_canonical_maps", &p->rcpt_canonical);
	sp_compile_maps(&b, "sender_canonical_maps", &p->send_canonical);
	sp_compile_maps(&b, "relay_clientcerts", &p->relay_ccerts);
	if (b.errors) {
		sp_policy_free(&p);
		return NULL;
	}
	return p;
}

int sp_policy_stale(const struct sp_policy *p, const char **which)
{
	for (size_t i = 0; i < p->ntables; i++) {
		if (sp_dict_stale(p->tables[i])) {
			*which = sp_dict_name(p->tables[i]);
			return 1;
		}
	}
	return 0;
}

int sp_policy_delay_reject(const struct sp_policy *p)
{
	return p->delay_reject;
}

static void sp_free_maps(struct sp_pmaps *m)
{
	free(m->v);
	m->v = NULL;
	m->n = 0;
}

void sp_policy_free(struct sp_policy **pp)
{
	struct sp_policy *p = *pp;

	if (p == NULL)
		return;
	for (int l = 0; l < SP_L_N; l++)
		free(p->lists[l].v);
	for (size_t i = 0; i < p->nclasses; i++) {
		free(p->classes[i].list.v);
		free(p->classes[i].name);
	}
	free(p->classes);
	for (size_t i = 0; i < p->ntables; i++)
		sp_dict_close(&p->tables[i]);
	free(p->tables);
	for (size_t i = 0; i < p->nstrings; i++)
		free(p->strings[i]);
	free(p->strings);
	sp_netlist_free(&p->mynetworks);
	sp_resolver_free(&p->resolver);
	sp_free_maps(&p->login_maps);
	sp_free_maps(&p->local_rcpt);
	sp_free_maps(&p->virt_alias);
	sp_free_maps(&p->virt_mailbox);
	sp_free_maps(&p->relay_rcpt);
	sp_free_maps(&p->canonical);
	sp_free_maps(&p->rcpt_canonical);
	sp_free_maps(&p->send_canonical);
	sp_free_maps(&p->relay_ccerts);
	free(p->acl_permit_log);
	free(p->delim);
	free(p->null_key);
	free(p->double_bounce);
	free(p);
	*pp = NULL;
}

const struct sp_netlist *sp_policy_mynetworks(const struct sp_policy *p)
{
	return p->mynetworks;
}

const struct sp_resolver *sp_policy_resolver(const struct sp_policy *p)
{
	return p->resolver;
}
