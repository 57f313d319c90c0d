/*
 * fuzz/mapsrc.c - libFuzzer target for src/dict/mapsrc.c (and the logical
 * line reader under it): arbitrary bytes as a postmap source file. Besides
 * memory errors it traps when an entry breaks the format's promises: a key
 * and a value that are never empty, a value without surrounding
 * whitespace, line numbers that never go down, and as many errors as the
 * diagnostics list counts.
 */
#include "dict/mapsrc.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fz_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static void fz_check(const struct sp_mapsrc *m)
{
	int last = 0;

	for (size_t i = 0; i < m->n; i++) {
		const struct sp_mapsrc_entry *e = &m->v[i];
		size_t vl = strlen(e->value);

		if (*e->key == 0 || vl == 0 || fz_space(e->value[0]) || fz_space(e->value[vl - 1]))
			__builtin_trap();
		if (e->line < 1 || e->line < last)
			__builtin_trap();
		last = e->line;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sp_mapsrc m = {0};
	struct sp_diags d = {0};
	size_t errors;

	errors = sp_mapsrc_parse((const char *)data, size, "fuzz.map", &m, &d);
	if (errors != d.errors)
		__builtin_trap();
	fz_check(&m);
	sp_mapsrc_free(&m);
	sp_diags_free(&d);
	return 0;
}
