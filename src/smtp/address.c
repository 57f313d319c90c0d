/*
 * address.c - the MAIL FROM / RCPT TO path parser and the external-form
 * formatter (contract and accepted grammar in address.h).
 *
 * Shape: a cursor walks the path once, left to right, by explicit index.
 * Each part (route, local part, domain or literal) is first delimited as a
 * span of the input, each byte checked as it is passed; then the span is
 * checked as a whole (UTF-8, dots, labels, length) by a flat list of
 * rejects; only a span that passed every check is copied into the struct,
 * whose arrays are sized by the limits, so no copy can overflow.
 */
#include "address.h"

#include <arpa/inet.h>
#include <string.h>

#include "../util/chars.h"
#include "../util/utf8.h"

/* The cursor over one path. */
struct cur {
	const char *p;
	size_t len;
	size_t i;        /* next byte */
	unsigned opts;   /* SP_ADDR_OPT_* */
	int bare;        /* no '<': the path ends at SP, HTAB or the end */
};

/* A part of the input: p[off..off+len). */
struct span {
	size_t off, len;
};

static int is_ws(unsigned char b)
{
	return b == ' ' || b == '\t';
}

static int is_ctl(unsigned char b)
{
	return b < 0x20 || b == 0x7f;
}

/* atext of RFC 5321 (ASCII). */
static int is_atext(unsigned char b)
{
	return sp_isalnum((char)b) || (b != 0 && strchr("!#$%&'*+-/=?^_`{|}~", b) != NULL);
}

/* A byte a domain name may hold (UTF-8 bytes only with SMTPUTF8). */
static int is_domain_byte(const struct cur *c, unsigned char b)
{
	if (b >= 0x80)
		return (c->opts & SP_ADDR_OPT_SMTPUTF8) != 0;
	return sp_isalnum((char)b) || b == '-' || b == '.' || b == '_';
}

/* dcontent of RFC 5321: printable ASCII except '[', '\' and ']'. */
static int is_dcontent(unsigned char b)
{
	return (b >= 33 && b <= 90) || (b >= 94 && b <= 126);
}

/* The error for an unexpected byte b: its class if it is never allowed
 * here, else the error of the context. */
static enum sp_addr_err bad_byte(const struct cur *c, unsigned char b, enum sp_addr_err ctx)
{
	if (b == '\r' || b == '\n' || b == 0)
		return SP_ADDR_E_CRLF_NUL;
	if (is_ctl(b))
		return SP_ADDR_E_CONTROL;
	if (b >= 0x80 && !(c->opts & SP_ADDR_OPT_SMTPUTF8))
		return SP_ADDR_E_8BIT;
	return ctx;
}

/* 1 when the cursor stands where the path may end: '>' inside brackets;
 * SP, HTAB or the end of input without. */
static int at_term(const struct cur *c)
{
	if (c->bare)
		return c->i >= c->len || is_ws((unsigned char)c->p[c->i]);
	return c->i < c->len && c->p[c->i] == '>';
}

/* The error for the byte under the cursor ending a part where neither '@'
 * nor the end of the path may stand. */
static enum sp_addr_err bad_stop(const struct cur *c, enum sp_addr_err ctx)
{
	if (c->i >= c->len)
		return c->bare ? ctx : SP_ADDR_E_UNCLOSED_ANGLE;
	return bad_byte(c, (unsigned char)c->p[c->i], ctx);
}

static int has_8bit(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 1;
	return 0;
}

/* Checks the non-ASCII bytes of s[0..n): well-formed UTF-8 and no C1
 * control character (U+0080-U+009F, encoded as C2 80-9F). */
static enum sp_addr_err check_utf8(const char *s, size_t n)
{
	if (!sp_utf8_valid(s, n))
		return SP_ADDR_E_UTF8;
	for (size_t i = 0; i + 1 < n; i++)
		if ((unsigned char)s[i] == 0xc2 && (unsigned char)s[i + 1] < 0xa0)
			return SP_ADDR_E_CONTROL;
	return SP_ADDR_OK;
}

/* ASCII case-insensitive comparison of s[0..n) with the lower-case word w. */
static int eq_word(const char *s, size_t n, const char *w)
{
	if (n != strlen(w))
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		if (ch != w[i])
			return 0;
	}
	return 1;
}

/* Finds the first CR, LF or NUL in in[0..len); returns its offset or len. */
static size_t find_crlf_nul(const char *in, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (in[i] == '\r' || in[i] == '\n' || in[i] == 0)
			return i;
	return len;
}

/* ---- domains ---- */

/* Checks one label d[0..n) of a domain name. */
static enum sp_addr_err check_label(const char *d, size_t n)
{
	if (n == 0)
		return SP_ADDR_E_LABEL_EMPTY;
	if (n > SP_ADDR_LABEL_MAX)
		return SP_ADDR_E_LABEL_TOO_LONG;
	if (d[0] == '-' || d[n - 1] == '-')
		return SP_ADDR_E_LABEL_HYPHEN;
	return SP_ADDR_OK;
}

/* Checks a domain name d[0..*n) whose bytes passed is_domain_byte; drops
 * one trailing dot (setting *dot) unless opts ask for strict syntax. */
static enum sp_addr_err check_domain(const char *d, size_t *n, unsigned opts, int *dot)
{
	size_t start = 0;
	int numeric = 1;
	enum sp_addr_err e;

	*dot = 0;
	if (*n == 0)
		return SP_ADDR_E_DOMAIN_EMPTY;
	if ((e = check_utf8(d, *n)) != SP_ADDR_OK)
		return e;
	if (!(opts & SP_ADDR_OPT_STRICT_SYNTAX) && *n >= 2 && d[*n - 1] == '.' &&
	    d[*n - 2] != '.')
		(*n)--, *dot = 1;
	if (*n > SP_ADDR_DOMAIN_MAX)
		return SP_ADDR_E_DOMAIN_TOO_LONG;
	for (size_t i = 0; i <= *n; i++) {
		if (i < *n && d[i] != '.') {
			if (d[i] < '0' || d[i] > '9')
				numeric = 0;
			continue;
		}
		if ((e = check_label(d + start, i - start)) != SP_ADDR_OK)
			return e;
		start = i + 1;
	}
	if (numeric)
		return SP_ADDR_E_DOMAIN_NUMERIC;
	return SP_ADDR_OK;
}

/* Moves the cursor over the bytes a domain name may hold; returns them. */
static struct span scan_domain(struct cur *c)
{
	struct span s = {c->i, 0};

	while (c->i < c->len && is_domain_byte(c, (unsigned char)c->p[c->i]))
		c->i++;
	s.len = c->i - s.off;
	return s;
}

/* ---- address literals ---- */

/* 1 when t[0..n) is an Ldh-str: letters, digits and '-', not ending in '-'. */
static int is_ldh_str(const char *t, size_t n)
{
	if (n == 0 || t[n - 1] == '-')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!sp_isalnum(t[i]) && t[i] != '-')
			return 0;
	return 1;
}

/* inet_pton over t[0..n) (at most max bytes) into ip. */
static int pton(int af, const char *t, size_t n, size_t max, unsigned char *ip)
{
	char buf[64];

	if (n > max || n >= sizeof(buf))
		return 0;
	memcpy(buf, t, n);
	buf[n] = 0;
	return inet_pton(af, buf, ip) == 1;
}

/* Checks the text t[0..n) between '[' and ']' (all dcontent) and records
 * its kind (and address) in a. */
static enum sp_addr_err check_literal(const char *t, size_t n, struct sp_addr *a)
{
	const char *colon = memchr(t, ':', n);
	size_t tag, rest;

	if (n == 0)
		return SP_ADDR_E_LITERAL;
	if (colon == NULL) {
		if (!pton(AF_INET, t, n, 15, a->ip))
			return SP_ADDR_E_IPV4;
		a->dkind = SP_ADDR_DK_IPV4;
		return SP_ADDR_OK;
	}
	tag = (size_t)(colon - t);
	rest = n - tag - 1;
	if (eq_word(t, tag, "ipv6")) {
		if (!pton(AF_INET6, colon + 1, rest, 45, a->ip))
			return SP_ADDR_E_IPV6;
		a->dkind = SP_ADDR_DK_IPV6;
		return SP_ADDR_OK;
	}
	if (!is_ldh_str(t, tag) || rest == 0)
		return SP_ADDR_E_LITERAL;
	a->dkind = SP_ADDR_DK_GENERAL;
	return SP_ADDR_OK;
}

/* Reads "[...]" at the cursor into *s (brackets included). */
static enum sp_addr_err scan_literal(struct cur *c, struct span *s)
{
	s->off = c->i++;
	for (;;) {
		unsigned char b;

		if (c->i >= c->len)
			return SP_ADDR_E_UNCLOSED_LITERAL;
		b = (unsigned char)c->p[c->i];
		if (b == ']')
			break;
		if (c->bare && is_ws(b))
			return SP_ADDR_E_UNCLOSED_LITERAL;
		if (!is_dcontent(b))
			return bad_byte(c, b, SP_ADDR_E_LITERAL);
		c->i++;
	}
	c->i++;
	s->len = c->i - s->off;
	return SP_ADDR_OK;
}

/* Reads the domain or literal after '@' and fills a's domain fields. */
static enum sp_addr_err parse_domain(struct cur *c, struct sp_addr *a)
{
	struct span s;
	enum sp_addr_err e;
	int dot = 0;

	if (c->i < c->len && c->p[c->i] == '[') {
		if ((e = scan_literal(c, &s)) != SP_ADDR_OK)
			return e;
		if (!at_term(c))
			return bad_stop(c, SP_ADDR_E_LITERAL);
		if (s.len > SP_ADDR_DOMAIN_MAX)
			return SP_ADDR_E_DOMAIN_TOO_LONG;
		if ((e = check_literal(c->p + s.off + 1, s.len - 2, a)) != SP_ADDR_OK)
			return e;
	} else {
		s = scan_domain(c);
		if (!at_term(c))
			return bad_stop(c, SP_ADDR_E_DOMAIN_CHAR);
		if ((e = check_domain(c->p + s.off, &s.len, c->opts, &dot)) != SP_ADDR_OK)
			return e;
		a->dkind = SP_ADDR_DK_NAME;
	}
	memcpy(a->domain, c->p + s.off, s.len);
	a->domain[s.len] = 0;
	a->domain_len = s.len;
	if (dot)
		a->flags |= SP_ADDR_F_DOMAIN_DOT;
	if (has_8bit(a->domain, a->domain_len))
		a->flags |= SP_ADDR_F_UTF8_DOMAIN;
	return SP_ADDR_OK;
}

/* ---- source route ---- */

/* Reads "@a,@b:" at the cursor into *r (without the ':'). */
static enum sp_addr_err parse_route(struct cur *c, struct span *r, unsigned *hops)
{
	r->off = c->i;
	for (;;) {
		struct span d;
		unsigned char b;
		int dot;

		c->i++; /* the '@' */
		d = scan_domain(c);
		if (*hops == 0 && at_term(c))
			return SP_ADDR_E_LOCAL_EMPTY; /* "<@example.com>" */
		if (c->i >= c->len)
			return bad_stop(c, SP_ADDR_E_ROUTE);
		b = (unsigned char)c->p[c->i];
		if (b != ',' && b != ':')
			return bad_byte(c, b, SP_ADDR_E_ROUTE);
		if (check_domain(c->p + d.off, &d.len, c->opts | SP_ADDR_OPT_STRICT_SYNTAX,
				 &dot) != SP_ADDR_OK)
			return SP_ADDR_E_ROUTE;
		(*hops)++;
		c->i++;
		if (b == ':')
			break;
		if (c->i >= c->len || c->p[c->i] != '@')
			return bad_stop(c, SP_ADDR_E_ROUTE);
	}
	r->len = c->i - 1 - r->off;
	return SP_ADDR_OK;
}

/* ---- local part ---- */

/* Reads a Quoted-string at the cursor into *s (quotes included). */
static enum sp_addr_err scan_quoted(struct cur *c, struct span *s)
{
	s->off = c->i++;
	for (;;) {
		unsigned char b;

		if (c->i >= c->len)
			return SP_ADDR_E_UNCLOSED_QUOTE;
		b = (unsigned char)c->p[c->i];
		if (b == '"')
			break;
		if (b == '\\') {
			if (++c->i >= c->len)
				return SP_ADDR_E_UNCLOSED_QUOTE;
			b = (unsigned char)c->p[c->i];
			if (is_ctl(b) || b >= 0x80)
				return bad_byte(c, b, SP_ADDR_E_ESCAPE);
		} else if (is_ctl(b) || (b >= 0x80 && !(c->opts & SP_ADDR_OPT_SMTPUTF8))) {
			return bad_byte(c, b, SP_ADDR_E_LOCAL_CHAR);
		}
		c->i++;
	}
	c->i++;
	s->len = c->i - s->off;
	return SP_ADDR_OK;
}

/* Reads a Dot-string at the cursor into *s. */
static void scan_dot_string(struct cur *c, struct span *s)
{
	s->off = c->i;
	while (c->i < c->len) {
		unsigned char b = (unsigned char)c->p[c->i];

		if (b >= 0x80 ? !(c->opts & SP_ADDR_OPT_SMTPUTF8) : !is_atext(b) && b != '.')
			break;
		c->i++;
	}
	s->len = c->i - s->off;
}

/* 1 when s[0..n) has a leading, trailing or doubled dot. */
static int bad_dots(const char *s, size_t n)
{
	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return 1;
	for (size_t i = 1; i < n; i++)
		if (s[i] == '.' && s[i - 1] == '.')
			return 1;
	return 0;
}

/* Copies the local part s (checked) into a, as written and unquoted. */
static void store_local(const struct cur *c, struct span s, struct sp_addr *a)
{
	const char *raw = c->p + s.off;
	size_t n = 0;

	memcpy(a->local_raw, raw, s.len);
	a->local_raw[s.len] = 0;
	a->local_raw_len = s.len;
	if (!(a->flags & SP_ADDR_F_QUOTED)) {
		memcpy(a->local, raw, s.len);
		n = s.len;
	} else {
		for (size_t i = 1; i + 1 < s.len; i++) {
			if (raw[i] == '\\')
				i++;
			a->local[n++] = raw[i];
		}
	}
	a->local[n] = 0;
	a->local_len = n;
}

/* Reads the local part at the cursor, up to '@' or the end of the path,
 * and fills a's local part fields. */
static enum sp_addr_err parse_local(struct cur *c, struct sp_addr *a)
{
	struct span s;
	enum sp_addr_err e;
	int quoted = c->i < c->len && c->p[c->i] == '"';

	if (quoted) {
		if ((e = scan_quoted(c, &s)) != SP_ADDR_OK)
			return e;
		a->flags |= SP_ADDR_F_QUOTED;
	} else {
		scan_dot_string(c, &s);
	}
	if (!(c->i < c->len && c->p[c->i] == '@') && !at_term(c))
		return bad_stop(c, SP_ADDR_E_LOCAL_CHAR);
	if (s.len == (quoted ? 2u : 0u))
		return SP_ADDR_E_LOCAL_EMPTY;
	if ((e = check_utf8(c->p + s.off, s.len)) != SP_ADDR_OK)
		return e;
	if (!quoted && bad_dots(c->p + s.off, s.len)) {
		if (c->opts & SP_ADDR_OPT_STRICT_SYNTAX)
			return SP_ADDR_E_LOCAL_DOTS;
		a->flags |= SP_ADDR_F_OBS_DOTS;
	}
	if (s.len > SP_ADDR_LOCAL_MAX)
		return SP_ADDR_E_LOCAL_TOO_LONG;
	store_local(c, s, a);
	if (a->local[0] == '-' && !(c->opts & SP_ADDR_OPT_ALLOW_MIN_USER))
		return SP_ADDR_E_MIN_USER;
	if (has_8bit(a->local, a->local_len))
		a->flags |= SP_ADDR_F_UTF8_LOCAL;
	if (strpbrk(a->local, "@%!") != NULL)
		a->flags |= SP_ADDR_F_LOCAL_ROUTING;
	return SP_ADDR_OK;
}

/* ---- the path ---- */

/* After the local part: '@' and a domain, or the domain-less Postmaster. */
static enum sp_addr_err parse_after_local(struct cur *c, struct sp_addr *a)
{
	if (c->i < c->len && c->p[c->i] == '@') {
		c->i++;
		if (at_term(c))
			return SP_ADDR_E_DOMAIN_EMPTY;
		return parse_domain(c, a);
	}
	if (c->opts & SP_ADDR_OPT_REVERSE)
		return SP_ADDR_E_NO_DOMAIN;
	if (a->flags & (SP_ADDR_F_ROUTE | SP_ADDR_F_QUOTED))
		return SP_ADDR_E_NO_DOMAIN;
	if (!eq_word(a->local_raw, a->local_raw_len, "postmaster"))
		return SP_ADDR_E_NO_DOMAIN;
	a->flags |= SP_ADDR_F_POSTMASTER;
	return SP_ADDR_OK;
}

/* [route ':'] local-part ['@' domain], then '>' unless bare. */
static enum sp_addr_err parse_mailbox(struct cur *c, struct sp_addr *a, struct span *route)
{
	enum sp_addr_err e;

	if (c->i < c->len && c->p[c->i] == '@') {
		if ((e = parse_route(c, route, &a->route_hops)) != SP_ADDR_OK)
			return e;
		a->flags |= SP_ADDR_F_ROUTE;
	}
	if ((e = parse_local(c, a)) != SP_ADDR_OK)
		return e;
	if ((e = parse_after_local(c, a)) != SP_ADDR_OK)
		return e;
	if (!c->bare)
		c->i++; /* the '>' at_term found */
	return SP_ADDR_OK;
}

/* Opens the path: skips SP/HTAB, then '<' or (not strict) a bare path. */
static enum sp_addr_err open_path(struct cur *c, struct sp_addr *a)
{
	while (c->i < c->len && is_ws((unsigned char)c->p[c->i]))
		c->i++;
	if (c->i > 0)
		a->flags |= SP_ADDR_F_LEADING_SPACE;
	if (c->i >= c->len)
		return SP_ADDR_E_EMPTY;
	if (c->p[c->i] == '<') {
		c->i++;
		return SP_ADDR_OK;
	}
	if (c->opts & SP_ADDR_OPT_STRICT_RFC821)
		return SP_ADDR_E_NEED_ANGLE;
	c->bare = 1;
	a->flags |= SP_ADDR_F_BARE;
	return SP_ADDR_OK;
}

static enum sp_addr_err parse_path(struct cur *c, struct sp_addr *a)
{
	struct span route = {0, 0};
	enum sp_addr_err e;
	size_t start;

	if ((e = open_path(c, a)) != SP_ADDR_OK)
		return e;
	start = c->bare ? c->i : c->i - 1;
	if (!c->bare && c->i < c->len && c->p[c->i] == '>') {
		c->i++;
		if (!(c->opts & SP_ADDR_OPT_REVERSE))
			return SP_ADDR_E_NULL_PATH;
		a->flags |= SP_ADDR_F_NULL;
	} else if ((e = parse_mailbox(c, a, &route)) != SP_ADDR_OK) {
		return e;
	}
	if (c->i < c->len && !is_ws((unsigned char)c->p[c->i]))
		return bad_byte(c, (unsigned char)c->p[c->i], SP_ADDR_E_TRAILING);
	if (c->i - start + (c->bare ? 2 : 0) > SP_ADDR_PATH_MAX)
		return SP_ADDR_E_PATH_TOO_LONG;
	memcpy(a->route, c->p + route.off, route.len);
	a->route[route.len] = 0;
	a->route_len = route.len;
	return SP_ADDR_OK;
}

enum sp_addr_err sp_addr_parse(const char *in, size_t len, unsigned opts,
			       struct sp_addr *a, size_t *end)
{
	struct cur c = {in, len, 0, opts, 0};
	enum sp_addr_err e;

	memset(a, 0, sizeof(*a));
	c.i = find_crlf_nul(in, len);
	if (c.i < len) {
		*end = c.i;
		return SP_ADDR_E_CRLF_NUL;
	}
	c.i = 0;
	e = parse_path(&c, a);
	*end = c.i;
	if (e != SP_ADDR_OK)
		memset(a, 0, sizeof(*a));
	return e;
}

/* ---- messages and the external form ---- */

static const char *const messages[SP_ADDR_E_COUNT] = {
	[SP_ADDR_OK] = "ok",
	[SP_ADDR_E_EMPTY] = "empty address",
	[SP_ADDR_E_CRLF_NUL] = "CR, LF or NUL in address",
	[SP_ADDR_E_CONTROL] = "control character in address",
	[SP_ADDR_E_8BIT] = "non-ASCII address without SMTPUTF8",
	[SP_ADDR_E_UTF8] = "malformed UTF-8 in address",
	[SP_ADDR_E_NEED_ANGLE] = "address must be enclosed in <>",
	[SP_ADDR_E_UNCLOSED_ANGLE] = "missing '>' after address",
	[SP_ADDR_E_UNCLOSED_QUOTE] = "unterminated quoted string in local part",
	[SP_ADDR_E_UNCLOSED_LITERAL] = "missing ']' after address literal",
	[SP_ADDR_E_TRAILING] = "junk after address",
	[SP_ADDR_E_NULL_PATH] = "empty recipient address",
	[SP_ADDR_E_ROUTE] = "bad source route",
	[SP_ADDR_E_LOCAL_EMPTY] = "empty local part",
	[SP_ADDR_E_LOCAL_CHAR] = "invalid character in local part",
	[SP_ADDR_E_LOCAL_DOTS] = "misplaced dot in local part",
	[SP_ADDR_E_ESCAPE] = "invalid escape in quoted local part",
	[SP_ADDR_E_MIN_USER] = "local part starts with '-'",
	[SP_ADDR_E_NO_DOMAIN] = "address has no domain",
	[SP_ADDR_E_DOMAIN_EMPTY] = "empty domain",
	[SP_ADDR_E_DOMAIN_CHAR] = "invalid character in domain",
	[SP_ADDR_E_LABEL_EMPTY] = "empty label in domain",
	[SP_ADDR_E_LABEL_HYPHEN] = "domain label starts or ends with '-'",
	[SP_ADDR_E_LABEL_TOO_LONG] = "domain label longer than 63 octets",
	[SP_ADDR_E_DOMAIN_NUMERIC] = "numeric domain (use an address literal)",
	[SP_ADDR_E_IPV4] = "bad IPv4 address literal",
	[SP_ADDR_E_IPV6] = "bad IPv6 address literal",
	[SP_ADDR_E_LITERAL] = "bad address literal",
	[SP_ADDR_E_LOCAL_TOO_LONG] = "local part longer than 64 octets",
	[SP_ADDR_E_DOMAIN_TOO_LONG] = "domain longer than 255 octets",
	[SP_ADDR_E_PATH_TOO_LONG] = "path longer than 256 octets",
};

const char *sp_addr_strerror(enum sp_addr_err e)
{
	if ((unsigned)e >= SP_ADDR_E_COUNT || messages[e] == NULL)
		return "unknown error";
	return messages[e];
}

/* 1 when s[0..n) has no control character and is well-formed UTF-8. */
static int printable(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (is_ctl((unsigned char)s[i]))
			return 0;
	return check_utf8(s, n) == SP_ADDR_OK;
}

/* 1 when the internal local part s[0..n) is an RFC 5321 (6531) Dot-string. */
static int is_dot_string(const char *s, size_t n)
{
	if (bad_dots(s, n))
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char b = (unsigned char)s[i];
		if (b < 0x80 && !is_atext(b) && b != '.')
			return 0;
	}
	return 1;
}

/* Appends local[0..n) as a Quoted-string. */
static int add_quoted(struct sp_buf *out, const char *local, size_t n)
{
	if (sp_buf_addc(out, '"') < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if ((local[i] == '"' || local[i] == '\\') && sp_buf_addc(out, '\\') < 0)
			return -1;
		if (sp_buf_addc(out, local[i]) < 0)
			return -1;
	}
	return sp_buf_addc(out, '"');
}

int sp_addr_external(const char *local, size_t llen, const char *domain, size_t dlen,
		     struct sp_buf *out)
{
	size_t mark = out->len;
	int rc;

	if (llen == 0 || !printable(local, llen) || !printable(domain, dlen))
		return -1;
	if (is_dot_string(local, llen))
		rc = sp_buf_add(out, local, llen);
	else
		rc = add_quoted(out, local, llen);
	if (rc == 0 && dlen > 0)
		rc = sp_buf_addc(out, '@') < 0 ? -1 : sp_buf_add(out, domain, dlen);
	if (rc < 0)
		sp_buf_truncate(out, mark);
	return rc < 0 ? -1 : 0;
}

int sp_addr_format(const struct sp_addr *a, struct sp_buf *out)
{
	if (a->flags & SP_ADDR_F_NULL)
		return 0;
	return sp_addr_external(a->local, a->local_len, a->domain, a->domain_len, out);
}
