/*
 * fuzz/netlist.c - libFuzzer target for src/policy/netlist.c: the input up
 * to its first NUL byte is a list value, the rest is the content of a
 * pattern file (a memfd) that the value names as "@F" (a /file/name, or
 * cidr:@F...). Elsewhere, in both parts, a '/' not followed by a digit
 * becomes '_', so no element opens the machine's files (/dev/stdin would
 * block). Besides memory
 * errors it checks what the module promises: a list exactly when there is
 * no error, messages without control characters, matches that agree with
 * the deciding element's '!', and a coverage report that agrees with
 * itself and with matching.
 */
#include "policy/netlist.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_VALUE_MAX 8192

static const char *const fz_v4[] = {"0.0.0.0", "10.1.2.3", "127.0.0.1", "192.0.2.1",
				    "255.255.255.255", "::ffff:100.64.0.1"};
static const char *const fz_v6[] = {"::", "::1", "2001:db8::1", "fe80::1", "::ffff:0:1:2"};

/* Copies in[0..n) to out (NUL-terminated, *outn bytes): '/' kept only before
 * a digit, "@F" replaced by path unless path is NULL. */
static void fz_clean(const char *in, size_t n, const char *path, char *out, size_t outlen,
		     size_t *outn)
{
	size_t j = 0, pl = path ? strlen(path) : 0;

	for (size_t i = 0; i < n && j + pl + 1 < outlen; i++) {
		if (path && in[i] == '@' && i + 1 < n && in[i + 1] == 'F') {
			memcpy(out + j, path, pl);
			j += pl;
			i++;
		} else if (in[i] == '/' && !(i + 1 < n && in[i + 1] >= '0' && in[i + 1] <= '9')) {
			out[j++] = '_';
		} else {
			out[j++] = in[i];
		}
	}
	out[j] = 0;
	*outn = j;
}

static void fz_check_diags(const struct sp_diags *dg)
{
	for (size_t i = 0; i < dg->n; i++) {
		if (dg->v[i].param == NULL)
			continue;   /* a table's own messages: the table's business */
		for (const char *p = dg->v[i].what; *p; p++) {
			if ((unsigned char)*p < 0x20)
				abort();
		}
	}
}

/* Matches addr; the answer must agree with the deciding element. Returns rc. */
static int fz_match(const struct sp_netlist *nl, const char *addr)
{
	const char *m = "unset";
	char err[512] = "";
	int rc = sp_netlist_match(nl, addr, &m, err, sizeof(err));

	if (rc < -1 || rc > 1 || (rc == -1 && (err[0] == 0 || m != NULL)))
		abort();
	if (rc == 1 && (m == NULL || m[0] == '!'))
		abort();
	if (rc == 0 && m != NULL && m[0] != '!')
		abort();
	return rc;
}

static void fz_coverage(const struct sp_netlist *nl)
{
	struct sp_netlist_coverage c;
	int all4 = 1, none4 = 1;

	sp_netlist_coverage(nl, &c);
	if (c.v4 < 0 || c.v4 > 4294967296.0 || c.v4mapped < 0 || c.v4mapped > 4294967296.0 ||
	    c.v6 < 0 || (c.full & ~c.some) != 0 || c.tables > c.elems)
		abort();
	if (((c.some & SP_NETBLOCK_V4_ALL) != 0) != (c.v4 > 0) ||
	    ((c.full & SP_NETBLOCK_V4_ALL) != 0) != (c.v4 == 4294967296.0))
		abort();
	if (c.v6_beyond_loopback && !(c.some & SP_NETBLOCK_V6_ALL))
		abort();
	for (size_t i = 0; i < sizeof(fz_v4) / sizeof(fz_v4[0]); i++) {
		int rc = fz_match(nl, fz_v4[i]);
		all4 = all4 && rc == 1;
		none4 = none4 && rc == 0;
	}
	if (c.tables == 0 && (((c.full & SP_NETBLOCK_V4_ALL) && !all4) || (c.v4 == 0 && !none4)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	const char *s = (const char *)data, *nul = memchr(s, 0, size);
	size_t vlen = nul ? (size_t)(nul - s) : size, flen = nul ? size - vlen - 1 : 0;
	static char file[65536];
	char path[64], value[FZ_VALUE_MAX];
	struct sp_diags dg = {0};
	struct sp_netlist *nl;

	if (size > 65536)
		return 0;
	if (fd < 0 && (fd = memfd_create("fuzz-netlist", 0)) < 0)
		abort();
	fz_clean(nul ? nul + 1 : "", flen, NULL, file, sizeof(file), &flen);
	if (ftruncate(fd, 0) != 0 || pwrite(fd, file, flen, 0) != (ssize_t)flen)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	fz_clean(s, vlen, path, value, sizeof(value), &vlen);
	nl = sp_netlist_compile(value, "fuzz", "fuzz.cf", 1, &dg);
	if ((nl == NULL) != (dg.errors > 0))
		abort();
	fz_check_diags(&dg);
	if (nl != NULL) {
		for (size_t i = 0; i < sizeof(fz_v6) / sizeof(fz_v6[0]); i++)
			(void)fz_match(nl, fz_v6[i]);
		if (fz_match(nl, "not an address") != -1)
			abort();
		fz_coverage(nl);
	}
	sp_netlist_free(&nl);
	sp_diags_free(&dg);
	return 0;
}
