/*
 * mastercf.h - the master.cf reader: one service per logical line with the
 * fields service, type, private, unpriv, chroot, wakeup, maxproc, command
 * and its arguments; "{ ... }" groups an argument that contains spaces;
 * "-o name=value", "-oname=value" and "-o { name = value }" become the
 * service's parameter overrides. Pure: bytes in, services and diagnostics
 * out.
 */
#ifndef SP_CONFIG_MASTERCF_H
#define SP_CONFIG_MASTERCF_H

#include <stddef.h>

#include "maincf.h"
#include "../util/diag.h"

struct sp_service {
	char *name;         /* service name; for inet, [host:]port */
	char *type;         /* inet | unix | unix-dgram | fifo | pass */
	char priv;          /* 'y', 'n' or '-' (default: y) */
	char unpriv;        /* 'y', 'n' or '-' (default: y) */
	char chroot;        /* 'y', 'n' or '-' (default: n) */
	char *wakeup;       /* "-" or digits with an optional '?' */
	char *maxproc;      /* "-" or digits */
	char *command;      /* program name */
	char **args;        /* other arguments, braces removed */
	size_t nargs, args_cap;
	struct sp_assigns overrides; /* -o name=value, in order */
	const char *file;   /* not owned */
	int line;
};

struct sp_services {
	struct sp_service *v;
	size_t n, cap;
};

/* Parses master.cf bytes; appends services; appends diagnostics naming
 * file (which must outlive out). Returns the number of errors found. */
size_t sp_mastercf_parse(const char *data, size_t len, const char *file,
			 struct sp_services *out, struct sp_diags *d);

/* Finds a service by "name" or "name/type"; NULL if absent or ambiguous. */
const struct sp_service *sp_services_find(const struct sp_services *s, const char *key);

/* Releases everything. */
void sp_services_free(struct sp_services *s);

#endif
