/*
 * test_data.c - the DATA/BDAT content state machine (smtp/data.h): normal
 * messages, dot-stuffing, the empty message, the end marker at the very
 * start, every SMTP smuggling variant (bare LF / bare CR around a dot, also
 * at the very start of the content) with the exact output and flags and the
 * proof that only the CRLF "." CRLF after it ends the data, pipelined bytes
 * after the end left unconsumed, the size limit, CHUNK mode and
 * sp_data_finish. Every row is also fed one byte at a time and in two
 * pieces split at every position: the output, the bytes consumed and the
 * flags must not depend on how the input was cut.
 */
#include "unit.h"

#include "smtp/data.h"

#define IN(s) s, sizeof(s) - 1

#define DOT SP_DATA_DOT
#define CHUNK SP_DATA_CHUNK
#define F_LF SP_DATA_BARE_LF
#define F_CR SP_DATA_BARE_CR
#define F_BIG SP_DATA_TOO_BIG

/* consumed: everything */
#define ALLIN ((size_t)-1)

struct data_row {
	const char *label;
	const char *in;
	size_t len;
	enum sp_data_mode mode;
	uint64_t max;
	const char *out;      /* after sp_data_finish when finish is set */
	size_t outlen;
	size_t consumed;      /* ALLIN: len */
	unsigned flags;       /* exact */
	int done;
	int finish;           /* call sp_data_finish after the input */
};

static const struct data_row data_rows[] = {
	/* ordinary messages */
	{"normal message", IN("Subject: x\r\n\r\nbody\r\n.\r\n"), DOT, 0,
	 IN("Subject: x\r\n\r\nbody\r\n"), ALLIN, 0, 1},
	{"pipelined next command", IN("a\r\n.\r\nQUIT\r\n"), DOT, 0, IN("a\r\n"), 6, 0, 1},
	{"pipelined, bare LF after the end", IN("a\r\n.\r\n\n"), DOT, 0, IN("a\r\n"), 6, 0, 1},
	{"empty message", IN(".\r\n"), DOT, 0, IN(""), ALLIN, 0, 1},
	{"empty message, then a command", IN(".\r\nMAIL FROM:<>\r\n"), DOT, 0, IN(""), 3, 0, 1},
	{"empty line only", IN("\r\n.\r\n"), DOT, 0, IN("\r\n"), ALLIN, 0, 1},
	{"two ends: the first one counts", IN("a\r\n.\r\n.\r\n"), DOT, 0, IN("a\r\n"), 6, 0, 1},
	{"NUL bytes are content", IN("a\0b\r\n\0\r\n.\r\n"), DOT, 0, IN("a\0b\r\n\0\r\n"),
	 ALLIN, 0, 1},
	{"8-bit bytes are content", IN("\xff\xfe\r\n.\r\n"), DOT, 0, IN("\xff\xfe\r\n"), ALLIN, 0,
	 1},
	{"no end yet", IN("abc\r\n"), DOT, 0, IN("abc\r\n"), ALLIN, 0, 0},
	{"nothing", IN(""), DOT, 0, IN(""), ALLIN, 0, 0},
	{"a dot pending", IN("abc\r\n."), DOT, 0, IN("abc\r\n"), ALLIN, 0, 0},
	{"dot CR pending", IN("abc\r\n.\r"), DOT, 0, IN("abc\r\n"), ALLIN, 0, 0},
	{"CR pending", IN("abc\r"), DOT, 0, IN("abc"), ALLIN, 0, 0},
	/* dot-stuffing */
	{"'..' line", IN("..\r\n.\r\n"), DOT, 0, IN(".\r\n"), ALLIN, 0, 1},
	{"'..text' line", IN("a\r\n..b\r\n.\r\n"), DOT, 0, IN("a\r\n.b\r\n"), ALLIN, 0, 1},
	{"'...' line", IN("...\r\n.\r\n"), DOT, 0, IN("..\r\n"), ALLIN, 0, 1},
	{"'.text' line loses its dot", IN("a\r\n.x\r\n.\r\n"), DOT, 0, IN("a\r\nx\r\n"), ALLIN, 0,
	 1},
	{"'. ' line", IN(". \r\n.\r\n"), DOT, 0, IN(" \r\n"), ALLIN, 0, 1},
	{"dot inside a line", IN("a.b\r\n.\r\n"), DOT, 0, IN("a.b\r\n"), ALLIN, 0, 1},
	{"dot at the end of a line", IN("a.\r\n.\r\n"), DOT, 0, IN("a.\r\n"), ALLIN, 0, 1},
	{"stuffed end marker", IN("..\r\n..\r\n.\r\n"), DOT, 0, IN(".\r\n.\r\n"), ALLIN, 0, 1},
	{"'..' after a bare LF", IN("a\n..\r\n.\r\n"), DOT, 0, IN("a\r\n.\r\n"), ALLIN, F_LF, 1},
	/* bare LF / CR normalised */
	{"bare LF stored as CRLF", IN("a\nb\r\n.\r\n"), DOT, 0, IN("a\r\nb\r\n"), ALLIN, F_LF, 1},
	{"two bare LFs, then a dropped '.' line", IN("\n\n.\r\n"), DOT, 0, IN("\r\n\r\n"), ALLIN,
	 F_LF, 0},
	{"bare CR kept", IN("a\rb\r\n.\r\n"), DOT, 0, IN("a\rb\r\n"), ALLIN, F_CR, 1},
	{"CR CR LF", IN("a\r\r\nb\r\n.\r\n"), DOT, 0, IN("a\r\r\nb\r\n"), ALLIN, F_CR, 1},
	{"CR CR LF then the end", IN("a\r\r\n.\r\n"), DOT, 0, IN("a\r\r\n"), ALLIN, F_CR, 1},
	{"bare LF then the end", IN("a\n\r\n.\r\n"), DOT, 0, IN("a\r\n\r\n"), ALLIN, F_LF, 1},
	{"LF CR LF", IN("a\n\r\nb\r\n.\r\n"), DOT, 0, IN("a\r\n\r\nb\r\n"), ALLIN, F_LF, 1},
	/* smuggling: none of these end the data; the real end after them does */
	{"\\n.\\n", IN("a\n.\nb\r\n.\r\n"), DOT, 0, IN("a\r\nb\r\n"), ALLIN, F_LF, 1},
	{"\\n.\\r\\n", IN("a\n.\r\nb\r\n.\r\n"), DOT, 0, IN("a\r\nb\r\n"), ALLIN, F_LF, 1},
	{"\\r\\n.\\n", IN("a\r\n.\nb\r\n.\r\n"), DOT, 0, IN("a\r\nb\r\n"), ALLIN, F_LF, 1},
	{"\\r.\\r\\n", IN("a\r.\r\nb\r\n.\r\n"), DOT, 0, IN("a\r.\r\nb\r\n"), ALLIN, F_CR, 1},
	{"\\r\\n.\\r", IN("a\r\n.\rb\r\n.\r\n"), DOT, 0, IN("a\r\n\rb\r\n"), ALLIN, F_CR, 1},
	{"\\n.\\r", IN("a\n.\rb\r\n.\r\n"), DOT, 0, IN("a\r\n\rb\r\n"), ALLIN, F_LF | F_CR, 1},
	{".\\r\\r\\n", IN("a\r\n.\r\r\nb\r\n.\r\n"), DOT, 0, IN("a\r\n\r\r\nb\r\n"), ALLIN, F_CR,
	 1},
	{"\\r.\\r", IN("a\r.\rb\r\n.\r\n"), DOT, 0, IN("a\r.\rb\r\n"), ALLIN, F_CR, 1},
	{"\\r.\\n", IN("a\r.\nb\r\n.\r\n"), DOT, 0, IN("a\r.\r\nb\r\n"), ALLIN, F_CR | F_LF, 1},
	{"\\n.\\n unended", IN("a\n.\n"), DOT, 0, IN("a\r\n"), ALLIN, F_LF, 0},
	{"\\n.\\r\\n unended", IN("a\n.\r\n"), DOT, 0, IN("a\r\n"), ALLIN, F_LF, 0},
	{"\\r\\n.\\n unended", IN("a\r\n.\n"), DOT, 0, IN("a\r\n"), ALLIN, F_LF, 0},
	{"\\r.\\r\\n unended", IN("a\r.\r\n"), DOT, 0, IN("a\r.\r\n"), ALLIN, F_CR, 0},
	{".\\r\\r\\n unended", IN("a\r\n.\r\r\n"), DOT, 0, IN("a\r\n\r\r\n"), ALLIN, F_CR, 0},
	{"\\n.\\r\\n then the end", IN("a\n.\r\n.\r\n"), DOT, 0, IN("a\r\n"), ALLIN, F_LF, 1},
	{"smuggled second message", IN("a\r\n\n.\nMAIL FROM:<x>\r\nRCPT TO:<y>\r\nDATA\r\nz\r\n.\r\n"),
	 DOT, 0, IN("a\r\n\r\nMAIL FROM:<x>\r\nRCPT TO:<y>\r\nDATA\r\nz\r\n"), ALLIN, F_LF, 1},
	{"smuggled with \\r\\n.\\n", IN("a\r\n.\nQUIT\r\n.\r\nNOOP\r\n"), DOT, 0,
	 IN("a\r\nQUIT\r\n"), 14, F_LF, 1},
	/* the same at the very start of the content */
	{"start: \\n.\\n", IN("\n.\nb\r\n.\r\n"), DOT, 0, IN("\r\nb\r\n"), ALLIN, F_LF, 1},
	{"start: .\\n", IN(".\nb\r\n.\r\n"), DOT, 0, IN("b\r\n"), ALLIN, F_LF, 1},
	{"start: .\\r", IN(".\rb\r\n.\r\n"), DOT, 0, IN("\rb\r\n"), ALLIN, F_CR, 1},
	{"start: .\\r\\r\\n", IN(".\r\r\nb\r\n.\r\n"), DOT, 0, IN("\r\r\nb\r\n"), ALLIN, F_CR, 1},
	{"start: \\r.\\r\\n", IN("\r.\r\nb\r\n.\r\n"), DOT, 0, IN("\r.\r\nb\r\n"), ALLIN, F_CR, 1},
	{"start: \\n.\\r\\n", IN("\n.\r\nb\r\n.\r\n"), DOT, 0, IN("\r\nb\r\n"), ALLIN, F_LF, 1},
	{"start: \\r\\n.\\n", IN("\r\n.\nb\r\n.\r\n"), DOT, 0, IN("\r\nb\r\n"), ALLIN, F_LF, 1},
	{"start: \\n.\\r", IN("\n.\rb\r\n.\r\n"), DOT, 0, IN("\r\n\rb\r\n"), ALLIN, F_LF | F_CR, 1},
	{"start: \\r\\n.\\r", IN("\r\n.\rb\r\n.\r\n"), DOT, 0, IN("\r\n\rb\r\n"), ALLIN, F_CR, 1},
	{"start: .\\n alone", IN(".\n"), DOT, 0, IN(""), ALLIN, F_LF, 0},
	{"start: \\r.\\r\\n alone", IN("\r.\r\n"), DOT, 0, IN("\r.\r\n"), ALLIN, F_CR, 0},
	{"start: \\n.\\r\\n then the end", IN("\n.\r\n.\r\n"), DOT, 0, IN("\r\n"), ALLIN, F_LF, 1},
	/* size limit */
	{"exactly max", IN("abc\r\n.\r\n"), DOT, 5, IN("abc\r\n"), ALLIN, 0, 1},
	{"one past max: CRLF cut", IN("abc\r\n.\r\n"), DOT, 4, IN("abc\r"), ALLIN, F_BIG, 1},
	{"max 1", IN("abc\r\n.\r\n"), DOT, 1, IN("a"), ALLIN, F_BIG, 1},
	{"too big, then a command", IN("abcdef\r\n.\r\nQUIT\r\n"), DOT, 3, IN("abc"), 11, F_BIG, 1},
	{"empty message, max 1", IN(".\r\n"), DOT, 1, IN(""), ALLIN, 0, 1},
	{"bare LF at the limit", IN("ab\n\r\n.\r\n"), DOT, 3, IN("ab\r"), ALLIN, F_LF | F_BIG, 1},
	{"dot-stuffing not counted", IN("..\r\n.\r\n"), DOT, 3, IN(".\r\n"), ALLIN, 0, 1},
	{"too big, not ended", IN("abcdef"), DOT, 2, IN("ab"), ALLIN, F_BIG, 0},
	/* CHUNK mode: counted bytes, no dots, no end */
	{"chunk", IN("abc\r\n"), CHUNK, 0, IN("abc\r\n"), ALLIN, 0, 0},
	{"chunk keeps dots", IN("..\r\n.\r\n"), CHUNK, 0, IN("..\r\n.\r\n"), ALLIN, 0, 0},
	{"chunk keeps an end marker", IN("a\r\n.\r\nQUIT\r\n"), CHUNK, 0,
	 IN("a\r\n.\r\nQUIT\r\n"), ALLIN, 0, 0},
	{"chunk: lone end marker", IN(".\r\n"), CHUNK, 0, IN(".\r\n"), ALLIN, 0, 0},
	{"chunk: bare LF", IN("a\nb"), CHUNK, 0, IN("a\r\nb"), ALLIN, F_LF, 0},
	{"chunk: bare CR", IN("a\rb"), CHUNK, 0, IN("a\rb"), ALLIN, F_CR, 0},
	{"chunk: \\n.\\n", IN("\n.\n"), CHUNK, 0, IN("\r\n.\r\n"), ALLIN, F_LF, 0},
	{"chunk: \\r.\\r\\n", IN("\r.\r\n"), CHUNK, 0, IN("\r.\r\n"), ALLIN, F_CR, 0},
	{"chunk: NUL and 8-bit", IN("\0\xff\r\n"), CHUNK, 0, IN("\0\xff\r\n"), ALLIN, 0, 0},
	{"chunk: pending CR held", IN("abc\r"), CHUNK, 0, IN("abc"), ALLIN, 0, 0},
	{"chunk: pending CR finished", IN("abc\r"), CHUNK, 0, IN("abc\r"), ALLIN, F_CR, 0, 1},
	{"chunk: CRLF finished", IN("abc\r\n"), CHUNK, 0, IN("abc\r\n"), ALLIN, 0, 0, 1},
	{"chunk: empty finished", IN(""), CHUNK, 0, IN(""), ALLIN, 0, 0, 1},
	{"chunk: too big", IN("abcdef"), CHUNK, 4, IN("abcd"), ALLIN, F_BIG, 0},
	{"chunk: exactly max", IN("abcd"), CHUNK, 4, IN("abcd"), ALLIN, 0, 0},
	{"chunk: pending CR at max, finished", IN("abcd\r"), CHUNK, 4, IN("abcd"), ALLIN, F_CR | F_BIG,
	 0, 1},
	/* DOT mode, connection ends mid-line */
	{"dot: pending CR finished", IN("abc\r"), DOT, 0, IN("abc\r"), ALLIN, F_CR, 0, 1},
	{"dot: pending '.\\r' finished", IN("a\r\n.\r"), DOT, 0, IN("a\r\n\r"), ALLIN, F_CR, 0, 1},
	{"dot: pending '.' finished", IN("a\r\n."), DOT, 0, IN("a\r\n"), ALLIN, 0, 0, 1},
	{"dot: finish after the end", IN("a\r\n.\r\n"), DOT, 0, IN("a\r\n"), ALLIN, 0, 1, 1},
};

/* What one run produced. */
struct run {
	char *out;
	size_t outlen, consumed;
	unsigned flags;
	int done;
};

/* Feeds r->in cut after each position in cuts (ascending, < len), stopping
 * once a feed leaves bytes unconsumed; appends sp_data_finish if asked. */
static void run_feed(const struct data_row *r, const size_t *cuts, size_t ncuts, struct run *x)
{
	struct sp_data d;
	size_t off = 0;

	x->out = malloc(2 * r->len + 8);
	assert_non_null(x->out);
	x->outlen = 0;
	sp_data_init(&d, r->mode, r->max);
	for (size_t k = 0; k <= ncuts; k++) {
		size_t end = k < ncuts ? cuts[k] : r->len, piece = end - off, o = 12345, n;

		n = sp_data_feed(&d, r->in + off, piece, x->out + x->outlen, &o);
		assert_true(n <= piece);
		assert_true(o <= 2 * piece + 2);
		x->outlen += o;
		off += n;
		if (n < piece)
			break;
	}
	if (r->finish)
		x->outlen += sp_data_finish(&d, x->out + x->outlen);
	x->consumed = off;
	x->flags = d.flags;
	x->done = d.done;
	if (r->max)
		assert_true(d.size <= r->max && x->outlen <= r->max);
	assert_int_equal(d.size, x->outlen);
}

static int run_check(int *fails, size_t i, const struct data_row *r, const char *how,
		     const struct run *x)
{
	size_t want_c = r->consumed == ALLIN ? r->len : r->consumed;
	int before = *fails;

	ROW_CHECK(fails, "data_rows", i, r->label,
		  x->outlen == r->outlen && memcmp(x->out, r->out, r->outlen) == 0,
		  "%s: out \"%s\", want \"%s\"", how, sp_show(x->out, x->outlen),
		  sp_show(r->out, r->outlen));
	ROW_CHECK(fails, "data_rows", i, r->label, x->consumed == want_c,
		  "%s: consumed %zu, want %zu", how, x->consumed, want_c);
	ROW_CHECK(fails, "data_rows", i, r->label, x->flags == r->flags,
		  "%s: flags %#x, want %#x", how, x->flags, r->flags);
	ROW_CHECK(fails, "data_rows", i, r->label, x->done == r->done, "%s: done %d, want %d",
		  how, x->done, r->done);
	return *fails != before;
}

/* The end position the spec gives: just past the first CRLF "." CRLF in
 * "\r\n" + input, less the 2 bytes added; the whole input when none. */
static size_t reference_end(const char *in, size_t len)
{
	for (size_t p = 0; p + 5 <= len + 2; p++) {
		char w[5];

		for (size_t k = 0; k < 5; k++)
			w[k] = p + k < 2 ? "\r\n"[p + k] : in[p + k - 2];
		if (memcmp(w, "\r\n.\r\n", 5) == 0)
			return p + 5 - 2;
	}
	return len;
}

static void test_data_table(void **state)
{
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < NROWS(data_rows); i++) {
		const struct data_row *r = &data_rows[i];
		struct run whole, x;
		size_t *cuts = malloc((r->len + 1) * sizeof(*cuts));
		char how[64];

		assert_non_null(cuts);
		/* one call */
		run_feed(r, NULL, 0, &whole);
		if (run_check(&fails, i, r, "one call", &whole)) {
			free(whole.out);
			free(cuts);
			continue;
		}
		if (r->mode == SP_DATA_DOT)
			ROW_CHECK(&fails, "data_rows", i, r->label,
				  whole.consumed == reference_end(r->in, r->len),
				  "consumed %zu, reference end %zu", whole.consumed,
				  reference_end(r->in, r->len));
		/* one byte at a time */
		for (size_t k = 0; k + 1 < r->len; k++)
			cuts[k] = k + 1;
		run_feed(r, cuts, r->len ? r->len - 1 : 0, &x);
		run_check(&fails, i, r, "byte by byte", &x);
		free(x.out);
		/* two pieces, cut at every position */
		for (size_t c = 0; c <= r->len; c++) {
			cuts[0] = c;
			run_feed(r, cuts, 1, &x);
			snprintf(how, sizeof(how), "cut at %zu", c);
			run_check(&fails, i, r, how, &x);
			free(x.out);
		}
		free(whole.out);
		free(cuts);
	}
	sp_rows_done(fails, "data_rows", NROWS(data_rows));
}

/* After the end marker nothing more is consumed or written. */
static void test_data_after_done(void **state)
{
	struct sp_data d;
	char out[64];
	size_t o;

	(void)state;
	sp_data_init(&d, SP_DATA_DOT, 0);
	assert_int_equal(sp_data_feed(&d, IN(".\r\nQUIT\r\n"), out, &o), 3);
	assert_int_equal(o, 0);
	assert_true(d.done);
	o = 99;
	assert_int_equal(sp_data_feed(&d, IN("QUIT\r\n"), out, &o), 0);
	assert_int_equal(o, 0);
	assert_int_equal(sp_data_finish(&d, out), 0);
	assert_int_equal(d.flags, 0);
	/* init resets everything */
	sp_data_init(&d, SP_DATA_CHUNK, 10);
	assert_int_equal(d.done, 0);
	assert_int_equal(d.size, 0);
	assert_int_equal(d.max, 10);
	assert_int_equal(d.mode, SP_DATA_CHUNK);
}

/* CHUNK mode across BDAT chunks: a CR at the end of one chunk and its LF at
 * the start of the next are a proper CRLF; the size counts across chunks. */
static void test_data_chunks(void **state)
{
	struct sp_data d;
	char out[64];
	size_t o;

	(void)state;
	sp_data_init(&d, SP_DATA_CHUNK, 0);
	assert_int_equal(sp_data_feed(&d, IN("abc\r"), out, &o), 4);
	assert_int_equal(o, 3);
	assert_memory_equal(out, "abc", 3);
	assert_int_equal(sp_data_feed(&d, IN("\ndef"), out, &o), 4);
	assert_int_equal(o, 5);
	assert_memory_equal(out, "\r\ndef", 5);
	assert_int_equal(d.flags, 0);
	assert_int_equal(sp_data_finish(&d, out), 0);
	assert_int_equal(d.size, 8);

	/* a CR closing one chunk and a non-LF opening the next: bare CR */
	sp_data_init(&d, SP_DATA_CHUNK, 0);
	sp_data_feed(&d, IN("a\r"), out, &o);
	assert_int_equal(sp_data_feed(&d, IN("b"), out, &o), 1);
	assert_int_equal(o, 2);
	assert_memory_equal(out, "\rb", 2);
	assert_int_equal(d.flags, SP_DATA_BARE_CR);

	/* BDAT LAST ending in a CR */
	sp_data_init(&d, SP_DATA_CHUNK, 0);
	sp_data_feed(&d, IN("x\r\n"), out, &o);
	sp_data_feed(&d, IN("y\r"), out, &o);
	assert_int_equal(o, 1);
	assert_int_equal(sp_data_finish(&d, out), 1);
	assert_int_equal(out[0], '\r');
	assert_int_equal(d.flags, SP_DATA_BARE_CR);
	assert_int_equal(sp_data_finish(&d, out), 0);   /* only once */

	/* the limit across chunks */
	sp_data_init(&d, SP_DATA_CHUNK, 3);
	sp_data_feed(&d, IN("ab"), out, &o);
	assert_int_equal(o, 2);
	assert_int_equal(sp_data_feed(&d, IN("cd"), out, &o), 2);
	assert_int_equal(o, 1);
	assert_int_equal(out[0], 'c');
	assert_int_equal(d.flags, SP_DATA_TOO_BIG);
	assert_int_equal(d.size, 3);
}

/* A long message: output capped exactly at max, the end still found. */
static void test_data_big(void **state)
{
	struct sp_data d;
	size_t len, o;
	char *in = sp_big("", 100000, 'x', "\r\n.\r\nQUIT\r\n", &len);
	char *out = malloc(2 * len + 2);

	(void)state;
	assert_non_null(out);
	sp_data_init(&d, SP_DATA_DOT, 4096);
	assert_int_equal(sp_data_feed(&d, in, len, out, &o), 100005);
	assert_int_equal(o, 4096);
	assert_int_equal(d.size, 4096);
	assert_true(d.done);
	assert_int_equal(d.flags, SP_DATA_TOO_BIG);
	/* worst case output: all bare LFs */
	free(in);
	in = sp_big("", 1000, '\n', "", &len);
	sp_data_init(&d, SP_DATA_CHUNK, 0);
	assert_int_equal(sp_data_feed(&d, in, len, out, &o), 1000);
	assert_int_equal(o, 2000);
	assert_int_equal(d.flags, SP_DATA_BARE_LF);
	free(in);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_data_table),
		cmocka_unit_test(test_data_after_done),
		cmocka_unit_test(test_data_chunks),
		cmocka_unit_test(test_data_big),
	};

	return cmocka_run_group_tests_name("data", tests, NULL, NULL);
}
