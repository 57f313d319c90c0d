/*
 * explain.c - `sallyport explain [-c DIR] --client IP [--client-name NAME]
 * [--helo H] [--tls] [--sasl USER] --from ADDR --to ADDR [--service NAME]`,
 * or `--log 'LINE'` to replay a reject line from the log: why a
 * transaction is accepted or rejected (src/check/explain.h), by the
 * service's compiled restrictions. --ccert FINGERPRINT (--ccert-pkey,
 * --ccert-trusted) presents a client certificate. DNS questions go to the resolvers of
 * /etc/resolv.conf, as the server's do, or to --dns SERVERS; --no-dns
 * takes every name to exist. Arguments and output only.
 */
#include "cli.h"
#include "../check/explain.h"
#include "../master/svc.h"
#include "../net/dns.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int sp_explain_usage(void)
{
	fprintf(stderr, "usage: sallyport explain [-c DIR] --client IP [--client-name NAME] "
		"[--helo H] [--tls] [--sasl USER] --from ADDR --to ADDR [--service NAME]\n"
		"       sallyport explain [-c DIR] [--service NAME] --log 'LOG LINE'\n"
		"       either with [--no-dns | --dns IP[:PORT][,...]] and a client certificate:\n"
		"       [--ccert FINGERPRINT [--ccert-pkey FINGERPRINT] [--ccert-trusted]]\n");
	return 2;
}

/* ADDR or <ADDR> into out. */
static void sp_addr_arg(const char *a, char *out, size_t len)
{
	size_t n = strlen(a);

	if (n >= 2 && a[0] == '<' && a[n - 1] == '>')
		snprintf(out, len, "%.*s", (int)(n - 2), a + 1);
	else
		snprintf(out, len, "%s", a);
}

/* The service: by master.cf name, by its port, or by its syslog_name
 * ("submission" finds -o syslog_name=postfix/submission); else the first. */
static const struct sp_svc *sp_pick(const struct sp_svcs *s, const char *want)
{
	for (size_t i = 0; want && i < s->n; i++) {
		const char *name = s->v[i]->ms->name, *colon = strrchr(name, ':');
		const char *sl = sp_view_get(&s->v[i]->view, "syslog_name");
		const char *tail = sl && strrchr(sl, '/') ? strrchr(sl, '/') + 1 : NULL;
		if (strcmp(name, want) == 0 || (colon && strcmp(colon + 1, want) == 0) ||
		    (tail && strcmp(tail, want) == 0))
			return s->v[i];
	}
	return want ? NULL : s->n ? s->v[0] : NULL;
}

struct sp_explain_opts {
	const char *dir, *service;
	const char *dns;          /* --dns SERVERS; NULL: /etc/resolv.conf's */
	int no_dns;
};

static int sp_explain_args(int argc, char **argv, struct sp_explain_txn *t,
			   struct sp_explain_opts *o)
{
	char err[200];

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--tls") == 0) {
			t->tls = 1;
			continue;
		}
		if (strcmp(a, "--no-dns") == 0) {
			o->no_dns = 1;
			continue;
		}
		if (strcmp(a, "--ccert-trusted") == 0) {
			t->ccert_trusted = 1;
			continue;
		}
		if (v == NULL)
			return -1;
		i++;
		if (strcmp(a, "-c") == 0)
			o->dir = v;
		else if (strcmp(a, "--service") == 0)
			o->service = v;
		else if (strcmp(a, "--dns") == 0)
			o->dns = v;
		else if (strcmp(a, "--client") == 0)
			snprintf(t->client, sizeof(t->client), "%s", v);
		else if (strcmp(a, "--client-name") == 0)
			snprintf(t->client_name, sizeof(t->client_name), "%s", v);
		else if (strcmp(a, "--helo") == 0)
			snprintf(t->helo, sizeof(t->helo), "%s", v);
		else if (strcmp(a, "--sasl") == 0)
			snprintf(t->sasl, sizeof(t->sasl), "%s", v);
		else if (strcmp(a, "--ccert") == 0)
			snprintf(t->ccert, sizeof(t->ccert), "%s", v);
		else if (strcmp(a, "--ccert-pkey") == 0)
			snprintf(t->ccert_pkey, sizeof(t->ccert_pkey), "%s", v);
		else if (strcmp(a, "--from") == 0)
			sp_addr_arg(v, t->from, sizeof(t->from));
		else if (strcmp(a, "--to") == 0)
			sp_addr_arg(v, t->to, sizeof(t->to));
		else if (strcmp(a, "--log") == 0) {
			if (sp_explain_parse_log(v, t, err, sizeof(err)) < 0) {
				fprintf(stderr, "sallyport: --log: %s\n", err);
				return -1;
			}
		} else
			return -1;
	}
	return t->client[0] && t->to[0] && !(o->no_dns && o->dns) &&
	       (t->ccert[0] || (!t->ccert_pkey[0] && !t->ccert_trusted)) ? 0 : -1;
}

int sp_cmd_explain(int argc, char **argv)
{
	struct sp_explain_txn t;
	struct sp_explain_opts o = {0};
	struct sp_diags d = {0};
	struct sp_svcs svcs;
	const struct sp_svc *svc;
	struct sp_dns *dns = NULL;
	char heading[600], err[256];
	int rc;

	memset(&t, 0, sizeof(t));
	if (sp_explain_args(argc, argv, &t, &o) < 0)
		return sp_explain_usage();
	if (!o.no_dns) {
		struct sp_dns_opts dopts = {o.dns, 0, 0};
		if ((dns = sp_dns_new(&dopts, err, sizeof(err))) == NULL) {
			fprintf(stderr, "sallyport: DNS: %s (--no-dns takes every name to exist)\n",
				err);
			return 2;
		}
	}
	if (sp_svcs_load(&svcs, sp_cli_config_dir(o.dir), 1, &d) < 0) {
		sp_diags_print(&d, stderr);
		sp_diags_free(&d);
		if (svcs.config)
			sp_svcs_free(&svcs, 0);
		sp_dns_free(&dns);
		return 2;
	}
	sp_diags_free(&d);
	if ((svc = sp_pick(&svcs, o.service)) == NULL) {
		fprintf(stderr, "sallyport: no smtpd service \"%s\" in master.cf\n", o.service);
		sp_svcs_free(&svcs, 0);
		sp_dns_free(&dns);
		return 2;
	}
	snprintf(heading, sizeof(heading), "%s (%s, line %d)", svc->ms->name, svc->ms->file,
		 svc->ms->line);
	rc = sp_explain(svc->policy, heading, &t, dns, stdout);
	sp_svcs_free(&svcs, 0);
	sp_dns_free(&dns);
	return rc;
}
