/*
 * mastercf.c - master.cf services from logical lines: field splitting with
 * {} grouping, per-field checks, and -o overrides.
 */
#include "mastercf.h"
#include "lline.h"
#include "../util/chars.h"
#include "../util/mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SP_MASTER_FIELDS 8
#define SP_MASTER_MAX_ARGS 1024

struct sp_words {
	char **v;
	size_t n, cap;
};

static void sp_words_free(struct sp_words *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->v[i]);
	free(w->v);
}

/* Splits a line into words; a word may contain balanced {} groups, inside
 * which blanks do not split. Returns NULL or what is wrong. */
static const char *sp_split_words(const char *s, struct sp_words *w)
{
	while (*s) {
		const char *start;
		int level = 0;

		while (*s && sp_isspace(*s))
			s++;
		if (*s == 0)
			break;
		start = s;
		for (; *s && (level > 0 || !sp_isspace(*s)); s++) {
			if (*s == '{')
				level++;
			else if (*s == '}' && --level < 0)
				return "unbalanced '}'";
		}
		if (level > 0)
			return "missing '}'";
		if (w->n >= SP_MASTER_MAX_ARGS)
			return "too many fields (more than 1024)";
		w->v = sp_xgrow(w->v, &w->cap, w->n + 1, sizeof(*w->v));
		w->v[w->n++] = sp_xstrndup(start, (size_t)(s - start));
	}
	return NULL;
}

/* "{ text }" -> "text" (outer braces and surrounding blanks removed). */
static const char *sp_unbrace(char *arg)
{
	size_t n = strlen(arg);
	char *b, *e;

	if (arg[0] != '{')
		return NULL;
	if (n < 2 || arg[n - 1] != '}')
		return "text after '}'";
	b = arg + 1;
	e = arg + n - 1;
	while (b < e && sp_isspace(*b))
		b++;
	while (e > b && sp_isspace(e[-1]))
		e--;
	memmove(arg, b, (size_t)(e - b));
	arg[e - b] = 0;
	return NULL;
}

/* What is wrong with a service line: the field, the problem, the fix. */
struct sp_mc_err {
	const char *field;
	const char *fix;
	char what[320];
};

static int sp_mc_fail(struct sp_mc_err *e, const char *field, const char *fix,
		      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int sp_mc_fail(struct sp_mc_err *e, const char *field, const char *fix,
		      const char *fmt, ...)
{
	va_list ap;

	e->field = field;
	e->fix = fix;
	va_start(ap, fmt);
	vsnprintf(e->what, sizeof(e->what), fmt, ap);
	va_end(ap);
	return -1;
}

static int sp_check_flag(const char *svc, const char *f, const char *field, char *out,
			 struct sp_mc_err *e)
{
	if (strlen(f) != 1 || strchr("yn-", f[0]) == NULL)
		return sp_mc_fail(e, field, "use y, n or - (the default)",
				  "service \"%.60s\": \"%.40s\" is not y, n or -", svc, f);
	*out = f[0];
	return 0;
}

static int sp_check_fields(struct sp_words *w, struct sp_service *svc, struct sp_mc_err *e)
{
	static const char *const types[] = {"inet", "unix", "unix-dgram", "fifo", "pass"};
	size_t i, len;

	for (i = 0; i < 5 && strcmp(types[i], w->v[1]) != 0; i++)
		;
	if (i == 5)
		return sp_mc_fail(e, "type", "use inet, unix, unix-dgram, fifo or pass",
				  "service \"%.60s\": unknown type \"%.40s\"", w->v[0], w->v[1]);
	if (sp_check_flag(w->v[0], w->v[2], "private", &svc->priv, e) < 0 ||
	    sp_check_flag(w->v[0], w->v[3], "unpriv", &svc->unpriv, e) < 0 ||
	    sp_check_flag(w->v[0], w->v[4], "chroot", &svc->chroot, e) < 0)
		return -1;
	len = strlen(w->v[5]);
	if (len > 0 && w->v[5][len - 1] == '?')
		len--;
	if (!(len == 1 && w->v[5][0] == '-') && strspn(w->v[5], "0123456789") != len)
		return sp_mc_fail(e, "wakeup", "use -, or a number of seconds with an optional '?'",
				  "service \"%.60s\": bad wakeup time \"%.40s\"", w->v[0], w->v[5]);
	if (strcmp(w->v[6], "-") != 0 && w->v[6][strspn(w->v[6], "0123456789")] != 0)
		return sp_mc_fail(e, "maxproc", "use - (the default) or a number of processes",
				  "service \"%.60s\": bad process limit \"%.40s\"", w->v[0], w->v[6]);
	return 0;
}

static void sp_service_push(struct sp_service *svc, const char *arg)
{
	svc->args = sp_xgrow(svc->args, &svc->args_cap, svc->nargs + 1, sizeof(*svc->args));
	svc->args[svc->nargs++] = sp_xstrdup(arg);
}

/* One -o value: "name=value" or "{ name = value }". */
static int sp_service_override(struct sp_service *svc, char *arg, struct sp_mc_err *e)
{
	const char *why;
	char *name, *value;

	if (sp_unbrace(arg) || (why = sp_split_nameval(arg, &name, &value)) != NULL)
		return sp_mc_fail(e, "-o", "write -o name=value, or -o { name = value } when the "
				  "value has spaces", "service \"%.60s\": bad override \"%.60s\"",
				  svc->name, arg);
	sp_assigns_add(&svc->overrides, name, value, svc->file, svc->line);
	return 0;
}

/* A word of daemon options ("-v", "-vo name=value", "-oname=value"): flags
 * and value-taking options as Postfix's daemons read them. */
static int sp_service_option(struct sp_words *w, size_t *i, struct sp_service *svc,
			     struct sp_mc_err *e)
{
	const char *arg = w->v[*i];

	for (const char *p = arg + 1; *p; p++) {
		char opt[3] = {'-', *p, 0};
		char *value;

		if (strchr("cdDlSuvVz", *p)) {
			sp_service_push(svc, opt);
			continue;
		}
		if (!strchr("imnost", *p))
			return sp_mc_fail(e, "command", "remove it (see the daemon's manual page)",
					  "service \"%.60s\": unknown daemon option \"-%c\"",
					  svc->name, *p);
		if (p[1] == 0 && *i + 1 >= w->n)
			return sp_mc_fail(e, *p == 'o' ? "-o" : "command", "give it a value", "service \"%.60s\": %s needs a "
					  "value after it", svc->name, opt);
		value = p[1] ? (char *)p + 1 : w->v[++*i];
		if (*p == 'o')
			return sp_service_override(svc, value, e);
		sp_service_push(svc, opt);
		sp_service_push(svc, value);
		return 0;
	}
	return 0;
}

/* Handles the arguments after the command: daemon options with their -o
 * overrides, then other arguments ({} groups unwrapped). */
static int sp_service_args(struct sp_words *w, struct sp_service *svc, struct sp_mc_err *e)
{
	int options = 1;
	int external = strcmp(svc->command, "pipe") == 0 || strcmp(svc->command, "spawn") == 0;

	for (size_t i = SP_MASTER_FIELDS; i < w->n; i++) {
		char *arg = w->v[i];

		if (options && arg[0] == '-' && arg[1] != 0 && strcmp(arg, "--") != 0) {
			if (sp_service_option(w, &i, svc, e) < 0)
				return -1;
			continue;
		}
		if (options && strcmp(arg, "--") == 0) {
			options = 0;
			continue;
		}
		options = 0;
		if (!external && strncmp(arg, "-o", 2) == 0)
			return sp_mc_fail(e, "-o", "move every -o before the other arguments",
					  "service \"%.60s\": -o after the argument \"%.40s\" (postconf "
					  "ignores it while the daemon may apply it)", svc->name,
					  w->v[i - 1]);
		if (sp_unbrace(arg))
			return sp_mc_fail(e, "command", "put nothing after the closing '}'",
					  "service \"%.60s\": text after '}' in \"%.60s\"", svc->name, arg);
		sp_service_push(svc, arg);
	}
	return 0;
}

static void sp_service_free(struct sp_service *s)
{
	free(s->name);
	free(s->type);
	free(s->wakeup);
	free(s->maxproc);
	free(s->command);
	for (size_t i = 0; i < s->nargs; i++)
		free(s->args[i]);
	free(s->args);
	sp_assigns_free(&s->overrides);
}

/* Parses one logical line into svc; returns 0, or -1 with e filled in. */
static int sp_parse_service(const char *line, struct sp_service *svc, struct sp_mc_err *e)
{
	struct sp_words w = {0};
	const char *err;
	int rc = -1;

	if ((err = sp_split_words(line, &w)) != NULL)
		sp_mc_fail(e, NULL, "balance the braces", "%s in \"%.60s\"", err, line);
	else if (w.n < SP_MASTER_FIELDS)
		sp_mc_fail(e, NULL, "a service line has at least 8 fields: service type private "
			   "unpriv chroot wakeup maxproc command", "only %zu field(s) in \"%.60s\"",
			   w.n, line);
	else if (sp_check_fields(&w, svc, e) == 0) {
		svc->name = sp_xstrdup(w.v[0]);
		svc->type = sp_xstrdup(w.v[1]);
		svc->wakeup = sp_xstrdup(w.v[5]);
		svc->maxproc = sp_xstrdup(w.v[6]);
		svc->command = sp_xstrdup(w.v[7]);
		rc = sp_service_args(&w, svc, e);
	}
	sp_words_free(&w);
	return rc;
}

/* Postfix's master uses the last of two entries with the same name and type. */
static void sp_warn_duplicate(const struct sp_services *s, const struct sp_service *svc,
			      struct sp_diags *d)
{
	for (size_t i = 0; i < s->n; i++) {
		if (strcmp(s->v[i].name, svc->name) == 0 && strcmp(s->v[i].type, svc->type) == 0)
			sp_diag_add(d, SP_WARNING, svc->file, svc->line, NULL,
				    "remove one of them", "duplicate service \"%s/%s\" (also at "
				    "line %d); the last one is used", svc->name, svc->type,
				    s->v[i].line);
	}
}

size_t sp_mastercf_parse(const char *data, size_t len, const char *file,
			 struct sp_services *out, struct sp_diags *d)
{
	struct sp_lline_reader r;
	struct sp_buf line;
	size_t errors = d->errors;
	int first, last, rc;
	const char *err;
	struct sp_mc_err e;

	sp_lline_init(&r, data, len);
	sp_buf_init(&line, SP_LLINE_MAX);
	while ((rc = sp_lline_next(&r, &line, &first, &last, &err)) != 0) {
		struct sp_service svc = {0};

		if (rc < 0) {
			sp_diag_add(d, SP_ERROR, file, first, NULL, NULL, "%s", err);
			continue;
		}
		svc.file = file;
		svc.line = first;
		if (sp_parse_service(line.data, &svc, &e) < 0) {
			sp_diag_add(d, SP_ERROR, file, first, e.field, e.fix, "%s", e.what);
			sp_service_free(&svc);
			continue;
		}
		sp_warn_duplicate(out, &svc, d);
		out->v = sp_xgrow(out->v, &out->cap, out->n + 1, sizeof(*out->v));
		out->v[out->n++] = svc;
	}
	sp_buf_free(&line);
	return d->errors - errors;
}

const struct sp_service *sp_services_find(const struct sp_services *s, const char *key)
{
	const struct sp_service *hit = NULL;
	const char *slash = strchr(key, '/');
	size_t nlen = slash ? (size_t)(slash - key) : strlen(key);

	for (size_t i = 0; i < s->n; i++) {
		const struct sp_service *v = &s->v[i];
		if (strlen(v->name) != nlen || memcmp(v->name, key, nlen) != 0)
			continue;
		if (slash && strcmp(v->type, slash + 1) != 0)
			continue;
		if (hit && !slash)
			return NULL;
		hit = v;  /* with NAME/TYPE, the last entry wins, as in Postfix */
	}
	return hit;
}

void sp_services_free(struct sp_services *s)
{
	for (size_t i = 0; i < s->n; i++)
		sp_service_free(&s->v[i]);
	free(s->v);
	memset(s, 0, sizeof(*s));
}
