/*
 * dns.h - asynchronous DNS lookups for reject_unknown_sender_domain,
 * reject_unknown_recipient_domain (Postfix's reject_unknown_mailhost) and
 * reject_unknown_helo_hostname (Postfix's reject_unknown_hostname), with the
 * answers of Postfix 3.7 on Debian 12 (glibc's stub resolver). One sp_dns
 * per process or event loop owns a c-ares channel; a lookup asks its kind's
 * record types one after the other and reports one status. Nothing here
 * prints or blocks except sp_dns_wait(); the caller's loop polls the sockets
 * that sp_dns_fds() lists. Errors are returned with a message.
 *
 * One query (one name, one type) gives, from the reply's header (glibc's
 * res_send and res_query, then Postfix's dns_query(), dns_lookup.c:578-589):
 *   no reply, timeout, SERVFAIL, REFUSED, NOTIMP, or a NOERROR reply with no
 *   answer and none of AA, RA or additional records (glibc: a referral)
 *   -> RETRY; NXDOMAIN, or NOERROR without answers -> NOTFOUND; FORMERR or
 *   any other rcode -> FAIL.
 * A NOERROR reply with answers is read record by record as dns_get_answer()
 * and dns_get_rr() read it (dns_lookup.c:733-803, 883-992). Reading stops
 * at once with RETRY for a malformed record (cut short, a name that does
 * not expand, class not IN), with INVAL for an owner name or CNAME target
 * that is not a valid host name (numeric addresses pass), and with NULLMX
 * for any MX record whose target is the root, whatever its preference and
 * whatever other MX records there are. Otherwise one good record of the
 * asked type gives OK, even beside bad ones (an invalid MX target: INVAL;
 * an A or AAAA of the wrong length: RETRY; RETRY wins over INVAL); with no
 * good one, that status or NOTFOUND; with only CNAMEs, the (last) alias is
 * asked for the same type, at most 10 queries per type, then NOTFOUND.
 *
 * Combining the types of a lookup (dns_lookup_rl(), dns_lookup.c:1142-1214,
 * the loop at 1187-1211; called at smtpd_check.c:1486-1488 and 1538-1545):
 * the types are asked in order and the lookup stops after a type whose
 * status is OK, or, for MAILHOST only, INVAL or NULLMX. NXDOMAIN does not
 * stop it: the next type is still asked. The result is the highest-ranked
 * status among the types asked (ties: the later), ranked as Postfix's
 * DNS_* values (dns.h:298-305)
 *   OK > RETRY > INVAL > FAIL > NULLMX > NOTFOUND
 * (its POLICY, for reply filters, has no use here). So: MX SERVFAIL + A
 * found -> OK; MX SERVFAIL + A and AAAA NODATA -> RETRY; MX NXDOMAIN + A
 * found -> OK; MX SERVFAIL + A INVAL -> RETRY; HOST: A SERVFAIL, AAAA
 * NODATA, MX null -> RETRY; A FORMERR, AAAA NODATA, MX null -> FAIL.
 * Then, as both smtpd checks read the result: FAIL is reported as NOTFOUND
 * (both reject it as not found), and for HOST a null MX is reported as OK
 * (smtpd_check.c:1491-1492 lets MTA names have one).
 *
 * Names: a name that Postfix's valid_hostname() refuses (empty, longer
 * than 255, a label longer than 63 or empty, a character other than
 * letters, digits, '-' and '_', a misplaced '-', all-numeric, a trailing
 * dot; '*' is allowed as the whole first label) is NOTFOUND without a
 * query, as dns_lookup_x() answers (dns_lookup.c:1016-1038); "." is asked.
 * A valid name of 254 or 255 characters is too long for the wire: glibc's
 * res_mkquery refuses it (FAIL for each type), so NOTFOUND without a query.
 * Names are asked as given (no search list), like Postfix's dns_lookup.
 *
 * Known differences from Postfix: a non-ASCII (UTF-8) domain is NOTFOUND
 * without a query, where Postfix's reject_unknown_mailhost converts it to
 * an A-label first (there is no IDNA library here; for HELO names Postfix
 * gives NOTFOUND too). A referral-like reply gives RETRY at once where
 * glibc would first try the next server. The timeout and tries are the
 * caller's (sp_dns_opts), not /etc/resolv.conf's options.
 */
#ifndef SP_NET_DNS_H
#define SP_NET_DNS_H

#include <poll.h>
#include <stddef.h>

/* The first five values are the policy engine's sp_pdns_status. */
enum sp_dns_status {
	SP_DNS_OK,
	SP_DNS_NOTFOUND,  /* NXDOMAIN, or no data for every type asked */
	SP_DNS_RETRY,     /* temporary failure: timeout, SERVFAIL, malformed reply */
	SP_DNS_INVAL,     /* the reply names an invalid host name */
	SP_DNS_NULLMX,    /* RFC 7505 null MX: the domain accepts no mail */
	SP_DNS_FAIL,      /* one reply only: a permanent server error (FORMERR...) */
};

enum sp_dns_kind {
	SP_DNS_MAILHOST,  /* MX, then A, then AAAA (reject_unknown_mailhost) */
	SP_DNS_HOST,      /* A, then AAAA, then MX (reject_unknown_hostname) */
};

/* Record types sp_dns_classify() decodes. */
enum { SP_DNS_T_A = 1, SP_DNS_T_CNAME = 5, SP_DNS_T_MX = 15, SP_DNS_T_AAAA = 28 };

#define SP_DNS_NAME_MAX 1025   /* an expanded name and its NUL (as Postfix's DNS_NAME_LEN) */
#define SP_DNS_WHY_MAX 512     /* a reason, with the name it is about */
#define SP_DNS_FDS_MAX 16      /* sockets one resolver may wait on */
#define SP_DNS_LOOKUPS_MAX 4096 /* lookups one resolver may have outstanding */

struct sp_dns_opts {
	const char *servers;   /* "127.0.0.1:5353,[::1]:53"; NULL: /etc/resolv.conf's */
	int timeout_ms;        /* first try's timeout (later tries double it); 0: 5000 */
	int tries;             /* tries per server; 0: 2 (glibc's defaults) */
};

/* What one reply says besides its status. */
struct sp_dns_reply {
	char cname[SP_DNS_NAME_MAX]; /* non-empty: only an alias was found; ask it */
	char why[SP_DNS_WHY_MAX];    /* the reason for a status other than OK */
};

struct sp_dns;

/* Called once per lookup with the name as given, its status and a reason
 * (never NULL; "" for OK). */
typedef void sp_dns_cb(void *ctx, const char *name, enum sp_dns_status st, const char *why);

/* Creates a resolver (o may be NULL). Returns it, or NULL with err. */
struct sp_dns *sp_dns_new(const struct sp_dns_opts *o, char *err, size_t errlen);

/* Starts looking name up as kind. Returns 0, and cb is then called exactly
 * once, never from within this call (even for an invalid name); or -1 with
 * err (SP_DNS_LOOKUPS_MAX lookups outstanding, an unknown kind, or d being
 * freed), and cb is never called. Callbacks may start lookups, but must not call
 * sp_dns_process, sp_dns_wait or sp_dns_free. */
int sp_dns_lookup(struct sp_dns *d, const char *name, enum sp_dns_kind kind, sp_dns_cb *cb,
		  void *ctx, char *err, size_t errlen);

/* Fills fds (room for n; SP_DNS_FDS_MAX is always enough) with the sockets
 * to poll and their events (POLLIN, POLLOUT). Returns how many. */
int sp_dns_fds(struct sp_dns *d, struct pollfd *fds, int n);

/* Milliseconds until sp_dns_process(d, -1, -1) is due even when no socket
 * is ready: 0 when results wait to be reported, -1 when nothing is
 * outstanding. */
int sp_dns_timeout(struct sp_dns *d);

/* Reads from rfd and writes to wfd (either may be -1: a socket that is
 * readable or in error goes as rfd), handles expired timeouts, then calls
 * back every finished lookup. */
void sp_dns_process(struct sp_dns *d, int rfd, int wfd);

/* Lookups started and not yet called back. */
int sp_dns_pending(const struct sp_dns *d);

/* Polls until every lookup has been called back. Returns 0, or -1 with
 * errno when poll() fails. */
int sp_dns_wait(struct sp_dns *d);

/* Calls back the outstanding lookups (those still waiting for a reply with
 * RETRY), frees the resolver and sets *dp to NULL. */
void sp_dns_free(struct sp_dns **dp);

/* Classifies one raw reply (abuf[0..alen)) to a query of type qtype for
 * orig_name (the name first asked, before any alias), as Postfix classifies
 * one query's reply (above); never reads outside abuf. Types other than A,
 * AAAA and MX: a record of the type counts as found. out->cname is set
 * (and the status is NOTFOUND) only when the reply holds nothing but
 * aliases. */
enum sp_dns_status sp_dns_classify(const char *orig_name, int qtype, const unsigned char *abuf,
				   size_t alen, struct sp_dns_reply *out);

/* 1 when Postfix's dns_lookup would ask for name ("." or a name that
 * passes valid_hostname with wildcards), 0 when it answers NOTFOUND. */
int sp_dns_name_ok(const char *name);

/* "OK", "NOTFOUND", "RETRY", "INVAL", "NULLMX", "FAIL". */
const char *sp_dns_status_name(enum sp_dns_status st);

#endif
