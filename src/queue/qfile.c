/*
 * qfile.c - queue file writer and reader (see qfile.h).
 */
#include "qfile.h"
#include "../util/file.h"
#include "qsync.h"
#include "../util/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SP_QBUF (64u << 10)

static const char *const sp_qsubdirs[] = {"incoming", "active", "deferred", "hold"};

int sp_queue_mkdirs(const char *qdir)
{
	char path[4096];

	if (mkdir(qdir, 0700) < 0 && errno != EEXIST)
		return -1;
	for (size_t i = 0; i < sizeof(sp_qsubdirs) / sizeof(sp_qsubdirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", qdir, sp_qsubdirs[i]);
		if (mkdir(path, 0700) < 0 && errno != EEXIST)
			return -1;
	}
	return 0;
}

static void sp_qpath(char *out, size_t len, const char *qdir, const char *sub, const char *id)
{
	snprintf(out, len, "%s/%s/%s", qdir, sub, id);
}

/* The file is created when the first bytes go out (usually at commit, on an
 * offload thread), so the event loop never waits for the directory. */
static int sp_qopen(struct sp_qfile *q)
{
	char path[4096];

	if (q->fd >= 0)
		return 0;
	sp_qpath(path, sizeof(path), q->qdir, "incoming", q->id);
	q->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	q->created = q->fd >= 0;
	return q->fd < 0 ? -1 : 0;
}

static void sp_qflush(struct sp_qfile *q)
{
	if (q->err == 0 && q->used && (sp_qopen(q) < 0 || sp_file_write_all(q->fd, q->buf, q->used) < 0))
		q->err = errno ? errno : EIO;
	q->used = 0;
}

static void sp_qput(struct sp_qfile *q, const void *p, size_t n)
{
	if (q->used + n > SP_QBUF)
		sp_qflush(q);
	if (n > SP_QBUF) {
		if (q->err == 0 && (sp_qopen(q) < 0 || sp_file_write_all(q->fd, p, n) < 0))
			q->err = errno ? errno : EIO;
		return;
	}
	memcpy(q->buf + q->used, p, n);
	q->used += n;
}

void sp_qfile_create(struct sp_qfile *q, const char *qdir, struct sp_qid_gen *g,
		     uint64_t now_us)
{
	memset(q, 0, sizeof(*q));
	q->fd = -1;
	sp_qid_next(g, now_us, q->id);
	q->qdir = sp_xstrdup(qdir);
	q->buf = sp_xmalloc(SP_QBUF);
	sp_qput(q, SP_QFILE_MAGIC, 4);
	sp_qfile_addf(q, SP_QREC_TIME, "%llu", (unsigned long long)now_us);
}

void sp_qfile_add(struct sp_qfile *q, enum sp_qrec type, const void *data, size_t len)
{
	unsigned char h[5] = {(unsigned char)type, (unsigned char)(len >> 24),
			      (unsigned char)(len >> 16), (unsigned char)(len >> 8),
			      (unsigned char)len};

	if (len > SP_QREC_MAX) {
		q->err = q->err ? q->err : EMSGSIZE;
		return;
	}
	sp_qput(q, h, 5);
	sp_qput(q, data, len);
}

void sp_qfile_addf(struct sp_qfile *q, enum sp_qrec type, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf)) {
		q->err = q->err ? q->err : EMSGSIZE;
		return;
	}
	sp_qfile_add(q, type, buf, (size_t)n);
}

void sp_qfile_content(struct sp_qfile *q, const void *data, size_t len)
{
	const unsigned char *p = data;

	while (len > 0) {
		size_t n = len < SP_QREC_MAX ? len : SP_QREC_MAX;
		sp_qfile_add(q, SP_QREC_DATA, p, n);
		q->content += n;
		p += n;
		len -= n;
	}
}

static void sp_qfree(struct sp_qfile *q)
{
	if (q->fd >= 0)
		close(q->fd);
	q->fd = -1;
	free(q->buf);
	free(q->qdir);
	q->buf = NULL;
	q->qdir = NULL;
}

void sp_qfile_abort(struct sp_qfile *q)
{
	char path[4096];

	if (q->created) {
		sp_qpath(path, sizeof(path), q->qdir, "incoming", q->id);
		unlink(path);
	}
	sp_qfree(q);
}

int sp_qfile_commit(struct sp_qfile *q, struct sp_qsync *sync)
{
	char from[4096], to[4096], dir[4096];
	int err;

	sp_qsync_begin(sync);
	sp_qfile_addf(q, SP_QREC_END, "%llu", (unsigned long long)q->content);
	sp_qflush(q);
	if (q->err == 0 && fsync(q->fd) < 0)
		q->err = errno;
	if (q->err == 0 && close(q->fd) < 0)
		q->err = errno;
	else if (q->err != 0 && q->fd >= 0)
		close(q->fd);
	q->fd = -1;
	sp_qpath(from, sizeof(from), q->qdir, "incoming", q->id);
	sp_qpath(to, sizeof(to), q->qdir, q->hold ? "hold" : "active", q->id);
	snprintf(dir, sizeof(dir), "%s/%s", q->qdir, q->hold ? "hold" : "active");
	if (q->err == 0 && rename(from, to) < 0)
		q->err = errno;
	if (q->err != 0)
		sp_qsync_end(sync);
	else if ((q->err = sp_qsync_dir(sync, dir)) != 0)
		unlink(to);   /* not known durable: never acknowledged, so not kept */
	err = q->err;
	if (err && q->created)
		unlink(from);
	sp_qfree(q);
	return err;
}

/* ---- reader ---- */

static int sp_read_full(FILE *fp, void *p, size_t n)
{
	return fread(p, 1, n, fp) == n ? 0 : -1;
}

int sp_qfile_read(const char *path, int (*fn)(void *ctx, enum sp_qrec type, const char *data,
					      size_t len), void *ctx)
{
	FILE *fp = fopen(path, "rbe");
	unsigned char h[5];
	char magic[4], *buf;
	int rc = 1, ended = 0;
	uint64_t content = 0;

	if (fp == NULL)
		return -1;
	buf = sp_xmalloc(SP_QREC_MAX + 1);
	if (sp_read_full(fp, magic, 4) < 0 || memcmp(magic, SP_QFILE_MAGIC, 4) != 0) {
		rc = -1;
		errno = EINVAL;
	}
	while (rc == 1 && fread(h, 1, 5, fp) == 5) {
		size_t len = (size_t)h[1] << 24 | (size_t)h[2] << 16 | (size_t)h[3] << 8 | h[4];
		if (ended || len > SP_QREC_MAX || strchr("TSPROADE", h[0]) == NULL || h[0] == 0) {
			rc = -1;
			errno = EINVAL;
			break;
		}
		if (sp_read_full(fp, buf, len) < 0) {
			rc = ferror(fp) ? -1 : 1;   /* cut short: written when it crashed */
			break;
		}
		buf[len] = 0;
		if (h[0] == SP_QREC_DATA)
			content += len;
		if (h[0] == SP_QREC_END) {
			char want[32];
			snprintf(want, sizeof(want), "%llu", (unsigned long long)content);
			if (strcmp(buf, want) != 0) {
				rc = -1;
				errno = EINVAL;
				break;
			}
			ended = 1;
		}
		if (fn && (rc = fn(ctx, (enum sp_qrec)h[0], buf, len)) != 0)
			break;
		rc = 1;
	}
	if (rc == 1 && ended)
		rc = ferror(fp) ? -1 : 0;
	free(buf);
	fclose(fp);
	return rc;
}
