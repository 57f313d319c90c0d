/*
 * offload.h - runs blocking work (the fsyncs of a queue commit) on a small
 * pool of threads so that the event loop never waits for the disk; the
 * completion runs back on the loop's thread. Jobs must not touch the
 * loop's state; completions may.
 */
#ifndef SP_NET_OFFLOAD_H
#define SP_NET_OFFLOAD_H

struct event_base;
struct sp_offload;

/* threads: 1 to 64. Returns NULL with err. */
struct sp_offload *sp_offload_new(struct event_base *base, int threads, char *err,
				  unsigned long errlen);

/* Queues work(arg) for a thread; done(arg) then runs on the loop. Returns
 * 0, or -1 when the pool is shutting down. */
int sp_offload_run(struct sp_offload *o, void (*work)(void *), void (*done)(void *), void *arg);

/* Jobs queued or running. */
int sp_offload_busy(const struct sp_offload *o);

/* Waits for the running jobs, runs their completions, stops the threads. */
void sp_offload_free(struct sp_offload **op);

#endif
