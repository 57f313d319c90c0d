/*
 * test_passwd.c - the built-in auth server's passwd-file (auth/passwd.h):
 * a table of malformed files, each with its error count, a piece of the
 * message and the line it names; a table of good files with their users
 * in file order; password checks against fixed hashes made outside
 * sallyport (SHA-512-crypt and SHA-256-crypt by `openssl passwd`, bcrypt,
 * yescrypt and the others by Python's crypt module over libxcrypt) and
 * against fresh ones from sp_passwd_hash; plaintext with and without the
 * marker line; unknown users; names; the edits `sallyport user` makes;
 * loading from disk (missing file, loose mode); thousands of users; and
 * checks from several threads at once. yescrypt is slow on purpose, so
 * the rows that run it are few.
 */
#include "unit.h"
#include "tmpconf.h"

#include "auth/passwd.h"

#include <errno.h>
#include <pthread.h>
#include <sys/stat.h>

#define L(s) s, sizeof(s) - 1

/* password "correct horse" */
#define H6 "$6$Q9kq3Pc1sZ7xVb2m$As8iyCISPYstVI0kxirYOJEKFvYUdXeI6kBoE8YogbgiktfNO2bzb7Ar4Ffp" \
	   "/GNiMkpAi.0XM5vkEGPHaydDs/"
#define H6R "$6$rounds=1000$pepperpot$jQuUmgrX2yMJ8T1eo108ntoRY9IWVkP545dY9xJzcVSj0yZXyE3AvFy" \
	    "RpBmkJG5KfQnc9MmBxLFTbdMnhraMj0"
#define H2B "$2b$04$cqFGNMbxjbahQnPiq/Y5Gewo59Zq78WUTiGV9rNK1aTUUoJvGFpoy"
/* password "tr0ub4dor" */
#define H5 "$5$abcdefgh$ax6qZIHDyPRIkj5wpNDEkcZenNn4KMMh/DmBzej88f9"
/* password "secret" */
#define HY "$y$j9T$jJog7kpxar3VRRV0JD/ra1$VOCFtaruOmzua.mpkj1h.c2rdy64mrvN1afVKHcvHMD"
#define HGY "$gy$j9T$s9GvLPWp0dOMk6QquIiKf0$L4kEhITZJNEvRWXfbVc/Nhn9fhpFV9ynigmfbdkmVQA"
#define H7 "$7$CU..../....yd3zbY/sqAQMJ55rzce1J/$pzaOaP/lKUoSNFJdWeQ3qmNKk9AxpEzHE0gKcy/gc54"
#define H2Y "$2y$05$t3NL/m0U3Tyf4miPA0vpQuVgZ5RtU5s0xMo0TlDWdt8ZraaYdXdie"
#define H2A "$2a$05$L6.ZVFNTrY9ngCi5e/9ukOLbtV7xdCF2L0c1ebZsL6nx4JWIlCLGS"
/* weak or broken, password "correct horse" */
#define H1 "$1$UlhI9MYv$mKTqL2290u.pg4lbbLI/I/"
#define HDES "abhfCpXqd4GrI"

#define MARK SP_PASSWD_MARKER "\n"

/* 1 when d has a diagnostic of severity sev for file "F" at line whose
 * text or fix contains needle. */
static int has_diag(const struct sp_diags *d, enum sp_sev sev, const char *needle, int line)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct sp_diag *g = &d->v[i];
		if (g->sev == sev && g->line == line && sp_streq(g->file, "F") &&
		    (sp_has(g->what, needle) || sp_has(g->fix, needle)))
			return 1;
	}
	return 0;
}

/* The first diagnostic's text, for failure messages. */
static const char *first_diag(const struct sp_diags *d)
{
	return d->n ? d->v[0].what : "(none)";
}

struct bad_row {
	const char *label;
	const char *in;
	size_t len;
	size_t errors;
	const char *needle;
	int line;
};

static const struct bad_row bad_rows[] = {
	/* line shape */
	{"no colon", L("alice\n"), 1, "has no ':'", 1},
	{"no colon, no newline", L(H6 "\n#c\nbob"), 2, "has no ':'", 3},
	{"blank-looking line", L("  \n"), 1, "has no ':'", 1},
	{"empty user", L(":" H6 "\n"), 1, "user name is empty", 1},
	{"NUL byte", L("alice:" H6 "\nb\0b:" H6 "\n"), 1, "NUL byte", 2},
	{"NUL in a comment", L("# a\0b\n"), 1, "NUL byte", 1},
	/* names */
	{"upper case", L("Alice:" H6 "\n"), 1, "write it in lower case: alice", 1},
	{"upper case says why", L("#\nbOB:" H6 "\n"), 1, "auth_username_format=%Lu", 2},
	{"space in name", L("al ice:" H6 "\n"), 1, "space or a control", 1},
	{"leading space", L(" alice:" H6 "\n"), 1, "space or a control", 1},
	{"tab in name", L("al\tice:" H6 "\n"), 1, "space or a control", 1},
	{"control byte", L("a\001b:" H6 "\n"), 1, "space or a control", 1},
	{"DEL", L("ab\177:" H6 "\n"), 1, "space or a control", 1},
	{"CR inside the name", L("a\rb:" H6 "\n"), 1, "space or a control", 1},
	/* empty passwords */
	{"empty password", L("alice:\n"), 1, "user alice has no password", 1},
	{"empty password, more fields", L("alice::1000:1000::/home/alice:/bin/sh\n"), 1,
	 "alice has no password", 1},
	{"scheme only", L("alice:{CRYPT}\n"), 1, "alice has no password", 1},
	{"empty plaintext", L(MARK "alice:{PLAIN}:x\n"), 1, "alice has no password", 2},
	{"empty password says how", L("alice:"), 1, "sallyport user passwd alice", 1},
	/* weak or unknown hashes */
	{"MD5-crypt", L("alice:" H1 "\n"), 1, "MD5-crypt", 1},
	{"MD5-crypt fix", L("alice:" H1 "\n"), 1, "set a new password with: sallyport user "
	 "passwd alice", 1},
	{"MD5-crypt under {CRYPT}", L("alice:{CRYPT}" H1 "\n"), 1, "MD5-crypt", 1},
	{"MD5-crypt under {SHA512-CRYPT}", L("alice:{SHA512-CRYPT}" H1 "\n"), 1, "MD5-crypt", 1},
	{"traditional DES", L("alice:" HDES "\n"), 1, "traditional DES", 1},
	{"DES under {CRYPT}", L("alice:{CRYPT}" HDES "\n"), 1, "traditional DES", 1},
	{"BSDi extended DES", L("alice:_J9..CCCCXBrJUJV154M\n"), 1, "not a supported crypt", 1},
	{"NT hash $3$", L("alice:$3$$8846f7eaee8fb117ad06bdd830b7586c\n"), 1,
	 "not a supported crypt", 1},
	{"Sun MD5", L("alice:$md5,rounds=904$ZZZig8GS.S0pRNhc$dw5NMYJoxLlnFq4E.phLy.\n"), 1,
	 "not a supported crypt", 1},
	{"$2x$ bcrypt", L("alice:$2x$05$L6.ZVFNTrY9ngCi5e/9ukOLbtV7xdCF2L0c1ebZsL6nx4JWIlCLGS\n"),
	 1, "not a supported crypt", 1},
	{"bare plaintext", L("alice:secret\n"), 1, "not a supported crypt", 1},
	{"locked account", L("alice:!" H6 "\n"), 1, "not a supported crypt", 1},
	{"empty braces", L("alice:{}" H6 "\n"), 1, "not a supported crypt", 1},
	{"no closing brace", L("alice:{CRYPT" H6 "\n"), 1, "not a supported crypt", 1},
	{"$6$ cut short", L("alice:$6$Q9kq3Pc1sZ7xVb2m$As8iyCISPYstVI0kxirYOJEKFvYUdXeI6kBoE8Y"
			    "ogbgiktfNO2bzb7Ar4Ffp/GNiMkpAi.0XM5vkEGPHaydDs\n"), 1,
	 "cut short or malformed", 1},
	{"$6$ without salt", L("alice:$6$As8iyCISPYstVI0kxirYOJEKFvYUdXeI6kBoE8YogbgiktfNO2bzb7Ar"
			       "4Ffp/GNiMkpAi.0XM5vkEGPHaydDs/\n"), 1, "cut short or malformed", 1},
	{"$6$ setting only", L("alice:$6$Q9kq3Pc1sZ7xVb2m\n"), 1, "cut short or malformed", 1},
	{"$y$ cut short", L("alice:$y$j9T$jJog7kpxar3VRRV0JD/ra1$VOCFtaruOmzua.mpkj1h.c2rdy64mrvN1"
			    "afVKHcvHM\n"), 1, "cut short or malformed", 1},
	{"$y$ bad params", L("alice:$y$!9T$jJog7kpxar3VRRV0JD/ra1$VOCFtaruOmzua.mpkj1h.c2rdy64mrvN"
			     "1afVKHcvHMD\n"), 1, "cut short or malformed", 1},
	{"bcrypt cut short", L("alice:$2b$04$cqFGNMbxjbahQnPiq/Y5Gewo59Zq78WUTiGV9rNK1aTUUoJvGFpo\n"),
	 1, "cut short or malformed", 1},
	{"space in hash", L("alice:$5$abcdefgh$ax6qZIHDyPRIkj5wpNDEkcZenNn4KMMh/DmBzej88f 9\n"), 1,
	 "cut short or malformed", 1},
	{"trailing space after hash", L("alice:" H5 " \n"), 1, "cut short or malformed", 1},
	/* other schemes */
	{"SSHA512", L("alice:{SSHA512}Zm9vYmFy\n"), 1, "scheme SSHA512 is not supported by the "
	 "built-in auth server", 1},
	{"SSHA512 fix", L("alice:{SSHA512}Zm9vYmFy\n"), 1, "smtpd_sasl_type = dovecot", 1},
	{"SSHA512 fix passwd", L("alice:{SSHA512}Zm9vYmFy\n"), 1, "sallyport user passwd alice", 1},
	{"ARGON2ID lower case", L("alice:{argon2id}$argon2id$v=19$m=65536,t=3,p=1$c2FsdA$aGFzaA\n"),
	 1, "scheme argon2id is not supported", 1},
	{"PBKDF2", L("alice:{PBKDF2}$1$abc$5000$def\n"), 1, "scheme PBKDF2 is not", 1},
	{"SHA1", L("bob:{SHA1}fEqNCco3Yq9h5ZUglD3CZJT4lBs=\n"), 1, "scheme SHA1 is not", 1},
	{"MD5", L("bob:{MD5}$1$UlhI9MYv$mKTqL2290u.pg4lbbLI/I/\n"), 1, "scheme MD5 is not", 1},
	{"MD5-CRYPT", L("bob:{MD5-CRYPT}" H1 "\n"), 1, "scheme MD5-CRYPT is not", 1},
	{"encoded scheme", L("bob:{SHA512-CRYPT.HEX}abcd\n"), 1, "SHA512-CRYPT.HEX is not", 1},
	/* plaintext */
	{"PLAIN without marker", L("alice:{PLAIN}secret\n"), 1, "plaintext passwords are refused",
	 1},
	{"CLEAR without marker", L("alice:{CLEAR}secret\n"), 1, "plaintext", 1},
	{"cleartext without marker", L("alice:{cleartext}secret\n"), 1, "plaintext", 1},
	{"PLAIN-TRUNC without marker", L("alice:{PLAIN-TRUNC}3-abc\n"), 1, "plaintext", 1},
	{"plaintext fix", L("x\nalice:{PLAIN}secret\n"), 2, "sallyport user passwd alice", 2},
	{"marker with a trailing space", L(SP_PASSWD_MARKER " \nalice:{PLAIN}s\n"), 1,
	 "plaintext passwords are refused", 2},
	{"marker inside a line", L("# " SP_PASSWD_MARKER "\nalice:{PLAIN}s\n"), 1, "refused", 2},
	{"marker in upper case", L("# SALLYPORT: ALLOW-PLAINTEXT (TESTS ONLY)\nalice:{PLAIN}s\n"),
	 1, "refused", 2},
	{"each plaintext line", L("a:{PLAIN}1\nb:{PLAIN}2\nc:{PLAIN}3\n"), 3, "refused", 3},
	{"PLAIN-TRUNC without length", L(MARK "alice:{PLAIN-TRUNC}abc\n"), 1,
	 "needs its length", 2},
	{"PLAIN-TRUNC without dash", L(MARK "alice:{PLAIN-TRUNC}3\n"), 1, "needs its length", 2},
	{"PLAIN-TRUNC empty", L(MARK "alice:{PLAIN-TRUNC}0-\n"), 1, "alice has no password", 2},
	/* duplicates */
	{"duplicate", L("alice:" H6 "\nbob:" H6 "\nalice:" H5 "\n"), 1,
	 "alice appears twice (lines 1 and 3)", 3},
	{"three times", L("a:" H6 "\na:" H6 "\na:" H6 "\n"), 2, "a appears twice (lines 1 and 3)",
	 3},
	{"duplicate with a bad hash", L("alice:" H1 "\nalice:" H6 "\n"), 2, "appears twice", 2},
	{"duplicate after CRLF", L("alice:" H6 "\r\nalice:" H6 "\r\n"), 1, "appears twice", 2},
	/* many errors, each with its line */
	{"all errors collected", L("Alice:" H6 "\nbob\n\n#c\ncarol:\ndave:" H1 "\n"), 4,
	 "carol has no password", 5},
	{"all errors collected (2)", L("Alice:" H6 "\nbob\n\n#c\ncarol:\ndave:" H1 "\n"), 4,
	 "MD5-crypt", 6},
	{"line numbers with CRLF", L("a:" H6 "\r\nB:" H6 "\r\n"), 1, "lower case: b", 2},
	{"line numbers past empty lines", L("\n\n\n\nx:\n"), 1, "x has no password", 5},
};

static void test_passwd_bad(void **state)
{
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < NROWS(bad_rows); i++) {
		const struct bad_row *r = &bad_rows[i];
		struct sp_diags d = {0};
		struct sp_passwd *p = sp_passwd_parse(r->in, r->len, "F", &d);
		size_t n = sp_diags_count(&d, SP_ERROR, NULL);
		ROW_CHECK(&fails, "bad_rows", i, r->label, p == NULL, "parsed");
		ROW_CHECK(&fails, "bad_rows", i, r->label, n == r->errors,
			  "%zu errors (want %zu), first: %s", n, r->errors, first_diag(&d));
		ROW_CHECK(&fails, "bad_rows", i, r->label, has_diag(&d, SP_ERROR, r->needle, r->line),
			  "no error with \"%s\" at line %d; first: line %d %s", r->needle, r->line,
			  d.n ? d.v[0].line : 0, first_diag(&d));
		sp_passwd_free(&p);
		sp_diags_free(&d);
	}
	sp_rows_done(fails, "bad_rows", NROWS(bad_rows));
}

struct good_row {
	const char *label;
	const char *in;
	size_t len;
	const char *users;   /* in file order, joined by ',' */
};

static const struct good_row good_rows[] = {
	{"empty file", L(""), ""},
	{"only a newline", L("\n"), ""},
	{"comments and empty lines", L("# users\n\n#alice:secret\n\r\n"), ""},
	{"one user", L("alice:" H6 "\n"), "alice"},
	{"no final newline", L("alice:" H6), "alice"},
	{"CRLF", L("alice:" H6 "\r\nbob:" H5 "\r\n"), "alice,bob"},
	{"file order kept", L("zed:" H6 "\nalice:" H6 "\nmike:" H6 "\n"), "zed,alice,mike"},
	{"extra fields", L("alice:" H6 ":1000:1000::/home/alice:/bin/sh:userdb_quota_rule=*:storage"
			   "=1G\n"), "alice"},
	{"empty extra fields", L("alice:" H6 "::::::\n"), "alice"},
	{"every accepted prefix", L("y:" HY "\ngy:" HGY "\ns7:" H7 "\nb:" H2B "\nby:" H2Y "\nba:"
				    H2A "\ns6:" H6 "\ns6r:" H6R "\ns5:" H5 "\n"),
	 "y,gy,s7,b,by,ba,s6,s6r,s5"},
	{"crypt schemes", L("a:{CRYPT}" HY "\nb:{SHA512-CRYPT}" H6 "\nc:{SHA256-CRYPT}" H5
			    "\nd:{BLF-CRYPT}" H2B "\n"), "a,b,c,d"},
	{"scheme case", L("a:{crypt}" HY "\nb:{Sha512-Crypt}" H6 "\nc:{blf-crypt}" H2B "\n"),
	 "a,b,c"},
	{"any crypt hash under any crypt scheme", L("a:{BLF-CRYPT}" H6 "\n"), "a"},
	{"names", L("alice@example.com:" H6 "\nuser.name+tag:" H6 "\nj\xc3\xbcrgen:" H6 "\n42:" H6
		    "\nbob#:" H6 "\n"), "alice@example.com,user.name+tag,j\xc3\xbcrgen,42,bob#"},
	{"plaintext with the marker", L(MARK "a:{PLAIN}x\nb:{CLEAR}y\nc:{CLEARTEXT}z\nd:"
					"{plain-trunc}3-abc\n"), "a,b,c,d"},
	{"marker last", L("a:{PLAIN}x:1:1\n" SP_PASSWD_MARKER), "a"},
	{"marker with CRLF", L(SP_PASSWD_MARKER "\r\na:{PLAIN}x\r\n"), "a"},
	{"plaintext with braces and spaces", L(MARK "a:{PLAIN}{x} y z\n"), "a"},
	{"marker does not hurt hashes", L(MARK "a:" H6 "\n"), "a"},
};

/* Joins the table's user names with ','. */
static void join_users(const struct sp_passwd *p, char *out, size_t outlen)
{
	size_t j = 0;

	out[0] = 0;
	for (size_t i = 0; i < sp_passwd_count(p); i++)
		j += (size_t)snprintf(out + j, outlen - j, "%s%s", i ? "," : "",
				      sp_passwd_user(p, i));
}

static void test_passwd_good(void **state)
{
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < NROWS(good_rows); i++) {
		const struct good_row *r = &good_rows[i];
		struct sp_diags d = {0};
		struct sp_passwd *p = sp_passwd_parse(r->in, r->len, "F", &d);
		char users[512] = "";
		if (p != NULL)
			join_users(p, users, sizeof(users));
		ROW_CHECK(&fails, "good_rows", i, r->label, p != NULL && d.n == 0,
			  "%s: %zu diagnostics, first: %s", p ? "parsed" : "refused", d.n,
			  first_diag(&d));
		ROW_CHECK(&fails, "good_rows", i, r->label, strcmp(users, r->users) == 0,
			  "users \"%s\" (want \"%s\")", users, r->users);
		ROW_CHECK(&fails, "good_rows", i, r->label, p == NULL ||
			  sp_passwd_user(p, sp_passwd_count(p)) == NULL, "user past the end");
		sp_passwd_free(&p);
		sp_diags_free(&d);
	}
	sp_rows_done(fails, "good_rows", NROWS(good_rows));
}

/* Names at the length limit and lines at theirs. */
static void test_passwd_limits(void **state)
{
	struct sp_diags d = {0};
	struct sp_passwd *p;
	size_t len;
	char *text;

	(void)state;
	text = sp_big("", 255, 'a', ":" H6 "\n", &len);
	p = sp_passwd_parse(text, len, "F", &d);
	assert_non_null(p);
	assert_int_equal(strlen(sp_passwd_user(p, 0)), 255);
	sp_passwd_free(&p);
	free(text);

	text = sp_big("", 256, 'a', ":" H6 "\n", &len);
	assert_null(sp_passwd_parse(text, len, "F", &d));
	assert_true(has_diag(&d, SP_ERROR, "longer than 255 bytes", 1));
	sp_diags_free(&d);
	free(text);

	/* 4096 bytes without the LF: fine; one more: refused, the next line
	 * still checked */
	text = sp_big("alice:" H6 ":", 4096 - strlen("alice:" H6 ":"), 'x', "\nbob:\n", &len);
	p = sp_passwd_parse(text, len, "F", &d);
	assert_int_equal(d.errors, 1);
	assert_true(has_diag(&d, SP_ERROR, "bob has no password", 2));
	assert_null(p);
	sp_diags_free(&d);
	free(text);
	text = sp_big("alice:" H6 ":", 4097 - strlen("alice:" H6 ":"), 'x', "\nbob:\n", &len);
	assert_null(sp_passwd_parse(text, len, "F", &d));
	assert_int_equal(d.errors, 2);
	assert_true(has_diag(&d, SP_ERROR, "longer than 4096 bytes", 1));
	assert_true(has_diag(&d, SP_ERROR, "bob has no password", 2));
	sp_diags_free(&d);
	free(text);
}

struct name_row {
	const char *name;
	int ok;
};

static const struct name_row name_rows[] = {
	{"alice", 1}, {"alice@example.com", 1}, {"a", 1}, {"j\xc3\xbcrgen", 1}, {"0", 1},
	{"a-b_c.d+e", 1}, {"#x", 1}, {"", 0}, {NULL, 0}, {"Alice", 0}, {"aliCe", 0},
	{"a b", 0}, {"a\tb", 0}, {"a:b", 0}, {":", 0}, {"a\001", 0}, {"a\177", 0},
	{"a\r", 0}, {"a\n", 0},
};

static void test_passwd_names(void **state)
{
	int fails = 0;
	size_t len;
	char *n255 = sp_big("", 255, 'z', "", &len), *n256 = sp_big("", 256, 'z', "", &len);

	(void)state;
	for (size_t i = 0; i < NROWS(name_rows); i++) {
		const struct name_row *r = &name_rows[i];
		int ok = sp_passwd_name_ok(r->name);
		ROW_CHECK(&fails, "name_rows", i, sp_shows(r->name), ok == r->ok, "got %d", ok);
	}
	sp_rows_done(fails, "name_rows", NROWS(name_rows));
	assert_int_equal(sp_passwd_name_ok(n255), 1);
	assert_int_equal(sp_passwd_name_ok(n256), 0);
	free(n255);
	free(n256);
}

struct verify_row {
	const char *label;
	const char *user;
	const char *password;
	int want;
};

static const char known_file[] =
	"# hashes made by openssl passwd and Python's crypt\n"
	"s6:" H6 ":1000:1000::/home/s6:/bin/false\n"
	"s6r:{SHA512-CRYPT}" H6R "\n"
	"s5:{sha256-crypt}" H5 "\n"
	"b:{BLF-CRYPT}" H2B "\n"
	"ba:" H2A "\n"
	"y:{CRYPT}" HY "\n";

static const struct verify_row known_rows[] = {
	{"SHA-512 right", "s6", "correct horse", 1},
	{"SHA-512 wrong", "s6", "correct horsE", 0},
	{"SHA-512 prefix", "s6", "correct", 0},
	{"SHA-512 longer", "s6", "correct horse ", 0},
	{"SHA-512 empty", "s6", "", 0},
	{"SHA-512 rounds right", "s6r", "correct horse", 1},
	{"SHA-512 rounds wrong", "s6r", "incorrect horse", 0},
	{"SHA-256 right", "s5", "tr0ub4dor", 1},
	{"SHA-256 wrong", "s5", "tr0ub4dor&3", 0},
	{"bcrypt right", "b", "correct horse", 1},
	{"bcrypt wrong", "b", "correct horse!", 0},
	{"bcrypt $2a$ right", "ba", "secret", 1},
	{"yescrypt right", "y", "secret", 1},
	{"yescrypt wrong", "y", "Secret", 0},
	{"other user's password", "s5", "correct horse", 0},
	{"user in upper case", "S6", "correct horse", 0},
	{"unknown user", "nobody", "correct horse", 0},
	{"empty user", "", "correct horse", 0},
};

static void run_verify(const char *table, const struct verify_row *rows, size_t n,
		       const struct sp_passwd *p)
{
	int fails = 0;

	for (size_t i = 0; i < n; i++) {
		int rc = sp_passwd_verify(p, rows[i].user, rows[i].password);
		ROW_CHECK(&fails, table, i, rows[i].label, rc == rows[i].want, "got %d (want %d)",
			  rc, rows[i].want);
	}
	sp_rows_done(fails, table, n);
}

static void test_passwd_verify_known(void **state)
{
	struct sp_diags d = {0};
	struct sp_passwd *p = sp_passwd_parse(L(known_file), "F", &d);
	size_t len;
	char *huge = sp_big("", 600, 'a', "", &len);

	(void)state;
	assert_non_null(p);
	assert_int_equal(sp_passwd_count(p), 6);
	run_verify("known_rows", known_rows, NROWS(known_rows), p);
	/* too long for libcrypt: wrong, not a failure */
	assert_int_equal(sp_passwd_verify(p, "s6", huge), 0);
	assert_int_equal(sp_passwd_verify(p, "nobody", huge), 0);
	assert_int_equal(sp_passwd_verify(p, NULL, "x"), 0);
	assert_int_equal(sp_passwd_verify(p, "s6", NULL), 0);
	free(huge);
	sp_passwd_free(&p);
	assert_null(p);
	sp_passwd_free(&p);
	sp_diags_free(&d);
}

static const char plain_file[] =
	"a:{PLAIN}open sesame\n"
	SP_PASSWD_MARKER "\n"
	"b:{CLEAR}x:1000:1000\n"
	"c:{cleartext}{PLAIN}y\n"
	"t:{PLAIN-TRUNC}4-abcd\n"
	"u:{PLAIN-TRUNC}8-abcd\n"
	"h:" H6 "\n";

static const struct verify_row plain_rows[] = {
	{"PLAIN right", "a", "open sesame", 1},
	{"PLAIN wrong", "a", "open sesamE", 0},
	{"PLAIN prefix", "a", "open", 0},
	{"PLAIN longer", "a", "open sesame!", 0},
	{"PLAIN empty", "a", "", 0},
	{"CLEAR right", "b", "x", 1},
	{"CLEAR wrong", "b", "y", 0},
	{"CLEARTEXT keeps braces", "c", "{PLAIN}y", 1},
	{"CLEARTEXT without braces", "c", "y", 0},
	{"PLAIN-TRUNC exact", "t", "abcd", 1},
	{"PLAIN-TRUNC cut password", "t", "abcdefgh", 1},
	{"PLAIN-TRUNC shorter", "t", "abc", 0},
	{"PLAIN-TRUNC wrong", "t", "abce", 0},
	{"PLAIN-TRUNC not cut: exact only", "u", "abcd", 1},
	{"PLAIN-TRUNC not cut: longer wrong", "u", "abcdefgh", 0},
	{"hash beside plaintext", "h", "correct horse", 1},
	{"unknown user", "zz", "x", 0},
};

static void test_passwd_verify_plain(void **state)
{
	struct sp_diags d = {0};
	struct sp_passwd *p = sp_passwd_parse(L(plain_file), "F", &d);

	(void)state;
	assert_non_null(p);
	assert_int_equal(d.n, 0);
	run_verify("plain_rows", plain_rows, NROWS(plain_rows), p);
	sp_passwd_free(&p);
	/* the same file without its marker line */
	assert_null(sp_passwd_parse(L("a:{PLAIN}open sesame\nb:" H6 "\n"), "F", &d));
	assert_int_equal(d.errors, 1);
	assert_true(has_diag(&d, SP_ERROR, "plaintext passwords are refused", 1));
	sp_diags_free(&d);
}

/* Fresh yescrypt hashes: the format, a random salt, the check, the edit. */
static void test_passwd_hash(void **state)
{
	char h1[256], h2[256], small[40];
	struct sp_buf b;
	struct sp_diags d = {0};
	struct sp_passwd *p;

	(void)state;
	assert_int_equal(sp_passwd_hash("s3cret pw", h1, sizeof(h1)), 0);
	assert_int_equal(sp_passwd_hash("s3cret pw", h2, sizeof(h2)), 0);
	assert_true(strncmp(h1, "{CRYPT}$y$", 10) == 0);
	assert_string_not_equal(h1, h2);
	errno = 0;
	assert_int_equal(sp_passwd_hash("s3cret pw", small, sizeof(small)), -1);
	assert_int_equal(errno, ERANGE);
	assert_int_equal(sp_passwd_hash("x", small, 0), -1);

	sp_buf_init(&b, 1 << 16);
	assert_int_equal(sp_passwd_edit(L("# users\n"), "alice", h1, 1, &b), SP_PWE_OK);
	p = sp_passwd_parse(b.data, b.len, "F", &d);
	assert_non_null(p);
	assert_string_equal(sp_passwd_user(p, 0), "alice");
	assert_int_equal(sp_passwd_verify(p, "alice", "s3cret pw"), 1);
	assert_int_equal(sp_passwd_verify(p, "alice", "s3cret pW"), 0);
	sp_passwd_free(&p);
	sp_buf_free(&b);
	sp_diags_free(&d);
}

/* The hash length is fixed: one byte less than needed fails. */
static void test_passwd_hash_size(void **state)
{
	char h[256];
	size_t need;

	(void)state;
	assert_int_equal(sp_passwd_hash("pw", h, sizeof(h)), 0);
	need = strlen(h) + 1;
	assert_int_equal(sp_passwd_hash("pw", h, need), 0);
	assert_int_equal(strlen(h) + 1, need);
	assert_int_equal(sp_passwd_hash("pw", h, need - 1), -1);
}

struct edit_row {
	const char *label;
	const char *in;
	const char *user;
	const char *hash;   /* NULL: delete */
	int add;
	enum sp_passwd_edit_rc rc;
	const char *out;    /* "" unless OK */
};

#define X "{CRYPT}NEW"

static const struct edit_row edit_rows[] = {
	/* add */
	{"add to empty", "", "alice", X, 1, SP_PWE_OK, "alice:" X "\n"},
	{"add after others", "# c\nbob:B\n", "alice", X, 1, SP_PWE_OK, "# c\nbob:B\nalice:" X "\n"},
	{"add, no final newline", "bob:B", "alice", X, 1, SP_PWE_OK, "bob:B\nalice:" X "\n"},
	{"add, CRLF file", "bob:B\r\n", "alice", X, 1, SP_PWE_OK, "bob:B\r\nalice:" X "\n"},
	{"add, only a commented line", "#alice:B\n", "alice", X, 1, SP_PWE_OK,
	 "#alice:B\nalice:" X "\n"},
	{"add, a longer name exists", "alicex:B\n", "alice", X, 1, SP_PWE_OK,
	 "alicex:B\nalice:" X "\n"},
	{"add, a shorter name exists", "al:B\n", "alice", X, 1, SP_PWE_OK, "al:B\nalice:" X "\n"},
	{"add, line without colon", "alice\n", "alice", X, 1, SP_PWE_OK, "alice\nalice:" X "\n"},
	{"add existing", "bob:B\nalice:A\n", "alice", X, 1, SP_PWE_EXISTS, ""},
	{"add existing, empty password", "alice:\n", "alice", X, 1, SP_PWE_EXISTS, ""},
	{"add existing last, no newline", "bob:B\nalice:A", "alice", X, 1, SP_PWE_EXISTS, ""},
	/* change */
	{"change", "# c\nalice:A\nbob:B\n", "alice", X, 0, SP_PWE_OK, "# c\nalice:" X "\nbob:B\n"},
	{"change keeps fields", "alice:A:1000:1000::/home/alice:/bin/sh\n", "alice", X, 0,
	 SP_PWE_OK, "alice:" X ":1000:1000::/home/alice:/bin/sh\n"},
	{"change empty fields", "alice:::\n", "alice", X, 0, SP_PWE_OK, "alice:" X "::\n"},
	{"change CRLF", "alice:A\r\nbob:B\r\n", "alice", X, 0, SP_PWE_OK,
	 "alice:" X "\r\nbob:B\r\n"},
	{"change last line, no newline", "bob:B\nalice:A", "alice", X, 0, SP_PWE_OK,
	 "bob:B\nalice:" X},
	{"change empty password", "alice:\n", "alice", X, 0, SP_PWE_OK, "alice:" X "\n"},
	{"change first of two", "alice:A\nalice:C\n", "alice", X, 0, SP_PWE_OK,
	 "alice:" X "\nalice:C\n"},
	{"change skips comments", "#alice:A\nalice:C\n", "alice", X, 0, SP_PWE_OK,
	 "#alice:A\nalice:" X "\n"},
	{"change absent", "bob:B\n", "alice", X, 0, SP_PWE_NOT_FOUND, ""},
	{"change, only a comment", "#alice:A\n", "alice", X, 0, SP_PWE_NOT_FOUND, ""},
	{"change, no colon", "alice\n", "alice", X, 0, SP_PWE_NOT_FOUND, ""},
	{"change, no colon at the end", "alice", "alice", X, 0, SP_PWE_NOT_FOUND, ""},
	{"change, empty text", "", "alice", X, 0, SP_PWE_NOT_FOUND, ""},
	/* delete */
	{"delete middle", "a:1\nalice:A\nb:2\n", "alice", NULL, 0, SP_PWE_OK, "a:1\nb:2\n"},
	{"delete first", "alice:A\nb:2\n", "alice", NULL, 0, SP_PWE_OK, "b:2\n"},
	{"delete last", "a:1\nalice:A\n", "alice", NULL, 0, SP_PWE_OK, "a:1\n"},
	{"delete last, no newline", "a:1\nalice:A", "alice", NULL, 0, SP_PWE_OK, "a:1\n"},
	{"delete only line", "alice:A\n", "alice", NULL, 0, SP_PWE_OK, ""},
	{"delete keeps comments", "# x\nalice:A:1:1\n# y\n\n", "alice", NULL, 0, SP_PWE_OK,
	 "# x\n# y\n\n"},
	{"delete CRLF", "alice:A\r\nb:2\r\n", "alice", NULL, 0, SP_PWE_OK, "b:2\r\n"},
	{"delete ignores add", "alice:A\n", "alice", NULL, 1, SP_PWE_OK, ""},
	{"delete absent", "bob:B\n", "alice", NULL, 0, SP_PWE_NOT_FOUND, ""},
	{"delete, only a comment", "#alice:A\n", "alice", NULL, 0, SP_PWE_NOT_FOUND, ""},
	/* refused arguments */
	{"upper-case user", "Alice:A\n", "Alice", X, 0, SP_PWE_ERROR, ""},
	{"user with colon", "a:b:c\n", "a:b", X, 0, SP_PWE_ERROR, ""},
	{"user with newline", "", "a\nb", X, 1, SP_PWE_ERROR, ""},
	{"empty user", ":A\n", "", X, 0, SP_PWE_ERROR, ""},
	{"hash with colon", "alice:A\n", "alice", "{CRYPT}a:b", 0, SP_PWE_ERROR, ""},
	{"hash with newline", "", "alice", "{CRYPT}a\nroot:x", 1, SP_PWE_ERROR, ""},
	{"hash with CR", "", "alice", "{CRYPT}a\r", 1, SP_PWE_ERROR, ""},
	{"empty hash", "alice:A\n", "alice", "", 0, SP_PWE_ERROR, ""},
};

static void test_passwd_edit(void **state)
{
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < NROWS(edit_rows); i++) {
		const struct edit_row *r = &edit_rows[i];
		struct sp_buf b;
		enum sp_passwd_edit_rc rc;
		sp_buf_init(&b, 1 << 16);
		rc = sp_passwd_edit(r->in, strlen(r->in), r->user, r->hash, r->add, &b);
		ROW_CHECK(&fails, "edit_rows", i, r->label, rc == r->rc, "rc %d (want %d)", rc,
			  r->rc);
		ROW_CHECK(&fails, "edit_rows", i, r->label, strcmp(sp_buf_str(&b), r->out) == 0,
			  "out \"%s\" (want \"%s\")", sp_shows(sp_buf_str(&b)), sp_shows(r->out));
		sp_buf_free(&b);
	}
	sp_rows_done(fails, "edit_rows", NROWS(edit_rows));
}

/* The output goes after what the buffer holds; past its maximum, the
 * buffer is left as it was. */
static void test_passwd_edit_buffer(void **state)
{
	struct sp_buf b;

	(void)state;
	sp_buf_init(&b, 20);
	assert_int_equal(sp_buf_adds(&b, "["), 0);
	assert_int_equal(sp_passwd_edit(L("a:1\n"), "bob", "{CRYPT}x", 1, &b), SP_PWE_OK);
	assert_string_equal(sp_buf_str(&b), "[a:1\nbob:{CRYPT}x\n");
	assert_int_equal(sp_passwd_edit(L("a:1\n"), "bob", "{CRYPT}x", 1, &b), SP_PWE_ERROR);
	assert_string_equal(sp_buf_str(&b), "[a:1\nbob:{CRYPT}x\n");
	sp_buf_free(&b);
}

/* Writes text to t's directory as "passwd" with mode; returns the path. */
static const char *write_passwd(struct tmpconf *t, char *path, size_t n, const char *text,
				mode_t mode)
{
	snprintf(path, n, "%s/passwd", t->dir);
	tmpconf_write(path, text);
	if (chmod(path, mode) != 0)
		abort();
	return path;
}

static void test_passwd_load(void **state)
{
	struct tmpconf t;
	struct sp_diags d = {0};
	struct sp_passwd *p;
	char path[700];

	(void)state;
	tmpconf_make(&t, NULL, NULL);
	snprintf(path, sizeof(path), "%s/passwd", t.dir);
	assert_null(sp_passwd_load(path, &d));
	assert_int_equal(d.errors, 1);
	assert_int_equal(sp_diags_count(&d, SP_ERROR, "does not exist"), 1);
	assert_int_equal(sp_diags_count(&d, SP_ERROR, "create it with: sallyport user add"), 1);
	sp_diags_free(&d);

	p = sp_passwd_load(write_passwd(&t, path, sizeof(path), "a:" H6 "\n", 0600), &d);
	assert_non_null(p);
	assert_int_equal(d.n, 0);
	assert_int_equal(sp_passwd_verify(p, "a", "correct horse"), 1);
	sp_passwd_free(&p);

	p = sp_passwd_load(write_passwd(&t, path, sizeof(path), "a:" H6 "\n", 0640), &d);
	assert_non_null(p);
	assert_int_equal(d.n, 0);
	sp_passwd_free(&p);

	p = sp_passwd_load(write_passwd(&t, path, sizeof(path), "a:" H6 "\n", 0644), &d);
	assert_non_null(p);
	assert_int_equal(d.errors, 0);
	assert_int_equal(sp_diags_count(&d, SP_WARNING, "chmod 600"), 1);
	sp_passwd_free(&p);
	sp_diags_free(&d);

	p = sp_passwd_load(write_passwd(&t, path, sizeof(path), "a:x\nb:" H1 "\n", 0602), &d);
	assert_null(p);
	assert_int_equal(d.errors, 2);
	assert_int_equal(sp_diags_count(&d, SP_WARNING, "chmod 600"), 1);
	assert_string_equal(d.v[d.n - 1].file, path);
	assert_int_equal(d.v[d.n - 1].line, 2);
	sp_diags_free(&d);

	unlink(path);
	tmpconf_remove(&t);
}

/* Thousands of users: every one is found, in file order; a duplicate far
 * from the first is reported. */
static void test_passwd_many(void **state)
{
	enum { N = 5000 };
	struct sp_buf b;
	struct sp_diags d = {0};
	struct sp_passwd *p;
	char line[64];
	int fails = 0;

	(void)state;
	sp_buf_init(&b, 1 << 20);
	sp_buf_adds(&b, MARK);
	for (int i = 0; i < N; i++) {
		snprintf(line, sizeof(line), "user%d:{PLAIN}pw%d\n", (i * 7919) % N, i);
		sp_buf_adds(&b, line);
	}
	p = sp_passwd_parse(b.data, b.len, "F", &d);
	assert_non_null(p);
	assert_int_equal(sp_passwd_count(p), N);
	for (int i = 0; i < N; i++) {
		char user[32], pw[32];
		snprintf(user, sizeof(user), "user%d", (i * 7919) % N);
		snprintf(pw, sizeof(pw), "pw%d", i);
		ROW_CHECK(&fails, "many", i, user, strcmp(sp_passwd_user(p, (size_t)i), user) == 0,
			  "user %s", sp_passwd_user(p, (size_t)i));
		ROW_CHECK(&fails, "many", i, user, sp_passwd_verify(p, user, pw) == 1, "not found");
		ROW_CHECK(&fails, "many", i, user, sp_passwd_verify(p, user, "pw") == 0, "matched");
	}
	sp_rows_done(fails, "many", N);
	sp_passwd_free(&p);

	sp_buf_adds(&b, "user4999:{PLAIN}again\n");
	assert_null(sp_passwd_parse(b.data, b.len, "F", &d));
	assert_int_equal(d.errors, 1);
	/* user4999 is on the line of the i with i * 7919 % N == 4999 */
	for (int i = 0; i < N; i++)
		if ((i * 7919) % N == 4999)
			snprintf(line, sizeof(line), "user4999 appears twice (lines %d and %d)",
				 i + 2, N + 2);
	assert_true(has_diag(&d, SP_ERROR, line, N + 2));
	sp_diags_free(&d);
	sp_buf_free(&b);
}

struct thread_arg {
	const struct sp_passwd *p;
	int bad;
};

static void *verify_thread(void *v)
{
	struct thread_arg *a = v;

	for (int i = 0; i < 4; i++) {
		if (sp_passwd_verify(a->p, "s6", "correct horse") != 1)
			a->bad++;
		if (sp_passwd_verify(a->p, "s5", "correct horse") != 0)
			a->bad++;
		if (sp_passwd_verify(a->p, "b", "correct horse") != 1)
			a->bad++;
	}
	return NULL;
}

/* Several threads check passwords on one table at once. */
static void test_passwd_threads(void **state)
{
	struct sp_diags d = {0};
	struct sp_passwd *p = sp_passwd_parse(L(known_file), "F", &d);
	struct thread_arg args[4];
	pthread_t th[4];

	(void)state;
	assert_non_null(p);
	for (int i = 0; i < 4; i++) {
		args[i] = (struct thread_arg){p, 0};
		assert_int_equal(pthread_create(&th[i], NULL, verify_thread, &args[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(args[i].bad, 0);
	}
	sp_passwd_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_passwd_bad),
		cmocka_unit_test(test_passwd_good),
		cmocka_unit_test(test_passwd_limits),
		cmocka_unit_test(test_passwd_names),
		cmocka_unit_test(test_passwd_verify_known),
		cmocka_unit_test(test_passwd_verify_plain),
		cmocka_unit_test(test_passwd_hash),
		cmocka_unit_test(test_passwd_hash_size),
		cmocka_unit_test(test_passwd_edit),
		cmocka_unit_test(test_passwd_edit_buffer),
		cmocka_unit_test(test_passwd_load),
		cmocka_unit_test(test_passwd_many),
		cmocka_unit_test(test_passwd_threads),
	};

	return cmocka_run_group_tests_name("passwd", tests, NULL, NULL);
}
