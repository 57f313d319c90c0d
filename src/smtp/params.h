/*
 * params.h - the ESMTP parameters after the path of MAIL FROM and RCPT TO
 * (RFC 5321 4.1.2 esmtp-param): SIZE (RFC 1870), BODY (RFC 6152, 3030),
 * SMTPUTF8 (RFC 6531), RET and ENVID (RFC 3461) and AUTH (RFC 4954) on
 * MAIL; NOTIFY and ORCPT (RFC 3461) on RCPT. Tokens are split at white
 * space and judged as Postfix's smtpd judges them (so that the replies are
 * its replies): a token that is not one of these keywords with a valid
 * value is an unsupported option; values are checked for syntax and length;
 * xtext values stay encoded (they go into the queue file as received).
 * Pure.
 */
#ifndef SP_SMTP_PARAMS_H
#define SP_SMTP_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#define SP_ENVID_MAX 100          /* RFC 3461 4.4 */
#define SP_ORCPT_MAX 500          /* RFC 3461 4.2 */
#define SP_AUTH_PARAM_MAX 500     /* AUTH=<mailbox> (xtext) */

enum sp_body { SP_BODY_NONE, SP_BODY_7BIT, SP_BODY_8BITMIME };
enum sp_ret { SP_RET_NONE, SP_RET_FULL, SP_RET_HDRS };

enum {
	SP_NOTIFY_NEVER = 1 << 0,
	SP_NOTIFY_SUCCESS = 1 << 1,
	SP_NOTIFY_FAILURE = 1 << 2,
	SP_NOTIFY_DELAY = 1 << 3,
};

struct sp_mail_params {
	int has_size;
	uint64_t size;
	enum sp_body body;
	int smtputf8;
	enum sp_ret ret;
	char envid[SP_ENVID_MAX + 1];       /* "" when absent */
	int has_auth;
	char auth[SP_AUTH_PARAM_MAX + 1];   /* "<>" or the xtext mailbox */
};

struct sp_rcpt_params {
	unsigned notify;                    /* SP_NOTIFY_*; 0 when absent */
	char orcpt[SP_ORCPT_MAX + 1];       /* "rfc822;xtext" or "" */
};

enum sp_param_err {
	SP_PARAM_OK,
	SP_PARAM_E_UNKNOWN,   /* an unsupported option (555 5.5.4): anything but the
			       * keywords below with a value they take (BODY=junk,
			       * SMTPUTF8=yes, SIZE without '=', a keyword not offered) */
	SP_PARAM_E_SYNTAX,    /* a bad RET/ENVID/NOTIFY/ORCPT/AUTH value, or a second
			       * RET/ENVID/NOTIFY/ORCPT (501 5.5.4) */
	SP_PARAM_E_DUP,       /* a second AUTH= (503 5.5.4) */
	SP_PARAM_E_TOO_LONG,  /* a value past its limit (501 5.5.4) */
	SP_PARAM_E_SIZE,      /* SIZE is not a number (501 5.5.4 Bad message size syntax) */
	SP_PARAM_E_SIZE_LIMIT,/* SIZE past a file offset (552 5.3.4) */
	SP_PARAM_E_DSN_OFF,   /* RET, ENVID, NOTIFY or ORCPT with DSN off (501 5.7.1) */
};

/* What is offered: a parameter whose extension is off is "unknown". */
enum {
	SP_EXT_SIZE = 1 << 0, SP_EXT_8BITMIME = 1 << 1, SP_EXT_SMTPUTF8 = 1 << 2,
	SP_EXT_DSN = 1 << 3, SP_EXT_AUTH = 1 << 4, SP_EXT_CHUNKING = 1 << 5,
	SP_EXT_PIPELINING = 1 << 6,   /* announced only: no parameter */
};

/* Parses the text after the path (leading white space allowed). On an
 * error, bad (may be NULL) gets the offending keyword, or for
 * SP_PARAM_E_UNKNOWN the whole token (non-printable bytes as '?'; at most
 * 64 bytes). SIZE and BODY may come more than once: the last counts. */
enum sp_param_err sp_mail_params_parse(const char *s, size_t len, unsigned ext,
				       struct sp_mail_params *p, char *bad, size_t badlen);
enum sp_param_err sp_rcpt_params_parse(const char *s, size_t len, unsigned ext,
				       struct sp_rcpt_params *p, char *bad, size_t badlen);

/* 1 when s[0..len) is RFC 3461 xtext ("+XX" hex escapes, printable ASCII
 * but '+' and '=' otherwise). */
int sp_xtext_valid(const char *s, size_t len);

#endif
