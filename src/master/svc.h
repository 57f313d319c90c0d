/*
 * svc.h - the smtpd services of a configuration: each master.cf smtpd
 * line with its view (-o overrides applied), settings and compiled
 * restrictions; the sockets it listens on; and the check of the other
 * master.cf lines (Postfix's own services are recognised; programs
 * sallyport cannot run are an error only when mail is sent to them).
 */
#ifndef SP_MASTER_SVC_H
#define SP_MASTER_SVC_H

#include "log.h"
#include "../config/config.h"
#include "../policy/policy.h"
#include "../smtpd/session.h"

#define SP_SVC_MAX 32
#define SP_SVC_FDS 8

struct sp_svc {
	const struct sp_service *ms;   /* its master.cf line (owned by the config) */
	struct sp_view view;
	struct sp_smtpd_conf conf;
	struct sp_policy *policy;
	struct sp_smtpd_env env;
	struct sp_log log;
	int chroot;                    /* master.cf says y */
	int fds[SP_SVC_FDS];           /* listening sockets */
	int nfds;
};

struct sp_svcs {
	struct sp_config *config;
	struct sp_svc *v[SP_SVC_MAX];
	size_t n;
	struct sp_qid_gen qids;
};

/* Loads dir and every smtpd service (no sockets yet). Returns 0, or -1
 * with errors in d. foreground: where the services will log. */
int sp_svcs_load(struct sp_svcs *s, const char *dir, int foreground, struct sp_diags *d);

/* Opens the listening sockets of service i (as root, before any
 * privilege drop). Returns 0, or -1 with an error in d. */
int sp_svc_bind(struct sp_svcs *s, size_t i, struct sp_diags *d);

/* 1 when a table one of the services reads has changed since it was
 * opened (*which names it). */
int sp_svcs_stale(const struct sp_svcs *s, const char **which);

/* Frees everything but the listening sockets when keep_fds. */
void sp_svcs_free(struct sp_svcs *s, int keep_fds);

#endif
