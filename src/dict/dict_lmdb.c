/*
 * dict_lmdb.c - the lmdb: table type, also serving hash: and btree: (see
 * dict.c): FILE.lmdb, an LMDB file built by "sallyport map" (compile.c) or
 * by Postfix's "postmap lmdb:FILE", opened read-only.
 *
 * File format, as Postfix writes and reads it (dict_lmdb.c, slmdb.c): the
 * unnamed main database of an environment kept in one file (MDB_NOSUBDIR);
 * keys and values are C strings stored with their trailing NUL on Linux
 * (postmap -N forces that, -n leaves it out). Readers first look a key up
 * with the NUL, then without, and keep to the form that found something
 * (Postfix's TRY1NULL/TRY0NULL); a value is read up to its first NUL.
 *
 * Opening: MDB_RDONLY | MDB_NOLOCK, so no lock file is created or written
 * and the table works in a read-only chroot (Postfix opens with MDB_NOLOCK
 * too). Without LMDB's reader table a writer cannot see our read
 * transactions, which is safe because: sallyport's compiler never writes a
 * live file (it writes a new one and renames it over, so an open reader
 * keeps the old inode intact); Postfix's postmap rewrites in place but in a
 * single write transaction, never reusing the pages of the last committed
 * snapshot, and coordinates with readers through fcntl() locks, which each
 * lookup here takes (shared) just as Postfix's readers do. A map that grew
 * meanwhile (MDB_MAP_RESIZED) is picked up and the lookup retried.
 */
#include "dict_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/mem.h"

enum {
	SP_LMDB_TRY1NULL = 1 << 0,  /* keys may be stored with a trailing NUL */
	SP_LMDB_TRY0NULL = 1 << 1,  /* keys may be stored without it */
};

struct sp_lmdb {
	MDB_env *env;
	MDB_dbi dbi;
	int fd;             /* the data file, for fcntl() locks */
	unsigned try_null;  /* SP_LMDB_TRY* still possible */
	size_t maxkey;      /* LMDB's longest key */
	struct sp_buf key;  /* each(): the current key */
	struct sp_buf val;  /* each(): the current value */
	MDB_txn *held;      /* between hold and release: the read transaction */
};

/* Shared (F_RDLCK) or no (F_UNLCK) fcntl() lock on the whole file. */
static int sp_lmdb_lock(const struct sp_lmdb *l, short type)
{
	struct flock fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	while (fcntl(l->fd, F_SETLKW, &fl) < 0) {
		if (errno != EINTR)
			return -1;
	}
	return 0;
}

/* A read transaction; a map that another process grew is adopted once. */
static int sp_lmdb_begin(struct sp_lmdb *l, MDB_txn **txn)
{
	int rc = mdb_txn_begin(l->env, NULL, MDB_RDONLY, txn);

	if (rc == MDB_MAP_RESIZED && (rc = mdb_env_set_mapsize(l->env, 0)) == 0)
		rc = mdb_txn_begin(l->env, NULL, MDB_RDONLY, txn);
	return rc;
}

/* Appends LMDB bytes up to their first NUL (Postfix reads C strings). */
static int sp_lmdb_copy(struct sp_buf *b, const MDB_val *v)
{
	const char *p = v->mv_data;
	const char *nul = v->mv_size ? memchr(p, 0, v->mv_size) : NULL;

	sp_buf_reset(b);
	return sp_buf_add(b, p, nul ? (size_t)(nul - p) : v->mv_size);
}

/* Tries key with (extra 1) or without (extra 0) its NUL; as mdb_get. */
static int sp_lmdb_get(struct sp_lmdb *l, MDB_txn *txn, const char *key, size_t extra,
		       MDB_val *val)
{
	MDB_val k;

	k.mv_data = (void *)key;
	k.mv_size = strlen(key) + extra;
	if (k.mv_size == 0 || k.mv_size > l->maxkey)
		return MDB_NOTFOUND;  /* LMDB cannot hold such a key */
	return mdb_get(txn, l->dbi, &k, val);
}

/* Looks key up with its NUL, then without, keeping to the form that
 * finds something (Postfix's TRY1NULL/TRY0NULL); as mdb_get. */
static int sp_lmdb_find(struct sp_lmdb *l, MDB_txn *txn, const char *key, MDB_val *val)
{
	int rc = MDB_NOTFOUND;

	if (l->try_null & SP_LMDB_TRY1NULL) {
		if ((rc = sp_lmdb_get(l, txn, key, 1, val)) == 0)
			l->try_null = SP_LMDB_TRY1NULL;
		if (rc != MDB_NOTFOUND)
			return rc;
	}
	if (l->try_null & SP_LMDB_TRY0NULL) {
		if ((rc = sp_lmdb_get(l, txn, key, 0, val)) == 0)
			l->try_null = SP_LMDB_TRY0NULL;
	}
	return rc;
}

static int sp_lmdb_hold(struct sp_dict *d, char *err, size_t errlen)
{
	struct sp_lmdb *l = d->priv;
	int rc;

	if (sp_lmdb_lock(l, F_RDLCK) < 0) {
		snprintf(err, errlen, "%s:%s: lock %s.lmdb: %s", d->type, d->name, d->name,
			 strerror(errno));
		return -1;
	}
	if ((rc = sp_lmdb_begin(l, &l->held)) != 0) {
		l->held = NULL;
		(void)sp_lmdb_lock(l, F_UNLCK);
		snprintf(err, errlen, "%s:%s: read %s.lmdb: %s", d->type, d->name, d->name,
			 mdb_strerror(rc));
		return -1;
	}
	return 0;
}

static void sp_lmdb_release(struct sp_dict *d)
{
	struct sp_lmdb *l = d->priv;

	if (l->held) {
		mdb_txn_abort(l->held);
		l->held = NULL;
		(void)sp_lmdb_lock(l, F_UNLCK);
	}
}

static int sp_lmdb_lookup(struct sp_dict *d, const char *key, char *err, size_t errlen)
{
	struct sp_lmdb *l = d->priv;
	MDB_val val;
	int rc, toolong = 0, own = l->held == NULL;

	if (own && sp_lmdb_hold(d, err, errlen) < 0)
		return -1;
	if ((rc = sp_lmdb_find(l, l->held, key, &val)) == 0)
		toolong = sp_lmdb_copy(&d->result, &val) < 0;
	if (own)
		sp_lmdb_release(d);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc != 0) {
		snprintf(err, errlen, "%s:%s: read %s.lmdb: %s", d->type, d->name, d->name,
			 mdb_strerror(rc));
		return -1;
	}
	if (toolong) {
		snprintf(err, errlen, "%s:%s: result longer than %u bytes", d->type, d->name,
			 SP_DICT_VALUE_MAX);
		return -1;
	}
	return 1;
}

/* Walks the cursor, calling fn per entry; 0 at the end, fn's value, or an LMDB error (< 0
 * values are LMDB codes, reported by the caller). */
static int sp_lmdb_walk(struct sp_lmdb *l, MDB_cursor *cur,
			int (*fn)(void *ctx, const char *key, const char *value), void *ctx,
			int *fnrc)
{
	MDB_val k, v;
	int rc;

	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (sp_lmdb_copy(&l->key, &k) < 0 || sp_lmdb_copy(&l->val, &v) < 0)
			return MDB_BAD_VALSIZE;
		if ((*fnrc = fn(ctx, sp_buf_str(&l->key), sp_buf_str(&l->val))) != 0)
			return 0;
	}
	return rc == MDB_NOTFOUND ? 0 : rc;
}

static int sp_lmdb_each(struct sp_dict *d, int (*fn)(void *ctx, const char *key, const char *value),
			void *ctx, char *err, size_t errlen)
{
	struct sp_lmdb *l = d->priv;
	MDB_txn *txn;
	MDB_cursor *cur;
	int rc, fnrc = 0;

	if (sp_lmdb_lock(l, F_RDLCK) < 0) {
		snprintf(err, errlen, "%s:%s: lock %s.lmdb: %s", d->type, d->name, d->name,
			 strerror(errno));
		return -1;
	}
	if ((rc = sp_lmdb_begin(l, &txn)) == 0) {
		if ((rc = mdb_cursor_open(txn, l->dbi, &cur)) == 0) {
			rc = sp_lmdb_walk(l, cur, fn, ctx, &fnrc);
			mdb_cursor_close(cur);
		}
		mdb_txn_abort(txn);
	}
	(void)sp_lmdb_lock(l, F_UNLCK);
	if (rc == MDB_BAD_VALSIZE) {
		snprintf(err, errlen, "%s:%s: an entry is longer than %u bytes", d->type, d->name,
			 SP_DICT_VALUE_MAX);
		return -1;
	}
	if (rc != 0) {
		snprintf(err, errlen, "%s:%s: read %s.lmdb: %s", d->type, d->name, d->name,
			 mdb_strerror(rc));
		return -1;
	}
	return fnrc;
}

/* The error for a FILE.lmdb that stat() could not find. */
static void sp_lmdb_missing(const struct sp_dict *d, const char *path, int e, char *err,
			    size_t errlen)
{
	char db[4200];
	struct stat st;

	snprintf(db, sizeof(db), "%s.db", d->name);
	if (e == ENOENT && stat(db, &st) == 0)
		snprintf(err, errlen, "%s:%s: %s does not exist, but %s does: that is a Berkeley DB "
			 "file from Postfix's postmap, which sallyport does not read; run: sallyport "
			 "map %s:%s", d->type, d->name, path, db, d->type, d->name);
	else if (e == ENOENT)
		snprintf(err, errlen, "%s:%s: %s does not exist; run: sallyport map %s:%s", d->type,
			 d->name, path, d->type, d->name);
	else
		snprintf(err, errlen, "%s:%s: %s: %s", d->type, d->name, path, strerror(e));
}

/* Warns when the source file is newer than the compiled one. */
static void sp_lmdb_check_age(const struct sp_dict *d, const struct sp_lmdb *l, const char *path,
			      struct sp_diags *diags)
{
	struct stat src, dst;
	char fix[4200];

	if (diags == NULL || stat(d->name, &src) != 0 || fstat(l->fd, &dst) != 0)
		return;
	if (src.st_mtim.tv_sec < dst.st_mtim.tv_sec ||
	    (src.st_mtim.tv_sec == dst.st_mtim.tv_sec && src.st_mtim.tv_nsec <= dst.st_mtim.tv_nsec))
		return;
	snprintf(fix, sizeof(fix), "run: sallyport map %s:%s", d->type, d->name);
	sp_diag_add(diags, SP_WARNING, NULL, 0, NULL, fix,
		    "%s is older than %s: lookups use the old table", path, d->name);
}

/* Opens the environment and its main database; an LMDB error code. */
static int sp_lmdb_env(struct sp_lmdb *l, const char *path)
{
	MDB_txn *txn;
	int rc;

	if ((rc = mdb_env_create(&l->env)) != 0)
		return rc;
	if ((rc = mdb_env_open(l->env, path, MDB_RDONLY | MDB_NOSUBDIR | MDB_NOLOCK, 0)) != 0)
		return rc;
	if ((rc = mdb_env_get_fd(l->env, &l->fd)) != 0)
		return rc;
	if ((rc = sp_lmdb_begin(l, &txn)) != 0)
		return rc;
	if ((rc = mdb_dbi_open(txn, NULL, 0, &l->dbi)) != 0) {
		mdb_txn_abort(txn);
		return rc;
	}
	return mdb_txn_commit(txn);  /* keeps the database handle */
}

static int sp_lmdb_open(struct sp_dict *d, struct sp_diags *diags, char *err, size_t errlen)
{
	struct sp_lmdb *l;
	char path[4096];
	struct stat st;
	int n, rc;

	n = snprintf(path, sizeof(path), "%s.lmdb", d->name);
	if (*d->name == 0 || n < 0 || (size_t)n >= sizeof(path)) {
		snprintf(err, errlen, "%s:%.100s: need a file name", d->type, d->name);
		return -1;
	}
	if (stat(path, &st) != 0) {
		sp_lmdb_missing(d, path, errno, err, errlen);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s:%s: %s is not a regular file", d->type, d->name, path);
		return -1;
	}
	l = sp_xcalloc(1, sizeof(*l));
	l->fd = -1;
	l->try_null = SP_LMDB_TRY1NULL | SP_LMDB_TRY0NULL;
	sp_buf_init(&l->key, SP_DICT_VALUE_MAX);
	sp_buf_init(&l->val, SP_DICT_VALUE_MAX);
	d->priv = l;
	if ((rc = sp_lmdb_env(l, path)) != 0) {
		if (rc == MDB_INVALID || rc == MDB_VERSION_MISMATCH || st.st_size == 0)
			snprintf(err, errlen, "%s:%s: %s is not an LMDB file this build can read (%s); "
				 "run: sallyport map %s:%s", d->type, d->name, path,
				 st.st_size == 0 ? "empty file" : mdb_strerror(rc), d->type, d->name);
		else
			snprintf(err, errlen, "%s:%s: open %s: %s", d->type, d->name, path,
				 mdb_strerror(rc));
		return -1;
	}
	l->maxkey = (size_t)mdb_env_get_maxkeysize(l->env);
	sp_lmdb_check_age(d, l, path, diags);
	return 0;
}

static void sp_lmdb_close(struct sp_dict *d)
{
	struct sp_lmdb *l = d->priv;

	if (l == NULL)
		return;
	sp_lmdb_release(d);
	if (l->env)
		mdb_env_close(l->env);
	sp_buf_free(&l->key);
	sp_buf_free(&l->val);
	free(l);
	d->priv = NULL;
}

const struct sp_dict_ops sp_dict_lmdb_ops = {
	.type = "lmdb",
	.open = sp_lmdb_open,
	.lookup = sp_lmdb_lookup,
	.each = sp_lmdb_each,
	.close = sp_lmdb_close,
	.hold = sp_lmdb_hold,
	.release = sp_lmdb_release,
	.folds = 1,
	.file_suffix = ".lmdb",
};
