/*
 * maincf.c - main.cf assignments from logical lines.
 */
#include "maincf.h"
#include "lline.h"
#include "../util/chars.h"
#include "../util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *sp_split_nameval(char *line, char **name, char **value)
{
	char *np = line, *ep, *cp, *vp, *end;

	while (*np && sp_isspace(*np))
		np++;
	if (*np == 0 || *np == '=')
		return "missing parameter name before '='";
	for (ep = np; *ep && !sp_isspace(*ep) && *ep != '='; ep++)
		;
	for (cp = ep; *cp && sp_isspace(*cp); cp++)
		;
	if (*cp != '=')
		return "missing '=' after parameter name";
	*ep = 0;
	for (cp++; *cp && sp_isspace(*cp); cp++)
		;
	vp = cp;
	end = vp + strlen(vp);
	while (end > vp && sp_isspace(end[-1]))
		end--;
	*end = 0;
	for (cp = np; *cp; cp++) {
		if (!sp_isnamechar(*cp))
			return "parameter name may contain only letters, digits and '_'";
	}
	*name = np;
	*value = vp;
	return NULL;
}

size_t sp_maincf_parse(const char *data, size_t len, const char *file,
		       struct sp_assigns *out, struct sp_diags *d)
{
	struct sp_lline_reader r;
	struct sp_buf line;
	size_t errors = d->errors;
	int first, last, rc;
	const char *err;

	sp_lline_init(&r, data, len);
	sp_buf_init(&line, SP_LLINE_MAX);
	while ((rc = sp_lline_next(&r, &line, &first, &last, &err)) != 0) {
		char *name, *value, shown[61];
		const char *why;

		if (rc < 0) {
			sp_diag_add(d, SP_ERROR, file, first, NULL, NULL, "%s", err);
			continue;
		}
		snprintf(shown, sizeof(shown), "%s", line.data);
		why = sp_split_nameval(line.data, &name, &value);
		if (why) {
			sp_diag_add(d, SP_ERROR, file, first, NULL,
				    "write it as \"name = value\", with a name of letters, digits and '_'",
				    "%s: \"%s%s\"", why, shown, line.len >= sizeof(shown) ? "..." : "");
			continue;
		}
		sp_assigns_add(out, name, value, file, first);
	}
	sp_buf_free(&line);
	return d->errors - errors;
}

void sp_assigns_add(struct sp_assigns *a, const char *name, const char *value,
		    const char *file, int line)
{
	struct sp_assign *s;

	a->v = sp_xgrow(a->v, &a->cap, a->n + 1, sizeof(*a->v));
	s = &a->v[a->n++];
	s->name = sp_xstrdup(name);
	s->value = sp_xstrdup(value);
	s->file = file;
	s->line = line;
}

const struct sp_assign *sp_assigns_find(const struct sp_assigns *a, const char *name)
{
	for (size_t i = a->n; i > 0; i--) {
		if (strcmp(a->v[i - 1].name, name) == 0)
			return &a->v[i - 1];
	}
	return NULL;
}

void sp_assigns_free(struct sp_assigns *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->v[i].name);
		free(a->v[i].value);
	}
	free(a->v);
	memset(a, 0, sizeof(*a));
}
