/*
 * offload.c - a thread pool with completions on the event loop (see
 * offload.h). Finished jobs go on a list guarded by the pool's mutex; one
 * byte on a pipe wakes the loop, which runs their completions.
 */
#include "offload.h"
#include "../util/mem.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct sp_job {
	void (*work)(void *);
	void (*done)(void *);
	void *arg;
	struct sp_job *next;
};

struct sp_offload {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct sp_job *waiting, *wait_tail, *finished;
	int stopping, busy, nthreads;
	pthread_t *threads;
	int pipe[2];
	struct event *wake;
};

static void *sp_offload_thread(void *vo)
{
	struct sp_offload *o = vo;

	pthread_mutex_lock(&o->mu);
	for (;;) {
		struct sp_job *j;
		while (o->waiting == NULL && !o->stopping)
			pthread_cond_wait(&o->cv, &o->mu);
		if ((j = o->waiting) == NULL)
			break;
		if ((o->waiting = j->next) == NULL)
			o->wait_tail = NULL;
		pthread_mutex_unlock(&o->mu);
		j->work(j->arg);
		pthread_mutex_lock(&o->mu);
		j->next = o->finished;
		o->finished = j;
		/* one byte per batch: the loop empties the pipe before it takes
		 * the list, so a list that was not empty has a wake-up coming */
		while (j->next == NULL && write(o->pipe[1], "x", 1) < 0 && errno == EINTR)
			;
	}
	pthread_mutex_unlock(&o->mu);
	return NULL;
}

/* On the loop: runs the completions of finished jobs. */
static void sp_offload_wake(evutil_socket_t fd, short what, void *vo)
{
	struct sp_offload *o = vo;
	struct sp_job *list;
	char buf[256];

	(void)what;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	pthread_mutex_lock(&o->mu);
	list = o->finished;
	o->finished = NULL;
	pthread_mutex_unlock(&o->mu);
	while (list) {
		struct sp_job *next = list->next;
		o->busy--;
		list->done(list->arg);
		free(list);
		list = next;
	}
}

struct sp_offload *sp_offload_new(struct event_base *base, int threads, char *err,
				  unsigned long errlen)
{
	struct sp_offload *o = sp_xcalloc(1, sizeof(*o));

	if (threads < 1 || threads > 64)
		threads = 4;
	pthread_mutex_init(&o->mu, NULL);
	pthread_cond_init(&o->cv, NULL);
	if (pipe2(o->pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		free(o);
		return NULL;
	}
	o->wake = event_new(base, o->pipe[0], EV_READ | EV_PERSIST, sp_offload_wake, o);
	event_add(o->wake, NULL);
	o->threads = sp_xcalloc((size_t)threads, sizeof(*o->threads));
	for (int i = 0; i < threads; i++) {
		if (pthread_create(&o->threads[i], NULL, sp_offload_thread, o) != 0) {
			snprintf(err, errlen, "cannot start a thread");
			o->nthreads = i;
			sp_offload_free(&o);
			return NULL;
		}
	}
	o->nthreads = threads;
	return o;
}

int sp_offload_run(struct sp_offload *o, void (*work)(void *), void (*done)(void *), void *arg)
{
	struct sp_job *j = sp_xcalloc(1, sizeof(*j));

	j->work = work;
	j->done = done;
	j->arg = arg;
	pthread_mutex_lock(&o->mu);
	if (o->stopping) {
		pthread_mutex_unlock(&o->mu);
		free(j);
		return -1;
	}
	if (o->wait_tail)
		o->wait_tail->next = j;
	else
		o->waiting = j;
	o->wait_tail = j;
	o->busy++;
	pthread_cond_signal(&o->cv);
	pthread_mutex_unlock(&o->mu);
	return 0;
}

int sp_offload_busy(const struct sp_offload *o)
{
	return o->busy;
}

void sp_offload_free(struct sp_offload **op)
{
	struct sp_offload *o = *op;

	if (o == NULL)
		return;
	pthread_mutex_lock(&o->mu);
	o->stopping = 1;
	pthread_cond_broadcast(&o->cv);
	pthread_mutex_unlock(&o->mu);
	for (int i = 0; i < o->nthreads; i++)
		pthread_join(o->threads[i], NULL);
	sp_offload_wake(o->pipe[0], EV_READ, o);   /* completions of the last jobs */
	event_free(o->wake);
	close(o->pipe[0]);
	close(o->pipe[1]);
	pthread_mutex_destroy(&o->mu);
	pthread_cond_destroy(&o->cv);
	free(o->threads);
	free(o);
	*op = NULL;
}
