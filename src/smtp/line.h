/*
 * line.h - SMTP line framing, strict: a line ends in CRLF and nothing else.
 * An LF without its CR, or a CR followed by anything but LF, is reported,
 * never taken as a line end, so no bare-newline variant can end a command
 * or a message early (SMTP smuggling). Pure: bytes in, a verdict out.
 */
#ifndef SP_SMTP_LINE_H
#define SP_SMTP_LINE_H

#include <stddef.h>

enum sp_line {
	SP_LINE_OK,       /* a line: *n bytes, CRLF included */
	SP_LINE_MORE,     /* no line end yet, and fewer than max bytes */
	SP_LINE_BARE_LF,  /* an LF without CR: *n bytes up to and including it */
	SP_LINE_BARE_CR,  /* a CR followed by another byte: *n bytes up to and including the CR */
	SP_LINE_TOO_LONG, /* max bytes without a line end: *n = max */
};

/* The first line in buf[0..len), looking at most max bytes (max >= 2). A CR
 * as the last byte of buf is MORE (its LF may still come). */
enum sp_line sp_line_find(const char *buf, size_t len, size_t max, size_t *n);

#endif
