/*
 * run.h - running the server: every smtpd service of master.cf with its
 * own settings and restrictions (its -o overrides applied), on one event
 * loop in the foreground. The supervising master with worker processes,
 * chroot and privilege drop is the next step (DESIGN.md section 2); this
 * is what `sallyport start -f` runs today.
 */
#ifndef SP_MASTER_RUN_H
#define SP_MASTER_RUN_H

#include "../util/diag.h"

struct sp_run_opts {
	const char *config_dir;
	int check_only;            /* load and check everything, then exit */
};

/* Runs until SIGTERM or SIGINT (a graceful stop: sessions finish).
 * Returns the exit status; start-up problems are added to d. */
int sp_master_run(const struct sp_run_opts *o, struct sp_diags *d);

#endif
