/*
 * view.c - building an effective parameter view: defaults, then main.cf,
 * then a service's -o overrides (the last assignment of a name wins), and
 * every value expanded once, with type checks for the values a user set.
 */
#include "config.h"
#include "expand.h"
#include "internal.h"
#include "value.h"
#include "../util/mem.h"

#include <stdlib.h>
#include <string.h>

struct sp_entry {
	struct sp_param p;
	int prio;      /* 0 default, 1 main.cf, 2 service */
	size_t seq;    /* file order within a priority */
};

static int sp_entry_cmp(const void *a, const void *b)
{
	const struct sp_entry *x = a, *y = b;
	int c = strcmp(x->p.name, y->p.name);

	if (c)
		return c;
	if (x->prio != y->prio)
		return x->prio - y->prio;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

static void sp_add_assigns(struct sp_entry *e, size_t *n, const struct sp_assigns *a,
			   int prio, enum sp_src src)
{
	for (size_t i = 0; i < a->n; i++) {
		struct sp_entry *x = &e[(*n)++];
		memset(x, 0, sizeof(*x));
		x->p.name = a->v[i].name;
		x->p.def = sp_registry_find(a->v[i].name);
		x->p.raw = a->v[i].value;
		x->p.src = src;
		x->p.file = a->v[i].file;
		x->p.line = a->v[i].line;
		x->prio = prio;
		x->seq = i;
	}
}

/* Collects the raw entries; afterwards v holds one entry per name. */
static void sp_view_collect(const struct sp_config *c, const struct sp_assigns *main,
			    const struct sp_assigns *over, struct sp_view *v)
{
	size_t nreg, n = 0, k = 0;
	const struct sp_param_def *reg = sp_registry(&nreg);
	size_t total = nreg + (main ? main->n : 0) + (over ? over->n : 0);
	struct sp_entry *e = sp_xcalloc(total, sizeof(*e));

	for (size_t i = 0; i < nreg; i++) {
		e[n].p.name = reg[i].name;
		e[n].p.def = &reg[i];
		e[n].p.raw = sp_config_default(c, &reg[i], main != NULL);
		e[n].p.src = SP_SRC_DEFAULT;
		n++;
	}
	if (main)
		sp_add_assigns(e, &n, main, 1, SP_SRC_MAIN);
	if (over)
		sp_add_assigns(e, &n, over, 2, SP_SRC_SERVICE);
	qsort(e, n, sizeof(*e), sp_entry_cmp);
	v->v = sp_xcalloc(n, sizeof(*v->v));
	for (size_t i = 0; i < n; i++) {
		if (i + 1 < n && strcmp(e[i].p.name, e[i + 1].p.name) == 0)
			continue;  /* a later assignment wins */
		v->v[k++] = e[i].p;
	}
	v->n = k;
	free(e);
}

static int sp_param_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct sp_param *)elem)->name);
}

const struct sp_param *sp_view_find(const struct sp_view *v, const char *name)
{
	return bsearch(name, v->v, v->n, sizeof(*v->v), sp_param_cmp);
}

const char *sp_view_get(const struct sp_view *v, const char *name)
{
	const struct sp_param *p = sp_view_find(v, name);

	return p ? p->value : NULL;
}

#define SP_UNDEF_REPORTS 8

struct sp_exp_ctx {
	const struct sp_view *view;
	const struct sp_param *cur;   /* the parameter being expanded */
	struct sp_diags *d;           /* NULL: do not report */
	char *undef[SP_UNDEF_REPORTS]; /* names already reported for cur */
	size_t nundef;
};

static const char *sp_lookup(void *vctx, const char *name, int *raw)
{
	struct sp_exp_ctx *x = vctx;
	const struct sp_param *p = sp_view_find(x->view, name);
	const struct sp_postfix_param *pf;

	*raw = 0;  /* a raw parameter keeps its own $names; a reference to it expands */
	if (p)
		return p->raw;
	if ((pf = sp_postfix_find(name)) != NULL)
		return pf->def;
	return NULL;
}

static void sp_undefined(void *vctx, const char *name)
{
	struct sp_exp_ctx *x = vctx;

	if (x->d == NULL || x->cur->src == SP_SRC_DEFAULT)
		return;
	for (size_t i = 0; i < x->nundef; i++) {
		if (strcmp(x->undef[i], name) == 0)
			return;  /* once per name and parameter */
	}
	if (x->nundef == SP_UNDEF_REPORTS)
		return;
	x->undef[x->nundef++] = sp_xstrdup(name);
	sp_diag_add(x->d, SP_WARNING, x->cur->file, x->cur->line, x->cur->name,
			    "define it, or remove the reference",
			    "refers to $%s, which is not defined (it expands to nothing)", name);
}

/* Expands one parameter of the view in place. */
static int sp_view_expand_one(struct sp_view *v, unsigned long *budget, struct sp_param *p,
			      struct sp_diags *d)
{
	struct sp_exp_ctx x = {v, p, d, {0}, 0};
	struct sp_expand_ops ops = {sp_lookup, sp_undefined, &x, budget};
	struct sp_buf out;
	char err[512];
	int rc = 0;

	free(p->value);
	p->value = NULL;
	p->bad = 0;
	if (p->def && (p->def->flags & SP_F_RAW)) {
		p->value = sp_xstrdup(p->raw);
		return 0;
	}
	if (*budget == 0) {
		/* The budget ran out on an earlier parameter, which reported it. */
		p->value = sp_xstrdup("");
		p->bad = 1;
		return -1;
	}
	sp_buf_init(&out, SP_EXPAND_MAX);
	if (sp_expand(p->raw, &ops, &out, err, sizeof(err)) < 0) {
		if (d)
			sp_diag_add(d, SP_ERROR, p->file, p->line, p->name,
				    p->src == SP_SRC_DEFAULT ? "set it explicitly"
							     : "fix the $name reference",
				    "%s%s", p->src == SP_SRC_DEFAULT ? "in its default value: " : "",
				    err);
		sp_buf_free(&out);
		p->value = sp_xstrdup("");
		p->bad = 1;
		rc = -1;
	} else {
		p->value = sp_buf_take(&out);
	}
	for (size_t i = 0; i < x.nundef; i++)
		free(x.undef[i]);
	return rc;
}

/* Postfix's mydomain default: what follows the first dot of myhostname. */
static void sp_view_fix_mydomain(struct sp_view *v)
{
	const struct sp_param *h = sp_view_find(v, "myhostname");
	struct sp_param *m = (struct sp_param *)sp_view_find(v, "mydomain");
	const char *dot;

	if (!h || !m || m->src != SP_SRC_DEFAULT || !h->value)
		return;
	dot = strchr(h->value, '.');
	free(v->mydomain_def);
	v->mydomain_def = sp_xstrdup(dot && dot[1] ? dot + 1 : "localdomain");
	m->raw = v->mydomain_def;
}

static void sp_view_check_one(const struct sp_param *p, struct sp_diags *d)
{
	char why[256], fix[256];

	if (!p->def || p->src == SP_SRC_DEFAULT)
		return;
	if (sp_value_check(p->def, p->value, why, sizeof(why), fix, sizeof(fix)) < 0)
		sp_diag_add(d, SP_ERROR, p->file, p->line, p->name, fix, "%s", why);
}

/* In a service view, a parameter the service does not set may still change
 * through its overrides ($name references); such a value is checked too
 * and reported at the service's line. */
static void sp_view_check_derived(const struct sp_config *c, const struct sp_service *svc,
				  struct sp_view *v, unsigned long *budget, struct sp_param *p,
				  struct sp_diags *d)
{
	const struct sp_param *g = sp_view_find(&c->global, p->name);
	char why[256], fix[256];

	if (sp_view_expand_one(v, budget, p, NULL) < 0) {
		if (*budget > 0 && g && !g->bad && sp_view_expand_one(v, budget, p, d) < 0)
			sp_diag_add(d, SP_ERROR, svc->file, svc->line, p->name, NULL,
				    "cannot be expanded in service \"%s\" (see the error above): "
				    "its -o overrides break it", svc->name);
		return;
	}
	if (!p->def || (g && strcmp(g->value, p->value) == 0))
		return;
	if (sp_value_check(p->def, p->value, why, sizeof(why), fix, sizeof(fix)) < 0)
		sp_diag_add(d, SP_ERROR, svc->file, svc->line, p->name, fix,
			    "%s (its value in service \"%s\", through that service's -o overrides)",
			    why, svc->name);
}

int sp_view_build(const struct sp_config *c, const struct sp_assigns *main,
		  const struct sp_assigns *over, const struct sp_service *svc,
		  unsigned long *budget, struct sp_view *v, struct sp_diags *d)
{
	struct sp_param *h;
	size_t errors = d->errors;

	memset(v, 0, sizeof(*v));
	v->service = svc;
	v->postfix = c->postfix;
	sp_view_collect(c, main, over, v);
	/* myhostname first: the mydomain default derives from it. */
	if ((h = (struct sp_param *)sp_view_find(v, "myhostname")) != NULL) {
		sp_view_expand_one(v, budget, h, NULL);
		sp_view_fix_mydomain(v);
	}
	for (size_t i = 0; i < v->n; i++) {
		struct sp_param *p = &v->v[i];
		if (svc && p->src != SP_SRC_SERVICE)
			sp_view_check_derived(c, svc, v, budget, p, d);
		else if (sp_view_expand_one(v, budget, p, d) == 0)
			sp_view_check_one(p, d);
	}
	return d->errors > errors ? -1 : 0;
}

void sp_view_free(struct sp_view *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->v[i].value);
	free(v->v);
	free(v->mydomain_def);
	memset(v, 0, sizeof(*v));
}
