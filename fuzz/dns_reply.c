/*
 * fuzz/dns_reply.c - libFuzzer target for sp_dns_classify (src/net/dns.c):
 * the input is one raw DNS reply, classified as the answer to an MX, A and
 * AAAA query for "example.com" and once more as a reply for the root "."
 * (whose answers may have an empty owner). The bytes are copied to a buffer
 * of exactly their size so that any read past the end is a memory error.
 * Besides memory errors it checks what the function promises: a known
 * status, a reason exactly when the status is not OK, both strings
 * terminated within their buffers, and an alias only with NOTFOUND, that
 * alias a name Postfix would ask for.
 */
#include "net/dns.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fz_check(const char *orig, int qtype, const unsigned char *buf, size_t size)
{
	struct sp_dns_reply out;
	enum sp_dns_status st;

	memset(&out, 0x5a, sizeof(out));
	st = sp_dns_classify(orig, qtype, buf, size, &out);
	if (st != SP_DNS_OK && st != SP_DNS_NOTFOUND && st != SP_DNS_RETRY && st != SP_DNS_INVAL &&
	    st != SP_DNS_NULLMX && st != SP_DNS_FAIL)
		abort();
	if (memchr(out.cname, 0, sizeof(out.cname)) == NULL ||
	    memchr(out.why, 0, sizeof(out.why)) == NULL)
		abort();
	if ((st == SP_DNS_OK) != (out.why[0] == 0))
		abort();
	if (out.cname[0] != 0) {
		/* a host name, or a numeric address (which Postfix lets pass) */
		int numeric = strchr(out.cname, ':') != NULL ||
			      strspn(out.cname, "0123456789.") == strlen(out.cname);

		if (st != SP_DNS_NOTFOUND || (!sp_dns_name_ok(out.cname) && !numeric))
			abort();
	}
	if (st == SP_DNS_NULLMX && qtype != SP_DNS_T_MX)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *buf;

	if (size > 65535)
		return 0;
	if ((buf = malloc(size ? size : 1)) == NULL)
		abort();
	memcpy(buf, data, size);
	fz_check("example.com", SP_DNS_T_MX, buf, size);
	fz_check("example.com", SP_DNS_T_A, buf, size);
	fz_check("example.com", SP_DNS_T_AAAA, buf, size);
	fz_check(".", SP_DNS_T_A, buf, size);
	free(buf);
	return 0;
}
