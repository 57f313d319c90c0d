/*
 * qfile.h - queue files: the record format, the writer that makes a
 * message durable before it is acknowledged, and a reader. docs/queue.md
 * describes the format, the fsync order and the recovery rules.
 *
 * A message is written into incoming/ID (created with O_EXCL when the
 * first buffered bytes go out: for most messages at commit, off the event
 * loop), then committed: buffered bytes written, the end record added, the file
 * fsync'ed, renamed into active/ID and the active/ directory fsync'ed. Only
 * after sp_qfile_commit returns 0 may the server answer 250. Any failure
 * removes the incoming file and returns the errno (ENOSPC, EDQUOT, EIO...),
 * so nothing half written stays behind. Committing blocks (fsync): the
 * server runs it off its event loop.
 */
#ifndef SP_QUEUE_QFILE_H
#define SP_QUEUE_QFILE_H

#include <stddef.h>
#include <stdint.h>

#include "qid.h"

#define SP_QFILE_MAGIC "SPQ1"
#define SP_QREC_MAX (1u << 20)      /* longest record payload */

enum sp_qrec {
	SP_QREC_TIME = 'T',       /* arrival time, decimal microseconds */
	SP_QREC_SENDER = 'S',     /* envelope sender, internal form ("" null sender) */
	SP_QREC_MAILPARAM = 'P',  /* MAIL FROM parameters kept: "BODY=8BITMIME", "RET=FULL"... */
	SP_QREC_RCPT = 'R',       /* one recipient, internal form */
	SP_QREC_RCPTPARAM = 'O',  /* DSN parameters of the recipient before it */
	SP_QREC_ATTR = 'A',       /* "name=value": client, helo, protocol, sasl... */
	SP_QREC_DATA = 'D',       /* message content bytes (CRLF lines) */
	SP_QREC_END = 'E',        /* decimal content size; present only in a complete file */
};

struct sp_qfile {
	int fd;
	char id[SP_QID_LEN + 1];
	char *qdir;                /* the queue directory */
	unsigned char *buf;        /* write buffer */
	size_t used;
	uint64_t content;          /* DATA bytes so far */
	int err;                   /* first errno, kept until commit or abort */
	int hold;                  /* commit into hold/ instead of active/ (access HOLD) */
	int created;               /* incoming/ID exists (ours to remove on failure) */
};

/* Creates the queue's subdirectories (incoming, active, deferred, hold)
 * if missing. Returns 0, or -1 with errno. */
int sp_queue_mkdirs(const char *qdir);

/* Starts a new queue file with the next ID of g (in memory; the file in
 * qdir/incoming is created by the first write; errors wait for commit). */
void sp_qfile_create(struct sp_qfile *q, const char *qdir, struct sp_qid_gen *g,
		     uint64_t now_us);

/* Appends a record (errors are kept in q->err and reported by commit). */
void sp_qfile_add(struct sp_qfile *q, enum sp_qrec type, const void *data, size_t len);
void sp_qfile_addf(struct sp_qfile *q, enum sp_qrec type, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Appends message content (split into DATA records as needed). */
void sp_qfile_content(struct sp_qfile *q, const void *data, size_t len);

/* Makes the file durable and moves it into active/ (hold/ when q->hold),
 * sharing the directory fsync with the other committers of sync (may be
 * NULL: qsync.h). Returns 0, or an errno value (the file is then gone).
 * Frees q's memory either way. */
struct sp_qsync;
int sp_qfile_commit(struct sp_qfile *q, struct sp_qsync *sync);

/* Throws the file away (client gone, message rejected). */
void sp_qfile_abort(struct sp_qfile *q);

/* Reads a queue file: calls fn for each record in order (data points into
 * a buffer valid during the call). Returns 0 for a complete, well-formed
 * file, 1 when it ends early (no end record, or cut off inside a record:
 * never committed), -1 with errno
 * (EINVAL: malformed) on errors, or fn's non-zero value. */
int sp_qfile_read(const char *path, int (*fn)(void *ctx, enum sp_qrec type, const char *data,
					      size_t len), void *ctx);

#endif
