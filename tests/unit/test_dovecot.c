/*
 * test_dovecot.c - Dovecot's auth protocol lines (auth/dovecot.h): the
 * handshake and reply lines an auth server sends, well-formed and
 * malformed (missing fields, bad numbers, bad base64, NUL, CR, overlong
 * fields, bad escapes), and the client's lines, refused when a value would
 * break the line. The server side the same way: the client lines it
 * parses (VERSION, CPID, AUTH, CONT) against a larger table of malformed
 * ones, the lines it formats at every buffer size around the exact fit, and
 * both directions of the round trip through the other side's code. The oracle is Dovecot's auth protocol description
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
	{"LF inside", L("OK\t1\tuser=a\nOK\t2\tuser=root"), -1},
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

/* ---- the server side: the lines a client sends ---- */

struct srow {
	const char *label;
	const char *in;
	size_t len;
	int rc;
	enum sp_dvs_kind kind;
	unsigned long id;       /* AUTH, CONT; CPID: the pid; VERSION: major */
	unsigned long minor;    /* VERSION */
	const char *mech;
	const char *service, *lip, *rip;
	int secured, has_resp;
	const char *data;
	unsigned lport, rport;
	int nologin;
};

#define S(x) SP_DVS_##x
#define B64 "AGFsaWNlAHB3"
#define C64 "0123456789012345678901234567890123456789012345678901234567890123"

static const struct srow srows[] = {
	{"VERSION", L("VERSION\t1\t2"), 0, S(VERSION), 1, 2},
	{"VERSION 1.0", L("VERSION\t1\t0"), 0, S(VERSION), 1, 0},
	{"VERSION with more", L("VERSION\t1\t2\tx"), 0, S(VERSION), 1, 2},
	{"VERSION largest", L("VERSION\t4294967295\t4294967295"), 0, S(VERSION), 4294967295UL,
	 4294967295UL},
	{"CPID", L("CPID\t4321"), 0, S(CPID), 4321},
	{"AUTH as sp_dv_format_auth writes it",
	 L("AUTH\t1\tPLAIN\tservice=smtp\tnologin\tlip=127.0.0.1\trip=192.0.2.7\tsecured\tresp=" B64),
	 0, S(AUTH), 1, 0, "PLAIN", "smtp", "127.0.0.1", "192.0.2.7", 1, 1, B64, 0, 0, 1},
	{"AUTH as Dovecot's login processes write it",
	 L("AUTH\t9\tLOGIN\tservice=smtp\tsession=q4c7\tlip=::1\trip=2001:db8::7\tlport=587\t"
	   "rport=50123\tlocal_name=mx.example.com\tsecured=tls\tno-penalty"),
	 0, S(AUTH), 9, 0, "LOGIN", "smtp", "::1", "2001:db8::7", 1, 0, "", 587, 50123},
	{"AUTH only id and mech", L("AUTH\t4294967295\tLOGIN"), 0, S(AUTH), 4294967295UL, 0,
	 "LOGIN", "", "", ""},
	{"AUTH lower-case mech", L("AUTH\t2\tplain"), 0, S(AUTH), 2, 0, "plain", "", "", ""},
	{"AUTH mech with digits, - and _", L("AUTH\t2\tSCRAM-SHA-256_X"), 0, S(AUTH), 2, 0,
	 "SCRAM-SHA-256_X", "", "", ""},
	{"AUTH mech of 63 bytes", L("AUTH\t2\t" "ABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABC"),
	 0, S(AUTH), 2, 0, "ABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABC", "",
	 "", ""},
	{"AUTH empty resp=", L("AUTH\t3\tPLAIN\tresp="), 0, S(AUTH), 3, 0, "PLAIN", "", "", "", 0,
	 1, ""},
	{"AUTH padded resp=", L("AUTH\t3\tPLAIN\tresp=YQ=="), 0, S(AUTH), 3, 0, "PLAIN", "", "", "",
	 0, 1, "YQ=="},
	{"AUTH secured=", L("AUTH\t3\tPLAIN\tsecured="), 0, S(AUTH), 3, 0, "PLAIN", "", "", "", 1},
	{"AUTH secured=tls-verified", L("AUTH\t3\tPLAIN\tsecured=tls-verified"), 0, S(AUTH), 3, 0,
	 "PLAIN", "", "", "", 1},
	{"AUTH unknown flags and empty fields", L("AUTH\t3\tPLAIN\t\tfoo\tbar=\001x\tresp\tsecuredx\t"),
	 0, S(AUTH), 3, 0, "PLAIN", "", "", ""},
	{"AUTH escaped service", L("AUTH\t3\tPLAIN\tservice=sm\001ttp\0011"), 0, S(AUTH), 3, 0,
	 "PLAIN", "sm?tp?", "", ""},
	{"AUTH service of 63 bytes", L("AUTH\t3\tPLAIN\tservice=" "012345678901234567890123456789"
				       "012345678901234567890123456789012"),
	 0, S(AUTH), 3, 0, "PLAIN", "012345678901234567890123456789012345678901234567890123456789012",
	 "", ""},
	{"AUTH lip of 63 bytes", L("AUTH\t3\tPLAIN\tlip=" "012345678901234567890123456789"
				   "012345678901234567890123456789012"),
	 0, S(AUTH), 3, 0, "PLAIN", "", "012345678901234567890123456789012345678901234567890123456789012",
	 ""},
	{"AUTH ports 0 and 65535", L("AUTH\t3\tPLAIN\tlport=0\trport=65535"), 0, S(AUTH), 3, 0,
	 "PLAIN", "", "", "", 0, 0, "", 0, 65535},
	{"CONT", L("CONT\t6\t" B64), 0, S(CONT), 6, 0, NULL, NULL, NULL, NULL, 0, 0, B64},
	{"CONT empty", L("CONT\t6\t"), 0, S(CONT), 6, 0, NULL, NULL, NULL, NULL, 0, 0, ""},
	{"CONT with more", L("CONT\t6\t" B64 "\tx"), 0, S(CONT), 6, 0, NULL, NULL, NULL, NULL, 0, 0,
	 B64},
	{"unknown command", L("REQUEST\t1\t2\t3"), 0, S(IGNORED)},
	{"unknown with bad escape", L("FOO\ta\001x"), 0, S(IGNORED)},
	{"lower-case auth is unknown", L("auth\t1\tPLAIN"), 0, S(IGNORED)},
	{"command alone", L("UNKNOWN"), 0, S(IGNORED)},
	{"empty command name", L("\t"), 0, S(IGNORED)},

	{"empty", L(""), -1},
	{"VERSION alone", L("VERSION"), -1},
	{"VERSION without minor", L("VERSION\t1"), -1},
	{"VERSION empty minor", L("VERSION\t1\t"), -1},
	{"VERSION letters", L("VERSION\t1\tx"), -1},
	{"VERSION negative", L("VERSION\t-1\t2"), -1},
	{"VERSION plus", L("VERSION\t+1\t2"), -1},
	{"VERSION leading zero", L("VERSION\t01\t2"), -1},
	{"VERSION space", L("VERSION\t1\t 2"), -1},
	{"VERSION trailing space", L("VERSION\t1\t2 "), -1},
	{"VERSION 2^32", L("VERSION\t4294967296\t2"), -1},
	{"VERSION 11 digits", L("VERSION\t99999999999\t2"), -1},
	{"CPID alone", L("CPID"), -1},
	{"CPID empty", L("CPID\t"), -1},
	{"CPID 0", L("CPID\t0"), -1},
	{"CPID hex", L("CPID\t0x10"), -1},
	{"AUTH alone", L("AUTH"), -1},
	{"AUTH without mech", L("AUTH\t1"), -1},
	{"AUTH empty mech", L("AUTH\t1\t"), -1},
	{"AUTH empty id", L("AUTH\t\tPLAIN"), -1},
	{"AUTH id 0", L("AUTH\t0\tPLAIN"), -1},
	{"AUTH id leading zero", L("AUTH\t01\tPLAIN"), -1},
	{"AUTH id plus", L("AUTH\t+1\tPLAIN"), -1},
	{"AUTH id minus", L("AUTH\t-1\tPLAIN"), -1},
	{"AUTH id 2^32", L("AUTH\t4294967296\tPLAIN"), -1},
	{"AUTH id 10 digits over", L("AUTH\t9999999999\tPLAIN"), -1},
	{"AUTH id letters after", L("AUTH\t1x\tPLAIN"), -1},
	{"AUTH id space", L("AUTH\t 1\tPLAIN"), -1},
	{"AUTH mech with space", L("AUTH\t1\tPL AIN"), -1},
	{"AUTH mech with !", L("AUTH\t1\tPLAIN!"), -1},
	{"AUTH mech escaped", L("AUTH\t1\tPL\001tAIN"), -1},
	{"AUTH mech 8-bit", L("AUTH\t1\tPL\xc3\xa4IN"), -1},
	{"AUTH mech of 64 bytes", L("AUTH\t2\t" "ABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABCD"),
	 -1},
	{"AUTH resp bad character", L("AUTH\t1\tPLAIN\tresp=ab!d"), -1},
	{"AUTH resp bad length", L("AUTH\t1\tPLAIN\tresp=abc"), -1},
	{"AUTH resp three pads", L("AUTH\t1\tPLAIN\tresp=a==="), -1},
	{"AUTH resp padding inside", L("AUTH\t1\tPLAIN\tresp=AG==AHB3"), -1},
	{"AUTH resp with space", L("AUTH\t1\tPLAIN\tresp=AGFs aWNl"), -1},
	{"AUTH resp escaped", L("AUTH\t1\tPLAIN\tresp=AGF\001tsaWN"), -1},
	{"AUTH resp twice", L("AUTH\t1\tPLAIN\tresp=\tresp=" B64), -1},
	{"AUTH service twice", L("AUTH\t1\tPLAIN\tservice=smtp\tservice=imap"), -1},
	{"AUTH rip twice", L("AUTH\t1\tPLAIN\trip=1.2.3.4\trip=5.6.7.8"), -1},
	{"AUTH service of 64 bytes", L("AUTH\t3\tPLAIN\tservice=" "012345678901234567890123456789"
				       "0123456789012345678901234567890123"), -1},
	{"AUTH service bad escape", L("AUTH\t3\tPLAIN\tservice=sm\001xtp"), -1},
	{"AUTH service escape at end", L("AUTH\t3\tPLAIN\tservice=smtp\001"), -1},
	{"AUTH lip of 64 bytes", L("AUTH\t3\tPLAIN\tlip=" "012345678901234567890123456789"
				   "0123456789012345678901234567890123"), -1},
	{"AUTH lip with space", L("AUTH\t3\tPLAIN\tlip=1.2.3.4 x"), -1},
	{"AUTH rip escaped", L("AUTH\t3\tPLAIN\trip=1.2.3.4\001t5"), -1},
	{"AUTH rip control byte", L("AUTH\t3\tPLAIN\trip=1.2.3.4\033"), -1},
	{"AUTH rip 8-bit", L("AUTH\t3\tPLAIN\trip=1.2.3.\xff"), -1},
	{"AUTH lport 65536", L("AUTH\t3\tPLAIN\tlport=65536"), -1},
	{"AUTH lport empty", L("AUTH\t3\tPLAIN\tlport="), -1},
	{"AUTH rport negative", L("AUTH\t3\tPLAIN\trport=-1"), -1},
	{"AUTH rport leading zero", L("AUTH\t3\tPLAIN\trport=025"), -1},
	{"AUTH rport name", L("AUTH\t3\tPLAIN\trport=smtp"), -1},
	{"CONT alone", L("CONT"), -1},
	{"CONT without data", L("CONT\t5"), -1},
	{"CONT id 0", L("CONT\t0\t" B64), -1},
	{"CONT id letters", L("CONT\tx\t" B64), -1},
	{"CONT id 2^32", L("CONT\t4294967296\t" B64), -1},
	{"CONT bad base64", L("CONT\t1\tab!d"), -1},
	{"CONT base64 length", L("CONT\t1\tabc"), -1},
	{"CONT padding inside", L("CONT\t1\tab=cdefg"), -1},
	{"CONT base64 with tab escape", L("CONT\t1\tAA\001tA"), -1},
	{"NUL in AUTH", "AUTH\t1\tPLAIN\0\tresp=", 19, -1},
	{"NUL in CONT data", "CONT\t1\tAA\0A", 11, -1},
	{"NUL in unknown command", "FOO\0", 4, -1},
	{"CR at the end", L("CONT\t1\t" B64 "\r"), -1},
	{"CR in a value", L("AUTH\t1\tPLAIN\tservice=sm\rtp"), -1},
	{"LF inside", L("AUTH\t1\tPLAIN\nCONT\t1\t"), -1},
	{"33 fields", L("AUTH\t1\tPLAIN\ta\ta\ta\ta\ta\ta\ta\ta\ta\ta\ta\ta\ta\ta\ta\ta\ta\ta\ta\ta\ta"
			"\ta\ta\ta\ta\ta\ta\ta\ta\ta"), -1},
};

static int srow_ok(const struct srow *r, const struct sp_dvs_line *o)
{
	if (o->kind != r->kind)
		return 0;
	switch (o->kind) {
	case SP_DVS_VERSION:
		return o->major == r->id && o->minor == r->minor;
	case SP_DVS_CPID:
		return o->pid == r->id;
	case SP_DVS_CONT:
		return o->id == r->id && sp_streq(o->data, r->data);
	case SP_DVS_AUTH:
		return o->id == r->id && sp_streq(o->mech, r->mech) &&
		       sp_streq(o->service, r->service) && sp_streq(o->lip, r->lip) &&
		       sp_streq(o->rip, r->rip) && o->secured == r->secured &&
		       o->has_resp == r->has_resp && sp_streq(o->data, r->data ? r->data : "") &&
		       o->lport == r->lport && o->rport == r->rport && o->nologin == r->nologin;
	case SP_DVS_IGNORED:
		return 1;
	}
	return 0;
}

static void test_dovecot_server_parse(void **state)
{
	static struct sp_dvs_line o;
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < NROWS(srows); i++) {
		const struct srow *r = &srows[i];
		int rc = sp_dvs_parse(r->in, r->len, &o);
		ROW_CHECK(&fails, "srows", i, r->label, rc == r->rc && (rc != 0 || srow_ok(r, &o)),
			  "rc %d (want %d) kind %d id %lu pid %lu version %u.%u mech %s service %s "
			  "lip %s rip %s ports %u %u secured %d nologin %d resp %d data %s", rc, r->rc,
			  o.kind, o.id, o.pid, o.major, o.minor, sp_shows(o.mech),
			  sp_shows(o.service), sp_shows(o.lip), sp_shows(o.rip), o.lport, o.rport,
			  o.secured, o.nologin, o.has_resp, sp_shows(o.data));
	}
	sp_rows_done(fails, "srows", NROWS(srows));
}

/* The longest line parses, one byte more does not; so for resp= data. */
static void test_dovecot_server_line_max(void **state)
{
	static struct sp_dvs_line o;
	static const char head[] = "AUTH\t1\tPLAIN\tx=\tresp=";
	size_t len;
	char *line;

	(void)state;
	/* resp= of SP_DV_DATA_MAX, an unknown parameter filling up to the limit */
	line = sp_big("AUTH\t1\tPLAIN\tx=", SP_DV_LINE_MAX - (sizeof(head) - 1) - SP_DV_DATA_MAX,
		      'x', "", &len);
	line = realloc(line, SP_DV_LINE_MAX + 2);
	assert_non_null(line);
	memcpy(line + len, "\tresp=", 6);
	memset(line + len + 6, 'A', SP_DV_DATA_MAX);
	len += 6 + SP_DV_DATA_MAX;
	assert_int_equal(len, SP_DV_LINE_MAX);
	assert_int_equal(sp_dvs_parse(line, len, &o), 0);
	assert_int_equal(o.kind, SP_DVS_AUTH);
	assert_int_equal(o.has_resp, 1);
	assert_int_equal(strlen(o.data), SP_DV_DATA_MAX);
	line[len] = 'A';
	assert_int_equal(sp_dvs_parse(line, len + 1, &o), -1);
	free(line);

	/* resp= and CONT data one base64 quantum over SP_DV_DATA_MAX */
	line = sp_big("AUTH\t1\tPLAIN\tresp=", SP_DV_DATA_MAX + 4, 'A', "", &len);
	assert_int_equal(sp_dvs_parse(line, len, &o), -1);
	assert_int_equal(sp_dvs_parse(line, len - 4, &o), 0);
	free(line);
	line = sp_big("CONT\t7\t", SP_DV_DATA_MAX + 4, 'A', "", &len);
	assert_int_equal(sp_dvs_parse(line, len, &o), -1);
	assert_int_equal(sp_dvs_parse(line, len - 4, &o), 0);
	assert_int_equal(o.kind, SP_DVS_CONT);
	assert_int_equal(strlen(o.data), SP_DV_DATA_MAX);
	free(line);

	/* an unknown command over the limit is still refused */
	line = sp_big("FOO\t", SP_DV_LINE_MAX, 'x', "", &len);
	assert_int_equal(sp_dvs_parse(line, len, &o), -1);
	assert_int_equal(sp_dvs_parse(line, SP_DV_LINE_MAX, &o), 0);
	assert_int_equal(o.kind, SP_DVS_IGNORED);
	free(line);
}

/* ---- the server side: the lines it sends ---- */

static const char *const mechs2[] = {"PLAIN", "LOGIN", NULL};
#define COOKIE "0123456789abcdef0123456789ABCDEF"

/* Every buffer size below the line's length + 1 gives -1 and "", the exact
 * size gives the line. */
#define FIT_CHECK(call_with_len, want)                                              \
	do {                                                                        \
		size_t wl_ = strlen(want);                                          \
		for (size_t bl_ = 0; bl_ <= wl_ + 1; bl_++) {                       \
			size_t len = bl_;                                           \
			memset(buf, 'Z', sizeof(buf));                              \
			int n_ = (call_with_len);                                   \
			if (bl_ <= wl_) {                                           \
				assert_int_equal(n_, -1);                           \
				if (bl_ > 0)                                        \
					assert_int_equal(buf[0], 0);                \
				assert_int_equal(buf[bl_], 'Z');                    \
			} else {                                                    \
				assert_int_equal(n_, (int)wl_);                     \
				assert_string_equal(buf, want);                     \
			}                                                           \
		}                                                                   \
	} while (0)

static void test_dovecot_server_format(void **state)
{
	char buf[1024];
	const char *const none[] = {NULL};
	const char *const lower[] = {"plain", NULL};
	const char *const tab[] = {"PLAIN\tx", NULL};
	const char *const empty[] = {"", NULL};
	const char *const long64[] = {
		"ABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABCD", NULL};
	char user255[256], user256[257], reason511[512], reason512[513];

	(void)state;
	FIT_CHECK(sp_dvs_format_handshake(buf, len, mechs2, 42, 7, COOKIE),
		  "VERSION\t1\t2\nMECH\tPLAIN\tplaintext\nMECH\tLOGIN\tplaintext\nSPID\t42\n"
		  "CUID\t7\nCOOKIE\t" COOKIE "\nDONE\n");
	FIT_CHECK(sp_dvs_format_handshake(buf, len, none, 1, 2, COOKIE),
		  "VERSION\t1\t2\nSPID\t1\nCUID\t2\nCOOKIE\t" COOKIE "\nDONE\n");
	FIT_CHECK(sp_dvs_format_ok(buf, len, 4294967295UL, "alice@example.com"),
		  "OK\t4294967295\tuser=alice@example.com\n");
	FIT_CHECK(sp_dvs_format_cont(buf, len, 3, "VXNlcm5hbWU6"), "CONT\t3\tVXNlcm5hbWU6\n");
	FIT_CHECK(sp_dvs_format_cont(buf, len, 3, ""), "CONT\t3\t\n");
	FIT_CHECK(sp_dvs_format_fail(buf, len, 5, "bob", "Password\texpired\r\n\001", 1),
		  "FAIL\t5\tuser=bob\treason=Password\001texpired\001r\001n\0011\ttemp\n");
	FIT_CHECK(sp_dvs_format_fail(buf, len, 5, NULL, NULL, 0), "FAIL\t5\n");
	FIT_CHECK(sp_dvs_format_fail(buf, len, 5, "", "", 0), "FAIL\t5\tuser=\treason=\n");

	/* unsafe or out-of-range values are refused whatever the room */
	memset(user255, 'u', 255);
	user255[255] = 0;
	memset(user256, 'u', 256);
	user256[256] = 0;
	memset(reason511, 'r', 511);
	reason511[511] = 0;
	memset(reason512, 'r', 512);
	reason512[512] = 0;
	assert_int_equal(sp_dvs_format_handshake(buf, sizeof(buf), mechs2, 1, 1, NULL), -1);
	assert_int_equal(sp_dvs_format_handshake(buf, sizeof(buf), mechs2, 1, 1,
						 "0123456789abcdef0123456789abcde"), -1);
	assert_int_equal(sp_dvs_format_handshake(buf, sizeof(buf), mechs2, 1, 1, COOKIE "0"), -1);
	assert_int_equal(sp_dvs_format_handshake(buf, sizeof(buf), mechs2, 1, 1,
						 "0123456789abcdef0123456789abcdeg"), -1);
	assert_int_equal(sp_dvs_format_handshake(buf, sizeof(buf), mechs2, 1, 1,
						 "0123456789abcdef\t123456789abcdef"), -1);
	assert_int_equal(buf[0], 0);
	assert_int_equal(sp_dvs_format_handshake(buf, sizeof(buf), lower, 1, 1, COOKIE), -1);
	assert_int_equal(sp_dvs_format_handshake(buf, sizeof(buf), tab, 1, 1, COOKIE), -1);
	assert_int_equal(sp_dvs_format_handshake(buf, sizeof(buf), empty, 1, 1, COOKIE), -1);
	assert_int_equal(sp_dvs_format_handshake(buf, sizeof(buf), long64, 1, 1, COOKIE), -1);
	assert_true(sp_dvs_format_handshake(buf, sizeof(buf), long64 + 1, 1, 1, COOKIE) > 0);
	assert_int_equal(sp_dvs_format_ok(buf, sizeof(buf), 0, "alice"), -1);
	assert_int_equal(sp_dvs_format_ok(buf, sizeof(buf), 4294967296UL, "alice"), -1);
	assert_int_equal(sp_dvs_format_ok(buf, sizeof(buf), 1, NULL), -1);
	assert_int_equal(sp_dvs_format_ok(buf, sizeof(buf), 1, ""), -1);
	assert_int_equal(sp_dvs_format_ok(buf, sizeof(buf), 1, "al\tice"), -1);
	assert_int_equal(sp_dvs_format_ok(buf, sizeof(buf), 1, "alice\nOK\t2\tuser=bob"), -1);
	assert_int_equal(sp_dvs_format_ok(buf, sizeof(buf), 1, "alice\r"), -1);
	assert_int_equal(sp_dvs_format_ok(buf, sizeof(buf), 1, "al\001tice"), -1);
	assert_int_equal(sp_dvs_format_ok(buf, sizeof(buf), 1, "alice\177"), -1);
	assert_int_equal(sp_dvs_format_ok(buf, sizeof(buf), 1, user256), -1);
	assert_true(sp_dvs_format_ok(buf, sizeof(buf), 1, user255) > 0);
	assert_int_equal(sp_dvs_format_cont(buf, sizeof(buf), 1, NULL), -1);
	assert_int_equal(sp_dvs_format_cont(buf, sizeof(buf), 0, ""), -1);
	assert_int_equal(sp_dvs_format_cont(buf, sizeof(buf), 1, "abc"), -1);
	assert_int_equal(sp_dvs_format_cont(buf, sizeof(buf), 1, "ab\tc"), -1);
	assert_int_equal(sp_dvs_format_cont(buf, sizeof(buf), 1, "YWJj\n"), -1);
	assert_int_equal(sp_dvs_format_fail(buf, sizeof(buf), 0, NULL, NULL, 0), -1);
	assert_int_equal(sp_dvs_format_fail(buf, sizeof(buf), 1, "a\tb", NULL, 0), -1);
	assert_int_equal(sp_dvs_format_fail(buf, sizeof(buf), 1, user256, NULL, 0), -1);
	assert_int_equal(sp_dvs_format_fail(buf, sizeof(buf), 1, NULL, reason512, 0), -1);
	assert_true(sp_dvs_format_fail(buf, sizeof(buf), 1, user255, reason511, 1) > 0);
}

/* The longest CONT fits SP_DV_LINE_MAX and parses on the client side. */
static void test_dovecot_server_format_max(void **state)
{
	static char buf[SP_DV_LINE_MAX + 2];
	static struct sp_dv_line o;
	size_t len;
	char *b64 = sp_big("", SP_DV_DATA_MAX, 'A', "", &len);
	int n;

	(void)state;
	n = sp_dvs_format_cont(buf, sizeof(buf), 4294967295UL, b64);
	assert_int_equal(n, 16 + SP_DV_DATA_MAX + 1);
	assert_int_equal(sp_dv_parse(buf, (size_t)n - 1, &o), 0);
	assert_int_equal(o.kind, SP_DV_CONT);
	assert_string_equal(o.data, b64);
	free(b64);
	b64 = sp_big("", SP_DV_DATA_MAX + 4, 'A', "", &len);
	assert_int_equal(sp_dvs_format_cont(buf, sizeof(buf), 1, b64), -1);
	free(b64);
}

/* Splits the server's text at LF and parses each line with the client
 * side; returns the number of lines. */
static int client_lines(const char *text, struct sp_dv_line *o, int max)
{
	int n = 0;

	for (const char *p = text; *p; n++) {
		const char *nl = strchr(p, '\n');
		assert_non_null(nl);
		assert_true(n < max);
		assert_int_equal(sp_dv_parse(p, (size_t)(nl - p), &o[n]), 0);
		p = nl + 1;
	}
	return n;
}

struct okrow {
	const char *label;
	int kind;               /* SP_DV_OK, SP_DV_CONT, SP_DV_FAIL */
	unsigned long id;
	const char *user;       /* OK, FAIL (NULL: left out) */
	const char *reason;     /* FAIL */
	int temp;
	const char *b64;        /* CONT */
	const char *want_reason;   /* as the client side shows it */
};

static const struct okrow okrows[] = {
	{"OK", SP_DV_OK, 1, "alice"},
	{"OK largest id", SP_DV_OK, 4294967295UL, "alice@example.com"},
	{"OK user with spaces and 8-bit", SP_DV_OK, 2, "J\xc3\xb6rg M\xc3\xbcller"},
	{"OK user with = and @", SP_DV_OK, 2, "a=b@c"},
	{"CONT Username:", SP_DV_CONT, 3, NULL, NULL, 0, "VXNlcm5hbWU6"},
	{"CONT empty", SP_DV_CONT, 3, NULL, NULL, 0, ""},
	{"CONT padded", SP_DV_CONT, 3, NULL, NULL, 0, "YQ=="},
	{"FAIL bare", SP_DV_FAIL, 4},
	{"FAIL user", SP_DV_FAIL, 4, "bob"},
	{"FAIL temp", SP_DV_FAIL, 4, NULL, NULL, 1},
	{"FAIL reason", SP_DV_FAIL, 4, "bob", "Password expired", 0, NULL, "Password expired"},
	{"FAIL reason escaped", SP_DV_FAIL, 4, NULL, "a\tb\nc\rd\001e", 1, NULL, "a?b?c?d?e"},
	{"FAIL reason like a field", SP_DV_FAIL, 4, NULL, "x\ttemp\tuser=root", 0, NULL,
	 "x?temp?user=root"},
	{"FAIL reason with escape text", SP_DV_FAIL, 4, NULL, "\0011t", 0, NULL, "?1t"},
};

/* What the server formats, the client side parses to the same values. */
static void test_dovecot_server_to_client(void **state)
{
	static struct sp_dv_line o[8];
	char buf[1024];
	int fails = 0;

	(void)state;
	assert_true(sp_dvs_format_handshake(buf, sizeof(buf), mechs2, 42, 7, COOKIE) > 0);
	assert_int_equal(client_lines(buf, o, 8), 7);
	assert_int_equal(o[0].kind, SP_DV_VERSION);
	assert_int_equal(o[0].major, 1);
	assert_int_equal(o[0].minor, 2);
	assert_int_equal(o[1].kind, SP_DV_MECH);
	assert_string_equal(o[1].mech, "PLAIN");
	assert_int_equal(o[1].mech_flags, SP_DV_MECH_PLAINTEXT);
	assert_int_equal(o[2].kind, SP_DV_MECH);
	assert_string_equal(o[2].mech, "LOGIN");
	assert_int_equal(o[2].mech_flags, SP_DV_MECH_PLAINTEXT);
	assert_int_equal(o[3].kind, SP_DV_SPID);
	assert_int_equal(o[4].kind, SP_DV_CUID);
	assert_int_equal(o[5].kind, SP_DV_COOKIE);
	assert_int_equal(o[6].kind, SP_DV_DONE);

	for (size_t i = 0; i < NROWS(okrows); i++) {
		const struct okrow *r = &okrows[i];
		int n = r->kind == SP_DV_OK ? sp_dvs_format_ok(buf, sizeof(buf), r->id, r->user)
			: r->kind == SP_DV_CONT ? sp_dvs_format_cont(buf, sizeof(buf), r->id, r->b64)
			: sp_dvs_format_fail(buf, sizeof(buf), r->id, r->user, r->reason, r->temp);
		int ok = n > 0 && (size_t)n == strlen(buf) && buf[n - 1] == '\n' &&
			 memchr(buf, '\n', (size_t)n - 1) == NULL &&
			 sp_dv_parse(buf, (size_t)n - 1, &o[0]) == 0;
		ok = ok && (int)o[0].kind == r->kind && o[0].id == r->id &&
		     sp_streq(o[0].user, r->user ? r->user : "") &&
		     sp_streq(o[0].reason, r->want_reason ? r->want_reason : "") &&
		     o[0].temp == r->temp && sp_streq(o[0].data, r->b64 ? r->b64 : "");
		ROW_CHECK(&fails, "okrows", i, r->label, ok, "n %d line %s: kind %d id %lu user %s "
			  "reason %s temp %d data %s", n, sp_shows(buf), o[0].kind, o[0].id,
			  sp_shows(o[0].user), sp_shows(o[0].reason), o[0].temp, o[0].data);
	}
	sp_rows_done(fails, "okrows", NROWS(okrows));
}

struct authrow {
	const char *label;
	struct sp_dv_auth a;
};

static const struct authrow authrows[] = {
	{"PLAIN with resp", {1, "PLAIN", "smtp", "127.0.0.1", "192.0.2.7", 1, B64}},
	{"LOGIN without resp", {2, "LOGIN", "smtp", "::1", "2001:db8::1", 0, NULL}},
	{"empty resp", {3, "PLAIN", "submission", "10.0.0.1", "10.0.0.2", 0, ""}},
	{"largest id", {4294967295UL, "PLAIN", "smtp", "a", "b", 1, "YQ=="}},
	{"empty addresses", {5, "PLAIN", "smtp", "", "", 0, NULL}},
};

/* What the client side formats, the server side parses to the same values. */
static void test_dovecot_client_to_server(void **state)
{
	static struct sp_dvs_line o;
	char buf[1024];
	int fails = 0, n;

	(void)state;
	n = sp_dv_format_hello(buf, sizeof(buf), 4242);
	assert_int_equal(n, 22);
	assert_int_equal(sp_dvs_parse(buf, 11, &o), 0);   /* "VERSION\t1\t2" */
	assert_int_equal(o.kind, SP_DVS_VERSION);
	assert_int_equal(o.major, 1);
	assert_int_equal(o.minor, 2);
	assert_int_equal(sp_dvs_parse(buf + 12, (size_t)n - 13, &o), 0);
	assert_int_equal(o.kind, SP_DVS_CPID);
	assert_int_equal(o.pid, 4242);

	for (size_t i = 0; i < NROWS(authrows); i++) {
		const struct sp_dv_auth *a = &authrows[i].a;
		int ok;
		n = sp_dv_format_auth(buf, sizeof(buf), a);
		ok = n > 0 && sp_dvs_parse(buf, (size_t)n - 1, &o) == 0 && o.kind == SP_DVS_AUTH &&
		     o.id == a->id && sp_streq(o.mech, a->mech) && sp_streq(o.service, a->service) &&
		     sp_streq(o.lip, a->local_ip) && sp_streq(o.rip, a->remote_ip) &&
		     o.secured == a->secured && o.has_resp == (a->resp != NULL) &&
		     sp_streq(o.data, a->resp ? a->resp : "") && o.nologin == 1;
		ROW_CHECK(&fails, "authrows", i, authrows[i].label, ok, "n %d line %s", n,
			  sp_shows(buf));
		n = sp_dv_format_cont(buf, sizeof(buf), a->id, a->resp ? a->resp : "");
		ok = n > 0 && sp_dvs_parse(buf, (size_t)n - 1, &o) == 0 && o.kind == SP_DVS_CONT &&
		     o.id == a->id && sp_streq(o.data, a->resp ? a->resp : "");
		ROW_CHECK(&fails, "authrows", i, authrows[i].label, ok, "CONT n %d line %s", n,
			  sp_shows(buf));
	}
	sp_rows_done(fails, "authrows", NROWS(authrows));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dovecot_parse),
		cmocka_unit_test(test_dovecot_line_max),
		cmocka_unit_test(test_dovecot_format),
		cmocka_unit_test(test_dovecot_server_parse),
		cmocka_unit_test(test_dovecot_server_line_max),
		cmocka_unit_test(test_dovecot_server_format),
		cmocka_unit_test(test_dovecot_server_format_max),
		cmocka_unit_test(test_dovecot_server_to_client),
		cmocka_unit_test(test_dovecot_client_to_server),
	};

	return cmocka_run_group_tests_name("dovecot", tests, NULL, NULL);
}
