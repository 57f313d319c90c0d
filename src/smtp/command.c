/*
 * command.c - SMTP command lines (see command.h).
 */
#include "command.h"
#include "../util/utf8.h"

#include <string.h>
#include <strings.h>

/* What a verb takes: no argument, an argument, either. */
enum { ARG_NONE, ARG_NEED, ARG_MAY };

static const struct {
	const char *name;
	int arg;
} sp_verbs[SP_VERB_COUNT] = {
	[SP_VERB_UNKNOWN] = {"UNKNOWN", ARG_MAY},
	[SP_VERB_HELO] = {"HELO", ARG_NEED},   [SP_VERB_EHLO] = {"EHLO", ARG_NEED},
	[SP_VERB_MAIL] = {"MAIL", ARG_NEED},   [SP_VERB_RCPT] = {"RCPT", ARG_NEED},
	[SP_VERB_DATA] = {"DATA", ARG_NONE},   [SP_VERB_BDAT] = {"BDAT", ARG_NEED},
	[SP_VERB_RSET] = {"RSET", ARG_NONE},   [SP_VERB_NOOP] = {"NOOP", ARG_MAY},
	[SP_VERB_QUIT] = {"QUIT", ARG_MAY},    [SP_VERB_HELP] = {"HELP", ARG_MAY},
	[SP_VERB_VRFY] = {"VRFY", ARG_NEED},   [SP_VERB_EXPN] = {"EXPN", ARG_NEED},
	[SP_VERB_STARTTLS] = {"STARTTLS", ARG_NONE}, [SP_VERB_AUTH] = {"AUTH", ARG_NEED},
	[SP_VERB_ETRN] = {"ETRN", ARG_NEED},   [SP_VERB_XCLIENT] = {"XCLIENT", ARG_NEED},
};

const char *sp_verb_name(enum sp_verb v)
{
	return v < SP_VERB_COUNT ? sp_verbs[v].name : "UNKNOWN";
}

static int sp_ws(char c)
{
	return c == ' ' || c == '\t';
}

/* Control bytes, then 8-bit bytes and UTF-8. */
static enum sp_cmd_err sp_cmd_bytes(const char *s, size_t len, int utf8)
{
	int high = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char b = (unsigned char)s[i];
		if ((b < 0x20 && b != '\t') || b == 0x7f)
			return SP_CMD_E_CONTROL;
		high |= b >= 0x80;
	}
	if (high && !utf8)
		return SP_CMD_E_8BIT;
	if (high && !sp_utf8_valid(s, len))
		return SP_CMD_E_UTF8;
	return SP_CMD_OK;
}

/* "FROM:" after MAIL, "TO:" after RCPT (case-insensitive, no space before
 * the colon, as Postfix requires); the argument starts after the colon. */
static int sp_cmd_keyword(struct sp_cmd *c, const char *kw)
{
	size_t n = strlen(kw);

	if (c->arglen < n || strncasecmp(c->arg, kw, n) != 0)
		return -1;
	c->arg += n;
	c->arglen -= n;
	return 0;
}

enum sp_cmd_err sp_cmd_parse(const char *line, size_t len, int utf8, struct sp_cmd *c)
{
	size_t i = 0, vlen;
	enum sp_cmd_err err;

	c->verb = SP_VERB_UNKNOWN;
	c->arg = line + len;
	c->arglen = 0;
	if ((err = sp_cmd_bytes(line, len, utf8)) != SP_CMD_OK)
		return err;
	while (i < len && sp_ws(line[i]))   /* Postfix tolerates leading white space */
		i++;
	while (len > i && sp_ws(line[len - 1]))
		len--;
	if (i == len)
		return SP_CMD_E_EMPTY;
	for (vlen = 0; i + vlen < len && !sp_ws(line[i + vlen]); vlen++)
		;
	for (int v = 1; v < SP_VERB_COUNT; v++)
		if (strlen(sp_verbs[v].name) == vlen && strncasecmp(line + i, sp_verbs[v].name, vlen) == 0)
			c->verb = (enum sp_verb)v;
	if (c->verb == SP_VERB_UNKNOWN)
		return SP_CMD_E_UNKNOWN;
	i += vlen;
	while (i < len && sp_ws(line[i]))
		i++;
	c->arg = line + i;
	c->arglen = len - i;
	if ((sp_verbs[c->verb].arg == ARG_NONE && c->arglen > 0) ||
	    (sp_verbs[c->verb].arg == ARG_NEED && c->arglen == 0))
		return SP_CMD_E_SYNTAX;
	if ((c->verb == SP_VERB_MAIL && sp_cmd_keyword(c, "FROM:") < 0) ||
	    (c->verb == SP_VERB_RCPT && sp_cmd_keyword(c, "TO:") < 0))
		return SP_CMD_E_SYNTAX;
	return SP_CMD_OK;
}
