/*
 * expand.h - Postfix's $name expansion of configuration values, done once
 * at load time over configuration text only (never over data from mail or
 * clients). Forms: $name, ${name}, $(name), $$, ${name?text}, ${name:text},
 * ${name?{text}}, ${name:{text}}, ${name?{t1}:{t2}}, ${name?{t1}:t2}, and
 * the relational forms ${{a} OP {b}}, ${{a} OP {b} ? {t1} : {t2}} with OP
 * one of == != < <= > >= (numeric when both sides are all digits), each
 * optionally suffixed "level" to compare compatibility levels (3.6 < 3.10).
 * Bounded: nesting depth SP_EXPAND_DEPTH (a loop is an error, as in
 * Postfix; relational operands count as a level), output size
 * SP_EXPAND_MAX, and work: every reference, every byte scanned and every
 * byte written counts, SP_EXPAND_WORK per call and optionally a budget
 * shared by many calls (so a chain of doubling references, or of
 * relational expressions over large values, can exhaust neither memory
 * nor time, even when its leaves are empty).
 */
#ifndef SP_CONFIG_EXPAND_H
#define SP_CONFIG_EXPAND_H

#include <stddef.h>

#include "../util/buf.h"

#define SP_EXPAND_DEPTH 100
#define SP_EXPAND_MAX (4u << 20)
#define SP_EXPAND_WORK (16u << 20)

struct sp_expand_ops {
	/* The raw value of a parameter, or NULL when it is undefined. *raw set
	 * to 1 means "insert literally, do not expand further". */
	const char *(*lookup)(void *ctx, const char *name, int *raw);
	/* Optional: told about each reference to an undefined parameter. */
	void (*undefined)(void *ctx, const char *name);
	void *ctx;
	/* Optional: work units left for all calls that share it. */
	unsigned long *budget;
};

/* Expands text into out (appending). Returns 0, or -1 with a message in
 * err (errlen bytes) on a syntax error, a loop or an oversized result. */
int sp_expand(const char *text, const struct sp_expand_ops *ops,
	      struct sp_buf *out, char *err, size_t errlen);

/* Walks text without expanding, calling ops->lookup for every parameter
 * name it references in any branch (to find user-defined parameters).
 * Returns 0, or -1 with err on a syntax error. */
int sp_expand_scan(const char *text, const struct sp_expand_ops *ops,
		   char *err, size_t errlen);

/* Parses a compatibility level ("2", "3.6", "3.6.1") into a comparable
 * number; -1 when malformed. */
long sp_compat_level(const char *s);

#endif
