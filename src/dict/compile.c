/*
 * compile.c - "sallyport map TYPE:FILE", postmap's build: reads FILE in
 * postmap's source format (mapsrc.c), and writes FILE.lmdb in the layout
 * Postfix's lmdb: tables use (see dict_lmdb.c), so postmap -q reads what we
 * write: keys and values with their trailing NUL, in the main database.
 * hash:, btree: and lmdb: all build FILE.lmdb.
 *
 * As postmap does (with smtputf8_enable = yes, Postfix 3's default): lines
 * that are not valid UTF-8 are skipped with a warning (by mapsrc.c); keys are folded to
 * lower case unless -f; the first entry of a duplicate key stays, the
 * others are reported; with -i the entries come from standard input and
 * are added to the existing table (whose entries stay). The result gets the
 * source file's group and other read bits (0600 plus them) and, when run as
 * root, its owner.
 *
 * Atomic: the table is written to FILE.lmdb.tmpXXXXXX in the same
 * directory, synced, renamed over FILE.lmdb, and the directory synced; a
 * reader sees the old table or the new one, never a part. Builds of one
 * table are serialised with flock() on the current FILE.lmdb. The map size
 * is estimated from the input and doubled on MDB_MAP_FULL.
 */
#include "compile.h"
#include "dict_impl.h"
#include "mapsrc.h"
#include "../util/file.h"
#include "../util/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define SP_COMPILE_INPUT_MAX (1u << 30)   /* longest source file */
#define SP_COMPILE_MAP_MIN (1u << 20)     /* first LMDB map size */
#define SP_COMPILE_MAP_TRIES 24           /* doublings on MDB_MAP_FULL */

struct sp_target {
	char path[4096];     /* FILE.lmdb */
	char tmp[4112];      /* FILE.lmdb.tmpXXXXXX */
	char dir[4096];      /* its directory */
	int tmpfd;           /* our descriptor of tmp, -1 before */
	int lockfd;          /* the current FILE.lmdb, flock()ed; -1 if none */
	mode_t mode;         /* permissions of the result */
	uid_t uid;           /* owner of the result, when root */
	gid_t gid;
};

/* What a build knows about its input. */
struct sp_input {
	const char *type;    /* hash, btree, lmdb */
	const char *name;    /* FILE */
	const char *label;   /* where the entries came from: FILE or "stdin" */
	unsigned flags;
	struct sp_mapsrc src;
};

/* Reads all of fd (standard input for -i), at most max bytes. */
static int sp_read_fd(int fd, size_t max, char **data, size_t *len)
{
	struct sp_buf b;
	char chunk[65536];
	ssize_t r;

	sp_buf_init(&b, max);
	for (;;) {
		r = read(fd, chunk, sizeof(chunk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (sp_buf_add(&b, chunk, (size_t)r) < 0) {
			sp_buf_free(&b);
			errno = EFBIG;
			return -1;
		}
	}
	if (r < 0) {
		int e = errno;
		sp_buf_free(&b);
		errno = e;
		return -1;
	}
	*len = b.len;
	*data = sp_buf_take(&b);
	return 0;
}

/* Checks that type builds a file; 0, or -1 with err. */
static int sp_compile_type(const char *type, char *err, size_t errlen)
{
	if (strcmp(type, "hash") == 0 || strcmp(type, "btree") == 0 || strcmp(type, "lmdb") == 0)
		return 0;
	if (!sp_dict_type_known(type))
		snprintf(err, errlen, "unsupported table type \"%s\" (sallyport map builds hash, btree "
			 "and lmdb tables)", type);
	else if (strcmp(type, "inline") == 0 || strcmp(type, "static") == 0)
		snprintf(err, errlen, "%s: tables are written in the configuration; nothing to build",
			 type);
	else
		snprintf(err, errlen, "%s: tables are read from their source file; nothing to build",
			 type);
	return -1;
}

/* Reads and parses the entries (FILE, or standard input with -i). */
static int sp_compile_parse(struct sp_input *in, struct sp_diags *dg, char *err, size_t errlen)
{
	int incremental = (in->flags & SP_COMPILE_INCREMENTAL) != 0;
	char *data;
	size_t len;
	int rc;

	in->label = incremental ? "stdin" : in->name;
	rc = incremental ? sp_read_fd(0, SP_COMPILE_INPUT_MAX, &data, &len)
			 : sp_file_read(in->name, SP_COMPILE_INPUT_MAX, &data, &len);
	if (rc < 0) {
		snprintf(err, errlen, "%s:%s: read %s: %s", in->type, in->name, in->label,
			 strerror(errno));
		return -1;
	}
	if (sp_mapsrc_parse(data, len, in->label, &in->src, dg) > 0)
		snprintf(err, errlen, "%s:%s: %zu error(s) in %s; nothing was written", in->type,
			 in->name, dg->errors, in->label);
	free(data);
	return dg->errors > 0 ? -1 : 0;
}

/* Key order (LMDB's, for keys that end in a NUL), then file order. */
static int sp_entry_cmp(const void *x, const void *y)
{
	const struct sp_mapsrc_entry *a = x, *b = y;
	int c = strcmp(a->key, b->key);

	return c ? c : (a->line > b->line) - (a->line < b->line);
}

/* Folds keys and checks the
 * sizes LMDB and our lookups can hold; sorts by key. 0, or -1 with err. */
static int sp_compile_prepare(struct sp_input *in, size_t maxkey, struct sp_diags *dg,
			      char *err, size_t errlen)
{
	struct sp_mapsrc *m = &in->src;
	size_t keep = 0;

	for (size_t i = 0; i < m->n; i++) {
		struct sp_mapsrc_entry *e = &m->v[i];
		size_t kl = strlen(e->key), vl = strlen(e->value);

		if (kl + 1 > maxkey)
			sp_diag_add(dg, SP_ERROR, in->label, e->line, NULL, NULL,
				    "key longer than %zu bytes, which LMDB cannot store", maxkey - 1);
		if (vl > SP_DICT_VALUE_MAX)
			sp_diag_add(dg, SP_ERROR, in->label, e->line, NULL, NULL,
				    "value longer than %u bytes, the longest lookup result",
				    SP_DICT_VALUE_MAX);
		if (in->flags & SP_DICT_FOLD)
			sp_dict_fold(e->key);
		m->v[keep++] = *e;
	}
	m->n = keep;
	if (m->n > 0)
		qsort(m->v, m->n, sizeof(*m->v), sp_entry_cmp);
	if (dg->errors > 0) {
		snprintf(err, errlen, "%s:%s: %zu error(s) in %s; nothing was written", in->type,
			 in->name, dg->errors, in->label);
		return -1;
	}
	return 0;
}

/* A first LMDB map size for the entries plus an old table. */
static size_t sp_compile_mapsize(const struct sp_mapsrc *m, off_t old)
{
	size_t total = SP_COMPILE_MAP_MIN, more;

	for (size_t i = 0; i < m->n; i++) {
		more = 2 * (strlen(m->v[i].key) + strlen(m->v[i].value) + 64);
		if (__builtin_add_overflow(total, more, &total))
			return SIZE_MAX / 4;
	}
	if (old > 0 && ((uintmax_t)old >= SIZE_MAX / 4 ||
			__builtin_add_overflow(total, 2 * (size_t)old, &total)))
		return SIZE_MAX / 4;
	if (total >= SIZE_MAX / 4)
		return SIZE_MAX / 4;
	return (total + 0xffff) & ~(size_t)0xffff;  /* whole 64 KiB: no odd sizes in the header */
}

/* Refuses, as root, a directory others could swap our file in. */
static int sp_compile_dir_safe(const struct sp_target *t, char *err, size_t errlen)
{
	struct stat st;

	if (stat(t->dir, &st) != 0) {
		snprintf(err, errlen, "%s: %s", t->dir, strerror(errno));
		return -1;
	}
	if (geteuid() != 0 || (st.st_mode & S_ISVTX))
		return 0;
	if ((st.st_mode & S_IWOTH) || ((st.st_mode & S_IWGRP) && st.st_gid != 0)) {
		snprintf(err, errlen, "%s is writable by other users: refusing to build %s there as "
			 "root (let only root write the directory, or run sallyport map as the "
			 "table's owner)", t->dir, t->path);
		return -1;
	}
	return 0;
}

/* Takes the build lock: flock() on the current FILE.lmdb, if there is one,
 * retried when it was replaced while we waited. Fills *old. 0 or -1. */
static int sp_compile_lock(struct sp_target *t, struct stat *old, int *have_old)
{
	struct stat now;

	*have_old = 0;
	for (int tries = 0; tries < 100; tries++) {
		if ((t->lockfd = open(t->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
			return errno == ENOENT ? 0 : -1;
		while (flock(t->lockfd, LOCK_EX) < 0) {
			if (errno != EINTR)
				return -1;
		}
		if (fstat(t->lockfd, old) == 0 && stat(t->path, &now) == 0 &&
		    old->st_dev == now.st_dev && old->st_ino == now.st_ino) {
			*have_old = S_ISREG(old->st_mode);
			return 0;
		}
		close(t->lockfd);
		t->lockfd = -1;
	}
	errno = EAGAIN;
	return -1;
}

/* Sets t's paths, permissions and owner, and takes the build lock. */
static int sp_compile_target(struct sp_target *t, const struct sp_input *in, struct stat *old,
			     int *have_old, char *err, size_t errlen)
{
	const char *slash = strrchr(in->name, '/');
	struct stat src;
	int n;

	n = snprintf(t->path, sizeof(t->path), "%s.lmdb", in->name);
	if (n < 0 || (size_t)n >= sizeof(t->path) - 16) {
		snprintf(err, errlen, "%s:%.100s...: file name too long", in->type, in->name);
		return -1;
	}
	snprintf(t->tmp, sizeof(t->tmp), "%s.tmpXXXXXX", t->path);
	if (slash == NULL)
		snprintf(t->dir, sizeof(t->dir), ".");
	else
		snprintf(t->dir, sizeof(t->dir), "%.*s", slash == in->name ? 1 : (int)(slash - in->name),
			 in->name);
	if (sp_compile_dir_safe(t, err, errlen) < 0)
		return -1;
	if (sp_compile_lock(t, old, have_old) < 0) {
		snprintf(err, errlen, "%s:%s: lock %s: %s", in->type, in->name, t->path,
			 strerror(errno));
		return -1;
	}
	t->mode = 0644;
	t->uid = geteuid();
	t->gid = getegid();
	if ((in->flags & SP_COMPILE_INCREMENTAL) && *have_old) {
		t->mode = old->st_mode & 0777;
		t->uid = old->st_uid;
		t->gid = old->st_gid;
	} else if (stat(in->name, &src) == 0 && S_ISREG(src.st_mode)) {
		t->mode = 0600 | (src.st_mode & 0044);  /* postmap: umask 022 | ~mode & 077 */
		t->uid = src.st_uid;
		t->gid = src.st_gid;
	}
	return 0;
}

/* A shared fcntl() lock on the old table while it is copied, as Postfix's
 * readers take one (postmap rewrites lmdb: files in place). */
static int sp_compile_rdlock(MDB_env *env, short type)
{
	struct flock fl = {.l_type = type, .l_whence = SEEK_SET};
	int fd;

	if (mdb_env_get_fd(env, &fd) != 0)
		return EINVAL;
	while (fcntl(fd, F_SETLKW, &fl) < 0) {
		if (errno != EINTR)
			return errno;
	}
	return 0;
}

/* Copies every entry of the old table into txn (postmap -i keeps them). */
static int sp_compile_copy_old(const char *path, MDB_txn *txn, MDB_dbi dbi)
{
	MDB_env *env;
	MDB_txn *rtxn = NULL;
	MDB_cursor *cur = NULL;
	MDB_dbi rdbi;
	MDB_val k, v;
	int rc;

	if ((rc = mdb_env_create(&env)) != 0)
		return rc;
	rc = mdb_env_open(env, path, MDB_RDONLY | MDB_NOSUBDIR | MDB_NOLOCK, 0);
	if (rc == 0)
		rc = sp_compile_rdlock(env, F_RDLCK);
	if (rc == 0)
		rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &rtxn);
	if (rc == 0)
		rc = mdb_dbi_open(rtxn, NULL, 0, &rdbi);
	if (rc == 0)
		rc = mdb_cursor_open(rtxn, rdbi, &cur);
	for (int op = MDB_FIRST; rc == 0; op = MDB_NEXT) {
		if ((rc = mdb_cursor_get(cur, &k, &v, (MDB_cursor_op)op)) == 0)
			rc = mdb_put(txn, dbi, &k, &v, MDB_APPEND);
	}
	if (cur)
		mdb_cursor_close(cur);
	if (rtxn)
		mdb_txn_abort(rtxn);
	mdb_env_close(env);  /* also drops the lock */
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* One attempt at writing every entry (sorted by key) in one transaction:
 * appended in order, so pages fill up, or added to the old table's
 * entries. Duplicates go to dups (emptied first). Returns an LMDB code:
 * 0, MDB_MAP_FULL (grow and retry), or an error. */
static int sp_compile_fill(MDB_env *env, const struct sp_input *in, const char *old,
			   struct sp_diags *dups)
{
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k, v;
	int rc;

	sp_diags_free(dups);
	if ((rc = mdb_txn_begin(env, NULL, 0, &txn)) != 0)
		return rc;
	rc = mdb_dbi_open(txn, NULL, 0, &dbi);
	if (rc == 0 && old)
		rc = sp_compile_copy_old(old, txn, dbi);
	for (size_t i = 0; rc == 0 && i < in->src.n; i++) {
		const struct sp_mapsrc_entry *e = &in->src.v[i];

		k.mv_data = e->key;
		k.mv_size = strlen(e->key) + 1;   /* with the NUL, as postmap on Linux */
		v.mv_data = e->value;
		v.mv_size = strlen(e->value) + 1;
		if (i > 0 && strcmp(e->key, in->src.v[i - 1].key) == 0)
			rc = MDB_KEYEXIST;  /* sorted: the earlier line stays */
		else
			rc = mdb_put(txn, dbi, &k, &v, old ? MDB_NOOVERWRITE : MDB_APPEND);
		if (rc == MDB_KEYEXIST) {
			sp_diag_add(dups, SP_WARNING, in->label, e->line, NULL, NULL,
				    "duplicate entry: \"%s\"", e->key);
			rc = 0;
		}
	}
	if (rc != 0) {
		mdb_txn_abort(txn);
		return rc;
	}
	return mdb_txn_commit(txn);
}

/* 1 when LMDB opened the very file we created (not one swapped in). */
static int sp_compile_same_file(MDB_env *env, int fd)
{
	struct stat a, b;
	int lfd;

	return mdb_env_get_fd(env, &lfd) == 0 && fstat(lfd, &a) == 0 && fstat(fd, &b) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* Writes the LMDB file at t->tmp, growing the map until it fits. */
static int sp_compile_write(struct sp_target *t, const struct sp_input *in, const char *old,
			    off_t oldsize, struct sp_diags *dups, char *err, size_t errlen)
{
	size_t size = sp_compile_mapsize(&in->src, oldsize);
	MDB_env *env;
	int rc, tries = 0;

	if ((rc = mdb_env_create(&env)) != 0) {
		snprintf(err, errlen, "%s:%s: %s", in->type, in->name, mdb_strerror(rc));
		return -1;
	}
	if ((rc = mdb_env_set_mapsize(env, size)) == 0)
		rc = mdb_env_open(env, t->tmp, MDB_NOSUBDIR | MDB_NOLOCK | MDB_NOSYNC, 0600);
	if (rc == 0 && !sp_compile_same_file(env, t->tmpfd))
		rc = EEXIST;  /* someone replaced our temporary file */
	while (rc == 0 && (rc = sp_compile_fill(env, in, old, dups)) == MDB_MAP_FULL &&
	       ++tries < SP_COMPILE_MAP_TRIES && size < SIZE_MAX / 4) {
		size *= 2;
		rc = mdb_env_set_mapsize(env, size);
	}
	if (rc == 0)
		rc = mdb_env_sync(env, 1);
	mdb_env_close(env);
	if (rc != 0) {
		snprintf(err, errlen, "%s:%s: write %s: %s", in->type, in->name, t->tmp,
			 mdb_strerror(rc));
		return -1;
	}
	return 0;
}

/* Sets permissions and owner, syncs, renames into place, syncs the directory. */
static int sp_compile_install(struct sp_target *t, const struct sp_input *in, char *err,
			      size_t errlen)
{
	const char *step = "chown", *what = t->tmp;
	int dfd;

	if (geteuid() == 0 && fchown(t->tmpfd, t->uid, t->gid) < 0)
		goto fail;
	step = "chmod";
	if (fchmod(t->tmpfd, t->mode) < 0)
		goto fail;
	step = "fsync";
	if (fsync(t->tmpfd) < 0)
		goto fail;
	step = "rename";
	if (rename(t->tmp, t->path) < 0)
		goto fail;
	step = "fsync";
	what = t->dir;
	if ((dfd = open(t->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		goto fail;
	if (fsync(dfd) < 0) {
		close(dfd);
		goto fail;
	}
	close(dfd);
	return 0;
fail:
	snprintf(err, errlen, "%s:%s: %s %s: %s", in->type, in->name, step, what, strerror(errno));
	return -1;
}

/* Builds the table from the prepared input. */
static int sp_compile_build(struct sp_input *in, struct sp_diags *dups, char *err, size_t errlen)
{
	struct sp_target t = {.tmpfd = -1, .lockfd = -1};
	struct stat old;
	int have_old, rc = -1;
	const char *oldpath;

	if (sp_compile_target(&t, in, &old, &have_old, err, errlen) < 0)
		goto out;
	oldpath = (in->flags & SP_COMPILE_INCREMENTAL) && have_old ? t.path : NULL;
	if ((t.tmpfd = mkostemp(t.tmp, O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "%s:%s: create %s: %s", in->type, in->name, t.tmp,
			 strerror(errno));
		goto out;
	}
	if (sp_compile_write(&t, in, oldpath, oldpath ? old.st_size : 0, dups, err, errlen) == 0 &&
	    sp_compile_install(&t, in, err, errlen) == 0)
		rc = 0;
	if (rc < 0)
		unlink(t.tmp);
out:
	if (t.tmpfd >= 0)
		close(t.tmpfd);
	if (t.lockfd >= 0)
		close(t.lockfd);
	return rc;
}

struct sp_diag_ref {
	const struct sp_diag *g;
	size_t seq;
};

static int sp_diag_ref_cmp(const void *x, const void *y)
{
	const struct sp_diag_ref *a = x, *b = y;

	if (a->g->line != b->g->line)
		return a->g->line < b->g->line ? -1 : 1;
	return (a->seq > b->seq) - (a->seq < b->seq);
}

/* Copies the diagnostics of a and b into d in line order, as postmap
 * prints them while it reads (a before b on the same line). */
static void sp_compile_merge(struct sp_diags *d, const struct sp_diags *a,
			     const struct sp_diags *b)
{
	size_t n = a->n + b->n;
	struct sp_diag_ref *r = sp_xcalloc(n ? n : 1, sizeof(*r));

	for (size_t i = 0; i < n; i++) {
		r[i].g = i < a->n ? &a->v[i] : &b->v[i - a->n];
		r[i].seq = i;
	}
	qsort(r, n, sizeof(*r), sp_diag_ref_cmp);
	for (size_t i = 0; i < n; i++)
		sp_diag_add(d, r[i].g->sev, r[i].g->file, r[i].g->line, r[i].g->param, r[i].g->fix,
			    "%s", r[i].g->what);
	free(r);
}

/* LMDB's longest key in this build (511 unless compiled otherwise). */
static size_t sp_lmdb_maxkey(void)
{
	MDB_env *env;
	size_t n = 511;

	if (mdb_env_create(&env) == 0) {
		n = (size_t)mdb_env_get_maxkeysize(env);
		mdb_env_close(env);
	}
	return n;
}

int sp_dict_compile(const char *spec, unsigned flags, struct sp_diags *d,
		    char *err, size_t errlen)
{
	struct sp_input in = {.flags = flags};
	struct sp_diags src = {0}, dups = {0};
	char type[32];
	int rc = -1;

	if ((in.name = sp_dict_split(spec, type, sizeof(type))) == NULL) {
		if (strchr(spec, ':') != NULL) {
			snprintf(err, errlen, "\"%.80s\" is not a table reference (write type:file)", spec);
			return -1;
		}
		snprintf(type, sizeof(type), "hash");  /* postmap's default_database_type */
		in.name = spec;
	}
	in.type = type;
	if (sp_compile_type(type, err, errlen) < 0)
		return -1;
	if (*in.name == 0) {
		snprintf(err, errlen, "%s: need a file name", spec);
		return -1;
	}
	if (sp_compile_parse(&in, &src, err, errlen) == 0 &&
	    sp_compile_prepare(&in, sp_lmdb_maxkey(), &src, err, errlen) == 0)
		rc = sp_compile_build(&in, &dups, err, errlen);
	if (d != NULL)
		sp_compile_merge(d, &src, &dups);
	sp_mapsrc_free(&in.src);
	sp_diags_free(&src);
	sp_diags_free(&dups);
	return rc;
}
