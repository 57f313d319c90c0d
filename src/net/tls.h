/*
 * tls.h - the server side of TLS (OpenSSL 3) for one smtpd service: the
 * context built from its smtpd_tls_* settings at start-up, before the
 * privilege drop (certificates and keys are read then and never again; the
 * workers inherit the context), and what an established session is, for
 * the logs and the Received header. The handshake itself runs in libevent's
 * OpenSSL bufferevent (smtpd/server.c).
 */
#ifndef SP_NET_TLS_H
#define SP_NET_TLS_H

#include <stddef.h>

#include "../config/config.h"
#include "../util/diag.h"

struct ssl_st;
struct sp_tls_server;

/* Builds the context from v: certificate and key (smtpd_tls_chain_files,
 * else smtpd_tls_cert_file and smtpd_tls_key_file), protocols and cipher
 * grade (the mandatory_ ones when mandatory: security level encrypt or
 * wrapper mode), session resumption (smtpd_tls_session_cache_timeout),
 * client certificates (smtpd_tls_ask_ccert: asked for, verified against
 * smtpd_tls_CAfile/CApath, fingerprinted with smtpd_tls_fingerprint_digest;
 * smtpd_tls_req_ccert: required to verify where TLS is mandatory, ignored
 * with a warning elsewhere, as in Postfix).
 * Returns NULL after adding errors (file, line, parameter, fix) to d. */
struct sp_tls_server *sp_tls_server_new(const struct sp_view *v, int mandatory,
					struct sp_diags *d);
void sp_tls_server_free(struct sp_tls_server **tp);

/* Session ticket keys (name, HMAC and AES keys, as OpenSSL takes them):
 * processes given the same keys resume each other's sessions. */
#define SP_TLS_TICKET_KEYS 80
void sp_tls_server_ticket_keys(struct sp_tls_server *t, const unsigned char *keys);

/* A new server-side connection object, or NULL (out of memory). */
struct ssl_st *sp_tls_server_ssl(struct sp_tls_server *t);

/* An established session as Postfix describes it. */
#define SP_TLS_FPRINT_MAX 200  /* "AB:CD:...": SHA-512's 64 bytes take 191 */
struct sp_tls_info {
	char protocol[16];     /* "TLSv1.3" */
	char cipher[64];       /* "TLS_AES_256_GCM_SHA384" */
	int bits, alg_bits;    /* 256/256 */
	int reused;            /* resumed session */
	int ccert_asked;       /* smtpd_tls_ask_ccert: the client was asked for a certificate */
	int ccert_required;    /* smtpd_tls_req_ccert: one that verifies, or no session */
	int ccert;             /* it presented one */
	int ccert_trusted;     /* which verified against smtpd_tls_CAfile/CApath */
	char ccert_fprint[SP_TLS_FPRINT_MAX];      /* of the certificate (DER), with */
	char ccert_pkey_fprint[SP_TLS_FPRINT_MAX]; /* smtpd_tls_fingerprint_digest; of its key */
	char ccert_cn[128];    /* subject CommonName, non-printable bytes as '?' */
	char ccert_issuer[128]; /* issuer CommonName, else its organisation */
};
void sp_tls_describe(const struct sp_tls_server *t, struct ssl_st *ssl, struct sp_tls_info *info);

/* Why the last TLS operation of this thread failed, for a log line. */
void sp_tls_error_text(char *buf, size_t len);
/* The text of an OpenSSL error code (libevent keeps a connection's). */
void sp_tls_error_string(unsigned long e, char *buf, size_t len);

/* Parses a Postfix protocol list (">=TLSv1.2", "<=TLSv1.3",
 * "!SSLv2, !SSLv3, !TLSv1", "TLSv1.2 TLSv1.3") into OpenSSL's version
 * range. Returns 0, or -1 with why in err. Exposed for tests. */
int sp_tls_protocols(const char *list, int *min, int *max, char *err, size_t errlen);

#endif
