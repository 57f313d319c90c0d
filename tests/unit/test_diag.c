/*
 * test_diag.c - the diagnostics list (util/diag.h): the printed line for
 * every combination of file, line, parameter and fix, error counting,
 * sp_diags_count's matching rules, and that data never acts as a format.
 */
#include "unit.h"

#include "util/diag.h"

/* One diagnostic -> its printed line. */
struct print_row {
	const char *label;
	enum sp_sev sev;
	const char *file;
	int line;
	const char *param;
	const char *fix;
	const char *what;   /* passed as the %s argument, never as the format */
	const char *want;
};

static const struct print_row print_rows[] = {
	{"everything", SP_ERROR, "/etc/x/main.cf", 12, "relayhost", "write [host]",
	 "bad value", "sallyport: error: /etc/x/main.cf, line 12: relayhost: bad value; write [host]\n"},
	{"warning", SP_WARNING, "main.cf", 3, "p", "f", "w",
	 "sallyport: warning: main.cf, line 3: p: w; f\n"},
	{"no fix", SP_ERROR, "main.cf", 1, "p", NULL, "w",
	 "sallyport: error: main.cf, line 1: p: w\n"},
	{"no param", SP_ERROR, "main.cf", 1, NULL, "f", "w",
	 "sallyport: error: main.cf, line 1: w; f\n"},
	{"file without line", SP_ERROR, "main.cf", 0, "p", NULL, "w",
	 "sallyport: error: main.cf: p: w\n"},
	{"no file (line ignored)", SP_WARNING, NULL, 7, NULL, NULL, "w",
	 "sallyport: warning: w\n"},
	{"nothing but what", SP_ERROR, NULL, 0, NULL, NULL, "just this",
	 "sallyport: error: just this\n"},
	{"percent signs in data stay literal", SP_ERROR, "f%s", 2, "p%n", "fix %d",
	 "value %s%n%x", "sallyport: error: f%s, line 2: p%n: value %s%n%x; fix %d\n"},
	{"empty what", SP_ERROR, NULL, 0, NULL, NULL, "", "sallyport: error: \n"},
};

static void test_diag_print_table(void **state)
{
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < NROWS(print_rows); i++) {
		const struct print_row *r = &print_rows[i];
		struct sp_diags d = {0};
		char *text = NULL;
		size_t n = 0;
		FILE *fp = open_memstream(&text, &n);

		assert_non_null(fp);
		sp_diag_add(&d, r->sev, r->file, r->line, r->param, r->fix, "%s", r->what);
		sp_diags_print(&d, fp);
		fclose(fp);
		ROW_CHECK(&fails, "print", i, r->label, sp_streq(text, r->want),
			  "printed \"%s\", want \"%s\"", sp_shows(text), sp_shows(r->want));
		ROW_CHECK(&fails, "print", i, r->label, d.errors == (r->sev == SP_ERROR),
			  "errors %zu", d.errors);
		free(text);
		sp_diags_free(&d);
	}
	sp_rows_done(fails, "print", NROWS(print_rows));
}

static void test_diag_fields_and_count(void **state)
{
	struct sp_diags d = {0};

	(void)state;
	sp_diag_add(&d, SP_ERROR, "a.cf", 4, "smtpd_banner", "fix it", "bad %s at %d", "thing", 9);
	sp_diag_add(&d, SP_WARNING, "a.cf", 5, "smtpd_banner_x", NULL, "unused parameter");
	sp_diag_add(&d, SP_WARNING, NULL, 0, NULL, "mentions smtpd_banner", "other");
	sp_diag_add(&d, SP_ERROR, NULL, 0, NULL, NULL, "second error");
	assert_int_equal(d.n, 4);
	assert_int_equal(d.errors, 2);
	assert_int_equal(d.v[0].sev, SP_ERROR);
	assert_string_equal(d.v[0].file, "a.cf");
	assert_int_equal(d.v[0].line, 4);
	assert_string_equal(d.v[0].param, "smtpd_banner");
	assert_string_equal(d.v[0].what, "bad thing at 9");
	assert_string_equal(d.v[0].fix, "fix it");
	assert_null(d.v[1].fix);
	assert_null(d.v[2].file);
	assert_null(d.v[2].param);

	/* NULL needle: every diagnostic of that severity. */
	assert_int_equal(sp_diags_count(&d, SP_ERROR, NULL), 2);
	assert_int_equal(sp_diags_count(&d, SP_WARNING, NULL), 2);
	/* Substring of what. */
	assert_int_equal(sp_diags_count(&d, SP_ERROR, "thing"), 1);
	assert_int_equal(sp_diags_count(&d, SP_WARNING, "unused"), 1);
	assert_int_equal(sp_diags_count(&d, SP_ERROR, "unused"), 0);
	/* Substring of fix. */
	assert_int_equal(sp_diags_count(&d, SP_ERROR, "fix it"), 1);
	/* param matches exactly only: smtpd_banner is the param of entry 0 and
	 * in the fix of entry 2, but entry 1's param smtpd_banner_x does not
	 * match. */
	assert_int_equal(sp_diags_count(&d, SP_WARNING, "smtpd_banner"), 1);
	assert_int_equal(sp_diags_count(&d, SP_ERROR, "smtpd_banner"), 1);
	assert_int_equal(sp_diags_count(&d, SP_WARNING, "smtpd_ban"), 1);
	assert_int_equal(sp_diags_count(&d, SP_ERROR, "nowhere"), 0);

	sp_diags_free(&d);
	assert_int_equal(d.n, 0);
	assert_int_equal(d.errors, 0);
	assert_null(d.v);
	/* Reusable after free. */
	sp_diag_add(&d, SP_WARNING, NULL, 0, NULL, NULL, "x");
	assert_int_equal(d.n, 1);
	assert_int_equal(d.errors, 0);
	sp_diags_free(&d);
}

static void test_diag_long_message_bounded(void **state)
{
	struct sp_diags d = {0};
	char big[5000];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	sp_diag_add(&d, SP_ERROR, NULL, 0, NULL, NULL, "%s", big);
	assert_int_equal(d.n, 1);
	/* Kept, but bounded (diag.c formats into 1024 bytes). */
	assert_true(strlen(d.v[0].what) > 0);
	assert_true(strlen(d.v[0].what) < sizeof(big) - 1);
	assert_int_equal(strspn(d.v[0].what, "x"), strlen(d.v[0].what));
	sp_diags_free(&d);
}

static void test_diag_many(void **state)
{
	struct sp_diags d = {0};

	(void)state;
	for (int i = 0; i < 1000; i++)
		sp_diag_add(&d, i % 3 ? SP_WARNING : SP_ERROR, "f", i + 1, NULL, NULL, "n%d", i);
	assert_int_equal(d.n, 1000);
	assert_int_equal(d.errors, 334);
	assert_int_equal(d.v[999].line, 1000);
	assert_string_equal(d.v[999].what, "n999");
	assert_int_equal(sp_diags_count(&d, SP_ERROR, "n99"), 5); /* n99, n990, n993, n996, n999 */
	sp_diags_free(&d);
}

/* sp_diag_unsupported marks the diagnostic added last, and only that one. */
static void test_diag_unsupported(void **state)
{
	struct sp_diags d = {0};

	(void)state;
	sp_diag_unsupported(&d);   /* nothing to mark: no effect */
	sp_diag_unsupported(NULL);
	sp_diag_add(&d, SP_ERROR, "main.cf", 3, "mailbox_command", NULL, "a mistake");
	sp_diag_add(&d, SP_ERROR, "main.cf", 4, "content_filter", NULL, "not in sallyport");
	sp_diag_unsupported(&d);
	sp_diag_add(&d, SP_WARNING, "main.cf", 5, NULL, NULL, "after it");
	assert_int_equal(d.v[0].unsupported, 0);
	assert_int_equal(d.v[1].unsupported, 1);
	assert_int_equal(d.v[2].unsupported, 0);
	sp_diags_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diag_print_table),
		cmocka_unit_test(test_diag_fields_and_count),
		cmocka_unit_test(test_diag_long_message_bounded),
		cmocka_unit_test(test_diag_many),
		cmocka_unit_test(test_diag_unsupported),
	};

	return cmocka_run_group_tests_name("diag", tests, NULL, NULL);
}
