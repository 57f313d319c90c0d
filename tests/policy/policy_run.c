/*
 * policy_run.c - drives the policy engine through whole SMTP transactions
 * without sockets, for the differential test against Postfix (engine.py)
 * and the table-driven cases (tests/policy/table/): reads a configuration
 * directory, then one transaction per line on standard input, and prints
 * what a server built on the engine would answer at each step.
 *
 *     policy_run [-t] [-n SERVER:PORT] CONFIG_DIR
 *
 * Input line: tab-separated key=value fields, as the oracle's case files
 * name them: client, name, rname (unknown / tempfail as the oracle uses
 * them), ehlo or helo, login (logged in, as XCLIENT LOGIN), auth
 * (user[:password]; "secret" succeeds), from, to (repeated), data (no:
 * stop after RCPT), pipelining (yes: the client pipelined illegally), tls
 * (yes), dns (repeated: host|mailhost:NAME:ok|notfound|retry|inval|nullmx;
 * an answer the test gives for a lookup the engine asks for; one it does
 * not give is an error).
 *
 * Output per transaction: "VERB ok" for a step the engine accepted,
 * "VERB NNN text" for its reply (or the server's, for the few checks a
 * server makes before the engine: address syntax, AUTH, access denied),
 * "VERB pending NAME" when a DNS answer is missing, then a line ".".
 * With -t, the trace follows each step as "  | ..." lines. With -n, a
 * lookup the engine asks for and the input does not answer is made with
 * src/net/dns.h (c-ares) against that server, and the stage evaluated
 * again, as the server does.
 * Exit status: 0, or 2 when the configuration is refused (its
 * diagnostics on standard output as "config-error ...").
 */
#include "config/config.h"
#include "net/dns.h"
#include "policy/policy.h"
#include "smtp/address.h"
#include "util/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TO 64

struct input {
	char *client, *name, *rname, *ehlo, *helo, *login, *auth, *from, *data, *pipelining, *tls;
	char *to[MAX_TO];
	size_t nto;
	char *dns[SP_PDNS_MAX];
	size_t ndns;
};

static int trace_on;
static struct sp_dns *resolver;   /* -n */

static void parse_input(char *line, struct input *in)
{
	memset(in, 0, sizeof(*in));
	for (char *f = strtok(line, "\t\n"); f; f = strtok(NULL, "\t\n")) {
		char *eq = strchr(f, '=');
		if (eq == NULL)
			continue;
		*eq = 0;
		char *v = eq + 1;
#define FIELD(k) if (strcmp(f, #k) == 0) in->k = v; else
		FIELD(client) FIELD(name) FIELD(rname) FIELD(ehlo) FIELD(helo) FIELD(login)
		FIELD(auth) FIELD(from) FIELD(data) FIELD(pipelining) FIELD(tls)
		if (strcmp(f, "to") == 0 && in->nto < MAX_TO)
			in->to[in->nto++] = v;
		else if (strcmp(f, "dns") == 0 && in->ndns < SP_PDNS_MAX)
			in->dns[in->ndns++] = v;
#undef FIELD
	}
}

static void add_dns(struct sp_pdns_cache *c, char *spec)
{
	static const char *const st[] = {"ok", "notfound", "retry", "inval", "nullmx"};
	char *name = strchr(spec, ':'), *status = name ? strrchr(name + 1, ':') : NULL;

	if (status == NULL)
		return;
	*name++ = 0;
	*status++ = 0;
	for (int i = 0; i < 5; i++)
		if (strcmp(status, st[i]) == 0)
			sp_pdns_put(c, strcmp(spec, "host") == 0 ? SP_PDNS_HOST : SP_PDNS_MAILHOST, name,
				    (enum sp_pdns_status)i);
}

static void print_trace(const struct sp_ptrace *t)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct sp_tentry *e = &t->v[i];
		printf("  |%*s", (int)e->depth * 2, "");
		switch (e->kind) {
		case SP_TR_LIST:
			printf("list %s\n", e->name);
			break;
		case SP_TR_STEP:
			printf("%s -> %s\n", e->name, e->result);
			break;
		case SP_TR_LOOKUP:
			printf("lookup %s %s: %s\n", e->table, e->key, e->found ? e->value : "not found");
			break;
		case SP_TR_NOTE:
			printf("%s%s%s\n", e->result, *e->result ? " " : "", e->detail);
			break;
		}
	}
}

struct answer {
	int status;
};

static void got_answer(void *ctx, const char *name, enum sp_dns_status st, const char *why)
{
	(void)name;
	(void)why;
	/* The engine's statuses are the first five of the DNS module's. */
	((struct answer *)ctx)->status = st == SP_DNS_FAIL ? SP_DNS_NOTFOUND : (int)st;
}

/* Evaluates a stage; prints its reply. Returns the code (0 for accept,
 * -1 for pending or hangup). */
static int step(const struct sp_policy *p, enum sp_pstage stage, struct sp_txn *t,
		const char *verb)
{
	struct sp_presult r;
	struct sp_tentry tv[256];
	struct sp_ptrace tr = {tv, 0, 256, 0};

	sp_policy_eval(p, stage, t, &r, trace_on ? &tr : NULL);
	for (int tries = 0; r.verdict == SP_POLICY_PENDING && resolver && t->dns && tries < 8;
	     tries++) {
		struct answer a = {-1};
		char err[256];
		if (sp_dns_lookup(resolver, r.pending_name, r.pending_kind == SP_PDNS_HOST ?
				  SP_DNS_HOST : SP_DNS_MAILHOST, got_answer, &a, err, sizeof(err)) != 0 ||
		    sp_dns_wait(resolver) != 0 || a.status < 0) {
			fprintf(stderr, "policy_run: DNS lookup of %s failed: %s\n", r.pending_name, err);
			break;
		}
		sp_pdns_put(t->dns, r.pending_kind, r.pending_name, (enum sp_pdns_status)a.status);
		sp_policy_eval(p, stage, t, &r, trace_on ? &tr : NULL);
	}
	switch (r.verdict) {
	case SP_POLICY_ACCEPT:
		printf("%s ok\n", verb);
		break;
	case SP_POLICY_REJECT:
		printf("%s %s\n", verb, r.reply);
		break;
	case SP_POLICY_PENDING:
		printf("%s pending %s\n", verb, r.pending_name);
		break;
	case SP_POLICY_HANGUP:
		printf("%s hangup\n", verb);
		break;
	}
	if (trace_on) {
		print_trace(&tr);
		for (size_t i = 0; i < r.nevents; i++)
			printf("  | event %s: %s\n", r.events[i].what, r.events[i].text);
	}
	if (r.verdict == SP_POLICY_PENDING || r.verdict == SP_POLICY_HANGUP)
		return -1;
	return r.verdict == SP_POLICY_REJECT ? r.code : 0;
}

/* The internal form of an address as the server gives it to the engine;
 * NULL after printing the server's syntax reply. */
static const char *internal(const char *text, int reverse, char *buf, size_t len)
{
	char path[600];
	struct sp_addr a;
	size_t end;
	enum sp_addr_err err;

	snprintf(path, sizeof(path), "<%s>", text);
	err = sp_addr_parse(path, strlen(path), reverse ? SP_ADDR_OPT_REVERSE : 0, &a, &end);
	if (err == SP_ADDR_E_NO_DOMAIN) {   /* Postfix accepts these; so will the server */
		snprintf(buf, len, "%s", text);
		return buf;
	}
	if (err != SP_ADDR_OK) {
		printf("%s 501 %s\n", reverse ? "mail" : "rcpt", reverse ?
		       "5.1.7 Bad sender address syntax" : "5.1.3 Bad recipient address syntax");
		return NULL;
	}
	if (a.flags & SP_ADDR_F_NULL)
		snprintf(buf, len, "%s", "");
	else if (a.domain_len == 0)
		snprintf(buf, len, "%s", a.local);
	else
		snprintf(buf, len, "%s@%s%s", a.local, a.domain,
			 (a.flags & SP_ADDR_F_DOMAIN_DOT) ? "." : "");
	return buf;
}

static int hangs_up(int code)
{
	return code == 421 || code == 521;
}

static void run(const struct sp_policy *p, int sasl_enable, struct input *in)
{
	struct sp_pdns_cache dns = {0};
	struct sp_txn t = {0};
	char sbuf[600], rbufs[MAX_TO][600], *rcpt = NULL;
	int code, accepted = 0;
	const char *names[2] = {in->name ? in->name : "unknown", in->rname ? in->rname : NULL};
	char denied[300] = "";

	for (size_t i = 0; i < in->ndns; i++)
		add_dns(&dns, in->dns[i]);
	if (names[1] == NULL)
		names[1] = names[0];
	t.client_addr = in->client;
	t.client_name = strcmp(names[0], "tempfail") == 0 ? "unknown" : names[0];
	t.reverse_name = strcmp(names[1], "tempfail") == 0 ? "unknown" : names[1];
	t.name_status = strcmp(names[0], "unknown") == 0 ? SP_PEER_PERM
			: strcmp(names[0], "tempfail") == 0 ? SP_PEER_TEMP : SP_PEER_OK;
	t.reverse_status = strcmp(names[1], "unknown") == 0 ? SP_PEER_PERM
			   : strcmp(names[1], "tempfail") == 0 ? SP_PEER_TEMP : SP_PEER_OK;
	t.sasl_user = in->login;
	t.tls = in->tls && strcmp(in->tls, "yes") == 0;
	t.ill_pipelining = in->pipelining && strcmp(in->pipelining, "yes") == 0;
	t.dns = &dns;

	if ((code = step(p, SP_STAGE_CLIENT, &t, "connect")) != 0) {
		if (code < 0 || hangs_up(code))
			goto done;
		snprintf(denied, sizeof(denied), "503 5.7.0 Error: access denied for %s[%s]",
			 t.client_name, t.client_addr);
	}
	if (in->ehlo || in->helo) {
		const char *verb = in->ehlo ? "ehlo" : "helo";
		if (*denied) {
			printf("%s %s\n", verb, denied);
		} else {
			t.helo = in->ehlo ? in->ehlo : in->helo;
			t.esmtp = in->ehlo != NULL;
			if ((code = step(p, SP_STAGE_HELO, &t, verb)) != 0) {
				t.helo = NULL;
				if (code < 0 || hangs_up(code))
					goto done;
			}
		}
	}
	if (in->auth) {
		char *colon = strchr(in->auth, ':');
		const char *pw = colon ? colon + 1 : "secret";
		if (colon)
			*colon = 0;
		if (*denied)
			printf("auth %s\n", denied);
		else if (!sasl_enable)
			printf("auth 503 5.5.1 Error: authentication not enabled\n");
		else if (strcmp(pw, "secret") == 0) {
			printf("auth 235 2.7.0 Authentication successful\n");
			t.sasl_user = in->auth;
		} else
			printf("auth 535 5.7.8 Error: authentication failed: (reason unavailable)\n");
	}
	if (in->from == NULL)
		goto done;
	if (*denied) {
		printf("mail %s\n", denied);
		goto done;
	}
	if ((t.sender = internal(in->from, 1, sbuf, sizeof(sbuf))) == NULL)
		goto done;
	if ((code = step(p, SP_STAGE_MAIL, &t, "mail")) != 0)
		goto done;
	for (size_t i = 0; i < in->nto; i++) {
		if ((t.recipient = internal(in->to[i], 0, rbufs[i], sizeof(rbufs[i]))) == NULL)
			continue;
		code = step(p, SP_STAGE_RCPT, &t, "rcpt");
		if (code < 0 || hangs_up(code))
			goto done;
		if (code == 0) {
			accepted++;
			t.rcpt_count++;
			rcpt = rbufs[i];
		}
	}
	t.recipient = rcpt;
	if (accepted == 0 || (in->data && strcmp(in->data, "no") == 0))
		goto done;
	if ((code = step(p, SP_STAGE_DATA, &t, "data")) != 0)
		goto done;
	(void)step(p, SP_STAGE_EOD, &t, "dot");
done:
	printf(".\n");
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct sp_diags d = {0};
	struct sp_config *c;
	struct sp_policy *p;
	char line[8192];
	int a = 1;

	for (; a < argc && argv[a][0] == '-'; a++) {
		if (strcmp(argv[a], "-t") == 0) {
			trace_on = 1;
		} else if (strcmp(argv[a], "-n") == 0 && a + 1 < argc) {
			struct sp_dns_opts o = {.servers = argv[++a], .timeout_ms = 300, .tries = 1};
			char err[256];
			if ((resolver = sp_dns_new(&o, err, sizeof(err))) == NULL) {
				fprintf(stderr, "policy_run: %s\n", err);
				return 2;
			}
		} else {
			break;
		}
	}
	if (a >= argc) {
		fprintf(stderr, "usage: policy_run [-t] [-n SERVER:PORT] CONFIG_DIR\n");
		return 2;
	}
	if ((c = sp_config_load(argv[a], NULL, &d)) == NULL || d.errors ||
	    (p = sp_policy_compile(&c->global, &d)) == NULL) {
		for (size_t i = 0; i < d.n; i++)
			if (d.v[i].sev == SP_ERROR)
				printf("config-error %s: %s%s%s\n", d.v[i].param ? d.v[i].param : "",
				       d.v[i].what, d.v[i].fix ? "; " : "", d.v[i].fix ? d.v[i].fix : "");
		sp_diags_free(&d);
		sp_config_free(c);
		return 2;
	}
	const char *sasl = sp_view_get(&c->global, "smtpd_sasl_auth_enable");
	int sasl_enable = sasl && strcmp(sasl, "yes") == 0;
	while (fgets(line, sizeof(line), stdin)) {
		struct input in;
		parse_input(line, &in);
		if (in.client)
			run(p, sasl_enable, &in);
	}
	sp_policy_free(&p);
	sp_config_free(c);
	sp_diags_free(&d);
	sp_dns_free(&resolver);
	return 0;
}
