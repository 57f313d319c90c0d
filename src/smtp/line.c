/*
 * line.c - strict CRLF line framing (see line.h).
 */
#include "line.h"

enum sp_line sp_line_find(const char *buf, size_t len, size_t max, size_t *n)
{
	size_t lim = len < max ? len : max;

	for (size_t i = 0; i < lim; i++) {
		if (buf[i] == '\n') {
			*n = i + 1;
			return SP_LINE_BARE_LF;
		}
		if (buf[i] != '\r')
			continue;
		if (i + 1 >= lim)   /* the byte after the CR is not here, or past max */
			break;
		if (buf[i + 1] != '\n') {
			*n = i + 1;
			return SP_LINE_BARE_CR;
		}
		*n = i + 2;
		return SP_LINE_OK;
	}
	if (len >= max) {
		*n = max;
		return SP_LINE_TOO_LONG;
	}
	*n = 0;
	return SP_LINE_MORE;
}
