/*
 * dict_inline.c - the inline: table type, a table written in the
 * configuration: inline:{ key=value, { key = value with spaces } }.
 * Elements are separated by commas or whitespace; one in braces may hold
 * spaces around '=' and in its value. Keys fold like other fixed tables.
 */
#include "dict_impl.h"
#include "kvindex.h"
#include "../config/value.h"
#include "../util/chars.h"
#include "../util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sp_inline_ctx {
	struct sp_dict *d;
	struct sp_kvindex *x;
	char *err;
	size_t errlen;
};

/* Copies s[0..n) without surrounding blanks. */
static char *sp_trimdup(const char *s, size_t n)
{
	while (n > 0 && sp_isspace(*s))
		s++, n--;
	while (n > 0 && sp_isspace(s[n - 1]))
		n--;
	return sp_xstrndup(s, n);
}

static int sp_inline_elem(void *vctx, const char *e, size_t n)
{
	struct sp_inline_ctx *c = vctx;
	const char *eq;
	char *key, *value;

	if (n >= 2 && e[0] == '{') {
		if (e[n - 1] != '}') {
			snprintf(c->err, c->errlen, "inline:%s: text after '}' in \"%.*s\"",
				 c->d->name, (int)(n > 60 ? 60 : n), e);
			return -1;
		}
		e++;
		n -= 2;
	}
	eq = memchr(e, '=', n);
	key = eq ? sp_trimdup(e, (size_t)(eq - e)) : NULL;
	if (eq == NULL || *key == 0) {
		snprintf(c->err, c->errlen, "inline:%s: need \"key=value\", not \"%.*s\"",
			 c->d->name, (int)(n > 60 ? 60 : n), e);
		free(key);
		return -1;
	}
	value = sp_trimdup(eq + 1, n - (size_t)(eq + 1 - e));
	if (*value == 0) {
		snprintf(c->err, c->errlen, "inline:%s: key \"%.60s\" has an empty value "
			 "(Postfix does not allow an empty result; leave the key out)", c->d->name, key);
		free(key);
		free(value);
		return -1;
	}
	if (c->d->flags & SP_DICT_FOLD)
		sp_dict_fold(key);
	sp_kvindex_add(c->x, key, value, 0);
	free(key);
	free(value);
	return 0;
}

static int sp_inline_open(struct sp_dict *d, struct sp_diags *diags, char *err, size_t errlen)
{
	struct sp_kvindex *x = sp_xcalloc(1, sizeof(*x));
	struct sp_inline_ctx c = {d, x, err, errlen};
	const char *inside;
	char *body;
	size_t n;
	int rc;

	(void)diags;
	d->priv = x;
	if ((inside = sp_dict_braced(d->name, &n)) == NULL) {
		snprintf(err, errlen, "inline:%.60s: write the table as one group in braces: "
			 "inline:{ key=value, ... }", d->name);
		return -1;
	}
	body = sp_xstrndup(inside, n);
	rc = sp_value_list(body, sp_inline_elem, &c);
	free(body);
	if (rc != 0)
		return -1;
	if (x->n == 0) {
		snprintf(err, errlen, "inline:%.60s: empty table; write inline:{ key=value, ... }",
			 d->name);
		return -1;
	}
	sp_kvindex_finish(x, 1, NULL, NULL);  /* as Postfix: the last of duplicate keys wins */
	return 0;
}

const struct sp_dict_ops sp_dict_inline_ops = {
	.type = "inline",
	.open = sp_inline_open,
	.lookup = sp_dict_kv_lookup,
	.each = sp_dict_kv_each,
	.close = sp_dict_kv_close,
	.folds = 1,
};
