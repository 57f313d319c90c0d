/*
 * anvil.h - the connection and rate counting service shared by every smtpd
 * worker (Postfix's anvil): a worker asks the master, over a SOCK_SEQPACKET
 * socket pair the master made for it, how many connections one client has
 * open and how many connections, messages and recipients it has made in
 * the current anvil_rate_time_unit. One message each way; this header is
 * the whole format (docs/ipc.md). Counts live in the master, so they hold
 * across workers; the connections of a worker that dies are forgotten
 * with it.
 */
#ifndef SP_IPC_ANVIL_H
#define SP_IPC_ANVIL_H

#include <stdint.h>

enum sp_anvil_op {
	SP_ANVIL_CONNECT = 1,     /* reply: concurrent connections, connection rate */
	SP_ANVIL_DISCONNECT = 2,  /* no reply */
	SP_ANVIL_MESSAGE = 3,     /* reply: message rate */
	SP_ANVIL_RCPT = 4,        /* reply: recipient rate */
	SP_ANVIL_AUTH = 5,        /* reply: AUTH command rate */
};

#define SP_ANVIL_ADDR_MAX 64

struct sp_anvil_req {
	uint8_t op;
	uint8_t service;          /* index of the smtpd service */
	uint16_t len;             /* bytes of addr used */
	char addr[SP_ANVIL_ADDR_MAX];
};

struct sp_anvil_reply {
	int32_t count;            /* CONNECT: connections open now */
	int32_t rate;             /* events in the current time unit */
};

/* Asks (and for DISCONNECT only tells). Returns 0 with *reply, or -1 when
 * the master does not answer within timeout_ms (the caller then lets the
 * client through: the limits fail open, as Postfix's do without anvil). */
int sp_anvil_ask(int fd, enum sp_anvil_op op, int service, const char *addr,
		 struct sp_anvil_reply *reply, int timeout_ms);

#endif
