/*
 * fuzz/dovecot_server.c - Dovecot auth protocol lines from a hostile auth
 * client (auth/dovecot.h, server side): any bytes, split at LF, must parse
 * or be refused without a crash; whatever parses must keep its bounds (ids,
 * names, addresses, base64), and an id and data that parsed must format
 * into a CONT line that the client side reads back to the same values.
 */
#include "auth/dovecot.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int field_ok(const char *s, size_t size, int spaces)
{
	size_t len = strnlen(s, size);

	if (len >= size)
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 32 || c == 127 || (!spaces && (c == ' ' || c > 127)))
			return 0;
	}
	return 1;
}

static int mech_ok(const char *s)
{
	size_t len = strnlen(s, 64);

	if (len == 0 || len >= 64)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
			return 0;
	return 1;
}

static void check(const struct sp_dvs_line *o)
{
	static char buf[SP_DV_LINE_MAX + 2];
	static struct sp_dv_line back;
	size_t dl = strnlen(o->data, sizeof(o->data));
	int n;

	if (dl > SP_DV_DATA_MAX || !sp_dv_base64_valid(o->data, dl))
		abort();
	if (!field_ok(o->mech, sizeof(o->mech), 0) || !field_ok(o->service, sizeof(o->service), 1) ||
	    !field_ok(o->lip, sizeof(o->lip), 0) || !field_ok(o->rip, sizeof(o->rip), 0) ||
	    o->lport > 65535 || o->rport > 65535)
		abort();
	if (o->kind == SP_DVS_CPID && (o->pid == 0 || o->pid > 4294967295UL))
		abort();
	if (o->kind != SP_DVS_AUTH && o->kind != SP_DVS_CONT)
		return;
	if (o->id == 0 || o->id > 4294967295UL)
		abort();
	if (o->kind == SP_DVS_AUTH && (!mech_ok(o->mech) || (!o->has_resp && dl != 0)))
		abort();
	n = sp_dvs_format_cont(buf, sizeof(buf), o->id, o->data);
	if (n <= 0 || (size_t)n != strlen(buf) || sp_dv_parse(buf, (size_t)n - 1, &back) < 0 ||
	    back.kind != SP_DV_CONT || back.id != o->id || strcmp(back.data, o->data) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sp_dvs_line o;
	const char *p = (const char *)data, *end = p + size;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (sp_dvs_parse(p, len, &o) == 0)
			check(&o);
		p += len + 1;
	}
	return 0;
}
