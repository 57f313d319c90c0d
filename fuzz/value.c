/*
 * fuzz/value.c - libFuzzer target for src/config/value.c: typed value
 * parsing and checking against every registry definition.
 */
#include "config/registry.h"
#include "config/value.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fz_elem(void *ctx, const char *e, size_t n)
{
	(void)ctx;
	return n > 0 && e[0] == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *v = malloc(size + 1), why[256], fix[256];
	size_t n;
	const struct sp_param_def *r = sp_registry(&n);
	int64_t i64;
	int b;

	if (v == NULL)
		return 0;
	memcpy(v, data, size);
	v[size] = 0;
	(void)sp_value_bool(v, &b);
	(void)sp_value_int(v, &i64);
	(void)sp_value_time(v, 's', &i64);
	(void)sp_value_list(v, fz_elem, NULL);
	for (size_t k = 0; k < n; k++)
		(void)sp_value_check(&r[k], v, why, sizeof(why), fix, sizeof(fix));
	free(v);
	return 0;
}
