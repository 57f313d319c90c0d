/*
 * mech.c - SASL PLAIN and LOGIN, server side (see mech.h). A response is
 * checked with the protocol's strict base64 test (sp_dv_base64_valid),
 * decoded by OpenSSL into a bounded buffer on the stack that is wiped
 * afterwards, and split into its fields; any failure ends the exchange and
 * wipes what it had collected. Besides NUL, a login name may not hold
 * control bytes (tab, CR, LF...): SASLprep prohibits them and the name is
 * sent on in Dovecot's user= field; a password may hold anything but NUL. The states: not started (or finished),
 * started, and for LOGIN waiting for the user name or the password.
 */
#include "mech.h"

#include "dovecot.h"

#include <openssl/evp.h>
#include <string.h>
#include <strings.h>

/* The longest decoded response: PLAIN's authzid NUL authcid NUL passwd. */
#define SP_MECH_RESP_MAX (2 * SP_MECH_USER_MAX + 2 + SP_MECH_PASS_MAX)
/* The longest base64 response, and what it decodes to at most. */
#define SP_MECH_B64_MAX ((SP_MECH_RESP_MAX + 2) / 3 * 4)
#define SP_MECH_DEC_MAX (SP_MECH_B64_MAX / 4 * 3)

enum {
	SP_MECH_S_NONE,        /* not started, done or failed: every step is bad */
	SP_MECH_S_START,       /* before the first response */
	SP_MECH_S_PLAIN,       /* PLAIN: the response after an empty challenge */
	SP_MECH_S_USER,        /* LOGIN: the user name */
	SP_MECH_S_PASS,        /* LOGIN: the password */
};

static const char sp_mech_username[] = "VXNlcm5hbWU6";   /* "Username:" */
static const char sp_mech_password[] = "UGFzc3dvcmQ6";   /* "Password:" */

int sp_mech_start(struct sp_mech *m, const char *name)
{
	memset(m, 0, sizeof(*m));
	if (name == NULL)
		return -1;
	if (strcasecmp(name, "PLAIN") == 0)
		m->kind = SP_MECH_PLAIN;
	else if (strcasecmp(name, "LOGIN") == 0)
		m->kind = SP_MECH_LOGIN;
	else
		return -1;
	m->step = SP_MECH_S_START;
	return 0;
}

/* Decodes b64 into out (SP_MECH_DEC_MAX bytes); *n is the decoded length.
 * -1 for bad or overlong base64. */
static int sp_mech_decode(const char *b64, unsigned char *out, size_t *n)
{
	size_t len = strnlen(b64, SP_MECH_B64_MAX + 1), pad = 0;
	int got;

	if (len > SP_MECH_B64_MAX || !sp_dv_base64_valid(b64, len))
		return -1;
	while (pad < len && b64[len - 1 - pad] == '=')
		pad++;
	got = EVP_DecodeBlock(out, (const unsigned char *)b64, (int)len);
	if (got < 0 || (size_t)got < pad)
		return -1;
	*n = (size_t)got - pad;
	return 0;
}

/* Copies n bytes into a field of size bytes: -1 when they hold a NUL, do
 * not fit, or are empty and may not be. */
static int sp_mech_copy(char *dst, size_t size, const unsigned char *src, size_t n, int empty_ok)
{
	if (n >= size || memchr(src, 0, n) != NULL || (n == 0 && !empty_ok))
		return -1;
	memcpy(dst, src, n);
	dst[n] = 0;
	return 0;
}

/* 1 when a login name has no control bytes (SASLprep prohibits them, and
 * the name goes into the protocol's user= field as it is). */
static int sp_mech_name_ok(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 32 || *s == 127)
			return 0;
	return 1;
}

/* PLAIN's response: authzid NUL authcid NUL passwd (RFC 4616). */
static enum sp_mech_result sp_mech_plain(struct sp_mech *m, const unsigned char *r, size_t n)
{
	const unsigned char *z1 = memchr(r, 0, n), *z2;

	if (z1 == NULL)
		return SP_MECH_BAD;
	z2 = memchr(z1 + 1, 0, n - (size_t)(z1 + 1 - r));
	if (z2 == NULL)
		return SP_MECH_BAD;
	if (sp_mech_copy(m->authzid, sizeof(m->authzid), r, (size_t)(z1 - r), 1) < 0 ||
	    sp_mech_copy(m->user, sizeof(m->user), z1 + 1, (size_t)(z2 - z1 - 1), 0) < 0 ||
	    sp_mech_copy(m->pass, sizeof(m->pass), z2 + 1, n - (size_t)(z2 + 1 - r), 1) < 0)
		return SP_MECH_BAD;
	if (!sp_mech_name_ok(m->user))
		return SP_MECH_BAD;
	if (m->authzid[0] != 0 && strcmp(m->authzid, m->user) != 0)
		return SP_MECH_BAD;   /* logging in as someone else: not offered */
	return SP_MECH_DONE;
}

/* LOGIN's responses: the user name, then the password. */
static enum sp_mech_result sp_mech_login(struct sp_mech *m, const unsigned char *r, size_t n,
					 const char **challenge)
{
	if (m->step == SP_MECH_S_PASS)
		return sp_mech_copy(m->pass, sizeof(m->pass), r, n, 1) < 0 ? SP_MECH_BAD
									   : SP_MECH_DONE;
	if (sp_mech_copy(m->user, sizeof(m->user), r, n, 0) < 0 || !sp_mech_name_ok(m->user))
		return SP_MECH_BAD;
	m->step = SP_MECH_S_PASS;
	*challenge = sp_mech_password;
	return SP_MECH_CONT;
}

/* The first step without an initial response: the first challenge. */
static enum sp_mech_result sp_mech_no_resp(struct sp_mech *m, const char **challenge)
{
	if (m->step != SP_MECH_S_START)
		return SP_MECH_BAD;
	m->step = m->kind == SP_MECH_PLAIN ? SP_MECH_S_PLAIN : SP_MECH_S_USER;
	*challenge = m->kind == SP_MECH_PLAIN ? "" : sp_mech_username;
	return SP_MECH_CONT;
}

/* One step in a state that takes a response. */
static enum sp_mech_result sp_mech_resp(struct sp_mech *m, const char *b64, const char **challenge)
{
	unsigned char r[SP_MECH_DEC_MAX];
	size_t n = 0;
	enum sp_mech_result res = SP_MECH_BAD;

	if (m->step == SP_MECH_S_NONE || sp_mech_decode(b64, r, &n) < 0)
		res = SP_MECH_BAD;
	else if (m->kind == SP_MECH_PLAIN)
		res = sp_mech_plain(m, r, n);
	else if (m->kind == SP_MECH_LOGIN)
		res = sp_mech_login(m, r, n, challenge);
	explicit_bzero(r, sizeof(r));
	return res;
}

enum sp_mech_result sp_mech_step(struct sp_mech *m, const char *b64, const char **challenge)
{
	const char *unused;
	enum sp_mech_result res;

	if (challenge == NULL)
		challenge = &unused;
	*challenge = "";
	res = b64 == NULL ? sp_mech_no_resp(m, challenge) : sp_mech_resp(m, b64, challenge);
	if (res == SP_MECH_BAD) {
		sp_mech_clear(m);
		*challenge = "";
	} else if (res == SP_MECH_DONE) {
		m->step = SP_MECH_S_NONE;   /* user and pass stay for the check */
	}
	return res;
}

void sp_mech_clear(struct sp_mech *m)
{
	explicit_bzero(m, sizeof(*m));
}
