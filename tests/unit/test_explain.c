/*
 * test_explain.c - the reject log line explain replays
 * (sp_explain_parse_log): Postfix's format parsed back into a transaction,
 * and malformed lines refused with a reason.
 */
#include "unit.h"
#include "check/explain.h"

struct row {
	const char *label, *line;
	int ok;
	const char *client, *name, *from, *to, *helo, *reply;
};

static const struct row rows[] = {
	{"relay denied",
	 "Nov 26 10:00:00 mx postfix/smtpd[12]: NOQUEUE: reject: RCPT from unknown[203.0.113.7]: "
	 "554 5.7.1 <v@e.example>: Relay access denied; from=<s@x.example> to=<v@e.example> "
	 "proto=ESMTP helo=<h.example>",
	 1, "203.0.113.7", "unknown", "s@x.example", "v@e.example", "h.example",
	 "554 5.7.1 <v@e.example>: Relay access denied"},
	{"null sender, IPv6, a name",
	 "x: NOQUEUE: reject: RCPT from mail.example[2001:db8::1]: 550 5.1.1 <u@d>: User unknown; "
	 "from=<> to=<u@d> proto=SMTP helo=<mail.example>",
	 1, "2001:db8::1", "mail.example", "", "u@d", "mail.example", "550 5.1.1 <u@d>: User unknown"},
	{"no helo", "reject: RCPT from a[192.0.2.1]: 450 4.1.2 x; from=<a@b> to=<c@d> proto=ESMTP",
	 1, "192.0.2.1", "a", "a@b", "c@d", "", "450 4.1.2 x"},
	{"not a reject line", "NOQUEUE: client=unknown[192.0.2.1]", 0},
	{"no client", "reject: RCPT: 554 x; from=<a@b> to=<c@d>", 0},
	{"no to", "reject: RCPT from a[192.0.2.1]: 554 x; from=<a@b>", 0},
	{"unterminated address", "reject: RCPT from a[192.0.2.1]: 554 x; from=<a@b> to=<c@d", 0},
	{"unterminated client", "reject: RCPT from a[192.0.2.1: 554 x; to=<c@d>", 0},
	{"client too long", "reject: RCPT from a[1111111111111111111111111111111111111111111111111"
	 "11111111111111111111111]: 5 x; to=<c@d>", 0},
	{"empty", "", 0},
	{"empty recipient", "reject: RCPT from a[192.0.2.1]: 554 x; from=<a@b> to=<>", 0},
	{"client no address", "reject: RCPT from a[2g]: 554 x; from=<a@b> to=<c@d>", 0},
};

static void t_rows(void **state)
{
	int fails = 0;

	(void)state;
	for (size_t i = 0; i < NROWS(rows); i++) {
		const struct row *r = &rows[i];
		struct sp_explain_txn t;
		char err[200] = "";
		int rc = sp_explain_parse_log(r->line, &t, err, sizeof(err));
		ROW_CHECK(&fails, "log", i, r->label, (rc == 0) == r->ok, "rc %d (%s)", rc, err);
		if (rc != 0) {
			ROW_CHECK(&fails, "log", i, r->label, err[0] != 0, "no reason given");
			continue;
		}
		ROW_CHECK(&fails, "log", i, r->label, strcmp(t.client, r->client) == 0, "client %s",
			  t.client);
		ROW_CHECK(&fails, "log", i, r->label, strcmp(t.client_name, r->name) == 0, "name %s",
			  t.client_name);
		ROW_CHECK(&fails, "log", i, r->label, strcmp(t.from, r->from) == 0, "from %s", t.from);
		ROW_CHECK(&fails, "log", i, r->label, strcmp(t.to, r->to) == 0, "to %s", t.to);
		ROW_CHECK(&fails, "log", i, r->label, strcmp(t.helo, r->helo) == 0, "helo %s", t.helo);
		ROW_CHECK(&fails, "log", i, r->label, strcmp(t.logged_reply, r->reply) == 0,
			  "reply %s", t.logged_reply);
	}
	sp_rows_done(fails, "log", NROWS(rows));
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(t_rows)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
