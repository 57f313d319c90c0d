/*
 * fuzz/maincf.c - libFuzzer target for src/config/maincf.c and lline.c:
 * arbitrary bytes as a main.cf file.
 */
#include "config/maincf.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sp_assigns a = {0};
	struct sp_diags d = {0};

	sp_maincf_parse((const char *)data, size, "fuzz.cf", &a, &d);
	sp_assigns_free(&a);
	sp_diags_free(&d);
	return 0;
}
