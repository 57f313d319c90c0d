/*
 * suggest.c - nearest known parameter names for an unknown one.
 */
#include "suggest.h"
#include "registry.h"

#include <stdio.h>
#include <string.h>

const char *sp_prefix_twin(const char *name, char *buf, size_t len)
{
	static const char *const swaps[][2] = {
		{"smtpd_", "smtp_"}, {"smtp_", "smtpd_"}, {"lmtp_", "smtp_"},
	};

	for (size_t i = 0; i < sizeof(swaps) / sizeof(swaps[0]); i++) {
		size_t n = strlen(swaps[i][0]);
		if (strncmp(name, swaps[i][0], n) == 0) {
			int w = snprintf(buf, len, "%s%s", swaps[i][1], name + n);
			return w > 0 && (size_t)w < len ? buf : NULL;
		}
	}
	return NULL;
}

size_t sp_edit_distance(const char *a, const char *b, size_t limit)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t prev2[128], prev[128], cur[128];

	if (la >= 127 || lb >= 127)
		return limit + 1;
	if ((la > lb ? la - lb : lb - la) > limit)
		return limit + 1;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t rowmin;
		cur[0] = rowmin = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			size_t v = prev[j - 1] + cost;
			if (prev[j] + 1 < v)
				v = prev[j] + 1;
			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < v)
				v = prev2[j - 2] + 1;
			cur[j] = v;
			if (v < rowmin)
				rowmin = v;
		}
		if (rowmin > limit)
			return limit + 1;
		memcpy(prev2, prev, sizeof(prev));
		memcpy(prev, cur, sizeof(cur));
	}
	return prev[lb];
}

struct sp_cand {
	const char *name;
	size_t score;   /* lower is better */
};

static void sp_offer(struct sp_cand best[SP_SUGGEST_MAX], size_t *n, const char *name, size_t score)
{
	size_t i;

	for (i = 0; i < *n; i++) {
		if (strcmp(best[i].name, name) == 0)
			return;
	}
	if (*n == SP_SUGGEST_MAX && best[*n - 1].score <= score)
		return;
	if (*n < SP_SUGGEST_MAX)
		(*n)++;
	for (i = *n - 1; i > 0 && best[i - 1].score > score; i--)
		best[i] = best[i - 1];
	best[i].name = name;
	best[i].score = score;
}

size_t sp_suggest(const char *name, const char *out[SP_SUGGEST_MAX])
{
	struct sp_cand best[SP_SUGGEST_MAX];
	size_t n = 0, nreg, npf;
	size_t limit = strlen(name) < 8 ? 1 : strlen(name) < 16 ? 2 : 3;
	const struct sp_param_def *reg = sp_registry(&nreg);
	const struct sp_postfix_param *pf = sp_postfix_params(&npf);
	char twin[256];

	if (sp_prefix_twin(name, twin, sizeof(twin))) {
		const struct sp_param_def *d = sp_registry_find(twin);
		const struct sp_postfix_param *p = sp_postfix_find(twin);
		if (d)
			sp_offer(best, &n, d->name, 0);
		else if (p)
			sp_offer(best, &n, p->name, 1);
	}
	/* Ours before Postfix's at equal distance: scores are 2*distance (+1). */
	for (size_t i = 0; i < nreg; i++) {
		size_t dist = sp_edit_distance(name, reg[i].name, limit);
		if (dist <= limit)
			sp_offer(best, &n, reg[i].name, 2 + 2 * dist);
	}
	for (size_t i = 0; i < npf; i++) {
		size_t dist = sp_edit_distance(name, pf[i].name, limit);
		if (dist <= limit)
			sp_offer(best, &n, pf[i].name, 3 + 2 * dist);
	}
	for (size_t i = 0; i < n; i++)
		out[i] = best[i].name;
	return n;
}
