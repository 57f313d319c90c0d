/*
 * value.c - typed parameter values.
 */
#include "value.h"
#include "../util/chars.h"
#include "../util/file.h"

#include <errno.h>
#include <limits.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int sp_value_bool(const char *v, int *out)
{
	if (strcasecmp(v, "yes") == 0)
		*out = 1;
	else if (strcasecmp(v, "no") == 0)
		*out = 0;
	else
		return -1;
	return 0;
}

int sp_value_int(const char *v, int64_t *out)
{
	const char *p = v;
	char *end;
	long long n;

	if (*p == '-')
		p++;
	if (*p < '0' || *p > '9')
		return -1;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno == ERANGE || *end != 0)
		return -1;
	*out = n;
	return 0;
}

int sp_value_time(const char *v, char unit, int64_t *secs)
{
	static const struct { char u; int64_t mul; } units[] = {
		{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}, {'w', 604800},
	};
	char digits[32];
	size_t n = strspn(v, "0123456789");
	int64_t num;

	if (n == 0 || n >= sizeof(digits) || (v[n] != 0 && v[n + 1] != 0))
		return -1;
	if (v[n] != 0)
		unit = v[n];
	memcpy(digits, v, n);
	digits[n] = 0;
	if (sp_value_int(digits, &num) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (units[i].u == unit) {
			if (__builtin_mul_overflow(num, units[i].mul, secs))
				return -1;
			return 0;
		}
	}
	return -1;
}

static int sp_sep(char c)
{
	return c == ',' || sp_isspace(c);
}

int sp_value_list(const char *v, int (*fn)(void *ctx, const char *elem, size_t len),
		  void *ctx)
{
	const char *p = v;

	while (*p) {
		const char *start;
		int level = 0, rc;

		while (*p && sp_sep(*p))
			p++;
		if (*p == 0)
			break;
		start = p;
		for (; *p && (level > 0 || !sp_sep(*p)); p++) {
			if (*p == '{')
				level++;
			else if (*p == '}' && level > 0)
				level--;
		}
		if ((rc = fn(ctx, start, (size_t)(p - start))) != 0)
			return rc;
	}
	return 0;
}

int sp_value_file_lines(const char *path, size_t max,
			int (*fn)(void *ctx, int line, char *text), void *ctx)
{
	char *data, *p, *end;
	size_t len;
	int line = 0;

	if (sp_file_read(path, max, &data, &len) < 0)
		return -1;
	for (p = data, end = data + len; p < end; p++) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *eol = nl ? nl : end;

		line++;
		*eol = 0;
		if (*p != '#' &&
		    fn(ctx, line, memchr(p, 0, (size_t)(eol - p)) != NULL ? NULL : p) != 0)
			break;
		p = eol;
	}
	free(data);
	return 0;
}

struct sp_maps_ctx {
	char *why, *fix;
	size_t whylen, fixlen;
};

/* A table reference is type:name with type made of [a-z0-9_]. */
static int sp_check_map(void *vctx, const char *e, size_t n)
{
	struct sp_maps_ctx *c = vctx;
	size_t t = 0;

	while (t < n && ((e[t] >= 'a' && e[t] <= 'z') || (e[t] >= '0' && e[t] <= '9') || e[t] == '_'))
		t++;
	if (t > 0 && t < n && e[t] == ':')
		return 0;
	snprintf(c->why, c->whylen, "\"%.*s\" is not a table reference", (int)(n > 80 ? 80 : n), e);
	snprintf(c->fix, c->fixlen, "write tables as type:name, for example hash:%.*s",
		 (int)(n > 80 ? 80 : n), e);
	return -1;
}

static int sp_check_range(const struct sp_param_def *def, int64_t n, const char *what,
			  char *why, size_t whylen, char *fix, size_t fixlen)
{
	/* Postfix reads integers and times into an int: that is the limit. */
	int64_t max = def->max ? def->max : def->type == SP_T_SIZE ? INT64_MAX : INT_MAX;

	if (n >= def->min && n <= max)
		return 0;
	snprintf(why, whylen, "%s %" PRId64 " is out of range", what, n);
	snprintf(fix, fixlen, "use a value from %" PRId64 " to %" PRId64, def->min, max);
	return -1;
}

/* 1 when v is digits (with an optional unit letter) too large to read. */
static int sp_too_large(const char *v)
{
	size_t n = strspn(v, "0123456789");

	return n >= 19 && (v[n] == 0 || v[n + 1] == 0);
}

static int sp_check_enum(const struct sp_param_def *def, const char *v)
{
	size_t n = strlen(v);
	const char *c = def->choices;

	while (c && *c) {
		size_t len = strcspn(c, "|");
		if (len == n && strncasecmp(c, v, n) == 0)
			return 0;
		c += len + (c[len] == '|');
	}
	return -1;
}

int sp_value_check(const struct sp_param_def *def, const char *v,
		   char *why, size_t whylen, char *fix, size_t fixlen)
{
	struct sp_maps_ctx mc = {why, fix, whylen, fixlen};
	int64_t n;
	int b;

	switch (def->type) {
	case SP_T_BOOL:
		if (sp_value_bool(v, &b) == 0)
			return 0;
		snprintf(why, whylen, "\"%.60s\" is not a boolean", v);
		snprintf(fix, fixlen, "write yes or no");
		return -1;
	case SP_T_INT:
	case SP_T_SIZE:
		if (sp_value_int(v, &n) == 0)
			return sp_check_range(def, n, "value", why, whylen, fix, fixlen);
		if (sp_too_large(v)) {
			snprintf(why, whylen, "\"%.60s\" is too large", v);
			snprintf(fix, fixlen, "use at most %d", INT_MAX);
			return -1;
		}
		snprintf(why, whylen, "\"%.60s\" is not a whole number", v);
		snprintf(fix, fixlen, "write digits only%s", def->type == SP_T_SIZE ? " (a size in bytes)" : "");
		return -1;
	case SP_T_TIME:
		if (sp_value_time(v, def->unit, &n) == 0)
			return sp_check_range(def, n, "time (in seconds)", why, whylen, fix, fixlen);
		if (sp_too_large(v)) {
			snprintf(why, whylen, "\"%.60s\" is too large", v);
			snprintf(fix, fixlen, "use at most %d seconds", INT_MAX);
			return -1;
		}
		snprintf(why, whylen, "\"%.60s\" is not a time", v);
		snprintf(fix, fixlen, "write a number with an optional unit s, m, h, d or w (default %c)",
			 def->unit ? def->unit : 's');
		return -1;
	case SP_T_ENUM:
		if ((*v == 0 && def->def && *def->def == 0) || sp_check_enum(def, v) == 0)
			return 0;
		snprintf(why, whylen, "\"%.60s\" is not one of the values sallyport supports", v);
		snprintf(fix, fixlen, "use one of: %s", def->choices ? def->choices : "");
		return -1;
	case SP_T_MAPS:
		return sp_value_list(v, sp_check_map, &mc) ? -1 : 0;
	default:
		return 0;
	}
}
