/*
 * dict.c - opening a table by type name, and the calls every type shares:
 * key folding and length checks happen here, once, not in each type.
 */
#include "dict_impl.h"
#include "../util/mem.h"
#include "../util/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const struct {
	const char *name;
	const struct sp_dict_ops *ops;
} sp_dict_types[] = {
	{"btree", &sp_dict_lmdb_ops},   /* sallyport keeps every indexed table in LMDB */
	{"cidr", &sp_dict_cidr_ops},
	{"hash", &sp_dict_lmdb_ops},
	{"inline", &sp_dict_inline_ops},
	{"lmdb", &sp_dict_lmdb_ops},
	{"pcre", &sp_dict_pcre_ops},
	{"regexp", &sp_dict_regexp_ops},
	{"static", &sp_dict_static_ops},
	{"texthash", &sp_dict_texthash_ops},
	{"unix", &sp_dict_unix_ops},
};

static const struct sp_dict_ops *sp_dict_find_type(const char *type)
{
	for (size_t i = 0; i < sizeof(sp_dict_types) / sizeof(sp_dict_types[0]); i++) {
		if (strcmp(sp_dict_types[i].name, type) == 0)
			return sp_dict_types[i].ops;
	}
	return NULL;
}

int sp_dict_type_known(const char *type)
{
	return sp_dict_find_type(type) != NULL;
}

const char *sp_dict_split(const char *spec, char *type, size_t typelen)
{
	size_t n = 0;

	while ((spec[n] >= 'a' && spec[n] <= 'z') || (spec[n] >= '0' && spec[n] <= '9') ||
	       spec[n] == '_')
		n++;
	if (n == 0 || spec[n] != ':' || n >= typelen)
		return NULL;
	memcpy(type, spec, n);
	type[n] = 0;
	return spec + n + 1;
}

const char *sp_dict_braced(const char *text, size_t *len)
{
	int level = 0;
	size_t i;

	if (text[0] != '{')
		return NULL;
	for (i = 0; text[i]; i++) {
		if (text[i] == '{')
			level++;
		else if (text[i] == '}' && --level == 0)
			break;
	}
	if (text[i] == 0 || text[i + 1] != 0)
		return NULL;  /* unbalanced, or text after the group */
	*len = i - 1;
	return text + 1;
}

void sp_dict_fold(char *s)
{
	for (; *s; s++) {
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
	}
}

/* stat() of the file behind d, if it has one; 0 on success. */
static int sp_dict_stat(const struct sp_dict *d, struct stat *st)
{
	char path[4096];
	int n;

	if (d->ops->file_suffix == NULL)
		return -1;
	n = snprintf(path, sizeof(path), "%s%s", d->name, d->ops->file_suffix);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -1;
	return stat(path, st);
}

static void sp_dict_remember_file(struct sp_dict *d)
{
	struct stat st;

	if (sp_dict_stat(d, &st) != 0)
		return;
	d->has_file = 1;
	d->dev = (unsigned long long)st.st_dev;
	d->ino = (unsigned long long)st.st_ino;
	d->mtime_sec = (long long)st.st_mtim.tv_sec;
	d->mtime_nsec = (long long)st.st_mtim.tv_nsec;
	d->size = (long long)st.st_size;
}

int sp_dict_stale(const struct sp_dict *d)
{
	struct stat st;

	if (!d->has_file)
		return 0;
	if (sp_dict_stat(d, &st) != 0)
		return 1;  /* removed: the running copy is all we have, but it is stale */
	return d->dev != (unsigned long long)st.st_dev || d->ino != (unsigned long long)st.st_ino ||
	       d->mtime_sec != (long long)st.st_mtim.tv_sec ||
	       d->mtime_nsec != (long long)st.st_mtim.tv_nsec || d->size != (long long)st.st_size;
}

/* A hash:, btree: or lmdb: table with its source but no FILE.lmdb. */
static int sp_dict_uncompiled(const char *type, const char *name)
{
	char path[4200];
	struct stat st;

	if (strcmp(type, "hash") != 0 && strcmp(type, "btree") != 0 && strcmp(type, "lmdb") != 0)
		return 0;
	snprintf(path, sizeof(path), "%s.lmdb", name);
	return stat(path, &st) < 0 && stat(name, &st) == 0;
}

struct sp_dict *sp_dict_open(const char *spec, unsigned flags, struct sp_diags *diags,
			     char *err, size_t errlen)
{
	char type[32];
	const char *name = sp_dict_split(spec, type, sizeof(type));
	const struct sp_dict_ops *ops;
	struct sp_dict *d;

	if (name == NULL) {
		snprintf(err, errlen, "\"%.80s\" is not a table reference (write type:name)", spec);
		return NULL;
	}
	/* proxy: reaches a table through Postfix's proxymap, for processes that
	 * cannot open it themselves after chroot; sallyport opens every table
	 * before chroot, so it opens the table behind it directly. */
	if (strcmp(type, "proxy") == 0)
		return sp_dict_open(name, flags, diags, err, errlen);
	if ((flags & SP_DICT_SOURCE) && sp_dict_uncompiled(type, name)) {
		char alt[4200];
		snprintf(alt, sizeof(alt), "texthash:%s", name);
		return sp_dict_open(alt, flags & ~(unsigned)SP_DICT_SOURCE, diags, err, errlen);
	}
	if ((ops = sp_dict_find_type(type)) == NULL && (flags & SP_DICT_SOURCE)) {
		/* the auditor: a Postfix table type sallyport lacks (nis:...) finds nothing */
		if (diags)
			sp_diag_add(diags, SP_WARNING, NULL, 0, NULL, NULL, "table %.200s: type \"%s\" "
				    "is not supported by sallyport: taken as empty", spec, type);
		sp_diag_unsupported(diags);
		return sp_dict_open("texthash:/dev/null", flags & ~(unsigned)SP_DICT_SOURCE, diags, err,
				    errlen);
	}
	if (ops == NULL) {
		snprintf(err, errlen, "unsupported table type \"%s\" (sallyport supports btree, cidr, "
			 "hash, inline, lmdb, pcre, regexp, static, texthash, unix and proxy:)", type);
		return NULL;
	}
	d = sp_xcalloc(1, sizeof(*d));
	d->ops = ops;
	d->type = sp_xstrdup(type);
	d->name = sp_xstrdup(name);
	d->flags = flags;
	sp_buf_init(&d->result, SP_DICT_VALUE_MAX);
	sp_dict_remember_file(d);  /* before reading it: a change during open shows */
	if (ops->open(d, diags, err, errlen) < 0) {
		sp_dict_close(&d);
		return NULL;
	}
	return d;
}

int sp_dict_lookup(struct sp_dict *d, const char *key, const char **value,
		   char *err, size_t errlen)
{
	char folded[SP_DICT_KEY_MAX + 1];
	size_t n = strlen(key);
	int rc;

	if (n > SP_DICT_KEY_MAX) {
		snprintf(err, errlen, "%s:%s: lookup key longer than %d bytes", d->type, d->name,
			 SP_DICT_KEY_MAX);
		return -1;
	}
	/* As Postfix with smtputf8_enable: a key that is not UTF-8 is not found. */
	if (!sp_utf8_valid(key, n))
		return 0;
	if (d->ops->folds && (d->flags & SP_DICT_FOLD)) {
		memcpy(folded, key, n + 1);
		sp_dict_fold(folded);
		key = folded;
	}
	sp_buf_reset(&d->result);
	rc = d->ops->lookup(d, key, err, errlen);
	if (rc == 1)
		*value = sp_buf_str(&d->result);
	return rc;
}

int sp_dict_hold(struct sp_dict *d, char *err, size_t errlen)
{
	return d->ops->hold ? d->ops->hold(d, err, errlen) : 0;
}

void sp_dict_release(struct sp_dict *d)
{
	if (d->ops->release)
		d->ops->release(d);
}

int sp_dict_each(struct sp_dict *d, int (*fn)(void *ctx, const char *key, const char *value),
		 void *ctx, char *err, size_t errlen)
{
	if (d->ops->each == NULL) {
		snprintf(err, errlen, "%s:%s: a %s table cannot list its entries", d->type, d->name,
			 d->type);
		return -1;
	}
	return d->ops->each(d, fn, ctx, err, errlen);
}

const char *sp_dict_type(const struct sp_dict *d)
{
	return d->type;
}

const char *sp_dict_name(const struct sp_dict *d)
{
	return d->name;
}

void sp_dict_close(struct sp_dict **dp)
{
	struct sp_dict *d = *dp;

	if (d == NULL)
		return;
	if (d->ops && d->ops->close)
		d->ops->close(d);
	sp_buf_free(&d->result);
	free(d->type);
	free(d->name);
	free(d);
	*dp = NULL;
}
