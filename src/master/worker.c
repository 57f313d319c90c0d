/*
 * worker.c - the smtpd worker process (see worker.h).
 */
#include "worker.h"
#include "master.h"
#include "svc.h"
#include "../smtpd/server.h"
#include "../net/tls.h"
#include "../auth/dovecot_client.h"

#include <errno.h>
#include <event2/event.h>
#include <grp.h>
#include <netdb.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

/* chroot (when the service asks for it) and the switch to mail_owner;
 * nothing when not root. */
static int sp_worker_drop(struct sp_svc *svc, struct sp_log *log)
{
	const char *owner = sp_view_get(&svc->view, "mail_owner");
	struct passwd *pw;
	struct addrinfo *ai;

	if (geteuid() != 0)
		return 0;
	if ((pw = getpwnam(owner ? owner : "")) == NULL) {
		sp_logf(log, "fatal: mail_owner %s: no such account", owner ? owner : "");
		return -1;
	}
	/* load the resolver's libraries while the files are reachable */
	if (getaddrinfo("localhost", NULL, NULL, &ai) == 0)
		freeaddrinfo(ai);
	if (svc->chroot) {
		if (chroot(svc->conf.queue_dir) < 0 || chdir("/") < 0) {
			sp_logf(log, "fatal: chroot %s: %s", svc->conf.queue_dir, strerror(errno));
			return -1;
		}
		svc->conf.queue_dir[0] = 0;   /* paths are now "/incoming/ID" */
	}
	if (setgroups(0, NULL) < 0 || setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0) {
		sp_logf(log, "fatal: cannot become %s: %s", pw->pw_name, strerror(errno));
		return -1;
	}
	return 0;
}

/* The master's TLS session ticket keys, from the pipe at fd: shared by all
 * workers so that any of them resumes a session another made. */
static void sp_worker_ticket_keys(struct sp_svcs *svcs, int fd, struct sp_log *log)
{
	unsigned char keys[SP_TLS_TICKET_KEYS];
	ssize_t n = read(fd, keys, sizeof(keys));

	close(fd);
	if (n != (ssize_t)sizeof(keys)) {
		sp_logf(log, "warning: no TLS ticket keys from the master: sessions resume only "
			"in the worker that made them");
		return;
	}
	for (size_t i = 0; i < svcs->n; i++)
		if (svcs->v[i]->conf.tls)
			sp_tls_server_ticket_keys(svcs->v[i]->conf.tls, keys);
	explicit_bzero(keys, sizeof(keys));
}

/* The auth server's client. smtpd_sasl_path is relative to the queue
 * directory (the chroot when chrooted: queue_dir is "" then). */
static struct sp_dvc *sp_worker_sasl(struct sp_svc *svc, struct event_base *base)
{
	const char *p = svc->conf.sasl_path;
	char path[4096];
	struct sp_dvc *c;

	if (p[0] == '/')
		snprintf(path, sizeof(path), "%s", p);
	else
		snprintf(path, sizeof(path), "%s/%s", svc->conf.queue_dir, p);
	if ((c = sp_dvc_new(base, path, 30, sp_log_line, &svc->log)) == NULL) {
		sp_logf(&svc->log, "fatal: smtpd_sasl_path %s: too long for a socket path", path);
		return NULL;
	}
	(void)sp_dvc_wait_ready(c, 2000);   /* not ready: a warning is logged, and it retries */
	return c;
}

static void sp_worker_term(evutil_socket_t sig, short what, void *vsrv)
{
	(void)sig;
	(void)what;
	sp_server_stop(vsrv, 10);
}

int sp_worker_main(const char *config_dir, int service, int nfds, int anvil, int foreground)
{
	struct sp_diags d = {0};
	struct sp_svcs svcs;
	struct sp_server *srv = NULL;
	struct event_base *base = NULL;
	struct event *term = NULL;
	struct sp_svc *svc;
	struct sp_dvc *sasl = NULL;
	char err[512];
	int rc = 1;

	struct rlimit rl;

	pid_t master = getppid();

	prctl(PR_SET_PDEATHSIG, SIGTERM);   /* the master gone: stop too */
	/* one descriptor per session: as many as the system allows */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	signal(SIGPIPE, SIG_IGN);
	if (sp_svcs_load(&svcs, config_dir, foreground, &d) < 0 || service < 0 ||
	    (size_t)service >= svcs.n) {
		sp_diags_print(&d, stderr);
		goto out;
	}
	svc = svcs.v[service];
	sp_worker_ticket_keys(&svcs, 3 + nfds + 1, &svc->log);
	if (anvil) {
		svc->env.anvil = 1;
		svc->env.anvil_fd = 3 + nfds;
		svc->env.service = service;
	}
	base = event_base_new();
	if ((srv = sp_server_new(base, NULL, err, sizeof(err))) == NULL) {
		sp_logf(&svc->log, "fatal: %s", err);
		goto out;
	}
	if (sp_worker_drop(svc, &svc->log) < 0 || sp_master_watch(master) < 0)
		goto out;
	if (svc->conf.sasl_enable && (sasl = sp_worker_sasl(svc, base)) == NULL)
		goto out;
	svc->env.sasl = sasl;
	/* the listening sockets last: the first client already gets AUTH */
	for (int i = 0; i < nfds; i++) {
		if (sp_server_adopt(srv, 3 + i, &svc->env, err, sizeof(err)) < 0) {
			sp_logf(&svc->log, "fatal: %s", err);
			goto out;
		}
	}
	term = evsignal_new(base, SIGTERM, sp_worker_term, srv);
	event_add(term, NULL);
	event_base_dispatch(base);
	rc = 0;
out:
	if (term)
		event_free(term);
	sp_server_free(&srv);
	sp_dvc_free(&sasl);
	if (base)
		event_base_free(base);
	if (svcs.config)
		sp_svcs_free(&svcs, 0);
	sp_diags_free(&d);
	return rc;
}
