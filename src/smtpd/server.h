/*
 * server.h - the SMTP server of one process: listeners whose connections
 * become sessions on one libevent loop (see server.c).
 */
#ifndef SP_SMTPD_SERVER_H
#define SP_SMTPD_SERVER_H

#include <stddef.h>

#include "session.h"
#include "../net/dns.h"

struct event_base;
struct sp_server;

struct sp_server *sp_server_new(struct event_base *base, const struct sp_dns_opts *dns,
				char *err, size_t errlen);

/* Listens on host:port (host NULL or "" for every address) for the
 * service whose sessions env describes. Returns 0, or -1 with err. */
int sp_server_listen(struct sp_server *srv, const char *host, const char *port,
		     const struct sp_smtpd_env *env, char *err, size_t errlen);

/* Serves a socket that is already listening (inherited from the master). */
int sp_server_adopt(struct sp_server *srv, int fd, const struct sp_smtpd_env *env, char *err,
		    size_t errlen);

/* Stops accepting; the loop ends when the last session has ended, or
 * grace_s seconds later, when the sessions still open get "421 4.3.2
 * Service shutting down". */
void sp_server_stop(struct sp_server *srv, unsigned grace_s);

size_t sp_server_sessions(const struct sp_server *srv);

void sp_server_free(struct sp_server **sp);

#endif
