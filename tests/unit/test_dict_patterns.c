/*
 * test_dict_patterns.c - the regexp: and pcre: table types and their shared
 * source format (dict/pattern_table.h): lookups in valid tables (flags,
 * substitution, negation, if/endif, continuation, delimiters), the parsed
 * form of rules, warnings, a table of malformed lines (each an error naming
 * its line), bounds (nesting, pattern and result length, PCRE2 match
 * limits) and SP_DICT_NO_REGSUB.
 *
 * The expected values of the valid table come from postmap -q (Postfix
 * 3.7.11 with postfix-pcre, PCRE2 10.42); where sallyport is stricter
 * (errors for what Postfix skips with a warning) the row says so.
 */
#include "unit.h"

#include "dict/dict.h"
#include "dict/pattern_table.h"

#include <unistd.h>

/* A throw-away table file. */
struct pt_file {
	char dir[256];
	char path[300];
};

static void pt_write(struct pt_file *f, const char *text, size_t len)
{
	const char *tmp = getenv("TMPDIR");
	FILE *fp;

	snprintf(f->dir, sizeof(f->dir), "%s/sallyport-pt-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(f->dir) == NULL)
		abort();
	snprintf(f->path, sizeof(f->path), "%s/table", f->dir);
	fp = fopen(f->path, "wb");
	if (fp == NULL || fwrite(text, 1, len, fp) != len || fclose(fp) != 0)
		abort();
}

static void pt_remove(struct pt_file *f)
{
	unlink(f->path);
	rmdir(f->dir);
}

/* Opens "type:" + the file holding text; NULL with err on failure. */
static struct sp_dict *pt_open(const char *type, const char *text, size_t len, unsigned flags,
			       struct sp_diags *dg, char *err, size_t errlen)
{
	struct pt_file f;
	char spec[400];
	struct sp_dict *d;

	pt_write(&f, text, len);
	snprintf(spec, sizeof(spec), "%s:%s", type, f.path);
	d = sp_dict_open(spec, flags, dg, err, errlen);
	pt_remove(&f);
	return d;
}

/* ---- valid tables: lookups ------------------------------------------- */

struct pt_lookup {
	const char *key;
	const char *want;   /* NULL: not found */
};

struct pt_valid {
	const char *label;
	const char *type;
	const char *table;
	struct pt_lookup q[4];  /* ends at key NULL */
	int warnings;
};

static const struct pt_valid pt_valid_rows[] = {
	{"regexp case-insensitive by default", "regexp", "/^abc$/ yes\n",
	 {{"ABC", "yes"}, {"abc", "yes"}, {"abcd", NULL}}},
	{"regexp i makes it case-sensitive", "regexp", "/^abc$/i yes\n",
	 {{"ABC", NULL}, {"abc", "yes"}}},
	{"regexp ii toggles back", "regexp", "/^abc$/ii yes\n", {{"ABC", "yes"}}},
	{"regexp $1", "regexp", "/^(.*)@example\\.com$/ local $1\n",
	 {{"joe@Example.COM", "local joe"}, {"joe@example.org", NULL}}},
	{"regexp ${1} and empty $2", "regexp", "/^(a+)(b*)$/ ${1}x$2\n",
	 {{"aab", "aaxb"}, {"a", "ax"}}},
	{"regexp $(2)-$(1)", "regexp", "/^(a+)-(b+)$/ $(2)-$(1)\n", {{"aa-bbb", "bbb-aa"}}},
	{"regexp $$1 is literal", "regexp", "/a/ cost $$1\n", {{"a", "cost $1"}}},
	{"regexp $$$1$$", "regexp", "/(a)/ $$$1$$\n", {{"xay", "$a$"}}},
	{"regexp unset group is empty", "regexp", "/^(a)$|^(b)$/ [$1][$2]\n",
	 {{"b", "[][b]"}, {"a", "[a][]"}}},
	{"regexp negation", "regexp", "!/^abc/ not\n", {{"xyz", "not"}, {"abcd", NULL}}},
	{"regexp double negation", "regexp", "!!/abc/ yes\n", {{"abc", "yes"}, {"x", NULL}}},
	{"regexp second pattern", "regexp", "/^a/!/b/ a-not-b\n",
	 {{"ac", "a-not-b"}, {"ab", NULL}, {"c", NULL}}},
	{"regexp second pattern negated twice", "regexp", "/^a/!!/b/ a-and-b\n",
	 {{"ac", NULL}, {"ab", "a-and-b"}}},
	{"regexp flags on both patterns", "regexp", "/^(a)/!/B/i $1-not-B\n",
	 {{"ab", "a-not-B"}, {"aB", NULL}}},
	{"regexp if/endif", "regexp",
	 "if /@example\\.com$/\n/^admin@/ OK\n/./ REJECT\nendif\n/./ DUNNO\n",
	 {{"admin@example.com", "OK"}, {"x@example.com", "REJECT"}, {"x@other", "DUNNO"}}},
	{"regexp nested if, negated if", "regexp",
	 "if !/^root/\nif /\\.org$/\n/^a/ A-org\nendif\n/^a/ A\nendif\n/./ other\n",
	 {{"a@x.org", "A-org"}, {"a@x.com", "A"}, {"root.org", "other"}, {"b", "other"}}},
	{"regexp IF/EnDiF any case", "regexp", "IF /a/\n/b/ ab\nEnDiF\n",
	 {{"ab", "ab"}, {"b", NULL}}},
	{"regexp if!/a/ without a space", "regexp", "if!/a/\n/b/ b-not-a\nendif\n",
	 {{"b", "b-not-a"}, {"ab", NULL}}},
	{"regexp first match wins", "regexp", "/a/ 1\n/a/ 2\n", {{"a", "1"}}},
	{"regexp continued result", "regexp", "/a/ one\n two\n\tthree\n",
	 {{"a", "one two\tthree"}}},
	{"regexp comments and blanks", "regexp", "# c\n\n/a/ one\n# inside\n two\n   \n/b/ bee\n",
	 {{"a", "one two"}, {"b", "bee"}}},
	{"regexp | delimiter", "regexp", "|a/b| slash\n", {{"a/b", "slash"}}},
	{"regexp escaped delimiter", "regexp", "/a\\/b/ escaped\n", {{"xa/by", "escaped"}}},
	{"regexp comma delimiter, escaped", "regexp", ",a\\,b, comma\n", {{"a,b", "comma"}}},
	{"regexp x: basic syntax, + literal", "regexp", "/a+/x lit\n",
	 {{"a+", "lit"}, {"aa", NULL}}},
	{"regexp interval", "regexp", "/^a{2}$/ two\n", {{"aa", "two"}, {"a", NULL}}},
	{"regexp class", "regexp", "/[[:digit:]]+/ digits\n", {{"abc123", "digits"}}},
	{"regexp trailing blanks trimmed", "regexp", "/abc/   result with  spaces   \n",
	 {{"abc", "result with  spaces"}}},
	{"regexp 8-bit bytes", "regexp", "/caf\xc3\xa9/ utf8 \xc3\xa9t\xc3\xa9\n",
	 {{"un caf\xc3\xa9", "utf8 \xc3\xa9t\xc3\xa9"}}},
	{"regexp CRLF lines", "regexp", "/a/ x\r\n/b/ y\r\n", {{"a", "x"}, {"b", "y"}}},
	{"regexp m: ^ after a newline", "regexp", "/^b/m yes\n", {{"a\nb", "yes"}}},
	{"regexp without m: no", "regexp", "/^b/ yes\n", {{"a\nb", NULL}}},
	{"regexp . matches newline without m", "regexp", "/a.b/ yes\n/a/ no\n",
	 {{"a\nb", "yes"}}},
	{"regexp empty table", "regexp", "", {{"a", NULL}}},
	{"regexp [\\1] is no back-reference", "regexp", "/[\\1]/ class\n",
	 {{"1", "class"}, {"\\", "class"}}},
	{"regexp empty result (warning)", "regexp", "/a/\n", {{"a", ""}}, 1},
	{"pcre caseless by default", "pcre", "/^abc$/ yes\n", {{"ABC", "yes"}, {"abc", "yes"}}},
	{"pcre i", "pcre", "/^abc$/i yes\n", {{"ABC", NULL}, {"abc", "yes"}}},
	{"pcre x", "pcre", "/a b c/x ext\n", {{"abc", "ext"}, {"a b c", NULL}}},
	{"pcre A", "pcre", "/b/A anch\n", {{"ab", NULL}, {"ba", "anch"}}},
	{"pcre U", "pcre", "/(a+)/U $1\n", {{"aaa", "a"}}},
	{"pcre greedy", "pcre", "/(a+)/ $1\n", {{"aaa", "aaa"}}},
	{"pcre man page example", "pcre",
	 "/^(?!owner-)(.*)-outgoing@(.*)/ 550 Use ${1}@${2} instead\n",
	 {{"list-outgoing@example.com", "550 Use list@example.com instead"},
	  {"owner-list-outgoing@example.com", NULL}}},
	{"pcre named group counts", "pcre", "/(?<u>a)(b)/ $1$2\n", {{"ab", "ab"}}},
	{"pcre unset groups", "pcre", "/(a)|(b)/ [$1][$2]\n", {{"b", "[][b]"}, {"a", "[a][]"}}},
	{"pcre trailing unset group", "pcre", "/(a)(b)?/ [$2]\n", {{"a", "[]"}}},
	{"pcre $10", "pcre", "/(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)/ $10-$1\n",
	 {{"abcdefghij", "j-a"}}},
	{"pcre negation", "pcre", "!/^abc/ not\n", {{"xyz", "not"}, {"abc", NULL}}},
	{"pcre nested if", "pcre",
	 "if /^[^@]+@example\\.com$/\nif !/^postmaster@/\n/^(.*)@/ user $1\nendif\n/./ pm\n"
	 "endif\n",
	 {{"joe@example.com", "user joe"}, {"postmaster@example.com", "pm"}, {"joe@x.org", NULL}}},
	{"pcre first match wins", "pcre", "/\\d{3}/ three\n/\\w+/ word\n",
	 {{"ab1234", "three"}, {"abc", "word"}}},
	{"pcre X: warning, no effect", "pcre", "/a/X x-flag\n", {{"a", "x-flag"}}, 1},
	{"pcre empty result (warning)", "pcre", "/a/ \n", {{"a", ""}}, 1},
	{"pcre ~ delimiter, man page body example", "pcre", "~^[[:alnum:]+/]{60,}$~ OK\n",
	 {{"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "OK"},
	  {"AAAA", NULL}}},
	{"pcre (?i) inside a case-sensitive pattern", "pcre", "/(?i)ABC/i ci\n", {{"abc", "ci"}}},
	{"pcre m", "pcre", "/^b/m yes\n", {{"a\nb", "yes"}, {"b\na", "yes"}}},
	{"pcre dotall by default", "pcre", "/a.b/ yes\n", {{"a\nb", "yes"}}},
	{"pcre s turns dotall off", "pcre", "/a.b/s yes\n", {{"a\nb", NULL}, {"axb", "yes"}}},
	{"pcre $ before a final newline", "pcre", "/b$/ yes\n", {{"a\nb\n", "yes"}}},
	{"pcre E: $ only at the end", "pcre", "/b$/E yes\n", {{"a\nb\n", NULL}, {"a\nb", "yes"}}},
	{"pcre empty pattern matches all", "pcre", "// all\n", {{"", "all"}, {"x", "all"}}},
	{"pcre ( delimiter", "pcre", "(a( paren\n", {{"xa", "paren"}}},
	{"pcre 8-bit delimiter", "pcre", "\xa7" "b\xa7 section\n", {{"abc", "section"}}},
	{"pcre \\$ escapes nothing in a result", "pcre", "/(a)/ \\$1\n", {{"a", "\\a"}}},
};

static void test_valid_lookups(void **state)
{
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < NROWS(pt_valid_rows); i++) {
		const struct pt_valid *r = &pt_valid_rows[i];
		struct sp_diags dg = {0};
		char err[512] = "";
		struct sp_dict *d = pt_open(r->type, r->table, strlen(r->table), 0, &dg, err,
					    sizeof(err));

		ROW_CHECK(&fails, "valid", i, r->label, d != NULL, "open failed: %s", err);
		ROW_CHECK(&fails, "valid", i, r->label,
			  dg.errors == 0 && dg.n == (size_t)r->warnings,
			  "%zu errors, %zu diagnostics, want %d warnings", dg.errors, dg.n,
			  r->warnings);
		for (size_t k = 0; d && k < 4 && r->q[k].key; k++) {
			const char *v = NULL;
			int rc = sp_dict_lookup(d, r->q[k].key, &v, err, sizeof(err));
			ROW_CHECK(&fails, "valid", i, r->label,
				  rc == (r->q[k].want ? 1 : 0) && (rc != 1 || sp_streq(v, r->q[k].want)),
				  "key \"%s\": rc %d value \"%s\", want \"%s\"",
				  sp_shows(r->q[k].key), rc, rc == 1 ? sp_shows(v) : "-",
				  sp_shows(r->q[k].want));
		}
		sp_dict_close(&d);
		sp_diags_free(&dg);
	}
	sp_rows_done(fails, "valid", NROWS(pt_valid_rows));
}

/* ---- malformed tables: each an error at its line ----------------------- */

struct pt_invalid {
	const char *label;
	const char *type;
	const char *table;
	size_t len;           /* 0: strlen(table) */
	int line;             /* of the first error */
	const char *what;     /* in the first error */
	size_t errors;        /* all of them */
	unsigned flags;       /* SP_DICT_* */
};

#define T(s) s, sizeof(s) - 1

static const struct pt_invalid pt_invalid_rows[] = {
	{"no closing delimiter", "regexp", T("/abc x\n"), 1, "no closing delimiter \"/\"", 1},
	{"unknown flag", "regexp", T("/abc/q x\n"), 1, "unknown regexp flag \"q\"", 1},
	{"pcre flag s is not a regexp flag", "regexp", T("/abc/s x\n"), 1,
	 "unknown regexp flag \"s\"", 1},
	{"unrecognized line", "regexp", T("abc x\n"), 1, "unrecognized line: \"abc x\"", 1},
	{"word starting with if", "regexp", T("ifx /a/\n"), 1, "unrecognized line", 1},
	{"word starting with endif", "regexp", T("/a/ b\nendifx\n"), 2, "unrecognized line", 1},
	{"text after if pattern (indented rule)", "regexp", T("if /a/\n  /b/ c\nendif\n"), 1,
	 "text after the pattern of \"if\": \"/b/ c\"", 1},
	{"if without endif", "regexp", T("if /a/\n/b/ c\n"), 1, "\"if\" without \"endif\"", 1},
	{"inner if without endif", "regexp", T("if /a/\nif /b/\nendif\n"), 1,
	 "\"if\" without \"endif\"", 1},
	{"two ifs without endif", "regexp", T("if /a/\nif /b/\n"), 2,
	 "\"if\" without \"endif\"", 2},
	{"endif without if", "regexp", T("endif\n"), 1, "\"endif\" without \"if\"", 1},
	{"text after endif", "regexp", T("if /a/\n/b/ c\nENDIF junk\n"), 3,
	 "text after \"endif\": \"junk\"", 1},
	{"$2 but one group", "regexp", T("/(a)/ $2\n"), 1,
	 "$2 in the result, but the pattern has 1 group(s)", 1},
	{"$1 with no group", "regexp", T("/a/ ${1}}\n"), 1,
	 "$1 in the result, but the pattern has 0 group(s)", 1},
	{"$1 in a negated rule", "regexp", T("!/(a)/ $1\n"), 1,
	 "$1 in the result of a negated pattern", 1},
	{"non-numeric $x", "regexp", T("/a/ $x\n"), 1, "\"$x\" in the result is not a group number", 1},
	{"$1a is one name", "regexp", T("/(a)/ $1a\n"), 1, "\"$1a\" in the result is not a group", 1},
	{"lone $ at the end", "regexp", T("/a/ cost $\n"), 1, "\"$\" without a group number", 1},
	{"$ before a space", "regexp", T("/a/ cost $ 5\n"), 1, "\"$\" without a group number", 1},
	{"unterminated ${", "regexp", T("/(a)/ ${1\n"), 1, "unterminated \"${\"", 1},
	{"unterminated $(", "regexp", T("/(a)/ $(1\n"), 1, "unterminated \"$(\"", 1},
	{"empty ${}", "regexp", T("/a/ ${}\n"), 1, "\"$\" without a group number", 1},
	{"$0", "regexp", T("/(a)/ $0\n"), 1, "group number \"$0\" in the result is out of range", 1},
	{"$100", "regexp", T("/(a)/ $100\n"), 1, "\"$100\" in the result is out of range", 1},
	{"${1x}", "regexp", T("/(a)/ ${1x}\n"), 1, "\"$1x\" in the result is not a group", 1},
	{"bad bracket", "regexp", T("/[a/ x\n"), 1, "bad pattern: ", 1},
	{"bad interval", "regexp", T("/a{2,1}/ x\n"), 1, "bad pattern: ", 1},
	{"back-reference (sallyport only)", "regexp", T("/(a)\\1/ x\n"), 1,
	 "back-reference \\1 in the pattern", 1},
	{"back-reference in the second pattern", "regexp", T("/a/!/(b)\\1/ x\n"), 1,
	 "back-reference \\1", 1},
	{"back-reference in an if", "regexp", T("if /(b)\\1/\nendif\n"), 1, "back-reference \\1", 1},
	{"leading whitespace on the first line", "regexp", T("  /a/ x\n"), 1, "continues nothing", 1},
	{"NUL byte", "regexp", T("/a/ x\0y\n"), 1, "NUL byte", 1},
	{"if with no pattern", "regexp", T("if\nendif\n"), 1, "no pattern", 1},
	{"only negation", "regexp", T("!\n"), 1, "no pattern", 1},
	{"unknown flag on the second pattern", "regexp", T("/a/i!/b/q x\n"), 1,
	 "unknown regexp flag \"q\"", 1},
	{"unclosed second pattern", "regexp", T("/a/!/b x\n"), 1, "no closing delimiter", 1},
	{"error on line 2 of 3", "regexp", T("/a/ x\n/b/z y\n/c/ z\n"), 2, "flag \"z\"", 1},
	{"two errors", "regexp", T("/a\n/b\n"), 1, "no closing delimiter", 2},
	{"escaped closing delimiter", "regexp", T("/abc\\/ x\n"), 1, "no closing delimiter", 1},
	{"trailing backslash (Postfix's regexp reads /abc)", "regexp", T("/abc\\\n"), 1,
	 "no closing delimiter", 1},
	{"backslash delimiter", "regexp", T("\\abc\\ x\n"), 1, "no closing delimiter \"\\\"", 1},
	{"unknown 8-bit flag shown escaped", "regexp", T("/a/\xff x\n"), 1,
	 "unknown regexp flag \"\\xff\"", 1},
	{"line numbers after comments", "regexp", T("# c\n\n/a/ x\n# d\n/b\n"), 5,
	 "no closing delimiter", 1},
	{"line number of a continued line", "regexp", T("/a/ x\n/b/ y\n z\n/c\n"), 4,
	 "no closing delimiter", 1},
	{"substitution refused (NO_REGSUB)", "regexp", T("/(a)/ $1\n"), 1,
	 "$1 substitution is not allowed", 1, SP_DICT_NO_REGSUB},
	{"unknown pcre flag", "pcre", T("/a/z x\n"), 1, "unknown pcre flag \"z\"", 1},
	{"no second pattern in pcre", "pcre", T("/a/!/b/ x\n"), 1, "unknown pcre flag \"!\"", 1},
	{"unclosed pcre group", "pcre", T("/(?<n>a/ x\n"), 1, "bad pattern at offset", 1},
	{"unmatched )", "pcre", T("/a)/ x\n"), 1, "bad pattern at offset 1", 1},
	{"pcre $2 but one group", "pcre", T("/(a)/ $2\n"), 1,
	 "$2 in the result, but the pattern has 1 group(s)", 1},
	{"pcre \\$1 is $1", "pcre", T("/a/ \\$1\n"), 1, "$1 in the result, but the pattern has 0", 1},
	{"pcre negated $1", "pcre", T("!/(a)/ $1\n"), 1, "negated pattern", 1},
	{"pcre text after if", "pcre", T("if /a/ /b/ x\nendif\n"), 1, "text after the pattern", 1},
	{"pcre only backslash-escaped closing", "pcre", T("/\\/ x\n"), 1, "no closing delimiter", 1},
	{"pcre two endifs", "pcre", T("endif\nendif\n"), 1, "\"endif\" without \"if\"", 2},
	{"pcre error after comments", "pcre", T("#c\n\n/a/ x\n/b\n"), 4, "no closing delimiter", 1},
	{"pcre bad pattern on line 2", "pcre", T("/a/ x\n/(b/ y\n"), 2, "bad pattern", 1},
	{"pcre NUL in continuation", "pcre", T("/a/ x\n  \0\n"), 1, "NUL byte", 1},
	{"pcre substitution refused", "pcre", T("/(a)/ $1\n"), 1, "substitution is not allowed",
	 1, SP_DICT_NO_REGSUB},
	{"pcre unknown request", "pcre", T("REJECT /a/\n"), 1, "unrecognized line", 1},
	{"pcre parse and compile errors together", "pcre", T("/a\n/(b/ c\n"), 1,
	 "no closing delimiter", 2},
};

/* The first error in dg, or NULL. */
static const struct sp_diag *pt_first_error(const struct sp_diags *dg)
{
	for (size_t i = 0; i < dg->n; i++) {
		if (dg->v[i].sev == SP_ERROR)
			return &dg->v[i];
	}
	return NULL;
}

static void test_invalid_tables(void **state)
{
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < NROWS(pt_invalid_rows); i++) {
		const struct pt_invalid *r = &pt_invalid_rows[i];
		struct sp_diags dg = {0};
		char err[512] = "";
		struct sp_dict *d = pt_open(r->type, r->table, r->len, r->flags, &dg, err,
					    sizeof(err));
		const struct sp_diag *e = pt_first_error(&dg);

		ROW_CHECK(&fails, "invalid", i, r->label, d == NULL, "open succeeded");
		ROW_CHECK(&fails, "invalid", i, r->label, dg.errors == r->errors,
			  "%zu errors, want %zu (first: %s)", dg.errors, r->errors,
			  e ? e->what : "-");
		ROW_CHECK(&fails, "invalid", i, r->label,
			  e && e->line == r->line && sp_has(e->what, r->what) &&
			  e->file && sp_has(e->file, "sallyport-pt-"),
			  "first error line %d \"%s\", want line %d with \"%s\"", e ? e->line : 0,
			  e ? e->what : "-", r->line, r->what);
		ROW_CHECK(&fails, "invalid", i, r->label, sp_has(err, "error(s) in the table"),
			  "err \"%s\"", err);
		sp_dict_close(&d);
		sp_diags_free(&dg);
	}
	sp_rows_done(fails, "invalid", NROWS(pt_invalid_rows));
}

/* ---- the parsed form (pattern_table.h, no compiler) -------------------- */

static const struct sp_pt_syntax pt_re = {"regexp", "imx", "", 1};
static const struct sp_pt_syntax pt_pcre = {"pcre", "imsxAEUX", "X", 0};

static void test_parse_structure(void **state)
{
	static const char text[] =
		"if !/a\\/b/im\n"
		"@x@!!/y/x ${1}-$$-$(2)\n"
		"endif\n"
		"/z/ \n";
	struct sp_pt_table t = {0};
	struct sp_diags dg = {0};
	const struct sp_pt_rule *r;

	(void)state;
	assert_int_equal(sp_pt_parse(text, sizeof(text) - 1, "f", &pt_re, 0, &t, &dg), 0);
	assert_int_equal(t.n, 4);
	assert_int_equal(t.max_group, 2);
	r = &t.v[0];
	assert_int_equal(r->op, SP_PT_IF);
	assert_int_equal(r->line, 1);
	assert_string_equal(r->pat.text, "a\\/b");
	assert_int_equal(r->pat.negated, 1);
	assert_int_equal(r->pat.toggles, 3);   /* i and m */
	assert_true(sp_pt_toggled(&pt_re, &r->pat, 'm'));
	assert_false(sp_pt_toggled(&pt_re, &r->pat, 'x'));
	assert_int_equal(r->endif, 2);
	r = &t.v[1];
	assert_int_equal(r->op, SP_PT_MATCH);
	assert_string_equal(r->pat.text, "x");
	assert_int_equal(r->pat.toggles, 0);
	assert_string_equal(r->pat2.text, "y");
	assert_int_equal(r->pat2.negated, 0);
	assert_int_equal(r->pat2.toggles, 4);  /* x */
	assert_string_equal(r->lit, "-$-");
	assert_int_equal(r->nparts, 3);
	assert_int_equal(r->parts[0].group, 1);
	assert_int_equal(r->parts[1].group, 0);
	assert_int_equal(r->parts[1].len, 3);
	assert_int_equal(r->parts[2].group, 2);
	assert_int_equal(r->max_group, 2);
	assert_int_equal(t.v[2].op, SP_PT_ENDIF);
	assert_int_equal(t.v[2].line, 3);
	assert_int_equal(t.v[3].nparts, 0);
	assert_int_equal(t.v[3].litlen, 0);
	assert_int_equal(dg.n, 1);             /* the empty result */
	assert_int_equal(sp_diags_count(&dg, SP_WARNING, "no result"), 1);
	sp_pt_free(&t);
	sp_diags_free(&dg);

	/* pcre: '!' after the flags is a flag, not a second pattern; X warns. */
	assert_int_equal(sp_pt_parse(T("/a/X!/b/ x\n"), "f", &pt_pcre, 0, &t, &dg), 1);
	assert_int_equal(sp_diags_count(&dg, SP_WARNING, "does nothing"), 1);
	assert_int_equal(sp_diags_count(&dg, SP_ERROR, "unknown pcre flag \"!\""), 1);
	sp_pt_free(&t);
	sp_diags_free(&dg);
}

/* sp_pt_expand takes group text from the key by offsets, and skips unset
 * and empty spans. */
static void test_expand(void **state)
{
	struct sp_pt_table t = {0};
	struct sp_diags dg = {0};
	struct sp_buf out;
	const size_t ov[] = {0, 5, 1, 3, SIZE_MAX, SIZE_MAX, 4, 4};

	(void)state;
	sp_buf_init(&out, 16);
	assert_int_equal(sp_pt_parse(T("/x/ <$1|$2|$3|$4>\n"), "f", &pt_pcre, 0, &t, &dg), 0);
	assert_int_equal(sp_pt_expand(&t.v[0], "abcde", 5, ov, 4, &out), 0);
	assert_string_equal(sp_buf_str(&out), "<bc|||>");
	sp_buf_reset(&out);
	assert_int_equal(sp_pt_expand(&t.v[0], "abcde", 5, ov, 1, &out), 0);
	assert_string_equal(sp_buf_str(&out), "<|||>");
	sp_buf_reset(&out);
	assert_int_equal(sp_buf_adds(&out, "0123456789abc"), 0);
	assert_int_equal(sp_pt_expand(&t.v[0], "abcde", 5, ov, 4, &out), -1);  /* past 16 */
	sp_buf_free(&out);
	sp_pt_free(&t);
	sp_diags_free(&dg);
}

/* ---- bounds ------------------------------------------------------------ */

/* Builds n copies of piece, between prefix and suffix. */
static char *pt_repeat(const char *prefix, const char *piece, size_t n, const char *suffix,
		       size_t *len)
{
	size_t pl = strlen(prefix), kl = strlen(piece), sl = strlen(suffix);
	char *s = malloc(pl + kl * n + sl + 1), *p = s;

	if (s == NULL)
		abort();
	memcpy(p, prefix, pl);
	p += pl;
	for (size_t i = 0; i < n; i++, p += kl)
		memcpy(p, piece, kl);
	memcpy(p, suffix, sl + 1);
	*len = pl + kl * n + sl;
	return s;
}

/* Opens type with text and checks that it fails with one error containing what. */
static void pt_expect_error(const char *type, const char *text, size_t len, int line,
			    const char *what)
{
	struct sp_diags dg = {0};
	char err[512];
	struct sp_dict *d = pt_open(type, text, len, 0, &dg, err, sizeof(err));
	const struct sp_diag *e = pt_first_error(&dg);

	assert_null(d);
	assert_non_null(e);
	if (!sp_has(e->what, what) || e->line != line)
		fail_msg("line %d \"%s\", want line %d \"%s\"", e->line, e->what, line, what);
	assert_int_equal(dg.errors, 1);
	sp_diags_free(&dg);
}

static void test_bounds(void **state)
{
	size_t len;
	char *s;
	struct sp_diags dg = {0};
	char err[512];
	struct sp_dict *d;

	(void)state;
	/* 64 levels of if are fine, 65 are not. */
	s = pt_repeat("", "if /a/\n", SP_PT_NEST_MAX, "", &len);
	{
		size_t l2;
		char *t2 = pt_repeat(s, "endif\n", SP_PT_NEST_MAX, "", &l2);
		d = pt_open("regexp", t2, l2, 0, &dg, err, sizeof(err));
		assert_non_null(d);
		sp_dict_close(&d);
		free(t2);
	}
	free(s);
	s = pt_repeat("", "if /a/\n", SP_PT_NEST_MAX + 1, "", &len);
	{
		size_t l2;
		char *t2 = pt_repeat(s, "endif\n", SP_PT_NEST_MAX + 1, "", &l2);
		pt_expect_error("pcre", t2, l2, SP_PT_NEST_MAX + 1, "nested deeper than 64");
		free(t2);
	}
	free(s);

	/* A pattern of SP_PT_PATTERN_MAX bytes is fine (for regexp; PCRE2's
	 * compiled form of 64 KiB of literals passes its own limit); one more
	 * is not. */
	s = pt_repeat("/", "a", SP_PT_PATTERN_MAX, "/ x\n", &len);
	d = pt_open("regexp", s, len, 0, &dg, err, sizeof(err));
	assert_non_null(d);
	sp_dict_close(&d);
	free(s);
	s = pt_repeat("/", "a", SP_PT_PATTERN_MAX + 1, "/ x\n", &len);
	pt_expect_error("regexp", s, len, 1, "pattern longer than 65536 bytes");
	free(s);

	/* A literal result past SP_DICT_VALUE_MAX. */
	s = pt_repeat("/a/ ", "r", SP_DICT_VALUE_MAX + 1, "\n", &len);
	pt_expect_error("pcre", s, len, 1, "result longer than");
	free(s);
	sp_diags_free(&dg);
}

/* A result whose substitutions pass SP_DICT_VALUE_MAX fails the lookup. */
static void test_result_too_long_at_lookup(void **state)
{
	size_t len;
	char *s = pt_repeat("/^(.*)$/ ", "$1", 300, "\n", &len);
	char *key = malloc(SP_DICT_KEY_MAX + 1);
	char err[512];
	const char *v;
	struct sp_dict *d;

	(void)state;
	assert_non_null(key);
	memset(key, 'k', SP_DICT_KEY_MAX);
	key[SP_DICT_KEY_MAX] = 0;
	for (int k = 0; k < 2; k++) {
		d = pt_open(k ? "pcre" : "regexp", s, len, 0, NULL, err, sizeof(err));
		assert_non_null(d);
		assert_int_equal(sp_dict_lookup(d, key, &v, err, sizeof(err)), -1);
		assert_true(sp_has(err, "line 1: result longer than"));
		assert_int_equal(sp_dict_lookup(d, "short", &v, err, sizeof(err)), 1);
		assert_int_equal(strlen(v), 300 * 5);
		sp_dict_close(&d);
	}
	free(key);
	free(s);
}

/* A hostile key against a pattern that backtracks: a bounded lookup error
 * naming the line, never a silent skip to the next rule. */
static void test_pcre_match_limit(void **state)
{
	static const char table[] = "/^x/ first\n/^(a+)+$/ nested\n/./ any\n";
	char key[SP_DICT_KEY_MAX + 1], err[512];
	const char *v;
	struct sp_dict *d;

	(void)state;
	d = pt_open("pcre", table, sizeof(table) - 1, 0, NULL, err, sizeof(err));
	assert_non_null(d);
	memset(key, 'a', 64);
	key[64] = '!';
	key[65] = 0;
	assert_int_equal(sp_dict_lookup(d, key, &v, err, sizeof(err)), -1);
	assert_true(sp_has(err, "line 2: matching failed: match limit exceeded"));
	assert_int_equal(sp_dict_lookup(d, "aaaa", &v, err, sizeof(err)), 1);
	assert_string_equal(v, "nested");
	assert_int_equal(sp_dict_lookup(d, "b", &v, err, sizeof(err)), 1);
	assert_string_equal(v, "any");
	sp_dict_close(&d);
}

/* Opening without diags still tells what is wrong; listing is refused. */
static void test_open_errors(void **state)
{
	char err[512];
	struct sp_dict *d;

	(void)state;
	d = pt_open("regexp", T("/a/ x\n/b\n/c/q y\n"), 0, NULL, err, sizeof(err));
	assert_null(d);
	assert_true(sp_has(err, "2 error(s) in the table; the first, line 2: no closing "
			   "delimiter \"/\""));
	d = sp_dict_open("pcre:/nonexistent/sallyport/table", 0, NULL, err, sizeof(err));
	assert_null(d);
	assert_true(sp_has(err, "No such file"));
	d = pt_open("pcre", T("/a/ x\n"), 0, NULL, err, sizeof(err));
	assert_non_null(d);
	assert_int_equal(sp_dict_each(d, NULL, NULL, err, sizeof(err)), -1);
	assert_string_equal(sp_dict_type(d), "pcre");
	sp_dict_close(&d);
	assert_null(d);
}

/* SP_DICT_NO_REGSUB refuses $N but keeps $$. */
static void test_no_regsub(void **state)
{
	char err[512];
	const char *v;
	struct sp_dict *d;

	(void)state;
	for (int k = 0; k < 2; k++) {
		d = pt_open(k ? "pcre" : "regexp", T("/(a)/ $$ and $$$$\n"), SP_DICT_NO_REGSUB, NULL,
			    err, sizeof(err));
		assert_non_null(d);
		assert_int_equal(sp_dict_lookup(d, "a", &v, err, sizeof(err)), 1);
		assert_string_equal(v, "$ and $$");
		sp_dict_close(&d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_lookups),
		cmocka_unit_test(test_invalid_tables),
		cmocka_unit_test(test_parse_structure),
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_result_too_long_at_lookup),
		cmocka_unit_test(test_pcre_match_limit),
		cmocka_unit_test(test_open_errors),
		cmocka_unit_test(test_no_regsub),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
