/*
 * test_command.c - SMTP command lines (smtp/command.h): every verb in upper,
 * lower and mixed case with and without an argument, white space around
 * and inside, the MAIL FROM: / RCPT TO: keyword variants, and a table of
 * malformed lines (control bytes, DEL, NUL, 8-bit with SMTPUTF8 off,
 * malformed UTF-8 with it on) with their exact error and verb.
 *
 * The oracle is command.h and Postfix smtpd: leading white space tolerated,
 * no space between FROM/TO and the colon, a space after the colon kept in
 * the argument for the path parser to judge.
 */
#include "unit.h"

#include "smtp/command.h"

#include <ctype.h>

#define IN(s) s, sizeof(s) - 1

#define V(x) SP_VERB_##x
#define E(x) SP_CMD_E_##x

struct ok_row {
	const char *label;
	const char *in;
	size_t len;
	int utf8;
	enum sp_verb verb;
	const char *arg;     /* the expected argument */
};

static const struct ok_row ok_rows[] = {
	/* each verb with its usual argument */
	{"HELO", IN("HELO client.example"), 0, V(HELO), "client.example"},
	{"EHLO", IN("EHLO client.example"), 0, V(EHLO), "client.example"},
	{"EHLO address literal", IN("EHLO [192.0.2.1]"), 0, V(EHLO), "[192.0.2.1]"},
	{"MAIL", IN("MAIL FROM:<a@b.example>"), 0, V(MAIL), "<a@b.example>"},
	{"MAIL with parameters", IN("MAIL FROM:<a@b.example> SIZE=10 BODY=8BITMIME"), 0, V(MAIL),
	 "<a@b.example> SIZE=10 BODY=8BITMIME"},
	{"RCPT", IN("RCPT TO:<a@b.example>"), 0, V(RCPT), "<a@b.example>"},
	{"RCPT with parameters", IN("RCPT TO:<a@b.example> NOTIFY=NEVER"), 0, V(RCPT),
	 "<a@b.example> NOTIFY=NEVER"},
	{"DATA", IN("DATA"), 0, V(DATA), ""},
	{"BDAT", IN("BDAT 100 LAST"), 0, V(BDAT), "100 LAST"},
	{"RSET", IN("RSET"), 0, V(RSET), ""},
	{"NOOP", IN("NOOP"), 0, V(NOOP), ""},
	{"NOOP with argument", IN("NOOP anything at all"), 0, V(NOOP), "anything at all"},
	{"QUIT", IN("QUIT"), 0, V(QUIT), ""},
	{"QUIT with argument (Postfix ignores it)", IN("QUIT now"), 0, V(QUIT), "now"},
	{"HELP", IN("HELP"), 0, V(HELP), ""},
	{"HELP with topic", IN("HELP MAIL"), 0, V(HELP), "MAIL"},
	{"VRFY", IN("VRFY postmaster"), 0, V(VRFY), "postmaster"},
	{"EXPN", IN("EXPN list"), 0, V(EXPN), "list"},
	{"STARTTLS", IN("STARTTLS"), 0, V(STARTTLS), ""},
	{"AUTH", IN("AUTH PLAIN AGFsaWNlAHNlY3JldA=="), 0, V(AUTH), "PLAIN AGFsaWNlAHNlY3JldA=="},
	{"ETRN", IN("ETRN example.com"), 0, V(ETRN), "example.com"},
	{"XCLIENT", IN("XCLIENT ADDR=192.0.2.1"), 0, V(XCLIENT), "ADDR=192.0.2.1"},
	/* case */
	{"lower case ehlo", IN("ehlo x"), 0, V(EHLO), "x"},
	{"mixed case StartTls", IN("StartTls"), 0, V(STARTTLS), ""},
	{"lower case quit", IN("quit"), 0, V(QUIT), ""},
	{"mail from:<>", IN("mail from:<>"), 0, V(MAIL), "<>"},
	{"Mail From:<a>", IN("Mail From:<a>"), 0, V(MAIL), "<a>"},
	{"rcpt to:<a>", IN("rcpt to:<a>"), 0, V(RCPT), "<a>"},
	{"RCPT To:<a>", IN("RCPT tO:<a>"), 0, V(RCPT), "<a>"},
	/* white space */
	{"leading space", IN(" QUIT"), 0, V(QUIT), ""},
	{"leading tab", IN("\tQUIT"), 0, V(QUIT), ""},
	{"trailing space", IN("QUIT "), 0, V(QUIT), ""},
	{"trailing spaces and tabs", IN("DATA \t \t"), 0, V(DATA), ""},
	{"two spaces before the argument", IN("EHLO  x"), 0, V(EHLO), "x"},
	{"tab before the argument", IN("EHLO\tx"), 0, V(EHLO), "x"},
	{"trailing space after the argument", IN("EHLO x  "), 0, V(EHLO), "x"},
	{"inner spaces kept", IN("HELP a  b"), 0, V(HELP), "a  b"},
	{"inner tab kept", IN("NOOP a\tb"), 0, V(NOOP), "a\tb"},
	{"surrounded", IN("  \t HELO x \t "), 0, V(HELO), "x"},
	/* MAIL FROM: / RCPT TO: variants */
	{"MAIL FROM: <a> (space after the colon kept)", IN("MAIL FROM: <a>"), 0, V(MAIL), " <a>"},
	{"MAIL  FROM:<a> (two spaces after the verb)", IN("MAIL  FROM:<a>"), 0, V(MAIL), "<a>"},
	{"MAIL\\tFROM:<a>", IN("MAIL\tFROM:<a>"), 0, V(MAIL), "<a>"},
	{"MAIL FROM:<a> with trailing space", IN("MAIL FROM:<a>  "), 0, V(MAIL), "<a>"},
	{"MAIL FROM:a (bare)", IN("MAIL FROM:a@b"), 0, V(MAIL), "a@b"},
	{"MAIL FROM: (nothing after the colon)", IN("MAIL FROM:"), 0, V(MAIL), ""},
	{"MAIL FROM:   (spaces after the colon)", IN("MAIL FROM:   "), 0, V(MAIL), ""},
	{"RCPT TO: <a>", IN("RCPT TO: <a>"), 0, V(RCPT), " <a>"},
	{"RCPT TO:<postmaster>", IN("RCPT TO:<postmaster>"), 0, V(RCPT), "<postmaster>"},
	/* 8-bit, SMTPUTF8 on */
	{"UTF-8 argument", IN("EHLO bücher.example"), 1, V(EHLO), "bücher.example"},
	{"UTF-8 path", IN("MAIL FROM:<josé@example.com> SMTPUTF8"), 1, V(MAIL),
	 "<josé@example.com> SMTPUTF8"},
	{"four-byte UTF-8", IN("RCPT TO:<\xf0\x9f\x98\x80@x>"), 1, V(RCPT), "<\xf0\x9f\x98\x80@x>"},
	{"U+10FFFF", IN("NOOP \xf4\x8f\xbf\xbf"), 1, V(NOOP), "\xf4\x8f\xbf\xbf"},
	{"U+D7FF (below surrogates)", IN("NOOP \xed\x9f\xbf"), 1, V(NOOP), "\xed\x9f\xbf"},
	{"U+E000 (above surrogates)", IN("NOOP \xee\x80\x80"), 1, V(NOOP), "\xee\x80\x80"},
	{"U+0080 (smallest two-byte)", IN("NOOP \xc2\x80"), 1, V(NOOP), "\xc2\x80"},
	{"ASCII with utf8 on", IN("QUIT"), 1, V(QUIT), ""},
	{"space and tab ok", IN("VRFY a b\tc"), 0, V(VRFY), "a b\tc"},
	{"printable ASCII edge", IN("NOOP !~"), 0, V(NOOP), "!~"},
};

static void test_command_valid_table(void **state)
{
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < NROWS(ok_rows); i++) {
		const struct ok_row *r = &ok_rows[i];
		struct sp_cmd c;
		enum sp_cmd_err e = sp_cmd_parse(r->in, r->len, r->utf8, &c);

		ROW_CHECK(&fails, "ok_rows", i, r->label, e == SP_CMD_OK, "error %d", e);
		if (e != SP_CMD_OK)
			continue;
		ROW_CHECK(&fails, "ok_rows", i, r->label, c.verb == r->verb, "verb %s, want %s",
			  sp_verb_name(c.verb), sp_verb_name(r->verb));
		ROW_CHECK(&fails, "ok_rows", i, r->label,
			  c.arg >= r->in && c.arg + c.arglen <= r->in + r->len,
			  "argument outside the line");
		ROW_CHECK(&fails, "ok_rows", i, r->label,
			  c.arglen == strlen(r->arg) && memcmp(c.arg, r->arg, c.arglen) == 0,
			  "argument \"%s\", want \"%s\"", sp_show(c.arg, c.arglen), sp_shows(r->arg));
	}
	sp_rows_done(fails, "ok_rows", NROWS(ok_rows));
}

struct bad_row {
	const char *label;
	const char *in;
	size_t len;
	int utf8;
	enum sp_cmd_err want;
	enum sp_verb verb;     /* for SYNTAX; UNKNOWN otherwise */
};

static const struct bad_row bad_rows[] = {
	/* empty */
	{"empty", IN(""), 0, E(EMPTY)},
	{"space", IN(" "), 0, E(EMPTY)},
	{"spaces and tabs", IN(" \t \t"), 1, E(EMPTY)},
	/* unknown */
	{"unknown verb", IN("FOO bar"), 0, E(UNKNOWN)},
	{"verb prefix", IN("HEL x"), 0, E(UNKNOWN)},
	{"verb with a suffix", IN("HELOX x"), 0, E(UNKNOWN)},
	{"verb glued to the keyword", IN("MAILFROM:<a>"), 0, E(UNKNOWN)},
	{"verb glued to the argument", IN("EHLO:x"), 0, E(UNKNOWN)},
	{"HTTP", IN("GET / HTTP/1.0"), 0, E(UNKNOWN)},
	{"HTTP POST", IN("POST / HTTP/1.1"), 0, E(UNKNOWN)},
	{"the UNKNOWN name", IN("UNKNOWN"), 0, E(UNKNOWN)},
	{"8-bit verb with utf8", IN("EHL\xc3\x96 x"), 1, E(UNKNOWN)},
	{"STARTTLS misspelt", IN("STARTLS"), 0, E(UNKNOWN)},
	/* argument shape */
	{"HELO without argument", IN("HELO"), 0, E(SYNTAX), V(HELO)},
	{"EHLO with only spaces", IN("EHLO   "), 0, E(SYNTAX), V(EHLO)},
	{"MAIL without argument", IN("MAIL"), 0, E(SYNTAX), V(MAIL)},
	{"RCPT without argument", IN("RCPT"), 0, E(SYNTAX), V(RCPT)},
	{"BDAT without argument", IN("BDAT"), 0, E(SYNTAX), V(BDAT)},
	{"VRFY without argument", IN("VRFY"), 0, E(SYNTAX), V(VRFY)},
	{"EXPN without argument", IN("EXPN"), 0, E(SYNTAX), V(EXPN)},
	{"AUTH without argument", IN("AUTH"), 0, E(SYNTAX), V(AUTH)},
	{"ETRN without argument", IN("ETRN"), 0, E(SYNTAX), V(ETRN)},
	{"XCLIENT without argument", IN("XCLIENT"), 0, E(SYNTAX), V(XCLIENT)},
	{"DATA with argument", IN("DATA x"), 0, E(SYNTAX), V(DATA)},
	{"RSET with argument", IN("RSET x"), 0, E(SYNTAX), V(RSET)},
	{"STARTTLS with argument", IN("STARTTLS x"), 0, E(SYNTAX), V(STARTTLS)},
	{"data with argument, lower case", IN("data\tx"), 0, E(SYNTAX), V(DATA)},
	/* MAIL / RCPT keyword */
	{"MAIL TO:<a>", IN("MAIL TO:<a>"), 0, E(SYNTAX), V(MAIL)},
	{"MAIL FROM<a> (no colon)", IN("MAIL FROM<a>"), 0, E(SYNTAX), V(MAIL)},
	{"MAIL FROM :<a> (space before the colon)", IN("MAIL FROM :<a>"), 0, E(SYNTAX), V(MAIL)},
	{"MAIL FROM (keyword only)", IN("MAIL FROM"), 0, E(SYNTAX), V(MAIL)},
	{"MAIL FRO:<a>", IN("MAIL FRO:<a>"), 0, E(SYNTAX), V(MAIL)},
	{"MAIL <a>", IN("MAIL <a>"), 0, E(SYNTAX), V(MAIL)},
	{"MAIL FROM;<a>", IN("MAIL FROM;<a>"), 0, E(SYNTAX), V(MAIL)},
	{"RCPT FROM:<a>", IN("RCPT FROM:<a>"), 0, E(SYNTAX), V(RCPT)},
	{"RCPT TO<a>", IN("RCPT TO<a>"), 0, E(SYNTAX), V(RCPT)},
	{"RCPT T:<a>", IN("RCPT T:<a>"), 0, E(SYNTAX), V(RCPT)},
	{"RCPT TO :<a>", IN("RCPT TO :<a>"), 0, E(SYNTAX), V(RCPT)},
	/* control bytes */
	{"NUL alone", IN("\0"), 0, E(CONTROL)},
	{"NUL in the argument", IN("EHLO a\0b"), 0, E(CONTROL)},
	{"NUL at the end", IN("QUIT\0"), 0, E(CONTROL)},
	{"NUL in the verb", IN("QU\0IT"), 0, E(CONTROL)},
	{"NUL in a path", IN("MAIL FROM:<a\0@b>"), 1, E(CONTROL)},
	{"SOH", IN("NOOP \x01"), 0, E(CONTROL)},
	{"ESC", IN("HELO \x1b[1m"), 0, E(CONTROL)},
	{"US", IN("HELO a\x1f"), 0, E(CONTROL)},
	{"CR", IN("QUIT\r"), 0, E(CONTROL)},
	{"LF", IN("QUIT\n"), 0, E(CONTROL)},
	{"CRLF", IN("QUIT\r\n"), 0, E(CONTROL)},
	{"VT", IN("EHLO\vx"), 0, E(CONTROL)},
	{"FF", IN("EHLO\fx"), 0, E(CONTROL)},
	{"control in trailing white space", IN("QUIT \x0b"), 0, E(CONTROL)},
	{"DEL", IN("EHLO a\x7f"), 0, E(CONTROL)},
	{"DEL alone", IN("\x7f"), 0, E(CONTROL)},
	{"DEL with utf8", IN("NOOP \x7f"), 1, E(CONTROL)},
	{"control before 8-bit", IN("NOOP \x01\xc3\xa9"), 0, E(CONTROL)},
	{"control after 8-bit", IN("NOOP \xc3\xa9\x01"), 0, E(CONTROL)},
	{"control after bad UTF-8", IN("NOOP \xff\x01"), 1, E(CONTROL)},
	/* 8-bit, SMTPUTF8 off */
	{"UTF-8 without utf8", IN("EHLO bücher.example"), 0, E(8BIT)},
	{"0x80 without utf8", IN("NOOP \x80"), 0, E(8BIT)},
	{"0xff without utf8", IN("NOOP \xff"), 0, E(8BIT)},
	{"8-bit verb without utf8", IN("\xc3\x89HLO x"), 0, E(8BIT)},
	{"UTF-8 path without utf8", IN("MAIL FROM:<josé@x>"), 0, E(8BIT)},
	{"8-bit in trailing space position", IN("QUIT \xa0"), 0, E(8BIT)},
	/* malformed UTF-8, SMTPUTF8 on */
	{"0xff", IN("NOOP \xff"), 1, E(UTF8)},
	{"0xfe", IN("NOOP \xfe"), 1, E(UTF8)},
	{"lone continuation", IN("NOOP a\x80" "b"), 1, E(UTF8)},
	{"overlong '/' (C0 AF)", IN("NOOP \xc0\xaf"), 1, E(UTF8)},
	{"overlong NUL (C0 80)", IN("NOOP \xc0\x80"), 1, E(UTF8)},
	{"overlong C1 (C1 BF)", IN("NOOP \xc1\xbf"), 1, E(UTF8)},
	{"overlong three-byte (E0 80 AF)", IN("NOOP \xe0\x80\xaf"), 1, E(UTF8)},
	{"overlong three-byte (E0 9F BF)", IN("NOOP \xe0\x9f\xbf"), 1, E(UTF8)},
	{"overlong four-byte (F0 80 80 AF)", IN("NOOP \xf0\x80\x80\xaf"), 1, E(UTF8)},
	{"overlong four-byte (F0 8F BF BF)", IN("NOOP \xf0\x8f\xbf\xbf"), 1, E(UTF8)},
	{"high surrogate (ED A0 80)", IN("NOOP \xed\xa0\x80"), 1, E(UTF8)},
	{"low surrogate (ED BF BF)", IN("NOOP \xed\xbf\xbf"), 1, E(UTF8)},
	{"surrogate pair in CESU-8", IN("NOOP \xed\xa0\xbd\xed\xb8\x80"), 1, E(UTF8)},
	{"above U+10FFFF (F4 90 80 80)", IN("NOOP \xf4\x90\x80\x80"), 1, E(UTF8)},
	{"F5 lead byte", IN("NOOP \xf5\x80\x80\x80"), 1, E(UTF8)},
	{"five-byte form", IN("NOOP \xf8\x88\x80\x80\x80"), 1, E(UTF8)},
	{"truncated two-byte at the end", IN("NOOP \xc3"), 1, E(UTF8)},
	{"truncated three-byte at the end", IN("NOOP \xe2\x82"), 1, E(UTF8)},
	{"truncated four-byte at the end", IN("NOOP \xf0\x9f\x98"), 1, E(UTF8)},
	{"truncated two-byte then ASCII", IN("NOOP \xc3" "a"), 1, E(UTF8)},
	{"truncated three-byte then space", IN("EHLO \xe2\x82 x"), 1, E(UTF8)},
	{"truncated in a path", IN("MAIL FROM:<\xc3@x>"), 1, E(UTF8)},
	{"bad UTF-8 in the verb", IN("QUIT\xff"), 1, E(UTF8)},
};

static void test_command_invalid_table(void **state)
{
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < NROWS(bad_rows); i++) {
		const struct bad_row *r = &bad_rows[i];
		struct sp_cmd c;
		enum sp_cmd_err e = sp_cmd_parse(r->in, r->len, r->utf8, &c);

		ROW_CHECK(&fails, "bad_rows", i, r->label, e == r->want, "\"%s\": error %d, want %d",
			  sp_show(r->in, r->len), e, r->want);
		ROW_CHECK(&fails, "bad_rows", i, r->label, c.verb == r->verb, "verb %s, want %s",
			  sp_verb_name(c.verb), sp_verb_name(r->verb));
		ROW_CHECK(&fails, "bad_rows", i, r->label,
			  c.arg >= r->in && c.arg + c.arglen <= r->in + r->len,
			  "argument outside the line");
	}
	sp_rows_done(fails, "bad_rows", NROWS(bad_rows));
}

/* Every verb, in upper, lower and alternating case, with and without an
 * argument: accepted exactly when its argument rule allows, the name round
 * trips through sp_verb_name. */
static void test_command_every_verb(void **state)
{
	int fails = 0;
	size_t row = 0;

	(void)state;
	for (int v = SP_VERB_UNKNOWN + 1; v < SP_VERB_COUNT; v++) {
		const char *name = sp_verb_name((enum sp_verb)v);
		int need = v == V(HELO) || v == V(EHLO) || v == V(MAIL) || v == V(RCPT) ||
			   v == V(BDAT) || v == V(VRFY) || v == V(EXPN) || v == V(AUTH) ||
			   v == V(ETRN) || v == V(XCLIENT);
		int none = v == V(DATA) || v == V(RSET) || v == V(STARTTLS);
		const char *arg = v == V(MAIL) ? "FROM:<a@b>" : v == V(RCPT) ? "TO:<a@b>" : "x";
		const char *want_arg = v == V(MAIL) || v == V(RCPT) ? "<a@b>" : "x";

		for (int cs = 0; cs < 3; cs++) {
			char line[64];
			size_t n = strlen(name);
			struct sp_cmd c;
			enum sp_cmd_err e;

			for (size_t k = 0; k < n; k++)
				line[k] = (char)(cs == 0 ? name[k]
						 : cs == 1 ? tolower((unsigned char)name[k])
						 : (k & 1) ? tolower((unsigned char)name[k]) : name[k]);
			line[n] = 0;
			/* without argument */
			e = sp_cmd_parse(line, n, 0, &c);
			ROW_CHECK(&fails, "verbs", row, line,
				  need ? e == SP_CMD_E_SYNTAX : e == SP_CMD_OK, "bare: error %d", e);
			ROW_CHECK(&fails, "verbs", row, line, (int)c.verb == v, "bare: verb %s",
				  sp_verb_name(c.verb));
			ROW_CHECK(&fails, "verbs", row, line, c.arglen == 0, "bare: arglen %zu",
				  c.arglen);
			row++;
			/* with argument */
			snprintf(line + n, sizeof(line) - n, " %s", arg);
			e = sp_cmd_parse(line, strlen(line), 0, &c);
			ROW_CHECK(&fails, "verbs", row, line,
				  none ? e == SP_CMD_E_SYNTAX : e == SP_CMD_OK, "with arg: error %d", e);
			ROW_CHECK(&fails, "verbs", row, line, (int)c.verb == v, "with arg: verb %s",
				  sp_verb_name(c.verb));
			if (e == SP_CMD_OK)
				ROW_CHECK(&fails, "verbs", row, line,
					  c.arglen == strlen(want_arg) &&
						  memcmp(c.arg, want_arg, c.arglen) == 0,
					  "argument \"%s\"", sp_show(c.arg, c.arglen));
			row++;
		}
		ROW_CHECK(&fails, "verbs", row, name, strlen(name) > 0 && strcmp(name, "UNKNOWN"),
			  "name \"%s\"", name);
	}
	sp_rows_done(fails, "verbs", row);
}

static void test_command_names(void **state)
{
	(void)state;
	assert_string_equal(sp_verb_name(SP_VERB_MAIL), "MAIL");
	assert_string_equal(sp_verb_name(SP_VERB_STARTTLS), "STARTTLS");
	assert_string_equal(sp_verb_name(SP_VERB_XCLIENT), "XCLIENT");
	assert_string_equal(sp_verb_name(SP_VERB_UNKNOWN), "UNKNOWN");
	assert_string_equal(sp_verb_name(SP_VERB_COUNT), "UNKNOWN");
	assert_string_equal(sp_verb_name((enum sp_verb)1000), "UNKNOWN");
}

/* A 512-byte line (the RFC 5321 maximum less CRLF) parses, and the argument
 * points into the caller's buffer. */
static void test_command_long(void **state)
{
	size_t len;
	char *p = sp_big("EHLO ", 505, 'a', "", &len);
	struct sp_cmd c;

	(void)state;
	assert_int_equal(sp_cmd_parse(p, len, 0, &c), SP_CMD_OK);
	assert_int_equal(c.verb, SP_VERB_EHLO);
	assert_ptr_equal(c.arg, p + 5);
	assert_int_equal(c.arglen, 505);
	free(p);
	/* the line is not read past len: a verb cut by len */
	assert_int_equal(sp_cmd_parse("QUITX", 4, 0, &c), SP_CMD_OK);
	assert_int_equal(c.verb, SP_VERB_QUIT);
	assert_int_equal(sp_cmd_parse("DATA\0", 4, 0, &c), SP_CMD_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_command_valid_table),
		cmocka_unit_test(test_command_invalid_table),
		cmocka_unit_test(test_command_every_verb),
		cmocka_unit_test(test_command_names),
		cmocka_unit_test(test_command_long),
	};

	return cmocka_run_group_tests_name("command", tests, NULL, NULL);
}
