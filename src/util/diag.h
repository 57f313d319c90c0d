/*
 * diag.h - configuration diagnostics: a list of warnings and errors, each
 * naming the file, line, parameter, what is wrong and how to fix it.
 * Parsers and checks append to a list; only the top (the CLI or a daemon's
 * main) prints it and decides whether to go on.
 */
#ifndef SP_UTIL_DIAG_H
#define SP_UTIL_DIAG_H

#include <stddef.h>
#include <stdio.h>

enum sp_sev { SP_WARNING, SP_ERROR };

struct sp_diag {
	enum sp_sev sev;
	char *file;   /* may be NULL */
	int line;     /* 0: no line */
	char *param;  /* may be NULL */
	char *what;   /* what is wrong */
	char *fix;    /* how to fix it; may be NULL */
	int unsupported;   /* about a part of Postfix sallyport lacks (sp_diag_unsupported) */
};

struct sp_diags {
	struct sp_diag *v;
	size_t n, cap;
	size_t errors;
};

/* Appends a diagnostic; what is a printf format (never pass it data as the
 * format). file, param and fix may be NULL. */
void sp_diag_add(struct sp_diags *d, enum sp_sev sev, const char *file, int line,
		 const char *param, const char *fix, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
/* Marks the diagnostic added last as one about a part of Postfix that
 * sallyport does not implement: the auditor, reading a real Postfix
 * configuration, reports those as not assessed rather than as mistakes. */
void sp_diag_unsupported(struct sp_diags *d);
/* A printable excerpt of s[0..n) for a message: at most max bytes, control
 * and non-ASCII bytes shown as '?', "..." when cut. Returns out. */
const char *sp_diag_excerpt(const char *s, size_t n, size_t max, char *out, size_t outlen);

/* Prints one diagnostic line per entry, "sallyport: error: FILE, line N: PARAM: WHAT; FIX". */
void sp_diags_print(const struct sp_diags *d, FILE *fp);
/* Counts the diagnostics whose text contains needle (tests). */
size_t sp_diags_count(const struct sp_diags *d, enum sp_sev sev, const char *needle);
/* Releases every diagnostic. */
void sp_diags_free(struct sp_diags *d);

#endif
