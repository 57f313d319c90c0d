/*
 * hostname.h - host name and address syntax as Postfix checks it
 * (valid_hostname, valid_ipv4_hostaddr, valid_ipv6_hostaddr): the one
 * implementation the resolver, the policy engine and the DNS module share.
 * Pure functions on NUL-terminated strings.
 */
#ifndef SP_UTIL_HOSTNAME_H
#define SP_UTIL_HOSTNAME_H

enum {
	SP_HOST_WILDCARD = 1 << 0,  /* '*' may be the whole first label */
	SP_HOST_UTF8 = 1 << 1,      /* non-ASCII bytes allowed in labels (then the
				     * whole name must be valid UTF-8; no IDNA) */
};

#define SP_HOSTNAME_MAX 255
#define SP_HOSTLABEL_MAX 63

/* Labels of letters, digits, '_' and inner '-', each at most 63 bytes,
 * at most 255 in all, separated by single dots, not all-numeric. */
int sp_valid_hostname(const char *name, unsigned flags);

/* Four decimal octets; no first octet 0 except in 0.0.0.0. */
int sp_valid_ipv4(const char *s);

/* Hex fields of up to four digits, at most one "::", an optional IPv4
 * tail. */
int sp_valid_ipv6(const char *s);

/* sp_valid_ipv6 when s holds a ':', else sp_valid_ipv4. */
int sp_valid_hostaddr(const char *s);

#endif
