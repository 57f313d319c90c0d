/*
 * start.c - `sallyport start [-c DIR] -f [-n]`: runs the server in the
 * foreground (log lines on standard error); -n loads and checks
 * everything (services, restrictions, tables, queue directory) and exits.
 */
#include "cli.h"
#include "../master/run.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

int sp_cmd_start(int argc, char **argv)
{
	struct sp_run_opts o = {NULL, 0};
	struct sp_diags d = {0};
	int fg = 0, opt, rc;

	while ((opt = getopt(argc, argv, "c:fn")) != -1) {
		switch (opt) {
		case 'c':
			o.config_dir = optarg;
			break;
		case 'f':
			fg = 1;
			break;
		case 'n':
			o.check_only = 1;
			break;
		default:
			fprintf(stderr, "usage: sallyport start [-c DIR] -f [-n]\n");
			return 2;
		}
	}
	if (!fg && !o.check_only) {
		fprintf(stderr, "sallyport start: the background master is not there yet; run "
			"\"sallyport start -f\" (foreground)\n");
		return 2;
	}
	o.config_dir = sp_cli_config_dir(o.config_dir);
	rc = sp_master_run(&o, &d);
	sp_diags_print(&d, stderr);
	if (d.errors)
		rc = 2;
	sp_diags_free(&d);
	return rc;
}
