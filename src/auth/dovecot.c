/*
 * dovecot.c - Dovecot's auth protocol lines (see dovecot.h).
 */
#include "dovecot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SP_DV_FIELDS 32

/* Splits line at tabs into at most SP_DV_FIELDS fields (pointers into a
 * copy in buf). Returns the count, or -1. */
static int sp_dv_split(const char *line, size_t len, char *buf, size_t buflen, char **f)
{
	int n = 0;

	if (len >= buflen || memchr(line, 0, len) || memchr(line, '\r', len))
		return -1;
	memcpy(buf, line, len);
	buf[len] = 0;
	f[n++] = buf;
	for (char *p = buf; (p = strchr(p, '\t')) != NULL;) {
		*p++ = 0;
		if (n == SP_DV_FIELDS)
			return -1;
		f[n++] = p;
	}
	return n;
}

/* Dovecot's escapes undone; non-printable bytes become '?'. -1 when the
 * result does not fit or an escape is malformed. */
static int sp_dv_unescape(const char *in, char *out, size_t outlen)
{
	size_t n = 0;

	for (; *in; in++) {
		unsigned char c = (unsigned char)*in;
		if (c == 1) {
			switch (*++in) {
			case '1': c = 1; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'n': c = '\n'; break;
			default: return -1;
			}
		}
		if (n + 1 >= outlen)
			return -1;
		out[n++] = c >= 32 && c != 127 ? (char)c : '?';
	}
	out[n] = 0;
	return 0;
}

static int sp_dv_number(const char *s, unsigned long *v)
{
	char *end;

	if (*s < '0' || *s > '9' || strlen(s) > 10)
		return -1;
	*v = strtoul(s, &end, 10);
	return *end == 0 ? 0 : -1;
}

int sp_dv_base64_valid(const char *s, size_t len)
{
	size_t pad = 0;

	if (len % 4 != 0)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '=') {
			if (++pad > 2)
				return 0;
		} else if (pad || !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
				    (c >= '0' && c <= '9') || c == '+' || c == '/')) {
			return 0;
		}
	}
	return 1;
}

static int sp_dv_mech(char **f, int n, struct sp_dv_line *o)
{
	static const struct {
		const char *name;
		unsigned flag;
	} flags[] = {
		{"plaintext", SP_DV_MECH_PLAINTEXT}, {"anonymous", SP_DV_MECH_ANONYMOUS},
		{"dictionary", SP_DV_MECH_DICTIONARY}, {"active", SP_DV_MECH_ACTIVE},
		{"forward-secrecy", SP_DV_MECH_FORWARD_SECRECY},
		{"mutual-auth", SP_DV_MECH_MUTUAL_AUTH}, {"private", SP_DV_MECH_PRIVATE},
	};
	size_t len = n >= 2 ? strlen(f[1]) : 0;

	if (len == 0 || len >= sizeof(o->mech))
		return -1;
	for (size_t i = 0; i < len; i++) {   /* RFC 4422 mechanism names */
		char c = f[1][i];
		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return -1;
	}
	memcpy(o->mech, f[1], len + 1);
	for (int i = 2; i < n; i++)
		for (size_t k = 0; k < sizeof(flags) / sizeof(flags[0]); k++)
			if (strcmp(f[i], flags[k].name) == 0)
				o->mech_flags |= flags[k].flag;
	return 0;
}

/* The key=value fields after the id of OK and FAIL. */
static int sp_dv_params(char **f, int n, struct sp_dv_line *o)
{
	for (int i = 2; i < n; i++) {
		if (strncmp(f[i], "user=", 5) == 0) {
			if (sp_dv_unescape(f[i] + 5, o->user, sizeof(o->user)) < 0)
				return -1;
		} else if (strncmp(f[i], "reason=", 7) == 0) {
			if (sp_dv_unescape(f[i] + 7, o->reason, sizeof(o->reason)) < 0)
				return -1;
		} else if (strcmp(f[i], "temp") == 0) {
			o->temp = 1;
		}
	}
	return 0;
}

int sp_dv_parse(const char *line, size_t len, struct sp_dv_line *o)
{
	char buf[SP_DV_LINE_MAX + 1], *f[SP_DV_FIELDS];
	int n = sp_dv_split(line, len, buf, sizeof(buf), f);

	memset(o, 0, sizeof(*o));
	if (n < 1 || len == 0)
		return -1;
	if (strcmp(f[0], "VERSION") == 0) {
		unsigned long ma, mi;
		if (n < 3 || sp_dv_number(f[1], &ma) < 0 || sp_dv_number(f[2], &mi) < 0)
			return -1;
		o->kind = SP_DV_VERSION;
		o->major = (unsigned)ma;
		o->minor = (unsigned)mi;
		return 0;
	}
	if (strcmp(f[0], "MECH") == 0) {
		o->kind = SP_DV_MECH;
		return sp_dv_mech(f, n, o);
	}
	if (strcmp(f[0], "DONE") == 0) {
		o->kind = SP_DV_DONE;
		return 0;
	}
	if (strcmp(f[0], "SPID") == 0 || strcmp(f[0], "CUID") == 0 || strcmp(f[0], "COOKIE") == 0) {
		o->kind = f[0][0] == 'S' ? SP_DV_SPID : f[0][1] == 'U' ? SP_DV_CUID : SP_DV_COOKIE;
		return n >= 2 ? 0 : -1;
	}
	if (strcmp(f[0], "OK") == 0 || strcmp(f[0], "FAIL") == 0 || strcmp(f[0], "CONT") == 0) {
		o->kind = f[0][0] == 'O' ? SP_DV_OK : f[0][0] == 'F' ? SP_DV_FAIL : SP_DV_CONT;
		if (n < 2 || sp_dv_number(f[1], &o->id) < 0)
			return -1;
		if (o->kind == SP_DV_CONT) {
			size_t dl = n >= 3 ? strlen(f[2]) : 0;
			if (dl > SP_DV_DATA_MAX || !sp_dv_base64_valid(n >= 3 ? f[2] : "", dl))
				return -1;
			memcpy(o->data, n >= 3 ? f[2] : "", dl + 1);
			return 0;
		}
		return sp_dv_params(f, n, o);
	}
	o->kind = SP_DV_IGNORED;   /* newer handshake lines, NOTFOUND... */
	return 0;
}

/* A value that may go into a field as it is. */
static int sp_dv_safe(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 32 || *s == 127)
			return 0;
	return 1;
}

int sp_dv_format_hello(char *buf, size_t len, unsigned long pid)
{
	int n = snprintf(buf, len, "VERSION\t1\t2\nCPID\t%lu\n", pid);

	return n > 0 && (size_t)n < len ? n : -1;
}

int sp_dv_format_auth(char *buf, size_t len, const struct sp_dv_auth *a)
{
	int n;

	if (!sp_dv_safe(a->mech) || !sp_dv_safe(a->service) || !sp_dv_safe(a->local_ip) ||
	    !sp_dv_safe(a->remote_ip) || a->mech[0] == 0 ||
	    (a->resp && (strlen(a->resp) > SP_DV_DATA_MAX ||
			 !sp_dv_base64_valid(a->resp, strlen(a->resp)))))
		return -1;
	n = snprintf(buf, len, "AUTH\t%lu\t%s\tservice=%s\tnologin\tlip=%s\trip=%s%s%s%s\n", a->id,
		     a->mech, a->service, a->local_ip, a->remote_ip, a->secured ? "\tsecured" : "",
		     a->resp ? "\tresp=" : "", a->resp ? a->resp : "");
	return n > 0 && (size_t)n < len ? n : -1;
}

int sp_dv_format_cont(char *buf, size_t len, unsigned long id, const char *b64)
{
	int n;

	if (strlen(b64) > SP_DV_DATA_MAX || !sp_dv_base64_valid(b64, strlen(b64)))
		return -1;
	n = snprintf(buf, len, "CONT\t%lu\t%s\n", id, b64);
	return n > 0 && (size_t)n < len ? n : -1;
}
