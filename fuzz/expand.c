/*
 * fuzz/expand.c - libFuzzer target for src/config/expand.c. The input is a
 * tiny configuration: NUL-separated strings, the first is the text to
 * expand, the others are the values of parameters p0, p1, ... so that
 * references, conditionals, relational forms and loops all get exercised.
 */
#include "config/expand.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NPARAMS 8

struct fz_ctx {
	const char *val[NPARAMS];
};

static const char *fz_lookup(void *vctx, const char *name, int *raw)
{
	struct fz_ctx *c = vctx;

	*raw = 0;
	if (name[0] == 'p' && name[1] >= '0' && name[1] < '0' + NPARAMS && name[2] == 0)
		return c->val[name[1] - '0'];
	if (strcmp(name, "raw") == 0) {
		*raw = 1;
		return "$raw ${not expanded}";
	}
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1);
	struct fz_ctx c = {{0}};
	struct sp_expand_ops ops = {fz_lookup, NULL, &c, NULL};
	struct sp_buf out;
	char err[256];
	const char *p, *end;
	int i = 0;

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = 0;
	end = copy + size;
	p = copy + strlen(copy) + 1;
	while (p < end && i < NPARAMS) {
		c.val[i++] = p;
		p += strlen(p) + 1;
	}
	sp_buf_init(&out, SP_EXPAND_MAX);
	(void)sp_expand(copy, &ops, &out, err, sizeof(err));
	(void)sp_expand_scan(copy, &ops, err, sizeof(err));
	sp_buf_free(&out);
	free(copy);
	return 0;
}
