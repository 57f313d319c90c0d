/*
 * fuzz/inline.c - libFuzzer target for the table specs written in the
 * configuration (src/dict/dict_inline.c, dict_static.c and dict.c's
 * type:name split): the input is a spec such as "inline:{ a=1, { b = 2 } }"
 * (a NUL splits off a lookup key).
 */
#include "dict/dict.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *spec = malloc(size + 1), err[256];
	const char *key, *value;
	struct sp_dict *d;

	if (spec == NULL)
		return 0;
	memcpy(spec, data, size);
	spec[size] = 0;
	key = strlen(spec) < size ? spec + strlen(spec) + 1 : "a";
	/* Only in-memory types: no file is opened from fuzz input. */
	if (strncmp(spec, "inline:", 7) == 0 || strncmp(spec, "static:", 7) == 0) {
		d = sp_dict_open(spec, SP_DICT_FOLD, NULL, err, sizeof(err));
		if (d) {
			(void)sp_dict_lookup(d, key, &value, err, sizeof(err));
			sp_dict_close(&d);
		}
	}
	free(spec);
	return 0;
}
