/*
 * rules.c - the auditor's findings besides the relay proof (see check.h):
 * mynetworks that trusts too much, AUTH without TLS or without sender
 * ownership, a permit that makes a sender-login check unreachable (found
 * by evaluating the compiled restrictions, not by reading them), stale
 * login tables, SASL sockets outside private/, readable secrets, -o
 * overrides the program never reads, Postfix's lax defaults where
 * they are set back (VRFY, HELO, bare newlines, submission without TLS),
 * and client-certificate restrictions that never match or that let
 * anyone with a public CA's certificate relay.
 */
#include "check.h"
#include "../policy/netlist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static const struct sp_param *sp_p(const struct sp_check_svc *s, const char *name)
{
	return sp_view_find(s->view, name);
}

static const char *sp_v(const struct sp_check_svc *s, const char *name)
{
	const char *v = sp_view_get(s->view, name);

	return v ? v : "";
}

static int sp_yes(const struct sp_check_svc *s, const char *name)
{
	return strcasecmp(sp_v(s, name), "yes") == 0;
}

static const char *sp_svc_name(const struct sp_check_svc *s)
{
	return s->ms ? s->ms->name : NULL;
}

/* A finding about parameter name of service s, at the line that set it. */
static void sp_add(struct sp_findings *f, const struct sp_check_svc *s, const char *id,
		   enum sp_fsev sev, const char *name, const char *means, const char *fix,
		   const char *what)
{
	const struct sp_param *p = sp_p(s, name);
	int set = p && p->src != SP_SRC_DEFAULT;

	/* a main.cf setting is one finding, whichever services inherit it */
	sp_finding_add(f, id, sev, set ? p->file : NULL, set ? p->line : 0, name,
		       p && p->src == SP_SRC_SERVICE ? sp_svc_name(s) : NULL, means, fix, "%s",
		       what);
}

/* ---- mynetworks ---- */

static void sp_rule_mynetworks(const struct sp_check_svc *s, struct sp_findings *f)
{
	const struct sp_netlist *mn = s->policy ? sp_policy_mynetworks(s->policy) : NULL;
	struct sp_netlist_coverage c;
	char what[512], err[64];
	double others;

	if (mn == NULL)
		return;
	sp_netlist_coverage(mn, &c);
	/* loopback is the host itself: not counted against the threshold */
	others = c.v4;
	if (sp_netlist_match(mn, "127.0.0.1", NULL, err, sizeof(err)) == 1 && others >= 16777216.0)
		others -= 16777216.0;
	if (others > 16777216.0 || c.v6_beyond_loopback * c.v6 > 1.8446744073709552e19) {
		int bits = 0;
		for (double x = c.v4; x >= 2.0; x /= 2.0)
			bits++;
		snprintf(what, sizeof(what), "mynetworks covers %.0f IPv4 addresses (2^%d)%s",
			 c.v4, bits,
			 c.v6 > 1.8446744073709552e19 ? " and more than 2^64 IPv6 addresses" : "");
		sp_add(f, s, "mynetworks-wide", (c.full & (SP_NETBLOCK_V4_ALL | SP_NETBLOCK_V6_ALL))
			   ? SP_FS_ERROR : SP_FS_WARNING, "mynetworks",
		       "every client in it may relay (permit_mynetworks) and is exempt from "
		       "smtpd_forbid_bare_newline by Postfix's default; a network that large is "
		       "not yours", "list only the networks of hosts you run, e.g. 127.0.0.0/8 "
		       "[::1]/128 192.168.1.0/24", what);
	}
	if (c.v4mapped > 0 && !(c.full & SP_NETBLOCK_V6_ALL))
		sp_add(f, s, "mynetworks-v4mapped", SP_FS_WARNING, "mynetworks",
		       "a client address ::ffff:a.b.c.d is matched as a.b.c.d, so an IPv6 entry "
		       "inside ::ffff:0:0/96 never matches anything (and a mistyped one, such as "
		       "[::fff:]/104, is not the network it looks like)",
		       "write the IPv4 network itself (e.g. 192.0.2.0/24)",
		       "mynetworks has entries inside ::ffff:0:0/96 (IPv4-mapped IPv6)");
	if ((c.some & (SP_NETBLOCK_CGNAT | SP_NETBLOCK_DOCKER)) && !(c.full & SP_NETBLOCK_V4_ALL))
		sp_add(f, s, "mynetworks-nat", SP_FS_WARNING, "mynetworks",
		       "outside clients can appear from these addresses: a provider's carrier-grade "
		       "NAT serves its other customers too, and Docker's bridge gateway is the "
		       "source of every connection to a published port",
		       "remove the range; let your own hosts log in (permit_sasl_authenticated) or "
		       "list them one by one",
		       (c.some & SP_NETBLOCK_CGNAT) ? "mynetworks trusts carrier-grade NAT space "
		       "(100.64.0.0/10)" : "mynetworks trusts Docker's bridge (172.17.0.0/16)");
}

/* mynetworks computed from mynetworks_style = subnet or class: on a hosted
 * machine that is the provider's network, other customers included. */
static void sp_rule_mynetworks_style(const struct sp_check_svc *s, struct sp_findings *f)
{
	const struct sp_param *mn = sp_p(s, "mynetworks");
	const char *style = sp_v(s, "mynetworks_style");
	char what[300];

	if ((mn && mn->src != SP_SRC_DEFAULT && mn->value && mn->value[0]) ||
	    (strcasecmp(style, "subnet") != 0 && strcasecmp(style, "class") != 0))
		return;
	if (!s->view->postfix && sp_p(s, "mynetworks_style") &&
	    sp_p(s, "mynetworks_style")->src == SP_SRC_DEFAULT)
		return;   /* sallyport's default mynetworks is loopback unless a style is set */
	snprintf(what, sizeof(what), "mynetworks is computed from mynetworks_style = %s: every "
		 "host on the networks of this machine's interfaces may relay", style);
	sp_add(f, s, "mynetworks-style-subnet", SP_FS_WARNING, "mynetworks_style",
	       "on a rented server that network is the provider's, shared with its other "
	       "customers; at home it includes every device on the LAN",
	       "set mynetworks explicitly (e.g. 127.0.0.0/8 [::1]/128), or mynetworks_style = host",
	       what);
}

/* ---- SASL ---- */

static void sp_rule_sasl(const struct sp_check_svc *s, struct sp_findings *f)
{
	const char *path = sp_v(s, "smtpd_sasl_path");
	const char *level = sp_v(s, "smtpd_tls_security_level");

	if (!sp_yes(s, "smtpd_sasl_auth_enable"))
		return;
	if (!sp_yes(s, "smtpd_tls_auth_only") && !sp_yes(s, "smtpd_tls_wrappermode") &&
	    strcmp(level, "encrypt") != 0)
		sp_add(f, s, "auth-without-tls", SP_FS_WARNING, "smtpd_tls_auth_only",
		       "AUTH is offered before TLS, so PLAIN and LOGIN passwords can cross the "
		       "network in the clear", "set smtpd_tls_auth_only = yes (sallyport's default)",
		       "AUTH is offered on connections without TLS");
	if (sp_v(s, "smtpd_sender_login_maps")[0] == 0)
		sp_add(f, s, "no-sender-login-maps", SP_FS_WARNING, "smtpd_sender_login_maps",
		       "without it, any logged-in user may send as any address, the boss's "
		       "included, and a stolen password sends in anyone's name",
		       "set smtpd_sender_login_maps to a table of address -> logins and add "
		       "reject_sender_login_mismatch before permit_sasl_authenticated",
		       "SMTP AUTH is on, but nothing says which login owns which sender address");
	if (strcasecmp(sp_v(s, "smtpd_sasl_type"), "dovecot") == 0 && path[0] != '/' &&
	    strncmp(path, "private/", 8) != 0 && strchr(path, '/') != NULL)
		sp_add(f, s, "sasl-socket-not-private", SP_FS_WARNING, "smtpd_sasl_path",
		       "Postfix keeps its sockets in private/, which only the mail system's user "
		       "may enter; elsewhere other local users may reach the auth socket",
		       "put the socket in private/ (Dovecot: unix_listener "
		       "/var/spool/postfix/private/auth) and write smtpd_sasl_path = private/auth",
		       "the Dovecot auth socket is outside private/");
}

/* ---- readable secrets and stale tables ---- */

static void sp_rule_secret(const struct sp_check_svc *s, const char *param, const char *path,
			   struct sp_findings *f)
{
	struct stat st;
	char what[1200];

	if (path == NULL || path[0] == 0 || stat(path, &st) < 0 || !(st.st_mode & S_IROTH))
		return;
	snprintf(what, sizeof(what), "%s is readable by every local user (mode %04o)", path,
		 (unsigned)(st.st_mode & 07777));
	sp_add(f, s, "secret-world-readable", SP_FS_ERROR, param,
	       "any account on the machine, and any compromised service, can copy it",
	       "chmod 600 it (root reads it before the privilege drop)", what);
}

/* hash:, btree:, lmdb: tables compiled from a source older than... the
 * source: postmap was forgotten. */
static void sp_rule_stale_maps(const struct sp_check_svc *s, const char *param,
			       struct sp_findings *f)
{
	char *list = strdup(sp_v(s, param)), *save = NULL;

	for (char *t = list ? strtok_r(list, " \t,", &save) : NULL; t;
	     t = strtok_r(NULL, " \t,", &save)) {
		/* sallyport compiles all three into FILE.lmdb; Postfix hash: and btree:
		 * into FILE.db */
		const char *ext = s->view->postfix ? ".db" : ".lmdb";
		const char *const types[][2] = {{"hash:", ext}, {"btree:", ext}, {"lmdb:", ".lmdb"}};
		for (size_t i = 0; i < 3; i++) {
			size_t n = strlen(types[i][0]);
			struct stat src, db;
			char dbpath[4200], what[4400];
			if (strncmp(t, types[i][0], n) != 0 || stat(t + n, &src) < 0)
				continue;
			snprintf(dbpath, sizeof(dbpath), "%s%s", t + n, types[i][1]);
			if (stat(dbpath, &db) == 0 && db.st_mtime >= src.st_mtime)
				continue;
			snprintf(what, sizeof(what), "%s is %s than its source %s", dbpath,
				 stat(dbpath, &db) == 0 ? "older" : "missing, or no newer", t + n);
			sp_add(f, s, "table-not-compiled", SP_FS_WARNING, param,
			       "lookups read the compiled file, so the last edits of the source are "
			       "not in effect", "run: sallyport map (or postmap) on it", what);
		}
	}
	free(list);
}

/* ---- Postfix's lax settings ---- */

static void sp_rule_lax(const struct sp_check_svc *s, struct sp_findings *f)
{
	const char *bn = sp_v(s, "smtpd_forbid_bare_newline");

	if (!sp_yes(s, "disable_vrfy_command"))
		sp_add(f, s, "vrfy-enabled", SP_FS_WARNING, "disable_vrfy_command",
		       "VRFY tells anyone which addresses exist, for spam lists",
		       "set disable_vrfy_command = yes", "the VRFY command is enabled");
	if (!sp_yes(s, "smtpd_helo_required"))
		sp_add(f, s, "helo-not-required", SP_FS_INFO, "smtpd_helo_required",
		       "clients may skip HELO/EHLO, which spam software does and mail servers "
		       "never do", "set smtpd_helo_required = yes", "HELO/EHLO is not required");
	if (strcasecmp(bn, "no") == 0)
		sp_add(f, s, "bare-newline-accepted", SP_FS_WARNING, "smtpd_forbid_bare_newline",
		       "lines that end in a bare LF are accepted, which lets an attacker smuggle a "
		       "second message through a server that ends DATA differently (SMTP "
		       "smuggling, CVE-2023-51764)", "set smtpd_forbid_bare_newline = reject",
		       "bare newlines are accepted in commands and message content");
}

/* smtpd_forbid_bare_newline_exclusions covering much: smuggling for all. */
static void sp_rule_bare_exclusions(const struct sp_check_svc *s, struct sp_findings *f)
{
	const struct sp_param *p = sp_p(s, "smtpd_forbid_bare_newline_exclusions");
	struct sp_diags d = {0};
	struct sp_netlist *nl;
	struct sp_netlist_coverage c;
	char err[64];

	if (p == NULL || p->value == NULL || p->value[0] == 0 ||
	    strcasecmp(sp_v(s, "smtpd_forbid_bare_newline"), "no") == 0)
		return;
	nl = sp_netlist_compile(p->value, p->name, p->file, p->line, &d);
	sp_diags_free(&d);
	if (nl == NULL)
		return;
	sp_netlist_coverage(nl, &c);
	if (sp_netlist_match(nl, "127.0.0.1", NULL, err, sizeof(err)) == 1 && c.v4 >= 16777216.0)
		c.v4 -= 16777216.0;   /* loopback is the host itself */
	sp_netlist_free(&nl);
	if (c.v4 > 16777216.0 || (c.some & (SP_NETBLOCK_CGNAT | SP_NETBLOCK_DOCKER)))
		sp_add(f, s, "bare-newline-exempt-wide", SP_FS_WARNING,
		       "smtpd_forbid_bare_newline_exclusions",
		       "its default is $mynetworks, and mynetworks is wide (or NAT space): the "
		       "bare-newline defence against SMTP smuggling is off for all those clients",
		       "narrow mynetworks, or set smtpd_forbid_bare_newline_exclusions = (empty)",
		       "clients exempt from the bare-newline check include a large or shared "
		       "address space");
}

/* The submission port must require TLS. */
static void sp_rule_submission(const struct sp_check_svc *s, struct sp_findings *f)
{
	const char *name = s->ms ? s->ms->name : "";
	const char *port = strrchr(name, ':') ? strrchr(name, ':') + 1 : name;

	if (strcmp(port, "submission") != 0 && strcmp(port, "587") != 0)
		return;
	if (strcmp(sp_v(s, "smtpd_tls_security_level"), "encrypt") != 0 &&
	    !sp_yes(s, "smtpd_tls_wrappermode"))
		sp_add(f, s, "submission-without-tls", SP_FS_WARNING, "smtpd_tls_security_level",
		       "mail programs send passwords and mail here; without TLS required, a "
		       "downgrade (stripping STARTTLS) exposes both",
		       "add -o smtpd_tls_security_level=encrypt to the submission service",
		       "the submission service does not require TLS");
}

/* -o NAME=VALUE on an smtpd service where smtpd never reads NAME. */
static void sp_rule_overrides(const struct sp_check_svc *s, struct sp_findings *f)
{
	if (s->ms == NULL)
		return;
	for (size_t i = 0; i < s->ms->overrides.n; i++) {
		const struct sp_assign *a = &s->ms->overrides.v[i];
		const struct sp_param_def *def = sp_registry_find(a->name);
		char what[600], fix[600];
		if (def == NULL || def->owner == SP_O_SMTPD || def->owner == SP_O_GLOBAL ||
		    def->owner == SP_O_MAPS || def->owner == SP_O_AUTH)
			continue;
		snprintf(what, sizeof(what), "-o %s=%s: smtpd never reads %s (only the %s "
			 "component does)", a->name, a->value, a->name, sp_owner_name(def->owner));
		snprintf(fix, sizeof(fix), "smtpd_%s", a->name + 5);
		if (strncmp(a->name, "smtp_", 5) == 0 && sp_registry_find(fix))
			snprintf(fix, sizeof(fix), "write -o smtpd_%s=%s", a->name + 5, a->value);
		else
			snprintf(fix, sizeof(fix), "remove it, or set the smtpd parameter meant");
		sp_finding_add(f, "override-not-read", SP_FS_WARNING, a->file, a->line, a->name,
			       s->ms->name, "the setting has no effect on this service, whatever "
			       "it was meant to change", fix, "%s", what);
	}
}

/* ---- client certificates ---- */

/* The restriction list (or class) of s that names restriction, or NULL. */
static const struct sp_param *sp_uses(const struct sp_check_svc *s, const char *restriction)
{
	size_t want = strlen(restriction);

	for (size_t k = 0; k < s->view->n; k++) {
		const struct sp_param *p = &s->view->v[k];
		const char *v = p->value;
		if (v == NULL || (p->def && p->def->type != SP_T_RESTRICT))
			continue;
		while (*(v += strspn(v, ", \t\r\n"))) {
			size_t n = strcspn(v, ", \t\r\n");
			if (n == want && strncasecmp(v, restriction, n) == 0)
				return p;
			v += n;
		}
	}
	return NULL;
}

/* A CA file or directory that holds the public CAs (the system's store,
 * or a copy of Mozilla's bundle). */
static int sp_public_cas(const char *path)
{
	static const char *const marks[] = {"/etc/ssl/certs", "ca-certificates", "ca-bundle",
					    "cacert.pem", "/etc/pki/tls/certs", "/etc/ssl/cert.pem"};

	for (size_t i = 0; path[0] && i < sizeof(marks) / sizeof(marks[0]); i++)
		if (strstr(path, marks[i]))
			return 1;
	return 0;
}

static void sp_rule_ccerts(const struct sp_check_svc *s, struct sp_findings *f)
{
	static const char *const names[] = {"permit_tls_clientcerts", "permit_tls_all_clientcerts",
					    "check_ccert_access"};
	const struct sp_param *all = sp_uses(s, names[1]);
	/* smtpd_tls_req_ccert asks too, where TLS is mandatory */
	int asked = sp_yes(s, "smtpd_tls_ask_ccert") ||
		    (sp_yes(s, "smtpd_tls_req_ccert") &&
		     (strcasecmp(sp_v(s, "smtpd_tls_security_level"), "encrypt") == 0 ||
		      sp_yes(s, "smtpd_tls_wrappermode")));
	const char *ca = sp_public_cas(sp_v(s, "smtpd_tls_CAfile")) ? "smtpd_tls_CAfile"
			 : sp_public_cas(sp_v(s, "smtpd_tls_CApath")) ? "smtpd_tls_CApath" : NULL;
	char what[300];

	for (size_t i = 0; i < 3 && !asked; i++) {
		const struct sp_param *p = sp_uses(s, names[i]);
		if (p == NULL)
			continue;
		snprintf(what, sizeof(what), "%s never matches: clients are not asked for a "
			 "certificate", names[i]);
		sp_finding_add(f, "ccert-not-asked", SP_FS_WARNING, p->file, p->line, p->name,
			       p->src == SP_SRC_SERVICE ? sp_svc_name(s) : NULL,
			       "the clients it is meant for are treated as any other client",
			       "set smtpd_tls_ask_ccert = yes", "%s", what);
	}
	if (all && ca && asked)
		sp_add(f, s, "public-ca-clientcerts", SP_FS_ERROR, ca,
		       "permit_tls_all_clientcerts permits every client whose certificate one of "
		       "these CAs signed: anyone can get one from a public CA, free, and relay "
		       "through this server",
		       "point smtpd_tls_CAfile at your own CA only, or list your clients' "
		       "fingerprints in relay_clientcerts and use permit_tls_clientcerts",
		       "permit_tls_all_clientcerts trusts the public CAs");
}

void sp_check_rules(const struct sp_check_input *in, struct sp_findings *f)
{
	for (size_t i = 0; i < in->nsvc; i++) {
		const struct sp_check_svc *s = &in->svc[i];
		sp_rule_overrides(s, f);
		sp_rule_submission(s, f);
		sp_rule_mynetworks(s, f);
		sp_rule_mynetworks_style(s, f);
		sp_rule_sasl(s, f);
		sp_rule_lax(s, f);
		sp_rule_bare_exclusions(s, f);
		sp_rule_ccerts(s, f);
		for (size_t k = 0; k < s->view->n; k++) {   /* every table a parameter names */
			const struct sp_param *p = &s->view->v[k];
			/* user-defined ones too: restriction classes name tables */
			if (p->src != SP_SRC_DEFAULT && (p->def == NULL ||
			    p->def->type == SP_T_MAPS || p->def->type == SP_T_RESTRICT))
				sp_rule_stale_maps(s, p->name, f);
		}
		sp_rule_secret(s, "smtpd_tls_key_file", sp_view_get(s->view, "smtpd_tls_key_file"), f);
		if (sp_yes(s, "smtpd_sasl_auth_enable") &&
		    strcasecmp(sp_v(s, "smtpd_sasl_type"), "sallyport") == 0)
			sp_rule_secret(s, "auth_passwd_file", sp_view_get(s->view, "auth_passwd_file"),
				       f);
	}
}
