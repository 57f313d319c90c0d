/*
 * test_expand.c - $name expansion (config/expand.h) with Postfix's
 * semantics: every reference form, ?/: branches, relational operators
 * (numeric, lexicographic, compatibility levels), the undefined callback,
 * syntax errors, loops, the nesting and size bounds, the scanner, and
 * sp_compat_level.
 *
 * Oracle: postconf 3.7.11, asked as `postconf -c DIR -xh relayhost` with
 * relayhost set to the row's text (and n = v, e = <empty> where a row needs
 * them). Its answers are quoted in the rows ("postconf: ...").
 */
#include "unit.h"

#include "config/expand.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- the lookup environment ------------------------------------------ */

struct var {
	const char *name, *value;
	int raw;
};

static const struct var env[] = {
	{"n", "v", 0},
	{"empty", "", 0},
	{"host", "mail.example.com", 0},
	{"a", "$b", 0},
	{"b", "B", 0},
	{"raw", "$literal ${x", 1},        /* inserted literally, never parsed */
	{"ten", "10", 0},
	{"nine", "9", 0},
	{"lvl", "3.6", 0},
	{"sp", "x y", 0},
	{"la", "$lb", 0},                  /* la -> lb -> la */
	{"lb", "$la", 0},
	{"self", "x $self", 0},            /* self-reference */
	{"bad", "${n", 0},                 /* a syntax error one level down */
	{"dollar", "$$", 0},
	{"cond", "${n?{yes}:{no}}", 0},
	{"undef_ref", "<$u_inner>", 0},
	{"1", "one", 0},
	{"_b", "underscore", 0},
	{"indirect", "$empty", 0},         /* non-empty raw, empty expanded */
};

struct ctx {
	char undef[512];       /* undefined names, comma-separated */
	char looked[512];      /* every name looked up, comma-separated */
	long lookups;
};

static void list_add(char *list, size_t size, const char *name)
{
	size_t n = strlen(list);

	snprintf(list + n, size - n, "%s%s", n ? "," : "", name);
}

/* Chains, built once (values must stay valid while they are expanded):
 * cN = "$c(N-1)" (c0 = "end"); eN = "$e(N-1)$e(N-1)" (e0 = "x");
 * zN = "$z(N-1)$z(N-1)" (z0 = ""); wN = "$w(N-1)$w(N-1)" (w0 = 16 bytes);
 * qN = "$q(N-1)$q(N-1)" (q0 undefined). */
#define CHAIN_MAX 200
static char chains[5][CHAIN_MAX + 1][32];
static const char chain_kinds[] = "cezwq";

static void chains_init(void)
{
	static const char *const leaf[5] = {"end", "x", "", "0123456789abcdef", "(undefined)"};

	for (int t = 0; t < 5; t++) {
		snprintf(chains[t][0], sizeof(chains[t][0]), "%s", leaf[t]);
		for (int k = 1; k <= CHAIN_MAX; k++) {
			if (t == 0)
				snprintf(chains[t][k], sizeof(chains[t][k]), "$c%d", k - 1);
			else
				snprintf(chains[t][k], sizeof(chains[t][k]), "$%c%d$%c%d",
					 chain_kinds[t], k - 1, chain_kinds[t], k - 1);
		}
	}
}

static const char *chain(const char *name)
{
	const char *kind = name[0] ? strchr(chain_kinds, name[0]) : NULL;
	char *end;
	long k;

	if (kind == NULL || name[1] < '0' || name[1] > '9')
		return NULL;
	k = strtol(name + 1, &end, 10);
	if (*end != 0 || k > CHAIN_MAX || (*kind == 'q' && k == 0))
		return NULL;
	return chains[kind - chain_kinds][k];
}

static const char *lookup(void *vctx, const char *name, int *raw)
{
	struct ctx *c = vctx;

	c->lookups++;
	if (c->lookups < 64)
		list_add(c->looked, sizeof(c->looked), name);
	*raw = 0;
	for (size_t i = 0; i < NROWS(env); i++) {
		if (strcmp(env[i].name, name) == 0) {
			*raw = env[i].raw;
			return env[i].value;
		}
	}
	return chain(name);
}

static void undefined(void *vctx, const char *name)
{
	struct ctx *c = vctx;

	list_add(c->undef, sizeof(c->undef), name);
}

/* Expands text with a fresh context; returns the rc. */
static int run(const char *text, struct ctx *c, struct sp_buf *out, char *err, size_t errlen)
{
	struct sp_expand_ops ops = {lookup, undefined, c};

	memset(c, 0, sizeof(*c));
	sp_buf_init(out, SP_EXPAND_MAX);
	err[0] = 0;
	return sp_expand(text, &ops, out, err, errlen);
}

/* ---- valid input -------------------------------------------------------- */

struct ok_row {
	const char *label;
	const char *text;
	const char *want;
	const char *undef;   /* names the undefined callback must get, in order */
};

static const struct ok_row ok_rows[] = {
	{"no references", "plain text", "plain text", ""},
	{"empty", "", "", ""},
	{"$name", "$n", "v", ""},
	{"${name}", "${n}", "v", ""},
	{"$(name)", "$(n)", "v", ""},
	{"$name ends at a non-name byte", "x$n.y", "xv.y", ""},
	{"${name} glued to text", "${n}x", "vx", ""},
	{"$(name) glued to text", "$(n)x", "vx", ""},
	{"several", "$n-$n $n", "v-v v", ""},
	{"adjacent", "$n$n$n", "vvv", ""},
	{"digit name (postconf: undefined 1x)", "$1", "one", ""},
	{"underscore name", "a$_b", "aunderscore", ""},
	{"$$ is a dollar (postconf: $)", "$$", "$", ""},
	{"$$name is not a reference", "$$n", "$n", ""},
	{"text then $$", "100$$", "100$", ""},
	{"$$$name", "$$$n", "$v", ""},
	{"recursive value", "$a", "B", ""},
	{"recursive $$ stays one dollar", "$dollar", "$", ""},
	{"raw value inserted literally", "$raw", "$literal ${x", ""},
	{"value with a conditional", "$cond", "yes", ""},
	{"whitespace inside ${ } (postconf: v)", "${ n }", "v", ""},
	{"value with spaces", "[$sp]", "[x y]", ""},
	{"undefined $x is empty and reported", "[$u1]", "[]", "u1"},
	{"undefined ${x} reported", "[${u2}]", "[]", "u2"},
	{"undefined $(x) reported", "[$(u3)]", "[]", "u3"},
	{"undefined inside a looked-up value: reported at that parameter, not here", "$undef_ref", "<>", ""},
	{"several undefined, in order", "$u1 ${u2} $u1", "  ", "u1,u2,u1"},
	/* postconf warns "undefined parameter" for these too; the contract
	 * (expand.h: the callback is for references to undefined parameters,
	 * and the brief) leaves ${x?..}/${x:..} tests to the expression. */
	{"${undef?x}: empty, not reported", "[${u4?x}]", "[]", ""},
	{"${undef:x}: x, not reported", "[${u5:x}]", "[x]", ""},
	{"${name?x}", "${n?x}", "x", ""},
	{"${name:x}", "[${n:x}]", "[]", ""},
	{"${empty?x} (postconf: empty)", "[${empty?x}]", "[]", ""},
	{"${empty:x} (postconf: x)", "[${empty:x}]", "[x]", ""},
	{"${name?{a}:{b}} defined (postconf: a)", "${n?{a}:{b}}", "a", ""},
	{"${name?{a}:{b}} undefined (postconf: b)", "${u?{a}:{b}}", "b", ""},
	{"${name?{a}:b} defined (postconf: a)", "${n?{a}:b}", "a", ""},
	{"${name?{a}:b} undefined (postconf: b)", "${u?{a}:b}", "b", ""},
	{"whitespace around branches, defined (postconf: a)", "${n ? {a} : {b}}", "a", ""},
	{"whitespace around branches, undefined (postconf: b)", "${u ? {a} : {b}}", "b", ""},
	{"whitespace inside {} kept (postconf: [ a ])", "[${n?{ a }:{b}}]", "[ a ]", ""},
	{"whitespace inside {} kept, false branch (postconf: [ b ])", "[${u?{ a }:{ b }}]",
	 "[ b ]", ""},
	{"${name?a:b}: the text runs to the end (postconf: a:b)", "${n?a:b}", "a:b", ""},
	{"${undef:a:b} (postconf: a:b)", "${u:a:b}", "a:b", ""},
	{"${name?{x}} braces removed", "${n?{x}}", "x", ""},
	{"${name:{x}} braces removed", "${u:{x}}", "x", ""},
	{"empty ? branch (postconf: empty)", "[${n?}]", "[]", ""},
	{"references in the taken branch", "${n?{$n$b}}", "vB", ""},
	{"nested conditional (postconf: x)", "${n?${n?{x}}}", "x", ""},
	{"nested default", "${n?{${u:d}}}", "d", ""},
	{"untaken branch is not expanded (a loop there is harmless)", "${n?{ok}:{$la}}", "ok", ""},
	{"untaken ? branch with a loop", "${u?{$la}:{ok}}", "ok", ""},
	{"untaken branch: no undefined report", "${n?{ok}:{$u6}}", "ok", ""},
	{"empty name ${:x} (postconf: x)", "${:x}", "x", ""},
	{"== true (postconf: true)", "${{a} == {a}}", "true", ""},
	{"== false (postconf: empty)", "[${{a} == {b}}]", "[]", ""},
	{"!= (postconf: true)", "${{a} != {b}}", "true", ""},
	{"<= >= > (postconf: truetrue)", "${{a} <= {a}}${{b} >= {a}}${{a} > {b}}", "truetrue", ""},
	{"numeric: 10 < 9 false (postconf: F)", "${{10} < {9}?{T}:{F}}", "F", ""},
	{"lexicographic: a10 < a9 true (postconf: T)", "${{a10} < {a9}?{T}:{F}}", "T", ""},
	{"numeric: 10 > 9", "${{10} > {9}?{T}:{F}}", "T", ""},
	{"numeric: 010 == 10 (postconf: true)", "${{010} == {10}}", "true", ""},
	{"numeric after expansion", "${{$ten} < {$nine}?{T}:{F}}", "F", ""},
	{"mixed digits and text compare as text", "${{10} < {9a}?{T}:{F}}", "T", ""},
	{"3.10 > 3.6 as text is false (postconf: F)", "${{3.10} > {3.6}?{T}:{F}}", "F", ""},
	{">level: 3.10 > 3.6 (postconf: T)", "${{3.10} >level {3.6}?{T}:{F}}", "T", ""},
	{"==level 3.6 == 3.6.0 (postconf: true)", "${{3.6} ==level {3.6.0}}", "true", ""},
	{"<level 2 < 3.6 (postconf: true)", "${{2} <level {3.6}}", "true", ""},
	{"<=level with a reference", "${{$lvl} <=level {3.6}}", "true", ""},
	{"!=level", "${{3.6.1} !=level {3.6}}", "true", ""},
	{">=level false", "[${{3.5} >=level {3.6}}]", "[]", ""},
	{"no spaces around the operator (postconf: yes)", "${{a}=={a}?{yes}}", "yes", ""},
	{"relational ? : with spaces", "${{a} == {b} ? {t} : {f}}", "f", ""},
	{"relational : only, false (postconf: f)", "${{a} == {b}:{f}}", "f", ""},
	{"relational : only, true (postconf: empty)", "[${{a} == {a}:{f}}]", "[]", ""},
	{"operands are not trimmed (postconf: empty)", "[${{ a } == {a}}]", "[]", ""},
	{"undefined operand is reported and empty", "${{$u7} == {}}", "true", "u7"},
	{"text after the reference, with '}'", "${{a} == {b}} x}", " x}", ""},
	{"'}' after a reference is text", "${n}}", "v}", ""},
	{"$(..) with branches (postconf: b when undefined)", "$(n?{a}:{b})", "a", ""},
	{"$(..) nested (postconf: v)", "$(n?$(n))", "v", ""},
	{"'{' after $name is text (postconf: v{x})", "$n{x}", "v{x}", ""},
	{"? tests the raw value, not its expansion (postconf: a)", "${indirect?{a}:{b}}", "a", ""},
	{"deep but bounded chain", "$c90", "end", ""},
	{"doubling chain that stays small", "$e10", NULL, ""},   /* 1024 x */
};

static void test_expand_ok_table(void **state)
{
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < NROWS(ok_rows); i++) {
		const struct ok_row *r = &ok_rows[i];
		struct ctx c;
		struct sp_buf out;
		char err[256];
		int rc = run(r->text, &c, &out, err, sizeof(err));
		const char *want = r->want;
		char big[1025];

		if (want == NULL) {
			memset(big, 'x', 1024);
			big[1024] = 0;
			want = big;
		}
		ROW_CHECK(&fails, "ok", i, r->label, rc == 0, "rc %d: %s", rc, err);
		ROW_CHECK(&fails, "ok", i, r->label, rc != 0 || strcmp(sp_buf_str(&out), want) == 0,
			  "\"%s\" gave \"%s\", want \"%s\"", r->text, sp_shows(sp_buf_str(&out)),
			  sp_shows(want));
		ROW_CHECK(&fails, "ok", i, r->label, strcmp(c.undef, r->undef) == 0,
			  "undefined callback got \"%s\", want \"%s\"", c.undef, r->undef);
		sp_buf_free(&out);
	}
	sp_rows_done(fails, "ok", NROWS(ok_rows));
}

/* ---- malformed input ------------------------------------------------------ */

struct bad_row {
	const char *label;
	const char *text;
	const char *err;     /* substring of the message */
};

static const struct bad_row bad_rows[] = {
	{"lone $ (postconf: empty macro name)", "$", "empty macro name"},
	{"$ at end (postconf: empty macro name)", "a$", "empty macro name"},
	{"$ at end after text and a reference", "$n costs 5$", "empty macro name"},
	{"$ space (postconf: empty macro name)", "$ x", "empty macro name"},
	{"$ then punctuation", "$-x", "empty macro name"},
	{"${} empty", "${}", "empty macro name"},
	{"$() empty (postconf: empty macro name)", "$()", "empty macro name"},
	{"${ (postconf: truncated macro reference)", "${", "truncated"},
	{"${a (postconf: truncated macro reference)", "${a", "truncated"},
	{"$( ", "$(", "truncated"},
	{"$(a", "$(a", "truncated"},
	{"$(a} (postconf: truncated macro reference)", "$(a}", "truncated"},
	{"${a) ", "${a)", "truncated"},
	{"${ after good text", "ok $n ${", "truncated"},
	{"${{a}", "${{a}", "truncated"},
	{"unclosed false branch", "${n?{a}:{b}", "truncated"},
	{"unclosed true branch", "${n?{{a}:{b}}", "truncated"},
	{"unbalanced {} in a $(..) branch (postconf: unbalanced {})", "$(n?{a)", "unbalanced {}"},
	{"unbalanced {} in a $(..) false branch", "$(n?{a}:{b)", "unbalanced {}"},
	{"unbalanced {} in a $(..) relational", "$({a} == {b)", "unbalanced {}"},
	{"${na me} (postconf: syntax error)", "${na me}", "syntax error"},
	{"${name{x}} unknown function (postconf: syntax error)", "${name{x}}", "unknown function"},
	{"dash in name", "${n-x}", "syntax error"},
	{"dot in name", "${a.b}", "syntax error"},
	{"slash in name", "$(a/b)", "syntax error"},
	{"${{a} ~ {b}} (postconf: \"==\" ... expected)", "${{a} ~ {b}}", "expected"},
	{"=== operator", "${{a} === {b}}", "expected"},
	{"=< operator", "${{a} =< {b}}", "expected"},
	{"<> operator", "${{a} <> {b}}", "expected"},
	{"! operator", "${{a} ! {b}}", "expected"},
	{"= operator", "${{a} = {b}}", "expected"},
	{"no operator (postconf: expected)", "${{a} {b}}", "expected"},
	{"nothing after the left operand (postconf: expected)", "${{a}}", "expected"},
	{"${{a} == b} (postconf: {expression} expected)", "${{a} == b}", "{expression}"},
	{"nothing after the operator (postconf: {expression} expected)", "${{a} ==}", "{expression}"},
	{"==lvl (postconf: bad operator suffix)", "${{a} ==lvl {b}}", "bad operator suffix"},
	{"<LEVEL: suffixes are case-sensitive", "${{3.6} <LEVEL {2}}", "bad operator suffix"},
	{"==levels", "${{3} ==levels {3}}", "bad operator suffix"},
	{"==level2", "${{3} ==level2 {3}}", "bad operator suffix"},
	{"malformed level 3.x (postconf: malformed compatibility level)", "${{3.x} ==level {3}}",
	 "malformed compatibility level"},
	{"malformed level a (postconf: malformed)", "${{a}==level{b}}", "malformed compatibility level"},
	{"malformed level: empty (postconf: malformed)", "${{3} ==level {}}", "malformed compatibility level"},
	{"malformed level: four parts (postconf: malformed)", "${{3.6.1.2} ==level {3}}",
	 "malformed compatibility level"},
	{"malformed level: part too large (postconf: malformed)", "${{3.1024} ==level {3}}",
	 "malformed compatibility level"},
	{"malformed level: padded (postconf: malformed)", "${{ 3.6 } ==level {3.6}}",
	 "malformed compatibility level"},
	{"malformed level: negative", "${{-1} <level {3}}", "malformed compatibility level"},
	{"malformed level: trailing dot", "${{3.} <level {3}}", "malformed compatibility level"},
	{"malformed level from a reference", "${{$host} <level {3}}", "malformed compatibility level"},
	{"number too large (postconf: fatal bad conversion)", "${{99999999999999999999} > {1}}",
	 "too large"},
	{"text after the ? branch (postconf: \":\" expected)", "${n?{a}b}", "\":\" expected"},
	{"text after the ? branch, undefined name (postconf: \":\" expected)", "${u?{a}b}",
	 "\":\" expected"},
	{"text after the : branch", "${n?{a}:{b}c}", "unexpected input"},
	{"${name:{a}:{b}} is not a ternary", "${u:{a}:{b}}", "unexpected input"},
	{"second : after a ternary (postconf: unexpected input)", "${{a} == {b}?{x}:{y}:{z}}",
	 "unexpected input"},
	{"text after a relational (postconf: \"?\" or \":\" expected)", "${{a} == {b} x}",
	 "\"?\" or \":\" expected"},
	{"text after a relational ? branch (postconf: \":\" expected)", "${{a} == {b} ? {t} x}",
	 "\":\" expected"},
	{"syntax error inside a taken branch", "${n?{${}}}", "empty macro name"},
	{"syntax error inside a relational operand", "${{$} == {a}}", "empty macro name"},
	{"syntax error one level down", "$bad", "truncated"},
	{"loop a -> b -> a mentions nesting", "$la", "nesting"},
	{"self-reference mentions nesting", "$self", "nesting"},
	{"loop through ${..}", "${la}", "nesting"},
	{"loop in a taken branch", "${n?{$la}}", "nesting"},
	{"loop in a relational operand", "${{$la} == {x}}", "nesting"},
	{"chain deeper than SP_EXPAND_DEPTH", "$c150", "nesting"},
	{"$$$ ends in a lone $", "$$$", "empty macro name"},
	{"${$}", "${$}", "syntax error"},
	{"name starting with '-'", "${-n}", "syntax error"},
	{"'@' in a name", "${n@}", "syntax error"},
	{"'/' in a ${} name", "${n/x}", "syntax error"},
	{"space then '?' then text without ':'", "${n ?{a}b}", "\":\" expected"},
	{"${{}", "${{}", "truncated"},
	{"unclosed relational", "${{a} == {b}", "truncated"},
	{"unclosed right operand", "${{a} == {{b}}", "truncated"},
	{"$((n)", "$((n)", "truncated"},
	{"truncated $( inside a : branch", "${u:{$(}}", "truncated"},
	{"three branches", "${n?{a}:{b}:{c}}", "unexpected input"},
	{"two ? branches", "${n?{a} {b}}", "\":\" expected"},
	{": branch then text", "${u:{a}b}", "unexpected input"},
	{": branch then :text", "${u:{a}:b}", "unexpected input"},
	{"relational ? branch then text", "${{a}=={b}?{a}b}", "\":\" expected"},
	{"relational ternary then text", "${{a} == {b}?{t}:{f}x}", "unexpected input"},
	{"text right after the right operand", "${{a} =={b}x}", "\"?\" or \":\" expected"},
	{"malformed level on the right", "${{3}==level{3.x}}", "malformed compatibility level"},
	{"malformed level: four parts on the right", "${{3} <=level {3.6.1.0}}",
	 "malformed compatibility level"},
	{"==LEVEL", "${{3} ==LEVEL {3}}", "bad operator suffix"},
	{"level_ suffix", "${{3} ==level_ {3}}", "expected"},
	{"number too large on the right", "${{1}<{99999999999999999999}}", "too large"},
	{"loop in a relational operand through self", "${{$self} == {x}}", "nesting"},
	{"loop in a taken ? branch through self", "${n?{$self}}", "nesting"},
	{"self twice", "$self$self", "nesting"},
	{"loop in the right operand", "${{a} == {$la}}", "nesting"},
	{"lone $ in a taken ? branch", "${{a}<{b}?{$}}", "empty macro name"},
	{"${} in a taken : branch", "${{a}>{b}?{x}:{${}}}", "empty macro name"},
};

static void test_expand_bad_table(void **state)
{
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < NROWS(bad_rows); i++) {
		const struct bad_row *r = &bad_rows[i];
		struct ctx c;
		struct sp_buf out;
		char err[256];
		int rc = run(r->text, &c, &out, err, sizeof(err));

		ROW_CHECK(&fails, "bad", i, r->label, rc == -1, "\"%s\" rc %d, output \"%s\"",
			  r->text, rc, sp_shows(sp_buf_str(&out)));
		ROW_CHECK(&fails, "bad", i, r->label, rc != -1 || strstr(err, r->err) != NULL,
			  "\"%s\" error \"%s\", want one containing \"%s\"", r->text, err, r->err);
		sp_buf_free(&out);
	}
	sp_rows_done(fails, "bad", NROWS(bad_rows));
}

/* ---- bounds --------------------------------------------------------------- */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* e1 = $e0$e0 ... e30: 2^30 bytes if nothing stopped it. It must fail
 * with a bound (output size or number of references), quickly, without
 * allocating more than the output bound. */
static void test_expand_doubling_chain_hits_size_bound(void **state)
{
	struct ctx c;
	struct sp_buf out;
	char err[256];
	double t0 = now();
	int rc;

	(void)state;
	rc = run("$e30", &c, &out, err, sizeof(err));
	assert_int_equal(rc, -1);
	assert_non_null(strstr(err, "references evaluated"));
	assert_true(out.len <= SP_EXPAND_MAX);
	assert_true(now() - t0 < 20.0);
	sp_buf_free(&out);

	/* Wider leaves: the same answer. */
	rc = run("$w30", &c, &out, err, sizeof(err));
	assert_int_equal(rc, -1);
	assert_true(strstr(err, "longer than") || strstr(err, "references evaluated"));
	sp_buf_free(&out);

	/* A chain that stays below both bounds (2^15 bytes, 2^16 references) is fine. */
	rc = run("$e15", &c, &out, err, sizeof(err));
	assert_int_equal(rc, 0);
	assert_int_equal(out.len, 1u << 15);
	sp_buf_free(&out);
}

/* Exactly at the output bound: SP_EXPAND_MAX bytes are accepted, one more
 * byte is not (literal text, so the reference bound plays no part). */
static void test_expand_size_bound_exact(void **state)
{
	struct ctx c;
	struct sp_buf out;
	char err[256];
	char *text = malloc(SP_EXPAND_MAX + 2);

	(void)state;
	assert_non_null(text);
	memset(text, 'x', SP_EXPAND_MAX + 1);
	text[SP_EXPAND_MAX] = 0;
	assert_int_equal(run(text, &c, &out, err, sizeof(err)), 0);
	assert_int_equal(out.len, SP_EXPAND_MAX);
	sp_buf_free(&out);
	text[SP_EXPAND_MAX] = 'x';
	text[SP_EXPAND_MAX + 1] = 0;
	assert_int_equal(run(text, &c, &out, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "longer than"));
	sp_buf_free(&out);
	free(text);
}

/* Regression: a doubling chain whose leaf is EMPTY or UNDEFINED produces
 * no output, so the output bound never stops it; without a bound on work,
 * $a30 made 2^31 lookups (and, undefined, 2^30 undefined-name callbacks).
 * The expander must stop by itself after a bounded number of references.
 * This test cuts the expansion off after 20 million lookups (by making the
 * next lookup loop, which ends in the nesting error) and asserts that the
 * expander had stopped by itself well before that. */
static long z_budget;

static const char *z_lookup(void *vctx, const char *name, int *raw)
{
	struct ctx *c = vctx;

	*raw = 0;
	if (++c->lookups > z_budget || strcmp(name, "zloop") == 0)
		return "$zloop";          /* force the nesting error: stop here */
	c->lookups--;                     /* lookup() counts it */
	return lookup(vctx, name, raw);
}

static void test_expand_doubling_empty_chain_is_bounded(void **state)
{
	static const char *const texts[] = {"$z30", "$q30"};
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct ctx c;
		struct sp_expand_ops ops = {z_lookup, undefined, &c};
		struct sp_buf out;
		char err[256] = "";
		int rc;

		memset(&c, 0, sizeof(c));
		z_budget = 20L * 1000 * 1000;
		sp_buf_init(&out, SP_EXPAND_MAX);
		rc = sp_expand(texts[i], &ops, &out, err, sizeof(err));
		ROW_CHECK(&fails, "doubling", i, texts[i], c.lookups <= z_budget && rc == -1,
			  "rc %d after %ld lookups (cut off at %ld): %s", rc, c.lookups, z_budget,
			  err);
		sp_buf_free(&out);
	}
	sp_rows_done(fails, "doubling", 2);
}

/* Nested ${x?{...}} branches count towards SP_EXPAND_DEPTH (postconf:
 * "unreasonable macro call nesting" for 150 levels). */
static void test_expand_nested_branches_bounded(void **state)
{
	size_t n = 150, len;
	char *s = malloc(n * 9 + 2), *p;
	struct ctx c;
	struct sp_buf out;
	char err[256];

	(void)state;
	assert_non_null(s);
	p = s;
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "${n?{");
	*p++ = 'x';
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "}}");
	*p = 0;
	len = strlen(s);
	assert_int_equal(len, n * 7 + 1);
	assert_int_equal(run(s, &c, &out, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "nesting"));
	sp_buf_free(&out);
	free(s);
}

/* Regression: relational operands were parsed before the nesting depth
 * was counted, so ${{${{${{a} == {x}}} == {x}}} == {x}} nested as deep as
 * the text (40000 levels, a 480 KB value, overflowed the stack). Nested
 * relational expressions must end in the nesting error. This test nests
 * 5000 levels in a child process limited to a 1 MiB stack, so a crash
 * fails this test only. */
static void test_expand_nested_relational_bounded(void **state)
{
	int fd[2], status = 0;
	pid_t pid;
	char msg[300] = "";
	ssize_t got;

	(void)state;
	assert_int_equal(pipe(fd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit rl = {1u << 20, 1u << 20};
		size_t n = 5000;
		char *s = malloc(n * 12 + 2), *p = s;
		struct ctx c;
		struct sp_buf out;
		char err[256] = "";
		int rc;

		close(fd[0]);
		setrlimit(RLIMIT_STACK, &rl);
		for (size_t i = 0; i < n; i++)
			p += sprintf(p, "${{");
		*p++ = 'a';
		for (size_t i = 0; i < n; i++)
			p += sprintf(p, "} == {x}}");
		*p = 0;
		rc = run(s, &c, &out, err, sizeof(err));
		snprintf(msg, sizeof(msg), "%d %s", rc, err);
		if (write(fd[1], msg, strlen(msg)) < 0)
			_exit(2);
		_exit(0);
	}
	close(fd[1]);
	got = read(fd[0], msg, sizeof(msg) - 1);
	msg[got > 0 ? got : 0] = 0;
	close(fd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFSIGNALED(status))
		fail_msg("5000 nested relational expressions crashed the expander (signal %d)",
			 WTERMSIG(status));
	print_message("5000 nested relational expressions: %s\n", msg);
	assert_true(strncmp(msg, "-1 ", 3) == 0);
	assert_non_null(strstr(msg, "nesting"));
}

static void test_expand_depth_boundary(void **state)
{
	struct ctx c;
	struct sp_buf out;
	char err[256];

	(void)state;
	/* SP_EXPAND_DEPTH is 100; postfix's limit is also 100 (mac_expand). */
	assert_int_equal(run("$c50", &c, &out, err, sizeof(err)), 0);
	assert_string_equal(sp_buf_str(&out), "end");
	sp_buf_free(&out);
	assert_int_equal(run("$c99", &c, &out, err, sizeof(err)), 0);
	sp_buf_free(&out);
	assert_int_equal(run("$c101", &c, &out, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "nesting"));
	sp_buf_free(&out);
}

/* ---- contract details ------------------------------------------------------ */

static void test_expand_appends(void **state)
{
	struct ctx c;
	struct sp_expand_ops ops = {lookup, undefined, &c};
	struct sp_buf out;
	char err[64];

	(void)state;
	memset(&c, 0, sizeof(c));
	sp_buf_init(&out, SP_EXPAND_MAX);
	assert_int_equal(sp_buf_adds(&out, "pre:"), 0);
	assert_int_equal(sp_expand("$n", &ops, &out, err, sizeof(err)), 0);
	assert_string_equal(sp_buf_str(&out), "pre:v");
	sp_buf_free(&out);
}

static void test_expand_no_undefined_callback(void **state)
{
	struct ctx c;
	struct sp_expand_ops ops = {lookup, NULL, &c};
	struct sp_buf out;
	char err[64];

	(void)state;
	memset(&c, 0, sizeof(c));
	sp_buf_init(&out, SP_EXPAND_MAX);
	assert_int_equal(sp_expand("[$nothing]", &ops, &out, err, sizeof(err)), 0);
	assert_string_equal(sp_buf_str(&out), "[]");
	sp_buf_free(&out);
}

static void test_expand_small_err_buffer(void **state)
{
	struct ctx c;
	struct sp_buf out;
	char err[8];

	(void)state;
	memset(err, 'Z', sizeof(err));
	assert_int_equal(run("${", &c, &out, err, sizeof(err)), -1);
	assert_int_equal(strlen(err), sizeof(err) - 1);   /* truncated, terminated */
	sp_buf_free(&out);
}

static void test_expand_input_not_modified(void **state)
{
	struct ctx c;
	struct sp_buf out;
	char err[64];
	char text[] = "${n?{a}:{b}} ${{x} == {y}?{t}:{f}} $(n)";
	char copy[sizeof(text)];

	(void)state;
	memcpy(copy, text, sizeof(text));
	assert_int_equal(run(text, &c, &out, err, sizeof(err)), 0);
	assert_string_equal(sp_buf_str(&out), "a f v");
	assert_memory_equal(text, copy, sizeof(text));
	sp_buf_free(&out);
}

/* ---- sp_expand_scan ---------------------------------------------------------- */

struct scan_row {
	const char *label;
	const char *text;
	int rc;
	const char *looked;    /* names looked up, in order */
};

static const struct scan_row scan_rows[] = {
	{"plain", "no refs", 0, ""},
	{"all forms", "$a ${b} $(c)", 0, "a,b,c"},
	{"both branches", "${n?{$x}:{$y}}", 0, "n,x,y"},
	{"both branches, undefined name", "${u?{$x}:{$y}}", 0, "u,x,y"},
	{"relational operands and branches", "${{$p} == {$q}?{$r}:{$s}}", 0, "p,q,r,s"},
	{"does not follow values", "$la", 0, "la"},
	{"$$ is not a reference", "$$x $y", 0, "y"},
	{"syntax error", "${", -1, ""},
	{"syntax error after a reference", "$a ${b", -1, "a"},
	{"bad operator", "${{a} ~ {b}}", -1, ""},
};

static void test_expand_scan_table(void **state)
{
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < NROWS(scan_rows); i++) {
		const struct scan_row *r = &scan_rows[i];
		struct ctx c;
		struct sp_expand_ops ops = {lookup, undefined, &c};
		char err[256] = "";
		int rc;

		memset(&c, 0, sizeof(c));
		rc = sp_expand_scan(r->text, &ops, err, sizeof(err));
		ROW_CHECK(&fails, "scan", i, r->label, rc == r->rc, "rc %d (%s), want %d", rc, err,
			  r->rc);
		ROW_CHECK(&fails, "scan", i, r->label, strcmp(c.looked, r->looked) == 0,
			  "looked up \"%s\", want \"%s\"", c.looked, r->looked);
		ROW_CHECK(&fails, "scan", i, r->label, c.undef[0] == 0,
			  "scan called the undefined callback with \"%s\"", c.undef);
		ROW_CHECK(&fails, "scan", i, r->label, rc == 0 || err[0] != 0, "no error text");
	}
	sp_rows_done(fails, "scan", NROWS(scan_rows));
}

/* ---- sp_compat_level ------------------------------------------------------------ */

struct level_row {
	const char *in;
	long want;   /* -1: malformed */
};

#define LVL(a, b, c) (((long)(a) << 20) | ((long)(b) << 10) | (long)(c))

static const struct level_row level_ok[] = {
	{"0", LVL(0, 0, 0)}, {"2", LVL(2, 0, 0)}, {"3.6", LVL(3, 6, 0)},
	{"3.6.1", LVL(3, 6, 1)}, {"3.10", LVL(3, 10, 0)}, {"3.1023", LVL(3, 1023, 0)},
	{"03.06", LVL(3, 6, 0)},
};

static const struct level_row level_bad[] = {
	{"", -1}, {"a", -1}, {"3.x", -1}, {"3.", -1}, {".6", -1}, {"3..6", -1},
	{"3.6.1.2", -1}, {"3.1024", -1}, {"-1", -1}, {"+1", -1}, {" 3", -1}, {"3 ", -1},
	{"99999999999999999999", -1}, {"3.6.", -1}, {"3,6", -1},
};

static void test_compat_level_tables(void **state)
{
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < NROWS(level_ok); i++) {
		long got = sp_compat_level(level_ok[i].in);
		ROW_CHECK(&fails, "level_ok", i, level_ok[i].in, got == level_ok[i].want,
			  "got %ld, want %ld", got, level_ok[i].want);
	}
	for (size_t i = 0; i < NROWS(level_bad); i++) {
		long got = sp_compat_level(level_bad[i].in);
		ROW_CHECK(&fails, "level_bad", i, level_bad[i].in, got == -1, "got %ld, want -1", got);
	}
	sp_rows_done(fails, "level", NROWS(level_ok) + NROWS(level_bad));
	/* Ordering as the level operators need it. */
	assert_true(sp_compat_level("3.10") > sp_compat_level("3.6"));
	assert_true(sp_compat_level("3.6.1") > sp_compat_level("3.6"));
	assert_true(sp_compat_level("10") > sp_compat_level("3.1023.1023"));
	assert_true(sp_compat_level("2") < sp_compat_level("3"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expand_ok_table),
		cmocka_unit_test(test_expand_bad_table),
		cmocka_unit_test(test_expand_doubling_chain_hits_size_bound),
		cmocka_unit_test(test_expand_size_bound_exact),
		cmocka_unit_test(test_expand_doubling_empty_chain_is_bounded),
		cmocka_unit_test(test_expand_depth_boundary),
		cmocka_unit_test(test_expand_nested_branches_bounded),
		cmocka_unit_test(test_expand_nested_relational_bounded),
		cmocka_unit_test(test_expand_appends),
		cmocka_unit_test(test_expand_no_undefined_callback),
		cmocka_unit_test(test_expand_small_err_buffer),
		cmocka_unit_test(test_expand_input_not_modified),
		cmocka_unit_test(test_expand_scan_table),
		cmocka_unit_test(test_compat_level_tables),
	};

	chains_init();
	return cmocka_run_group_tests_name("expand", tests, NULL, NULL);
}
