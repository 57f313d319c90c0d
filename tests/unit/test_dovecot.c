/*
 * test_dovecot.c - Dovecot's auth protocol lines (auth/dovecot.h): the
 * handshake and reply lines an auth server sends, well-formed and
 * malformed (missing fields, bad numbers, bad base64, NUL, CR, overlong
 * fields, bad escapes), and the client's lines, refused when a value would
 * break the line. The oracle is Dovecot's auth protocol description
 * (doc.dovecot.org, "Authentication Protocol") and what Dovecot 2.3 sends
 * (tests/integration/test_sasl.py talks to the real one).
 */
#include "unit.h"

#include "auth/dovecot.h"

struct row {
	const char *label;
	const char *in;
	size_t len;
	int rc;
	enum sp_dv_kind kind;
	unsigned long id;
	const char *text;   /* MECH name, CONT data, OK/FAIL user */
	unsigned flags;     /* MECH flags */
	const char *reason;
	int temp;
};

#define L(s) s, sizeof(s) - 1
#define K(x) SP_DV_##x

static const struct row rows[] = {
	{"VERSION", L("VERSION\t1\t2"), 0, K(VERSION)},
	{"MECH PLAIN", L("MECH\tPLAIN\tplaintext"), 0, K(MECH), 0, "PLAIN", SP_DV_MECH_PLAINTEXT},
	{"MECH flags", L("MECH\tDIGEST-MD5\tdictionary\tactive\tmutual-auth"), 0, K(MECH), 0,
	 "DIGEST-MD5", SP_DV_MECH_DICTIONARY | SP_DV_MECH_ACTIVE | SP_DV_MECH_MUTUAL_AUTH},
	{"MECH private", L("MECH\tEXTERNAL\tprivate"), 0, K(MECH), 0, "EXTERNAL",
	 SP_DV_MECH_PRIVATE},
	{"MECH unknown flag", L("MECH\tLOGIN\tplaintext\tshiny"), 0, K(MECH), 0, "LOGIN",
	 SP_DV_MECH_PLAINTEXT},
	{"SPID", L("SPID\t1234"), 0, K(SPID)},
	{"CUID", L("CUID\t7"), 0, K(CUID)},
	{"COOKIE", L("COOKIE\t0123abcd"), 0, K(COOKIE)},
	{"DONE", L("DONE"), 0, K(DONE)},
	{"unknown line", L("NEWTHING\tx"), 0, K(IGNORED)},
	{"OK", L("OK\t1\tuser=alice"), 0, K(OK), 1, "alice"},
	{"OK with more", L("OK\t42\tuser=alice@example.com\tnopassword"), 0, K(OK), 42,
	 "alice@example.com"},
	{"OK without user", L("OK\t3"), 0, K(OK), 3, ""},
	{"CONT empty", L("CONT\t5\t"), 0, K(CONT), 5, ""},
	{"CONT no data field", L("CONT\t5"), 0, K(CONT), 5, ""},
	{"CONT Username:", L("CONT\t6\tVXNlcm5hbWU6"), 0, K(CONT), 6, "VXNlcm5hbWU6"},
	{"FAIL", L("FAIL\t7\tuser=bob"), 0, K(FAIL), 7, "bob"},
	{"FAIL reason", L("FAIL\t8\treason=Password expired\tuser=bob"), 0, K(FAIL), 8, "bob", 0,
	 "Password expired"},
	{"FAIL temp", L("FAIL\t9\ttemp"), 0, K(FAIL), 9, "", 0, "", 1},
	{"FAIL escaped reason", L("FAIL\t9\treason=a\001tb\001nc"), 0, K(FAIL), 9, "", 0, "a?b?c"},
	{"FAIL reason with control", L("FAIL\t9\treason=x\033y"), 0, K(FAIL), 9, "", 0, "x?y"},

	{"empty", L(""), -1},
	{"VERSION without minor", L("VERSION\t1"), -1},
	{"VERSION letters", L("VERSION\tone\t2"), -1},
	{"VERSION huge", L("VERSION\t99999999999\t2"), -1},
	{"MECH without name", L("MECH"), -1},
	{"MECH empty name", L("MECH\t"), -1},
	{"MECH lower case", L("MECH\tplain"), -1},
	{"MECH with space", L("MECH\tPL AIN"), -1},
	{"MECH name too long", L("MECH\tAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
	 -1},
	{"SPID without value", L("SPID"), -1},
	{"OK without id", L("OK"), -1},
	{"OK id letters", L("OK\tx\tuser=a"), -1},
	{"OK negative id", L("OK\t-1"), -1},
	{"OK bad escape", L("OK\t1\tuser=a\001x"), -1},
	{"OK escape at end", L("OK\t1\tuser=a\001"), -1},
	{"CONT bad base64", L("CONT\t1\tab!d"), -1},
	{"CONT base64 length", L("CONT\t1\tabc"), -1},
	{"CONT padding inside", L("CONT\t1\tab=cdefg"), -1},
	{"CONT three pads", L("CONT\t1\ta==="), -1},
	{"NUL", "OK\t1\0\tuser=a", 11, -1},
	{"CR", L("OK\t1\tuser=a\r"), -1},
	{"too many fields", L("OK\t1\ta\ta\ta\ta\ta\ta\ta\ta\ta\ta\ta\ta\ta\ta\ta\ta\ta\ta\ta\ta\ta\ta\ta\ta"
			      "\ta\ta\ta\ta\ta\ta\ta\ta\ta"), -1},
	{"user too long", L("OK\t1\tuser=" "0123456789012345678901234567890123456789012345678901234567890123"
			    "0123456789012345678901234567890123456789012345678901234567890123"
			    "0123456789012345678901234567890123456789012345678901234567890123"
			    "0123456789012345678901234567890123456789012345678901234567890123"), -1},
};

static void test_dovecot_parse(void **state)
{
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < NROWS(rows); i++) {
		const struct row *r = &rows[i];
		struct sp_dv_line o;
		int rc = sp_dv_parse(r->in, r->len, &o);
		int ok = rc == r->rc;
		if (ok && rc == 0) {
			const char *got = o.kind == SP_DV_MECH ? o.mech : o.kind == SP_DV_CONT ? o.data
					  : o.user;
			ok = o.kind == r->kind && o.id == r->id &&
			     (!r->text || strcmp(got, r->text) == 0) && o.mech_flags == r->flags &&
			     strcmp(o.reason, r->reason ? r->reason : "") == 0 && o.temp == r->temp;
		}
		ROW_CHECK(&fails, "rows", i, r->label, ok, "rc %d (want %d) kind %d id %lu mech %s "
			  "data %s user %s reason %s", rc, r->rc, o.kind, o.id, o.mech, o.data, o.user,
			  o.reason);
	}
	sp_rows_done(fails, "rows", NROWS(rows));
}

/* A line of the longest size is parsed; one byte more is refused. */
static void test_dovecot_line_max(void **state)
{
	static char line[SP_DV_LINE_MAX + 2];
	struct sp_dv_line o;

	(void)state;
	memcpy(line, "CONT\t1\t", 7);
	memset(line + 7, 'A', SP_DV_DATA_MAX);
	assert_int_equal(sp_dv_parse(line, 7 + SP_DV_DATA_MAX, &o), 0);
	assert_int_equal(strlen(o.data), SP_DV_DATA_MAX);
	memset(line + 7, 'A', SP_DV_DATA_MAX + 4);
	assert_int_equal(sp_dv_parse(line, 7 + SP_DV_DATA_MAX + 4, &o), -1);
	memset(line, 'A', sizeof(line));
	assert_int_equal(sp_dv_parse(line, sizeof(line), &o), -1);
}

static void test_dovecot_format(void **state)
{
	char buf[512];
	struct sp_dv_auth a = {1, "PLAIN", "smtp", "127.0.0.1", "192.0.2.7", 1, "AGFsaWNlAHB3"};

	(void)state;
	assert_int_equal(sp_dv_format_hello(buf, sizeof(buf), 77), 20);
	assert_string_equal(buf, "VERSION\t1\t2\nCPID\t77\n");
	assert_true(sp_dv_format_auth(buf, sizeof(buf), &a) > 0);
	assert_string_equal(buf, "AUTH\t1\tPLAIN\tservice=smtp\tnologin\tlip=127.0.0.1\t"
			    "rip=192.0.2.7\tsecured\tresp=AGFsaWNlAHB3\n");
	a.secured = 0;
	a.resp = NULL;
	assert_true(sp_dv_format_auth(buf, sizeof(buf), &a) > 0);
	assert_string_equal(buf, "AUTH\t1\tPLAIN\tservice=smtp\tnologin\tlip=127.0.0.1\t"
			    "rip=192.0.2.7\n");
	a.mech = "PLAIN\tresp=x";   /* a tab would add a field */
	assert_int_equal(sp_dv_format_auth(buf, sizeof(buf), &a), -1);
	a.mech = "PLAIN";
	a.resp = "not base64!";
	assert_int_equal(sp_dv_format_auth(buf, sizeof(buf), &a), -1);
	a.resp = NULL;
	a.remote_ip = "1.2.3.4\nAUTH";
	assert_int_equal(sp_dv_format_auth(buf, sizeof(buf), &a), -1);
	assert_int_equal(sp_dv_format_auth(buf, 20, &(struct sp_dv_auth){1, "PLAIN", "smtp", "a",
								    "b", 0, NULL}), -1);
	assert_true(sp_dv_format_cont(buf, sizeof(buf), 9, "") > 0);
	assert_string_equal(buf, "CONT\t9\t\n");
	assert_int_equal(sp_dv_format_cont(buf, sizeof(buf), 9, "a\tb"), -1);
	assert_int_equal(sp_dv_base64_valid("YWJj", 4), 1);
	assert_int_equal(sp_dv_base64_valid("YW==", 4), 1);
	assert_int_equal(sp_dv_base64_valid("Y===", 4), 0);
	assert_int_equal(sp_dv_base64_valid("YW=j", 4), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dovecot_parse),
		cmocka_unit_test(test_dovecot_line_max),
		cmocka_unit_test(test_dovecot_format),
	};

	return cmocka_run_group_tests_name("dovecot", tests, NULL, NULL);
}
