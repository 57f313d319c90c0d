/*
 * test_line.c - strict CRLF line framing (smtp/line.h): a table of buffers
 * with their max and the exact verdict and length, covering CRLF, bare LF,
 * bare CR, a CR as the last byte (MORE), max reached exactly with and
 * without the CRLF, and NUL bytes (content like any other byte).
 */
#include "unit.h"

#include "smtp/line.h"

#define IN(s) s, sizeof(s) - 1

#define OK SP_LINE_OK
#define MORE SP_LINE_MORE
#define LF SP_LINE_BARE_LF
#define CR SP_LINE_BARE_CR
#define LONG SP_LINE_TOO_LONG

struct line_row {
	const char *label;
	const char *in;
	size_t len;
	size_t max;
	enum sp_line want;
	size_t n;
};

static const struct line_row line_rows[] = {
	/* proper lines */
	{"CRLF only", IN("\r\n"), 512, OK, 2},
	{"command", IN("EHLO example.com\r\n"), 512, OK, 18},
	{"first of two lines", IN("NOOP\r\nQUIT\r\n"), 512, OK, 6},
	{"pipelined rest ignored", IN("RSET\r\nxx"), 512, OK, 6},
	{"NUL inside", IN("a\0b\r\n"), 512, OK, 5},
	{"NUL first", IN("\0\r\n"), 512, OK, 3},
	{"NULs only", IN("\0\0\0\r\n"), 512, OK, 5},
	{"8-bit bytes", IN("\xff\xfe\r\n"), 512, OK, 4},
	{"CRLF at max exactly", IN("ab\r\n"), 4, OK, 4},
	{"CRLF at max exactly, more after", IN("ab\r\nzz"), 4, OK, 4},
	{"CRLF only at max 2", IN("\r\n"), 2, OK, 2},
	{"CRLF before max", IN("a\r\nbcdef"), 4, OK, 3},
	/* bare LF */
	{"bare LF only", IN("\n"), 512, LF, 1},
	{"bare LF after text", IN("QUIT\n"), 512, LF, 5},
	{"bare LF before CRLF", IN("a\nb\r\n"), 512, LF, 2},
	{"LF CR", IN("\n\r"), 512, LF, 1},
	{"LF then CRLF", IN("\n\r\n"), 512, LF, 1},
	{"bare LF at max", IN("abc\n"), 4, LF, 4},
	{"bare LF after NUL", IN("\0\n"), 512, LF, 2},
	/* bare CR */
	{"bare CR then text", IN("a\rb\r\n"), 512, CR, 2},
	{"CR CR LF", IN("\r\r\n"), 512, CR, 1},
	{"CR NUL", IN("\r\0"), 512, CR, 1},
	{"CR space", IN("QUIT\r "), 512, CR, 5},
	{"bare CR first", IN("\rQUIT\r\n"), 512, CR, 1},
	{"bare CR just before max", IN("ab\rx"), 4, CR, 3},
	/* no line end yet */
	{"empty", IN(""), 512, MORE, 0},
	{"text", IN("EHLO"), 512, MORE, 0},
	{"CR at the end", IN("QUIT\r"), 512, MORE, 0},
	{"CR alone", IN("\r"), 512, MORE, 0},
	{"CR at the end, one short of max", IN("ab\r"), 4, MORE, 0},
	{"one short of max", IN("abc"), 4, MORE, 0},
	{"NUL only", IN("\0"), 512, MORE, 0},
	/* too long */
	{"max reached without CRLF", IN("abcd"), 4, LONG, 4},
	{"past max without CRLF", IN("abcdefg"), 4, LONG, 4},
	{"CR as the max-th byte", IN("abc\r"), 4, LONG, 4},
	{"CRLF one past max", IN("abc\r\n"), 4, LONG, 4},
	{"CRLF beyond max", IN("abcdef\r\n"), 4, LONG, 4},
	{"bare LF beyond max", IN("abcd\n"), 4, LONG, 4},
	{"bare CR beyond max", IN("abcd\rx"), 4, LONG, 4},
	{"max 2, no CRLF", IN("ab"), 2, LONG, 2},
	{"max 2, CR LF split by max", IN("a\r\n"), 2, LONG, 2},
	{"NULs to max", IN("\0\0\0\0"), 4, LONG, 4},
};

static void test_line_table(void **state)
{
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < NROWS(line_rows); i++) {
		const struct line_row *r = &line_rows[i];
		size_t n = 9999;
		enum sp_line got = sp_line_find(r->in, r->len, r->max, &n);

		ROW_CHECK(&fails, "line_rows", i, r->label, got == r->want && n == r->n,
			  "\"%s\" max %zu: got %d n %zu, want %d n %zu", sp_show(r->in, r->len),
			  r->max, got, n, r->want, r->n);
	}
	sp_rows_done(fails, "line_rows", NROWS(line_rows));
}

/* A long buffer: the 512-byte RFC 5321 command line limit at and past it. */
static void test_line_long(void **state)
{
	size_t len, n;
	char *p;

	(void)state;
	p = sp_big("", 510, 'x', "\r\n", &len);
	assert_int_equal(sp_line_find(p, len, 512, &n), SP_LINE_OK);
	assert_int_equal(n, 512);
	free(p);
	p = sp_big("", 511, 'x', "\r\n", &len);
	assert_int_equal(sp_line_find(p, len, 512, &n), SP_LINE_TOO_LONG);
	assert_int_equal(n, 512);
	assert_int_equal(sp_line_find(p, 511, 512, &n), SP_LINE_MORE);
	assert_int_equal(n, 0);
	free(p);
}

/* Walking a pipelined buffer line by line gives each line exactly once. */
static void test_line_walk(void **state)
{
	static const char buf[] = "EHLO a\r\nMAIL FROM:<>\r\n\r\nRCPT TO:<b@c>\r\nDA";
	const char *want[] = {"EHLO a\r\n", "MAIL FROM:<>\r\n", "\r\n", "RCPT TO:<b@c>\r\n"};
	size_t off = 0, n, k = 0;
	enum sp_line r;

	(void)state;
	while ((r = sp_line_find(buf + off, sizeof(buf) - 1 - off, 512, &n)) == SP_LINE_OK) {
		assert_true(k < NROWS(want));
		assert_int_equal(n, strlen(want[k]));
		assert_memory_equal(buf + off, want[k], n);
		off += n;
		k++;
	}
	assert_int_equal(k, NROWS(want));
	assert_int_equal(r, SP_LINE_MORE);
	assert_int_equal(off, sizeof(buf) - 1 - 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line_table),
		cmocka_unit_test(test_line_long),
		cmocka_unit_test(test_line_walk),
	};

	return cmocka_run_group_tests_name("line", tests, NULL, NULL);
}
