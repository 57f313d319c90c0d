/*
 * cidr_pattern.h - the pure parsers behind cidr: tables (cidr_table(5)):
 * one network pattern, one rule (a logical line), and a lookup key, over
 * bytes and lengths, with no I/O and no allocation. Defined in
 * dict_cidr.c, which builds a table from them; the unit tests and
 * fuzz/cidr.c call them directly.
 *
 * Semantics are Postfix's: the address family is IPv6 when the address
 * text holds a ':' and IPv4 otherwise (so ::ffff:1.2.3.4 is an IPv6
 * address and matches only IPv6 patterns), addresses are read by
 * inet_pton(3), and a pattern matches only keys of its own family, negated
 * or not.
 */
#ifndef SP_DICT_CIDR_PATTERN_H
#define SP_DICT_CIDR_PATTERN_H

#include <stddef.h>

#define SP_CIDR_ADDR_BYTES 16   /* room for an IPv6 address */

struct sp_cidr_net {
	unsigned char addr[SP_CIDR_ADDR_BYTES];  /* network, host bits zero */
	unsigned char mask[SP_CIDR_ADDR_BYTES];
	unsigned char len;      /* address bytes: 4 (IPv4) or 16 (IPv6) */
	unsigned char prefix;   /* prefix length in bits */
};

enum sp_cidr_op {
	SP_CIDR_MATCH,  /* pattern result */
	SP_CIDR_IF,     /* if pattern */
	SP_CIDR_ENDIF,  /* endif */
};

struct sp_cidr_rule {
	enum sp_cidr_op op;
	int negate;              /* "!pattern": true for what the pattern misses */
	struct sp_cidr_net net;  /* SP_CIDR_MATCH and SP_CIDR_IF */
	const char *value;       /* SP_CIDR_MATCH: the result, inside the line */
	size_t value_len;
};

/* Parses the address pattern s[0..n) (address, address/length, [address],
 * [address]/length or [address/length]) into net. Returns 0, or -1 with
 * what is wrong in why and how to fix it in fix. */
int sp_cidr_parse_net(const char *s, size_t n, struct sp_cidr_net *net,
		      char *why, size_t whylen, char *fix, size_t fixlen);

/* Parses one logical line of a cidr table (no line break) into r; the
 * nesting of if/endif is the caller's to check. Returns 0, or -1 with why
 * and fix as sp_cidr_parse_net. */
int sp_cidr_parse_rule(const char *line, size_t n, struct sp_cidr_rule *r,
		       char *why, size_t whylen, char *fix, size_t fixlen);

/* Reads a lookup key as an IP address into addr; returns the address
 * length (4 or 16), or 0 when the key is not an IP address. */
int sp_cidr_parse_key(const char *key, unsigned char addr[SP_CIDR_ADDR_BYTES]);

/* 1 when addr (of alen bytes) lies inside net, 0 otherwise (also for an
 * address of the other family). */
int sp_cidr_net_contains(const struct sp_cidr_net *net, const unsigned char *addr, int alen);

#endif
