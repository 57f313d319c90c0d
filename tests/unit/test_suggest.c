/*
 * test_suggest.c - "did you mean" (config/suggest.h): prefix twins first,
 * then edit distance with transpositions; nothing for far-away names.
 */
#include "unit.h"

#include "config/registry.h"
#include "config/suggest.h"

/* name -> the first suggestion, and the complete list in order (checked
 * when all is set: a comma-separated list). */
struct sug_row {
	const char *label;
	const char *name;
	const char *first;
	const char *all;
};

static const struct sug_row sug_ok[] = {
	{"smtp_ -> smtpd_ twin first, nothing else", "smtp_recipient_restrictions",
	 "smtpd_recipient_restrictions", "smtpd_recipient_restrictions"},
	{"missing letter; the client name second", "smtpd_sasl_pth", "smtpd_sasl_path",
	 "smtpd_sasl_path,smtp_sasl_path"},
	{"missing final s", "mynetwork", "mynetworks", "mynetworks"},
	{"lmtp_ name: itself, then the smtp_ and smtpd_ names by distance",
	 "lmtp_tls_security_levl", "lmtp_tls_security_level",
	 "lmtp_tls_security_level,smtp_tls_security_level,smtpd_tls_security_level"},
	{"transposition", "mynetwroks", "mynetworks", "mynetworks"},
	{"substitution", "relayhist", "relayhost", "relayhost"},
	{"extra letter", "myhostnamee", "myhostname", "myhostname"},
	{"smtpd_ misspelled", "smtpd_helo_requird", "smtpd_helo_required", "smtpd_helo_required"},
	{"two extra bytes", "smtpd_tls_CAfile_x", "smtpd_tls_CAfile",
	 "smtpd_tls_CAfile,smtp_tls_CAfile"},
	{"lmtp_ name with no lmtp_ twin: the smtp_ one", "lmtp_helo_timeout_x", "smtp_helo_timeout",
	 "smtp_helo_timeout"},
	{"Postfix-only names are suggested too", "readme_directry", "readme_directory",
	 "readme_directory"},
	{"smtpd_ -> smtp_ twin (Postfix's) before edit distance", "smtpd_sasl_password_maps",
	 "smtp_sasl_password_maps", "smtp_sasl_password_maps,lmtp_sasl_password_maps"},
};

static const struct sug_row sug_none[] = {
	{"far away", "completely_unrelated_thing", NULL, NULL},
	{"far away, short", "zzqx", NULL, NULL},
	{"far away, long", "frobnicate_the_widget_counter_maximum", NULL, NULL},
	{"empty", "", NULL, NULL},
	{"very long", "smtpd_recipient_restrictions_smtpd_recipient_restrictions_"
		      "smtpd_recipient_restrictions_smtpd_recipient_restrictions_"
		      "smtpd_recipient_restrictions", NULL, NULL},
	{"twin that does not exist", "smtp_frobnicate_everything", NULL, NULL},
	{"a user-defined-looking name", "mua_client_restrictions", NULL, NULL},
	{"one letter", "x", NULL, NULL},
	{"bare smtp_ prefix", "smtp_", NULL, NULL},
	{"bare smtpd_ prefix", "smtpd_", NULL, NULL},
	{"bare lmtp_ prefix", "lmtp_", NULL, NULL},
	{"known name plus a long tail", "mynetworks_and_much_more_text", NULL, NULL},
	{"three substitutions in a short name", "mxnetwxrkz", NULL, NULL},
	{"uppercase is far (4 edits)", "MYNETWORKS", NULL, NULL},
};

static int known(const char *name)
{
	return sp_name_classify(name) != SP_NAME_UNKNOWN;
}

static int sug_check(const char *table, const struct sug_row *rows, size_t nrows)
{
	int fails = 0;

	for (size_t i = 0; i < nrows; i++) {
		const struct sug_row *r = &rows[i];
		const char *out[SP_SUGGEST_MAX] = {0};
		size_t n = sp_suggest(r->name, out), off = 0;
		char all[512] = "";

		ROW_CHECK(&fails, table, i, r->label, n <= SP_SUGGEST_MAX, "%zu suggestions", n);
		ROW_CHECK(&fails, table, i, r->label, n >= 1 && sp_streq(out[0], r->first),
			  "first suggestion %s, want %s", n ? out[0] : "(none)", r->first);
		for (size_t k = 0; k < n && k < SP_SUGGEST_MAX; k++) {
			ROW_CHECK(&fails, table, i, r->label, out[k] && known(out[k]),
				  "suggestion %zu \"%s\" is not a known name", k, sp_shows(out[k]));
			for (size_t j = 0; j < k; j++)
				ROW_CHECK(&fails, table, i, r->label, !sp_streq(out[j], out[k]),
					  "\"%s\" suggested twice", out[k]);
			off += (size_t)snprintf(all + off, sizeof(all) - off, "%s%s", k ? "," : "",
						out[k] ? out[k] : "(null)");
		}
		ROW_CHECK(&fails, table, i, r->label, r->all == NULL || strcmp(all, r->all) == 0,
			  "suggestions \"%s\", want \"%s\"", all, r->all);
	}
	return fails;
}

static void test_suggest_found_table(void **state)
{
	int fails;

	(void)state;
	fails = sug_check("sug_ok", sug_ok, NROWS(sug_ok));
	sp_rows_done(fails, "sug_ok", NROWS(sug_ok));
}

static void test_suggest_none_table(void **state)
{
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < NROWS(sug_none); i++) {
		const char *out[SP_SUGGEST_MAX] = {0};
		size_t n = sp_suggest(sug_none[i].name, out);

		ROW_CHECK(&fails, "sug_none", i, sug_none[i].label, n == 0,
			  "%zu suggestions, first \"%s\"", n, n ? out[0] : "");
	}
	sp_rows_done(fails, "sug_none", NROWS(sug_none));
}

/* Our own parameter ranks before Postfix's at the same distance, and the
 * twin (score 0) before any edit-distance match. */
static void test_suggest_order(void **state)
{
	const char *out[SP_SUGGEST_MAX] = {0};
	size_t n;

	(void)state;
	/* The twin of smtp_recipient_restrictions is ours; nothing may come
	 * before it even though other names are also close. */
	n = sp_suggest("smtp_recipient_restrictions", out);
	assert_true(n >= 1);
	assert_string_equal(out[0], "smtpd_recipient_restrictions");
	assert_int_equal(sp_name_classify(out[0]), SP_NAME_OURS);
	/* smtpd_x's twin smtp_x exists in Postfix only; an exact registry match
	 * one edit away still ranks below the twin (score 1 < 2). */
	n = sp_suggest("smtpd_sasl_password_maps", out);
	assert_true(n >= 1);
	assert_string_equal(out[0], "smtp_sasl_password_maps");
	/* Closer first: smtpd_sasl_path (ours, one edit) before smtp_sasl_path
	 * (Postfix only, two edits). */
	assert_int_equal(sp_name_classify("smtpd_sasl_path"), SP_NAME_OURS);
	assert_int_equal(sp_name_classify("smtp_sasl_path"), SP_NAME_POSTFIX_ONLY);
	n = sp_suggest("smtpd_sasl_pth", out);
	assert_int_equal(n, 2);
	assert_string_equal(out[0], "smtpd_sasl_path");
	assert_string_equal(out[1], "smtp_sasl_path");
}

struct twin_row {
	const char *in;
	size_t buflen;
	const char *want;   /* NULL: no twin */
};

static const struct twin_row twin_ok[] = {
	{"smtp_tls_security_level", 256, "smtpd_tls_security_level"},
	{"smtpd_tls_security_level", 256, "smtp_tls_security_level"},
	{"lmtp_tls_security_level", 256, "smtp_tls_security_level"},
	{"smtp_", 256, "smtpd_"},
	{"smtp_x", 8, "smtpd_x"},           /* exactly fits: 7 bytes + NUL */
};

static const struct twin_row twin_bad[] = {
	{"mynetworks", 256, NULL},
	{"smtp", 256, NULL},
	{"smtpx_a", 256, NULL},
	{"lmtpd_a", 256, NULL},
	{"SMTP_a", 256, NULL},
	{"", 256, NULL},
	{"xsmtp_a", 256, NULL},
	{"smtp_x", 7, NULL},                /* one byte short */
	{"smtpd_abc", 4, NULL},
};

static void test_prefix_twin_tables(void **state)
{
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < NROWS(twin_ok); i++) {
		char buf[256];
		const char *got = sp_prefix_twin(twin_ok[i].in, buf, twin_ok[i].buflen);
		ROW_CHECK(&fails, "twin_ok", i, twin_ok[i].in, got == buf && sp_streq(got, twin_ok[i].want),
			  "got %s", sp_shows(got));
	}
	for (size_t i = 0; i < NROWS(twin_bad); i++) {
		char buf[256];
		const char *got = sp_prefix_twin(twin_bad[i].in, buf, twin_bad[i].buflen);
		ROW_CHECK(&fails, "twin_bad", i, twin_bad[i].in, got == NULL, "got %s", sp_shows(got));
	}
	sp_rows_done(fails, "twin", NROWS(twin_ok) + NROWS(twin_bad));
}

struct dist_row {
	const char *a, *b;
	size_t limit, want;
};

static const struct dist_row dist_rows[] = {
	{"", "", 3, 0},
	{"abc", "abc", 3, 0},
	{"abc", "abd", 3, 1},
	{"abc", "ab", 3, 1},
	{"ab", "abc", 3, 1},
	{"", "abc", 3, 3},
	{"ab", "ba", 3, 1},                 /* transposition of neighbours */
	{"abcd", "acbd", 3, 1},
	{"mynetwroks", "mynetworks", 3, 1},
	{"kitten", "sitting", 5, 3},
	{"smtpd_sasl_pth", "smtpd_sasl_path", 3, 1},
	/* past the limit: limit + 1 */
	{"abcdef", "zzzzzz", 2, 3},
	{"a", "abcdef", 2, 3},              /* length difference alone */
	{"kitten", "sitting", 2, 3},
	{"", "abcd", 0, 1},
	{"x", "y", 0, 1},
};

static void test_edit_distance_table(void **state)
{
	int fails = 0;
	char long_a[200], long_b[200];

	(void)state;
	for (size_t i = 0; i < NROWS(dist_rows); i++) {
		const struct dist_row *r = &dist_rows[i];
		size_t got = sp_edit_distance(r->a, r->b, r->limit);
		size_t back = sp_edit_distance(r->b, r->a, r->limit);
		ROW_CHECK(&fails, "dist", i, r->a, got == r->want && back == r->want,
			  "\"%s\" vs \"%s\" limit %zu: %zu / %zu, want %zu", r->a, r->b, r->limit,
			  got, back, r->want);
	}
	sp_rows_done(fails, "dist", NROWS(dist_rows));
	/* Very long names do not overflow the fixed rows: limit + 1. */
	memset(long_a, 'a', sizeof(long_a) - 1);
	long_a[sizeof(long_a) - 1] = 0;
	memcpy(long_b, long_a, sizeof(long_b));
	assert_int_equal(sp_edit_distance(long_a, long_b, 3), 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_suggest_found_table),
		cmocka_unit_test(test_suggest_none_table),
		cmocka_unit_test(test_suggest_order),
		cmocka_unit_test(test_prefix_twin_tables),
		cmocka_unit_test(test_edit_distance_table),
	};

	return cmocka_run_group_tests_name("suggest", tests, NULL, NULL);
}
