/*
 * check.c - `sallyport check [-c DIR] [--json]`: loads the configuration
 * as `start` does, turns its diagnostics into findings, runs the auditor
 * (src/check/) on every smtpd service, and prints the findings as text
 * (coloured on a terminal) or JSON. Exit status 0 clean, 1 warnings, 2
 * errors. Arguments and output only.
 */
#include "cli.h"
#include "../check/check.h"
#include "../master/svc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Loading's diagnostics as findings ("config"). */
static void sp_diags_to_findings(const struct sp_diags *d, struct sp_findings *f)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct sp_diag *x = &d->v[i];
		sp_finding_add(f, "config", x->sev == SP_ERROR ? SP_FS_ERROR : SP_FS_WARNING, x->file,
			       x->line, x->param, NULL, NULL, x->fix, "%s", x->what);
	}
}

int sp_check_config(const char *dir, struct sp_findings *f, char **snapshot)
{
	struct sp_diags d = {0};
	struct sp_svcs svcs;

	(void)sp_svcs_load(&svcs, dir, 1, &d);
	sp_diags_to_findings(&d, f);
	sp_diags_free(&d);
	if (svcs.config == NULL)
		return -1;
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
	int json = 0, rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else {
			fprintf(stderr, "usage: sallyport check [-c DIR] [--json]\n");
			return 2;
		}
	}
	sp_check_config(sp_cli_config_dir(dir), &f, NULL);
	if (json)
		sp_findings_print_json(&f, stdout);
	else
		sp_findings_print_text(&f, stdout, isatty(STDOUT_FILENO));
	rc = sp_findings_status(&f);
	sp_findings_free(&f);
	return rc;
}
