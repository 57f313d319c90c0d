/*
 * test_mastercf.c - the master.cf reader (config/mastercf.h): the eight
 * fields and their checks, {} grouping, -o overrides in all three forms,
 * the end of option processing, and sp_services_find.
 *
 * Oracle: postconf 3.7.11 (-c DIR -Mf and -P). Where sallyport rejects what
 * postconf lets through ("-o" at the end, "-o name" without '=', a stray
 * '}', wakeup "?"), the header's contract and the brief decide; the row says
 * what postconf does.
 */
#include "unit.h"

#include "config/mastercf.h"

#define IN(s) s, sizeof(s) - 1

static const char *const FILE_NAME = "/etc/sallyport/master.cf";

/* A service flattened for comparison: args joined with '|', overrides as
 * name=value joined with '|'. */
struct svc_want {
	const char *name, *type;
	char priv, unpriv, chroot;
	const char *wakeup, *maxproc, *command;
	const char *args;
	const char *overrides;
	int line;
};

struct mf_row {
	const char *label;
	const char *in;
	size_t len;
	size_t nservices;
	struct svc_want want;   /* the first service (if any) */
	/* invalid rows */
	size_t errors;
	int err_line;
	const char *err_field;  /* the diagnostic's param (NULL: none; "*": any) */
	const char *err;        /* substring of what */
};

static void join_args(const struct sp_service *s, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = 0;
	for (size_t i = 0; i < s->nargs && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? "|" : "", s->args[i]);
}

static void join_overrides(const struct sp_service *s, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = 0;
	for (size_t i = 0; i < s->overrides.n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s=%s", i ? "|" : "",
					s->overrides.v[i].name, s->overrides.v[i].value);
}

static int mf_run(const char *table, size_t i, const struct mf_row *r)
{
	struct sp_services s = {0};
	struct sp_diags d = {0};
	size_t nerr = sp_mastercf_parse(r->in, r->len, FILE_NAME, &s, &d);
	int fails = 0;

	ROW_CHECK(&fails, table, i, r->label, nerr == r->errors && d.errors == r->errors,
		  "%zu errors (first: %s), want %zu", nerr, d.n ? d.v[0].what : "none", r->errors);
	ROW_CHECK(&fails, table, i, r->label, s.n == r->nservices, "%zu services, want %zu", s.n,
		  r->nservices);
	if (s.n > 0 && r->want.name) {
		const struct sp_service *v = &s.v[0];
		const struct svc_want *w = &r->want;
		char args[512], over[512];

		join_args(v, args, sizeof(args));
		join_overrides(v, over, sizeof(over));
		ROW_CHECK(&fails, table, i, r->label,
			  sp_streq(v->name, w->name) && sp_streq(v->type, w->type) &&
				  v->priv == w->priv && v->unpriv == w->unpriv &&
				  v->chroot == w->chroot && sp_streq(v->wakeup, w->wakeup) &&
				  sp_streq(v->maxproc, w->maxproc) && sp_streq(v->command, w->command),
			  "fields %s %s %c %c %c %s %s %s", v->name, v->type, v->priv, v->unpriv,
			  v->chroot, v->wakeup, v->maxproc, v->command);
		ROW_CHECK(&fails, table, i, r->label, strcmp(args, w->args) == 0,
			  "args \"%s\", want \"%s\"", sp_shows(args), sp_shows(w->args));
		ROW_CHECK(&fails, table, i, r->label, strcmp(over, w->overrides) == 0,
			  "overrides \"%s\", want \"%s\"", sp_shows(over), sp_shows(w->overrides));
		ROW_CHECK(&fails, table, i, r->label, v->line == w->line && v->file == FILE_NAME,
			  "line %d, want %d", v->line, w->line);
		for (size_t k = 0; k < v->overrides.n; k++)
			ROW_CHECK(&fails, table, i, r->label,
				  v->overrides.v[k].line == v->line &&
					  v->overrides.v[k].file == FILE_NAME,
				  "override %zu has line %d", k, v->overrides.v[k].line);
	}
	if (r->errors) {
		ROW_CHECK(&fails, table, i, r->label, d.n >= 1, "no diagnostic");
		if (d.n >= 1) {
			ROW_CHECK(&fails, table, i, r->label,
				  d.v[0].sev == SP_ERROR && d.v[0].line == r->err_line &&
					  sp_streq(d.v[0].file, FILE_NAME),
				  "diagnostic at line %d, want %d", d.v[0].line, r->err_line);
			ROW_CHECK(&fails, table, i, r->label,
				  sp_streq(r->err_field, "*") || sp_streq(d.v[0].param, r->err_field),
				  "diagnostic field %s, want %s", sp_shows(d.v[0].param),
				  sp_shows(r->err_field));
			ROW_CHECK(&fails, table, i, r->label, sp_has(d.v[0].what, r->err),
				  "diagnostic \"%s\", want one containing \"%s\"",
				  sp_shows(d.v[0].what), r->err);
		}
	} else {
		ROW_CHECK(&fails, table, i, r->label, d.n == 0, "%zu diagnostics (first: %s)", d.n,
			  d.n ? d.v[0].what : "");
	}
	sp_services_free(&s);
	sp_diags_free(&d);
	return fails;
}

#define SMTPD(args, over) {"smtp", "inet", 'n', '-', 'y', "-", "-", "smtpd", args, over, 1}

static const struct mf_row mf_valid[] = {
	{"plain smtpd", IN("smtp inet n - y - - smtpd\n"), 1, SMTPD("", "")},
	{"no final newline", IN("smtp inet n - y - - smtpd"), 1, SMTPD("", "")},
	{"CRLF", IN("smtp inet n - y - - smtpd\r\n"), 1, SMTPD("", "")},
	{"tabs between fields", IN("smtp\tinet\tn\t-\ty\t-\t-\tsmtpd\n"), 1, SMTPD("", "")},
	{"-o name=value on continuation lines",
	 IN("smtp inet n - y - - smtpd\n  -o syslog_name=postfix/submission\n"
	    "  -o smtpd_tls_security_level=encrypt\n"), 1,
	 SMTPD("", "syslog_name=postfix/submission|smtpd_tls_security_level=encrypt")},
	{"comment between -o lines (postconf agrees)",
	 IN("smtp inet n - y - - smtpd\n  -o a=b\n#c\n  -o c=d\n"), 1, SMTPD("", "a=b|c=d")},
	{"-o { a = b c } gives \"b c\" (postconf: a = b c)",
	 IN("smtp inet n - y - - smtpd -o { a = b c }\n"), 1, SMTPD("", "a=b c")},
	{"-oname=value (postconf: name = value)", IN("smtp inet n - y - - smtpd -oname=value\n"), 1,
	 SMTPD("", "name=value")},
	{"-o{a=b}", IN("smtp inet n - y - - smtpd -o{a=b}\n"), 1, SMTPD("", "a=b")},
	{"-o a=b", IN("smtp inet n - y - - smtpd -o a=b\n"), 1, SMTPD("", "a=b")},
	{"-o with an empty value (postconf: a =)", IN("smtp inet n - y - - smtpd -o a=\n"), 1,
	 SMTPD("", "a=")},
	{"-o value kept raw", IN("smtp inet n - y - - smtpd -o a=$b,${c}\n"), 1,
	 SMTPD("", "a=$b,${c}")},
	{"-o value with inner braces (postconf: a = {x y})",
	 IN("smtp inet n - y - - smtpd -o { a = {x y} }\n"), 1, SMTPD("", "a={x y}")},
	{"-o braces spread over continuation lines",
	 IN("smtp inet n - y - - smtpd\n  -o { a =\n    b c }\n"), 1, SMTPD("", "a=b c")},
	{"{ arg with spaces } (postconf: arg with spaces)",
	 IN("smtp inet n - y - - smtpd { arg with spaces } -v\n"), 1,
	 SMTPD("arg with spaces|-v", "")},
	{"other options stay arguments (postconf: smtpd -v, -o a=b)",
	 IN("smtp inet n - y - - smtpd -v -o a=b\n"), 1, SMTPD("-v", "a=b")},
	{"bundled flags and -o (postconf splits -vo into -v -o)",
	 IN("smtp inet n - y - - smtpd -vo a=b -o c=d\n"), 1, SMTPD("-v", "a=b|c=d")},
	{"value-taking daemon option before -o", IN("smtp inet n - y - - smtpd -t unix -o a=b\n"), 1,
	 SMTPD("-t|unix", "a=b")},
	{"wakeup ? alone (postconf accepts it)", IN("smtp inet n - y ? - smtpd\n"), 1,
	 {"smtp", "inet", 'n', '-', 'y', "?", "-", "smtpd", "", "", 1}},
	{"pipe with ${recipient}",
	 IN("maildrop unix - n n - - pipe\n  flags=DRXhu user=vmail argv=/usr/bin/maildrop -d ${recipient}\n"),
	 1, {"maildrop", "unix", '-', 'n', 'n', "-", "-", "pipe",
	     "flags=DRXhu|user=vmail|argv=/usr/bin/maildrop|-d|${recipient}", "", 1}},
	{"all dashes", IN("smtp inet - - - - - smtpd\n"), 1,
	 {"smtp", "inet", '-', '-', '-', "-", "-", "smtpd", "", "", 1}},
	{"y and n flags", IN("smtp inet y n y - - smtpd\n"), 1,
	 {"smtp", "inet", 'y', 'n', 'y', "-", "-", "smtpd", "", "", 1}},
	{"wakeup digits", IN("pickup unix n - y 60 1 pickup\n"), 1,
	 {"pickup", "unix", 'n', '-', 'y', "60", "1", "pickup", "", "", 1}},
	{"wakeup with ? (postconf: 10?)", IN("qmgr unix n - n 300? 1 qmgr\n"), 1,
	 {"qmgr", "unix", 'n', '-', 'n', "300?", "1", "qmgr", "", "", 1}},
	{"wakeup 0 (postconf: 0)", IN("x unix n - n 0 1 x\n"), 1,
	 {"x", "unix", 'n', '-', 'n', "0", "1", "x", "", "", 1}},
	{"wakeup -? (postconf: -?)", IN("x unix n - n -? 1 x\n"), 1,
	 {"x", "unix", 'n', '-', 'n', "-?", "1", "x", "", "", 1}},
	{"maxproc 0 (postconf: 0)", IN("x unix n - n - 0 x\n"), 1,
	 {"x", "unix", 'n', '-', 'n', "-", "0", "x", "", "", 1}},
	{"maxproc 100", IN("x unix n - n - 100 x\n"), 1,
	 {"x", "unix", 'n', '-', 'n', "-", "100", "x", "", "", 1}},
	{"unix-dgram", IN("postlog unix-dgram n - n - 1 postlogd\n"), 1,
	 {"postlog", "unix-dgram", 'n', '-', 'n', "-", "1", "postlogd", "", "", 1}},
	{"fifo", IN("pickup fifo n - n 60 1 pickup\n"), 1,
	 {"pickup", "fifo", 'n', '-', 'n', "60", "1", "pickup", "", "", 1}},
	{"pass", IN("smtpd pass - - n - - smtpd\n"), 1,
	 {"smtpd", "pass", '-', '-', 'n', "-", "-", "smtpd", "", "", 1}},
	{"host:port service", IN("127.0.0.1:10025 inet n - n - - smtpd\n"), 1,
	 {"127.0.0.1:10025", "inet", 'n', '-', 'n', "-", "-", "smtpd", "", "", 1}},
	{"command '-' (postconf accepts)", IN("x inet n - n - - -\n"), 1,
	 {"x", "inet", 'n', '-', 'n', "-", "-", "-", "", "", 1}},
	{"line number after comments", IN("# c\n\n# d\nsmtp inet n - y - - smtpd\n"), 1,
	 {"smtp", "inet", 'n', '-', 'y', "-", "-", "smtpd", "", "", 4}},
	{"two services", IN("smtp inet n - y - - smtpd\n\nsubmission inet n - y - - smtpd\n"), 2,
	 SMTPD("", "")},
	{"empty file", IN(""), 0, {NULL}},
	{"only comments", IN("# a\n  # b\n\n"), 0, {NULL}},
};

static const struct mf_row mf_invalid[] = {
	{"7 fields (postconf: bad field count)", IN("smtp inet n - y - smtpd\n"), 0, {NULL},
	 1, 1, NULL, "field(s) in"},
	{"one field", IN("smtp\n"), 0, {NULL}, 1, 1, NULL, "field(s) in"},
	{"7 fields, trailing blanks", IN("smtp inet n - y - -   \n"), 0, {NULL},
	 1, 1, NULL, "field(s) in"},
	{"bad type (postconf: invalid type field)", IN("smtp tcp n - y - - smtpd\n"), 0, {NULL},
	 1, 1, "type", "unknown type"},
	{"type is case-sensitive (postconf: invalid)", IN("smtp INET n - y - - smtpd\n"), 0, {NULL},
	 1, 1, "type", "unknown type"},
	{"braced type (postconf: invalid)", IN("smtp {inet} n - y - - smtpd\n"), 0, {NULL},
	 1, 1, "type", "unknown type"},
	{"private x (postconf: invalid private field)", IN("smtp inet x - y - - smtpd\n"), 0, {NULL},
	 1, 1, "private", "y, n or -"},
	{"private N (postconf: invalid)", IN("smtp inet N - y - - smtpd\n"), 0, {NULL},
	 1, 1, "private", "y, n or -"},
	{"private yes", IN("smtp inet yes - y - - smtpd\n"), 0, {NULL}, 1, 1, "private", "y, n or -"},
	{"unpriv x", IN("smtp inet n x y - - smtpd\n"), 0, {NULL}, 1, 1, "unpriv", "y, n or -"},
	{"unpriv --", IN("smtp inet n -- y - - smtpd\n"), 0, {NULL}, 1, 1, "unpriv", "y, n or -"},
	{"chroot yes (postconf: invalid chroot field)", IN("smtp inet n - yes - - smtpd\n"), 0,
	 {NULL}, 1, 1, "chroot", "y, n or -"},
	{"chroot 1", IN("smtp inet n - 1 - - smtpd\n"), 0, {NULL}, 1, 1, "chroot", "y, n or -"},
	{"wakeup 10x (postconf: invalid wakeup field)", IN("smtp inet n - y 10x - smtpd\n"), 0,
	 {NULL}, 1, 1, "wakeup", "bad wakeup time"},
	{"-- then -o (postconf: arguments; a daemon may apply them)",
	 IN("smtp inet n - y - - smtpd -o a=b -- -o c=d\n"), 0, {NULL}, 1, 1, "-o", "-o after the argument"},
	{"a non-option argument then -o", IN("smtp inet n - y - - smtpd x -o a=b\n"), 0, {NULL},
	 1, 1, "-o", "-o after the argument"},
	{"unknown daemon option", IN("smtp inet n - y - - smtpd -q\n"), 0, {NULL},
	 1, 1, "command", "unknown daemon option"},
	{"wakeup ?10 (postconf: invalid)", IN("smtp inet n - y ?10 - smtpd\n"), 0, {NULL},
	 1, 1, "wakeup", "bad wakeup time"},
	{"wakeup 10?? (postconf: invalid)", IN("smtp inet n - y 10?? - smtpd\n"), 0, {NULL},
	 1, 1, "wakeup", "bad wakeup time"},
	{"wakeup -1", IN("smtp inet n - y -1 - smtpd\n"), 0, {NULL}, 1, 1, "wakeup", "bad wakeup time"},
	{"wakeup 1h", IN("smtp inet n - y 1h - smtpd\n"), 0, {NULL}, 1, 1, "wakeup", "bad wakeup time"},
	{"maxproc 1a (postconf: invalid process_limit)", IN("smtp inet n - y - 1a smtpd\n"), 0,
	 {NULL}, 1, 1, "maxproc", "bad process limit"},
	{"maxproc -1 (postconf: invalid)", IN("smtp inet n - y - -1 smtpd\n"), 0, {NULL},
	 1, 1, "maxproc", "bad process limit"},
	{"maxproc + (postconf: invalid)", IN("smtp inet n - y - + smtpd\n"), 0, {NULL},
	 1, 1, "maxproc", "bad process limit"},
	{"maxproc 1.5", IN("smtp inet n - y - 1.5 smtpd\n"), 0, {NULL},
	 1, 1, "maxproc", "bad process limit"},
	{"-o at the end (postconf keeps it as an argument)", IN("smtp inet n - y - - smtpd -o\n"),
	 0, {NULL}, 1, 1, "-o", "needs a value"},
	{"-o at the end after an override", IN("smtp inet n - y - - smtpd -o a=b\n  -o\n"), 0,
	 {NULL}, 1, 1, "-o", "needs a value"},
	{"-o name without '=' (postconf ignores it)", IN("smtp inet n - y - - smtpd -o name\n"), 0,
	 {NULL}, 1, 1, "-o", "bad override"},
	{"-oname without '='", IN("smtp inet n - y - - smtpd -oname\n"), 0, {NULL},
	 1, 1, "-o", "bad override"},
	{"-o =value (postconf keeps it)", IN("smtp inet n - y - - smtpd -o =x\n"), 0, {NULL},
	 1, 1, "-o", "bad override"},
	{"-o bad name", IN("smtp inet n - y - - smtpd -o bad-name=x\n"), 0, {NULL},
	 1, 1, "-o", "bad override"},
	{"-o { a } without '='", IN("smtp inet n - y - - smtpd -o { a }\n"), 0, {NULL},
	 1, 1, "-o", "bad override"},
	{"-o {} empty", IN("smtp inet n - y - - smtpd -o {}\n"), 0, {NULL},
	 1, 1, "-o", "bad override"},
	{"-o {a=b}x (postconf: syntax error after '}')", IN("smtp inet n - y - - smtpd -o {a=b}x\n"),
	 0, {NULL}, 1, 1, "-o", "bad override"},
	/* field not checked: the code names it "-o" although it is an argument */
	{"{a}b argument (postconf: syntax error after '}')", IN("smtp inet n - y - - smtpd {a}b\n"),
	 0, {NULL}, 1, 1, "*", "text after '}'"},
	{"missing '}' (postconf: missing '}')", IN("smtp inet n - y - - smtpd { arg\n"), 0, {NULL},
	 1, 1, NULL, "missing '}'"},
	{"missing '}' in -o", IN("smtp inet n - y - - smtpd -o { a = b\n"), 0, {NULL},
	 1, 1, NULL, "missing '}'"},
	{"stray '}' (postconf keeps it as an argument)", IN("smtp inet n - y - - smtpd arg }\n"), 0,
	 {NULL}, 1, 1, NULL, "unbalanced '}'"},
	{"stray '}' in a field", IN("smtp inet n - y - } smtpd\n"), 0, {NULL},
	 1, 1, NULL, "unbalanced '}'"},
	{"continuation with no preceding line (postconf: must not start with whitespace)",
	 IN(" smtp inet n - y - - smtpd\n"), 0, {NULL}, 1, 1, NULL, "continues nothing"},
	{"NUL byte", IN("smtp inet n - y - - smt\0pd\n"), 0, {NULL}, 1, 1, NULL, "NUL"},
	{"bad line between good ones",
	 IN("smtp inet n - y - - smtpd\nbad inet\nx unix - - n - - x\n"), 2, SMTPD("", ""),
	 1, 2, NULL, "field(s) in"},
	{"bad continued line is reported at its first line",
	 IN("smtp inet n - y - - smtpd\nsub inet n - y - - smtpd\n  -o\n"), 1, SMTPD("", ""),
	 1, 2, "-o", "needs a value"},
};

static void test_mastercf_valid_table(void **state)
{
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < NROWS(mf_valid); i++)
		fails += mf_run("mf_valid", i, &mf_valid[i]);
	sp_rows_done(fails, "mf_valid", NROWS(mf_valid));
}

static void test_mastercf_invalid_table(void **state)
{
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < NROWS(mf_invalid); i++)
		fails += mf_run("mf_invalid", i, &mf_invalid[i]);
	sp_rows_done(fails, "mf_invalid", NROWS(mf_invalid));
}

static void test_mastercf_long_line(void **state)
{
	struct sp_services s = {0};
	struct sp_diags d = {0};
	size_t len;
	char *data = sp_big("smtp inet n - y - - smtpd -o a=", 5000000, 'x',
			    "\nsub inet n - y - - smtpd\n", &len);

	(void)state;
	assert_int_equal(sp_mastercf_parse(data, len, FILE_NAME, &s, &d), 1);
	assert_true(sp_has(d.v[0].what, "4 MiB"));
	assert_int_equal(s.n, 1);
	assert_string_equal(s.v[0].name, "sub");
	assert_int_equal(s.v[0].line, 2);
	sp_services_free(&s);
	sp_diags_free(&d);
	free(data);

	data = sp_big("smtp inet n - y - - smtpd -o a=", 1000000, 'x', "\n", &len);
	assert_int_equal(sp_mastercf_parse(data, len, FILE_NAME, &s, &d), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(strlen(s.v[0].overrides.v[0].value), 1000000);
	sp_services_free(&s);
	sp_diags_free(&d);
	free(data);
}

static void test_services_find(void **state)
{
	static const char cf[] =
		"smtp inet n - y - - smtpd\n"
		"smtp unix - - y - - smtp\n"
		"submission inet n - y - - smtpd\n"
		"relay unix - - y - - smtp\n";
	struct sp_services s = {0};
	struct sp_diags d = {0};
	const struct sp_service *v;

	(void)state;
	assert_int_equal(sp_mastercf_parse(BYTES(cf), FILE_NAME, &s, &d), 0);
	assert_int_equal(s.n, 4);
	assert_null(sp_services_find(&s, "smtp"));          /* ambiguous */
	v = sp_services_find(&s, "smtp/inet");
	assert_non_null(v);
	assert_string_equal(v->command, "smtpd");
	v = sp_services_find(&s, "smtp/unix");
	assert_non_null(v);
	assert_string_equal(v->command, "smtp");
	v = sp_services_find(&s, "submission");
	assert_non_null(v);
	assert_int_equal(v->line, 3);
	assert_ptr_equal(sp_services_find(&s, "submission/inet"), v);
	assert_null(sp_services_find(&s, "submission/unix"));
	assert_null(sp_services_find(&s, "submissio"));
	assert_null(sp_services_find(&s, "submissions"));
	assert_null(sp_services_find(&s, "smtp/"));
	assert_null(sp_services_find(&s, "nosuch"));
	assert_null(sp_services_find(&s, ""));
	sp_services_free(&s);
	assert_int_equal(s.n, 0);
	sp_diags_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mastercf_valid_table),
		cmocka_unit_test(test_mastercf_invalid_table),
		cmocka_unit_test(test_mastercf_long_line),
		cmocka_unit_test(test_services_find),
	};

	return cmocka_run_group_tests_name("mastercf", tests, NULL, NULL);
}
