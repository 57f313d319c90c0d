/*
 * kvindex.c - sorted array of key/value pairs with binary search.
 */
#include "kvindex.h"
#include "../util/mem.h"

#include <stdlib.h>
#include <string.h>

void sp_kvindex_add(struct sp_kvindex *x, const char *key, const char *value, int line)
{
	struct sp_kv *e;

	x->v = sp_xgrow(x->v, &x->cap, x->n + 1, sizeof(*x->v));
	e = &x->v[x->n];
	e->key = sp_xstrdup(key);
	e->value = sp_xstrdup(value);
	e->line = line;
	e->seq = x->n++;
}

static int sp_kv_cmp(const void *a, const void *b)
{
	const struct sp_kv *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

void sp_kvindex_finish(struct sp_kvindex *x, int keep_last,
		       void (*dup)(void *ctx, const struct sp_kv *kept, const struct sp_kv *dropped),
		       void *ctx)
{
	size_t k = 0;

	if (x->n == 0)
		return;
	qsort(x->v, x->n, sizeof(*x->v), sp_kv_cmp);
	for (size_t i = 1; i < x->n; i++) {
		if (strcmp(x->v[i].key, x->v[k].key) == 0) {
			struct sp_kv drop = x->v[i];
			if (keep_last) {
				drop = x->v[k];
				x->v[k] = x->v[i];
			}
			if (dup)
				dup(ctx, &x->v[k], &drop);
			free(drop.key);
			free(drop.value);
			continue;
		}
		x->v[++k] = x->v[i];
	}
	x->n = k + 1;
}

static int sp_kv_find_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct sp_kv *)elem)->key);
}

const char *sp_kvindex_find(const struct sp_kvindex *x, const char *key)
{
	const struct sp_kv *e;

	if (x->n == 0)
		return NULL;
	e = bsearch(key, x->v, x->n, sizeof(*x->v), sp_kv_find_cmp);

	return e ? e->value : NULL;
}

void sp_kvindex_free(struct sp_kvindex *x)
{
	for (size_t i = 0; i < x->n; i++) {
		free(x->v[i].key);
		free(x->v[i].value);
	}
	free(x->v);
	memset(x, 0, sizeof(*x));
}
