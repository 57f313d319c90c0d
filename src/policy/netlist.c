/*
 * netlist.c - client address lists (see netlist.h): the compiler, which
 * splits the value, reads /file/name elements one level deep, opens tables
 * and parses networks with the cidr: table's pattern parser (so messages
 * are Postfix's cidr_match texts); the matcher, a first-match scan over
 * the compiled elements; and the coverage report, which replays the address
 * elements in order into a binary trie per family (a network decided by an
 * earlier element stays decided) and sums what is matched.
 */
#include "netlist.h"
#include "../config/value.h"
#include "../dict/cidr_pattern.h"
#include "../dict/dict.h"
#include "../util/mem.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define SP_NL_SHOW 100   /* bytes of an element quoted in messages */

enum { SP_NL_NET, SP_NL_TABLE };

struct sp_nl_elem {
	unsigned char kind;      /* SP_NL_NET or SP_NL_TABLE */
	unsigned char negate;
	struct sp_cidr_net net;  /* SP_NL_NET */
	struct sp_dict *dict;    /* SP_NL_TABLE */
	char *text;              /* as written, one '!' in front when negated */
};

struct sp_netlist {
	struct sp_nl_elem *v;
	size_t n, cap;
	char *param;
};

/* The state of one compile: where the element comes from, and what it inherits. */
struct sp_nl_build {
	struct sp_netlist *nl;
	struct sp_diags *dg;
	const char *param;
	const char *file;   /* the source of the current line; may be NULL */
	int line;
	int depth;          /* 0: the parameter value, 1: inside a /file/name */
	int negate;         /* from "!/file/name" */
	int full;           /* SP_NETLIST_MAX reached (reported once) */
};

/* ---- compiling ---- */

/* Reports an error about element e[0..n); what may quote the element, so it
 * is shown as sp_nl_show shows it. */
static void sp_nl_error(struct sp_nl_build *b, const char *e, size_t n, const char *fix,
			const char *what)
{
	char show[SP_NL_SHOW * 2], safe[1024];

	sp_diag_excerpt(what, strlen(what), sizeof(safe) - 4, safe, sizeof(safe));
	sp_diag_add(b->dg, SP_ERROR, b->file, b->line, b->param, fix && *fix ? fix : NULL,
		    "\"%s\": %s", sp_diag_excerpt(e, n, SP_NL_SHOW, show, sizeof(show)), safe);
}

/* Appends an element; its text is e[0..n) behind a '!' when negated. */
static struct sp_nl_elem *sp_nl_add(struct sp_nl_build *b, int kind, int negate, const char *e,
				    size_t n)
{
	struct sp_netlist *nl = b->nl;
	struct sp_nl_elem *x;

	nl->v = sp_xgrow(nl->v, &nl->cap, nl->n + 1, sizeof(*nl->v));
	x = &nl->v[nl->n++];
	memset(x, 0, sizeof(*x));
	x->kind = (unsigned char)kind;
	x->negate = (unsigned char)negate;
	x->text = sp_xmalloc(n + 2);
	x->text[0] = '!';
	memcpy(x->text + 1, e, n);
	x->text[n + 1] = 0;
	if (!negate)
		memmove(x->text, x->text + 1, n + 1);
	return x;
}

/* 1 when e[0..n) is an IPv6 address, with or without "/length". */
static int sp_nl_v6(const char *e, size_t n)
{
	const char *slash = memchr(e, '/', n);
	size_t an = slash ? (size_t)(slash - e) : n;
	unsigned char a[16];
	char buf[INET6_ADDRSTRLEN + 1];

	if (an >= sizeof(buf))
		return 0;
	memcpy(buf, e, an);
	buf[an] = 0;
	return inet_pton(AF_INET6, buf, a) == 1;
}

/* A type:table element; an IPv6 address without brackets is refused. */
static void sp_nl_table(struct sp_nl_build *b, int negate, const char *e, size_t n)
{
	char spec[SP_NETLIST_ELEM_MAX + 1], err[512], fix[SP_NL_SHOW * 2 + 64];
	size_t before = b->dg->errors;
	const char *slash = memchr(e, '/', n);
	struct sp_dict *d;

	if (sp_nl_v6(e, n)) {
		size_t an = slash ? (size_t)(slash - e) : n;
		snprintf(fix, sizeof(fix), "write [%.*s]%.*s", (int)(an > SP_NL_SHOW ? SP_NL_SHOW : an),
			 e, (int)(n - an > 8 ? 8 : n - an), e + an);
		sp_nl_error(b, e, n, fix, "an IPv6 address must be in brackets in an address list "
			    "(Postfix reads it as a table type:name)");
		return;
	}
	memcpy(spec, e, n);
	spec[n] = 0;
	if ((d = sp_dict_open(spec, 0, b->dg, err, sizeof(err))) == NULL) {
		if (b->dg->errors == before)
			sp_nl_error(b, e, n, "fix the table or remove the element; Postfix defers "
				    "every client that reaches it", err);
		return;
	}
	sp_nl_add(b, SP_NL_TABLE, negate, e, n)->dict = d;
}

/* 1 when e[0..n) looks like a host or domain name rather than an address. */
static int sp_nl_hostname(const char *e, size_t n)
{
	if (e[0] == '[' || memchr(e, ':', n) || memchr(e, '/', n))
		return 0;
	for (size_t i = 0; i < n; i++) {
		if ((e[i] >= 'a' && e[i] <= 'z') || (e[i] >= 'A' && e[i] <= 'Z'))
			return 1;
	}
	return e[0] == '.';
}

/* Warns about an IPv6 network inside ::ffff:0:0/96, which no client address reaches. */
static void sp_nl_mapped(struct sp_nl_build *b, const struct sp_cidr_net *net, const char *e,
			 size_t n)
{
	static const unsigned char pre[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	char v4[INET_ADDRSTRLEN], fix[128], show[SP_NL_SHOW * 2];

	if (net->len != 16 || net->prefix < 96 || memcmp(net->addr, pre, sizeof(pre)) != 0)
		return;
	if (inet_ntop(AF_INET, net->addr + 12, v4, sizeof(v4)) == NULL)
		return;
	snprintf(fix, sizeof(fix), "write %s/%d if you mean those IPv4 clients", v4,
		 net->prefix - 96);
	sp_diag_add(b->dg, SP_WARNING, b->file, b->line, b->param, fix,
		    "\"%s\" never matches: a client address ::ffff:a.b.c.d is matched as the IPv4 "
		    "address a.b.c.d, as Postfix does", sp_diag_excerpt(e, n, SP_NL_SHOW, show, sizeof(show)));
}

/* An address or network element. */
static void sp_nl_net(struct sp_nl_build *b, int negate, const char *e, size_t n)
{
	struct sp_cidr_net net;
	char why[512], fix[512];

	if (sp_nl_hostname(e, n)) {
		sp_nl_error(b, e, n, "list the host's IP addresses, or use a cidr: table",
			    "host names are not supported: sallyport matches this list by IP "
			    "address only");
		sp_diag_unsupported(b->dg);
		return;
	}
	if (sp_cidr_parse_net(e, n, &net, why, sizeof(why), fix, sizeof(fix)) < 0) {
		sp_nl_error(b, e, n, fix, why);
		return;
	}
	sp_nl_mapped(b, &net, e, n);
	sp_nl_add(b, SP_NL_NET, negate, e, n)->net = net;
}

static int sp_nl_elem(void *ctx, const char *e, size_t n);

/* Parses one line (NUL-terminated) of the value or of a file. */
static void sp_nl_line(struct sp_nl_build *b, const char *line)
{
	sp_value_list(line, sp_nl_elem, b);
}

/* One line of a /file/name (sp_value_file_lines callback). */
static int sp_nl_file_line(void *ctx, int line, char *text)
{
	struct sp_nl_build *in = ctx;

	in->line = line;
	if (text == NULL)
		sp_diag_add(in->dg, SP_ERROR, in->file, line, in->param, "remove it",
			    "NUL byte in line");
	else
		sp_nl_line(in, text);
	return in->full;
}

/* Reads a /file/name element's lines, each a list of more elements. */
static void sp_nl_file(struct sp_nl_build *b, int negate, const char *e, size_t n)
{
	char path[SP_NETLIST_ELEM_MAX + 1], what[600], show[SP_NL_SHOW * 2];
	struct sp_nl_build in = *b;

	if (b->depth > 0) {
		sp_nl_error(b, e, n, "write its elements into this file instead",
			    "a /file/name inside a pattern file is not supported (sallyport reads "
			    "one level)");
		sp_diag_unsupported(b->dg);
		return;
	}
	memcpy(path, e, n);
	path[n] = 0;
	in.file = path;
	in.depth = 1;
	in.negate = negate;
	if (sp_value_file_lines(path, SP_NETLIST_FILE_MAX, sp_nl_file_line, &in) < 0) {
		snprintf(what, sizeof(what), "open file %s: %s",
			 sp_diag_excerpt(e, n, SP_NL_SHOW, show, sizeof(show)),
			 errno == EFBIG ? "larger than 4 MiB" : strerror(errno));
		sp_nl_error(b, e, n, "create the file, or remove the element; Postfix defers every "
			    "client that reaches it", what);
		return;
	}
	b->full = in.full;
}

/* One element of a line (sp_value_list callback); non-zero ends the line. */
static int sp_nl_elem(void *ctx, const char *e, size_t n)
{
	struct sp_nl_build *b = ctx;
	char show[SP_NL_SHOW * 2];
	int negate = b->negate;

	if (b->full)
		return 1;
	if (e[0] == '#') {
		sp_diag_add(b->dg, SP_WARNING, b->file, b->line, b->param,
			    "put comments on lines of their own",
			    "comment at end of line is not supported: %s",
			    sp_diag_excerpt(e, strlen(e), SP_NL_SHOW, show, sizeof(show)));
		sp_diag_unsupported(b->dg);
		return 1;
	}
	if (n > SP_NETLIST_ELEM_MAX) {
		sp_nl_error(b, e, n, "use a cidr: table or a /file/name for long lists",
			    "element longer than 4096 bytes");
		return 0;
	}
	for (; n > 0 && *e == '!'; e++, n--)
		negate = !negate;
	if (n == 0) {
		sp_diag_add(b->dg, SP_ERROR, b->file, b->line, b->param, "write \"!pattern\" with "
			    "no space after '!'", "no pattern after '!'");
		return 0;
	}
	if (b->nl->n >= SP_NETLIST_MAX) {
		sp_diag_add(b->dg, SP_ERROR, b->file, b->line, b->param, "use a cidr: table for "
			    "long lists", "more than %d elements", SP_NETLIST_MAX);
		b->full = 1;
		return 1;
	}
	if (*e == '/')
		sp_nl_file(b, negate, e, n);
	else if (*e != '[' && memchr(e, ':', n) != NULL)
		sp_nl_table(b, negate, e, n);
	else
		sp_nl_net(b, negate, e, n);
	return 0;
}

struct sp_netlist *sp_netlist_compile(const char *value, const char *param, const char *file,
				      int line, struct sp_diags *diags)
{
	struct sp_nl_build b = {0};
	size_t before = diags->errors;

	b.nl = sp_xcalloc(1, sizeof(*b.nl));
	b.nl->param = sp_xstrdup(param ? param : "address list");
	b.dg = diags;
	b.param = param;
	b.file = file;
	b.line = line;
	sp_nl_line(&b, value);
	if (diags->errors != before)
		sp_netlist_free(&b.nl);
	return b.nl;
}

void sp_netlist_free(struct sp_netlist **nlp)
{
	struct sp_netlist *nl = *nlp;

	if (nl == NULL)
		return;
	for (size_t i = 0; i < nl->n; i++) {
		sp_dict_close(&nl->v[i].dict);
		free(nl->v[i].text);
	}
	free(nl->v);
	free(nl->param);
	free(nl);
	*nlp = NULL;
}

/* ---- matching ---- */

/* Reads a client address into bytes, an IPv4-mapped one as IPv4, and
 * prints it as Postfix would (text, for table keys). Returns 4, 16, or 0. */
static int sp_nl_client(const char *addr, unsigned char bytes[SP_CIDR_ADDR_BYTES],
			char text[INET6_ADDRSTRLEN])
{
	static const unsigned char pre[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	int alen;

	if (strnlen(addr, INET6_ADDRSTRLEN) >= INET6_ADDRSTRLEN)
		return 0;
	if ((alen = sp_cidr_parse_key(addr, bytes)) == 0)
		return 0;
	if (alen == 16 && memcmp(bytes, pre, sizeof(pre)) == 0) {
		memmove(bytes, bytes + 12, 4);
		alen = 4;
	}
	if (inet_ntop(alen == 4 ? AF_INET : AF_INET6, bytes, text, INET6_ADDRSTRLEN) == NULL)
		return 0;
	return alen;
}

int sp_netlist_match(const struct sp_netlist *nl, const char *addr, const char **matched,
		     char *err, size_t errlen)
{
	unsigned char bytes[SP_CIDR_ADDR_BYTES];
	char text[INET6_ADDRSTRLEN], show[SP_NL_SHOW * 2], derr[512];
	int alen = sp_nl_client(addr, bytes, text);

	if (matched)
		*matched = NULL;
	if (alen == 0) {
		snprintf(err, errlen, "%s: \"%s\" is not an IP address", nl->param,
			 sp_diag_excerpt(addr, strlen(addr), SP_NL_SHOW, show, sizeof(show)));
		return -1;
	}
	for (size_t i = 0; i < nl->n; i++) {
		const struct sp_nl_elem *x = &nl->v[i];
		const char *value;
		int rc = 0;

		if (x->kind == SP_NL_NET)
			rc = sp_cidr_net_contains(&x->net, bytes, alen);
		else if ((rc = sp_dict_lookup(x->dict, text, &value, derr, sizeof(derr))) < 0) {
			snprintf(err, errlen, "%s: %s", nl->param, derr);
			return -1;
		}
		if (rc == 1) {
			if (matched)
				*matched = x->text;
			return !x->negate;
		}
	}
	return 0;
}

/* ---- coverage ---- */

struct sp_nl_node {
	uint32_t kid[2];   /* 0: none (the root is never a child) */
	signed char dec;   /* 1 matched, -1 not matched, 0 undecided here */
};

struct sp_nl_trie {
	struct sp_nl_node *v;
	size_t n, cap;
	int bits;          /* 32 or 128 */
};

struct sp_nl_sum {
	double n;          /* matched addresses */
	int all, any;
};

static int sp_nl_bit(const unsigned char *a, int i)
{
	return (a[i / 8] >> (7 - i % 8)) & 1;
}

static void sp_nl_trie_init(struct sp_nl_trie *t, int bits)
{
	t->v = sp_xcalloc(1, sizeof(*t->v));
	t->n = t->cap = 1;
	t->bits = bits;
}

/* Decides net (dec 1 or -1) where no earlier element decided it already. */
static void sp_nl_insert(struct sp_nl_trie *t, const struct sp_cidr_net *net, int dec)
{
	uint32_t x = 0;

	for (int i = 0; i < net->prefix; i++) {
		int bit = sp_nl_bit(net->addr, i);

		if (t->v[x].dec != 0)
			return;
		if (t->v[x].kid[bit] == 0) {
			t->v = sp_xgrow(t->v, &t->cap, t->n + 1, sizeof(*t->v));
			memset(&t->v[t->n], 0, sizeof(t->v[0]));
			t->v[x].kid[bit] = (uint32_t)t->n++;
		}
		x = t->v[x].kid[bit];
	}
	if (t->v[x].dec == 0)
		t->v[x].dec = (signed char)dec;
}

/* A block of 2^left addresses decided as a whole by inh. */
static struct sp_nl_sum sp_nl_uniform(int left, int inh)
{
	struct sp_nl_sum s = {inh > 0 ? ldexp(1.0, left) : 0, inh > 0, inh > 0};

	return s;
}

/* Sums the subtree at x (2^left addresses); the deepest decision on a path decides. */
static struct sp_nl_sum sp_nl_sum(const struct sp_nl_trie *t, uint32_t x, int left, int inh)
{
	struct sp_nl_sum s = {0, 1, 0};

	if (t->v[x].dec != 0)
		inh = t->v[x].dec;
	if (left == 0)
		return sp_nl_uniform(0, inh);
	for (int b = 0; b < 2; b++) {
		uint32_t k = t->v[x].kid[b];
		struct sp_nl_sum c = k ? sp_nl_sum(t, k, left - 1, inh) : sp_nl_uniform(left - 1, inh);

		s.n += c.n;
		s.all = s.all && c.all;
		s.any = s.any || c.any;
	}
	return s;
}

/* Sums the block a/prefix. */
static struct sp_nl_sum sp_nl_block(const struct sp_nl_trie *t, const unsigned char *a,
				    int prefix)
{
	uint32_t x = 0;
	int inh = 0;

	for (int i = 0; i < prefix; i++) {
		if (t->v[x].dec != 0)
			inh = t->v[x].dec;
		if (t->v[x].kid[sp_nl_bit(a, i)] == 0)
			return sp_nl_uniform(t->bits - prefix, inh);
		x = t->v[x].kid[sp_nl_bit(a, i)];
	}
	return sp_nl_sum(t, x, t->bits - prefix, inh);
}

static void sp_nl_flag(struct sp_netlist_coverage *cov, unsigned flag, struct sp_nl_sum s)
{
	if (s.all)
		cov->full |= flag;
	if (s.any)
		cov->some |= flag;
}

size_t sp_netlist_samples(const struct sp_netlist *nl, char (*addr)[64], const char **elem,
			  size_t max)
{
	size_t k = 0;

	for (size_t i = 0; nl && i < nl->n && k < max; i++) {
		const struct sp_nl_elem *e = &nl->v[i];
		unsigned char a[SP_CIDR_ADDR_BYTES];
		int bits = e->net.len * 8;
		if (e->kind != SP_NL_NET || e->negate)
			continue;
		memcpy(a, e->net.addr, sizeof(a));
		if (bits - e->net.prefix >= 2)
			a[e->net.len - 1] |= 1;   /* the first host, not the network */
		if (inet_ntop(e->net.len == 4 ? AF_INET : AF_INET6, a, addr[k], 64) == NULL)
			continue;
		elem[k++] = e->text;
	}
	return k;
}

void sp_netlist_coverage(const struct sp_netlist *nl, struct sp_netlist_coverage *cov)
{
	static const unsigned char zero[16], cgnat[4] = {100, 64}, docker[4] = {172, 17},
		mapped[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff},
		loop[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	struct sp_nl_trie t4, t6;
	struct sp_nl_sum s, m, lo;

	memset(cov, 0, sizeof(*cov));
	sp_nl_trie_init(&t4, 32);
	sp_nl_trie_init(&t6, 128);
	for (size_t i = 0; i < nl->n; i++) {
		const struct sp_nl_elem *x = &nl->v[i];

		if (x->kind == SP_NL_TABLE)
			cov->tables++;
		else
			sp_nl_insert(x->net.len == 4 ? &t4 : &t6, &x->net, x->negate ? -1 : 1);
	}
	cov->elems = nl->n;
	s = sp_nl_block(&t4, zero, 0);
	cov->v4 = s.n;
	sp_nl_flag(cov, SP_NETBLOCK_V4_ALL, s);
	sp_nl_flag(cov, SP_NETBLOCK_CGNAT, sp_nl_block(&t4, cgnat, 10));
	sp_nl_flag(cov, SP_NETBLOCK_DOCKER, sp_nl_block(&t4, docker, 16));
	s = sp_nl_block(&t6, zero, 0);
	m = sp_nl_block(&t6, mapped, 96);
	lo = sp_nl_block(&t6, loop, 128);
	sp_nl_flag(cov, SP_NETBLOCK_V6_ALL, s);
	sp_nl_flag(cov, SP_NETBLOCK_V4MAPPED, m);
	cov->v6 = s.n - m.n;
	cov->v4mapped = m.n;
	/* Exact: past 2^53 the small terms cannot bring the difference to zero. */
	cov->v6_beyond_loopback = s.n - m.n - lo.n > 0.5;
	free(t4.v);
	free(t6.v);
}
