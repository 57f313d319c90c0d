/*
 * check.h - the auditor behind `sallyport check` and `sallyport start`:
 * findings about a configuration, each with a stable ID, a severity, the
 * file and line, what it means and the fix. The relay check is a proof: it
 * evaluates every smtpd service's compiled restrictions (src/policy/, the
 * engine the server runs) on the transactions an outside party can make,
 * and reports each one that relays, byte for byte.
 */
#ifndef SP_CHECK_CHECK_H
#define SP_CHECK_CHECK_H

#include <stddef.h>
#include <stdio.h>

#include "../config/config.h"
#include "../policy/policy.h"
#include "../util/diag.h"

enum sp_fsev { SP_FS_INFO, SP_FS_WARNING, SP_FS_ERROR };

struct sp_finding {
	char *id;            /* stable: "open-relay", "mynetworks-wide"... */
	enum sp_fsev sev;
	char *file;          /* may be NULL */
	int line;            /* 0: none */
	char *param;         /* may be NULL */
	char *service;       /* master.cf service, NULL for main.cf */
	char *what;          /* what was found */
	char *means;         /* why it matters (may be NULL) */
	char *fix;           /* how to fix it (may be NULL) */
	char *proof;         /* open-relay: the SMTP transaction, one command per line */
};

struct sp_findings {
	struct sp_finding *v;
	size_t n, cap;
	size_t count[3];     /* per severity */
	int skipped;         /* the last finding added was already listed */
};

/* One smtpd service as the checks see it. */
struct sp_check_svc {
	const struct sp_service *ms;   /* NULL: main.cf alone (no master.cf service) */
	const struct sp_view *view;
	const struct sp_policy *policy;   /* NULL when it did not compile */
};

/* The services to check (a real Postfix's when their views say postfix). */
struct sp_check_input {
	const struct sp_check_svc *svc;
	size_t nsvc;
};

/* Adds a finding; fmt formats what. id, file, param, service, means and
 * fix are copied; NULL where the doc above allows. */
void sp_finding_add(struct sp_findings *f, const char *id, enum sp_fsev sev, const char *file,
		    int line, const char *param, const char *service, const char *means,
		    const char *fix, const char *fmt, ...) __attribute__((format(printf, 10, 11)));
/* Sets the proof of the last finding added. */
void sp_finding_proof(struct sp_findings *f, const char *proof);
void sp_findings_free(struct sp_findings *f);
/* 0 clean (or notes only), 1 warnings, 2 errors. */
int sp_findings_status(const struct sp_findings *f);

/* Turns the errors with this id into warnings, saying why. */
void sp_findings_allow(struct sp_findings *f, const char *id, const char *why);

/* Runs every check on the services start loads (master/svc.h), with
 * allow_open_relay applied. */
struct sp_svcs;
void sp_check_svcs(const struct sp_svcs *s, struct sp_findings *f);

/* The security summary of the services about to run and their findings
 * (malloc'ed text), and what changed between two (one line per change,
 * to emit). */
char *sp_check_snapshot(const struct sp_svcs *s, const struct sp_findings *f);
void sp_check_diff(const char *was, const char *now, void (*emit)(void *ctx, const char *line),
		   void *ctx);

/* Runs every check on in. */
void sp_check_run(const struct sp_check_input *in, struct sp_findings *f);

/* The relay proofs alone (relay.c). */
void sp_check_relay(const struct sp_check_input *in, struct sp_findings *f);

/* The other findings (rules.c). */
void sp_check_rules(const struct sp_check_input *in, struct sp_findings *f);

/* Output: text grouped by severity (colour: ANSI colours), or JSON. */
void sp_findings_print_text(const struct sp_findings *f, FILE *fp, int colour);
void sp_findings_print_json(const struct sp_findings *f, FILE *fp);

#endif
