/*
 * explain.h - `sallyport explain`: one transaction evaluated by a service's
 * compiled restrictions as the server would (stage by stage, first match
 * wins), printed with every list, restriction, table lookup and result,
 * where evaluation stopped, the reply byte for byte; then what would
 * change the decision (logged in, TLS, not in mynetworks), each found by
 * evaluating the changed transaction, not by guessing. A reject line from
 * the log (Postfix's format) is parsed back into its transaction.
 */
#ifndef SP_CHECK_EXPLAIN_H
#define SP_CHECK_EXPLAIN_H

#include <stdio.h>

#include "../policy/policy.h"

struct sp_explain_txn {
	char client[64];          /* IP address */
	char client_name[256];    /* "" or "unknown": not known */
	char helo[256];           /* "" : none given */
	int tls;
	char ccert[200];          /* client certificate fingerprint; "": none (implies TLS) */
	char ccert_pkey[200];     /* its public key's fingerprint; "": not given */
	int ccert_trusted;        /* it verifies against smtpd_tls_CAfile/CApath */
	char sasl[256];           /* "" : not logged in */
	char from[520];           /* "" : the null sender */
	char to[520];
	char logged_reply[600];   /* from a log line: what the server answered then */
};

/* Parses a reject line ("... reject: RCPT from NAME[IP]: 554 5.7.1 ...;
 * from=<S> to=<R> proto=ESMTP helo=<H>") into t. Returns 0, or -1 with
 * what is missing in err. */
int sp_explain_parse_log(const char *line, struct sp_explain_txn *t, char *err, size_t errlen);

struct sp_dns;

/* Evaluates t with p and prints the explanation to out. service names the
 * service in the heading. The DNS questions of reject_unknown_* go to dns,
 * as the server asks them (src/net/dns.h), and each answer is printed; with
 * dns NULL every name is taken to exist, and the output says so. Returns 0
 * when the recipient would be accepted, 1 when refused. */
int sp_explain(const struct sp_policy *p, const char *service, const struct sp_explain_txn *t,
	       struct sp_dns *dns, FILE *out);

#endif
