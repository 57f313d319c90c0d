/*
 * conf.c - "sallyport conf", the postconf of sallyport: loads and checks
 * the configuration, prints its diagnostics to stderr, and prints
 * parameters as "name = value" (whitespace normalised as postconf prints
 * it): all of them, only those set (-n), the defaults (-d), expanded (-x),
 * for one master.cf service (-P); --registry dumps the registry as TSV.
 * Exits 1 when the configuration has an error or a NAME is not ours.
 */
#include "cli.h"
#include "../config/config.h"
#include "../config/suggest.h"
#include "../policy/netlist.h"
#include "../policy/restriction.h"
#include "../util/chars.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct sp_conf_opts {
	const char *dir;
	const char *service;
	int nondefault, defaults, expand, registry;
};

/* "name = value" with whitespace runs collapsed, as postconf prints. */
static void sp_print_param(const char *name, const char *value)
{
	const char *p = value;

	printf("%s =", name);
	while (*p) {
		size_t n;
		while (*p && sp_isspace(*p))
			p++;
		if (*p == 0)
			break;
		for (n = 0; p[n] && !sp_isspace(p[n]); n++)
			;
		printf(" %.*s", (int)n, p);
		p += n;
	}
	putchar('\n');
}

static void sp_print_registry(void)
{
	size_t n;
	const struct sp_param_def *r = sp_registry(&n);

	for (size_t i = 0; i < n; i++) {
		const char *flags = (r[i].flags & SP_F_RAW) && (r[i].flags & SP_F_DIFFERS) ? "raw,differs"
				    : (r[i].flags & SP_F_RAW)                             ? "raw"
				    : (r[i].flags & SP_F_DIFFERS)                         ? "differs"
				    : (r[i].flags & SP_F_OWN)                             ? "own"
											  : "-";
		printf("%s\t%s\t%s\t%s\t%s\t%s\n", r[i].name, sp_ptype_name(r[i].type),
		       sp_owner_name(r[i].owner), flags, r[i].def, r[i].doc);
	}
}

/* Explains on stderr why a name cannot be printed; returns 1. */
static int sp_conf_missing(const char *name)
{
	const char *s[SP_SUGGEST_MAX];
	size_t n;

	if (sp_name_classify(name) == SP_NAME_POSTFIX_ONLY) {
		fprintf(stderr, "sallyport: warning: %s: Postfix parameter not supported by sallyport\n",
			name);
		return 1;
	}
	fprintf(stderr, "sallyport: warning: %s: unknown parameter", name);
	n = sp_suggest(name, s);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%s\"%s\"", i == 0 ? "; did you mean " : i + 1 == n ? " or " : ", ", s[i]);
	fputs(n ? "?\n" : "\n", stderr);
	return 1;
}

static int sp_conf_wanted(const struct sp_param *p, const struct sp_conf_opts *o)
{
	if (o->nondefault && p->src == SP_SRC_DEFAULT)
		return 0;
	return 1;
}

static void sp_conf_print_one(const struct sp_param *p, const struct sp_conf_opts *o)
{
	sp_print_param(p->name, o->expand ? p->value : p->raw);
}

static int sp_conf_print(const struct sp_view *v,
			 const struct sp_conf_opts *o, int argc, char **argv)
{
	int status = 0;

	if (argc == 0) {
		for (size_t i = 0; i < v->n; i++) {
			if (sp_conf_wanted(&v->v[i], o))
				sp_conf_print_one(&v->v[i], o);
		}
		return 0;
	}
	for (int i = 0; i < argc; i++) {
		const struct sp_param *p = sp_view_find(v, argv[i]);
		if (p == NULL)
			status |= sp_conf_missing(argv[i]);
		else if (sp_conf_wanted(p, o))
			sp_conf_print_one(p, o);
	}
	return status;
}

/* The client address lists a view sets (for a service view: with -o). */
static void sp_conf_check_netlists(const struct sp_view *v, struct sp_diags *d)
{
	static const char *const lists[] = {
		"mynetworks", "smtpd_client_event_limit_exceptions",
		"smtpd_forbid_bare_newline_exclusions",
	};

	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		const struct sp_param *p = sp_view_find(v, lists[i]);
		struct sp_netlist *nl;
		if (p == NULL || p->bad || p->src == SP_SRC_DEFAULT ||
		    (v->service && p->src != SP_SRC_SERVICE))
			continue;
		nl = sp_netlist_compile(p->value, p->name, p->file, p->line, d);
		sp_netlist_free(&nl);
	}
}

/* Restriction and address lists of main.cf and of every service that
 * overrides one. */
static void sp_conf_check_lists(const struct sp_config *c, struct sp_diags *d)
{
	struct sp_diags ignored = {0};

	sp_restriction_check_view(&c->global, d);
	sp_conf_check_netlists(&c->global, d);
	for (size_t i = 0; i < c->master.n; i++) {
		struct sp_view sv;
		if (c->master.v[i].overrides.n == 0)
			continue;
		sp_config_service_view(c, &c->master.v[i], &sv, &ignored);
		sp_restriction_check_view(&sv, d);
		sp_conf_check_netlists(&sv, d);
		sp_view_free(&sv);
	}
	sp_diags_free(&ignored);
}

static int sp_conf_usage(void)
{
	fputs("usage: sallyport conf [-c DIR] [-n|-d] [-x] [-P SERVICE[/TYPE]] [NAME...]\n"
	      "       sallyport conf --registry\n", stderr);
	return 2;
}

static int sp_conf_args(int argc, char **argv, struct sp_conf_opts *o)
{
	int ch;

	if (argc > 1 && strcmp(argv[1], "--registry") == 0) {
		o->registry = 1;
		return 2;
	}
	optind = 1;
	while ((ch = getopt(argc, argv, "c:ndxP:")) != -1) {
		switch (ch) {
		case 'c': o->dir = optarg; break;
		case 'n': o->nondefault = 1; break;
		case 'd': o->defaults = 1; break;
		case 'x': o->expand = 1; break;
		case 'P': o->service = optarg; break;
		default: return -1;
		}
	}
	if (o->nondefault && o->defaults)
		return -1;
	return optind;
}

int sp_cmd_conf(int argc, char **argv)
{
	struct sp_conf_opts o = {0};
	struct sp_diags d = {0};
	struct sp_config *c;
	struct sp_view sv = {0};
	const struct sp_view *v;
	int first = sp_conf_args(argc, argv, &o), status;

	if (first < 0)
		return sp_conf_usage();
	if (o.registry) {
		sp_print_registry();
		return 0;
	}
	c = sp_config_load(sp_cli_config_dir(o.dir), NULL, &d);
	v = c ? &c->global : NULL;
	if (c)
		sp_conf_check_lists(c, &d);
	if (c && o.service) {
		const struct sp_service *svc = sp_services_find(&c->master, o.service);
		if (svc == NULL)
			sp_diag_add(&d, SP_ERROR, c->master_path, 0, NULL,
				    "name a service of master.cf, as NAME or NAME/TYPE",
				    "no service \"%s\" (or more than one of that name)", o.service);
		else {
			/* The load already reported this service's diagnostics. */
			struct sp_diags again = {0};
			sp_config_service_view(c, svc, &sv, &again);
			sp_diags_free(&again);
			v = &sv;
		}
	}
	sp_diags_print(&d, stderr);
	if (c && o.defaults) {
		sp_view_free(&sv);
		sp_config_defaults_view(c, &sv);
		v = &sv;
	}
	status = v ? sp_conf_print(v, &o, argc - first, argv + first) : 1;
	if (d.errors)
		status = 1;
	sp_view_free(&sv);
	sp_diags_free(&d);
	sp_config_free(c);
	return status;
}
