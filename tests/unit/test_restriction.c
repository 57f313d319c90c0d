/*
 * test_restriction.c - the restriction name table and the syntax check of
 * restriction lists (src/policy/restriction.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "policy/restriction.h"

static void test_table_sorted(void **state)
{
	size_t n;
	const struct sp_restriction_def *r = sp_restrictions(&n);

	(void)state;
	assert_true(n > 50);
	for (size_t i = 1; i < n; i++)
		assert_true(strcmp(r[i - 1].name, r[i].name) < 0);
	for (size_t i = 0; i < n; i++) {
		assert_ptr_equal(sp_restriction_find(r[i].name), &r[i]);
		if (r[i].state == SP_R_RENAMED) {
			const struct sp_restriction_def *to = sp_restriction_find(r[i].replacement);
			assert_non_null(to);
			assert_int_equal(to->state, SP_R_OK);
		}
		if (r[i].state == SP_R_REMOVED)
			assert_non_null(r[i].replacement);
	}
	assert_null(sp_restriction_find("permit_mynetwork"));
}

struct list_row {
	const char *list;
	const char *classes;
	size_t errors, warnings;
	const char *needle;   /* in the first diagnostic, or NULL */
};

static const struct list_row rows[] = {
	{"", NULL, 0, 0, NULL},
	{"permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination", NULL, 0, 0, NULL},
	{"reject_sender_login_mismatch permit_sasl_authenticated reject_unauth_destination", NULL, 0, 0, NULL},
	{"PERMIT_MYNETWORKS, Reject_Unauth_Destination", NULL, 0, 0, NULL},
	{"check_sender_access hash:/etc/postfix/access, reject", NULL, 0, 0, NULL},
	{"check_client_access inline:{ 192.0.2.1=OK }, reject", NULL, 0, 0, NULL},
	{"check_client_access cidr:/etc/postfix/clients permit", NULL, 0, 0, NULL},
	{"my_class, reject", "my_class other", 0, 0, NULL},
	{"permit_mynetwork", NULL, 1, 0, "did you mean \"permit_mynetworks\""},
	{"reject_unauth_destinaton", NULL, 1, 0, "did you mean \"reject_unauth_destination\""},
	{"check_relay_domains", NULL, 1, 0, "reject_unauth_destination"},
	{"permit_mx_backup", NULL, 1, 0, "relay_domains"},
	{"permit_naked_ip_address", NULL, 1, 0, "permit_mynetworks"},
	{"reject_rbl_client zen.spamhaus.org, permit", NULL, 1, 0, "not supported by sallyport"},
	{"check_policy_service unix:private/policy", NULL, 1, 0, "not supported by sallyport"},
	{"check_sender_access", NULL, 1, 0, "needs a table after it"},
	{"check_sender_access reject", NULL, 1, 0, "is not a table"},
	{"hash:/etc/postfix/access", NULL, 1, 0, "is not a restriction"},
	{"reject_unknown_hostname", NULL, 0, 1, "reject_unknown_helo_hostname"},
	{"reject_invalid_hostname, reject_non_fqdn_hostname", NULL, 0, 2, "reject_invalid_helo_hostname"},
	{"unknown_class", "my_class", 1, 0, "unknown restriction \"unknown_class\""},
	{"xyzzy", NULL, 1, 0, "smtpd_restriction_classes"},
	{"permit_mynetworks,,reject", NULL, 0, 0, NULL},
};

static void test_check_list(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct sp_diags d = {0};
		size_t errors = sp_restriction_check_list(rows[i].list, rows[i].classes,
							  "smtpd_recipient_restrictions",
							  "main.cf", 7, &d);
		if (errors != rows[i].errors || d.errors != rows[i].errors ||
		    d.n - d.errors != rows[i].warnings)
			fail_msg("row %zu \"%s\": %zu errors, %zu warnings; want %zu, %zu", i,
				 rows[i].list, errors, d.n - d.errors, rows[i].errors,
				 rows[i].warnings);
		if (rows[i].needle) {
			const struct sp_diag *g = &d.v[0];
			if (!strstr(g->what, rows[i].needle) && !(g->fix && strstr(g->fix, rows[i].needle)))
				fail_msg("row %zu: \"%s; %s\" lacks \"%s\"", i, g->what,
					 g->fix ? g->fix : "", rows[i].needle);
			assert_int_equal(g->line, 7);
			assert_string_equal(g->param, "smtpd_recipient_restrictions");
			/* a restriction Postfix has and sallyport lacks is marked so (the
			 * auditor then reports a real Postfix's use of it as not assessed);
			 * a misspelling or a removed one is a mistake, not marked */
			if (g->unsupported != (strstr(g->what, "not supported by sallyport") != NULL))
				fail_msg("row %zu: \"%s\" marked unsupported: %d", i, g->what,
					 g->unsupported);
		}
		sp_diags_free(&d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_sorted),
		cmocka_unit_test(test_check_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
