/*
 * fuzz/cidr.c - libFuzzer target for the cidr: table parsers in
 * src/dict/dict_cidr.c (cidr_pattern.h): arbitrary bytes as one rule line,
 * as one address pattern and as a lookup key. Besides memory errors it
 * checks what a parse promises: a network has no host bits and a prefix
 * within its family, and a result lies inside the line, trimmed.
 */
#include "dict/cidr_pattern.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
	return 0;
}
