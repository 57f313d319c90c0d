/*
 * buf.c - growth and bounds for struct sp_buf. All size arithmetic of the
 * buffer happens here, with overflow checks.
 */
#include "buf.h"
#include "mem.h"

#include <stdlib.h>
#include <string.h>

void sp_buf_init(struct sp_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

static int sp_buf_reserve(struct sp_buf *b, size_t n)
{
	size_t need, ncap;

	if (__builtin_add_overflow(b->len, n, &need) || need > b->max)
		return -1;
	if (__builtin_add_overflow(need, 1, &need))
		return -1;
	if (need <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 64;
	while (ncap < need) {
		if (__builtin_mul_overflow(ncap, 2, &ncap))
			return -1;
	}
	b->data = sp_xrealloc(b->data, ncap);
	b->cap = ncap;
	return 0;
}

int sp_buf_add(struct sp_buf *b, const char *p, size_t n)
{
	if (sp_buf_reserve(b, n) < 0)
		return -1;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = 0;
	return 0;
}

int sp_buf_adds(struct sp_buf *b, const char *s)
{
	return sp_buf_add(b, s, strlen(s));
}

int sp_buf_addc(struct sp_buf *b, char c)
{
	return sp_buf_add(b, &c, 1);
}

void sp_buf_reset(struct sp_buf *b)
{
	sp_buf_truncate(b, 0);
}

void sp_buf_truncate(struct sp_buf *b, size_t n)
{
	if (n < b->len) {
		b->len = n;
		b->data[n] = 0;
	}
}

const char *sp_buf_str(const struct sp_buf *b)
{
	return b->data ? b->data : "";
}

char *sp_buf_take(struct sp_buf *b)
{
	char *s = b->data ? b->data : sp_xstrdup("");

	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	return s;
}

void sp_buf_free(struct sp_buf *b)
{
	free(b->data);
	sp_buf_init(b, b->max);
}
