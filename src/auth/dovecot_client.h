/*
 * dovecot_client.h - one worker's connection to Dovecot's auth socket
 * (smtpd_sasl_type = dovecot; the built-in auth server speaks the same):
 * connected on first need and again after the server restarts, the
 * handshake's mechanism list kept for EHLO, requests multiplexed by id,
 * each with a timeout. Runs on the worker's event loop.
 */
#ifndef SP_AUTH_DOVECOT_CLIENT_H
#define SP_AUTH_DOVECOT_CLIENT_H

#include "dovecot.h"

struct event_base;
struct sp_dvc;

/* log(ctx, line) gets warnings in Postfix's words. */
struct sp_dvc *sp_dvc_new(struct event_base *base, const char *path, int timeout_s,
			  void (*log)(void *ctx, const char *line), void *log_ctx);
void sp_dvc_free(struct sp_dvc **cp);

/* Runs the loop until the auth server has answered the handshake, or it
 * cannot be reached, or timeout_ms has passed (a worker does this before
 * it takes connections, so that its first EHLO offers AUTH). 1 when ready. */
int sp_dvc_wait_ready(struct sp_dvc *c, int timeout_ms);

/* The mechanisms offered now, space-separated, without the private ones
 * and those with a flag in exclude (SP_DV_MECH_*); "" when the auth server
 * has not answered (a connection is then started). */
const char *sp_dvc_mechs(struct sp_dvc *c, unsigned exclude, char *buf, size_t len);
/* 1 when mech is one of those. */
int sp_dvc_has_mech(struct sp_dvc *c, const char *mech, unsigned exclude);

/* The answer to a request: an OK, CONT or FAIL line, or NULL when the auth
 * server could not be asked or did not answer in time. */
typedef void (*sp_dvc_cb)(void *arg, const struct sp_dv_line *reply);

/* Starts an authentication (a->id is set here). Returns 0, the answer
 * coming through cb; -1 when it cannot be sent (cb is not called). */
int sp_dvc_auth(struct sp_dvc *c, struct sp_dv_auth *a, sp_dvc_cb cb, void *arg);
/* Continues request id after a CONT; 0 or -1 as above. */
int sp_dvc_cont(struct sp_dvc *c, unsigned long id, const char *b64, sp_dvc_cb cb, void *arg);
/* Forgets request id (its client went away): cb will not be called. */
void sp_dvc_cancel(struct sp_dvc *c, unsigned long id);

#endif
