/*
 * test_policy.c - the policy engine's API (src/policy/policy.h) where the
 * transaction tables (tests/policy/table/, run through policy_run) cannot
 * look: start-up errors of sp_policy_compile (each with parameter and fix),
 * the PENDING/answer/re-evaluate protocol for DNS, the effects (HOLD,
 * DISCARD, PREPEND), log events and Postfix's log line, the trace, and
 * DEFER_IF_PERMIT carried from one stage to the next with
 * smtpd_delay_reject = no.
 */
#include "unit.h"

#include "config/config.h"
#include "policy/policy.h"
#include "tmpconf.h"

static const struct sp_config_opts opts = {.hostname = "mail.example.com"};

static const char base_cf[] = "mydestination = example.com, $myhostname, localhost\n"
			      "inet_interfaces = 127.0.0.1\n"
			      "compatibility_level = 3.7\n"
			      "local_recipient_maps = inline:{alice=x}\n";

struct loaded {
	struct tmpconf t;
	struct sp_config *c;
	struct sp_policy *p;
	struct sp_diags d;
};

static void load(struct loaded *l, const char *extra, const char *file, const char *text)
{
	char buf[8192], path[700];

	memset(l, 0, sizeof(*l));
	snprintf(buf, sizeof(buf), "%s%s", base_cf, extra);
	tmpconf_make(&l->t, buf, NULL);
	if (file) {
		snprintf(path, sizeof(path), "%s/%s", l->t.dir, file);
		tmpconf_write(path, text);
	}
	l->c = sp_config_load(l->t.dir, &opts, &l->d);
	assert_non_null(l->c);
	l->p = sp_policy_compile(&l->c->global, &l->d);
	if (file) {
		snprintf(path, sizeof(path), "%s/%s", l->t.dir, file);
		unlink(path);
	}
	tmpconf_remove(&l->t);
}

static void unload(struct loaded *l)
{
	sp_policy_free(&l->p);
	sp_config_free(l->c);
	sp_diags_free(&l->d);
}

/* ---- start-up errors ---- */

static const struct {
	const char *main_cf;
	const char *file, *file_text;   /* written as $config_directory/file */
	const char *param;              /* the parameter the error names */
	const char *what, *fix;         /* substrings of the message and the fix */
} compile_rows[] = {
	{"smtpd_recipient_restrictions = reject_unauth_destinaton\n", NULL, NULL,
	 "smtpd_recipient_restrictions", "unknown restriction \"reject_unauth_destinaton\"",
	 "did you mean \"reject_unauth_destination\""},
	{"smtpd_recipient_restrictions = check_relay_domains\n", NULL, NULL,
	 "smtpd_recipient_restrictions", "\"check_relay_domains\" is not accepted",
	 "reject_unauth_destination"},
	{"smtpd_client_restrictions = check_policy_service inet:127.0.0.1:9998\n", NULL, NULL,
	 "smtpd_client_restrictions", "not supported by sallyport", "docs/policy.md"},
	{"smtpd_sender_restrictions = check_sender_access hash:/nonexistent/senders\n", NULL, NULL,
	 "smtpd_sender_restrictions", "/nonexistent/senders", "sallyport map"},
	{"smtpd_sender_restrictions = check_sender_access\n", NULL, NULL,
	 "smtpd_sender_restrictions", "needs a table", "hash:/etc/postfix/access"},
	{"smtpd_sender_restrictions = texthash:$config_directory/t\n", "t", "a OK\n",
	 "smtpd_sender_restrictions", "is not a restriction", "check_client_access"},
	{"smtpd_relay_restrictions = permit_mynetworks\nsmtpd_recipient_restrictions = permit\n",
	 NULL, NULL, "smtpd_relay_restrictions", "open relay", "reject_unauth_destination"},
	{"smtpd_restriction_classes = a, b\na = b\nb = a, reject\n", NULL, NULL, "a",
	 "refers to itself", "must not name itself"},
	{"smtpd_restriction_classes = lonely\n", NULL, NULL, "smtpd_restriction_classes",
	 "\"lonely\" has no definition", "define it in main.cf"},
	{"smtpd_delay_reject = no\nsmtpd_client_restrictions = reject_unauth_destination\n", NULL,
	 NULL, "smtpd_client_restrictions", "\"reject_unauth_destination\" can never match here",
	 "smtpd_delay_reject = yes"},
	{"smtpd_delay_reject = no\nsmtpd_restriction_classes = c\nc = check_sender_access "
	 "inline:{a@b=OK}\nsmtpd_helo_restrictions = c\n", NULL, NULL, "smtpd_helo_restrictions",
	 "\"check_sender_access\" can never match here", "move it"},
	{"smtpd_recipient_restrictions = check_recipient_access texthash:$config_directory/r, "
	 "reject_unauth_destination\n", "r", "a@example.com FILTER smtp:[127.0.0.1]:10025\n",
	 "smtpd_recipient_restrictions", "is not supported", "FILTER, REDIRECT and BCC"},
	{"mynetworks = 0.0.0.0/33\n", NULL, NULL, "mynetworks", "0.0.0.0/33", NULL},
	{"smtpd_sender_login_maps = lmdb:/nonexistent/logins\n", NULL, NULL,
	 "smtpd_sender_login_maps", "/nonexistent/logins", NULL},
};

static void test_compile_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(compile_rows) / sizeof(compile_rows[0]); i++) {
		struct loaded l;
		int seen = 0;
		load(&l, compile_rows[i].main_cf, compile_rows[i].file, compile_rows[i].file_text);
		if (l.p != NULL)
			fail_msg("row %zu: compiled, expected an error", i);
		for (size_t k = 0; k < l.d.n; k++) {
			const struct sp_diag *g = &l.d.v[k];
			if (g->sev == SP_ERROR && g->param && strcmp(g->param, compile_rows[i].param) == 0 &&
			    strstr(g->what, compile_rows[i].what) &&
			    (compile_rows[i].fix == NULL || (g->fix && strstr(g->fix, compile_rows[i].fix))))
				seen = 1;
		}
		if (!seen) {
			sp_diags_print(&l.d, stderr);
			fail_msg("row %zu: no error naming %s with \"%s\"", i, compile_rows[i].param,
				 compile_rows[i].what);
		}
		unload(&l);
	}
}

static void test_compile_ok(void **state)
{
	struct loaded l;

	(void)state;
	load(&l, "smtpd_restriction_classes = ours\nours = reject_unauth_destination\n"
		 "smtpd_relay_restrictions = permit_mynetworks, ours\n"
		 "smtpd_recipient_restrictions = check_recipient_access "
		 "texthash:$config_directory/r\n", "r", "a@example.com OK\n");
	if (l.p == NULL) {
		sp_diags_print(&l.d, stderr);
		fail_msg("a class holding reject_unauth_destination protects the relay");
	}
	unload(&l);
}

/* ---- evaluation ---- */

static struct sp_txn txn(const char *addr, const char *sender, const char *rcpt)
{
	struct sp_txn t = {0};

	t.client_addr = addr;
	t.client_name = "mail.example.net";
	t.reverse_name = "mail.example.net";
	t.helo = "mail.example.net";
	t.esmtp = 1;
	t.sender = sender;
	t.recipient = rcpt;
	return t;
}

static void test_dns_pending(void **state)
{
	struct loaded l;
	struct sp_pdns_cache dns = {0};
	struct sp_txn t = txn("192.0.2.10", "x@Unknown.example", "alice@example.com");
	struct sp_presult r;

	(void)state;
	load(&l, "smtpd_sender_restrictions = reject_unknown_sender_domain\n", NULL, NULL);
	assert_non_null(l.p);
	t.dns = &dns;
	sp_policy_eval(l.p, SP_STAGE_RCPT, &t, &r, NULL);
	assert_int_equal(r.verdict, SP_POLICY_PENDING);
	assert_int_equal(r.pending_kind, SP_PDNS_MAILHOST);
	assert_string_equal(r.pending_name, "unknown.example");
	sp_pdns_put(&dns, r.pending_kind, r.pending_name, SP_PDNS_NOTFOUND);
	sp_policy_eval(l.p, SP_STAGE_RCPT, &t, &r, NULL);
	assert_int_equal(r.verdict, SP_POLICY_REJECT);
	assert_string_equal(r.reply, "450 4.1.8 <x@Unknown.example>: Sender address rejected: "
				     "Domain not found");
	assert_string_equal(r.deciding, "reject_unknown_sender_domain");
	/* A temporary failure defers only what would otherwise be accepted. */
	dns.n = 0;
	sp_pdns_put(&dns, SP_PDNS_MAILHOST, "unknown.example", SP_PDNS_RETRY);
	sp_policy_eval(l.p, SP_STAGE_RCPT, &t, &r, NULL);
	assert_int_equal(r.verdict, SP_POLICY_REJECT);
	assert_string_equal(r.reply, "450 4.1.8 <x@Unknown.example>: Sender address rejected: "
				     "Domain not found");
	t.recipient = "victim@example.org";
	sp_policy_eval(l.p, SP_STAGE_RCPT, &t, &r, NULL);
	/* The default smtpd_relay_restrictions end in defer_unauth_destination. */
	assert_string_equal(r.reply, "454 4.7.1 <victim@example.org>: Relay access denied");
	unload(&l);
}

static void test_effects_and_events(void **state)
{
	struct loaded l;
	struct sp_txn t = txn("192.0.2.10", "held@example.net", "alice@example.com");
	struct sp_presult r;
	char line[1024];

	(void)state;
	load(&l, "smtpd_sender_restrictions = check_sender_access texthash:$config_directory/s\n"
		 "smtpd_recipient_restrictions = warn_if_reject, reject_non_fqdn_recipient\n",
		 "s", "held@example.net HOLD quarantined\n"
		      "tagged@example.net PREPEND X-Tag: yes\n"
		      "gone@example.net DISCARD\n");
	assert_non_null(l.p);
	sp_policy_eval(l.p, SP_STAGE_RCPT, &t, &r, NULL);
	assert_int_equal(r.verdict, SP_POLICY_ACCEPT);
	assert_true(r.effects & SP_PEFF_HOLD);
	assert_string_equal(r.hold_reason, "<held@example.net>: Sender address quarantined");
	assert_int_equal(r.nevents, 1);
	assert_string_equal(r.events[0].what, "hold");
	sp_policy_log_line(&t, SP_STAGE_RCPT, NULL, &r.events[0], line, sizeof(line));
	assert_string_equal(line, "NOQUEUE: hold: RCPT from mail.example.net[192.0.2.10]: "
				  "<held@example.net>: Sender address quarantined; "
				  "from=<held@example.net> to=<alice@example.com> proto=ESMTP "
				  "helo=<mail.example.net>");
	t.sender = "tagged@example.net";
	sp_policy_eval(l.p, SP_STAGE_RCPT, &t, &r, NULL);
	assert_int_equal(r.nprepend, 1);
	assert_string_equal(r.prepend[0], "X-Tag: yes");
	t.sender = "gone@example.net";
	t.recipient = "alice";   /* not fully qualified: discarded before anyone looks */
	sp_policy_eval(l.p, SP_STAGE_RCPT, &t, &r, NULL);
	assert_int_equal(r.verdict, SP_POLICY_ACCEPT);
	assert_true(r.effects & SP_PEFF_DISCARD);
	assert_int_equal(t.discarded, 1);   /* for the rest of the transaction */
	t.discarded = 0;                    /* a new MAIL FROM */
	t.sender = "other@example.net";
	sp_policy_eval(l.p, SP_STAGE_RCPT, &t, &r, NULL);
	assert_int_equal(r.verdict, SP_POLICY_ACCEPT);   /* warn_if_reject: only logged */
	assert_int_equal(r.nevents, 1);
	assert_string_equal(r.events[0].what, "reject_warning");
	assert_string_equal(r.events[0].text, "504 5.5.2 <alice>: Recipient address rejected: "
					      "need fully-qualified address");
	unload(&l);
}

static void test_trace(void **state)
{
	struct loaded l;
	struct sp_txn t = txn("192.0.2.10", "x@example.net", "victim@example.org");
	struct sp_presult r;
	struct sp_tentry tv[64];
	struct sp_ptrace tr = {tv, 0, 64, 0};
	int saw_list = 0, saw_lookup = 0, saw_step = 0;

	(void)state;
	load(&l, "smtpd_relay_restrictions = permit_mynetworks, check_client_access "
		 "inline:{192.0.2=DUNNO}, reject_unauth_destination\n", NULL, NULL);
	assert_non_null(l.p);
	sp_policy_eval(l.p, SP_STAGE_RCPT, &t, &r, &tr);
	assert_string_equal(r.reply, "554 5.7.1 <victim@example.org>: Relay access denied");
	assert_string_equal(r.deciding, "reject_unauth_destination");
	for (size_t i = 0; i < tr.n; i++) {
		if (tv[i].kind == SP_TR_LIST && strcmp(tv[i].name, "smtpd_relay_restrictions") == 0)
			saw_list = 1;
		if (tv[i].kind == SP_TR_LOOKUP && strcmp(tv[i].key, "192.0.2") == 0 && tv[i].found)
			saw_lookup = 1;
		if (tv[i].kind == SP_TR_STEP && strcmp(tv[i].name, "reject_unauth_destination") == 0 &&
		    strcmp(tv[i].result, "REJECT") == 0)
			saw_step = 1;
	}
	assert_true(saw_list && saw_lookup && saw_step);
	/* A trace too small for the evaluation counts what it lost. */
	tr.cap = 2;
	sp_policy_eval(l.p, SP_STAGE_RCPT, &t, &r, &tr);
	assert_int_equal(tr.n, 2);
	assert_true(tr.lost > 0);
	unload(&l);
}

static void test_defer_if_permit_carried(void **state)
{
	struct loaded l;
	struct sp_txn t = txn("192.0.2.10", "x@example.net", "alice@example.com");
	struct sp_presult r;

	(void)state;
	load(&l, "smtpd_delay_reject = no\n"
		 "smtpd_client_restrictions = check_client_access inline:{ {192.0.2.10=DEFER_IF_PERMIT "
		 "4.7.1 Try later} }\n", NULL, NULL);
	assert_non_null(l.p);
	sp_policy_eval(l.p, SP_STAGE_CLIENT, &t, &r, NULL);
	assert_int_equal(r.verdict, SP_POLICY_ACCEPT);
	assert_int_not_equal(t.defer_flags, 0);
	sp_policy_eval(l.p, SP_STAGE_HELO, &t, &r, NULL);
	sp_policy_eval(l.p, SP_STAGE_MAIL, &t, &r, NULL);
	assert_int_equal(r.verdict, SP_POLICY_ACCEPT);
	sp_policy_eval(l.p, SP_STAGE_RCPT, &t, &r, NULL);
	assert_int_equal(r.verdict, SP_POLICY_REJECT);
	assert_string_equal(r.reply, "450 4.7.1 <mail.example.net[192.0.2.10]>: Client host "
				     "rejected: Try later");
	assert_string_equal(r.deciding, "defer_if_permit");
	/* A new session starts clean. */
	t.defer_flags = 0;
	t.client_addr = "192.0.2.11";
	sp_policy_eval(l.p, SP_STAGE_CLIENT, &t, &r, NULL);
	sp_policy_eval(l.p, SP_STAGE_HELO, &t, &r, NULL);
	sp_policy_eval(l.p, SP_STAGE_MAIL, &t, &r, NULL);
	sp_policy_eval(l.p, SP_STAGE_RCPT, &t, &r, NULL);
	assert_int_equal(r.verdict, SP_POLICY_ACCEPT);
	unload(&l);
}

/* mynetworks_style computes mynetworks from the interfaces when only it
 * is set: loopback is 127.0.0.1/8 on every machine this runs on. */
static void test_mynetworks_style(void **state)
{
	static const struct {
		const char *style, *client;
		int relays;
	} rows[] = {
		{"host", "127.0.0.1", 1},   {"host", "127.9.9.9", 0},   {"host", "203.0.113.250", 0},
		{"subnet", "127.9.9.9", 1}, {"subnet", "203.0.113.250", 0}, {"class", "127.9.9.9", 1},
		{NULL, "127.9.9.9", 1},     {NULL, "203.0.113.250", 0}, /* sallyport's default */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char cf[256];
		struct loaded l;
		struct sp_txn t = txn(rows[i].client, "x@example.net", "victim@example.org");
		struct sp_presult r;
		snprintf(cf, sizeof(cf), "%s%s%s", rows[i].style ? "mynetworks_style = " : "",
			 rows[i].style ? rows[i].style : "", rows[i].style ? "\n" : "");
		load(&l, cf, NULL, NULL);
		assert_non_null(l.p);
		sp_policy_eval(l.p, SP_STAGE_RCPT, &t, &r, NULL);
		if ((r.verdict == SP_POLICY_ACCEPT) != rows[i].relays)
			fail_msg("row %zu: %s %s: %s", i, rows[i].style ? rows[i].style : "(default)",
				 rows[i].client, r.reply);
		unload(&l);
	}
}

static void test_hangup(void **state)
{
	struct loaded l;
	struct sp_txn t = txn("192.0.2.66", "x@example.net", "alice@example.com");
	struct sp_presult r;

	(void)state;
	load(&l, "smtpd_client_restrictions = check_client_access inline:{192.0.2.66=HANGUP}\n",
	     NULL, NULL);
	assert_non_null(l.p);
	sp_policy_eval(l.p, SP_STAGE_RCPT, &t, &r, NULL);
	assert_int_equal(r.verdict, SP_POLICY_HANGUP);
	unload(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compile_errors),
		cmocka_unit_test(test_compile_ok),
		cmocka_unit_test(test_dns_pending),
		cmocka_unit_test(test_effects_and_events),
		cmocka_unit_test(test_trace),
		cmocka_unit_test(test_defer_if_permit_carried),
		cmocka_unit_test(test_hangup),
		cmocka_unit_test(test_mynetworks_style),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
