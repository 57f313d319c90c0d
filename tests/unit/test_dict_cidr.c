/*
 * test_dict_cidr.c - the cidr: table type: the pattern, rule and key
 * parsers (cidr_pattern.h), lookups in tables written to a temporary
 * directory and inline, and a larger table of malformed sources, each with
 * the exact error open reports. Every answer and every message was checked
 * against postmap -q on Postfix 3.7.11 (messages are postmap's warning text
 * without ": skipping this rule"); rows where sallyport is deliberately
 * stricter than postmap say so.
 */
#include "unit.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <unistd.h>

#include "dict/cidr_pattern.h"
#include "dict/dict.h"

static char tmpdir[256];

/* Writes n bytes to a file in tmpdir; returns its path (static buffer, one of 4). */
static const char *put_file(const char *name, const char *data, size_t n)
{
	static char paths[4][512];
	static int k;
	char *path = paths[k++ & 3];
	FILE *fp;

	snprintf(path, sizeof(paths[0]), "%s/%s", tmpdir, name);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, n, fp), n);
	assert_int_equal(fclose(fp), 0);
	return path;
}

static int setup(void **state)
{
	const char *tmp = getenv("TMPDIR");

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "%s/sp-cidr-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	DIR *dir = opendir(tmpdir);
	struct dirent *e;
	char path[600];

	(void)state;
	while (dir && (e = readdir(dir)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", tmpdir, e->d_name);
		unlink(path);
	}
	if (dir)
		closedir(dir);
	return rmdir(tmpdir);
}

/* "address/prefix" of a parsed network, for comparisons. */
static const char *net_text(const struct sp_cidr_net *net)
{
	static char out[INET6_ADDRSTRLEN + 8];
	char a[INET6_ADDRSTRLEN];

	if (inet_ntop(net->len == 4 ? AF_INET : AF_INET6, net->addr, a, sizeof(a)) == NULL)
		return "?";
	snprintf(out, sizeof(out), "%s/%d", a, net->prefix);
	return out;
}

/* ---- patterns ---- */

struct net_row {
	const char *in;
	const char *want;        /* normalised network, NULL: error */
	const char *want_why;    /* the error, exactly */
};

static const struct net_row net_rows[] = {
	{"1.2.3.4", "1.2.3.4/32"},
	{"1.2.3.0/24", "1.2.3.0/24"},
	{"[1.2.3.0]/24", "1.2.3.0/24"},
	{"[1.2.3.0/24]", "1.2.3.0/24"},
	{"[1.2.3.4]", "1.2.3.4/32"},
	{"[::1]", "::1/128"},
	{"[::1]/128", "::1/128"},
	{"[::2/128]", "::2/128"},
	{"::/0", "::/0"},
	{"0.0.0.0/0", "0.0.0.0/0"},
	{"2001:DB8::/32", "2001:db8::/32"},
	{"::ffff:1.2.3.4", "::ffff:1.2.3.4/128"},
	{"::ffff:0:0/96", "::ffff:0.0.0.0/96"},
	{"1.0.0.0/032", "1.0.0.0/32"},
	{"10.0.0.0/08", "10.0.0.0/8"},
	{"128.0.0.0/1", "128.0.0.0/1"},
	{"8000::/1", "8000::/1"},
	{"1.2.240.0/20", "1.2.240.0/20"},
	{"0000:0000:0000:0000:0000:0000:0000:0001", "::1/128"},
	{"1.2.3.4/24", NULL, "non-null host address bits in \"1.2.3.4/24\""},
	{"1.2.3.5/33", NULL, "bad mask length in \"1.2.3.5/33\""},
	{"1.0.0.0/264", NULL, "bad mask length in \"1.0.0.0/264\""},   /* postmap: /8 */
	{"::/129", NULL, "bad mask length in \"::/129\""},
	{"1.2.3.4/", NULL, "bad mask value in \"1.2.3.4/\""},
	{"1.2.3.4/0x10", NULL, "bad mask value in \"1.2.3.4/0x10\""},
	{"/24", NULL, "bad network value in \"/24\""},
	{"", NULL, "bad address pattern: \"\""},
	{"[", NULL, "missing ']' character after \"[\""},
	{"[]", NULL, "bad address pattern: \"\""},
	{"[1.2.3.4]:25", NULL, "garbage after \"[1.2.3.4]\""},
	{"1.2.3.4 x", NULL, "bad address pattern: \"1.2.3.4 x\""},
};

static void test_parse_net(void **state)
{
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < NROWS(net_rows); i++) {
		const struct net_row *r = &net_rows[i];
		struct sp_cidr_net net;
		char why[256] = "", fix[256] = "";
		int rc = sp_cidr_parse_net(r->in, strlen(r->in), &net, why, sizeof(why), fix,
					   sizeof(fix));

		if (r->want) {
			ROW_CHECK(&fails, "net_rows", i, r->in, rc == 0, "rc %d (%s)", rc, why);
			ROW_CHECK(&fails, "net_rows", i, r->in, rc != 0 || sp_streq(net_text(&net), r->want),
				  "got %s, want %s", net_text(&net), r->want);
		} else {
			ROW_CHECK(&fails, "net_rows", i, r->in, rc == -1 && sp_streq(why, r->want_why),
				  "rc %d why \"%s\", want \"%s\"", rc, why, r->want_why);
		}
	}
	sp_rows_done(fails, "net_rows", NROWS(net_rows));
}

static void test_net_mask(void **state)
{
	struct sp_cidr_net net;
	char why[256], fix[256];
	static const unsigned char want[4] = {255, 255, 240, 0};
	unsigned char in[16], out[16];

	(void)state;
	assert_int_equal(sp_cidr_parse_net(BYTES("1.2.240.0/20"), &net, why, sizeof(why), fix,
					   sizeof(fix)), 0);
	assert_memory_equal(net.mask, want, 4);
	assert_int_equal(inet_pton(AF_INET, "1.2.255.255", in), 1);
	assert_int_equal(inet_pton(AF_INET, "1.2.239.255", out), 1);
	assert_int_equal(sp_cidr_net_contains(&net, in, 4), 1);
	assert_int_equal(sp_cidr_net_contains(&net, out, 4), 0);
	/* The host-bits error suggests the network, as postmap does. */
	assert_int_equal(sp_cidr_parse_net(BYTES("::ffff:1.2.3.4/95"), &net, why, sizeof(why), fix,
					   sizeof(fix)), -1);
	assert_non_null(strstr(fix, "\"::fffe:0:0/95\""));
	/* Bytes after a NUL never reach inet_pton. */
	assert_int_equal(sp_cidr_parse_net(BYTES("1.2.3.4\0junk"), &net, why, sizeof(why), fix,
					   sizeof(fix)), -1);
}

/* ---- rules ---- */

struct rule_row {
	const char *line;
	enum sp_cidr_op op;
	int negate;
	const char *net;      /* NULL for endif */
	const char *value;    /* NULL unless a match rule */
};

static const struct rule_row rule_rows[] = {
	{"1.2.3.4 OK", SP_CIDR_MATCH, 0, "1.2.3.4/32", "OK"},
	{"1.2.3.0/24\tREJECT no  thanks \t", SP_CIDR_MATCH, 0, "1.2.3.0/24", "REJECT no  thanks"},
	{"!1.2.3.4 x", SP_CIDR_MATCH, 1, "1.2.3.4/32", "x"},
	{"! ! 1.2.3.4 x", SP_CIDR_MATCH, 0, "1.2.3.4/32", "x"},
	{"!!!::/0 x", SP_CIDR_MATCH, 1, "::/0", "x"},
	{"1.2.3.4 a # not a comment", SP_CIDR_MATCH, 0, "1.2.3.4/32", "a # not a comment"},
	{"1.2.3.4 a\rb", SP_CIDR_MATCH, 0, "1.2.3.4/32", "a\rb"},
	{"1.2.3.4\r x", SP_CIDR_MATCH, 0, "1.2.3.4/32", "x"},
	{"1.2.3.4 caf\xc3\xa9", SP_CIDR_MATCH, 0, "1.2.3.4/32", "caf\xc3\xa9"},
	{"if 1.2.3.0/24", SP_CIDR_IF, 0, "1.2.3.0/24", NULL},
	{"IF !1.2.3.0/24  ", SP_CIDR_IF, 1, "1.2.3.0/24", NULL},
	{"if!1.2.3.0/24", SP_CIDR_IF, 1, "1.2.3.0/24", NULL},
	{"iF\t[::1]", SP_CIDR_IF, 0, "::1/128", NULL},
	{"endif", SP_CIDR_ENDIF, 0, NULL, NULL},
	{"ENDIF \t", SP_CIDR_ENDIF, 0, NULL, NULL},
	{"EndIf", SP_CIDR_ENDIF, 0, NULL, NULL},
};

static void test_parse_rule(void **state)
{
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < NROWS(rule_rows); i++) {
		const struct rule_row *w = &rule_rows[i];
		struct sp_cidr_rule r;
		char why[256] = "", fix[256];
		int rc = sp_cidr_parse_rule(w->line, strlen(w->line), &r, why, sizeof(why), fix,
					    sizeof(fix));
		const char *label = sp_shows(w->line);

		ROW_CHECK(&fails, "rule_rows", i, label, rc == 0, "rc %d (%s)", rc, why);
		if (rc != 0)
			continue;
		ROW_CHECK(&fails, "rule_rows", i, label, r.op == w->op && r.negate == w->negate,
			  "op %d negate %d, want %d %d", r.op, r.negate, w->op, w->negate);
		ROW_CHECK(&fails, "rule_rows", i, label, !w->net || sp_streq(net_text(&r.net), w->net),
			  "net %s, want %s", net_text(&r.net), w->net);
		ROW_CHECK(&fails, "rule_rows", i, label,
			  w->value ? r.value_len == strlen(w->value) &&
					     memcmp(r.value, w->value, r.value_len) == 0
				   : r.value == NULL,
			  "value \"%s\", want \"%s\"", r.value ? sp_show(r.value, r.value_len) : "(null)",
			  sp_shows(w->value));
	}
	sp_rows_done(fails, "rule_rows", NROWS(rule_rows));
}

/* ---- keys ---- */

struct key_row {
	const char *key;
	int want_len;
};

static const struct key_row key_rows[] = {
	{"1.2.3.4", 4}, {"255.255.255.255", 4}, {"::1", 16}, {"::FFFF:1.2.3.4", 16},
	{"2001:db8::", 16}, {"", 0}, {"foo", 0}, {"1.2.3", 0}, {"01.2.3.4", 0},
	{"1.2.3.4 ", 0}, {" 1.2.3.4", 0}, {"[1.2.3.4]", 0}, {"1.2.3.4/32", 0},
	{"1.2.3.256", 0}, {"fe80::1%lo", 0}, {"1.2.3.4:25", 0}, {"0x7f.0.0.1", 0},
	{"1:2:3:4:5:6:7:8:9", 0}, {"::ffff:1.2.3.04", 0},
};

static void test_parse_key(void **state)
{
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < NROWS(key_rows); i++) {
		unsigned char a[SP_CIDR_ADDR_BYTES];
		int n = sp_cidr_parse_key(key_rows[i].key, a);
		ROW_CHECK(&fails, "key_rows", i, key_rows[i].key, n == key_rows[i].want_len,
			  "length %d, want %d", n, key_rows[i].want_len);
	}
	sp_rows_done(fails, "key_rows", NROWS(key_rows));
}

/* ---- lookups ---- */

enum { T_ACCESS, T_NEST, T_TEXT, T_EDGE, T_EMPTY, T_COUNT };

static const char *const tables[T_COUNT] = {
	[T_ACCESS] = "# client access\n"
		     "192.168.1.1             OK\n"
		     "192.168.0.0/16          REJECT\n"
		     "2001:db8::1             OK6\n"
		     "2001:db8::/32           REJECT6\n"
		     "[10.0.0.0]/8            bracket\n"
		     "[172.16.0.0/12]         bracket2\n"
		     "[::1]                   loopback6\n"
		     "::ffff:0:0/96           mapped\n"
		     "!0.0.0.0/0              never\n"
		     "!1.2.3.4                not 1.2.3.4\n"
		     "::/0                    any6\n",
	[T_NEST] = "if 10.0.0.0/8\n"
		   "if !10.1.0.0/16\n"
		   "10.0.0.0/8 ten-not-10.1\n"
		   "endif\n"
		   "10.1.2.3 ten-one-host\n"
		   "endif\n"
		   "if !2001:db8::/32\n"
		   "::/0 v6-outside-doc\n"
		   "endif\n"
		   "if 2001:db8::/32\n"
		   "If ::/0\n"
		   "2001:db8:1::/48 doc-1\n"
		   "ENDIF\n"
		   "endif\n"
		   "2001:db8::/32 doc-other\n"
		   "! ! 5.0.0.0/8 five\n"
		   "if 6.0.0.0/8\n"
		   "endif\n"
		   "6.6.6.6 six\n"
		   "if!7.0.0.0/8\n"
		   "8.0.0.0/8 eight\n"
		   "endif   \n"
		   "7.7.7.7 seven\n",
	[T_TEXT] = "1.2.3.4\r\n  multi\r\n\tline\r\n# comment\r\n5.6.7.8\tX\t\r\n"
		   "9.9.9.9 a # not a comment\n9.9.9.0/24   spaced   out   \n0.0.0.0/0 last",
	[T_EDGE] = "1.0.0.0/032 slash32-leading-zero\n128.0.0.0/1 upper-half\n"
		   "0.0.0.0/1 lower-half\n::ffff:1.2.3.4/128 mapped-host\n::/1 v6-lower\n"
		   "8000::/1 v6-upper\n",
	[T_EMPTY] = "",
};

struct lookup_row {
	int table;
	const char *key;
	int want_rc;
	const char *want;
};

static const struct lookup_row lookup_rows[] = {
	{T_ACCESS, "192.168.1.1", 1, "OK"},
	{T_ACCESS, "192.168.2.3", 1, "REJECT"},
	{T_ACCESS, "2001:db8::1", 1, "OK6"},
	{T_ACCESS, "2001:DB8::2", 1, "REJECT6"},
	{T_ACCESS, "10.1.2.3", 1, "bracket"},
	{T_ACCESS, "172.31.255.255", 1, "bracket2"},
	{T_ACCESS, "172.32.0.0", 1, "not 1.2.3.4"},
	{T_ACCESS, "::1", 1, "loopback6"},
	{T_ACCESS, "::ffff:1.2.3.4", 1, "mapped"},
	{T_ACCESS, "::FFFF:1.2.3.4", 1, "mapped"},
	{T_ACCESS, "1.2.3.4", 0, NULL},
	{T_ACCESS, "::2", 1, "any6"},
	{T_ACCESS, "foo", 0, NULL},
	{T_ACCESS, "", 0, NULL},
	{T_ACCESS, "1.2.3.4 ", 0, NULL},
	{T_ACCESS, "[1.2.3.4]", 0, NULL},
	{T_ACCESS, "1.2.3.4/32", 0, NULL},
	{T_ACCESS, "01.2.3.4", 0, NULL},
	{T_ACCESS, "192.168.1.1:25", 0, NULL},
	{T_ACCESS, "0x7f.0.0.1", 0, NULL},
	{T_ACCESS, "1.2.3", 0, NULL},
	{T_ACCESS, "::ffff:1.2.3.4%lo", 0, NULL},
	{T_ACCESS, "1.2.3.04", 0, NULL},
	{T_NEST, "10.2.3.4", 1, "ten-not-10.1"},
	{T_NEST, "10.1.2.3", 1, "ten-one-host"},
	{T_NEST, "10.1.2.4", 0, NULL},
	{T_NEST, "::1", 1, "v6-outside-doc"},
	{T_NEST, "2001:db8:1::5", 1, "doc-1"},
	{T_NEST, "2001:db8:2::5", 1, "doc-other"},
	{T_NEST, "5.1.1.1", 1, "five"},
	{T_NEST, "6.6.6.6", 1, "six"},
	{T_NEST, "1.1.1.1", 0, NULL},
	{T_NEST, "7.7.7.7", 1, "seven"},
	{T_NEST, "8.8.8.8", 1, "eight"},
	{T_NEST, "7.8.8.8", 0, NULL},
	{T_TEXT, "1.2.3.4", 1, "multi\r\tline"},   /* Postfix keeps the CR of a continued line */
	{T_TEXT, "5.6.7.8", 1, "X"},
	{T_TEXT, "9.9.9.9", 1, "a # not a comment"},
	{T_TEXT, "9.9.9.10", 1, "spaced   out"},
	{T_TEXT, "4.4.4.4", 1, "last"},
	{T_TEXT, "::1", 0, NULL},
	{T_EDGE, "1.0.0.0", 1, "slash32-leading-zero"},
	{T_EDGE, "1.0.0.1", 1, "lower-half"},
	{T_EDGE, "200.1.1.1", 1, "upper-half"},
	{T_EDGE, "100.1.1.1", 1, "lower-half"},
	{T_EDGE, "::ffff:1.2.3.4", 1, "mapped-host"},
	{T_EDGE, "::ffff:1.2.3.5", 1, "v6-lower"},
	{T_EDGE, "1.2.3.4", 1, "lower-half"},
	{T_EDGE, "7fff::1", 1, "v6-lower"},
	{T_EDGE, "ffff::1", 1, "v6-upper"},
	{T_EMPTY, "1.2.3.4", 0, NULL},
	{T_EMPTY, "::", 0, NULL},
};

static void test_lookups(void **state)
{
	struct sp_dict *d[T_COUNT];
	int fails = 0;

	(void)state;
	for (int t = 0; t < T_COUNT; t++) {
		char name[32], spec[600], err[256] = "";
		snprintf(name, sizeof(name), "t%d.cidr", t);
		snprintf(spec, sizeof(spec), "cidr:%s", put_file(name, tables[t], strlen(tables[t])));
		d[t] = sp_dict_open(spec, SP_DICT_FOLD, NULL, err, sizeof(err));
		if (d[t] == NULL)
			fail_msg("table %d: %s", t, err);
	}
	for (size_t i = 0; i < NROWS(lookup_rows); i++) {
		const struct lookup_row *r = &lookup_rows[i];
		const char *value = NULL;
		char err[256] = "";
		int rc = sp_dict_lookup(d[r->table], r->key, &value, err, sizeof(err));

		ROW_CHECK(&fails, "lookup_rows", i, r->key,
			  rc == r->want_rc && (rc != 1 || sp_streq(value, r->want)),
			  "rc %d \"%s\", want %d \"%s\"", rc, rc == 1 ? sp_shows(value) : "",
			  r->want_rc, sp_shows(r->want));
	}
	for (int t = 0; t < T_COUNT; t++)
		sp_dict_close(&d[t]);
	sp_rows_done(fails, "lookup_rows", NROWS(lookup_rows));
}

struct inline_row {
	const char *spec;
	const char *key;
	int want_rc;
	const char *want;   /* the value, or the error when the open fails (want_rc -2) */
};

static const struct inline_row inline_rows[] = {
	{"cidr:{ {1.2.3.4 foo}, {2.3.4.5 bar baz} }", "2.3.4.5", 1, "bar baz"},
	{"cidr:{ {1.2.3.4 foo}, {2.3.4.5 bar baz} }", "3.3.3.3", 0, NULL},
	{"cidr:{{if 3.0.0.0/8},{3.3.3.3 three},{endif}}", "3.3.3.3", 1, "three"},
	{"cidr:{ { 1.2.3.4  spaced  } }", "1.2.3.4", 1, "spaced"},
	{"cidr:{}", "1.2.3.4", 0, NULL},
	{"cidr:{ 1.2.3.4 foo }", "1.2.3.4", -2,
	 "cidr map: write each rule in braces: cidr:{ {rule}, {rule} }, not \"1.2.3.4\""},
	{"cidr:{ {1.2.3.4 foo}x }", "1.2.3.4", -2,
	 "cidr map: write each rule in braces: cidr:{ {rule}, {rule} }, not \"{1.2.3.4 foo}x\""},
	{"cidr:{ {1.2.3.4 foo }", "1.2.3.4", -2,
	 "cidr map: \"{ {1.2.3.4 foo }\": need one {...} group holding {rule} elements"},
	{"cidr:{ {1.2.3.4/33 foo} }", "1.2.3.4", -2,
	 "cidr map { {1.2.3.4/33 foo} }, line 1: bad mask length in \"1.2.3.4/33\""},
};

static void test_inline(void **state)
{
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < NROWS(inline_rows); i++) {
		const struct inline_row *r = &inline_rows[i];
		char err[256] = "";
		const char *value = NULL;
		struct sp_dict *d = sp_dict_open(r->spec, SP_DICT_FOLD, NULL, err, sizeof(err));
		int rc = d ? sp_dict_lookup(d, r->key, &value, err, sizeof(err)) : -2;

		ROW_CHECK(&fails, "inline_rows", i, r->spec,
			  rc == r->want_rc && (rc != 1 || sp_streq(value, r->want)) &&
				  (rc != -2 || sp_streq(err, r->want)),
			  "rc %d \"%s\" err \"%s\", want %d \"%s\"", rc, rc == 1 ? value : "", err,
			  r->want_rc, sp_shows(r->want));
		sp_dict_close(&d);
	}
	sp_rows_done(fails, "inline_rows", NROWS(inline_rows));
}

/* ---- malformed sources ---- */

struct bad_row {
	const char *src;
	size_t len;          /* 0: strlen(src) */
	const char *want;    /* the first error, after "cidr map FILE, " */
	size_t errors;
};

#define BAD(s, w, n) {s, 0, w, n}

static const struct bad_row bad_rows[] = {
	BAD("1.2.3.4/24 x\n", "line 1: non-null host address bits in \"1.2.3.4/24\"", 1),
	BAD("1.2.3.4/24 x\r\n", "line 1: non-null host address bits in \"1.2.3.4/24\"", 1),
	BAD("1::/0 x\n", "line 1: non-null host address bits in \"1::/0\"", 1),
	BAD("::ffff:1.2.3.4/95 x\n", "line 1: non-null host address bits in \"::ffff:1.2.3.4/95\"", 1),
	BAD("1.2.3.5/33 x\n", "line 1: bad mask length in \"1.2.3.5/33\"", 1),
	BAD("::/129 x\n", "line 1: bad mask length in \"::/129\"", 1),
	/* postmap reads /264 as /8 (the length wraps in a byte) and /4294967304 as /8 too. */
	BAD("1.0.0.0/264 x\n", "line 1: bad mask length in \"1.0.0.0/264\"", 1),
	BAD("1.0.0.0/4294967304 x\n", "line 1: bad mask length in \"1.0.0.0/4294967304\"", 1),
	BAD("1.2.3.6/-1 x\n", "line 1: bad mask value in \"1.2.3.6/-1\"", 1),
	BAD("1.2.3.7/24x x\n", "line 1: bad mask value in \"1.2.3.7/24x\"", 1),
	BAD("1.2.3.4/ x\n", "line 1: bad mask value in \"1.2.3.4/\"", 1),
	BAD("1.2.3.4/+24 x\n", "line 1: bad mask value in \"1.2.3.4/+24\"", 1),
	BAD("1.2.3.0/ 24 x\n", "line 1: bad mask value in \"1.2.3.0/\"", 1),
	BAD("1.2.3.4/32/32 x\n", "line 1: bad mask value in \"1.2.3.4/32/32\"", 1),
	BAD("::1/-0 x\n", "line 1: bad mask value in \"::1/-0\"", 1),
	BAD("/24 x\n", "line 1: bad network value in \"/24\"", 1),
	BAD("172.999.0.0/21 x\n", "line 1: bad network value in \"172.999.0.0/21\"", 1),
	BAD("[1.2.3.0/24]/8 x\n", "line 1: bad network value in \"1.2.3.0/24/8\"", 1),
	BAD("[]/0 x\n", "line 1: bad network value in \"/0\"", 1),
	BAD("172.16.1.999 x\n", "line 1: bad address pattern: \"172.16.1.999\"", 1),
	BAD("01.2.3.4 x\n", "line 1: bad address pattern: \"01.2.3.4\"", 1),
	BAD("fe80::1%1 x\n", "line 1: bad address pattern: \"fe80::1%1\"", 1),
	BAD("1.2.3.4:25 x\n", "line 1: bad address pattern: \"1.2.3.4:25\"", 1),
	BAD("[] x\n", "line 1: bad address pattern: \"\"", 1),
	BAD("ifconfig x\n", "line 1: bad address pattern: \"ifconfig\"", 1),
	BAD("endifx x\n", "line 1: bad address pattern: \"endifx\"", 1),
	BAD("if1.2.3.4\n", "line 1: bad address pattern: \"if1.2.3.4\"", 1),
	BAD("!if 1.2.3.4\n", "line 1: bad address pattern: \"if\"", 1),
	BAD("if-1.2.3.4\n", "line 1: bad address pattern: \"-1.2.3.4\"", 1),
	BAD("[1234 x\n", "line 1: missing ']' character after \"[1234\"", 1),
	BAD("[1234]junk x\n", "line 1: garbage after \"[1234]\"", 1),
	BAD("[::1]] y\n", "line 1: garbage after \"[::1]\"", 1),
	BAD("1.2.3.4\n", "line 1: no lookup result", 1),
	BAD("1.2.3.4 \n", "line 1: no lookup result", 1),
	BAD("1.2.3.4\t\r\n", "line 1: no lookup result", 1),
	BAD("1.2.3.4\n  \n", "line 1: no lookup result", 1),
	BAD("!\n", "line 1: no address pattern", 1),
	BAD("if\n", "line 1: no address pattern", 1),
	BAD("if !\n", "line 1: no address pattern", 1),
	BAD("endif\n", "line 1: ENDIF without IF", 1),
	BAD("endif x\n", "line 1: garbage after ENDIF", 1),
	BAD("ENDIF # note\n", "line 1: garbage after ENDIF", 1),
	BAD("if 1.2.3.0/24\n", "line 1: IF has no matching ENDIF", 1),
	BAD("if 1.2.3.0/24\nif ::/0\nendif\n", "line 1: IF has no matching ENDIF", 1),
	BAD("endif\nif 1.2.3.4\n", "line 1: ENDIF without IF", 2),
	BAD("if 1.2.3.0/24 x\nendif\n", "line 1: bad mask value in \"1.2.3.0/24 x\"", 2),
	BAD("if [1.2.3.4] x\nendif\n", "line 1: garbage after \"[1.2.3.4]\"", 2),
	BAD("if 1.2.3.0/24\n1.2.3.4/24 x\nendif\n",
	    "line 2: non-null host address bits in \"1.2.3.4/24\"", 1),
	BAD("1.2.3.4 x\n2.3.4.5/40 y\n", "line 2: bad mask length in \"2.3.4.5/40\"", 1),
	BAD("# c\n\n1.2.3.4/33 x", "line 3: bad mask length in \"1.2.3.4/33\"", 1),
	/* postmap skips these with a warning too. */
	BAD(" 1.2.3.4 x\n", "line 1: line starts with whitespace but continues nothing; remove "
			    "the leading whitespace (only a line that continues the one above may "
			    "start with it)", 1),
	/* Stricter than postmap, which answers x (the line ends at the NUL for it). */
	{"1.2.3.4 x\0y\n", 12, "line 1: NUL byte in line; configuration files are text: remove it", 1},
	/* postmap fails every lookup that returns these (smtputf8_enable=yes). */
	BAD("1.2.3.4 \xff\n", "line 1: lookup result is not UTF-8 (malformed UTF-8 or invalid "
			      "codepoint)", 1),
	BAD("1.2.3.4 \xed\xa0\x80\n", "line 1: lookup result is not UTF-8 (malformed UTF-8 or "
				      "invalid codepoint)", 1),
	BAD("1.2.3.4 \xc0\xaf\n", "line 1: lookup result is not UTF-8 (malformed UTF-8 or "
				  "invalid codepoint)", 1),
	BAD("1.2.3.4 \xf4\x90\x80\x80\n", "line 1: lookup result is not UTF-8 (malformed UTF-8 "
					  "or invalid codepoint)", 1),
	BAD("1.2.3.4 caf\xc3\n", "line 1: lookup result is not UTF-8 (malformed UTF-8 or "
				 "invalid codepoint)", 1),
};

static void test_malformed(void **state)
{
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < NROWS(bad_rows); i++) {
		const struct bad_row *r = &bad_rows[i];
		size_t n = r->len ? r->len : strlen(r->src);
		const char *path = put_file("bad.cidr", r->src, n);
		char spec[600], err[512] = "", want[700];
		struct sp_diags dg = {0};
		struct sp_dict *d;

		snprintf(spec, sizeof(spec), "cidr:%s", path);
		d = sp_dict_open(spec, SP_DICT_FOLD, &dg, err, sizeof(err));
		snprintf(want, sizeof(want), "cidr map %s, %s", path, r->want);
		if (r->errors > 1) {
			size_t k = strlen(want);
			snprintf(want + k, sizeof(want) - k, " (and %zu more error%s)", r->errors - 1,
				 r->errors > 2 ? "s" : "");
		}
		ROW_CHECK(&fails, "bad_rows", i, sp_show(r->src, n), d == NULL, "opened");
		ROW_CHECK(&fails, "bad_rows", i, sp_show(r->src, n), sp_streq(err, want),
			  "err \"%s\", want \"%s\"", err, want);
		ROW_CHECK(&fails, "bad_rows", i, sp_show(r->src, n),
			  dg.errors == r->errors && dg.n == r->errors, "%zu errors, want %zu",
			  dg.errors, r->errors);
		sp_dict_close(&d);
		sp_diags_free(&dg);
	}
	sp_rows_done(fails, "bad_rows", NROWS(bad_rows));
}

/* Every malformed line is reported, in postmap's order, with postmap's line numbers. */
static void test_all_errors(void **state)
{
	static const char src[] =
		"10.0.0.0/8 ok\n"                 /* 1 */
		"10.0.0.1/8 x\n"                  /* 2 host bits */
		"# comment\n"                     /* 3 */
		"10.0.0.0/40 x\n"                 /* 4 mask length */
		"if 1.0.0.0/8\n"                  /* 5 never closed */
		"if 2.0.0.0/8\n"                  /* 6 */
		"endif\n"                         /* 7 */
		"if 3.0.0.0/8\n"                  /* 8 never closed */
		"3.3.3.3\n"                       /* 9 no result */
		"  continued result\n"            /* 10 (continues 9) */
		"[4.4.4.4 x\n";                   /* 11 missing ']' */
	static const struct {
		int line;
		const char *what;
	} want[] = {
		{2, "non-null host address bits in \"10.0.0.1/8\""},
		{4, "bad mask length in \"10.0.0.0/40\""},
		{11, "missing ']' character after \"[4.4.4.4\""},
		{8, "IF has no matching ENDIF"},
		{5, "IF has no matching ENDIF"},
	};
	const char *path = put_file("all.cidr", src, sizeof(src) - 1);
	char spec[600], err[512];
	struct sp_diags dg = {0};
	struct sp_dict *d;

	(void)state;
	snprintf(spec, sizeof(spec), "cidr:%s", path);
	d = sp_dict_open(spec, SP_DICT_FOLD, &dg, err, sizeof(err));
	assert_null(d);
	assert_int_equal(dg.n, NROWS(want));
	for (size_t i = 0; i < NROWS(want); i++) {
		assert_int_equal(dg.v[i].sev, SP_ERROR);
		assert_string_equal(dg.v[i].file, path);
		assert_int_equal(dg.v[i].line, want[i].line);
		assert_string_equal(dg.v[i].what, want[i].what);
	}
	assert_non_null(strstr(dg.v[0].fix, "\"10.0.0.0/8\""));
	assert_non_null(strstr(err, "line 2: non-null host address bits"));
	assert_non_null(strstr(err, "(and 4 more errors)"));
	sp_diags_free(&dg);
	/* Without a diagnostics list the first error still comes back. */
	d = sp_dict_open(spec, SP_DICT_FOLD, NULL, err, sizeof(err));
	assert_null(d);
	assert_non_null(strstr(err, "line 2: non-null host address bits"));
}

/* Bounds: lines, results, keys; a missing file; no listing. */
static void test_limits(void **state)
{
	size_t n;
	char *big = sp_big("1.2.3.4 ", (4u << 20) + 1, 'x', "\n", &n);
	char spec[600], err[512];
	const char *value;
	struct sp_dict *d;

	(void)state;
	snprintf(spec, sizeof(spec), "cidr:%s", put_file("long.cidr", big, n));
	assert_null(sp_dict_open(spec, 0, NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "longer than 4 MiB"));
	free(big);

	big = sp_big("1.2.3.4 ", (1u << 20) + 1, 'x', "\n", &n);
	snprintf(spec, sizeof(spec), "cidr:%s", put_file("value.cidr", big, n));
	assert_null(sp_dict_open(spec, 0, NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "line 1: lookup result longer than 1 MiB"));
	free(big);

	big = sp_big("1.2.3.4 ", 1u << 20, 'x', "\n", &n);   /* exactly 1 MiB: fine */
	snprintf(spec, sizeof(spec), "cidr:%s", put_file("value.cidr", big, n));
	d = sp_dict_open(spec, 0, NULL, err, sizeof(err));
	assert_non_null(d);
	assert_int_equal(sp_dict_lookup(d, "1.2.3.4", &value, err, sizeof(err)), 1);
	assert_int_equal(strlen(value), 1u << 20);
	assert_int_equal(sp_dict_each(d, NULL, NULL, err, sizeof(err)), -1);
	big[SP_DICT_KEY_MAX + 1] = 0;   /* a key over the limit is refused by dict.c */
	assert_int_equal(sp_dict_lookup(d, big, &value, err, sizeof(err)), -1);
	sp_dict_close(&d);
	free(big);

	snprintf(spec, sizeof(spec), "cidr:%s/missing.cidr", tmpdir);
	assert_null(sp_dict_open(spec, 0, NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "No such file or directory"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_net),
		cmocka_unit_test(test_net_mask),
		cmocka_unit_test(test_parse_rule),
		cmocka_unit_test(test_parse_key),
		cmocka_unit_test(test_lookups),
		cmocka_unit_test(test_inline),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_all_errors),
		cmocka_unit_test(test_limits),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
