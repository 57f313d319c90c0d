/*
 * fuzz/policy_eval.c - libFuzzer target for the policy engine
 * (src/policy/policy_*.c): the input, up to its first NUL byte, is split at
 * newlines into the client address, client name, HELO name, sender,
 * recipient and a flags line (characters: p pipelining, t TLS, l logged
 * in, d smtpd_delay_reject = no policy, u SMTPUTF8); these hostile strings
 * go through every stage of one fixed configuration that turns most
 * restrictions on. Its pattern tables hand parts of the input back as
 * access table results ($1), so results are fuzzed too: actions, codes,
 * restriction lists, class names, recursion. Besides memory errors it
 * checks what the engine promises: a REJECT reply starts with its 4xx/5xx
 * code and an enhanced code of the same class, fits in 510 bytes and is
 * printable (ASCII, or valid UTF-8); PENDING names a lookup; evaluation is pure (a second run
 * gives the same answer).
 */
#include "config/config.h"
#include "policy/policy.h"
#include "util/utf8.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fz_main_cf[] =
	"mydestination = example.com, localhost\n"
	"inet_interfaces = 127.0.0.1\n"
	"allow_percent_hack = yes\n"
	"swap_bangpath = yes\n"
	"recipient_delimiter = +\n"
	"mynetworks = 127.0.0.0/8 [::1]/128 !192.0.2.1 192.0.2.0/24\n"
	"virtual_alias_domains = alias.example\n"
	"virtual_alias_maps = inline:{ info@alias.example=bob@example.com }\n"
	"virtual_mailbox_domains = mbox.example\n"
	"virtual_mailbox_maps = inline:{ carol@mbox.example=x }\n"
	"local_recipient_maps = inline:{ alice=x, bob=x }\n"
	"relay_domains = relay.example\n"
	"smtpd_sasl_auth_enable = yes\n"
	"smtpd_sender_login_maps = inline:{ alice@example.com=alice, @mbox.example={carol, dave} }\n"
	"smtpd_restriction_classes = cls, deep\n"
	"cls = reject_non_fqdn_sender, deep, permit\n"
	"deep = warn_if_reject, reject_unauth_destination, defer_if_reject, defer_if_permit\n"
	"smtpd_client_restrictions = check_client_access pcre:$config_directory/client.pcre, "
	"reject_unknown_reverse_client_hostname\n"
	"smtpd_helo_restrictions = reject_invalid_helo_hostname, reject_non_fqdn_helo_hostname, "
	"check_helo_access regexp:$config_directory/helo.regexp, reject_unknown_helo_hostname\n"
	"smtpd_sender_restrictions = reject_sender_login_mismatch, reject_non_fqdn_sender, "
	"check_sender_access pcre:$config_directory/sender.pcre, reject_unlisted_sender, "
	"reject_unknown_sender_domain\n"
	"smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, "
	"reject_unauth_destination\n"
	"smtpd_recipient_restrictions = reject_unauth_pipelining, reject_non_fqdn_recipient, "
	"check_recipient_access regexp:$config_directory/rcpt.regexp, cls, reject_unlisted_recipient, "
	"reject_unknown_recipient_domain\n"
	"smtpd_data_restrictions = reject_multi_recipient_bounce, reject_plaintext_session\n"
	"smtpd_end_of_data_restrictions = check_sender_access inline:{ x@example.com=HOLD }\n";

/* Pattern tables that hand a part of the input back as the result. */
static const char *const fz_tables[][2] = {
	{"client.pcre", "/^(.*)\\[x/ $1\n"},
	{"helo.regexp", "/^act=(.*)/ $1\n"},
	{"sender.pcre", "/^(.*)=x@/ $1\n"},
	{"rcpt.regexp", "/^(.*)=y@/ $1\n"},
};

static void fz_write(const char *dir, const char *name, const char *text, const char *extra)
{
	char path[128];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fp = fopen(path, "w")) == NULL || fputs(text, fp) < 0 || fputs(extra, fp) < 0 ||
	    fclose(fp) != 0)
		abort();
}

static void fz_unlink(const char *dir, const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
}

static struct sp_policy *fz_compile(const char *extra)
{
	static const struct sp_config_opts opts = {.hostname = "mail.example.com"};
	char dir[] = "/tmp/sallyport-fuzz-policy-XXXXXX";
	struct sp_diags d = {0};
	struct sp_config *c;
	struct sp_policy *p;
	size_t nt = sizeof(fz_tables) / sizeof(fz_tables[0]);

	if (mkdtemp(dir) == NULL)
		abort();
	fz_write(dir, "main.cf", fz_main_cf, extra);
	for (size_t i = 0; i < nt; i++)
		fz_write(dir, fz_tables[i][0], fz_tables[i][1], "");
	if ((c = sp_config_load(dir, &opts, &d)) == NULL || d.errors) {
		sp_diags_print(&d, stderr);
		abort();
	}
	if ((p = sp_policy_compile(&c->global, &d)) == NULL) {
		sp_diags_print(&d, stderr);
		abort();
	}
	fz_unlink(dir, "main.cf");
	for (size_t i = 0; i < nt; i++)
		fz_unlink(dir, fz_tables[i][0]);
	rmdir(dir);
	sp_diags_free(&d);
	sp_config_free(c);   /* the policy keeps nothing of the view */
	return p;
}

static void fz_fail(const struct sp_presult *r, const char *why)
{
	fprintf(stderr, "policy_eval: %s: verdict %d code %d reply \"%s\"\n", why, r->verdict,
		r->code, r->reply);
	abort();
}

static void fz_check(const struct sp_presult *r)
{
	size_t n = strlen(r->reply);

	if (r->verdict == SP_POLICY_REJECT) {
		if (n < 10 || n > 510 || (r->reply[0] != '4' && r->reply[0] != '5') ||
		    r->reply[4] != r->reply[0] || r->code / 100 != r->reply[0] - '0')
			fz_fail(r, "malformed reply");
		int utf8 = sp_utf8_valid(r->reply, n);   /* SMTPUTF8 text is kept as it is */
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)r->reply[i] < 0x20 || (unsigned char)r->reply[i] == 0x7f ||
			    ((unsigned char)r->reply[i] >= 0x80 && !utf8))
				fz_fail(r, "unprintable reply");
	}
	if (r->verdict == SP_POLICY_PENDING && r->pending_name[0] == 0)
		fz_fail(r, "pending without a name");
}

static void fz_stage(const struct sp_policy *p, enum sp_pstage st, struct sp_txn *t)
{
	static struct sp_tentry tv[64];
	struct sp_ptrace tr = {tv, 0, 64, 0};
	static struct sp_presult r1, r2;
	unsigned flags = t->defer_flags;

	sp_policy_eval(p, st, t, &r1, &tr);
	fz_check(&r1);
	t->defer_flags = flags;
	sp_policy_eval(p, st, t, &r2, NULL);
	if (r1.verdict != r2.verdict || strcmp(r1.reply, r2.reply) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sp_policy *delayed, *immediate;
	char buf[2048], *f[6] = {"", "", "", "", "", ""};
	size_t n = strnlen((const char *)data, size < sizeof(buf) - 1 ? size : sizeof(buf) - 1);
	struct sp_pdns_cache dns = {0};
	struct sp_txn t = {0};
	const struct sp_policy *p;

	if (delayed == NULL) {
		delayed = fz_compile("");
		immediate = fz_compile("smtpd_delay_reject = no\n");
	}
	memcpy(buf, data, n);
	buf[n] = 0;
	f[0] = buf;
	for (int i = 1; i < 6; i++) {
		char *nl = strchr(f[i - 1], '\n');
		if (nl == NULL)
			break;
		*nl = 0;
		f[i] = nl + 1;
	}
	p = strchr(f[5], 'd') ? immediate : delayed;
	sp_pdns_put(&dns, SP_PDNS_MAILHOST, "example.net", SP_PDNS_OK);
	sp_pdns_put(&dns, SP_PDNS_HOST, "mail.example.net", SP_PDNS_RETRY);
	t.client_addr = f[0];
	t.client_name = *f[1] ? f[1] : "unknown";
	t.reverse_name = t.client_name;
	t.name_status = *f[1] ? SP_PEER_OK : SP_PEER_PERM;
	t.reverse_status = t.name_status;
	t.ill_pipelining = strchr(f[5], 'p') != NULL;
	t.tls = strchr(f[5], 't') != NULL;
	t.sasl_user = strchr(f[5], 'l') ? "alice" : NULL;
	t.smtputf8 = strchr(f[5], 'u') != NULL;
	t.dns = &dns;
	fz_stage(p, SP_STAGE_CLIENT, &t);
	t.helo = f[2];
	fz_stage(p, SP_STAGE_HELO, &t);
	t.sender = f[3];
	fz_stage(p, SP_STAGE_MAIL, &t);
	t.recipient = f[4];
	fz_stage(p, SP_STAGE_RCPT, &t);
	t.rcpt_count = 2;
	fz_stage(p, SP_STAGE_DATA, &t);
	fz_stage(p, SP_STAGE_EOD, &t);
	return 0;
}
