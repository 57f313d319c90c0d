/*
 * resolve.c - address classes (see resolve.h), after Postfix 3.7's
 * trivial-rewrite resolve_addr(), resolve_local() and match_list(), redone
 * over strings in internal form instead of RFC 822 token trees.
 *
 * It owns: the domain lists (mydestination, virtual_alias_domains and
 * virtual_mailbox_domains are Postfix "string lists": exact names and
 * full-name table lookups; relay_domains is a "domain list": parent
 * domains too, in the style parent_domain_matches_subdomains selects), the
 * machine's own addresses (inet_interfaces, proxy_interfaces) for address
 * literals, the "local" rewriting smtpd applies before it resolves
 * (source route, bang path or percent hack or @$myorigin for a bare name,
 * .$mydomain, trailing dot), and the resolver loop that strips local
 * domains and looks inside what is left, then decides the class.
 *
 * The local part of the working string is what Postfix's quote_822_local
 * calls it: everything before the last '@'. It is "unquoted" (Postfix
 * tokenizes it, so '%' and '!' in it are operators) exactly when it is an
 * RFC 822 dot-string; otherwise Postfix sees one quoted string, which only
 * resolve_dequoted_address opens.
 */
#include "resolve.h"
#include "../config/value.h"
#include "../dict/dict.h"
#include "../dict/lookup_order.h"
#include "../util/file.h"
#include "../util/hostname.h"
#include "../util/mem.h"
#include "../util/utf8.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#define SP_RS_ELEM_MAX 4096          /* bytes in one list element */
#define SP_RS_LIST_MAX 10000         /* elements in one list, files included */
#define SP_RS_FILE_MAX (4u << 20)    /* bytes in one /file/name */
#define SP_RS_WORK 2048              /* working address buffer */
#define SP_RS_SHOW 100               /* bytes of an element quoted in messages */

enum { SP_RS_STRING, SP_RS_TABLE };

struct sp_rs_elem {
	unsigned char kind;
	unsigned char negate;
	char *text;                  /* lower case (SP_RS_STRING), or the table spec */
	struct sp_dict *dict;        /* SP_RS_TABLE */
};

/* A compiled domain list. */
struct sp_rs_list {
	struct sp_rs_elem *v;
	size_t n, cap;
	const char *param;
	int domain;                  /* 1: domain list (parents), 0: string list */
	enum sp_parent_style ps;
};

struct sp_rs_ip {
	int family;
	unsigned char a[16];
};

struct sp_resolver {
	struct sp_rs_list mydest, valias, vmbox, relay;
	struct sp_rs_ip *own;        /* inet_interfaces and proxy_interfaces */
	size_t nown, capown;
	char *myhostname, *myorigin, *mydomain, *empty_rcpt;
	int percent, bang, dequote, at_origin, dot_domain, null_domain, min_user, utf8;
};

/* The state of one list compile. */
struct sp_rs_build {
	struct sp_rs_list *l;
	struct sp_diags *dg;
	const char *file;
	int line;
	int depth;
	int negate;
	int full;
};

/* ---- compiling domain lists ---- */

/* Reports an error about element e[0..n). */
static void sp_rs_error(struct sp_rs_build *b, const char *e, size_t n, const char *fix,
			const char *what)
{
	char show[SP_RS_SHOW * 2], safe[1024];

	sp_diag_excerpt(what, strlen(what), sizeof(safe) - 4, safe, sizeof(safe));
	sp_diag_add(b->dg, SP_ERROR, b->file, b->line, b->l->param, fix, "\"%s\": %s",
		    sp_diag_excerpt(e, n, SP_RS_SHOW, show, sizeof(show)), safe);
}

static struct sp_rs_elem *sp_rs_add(struct sp_rs_list *l, int kind, int negate, const char *e,
				    size_t n)
{
	struct sp_rs_elem *x;

	l->v = sp_xgrow(l->v, &l->cap, l->n + 1, sizeof(*l->v));
	x = &l->v[l->n++];
	memset(x, 0, sizeof(*x));
	x->kind = (unsigned char)kind;
	x->negate = (unsigned char)negate;
	x->text = sp_xstrndup(e, n);
	return x;
}

/* A type:table element, opened with case folding (Postfix folds the name). */
static void sp_rs_table(struct sp_rs_build *b, int negate, const char *e, size_t n)
{
	char err[512];
	char *spec = sp_xstrndup(e, n);
	size_t before = b->dg->errors;
	struct sp_dict *d = sp_dict_open(spec, SP_DICT_FOLD, b->dg, err, sizeof(err));

	free(spec);
	if (d == NULL) {
		if (b->dg->errors == before)
			sp_rs_error(b, e, n, "fix the table or remove the element; Postfix answers "
				    "4xx to every recipient that reaches it", err);
		return;
	}
	sp_rs_add(b->l, SP_RS_TABLE, negate, e, n)->dict = d;
}

static int sp_rs_elem(void *ctx, const char *e, size_t n);

/* One line of a /file/name (sp_value_file_lines callback). */
static int sp_rs_file_line(void *ctx, int line, char *text)
{
	struct sp_rs_build *in = ctx;

	in->line = line;
	if (text == NULL)
		sp_diag_add(in->dg, SP_ERROR, in->file, line, in->l->param, "remove it",
			    "NUL byte in line");
	else
		sp_value_list(text, sp_rs_elem, in);
	return in->full;
}

/* Reads a /file/name element: each line (but '#' lines) holds more elements. */
static void sp_rs_file(struct sp_rs_build *b, int negate, const char *e, size_t n)
{
	char what[600], show[SP_RS_SHOW * 2];
	struct sp_rs_build in = *b;
	char *path;

	if (b->depth > 0) {
		sp_rs_error(b, e, n, "write its elements into this file instead",
			    "a /file/name inside a pattern file is not supported (sallyport reads "
			    "one level)");
		sp_diag_unsupported(b->dg);
		return;
	}
	path = sp_xstrndup(e, n);
	in.file = path;
	in.depth = 1;
	in.negate = negate;
	if (sp_value_file_lines(path, SP_RS_FILE_MAX, sp_rs_file_line, &in) < 0) {
		snprintf(what, sizeof(what), "open file %s: %s",
			 sp_diag_excerpt(e, n, SP_RS_SHOW, show, sizeof(show)),
			 errno == EFBIG ? "larger than 4 MiB" : strerror(errno));
		sp_rs_error(b, e, n, "create the file, or remove the element; Postfix answers 4xx "
			    "to every recipient that reaches it", what);
		free(path);
		return;
	}
	b->full = in.full;
	free(path);
}

/* One element (sp_value_list callback); non-zero ends the line. */
static int sp_rs_elem(void *ctx, const char *e, size_t n)
{
	struct sp_rs_build *b = ctx;
	char show[SP_RS_SHOW * 2];
	int negate = b->negate;

	if (b->full)
		return 1;
	if (e[0] == '#') {
		sp_diag_add(b->dg, SP_WARNING, b->file, b->line, b->l->param,
			    "put comments on lines of their own",
			    "comment at end of line is not supported: %s",
			    sp_diag_excerpt(e, strlen(e), SP_RS_SHOW, show, sizeof(show)));
		sp_diag_unsupported(b->dg);
		return 1;
	}
	if (n > SP_RS_ELEM_MAX) {
		sp_rs_error(b, e, n, "use a table for long lists", "element longer than 4096 bytes");
		return 0;
	}
	for (; n > 0 && *e == '!'; e++, n--)
		negate = !negate;
	if (n == 0) {
		sp_diag_add(b->dg, SP_ERROR, b->file, b->line, b->l->param,
			    "write \"!pattern\" with no space after '!'", "no pattern after '!'");
		return 0;
	}
	if (b->l->n >= SP_RS_LIST_MAX) {
		sp_diag_add(b->dg, SP_ERROR, b->file, b->line, b->l->param,
			    "use a table for long lists", "more than %d elements", SP_RS_LIST_MAX);
		b->full = 1;
		return 1;
	}
	if (*e == '/') {
		sp_rs_file(b, negate, e, n);
	} else if (*e != '[' && memchr(e, ':', n) != NULL) {
		sp_rs_table(b, negate, e, n);
	} else {
		struct sp_rs_elem *x = sp_rs_add(b->l, SP_RS_STRING, negate, e, n);
		for (char *p = x->text; *p; p++)
			*p = (char)tolower((unsigned char)*p);
	}
	return 0;
}

/* The parameter's file and line, for diagnostics. */
static void sp_rs_where(const struct sp_view *v, const char *param, const char **file, int *line)
{
	const struct sp_param *p = sp_view_find(v, param);

	*file = p && p->src != SP_SRC_DEFAULT ? p->file : NULL;
	*line = p && p->src != SP_SRC_DEFAULT ? p->line : 0;
}

/* 1 when name is an element of parent_domain_matches_subdomains. */
static int sp_rs_listed(void *ctx, const char *e, size_t n)
{
	const char *name = ctx;

	return strlen(name) == n && strncasecmp(e, name, n) == 0;
}

/* Compiles one list parameter; domain 1 for relay_domains' matching. */
static void sp_rs_list_compile(struct sp_rs_list *l, const struct sp_view *v, const char *param,
			       int domain, struct sp_diags *d)
{
	struct sp_rs_build b = {0};
	const char *value = sp_view_get(v, param), *pdms;

	l->param = param;
	l->domain = domain;
	pdms = sp_view_get(v, "parent_domain_matches_subdomains");
	l->ps = pdms && sp_value_list(pdms, sp_rs_listed, (void *)param) ? SP_PARENT_MATCHES
									  : SP_PARENT_DOT;
	b.l = l;
	b.dg = d;
	sp_rs_where(v, param, &b.file, &b.line);
	sp_value_list(value ? value : "", sp_rs_elem, &b);
}

static void sp_rs_list_free(struct sp_rs_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].text);
		sp_dict_close(&l->v[i].dict);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* ---- own addresses ---- */

static void sp_rs_own_add(struct sp_resolver *r, int family, const void *a)
{
	struct sp_rs_ip *x;

	r->own = sp_xgrow(r->own, &r->capown, r->nown + 1, sizeof(*r->own));
	x = &r->own[r->nown++];
	memset(x, 0, sizeof(*x));
	x->family = family;
	memcpy(x->a, a, family == AF_INET ? 4 : 16);
}

/* Which families inet_protocols allows: bit 0 IPv4, bit 1 IPv6. */
static int sp_rs_protocols(const struct sp_view *v)
{
	const char *p = sp_view_get(v, "inet_protocols");
	int fam = 0;

	if (p == NULL || strcasecmp(p, "all") == 0)
		return 3;
	if (strcasestr(p, "ipv4"))
		fam |= 1;
	if (strcasestr(p, "ipv6"))
		fam |= 2;
	return fam;
}

static int sp_rs_fam_ok(int fams, int family)
{
	return family == AF_INET ? (fams & 1) != 0 : (fams & 2) != 0;
}

/* inet_interfaces = all: every address of every interface. */
static void sp_rs_own_all(struct sp_resolver *r, int fams, struct sp_diags *d, const char *file,
			  int line)
{
	struct ifaddrs *ifa0, *ifa;

	if (getifaddrs(&ifa0) != 0) {
		sp_diag_add(d, SP_ERROR, file, line, "inet_interfaces", "list the addresses",
			    "cannot list the machine's interface addresses: %s", strerror(errno));
		return;
	}
	for (ifa = ifa0; ifa; ifa = ifa->ifa_next) {
		const struct sockaddr *sa = ifa->ifa_addr;
		if (sa == NULL || !sp_rs_fam_ok(fams, sa->sa_family))
			continue;
		if (sa->sa_family == AF_INET)
			sp_rs_own_add(r, AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr);
		else if (sa->sa_family == AF_INET6)
			sp_rs_own_add(r, AF_INET6,
				      &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr);
	}
	freeifaddrs(ifa0);
}

struct sp_rs_ifctx {
	struct sp_resolver *r;
	struct sp_diags *d;
	const char *param, *file;
	int line, fams;
};

/* One explicit interface address, with or without brackets. */
static int sp_rs_own_elem(void *vctx, const char *e, size_t n)
{
	struct sp_rs_ifctx *c = vctx;
	char buf[INET6_ADDRSTRLEN + 8], show[SP_RS_SHOW * 2];
	unsigned char a[16];

	if (n >= 2 && e[0] == '[' && e[n - 1] == ']') {
		e++;
		n -= 2;
	}
	if (n < sizeof(buf)) {
		memcpy(buf, e, n);
		buf[n] = 0;
		if (inet_pton(AF_INET, buf, a) == 1 || inet_pton(AF_INET6, buf, a) == 1) {
			int fam = strchr(buf, ':') ? AF_INET6 : AF_INET;
			if (sp_rs_fam_ok(c->fams, fam))
				sp_rs_own_add(c->r, fam, a);
			return 0;
		}
	}
	sp_diag_add(c->d, SP_ERROR, c->file, c->line, c->param,
		    "write the interface's IP address (host names are not looked up)",
		    "\"%s\": not an IP address", sp_diag_excerpt(e, n, SP_RS_SHOW, show, sizeof(show)));
	return 0;
}

/* Counts list elements (sp_value_list callback). */
static int sp_rs_count(void *ctx, const char *e, size_t n)
{
	(void)e;
	(void)n;
	++*(size_t *)ctx;
	return 0;
}

/* inet_interfaces (all, loopback-only, or addresses) and proxy_interfaces. */
static void sp_rs_own(struct sp_resolver *r, const struct sp_view *v, struct sp_diags *d)
{
	static const unsigned char lo4[4] = {127, 0, 0, 1};
	struct sp_rs_ifctx c = {.r = r, .d = d, .fams = sp_rs_protocols(v)};
	const char *ii = sp_view_get(v, "inet_interfaces"), *pi = sp_view_get(v, "proxy_interfaces");
	const char *word = ii ? ii + strspn(ii, " \t\r\n,") : "all";
	size_t n = 0;

	sp_rs_where(v, "inet_interfaces", &c.file, &c.line);
	sp_value_list(word, sp_rs_count, &n);
	if (n == 1 && strncasecmp(word, "all", 3) == 0 && strcspn(word, " \t\r\n,") == 3) {
		sp_rs_own_all(r, c.fams, d, c.file, c.line);
	} else if (n == 1 && strncasecmp(word, "loopback-only", 13) == 0 &&
		   strcspn(word, " \t\r\n,") == 13) {
		if (c.fams & 1)
			sp_rs_own_add(r, AF_INET, lo4);
		if (c.fams & 2)
			sp_rs_own_add(r, AF_INET6, &in6addr_loopback);
	} else {
		c.param = "inet_interfaces";
		sp_value_list(word, sp_rs_own_elem, &c);
	}
	c.param = "proxy_interfaces";
	sp_rs_where(v, "proxy_interfaces", &c.file, &c.line);
	sp_value_list(pi ? pi : "", sp_rs_own_elem, &c);
}

/* ---- compile ---- */

static int sp_rs_bool(const struct sp_view *v, const char *name, int def)
{
	const char *s = sp_view_get(v, name);
	int b;

	return s && sp_value_bool(s, &b) == 0 ? b : def;
}

/* myorigin, or the first line of the file it names (Debian's /etc/mailname). */
static char *sp_rs_origin(const struct sp_view *v, struct sp_diags *d)
{
	const char *o = sp_view_get(v, "myorigin");
	char *data, *out;
	size_t len;

	if (o == NULL || o[0] != '/')
		return sp_xstrdup(o ? o : "");
	if (sp_file_read(o, 4096, &data, &len) < 0) {
		const char *file;
		int line;
		sp_rs_where(v, "myorigin", &file, &line);
		sp_diag_add(d, SP_ERROR, file, line, "myorigin", "create the file or name a domain",
			    "cannot read %s: %s", o, strerror(errno));
		return sp_xstrdup("");
	}
	out = sp_xstrndup(data, strcspn(data, "\r\n"));
	free(data);
	return out;
}

struct sp_resolver *sp_resolver_compile(const struct sp_view *v, struct sp_diags *d)
{
	struct sp_resolver *r = sp_xcalloc(1, sizeof(*r));
	size_t before = d->errors;
	const char *s;

	sp_rs_list_compile(&r->mydest, v, "mydestination", 0, d);
	sp_rs_list_compile(&r->valias, v, "virtual_alias_domains", 0, d);
	sp_rs_list_compile(&r->vmbox, v, "virtual_mailbox_domains", 0, d);
	sp_rs_list_compile(&r->relay, v, "relay_domains", 1, d);
	sp_rs_own(r, v, d);
	r->myhostname = sp_xstrdup((s = sp_view_get(v, "myhostname")) ? s : "");
	r->mydomain = sp_xstrdup((s = sp_view_get(v, "mydomain")) ? s : "");
	r->empty_rcpt = sp_xstrdup((s = sp_view_get(v, "empty_address_recipient")) ? s
										   : "MAILER-DAEMON");
	r->myorigin = sp_rs_origin(v, d);
	r->percent = sp_rs_bool(v, "allow_percent_hack", 0);
	r->bang = sp_rs_bool(v, "swap_bangpath", 0);
	r->dequote = sp_rs_bool(v, "resolve_dequoted_address", 1);
	r->at_origin = sp_rs_bool(v, "append_at_myorigin", 1);
	r->dot_domain = sp_rs_bool(v, "append_dot_mydomain", 0);
	r->null_domain = sp_rs_bool(v, "resolve_null_domain", 0);
	r->min_user = sp_rs_bool(v, "allow_min_user", 0);
	r->utf8 = sp_rs_bool(v, "smtputf8_enable", 1);
	if (d->errors != before)
		sp_resolver_free(&r);
	return r;
}

void sp_resolver_free(struct sp_resolver **rp)
{
	struct sp_resolver *r = *rp;

	if (r == NULL)
		return;
	sp_rs_list_free(&r->mydest);
	sp_rs_list_free(&r->valias);
	sp_rs_list_free(&r->vmbox);
	sp_rs_list_free(&r->relay);
	free(r->own);
	free(r->myhostname);
	free(r->myorigin);
	free(r->mydomain);
	free(r->empty_rcpt);
	free(r);
	*rp = NULL;
}

/* ---- matching ---- */

/* Postfix's match_hostname for a string element: exact, or a parent. */
static int sp_rs_host_match(const struct sp_rs_list *l, const char *name, const char *pat)
{
	size_t nl = strlen(name), pl = strlen(pat);

	if (strcmp(name, pat) == 0)
		return 1;
	if (!l->domain || pl >= nl || strcmp(name + nl - pl, pat) != 0)
		return 0;
	if (l->ps == SP_PARENT_MATCHES)
		return name[nl - pl - 1] == '.';
	return pat[0] == '.';
}

/* A table element: the name (string list), or the name and its parents. */
static int sp_rs_table_match(const struct sp_rs_list *l, struct sp_dict *dict, const char *name,
			     char *err, size_t errlen)
{
	struct sp_lookup_keys keys = {0};
	const char *value, *matched;
	int rc;

	if (!l->domain)
		return sp_dict_lookup(dict, name, &value, err, errlen);
	sp_keys_domain_access(name, l->ps, &keys);
	rc = sp_lookup_first(&dict, 1, &keys, &value, &matched, err, errlen);
	sp_lookup_keys_free(&keys);
	return rc;
}

/* First match decides: 1 listed, 0 not (or negated), -1 lookup error. name is lower case. */
static int sp_rs_match(const struct sp_rs_list *l, const char *name, char *err, size_t errlen)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct sp_rs_elem *x = &l->v[i];
		int hit;

		if (x->kind == SP_RS_TABLE) {
			char why[400] = "";
			hit = sp_rs_table_match(l, x->dict, name, why, sizeof(why));
			if (hit < 0) {
				snprintf(err, errlen, "%s: %s: table lookup problem: %s", l->param,
					 x->text, why);
				return -1;
			}
		} else {
			hit = sp_rs_host_match(l, name, x->text);
		}
		if (hit)
			return !x->negate;
	}
	return 0;
}

/* "[1.2.3.4]" or "[IPv6:...]": fills family and a; 0, or -1 when not one. */
static int sp_rs_literal(const char *dom, int *family, unsigned char a[16])
{
	size_t n = strlen(dom);
	char buf[INET6_ADDRSTRLEN + 8];

	if (n < 3 || dom[0] != '[' || dom[n - 1] != ']' || n - 2 >= sizeof(buf))
		return -1;
	memcpy(buf, dom + 1, n - 2);
	buf[n - 2] = 0;
	if (strncasecmp(buf, "IPv6:", 5) == 0) {
		*family = AF_INET6;
		return inet_pton(AF_INET6, buf + 5, a) == 1 ? 0 : -1;
	}
	*family = AF_INET;
	return inet_pton(AF_INET, buf, a) == 1 ? 0 : -1;
}

/* Postfix's resolve_local: 1 when dom (lower case) is ours, 0, -1 on error. */
static int sp_rs_local(const struct sp_resolver *r, const char *dom, char *err, size_t errlen)
{
	char name[SP_RS_WORK];
	size_t n = strlen(dom);
	unsigned char a[16];
	int rc, fam;

	if (n == 0 || n >= sizeof(name))
		return 0;
	memcpy(name, dom, n + 1);
	if (name[n - 1] == '.')
		name[--n] = 0;
	if (n == 0 || name[n - 1] == '.')
		return 0;
	if ((rc = sp_rs_match(&r->mydest, name, err, errlen)) != 0)
		return rc;
	if (sp_rs_literal(name, &fam, a) < 0)
		return 0;
	for (size_t i = 0; i < r->nown; i++) {
		if (r->own[i].family == fam && memcmp(r->own[i].a, a, fam == AF_INET ? 4 : 16) == 0)
			return 1;
	}
	return 0;
}

/* ---- the working address ---- */

struct sp_rs_work {
	char s[SP_RS_WORK];
	size_t n;
	int over;            /* it would have grown past SP_RS_WORK */
};

static void sp_rs_cut(struct sp_rs_work *w, size_t n)
{
	w->n = n;
	w->s[n] = 0;
}

static void sp_rs_cat(struct sp_rs_work *w, const char *p, size_t n)
{
	if (n >= sizeof(w->s) - w->n) {
		w->over = 1;
		return;
	}
	memmove(w->s + w->n, p, n);
	sp_rs_cut(w, w->n + n);
}

static void sp_rs_set(struct sp_rs_work *w, const char *p)
{
	sp_rs_cut(w, 0);
	sp_rs_cat(w, p, strlen(p));
}

/* The last '@', or NULL. */
static char *sp_rs_at(struct sp_rs_work *w)
{
	return memrchr(w->s, '@', w->n);
}

/* 1 when p[0..n) is an RFC 822 dot-string (Postfix's is_822_dot_string,
 * 8-bit clean): Postfix then reads it as atoms and operators, not one
 * quoted string. */
static int sp_rs_dot_string(const char *p, size_t n)
{
	if (n == 0 || p[0] == '.' || p[n - 1] == '.')
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if ((c == '.' && i + 1 < n && p[i + 1] == '.') || c <= ' ' || c == 0x7f ||
		    strchr("()<>@,;:\\\"[]", c) != NULL)
			return 0;
	}
	return 1;
}

/* Drops "@a,@b:" in front (Postfix's rewrite_tree); 1 when it did. */
static int sp_rs_route(struct sp_rs_work *w)
{
	size_t i;
	int lit = 0;

	if (w->n == 0 || w->s[0] != '@')
		return 0;
	for (i = 0; i < w->n && (w->s[i] != ':' || lit); i++) {
		if (w->s[i] == '[')
			lit = 1;
		else if (w->s[i] == ']')
			lit = 0;
	}
	if (i + 1 >= w->n)
		return 0;
	memmove(w->s, w->s + i + 1, w->n - i - 1);
	sp_rs_cut(w, w->n - i - 1);
	return 1;
}

/* An address without '@': site!user to user@site (swap_bangpath), else
 * user%site to user@site (allow_percent_hack), else user@$myorigin
 * (append_at_myorigin). bang: the bang applies to any local part (a
 * dequoted one), not just a dot-string. */
static void sp_rs_qualify(const struct sp_resolver *r, struct sp_rs_work *w, int bang)
{
	int dot = sp_rs_dot_string(w->s, w->n);
	char *b = memchr(w->s, '!', w->n), *pct = memrchr(w->s, '%', w->n);

	if (r->bang && (dot || bang) && b) {
		char tmp[SP_RS_WORK];
		size_t before = (size_t)(b - w->s), after = w->n - before - 1;
		memcpy(tmp, b + 1, after);
		tmp[after] = '@';
		memcpy(tmp + after + 1, w->s, before);
		memcpy(w->s, tmp, w->n);
	} else if (r->percent && dot && pct) {
		*pct = '@';
	} else if (r->at_origin && r->myorigin[0]) {
		sp_rs_cat(w, "@", 1);
		sp_rs_cat(w, r->myorigin, strlen(r->myorigin));
	}
}

/* Postfix's rewrite_tree in the "local" context, which smtpd uses. */
static void sp_rs_rewrite(const struct sp_resolver *r, struct sp_rs_work *w, unsigned *flags,
			  int bang)
{
	char *at;

	if (w->n == 0)
		return;
	if (w->n == 1 && w->s[0] == '@') {
		sp_rs_cut(w, 0);
		return;
	}
	if (sp_rs_route(w))
		*flags |= SP_RESOLVE_SOURCE_ROUTE;
	if (sp_rs_at(w) == NULL)
		sp_rs_qualify(r, w, bang);
	at = sp_rs_at(w);
	if (r->dot_domain && r->mydomain[0] && at && at[1] && at[1] != '[' &&
	    memchr(at + 1, '.', w->n - (size_t)(at + 1 - w->s)) == NULL) {
		sp_rs_cat(w, ".", 1);
		sp_rs_cat(w, r->mydomain, strlen(r->mydomain));
	}
	if (w->n >= 2 && w->s[w->n - 1] == '.' && w->s[w->n - 2] != '.' && w->s[w->n - 2] != '@')
		sp_rs_cut(w, w->n - 1);
}

/* Which routing operator a quoted local part hides: its last '@', else
 * (with the feature on) its last '%' or '!'; NULL for none. */
static char *sp_rs_oper(const struct sp_resolver *r, struct sp_rs_work *w)
{
	char *o = memrchr(w->s, '@', w->n);

	if (o == NULL && r->percent)
		o = memrchr(w->s, '%', w->n);
	if (o == NULL && r->bang)
		o = memrchr(w->s, '!', w->n);
	return o;
}

/* The state of the resolver loop. */
struct sp_rs_state {
	struct sp_rs_work w;
	struct sp_rs_work saved;     /* "@domain" of the last local domain stripped */
	int have_saved;
	int remote;                  /* stopped at a domain that is not local */
	unsigned flags;
};

/* Strips a local domain; 1 when the domain is remote, 0, -1 on error. */
static int sp_rs_strip(const struct sp_resolver *r, struct sp_rs_state *st, char *err,
		       size_t errlen)
{
	struct sp_rs_work *w = &st->w;
	char *at = sp_rs_at(w);
	int rc;

	if (at == NULL)
		return 0;
	if (at[1]) {
		char dom[SP_RS_WORK];
		size_t i, n = w->n - (size_t)(at + 1 - w->s);
		for (i = 0; i < n; i++)
			dom[i] = (char)tolower((unsigned char)at[1 + i]);
		dom[n] = 0;
		if ((rc = sp_rs_local(r, dom, err, errlen)) <= 0)
			return rc < 0 ? -1 : 1;
	}
	sp_rs_set(&st->saved, at);
	st->have_saved = 1;
	sp_rs_cut(w, (size_t)(at - w->s));
	return 0;
}

/* Postfix's resolve_addr loop: strip local domains, open what they hid. */
static int sp_rs_loop(const struct sp_resolver *r, struct sp_rs_state *st, char *err,
		      size_t errlen)
{
	struct sp_rs_work *w = &st->w;
	size_t max = w->n + 100;

	for (size_t count = 0; !w->over; count++) {
		char *oper;
		int dot, rc;

		if (count > max) {
			snprintf(err, errlen, "giving up after %zu iterations", count);
			return -1;
		}
		if (sp_rs_at(w) && w->n >= 2 && w->s[w->n - 1] == '.' &&
		    w->s[w->n - 2] != '.' && w->s[w->n - 2] != '@')
			sp_rs_cut(w, w->n - 1);
		if (r->null_domain && w->n > 0 && w->s[w->n - 1] == '@')
			sp_rs_cut(w, w->n - 1);
		if ((rc = sp_rs_strip(r, st, err, errlen)) != 0) {
			st->remote = rc > 0;
			return rc < 0 ? -1 : 0;
		}
		dot = sp_rs_dot_string(w->s, w->n);
		if (dot && ((r->bang && memchr(w->s, '!', w->n)) ||
			    (r->percent && memchr(w->s, '%', w->n)))) {
			sp_rs_rewrite(r, w, &st->flags, 0);
		} else if (r->dequote && !dot && (oper = sp_rs_oper(r, w)) != NULL) {
			if (*oper == '%')
				*oper = '@';
			sp_rs_rewrite(r, w, &st->flags, *oper == '!');
		} else if (w->n == 0) {
			sp_rs_set(w, r->empty_rcpt);
		} else if (!st->have_saved) {
			sp_rs_cat(w, "@", 1);
			sp_rs_cat(w, r->myhostname, strlen(r->myhostname));
		} else {
			return 0;
		}
	}
	return 0;
}

/* ---- the resolved address ---- */

/* The class of a remote domain (lower case): virtual alias, virtual
 * mailbox, relay, default, in that order; -1 on a lookup error. */
static int sp_rs_class(const struct sp_resolver *r, const char *dom, enum sp_addr_class *cls,
		       char *err, size_t errlen)
{
	int rc;

	if ((rc = sp_rs_match(&r->valias, dom, err, errlen)) != 0) {
		*cls = SP_CLASS_VIRTUAL_ALIAS;
		return rc;
	}
	if ((rc = sp_rs_match(&r->vmbox, dom, err, errlen)) != 0) {
		*cls = SP_CLASS_VIRTUAL_MAILBOX;
		return rc;
	}
	if ((rc = sp_rs_match(&r->relay, dom, err, errlen)) != 0) {
		*cls = SP_CLASS_RELAY;
		return rc;
	}
	*cls = SP_CLASS_DEFAULT;
	return 0;
}

/* Fills out from the loop's result: validity, ROUTED, the class. */
static int sp_rs_finish(const struct sp_resolver *r, struct sp_rs_state *st,
			struct sp_resolved *out, char *err, size_t errlen)
{
	struct sp_rs_work *w = &st->w;
	char *at = sp_rs_at(w), *dom;
	size_t dn;
	int fam;
	unsigned char a[16];

	if (w->over || at == NULL || w->n >= sizeof(out->address))
		return 0;
	dom = at + 1;
	dn = strlen(dom);
	for (char *p = dom; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	memcpy(out->address, w->s, w->n + 1);
	if (dn >= sizeof(out->domain))
		return 0;
	memcpy(out->domain, dom, dn + 1);
	if (dom[0] == '[' ? sp_rs_literal(dom, &fam, a) < 0
			  : !sp_valid_hostname(dom, r->utf8 ? SP_HOST_UTF8 : 0) ||
			    (r->utf8 && !sp_utf8_valid(w->s, w->n)))
		return 0;
	out->flags &= ~(unsigned)SP_RESOLVE_INVALID;
	if (strcmp(w->s + strcspn(w->s, "@!%") + 1, dom) != 0)
		out->flags |= SP_RESOLVE_ROUTED;
	if (st->remote && sp_rs_class(r, dom, &out->cls, err, errlen) < 0) {
		out->cls = SP_CLASS_DEFAULT;
		out->flags |= SP_RESOLVE_ERROR;
		return -1;
	}
	if (!st->remote)
		out->cls = SP_CLASS_LOCAL;
	if (!r->min_user && w->s[0] == '-')
		out->flags |= SP_RESOLVE_INVALID;
	return 0;
}

int sp_resolve(const struct sp_resolver *r, const char *addr, struct sp_resolved *out,
	       char *err, size_t errlen)
{
	struct sp_rs_state *st;
	size_t n = strlen(addr);
	int rc;

	memset(out, 0, sizeof(*out));
	out->cls = SP_CLASS_DEFAULT;
	out->flags = SP_RESOLVE_INVALID;
	if (errlen > 0)
		err[0] = 0;
	if (n > SP_RESOLVE_INPUT_MAX)
		return 0;
	st = sp_xcalloc(1, sizeof(*st));
	sp_rs_set(&st->w, addr);
	sp_rs_rewrite(r, &st->w, &st->flags, 0);
	if ((rc = sp_rs_loop(r, st, err, errlen)) < 0) {
		out->flags = SP_RESOLVE_ERROR | (st->flags & SP_RESOLVE_SOURCE_ROUTE);
		free(st);
		return -1;
	}
	if (!st->remote && !st->w.over) {
		if (st->have_saved) {
			sp_rs_cat(&st->w, st->saved.s, st->saved.n);
		} else {
			sp_rs_cat(&st->w, "@", 1);
			sp_rs_cat(&st->w, r->myhostname, strlen(r->myhostname));
		}
	}
	out->flags |= st->flags;
	rc = sp_rs_finish(r, st, out, err, errlen);
	free(st);
	return rc;
}

int sp_resolve_auth_destination(const struct sp_resolved *res, int allow_untrusted_routing)
{
	if (res->flags & SP_RESOLVE_ERROR)
		return 0;
	if (!allow_untrusted_routing && (res->flags & SP_RESOLVE_ROUTED))
		return 0;
	return res->cls != SP_CLASS_DEFAULT;
}
