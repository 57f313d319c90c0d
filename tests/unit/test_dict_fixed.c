/*
 * test_dict_fixed.c - the fixed-string table types without an index file:
 * texthash: (source read at open), inline: and static:, the dict.c
 * dispatcher (type names, folding, key length, proxy:), unix: (the
 * system's account database), and sp_dict_stale.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dict/dict.h"

struct q_row {
	const char *spec;
	unsigned flags;
	const char *key;
	int want_rc;
	const char *want_value;
};

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void check_rows(const struct q_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char err[256] = "";
		const char *value = NULL;
		struct sp_dict *d = sp_dict_open(rows[i].spec, rows[i].flags, NULL, err, sizeof(err));
		int rc;

		if (d == NULL)
			fail_msg("row %zu: open %s: %s", i, rows[i].spec, err);
		rc = sp_dict_lookup(d, rows[i].key, &value, err, sizeof(err));
		if (rc != rows[i].want_rc)
			fail_msg("row %zu: %s key \"%s\": rc %d, want %d", i, rows[i].spec, rows[i].key,
				 rc, rows[i].want_rc);
		if (rc == 1 && strcmp(value, rows[i].want_value) != 0)
			fail_msg("row %zu: %s key \"%s\": \"%s\", want \"%s\"", i, rows[i].spec,
				 rows[i].key, value, rows[i].want_value);
		sp_dict_close(&d);
	}
}

/* Answers checked against postmap -q on Postfix 3.7.11. */
static const struct q_row inline_rows[] = {
	{"inline:{ a=1, b=2 }", SP_DICT_FOLD, "a", 1, "1"},
	{"inline:{ a=1, b=2 }", SP_DICT_FOLD, "b", 1, "2"},
	{"inline:{ a=1, b=2 }", SP_DICT_FOLD, "c", 0, NULL},
	{"inline:{ A=1 }", SP_DICT_FOLD, "a", 1, "1"},
	{"inline:{ a=1 }", SP_DICT_FOLD, "A", 1, "1"},
	{"inline:{ A=1 }", 0, "a", 0, NULL},
	{"inline:{ A=1 }", 0, "A", 1, "1"},
	{"inline:{ { a = b c } }", SP_DICT_FOLD, "a", 1, "b c"},
	{"inline:{ x=1=2 }", SP_DICT_FOLD, "x", 1, "1=2"},
	{"inline:{ a=1, a=2 }", SP_DICT_FOLD, "a", 1, "2"},
	{"inline:{a=1,b=2}", SP_DICT_FOLD, "b", 1, "2"},
	{"inline:{ user@example.com=OK }", SP_DICT_FOLD, "USER@EXAMPLE.COM", 1, "OK"},
	{"static:OK", SP_DICT_FOLD, "anything", 1, "OK"},
	{"static:{ two words }", SP_DICT_FOLD, "x", 1, "two words"},
};

static void test_inline_static(void **state)
{
	(void)state;
	check_rows(inline_rows, sizeof(inline_rows) / sizeof(inline_rows[0]));
}

static const char *const bad_specs[] = {
	"inline:a=1",            /* no braces */
	"inline:{ a }",          /* no '=' */
	"inline:{ =1 }",         /* no key */
	"inline:{ {a=1}x }",     /* text after '}' */
	"static:{ a",            /* missing '}' */
	"static:",               /* empty result (Postfix: fatal) */
	"static:{}",             /* empty result (Postfix: warnings, no answer) */
	"inline:{ a= }",         /* empty result (Postfix: warnings, no answer) */
	"nosuchtype:/etc/x",     /* unknown type */
	"hash",                  /* no ':' */
	":/etc/x",               /* no type */
	"texthash:/nonexistent/sallyport-test-table",
	"unix:passwd.byuid",     /* unix: knows passwd.byname and group.byname */
	"proxy:nosuchtype:x",    /* proxy: opens the table behind it */
};

static void test_bad_specs(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_specs) / sizeof(bad_specs[0]); i++) {
		char err[256] = "";
		struct sp_dict *d = sp_dict_open(bad_specs[i], SP_DICT_FOLD, NULL, err, sizeof(err));
		if (d != NULL)
			fail_msg("%s: opened, want an error", bad_specs[i]);
		assert_true(err[0] != 0);
	}
}

static void test_texthash(void **state)
{
	char dir[] = "/tmp/sp-dict-XXXXXX", path[200], spec[256], err[256];
	struct sp_diags diags = {0};
	struct sp_dict *d;
	const char *value;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/senders", dir);
	write_file(path, "# envelope sender owners\n"
			 "alice@Example.com   alice\n"
			 "bob@example.com\tbob,\n  robert\n"
			 "alice@example.com   mallory\n"
			 "novalue\n"
			 "\"quoted key\" q\n");
	snprintf(spec, sizeof(spec), "texthash:%s", path);
	d = sp_dict_open(spec, SP_DICT_FOLD, &diags, err, sizeof(err));
	assert_non_null(d);
	assert_int_equal(sp_dict_lookup(d, "ALICE@example.com", &value, err, sizeof(err)), 1);
	assert_string_equal(value, "alice");   /* the first of two entries */
	assert_int_equal(sp_dict_lookup(d, "bob@example.com", &value, err, sizeof(err)), 1);
	assert_string_equal(value, "bob,  robert");
	assert_int_equal(sp_dict_lookup(d, "novalue", &value, err, sizeof(err)), 0);
	assert_int_equal(sp_dict_lookup(d, "\"quoted key\"", &value, err, sizeof(err)), 1);
	assert_int_equal(sp_diags_count(&diags, SP_WARNING, "duplicate entry"), 1);
	assert_int_equal(sp_diags_count(&diags, SP_WARNING, "expected format: key whitespace value"), 1);
	assert_int_equal(diags.errors, 0);
	assert_int_equal(sp_dict_stale(d), 0);
	/* Replacing the file makes the open table stale. */
	usleep(10000);
	write_file(path, "alice@example.com carol\n");
	assert_int_equal(sp_dict_stale(d), 1);
	sp_dict_close(&d);
	unlink(path);
	rmdir(dir);
	sp_diags_free(&diags);
}

/* unix:passwd.byname answers from the system's accounts (root exists on
 * every machine this runs on), in passwd(5) form; proxy: is transparent. */
static void test_unix(void **state)
{
	const char *specs[] = {"unix:passwd.byname", "proxy:unix:passwd.byname"};

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		char err[256] = "";
		const char *v = NULL;
		struct sp_dict *d = sp_dict_open(specs[i], SP_DICT_FOLD, NULL, err, sizeof(err));
		assert_non_null(d);
		assert_string_equal(sp_dict_type(d), "unix");
		assert_int_equal(sp_dict_lookup(d, "root", &v, err, sizeof(err)), 1);
		assert_true(strncmp(v, "root:", 5) == 0 && strstr(v, ":0:0:") != NULL);
		assert_int_equal(sp_dict_lookup(d, "ROOT", &v, err, sizeof(err)), 1);  /* folded */
		assert_int_equal(sp_dict_lookup(d, "no-such-user-sallyport", &v, err, sizeof(err)), 0);
		sp_dict_close(&d);
	}
	{
		char err[256] = "";
		const char *v = NULL;
		struct sp_dict *d = sp_dict_open("unix:group.byname", 0, NULL, err, sizeof(err));
		assert_non_null(d);
		assert_int_equal(sp_dict_lookup(d, "root", &v, err, sizeof(err)), 1);
		assert_true(strncmp(v, "root:", 5) == 0);
		sp_dict_close(&d);
	}
}

static void test_key_limits(void **state)
{
	char err[256], *key = malloc(SP_DICT_KEY_MAX + 2);
	struct sp_dict *d = sp_dict_open("static:x", SP_DICT_FOLD, NULL, err, sizeof(err));
	const char *value;

	(void)state;
	assert_non_null(d);
	memset(key, 'a', SP_DICT_KEY_MAX);
	key[SP_DICT_KEY_MAX] = 0;
	assert_int_equal(sp_dict_lookup(d, key, &value, err, sizeof(err)), 1);
	key[SP_DICT_KEY_MAX] = 'a';
	key[SP_DICT_KEY_MAX + 1] = 0;
	assert_int_equal(sp_dict_lookup(d, key, &value, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "longer than"));
	assert_int_equal(sp_dict_stale(d), 0);  /* no file behind static: */
	free(key);
	sp_dict_close(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inline_static),
		cmocka_unit_test(test_bad_specs),
		cmocka_unit_test(test_texthash),
		cmocka_unit_test(test_key_limits),
		cmocka_unit_test(test_unix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
