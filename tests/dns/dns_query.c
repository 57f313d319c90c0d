/*
 * dns_query.c - the resolver tests' driver for src/net/dns.c:
 *   dns_query [-v] [-t MS] [-r TRIES] SERVER:PORT KIND NAME...
 * starts one lookup per NAME (KIND mailhost or host) at once against the
 * one server given, waits for them all, and prints "NAME STATUS" per name
 * in argument order (-v adds a tab and the reason). The timeout defaults to
 * 300 ms and the tries to 1, so a silent server costs little. Exits 0, or
 * 2 on a usage or resolver error.
 */
#include "net/dns.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct result {
	const char *name;
	enum sp_dns_status st;
	char why[SP_DNS_WHY_MAX];
	int calls;
};

static void done(void *ctx, const char *name, enum sp_dns_status st, const char *why)
{
	struct result *r = ctx;

	(void)name;
	r->st = st;
	snprintf(r->why, sizeof(r->why), "%s", why);
	r->calls++;
}

static int usage(void)
{
	fprintf(stderr, "usage: dns_query [-v] [-t MS] [-r TRIES] SERVER:PORT mailhost|host NAME...\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct sp_dns_opts o = {.timeout_ms = 300, .tries = 1};
	enum sp_dns_kind kind;
	struct result *res;
	struct sp_dns *d;
	char err[256];
	int c, verbose = 0, n;

	while ((c = getopt(argc, argv, "+vt:r:")) != -1) {
		switch (c) {
		case 'v': verbose = 1; break;
		case 't': o.timeout_ms = atoi(optarg); break;
		case 'r': o.tries = atoi(optarg); break;
		default: return usage();
		}
	}
	if (argc - optind < 3)
		return usage();
	o.servers = argv[optind];
	if (strcmp(argv[optind + 1], "mailhost") == 0)
		kind = SP_DNS_MAILHOST;
	else if (strcmp(argv[optind + 1], "host") == 0)
		kind = SP_DNS_HOST;
	else
		return usage();
	n = argc - optind - 2;
	if ((res = calloc((size_t)n, sizeof(*res))) == NULL)
		return 2;
	if ((d = sp_dns_new(&o, err, sizeof(err))) == NULL) {
		fprintf(stderr, "dns_query: %s\n", err);
		return 2;
	}
	for (int i = 0; i < n; i++) {
		res[i].name = argv[optind + 2 + i];
		if (sp_dns_lookup(d, res[i].name, kind, done, &res[i], err, sizeof(err)) != 0) {
			fprintf(stderr, "dns_query: %s\n", err);
			return 2;
		}
	}
	if (sp_dns_wait(d) != 0) {
		perror("dns_query: poll");
		return 2;
	}
	sp_dns_free(&d);
	for (int i = 0; i < n; i++) {
		if (res[i].calls != 1) {
			fprintf(stderr, "dns_query: %s: %d callbacks\n", res[i].name, res[i].calls);
			return 2;
		}
		printf("%s %s", res[i].name, sp_dns_status_name(res[i].st));
		if (verbose)
			printf("\t%s", res[i].why);
		putchar('\n');
	}
	free(res);
	return 0;
}
