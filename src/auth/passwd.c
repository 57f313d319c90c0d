/*
 * passwd.c - the built-in auth server's passwd-file (see passwd.h). The
 * parser walks the text line by line, collects every error with its line,
 * and keeps the users in file order plus an index sorted by name for the
 * lookups. A password field is "{SCHEME}rest" or, as in Dovecot's
 * passwd-file, a bare crypt(3) hash (scheme CRYPT). Only modern crypt
 * hashes are accepted; plaintext only in files with the test marker line.
 * Checks run crypt_rn() with per-call state, so the table is read-only
 * after parsing and may be shared by threads; an unknown user costs one
 * yescrypt run against a fixed hash, like a known one.
 */
#include "passwd.h"
#include "../util/file.h"
#include "../util/mem.h"

#include <crypt.h>
#include <errno.h>
#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define PW_LINE_MAX 4096
#define PW_NAME_MAX 255
#define PW_MSG_MAX 512
#define PW_CRYPT_SCHEME "{CRYPT}"
#define PW_NITEMS(a) (sizeof(a) / sizeof((a)[0]))

/* Checked when a user is unknown: a yescrypt hash (default cost) of a
 * string that is never a password. Only the work matters. */
static const char pw_dummy[] =
	"$y$j9T$F5Jx5Zj5sDkx2gLqP1Rq8/$pGJnXAttClAY1rxRTO8bDghbI9SRk/K8qI6Wz1RSqj8";

enum pw_kind { PW_CRYPT, PW_PLAIN };

struct pw_user {
	char *name;          /* one allocation: name, NUL, secret, NUL */
	const char *secret;  /* the hash, or the plaintext */
	size_t secretlen;
	enum pw_kind kind;
	int truncated;       /* PLAIN-TRUNC: the stored password was cut */
	int line;
};

struct sp_passwd {
	struct pw_user *v;         /* file order */
	size_t n, cap;
	struct pw_user **byname;   /* sorted by name, then line */
};

/* Where the parser is, for its messages. */
struct pw_ctx {
	const char *file;
	struct sp_diags *d;
	int line;
	int allow_plain;
};

/* The crypt(3) prefixes accepted, with the length of the part after the
 * last '$' (bcrypt: salt and hash together). */
static const struct pw_method {
	const char *prefix;
	size_t tail;
} pw_methods[] = {
	{"$y$", 43}, {"$gy$", 43}, {"$7$", 43}, {"$2b$", 53}, {"$2y$", 53},
	{"$2a$", 53}, {"$6$", 86}, {"$5$", 43},
};

static const char *const pw_crypt_schemes[] = {"CRYPT", "SHA512-CRYPT", "SHA256-CRYPT",
					       "BLF-CRYPT"};
static const char *const pw_plain_schemes[] = {"PLAIN", "CLEAR", "CLEARTEXT", "PLAIN-TRUNC"};

enum pw_name_rc { PW_NAME_OK, PW_NAME_EMPTY, PW_NAME_LONG, PW_NAME_BYTE, PW_NAME_UPPER };

/* Adds an error at the current line; fix may be NULL. */
static void pw_err(struct pw_ctx *c, const char *fix, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void pw_err(struct pw_ctx *c, const char *fix, const char *fmt, ...)
{
	char what[PW_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	sp_diag_add(c->d, SP_ERROR, c->file, c->line, NULL, fix, "%s", what);
}

/* What is wrong with the name s[0..n), if anything. */
static enum pw_name_rc pw_name_check(const char *s, size_t n)
{
	int upper = 0;

	if (n == 0)
		return PW_NAME_EMPTY;
	if (n > PW_NAME_MAX)
		return PW_NAME_LONG;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch <= ' ' || ch == 0x7f || ch == ':')
			return PW_NAME_BYTE;
		if (ch >= 'A' && ch <= 'Z')
			upper = 1;
	}
	return upper ? PW_NAME_UPPER : PW_NAME_OK;
}

int sp_passwd_name_ok(const char *name)
{
	if (name == NULL)
		return 0;
	return pw_name_check(name, strnlen(name, PW_NAME_MAX + 1)) == PW_NAME_OK;
}

/* Reports a bad user name s[0..n); returns -1, or 0 when it is fine. */
static int pw_name_report(struct pw_ctx *c, const char *s, size_t n)
{
	char ex[80], fix[PW_MSG_MAX], low[PW_NAME_MAX + 1];

	switch (pw_name_check(s, n)) {
	case PW_NAME_OK:
		return 0;
	case PW_NAME_EMPTY:
		pw_err(c, "write the line as user:{CRYPT}hash", "the user name is empty");
		return -1;
	case PW_NAME_LONG:
		pw_err(c, NULL, "the user name \"%s\" is longer than %d bytes",
		       sp_diag_excerpt(s, n, 40, ex, sizeof(ex)), PW_NAME_MAX);
		return -1;
	case PW_NAME_BYTE:
		pw_err(c, "remove the space or control character", "the user name \"%s\" contains "
		       "a space or a control character", sp_diag_excerpt(s, n, 60, ex, sizeof(ex)));
		return -1;
	case PW_NAME_UPPER:
		break;
	}
	for (size_t i = 0; i < n; i++)
		low[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] - 'A' + 'a') : s[i];
	snprintf(fix, sizeof(fix), "write it in lower case: %s",
		 sp_diag_excerpt(low, n, 200, ex, sizeof(ex)));
	pw_err(c, fix, "the user name \"%s\" has upper-case letters, but names are matched in "
	       "lower case (as with Dovecot's auth_username_format=%%Lu)",
	       sp_diag_excerpt(s, n, 60, ex, sizeof(ex)));
	return -1;
}

/* 1 when s[0..n) is name (any case). */
static int pw_is(const char *s, size_t n, const char *name)
{
	return strlen(name) == n && strncasecmp(name, s, n) == 0;
}

/* 1 when s[0..n) is one of the names in list (any case). */
static int pw_in(const char *s, size_t n, const char *const *list, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (pw_is(s, n, list[i]))
			return 1;
	return 0;
}

/* Splits "{SCHEME}rest" as Dovecot does: a scheme is letters, digits,
 * '-', '_' and '.' between braces; anything else is a CRYPT hash. */
static void pw_scheme(const char *f, size_t n, const char **scheme, size_t *slen)
{
	const char *end = n > 0 && f[0] == '{' ? memchr(f, '}', n) : NULL;

	*scheme = NULL;
	*slen = 0;
	if (end == NULL || end == f + 1)
		return;
	for (const char *s = f + 1; s < end; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.'))
			return;
	*scheme = f + 1;
	*slen = (size_t)(end - f - 1);
}

/* 1 when every byte of h is one crypt(3) puts in a hash. */
static int pw_crypt_chars(const char *h, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char ch = h[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '.' || ch == '/' || ch == '$' || ch == '='))
			return 0;
	}
	return 1;
}

/* The accepted method h starts with, or NULL. */
static const struct pw_method *pw_method(const char *h)
{
	for (size_t i = 0; i < PW_NITEMS(pw_methods); i++)
		if (strncmp(h, pw_methods[i].prefix, strlen(pw_methods[i].prefix)) == 0)
			return &pw_methods[i];
	return NULL;
}

/* NULL when the NUL-terminated h (n bytes) is an accepted crypt(3) hash;
 * otherwise the end of "the password hash ..." saying why not. */
static const char *pw_crypt_problem(const char *h, size_t n)
{
	const struct pw_method *m = pw_method(h);
	const char *last;

	if (strncmp(h, "$1$", 3) == 0)
		return "is MD5-crypt ($1$), which is too weak";
	if (n == 13 && pw_crypt_chars(h, n) && memchr(h, '$', n) == NULL)
		return "is traditional DES crypt, which is too weak";
	if (m == NULL)
		return "is not a supported crypt(3) hash (yescrypt $y$, bcrypt $2b$, "
		       "SHA-512-crypt $6$ or SHA-256-crypt $5$)";
	last = strrchr(h, '$');
	if (n >= CRYPT_OUTPUT_SIZE || !pw_crypt_chars(h, n) ||
	    (size_t)(last - h) < strlen(m->prefix) || strlen(last + 1) != m->tail ||
	    crypt_checksalt(h) == CRYPT_SALT_INVALID)
		return "is cut short or malformed";
	return NULL;
}

/* Checks a crypt(3) hash field; 0 or -1. */
static int pw_crypt_field(struct pw_ctx *c, struct pw_user *u)
{
	char fix[PW_MSG_MAX];
	const char *why = pw_crypt_problem(u->secret, u->secretlen);

	if (why == NULL)
		return 0;
	snprintf(fix, sizeof(fix), "set a new password with: sallyport user passwd %s", u->name);
	pw_err(c, fix, "user %s: the password hash %s", u->name, why);
	return -1;
}

/* Checks a plaintext field; PLAIN-TRUNC's "N-" prefix is taken off the
 * stored secret. 0 or -1. */
static int pw_plain_field(struct pw_ctx *c, struct pw_user *u, int trunc)
{
	char fix[PW_MSG_MAX];
	size_t len = 0, i = 0;

	snprintf(fix, sizeof(fix), "set a hashed password with: sallyport user passwd %s "
		 "(plaintext is for test files only, which carry the line \"%s\")", u->name,
		 SP_PASSWD_MARKER);
	if (!c->allow_plain) {
		pw_err(c, fix, "user %s: plaintext passwords are refused", u->name);
		return -1;
	}
	if (!trunc)
		return 0;
	for (; i < u->secretlen && u->secret[i] >= '0' && u->secret[i] <= '9'; i++)
		len = len > PW_LINE_MAX ? len : len * 10 + (size_t)(u->secret[i] - '0');
	if (i == 0 || i == u->secretlen || u->secret[i] != '-') {
		pw_err(c, "write it as {PLAIN-TRUNC}LENGTH-password", "user %s: a PLAIN-TRUNC "
		       "password needs its length first", u->name);
		return -1;
	}
	u->secret += i + 1;
	u->secretlen -= i + 1;
	u->truncated = u->secretlen == len;
	if (u->secretlen == 0) {
		pw_err(c, NULL, "user %s has no password", u->name);
		return -1;
	}
	return 0;
}

/* Checks the password field of u (set to the whole field); 0 or -1. */
static int pw_secret(struct pw_ctx *c, struct pw_user *u)
{
	char fix[PW_MSG_MAX], ex[40];
	const char *scheme;
	size_t slen;

	snprintf(fix, sizeof(fix), "set one with: sallyport user passwd %s", u->name);
	pw_scheme(u->secret, u->secretlen, &scheme, &slen);
	if (scheme != NULL) {
		u->secret += slen + 2;
		u->secretlen -= slen + 2;
	}
	if (u->secretlen == 0) {
		pw_err(c, fix, "user %s has no password", u->name);
		return -1;
	}
	if (scheme == NULL || pw_in(scheme, slen, pw_crypt_schemes, PW_NITEMS(pw_crypt_schemes)))
		return pw_crypt_field(c, u);
	if (pw_in(scheme, slen, pw_plain_schemes, PW_NITEMS(pw_plain_schemes))) {
		u->kind = PW_PLAIN;
		return pw_plain_field(c, u, pw_is(scheme, slen, "PLAIN-TRUNC"));
	}
	snprintf(fix, sizeof(fix), "set a new password with: sallyport user passwd %s, or use "
		 "Dovecot (smtpd_sasl_type = dovecot)", u->name);
	pw_err(c, fix, "user %s: scheme %s is not supported by the built-in auth server", u->name,
	       sp_diag_excerpt(scheme, slen, 30, ex, sizeof(ex)));
	return -1;
}

/* Appends a user: name[0..nlen) and the password field f[0..flen). */
static struct pw_user *pw_add(struct sp_passwd *p, const char *name, size_t nlen,
			      const char *f, size_t flen, int line)
{
	struct pw_user *u;
	char *mem = sp_xmalloc(nlen + flen + 2);

	memcpy(mem, name, nlen);
	mem[nlen] = 0;
	memcpy(mem + nlen + 1, f, flen);
	mem[nlen + 1 + flen] = 0;
	p->v = sp_xgrow(p->v, &p->cap, p->n + 1, sizeof(*p->v));
	u = &p->v[p->n++];
	memset(u, 0, sizeof(*u));
	u->name = mem;
	u->secret = mem + nlen + 1;
	u->secretlen = flen;
	u->line = line;
	return u;
}

/* Parses one line (without its LF or a CR before it). */
static void pw_line(struct pw_ctx *c, struct sp_passwd *p, const char *s, size_t n)
{
	const char *colon, *f, *fend;
	struct pw_user *u;

	if (n == 0 || s[0] == '#')
		return;
	colon = memchr(s, ':', n);
	if (colon == NULL) {
		pw_err(c, "write it as user:{CRYPT}hash, or start a comment with '#'",
		       "the line has no ':' (expected user:password)");
		return;
	}
	if (pw_name_report(c, s, (size_t)(colon - s)) < 0)
		return;
	f = colon + 1;
	fend = memchr(f, ':', (size_t)(s + n - f));
	if (fend == NULL)
		fend = s + n;
	u = pw_add(p, s, (size_t)(colon - s), f, (size_t)(fend - f), c->line);
	pw_secret(c, u);
}

/* 1 when the text has the plaintext marker as a line of its own. */
static int pw_has_marker(const char *text, size_t len)
{
	size_t mlen = strlen(SP_PASSWD_MARKER);

	for (size_t i = 0; i < len;) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - text) - i : len - i;
		size_t k = n > 0 && text[i + n - 1] == '\r' ? n - 1 : n;
		if (k == mlen && memcmp(text + i, SP_PASSWD_MARKER, mlen) == 0)
			return 1;
		i += n + 1;
	}
	return 0;
}

static int pw_cmp(const void *a, const void *b)
{
	const struct pw_user *x = *(const struct pw_user *const *)a;
	const struct pw_user *y = *(const struct pw_user *const *)b;
	int r = strcmp(x->name, y->name);

	return r != 0 ? r : (x->line > y->line) - (x->line < y->line);
}

/* Builds the sorted index and reports users that appear twice. */
static void pw_index(struct pw_ctx *c, struct sp_passwd *p)
{
	char fix[PW_MSG_MAX];
	size_t first = 0;

	p->byname = sp_xcalloc(p->n ? p->n : 1, sizeof(*p->byname));
	for (size_t i = 0; i < p->n; i++)
		p->byname[i] = &p->v[i];
	qsort(p->byname, p->n, sizeof(*p->byname), pw_cmp);
	for (size_t i = 1; i < p->n; i++) {
		const struct pw_user *a = p->byname[first], *b = p->byname[i];
		if (strcmp(a->name, b->name) != 0) {
			first = i;
			continue;
		}
		c->line = b->line;
		snprintf(fix, sizeof(fix), "remove one of lines %d and %d", a->line, b->line);
		pw_err(c, fix, "user %s appears twice (lines %d and %d)", b->name, a->line,
		       b->line);
	}
}

struct sp_passwd *sp_passwd_parse(const char *text, size_t len, const char *file,
				  struct sp_diags *d)
{
	struct pw_ctx c = {file, d, 0, pw_has_marker(text, len)};
	struct sp_passwd *p = sp_xcalloc(1, sizeof(*p));
	size_t errors = d->errors;

	for (size_t i = 0; i < len;) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - text) - i : len - i;
		c.line++;
		if (n > PW_LINE_MAX)
			pw_err(&c, NULL, "the line is longer than %d bytes", PW_LINE_MAX);
		else if (memchr(text + i, 0, n) != NULL)
			pw_err(&c, "remove the NUL byte", "the line contains a NUL byte");
		else
			pw_line(&c, p, text + i, n > 0 && text[i + n - 1] == '\r' ? n - 1 : n);
		i += n + 1;
	}
	pw_index(&c, p);
	if (d->errors != errors)
		sp_passwd_free(&p);
	return p;
}

/* Reports why path could not be read (errno e). */
static void pw_load_error(const char *path, int e, struct sp_diags *d)
{
	const char *fix = "create it with: sallyport user add NAME";

	if (e == ENOENT)
		sp_diag_add(d, SP_ERROR, path, 0, NULL, fix, "%s does not exist", path);
	else if (e == EFBIG)
		sp_diag_add(d, SP_ERROR, path, 0, NULL, NULL, "%s is larger than %u bytes", path,
			    SP_PASSWD_FILE_MAX);
	else
		sp_diag_add(d, SP_ERROR, path, 0, NULL, NULL, "cannot read %s: %s", path,
			    strerror(e));
}

struct sp_passwd *sp_passwd_load(const char *path, struct sp_diags *d)
{
	char fix[PW_MSG_MAX];
	struct sp_passwd *p;
	struct stat st;
	char *data;
	size_t len;

	if (stat(path, &st) == 0 && (st.st_mode & 007) != 0) {
		snprintf(fix, sizeof(fix), "chmod 600 %s (it holds password hashes)", path);
		sp_diag_add(d, SP_WARNING, path, 0, NULL, fix, "the file is readable or writable "
			    "by other users (mode %03o)", (unsigned)(st.st_mode & 0777));
	}
	if (sp_file_read(path, SP_PASSWD_FILE_MAX, &data, &len) < 0) {
		pw_load_error(path, errno, d);
		return NULL;
	}
	p = sp_passwd_parse(data, len, path, d);
	explicit_bzero(data, len);
	free(data);
	return p;
}

size_t sp_passwd_count(const struct sp_passwd *p)
{
	return p ? p->n : 0;
}

const char *sp_passwd_user(const struct sp_passwd *p, size_t i)
{
	return p && i < p->n ? p->v[i].name : NULL;
}

/* The user called name, or NULL. */
static const struct pw_user *pw_find(const struct sp_passwd *p, const char *name)
{
	size_t lo = 0, hi = p->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = strcmp(name, p->byname[mid]->name);
		if (r == 0)
			return p->byname[mid];
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* Hashes phrase with setting and compares the result with want (NULL:
 * compare with nothing). 1 equal, 0 not, -1 when libcrypt failed. */
static int pw_crypt_match(const char *phrase, const char *setting, const char *want,
			  size_t wantlen)
{
	struct crypt_data *cd = sp_xcalloc(1, sizeof(*cd));
	const char *h = crypt_rn(phrase, setting, cd, (int)sizeof(*cd));
	int rc = -1;

	if (h != NULL && h[0] != '*')
		rc = want != NULL && strlen(h) == wantlen && CRYPTO_memcmp(h, want, wantlen) == 0;
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return rc;
}

/* Compares a plaintext password in constant time for a given length. */
static int pw_plain_match(const struct pw_user *u, const char *pw, size_t len)
{
	if (u->truncated ? len < u->secretlen : len != u->secretlen)
		return 0;
	return CRYPTO_memcmp(u->secret, pw, u->secretlen) == 0;
}

int sp_passwd_verify(const struct sp_passwd *p, const char *user, const char *password)
{
	const struct pw_user *u;
	size_t len;
	int rc;

	if (p == NULL || user == NULL || password == NULL)
		return 0;
	u = pw_find(p, user);
	len = strnlen(password, CRYPT_MAX_PASSPHRASE_SIZE);
	/* Plaintext (test files only) costs no crypt work. */
	if (u != NULL && u->kind == PW_PLAIN)
		return pw_plain_match(u, password, strlen(password));
	if (len >= CRYPT_MAX_PASSPHRASE_SIZE) {
		/* Too long for libcrypt: wrong, after the same work. */
		rc = pw_crypt_match("", u ? u->secret : pw_dummy, NULL, 0);
		return rc < 0 ? -1 : 0;
	}
	if (u == NULL) {
		rc = pw_crypt_match(password, pw_dummy, NULL, 0);
		return rc < 0 ? -1 : 0;
	}
	return pw_crypt_match(password, u->secret, u->secret, u->secretlen);
}

void sp_passwd_free(struct sp_passwd **pp)
{
	struct sp_passwd *p = *pp;

	if (p == NULL)
		return;
	for (size_t i = 0; i < p->n; i++) {
		struct pw_user *u = &p->v[i];
		size_t nlen = strlen(u->name);
		/* the whole allocation: name, NUL, field, NUL */
		explicit_bzero(u->name, nlen + 1 + strlen(u->name + nlen + 1) + 1);
		free(u->name);
	}
	free(p->v);
	free(p->byname);
	free(p);
	*pp = NULL;
}

int sp_passwd_hash(const char *password, char *out, size_t outlen)
{
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *cd;
	const char *h;
	int rc = -1;

	if (password == NULL || out == NULL) {
		errno = EINVAL;
		return -1;
	}
	if (crypt_gensalt_rn("$y$", 0, NULL, 0, salt, (int)sizeof(salt)) == NULL)
		return -1;
	cd = sp_xcalloc(1, sizeof(*cd));
	h = crypt_rn(password, salt, cd, (int)sizeof(*cd));
	if (h == NULL) {
		/* errno set by libcrypt */
	} else if (h[0] == '*') {
		errno = EINVAL;
	} else if (strlen(PW_CRYPT_SCHEME) + strlen(h) >= outlen) {
		errno = ERANGE;
	} else {
		snprintf(out, outlen, "%s%s", PW_CRYPT_SCHEME, h);
		rc = 0;
	}
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return rc;
}

/* 1 when hash can be written as a password field. */
static int pw_field_ok(const char *hash)
{
	if (hash[0] == 0)
		return 0;
	for (const char *s = hash; *s; s++)
		if (*s == ':' || *s == '\n' || *s == '\r')
			return 0;
	return 1;
}

/* Finds the first line (not a comment) whose user field is user: its
 * start and its end (at the LF or the end of text). 1 found, 0 not. */
static int pw_find_line(const char *text, size_t len, const char *user, size_t *start,
			size_t *end)
{
	size_t ulen = strlen(user);

	for (size_t i = 0; i < len;) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - text) - i : len - i;
		if (n > ulen && text[i] != '#' && text[i + ulen] == ':' &&
		    memcmp(text + i, user, ulen) == 0) {
			*start = i;
			*end = i + n;
			return 1;
		}
		i += n + 1;
	}
	return 0;
}

/* Writes text[0..len) and the line "user:hash" after it. */
static int pw_edit_add(const char *text, size_t len, const char *user, const char *hash,
		       struct sp_buf *out)
{
	if (sp_buf_add(out, text, len) < 0)
		return -1;
	if (len > 0 && text[len - 1] != '\n' && sp_buf_addc(out, '\n') < 0)
		return -1;
	if (sp_buf_adds(out, user) < 0 || sp_buf_addc(out, ':') < 0 ||
	    sp_buf_adds(out, hash) < 0 || sp_buf_addc(out, '\n') < 0)
		return -1;
	return 0;
}

/* Writes text with the password field of the line at [start, end)
 * (user field ulen bytes) replaced by hash. */
static int pw_edit_set(const char *text, size_t len, size_t start, size_t end, size_t ulen,
		       const char *hash, struct sp_buf *out)
{
	size_t f = start + ulen + 1;
	const char *colon = memchr(text + f, ':', end - f);
	size_t fend = colon ? (size_t)(colon - text) : end;

	if (colon == NULL && fend > f && text[fend - 1] == '\r')
		fend--;
	if (sp_buf_add(out, text, f) < 0 || sp_buf_adds(out, hash) < 0 ||
	    sp_buf_add(out, text + fend, len - fend) < 0)
		return -1;
	return 0;
}

/* Writes text without the line at [start, end) and its LF. */
static int pw_edit_del(const char *text, size_t len, size_t start, size_t end,
		       struct sp_buf *out)
{
	size_t next = end < len ? end + 1 : len;

	if (sp_buf_add(out, text, start) < 0 || sp_buf_add(out, text + next, len - next) < 0)
		return -1;
	return 0;
}

enum sp_passwd_edit_rc sp_passwd_edit(const char *text, size_t len, const char *user,
				      const char *hash, int add, struct sp_buf *out)
{
	size_t start = 0, end = 0, mark = out->len;
	int found, rc;

	if (!sp_passwd_name_ok(user) || (hash != NULL && !pw_field_ok(hash)))
		return SP_PWE_ERROR;
	found = pw_find_line(text, len, user, &start, &end);
	if (hash != NULL && add && found)
		return SP_PWE_EXISTS;
	if (!(hash != NULL && add) && !found)
		return SP_PWE_NOT_FOUND;
	if (hash != NULL && add)
		rc = pw_edit_add(text, len, user, hash, out);
	else if (hash != NULL)
		rc = pw_edit_set(text, len, start, end, strlen(user), hash, out);
	else
		rc = pw_edit_del(text, len, start, end, out);
	if (rc < 0) {
		sp_buf_truncate(out, mark);
		return SP_PWE_ERROR;
	}
	return SP_PWE_OK;
}
