/*
 * action.c - access table results into actions (see action.h).
 */
#include "action.h"
#include "../util/chars.h"

#include <string.h>
#include <strings.h>

static size_t sp_digits(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n] >= '0' && s[n] <= '9')
		n++;
	return n;
}

int sp_dsn_prefix(const char *s, size_t *len)
{
	size_t i = 1, n;

	if (s[0] != '2' && s[0] != '4' && s[0] != '5')
		return 0;
	if (s[i++] != '.')
		return 0;
	if ((n = sp_digits(s + i, 3)) == 0 || (s[i + n] >= '0' && s[i + n] <= '9'))
		return 0;
	i += n;
	if (s[i++] != '.')
		return 0;
	if ((n = sp_digits(s + i, 3)) == 0 || (s[i + n] >= '0' && s[i + n] <= '9'))
		return 0;
	i += n;
	if (s[i] != 0 && !sp_isspace(s[i]))
		return 0;
	*len = i;
	return 1;
}

/* Takes an enhanced status code off the front of the text, or uses def. */
static void sp_split_dsn(struct sp_action *a, const char *def)
{
	size_t n;

	if (sp_dsn_prefix(a->text, &n) && n < sizeof(a->dsn)) {
		memcpy(a->dsn, a->text, n);
		a->dsn[n] = 0;
		a->text += n;
		while (*a->text && sp_isspace(*a->text))
			a->text++;
	} else {
		strcpy(a->dsn, def);
	}
}

static int sp_all_digits(const char *s)
{
	return *s && s[sp_digits(s, (size_t)-1)] == 0;
}

static const struct {
	const char *word;
	enum sp_act kind;
	const char *dsn;   /* default enhanced code, or NULL: no DSN for this action */
} sp_words[] = {
	{"DUNNO", SP_ACT_DUNNO, NULL},
	{"REJECT", SP_ACT_REJECT, "5.7.1"},
	{"DEFER", SP_ACT_DEFER, "4.7.1"},
	{"HANGUP", SP_ACT_HANGUP, NULL},
	{"INFO", SP_ACT_INFO, NULL},
	{"WARN", SP_ACT_WARN, NULL},
	{"FILTER", SP_ACT_FILTER, NULL},
	{"HOLD", SP_ACT_HOLD, NULL},
	{"DISCARD", SP_ACT_DISCARD, NULL},
	{"REDIRECT", SP_ACT_REDIRECT, NULL},
	{"BCC", SP_ACT_BCC, NULL},
	{"DEFER_IF_PERMIT", SP_ACT_DEFER_IF_PERMIT, "4.7.1"},
	{"DEFER_IF_REJECT", SP_ACT_DEFER_IF_REJECT, "4.7.1"},
	{"PREPEND", SP_ACT_PREPEND, NULL},
};

/* Postfix's checks of the arguments of FILTER, REDIRECT, BCC and PREPEND. */
static void sp_check_argument(struct sp_action *a)
{
	const char *colon;

	switch (a->kind) {
	case SP_ACT_FILTER:
		if (*a->text == 0 || strchr(a->text, ':') == NULL)
			a->problem = "FILTER needs transport:destination";
		break;
	case SP_ACT_REDIRECT:
	case SP_ACT_BCC:
		if (strchr(a->text, '@') == NULL)
			a->problem = "needs a user@domain target";
		break;
	case SP_ACT_PREPEND:
		colon = strchr(a->text, ':');
		if (*a->text == 0 || colon == NULL || colon == a->text ||
		    strcspn(a->text, " \t:") != (size_t)(colon - a->text))
			a->problem = "PREPEND needs \"Header-Name: text\"";
		break;
	default:
		break;
	}
}

void sp_action_parse(const char *value, struct sp_action *a)
{
	size_t cmd_len = strcspn(value, " \t");
	const char *text = value + cmd_len;

	memset(a, 0, sizeof(*a));
	while (*text && sp_isspace(*text))
		text++;
	a->text = text;
	for (size_t i = 0; i < sizeof(sp_words) / sizeof(sp_words[0]); i++) {
		if (strlen(sp_words[i].word) == cmd_len &&
		    strncasecmp(value, sp_words[i].word, cmd_len) == 0) {
			a->kind = sp_words[i].kind;
			if (sp_words[i].dsn)
				sp_split_dsn(a, sp_words[i].dsn);
			sp_check_argument(a);
			return;
		}
	}
	if (sp_all_digits(value)) {
		a->kind = SP_ACT_OK;
		a->all_digits = 1;
		return;
	}
	if (cmd_len == 3 && *text && (value[0] == '4' || value[0] == '5') &&
	    value[1] >= '0' && value[1] <= '9' && value[2] >= '0' && value[2] <= '9') {
		char def[6] = {value[0], '.', '7', '.', '1', 0};
		a->kind = SP_ACT_CODE;
		a->code = (value[0] - '0') * 100 + (value[1] - '0') * 10 + (value[2] - '0');
		sp_split_dsn(a, def);
		return;
	}
	if ((cmd_len == 2 && strncasecmp(value, "OK", 2) == 0) ||
	    (cmd_len == 5 && strncasecmp(value, "RELAY", 5) == 0)) {
		a->kind = SP_ACT_OK;
		return;
	}
	if (strchr(value, ':')) {
		a->kind = SP_ACT_BAD;
		a->problem = "a lookup table inside an access table result; define a restriction "
			     "class and name it instead";
		return;
	}
	a->kind = SP_ACT_RESTRICTIONS;
	a->text = value;
}
