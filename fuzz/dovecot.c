/*
 * fuzz/dovecot.c - Dovecot auth protocol lines from a hostile auth server
 * (auth/dovecot.h): any bytes, split at LF, must parse or be refused
 * without a crash, and whatever parses must keep its bounds.
 */
#include "auth/dovecot.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sp_dv_line o;
	const char *p = (const char *)data, *end = p + size;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (sp_dv_parse(p, len, &o) == 0) {
			if (strlen(o.mech) >= sizeof(o.mech) || strlen(o.user) >= sizeof(o.user) ||
			    strlen(o.reason) >= sizeof(o.reason) || strlen(o.data) > SP_DV_DATA_MAX)
				abort();
			if (o.kind == SP_DV_CONT && !sp_dv_base64_valid(o.data, strlen(o.data)))
				abort();
			for (const char *r = o.reason; *r; r++)
				if ((unsigned char)*r < 32)
					abort();
		}
		p += len + 1;
	}
	return 0;
}
