/*
 * names.c - the loud half of loading: every name set in main.cf or with
 * -o in master.cf is classified, and each mistake Postfix would pass over
 * in silence is reported with file, line, name, what is wrong and the fix:
 * unknown names (with "did you mean"), Postfix parameters sallyport does
 * not implement, user-defined names nothing refers to, client-side smtp_
 * names set where the server-side smtpd_ twin was obviously meant, and
 * assignments that override an earlier one.
 */
#include "internal.h"
#include "suggest.h"
#include "value.h"
#include "../util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "did you mean "a", "b" or "c"?" into buf; empty when nothing is close. */
static const char *sp_did_you_mean(const char *name, char *buf, size_t len)
{
	const char *s[SP_SUGGEST_MAX];
	size_t n = sp_suggest(name, s), off;

	buf[0] = 0;
	if (n == 0)
		return NULL;
	off = (size_t)snprintf(buf, len, "did you mean \"%s\"", s[0]);
	for (size_t i = 1; i < n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s\"%s\"",
					i + 1 == n ? " or " : ", ", s[i]);
	if (off < len)
		snprintf(buf + off, len - off, "?");
	return buf;
}

/* Postfix derives per-transport parameters from master.cf: SERVICE_SUFFIX
 * for each service whose program is a delivery agent. Returns the service
 * that makes name one of those, or NULL. */
static const struct sp_service *sp_transport_param(const struct sp_config *c, const char *name)
{
	static const char *const agents[] = {"local", "error", "virtual", "smtp", "lmtp", "pipe", "spawn"};
	static const char *const suffixes[] = {
		"time_limit", "recipient_limit", "extra_recipient_limit",
		"recipient_refill_limit", "recipient_refill_delay", "delivery_slot_cost",
		"delivery_slot_loan", "delivery_slot_discount", "minimum_delivery_slots",
		"initial_destination_concurrency", "destination_concurrency_limit",
		"destination_recipient_limit", "destination_concurrency_positive_feedback",
		"destination_concurrency_negative_feedback",
		"destination_concurrency_failed_cohort_limit", "destination_rate_delay",
		"transport_rate_delay",
	};

	for (size_t i = 0; i < c->master.n; i++) {
		const struct sp_service *svc = &c->master.v[i];
		size_t n = strlen(svc->name), k;

		if (strncmp(name, svc->name, n) != 0 || name[n] != '_')
			continue;
		for (k = 0; k < sizeof(agents) / sizeof(agents[0]); k++) {
			if (strcmp(svc->command, agents[k]) == 0)
				break;
		}
		if (k == sizeof(agents) / sizeof(agents[0]))
			continue;
		for (k = 0; k < sizeof(suffixes) / sizeof(suffixes[0]); k++) {
			if (strcmp(name + n + 1, suffixes[k]) == 0)
				return svc;
		}
	}
	return NULL;
}

static void sp_check_unknown(const struct sp_config *c, const struct sp_assign *a,
			     const struct sp_refs *refs, struct sp_diags *d)
{
	const struct sp_service *svc;
	char fix[512];

	if (sp_refs_has(refs, a->name))
		return;  /* a user-defined parameter that something refers to */
	if ((svc = sp_transport_param(c, a->name)) != NULL) {
		sp_diag_add(d, SP_ERROR, a->file, a->line, a->name,
			    "remove it; sallyport schedules deliveries itself",
			    "Postfix per-transport parameter (for the master.cf service \"%s\", "
			    "program %s) not supported by sallyport", svc->name, svc->command);
		sp_diag_unsupported(d);
		return;
	}
	if (sp_did_you_mean(a->name, fix, sizeof(fix)))
		sp_diag_add(d, SP_ERROR, a->file, a->line, a->name, fix,
			    "unknown parameter (neither sallyport nor Postfix has it)");
	else
		sp_diag_add(d, SP_WARNING, a->file, a->line, a->name,
			    "remove it, or refer to it with $name",
			    "unused parameter: not a parameter sallyport knows, "
			    "and nothing refers to it as $%s", a->name);
}

/* Is the client feature of this smtp_ family configured at all? */
static int sp_client_feature_on(const struct sp_view *v, const char *name)
{
	const char *enable, *maps, *level;
	int on = 0;

	if (strncmp(name, "smtp_sasl_", 10) == 0) {
		enable = sp_view_get(v, "smtp_sasl_auth_enable");
		maps = sp_view_get(v, "smtp_sasl_password_maps");
		return enable && sp_value_bool(enable, &on) == 0 && on && maps && *maps;
	}
	if (strncmp(name, "smtp_tls_", 9) == 0 && strcmp(name, "smtp_tls_security_level") != 0) {
		level = sp_view_get(v, "smtp_tls_security_level");
		return level && *level && strcmp(level, "none") != 0;
	}
	return 1;
}

/* "did you mean smtpd_x" for a client-side smtp_x whose client feature is
 * off; NULL otherwise. */
static const char *sp_twin_hint(const char *name, const struct sp_view *v, char *buf, size_t len)
{
	char twin[256];

	if (strncmp(name, "smtp_", 5) != 0 || sp_client_feature_on(v, name))
		return NULL;
	if (!sp_prefix_twin(name, twin, sizeof(twin)) || !sp_registry_find(twin))
		return NULL;
	snprintf(buf, len, "did you mean \"%s\" (the server's parameter)?", twin);
	return buf;
}

static void sp_check_postfix_only(const struct sp_assign *a, const struct sp_view *v,
				  struct sp_diags *d)
{
	char hint[320];

	if (sp_twin_hint(a->name, v, hint, sizeof(hint)))
		sp_diag_add(d, SP_ERROR, a->file, a->line, a->name, hint,
			    "Postfix parameter of the outbound SMTP client, which sallyport "
			    "does not support");
	else if (sp_postfix_is_cosmetic(a->name))
		sp_diag_add(d, SP_WARNING, a->file, a->line, a->name,
			    "remove it (it changes nothing that matters)",
			    "Postfix parameter not implemented by sallyport; ignored");
	else
		sp_diag_add(d, SP_ERROR, a->file, a->line, a->name,
			    "remove it, or express what it does with a parameter sallyport "
			    "supports (sallyport conf -d lists them)",
			    "Postfix parameter not supported by sallyport; it changes security "
			    "or delivery, so it cannot be ignored");
	sp_diag_unsupported(d);
}

/* smtp_sasl_path while client SASL is off: smtpd_sasl_path was meant. */
static void sp_check_twin(const struct sp_assign *a, const struct sp_view *v,
			  struct sp_diags *d)
{
	char fix[320];

	if (!sp_twin_hint(a->name, v, fix, sizeof(fix)))
		return;
	sp_diag_add(d, SP_WARNING, a->file, a->line, a->name, fix,
		    "sets the outbound SMTP client, whose %s is not configured",
		    strncmp(a->name, "smtp_sasl_", 10) == 0
			    ? "SASL (smtp_sasl_auth_enable with smtp_sasl_password_maps)"
			    : "TLS (smtp_tls_security_level)");
}

/* By name, then file order (ctx: the assignments). */
static int sp_assign_idx_cmp(const void *a, const void *b, void *ctx)
{
	const struct sp_assigns *as = ctx;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = strcmp(as->v[x].name, as->v[y].name);

	return c ? c : (x > y) - (x < y);
}

/* "overrides the value set at line N" for each assignment that changes the
 * value of the one before it (sorting keeps this O(n log n)). */
static void sp_check_duplicates(const struct sp_assigns *as, struct sp_diags *d)
{
	size_t *idx = sp_xcalloc(as->n ? as->n : 1, sizeof(*idx));

	for (size_t i = 0; i < as->n; i++)
		idx[i] = i;
	qsort_r(idx, as->n, sizeof(*idx), sp_assign_idx_cmp, (void *)as);
	for (size_t i = 1; i < as->n; i++) {
		const struct sp_assign *prev = &as->v[idx[i - 1]], *a = &as->v[idx[i]];
		if (strcmp(prev->name, a->name) == 0 && strcmp(prev->value, a->value) != 0)
			sp_diag_add(d, SP_WARNING, a->file, a->line, a->name, "keep one assignment",
				    "overrides the value set at line %d (the last one wins)", prev->line);
	}
	free(idx);
}

static void sp_check_assigns(const struct sp_config *c, const struct sp_assigns *as,
			     const struct sp_refs *refs, struct sp_diags *d)
{
	const struct sp_view *v = &c->global;

	sp_check_duplicates(as, d);
	for (size_t i = 0; i < as->n; i++) {
		const struct sp_assign *a = &as->v[i];

		switch (sp_name_classify(a->name)) {
		case SP_NAME_OURS:
			sp_check_twin(a, v, d);
			break;
		case SP_NAME_POSTFIX_ONLY:
			sp_check_postfix_only(a, v, d);
			break;
		case SP_NAME_UNKNOWN:
			sp_check_unknown(c, a, refs, d);
			break;
		}
	}
}

void sp_config_check_names(const struct sp_config *c, const struct sp_refs *refs,
			   struct sp_diags *d)
{
	sp_check_assigns(c, &c->main, refs, d);
	for (size_t i = 0; i < c->master.n; i++)
		sp_check_assigns(c, &c->master.v[i].overrides, refs, d);
}
