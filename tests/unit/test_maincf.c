/*
 * test_maincf.c - the main.cf reader (config/maincf.h): name = value
 * splitting, whitespace trimming, comments, continuation, and every kind of
 * malformed line, with the file and line of each diagnostic.
 *
 * Oracle: postconf 3.7.11 (-c DIR -n / -h). Where sallyport is stricter on
 * purpose (names limited to [A-Za-z0-9_], NUL bytes rejected instead of
 * truncating the line) the header's contract decides, and the row says so.
 */
#include "unit.h"

#include "config/lline.h"
#include "config/maincf.h"

#define IN(s) s, sizeof(s) - 1

struct nv {
	const char *name, *value;
	int line;
};

struct mc_row {
	const char *label;
	const char *in;
	size_t len;
	struct nv want[4];     /* assignments in file order, name NULL ends */
	size_t errors;         /* invalid rows: errors expected */
	int err_line;          /* invalid rows: line of the first diagnostic */
	const char *err;       /* invalid rows: substring of the first diagnostic */
};

static const char *const FILE_NAME = "/etc/sallyport/main.cf";

static int mc_run(const char *table, size_t i, const struct mc_row *r)
{
	struct sp_assigns a = {0};
	struct sp_diags d = {0};
	size_t nerr, nwant = 0;
	int fails = 0;

	nerr = sp_maincf_parse(r->in, r->len, FILE_NAME, &a, &d);
	while (nwant < 4 && r->want[nwant].name)
		nwant++;
	ROW_CHECK(&fails, table, i, r->label, nerr == r->errors && d.errors == r->errors,
		  "%zu errors (first: %s), want %zu", nerr, d.n ? d.v[0].what : "none", r->errors);
	ROW_CHECK(&fails, table, i, r->label, a.n == nwant, "%zu assignments, want %zu", a.n, nwant);
	for (size_t k = 0; k < a.n && k < nwant; k++) {
		ROW_CHECK(&fails, table, i, r->label,
			  sp_streq(a.v[k].name, r->want[k].name) &&
				  sp_streq(a.v[k].value, r->want[k].value) &&
				  a.v[k].line == r->want[k].line,
			  "assignment %zu is %s=\"%s\" line %d, want %s=\"%s\" line %d", k,
			  sp_shows(a.v[k].name), sp_shows(a.v[k].value), a.v[k].line,
			  r->want[k].name, sp_shows(r->want[k].value), r->want[k].line);
		ROW_CHECK(&fails, table, i, r->label, a.v[k].file == FILE_NAME,
			  "assignment %zu does not point at the caller's file name", k);
	}
	if (r->errors) {
		ROW_CHECK(&fails, table, i, r->label, d.n >= 1 && d.v[0].sev == SP_ERROR,
			  "no error diagnostic");
		if (d.n >= 1) {
			ROW_CHECK(&fails, table, i, r->label, d.v[0].line == r->err_line,
				  "diagnostic at line %d, want %d", d.v[0].line, r->err_line);
			ROW_CHECK(&fails, table, i, r->label, sp_streq(d.v[0].file, FILE_NAME),
				  "diagnostic file %s", sp_shows(d.v[0].file));
			ROW_CHECK(&fails, table, i, r->label, sp_has(d.v[0].what, r->err),
				  "diagnostic \"%s\", want one containing \"%s\"",
				  sp_shows(d.v[0].what), r->err);
		}
	} else {
		ROW_CHECK(&fails, table, i, r->label, d.n == 0, "%zu diagnostics (first: %s)", d.n,
			  d.n ? d.v[0].what : "");
	}
	sp_assigns_free(&a);
	sp_diags_free(&d);
	return fails;
}

static const struct mc_row mc_valid[] = {
	{"plain", IN("a = b\n"), {{"a", "b", 1}}},
	{"no spaces", IN("a=b\n"), {{"a", "b", 1}}},
	{"space before =", IN("a =b\n"), {{"a", "b", 1}}},
	{"space after =", IN("a= b\n"), {{"a", "b", 1}}},
	{"tabs around =", IN("a\t=\tb\n"), {{"a", "b", 1}}},
	{"empty value", IN("relayhost =\n"), {{"relayhost", "", 1}}},
	{"empty value, trailing space", IN("relayhost = \n"), {{"relayhost", "", 1}}},
	{"empty value, no spaces", IN("relayhost=\n"), {{"relayhost", "", 1}}},
	{"'=' in the value (postconf: a=b)", IN("relayhost = a=b\n"), {{"relayhost", "a=b", 1}}},
	{"'==' (postconf: =b)", IN("a==b\n"), {{"a", "=b", 1}}},
	{"'#' in a value is data (postconf agrees)", IN("relayhost = a # not comment\n"),
	 {{"relayhost", "a # not comment", 1}}},
	{"trailing whitespace trimmed", IN("a = b  \t\n"), {{"a", "b", 1}}},
	{"inner whitespace kept", IN("a = b   c\n"), {{"a", "b   c", 1}}},
	{"CRLF", IN("a = b\r\n"), {{"a", "b", 1}}},
	{"CR at end of file trimmed as whitespace (postconf: a)", IN("relayhost = a\r"),
	 {{"relayhost", "a", 1}}},
	{"CRLF, no final newline", IN("a = 1\r\nb = 2\r"), {{"a", "1", 1}, {"b", "2", 2}}},
	{"lone CR inside a value is kept", IN("relayhost = a\rb = c\n"),
	 {{"relayhost", "a\rb = c", 1}}},
	{"continuation", IN("a = b\n  c\n"), {{"a", "b  c", 1}}},
	{"continuation with a comment inside", IN("a = b\n # x\n  c\n"), {{"a", "b  c", 1}}},
	{"continuation with a blank line inside", IN("a = b\n\n\tc\n"), {{"a", "b\tc", 1}}},
	{"continuation at end of file", IN("a = b\n  c"), {{"a", "b  c", 1}}},
	{"whitespace-only continuation at end of file", IN("a = b\n  "), {{"a", "b", 1}}},
	{"value only on the continuation line", IN("a =\n  b\n"), {{"a", "b", 1}}},
	{"underscores and digits", IN("A_1_b2 = x\n"), {{"A_1_b2", "x", 1}}},
	{"name starting with a digit", IN("2bounce_notice_recipient = x\n"),
	 {{"2bounce_notice_recipient", "x", 1}}},
	{"$ references kept raw", IN("a = $b ${c} $(d)\n"), {{"a", "$b ${c} $(d)", 1}}},
	{"braces kept", IN("a = {x = y}\n"), {{"a", "{x = y}", 1}}},
	{"duplicates kept in file order", IN("a = 1\na = 2\n"), {{"a", "1", 1}, {"a", "2", 2}}},
	{"line numbers count blank and comment lines", IN("# c\n\na = 1\n\n\n# d\nb = 2\n"),
	 {{"a", "1", 3}, {"b", "2", 7}}},
	{"line of a continued assignment is its first line", IN("a = 1\n 2\n 3\nb = 4\n"),
	 {{"a", "1 2 3", 1}, {"b", "4", 4}}},
	{"NUL in a comment is harmless", IN("#\0\na = b\n"), {{"a", "b", 2}}},
	{"empty file", IN(""), {{NULL}}},
	{"only comments", IN("# a\n#b\n  # c\n"), {{NULL}}},
	{"only blank lines", IN("\n\n \t\n"), {{NULL}}},
	{"8-bit value", IN("smtpd_banner = caf\xc3\xa9\n"), {{"smtpd_banner", "caf\xc3\xa9", 1}}},
	{"form feed inside a value", IN("a = b\fc\n"), {{"a", "b\fc", 1}}},
};

static const struct mc_row mc_invalid[] = {
	{"missing '=' (postconf: fatal)", IN("relayhost x\n"), {{NULL}}, 1, 1, "missing '='"},
	{"name alone", IN("relayhost\n"), {{NULL}}, 1, 1, "missing '='"},
	{"name alone, CRLF", IN("relayhost\r\n"), {{NULL}}, 1, 1, "missing '='"},
	{"two words then =", IN("a b = c\n"), {{NULL}}, 1, 1, "missing '='"},
	{"lone CR splits the name from '='", IN("a\rb = c\n"), {{NULL}}, 1, 1, "missing '='"},
	{"missing name (postconf: fatal)", IN("=x\n"), {{NULL}}, 1, 1, "missing parameter name"},
	{"'=' alone", IN("=\n"), {{NULL}}, 1, 1, "missing parameter name"},
	{"'=' then spaces", IN("= \n"), {{NULL}}, 1, 1, "missing parameter name"},
	{"dash in name", IN("relay-host = x\n"), {{NULL}}, 1, 1, "letters, digits and '_'"},
	{"dot in name", IN("a.b = c\n"), {{NULL}}, 1, 1, "letters, digits and '_'"},
	{"colon in name", IN("a:b = c\n"), {{NULL}}, 1, 1, "letters, digits and '_'"},
	{"dollar in name", IN("$a = b\n"), {{NULL}}, 1, 1, "letters, digits and '_'"},
	{"braces in name", IN("a{b} = c\n"), {{NULL}}, 1, 1, "letters, digits and '_'"},
	{"8-bit name", IN("\xc3\xa4 = c\n"), {{NULL}}, 1, 1, "letters, digits and '_'"},
	{"slash in name", IN("smtp/inet/a = b\n"), {{NULL}}, 1, 1, "letters, digits and '_'"},
	{"continuation with no preceding line", IN("  a = b\n"), {{NULL}}, 1, 1, "continues nothing"},
	{"continuation after only a comment", IN("#c\n  a = b\n"), {{NULL}}, 1, 2, "continues nothing"},
	{"NUL in a value", IN("a = b\0c\n"), {{NULL}}, 1, 1, "NUL"},
	{"NUL in a name", IN("a\0b = c\n"), {{NULL}}, 1, 1, "NUL"},
	{"NUL in a continuation", IN("a = b\n  \0\n"), {{NULL}}, 1, 1, "NUL"},
	{"bad line between good ones", IN("a = b\nc d\ne = f\n"),
	 {{"a", "b", 1}, {"e", "f", 3}}, 1, 2, "missing '='"},
	{"bad continued line keeps its first line number", IN("a = b\n c\nd\n e\n"),
	 {{"a", "b c", 1}}, 1, 3, "missing '='"},
	{"two bad lines", IN("x\n=y\nz = 1\n"), {{"z", "1", 3}}, 2, 1, "missing '='"},
	{"NUL line then a good one", IN("a = \0\nb = 2\n"), {{"b", "2", 2}}, 1, 1, "NUL"},
	{"'=' on a line after a good one", IN("a = b\n=\n"), {{"a", "b", 1}}, 1, 2, "missing parameter name"},
	{"bad name, CRLF file", IN("a = 1\r\nb-c = 2\r\n"), {{"a", "1", 1}}, 1, 2, "letters"},
	{"three words", IN("a b c\n"), {{NULL}}, 1, 1, "missing '='"},
	{"tab between two words", IN("a\tb = c\n"), {{NULL}}, 1, 1, "missing '='"},
	{"comma in name", IN("a,b = c\n"), {{NULL}}, 1, 1, "letters"},
	{"semicolon in name", IN("a;b = c\n"), {{NULL}}, 1, 1, "letters"},
	{"quote in name", IN("\"a\" = c\n"), {{NULL}}, 1, 1, "letters"},
	{"at sign in name", IN("a@b = c\n"), {{NULL}}, 1, 1, "letters"},
	{"plus in name", IN("a+b = c\n"), {{NULL}}, 1, 1, "letters"},
	{"leading dash", IN("-a = b\n"), {{NULL}}, 1, 1, "letters"},
	{"trailing dash", IN("a- = b\n"), {{NULL}}, 1, 1, "letters"},
	{"control byte in name", IN("a\x01b = c\n"), {{NULL}}, 1, 1, "letters"},
	{"DEL in name", IN("a\x7f = c\n"), {{NULL}}, 1, 1, "letters"},
	{"'==' alone", IN("==\n"), {{NULL}}, 1, 1, "missing parameter name"},
	{"two bare '=' lines", IN("=\n=\n"), {{NULL}}, 2, 1, "missing parameter name"},
	{"three names without '='", IN("x\ny\nz\n"), {{NULL}}, 3, 1, "missing '='"},
	{"orphan continuation after a blank line", IN("\n  x = y\n"), {{NULL}}, 1, 2, "continues nothing"},
	{"NUL at the start", IN("\0 = x\n"), {{NULL}}, 1, 1, "NUL"},
};

static void test_maincf_valid_table(void **state)
{
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < NROWS(mc_valid); i++)
		fails += mc_run("mc_valid", i, &mc_valid[i]);
	sp_rows_done(fails, "mc_valid", NROWS(mc_valid));
}

static void test_maincf_invalid_table(void **state)
{
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < NROWS(mc_invalid); i++)
		fails += mc_run("mc_invalid", i, &mc_invalid[i]);
	sp_rows_done(fails, "mc_invalid", NROWS(mc_invalid));
}

/* sp_split_nameval directly: (line) -> name, value or an error. */
struct split_row {
	const char *label;
	const char *line;
	const char *name, *value;  /* NULL name: an error containing err */
	const char *err;
};

static const struct split_row split_rows[] = {
	{"plain", "a = b", "a", "b", NULL},
	{"leading whitespace skipped", "  a = b", "a", "b", NULL},
	{"whitespace everywhere", " \t a \t = \t b c \t ", "a", "b c", NULL},
	{"empty value", "a =", "a", "", NULL},
	{"value with =", "a = =", "a", "=", NULL},
	{"empty line", "", NULL, NULL, "missing parameter name"},
	{"blank line", "   ", NULL, NULL, "missing parameter name"},
	{"no name", " = v", NULL, NULL, "missing parameter name"},
	{"no =", "a", NULL, NULL, "missing '='"},
	{"bad char", "a! = b", NULL, NULL, "letters"},
};

static void test_split_nameval_table(void **state)
{
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < NROWS(split_rows); i++) {
		const struct split_row *r = &split_rows[i];
		char *copy = strdup(r->line), *name = NULL, *value = NULL;
		const char *why = sp_split_nameval(copy, &name, &value);

		if (r->name) {
			ROW_CHECK(&fails, "split", i, r->label, why == NULL, "error %s", sp_shows(why));
			ROW_CHECK(&fails, "split", i, r->label,
				  why == NULL && sp_streq(name, r->name) && sp_streq(value, r->value),
				  "got %s=\"%s\"", sp_shows(name), sp_shows(value));
		} else {
			ROW_CHECK(&fails, "split", i, r->label, sp_has(why, r->err),
				  "got \"%s\", want an error containing \"%s\"", sp_shows(why), r->err);
		}
		free(copy);
	}
	sp_rows_done(fails, "split", NROWS(split_rows));
}

static void test_assigns_add_find_free(void **state)
{
	struct sp_assigns a = {0};
	const struct sp_assign *f;
	const char *file = "x.cf";

	(void)state;
	sp_assigns_add(&a, "a", "1", file, 1);
	sp_assigns_add(&a, "b", "2", file, 2);
	sp_assigns_add(&a, "a", "3", file, 3);
	assert_int_equal(a.n, 3);
	f = sp_assigns_find(&a, "a");
	assert_non_null(f);
	assert_string_equal(f->value, "3");      /* the last one */
	assert_int_equal(f->line, 3);
	assert_ptr_equal(f->file, file);
	f = sp_assigns_find(&a, "b");
	assert_non_null(f);
	assert_string_equal(f->value, "2");
	assert_null(sp_assigns_find(&a, "c"));
	assert_null(sp_assigns_find(&a, "A"));   /* case-sensitive, as Postfix */
	assert_null(sp_assigns_find(&a, ""));
	sp_assigns_free(&a);
	assert_int_equal(a.n, 0);
	assert_null(sp_assigns_find(&a, "a"));
}

static void test_assigns_add_copies(void **state)
{
	struct sp_assigns a = {0};
	char name[] = "n", value[] = "v";

	(void)state;
	sp_assigns_add(&a, name, value, NULL, 0);
	name[0] = 'X';
	value[0] = 'Y';
	assert_string_equal(a.v[0].name, "n");
	assert_string_equal(a.v[0].value, "v");
	sp_assigns_free(&a);
}

/* Long values: a 1 MB value is an assignment, a 5 MB one an error, and the
 * reader goes on to the next line either way. */
static void test_maincf_long_values(void **state)
{
	static const struct { size_t n; int ok; } rows[] = {{1000000, 1}, {5000000, 0}};

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct sp_assigns a = {0};
		struct sp_diags d = {0};
		size_t len;
		char *data = sp_big("big = ", rows[i].n, 'v', "\nnext = 1\n", &len);
		size_t nerr = sp_maincf_parse(data, len, "m.cf", &a, &d);

		if (rows[i].ok) {
			assert_int_equal(nerr, 0);
			assert_int_equal(a.n, 2);
			assert_string_equal(a.v[0].name, "big");
			assert_int_equal(strlen(a.v[0].value), rows[i].n);
		} else {
			assert_int_equal(nerr, 1);
			assert_int_equal(a.n, 1);
			assert_int_equal(d.v[0].line, 1);
			assert_true(sp_has(d.v[0].what, "4 MiB"));
		}
		assert_string_equal(a.v[a.n - 1].name, "next");
		assert_int_equal(a.v[a.n - 1].line, 2);
		free(data);
		sp_assigns_free(&a);
		sp_diags_free(&d);
	}
}

/* The return value counts only this call's errors. */
static void test_maincf_counts_only_new_errors(void **state)
{
	struct sp_assigns a = {0};
	struct sp_diags d = {0};

	(void)state;
	sp_diag_add(&d, SP_ERROR, NULL, 0, NULL, NULL, "earlier");
	assert_int_equal(sp_maincf_parse(BYTES("x\ny\n"), "m.cf", &a, &d), 2);
	assert_int_equal(d.errors, 3);
	assert_int_equal(sp_maincf_parse(BYTES("ok = 1\n"), "m.cf", &a, &d), 0);
	assert_int_equal(a.n, 1);
	sp_assigns_free(&a);
	sp_diags_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_maincf_valid_table),
		cmocka_unit_test(test_maincf_invalid_table),
		cmocka_unit_test(test_split_nameval_table),
		cmocka_unit_test(test_assigns_add_find_free),
		cmocka_unit_test(test_assigns_add_copies),
		cmocka_unit_test(test_maincf_long_values),
		cmocka_unit_test(test_maincf_counts_only_new_errors),
	};

	return cmocka_run_group_tests_name("maincf", tests, NULL, NULL);
}
