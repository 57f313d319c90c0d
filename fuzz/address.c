/*
 * fuzz/address.c - libFuzzer target for src/smtp/address.c: the first byte
 * chooses the options (SP_ADDR_OPT_* bits), the rest is the text after
 * "MAIL FROM:" / "RCPT TO:". Besides memory errors it checks the contract:
 * a parsed address holds no control character, respects the limits, ends
 * where it says, and its external form parses back to the same internal
 * form (or fails only for length, since quoting can lengthen it).
 */
#include "smtp/address.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts unless s[0..n) is NUL-terminated there and free of C0 controls. */
static void check_str(const char *s, size_t n, size_t max)
{
	if (n > max || s[n] != 0 || strlen(s) != n)
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			abort();
}

static void check_parsed(const struct sp_addr *a, const uint8_t *in, size_t size,
			 size_t end, unsigned opts)
{
	check_str(a->local_raw, a->local_raw_len, SP_ADDR_LOCAL_MAX);
	check_str(a->local, a->local_len, a->local_raw_len);
	check_str(a->domain, a->domain_len, SP_ADDR_DOMAIN_MAX);
	check_str(a->route, a->route_len, SP_ADDR_PATH_MAX);
	if (end > size || (end < size && in[end] != ' ' && in[end] != '\t'))
		abort();
	if (!(opts & SP_ADDR_OPT_SMTPUTF8) && (a->flags & SP_ADDR_F_8BIT))
		abort();
	if ((a->flags & SP_ADDR_F_NULL) != 0 && (a->local_len || a->domain_len))
		abort();
	if (!(a->flags & (SP_ADDR_F_NULL | SP_ADDR_F_POSTMASTER)) &&
	    (a->local_len == 0 || a->domain_len == 0 || a->dkind == SP_ADDR_DK_NONE))
		abort();
}

/* Formats a, parses "<external>" and compares the internal forms. */
static void round_trip(const struct sp_addr *a, unsigned opts)
{
	struct sp_buf ext, path;
	struct sp_addr b;
	size_t end;
	enum sp_addr_err e;

	if (a->flags & SP_ADDR_F_NULL)
		return;
	sp_buf_init(&ext, SP_ADDR_EXTERNAL_MAX);
	sp_buf_init(&path, SP_ADDR_EXTERNAL_MAX + 2);
	if (sp_addr_format(a, &ext) != 0)
		abort();
	if (sp_buf_addc(&path, '<') || sp_buf_add(&path, ext.data, ext.len) ||
	    sp_buf_addc(&path, '>'))
		abort();
	e = sp_addr_parse(path.data, path.len, opts, &b, &end);
	if (e == SP_ADDR_OK) {
		if (b.local_len != a->local_len || memcmp(b.local, a->local, a->local_len) ||
		    b.domain_len != a->domain_len ||
		    memcmp(b.domain, a->domain, a->domain_len) || b.dkind != a->dkind ||
		    end != path.len)
			abort();
	} else if (e != SP_ADDR_E_LOCAL_TOO_LONG && e != SP_ADDR_E_PATH_TOO_LONG) {
		abort();
	}
	sp_buf_free(&ext);
	sp_buf_free(&path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sp_addr a;
	size_t end;
	unsigned opts;

	if (size < 1)
		return 0;
	opts = data[0] & 0x1f;
	if (sp_addr_parse((const char *)data + 1, size - 1, opts, &a, &end) != SP_ADDR_OK)
		return 0;
	check_parsed(&a, data + 1, size - 1, end, opts);
	round_trip(&a, opts);
	return 0;
}
