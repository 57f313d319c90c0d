/*
 * kvindex.h - an in-memory table of key/value strings, built once and then
 * searched: the index behind texthash: (the first entry of a key wins, the
 * others are reported, as Postfix does) and inline: (the last one wins).
 */
#ifndef SP_DICT_KVINDEX_H
#define SP_DICT_KVINDEX_H

#include <stddef.h>

struct sp_kv {
	char *key;
	char *value;
	int line;      /* source line, 0 if none */
	size_t seq;    /* insertion order */
};

struct sp_kvindex {
	struct sp_kv *v;
	size_t n, cap;
};

/* Appends a copy of key and value. */
void sp_kvindex_add(struct sp_kvindex *x, const char *key, const char *value, int line);

/* Sorts the index and drops duplicate keys (the first added stays, or the
 * last when keep_last); calls dup (if not NULL) for each dropped entry
 * with the one that stays. */
void sp_kvindex_finish(struct sp_kvindex *x, int keep_last,
		       void (*dup)(void *ctx, const struct sp_kv *kept, const struct sp_kv *dropped),
		       void *ctx);

/* The value of key, or NULL (after sp_kvindex_finish). */
const char *sp_kvindex_find(const struct sp_kvindex *x, const char *key);

/* Releases everything. */
void sp_kvindex_free(struct sp_kvindex *x);

#endif
