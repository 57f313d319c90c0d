/*
 * fuzz/action.c - libFuzzer target for src/policy/action.c: arbitrary
 * bytes as an access table result.
 */
#include "policy/action.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *v = malloc(size + 1);
	struct sp_action a;
	size_t n;

	if (v == NULL)
		return 0;
	memcpy(v, data, size);
	v[size] = 0;
	sp_action_parse(v, &a);
	if (a.text < v || a.text > v + strlen(v))
		abort();  /* the text must point into the value */
	(void)sp_dsn_prefix(v, &n);
	free(v);
	return 0;
}
