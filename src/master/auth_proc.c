/*
 * auth_proc.c - the built-in auth server process (see auth_proc.h): reads
 * auth_passwd_file while it may (as root), gives up root (chroot into
 * queue_directory, mail_owner's user, not dumpable, so that neither smtpd
 * nor anyone else of that user can read the hashes from its memory), then
 * serves the sockets the master bound until SIGTERM.
 */
#include "auth_proc.h"
#include "master.h"
#include "log.h"
#include "../auth/auth_server.h"
#include "../auth/passwd.h"
#include "../config/value.h"

#include <errno.h>
#include <event2/event.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

static void sp_auth_proc_log_diags(struct sp_log *log, const struct sp_diags *d)
{
	for (size_t i = 0; i < d->n; i++)
		sp_logf(log, "%s: %s%s%s%s%s", d->v[i].sev == SP_ERROR ? "fatal" : "warning",
			d->v[i].file ? d->v[i].file : "", d->v[i].file ? ": " : "", d->v[i].what,
			d->v[i].fix ? "; " : "", d->v[i].fix ? d->v[i].fix : "");
}

static int sp_auth_proc_drop(const struct sp_view *g, struct sp_log *log)
{
	const char *owner = sp_view_get(g, "mail_owner"), *q = sp_view_get(g, "queue_directory");
	struct passwd *pw;

	prctl(PR_SET_DUMPABLE, 0);
	if (geteuid() != 0)
		return 0;
	if ((pw = getpwnam(owner ? owner : "")) == NULL) {
		sp_logf(log, "fatal: mail_owner %s: no such account", owner ? owner : "");
		return -1;
	}
	if (q == NULL || chroot(q) < 0 || chdir("/") < 0) {
		sp_logf(log, "fatal: chroot %s: %s", q ? q : "", strerror(errno));
		return -1;
	}
	if (setgroups(0, NULL) < 0 || setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0) {
		sp_logf(log, "fatal: cannot become %s: %s", pw->pw_name, strerror(errno));
		return -1;
	}
	prctl(PR_SET_DUMPABLE, 0);
	return 0;
}

static void sp_auth_proc_term(evutil_socket_t sig, short what, void *vbase)
{
	(void)sig;
	(void)what;
	event_base_loopexit(vbase, NULL);
}

static unsigned sp_auth_proc_delay_ms(const struct sp_view *g)
{
	int64_t secs = 2;

	(void)sp_value_time(sp_view_get(g, "auth_failure_delay"), 's', &secs);
	return secs < 0 ? 0 : secs > 60 ? 60000 : (unsigned)secs * 1000;
}

int sp_auth_proc_main(const char *config_dir, int nfds, int foreground)
{
	struct sp_diags d = {0};
	struct sp_config *c;
	struct sp_passwd *users = NULL;
	struct sp_auth_server *srv = NULL;
	struct sp_auth_server_conf ac;
	struct event_base *base = NULL;
	struct event *term = NULL;
	struct sp_log log;
	char err[256];
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int rc = 1;

	pid_t master = getppid();

	prctl(PR_SET_PDEATHSIG, SIGTERM);
	signal(SIGPIPE, SIG_IGN);
	if ((c = sp_config_load(config_dir, NULL, &d)) == NULL || d.errors) {
		sp_diags_print(&d, stderr);
		goto out;
	}
	sp_log_setup(&log, &c->global, "auth", foreground);
	users = sp_passwd_load(sp_view_get(&c->global, "auth_passwd_file"), &d);
	sp_auth_proc_log_diags(&log, &d);
	if (users == NULL || sp_auth_proc_drop(&c->global, &log) < 0 || sp_master_watch(master) < 0)
		goto out;
	memset(&ac, 0, sizeof(ac));
	ac.users = users;
	ac.failure_delay_ms = sp_auth_proc_delay_ms(&c->global);
	ac.threads = cpus < 1 ? 1 : cpus > 16 ? 16 : (int)cpus;
	ac.log = sp_log_line;
	ac.log_ctx = &log;
	base = event_base_new();
	if ((srv = sp_auth_server_new(base, &ac, err, sizeof(err))) == NULL) {
		sp_logf(&log, "fatal: %s", err);
		goto out;
	}
	for (int i = 0; i < nfds; i++)
		if (sp_auth_server_listen(srv, 3 + i, err, sizeof(err)) < 0) {
			sp_logf(&log, "fatal: %s", err);
			goto out;
		}
	term = evsignal_new(base, SIGTERM, sp_auth_proc_term, base);
	event_add(term, NULL);
	event_base_dispatch(base);
	rc = 0;
out:
	if (term)
		event_free(term);
	sp_auth_server_free(&srv);
	if (base)
		event_base_free(base);
	sp_passwd_free(&users);
	sp_config_free(c);
	sp_diags_free(&d);
	return rc;
}
