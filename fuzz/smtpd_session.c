/*
 * fuzz/smtpd_session.c - libFuzzer target for the SMTP session state
 * machine (src/smtpd/session*.c) with the real policy engine and queue
 * writer: the input's first byte chooses how the rest is cut into packets
 * (as a network delivers it), the rest is what a hostile client sends.
 * Queue commits run inline and succeed or fail (ENOSPC) by the first
 * byte; DNS questions are answered "temporary failure". Besides memory
 * errors it checks what the session promises: every reply line is three
 * digits, a space or hyphen, text, CRLF, with no other CR or LF; after
 * SP_WANT_CLOSE no more input is taken.
 */
#include "config/config.h"
#include "policy/policy.h"
#include "queue/qfile.h"
#include "smtpd/session.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fz_main_cf[] =
	"myhostname = mx.example.com\n"
	"mydestination = example.com, localhost\n"
	"inet_interfaces = 127.0.0.1\n"
	"local_recipient_maps = inline:{ alice=x, bob=x }\n"
	"mynetworks = 192.0.2.0/24\n"
	"message_size_limit = 20000\n"
	"header_size_limit = 200\n"
	"smtpd_recipient_limit = 5\n"
	"smtpd_hard_error_limit = 30\n"
	"smtpd_helo_required = no\n"
	"smtpd_sender_restrictions = reject_unknown_sender_domain\n"
	"smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination\n"
	"smtpd_data_restrictions = reject_multi_recipient_bounce\n";

static struct {
	struct sp_config *c;
	struct sp_smtpd_conf conf;
	struct sp_policy *policy;
	struct sp_qid_gen qids;
	struct sp_smtpd_env env;
	char dir[64];
} fz;

static uint64_t fz_now(void)
{
	return 1700000000000000ull;
}

static void fz_init(void)
{
	char path[128];
	struct sp_diags d = {0};
	FILE *fp;

	snprintf(fz.dir, sizeof(fz.dir), "/tmp/sallyport-fuzz-session-XXXXXX");
	if (mkdtemp(fz.dir) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/main.cf", fz.dir);
	if ((fp = fopen(path, "w")) == NULL || fprintf(fp, "%squeue_directory = %s/queue\n",
						       fz_main_cf, fz.dir) < 0 || fclose(fp) != 0)
		abort();
	if ((fz.c = sp_config_load(fz.dir, NULL, &d)) == NULL || d.errors ||
	    sp_smtpd_conf_load(&fz.c->global, &fz.conf, &d) < 0 ||
	    (fz.policy = sp_policy_compile(&fz.c->global, &d)) == NULL) {
		sp_diags_print(&d, stderr);
		abort();
	}
	if (sp_queue_mkdirs(fz.conf.queue_dir) < 0)
		abort();
	sp_qid_gen_init(&fz.qids, (uint32_t)getpid());
	fz.env.conf = &fz.conf;
	fz.env.policy = fz.policy;
	fz.env.qids = &fz.qids;
	fz.env.now_us = fz_now;
	sp_diags_free(&d);
}

/* Every reply line: NNN, ' ' or '-', text without CR/LF, CRLF. */
static void fz_check_output(struct sp_buf *b)
{
	const char *p = sp_buf_str(b), *end = p + b->len;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL || eol - p < 5 || eol[-1] != '\r')
			abort();
		for (int i = 0; i < 3; i++)
			if (p[i] < '0' || p[i] > '9')
				abort();
		if (p[3] != ' ' && p[3] != '-')
			abort();
		for (const char *q = p; q < eol - 1; q++)
			if (*q == '\r')
				abort();
		p = eol + 1;
	}
	sp_buf_reset(b);
}

/* Answers what the session waits for. */
static enum sp_want fz_drive(struct sp_session *s, enum sp_want w, int fail_commits)
{
	for (int guard = 0; guard < 100 && (w == SP_WANT_DNS || w == SP_WANT_COMMIT); guard++) {
		if (w == SP_WANT_DNS) {
			w = sp_session_dns_answer(s, SP_PDNS_RETRY);
		} else if (fail_commits) {
			sp_qfile_abort(sp_session_qfile(s));
			w = sp_session_commit_done(s, ENOSPC);
		} else {
			struct sp_qfile *q = sp_session_qfile(s);
			char path[256];
			int err = sp_qfile_commit(q, NULL);
			snprintf(path, sizeof(path), "%s/active/%s", fz.conf.queue_dir, q->id);
			unlink(path);   /* keep the disk clean */
			w = sp_session_commit_done(s, err);
		}
	}
	return w;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sp_peer peer;
	struct sp_session *s;
	enum sp_want w;
	size_t off = 1, cut;

	if (fz.c == NULL)
		fz_init();
	if (size == 0)
		return 0;
	cut = (size_t)(data[0] & 0x3f) + 1;
	memset(&peer, 0, sizeof(peer));
	snprintf(peer.addr, sizeof(peer.addr), (data[0] & 0x40) ? "192.0.2.9" : "203.0.113.9");
	snprintf(peer.name, sizeof(peer.name), "client.example.net");
	snprintf(peer.reverse_name, sizeof(peer.reverse_name), "client.example.net");
	s = sp_session_new(&fz.env, &peer);
	w = fz_drive(s, sp_session_start(s), data[0] & 0x80);
	fz_check_output(sp_session_output(s));
	while (off < size && w != SP_WANT_CLOSE) {
		size_t n = size - off < cut ? size - off : cut, used = 0;
		w = fz_drive(s, sp_session_input(s, (const char *)data + off, n, &used),
			     data[0] & 0x80);
		fz_check_output(sp_session_output(s));
		if (used > n)
			abort();
		if (used == 0 && w == SP_WANT_INPUT) {
			if (n == size - off)
				break;   /* an incomplete line at the end */
			cut = cut * 2;   /* more bytes for a line that did not fit */
			continue;
		}
		off += used;
	}
	if (w == SP_WANT_CLOSE) {
		size_t used = 0;
		(void)sp_session_input(s, "NOOP\r\n", 6, &used);
		if (used != 0)
			abort();   /* nothing is read after the close */
	}
	sp_session_eof(s);
	sp_session_free(&s);
	return 0;
}
