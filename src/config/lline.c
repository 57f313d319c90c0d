/*
 * lline.c - the logical line reader (see lline.h for the rules).
 */
#include "lline.h"
#include "../util/chars.h"

#include <string.h>

void sp_lline_init(struct sp_lline_reader *r, const char *data, size_t len)
{
	r->data = data;
	r->len = len;
	r->off = 0;
	r->lineno = 0;
}

/* One physical line at r->off: its bytes without LF (and without a CR before it). */
static const char *sp_phys_line(struct sp_lline_reader *r, size_t *n)
{
	const char *start = r->data + r->off;
	size_t rest = r->len - r->off;
	const char *nl = memchr(start, '\n', rest);
	size_t linelen = nl ? (size_t)(nl - start) : rest;

	r->off += nl ? linelen + 1 : linelen;
	r->lineno++;
	if (nl && linelen > 0 && start[linelen - 1] == '\r')
		linelen--;
	*n = linelen;
	return start;
}

/* 1 when the physical line is blank or a comment. */
static int sp_is_ignorable(const char *p, size_t n)
{
	size_t i = 0;

	while (i < n && sp_isspace(p[i]))
		i++;
	return i == n || p[i] == '#';
}

/* 1 when the next physical line continues the current logical line
 * (starts with whitespace, or is a comment or blank line to skip). */
static int sp_next_continues(const struct sp_lline_reader *r)
{
	char c;

	if (r->off >= r->len)
		return 0;
	c = r->data[r->off];
	return c == '#' || sp_isspace(c);
}

int sp_lline_next(struct sp_lline_reader *r, struct sp_buf *out, int *first,
		  int *last, const char **err)
{
	const char *bad = NULL;
	int have = 0;

	sp_buf_reset(out);
	*first = *last = 0;
	while (r->off < r->len) {
		size_t n;
		const char *p;

		if (have && !sp_next_continues(r))
			break;
		p = sp_phys_line(r, &n);
		if (sp_is_ignorable(p, n))
			continue;
		if (!have) {
			*first = r->lineno;
			have = 1;
			if (sp_isspace(p[0]))
				bad = "line starts with whitespace but continues nothing; "
				      "remove the leading whitespace (only a line that "
				      "continues the one above may start with it)";
		}
		*last = r->lineno;
		if (!bad && memchr(p, 0, n))
			bad = "NUL byte in line; configuration files are text: remove it";
		if (!bad && sp_buf_add(out, p, n) < 0)
			bad = "logical line longer than 4 MiB; split the value, or move "
				      "long lists into a table";
	}
	if (!have)
		return 0;
	if (bad) {
		*err = bad;
		sp_buf_reset(out);
		return -1;
	}
	return 1;
}
