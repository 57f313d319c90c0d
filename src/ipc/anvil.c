/*
 * anvil.c - the worker's side of the anvil exchange (see anvil.h).
 */
#include "anvil.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

int sp_anvil_ask(int fd, enum sp_anvil_op op, int service, const char *addr,
		 struct sp_anvil_reply *reply, int timeout_ms)
{
	struct sp_anvil_req req;
	struct pollfd p = {fd, POLLIN, 0};
	size_t n = strlen(addr);
	ssize_t r;

	memset(&req, 0, sizeof(req));
	memset(reply, 0, sizeof(*reply));
	if (fd < 0 || n >= SP_ANVIL_ADDR_MAX)
		return -1;
	while (recv(fd, reply, sizeof(*reply), MSG_DONTWAIT) > 0)
		;   /* a late answer to an earlier question that timed out */
	req.op = (uint8_t)op;
	req.service = (uint8_t)service;
	req.len = (uint16_t)n;
	memcpy(req.addr, addr, n);
	if (send(fd, &req, sizeof(req), MSG_NOSIGNAL) != (ssize_t)sizeof(req))
		return -1;
	if (op == SP_ANVIL_DISCONNECT)
		return 0;
	while ((r = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
		;
	if (r <= 0)
		return -1;
	return recv(fd, reply, sizeof(*reply), 0) == (ssize_t)sizeof(*reply) ? 0 : -1;
}
