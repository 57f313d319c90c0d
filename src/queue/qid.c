/*
 * qid.c - queue IDs (see qid.h).
 */
#include "qid.h"

#include <string.h>

static const char sp_b32[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

void sp_qid_gen_init(struct sp_qid_gen *g, uint32_t pid)
{
	memset(g, 0, sizeof(*g));
	g->pid = pid;
}

static void sp_b32_put(uint64_t v, char *out, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		out[i] = sp_b32[v & 31];
		v >>= 5;
	}
}

void sp_qid_next(struct sp_qid_gen *g, uint64_t now_us, char out[SP_QID_LEN + 1])
{
	uint64_t tail;

	if (now_us <= g->last_us)
		now_us = g->last_us + 1;   /* strictly increasing within the process */
	g->last_us = now_us;
	g->counter++;
	/* 25 bits: the process ID (17 bits) and the counter (8 bits), mixed so
	 * that neighbouring PIDs differ in the last characters too. */
	tail = (((uint64_t)g->pid & 0x1ffff) << 8 | (g->counter & 0xff)) ^ (g->counter >> 8);
	sp_b32_put(now_us, out, 11);
	sp_b32_put(tail & 0x1ffffff, out + 11, 5);
	out[SP_QID_LEN] = 0;
}

int sp_qid_valid(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (i >= SP_QID_LEN || strchr(sp_b32, s[i]) == NULL)
			return 0;
	return i == SP_QID_LEN;
}
