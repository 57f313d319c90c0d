/*
 * fuzz/explain_log.c - reject lines from a log for `sallyport explain
 * --log` (check/explain.h): any bytes must parse or be refused, and what
 * parses must keep its bounds.
 */
#include "check/explain.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sp_explain_txn t;
	char line[4096], err[200];

	if (size >= sizeof(line))
		return 0;
	memcpy(line, data, size);
	line[size] = 0;
	if (sp_explain_parse_log(line, &t, err, sizeof(err)) == 0) {
		if (strlen(t.client) >= sizeof(t.client) || strlen(t.to) >= sizeof(t.to) ||
		    strlen(t.from) >= sizeof(t.from) || strlen(t.helo) >= sizeof(t.helo) ||
		    strlen(t.client_name) >= sizeof(t.client_name) ||
		    strlen(t.logged_reply) >= sizeof(t.logged_reply) || t.to[0] == 0)
			abort();
	} else if (err[0] == 0) {
		abort();
	}
	return 0;
}
