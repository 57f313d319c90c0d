/*
 * svc.c - loading the smtpd services and binding their sockets (see svc.h).
 */
#include "svc.h"
#include "../util/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/* Postfix services that sallyport's own roles replace: recognised, not run. */
static const char *const sp_internal[] = {
	"pickup", "cleanup", "qmgr", "oqmgr", "tlsmgr", "trivial-rewrite", "bounce", "flush",
	"proxymap", "verify", "showq", "error", "discard", "local", "virtual", "lmtp", "smtp",
	"anvil", "scache", "postlogd", "postscreen", "dnsblog", "tlsproxy",
};

/* Parameters whose value names a transport (a master.cf service). */
static const char *const sp_transport_params[] = {
	"default_transport", "relay_transport", "local_transport", "virtual_transport",
	"mailbox_transport", "fallback_transport", "content_filter",
};

static uint64_t sp_now_us(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
}

static int sp_is_internal(const char *cmd)
{
	for (size_t i = 0; i < sizeof(sp_internal) / sizeof(sp_internal[0]); i++)
		if (strcmp(cmd, sp_internal[i]) == 0)
			return 1;
	return 0;
}

static int sp_names(const char *v, const char *name)
{
	size_t n = strlen(name);

	return v && strncmp(v, name, n) == 0 && (v[n] == 0 || v[n] == ':');
}

/* 1 when a parameter (in main.cf or as an -o override of any service)
 * sends mail to the transport name ("name" or "name:nexthop"). */
static int sp_transport_used(const struct sp_config *c, const char *name)
{
	for (size_t i = 0; i < sizeof(sp_transport_params) / sizeof(sp_transport_params[0]); i++) {
		if (sp_names(sp_view_get(&c->global, sp_transport_params[i]), name))
			return 1;
		for (size_t k = 0; k < c->master.n; k++)
			for (size_t j = 0; j < c->master.v[k].overrides.n; j++) {
				const struct sp_assign *a = &c->master.v[k].overrides.v[j];
				if (strcmp(a->name, sp_transport_params[i]) == 0 && sp_names(a->value, name))
					return 1;
			}
	}
	return 0;
}

/* A service sallyport cannot run (pipe, spawn, a filter...): an error when
 * the configuration sends mail to it, else reported once as not used. */
static void sp_svc_foreign(const struct sp_config *c, const struct sp_service *s,
			   struct sp_diags *d)
{
	if (sp_transport_used(c, s->name))
		sp_diag_add(d, SP_ERROR, s->file, s->line, s->name, "deliver another way, or run "
			    "that program outside sallyport", "sallyport cannot run \"%s\" yet, and "
			    "the configuration sends mail to it", s->command);
	else
		sp_diag_add(d, SP_WARNING, s->file, s->line, s->name, NULL,
			    "\"%s\" service is not used by the configuration; sallyport does not run it",
			    s->command);
	sp_diag_unsupported(d);
}

static void sp_svc_free(struct sp_svc *svc, int keep_fds)
{
	for (int i = 0; i < svc->nfds && !keep_fds; i++)
		close(svc->fds[i]);
	sp_policy_free(&svc->policy);
	sp_smtpd_conf_free(&svc->conf);
	sp_view_free(&svc->view);
	free(svc);
}

/* smtpd_sasl_path is relative to queue_directory, which is also the
 * chroot: an absolute path cannot be reached from inside it (the mistake
 * of ../shared/seed/); say which relative path was meant. */
static int sp_svc_sasl_path(const struct sp_svc *svc, struct sp_diags *d)
{
	const struct sp_param *p = sp_view_find(&svc->view, "smtpd_sasl_path");
	const char *path = svc->conf.sasl_path, *q = svc->conf.queue_dir;
	size_t ql = strlen(q);
	char fix[1200];

	if (svc->conf.sasl_enable && strchr(path, '/') == NULL)   /* Postfix's words */
		sp_diag_add(d, SP_WARNING, p ? p->file : NULL, p ? p->line : 0, "smtpd_sasl_path",
			    "put the socket in private/ and write smtpd_sasl_path = private/NAME",
			    "when SASL type is \"dovecot\", SASL path \"%s\" should be a socket "
			    "pathname", path);
	if (!svc->conf.sasl_enable || path[0] != '/' || !svc->chroot)
		return 0;
	if (strncmp(path, q, ql) == 0 && path[ql] == '/')
		snprintf(fix, sizeof(fix), "write smtpd_sasl_path = %s", path + ql + 1);
	else
		snprintf(fix, sizeof(fix), "put the socket under %s (Dovecot: service auth { "
			 "unix_listener %s/private/auth { ... } }) and write smtpd_sasl_path = "
			 "private/auth", q, q);
	sp_diag_add(d, SP_ERROR, p ? p->file : NULL, p ? p->line : 0, "smtpd_sasl_path", fix,
		    "%s is an absolute path, but service %s runs chrooted in %s (master.cf), "
		    "where that path does not exist; the path is relative to queue_directory",
		    path, svc->ms->name, q);
	return -1;
}

/* lenient (the auditor): the service is kept when its smtpd settings have
 * errors, as long as its restrictions compile. */
static struct sp_svc *sp_svc_load(struct sp_svcs *all, const struct sp_service *s, int fg,
				  int lenient, struct sp_diags *d)
{
	struct sp_svc *svc = sp_xcalloc(1, sizeof(*svc));

	svc->ms = s;
	if (sp_config_service_view(all->config, s, &svc->view, d) != 0 ||
	    ((svc->conf_bad = sp_smtpd_conf_load(&svc->view, &svc->conf, d) < 0) && !lenient)) {
		sp_view_free(&svc->view);
		free(svc);
		return NULL;
	}
	if ((svc->policy = sp_policy_compile(&svc->view, d)) == NULL) {
		sp_smtpd_conf_free(&svc->conf);
		sp_view_free(&svc->view);
		free(svc);
		return NULL;
	}
	sp_log_setup(&svc->log, &svc->view, "smtpd", fg);
	svc->chroot = s->chroot == 'y';
	if (!svc->conf_bad && sp_svc_sasl_path(svc, d) < 0) {
		sp_svc_free(svc, 1);
		return NULL;
	}
	svc->env.conf = &svc->conf;
	svc->env.policy = svc->policy;
	svc->env.qids = &all->qids;
	svc->env.now_us = sp_now_us;
	svc->env.log = sp_log_line;
	svc->env.log_as = sp_log_line_as;
	svc->env.log_ctx = &svc->log;
	return svc;
}

static int sp_svcs_load_opts(struct sp_svcs *s, const char *dir, int foreground,
			     const struct sp_config_opts *opts, int lenient, struct sp_diags *d)
{
	memset(s, 0, sizeof(*s));
	sp_qid_gen_init(&s->qids, (uint32_t)getpid());
	if ((s->config = sp_config_load(dir, opts, d)) == NULL || (d->errors && !lenient))
		return -1;
	for (size_t i = 0; i < s->config->master.n; i++) {
		const struct sp_service *ms = &s->config->master.v[i];
		if (strcmp(ms->command, "smtpd") != 0) {
			if (!sp_is_internal(ms->command))
				sp_svc_foreign(s->config, ms, d);
			continue;
		}
		if (strcmp(ms->type, "inet") != 0)
			continue;   /* postscreen's pass smtpd: the listener replaces it */
		if (s->n == SP_SVC_MAX) {
			sp_diag_add(d, SP_ERROR, ms->file, ms->line, ms->name, "use fewer services",
				    "more than %d smtpd services", SP_SVC_MAX);
			break;
		}
		if ((s->v[s->n] = sp_svc_load(s, ms, foreground, lenient, d)) != NULL)
			s->n++;
	}
	sp_svcs_auth_paths(s, d);
	if (d->errors == 0 && s->n == 0)
		sp_diag_add(d, SP_ERROR, s->config->master_path, 0, NULL, "add a line such as "
			    "\"127.0.0.1:2525 inet n - n - - smtpd\"", "master.cf has no smtpd service");
	return d->errors ? -1 : 0;
}

int sp_svcs_load(struct sp_svcs *s, const char *dir, int foreground, struct sp_diags *d)
{
	return sp_svcs_load_opts(s, dir, foreground, NULL, 0, d);
}

int sp_svcs_load_lenient(struct sp_svcs *s, const char *dir, int postfix, struct sp_diags *d)
{
	struct sp_config_opts o = {NULL, postfix};

	return sp_svcs_load_opts(s, dir, 1, &o, 1, d);
}

/* The host part of the service name, or inet_interfaces. */
static void sp_svc_where(const struct sp_svc *svc, char *host, size_t hlen, char *port,
			 size_t plen)
{
	const char *name = svc->ms->name, *colon = strrchr(name, ':');
	const char *ifs = sp_view_get(&svc->view, "inet_interfaces");

	host[0] = 0;
	if (colon) {
		size_t hl = (size_t)(colon - name);
		if (name[0] == '[' && hl >= 2 && name[hl - 1] == ']')
			snprintf(host, hlen, "%.*s", (int)(hl - 2), name + 1);
		else
			snprintf(host, hlen, "%.*s", (int)hl, name);
		snprintf(port, plen, "%s", colon + 1);
	} else {
		snprintf(port, plen, "%s", name);
	}
	if (host[0] == 0 && ifs && strcmp(ifs, "all") != 0)
		snprintf(host, hlen, "%s", strcmp(ifs, "loopback-only") == 0 ||
			 strcmp(ifs, "localhost") == 0 ? "127.0.0.1" : ifs);
}

int sp_svc_bind(struct sp_svcs *all, size_t i, struct sp_diags *d)
{
	struct sp_svc *svc = all->v[i];
	struct addrinfo hints, *res, *ai;
	char host[256], port[64];
	int rc, one = 1;

	sp_svc_where(svc, host, sizeof(host), port, sizeof(port));
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	if ((rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &res)) != 0) {
		sp_diag_add(d, SP_ERROR, svc->ms->file, svc->ms->line, svc->ms->name,
			    "write [host:]port or a service name", "%s", gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai && svc->nfds < SP_SVC_FDS; ai = ai->ai_next) {
		int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (ai->ai_family == AF_INET6)
			setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 1024) < 0) {
			sp_diag_add(d, SP_ERROR, svc->ms->file, svc->ms->line, svc->ms->name,
				    "free the port, or use another one in master.cf", "cannot listen on "
				    "%s:%s: %s", host[0] ? host : "*", port, strerror(errno));
			close(fd);
			freeaddrinfo(res);
			return -1;
		}
		svc->fds[svc->nfds++] = fd;
	}
	freeaddrinfo(res);
	return svc->nfds > 0 ? 0 : -1;
}

int sp_svcs_stale(const struct sp_svcs *s, const char **which)
{
	for (size_t i = 0; i < s->n; i++)
		if (sp_policy_stale(s->v[i]->policy, which))
			return 1;
	if (sp_svcs_auth_stale(s)) {
		*which = s->passwd_file;
		return 1;
	}
	return 0;
}

void sp_svcs_free(struct sp_svcs *s, int keep_fds)
{
	for (size_t i = 0; i < s->n; i++)
		sp_svc_free(s->v[i], keep_fds);
	for (int i = 0; i < s->nauth && !keep_fds; i++)
		if (s->auth[i].fd >= 0)
			close(s->auth[i].fd);
	sp_config_free(s->config);
	memset(s, 0, sizeof(*s));
}
