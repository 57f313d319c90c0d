/*
 * pattern_table.c - the regexp:/pcre: table source format and the rule walk
 * (see pattern_table.h). The parser follows Postfix's dict_regexp and
 * dict_pcre readers: a logical line is trimmed at the end; one that starts
 * with a non-alphanumeric byte is a rule, else "if" or "endif" (any case,
 * not followed by a letter or digit). Results are split once, here, into
 * literal text and group references, so a lookup never parses anything.
 */
#include "pattern_table.h"
#include "dict.h"
#include "../config/lline.h"
#include "../util/mem.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sp_pt_ctx {
	const char *file;
	const struct sp_pt_syntax *syn;
	unsigned opts;
	struct sp_diags *d;
	int line;
	size_t errors;
	size_t depth;                   /* open ifs, also past the maximum */
	size_t stack[SP_PT_NEST_MAX];   /* rule index of each open if (SIZE_MAX: bad if) */
	int stack_line[SP_PT_NEST_MAX];
};

static int sp_pt_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static int sp_pt_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int sp_pt_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Records an error at the current line; returns -1. */
__attribute__((format(printf, 3, 4)))
static int sp_pt_err(struct sp_pt_ctx *c, const char *fix, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	sp_diag_add(c->d, SP_ERROR, c->file, c->line, NULL, fix, "%s", what);
	c->errors++;
	return -1;
}

/* A byte for a message: itself when printable, else \xNN. */
static const char *sp_pt_byte(char ch, char buf[8])
{
	unsigned char u = (unsigned char)ch;

	if (u > 0x20 && u < 0x7f)
		snprintf(buf, 8, "%c", ch);
	else
		snprintf(buf, 8, "\\x%02x", u);
	return buf;
}

/* Reads the flags after a pattern, up to whitespace (or '!' when stop_bang). */
static int sp_pt_flags(struct sp_pt_ctx *c, const char **pp, const char *end, int stop_bang,
		       struct sp_pt_pattern *pat)
{
	const char *p = *pp;
	char b[8];

	for (; p < end && !sp_pt_space(*p) && !(stop_bang && *p == '!'); p++) {
		const char *f = *p ? strchr(c->syn->flags, *p) : NULL;
		if (f == NULL)
			return sp_pt_err(c, NULL, "unknown %s flag \"%s\" after the pattern (the "
					 "flags are %s)", c->syn->type, sp_pt_byte(*p, b),
					 c->syn->flags);
		if (strchr(c->syn->obsolete, *p))
			sp_diag_add(c->d, SP_WARNING, c->file, c->line, NULL, "remove it",
				    "%s flag \"%c\" does nothing with PCRE2; ignored",
				    c->syn->type, *p);
		pat->toggles ^= 1u << (f - c->syn->flags);
	}
	*pp = p;
	return 0;
}

/* Reads "!... <delim>pattern<delim>flags" at *pp; advances *pp past it. */
static int sp_pt_pattern(struct sp_pt_ctx *c, const char **pp, const char *end, int stop_bang,
			 struct sp_pt_pattern *pat)
{
	const char *p = *pp, *start;
	char delim, b[8];

	memset(pat, 0, sizeof(*pat));
	for (; p < end && (*p == '!' || sp_pt_space(*p)); p++) {
		if (*p == '!')
			pat->negated = !pat->negated;
	}
	if (p == end)
		return sp_pt_err(c, "write the pattern between delimiters: /pattern/",
				 "no pattern");
	delim = *p++;
	for (start = p; p < end; p++) {
		if (*p == '\\') {   /* escapes the next byte, even the delimiter */
			if (++p == end)
				break;
			continue;
		}
		if (*p == delim)
			break;
	}
	if (p >= end)
		return sp_pt_err(c, "end the pattern with the byte that starts it; inside it, "
				 "write that byte as \\ and the byte",
				 "no closing delimiter \"%s\" after the pattern",
				 sp_pt_byte(delim, b));
	if ((size_t)(p - start) > SP_PT_PATTERN_MAX)
		return sp_pt_err(c, "split the pattern into several rules",
				 "pattern longer than %u bytes", SP_PT_PATTERN_MAX);
	pat->len = (size_t)(p - start);
	p++;
	if (sp_pt_flags(c, &p, end, stop_bang, pat) < 0)
		return -1;
	pat->text = sp_xstrndup(start, pat->len);
	*pp = p;
	return 0;
}

/* Appends a group reference or literal bytes to the rule's result. */
static void sp_pt_part_add(struct sp_pt_rule *r, size_t *cap, unsigned group, size_t off,
			   size_t len)
{
	struct sp_pt_part *last = r->nparts ? &r->parts[r->nparts - 1] : NULL;

	if (group == 0 && len == 0)
		return;
	if (group == 0 && last && last->group == 0 && last->off + last->len == off) {
		last->len += len;
		return;
	}
	r->parts = sp_xgrow(r->parts, cap, r->nparts + 1, sizeof(*r->parts));
	r->parts[r->nparts++] = (struct sp_pt_part){group, off, len};
}

/* Reads the name after '$' ("1", "{1}", "(1)") as Postfix's mac_parse
 * splits it; returns 0 with the name span, or -1. */
static int sp_pt_ref_name(struct sp_pt_ctx *c, const char **pp, const char *end,
			  const char **name, size_t *n)
{
	const char *p = *pp, *q;

	if (p < end && (*p == '{' || *p == '(')) {
		char open = *p, close = *p == '{' ? '}' : ')';
		int level = 1;
		for (q = ++p; q < end; q++) {
			if (*q == open)
				level++;
			else if (*q == close && --level == 0)
				break;
		}
		if (q == end)
			return sp_pt_err(c, "close it, or write $$ for a $ sign",
					 "unterminated \"$%c\" in the result", open);
		*name = p;
		*n = (size_t)(q - p);
		*pp = q + 1;
		return 0;
	}
	for (q = p; q < end && (sp_pt_alnum(*q) || *q == '_'); q++)
		;
	*name = p;
	*n = (size_t)(q - p);
	*pp = q;
	return 0;
}

/* Turns a reference name into a group number 1..SP_PT_GROUP_MAX. */
static int sp_pt_group(struct sp_pt_ctx *c, const char *name, size_t n, unsigned *group)
{
	unsigned v = 0;

	if (n == 0)
		return sp_pt_err(c, "write $$ for a $ sign", "\"$\" without a group number in "
				 "the result");
	for (size_t i = 0; i < n; i++) {
		if (!sp_pt_digit(name[i]))
			return sp_pt_err(c, "only $1 to $99 (or ${1}) refer to text the pattern "
					 "captured; write $$ for a $ sign",
					 "\"$%.*s\" in the result is not a group number",
					 (int)(n > 40 ? 40 : n), name);
		if (v <= SP_PT_GROUP_MAX)
			v = v * 10 + (unsigned)(name[i] - '0');
	}
	if (v < 1 || v > SP_PT_GROUP_MAX)
		return sp_pt_err(c, "groups are numbered from $1 to $99",
				 "group number \"$%.*s\" in the result is out of range",
				 (int)(n > 40 ? 40 : n), name);
	*group = v;
	return 0;
}

/* Splits the result text into literal bytes and group references. */
static int sp_pt_result(struct sp_pt_ctx *c, const char *p, const char *end,
			struct sp_pt_rule *r)
{
	struct sp_buf lit;
	size_t cap = 0;

	sp_buf_init(&lit, SP_DICT_VALUE_MAX);
	while (p < end) {
		const char *dollar = memchr(p, '$', (size_t)(end - p));
		const char *stop = dollar ? dollar : end;
		const char *name = NULL;
		size_t n = 0, off = lit.len;
		unsigned group = 0;

		if (sp_buf_add(&lit, p, (size_t)(stop - p)) < 0)
			goto too_long;
		sp_pt_part_add(r, &cap, 0, off, lit.len - off);
		p = stop;
		if (p == end)
			break;
		if (p + 1 < end && p[1] == '$') {
			if (sp_buf_addc(&lit, '$') < 0)
				goto too_long;
			sp_pt_part_add(r, &cap, 0, lit.len - 1, 1);
			p += 2;
			continue;
		}
		p++;
		if (sp_pt_ref_name(c, &p, end, &name, &n) < 0 || sp_pt_group(c, name, n, &group) < 0)
			goto bad;
		sp_pt_part_add(r, &cap, group, 0, 0);
		if (group > r->max_group)
			r->max_group = group;
	}
	r->litlen = lit.len;
	r->lit = sp_buf_take(&lit);
	return 0;
too_long:
	sp_pt_err(c, "shorten the result", "result longer than %u bytes", SP_DICT_VALUE_MAX);
bad:
	sp_buf_free(&lit);
	return -1;
}

static void sp_pt_rule_free(struct sp_pt_rule *r)
{
	free(r->pat.text);
	free(r->pat2.text);
	free(r->lit);
	free(r->parts);
	memset(r, 0, sizeof(*r));
}

static void sp_pt_push(struct sp_pt_table *t, struct sp_pt_rule *r)
{
	t->v = sp_xgrow(t->v, &t->cap, t->n + 1, sizeof(*t->v));
	t->v[t->n++] = *r;
}

/* Checks what a result's $N may not do. */
static int sp_pt_check_subst(struct sp_pt_ctx *c, const struct sp_pt_rule *r)
{
	if (r->max_group == 0)
		return 0;
	if (r->pat.negated)
		return sp_pt_err(c, "a negated pattern captures nothing; remove the $N or the !",
				 "$%u in the result of a negated pattern", r->max_group);
	if (c->opts & SP_PT_NO_SUBST)
		return sp_pt_err(c, "remove the $N from the result",
				 "$%u substitution is not allowed in this table", r->max_group);
	return 0;
}

/* "/pattern/flags result", regexp also "/p1/flags!/p2/flags result". */
static void sp_pt_match_rule(struct sp_pt_ctx *c, const char *p, const char *end,
			     struct sp_pt_table *t)
{
	struct sp_pt_rule r = {.op = SP_PT_MATCH, .line = c->line};
	int two = c->syn->second_pattern;

	if (sp_pt_pattern(c, &p, end, two, &r.pat) < 0)
		goto bad;
	if (two && p < end && *p == '!' && sp_pt_pattern(c, &p, end, 1, &r.pat2) < 0)
		goto bad;
	while (p < end && sp_pt_space(*p))
		p++;
	if (p == end)
		sp_diag_add(c->d, SP_WARNING, c->file, c->line, NULL,
			    "write the result after the pattern",
			    "no result after the pattern: a match returns the empty string");
	if (sp_pt_result(c, p, end, &r) < 0 || sp_pt_check_subst(c, &r) < 0)
		goto bad;
	sp_pt_push(t, &r);
	return;
bad:
	sp_pt_rule_free(&r);
}

/* "if /pattern/flags"; pushes the if (also a bad one) on the nesting stack. */
static void sp_pt_if(struct sp_pt_ctx *c, const char *p, const char *end, struct sp_pt_table *t)
{
	struct sp_pt_rule r = {.op = SP_PT_IF, .line = c->line};
	size_t at = SIZE_MAX;

	while (p < end && sp_pt_space(*p))
		p++;
	if (sp_pt_pattern(c, &p, end, c->syn->second_pattern, &r.pat) == 0) {
		while (p < end && sp_pt_space(*p))
			p++;
		if (p < end) {
			sp_pt_err(c, "put each rule on its own line after the if, not indented "
				  "(an indented line continues the line above)",
				  "text after the pattern of \"if\": \"%.*s\"",
				  (int)(end - p > 40 ? 40 : end - p), p);
			sp_pt_rule_free(&r);
		} else {
			at = t->n;
			sp_pt_push(t, &r);
		}
	}
	if (c->depth == SP_PT_NEST_MAX)
		sp_pt_err(c, "flatten the if/endif blocks", "if/endif nested deeper than %d "
			  "levels", SP_PT_NEST_MAX);
	if (c->depth < SP_PT_NEST_MAX) {
		c->stack[c->depth] = at;
		c->stack_line[c->depth] = c->line;
	}
	c->depth++;
}

/* "endif": closes the innermost if. */
static void sp_pt_endif(struct sp_pt_ctx *c, const char *p, const char *end,
			struct sp_pt_table *t)
{
	struct sp_pt_rule r = {.op = SP_PT_ENDIF, .line = c->line};

	while (p < end && sp_pt_space(*p))
		p++;
	if (c->depth == 0) {
		sp_pt_err(c, "remove it, or add the \"if\" it closes", "\"endif\" without \"if\"");
		return;
	}
	c->depth--;
	if (p < end) {
		sp_pt_err(c, "nothing may follow \"endif\" on its line", "text after \"endif\": "
			  "\"%.*s\"", (int)(end - p > 40 ? 40 : end - p), p);
		return;
	}
	if (c->depth < SP_PT_NEST_MAX && c->stack[c->depth] != SIZE_MAX)
		t->v[c->stack[c->depth]].endif = t->n;
	sp_pt_push(t, &r);
}

/* 1 when [p, end) starts with keyword (any case) not followed by a letter or digit. */
static int sp_pt_keyword(const char *p, const char *end, const char *kw)
{
	size_t k = strlen(kw);

	if ((size_t)(end - p) < k)
		return 0;
	for (size_t i = 0; i < k; i++) {
		if ((p[i] | 0x20) != kw[i])
			return 0;
	}
	return p + k == end || !sp_pt_alnum(p[k]);
}

static void sp_pt_line(struct sp_pt_ctx *c, const char *p, size_t n, struct sp_pt_table *t)
{
	const char *end = p + n;

	while (end > p && sp_pt_space(end[-1]))
		end--;
	if (end == p)
		return;
	if (!sp_pt_alnum(*p))
		sp_pt_match_rule(c, p, end, t);
	else if (sp_pt_keyword(p, end, "if"))
		sp_pt_if(c, p + 2, end, t);
	else if (sp_pt_keyword(p, end, "endif"))
		sp_pt_endif(c, p + 5, end, t);
	else
		sp_pt_err(c, "a rule starts with its pattern's delimiter, as in /pattern/ result; "
			  "other lines are \"if /pattern/\" and \"endif\"",
			  "unrecognized line: \"%.*s\"", (int)(end - p > 40 ? 40 : end - p), p);
}

size_t sp_pt_parse(const char *data, size_t len, const char *file,
		   const struct sp_pt_syntax *syn, unsigned opts, struct sp_pt_table *t,
		   struct sp_diags *d)
{
	struct sp_pt_ctx c = {.file = file, .syn = syn, .opts = opts, .d = d};
	struct sp_lline_reader rd;
	struct sp_buf line;
	const char *err;
	int first, last, rc;

	sp_lline_init(&rd, data, len);
	sp_buf_init(&line, SP_LLINE_MAX);
	while ((rc = sp_lline_next(&rd, &line, &first, &last, &err)) != 0) {
		c.line = first;
		if (rc < 0)
			sp_pt_err(&c, NULL, "%s", err);
		else
			sp_pt_line(&c, line.data, line.len, t);
	}
	sp_buf_free(&line);
	for (size_t i = c.depth < SP_PT_NEST_MAX ? c.depth : SP_PT_NEST_MAX; i-- > 0;) {
		c.line = c.stack_line[i];
		sp_pt_err(&c, "close the block with a line \"endif\"",
			  "\"if\" without \"endif\"");
	}
	for (size_t i = 0; i < t->n; i++) {
		if (t->v[i].max_group > t->max_group)
			t->max_group = t->v[i].max_group;
	}
	return c.errors;
}

int sp_pt_toggled(const struct sp_pt_syntax *syn, const struct sp_pt_pattern *p, char c)
{
	const char *f = strchr(syn->flags, c);

	return f != NULL && c != 0 && ((p->toggles >> (f - syn->flags)) & 1u);
}

int sp_pt_walk(const struct sp_pt_table *t, int (*match)(void *ctx, size_t i, int which),
	       void *ctx, size_t *at)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct sp_pt_rule *r = &t->v[i];
		int m;

		*at = i;
		if (r->op == SP_PT_ENDIF)
			continue;
		if ((m = match(ctx, i, 0)) < 0)
			return -1;
		if (m == r->pat.negated) {   /* the pattern does not apply */
			if (r->op == SP_PT_IF && (r->endif <= i || r->endif >= t->n))
				return -1;           /* not a parsed table */
			if (r->op == SP_PT_IF)
				i = r->endif;
			continue;
		}
		if (r->op == SP_PT_IF)
			continue;
		if (r->pat2.text) {
			if ((m = match(ctx, i, 1)) < 0)
				return -1;
			if (m == r->pat2.negated)
				continue;
		}
		return 1;
	}
	return 0;
}

int sp_pt_expand(const struct sp_pt_rule *r, const char *key, size_t keylen,
		 const size_t *ov, size_t nov, struct sp_buf *out)
{
	for (size_t i = 0; i < r->nparts; i++) {
		const struct sp_pt_part *pt = &r->parts[i];
		size_t so, eo;

		if (pt->group == 0) {
			if (sp_buf_add(out, r->lit + pt->off, pt->len) < 0)
				return -1;
			continue;
		}
		if (pt->group >= nov)
			continue;
		so = ov[2 * pt->group];
		eo = ov[2 * pt->group + 1];
		if (so == SIZE_MAX || eo == SIZE_MAX || so >= eo || eo > keylen)
			continue;
		if (sp_buf_add(out, key + so, eo - so) < 0)
			return -1;
	}
	return 0;
}

void sp_pt_failed(const struct sp_diags *d, size_t from, const char *type, const char *file,
		  char *err, size_t errlen)
{
	size_t n = 0;
	const struct sp_diag *first = NULL;

	for (size_t i = from; i < d->n; i++) {
		if (d->v[i].sev != SP_ERROR)
			continue;
		if (first == NULL)
			first = &d->v[i];
		n++;
	}
	if (first == NULL)
		snprintf(err, errlen, "%s:%s: the table has errors", type, file);
	else
		snprintf(err, errlen, "%s:%s: %zu error(s) in the table; the first, line %d: %s",
			 type, file, n, first->line, first->what);
}

void sp_pt_free(struct sp_pt_table *t)
{
	for (size_t i = 0; i < t->n; i++)
		sp_pt_rule_free(&t->v[i]);
	free(t->v);
	memset(t, 0, sizeof(*t));
}
