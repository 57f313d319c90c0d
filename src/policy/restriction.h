/*
 * restriction.h - the restriction names of Postfix's smtpd_*_restrictions
 * lists as sallyport knows them: which it implements, which take an
 * argument (a table, a service), which Postfix renamed (accepted, with a
 * warning naming the new name) and which are removed or not supported by
 * sallyport (errors that say what to write instead). And the syntax check
 * of a whole list, done once when the configuration is loaded, so that a
 * misspelled restriction is an error at start-up, not a 451 at run time.
 */
#ifndef SP_POLICY_RESTRICTION_H
#define SP_POLICY_RESTRICTION_H

#include <stddef.h>

#include "../util/diag.h"

enum sp_rarg {
	SP_RARG_NONE,
	SP_RARG_TABLE,    /* type:name follows */
	SP_RARG_WORD,     /* one word follows (a DNS domain, a service, seconds) */
};

enum sp_rstate {
	SP_R_OK,          /* implemented */
	SP_R_RENAMED,     /* an old name Postfix still accepts: use .replacement */
	SP_R_REMOVED,     /* gone from Postfix, or unsafe: .replacement says what instead */
	SP_R_UNSUPPORTED, /* Postfix has it, sallyport does not */
};

struct sp_restriction_def {
	const char *name;
	enum sp_rarg arg;
	enum sp_rstate state;
	const char *replacement;   /* RENAMED: the new name; REMOVED: what to write */
};

/* The restriction named name (exact, lower case as Postfix documents), or NULL. */
const struct sp_restriction_def *sp_restriction_find(const char *name);

/* The fix for an unknown restriction name: the closest known name
 * ("did you mean ...?"), or what to write instead. */
void sp_restriction_fix(const char *name, char *fix, size_t len);

/* The whole table, sorted by name; *n gets the count. */
const struct sp_restriction_def *sp_restrictions(size_t *n);

/* Checks one restriction list (an expanded smtpd_*_restrictions value):
 * every element must be a known restriction (or a name in classes, the
 * expanded smtpd_restriction_classes), with its table argument where one is
 * needed. Diagnostics name file, line and param. Returns the number of
 * errors. */
size_t sp_restriction_check_list(const char *list, const char *classes, const char *param,
				 const char *file, int line, struct sp_diags *d);

struct sp_view;

/* Checks every restriction list a view sets (for a service view, those its
 * -o overrides set), and the definitions of smtpd_restriction_classes.
 * Returns the number of errors. */
size_t sp_restriction_check_view(const struct sp_view *v, struct sp_diags *d);

#endif
