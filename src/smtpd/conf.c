/*
 * conf.c - smtpd settings from a configuration view (see conf.h).
 */
#include "conf.h"
#include "../config/value.h"
#include "../net/tls.h"
#include "../auth/dovecot.h"
#include "../policy/netlist.h"
#include "../smtp/params.h"
#include "../util/mem.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *sp_get(const struct sp_view *v, const char *name, const char *def)
{
	const char *s = sp_view_get(v, name);

	return s ? s : def;
}

static int64_t sp_int(const struct sp_view *v, const char *name, int64_t def)
{
	int64_t n;

	return sp_value_int(sp_get(v, name, ""), &n) == 0 ? n : def;
}

static int sp_bool(const struct sp_view *v, const char *name, int def)
{
	int b;

	return sp_value_bool(sp_get(v, name, ""), &b) == 0 ? b : def;
}

static int64_t sp_secs(const struct sp_view *v, const char *name, int64_t def)
{
	int64_t s;

	return sp_value_time(sp_get(v, name, ""), 's', &s) == 0 ? s : def;
}

/* smtpd_discard_ehlo_keywords: the extensions not announced. */
static unsigned sp_discard(const char *words)
{
	static const struct {
		const char *word;
		unsigned ext;
	} map[] = {
		{"size", SP_EXT_SIZE}, {"8bitmime", SP_EXT_8BITMIME}, {"smtputf8", SP_EXT_SMTPUTF8},
		{"dsn", SP_EXT_DSN}, {"auth", SP_EXT_AUTH}, {"chunking", SP_EXT_CHUNKING},
		{"pipelining", SP_EXT_PIPELINING},
	};
	unsigned off = 0;

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		const char *p = words;
		size_t n = strlen(map[i].word);
		while ((p = strcasestr(p, map[i].word)) != NULL) {
			if ((p == words || strchr(", \t", p[-1])) && strchr(", \t", p[n]))
				off |= map[i].ext;
			p += n;
		}
	}
	return off;
}

/* The TLS level as Postfix derives it, and the context when TLS is on. */
static int sp_smtpd_conf_tls(const struct sp_view *v, struct sp_smtpd_conf *c, struct sp_diags *d)
{
	const char *level = sp_get(v, "smtpd_tls_security_level", "");

	if (strcmp(level, "encrypt") == 0)
		c->tls_level = SP_TLS_ENCRYPT;
	else if (strcmp(level, "may") == 0)
		c->tls_level = SP_TLS_MAY;
	else if (level[0] == 0 && sp_bool(v, "smtpd_enforce_tls", 0))
		c->tls_level = SP_TLS_ENCRYPT;
	else if (level[0] == 0 && sp_bool(v, "smtpd_use_tls", 0))
		c->tls_level = SP_TLS_MAY;
	c->tls_wrapper = sp_bool(v, "smtpd_tls_wrappermode", 0);
	c->tls_received_header = sp_bool(v, "smtpd_tls_received_header", 0);
	c->tls_loglevel = (int)sp_int(v, "smtpd_tls_loglevel", 0);
	c->starttls_timeout_s = (unsigned)sp_secs(v, "smtpd_starttls_timeout", 300);
	if (c->tls_level == SP_TLS_NONE && !c->tls_wrapper)
		return 0;
	c->tls = sp_tls_server_new(v, c->tls_level == SP_TLS_ENCRYPT || c->tls_wrapper, d);
	return c->tls ? 0 : -1;
}

/* smtpd_sasl_security_options: the mechanism flags not to offer. */
static int sp_sasl_options(const struct sp_view *v, const char *name, unsigned *out,
			   struct sp_diags *d)
{
	static const struct {
		const char *word;
		unsigned flag;
	} opts[] = {
		{"noanonymous", SP_DV_MECH_ANONYMOUS}, {"noplaintext", SP_DV_MECH_PLAINTEXT},
		{"nodictionary", SP_DV_MECH_DICTIONARY}, {"noactive", SP_DV_MECH_ACTIVE},
	};
	const struct sp_param *p = sp_view_find(v, name);
	char *words = sp_xstrdup(p && p->value ? p->value : "noanonymous"), *save = NULL;
	int rc = 0;

	*out = 0;
	for (char *w = strtok_r(words, ", \t", &save); w; w = strtok_r(NULL, ", \t", &save)) {
		size_t i = 0;
		while (i < sizeof(opts) / sizeof(opts[0]) && strcasecmp(w, opts[i].word) != 0)
			i++;
		if (i < sizeof(opts) / sizeof(opts[0])) {
			*out |= opts[i].flag;
		} else {
			sp_diag_add(d, SP_ERROR, p ? p->file : NULL, p ? p->line : 0, name,
				    "use noanonymous, noplaintext, nodictionary, noactive",
				    "\"%s\" is not supported", w);
			sp_diag_unsupported(d);
			rc = -1;
		}
	}
	free(words);
	return rc;
}

/* SASL settings; the socket path is checked against the chroot by svc.c. */
static int sp_smtpd_conf_sasl(const struct sp_view *v, struct sp_smtpd_conf *c, struct sp_diags *d)
{
	const struct sp_param *t = sp_view_find(v, "smtpd_sasl_type");
	const struct sp_param *ld = sp_view_find(v, "smtpd_sasl_local_domain");
	const struct sp_param *ex = sp_view_find(v, "smtpd_sasl_exceptions_networks");
	int rc = 0;

	c->sasl_enable = sp_bool(v, "smtpd_sasl_auth_enable", 0);
	c->tls_auth_only = sp_bool(v, "smtpd_tls_auth_only", 1);
	c->broken_sasl_clients = sp_bool(v, "broken_sasl_auth_clients", 0);
	c->sasl_auth_header = sp_bool(v, "smtpd_sasl_authenticated_header", 0);
	c->sasl_path = sp_xstrdup(sp_get(v, "smtpd_sasl_path", "private/auth"));
	c->sasl_service = sp_xstrdup(sp_get(v, "smtpd_sasl_service", "smtp"));
	if (sp_sasl_options(v, "smtpd_sasl_security_options", &c->sasl_exclude, d) < 0 ||
	    sp_sasl_options(v, "smtpd_sasl_tls_security_options", &c->sasl_tls_exclude, d) < 0)
		rc = -1;
	c->sasl_excl = sp_netlist_compile(ex && ex->value ? ex->value : "",
					  "smtpd_sasl_exceptions_networks", ex ? ex->file : NULL,
					  ex ? ex->line : 0, d);
	if (c->sasl_excl == NULL)
		rc = -1;
	if (!c->sasl_enable)
		return rc;
	/* the registry allows only dovecot and sallyport */
	c->sasl_builtin = t == NULL || t->value == NULL || strcasecmp(t->value, "sallyport") == 0;
	if (ld && ld->value && ld->value[0]) {
		sp_diag_add(d, SP_ERROR, ld->file, ld->line, "smtpd_sasl_local_domain",
			    c->sasl_builtin ? "remove it, and name the users in full in "
			    "auth_passwd_file" : "remove it (Dovecot's auth_default_realm does this)",
			    "not supported (no realm is appended to login names)");
		sp_diag_unsupported(d);
		rc = -1;
	}
	return rc;
}

int sp_smtpd_conf_load(const struct sp_view *v, struct sp_smtpd_conf *c, struct sp_diags *d)
{
	const struct sp_param *bn = sp_view_find(v, "smtpd_forbid_bare_newline");
	const struct sp_param *excl = sp_view_find(v, "smtpd_forbid_bare_newline_exclusions");
	const char *mode = bn && bn->value ? bn->value : "reject";
	int errors = 0;

	memset(c, 0, sizeof(*c));
	c->myhostname = sp_xstrdup(sp_get(v, "myhostname", "localhost"));
	c->banner = sp_xstrdup(sp_get(v, "smtpd_banner", c->myhostname));
	c->mail_name = sp_xstrdup(sp_get(v, "mail_name", "sallyport"));
	c->queue_dir = sp_xstrdup(sp_get(v, "queue_directory", "/var/spool/sallyport"));
	c->message_size_limit = (uint64_t)sp_int(v, "message_size_limit", 10240000);
	c->rcpt_limit = (unsigned)sp_int(v, "smtpd_recipient_limit", 1000);
	c->rcpt_overshoot = (unsigned)sp_int(v, "smtpd_recipient_overshoot_limit", 1000);
	c->junk_limit = (unsigned)sp_int(v, "smtpd_junk_command_limit", 100);
	c->header_size_limit = (size_t)sp_int(v, "header_size_limit", 102400);
	c->line_limit = (size_t)sp_int(v, "line_length_limit", 2048);
	c->bare_nl_code = (int)sp_int(v, "smtpd_forbid_bare_newline_reject_code", 550);
	c->vrfy_disabled = sp_bool(v, "disable_vrfy_command", 1);
	c->smtputf8 = sp_bool(v, "smtputf8_enable", 1);
	c->forbid_unauth_pipelining = sp_bool(v, "smtpd_forbid_unauth_pipelining", 1);
	c->peername_lookup = sp_bool(v, "smtpd_peername_lookup", 1);
	c->soft_error_limit = (unsigned)sp_int(v, "smtpd_soft_error_limit", 10);
	c->hard_error_limit = (unsigned)sp_int(v, "smtpd_hard_error_limit", 20);
	c->error_sleep_ms = (unsigned)(sp_secs(v, "smtpd_error_sleep_time", 1) * 1000);
	c->timeout_s = (unsigned)sp_secs(v, "smtpd_timeout", 300);
	c->ext = (SP_EXT_SIZE | SP_EXT_8BITMIME | SP_EXT_DSN | SP_EXT_CHUNKING | SP_EXT_PIPELINING |
		  (c->smtputf8 ? SP_EXT_SMTPUTF8 : 0)) & ~sp_discard(sp_get(v,
		  "smtpd_discard_ehlo_keywords", ""));
	if (c->line_limit < 512)
		c->line_limit = 512;
	if (strcmp(mode, "reject") == 0) {
		c->bare_nl_reject = 1;
	} else if (strcmp(mode, "normalize") != 0 && strcmp(mode, "yes") != 0 &&
		   !(v->postfix && strcmp(mode, "no") == 0)) {   /* the auditor reads Postfix's */
		sp_diag_add(d, SP_ERROR, bn ? bn->file : NULL, bn ? bn->line : 0,
			    "smtpd_forbid_bare_newline", "write reject (the default) or normalize",
			    "\"%s\" is not supported: a bare newline that ends a line lets a client "
			    "smuggle a second message past the first one's end (SMTP smuggling)", mode);
		sp_diag_unsupported(d);
		errors++;
	}
	c->bare_nl_excl = sp_netlist_compile(excl && excl->value ? excl->value : "",
					     "smtpd_forbid_bare_newline_exclusions",
					     excl ? excl->file : NULL, excl ? excl->line : 0, d);
	if (c->bare_nl_excl == NULL)
		errors++;
	c->cconn_limit = (int)sp_int(v, "smtpd_client_connection_count_limit", 50);
	c->crate_limit = (int)sp_int(v, "smtpd_client_connection_rate_limit", 0);
	c->cmail_limit = (int)sp_int(v, "smtpd_client_message_rate_limit", 0);
	c->cauth_limit = (int)sp_int(v, "smtpd_client_auth_rate_limit", 0);
	c->crcpt_limit = (int)sp_int(v, "smtpd_client_recipient_rate_limit", 0);
	excl = sp_view_find(v, "smtpd_client_event_limit_exceptions");
	c->hog_excl = sp_netlist_compile(excl && excl->value ? excl->value : "",
					 "smtpd_client_event_limit_exceptions",
					 excl ? excl->file : NULL, excl ? excl->line : 0, d);
	if (c->hog_excl == NULL)
		errors++;
	if (sp_smtpd_conf_tls(v, c, d) < 0)
		errors++;
	if (sp_smtpd_conf_sasl(v, c, d) < 0)
		errors++;
	if (errors) {
		sp_smtpd_conf_free(c);
		return -1;
	}
	return 0;
}

void sp_smtpd_conf_free(struct sp_smtpd_conf *c)
{
	free(c->myhostname);
	free(c->banner);
	free(c->mail_name);
	free(c->queue_dir);
	sp_netlist_free(&c->bare_nl_excl);
	sp_netlist_free(&c->hog_excl);
	sp_tls_server_free(&c->tls);
	free(c->sasl_path);
	free(c->sasl_service);
	sp_netlist_free(&c->sasl_excl);
	memset(c, 0, sizeof(*c));
}
