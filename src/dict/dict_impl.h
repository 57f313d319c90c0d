/*
 * dict_impl.h - what a table type implements. Each type lives in its own
 * file (dict_<type>.c) and is listed in dict.c; nothing outside src/dict
 * includes this header.
 */
#ifndef SP_DICT_DICT_IMPL_H
#define SP_DICT_DICT_IMPL_H

#include "dict.h"
#include "../util/buf.h"

struct sp_dict_ops {
	const char *type;
	/* Sets d->priv; returns 0, or -1 with err. */
	int (*open)(struct sp_dict *d, struct sp_diags *diags, char *err, size_t errlen);
	/* key is already folded when the type folds. 1 found (result in
	 * d->result), 0 not found, -1 error. */
	int (*lookup)(struct sp_dict *d, const char *key, char *err, size_t errlen);
	/* NULL when the type cannot list its entries. */
	int (*each)(struct sp_dict *d, int (*fn)(void *ctx, const char *key, const char *value),
		    void *ctx, char *err, size_t errlen);
	void (*close)(struct sp_dict *d);
	/* Optional: one consistent view (lock, read transaction) for the
	 * lookups until release; returns 0, or -1 with err. */
	int (*hold)(struct sp_dict *d, char *err, size_t errlen);
	void (*release)(struct sp_dict *d);
	int folds;    /* 1: fixed-string keys, folded under SP_DICT_FOLD */
	int pattern;  /* 1: keys are patterns (cidr, regexp, pcre): asked only
	               * for the full key of a lookup order */
	const char *file_suffix; /* the file behind the table is name + this
	                          * ("" the source itself); NULL: no file */
};

struct sp_dict {
	const struct sp_dict_ops *ops;
	char *type;
	char *name;
	unsigned flags;
	struct sp_buf result;   /* the last lookup's value */
	void *priv;
	int has_file;           /* the file's identity at open, for sp_dict_stale */
	unsigned long long dev, ino;
	long long mtime_sec, mtime_nsec, size;
};

extern const struct sp_dict_ops sp_dict_texthash_ops;
extern const struct sp_dict_ops sp_dict_inline_ops;
extern const struct sp_dict_ops sp_dict_static_ops;
extern const struct sp_dict_ops sp_dict_cidr_ops;
extern const struct sp_dict_ops sp_dict_regexp_ops;
extern const struct sp_dict_ops sp_dict_pcre_ops;
extern const struct sp_dict_ops sp_dict_lmdb_ops;
extern const struct sp_dict_ops sp_dict_unix_ops;

/* Lookup, listing and close for types whose d->priv is a struct sp_kvindex
 * (texthash, inline). */
int sp_dict_kv_lookup(struct sp_dict *d, const char *key, char *err, size_t errlen);
int sp_dict_kv_each(struct sp_dict *d, int (*fn)(void *ctx, const char *key, const char *value),
		    void *ctx, char *err, size_t errlen);
void sp_dict_kv_close(struct sp_dict *d);

/* When text is exactly one balanced "{...}" group, returns its inside
 * (without the braces) and sets *len; NULL otherwise. */
const char *sp_dict_braced(const char *text, size_t *len);

/* Folds ASCII letters to lower case in place (Postfix folds bytes). */
void sp_dict_fold(char *s);

#endif
