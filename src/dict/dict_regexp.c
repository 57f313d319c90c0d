/*
 * dict_regexp.c - the regexp: table type: POSIX regular expressions
 * (regcomp/regexec) in the format of pattern_table.h, compiled once at open
 * from the administrator's file. Flags, each toggling Postfix's default:
 * i (case-insensitive, on), m (REG_NEWLINE, off), x (extended syntax, on).
 * A rule may carry a second pattern, "/p1/!/p2/ result", which must also
 * apply; $N takes text from the first.
 *
 * The key (network data) is only ever the subject of regexec. regexec has
 * no work limit, so what bounds it is the key length (SP_DICT_KEY_MAX) and
 * the refusal of back-references (\1..\9), the one feature that makes
 * POSIX matching exponential; a table that needs them belongs in pcre:,
 * whose matching is bounded.
 */
#include "dict_impl.h"
#include "pattern_table.h"
#include "../util/file.h"
#include "../util/mem.h"

#include <errno.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct sp_pt_syntax sp_regexp_syntax = {
	.type = "regexp",
	.flags = "imx",
	.obsolete = "",
	.second_pattern = 1,
};

struct sp_regexp {
	struct sp_pt_table t;
	regex_t *re;            /* two per rule: first and second pattern */
	unsigned char *ok;      /* 1 where re[] holds a compiled pattern */
	const char *key;        /* the lookup in progress */
	int error;              /* regexec's error, when a match failed */
	size_t failed;          /* and the index in re[] of that pattern */
	regmatch_t pm[SP_PT_GROUP_MAX + 1];
};

/* The end of the bracket expression that starts at p ('['): its ']', or
 * the terminating NUL when there is none. */
static const char *sp_regexp_bracket_end(const char *p)
{
	p++;
	if (*p == '^')
		p++;
	if (*p == ']')
		p++;
	while (*p && *p != ']') {
		if (*p == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
			char k = p[1];
			const char *q = p + 2;
			while (*q && !(q[0] == k && q[1] == ']'))
				q++;
			if (*q == 0)
				return q;
			p = q + 2;
			continue;
		}
		p++;
	}
	return p;
}

/* The digit of the first back-reference (\1..\9) outside brackets, or 0. */
static char sp_regexp_backref(const char *s)
{
	for (const char *p = s; *p; p++) {
		if (*p == '\\') {
			if (p[1] >= '1' && p[1] <= '9')
				return p[1];
			if (p[1] == 0)
				break;
			p++;
		} else if (*p == '[') {
			p = sp_regexp_bracket_end(p);
			if (*p == 0)
				break;
		}
	}
	return 0;
}

/* Compiles one pattern into re; 0, or -1 with a diagnostic. */
static int sp_regexp_comp(const struct sp_pt_pattern *pat, int nosub, regex_t *re,
			  const char *file, int line, struct sp_diags *dg)
{
	int cflags = REG_EXTENDED | REG_ICASE, rc;
	char msg[256], digit;

	if (sp_pt_toggled(&sp_regexp_syntax, pat, 'i'))
		cflags ^= REG_ICASE;
	if (sp_pt_toggled(&sp_regexp_syntax, pat, 'm'))
		cflags ^= REG_NEWLINE;
	if (sp_pt_toggled(&sp_regexp_syntax, pat, 'x'))
		cflags ^= REG_EXTENDED;
	if (nosub)
		cflags |= REG_NOSUB;
	if ((digit = sp_regexp_backref(pat->text)) != 0) {
		sp_diag_add(dg, SP_ERROR, file, line, NULL,
			    "back-references can make matching take exponential time and a "
			    "regexp: table cannot bound it; use a pcre: table",
			    "back-reference \\%c in the pattern", digit);
		return -1;
	}
	if ((rc = regcomp(re, pat->text, cflags)) != 0) {
		regerror(rc, re, msg, sizeof(msg));
		regfree(re);
		sp_diag_add(dg, SP_ERROR, file, line, NULL, NULL, "bad pattern: %s", msg);
		return -1;
	}
	return 0;
}

/* Compiles every pattern of the parsed table; returns the number of errors. */
static size_t sp_regexp_compile(struct sp_regexp *x, const char *file, struct sp_diags *dg)
{
	size_t errors = 0;

	x->re = sp_xcalloc(x->t.n * 2 + 1, sizeof(*x->re));
	x->ok = sp_xcalloc(x->t.n * 2 + 1, 1);
	for (size_t i = 0; i < x->t.n; i++) {
		const struct sp_pt_rule *r = &x->t.v[i];
		regex_t *re = &x->re[2 * i];

		if (r->op == SP_PT_ENDIF)
			continue;
		if (sp_regexp_comp(&r->pat, r->max_group == 0, re, file, r->line, dg) < 0) {
			errors++;
			continue;
		}
		x->ok[2 * i] = 1;
		if (r->max_group > re->re_nsub) {
			sp_diag_add(dg, SP_ERROR, file, r->line, NULL,
				    "refer only to groups the pattern has, counting its \"(\"",
				    "$%u in the result, but the pattern has %zu group(s)",
				    r->max_group, re->re_nsub);
			errors++;
		}
		if (r->pat2.text == NULL)
			continue;
		if (sp_regexp_comp(&r->pat2, 1, re + 1, file, r->line, dg) < 0)
			errors++;
		else
			x->ok[2 * i + 1] = 1;
	}
	return errors;
}

static void sp_regexp_free(struct sp_regexp *x)
{
	for (size_t i = 0; x->ok && i < x->t.n * 2; i++) {
		if (x->ok[i])
			regfree(&x->re[i]);
	}
	free(x->re);
	free(x->ok);
	sp_pt_free(&x->t);
	free(x);
}

static int sp_regexp_open(struct sp_dict *d, struct sp_diags *diags, char *err, size_t errlen)
{
	struct sp_diags local = {0};
	struct sp_diags *dg = diags ? diags : &local;
	size_t from = dg->n, errors, len;
	struct sp_regexp *x;
	char *data;

	if (sp_file_read(d->name, SP_PT_FILE_MAX, &data, &len) < 0) {
		snprintf(err, errlen, "open %s: %s", d->name, strerror(errno));
		return -1;
	}
	x = sp_xcalloc(1, sizeof(*x));
	errors = sp_pt_parse(data, len, d->name, &sp_regexp_syntax,
			     (d->flags & SP_DICT_NO_REGSUB) ? SP_PT_NO_SUBST : 0, &x->t, dg);
	free(data);
	errors += sp_regexp_compile(x, d->name, dg);  /* the rules that parsed */
	if (errors > 0) {
		sp_pt_failed(dg, from, d->type, d->name, err, errlen);
		sp_regexp_free(x);
		sp_diags_free(&local);
		return -1;
	}
	sp_diags_free(&local);
	d->priv = x;
	return 0;
}

/* The match callback of sp_pt_walk: captures only for a first pattern
 * whose result uses them. */
static int sp_regexp_match(void *ctx, size_t i, int which)
{
	struct sp_regexp *x = ctx;
	const struct sp_pt_rule *r = &x->t.v[i];
	size_t nmatch = which == 0 && r->op == SP_PT_MATCH && r->max_group > 0 ?
		r->max_group + 1 : 0;
	int rc = regexec(&x->re[2 * i + (size_t)which], x->key, nmatch, nmatch ? x->pm : NULL, 0);

	if (rc == 0)
		return 1;
	if (rc == REG_NOMATCH)
		return 0;
	x->error = rc;
	x->failed = 2 * i + (size_t)which;
	return -1;
}

static int sp_regexp_lookup(struct sp_dict *d, const char *key, char *err, size_t errlen)
{
	struct sp_regexp *x = d->priv;
	size_t ov[2 * (SP_PT_GROUP_MAX + 1)];
	const struct sp_pt_rule *r;
	size_t at;
	int rc;

	x->key = key;
	if ((rc = sp_pt_walk(&x->t, sp_regexp_match, x, &at)) <= 0) {
		if (rc < 0) {
			char msg[256];
			regerror(x->error, &x->re[x->failed], msg, sizeof(msg));
			snprintf(err, errlen, "%s:%s, line %d: matching failed: %s", d->type,
				 d->name, x->t.v[at].line, msg);
		}
		return rc;
	}
	r = &x->t.v[at];
	for (unsigned g = 0; g <= r->max_group && r->max_group > 0; g++) {
		int set = x->pm[g].rm_so >= 0 && x->pm[g].rm_eo >= x->pm[g].rm_so;
		ov[2 * g] = set ? (size_t)x->pm[g].rm_so : SIZE_MAX;
		ov[2 * g + 1] = set ? (size_t)x->pm[g].rm_eo : SIZE_MAX;
	}
	if (sp_pt_expand(r, key, strlen(key), ov, r->max_group > 0 ? r->max_group + 1 : 0,
			 &d->result) < 0) {
		snprintf(err, errlen, "%s:%s, line %d: result longer than %u bytes", d->type,
			 d->name, r->line, SP_DICT_VALUE_MAX);
		return -1;
	}
	return 1;
}

static void sp_regexp_close(struct sp_dict *d)
{
	if (d->priv)
		sp_regexp_free(d->priv);
	d->priv = NULL;
}

const struct sp_dict_ops sp_dict_regexp_ops = {
	.type = "regexp",
	.open = sp_regexp_open,
	.lookup = sp_regexp_lookup,
	.close = sp_regexp_close,
	.pattern = 1,
	.file_suffix = "",
};
