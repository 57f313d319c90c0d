/*
 * compile.h - building an indexed table from its source file, as postmap
 * does: "type:file" (type hash, btree or lmdb) reads file in postmap's
 * source format and writes file.lmdb atomically (written aside, synced,
 * renamed), so a running server never sees half a table.
 */
#ifndef SP_DICT_COMPILE_H
#define SP_DICT_COMPILE_H

#include <stddef.h>

#include "../util/diag.h"

enum {
	SP_COMPILE_INCREMENTAL = 1 << 8,  /* postmap -i: add to the existing table */
};

/* Compiles spec; flags are SP_DICT_* (SP_DICT_FOLD as postmap without -f)
 * and SP_COMPILE_*. Source warnings (duplicates...) go to d. Returns 0, or
 * -1 with err. */
int sp_dict_compile(const char *spec, unsigned flags, struct sp_diags *d,
		    char *err, size_t errlen);

#endif
