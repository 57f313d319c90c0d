/*
 * mynetworks.c - the value of mynetworks when it is not set: sallyport's
 * default (loopback only) unless mynetworks_style is set, in which case
 * it is computed from the machine's interface addresses as Postfix does:
 * "host" the addresses themselves, "subnet" the networks they are on,
 * "class" their whole class A, B or C network (IPv6: the subnet).
 */
#include "mynetworks.h"
#include "../util/buf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* Prefix length of a netmask (contiguous ones; a hole ends the count). */
static int sp_mn_prefix(const unsigned char *m, size_t len)
{
	int bits = 0;

	for (size_t i = 0; i < len; i++)
		for (int b = 7; b >= 0; b--) {
			if (!(m[i] & (1u << b)))
				return bits;
			bits++;
		}
	return bits;
}

static void sp_mn_apply(unsigned char *a, size_t len, int prefix)
{
	for (size_t i = 0; i < len; i++) {
		int keep = prefix - (int)i * 8;
		if (keep <= 0)
			a[i] = 0;
		else if (keep < 8)
			a[i] &= (unsigned char)(0xff << (8 - keep));
	}
}

/* Postfix's class style: A, B or C by the first octet; D and E as host. */
static int sp_mn_class(const unsigned char *a)
{
	return a[0] < 128 ? 8 : a[0] < 192 ? 16 : a[0] < 224 ? 24 : 32;
}

static int sp_mn_add(struct sp_buf *out, const struct ifaddrs *ifa, const char *style)
{
	unsigned char a[16], m[16];
	char text[INET6_ADDRSTRLEN], elem[INET6_ADDRSTRLEN + 8];
	int fam = ifa->ifa_addr->sa_family, v6 = fam == AF_INET6;
	size_t len = v6 ? 16 : 4;
	int prefix;

	if (v6) {
		memcpy(a, &((const struct sockaddr_in6 *)(const void *)ifa->ifa_addr)->sin6_addr, 16);
		memset(m, 0xff, 16);
		if (ifa->ifa_netmask)
			memcpy(m, &((const struct sockaddr_in6 *)(const void *)ifa->ifa_netmask)
				   ->sin6_addr, 16);
	} else {
		memcpy(a, &((const struct sockaddr_in *)(const void *)ifa->ifa_addr)->sin_addr, 4);
		memset(m, 0xff, 4);
		if (ifa->ifa_netmask)
			memcpy(m, &((const struct sockaddr_in *)(const void *)ifa->ifa_netmask)->sin_addr,
			       4);
	}
	if (strcmp(style, "host") == 0)
		prefix = (int)len * 8;
	else if (strcmp(style, "class") == 0 && !v6)
		prefix = sp_mn_class(a);
	else
		prefix = sp_mn_prefix(m, len);
	sp_mn_apply(a, len, prefix);
	if (inet_ntop(fam, a, text, sizeof(text)) == NULL)
		return 0;
	snprintf(elem, sizeof(elem), v6 ? "[%s]/%d " : "%s/%d ", text, prefix);
	return sp_buf_adds(out, elem);
}

int sp_mynetworks_from_style(const char *style, struct sp_buf *out, char *err, size_t errlen)
{
	struct ifaddrs *ifa0, *ifa;
	int rc = 0;

	if (strcmp(style, "host") != 0 && strcmp(style, "subnet") != 0 &&
	    strcmp(style, "class") != 0) {
		snprintf(err, errlen, "mynetworks_style = %.40s: write host, subnet or class", style);
		return -1;
	}
	if (getifaddrs(&ifa0) != 0) {
		snprintf(err, errlen, "cannot list the machine's interface addresses: %s",
			 strerror(errno));
		return -1;
	}
	for (ifa = ifa0; ifa && rc == 0; ifa = ifa->ifa_next)
		if (ifa->ifa_addr && (ifa->ifa_addr->sa_family == AF_INET ||
				      ifa->ifa_addr->sa_family == AF_INET6))
			rc = sp_mn_add(out, ifa, style);
	freeifaddrs(ifa0);
	if (rc < 0) {
		snprintf(err, errlen, "too many interface addresses");
		return -1;
	}
	return 0;
}
