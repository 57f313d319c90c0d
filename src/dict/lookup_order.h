/*
 * lookup_order.h - the orders in which Postfix tries keys in access-style
 * tables, written once here for the policy engine and sender-login checks:
 *
 * mail address (check_sender_access, check_recipient_access, ...):
 *     user+ext@domain, user@domain, domain, then parent domains
 *     (parent style: example.com, com) or dot-parents (.example.com, .com),
 *     then user+ext@, user@.
 * host name (check_helo_access, client name): name, then its parents as
 *     above; a numeric name (an address) has no parents.
 * IP address (client address): the address, then its networks: one octet
 *     less at a time (1.2.3.4, 1.2.3, 1.2, 1) or, for IPv6, one
 *     :-separated group less at a time.
 * address owners (smtpd_sender_login_maps, mail_addr_find's default):
 *     user+ext@domain, user@domain, then (only when the domain is local)
 *     user+ext and user, then @domain.
 *
 * A key after the first is "partial": pattern tables (cidr, regexp, pcre)
 * are asked only for the full key, as Postfix does. The recipient
 * delimiter is a set of characters; Postfix never splits postmaster,
 * MAILER-DAEMON, double-bounce, nor owner-x / x-request when '-' is a
 * delimiter.
 */
#ifndef SP_DICT_LOOKUP_ORDER_H
#define SP_DICT_LOOKUP_ORDER_H

#include <stddef.h>

#include "dict.h"

struct sp_lookup_key {
	char *key;
	int partial;
};

#define SP_KEYS_INLINE 16      /* keys held without allocation */
#define SP_KEYS_ARENA 1024     /* key bytes held without allocation */

struct sp_lookup_keys {
	struct sp_lookup_key *v;
	size_t n, cap;
	size_t used;           /* arena bytes in use */
	struct sp_lookup_key inl[SP_KEYS_INLINE];
	char arena[SP_KEYS_ARENA];
};

/* Makes k empty (cheaper than zeroing it; "= {0}" works too). */
void sp_lookup_keys_init(struct sp_lookup_keys *k);

enum sp_parent_style {
	SP_PARENT_MATCHES,   /* parent_domain_matches_subdomains names this class */
	SP_PARENT_DOT,       /* only .domain entries match subdomains */
};

/* Keys for an address in an access table; addr is user@domain (internal
 * form, unquoted local part); delim is recipient_delimiter ("" for none). */
void sp_keys_mail_access(const char *addr, const char *delim, enum sp_parent_style ps,
			 struct sp_lookup_keys *out);

/* Keys for a host name in an access table. */
void sp_keys_domain_access(const char *name, enum sp_parent_style ps,
			   struct sp_lookup_keys *out);

/* Keys for an IP address (printed form) in an access table. */
void sp_keys_addr_access(const char *addr, struct sp_lookup_keys *out);

/* Keys for the owners of an address (smtpd_sender_login_maps). */
void sp_keys_addr_owner(const char *addr, const char *delim, int domain_is_local,
			struct sp_lookup_keys *out);

/* Looks keys up in order, each key in every table before the next key;
 * partial keys skip pattern tables. Returns 1 with *value and *matched (the
 * key that matched; both valid until the next lookup), 0, or -1 with err. */
int sp_lookup_first(struct sp_dict *const *dicts, size_t n, const struct sp_lookup_keys *keys,
		    const char **value, const char **matched, char *err, size_t errlen);

/* Releases the keys (the struct can be reused). */
void sp_lookup_keys_free(struct sp_lookup_keys *k);

#endif
