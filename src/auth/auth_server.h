/*
 * auth_server.h - the built-in auth server's event loop: Dovecot's auth
 * protocol, server side (dovecot.h), on listening unix sockets; PLAIN and
 * LOGIN (mech.h); passwords checked against a passwd-file (passwd.h) on
 * worker threads, so that a slow hash never stalls other logins; a failed
 * login answered only after a delay (Dovecot's auth_failure_delay), a
 * libcrypt failure at once as a temporary one.
 */
#ifndef SP_AUTH_AUTH_SERVER_H
#define SP_AUTH_AUTH_SERVER_H

struct event_base;
struct sp_passwd;
struct sp_auth_server;

struct sp_auth_server_conf {
	const struct sp_passwd *users;       /* not owned; outlives the server */
	unsigned failure_delay_ms;
	int threads;                         /* password checks at once */
	void (*log)(void *ctx, const char *line);
	void *log_ctx;
};

/* A server on base; nothing listens yet. Returns NULL with err set. */
struct sp_auth_server *sp_auth_server_new(struct event_base *base,
					  const struct sp_auth_server_conf *conf, char *err,
					  unsigned long errlen);

/* Serves the listening socket fd (a unix stream socket). Returns 0 or -1. */
int sp_auth_server_listen(struct sp_auth_server *s, int fd, char *err, unsigned long errlen);

/* Stops listening and closes every connection (requests in flight end). */
void sp_auth_server_stop(struct sp_auth_server *s);

void sp_auth_server_free(struct sp_auth_server **sp);

#endif
