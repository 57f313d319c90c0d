/*
 * compile.c - indexed table builds (being written; see compile.h).
 */
#include "compile.h"

#include <stdio.h>

int sp_dict_compile(const char *spec, unsigned flags, struct sp_diags *d,
		    char *err, size_t errlen)
{
	(void)flags;
	(void)d;
	snprintf(err, errlen, "%s: building indexed tables is not available in this build", spec);
	return -1;
}
