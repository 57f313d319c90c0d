/*
 * action.h - the result of an access table lookup (access(5)), parsed as
 * Postfix's smtpd parses it: the first word (case-insensitive) is the
 * action, the rest its text; REJECT, DEFER, 4NN/5NN and the DEFER_IF_*
 * actions may start their text with an RFC 3463 enhanced status code.
 * Pure: a value in, a struct out; nothing is evaluated here.
 */
#ifndef SP_POLICY_ACTION_H
#define SP_POLICY_ACTION_H

#include <stddef.h>

enum sp_act {
	SP_ACT_OK,             /* OK, RELAY, or an all-digit value */
	SP_ACT_DUNNO,
	SP_ACT_REJECT,         /* access_map_reject_code */
	SP_ACT_DEFER,          /* access_map_defer_code */
	SP_ACT_CODE,           /* "4NN text" / "5NN text": .code */
	SP_ACT_DEFER_IF_PERMIT,
	SP_ACT_DEFER_IF_REJECT,
	SP_ACT_WARN,
	SP_ACT_INFO,
	SP_ACT_HOLD,
	SP_ACT_DISCARD,
	SP_ACT_PREPEND,        /* .text is "Header: value" */
	SP_ACT_REDIRECT,       /* .text is user@domain */
	SP_ACT_BCC,            /* .text is user@domain */
	SP_ACT_FILTER,         /* .text is transport:destination */
	SP_ACT_HANGUP,
	SP_ACT_RESTRICTIONS,   /* anything else: a restriction list to evaluate */
	SP_ACT_BAD,            /* a value Postfix refuses: .problem says why */
};

struct sp_action {
	enum sp_act kind;
	int code;              /* SP_ACT_CODE: the reply code */
	char dsn[16];          /* enhanced status code (from the text or the default); "" if none */
	const char *text;      /* into the value: the text after the action (and its DSN) */
	int all_digits;        /* OK because the value is all digits (Postfix's legacy rule;
	                        * "550" alone therefore PERMITS) */
	const char *problem;   /* SP_ACT_BAD, or an action whose argument Postfix would ignore */
};

/* Parses value (a table lookup result). Never fails: see .kind/.problem. */
void sp_action_parse(const char *value, struct sp_action *a);

/* 1 when s starts with an RFC 3463 status code (class 2, 4 or 5,
 * subject and detail of 1-3 digits) followed by whitespace or the end;
 * *len gets its length. */
int sp_dsn_prefix(const char *s, size_t *len);

#endif
