/*
 * session_run.c - plays SMTP dialogs against the session state machine
 * (src/smtpd/session.h) without sockets: run.py writes the configuration
 * (main.cf, queue_directory inside the test's directory) and hands the
 * dialog on standard input; this program plays it and checks every reply.
 *
 *     session_run CONFIG_DIR < dialog
 *
 * Dialog lines (escapes \r \n \t \0 \\ \xHH in texts):
 *   session ADDR NAME    a new connection from ADDR with verified name NAME
 *   C: text              client bytes, CRLF appended; consecutive C lines
 *   C+ text              (and C+ lines, sent without CRLF) form one packet,
 *                        so a group of them is pipelined input
 *   S: text              the next server reply line ('*' matches any bytes)
 *   L: text              a log line that must appear (in order; '*' as for S)
 *   closed               the session has asked to close the connection
 *   open                 it has not
 *   eof | timeout        the client goes away | stays silent too long
 *   dns KIND NAME STATUS an answer for the engine (host|mailhost, ok|notfound|
 *                        retry|inval|nullmx); a query without one fails
 *   failcommit ERRNO     the next commit fails with this errno (ENOSPC...)
 *   queue N              N files in the queue's active/ directory
 *   content TEXT         the last committed file's content contains TEXT
 * Exit status 0 when every check holds; the first failure is printed with
 * its line number and the status is 1.
 */
#include "config/config.h"
#include "policy/policy.h"
#include "queue/qfile.h"
#include "smtpd/session.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_LOG 4096

struct run {
	struct sp_smtpd_env env;
	struct sp_session *s;
	char packet[65536];
	size_t plen;
	char *out;                /* replies not yet matched */
	size_t outlen, outoff;
	char *logs[MAX_LOG];
	size_t nlogs, logoff;
	struct sp_pdns_cache dns;
	int fail_commit;
	char last_file[512];
	int wants_close;
	int lineno;
};

static int fail(struct run *r, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "dialog line %d: ", r->lineno);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void log_line(void *ctx, const char *line)
{
	struct run *r = ctx;

	if (r->nlogs < MAX_LOG)
		r->logs[r->nlogs++] = strdup(line);
	if (getenv("SESSION_RUN_LOG"))
		fprintf(stderr, "log: %s\n", line);
}

/* Decodes the escapes of a dialog text; returns its length. */
static size_t unescape(const char *in, char *out, size_t max)
{
	size_t n = 0;

	for (; *in && n < max; in++) {
		if (*in != '\\' || in[1] == 0) {
			out[n++] = *in;
			continue;
		}
		switch (*++in) {
		case 'r': out[n++] = '\r'; break;
		case 'n': out[n++] = '\n'; break;
		case 't': out[n++] = '\t'; break;
		case '0': out[n++] = 0; break;
		case 'x': {
			unsigned v = 0;
			sscanf(in + 1, "%2x", &v);
			out[n++] = (char)v;
			in += 2;
			break;
		}
		default: out[n++] = *in; break;
		}
	}
	return n;
}

static void take_output(struct run *r)
{
	struct sp_buf *b = sp_session_output(r->s);

	r->out = realloc(r->out, r->outlen + b->len + 1);
	memcpy(r->out + r->outlen, sp_buf_str(b), b->len);
	r->outlen += b->len;
	r->out[r->outlen] = 0;
	sp_buf_reset(b);
}

/* Answers what the session asks until it wants input or to close. */
static int drive(struct run *r, enum sp_want w)
{
	while (w == SP_WANT_DNS || w == SP_WANT_COMMIT) {
		if (w == SP_WANT_DNS) {
			enum sp_pdns_kind kind;
			const char *name;
			size_t i;
			sp_session_dns_query(r->s, &kind, &name);
			for (i = 0; i < r->dns.n; i++)
				if (r->dns.v[i].kind == kind && strcasecmp(r->dns.v[i].name, name) == 0)
					break;
			if (i == r->dns.n)
				return fail(r, "unexpected DNS query for %s", name);
			w = sp_session_dns_answer(r->s, r->dns.v[i].status);
		} else {
			struct sp_qfile *q = sp_session_qfile(r->s);
			int err;
			snprintf(r->last_file, sizeof(r->last_file), "%s/active/%s", q->qdir, q->id);
			if (r->fail_commit) {
				err = r->fail_commit;
				r->fail_commit = 0;
				sp_qfile_abort(q);
			} else {
				err = sp_qfile_commit(q, NULL);
			}
			w = sp_session_commit_done(r->s, err);
		}
	}
	if (w == SP_WANT_CLOSE)
		r->wants_close = 1;
	take_output(r);
	return 0;
}

/* Sends the collected packet: feeds it until everything is consumed or the
 * session stops reading. */
static int flush_packet(struct run *r)
{
	size_t off = 0;

	while (r->plen > 0 && off < r->plen && !r->wants_close) {
		size_t used = 0;
		enum sp_want w = sp_session_input(r->s, r->packet + off, r->plen - off, &used);
		off += used;
		if (drive(r, w) < 0)
			return -1;
		if (used == 0 && w == SP_WANT_INPUT)
			break;   /* an incomplete line: the rest stays unsent in this model */
	}
	r->plen = 0;
	return 0;
}

/* want with '*' matching any run of bytes (and nothing else special). */
static int match(const char *want, const char *got, size_t gotlen)
{
	if (*want == 0)
		return gotlen == 0;
	if (*want == '*') {
		for (size_t i = 0; i <= gotlen; i++)
			if (match(want + 1, got + i, gotlen - i))
				return 1;
		return 0;
	}
	return gotlen > 0 && *want == *got && match(want + 1, got + 1, gotlen - 1);
}

static int expect_reply(struct run *r, const char *text)
{
	char want[4096];
	size_t n = unescape(text, want, sizeof(want) - 1);
	char *end;

	want[n] = 0;
	if (r->outoff >= r->outlen)
		return fail(r, "expected \"%s\", the server said nothing more", want);
	end = strstr(r->out + r->outoff, "\r\n");
	if (end == NULL)
		return fail(r, "a reply without CRLF: \"%s\"", r->out + r->outoff);
	if (!match(want, r->out + r->outoff, (size_t)(end - (r->out + r->outoff))))
		return fail(r, "expected \"%s\", got \"%.*s\"", want, (int)(end - (r->out + r->outoff)),
			    r->out + r->outoff);
	r->outoff = (size_t)(end + 2 - r->out);
	return 0;
}

static int expect_log(struct run *r, const char *want)
{
	for (; r->logoff < r->nlogs; r->logoff++)
		if (match(want, r->logs[r->logoff], strlen(r->logs[r->logoff]))) {
			r->logoff++;
			return 0;
		}
	for (size_t i = 0; i < r->nlogs; i++)   /* what there was, to see the difference */
		fprintf(stderr, "  log: %s\n", r->logs[i]);
	return fail(r, "no log line \"%s\"", want);
}

static int count_active(const struct sp_smtpd_conf *c)
{
	char path[512];
	DIR *d;
	struct dirent *e;
	int n = 0;

	snprintf(path, sizeof(path), "%s/active", c->queue_dir);
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

struct content {
	char *buf;
	size_t len;
};

static int collect(void *ctx, enum sp_qrec type, const char *data, size_t len)
{
	struct content *c = ctx;

	if (type == SP_QREC_DATA) {
		c->buf = realloc(c->buf, c->len + len + 1);
		memcpy(c->buf + c->len, data, len);
		c->len += len;
		c->buf[c->len] = 0;
	}
	return 0;
}

static int check_content(struct run *r, const char *text)
{
	char want[4096];
	size_t n = unescape(text, want, sizeof(want) - 1);
	struct content c = {NULL, 0};
	int ok;

	if (r->last_file[0] == 0 || sp_qfile_read(r->last_file, collect, &c) != 0)
		return fail(r, "no committed queue file to read");
	ok = c.buf && memmem(c.buf, c.len, want, n) != NULL;
	free(c.buf);
	return ok ? 0 : fail(r, "the queue file does not contain \"%s\"", text);
}

static int directive(struct run *r, char *line)
{
	char a[64], b[256], c[32];
	int n;

	if (sscanf(line, "session %63s %255s", a, b) == 2) {
		struct sp_peer p;
		memset(&p, 0, sizeof(p));
		snprintf(p.addr, sizeof(p.addr), "%s", a);
		snprintf(p.name, sizeof(p.name), "%s", b);
		snprintf(p.reverse_name, sizeof(p.reverse_name), "%s", b);
		p.name_status = p.reverse_status = strcmp(b, "unknown") ? SP_PEER_OK : SP_PEER_PERM;
		sp_session_free(&r->s);
		r->s = sp_session_new(&r->env, &p);
		r->wants_close = 0;
		r->outlen = r->outoff = 0;
		return drive(r, sp_session_start(r->s));
	}
	if (sscanf(line, "dns %63s %255s %31s", a, b, c) == 3) {
		static const char *const st[] = {"ok", "notfound", "retry", "inval", "nullmx"};
		for (int i = 0; i < 5; i++)
			if (strcmp(c, st[i]) == 0)
				sp_pdns_put(&r->dns, strcmp(a, "host") == 0 ? SP_PDNS_HOST : SP_PDNS_MAILHOST,
					    b, (enum sp_pdns_status)i);
		return 0;
	}
	if (sscanf(line, "failcommit %31s", c) == 1) {
		r->fail_commit = strcmp(c, "ENOSPC") == 0 ? ENOSPC : strcmp(c, "EIO") == 0 ? EIO
				 : strcmp(c, "EDQUOT") == 0 ? EDQUOT : atoi(c);
		return 0;
	}
	if (sscanf(line, "queue %d", &n) == 1)
		return count_active(r->env.conf) == n ? 0
		       : fail(r, "%d files in active/, expected %d", count_active(r->env.conf), n);
	if (strncmp(line, "content ", 8) == 0)
		return check_content(r, line + 8);
	if (strcmp(line, "closed") == 0 || strcmp(line, "open") == 0)
		return r->wants_close == (line[0] == 'c') ? 0
		       : fail(r, "the session %s", r->wants_close ? "closed" : "stays open");
	if (strcmp(line, "eof") == 0) {
		sp_session_eof(r->s);
		return 0;
	}
	if (strcmp(line, "timeout") == 0)
		return drive(r, sp_session_timeout(r->s));
	return fail(r, "unknown dialog line \"%s\"", line);
}

static int play(struct run *r, FILE *in)
{
	char line[8192];

	while (fgets(line, sizeof(line), in)) {
		size_t n = strcspn(line, "\n");
		line[n] = 0;
		r->lineno++;
		if (line[0] == '#' || line[0] == 0)
			continue;
		if (strncmp(line, "C: ", 3) == 0 || strncmp(line, "C+ ", 3) == 0 ||
		    strcmp(line, "C:") == 0) {
			size_t k = line[2] ? unescape(line + 3, r->packet + r->plen,
						       sizeof(r->packet) - r->plen - 2) : 0;
			r->plen += k;
			if (line[1] == ':') {
				memcpy(r->packet + r->plen, "\r\n", 2);
				r->plen += 2;
			}
			continue;
		}
		if (r->plen && flush_packet(r) < 0)
			return -1;
		if (strncmp(line, "S: ", 3) == 0) {
			if (expect_reply(r, line + 3) < 0)
				return -1;
		} else if (strncmp(line, "L: ", 3) == 0) {
			if (expect_log(r, line + 3) < 0)
				return -1;
		} else if (directive(r, line) < 0) {
			return -1;
		}
	}
	if (r->plen && flush_packet(r) < 0)
		return -1;
	if (r->outoff < r->outlen)
		return fail(r, "replies left unchecked: \"%s\"", r->out + r->outoff);
	return 0;
}

int main(int argc, char **argv)
{
	struct sp_diags d = {0};
	struct sp_config *c;
	struct sp_smtpd_conf conf;
	struct sp_qid_gen qids;
	struct run r;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: session_run CONFIG_DIR < dialog\n");
		return 2;
	}
	memset(&r, 0, sizeof(r));
	if ((c = sp_config_load(argv[1], NULL, &d)) == NULL || d.errors ||
	    sp_smtpd_conf_load(&c->global, &conf, &d) < 0 ||
	    (r.env.policy = sp_policy_compile(&c->global, &d)) == NULL) {
		sp_diags_print(&d, stderr);
		return 2;
	}
	if (sp_queue_mkdirs(conf.queue_dir) < 0) {
		perror(conf.queue_dir);
		return 2;
	}
	sp_qid_gen_init(&qids, (uint32_t)getpid());
	r.env.conf = &conf;
	r.env.qids = &qids;
	r.env.now_us = now_us;
	r.env.log = log_line;
	r.env.log_ctx = &r;
	rc = play(&r, stdin) < 0 ? 1 : 0;
	sp_session_free(&r.s);
	for (size_t i = 0; i < r.nlogs; i++)
		free(r.logs[i]);
	free(r.out);
	sp_policy_free((struct sp_policy **)&r.env.policy);
	sp_smtpd_conf_free(&conf);
	sp_config_free(c);
	sp_diags_free(&d);
	return rc;
}
