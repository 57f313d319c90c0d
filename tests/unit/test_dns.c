/*
 * test_dns.c - the DNS module (src/net/dns.c) without a DNS server: a table
 * of hand-built raw replies for sp_dns_classify (well-formed answers, null
 * MX forms, reply codes, aliases, and a larger set of malformed replies:
 * short headers, bad counts, truncated records, compression loops and
 * pointers out of range, wrong types and classes, invalid names), names
 * too long for the wire, Postfix's host name syntax (sp_dns_name_ok), and
 * the asynchronous side against a silent socket of our own on 127.0.0.1
 * (invalid names answered without a query, timeouts, cancelling, limits).
 * Expected statuses follow Postfix 3.7's dns_lookup.c (dns_get_answer,
 * dns_get_rr) as src/net/dns.h describes; the live behaviour against a
 * real server is tests/dns/.
 */
#include "unit.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/dns.h"

/* A raw reply as a byte array and its length. */
#define RAW(...) (const unsigned char[]){__VA_ARGS__}, sizeof((const unsigned char[]){__VA_ARGS__})

/* Header: id, flags, QD, AN, NS, AR counts. */
#define HDR(f1, f2, qd, an, ar) 0x12, 0x34, f1, f2, 0, qd, 0, an, 0, 0, 0, ar
#define OKHDR(an) HDR(0x84, 0x80, 1, an, 0)   /* QR AA, RA, NOERROR */
#define QNAME 2, 'e', 'x', 4, 't', 'e', 's', 't', 0  /* ex.test at offset 12 */
#define Q(t) QNAME, 0, t, 0, 1
#define PTR 0xc0, 0x0c                        /* -> ex.test */
#define RR(t, len) PTR, 0, t, 0, 1, 0, 0, 0, 60, 0, len
#define T_A 1
#define T_CNAME 5
#define T_MX 15
#define T_AAAA 28
#define ADDR4 192, 0, 2, 1
#define ADDR6 0x20, 1, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1
#define MAIL 4, 'm', 'a', 'i', 'l', PTR       /* mail.ex.test, 7 bytes */

struct reply_row {
	const char *label;
	int qtype;
	const unsigned char *buf;
	size_t len;
	enum sp_dns_status want;
	const char *cname;   /* expected alias, NULL: none */
	const char *orig;    /* name first asked; NULL: ex.test */
};

static const struct reply_row reply_rows[] = {
	/* well-formed answers */
	{"A", T_A, RAW(OKHDR(1), Q(T_A), RR(T_A, 4), ADDR4), SP_DNS_OK},
	{"AAAA", T_AAAA, RAW(OKHDR(1), Q(T_AAAA), RR(T_AAAA, 16), ADDR6), SP_DNS_OK},
	{"MX", T_MX, RAW(OKHDR(1), Q(T_MX), RR(T_MX, 9), 0, 10, MAIL), SP_DNS_OK},
	{"MX uncompressed target", T_MX,
	 RAW(OKHDR(1), Q(T_MX), RR(T_MX, 11), 0, 10, 2, 'm', 'x', 4, 't', 'e', 's', 't', 0),
	 SP_DNS_OK},
	{"MX numeric target", T_MX,
	 RAW(OKHDR(1), Q(T_MX), RR(T_MX, 13), 0, 5, 3, '1', '9', '2', 1, '0', 1, '2', 1, '1', 0),
	 SP_DNS_OK},
	{"MX good and invalid", T_MX,
	 RAW(OKHDR(2), Q(T_MX), RR(T_MX, 9), 0, 10, MAIL, RR(T_MX, 7), 0, 20, 2, 'a', '!', PTR),
	 SP_DNS_OK},
	{"MX invalid and good", T_MX,
	 RAW(OKHDR(2), Q(T_MX), RR(T_MX, 7), 0, 20, 2, 'a', '!', PTR, RR(T_MX, 9), 0, 10, MAIL),
	 SP_DNS_OK},
	{"two A", T_A, RAW(OKHDR(2), Q(T_A), RR(T_A, 4), ADDR4, RR(T_A, 4), 192, 0, 2, 2), SP_DNS_OK},
	{"A after bad-length A", T_A,
	 RAW(OKHDR(2), Q(T_A), RR(T_A, 5), ADDR4, 0, RR(T_A, 4), ADDR4), SP_DNS_OK},
	{"A beside a CNAME", T_A,
	 RAW(OKHDR(2), Q(T_A), RR(T_CNAME, 2), PTR, RR(T_A, 4), ADDR4), SP_DNS_OK},
	{"no question section", T_A,
	 RAW(HDR(0x84, 0x80, 0, 1, 0), QNAME, 0, T_A, 0, 1, 0, 0, 0, 60, 0, 4, ADDR4), SP_DNS_OK},
	{"numeric owner", T_A,
	 RAW(OKHDR(1), Q(T_A), 1, '1', 1, '2', 1, '3', 1, '4', 0, 0, T_A, 0, 1, 0, 0, 0, 1, 0, 4,
	     ADDR4), SP_DNS_OK},
	{"question of another type", T_A,
	 RAW(OKHDR(1), Q(T_AAAA), RR(T_A, 4), ADDR4), SP_DNS_OK},
	{"root owner for a root query", T_A,
	 RAW(OKHDR(1), 0, 0, T_A, 0, 1, 0, 0, T_A, 0, 1, 0, 0, 0, 1, 0, 4, ADDR4), SP_DNS_OK, NULL,
	 "."},

	/* null MX: any MX record with the root as target (RFC 7505 wants one,
	 * preference 0; Postfix takes any) */
	{"null MX", T_MX, RAW(OKHDR(1), Q(T_MX), RR(T_MX, 3), 0, 0, 0), SP_DNS_NULLMX},
	{"null MX preference 10", T_MX, RAW(OKHDR(1), Q(T_MX), RR(T_MX, 3), 0, 10, 0),
	 SP_DNS_NULLMX},
	{"null MX, then a real MX", T_MX,
	 RAW(OKHDR(2), Q(T_MX), RR(T_MX, 3), 0, 0, 0, RR(T_MX, 9), 0, 10, MAIL), SP_DNS_NULLMX},
	{"real MX, then null MX", T_MX,
	 RAW(OKHDR(2), Q(T_MX), RR(T_MX, 9), 0, 10, MAIL, RR(T_MX, 3), 0, 0, 0), SP_DNS_NULLMX},
	{"null MX by a pointer to the root", T_MX,
	 RAW(OKHDR(1), Q(T_MX), RR(T_MX, 4), 0, 0, 0xc0, 20), SP_DNS_NULLMX},
	{"label of one NUL byte is not the root", T_MX,
	 RAW(OKHDR(1), Q(T_MX), RR(T_MX, 9), 0, 0, 1, 0, 3, 'c', 'o', 'm', 0), SP_DNS_INVAL},
	{"null MX asked as A", T_A, RAW(OKHDR(1), Q(T_A), RR(T_MX, 3), 0, 0, 0), SP_DNS_NOTFOUND},

	/* reply codes */
	{"NXDOMAIN", T_MX, RAW(HDR(0x84, 0x83, 1, 0, 0), Q(T_MX)), SP_DNS_NOTFOUND},
	{"NXDOMAIN with an answer", T_A, RAW(HDR(0x84, 0x83, 1, 1, 0), Q(T_A), RR(T_A, 4), ADDR4),
	 SP_DNS_NOTFOUND},
	{"NODATA", T_MX, RAW(HDR(0x84, 0x80, 1, 0, 0), Q(T_MX)), SP_DNS_NOTFOUND},
	{"NODATA from a recursive server", T_MX, RAW(HDR(0x80, 0x80, 1, 0, 0), Q(T_MX)),
	 SP_DNS_NOTFOUND},
	{"referral (no AA, no RA)", T_MX, RAW(HDR(0x80, 0x00, 1, 0, 0), Q(T_MX)), SP_DNS_RETRY},
	{"no AA, no RA, additional records", T_MX, RAW(HDR(0x80, 0x00, 1, 0, 1), Q(T_MX)),
	 SP_DNS_NOTFOUND},
	{"SERVFAIL", T_A, RAW(HDR(0x84, 0x82, 1, 0, 0), Q(T_A)), SP_DNS_RETRY},
	{"SERVFAIL with an answer", T_A, RAW(HDR(0x84, 0x82, 1, 1, 0), Q(T_A), RR(T_A, 4), ADDR4),
	 SP_DNS_RETRY},
	{"REFUSED", T_A, RAW(HDR(0x84, 0x85, 1, 0, 0), Q(T_A)), SP_DNS_RETRY},
	{"NOTIMP", T_A, RAW(HDR(0x84, 0x84, 1, 0, 0), Q(T_A)), SP_DNS_RETRY},
	{"FORMERR", T_A, RAW(HDR(0x84, 0x81, 1, 0, 0), Q(T_A)), SP_DNS_FAIL},
	{"rcode 9", T_A, RAW(HDR(0x84, 0x89, 1, 0, 0), Q(T_A)), SP_DNS_FAIL},
	{"rcode 15", T_A, RAW(HDR(0x84, 0x8f, 1, 1, 0), Q(T_A), RR(T_A, 4), ADDR4), SP_DNS_FAIL},

	/* aliases */
	{"CNAME only", T_A,
	 RAW(OKHDR(1), Q(T_A), RR(T_CNAME, 8), 5, 'a', 'l', 'i', 'a', 's', 0xc0, 15),
	 SP_DNS_NOTFOUND, "alias.test"},
	{"two CNAMEs: the last wins", T_MX,
	 RAW(OKHDR(2), Q(T_MX), RR(T_CNAME, 4), 1, 'b', PTR, RR(T_CNAME, 4), 1, 'c', PTR),
	 SP_DNS_NOTFOUND, "c.ex.test"},
	{"CNAME and another type", T_MX,
	 RAW(OKHDR(2), Q(T_MX), RR(T_CNAME, 4), 1, 'b', PTR, RR(T_A, 4), ADDR4), SP_DNS_NOTFOUND,
	 "b.ex.test"},
	{"CNAME to an invalid name", T_A,
	 RAW(OKHDR(1), Q(T_A), RR(T_CNAME, 4), 1, '!', PTR), SP_DNS_INVAL},
	{"CNAME to the root", T_A, RAW(OKHDR(1), Q(T_A), RR(T_CNAME, 1), 0), SP_DNS_INVAL},
	{"CNAME data out of range", T_A,
	 RAW(OKHDR(1), Q(T_A), RR(T_CNAME, 2), 0xc0, 0x7f), SP_DNS_RETRY},

	/* well-formed replies with invalid names */
	{"MX target invalid", T_MX, RAW(OKHDR(1), Q(T_MX), RR(T_MX, 7), 0, 10, 2, 'a', '!', PTR),
	 SP_DNS_INVAL},
	{"MX target with an escaped dot", T_MX,
	 RAW(OKHDR(1), Q(T_MX), RR(T_MX, 8), 0, 10, 3, 'a', '.', 'b', PTR), SP_DNS_INVAL},
	{"MX target all-numeric", T_MX,
	 RAW(OKHDR(1), Q(T_MX), RR(T_MX, 8), 0, 10, 2, '1', '2', 1, '3', 0), SP_DNS_INVAL},
	{"MX target with a hyphen at a label's end", T_MX,
	 RAW(OKHDR(1), Q(T_MX), RR(T_MX, 7), 0, 10, 2, 'a', '-', PTR), SP_DNS_INVAL},
	{"owner invalid", T_A,
	 RAW(OKHDR(1), Q(T_A), 2, 'a', ' ', 0xc0, 12, 0, T_A, 0, 1, 0, 0, 0, 1, 0, 4, ADDR4),
	 SP_DNS_INVAL},
	{"owner invalid, record of another type", T_MX,
	 RAW(OKHDR(1), Q(T_MX), 1, '_', 1, '-', 0, 0, T_A, 0, 1, 0, 0, 0, 1, 0, 4, ADDR4),
	 SP_DNS_INVAL},
	{"owner invalid after a good A", T_A,
	 RAW(OKHDR(2), Q(T_A), RR(T_A, 4), ADDR4, 1, '-', 0, 0, T_A, 0, 1, 0, 0, 0, 1, 0, 4, ADDR4),
	 SP_DNS_INVAL},
	{"root owner for another query", T_A,
	 RAW(OKHDR(1), Q(T_A), 0, 0, T_A, 0, 1, 0, 0, 0, 1, 0, 4, ADDR4), SP_DNS_INVAL},

	/* malformed replies */
	{"empty", T_A, RAW(0), SP_DNS_RETRY},
	{"header cut at 11 bytes", T_A, RAW(0x12, 0x34, 0x84, 0x80, 0, 1, 0, 1, 0, 0, 0),
	 SP_DNS_RETRY},
	{"header only, QD 1 AN 1", T_A, RAW(OKHDR(1)), SP_DNS_RETRY},
	{"question name cut", T_A, RAW(OKHDR(1), 2, 'e', 'x', 4, 't'), SP_DNS_RETRY},
	{"question fixed part cut", T_A, RAW(OKHDR(1), QNAME, 0, T_A), SP_DNS_RETRY},
	{"QD 2, one question", T_A, RAW(HDR(0x84, 0x80, 2, 1, 0), Q(T_A), RR(T_A, 4), ADDR4),
	 SP_DNS_RETRY},
	{"QD 65535", T_A, RAW(HDR(0x84, 0x80, 0xff, 1, 0), Q(T_A), RR(T_A, 4), ADDR4),
	 SP_DNS_RETRY},
	{"AN 2, one record", T_A, RAW(OKHDR(2), Q(T_A), RR(T_A, 4), ADDR4), SP_DNS_RETRY},
	{"AN 65535", T_A, RAW(HDR(0x84, 0x80, 1, 0xff, 0), Q(T_A), RR(T_A, 4), ADDR4),
	 SP_DNS_RETRY},
	{"record header cut", T_A, RAW(OKHDR(1), Q(T_A), PTR, 0, T_A, 0, 1, 0, 0), SP_DNS_RETRY},
	{"RDLENGTH past the end", T_A, RAW(OKHDR(1), Q(T_A), RR(T_A, 5), ADDR4), SP_DNS_RETRY},
	{"A of 5 bytes", T_A, RAW(OKHDR(1), Q(T_A), RR(T_A, 5), ADDR4, 9), SP_DNS_RETRY},
	{"A of 0 bytes", T_A, RAW(OKHDR(1), Q(T_A), RR(T_A, 0)), SP_DNS_RETRY},
	{"AAAA of 4 bytes", T_AAAA, RAW(OKHDR(1), Q(T_AAAA), RR(T_AAAA, 4), ADDR4), SP_DNS_RETRY},
	{"A of 3 bytes", T_A,
	 RAW(OKHDR(1), Q(T_A), RR(T_A, 3), 1, 2, 3), SP_DNS_RETRY},
	{"class CH", T_A, RAW(OKHDR(1), Q(T_A), PTR, 0, T_A, 0, 3, 0, 0, 0, 60, 0, 4, ADDR4),
	 SP_DNS_RETRY},
	{"class CH after a good A", T_A,
	 RAW(OKHDR(2), Q(T_A), RR(T_A, 4), ADDR4, PTR, 0, T_A, 0, 3, 0, 0, 0, 60, 0, 4, ADDR4),
	 SP_DNS_RETRY},
	{"owner pointer loop", T_A,
	 RAW(OKHDR(1), Q(T_A), 0xc0, 25, 0, T_A, 0, 1, 0, 0, 0, 1, 0, 4, ADDR4), SP_DNS_RETRY},
	{"owner pointer pair loop", T_A,
	 RAW(OKHDR(1), Q(T_A), 1, 'x', 0xc0, 29, 0xc0, 25, 0, T_A, 0, 1, 0, 0, 0, 1, 0, 4, ADDR4),
	 SP_DNS_RETRY},
	{"owner pointer past the end", T_A,
	 RAW(OKHDR(1), Q(T_A), 0xc1, 0, 0, T_A, 0, 1, 0, 0, 0, 1, 0, 4, ADDR4), SP_DNS_RETRY},
	{"owner label type 01", T_A,
	 RAW(OKHDR(1), Q(T_A), 0x41, 'x', 0, 0, T_A, 0, 1, 0, 0, 0, 1, 0, 4, ADDR4), SP_DNS_RETRY},
	{"owner label type 10", T_A,
	 RAW(OKHDR(1), Q(T_A), 0x81, 'x', 0, 0, T_A, 0, 1, 0, 0, 0, 1, 0, 4, ADDR4), SP_DNS_RETRY},
	{"owner label past the end", T_A, RAW(OKHDR(1), Q(T_A), 9, 'x', 'y'), SP_DNS_RETRY},
	{"question pointer loop", T_A,
	 RAW(OKHDR(1), 0xc0, 12, 0, T_A, 0, 1, RR(T_A, 4), ADDR4), SP_DNS_RETRY},
	{"MX target pointer loop", T_MX, RAW(OKHDR(1), Q(T_MX), RR(T_MX, 4), 0, 10, 0xc0, 39),
	 SP_DNS_RETRY},
	{"MX target pointer to itself via a label", T_MX,
	 RAW(OKHDR(1), Q(T_MX), RR(T_MX, 6), 0, 10, 1, 'm', 0xc0, 39), SP_DNS_RETRY},
	{"MX of 0 bytes at the end", T_MX, RAW(OKHDR(1), Q(T_MX), RR(T_MX, 0)), SP_DNS_RETRY},
	{"MX of 1 byte at the end", T_MX, RAW(OKHDR(1), Q(T_MX), RR(T_MX, 1), 0), SP_DNS_RETRY},
	{"MX target cut", T_MX, RAW(OKHDR(1), Q(T_MX), RR(T_MX, 4), 0, 10, 4, 'm'), SP_DNS_RETRY},
	{"MX target cut, then an invalid MX", T_MX,
	 RAW(OKHDR(2), Q(T_MX), RR(T_MX, 4), 0, 10, 0xc0, 0x7f, RR(T_MX, 7), 0, 20, 2, 'a', '!', PTR),
	 SP_DNS_RETRY},
	{"invalid MX, then a cut MX target", T_MX,
	 RAW(OKHDR(2), Q(T_MX), RR(T_MX, 7), 0, 20, 2, 'a', '!', PTR, RR(T_MX, 4), 0, 10, 0xc0, 0x7f),
	 SP_DNS_RETRY},
	{"MX short RDLENGTH reads on in the message", T_MX,
	 RAW(OKHDR(1), Q(T_MX), RR(T_MX, 2), 0, 10, MAIL), SP_DNS_OK},

	/* wrong types */
	{"asked MX, got A", T_MX, RAW(OKHDR(1), Q(T_MX), RR(T_A, 4), ADDR4), SP_DNS_NOTFOUND},
	{"asked A, got AAAA", T_A, RAW(OKHDR(1), Q(T_A), RR(T_AAAA, 16), ADDR6), SP_DNS_NOTFOUND},
	{"asked AAAA, got MX", T_AAAA, RAW(OKHDR(1), Q(T_AAAA), RR(T_MX, 9), 0, 10, MAIL),
	 SP_DNS_NOTFOUND},
	{"asked A, got type 65535", T_A,
	 RAW(OKHDR(1), Q(T_A), PTR, 0xff, 0xff, 0, 1, 0, 0, 0, 1, 0, 1, 0), SP_DNS_NOTFOUND},
};

static void test_classify(void **state)
{
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < NROWS(reply_rows); i++) {
		const struct reply_row *r = &reply_rows[i];
		struct sp_dns_reply out;
		/* A copy of exactly len bytes, so ASan sees any read past the end. */
		unsigned char *buf = malloc(r->len ? r->len : 1);
		enum sp_dns_status st;

		assert_non_null(buf);
		memcpy(buf, r->buf, r->len);
		st = sp_dns_classify(r->orig ? r->orig : "ex.test", r->qtype, buf, r->len, &out);
		ROW_CHECK(&fails, "reply_rows", i, r->label, st == r->want, "got %s (%s), want %s",
			  sp_dns_status_name(st), out.why, sp_dns_status_name(r->want));
		ROW_CHECK(&fails, "reply_rows", i, r->label,
			  sp_streq(out.cname, r->cname ? r->cname : ""), "alias \"%s\", want \"%s\"",
			  out.cname, r->cname ? r->cname : "");
		ROW_CHECK(&fails, "reply_rows", i, r->label, (st == SP_DNS_OK) == (out.why[0] == 0),
			  "reason \"%s\" for %s", out.why, sp_dns_status_name(st));
		free(buf);
	}
	sp_rows_done(fails, "reply_rows", NROWS(reply_rows));
}

/* A reply to "ex.test" MX whose answer owner has the given label lengths. */
static size_t long_owner(unsigned char *buf, const int *labels, int n)
{
	static const unsigned char head[] = {OKHDR(1), Q(T_A)};
	size_t len = sizeof(head);

	memcpy(buf, head, len);
	for (int i = 0; i < n; i++) {
		buf[len++] = (unsigned char)labels[i];
		memset(buf + len, 'a', (size_t)labels[i]);
		len += (size_t)labels[i];
	}
	buf[len++] = 0;
	memcpy(buf + len, (const unsigned char[]){0, T_A, 0, 1, 0, 0, 0, 1, 0, 4, ADDR4}, 14);
	return len + 14;
}

static void test_long_names(void **state)
{
	unsigned char buf[600];
	struct sp_dns_reply out;
	size_t len;

	(void)state;
	/* 255 octets on the wire (253 characters): the longest name. */
	len = long_owner(buf, (const int[]){63, 63, 63, 61}, 4);
	assert_int_equal(sp_dns_classify("ex.test", T_A, buf, len, &out), SP_DNS_OK);
	/* 257 octets: dn_expand refuses it, a malformed reply. */
	len = long_owner(buf, (const int[]){63, 63, 63, 63}, 4);
	assert_int_equal(sp_dns_classify("ex.test", T_A, buf, len, &out), SP_DNS_RETRY);
	/* A 64-byte label is not a label at all (its top bits are 01). */
	len = long_owner(buf, (const int[]){64}, 1);
	assert_int_equal(sp_dns_classify("ex.test", T_A, buf, len, &out), SP_DNS_RETRY);
}

struct name_row {
	const char *name;
	int ok;
};

static const struct name_row name_rows[] = {
	{"example.com", 1}, {"EXAMPLE.COM", 1}, {"a", 1}, {"localhost", 1}, {"x-y.z", 1},
	{"_dmarc.example.com", 1}, {"a_b.c", 1}, {"1a.example", 1}, {"a1", 1}, {"123.com", 1},
	{"*.example.com", 1}, {"*", 1}, {".", 1}, {"a-b-c.d", 1}, {"0-0.0", 1},
	{"", 0}, {"..", 0}, {".example.com", 0}, {"example.com.", 0}, {"a..b", 0},
	{"-a.b", 0}, {"a-.b", 0}, {"a.-b", 0}, {"a.b-", 0}, {"123", 0}, {"1.2.3.4", 0},
	{"123.456", 0}, {"::1", 0}, {"2001:db8::1", 0}, {"[192.0.2.1]", 0}, {"a b", 0},
	{"a@b", 0}, {"a/b", 0}, {"a\\.b", 0}, {"*.*.b", 0}, {"a.*.b", 0}, {"a*", 0},
	{"*a.b", 0}, {"\xc3\xbc" "ber.de", 0}, {"xn--ber-goa.de", 1}, {"a\tb", 0},
	{"a\nb", 0},
};

static void test_names(void **state)
{
	int fails = 0;
	size_t n;
	char *s;

	(void)state;
	for (size_t i = 0; i < NROWS(name_rows); i++)
		ROW_CHECK(&fails, "name_rows", i, sp_shows(name_rows[i].name),
			  sp_dns_name_ok(name_rows[i].name) == name_rows[i].ok, "want %d",
			  name_rows[i].ok);
	sp_rows_done(fails, "name_rows", NROWS(name_rows));

	s = sp_big("", 63, 'a', ".b", &n);          /* a 63-byte label */
	assert_true(sp_dns_name_ok(s));
	free(s);
	s = sp_big("", 64, 'a', ".b", &n);          /* a 64-byte label */
	assert_false(sp_dns_name_ok(s));
	free(s);
	s = sp_big("a.", 253, 'b', "", &n);         /* 255 characters */
	assert_false(sp_dns_name_ok(s));            /* its label is too long */
	free(s);
	s = malloc(300);
	assert_non_null(s);
	for (int len = 253; len <= 257; len++) {
		/* labels "aaa…" of 63 with dots, cut to len characters */
		for (int j = 0; j < len; j++)
			s[j] = (j % 64 == 63) ? '.' : 'a';
		if (s[len - 1] == '.')
			s[len - 1] = 'a';
		s[len] = 0;
		assert_int_equal(sp_dns_name_ok(s), len <= 255);
	}
	free(s);
}

static void test_status_names(void **state)
{
	(void)state;
	assert_string_equal(sp_dns_status_name(SP_DNS_OK), "OK");
	assert_string_equal(sp_dns_status_name(SP_DNS_NOTFOUND), "NOTFOUND");
	assert_string_equal(sp_dns_status_name(SP_DNS_RETRY), "RETRY");
	assert_string_equal(sp_dns_status_name(SP_DNS_INVAL), "INVAL");
	assert_string_equal(sp_dns_status_name(SP_DNS_NULLMX), "NULLMX");
	assert_string_equal(sp_dns_status_name(SP_DNS_FAIL), "FAIL");
	assert_string_equal(sp_dns_status_name((enum sp_dns_status)99), "UNKNOWN");
}

/* ---- the asynchronous side, against a UDP socket that never answers ---- */

struct got {
	int calls;
	enum sp_dns_status st;
	char name[300];
	char why[SP_DNS_WHY_MAX];
};

static void on_result(void *ctx, const char *name, enum sp_dns_status st, const char *why)
{
	struct got *g = ctx;

	g->calls++;
	g->st = st;
	snprintf(g->name, sizeof(g->name), "%s", name);
	snprintf(g->why, sizeof(g->why), "%s", why);
}

static int count_calls;

static void on_count(void *ctx, const char *name, enum sp_dns_status st, const char *why)
{
	(void)ctx;
	(void)name;
	(void)why;
	if (st == SP_DNS_NOTFOUND)
		count_calls++;
}

/* A bound UDP socket on 127.0.0.1 that nobody reads; its "127.0.0.1:port". */
static int silent_server(char *spec, size_t len)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	assert_true(fd >= 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	snprintf(spec, len, "127.0.0.1:%d", ntohs(sa.sin_port));
	return fd;
}

static void test_invalid_names_no_query(void **state)
{
	char spec[64], err[256];
	int fd = silent_server(spec, sizeof(spec));
	struct sp_dns_opts o = {.servers = spec, .timeout_ms = 5000, .tries = 1};
	struct sp_dns *d = sp_dns_new(&o, err, sizeof(err));
	struct got g[3] = {{0}};
	struct pollfd fds[SP_DNS_FDS_MAX];

	(void)state;
	assert_non_null(d);
	assert_int_equal(sp_dns_timeout(d), -1);
	assert_int_equal(sp_dns_lookup(d, "bad..name", SP_DNS_MAILHOST, on_result, &g[0], err,
				       sizeof(err)), 0);
	assert_int_equal(sp_dns_lookup(d, "\xc3\xbc" "ber.de", SP_DNS_HOST, on_result, &g[1], err,
				       sizeof(err)), 0);
	assert_int_equal(sp_dns_lookup(d, "192.0.2.1", SP_DNS_HOST, on_result, &g[2], err,
				       sizeof(err)), 0);
	/* Never called back from within sp_dns_lookup. */
	assert_int_equal(g[0].calls + g[1].calls + g[2].calls, 0);
	assert_int_equal(sp_dns_pending(d), 3);
	assert_int_equal(sp_dns_timeout(d), 0);
	assert_int_equal(sp_dns_fds(d, fds, SP_DNS_FDS_MAX), 0);   /* nothing was sent */
	sp_dns_process(d, -1, -1);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(g[i].calls, 1);
		assert_int_equal(g[i].st, SP_DNS_NOTFOUND);
	}
	assert_string_equal(g[1].name, "\xc3\xbc" "ber.de");
	assert_true(sp_has(g[1].why, "non-ASCII"));
	assert_true(sp_has(g[0].why, "invalid host or domain name"));
	assert_int_equal(sp_dns_pending(d), 0);
	assert_int_equal(sp_dns_timeout(d), -1);
	assert_int_equal(sp_dns_wait(d), 0);
	sp_dns_free(&d);
	assert_null(d);
	close(fd);
}

static void test_timeout(void **state)
{
	char spec[64], err[256];
	int fd = silent_server(spec, sizeof(spec));
	struct sp_dns_opts o = {.servers = spec, .timeout_ms = 100, .tries = 1};
	struct sp_dns *d = sp_dns_new(&o, err, sizeof(err));
	struct got g[2] = {{0}};
	struct pollfd fds[SP_DNS_FDS_MAX];
	int t;

	(void)state;
	assert_non_null(d);
	assert_int_equal(sp_dns_lookup(d, "example.test", SP_DNS_MAILHOST, on_result, &g[0], err,
				       sizeof(err)), 0);
	assert_int_equal(sp_dns_lookup(d, "example.test", SP_DNS_HOST, on_result, &g[1], err,
				       sizeof(err)), 0);
	assert_true(sp_dns_fds(d, fds, SP_DNS_FDS_MAX) >= 1);
	assert_int_equal(fds[0].events & POLLIN, POLLIN);
	t = sp_dns_timeout(d);
	assert_true(t > 0 && t <= 100);
	assert_int_equal(sp_dns_wait(d), 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(g[i].calls, 1);
		assert_int_equal(g[i].st, SP_DNS_RETRY);
		assert_string_equal(g[i].name, "example.test");
	}
	assert_true(sp_has(g[0].why, "type=AAAA"));   /* all three types were asked */
	assert_true(sp_has(g[1].why, "type=MX"));
	sp_dns_free(&d);
	close(fd);
}

static void test_cancel(void **state)
{
	char spec[64], err[256];
	int fd = silent_server(spec, sizeof(spec));
	struct sp_dns_opts o = {.servers = spec};
	struct sp_dns *d = sp_dns_new(&o, err, sizeof(err));
	struct got g[2] = {{0}};

	(void)state;
	assert_non_null(d);
	assert_int_equal(sp_dns_lookup(d, "example.test", SP_DNS_MAILHOST, on_result, &g[0], err,
				       sizeof(err)), 0);
	assert_int_equal(sp_dns_lookup(d, "-invalid", SP_DNS_MAILHOST, on_result, &g[1], err,
				       sizeof(err)), 0);
	sp_dns_free(&d);
	assert_null(d);
	assert_int_equal(g[0].calls, 1);
	assert_int_equal(g[0].st, SP_DNS_RETRY);
	assert_int_equal(g[1].calls, 1);
	assert_int_equal(g[1].st, SP_DNS_NOTFOUND);
	sp_dns_free(&d);   /* NULL: nothing */
	close(fd);
}

static void test_limits_and_errors(void **state)
{
	char err[256];
	struct sp_dns_opts o = {.servers = "127.0.0.1:9"};
	struct sp_dns *d;
	int i;

	(void)state;
	o.timeout_ms = -1;
	assert_null(sp_dns_new(&o, err, sizeof(err)));
	assert_true(sp_has(err, "negative"));
	o.timeout_ms = 0;
	o.servers = "";
	assert_null(sp_dns_new(&o, err, sizeof(err)));
	o.servers = "not a server list";
	assert_null(sp_dns_new(&o, err, sizeof(err)));
	assert_true(sp_has(err, "bad DNS server list"));
	o.servers = "127.0.0.1:9";
	d = sp_dns_new(&o, err, sizeof(err));
	assert_non_null(d);
	count_calls = 0;
	for (i = 0; i < SP_DNS_LOOKUPS_MAX; i++)
		assert_int_equal(sp_dns_lookup(d, "bad..name", SP_DNS_HOST, on_count, NULL, err,
					       sizeof(err)), 0);
	assert_int_equal(sp_dns_lookup(d, "bad..name", SP_DNS_HOST, on_count, NULL, err,
				       sizeof(err)), -1);
	assert_true(sp_has(err, "too many"));
	assert_int_equal(sp_dns_lookup(d, "x.test", (enum sp_dns_kind)7, on_count, NULL, err,
				       sizeof(err)), -1);
	assert_int_equal(sp_dns_wait(d), 0);
	assert_int_equal(count_calls, SP_DNS_LOOKUPS_MAX);
	sp_dns_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_long_names),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_status_names),
		cmocka_unit_test(test_invalid_names_no_query),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_limits_and_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
