/*
 * dict_cidr.c - the cidr: table type (cidr_table(5)): a file of network
 * patterns, read into memory at open (or an inline table written in the
 * name, cidr:{ {rule}, {rule} }); a lookup walks the rules in file order
 * and returns the result of the first pattern that matches the address.
 * Rules are "pattern result", "!pattern result", "if pattern" ... "endif"
 * (nesting). Unlike postmap, which warns and skips a malformed rule, any
 * malformed line makes the open fail, naming file and line; so does a
 * result that is not UTF-8 (Postfix fails the lookups that return it) and
 * a prefix length that Postfix would silently wrap (/264 read as /8).
 * Logical lines come from lline, except that the CR of a CRLF line end
 * inside a continued line is kept, as Postfix keeps it.
 *
 * The first half of the file holds the pure parsers declared in
 * cidr_pattern.h; the second half builds and searches the table.
 */
#include "cidr_pattern.h"
#include "dict_impl.h"
#include "../config/lline.h"
#include "../config/value.h"
#include "../util/file.h"
#include "../util/mem.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define SP_CIDR_FILE_MAX (256u << 20)  /* largest table source: 256 MiB */
#define SP_CIDR_SHOW(n) ((int)((n) > 100 ? 100 : (n)))  /* bytes quoted in messages */

/* ---- the pure parsers (cidr_pattern.h) ---- */

/* Postfix's ISSPACE: ASCII white space. */
static int sp_cidr_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

static int sp_cidr_alnum(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* 1 when s[0..n) starts with the lower-case word w (any case) not followed by a letter or digit. */
static int sp_cidr_word(const char *s, size_t n, const char *w)
{
	size_t k = strlen(w);

	if (n < k)
		return 0;
	for (size_t i = 0; i < k; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != w[i])
			return 0;
	}
	return n == k || !sp_cidr_alnum(s[k]);
}

/* inet_pton over s[0..n); 1 on success. No valid address is 64 bytes long. */
static int sp_cidr_pton(int family, const char *s, size_t n, unsigned char *out)
{
	char buf[64];

	if (n >= sizeof(buf) || memchr(s, 0, n) != NULL)
		return 0;
	memcpy(buf, s, n);
	buf[n] = 0;
	return inet_pton(family, buf, out) == 1;
}

/* The family of an address text, as Postfix decides it: IPv6 if it holds a ':'. */
static int sp_cidr_family(const char *s, size_t n)
{
	return memchr(s, ':', n) != NULL ? AF_INET6 : AF_INET;
}

/* A prefix length: ASCII digits only, not empty; saturates far above 128. -1 if malformed. */
static int sp_cidr_prefix(const char *s, size_t n)
{
	int v = 0;

	if (n == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (v < 1000)
			v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Sets net->mask from net->prefix; returns 1 when net->addr has host bits set. */
static int sp_cidr_apply_mask(struct sp_cidr_net *net)
{
	int hostbits = 0;

	for (int i = 0; i < net->len; i++) {
		int bits = net->prefix - 8 * i;
		net->mask[i] = bits >= 8 ? 0xff : bits <= 0 ? 0 : (unsigned char)(0xff << (8 - bits));
		if (net->addr[i] & ~net->mask[i])
			hostbits = 1;
	}
	return hostbits;
}

/* The address a/m (with m bytes of prefix text) once the mask is applied, for "use ...". */
static void sp_cidr_suggest(struct sp_cidr_net *net, const char *a, size_t an, const char *m,
			    size_t mn, char *why, size_t whylen, char *fix, size_t fixlen)
{
	char text[INET6_ADDRSTRLEN];

	for (int i = 0; i < net->len; i++)
		net->addr[i] &= net->mask[i];
	if (inet_ntop(net->len == 4 ? AF_INET : AF_INET6, net->addr, text, sizeof(text)) == NULL)
		snprintf(text, sizeof(text), "?");
	snprintf(why, whylen, "non-null host address bits in \"%.*s/%.*s\"", SP_CIDR_SHOW(an), a,
		 SP_CIDR_SHOW(mn), m);
	snprintf(fix, fixlen, "perhaps you should use \"%s/%d\" instead (the bits after the "
		 "prefix length must be zero)", text, net->prefix);
}

/* Parses "address/length" with the address a[0..an) and the length m[0..mn). */
static int sp_cidr_parse_masked(const char *a, size_t an, const char *m, size_t mn,
				struct sp_cidr_net *net, char *why, size_t whylen, char *fix,
				size_t fixlen)
{
	int family = sp_cidr_family(a, an);
	int bits = family == AF_INET6 ? 128 : 32;
	int prefix = sp_cidr_prefix(m, mn);
	const char *bad = NULL;

	net->len = (unsigned char)(bits / 8);
	if (prefix < 0) {
		bad = "bad mask value";
		snprintf(fix, fixlen, "the prefix length after '/' is a decimal number");
	} else if (prefix > bits) {
		bad = "bad mask length";
		snprintf(fix, fixlen, "an %s prefix length is at most %d",
			 family == AF_INET6 ? "IPv6" : "IPv4", bits);
	} else if (!sp_cidr_pton(family, a, an, net->addr)) {
		bad = "bad network value";
		snprintf(fix, fixlen, "write an IPv4 address as four decimal numbers (1.2.3.0) "
			 "and an IPv6 address in hexadecimal (2001:db8::)");
	}
	if (bad != NULL) {
		snprintf(why, whylen, "%s in \"%.*s/%.*s\"", bad, SP_CIDR_SHOW(an), a,
			 SP_CIDR_SHOW(mn), m);
		return -1;
	}
	net->prefix = (unsigned char)prefix;
	if (sp_cidr_apply_mask(net)) {
		sp_cidr_suggest(net, a, an, m, mn, why, whylen, fix, fixlen);
		return -1;
	}
	return 0;
}

/* Parses a bare address a[0..an): a network of one host. */
static int sp_cidr_parse_host(const char *a, size_t an, struct sp_cidr_net *net, char *why,
			      size_t whylen, char *fix, size_t fixlen)
{
	int family = sp_cidr_family(a, an);

	net->len = family == AF_INET6 ? 16 : 4;
	if (!sp_cidr_pton(family, a, an, net->addr)) {
		snprintf(why, whylen, "bad address pattern: \"%.*s\"", SP_CIDR_SHOW(an), a);
		snprintf(fix, fixlen, "write an address (1.2.3.4, 2001:db8::1) or a network "
			 "(1.2.3.0/24, 2001:db8::/32)");
		return -1;
	}
	net->prefix = (unsigned char)(8 * net->len);
	sp_cidr_apply_mask(net);
	return 0;
}

int sp_cidr_parse_net(const char *s, size_t n, struct sp_cidr_net *net,
		      char *why, size_t whylen, char *fix, size_t fixlen)
{
	const char *slash;

	memset(net, 0, sizeof(*net));
	*fix = 0;
	if (n > 0 && s[0] == '[') {
		const char *close = memchr(s + 1, ']', n - 1);
		size_t in, after;

		if (close == NULL) {
			snprintf(why, whylen, "missing ']' character after \"[%.*s\"",
				 SP_CIDR_SHOW(n - 1), s + 1);
			snprintf(fix, fixlen, "write [address] or [address]/length");
			return -1;
		}
		in = (size_t)(close - s - 1);
		after = n - in - 2;
		if (after > 0 && close[1] != '/') {
			snprintf(why, whylen, "garbage after \"[%.*s]\"", SP_CIDR_SHOW(in), s + 1);
			snprintf(fix, fixlen, "only \"/length\" may follow ']'");
			return -1;
		}
		if (after > 0)
			return sp_cidr_parse_masked(s + 1, in, close + 2, after - 1, net, why, whylen,
						    fix, fixlen);
		s++;
		n = in;
	}
	if ((slash = memchr(s, '/', n)) != NULL)
		return sp_cidr_parse_masked(s, (size_t)(slash - s), slash + 1,
					    n - (size_t)(slash - s) - 1, net, why, whylen, fix,
					    fixlen);
	return sp_cidr_parse_host(s, n, net, why, whylen, fix, fixlen);
}

/* Skips '!' and white space from *p to end; each '!' flips *negate. */
static const char *sp_cidr_negations(const char *p, const char *end, int *negate)
{
	for (; p < end && (*p == '!' || sp_cidr_space(*p)); p++) {
		if (*p == '!')
			*negate = !*negate;
	}
	return p;
}

static size_t sp_cidr_trim_end(const char *p, size_t n)
{
	while (n > 0 && sp_cidr_space(p[n - 1]))
		n--;
	return n;
}

static int sp_cidr_no_pattern(char *why, size_t whylen, char *fix, size_t fixlen)
{
	snprintf(why, whylen, "no address pattern");
	snprintf(fix, fixlen, "write an address or network after \"if\" or \"!\"");
	return -1;
}

/* The rest of an address rule, after the negations: "pattern result". */
static int sp_cidr_parse_match(const char *p, const char *end, struct sp_cidr_rule *r,
			       char *why, size_t whylen, char *fix, size_t fixlen)
{
	const char *pat = p, *v;
	size_t patlen;

	while (p < end && !sp_cidr_space(*p))
		p++;
	patlen = (size_t)(p - pat);
	for (v = p; v < end && sp_cidr_space(*v); v++)
		;
	if (patlen == 0)
		return sp_cidr_no_pattern(why, whylen, fix, fixlen);
	if (sp_cidr_parse_net(pat, patlen, &r->net, why, whylen, fix, fixlen) < 0)
		return -1;
	r->op = SP_CIDR_MATCH;
	r->value = v;
	r->value_len = sp_cidr_trim_end(v, (size_t)(end - v));
	if (r->value_len == 0) {
		snprintf(why, whylen, "no lookup result");
		snprintf(fix, fixlen, "write the result after the pattern, on the same logical line");
		return -1;
	}
	return 0;
}

int sp_cidr_parse_rule(const char *line, size_t n, struct sp_cidr_rule *r,
		       char *why, size_t whylen, char *fix, size_t fixlen)
{
	const char *p = line, *end = line + n;

	memset(r, 0, sizeof(*r));
	*fix = 0;
	if (n > 0 && memchr(line, 0, n) != NULL) {
		snprintf(why, whylen, "NUL byte in line");
		snprintf(fix, fixlen, "table files are text: remove it");
		return -1;
	}
	if (sp_cidr_word(p, n, "if")) {
		p = sp_cidr_negations(p + 2, end, &r->negate);
		if (p == end)
			return sp_cidr_no_pattern(why, whylen, fix, fixlen);
		r->op = SP_CIDR_IF;
		return sp_cidr_parse_net(p, sp_cidr_trim_end(p, (size_t)(end - p)), &r->net, why,
					 whylen, fix, fixlen);
	}
	if (sp_cidr_word(p, n, "endif")) {
		for (p += 5; p < end && sp_cidr_space(*p); p++)
			;
		if (p != end) {
			snprintf(why, whylen, "garbage after ENDIF");
			snprintf(fix, fixlen, "put nothing after \"endif\" on its line");
			return -1;
		}
		r->op = SP_CIDR_ENDIF;
		return 0;
	}
	p = sp_cidr_negations(p, end, &r->negate);
	return sp_cidr_parse_match(p, end, r, why, whylen, fix, fixlen);
}

int sp_cidr_parse_key(const char *key, unsigned char addr[SP_CIDR_ADDR_BYTES])
{
	int family = strchr(key, ':') != NULL ? AF_INET6 : AF_INET;

	if (inet_pton(family, key, addr) != 1)
		return 0;
	return family == AF_INET6 ? 16 : 4;
}

int sp_cidr_net_contains(const struct sp_cidr_net *net, const unsigned char *addr, int alen)
{
	if (alen != net->len)
		return 0;
	for (int i = 0; i < alen; i++) {
		if ((addr[i] & net->mask[i]) != net->addr[i])
			return 0;
	}
	return 1;
}

/* ---- the table ---- */

struct sp_cidr_entry {
	struct sp_cidr_net net;
	unsigned char op;       /* enum sp_cidr_op */
	unsigned char negate;
	int line;
	size_t end;             /* SP_CIDR_IF: index of its endif */
	char *value;            /* SP_CIDR_MATCH */
};

struct sp_cidr_table {
	struct sp_cidr_entry *v;
	size_t n, cap;
};

/* The state of one open: the table so far, the open ifs, the errors. */
struct sp_cidr_build {
	struct sp_cidr_table *t;
	size_t *ifs;            /* indexes of the ifs still open */
	size_t depth, ifcap;
	const char *label;      /* the file, as named in messages */
	struct sp_diags *dg;
	size_t errors;
	char *err;              /* the first error */
	size_t errlen;
};

static void sp_cidr_table_free(struct sp_cidr_table *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].value);
	free(t->v);
	free(t);
}

/* Records an error at line: into the diagnostics, and into err when it is the first. */
static void sp_cidr_error(struct sp_cidr_build *b, int line, const char *what, const char *fix)
{
	if (b->errors++ == 0)
		snprintf(b->err, b->errlen, "cidr map %s, line %d: %s", b->label, line, what);
	sp_diag_add(b->dg, SP_ERROR, b->label, line, NULL, fix && *fix ? fix : NULL, "%s", what);
}

/* 1 when s[0..n) is UTF-8 as Postfix accepts it (no overlong forms, no surrogates, at most U+10FFFF). */
static int sp_cidr_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i], lo = 0x80, hi = 0xbf;
		size_t k;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			k = 1;
		else if (c >= 0xe0 && c <= 0xef)
			k = 2, lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
		else if (c >= 0xf0 && c <= 0xf4)
			k = 3, lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
		else
			return 0;
		if (n - i - 1 < k || s[i + 1] < lo || s[i + 1] > hi)
			return 0;
		for (size_t j = 2; j <= k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return 0;
		}
		i += k + 1;
	}
	return 1;
}

/* Checks a result before it is kept; 0, or -1 after recording the error. */
static int sp_cidr_check_value(struct sp_cidr_build *b, const struct sp_cidr_rule *r, int line)
{
	if (r->value_len > SP_DICT_VALUE_MAX) {
		sp_cidr_error(b, line, "lookup result longer than 1 MiB", "shorten the result");
		return -1;
	}
	if (!sp_cidr_utf8((const unsigned char *)r->value, r->value_len)) {
		sp_cidr_error(b, line, "lookup result is not UTF-8 (malformed UTF-8 or invalid "
			      "codepoint)", "write the result in UTF-8; Postfix fails every "
			      "lookup that would return it");
		return -1;
	}
	return 0;
}

/* Adds a parsed rule to the table, matching endif to if. */
static void sp_cidr_add(struct sp_cidr_build *b, const struct sp_cidr_rule *r, int line)
{
	struct sp_cidr_table *t = b->t;
	struct sp_cidr_entry *e;

	if (r->op == SP_CIDR_MATCH && sp_cidr_check_value(b, r, line) < 0)
		return;
	if (r->op == SP_CIDR_ENDIF) {
		if (b->depth == 0) {
			sp_cidr_error(b, line, "ENDIF without IF", "remove it, or add the \"if\" "
				      "it closes");
			return;
		}
		t->v[b->ifs[--b->depth]].end = t->n;
	}
	if (r->op == SP_CIDR_IF) {
		b->ifs = sp_xgrow(b->ifs, &b->ifcap, b->depth + 1, sizeof(*b->ifs));
		b->ifs[b->depth++] = t->n;
	}
	t->v = sp_xgrow(t->v, &t->cap, t->n + 1, sizeof(*t->v));
	e = &t->v[t->n++];
	memset(e, 0, sizeof(*e));
	e->net = r->net;
	e->op = (unsigned char)r->op;
	e->negate = (unsigned char)r->negate;
	e->line = line;
	if (r->op == SP_CIDR_MATCH)
		e->value = sp_xstrndup(r->value, r->value_len);
}

/* 1 when the physical line p[0..n) is blank or a comment (lline skips it). */
static int sp_cidr_ignorable(const char *p, size_t n)
{
	size_t i = 0;

	while (i < n && sp_cidr_space(p[i]))
		i++;
	return i == n || p[i] == '#';
}

/* Postfix keeps the CR of a CRLF line end where a logical line continues
 * (it may end up inside a result); lline drops it. Rebuilds the logical
 * line from its raw bytes raw[0..n) with those CRs. 0, or -1 when too long. */
static int sp_cidr_keep_cr(const char *raw, size_t n, struct sp_buf *out)
{
	sp_buf_reset(out);
	while (n > 0) {
		const char *nl = memchr(raw, '\n', n);
		size_t len = nl ? (size_t)(nl - raw) : n;

		if (!sp_cidr_ignorable(raw, len) && sp_buf_add(out, raw, len) < 0)
			return -1;
		raw += nl ? len + 1 : len;
		n -= nl ? len + 1 : len;
	}
	return 0;
}

/* Parses the whole source into b->t; errors go to b. */
static void sp_cidr_build(struct sp_cidr_build *b, const char *data, size_t len)
{
	struct sp_lline_reader rd;
	struct sp_buf line;
	int first, last, rc;
	const char *lerr;
	char why[512], fix[256];
	size_t start;

	sp_buf_init(&line, SP_LLINE_MAX);
	sp_lline_init(&rd, data, len);
	for (;;) {
		struct sp_cidr_rule r;

		start = rd.off;
		if ((rc = sp_lline_next(&rd, &line, &first, &last, &lerr)) == 0)
			break;
		if (rc > 0 && last > first && memchr(data + start, '\r', rd.off - start) != NULL &&
		    sp_cidr_keep_cr(data + start, rd.off - start, &line) < 0) {
			rc = -1;
			lerr = "logical line longer than 4 MiB";
		}
		if (rc < 0) {
			sp_cidr_error(b, first, lerr, NULL);
			continue;
		}
		if (sp_cidr_parse_rule(line.data, line.len, &r, why, sizeof(why), fix,
				       sizeof(fix)) < 0) {
			sp_cidr_error(b, first, why, fix);
			continue;
		}
		sp_cidr_add(b, &r, first);
	}
	sp_buf_free(&line);
	while (b->depth > 0)
		sp_cidr_error(b, b->t->v[b->ifs[--b->depth]].line, "IF has no matching ENDIF",
			      "add \"endif\" where the block ends");
}

struct sp_cidr_inline {
	struct sp_buf *out;
	char *err;
	size_t errlen;
};

/* Length of the balanced {...} group at s (s[0] is '{'), or 0 when it does not close. */
static size_t sp_cidr_group(const char *s, size_t n)
{
	int level = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '{')
			level++;
		else if (s[i] == '}' && --level == 0)
			return i + 1;
	}
	return 0;
}

/* One element of an inline table, "{ rule }": the rule becomes a line of text. */
static int sp_cidr_inline_rule(void *vctx, const char *e, size_t n)
{
	struct sp_cidr_inline *c = vctx;
	size_t g = n > 0 && e[0] == '{' ? sp_cidr_group(e, n) : 0;

	if (g != n) {
		snprintf(c->err, c->errlen, "cidr map: write each rule in braces: "
			 "cidr:{ {rule}, {rule} }, not \"%.*s\"", SP_CIDR_SHOW(n), e);
		return -1;
	}
	e++, n -= 2;
	while (n > 0 && sp_cidr_space(*e))
		e++, n--;
	n = sp_cidr_trim_end(e, n);
	if (sp_buf_add(c->out, e, n) < 0 || sp_buf_addc(c->out, '\n') < 0) {
		snprintf(c->err, c->errlen, "cidr map: inline table too long");
		return -1;
	}
	return 0;
}

/* The text of an inline table cidr:{ {rule}, ... }, one rule a line, into out. */
static int sp_cidr_inline_text(const char *name, struct sp_buf *out, char *err, size_t errlen)
{
	size_t n = strlen(name);
	struct sp_cidr_inline c = {out, err, errlen};
	char *body;
	int rc;

	if (sp_cidr_group(name, n) != n) {
		snprintf(err, errlen, "cidr map: \"%.*s\": need one {...} group holding "
			 "{rule} elements", SP_CIDR_SHOW(n), name);
		return -1;
	}
	body = sp_xstrndup(name + 1, n - 2);
	rc = sp_value_list(body, sp_cidr_inline_rule, &c);
	free(body);
	return rc != 0 ? -1 : 0;
}

/* Reads the table source: the file, or the inline text. */
static int sp_cidr_source(const struct sp_dict *d, char **data, size_t *len, char *err,
			  size_t errlen)
{
	struct sp_buf b;

	if (d->name[0] != '{') {
		if (sp_file_read(d->name, SP_CIDR_FILE_MAX, data, len) == 0)
			return 0;
		snprintf(err, errlen, "open %s: %s", d->name,
			 errno == EFBIG ? "file larger than 256 MiB" : strerror(errno));
		return -1;
	}
	sp_buf_init(&b, SP_CIDR_FILE_MAX);
	if (sp_cidr_inline_text(d->name, &b, err, errlen) < 0) {
		sp_buf_free(&b);
		return -1;
	}
	*len = b.len;
	*data = sp_buf_take(&b);
	return 0;
}

static int sp_cidr_open(struct sp_dict *d, struct sp_diags *diags, char *err, size_t errlen)
{
	struct sp_diags local = {0};
	struct sp_cidr_build b = {0};
	char label[96];
	char *data;
	size_t len;

	if (sp_cidr_source(d, &data, &len, err, errlen) < 0)
		return -1;
	/* An inline table is named by its text: shorten that in messages. */
	snprintf(label, sizeof(label), "%.80s%s", d->name, strlen(d->name) > 80 ? "..." : "");
	b.t = sp_xcalloc(1, sizeof(*b.t));
	b.label = d->name[0] == '{' ? label : d->name;
	b.dg = diags ? diags : &local;
	b.err = err;
	b.errlen = errlen;
	sp_cidr_build(&b, data, len);
	free(data);
	free(b.ifs);
	sp_diags_free(&local);
	if (b.errors > 0) {
		size_t used = strlen(err);
		if (b.errors > 1 && used < errlen)
			snprintf(err + used, errlen - used, " (and %zu more error%s)", b.errors - 1,
				 b.errors > 2 ? "s" : "");
		sp_cidr_table_free(b.t);
		return -1;
	}
	d->priv = b.t;
	return 0;
}

static int sp_cidr_lookup(struct sp_dict *d, const char *key, char *err, size_t errlen)
{
	const struct sp_cidr_table *t = d->priv;
	unsigned char addr[SP_CIDR_ADDR_BYTES];
	int alen = sp_cidr_parse_key(key, addr);

	if (alen == 0)
		return 0;   /* not an address: Postfix finds nothing either */
	for (size_t i = 0; i < t->n; i++) {
		const struct sp_cidr_entry *e = &t->v[i];
		int hit = e->net.len == alen && sp_cidr_net_contains(&e->net, addr, alen) != e->negate;

		if (e->op == SP_CIDR_IF && !hit) {
			if (e->end == 0)
				return 0;   /* no endif (open refuses that): Postfix stops here */
			i = e->end;     /* skip the block; the loop steps past its endif */
		}
		if (e->op != SP_CIDR_MATCH || !hit)
			continue;
		if (sp_buf_adds(&d->result, e->value) < 0) {
			snprintf(err, errlen, "cidr:%s: result too long", d->name);
			return -1;
		}
		return 1;
	}
	return 0;
}

static void sp_cidr_close(struct sp_dict *d)
{
	sp_cidr_table_free(d->priv);
	d->priv = NULL;
}

const struct sp_dict_ops sp_dict_cidr_ops = {
	.type = "cidr",
	.open = sp_cidr_open,
	.lookup = sp_cidr_lookup,
	.close = sp_cidr_close,
	.pattern = 1,
	.file_suffix = "",
};
