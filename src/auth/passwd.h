/*
 * passwd.h - the built-in auth server's users: a Dovecot passwd-file
 * ("user:{SCHEME}hash", further colon-separated fields ignored and kept),
 * parsed strictly with every error naming file and line; password checks
 * with libcrypt (yescrypt, bcrypt, SHA-512/256-crypt); and the edits that
 * `sallyport user` makes (add, change, delete a user; the rest of the file
 * is kept byte for byte). Plaintext schemes ({PLAIN}, {CLEAR}, ...) are
 * refused unless the file carries the marker line
 * "# sallyport: allow-plaintext (tests only)".
 */
#ifndef SP_AUTH_PASSWD_H
#define SP_AUTH_PASSWD_H

#include "../util/buf.h"
#include "../util/diag.h"

#include <stddef.h>

#define SP_PASSWD_MARKER "# sallyport: allow-plaintext (tests only)"
#define SP_PASSWD_FILE_MAX (64u << 20)   /* bytes */

struct sp_passwd;

/* Parses a passwd-file's text; file names it in diagnostics. Returns the
 * table, or NULL with errors in d (warnings may be added either way). */
struct sp_passwd *sp_passwd_parse(const char *text, size_t len, const char *file,
				  struct sp_diags *d);

/* Reads and parses path (at most SP_PASSWD_FILE_MAX bytes). A missing
 * file is an error that says how to create one (sallyport user add). */
struct sp_passwd *sp_passwd_load(const char *path, struct sp_diags *d);

size_t sp_passwd_count(const struct sp_passwd *p);
/* The i-th user name, in file order. */
const char *sp_passwd_user(const struct sp_passwd *p, size_t i);

/* Checks a password: 1 right, 0 wrong or no such user (the same work is
 * done either way), -1 when libcrypt failed (a temporary failure). Safe
 * to call from several threads at once on the same table. user is
 * matched exactly (the caller lower-cases, as Dovecot's %Lu). */
int sp_passwd_verify(const struct sp_passwd *p, const char *user, const char *password);

void sp_passwd_free(struct sp_passwd **p);

/* A new "{CRYPT}$y$..." yescrypt hash of password with a random salt into
 * out. Returns 0, or -1 (errno set). */
int sp_passwd_hash(const char *password, char *out, size_t outlen);

/* 1 when name is a valid user name for the file (1..255 bytes, no ':',
 * no space or control byte, no upper-case ASCII letter). */
int sp_passwd_name_ok(const char *name);

enum sp_passwd_edit_rc { SP_PWE_OK, SP_PWE_EXISTS, SP_PWE_NOT_FOUND, SP_PWE_ERROR };
/* Writes text with one change into out: hash != NULL and add: a new line
 * "user:hash" at the end (SP_PWE_EXISTS when the user is there); hash !=
 * NULL and !add: the user's password field replaced, other fields kept
 * (SP_PWE_NOT_FOUND when absent); hash == NULL: the user's line removed.
 * Every other byte of text is kept. */
enum sp_passwd_edit_rc sp_passwd_edit(const char *text, size_t len, const char *user,
				      const char *hash, int add, struct sp_buf *out);

#endif
