/*
 * utf8.h - UTF-8 validation (RFC 3629: no overlong forms, no surrogates,
 * nothing above U+10FFFF).
 */
#ifndef SP_UTIL_UTF8_H
#define SP_UTIL_UTF8_H

#include <stddef.h>

/* 1 when s[0..n) is well-formed UTF-8. */
int sp_utf8_valid(const char *s, size_t n);

#endif
