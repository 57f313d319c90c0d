/*
 * start.c - `sallyport start [-c DIR] [-f] [-n]`, `stop`, `reload`,
 * `status`, and the hidden `worker` the master runs. Arguments and output
 * only: the work is in src/master/.
 */
#include "cli.h"
#include "../master/master.h"
#include "../master/worker.h"
#include "../master/auth_proc.h"
#include "../check/check.h"
#include "../util/file.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int sp_print_diags(struct sp_diags *d, int rc)
{
	sp_diags_print(d, stderr);
	if (d->errors)
		rc = 2;
	sp_diags_free(d);
	return rc;
}

int sp_cmd_start(int argc, char **argv)
{
	struct sp_master_opts o = {NULL, 0, 0};
	struct sp_diags d = {0};
	int opt;

	while ((opt = getopt(argc, argv, "c:fn")) != -1) {
		switch (opt) {
		case 'c':
			o.config_dir = optarg;
			break;
		case 'f':
			o.foreground = 1;
			break;
		case 'n':
			o.check_only = 1;
			break;
		default:
			fprintf(stderr, "usage: sallyport start [-c DIR] [-f] [-n]\n");
			return 2;
		}
	}
	o.config_dir = sp_cli_config_dir(o.config_dir);
	return sp_print_diags(&d, sp_master_main(&o, &d));
}

int sp_cmd_worker(int argc, char **argv)
{
	const char *dir = NULL;
	int svc = -1, nfds = 0, fg = 0, anvil = 0, opt;

	while ((opt = getopt(argc, argv, "c:s:n:af")) != -1) {
		if (opt == 'c')
			dir = optarg;
		else if (opt == 's')
			svc = atoi(optarg);
		else if (opt == 'n')
			nfds = atoi(optarg);
		else if (opt == 'f')
			fg = 1;
		else if (opt == 'a')
			anvil = 1;
		else
			return 2;
	}
	if (dir == NULL || svc < 0 || nfds < 1 || nfds > 8) {
		fprintf(stderr, "sallyport worker: started by the master only\n");
		return 2;
	}
	return sp_worker_main(dir, svc, nfds, anvil, fg);
}

int sp_cmd_auth(int argc, char **argv)
{
	const char *dir = NULL;
	int nfds = 0, fg = 0, opt;

	while ((opt = getopt(argc, argv, "c:n:f")) != -1) {
		if (opt == 'c')
			dir = optarg;
		else if (opt == 'n')
			nfds = atoi(optarg);
		else if (opt == 'f')
			fg = 1;
		else
			return 2;
	}
	if (dir == NULL || nfds < 1 || nfds > 8) {
		fprintf(stderr, "sallyport auth: started by the master only\n");
		return 2;
	}
	return sp_auth_proc_main(dir, nfds, fg);
}

/* 1 while pid runs (a zombie, waiting for its parent to reap it, has
 * stopped). */
static int sp_running(int pid)
{
	char path[64], buf[512];
	FILE *fp;
	const char *p;
	int zombie = 0;

	if (kill(pid, 0) != 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if ((fp = fopen(path, "r")) != NULL) {
		if (fgets(buf, sizeof(buf), fp) && (p = strrchr(buf, ')')) != NULL)
			zombie = p[1] == ' ' && p[2] == 'Z';
		fclose(fp);
	}
	return !zombie;
}

static void sp_print_change(void *ctx, const char *line)
{
	(void)ctx;
	printf("sallyport: reload: %s\n", line);
}

/* Before a reload: the new configuration passes the checks (else nothing
 * is signalled and the running one stays), and what it changes for
 * security is printed (the master logs the same). */
static int sp_reload_check(const char *dir, const char *pidfile)
{
	struct sp_findings f = {0};
	char *now = NULL, *was = NULL, path[1100];
	size_t len;
	int rc = 0;

	if (sp_check_config(dir, 0, &f, &now) < 0 || f.count[SP_FS_ERROR]) {
		for (size_t i = 0; i < f.n; i++)
			if (f.v[i].sev == SP_FS_ERROR)
				fprintf(stderr, "sallyport: error: %s%s[%s] %s%s%s\n",
					f.v[i].file ? f.v[i].file : "", f.v[i].file ? ": " : "",
					f.v[i].id, f.v[i].what, f.v[i].fix ? "; " : "",
					f.v[i].fix ? f.v[i].fix : "");
		fprintf(stderr, "sallyport: reload refused: the running configuration stays\n");
		rc = 2;
	} else {
		snprintf(path, sizeof(path), "%s", pidfile);
		if (strrchr(path, '/'))
			snprintf(strrchr(path, '/') + 1,
				 sizeof(path) - (size_t)(strrchr(path, '/') + 1 - path), "master.check");
		if (sp_file_read(path, 1u << 20, &was, &len) == 0)
			sp_check_diff(was, now, sp_print_change, NULL);
	}
	free(now);
	free(was);
	sp_findings_free(&f);
	return rc;
}

/* stop, reload, status: the master named by the pid file. */
static int sp_signal_master(int argc, char **argv, const char *what)
{
	struct sp_diags d = {0};
	const char *dir = NULL;
	char pidfile[1024];
	int opt, pid;

	while ((opt = getopt(argc, argv, "c:")) != -1) {
		if (opt != 'c') {
			fprintf(stderr, "usage: sallyport %s [-c DIR]\n", what);
			return 2;
		}
		dir = optarg;
	}
	if ((pid = sp_master_pid(sp_cli_config_dir(dir), pidfile, sizeof(pidfile), &d)) < 0)
		return sp_print_diags(&d, 2);
	sp_diags_free(&d);
	if (pid == 0) {
		fprintf(stderr, "sallyport: the mail system is not running\n");
		return strcmp(what, "status") == 0 ? 1 : 1;
	}
	if (strcmp(what, "status") == 0) {
		printf("sallyport: the mail system is running: PID: %d\n", pid);
		return 0;
	}
	if (strcmp(what, "reload") == 0 && sp_reload_check(sp_cli_config_dir(dir), pidfile) != 0)
		return 2;
	if (kill(pid, strcmp(what, "reload") == 0 ? SIGHUP : SIGTERM) < 0) {
		fprintf(stderr, "sallyport: kill %d: %s\n", pid, strerror(errno));
		return 1;
	}
	if (strcmp(what, "stop") == 0) {   /* wait until the sessions have finished */
		for (int i = 0; i < 200 && sp_running(pid); i++) {
			struct timespec ts = {0, 100000000};
			nanosleep(&ts, NULL);
		}
		if (sp_running(pid)) {
			fprintf(stderr, "sallyport: the master (pid %d) has not stopped yet\n", pid);
			return 1;
		}
	}
	printf("sallyport: %s: done\n", what);
	return 0;
}

int sp_cmd_stop(int argc, char **argv)
{
	return sp_signal_master(argc, argv, "stop");
}

int sp_cmd_reload(int argc, char **argv)
{
	return sp_signal_master(argc, argv, "reload");
}

int sp_cmd_status(int argc, char **argv)
{
	return sp_signal_master(argc, argv, "status");
}
