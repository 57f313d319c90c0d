/*
 * dict_static.c - the static: table type: every lookup finds the same
 * value, static:value or static:{ value with spaces }.
 */
#include "dict_impl.h"
#include "../util/chars.h"
#include "../util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int sp_static_open(struct sp_dict *d, struct sp_diags *diags, char *err, size_t errlen)
{
	const char *s = d->name;
	size_t n = strlen(s);

	(void)diags;
	if (n > 0 && s[0] == '{') {
		if ((s = sp_dict_braced(d->name, &n)) == NULL) {
			snprintf(err, errlen, "static:%.60s: write the value as one group in braces: "
				 "static:{ value }", d->name);
			return -1;
		}
		while (n > 0 && sp_isspace(*s))
			s++, n--;
		while (n > 0 && sp_isspace(s[n - 1]))
			n--;
	}
	if (n == 0) {
		snprintf(err, errlen, "static:%s: empty value (Postfix does not allow an empty "
			 "result; write static:VALUE)", d->name);
		return -1;
	}
	d->priv = sp_xstrndup(s, n);
	return 0;
}

static int sp_static_lookup(struct sp_dict *d, const char *key, char *err, size_t errlen)
{
	(void)key;
	if (sp_buf_adds(&d->result, d->priv) < 0) {
		snprintf(err, errlen, "static: result too long");
		return -1;
	}
	return 1;
}

static void sp_static_close(struct sp_dict *d)
{
	free(d->priv);
}

const struct sp_dict_ops sp_dict_static_ops = {
	.type = "static",
	.open = sp_static_open,
	.lookup = sp_static_lookup,
	.close = sp_static_close,
};
