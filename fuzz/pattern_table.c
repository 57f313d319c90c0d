/*
 * fuzz/pattern_table.c - libFuzzer target for src/dict/pattern_table.c:
 * arbitrary bytes as a regexp: table and as a pcre: table (with and without
 * SP_PT_NO_SUBST). A table that parses is then walked with a stand-in
 * matcher (no regex engine: the parser is the target) and every result is
 * expanded against the input with spans taken from it.
 */
#include "dict/dict.h"
#include "dict/pattern_table.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct sp_pt_syntax fz_regexp = {"regexp", "imx", "", 1};
static const struct sp_pt_syntax fz_pcre = {"pcre", "imsxAEUX", "X", 0};

struct fz_ctx {
	const struct sp_pt_table *t;
	unsigned seed;
};

/* Matches by the pattern's bytes and a seed, so both branches get taken. */
static int fz_match(void *vctx, size_t i, int which)
{
	struct fz_ctx *c = vctx;
	const struct sp_pt_pattern *p = which ? &c->t->v[i].pat2 : &c->t->v[i].pat;
	unsigned h = c->seed;

	if (p->text == NULL)
		abort();  /* the walk asked for a pattern the rule does not have */
	for (size_t k = 0; k < p->len; k++)
		h = h * 31u + (unsigned char)p->text[k];
	return (int)((h >> 3) & 1u);
}

static void fz_use(const struct sp_pt_table *t, const char *key, size_t len)
{
	size_t ov[2 * (SP_PT_GROUP_MAX + 1)];
	struct sp_buf out;

	for (size_t g = 0; g <= SP_PT_GROUP_MAX; g++) {
		ov[2 * g] = g % 5 == 4 ? SIZE_MAX : (g * 7) % (len + 1);
		ov[2 * g + 1] = g % 5 == 4 ? SIZE_MAX : (g * 13) % (len + 1);
	}
	sp_buf_init(&out, SP_DICT_VALUE_MAX);
	for (unsigned seed = 0; seed < 4; seed++) {
		struct fz_ctx c = {t, seed};
		size_t at;
		if (sp_pt_walk(t, fz_match, &c, &at) == 1) {
			if (t->v[at].op != SP_PT_MATCH)
				abort();  /* only a MATCH rule is an answer */
			sp_buf_reset(&out);
			(void)sp_pt_expand(&t->v[at], key, len, ov, SP_PT_GROUP_MAX + 1, &out);
		}
	}
	sp_buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct sp_pt_syntax *syn[] = {&fz_regexp, &fz_pcre, &fz_pcre};
	const char *in = (const char *)data;

	for (int k = 0; k < 3; k++) {
		struct sp_pt_table t = {0};
		struct sp_diags d = {0};
		size_t errors = sp_pt_parse(in, size, "fuzz", syn[k], k == 2 ? SP_PT_NO_SUBST : 0,
					    &t, &d);
		if (errors != d.errors)
			abort();  /* every error is reported, and only errors are counted */
		if (errors == 0)
			fz_use(&t, in, size);
		sp_pt_free(&t);
		sp_diags_free(&d);
	}
	return 0;
}
