/*
 * params.c - ESMTP parameters of MAIL FROM and RCPT TO (see params.h).
 */
#include "params.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

struct sp_kv {
	const char *key, *val;
	size_t klen, vlen;
	int has_val;
};

static int sp_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

int sp_xtext_valid(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char b = (unsigned char)s[i];
		if (b == '+') {
			if (i + 2 >= len || !sp_hex(s[i + 1]) || !sp_hex(s[i + 2]))
				return 0;
			i += 2;
		} else if (b < 33 || b > 126 || b == '=') {
			return 0;
		}
	}
	return 1;
}

/* The next white-space separated token of s[*i..len), split at its first
 * '=' into keyword and value; 0 at the end. */
static int sp_next_kv(const char *s, size_t len, size_t *i, struct sp_kv *kv)
{
	const char *eq;
	size_t j;

	while (*i < len && (s[*i] == ' ' || s[*i] == '\t'))
		(*i)++;
	if (*i == len)
		return 0;
	for (j = *i; j < len && s[j] != ' ' && s[j] != '\t'; j++)
		;
	kv->key = s + *i;
	eq = memchr(kv->key, '=', j - *i);
	kv->has_val = eq != NULL;
	kv->klen = eq ? (size_t)(eq - kv->key) : j - *i;
	kv->val = eq ? eq + 1 : s + j;
	kv->vlen = (size_t)(s + j - kv->val);
	*i = j;
	return 1;
}

static int sp_is(const struct sp_kv *kv, const char *key)
{
	return strlen(key) == kv->klen && strncasecmp(kv->key, key, kv->klen) == 0;
}

static int sp_val_is(const struct sp_kv *kv, const char *v)
{
	return strlen(v) == kv->vlen && strncasecmp(kv->val, v, kv->vlen) == 0;
}

/* What bad gets: the keyword, or for an unsupported option the whole
 * token (as Postfix names it), non-printable bytes as '?', at most 64. */
static void sp_bad(const struct sp_kv *kv, int whole, char *bad, size_t badlen)
{
	size_t n = whole ? (size_t)(kv->val + kv->vlen - kv->key) : kv->klen, k;

	if (bad == NULL || badlen == 0)
		return;
	for (k = 0; k < n && k < 64 && k + 1 < badlen; k++) {
		unsigned char c = (unsigned char)kv->key[k];
		bad[k] = c > 32 && c < 127 ? (char)c : '?';
	}
	bad[k] = 0;
}

static enum sp_param_err sp_copy_xtext(const struct sp_kv *kv, char *out, size_t max)
{
	if (kv->vlen > max)
		return SP_PARAM_E_TOO_LONG;
	if (!sp_xtext_valid(kv->val, kv->vlen))
		return SP_PARAM_E_SYNTAX;
	memcpy(out, kv->val, kv->vlen);
	out[kv->vlen] = 0;
	return SP_PARAM_OK;
}

/* SIZE=digits; past what a file offset holds, E_SIZE_LIMIT (Postfix's
 * "file system imposed limit"). */
static enum sp_param_err sp_size(const struct sp_kv *kv, struct sp_mail_params *p)
{
	uint64_t v = 0;
	int over = 0;

	if (kv->vlen == 0)
		return SP_PARAM_E_SIZE;
	for (size_t i = 0; i < kv->vlen; i++) {
		if (kv->val[i] < '0' || kv->val[i] > '9')
			return SP_PARAM_E_SIZE;
		over |= v > (uint64_t)(INT64_MAX - (kv->val[i] - '0')) / 10;
		v = over ? 0 : v * 10 + (uint64_t)(kv->val[i] - '0');
	}
	if (over)
		return SP_PARAM_E_SIZE_LIMIT;
	p->has_size = 1;   /* a second SIZE replaces the first, as in Postfix */
	p->size = v;
	return SP_PARAM_OK;
}

/* One MAIL FROM token. As Postfix's smtpd: SIZE and BODY are taken whether
 * announced or not and the last one counts; RET, ENVID (and NOTIFY, ORCPT
 * on RCPT) are refused as a group when DSN is off, and once only; any
 * other token is an unsupported option. */
static enum sp_param_err sp_mail_one(const struct sp_kv *kv, unsigned ext, struct sp_mail_params *p)
{
	if (kv->has_val && sp_is(kv, "BODY") && (sp_val_is(kv, "7BIT") || sp_val_is(kv, "8BITMIME"))) {
		p->body = sp_val_is(kv, "7BIT") ? SP_BODY_7BIT : SP_BODY_8BITMIME;
		return SP_PARAM_OK;
	}
	if (kv->has_val && sp_is(kv, "SIZE"))
		return sp_size(kv, p);
	if (!kv->has_val && sp_is(kv, "SMTPUTF8") && (ext & SP_EXT_SMTPUTF8)) {
		p->smtputf8 = 1;
		return SP_PARAM_OK;
	}
	if (kv->has_val && sp_is(kv, "AUTH") && (ext & SP_EXT_AUTH)) {
		if (p->has_auth)
			return SP_PARAM_E_DUP;
		p->has_auth = 1;
		if (sp_val_is(kv, "<>")) {
			strcpy(p->auth, "<>");
			return SP_PARAM_OK;
		}
		return kv->vlen ? sp_copy_xtext(kv, p->auth, SP_AUTH_PARAM_MAX) : SP_PARAM_E_SYNTAX;
	}
	if (kv->has_val && sp_is(kv, "RET")) {
		if (!(ext & SP_EXT_DSN))
			return SP_PARAM_E_DSN_OFF;
		if (p->ret != SP_RET_NONE)
			return SP_PARAM_E_SYNTAX;
		p->ret = sp_val_is(kv, "FULL") ? SP_RET_FULL : sp_val_is(kv, "HDRS") ? SP_RET_HDRS
										      : SP_RET_NONE;
		return p->ret == SP_RET_NONE ? SP_PARAM_E_SYNTAX : SP_PARAM_OK;
	}
	if (kv->has_val && sp_is(kv, "ENVID")) {
		if (!(ext & SP_EXT_DSN))
			return SP_PARAM_E_DSN_OFF;
		if (p->envid[0] || kv->vlen == 0)
			return SP_PARAM_E_SYNTAX;
		return sp_copy_xtext(kv, p->envid, SP_ENVID_MAX);
	}
	return SP_PARAM_E_UNKNOWN;
}

/* Walks the tokens, handing each to one(); the first error ends the walk,
 * with its keyword (the whole token if unsupported) in bad. */
static enum sp_param_err sp_params_walk(const char *s, size_t len, unsigned ext, void *p,
					enum sp_param_err (*one)(const struct sp_kv *, unsigned, void *),
					char *bad, size_t badlen)
{
	struct sp_kv kv;
	size_t i = 0;

	while (sp_next_kv(s, len, &i, &kv) > 0) {
		enum sp_param_err e = one(&kv, ext, p);
		if (e != SP_PARAM_OK) {
			sp_bad(&kv, e == SP_PARAM_E_UNKNOWN, bad, badlen);
			return e;
		}
	}
	return SP_PARAM_OK;
}

static enum sp_param_err sp_mail_kv(const struct sp_kv *kv, unsigned ext, void *p)
{
	return sp_mail_one(kv, ext, p);
}

enum sp_param_err sp_mail_params_parse(const char *s, size_t len, unsigned ext,
				       struct sp_mail_params *p, char *bad, size_t badlen)
{
	memset(p, 0, sizeof(*p));
	return sp_params_walk(s, len, ext, p, sp_mail_kv, bad, badlen);
}

/* NOTIFY=NEVER or a comma list of SUCCESS, FAILURE, DELAY. */
static enum sp_param_err sp_notify(const struct sp_kv *kv, unsigned *out)
{
	size_t i = 0;
	unsigned n = 0;

	if (!kv->has_val || kv->vlen == 0)
		return SP_PARAM_E_SYNTAX;
	while (i < kv->vlen) {
		size_t j = i;
		unsigned bit;
		while (j < kv->vlen && kv->val[j] != ',')
			j++;
		struct sp_kv w = {kv->val + i, NULL, j - i, 0, 0};
		bit = sp_is(&w, "NEVER") ? SP_NOTIFY_NEVER : sp_is(&w, "SUCCESS") ? SP_NOTIFY_SUCCESS
		      : sp_is(&w, "FAILURE") ? SP_NOTIFY_FAILURE : sp_is(&w, "DELAY") ? SP_NOTIFY_DELAY : 0;
		if (bit == 0 || (n & bit))
			return SP_PARAM_E_SYNTAX;
		n |= bit;
		i = j + 1;
		if (j < kv->vlen && i == kv->vlen)   /* a trailing comma */
			return SP_PARAM_E_SYNTAX;
	}
	if ((n & SP_NOTIFY_NEVER) && n != SP_NOTIFY_NEVER)
		return SP_PARAM_E_SYNTAX;
	*out = n;
	return SP_PARAM_OK;
}

/* ORCPT=addr-type;xtext, the type an atom (rfc822, utf-8). */
static enum sp_param_err sp_orcpt(const struct sp_kv *kv, char *out)
{
	const char *semi = kv->has_val ? memchr(kv->val, ';', kv->vlen) : NULL;
	struct sp_kv rest;

	if (semi == NULL || semi == kv->val)
		return SP_PARAM_E_SYNTAX;
	for (const char *t = kv->val; t < semi; t++)   /* the address type is an atom */
		if (!((*t >= 'A' && *t <= 'Z') || (*t >= 'a' && *t <= 'z') || (*t >= '0' && *t <= '9') ||
		      strchr("!#$%&'*+-/=?^_`{|}~", *t) != NULL) || *t == 0)
			return SP_PARAM_E_SYNTAX;
	if (kv->vlen > SP_ORCPT_MAX)
		return SP_PARAM_E_TOO_LONG;
	rest.val = semi + 1;
	rest.vlen = kv->vlen - (size_t)(semi + 1 - kv->val);
	if (rest.vlen == 0 || !sp_xtext_valid(rest.val, rest.vlen))
		return SP_PARAM_E_SYNTAX;
	memcpy(out, kv->val, kv->vlen);
	out[kv->vlen] = 0;
	return SP_PARAM_OK;
}

static enum sp_param_err sp_rcpt_kv(const struct sp_kv *kv, unsigned ext, void *vp)
{
	struct sp_rcpt_params *p = vp;

	if (kv->has_val && (sp_is(kv, "NOTIFY") || sp_is(kv, "ORCPT"))) {
		if (!(ext & SP_EXT_DSN))
			return SP_PARAM_E_DSN_OFF;
		if (sp_is(kv, "NOTIFY"))
			return p->notify ? SP_PARAM_E_SYNTAX : sp_notify(kv, &p->notify);
		return p->orcpt[0] ? SP_PARAM_E_SYNTAX : sp_orcpt(kv, p->orcpt);
	}
	return SP_PARAM_E_UNKNOWN;
}

enum sp_param_err sp_rcpt_params_parse(const char *s, size_t len, unsigned ext,
				       struct sp_rcpt_params *p, char *bad, size_t badlen)
{
	memset(p, 0, sizeof(*p));
	return sp_params_walk(s, len, ext, p, sp_rcpt_kv, bad, badlen);
}
