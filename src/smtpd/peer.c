/*
 * peer.c - the client's name (see peer.h).
 */
#include "peer.h"
#include "../util/hostname.h"

#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

static int sp_temp_ai(int e)
{
	return e == EAI_AGAIN || e == EAI_MEMORY || e == EAI_SYSTEM;
}

void sp_peer_unknown(struct sp_peer *p)
{
	snprintf(p->name, sizeof(p->name), "unknown");
	snprintf(p->reverse_name, sizeof(p->reverse_name), "unknown");
	p->name_status = p->reverse_status = SP_PEER_PERM;
}

/* The address part of a socket address, for comparison. */
static int sp_same_addr(const struct sockaddr *a, const struct sockaddr *b)
{
	const struct sockaddr_in6 *a6 = (const void *)a, *b6 = (const void *)b;

	if (a->sa_family == AF_INET && b->sa_family == AF_INET)
		return memcmp(&((const struct sockaddr_in *)(const void *)a)->sin_addr,
			      &((const struct sockaddr_in *)(const void *)b)->sin_addr, 4) == 0;
	if (a->sa_family == AF_INET6 && b->sa_family == AF_INET6)
		return memcmp(&a6->sin6_addr, &b6->sin6_addr, 16) == 0;
	if (a->sa_family == AF_INET && b->sa_family == AF_INET6 &&
	    IN6_IS_ADDR_V4MAPPED(&b6->sin6_addr))   /* a mapped client, an IPv4 answer */
		return memcmp(&((const struct sockaddr_in *)(const void *)a)->sin_addr,
			      &b6->sin6_addr.s6_addr[12], 4) == 0;
	return 0;
}

void sp_peer_lookup(const struct sockaddr *sa, socklen_t salen, struct sp_peer *p, char *warn,
		    size_t warnlen)
{
	char host[NI_MAXHOST];
	struct addrinfo hints, *res0, *res;
	const struct sockaddr_in6 *s6 = (const void *)sa;
	int e, mapped = sa->sa_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr);

	warn[0] = 0;
	sp_peer_unknown(p);
	if ((e = getnameinfo(sa, salen, host, sizeof(host), NULL, 0, NI_NAMEREQD)) != 0) {
		p->name_status = p->reverse_status = sp_temp_ai(e) ? SP_PEER_TEMP : SP_PEER_PERM;
		return;
	}
	/* Numeric or malformed names are refused (an attacker controls PTR data). */
	if (!sp_valid_hostname(host, 0) || sp_valid_hostaddr(host))
		return;
	snprintf(p->name, sizeof(p->name), "%.255s", host);
	snprintf(p->reverse_name, sizeof(p->reverse_name), "%.255s", host);
	p->name_status = p->reverse_status = SP_PEER_OK;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = mapped ? AF_INET : sa->sa_family;
	hints.ai_socktype = SOCK_STREAM;
	if ((e = getaddrinfo(host, NULL, &hints, &res0)) != 0) {
		snprintf(warn, warnlen, "hostname %.255s does not resolve to address %s: %s", host,
			 p->addr, gai_strerror(e));
		snprintf(p->name, sizeof(p->name), "unknown");
		p->name_status = sp_temp_ai(e) ? SP_PEER_TEMP : SP_PEER_FORWARD;
		return;
	}
	for (res = res0; res; res = res->ai_next)
		if (sp_same_addr(res->ai_addr, sa))
			break;
	freeaddrinfo(res0);
	if (res == NULL) {
		snprintf(warn, warnlen, "hostname %.255s does not resolve to address %s", host, p->addr);
		snprintf(p->name, sizeof(p->name), "unknown");
		p->name_status = SP_PEER_FORWARD;
	}
}
