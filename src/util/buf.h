/*
 * buf.h - the one byte buffer: explicit length, overflow-checked growth, a
 * hard maximum chosen by the owner, and always one spare NUL after the data
 * so the bytes can be read as a C string when they contain no NUL.
 */
#ifndef SP_UTIL_BUF_H
#define SP_UTIL_BUF_H

#include <stddef.h>

struct sp_buf {
	char *data;   /* NULL until the first byte arrives */
	size_t len;   /* bytes in use, excluding the spare NUL */
	size_t cap;   /* bytes allocated */
	size_t max;   /* hard limit on len */
};

/* Initialises an empty buffer that may hold at most max bytes. */
void sp_buf_init(struct sp_buf *b, size_t max);
/* Appends n bytes; returns 0, or -1 (buffer unchanged) past the maximum. */
int sp_buf_add(struct sp_buf *b, const char *p, size_t n);
/* Appends a NUL-terminated string; as sp_buf_add. */
int sp_buf_adds(struct sp_buf *b, const char *s);
/* Appends one byte; as sp_buf_add. */
int sp_buf_addc(struct sp_buf *b, char c);
/* Empties the buffer, keeping its memory. */
void sp_buf_reset(struct sp_buf *b);
/* Shortens the buffer to n bytes (n <= len). */
void sp_buf_truncate(struct sp_buf *b, size_t n);
/* The contents as a NUL-terminated string (never NULL). */
const char *sp_buf_str(const struct sp_buf *b);
/* Hands the contents to the caller as a malloc'ed string; resets b. */
char *sp_buf_take(struct sp_buf *b);
/* Releases the memory. */
void sp_buf_free(struct sp_buf *b);

#endif
