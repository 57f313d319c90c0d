/*
 * mech.h - the server side of the SASL mechanisms the built-in auth server
 * offers, without I/O: PLAIN (RFC 4616) and LOGIN (the de-facto one of
 * draft-murchison-sasl-login). Client responses come in as base64 (as
 * Dovecot's protocol carries them), challenges go out as base64; the result
 * is a login name and a password to check. Every field is bounded; NUL
 * bytes inside a name or password, any control byte in a name (SASLprep
 * prohibits them, and a name goes back into the protocol's lines), bad
 * base64 and overlong values are refused.
 */
#ifndef SP_AUTH_MECH_H
#define SP_AUTH_MECH_H

#include <stddef.h>

#define SP_MECH_USER_MAX 255     /* login name bytes */
#define SP_MECH_PASS_MAX 1023    /* password bytes */

enum sp_mech_kind { SP_MECH_PLAIN, SP_MECH_LOGIN };

enum sp_mech_result {
	SP_MECH_CONT,    /* send the challenge, wait for the next response */
	SP_MECH_DONE,    /* user and pass are set: check them */
	SP_MECH_BAD,     /* malformed: fail the request */
};

struct sp_mech {
	enum sp_mech_kind kind;
	int step;                           /* internal */
	char user[SP_MECH_USER_MAX + 1];
	char pass[SP_MECH_PASS_MAX + 1];
	char authzid[SP_MECH_USER_MAX + 1]; /* PLAIN's authorization identity ("" when absent) */
};

/* Starts a mechanism by its name (case-insensitive: "PLAIN", "LOGIN").
 * Returns 0, or -1 for a mechanism this module does not know. */
int sp_mech_start(struct sp_mech *m, const char *name);

/* One client response: b64 is the base64 text (may be ""), or NULL for "no
 * initial response" on the first step. On SP_MECH_CONT *challenge is the
 * base64 challenge to send (a static string, may be ""). */
enum sp_mech_result sp_mech_step(struct sp_mech *m, const char *b64, const char **challenge);

/* Wipes the password (and everything else) from m. */
void sp_mech_clear(struct sp_mech *m);

#endif
