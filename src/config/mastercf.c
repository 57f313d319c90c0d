/*
 * mastercf.c - master.cf services from logical lines: field splitting with
 * {} grouping, per-field checks, and -o overrides.
 */
#include "mastercf.h"
#include "lline.h"
#include "../util/mem.h"

#include <stdlib.h>
#include <string.h>

#define SP_MASTER_FIELDS 8
#define SP_MASTER_MAX_ARGS 1024

struct sp_words {
	char **v;
	size_t n, cap;
};

static int sp_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

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

		while (*s && sp_blank(*s))
			s++;
		if (*s == 0)
			break;
		start = s;
		for (; *s && (level > 0 || !sp_blank(*s)); s++) {
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
	while (b < e && sp_blank(*b))
		b++;
	while (e > b && sp_blank(e[-1]))
		e--;
	memmove(arg, b, (size_t)(e - b));
	arg[e - b] = 0;
	return NULL;
}

static const char *sp_check_flag(const char *f, char *out)
{
	if (strlen(f) != 1 || strchr("yn-", f[0]) == NULL)
		return "must be y, n or -";
	*out = f[0];
	return NULL;
}

static const char *sp_check_fields(struct sp_words *w, struct sp_service *svc, const char **field)
{
	static const char *const types[] = {"inet", "unix", "unix-dgram", "fifo", "pass"};
	const char *err;
	size_t i, len;

	*field = "type";
	for (i = 0; i < 5 && strcmp(types[i], w->v[1]) != 0; i++)
		;
	if (i == 5)
		return "must be inet, unix, unix-dgram, fifo or pass";
	*field = "private";
	if ((err = sp_check_flag(w->v[2], &svc->priv)))
		return err;
	*field = "unpriv";
	if ((err = sp_check_flag(w->v[3], &svc->unpriv)))
		return err;
	*field = "chroot";
	if ((err = sp_check_flag(w->v[4], &svc->chroot)))
		return err;
	*field = "wakeup";
	len = strlen(w->v[5]);
	if (len > 0 && w->v[5][len - 1] == '?')
		len--;
	if (!(len == 1 && w->v[5][0] == '-') &&
	    (len == 0 || strspn(w->v[5], "0123456789") != len))
		return "must be -, or a number of seconds with an optional '?'";
	*field = "maxproc";
	if (strcmp(w->v[6], "-") != 0 && w->v[6][strspn(w->v[6], "0123456789")] != 0)
		return "must be - or a number";
	return NULL;
}

/* Handles the arguments after the command: -o overrides and {} groups. */
static const char *sp_service_args(struct sp_words *w, struct sp_service *svc)
{
	int options = 1;

	for (size_t i = SP_MASTER_FIELDS; i < w->n; i++) {
		char *arg = w->v[i], *name, *value;
		const char *err;

		if (options && strcmp(arg, "-o") == 0) {
			if (++i >= w->n)
				return "-o needs name=value after it";
			arg = w->v[i];
		} else if (options && strncmp(arg, "-o", 2) == 0) {
			arg += 2;
		} else {
			if (arg[0] != '-' || strcmp(arg, "--") == 0)
				options = 0;
			if ((err = sp_unbrace(arg)))
				return err;
			svc->args = sp_xgrow(svc->args, &svc->args_cap, svc->nargs + 1,
					     sizeof(*svc->args));
			svc->args[svc->nargs++] = sp_xstrdup(arg);
			continue;
		}
		if ((err = sp_unbrace(arg)))
			return err;
		if ((err = sp_split_nameval(arg, &name, &value)))
			return "-o needs name=value";
		sp_assigns_add(&svc->overrides, name, value, svc->file, svc->line);
	}
	return NULL;
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

/* Parses one logical line into svc; returns NULL or what is wrong. */
static const char *sp_parse_service(const char *line, struct sp_service *svc,
				    const char **field)
{
	struct sp_words w = {0};
	const char *err;

	*field = NULL;
	if ((err = sp_split_words(line, &w)) == NULL && w.n < SP_MASTER_FIELDS)
		err = "bad field count (a service line has at least 8 fields: "
		      "service type private unpriv chroot wakeup maxproc command)";
	if (err == NULL)
		err = sp_check_fields(&w, svc, field);
	if (err == NULL) {
		svc->name = sp_xstrdup(w.v[0]);
		svc->type = sp_xstrdup(w.v[1]);
		svc->wakeup = sp_xstrdup(w.v[5]);
		svc->maxproc = sp_xstrdup(w.v[6]);
		svc->command = sp_xstrdup(w.v[7]);
		*field = "-o";
		err = sp_service_args(&w, svc);
	}
	sp_words_free(&w);
	return err;
}

size_t sp_mastercf_parse(const char *data, size_t len, const char *file,
			 struct sp_services *out, struct sp_diags *d)
{
	struct sp_lline_reader r;
	struct sp_buf line;
	size_t errors = d->errors;
	int first, last, rc;
	const char *err, *field;

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
		if ((err = sp_parse_service(line.data, &svc, &field)) != NULL) {
			sp_diag_add(d, SP_ERROR, file, first, field,
				    "see master(5) for the service line format", "%s", err);
			sp_service_free(&svc);
			continue;
		}
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
		if (hit)
			return NULL;
		hit = v;
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
