/*
 * netlist.h - Postfix's client address lists (mynetworks,
 * smtpd_forbid_bare_newline_exclusions, smtpd_client_event_limit_exceptions,
 * debug_peer_list...): compiled once at load from the expanded parameter
 * value, then matched against client addresses, read-only.
 *
 * Syntax and semantics are those of Postfix's addr_match_list: elements
 * separated by commas and white space; the first element that matches
 * decides, and "!element" (any number of '!') inverts its answer; an
 * element is an IPv4 address or network (192.0.2.1, 192.0.2.0/24, also in
 * brackets), an IPv6 address or network in brackets ([::1], [2001:db8::]/32,
 * [2001:db8::/32]), "type:table" (the client address is the only key, the
 * result is ignored: found means matched), or "/file/name", whose lines
 * (except lines that start with '#') hold more elements, negated as a whole
 * by "!/file/name". An element that starts with '#' ends its line, with a
 * warning, as in Postfix. A client address ::ffff:a.b.c.d is matched as the
 * IPv4 address a.b.c.d, as Postfix's smtpd does when IPv4 is enabled, so an
 * IPv6 entry inside ::ffff:0:0/96 never matches (a warning at compile).
 *
 * Stricter than Postfix, on purpose (every case is an error at compile,
 * naming the element, where Postfix errs only when a client reaches the
 * element, or silently never matches): host names and anything else that
 * is not an address, an IPv6 address without brackets (Postfix reads
 * 2001:db8::/32 as a table of type "2001"), a file or table that cannot be
 * opened, a /file/name inside a file, prefix lengths that Postfix would
 * wrap. Lists are bounded: SP_NETLIST_MAX elements (after files are read),
 * SP_NETLIST_ELEM_MAX bytes per element, SP_NETLIST_FILE_MAX per file.
 */
#ifndef SP_POLICY_NETLIST_H
#define SP_POLICY_NETLIST_H

#include <stddef.h>

#include "../util/diag.h"

#define SP_NETLIST_MAX 10000               /* elements in one list, files included */
#define SP_NETLIST_ELEM_MAX 4096           /* bytes in one element */
#define SP_NETLIST_FILE_MAX (4u << 20)     /* bytes in one /file/name */

struct sp_netlist;

/* Named address blocks for the coverage report. */
enum {
	SP_NETBLOCK_V4_ALL = 1 << 0,   /* 0.0.0.0/0 */
	SP_NETBLOCK_V6_ALL = 1 << 1,   /* ::/0 */
	SP_NETBLOCK_V4MAPPED = 1 << 2, /* ::ffff:0:0/96 (never matches a client, see above) */
	SP_NETBLOCK_CGNAT = 1 << 3,    /* 100.64.0.0/10, carrier-grade NAT */
	SP_NETBLOCK_DOCKER = 1 << 4,   /* 172.17.0.0/16, Docker's default bridge */
};

/* What a compiled list matches, from its address elements in order (with
 * negation and first match); table elements are counted, not evaluated. */
struct sp_netlist_coverage {
	double v4;           /* IPv4 addresses matched (exact: 0 .. 2^32) */
	double v6;           /* IPv6 addresses matched outside ::ffff:0:0/96 (approximate past 2^53) */
	int v6_beyond_loopback; /* some IPv6 address other than ::1 matches */
	double v4mapped;     /* IPv4 addresses the entries inside ::ffff:0:0/96 name (never matched) */
	unsigned full;       /* SP_NETBLOCK_* blocks whose every address the entries match */
	unsigned some;       /* SP_NETBLOCK_* blocks with at least one matched address */
	size_t elems;        /* elements, files expanded */
	size_t tables;       /* type:table elements (not in the numbers above) */
};

/* Compiles the expanded value of param (named with file and line in
 * diagnostics; file may be NULL); diags must not be NULL. Returns the list
 * (an empty value gives an empty list), or NULL after adding at least one
 * error to diags. Tables are opened here, before any chroot. */
struct sp_netlist *sp_netlist_compile(const char *value, const char *param, const char *file,
				      int line, struct sp_diags *diags);

/* Matches a client address ("192.0.2.1", "2001:db8::1", "::ffff:192.0.2.1"):
 * 1 matched, 0 not matched (also when a negated element matched first), -1
 * with err when addr is not an IP address or a table lookup fails (Postfix
 * then defers the client). matched, if not NULL, is set on 1 and 0 to the
 * deciding element as written (NULL when no element decided). */
int sp_netlist_match(const struct sp_netlist *nl, const char *addr, const char **matched,
		     char *err, size_t errlen);

/* One client address inside each non-negated address element, in list
 * order, for the auditor's relay proofs: the element's first usable host
 * (the network address + 1 when the prefix leaves room), written as the
 * server would see the client ("192.0.2.1", "2001:db8::1"); elem[i] points
 * at the element as written. Returns how many were written (at most max). */
size_t sp_netlist_samples(const struct sp_netlist *nl, char (*addr)[64], const char **elem,
			  size_t max);

/* Fills cov with what nl's address elements match. */
void sp_netlist_coverage(const struct sp_netlist *nl, struct sp_netlist_coverage *cov);

/* Closes the tables, frees the list and sets *nlp to NULL. */
void sp_netlist_free(struct sp_netlist **nlp);

#endif
