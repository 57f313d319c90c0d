/*
 * test_buf.c - struct sp_buf (util/buf.h): appends within and past the hard
 * maximum, the spare NUL, embedded NULs, truncate/reset/take/free, and size
 * arithmetic that would overflow.
 */
#include "unit.h"

#include "util/buf.h"

/* Appends that fit: (max, pieces appended in order) -> final contents. */
struct buf_ok_row {
	const char *label;
	size_t max;
	const char *pieces[4];
	size_t plen[4];      /* 0: use strlen */
	const char *want;
	size_t wantlen;
};

static const struct buf_ok_row buf_ok[] = {
	{"one piece", 16, {"abc"}, {0}, "abc", 3},
	{"two pieces", 16, {"ab", "cd"}, {0}, "abcd", 4},
	{"exactly max", 4, {"ab", "cd"}, {0}, "abcd", 4},
	{"empty append", 4, {""}, {0}, "", 0},
	{"empty then bytes", 4, {"", "xy"}, {0}, "xy", 2},
	{"embedded NUL", 8, {"a\0b"}, {3}, "a\0b", 3},
	{"NUL only", 1, {"\0"}, {1}, "\0", 1},
	{"max zero, nothing added", 0, {""}, {0}, "", 0},
	{"beyond the first 64-byte chunk", 200,
	 {"0123456789012345678901234567890123456789012345678901234567890123",
	  "0123456789012345678901234567890123456789012345678901234567890123",
	  "0123456789"}, {0},
	 "0123456789012345678901234567890123456789012345678901234567890123"
	 "0123456789012345678901234567890123456789012345678901234567890123"
	 "0123456789", 138},
};

static void test_buf_ok_table(void **state)
{
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < NROWS(buf_ok); i++) {
		const struct buf_ok_row *r = &buf_ok[i];
		struct sp_buf b;
		int rc = 0;

		sp_buf_init(&b, r->max);
		for (size_t k = 0; k < 4 && r->pieces[k]; k++) {
			size_t n = r->plen[k] ? r->plen[k] : strlen(r->pieces[k]);
			rc |= sp_buf_add(&b, r->pieces[k], n);
		}
		ROW_CHECK(&fails, "buf_ok", i, r->label, rc == 0, "an append failed");
		ROW_CHECK(&fails, "buf_ok", i, r->label, b.len == r->wantlen,
			  "len %zu, want %zu", b.len, r->wantlen);
		ROW_CHECK(&fails, "buf_ok", i, r->label,
			  b.len == r->wantlen && memcmp(sp_buf_str(&b), r->want, r->wantlen) == 0,
			  "contents \"%s\"", sp_show(sp_buf_str(&b), b.len));
		ROW_CHECK(&fails, "buf_ok", i, r->label, sp_buf_str(&b)[b.len] == 0,
			  "no spare NUL after the data");
		ROW_CHECK(&fails, "buf_ok", i, r->label, b.len <= b.max, "len past max");
		sp_buf_free(&b);
	}
	sp_rows_done(fails, "buf_ok", NROWS(buf_ok));
}

/* Appends that must be refused, leaving the buffer as it was. */
struct buf_bad_row {
	const char *label;
	size_t max;
	const char *prefill;  /* appended first (must fit) */
	size_t n;             /* then an append of n bytes (never read: it must fail first) */
};

static const struct buf_bad_row buf_bad[] = {
	{"one past max", 4, "abcd", 1},
	{"first append past max", 4, "", 5},
	{"max zero, one byte", 0, "", 1},
	{"far past max", 16, "abc", 1u << 20},
	{"len + n overflows size_t", SIZE_MAX, "abc", SIZE_MAX},
	{"len + n == SIZE_MAX (no room for the NUL)", SIZE_MAX, "abc", SIZE_MAX - 3},
	{"n == SIZE_MAX on an empty buffer", SIZE_MAX, "", SIZE_MAX},
	{"n just past max with data", 10, "0123456789", 1},
	{"half of SIZE_MAX twice", SIZE_MAX / 2, "ab", SIZE_MAX / 2},
	{"4 MiB + 1 into a 4 MiB buffer", 4u << 20, "", (4u << 20) + 1},
};

static void test_buf_bad_table(void **state)
{
	int fails = 0;
	static const char src[8] = "zzzzzzz";

	(void)state;
	for (size_t i = 0; i < NROWS(buf_bad); i++) {
		const struct buf_bad_row *r = &buf_bad[i];
		struct sp_buf b;
		size_t plen = strlen(r->prefill);
		int rc;

		sp_buf_init(&b, r->max);
		ROW_CHECK(&fails, "buf_bad", i, r->label, sp_buf_adds(&b, r->prefill) == 0,
			  "prefill failed");
		rc = sp_buf_add(&b, src, r->n);
		ROW_CHECK(&fails, "buf_bad", i, r->label, rc == -1, "append returned %d, want -1", rc);
		ROW_CHECK(&fails, "buf_bad", i, r->label, b.len == plen,
			  "len %zu after a refused append, want %zu", b.len, plen);
		ROW_CHECK(&fails, "buf_bad", i, r->label, strcmp(sp_buf_str(&b), r->prefill) == 0,
			  "contents changed to \"%s\"", sp_shows(sp_buf_str(&b)));
		sp_buf_free(&b);
	}
	sp_rows_done(fails, "buf_bad", NROWS(buf_bad));
}

static void test_buf_init_empty(void **state)
{
	struct sp_buf b;

	(void)state;
	sp_buf_init(&b, 100);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.max, 100);
	assert_string_equal(sp_buf_str(&b), "");
	sp_buf_free(&b);
}

static void test_buf_addc_adds(void **state)
{
	struct sp_buf b;

	(void)state;
	sp_buf_init(&b, 3);
	assert_int_equal(sp_buf_addc(&b, 'x'), 0);
	assert_int_equal(sp_buf_adds(&b, "yz"), 0);
	assert_int_equal(sp_buf_addc(&b, 'w'), -1);
	assert_int_equal(sp_buf_adds(&b, "w"), -1);
	assert_int_equal(sp_buf_adds(&b, ""), 0);
	assert_string_equal(sp_buf_str(&b), "xyz");
	assert_int_equal(b.len, 3);
	sp_buf_free(&b);
}

static void test_buf_truncate_reset(void **state)
{
	struct sp_buf b;
	const char *before;

	(void)state;
	sp_buf_init(&b, 64);
	assert_int_equal(sp_buf_adds(&b, "hello world"), 0);
	sp_buf_truncate(&b, 5);
	assert_int_equal(b.len, 5);
	assert_string_equal(sp_buf_str(&b), "hello");
	sp_buf_truncate(&b, 5);             /* n == len: unchanged */
	assert_string_equal(sp_buf_str(&b), "hello");
	before = b.data;
	sp_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(sp_buf_str(&b), "");
	assert_ptr_equal(b.data, before);   /* memory kept */
	assert_true(b.cap > 0);
	assert_int_equal(sp_buf_adds(&b, "again"), 0);
	assert_string_equal(sp_buf_str(&b), "again");
	sp_buf_free(&b);
}

static void test_buf_take(void **state)
{
	struct sp_buf b;
	char *s;

	(void)state;
	sp_buf_init(&b, 64);
	assert_int_equal(sp_buf_adds(&b, "taken"), 0);
	s = sp_buf_take(&b);
	assert_string_equal(s, "taken");
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.max, 64);
	free(s);
	/* Taking an empty buffer still gives a string the caller can free. */
	s = sp_buf_take(&b);
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);
	/* The buffer is usable after take. */
	assert_int_equal(sp_buf_adds(&b, "more"), 0);
	assert_string_equal(sp_buf_str(&b), "more");
	sp_buf_free(&b);
}

static void test_buf_free_reusable(void **state)
{
	struct sp_buf b;

	(void)state;
	sp_buf_init(&b, 8);
	assert_int_equal(sp_buf_adds(&b, "abc"), 0);
	sp_buf_free(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.max, 8);          /* the limit survives free */
	assert_int_equal(sp_buf_adds(&b, "123456789"), -1);
	assert_int_equal(sp_buf_adds(&b, "12345678"), 0);
	sp_buf_free(&b);
	sp_buf_free(&b);                      /* twice is harmless */
}

static void test_buf_many_small_appends(void **state)
{
	struct sp_buf b;
	size_t n = 100000;

	(void)state;
	sp_buf_init(&b, n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(sp_buf_addc(&b, (char)('a' + i % 26)), 0);
	assert_int_equal(sp_buf_addc(&b, 'x'), -1);
	assert_int_equal(b.len, n);
	assert_true(b.cap > n);             /* room for the spare NUL */
	for (size_t i = 0; i < n; i++)
		assert_int_equal(b.data[i], 'a' + i % 26);
	assert_int_equal(b.data[n], 0);
	sp_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_ok_table),
		cmocka_unit_test(test_buf_bad_table),
		cmocka_unit_test(test_buf_init_empty),
		cmocka_unit_test(test_buf_addc_adds),
		cmocka_unit_test(test_buf_truncate_reset),
		cmocka_unit_test(test_buf_take),
		cmocka_unit_test(test_buf_free_reusable),
		cmocka_unit_test(test_buf_many_small_appends),
	};

	return cmocka_run_group_tests_name("buf", tests, NULL, NULL);
}
