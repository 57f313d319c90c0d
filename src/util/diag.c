/*
 * diag.c - the diagnostics list and its one printed format.
 */
#include "diag.h"
#include "mem.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void sp_diag_add(struct sp_diags *d, enum sp_sev sev, const char *file, int line,
		 const char *param, const char *fix, const char *fmt, ...)
{
	struct sp_diag *g;
	va_list ap;
	char tmp[1024];

	d->v = sp_xgrow(d->v, &d->cap, d->n + 1, sizeof(*d->v));
	g = &d->v[d->n++];
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	g->sev = sev;
	g->file = file ? sp_xstrdup(file) : NULL;
	g->line = line;
	g->param = param ? sp_xstrdup(param) : NULL;
	g->what = sp_xstrdup(tmp);
	g->fix = fix ? sp_xstrdup(fix) : NULL;
	g->unsupported = 0;
	if (sev == SP_ERROR)
		d->errors++;
}

void sp_diag_unsupported(struct sp_diags *d)
{
	if (d && d->n > 0)
		d->v[d->n - 1].unsupported = 1;
}

static void sp_diag_print(const struct sp_diag *g, FILE *fp)
{
	fprintf(fp, "sallyport: %s: ", g->sev == SP_ERROR ? "error" : "warning");
	if (g->file && g->line > 0)
		fprintf(fp, "%s, line %d: ", g->file, g->line);
	else if (g->file)
		fprintf(fp, "%s: ", g->file);
	if (g->param)
		fprintf(fp, "%s: ", g->param);
	fputs(g->what, fp);
	if (g->fix)
		fprintf(fp, "; %s", g->fix);
	fputc('\n', fp);
}

const char *sp_diag_excerpt(const char *s, size_t n, size_t max, char *out, size_t outlen)
{
	size_t k = n > max ? max : n, j = 0;

	for (size_t i = 0; i < k && j + 4 < outlen; i++) {
		unsigned char c = (unsigned char)s[i];
		out[j++] = c < 0x20 || c >= 0x7f ? '?' : (char)c;
	}
	if (k < n && j + 4 < outlen) {
		memcpy(out + j, "...", 3);
		j += 3;
	}
	out[j] = 0;
	return out;
}

static int sp_streq(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* The same finding twice (the same setting read for two services). */
static int sp_diag_same(const struct sp_diag *a, const struct sp_diag *b)
{
	return a->sev == b->sev && a->line == b->line && sp_streq(a->file, b->file) &&
	       sp_streq(a->param, b->param) && sp_streq(a->what, b->what);
}

void sp_diags_print(const struct sp_diags *d, FILE *fp)
{
	for (size_t i = 0; i < d->n; i++) {
		size_t j = 0;
		while (j < i && !sp_diag_same(&d->v[j], &d->v[i]))
			j++;
		if (j == i)   /* each finding once */
			sp_diag_print(&d->v[i], fp);
	}
}

size_t sp_diags_count(const struct sp_diags *d, enum sp_sev sev, const char *needle)
{
	size_t n = 0;

	for (size_t i = 0; i < d->n; i++) {
		const struct sp_diag *g = &d->v[i];
		if (g->sev != sev)
			continue;
		if (needle == NULL || strstr(g->what, needle) ||
		    (g->fix && strstr(g->fix, needle)) ||
		    (g->param && strcmp(g->param, needle) == 0))
			n++;
	}
	return n;
}

void sp_diags_free(struct sp_diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].param);
		free(d->v[i].what);
		free(d->v[i].fix);
	}
	free(d->v);
	memset(d, 0, sizeof(*d));
}
