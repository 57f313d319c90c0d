/*
 * test_address.c - the MAIL FROM / RCPT TO path parser (smtp/address.h):
 * a table of valid paths (every form of RFC 5321 4.1.2, SMTPUTF8, the
 * Postfix leniencies), a larger table of malformed ones (each with its exact
 * error code), the length limits at and one past their maxima, and round
 * trips internal -> external -> parse.
 *
 * The oracle is RFC 5321/6531 plus the choices documented in address.h.
 * Postfix was read for the lenient cases (smtpd.c extract_addr(),
 * smtpd_token.c, trivial-rewrite/resolve.c, util/valid_hostname.c), and the
 * valid and malformed rows were replayed against a Postfix 3.7.11 on
 * loopback: it accepts every valid row except the General-address-literals,
 * and the malformed rows it accepts are the differences listed in
 * address.h.
 */
#include "unit.h"

#include "smtp/address.h"

#define IN(s) s, sizeof(s) - 1

/* Option shorthands; RCPT TO is the absence of R. */
#define R SP_ADDR_OPT_REVERSE
#define U SP_ADDR_OPT_SMTPUTF8
#define S SP_ADDR_OPT_STRICT_RFC821
#define X SP_ADDR_OPT_STRICT_SYNTAX
#define M SP_ADDR_OPT_ALLOW_MIN_USER

/* Flag shorthands. */
#define F_NULL SP_ADDR_F_NULL
#define F_BARE SP_ADDR_F_BARE
#define F_SP SP_ADDR_F_LEADING_SPACE
#define F_ROUTE SP_ADDR_F_ROUTE
#define F_Q SP_ADDR_F_QUOTED
#define F_PM SP_ADDR_F_POSTMASTER
#define F_UL SP_ADDR_F_UTF8_LOCAL
#define F_UD SP_ADDR_F_UTF8_DOMAIN
#define F_DOTS SP_ADDR_F_OBS_DOTS
#define F_DDOT SP_ADDR_F_DOMAIN_DOT
#define F_LR SP_ADDR_F_LOCAL_ROUTING

#define NAME SP_ADDR_DK_NAME
#define IPV4 SP_ADDR_DK_IPV4
#define IPV6 SP_ADDR_DK_IPV6
#define GEN SP_ADDR_DK_GENERAL
#define NONE SP_ADDR_DK_NONE

struct ok_row {
	const char *label;
	const char *in;
	size_t len;
	unsigned opts;
	unsigned flags;            /* exact */
	enum sp_addr_dkind dkind;
	const char *local;         /* internal form */
	const char *domain;
	const char *raw;           /* local part as written; NULL: same as local */
	const char *route;         /* NULL: none */
	unsigned hops;
	size_t end;                /* 0: the whole input */
	const char *ext;           /* external form; NULL: raw[@domain] */
};

static const struct ok_row ok_rows[] = {
	/* MAIL FROM */
	{"plain sender", IN("<user@example.com>"), R, 0, NAME, "user", "example.com"},
	{"null path", IN("<>"), R, F_NULL, NONE, "", "", .ext = ""},
	{"null path with parameters", IN("<> SIZE=100"), R, F_NULL, NONE, "", "", .end = 2, .ext = ""},
	{"parameters after the path", IN("<user@example.com> SIZE=1000 BODY=8BITMIME"), R, 0, NAME,
	 "user", "example.com", .end = 18},
	{"HTAB before parameters", IN("<user@example.com>\tSIZE=1"), R, 0, NAME, "user",
	 "example.com", .end = 18},
	{"trailing spaces", IN("<user@example.com>   "), R, 0, NAME, "user", "example.com", .end = 18},
	{"space before the path", IN(" <user@example.com>"), R, F_SP, NAME, "user", "example.com"},
	{"tab before the path", IN("\t<user@example.com>"), R, F_SP, NAME, "user", "example.com"},
	{"spaces before the null path", IN("  <>"), R, F_SP | F_NULL, NONE, "", "", .ext = ""},
	{"bare sender", IN("user@example.com"), R, F_BARE, NAME, "user", "example.com"},
	{"bare sender with parameters", IN("user@example.com SIZE=10"), R, F_BARE, NAME, "user",
	 "example.com", .end = 16},
	{"bare sender after a space", IN(" user@example.com"), R, F_BARE | F_SP, NAME, "user",
	 "example.com"},
	{"dotted local part and domain", IN("<first.last@sub.example.co.uk>"), R, 0, NAME,
	 "first.last", "sub.example.co.uk"},
	{"short", IN("<a@b.c>"), R, 0, NAME, "a", "b.c"},
	{"single-label domain", IN("<x@localhost>"), R, 0, NAME, "x", "localhost"},
	{"case kept", IN("<User.Name+tag@Example.COM>"), R, 0, NAME, "User.Name+tag", "Example.COM"},
	{"every atext special", IN("<!#$%&'*+-/=?^_`{|}~@example.com>"), R, F_LR, NAME,
	 "!#$%&'*+-/=?^_`{|}~", "example.com"},
	{"percent hack is flagged", IN("<user%other@example.com>"), R, F_LR, NAME, "user%other",
	 "example.com"},
	{"bang path is flagged", IN("<host!user@example.com>"), R, F_LR, NAME, "host!user",
	 "example.com"},
	{"digits only local part", IN("<0@1a>"), R, 0, NAME, "0", "1a"},
	{"hyphen inside the local part", IN("<a-b@example.com>"), R, 0, NAME, "a-b", "example.com"},
	/* quoted local parts */
	{"quoted with a space", IN("<\"john doe\"@example.com>"), R, F_Q, NAME, "john doe",
	 "example.com", "\"john doe\""},
	{"escaped quote", IN("<\"a\\\"b\"@example.com>"), R, F_Q, NAME, "a\"b", "example.com",
	 "\"a\\\"b\""},
	{"escaped backslash", IN("<\"a\\\\b\"@example.com>"), R, F_Q, NAME, "a\\b", "example.com",
	 "\"a\\\\b\""},
	{"needless escape is dropped", IN("<\"\\a\"@example.com>"), R, F_Q, NAME, "a", "example.com",
	 "\"\\a\"", .ext = "a@example.com"},
	{"needless quotes are dropped", IN("<\"abc\"@example.com>"), R, F_Q, NAME, "abc",
	 "example.com", "\"abc\"", .ext = "abc@example.com"},
	{"quoted '@'", IN("<\"a@b\"@example.com>"), R, F_Q | F_LR, NAME, "a@b", "example.com",
	 "\"a@b\""},
	{"quoted double dot", IN("<\"a..b\"@example.com>"), R, F_Q, NAME, "a..b", "example.com",
	 "\"a..b\""},
	{"quoted leading dot", IN("<\".a\"@example.com>"), R, F_Q, NAME, ".a", "example.com", "\".a\""},
	{"quoted angle brackets", IN("<\"<>\"@example.com>"), R, F_Q, NAME, "<>", "example.com",
	 "\"<>\""},
	{"quoted single space", IN("<\" \"@example.com>"), R, F_Q, NAME, " ", "example.com", "\" \""},
	{"escaped space", IN("<\"a\\ b\"@example.com>"), R, F_Q, NAME, "a b", "example.com",
	 "\"a\\ b\"", .ext = "\"a b\"@example.com"},
	{"quoted specials", IN("<\"(),:;[]\"@example.com>"), R, F_Q, NAME, "(),:;[]", "example.com",
	 "\"(),:;[]\""},
	{"escaped quote at the end", IN("<\"a\\\"\"@example.com>"), R, F_Q, NAME, "a\"",
	 "example.com", "\"a\\\"\""},
	{"quoted postmaster with a domain", IN("<\"postmaster\"@example.com>"), 0, F_Q, NAME,
	 "postmaster", "example.com", "\"postmaster\"", .ext = "postmaster@example.com"},
	{"bare quoted with a space, then parameters", IN("\"a b\"@example.com SIZE=1"), R,
	 F_BARE | F_Q, NAME, "a b", "example.com", "\"a b\"", .end = 17},
	/* Postfix leniencies */
	{"double dot (Postfix)", IN("<a..b@example.com>"), R, F_DOTS, NAME, "a..b", "example.com",
	 .ext = "\"a..b\"@example.com"},
	{"trailing dot in local part (Postfix)", IN("<a.@example.com>"), R, F_DOTS, NAME, "a.",
	 "example.com", .ext = "\"a.\"@example.com"},
	{"leading dot in local part (Postfix)", IN("<.a@example.com>"), R, F_DOTS, NAME, ".a",
	 "example.com", .ext = "\".a\"@example.com"},
	{"trailing dot in domain is dropped", IN("<user@example.com.>"), R, F_DDOT, NAME, "user",
	 "example.com"},
	{"underscore in a label", IN("<user@my_host.example>"), R, 0, NAME, "user", "my_host.example"},
	/* domains */
	{"hyphen in a label", IN("<user@a-b.example>"), R, 0, NAME, "user", "a-b.example"},
	{"numeric label, not all numeric", IN("<user@123.example>"), R, 0, NAME, "user", "123.example"},
	{"digits then a letter", IN("<user@example.123a>"), R, 0, NAME, "user", "example.123a"},
	{"A-label", IN("<user@xn--bcher-kva.example>"), R, 0, NAME, "user", "xn--bcher-kva.example"},
	{"upper-case domain", IN("<u@EXAMPLE.com>"), R, 0, NAME, "u", "EXAMPLE.com"},
	/* address literals */
	{"IPv4 literal", IN("<user@[192.0.2.1]>"), R, 0, IPV4, "user", "[192.0.2.1]"},
	{"IPv4 zeros", IN("<user@[0.0.0.0]>"), R, 0, IPV4, "user", "[0.0.0.0]"},
	{"IPv4 all ones", IN("<user@[255.255.255.255]>"), R, 0, IPV4, "user", "[255.255.255.255]"},
	{"IPv6 literal", IN("<user@[IPv6:2001:db8::1]>"), 0, 0, IPV6, "user", "[IPv6:2001:db8::1]"},
	{"IPv6 tag in lower case", IN("<user@[ipv6:::1]>"), 0, 0, IPV6, "user", "[ipv6:::1]"},
	{"IPv6 unspecified", IN("<user@[IPv6:::]>"), 0, 0, IPV6, "user", "[IPv6:::]"},
	{"IPv6 full", IN("<user@[IPv6:2001:db8:0:0:0:0:0:1]>"), 0, 0, IPV6, "user",
	 "[IPv6:2001:db8:0:0:0:0:0:1]"},
	{"IPv6 with IPv4 tail", IN("<user@[IPv6:::ffff:192.0.2.1]>"), 0, 0, IPV6, "user",
	 "[IPv6:::ffff:192.0.2.1]"},
	{"IPv6 link-local", IN("<user@[IPv6:fe80::1:2:3:4]>"), 0, 0, IPV6, "user",
	 "[IPv6:fe80::1:2:3:4]"},
	{"IPv6 literal, then parameters", IN("<user@[IPv6:2001:db8::1]> SIZE=1"), R, 0, IPV6, "user",
	 "[IPv6:2001:db8::1]", .end = 25},
	{"general literal", IN("<user@[x-tag:anything-goes]>"), 0, 0, GEN, "user",
	 "[x-tag:anything-goes]"},
	{"general literal holding '>'", IN("<user@[tag:a>b]>"), 0, 0, GEN, "user", "[tag:a>b]"},
	{"general literal holding a quote", IN("<user@[X:\"q\"]>"), 0, 0, GEN, "user", "[X:\"q\"]"},
	{"general literal, shortest", IN("<user@[t:c]>"), 0, 0, GEN, "user", "[t:c]"},
	{"IPv4 tag is a general literal", IN("<user@[IPv4:1.2.3.4]>"), 0, 0, GEN, "user",
	 "[IPv4:1.2.3.4]"},
	/* source routes */
	{"one-hop route", IN("<@relay.example:user@example.com>"), 0, F_ROUTE, NAME, "user",
	 "example.com", .route = "@relay.example", .hops = 1},
	{"two-hop route", IN("<@a.example,@b.example:user@example.com>"), 0, F_ROUTE, NAME, "user",
	 "example.com", .route = "@a.example,@b.example", .hops = 2},
	{"three-hop route", IN("<@a,@b,@c:user@example.com>"), R, F_ROUTE, NAME, "user",
	 "example.com", .route = "@a,@b,@c", .hops = 3},
	{"bare route", IN("@a.example:user@example.com"), 0, F_BARE | F_ROUTE, NAME, "user",
	 "example.com", .route = "@a.example", .hops = 1},
	{"route to a literal", IN("<@a.example:user@[192.0.2.1]>"), 0, F_ROUTE, IPV4, "user",
	 "[192.0.2.1]", .route = "@a.example", .hops = 1},
	/* Postmaster */
	{"Postmaster", IN("<Postmaster>"), 0, F_PM, NONE, "Postmaster", ""},
	{"postmaster", IN("<postmaster>"), 0, F_PM, NONE, "postmaster", ""},
	{"POSTMASTER with parameters", IN("<POSTMASTER> NOTIFY=NEVER"), 0, F_PM, NONE, "POSTMASTER",
	 "", .end = 12},
	{"bare postmaster", IN("postmaster"), 0, F_BARE | F_PM, NONE, "postmaster", ""},
	{"postmaster with a domain", IN("<postmaster@example.com>"), 0, 0, NAME, "postmaster",
	 "example.com"},
	/* RCPT TO */
	{"recipient", IN("<user@example.com>"), 0, 0, NAME, "user", "example.com"},
	{"recipient with ORCPT", IN("<user@example.com> ORCPT=rfc822;user@example.com"), 0, 0, NAME,
	 "user", "example.com", .end = 18},
	/* SMTPUTF8 */
	{"UTF-8 local part and domain", IN("<用户@例子.广告>"), R | U, F_UL | F_UD, NAME, "用户",
	 "例子.广告"},
	{"UTF-8 local part", IN("<josé@example.com>"), R | U, F_UL, NAME, "josé", "example.com"},
	{"UTF-8 domain", IN("<user@bücher.example>"), U, F_UD, NAME, "user", "bücher.example"},
	{"UTF-8 quoted", IN("<\"jo sé\"@example.com>"), U, F_Q | F_UL, NAME, "jo sé", "example.com",
	 "\"jo sé\""},
	{"Cyrillic", IN("<пример@пример.рф>"), U, F_UL | F_UD, NAME, "пример", "пример.рф"},
	{"ASCII under SMTPUTF8", IN("<user@example.com>"), R | U, 0, NAME, "user", "example.com"},
	{"four-byte UTF-8", IN("<😀@example.com>"), U, F_UL, NAME, "😀", "example.com"},
	{"UTF-8 route", IN("<@bücher.example:user@example.com>"), U, F_ROUTE, NAME, "user",
	 "example.com", .route = "@bücher.example", .hops = 1},
	/* options */
	{"leading '-' allowed", IN("<-user@example.com>"), M, 0, NAME, "-user", "example.com"},
	{"quoted leading '-' allowed", IN("<\"-x\"@example.com>"), R | M, F_Q, NAME, "-x",
	 "example.com", "\"-x\"", .ext = "-x@example.com"},
	{"strict envelope", IN("<user@example.com>"), S, 0, NAME, "user", "example.com"},
	{"strict null path", IN("<>"), R | S, F_NULL, NONE, "", "", .ext = ""},
	{"strict space before the path", IN(" <user@example.com>"), S, F_SP, NAME, "user",
	 "example.com"},
	{"strict syntax", IN("<a.b@example.com>"), X, 0, NAME, "a.b", "example.com"},
	{"every option", IN("<user@sub.example.com>"), R | U | S | X | M, 0, NAME, "user",
	 "sub.example.com"},
};

/* Returns the number of failed checks for one valid row. */
static int ok_run(size_t i, const struct ok_row *r)
{
	struct sp_addr a;
	struct sp_buf ext;
	size_t end = 12345, want_end = r->end ? r->end : r->len;
	const char *raw = r->raw ? r->raw : r->local;
	char want_ext[512];
	int fails = 0;
	enum sp_addr_err e = sp_addr_parse(r->in, r->len, r->opts, &a, &end);

	ROW_CHECK(&fails, "ok_rows", i, r->label, e == SP_ADDR_OK, "error %d (%s)", e,
		  sp_addr_strerror(e));
	if (e != SP_ADDR_OK)
		return fails;
	ROW_CHECK(&fails, "ok_rows", i, r->label, end == want_end, "end %zu, want %zu", end, want_end);
	ROW_CHECK(&fails, "ok_rows", i, r->label, a.flags == r->flags, "flags %#x, want %#x",
		  a.flags, r->flags);
	ROW_CHECK(&fails, "ok_rows", i, r->label, a.dkind == r->dkind, "dkind %d, want %d",
		  a.dkind, r->dkind);
	ROW_CHECK(&fails, "ok_rows", i, r->label,
		  sp_streq(a.local, r->local) && a.local_len == strlen(r->local),
		  "local \"%s\", want \"%s\"", sp_shows(a.local), sp_shows(r->local));
	ROW_CHECK(&fails, "ok_rows", i, r->label,
		  sp_streq(a.local_raw, raw) && a.local_raw_len == strlen(raw),
		  "raw \"%s\", want \"%s\"", sp_shows(a.local_raw), sp_shows(raw));
	ROW_CHECK(&fails, "ok_rows", i, r->label,
		  sp_streq(a.domain, r->domain) && a.domain_len == strlen(r->domain),
		  "domain \"%s\", want \"%s\"", sp_shows(a.domain), sp_shows(r->domain));
	ROW_CHECK(&fails, "ok_rows", i, r->label,
		  sp_streq(a.route, r->route ? r->route : "") && a.route_hops == r->hops,
		  "route \"%s\" (%u hops), want \"%s\" (%u)", sp_shows(a.route), a.route_hops,
		  sp_shows(r->route), r->hops);
	if (r->ext != NULL)
		snprintf(want_ext, sizeof(want_ext), "%s", r->ext);
	else
		snprintf(want_ext, sizeof(want_ext), "%s%s%s", raw, r->domain[0] ? "@" : "",
			 r->domain);
	sp_buf_init(&ext, SP_ADDR_EXTERNAL_MAX);
	ROW_CHECK(&fails, "ok_rows", i, r->label, sp_addr_format(&a, &ext) == 0, "format failed");
	ROW_CHECK(&fails, "ok_rows", i, r->label, sp_streq(sp_buf_str(&ext), want_ext),
		  "external \"%s\", want \"%s\"", sp_buf_str(&ext), want_ext);
	sp_buf_free(&ext);
	return fails;
}

static void test_address_valid_table(void **state)
{
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < NROWS(ok_rows); i++)
		fails += ok_run(i, &ok_rows[i]);
	sp_rows_done(fails, "ok_rows", NROWS(ok_rows));
}

struct bad_row {
	const char *label;
	const char *in;
	size_t len;
	unsigned opts;
	enum sp_addr_err want;
};

#define E(x) SP_ADDR_E_##x

static const struct bad_row bad_rows[] = {
	/* nothing there */
	{"empty", IN(""), R, E(EMPTY)},
	{"spaces only", IN("   "), R, E(EMPTY)},
	{"tab only", IN("\t"), 0, E(EMPTY)},
	/* CR, LF, NUL anywhere */
	{"CRLF after the path", IN("<user@example.com>\r\n"), R, E(CRLF_NUL)},
	{"CR in the local part", IN("<us\rer@example.com>"), R, E(CRLF_NUL)},
	{"LF in the local part", IN("<user\n@example.com>"), R, E(CRLF_NUL)},
	{"NUL in the domain", IN("<user@exa\0mple.com>"), R, E(CRLF_NUL)},
	{"NUL first", IN("\0<user@example.com>"), R, E(CRLF_NUL)},
	{"CR in the parameters", IN("<user@example.com> SIZE=1\r"), R, E(CRLF_NUL)},
	{"CR in a quoted string", IN("<\"a\rb\"@example.com>"), R, E(CRLF_NUL)},
	{"CR before '>'", IN("<user@example.com\r>"), 0, E(CRLF_NUL)},
	{"CRLF only", IN("\r\n"), 0, E(CRLF_NUL)},
	{"escaped LF", IN("<\"a\\\n\"@example.com>"), 0, E(CRLF_NUL)},
	{"NUL in the null path", IN("<\0>"), R, E(CRLF_NUL)},
	/* other control characters */
	{"SOH in the local part", IN("<us\x01" "er@example.com>"), R, E(CONTROL)},
	{"DEL in the domain", IN("<user@exa\x7fmple.com>"), R, E(CONTROL)},
	{"US in a quoted string", IN("<\"a\x1f" "b\"@example.com>"), R, E(CONTROL)},
	{"escaped SOH", IN("<\"a\\\x01\"@example.com>"), R, E(CONTROL)},
	{"tab in the local part", IN("<user\t@example.com>"), 0, E(CONTROL)},
	{"tab before '>'", IN("<user@example.com\t>"), 0, E(CONTROL)},
	{"C1 control in the local part", IN("<\xc2\x85@example.com>"), U, E(CONTROL)},
	{"C1 control in the domain", IN("<user@\xc2\x9f.example>"), U, E(CONTROL)},
	{"ESC sequence", IN("<\x1b[31m@example.com>"), 0, E(CONTROL)},
	{"control in a literal", IN("<user@[1.2.3.4\x01]>"), 0, E(CONTROL)},
	{"control in a route", IN("<@a\x02.example:user@example.com>"), 0, E(CONTROL)},
	/* 8-bit without SMTPUTF8 */
	{"UTF-8 local part without SMTPUTF8", IN("<josé@example.com>"), R, E(8BIT)},
	{"UTF-8 domain without SMTPUTF8", IN("<user@bücher.example>"), 0, E(8BIT)},
	{"UTF-8 quoted without SMTPUTF8", IN("<\"jo sé\"@example.com>"), 0, E(8BIT)},
	{"0xff without SMTPUTF8", IN("<\xff@example.com>"), 0, E(8BIT)},
	{"UTF-8 route without SMTPUTF8", IN("<@ré.example:user@example.com>"), 0, E(8BIT)},
	{"8-bit in a literal", IN("<user@[1.2.3.é]>"), 0, E(8BIT)},
	{"bare UTF-8 without SMTPUTF8", IN("josé@example.com"), R, E(8BIT)},
	{"escaped 8-bit without SMTPUTF8", IN("<\"\\é\"@example.com>"), 0, E(8BIT)},
	/* malformed UTF-8 with SMTPUTF8 */
	{"0xff", IN("<\xff@example.com>"), U, E(UTF8)},
	{"truncated sequence", IN("<\xc3@example.com>"), U, E(UTF8)},
	{"overlong '/'", IN("<\xc0\xaf@example.com>"), U, E(UTF8)},
	{"surrogate", IN("<\xed\xa0\x80@example.com>"), U, E(UTF8)},
	{"bad byte in the domain", IN("<user@例.\xff>"), U, E(UTF8)},
	{"truncated in a quoted string", IN("<\"\xc3\"@example.com>"), U, E(UTF8)},
	{"above U+10FFFF", IN("<\xf4\x90\x80\x80@example.com>"), U, E(UTF8)},
	{"lone continuation byte", IN("<a\x80" "b@example.com>"), U, E(UTF8)},
	{"bad UTF-8 in a route", IN("<@\xc3.example:user@example.com>"), U, E(ROUTE)},
	/* strict_rfc821_envelopes */
	{"strict: bare", IN("user@example.com"), R | S, E(NEED_ANGLE)},
	{"strict: bare after a space", IN(" user@example.com"), S, E(NEED_ANGLE)},
	{"strict: bare postmaster", IN("postmaster"), S, E(NEED_ANGLE)},
	{"strict: bare quoted", IN("\"a\"@b.example"), S, E(NEED_ANGLE)},
	/* unbalanced */
	{"no '>'", IN("<user@example.com"), R, E(UNCLOSED_ANGLE)},
	{"'<' alone", IN("<"), R, E(UNCLOSED_ANGLE)},
	{"local part, no '>'", IN("<user"), 0, E(UNCLOSED_ANGLE)},
	{"'@', no '>'", IN("<user@"), 0, E(UNCLOSED_ANGLE)},
	{"quoted, no '>'", IN("<\"a\""), 0, E(UNCLOSED_ANGLE)},
	{"route, no '>'", IN("<@a.example,@b.example:user@example.com"), 0, E(UNCLOSED_ANGLE)},
	{"route only, no '>'", IN("<@a.example"), 0, E(UNCLOSED_ANGLE)},
	{"unterminated quote", IN("<\"abc@example.com>"), 0, E(UNCLOSED_QUOTE)},
	{"escaped closing quote", IN("<\"abc\\\">"), 0, E(UNCLOSED_QUOTE)},
	{"backslash at the end", IN("<\"abc\\"), 0, E(UNCLOSED_QUOTE)},
	{"bare unterminated quote", IN("\"abc@example.com"), R, E(UNCLOSED_QUOTE)},
	{"quote alone", IN("<\""), 0, E(UNCLOSED_QUOTE)},
	{"literal without ']'", IN("<user@[1.2.3.4>"), 0, E(UNCLOSED_LITERAL)},
	{"IPv6 literal without ']'", IN("<user@[IPv6:::1"), 0, E(UNCLOSED_LITERAL)},
	{"bare literal without ']'", IN("user@[1.2.3.4 SIZE=1"), R, E(UNCLOSED_LITERAL)},
	{"'[' alone", IN("<user@[>"), 0, E(UNCLOSED_LITERAL)},
	/* after the path */
	{"letter after '>'", IN("<user@example.com>x"), R, E(TRAILING)},
	{"'>>'", IN("<user@example.com>>"), R, E(TRAILING)},
	{"null path, then junk", IN("<>x"), R, E(TRAILING)},
	{"two null paths", IN("<><>"), R, E(TRAILING)},
	{"two paths with a comma", IN("<user@example.com>,<other@example.com>"), 0, E(TRAILING)},
	{"RFC 822 comment after '>'", IN("<user@example.com>(comment)"), 0, E(TRAILING)},
	{"']' after '>'", IN("<user@[1.2.3.4]>]"), 0, E(TRAILING)},
	/* null path */
	{"null recipient", IN("<>"), 0, E(NULL_PATH)},
	{"null recipient with parameters", IN(" <> NOTIFY=NEVER"), 0, E(NULL_PATH)},
	/* source routes */
	{"route with no domain", IN("<@:user@example.com>"), 0, E(ROUTE)},
	{"route hop without '@'", IN("<@a.example,user@example.com>"), 0, E(ROUTE)},
	{"route ended by ';'", IN("<@a.example;user@example.com>"), 0, E(ROUTE)},
	{"route with empty label", IN("<@a..example:user@example.com>"), 0, E(ROUTE)},
	{"route with leading hyphen", IN("<@-a.example:user@example.com>"), 0, E(ROUTE)},
	{"route to a literal", IN("<@[1.2.3.4]:user@example.com>"), 0, E(ROUTE)},
	{"route comma then colon", IN("<@a.example,:user@example.com>"), 0, E(ROUTE)},
	{"route '@' with nothing", IN("<@a.example,@:user@example.com>"), 0, E(ROUTE)},
	{"route with trailing dot", IN("<@a.example.:user@example.com>"), 0, E(ROUTE)},
	{"numeric route", IN("<@123:user@example.com>"), 0, E(ROUTE)},
	{"space in a route", IN("<@a b:user@example.com>"), 0, E(ROUTE)},
	{"bare route cut by a space", IN("@a.example,@b.example user@example.com"), 0, E(ROUTE)},
	{"route ends at '>'", IN("<@a.example,@b.example>"), 0, E(ROUTE)},
	/* empty local part */
	{"no local part", IN("<@example.com>"), 0, E(LOCAL_EMPTY)},
	{"empty quoted string", IN("<\"\"@example.com>"), 0, E(LOCAL_EMPTY)},
	{"route, then no local part", IN("<@a.example:@example.com>"), 0, E(LOCAL_EMPTY)},
	{"route, then nothing", IN("<@a.example:>"), 0, E(LOCAL_EMPTY)},
	{"bare '@domain'", IN("@example.com"), R, E(LOCAL_EMPTY)},
	{"no local part, then parameters", IN("<@example.com> SIZE=1"), R, E(LOCAL_EMPTY)},
	/* characters in the local part */
	{"space in the local part", IN("<user name@example.com>"), 0, E(LOCAL_CHAR)},
	{"'('", IN("<us(er@example.com>"), 0, E(LOCAL_CHAR)},
	{"')'", IN("<user)@example.com>"), 0, E(LOCAL_CHAR)},
	{"','", IN("<us,er@example.com>"), 0, E(LOCAL_CHAR)},
	{"';'", IN("<us;er@example.com>"), 0, E(LOCAL_CHAR)},
	{"':'", IN("<us:er@example.com>"), 0, E(LOCAL_CHAR)},
	{"'['", IN("<us[er@example.com>"), 0, E(LOCAL_CHAR)},
	{"unquoted backslash", IN("<us\\er@example.com>"), 0, E(LOCAL_CHAR)},
	{"quoted string, then atom", IN("<\"a\"b@example.com>"), 0, E(LOCAL_CHAR)},
	{"quoted string, then dot atom (RFC 822)", IN("<\"a\".b@example.com>"), 0, E(LOCAL_CHAR)},
	{"atom, then quoted string (RFC 822)", IN("<a.\"b\"@example.com>"), 0, E(LOCAL_CHAR)},
	{"two quoted strings", IN("<\"a\"\"b\"@example.com>"), 0, E(LOCAL_CHAR)},
	{"nested '<'", IN("<<user@example.com>>"), 0, E(LOCAL_CHAR)},
	{"'<' in the local part", IN("<user<@example.com>"), 0, E(LOCAL_CHAR)},
	{"space after '<'", IN("< user@example.com>"), 0, E(LOCAL_CHAR)},
	{"'<' then space", IN("< "), 0, E(LOCAL_CHAR)},
	{"bare '>'", IN(">"), R, E(LOCAL_CHAR)},
	{"RFC 822 phrase in brackets", IN("<Joe <joe@example.com>>"), 0, E(LOCAL_CHAR)},
	/* strict syntax */
	{"strict: double dot", IN("<a..b@example.com>"), X, E(LOCAL_DOTS)},
	{"strict: leading dot", IN("<.a@example.com>"), X, E(LOCAL_DOTS)},
	{"strict: trailing dot", IN("<a.@example.com>"), R | X, E(LOCAL_DOTS)},
	{"strict: dot alone", IN("<.@example.com>"), X, E(LOCAL_DOTS)},
	{"strict: trailing dot in the domain", IN("<user@example.com.>"), X, E(LABEL_EMPTY)},
	/* escapes */
	{"escaped UTF-8", IN("<\"\\é\"@example.com>"), U, E(ESCAPE)},
	{"escaped 0xff", IN("<\"\\\xff\"@example.com>"), U, E(ESCAPE)},
	/* allow_min_user = no */
	{"leading '-'", IN("<-user@example.com>"), 0, E(MIN_USER)},
	{"quoted leading '-'", IN("<\"-user\"@example.com>"), 0, E(MIN_USER)},
	{"escaped leading '-'", IN("<\"\\-user\"@example.com>"), 0, E(MIN_USER)},
	{"'-' alone", IN("<-@example.com>"), 0, E(MIN_USER)},
	{"sender with leading '-'", IN("<-user@example.com>"), R, E(MIN_USER)},
	{"leading '-' after a route", IN("<@a.example:-user@example.com>"), 0, E(MIN_USER)},
	{"bare leading '-'", IN("-oQ/tmp@example.com"), R, E(MIN_USER)},
	/* no domain */
	{"recipient without a domain", IN("<user>"), 0, E(NO_DOMAIN)},
	{"postmaster as a sender", IN("<postmaster>"), R, E(NO_DOMAIN)},
	{"quoted postmaster", IN("<\"postmaster\">"), 0, E(NO_DOMAIN)},
	{"postmaster after a route", IN("<@a.example:postmaster>"), 0, E(NO_DOMAIN)},
	{"postmasters", IN("<postmasters>"), 0, E(NO_DOMAIN)},
	{"post.master", IN("<post.master>"), 0, E(NO_DOMAIN)},
	{"bare user", IN("user"), 0, E(NO_DOMAIN)},
	{"bare RFC 822 phrase", IN("Joe <joe@example.com>"), 0, E(NO_DOMAIN)},
	{"bare sender without a domain", IN("user SIZE=1"), R, E(NO_DOMAIN)},
	/* empty domain */
	{"'@' then '>'", IN("<user@>"), 0, E(DOMAIN_EMPTY)},
	{"bare '@' at the end", IN("user@"), R, E(DOMAIN_EMPTY)},
	{"bare '@' then parameters", IN("user@ SIZE=1"), R, E(DOMAIN_EMPTY)},
	{"postmaster@", IN("<postmaster@>"), 0, E(DOMAIN_EMPTY)},
	/* characters in the domain */
	{"space in the domain", IN("<user@exa mple.com>"), 0, E(DOMAIN_CHAR)},
	{"second '@'", IN("<user@example.com@other.example>"), 0, E(DOMAIN_CHAR)},
	{"'(' in the domain", IN("<user@exa(mple.com>"), 0, E(DOMAIN_CHAR)},
	{"',' in the domain", IN("<user@example,com>"), 0, E(DOMAIN_CHAR)},
	{"'%' in the domain", IN("<user@exa%mple.com>"), 0, E(DOMAIN_CHAR)},
	{"bare path ending in '>'", IN("user@example.com>"), R, E(DOMAIN_CHAR)},
	{"port number", IN("<user@example.com:25>"), 0, E(DOMAIN_CHAR)},
	{"wildcard", IN("<user@*.example.com>"), 0, E(DOMAIN_CHAR)},
	{"backslash in the domain", IN("<user@exam\\ple.com>"), 0, E(DOMAIN_CHAR)},
	{"quote in the domain", IN("<user@\"example\".com>"), 0, E(DOMAIN_CHAR)},
	/* labels */
	{"leading dot", IN("<user@.example.com>"), 0, E(LABEL_EMPTY)},
	{"double dot", IN("<user@example..com>"), 0, E(LABEL_EMPTY)},
	{"two trailing dots", IN("<user@example.com..>"), 0, E(LABEL_EMPTY)},
	{"dot alone", IN("<user@.>"), 0, E(LABEL_EMPTY)},
	{"leading hyphen", IN("<user@-example.com>"), 0, E(LABEL_HYPHEN)},
	{"trailing hyphen", IN("<user@example-.com>"), 0, E(LABEL_HYPHEN)},
	{"hyphen after a dot", IN("<user@example.-com>"), 0, E(LABEL_HYPHEN)},
	{"hyphen at the end", IN("<user@example.com->"), 0, E(LABEL_HYPHEN)},
	{"hyphen alone", IN("<user@->"), 0, E(LABEL_HYPHEN)},
	{"UTF-8 label with a trailing hyphen", IN("<user@bücher-.example>"), U, E(LABEL_HYPHEN)},
	/* numeric domains */
	{"dotted quad without brackets", IN("<user@1.2.3.4>"), 0, E(DOMAIN_NUMERIC)},
	{"number", IN("<user@123>"), 0, E(DOMAIN_NUMERIC)},
	{"zero", IN("<user@0>"), R, E(DOMAIN_NUMERIC)},
	{"dotted quad with trailing dot", IN("<user@1.2.3.4.>"), 0, E(DOMAIN_NUMERIC)},
	/* IPv4 literals */
	{"three parts", IN("<user@[1.2.3]>"), 0, E(IPV4)},
	{"five parts", IN("<user@[1.2.3.4.5]>"), 0, E(IPV4)},
	{"256", IN("<user@[256.1.1.1]>"), 0, E(IPV4)},
	{"leading zero", IN("<user@[01.2.3.4]>"), 0, E(IPV4)},
	{"trailing dot", IN("<user@[1.2.3.4.]>"), 0, E(IPV4)},
	{"letters", IN("<user@[a.b.c.d]>"), 0, E(IPV4)},
	{"with a prefix length", IN("<user@[1.2.3.4/24]>"), 0, E(IPV4)},
	{"hexadecimal", IN("<user@[0x1.2.3.4]>"), 0, E(IPV4)},
	{"too long", IN("<user@[1111111111111111]>"), 0, E(IPV4)},
	{"host name in brackets", IN("<user@[example.com]>"), 0, E(IPV4)},
	/* IPv6 literals */
	{"empty IPv6", IN("<user@[IPv6:]>"), 0, E(IPV6)},
	{"IPv4 under the IPv6 tag", IN("<user@[IPv6:1.2.3.4]>"), 0, E(IPV6)},
	{"bad hex digit", IN("<user@[IPv6:gggg::1]>"), 0, E(IPV6)},
	{"nine groups", IN("<user@[IPv6:1:2:3:4:5:6:7:8:9]>"), 0, E(IPV6)},
	{"zone index", IN("<user@[IPv6:fe80::1%eth0]>"), 0, E(IPV6)},
	{"two '::'", IN("<user@[IPv6:1::2::3]>"), 0, E(IPV6)},
	{"five hex digits", IN("<user@[IPv6:12345::1]>"), 0, E(IPV6)},
	{"three colons", IN("<user@[IPv6::::1]>"), 0, E(IPV6)},
	{"over 45 characters",
	 IN("<user@[IPv6:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000]>"), 0, E(IPV6)},
	/* other literals */
	{"empty literal", IN("<user@[]>"), 0, E(LITERAL)},
	{"IPv6 without its tag", IN("<user@[::1]>"), 0, E(LITERAL)},
	{"tag ending in '-'", IN("<user@[tag-:x]>"), 0, E(LITERAL)},
	{"tag without content", IN("<user@[tag:]>"), 0, E(LITERAL)},
	{"'_' in the tag", IN("<user@[ta_g:x]>"), 0, E(LITERAL)},
	{"letter after the literal", IN("<user@[1.2.3.4]x>"), 0, E(LITERAL)},
	{"two literals", IN("<user@[1.2.3.4][5]>"), 0, E(LITERAL)},
	{"backslash in a literal", IN("<user@[a\\b:c]>"), 0, E(LITERAL)},
	{"'[' in a literal", IN("<user@[a[b]>"), 0, E(LITERAL)},
	{"space in a literal", IN("<user@[tag:a b]>"), 0, E(LITERAL)},
	{"UTF-8 in a literal", IN("<user@[1.2.3.é]>"), U, E(LITERAL)},
	{"bare literal ending in '>'", IN("user@[1.2.3.4]>"), R, E(LITERAL)},
};

static void test_address_invalid_table(void **state)
{
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < NROWS(bad_rows); i++) {
		const struct bad_row *r = &bad_rows[i];
		struct sp_addr a;
		size_t end = 12345;
		enum sp_addr_err e;

		memset(&a, 0x55, sizeof(a));
		e = sp_addr_parse(r->in, r->len, r->opts, &a, &end);
		ROW_CHECK(&fails, "bad_rows", i, r->label, e == r->want, "error %d (%s), want %d (%s)",
			  e, sp_addr_strerror(e), r->want, sp_addr_strerror(r->want));
		ROW_CHECK(&fails, "bad_rows", i, r->label, end <= r->len, "end %zu past %zu", end,
			  r->len);
		ROW_CHECK(&fails, "bad_rows", i, r->label,
			  a.flags == 0 && a.local_len == 0 && a.local[0] == 0 && a.domain[0] == 0,
			  "struct not cleared");
	}
	sp_rows_done(fails, "bad_rows", NROWS(bad_rows));
}

/* ---- lengths, at the limit and one past ---- */

/* Writes a domain name of exactly n bytes with labels of at most lab bytes
 * ('b'..., never ending in a dot) to out. */
static void make_domain(char *out, size_t n, size_t lab)
{
	size_t k = 0;

	while (k < n) {
		size_t take = n - k < lab ? n - k : lab;

		if (n - k - take == 1)
			take--;
		memset(out + k, 'b', take);
		k += take;
		if (k < n)
			out[k++] = '.';
	}
	out[k] = 0;
}

struct len_row {
	const char *label;
	const char *pre;     /* before the local part: "<", "<@route:"... */
	size_t local;        /* 'a' * local ... */
	const char *lpre;    /* ... between these (for quoted and UTF-8 forms) */
	const char *lfill;   /* the unit repeated (default "a") */
	const char *lpost;
	size_t domain;       /* 0: no domain */
	size_t lab;          /* label size (default 63) */
	const char *post;    /* after the domain: ">" */
	unsigned opts;
	enum sp_addr_err want;
};

static const struct len_row len_rows[] = {
	{"local part of 64", "<", 64, "", "a", "", 11, 63, ">", 0, SP_ADDR_OK},
	{"local part of 65", "<", 65, "", "a", "", 11, 63, ">", 0, E(LOCAL_TOO_LONG)},
	{"quoted local part of 64 as written", "<", 62, "\"", "a", "\"", 11, 63, ">", 0, SP_ADDR_OK},
	{"quoted local part of 65 as written", "<", 63, "\"", "a", "\"", 11, 63, ">", 0,
	 E(LOCAL_TOO_LONG)},
	{"escapes count", "<", 31, "\"", "\\a", "b\"", 11, 63, ">", 0, E(LOCAL_TOO_LONG)},
	{"UTF-8 local part of 64 octets", "<", 32, "", "é", "", 11, 63, ">", U, SP_ADDR_OK},
	{"UTF-8 local part of 66 octets", "<", 33, "", "é", "", 11, 63, ">", U, E(LOCAL_TOO_LONG)},
	{"label of 63", "<", 1, "", "a", "", 63, 63, ">", 0, SP_ADDR_OK},
	{"label of 64", "<", 1, "", "a", "", 64, 64, ">", 0, E(LABEL_TOO_LONG)},
	{"domain of 252 in a path of 256", "<", 1, "", "a", "", 252, 63, ">", R, SP_ADDR_OK},
	{"domain of 253 in a path of 257", "<", 1, "", "a", "", 253, 63, ">", R, E(PATH_TOO_LONG)},
	{"domain of 255 (path 259)", "<", 1, "", "a", "", 255, 63, ">", 0, E(PATH_TOO_LONG)},
	{"domain of 256", "<", 1, "", "a", "", 256, 63, ">", 0, E(DOMAIN_TOO_LONG)},
	{"domain of 255 plus a trailing dot", "<", 1, "", "a", "", 255, 63, ".>", 0,
	 E(PATH_TOO_LONG)},
	{"path of 256 with a local part of 64", "<", 64, "", "a", "", 189, 63, ">", 0, SP_ADDR_OK},
	{"path of 257 with a local part of 64", "<", 64, "", "a", "", 190, 63, ">", 0,
	 E(PATH_TOO_LONG)},
	{"bare path of 256 (counted with brackets)", "", 64, "", "a", "", 189, 63, "", R,
	 SP_ADDR_OK},
	{"bare path of 257", "", 64, "", "a", "", 190, 63, "", R, E(PATH_TOO_LONG)},
	{"path of 256 with parameters", "<", 64, "", "a", "", 189, 63, "> SIZE=1", 0, SP_ADDR_OK},
	{"route makes the path too long", "<@relay.example,@relay.example,@relay.example:", 64, "",
	 "a", "", 150, 63, ">", 0, E(PATH_TOO_LONG)},
	{"route within the path", "<@r.example:", 64, "", "a", "", 178, 63, ">", 0, SP_ADDR_OK},
	{"UTF-8 label of 63 octets", "<a@", 0, "", "a", "€€€€€€€€€€€€€€€€€€€€€.example", 0, 63, ">", U,
	 SP_ADDR_OK},
	{"UTF-8 label of 66 octets", "<a@", 0, "", "a", "€€€€€€€€€€€€€€€€€€€€€€.example", 0, 63, ">", U,
	 E(LABEL_TOO_LONG)},
	{"long garbage", "<", 5000, "", "a", "", 11, 63, ">", 0, E(LOCAL_TOO_LONG)},
};

/* Builds the input of a length row into a malloc'ed buffer. */
static char *len_input(const struct len_row *r, size_t *n)
{
	size_t cap = 16384, k;
	char *p = malloc(cap);

	if (p == NULL)
		abort();
	k = (size_t)snprintf(p, cap, "%s%s", r->pre, r->lpre);
	for (size_t i = 0; i < r->local; i++)
		k += (size_t)snprintf(p + k, cap - k, "%s", r->lfill);
	k += (size_t)snprintf(p + k, cap - k, "%s", r->lpost);
	if (r->domain > 0) {
		p[k++] = '@';
		make_domain(p + k, r->domain, r->lab);
		k += r->domain;
	}
	k += (size_t)snprintf(p + k, cap - k, "%s", r->post);
	*n = k;
	return p;
}

static void test_address_lengths(void **state)
{
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < NROWS(len_rows); i++) {
		const struct len_row *r = &len_rows[i];
		struct sp_addr a;
		size_t n, end;
		char *in = len_input(r, &n);
		enum sp_addr_err e = sp_addr_parse(in, n, r->opts, &a, &end);

		ROW_CHECK(&fails, "len_rows", i, r->label, e == r->want, "error %d (%s), want %d (%s)",
			  e, sp_addr_strerror(e), r->want, sp_addr_strerror(r->want));
		free(in);
	}
	sp_rows_done(fails, "len_rows", NROWS(len_rows));
}

/* ---- round trips ---- */

struct trip_row {
	const char *label;
	const char *local;      /* internal */
	const char *domain;
	unsigned opts;
	const char *ext;        /* NULL: sp_addr_external refuses */
};

static const struct trip_row trip_rows[] = {
	{"plain", "user", "example.com", 0, "user@example.com"},
	{"dots", "first.last", "example.com", 0, "first.last@example.com"},
	{"space", "john doe", "example.com", 0, "\"john doe\"@example.com"},
	{"quote", "a\"b", "example.com", 0, "\"a\\\"b\"@example.com"},
	{"backslash", "a\\b", "example.com", 0, "\"a\\\\b\"@example.com"},
	{"double dot", "a..b", "example.com", 0, "\"a..b\"@example.com"},
	{"leading dot", ".a", "example.com", 0, "\".a\"@example.com"},
	{"trailing dot", "a.", "example.com", 0, "\"a.\"@example.com"},
	{"at sign", "a@b", "example.com", 0, "\"a@b\"@example.com"},
	{"angle brackets", "<x>", "example.com", 0, "\"<x>\"@example.com"},
	{"specials", "(),:;[]", "example.com", 0, "\"(),:;[]\"@example.com"},
	{"atext specials", "!#$%&'*+-/=?^_`{|}~", "example.com", 0,
	 "!#$%&'*+-/=?^_`{|}~@example.com"},
	{"quotes only", "\"\"", "example.com", 0, "\"\\\"\\\"\"@example.com"},
	{"UTF-8", "josé", "bücher.example", U, "josé@bücher.example"},
	{"UTF-8 with a space", "jo sé", "example.com", U, "\"jo sé\"@example.com"},
	{"IPv4 literal", "user", "[192.0.2.1]", 0, "user@[192.0.2.1]"},
	{"IPv6 literal", "user", "[IPv6:2001:db8::1]", 0, "user@[IPv6:2001:db8::1]"},
	{"Postmaster", "Postmaster", "", 0, "Postmaster"},
	{"leading '-'", "-x", "example.com", M, "-x@example.com"},
	{"empty local part", "", "example.com", 0, NULL},
	{"CR in the local part", "a\rb", "example.com", 0, NULL},
	{"LF in the domain", "a", "exa\nmple.com", 0, NULL},
	{"control character", "a\x01" "b", "example.com", 0, NULL},
	{"DEL", "a\x7f", "example.com", 0, NULL},
	{"malformed UTF-8", "a\xff", "example.com", 0, NULL},
	{"C1 control", "a\xc2\x85", "example.com", 0, NULL},
};

static void test_address_round_trips(void **state)
{
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < NROWS(trip_rows); i++) {
		const struct trip_row *r = &trip_rows[i];
		struct sp_buf out, path;
		struct sp_addr a;
		size_t end;
		int rc;

		sp_buf_init(&out, SP_ADDR_EXTERNAL_MAX);
		sp_buf_init(&path, SP_ADDR_EXTERNAL_MAX + 2);
		sp_buf_adds(&out, "keep:");
		rc = sp_addr_external(r->local, strlen(r->local), r->domain, strlen(r->domain), &out);
		if (r->ext == NULL) {
			ROW_CHECK(&fails, "trip_rows", i, r->label,
				  rc == -1 && sp_streq(sp_buf_str(&out), "keep:"),
				  "rc %d, out \"%s\": want -1 and out unchanged", rc,
				  sp_shows(sp_buf_str(&out)));
			goto next;
		}
		ROW_CHECK(&fails, "trip_rows", i, r->label,
			  rc == 0 && strcmp(sp_buf_str(&out) + 5, r->ext) == 0,
			  "rc %d, external \"%s\", want \"%s\"", rc, sp_shows(sp_buf_str(&out) + 5),
			  r->ext);
		sp_buf_addc(&path, '<');
		sp_buf_adds(&path, sp_buf_str(&out) + 5);
		sp_buf_addc(&path, '>');
		rc = (int)sp_addr_parse(path.data, path.len, r->opts, &a, &end);
		ROW_CHECK(&fails, "trip_rows", i, r->label,
			  rc == 0 && sp_streq(a.local, r->local) && sp_streq(a.domain, r->domain),
			  "parse back: error %d, local \"%s\", domain \"%s\"", rc, sp_shows(a.local),
			  sp_shows(a.domain));
next:
		sp_buf_free(&out);
		sp_buf_free(&path);
	}
	sp_rows_done(fails, "trip_rows", NROWS(trip_rows));
}

/* Every valid row: parse -> format -> parse gives the same internal form. */
static void test_address_round_trip_valid_rows(void **state)
{
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < NROWS(ok_rows); i++) {
		const struct ok_row *r = &ok_rows[i];
		struct sp_addr a, b;
		struct sp_buf out;
		size_t end;
		enum sp_addr_err e;

		if (sp_addr_parse(r->in, r->len, r->opts, &a, &end) != SP_ADDR_OK ||
		    (a.flags & SP_ADDR_F_NULL))
			continue;
		sp_buf_init(&out, SP_ADDR_EXTERNAL_MAX + 2);
		sp_buf_addc(&out, '<');
		sp_addr_format(&a, &out);
		sp_buf_addc(&out, '>');
		e = sp_addr_parse(out.data, out.len, r->opts, &b, &end);
		ROW_CHECK(&fails, "ok_rows", i, r->label,
			  e == SP_ADDR_OK && sp_streq(a.local, b.local) &&
			  sp_streq(a.domain, b.domain) && a.dkind == b.dkind,
			  "\"%s\" parses back as error %d, \"%s\" at \"%s\"", sp_buf_str(&out), e,
			  sp_shows(b.local), sp_shows(b.domain));
		sp_buf_free(&out);
	}
	sp_rows_done(fails, "ok_rows round trip", NROWS(ok_rows));
}

/* ---- details ---- */

static void test_address_ip_bytes(void **state)
{
	static const unsigned char v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	struct sp_addr a;
	size_t end;

	(void)state;
	assert_int_equal(sp_addr_parse(BYTES("<u@[192.0.2.1]>"), 0, &a, &end), SP_ADDR_OK);
	assert_memory_equal(a.ip, "\xc0\x00\x02\x01", 4);
	assert_int_equal(sp_addr_parse(BYTES("<u@[IPv6:2001:db8::1]>"), 0, &a, &end), SP_ADDR_OK);
	assert_memory_equal(a.ip, v6, 16);
	assert_int_equal(sp_addr_parse(BYTES("<u@example.com>"), 0, &a, &end), SP_ADDR_OK);
	assert_memory_equal(a.ip, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);
}

static void test_address_messages(void **state)
{
	(void)state;
	for (int i = 0; i < SP_ADDR_E_COUNT; i++) {
		const char *m = sp_addr_strerror((enum sp_addr_err)i);
		assert_non_null(m);
		assert_string_not_equal(m, "unknown error");
		for (int j = 0; j < i; j++)
			assert_string_not_equal(m, sp_addr_strerror((enum sp_addr_err)j));
	}
	assert_string_equal(sp_addr_strerror(SP_ADDR_E_COUNT), "unknown error");
	assert_string_equal(sp_addr_strerror((enum sp_addr_err)-1), "unknown error");
}

/* The external form respects the buffer's maximum and leaves it unchanged. */
static void test_address_external_limit(void **state)
{
	struct sp_buf out;

	(void)state;
	sp_buf_init(&out, 12);
	assert_int_equal(sp_addr_external(BYTES("user"), BYTES("example.com"), &out), -1);
	assert_int_equal(out.len, 0);
	assert_int_equal(sp_addr_external(BYTES("a b"), BYTES("ex.com"), &out), 0);
	assert_string_equal(sp_buf_str(&out), "\"a b\"@ex.com");
	sp_buf_free(&out);
}

/* The largest external form fits SP_ADDR_EXTERNAL_MAX. */
static void test_address_external_max(void **state)
{
	char local[SP_ADDR_LOCAL_MAX], domain[SP_ADDR_DOMAIN_MAX + 1];
	struct sp_buf out;

	(void)state;
	memset(local, '"', sizeof(local));
	make_domain(domain, SP_ADDR_DOMAIN_MAX, 63);
	sp_buf_init(&out, SP_ADDR_EXTERNAL_MAX);
	assert_int_equal(sp_addr_external(local, sizeof(local), domain, SP_ADDR_DOMAIN_MAX, &out), 0);
	assert_int_equal(out.len, SP_ADDR_EXTERNAL_MAX);
	sp_buf_free(&out);
}

/* The parser reads only len bytes: a path cut short is not completed by
 * what lies beyond. */
static void test_address_explicit_length(void **state)
{
	struct sp_addr a;
	size_t end;

	(void)state;
	assert_int_equal(sp_addr_parse("<user@example.com>", 17, 0, &a, &end),
			 SP_ADDR_E_UNCLOSED_ANGLE);
	assert_int_equal(sp_addr_parse("user@example.com>", 16, 0, &a, &end), SP_ADDR_OK);
	assert_string_equal(a.domain, "example.com");
	assert_int_equal(sp_addr_parse(NULL, 0, 0, &a, &end), SP_ADDR_E_EMPTY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_address_valid_table),
		cmocka_unit_test(test_address_invalid_table),
		cmocka_unit_test(test_address_lengths),
		cmocka_unit_test(test_address_round_trips),
		cmocka_unit_test(test_address_round_trip_valid_rows),
		cmocka_unit_test(test_address_ip_bytes),
		cmocka_unit_test(test_address_messages),
		cmocka_unit_test(test_address_external_limit),
		cmocka_unit_test(test_address_external_max),
		cmocka_unit_test(test_address_explicit_length),
	};

	return cmocka_run_group_tests_name("address", tests, NULL, NULL);
}
