/*
 * dict_cidr.c - the cidr: table type (being written; see src/dict/dict.h).
 */
#include "dict_impl.h"

#include <stdio.h>

static int sp_cidr_open(struct sp_dict *d, struct sp_diags *diags, char *err, size_t errlen)
{
	(void)diags;
	snprintf(err, errlen, "%s:%s: table type not available in this build", d->type, d->name);
	return -1;
}

const struct sp_dict_ops sp_dict_cidr_ops = {
	.type = "cidr",
	.open = sp_cidr_open,
};
