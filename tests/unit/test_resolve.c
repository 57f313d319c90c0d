/*
 * test_resolve.c - address classes (src/policy/resolve.c): one table of
 * rows (configuration, address, class, flags, deciding domain, resolved
 * address) over every class, every relay address form with its feature on
 * and off, negation and tables (inline:, texthash:) in domain lists, parent
 * matching on and off, own address literals, and lookup errors; then the
 * compile errors, inet_interfaces = all, and permit_auth_destination.
 *
 * Each configuration is a throw-away main.cf loaded with sp_config_load
 * (hostname mail.example.com, so myhostname = mail.example.com and mydomain
 * = example.com); "inet_interfaces = 127.0.0.1" is added unless the
 * configuration sets it; "@D@" stands for its directory.
 *
 * How the rows were checked against Postfix 3.7.11 (Debian 12): every row
 * of resolve_rows was run through Postfix's own trivial-rewrite(8), started
 * by hand in stand-alone mode as the mail_owner
 * (`setpriv --reuid=postfix --regid=postfix --clear-groups
 * /usr/lib/postfix/sbin/trivial-rewrite -S`, MAIL_CONFIG set to a copy of
 * the row's configuration directory whose main.cf is the row's main.cf
 * behind "compatibility_level = 3.7, myhostname = mail.example.com,
 * mydomain = example.com, allow_percent_hack = no, swap_bangpath = no"
 * (sallyport's defaults; Postfix's are yes), fed the two requests smtpd
 * makes for a recipient (smtpd_resolve.c): "request=rewrite rule=local
 * address=A", then "request=resolve sender= address=<the rewritten A>" in
 * its attribute protocol. Its RESOLVE_CLASS_* bit gave the class,
 * RESOLVE_FLAG_ROUTED ROUTED, RESOLVE_FLAG_ERROR INVALID and
 * RESOLVE_FLAG_FAIL ERROR, and its recipient (compared with the domain in
 * lower case) the address. SP_RESOLVE_ORACLE=FILE makes this program write
 * "directory TAB address TAB class TAB flags TAB resolved" per row and keep
 * the directories for that run. (Rewrite takes the external form: the
 * driver quoted the local part as quote_822_local does and unquoted the
 * answer.) Every row agreed except the four marked "differs": an inline:
 * key in upper case (Postfix's match lists fold the name but open tables
 * without folding, so "inline:{INL.example=x}" never matches there;
 * sallyport folds keys at build, as postmap does), and the three pcre
 * lookup errors (Postfix's dict_pcre.c reports a failed match as a warning
 * and "not found", so Postfix gave DEFAULT, or INVALID for the 64-byte
 * label; sallyport's pcre table returns a lookup error, and the resolver
 * answers 4xx rather than guess).
 * permit_auth_destination (test_auth_destination) is reasoned from
 * smtpd_check.c, which tests ROUTED before the class.
 */
#include "unit.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config/config.h"
#include "policy/resolve.h"
#include "tmpconf.h"

enum {
	C_DEF,       /* defaults */
	C_HACKS,     /* allow_percent_hack = yes, swap_bangpath = yes */
	C_NODEQ,     /* resolve_dequoted_address = no */
	C_LISTS,     /* every list, with tables and negation; parent matching on */
	C_NOPARENT,  /* C_LISTS with parent matching off for relay_domains */
	C_ERR,       /* pcre tables whose lookups fail on hostile names */
	C_NULLDOM,   /* resolve_null_domain = yes */
	C_ORIGIN,    /* myorigin = example.com, append_dot_mydomain = yes */
	C_NOORIGIN,  /* append_at_myorigin = no */
	C_LOOPBACK,  /* inet_interfaces = loopback-only */
	C_COUNT
};

#define LISTS                                                                              \
	"mydestination = $myhostname, localhost, Example.COM, !neg.example.org,\n"          \
	"    texthash:@D@/mydest, inline:{INL.example=x}\n"                                 \
	"virtual_alias_domains = alias.example, inline:{alias2.example=x}\n"                 \
	"virtual_mailbox_domains = mbox.example, texthash:@D@/vmbox\n"                       \
	"relay_domains = relay.example, .dotrelay.example, !no.relay2.example,\n"           \
	"    relay2.example, texthash:@D@/relay\n"                                           \
	"proxy_interfaces = 192.0.2.1\n"

static const char *const configs[C_COUNT] = {
	[C_DEF] = "",
	[C_HACKS] = "allow_percent_hack = yes\nswap_bangpath = yes\n",
	[C_NODEQ] = "resolve_dequoted_address = no\n",
	[C_LISTS] = LISTS,
	[C_NOPARENT] = LISTS "parent_domain_matches_subdomains = smtpd_access_maps\n",
	[C_ERR] = "mydestination = $myhostname, pcre:@D@/a.pcre\n"
		  "relay_domains = pcre:@D@/b.pcre\n",
	[C_NULLDOM] = "resolve_null_domain = yes\n",
	[C_ORIGIN] = "myorigin = example.com\nappend_dot_mydomain = yes\n",
	[C_NOORIGIN] = "append_at_myorigin = no\n",
	[C_LOOPBACK] = "inet_interfaces = loopback-only\n",
};

/* Files every configuration directory gets. */
static const struct {
	const char *name, *text;
} files[] = {
	{"mydest", "neg.example.org x\ntab.example x\n"},
	{"vmbox", "mbox2.example x\n"},
	{"relay", "tabrelay.example x\n.dottab.example x\n"},
	{"a.pcre", "/^(a+)+$/ x\n"},
	{"b.pcre", "/^(b+)+$/ x\n"},
};

#define L SP_CLASS_LOCAL
#define VA SP_CLASS_VIRTUAL_ALIAS
#define VM SP_CLASS_VIRTUAL_MAILBOX
#define RL SP_CLASS_RELAY
#define DF SP_CLASS_DEFAULT
#define RT SP_RESOLVE_ROUTED
#define ER SP_RESOLVE_ERROR
#define SR SP_RESOLVE_SOURCE_ROUTE
#define IV SP_RESOLVE_INVALID

/* 64 (60) times a (b) and ".x": pcre's match limit on (a+)+; a label over 63 bytes is
 * refused (INVALID) before the class lists are asked */
#define A64 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define B60 "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

struct resolve_row {
	int cfg;
	const char *addr;
	enum sp_addr_class cls;
	unsigned flags;
	const char *domain;   /* NULL: not checked */
	const char *address;  /* NULL: not checked */
	const char *label;
};

static const struct resolve_row resolve_rows[] = {
	/* local: $myhostname and localhost forms (mydestination's default), case, dot */
	{C_DEF, "user@mail.example.com", L, 0, "mail.example.com", "user@mail.example.com", "myhostname"},
	{C_DEF, "User@MAIL.Example.COM", L, 0, "mail.example.com", "User@mail.example.com", "mixed case"},
	{C_DEF, "user@mail.example.com.", L, 0, "mail.example.com", "user@mail.example.com", "trailing dot"},
	{C_DEF, "user@localhost", L, 0, "localhost", "user@localhost", "localhost"},
	{C_DEF, "user@localhost.example.com", L, 0, "localhost.example.com", NULL, "localhost.$mydomain"},
	{C_DEF, "user@sub.mail.example.com", DF, 0, "sub.mail.example.com", NULL, "mydestination: no subdomains"},
	{C_DEF, "user@other.example", DF, 0, "other.example", "user@other.example", "remote"},
	{C_DEF, "user@OTHER.example.", DF, 0, "other.example", "user@other.example", "remote, dot"},
	/* address literals against inet_interfaces = 127.0.0.1 */
	{C_DEF, "user@[127.0.0.1]", L, 0, "[127.0.0.1]", "user@[127.0.0.1]", "our literal"},
	{C_DEF, "user@[192.0.2.1]", DF, 0, "[192.0.2.1]", NULL, "other literal"},
	{C_DEF, "user@[IPv6:::1]", DF, 0, "[ipv6:::1]", NULL, "::1 is not listed"},
	{C_DEF, "user@[127.0.0.1].", L, 0, "[127.0.0.1]", NULL, "literal, dot"},
	/* empty and absent domains, the null address */
	{C_DEF, "user", L, 0, "mail.example.com", "user@mail.example.com", "bare: @$myorigin"},
	{C_DEF, "", L, 0, "mail.example.com", "MAILER-DAEMON@mail.example.com", "null address"},
	{C_DEF, "@mail.example.com", L, 0, NULL, "MAILER-DAEMON@mail.example.com", "empty local part"},
	{C_DEF, "user@", DF, IV, NULL, NULL, "user@ without resolve_null_domain"},
	{C_NULLDOM, "user@", L, 0, "mail.example.com", "user@mail.example.com", "user@ resolve_null_domain"},
	{C_ORIGIN, "user", DF, 0, "example.com", "user@example.com", "bare: myorigin = example.com"},
	{C_ORIGIN, "user@localhost", L, 0, "localhost.example.com", "user@localhost.example.com", "append_dot_mydomain"},
	{C_ORIGIN, "user@[127.0.0.1]", L, 0, "[127.0.0.1]", NULL, "no .mydomain on a literal"},
	{C_NOORIGIN, "user", L, 0, "mail.example.com", "user@mail.example.com", "bare: resolver's @$myhostname"},
	/* syntax the resolver refuses (Postfix's RESOLVE_FLAG_ERROR) */
	{C_DEF, "user@-bad.example", DF, IV, NULL, NULL, "hyphen"},
	{C_DEF, "user@1.2.3.4", DF, IV, NULL, NULL, "numeric domain"},
	{C_DEF, "user@[1.2.3]", DF, IV, NULL, NULL, "bad literal"},
	{C_DEF, "user@a..example", DF, IV, NULL, NULL, "empty label"},
	{C_DEF, "-user@mail.example.com", L, IV, NULL, NULL, "allow_min_user = no"},
	/* percent hack */
	{C_DEF, "user%other.example@mail.example.com", L, RT, "mail.example.com", "user%other.example@mail.example.com", "% off"},
	{C_HACKS, "user%other.example@mail.example.com", DF, 0, "other.example", "user@other.example", "% on"},
	{C_HACKS, "user%localhost@mail.example.com", L, 0, "localhost", "user@localhost", "% on, local"},
	{C_HACKS, "user%a%b.example@mail.example.com", DF, RT, "b.example", "user%a@b.example", "% on, last % first"},
	{C_DEF, "a%b%c@mail.example.com", L, RT, NULL, NULL, "% off, two"},
	{C_HACKS, "user%other.example", DF, 0, "other.example", "user@other.example", "% on, bare"},
	{C_DEF, "user%other.example", L, RT, "mail.example.com", "user%other.example@mail.example.com", "% off, bare"},
	{C_HACKS, "user name%other.example@mail.example.com", DF, 0, "other.example", "user name@other.example", "% on, quoted"},
	{C_NODEQ, "user%other.example@mail.example.com", L, RT, NULL, NULL, "% off, no dequoting"},
	/* bang paths */
	{C_DEF, "other.example!user@mail.example.com", L, RT, "mail.example.com", NULL, "! off"},
	{C_HACKS, "other.example!user@mail.example.com", DF, 0, "other.example", "user@other.example", "! on"},
	{C_HACKS, "a.example!b.example!user@mail.example.com", DF, RT, "a.example", "b.example!user@a.example", "! on, first ! first"},
	{C_HACKS, "localhost!user@mail.example.com", L, 0, "localhost", "user@localhost", "! on, local"},
	{C_HACKS, "other.example!user", DF, 0, "other.example", "user@other.example", "! on, bare"},
	{C_HACKS, "a!b%c@mail.example.com", DF, RT, "a", "b%c@a", "! before %"},
	/* source routes: dropped, as Postfix does */
	{C_DEF, "@mail.example.com:user@other.example", DF, SR, "other.example", "user@other.example", "route via us"},
	{C_DEF, "@other.example:user@mail.example.com", L, SR, "mail.example.com", "user@mail.example.com", "route to us"},
	{C_DEF, "@a.example,@b.example:user@other.example", DF, SR, "other.example", NULL, "two hops"},
	/* quoted local parts with routing in them */
	{C_DEF, "user@other.example@mail.example.com", DF, 0, "other.example", "user@other.example", "\"u@other\"@us"},
	{C_DEF, "user@localhost@mail.example.com", L, 0, "localhost", "user@localhost", "\"u@local\"@us"},
	{C_DEF, "user@[127.0.0.1]@mail.example.com", L, 0, "[127.0.0.1]", NULL, "\"u@[ours]\"@us"},
	{C_DEF, "a@b@other.example@mail.example.com", DF, RT, "other.example", "a@b@other.example", "two @ inside"},
	{C_NODEQ, "user@other.example@mail.example.com", L, RT, "mail.example.com", "user@other.example@mail.example.com", "no dequoting"},
	{C_NODEQ, "user@other.example", DF, 0, "other.example", NULL, "no dequoting, plain"},
	{C_DEF, "user@other.example@other2.example", DF, RT, "other2.example", NULL, "\"u@x\"@remote"},
	/* mydestination: names, negation, tables */
	{C_LISTS, "u@example.com", L, 0, "example.com", NULL, "pattern folded"},
	{C_LISTS, "u@neg.example.org", DF, 0, NULL, NULL, "negated before the table"},
	{C_LISTS, "u@tab.example", L, 0, NULL, NULL, "texthash"},
	{C_LISTS, "u@Inl.EXAMPLE", L, 0, "inl.example", NULL, "inline, folded (differs)"},
	{C_LISTS, "u@sub.tab.example", DF, 0, NULL, NULL, "texthash, no parents"},
	{C_LISTS, "u@[192.0.2.1]", L, 0, NULL, NULL, "proxy_interfaces"},
	/* virtual alias and mailbox domains: string lists too */
	{C_LISTS, "u@alias.example", VA, 0, "alias.example", NULL, "virtual alias"},
	{C_LISTS, "u@alias2.example", VA, 0, NULL, NULL, "virtual alias, inline"},
	{C_LISTS, "u@sub.alias.example", DF, 0, NULL, NULL, "virtual alias, no parents"},
	{C_LISTS, "u@mbox.example", VM, 0, "mbox.example", NULL, "virtual mailbox"},
	{C_LISTS, "u@MBOX2.example", VM, 0, NULL, NULL, "virtual mailbox, texthash"},
	/* relay_domains: parent_domain_matches_subdomains lists it (default) */
	{C_LISTS, "u@relay.example", RL, 0, "relay.example", NULL, "relay"},
	{C_LISTS, "u@sub.relay.example", RL, 0, "sub.relay.example", NULL, "relay, parent"},
	{C_LISTS, "u@a.dotrelay.example", DF, 0, NULL, NULL, "relay, .name needs parent off"},
	{C_LISTS, "u@relay2.example", RL, 0, NULL, NULL, "relay, after a negation"},
	{C_LISTS, "u@no.relay2.example", DF, 0, NULL, NULL, "relay, negated"},
	{C_LISTS, "u@x.no.relay2.example", DF, 0, NULL, NULL, "relay, negated parent"},
	{C_LISTS, "u@tabrelay.example", RL, 0, NULL, NULL, "relay, texthash"},
	{C_LISTS, "u@sub.tabrelay.example", RL, 0, NULL, NULL, "relay, texthash parent"},
	{C_LISTS, "u@sub.dottab.example", DF, 0, NULL, NULL, "relay, texthash .parent unused"},
	{C_LISTS, "u%x.example@relay.example", RL, RT, NULL, NULL, "relay, %"},
	{C_LISTS, "u@x.example@relay.example", RL, RT, NULL, NULL, "relay, quoted @"},
	{C_LISTS, "x.example!u@relay.example", RL, RT, NULL, NULL, "relay, !"},
	{C_LISTS, "u@relay.example@example.com", RL, 0, "relay.example", "u@relay.example", "\"u@relay\"@us"},
	/* relay_domains with parent matching off */
	{C_NOPARENT, "u@relay.example", RL, 0, NULL, NULL, "no parent: exact"},
	{C_NOPARENT, "u@sub.relay.example", DF, 0, NULL, NULL, "no parent: subdomain"},
	{C_NOPARENT, "u@a.dotrelay.example", RL, 0, NULL, NULL, "no parent: .name"},
	{C_NOPARENT, "u@dotrelay.example", DF, 0, NULL, NULL, "no parent: .name not itself"},
	{C_NOPARENT, "u@sub.dottab.example", RL, 0, NULL, NULL, "no parent: texthash .parent"},
	{C_NOPARENT, "u@sub.tabrelay.example", DF, 0, NULL, NULL, "no parent: texthash parent"},
	{C_NOPARENT, "u@x.no.relay2.example", DF, 0, NULL, NULL, "no parent: negation exact"},
	/* lookup errors */
	{C_ERR, "u@" A64 ".x", DF, ER, NULL, NULL, "mydestination lookup error (differs)"},
	{C_ERR, "u@" B60 ".x", DF, ER, NULL, NULL, "relay_domains lookup error (differs)"},
	{C_ERR, "u@mail.example.com", L, 0, NULL, NULL, "name before the table"},
	{C_ERR, "u@other.example", DF, 0, NULL, NULL, "fast misses"},
	{C_ERR, "u%x@" A64 ".x", DF, ER, NULL, NULL, "error before the class (differs)"},
	/* inet_interfaces = loopback-only */
	{C_LOOPBACK, "u@[IPv6:::1]", L, 0, "[ipv6:::1]", NULL, "loopback ::1"},
	{C_LOOPBACK, "u@[127.0.0.1]", L, 0, NULL, NULL, "loopback 127.0.0.1"},
	{C_LOOPBACK, "u@[127.0.0.2]", DF, 0, NULL, NULL, "loopback, other"},
};

struct loaded {
	struct tmpconf t;
	char main_cf[4096];
	struct sp_config *cfg;
	struct sp_resolver *r;
};

/* s with every "@D@" replaced by dir, into out. */
static void subst(const char *s, const char *dir, char *out, size_t outlen)
{
	size_t n = 0;

	for (; *s && n + strlen(dir) + 2 < outlen; s++) {
		if (strncmp(s, "@D@", 3) == 0) {
			n += (size_t)snprintf(out + n, outlen - n, "%s", dir);
			s += 2;
		} else {
			out[n++] = *s;
		}
	}
	out[n] = 0;
}

/* Loads main.cf text (with "@D@") in a new directory; r NULL on errors (in d). */
static void load(struct loaded *x, const char *text, struct sp_diags *d)
{
	static const struct sp_config_opts opts = {.hostname = "mail.example.com"};
	char body[4000];

	tmpconf_make(&x->t, NULL, NULL);
	for (size_t i = 0; i < NROWS(files); i++) {
		char path[700];
		snprintf(path, sizeof(path), "%s/%s", x->t.dir, files[i].name);
		tmpconf_write(path, files[i].text);
	}
	subst(text, x->t.dir, body, sizeof(body));
	snprintf(x->main_cf, sizeof(x->main_cf), "%s%s",
		 strstr(text, "inet_interfaces") ? "" : "inet_interfaces = 127.0.0.1\n", body);
	tmpconf_write(x->t.main_path, x->main_cf);
	x->cfg = sp_config_load(x->t.dir, &opts, d);
	assert_non_null(x->cfg);
	x->r = sp_resolver_compile(&x->cfg->global, d);
}

static void unload(struct loaded *x, int keep)
{
	sp_resolver_free(&x->r);
	sp_config_free(x->cfg);
	if (keep)
		return;
	for (size_t i = 0; i < NROWS(files); i++) {
		char path[700];
		snprintf(path, sizeof(path), "%s/%s", x->t.dir, files[i].name);
		unlink(path);
	}
	tmpconf_remove(&x->t);
}

static const char *class_name(enum sp_addr_class c)
{
	static const char *const n[] = {"local", "alias", "virtual", "relay", "default"};
	return (unsigned)c < 5 ? n[c] : "?";
}

static void test_resolve_rows(void **state)
{
	static struct loaded cf[C_COUNT];
	const char *oracle = getenv("SP_RESOLVE_ORACLE");
	FILE *ofp = oracle ? fopen(oracle, "w") : NULL;
	int fails = 0;

	(void)state;
	for (int c = 0; c < C_COUNT; c++) {
		struct sp_diags d = {0};
		load(&cf[c], configs[c], &d);
		if (cf[c].r == NULL)
			sp_diags_print(&d, stderr);
		assert_non_null(cf[c].r);
		sp_diags_free(&d);
	}
	for (size_t i = 0; i < NROWS(resolve_rows); i++) {
		const struct resolve_row *w = &resolve_rows[i];
		struct sp_resolved out;
		char err[512];
		int rc = sp_resolve(cf[w->cfg].r, w->addr, &out, err, sizeof(err));

		ROW_CHECK(&fails, "resolve", i, w->label, out.cls == w->cls && out.flags == w->flags,
			  "%s: got %s flags %#x, want %s flags %#x (%s)", sp_shows(w->addr),
			  class_name(out.cls), out.flags, class_name(w->cls), w->flags, err);
		ROW_CHECK(&fails, "resolve", i, w->label, rc == ((w->flags & ER) ? -1 : 0) &&
			  (rc == 0) == (err[0] == 0), "rc %d err %s", rc, err);
		ROW_CHECK(&fails, "resolve", i, w->label, !w->domain || sp_streq(out.domain, w->domain),
			  "domain %s, want %s", out.domain, w->domain);
		ROW_CHECK(&fails, "resolve", i, w->label,
			  !w->address || sp_streq(out.address, w->address), "address %s, want %s",
			  sp_shows(out.address), w->address);
		if (ofp)
			fprintf(ofp, "%s\t%s\t%s\t%#x\t%s\n", cf[w->cfg].t.dir, w->addr,
				class_name(out.cls), out.flags, out.address);
	}
	if (ofp)
		fclose(ofp);
	for (int c = 0; c < C_COUNT; c++)
		unload(&cf[c], ofp != NULL);
	sp_rows_done(fails, "resolve", NROWS(resolve_rows));
}

/* Configurations the compiler refuses, with the parameter it names. */
static const struct {
	const char *main_cf, *param, *needle;
} bad_rows[] = {
	{"mydestination = $myhostname, !\n", "mydestination", "no pattern after '!'"},
	{"relay_domains = /nonexistent/sallyport/list\n", "relay_domains", "open file"},
	{"virtual_alias_domains = texthash:/nonexistent/sallyport/t\n", "virtual_alias_domains", "nonexistent"},
	{"virtual_mailbox_domains = nosuchtype:/x\n", "virtual_mailbox_domains", "nosuchtype"},
	{"inet_interfaces = mail.example.com\n", "inet_interfaces", "not an IP address"},
	{"inet_interfaces = all, 127.0.0.1\n", "inet_interfaces", "\"all\": not an IP address"},
	{"inet_interfaces = 127.0.0.1\nproxy_interfaces = 300.1.1.1\n", "proxy_interfaces", "not an IP address"},
	{"myorigin = /nonexistent/sallyport/mailname\n", "myorigin", "cannot read"},
};

static void test_compile_errors(void **state)
{
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < NROWS(bad_rows); i++) {
		struct sp_diags d = {0};
		struct loaded x;
		int found = 0;

		load(&x, bad_rows[i].main_cf, &d);
		for (size_t k = 0; k < d.n; k++)
			found |= d.v[k].sev == SP_ERROR && sp_streq(d.v[k].param, bad_rows[i].param) &&
				 sp_has(d.v[k].what, bad_rows[i].needle);
		ROW_CHECK(&fails, "bad", i, bad_rows[i].main_cf, x.r == NULL && found,
			  "resolver %p, no error naming %s with \"%s\"", (void *)x.r,
			  bad_rows[i].param, bad_rows[i].needle);
		unload(&x, 0);
		sp_diags_free(&d);
	}
	sp_rows_done(fails, "bad", NROWS(bad_rows));
}

/* A comment at the end of a list line warns and ends the line (Postfix). */
static void test_comment_warning(void **state)
{
	struct sp_diags d = {0};
	struct loaded x;
	struct sp_resolved out;
	char err[256];

	(void)state;
	load(&x, "relay_domains = relay.example #later.example\n", &d);
	assert_non_null(x.r);
	assert_int_equal(sp_diags_count(&d, SP_WARNING, "comment at end of line"), 1);
	assert_int_equal(sp_resolve(x.r, "u@later.example", &out, err, sizeof(err)), 0);
	assert_int_equal(out.cls, SP_CLASS_DEFAULT);
	unload(&x, 0);
	sp_diags_free(&d);
}

/* inet_interfaces = all: the literal of each interface address is local. */
static void test_all_interfaces(void **state)
{
	struct sp_diags d = {0};
	struct loaded x;
	struct ifaddrs *ifa0;
	int checked = 0;

	(void)state;
	load(&x, "inet_interfaces = all\ninet_protocols = ipv4\n", &d);
	assert_non_null(x.r);
	assert_int_equal(getifaddrs(&ifa0), 0);
	for (struct ifaddrs *ifa = ifa0; ifa; ifa = ifa->ifa_next) {
		char a[INET6_ADDRSTRLEN], lit[INET6_ADDRSTRLEN + 20], err[256];
		struct sp_resolved out;
		int v4;

		if (!ifa->ifa_addr || (ifa->ifa_addr->sa_family != AF_INET &&
				       ifa->ifa_addr->sa_family != AF_INET6))
			continue;
		v4 = ifa->ifa_addr->sa_family == AF_INET;
		inet_ntop(ifa->ifa_addr->sa_family,
			  v4 ? (void *)&((struct sockaddr_in *)(void *)ifa->ifa_addr)->sin_addr
			     : (void *)&((struct sockaddr_in6 *)(void *)ifa->ifa_addr)->sin6_addr,
			  a, sizeof(a));
		if (!v4 && strchr(a, '%'))
			continue;
		snprintf(lit, sizeof(lit), "u@[%s%s]", v4 ? "" : "IPv6:", a);
		assert_int_equal(sp_resolve(x.r, lit, &out, err, sizeof(err)), 0);
		/* inet_protocols = ipv4: IPv6 interface addresses are not ours */
		if (out.cls != (v4 ? SP_CLASS_LOCAL : SP_CLASS_DEFAULT))
			fail_msg("%s: class %d", lit, out.cls);
		checked++;
	}
	freeifaddrs(ifa0);
	print_message("checked %d interface addresses\n", checked);
	unload(&x, 0);
	sp_diags_free(&d);
}

/* permit_auth_destination (smtpd_check.c): ROUTED first, then the class. */
static void test_auth_destination(void **state)
{
	static const struct {
		enum sp_addr_class cls;
		unsigned flags;
		int untrusted, want;
	} rows[] = {
		{L, 0, 0, 1}, {VA, 0, 0, 1}, {VM, 0, 0, 1}, {RL, 0, 0, 1}, {DF, 0, 0, 0},
		{L, RT, 0, 0}, {RL, RT, 0, 0}, {L, RT, 1, 1}, {RL, RT, 1, 1}, {DF, RT, 1, 0},
		{L, SR, 0, 1}, {DF, IV, 0, 0}, {L, ER, 1, 0},
	};
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < NROWS(rows); i++) {
		struct sp_resolved r = {.cls = rows[i].cls, .flags = rows[i].flags};
		ROW_CHECK(&fails, "auth", i, class_name(rows[i].cls),
			  sp_resolve_auth_destination(&r, rows[i].untrusted) == rows[i].want,
			  "flags %#x untrusted %d", rows[i].flags, rows[i].untrusted);
	}
	sp_rows_done(fails, "auth", NROWS(rows));
}

/* Overlong input and hostile loops stay bounded. */
static void test_limits(void **state)
{
	struct sp_diags d = {0};
	struct loaded x;
	struct sp_resolved out;
	char err[256], *big;
	size_t n;

	(void)state;
	load(&x, "allow_percent_hack = yes\nswap_bangpath = yes\n", &d);
	assert_non_null(x.r);
	big = sp_big("u", SP_RESOLVE_INPUT_MAX, 'a', "@mail.example.com", &n);
	assert_int_equal(sp_resolve(x.r, big, &out, err, sizeof(err)), 0);
	assert_int_equal(out.cls, SP_CLASS_DEFAULT);
	assert_int_equal(out.flags, SP_RESOLVE_INVALID);
	free(big);
	big = sp_big("", 200, '%', "@mail.example.com", &n);
	assert_int_equal(sp_resolve(x.r, big, &out, err, sizeof(err)), 0);
	free(big);
	big = sp_big("", 200, '!', "@localhost", &n);
	assert_int_equal(sp_resolve(x.r, big, &out, err, sizeof(err)), 0);
	free(big);
	unload(&x, 0);
	sp_diags_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resolve_rows),
		cmocka_unit_test(test_compile_errors),
		cmocka_unit_test(test_comment_warning),
		cmocka_unit_test(test_all_interfaces),
		cmocka_unit_test(test_auth_destination),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
