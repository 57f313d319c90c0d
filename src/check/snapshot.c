/*
 * snapshot.c - the security summary of a running configuration, and the
 * difference a reload makes (see check.h): the findings, one per line,
 * and each service's mynetworks; a reload compares the new summary with
 * the running one and says what changed ("this change makes 10.0.0.0/8
 * trusted for relaying", "new finding: ...", "no longer: ...").
 */
#include "check.h"
#include "../master/svc.h"
#include "../util/buf.h"
#include "../util/mem.h"

#include <stdlib.h>
#include <string.h>

#define SP_SNAP_MAX (1u << 20)

static void sp_snap_clean(struct sp_buf *b, const char *s)
{
	for (; s && *s; s++)
		sp_buf_addc(b, (*s == '\t' || *s == '\n') ? ' ' : *s);
}

char *sp_check_snapshot(const struct sp_svcs *s, const struct sp_findings *f)
{
	struct sp_buf b;

	sp_buf_init(&b, SP_SNAP_MAX);
	for (size_t i = 0; i < s->n; i++) {
		sp_buf_adds(&b, "N\t");
		sp_snap_clean(&b, s->v[i]->ms->name);
		sp_buf_addc(&b, '\t');
		sp_snap_clean(&b, sp_view_get(&s->v[i]->view, "mynetworks"));
		sp_buf_addc(&b, '\n');
	}
	for (size_t i = 0; i < f->n; i++) {
		const struct sp_finding *x = &f->v[i];
		sp_buf_adds(&b, x->sev == SP_FS_ERROR ? "F\terror\t" : x->sev == SP_FS_WARNING
			    ? "F\twarning\t" : "F\tnote\t");
		sp_snap_clean(&b, x->id);
		sp_buf_addc(&b, '\t');
		sp_snap_clean(&b, x->service ? x->service : "-");
		sp_buf_addc(&b, '\t');
		sp_snap_clean(&b, x->what);
		sp_buf_addc(&b, '\n');
	}
	return b.data ? sp_buf_take(&b) : sp_xstrdup("");
}

/* 1 when text has the line l[0..n) (without its newline). */
static int sp_has_line(const char *text, const char *l, size_t n)
{
	for (const char *p = text; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t k = nl ? (size_t)(nl - p) : strlen(p);
		if (k == n && memcmp(p, l, n) == 0)
			return 1;
		p = nl ? nl + 1 : NULL;
	}
	return 0;
}

/* The mynetworks of service svc in a summary, or NULL. */
static const char *sp_snap_mynetworks(const char *text, const char *svc, size_t svclen,
				      size_t *len)
{
	for (const char *p = text; p && *p;) {
		const char *nl = strchr(p, '\n'), *end = nl ? nl : p + strlen(p);
		if (strncmp(p, "N\t", 2) == 0 && (size_t)(end - p) > svclen + 2 &&
		    memcmp(p + 2, svc, svclen) == 0 && p[2 + svclen] == '\t') {
			*len = (size_t)(end - (p + 3 + svclen));
			return p + 3 + svclen;
		}
		p = nl ? nl + 1 : NULL;
	}
	return NULL;
}

/* The next element of the list a[0..alen) from *i: its start, and its
 * length in *k (0 at the end). */
static const char *sp_next_elem(const char *a, size_t alen, size_t *i, size_t *k)
{
	while (*i < alen && (a[*i] == ' ' || a[*i] == ','))
		(*i)++;
	for (*k = 0; *i + *k < alen && a[*i + *k] != ' ' && a[*i + *k] != ','; (*k)++)
		;
	*i += *k;
	return a + *i - *k;
}

/* 1 when the list a[0..alen) has the element e[0..n). */
static int sp_has_elem(const char *a, size_t alen, const char *e, size_t n)
{
	size_t i = 0, k;

	for (const char *x = sp_next_elem(a, alen, &i, &k); k; x = sp_next_elem(a, alen, &i, &k))
		if (k == n && memcmp(x, e, n) == 0)
			return 1;
	return 0;
}

static void sp_diff_mynetworks(const char *svc, size_t svclen, const char *now, size_t nlen,
			       const char *was, size_t wlen, void (*emit)(void *, const char *),
			       void *ctx)
{
	char line[1200];

	for (int pass = 0; pass < 2; pass++) {
		const char *a = pass ? was : now, *b = pass ? now : was;
		size_t alen = pass ? wlen : nlen, blen = pass ? nlen : wlen;
		size_t i = 0, k;
		for (const char *x = sp_next_elem(a, alen, &i, &k); k;
		     x = sp_next_elem(a, alen, &i, &k)) {
			if (sp_has_elem(b, blen, x, k))
				continue;
			snprintf(line, sizeof(line), "this change makes %.*s %s for relaying "
				 "(mynetworks of service %.*s)", (int)k, x,
				 pass ? "no longer trusted" : "trusted", (int)svclen, svc);
			emit(ctx, line);
		}
	}
}

void sp_check_diff(const char *was, const char *now, void (*emit)(void *ctx, const char *line),
		   void *ctx)
{
	char line[2400];

	for (int pass = 0; pass < 2; pass++) {
		const char *a = pass ? was : now, *b = pass ? now : was;
		for (const char *p = a; p && *p;) {
			const char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);
			const char *sev = p + 2, *id = memchr(sev, '\t', n - (n >= 2 ? 2 : n));
			const char *svc = id ? memchr(id + 1, '\t', n - (size_t)(id + 1 - p)) : NULL;
			const char *what = svc ? memchr(svc + 1, '\t', n - (size_t)(svc + 1 - p)) : NULL;
			if (n > 2 && strncmp(p, "F\t", 2) == 0 && what && !sp_has_line(b, p, n)) {
				id++;
				svc++;
				what++;
				snprintf(line, sizeof(line), "%s %.*s [%.*s]%s%.*s: %.*s",
					 pass ? "gone:" : "new:", (int)(id - sev - 1), sev,
					 (int)(svc - id - 1), id, svc[0] == '-' ? "" : " service ",
					 svc[0] == '-' ? 0 : (int)(what - svc - 1), svc,
					 (int)(n - (size_t)(what - p)), what);
				emit(ctx, line);
			} else if (pass == 0 && n > 2 && strncmp(p, "N\t", 2) == 0) {
				const char *nsvc = p + 2, *tab = memchr(nsvc, '\t', n - 2), *old = NULL;
				size_t svclen = tab ? (size_t)(tab - nsvc) : 0, olen = 0;
				if (tab && (old = sp_snap_mynetworks(was, nsvc, svclen, &olen)) != NULL)
					sp_diff_mynetworks(nsvc, svclen, tab + 1,
							   n - (size_t)(tab + 1 - p), old, olen,
							   emit, ctx);
			}
			p = nl ? nl + 1 : NULL;
		}
	}
}
