/*
 * pattern_table.h - the source format of regexp: and pcre: tables, as
 * regexp_table(5) and pcre_table(5) describe it, and the walk over its rules
 * for one lookup key. Postfix logical lines (config/lline.h); a rule is
 * "/pattern/flags result" with any non-alphanumeric delimiter, "!" before the
 * pattern negates it, "if /pattern/flags" ... "endif" nest, and the result may
 * hold $N, ${N}, $(N) (text a group captured) and $$ (one $). The two types
 * differ only in their struct sp_pt_syntax.
 *
 * Pure: bytes in, rules and diagnostics out. Nothing here compiles a
 * pattern; the table types do that, once, at open, from the administrator's
 * file. A lookup key only ever reaches sp_pt_walk's match callback and
 * sp_pt_expand, as data.
 *
 * Stricter than Postfix: every line Postfix skips or half-reads with a
 * warning (no closing delimiter, unknown flag, text after if or endif, if
 * without endif, a bad $ reference...) is an error naming file and line. A
 * rule without a result and the obsolete pcre flag X are warnings, as in
 * Postfix, and work as Postfix's do.
 */
#ifndef SP_DICT_PATTERN_TABLE_H
#define SP_DICT_PATTERN_TABLE_H

#include <stddef.h>

#include "../util/buf.h"
#include "../util/diag.h"

#define SP_PT_PATTERN_MAX (64u << 10) /* longest pattern between its delimiters */
#define SP_PT_GROUP_MAX 99            /* largest $N in a result */
#define SP_PT_NEST_MAX 64             /* deepest if/endif nesting */
#define SP_PT_FILE_MAX (64u << 20)    /* largest table file */

/* What a table type accepts. */
struct sp_pt_syntax {
	const char *type;      /* "regexp", "pcre": for messages */
	const char *flags;     /* the flag letters, each toggles one option */
	const char *obsolete;  /* flags accepted with a warning, doing nothing */
	int second_pattern;    /* 1: "/p1/!/p2/ result" (regexp: only) */
};

struct sp_pt_pattern {
	char *text;         /* between the delimiters, as written; NULL: none */
	size_t len;
	unsigned toggles;   /* bit i: syntax flags[i] given an odd number of times */
	int negated;        /* an odd number of '!' before it */
};

/* One piece of a result: literal text, or the text group N captured. */
struct sp_pt_part {
	unsigned group;     /* 0: text[off..off+len) of the rule's lit */
	size_t off, len;
};

enum sp_pt_op { SP_PT_MATCH, SP_PT_IF, SP_PT_ENDIF };

struct sp_pt_rule {
	enum sp_pt_op op;
	int line;                   /* first physical line */
	struct sp_pt_pattern pat;   /* MATCH, IF */
	struct sp_pt_pattern pat2;  /* MATCH in regexp: "!/p2/", else text NULL */
	char *lit;                  /* MATCH: the result's literal bytes ($$ made $) */
	size_t litlen;
	struct sp_pt_part *parts;   /* MATCH: the result, in order */
	size_t nparts;
	unsigned max_group;         /* MATCH: largest $N, 0 when none */
	size_t endif;               /* IF: index of its endif */
};

struct sp_pt_table {
	struct sp_pt_rule *v;
	size_t n, cap;
	unsigned max_group;         /* largest $N in any rule */
};

enum {
	SP_PT_NO_SUBST = 1 << 0,    /* $N is an error (SP_DICT_NO_REGSUB) */
};

/* Parses table bytes into t (empty before); diagnostics naming file and
 * line go to d. Returns the number of errors (t then holds only the rules
 * that parsed, and must not be used for lookups). */
size_t sp_pt_parse(const char *data, size_t len, const char *file,
		   const struct sp_pt_syntax *syn, unsigned opts, struct sp_pt_table *t,
		   struct sp_diags *d);

/* 1 when flag letter c was toggled on pattern p (c must be in syn->flags). */
int sp_pt_toggled(const struct sp_pt_syntax *syn, const struct sp_pt_pattern *p, char c);

/* Runs the rules for one key: match(ctx, i, which) says whether pattern
 * which (0 first, 1 second) of rule i matches (1, 0, or -1 error). Returns 1
 * with *at the first MATCH rule that applies, 0 when none does, -1 with *at
 * the rule whose match failed. */
int sp_pt_walk(const struct sp_pt_table *t, int (*match)(void *ctx, size_t i, int which),
	       void *ctx, size_t *at);

/* Appends rule r's result to out, group g being key[ov[2g]..ov[2g+1]) for
 * g < nov (SIZE_MAX or an empty span: no text). Returns 0, or -1 when out
 * would pass its maximum. */
int sp_pt_expand(const struct sp_pt_rule *r, const char *key, size_t keylen,
		 const size_t *ov, size_t nov, struct sp_buf *out);

/* Writes the message for a table whose open failed with the errors in d
 * from index from on: their number, and the first of them. */
void sp_pt_failed(const struct sp_diags *d, size_t from, const char *type, const char *file,
		  char *err, size_t errlen);

/* Releases the rules. */
void sp_pt_free(struct sp_pt_table *t);

#endif
