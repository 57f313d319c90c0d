/*
 * bench/policy/policy_bench.c - nanoseconds per RCPT decision of the policy
 * engine: compiles the restrictions of CONFIG_DIR/main.cf once
 * (sp_policy_compile, tables opened), reads one RCPT per line of TXNFILE,
 * and times sp_policy_eval(SP_STAGE_RCPT) on them, in process, no trace.
 *
 *     bench-policy-eval CONFIG_DIR TXNFILE SAMPLES SECONDS
 *     bench-policy-eval -c CONFIG_DIR TXNFILE      one reply code per line
 *
 * TXNFILE line: tab-separated key=value fields: kind (a label the results
 * are grouped by), client, name (verified client name, "unknown" for none),
 * helo, login (SASL login; absent: none), from, to. Addresses are plain
 * (already internal form). Each line is one independent RCPT decision:
 * the transaction's DEFER_IF_PERMIT flags are cleared before each call.
 *
 * Method (printed as key=value lines for bench/policy/run.py):
 *  1. one untimed pass over all lines (warm-up: page cache, LMDB pages,
 *     CPU caches);
 *  2. per call: clock_gettime(CLOCK_MONOTONIC) before and after each
 *     sp_policy_eval, lines taken round-robin, until SAMPLES calls or
 *     SECONDS; median, p90, p99 of those durations (they include one
 *     clock read, timer_ns, also printed), overall and per kind;
 *  3. batch: whole passes over the lines with one clock read per pass,
 *     for SECONDS: decisions per second and mean ns per decision.
 * With -c, prints the reply code of each line (0 for accept, -1 for
 * pending or hangup) for the cross-check against Postfix's answers.
 */
#include "config/config.h"
#include "policy/policy.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_KINDS 32

struct line {
	struct sp_txn txn;
	int kind;
};

static char *kinds[MAX_KINDS];
static int nkinds;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void *xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n)) == NULL) {
		fputs("out of memory\n", stderr);
		exit(2);
	}
	return p;
}

static int kind_of(const char *name)
{
	for (int i = 0; i < nkinds; i++)
		if (strcmp(kinds[i], name) == 0)
			return i;
	if (nkinds == MAX_KINDS) {
		fputs("too many kinds\n", stderr);
		exit(2);
	}
	kinds[nkinds] = strdup(name);
	return nkinds++;
}

static struct line *read_lines(const char *path, size_t *n)
{
	FILE *fp = fopen(path, "r");
	char buf[4096];
	struct line *v = NULL;
	size_t cap = 0;

	*n = 0;
	if (fp == NULL)
		return NULL;
	while (fgets(buf, sizeof(buf), fp)) {
		struct line l;
		const char *kind = "all";
		memset(&l, 0, sizeof(l));
		buf[strcspn(buf, "\r\n")] = 0;
		for (char *f = strtok(buf, "\t"); f; f = strtok(NULL, "\t")) {
			char *eq = strchr(f, '='), *val;
			if (eq == NULL)
				continue;
			*eq = 0;
			val = strdup(eq + 1);
			if (strcmp(f, "kind") == 0)
				kind = val;
			else if (strcmp(f, "client") == 0)
				l.txn.client_addr = val;
			else if (strcmp(f, "name") == 0)
				l.txn.client_name = val;
			else if (strcmp(f, "helo") == 0)
				l.txn.helo = val;
			else if (strcmp(f, "login") == 0)
				l.txn.sasl_user = val;
			else if (strcmp(f, "from") == 0)
				l.txn.sender = val;
			else if (strcmp(f, "to") == 0)
				l.txn.recipient = val;
			else
				free(val);
		}
		if (l.txn.client_addr == NULL || l.txn.recipient == NULL)
			continue;
		if (l.txn.client_name == NULL)
			l.txn.client_name = "unknown";
		l.txn.reverse_name = l.txn.client_name;
		l.txn.name_status = l.txn.reverse_status =
			strcmp(l.txn.client_name, "unknown") == 0 ? SP_PEER_PERM : SP_PEER_OK;
		l.txn.esmtp = 1;
		if (l.txn.sender == NULL)
			l.txn.sender = "";
		l.kind = kind_of(kind);
		if (*n == cap) {
			cap = cap ? cap * 2 : 1024;
			v = xrealloc(v, cap * sizeof(*v));
		}
		v[(*n)++] = l;
	}
	fclose(fp);
	return v;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Sorts v and prints its median, p90 and p99 with a prefix. */
static void percentiles(const char *prefix, uint32_t *v, size_t n)
{
	if (n == 0)
		return;
	qsort(v, n, sizeof(*v), cmp_u32);
	printf("%s n=%zu median_ns=%u p90_ns=%u p99_ns=%u\n", prefix, n, v[n / 2],
	       v[(size_t)((double)n * 0.90)], v[(size_t)((double)n * 0.99)]);
}

static int code_of(const struct sp_presult *r)
{
	switch (r->verdict) {
	case SP_POLICY_ACCEPT:
		return 0;
	case SP_POLICY_REJECT:
		return r->code;
	default:
		return -1;
	}
}

int main(int argc, char **argv)
{
	struct sp_diags d = {0};
	struct sp_config *c;
	struct sp_policy *p;
	struct line *lines;
	size_t nlines, samples = 0, limit_samples;
	int check = argc > 1 && strcmp(argv[1], "-c") == 0;
	int a = check ? 2 : 1;
	static struct sp_presult r;
	uint32_t *dur, **by_kind;
	size_t *nby_kind;
	double seconds;
	uint64_t t0, t1, start, timer[1001];

	if (argc != (check ? 4 : 5)) {
		fputs("usage: bench-policy-eval CONFIG_DIR TXNFILE SAMPLES SECONDS\n"
		      "       bench-policy-eval -c CONFIG_DIR TXNFILE\n", stderr);
		return 2;
	}
	if ((c = sp_config_load(argv[a], NULL, &d)) == NULL || d.errors ||
	    (p = sp_policy_compile(&c->global, &d)) == NULL) {
		for (size_t i = 0; i < d.n; i++)
			fprintf(stderr, "%s: %s%s%s\n", d.v[i].param ? d.v[i].param : "", d.v[i].what,
				d.v[i].fix ? "; " : "", d.v[i].fix ? d.v[i].fix : "");
		return 2;
	}
	if ((lines = read_lines(argv[a + 1], &nlines)) == NULL || nlines == 0) {
		fprintf(stderr, "no transactions in %s\n", argv[a + 1]);
		return 2;
	}
	if (check) {
		for (size_t i = 0; i < nlines; i++) {
			lines[i].txn.defer_flags = 0;
			sp_policy_eval(p, SP_STAGE_RCPT, &lines[i].txn, &r, NULL);
			printf("%d\n", code_of(&r));
		}
		return 0;
	}
	limit_samples = strtoul(argv[a + 2], NULL, 10);
	seconds = atof(argv[a + 3]);
	dur = xrealloc(NULL, limit_samples * sizeof(*dur));
	by_kind = xrealloc(NULL, (size_t)nkinds * sizeof(*by_kind));
	nby_kind = calloc((size_t)nkinds, sizeof(*nby_kind));
	for (int k = 0; k < nkinds; k++)
		by_kind[k] = xrealloc(NULL, limit_samples * sizeof(**by_kind));

	/* The cost of one clock read, as it is included in every sample. */
	for (int i = 0; i <= 1000; i++)
		timer[i] = now_ns();
	{
		uint32_t gaps[1000];
		for (int i = 0; i < 1000; i++)
			gaps[i] = (uint32_t)(timer[i + 1] - timer[i]);
		qsort(gaps, 1000, sizeof(gaps[0]), cmp_u32);
		printf("timer_ns=%u\n", gaps[500]);
	}

	/* 1. Warm-up. */
	for (size_t i = 0; i < nlines; i++) {
		lines[i].txn.defer_flags = 0;
		sp_policy_eval(p, SP_STAGE_RCPT, &lines[i].txn, &r, NULL);
	}

	/* 2. Per call. */
	start = now_ns();
	while (samples < limit_samples) {
		struct line *l = &lines[samples % nlines];
		l->txn.defer_flags = 0;
		t0 = now_ns();
		sp_policy_eval(p, SP_STAGE_RCPT, &l->txn, &r, NULL);
		t1 = now_ns();
		dur[samples] = (uint32_t)(t1 - t0);
		by_kind[l->kind][nby_kind[l->kind]++] = dur[samples];
		samples++;
		if ((samples & 1023) == 0 && (double)(t1 - start) / 1e9 > seconds)
			break;
	}
	percentiles("percall kind=all", dur, samples);
	for (int k = 0; k < nkinds; k++) {
		char prefix[128];
		snprintf(prefix, sizeof(prefix), "percall kind=%s", kinds[k]);
		percentiles(prefix, by_kind[k], nby_kind[k]);
	}

	/* 3. Batch. */
	{
		size_t done = 0;
		double elapsed;
		start = now_ns();
		do {
			for (size_t i = 0; i < nlines; i++) {
				lines[i].txn.defer_flags = 0;
				sp_policy_eval(p, SP_STAGE_RCPT, &lines[i].txn, &r, NULL);
			}
			done += nlines;
			elapsed = (double)(now_ns() - start) / 1e9;
		} while (elapsed < seconds);
		printf("batch decisions=%zu seconds=%.3f rate=%.0f mean_ns=%.0f\n", done, elapsed,
		       (double)done / elapsed, elapsed * 1e9 / (double)done);
	}
	printf("delay_reject=%d lines=%zu\n", sp_policy_delay_reject(p), nlines);
	sp_policy_free(&p);
	sp_config_free(c);
	sp_diags_free(&d);
	return 0;
}
