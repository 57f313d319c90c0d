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

#include <sys/stat.h>

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
	int conf_bad;                  /* conf did not load (only the auditor keeps such a
					* service, for its restrictions) */
	int fds[SP_SVC_FDS];           /* listening sockets */
	int nfds;
};

#define SP_AUTH_SOCKS 8

/* A socket of the built-in auth server: smtpd_sasl_path of every service
 * with smtpd_sasl_type = sallyport, relative to queue_directory. */
struct sp_auth_sock {
	char path[108];                /* sizeof sun_path */
	int fd;                        /* -1 until bound */
};

struct sp_svcs {
	struct sp_config *config;
	struct sp_svc *v[SP_SVC_MAX];
	size_t n;
	struct sp_qid_gen qids;
	struct sp_auth_sock auth[SP_AUTH_SOCKS];
	int nauth;                     /* 0: no auth process */
	const char *passwd_file;       /* auth_passwd_file (the config's string) */
	struct stat passwd_st;         /* as read by sp_svcs_auth_check */
};

/* Loads dir and every smtpd service (no sockets yet). Returns 0, or -1
 * with errors in d. foreground: where the services will log. */
int sp_svcs_load(struct sp_svcs *s, const char *dir, int foreground, struct sp_diags *d);

/* The same for the auditor: goes on past configuration errors (to load
 * every service it can), and with Postfix's defaults when postfix is set
 * (the directory of a real Postfix). */
int sp_svcs_load_lenient(struct sp_svcs *s, const char *dir, int postfix, struct sp_diags *d);

/* Opens the listening sockets of service i (as root, before any
 * privilege drop). Returns 0, or -1 with an error in d. */
int sp_svc_bind(struct sp_svcs *s, size_t i, struct sp_diags *d);

/* The master's check of auth_passwd_file (smtpd never reads it): parses
 * it and remembers its identity for sp_svcs_stale. Returns 0, or -1 with
 * errors in d. Nothing to do when no service uses the built-in server. */
int sp_svcs_auth_check(struct sp_svcs *s, struct sp_diags *d);

/* Collects the auth sockets from the loaded services (sp_svcs_load). */
void sp_svcs_auth_paths(struct sp_svcs *s, struct sp_diags *d);

/* 1 when auth_passwd_file changed since sp_svcs_auth_check. */
int sp_svcs_auth_stale(const struct sp_svcs *s);

/* Binds the auth sockets not yet bound (as root: owned by mail_owner, mode
 * 0660, in a directory created 0700 when missing). Returns 0 or -1. */
int sp_svcs_auth_bind(struct sp_svcs *s, struct sp_diags *d);

/* 1 when a table one of the services reads, or auth_passwd_file, has
 * changed since it was opened (*which names it). */
int sp_svcs_stale(const struct sp_svcs *s, const char **which);

/* Frees everything but the listening sockets when keep_fds. */
void sp_svcs_free(struct sp_svcs *s, int keep_fds);

#endif
