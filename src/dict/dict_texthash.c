/*
 * dict_texthash.c - the texthash: table type: a source file in postmap's
 * format (see mapsrc.h), read into memory at open; no compiled file. Also
 * the lookup, listing and close of every table kept in a kvindex.
 */
#include "dict_impl.h"
#include "kvindex.h"
#include "mapsrc.h"
#include "../util/file.h"
#include "../util/mem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SP_TABLE_FILE_MAX (1u << 30)

struct sp_dup_ctx {
	struct sp_diags *diags;
	const char *file;
};

static void sp_texthash_dup(void *vctx, const struct sp_kv *kept, const struct sp_kv *dropped)
{
	struct sp_dup_ctx *c = vctx;

	(void)kept;
	if (c->diags)
		sp_diag_add(c->diags, SP_WARNING, c->file, dropped->line, NULL,
			    "the first entry is used", "duplicate entry: \"%.100s\"", dropped->key);
}

static int sp_texthash_open(struct sp_dict *d, struct sp_diags *diags, char *err, size_t errlen)
{
	struct sp_kvindex *x = sp_xcalloc(1, sizeof(*x));
	struct sp_diags local = {0};
	struct sp_diags *dg = diags ? diags : &local;
	struct sp_mapsrc src = {0};
	struct sp_dup_ctx dc = {diags, d->name};
	size_t errors = dg->errors;
	char *data;
	size_t len;

	if (sp_file_read(d->name, SP_TABLE_FILE_MAX, &data, &len) < 0) {
		snprintf(err, errlen, "open %s: %s", d->name, strerror(errno));
		free(x);
		sp_diags_free(&local);
		return -1;
	}
	sp_mapsrc_parse(data, len, d->name, &src, dg);
	free(data);
	for (size_t i = 0; i < src.n; i++) {
		if (d->flags & SP_DICT_FOLD)
			sp_dict_fold(src.v[i].key);
		sp_kvindex_add(x, src.v[i].key, src.v[i].value, src.v[i].line);
	}
	sp_mapsrc_free(&src);
	sp_kvindex_finish(x, 0, sp_texthash_dup, &dc);
	d->priv = x;
	if (dg->errors > errors) {
		snprintf(err, errlen, "%s: %zu error(s) in the table source", d->name,
			 dg->errors - errors);
		sp_diags_free(&local);
		return -1;
	}
	sp_diags_free(&local);
	return 0;
}

int sp_dict_kv_lookup(struct sp_dict *d, const char *key, char *err, size_t errlen)
{
	const char *v = sp_kvindex_find(d->priv, key);

	if (v == NULL)
		return 0;
	if (sp_buf_adds(&d->result, v) < 0) {
		snprintf(err, errlen, "%s:%s: result too long", d->type, d->name);
		return -1;
	}
	return 1;
}

int sp_dict_kv_each(struct sp_dict *d, int (*fn)(void *ctx, const char *key, const char *value),
		    void *ctx, char *err, size_t errlen)
{
	const struct sp_kvindex *x = d->priv;
	int rc;

	(void)err;
	(void)errlen;
	for (size_t i = 0; i < x->n; i++) {
		if ((rc = fn(ctx, x->v[i].key, x->v[i].value)) != 0)
			return rc;
	}
	return 0;
}

void sp_dict_kv_close(struct sp_dict *d)
{
	if (d->priv) {
		sp_kvindex_free(d->priv);
		free(d->priv);
	}
}

const struct sp_dict_ops sp_dict_texthash_ops = {
	.type = "texthash",
	.open = sp_texthash_open,
	.lookup = sp_dict_kv_lookup,
	.each = sp_dict_kv_each,
	.close = sp_dict_kv_close,
	.folds = 1,
	.file_suffix = "",
};
