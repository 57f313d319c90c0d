/*
 * mem.h - allocation that cannot fail silently: the sp_x* wrappers abort the
 * process on exhaustion (as Postfix's mymalloc does), so callers never carry
 * an unchecked NULL. Size arithmetic that could overflow goes through
 * sp_size_add/sp_size_mul.
 */
#ifndef SP_UTIL_MEM_H
#define SP_UTIL_MEM_H

#include <stddef.h>

/* Allocates n bytes; aborts on exhaustion. */
void *sp_xmalloc(size_t n);
/* Allocates zeroed n*m bytes; aborts on exhaustion or overflow. */
void *sp_xcalloc(size_t n, size_t m);
/* Resizes p to n bytes; aborts on exhaustion. */
void *sp_xrealloc(void *p, size_t n);
/* Copies a NUL-terminated string. */
char *sp_xstrdup(const char *s);
/* Copies n bytes of s and terminates the copy. */
char *sp_xstrndup(const char *s, size_t n);
/* Grows an array of elem-sized items so that index need-1 fits;
 * *cap is updated. Aborts on overflow. */
void *sp_xgrow(void *v, size_t *cap, size_t need, size_t elem);

#endif
