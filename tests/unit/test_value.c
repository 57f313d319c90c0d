/*
 * test_value.c - typed values (config/value.h): booleans, integers, times
 * with units, list splitting with {} groups, and sp_value_check against
 * hand-made registry definitions (ranges, enums, tables).
 *
 * Postfix's conversions (conv_bool, conv_int, conv_time in
 * global/mail_conf_*.c) are the model: yes/no case-insensitive, decimal
 * integers, a time is digits plus at most one lowercase unit letter.
 */
#include "unit.h"

#include "config/value.h"

/* ---- booleans ---- */

struct bool_row {
	const char *in;
	int want;
};

static const struct bool_row bool_ok[] = {
	{"yes", 1}, {"no", 0}, {"YES", 1}, {"NO", 0}, {"Yes", 1}, {"nO", 0}, {"yEs", 1},
};

static const char *const bool_bad[] = {
	"yess", "", "y", "n", "ye", "true", "false", "1", "0", "on", "off", " yes", "yes ",
	"no\n", "yes!", "nope",
};

static void test_bool_tables(void **state)
{
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < NROWS(bool_ok); i++) {
		int out = -5, rc = sp_value_bool(bool_ok[i].in, &out);
		ROW_CHECK(&fails, "bool_ok", i, bool_ok[i].in, rc == 0 && out == bool_ok[i].want,
			  "rc %d out %d", rc, out);
	}
	for (size_t i = 0; i < NROWS(bool_bad); i++) {
		int out = -5, rc = sp_value_bool(bool_bad[i], &out);
		ROW_CHECK(&fails, "bool_bad", i, sp_shows(bool_bad[i]), rc == -1 && out == -5,
			  "rc %d out %d, want -1 and out untouched", rc, out);
	}
	sp_rows_done(fails, "bool", NROWS(bool_ok) + NROWS(bool_bad));
}

/* ---- integers ---- */

struct int_row {
	const char *in;
	int64_t want;
};

static const struct int_row int_ok[] = {
	{"0", 0}, {"-1", -1}, {"1", 1}, {"123", 123}, {"007", 7}, {"-0", 0},
	{"10240000", 10240000},
	{"9223372036854775807", INT64_MAX}, {"-9223372036854775808", INT64_MIN},
};

static const char *const int_bad[] = {
	"", "-", "1x", "x1", " 1", "1 ", "+1", "--1", "1.5", "0x10", "1e3", "1,000",
	"99999999999999999999", "9223372036854775808", "-9223372036854775809", "1k",
	"\t1", "1\n",
};

static void test_int_tables(void **state)
{
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < NROWS(int_ok); i++) {
		int64_t out = 42;
		int rc = sp_value_int(int_ok[i].in, &out);
		ROW_CHECK(&fails, "int_ok", i, int_ok[i].in, rc == 0 && out == int_ok[i].want,
			  "rc %d out %lld", rc, (long long)out);
	}
	for (size_t i = 0; i < NROWS(int_bad); i++) {
		int64_t out = 42;
		int rc = sp_value_int(int_bad[i], &out);
		ROW_CHECK(&fails, "int_bad", i, sp_shows(int_bad[i]), rc == -1 && out == 42,
			  "rc %d out %lld", rc, (long long)out);
	}
	sp_rows_done(fails, "int", NROWS(int_ok) + NROWS(int_bad));
}

/* ---- times ---- */

struct time_row {
	const char *in;
	char unit;       /* default unit */
	int64_t want;
};

static const struct time_row time_ok[] = {
	{"10s", 's', 10}, {"5m", 's', 300}, {"1h", 's', 3600}, {"2d", 's', 172800},
	{"1w", 's', 604800}, {"10", 's', 10}, {"10", 'm', 600}, {"10", 'h', 36000},
	{"5", 'd', 432000}, {"2", 'w', 1209600}, {"0", 's', 0}, {"0s", 'd', 0},
	{"30s", 'd', 30},       /* an explicit unit beats the default */
	{"007m", 's', 420}, {"100d", 's', 8640000},
	{"15250w", 's', 9223200000LL},
};

static const struct time_row time_bad[] = {
	{"10x", 's', 0}, {"1hm", 's', 0}, {"", 's', 0}, {"s", 's', 0}, {"h", 'h', 0},
	{"-1s", 's', 0}, {"-1", 's', 0}, {"1.5h", 's', 0}, {" 1s", 's', 0}, {"1s ", 's', 0},
	{"1 s", 's', 0}, {"10S", 's', 0}, {"10H", 's', 0}, {"1ms", 's', 0}, {"1sec", 's', 0},
	{"10", 0, 0},       /* no unit and no default unit */
	{"10", 'x', 0},     /* a default unit that is not a unit */
	{"99999999999999999999s", 's', 0},               /* does not fit */
	{"9223372036854775807w", 's', 0},                /* multiplication overflows */
	{"15251000000000w", 's', 0},
	{"106751991167301d", 's', 0},
	{"00000000000000000000000000000001s", 's', 0},   /* 32 digits: too long */
	{"+1s", 's', 0},
};

static void test_time_tables(void **state)
{
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < NROWS(time_ok); i++) {
		int64_t out = 42;
		int rc = sp_value_time(time_ok[i].in, time_ok[i].unit, &out);
		ROW_CHECK(&fails, "time_ok", i, time_ok[i].in, rc == 0 && out == time_ok[i].want,
			  "rc %d out %lld, want %lld", rc, (long long)out, (long long)time_ok[i].want);
	}
	for (size_t i = 0; i < NROWS(time_bad); i++) {
		int64_t out = 42;
		int rc = sp_value_time(time_bad[i].in, time_bad[i].unit, &out);
		ROW_CHECK(&fails, "time_bad", i, time_bad[i].in, rc == -1,
			  "rc %d out %lld, want -1", rc, (long long)out);
	}
	sp_rows_done(fails, "time", NROWS(time_ok) + NROWS(time_bad));
}

/* ---- lists ---- */

struct collect {
	char out[512];
	int calls;
	int stop_at;       /* > 0: return 7 from this call */
};

static int collect_fn(void *vctx, const char *elem, size_t len)
{
	struct collect *c = vctx;
	size_t n = strlen(c->out);

	c->calls++;
	snprintf(c->out + n, sizeof(c->out) - n, "[%.*s]", (int)len, elem);
	return c->calls == c->stop_at ? 7 : 0;
}

struct list_row {
	const char *label;
	const char *in;
	const char *want;
};

static const struct list_row list_rows[] = {
	{"commas and spaces", "a, b c", "[a][b][c]"},
	{"empty", "", ""},
	{"only separators", " , ,, \t", ""},
	{"one element", "permit_mynetworks", "[permit_mynetworks]"},
	{"leading and trailing separators", ",a,", "[a]"},
	{"all whitespace kinds", "a\tb\nc\rd\fe\vf", "[a][b][c][d][e][f]"},
	{"brace group is one element, braces kept", "{a b}, c", "[{a b}][c]"},
	{"brace group inside a word", "x{a b}y z", "[x{a b}y][z]"},
	{"nested braces", "{a, {b c}} d", "[{a, {b c}}][d]"},
	{"check_policy_service with braces",
	 "check_policy_service { inet:127.0.0.1:10023, timeout=10s }, permit",
	 "[check_policy_service][{ inet:127.0.0.1:10023, timeout=10s }][permit]"},
	{"unclosed brace runs to the end", "{unclosed a b", "[{unclosed a b]"},
	{"stray '}' is an ordinary byte", "a}b c", "[a}b][c]"},
	{"tables", "hash:/etc/a,regexp:/etc/b", "[hash:/etc/a][regexp:/etc/b]"},
};

static void test_list_table(void **state)
{
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < NROWS(list_rows); i++) {
		struct collect c = {{0}, 0, 0};
		int rc = sp_value_list(list_rows[i].in, collect_fn, &c);
		ROW_CHECK(&fails, "list", i, list_rows[i].label,
			  rc == 0 && strcmp(c.out, list_rows[i].want) == 0,
			  "rc %d, got \"%s\", want \"%s\"", rc, c.out, list_rows[i].want);
	}
	sp_rows_done(fails, "list", NROWS(list_rows));
}

static void test_list_stops_early(void **state)
{
	struct collect c = {{0}, 0, 2};

	(void)state;
	assert_int_equal(sp_value_list("a b c d", collect_fn, &c), 7);
	assert_int_equal(c.calls, 2);
	assert_string_equal(c.out, "[a][b]");
}

/* ---- sp_value_check ---- */

static const struct sp_param_def d_bool = {.name = "b", .type = SP_T_BOOL, .def = "no"};
static const struct sp_param_def d_int = {.name = "i", .type = SP_T_INT, .def = "5", .min = 0,
					  .max = 10};
static const struct sp_param_def d_int_nomax = {.name = "i2", .type = SP_T_INT, .def = "1",
						.min = 1};
static const struct sp_param_def d_size = {.name = "s", .type = SP_T_SIZE, .def = "1024",
					   .min = 0};
static const struct sp_param_def d_time = {.name = "t", .type = SP_T_TIME, .def = "1h", .min = 1,
					   .max = 86400, .unit = 's'};
static const struct sp_param_def d_time_d = {.name = "td", .type = SP_T_TIME, .def = "5d",
					     .unit = 'd'};
static const struct sp_param_def d_enum_empty = {.name = "e", .type = SP_T_ENUM, .def = "",
						 .choices = "may|encrypt|none"};
static const struct sp_param_def d_enum = {.name = "e2", .type = SP_T_ENUM, .def = "may",
					   .choices = "may|encrypt|none"};
static const struct sp_param_def d_maps = {.name = "m", .type = SP_T_MAPS, .def = ""};
static const struct sp_param_def d_str = {.name = "st", .type = SP_T_STR, .def = ""};
static const struct sp_param_def d_list = {.name = "l", .type = SP_T_LIST, .def = ""};
static const struct sp_param_def d_restrict = {.name = "r", .type = SP_T_RESTRICT, .def = ""};

struct check_row {
	const char *label;
	const struct sp_param_def *def;
	const char *value;
	const char *why;     /* NULL: accepted; else a substring of why */
	const char *fix;     /* substring of fix */
};

static const struct check_row check_ok[] = {
	{"bool yes", &d_bool, "yes", NULL, NULL},
	{"bool NO", &d_bool, "NO", NULL, NULL},
	{"int in range", &d_int, "5", NULL, NULL},
	{"int at min", &d_int, "0", NULL, NULL},
	{"int at max", &d_int, "10", NULL, NULL},
	{"int, no max", &d_int_nomax, "1000000000", NULL, NULL},
	{"size", &d_size, "10240000", NULL, NULL},
	{"time with unit", &d_time, "1d", NULL, NULL},
	{"time, default unit", &d_time, "86400", NULL, NULL},
	{"time at min", &d_time, "1s", NULL, NULL},
	{"time, default unit d", &d_time_d, "5", NULL, NULL},
	{"enum", &d_enum, "encrypt", NULL, NULL},
	{"enum is case-insensitive", &d_enum, "MAY", NULL, NULL},
	{"enum empty when the default is empty", &d_enum_empty, "", NULL, NULL},
	{"maps, two tables", &d_maps, "hash:/etc/a, regexp:/etc/b", NULL, NULL},
	{"maps, whitespace separated", &d_maps, "hash:/a  lmdb:/b", NULL, NULL},
	{"maps, empty", &d_maps, "", NULL, NULL},
	{"maps, inline with braces", &d_maps, "inline:{a=b, c=d}", NULL, NULL},
	{"maps, proxy: prefix", &d_maps, "proxy:unix:passwd.byname", NULL, NULL},
	{"string: anything", &d_str, "any $thing {", NULL, NULL},
	{"list: anything", &d_list, "a, b", NULL, NULL},
	{"restrictions: anything", &d_restrict, "permit_mynetworks, reject", NULL, NULL},
};

static const struct check_row check_bad[] = {
	{"bool yess", &d_bool, "yess", "not a boolean", "yes or no"},
	{"bool empty", &d_bool, "", "not a boolean", "yes or no"},
	{"bool 1", &d_bool, "1", "not a boolean", "yes or no"},
	{"int above max", &d_int, "11", "out of range", "from 0 to 10"},
	{"int below min", &d_int, "-1", "out of range", "from 0 to 10"},
	{"int not a number", &d_int, "1x", "not a whole number", "digits"},
	{"int overflow", &d_int, "99999999999999999999", "too large", "at most 2147483647"},
	{"int empty", &d_int, "", "not a whole number", "digits"},
	{"int below min, no max", &d_int_nomax, "0", "out of range", "from 1 to 2147483647"},
	{"size with a unit", &d_size, "10k", "not a whole number", "size in bytes"},
	{"size negative", &d_size, "-1", "out of range", "from 0 to"},
	{"time 10x", &d_time, "10x", "not a time", "default s"},
	{"time 1hm", &d_time, "1hm", "not a time", "s, m, h, d or w"},
	{"time empty", &d_time, "", "not a time", "s, m, h, d or w"},
	{"time overflow", &d_time, "99999999999999999999", "too large", "at most"},
	{"time above max", &d_time, "2d", "out of range", "from 1 to 86400"},
	{"time below min", &d_time, "0", "out of range", "from 1 to 86400"},
	{"time, default unit d in the fix", &d_time_d, "5x", "not a time", "default d"},
	{"enum unknown", &d_enum, "dane", "not one of", "may|encrypt|none"},
	{"enum prefix", &d_enum, "ma", "not one of", "may|encrypt|none"},
	{"enum two values", &d_enum, "may|none", "not one of", "may|encrypt|none"},
	{"enum empty when the default is not", &d_enum, "", "not one of", "may|encrypt|none"},
	{"enum padded", &d_enum, " may", "not one of", ""},
	{"maps, a path", &d_maps, "/etc/postfix/virtual", "is not a table reference", "type:name"},
	{"maps, second element bad", &d_maps, "hash:/a, /etc/b", "\"/etc/b\" is not a table", ""},
	{"maps, uppercase type", &d_maps, "Hash:/a", "not a table reference", ""},
	{"maps, empty type", &d_maps, ":/a", "not a table reference", ""},
	{"maps, braces alone", &d_maps, "{hash:/a}", "not a table reference", ""},
	{"maps, a restriction name", &d_maps, "permit_mynetworks", "not a table reference", ""},
};

static int check_rows(const char *table, const struct check_row *rows, size_t n)
{
	int fails = 0;

	for (size_t i = 0; i < n; i++) {
		const struct check_row *r = &rows[i];
		char why[256] = "", fix[256] = "";
		int rc = sp_value_check(r->def, r->value, why, sizeof(why), fix, sizeof(fix));

		if (r->why == NULL) {
			ROW_CHECK(&fails, table, i, r->label, rc == 0, "rejected: %s; %s", why, fix);
		} else {
			ROW_CHECK(&fails, table, i, r->label, rc == -1, "accepted \"%s\"", r->value);
			ROW_CHECK(&fails, table, i, r->label, strstr(why, r->why) != NULL,
				  "why \"%s\", want \"%s\"", why, r->why);
			ROW_CHECK(&fails, table, i, r->label, strstr(fix, r->fix) != NULL && fix[0],
				  "fix \"%s\", want \"%s\"", fix, r->fix);
		}
	}
	return fails;
}

static void test_check_tables(void **state)
{
	int fails = 0;

	(void)state;
	fails += check_rows("check_ok", check_ok, NROWS(check_ok));
	fails += check_rows("check_bad", check_bad, NROWS(check_bad));
	sp_rows_done(fails, "check", NROWS(check_ok) + NROWS(check_bad));
}

/* why and fix are bounded by their lengths. */
static void test_check_small_buffers(void **state)
{
	char why[8], fix[8];

	(void)state;
	memset(why, 'Z', sizeof(why));
	memset(fix, 'Z', sizeof(fix));
	assert_int_equal(sp_value_check(&d_int, "1000", why, sizeof(why), fix, sizeof(fix)), -1);
	assert_int_equal(strlen(why), sizeof(why) - 1);
	assert_int_equal(strlen(fix), sizeof(fix) - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bool_tables),
		cmocka_unit_test(test_int_tables),
		cmocka_unit_test(test_time_tables),
		cmocka_unit_test(test_list_table),
		cmocka_unit_test(test_list_stops_early),
		cmocka_unit_test(test_check_tables),
		cmocka_unit_test(test_check_small_buffers),
	};

	return cmocka_run_group_tests_name("value", tests, NULL, NULL);
}
