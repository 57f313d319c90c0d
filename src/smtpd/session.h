/*
 * session.h - one SMTP server session as a state machine without I/O:
 * bytes from the client go in, replies come out, and the few things that
 * must not block the event loop (a DNS answer for the policy engine, the
 * fsync of a queue file) are asked of the caller, who answers later. The
 * event loop (src/smtpd/server.c) and the dialog tests drive the same code.
 *
 * Input is consumed command by command in arrival order; replies collect
 * in the output buffer and are sent when the session wants more input
 * (pipelined commands are answered in one batch). Commands and DATA lines
 * must end in CRLF (src/smtp/line.h, src/smtp/data.h).
 */
#ifndef SP_SMTPD_SESSION_H
#define SP_SMTPD_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "../policy/policy.h"
#include "../queue/qfile.h"
#include "../util/buf.h"

struct sp_session;

/* What the caller does next. */
enum sp_want {
	SP_WANT_INPUT,    /* send the output, then read more */
	SP_WANT_DNS,      /* look up sp_session_dns_query(), then sp_session_dns_answer() */
	SP_WANT_COMMIT,   /* sp_qfile_commit(sp_session_qfile()) (off the loop), then
			   * sp_session_commit_done() */
	SP_WANT_CLOSE,    /* send the output, then close the connection */
	SP_WANT_AUTH,     /* ask the auth server (sp_session_auth_query()), then
			   * sp_session_auth_answer() */
	SP_WANT_STARTTLS, /* send the output, throw away the client's input not yet
			   * used (what it pipelined after STARTTLS), run the TLS
			   * handshake, then sp_session_tls_started() */
};

/* Shared by the sessions of one process; read-only for them except the ID
 * generator. */
struct sp_smtpd_env {
	const struct sp_smtpd_conf *conf;
	const struct sp_policy *policy;
	struct sp_qid_gen *qids;
	uint64_t (*now_us)(void);                 /* wall clock, microseconds */
	void (*log)(void *ctx, const char *line); /* one log line, Postfix's format */
	/* the same under another program name (may be NULL: log is used) */
	void (*log_as)(void *ctx, const char *program, const char *line);
	void *log_ctx;
	int anvil;                                /* 1: anvil_fd talks to the master's anvil;
						   * 0 (zeroed env): no client limits */
	int anvil_fd;
	int service;                              /* this service's index, for anvil */
	struct sp_dvc *sasl;                      /* the auth server (auth/dovecot_client.h);
						   * NULL: AUTH not offered */
};

/* SP_WANT_AUTH: the request for the auth server. first: a new
 * authentication (mech, and resp the initial response or NULL); else the
 * client's response resp to request id. */
struct sp_dv_auth;
struct sp_dv_line;
void sp_session_auth_query(struct sp_session *s, int *first, struct sp_dv_auth *a,
			   unsigned long *id);
/* The answer (NULL: the auth server could not be asked); sp_dv_auth's id
 * of a first request is passed back through it. */
enum sp_want sp_session_auth_answer(struct sp_session *s, unsigned long id,
				    const struct sp_dv_line *reply);

/* TLS is up (after STARTTLS, or at connect in wrapper mode): the session
 * forgets what it knew, as RFC 3207 4.2 says (HELO, the transaction), and
 * records the protocol, cipher and client certificate for the logs, the
 * restrictions and the Received header. info must outlive the session. */
struct sp_tls_info;
enum sp_want sp_session_tls_started(struct sp_session *s, const struct sp_tls_info *info);

/* The client as the server found it at connect. */
struct sp_peer {
	char addr[64];             /* "192.0.2.1" (IPv4-mapped already unmapped) */
	char name[256];            /* verified name, or "unknown" */
	char reverse_name[256];    /* PTR name, or "unknown" */
	enum sp_peer_status name_status, reverse_status;
	char local_addr[64];       /* the server's address of the connection ("" unknown) */
};

struct sp_session *sp_session_new(const struct sp_smtpd_env *env, const struct sp_peer *peer);
void sp_session_free(struct sp_session **sp);

/* Starts the session: the greeting (or, with smtpd_delay_reject = no, the
 * client restrictions' answer). */
enum sp_want sp_session_start(struct sp_session *s);

/* Feeds client bytes; *used gets how many were consumed (the rest must be
 * fed again after a DNS answer or a commit). */
enum sp_want sp_session_input(struct sp_session *s, const char *in, size_t len, size_t *used);

/* The replies so far; the caller sends and empties it (sp_buf_reset). */
struct sp_buf *sp_session_output(struct sp_session *s);

/* SP_WANT_DNS: what to look up. */
void sp_session_dns_query(const struct sp_session *s, enum sp_pdns_kind *kind, const char **name);
enum sp_want sp_session_dns_answer(struct sp_session *s, enum sp_pdns_status st);

/* SP_WANT_COMMIT: the queue file to commit, and the result (0 or errno). */
struct sp_qfile *sp_session_qfile(struct sp_session *s);
enum sp_want sp_session_commit_done(struct sp_session *s, int err);

/* The client said nothing for smtpd_timeout, or closed the connection. */
enum sp_want sp_session_timeout(struct sp_session *s);
void sp_session_eof(struct sp_session *s);

/* Errors so far (for smtpd_error_sleep_time: the caller delays its replies
 * once this reaches smtpd_soft_error_limit). */
unsigned sp_session_errors(const struct sp_session *s);

#endif
