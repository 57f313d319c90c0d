/*
 * fuzz/passwd.c - passwd-files (auth/passwd.h) from any bytes: they must
 * parse or be refused with errors, without a crash. When one parses, every
 * user name must be valid and appear once, and the edits must keep their
 * promises: the result differs from the text in one place only (a line
 * removed, a field replaced, a line appended), still parses (unless the
 * new field made a line too long) and has or lacks the user as it should.
 * Edits run on refused files too, checked for the one-place rule only.
 * Passwords are not checked: libcrypt is slow on purpose.
 */
#include "auth/passwd.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A valid yescrypt field, so that edited files still parse. */
#define FZ_HASH "{CRYPT}$y$j9T$jJog7kpxar3VRRV0JD/ra1$VOCFtaruOmzua.mpkj1h.c2rdy64mrvN1afVKHcvHMD"
#define FZ_NEW "fuzz-new-user"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every name valid and unique; returns the count. */
static size_t fz_check_names(const struct sp_passwd *p)
{
	size_t n = sp_passwd_count(p);

	for (size_t i = 0; i < n; i++) {
		const char *u = sp_passwd_user(p, i);
		if (u == NULL || !sp_passwd_name_ok(u))
			abort();
		for (size_t j = 0; j < i; j++)
			if (strcmp(sp_passwd_user(p, j), u) == 0)
				abort();
	}
	if (sp_passwd_user(p, n) != NULL)
		abort();
	return n;
}

/* 1 when p has user. */
static int fz_has(const struct sp_passwd *p, const char *user)
{
	for (size_t i = 0; i < sp_passwd_count(p); i++)
		if (strcmp(sp_passwd_user(p, i), user) == 0)
			return 1;
	return 0;
}

/* The bytes of out that differ from a[0..alen): out minus the longest
 * common prefix and (not overlapping it) suffix. */
static size_t fz_diff(const char *a, size_t alen, const char *out, size_t outlen)
{
	size_t k = 0, m = 0;

	while (k < alen && k < outlen && a[k] == out[k])
		k++;
	while (m < alen - k && m < outlen - k && a[alen - 1 - m] == out[outlen - 1 - m])
		m++;
	return outlen - k - m;
}

/* Parses an edited file: the table, or NULL when only line lengths were
 * refused (a longer field); any other error aborts. */
static struct sp_passwd *fz_reparse(const char *text, size_t len)
{
	struct sp_diags d = {0};
	struct sp_passwd *p = sp_passwd_parse(text, len, "fuzz", &d);

	if ((p == NULL) != (d.errors != 0))
		abort();
	if (p == NULL && sp_diags_count(&d, SP_ERROR, "is longer than 4096") != d.errors)
		abort();
	sp_diags_free(&d);
	return p;
}

/* Checks the output of an edit of text (n users; ok: text parsed). */
static void fz_check_edit(const char *text, size_t len, const struct sp_buf *b, size_t n,
			  int ok, const char *user, const char *hash, int add)
{
	const char *out = b->data ? b->data : "";
	size_t diff = fz_diff(text, len, out, b->len);
	struct sp_passwd *q;

	if (hash == NULL && (b->len >= len || diff != 0))
		abort();
	if (hash != NULL && !add && diff > strlen(hash))
		abort();
	if (hash != NULL && add && (b->len <= len || memcmp(out, text, len) != 0 ||
				    diff > strlen(user) + strlen(hash) + 3))
		abort();
	if (!ok || (q = fz_reparse(out, b->len)) == NULL)
		return;
	if (fz_has(q, user) != (hash != NULL))
		abort();
	if (sp_passwd_count(q) != n + (hash == NULL ? (size_t)-1 : add ? 1 : 0))
		abort();
	sp_passwd_free(&q);
}

/* Runs one edit; want: the result code, or -1 for any. */
static void fz_edit(const char *text, size_t len, size_t n, int ok, const char *user,
		    const char *hash, int add, int want)
{
	struct sp_buf b;
	enum sp_passwd_edit_rc rc;

	sp_buf_init(&b, len + 4096);
	rc = sp_passwd_edit(text, len, user, hash, add, &b);
	if (rc == SP_PWE_ERROR || (want >= 0 && rc != (enum sp_passwd_edit_rc)want))
		abort();
	if (rc != SP_PWE_OK && b.len != 0)
		abort();
	if (rc == SP_PWE_OK)
		fz_check_edit(text, len, &b, n, ok, user, hash, add);
	sp_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct sp_diags d = {0};
	struct sp_passwd *p = sp_passwd_parse(text, size, "fuzz", &d);
	size_t n = 0;

	if ((p == NULL) != (d.errors != 0))
		abort();
	sp_diags_free(&d);
	if (p == NULL) {
		fz_edit(text, size, 0, 0, "alice", FZ_HASH, 0, -1);
		fz_edit(text, size, 0, 0, "alice", NULL, 0, -1);
		fz_edit(text, size, 0, 0, "alice", FZ_HASH, 1, -1);
		return 0;
	}
	n = fz_check_names(p);
	if (n > 0) {
		char *user = strdup(sp_passwd_user(p, n / 2));
		if (user == NULL)
			abort();
		fz_edit(text, size, n, 1, user, FZ_HASH, 1, SP_PWE_EXISTS);
		fz_edit(text, size, n, 1, user, FZ_HASH, 0, SP_PWE_OK);
		fz_edit(text, size, n, 1, user, NULL, 0, SP_PWE_OK);
		free(user);
	}
	if (!fz_has(p, FZ_NEW))
		fz_edit(text, size, n, 1, FZ_NEW, FZ_HASH, 1, SP_PWE_OK);
	sp_passwd_free(&p);
	return 0;
}
