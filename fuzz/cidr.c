/*
 * fuzz/cidr.c - libFuzzer target for the cidr: table parsers in
 * src/dict/dict_cidr.c (cidr_pattern.h): arbitrary bytes as one rule line,
 * as one address pattern and as a lookup key, and then as a whole table
 * file (through a memfd) that is opened and looked up. Besides memory
 * errors it checks what a parse promises: a network has no host bits and a
 * prefix within its family, and a result lies inside the line, trimmed.
 */
#include "dict/cidr_pattern.h"
#include "dict/dict.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fz_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static void fz_check_net(const struct sp_cidr_net *net)
{
	if (net->len != 4 && net->len != 16)
		abort();
	if (net->prefix > 8 * net->len)
		abort();
	for (int i = 0; i < net->len; i++) {
		if (net->addr[i] & ~net->mask[i])
			abort();
	}
	if (!sp_cidr_net_contains(net, net->addr, net->len))
		abort();
}

static void fz_check_rule(const struct sp_cidr_rule *r, const char *line, size_t n)
{
	if (r->op != SP_CIDR_ENDIF)
		fz_check_net(&r->net);
	if (r->op != SP_CIDR_MATCH)
		return;
	if (r->value < line || r->value_len == 0 || r->value_len > n ||
	    (size_t)(r->value - line) > n - r->value_len)
		abort();
	if (fz_space(r->value[0]) || fz_space(r->value[r->value_len - 1]))
		abort();
}

/* The input as a table file: open it, look a few addresses up. */
static void fz_table(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static const char *const keys[] = {"1.2.3.4", "10.0.0.1", "::1", "::ffff:1.2.3.4"};
	char spec[64], err[512];
	struct sp_diags dg = {0};
	struct sp_dict *d;
	const char *value;

	if (fd < 0 && (fd = memfd_create("fuzz-cidr", 0)) < 0)
		abort();
	if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	snprintf(spec, sizeof(spec), "cidr:/proc/self/fd/%d", fd);
	d = sp_dict_open(spec, 0, &dg, err, sizeof(err));
	if ((d == NULL) != (dg.errors > 0))
		abort();
	for (size_t i = 0; d != NULL && i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (sp_dict_lookup(d, keys[i], &value, err, sizeof(err)) < 0)
			abort();
	}
	sp_dict_close(&d);
	sp_diags_free(&dg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	char why[512], fix[256], key[4097];
	unsigned char addr[SP_CIDR_ADDR_BYTES];
	struct sp_cidr_rule r;
	struct sp_cidr_net net;

	if (sp_cidr_parse_rule(s, size, &r, why, sizeof(why), fix, sizeof(fix)) == 0)
		fz_check_rule(&r, s, size);
	if (sp_cidr_parse_net(s, size, &net, why, sizeof(why), fix, sizeof(fix)) == 0)
		fz_check_net(&net);
	if (size < sizeof(key)) {
		memcpy(key, s, size);
		key[size] = 0;
		if (sp_cidr_parse_key(key, addr) != 0 && r.op == SP_CIDR_MATCH)
			(void)sp_cidr_net_contains(&r.net, addr, 16);
	}
	if (size <= 65536)
		fz_table(data, size);
	return 0;
}
