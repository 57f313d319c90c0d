/*
 * fuzz/mech.c - SASL PLAIN and LOGIN, server side (auth/mech.h), driven by
 * fuzzer-chosen responses. The first byte picks the mechanism (bit 0:
 * LOGIN), whether the first step has no initial response (bit 1) and
 * whether the responses are raw bytes that the target base64-encodes
 * (bit 2) or base64 text as it is. Then come responses, each a 2-byte
 * length and its bytes. After every step the result, challenge and fields
 * must keep their bounds; a DONE must have a login name without control
 * bytes, and from raw responses must give back exactly the bytes sent; a BAD must leave nothing behind, and so must the clear.
 */
#include "auth/mech.h"

#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RAW_MAX 4096

struct run {
	struct sp_mech m;
	int raw;
	unsigned char last[RAW_MAX], prev[RAW_MAX];   /* raw responses */
	size_t lastlen, prevlen;
};

static int all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != 0)
			return 0;
	return 1;
}

/* A raw PLAIN response that came out DONE is authzid NUL user NUL pass. */
static void check_plain(const struct run *r)
{
	const struct sp_mech *m = &r->m;
	size_t zl = strlen(m->authzid), ul = strlen(m->user), pl = strlen(m->pass);

	if (zl + ul + pl + 2 != r->lastlen || memcmp(r->last, m->authzid, zl) != 0 ||
	    r->last[zl] != 0 || memcmp(r->last + zl + 1, m->user, ul) != 0 ||
	    r->last[zl + 1 + ul] != 0 || memcmp(r->last + zl + ul + 2, m->pass, pl) != 0)
		abort();
}

/* Raw LOGIN responses that came out DONE are the user, then the password. */
static void check_login(const struct run *r)
{
	const struct sp_mech *m = &r->m;

	if (strlen(m->user) != r->prevlen || memcmp(m->user, r->prev, r->prevlen) != 0 ||
	    strlen(m->pass) != r->lastlen || memcmp(m->pass, r->last, r->lastlen) != 0)
		abort();
}

static void check(const struct run *r, enum sp_mech_result res, const char *ch)
{
	const struct sp_mech *m = &r->m;
	size_t ul = strnlen(m->user, sizeof(m->user)), pl = strnlen(m->pass, sizeof(m->pass));
	size_t zl = strnlen(m->authzid, sizeof(m->authzid));

	if (ch == NULL || ul >= sizeof(m->user) || pl >= sizeof(m->pass) || zl >= sizeof(m->authzid))
		abort();
	if (res == SP_MECH_CONT && strcmp(ch, "") != 0 && strcmp(ch, "VXNlcm5hbWU6") != 0 &&
	    strcmp(ch, "UGFzc3dvcmQ6") != 0)
		abort();
	if (res != SP_MECH_CONT && strcmp(ch, "") != 0)
		abort();
	if (res == SP_MECH_BAD && !all_zero(m, sizeof(*m)))
		abort();
	if (res != SP_MECH_DONE)
		return;
	if (ul == 0 || (zl != 0 && strcmp(m->authzid, m->user) != 0))
		abort();
	for (size_t i = 0; i < ul; i++)   /* no control bytes in a login name */
		if ((unsigned char)m->user[i] < 32 || m->user[i] == 127)
			abort();
	if (r->raw && m->kind == SP_MECH_PLAIN)
		check_plain(r);
	if (r->raw && m->kind == SP_MECH_LOGIN)
		check_login(r);
}

/* The next response as a C string for sp_mech_step (b64: 2 * RAW_MAX). */
static const char *next(struct run *r, const uint8_t **p, const uint8_t *end, char *b64)
{
	size_t n;

	if (end - *p < 2)
		return NULL;
	n = (size_t)(*p)[0] << 8 | (*p)[1];
	*p += 2;
	if (n > (size_t)(end - *p))
		n = (size_t)(end - *p);
	if (n >= RAW_MAX)
		n = RAW_MAX - 1;
	memcpy(r->prev, r->last, r->lastlen);
	r->prevlen = r->lastlen;
	memcpy(r->last, *p, n);
	r->lastlen = n;
	*p += n;
	if (r->raw) {
		EVP_EncodeBlock((unsigned char *)b64, r->last, (int)n);
	} else {
		memcpy(b64, r->last, n);
		b64[n] = 0;
	}
	return b64;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct run r;
	static char b64[2 * RAW_MAX];
	const uint8_t *p = data, *end = data + size;
	enum sp_mech_result res = SP_MECH_CONT;
	const char *ch = NULL, *resp;

	if (size < 1)
		return 0;
	memset(&r, 0, sizeof(r));
	r.raw = (data[0] & 4) != 0;
	if (sp_mech_start(&r.m, data[0] & 1 ? "login" : "PLAIN") < 0)
		abort();
	p++;
	if (data[0] & 2) {
		res = sp_mech_step(&r.m, NULL, &ch);
		if (res != SP_MECH_CONT)
			abort();
		check(&r, res, ch);
	}
	for (int steps = 0; steps < 8 && (resp = next(&r, &p, end, b64)) != NULL; steps++) {
		int ended = res != SP_MECH_CONT;
		res = sp_mech_step(&r.m, resp, &ch);
		if (ended && res != SP_MECH_BAD)
			abort();
		check(&r, res, ch);
	}
	sp_mech_clear(&r.m);
	if (!all_zero(&r.m, sizeof(r.m)))
		abort();
	return 0;
}
