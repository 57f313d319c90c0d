/*
 * test_mech.c - SASL PLAIN and LOGIN, server side (auth/mech.h): whole
 * exchanges as table rows (with and without an initial response, the
 * challenges sent, the user, password and authzid that come out), and the
 * malformed ones (bad base64, NUL bytes, control bytes in a login name,
 * missing or extra NULs in PLAIN, empty user, an authzid that is someone
 * else, a step after the end),
 * then the size limits at their exact boundaries and the wiping. The
 * oracle is RFC 4616 (PLAIN) and draft-murchison-sasl-login (LOGIN), with
 * Dovecot's challenges "Username:" and "Password:".
 */
#include "unit.h"

#include "auth/mech.h"

#include <openssl/evp.h>

#define CONT SP_MECH_CONT
#define DONE SP_MECH_DONE
#define BAD SP_MECH_BAD

#define USERNAME "VXNlcm5hbWU6"
#define PASSWORD "UGFzc3dvcmQ6"

struct step {
	int used;
	const char *b64;      /* sent as it is */
	const char *raw;      /* or: these bytes, base64-encoded by the test */
	size_t rawlen;
	enum sp_mech_result want;
	const char *challenge;   /* on CONT; "" otherwise */
};

/* A response given as raw bytes, as base64 text, or none at all (NULL). */
#define R(s, w, ...) {1, NULL, s, sizeof(s) - 1, w, "" __VA_ARGS__}
#define B(s, w, ...) {1, s, NULL, 0, w, "" __VA_ARGS__}
#define NONE(w, ...) {1, NULL, NULL, 0, w, "" __VA_ARGS__}

struct mech_row {
	const char *label;
	const char *mech;
	struct step steps[4];
	const char *user, *pass, *authzid;   /* after DONE */
};

static const struct mech_row mech_rows[] = {
	/* PLAIN */
	{"PLAIN initial response", "PLAIN", {R("\0alice\0secret", DONE)}, "alice", "secret", ""},
	{"PLAIN authzid = authcid", "PLAIN", {R("alice\0alice\0secret", DONE)}, "alice", "secret",
	 "alice"},
	{"PLAIN without initial response", "PLAIN",
	 {NONE(CONT), R("\0alice\0secret", DONE)}, "alice", "secret", ""},
	{"PLAIN lower-case name", "plain", {R("\0bob\0pw", DONE)}, "bob", "pw", ""},
	{"PLAIN mixed-case name", "Plain", {R("\0bob\0pw", DONE)}, "bob", "pw", ""},
	{"PLAIN empty password", "PLAIN", {R("\0alice\0", DONE)}, "alice", "", ""},
	{"PLAIN password with spaces and UTF-8", "PLAIN",
	 {R("\0alice@example.com\0p \xc3\xa4 ss", DONE)}, "alice@example.com", "p \xc3\xa4 ss", ""},
	{"PLAIN literal base64", "PLAIN", {B("AGFsaWNlAHB3", DONE)}, "alice", "pw", ""},
	{"PLAIN literal base64, one pad", "PLAIN", {B("AGFsaWNlAHB3eA==", DONE)}, "alice", "pwx",
	 ""},
	{"PLAIN literal base64, two pads", "PLAIN", {B("AGFsaWNlAHB3eHk=", DONE)}, "alice", "pwxy",
	 ""},
	{"PLAIN password with tab, CR, LF, DEL", "PLAIN", {R("\0alice\0a\tb\r\nc\177", DONE)},
	 "alice", "a\tb\r\nc\177", ""},
	{"PLAIN user with tab", "PLAIN", {R("\0al\tice\0secret", BAD)}},
	{"PLAIN user with LF", "PLAIN", {R("\0alice\nOK\0secret", BAD)}},
	{"PLAIN user with CR", "PLAIN", {R("\0alice\r\0secret", BAD)}},
	{"PLAIN user with \\001", "PLAIN", {R("\0al\001tice\0secret", BAD)}},
	{"PLAIN user with DEL", "PLAIN", {R("\0alice\177\0secret", BAD)}},
	{"PLAIN authzid and user with tab", "PLAIN", {R("a\tb\0a\tb\0secret", BAD)}},
	{"PLAIN other authzid", "PLAIN", {R("bob\0alice\0secret", BAD)}},
	{"PLAIN authzid differs in case", "PLAIN", {R("Alice\0alice\0secret", BAD)}},
	{"PLAIN one NUL", "PLAIN", {R("alice\0secret", BAD)}},
	{"PLAIN no NUL", "PLAIN", {R("alicesecret", BAD)}},
	{"PLAIN three NULs", "PLAIN", {R("\0alice\0secret\0", BAD)}},
	{"PLAIN NUL inside password", "PLAIN", {R("\0alice\0sec\0ret", BAD)}},
	{"PLAIN only NULs", "PLAIN", {R("\0\0", BAD)}},
	{"PLAIN empty user", "PLAIN", {R("\0\0secret", BAD)}},
	{"PLAIN empty user, authzid", "PLAIN", {R("alice\0\0secret", BAD)}},
	{"PLAIN empty initial response", "PLAIN", {B("", BAD)}},
	{"PLAIN empty response after challenge", "PLAIN", {NONE(CONT), B("", BAD)}},
	{"PLAIN two steps without response", "PLAIN", {NONE(CONT), NONE(BAD)}},
	{"PLAIN bad base64 character", "PLAIN", {B("AGFsaWNl!HB3", BAD)}},
	{"PLAIN base64 length", "PLAIN", {B("AGFsaWNlAHB", BAD)}},
	{"PLAIN base64 padding inside", "PLAIN", {B("AG==aWNlAHB3", BAD)}},
	{"PLAIN base64 three pads", "PLAIN", {B("AGFsaWNlAHB3e===", BAD)}},
	{"PLAIN base64 leading space", "PLAIN", {B(" AGFsaWNlAHB3", BAD)}},
	{"PLAIN base64 trailing space", "PLAIN", {B("AGFsaWNlAHB3 ", BAD)}},
	{"PLAIN base64 with CRLF", "PLAIN", {B("AGFsaWNl\r\nAHB3", BAD)}},
	{"PLAIN base64 trailing LF", "PLAIN", {B("AGFsaWNlAHB3\n", BAD)}},
	{"PLAIN base64url", "PLAIN", {B("AGFs-WNl_HB3", BAD)}},
	{"PLAIN bad base64 after challenge", "PLAIN", {NONE(CONT), B("*", BAD)}},
	/* LOGIN */
	{"LOGIN without initial response", "LOGIN",
	 {NONE(CONT, USERNAME), R("alice", CONT, PASSWORD), R("secret", DONE)}, "alice", "secret",
	 ""},
	{"LOGIN initial response is the user", "LOGIN",
	 {R("alice", CONT, PASSWORD), R("secret", DONE)}, "alice", "secret", ""},
	{"LOGIN lower-case name", "login", {R("bob", CONT, PASSWORD), R("pw", DONE)}, "bob", "pw",
	 ""},
	{"LOGIN empty password", "LOGIN", {R("alice", CONT, PASSWORD), B("", DONE)}, "alice", "",
	 ""},
	{"LOGIN literal base64", "LOGIN", {B("YWxpY2U=", CONT, PASSWORD), B("cHc=", DONE)},
	 "alice", "pw", ""},
	{"LOGIN user with PLAIN's NULs", "LOGIN", {R("\0alice\0pw", BAD)}},
	{"LOGIN NUL inside user", "LOGIN", {NONE(CONT, USERNAME), R("al\0ice", BAD)}},
	{"LOGIN NUL at the end of user", "LOGIN", {NONE(CONT, USERNAME), R("alice\0", BAD)}},
	{"LOGIN user with tab", "LOGIN", {R("al\tice", BAD)}},
	{"LOGIN user with LF", "LOGIN", {NONE(CONT, USERNAME), R("alice\n", BAD)}},
	{"LOGIN password with tab", "LOGIN", {R("alice", CONT, PASSWORD), R("p\tw", DONE)},
	 "alice", "p\tw", ""},
	{"LOGIN NUL inside password", "LOGIN", {R("alice", CONT, PASSWORD), R("se\0cret", BAD)}},
	{"LOGIN empty initial response", "LOGIN", {B("", BAD)}},
	{"LOGIN empty user", "LOGIN", {NONE(CONT, USERNAME), B("", BAD)}},
	{"LOGIN two steps without response", "LOGIN", {NONE(CONT, USERNAME), NONE(BAD)}},
	{"LOGIN no password response", "LOGIN", {R("alice", CONT, PASSWORD), NONE(BAD)}},
	{"LOGIN bad base64 user", "LOGIN", {NONE(CONT, USERNAME), B("YWxpY2U", BAD)}},
	{"LOGIN bad base64 password", "LOGIN", {R("alice", CONT, PASSWORD), B("c Hc=", BAD)}},
	/* mechanisms this module does not know: every step is refused */
	{"unknown CRAM-MD5", "CRAM-MD5", {R("\0alice\0secret", BAD)}},
	{"unknown PLAINX", "PLAINX", {NONE(BAD)}},
	{"unknown empty name", "", {NONE(BAD)}},
};

/* The row's response as base64 (buf is big enough for the table). */
static const char *row_b64(const struct step *s, char *buf)
{
	if (s->raw == NULL)
		return s->b64;
	EVP_EncodeBlock((unsigned char *)buf, (const unsigned char *)s->raw, (int)s->rawlen);
	return buf;
}

static int known(const char *mech)
{
	return strcasecmp(mech, "PLAIN") == 0 || strcasecmp(mech, "LOGIN") == 0;
}

static void test_mech_rows(void **state)
{
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < NROWS(mech_rows); i++) {
		const struct mech_row *r = &mech_rows[i];
		struct sp_mech m;
		enum sp_mech_result got = BAD;
		const char *ch;
		char b64[256];

		ROW_CHECK(&fails, "mech_rows", i, r->label,
			  (sp_mech_start(&m, r->mech) == 0) == known(r->mech), "start");
		for (size_t k = 0; k < NROWS(r->steps) && r->steps[k].used; k++) {
			const struct step *s = &r->steps[k];
			ch = "unset";
			got = sp_mech_step(&m, row_b64(s, b64), &ch);
			ROW_CHECK(&fails, "mech_rows", i, r->label,
				  got == s->want && strcmp(ch, s->challenge) == 0,
				  "step %zu: result %d (want %d) challenge %s (want %s)", k, got,
				  s->want, ch, s->challenge);
		}
		if (got == DONE)
			ROW_CHECK(&fails, "mech_rows", i, r->label,
				  sp_streq(m.user, r->user) && sp_streq(m.pass, r->pass) &&
				  sp_streq(m.authzid, r->authzid),
				  "user %s pass %s authzid %s", sp_shows(m.user), sp_shows(m.pass),
				  sp_shows(m.authzid));
		else
			ROW_CHECK(&fails, "mech_rows", i, r->label,
				  m.user[0] == 0 && m.pass[0] == 0 && m.authzid[0] == 0,
				  "not wiped: user %s pass %s", sp_shows(m.user), sp_shows(m.pass));
		/* every row ends in DONE or BAD: whatever comes after is refused */
		got = sp_mech_step(&m, "AGFsaWNlAHB3", &ch);
		ROW_CHECK(&fails, "mech_rows", i, r->label, got == BAD && strcmp(ch, "") == 0,
			  "step after the end: %d (want BAD)", got);
		sp_mech_clear(&m);
	}
	sp_rows_done(fails, "mech_rows", NROWS(mech_rows));
}

/* Encodes n bytes of p into a malloc'ed base64 string. */
static char *b64_of(const char *p, size_t n)
{
	char *out = malloc(4 * (n / 3 + 1) + 1);

	if (out == NULL)
		abort();
	EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)p, (int)n);
	return out;
}

/* PLAIN with an authzid, user and password of the given sizes. */
static enum sp_mech_result plain_sized(size_t zlen, size_t ulen, size_t plen)
{
	char raw[4096];
	size_t n = 0;
	struct sp_mech m;
	const char *ch;
	char *b64;
	enum sp_mech_result res;

	memset(raw + n, 'u', zlen);
	n += zlen;
	raw[n++] = 0;
	memset(raw + n, 'u', ulen);
	n += ulen;
	raw[n++] = 0;
	memset(raw + n, 'p', plen);
	n += plen;
	b64 = b64_of(raw, n);
	assert_int_equal(sp_mech_start(&m, "PLAIN"), 0);
	res = sp_mech_step(&m, b64, &ch);
	if (res == DONE) {
		assert_int_equal(strlen(m.user), ulen);
		assert_int_equal(strlen(m.pass), plen);
		assert_int_equal(strlen(m.authzid), zlen);
	}
	sp_mech_clear(&m);
	free(b64);
	return res;
}

/* LOGIN with a user and password of the given sizes; the last result. */
static enum sp_mech_result login_sized(size_t ulen, size_t plen)
{
	char raw[4096];
	struct sp_mech m;
	const char *ch;
	char *b64;
	enum sp_mech_result res;

	assert_int_equal(sp_mech_start(&m, "LOGIN"), 0);
	memset(raw, 'u', ulen);
	b64 = b64_of(raw, ulen);
	res = sp_mech_step(&m, b64, &ch);
	free(b64);
	if (res != CONT)
		return res;
	memset(raw, 'p', plen);
	b64 = b64_of(raw, plen);
	res = sp_mech_step(&m, b64, &ch);
	free(b64);
	if (res == DONE)
		assert_int_equal(strlen(m.pass), plen);
	sp_mech_clear(&m);
	return res;
}

static void test_mech_limits(void **state)
{
	(void)state;
	assert_int_equal(plain_sized(0, SP_MECH_USER_MAX, SP_MECH_PASS_MAX), DONE);
	assert_int_equal(plain_sized(SP_MECH_USER_MAX, SP_MECH_USER_MAX, SP_MECH_PASS_MAX), DONE);
	assert_int_equal(plain_sized(0, SP_MECH_USER_MAX + 1, 8), BAD);
	assert_int_equal(plain_sized(0, 5, SP_MECH_PASS_MAX + 1), BAD);
	assert_int_equal(plain_sized(SP_MECH_USER_MAX + 1, SP_MECH_USER_MAX, 8), BAD);
	assert_int_equal(plain_sized(SP_MECH_USER_MAX, SP_MECH_USER_MAX, SP_MECH_PASS_MAX + 1),
			 BAD);
	assert_int_equal(login_sized(SP_MECH_USER_MAX, SP_MECH_PASS_MAX), DONE);
	assert_int_equal(login_sized(SP_MECH_USER_MAX + 1, 1), BAD);
	assert_int_equal(login_sized(1, SP_MECH_PASS_MAX + 1), BAD);
	assert_int_equal(login_sized(1, 3000), BAD);
}

/* Overlong base64 is refused before it is decoded, whatever it holds. */
static void test_mech_overlong(void **state)
{
	struct sp_mech m;
	const char *ch;
	size_t len;
	char *b64 = sp_big("", 16384, 'A', "", &len);

	(void)state;
	assert_int_equal(sp_mech_start(&m, "LOGIN"), 0);
	assert_int_equal(sp_mech_step(&m, b64, &ch), BAD);
	assert_int_equal(sp_mech_start(&m, "PLAIN"), 0);
	assert_int_equal(sp_mech_step(&m, b64, &ch), BAD);
	free(b64);
}

static int all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != 0)
			return 0;
	return 1;
}

/* sp_mech_clear leaves nothing; a failure wipes what was collected. */
static void test_mech_wipe(void **state)
{
	struct sp_mech m;
	const char *ch;

	(void)state;
	assert_int_equal(sp_mech_start(&m, "PLAIN"), 0);
	assert_int_equal(sp_mech_step(&m, "YWxpY2UAYWxpY2UAc2VjcmV0", &ch), DONE);
	assert_string_equal(m.pass, "secret");
	sp_mech_clear(&m);
	assert_true(all_zero(&m, sizeof(m)));
	assert_int_equal(sp_mech_step(&m, "AGFsaWNlAHB3", &ch), BAD);

	assert_int_equal(sp_mech_start(&m, "LOGIN"), 0);
	assert_int_equal(sp_mech_step(&m, "YWxpY2U=", &ch), CONT);
	assert_string_equal(m.user, "alice");
	assert_int_equal(sp_mech_step(&m, "!!!!", &ch), BAD);
	assert_true(all_zero(&m, sizeof(m)));

	/* a restart forgets the previous exchange */
	assert_int_equal(sp_mech_start(&m, "LOGIN"), 0);
	assert_int_equal(sp_mech_step(&m, "YWxpY2U=", &ch), CONT);
	assert_int_equal(sp_mech_start(&m, "PLAIN"), 0);
	assert_string_equal(m.user, "");
	assert_int_equal(sp_mech_start(&m, "NTLM"), -1);
	assert_int_equal(sp_mech_step(&m, NULL, &ch), BAD);
	assert_int_equal(sp_mech_start(&m, NULL), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mech_rows),
		cmocka_unit_test(test_mech_limits),
		cmocka_unit_test(test_mech_overlong),
		cmocka_unit_test(test_mech_wipe),
	};

	return cmocka_run_group_tests_name("mech", tests, NULL, NULL);
}
