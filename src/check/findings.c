/*
 * findings.c - the auditor's list of findings, and how it is printed: text
 * grouped by severity (errors first), or JSON for scripts (see check.h).
 */
#include "check.h"
#include "../util/mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *sp_dup(const char *s)
{
	return s ? sp_xstrdup(s) : NULL;
}

static int sp_same(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

/* The same finding already listed (e.g. a main.cf setting every service
 * inherits). */
static int sp_finding_seen(const struct sp_findings *f, const char *id, const char *file,
			   int line, const char *param, const char *service, const char *what)
{
	for (size_t i = 0; i < f->n; i++) {
		const struct sp_finding *x = &f->v[i];
		if (strcmp(x->id, id) == 0 && x->line == line && sp_same(x->file, file) &&
		    sp_same(x->param, param) && sp_same(x->service, service) &&
		    strcmp(x->what, what) == 0)
			return 1;
	}
	return 0;
}

void sp_finding_add(struct sp_findings *f, const char *id, enum sp_fsev sev, const char *file,
		    int line, const char *param, const char *service, const char *means,
		    const char *fix, const char *fmt, ...)
{
	struct sp_finding *x;
	char what[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	f->skipped = sp_finding_seen(f, id, file, line, param, service, what);
	if (f->skipped)
		return;
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 16;
		f->v = sp_xrealloc(f->v, f->cap * sizeof(*f->v));
	}
	x = &f->v[f->n++];
	memset(x, 0, sizeof(*x));
	x->id = sp_xstrdup(id);
	x->sev = sev;
	x->file = sp_dup(file);
	x->line = line;
	x->param = sp_dup(param);
	x->service = sp_dup(service);
	x->what = sp_xstrdup(what);
	x->means = sp_dup(means);
	x->fix = sp_dup(fix);
	f->count[sev]++;
}

void sp_finding_proof(struct sp_findings *f, const char *proof)
{
	if (f->n == 0 || f->skipped)
		return;
	free(f->v[f->n - 1].proof);
	f->v[f->n - 1].proof = sp_dup(proof);
}

void sp_findings_free(struct sp_findings *f)
{
	for (size_t i = 0; i < f->n; i++) {
		struct sp_finding *x = &f->v[i];
		free(x->id);
		free(x->file);
		free(x->param);
		free(x->service);
		free(x->what);
		free(x->means);
		free(x->fix);
		free(x->proof);
	}
	free(f->v);
	memset(f, 0, sizeof(*f));
}

void sp_findings_allow(struct sp_findings *f, const char *id, const char *why)
{
	for (size_t i = 0; i < f->n; i++) {
		struct sp_finding *x = &f->v[i];
		char *what;
		size_t len;
		if (strcmp(x->id, id) != 0 || x->sev != SP_FS_ERROR)
			continue;
		len = strlen(x->what) + strlen(why) + 4;
		what = sp_xmalloc(len);
		snprintf(what, len, "%s (%s)", x->what, why);
		free(x->what);
		x->what = what;
		x->sev = SP_FS_WARNING;
		f->count[SP_FS_ERROR]--;
		f->count[SP_FS_WARNING]++;
	}
}

int sp_findings_status(const struct sp_findings *f)
{
	return f->count[SP_FS_ERROR] ? 2 : f->count[SP_FS_WARNING] ? 1 : 0;
}

static const char *const sp_sev_name[] = {"note", "warning", "error"};

static void sp_print_one(const struct sp_finding *x, FILE *fp, int colour)
{
	static const char *const col[] = {"\033[36m", "\033[33m", "\033[1;31m"};

	fprintf(fp, "%s%s%s [%s]", colour ? col[x->sev] : "", sp_sev_name[x->sev],
		colour ? "\033[0m" : "", x->id);
	if (x->file)
		fprintf(fp, " %s%s%.0d", x->file, x->line ? ", line " : "", x->line);
	if (x->service)
		fprintf(fp, " (service %s)", x->service);
	fprintf(fp, "\n  %s%s%s\n", x->param ? x->param : "", x->param ? ": " : "", x->what);
	if (x->means)
		fprintf(fp, "  What it means: %s\n", x->means);
	if (x->proof) {
		fputs("  The transaction that does it:\n", fp);
		for (const char *p = x->proof; *p;) {
			const char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);
			fprintf(fp, "    %.*s\n", (int)n, p);
			p += n + (nl != NULL);
		}
	}
	if (x->fix)
		fprintf(fp, "  Fix: %s\n", x->fix);
}

void sp_findings_print_text(const struct sp_findings *f, FILE *fp, int colour)
{
	for (int sev = SP_FS_ERROR; sev >= SP_FS_INFO; sev--)
		for (size_t i = 0; i < f->n; i++)
			if ((int)f->v[i].sev == sev) {
				sp_print_one(&f->v[i], fp, colour);
				fputc('\n', fp);
			}
	fprintf(fp, "%zu error%s, %zu warning%s, %zu note%s\n", f->count[SP_FS_ERROR],
		f->count[SP_FS_ERROR] == 1 ? "" : "s", f->count[SP_FS_WARNING],
		f->count[SP_FS_WARNING] == 1 ? "" : "s", f->count[SP_FS_INFO],
		f->count[SP_FS_INFO] == 1 ? "" : "s");
}

static void sp_json_str(FILE *fp, const char *s)
{
	if (s == NULL) {
		fputs("null", fp);
		return;
	}
	fputc('"', fp);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(fp, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", fp);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(fp, "\\u%04x", *p);
		else
			fputc(*p, fp);
	}
	fputc('"', fp);
}

void sp_findings_print_json(const struct sp_findings *f, FILE *fp)
{
	fputs("{\"findings\": [", fp);
	for (size_t i = 0; i < f->n; i++) {
		const struct sp_finding *x = &f->v[i];
		fputs(i ? ",\n  {" : "\n  {", fp);
		fputs("\"id\": ", fp);
		sp_json_str(fp, x->id);
		fprintf(fp, ", \"severity\": \"%s\", \"file\": ", sp_sev_name[x->sev]);
		sp_json_str(fp, x->file);
		fprintf(fp, ", \"line\": %d, \"parameter\": ", x->line);
		sp_json_str(fp, x->param);
		fputs(", \"service\": ", fp);
		sp_json_str(fp, x->service);
		fputs(", \"what\": ", fp);
		sp_json_str(fp, x->what);
		fputs(", \"means\": ", fp);
		sp_json_str(fp, x->means);
		fputs(", \"fix\": ", fp);
		sp_json_str(fp, x->fix);
		fputs(", \"transaction\": ", fp);
		sp_json_str(fp, x->proof);
		fputc('}', fp);
	}
	fprintf(fp, "%s], \"errors\": %zu, \"warnings\": %zu, \"notes\": %zu}\n", f->n ? "\n" : "",
		f->count[SP_FS_ERROR], f->count[SP_FS_WARNING], f->count[SP_FS_INFO]);
}
