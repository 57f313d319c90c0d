/*
 * expand.c - $name expansion with Postfix's semantics (see expand.h). The
 * parser splits text into literals and $-references; each reference is
 * evaluated by sp_exp_eval, which may parse further text recursively.
 */
#include "expand.h"
#include "../util/chars.h"
#include "../util/mem.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SP_WS " \t\r\n"

struct sp_exp {
	const struct sp_expand_ops *ops;
	int scan;         /* walk every branch, output nothing */
	int depth;
	int inner;            /* > 0 while expanding a looked-up value */
	unsigned long work;   /* references evaluated plus bytes scanned or written */
	char *err;
	size_t errlen;
	int failed;
};

static int sp_exp_parse(struct sp_exp *x, const char *s, size_t n, struct sp_buf *out);

static int sp_exp_fail(struct sp_exp *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int sp_exp_fail(struct sp_exp *x, const char *fmt, ...)
{
	va_list ap;

	if (!x->failed) {
		va_start(ap, fmt);
		vsnprintf(x->err, x->errlen, fmt, ap);
		va_end(ap);
	}
	x->failed = 1;
	return -1;
}

/* Charges n units of work; fails past the per-call and shared budgets. */
static int sp_exp_charge(struct sp_exp *x, size_t n)
{
	x->work += n;
	if (x->ops->budget) {
		if (*x->ops->budget < n) {
			*x->ops->budget = 0;  /* later calls stop at once */
			return sp_exp_fail(x, "the configuration needs too much $name expansion work "
					   "(chains of references that keep growing?)");
		}
		*x->ops->budget -= n;
	}
	if (x->work > SP_EXPAND_WORK)
		return sp_exp_fail(x, "more than %u bytes and references evaluated for one value "
				   "(a chain of references that keeps doubling?)", SP_EXPAND_WORK);
	return 0;
}

static int sp_exp_out(struct sp_exp *x, struct sp_buf *out, const char *p, size_t n)
{
	if (x->scan || n == 0)
		return 0;
	if (sp_exp_charge(x, n) < 0)
		return -1;
	if (sp_buf_add(out, p, n) < 0)
		return sp_exp_fail(x, "expanded value longer than %u bytes "
				   "(a chain of references that keeps growing?)", SP_EXPAND_MAX);
	return 0;
}

/* Balanced {} payload at *bp (which points at '{'); advances *bp past the
 * '}' and following whitespace. Modifies the text in place. */
static char *sp_exp_curly(struct sp_exp *x, char **bp)
{
	char *payload = *bp + 1, *cp;
	int level = 1;

	for (cp = payload;; cp++) {
		if (*cp == 0) {
			sp_exp_fail(x, "unbalanced {} in expression: \"%.60s\"", *bp);
			return NULL;
		}
		if (*cp == '{')
			level++;
		else if (*cp == '}' && --level <= 0)
			break;
	}
	*cp++ = 0;
	*bp = cp + strspn(cp, SP_WS);
	return payload;
}

/* 1 when s is a non-empty string of digits. */
static int sp_alldig(const char *s)
{
	if (*s == 0)
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return 0;
	}
	return 1;
}

long sp_compat_level(const char *s)
{
	long part[3] = {0, 0, 0};
	int i = 0;

	for (;;) {
		char *end;
		if (*s < '0' || *s > '9')
			return -1;
		errno = 0;
		part[i] = strtol(s, &end, 10);
		if (errno == ERANGE || part[i] > (i == 0 ? (LONG_MAX >> 20) : 0x3ff))
			return -1;
		s = end;
		if (*s == 0)
			break;
		if (*s != '.' || ++i > 2)
			return -1;
		s++;
	}
	return (part[0] << 20) | (part[1] << 10) | part[2];
}

enum { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GE, OP_GT };

static int sp_exp_opcode(const char *p, size_t n)
{
	static const char *const ops[] = {"==", "!=", "<", "<=", ">=", ">"};

	for (int i = 0; i < 6; i++) {
		if (strlen(ops[i]) == n && memcmp(ops[i], p, n) == 0)
			return i;
	}
	return -1;
}

/* Compares per op; returns 1 true, 0 false, -1 error. */
static int sp_exp_compare(struct sp_exp *x, const char *l, int op, const char *r, int level)
{
	long d;

	if (level) {
		long a = sp_compat_level(l), b = sp_compat_level(r);
		if (a < 0 || b < 0)
			return sp_exp_fail(x, "malformed compatibility level: \"%.40s\"",
					   a < 0 ? l : r);
		d = (a > b) - (a < b);
	} else if (sp_alldig(l) && sp_alldig(r)) {
		long a, b;
		errno = 0;
		a = strtol(l, NULL, 10);
		b = strtol(r, NULL, 10);
		if (errno == ERANGE)
			return sp_exp_fail(x, "number too large in comparison: \"%.40s\" \"%.40s\"", l, r);
		d = (a > b) - (a < b);
	} else {
		d = strcmp(l, r);
	}
	switch (op) {
	case OP_EQ: return d == 0;
	case OP_NE: return d != 0;
	case OP_LT: return d < 0;
	case OP_LE: return d <= 0;
	case OP_GE: return d >= 0;
	default: return d > 0;
	}
}

/* ${{left} OP {right} ...}: *bp at the first '{'. Sets *value to "true" or
 * "" (NULL in scan mode); advances *bp. */
static int sp_exp_relational(struct sp_exp *x, char **bp, const char **value)
{
	char *cp = *bp, *left, *right, *op_pos;
	size_t op_len;
	int op, level = 0, res;
	struct sp_buf lb, rb;

	if ((left = sp_exp_curly(x, &cp)) == NULL)
		return -1;
	op_pos = cp;
	op_len = strspn(cp, "<>!=?+-*/~&|%");
	if ((op = sp_exp_opcode(cp, op_len)) < 0)
		return sp_exp_fail(x, "\"==\", \"!=\", \"<\", \"<=\", \">=\" or \">\" expected at: "
				   "\"...{%.30s}>>>%.20s\"", left, cp);
	cp += op_len;
	if (sp_isalnum(*cp)) {
		size_t n = 0;
		while (sp_isalnum(cp[n]))
			n++;
		if (n != 5 || memcmp(cp, "level", 5) != 0)
			return sp_exp_fail(x, "bad operator suffix at: \"...%.*s>>>%.*s\"",
					   (int)op_len, op_pos, (int)n, cp);
		level = 1;
		cp += n;
	}
	cp += strspn(cp, SP_WS);
	if (*cp != '{')
		return sp_exp_fail(x, "\"{expression}\" expected at: \"...{%.30s} %.*s>>>%.20s\"",
				   left, (int)op_len, op_pos, cp);
	if ((right = sp_exp_curly(x, &cp)) == NULL)
		return -1;
	sp_buf_init(&lb, SP_EXPAND_MAX);
	sp_buf_init(&rb, SP_EXPAND_MAX);
	res = sp_exp_parse(x, left, strlen(left), &lb);
	if (res == 0)
		res = sp_exp_parse(x, right, strlen(right), &rb);
	if (res == 0 && !x->scan) {
		res = sp_exp_compare(x, sp_buf_str(&lb), op, sp_buf_str(&rb), level);
		*value = res == 1 ? "true" : "";
		res = res < 0 ? -1 : 0;
	} else {
		*value = NULL;
	}
	sp_buf_free(&lb);
	sp_buf_free(&rb);
	*bp = cp;
	return res;
}

/* Text of a ?/: branch at cp: a {payload} or the rest of the expression. */
static char *sp_exp_branch(struct sp_exp *x, char **cp)
{
	size_t ws = strspn(*cp, SP_WS);
	char *res;

	if ((*cp)[ws] == '{') {
		*cp += ws;
		return sp_exp_curly(x, cp);
	}
	res = *cp;
	*cp = res + strlen(res);
	return res;
}

/* Name part of ${name...}: terminates the name in place; *ch gets the
 * operator ('?', ':' or 0), *cp points after it. */
static int sp_exp_name(struct sp_exp *x, char **cp, char **name, char *ch, const char *all)
{
	char *p = *cp + strspn(*cp, SP_WS);

	*name = p;
	for (;; p++) {
		size_t ws = strspn(p, SP_WS);
		char c = p[ws];
		if (c == 0) {
			*p = 0;
			*ch = 0;
			break;
		}
		if (c == '?' || c == ':') {
			*p = 0;
			p += 1 + ws;
			*ch = c;
			break;
		}
		if (c == '{')
			return sp_exp_fail(x, "unknown function at: \"%.40s\"", all);
		if (!sp_isnamechar(*p))
			return sp_exp_fail(x, "parameter name syntax error at: \"...%.*s>>>%.20s\"",
					   (int)(p - all), all, p);
	}
	*cp = p;
	return 0;
}

/* Evaluates the text of one $-reference (expr is a private, mutable copy). */
static int sp_exp_eval(struct sp_exp *x, char *expr, struct sp_buf *out)
{
	const char *value = NULL;
	char *cp = expr, *name, ch = 0;
	int raw = 0;

	if (x->depth >= SP_EXPAND_DEPTH)
		return sp_exp_fail(x, "unreasonable macro call nesting: \"%.60s\" "
				   "(a parameter that refers to itself, directly or through others?)", expr);
	if (sp_exp_charge(x, 1) < 0)
		return -1;
	x->depth++;
	if (cp[strspn(cp, SP_WS)] == '{') {
		cp += strspn(cp, SP_WS);
		if (sp_exp_relational(x, &cp, &value) < 0)
			return -1;
		ch = *cp;
		if (ch != 0 && ch != '?' && ch != ':')
			return sp_exp_fail(x, "\"?\" or \":\" expected at: \"...}>>>%.20s\"", cp);
		if (ch)
			cp++;
	} else {
		if (sp_exp_name(x, &cp, &name, &ch, expr) < 0)
			return -1;
		value = x->ops->lookup(x->ops->ctx, name, &raw);
		if (value == NULL && ch == 0 && !x->scan && x->inner == 0 && x->ops->undefined)
			x->ops->undefined(x->ops->ctx, name);
	}
	if (ch == '?') {
		char *t = sp_exp_branch(x, &cp);
		if (t == NULL)
			return -1;
		if (((value && *value) || x->scan) && sp_exp_parse(x, t, strlen(t), out) < 0)
			return -1;
		if (*cp != 0 && *cp != ':')
			return sp_exp_fail(x, "\":\" expected at: \"...%.30s}>>>%.20s\"", t, cp);
		if (*cp == ':') {
			cp++;
			ch = ':';
		} else {
			ch = 0;
		}
	} else if (ch == ':') {
		/* handled below */
	} else if (value && *value && !x->scan) {
		int rc;
		x->inner++;
		rc = raw ? sp_exp_out(x, out, value, strlen(value))
			 : sp_exp_parse(x, value, strlen(value), out);
		x->inner--;
		if (rc < 0)
			return -1;
	}
	if (ch == ':') {
		char *f = sp_exp_branch(x, &cp);
		if (f == NULL)
			return -1;
		if ((value == NULL || *value == 0 || x->scan) &&
		    sp_exp_parse(x, f, strlen(f), out) < 0)
			return -1;
		if (*cp != 0)
			return sp_exp_fail(x, "unexpected input at: \"...%.30s}>>>%.20s\"", f, cp);
	}
	x->depth--;
	return 0;
}

/* Finds the end of the reference that starts at s[i] (after the '$');
 * sets *b and *e to the reference text. Returns the index after it, or -1. */
static long sp_exp_ref(struct sp_exp *x, const char *s, size_t n, size_t i,
		       size_t *b, size_t *e)
{
	if (i < n && (s[i] == '{' || s[i] == '(')) {
		char open = s[i], close = open == '{' ? '}' : ')';
		size_t j = i + 1;
		int level = 1;
		while (level > 0) {
			if (j >= n) {
				sp_exp_fail(x, "truncated macro reference: \"%.*s\"",
					    (int)(n > 60 ? 60 : n), s);
				return -1;
			}
			if (s[j] == open)
				level++;
			else if (s[j] == close)
				level--;
			j++;
		}
		*b = i + 1;
		*e = j - 1;
		return (long)j;
	}
	*b = i;
	while (i < n && sp_isnamechar(s[i]))
		i++;
	*e = i;
	return (long)i;
}

static int sp_exp_parse(struct sp_exp *x, const char *s, size_t n, struct sp_buf *out)
{
	size_t i = 0, lit = 0;

	if (sp_exp_charge(x, n) < 0)
		return -1;
	while (i < n) {
		size_t b, e;
		long next;
		char *expr;
		int rc;

		if (s[i] != '$') {
			i++;
			continue;
		}
		if (sp_exp_out(x, out, s + lit, i - lit) < 0)
			return -1;
		if (i + 1 < n && s[i + 1] == '$') {
			if (sp_exp_out(x, out, "$", 1) < 0)
				return -1;
			i += 2;
			lit = i;
			continue;
		}
		if ((next = sp_exp_ref(x, s, n, i + 1, &b, &e)) < 0)
			return -1;
		if (e == b)
			return sp_exp_fail(x, "empty macro name: \"%.*s\"", (int)(n > 60 ? 60 : n), s);
		expr = sp_xstrndup(s + b, e - b);
		rc = sp_exp_eval(x, expr, out);
		free(expr);
		if (rc < 0)
			return -1;
		i = lit = (size_t)next;
	}
	return sp_exp_out(x, out, s + lit, i - lit);
}

int sp_expand(const char *text, const struct sp_expand_ops *ops,
	      struct sp_buf *out, char *err, size_t errlen)
{
	struct sp_exp x = {ops, 0, 0, 0, 0, err, errlen, 0};

	return sp_exp_parse(&x, text, strlen(text), out);
}

int sp_expand_scan(const char *text, const struct sp_expand_ops *ops,
		   char *err, size_t errlen)
{
	struct sp_exp x = {ops, 1, 0, 0, 0, err, errlen, 0};
	struct sp_buf dummy;

	sp_buf_init(&dummy, 0);
	return sp_exp_parse(&x, text, strlen(text), &dummy);
}
