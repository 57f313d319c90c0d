/*
 * mem.c - aborting allocation wrappers and overflow-checked array growth.
 */
#include "mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void sp_oom(void)
{
	fputs("sallyport: fatal: out of memory\n", stderr);
	abort();
}

void *sp_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (p == NULL)
		sp_oom();
	return p;
}

void *sp_xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);
	if (p == NULL)
		sp_oom();
	return p;
}

void *sp_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (q == NULL)
		sp_oom();
	return q;
}

char *sp_xstrdup(const char *s)
{
	return sp_xstrndup(s, strlen(s));
}

char *sp_xstrndup(const char *s, size_t n)
{
	char *p = sp_xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

void *sp_xgrow(void *v, size_t *cap, size_t need, size_t elem)
{
	size_t ncap = *cap ? *cap : 8;
	size_t bytes;

	if (need <= *cap)
		return v;
	while (ncap < need) {
		if (__builtin_mul_overflow(ncap, 2, &ncap))
			sp_oom();
	}
	if (__builtin_mul_overflow(ncap, elem, &bytes))
		sp_oom();
	*cap = ncap;
	return sp_xrealloc(v, bytes);
}
