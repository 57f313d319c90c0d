/*
 * test_config.c - loading a configuration directory (config/config.h):
 * name classification (ours, Postfix-only, cosmetic, user-defined, unknown
 * with "did you mean"), last-assignment-wins, type errors with file and
 * line, undefined references and loops, the computed myhostname/mydomain
 * defaults, and service views with -o overrides.
 *
 * Each row writes main.cf (and master.cf) into a fresh mkdtemp directory
 * and loads it with hostname "host.example.com" unless the row says
 * otherwise. Oracle: postconf 3.7.11 (`postconf -c DIR -n`, `-x NAME`);
 * its answers are quoted in the rows.
 */
#include "unit.h"
#include "tmpconf.h"

#include "config/config.h"

struct want_diag {
	enum sp_sev sev;
	const char *param;   /* the diagnostic's param (exact) */
	int line;            /* its line (0: any) */
	int in_master;       /* its file is master.cf (else main.cf) */
	const char *what;    /* substring of what */
	const char *fix;     /* substring of fix (NULL: not checked) */
};

struct want_value {
	const char *name, *value;
};

struct cfg_row {
	const char *label;
	const char *main_cf;
	const char *master_cf;   /* NULL: no master.cf */
	const char *hostname;    /* NULL: host.example.com */
	size_t errors, warnings; /* exact totals */
	struct want_diag diags[3];
	struct want_value values[4];
};

/* Finds a diagnostic matching w; returns it or NULL. */
static const struct sp_diag *find_diag(const struct sp_diags *d, const struct want_diag *w,
				       const struct tmpconf *t)
{
	const char *file = w->in_master ? t->master_path : t->main_path;

	for (size_t i = 0; i < d->n; i++) {
		const struct sp_diag *g = &d->v[i];
		if (g->sev != w->sev || !sp_streq(g->param, w->param) || !sp_streq(g->file, file))
			continue;
		if (w->line && g->line != w->line)
			continue;
		if (!sp_has(g->what, w->what))
			continue;
		if (w->fix && !sp_has(g->fix, w->fix))
			continue;
		return g;
	}
	return NULL;
}

/* Diagnostics of severity sev about param at line. */
static size_t count_param(const struct sp_diags *d, enum sp_sev sev, const char *param, int line)
{
	size_t n = 0;

	for (size_t i = 0; i < d->n; i++)
		n += d->v[i].sev == sev && sp_streq(d->v[i].param, param) && d->v[i].line == line;
	return n;
}

static void dump(const struct sp_diags *d)
{
	for (size_t i = 0; i < d->n; i++)
		fprintf(stderr, "    [%s] %s:%d %s: %s; %s\n", d->v[i].sev == SP_ERROR ? "E" : "W",
			d->v[i].file ? d->v[i].file : "-", d->v[i].line,
			d->v[i].param ? d->v[i].param : "-", d->v[i].what,
			d->v[i].fix ? d->v[i].fix : "-");
}

static int cfg_run(const char *table, size_t i, const struct cfg_row *r)
{
	struct tmpconf t;
	struct sp_config_opts opts = {.hostname = r->hostname ? r->hostname : "host.example.com"};
	struct sp_diags d = {0};
	struct sp_config *c;
	size_t warnings;
	int fails = 0;

	tmpconf_make(&t, r->main_cf, r->master_cf);
	c = sp_config_load(t.dir, &opts, &d);
	ROW_CHECK(&fails, table, i, r->label, c != NULL, "load returned NULL");
	if (c == NULL)
		goto out;
	warnings = d.n - d.errors;
	ROW_CHECK(&fails, table, i, r->label, d.errors == r->errors && warnings == r->warnings,
		  "%zu errors and %zu warnings, want %zu and %zu", d.errors, warnings, r->errors,
		  r->warnings);
	for (size_t k = 0; k < 3 && r->diags[k].what; k++) {
		const struct want_diag *w = &r->diags[k];
		ROW_CHECK(&fails, table, i, r->label, find_diag(&d, w, &t) != NULL,
			  "no %s for %s at %s line %d with \"%s\" (fix \"%s\")",
			  w->sev == SP_ERROR ? "error" : "warning", sp_shows(w->param),
			  w->in_master ? "master.cf" : "main.cf", w->line, w->what,
			  w->fix ? w->fix : "");
	}
	for (size_t k = 0; k < 4 && r->values[k].name; k++) {
		const char *got = sp_view_get(&c->global, r->values[k].name);
		ROW_CHECK(&fails, table, i, r->label, sp_streq(got, r->values[k].value),
			  "%s = \"%s\", want \"%s\"", r->values[k].name, sp_shows(got),
			  sp_shows(r->values[k].value));
	}
	if (fails)
		dump(&d);
	sp_config_free(c);
out:
	sp_diags_free(&d);
	tmpconf_remove(&t);
	return fails;
}

#define MAIN 0
#define MASTER 1

/* Configurations that load cleanly (warnings allowed, no errors). */
static const struct cfg_row cfg_ok[] = {
	{"empty main.cf", "", NULL, NULL, 0, 0, {{0}},
	 {{"myhostname", "host.example.com"}, {"mydomain", "example.com"},
	  {"myorigin", "host.example.com"}}},
	{"only comments and blank lines", "# nothing\n\n   # here\n", NULL, NULL, 0, 0, {{0}},
	 {{"mydomain", "example.com"}}},
	{"mydomain from myhostname (postconf: example.com)", "myhostname = mail.example.com\n", NULL,
	 NULL, 0, 0, {{0}}, {{"mydomain", "example.com"}, {"myhostname", "mail.example.com"}}},
	/* The brief expected localdomain here (older Postfix's "a name with one
	 * dot is a domain"); Postfix 3.7.11's mail_params.c and postconf both
	 * take what follows the first dot. */
	{"one-dot myhostname (postconf: example)", "myhostname = x.example\n", NULL, NULL, 0, 0,
	 {{0}}, {{"mydomain", "example"}}},
	{"many dots (postconf: b.c.example.org)", "myhostname = a.b.c.example.org\n", NULL, NULL,
	 0, 0, {{0}}, {{"mydomain", "b.c.example.org"}}},
	{"no dot (postconf: localdomain)", "myhostname = nodot\n", NULL, NULL, 0, 0, {{0}},
	 {{"mydomain", "localdomain"}}},
	{"leading dot (postconf: example.com)", "myhostname = .example.com\n", NULL, NULL, 0, 0,
	 {{0}}, {{"mydomain", "example.com"}}},
	/* postconf prints an empty mydomain here; sallyport falls back to
	 * localdomain (view.c: dot[1] must be non-empty). */
	{"trailing dot (postconf: empty)", "myhostname = x.\n", NULL, NULL, 0, 0, {{0}},
	 {{"mydomain", "localdomain"}}},
	{"explicit mydomain wins", "myhostname = mail.example.com\nmydomain = other.org\n", NULL,
	 NULL, 0, 0, {{0}}, {{"mydomain", "other.org"}}},
	{"myhostname from mydomain (postconf: example.org)",
	 "mydomain = example.org\nmyhostname = mx.$mydomain\n", NULL, NULL, 0, 0, {{0}},
	 {{"myhostname", "mx.example.org"}, {"mydomain", "example.org"}}},
	{"machine name without a dot", "", NULL, "host", 0, 0, {{0}},
	 {{"myhostname", "host.localdomain"}, {"mydomain", "localdomain"}}},
	{"machine name without a dot, mydomain set", "mydomain = example.net\n", NULL, "host", 0, 0,
	 {{0}}, {{"myhostname", "host.example.net"}, {"mydomain", "example.net"}}},
	{"last assignment wins, with a warning (postconf: b, \"overriding earlier entry\")",
	 "smtpd_banner = a\nsmtpd_banner = b\n", NULL, NULL, 0, 1,
	 {{SP_WARNING, "smtpd_banner", 2, MAIN, "overrides the value set at line 1", NULL}},
	 {{"smtpd_banner", "b"}}},
	{"three assignments: two warnings, the last wins",
	 "smtpd_banner = a\nsmtpd_banner = b\n\nsmtpd_banner = c\n", NULL, NULL, 0, 2,
	 {{SP_WARNING, "smtpd_banner", 2, MAIN, "overrides", NULL},
	  {SP_WARNING, "smtpd_banner", 4, MAIN, "overrides", NULL}},
	 {{"smtpd_banner", "c"}}},
	{"same value twice: no warning", "smtpd_banner = a\nsmtpd_banner = a\n", NULL, NULL, 0, 0,
	 {{0}}, {{"smtpd_banner", "a"}}},
	{"user-defined parameter referenced from master.cf -o",
	 "mua_client_restrictions = permit_sasl_authenticated, reject\n",
	 "submission inet n - n - - smtpd\n"
	 "  -o smtpd_client_restrictions=$mua_client_restrictions\n",
	 NULL, 0, 0, {{0}}, {{"mua_client_restrictions", "permit_sasl_authenticated, reject"}}},
	{"user-defined parameter referenced from main.cf",
	 "site_rules = permit_mynetworks, reject\nsmtpd_client_restrictions = $site_rules\n", NULL,
	 NULL, 0, 0, {{0}}, {{"smtpd_client_restrictions", "permit_mynetworks, reject"}}},
	{"user-defined parameter referenced only in a ${x?..} test",
	 "use_x = yes\nsmtpd_banner = ${use_x?{x}:{y}}\n", NULL, NULL, 0, 0, {{0}},
	 {{"smtpd_banner", "x"}}},
	{"user-defined parameter referenced only in an untaken branch",
	 "other_banner = hi\nsmtpd_banner = ${mail_name?{x}:{$other_banner}}\n", NULL, NULL, 0, 0,
	 {{0}}, {{"smtpd_banner", "x"}}},
	{"far-away unknown name: unused parameter (postconf: unused parameter)",
	 "zzqx_frobnicate = 1\n", NULL, NULL, 0, 1,
	 {{SP_WARNING, "zzqx_frobnicate", 1, MAIN, "unused parameter", NULL}}, {{0}}},
	{"cosmetic Postfix-only name: warning", "readme_directory = /usr/share/doc/postfix\n", NULL,
	 NULL, 0, 1, {{SP_WARNING, "readme_directory", 1, MAIN, "not implemented", NULL}}, {{0}}},
	{"undefined reference: warning, expands to nothing (postconf: undefined parameter)",
	 "smtpd_banner = $myhostname $nosuch_thing\n", NULL, NULL, 0, 1,
	 {{SP_WARNING, "smtpd_banner", 1, MAIN, "$nosuch_thing", NULL}},
	 {{"smtpd_banner", "host.example.com "}}},
	{"CRLF main.cf", "myhostname = mail.example.com\r\nsmtpd_banner = hi there\r\n", NULL, NULL,
	 0, 0, {{0}}, {{"myhostname", "mail.example.com"}, {"smtpd_banner", "hi there"}}},
	{"compatibility_level 0 changes an expression default (postconf: yes)",
	 "compatibility_level = 0\n", NULL, NULL, 0, 0, {{0}}, {{"append_dot_mydomain", "yes"}}},
	{"default compatibility level 3.7 (postconf at 3.7: no)", "", NULL, NULL, 0, 0, {{0}},
	 {{"append_dot_mydomain", "no"}}},
	{"good master.cf", "",
	 "smtp inet n - y - - smtpd\nsubmission inet n - y - - smtpd\n"
	 "  -o smtpd_tls_security_level=encrypt\n  -o smtpd_sasl_auth_enable=yes\n",
	 NULL, 0, 0, {{0}}, {{0}}},
	{"client SASL twin while client SASL is on: no hint",
	 "smtp_sasl_auth_enable = yes\nsmtp_sasl_password_maps = hash:/etc/sallyport/sasl\n",
	 NULL, NULL, 0, 0, {{0}}, {{"smtp_sasl_auth_enable", "yes"}}},
};

/* Configurations with errors. */
static const struct cfg_row cfg_bad[] = {
	{"smtp_recipient_restrictions: exactly one error, fix names smtpd_ (postconf: unused parameter)",
	 "smtp_recipient_restrictions = permit_mynetworks\n", NULL, NULL, 1, 0,
	 {{SP_ERROR, "smtp_recipient_restrictions", 1, MAIN, "unknown parameter",
	   "smtpd_recipient_restrictions"}}, {{0}}},
	{"close unknown name: did you mean", "mynetwork = 10.0.0.0/8\n", NULL, NULL, 1, 0,
	 {{SP_ERROR, "mynetwork", 1, MAIN, "unknown parameter", "\"mynetworks\""}}, {{0}}},
	{"Postfix-only name that matters: error (postconf accepts it)",
	 "mailbox_command = /usr/bin/procmail\n", NULL, NULL, 1, 0,
	 {{SP_ERROR, "mailbox_command", 1, MAIN, "not supported", NULL}}, {{0}}},
	{"client SASL path set for the server: hint to smtpd_sasl_path",
	 "smtp_sasl_path = private/auth\n", NULL, NULL, 1, 0,
	 {{SP_ERROR, "smtp_sasl_path", 1, MAIN, "outbound SMTP client", "smtpd_sasl_path"}}, {{0}}},
	{"type error: not a boolean", "smtpd_helo_required = maybe\n", NULL, NULL, 1, 0,
	 {{SP_ERROR, "smtpd_helo_required", 1, MAIN, "not a boolean", "yes or no"}}, {{0}}},
	{"type error after expansion, reported where it is set",
	 "helo_flag = maybe\n\nsmtpd_helo_required = $helo_flag\n", NULL, NULL, 1, 0,
	 {{SP_ERROR, "smtpd_helo_required", 3, MAIN, "\"maybe\" is not a boolean", NULL}}, {{0}}},
	{"type error: time", "smtpd_timeout = 10x\n", NULL, NULL, 1, 0,
	 {{SP_ERROR, "smtpd_timeout", 1, MAIN, "not a time", NULL}}, {{0}}},
	{"type error in the last of two assignments only",
	 "smtpd_helo_required = yes\nsmtpd_helo_required = perhaps\n", NULL, NULL, 1, 1,
	 {{SP_ERROR, "smtpd_helo_required", 2, MAIN, "not a boolean", NULL},
	  {SP_WARNING, "smtpd_helo_required", 2, MAIN, "overrides", NULL}}, {{0}}},
	{"self-reference (tests/postconf/errors/02)",
	 "myhostname = self.example.com\nsmtpd_banner = $smtpd_banner (extra text)\n", NULL, NULL,
	 1, 0, {{SP_ERROR, "smtpd_banner", 2, MAIN, "nesting", NULL}}, {{0}}},
	{"syntax error in a value", "smtpd_banner = ${myhostname ESMTP\n", NULL, NULL, 1, 0,
	 {{SP_ERROR, "smtpd_banner", 1, MAIN, "truncated", NULL}}, {{0}}},
	{"missing '=' in main.cf", "myhostname = mail.example.com\nrelayhost\n", NULL, NULL, 1, 0,
	 {{SP_ERROR, NULL, 2, MAIN, "missing '='", NULL}}, {{"myhostname", "mail.example.com"}}},
	{"type error in a master.cf -o override: master.cf's file and line", "",
	 "smtp inet n - y - - smtpd\n# c\nsubmission inet n - y - - smtpd\n"
	 "  -o smtpd_helo_required=maybe\n",
	 NULL, 1, 0,
	 {{SP_ERROR, "smtpd_helo_required", 3, MASTER, "not a boolean", NULL}}, {{0}}},
	{"Postfix-only name in a -o override", "",
	 "submission inet n - y - - smtpd -o mailbox_command=/bin/x\n", NULL, 1, 0,
	 {{SP_ERROR, "mailbox_command", 1, MASTER, "not supported", NULL}}, {{0}}},
	{"unknown close name in a -o override", "",
	 "submission inet n - y - - smtpd -o smtp_recipient_restrictions=permit\n", NULL, 1, 0,
	 {{SP_ERROR, "smtp_recipient_restrictions", 1, MASTER, "unknown parameter",
	   "smtpd_recipient_restrictions"}}, {{0}}},
	{"Postfix per-transport parameter of a master.cf delivery service",
	 "relay_destination_concurrency_limit = 5\n", "relay unix - - n - - smtp\n", NULL, 1, 0,
	 {{SP_ERROR, "relay_destination_concurrency_limit", 1, MAIN, "per-transport", NULL}},
	 {{0}}},
	{"integer below its minimum", "line_length_limit = 100\n", NULL, NULL, 1, 0,
	 {{SP_ERROR, "line_length_limit", 1, MAIN, "out of range", "from 512 to"}}, {{0}}},
	{"integer outside its range", "smtpd_forbid_bare_newline_reject_code = 450\n", NULL, NULL,
	 1, 0, {{SP_ERROR, "smtpd_forbid_bare_newline_reject_code", 1, MAIN, "out of range",
		 "from 500 to 599"}}, {{0}}},
	{"time below its minimum", "queue_run_delay = 0\n", NULL, NULL, 1, 0,
	 {{SP_ERROR, "queue_run_delay", 1, MAIN, "out of range", NULL}}, {{0}}},
	{"time above its maximum (100d)", "maximal_queue_lifetime = 101d\n", NULL, NULL, 1, 0,
	 {{SP_ERROR, "maximal_queue_lifetime", 1, MAIN, "out of range", "8640000"}}, {{0}}},
	{"size with a unit", "message_size_limit = 10m\n", NULL, NULL, 1, 0,
	 {{SP_ERROR, "message_size_limit", 1, MAIN, "not a whole number", NULL}}, {{0}}},
	{"enum value sallyport lacks", "mynetworks_style = classless\n", NULL, NULL, 1, 0,
	 {{SP_ERROR, "mynetworks_style", 1, MAIN, "not one of", "host|subnet|class"}}, {{0}}},
	{"TLS level sallyport lacks", "smtp_tls_security_level = dane\n", NULL, NULL, 1, 0,
	 {{SP_ERROR, "smtp_tls_security_level", 1, MAIN, "not one of", NULL}}, {{0}}},
	{"a path where tables are expected", "alias_maps = /etc/aliases\n", NULL, NULL, 1, 0,
	 {{SP_ERROR, "alias_maps", 1, MAIN, "not a table reference", "type:name"}}, {{0}}},
	{"lone $ at the end (tests/postconf/errors/18)", "smtpd_banner = costs 5$\n", NULL, NULL,
	 1, 0, {{SP_ERROR, "smtpd_banner", 1, MAIN, "empty macro name", NULL}}, {{0}}},
	{"bad relational operator (tests/postconf/errors/05)", "smtpd_banner = ${{a} ~ {b}}\n",
	 NULL, NULL, 1, 0, {{SP_ERROR, "smtpd_banner", 1, MAIN, "expected", NULL}}, {{0}}},
	{"misspelled known name", "smtpd_recipent_restrictions = reject\n", NULL, NULL, 1, 0,
	 {{SP_ERROR, "smtpd_recipent_restrictions", 1, MAIN, "unknown parameter",
	   "smtpd_recipient_restrictions"}}, {{0}}},
	{"one cosmetic and one unsupported Postfix name",
	 "html_directory = /usr/share/doc/postfix/html\nmailbox_command = /usr/bin/procmail\n",
	 NULL, NULL, 1, 1,
	 {{SP_WARNING, "html_directory", 1, MAIN, "not implemented", NULL},
	  {SP_ERROR, "mailbox_command", 2, MAIN, "not supported", NULL}}, {{0}}},
	{"bad character in a main.cf name", "myhostname = a.example\nrelay-host = x\n", NULL, NULL,
	 1, 0, {{SP_ERROR, NULL, 2, MAIN, "letters, digits and '_'", NULL}},
	 {{"myhostname", "a.example"}}},
	{"leading whitespace on the first line", "  myhostname = a.example\n", NULL, NULL, 1, 0,
	 {{SP_ERROR, NULL, 1, MAIN, "continues nothing", NULL}}, {{"myhostname", "host.example.com"}}},
	{"-o without '=' in master.cf", "", "submission inet n - y - - smtpd -o smtpd_helo_required\n",
	 NULL, 1, 0, {{SP_ERROR, "-o", 1, MASTER, "bad override", NULL}}, {{0}}},
	{"self-referencing -o override", "",
	 "\nsubmission inet n - y - - smtpd -o smtpd_banner=$smtpd_banner+\n", NULL, 1, 0,
	 {{SP_ERROR, "smtpd_banner", 2, MASTER, "nesting", NULL}}, {{0}}},
	{"master.cf syntax error", "", "smtp inet n - y - - smtpd\nbroken line\n", NULL, 1, 0,
	 {{SP_ERROR, NULL, 2, MASTER, "field(s) in", NULL}}, {{0}}},
};

static void test_config_ok_table(void **state)
{
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < NROWS(cfg_ok); i++)
		fails += cfg_run("cfg_ok", i, &cfg_ok[i]);
	sp_rows_done(fails, "cfg_ok", NROWS(cfg_ok));
}

static void test_config_bad_table(void **state)
{
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < NROWS(cfg_bad); i++)
		fails += cfg_run("cfg_bad", i, &cfg_bad[i]);
	sp_rows_done(fails, "cfg_bad", NROWS(cfg_bad));
}

/* The "smtp_recipient_restrictions" case in full: exactly one diagnostic
 * in all, an error, whose fix mentions smtpd_recipient_restrictions first. */
static void test_config_smtp_recipient_typo_exact(void **state)
{
	struct tmpconf t;
	struct sp_config_opts opts = {.hostname = "host.example.com"};
	struct sp_diags d = {0};
	struct sp_config *c;

	(void)state;
	tmpconf_make(&t, "smtp_recipient_restrictions = permit_mynetworks\n", NULL);
	c = sp_config_load(t.dir, &opts, &d);
	assert_non_null(c);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.errors, 1);
	assert_int_equal(d.v[0].sev, SP_ERROR);
	assert_string_equal(d.v[0].file, t.main_path);
	assert_int_equal(d.v[0].line, 1);
	assert_string_equal(d.v[0].param, "smtp_recipient_restrictions");
	assert_non_null(d.v[0].fix);
	assert_true(strncmp(d.v[0].fix, "did you mean \"smtpd_recipient_restrictions\"", 43) == 0);
	assert_int_equal(sp_diags_count(&d, SP_ERROR, "smtpd_recipient_restrictions"), 1);
	/* The misspelled name is still in the view (as a user-defined name) and
	 * smtpd_recipient_restrictions keeps its default. */
	assert_string_equal(sp_view_get(&c->global, "smtp_recipient_restrictions"), "permit_mynetworks");
	assert_string_not_equal(sp_view_get(&c->global, "smtpd_recipient_restrictions"),
				"permit_mynetworks");
	sp_config_free(c);
	sp_diags_free(&d);
	tmpconf_remove(&t);
}

/* A two-parameter loop (tests/postconf/errors/01): each parameter in the
 * cycle and the one that refers to it is an error that mentions nesting. */
static void test_config_loop_pair(void **state)
{
	struct tmpconf t;
	struct sp_config_opts opts = {.hostname = "host.example.com"};
	struct sp_diags d = {0};
	struct sp_config *c;

	(void)state;
	tmpconf_make(&t, "myhostname = loop.example.com\nbanner_a = $banner_b\n"
			 "banner_b = $banner_a\nsmtpd_banner = $myhostname $banner_a\n", NULL);
	c = sp_config_load(t.dir, &opts, &d);
	assert_non_null(c);
	if (d.errors != 3)
		dump(&d);
	assert_int_equal(d.errors, 3);
	assert_int_equal(sp_diags_count(&d, SP_ERROR, "nesting"), 3);
	assert_int_equal(count_param(&d, SP_ERROR, "smtpd_banner", 4), 1);
	assert_int_equal(count_param(&d, SP_ERROR, "banner_a", 2), 1);
	assert_int_equal(count_param(&d, SP_ERROR, "banner_b", 3), 1);
	assert_string_equal(sp_view_get(&c->global, "smtpd_banner"), "");
	sp_config_free(c);
	sp_diags_free(&d);
	tmpconf_remove(&t);
}

/* Service views: -o overrides win over main.cf, expand against main.cf,
 * carry master.cf's file and line, and main.cf values that refer to an
 * overridden parameter see the override (as a Postfix daemon would). */
static void test_config_service_view(void **state)
{
	struct tmpconf t;
	struct sp_config_opts opts = {.hostname = "host.example.com"};
	struct sp_diags d = {0};
	struct sp_config *c;
	const struct sp_service *sub, *smtp;
	struct sp_view v;
	const struct sp_param *p;

	(void)state;
	tmpconf_make(&t,
		     "mua_client_restrictions = permit_sasl_authenticated, reject\n"
		     "smtpd_client_restrictions = permit_mynetworks\n"
		     "smtpd_banner = $myhostname ESMTP\n",
		     "smtp inet n - y - - smtpd\n"
		     "# the submission port\n"
		     "submission inet n - y - - smtpd\n"
		     "  -o smtpd_client_restrictions=$mua_client_restrictions\n"
		     "  -o myhostname=mx.example.net\n");
	c = sp_config_load(t.dir, &opts, &d);
	assert_non_null(c);
	if (d.n)
		dump(&d);
	assert_int_equal(d.n, 0);
	assert_string_equal(c->master_path, t.master_path);
	assert_int_equal(c->master.n, 2);
	sub = sp_services_find(&c->master, "submission");
	smtp = sp_services_find(&c->master, "smtp/inet");
	assert_non_null(sub);
	assert_non_null(smtp);

	assert_int_equal(sp_config_service_view(c, sub, &v, &d), 0);
	assert_ptr_equal(v.service, sub);
	p = sp_view_find(&v, "smtpd_client_restrictions");
	assert_non_null(p);
	assert_string_equal(p->value, "permit_sasl_authenticated, reject");
	assert_string_equal(p->raw, "$mua_client_restrictions");
	assert_int_equal(p->src, SP_SRC_SERVICE);
	assert_string_equal(p->file, t.master_path);
	assert_int_equal(p->line, 3);
	assert_ptr_equal(p->def, sp_registry_find("smtpd_client_restrictions"));
	/* main.cf's smtpd_banner sees the service's myhostname; mydomain's
	 * default follows the overridden myhostname. */
	assert_string_equal(sp_view_get(&v, "myhostname"), "mx.example.net");
	assert_string_equal(sp_view_get(&v, "smtpd_banner"), "mx.example.net ESMTP");
	assert_string_equal(sp_view_get(&v, "mydomain"), "example.net");
	p = sp_view_find(&v, "smtpd_banner");
	assert_int_equal(p->src, SP_SRC_MAIN);
	assert_int_equal(p->line, 3);
	sp_view_free(&v);

	/* The main.cf view is unchanged. */
	assert_string_equal(sp_view_get(&c->global, "smtpd_client_restrictions"), "permit_mynetworks");
	assert_string_equal(sp_view_get(&c->global, "smtpd_banner"), "host.example.com ESMTP");
	assert_string_equal(sp_view_get(&c->global, "mydomain"), "example.com");
	assert_null(c->global.service);

	/* A service without overrides sees main.cf. */
	assert_int_equal(sp_config_service_view(c, smtp, &v, &d), 0);
	assert_string_equal(sp_view_get(&v, "smtpd_client_restrictions"), "permit_mynetworks");
	sp_view_free(&v);
	assert_int_equal(d.n, 0);
	sp_config_free(c);
	sp_diags_free(&d);
	tmpconf_remove(&t);
}

/* A type error in an override: sp_config_service_view returns -1 and
 * reports it with master.cf's file and the service's line, and only the
 * override (not main.cf's own values) is reported. */
static void test_config_service_view_type_error(void **state)
{
	struct tmpconf t;
	struct sp_config_opts opts = {.hostname = "host.example.com"};
	struct sp_diags d = {0}, d2 = {0};
	struct sp_config *c;
	struct sp_view v;

	(void)state;
	tmpconf_make(&t, "smtpd_helo_required = bogus\n",
		     "# first line\n\nsubmission inet n - y - - smtpd\n"
		     "  -o smtpd_timeout=10x\n  -o smtpd_helo_required=yes\n");
	c = sp_config_load(t.dir, &opts, &d);
	assert_non_null(c);
	/* Loading reports main.cf's error once and the override's error. */
	if (d.errors != 2)
		dump(&d);
	assert_int_equal(d.errors, 2);
	assert_int_equal(sp_diags_count(&d, SP_ERROR, "smtpd_helo_required"), 1);
	assert_int_equal(sp_diags_count(&d, SP_ERROR, "smtpd_timeout"), 1);

	assert_int_equal(sp_config_service_view(c, &c->master.v[0], &v, &d2), -1);
	assert_int_equal(d2.n, 1);
	assert_int_equal(d2.v[0].sev, SP_ERROR);
	assert_string_equal(d2.v[0].file, t.master_path);
	assert_int_equal(d2.v[0].line, 3);
	assert_string_equal(d2.v[0].param, "smtpd_timeout");
	assert_true(sp_has(d2.v[0].what, "not a time"));
	/* The override fixed smtpd_helo_required for this service. */
	assert_string_equal(sp_view_get(&v, "smtpd_helo_required"), "yes");
	sp_view_free(&v);
	sp_config_free(c);
	sp_diags_free(&d);
	sp_diags_free(&d2);
	tmpconf_remove(&t);
}

/* Regression: a -o override of a parameter that a main.cf value refers to
 * can make that main.cf value invalid in the service. With main.cf
 *     helo_flag = yes
 *     smtpd_helo_required = $helo_flag
 * and master.cf "submission ... smtpd -o helo_flag=maybe", the submission
 * service's smtpd_helo_required is "maybe": the load and the service view
 * must both report it (a Postfix daemon would stop with "bad boolean
 * configuration"). */
static void test_config_service_view_checks_derived_values(void **state)
{
	struct tmpconf t;
	struct sp_config_opts opts = {.hostname = "host.example.com"};
	struct sp_diags d = {0}, d2 = {0};
	struct sp_config *c;
	struct sp_view v;
	size_t load_errors, view_errors;
	int rc;

	(void)state;
	tmpconf_make(&t, "helo_flag = yes\nsmtpd_helo_required = $helo_flag\n",
		     "submission inet n - y - - smtpd\n  -o helo_flag=maybe\n");
	c = sp_config_load(t.dir, &opts, &d);
	assert_non_null(c);
	rc = sp_config_service_view(c, &c->master.v[0], &v, &d2);
	assert_string_equal(sp_view_get(&v, "smtpd_helo_required"), "maybe");
	assert_string_equal(sp_view_get(&c->global, "smtpd_helo_required"), "yes");
	load_errors = d.errors;
	view_errors = count_param(&d2, SP_ERROR, "smtpd_helo_required", 2) +
		      count_param(&d2, SP_ERROR, "smtpd_helo_required", 1);
	/* Free first: the failure below must not leak (ASan runs). */
	sp_view_free(&v);
	sp_config_free(c);
	sp_diags_free(&d);
	sp_diags_free(&d2);
	tmpconf_remove(&t);
	if (load_errors == 0 || rc == 0 || view_errors != 1)
		fail_msg("service submission has smtpd_helo_required = \"maybe\" but load reported "
			 "%zu errors, the service view returned %d with %zu errors about it",
			 load_errors, rc, view_errors);
}

/* The same -o twice in one service: the last wins, with a warning at
 * master.cf's line. */
static void test_config_service_override_twice(void **state)
{
	struct tmpconf t;
	struct sp_config_opts opts = {.hostname = "host.example.com"};
	struct sp_diags d = {0};
	struct sp_config *c;
	struct sp_view v;

	(void)state;
	tmpconf_make(&t, "", "\nsubmission inet n - y - - smtpd\n  -o smtpd_banner=first\n"
			     "  -o smtpd_banner=second\n");
	c = sp_config_load(t.dir, &opts, &d);
	assert_non_null(c);
	assert_int_equal(d.errors, 0);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.v[0].sev, SP_WARNING);
	assert_string_equal(d.v[0].file, t.master_path);
	assert_int_equal(d.v[0].line, 2);
	assert_string_equal(d.v[0].param, "smtpd_banner");
	assert_true(sp_has(d.v[0].what, "overrides"));
	assert_int_equal(sp_config_service_view(c, &c->master.v[0], &v, &d), 0);
	assert_string_equal(sp_view_get(&v, "smtpd_banner"), "second");
	sp_view_free(&v);
	sp_config_free(c);
	sp_diags_free(&d);
	tmpconf_remove(&t);
}

static void test_config_defaults_view(void **state)
{
	struct tmpconf t;
	struct sp_config_opts opts = {.hostname = "host.example.com"};
	struct sp_diags d = {0};
	struct sp_config *c;
	struct sp_view v;
	size_t nreg;

	(void)state;
	(void)sp_registry(&nreg);
	tmpconf_make(&t, "smtpd_banner = custom\nsite_x = 1\nsmtpd_client_restrictions = $site_x\n"
			 "myhostname = mail.example.org\n", NULL);
	c = sp_config_load(t.dir, &opts, &d);
	assert_non_null(c);
	sp_config_defaults_view(c, &v);
	assert_int_equal(v.n, nreg);                 /* ours only: no user-defined names */
	assert_null(sp_view_find(&v, "site_x"));
	/* postconf -d smtpd_banner: $myhostname ESMTP $mail_name; sallyport's
	 * mail_name is "sallyport" (SP_F_DIFFERS), myhostname the machine's. */
	assert_string_equal(sp_view_get(&v, "smtpd_banner"), "host.example.com ESMTP sallyport");
	assert_string_equal(sp_view_get(&v, "myhostname"), "host.example.com");
	assert_string_equal(sp_view_get(&v, "mydomain"), "example.com");
	assert_int_equal(sp_view_find(&v, "smtpd_banner")->src, SP_SRC_DEFAULT);
	sp_view_free(&v);
	/* The loaded view has the user's values. */
	assert_string_equal(sp_view_get(&c->global, "smtpd_banner"), "custom");
	assert_string_equal(sp_view_get(&c->global, "mydomain"), "example.org");
	assert_string_equal(sp_view_get(&c->global, "site_x"), "1");
	assert_null(sp_view_find(&c->global, "site_x")->def);
	assert_int_equal(sp_view_find(&c->global, "site_x")->src, SP_SRC_MAIN);
	sp_config_free(c);
	sp_diags_free(&d);
	tmpconf_remove(&t);
}

static void test_config_view_sorted_and_lookups(void **state)
{
	struct tmpconf t;
	struct sp_config_opts opts = {.hostname = "host.example.com"};
	struct sp_diags d = {0};
	struct sp_config *c;
	const struct sp_param_def *def;

	(void)state;
	tmpconf_make(&t, "aaa_user = 1\nzzz_user = $aaa_user\n", NULL);
	c = sp_config_load(t.dir, &opts, &d);
	assert_non_null(c);
	for (size_t i = 1; i < c->global.n; i++)
		if (strcmp(c->global.v[i - 1].name, c->global.v[i].name) >= 0)
			fail_msg("view not sorted: %s before %s", c->global.v[i - 1].name,
				 c->global.v[i].name);
	assert_null(sp_view_find(&c->global, "no_such_name"));
	assert_null(sp_view_get(&c->global, "no_such_name"));
	assert_string_equal(sp_view_get(&c->global, "zzz_user"), "1");
	def = sp_registry_find("myhostname");
	assert_string_equal(sp_config_default(c, def, 1), "host.example.com");
	def = sp_registry_find("config_directory");
	assert_string_equal(sp_config_default(c, def, 1), t.dir);
	assert_string_equal(sp_view_get(&c->global, "config_directory"), t.dir);
	def = sp_registry_find("smtpd_banner");
	assert_string_equal(sp_config_default(c, def, 1), "$myhostname ESMTP $mail_name");
	assert_string_equal(c->dir, t.dir);
	assert_string_equal(c->main_path, t.main_path);
	assert_null(c->master_path);                  /* no master.cf */
	assert_int_equal(c->master.n, 0);
	/* aaa_user is referenced, zzz_user is not: one "unused" warning. */
	assert_int_equal(d.errors, 0);
	assert_int_equal(sp_diags_count(&d, SP_WARNING, "unused parameter"), 1);
	assert_int_equal(sp_diags_count(&d, SP_WARNING, "zzz_user"), 1);
	sp_config_free(c);
	sp_diags_free(&d);
	tmpconf_remove(&t);
}

static void test_config_missing_main_cf(void **state)
{
	struct tmpconf t;
	struct sp_diags d = {0};
	struct sp_config_opts opts = {.hostname = "host.example.com"};

	(void)state;
	tmpconf_make(&t, NULL, "smtp inet n - y - - smtpd\n");
	assert_null(sp_config_load(t.dir, &opts, &d));
	assert_int_equal(d.errors, 1);
	assert_string_equal(d.v[0].file, t.main_path);
	assert_true(sp_has(d.v[0].what, "cannot read"));
	sp_diags_free(&d);
	tmpconf_remove(&t);
	/* A directory that does not exist. */
	assert_null(sp_config_load("/nonexistent/sallyport-unit", &opts, &d));
	assert_int_equal(d.errors, 1);
	sp_diags_free(&d);
	sp_config_free(NULL);                        /* harmless */
}

/* Without opts (or without opts->hostname) the machine's name is used; the
 * result must still be a usable myhostname. */
static void test_config_gethostname_default(void **state)
{
	struct tmpconf t;
	struct sp_diags d = {0};
	struct sp_config *c;
	const char *h;

	(void)state;
	tmpconf_make(&t, "", NULL);
	c = sp_config_load(t.dir, NULL, &d);
	assert_non_null(c);
	h = sp_view_get(&c->global, "myhostname");
	assert_non_null(h);
	assert_non_null(strchr(h, '.'));
	assert_true(strlen(h) > 1);
	sp_config_free(c);
	sp_diags_free(&d);
	tmpconf_remove(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_ok_table),
		cmocka_unit_test(test_config_bad_table),
		cmocka_unit_test(test_config_smtp_recipient_typo_exact),
		cmocka_unit_test(test_config_loop_pair),
		cmocka_unit_test(test_config_service_view),
		cmocka_unit_test(test_config_service_view_type_error),
		cmocka_unit_test(test_config_service_override_twice),
		cmocka_unit_test(test_config_service_view_checks_derived_values),
		cmocka_unit_test(test_config_defaults_view),
		cmocka_unit_test(test_config_view_sorted_and_lookups),
		cmocka_unit_test(test_config_missing_main_cf),
		cmocka_unit_test(test_config_gethostname_default),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
