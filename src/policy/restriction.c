/*
 * restriction.c - the restriction name table and the list syntax check.
 */
#include "restriction.h"
#include "../config/suggest.h"
#include "../config/value.h"
#include "../config/config.h"
#include "../dict/dict.h"
#include "../util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OK(n) {n, SP_RARG_NONE, SP_R_OK, NULL}
#define TABLE(n) {n, SP_RARG_TABLE, SP_R_OK, NULL}
#define RENAMED(n, to) {n, SP_RARG_NONE, SP_R_RENAMED, to}
#define REMOVED(n, a, why) {n, a, SP_R_REMOVED, why}
#define NOTYET(n, a) {n, a, SP_R_UNSUPPORTED, NULL}

/* Sorted by name. */
static const struct sp_restriction_def sp_rtable[] = {
	NOTYET("check_address_map", SP_RARG_TABLE),
	TABLE("check_ccert_access"),
	NOTYET("check_client_a_access", SP_RARG_TABLE),
	TABLE("check_client_access"),
	NOTYET("check_client_mx_access", SP_RARG_TABLE),
	NOTYET("check_client_ns_access", SP_RARG_TABLE),
	TABLE("check_etrn_access"),
	NOTYET("check_helo_a_access", SP_RARG_TABLE),
	TABLE("check_helo_access"),
	NOTYET("check_helo_mx_access", SP_RARG_TABLE),
	NOTYET("check_helo_ns_access", SP_RARG_TABLE),
	NOTYET("check_policy_service", SP_RARG_WORD),
	NOTYET("check_recipient_a_access", SP_RARG_TABLE),
	TABLE("check_recipient_access"),
	NOTYET("check_recipient_maps", SP_RARG_NONE),
	NOTYET("check_recipient_mx_access", SP_RARG_TABLE),
	NOTYET("check_recipient_ns_access", SP_RARG_TABLE),
	REMOVED("check_relay_domains", SP_RARG_NONE,
		"obsolete (Postfix warns that it will be removed; it relayed for any client "
		"whose name is in a relay domain); write "
		"reject_unauth_destination, after permit_mynetworks and permit_sasl_authenticated"),
	NOTYET("check_reverse_client_hostname_a_access", SP_RARG_TABLE),
	TABLE("check_reverse_client_hostname_access"),
	NOTYET("check_reverse_client_hostname_mx_access", SP_RARG_TABLE),
	NOTYET("check_reverse_client_hostname_ns_access", SP_RARG_TABLE),
	NOTYET("check_sasl_access", SP_RARG_TABLE),
	NOTYET("check_sender_a_access", SP_RARG_TABLE),
	TABLE("check_sender_access"),
	NOTYET("check_sender_mx_access", SP_RARG_TABLE),
	NOTYET("check_sender_ns_access", SP_RARG_TABLE),
	OK("defer"),
	OK("defer_if_permit"),
	OK("defer_if_reject"),
	OK("defer_unauth_destination"),
	OK("permit"),
	OK("permit_auth_destination"),
	NOTYET("permit_dnswl_client", SP_RARG_WORD),
	NOTYET("permit_inet_interfaces", SP_RARG_NONE),
	REMOVED("permit_mx_backup", SP_RARG_NONE,
		"deprecated by Postfix (it relays for any domain whose MX points here); list the "
		"domains you back up in relay_domains instead"),
	OK("permit_mynetworks"),
	REMOVED("permit_naked_ip_address", SP_RARG_NONE,
		"deprecated by Postfix (it permits any client that says HELO with an IP address); "
		"write permit_mynetworks or permit_sasl_authenticated"),
	NOTYET("permit_rhswl_client", SP_RARG_WORD),
	OK("permit_sasl_authenticated"),
	OK("permit_tls_all_clientcerts"),
	OK("permit_tls_clientcerts"),
	OK("reject"),
	OK("reject_authenticated_sender_login_mismatch"),
	OK("reject_invalid_helo_hostname"),
	RENAMED("reject_invalid_hostname", "reject_invalid_helo_hostname"),
	OK("reject_known_sender_login_mismatch"),
	REMOVED("reject_maps_rbl", SP_RARG_NONE,
		"removed from Postfix; sallyport has no DNS blocklist support yet"),
	OK("reject_multi_recipient_bounce"),
	OK("reject_non_fqdn_helo_hostname"),
	RENAMED("reject_non_fqdn_hostname", "reject_non_fqdn_helo_hostname"),
	OK("reject_non_fqdn_recipient"),
	OK("reject_non_fqdn_sender"),
	OK("reject_plaintext_session"),
	NOTYET("reject_rbl", SP_RARG_WORD),
	NOTYET("reject_rbl_client", SP_RARG_WORD),
	NOTYET("reject_rhsbl_client", SP_RARG_WORD),
	NOTYET("reject_rhsbl_helo", SP_RARG_WORD),
	NOTYET("reject_rhsbl_recipient", SP_RARG_WORD),
	NOTYET("reject_rhsbl_reverse_client", SP_RARG_WORD),
	NOTYET("reject_rhsbl_sender", SP_RARG_WORD),
	OK("reject_sender_login_mismatch"),
	OK("reject_unauth_destination"),
	OK("reject_unauth_pipelining"),
	OK("reject_unauthenticated_sender_login_mismatch"),
	NOTYET("reject_unknown_address", SP_RARG_NONE),
	RENAMED("reject_unknown_client", "reject_unknown_client_hostname"),
	OK("reject_unknown_client_hostname"),
	NOTYET("reject_unknown_forward_client_hostname", SP_RARG_NONE),
	OK("reject_unknown_helo_hostname"),
	RENAMED("reject_unknown_hostname", "reject_unknown_helo_hostname"),
	OK("reject_unknown_recipient_domain"),
	OK("reject_unknown_reverse_client_hostname"),
	OK("reject_unknown_sender_domain"),
	OK("reject_unlisted_recipient"),
	OK("reject_unlisted_sender"),
	NOTYET("reject_unverified_recipient", SP_RARG_NONE),
	NOTYET("reject_unverified_sender", SP_RARG_NONE),
	NOTYET("sleep", SP_RARG_WORD),
	OK("warn_if_reject"),
};

#define NRT (sizeof(sp_rtable) / sizeof(sp_rtable[0]))

static int sp_rcmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct sp_restriction_def *)elem)->name);
}

const struct sp_restriction_def *sp_restriction_find(const char *name)
{
	return bsearch(name, sp_rtable, NRT, sizeof(sp_rtable[0]), sp_rcmp);
}

const struct sp_restriction_def *sp_restrictions(size_t *n)
{
	*n = NRT;
	return sp_rtable;
}

struct sp_rcheck {
	const char *classes, *param, *file;
	int line;
	struct sp_diags *d;
	const struct sp_restriction_def *want_arg;  /* the previous element needs a table */
	size_t errors;
};

struct sp_class_find {
	const char *name;
	size_t len;
	int found;
};

static int sp_class_elem(void *vctx, const char *e, size_t n)
{
	struct sp_class_find *c = vctx;

	if (n == c->len && memcmp(e, c->name, n) == 0)
		c->found = 1;
	return c->found;
}

static int sp_is_class(const char *classes, const char *name, size_t n)
{
	struct sp_class_find c = {name, n, 0};

	if (classes)
		(void)sp_value_list(classes, sp_class_elem, &c);
	return c.found;
}

static void sp_rerror(struct sp_rcheck *c, const char *fix, const char *fmt, const char *elem,
		      size_t n)
{
	sp_diag_add(c->d, SP_ERROR, c->file, c->line, c->param, fix, fmt, (int)(n > 80 ? 80 : n),
		    elem);
	c->errors++;
}

void sp_restriction_fix(const char *name, char *fix, size_t len)
{
	size_t best = 4, nr;
	const struct sp_restriction_def *r = sp_restrictions(&nr);
	const char *pick = NULL;

	for (size_t i = 0; i < nr; i++) {
		size_t dist = sp_edit_distance(name, r[i].name, 3);
		if (dist < best) {
			best = dist;
			pick = r[i].name;
		}
	}
	if (pick)
		snprintf(fix, len, "did you mean \"%s\"?", pick);
	else
		snprintf(fix, len, "name a restriction, or a class listed in "
			 "smtpd_restriction_classes");
}

/* An unknown name: suggest the closest restriction names. */
static void sp_unknown(struct sp_rcheck *c, const char *e, size_t n, const char *name)
{
	char fix[256];

	sp_restriction_fix(name, fix, sizeof(fix));
	sp_rerror(c, fix, "unknown restriction \"%.*s\"", e, n);
}

static int sp_relem(void *vctx, const char *e, size_t n)
{
	struct sp_rcheck *c = vctx;
	const struct sp_restriction_def *r;
	char name[128], type[32];

	if (c->want_arg) {
		const struct sp_restriction_def *r0 = c->want_arg;
		char *spec = sp_xstrndup(e, n);
		int bad = r0->arg == SP_RARG_TABLE && r0->state == SP_R_OK &&
			  sp_dict_split(spec, type, sizeof(type)) == NULL;
		free(spec);
		c->want_arg = NULL;
		if (bad) {
			char fix[200];
			snprintf(fix, sizeof(fix), "write %s type:name, for example %s "
				 "hash:/etc/postfix/access", r0->name, r0->name);
			sp_rerror(c, fix, "\"%.*s\" is not a table", e, n);
		}
		return 0;
	}
	if (n >= sizeof(name) || memchr(e, ':', n)) {
		sp_rerror(c, "write check_client_access, check_sender_access... before the table",
			  "\"%.*s\" is not a restriction (a table needs a check_*_access before it)",
			  e, n);
		return 0;
	}
	memcpy(name, e, n);
	name[n] = 0;
	for (char *q = name; *q; q++)  /* Postfix compares restriction names case-insensitively */
		if (*q >= 'A' && *q <= 'Z')
			*q = (char)(*q - 'A' + 'a');
	if ((r = sp_restriction_find(name)) == NULL) {
		if (!sp_is_class(c->classes, e, n))
			sp_unknown(c, e, n, name);
		return 0;
	}
	switch (r->state) {
	case SP_R_OK:
		break;
	case SP_R_RENAMED:
		sp_diag_add(c->d, SP_WARNING, c->file, c->line, c->param, NULL,
			    "\"%s\" is the old name of \"%s\"; write the new one", r->name,
			    r->replacement);
		break;
	case SP_R_REMOVED:
		sp_rerror(c, r->replacement, "restriction \"%.*s\" is not accepted", e, n);
		break;
	case SP_R_UNSUPPORTED:
		sp_rerror(c, "remove it, or express the rule with the restrictions sallyport "
			  "supports (docs/policy.md)", "restriction \"%.*s\" is not supported by sallyport",
			  e, n);
		sp_diag_unsupported(c->d);
		break;
	}
	if (r->arg != SP_RARG_NONE)
		c->want_arg = r;
	return 0;
}

size_t sp_restriction_check_list(const char *list, const char *classes, const char *param,
				 const char *file, int line, struct sp_diags *d)
{
	struct sp_rcheck c = {classes, param, file, line, d, NULL, 0};

	(void)sp_value_list(list, sp_relem, &c);
	if (c.want_arg) {
		sp_diag_add(d, SP_ERROR, file, line, param, c.want_arg->arg == SP_RARG_TABLE ?
			    "add the table after it, for example hash:/etc/postfix/access" :
			    "add its argument after it", "\"%s\" needs %s after it", c.want_arg->name,
			    c.want_arg->arg == SP_RARG_TABLE ? "a table" : "an argument");
		c.errors++;
	}
	return c.errors;
}

/* Checks one parameter of a view when the user set it. */
static size_t sp_check_param(const struct sp_view *v, const struct sp_param *p, const char *classes,
			     struct sp_diags *d)
{
	(void)v;
	if (p->src == SP_SRC_DEFAULT || p->bad)
		return 0;
	return sp_restriction_check_list(p->value, classes, p->name, p->file, p->line, d);
}

struct sp_class_walk {
	const struct sp_view *v;
	const char *classes;
	struct sp_diags *d;
	size_t errors;
};

static int sp_class_def(void *vctx, const char *e, size_t n)
{
	struct sp_class_walk *w = vctx;
	char *name = sp_xstrndup(e, n);
	const struct sp_param *p = sp_view_find(w->v, name);

	if (p == NULL || p->src == SP_SRC_DEFAULT) {
		sp_diag_add(w->d, SP_ERROR, NULL, 0, "smtpd_restriction_classes",
			    "define it in main.cf: NAME = restriction, ...",
			    "restriction class \"%s\" has no definition", name);
		w->errors++;
	} else {
		w->errors += sp_check_param(w->v, p, w->classes, w->d);
	}
	free(name);
	return 0;
}

size_t sp_restriction_check_view(const struct sp_view *v, struct sp_diags *d)
{
	const char *classes = sp_view_get(v, "smtpd_restriction_classes");
	struct sp_class_walk w = {v, classes, d, 0};

	for (size_t i = 0; i < v->n; i++) {
		const struct sp_param *p = &v->v[i];
		if (p->def && p->def->type == SP_T_RESTRICT && (!v->service || p->src == SP_SRC_SERVICE))
			w.errors += sp_check_param(v, p, classes, d);
	}
	if (classes && !v->service)
		(void)sp_value_list(classes, sp_class_def, &w);
	return w.errors;
}
