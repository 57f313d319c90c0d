/*
 * internal.h - what the files of src/config share and nobody else uses.
 */
#ifndef SP_CONFIG_INTERNAL_H
#define SP_CONFIG_INTERNAL_H

#include "config.h"

/* The names referenced with $name anywhere in main.cf or master.cf. */
struct sp_refs {
	char **v;
	size_t n, cap;
};

/* 1 when name is referenced. */
int sp_refs_has(const struct sp_refs *r, const char *name);

/* Builds a view: defaults, then main (may be NULL), then over (may be
 * NULL); expands and type-checks, spending at most *budget units of
 * expansion work. Returns -1 if it added errors to d. */
int sp_view_build(const struct sp_config *c, const struct sp_assigns *main,
		  const struct sp_assigns *over, const struct sp_service *svc,
		  unsigned long *budget, struct sp_view *v, struct sp_diags *d);

/* Classifies every name set in main.cf and in master.cf -o overrides and
 * reports unknown, unimplemented, unused and mixed-up names. */
void sp_config_check_names(const struct sp_config *c, const struct sp_refs *refs,
			   struct sp_diags *d);

#endif
