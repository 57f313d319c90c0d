/*
 * config.c - loading a configuration directory: reading main.cf and
 * master.cf, computing machine-dependent defaults, classifying every name
 * that is set (ours, Postfix's but not implemented, user-defined, unknown),
 * and building the main.cf view.
 */
#include "config.h"
#include "expand.h"
#include "internal.h"
#include "value.h"
#include "../util/file.h"
#include "../util/mem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SP_CONF_FILE_MAX (64u << 20)


static const char *sp_refs_lookup(void *ctx, const char *name, int *raw)
{
	struct sp_refs *r = ctx;

	*raw = 0;
	r->v = sp_xgrow(r->v, &r->cap, r->n + 1, sizeof(*r->v));
	r->v[r->n++] = sp_xstrdup(name);
	return NULL;
}

static int sp_str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorts the collected names and drops repeats, for sp_refs_has. */
static void sp_refs_finish(struct sp_refs *r)
{
	size_t k = 0;

	if (r->n == 0)
		return;
	qsort(r->v, r->n, sizeof(*r->v), sp_str_cmp);
	for (size_t i = 1; i < r->n; i++) {
		if (strcmp(r->v[i], r->v[k]) == 0)
			free(r->v[i]);
		else
			r->v[++k] = r->v[i];
	}
	r->n = k + 1;
}

int sp_refs_has(const struct sp_refs *r, const char *name)
{
	return r->n > 0 && bsearch(&name, r->v, r->n, sizeof(*r->v), sp_str_cmp) != NULL;
}

static void sp_refs_scan(struct sp_refs *r, const struct sp_assigns *a)
{
	struct sp_expand_ops ops = {sp_refs_lookup, NULL, r, NULL};
	char err[256];

	for (size_t i = 0; i < a->n; i++)
		(void)sp_expand_scan(a->v[i].value, &ops, err, sizeof(err));
}

static int sp_refs_add_elem(void *ctx, const char *elem, size_t len)
{
	struct sp_refs *r = ctx;
	char *name = sp_xstrndup(elem, len);
	int raw;

	(void)sp_refs_lookup(r, name, &raw);
	free(name);
	return 0;
}

/* Postfix also counts as used the names listed in smtpd_restriction_classes. */
static void sp_refs_classes(struct sp_refs *r, const struct sp_view *v)
{
	const char *classes = sp_view_get(v, "smtpd_restriction_classes");

	if (classes)
		(void)sp_value_list(classes, sp_refs_add_elem, r);
}

static void sp_refs_free(struct sp_refs *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i]);
	free(r->v);
}

const char *sp_config_default(const struct sp_config *c, const struct sp_param_def *def,
			      int main_cf)
{
	if (strcmp(def->name, "myhostname") == 0)
		return main_cf ? c->myhostname_def : c->myhostname_bare_def;
	if (strcmp(def->name, "mydomain") == 0)
		return c->mydomain_def;
	if (strcmp(def->name, "config_directory") == 0 && c->dir)
		return c->dir;
	if (c->postfix && (def->flags & SP_F_DIFFERS)) {
		const struct sp_postfix_param *pf = sp_postfix_find(def->name);
		if (pf)
			return pf->def;
	}
	return def->def;
}

/* Postfix's myhostname default: the machine name if it has a dot, else
 * the name plus "." plus main.cf's mydomain (or "localdomain"). */
static void sp_config_host_defaults(struct sp_config *c)
{
	const struct sp_assign *md = sp_assigns_find(&c->main, "mydomain");
	size_t n = strlen(c->hostname) + (md ? strlen(md->value) : 11) + 2;

	c->myhostname_bare_def = sp_xmalloc(strlen(c->hostname) + 13);
	snprintf(c->myhostname_bare_def, strlen(c->hostname) + 13, "%s%s", c->hostname,
		 strchr(c->hostname, '.') ? "" : ".localdomain");
	if (strchr(c->hostname, '.')) {
		c->myhostname_def = sp_xstrdup(c->hostname);
	} else {
		c->myhostname_def = sp_xmalloc(n);
		snprintf(c->myhostname_def, n, "%s.%s", c->hostname, md ? md->value : "localdomain");
	}
	c->mydomain_def = sp_xstrdup("localdomain");  /* replaced per view */
}

static int sp_read(const char *path, char **data, size_t *len, struct sp_diags *d, int required)
{
	if (sp_file_read(path, SP_CONF_FILE_MAX, data, len) == 0)
		return 0;
	if (errno == ENOENT && !required)
		return 1;
	sp_diag_add(d, SP_ERROR, path, 0, NULL,
		    errno == ENOENT ? "create it, or point -c at the right directory"
		    : errno == EFBIG ? "keep configuration files small; move long lists into tables"
				     : "check the file's permissions and that it is a regular file",
		    "cannot read: %s", errno == EFBIG ? "file larger than 64 MiB" : strerror(errno));
	return -1;
}

static char *sp_path(const char *dir, const char *file)
{
	size_t n = strlen(dir) + strlen(file) + 2;
	char *p = sp_xmalloc(n);

	snprintf(p, n, "%s/%s", dir, file);
	return p;
}

struct sp_config *sp_config_load(const char *dir, const struct sp_config_opts *opts,
				 struct sp_diags *d)
{
	struct sp_config *c = sp_xcalloc(1, sizeof(*c));
	struct sp_refs refs = {0};
	unsigned long budget;
	char *data, host[256];
	size_t len;

	c->dir = sp_xstrdup(dir);
	c->main_path = sp_path(dir, "main.cf");
	if (sp_read(c->main_path, &data, &len, d, 1) < 0) {
		sp_config_free(c);
		return NULL;
	}
	sp_maincf_parse(data, len, c->main_path, &c->main, d);
	free(data);
	c->master_path = sp_path(dir, "master.cf");
	switch (sp_read(c->master_path, &data, &len, d, 0)) {
	case 0:
		sp_mastercf_parse(data, len, c->master_path, &c->master, d);
		free(data);
		break;
	case 1:
		free(c->master_path);
		c->master_path = NULL;
		break;
	}
	c->postfix = opts && opts->postfix;
	if (opts && opts->hostname)
		c->hostname = sp_xstrdup(opts->hostname);
	else if (gethostname(host, sizeof(host) - 1) == 0)
		c->hostname = sp_xstrndup(host, strnlen(host, sizeof(host) - 1));
	else
		c->hostname = sp_xstrdup("localhost");
	sp_config_host_defaults(c);
	budget = SP_LOAD_WORK;
	sp_view_build(c, &c->main, NULL, NULL, &budget, &c->global, d);
	for (size_t i = 0; i < c->master.n; i++) {
		struct sp_view sv;
		if (c->master.v[i].overrides.n == 0)
			continue;  /* its view is the main.cf view, already checked */
		sp_view_build(c, &c->main, &c->master.v[i].overrides, &c->master.v[i], &budget,
			      &sv, d);
		sp_view_free(&sv);
	}
	sp_refs_scan(&refs, &c->main);
	for (size_t i = 0; i < c->master.n; i++)
		sp_refs_scan(&refs, &c->master.v[i].overrides);
	sp_refs_classes(&refs, &c->global);
	sp_refs_finish(&refs);
	sp_config_check_names(c, &refs, d);
	sp_refs_free(&refs);
	return c;
}

int sp_config_service_view(const struct sp_config *c, const struct sp_service *svc,
			   struct sp_view *out, struct sp_diags *d)
{
	unsigned long budget = SP_LOAD_WORK;

	return sp_view_build(c, &c->main, &svc->overrides, svc, &budget, out, d);
}

void sp_config_defaults_view(const struct sp_config *c, struct sp_view *out)
{
	struct sp_diags ignored = {0};
	unsigned long budget = SP_LOAD_WORK;

	sp_view_build(c, NULL, NULL, NULL, &budget, out, &ignored);
	sp_diags_free(&ignored);
}

void sp_config_free(struct sp_config *c)
{
	if (c == NULL)
		return;
	sp_view_free(&c->global);
	sp_assigns_free(&c->main);
	sp_services_free(&c->master);
	free(c->dir);
	free(c->main_path);
	free(c->master_path);
	free(c->hostname);
	free(c->myhostname_def);
	free(c->myhostname_bare_def);
	free(c->mydomain_def);
	free(c);
}
