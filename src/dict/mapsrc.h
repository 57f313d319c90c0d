/*
 * mapsrc.h - the source format of indexed tables, as postmap(1) reads it:
 * Postfix logical lines (comments, continuation lines); the key ends at the
 * first whitespace that is not inside double quotes or escaped with a
 * backslash (the key is kept as written, quotes and backslashes included);
 * the value is the rest with surrounding whitespace trimmed. A line without
 * a key or a value, or that is not UTF-8, is skipped with a warning, as
 * postmap does. Pure: bytes
 * in, entries and diagnostics out. Shared by texthash and the compiler.
 */
#ifndef SP_DICT_MAPSRC_H
#define SP_DICT_MAPSRC_H

#include <stddef.h>

#include "../util/diag.h"

struct sp_mapsrc_entry {
	char *key;
	char *value;
	int line;
};

struct sp_mapsrc {
	struct sp_mapsrc_entry *v;
	size_t n, cap;
};

/* Parses table source bytes into entries in file order; warnings and
 * errors (naming file and line) go to d. Returns the number of errors. */
size_t sp_mapsrc_parse(const char *data, size_t len, const char *file,
		       struct sp_mapsrc *out, struct sp_diags *d);

/* Releases the entries. */
void sp_mapsrc_free(struct sp_mapsrc *m);

#endif
