/*
 * lline.h - Postfix's logical lines, over bytes in memory: empty lines,
 * whitespace-only lines and lines whose first non-whitespace byte is '#' are
 * skipped (also inside a continued line); a line that starts with whitespace
 * continues the previous one (its bytes are appended without the line
 * break, leading whitespace kept, as Postfix's readllines() does). A CR
 * before the LF is dropped, so CRLF files read like LF files. Shared by the
 * main.cf and master.cf readers.
 */
#ifndef SP_CONFIG_LLINE_H
#define SP_CONFIG_LLINE_H

#include <stddef.h>

#include "../util/buf.h"

#define SP_LLINE_MAX (4u << 20) /* longest logical line: 4 MiB */

struct sp_lline_reader {
	const char *data;
	size_t len;
	size_t off;
	int lineno;     /* physical lines consumed */
};

/* Starts reading data[0..len). */
void sp_lline_init(struct sp_lline_reader *r, const char *data, size_t len);

/* Reads the next logical line into out (reset first). Returns 1 with
 * *first and *last set to its physical line numbers, 0 at the end, or -1 for
 * a bad logical line (NUL byte, too long, continuation without a preceding
 * line) with *err set and the bad line skipped, so the caller may go on. */
int sp_lline_next(struct sp_lline_reader *r, struct sp_buf *out, int *first,
		  int *last, const char **err);

#endif
