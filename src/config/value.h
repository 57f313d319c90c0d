/*
 * value.h - parameter values by type: parsing booleans, integers, times
 * and sizes as Postfix reads them, splitting lists, and checking an
 * expanded value against its registry definition.
 */
#ifndef SP_CONFIG_VALUE_H
#define SP_CONFIG_VALUE_H

#include <stddef.h>
#include <stdint.h>

#include "registry.h"

/* "yes"/"no", case-insensitive. Returns 0 and sets *out, or -1. */
int sp_value_bool(const char *v, int *out);
/* A decimal integer (optional '-'). Returns 0 and sets *out, or -1. */
int sp_value_int(const char *v, int64_t *out);
/* digits with an optional unit s, m, h, d or w (default unit if none).
 * Returns 0 and sets *secs, or -1. */
int sp_value_time(const char *v, char unit, int64_t *secs);

/* Splits a list at commas and whitespace; {...} groups stay one element
 * (braces kept). Calls fn for each element; stops when fn returns non-zero
 * and returns that value. */
int sp_value_list(const char *v, int (*fn)(void *ctx, const char *elem, size_t len),
		  void *ctx);

/* Reads a Postfix list file (a "/file/name" element of a list): calls fn
 * for each line that is not a '#' comment, with its line number; a line
 * holding a NUL byte is passed as NULL (the caller reports it). Stops when
 * fn returns non-zero. Returns 0, or -1 with errno (EFBIG past max). */
int sp_value_file_lines(const char *path, size_t max,
			int (*fn)(void *ctx, int line, char *text), void *ctx);

/* Checks an expanded value against def. Returns 0, or -1 with what is
 * wrong in why and the fix in fix. */
int sp_value_check(const struct sp_param_def *def, const char *v,
		   char *why, size_t whylen, char *fix, size_t fixlen);

#endif
