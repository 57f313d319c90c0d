/*
 * dict_pcre.c - the pcre: table type: Perl-compatible regular expressions
 * (PCRE2, 8-bit, no JIT) in the format of pattern_table.h, compiled once at
 * open from the administrator's file. Flags, each toggling Postfix's
 * default: i (caseless, on), m (multiline), s (dotall, on), x (extended),
 * A (anchored), E (dollar at the end only), U (ungreedy); X is accepted
 * with a warning and does nothing, as in Postfix built with PCRE2.
 *
 * The key (network data) is only ever the subject of pcre2_match, under a
 * match context that bounds the work of one match (SP_PCRE_MATCH_LIMIT), its
 * backtracking depth and its heap. A match that hits a limit is a lookup
 * error, not "no match": a crafted key must not be able to skip a rule
 * (Postfix logs a warning and goes on to the next rule).
 */
#include "dict_impl.h"
#include "pattern_table.h"
#include "../util/file.h"
#include "../util/mem.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SP_PCRE_MATCH_LIMIT 1000000u  /* match() calls per match (PCRE2 default: 10M) */
#define SP_PCRE_DEPTH_LIMIT 100000u   /* backtracking depth per match */
#define SP_PCRE_HEAP_LIMIT (32u << 10) /* KiB of backtracking frames per match */
#define SP_PCRE_NEST_LIMIT 250u       /* parentheses nesting in a pattern */

static const struct sp_pt_syntax sp_pcre_syntax = {
	.type = "pcre",
	.flags = "imsxAEUX",
	.obsolete = "X",
	.second_pattern = 0,
};

static const struct {
	char flag;
	uint32_t option;
} sp_pcre_flags[] = {
	{'i', PCRE2_CASELESS}, {'m', PCRE2_MULTILINE}, {'s', PCRE2_DOTALL},
	{'x', PCRE2_EXTENDED}, {'A', PCRE2_ANCHORED}, {'E', PCRE2_DOLLAR_ENDONLY},
	{'U', PCRE2_UNGREEDY},
};

struct sp_pcre {
	struct sp_pt_table t;
	pcre2_code **re;            /* one per rule; NULL for endif */
	pcre2_match_data *md;       /* room for the largest $N of any rule */
	pcre2_match_context *mc;    /* the limits */
	const char *key;            /* the lookup in progress */
	size_t keylen;
	int rc;                     /* pcre2_match's last result */
};

/* Compiles one pattern; NULL with a diagnostic on error. */
static pcre2_code *sp_pcre_comp(const struct sp_pt_rule *r, pcre2_compile_context *cc,
				const char *file, struct sp_diags *dg)
{
	uint32_t options = PCRE2_CASELESS | PCRE2_DOTALL, groups = 0;
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE off;
	pcre2_code *re;
	int code;

	for (size_t k = 0; k < sizeof(sp_pcre_flags) / sizeof(sp_pcre_flags[0]); k++) {
		if (sp_pt_toggled(&sp_pcre_syntax, &r->pat, sp_pcre_flags[k].flag))
			options ^= sp_pcre_flags[k].option;
	}
	re = pcre2_compile((PCRE2_SPTR)r->pat.text, r->pat.len, options, &code, &off, cc);
	if (re == NULL) {
		if (pcre2_get_error_message(code, msg, sizeof(msg)) < 0)
			snprintf((char *)msg, sizeof(msg), "PCRE2 error %d", code);
		sp_diag_add(dg, SP_ERROR, file, r->line, NULL, NULL,
			    "bad pattern at offset %zu: %s", (size_t)off, (char *)msg);
		return NULL;
	}
	if (pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &groups) != 0 ||
	    r->max_group > groups) {
		sp_diag_add(dg, SP_ERROR, file, r->line, NULL,
			    "refer only to groups the pattern has, counting its \"(\"",
			    "$%u in the result, but the pattern has %u group(s)",
			    r->max_group, (unsigned)groups);
		pcre2_code_free(re);
		return NULL;
	}
	return re;
}

/* Compiles every pattern of the parsed table; returns the number of errors. */
static size_t sp_pcre_compile(struct sp_pcre *x, const char *file, struct sp_diags *dg)
{
	pcre2_compile_context *cc = pcre2_compile_context_create(NULL);
	size_t errors = 0;

	if (cc == NULL)
		abort();
	pcre2_set_max_pattern_length(cc, SP_PT_PATTERN_MAX);
	pcre2_set_parens_nest_limit(cc, SP_PCRE_NEST_LIMIT);
	x->re = sp_xcalloc(x->t.n + 1, sizeof(*x->re));
	for (size_t i = 0; i < x->t.n; i++) {
		if (x->t.v[i].op != SP_PT_ENDIF &&
		    (x->re[i] = sp_pcre_comp(&x->t.v[i], cc, file, dg)) == NULL)
			errors++;
	}
	pcre2_compile_context_free(cc);
	x->md = pcre2_match_data_create(x->t.max_group + 1, NULL);
	x->mc = pcre2_match_context_create(NULL);
	if (x->md == NULL || x->mc == NULL)
		abort();
	pcre2_set_match_limit(x->mc, SP_PCRE_MATCH_LIMIT);
	pcre2_set_depth_limit(x->mc, SP_PCRE_DEPTH_LIMIT);
	pcre2_set_heap_limit(x->mc, SP_PCRE_HEAP_LIMIT);
	return errors;
}

static void sp_pcre_free(struct sp_pcre *x)
{
	for (size_t i = 0; x->re && i < x->t.n; i++)
		pcre2_code_free(x->re[i]);
	free(x->re);
	pcre2_match_data_free(x->md);
	pcre2_match_context_free(x->mc);
	sp_pt_free(&x->t);
	free(x);
}

static int sp_pcre_open(struct sp_dict *d, struct sp_diags *diags, char *err, size_t errlen)
{
	struct sp_diags local = {0};
	struct sp_diags *dg = diags ? diags : &local;
	size_t from = dg->n, errors, len;
	struct sp_pcre *x;
	char *data;

	if (sp_file_read(d->name, SP_PT_FILE_MAX, &data, &len) < 0) {
		snprintf(err, errlen, "open %s: %s", d->name, strerror(errno));
		return -1;
	}
	x = sp_xcalloc(1, sizeof(*x));
	errors = sp_pt_parse(data, len, d->name, &sp_pcre_syntax,
			     (d->flags & SP_DICT_NO_REGSUB) ? SP_PT_NO_SUBST : 0, &x->t, dg);
	free(data);
	errors += sp_pcre_compile(x, d->name, dg);  /* the rules that parsed */
	if (errors > 0) {
		sp_pt_failed(dg, from, d->type, d->name, err, errlen);
		sp_pcre_free(x);
		sp_diags_free(&local);
		return -1;
	}
	sp_diags_free(&local);
	d->priv = x;
	return 0;
}

/* The match callback of sp_pt_walk (pcre rules have one pattern). */
static int sp_pcre_match(void *ctx, size_t i, int which)
{
	struct sp_pcre *x = ctx;

	(void)which;
	x->rc = pcre2_match(x->re[i], (PCRE2_SPTR)x->key, x->keylen, 0, 0, x->md, x->mc);
	if (x->rc >= 0)        /* 0: matched, more groups than the match data holds */
		return 1;
	if (x->rc == PCRE2_ERROR_NOMATCH)
		return 0;
	return -1;
}

static int sp_pcre_lookup(struct sp_dict *d, const char *key, char *err, size_t errlen)
{
	struct sp_pcre *x = d->priv;
	const struct sp_pt_rule *r;
	size_t at, nov;
	int rc;

	x->key = key;
	x->keylen = strlen(key);
	if ((rc = sp_pt_walk(&x->t, sp_pcre_match, x, &at)) <= 0) {
		if (rc < 0) {
			PCRE2_UCHAR msg[256];
			if (pcre2_get_error_message(x->rc, msg, sizeof(msg)) < 0)
				snprintf((char *)msg, sizeof(msg), "PCRE2 error %d", x->rc);
			snprintf(err, errlen, "%s:%s, line %d: matching failed: %s", d->type,
				 d->name, x->t.v[at].line, (char *)msg);
		}
		return rc;
	}
	r = &x->t.v[at];
	nov = x->rc > 0 ? (size_t)x->rc : pcre2_get_ovector_count(x->md);
	if (r->pat.negated)
		nov = 0;  /* no captures: the match data is not this rule's */
	if (sp_pt_expand(r, key, x->keylen, pcre2_get_ovector_pointer(x->md), nov,
			 &d->result) < 0) {
		snprintf(err, errlen, "%s:%s, line %d: result longer than %u bytes", d->type,
			 d->name, r->line, SP_DICT_VALUE_MAX);
		return -1;
	}
	return 1;
}

static void sp_pcre_close(struct sp_dict *d)
{
	if (d->priv)
		sp_pcre_free(d->priv);
	d->priv = NULL;
}

const struct sp_dict_ops sp_dict_pcre_ops = {
	.type = "pcre",
	.open = sp_pcre_open,
	.lookup = sp_pcre_lookup,
	.close = sp_pcre_close,
	.pattern = 1,
	.file_suffix = "",
};
