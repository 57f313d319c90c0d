/*
 * unit.h - what the unit test programs share: the cmocka includes in the
 * order cmocka needs, a row check that reports a failing table row and goes
 * on (so one bad row does not hide the others; the test fails at the end
 * through sp_rows_done), and small helpers for byte strings with NULs.
 */
#ifndef SP_TESTS_UNIT_H
#define SP_TESTS_UNIT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A byte string literal with its length (may contain NUL bytes). */
#define BYTES(s) s, (sizeof(s) - 1)

/* Number of rows in a table. */
#define NROWS(t) (sizeof(t) / sizeof((t)[0]))

/* Checks one condition of a table row; on failure prints the table, the
 * row and what was expected, and counts the failure. */
#define ROW_CHECK(fails, table, i, label, cond, ...)                          \
	do {                                                                  \
		if (!(cond)) {                                                \
			fprintf(stderr, "FAIL %s row %zu (%s): ", (table),    \
				(size_t)(i), (label));                        \
			fprintf(stderr, __VA_ARGS__);                         \
			fputc('\n', stderr);                                  \
			(*(fails))++;                                         \
		}                                                             \
	} while (0)

/* Fails the test if any row failed (call after the loop). */
#define sp_rows_done(fails, table, nrows)                                     \
	do {                                                                  \
		if ((fails) != 0)                                             \
			fail_msg("%s: %d of %zu rows failed (see above)",     \
				 (table), (int)(fails), (size_t)(nrows));     \
	} while (0)

/* 1 when a and b are both NULL or equal strings. */
static inline int sp_streq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

/* 1 when hay contains needle (NULL hay never does). */
static inline int sp_has(const char *hay, const char *needle)
{
	return hay != NULL && strstr(hay, needle) != NULL;
}

/* A printable rendering of bytes for messages (static buffer; one at a time). */
static inline const char *sp_show(const char *p, size_t n)
{
	static char out[4][256];
	static int k;
	char *o = out[k++ & 3];
	size_t j = 0;

	if (p == NULL)
		return "(null)";
	for (size_t i = 0; i < n && j + 5 < sizeof(out[0]); i++) {
		unsigned char c = (unsigned char)p[i];
		if (c >= 0x20 && c < 0x7f && c != '\\') {
			o[j++] = (char)c;
		} else {
			j += (size_t)snprintf(o + j, sizeof(out[0]) - j, "\\x%02x", c);
		}
	}
	o[j] = 0;
	return o;
}

static inline const char *sp_shows(const char *s)
{
	return s ? sp_show(s, strlen(s)) : "(null)";
}

/* A malloc'ed buffer of n bytes: prefix, then fill bytes, then suffix. */
static inline char *sp_big(const char *prefix, size_t n, char fill, const char *suffix,
			   size_t *len)
{
	size_t pl = strlen(prefix), sl = strlen(suffix);
	char *p = malloc(pl + n + sl + 1);

	if (p == NULL)
		abort();
	memcpy(p, prefix, pl);
	memset(p + pl, fill, n);
	memcpy(p + pl + n, suffix, sl + 1);
	*len = pl + n + sl;
	return p;
}

#endif
