/*
 * lookup_order.c - key sequences for access-style lookups (see
 * lookup_order.h) and the first-match search over a list of tables.
 */
#include "lookup_order.h"
#include "dict_impl.h"
#include "../util/mem.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void sp_lookup_keys_init(struct sp_lookup_keys *k)
{
	k->v = NULL;
	k->n = k->cap = k->used = 0;
}

/* Keys and their bytes live in the struct while they fit (a lookup makes
 * a dozen of them per address), on the heap after that. */
static void sp_keys_add(struct sp_lookup_keys *k, const char *s, size_t n, int partial)
{
	char *key;

	if (k->v == NULL) {
		k->v = k->inl;
		k->cap = SP_KEYS_INLINE;
	}
	if (k->n == k->cap) {
		struct sp_lookup_key *v = sp_xmalloc(2 * k->cap * sizeof(*v));
		memcpy(v, k->v, k->n * sizeof(*v));
		if (k->v != k->inl)
			free(k->v);
		k->v = v;
		k->cap *= 2;
	}
	if (n < SP_KEYS_ARENA - k->used) {
		key = k->arena + k->used;
		memcpy(key, s, n);
		key[n] = 0;
		k->used += n + 1;
	} else {
		key = sp_xstrndup(s, n);
	}
	k->v[k->n].key = key;
	k->v[k->n].partial = k->n > 0 ? partial : 0;
	k->n++;
}

void sp_lookup_keys_free(struct sp_lookup_keys *k)
{
	for (size_t i = 0; i < k->n; i++)
		if (k->v[i].key < k->arena || k->v[i].key >= k->arena + SP_KEYS_ARENA)
			free(k->v[i].key);
	if (k->v != k->inl)
		free(k->v);
	sp_lookup_keys_init(k);
}

/* Length of the local part without its extension, or 0 when it must not
 * be split (Postfix's split_addr rules). */
static size_t sp_bare_len(const char *local, size_t n, const char *delim)
{
	size_t len;

	if (*delim == 0)
		return 0;
	if ((n == 10 && strncasecmp(local, "postmaster", 10) == 0) ||
	    (n == 13 && strncasecmp(local, "MAILER-DAEMON", 13) == 0) ||
	    (n == 13 && strncasecmp(local, "double-bounce", 13) == 0))
		return 0;
	if (strchr(delim, '-') &&
	    ((n >= 6 && strncasecmp(local, "owner-", 6) == 0) ||
	     (n > 8 && strncasecmp(local + n - 8, "-request", 8) == 0)))
		return 0;
	for (len = 0; len < n && strchr(delim, local[len]) == NULL; len++)
		;
	return len == 0 || len == n ? 0 : len;
}

/* Adds name and its parents (or dot-parents) as Postfix walks them. */
static void sp_keys_domains(struct sp_lookup_keys *out, const char *name,
			    enum sp_parent_style ps, int first_partial)
{
	const char *p = name, *next;
	int partial = first_partial;

	while (*p) {
		sp_keys_add(out, p, strlen(p), partial);
		if ((next = strchr(p + 1, '.')) == NULL)
			break;
		p = ps == SP_PARENT_MATCHES ? next + 1 : next;
		partial = 1;
	}
}

/* Adds user@domain: the address without its extension (bare bytes of
 * local part, then the "@domain" at at). */
static void sp_keys_bare_address(struct sp_lookup_keys *out, const char *addr, size_t bare,
				 const char *at)
{
	char *tmp = sp_xmalloc(bare + strlen(at) + 1);

	memcpy(tmp, addr, bare);
	strcpy(tmp + bare, at);
	sp_keys_add(out, tmp, strlen(tmp), 1);
	free(tmp);
}

void sp_keys_mail_access(const char *addr, const char *delim, enum sp_parent_style ps,
			 struct sp_lookup_keys *out)
{
	const char *at = strrchr(addr, '@');
	size_t llen = at ? (size_t)(at - addr) : strlen(addr);
	size_t bare = sp_bare_len(addr, llen, delim);

	sp_keys_add(out, addr, strlen(addr), 0);
	if (at == NULL)
		return;
	if (bare)
		sp_keys_bare_address(out, addr, bare, at);   /* user@domain */
	if (at[1])
		sp_keys_domains(out, at + 1, ps, 1);
	sp_keys_add(out, addr, llen + 1, 1);               /* user+ext@ */
	if (bare)
		sp_keys_bare_address(out, addr, bare, "@");   /* user@ */
}

/* 1 when name is an IPv4 or IPv6 address (no subdomain magic for it). */
static int sp_is_hostaddr(const char *name)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, name, buf) == 1 || inet_pton(AF_INET6, name, buf) == 1;
}

void sp_keys_domain_access(const char *name, enum sp_parent_style ps,
			   struct sp_lookup_keys *out)
{
	if (*name == 0)
		return;
	if (sp_is_hostaddr(name)) {
		sp_keys_add(out, name, strlen(name), 0);
		return;
	}
	sp_keys_domains(out, name, ps, 0);
}

void sp_keys_addr_access(const char *addr, struct sp_lookup_keys *out)
{
	char delim = strchr(addr, ':') ? ':' : '.';
	size_t full = strlen(addr), n = full;

	/* As Postfix: look up (the address itself in every table, its networks
	 * in fixed-string tables only), cut at the last delimiter, repeat while
	 * one was found (so "::1" also tries ":" and ""). */
	for (;;) {
		size_t i = n;
		sp_keys_add(out, addr, n, n != full);
		while (i > 0 && addr[i - 1] != delim)
			i--;
		if (i == 0)
			break;
		n = i - 1;
	}
}

void sp_keys_addr_owner(const char *addr, const char *delim, int domain_is_local,
			struct sp_lookup_keys *out)
{
	const char *at = strrchr(addr, '@');
	size_t llen = at ? (size_t)(at - addr) : strlen(addr);
	size_t bare = sp_bare_len(addr, llen, delim);

	sp_keys_add(out, addr, strlen(addr), 0);
	if (at == NULL)
		return;
	if (bare)
		sp_keys_bare_address(out, addr, bare, at);   /* user@domain */
	if (domain_is_local) {
		sp_keys_add(out, addr, llen, 1);           /* user+ext */
		if (bare)
			sp_keys_add(out, addr, bare, 1);   /* user */
	}
	sp_keys_add(out, at, strlen(at), 1);               /* @domain */
}

/* Each key in every table before the next key. */
static int sp_lookup_keys_in(struct sp_dict *const *dicts, size_t n,
			     const struct sp_lookup_keys *keys, const char **value,
			     const char **matched, char *err, size_t errlen)
{
	for (size_t k = 0; k < keys->n; k++) {
		for (size_t i = 0; i < n; i++) {
			int rc;
			if (keys->v[k].partial && dicts[i]->ops->pattern)
				continue;
			rc = sp_dict_lookup(dicts[i], keys->v[k].key, value, err, errlen);
			if (rc != 0) {
				if (rc == 1)
					*matched = keys->v[k].key;
				return rc;
			}
		}
	}
	return 0;
}

int sp_lookup_first(struct sp_dict *const *dicts, size_t n, const struct sp_lookup_keys *keys,
		    const char **value, const char **matched, char *err, size_t errlen)
{
	size_t held = 0;
	int rc = 0;

	/* One consistent view of each table for all the keys (and one lock). */
	while (held < n && keys->n > 1 && rc == 0)
		if ((rc = sp_dict_hold(dicts[held], err, errlen)) == 0)
			held++;
	if (rc == 0)
		rc = sp_lookup_keys_in(dicts, n, keys, value, matched, err, errlen);
	while (held > 0)
		sp_dict_release(dicts[--held]);
	return rc;
}
