/*
 * hostname.c - host name and address syntax (see hostname.h).
 */
#include "hostname.h"
#include "utf8.h"

#include <string.h>

static int sp_hisdigit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int sp_hisalnum(unsigned char c)
{
	return sp_hisdigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int sp_valid_hostname(const char *name, unsigned flags)
{
	size_t label = 0, n = strnlen(name, SP_HOSTNAME_MAX + 1);
	int alpha = 0;

	if (n == 0 || n > SP_HOSTNAME_MAX)
		return 0;
	for (const char *p = name; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (sp_hisalnum(c) || c == '_' || ((flags & SP_HOST_UTF8) && c >= 0x80)) {
			if (++label > SP_HOSTLABEL_MAX)
				return 0;
			alpha |= !sp_hisdigit(c);
		} else if (c == '*' && (flags & SP_HOST_WILDCARD)) {
			if (p != name || (p[1] != 0 && p[1] != '.'))
				return 0;
			label++;
			alpha = 1;
		} else if (c == '.') {
			if (label == 0 || p[1] == 0)
				return 0;
			label = 0;
		} else if (c == '-') {
			alpha = 1;
			if (++label == 1 || p[1] == 0 || p[1] == '.')
				return 0;
		} else {
			return 0;
		}
	}
	return alpha && (!(flags & SP_HOST_UTF8) || sp_utf8_valid(name, n));
}

int sp_valid_ipv4(const char *s)
{
	int in = 0, count = 0, val = 0;

	for (const char *p = s; *p; p++) {
		if (sp_hisdigit((unsigned char)*p)) {
			if (!in) {
				in = 1;
				val = 0;
				count++;
			}
			val = val * 10 + (*p - '0');
			if (val > 255)
				return 0;
		} else if (*p == '.') {
			if (!in || p[1] == 0)
				return 0;
			if (count == 1 && val == 0 && s[strspn(s, "0.")] != 0)
				return 0;
			in = 0;
		} else {
			return 0;
		}
	}
	return count == 4;
}

int sp_valid_ipv6(const char *s)
{
	int null_field = 0, field = 0;
	size_t len = 0;
	const char *p = s;

	for (;;) {
		if (*p == 0)
			return field >= 2 && !(len == 0 && null_field != field - 1);
		if (*p == '.')
			return field >= 2 && field <= 6 && sp_valid_ipv4(p - len);
		if (*p == ':') {
			if (field == 0 && len == 0 && sp_hisalnum((unsigned char)p[1]))
				return 0;
			if (++field > 7)
				return 0;
			p++;
			len = 0;
			if (*p == ':') {
				if (null_field > 0)
					return 0;
				null_field = field;
			}
		} else {
			len = strspn(p, "0123456789abcdefABCDEF");
			if (len == 0 || len > 4)
				return 0;
			p += len;
		}
	}
}

int sp_valid_hostaddr(const char *s)
{
	if (*s == 0)
		return 0;
	return strchr(s, ':') ? sp_valid_ipv6(s) : sp_valid_ipv4(s);
}
