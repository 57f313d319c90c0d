/*
 * resolve.h - address classes, as Postfix's trivial-rewrite(8) resolves a
 * recipient for smtpd: which class its domain is in (local, virtual alias,
 * virtual mailbox, relay, or none of ours), after seeing through every
 * address form that has been used to relay (user%other@ours with
 * allow_percent_hack, other!user@ours with swap_bangpath, a source route
 * @ours:user@other, a quoted local part "user@other"@ours with
 * resolve_dequoted_address, an address literal user@[192.0.2.1] matched
 * against the machine's addresses, a trailing dot, any case). Compiled once
 * from a configuration view; resolving is pure.
 */
#ifndef SP_POLICY_RESOLVE_H
#define SP_POLICY_RESOLVE_H

#include <stddef.h>

#include "../config/config.h"
#include "../util/diag.h"

enum sp_addr_class {
	SP_CLASS_LOCAL,          /* mydestination, $myhostname forms, our address literals */
	SP_CLASS_VIRTUAL_ALIAS,  /* virtual_alias_domains */
	SP_CLASS_VIRTUAL_MAILBOX,/* virtual_mailbox_domains */
	SP_CLASS_RELAY,          /* relay_domains */
	SP_CLASS_DEFAULT,        /* none of ours: the rest of the world */
};

enum {
	SP_RESOLVE_ROUTED = 1 << 0,  /* the address had routing in it (%, !, quoted @) */
	SP_RESOLVE_ERROR = 1 << 1,   /* a table lookup failed: answer 4xx */
	/* Added with resolve.c: */
	SP_RESOLVE_SOURCE_ROUTE = 1 << 2, /* a source route was dropped (as Postfix does,
					   * and RFC 5321 appendix C asks): not ROUTED */
	SP_RESOLVE_INVALID = 1 << 3, /* Postfix's RESOLVE_FLAG_ERROR: the resolved domain
				      * is no host name or address literal, or the input
				      * is too long (class DEFAULT); or the local part
				      * starts with '-' without allow_min_user (class kept) */
};

/* Longest input sp_resolve looks at; longer ones are SP_RESOLVE_INVALID. */
#define SP_RESOLVE_INPUT_MAX 512

struct sp_resolved {
	enum sp_addr_class cls;
	unsigned flags;
	char domain[256];        /* the domain that decided the class (lower case) */
	char address[520];       /* the address as resolved (user@domain, internal form) */
};

struct sp_resolver;

/* Compiles the resolver from a view (mydestination, myhostname,
 * inet_interfaces, virtual_alias_domains, virtual_mailbox_domains,
 * relay_domains, allow_percent_hack, swap_bangpath,
 * resolve_dequoted_address, parent_domain_matches_subdomains...), opening
 * the tables those lists name. NULL after errors (in d). */
struct sp_resolver *sp_resolver_compile(const struct sp_view *v, struct sp_diags *d);

/* Resolves an address in internal form (unquoted local part, as
 * src/smtp/address.h yields it; "" is the null address; a leading
 * "@a,@b:" is a source route, as Postfix's quote_822_local reads it; an
 * address without '@' is qualified as smtpd's "local" rewriting does).
 * out->domain and the domain in out->address are lower case, the local
 * part keeps its case. Returns 0, or -1 with err when a table lookup failed
 * (out->flags has SP_RESOLVE_ERROR). */
int sp_resolve(const struct sp_resolver *r, const char *addr, struct sp_resolved *out,
	       char *err, size_t errlen);

void sp_resolver_free(struct sp_resolver **rp);

/* Added with resolve.c: 1 when Postfix's permit_auth_destination would
 * permit the resolved recipient (not ROUTED unless allow_untrusted_routing;
 * then class LOCAL, VIRTUAL_ALIAS, VIRTUAL_MAILBOX or RELAY), else 0; 0
 * also for SP_RESOLVE_ERROR, which the caller answers with 4xx first. */
int sp_resolve_auth_destination(const struct sp_resolved *res, int allow_untrusted_routing);

#endif
