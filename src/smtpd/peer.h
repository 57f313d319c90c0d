/*
 * peer.h - the client's name as Postfix's smtpd finds it
 * (smtpd_peername_lookup): the reverse (PTR) name, kept only when it is a
 * valid host name whose forward lookup lists the client's address; else
 * "unknown" with why (a temporary failure, none, or forged). Uses the C
 * library's resolver (getnameinfo, getaddrinfo), as Postfix does, so it
 * blocks: the server runs it on its offload threads.
 */
#ifndef SP_SMTPD_PEER_H
#define SP_SMTPD_PEER_H

#include <stddef.h>
#include <sys/socket.h>

#include "session.h"

/* Fills p (addr already set) from the lookups; warn gets the warning to
 * log when the forward lookup does not confirm the name ("" otherwise). */
void sp_peer_lookup(const struct sockaddr *sa, socklen_t salen, struct sp_peer *p, char *warn,
		    size_t warnlen);

/* No lookup (smtpd_peername_lookup = no): "unknown", as Postfix has it. */
void sp_peer_unknown(struct sp_peer *p);

#endif
