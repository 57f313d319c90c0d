/*
 * qid.h - queue IDs: unique across processes and restarts, and sorting by
 * arrival time. An ID is 16 characters of [0-9A-Z] without I, L, O, U
 * (Crockford's base 32): 11 for the arrival time in microseconds since the
 * epoch (good until the year 5700), 5 from the process ID and a counter.
 * Uniqueness is finally guaranteed by creating the queue file with
 * O_EXCL: a clash (two processes in the same microsecond with the same
 * tail) makes the writer take the next ID.
 */
#ifndef SP_QUEUE_QID_H
#define SP_QUEUE_QID_H

#include <stddef.h>
#include <stdint.h>

#define SP_QID_LEN 16

struct sp_qid_gen {
	uint32_t pid;
	uint32_t counter;
	uint64_t last_us;   /* IDs never go back in time within one process */
};

void sp_qid_gen_init(struct sp_qid_gen *g, uint32_t pid);

/* Writes the next ID (SP_QID_LEN characters and a NUL) to out. now_us is
 * the current time in microseconds (the caller's clock, for tests). */
void sp_qid_next(struct sp_qid_gen *g, uint64_t now_us, char out[SP_QID_LEN + 1]);

/* 1 when s is a well-formed queue ID (a file name in the queue is checked
 * with it before it is used in a path). */
int sp_qid_valid(const char *s);

#endif
