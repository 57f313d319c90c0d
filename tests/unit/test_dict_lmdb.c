/*
 * test_dict_lmdb.c - indexed tables: the compiler (dict/compile.h) and the
 * lmdb: type behind hash:, btree: and lmdb: (dict/dict_lmdb.c): build,
 * lookup, listing, folding and -f, duplicates, -i, permissions, the
 * on-disk layout Postfix shares, and the errors for missing, Berkeley DB
 * and stale files. Also the source format (dict/mapsrc.c) with valid and
 * malformed tables, and texthash: against the same sources.
 *
 * Oracle: postmap 3.7.11 with postfix-lmdb (postmap lmdb:FILE, -q, -s).
 * Where sallyport differs on purpose, the row or test says so.
 */
#include "unit.h"

#include "dict/compile.h"
#include "dict/dict.h"
#include "dict/mapsrc.h"
#include "util/buf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---------------------------------------------------------------- fixture */

struct tdir {
	char dir[256];
	char path[300];    /* dir/t, the source file */
};

static struct tdir T;

static void put_bytes(const char *path, const char *data, size_t len)
{
	FILE *fp = fopen(path, "wb");

	if (fp == NULL || fwrite(data, 1, len, fp) != len || fclose(fp) != 0)
		fail_msg("write %s: %s", path, strerror(errno));
}

static void put_file(const char *path, const char *text)
{
	put_bytes(path, text, strlen(text));
}

static int rm_tree(const char *dir)
{
	DIR *dp = opendir(dir);
	struct dirent *e;
	char p[1200];

	if (dp == NULL)
		return -1;
	while ((e = readdir(dp)) != NULL) {
		struct stat st;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
			rm_tree(p);
		else
			unlink(p);
	}
	closedir(dp);
	return rmdir(dir);
}

static int setup(void **state)
{
	const char *tmp = getenv("TMPDIR");

	(void)state;
	snprintf(T.dir, sizeof(T.dir), "%s/sallyport-lmdb-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(T.dir) == NULL)
		return -1;
	chmod(T.dir, 0755);
	snprintf(T.path, sizeof(T.path), "%s/t", T.dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return rm_tree(T.dir);
}

/* Compiles TYPE:T.path from text; returns sp_dict_compile's result. */
static int build(const char *type, const char *text, unsigned flags, struct sp_diags *d,
		 char *err, size_t errlen)
{
	char spec[700];

	put_file(T.path, text);
	snprintf(spec, sizeof(spec), "%s:%s", type, T.path);
	return sp_dict_compile(spec, flags, d, err, errlen);
}

/* Builds hash:T.path and fails the test on errors or diagnostics. */
static void build_clean(const char *text, unsigned flags)
{
	struct sp_diags d = {0};
	char err[1024] = "";

	if (build("hash", text, flags, &d, err, sizeof(err)) != 0)
		fail_msg("build: %s", err);
	if (d.n != 0)
		fail_msg("build: %zu diagnostics, first: %s", d.n, d.v[0].what);
	sp_diags_free(&d);
}

static struct sp_dict *open_t(const char *type, unsigned flags, struct sp_diags *d)
{
	char spec[700], err[1024] = "";
	struct sp_dict *dict;

	snprintf(spec, sizeof(spec), "%s:%s", type, T.path);
	if ((dict = sp_dict_open(spec, flags, d, err, sizeof(err))) == NULL)
		fail_msg("open %s: %s", spec, err);
	return dict;
}

/* The value of key (static copy), or NULL when not found. */
static const char *get(struct sp_dict *d, const char *key)
{
	static char out[256];
	char err[512];
	const char *v;
	int rc = sp_dict_lookup(d, key, &v, err, sizeof(err));

	if (rc < 0)
		fail_msg("lookup %s: %s", key, err);
	if (rc == 0)
		return NULL;
	snprintf(out, sizeof(out), "%s", v);
	return out;
}

static int collect(void *ctx, const char *key, const char *value)
{
	struct sp_buf *b = ctx;

	sp_buf_adds(b, key);
	sp_buf_addc(b, '\t');
	sp_buf_adds(b, value);
	sp_buf_addc(b, '\n');
	return 0;
}

/* "key\tvalue\n" for each entry, in table order (as postmap -s). */
static char *list(struct sp_dict *d)
{
	struct sp_buf b;
	char err[512];

	sp_buf_init(&b, 1u << 24);
	if (sp_dict_each(d, collect, &b, err, sizeof(err)) != 0)
		fail_msg("each: %s", err);
	return sp_buf_take(&b);
}

static void lmdb_path(char *out, size_t n)
{
	snprintf(out, n, "%s.lmdb", T.path);
}

/* Number of directory entries other than . and .. */
static int dir_entries(void)
{
	DIR *dp = opendir(T.dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(dp);
	while ((e = readdir(dp)) != NULL)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(dp);
	return n;
}

/* Sets a file's modification time to now + delta seconds. */
static void set_mtime(const char *path, long delta)
{
	struct timespec ts[2];

	clock_gettime(CLOCK_REALTIME, &ts[0]);
	ts[0].tv_sec += delta;
	ts[1] = ts[0];
	if (utimensat(AT_FDCWD, path, ts, 0) != 0)
		fail_msg("utimensat %s: %s", path, strerror(errno));
}

/* ----------------------------------------------------- build and lookup */

struct look_row {
	const char *key;
	const char *want;   /* NULL: not found */
};

/* The story: smtpd_sender_login_maps = hash:/etc/postfix/controlled_envelope_senders. */
static const char SENDERS[] =
	"# envelope sender             owners (SASL login names)\n"
	"postmaster@example.com        admin\n"
	"Info@Example.COM              alice, bob\n"
	"@example.net                  carol\n"
	"\"quoted name\"@example.com     dave\n"
	"sales@example.com             eve\n"
	"  , frank\n"
	"\n"
	"multi@example.com\tgrace\t\n";

/* postmap -q on the same source gives these answers. */
static const struct look_row senders_rows[] = {
	{"postmaster@example.com", "admin"},
	{"POSTMASTER@EXAMPLE.COM", "admin"},
	{"info@example.com", "alice, bob"},
	{"INFO@example.com", "alice, bob"},
	{"@example.net", "carol"},
	{"@EXAMPLE.NET", "carol"},
	{"\"quoted name\"@example.com", "dave"},
	{"quoted name@example.com", NULL},
	{"sales@example.com", "eve  , frank"},
	{"multi@example.com", "grace"},
	{"nobody@example.com", NULL},
	{"example.com", NULL},
	{"", NULL},
	{"postmaster@example.com ", NULL},
	{"postmaster", NULL},
};

static void test_build_and_lookup(void **state)
{
	static const char *const types[] = {"hash", "lmdb", "btree"};
	int fails = 0;

	(void)state;
	build_clean(SENDERS, SP_DICT_FOLD);
	for (size_t t = 0; t < NROWS(types); t++) {
		struct sp_dict *d = open_t(types[t], SP_DICT_FOLD, NULL);
		for (size_t i = 0; i < NROWS(senders_rows); i++) {
			const char *got = get(d, senders_rows[i].key);
			ROW_CHECK(&fails, types[t], i, senders_rows[i].key,
				  sp_streq(got, senders_rows[i].want), "got %s, want %s",
				  sp_shows(got), sp_shows(senders_rows[i].want));
		}
		assert_string_equal(sp_dict_type(d), types[t]);
		assert_string_equal(sp_dict_name(d), T.path);
		sp_dict_close(&d);
		assert_null(d);
	}
	sp_rows_done(fails, "senders", NROWS(senders_rows) * NROWS(types));
}

static void test_list(void **state)
{
	struct sp_dict *d;
	char *got;

	(void)state;
	build_clean(SENDERS, SP_DICT_FOLD);
	d = open_t("hash", SP_DICT_FOLD, NULL);
	got = list(d);
	/* postmap -s lmdb: prints the same lines in the same order */
	assert_string_equal(got, "\"quoted name\"@example.com\tdave\n"
				 "@example.net\tcarol\n"
				 "info@example.com\talice, bob\n"
				 "multi@example.com\tgrace\n"
				 "postmaster@example.com\tadmin\n"
				 "sales@example.com\teve  , frank\n");
	free(got);
	sp_dict_close(&d);
}

static int stop_at_second(void *ctx, const char *key, const char *value)
{
	int *n = ctx;

	(void)key;
	(void)value;
	return ++*n == 2 ? 42 : 0;
}

static void test_list_stops(void **state)
{
	struct sp_dict *d;
	char err[256];
	int n = 0;

	(void)state;
	build_clean("a 1\nb 2\nc 3\n", SP_DICT_FOLD);
	d = open_t("lmdb", SP_DICT_FOLD, NULL);
	assert_int_equal(sp_dict_each(d, stop_at_second, &n, err, sizeof(err)), 42);
	assert_int_equal(n, 2);
	sp_dict_close(&d);
}

/* -f: keys kept as written; lookups then must not fold either. */
static void test_nofold(void **state)
{
	struct sp_dict *d;
	char *got;

	(void)state;
	build_clean("Foo@Example.COM 1\nbar 2\n", 0);
	d = open_t("hash", 0, NULL);
	assert_string_equal(get(d, "Foo@Example.COM"), "1");
	assert_null(get(d, "foo@example.com"));
	assert_null(get(d, "FOO@EXAMPLE.COM"));
	assert_string_equal(get(d, "bar"), "2");
	assert_null(get(d, "BAR"));
	got = list(d);
	assert_string_equal(got, "Foo@Example.COM\t1\nbar\t2\n");
	free(got);
	sp_dict_close(&d);
	/* a folding reader folds the query, so the mixed-case key is out of reach (postmap -q too) */
	d = open_t("hash", SP_DICT_FOLD, NULL);
	assert_null(get(d, "Foo@Example.COM"));
	assert_string_equal(get(d, "BAR"), "2");
	sp_dict_close(&d);
	/* folded build, non-folding reader: only the lower-case form is found */
	build_clean("Foo 1\n", SP_DICT_FOLD);
	d = open_t("hash", 0, NULL);
	assert_string_equal(get(d, "foo"), "1");
	assert_null(get(d, "Foo"));
	sp_dict_close(&d);
}

/* postmap keeps the first entry and warns for the others; we say where. */
static void test_duplicates(void **state)
{
	struct sp_diags d = {0};
	char err[512] = "";
	struct sp_dict *dict;

	(void)state;
	assert_int_equal(build("hash", "foo 1\nbar 2\nFOO 3\n# c\nbar 4\nfoo 5\nbaz 6\n",
			       SP_DICT_FOLD, &d, err, sizeof(err)), 0);
	assert_int_equal(d.n, 3);
	assert_int_equal(d.errors, 0);
	assert_int_equal(d.v[0].sev, SP_WARNING);
	assert_string_equal(d.v[0].file, T.path);
	assert_int_equal(d.v[0].line, 3);
	assert_string_equal(d.v[0].what, "duplicate entry: \"foo\"");
	assert_null(d.v[0].fix);
	assert_int_equal(d.v[1].line, 5);
	assert_string_equal(d.v[1].what, "duplicate entry: \"bar\"");
	assert_int_equal(d.v[2].line, 6);
	assert_string_equal(d.v[2].what, "duplicate entry: \"foo\"");
	sp_diags_free(&d);
	dict = open_t("hash", SP_DICT_FOLD, NULL);
	assert_string_equal(get(dict, "foo"), "1");
	assert_string_equal(get(dict, "bar"), "2");
	assert_string_equal(get(dict, "baz"), "6");
	sp_dict_close(&dict);
	/* with -f, case variants are different keys */
	assert_int_equal(build("hash", "foo 1\nFOO 3\n", 0, &d, err, sizeof(err)), 0);
	assert_int_equal(d.n, 0);
	sp_diags_free(&d);
}

/* Diagnostics come in line order, whichever stage found them. */
static void test_diag_order(void **state)
{
	struct sp_diags d = {0};
	char err[512] = "";

	(void)state;
	assert_int_equal(build("hash", "a 1\na 2\nb\nc\xff 1\nd: 1\na 3\n", SP_DICT_FOLD, &d, err,
			       sizeof(err)), 0);
	assert_int_equal(d.n, 5);
	assert_int_equal(d.v[0].line, 2);
	assert_true(sp_has(d.v[0].what, "duplicate entry: \"a\""));
	assert_int_equal(d.v[1].line, 3);
	assert_true(sp_has(d.v[1].what, "expected format"));
	assert_int_equal(d.v[2].line, 4);
	assert_true(sp_has(d.v[2].what, "non-UTF-8 input"));
	assert_int_equal(d.v[3].line, 5);
	assert_true(sp_has(d.v[3].what, "alias file"));
	assert_int_equal(d.v[4].line, 6);
	sp_diags_free(&d);
}

/* Runs the compiler with standard input read from text (postmap -i). */
static int build_stdin(const char *spec, const char *text, unsigned flags, struct sp_diags *d,
		       char *err, size_t errlen)
{
	char in[700];
	int saved = dup(0), fd, rc;

	snprintf(in, sizeof(in), "%s/stdin", T.dir);
	put_file(in, text);
	fd = open(in, O_RDONLY);
	assert_true(saved >= 0 && fd >= 0);
	dup2(fd, 0);
	close(fd);
	rc = sp_dict_compile(spec, flags, d, err, errlen);
	dup2(saved, 0);
	close(saved);
	unlink(in);
	return rc;
}

static void test_incremental(void **state)
{
	struct sp_diags d = {0};
	char spec[700], path[700], err[512] = "";
	struct stat before, after;
	struct sp_dict *dict;
	char *got;

	(void)state;
	build_clean("old 1\nkeep 2\n", SP_DICT_FOLD);
	lmdb_path(path, sizeof(path));
	chmod(path, 0640);
	assert_int_equal(stat(path, &before), 0);
	/* the source file itself is not read with -i: only standard input */
	put_file(T.path, "ignored 0\n");
	snprintf(spec, sizeof(spec), "hash:%s", T.path);
	assert_int_equal(build_stdin(spec, "New 3\nold 9\nnew 4\nzz\n", SP_DICT_FOLD |
				     SP_COMPILE_INCREMENTAL, &d, err, sizeof(err)), 0);
	assert_int_equal(d.n, 3);
	assert_string_equal(d.v[0].file, "stdin");
	assert_int_equal(d.v[0].line, 2);
	assert_string_equal(d.v[0].what, "duplicate entry: \"old\"");
	assert_int_equal(d.v[1].line, 3);
	assert_string_equal(d.v[1].what, "duplicate entry: \"new\"");
	assert_int_equal(d.v[2].line, 4);
	assert_true(sp_has(d.v[2].what, "expected format"));
	sp_diags_free(&d);
	assert_int_equal(stat(path, &after), 0);
	assert_true(before.st_ino != after.st_ino);     /* replaced, not rewritten */
	assert_int_equal(after.st_mode & 07777, 0640);  /* the old table's mode stays */
	dict = open_t("hash", SP_DICT_FOLD, NULL);
	got = list(dict);
	assert_string_equal(got, "keep\t2\nnew\t3\nold\t1\n");
	free(got);
	sp_dict_close(&dict);
	/* -i without a table yet creates one */
	unlink(path);
	assert_int_equal(build_stdin(spec, "a 1\n", SP_DICT_FOLD | SP_COMPILE_INCREMENTAL, &d, err,
				     sizeof(err)), 0);
	assert_int_equal(d.n, 0);
	dict = open_t("hash", SP_DICT_FOLD, NULL);
	assert_string_equal(get(dict, "a"), "1");
	assert_null(get(dict, "ignored"));
	sp_dict_close(&dict);
	assert_int_equal(dir_entries(), 2);  /* t and t.lmdb: no temporary file left */
}

/* A reader that opened the table before a rebuild keeps reading the old
 * one, whole: the rebuild replaces the file, it never writes into it. */
static void test_atomic_replace(void **state)
{
	struct sp_dict *old, *now;

	(void)state;
	build_clean("k old\nonly-old 1\n", SP_DICT_FOLD);
	old = open_t("hash", SP_DICT_FOLD, NULL);
	build_clean("k new\nonly-new 1\n", SP_DICT_FOLD);
	now = open_t("hash", SP_DICT_FOLD, NULL);
	assert_string_equal(get(old, "k"), "old");
	assert_string_equal(get(old, "only-old"), "1");
	assert_null(get(old, "only-new"));
	assert_string_equal(get(now, "k"), "new");
	assert_null(get(now, "only-old"));
	sp_dict_close(&old);
	sp_dict_close(&now);
	assert_int_equal(dir_entries(), 2);
}

static void test_empty_sources(void **state)
{
	static const char *const texts[] = {"", "# only a comment\n", "#\n  # more\n\n \t\n",
					    "\n\n\n"};
	struct sp_dict *d;
	char *got;

	(void)state;
	for (size_t i = 0; i < NROWS(texts); i++) {
		build_clean(texts[i], SP_DICT_FOLD);
		d = open_t("hash", SP_DICT_FOLD, NULL);
		assert_null(get(d, "anything"));
		assert_null(get(d, ""));
		got = list(d);
		assert_string_equal(got, "");
		free(got);
		sp_dict_close(&d);
	}
}

/* ------------------------------------------------------- open errors */

static void open_fails(const char *spec, const char *want1, const char *want2)
{
	char err[1024] = "";
	struct sp_dict *d = sp_dict_open(spec, SP_DICT_FOLD, NULL, err, sizeof(err));

	if (d != NULL)
		fail_msg("%s: opened", spec);
	if (!sp_has(err, want1) || !sp_has(err, want2))
		fail_msg("%s: error \"%s\", want \"%s\" and \"%s\"", spec, err, want1, want2);
}

static void test_missing_compiled(void **state)
{
	char spec[700], want[1600], db[400];

	(void)state;
	put_file(T.path, "a 1\n");
	snprintf(spec, sizeof(spec), "hash:%s", T.path);
	snprintf(want, sizeof(want), "%s.lmdb does not exist; run: sallyport map hash:%s", T.path,
		 T.path);
	open_fails(spec, want, "");
	snprintf(spec, sizeof(spec), "lmdb:%s", T.path);
	snprintf(want, sizeof(want), "run: sallyport map lmdb:%s", T.path);
	open_fails(spec, want, "");
	/* a Berkeley DB file from postmap hash: is named, and not read */
	snprintf(db, sizeof(db), "%s.db", T.path);
	put_file(db, "not really Berkeley DB");
	snprintf(spec, sizeof(spec), "hash:%s", T.path);
	snprintf(want, sizeof(want), "but %s.db does: that is a Berkeley DB file from Postfix's "
		 "postmap, which sallyport does not read; run: sallyport map hash:%s", T.path,
		 T.path);
	open_fails(spec, want, "");
	unlink(db);
	open_fails("hash:", "need a file name", "");
}

static void test_bad_compiled(void **state)
{
	char spec[700], path[700];

	(void)state;
	lmdb_path(path, sizeof(path));
	snprintf(spec, sizeof(spec), "hash:%s", T.path);
	put_file(path, "");
	open_fails(spec, "is not an LMDB file", "empty file");
	put_file(path, "this is text, not LMDB, and long enough to hold a header or two ..........."
		       "............................................................................");
	open_fails(spec, "is not an LMDB file", "run: sallyport map hash:");
	unlink(path);
	assert_int_equal(mkdir(path, 0755), 0);
	open_fails(spec, "is not a regular file", "");
	rmdir(path);
}

static void test_stale(void **state)
{
	struct sp_diags d = {0};
	char path[400], want[1600];
	struct sp_dict *dict;

	(void)state;
	build_clean("a 1\n", SP_DICT_FOLD);
	dict = open_t("hash", SP_DICT_FOLD, &d);
	assert_int_equal(d.n, 0);
	sp_dict_close(&dict);
	/* the source edited after the build (postmap warns the same way, after 100 s) */
	set_mtime(T.path, 5);
	dict = open_t("hash", SP_DICT_FOLD, &d);
	assert_string_equal(get(dict, "a"), "1");  /* still usable */
	sp_dict_close(&dict);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.errors, 0);
	lmdb_path(path, sizeof(path));
	snprintf(want, sizeof(want), "%s is older than %s", path, T.path);
	assert_true(sp_has(d.v[0].what, want));
	snprintf(want, sizeof(want), "run: sallyport map hash:%s", T.path);
	assert_string_equal(d.v[0].fix, want);
	sp_diags_free(&d);
	/* a NULL diagnostics list is allowed */
	dict = open_t("hash", SP_DICT_FOLD, NULL);
	sp_dict_close(&dict);
	/* rebuilding clears it */
	build_clean("a 1\n", SP_DICT_FOLD);
	set_mtime(T.path, -5);
	dict = open_t("hash", SP_DICT_FOLD, &d);
	assert_int_equal(d.n, 0);
	sp_dict_close(&dict);
	/* no source file at all: nothing to compare, no warning */
	unlink(T.path);
	dict = open_t("hash", SP_DICT_FOLD, &d);
	assert_int_equal(d.n, 0);
	sp_dict_close(&dict);
}

/* ------------------------------------------------------- build errors */

#define IN(s) s, sizeof(s) - 1

struct err_row {
	const char *label;
	const char *spec;      /* %s is T.path */
	const char *source;    /* written to T.path first; NULL: no file */
	size_t srclen;         /* 0: strlen(source) */
	const char *want_err;  /* substring of err */
	int want_line;         /* line of the first error diagnostic, 0: none */
	const char *want_diag; /* its text */
};

static const struct err_row err_rows[] = {
	{"texthash builds nothing", "texthash:%s", "a 1\n", 0,
	 "texthash: tables are read from their source file; nothing to build"},
	{"cidr builds nothing", "cidr:%s", "a 1\n", 0,
	 "cidr: tables are read from their source file; nothing to build"},
	{"regexp builds nothing", "regexp:%s", "a 1\n", 0,
	 "regexp: tables are read from their source file; nothing to build"},
	{"pcre builds nothing", "pcre:%s", "a 1\n", 0,
	 "pcre: tables are read from their source file; nothing to build"},
	{"inline builds nothing", "inline:%s", "a 1\n", 0,
	 "inline: tables are written in the configuration; nothing to build"},
	{"static builds nothing", "static:%s", "a 1\n", 0,
	 "static: tables are written in the configuration; nothing to build"},
	{"unknown type", "dbm:%s", "a 1\n", 0,
	 "unsupported table type \"dbm\" (sallyport map builds hash, btree and lmdb tables)"},
	{"bad reference", "Hash:%s", "a 1\n", 0, "is not a table reference"},
	{"no file name", "hash:", "a 1\n", 0, "need a file name"},
	{"missing source", "hash:%s", NULL, 0, "read ", 0, NULL},
	{"NUL byte", "hash:%s", IN("a 1\nb 2\0x\n"), "1 error(s) in ", 2, "NUL byte"},
	{"leading whitespace", "hash:%s", "  a 1\n", 0, "nothing was written", 1,
	 "starts with whitespace"},
};

static void test_build_errors(void **state)
{
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < NROWS(err_rows); i++) {
		const struct err_row *r = &err_rows[i];
		struct sp_diags d = {0};
		char spec[700], path[700], err[1024] = "";
		struct stat st;
		int rc;

		lmdb_path(path, sizeof(path));
		unlink(path);
		unlink(T.path);
		if (r->source)
			put_bytes(T.path, r->source, r->srclen ? r->srclen : strlen(r->source));
		snprintf(spec, sizeof(spec), r->spec, T.path);
		rc = sp_dict_compile(spec, SP_DICT_FOLD, &d, err, sizeof(err));
		ROW_CHECK(&fails, "build errors", i, r->label, rc == -1, "rc %d", rc);
		ROW_CHECK(&fails, "build errors", i, r->label, sp_has(err, r->want_err),
			  "error \"%s\", want \"%s\"", err, r->want_err);
		ROW_CHECK(&fails, "build errors", i, r->label, stat(path, &st) != 0,
			  "%s was written", path);
		if (r->want_line) {
			ROW_CHECK(&fails, "build errors", i, r->label,
				  d.n >= 1 && d.v[0].sev == SP_ERROR && d.v[0].line == r->want_line &&
					  sp_has(d.v[0].what, r->want_diag),
				  "first diagnostic %s line %d, want \"%s\" line %d",
				  d.n ? d.v[0].what : "none", d.n ? d.v[0].line : 0, r->want_diag,
				  r->want_line);
		} else {
			ROW_CHECK(&fails, "build errors", i, r->label, d.errors == 0,
				  "%zu error diagnostics", d.errors);
		}
		sp_diags_free(&d);
		ROW_CHECK(&fails, "build errors", i, r->label, dir_entries() <= 1,
			  "%d files left in the directory", dir_entries());
	}
	sp_rows_done(fails, "build errors", NROWS(err_rows));
}

/* Limits: LMDB's key limit (511 bytes with the NUL) and 1 MiB results. */
static void test_limits(void **state)
{
	size_t n;
	char *src = sp_big("", 510, 'k', " v\n", &n);
	char *big;
	struct sp_dict *d;
	struct sp_diags dg = {0};
	char err[512], spec[700];
	const char *v;

	(void)state;
	build_clean(src, SP_DICT_FOLD);
	d = open_t("hash", SP_DICT_FOLD, NULL);
	src[510] = 0;
	assert_string_equal(get(d, src), "v");
	/* longer lookup keys are simply not there (postmap -q: not found too) */
	free(src);
	src = sp_big("", 4000, 'k', "", &n);
	assert_null(get(d, src));
	sp_dict_close(&d);
	free(src);
	/* a value of exactly 1 MiB is the longest that builds and reads back */
	big = sp_big("big ", 1u << 20, 'x', "\nsmall 1\n", &n);
	build_clean(big, SP_DICT_FOLD);
	d = open_t("hash", SP_DICT_FOLD, NULL);
	assert_int_equal(sp_dict_lookup(d, "big", &v, err, sizeof(err)), 1);
	assert_int_equal(strlen(v), 1u << 20);
	assert_true(v[0] == 'x' && v[(1u << 20) - 1] == 'x');
	assert_string_equal(get(d, "small"), "1");
	sp_dict_close(&d);
	free(big);
	big = sp_big("big ", (1u << 20) + 1, 'x', "\n", &n);
	put_file(T.path, big);
	snprintf(spec, sizeof(spec), "hash:%s", T.path);
	assert_int_equal(sp_dict_compile(spec, SP_DICT_FOLD, &dg, err, sizeof(err)), -1);
	assert_int_equal(dg.errors, 1);
	assert_int_equal(dg.v[0].line, 1);
	assert_true(sp_has(dg.v[0].what, "value longer than 1048576 bytes"));
	assert_true(sp_has(err, "nothing was written"));
	sp_diags_free(&dg);
	free(big);
	/* keys: 510 bytes and the NUL is LMDB's limit; postmap stops with MDB_BAD_VALSIZE */
	big = sp_big("a 1\n", 511, 'k', " v\n", &n);
	put_file(T.path, big);
	assert_int_equal(sp_dict_compile(spec, SP_DICT_FOLD, &dg, err, sizeof(err)), -1);
	assert_int_equal(dg.errors, 1);
	assert_int_equal(dg.v[0].line, 2);
	assert_string_equal(dg.v[0].what, "key longer than 510 bytes, which LMDB cannot store");
	sp_diags_free(&dg);
	free(big);
}

/* Many entries: the first map size estimate and the page fill. */
static void test_many_entries(void **state)
{
	struct sp_buf b;
	char line[128];
	struct sp_dict *d;
	int fails = 0;

	(void)state;
	sp_buf_init(&b, 1u << 26);
	for (int i = 0; i < 50000; i++) {
		snprintf(line, sizeof(line), "User%d@Example.com value-%d-%0*d\n", i, i, i % 50, 0);
		sp_buf_adds(&b, line);
	}
	build_clean(sp_buf_str(&b), SP_DICT_FOLD);
	sp_buf_free(&b);
	d = open_t("hash", SP_DICT_FOLD, NULL);
	for (int i = 0; i < 50000; i += 997) {
		char key[64], want[128];
		const char *got;
		snprintf(key, sizeof(key), "USER%d@EXAMPLE.COM", i);
		snprintf(want, sizeof(want), "value-%d-%0*d", i, i % 50, 0);
		got = get(d, key);
		ROW_CHECK(&fails, "many", (size_t)i, key, sp_streq(got, want), "got %s", sp_shows(got));
	}
	sp_dict_close(&d);
	sp_rows_done(fails, "many", (size_t)50);
}

/* UTF-8: lines postmap would skip are skipped; case folds in ASCII only. */
static void test_utf8(void **state)
{
	struct sp_diags d = {0};
	char err[512] = "";
	struct sp_dict *dict;

	(void)state;
	assert_int_equal(build("hash",
			       "caf\xc3\xa9 1\n"         /* valid */
			       "bad\xff 2\n"             /* invalid byte */
			       "k3 v\xc3\n"              /* truncated sequence in the value */
			       "over\xc0\xaf 4\n"        /* overlong '/' */
			       "sur\xed\xa0\x80 5\n"     /* UTF-16 surrogate */
			       "big\xf4\x90\x80\x80 6\n" /* past U+10FFFF */
			       "\xf0\x9f\x93\xa7 7\n"    /* U+1F4E7, valid */
			       "CAF\xc3\x89 8\n",        /* valid, non-ASCII capital */
			       SP_DICT_FOLD, &d, err, sizeof(err)), 0);
	assert_int_equal(d.n, 5);
	for (size_t i = 0; i < d.n; i++) {
		assert_int_equal(d.v[i].line, (int)i + 2);
		assert_string_equal(d.v[i].what, "non-UTF-8 input");
	}
	sp_diags_free(&d);
	dict = open_t("hash", SP_DICT_FOLD, NULL);
	assert_string_equal(get(dict, "caf\xc3\xa9"), "1");
	assert_string_equal(get(dict, "CAF\xc3\xa9"), "1");
	assert_null(get(dict, "bad\xff"));
	assert_string_equal(get(dict, "\xf0\x9f\x93\xa7"), "7");
	/* Postfix folds with Unicode rules (É to é); sallyport folds ASCII only */
	assert_string_equal(get(dict, "caf\xc3\x89"), "8");
	sp_dict_close(&dict);
}

/* --------------------------------------------------- files and owners */

static void test_permissions(void **state)
{
	static const struct {
		mode_t src, want;
	} rows[] = {
		{0644, 0644}, {0640, 0640}, {0600, 0600}, {0604, 0604},
		{0755, 0644}, {0400, 0600}, {0666, 0644}, {0000, 0600},
	};
	char path[700];
	struct stat st;
	int fails = 0;

	(void)state;
	lmdb_path(path, sizeof(path));
	for (size_t i = 0; i < NROWS(rows); i++) {
		char spec[700], err[512] = "";
		struct sp_diags d = {0};

		put_file(T.path, "a 1\n");
		chmod(T.path, rows[i].src);
		snprintf(spec, sizeof(spec), "hash:%s", T.path);
		/* the source must stay readable to us: as non-root skip unreadable rows */
		if (geteuid() != 0 && !(rows[i].src & 0400))
			continue;
		ROW_CHECK(&fails, "permissions", i, "build",
			  sp_dict_compile(spec, SP_DICT_FOLD, &d, err, sizeof(err)) == 0, "%s", err);
		ROW_CHECK(&fails, "permissions", i, "mode",
			  stat(path, &st) == 0 && (st.st_mode & 07777) == rows[i].want,
			  "mode %o, want %o (source %o)", (unsigned)(st.st_mode & 07777),
			  (unsigned)rows[i].want, (unsigned)rows[i].src);
		sp_diags_free(&d);
	}
	chmod(T.path, 0644);
	sp_rows_done(fails, "permissions", NROWS(rows));
}

static void test_owner_as_root(void **state)
{
	char path[400], sub[300], spec[700], err[1024] = "";
	struct sp_diags d = {0};
	struct stat st;

	(void)state;
	if (geteuid() != 0)
		skip();
	put_file(T.path, "a 1\n");
	assert_int_equal(chown(T.path, 4242, 4343), 0);
	build_clean("a 1\n", SP_DICT_FOLD);
	lmdb_path(path, sizeof(path));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_uid, 4242);
	assert_int_equal(st.st_gid, 4343);
	/* root does not build in a directory that other users may write into */
	snprintf(sub, sizeof(sub), "%s/open", T.dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	assert_int_equal(chmod(sub, 0777), 0);
	snprintf(path, sizeof(path), "%s/t", sub);
	put_file(path, "a 1\n");
	snprintf(spec, sizeof(spec), "hash:%s", path);
	assert_int_equal(sp_dict_compile(spec, SP_DICT_FOLD, &d, err, sizeof(err)), -1);
	assert_true(sp_has(err, "is writable by other users: refusing to build"));
	/* the sticky bit (as on /tmp) keeps our file ours: allowed */
	assert_int_equal(chmod(sub, 01777), 0);
	assert_int_equal(sp_dict_compile(spec, SP_DICT_FOLD, &d, err, sizeof(err)), 0);
	sp_diags_free(&d);
}

/* A spec without a type is hash:, as postmap's default_database_type. */
static void test_default_type(void **state)
{
	struct sp_diags d = {0};
	char err[512] = "";
	struct sp_dict *dict;

	(void)state;
	put_file(T.path, "a 1\n");
	assert_int_equal(sp_dict_compile(T.path, SP_DICT_FOLD, &d, err, sizeof(err)), 0);
	dict = open_t("hash", SP_DICT_FOLD, NULL);
	assert_string_equal(get(dict, "a"), "1");
	sp_dict_close(&dict);
	sp_diags_free(&d);
}

/* ---------------------------------------------- Postfix's LMDB layout */

/* Opens T.path.lmdb with LMDB directly. */
static MDB_env *raw_open(unsigned flags, MDB_txn **txn, MDB_dbi *dbi)
{
	char path[400];
	MDB_env *env;

	lmdb_path(path, sizeof(path));
	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_open(env, path, flags | MDB_NOSUBDIR | MDB_NOLOCK, 0644), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, flags & MDB_RDONLY, txn), 0);
	assert_int_equal(mdb_dbi_open(*txn, NULL, 0, dbi), 0);
	return env;
}

/* What postmap lmdb: writes on Linux, and what we write: key and value with
 * their trailing NUL, in the main (unnamed) database. */
static void test_layout(void **state)
{
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_cursor *cur;
	MDB_val k, v;
	MDB_env *env;

	(void)state;
	build_clean("Key value with spaces\n", SP_DICT_FOLD);
	env = raw_open(MDB_RDONLY, &txn, &dbi);
	assert_int_equal(mdb_cursor_open(txn, dbi, &cur), 0);
	assert_int_equal(mdb_cursor_get(cur, &k, &v, MDB_FIRST), 0);
	assert_int_equal(k.mv_size, 4);
	assert_memory_equal(k.mv_data, "key\0", 4);
	assert_int_equal(v.mv_size, 18);
	assert_memory_equal(v.mv_data, "value with spaces\0", 18);
	assert_int_equal(mdb_cursor_get(cur, &k, &v, MDB_NEXT), MDB_NOTFOUND);
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	mdb_env_close(env);
}

static void raw_put(MDB_txn *txn, MDB_dbi dbi, const char *key, size_t klen, const char *val,
		    size_t vlen)
{
	MDB_val k = {klen, (void *)key}, v = {vlen, (void *)val};

	assert_int_equal(mdb_put(txn, dbi, &k, &v, 0), 0);
}

/* postmap -n writes no NUL; Postfix readers try with, then without, and
 * keep to what worked. Values are read up to their first NUL. */
static void test_read_other_layouts(void **state)
{
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_env *env;
	struct sp_dict *d;
	char *got;

	(void)state;
	build_clean("", SP_DICT_FOLD);
	env = raw_open(0, &txn, &dbi);
	raw_put(txn, dbi, "plain", 5, "one", 3);
	raw_put(txn, dbi, "nulval", 6, "two\0junk", 8);
	raw_put(txn, dbi, "empty", 5, "", 0);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
	d = open_t("lmdb", SP_DICT_FOLD, NULL);
	assert_string_equal(get(d, "PLAIN"), "one");
	assert_string_equal(get(d, "nulval"), "two");
	assert_string_equal(get(d, "empty"), "");
	assert_null(get(d, "other"));
	got = list(d);
	assert_string_equal(got, "empty\t\nnulval\ttwo\nplain\tone\n");
	free(got);
	sp_dict_close(&d);
	/* mixed: once a key is found in one form, Postfix sticks to that form */
	build_clean("withnul 1\n", SP_DICT_FOLD);
	env = raw_open(0, &txn, &dbi);
	raw_put(txn, dbi, "nonul", 5, "2", 1);
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
	d = open_t("lmdb", SP_DICT_FOLD, NULL);
	assert_string_equal(get(d, "nonul"), "2");
	assert_null(get(d, "withnul"));   /* as Postfix: TRY1NULL was dropped */
	sp_dict_close(&d);
	d = open_t("lmdb", SP_DICT_FOLD, NULL);
	assert_string_equal(get(d, "withnul"), "1");
	assert_null(get(d, "nonul"));     /* and the other way round */
	sp_dict_close(&d);
}

/* postmap -i (or a Postfix daemon) writes lmdb: files in place, and may
 * grow the map past what an open reader mapped: the reader sees the new
 * entries and adopts the new size (MDB_MAP_RESIZED) instead of failing. */
static void test_inplace_writer(void **state)
{
	char path[400], key[32];
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	struct sp_dict *d;

	(void)state;
	build_clean("first 1\n", SP_DICT_FOLD);
	d = open_t("hash", SP_DICT_FOLD, NULL);
	assert_string_equal(get(d, "first"), "1");
	lmdb_path(path, sizeof(path));
	assert_int_equal(mdb_env_create(&env), 0);
	assert_int_equal(mdb_env_set_mapsize(env, 64u << 20), 0);
	assert_int_equal(mdb_env_open(env, path, MDB_NOSUBDIR | MDB_NOLOCK, 0644), 0);
	assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
	assert_int_equal(mdb_dbi_open(txn, NULL, 0, &dbi), 0);
	for (int i = 0; i < 20000; i++) {
		char val[200];
		snprintf(key, sizeof(key), "k%d", i);
		memset(val, 'v', sizeof(val) - 1);
		val[sizeof(val) - 1] = 0;
		raw_put(txn, dbi, key, strlen(key) + 1, val, sizeof(val));
	}
	assert_int_equal(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
	assert_string_equal(get(d, "first"), "1");
	assert_non_null(get(d, "k19999"));
	assert_int_equal(strlen(get(d, "k7")), 199);
	sp_dict_close(&d);
}

/* -------------------------------------------------------- mapsrc.c */

struct kv {
	const char *key, *value;
	int line;
};

struct src_row {
	const char *label;
	const char *in;
	size_t len;
	struct kv want[4];   /* entries in file order; key NULL ends */
	size_t warnings;
	size_t errors;
	int diag_line;       /* line of the first diagnostic */
	const char *diag;    /* substring of the first diagnostic */
};

/* Checked against postmap lmdb:FILE; postmap -s (3.7.11). */
static const struct src_row src_valid[] = {
	{"plain", IN("k v\n"), {{"k", "v", 1}}},
	{"no final newline", IN("k v"), {{"k", "v", 1}}},
	{"tabs, inner tab kept, trailing trimmed", IN("k\tv\tw\t\n"), {{"k", "v\tw", 1}}},
	{"many spaces", IN("k      v  w   \n"), {{"k", "v  w", 1}}},
	{"vertical tab and form feed separate", IN("k\vv\fw\n"), {{"k", "v\fw", 1}}},
	{"quoted key with a space", IN("\"a b\" c\n"), {{"\"a b\"", "c", 1}}},
	{"quotes inside a key", IN("a\"b c\" d\n"), {{"a\"b c\"", "d", 1}}},
	{"escaped space", IN("a\\ b c\n"), {{"a\\ b", "c", 1}}},
	{"escaped quote does not open", IN("k\\\"q v\n"), {{"k\\\"q", "v", 1}}},
	{"escaped quote inside quotes", IN("\"a\\\" b\" c\n"), {{"\"a\\\" b\"", "c", 1}}},
	{"empty quoted key", IN("\"\" v\n"), {{"\"\"", "v", 1}}},
	{"quote in the value is data", IN("k \"v\n"), {{"k", "\"v", 1}}},
	{"backslash at the end of the value", IN("k v\\\n"), {{"k", "v\\", 1}}},
	{"CRLF", IN("k v\r\nl w\r\n"), {{"k", "v", 1}, {"l", "w", 2}}},
	{"CR inside a value is kept", IN("k v\rx\n"), {{"k", "v\rx", 1}}},
	{"CR line is blank", IN("\r\nk v\n"), {{"k", "v", 2}}},
	{"continuation", IN("k v\n  cont\n"), {{"k", "v  cont", 1}}},
	{"value only on the continuation", IN("k\n  v\n"), {{"k", "v", 1}}},
	{"comment inside a continuation", IN("k v\n# c\n w\n"), {{"k", "v w", 1}}},
	{"'#' in a value is data", IN("k v # c\n"), {{"k", "v # c", 1}}},
	{"comments and blank lines count", IN("# a\n\n  # b\nk v\n\n\nl w\n"),
	 {{"k", "v", 4}, {"l", "w", 7}}},
	{"whitespace-only lines", IN(" \t\n\t\nk v\n"), {{"k", "v", 3}}},
	{"UTF-8 kept as bytes", IN("caf\xc3\xa9 \xe2\x82\xac\n"), {{"caf\xc3\xa9", "\xe2\x82\xac", 1}}},
	{"duplicates kept in order (the users decide)", IN("k 1\nk 2\n"), {{"k", "1", 1}, {"k", "2", 2}}},
	{"case kept (the users fold)", IN("Key Value\n"), {{"Key", "Value", 1}}},
	{"alias format warns, is kept", IN("k: v\n"), {{"k:", "v", 1}}, 1, 0, 1,
	 "record is in \"key: value\" format; is this an alias file?"},
	{"a lone colon key warns too", IN(": v\n"), {{":", "v", 1}}, 1, 0, 1, "alias file"},
	{"empty file", IN(""), {{NULL}}},
	{"comments only", IN("# a\n#b\n   # c\n"), {{NULL}}},
};

/* Lines postmap skips (with a warning) or sallyport refuses (an error,
 * where postmap warns or silently truncates: see each row). */
static const struct src_row src_invalid[] = {
	{"key only", IN("k\n"), {{NULL}}, 1, 0, 1, "expected format: key whitespace value"},
	{"key and a space", IN("k \n"), {{NULL}}, 1, 0, 1, "expected format"},
	{"key and a tab", IN("k\t\n"), {{NULL}}, 1, 0, 1, "expected format"},
	{"key, CRLF", IN("k\r\n"), {{NULL}}, 1, 0, 1, "expected format"},
	{"key, tab, CRLF", IN("k\t\r\n"), {{NULL}}, 1, 0, 1, "expected format"},
	{"key only at end of file", IN("a 1\nk"), {{"a", "1", 1}}, 1, 0, 2, "expected format"},
	{"backslash at end of file", IN("k\\"), {{NULL}}, 1, 0, 1, "expected format"},
	{"escaped space, then nothing", IN("k\\ v\n"), {{NULL}}, 1, 0, 1, "expected format"},
	{"escaped separator across a continuation", IN("k\\\n v\n"), {{NULL}}, 1, 0, 1,
	 "expected format"},
	{"lone backslash", IN("\\\n"), {{NULL}}, 1, 0, 1, "expected format"},
	{"backslash-space key", IN("\\ v\n"), {{NULL}}, 1, 0, 1, "expected format"},
	{"whole line quoted", IN("\"k v\"\n"), {{NULL}}, 1, 0, 1, "expected format"},
	{"whole line quoted, trailing space", IN("\"k v\" \n"), {{NULL}}, 1, 0, 1,
	 "expected format"},
	{"key ending in a colon, no value", IN("k:\n"), {{NULL}}, 1, 0, 1, "expected format"},
	{"lone quote", IN("\"\n"), {{NULL}}, 1, 0, 1, "unbalanced '\"'"},
	{"open quote", IN("\" v\n"), {{NULL}}, 1, 0, 1, "unbalanced '\"'"},
	{"open quote with text", IN("\"a v\n"), {{NULL}}, 1, 0, 1, "unbalanced"},
	{"quote in the middle", IN("a\"b v\n"), {{NULL}}, 1, 0, 1, "unbalanced"},
	{"three quotes", IN("\"\"\" v\n"), {{NULL}}, 1, 0, 1, "unbalanced"},
	{"escaped closing quote", IN("\"a\\\" b c\n"), {{NULL}}, 1, 0, 1, "unbalanced"},
	{"bad lines keep their numbers", IN("a\nb 2\n\nc\n"), {{"b", "2", 2}}, 2, 0, 1,
	 "expected format"},
	{"a skipped line spans its continuation", IN("k\n\n  # c\nl v\n"), {{"l", "v", 4}}, 1, 0,
	 1, "expected format"},
	/* postmap: "logical line must not start with whitespace", line skipped */
	{"first line starts with whitespace", IN("  lead x\nk v\n"), {{"k", "v", 2}}, 0, 1, 1,
	 "starts with whitespace"},
	{"whitespace line after a comment", IN("# c\n  x y\n"), {{NULL}}, 0, 1, 2,
	 "starts with whitespace"},
	{"blank line, then indented line", IN("  \n k v\n"), {{NULL}}, 0, 1, 2,
	 "starts with whitespace"},
	/* postmap truncates the line at the NUL (k v), silently */
	{"NUL in a value", IN("k v\0x\nl w\n"), {{"l", "w", 2}}, 0, 1, 1, "NUL byte"},
	/* postmap: "expected format" (the key ends at the NUL) */
	{"NUL in a key", IN("k\0 v\n"), {{NULL}}, 0, 1, 1, "NUL byte"},
	{"NUL alone", IN("\0\n"), {{NULL}}, 0, 1, 1, "NUL byte"},
	{"NUL in a continuation line: the first line is named", IN("k v\n \0x\nl w\n"),
	 {{"l", "w", 3}}, 0, 1, 1, "NUL byte"},
	{"NUL in a comment is harmless", IN("#\0\nk v\n"), {{"k", "v", 2}}},
	{"mixed: warnings and entries interleave", IN("a 1\nb\n\"c 3\nd 4\n"),
	 {{"a", "1", 1}, {"d", "4", 4}}, 2, 0, 2, "expected format"},
};

static int src_run(const char *table, size_t i, const struct src_row *r)
{
	struct sp_mapsrc m = {0};
	struct sp_diags d = {0};
	size_t nerr, nwant = 0, nwarn;
	int fails = 0;

	nerr = sp_mapsrc_parse(r->in, r->len, "/etc/postfix/t", &m, &d);
	while (nwant < 4 && r->want[nwant].key)
		nwant++;
	nwarn = d.n - d.errors;
	ROW_CHECK(&fails, table, i, r->label, nerr == r->errors && d.errors == r->errors,
		  "%zu errors, want %zu", nerr, r->errors);
	ROW_CHECK(&fails, table, i, r->label, nwarn == r->warnings, "%zu warnings, want %zu",
		  nwarn, r->warnings);
	ROW_CHECK(&fails, table, i, r->label, m.n == nwant, "%zu entries, want %zu", m.n, nwant);
	for (size_t k = 0; k < m.n && k < nwant; k++)
		ROW_CHECK(&fails, table, i, r->label,
			  sp_streq(m.v[k].key, r->want[k].key) &&
				  sp_streq(m.v[k].value, r->want[k].value) &&
				  m.v[k].line == r->want[k].line,
			  "entry %zu is %s=%s line %d, want %s=%s line %d", k, sp_shows(m.v[k].key),
			  sp_shows(m.v[k].value), m.v[k].line, sp_shows(r->want[k].key),
			  sp_shows(r->want[k].value), r->want[k].line);
	if (r->diag) {
		ROW_CHECK(&fails, table, i, r->label,
			  d.n >= 1 && d.v[0].line == r->diag_line && sp_has(d.v[0].what, r->diag) &&
				  sp_streq(d.v[0].file, "/etc/postfix/t"),
			  "first diagnostic %s line %d, want \"%s\" line %d",
			  d.n ? sp_shows(d.v[0].what) : "none", d.n ? d.v[0].line : 0, r->diag,
			  r->diag_line);
	} else {
		ROW_CHECK(&fails, table, i, r->label, d.n == 0, "%zu diagnostics (first: %s)", d.n,
			  d.n ? d.v[0].what : "");
	}
	sp_mapsrc_free(&m);
	sp_diags_free(&d);
	return fails;
}

static void test_mapsrc_valid(void **state)
{
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < NROWS(src_valid); i++)
		fails += src_run("mapsrc valid", i, &src_valid[i]);
	sp_rows_done(fails, "mapsrc valid", NROWS(src_valid));
}

static void test_mapsrc_invalid(void **state)
{
	int fails = 0;

	(void)state;
	assert_true(NROWS(src_invalid) >= 25);
	for (size_t i = 0; i < NROWS(src_invalid); i++)
		fails += src_run("mapsrc invalid", i, &src_invalid[i]);
	sp_rows_done(fails, "mapsrc invalid", NROWS(src_invalid));
}

/* 1 MiB values parse whole; a logical line over 4 MiB is an error. */
static void test_mapsrc_big(void **state)
{
	struct sp_mapsrc m = {0};
	struct sp_diags d = {0};
	size_t n;
	char *in = sp_big("key ", 1u << 20, 'v', "\nnext 1\n", &n);

	(void)state;
	assert_int_equal(sp_mapsrc_parse(in, n, "t", &m, &d), 0);
	assert_int_equal(m.n, 2);
	assert_int_equal(strlen(m.v[0].value), 1u << 20);
	assert_string_equal(m.v[1].key, "next");
	assert_int_equal(m.v[1].line, 2);
	sp_mapsrc_free(&m);
	free(in);
	in = sp_big("key ", 4u << 20, 'v', "\nnext 1\n", &n);
	assert_int_equal(sp_mapsrc_parse(in, n, "t", &m, &d), 1);
	assert_true(sp_has(d.v[0].what, "longer than 4 MiB"));
	assert_int_equal(m.n, 1);  /* the next line is still read */
	assert_int_equal(m.v[0].line, 2);
	sp_mapsrc_free(&m);
	sp_diags_free(&d);
	free(in);
}

/* ------------------------------------------------------- texthash: */

/* texthash: reads the same source at open; it must answer as hash: does. */
static void test_texthash_agrees(void **state)
{
	struct sp_dict *h, *t;
	struct sp_diags d = {0};
	int fails = 0;
	char *lh, *lt;

	(void)state;
	build_clean(SENDERS, SP_DICT_FOLD);
	h = open_t("hash", SP_DICT_FOLD, NULL);
	t = open_t("texthash", SP_DICT_FOLD, &d);
	assert_int_equal(d.n, 0);
	for (size_t i = 0; i < NROWS(senders_rows); i++) {
		const char *a = get(h, senders_rows[i].key);
		char ha[256];
		snprintf(ha, sizeof(ha), "%s", a ? a : "(none)");
		a = get(t, senders_rows[i].key);
		ROW_CHECK(&fails, "texthash", i, senders_rows[i].key,
			  sp_streq(a ? a : "(none)", ha), "texthash %s, hash %s", sp_shows(a), ha);
	}
	lh = list(h);
	lt = list(t);
	assert_string_equal(lh, lt);
	free(lh);
	free(lt);
	sp_dict_close(&h);
	sp_dict_close(&t);
	sp_rows_done(fails, "texthash", NROWS(senders_rows));
}

static void test_texthash(void **state)
{
	struct sp_diags d = {0};
	struct sp_dict *t;
	char spec[700], err[512] = "";

	(void)state;
	put_file(T.path, "Foo 1\nfoo 2\nbar\nbaz 3\n");
	t = open_t("texthash", SP_DICT_FOLD, &d);
	assert_string_equal(get(t, "FOO"), "1");       /* the first entry stays */
	assert_string_equal(get(t, "baz"), "3");
	assert_null(get(t, "bar"));
	sp_dict_close(&t);
	assert_int_equal(sp_diags_count(&d, SP_WARNING, "duplicate entry: \"foo\""), 1);
	assert_int_equal(sp_diags_count(&d, SP_WARNING, "expected format"), 1);
	sp_diags_free(&d);
	t = open_t("texthash", 0, NULL);
	assert_string_equal(get(t, "Foo"), "1");
	assert_string_equal(get(t, "foo"), "2");
	sp_dict_close(&t);
	/* no compiled file involved: nothing is built, and no .lmdb is needed */
	assert_int_equal(dir_entries(), 1);
	snprintf(spec, sizeof(spec), "texthash:%s", T.path);
	put_bytes(T.path, "k v\0x\n", 6);
	assert_null(sp_dict_open(spec, SP_DICT_FOLD, NULL, err, sizeof(err)));
	assert_true(sp_has(err, "error(s) in the table source"));
	unlink(T.path);
	assert_null(sp_dict_open(spec, SP_DICT_FOLD, NULL, err, sizeof(err)));
	assert_true(sp_has(err, "No such file"));
}

/* Each test starts from an empty directory. */
static int clean(void **state)
{
	(void)state;
	teardown(state);
	return setup(state);
}

#define T_(f) cmocka_unit_test_setup(f, clean)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T_(test_build_and_lookup), T_(test_list),
		T_(test_list_stops),       T_(test_nofold),
		T_(test_duplicates),       T_(test_diag_order),
		T_(test_incremental),      T_(test_atomic_replace),
		T_(test_empty_sources),    T_(test_missing_compiled),
		T_(test_bad_compiled),     T_(test_stale),
		T_(test_build_errors),     T_(test_limits),
		T_(test_many_entries),     T_(test_utf8),
		T_(test_permissions),      T_(test_owner_as_root),
		T_(test_default_type),     T_(test_layout),
		T_(test_read_other_layouts), T_(test_inplace_writer),
		T_(test_mapsrc_valid),
		T_(test_mapsrc_invalid),   T_(test_mapsrc_big),
		T_(test_texthash_agrees),  T_(test_texthash),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
