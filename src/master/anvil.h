/*
 * anvil.h - the master's side of the anvil service (src/ipc/anvil.h): the
 * counts per service and client address, and one socket per worker.
 */
#ifndef SP_MASTER_ANVIL_H
#define SP_MASTER_ANVIL_H

struct event_base;
struct sp_anvil;
struct sp_anvil_peer;

struct sp_anvil *sp_anvil_new(struct event_base *base, int rate_unit_s);
void sp_anvil_free(struct sp_anvil **ap);

/* Serves a worker's end of a socket pair (takes fd). */
struct sp_anvil_peer *sp_anvil_peer_new(struct sp_anvil *a, int fd);

/* The worker is gone: its open connections are forgotten, the socket closed. */
void sp_anvil_peer_free(struct sp_anvil_peer **pp);

#endif
