/*
 * dovecot.c - Dovecot's auth protocol lines (see dovecot.h).
 */
#include "dovecot.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SP_DV_FIELDS 32

/* Splits line at tabs into at most SP_DV_FIELDS fields (pointers into a
 * copy in buf). Returns the count, or -1 (also for a NUL, CR or LF). */
static int sp_dv_split(const char *line, size_t len, char *buf, size_t buflen, char **f)
{
	int n = 0;

	if (len >= buflen || memchr(line, 0, len) || memchr(line, '\r', len) ||
	    memchr(line, '\n', len))
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

/* 1 when s is a mechanism name that fits the mech fields (1..63 bytes of
 * RFC 4422's upper-case letters, digits, '-' and '_'; lower: a-z too). */
static int sp_dv_mech_name(const char *s, int lower)
{
	size_t len = strlen(s);

	if (len == 0 || len >= sizeof(((struct sp_dv_line *)0)->mech))
		return 0;
	for (; *s; s++) {
		char c = *s;
		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		      (lower && c >= 'a' && c <= 'z')))
			return 0;
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
	if (n < 2 || !sp_dv_mech_name(f[1], 0))
		return -1;
	memcpy(o->mech, f[1], strlen(f[1]) + 1);
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

/* ---- the server side ---- */

#define SP_DVS_ID_MAX 4294967295UL
#define SP_DVS_USER_MAX (sizeof(((struct sp_dv_line *)0)->user) - 1)
#define SP_DVS_REASON_MAX (sizeof(((struct sp_dv_line *)0)->reason) - 1)

_Static_assert(sizeof(((struct sp_dvs_line *)0)->mech) == sizeof(((struct sp_dv_line *)0)->mech),
	       "sp_dv_mech_name bounds both mech fields");

/* AUTH parameters that may be given once only. */
enum {
	SP_DVS_SERVICE = 1 << 0, SP_DVS_LIP = 1 << 1, SP_DVS_RIP = 1 << 2,
	SP_DVS_LPORT = 1 << 3, SP_DVS_RPORT = 1 << 4, SP_DVS_RESP = 1 << 5,
};

/* A decimal number without sign or leading zero, min..4294967295. */
static int sp_dvs_number(const char *s, unsigned long min, unsigned long *v)
{
	if (sp_dv_number(s, v) < 0 || (s[0] == '0' && s[1] != 0))
		return -1;
	if (strlen(s) == 10 && strcmp(s, "4294967295") > 0)
		return -1;
	return *v >= min ? 0 : -1;
}

/* The value of p when it is "key=value", else NULL. */
static const char *sp_dvs_value(const char *p, const char *key)
{
	size_t n = strlen(key);

	return strncmp(p, key, n) == 0 && p[n] == '=' ? p + n + 1 : NULL;
}

/* An address: printable bytes without spaces, fitting out. */
static int sp_dvs_addr(const char *v, char *out, size_t outlen)
{
	size_t len = strlen(v);

	if (len >= outlen)
		return -1;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)v[i] <= ' ' || (unsigned char)v[i] >= 127)
			return -1;
	memcpy(out, v, len + 1);
	return 0;
}

static int sp_dvs_port(const char *v, unsigned *port)
{
	unsigned long n;

	if (sp_dvs_number(v, 0, &n) < 0 || n > 65535)
		return -1;
	*port = (unsigned)n;
	return 0;
}

/* base64 data (may be ""), checked and copied into o->data. */
static int sp_dvs_data(const char *v, struct sp_dvs_line *o)
{
	size_t len = strlen(v);

	if (len > SP_DV_DATA_MAX || !sp_dv_base64_valid(v, len))
		return -1;
	memcpy(o->data, v, len + 1);
	return 0;
}

/* Marks bit as seen; -1 when it was already. */
static int sp_dvs_once(unsigned *seen, unsigned bit)
{
	if (*seen & bit)
		return -1;
	*seen |= bit;
	return 0;
}

/* One AUTH parameter after the mechanism; unknown ones are ignored. */
static int sp_dvs_param(const char *p, struct sp_dvs_line *o, unsigned *seen)
{
	const char *v;

	if (strcmp(p, "secured") == 0 || strncmp(p, "secured=", 8) == 0) {
		o->secured = 1;
	} else if (strcmp(p, "nologin") == 0) {
		o->nologin = 1;
	} else if ((v = sp_dvs_value(p, "service")) != NULL) {
		if (sp_dvs_once(seen, SP_DVS_SERVICE) < 0 ||
		    sp_dv_unescape(v, o->service, sizeof(o->service)) < 0)
			return -1;
	} else if ((v = sp_dvs_value(p, "lip")) != NULL) {
		if (sp_dvs_once(seen, SP_DVS_LIP) < 0 || sp_dvs_addr(v, o->lip, sizeof(o->lip)) < 0)
			return -1;
	} else if ((v = sp_dvs_value(p, "rip")) != NULL) {
		if (sp_dvs_once(seen, SP_DVS_RIP) < 0 || sp_dvs_addr(v, o->rip, sizeof(o->rip)) < 0)
			return -1;
	} else if ((v = sp_dvs_value(p, "lport")) != NULL) {
		if (sp_dvs_once(seen, SP_DVS_LPORT) < 0 || sp_dvs_port(v, &o->lport) < 0)
			return -1;
	} else if ((v = sp_dvs_value(p, "rport")) != NULL) {
		if (sp_dvs_once(seen, SP_DVS_RPORT) < 0 || sp_dvs_port(v, &o->rport) < 0)
			return -1;
	} else if ((v = sp_dvs_value(p, "resp")) != NULL) {
		if (sp_dvs_once(seen, SP_DVS_RESP) < 0 || sp_dvs_data(v, o) < 0)
			return -1;
		o->has_resp = 1;
	}
	return 0;
}

/* AUTH id mech [params...] */
static int sp_dvs_auth(char **f, int n, struct sp_dvs_line *o)
{
	unsigned seen = 0;

	o->kind = SP_DVS_AUTH;
	if (n < 3 || sp_dvs_number(f[1], 1, &o->id) < 0 || !sp_dv_mech_name(f[2], 1))
		return -1;
	memcpy(o->mech, f[2], strlen(f[2]) + 1);
	for (int i = 3; i < n; i++)
		if (sp_dvs_param(f[i], o, &seen) < 0)
			return -1;
	return 0;
}

int sp_dvs_parse(const char *line, size_t len, struct sp_dvs_line *o)
{
	char buf[SP_DV_LINE_MAX + 1], *f[SP_DV_FIELDS];
	int n = sp_dv_split(line, len, buf, sizeof(buf), f);
	unsigned long v1, v2;

	memset(o, 0, sizeof(*o));
	if (n < 1 || len == 0)
		return -1;
	if (strcmp(f[0], "VERSION") == 0) {
		o->kind = SP_DVS_VERSION;
		if (n < 3 || sp_dvs_number(f[1], 0, &v1) < 0 || sp_dvs_number(f[2], 0, &v2) < 0)
			return -1;
		o->major = (unsigned)v1;
		o->minor = (unsigned)v2;
		return 0;
	}
	if (strcmp(f[0], "CPID") == 0) {
		o->kind = SP_DVS_CPID;
		return n >= 2 ? sp_dvs_number(f[1], 1, &o->pid) : -1;
	}
	if (strcmp(f[0], "AUTH") == 0)
		return sp_dvs_auth(f, n, o);
	if (strcmp(f[0], "CONT") == 0) {
		o->kind = SP_DVS_CONT;
		if (n < 3 || sp_dvs_number(f[1], 1, &o->id) < 0)
			return -1;
		return sp_dvs_data(f[2], o);
	}
	o->kind = SP_DVS_IGNORED;
	return 0;
}

/* A line being written: never past len, always NUL-terminated. */
struct sp_dvs_out {
	char *buf;
	size_t len, pos;
	int bad;
};

static void sp_dvs_put(struct sp_dvs_out *o, const char *s, size_t n)
{
	if (o->bad || n >= o->len - o->pos) {
		o->bad = 1;
		return;
	}
	memcpy(o->buf + o->pos, s, n);
	o->pos += n;
	o->buf[o->pos] = 0;
}

static void sp_dvs_puts(struct sp_dvs_out *o, const char *s)
{
	sp_dvs_put(o, s, strlen(s));
}

static void sp_dvs_putn(struct sp_dvs_out *o, unsigned long v)
{
	char num[24];

	snprintf(num, sizeof(num), "%lu", v);
	sp_dvs_puts(o, num);
}

/* s with Dovecot's escapes for \001, tab, CR and LF. */
static void sp_dvs_put_escaped(struct sp_dvs_out *o, const char *s)
{
	for (; *s; s++) {
		const char *esc = *s == 1 ? "\0011" : *s == '\t' ? "\001t" : *s == '\r' ? "\001r"
				  : *s == '\n' ? "\001n" : NULL;
		if (esc)
			sp_dvs_put(o, esc, 2);
		else
			sp_dvs_put(o, s, 1);
	}
}

static void sp_dvs_begin(struct sp_dvs_out *o, char *buf, size_t len)
{
	*o = (struct sp_dvs_out){buf, len, 0, len == 0};
	if (len > 0)
		buf[0] = 0;
}

/* The length written, or -1 (and buf emptied) when anything did not fit. */
static int sp_dvs_end(struct sp_dvs_out *o)
{
	if (o->bad || o->pos > INT_MAX) {
		if (o->len > 0)
			o->buf[0] = 0;
		return -1;
	}
	return (int)o->pos;
}

static int sp_dvs_id_ok(unsigned long id)
{
	return id >= 1 && id <= SP_DVS_ID_MAX;
}

static int sp_dvs_cookie_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
		      (s[i] >= 'A' && s[i] <= 'F')))
			return 0;
	return i == 32;
}

static int sp_dvs_user_ok(const char *user, int empty_ok)
{
	size_t len = strlen(user);

	return sp_dv_safe(user) && len <= SP_DVS_USER_MAX && (empty_ok || len > 0);
}

int sp_dvs_format_handshake(char *buf, size_t len, const char *const *mechs,
			    unsigned long spid, unsigned long cuid, const char *cookie)
{
	struct sp_dvs_out o;

	sp_dvs_begin(&o, buf, len);
	if (cookie == NULL || !sp_dvs_cookie_ok(cookie))
		return -1;
	for (size_t i = 0; mechs && mechs[i]; i++)
		if (!sp_dv_mech_name(mechs[i], 0))
			return -1;
	sp_dvs_puts(&o, "VERSION\t1\t2\n");
	for (size_t i = 0; mechs && mechs[i]; i++) {
		sp_dvs_puts(&o, "MECH\t");
		sp_dvs_puts(&o, mechs[i]);
		sp_dvs_puts(&o, "\tplaintext\n");
	}
	sp_dvs_puts(&o, "SPID\t");
	sp_dvs_putn(&o, spid);
	sp_dvs_puts(&o, "\nCUID\t");
	sp_dvs_putn(&o, cuid);
	sp_dvs_puts(&o, "\nCOOKIE\t");
	sp_dvs_puts(&o, cookie);
	sp_dvs_puts(&o, "\nDONE\n");
	return sp_dvs_end(&o);
}

int sp_dvs_format_ok(char *buf, size_t len, unsigned long id, const char *user)
{
	struct sp_dvs_out o;

	sp_dvs_begin(&o, buf, len);
	if (!sp_dvs_id_ok(id) || user == NULL || !sp_dvs_user_ok(user, 0))
		return -1;
	sp_dvs_puts(&o, "OK\t");
	sp_dvs_putn(&o, id);
	sp_dvs_puts(&o, "\tuser=");
	sp_dvs_puts(&o, user);
	sp_dvs_puts(&o, "\n");
	return sp_dvs_end(&o);
}

int sp_dvs_format_cont(char *buf, size_t len, unsigned long id, const char *b64)
{
	struct sp_dvs_out o;

	sp_dvs_begin(&o, buf, len);
	if (!sp_dvs_id_ok(id) || b64 == NULL || strlen(b64) > SP_DV_DATA_MAX ||
	    !sp_dv_base64_valid(b64, strlen(b64)))
		return -1;
	sp_dvs_puts(&o, "CONT\t");
	sp_dvs_putn(&o, id);
	sp_dvs_puts(&o, "\t");
	sp_dvs_puts(&o, b64);
	sp_dvs_puts(&o, "\n");
	return sp_dvs_end(&o);
}

int sp_dvs_format_fail(char *buf, size_t len, unsigned long id, const char *user,
		       const char *reason, int temp)
{
	struct sp_dvs_out o;

	sp_dvs_begin(&o, buf, len);
	if (!sp_dvs_id_ok(id) || (user && !sp_dvs_user_ok(user, 1)) ||
	    (reason && strlen(reason) > SP_DVS_REASON_MAX))
		return -1;
	sp_dvs_puts(&o, "FAIL\t");
	sp_dvs_putn(&o, id);
	if (user) {
		sp_dvs_puts(&o, "\tuser=");
		sp_dvs_puts(&o, user);
	}
	if (reason) {
		sp_dvs_puts(&o, "\treason=");
		sp_dvs_put_escaped(&o, reason);
	}
	if (temp)
		sp_dvs_puts(&o, "\ttemp");
	sp_dvs_puts(&o, "\n");
	return sp_dvs_end(&o);
}
