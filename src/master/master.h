/*
 * master.h - the supervising master process (see master.c): `sallyport
 * start` runs it, `stop`, `reload` and `status` talk to it through its
 * pid file, queue_directory/pid/master.pid.
 */
#ifndef SP_MASTER_MASTER_H
#define SP_MASTER_MASTER_H

#include <sys/types.h>

#include <stddef.h>

#include "../util/diag.h"

struct sp_master_opts {
	const char *config_dir;
	int foreground;   /* stay attached, log to standard error */
	int check_only;   /* load and check everything, then exit */
};

/* Runs the master until SIGTERM. Returns the exit status; start-up
 * problems go to d. */
int sp_master_main(const struct sp_master_opts *o, struct sp_diags *d);

/* The running master's pid (0 when none), and its pid file's path. -1
 * when the configuration cannot be read (errors in d). */
int sp_master_pid(const char *config_dir, char *pidfile, size_t len, struct sp_diags *d);

/* For a child after its privilege drop, which clears the parent-death
 * signal: asks for SIGTERM again when the master (pid master) goes, and
 * returns -1 when it has gone already. */
int sp_master_watch(pid_t master);

#endif
