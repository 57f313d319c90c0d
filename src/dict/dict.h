/*
 * dict.h - lookup tables: one interface for every table type sallyport
 * reads (texthash, inline, static, cidr, regexp, pcre, and lmdb with its
 * aliases hash and btree). A table is opened once from "type:name" (before
 * any chroot or privilege drop), then looked up many times read-only, and
 * closed. Errors are returned with a message, never printed from here.
 *
 * Case: fixed-string tables (texthash, inline, lmdb) fold keys to lower
 * case when SP_DICT_FOLD is set, at build and at lookup, as postmap does
 * unless given -f; pattern tables (regexp, pcre) match case-insensitively
 * unless a pattern's flags say otherwise; cidr and static ignore case.
 */
#ifndef SP_DICT_DICT_H
#define SP_DICT_DICT_H

#include <stddef.h>

#include "../util/diag.h"

enum {
	SP_DICT_FOLD = 1 << 0,      /* fold fixed-string keys to lower case */
	SP_DICT_NO_REGSUB = 1 << 1, /* refuse $N substitution in results */
	SP_DICT_SOURCE = 1 << 2,    /* the auditor on a real Postfix: a hash:, btree: or
				     * lmdb: table that sallyport has not compiled is read
				     * from its source file, as texthash: reads one, and
				     * a table type sallyport lacks (nis:) is empty */
};

#define SP_DICT_KEY_MAX 4096        /* longest lookup key */
#define SP_DICT_VALUE_MAX (1u << 20) /* longest result, after substitution */

struct sp_dict;

/* Opens the table "type:name" (name may be a file, or {...} text for
 * inline: and static:). Source-file warnings (duplicate keys...) go to
 * diags, which may be NULL. Returns the table, or NULL with err. */
struct sp_dict *sp_dict_open(const char *spec, unsigned flags, struct sp_diags *diags,
			     char *err, size_t errlen);

/* Looks key up: 1 found, *value set (valid until the next lookup on d or
 * its close); 0 not found (also for a key that is not UTF-8, as Postfix
 * with smtputf8_enable); -1 lookup error, with err. */
int sp_dict_lookup(struct sp_dict *d, const char *key, const char **value,
		   char *err, size_t errlen);

/* Several lookups as one: between sp_dict_hold and sp_dict_release the
 * table answers from one consistent view (for lmdb: one lock and one read
 * transaction instead of one per lookup). Returns 0, or -1 with err; a
 * table that needs nothing of the kind returns 0. Holds do not nest. */
int sp_dict_hold(struct sp_dict *d, char *err, size_t errlen);
void sp_dict_release(struct sp_dict *d);

/* Calls fn for each entry in table order (postmap -s) until fn returns
 * non-zero. Returns 0, fn's value, or -1 with err when the type cannot list
 * its entries. */
int sp_dict_each(struct sp_dict *d, int (*fn)(void *ctx, const char *key, const char *value),
		 void *ctx, char *err, size_t errlen);

/* The type and name as opened ("hash", "/etc/postfix/senders"). */
const char *sp_dict_type(const struct sp_dict *d);
const char *sp_dict_name(const struct sp_dict *d);

/* 1 when the file behind the table was replaced or changed since it was
 * opened (a running server then reloads it); 0 otherwise, and for tables
 * that have no file (inline, static). */
int sp_dict_stale(const struct sp_dict *d);

/* Closes the table and sets *dp to NULL. */
void sp_dict_close(struct sp_dict **dp);

/* 1 when sallyport supports the table type. */
int sp_dict_type_known(const char *type);

/* Splits "type:name" into its parts (type copied into buf); returns the
 * name, or NULL when spec is not a table reference. */
const char *sp_dict_split(const char *spec, char *type, size_t typelen);

#endif
