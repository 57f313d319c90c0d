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

/* gather_us: how long the one about to fsync a directory waits, at most,
 * for commits that have begun to rename too (0: it does not wait). */
struct sp_qsync *sp_qsync_new(unsigned gather_us);
void sp_qsync_free(struct sp_qsync **sp);

/* A commit announces itself before its file's fsync (begin), so that a
 * directory fsync about to start can wait for its rename, and leaves with
 * sp_qsync_dir or, when it fails before renaming, sp_qsync_end. Both are
 * no-ops with s NULL. */
void sp_qsync_begin(struct sp_qsync *s);
void sp_qsync_end(struct sp_qsync *s);

/* Makes every rename into dir done before the call durable; blocks until
 * then. Returns 0, or the errno of the failed fsync (every caller whose
 * rename it covered gets it). With s NULL, dir is opened and fsync'ed
 * alone. Thread-safe. */
int sp_qsync_dir(struct sp_qsync *s, const char *dir);

/* Directory fsyncs run so far (for tests and statistics). */
unsigned long sp_qsync_fsyncs(struct sp_qsync *s);

#endif
