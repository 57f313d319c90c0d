/*
 * fuzz/mastercf.c - libFuzzer target for src/config/mastercf.c: arbitrary
 * bytes as a master.cf file.
 */
#include "config/mastercf.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sp_services s = {0};
	struct sp_diags d = {0};

	sp_mastercf_parse((const char *)data, size, "fuzz.cf", &s, &d);
	if (s.n > 0)
		(void)sp_services_find(&s, s.v[0].name);
	sp_services_free(&s);
	sp_diags_free(&d);
	return 0;
}
