/*
 * qsync.h - group commit of queue directory fsyncs. A rename into a queue
 * directory is durable once an fsync of that directory that started after
 * the rename has returned; the threads committing messages together share
 * one such fsync instead of each paying for its own. One per process (the
 * offload threads of a worker share it).
 */
#ifndef SP_QUEUE_QSYNC_H
#define SP_QUEUE_QSYNC_H

struct sp_qsync;

struct sp_qsync *sp_qsync_new(void);
void sp_qsync_free(struct sp_qsync **sp);

/* Makes every rename into dir done before the call durable; blocks until
 * then. Returns 0, or the errno of the failed fsync (every caller whose
 * rename it covered gets it). With s NULL, dir is opened and fsync'ed
 * alone. Thread-safe. */
int sp_qsync_dir(struct sp_qsync *s, const char *dir);

#endif
