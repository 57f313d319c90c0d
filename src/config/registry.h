/*
 * registry.h - the parameter registry: every main.cf parameter sallyport
 * implements (type, default, bounds, owning component, one-line doc), and
 * the list of names Postfix 3.7 knows, so that any name can be classified
 * as ours, Postfix's-but-not-ours, or unknown.
 */
#ifndef SP_CONFIG_REGISTRY_H
#define SP_CONFIG_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

enum sp_ptype {
	SP_T_BOOL,     /* yes | no (case-insensitive, as Postfix) */
	SP_T_INT,      /* decimal integer, .min/.max (max 0 = unbounded) */
	SP_T_TIME,     /* integer with optional unit s|m|h|d|w; .unit is the default unit; bounds in seconds */
	SP_T_SIZE,     /* byte count (integer, no unit), .min/.max */
	SP_T_STR,      /* free text */
	SP_T_ENUM,     /* one word of .choices ("a|b|c"), case-insensitive */
	SP_T_LIST,     /* list of words separated by commas and/or whitespace */
	SP_T_MAPS,     /* list of type:name lookup tables */
	SP_T_RESTRICT, /* restriction list (restriction names, tables, class names) */
};

/* The program (component) that reads a parameter; used for -o checks. */
enum sp_owner {
	SP_O_GLOBAL,   /* read by every component */
	SP_O_MASTER,
	SP_O_SMTPD,
	SP_O_AUTH,     /* built-in SASL server */
	SP_O_QMGR,
	SP_O_CLEANUP,  /* address rewriting and header handling on the way in */
	SP_O_VIRTUAL,  /* Maildir delivery */
	SP_O_LMTP,
	SP_O_SMTP,     /* outbound SMTP client */
	SP_O_SENDMAIL,
	SP_O_MAPS,     /* lookup table code */
};

/* Flags of a registry entry. */
enum {
	SP_F_NONE = 0,
	SP_F_RAW = 1 << 0,     /* value is expanded at use time with per-message
	                          attributes ($client_address...), never at load */
	SP_F_DIFFERS = 1 << 1, /* our default differs from Postfix's on purpose
	                          (secure by default; see docs/compat.md) */
	SP_F_OWN = 1 << 2,     /* sallyport's own parameter: Postfix has none of
	                          that name (the built-in auth server's) */
};

struct sp_param_def {
	const char *name;
	enum sp_ptype type;
	const char *def;       /* default, may reference $other parameters */
	int64_t min, max;      /* INT, TIME (seconds), SIZE; max 0 = none */
	char unit;             /* TIME: default unit letter */
	const char *choices;   /* ENUM: "a|b|c" */
	enum sp_owner owner;
	unsigned flags;
	const char *doc;       /* one line */
};

/* A Postfix parameter that sallyport does not implement. */
struct sp_postfix_param {
	const char *name;
	const char *def;       /* Postfix 3.7 default (postconf -d) */
};

enum sp_name_class {
	SP_NAME_OURS,          /* in the sallyport registry */
	SP_NAME_POSTFIX_ONLY,  /* Postfix has it, sallyport does not */
	SP_NAME_UNKNOWN,
};

/* The registry, sorted by name; *n_out gets the count. */
const struct sp_param_def *sp_registry(size_t *n_out);

/* Looks up one of our parameters by exact name; NULL if not ours. */
const struct sp_param_def *sp_registry_find(const char *name);

/* The Postfix 3.7 parameter list (all of postconf -d), sorted by name. */
const struct sp_postfix_param *sp_postfix_params(size_t *n_out);

/* Looks up a Postfix 3.7 parameter by name; NULL if Postfix lacks it. */
const struct sp_postfix_param *sp_postfix_find(const char *name);

/* Classifies a parameter name (see enum sp_name_class). */
enum sp_name_class sp_name_classify(const char *name);

/* True when a Postfix parameter that sallyport lacks is merely cosmetic
 * (a warning, not an error, when set). */
int sp_postfix_is_cosmetic(const char *name);

/* Human-readable names for types and owners. */
const char *sp_ptype_name(enum sp_ptype t);
const char *sp_owner_name(enum sp_owner o);

#endif
