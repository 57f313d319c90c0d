/*
 * command.h - one SMTP command line (CRLF already removed), split into its
 * verb and argument as RFC 5321 writes them, with the checks every command
 * gets before any command-specific code sees it: no NUL or other control
 * byte, no 8-bit byte unless SMTPUTF8 may carry it, and then valid UTF-8.
 * MAIL FROM: and RCPT TO: keep their keyword: the argument starts after the
 * colon. Pure; the session turns the results into replies.
 */
#ifndef SP_SMTP_COMMAND_H
#define SP_SMTP_COMMAND_H

#include <stddef.h>

enum sp_verb {
	SP_VERB_UNKNOWN,
	SP_VERB_HELO, SP_VERB_EHLO, SP_VERB_MAIL, SP_VERB_RCPT, SP_VERB_DATA, SP_VERB_BDAT,
	SP_VERB_RSET, SP_VERB_NOOP, SP_VERB_QUIT, SP_VERB_HELP, SP_VERB_VRFY, SP_VERB_EXPN,
	SP_VERB_STARTTLS, SP_VERB_AUTH, SP_VERB_ETRN, SP_VERB_XCLIENT,
	SP_VERB_COUNT
};

enum sp_cmd_err {
	SP_CMD_OK,
	SP_CMD_E_EMPTY,     /* nothing but white space */
	SP_CMD_E_CONTROL,   /* NUL or another control byte (HTAB and SP allowed) */
	SP_CMD_E_8BIT,      /* a byte >= 0x80 where only ASCII may be */
	SP_CMD_E_UTF8,      /* malformed UTF-8 */
	SP_CMD_E_UNKNOWN,   /* not a command sallyport knows */
	SP_CMD_E_SYNTAX,    /* the known verb's shape is wrong ("MAIL TO:", "DATA x") */
};

struct sp_cmd {
	enum sp_verb verb;
	const char *arg;    /* into the line: after the verb and its separator */
	size_t arglen;      /* trailing white space removed */
};

/* Parses line[0..len). utf8 allows 8-bit bytes (valid UTF-8) in
 * arguments (SMTPUTF8 offered). Returns SP_CMD_OK with *c filled; for
 * SP_CMD_E_SYNTAX and SP_CMD_E_UNKNOWN, c->verb says which verb (UNKNOWN for
 * the second). */
enum sp_cmd_err sp_cmd_parse(const char *line, size_t len, int utf8, struct sp_cmd *c);

/* The verb's name in upper case ("MAIL"), for logs and command counts. */
const char *sp_verb_name(enum sp_verb v);

#endif
