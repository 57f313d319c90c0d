/*
 * test_action.c - access table results parsed as Postfix's smtpd parses
 * them (src/policy/action.c; rules from Postfix 3.7 smtpd_check.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "policy/action.h"

struct act_row {
	const char *value;
	enum sp_act kind;
	int code;
	const char *dsn;
	const char *text;
	int all_digits;
	int problem;
};

static const struct act_row rows[] = {
	{"OK", SP_ACT_OK, 0, "", "", 0, 0},
	{"ok trailing text ignored", SP_ACT_OK, 0, "", "trailing text ignored", 0, 0},
	{"RELAY", SP_ACT_OK, 0, "", "", 0, 0},
	{"1234567890", SP_ACT_OK, 0, "", "", 1, 0},
	{"550", SP_ACT_OK, 0, "", "", 1, 0},   /* Postfix's rule: digits alone permit */
	{"DUNNO", SP_ACT_DUNNO, 0, "", "", 0, 0},
	{"dunno some text", SP_ACT_DUNNO, 0, "", "some text", 0, 0},
	{"REJECT", SP_ACT_REJECT, 0, "5.7.1", "", 0, 0},
	{"REJECT go away", SP_ACT_REJECT, 0, "5.7.1", "go away", 0, 0},
	{"REJECT 5.7.2 go away", SP_ACT_REJECT, 0, "5.7.2", "go away", 0, 0},
	{"REJECT 5.7.2", SP_ACT_REJECT, 0, "5.7.2", "", 0, 0},
	{"REJECT 5.7.1234 text", SP_ACT_REJECT, 0, "5.7.1", "5.7.1234 text", 0, 0},
	{"REJECT 3.7.1 text", SP_ACT_REJECT, 0, "5.7.1", "3.7.1 text", 0, 0},
	{"REJECT 5.7.1x text", SP_ACT_REJECT, 0, "5.7.1", "5.7.1x text", 0, 0},
	{"reject\tTabbed", SP_ACT_REJECT, 0, "5.7.1", "Tabbed", 0, 0},
	{"DEFER", SP_ACT_DEFER, 0, "4.7.1", "", 0, 0},
	{"DEFER 4.3.0 busy", SP_ACT_DEFER, 0, "4.3.0", "busy", 0, 0},
	{"450 try later", SP_ACT_CODE, 450, "4.7.1", "try later", 0, 0},
	{"550 5.1.1 no such user", SP_ACT_CODE, 550, "5.1.1", "no such user", 0, 0},
	{"421 4.7.0 bye", SP_ACT_CODE, 421, "4.7.0", "bye", 0, 0},
	{"599 x", SP_ACT_CODE, 599, "5.7.1", "x", 0, 0},
	{"650 x", SP_ACT_RESTRICTIONS, 0, "", "650 x", 0, 0},
	{"45 x", SP_ACT_RESTRICTIONS, 0, "", "45 x", 0, 0},
	{"4500 x", SP_ACT_RESTRICTIONS, 0, "", "4500 x", 0, 0},
	{"DEFER_IF_PERMIT", SP_ACT_DEFER_IF_PERMIT, 0, "4.7.1", "", 0, 0},
	{"defer_if_reject 4.7.2 maybe", SP_ACT_DEFER_IF_REJECT, 0, "4.7.2", "maybe", 0, 0},
	{"WARN note this", SP_ACT_WARN, 0, "", "note this", 0, 0},
	{"INFO", SP_ACT_INFO, 0, "", "", 0, 0},
	{"HOLD", SP_ACT_HOLD, 0, "", "", 0, 0},
	{"DISCARD spam", SP_ACT_DISCARD, 0, "", "spam", 0, 0},
	{"PREPEND X-Tag: yes", SP_ACT_PREPEND, 0, "", "X-Tag: yes", 0, 0},
	{"PREPEND not a header", SP_ACT_PREPEND, 0, "", "not a header", 0, 1},
	{"PREPEND", SP_ACT_PREPEND, 0, "", "", 0, 1},
	{"REDIRECT abuse@example.com", SP_ACT_REDIRECT, 0, "", "abuse@example.com", 0, 0},
	{"REDIRECT nobody", SP_ACT_REDIRECT, 0, "", "nobody", 0, 1},
	{"BCC archive@example.com", SP_ACT_BCC, 0, "", "archive@example.com", 0, 0},
	{"FILTER smtp:[127.0.0.1]:10025", SP_ACT_FILTER, 0, "", "smtp:[127.0.0.1]:10025", 0, 0},
	{"FILTER", SP_ACT_FILTER, 0, "", "", 0, 1},
	{"FILTER nocolon", SP_ACT_FILTER, 0, "", "nocolon", 0, 1},
	{"HANGUP", SP_ACT_HANGUP, 0, "", "", 0, 0},
	{"permit_mynetworks, reject", SP_ACT_RESTRICTIONS, 0, "", "permit_mynetworks, reject", 0, 0},
	{"my_class", SP_ACT_RESTRICTIONS, 0, "", "my_class", 0, 0},
	{"", SP_ACT_RESTRICTIONS, 0, "", "", 0, 0},
	{"check_sender_access hash:/etc/x", SP_ACT_BAD, 0, "", "check_sender_access hash:/etc/x", 0, 1},
	{"REJECTED", SP_ACT_RESTRICTIONS, 0, "", "REJECTED", 0, 0},
	{"OKAY", SP_ACT_RESTRICTIONS, 0, "", "OKAY", 0, 0},
};

static void test_actions(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct act_row *r = &rows[i];
		struct sp_action a;

		sp_action_parse(r->value, &a);
		if (a.kind != r->kind || a.code != r->code || strcmp(a.dsn, r->dsn) != 0 ||
		    (r->kind != SP_ACT_BAD && strcmp(a.text, r->text) != 0) ||
		    a.all_digits != r->all_digits || (a.problem != NULL) != r->problem)
			fail_msg("row %zu \"%s\": kind %d code %d dsn \"%s\" text \"%s\" digits %d "
				 "problem %s", i, r->value, a.kind, a.code, a.dsn, a.text,
				 a.all_digits, a.problem ? a.problem : "-");
	}
}

static void test_dsn_prefix(void **state)
{
	static const struct {
		const char *s;
		int ok;
		size_t len;
	} rows2[] = {
		{"5.7.1", 1, 5},     {"4.7.1 text", 1, 5}, {"2.0.0", 1, 5},   {"5.123.456", 1, 9},
		{"5.1234.1", 0, 0},  {"3.7.1", 0, 0},      {"5.7", 0, 0},     {"5..1", 0, 0},
		{"5.7.1x", 0, 0},    {"", 0, 0},           {"x.7.1", 0, 0},   {"5.7.1\t", 1, 5},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows2) / sizeof(rows2[0]); i++) {
		size_t len = 0;
		int ok = sp_dsn_prefix(rows2[i].s, &len);
		if (ok != rows2[i].ok || (ok && len != rows2[i].len))
			fail_msg("\"%s\": %d len %zu", rows2[i].s, ok, len);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_actions),
		cmocka_unit_test(test_dsn_prefix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
