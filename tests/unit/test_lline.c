/*
 * test_lline.c - logical lines (config/lline.h): continuation, comments and
 * blank lines (also inside a continuation), CRLF and lone CR, NUL bytes,
 * continuation with no preceding line, and the 4 MiB limit.
 *
 * Postfix's readllines() is the oracle; postconf 3.7.11 was asked where it
 * could answer (its display folds whitespace, so the exact bytes of a
 * continued line come from lline.h's contract: "leading whitespace kept").
 */
#include "unit.h"

#include "config/lline.h"

/* What one call of sp_lline_next gives. */
struct ll_item {
	int rc;             /* 1 line, -1 bad line */
	int first, last;
	const char *text;   /* rc 1: the logical line (may hold CR, FF...) */
	const char *err;    /* rc -1: a substring of the error */
};

struct ll_row {
	const char *label;
	const char *in;
	size_t len;
	struct ll_item want[4];  /* terminated by rc 0 */
};

#define IN(s) s, sizeof(s) - 1

/* Runs the reader over a row and compares every result; returns failures. */
static int ll_run(const char *table, size_t i, const struct ll_row *r)
{
	struct sp_lline_reader rd;
	struct sp_buf out;
	int fails = 0;
	size_t k = 0;

	sp_lline_init(&rd, r->in, r->len);
	sp_buf_init(&out, SP_LLINE_MAX);
	for (;;) {
		int first = -7, last = -7, rc;
		const char *err = NULL;
		const struct ll_item *w = k < 4 ? &r->want[k] : NULL;

		rc = sp_lline_next(&rd, &out, &first, &last, &err);
		if (w == NULL || w->rc == 0) {
			ROW_CHECK(&fails, table, i, r->label, rc == 0,
				  "call %zu returned %d (\"%s\"), want the end", k, rc,
				  sp_show(sp_buf_str(&out), out.len));
			break;
		}
		ROW_CHECK(&fails, table, i, r->label, rc == w->rc,
			  "call %zu returned %d, want %d (err %s)", k, rc, w->rc, sp_shows(err));
		if (rc == 0)
			break;
		ROW_CHECK(&fails, table, i, r->label, first == w->first && last == w->last,
			  "call %zu lines %d-%d, want %d-%d", k, first, last, w->first, w->last);
		if (w->rc == 1) {
			ROW_CHECK(&fails, table, i, r->label,
				  out.len == strlen(w->text) && memcmp(sp_buf_str(&out), w->text, out.len) == 0,
				  "call %zu text \"%s\", want \"%s\"", k,
				  sp_show(sp_buf_str(&out), out.len), sp_shows(w->text));
		} else {
			ROW_CHECK(&fails, table, i, r->label, sp_has(err, w->err),
				  "call %zu error \"%s\", want one containing \"%s\"", k,
				  sp_shows(err), w->err);
		}
		k++;
	}
	/* After the end, the end again. */
	{
		int first, last;
		const char *err;
		ROW_CHECK(&fails, table, i, r->label,
			  sp_lline_next(&rd, &out, &first, &last, &err) == 0, "no end after the end");
	}
	sp_buf_free(&out);
	return fails;
}

static const struct ll_row ll_valid[] = {
	{"one line", IN("a = b\n"), {{1, 1, 1, "a = b"}}},
	{"no final newline", IN("a = b"), {{1, 1, 1, "a = b"}}},
	{"two lines", IN("a = b\nc = d\n"), {{1, 1, 1, "a = b"}, {1, 2, 2, "c = d"}}},
	{"space continuation keeps the whitespace", IN("a = b\n  c\n"), {{1, 1, 2, "a = b  c"}}},
	{"tab continuation", IN("a = b\n\tc\n"), {{1, 1, 2, "a = b\tc"}}},
	{"form feed continues", IN("a = b\n\fc\n"), {{1, 1, 2, "a = b\fc"}}},
	{"two continuations", IN("a = 1\n 2\n 3\nb = 4\n"),
	 {{1, 1, 3, "a = 1 2 3"}, {1, 4, 4, "b = 4"}}},
	{"CRLF", IN("a = b\r\nc = d\r\n"), {{1, 1, 1, "a = b"}, {1, 2, 2, "c = d"}}},
	{"CRLF continuation", IN("a = b\r\n  c\r\n"), {{1, 1, 2, "a = b  c"}}},
	{"CRLF no final newline: the last CR is not before an LF",
	 IN("a = b\r\nc = d\r"), {{1, 1, 1, "a = b"}, {1, 2, 2, "c = d\r"}}},
	{"lone CR inside a line is data", IN("a = b\rc = d\n"), {{1, 1, 1, "a = b\rc = d"}}},
	{"line starting with CR continues", IN("a = b\n\rc\n"), {{1, 1, 2, "a = b\rc"}}},
	{"CRLF blank line is blank", IN("\r\na = b\r\n\r\n"), {{1, 2, 2, "a = b"}}},
	{"comment line first", IN("# comment\na = b\n"), {{1, 2, 2, "a = b"}}},
	{"blank lines around", IN("\n\na = b\n\n\n"), {{1, 3, 3, "a = b"}}},
	{"comment inside a continuation", IN("a = b\n# c\n  d\n"), {{1, 1, 3, "a = b  d"}}},
	{"indented comment inside a continuation", IN("a = b\n  # c\n  d\n"),
	 {{1, 1, 3, "a = b  d"}}},
	{"blank line inside a continuation", IN("a = b\n\n  d\n"), {{1, 1, 3, "a = b  d"}}},
	{"whitespace-only line after a line", IN("a = b\n   \n"), {{1, 1, 1, "a = b"}}},
	{"continuation at end of file", IN("a = b\n  c"), {{1, 1, 2, "a = b  c"}}},
	{"whitespace-only continuation at end of file", IN("a = b\n  "), {{1, 1, 1, "a = b"}}},
	{"'#' after data is not a comment", IN("a = b # c\n"), {{1, 1, 1, "a = b # c"}}},
	{"NUL in a comment line is ignored", IN("#\0 nul\na = b\n"), {{1, 2, 2, "a = b"}}},
	{"NUL in a comment inside a continuation", IN("a = b\n#\0x\n  c\n"),
	 {{1, 1, 3, "a = b  c"}}},
	{"NUL in an indented comment", IN("a = b\n  #\0\n"), {{1, 1, 1, "a = b"}}},
	{"backslash is not a continuation", IN("a = b\\\nc = d\n"),
	 {{1, 1, 1, "a = b\\"}, {1, 2, 2, "c = d"}}},
	{"empty input", IN(""), {{0}}},
	{"only newlines", IN("\n\n\n"), {{0}}},
	{"only comments", IN("# one\n#two\n   # three\n"), {{0}}},
	{"only whitespace", IN(" \n\t\n \r\n"), {{0}}},
	{"comments with CRLF", IN("# a\r\n# b\r\n"), {{0}}},
	{"line numbers after comments and blanks", IN("# c\n\na = 1\n\n# d\nb = 2\n"),
	 {{1, 3, 3, "a = 1"}, {1, 6, 6, "b = 2"}}},
	{"8-bit bytes pass through", IN("a = \xc3\xa9\xff\n"), {{1, 1, 1, "a = \xc3\xa9\xff"}}},
};

static const struct ll_row ll_invalid[] = {
	{"continuation with no preceding line", IN("  a = b\n"), {{-1, 1, 1, NULL, "continues nothing"}}},
	{"tab continuation with no preceding line", IN("\ta\n"), {{-1, 1, 1, NULL, "continues nothing"}}},
	{"reader goes on after a leading-whitespace line", IN("  a\nb = c\n"),
	 {{-1, 1, 1, NULL, "continues nothing"}, {1, 2, 2, "b = c"}}},
	{"leading-whitespace line swallows its own continuations", IN("\ta = b\n  c\nd = e\n"),
	 {{-1, 1, 2, NULL, "continues nothing"}, {1, 3, 3, "d = e"}}},
	{"continuation after only a comment", IN("# c\n  x\n"), {{-1, 2, 2, NULL, "continues nothing"}}},
	{"continuation after only a blank line", IN("\n  x"), {{-1, 2, 2, NULL, "continues nothing"}}},
	{"CRLF leading-whitespace line", IN("   x\r\n"), {{-1, 1, 1, NULL, "continues nothing"}}},
	{"NUL in a value", IN("a = b\0c\n"), {{-1, 1, 1, NULL, "NUL"}}},
	{"NUL in a name", IN("a\0 = b\n"), {{-1, 1, 1, NULL, "NUL"}}},
	{"NUL at the start of a line", IN("\0\n"), {{-1, 1, 1, NULL, "NUL"}}},
	{"NUL at end of file", IN("a = b\0"), {{-1, 1, 1, NULL, "NUL"}}},
	{"NUL in a continuation line", IN("a = b\n  \0c\n"), {{-1, 1, 2, NULL, "NUL"}}},
	{"reader goes on after a NUL line", IN("a = b\0\nc = d\n"),
	 {{-1, 1, 1, NULL, "NUL"}, {1, 2, 2, "c = d"}}},
	{"NUL line between good lines", IN("a = 1\nb = \0\n  x\nc = 3\n"),
	 {{1, 1, 1, "a = 1"}, {-1, 2, 3, NULL, "NUL"}, {1, 4, 4, "c = 3"}}},
	{"NUL with CRLF", IN("a\0\r\n"), {{-1, 1, 1, NULL, "NUL"}}},
	{"NUL alone, no newline", IN("\0"), {{-1, 1, 1, NULL, "NUL"}}},
	{"several NULs", IN("\0\0\0\n"), {{-1, 1, 1, NULL, "NUL"}}},
	{"NUL before '#' makes it no comment", IN("\0# c\n"), {{-1, 1, 1, NULL, "NUL"}}},
	{"NUL after a CR", IN("a = b\r\0\n"), {{-1, 1, 1, NULL, "NUL"}}},
	{"NUL in a CRLF continuation", IN("a = \0\r\n  c\r\n"), {{-1, 1, 2, NULL, "NUL"}}},
	{"NUL-only line after a comment", IN("#ok\n\0\n"), {{-1, 2, 2, NULL, "NUL"}}},
	{"NUL after a tab in a continuation", IN("a = b\n\t\0\n"), {{-1, 1, 2, NULL, "NUL"}}},
	{"NUL line between good lines, no continuation", IN("a = 1\n\0\nb = 2\n"),
	 {{1, 1, 1, "a = 1"}, {-1, 2, 2, NULL, "NUL"}, {1, 3, 3, "b = 2"}}},
	{"NUL in a whitespace-only continuation", IN("a = b\n \0 \n"), {{-1, 1, 2, NULL, "NUL"}}},
	{"form feed starts the first line", IN("\fx = y\n"), {{-1, 1, 1, NULL, "continues nothing"}}},
	{"vertical tab starts the first line", IN("\vx = y\n"), {{-1, 1, 1, NULL, "continues nothing"}}},
	{"CR starts the first line", IN("\rx = y\n"), {{-1, 1, 1, NULL, "continues nothing"}}},
	{"mixed whitespace starts the first line", IN("  \t x = y"), {{-1, 1, 1, NULL, "continues nothing"}}},
	{"three orphan lines are one bad logical line", IN(" x\n y\n z\n"),
	 {{-1, 1, 3, NULL, "continues nothing"}}},
	{"orphan after comment and blank", IN("# c\n\n  x\n"), {{-1, 3, 3, NULL, "continues nothing"}}},
	{"orphan after a CRLF blank line", IN("\r\n  x\r\n"), {{-1, 2, 2, NULL, "continues nothing"}}},
	{"orphan, then a NUL line", IN(" a\n\0\n b\n"),
	 {{-1, 1, 1, NULL, "continues nothing"}, {-1, 2, 3, NULL, "NUL"}}},
	{"orphan with a NUL reports the orphan", IN(" a\0\n"), {{-1, 1, 1, NULL, "continues nothing"}}},
	{"good, orphan-free, NUL, good", IN("a = 1\n b\nc = \0\nd = 4"),
	 {{1, 1, 2, "a = 1 b"}, {-1, 3, 3, NULL, "NUL"}, {1, 4, 4, "d = 4"}}},
};

static void test_lline_valid_table(void **state)
{
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < NROWS(ll_valid); i++)
		fails += ll_run("ll_valid", i, &ll_valid[i]);
	sp_rows_done(fails, "ll_valid", NROWS(ll_valid));
}

static void test_lline_invalid_table(void **state)
{
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < NROWS(ll_invalid); i++)
		fails += ll_run("ll_invalid", i, &ll_invalid[i]);
	sp_rows_done(fails, "ll_invalid", NROWS(ll_invalid));
}

/* Reads all of data and returns the results of the first two calls. */
static void ll_two(const char *data, size_t len, int rc[2], size_t outlen[2], int first[2],
		   const char *err[2])
{
	struct sp_lline_reader rd;
	struct sp_buf out;

	sp_lline_init(&rd, data, len);
	sp_buf_init(&out, SP_LLINE_MAX);
	for (int k = 0; k < 2; k++) {
		int last;
		err[k] = NULL;
		rc[k] = sp_lline_next(&rd, &out, &first[k], &last, &err[k]);
		outlen[k] = out.len;
	}
	sp_buf_free(&out);
}

/* Long lines: (length of the value, whether the line is accepted). */
struct long_row {
	const char *label;
	size_t valuelen;     /* bytes after "a = " */
	size_t contlen;      /* > 0: a continuation line "\n " + contlen bytes */
	int ok;
};

static const struct long_row long_rows[] = {
	{"1 MB line accepted", 1000000, 0, 1},
	{"exactly 4 MiB accepted", SP_LLINE_MAX - 4, 0, 1},
	{"4 MiB + 1 rejected", SP_LLINE_MAX - 3, 0, 0},
	{"5 MB line rejected", 5000000, 0, 0},
	{"continuation that crosses 4 MiB rejected", 3u << 20, 2u << 20, 0},
	{"continuation that stays under 4 MiB accepted", 2u << 20, 1u << 20, 1},
};

static void test_lline_long_lines(void **state)
{
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < NROWS(long_rows); i++) {
		const struct long_row *r = &long_rows[i];
		size_t len, blen, total;
		char *body = sp_big("a = ", r->valuelen, 'x', "", &blen);
		char *data;
		int rc[2], first[2];
		size_t outlen[2];
		const char *err[2];

		/* body [+ "\n " + cont] + "\nb = c\n" */
		total = blen + (r->contlen ? 2 + r->contlen : 0) + 7;
		data = malloc(total + 1);
		assert_non_null(data);
		memcpy(data, body, blen);
		len = blen;
		if (r->contlen) {
			memcpy(data + len, "\n ", 2);
			memset(data + len + 2, 'y', r->contlen);
			len += 2 + r->contlen;
		}
		memcpy(data + len, "\nb = c\n", 7);
		len += 7;
		ll_two(data, len, rc, outlen, first, err);
		if (r->ok) {
			size_t want = blen + (r->contlen ? 1 + r->contlen : 0);
			ROW_CHECK(&fails, "long", i, r->label, rc[0] == 1, "rc %d err %s", rc[0],
				  sp_shows(err[0]));
			ROW_CHECK(&fails, "long", i, r->label, outlen[0] == want,
				  "length %zu, want %zu", outlen[0], want);
		} else {
			ROW_CHECK(&fails, "long", i, r->label, rc[0] == -1, "rc %d, want -1", rc[0]);
			ROW_CHECK(&fails, "long", i, r->label, sp_has(err[0], "4 MiB"),
				  "error \"%s\"", sp_shows(err[0]));
			ROW_CHECK(&fails, "long", i, r->label, outlen[0] == 0,
				  "a rejected line left %zu bytes in out", outlen[0]);
		}
		/* The next line is read either way. */
		ROW_CHECK(&fails, "long", i, r->label, rc[1] == 1 && outlen[1] == 5,
			  "next line: rc %d length %zu", rc[1], outlen[1]);
		ROW_CHECK(&fails, "long", i, r->label, first[1] == (r->contlen ? 3 : 2),
			  "next line number %d", first[1]);
		free(body);
		free(data);
	}
	sp_rows_done(fails, "long", NROWS(long_rows));
}

static void test_lline_out_is_reset(void **state)
{
	struct sp_lline_reader rd;
	struct sp_buf out;
	int first, last;
	const char *err;

	(void)state;
	sp_buf_init(&out, SP_LLINE_MAX);
	assert_int_equal(sp_buf_adds(&out, "left over"), 0);
	sp_lline_init(&rd, BYTES("x = 1\n"));
	assert_int_equal(sp_lline_next(&rd, &out, &first, &last, &err), 1);
	assert_string_equal(sp_buf_str(&out), "x = 1");
	assert_int_equal(rd.lineno, 1);
	assert_int_equal(sp_lline_next(&rd, &out, &first, &last, &err), 0);
	sp_buf_free(&out);
}

static void test_lline_null_data_empty(void **state)
{
	struct sp_lline_reader rd;
	struct sp_buf out;
	int first, last;
	const char *err;

	(void)state;
	sp_buf_init(&out, SP_LLINE_MAX);
	sp_lline_init(&rd, NULL, 0);
	assert_int_equal(sp_lline_next(&rd, &out, &first, &last, &err), 0);
	assert_int_equal(rd.lineno, 0);
	sp_buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lline_valid_table),
		cmocka_unit_test(test_lline_invalid_table),
		cmocka_unit_test(test_lline_long_lines),
		cmocka_unit_test(test_lline_out_is_reset),
		cmocka_unit_test(test_lline_null_data_empty),
	};

	return cmocka_run_group_tests_name("lline", tests, NULL, NULL);
}
