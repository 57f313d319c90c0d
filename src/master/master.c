/*
 * master.c - the supervisor: checks the configuration, binds every smtpd
 * service's sockets (as root, before anyone gives up privileges), writes
 * queue_directory/pid/master.pid, and keeps a generation of worker
 * processes running (worker.c): a crashed worker is restarted with
 * back-off; SIGHUP, or a table that changed on disk, starts a new
 * generation with the new configuration on the same sockets and lets the
 * old one drain (no connection is refused meanwhile); SIGTERM stops the
 * workers, who let their sessions finish.
 */
#include "master.h"
#include "anvil.h"
#include "svc.h"
#include "../net/tls.h"
#include "worker.h"
#include "../queue/qfile.h"
#include "../check/check.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <sys/random.h>
#include <sys/prctl.h>
#include <unistd.h>

#define SP_WORKERS_MAX 64
#define SP_STALE_CHECK_S 5

enum sp_role { SP_ROLE_SMTPD, SP_ROLE_AUTH };

struct sp_worker {
	pid_t pid;                 /* 0: the slot is free */
	enum sp_role role;
	unsigned gen;
	size_t svc;                /* smtpd: index into the generation's services */
	time_t started;
	unsigned backoff;          /* seconds before the next restart */
	struct event *restart;     /* a pending restart */
	struct sp_anvil_peer *anvil;   /* its anvil socket */
};

struct sp_master {
	const struct sp_master_opts *o;
	struct event_base *base;
	struct sp_svcs cur;
	unsigned gen;
	struct sp_worker w[SP_WORKERS_MAX];
	struct sp_log log;
	char exe[1024];
	char pidfile[1024];
	int per_svc;               /* workers per service */
	int stopping;
	struct event *kill_timer;
	struct sp_anvil *anvil;
	/* the TLS session ticket keys every worker of a generation gets
	 * (tls.h): a session one worker made resumes in any other */
	unsigned char ticket_keys[SP_TLS_TICKET_KEYS];
	char *snapshot;            /* the running configuration's security summary */
};

int sp_master_watch(pid_t master)
{
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	return getppid() == master ? 0 : -1;
}

static int sp_alive(const struct sp_master *m)
{
	for (int i = 0; i < SP_WORKERS_MAX; i++)
		if (m->w[i].pid > 0)
			return 1;
	return 0;
}

/* fork + exec of "sallyport auth" with the auth sockets as 3.. */
static pid_t sp_spawn_auth(struct sp_master *m)
{
	char nfds[16];
	pid_t pid;

	if ((pid = fork()) != 0)
		return pid;
	{
		int moved[SP_AUTH_SOCKS];
		for (int i = 0; i < m->cur.nauth; i++)
			moved[i] = fcntl(m->cur.auth[i].fd, F_DUPFD_CLOEXEC, 100);
		for (int i = 0; i < m->cur.nauth; i++)
			if (moved[i] < 0 || dup2(moved[i], 3 + i) < 0)
				_exit(111);
	}
	snprintf(nfds, sizeof(nfds), "%d", m->cur.nauth);
	execl(m->exe, "sallyport", "auth", "-c", m->o->config_dir, "-n", nfds,
	      m->o->foreground ? "-f" : (char *)NULL, (char *)NULL);
	_exit(111);
}

/* fork + exec of "sallyport worker" with the service's sockets as 3.., its
 * anvil socket after them, then a pipe holding the ticket keys; *anvil_fd
 * gets the master's end of the anvil socket. */
static pid_t sp_spawn(struct sp_master *m, size_t svc, int *anvil_fd)
{
	const struct sp_svc *s = m->cur.v[svc];
	char idx[16], nfds[16];
	int sv[2];
	pid_t pid;

	int keys[2];

	*anvil_fd = -1;
	if (pipe2(keys, O_CLOEXEC) < 0)
		return -1;
	if (write(keys[1], m->ticket_keys, sizeof(m->ticket_keys)) != sizeof(m->ticket_keys) ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		close(keys[0]);
		close(keys[1]);
		return -1;
	}
	close(keys[1]);
	if ((pid = fork()) != 0) {
		close(keys[0]);
		close(sv[1]);
		if (pid > 0)
			*anvil_fd = sv[0];
		else
			close(sv[0]);
		return pid;
	}
	{
		int moved[SP_SVC_FDS + 2];
		for (int i = 0; i < s->nfds; i++)   /* out of the way first, then into place */
			moved[i] = fcntl(s->fds[i], F_DUPFD_CLOEXEC, 100);
		moved[s->nfds] = fcntl(sv[1], F_DUPFD_CLOEXEC, 100);
		moved[s->nfds + 1] = fcntl(keys[0], F_DUPFD_CLOEXEC, 100);
		for (int i = 0; i <= s->nfds + 1; i++)
			if (moved[i] < 0 || dup2(moved[i], 3 + i) < 0)
				_exit(111);
	}
	snprintf(idx, sizeof(idx), "%zu", svc);
	snprintf(nfds, sizeof(nfds), "%d", s->nfds);
	execl(m->exe, "sallyport", "worker", "-c", m->o->config_dir, "-s", idx, "-n", nfds, "-a",
	      m->o->foreground ? "-f" : (char *)NULL, (char *)NULL);
	_exit(111);
}

static void sp_start_slot(struct sp_master *m, int slot)
{
	struct sp_worker *w = &m->w[slot];

	int fd = -1;

	w->pid = w->role == SP_ROLE_AUTH ? sp_spawn_auth(m) : sp_spawn(m, w->svc, &fd);
	w->started = time(NULL);
	if (w->pid < 0) {
		sp_logf(&m->log, "warning: fork: %s", strerror(errno));
		w->pid = 0;
		return;
	}
	if (fd >= 0)
		w->anvil = sp_anvil_peer_new(m->anvil, fd);
}

/* Takes a free slot for the current generation; -1 when none is left. */
static int sp_new_slot(struct sp_master *m, int *slot, enum sp_role role, size_t svc)
{
	while (*slot < SP_WORKERS_MAX && m->w[*slot].pid != 0)
		(*slot)++;
	if (*slot == SP_WORKERS_MAX)
		return -1;
	m->w[*slot].gen = m->gen;
	m->w[*slot].role = role;
	m->w[*slot].svc = svc;
	m->w[*slot].backoff = 1;
	sp_start_slot(m, *slot);
	return 0;
}

/* Starts a generation: the auth server first (so that the workers find
 * its socket answering), then per_svc workers for every service. */
static void sp_start_generation(struct sp_master *m)
{
	int slot = 0;

	m->gen++;
	/* new ticket keys for every generation (a reload, changed tables): a
	 * session ticket lives at most as long as the configuration that made it */
	if (m->gen > 1 && getrandom(m->ticket_keys, sizeof(m->ticket_keys), 0) !=
			  sizeof(m->ticket_keys))
		sp_logf(&m->log, "warning: getrandom: %s: TLS session ticket keys not renewed",
			strerror(errno));
	if (m->cur.nauth > 0 && sp_new_slot(m, &slot, SP_ROLE_AUTH, 0) < 0)
		return;
	for (size_t s = 0; s < m->cur.n; s++) {
		for (int k = 0; k < m->per_svc; k++)
			if (sp_new_slot(m, &slot, SP_ROLE_SMTPD, s) < 0)
				return;
	}
}

static void sp_signal_generation(struct sp_master *m, unsigned gen, int sig)
{
	for (int i = 0; i < SP_WORKERS_MAX; i++)
		if (m->w[i].pid > 0 && (gen == 0 || m->w[i].gen == gen))
			kill(m->w[i].pid, sig);
}

struct sp_restart {
	struct sp_master *m;
	int slot;
};

static void sp_do_restart(evutil_socket_t fd, short what, void *vr)
{
	struct sp_restart *r = vr;
	struct sp_master *m = r->m;
	struct sp_worker *w = &m->w[r->slot];

	(void)fd;
	(void)what;
	event_free(w->restart);
	w->restart = NULL;
	free(r);
	if (w->pid != -1)
		return;
	w->pid = 0;
	if (!m->stopping && w->gen == m->gen)
		sp_start_slot(m, (int)(w - m->w));
}

/* A worker ended: a crash in the current generation is restarted after a
 * back-off that doubles (up to a minute) while it keeps crashing early. */
static void sp_reaped(struct sp_master *m, pid_t pid, int status)
{
	for (int i = 0; i < SP_WORKERS_MAX; i++) {
		struct sp_worker *w = &m->w[i];
		struct sp_restart *r;
		struct timeval tv = {0, 0};
		if (w->pid != pid)
			continue;
		sp_anvil_peer_free(&w->anvil);   /* its clients' open connections end with it */
		if (m->stopping || w->gen != m->gen) {
			w->pid = 0;
			return;
		}
		if (WIFSIGNALED(status))
			sp_logf(&m->log, "warning: process %s pid %ld killed by signal %d",
				w->role == SP_ROLE_AUTH ? "auth" : "smtpd", (long)pid, WTERMSIG(status));
		else
			sp_logf(&m->log, "warning: process %s pid %ld exit status %d",
				w->role == SP_ROLE_AUTH ? "auth" : "smtpd", (long)pid,
				WEXITSTATUS(status));
		if (time(NULL) - w->started > 60)
			w->backoff = 1;
		tv.tv_sec = w->backoff;
		w->backoff = w->backoff >= 32 ? 60 : w->backoff * 2;
		w->pid = -1;   /* waiting to be restarted */
		r = malloc(sizeof(*r));
		if (r == NULL)
			return;
		r->m = m;
		r->slot = i;
		w->restart = evtimer_new(m->base, sp_do_restart, r);
		evtimer_add(w->restart, &tv);
		return;
	}
}

static void sp_on_chld(evutil_socket_t sig, short what, void *vm)
{
	struct sp_master *m = vm;
	pid_t pid;
	int status;

	(void)sig;
	(void)what;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		sp_reaped(m, pid, status);
	if (m->stopping && !sp_alive(m))
		event_base_loopexit(m->base, NULL);
}

/* Moves the sockets of services that stay into the new generation; binds
 * the new ones. */
static int sp_take_sockets(struct sp_master *m, struct sp_svcs *next, struct sp_diags *d)
{
	for (size_t i = 0; i < next->n; i++) {
		struct sp_svc *n = next->v[i];
		for (size_t k = 0; k < m->cur.n && n->nfds == 0; k++) {
			struct sp_svc *o = m->cur.v[k];
			if (o->nfds > 0 && strcmp(o->ms->name, n->ms->name) == 0) {
				memcpy(n->fds, o->fds, sizeof(o->fds));
				n->nfds = o->nfds;
				o->nfds = 0;
			}
		}
		if (n->nfds == 0 && sp_svc_bind(next, i, d) < 0)
			return -1;
	}
	for (int i = 0; i < next->nauth; i++)
		for (int k = 0; k < m->cur.nauth && next->auth[i].fd < 0; k++)
			if (m->cur.auth[k].fd >= 0 &&
			    strcmp(m->cur.auth[k].path, next->auth[i].path) == 0) {
				next->auth[i].fd = m->cur.auth[k].fd;
				m->cur.auth[k].fd = -1;
			}
	return sp_svcs_auth_bind(next, d);
}

/* A refused reload: the sockets taken from the running configuration go
 * back to it; those bound for the new one close with it. */
static void sp_give_back_sockets(struct sp_master *m, struct sp_svcs *next)
{
	for (size_t i = 0; i < next->n; i++)
		for (size_t k = 0; k < m->cur.n; k++)
			if (next->v[i]->nfds && m->cur.v[k]->nfds == 0 &&
			    strcmp(next->v[i]->ms->name, m->cur.v[k]->ms->name) == 0) {
				memcpy(m->cur.v[k]->fds, next->v[i]->fds, sizeof(next->v[i]->fds));
				m->cur.v[k]->nfds = next->v[i]->nfds;
				next->v[i]->nfds = 0;
			}
	for (int i = 0; i < next->nauth; i++)
		for (int k = 0; k < m->cur.nauth && next->auth[i].fd >= 0; k++)
			if (m->cur.auth[k].fd < 0 &&
			    strcmp(m->cur.auth[k].path, next->auth[i].path) == 0) {
				m->cur.auth[k].fd = next->auth[i].fd;
				next->auth[i].fd = -1;
			}
}

/* The auditor's findings on a configuration about to run: an error-level
 * one refuses it (as a diagnostic naming file, line and fix). */
static int sp_master_audit(const struct sp_svcs *s, struct sp_findings *f, struct sp_diags *d)
{
	sp_check_svcs(s, f);
	for (size_t i = 0; i < f->n; i++) {
		const struct sp_finding *x = &f->v[i];
		if (x->sev != SP_FS_ERROR)
			continue;
		sp_diag_add(d, SP_ERROR, x->file, x->line, x->param, x->fix, "%s%s%s[%s] %s",
			    x->service ? "service " : "", x->service ? x->service : "",
			    x->service ? ": " : "", x->id, x->what);
	}
	return f->count[SP_FS_ERROR] ? -1 : 0;
}

/* At every start: what was let through on purpose, and how many warnings
 * `sallyport check` has. */
static void sp_master_audit_log(struct sp_log *log, const struct sp_findings *f)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->v[i].id, "open-relay") == 0)
			sp_logf(log, "warning: %s%s%s", f->v[i].service ? f->v[i].service : "",
				f->v[i].service ? ": " : "", f->v[i].what);
	if (f->count[SP_FS_WARNING])
		sp_logf(log, "%zu warning%s from the configuration check: run sallyport check "
			"for details", f->count[SP_FS_WARNING],
			f->count[SP_FS_WARNING] == 1 ? "" : "s");
}

/* The security summary of what runs now: kept for the next reload's
 * difference, and in pid/master.check for `sallyport reload`. */
static void sp_master_snapshot(struct sp_master *m, const struct sp_findings *f)
{
	char path[1100];
	FILE *fp;

	free(m->snapshot);
	m->snapshot = sp_check_snapshot(&m->cur, f);
	snprintf(path, sizeof(path), "%s", m->pidfile);
	if (strrchr(path, '/'))
		snprintf(strrchr(path, '/') + 1, sizeof(path) - (size_t)(strrchr(path, '/') + 1 - path),
			 "master.check");
	if ((fp = fopen(path, "w")) != NULL) {
		fputs(m->snapshot, fp);
		fclose(fp);
	}
}

static void sp_log_change(void *vlog, const char *line)
{
	sp_logf(vlog, "reload: security: %s", line);
}

static void sp_reload(struct sp_master *m, const char *why)
{
	struct sp_diags d = {0};
	struct sp_svcs next;
	struct sp_findings nf = {0};
	unsigned old = m->gen;
	char *was;

	sp_logf(&m->log, "reload: %s", why);
	if (sp_svcs_load(&next, m->o->config_dir, m->o->foreground, &d) < 0 ||
	    sp_svcs_auth_check(&next, &d) < 0 || sp_master_audit(&next, &nf, &d) < 0 ||
	    sp_take_sockets(m, &next, &d) < 0) {
		for (size_t i = 0; i < d.n; i++)
			if (d.v[i].sev == SP_ERROR)
				sp_logf(&m->log, "warning: reload refused: %s%s%s", d.v[i].what,
					d.v[i].fix ? "; " : "", d.v[i].fix ? d.v[i].fix : "");
		sp_give_back_sockets(m, &next);
		sp_svcs_free(&next, 0);
		sp_diags_free(&d);
		sp_findings_free(&nf);
		return;
	}
	sp_svcs_free(&m->cur, 0);   /* closes the sockets of services that went away */
	m->cur = next;
	was = m->snapshot;
	m->snapshot = NULL;
	sp_master_snapshot(m, &nf);
	sp_check_diff(was ? was : "", m->snapshot, sp_log_change, &m->log);
	free(was);
	sp_findings_free(&nf);
	sp_start_generation(m);
	sp_signal_generation(m, old, SIGTERM);   /* the old workers drain */
	sp_diags_free(&d);
}

static void sp_on_hup(evutil_socket_t sig, short what, void *vm)
{
	(void)sig;
	(void)what;
	sp_reload(vm, "SIGHUP");
}

static void sp_kill_rest(evutil_socket_t fd, short what, void *vm)
{
	(void)fd;
	(void)what;
	sp_signal_generation(vm, 0, SIGKILL);
}

static void sp_on_term(evutil_socket_t sig, short what, void *vm)
{
	struct sp_master *m = vm;
	struct timeval tv = {15, 0};

	(void)what;
	sp_logf(&m->log, "terminating on signal %d", (int)sig);
	m->stopping = 1;
	sp_signal_generation(m, 0, SIGTERM);
	m->kill_timer = evtimer_new(m->base, sp_kill_rest, m);
	evtimer_add(m->kill_timer, &tv);
	if (!sp_alive(m))
		event_base_loopexit(m->base, NULL);
}

/* A table changed on disk: a new generation reads it. */
static void sp_on_tick(evutil_socket_t fd, short what, void *vm)
{
	struct sp_master *m = vm;
	const char *which = NULL;
	char why[1200];

	(void)fd;
	(void)what;
	if (!m->stopping && sp_svcs_stale(&m->cur, &which)) {
		snprintf(why, sizeof(why), "table %s changed", which);
		sp_reload(m, why);
	}
}

/* ---- start-up ---- */

static int sp_pidfile_path(const struct sp_config *c, char *buf, size_t len)
{
	const char *q = sp_view_get(&c->global, "queue_directory");

	return snprintf(buf, len, "%s/pid/master.pid", q ? q : ".") < (int)len ? 0 : -1;
}

int sp_master_pid(const char *config_dir, char *pidfile, size_t len, struct sp_diags *d)
{
	struct sp_config *c = sp_config_load(config_dir, NULL, d);
	FILE *fp;
	long pid = 0;

	if (c == NULL)
		return -1;
	sp_pidfile_path(c, pidfile, len);
	sp_config_free(c);
	if ((fp = fopen(pidfile, "r")) == NULL)
		return 0;
	if (fscanf(fp, "%ld", &pid) != 1)
		pid = 0;
	fclose(fp);
	return pid > 0 && kill((pid_t)pid, 0) == 0 ? (int)pid : 0;
}

/* The queue (and its pid/ directory) exists and belongs to mail_owner. */
static int sp_prepare_queue(struct sp_master *m, struct sp_diags *d)
{
	const char *owner = sp_view_get(&m->cur.config->global, "mail_owner");
	struct passwd *pw = NULL;
	char path[1100];

	if (geteuid() == 0 && (pw = getpwnam(owner ? owner : "")) == NULL) {
		sp_diag_add(d, SP_ERROR, NULL, 0, "mail_owner", "create the account (useradd "
			    "--system --no-create-home --shell /usr/sbin/nologin NAME) or name another",
			    "no account \"%s\"", owner ? owner : "");
		return -1;
	}
	for (size_t i = 0; i < m->cur.n; i++) {
		const char *q = m->cur.v[i]->conf.queue_dir;
		static const char *const sub[] = {"", "/incoming", "/active", "/deferred", "/hold"};
		if (sp_queue_mkdirs(q) < 0) {
			sp_diag_add(d, SP_ERROR, NULL, 0, "queue_directory", "create it, or name a "
				    "directory sallyport may write", "%s: %s", q, strerror(errno));
			return -1;
		}
		for (size_t k = 0; pw && k < sizeof(sub) / sizeof(sub[0]); k++) {
			snprintf(path, sizeof(path), "%s%s", q, sub[k]);
			if (chown(path, pw->pw_uid, pw->pw_gid) < 0) {
				sp_diag_add(d, SP_ERROR, NULL, 0, "queue_directory", NULL, "chown %s: %s",
					    path, strerror(errno));
				return -1;
			}
		}
	}
	snprintf(path, sizeof(path), "%s", m->pidfile);
	*strrchr(path, '/') = 0;
	if (mkdir(path, 0755) < 0 && errno != EEXIST) {
		sp_diag_add(d, SP_ERROR, NULL, 0, "queue_directory", NULL, "mkdir %s: %s", path,
			    strerror(errno));
		return -1;
	}
	return 0;
}

static int sp_write_pid(const char *path)
{
	char tmp[1100];
	FILE *fp;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((fp = fopen(tmp, "w")) == NULL || fprintf(fp, "%10ld\n", (long)getpid()) < 0 ||
	    fclose(fp) != 0)
		return -1;
	return rename(tmp, path);
}

/* One worker per two CPUs (at least one, at most 16), or master.cf's
 * process limit when lower: a worker's event loop uses about half of the
 * CPU its messages cost, and its commit threads (the file writes and
 * fsyncs) the other half, so this keeps every CPU busy without two loops
 * competing for one (bench/RESULTS.md: one worker on two CPUs spends ~10%
 * less CPU per message than two, and its commits share more directory
 * fsyncs). */
static int sp_workers_per_service(const struct sp_svc *s)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	long max = s->ms->maxproc && strcmp(s->ms->maxproc, "-") != 0 ? atol(s->ms->maxproc) : 100;
	long n = cpus < 2 ? 1 : (cpus + 1) / 2;

	if (n > 16)
		n = 16;
	if (max >= 1 && n > max)
		n = max;
	return (int)n;
}

static int sp_daemonize(void)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	setsid();
	if ((fd = open("/dev/null", O_RDWR)) >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	return 0;
}

int sp_master_main(const struct sp_master_opts *o, struct sp_diags *d)
{
	struct sp_master m;
	struct event *ev[4] = {NULL, NULL, NULL, NULL}, *tick = NULL;
	struct timeval tv = {SP_STALE_CHECK_S, 0};
	struct sp_findings findings = {0};
	char pidfile[1024];
	ssize_t n;
	int rc = 2;

	memset(&m, 0, sizeof(m));
	m.o = o;
	if (getrandom(m.ticket_keys, sizeof(m.ticket_keys), 0) != sizeof(m.ticket_keys)) {
		sp_diag_add(d, SP_ERROR, NULL, 0, NULL, NULL, "getrandom: %s", strerror(errno));
		goto out;
	}
	if (sp_svcs_load(&m.cur, o->config_dir, o->foreground, d) < 0 ||
	    sp_svcs_auth_check(&m.cur, d) < 0 || sp_master_audit(&m.cur, &findings, d) < 0)
		goto out;
	sp_pidfile_path(m.cur.config, m.pidfile, sizeof(m.pidfile));
	if (o->check_only) {
		rc = 0;
		goto out;
	}
	if (sp_master_pid(o->config_dir, pidfile, sizeof(pidfile), d) > 0) {
		sp_diag_add(d, SP_ERROR, NULL, 0, NULL, "sallyport stop, or sallyport reload",
			    "the mail system is already running (%s)", pidfile);
		goto out;
	}
	if (sp_prepare_queue(&m, d) < 0)
		goto out;
	for (size_t i = 0; i < m.cur.n; i++)
		if (sp_svc_bind(&m.cur, i, d) < 0)
			goto out;
	if (sp_svcs_auth_bind(&m.cur, d) < 0)
		goto out;
	if ((n = readlink("/proc/self/exe", m.exe, sizeof(m.exe) - 1)) <= 0)
		goto out;
	m.exe[n] = 0;
	if (!o->foreground && sp_daemonize() < 0)
		goto out;
	sp_log_setup(&m.log, &m.cur.config->global, "master", o->foreground);
	if (sp_write_pid(m.pidfile) < 0)
		sp_logf(&m.log, "warning: cannot write %s: %s", m.pidfile, strerror(errno));
	if (geteuid() != 0)
		sp_logf(&m.log, "warning: running as uid %ld, not root: no chroot and no change of "
			"user", (long)geteuid());
	signal(SIGPIPE, SIG_IGN);
	m.base = event_base_new();
	{
		const char *unit = sp_view_get(&m.cur.config->global, "anvil_rate_time_unit");
		m.anvil = sp_anvil_new(m.base, unit ? atoi(unit) : 60);
	}
	ev[0] = evsignal_new(m.base, SIGCHLD, sp_on_chld, &m);
	ev[1] = evsignal_new(m.base, SIGTERM, sp_on_term, &m);
	ev[2] = evsignal_new(m.base, SIGINT, sp_on_term, &m);
	ev[3] = evsignal_new(m.base, SIGHUP, sp_on_hup, &m);
	for (int i = 0; i < 4; i++)
		event_add(ev[i], NULL);
	tick = event_new(m.base, -1, EV_PERSIST, sp_on_tick, &m);
	event_add(tick, &tv);
	m.per_svc = sp_workers_per_service(m.cur.v[0]);
	sp_start_generation(&m);
	sp_logf(&m.log, "daemon started -- version %s, configuration %s", SP_VERSION,
		o->config_dir);
	sp_master_audit_log(&m.log, &findings);
	sp_master_snapshot(&m, &findings);
	event_base_dispatch(m.base);
	sp_logf(&m.log, "stopped");
	unlink(m.pidfile);
	rc = 0;
out:
	for (int i = 0; i < SP_WORKERS_MAX; i++) {
		if (m.w[i].restart)
			event_free(m.w[i].restart);
		sp_anvil_peer_free(&m.w[i].anvil);
	}
	sp_anvil_free(&m.anvil);
	for (int i = 0; i < 4; i++)
		if (ev[i])
			event_free(ev[i]);
	if (tick)
		event_free(tick);
	if (m.kill_timer)
		event_free(m.kill_timer);
	if (m.base)
		event_base_free(m.base);
	if (m.cur.config)
		sp_svcs_free(&m.cur, 0);
	sp_findings_free(&findings);
	free(m.snapshot);
	return rc;
}
