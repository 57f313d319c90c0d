/*
 * fuzz/resolve.c - libFuzzer target for src/policy/resolve.c: the input (up
 * to its first NUL byte, at most 1024 bytes) is an address in internal
 * form, resolved against one fixed configuration (built once, in a
 * temporary directory) that turns every feature on: percent hack, bang
 * paths, dequoting, resolve_null_domain, append_dot_mydomain, inline
 * tables in every list and a relay_domains with negation and parents.
 * Besides memory errors it checks what the module promises: rc and
 * SP_RESOLVE_ERROR agree, a valid answer has user@domain with the domain
 * in lower case and equal to out->domain, and resolving is pure (a second
 * call gives the same answer).
 */
#include "config/config.h"
#include "policy/resolve.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fz_main_cf[] =
	"inet_interfaces = 127.0.0.1\n"
	"proxy_interfaces = 192.0.2.1, [2001:db8::1]\n"
	"allow_percent_hack = yes\n"
	"swap_bangpath = yes\n"
	"resolve_null_domain = yes\n"
	"append_dot_mydomain = yes\n"
	"mydestination = $myhostname, localhost, inline:{local.example=x}\n"
	"virtual_alias_domains = alias.example, inline:{alias2.example=x}\n"
	"virtual_mailbox_domains = mbox.example\n"
	"relay_domains = !no.relay.example, relay.example, .dot.example, inline:{tab.example=x}\n";

static struct sp_resolver *fz_resolver(void)
{
	static const struct sp_config_opts opts = {.hostname = "mail.example.com"};
	char dir[] = "/tmp/sallyport-fuzz-resolve-XXXXXX", path[64];
	struct sp_diags d = {0};
	struct sp_config *c;
	struct sp_resolver *r;
	FILE *fp;

	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/main.cf", dir);
	if ((fp = fopen(path, "w")) == NULL || fputs(fz_main_cf, fp) < 0 || fclose(fp) != 0)
		abort();
	if ((c = sp_config_load(dir, &opts, &d)) == NULL)
		abort();
	if ((r = sp_resolver_compile(&c->global, &d)) == NULL) {
		sp_diags_print(&d, stderr);
		abort();
	}
	unlink(path);
	rmdir(dir);
	sp_diags_free(&d);
	sp_config_free(c);   /* the resolver keeps nothing of the view */
	return r;
}

static void fz_check(const struct sp_resolved *o, int rc, const char *err)
{
	const char *at = strrchr(o->address, '@');

	if ((rc == -1) != ((o->flags & SP_RESOLVE_ERROR) != 0) || (rc == -1 && err[0] == 0))
		abort();
	if ((unsigned)o->cls > SP_CLASS_DEFAULT)
		abort();
	if (rc == 0 && !(o->flags & SP_RESOLVE_INVALID)) {
		if (at == NULL || strcmp(at + 1, o->domain) != 0)
			abort();
		for (const char *p = o->domain; *p; p++) {
			if (*p >= 'A' && *p <= 'Z')
				abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sp_resolver *r;
	char addr[1025], err[512], err2[512];
	struct sp_resolved a, b;
	size_t n = strnlen((const char *)data, size);
	int rc;

	if (r == NULL)
		r = fz_resolver();
	if (n >= sizeof(addr))
		n = sizeof(addr) - 1;
	memcpy(addr, data, n);
	addr[n] = 0;
	rc = sp_resolve(r, addr, &a, err, sizeof(err));
	fz_check(&a, rc, err);
	if (sp_resolve(r, addr, &b, err2, sizeof(err2)) != rc || memcmp(&a, &b, sizeof(a)) != 0)
		abort();
	return 0;
}
