/*
 * test_lookup_order.c - the key sequences of src/dict/lookup_order.c, with
 * the examples of Postfix's access(5) and the rules of its smtpd_check.c
 * and mail_addr_find.c; and the first-match search over texthash, inline
 * and static tables (partial keys skip pattern tables).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "dict/dict.h"
#include "dict/lookup_order.h"

#define MAXK 12

struct order_row {
	const char *label;
	const char *input;
	const char *delim;
	int style;          /* 0 parent, 1 dot; for owners: 1 = local domain */
	const char *want[MAXK];
};

static void check_keys(const struct order_row *r, const struct sp_lookup_keys *k)
{
	size_t n = 0;

	while (n < MAXK && r->want[n])
		n++;
	if (k->n != n) {
		for (size_t i = 0; i < k->n; i++)
			print_error("  got[%zu] = %s\n", i, k->v[i].key);
		fail_msg("%s: %zu keys, want %zu", r->label, k->n, n);
	}
	for (size_t i = 0; i < n; i++) {
		if (strcmp(k->v[i].key, r->want[i]) != 0)
			fail_msg("%s: key %zu is \"%s\", want \"%s\"", r->label, i, k->v[i].key,
				 r->want[i]);
		assert_int_equal(k->v[i].partial, i > 0);
	}
}

static const struct order_row mail_rows[] = {
	{"extension, parent style", "user+foo@sub.example.com", "+", 0,
	 {"user+foo@sub.example.com", "user@sub.example.com", "sub.example.com", "example.com",
	  "com", "user+foo@", "user@"}},
	{"extension, dot style", "user+foo@sub.example.com", "+", 1,
	 {"user+foo@sub.example.com", "user@sub.example.com", "sub.example.com", ".example.com",
	  ".com", "user+foo@", "user@"}},
	{"no delimiter configured", "user+foo@example.com", "", 0,
	 {"user+foo@example.com", "example.com", "com", "user+foo@"}},
	{"no extension", "user@example.com", "+", 0,
	 {"user@example.com", "example.com", "com", "user@"}},
	{"delimiter set, second char used", "user-foo@example.com", "+-", 0,
	 {"user-foo@example.com", "user@example.com", "example.com", "com", "user-foo@", "user@"}},
	{"owner- is never split with '-'", "owner-list@example.com", "-", 0,
	 {"owner-list@example.com", "example.com", "com", "owner-list@"}},
	{"x-request is never split with '-'", "list-request@example.com", "-", 0,
	 {"list-request@example.com", "example.com", "com", "list-request@"}},
	{"postmaster is never split", "postmaster@example.com", "+", 0,
	 {"postmaster@example.com", "example.com", "com", "postmaster@"}},
	{"MAILER-DAEMON is never split", "MAILER-DAEMON@example.com", "-", 0,
	 {"MAILER-DAEMON@example.com", "example.com", "com", "MAILER-DAEMON@"}},
	{"empty bare part is not split", "+foo@example.com", "+", 0,
	 {"+foo@example.com", "example.com", "com", "+foo@"}},
	{"trailing delimiter is split", "user+@example.com", "+", 0,
	 {"user+@example.com", "user@example.com", "example.com", "com", "user+@", "user@"}},
	{"single-label domain", "user@localhost", "+", 0, {"user@localhost", "localhost", "user@"}},
	{"no domain", "user", "+", 0, {"user"}},
	{"null sender", "", "+", 0, {""}},
};

static void test_mail_access(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(mail_rows) / sizeof(mail_rows[0]); i++) {
		struct sp_lookup_keys k = {0};
		sp_keys_mail_access(mail_rows[i].input, mail_rows[i].delim,
				    mail_rows[i].style ? SP_PARENT_DOT : SP_PARENT_MATCHES, &k);
		check_keys(&mail_rows[i], &k);
		sp_lookup_keys_free(&k);
	}
}

static const struct order_row domain_rows[] = {
	{"host name, parents", "mail.sub.example.com", "", 0,
	 {"mail.sub.example.com", "sub.example.com", "example.com", "com"}},
	{"host name, dot parents", "mail.example.com", "", 1,
	 {"mail.example.com", ".example.com", ".com"}},
	{"IPv4 address has no parents", "192.0.2.1", "", 0, {"192.0.2.1"}},
	{"IPv6 address has no parents", "2001:db8::1", "", 0, {"2001:db8::1"}},
	{"one label", "localhost", "", 0, {"localhost"}},
	{"trailing dot", "example.com.", "", 0, {"example.com.", "com."}},
	{"empty name", "", "", 0, {NULL}},
};

static void test_domain_access(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(domain_rows) / sizeof(domain_rows[0]); i++) {
		struct sp_lookup_keys k = {0};
		sp_keys_domain_access(domain_rows[i].input,
				      domain_rows[i].style ? SP_PARENT_DOT : SP_PARENT_MATCHES, &k);
		check_keys(&domain_rows[i], &k);
		sp_lookup_keys_free(&k);
	}
}

static const struct order_row addr_rows[] = {
	{"IPv4 by octets", "192.0.2.1", "", 0, {"192.0.2.1", "192.0.2", "192.0", "192"}},
	{"IPv6 by groups", "2001:db8:1:2::1", "", 0,
	 {"2001:db8:1:2::1", "2001:db8:1:2:", "2001:db8:1:2", "2001:db8:1", "2001:db8", "2001"}},
	{"IPv6 loopback", "::1", "", 0, {"::1", ":", ""}},
};

static void test_addr_access(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(addr_rows) / sizeof(addr_rows[0]); i++) {
		struct sp_lookup_keys k = {0};
		sp_keys_addr_access(addr_rows[i].input, &k);
		check_keys(&addr_rows[i], &k);
		sp_lookup_keys_free(&k);
	}
}

static const struct order_row owner_rows[] = {
	{"remote domain", "alice+x@example.com", "+", 0,
	 {"alice+x@example.com", "alice@example.com", "@example.com"}},
	{"local domain adds bare local parts", "alice+x@example.com", "+", 1,
	 {"alice+x@example.com", "alice@example.com", "alice+x", "alice", "@example.com"}},
	{"no extension, remote", "alice@example.com", "+", 0, {"alice@example.com", "@example.com"}},
	{"no extension, local", "alice@example.com", "+", 1,
	 {"alice@example.com", "alice", "@example.com"}},
};

static void test_addr_owner(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(owner_rows) / sizeof(owner_rows[0]); i++) {
		struct sp_lookup_keys k = {0};
		sp_keys_addr_owner(owner_rows[i].input, owner_rows[i].delim, owner_rows[i].style, &k);
		check_keys(&owner_rows[i], &k);
		sp_lookup_keys_free(&k);
	}
}

/* Key-major order: every table is asked for a key before the next key. */
static void test_lookup_first(void **state)
{
	char err[256];
	struct sp_dict *d[2];
	struct sp_lookup_keys k = {0};
	const char *value, *matched;

	(void)state;
	d[0] = sp_dict_open("inline:{ example.com=DOMAIN, user@=LOCAL }", SP_DICT_FOLD, NULL, err,
			    sizeof(err));
	d[1] = sp_dict_open("inline:{ user@example.com=EXACT }", SP_DICT_FOLD, NULL, err,
			    sizeof(err));
	assert_non_null(d[0]);
	assert_non_null(d[1]);
	sp_keys_mail_access("User@Example.com", "+", SP_PARENT_MATCHES, &k);
	assert_int_equal(sp_lookup_first(d, 2, &k, &value, &matched, err, sizeof(err)), 1);
	assert_string_equal(value, "EXACT");  /* full key in the 2nd table beats domain in the 1st */
	assert_string_equal(matched, "User@Example.com");
	sp_lookup_keys_free(&k);
	sp_keys_mail_access("other@example.com", "+", SP_PARENT_MATCHES, &k);
	assert_int_equal(sp_lookup_first(d, 2, &k, &value, &matched, err, sizeof(err)), 1);
	assert_string_equal(value, "DOMAIN");
	assert_string_equal(matched, "example.com");
	sp_lookup_keys_free(&k);
	sp_keys_mail_access("user@elsewhere.org", "+", SP_PARENT_MATCHES, &k);
	assert_int_equal(sp_lookup_first(d, 2, &k, &value, &matched, err, sizeof(err)), 1);
	assert_string_equal(value, "LOCAL");
	assert_string_equal(matched, "user@");
	sp_lookup_keys_free(&k);
	sp_keys_mail_access("nobody@elsewhere.org", "+", SP_PARENT_MATCHES, &k);
	assert_int_equal(sp_lookup_first(d, 2, &k, &value, &matched, err, sizeof(err)), 0);
	sp_lookup_keys_free(&k);
	sp_dict_close(&d[0]);
	sp_dict_close(&d[1]);
	assert_null(d[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mail_access),   cmocka_unit_test(test_domain_access),
		cmocka_unit_test(test_addr_access),   cmocka_unit_test(test_addr_owner),
		cmocka_unit_test(test_lookup_first),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
