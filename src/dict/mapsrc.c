/*
 * mapsrc.c - table source lines into key/value entries (see mapsrc.h).
 */
#include "mapsrc.h"
#include "../config/lline.h"
#include "../util/chars.h"
#include "../util/mem.h"
#include "../util/utf8.h"

#include <stdlib.h>
#include <string.h>

/* Splits a logical line in place; returns NULL or the warning text. */
static const char *sp_mapsrc_split(char *line, char **key, char **value)
{
	int quoted = 0;
	char *p, *end;

	for (p = line; *p; p++) {
		if (*p == '\\') {
			if (*++p == 0)
				break;
		} else if (sp_isspace(*p)) {
			if (!quoted)
				break;
		} else if (*p == '"') {
			quoted = !quoted;
		}
	}
	if (quoted)
		return "unbalanced '\"' in key";
	if (*p)
		*p++ = 0;
	while (*p && sp_isspace(*p))
		p++;
	end = p + strlen(p);
	while (end > p && sp_isspace(end[-1]))
		end--;
	*end = 0;
	if (*line == 0 || *p == 0)
		return "expected format: key whitespace value";
	*key = line;
	*value = p;
	return NULL;
}

size_t sp_mapsrc_parse(const char *data, size_t len, const char *file,
		       struct sp_mapsrc *out, struct sp_diags *d)
{
	struct sp_lline_reader r;
	struct sp_buf line;
	size_t errors = d->errors;
	int first, last, rc;
	const char *err;

	sp_lline_init(&r, data, len);
	sp_buf_init(&line, SP_LLINE_MAX);
	while ((rc = sp_lline_next(&r, &line, &first, &last, &err)) != 0) {
		char *key, *value;
		const char *why;
		struct sp_mapsrc_entry *e;

		if (rc < 0) {
			sp_diag_add(d, SP_ERROR, file, first, NULL, NULL, "%s", err);
			continue;
		}
		if (!sp_utf8_valid(line.data, line.len)) {
			sp_diag_add(d, SP_WARNING, file, first, NULL,
				    "the line is skipped, as postmap skips it", "non-UTF-8 input");
			continue;
		}
		if ((why = sp_mapsrc_split(line.data, &key, &value)) != NULL) {
			sp_diag_add(d, SP_WARNING, file, first, NULL, "the line is skipped", "%s", why);
			continue;
		}
		if (key[strlen(key) - 1] == ':')
			sp_diag_add(d, SP_WARNING, file, first, NULL, NULL,
				    "record is in \"key: value\" format; is this an alias file?");
		out->v = sp_xgrow(out->v, &out->cap, out->n + 1, sizeof(*out->v));
		e = &out->v[out->n++];
		e->key = sp_xstrdup(key);
		e->value = sp_xstrdup(value);
		e->line = first;
	}
	sp_buf_free(&line);
	return d->errors - errors;
}

void sp_mapsrc_free(struct sp_mapsrc *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].key);
		free(m->v[i].value);
	}
	free(m->v);
	memset(m, 0, sizeof(*m));
}
