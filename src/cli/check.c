/*
 * check.c - `sallyport check [-c DIR | --postfix DIR] [--json]`: loads the
 * configuration as `start` does (--postfix: a real Postfix's, with
 * Postfix's defaults, and what sallyport does not implement reported as
 * not assessed), turns its diagnostics into findings, runs the auditor
 * (src/check/) on every smtpd service, and prints the findings as text
 * (coloured on a terminal) or JSON. Exit status 0 clean, 1 warnings, 2
 * errors. Arguments and output only.
 */
#include "cli.h"
#include "../check/check.h"
#include "../master/svc.h"
#include "../config/registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What sallyport does not implement, as the loader marked it
 * (sp_diag_unsupported), or a Postfix parameter sallyport does not have:
 * in a real Postfix's configuration that is no mistake, only something the
 * auditor cannot judge. */
static int sp_unsupported(const struct sp_diag *x)
{
	const struct sp_postfix_param *pf = x->param ? sp_postfix_find(x->param) : NULL;

	return x->unsupported || (pf && sp_registry_find(x->param) == NULL);
}

/* A diagnostic without a place whose text another one with a place has:
 * a list that inherits mynetworks by default ($mynetworks in
 * smtpd_forbid_bare_newline_exclusions...) repeats what mynetworks said. */
static int sp_inherited(const struct sp_diags *d, const struct sp_diag *x)
{
	if (x->file)
		return 0;
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].file && strcmp(d->v[i].what, x->what) == 0)
			return 1;
	return 0;
}

/* Loading's diagnostics as findings ("config", or "not-assessed" notes
 * for a real Postfix's features sallyport lacks). */
static void sp_diags_to_findings(const struct sp_diags *d, int postfix, struct sp_findings *f)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct sp_diag *x = &d->v[i];
		if (sp_inherited(d, x))
			continue;
		if (postfix && sp_unsupported(x))
			sp_finding_add(f, "not-assessed", SP_FS_INFO, x->file, x->line, x->param, NULL,
				       "sallyport does not implement this part of Postfix, so the "
				       "findings cannot take it into account", NULL, "%s", x->what);
		else
			sp_finding_add(f, "config", x->sev == SP_ERROR ? SP_FS_ERROR : SP_FS_WARNING,
				       x->file, x->line, x->param, NULL, NULL, x->fix, "%s", x->what);
	}
}

/* smtpd services that did not load: no proof could be made for them. */
static void sp_unloaded(const struct sp_svcs *s, struct sp_findings *f)
{
	const struct sp_services *m = &s->config->master;

	for (size_t i = 0; i < m->n; i++) {
		int loaded = 0;
		if (strcmp(m->v[i].command, "smtpd") != 0 || strcmp(m->v[i].type, "inet") != 0)
			continue;
		for (size_t k = 0; k < s->n && !loaded; k++)
			loaded = s->v[k]->ms == &m->v[i];
		if (!loaded)
			sp_finding_add(f, "not-assessed", SP_FS_WARNING, m->v[i].file, m->v[i].line,
				       NULL, m->v[i].name, "whether strangers can relay through it "
				       "is unknown", "correct what is reported above for it",
				       "service %s: its settings did not load, so the relay check did "
				       "not run for it", m->v[i].name);
	}
}

int sp_check_config(const char *dir, int postfix, struct sp_findings *f, char **snapshot)
{
	struct sp_diags d = {0};
	struct sp_svcs svcs;

	(void)sp_svcs_load_lenient(&svcs, dir, postfix, &d);
	sp_diags_to_findings(&d, postfix, f);
	sp_diags_free(&d);
	if (svcs.config == NULL)
		return -1;
	sp_unloaded(&svcs, f);
	sp_check_svcs(&svcs, f);
	if (snapshot)
		*snapshot = sp_check_snapshot(&svcs, f);
	sp_svcs_free(&svcs, 0);
	return 0;
}

int sp_cmd_check(int argc, char **argv)
{
	struct sp_findings f = {0};
	const char *dir = NULL;
	int json = 0, postfix = 0, rc;

	for (int i = 1; i < argc; i++) {
		if ((strcmp(argv[i], "-c") == 0 || strcmp(argv[i], "--postfix") == 0) &&
		    i + 1 < argc) {
			postfix = strcmp(argv[i], "--postfix") == 0;
			dir = argv[++i];
		} else if (strcmp(argv[i], "--json") == 0) {
			json = 1;
		} else {
			fprintf(stderr, "usage: sallyport check [-c DIR | --postfix DIR] [--json]\n");
			return 2;
		}
	}
	if (sp_check_config(postfix ? dir : sp_cli_config_dir(dir), postfix, &f, NULL) < 0 &&
	    f.n == 0)
		sp_finding_add(&f, "config", SP_FS_ERROR, dir, 0, NULL, NULL, NULL, NULL,
			       "the configuration cannot be read");
	if (json)
		sp_findings_print_json(&f, stdout);
	else
		sp_findings_print_text(&f, stdout, isatty(STDOUT_FILENO));
	rc = sp_findings_status(&f);
	sp_findings_free(&f);
	return rc;
}
