/*
 * bench/maps/lookup_bench.c - lookups per second of one table from inside
 * sallyport: opens TYPE:NAME, then looks up the keys of KEYFILE (one per
 * line) round-robin for SECONDS, and prints "lookups=N seconds=S rate=R
 * found=F".
 *   bench-maps-lookup TYPE:NAME KEYFILE SECONDS
 */
#include "dict/dict.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double sp_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char **sp_read_keys(const char *path, size_t *n)
{
	FILE *fp = fopen(path, "r");
	char line[SP_DICT_KEY_MAX + 2], **keys = NULL;
	size_t cap = 0;

	*n = 0;
	if (fp == NULL)
		return NULL;
	while (fgets(line, sizeof(line), fp)) {
		line[strcspn(line, "\r\n")] = 0;
		if (*n == cap) {
			cap = cap ? cap * 2 : 1024;
			keys = realloc(keys, cap * sizeof(*keys));
			if (keys == NULL)
				exit(1);
		}
		keys[(*n)++] = strdup(line);
	}
	fclose(fp);
	return keys;
}

int main(int argc, char **argv)
{
	char err[512];
	size_t nkeys, done = 0, found = 0;
	char **keys;
	struct sp_dict *d;
	double start, limit, elapsed;

	if (argc != 4) {
		fputs("usage: bench-maps-lookup TYPE:NAME KEYFILE SECONDS\n", stderr);
		return 2;
	}
	if ((keys = sp_read_keys(argv[2], &nkeys)) == NULL || nkeys == 0) {
		fprintf(stderr, "no keys in %s\n", argv[2]);
		return 2;
	}
	if ((d = sp_dict_open(argv[1], SP_DICT_FOLD, NULL, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	limit = atof(argv[3]);
	start = sp_now();
	do {
		for (int i = 0; i < 1000; i++, done++) {
			const char *value;
			if (sp_dict_lookup(d, keys[done % nkeys], &value, err, sizeof(err)) == 1)
				found++;
		}
		elapsed = sp_now() - start;
	} while (elapsed < limit);
	printf("lookups=%zu seconds=%.3f rate=%.0f found=%zu\n", done, elapsed,
	       (double)done / elapsed, found);
	sp_dict_close(&d);
	for (size_t i = 0; i < nkeys; i++)
		free(keys[i]);
	free(keys);
	return 0;
}
