/*
 * qsync.c - group commit of queue directory fsyncs (see qsync.h).
 *
 * Each directory has a counter of announced renames (seq), the highest
 * announcement a finished fsync covered (synced), and the highest one a
 * failed fsync covered (failed). A caller announces its rename, then
 * either finds it covered, waits for the fsync in flight, or becomes the
 * one that runs the next fsync for everybody announced so far. Before it
 * starts, that one waits a little for the commits that have begun (their
 * files are being written and fsync'ed) to announce their renames too:
 * with 50 sessions a directory fsync then serves about four messages
 * instead of one or two.
 */
#include "qsync.h"
#include "../util/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SP_QSYNC_DIRS 4   /* active/ and hold/ of one queue, with room to spare */

struct sp_qsync_slot {
	char *path;
	int fd;
	int busy;                 /* an fsync of it is running */
	int err;                  /* errno of the last failed fsync */
	uint64_t seq, synced, failed;
};

struct sp_qsync {
	pthread_mutex_t mu;
	pthread_cond_t done;
	struct sp_qsync_slot slot[SP_QSYNC_DIRS];
	int nslots;
	int inflight;             /* commits begun whose rename is not announced */
	int gathering;            /* leaders (one per directory) waiting on arrived */
	pthread_cond_t arrived;
	long long gather_ns;      /* how long a leader waits for them at most */
	unsigned long fsyncs;     /* directory fsyncs run */
};

struct sp_qsync *sp_qsync_new(unsigned gather_us)
{
	struct sp_qsync *s = sp_xcalloc(1, sizeof(*s));
	pthread_condattr_t ca;

	s->gather_ns = (long long)(gather_us > 10000000u ? 10000000u : gather_us) * 1000LL;
	pthread_mutex_init(&s->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->done, NULL);
	pthread_cond_init(&s->arrived, &ca);
	pthread_condattr_destroy(&ca);
	return s;
}

void sp_qsync_free(struct sp_qsync **sp)
{
	struct sp_qsync *s = *sp;

	if (s == NULL)
		return;
	for (int i = 0; i < s->nslots; i++) {
		close(s->slot[i].fd);
		free(s->slot[i].path);
	}
	pthread_cond_destroy(&s->done);
	pthread_cond_destroy(&s->arrived);
	pthread_mutex_destroy(&s->mu);
	free(s);
	*sp = NULL;
}

static int sp_qsync_alone(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return errno;
	if (fsync(fd) < 0)
		rc = errno;
	close(fd);
	return rc;
}

/* The slot of dir, opened on first use; NULL when there is no room or it
 * cannot be opened (the caller then syncs alone). Called locked. */
static struct sp_qsync_slot *sp_qsync_slot(struct sp_qsync *s, const char *dir)
{
	struct sp_qsync_slot *sl;
	int fd;

	for (int i = 0; i < s->nslots; i++)
		if (strcmp(s->slot[i].path, dir) == 0)
			return &s->slot[i];
	if (s->nslots == SP_QSYNC_DIRS ||
	    (fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return NULL;
	sl = &s->slot[s->nslots++];
	memset(sl, 0, sizeof(*sl));
	sl->path = sp_xstrdup(dir);
	sl->fd = fd;
	return sl;
}

void sp_qsync_begin(struct sp_qsync *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->mu);
	s->inflight++;
	pthread_mutex_unlock(&s->mu);
}

/* Called locked. */
static void sp_qsync_left(struct sp_qsync *s)
{
	if (s->inflight > 0)
		s->inflight--;
	if (s->gathering)
		pthread_cond_broadcast(&s->arrived);
}

void sp_qsync_end(struct sp_qsync *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->mu);
	sp_qsync_left(s);
	pthread_mutex_unlock(&s->mu);
}

/* The fsync about to start would cover only the renames announced so far;
 * commits still in their file's fsync will rename within a fraction of a
 * millisecond. Waiting for them (never longer than the gather time) lets
 * one directory fsync serve them all. Called locked. */
static void sp_qsync_gather(struct sp_qsync *s)
{
	struct timespec until;

	if (s->inflight == 0 || s->gather_ns == 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += (time_t)(s->gather_ns / 1000000000LL);
	until.tv_nsec += (long)(s->gather_ns % 1000000000LL);
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	s->gathering++;
	while (s->inflight > 0 &&
	       pthread_cond_timedwait(&s->arrived, &s->mu, &until) == 0)
		;
	s->gathering--;
}

unsigned long sp_qsync_fsyncs(struct sp_qsync *s)
{
	unsigned long n;

	pthread_mutex_lock(&s->mu);
	n = s->fsyncs;
	pthread_mutex_unlock(&s->mu);
	return n;
}

int sp_qsync_dir(struct sp_qsync *s, const char *dir)
{
	struct sp_qsync_slot *sl;
	uint64_t mine, target;
	int rc;

	if (s == NULL)
		return sp_qsync_alone(dir);
	pthread_mutex_lock(&s->mu);
	sp_qsync_left(s);
	if ((sl = sp_qsync_slot(s, dir)) == NULL) {
		pthread_mutex_unlock(&s->mu);
		return sp_qsync_alone(dir);
	}
	mine = ++sl->seq;
	for (;;) {
		/* after a failed fsync the kernel may have dropped the dirty
		 * block: whoever it covered fails, even if a later one worked */
		if (sl->failed >= mine || sl->synced >= mine) {
			rc = sl->failed >= mine ? sl->err : 0;
			pthread_mutex_unlock(&s->mu);
			return rc;
		}
		if (!sl->busy)
			break;
		pthread_cond_wait(&s->done, &s->mu);
	}
	sl->busy = 1;
	sp_qsync_gather(s);
	target = sl->seq;
	s->fsyncs++;
	pthread_mutex_unlock(&s->mu);
	rc = fsync(sl->fd) < 0 ? errno : 0;
	pthread_mutex_lock(&s->mu);
	sl->busy = 0;
	if (rc == 0) {
		sl->synced = target;
	} else {
		sl->failed = target;
		sl->err = rc;
	}
	pthread_cond_broadcast(&s->done);
	pthread_mutex_unlock(&s->mu);
	return rc;
}
