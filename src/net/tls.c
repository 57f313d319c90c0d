/*
 * tls.c - the server-side TLS context (see tls.h).
 */
#include "tls.h"
#include "../config/value.h"
#include "../util/mem.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct sp_tls_server {
	SSL_CTX *ctx;
	const EVP_MD *fprint;      /* smtpd_tls_fingerprint_digest */
	int ask_ccert;             /* smtpd_tls_ask_ccert, or smtpd_tls_req_ccert */
	int req_ccert;             /* smtpd_tls_req_ccert, with mandatory TLS */
};

/* Postfix 3.7's tls_high_cipherlist and tls_medium_cipherlist. */
#define SP_TLS_HIGH "aNULL:-aNULL:HIGH:@STRENGTH"
#define SP_TLS_MEDIUM "aNULL:-aNULL:HIGH:MEDIUM:+RC4:@STRENGTH"

static const struct {
	const char *name;
	int version;
} sp_tls_versions[] = {
	{"SSLv2", 0}, {"SSLv3", SSL3_VERSION}, {"TLSv1", TLS1_VERSION},
	{"TLSv1.1", TLS1_1_VERSION}, {"TLSv1.2", TLS1_2_VERSION}, {"TLSv1.3", TLS1_3_VERSION},
};
#define SP_NVERS (sizeof(sp_tls_versions) / sizeof(sp_tls_versions[0]))

static int sp_tls_version_index(const char *s, size_t n)
{
	for (size_t i = 0; i < SP_NVERS; i++)
		if (strlen(sp_tls_versions[i].name) == n && strncasecmp(s, sp_tls_versions[i].name, n) == 0)
			return (int)i;
	return -1;
}

int sp_tls_protocols(const char *list, int *min, int *max, char *err, size_t errlen)
{
	int on[SP_NVERS], included = 0, lo = -1, hi = -1;
	const char *p = list;

	for (size_t i = 0; i < SP_NVERS; i++)
		on[i] = 1;
	on[0] = 0;   /* SSLv2 does not exist in OpenSSL 3 */
	while (*p) {
		size_t n;
		int neg = 0, ge = 0, le = 0, k;
		p += strspn(p, ", \t:");
		if (*p == 0)
			break;
		n = strcspn(p, ", \t:");
		if (*p == '!')
			neg = 1, p++, n--;
		else if (n > 2 && p[0] == '>' && p[1] == '=')
			ge = 1, p += 2, n -= 2;
		else if (n > 2 && p[0] == '<' && p[1] == '=')
			le = 1, p += 2, n -= 2;
		if ((k = sp_tls_version_index(p, n)) < 0) {
			snprintf(err, errlen, "unknown protocol \"%.*s\"", (int)(n < 40 ? n : 40), p);
			return -1;
		}
		if (neg) {
			on[k] = 0;
		} else if (ge || le) {
			for (size_t i = 0; i < SP_NVERS; i++)
				if (ge ? (int)i < k : (int)i > k)
					on[i] = 0;
		} else {
			included |= 1 << k;
		}
		p += n;
	}
	for (size_t i = 1; i < SP_NVERS; i++) {
		if (included && !(included & (1 << i)))
			on[i] = 0;
		if (on[i]) {
			lo = lo < 0 ? (int)i : lo;
			hi = (int)i;
		}
	}
	if (lo < 0) {
		snprintf(err, errlen, "no protocol is left");
		return -1;
	}
	*min = sp_tls_versions[lo].version;
	*max = sp_tls_versions[hi].version;
	return 0;
}

void sp_tls_error_text(char *buf, size_t len)
{
	unsigned long e = ERR_get_error(), next;

	if (e == 0) {
		snprintf(buf, len, "no TLS library error");
		return;
	}
	while ((next = ERR_get_error()) != 0)   /* the last one is the innermost cause */
		e = next;
	ERR_error_string_n(e, buf, len);
}

void sp_tls_error_string(unsigned long e, char *buf, size_t len)
{
	if (e == 0)
		snprintf(buf, len, "no TLS library error");
	else
		ERR_error_string_n(e, buf, len);
}

static const struct sp_param *sp_find(const struct sp_view *v, const char *name)
{
	return sp_view_find(v, name);
}

static const char *sp_val(const struct sp_view *v, const char *name, const char *def)
{
	const struct sp_param *p = sp_find(v, name);

	return p && p->value ? p->value : def;
}

/* An error about parameter name, at its line. */
static void sp_tls_err(struct sp_diags *d, const struct sp_view *v, const char *name,
		       const char *fix, const char *what)
{
	const struct sp_param *p = sp_find(v, name);
	char lib[256] = "";

	if (ERR_peek_error() != 0)
		sp_tls_error_text(lib, sizeof(lib));
	sp_diag_add(d, SP_ERROR, p ? p->file : NULL, p ? p->line : 0, name, fix, "%s%s%s%s", what,
		    lib[0] ? " (" : "", lib, lib[0] ? ")" : "");
}

/* One PEM object of in, read back from its own buffer as a key or a
 * certificate. Returns 1 key, 2 certificate, 0 at the end, -1 other or bad. */
static int sp_tls_pem_next(BIO *in, EVP_PKEY **key, X509 **crt)
{
	char *name = NULL, *header = NULL;
	unsigned char *data = NULL;
	long len = 0;
	int kind = -1;
	BIO *one;

	*key = NULL;
	*crt = NULL;
	if (PEM_read_bio(in, &name, &header, &data, &len) != 1) {
		ERR_clear_error();   /* the end of the input */
		return 0;
	}
	if ((one = BIO_new(BIO_s_mem())) != NULL && PEM_write_bio(one, name, header, data, len) > 0) {
		if (strstr(name, "PRIVATE KEY") && (*key = PEM_read_bio_PrivateKey(one, NULL, NULL,
										 NULL)))
			kind = 1;
		else if (strcmp(name, "CERTIFICATE") == 0 &&
			 (*crt = PEM_read_bio_X509(one, NULL, NULL, NULL)))
			kind = 2;
	}
	BIO_free(one);
	OPENSSL_free(name);
	OPENSSL_free(header);
	OPENSSL_free(data);
	return kind;
}

/* Installs a key with the certificate chain after it; 0 or -1. */
static int sp_tls_use(SSL_CTX *ctx, EVP_PKEY *key, STACK_OF(X509) *certs)
{
	X509 *leaf = sk_X509_shift(certs);
	int rc = leaf && SSL_CTX_use_cert_and_key(ctx, leaf, key, certs, 1) == 1 ? 0 : -1;

	X509_free(leaf);
	return rc;
}

/* smtpd_tls_chain_files as Postfix reads it: the files in order are one
 * stream of PEM objects, each private key followed by its certificate
 * chain (a key and its chain may be in one file or in consecutive ones). */
static int sp_tls_chain_files(SSL_CTX *ctx, const char *files, char *what, size_t wlen)
{
	char *list = sp_xstrdup(files), *save = NULL;
	BIO *all = BIO_new(BIO_s_mem());
	STACK_OF(X509) *certs = sk_X509_new_null();
	EVP_PKEY *key = NULL, *k;
	X509 *c;
	int rc = 0, kind, nkeys = 0;

	for (char *f = strtok_r(list, ", \t", &save); f && rc == 0; f = strtok_r(NULL, ", \t", &save)) {
		BIO *in = BIO_new_file(f, "r");
		char buf[4096];
		int n;
		if (in == NULL) {
			snprintf(what, wlen, "cannot read %s", f);
			rc = -1;
			break;
		}
		while ((n = BIO_read(in, buf, sizeof(buf))) > 0)
			BIO_write(all, buf, n);
		BIO_write(all, "\n", 1);
		BIO_free(in);
	}
	while (rc == 0 && (kind = sp_tls_pem_next(all, &k, &c)) != 0) {
		if (kind < 0 || (kind == 2 && key == NULL)) {
			snprintf(what, wlen, "%s", kind < 0 ? "a PEM object that is neither a private "
				 "key nor a certificate" : "a certificate before any private key");
			rc = -1;
		} else if (kind == 1) {
			if (key && sp_tls_use(ctx, key, certs) < 0) {
				snprintf(what, wlen, "private key %d has no matching certificate", nkeys);
				rc = -1;
			}
			EVP_PKEY_free(key);
			sk_X509_pop_free(certs, X509_free);
			certs = sk_X509_new_null();
			key = k;
			nkeys++;
		} else {
			sk_X509_push(certs, c);
		}
	}
	if (rc == 0 && key == NULL) {
		snprintf(what, wlen, "no private key in the files");
		rc = -1;
	} else if (rc == 0 && sp_tls_use(ctx, key, certs) < 0) {
		snprintf(what, wlen, "private key %d has no matching certificate", nkeys);
		rc = -1;
	}
	EVP_PKEY_free(key);
	sk_X509_pop_free(certs, X509_free);
	BIO_free(all);
	free(list);
	return rc;
}

/* Certificates and keys: smtpd_tls_chain_files, else the cert file (with
 * its chain) and the key file. */
static int sp_tls_load_keys(SSL_CTX *ctx, const struct sp_view *v, struct sp_diags *d)
{
	const char *chains = sp_val(v, "smtpd_tls_chain_files", "");
	const char *cert = sp_val(v, "smtpd_tls_cert_file", "");
	const char *key = sp_val(v, "smtpd_tls_key_file", cert);
	char what[1200];

	if (chains[strspn(chains, ", \t")]) {
		if (sp_tls_chain_files(ctx, chains, what, sizeof(what)) < 0) {
			sp_tls_err(d, v, "smtpd_tls_chain_files", "list PEM files in which each "
				   "private key is followed by its certificate and chain", what);
			return -1;
		}
		return 0;
	}
	if (cert[0] == 0) {
		const struct sp_param *p = sp_find(v, "smtpd_tls_security_level");
		sp_diag_add(d, SP_ERROR, p ? p->file : NULL, p ? p->line : 0, "smtpd_tls_cert_file",
			    "set smtpd_tls_cert_file and smtpd_tls_key_file (or smtpd_tls_chain_files), "
			    "or smtpd_tls_security_level = none",
			    "TLS is on for this service but no certificate is configured");
		return -1;
	}
	snprintf(what, sizeof(what), "cannot load the certificate chain in %s", cert);
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
		sp_tls_err(d, v, "smtpd_tls_cert_file", "give a PEM file with the server "
			   "certificate first, then its chain", what);
		return -1;
	}
	snprintf(what, sizeof(what), "cannot load the private key in %s", key);
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
		sp_tls_err(d, v, "smtpd_tls_key_file", "give the PEM file of the certificate's "
			   "private key (readable by root)", what);
		return -1;
	}
	snprintf(what, sizeof(what), "the private key in %s does not belong to the "
		 "certificate in %s", key, cert);
	if (SSL_CTX_check_private_key(ctx) != 1) {
		sp_tls_err(d, v, "smtpd_tls_key_file", "give the key that matches "
			   "smtpd_tls_cert_file", what);
		return -1;
	}
	return 0;
}

/* Protocols and ciphers, opportunistic or mandatory. */
static int sp_tls_policy(SSL_CTX *ctx, const struct sp_view *v, int mandatory, struct sp_diags *d)
{
	const char *pname = mandatory ? "smtpd_tls_mandatory_protocols" : "smtpd_tls_protocols";
	const char *cname = mandatory ? "smtpd_tls_mandatory_ciphers" : "smtpd_tls_ciphers";
	const char *grade = sp_val(v, cname, "medium");
	const char *excl = sp_val(v, "smtpd_tls_exclude_ciphers", "");
	const char *mexcl = mandatory ? sp_val(v, "smtpd_tls_mandatory_exclude_ciphers", "") : "";
	const struct sp_param *pp = sp_find(v, pname);
	char err[200], list[2048];
	int min, max;
	size_t n;

	if (sp_tls_protocols(sp_val(v, pname, ">=TLSv1.2"), &min, &max, err, sizeof(err)) < 0) {
		sp_diag_add(d, SP_ERROR, pp ? pp->file : NULL, pp ? pp->line : 0, pname,
			    "write for example \">=TLSv1.2\" or \"!SSLv2, !SSLv3, !TLSv1, !TLSv1.1\"",
			    "%s", err);
		return -1;
	}
	if (SSL_CTX_set_min_proto_version(ctx, min) != 1 ||
	    SSL_CTX_set_max_proto_version(ctx, max) != 1) {
		sp_tls_err(d, v, pname, "name protocols this OpenSSL supports", "cannot set them");
		return -1;
	}
	n = (size_t)snprintf(list, sizeof(list), "%s", strcasecmp(grade, "high") == 0 ? SP_TLS_HIGH
									     : SP_TLS_MEDIUM);
	for (int pass = 0; pass < 2; pass++) {
		char *words = sp_xstrdup(pass ? mexcl : excl), *save = NULL;
		for (char *w = strtok_r(words, ", \t:", &save); w && n < sizeof(list);
		     w = strtok_r(NULL, ", \t:", &save))
			n += (size_t)snprintf(list + n, sizeof(list) - n, ":!%s", w);
		free(words);
	}
	if (n >= sizeof(list) || SSL_CTX_set_cipher_list(ctx, list) != 1) {
		sp_tls_err(d, v, "smtpd_tls_exclude_ciphers", "name OpenSSL cipher names or types",
			   "the cipher list is not usable");
		return -1;
	}
	return 0;
}

/* tls_ssl_options: OpenSSL options by name, or a hex mask. */
static int sp_tls_options(SSL_CTX *ctx, const struct sp_view *v, struct sp_diags *d)
{
	static const struct {
		const char *name;
		uint64_t op;
	} names[] = {
		{"NO_TICKET", SSL_OP_NO_TICKET}, {"NO_COMPRESSION", SSL_OP_NO_COMPRESSION},
		{"NO_RENEGOTIATION", SSL_OP_NO_RENEGOTIATION},
		{"PRIORITIZE_CHACHA", SSL_OP_PRIORITIZE_CHACHA},
		{"ENABLE_MIDDLEBOX_COMPAT", SSL_OP_ENABLE_MIDDLEBOX_COMPAT},
		{"LEGACY_SERVER_CONNECT", SSL_OP_LEGACY_SERVER_CONNECT},
		{"NO_SESSION_RESUMPTION_ON_RENEGOTIATION",
		 SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION},
		{"TLSEXT_PADDING", SSL_OP_TLSEXT_PADDING},
	};
	char *words = sp_xstrdup(sp_val(v, "tls_ssl_options", "")), *save = NULL;
	int rc = 0;

	for (char *w = strtok_r(words, ", \t", &save); w; w = strtok_r(NULL, ", \t", &save)) {
		size_t i = 0;
		char *end;
		while (i < sizeof(names) / sizeof(names[0]) && strcasecmp(w, names[i].name) != 0)
			i++;
		if (i < sizeof(names) / sizeof(names[0])) {
			SSL_CTX_set_options(ctx, names[i].op);
		} else if (strncasecmp(w, "0x", 2) == 0 && strtoull(w, &end, 16) && *end == 0) {
			SSL_CTX_set_options(ctx, strtoull(w, NULL, 16));
		} else {
			const struct sp_param *p = sp_find(v, "tls_ssl_options");
			sp_diag_add(d, SP_ERROR, p ? p->file : NULL, p ? p->line : 0,
				    "tls_ssl_options", "use NO_TICKET, NO_COMPRESSION, NO_RENEGOTIATION, "
				    "PRIORITIZE_CHACHA, ENABLE_MIDDLEBOX_COMPAT or a hex mask",
				    "unknown option \"%s\"", w);
			rc = -1;
		}
	}
	free(words);
	return rc;
}

/* The ECDHE groups: tls_eecdh_auto_curves, less those OpenSSL does not know
 * (as Postfix skips them); smtpd_tls_eecdh_grade strong and ultra mean the
 * same since Postfix 3.6. */
static int sp_tls_curves(SSL_CTX *ctx, const struct sp_view *v, struct sp_diags *d)
{
	char *words = sp_xstrdup(sp_val(v, "tls_eecdh_auto_curves", "")), *save = NULL;
	char list[512] = "";
	size_t n = 0;

	for (char *w = strtok_r(words, ", \t:", &save); w; w = strtok_r(NULL, ", \t:", &save)) {
		if (SSL_CTX_set1_groups_list(ctx, w) != 1) {
			ERR_clear_error();
			continue;
		}
		if (n + strlen(w) + 2 < sizeof(list))
			n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", n ? ":" : "", w);
	}
	free(words);
	if (n == 0 || SSL_CTX_set1_groups_list(ctx, list) != 1) {
		sp_tls_err(d, v, "tls_eecdh_auto_curves", "name curves OpenSSL knows, for example "
			   "X25519 prime256v1", "no usable curve");
		return -1;
	}
	return 0;
}

/* A client certificate that does not verify is still taken (as
 * Postfix's server does): the session records whether it verified, and
 * the restrictions decide. */
static int sp_tls_verify_any(int ok, X509_STORE_CTX *x)
{
	(void)ok;
	(void)x;
	return 1;
}

/* Client certificates: the CA files are loaded (and the verification
 * depth set); with smtpd_tls_ask_ccert (or smtpd_tls_req_ccert, which
 * needs mandatory TLS, as in Postfix) the client is asked for one, with
 * the names of smtpd_tls_CAfile's CAs. */
static int sp_tls_ccerts(struct sp_tls_server *t, const struct sp_view *v, int mandatory,
			 struct sp_diags *d)
{
	const char *file = sp_val(v, "smtpd_tls_CAfile", ""), *dir = sp_val(v, "smtpd_tls_CApath", "");
	const char *digest = sp_val(v, "smtpd_tls_fingerprint_digest", "sha256");
	int req = strcmp(sp_val(v, "smtpd_tls_req_ccert", "no"), "yes") == 0;

	if (req && !mandatory) {
		const struct sp_param *p = sp_find(v, "smtpd_tls_req_ccert");
		sp_diag_add(d, SP_WARNING, p ? p->file : NULL, p ? p->line : 0, "smtpd_tls_req_ccert",
			    "set smtpd_tls_security_level = encrypt as well, or remove it",
			    "ignored: a client certificate can be required only where TLS is "
			    "(smtpd_tls_security_level = encrypt or wrapper mode)");
		req = 0;
	}
	t->req_ccert = req;
	if ((file[0] || dir[0]) &&
	    SSL_CTX_load_verify_locations(t->ctx, file[0] ? file : NULL, dir[0] ? dir : NULL) != 1) {
		sp_tls_err(d, v, file[0] ? "smtpd_tls_CAfile" : "smtpd_tls_CApath",
			   "give a readable PEM file or a c_rehash'ed directory", "cannot load the "
			   "CA certificates");
		return -1;
	}
	SSL_CTX_set_verify_depth(t->ctx, atoi(sp_val(v, "smtpd_tls_ccert_verifydepth", "9")));
	if ((t->fprint = EVP_get_digestbyname(digest)) == NULL) {
		sp_tls_err(d, v, "smtpd_tls_fingerprint_digest", "use sha256",
			   "OpenSSL does not know this digest");
		return -1;
	}
	t->ask_ccert = req || strcmp(sp_val(v, "smtpd_tls_ask_ccert", "no"), "yes") == 0;
	if (!t->ask_ccert)
		return 0;
	SSL_CTX_set_verify(t->ctx, SSL_VERIFY_PEER | SSL_VERIFY_CLIENT_ONCE, sp_tls_verify_any);
	if (file[0]) {
		STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(file);
		if (names)
			SSL_CTX_set_client_CA_list(t->ctx, names);
		ERR_clear_error();
	}
	return 0;
}

struct sp_tls_server *sp_tls_server_new(const struct sp_view *v, int mandatory,
					struct sp_diags *d)
{
	static const unsigned char sid_ctx[] = "sallyport-smtpd";
	struct sp_tls_server tmp = {0}, *t;
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	int64_t secs = 3600;

	if (ctx == NULL) {
		sp_tls_err(d, v, "smtpd_tls_security_level", NULL, "cannot create a TLS context");
		return NULL;
	}
	/* Postfix's server options: no renegotiation by the client, no
	 * compression; the server's cipher order with tls_preempt_cipherlist */
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
	if (strcmp(sp_val(v, "tls_preempt_cipherlist", "no"), "yes") == 0)
		SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
	tmp.ctx = ctx;
	if (sp_tls_load_keys(ctx, v, d) < 0 || sp_tls_policy(ctx, v, mandatory, d) < 0 ||
	    sp_tls_options(ctx, v, d) < 0 || sp_tls_curves(ctx, v, d) < 0 ||
	    sp_tls_ccerts(&tmp, v, mandatory, d) < 0) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	/* Resumption: session tickets, whose keys this context made once, so
	 * every worker (they inherit it) resumes every other's sessions; and the
	 * in-process cache for clients without tickets. */
	SSL_CTX_set_session_id_context(ctx, sid_ctx, sizeof(sid_ctx) - 1);
	SSL_CTX_set_session_cache_mode(ctx, strcmp(sp_val(v, "smtpd_tls_always_issue_session_ids",
							   "yes"), "no") == 0
					    ? SSL_SESS_CACHE_OFF : SSL_SESS_CACHE_SERVER);
	(void)sp_value_time(sp_val(v, "smtpd_tls_session_cache_timeout", "3600s"), 's', &secs);
	SSL_CTX_set_timeout(ctx, secs > 0 ? (long)secs : 3600);
	t = sp_xcalloc(1, sizeof(*t));
	*t = tmp;
	return t;
}

void sp_tls_server_free(struct sp_tls_server **tp)
{
	if (*tp == NULL)
		return;
	SSL_CTX_free((*tp)->ctx);
	free(*tp);
	*tp = NULL;
}

void sp_tls_server_ticket_keys(struct sp_tls_server *t, const unsigned char *keys)
{
	SSL_CTX_set_tlsext_ticket_keys(t->ctx, (void *)keys, SP_TLS_TICKET_KEYS);
}

struct ssl_st *sp_tls_server_ssl(struct sp_tls_server *t)
{
	return SSL_new(t->ctx);
}

/* Postfix's fingerprint text: the digest's bytes in upper-case hex,
 * separated by colons. */
static void sp_tls_hex(const unsigned char *md, unsigned n, char *out, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t k = 0;

	for (unsigned i = 0; i < n && k + 4 <= len; i++) {
		if (i)
			out[k++] = ':';
		out[k++] = hex[md[i] >> 4];
		out[k++] = hex[md[i] & 15];
	}
	out[k] = 0;
}

/* An entry of a name (nid) as printable text: other bytes become '?'. */
static int sp_tls_name_text(X509_NAME *name, int nid, char *out, size_t len)
{
	int i = name ? X509_NAME_get_index_by_NID(name, nid, -1) : -1;
	unsigned char *utf8 = NULL;
	int n;

	out[0] = 0;
	if (i < 0)
		return -1;
	n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)));
	/* as Postfix's tls_text_name: a NUL inside (which would cut
	 * "bank.example\0.evil" short) or a name too long is no name */
	if (n > 0 && (size_t)n < len && memchr(utf8, 0, (size_t)n) == NULL) {
		for (int k = 0; k < n; k++)
			out[k] = utf8[k] < 0x20 || utf8[k] > 0x7e ? '?' : (char)utf8[k];
		out[n] = 0;
	}
	OPENSSL_free(utf8);
	return 0;
}

/* Whether peer verifies now against the context's CAs. A resumed session
 * carries the verification result of the handshake that made it, maybe
 * long ago or at another service: it is decided again, at every session. */
static int sp_tls_verify_now(SSL *ssl, X509 *peer)
{
	SSL_CTX *ctx = SSL_get_SSL_CTX(ssl);
	X509_STORE_CTX *x = X509_STORE_CTX_new();
	int ok = 0;

	if (x && X509_STORE_CTX_init(x, SSL_CTX_get_cert_store(ctx), peer,
				     SSL_get_peer_cert_chain(ssl)) == 1) {
		/* as OpenSSL's handshake verifies a client's certificate */
		X509_STORE_CTX_set_default(x, "ssl_client");
		X509_VERIFY_PARAM_set1(X509_STORE_CTX_get0_param(x), SSL_get0_param(ssl));
		ok = X509_verify_cert(x) == 1;
	}
	X509_STORE_CTX_free(x);
	return ok;
}

/* The client's certificate: presence, verification, fingerprints, names. */
static void sp_tls_describe_ccert(const struct sp_tls_server *t, SSL *ssl,
				  struct sp_tls_info *info)
{
	X509 *peer = SSL_get0_peer_certificate(ssl);
	unsigned char md[EVP_MAX_MD_SIZE], *der = NULL;
	unsigned n = 0;
	int len;

	info->ccert_asked = t->ask_ccert;
	info->ccert_required = t->req_ccert;
	if (peer == NULL || !t->ask_ccert)   /* not asked: a resumed session's is not ours */
		return;
	info->ccert = 1;
	info->ccert_trusted = SSL_session_reused(ssl) ? sp_tls_verify_now(ssl, peer)
						       : SSL_get_verify_result(ssl) == X509_V_OK;
	if (X509_digest(peer, t->fprint, md, &n) == 1)
		sp_tls_hex(md, n, info->ccert_fprint, sizeof(info->ccert_fprint));
	if ((len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(peer), &der)) > 0 &&
	    EVP_Digest(der, (size_t)len, md, &n, t->fprint, NULL) == 1)
		sp_tls_hex(md, n, info->ccert_pkey_fprint, sizeof(info->ccert_pkey_fprint));
	OPENSSL_free(der);
	sp_tls_name_text(X509_get_subject_name(peer), NID_commonName, info->ccert_cn,
			 sizeof(info->ccert_cn));
	if (sp_tls_name_text(X509_get_issuer_name(peer), NID_commonName, info->ccert_issuer,
			     sizeof(info->ccert_issuer)) < 0)
		sp_tls_name_text(X509_get_issuer_name(peer), NID_organizationName,
				 info->ccert_issuer, sizeof(info->ccert_issuer));
	ERR_clear_error();
}

void sp_tls_describe(const struct sp_tls_server *t, struct ssl_st *ssl, struct sp_tls_info *info)
{
	const SSL_CIPHER *c = SSL_get_current_cipher(ssl);

	memset(info, 0, sizeof(*info));
	snprintf(info->protocol, sizeof(info->protocol), "%s", SSL_get_version(ssl));
	snprintf(info->cipher, sizeof(info->cipher), "%s", c ? SSL_CIPHER_get_name(c) : "unknown");
	info->bits = c ? SSL_CIPHER_get_bits(c, &info->alg_bits) : 0;
	info->reused = SSL_session_reused(ssl);
	sp_tls_describe_ccert(t, ssl, info);
}
