/*
 * config.h - a loaded configuration: main.cf and master.cf of one
 * directory, checked against the registry, with every parameter expanded
 * once. A view is the effective parameter set of main.cf, or of one
 * master.cf service with its -o overrides applied. Immutable once built; a
 * reload builds a new one.
 */
#ifndef SP_CONFIG_CONFIG_H
#define SP_CONFIG_CONFIG_H

#include <stddef.h>

#include "maincf.h"
#include "mastercf.h"
#include "registry.h"
#include "../util/diag.h"

enum sp_src { SP_SRC_DEFAULT, SP_SRC_MAIN, SP_SRC_SERVICE };

struct sp_param {
	const char *name;                /* owned by def, main or the service */
	const struct sp_param_def *def;  /* NULL: user-defined */
	const char *raw;                 /* value before expansion */
	char *value;                     /* expanded value (owned) */
	enum sp_src src;
	const char *file;
	int line;
	int bad;                         /* expansion failed (value is "") */
};

struct sp_view {
	struct sp_param *v;              /* sorted by name */
	size_t n;
	const struct sp_service *service; /* NULL: main.cf view */
	char *mydomain_def;              /* computed from myhostname */
	int postfix;                     /* of a real Postfix (sp_config_opts) */
};

/* Expansion work (see expand.h) one load may spend on all its views, or
 * one service view built later. */
#define SP_LOAD_WORK (32ul << 20)

struct sp_config {
	char *dir;
	char *main_path;
	char *master_path;               /* NULL when there is no master.cf */
	struct sp_assigns main;
	struct sp_services master;
	char *hostname;                  /* the machine's name, for defaults */
	char *myhostname_def;            /* computed defaults (with main.cf's mydomain) */
	char *myhostname_bare_def;       /* the same without main.cf (conf -d) */
	char *mydomain_def;
	int postfix;                     /* loaded with Postfix's defaults */
	struct sp_view global;
};

struct sp_config_opts {
	const char *hostname;            /* NULL: gethostname() */
	int postfix;                     /* a real Postfix's directory: Postfix's defaults
					  * where ours differ on purpose (sallyport check
					  * --postfix) */
};

/* Reads dir/main.cf (required) and dir/master.cf (optional), checks every
 * name and value, expands every parameter. Returns the configuration (also
 * when it has errors: callers decide) or NULL if main.cf cannot be read;
 * diagnostics are appended to d. */
struct sp_config *sp_config_load(const char *dir, const struct sp_config_opts *opts,
				 struct sp_diags *d);

/* Builds the view of one master.cf service (main.cf plus its -o
 * overrides); diagnostics about the overrides go to d. */
int sp_config_service_view(const struct sp_config *c, const struct sp_service *svc,
			   struct sp_view *out, struct sp_diags *d);

/* Builds the view of the defaults alone (what -d shows). */
void sp_config_defaults_view(const struct sp_config *c, struct sp_view *out);

/* The effective parameter, or NULL for a name the view does not have. */
const struct sp_param *sp_view_find(const struct sp_view *v, const char *name);
/* Its expanded value, or NULL. */
const char *sp_view_get(const struct sp_view *v, const char *name);

/* The default of one of our parameters, before expansion (computed ones
 * such as myhostname included; main_cf 0 leaves main.cf out of them). */
const char *sp_config_default(const struct sp_config *c, const struct sp_param_def *def,
			      int main_cf);

void sp_view_free(struct sp_view *v);
void sp_config_free(struct sp_config *c);

#endif
