/*
 * run.c - loads the configuration, builds one service per smtpd line of
 * master.cf (settings, policy, listeners), and runs the event loop (see
 * run.h). Log lines go to stderr in Postfix's format, under syslog_name.
 */
#include "run.h"
#include "../config/config.h"
#include "../policy/policy.h"
#include "../queue/qfile.h"
#include "../smtpd/server.h"
#include "../util/mem.h"

#include <errno.h>
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

struct sp_svc {
	struct sp_view view;
	struct sp_smtpd_conf conf;
	struct sp_policy *policy;
	struct sp_smtpd_env env;
	char tag[128];             /* "postfix/smtpd" */
};

/* Postfix services that sallyport's own roles replace: recognised, not run. */
static const char *const sp_internal[] = {
	"pickup", "cleanup", "qmgr", "oqmgr", "tlsmgr", "trivial-rewrite", "bounce", "flush",
	"proxymap", "verify", "showq", "error", "discard", "local", "virtual", "lmtp", "smtp",
	"anvil", "scache", "postlogd", "postscreen", "dnsblog", "tlsproxy",
};

static uint64_t sp_now_us(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (uint64_t)tv.tv_sec * 1000000u + (uint64_t)tv.tv_usec;
}

static void sp_log_stderr(void *ctx, const char *line)
{
	const struct sp_svc *svc = ctx;
	char stamp[32], host[256] = "localhost";
	time_t t = time(NULL);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm);
	gethostname(host, sizeof(host) - 1);
	fprintf(stderr, "%s %s %s[%ld]: %s\n", stamp, host, svc->tag, (long)getpid(), line);
}

static int sp_is_internal(const char *cmd)
{
	for (size_t i = 0; i < sizeof(sp_internal) / sizeof(sp_internal[0]); i++)
		if (strcmp(cmd, sp_internal[i]) == 0)
			return 1;
	return 0;
}

/* One smtpd service: its view, settings and compiled restrictions. */
static struct sp_svc *sp_svc_load(const struct sp_config *c, const struct sp_service *s,
				  struct sp_qid_gen *qids, struct sp_diags *d)
{
	struct sp_svc *svc = sp_xcalloc(1, sizeof(*svc));
	const char *name;

	if (sp_config_service_view(c, s, &svc->view, d) != 0 ||
	    sp_smtpd_conf_load(&svc->view, &svc->conf, d) < 0) {
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
	name = sp_view_get(&svc->view, "syslog_name");
	snprintf(svc->tag, sizeof(svc->tag), "%s/smtpd", name && *name ? name : "postfix");
	svc->env.conf = &svc->conf;
	svc->env.policy = svc->policy;
	svc->env.qids = qids;
	svc->env.now_us = sp_now_us;
	svc->env.log = sp_log_stderr;
	svc->env.log_ctx = svc;
	return svc;
}

static void sp_svc_free(struct sp_svc *svc)
{
	sp_policy_free(&svc->policy);
	sp_smtpd_conf_free(&svc->conf);
	sp_view_free(&svc->view);
	free(svc);
}

/* "[host]:port", "host:port" or "port" (then inet_interfaces decides). */
static int sp_svc_listen(struct sp_server *srv, struct sp_svc *svc, const char *name,
			 struct sp_diags *d, const struct sp_service *s)
{
	char host[256] = "", port[64], err[512];
	const char *colon = strrchr(name, ':');
	const char *ifs = sp_view_get(&svc->view, "inet_interfaces");

	if (colon) {
		size_t hl = (size_t)(colon - name);
		if (name[0] == '[' && hl >= 2 && name[hl - 1] == ']')
			snprintf(host, sizeof(host), "%.*s", (int)(hl - 2), name + 1);
		else
			snprintf(host, sizeof(host), "%.*s", (int)hl, name);
		snprintf(port, sizeof(port), "%s", colon + 1);
	} else {
		snprintf(port, sizeof(port), "%s", name);
	}
	if (host[0] == 0 && ifs && strcmp(ifs, "all") != 0)
		snprintf(host, sizeof(host), "%s", strcmp(ifs, "loopback-only") == 0 ? "127.0.0.1"
			 : strcmp(ifs, "localhost") == 0 ? "127.0.0.1" : ifs);
	if (sp_server_listen(srv, host[0] ? host : NULL, port, &svc->env, err, sizeof(err)) < 0) {
		sp_diag_add(d, SP_ERROR, s->file, s->line, s->name, "free the port, or use another "
			    "one in master.cf", "%s", err);
		return -1;
	}
	return 0;
}

/* Parameters whose value names a transport (a master.cf service). */
static const char *const sp_transport_params[] = {
	"default_transport", "relay_transport", "local_transport", "virtual_transport",
	"mailbox_transport", "fallback_transport", "content_filter",
};

/* 1 when param's value (in main.cf or as an -o override of any service)
 * names the transport name ("name" or "name:nexthop"). */
static int sp_transport_used(const struct sp_config *c, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < sizeof(sp_transport_params) / sizeof(sp_transport_params[0]); i++) {
		const char *v = sp_view_get(&c->global, sp_transport_params[i]);
		if (v && strncmp(v, name, n) == 0 && (v[n] == 0 || v[n] == ':'))
			return 1;
		for (size_t k = 0; k < c->master.n; k++)
			for (size_t j = 0; j < c->master.v[k].overrides.n; j++) {
				const struct sp_assign *a = &c->master.v[k].overrides.v[j];
				if (strcmp(a->name, sp_transport_params[i]) == 0 &&
				    strncmp(a->value, name, n) == 0 && (a->value[n] == 0 || a->value[n] == ':'))
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
}

static void sp_on_signal(evutil_socket_t sig, short what, void *vsrv)
{
	(void)what;
	fprintf(stderr, "sallyport: %s: stopping (sessions get 10 seconds to finish)\n",
		sig == SIGTERM ? "SIGTERM" : "SIGINT");
	sp_server_stop(vsrv, 10);
}

int sp_master_run(const struct sp_run_opts *o, struct sp_diags *d)
{
	struct sp_config *c = sp_config_load(o->config_dir, NULL, d);
	struct sp_svc *svcs[64];
	struct sp_qid_gen qids;
	size_t n = 0;
	int rc = 2;
	struct event_base *base = NULL;
	struct sp_server *srv = NULL;
	struct event *sigs[2] = {NULL, NULL};
	char err[512];

	if (c == NULL || d->errors)
		goto out;
	sp_qid_gen_init(&qids, (uint32_t)getpid());
	for (size_t i = 0; i < c->master.n && n < 64; i++) {
		const struct sp_service *s = &c->master.v[i];
		if (strcmp(s->command, "smtpd") != 0) {
			if (!sp_is_internal(s->command))
				sp_svc_foreign(c, s, d);
			continue;
		}
		if (strcmp(s->type, "inet") != 0)
			continue;   /* a pass/unix smtpd (postscreen's): replaced by the listener */
		if ((svcs[n] = sp_svc_load(c, s, &qids, d)) != NULL)
			n++;
	}
	if (d->errors)
		goto out;
	if (n == 0) {
		sp_diag_add(d, SP_ERROR, c->master_path, 0, NULL, "add a line such as "
			    "\"127.0.0.1:2525 inet n - n - - smtpd\"", "master.cf has no smtpd service");
		goto out;
	}
	for (size_t i = 0; i < n && !o->check_only; i++) {
		if (sp_queue_mkdirs(svcs[i]->conf.queue_dir) < 0) {
			sp_diag_add(d, SP_ERROR, NULL, 0, "queue_directory", "create it, or set "
				    "queue_directory to a directory sallyport may write", "%s: %s",
				    svcs[i]->conf.queue_dir, strerror(errno));
			goto out;
		}
	}
	if (o->check_only) {
		rc = 0;
		goto out;
	}
	base = event_base_new();
	if ((srv = sp_server_new(base, NULL, err, sizeof(err))) == NULL) {
		sp_diag_add(d, SP_ERROR, NULL, 0, NULL, NULL, "%s", err);
		goto out;
	}
	for (size_t i = 0, k = 0; i < c->master.n; i++) {
		const struct sp_service *s = &c->master.v[i];
		if (strcmp(s->command, "smtpd") != 0 || strcmp(s->type, "inet") != 0)
			continue;
		if (sp_svc_listen(srv, svcs[k++], s->name, d, s) < 0)
			goto out;
	}
	if (geteuid() != 0)
		fprintf(stderr, "sallyport: warning: running as uid %ld, not root: no chroot and no "
			"change of user\n", (long)geteuid());
	signal(SIGPIPE, SIG_IGN);
	sigs[0] = evsignal_new(base, SIGTERM, sp_on_signal, srv);
	sigs[1] = evsignal_new(base, SIGINT, sp_on_signal, srv);
	event_add(sigs[0], NULL);
	event_add(sigs[1], NULL);
	fprintf(stderr, "sallyport: started: %zu smtpd service%s\n", n, n == 1 ? "" : "s");
	event_base_dispatch(base);
	rc = 0;
out:
	for (int i = 0; i < 2; i++)
		if (sigs[i])
			event_free(sigs[i]);
	sp_server_free(&srv);
	if (base)
		event_base_free(base);
	for (size_t i = 0; i < n; i++)
		sp_svc_free(svcs[i]);
	sp_config_free(c);
	return rc;
}
