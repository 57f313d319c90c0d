/*
 * maincf.h - the main.cf reader: logical lines into "name = value"
 * assignments, exactly as Postfix splits them (name up to whitespace or '=',
 * value with surrounding whitespace trimmed, '#' only starts a comment at
 * the beginning of a line). Names are restricted to [A-Za-z0-9_]. Pure:
 * bytes in, assignments and diagnostics out.
 */
#ifndef SP_CONFIG_MAINCF_H
#define SP_CONFIG_MAINCF_H

#include <stddef.h>

#include "../util/diag.h"

struct sp_assign {
	char *name;
	char *value;
	const char *file;  /* not owned: the caller's file name */
	int line;
};

struct sp_assigns {
	struct sp_assign *v;
	size_t n, cap;
};

/* Parses main.cf bytes; appends every assignment in file order (the caller
 * applies "last one wins"); appends diagnostics naming file (which must
 * outlive out). Returns the number of errors found. */
size_t sp_maincf_parse(const char *data, size_t len, const char *file,
		       struct sp_assigns *out, struct sp_diags *d);

/* Splits one logical line "name = value" in place. Returns NULL and sets
 * *name and *value, or returns what is wrong. */
const char *sp_split_nameval(char *line, char **name, char **value);

/* Appends a copy of one assignment. */
void sp_assigns_add(struct sp_assigns *a, const char *name, const char *value,
		    const char *file, int line);
/* The last assignment of name, or NULL. */
const struct sp_assign *sp_assigns_find(const struct sp_assigns *a, const char *name);
/* Releases everything. */
void sp_assigns_free(struct sp_assigns *a);

#endif
