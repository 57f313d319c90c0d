/*
 * fuzz/smtp_command.c - libFuzzer target for src/smtp/line.c, command.c and
 * params.c. The first byte holds flags: bit 0 SMTPUTF8 on (sp_cmd_parse
 * utf8), bits 1-6 the SP_EXT_* bits offered to the parameter parsers, bit 7
 * a small line limit (16 bytes instead of 512). The rest is the input.
 *
 * It runs sp_line_find on the input, sp_cmd_parse on the line it finds (the
 * whole input when there is none, to reach the byte checks), and for MAIL
 * and RCPT the matching parameter parser on the argument after the first
 * '>' (the whole argument when there is none). Each piece is copied into a
 * buffer of its exact size, so a read past it is a sanitizer error. Besides
 * memory errors it checks the contracts of the three headers.
 */
#include "smtp/command.h"
#include "smtp/line.h"
#include "smtp/params.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int is_ws(char c)
{
	return c == ' ' || c == '\t';
}

/* The verdict of sp_line_find against a direct reading of line.h. */
static void check_line(const char *b, size_t len, size_t max, enum sp_line r, size_t n)
{
	size_t lim = len < max ? len : max, stop;

	/* No CR or LF may come before the byte(s) that decided. */
	switch (r) {
	case SP_LINE_OK:
		if (n < 2 || n > lim || b[n - 2] != '\r' || b[n - 1] != '\n')
			abort();
		stop = n - 2;
		break;
	case SP_LINE_BARE_LF:
		if (n < 1 || n > lim || b[n - 1] != '\n' || (n >= 2 && b[n - 2] == '\r'))
			abort();
		stop = n - 1;
		break;
	case SP_LINE_BARE_CR:
		if (n < 1 || n >= lim || b[n - 1] != '\r' || b[n] == '\n')
			abort();
		stop = n - 1;
		break;
	case SP_LINE_TOO_LONG:
		if (n != max || len < max)
			abort();
		/* a CR may be the last byte within max: its LF is past max */
		stop = b[max - 1] == '\r' ? max - 1 : max;
		if (b[max - 1] == '\n')
			abort();
		break;
	case SP_LINE_MORE:
		if (n != 0 || len >= max)
			abort();
		stop = len && b[len - 1] == '\r' ? len - 1 : len;
		if (len && b[len - 1] == '\n')
			abort();
		break;
	default:
		abort();
	}
	for (size_t i = 0; i < stop; i++)
		if (b[i] == '\r' || b[i] == '\n')
			abort();
}

/* The result of sp_cmd_parse against command.h. */
static void check_cmd(const char *line, size_t len, int utf8, enum sp_cmd_err e,
		      const struct sp_cmd *c)
{
	int ctl = 0, high = 0, allws = 1;

	for (size_t i = 0; i < len; i++) {
		unsigned char b = (unsigned char)line[i];
		ctl |= (b < 0x20 && b != '\t') || b == 0x7f;
		high |= b >= 0x80;
		allws &= is_ws(line[i]);
	}
	if (c->arg < line || c->arglen > len || c->arg + c->arglen > line + len)
		abort();
	if ((unsigned)c->verb >= SP_VERB_COUNT)
		abort();
	switch (e) {
	case SP_CMD_OK: {
		const char *name = sp_verb_name(c->verb);
		size_t i = 0, nl = strlen(name);

		if (ctl || (high && !utf8) || c->verb == SP_VERB_UNKNOWN || allws)
			abort();
		while (i < len && is_ws(line[i]))
			i++;
		/* the verb, in any case, then white space or the end */
		if (len - i < nl)
			abort();
		for (size_t k = 0; k < nl; k++)
			if ((line[i + k] | 0x20) != (name[k] | 0x20))
				abort();
		if (i + nl < len && !is_ws(line[i + nl]))
			abort();
		if (c->arg < line + i + nl)
			abort();
		if (c->arglen && is_ws(c->arg[c->arglen - 1]))
			abort();
		if (c->verb != SP_VERB_MAIL && c->verb != SP_VERB_RCPT) {
			if (c->arglen && is_ws(c->arg[0]))
				abort();
			/* the argument runs to the last non-blank byte */
			for (const char *p = c->arg + c->arglen; p < line + len; p++)
				if (!is_ws(*p))
					abort();
		} else {
			const char *kw = c->verb == SP_VERB_MAIL ? "FROM:" : "TO:";
			size_t kl = strlen(kw);

			if (c->arg - line < (ptrdiff_t)kl)
				abort();
			for (size_t k = 0; k < kl; k++)
				if ((c->arg[(ptrdiff_t)k - (ptrdiff_t)kl] | 0x20) != (kw[k] | 0x20))
					abort();
		}
		if ((c->verb == SP_VERB_DATA || c->verb == SP_VERB_RSET ||
		     c->verb == SP_VERB_STARTTLS) && c->arglen)
			abort();
		break;
	}
	case SP_CMD_E_EMPTY:
		if (ctl || !allws || c->verb != SP_VERB_UNKNOWN)
			abort();
		break;
	case SP_CMD_E_CONTROL:
		if (!ctl || c->verb != SP_VERB_UNKNOWN)
			abort();
		break;
	case SP_CMD_E_8BIT:
		if (ctl || !high || utf8 || c->verb != SP_VERB_UNKNOWN)
			abort();
		break;
	case SP_CMD_E_UTF8:
		if (ctl || !high || !utf8 || c->verb != SP_VERB_UNKNOWN)
			abort();
		break;
	case SP_CMD_E_UNKNOWN:
		if (ctl || (high && !utf8) || allws || c->verb != SP_VERB_UNKNOWN)
			abort();
		break;
	case SP_CMD_E_SYNTAX:
		if (ctl || (high && !utf8) || c->verb == SP_VERB_UNKNOWN)
			abort();
		break;
	default:
		abort();
	}
}

/* A NUL-terminated field of at most max bytes, valid xtext. */
static void check_xtext_field(const char *s, size_t max)
{
	size_t n = strnlen(s, max + 1);

	if (n > max || !sp_xtext_valid(s, n))
		abort();
}

static void check_bad(const char *bad, size_t badlen)
{
	if (strnlen(bad, badlen) >= badlen)
		abort();
}

static void run_mail(const char *s, size_t len, unsigned ext)
{
	struct sp_mail_params p, q;
	char bad[80];
	enum sp_param_err e = sp_mail_params_parse(s, len, ext, &p, bad, sizeof(bad));

	if (sp_mail_params_parse(s, len, ext, &q, NULL, 0) != e)
		abort();
	if (e != SP_PARAM_OK) {
		if (e > SP_PARAM_E_DSN_OFF)
			abort();
		check_bad(bad, sizeof(bad));
		return;
	}
	if (memcmp(&p, &q, sizeof(p)) != 0)
		abort();
	if ((!p.has_size && p.size) || p.size > INT64_MAX)
		abort();
	if (p.body > SP_BODY_8BITMIME)
		abort();
	if ((p.smtputf8 != 0 && p.smtputf8 != 1) || (p.smtputf8 && !(ext & SP_EXT_SMTPUTF8)))
		abort();
	if (p.ret > SP_RET_HDRS || ((p.ret || p.envid[0]) && !(ext & SP_EXT_DSN)))
		abort();
	check_xtext_field(p.envid, SP_ENVID_MAX);
	if (p.has_auth) {
		if (!(ext & SP_EXT_AUTH) || !p.auth[0])
			abort();
		if (strcmp(p.auth, "<>") != 0)
			check_xtext_field(p.auth, SP_AUTH_PARAM_MAX);
	} else if (p.auth[0]) {
		abort();
	}
}

static void run_rcpt(const char *s, size_t len, unsigned ext)
{
	struct sp_rcpt_params p, q;
	char bad[80];
	enum sp_param_err e = sp_rcpt_params_parse(s, len, ext, &p, bad, sizeof(bad));

	if (sp_rcpt_params_parse(s, len, ext, &q, NULL, 0) != e)
		abort();
	if (e != SP_PARAM_OK) {
		if (e > SP_PARAM_E_DSN_OFF)
			abort();
		check_bad(bad, sizeof(bad));
		return;
	}
	if (memcmp(&p, &q, sizeof(p)) != 0)
		abort();
	if (p.notify & ~0xfu)
		abort();
	if ((p.notify & SP_NOTIFY_NEVER) && p.notify != SP_NOTIFY_NEVER)
		abort();
	if ((p.notify || p.orcpt[0]) && !(ext & SP_EXT_DSN))
		abort();
	if (p.orcpt[0]) {
		size_t n = strnlen(p.orcpt, SP_ORCPT_MAX + 1);
		const char *semi = memchr(p.orcpt, ';', n);

		if (n > SP_ORCPT_MAX || semi == NULL || semi == p.orcpt || semi + 1 == p.orcpt + n ||
		    !sp_xtext_valid(semi + 1, (size_t)(p.orcpt + n - semi - 1)))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf;
	char *line, *rest;
	size_t len, n = 12345, max, linelen;
	int utf8;
	unsigned ext;
	enum sp_line lr;
	enum sp_cmd_err e;
	struct sp_cmd c, c2;

	if (size < 1)
		return 0;
	utf8 = data[0] & 1;
	ext = (data[0] >> 1) & 0x3f;
	max = (data[0] & 0x80) ? 16 : 512;
	buf = (const char *)data + 1;
	len = size - 1;

	lr = sp_line_find(buf, len, max, &n);
	check_line(buf, len, max, lr, n);

	linelen = lr == SP_LINE_OK ? n - 2 : len;
	line = malloc(linelen ? linelen : 1);
	if (line == NULL)
		abort();
	memcpy(line, buf, linelen);
	e = sp_cmd_parse(line, linelen, utf8, &c);
	check_cmd(line, linelen, utf8, e, &c);
	if (sp_cmd_parse(line, linelen, utf8, &c2) != e || c2.verb != c.verb || c2.arg != c.arg ||
	    c2.arglen != c.arglen)
		abort();
	if (e == SP_CMD_OK && (c.verb == SP_VERB_MAIL || c.verb == SP_VERB_RCPT)) {
		const char *gt = memchr(c.arg, '>', c.arglen);
		const char *p = gt ? gt + 1 : c.arg;
		size_t plen = (size_t)(c.arg + c.arglen - p);

		rest = malloc(plen ? plen : 1);
		if (rest == NULL)
			abort();
		memcpy(rest, p, plen);
		if (c.verb == SP_VERB_MAIL)
			run_mail(rest, plen, ext);
		else
			run_rcpt(rest, plen, ext);
		free(rest);
	}
	free(line);
	return 0;
}
